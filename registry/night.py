"""What a night reports: the changes a run's digest shows, the flags its alerts tell, and to whom.

Which rows belong to a run: the changes its digest reports (``changes.reported_run_id``) and the
flags its alerts tell (``flags.notified_run_id``); before a run claims them (``claim_unreported``),
the run that detected or created them. JSON columns are returned as stored (text); the reader
(``notify/gather.py``) decodes them.

>>> from registry.schema import connect
>>> from registry.runs import start_run
>>> db = connect(":memory:")
>>> run_id = start_run(db, started="2026-05-01T18:30:00+00:00")
>>> claim_unreported(db, run_id), run_changes(db, run_id), run_flags(db, run_id)
({'changes': 0, 'flags': 0, 'proposals': 0}, [], [])
"""

from __future__ import annotations

from typing import Any, TypedDict

import sqlite_utils

from registry.citations import shown_sql
from registry.duties import Department

REPORTED_IN_RUN = "(c.reported_run_id = ? OR (c.reported_run_id IS NULL AND c.detected_run_id = ?))"
NOTIFIED_IN_RUN = "(f.notified_run_id = ? OR (f.notified_run_id IS NULL AND f.created_run_id = ?))"
PROPOSED_IN_RUN = "(p.notified_run_id = ? OR (p.notified_run_id IS NULL AND p.created_run_id = ?))"

#: Flag states that still need someone.
OPEN_STATES = ("open", "acknowledged")
#: A flag a realignment closed (the change never touched the citation): told once, as a correction.
CLOSED_BY_CORRECTION = "(f.state = 'dismissed' AND f.correction IS NOT NULL)"

#: A citation as a reader needs it (with its law's title; see registry.citations.shown_sql).
SHOWN = shown_sql("c")
SHOWN_CI = shown_sql("ci")


class Claimed(TypedDict):
    changes: int
    flags: int
    proposals: int


def claim_unreported(db: sqlite_utils.Database, run_id: int) -> Claimed:
    """Give run ``run_id`` every change no digest reported and every flag no alert told yet.

    Work left by a run that died before notifying, or done outside a run (``yiju laws import``,
    ``yiju duties import``), is reported by the next run: nothing is lost, and as each row is
    claimed by exactly one run, nothing is reported twice. Call it in the same transaction that
    queues the run's messages (``notify.publish``), so a run that dies in between claims nothing.
    """
    with db.atomic():
        changes = db.execute(
            "UPDATE changes SET reported_run_id = ? WHERE reported_run_id IS NULL "
            "AND (detected_run_id IS NULL OR detected_run_id <= ?)", [run_id, run_id]).rowcount
        flags = db.execute(
            "UPDATE flags SET notified_run_id = ? WHERE notified_run_id IS NULL "
            "AND (created_run_id IS NULL OR created_run_id <= ?)", [run_id, run_id]).rowcount
        proposals = db.execute(  # a baseline is a figure, never news
            "UPDATE proposals SET notified_run_id = ? WHERE notified_run_id IS NULL AND baseline = 0 "
            "AND (created_run_id IS NULL OR created_run_id <= ?)", [run_id, run_id]).rowcount
    return {"changes": changes, "flags": flags, "proposals": proposals}


# ---------------------------------------------------------------- law changes


class ChangeRow(TypedDict):
    """A change of a run's digest, with its law, versions, successor and instrument."""

    id: int
    kind: str
    law_id: int
    old_version_id: int | None
    new_version_id: int | None
    published: str | None
    effective: str | None
    summary: str                    # JSON
    detail: str                     # JSON
    check_notes: str                # JSON
    law_title: str
    level: str | None
    issuer: str | None
    law_status: str
    successor_id: int | None
    repealed_on: str | None
    new_title: str | None
    new_promulgated: str | None
    new_effective: str | None
    revision: str | None
    old_title: str | None
    old_promulgated: str | None
    successor_title: str | None
    instrument_title: str | None


