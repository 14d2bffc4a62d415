"""Read what one run found from the registry, as plain dicts the templates can show.

The digest and the department alerts both read through here, so the two always agree.
Which rows belong to a run: the changes its digest reports (``changes.reported_run_id``) and the
flags its alerts tell (``flags.notified_run_id``); before a run claims them (``registry.night.claim_unreported``),
the run that detected or created them.

>>> from registry.schema import connect
>>> from registry.runs import start_run
>>> db = connect(":memory:")
>>> run_id = start_run(db, started="2026-05-01T18:30:00+00:00")
>>> night = gather_night(db, run_id)
>>> night["date"], night["laws"]["amended"], night["departments"]
('2026-05-02', [], [])
"""

from __future__ import annotations

import datetime as _dt
import json

import sqlite_utils

from diffing.compare import char_diff
from impact import proposals
from config.glossary import name, names, rank
from registry.attention import failed_documents, held_versions, history_laws
from impact.coverage import coverage
from config.clock import SHANGHAI
from texts.provisions import cited_provision
from registry import changes, listings, night, runs
from registry import laws as law_store
from registry.changes import ArticleChange

Ops = list[tuple[int, str]]


class NoSuchRun(LookupError):
    """The registry has no run with that id (or no run at all)."""


# ---------------------------------------------------------------- helpers


def _json(text: str | None, default):
    if not text:
        return default
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return default


def _texts(db: sqlite_utils.Database, version_id: int | None, labels) -> dict[str, str]:
    return dict(law_store.article_texts(db, version_id, sorted(labels))) if labels else {}


def _in_shanghai(iso: str) -> _dt.datetime:
    moment = _dt.datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    return moment.astimezone(SHANGHAI)


def local_date(iso: str | None) -> str:
    """The Asia/Shanghai date of a UTC ISO time.

    >>> local_date("2026-05-01T18:30:00+00:00")
    '2026-05-02'
    """
    return _in_shanghai(iso).date().isoformat() if iso else ""


def local_time(iso: str | None) -> str:
    """The Asia/Shanghai wall-clock time of a UTC ISO time, to the minute.

    >>> local_time("2026-05-01T18:30:00+00:00")
    '2026-05-02 02:30'
    """
    return _in_shanghai(iso).strftime("%Y-%m-%d %H:%M") if iso else ""


def split_ops(ops: Ops) -> tuple[str, str]:
    """The old and the new text of a diff-match-patch op list.

    >>> split_ops([(0, "处以"), (-1, "五千"), (1, "一万"), (0, "元")])
    ('处以五千元', '处以一万元')
    """
    old = "".join(t for op, t in ops if op <= 0)
    new = "".join(t for op, t in ops if op >= 0)
    return old, new


# ---------------------------------------------------------------- the run


def latest_run_id(db: sqlite_utils.Database) -> int:
    run_id = runs.latest_run_id(db)
    if run_id is None:
        raise NoSuchRun("登记库中还没有任何运行记录（先执行 yiju run）")
    return run_id


def run_info(db: sqlite_utils.Database, run_id: int) -> dict:
    """The run as the digest shows it: its row, the date it worked for, local times, state word."""
    row = runs.get_run(db, run_id)
    if row is None:
        raise NoSuchRun(f"登记库中没有第 {run_id} 次运行")
    run: dict = dict(row)
    # the day the run worked for (config.clock.today() when it started; $YIJU_TODAY in the demo)
    stated = run["stats"].get("date")
    run["date"] = stated if isinstance(stated, str) and stated else local_date(run["started"])
    run["started_local"] = local_time(run["started"])
    run["finished_local"] = local_time(run.get("finished"))
    run["state_label"] = name("run_state", run["state"])
    return run


