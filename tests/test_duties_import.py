"""Importing power lists into the registry: departments, posts, duties with versions, citations."""

from __future__ import annotations

import importlib.util
import json
import pathlib

import pytest

from impact import duties as store
from texts.powerlist import TableError

FIXTURES = pathlib.Path(__file__).resolve().parent / "data" / "powerlists"
_spec = importlib.util.spec_from_file_location("powerlist_fixtures", FIXTURES / "make_fixtures.py")
fx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fx)

DEPT = "江门市生态环境局"


def snapshot(db) -> dict:
    """Every row of the tables an import writes to."""
    return {t: db.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
            for t in ("departments", "posts", "duties", "citations", "audit", "staff", "assignments")}


@pytest.fixture
def power(tmp_path) -> pathlib.Path:
    path = tmp_path / "power.xlsx"
    fx.punishment_workbook().save(path)
    return path


def test_import_of_a_real_shaped_list(db, power):
    report = store.import_duties(db, power, department=DEPT, by="法规科 王敏")
    # 处罚: rows 3,4,5,6,8 import; 7 (no basis), 9 (unknown type), 10 (merged only) are skipped.
    # 大气: rows 3-5 are one 违法行为 in three 裁量 grades (one duty), rows 6 and 7 two more.
    assert (report.created, report.revised, report.unchanged) == (8, 0, 0)
    assert [str(p) for p in report.problems] == [
        "power.xlsx 工作表「处罚」第 7 行：缺少实施依据，已跳过",
        "power.xlsx 工作表「处罚」第 9 行：职权类型「行政审查」不在职权类型表中（可用：行政许可、行政处罚、行政强制、"
        "行政征收、行政给付、行政检查、行政确认、行政奖励、行政裁决、其他行政权力 等），已跳过",
        "power.xlsx 工作表「处罚」第 10 行：本行只有合并单元格延续下来的内容，没有自己的数据，已跳过",
    ]
    assert report.departments_created == [DEPT]
    assert [d["name"] for d in list(db.query("SELECT name FROM departments"))] == [DEPT]
    assert [p["name"] for p in list(db.query("SELECT name FROM posts ORDER BY id"))] == [
        "执法监督科/执法岗", "水生态环境科/审核岗", "固体废物与化学品科/执法岗"]

    duties = {d["code"] or d["name"]: d for d in list(db.query("""
        SELECT d.*, p.name AS post FROM duties d LEFT JOIN posts p ON p.id = d.post_id"""))}
    assert len(duties) == 8
    first = duties["440700CF00101"]
    assert first["name"] == "对建设单位未依法报批建设项目环境影响报告书、报告表擅自开工建设的处罚"
    assert (first["kind"], first["level"], first["post"]) == ("行政处罚", "市级", "执法监督科/执法岗")
    assert first["basis_text"] == fx.base(63) and first["penalty_basis_text"] == fx.base(52)
    assert (first["version"], first["is_current"], first["created_by"]) == (1, 1, "法规科 王敏")
    assert (first["source_file"], first["source_row"]) == ("power.xlsx", "工作表「处罚」第 3 行")
    assert duties["440700CF00202"]["penalty_basis_text"] == fx.base(54)      # from the merged cell
    assert duties["440700CF00401"]["kind"] == "行政处罚"                      # written 处罚
    assert "\n2、《广东省实施" in duties[fx.AIR_CONDUCT_3]["basis_text"]         # cell line breaks kept
    assert duties[fx.AIR_CONDUCT_3]["note"] == "两部法规同时适用"
    assert duties[fx.AIR_CONDUCT_1]["department_id"] == duties["440700CF00101"]["department_id"]

    [audit] = list(db.query("SELECT * FROM audit WHERE action = 'duties.import'"))
    assert (audit["actor"], audit["action"], audit["object"]) == ("法规科 王敏", "duties.import", "power.xlsx")
    assert json.loads(audit["detail"])["created"] == 8


def test_citations_are_stored_for_both_basis_columns(db, power):
    pytest.importorskip("impact.resolve")
    report = store.import_duties(db, power, department=DEPT)
    duty = list(db.query("SELECT id FROM duties WHERE code = '440700CF00101'"))[0]
    cites = list(db.query("SELECT * FROM citations WHERE duty_id = ? ORDER BY field, ordinal", [duty["id"]]))
    assert [(c["field"], c["article"], c["paragraph"]) for c in cites] == [
        ("basis", "第二十五条", None),
        ("penalty_basis", "第三十一条", 1),
        ("penalty_basis", "第三十一条", 2),
    ]
    assert {c["law_title"] for c in cites} == {"中华人民共和国环境影响评价法"}
    assert all(c["resolution"] in ("resolved", "stale", "unresolved") for c in cites)
    assert report.citations == db.execute("SELECT count(*) FROM citations").fetchone()[0] > 8
    # 《医疗废物管理条例》第四十五条第一项: an item without its paragraph
    med = list(db.query("""SELECT c.* FROM citations c JOIN duties d ON d.id = c.duty_id
                      WHERE d.code = '440700CF00401' AND c.field = 'penalty_basis'"""))
    assert [(c["law_title"], c["article"], c["paragraph"], c["item"]) for c in med] == [
        ("医疗废物管理条例", "第四十五条", None, 1)]


