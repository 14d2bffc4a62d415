"""The reviewed golden set: real basis texts with the citations a legal officer reads in them.

tests/data/citations/golden.jsonl holds every line of real_bases.txt with its expected
citations (law, version note, article, 款, 项, 目), reviewed line by line; ``note`` explains
the tricky ones. A line is right when the parser finds exactly those citations in that order.

Every line must be right, except the lines that carry ``known_wrong`` (why the parser gets it
wrong today). The test names each line that goes wrong and each known exception that has
become right (then drop its ``known_wrong``): one regression can no longer hide in a rate.
"""

import json
import pathlib

from diffing.cite.find import parse_basis

DATA = pathlib.Path(__file__).parent / "data" / "citations"
FIELDS = ("law", "version_note", "article", "paragraph", "item", "sub_item")


def _cell(raw: str) -> str:
    return raw.replace("\\n", "\n")


def _golden():
    return [json.loads(line) for line in (DATA / "golden.jsonl").read_text(encoding="utf-8").splitlines() if line]


def test_golden_set_is_large_and_real():
    golden = _golden()
    real = (DATA / "real_bases.txt").read_text(encoding="utf-8").splitlines()
    assert len(golden) >= 150
    for row in golden:
        assert real[row["line"] - 1] == row["text"]


def test_every_real_basis_parses():
    for number, raw in enumerate((DATA / "real_bases.txt").read_text(encoding="utf-8").splitlines(), 1):
        parsed = parse_basis(_cell(raw))
        json.dumps(parsed.to_json(), ensure_ascii=False)


def test_golden_set_is_parsed_exactly_with_known_exceptions_named():
    golden = _golden()
    wrong = {}
    for row in golden:
        got = [{k: getattr(c, k) for k in FIELDS} for c in parse_basis(_cell(row["text"])).citations]
        want = [{k: c.get(k) for k in FIELDS} for c in row["expected"]]
        if got != want:
            wrong[row["line"]] = (want, got)
    known = {row["line"]: row["known_wrong"] for row in golden if "known_wrong" in row}
    assert all(isinstance(why, str) and why.strip() for why in known.values()), "a known exception says why"
    print(f"\ncitation golden set: {len(golden) - len(wrong)}/{len(golden)} exactly right, "
          f"{len(known)} known exceptions")
    regressions = {line: wrong[line] for line in sorted(wrong.keys() - known.keys())}
    fixed = sorted(known.keys() - wrong.keys())
    for line, (want, got) in regressions.items():
        print(f"  line {line}: expected {want}\n           got {got}")
    assert not regressions, f"lines parsed wrongly (not known exceptions): {sorted(regressions)}"
    assert not fixed, f"known exceptions now parsed right (remove their known_wrong): {fixed}"