def source_health(db: sqlite_utils.Database, run: dict) -> dict:
    """Per-source crawl health of a run, worst first; anything but "ok" is meant to be shown loudly.

    Reads ``runs.stats["crawl"]["sources"]`` and the ``sources`` table (a known source the run did
    not crawl is "not_crawled"). ``crawled`` is False when the run has no crawl figures at all.
    """
    crawl = run["stats"].get("crawl") if isinstance(run["stats"], dict) else None
    per_source = (crawl or {}).get("sources") if isinstance(crawl, dict) else None
    per_source = per_source if isinstance(per_source, dict) else {}
    table = listings.sources(db)
    source_names = list(per_source) + [n for n in table if n not in per_source]
    skipped = bool(isinstance(crawl, dict) and crawl.get("skipped"))  # yiju run --no-crawl: by choice
    out = []
    for source in source_names:
        s = per_source.get(source)
        if s is not None and not isinstance(s, dict):
            s = {"ok": False, "error": f"抓取统计的格式不对：{str(s)[:80]}"}
        known = table.get(source, {})
        figures = {k: (s or {}).get(k) for k in ("requests", "listed", "new_versions", "status_changes",
                                                    "failures", "throttled")}
        error = (s or {}).get("error") or ""
        if s is None:
            state = "not_crawled"
        elif s.get("health") == "held":
            state = "held"
        elif s.get("ok") is False:
            state = "throttled" if s.get("throttled") else "failed"
        elif s.get("throttled"):
            state = "throttled"
        elif s.get("requests") == 0 or s.get("listed") == 0:
            state = "empty"
        elif s.get("failures"):
            state = "partial"
        else:
            state = "ok"
        out.append({
            "name": source,
            "kind": known.get("kind") or "",
            "state": state,
            "state_label": name("source_state", state),
            "loud": state != "ok" and not (skipped and state == "not_crawled"),
            "error": error,
            "last_ok": local_time(known.get("last_ok_at")),
            "last_error": known.get("last_error") or "",
            **{k: v for k, v in figures.items()},
        })
    out.sort(key=lambda r: (rank("source_state", r["state"]), r["name"]))
    return {"crawled": bool(per_source), "skipped": skipped, "sources": out, "loud": [s for s in out if s["loud"]]}


# ---------------------------------------------------------------- law changes

def article_view(ac: ArticleChange, old_texts: dict[str, str], new_texts: dict[str, str]) -> dict:
    """One changed article as the 对照 shows it: labels, both texts and the character diff."""
    old_labels = list(ac["old_labels"]) or ([ac["old_label"]] if ac.get("old_label") else [])
    new_labels = list(ac["new_labels"]) or ([ac["new_label"]] if ac.get("new_label") else [])
    ops = [(int(op), text) for op, text in ac.get("diff") or []]
    if ops:
        old_text, new_text = split_ops(ops)
    else:
        old_text = "\n".join(old_texts.get(label, "") for label in old_labels).strip("\n")
        new_text = "\n".join(new_texts.get(label, "") for label in new_labels).strip("\n")
        if old_text and new_text and old_text != new_text:
            ops = char_diff(old_text, new_text)
        elif old_text and new_text:
            ops = [(0, old_text)]
        elif old_text:
            ops = [(-1, old_text)]
        elif new_text:
            ops = [(1, new_text)]
    old_label, new_label = "、".join(old_labels), "、".join(new_labels)
    if old_label and new_label and old_label != new_label:
        heading = f"原{old_label} → 现{new_label}"
    elif old_label and new_label:
        heading = new_label
    elif new_label:
        heading = f"新增{new_label}"
    else:
        heading = f"删除原{old_label}"
    return {
        "status": ac.get("status"),
        "status_label": name("article_status", ac.get("status")),
        "substance": ac.get("substance"),
        "substance_label": name("substance", ac.get("substance")) if ac.get("substance") else "",
        "similarity": ac.get("similarity"),
        "old_labels": old_labels,
        "new_labels": new_labels,
        "old_label": old_label,
        "new_label": new_label,
        "heading": heading,
        "renumbered": bool(old_label and new_label and old_label != new_label),
        "old_text": old_text,
        "new_text": new_text,
        "ops": ops,
    }


def _summary_line(counts: dict) -> str:
    order = ("modified", "inserted", "deleted", "split", "merged", "renumbered")
    parts = [f"{name('article_status', k)} {counts[k]} 条" for k in order if counts.get(k)]
    return "，".join(parts)


