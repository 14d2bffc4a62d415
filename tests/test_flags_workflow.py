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


def test_re_importing_the_list_never_undoes_what_was_resolved_in_yiju(db, flagged, tmp_path):
    """Issue 13 item 8: rows unchanged since the last import keep what was changed in yiju since."""
    flag = flags_of(db, flagged["逾期不履行处罚决定的加处罚款"])[0]
    flags.resolve(db, flag["id"], basis="《行政处罚法》第七十二条第一款第（一）项", by="法制科张三")
    flags.apply_renumbering(db, department=DEPT, by="法制科李四")
    open_before = {f["id"] for f in flags.list_flags(db, state="open")}
    versions_before = db.execute("SELECT count(*) FROM duties").fetchone()[0]
    rows = [list(r) for r in ROWS]
    rows[3][2] = "行政处罚的设定和实施"                 # one duty renamed in the department's list
    report = duty_store.import_duties(db, power_list(tmp_path / "list.csv", rows), by="导入员")
    # the renamed row is a new duty (no code) and the old name left the list; nothing else moves
    assert (report.created, report.revised) == (1, 0) and report.kept == 4   # resolved 1 + renumbered 3
    assert report.retired == ["行政处罚的设定"]
    assert db.execute("SELECT count(*) FROM duties").fetchone()[0] == versions_before + 1
    assert current(db, "逾期不履行处罚决定的加处罚款")["basis_text"] == "《行政处罚法》第七十二条第一款第（一）项"
    assert current(db, "罚款收缴")["basis_text"] == "《中华人民共和国行政处罚法》第七十一条"
    assert flags.get_flag(db, flag["id"])["state"] == "resolved"
    assert {f["id"] for f in flags.list_flags(db, state="open")} <= open_before
    assert any("职权已取消 1 项" in line for line in report.lines())


def test_a_changed_row_keeps_the_fields_yiju_changed_and_takes_the_ones_the_file_changed(db, flagged, tmp_path):
    flag = flags_of(db, flagged["逾期不履行处罚决定的加处罚款"])[0]
    flags.resolve(db, flag["id"], basis="《行政处罚法》第七十二条第一款第（一）项", by="法制科张三")
    rows = [list(r) for r in ROWS]
    rows[1][1] = "行政处罚"                              # the file changes the type, not the basis
    report = duty_store.import_duties(db, power_list(tmp_path / "list.csv", rows), by="导入员")
    assert report.revised == 1
    duty = current(db, "逾期不履行处罚决定的加处罚款")
    assert duty["kind"] == "行政处罚" and duty["basis_text"] == "《行政处罚法》第七十二条第一款第（一）项"
    assert flags.get_flag(db, flag["id"])["state"] == "resolved"


def test_rows_that_left_the_list_are_retired_with_their_open_flags_closed(db, flagged, tmp_path):
    open_flags = flags_of(db, flagged["当场收缴与执行"])
    assert open_flags and all(f["state"] == "open" for f in open_flags)
    rows = [r for r in ROWS if r[2] != "当场收缴与执行"]
    report = duty_store.import_duties(db, power_list(tmp_path / "list.csv", rows), by="导入员")
    assert report.retired == ["当场收缴与执行"] and report.flags_closed == len(open_flags)
    assert not list(db.query("SELECT id FROM duties WHERE name = '当场收缴与执行' AND is_current = 1"))
    closed = [flags.get_flag(db, f["id"]) for f in open_flags]
    assert all(f["state"] == "dismissed" and "职权已取消" in f["closing_note"] for f in closed)
    # another department's list, or another file, retires nothing of this one
    other = power_list(tmp_path / "other.csv", [["1", "行政处罚", "别的事项", "《行政处罚法》第一条", "某市城管局"]])
    assert duty_store.import_duties(db, other, by="导入员").retired == []


