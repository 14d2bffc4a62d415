"""`yiju duties`, `yiju duties import`, `yiju departments import`, `yiju staff import` as a user runs them."""

from __future__ import annotations

import importlib.util
import json
import pathlib

import pytest

from impact import duties as store
from registry import duties as duty_rows
from registry.schema import connect

FIXTURES = pathlib.Path(__file__).resolve().parent / "data" / "powerlists"
_spec = importlib.util.spec_from_file_location("powerlist_fixtures", FIXTURES / "make_fixtures.py")
fx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fx)

DEPT = "江门市生态环境局"


@pytest.fixture
def registry(config_file):
    def open_db():
        return connect(config_file.parent / "data" / "yiju.db")
    return open_db


def test_import_reports_skipped_rows_and_exits_1(yiju, tmp_path):
    path = tmp_path / "power.xlsx"
    fx.punishment_workbook().save(path)
    result = yiju("duties", "import", path, "--department", DEPT)
    assert result.exit_code == 1
    assert "power.xlsx 工作表「处罚」第 7 行：缺少实施依据，已跳过" in result.stderr
    assert result.stdout.startswith("power.xlsx：新增职权 8 项，产生新版本 0 项，无变化 0 项")
    assert "新建部门 1 个：江门市生态环境局" in result.stdout
    again = yiju("duties", "import", path, "--department", DEPT)
    assert again.stdout.startswith("power.xlsx：无变化（现行职权 8 项）")


def test_clean_import_exits_0_and_json_is_one_document(yiju, tmp_path):
    path = tmp_path / "guichi.csv"
    path.write_bytes(fx.guichi_csv())
    result = yiju("duties", "import", path, "--department", "池州市贵池区生态环境分局", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["created"], doc["skipped"]) == (4, [])


def test_unreadable_file_is_a_user_error(yiju, tmp_path):
    path = tmp_path / "清单.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    result = yiju("duties", "import", path)
    assert result.exit_code == 2
    assert result.stderr.startswith("错误：清单.xls：不支持旧版 Excel")
    bad_date = yiju("duties", "import", path, "--as-of", "去年")
    assert bad_date.exit_code == 2 and "--as-of" in bad_date.stderr


def test_listing_as_text_and_json(yiju, tmp_path):
    path = tmp_path / "power.xlsx"
    fx.punishment_workbook().save(path)
    yiju("duties", "import", path, "--department", DEPT)
    text = yiju("duties")
    assert text.exit_code == 0
    lines = text.stdout.splitlines()
    assert lines[0].startswith(f"{DEPT}：职权 8 项，依据引用 ")
    assert any("440700CF00101 对建设单位未依法报批建设项目环境影响报告书、报告表擅自开工建设的处罚（行政处罚，岗位：执法监督科/执法岗）"
               in line for line in lines)
    doc = json.loads(yiju("duties", "--json", "--department", DEPT).stdout)
    assert isinstance(doc, list) and doc[0]["department"] == DEPT
    assert doc[0]["summary"]["duties"] == 8 == len(doc[0]["duties"])
    duty = next(d for d in doc[0]["duties"] if d["code"] == "440700CF00101")
    assert duty["penalty_basis_text"] == fx.base(52) and isinstance(duty["citations"], list)
    unknown = yiju("duties", "--department", "不存在的局")
    assert unknown.exit_code == 2 and "没有名为「不存在的局」的部门" in unknown.stderr


def test_empty_registry_says_how_to_import(yiju):
    result = yiju("duties")
    assert result.exit_code == 0 and "yiju duties import" in result.stdout


def test_departments_and_staff(yiju, registry, tmp_path):
    deps = tmp_path / "departments.csv"
    deps.write_bytes(fx.departments_csv())
    result = yiju("departments", "import", deps)
    assert result.exit_code == 0, result.output
    db = registry()
    emails = dict(db.execute("SELECT name, emails FROM departments").fetchall())
    assert json.loads(emails[DEPT]) == ["fgk@jmsthj.example.gov.cn", "zfjd@jmsthj.example.gov.cn"]
    parents = dict(db.execute("""SELECT d.name, p.name FROM departments d
                                 LEFT JOIN departments p ON p.id = d.parent_id""").fetchall())
    assert parents == {DEPT: "江门市人民政府", "江门市人民政府": None, "江门市生态环境局蓬江分局": DEPT}
    db.close()
    assert yiju("departments", "import", deps).stdout.startswith("departments.csv：无变化")

    staff = tmp_path / "staff.xlsx"
    fx.staff_workbook().save(staff)
    result = yiju("staff", "import", staff, "--by", "人事科")
    assert result.exit_code == 0, result.output
    assert "新增任职记录 3 条" in result.stdout
    db = registry()
    post = db.execute("SELECT id FROM posts WHERE name = '执法监督科/执法岗'").fetchone()[0]
    assert [h["name"] for h in duty_rows.post_holders(db, post, on="2024-06-01")] == ["陈志强"]
    assert [h["name"] for h in duty_rows.post_holders(db, post, on="2020-06-01")] == ["黄伟"]
    rows = db.execute("""SELECT s.name, a.start, a."end" FROM assignments a JOIN staff s ON s.id = a.staff_id
                         ORDER BY s.name""").fetchall()
    assert sorted(rows) == sorted([("陈志强", "2021-03-01", None), ("李晓梅", "2022-07-15", None),
                                   ("黄伟", "2019-01-02", "2021-02-28")])
    db.close()
    assert yiju("staff", "import", staff).stdout.startswith("staff.xlsx：无变化")