def test_a_second_import_of_the_same_list_changes_nothing(db, power):
    store.import_duties(db, power, department=DEPT)
    before = snapshot(db)
    again = store.import_duties(db, power, department=DEPT)
    assert not again.changed
    assert (again.created, again.revised, again.unchanged) == (0, 0, 8)
    assert again.lines()[0] == "power.xlsx：无变化（现行职权 8 项）"
    assert snapshot(db) == before


def test_an_edited_row_makes_version_2_and_keeps_the_history(db, tmp_path, power):
    store.import_duties(db, power, department=DEPT)
    edited = list(fx.PUNISH_ROWS)
    code, name, kind, breach, _penalty, unit, post = edited[0]
    edited[0] = (code, name, kind, breach, fx.base(83), unit, post)   # 处罚依据 rewritten
    path = tmp_path / "power.xlsx"
    fx.punishment_workbook(edited).save(path)
    report = store.import_duties(db, path, department=DEPT, by="法规科 王敏")
    assert (report.created, report.revised, report.unchanged) == (0, 1, 7)
    versions = list(db.query("SELECT * FROM duties WHERE code = ? ORDER BY version", [code]))
    assert [(v["version"], v["is_current"]) for v in versions] == [(1, 0), (2, 1)]
    assert versions[0]["superseded_at"] and versions[1]["superseded_at"] is None
    assert versions[0]["duty_key"] == versions[1]["duty_key"]
    assert versions[0]["penalty_basis_text"] == fx.base(52)
    assert versions[1]["penalty_basis_text"] == fx.base(83)
    assert [h["id"] for h in store.history(db, versions[0]["id"])] == [v["id"] for v in versions]
    assert db.execute("SELECT count(*) FROM duties WHERE is_current = 1").fetchone()[0] == 8
    # importing the edited list once more: nothing new
    assert not store.import_duties(db, path, department=DEPT).changed


def test_rows_without_a_department_need_the_option(db, power):
    report = store.import_duties(db, power)
    reasons = {(p.sheet, p.row): p.reason for p in report.problems}
    assert reasons[("大气", 3)] == "缺少实施主体，请用 --department 指定"
    assert str(report.problems[3]) == "power.xlsx 工作表「大气」第 3 行：缺少实施主体，请用 --department 指定，已跳过"
    assert report.created == 5                                   # the 处罚 sheet names its 实施主体


def test_csv_list_with_sub_items_and_rows_naming_their_department(db, tmp_path):
    path = tmp_path / "guichi.csv"
    path.write_bytes(fx.guichi_csv())
    report = store.import_duties(db, path, department="池州市贵池区生态环境分局")
    assert report.problems == [] and report.created == 4
    names = [d["name"] for d in list(db.query("SELECT name FROM duties ORDER BY id"))]
    assert names[:2] == ["排污许可证核发：排污许可证首次申请", "排污许可证核发：排污许可证变更"]
    kinds = [d["kind"] for d in list(db.query("SELECT kind FROM duties ORDER BY id"))]
    assert kinds == ["行政许可", "行政许可", "行政处罚", "行政检查"]
    assert not store.import_duties(db, path, department="池州市贵池区生态环境分局").changed