_CHANGE_SQL = """
SELECT c.id, c.kind, c.law_id, c.old_version_id, c.new_version_id, c.published, c.effective,
       c.summary, c.detail, c.check_notes,
       l.title AS law_title, l.level, l.issuer, l.status AS law_status, l.successor_id, l.repealed_on,
       nv.title AS new_title, nv.promulgated AS new_promulgated, nv.effective AS new_effective,
       nv.revision, ov.title AS old_title, ov.promulgated AS old_promulgated,
       s.title AS successor_title, i.title AS instrument_title
FROM changes c
JOIN laws l ON l.id = c.law_id
LEFT JOIN versions nv ON nv.id = c.new_version_id
LEFT JOIN versions ov ON ov.id = c.old_version_id
LEFT JOIN laws s ON s.id = l.successor_id
LEFT JOIN instruments i ON i.id = c.instrument_id
WHERE {where}
ORDER BY l.title, c.id
"""


def run_changes(db: sqlite_utils.Database, run_id: int) -> list[ChangeRow]:
    """The changes run ``run_id`` reports, by law title."""
    return list(db.query(_CHANGE_SQL.format(where=REPORTED_IN_RUN), [run_id, run_id]))  # type: ignore[arg-type]


def article_count(db: sqlite_utils.Database, version_id: int) -> int:
    """How many articles a version has (to fold into ``registry.laws``)."""
    return db["articles"].count_where("version_id = ?", [version_id])


class PendingLaw(TypedDict):
    law_id: int
    title: str
    effective: str
    revision: str | None


def pending_laws(db: sqlite_utils.Database, after: str) -> list[PendingLaw]:
    """Laws not yet in force whose newest accepted version takes effect after ``after``, soonest first."""
    return list(db.query("""
        SELECT l.id AS law_id, l.title, v.effective, v.revision
        FROM laws l JOIN versions v ON v.id = (
            SELECT id FROM versions WHERE law_id = l.id AND review_state = 'accepted'
            ORDER BY promulgated DESC, id DESC LIMIT 1)
        WHERE l.status = '尚未生效' AND v.effective > ?
        ORDER BY v.effective, l.title""", [after]))  # type: ignore[arg-type]


# ---------------------------------------------------------------- flags and who hears of them


class FlagRow(TypedDict):
    """A flag of a run's alerts, with its duty, department, post, citation, change and law."""

    id: int
    duty_id: int
    citation_id: int
    change_id: int
    article_change_id: int | None
    severity: str
    reason: str
    suggestion: str                 # JSON
    due: str | None
    state: str
    created_run_id: int | None
    duty_code: str | None
    duty_name: str
    duty_kind: str | None
    department_id: int
    post_id: int | None
    basis_text: str
    penalty_basis_text: str | None
    department_name: str
    post_name: str | None
    citation_raw: str
    law_title: str | None
    article: str | None
    paragraph: int | None
    item: int | None
    sub_item: int | None
    citation_field: str             # basis / penalty_basis
    citation_span: str | None       # JSON [start, end]
    current_label: str | None
    correction: str | None          # JSON: what the flag said before an alignment put it right
    change_kind: str
    change_published: str | None
    change_effective: str | None
    old_version_id: int | None
    new_version_id: int | None
    change_detail: str              # JSON
    changed_law_title: str
    successor_title: str | None


_FLAG_SQL = """
SELECT f.id, f.duty_id, f.citation_id, f.change_id, f.article_change_id, f.severity, f.reason,
       f.suggestion, f.due, f.state, f.created_run_id, f.correction,
       d.code AS duty_code, d.name AS duty_name, d.kind AS duty_kind, d.department_id,
       d.post_id, d.basis_text, d.penalty_basis_text,
       dep.name AS department_name, p.name AS post_name,
       {shown} AS citation_raw, ci.law_title, ci.article, ci.paragraph, ci.item, ci.sub_item,
       ci.field AS citation_field, ci.span AS citation_span, ci.current_label,
       c.kind AS change_kind, c.published AS change_published, c.effective AS change_effective,
       c.old_version_id, c.new_version_id, c.detail AS change_detail,
       l.title AS changed_law_title, s.title AS successor_title
FROM flags f
JOIN duties d ON d.id = f.duty_id
JOIN departments dep ON dep.id = d.department_id
LEFT JOIN posts p ON p.id = d.post_id
JOIN citations ci ON ci.id = f.citation_id
JOIN changes c ON c.id = f.change_id
JOIN laws l ON l.id = c.law_id
LEFT JOIN laws s ON s.id = l.successor_id
WHERE {where}
"""


