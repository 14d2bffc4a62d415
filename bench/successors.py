"""Which power of 生态环境法典 is a replaced law's power under its new wording: yiju's pairs against a
golden mapping reviewed by reading the texts (issue 17).

``bench/data/successor_golden.tsv``: every penalty power yiju reads in the five laws of 江门市生态环境局's
裁量标准参照表 (大气, 水, 土壤污染防治法, 环境影响评价法, 放射性污染防治法, the versions the list cites) →
the code's provision that states the same violation for the same authority, or none (see its header).
For each law, on yiju's reading of its text and of the code's, ``impact.successor.match_powers`` pairs
the law's powers (all of them: they compete) with the code's; a pair is

- right: every new provision it is paired with is one the golden row names (several when the code
  split it into items: 大气污染防治法 第一百零七条第一款 → 1119(一)–(四));
- wrong: one is not (or the row says none);
- missed: the golden row names a provision yiju reads a power in, and yiju pairs nothing;
- not reachable: the golden provision is one yiju reads no power in (the corpus text merges
  第一千一百二十条 and 第一千二百零一条 into the article before them) or none: nothing to pair.

Printed for every power and for those the 江门 list cites (the done-when scenario of
``bench/proposals.py``), with every wrong and missed pair listed with its score; then the same for the
rule before (most alike new power of the type, character ratio and Dice ≥ 55: ``baseline``), and the
time of both on the five laws (same process, ratio).

    .venv/bin/python bench/successors.py [--all]   (--all: list the right pairs too)
"""

from __future__ import annotations

import argparse
import csv
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from diffing.powers import PENALTY, Power  # noqa: E402
from impact import proposals as props  # noqa: E402
from impact.record import record_version  # noqa: E402
from impact.successor import SuccessorIndex, match_powers, plain_violation  # noqa: E402
from registry.schema import connect  # noqa: E402

GOLDEN = ROOT / "bench" / "data" / "successor_golden.tsv"
CORPUS = ROOT / "yiju" / "data" / "laws"
CODE = ("生态环境法典", "2026-03-12")
BEFORE_MIN = 55.0       # the rule before: impact/proposals.py SUCCESSOR_MIN


