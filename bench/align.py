"""Article alignment speed on the longest law of the corpus, against `git diff --no-index`.

Takes the longest law in yiju/data/laws (生态环境法典, 1,240 articles), makes an amended copy
(articles inserted, deleted, reworded, split and merged, then renumbered as a 修正 republishes
a law), writes both as text files, and times in this process:

- align + diff: ``diffing.align.compare`` on the parsed texts (alignment and character diffs);
- parse + align + diff: the same from the two texts;
- baseline: ``git diff --no-index`` on the same two files (a subprocess, line diff only).

It prints the best of N rounds, the ratios, and how many articles were mapped as the amendment
says. Target (DESIGN §10): well under 1 s.

    .venv/bin/python bench/align.py [--rounds N] [--seed S]
"""

from __future__ import annotations

import argparse
import pathlib
import random
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from diffing.align import compare  # noqa: E402
from texts.numerals import article_label  # noqa: E402
from texts.structure import parse  # noqa: E402

LAWS = ROOT / "yiju" / "data" / "laws"
PHRASES = ["，法律另有规定的除外", "，并向社会公布", "县级以上地方", "，情节严重的，依法从重处罚"]


def longest_law() -> tuple[pathlib.Path, object]:
    best = None
    for path in sorted(LAWS.glob("*/*.md")):
        law = parse(path.read_text("utf-8"))
        if best is None or len(law.articles) > len(best[1].articles):
            best = (path, law)
    return best


def amended(law, donors, rng: random.Random, n_ops: int):
    """(text of the amended copy, expected old label → new labels)."""
    arts = law.articles
    positions = sorted(rng.sample(range(1, len(arts) - 2), n_ops))
    plan, last = {}, -10
    for p in positions:
        if p - last >= 3:
            plan[p] = rng.choice(["insert", "delete", "edit", "edit", "split", "merge"])
            last = p
    pieces, skip = [], set()
    for i, a in enumerate(arts):
        if i in skip:
            continue
        kind = plan.get(i)
        paras = [p.text or "" for p in a.paragraphs]
        lines = ["\n".join([p.text, *p.items]) if p.text else "\n".join(p.items) for p in a.paragraphs]
        if kind == "insert":
            pieces.append((rng.choice(donors).text, []))
            pieces.append((a.text, [i]))
        elif kind == "delete":
            pieces.append((None, [i]))
        elif kind == "edit":
            text = a.text
            at = rng.randrange(1, max(2, len(text)))
            pieces.append((text[:at] + rng.choice(PHRASES) + text[at:], [i]))
        elif kind == "split" and len(paras) >= 2:
            pieces.append((lines[0], [i]))
            pieces.append(("\n".join(lines[1:]), [i]))
        elif kind == "merge":
            pieces.append((a.text + "\n" + arts[i + 1].text, [i, i + 1]))
            skip.add(i + 1)
        else:
            pieces.append((a.text, [i]))
    out, expected, n = [law.title], {}, 0
    for text, origin in pieces:
        if text is None:
            for i in origin:
                expected.setdefault(arts[i].label, [])
            continue
        n += 1
        out.append(f"{article_label(n)}　{text}")
        for i in origin:
            expected.setdefault(arts[i].label, []).append(article_label(n))
    return "\n".join(out) + "\n", expected


def plain(law) -> str:
    return "\n".join([law.title, *(f"{a.label}　{a.text}" for a in law.articles)]) + "\n"


def best_of(rounds: int, fn) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--ops", type=int, default=150, help="amendments to make (some are dropped to keep them apart)")
    args = ap.parse_args()
    rng = random.Random(args.seed)

    path, law = longest_law()
    donors = [a for a in parse((LAWS / "治安管理处罚法" / "2025-06-27.md").read_text("utf-8")).articles
              if len(a.text) > 30]
    new_text, expected = amended(law, donors, rng, args.ops)
    old_text = plain(law)
    with tempfile.TemporaryDirectory() as tmp:
        old_file, new_file = pathlib.Path(tmp) / "old.txt", pathlib.Path(tmp) / "new.txt"
        old_file.write_text(old_text, "utf-8")
        new_file.write_text(new_text, "utf-8")
        old, new = parse(old_text), parse(new_text)

        t_align, comparison = best_of(args.rounds, lambda: compare(old, new))
        t_full, _ = best_of(args.rounds, lambda: compare(parse(old_file.read_text("utf-8")),
                                                          parse(new_file.read_text("utf-8"))))
        git = ["git", "diff", "--no-index", "--no-color", str(old_file), str(new_file)]
        t_git, _ = best_of(args.rounds, lambda: subprocess.run(git, capture_output=True, check=False))

    got = {o: m.new for m in comparison.matches for o in m.old}
    right = sum(sorted(got.get(k, [])) == sorted(v) for k, v in expected.items())
    print(f"law: {path.parent.name} {path.stem}: {len(old.articles)} articles → amended copy {len(new.articles)}")
    print("summary:", ", ".join(f"{k} {v}" for k, v in comparison.summary.items()))
    print(f"mapped as the amendment says: {right}/{len(expected)} old articles ({right / len(expected):.2%})")
    print(f"align + diff:           {t_align * 1000:8.1f} ms  (best of {args.rounds})")
    print(f"parse + align + diff:   {t_full * 1000:8.1f} ms")
    print(f"git diff --no-index:    {t_git * 1000:8.1f} ms  (subprocess, line diff only)")
    print(f"ratio align+diff / git diff:        {t_align / t_git:5.1f}×")
    print(f"ratio parse+align+diff / git diff:  {t_full / t_git:5.1f}×")

    for folder, a, b in (("治安管理处罚法", "2012-10-26", "2025-06-27"), ("行政处罚法", "2017-09-01", "2021-01-22")):
        o = parse((LAWS / folder / f"{a}.md").read_text("utf-8"))
        n = parse((LAWS / folder / f"{b}.md").read_text("utf-8"))
        t, _ = best_of(args.rounds, lambda: compare(o, n))
        print(f"real revision {folder} {a}→{b} ({len(o.articles)}→{len(n.articles)} articles): "
              f"{t * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
