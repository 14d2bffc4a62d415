"""Impact at 款/项 level: a citation of 第X条第Y款第（Z）项 is pointed at exactly where that text is
now (diffing/provisions.py), and a 款 division that changed under the same words is never a
silent one-click renumbering."""

from __future__ import annotations

import impact.duties  # noqa: F401  (impact.process and impact.duties import each other)
from impact.process import run_impact
from impact.record import record_version
from tests.conftest import law_text
from tests.builders import Builder, cite


def _two_versions(db, short, old, new, title):
    a = record_version(db, title=title, text=law_text(short, old), source="import", promulgated=old)
    b = record_version(db, title=title, text=law_text(short, new), source="import", promulgated=new,
                       effective=new)
    return a.law_id, a.version_id, b.change_id


def test_a_cited_item_merged_into_another_article_is_pointed_there(db, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2026-03-01")
    law, v1, _ = _two_versions(db, "网络安全法", "2016-11-07", "2025-10-28", "中华人民共和国网络安全法")
    b = Builder(db)
    dep = b.department("某市网信办")
    item = b.duty(dep, "拒不处置违法信息", [cite(law, v1, "第六十九条", paragraph=1, item=1,
                                                 raw="《网络安全法》第六十九条第（一）项")])
    merged = b.duty(dep, "侵害个人信息", [cite(law, v1, "第六十四条", paragraph=2,
                                              raw="《网络安全法》第六十四条第二款")])
    run_impact(db)
    flag = b.flag_of(item)
    assert flag["suggestion"]["new_place"] == "第六十九条第一款"
    assert "所引第六十九条第一款第（一）项现为第六十九条第一款" in flag["reason"]
    flag = b.flag_of(merged)
    assert flag["severity"] == "high"
    assert flag["suggestion"]["new_label"] == "第七十一条"
    assert flag["suggestion"]["new_place"] == "第七十一条第二款"


def test_a_paragraph_division_changed_under_the_same_words_is_not_one_click(db, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2024-03-01")
    law, v1, _ = _two_versions(db, "民事诉讼法", "2021-12-24", "2023-09-01", "中华人民共和国民事诉讼法")
    b = Builder(db)
    dep = b.department("某区法院")
    whole = b.duty(dep, "甲", [cite(law, v1, "第一百九十八条", raw="《民事诉讼法》第一百九十八条")])
    second = b.duty(dep, "乙", [cite(law, v1, "第一百九十八条", paragraph=2, raw="《民事诉讼法》第一百九十八条第二款")])
    run_impact(db)
    assert b.flag_of(whole)["suggestion"] == {"new_label": "第二百零二条", "one_click": True}
    flag = b.flag_of(second)
    assert "one_click" not in flag["suggestion"]
    assert "文字未变而分款不同" in flag["suggestion"]["warning"]
    assert "文字未变而分款不同" in flag["reason"]


def test_a_paragraph_amended_where_it_stands_is_not_said_to_have_moved_to_itself(db, monkeypatch):
    """广告法 2018 → 2021 第五十五条 amended in place: its 第一款 stays 第一款, so no "现为第五十五条第一款"."""
    monkeypatch.setenv("YIJU_TODAY", "2021-06-01")
    law, v1, _ = _two_versions(db, "广告法", "2018-10-26", "2021-04-29", "中华人民共和国广告法")
    b = Builder(db)
    dep = b.department("某市市场监督管理局")
    duty = b.duty(dep, "对发布虚假广告的行政处罚", [cite(law, v1, "第五十五条", paragraph=1,
                                                       raw="《广告法》第五十五条第一款")])
    run_impact(db)
    flag = b.flag_of(duty)
    assert "第五十五条内容有实质修改" in flag["reason"] and "现为" not in flag["reason"], flag["reason"]
    assert "new_place" not in flag["suggestion"]