def _change_view(db, c: dict, as_of: str, with_articles: bool) -> dict:
    detail = _json(c.pop("detail"), {})
    summary = _json(c.pop("summary"), {})
    effective = c.get("effective") or c.get("new_effective")
    view = {
        **c,
        "detail": detail,
        "kind_label": name("change_kind", c["kind"]),
        "title": c.get("new_title") or c["law_title"],
        "promulgated": c.get("published") or c.get("new_promulgated"),
        "effective": effective,
        "pending": bool(effective and effective > as_of),
        "revision": c.get("revision") or "",
        "check_notes": _json(c.pop("check_notes"), []),
        "articles": [],
        "renumbered": [],
        "summary": summary,
        "summary_line": "",
    }
    if c["kind"] == "repealed":
        view["successor_title"] = c.get("successor_title") or detail.get("successor_title") or ""
        view["repealed_on"] = c.get("effective") or c.get("repealed_on") or c.get("published") or ""
    if c["kind"] == "renamed" or detail.get("old_title"):
        view["old_title"] = detail.get("old_title") or c.get("old_title")
    if not with_articles:
        return view
    acs = [ac for ac in changes.article_changes(db, c["id"]) if ac["status"] != "unchanged"]
    need_old = {lbl for ac in acs if not ac.get("diff") for lbl in ac["old_labels"]}
    need_new = {lbl for ac in acs if not ac.get("diff") for lbl in ac["new_labels"]}
    old_texts = _texts(db, c.get("old_version_id"), need_old)
    new_texts = _texts(db, c.get("new_version_id"), need_new)
    counts: dict[str, int] = {}
    for ac in acs:
        counts[ac["status"]] = counts.get(ac["status"], 0) + 1
        if ac["status"] == "renumbered":
            view["renumbered"].append(article_view(ac, {}, {}))
        else:
            view["articles"].append(article_view(ac, old_texts, new_texts))
    view["counts"] = counts or {k: v for k, v in summary.items() if k != "unchanged"}
    view["summary_line"] = _summary_line(view["counts"])
    return view


def law_changes(db: sqlite_utils.Database, run_id: int, as_of: str) -> dict:
    """The run's law events by digest section: enacted, amended, repealed, upcoming, in_force."""
    sections: dict[str, list] = {"enacted": [], "amended": [], "repealed": [], "upcoming": [], "in_force": []}
    for row in night.run_changes(db, run_id):
        c: dict = dict(row)
        kind = c["kind"]
        view = _change_view(db, c, as_of, with_articles=kind in ("amended", "text_corrected", "renamed"))
        if kind == "enacted":
            view["article_count"] = night.article_count(db, view["new_version_id"])
            sections["enacted"].append(view)
        elif kind in ("amended", "text_corrected", "renamed"):
            sections["amended"].append(view)
        elif kind == "repealed":
            sections["repealed"].append(view)
        elif kind == "takes_effect":
            sections["in_force"].append(view)
        if kind != "takes_effect" and view["pending"]:
            sections["upcoming"].append(view)
    # Other laws the registry knows are not yet in force (a reminder, not news of this run).
    listed = {v["law_id"] for v in sections["upcoming"]}
    sections["other_pending"] = [dict(o) for o in night.pending_laws(db, as_of) if o["law_id"] not in listed]
    for v in sections["upcoming"] + sections["other_pending"]:
        v["days_left"] = (_dt.date.fromisoformat(v["effective"]) - _dt.date.fromisoformat(as_of)).days
    sections["upcoming"].sort(key=lambda v: (v["effective"], v["title"]))
    return sections


# ---------------------------------------------------------------- flags and duties

def _flag_view(db, f: dict, with_article: bool) -> dict:
    f["suggestion"] = _json(f.get("suggestion"), {})
    if not isinstance(f["suggestion"], dict):
        f["suggestion"] = {"text": str(f["suggestion"])}
    f["severity_label"] = name("severity", f["severity"])
    f["state_label"] = name("flag_state", f["state"])
    f["change_kind_label"] = name("change_kind", f["change_kind"])
    f["provision"] = cited_provision(f)  # texts.provisions: as the CLI writes it
    # a flag put right after its change was aligned again (impact/realign.py): told as 更正
    correction = _json(f.get("correction"), None)
    f["correction"] = correction if isinstance(correction, dict) else None
    if f["correction"]:
        f["correction"]["severity_label"] = name("severity", f["correction"].get("severity") or "")
    detail = _json(f.pop("change_detail"), {})
    f["successor_title"] = f.get("successor_title") or detail.get("successor_title") or ""
    f["article_change"] = None
    if with_article and f.get("article_change_id"):
        ac = changes.get_article_change(db, f["article_change_id"])
        if ac:
            olds = set(ac["old_labels"]) if not ac.get("diff") else set()
            news = set(ac["new_labels"]) if not ac.get("diff") else set()
            f["article_change"] = article_view(
                ac, _texts(db, f.get("old_version_id"), olds), _texts(db, f.get("new_version_id"), news))
    elif with_article and f.get("article") and f.get("old_version_id") and f["change_kind"] == "repealed":
        text = law_store.article_text(db, f["old_version_id"], f["article"])
        if text:
            f["article_change"] = {"heading": f"原{f['article']}（该法已废止）", "status": "repealed",
                                   "status_label": name("change_kind", "repealed"), "substance_label": "",
                                   "old_label": f["article"], "new_label": "", "renumbered": False,
                                   "old_labels": [f["article"]], "new_labels": [],
                                   "old_text": text, "new_text": "", "ops": [(0, text)], "gone": "该法已废止"}
    return f


