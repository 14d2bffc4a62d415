"""The flag workflow in the registry layer: states, errors, audit, listing and detail."""

from __future__ import annotations

import json

import pytest

from impact.process import run_impact
from impact import flags
from tests.builders import Builder, cite


@pytest.fixture
def world(db, monkeypatch):
    """Two departments, an amended law, three flagged duties."""
    monkeypatch.setenv("YIJU_TODAY", "2024-03-01")
    b = Builder(db)
    law = b.law("中华人民共和国某法")
    v1 = b.version(law, "2020-01-01", {"第一条": "甲。", "第二条": "乙。", "第三条": "丙：不得擅自改变用途。"})
    v2 = b.version(law, "2023-12-01", {"第一条": "甲。", "第二条": "新增。", "第三条": "乙。",
                                       "第四条": "丙：不得改变用途。"}, effective="2024-01-01")
    b.change(law, "amended", v1, v2, effective="2024-01-01", articles=[
        ("renumbered", ["第二条"], ["第三条"]),
        ("modified", ["第三条"], ["第四条"], "substantive", [[0, "丙：不得"], [-1, "擅自"], [0, "改变用途。"]]),
    ])
    market = b.department("某市市场监督管理局")
    water = b.department("某市水务局")
    ids = {
        "renumbered": b.duty(market, "登记", [cite(law, v1, "第二条")]),
        "modified": b.duty(market, "检查", [cite(law, v1, "第三条", paragraph=1)]),
        "water": b.duty(water, "取水许可", [cite(law, v1, "第三条")]),
    }
    run_impact(db)
    flag_ids = {k: b.flag_of(v)["id"] for k, v in ids.items()}
    return b, flag_ids


def audit_rows(db, flag_id):
    return [dict(r) for r in db.query("SELECT * FROM audit WHERE object = ? ORDER BY id", [f"flag:{flag_id}"])]


def test_acknowledge_moves_open_to_acknowledged_and_records_who(db, world):
    b, ids = world
    flag = flags.acknowledge(db, ids["modified"], by="张三")
    assert (flag["state"], flag["updated_by"]) == ("acknowledged", "张三")
    rows = audit_rows(db, ids["modified"])
    assert [(r["actor"], r["action"]) for r in rows] == [("张三", "flag.acknowledge")]
    with pytest.raises(flags.FlagError, match="已于 .* 由 张三 确认"):
        flags.acknowledge(db, ids["modified"], by="李四")


def test_dismiss_needs_a_reason_and_closes_the_flag(db, world):
    b, ids = world
    with pytest.raises(flags.FlagError, match="--reason"):
        flags.dismiss(db, ids["water"], reason="  ", by="王五")
    flag = flags.dismiss(db, ids["water"], reason="本局职责不涉及该条", by="王五")
    assert flag["state"] == "dismissed" and flag["closing_note"] == "本局职责不涉及该条"
    assert flag["closed_at"]
    detail = json.loads(audit_rows(db, ids["water"])[-1]["detail"])
    assert detail["reason"] == "本局职责不涉及该条"
    with pytest.raises(flags.FlagError, match="处理完毕（已驳回），不能再驳回"):
        flags.dismiss(db, ids["water"], reason="再次", by="王五")
    with pytest.raises(flags.FlagError, match="不能再确认"):
        flags.acknowledge(db, ids["water"], by="王五")


def test_an_action_on_a_missing_flag_is_a_clear_error(db, world):
    for action in (lambda: flags.acknowledge(db, 999, by="x"),
                   lambda: flags.dismiss(db, 999, reason="r", by="x"),
                   lambda: flags.resolve(db, 999, basis="《某法》第三条", by="x"),
                   lambda: flags.flag_detail(db, 999)):
        with pytest.raises(flags.FlagNotFound, match="没有编号为 999 的提示"):
            action()
    assert db.execute("SELECT count(*) FROM audit WHERE object = 'flag:999'").fetchone()[0] == 0


def test_listing_filters_by_department_and_state_in_either_language(db, world):
    b, ids = world
    flags.acknowledge(db, ids["modified"], by="张三")
    market = flags.list_flags(db, department="某市市场监督管理局")
    assert {f["id"] for f in market} == {ids["renumbered"], ids["modified"]}
    assert market[0]["severity"] == "high"  # worst first
    assert [f["id"] for f in flags.list_flags(db, state="已确认")] == [ids["modified"]]
    assert {f["id"] for f in flags.list_flags(db, state="open")} == {ids["renumbered"], ids["water"]}
    with pytest.raises(flags.FlagError, match="没有名为“某局”的部门"):
        flags.list_flags(db, department="某局")
    with pytest.raises(flags.FlagError, match="状态“关闭”无效"):
        flags.list_flags(db, state="关闭")


def test_overdue_is_past_the_due_date_while_still_open(db, world, monkeypatch):
    b, ids = world
    assert not any(f["overdue"] for f in flags.list_flags(db))
    monkeypatch.setenv("YIJU_TODAY", "2024-05-01")  # the 30 days are over
    assert all(f["overdue"] for f in flags.list_flags(db))
    flags.dismiss(db, ids["water"], reason="不涉及", by="x")
    assert not flags.get_flag(db, ids["water"])["overdue"]


def test_detail_has_the_old_and_new_article_text_and_the_diff(db, world):
    b, ids = world
    d = flags.flag_detail(db, ids["modified"])
    assert d["old_articles"] == [{"label": "第三条", "text": "丙：不得擅自改变用途。"}]
    assert d["new_articles"] == [{"label": "第四条", "text": "丙：不得改变用途。"}]
    assert d["article_change"]["diff"] == [[0, "丙：不得"], [-1, "擅自"], [0, "改变用途。"]]
    assert d["duty"]["name"] == "检查" and d["department"] == "某市市场监督管理局"
    assert flags.suggestion_text(d) == "改引第四条，并按修改后的条文复核职权内容"
