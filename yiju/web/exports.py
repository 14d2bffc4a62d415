"""Downloads: the 评议考核 report and any flag list as Excel, the revised power list with its
对照表 (old basis → new basis, why, who approved, when) as Excel, and an Atom feed of changes.
"""

from __future__ import annotations

import io
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

import openpyxl
from flask import Blueprint, Flask, Response, abort, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from config.clock import now, today
from registry import users, web as queries
from yiju.web import pages
from yiju.web.common import CHANGE_KINDS, FEED_SALT, db, may_see_department, settings, signed_in, user

bp = Blueprint("exports", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEAD = PatternFill("solid", fgColor="DDEBF7")


def _sheet(wb, title: str, header: list[str], rows: list[list], widths: list[int] | None = None):
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEAD
    for r in rows:
        ws.append(["" if v is None else v for v in r])
    for i, w in enumerate(widths or [], 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    return ws


def _download(wb, name: str) -> Response:
    if "Sheet" in wb.sheetnames and len(wb.sheetnames) > 1:
        del wb["Sheet"]
    buf = io.BytesIO()
    wb.save(buf)
    return Response(buf.getvalue(), mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@bp.get("/report.xlsx")
@signed_in
def report_xlsx():
    data = pages.report_data()
    wb = openpyxl.Workbook()
    rows = []
    for d in data["departments"] + ([data["total"]] if data["total"] else []):
        o = d["open_flags"]
        rows.append([d["department"], d["duties"], d["citations"], d["unresolved_citations"], d["stale_citations"],
                     o["total"], o.get("critical", 0), o.get("high", 0), o.get("low", 0), d["overdue_flags"],
                     d["resolved_flags"], d["dismissed_flags"], d.get("in_time"), d.get("share_in_time"),
                     d["median_days_to_resolution"], d["duties_all_current"], d["share_all_current"]])
    _sheet(wb, "评议考核", ["部门", "职权", "依据引用", "未能核对", "已过时", "待办提示", "严重", "较高", "一般", "逾期",
                         "已解决", "已驳回", "按期办结", "按期办结率", "办结用时中位数（天）", "依据全部现行的职权",
                         "依据全部现行占比"], rows, [18] + [10] * 16)
    _sheet(wb, "月度趋势", ["月份", "新增提示", "办结", "按期办结"],
           [[m["month"], m["raised"], m["closed"], m["in_time"]] for m in data["trend"]], [10, 10, 10, 10])
    return _download(wb, f"评议考核_{data['as_of']}.xlsx")


@bp.get("/flags.xlsx")
@signed_in
def flags_xlsx():
    rows, _ = pages.inbox_rows(request.args, limit=None)
    wb = openpyxl.Workbook()
    base = settings().web.base_url.rstrip("/")
    _sheet(wb, "提示", ["编号", "部门", "岗位", "职权编码", "职权名称", "严重程度", "状态", "期限", "逾期", "所引条文",
                      "法律", "原因", "建议", "链接"],
           [[r["id"], r["department"], r["post"], r["duty_code"], r["duty_name"], r["severity_name"], r["state_name"],
             r["due"], "是" if r["overdue"] else "", r["citation"], r["law"], r["reason"], r["advice"],
             f"{base}/flags/{r['id']}"] for r in rows],
           [7, 16, 12, 14, 28, 8, 8, 11, 5, 30, 24, 36, 36, 30])
    return _download(wb, f"提示清单_{today()}.xlsx")


@bp.get("/powerlist.xlsx")
@signed_in
def powerlist_xlsx():
    """A department's power list as it stands after the review, with the 对照表 of every basis
    changed through a flag."""
    department = pages._int(request.args.get("department")) or (user()["department_id"] if user() else None)
    if not department or not may_see_department(department):
        abort(404)
    deps = queries.department_scope(db(), department)
    name = next((d["name"] for d in queries.departments(db(), deps) if d["id"] == department), "")
    wb = openpyxl.Workbook()
    duties = queries.current_duties(db(), deps)
    _sheet(wb, "权责清单", ["部门", "职权编码", "职权名称", "职权类型", "岗位", "实施依据", "处罚依据", "行使层级", "备注", "版本"],
           [[d["department"], d["code"], d["name"], d["kind"], d["post"], d["basis_text"], d["penalty_basis_text"],
             d["level"], d["note"], d["version"]] for d in duties],
           [14, 14, 30, 10, 12, 50, 40, 10, 16, 6])
    revisions = []
    for r in queries.basis_revisions(db(), deps):
        field = r["field"] or "basis_text"
        old, new = (r["old_penalty_basis"], r["new_penalty_basis"]) if field == "penalty_basis_text" else (r["old_basis"], r["new_basis"])
        if old == new:
            continue
        approved_by = r["reviewed_by"] if r["reviewed_by"] else r["actor"]
        approved_at = (r["reviewed_at"] or r["at"] or "")[:10]
        revisions.append([r["department"], r["code"], r["name"], "处罚依据" if field == "penalty_basis_text" else "实施依据",
                          old, new, r["reason"] + ("（一键更新条号）" if r["action"] == "flag.apply_renumbering" else ""),
                          r["proposed_by"] or r["actor"], approved_by, approved_at, r["flag_id"]])
    _sheet(wb, "对照表", ["部门", "职权编码", "职权名称", "字段", "原依据", "新依据", "修改原因", "提出人", "审核人", "审核日期", "提示编号"],
           revisions, [14, 14, 26, 10, 44, 44, 36, 18, 18, 12, 8])
    return _download(wb, f"{name}_权责清单_{today()}.xlsx")


def _feed_reader() -> dict | None:
    try:
        user_id = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=FEED_SALT).loads(request.args["key"])
    except (KeyError, BadSignature):
        return None
    u = users.get_user(db(), user_id)
    return u if u and not u["disabled_at"] else None


@bp.get("/feed.atom")
def feed():
    """Changes of law as Atom; a signed-in browser, or a feed reader with its personal ``?key=``."""
    if not user() and not _feed_reader():
        abort(403)
    base = settings().web.base_url.rstrip("/")
    changes = queries.recent_changes(db(), 50)
    updated = max((c["detected_at"] for c in changes), default=now())
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
           "<title>执法依据变动（依据 yiju）</title>", f'<id>{xml_escape(base)}/feed.atom</id>',
           f'<link rel="self" href="{xml_escape(base)}/feed.atom"/>', f"<updated>{updated}</updated>"]
    for c in changes:
        kind = CHANGE_KINDS.get(c["kind"], c["kind"])
        title = f"《{c['law']}》{kind}" + (f"（{c['published']} 公布）" if c["published"] else "")
        link = f"{base}/laws/{c['law_id']}"
        out.append(f"<entry><title>{xml_escape(title)}</title><id>{xml_escape(base)}/changes/{c['id']}</id>"
                   f'<link href="{xml_escape(link)}"/><updated>{c["detected_at"]}</updated>'
                   f"<summary>{xml_escape(title + ('，' + c['effective'] + ' 施行' if c['effective'] else ''))}</summary></entry>")
    out.append("</feed>")
    return Response("\n".join(out), mimetype="application/atom+xml")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
