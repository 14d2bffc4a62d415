"""`yiju impact`, `yiju flags …` and `yiju report` as a legal officer runs them."""

from __future__ import annotations

import json

import pytest

from registry.schema import connect
from tests.builders import Builder, cite


@pytest.fixture
def yiju(yiju, monkeypatch):
    """The command line of conftest, on 2024-03-01."""
    monkeypatch.setenv("YIJU_TODAY", "2024-03-01")
    return yiju


@pytest.fixture
def world(config_file, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2024-03-01")
    db = connect(config_file.parent / "data" / "yiju.db")
    b = Builder(db)
    law = b.law("中华人民共和国某法")
    v1 = b.version(law, "2020-01-01", {"第一条": "甲。", "第二条": "乙。", "第三条": "丙：不得擅自改变用途。"})
    v2 = b.version(law, "2023-12-01", {"第一条": "甲。", "第二条": "新增。", "第三条": "乙。",
                                       "第四条": "丙：不得改变用途。"})
    b.change(law, "amended", v1, v2, effective="2024-06-01", published="2023-12-01", articles=[
        ("renumbered", ["第二条"], ["第三条"]),
        ("modified", ["第三条"], ["第四条"], "substantive", [[0, "丙：不得"], [-1, "擅自"], [0, "改变用途。"]]),
    ])
    dep = b.department("某市市场监督管理局")
    duties = {"renumbered": b.duty(dep, "登记", [cite(law, v1, "第二条")]),
              "modified": b.duty(dep, "检查", [cite(law, v1, "第三条")])}
    db.close()
    return duties


def flag_ids(config_file) -> dict:
    db = connect(config_file.parent / "data" / "yiju.db")
    rows = {r["duty_id"]: r["id"] for r in db.query("SELECT id, duty_id FROM flags")}
    db.close()
    return rows


def test_impact_then_the_listing_in_chinese(yiju, world, config_file):
    out = yiju("impact")
    assert out.exit_code == 0
    assert "新增提示 2 项" in out.output and "较高 1" in out.output
    listing = yiju("flags")
    assert "某市市场监督管理局（2 项）" in listing.output
    assert "[较高] 待处理  期限 2024-06-01" in listing.output
    assert "可用 yiju flags apply-renumbering 一键更新" in listing.output
    assert yiju("impact").output.startswith("处理法律变化 0 项，新增提示 0 项")


def test_json_output_is_one_document(yiju, world, config_file):
    result = json.loads(yiju("impact", "--json").output)
    assert result["flags"] == 2
    rows = json.loads(yiju("flags", "--json", "--state", "open").output)
    assert {r["severity"] for r in rows} == {"high", "low"}
    detail = json.loads(yiju("flags", "show", rows[0]["id"], "--json").output)
    assert detail["id"] == rows[0]["id"]
    report = json.loads(yiju("report", "--json").output)
    assert report["total"]["open_flags"]["total"] == 2


def test_show_prints_old_and_new_text_with_the_diff(yiju, world, config_file):
    yiju("impact")
    flag = flag_ids(config_file)[world["modified"]]
    out = yiju("flags", "show", flag).output
    assert "职权：" in out and "检查" in out
    assert "原条文 第三条（2020-01-01 版）" in out and "丙：不得擅自改变用途。" in out
    assert "新条文 第四条（2023-12-01 版）" in out
    assert "丙：不得[-擅自-]改变用途。" in out
    assert "建议：改引第四条" in out
    assert f"yiju flags resolve {flag} --basis" in out


def test_ack_and_dismiss_record_who_acted(yiju, world, config_file):
    yiju("impact")
    ids = flag_ids(config_file)
    assert "已确认（张三）" in yiju("flags", "ack", ids[world["modified"]], "--by", "张三").output
    assert yiju("flags", "dismiss", ids[world["renumbered"]], "--reason", "该职责已取消", "--by", "李四").exit_code == 0
    db = connect(config_file.parent / "data" / "yiju.db")
    actors = [(r["actor"], r["action"]) for r in db.query("SELECT actor, action FROM audit WHERE object LIKE 'flag:%'")]
    assert actors == [("张三", "flag.acknowledge"), ("李四", "flag.dismiss")]
    again = yiju("flags", "dismiss", ids[world["renumbered"]], "--reason", "再次")
    assert again.exit_code == 2 and "不能再驳回" in again.stderr


def test_a_missing_flag_is_a_clear_error_with_exit_status_2(yiju, world):
    for args in (("show", 999), ("ack", 999), ("dismiss", 999, "--reason", "r"),
                 ("resolve", 999, "--basis", "《某法》第一条")):
        result = yiju("flags", *args)
        assert result.exit_code == 2
        assert result.stderr.strip() == "错误：没有编号为 999 的提示"


def test_unknown_department_or_state_is_a_clear_error(yiju, world):
    result = yiju("flags", "--department", "不存在的局")
    assert result.exit_code == 2 and "没有名为“不存在的局”的部门" in result.stderr
    result = yiju("flags", "--state", "closed")
    assert result.exit_code == 2 and "状态“closed”无效" in result.stderr


def test_report_in_chinese(yiju, world):
    yiju("impact")
    out = yiju("report").output
    assert "某市市场监督管理局：职权 2 项，依据引用 2 条" in out
    assert "待处理提示 2 项（严重 0，较高 1，一般 1）" in out
    assert out.strip().splitlines()[-1].startswith("合计：")


def test_the_listing_shows_what_still_needs_someone_unless_asked(yiju, world, config_file):
    yiju("impact")
    ids = flag_ids(config_file)
    yiju("flags", "dismiss", ids[world["renumbered"]], "--reason", "该职责已取消")
    assert [r["id"] for r in json.loads(yiju("flags", "--json").output)] == [ids[world["modified"]]]
    assert len(json.loads(yiju("flags", "--state", "all", "--json").output)) == 2
    dismissed = json.loads(yiju("flags", "--state", "已驳回", "--json").output)
    assert [(r["id"], r["closing_note"]) for r in dismissed] == [(ids[world["renumbered"]], "该职责已取消")]