def _sort_flags(flags: list[dict]) -> list[dict]:
    return sorted(flags, key=lambda f: (rank("severity", f["severity"]), f.get("due") or "9999",
                                        f.get("duty_code") or "", f["duty_name"], f["id"]))


def _by_department(flags: list[dict]) -> list[dict]:
    departments: dict[int, dict] = {}
    for f in flags:
        dep = departments.setdefault(f["department_id"], {
            "id": f["department_id"], "name": f["department_name"], "flags": [],
            "counts": {k: 0 for k in names("severity")}, "duties": set()})
        dep["flags"].append(f)
        dep["counts"][f["severity"]] = dep["counts"].get(f["severity"], 0) + 1
        dep["corrected"] = dep.get("corrected", 0) + bool(f.get("correction"))
        dep["duties"].add(f["duty_id"])
    out = []
    for dep in departments.values():
        dep["flags"] = _sort_flags(dep["flags"])
        dep["duty_count"] = len(dep.pop("duties"))
        dep["total"] = len(dep["flags"])
        dep["worst"] = dep["flags"][0]["severity"]
        out.append(dep)
    worst_first = list(names("severity"))
    out.sort(key=lambda d: (*(-d["counts"].get(k, 0) for k in worst_first), d["name"]))
    return out


def affected_duties(db: sqlite_utils.Database, run_id: int) -> list[dict]:
    """The run's new flags per department, worst department first (most critical, then high, low)."""
    flags = [_flag_view(db, dict(f), with_article=False) for f in night.run_flags(db, run_id)]
    return _by_department(flags)


def department_flags(db: sqlite_utils.Database, run_id: int, department_id: int) -> list[dict]:
    """The flags a run created for one department that still need someone (open or acknowledged)."""
    rows = night.run_flags(db, run_id, department_id=department_id, open_only=True)
    return _sort_flags([_flag_view(db, dict(f), with_article=True) for f in rows])


def group_by_duty(flags: list[dict]) -> list[dict]:
    """Flags grouped per duty, the duty with the worst flag first."""
    duties: dict[int, dict] = {}
    for f in flags:
        duty = duties.setdefault(f["duty_id"], {
            "id": f["duty_id"], "code": f["duty_code"], "name": f["duty_name"], "kind": f["duty_kind"],
            "post": f["post_name"], "basis_text": f["basis_text"], "flags": []})
        duty["flags"].append(f)
    return list(duties.values())


def unresolved_citations(db: sqlite_utils.Database, department_id: int | None = None) -> list[dict]:
    """Citations of current duties that yiju cannot resolve (or that point at an old number), per department."""
    rows = [dict(r) for r in night.unresolved_citations(db, department_id)]
    departments: dict[int, dict] = {}
    for r in rows:
        r["resolution_label"] = name("resolution", r["resolution"])
        dep = departments.setdefault(r["department_id"], {"id": r["department_id"],
                                                          "name": r["department_name"], "citations": []})
        dep["citations"].append(r)
    return list(departments.values())


def new_proposals(db: sqlite_utils.Database, run_id: int, department_id: int | None = None) -> list[dict]:
    """The proposed duties (拟新增职权) run ``run_id`` tells, still open, per department then law."""
    return [dict(r) for r in night.run_proposals(db, run_id, department_id=department_id)]


def proposals_by_department(rows: list[dict]) -> list[dict]:
    out: dict[int, dict] = {}
    for r in rows:
        out.setdefault(r["department_id"], {"id": r["department_id"], "name": r["department_name"],
                                            "proposals": []})["proposals"].append(r)
    return list(out.values())


def coverage_figures(db: sqlite_utils.Database) -> list[dict]:
    """Per department, the share of each law's powers (that the law gives it) its list covers."""
    out: dict[str, dict] = {}
    for c in proposals.coverage(db):
        dep = out.setdefault(c.department, {"name": c.department, "laws": [], "powers": 0, "covered": 0})
        dep["laws"].append({"law": c.law, "powers": c.powers, "covered": c.covered, "share": c.share,
                            "uncovered": len(c.uncovered)})
        dep["powers"] += c.powers
        dep["covered"] += c.covered
    for dep in out.values():
        dep["share"] = round(dep["covered"] / dep["powers"], 3) if dep["powers"] else None
    return list(out.values())


