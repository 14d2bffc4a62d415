"""Alignment of real amended laws against mappings reviewed by reading both texts
(tests/data/golden/align/<law>.json), and against the articles their 修改决定 name."""

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


def accuracy(golden_entries, comparison) -> tuple[float, list[str]]:
    """Share of articles (old and new) mapped as the golden file says, and the ones that are not."""
    want_old, want_new = _maps(golden_entries)
    got_old, got_new = _maps([{"old": m.old, "new": m.new} for m in comparison.matches])
    wrong = [f"原{k}: {got_old.get(k)} ≠ {v}" for k, v in want_old.items() if got_old.get(k) != v]
    wrong += [f"现{k}: {got_new.get(k)} ≠ {v}" for k, v in want_new.items() if got_new.get(k) != v]
    total = len(want_old) + len(want_new)
    return (total - len(wrong)) / total, wrong


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_real_amendment_is_aligned_as_reviewed(path):
    golden = json.loads(path.read_text("utf-8"))
    assert golden["review"], "a golden mapping says how it was reviewed"
    old = parse(law_text(golden["law"], golden["old"]))
    new = parse(law_text(golden["law"], golden["new"]))
    assert (len(old.articles), len(new.articles)) == (golden["old_articles"], golden["new_articles"])
    comparison = compare(old, new)
    score, wrong = accuracy(golden["articles"], comparison)
    print(f"{golden['law']} {golden['old']}→{golden['new']}: {score:.1%} of "
          f"{len(old.articles) + len(new.articles)} articles mapped right", *wrong, sep="\n  ")
    assert score >= 0.99, wrong
    statuses = {(tuple(e["old"]), tuple(e["new"])): e["status"] for e in golden["articles"]}
    same_status = sum(statuses.get((tuple(m.old), tuple(m.new))) == m.status for m in comparison.matches)
    assert same_status / len(statuses) >= 0.99


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
