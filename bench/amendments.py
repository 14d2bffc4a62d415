"""Alignment over every consecutive version pair of the built-in corpus (issue 12).

For all pairs in yiju/data/laws it parses and aligns both texts and prints:

- pairs, and the time of parse + align + character diffs, with a baseline in the same process
  (``difflib.SequenceMatcher`` over the article texts in order, what a line diff would pair)
  and their ratio;
- the statuses found (summed over all pairs);
- width-only hunks: a deletion and insertion in a 对照 that differ only in full/half-width
  forms （/(, ：/:, ％/%, quotes — or white space (want 0), and the articles showing them;
- "lives on" violations: old articles whose text lives on (≥ 90 %) inside a new article but
  that the alignment maps elsewhere or deletes (want 0); old 款 that survive nearly verbatim
  and are not mapped to where they are (want 0; needs the 款 mapping, else counted by article);
- agreement with the decisions in yiju/data/decisions: pairs checked, disagreements, and the
  pairs that disagree.

    .venv/bin/python bench/amendments.py [--code DIR] [--only LAW]

``--code DIR`` imports yiju from another checkout (e.g. /work/main, for figures before a
change); the corpus is always this checkout's.
"""

from __future__ import annotations

import argparse
import difflib
import pathlib
import sys
import time
from collections import Counter

