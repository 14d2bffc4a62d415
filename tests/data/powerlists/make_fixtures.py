"""Build the power-list fixtures of this folder (run: .venv/bin/python tests/data/powerlists/make_fixtures.py).

Layouts are those of real published lists (shared/research/powers_and_citations.md §1.2):
- ``jiangmen_env.xlsx`` sheet 处罚: the 广东 罚款金额裁量表 fields 违反条款 + 处罚依据 as two
  basis columns, with 职权编码/实施主体/承办机构/执法岗位/行使层级 as in 长治's and 白城's lists,
  a title row above the header, 实施主体 merged down the sheet, one 处罚依据 merged over the two
  rows it serves, a row without a basis (row 7), a row with an unknown 职权类型 (row 9) and a row
  made only of a merged continuation (row 10);
- ``jiangmen_env.xlsx`` sheet 大气: the 江门 裁量标准参照表 layout (序号 · 违法行为 · 法律依据 · 类别 ·
  裁量情节 · 裁量标准 · 备注), one 违法行为 merged over its 裁量情节 rows, no 实施主体 column;
- ``jiangmen_env.xlsx`` sheet 说明: prose only (no header: passed over);
- ``guichi_catalogue.csv``: the 贵池 目录 columns (序号 · 权力类型 · 事项名称 · 子项名称 · 备注) plus 实施依据
  and 实施主体, encoded GB18030 as Excel saves CSV on Chinese Windows;
- ``departments.csv`` and ``staff.xlsx``: 部门/上级部门/联系邮箱 and 姓名/邮箱/部门/岗位/任职起/任职止.

Every basis text is a verbatim line of tests/data/citations/real_bases.txt (line numbers in
the comments; ``\\n`` escapes of block S-A turned into real line breaks). Duty names, codes,
department names, people and e-mail addresses are invented.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import pathlib

import openpyxl

HERE = pathlib.Path(__file__).resolve().parent
BASES = (HERE.parent / "citations" / "real_bases.txt").read_text("utf-8").splitlines()


def base(line: int) -> str:
    """Line ``line`` (1-based) of real_bases.txt with its ``\\n`` escapes made line breaks."""
    return BASES[line - 1].replace("\\n", "\n")


DEPT = "江门市生态环境局"
PUNISH_HEADER = ["序号", "职权编码", "事项名称", "职权类型", "违反条款", "处罚依据", "实施主体",
                 "承办机构", "执法岗位", "行使层级", "备注"]
# (code, name, kind, 违反条款, 处罚依据, 承办机构, 执法岗位)
PUNISH_ROWS = [
    ("440700CF00101", "对建设单位未依法报批建设项目环境影响报告书、报告表擅自开工建设的处罚", "行政处罚",
     base(63), base(52), "执法监督科", "执法岗"),                       # row 3
    ("440700CF00102", "对建设单位未依法备案建设项目环境影响登记表的处罚", "行政处罚",
     base(53), base(47), "执法监督科", "执法岗"),                       # row 4 (47: a whole cell with 2 lines)
    ("440700CF00201", "对重点排污单位未按照规定对所排放的水污染物自行监测的处罚", "行政处罚",
     base(67), base(54), "水生态环境科", "审核岗"),                     # row 5; 处罚依据 merged F5:F6
    ("440700CF00202", "对未按照规定设置排污口的处罚", "行政处罚",
     base(66), None, "水生态环境科", "审核岗"),                          # row 6 (penalty from the merge)
    ("440700CF00301", "对未依法取得排污许可证排放污染物的处罚", "行政处罚",
     None, None, "执法监督科", "执法岗"),                               # row 7: no basis → skipped
    ("440700CF00401", "对医疗卫生机构未依照规定对医疗废物进行登记的处罚", "处罚",
     base(90), base(91), "固体废物与化学品科", "执法岗"),               # row 8
    ("440700XX00101", "对排污单位的年度审查", "行政审查",
     base(68), None, "执法监督科", "执法岗"),                           # row 9: unknown 职权类型 → skipped
]

AIR_HEADER = ["序号", "违法行为", "法律依据", "类别", "裁量情节", "裁量标准", "备注"]
AIR_CONDUCT_1 = "超过大气污染物排放标准或者超过重点大气污染物排放总量控制指标排放大气污染物的"
AIR_CONDUCT_2 = "未依法安装使用大气污染物排放自动监测设备的"
AIR_CONDUCT_3 = "建设项目需要配套建设的环境噪声污染防治设施没有建成，擅自投入生产或者使用的"
AIR_ROWS = [  # rows 3-5 share one 违法行为 and one 法律依据 (merged B3:B5, C3:C5)
    ("1", AIR_CONDUCT_1, base(25), "一般", "超标 0.5 倍以下", "处十万元以上二十万元以下罚款", ""),
    ("2", None, None, "较重", "超标 0.5 倍以上 1 倍以下", "处二十万元以上五十万元以下罚款", ""),
    ("3", None, None, "严重", "超标 1 倍以上", "处五十万元以上一百万元以下罚款", ""),
    ("4", AIR_CONDUCT_2, base(26), "一般", "首次违法", "处二万元以上五万元以下罚款", ""),
    ("5", AIR_CONDUCT_3, base(41), "一般", "在规定期限内改正", "处五万元以上十万元以下罚款", "两部法规同时适用"),
]


def punishment_workbook(rows=PUNISH_ROWS, *, title: str = "江门市生态环境局行政处罚事项清单（2021年版）"):
    """The 处罚/大气/说明 workbook; ``rows`` may be edited by tests."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "处罚"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(PUNISH_HEADER))
    ws.append(PUNISH_HEADER)
    for i, (code, name, kind, breach, penalty, unit, post) in enumerate(rows, start=1):
        ws.append([i, code, name, kind, breach, penalty, DEPT if i == 1 else None, unit, post, "市级", None])
    ws.append([None] * len(PUNISH_HEADER))              # a row that only the merged 实施主体 reaches
    ws.merge_cells(f"G3:G{3 + len(rows)}")              # 实施主体 over every row, and that one
    ws.merge_cells("F5:F6")                             # one 处罚依据 serves rows 5 and 6

    air = wb.create_sheet("大气")
    air.append(["江门市生态环境局生态环境违法行为行政处罚自由裁量权裁量标准参照表（大气）"])
    air.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(AIR_HEADER))
    air.append(AIR_HEADER)
    for row in AIR_ROWS:
        air.append(list(row))
    air.merge_cells("B3:B5")
    air.merge_cells("C3:C5")

    notes = wb.create_sheet("说明")
    notes.append(["本清单依据《广东省生态环境行政处罚自由裁量权规定》编制，仅供执法参考。"])
    notes.append(["如有疑问请联系法规科。"])
    return wb