def golden() -> list[dict]:
    with open(GOLDEN, encoding="utf-8") as f:
        return list(csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t"))


def powers_of(folder: str, date: str) -> list[Power]:
    db = connect(":memory:")
    text = (CORPUS / folder / f"{date}.md").read_text("utf-8")
    rec = record_version(db, title=text.splitlines()[0].strip(), text=text, source="import",
                         source_id=f"{folder}/{date}", promulgated=date)
    return props.version_powers(db, rec.version_id)


def baseline(new: list[Power], old: list[Power]) -> list[tuple[Power, Power, float]]:
    """The rule before: for each old power, the most alike new power of its type (mean of character
    ratio and bigram Dice, ``impact.successor.SuccessorIndex``) when it scores BEFORE_MIN."""
    by_type: dict[str, list[Power]] = {}
    for p in new:
        if p.violation or p.text:
            by_type.setdefault(p.type, []).append(p)
    indexes = {t: SuccessorIndex([(str(i), plain_violation(p.violation or p.text)) for i, p in enumerate(ps)])
               for t, ps in by_type.items()}
    out = []
    for o in old:
        if not (o.violation or o.text) or o.type not in indexes:
            continue
        best = indexes[o.type].candidates(plain_violation(o.violation or o.text), limit=1, min_score=BEFORE_MIN)
        if best:
            out.append((o, by_type[o.type][int(best[0]["label"])], best[0]["score"]))
    return out


def _domains(p: Power) -> str:
    return ",".join(sorted({a.domain or "?" for a in p.authorities}))


def judge(rows: list[dict], olds: dict[str, list[Power]], code: list[Power], matcher) -> dict:
    readable = {p.basis for p in code}
    out = {"right": [], "wrong": [], "missed": [], "unreachable": [], "none": []}
    for law, old in olds.items():
        pairs: dict[str, list[tuple[Power, float]]] = {}
        for o, n, score in matcher(code, old):
            pairs.setdefault(o.key, []).append((n, score))
        for o in old:
            if o.type != PENALTY:
                continue
            row = next(r for r in rows if r["law"] == law and r["old"] == o.basis and r["old_domains"] == _domains(o))
            targets = [t for t in row["code"].split("|") if t != "none"]
            got = pairs.get(o.key)
            entry = {"row": row, "old": o, "new": got[0][0] if got else None, "score": got[0][1] if got else None}
            if got:
                bad = [n for n, _ in got if n.basis not in targets]
                if bad:
                    entry["new"] = bad[0]
                entry["all"] = sorted({n.basis for n, _ in got})
                out["wrong" if bad else "right"].append(entry)
            elif any(t in readable for t in targets):
                out["missed"].append(entry)
            else:
                out["unreachable" if targets else "none"].append(entry)
    return out


def report(title: str, result: dict, jiangmen: bool, show_right: bool) -> None:
    pick = (lambda e: bool(e["row"]["jiangmen"])) if jiangmen else (lambda e: True)
    r = {k: [e for e in v if pick(e)] for k, v in result.items()}
    matched = len(r["right"]) + len(r["wrong"])
    total = sum(len(v) for v in r.values())
    split = sum(1 for e in r["right"] if len(e["all"]) > 1)
    print(f"   {title}：旧职权 {total} 项，配对 {matched}，正确 {len(r['right'])}（其中配对法典拆分的多项 {split}），"
          f"错误 {len(r['wrong'])}，"
          f"漏配 {len(r['missed'])}；法典无对应（或 yiju 读不出对应条款）{len(r['none']) + len(r['unreachable'])} 项"
          f"（其中误配 {sum(1 for e in r['wrong'] if not [t for t in e['row']['code'].split('|') if t != 'none'])}）")
    for e in r["wrong"]:
        print(f"      错配 {e['row']['law']} {e['old'].basis} [{e['row']['old_domains']}] → {e['new'].basis} "
              f"({e['score']:.1f})；应为 {e['row']['code']}")
    for e in r["missed"]:
        print(f"      漏配 {e['row']['law']} {e['old'].basis} [{e['row']['old_domains']}]；应为 {e['row']['code']}"
              + (f"（{e['row']['reason'][:60]}）" if e["row"]["reason"] else ""))
    if show_right:
        for e in r["right"]:
            print(f"      正确 {e['row']['law']} {e['old'].basis} → {'、'.join(e['all'])} ({e['score']:.1f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--all", action="store_true", help="list the right pairs too")
    args = ap.parse_args()
    rows = golden()
    code = powers_of(*CODE)
    olds: dict[str, list[Power]] = {}
    for law, version in dict.fromkeys((r["law"], r["version"]) for r in rows):
        olds[law] = powers_of(law, version)

    for name, matcher in (("yiju（impact.successor.match_powers）", match_powers),
                          ("此前的规则（字符相似度最高且 ≥ 55）", baseline)):
        result = judge(rows, olds, code, matcher)
        print(f"\n== {name}")
        report("江门清单所引的罚则", result, True, args.all)
        report("五部法律全部罚则", result, False, args.all)

    def timed(matcher) -> float:
        t0 = time.perf_counter()
        for _ in range(3):
            for old in olds.values():
                matcher(code, old)
        return (time.perf_counter() - t0) / 3

    ours, base = timed(match_powers), timed(baseline)
    print(f"\n== 速度：五部法律 {sum(len(o) for o in olds.values())} 项职权对法典 {len(code)} 项配对 "
          f"{ours * 1000:.1f} ms，此前的规则 {base * 1000:.1f} ms，比值 {ours / base:.1f}")


if __name__ == "__main__":
    main()