@pytest.mark.parametrize("basis, why", [
    ("《中华人民共和国行政处罚法》第九百条", "第九百条"),
    ("《中华人民共和国不存在法》第一条", "不存在法"),
])
def test_a_new_basis_citing_nothing_real_is_refused_unless_forced(db, flagged, basis, why):
    """Issue 13 item 9: a resolution must not close a flag with a basis that cites nothing real
    (a provision cited by its old version on purpose stays allowed: see the tests above)."""
    flag = flags_of(db, flagged["逾期不履行处罚决定的加处罚款"])[0]
    before = db.execute("SELECT count(*) FROM duties").fetchone()[0]
    with pytest.raises(flags.FlagError, match="新依据有问题") as err:
        flags.resolve(db, flag["id"], basis=basis, by="张三")
    assert why in str(err.value)
    assert db.execute("SELECT count(*) FROM duties").fetchone()[0] == before
    assert flags.get_flag(db, flag["id"])["state"] == "open"
    flags.resolve(db, flag["id"], basis=basis, by="张三", force=True)
    assert flags.get_flag(db, flag["id"])["state"] == "resolved"
    detail = json.loads(next(db.query("SELECT detail FROM audit WHERE action = 'flag.resolve'"))["detail"])
    assert detail["forced"] and why in detail["forced"][0]


def test_a_repealed_provision_is_refused_as_a_new_basis(db, flagged):
    from impact.record import record_status

    record_version(db, title="中华人民共和国旧示例法", text="中华人民共和国旧示例法\n第一条　旧的规定。\n第二条　另一规定。",
                   source="import", promulgated="2000-01-01")
    record_status(db, status="已废止", source="import", title="中华人民共和国旧示例法")
    flag = flags_of(db, flagged["逾期不履行处罚决定的加处罚款"])[0]
    with pytest.raises(flags.FlagError, match="已废止"):
        flags.resolve(db, flag["id"], basis="《中华人民共和国旧示例法》第一条", by="张三")


def test_the_cli_refuses_a_bad_basis_with_exit_2(yiju, monkeypatch, tmp_path):
    db = connect(tmp_path / "data" / "yiju.db")
    monkeypatch.setenv("YIJU_TODAY", "2020-06-01")
    register(db, "2017-09-01", "2018-01-01")
    duty_store.import_duties(db, power_list(tmp_path / "list.csv"), by="导入员")
    monkeypatch.setenv("YIJU_TODAY", "2021-08-01")
    register(db, "2021-01-22", "2021-07-15")
    from impact.process import run_impact

    run_impact(db)
    flag_id = next(db.query("SELECT id FROM flags ORDER BY id"))["id"]
    db.close()
    result = yiju("flags", "resolve", str(flag_id), "--basis", "《中华人民共和国行政处罚法》第九百条")
    assert result.exit_code == 2 and "第九百条" in result.output and "--force" in result.output


def test_a_list_written_against_an_older_version_suggests_as_of(db, tmp_path, monkeypatch):
    """Issue 13 item 11: without --as-of, bases written against the 2017 text would pass against
    the 2021 one; the import says the list fits the older version and suggests --as-of."""
    monkeypatch.setenv("YIJU_TODAY", "2021-08-01")
    register(db, "2017-09-01", "2018-01-01")
    register(db, "2021-01-22", "2021-07-15")
    report = duty_store.import_duties(db, power_list(tmp_path / "list.csv"), by="导入员")
    assert [f["version_date"] for f in report.older_fit] == ["2017-09-01"]
    assert any("--as-of 2021-07-14" in line for line in report.lines())
    # with --as-of, or with a list written against the text in force, nothing is suggested
    again = duty_store.import_duties(db, power_list(tmp_path / "dated.csv"), as_of="2020-06-01", by="导入员")
    assert again.older_fit == []
    current = [["1", "行政征收", "罚款收缴", "《中华人民共和国行政处罚法》第七十一条", "某市城管局"],
               ["2", "行政强制", "逾期不履行处罚决定的加处罚款", "《行政处罚法》第七十二条第一款第（一）项", "某市城管局"],
               ["3", "行政处罚", "当场收缴与执行", "《行政处罚法》第七十一条、第七十二条", "某市城管局"]]
    assert duty_store.import_duties(db, power_list(tmp_path / "new.csv", current), by="导入员").older_fit == []