GUICHI_HEADER = ["序号", "权力类型", "事项名称", "子项名称", "实施依据", "实施主体", "备注"]
GUICHI_ROWS = [
    ["1", "行政许可", "排污许可证核发", "排污许可证首次申请", base(68), "池州市贵池区生态环境分局", ""],
    ["2", "行政许可", "排污许可证核发", "排污许可证变更", base(68), "池州市贵池区生态环境分局", ""],
    ["3", "行政处罚", "对未依法取得排污许可证排放污染物的处罚", "", base(69), "池州市贵池区生态环境分局", ""],
    ["4", "行政检查", "对排污单位的监督检查", "", base(70), "", "由区生态环境保护综合行政执法大队承担"],
]


def guichi_csv(rows=GUICHI_ROWS) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(GUICHI_HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("gb18030")


DEPARTMENTS = [
    ["部门", "上级部门", "联系邮箱"],
    ["江门市生态环境局", "江门市人民政府", "fgk@jmsthj.example.gov.cn；zfjd@jmsthj.example.gov.cn"],
    ["江门市人民政府", "", "zfb@jiangmen.example.gov.cn"],
    ["江门市生态环境局蓬江分局", "江门市生态环境局", "pj@jmsthj.example.gov.cn, pjzf@jmsthj.example.gov.cn"],
]


def departments_csv(rows=DEPARTMENTS) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")


STAFF = [
    ["姓名", "邮箱", "部门", "科室", "岗位", "任职起", "任职止"],
    ["陈志强", "chenzq@jmsthj.example.gov.cn", DEPT, "执法监督科", "执法岗", dt.datetime(2021, 3, 1), None],
    ["李晓梅", "lixm@jmsthj.example.gov.cn", DEPT, "水生态环境科", "审核岗", "2022/7/15", ""],
    ["黄伟", "huangw@jmsthj.example.gov.cn", DEPT, "执法监督科", "执法岗", "2019年1月2日", "2021年2月28日"],
]


def staff_workbook(rows=STAFF):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "人员"
    for row in rows:
        ws.append(row)
    return wb


def big_workbook(n: int):
    """A 处罚 sheet of ``n`` rows (the bench's 5,000-row list), bases cycling over the real lines."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "处罚"
    ws.append(["江门市生态环境局权责清单"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(PUNISH_HEADER))
    ws.append(PUNISH_HEADER)
    heads = [line for line in range(48, 123)]
    for i in range(1, n + 1):
        breach = base(heads[i % len(heads)])
        penalty = base(heads[(i * 7) % len(heads)])
        ws.append([i, f"440700CF{i:05d}", f"对第{i}类生态环境违法行为的处罚", "行政处罚", breach, penalty,
                   f"江门市生态环境局{'' if i % 4 else '蓬江分局'}", "执法监督科", "执法岗", "市级", None])
    return wb


def main() -> None:
    punishment_workbook().save(HERE / "jiangmen_env.xlsx")
    (HERE / "guichi_catalogue.csv").write_bytes(guichi_csv())
    (HERE / "departments.csv").write_bytes(departments_csv())
    staff_workbook().save(HERE / "staff.xlsx")


if __name__ == "__main__":
    main()
