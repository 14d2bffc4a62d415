"""Alignment of real amended laws against mappings reviewed by reading both texts
(tests/data/golden/align/<law>.json), and against the articles their 修改决定 name.

Every article must be mapped, and every match given its status, exactly as reviewed, except the
ones a golden file lists under ``known_wrong`` by name (``原第N条`` / ``现第N条`` for a mapping,
``状态 原第N条`` / ``状态 现第N条`` for a status) with the reason. A known exception that has
become right fails too, so the list stays true.
"""

import json

import pytest

from diffing.align import compare
from texts.numerals import article_label
from texts.structure import parse
from tests.conftest import TEST_DATA, law_text

GOLDEN = sorted((TEST_DATA / "golden" / "align").glob("*.json"))


def _maps(entries):
    """Each old article → the new ones it went to; each new article → where it came from."""
    old_to_new, new_to_old = {}, {}
    for e in entries:
        for o in e["old"]:
            old_to_new[o] = tuple(sorted(e["new"]))
        for n in e["new"]:
            new_to_old[n] = tuple(sorted(e["old"]))
    return old_to_new, new_to_old


def mapping_errors(golden_entries, comparison) -> dict[str, str]:
    """The articles (old and new) not mapped as the golden file says, by name: what was found instead."""
    want_old, want_new = _maps(golden_entries)
    got_old, got_new = _maps([{"old": m.old, "new": m.new} for m in comparison.matches])
    wrong = {f"原{k}": f"{got_old.get(k)} ≠ {v}" for k, v in want_old.items() if got_old.get(k) != v}
    wrong |= {f"现{k}": f"{got_new.get(k)} ≠ {v}" for k, v in want_new.items() if got_new.get(k) != v}
    return wrong


def status_errors(golden_entries, comparison) -> dict[str, str]:
    """The reviewed matches whose status differs (or that the comparison does not make), by name."""
    found = {(tuple(sorted(m.old)), tuple(sorted(m.new))): m.status for m in comparison.matches}
    wrong = {}
    for e in golden_entries:
        name = f"状态 原{e['old'][0]}" if e["old"] else f"状态 现{e['new'][0]}"
        got = found.get((tuple(sorted(e["old"])), tuple(sorted(e["new"]))))
        if got != e["status"]:
            wrong[name] = f"{got} ≠ {e['status']}"
    return wrong


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_real_amendment_is_aligned_exactly_as_reviewed(path):
    golden = json.loads(path.read_text("utf-8"))
    assert golden["review"], "a golden mapping says how it was reviewed"
    known = golden.get("known_wrong", {})
    assert all(isinstance(why, str) and why.strip() for why in known.values()), "a known exception says why"
    old = parse(law_text(golden["law"], golden["old"]))
    new = parse(law_text(golden["law"], golden["new"]))
    assert (len(old.articles), len(new.articles)) == (golden["old_articles"], golden["new_articles"])
    comparison = compare(old, new)
    wrong = mapping_errors(golden["articles"], comparison) | status_errors(golden["articles"], comparison)
    print(f"{golden['law']} {golden['old']}→{golden['new']}: {len(old.articles) + len(new.articles)} articles, "
          f"{len(wrong)} wrong, {len(known)} known exceptions", *(f"{k}: {v}" for k, v in wrong.items()),
          sep="\n  ")
    regressions = {k: v for k, v in wrong.items() if k not in known}
    assert not regressions, "aligned differently from the review (not known exceptions)"
    fixed = sorted(known.keys() - wrong.keys())
    assert not fixed, f"known exceptions now right (remove them from known_wrong): {fixed}"


def test_golden_files_cover_the_three_required_laws():
    assert {p.stem for p in GOLDEN} >= {"行政处罚法", "行政许可法", "治安管理处罚法"}


def test_golden_files_account_for_every_article_once():
    for path in GOLDEN:
        golden = json.loads(path.read_text("utf-8"))
        olds = [o for e in golden["articles"] for o in e["old"]]
        news = [n for e in golden["articles"] for n in e["new"]]
        assert len(olds) == len(set(olds)) == golden["old_articles"], path.name
        assert len(news) == len(set(news)) == golden["new_articles"], path.name


def test_known_renumbering_from_the_research_notes():
    # research/powers_and_citations.md: 行政处罚法 第五十一条 (2017, 加处罚款) is 第七十二条 (2021)
    c = compare(parse(law_text("行政处罚法", "2017-09-01")), parse(law_text("行政处罚法", "2021-01-22")))
    assert c.renumbering["第五十一条"] == ["第七十二条"]
    # 第三十二条 of 2017 (陈述、申辩) is 2021 第四十五条; 2021 第三十二条 (从轻减轻) was 2017 第二十七条
    assert c.renumbering["第三十二条"] == ["第四十五条"]
    assert "第三十二条" in c.renumbering["第二十七条"]


# Pairs whose amending decision names every changed article (yiju/data/CORPUS.md).
DECIDED = [
    ("食品安全法", "2021-04-29", "2025-09-12",
     ["第四十一条", "第八十一条", "第八十二条", "第一百二十四条", "第一百三十二条"]),
    ("行政许可法", "2003-08-27", "2019-04-23", ["第五条", "第三十一条", "第七十二条"]),
    ("道路交通安全法", "2011-04-22", "2021-04-29", ["第二十条"]),
    ("消防法", "2019-04-23", "2021-04-29", ["第十五条", "第三十四条", "第五十八条", "第六十九条"]),
    ("刑法", "2020-12-26", "2023-12-29",
     ["第一百六十五条", "第一百六十六条", "第一百六十九条", "第三百八十七条", "第三百九十条", "第三百九十一条", "第三百九十三条"]),
]


@pytest.mark.parametrize("law,old,new,changed", DECIDED, ids=[d[0] for d in DECIDED])
def test_decision_verified_pairs_change_exactly_the_decided_articles(law, old, new, changed):
    c = compare(parse(law_text(law, old)), parse(law_text(law, new)))
    assert [m.old[0] for m in c.changed()] == changed
    assert all(m.status == "modified" and m.old == m.new for m in c.changed())


def test_advertising_law_2021_deletes_article_60_and_renumbers_every_later_one():
    c = compare(parse(law_text("广告法", "2018-10-26")), parse(law_text("广告法", "2021-04-29")))
    by_old = {m.old[0]: m for m in c.matches if m.old}
    assert by_old["第六十条"].status == "deleted"
    for n in range(61, 76):
        m = by_old[article_label(n)]
        assert m.new == [article_label(n - 1)] and m.status in ("renumbered", "modified")
    assert [m.old[0] for m in c.changed() if m.status == "modified"] == [
        "第二十九条", "第五十五条", "第五十七条", "第五十八条"]
