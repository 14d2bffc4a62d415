"""Regression suite over the real amendments of the built-in corpus (issue 12).

- every consecutive pair that has its decision in yiju/data/decisions agrees with it (0
  disagreements, partial merges included);
- the cases found by reading the results against the texts, as named tests;
- two properties over every pair: an old article whose text lives on (≥ 90 %) inside a new
  article maps there, never to 已删除; an old 款 that survives nearly verbatim maps to where it is.
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from diffing.align import compare
from diffing.compare import same_text_key
from diffing.instruments import decision_date, parse as parse_decision, verify
from texts.numerals import article_label
from texts.structure import parse
from tests.corpus_pairs import DECISIONS, MIN_CHARS, decision_for, hosts_all, pairs

PAIRS = pairs()


@lru_cache(maxsize=None)
def aligned(law: str, old: str, new: str):
    pair = next(p for p in PAIRS if (p.law, p.old, p.new) == (law, old, new))
    a, b = pair.texts()
    old_law, new_law = parse(a), parse(b)
    return old_law, new_law, compare(old_law, new_law)


def where(comparison, label):
    return next(m for m in comparison.matches if label in m.old)


def _decided():
    out = []
    for pair in PAIRS:
        a, _ = pair.texts()
        if decision_for(pair, parse(a).title):
            out.append(pair)
    return out


DECIDED = _decided()


def test_the_corpus_has_decided_pairs():
    assert len(DECIDED) >= 12
    assert {p.law for p in DECIDED} >= {"网络安全法", "食品安全法", "安全生产法", "刑法", "广告法"}


@pytest.mark.parametrize("pair", DECIDED, ids=[p.id for p in DECIDED])
def test_every_decided_pair_agrees_with_its_decision(pair):
    old_law, new_law, c = aligned(pair.law, pair.old, pair.new)
    name, _ = decision_for(pair, old_law.title)
    text = (DECISIONS / name).read_text("utf-8")
    decision = parse_decision(text)
    result = verify(c, decision, old_law, new_law, decided_on=decision_date(text, decision.title) or name[:10],
                    old_on=pair.old)
    assert result["refused"] is None
    assert result["warnings"] == [] or pair.id == "食品安全法-2015-04-24-2021-04-29"  # 2018 amendment between
    assert result["disagreements"] == []


# --- the named cases ---------------------------------------------------------------------------

def test_cybersecurity_law_merge_of_64_66_70_into_71():
    _, _, c = aligned("网络安全法", "2016-11-07", "2025-10-28")
    for label in ("第六十四条", "第六十六条", "第七十条"):
        m = where(c, label)
        assert m.status == "merged" and m.new == ["第七十一条"], (label, m)
    assert c.summary["deleted"] == 0


def test_cybersecurity_law_partial_merge_of_69_item_one_into_69():
    _, _, c = aligned("网络安全法", "2016-11-07", "2025-10-28")
    assert "第六十九条" in where(c, "第六十九条").new
    assert where(c, "第六十八条").new == where(c, "第六十九条").new


def test_counter_espionage_law_old_38_is_new_4_and_27_second_paragraph_is_in_55():
    _, _, c = aligned("反间谍法", "2014-11-01", "2023-04-26")
    assert where(c, "第三十八条").new == ["第四条"]
    assert where(c, "第三十八条").status == "modified"
    assert "第四条" not in where(c, "第二十七条").new
    assert "第五十五条" in where(c, "第二十七条").new


def test_civil_aviation_law_old_65_is_new_168():
    _, _, c = aligned("民用航空法", "2021-04-29", "2025-12-27")
    assert where(c, "第六十五条").new == ["第一百六十八条"]


def test_labour_contract_law_57_is_amended_in_place():
    _, _, c = aligned("劳动合同法", "2007-06-29", "2012-12-28")
    m = where(c, "第五十七条")
    assert (m.status, m.new) == ("modified", ["第五十七条"])
    assert c.summary["deleted"] == c.summary["inserted"] == 0


def test_food_safety_law_124_changes_agency_names_only():
    _, _, c = aligned("食品安全法", "2015-04-24", "2021-04-29")
    m = where(c, "第一百二十四条")
    assert (m.status, m.substance) == ("modified", "editorial")


# --- the two properties over every pair ----------------------------------------------------------

def _label(article) -> str:
    try:
        return article_label(article.number, article.suffix)
    except (ValueError, TypeError):
        return article.label


@pytest.mark.parametrize("pair", PAIRS, ids=[p.id for p in PAIRS])
def test_an_article_that_lives_on_maps_there(pair):
    old_law, new_law, c = aligned(pair.law, pair.old, pair.new)
    old_keys = [same_text_key(a.text) for a in old_law.articles]
    new_keys = [same_text_key(a.text) for a in new_law.articles]
    new_labels = [_label(a) for a in new_law.articles]
    wrong = []
    where_now = hosts_all(old_keys, new_keys)
    for i, a in enumerate(old_law.articles):
        if len(old_keys[i]) < MIN_CHARS:
            continue
        found = {new_labels[j] for j in where_now.get(i, ())}
        m = where(c, _label(a))
        if found and not set(m.new) & found:
            wrong.append(f"原{_label(a)} → {m.new or '已删除'}，全文见于 {sorted(found)}")
    assert wrong == []


@pytest.mark.parametrize("pair", PAIRS, ids=[p.id for p in PAIRS])
def test_a_paragraph_that_survives_maps_to_where_it_is(pair):
    from diffing.provisions import paragraph_map

    old_law, new_law, c = aligned(pair.law, pair.old, pair.new)
    pmap = paragraph_map(old_law, new_law, c)
    old_paras = [((_label(a), k), same_text_key("".join([p.text, *p.items])))
                 for a in old_law.articles for k, p in enumerate(a.paragraphs, start=1)]
    new_paras = [((_label(a), k), same_text_key("".join([p.text, *p.items])))
                 for a in new_law.articles for k, p in enumerate(a.paragraphs, start=1)]
    old_keys, new_keys = [k for _, k in old_paras], [k for _, k in new_paras]
    where_now = hosts_all(old_keys, new_keys)
    wrong = []
    for x, ((label, k), key) in enumerate(old_paras):
        # nearly verbatim: the new 款 is not much longer (a 款 inside a longer one is a merger)
        found = {new_paras[y][0] for y in where_now.get(x, ()) if len(new_keys[y]) <= len(key) / 0.9}
        if not found:
            continue
        got = pmap.get((label, k))
        if got is None or (got.article, got.paragraph) not in found:
            wrong.append(f"原{label}第{k}款 → {got.label if got else '已删除'}，见于 {sorted(found)}")
    assert wrong == []