def run_flags(db: sqlite_utils.Database, run_id: int, *, department_id: int | None = None,
              open_only: bool = False) -> list[FlagRow]:
    """The flags run ``run_id`` tells (of one department; only those still needing someone)."""
    where, params = NOTIFIED_IN_RUN, [run_id, run_id]
    if department_id is not None:
        where += " AND d.department_id = ?"
        params.append(department_id)
    if open_only:   # and those closed by a correction: the department was told otherwise before
        where += f" AND (f.state IN ({', '.join('?' * len(OPEN_STATES))}) OR {CLOSED_BY_CORRECTION})"
        params.extend(OPEN_STATES)
    return list(db.query(_FLAG_SQL.format(where=where, shown=SHOWN_CI), params))  # type: ignore[arg-type]


def departments_to_alert(db: sqlite_utils.Database, run_id: int) -> list[int]:
    """Departments with flags or new proposals of run ``run_id`` still needing someone, by id."""
    return [r["department_id"] for r in db.query(
        "SELECT d.department_id FROM flags f JOIN duties d ON d.id = f.duty_id "
        f"WHERE {NOTIFIED_IN_RUN} AND (f.state IN ('open', 'acknowledged') OR {CLOSED_BY_CORRECTION}) "
        "UNION SELECT p.department_id FROM proposals p "
        f"WHERE {PROPOSED_IN_RUN} AND p.baseline = 0 AND p.state = 'open' ORDER BY 1",
        [run_id, run_id, run_id, run_id])]


class ProposalRow(TypedDict):
    """A proposed duty (拟新增职权) a run tells, with its department and law."""

    id: int
    department_id: int
    department_name: str
    law_title: str
    article: str
    paragraph: int | None
    item: int | None
    type: str
    name: str
    basis_text: str
    authority: str | None
    shared: int
    due: str | None


def run_proposals(db: sqlite_utils.Database, run_id: int, *, department_id: int | None = None) -> list[ProposalRow]:
    """The open proposals run ``run_id`` tells (never a baseline's), by department, law and id."""
    where, params = f"p.baseline = 0 AND p.state = 'open' AND {PROPOSED_IN_RUN}", [run_id, run_id]
    if department_id is not None:
        where += " AND p.department_id = ?"
        params.append(department_id)
    return list(db.query(f"""
        SELECT p.id, p.department_id, dep.name AS department_name, l.title AS law_title, p.article,
               p.paragraph, p.item, p.type, p.name, p.basis_text, p.authority, p.shared, p.due
        FROM proposals p JOIN departments dep ON dep.id = p.department_id JOIN laws l ON l.id = p.law_id
        WHERE {where} ORDER BY dep.name, l.title, p.id""", params))  # type: ignore[arg-type]


class UnresolvedCitation(TypedDict):
    id: int
    raw: str
    law_title: str | None
    article: str | None
    paragraph: int | None
    item: int | None
    sub_item: int | None
    resolution: str                 # unresolved / stale
    problem: str | None
    current_label: str | None
    duty_id: int
    duty_code: str | None
    duty_name: str
    department_id: int
    department_name: str


