"""Reading power lists, department and staff tables as they are published (registry/powerlist.py)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import pathlib

import openpyxl
import pytest

from texts import powerlist
from texts.powerlist import TableError, parse_date, parse_emails, read

FIXTURES = pathlib.Path(__file__).resolve().parent / "data" / "powerlists"
_spec = importlib.util.spec_from_file_location("powerlist_fixtures", FIXTURES / "make_fixtures.py")
fx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fx)


@pytest.fixture
def jiangmen(tmp_path) -> pathlib.Path:
    path = tmp_path / "power.xlsx"
    fx.punishment_workbook().save(path)
    return path


def by_row(reading, sheet):
    return {r.row: r for r in reading.records if r.sheet == sheet}


def test_header_is_found_below_the_title_row_in_every_sheet(jiangmen):
    reading = read(jiangmen, "powerlist")
    assert reading.sheets == ["处罚", "大气"]
    assert reading.passed_over == ["说明"]          # prose only: no header, not an error
    rows = by_row(reading, "处罚")
    assert sorted(rows) == [3, 4, 5, 6, 7, 8, 9]     # row 10 is reported, rows 1-2 are title and header
    first = rows[3].values
    assert first["code"] == "440700CF00101"
    assert first["basis"] == fx.base(63) and first["penalty_basis"] == fx.base(52)
    assert first["department"] == "江门市生态环境局"
    assert (first["unit"], first["post"], first["level"]) == ("执法监督科", "执法岗", "市级")


def test_merged_cells_apply_to_every_row_they_cover(jiangmen):
    reading = read(jiangmen, "powerlist")
    punish = by_row(reading, "处罚")
    assert punish[6].values["penalty_basis"] == fx.base(54)          # F5:F6 merged
    assert {punish[r].values["department"] for r in punish} == {"江门市生态环境局"}   # G3:G10 merged
    air = by_row(reading, "大气")
    assert [air[r].values["conduct"] for r in (3, 4, 5)] == [fx.AIR_CONDUCT_1] * 3
    assert air[5].values["basis"] == fx.base(25)


def test_a_row_made_only_of_merged_continuations_is_reported_by_sheet_and_row(jiangmen):
    reading = read(jiangmen, "powerlist")
    assert [str(p) for p in reading.problems] == [
        "power.xlsx 工作表「处罚」第 10 行：本行只有合并单元格延续下来的内容，没有自己的数据，已跳过"]


def test_line_breaks_inside_a_basis_cell_are_kept(jiangmen):
    air = by_row(read(jiangmen, "powerlist"), "大气")
    basis = air[7].values["basis"]
    assert basis.startswith("1、《中华人民共和国环境噪声污染防治法》（2018年修订）第四十八条：\n违反本法第十四条")
    assert "\n2、《广东省实施〈中华人民共和国环境噪声污染防治法〉办法》" in basis


def test_sheet_named_after_a_power_type_gives_its_rows_that_type(jiangmen):
    reading = read(jiangmen, "powerlist")
    assert {r.section_kind for r in reading.records if r.sheet == "处罚"} == {"行政处罚"}
    assert {r.section_kind for r in reading.records if r.sheet == "大气"} == {None}


def test_two_row_header_with_a_group_cell_over_two_basis_columns(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["某县市场监督管理局权责清单"])
    ws.append(["序号", "事项名称\n（主项）", "依据", None, "实施主体"])
    ws.append([None, None, "违法依据", "处罚依据", None])
    ws.merge_cells("C2:D2")
    for col in "ABE":
        ws.merge_cells(f"{col}2:{col}3")
    ws.append([1, "对无照经营的处罚", fx.base(214), fx.base(213), "某县市场监督管理局"])
    path = tmp_path / "two.xlsx"
    wb.save(path)
    reading = read(path, "powerlist")
    [record] = reading.records
    assert record.row == 4
    assert record.values["name"] == "对无照经营的处罚"
    assert record.values["basis"] == fx.base(214)
    assert record.values["penalty_basis"] == fx.base(213)


def test_section_headings_and_repeated_headers_are_not_rows(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    header = ["序号", "事项名称", "实施依据（法律、法规、规章）", "备注"]
    ws.append(header)
    ws.append(["一、行政许可（共 1 项）"])
    ws.merge_cells("A2:D2")
    ws.append([1, "排污许可证核发", fx.base(68), None])
    ws.append(header)                               # a running header (list pasted from PDF pages)
    ws.append(["二、行政处罚"])
    ws.merge_cells("A5:D5")
    ws.append([2, "对未依法取得排污许可证排放污染物的处罚", fx.base(69), None])
    path = tmp_path / "sections.xlsx"
    wb.save(path)
    reading = read(path, "powerlist")
    assert [(r.row, r.values["name"], r.section_kind) for r in reading.records] == [
        (3, "排污许可证核发", "行政许可"), (6, "对未依法取得排污许可证排放污染物的处罚", "行政处罚")]
    assert reading.problems == []


def test_csv_in_gb18030_as_excel_saves_it(tmp_path):
    path = tmp_path / "catalogue.csv"
    path.write_bytes(fx.guichi_csv())
    reading = read(path, "powerlist")
    assert [r.values.get("sub_name") for r in reading.records] == ["排污许可证首次申请", "排污许可证变更", None, None]
    assert reading.records[0].where == "catalogue.csv 第 2 行"
    assert reading.records[0].values["kind"] == "行政许可"


def test_csv_with_semicolons_and_a_quoted_multiline_cell(tmp_path):
    path = tmp_path / "list.csv"
    basis = fx.base(235)
    quoted = basis.replace('"', '""')
    path.write_text(f'事项名称;法律依据;行使主体\n对非法占用土地的处罚;"{quoted}";某县自然资源局\n', "utf-8-sig")
    [record] = read(path, "powerlist").records
    assert record.values["basis"] == basis and "\n【行政法规】\n" in basis
    assert record.values["department"] == "某县自然资源局"


def test_a_file_without_the_needed_columns_is_refused_with_its_name(tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("名称,地址\n甲,乙\n", "utf-8")
    with pytest.raises(TableError, match=r"wrong\.csv：找不到表头.*「事项名称」.*「实施依据」"):
        read(path, "powerlist")


def test_unsupported_and_missing_files(tmp_path):
    old = tmp_path / "清单.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(TableError, match=r"清单\.xls：不支持旧版 Excel.*另存为 \.xlsx"):
        read(old, "powerlist")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(TableError, match=r"broken\.xlsx：无法作为 \.xlsx 工作簿读取"):
        read(broken, "powerlist")
    with pytest.raises(TableError, match="文件不存在"):
        read(tmp_path / "none.csv", "powerlist")


@pytest.mark.parametrize("cell, field", [
    ("事项名称", "name"), ("权力事项名称", "name"), ("事项名称(主项)", "name"), ("职 权 名 称", "name"),
    ("实施依据", "basis"), ("设定依据", "basis"), ("法律依据", "basis"), ("执法依据", "basis"),
    ("违反条款", "basis"), ("违法依据", "basis"), ("处罚依据", "penalty_basis"),
    ("权力类型", "kind"), ("职权类别", "kind"), ("实施主体", "department"), ("责任主体", "department"),
    ("承办机构", "unit"), ("责任科室", "unit"), ("执法岗位", "post"), ("职权编码", "code"),
    ("事项代码", "code"), ("项目编码", "code"), ("行使层级", "level"), ("备注：", "note"),
    ("违法行为", "conduct"), ("子项名称", "sub_name"), ("类别", "kind_generic"),
    ("对违法行为的处罚", None), ("《中华人民共和国行政处罚法》第三十二条", None),
])
def test_header_synonyms(cell, field):
    assert powerlist.header_field("powerlist", cell) == field


@pytest.mark.parametrize("value, kind", [
    ("行政处罚", "行政处罚"), ("处罚", "行政处罚"), ("行政许可类", "行政许可"), ("其他", "其他行政权力"),
    ("其他行政权力", "其他行政权力"), ("非行政许可审批", "非行政许可审批"), ("公共服务", "公共服务事项"),
    ("行政审查", None), ("一般", None),
])
def test_power_types(value, kind):
    assert powerlist.normalize_kind(value) == kind


@pytest.mark.parametrize("value, expected", [
    ("2024-01-01", "2024-01-01"), ("2024/1/1", "2024-01-01"), ("2024年1月1日", "2024-01-01"),
    ("2024.01.01", "2024-01-01"), ("20240101", "2024-01-01"), (dt.datetime(2024, 1, 1), "2024-01-01"),
    (45292, "2024-01-01"), ("45292", "2024-01-01"), ("２０２４年１月１日", "2024-01-01"), (None, None), ("", None),
])
def test_dates_in_their_usual_spellings(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["2024-02-30", "下个月", "2024年13月1日", "1.5"])
def test_bad_dates_say_what_is_wrong(value):
    with pytest.raises(ValueError, match="不是日期"):
        parse_date(value)


def test_emails_split_on_every_separator_and_are_checked():
    assert parse_emails("a@x.gov.cn；b@x.gov.cn;c@x.gov.cn, d@x.gov.cn 、e@X.GOV.CN") == [
        "a@x.gov.cn", "b@x.gov.cn", "c@x.gov.cn", "d@x.gov.cn", "e@x.gov.cn"]
    assert parse_emails("") == []
    for bad in ("fzk.jm.gov.cn", "fzk@localhost", "法制科@jm.gov.cn", "a@@b.cn"):
        with pytest.raises(ValueError, match="不是有效的电子邮箱地址"):
            parse_emails(f"ok@jm.gov.cn；{bad}")


def test_csv_heading_in_the_name_column(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(f"事项名称,实施依据\n三、行政检查,\n对排污单位的监督检查,{fx.base(70)}\n", "utf-8")
    reading = read(path, "powerlist")
    assert [(r.row, r.section_kind) for r in reading.records] == [(3, "行政检查")]