def test_same_duty_twice_with_different_content_is_reported(db, tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text(
        "事项名称,实施依据,实施主体\n"
        f"对无照经营的处罚,{fx.base(214)},某县市场监督管理局\n"
        f"对无照经营的处罚,{fx.base(214)},某县市场监督管理局\n"       # same: merged silently
        f"对无照经营的处罚,{fx.base(228)},某县市场监督管理局\n", "utf-8")
    report = store.import_duties(db, path)
    assert report.created == 1
    assert [str(p) for p in report.problems] == [
        "dup.csv 第 4 行：与dup.csv 第 2 行的事项名称相同但内容不同，已跳过"]


def test_unreadable_file_imports_nothing(db, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("", "utf-8")
    with pytest.raises(TableError):
        store.import_duties(db, path)
    assert db.execute("SELECT count(*) FROM duties").fetchone()[0] == 0


def test_revise_duty_makes_a_new_version_with_an_audit_row(db, power):
    store.import_duties(db, power, department=DEPT)
    old = list(db.query("SELECT * FROM duties WHERE code = '440700CF00101'"))[0]
    new_id = store.revise_duty(db, old["id"], penalty_basis_text="《中华人民共和国环境影响评价法》第三十一条第一款",
                               by="法规科 王敏")
    new = store.get_duty(db, new_id)
    assert (new["version"], new["is_current"], new["duty_key"]) == (2, 1, old["duty_key"])
    assert new["basis_text"] == old["basis_text"]
    assert store.get_duty(db, old["id"])["is_current"] == 0
    audit = list(db.query("SELECT * FROM audit WHERE action = 'duty.revise'"))
    assert len(audit) == 1 and audit[0]["actor"] == "法规科 王敏"
    detail = json.loads(audit[0]["detail"])
    assert detail["penalty_basis_text"]["old"] == fx.base(52)
    # same text again, and through the old id: nothing new
    assert store.revise_duty(db, old["id"], penalty_basis_text="《中华人民共和国环境影响评价法》第三十一条第一款",
                             by="x") == new_id
    with pytest.raises(store.DutyError, match="依据不能为空"):
        store.revise_duty(db, new_id, basis_text="", penalty_basis_text="", by="x")
    with pytest.raises(store.DutyError, match="没有编号为 999 的职权"):
        store.revise_duty(db, 999, basis_text="x", by="x")


def test_revised_basis_is_parsed_again(db, power):
    pytest.importorskip("impact.resolve")
    store.import_duties(db, power, department=DEPT)
    old = list(db.query("SELECT * FROM duties WHERE code = '440700CF00101'"))[0]
    new_id = store.revise_duty(db, old["id"], basis_text="《中华人民共和国环境影响评价法》第二十四条第一款", by="x")
    cites = list(db.query("SELECT article, paragraph FROM citations WHERE duty_id = ? AND field = 'basis'", [new_id]))
    assert cites == [{"article": "第二十四条", "paragraph": 1}]
    # the old version keeps its own citations
    old_cites = list(db.query("SELECT article FROM citations WHERE duty_id = ? AND field = 'basis'", [old["id"]]))
    assert old_cites == [{"article": "第二十五条"}]


def test_listing_counts_duties_and_citations_per_department(db, power, tmp_path):
    store.import_duties(db, power, department=DEPT)
    csv_path = tmp_path / "guichi.csv"
    csv_path.write_bytes(fx.guichi_csv())
    store.import_duties(db, csv_path, department="池州市贵池区生态环境分局")
    groups = store.list_duties(db)
    assert [g["department"] for g in groups] == sorted([DEPT, "池州市贵池区生态环境分局"])
    jm = next(g for g in groups if g["department"] == DEPT)
    assert jm["summary"]["duties"] == 8 == len(jm["duties"])
    total = db.execute("""SELECT count(*) FROM citations c JOIN duties d ON d.id = c.duty_id
                          WHERE d.department_id = (SELECT id FROM departments WHERE name = ?)""", [DEPT]).fetchone()[0]
    s = jm["summary"]
    assert s["citations"] == total
    assert s["resolved"] + s["stale"] + s["unresolved"] == total
    [only] = store.list_duties(db, "池州市贵池区生态环境分局")
    assert only["summary"]["duties"] == 4
    with pytest.raises(store.DutyError, match="没有名为「不存在的局」的部门"):
        store.list_duties(db, "不存在的局")


def test_import_runs_impact_when_it_exists(db, power):
    report = store.import_duties(db, power, department=DEPT)
    assert report.impact is not None and report.impact["changes"] == 0     # no law has changed yet
    assert store.import_duties(db, power, department=DEPT, impact=False).impact is None



def test_a_list_imported_just_after_the_laws_gets_the_same_flags_in_the_same_second(tmp_path, monkeypatch):
    """Which came first decides a flag (a list written before yiju knew a text): a list imported
    right after the laws, within the same second, is still after them — the same flags as a list
    imported two seconds later (before: 62 flags against 32 on the demo's laws and list)."""
    import datetime as real
    import shutil

    import config.clock as clock
    from impact.lawfiles import import_directory
    from impact.process import run_impact
    from registry.schema import connect
    from tests.conftest import CORPUS

    class Clock(real.datetime):
        second, ticks = 0, 0

        @classmethod
        def now(cls, tz=None):      # a fixed second, the microseconds ticking
            cls.ticks += 1
            return real.datetime(2026, 8, 1, 2, 0, cls.second, cls.ticks, tzinfo=tz)

    class Module:
        datetime, timezone, timedelta = Clock, real.timezone, real.timedelta

    monkeypatch.setenv("YIJU_TODAY", "2026-08-01")
    monkeypatch.setattr(clock, "_dt", Module)
    for name in ("安全生产法", "行政处罚法", "广告法"):
        shutil.copytree(CORPUS / name, tmp_path / "laws" / name)
    demo = pathlib.Path(store.__file__).resolve().parents[1] / "yiju" / "data" / "demo" / "duties.csv"

    def flagged(gap: int) -> list[tuple]:
        Clock.second, Clock.ticks = 0, 0
        db = connect(tmp_path / f"gap{gap}.db")
        import_directory(db, tmp_path / "laws", tmp_path / f"files{gap}")
        Clock.second += gap
        store.import_duties(db, demo)
        run_impact(db)
        return list(db.execute("SELECT d.code, c.raw, f.severity FROM flags f JOIN duties d ON d.id = f.duty_id "
                               "JOIN citations c ON c.id = f.citation_id ORDER BY 1, 2").fetchall())

    same_second, later = flagged(0), flagged(2)
    assert same_second == later
    assert later and all(code.startswith("SF-") for code, _, _ in later)   # the list is read and flagged at all