def unresolved_citations(db: sqlite_utils.Database, department_id: int | None = None) -> list[UnresolvedCitation]:
    """Citations of current duties yiju cannot resolve or that point at an old number,
    by department name, then stale before unresolved. A citation with a flag still waiting for
    someone is left out: the flag already says what happened to it, and where it went."""
    where = ("d.is_current = 1 AND ci.resolution IN ('unresolved', 'stale') AND NOT EXISTS ("
             "SELECT 1 FROM flags f WHERE f.citation_id = ci.id "
             "AND f.state IN ('open', 'acknowledged', 'submitted', 'returned'))")
    params: list[Any] = []
    if department_id is not None:
        where += " AND d.department_id = ?"
        params.append(department_id)
    return list(db.query(f"""
        SELECT ci.id, {SHOWN_CI} AS raw, ci.law_title, ci.article, ci.paragraph, ci.item, ci.sub_item,
               ci.resolution, ci.problem, ci.current_label,
               d.id AS duty_id, d.code AS duty_code, d.name AS duty_name,
               dep.id AS department_id, dep.name AS department_name
        FROM citations ci JOIN duties d ON d.id = ci.duty_id
        JOIN departments dep ON dep.id = d.department_id
        WHERE {where}
        ORDER BY dep.name, ci.resolution DESC, d.code, d.name, ci.ordinal""", params))  # type: ignore[arg-type]


class OverdueFlag(TypedDict):
    id: int
    severity: str
    state: str
    due: str
    days: int                       # days past due on the date asked
    duty_code: str | None
    duty_name: str
    department_id: int
    department_name: str
    citation_raw: str


def overdue_flags(db: sqlite_utils.Database, as_of: str) -> list[OverdueFlag]:
    """Flags still with their department (open, acknowledged or returned) due before ``as_of``,
    by department name, then due date."""
    return list(db.query(f"""
        SELECT f.id, f.severity, f.state, f.due, CAST(julianday(?) - julianday(f.due) AS INTEGER) AS days,
               d.code AS duty_code, d.name AS duty_name, dep.id AS department_id, dep.name AS department_name,
               {SHOWN} AS citation_raw
        FROM flags f JOIN duties d ON d.id = f.duty_id JOIN departments dep ON dep.id = d.department_id
        JOIN citations c ON c.id = f.citation_id
        WHERE f.state IN ('open', 'acknowledged', 'returned') AND f.due IS NOT NULL AND f.due < ?
        ORDER BY dep.name, f.due, f.id""", [as_of, as_of]))  # type: ignore[arg-type]


def busiest_department(db: sqlite_utils.Database) -> Department | None:
    """The department with a contact address and the most open flags (the demo signs in as it)."""
    return next(db.query(  # type: ignore[arg-type]
        "SELECT dep.* FROM flags f JOIN duties d ON d.id = f.duty_id "
        "JOIN departments dep ON dep.id = d.department_id WHERE f.state = 'open' AND dep.emails != '[]' "
        "GROUP BY dep.id ORDER BY count(*) DESC, dep.name LIMIT 1"), None)


# ---------------------------------------------------------------- the registry in figures


class Totals(TypedDict):
    laws: int
    versions: int
    changes: list[tuple[str, int]]                  # (kind, count) by kind
    duties: int                                     # current duties
    citations: list[tuple[str, int]]                # (resolution, count) of current duties' citations
    flags: list[tuple[str, str, int]]               # (department, severity, count) by department


def totals(db: sqlite_utils.Database) -> Totals:
    """The registry in figures (what the demo prints at the end)."""
    return {
        "laws": db["laws"].count,
        "versions": db["versions"].count,
        "changes": [(r["kind"], r["n"]) for r in db.query(
            "SELECT kind, count(*) AS n FROM changes GROUP BY kind ORDER BY kind")],
        "duties": db["duties"].count_where("is_current = 1"),
        "citations": [(r["resolution"], r["n"]) for r in db.query(
            "SELECT resolution, count(*) AS n FROM citations c JOIN duties d ON d.id = c.duty_id "
            "WHERE d.is_current = 1 GROUP BY resolution")],
        "flags": [(r["name"], r["severity"], r["n"]) for r in db.query(
            "SELECT dep.name, f.severity, count(*) AS n FROM flags f JOIN duties d ON d.id = f.duty_id "
            "JOIN departments dep ON dep.id = d.department_id GROUP BY dep.name, f.severity "
            "ORDER BY dep.name")],
    }