# ---------------------------------------------------------------- the night


def overdue_by_department(db: sqlite_utils.Database, as_of: str) -> list[dict]:
    """Flags still with their department (open, acknowledged or returned) past their due date,
    per department, the department with the most first; each flag oldest due first."""
    departments: dict[int, dict] = {}
    for r in map(dict, night.overdue_flags(db, as_of)):
        r["severity_label"] = name("severity", r["severity"])
        r["state_label"] = name("flag_state", r["state"])
        departments.setdefault(r["department_id"], {"id": r["department_id"], "name": r["department_name"],
                                                    "flags": []})["flags"].append(r)
    return sorted(departments.values(), key=lambda d: (-len(d["flags"]), d["name"]))


def split_history(db: sqlite_utils.Database, run_id: int, laws: dict) -> dict:
    """Take the amendments of laws whose history was imported at once out of the news.

    The first run after ``yiju laws import`` of several versions per law reports that history as
    a baseline (what is now tracked and how many historical changes), not each amendment as news.
    """
    history = history_laws(db, run_id)
    if not history:
        return {"laws": [], "changes": 0}
    kept, baseline = [], {}
    for c in laws["amended"]:
        if c["law_id"] in history:
            entry = baseline.setdefault(c["law_id"], {"law_id": c["law_id"], "title": c["title"], "changes": 0,
                                                       "first": c["promulgated"], "last": c["promulgated"]})
            entry["changes"] += 1
            entry["title"] = c["title"]
            dates = [d for d in (entry["first"], entry["last"], c["promulgated"]) if d]
            entry["first"], entry["last"] = (min(dates), max(dates)) if dates else (None, None)
        else:
            kept.append(c)
    laws["amended"] = kept
    laws["upcoming"] = [c for c in laws["upcoming"] if c["law_id"] not in history or c["kind"] not in
                        ("amended", "text_corrected", "renamed")]
    rows = sorted(baseline.values(), key=lambda e: e["title"])
    return {"laws": rows, "changes": sum(e["changes"] for e in rows)}


def gather_night(db: sqlite_utils.Database, run_id: int, unreached: list[str] | None = None) -> dict:
    """Everything the digest of run ``run_id`` shows.

    ``unreached``: departments and posts whose new flags reach nobody (from queueing the alerts).
    """
    run = run_info(db, run_id)
    as_of = run["date"]
    laws = law_changes(db, run_id, as_of)
    baseline = split_history(db, run_id, laws)
    if unreached is None:
        stats = run["stats"] if isinstance(run["stats"], dict) else {}
        notify = stats.get("notify") if isinstance(stats.get("notify"), dict) else {}
        stated = notify.get("unreached", stats.get("unreached"))
        unreached = list(stated) if isinstance(stated, list) else []
    attention = {"held": held_versions(db), "failed_documents": failed_documents(db), "unreached": unreached}
    departments = affected_duties(db, run_id)
    unresolved = unresolved_citations(db)
    health = source_health(db, run)
    proposed = proposals_by_department(new_proposals(db, run_id))
    totals = {
        "enacted": len(laws["enacted"]),
        "amended": len(laws["amended"]),
        "repealed": len(laws["repealed"]),
        "upcoming": len(laws["upcoming"]),
        "in_force": len(laws["in_force"]),
        "flags": sum(d["total"] for d in departments),
        "duties": sum(d["duty_count"] for d in departments),
        "departments": len(departments),
        "unresolved": sum(len(d["citations"]) for d in unresolved),
        "severity": {k: sum(d["counts"].get(k, 0) for d in departments) for k in names("severity")},
        "held": len(attention["held"]),
        "failed_documents": len(attention["failed_documents"]),
        "unreached": len(attention["unreached"]),
        "baseline_changes": baseline["changes"],
        "proposals": sum(len(d["proposals"]) for d in proposed),
    }
    return {
        "run": run,
        "date": as_of,
        "health": health,
        "attention": attention,
        "baseline": baseline,
        "laws": laws,
        "departments": departments,
        "unresolved": unresolved,
        "overdue": overdue_by_department(db, as_of),
        "coverage": coverage(db, sources=[]),
        "proposals": proposed,
        "list_coverage": coverage_figures(db),
        "totals": totals,
        "quiet": not any(totals[k] for k in ("enacted", "amended", "repealed", "in_force", "flags", "held",
                                             "failed_documents", "unreached", "baseline_changes", "proposals")),
    }
