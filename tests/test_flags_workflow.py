"""Resolving flags on the real pipeline: real 行政处罚法 texts, a real power list, real citation parsing.

A department imports its list in 2020 (2017 numbering); the 2021 revision arrives; its flags are
fixed one by one (``resolve``), all at once (``apply_renumbering``) or by importing the list again.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from impact.record import record_version
from impact import duties as duty_store
from impact import flags
from registry.schema import connect
from tests.conftest import law_text

DEPT = "某市市场监督管理局"
HEADER = ["序号", "权力类型", "事项名称", "实施依据", "实施主体"]
ROWS = [
    ["1", "行政征收", "罚款收缴", "《中华人民共和国行政处罚法》第五十条", DEPT],
    ["2", "行政强制", "逾期不履行处罚决定的加处罚款", "《行政处罚法》第五十一条第（一）项", DEPT],
    ["3", "行政处罚", "当场收缴与执行", "《行政处罚法》第五十条、第五十一条", DEPT],
    ["4", "行政处罚", "行政处罚的设定", "《行政处罚法》第一条", DEPT],
    ["5", "行政征收", "当场收缴罚款的交纳", "依据《行政处罚法》第50条", DEPT],
]


def power_list(path, rows=ROWS):
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows([HEADER, *rows])
    path.write_text(out.getvalue(), "utf-8")
    return path


def register(db, date, effective):
    return record_version(db, title="中华人民共和国行政处罚法", text=law_text("行政处罚法", date), source="import",
                          source_id=f"行政处罚法/{date}", promulgated=date, effective=effective)


@pytest.fixture
def flagged(db, tmp_path, monkeypatch):
    """Duties imported in 2020 against the 2017 text; the 2021 revision in force; impact run."""
    monkeypatch.setenv("YIJU_TODAY", "2020-06-01")
    register(db, "2017-09-01", "2018-01-01")
    duty_store.import_duties(db, power_list(tmp_path / "list.csv"), by="导入员")
    monkeypatch.setenv("YIJU_TODAY", "2021-08-01")
    register(db, "2021-01-22", "2021-07-15")
    from impact.process import run_impact

    run_impact(db)
    return {name: duty_id for duty_id, name in db.execute("SELECT id, name FROM duties WHERE is_current = 1")}


def flags_of(db, duty_id):
    return [dict(r) for r in db.query("SELECT * FROM flags WHERE duty_id = ? ORDER BY id", [duty_id])]


def current(db, name):
    return dict(next(db.query("SELECT * FROM duties WHERE name = ? AND is_current = 1", [name])))


def test_the_imported_list_is_flagged_after_the_revision(db, flagged):
    assert flags_of(db, flagged["行政处罚的设定"]) == []
    one_click = flags_of(db, flagged["罚款收缴"])
    assert [json.loads(f["suggestion"]) for f in one_click] == [{"new_label": "第七十一条", "one_click": True}]
    assert [f["severity"] for f in flags_of(db, flagged["逾期不履行处罚决定的加处罚款"])] == ["high"]
    assert len(flags_of(db, flagged["当场收缴与执行"])) == 2


def test_resolve_makes_a_new_duty_version_and_closes_the_flag(db, flagged):
    flag = flags_of(db, flagged["逾期不履行处罚决定的加处罚款"])[0]
    out = flags.resolve(db, flag["id"], basis="《行政处罚法》第七十二条第一款第（一）项", by="法制科张三")
    duty = current(db, "逾期不履行处罚决定的加处罚款")
    assert out["duty_id"] == duty["id"] != flag["duty_id"]
    assert duty["version"] == 2 and duty["basis_text"] == "《行政处罚法》第七十二条第一款第（一）项"
    closed = flags.get_flag(db, flag["id"])
    assert (closed["state"], closed["updated_by"]) == ("resolved", "法制科张三")
    actions = [r["action"] for r in db.query("SELECT action FROM audit WHERE object = ?", [f"flag:{flag['id']}"])]
    assert actions == ["flag.resolve"]
    with pytest.raises(flags.FlagError, match="处理完毕（已解决），不能再解决"):
        flags.resolve(db, flag["id"], basis="《行政处罚法》第七十二条", by="法制科张三")


def test_resolving_one_flag_closes_the_others_the_new_basis_fixes_and_keeps_the_rest(db, flagged):
    both = flags_of(db, flagged["当场收缴与执行"])
    renumbered = next(f for f in both if json.loads(f["suggestion"]).get("one_click"))
    modified = next(f for f in both if f["id"] != renumbered["id"])
    out = flags.resolve(db, renumbered["id"], basis="《行政处罚法》第七十一条；《行政处罚法》（2017年修正）第五十一条", by="张三")
    assert out["resolved"] == [renumbered["id"]]
    assert out["moved"] == [modified["id"]]                 # still cites the 2017 第五十一条
    moved = flags.get_flag(db, modified["id"])
    assert moved["state"] == "open" and moved["duty_id"] == out["duty_id"]
    assert moved["due"] == modified["due"] and moved["created_at"] == modified["created_at"]
    out = flags.resolve(db, modified["id"], basis="《行政处罚法》第七十一条、第七十二条", by="张三")
    assert out["resolved"] == [modified["id"]]
    assert flags.get_flag(db, modified["id"])["state"] == "resolved"
    assert flags.list_flags(db, duty_id=out["duty_id"]) == []


def test_a_basis_that_still_cites_the_stale_provision_is_refused_and_nothing_changes(db, flagged):
    flag = flags_of(db, flagged["逾期不履行处罚决定的加处罚款"])[0]
    before = db.execute("SELECT count(*) FROM duties").fetchone()[0]
    with pytest.raises(flags.FlagError, match="仍然引用"):
        flags.resolve(db, flag["id"], basis="《行政处罚法》（2017年修正）第五十一条第（一）项", by="张三")
    with pytest.raises(flags.FlagError, match="与该职权现有依据相同"):
        flags.resolve(db, flag["id"], basis="《行政处罚法》第五十一条第（一）项", by="张三")
    assert db.execute("SELECT count(*) FROM duties").fetchone()[0] == before
    assert flags.get_flag(db, flag["id"])["state"] == "open"


def test_apply_renumbering_rewrites_every_one_click_label_in_one_go(db, flagged):
    out = flags.apply_renumbering(db, department=DEPT, by="法制科李四")
    assert {d["name"] for d in out["duties"]} == {"罚款收缴", "当场收缴与执行", "当场收缴罚款的交纳"}
    assert current(db, "罚款收缴")["basis_text"] == "《中华人民共和国行政处罚法》第七十一条"
    assert current(db, "当场收缴与执行")["basis_text"] == "《行政处罚法》第七十一条、第五十一条"
    assert current(db, "当场收缴罚款的交纳")["basis_text"] == "依据《行政处罚法》第71条"  # written as it was
    assert out["skipped"] == []
    waiting = flags.list_flags(db, state="open")
    # only the substantive changes are left; the one in 当场收缴与执行 moved to its new version
    assert sorted(f["duty_name"] for f in waiting) == ["当场收缴与执行", "逾期不履行处罚决定的加处罚款"]
    assert all(f["duty_is_current"] for f in waiting)
    assert flags.apply_renumbering(db, by="法制科李四") == {"duties": [], "skipped": []}


def test_importing_an_edited_list_again_closes_what_it_fixes(db, flagged, tmp_path):
    rows = [list(r) for r in ROWS]
    rows[1][3] = "《行政处罚法》第七十二条第一款第（一）项"        # the department fixed it in its own list
    result = duty_store.import_duties(db, power_list(tmp_path / "list2.csv", rows), by="导入员")
    assert result.revised == 1
    old_flag = flags_of(db, flagged["逾期不履行处罚决定的加处罚款"])[0]
    assert old_flag["state"] == "resolved"
    assert result.impact["carried_over"]["resolved"] == 1


def test_the_cli_applies_renumbering_and_resolves(config_file, yiju, monkeypatch, tmp_path):
    monkeypatch.setenv("YIJU_TODAY", "2020-06-01")
    db = connect(config_file.parent / "data" / "yiju.db")
    register(db, "2017-09-01", "2018-01-01")
    duty_store.import_duties(db, power_list(tmp_path / "list.csv", ROWS[:2]), by="导入员")
    monkeypatch.setenv("YIJU_TODAY", "2021-08-01")
    register(db, "2021-01-22", "2021-07-15")
    db.close()
    assert "新增提示 2 项" in yiju("impact").output
    out = yiju("flags", "apply-renumbering", "--by", "李四")
    assert out.exit_code == 0 and "已更新职权 1 项，解决提示 1 项" in out.output
    assert "第五十条 → 第七十一条" in out.output
    open_flag = json.loads(yiju("flags", "--state", "open", "--json").output)[0]
    out = yiju("flags", "resolve", open_flag["id"], "--basis", "《行政处罚法》第七十二条第一款第（一）项", "--by", "张三")
    assert out.exit_code == 0 and f"提示 #{open_flag['id']} 已解决" in out.output
    again = yiju("flags", "resolve", open_flag["id"], "--basis", "《行政处罚法》第七十二条")
    assert again.exit_code == 2 and "不能再解决" in again.stderr


def test_flags_are_raised_when_citations_were_re_resolved_before_impact(db, tmp_path, monkeypatch):
    """The nightly run re-resolves citations before impact; a 2020 duty still cites the 2017 text."""
    monkeypatch.setenv("YIJU_TODAY", "2020-06-01")
    register(db, "2017-09-01", "2018-01-01")
    duty_store.import_duties(db, power_list(tmp_path / "list.csv"), by="导入员", impact=False)
    monkeypatch.setenv("YIJU_TODAY", "2021-08-01")
    register(db, "2021-01-22", "2021-07-15")
    duty_store.reresolve_citations(db)
    from impact.process import run_impact

    assert run_impact(db)["flags"] == 5  # 第五十条 ×3, 第五十一条 ×2; 第一条 unchanged
