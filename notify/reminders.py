"""Reminders of flags that are due soon or overdue, and escalation of long-overdue ones.

Each night (``publish``): flags still with their department (open, acknowledged, returned) whose
due date is within ``[workflow] remind_within`` days or past, and that were not reminded of in the
last ``remind_every`` days (never twice on one day), produce one reminder per department and
recipient — routed by post as the alerts are, each with the recipient's sign-in link. Flags overdue
by ``escalate_after`` days or more are also listed to the legal office (``mail.digest_to`` and the
legal-office accounts of the workspace), at most once per ``remind_every`` days.
"""

from __future__ import annotations

import datetime as _dt

import sqlite_utils

from config.clock import today
from config.settings import Settings
from registry.duties import same_posts
from notify import outbox
from notify.alerts import QueueReport, recipients
from notify.compose import BadAddress, one_line
from notify.gather import run_info
from notify.links import department_links, legal_links
from notify.render import render
from config.glossary import name
from registry import flags as flag_store
from registry.users import legal_users

def _days(a: str, b: str) -> int:
    return (_dt.date.fromisoformat(a) - _dt.date.fromisoformat(b)).days


def _view(f: dict, on: str) -> dict:
    f["severity_label"] = name("severity", f["severity"])
    f["state_label"] = name("flag_state", f["state"])
    f["days_left"] = _days(f["due"], on)
    f["overdue"] = f["days_left"] < 0
    return f


def queue_reminders(db: sqlite_utils.Database, run_id: int, settings: Settings,
                    report: QueueReport | None = None) -> QueueReport:
    """Queue the night's reminders and escalations; mark the flags reminded today."""
    report = report or QueueReport()
    flow = settings.workflow
    on = today()
    run = run_info(db, run_id)
    horizon = (_dt.date.fromisoformat(on) + _dt.timedelta(days=flow.remind_within)).isoformat()
    every = max(flow.remind_every, 1)
    rows = flag_store.due_by(db, horizon, not_alerted_in=run_id)
    due = [_view(f, on) for f in rows if not f["reminded_on"] or _days(on, f["reminded_on"]) >= every]
    by_department: dict[int, list[dict]] = {}
    for f in due:
        by_department.setdefault(f["department_id"], []).append(f)
    reminded: list[int] = []
    for department_id, flags in by_department.items():
        department = flags[0]["department_name"]
        post_ids = {f["post_id"] for f in flags if f["post_id"]}
        people = recipients(db, department_id, post_ids, report)
        same = {p: set(same_posts(db, {p})) for p in post_ids}
        has_contact = any(p.contact for p in people)
        for person in people:
            mine = flags if person.contact else [
                f for f in flags if same.get(f["post_id"], set()) & person.post_ids
                or (not has_contact and not f["post_id"])]
            if not mine:
                continue
            links = department_links(db, settings, department_id=department_id, email=person.address,
                                     name=person.name or f"{department}联系人", purpose="reminder")
            late = sum(f["overdue"] for f in mine)
            subject = one_line(f"【整改提醒】{department}：{len(mine)} 项提示" +
                               (f"已逾期 {late} 项" if late else f"将在 {flow.remind_within} 天内到期") + f" · {on}")
            context = {"title": subject, "greeting": person.name or f"{department}联系人", "department": department,
                       "flags": [{**f, "web_url": links.flag(f["id"]) if links else ""} for f in mine],
                       "workspace_url": links.home if links else "", "escalation": False, "run": run, "date": on}
            result = outbox.queue(db, run_id=run_id, kind="reminder", recipient=person.address,
                                  recipient_name=person.name or f"{department}联系人", department_id=department_id,
                                  scope=department_id, subject=subject, sender=settings.mail.sender,
                                  body_text=render("reminder.txt.j2", **context),
                                  body_html=render("reminder.html.j2", **context))
            report.queued += result.created
            report.already += not result.created
        reminded += [f["id"] for f in flags]
    flag_store.mark(db, reminded, "reminded_on", on)
    _escalate(db, run_id, settings, on, rows, report)
    return report


def _escalate(db, run_id: int, settings: Settings, on: str, rows: list[dict], report: QueueReport) -> None:
    flow = settings.workflow
    every = max(flow.remind_every, 1)
    late = [_view(dict(f), on) for f in rows if _days(on, f["due"]) >= max(flow.escalate_after, 1)
            and (not f["escalated_on"] or _days(on, f["escalated_on"]) >= every)]
    if not late:
        return
    departments: dict[str, list[dict]] = {}
    for f in late:
        departments.setdefault(f["department_name"], []).append(f)
    addresses = {a.lower(): a for a in settings.mail.digest_to}
    for u in legal_users(db):
        addresses.setdefault(u["email"].lower(), u["email"])
    subject = one_line(f"【逾期上报】{len(late)} 项提示逾期 {flow.escalate_after} 天以上（{len(departments)} 个部门）· {on}")
    for address in addresses.values():
        links = legal_links(db, settings, email=address, next_url="/inbox?state=todo")
        context = {"title": subject, "greeting": "法制工作机构", "department": None, "escalation": True,
                   "departments": [{"name": n, "flags": [{**f, "web_url": links.flag(f["id"]) if links else ""}
                                                          for f in fs]} for n, fs in departments.items()],
                   "flags": [], "workspace_url": links.home if links else "", "run": run_info(db, run_id), "date": on,
                   "escalate_after": flow.escalate_after}
        try:
            result = outbox.queue(db, run_id=run_id, kind="escalation", recipient=address, recipient_name="法制工作机构",
                                  scope="escalation", subject=subject, sender=settings.mail.sender,
                                  body_text=render("reminder.txt.j2", **context),
                                  body_html=render("reminder.html.j2", **context))
        except BadAddress as exc:
            report.problems.append(f"逾期上报的收件人：{exc}，已跳过")
            continue
        report.queued += result.created
        report.already += not result.created
    flag_store.mark(db, [f["id"] for f in late], "escalated_on", on)
