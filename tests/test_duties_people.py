"""Departments (部门, 上级部门, 联系邮箱) and staff (姓名, 邮箱, 部门, 岗位, 任职起, 任职止) imports."""

from __future__ import annotations

import json

import openpyxl
import pytest

from impact import duties as store
from registry import duties as duty_rows


def write_csv(path, text: str):
    path.write_text(text, "utf-8")
    return path


def departments(db) -> dict:
    out = {}
    for name, parent, emails in db.execute("""SELECT d.name, p.name, d.emails FROM departments d
                                              LEFT JOIN departments p ON p.id = d.parent_id""").fetchall():
        out[name] = (parent, json.loads(emails))
    return out


def test_bad_rows_are_skipped_and_the_rest_imports(db, tmp_path):
    path = write_csv(tmp_path / "deps.csv",
                     "部门名称,上级部门,联系邮箱\n"
                     "某市司法局,某市人民政府,sfj@example.gov.cn\n"
                     "某市人民政府,,zfb@example.gov.cn\n"
                     "某市交通运输局,某市人民政府,jtj.example.gov.cn\n"          # bad address
                     "某市交通运输局执法支队,某市交通局,zd@example.gov.cn\n"     # parent not in the file
                     ",某市人民政府,x@example.gov.cn\n"                          # no name
                     "某市司法局,某市人民政府,sfj@example.gov.cn\n")             # exact repeat: fine
    report = store.import_departments(db, path, by="法制办")
    assert [str(p) for p in report.problems] == [
        "deps.csv 第 4 行：联系邮箱「jtj.example.gov.cn」不是有效的电子邮箱地址，已跳过",
        "deps.csv 第 6 行：缺少部门名称，已跳过",
    ]
    assert departments(db) == {"某市司法局": ("某市人民政府", ["sfj@example.gov.cn"]),
                               "某市人民政府": (None, ["zfb@example.gov.cn"]),
                               "某市交通局": (None, []),
                               "某市交通运输局执法支队": ("某市交通局", ["zd@example.gov.cn"])}
    assert any("新增上级部门：某市交通局" in d and "已自动创建" in d for d in report.details)
    audit = db.execute("SELECT actor, action FROM audit").fetchall()
    assert audit == [("法制办", "departments.import")]


def test_changed_emails_and_parent_update_the_department(db, tmp_path):
    write_csv(tmp_path / "a.csv", "部门,上级部门,联系邮箱\n甲局,,a@example.gov.cn\n乙局,甲局,b@example.gov.cn\n")
    store.import_departments(db, tmp_path / "a.csv")
    path = write_csv(tmp_path / "b.csv", "部门,上级部门,联系邮箱\n乙局,,b@example.gov.cn；b2@example.gov.cn\n")
    report = store.import_departments(db, path)
    assert (report.created, report.updated) == (0, 1)
    assert report.details == ["更新部门：乙局（联系邮箱、上级部门）"]
    assert departments(db)["乙局"] == (None, ["b@example.gov.cn", "b2@example.gov.cn"])


def test_a_parent_that_would_make_a_cycle_is_refused(db, tmp_path):
    write_csv(tmp_path / "a.csv", "部门,上级部门\n甲局,\n乙局,甲局\n")
    store.import_departments(db, tmp_path / "a.csv")
    report = store.import_departments(db, write_csv(tmp_path / "b.csv", "部门,上级部门\n甲局,乙局\n"))
    assert [p.reason for p in report.problems] == ["上级部门「乙局」会形成循环隶属关系"]
    assert departments(db)["甲局"][0] is None


def test_staff_rows_are_checked(db, tmp_path):
    store.ensure_department(db, "某市司法局")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "在岗人员"
    ws.append(["序号", "姓名", "电子邮箱", "所在单位", "岗位", "任职起始日期", "任职终止"])
    ws.append([1, "周敏", "zhoumin@example.gov.cn", "某市司法局", "行政执法监督岗", 45292, None])
    ws.append([2, "吴刚", "wugang@example.gov.cn", "某市城管局", "执法岗", "2024-01-01", None])
    ws.append([3, "郑丽", "zhengli@", "某市司法局", "复议岗", "2024-01-01", None])
    ws.append([4, "王磊", "wanglei@example.gov.cn", "某市司法局", "复议岗", "2024年3月1日", "2023年3月1日"])
    ws.append([5, "孙婷", "sunting@example.gov.cn", "某市司法局", "复议岗", "三月", None])
    ws.append([6, "赵强", "", "某市司法局", "复议岗", "2024-01-01", None])
    path = tmp_path / "人员.xlsx"
    wb.save(path)
    report = store.import_staff(db, path)
    assert [str(p) for p in report.problems] == [
        "人员.xlsx 工作表「在岗人员」第 3 行：部门「某市城管局」不在登记库中（请先用 yiju departments import 或 "
        "yiju duties import 导入），已跳过",
        "人员.xlsx 工作表「在岗人员」第 4 行：邮箱「zhengli@」不是有效的电子邮箱地址，已跳过",
        "人员.xlsx 工作表「在岗人员」第 5 行：任职止（2023-03-01）早于任职起（2024-03-01），已跳过",
        "人员.xlsx 工作表「在岗人员」第 6 行：任职日期「三月」不是日期（可写作 2024-01-01、2024/1/1 或 2024年1月1日），已跳过",
        "人员.xlsx 工作表「在岗人员」第 7 行：缺少邮箱，已跳过",
    ]
    assert db.execute("SELECT s.name, a.start FROM assignments a JOIN staff s ON s.id = a.staff_id").fetchall() == [
        ("周敏", "2024-01-01")]


def test_a_later_file_closes_an_assignment(db, tmp_path):
    store.ensure_department(db, "某市司法局")
    write_csv(tmp_path / "a.csv", "姓名,邮箱,部门,岗位,任职起,任职止\n周敏,zhoumin@example.gov.cn,某市司法局,复议岗,2020/1/1,\n")
    store.import_staff(db, tmp_path / "a.csv")
    path = write_csv(tmp_path / "b.csv",
                     "姓名,邮箱,部门,岗位,任职起,任职止\n周敏,zhoumin@example.gov.cn,某市司法局,复议岗,2020/1/1,2024/6/30\n")
    report = store.import_staff(db, path)
    assert (report.created, report.updated) == (0, 1)
    post = db.execute("SELECT id FROM posts WHERE name = '复议岗'").fetchone()[0]
    assert duty_rows.post_holders(db, post, on="2024-06-30") and not duty_rows.post_holders(db, post, on="2024-07-01")


def test_staff_file_without_an_email_column_is_refused(db, tmp_path):
    from texts.powerlist import TableError

    with pytest.raises(TableError, match="「姓名」、「邮箱」、「部门」、「岗位」或「科室」"):
        store.import_staff(db, write_csv(tmp_path / "s.csv", "姓名,部门,岗位\n周敏,某市司法局,复议岗\n"))
