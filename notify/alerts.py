"""Department alerts and the digest e-mail: composed here, stored in the outbox (sent by ``deliver``).

One alert per department per run that has new flags still needing someone (none otherwise),
to the department's contacts (``departments.emails``: the whole department) and to the staff
holding the flagged duties' posts today (routed by post: only the flags of the posts they hold).
Each recipient gets their own copy (own Message-ID, own greeting, own sign-in link to the review
workspace when ``[web]`` has a secret); the outbox key (run, kind, department, address) means
queueing again adds nothing.

>>> fix_view({"id": 7, "suggestion": {"new_label": "第三十三条", "one_click": True},
...           "article": "第三十二条", "citation_raw": "《行政处罚法》第三十二条", "citation_field": "basis",
...           "citation_span": "[0, 13]", "basis_text": "《行政处罚法》第三十二条", "department_name": "市场监管局"}
...          )["basis"]
'《行政处罚法》第三十三条'
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlite_utils

from config.settings import Settings
from notify import outbox
from notify.compose import BadAddress, check_address, one_line
from notify.links import department_links
from notify.digest import digest_name, render_digest
from notify.gather import department_flags, group_by_duty, new_proposals, run_info, unresolved_citations
from notify.render import render, shell_quote
from impact.rewrite import basis_column, suggested_basis
from impact.where import cite_now
from registry import duties as duty_rows
from registry.duties import get_department, same_posts, staff_on_posts
from config.glossary import name, names, word
from registry import night
from config.clock import today
from texts.provisions import provision

BASIS_PLACEHOLDER = "（此处填写修改后的完整依据）"
NO_EFFECT_REASON = "条文修改不影响该职权（已核对修改后的条文）"


@dataclass
class Recipient:
    address: str
    name: str = ""
    posts: list[str] = field(default_factory=list)   # posts held, for staff
    contact: bool = False                            # listed in departments.emails
    post_ids: set[int] = field(default_factory=set)  # ids of the posts held


@dataclass
class QueueReport:
    """What queueing a run's messages did; ``problems`` are in Chinese, about the user's data."""

    queued: int = 0            # new outbox rows
    already: int = 0           # the same message was queued before (a rerun)
    departments: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unreached: list[str] = field(default_factory=list)   # departments (and posts) whose flags reach nobody
    shortened: list[str] = field(default_factory=list)   # messages cut to a summary to stay under the limit

    def to_json(self) -> dict:
        return {"queued": self.queued, "already": self.already, "departments": self.departments,
                "problems": self.problems, "unreached": self.unreached, "shortened": self.shortened}


def fix_view(f: dict) -> dict:
    """What to do about one flag: new labels, successor candidates, a suggested basis, commands."""
    s = f.get("suggestion") or {}
    labels = cite_now(s)   # impact.where: the exact 款/项 when known, as the flag says
    cited = provision(f.get("article"), f.get("paragraph"), f.get("item"), f.get("sub_item"))
    same_place = bool(cited) and labels == [cited]   # amended in place: nothing to re-cite, the words to re-read
    if same_place:
        labels = []
    successor = (s.get("successor") or {}).get("title") or f.get("successor_title") or ""
    candidates = []
    for c in s.get("candidates") or []:
        if isinstance(c, dict):
            score = c.get("score")
            candidates.append({"title": c.get("title") or successor, "label": c.get("label") or "",
                               "similarity": (score / 100 if score is not None and score > 1 else score),
                               "text": c.get("text") or ""})
    notes = []
    if s.get("merged_with"):
        notes.append(f"该条已与{'、'.join(s['merged_with'])}合并。")
    if s.get("new_title"):
        notes.append(f"法律名称已改为《{s['new_title']}》，依据中的法律名称也应一并更新。")
    if successor and not candidates:
        notes.append(f"请在《{successor}》中查找相应条文后改引。")
    basis = _suggested_basis(f, labels[0]) if len(labels) == 1 else ""
    commands = [f"yiju flags show {f['id']}"]
    if s.get("one_click"):
        commands.append(f"yiju flags apply-renumbering --department {shell_quote(f.get('department_name') or '')}")
    commands.append(f"yiju flags resolve {f['id']} --basis {shell_quote(basis or BASIS_PLACEHOLDER)}")
    if same_place:   # the amended words may leave the duty as it is: say so, with a reason
        commands.append(f"yiju flags dismiss {f['id']} --reason {shell_quote(NO_EFFECT_REASON)}")
    return {"labels": labels, "same_place": cited if same_place else "", "candidates": candidates,
            "successor": successor, "note": "".join(notes),
            "basis": basis, "one_click": bool(s.get("one_click")), "commands": commands}


def _suggested_basis(f: dict, new_label: str) -> str:
    """The duty's basis text with the cited article relabelled, when that is mechanical
    (``impact.rewrite``: what ``yiju flags apply-renumbering`` would write)."""
    text = f.get(basis_column(f.get("citation_field")))
    return suggested_basis(text, f.get("article"), new_label, f.get("citation_span"))


def recipients(db: sqlite_utils.Database, department_id: int, post_ids: set[int], report: QueueReport) -> list[Recipient]:
    """The department's contacts plus the staff holding one of ``post_ids`` today, one per address."""
    found: dict[str, Recipient] = {}
    department = get_department(db, department_id)
    name, emails = department["name"], department["emails"]
    try:
        contacts = json.loads(emails or "[]")
    except ValueError:
        contacts = None
    if not isinstance(contacts, list):
        report.problems.append(f"部门“{one_line(name)}”的联系邮箱不是邮箱列表（{one_line(emails)[:80]}），未发给部门联系人")
        contacts = []
    for address in contacts:
        try:
            address = check_address(address)
        except BadAddress as exc:
            report.problems.append(f"部门“{one_line(name)}”的联系邮箱：{exc}，已跳过")
            continue
        found.setdefault(address.lower(), Recipient(address)).contact = True
    if post_ids:
        for holder in staff_on_posts(db, same_posts(db, post_ids), today()):
            staff_name, email, post, post_id = holder["name"], holder["email"], holder["post"], holder["post_id"]
            try:
                address = check_address(email)
            except BadAddress as exc:
                report.problems.append(f"部门“{one_line(name)}”岗位“{one_line(post)}”的{one_line(staff_name)}：{exc}，已跳过")
                continue
            r = found.setdefault(address.lower(), Recipient(address))
            r.name = r.name or one_line(staff_name)
            r.post_ids.add(post_id)
            if post not in r.posts:
                r.posts.append(post)
    if not found:
        report.problems.append(f"部门“{one_line(name)}”有新的提示，但既没有联系邮箱，也没有在岗人员的邮箱，无人可收")
        posts = duty_rows.post_names(db, post_ids) if post_ids else []
        report.unreached.append(one_line(name) + (f"（岗位：{'、'.join(one_line(p) for p in posts)}）" if posts else ""))
    return list(found.values())