HERE = pathlib.Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--code", type=pathlib.Path, default=HERE)
    ap.add_argument("--only", default=None)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(HERE / "tests"))
    sys.path.insert(0, str(args.code.resolve()))

    from diffing.align import compare
    from diffing.compare import same_text_key
    from diffing.instruments import check, parse as parse_decision
    try:
        from diffing.instruments import decision_date, verify
    except ImportError:
        decision_date = verify = None
    from texts.structure import parse
    from corpus_pairs import DECISIONS, MIN_CHARS, decision_for, hosts_all, pairs

    try:
        from diffing.provisions import paragraph_map  # the 款 mapping, when this code has it
    except ImportError:
        paragraph_map = None

    todo = [p for p in pairs() if args.only in (None, p.law)]
    texts = [p.texts() for p in todo]

    t = time.perf_counter()
    parsed = [(parse(a), parse(b)) for a, b in texts]
    comparisons = [compare(a, b) for a, b in parsed]
    ours = time.perf_counter() - t

    t = time.perf_counter()
    for a, b in parsed:
        difflib.SequenceMatcher(None, [x.text for x in a.articles], [x.text for x in b.articles],
                                autojunk=False).get_opcodes()
    baseline = time.perf_counter() - t

    statuses: Counter = Counter()
    width_hunks = 0
    width_articles = []
    modified = 0
    art_violations = []
    para_violations = []
    checked = disagreements = 0
    disagreeing = []
    for pair, (old, new), c in zip(todo, parsed, comparisons):
        statuses.update(c.summary)
        for m in c.matches:
            if m.status not in ("modified", "split", "merged"):
                continue
            modified += m.status == "modified"
            ops = m.diff or []
            found = 0
            for k, (op, text) in enumerate(ops):
                if op == -1 and k + 1 < len(ops) and ops[k + 1][0] == 1:
                    if same_text_key(text) == same_text_key(ops[k + 1][1]):
                        found += 1
                elif op in (-1, 1) and not same_text_key(text) and text.strip() == "":
                    pass  # line breaks between articles of a group
                elif op in (-1, 1) and not same_text_key(text):
                    found += 1
            if found:
                width_hunks += found
                width_articles.append(f"{pair.law} {pair.old}→{pair.new} {'、'.join(m.old)}")
        new_keys = [same_text_key(a.text) for a in new.articles]
        old_keys = [same_text_key(a.text) for a in old.articles]
        where = {label: m for m in c.matches for label in m.old}
        new_labels = [m_label(a) for a in new.articles]
        pmap = paragraph_map(old, new, c) if paragraph_map else None
        old_paras = [((m_label(a), k), same_text_key("".join([p.text, *p.items])))
                     for a in old.articles for k, p in enumerate(a.paragraphs, start=1)]
        new_paras = [((new_labels[j], q), same_text_key("".join([p.text, *p.items])))
                     for j, na in enumerate(new.articles) for q, p in enumerate(na.paragraphs, start=1)]
        art_hosts = hosts_all(old_keys, new_keys)
        for i, a in enumerate(old.articles):
            label = m_label(a)
            m = where.get(label)
            if len(old_keys[i]) >= MIN_CHARS:
                found = {new_labels[j] for j in art_hosts.get(i, ())}
                if found and not (set(m.new) & found):
                    art_violations.append(f"{pair.law} {pair.old}→{pair.new} 原{label} → {m.new or '已删除'}"
                                          f"（全文见于 {'、'.join(sorted(found))}）")
        old_pkeys = [k for _, k in old_paras]
        new_pkeys = [k for _, k in new_paras]
        para_hosts = hosts_all(old_pkeys, new_pkeys)
        for x, ((label, k), pkey) in enumerate(old_paras):
            if len(pkey) < MIN_CHARS:
                continue
            found = {new_paras[y][0] for y in para_hosts.get(x, ())
                     if len(new_pkeys[y]) <= len(pkey) / 0.9}  # nearly verbatim: not inside a longer 款
            if not found:
                continue
            if pmap is not None:
                got = pmap.get((label, k))
                ok = got is not None and (got.article, got.paragraph) in found
            else:
                ok = bool(set(where[label].new) & {h[0] for h in found})
            if not ok:
                para_violations.append(f"{pair.law} {pair.old}→{pair.new} 原{label}第{k}款 → "
                                       f"{'、'.join(f'{x}第{y}款' for x, y in sorted(found))}")
        title = new.title or old.title
        decided = decision_for(pair, title)
        if decided:
            name, instructions = decided
            if verify is not None:  # the pair's own decision, checked as `yiju diff --decision` does
                text = (DECISIONS / name).read_text("utf-8")
                decision = parse_decision(text)
                decided_on = decision_date(text, decision.title) or name[:10]
                notes = verify(c, decision, old, new, decided_on=decided_on, old_on=pair.old)["disagreements"]
            else:
                notes = check(c, instructions)
            checked += 1
            disagreements += len(notes)
            if notes:
                disagreeing.append((f"{pair.law} {pair.old}→{pair.new}: {len(notes)}", notes))

    print(f"code: {args.code.resolve()}")
    print(f"pairs: {len(todo)}")
    print(f"parse + align + diff: {ours:6.2f} s   baseline (difflib over articles): {baseline:6.2f} s   "
          f"ratio ours/baseline: {ours / baseline if baseline else 0:5.1f}x")
    print("statuses: " + ", ".join(f"{k} {v}" for k, v in statuses.items()))
    print(f"width-only hunks: {width_hunks} in {len(width_articles)} of {modified} modified articles")
    print(f"old articles living on (≥90 %) elsewhere but not mapped there: {len(art_violations)}")
    print(f"old 款 surviving nearly verbatim but not mapped there: {len(para_violations)}"
          f"{'' if paragraph_map else ' (by article: this code has no 款 mapping)'}")
    print(f"decisions: {checked} pairs checked, {disagreements} disagreements, "
          f"{checked - len(disagreeing)} of {checked} agree")
    for line, notes in disagreeing:
        print(f"  {line}")
        if args.verbose:
            for note in notes:
                print(f"      {note}")
    if args.verbose:
        for line in art_violations + para_violations + width_articles[:30]:
            print(f"  {line}")


def m_label(article) -> str:
    from texts.numerals import article_label
    try:
        return article_label(article.number, article.suffix)
    except (ValueError, TypeError):
        return article.label


if __name__ == "__main__":
    main()