def _subject(department: str, flags: list[dict], date: str) -> str:
    counts = {k: sum(1 for f in flags if f["severity"] == k) for k in names("severity")}
    parts = "，".join(f"{names('severity')[k]} {n}" for k, n in counts.items() if n)
    duties = len({f["duty_id"] for f in flags})
    corrected = sum(1 for f in flags if f.get("correction"))
    if corrected == len(flags):
        return one_line(f"【执法依据变动·更正】{department}：此前通知的 {corrected} 处提示有误，已更正（{parts}）· {date}")
    if corrected:
        parts += f"；其中更正 {corrected} 处"
    return one_line(f"【执法依据变动】{department}：{duties} 项职权需复核（{parts}）· {date}")


def queue_department_alerts(db: sqlite_utils.Database, run_id: int, settings: Settings,
                            report: QueueReport | None = None) -> QueueReport:
    """Queue one alert per department with new flags in run ``run_id``, per recipient."""
    report = report or QueueReport()
    run = run_info(db, run_id)
    digest_url = _digest_url(settings, run)
    for department_id in night.departments_to_alert(db, run_id):
        flags = department_flags(db, run_id, department_id)
        proposed = new_proposals(db, run_id, department_id)
        if not flags and not proposed:
            continue
        for f in flags:
            f["fix"] = fix_view(f)
        department = flags[0]["department_name"] if flags else proposed[0]["department_name"]
        post_ids = {f["post_id"] for f in flags if f.get("post_id")}
        people = recipients(db, department_id, post_ids, report)
        if people:
            report.departments.append(department)
        unresolved = unresolved_citations(db, department_id)
        same = {p: set(same_posts(db, {p})) for p in post_ids}
        has_contact = any(p.contact for p in people)
        limit = settings.mail.max_message_bytes
        for person in people:
            # routed by post: a staff member gets the flags of the posts they hold today; the
            # department's contacts get the whole department (its summary)
            # (without a contact, flags of duties with no post go to every staff recipient)
            mine = flags if person.contact else [
                f for f in flags if same.get(f.get("post_id"), set()) & person.post_ids
                or (not has_contact and not f.get("post_id"))]
            # proposals (拟新增职权) are the department's, not a post's: its contacts get them
            mine_proposals = proposed if person.contact or not has_contact else []
            if not mine and not mine_proposals:
                continue
            links = department_links(db, settings, department_id=department_id, email=person.address,
                                     name=person.name or f"{department}联系人", purpose="alert")
            for f in mine:
                f["web_url"] = links.flag(f["id"]) if links else ""
            duties = group_by_duty(mine)
            for duty in duties:
                duty["worst"] = duty["flags"][0]["severity"]
            counts = {k: sum(1 for f in mine if f["severity"] == k) for k in names("severity")}
            subject = _subject(department, mine, run["date"]) if mine else one_line(
                f"【{word('proposal')}】{department}：{len(mine_proposals)} 项 · {run['date']}")
            if mine and mine_proposals:
                subject = one_line(f"{subject}；{word('proposal')} {len(mine_proposals)} 项")
            context = {"department": department, "recipient": person, "duties": duties, "flags": mine,
                       "counts": counts, "run": run, "date": run["date"], "digest_url": digest_url,
                       "workspace_url": links.home if links else "", "link_days": settings.web.link_days,
                       "unresolved": unresolved[0]["citations"] if unresolved and person.contact else [],
                       "proposals": mine_proposals, "more_proposals": 0, "more": 0}
            text, html = render("alert.txt.j2", **context), render("alert.html.j2", **context)
            keep = len(duties)
            while _size(text, html) > limit and keep > 1:
                # The worst duties first, each in full; the rest named in one line each way to read them.
                keep = max(1, keep // 2)
                context.update(duties=duties[:keep], more=len(duties) - keep,
                               unresolved=context["unresolved"][:50])
                text, html = render("alert.txt.j2", **context), render("alert.html.j2", **context)
            keep = len(mine_proposals)
            while _size(text, html) > limit and keep > 1:
                # proposals (拟新增职权) too: the first ones in full, the rest counted, where to read them
                keep = max(1, keep // 2)
                context.update(proposals=mine_proposals[:keep], more_proposals=len(mine_proposals) - keep)
                text, html = render("alert.txt.j2", **context), render("alert.html.j2", **context)
            if (context["more"] or context.get("more_proposals")) and department not in report.shortened:
                report.shortened.append(department)
            result = outbox.queue(
                db, run_id=run_id, kind="department_alert", recipient=person.address,
                recipient_name=person.name or f"{department}联系人", department_id=department_id,
                scope=department_id, subject=subject, sender=settings.mail.sender,
                body_text=text, body_html=html)
            _count(report, result.created)
    return report


def queue_digest_mail(db: sqlite_utils.Database, run_id: int, settings: Settings,
                      report: QueueReport | None = None) -> QueueReport:
    """Queue the run's digest to every address of ``mail.digest_to``."""
    report = report or QueueReport()
    if not settings.mail.digest_to:
        return report
    run = run_info(db, run_id)
    digest_url = _digest_url(settings, run)
    html, md, night = render_digest(db, run_id, for_mail=True, digest_url=digest_url, unreached=report.unreached)
    if _size(md, html) > settings.mail.max_message_bytes:
        # Too large for a mail: the summary, pointing at the full digest (link or file on the server).
        html, md, night = render_digest(db, run_id, for_mail=True, digest_url=digest_url,
                                        unreached=report.unreached, summary=True,
                                        digest_path=str(run.get("digest_path") or settings.digest.dir))
        report.shortened.append("日报")
    t = night["totals"]
    health = night["health"]
    alarm = "【数据源异常】" if health["loud"] or not (health["crawled"] or health.get("skipped")) else ""
    subject = (f"{alarm}【执法依据变动日报】{night['date']}："
               + "，".join(f"{name('change_kind', k)} {t[k]}" for k in ("enacted", "amended", "repealed"))
               + f"，受影响职权 {t['duties']}")
    for address in settings.mail.digest_to:
        try:
            result = outbox.queue(db, run_id=run_id, kind="digest", recipient=address, scope="digest",
                                  recipient_name="法制工作机构", subject=subject, body_text=md, body_html=html,
                                  sender=settings.mail.sender)
        except BadAddress as exc:
            report.problems.append(f"配置项 mail.digest_to：{exc}，已跳过")
            continue
        _count(report, result.created)
    return report


def _size(*bodies: str) -> int:
    """Bytes of a message's bodies (what the mail carries, before transfer encoding)."""
    return sum(len(b.encode("utf-8")) for b in bodies)


def _count(report: QueueReport, created: bool) -> None:
    if created:
        report.queued += 1
    else:
        report.already += 1


def _digest_url(settings: Settings, run: dict) -> str:
    base = settings.digest.base_url
    if not base:
        return ""
    return f"{base.rstrip('/')}/{digest_name({'date': run['date'], 'run': run})}/digest.html"
