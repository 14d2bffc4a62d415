"""Flags: one per (duty, citation, change) that a change in the law makes worth a look.

Impact decides which flags to raise and what the workflow does with them (``impact.assess``,
``impact.flags``, ``impact.reconcile``); this module reads and writes the rows.

>>> from registry.schema import connect
>>> db = connect(":memory:")
>>> list_flags(db), flagged_citations(db, [1, 2], change_id=1)
([], set())
"""

from __future__ import annotations

import json
from typing import Iterable, TypedDict

import sqlite_utils

from config.clock import now
from registry.citations import shown_sql

NEW_COLUMNS = ("duty_id", "citation_id", "change_id", "article_change_id", "severity", "reason",
               "suggestion", "due", "created_run_id")

#: A citation as a reader needs it (with its law's title; see registry.citations.shown_sql).
SHOWN = shown_sql("c")


class Flag(TypedDict):
    """A flag with its duty, department, citation and change, as listings show it."""

    id: int
    duty_id: int
    citation_id: int
    change_id: int
    article_change_id: int | None
    severity: str                   # critical / high / low
    reason: str                     # what happened to the cited provision (Chinese)
    suggestion: dict                # new label, candidates … (decoded)
    due: str | None
    state: str                      # open / acknowledged / submitted / returned / resolved / dismissed
    created_at: str
    updated_at: str
    updated_by: str | None
    closed_at: str | None
    closing_note: str | None
    proposal: dict | None           # a department's resolve/dismiss waiting for the legal office (decoded)
    proposed_by: str | None
    proposed_at: str | None
    reviewed_by: str | None         # the legal office's last decision
    reviewed_at: str | None
    review_note: str | None         # why it was returned
    correction: dict | None         # what it said before an alignment put it right (decoded)
    duty_name: str
    duty_code: str | None
    duty_is_current: int
    duty_key: str
    department_id: int
    department: str
    post: str | None
    citation: str                   # the citation as written
    law_title: str | None
    article: str | None
    paragraph: int | None
    item: int | None
    sub_item: int | None
    field: str                      # basis / penalty_basis
    change_kind: str
    change_effective: str | None
    law: str                        # the changed law's title


_LIST_SQL = f"""
SELECT f.id, f.duty_id, f.citation_id, f.change_id, f.article_change_id, f.severity, f.reason,
       f.suggestion, f.due, f.state, f.created_at, f.updated_at, f.updated_by, f.closed_at, f.closing_note,
       f.proposal, f.proposed_by, f.proposed_at, f.reviewed_by, f.reviewed_at, f.review_note, f.correction,
       d.name AS duty_name, d.code AS duty_code, d.is_current AS duty_is_current, d.duty_key,
       dep.id AS department_id, dep.name AS department, p.name AS post,
       {SHOWN} AS citation, c.law_title, c.article, c.paragraph, c.item, c.sub_item, c.field,
       ch.kind AS change_kind, ch.effective AS change_effective, l.title AS law
FROM flags f
JOIN duties d ON d.id = f.duty_id
JOIN departments dep ON dep.id = d.department_id
LEFT JOIN posts p ON p.id = d.post_id
JOIN citations c ON c.id = f.citation_id
JOIN changes ch ON ch.id = f.change_id
JOIN laws l ON l.id = ch.law_id
"""


#: Not closed (someone still has to act) and, of those, the ones waiting for the department.
ACTIVE_SQL = "('open', 'acknowledged', 'submitted', 'returned')"
WITH_DEPARTMENT_SQL = "('open', 'acknowledged', 'returned')"


def _flag(row: dict) -> Flag:
    row["suggestion"] = json.loads(row["suggestion"] or "{}")
    row["proposal"] = json.loads(row["proposal"]) if row.get("proposal") else None
    row["correction"] = json.loads(row["correction"]) if row.get("correction") else None
    return row  # type: ignore[return-value]


# -- reading ---------------------------------------------------------------------------------------

def list_flags(db: sqlite_utils.Database, *, department_id: int | None = None,
               states: Iterable[str] | None = None, duty_id: int | None = None) -> list[Flag]:
    """Flags (of a department, in these states, of a duty version), by department name and id."""
    where, params = [], []
    if department_id is not None:
        where.append("d.department_id = ?")
        params.append(department_id)
    if states is not None:
        where.append("f.state IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(list(states)))
    if duty_id is not None:
        where.append("f.duty_id = ?")
        params.append(duty_id)
    sql = _LIST_SQL + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY dep.name, f.id"
    return [_flag(r) for r in db.query(sql, params)]


def get_flag(db: sqlite_utils.Database, flag_id: int) -> Flag | None:
    row = next(db.query(_LIST_SQL + " WHERE f.id = ?", [flag_id]), None)
    return _flag(row) if row else None


def flag_id(db: sqlite_utils.Database, duty_id: int, citation_id: int, change_id: int) -> int | None:
    row = next(db.query("SELECT id FROM flags WHERE duty_id = ? AND citation_id = ? AND change_id = ?",
                        [duty_id, citation_id, change_id]), None)
    return row["id"] if row else None


def flagged_citations(db: sqlite_utils.Database, duty_ids: Iterable[int], change_id: int) -> set[int]:
    """The citations of these duties already flagged for a change (through the unique index)."""
    return {r["citation_id"] for r in db.query(
        "SELECT citation_id FROM flags WHERE duty_id IN (SELECT value FROM json_each(?)) AND change_id = ?",
        [json.dumps(sorted(set(duty_ids))), change_id])}


def active_of_earlier_versions(db: sqlite_utils.Database, duty_key: str, duty_id: int,
                               named: int | None = None) -> list[dict]:
    """Active flags (not closed) of a duty's versions other than ``duty_id``, flag ``named`` last:
    {id, change_id, article_change_id, severity, state, law_id, article, paragraph, item,
    new_labels (JSON)}."""
    return list(db.query(
        "SELECT f.id, f.change_id, f.article_change_id, f.severity, f.state, c.law_id, c.article, c.paragraph, "
        "c.item, ac.new_labels FROM flags f JOIN duties d ON d.id = f.duty_id JOIN citations c ON c.id = f.citation_id "
        "LEFT JOIN article_changes ac ON ac.id = f.article_change_id "
        "WHERE f.duty_id IN (SELECT id FROM duties WHERE duty_key = ? AND id != ?) "
        f"AND +f.state IN {ACTIVE_SQL} "  # + : through the duty's versions, not idx_flags_state
        "ORDER BY (f.id = ?), f.id", [duty_key, duty_id, named or 0]))


def one_click(db: sqlite_utils.Database, department_id: int | None = None) -> list[dict]:
    """Flags with the department (open, acknowledged, returned) of current duties whose suggestion
    is a one-click renumbering, with what rewriting
    needs: {id, duty_id, suggestion (JSON), field, span, article, raw, name, duty_key, basis_text,
    penalty_basis_text, department}, by department, duty and flag."""
    where = [f"f.state IN {WITH_DEPARTMENT_SQL}", "json_extract(f.suggestion, '$.one_click') = 1",
             "d.is_current = 1"]
    params: list = []
    if department_id is not None:
        where.append("d.department_id = ?")
        params.append(department_id)
    return list(db.query(
        "SELECT f.id, f.duty_id, f.suggestion, c.field, c.span, c.article, c.raw, d.name, d.code, d.duty_key, "
        "d.basis_text, d.penalty_basis_text, dep.name AS department "
        "FROM flags f JOIN duties d ON d.id = f.duty_id JOIN citations c ON c.id = f.citation_id "
        "JOIN departments dep ON dep.id = d.department_id WHERE " + " AND ".join(where) +
        " ORDER BY dep.name, d.id, f.id", params))


def reimported_duties(db: sqlite_utils.Database, after_duty_id: int) -> list[tuple[int, str]]:
    """(id, duty_key) of current duties stored after ``after_duty_id`` whose earlier versions have
    active flags: a list imported again, the flags must follow."""
    return [(r["id"], r["duty_key"]) for r in db.query(  # the subquery is small and runs once
        "SELECT d.id, d.duty_key FROM duties d WHERE d.id > ? AND d.is_current = 1 AND d.duty_key IN "
        "(SELECT o.duty_key FROM flags f JOIN duties o ON o.id = f.duty_id "
        f"WHERE f.state IN {ACTIVE_SQL} AND o.is_current = 0)", [after_duty_id])]


def of_change(db: sqlite_utils.Database, change_id: int) -> list[dict]:
    """Every flag a change raised, any state: {id, duty_id, citation_id, article_change_id, severity,
    reason, suggestion (JSON), state, correction (JSON)}, by id."""
    return list(db.query("SELECT id, duty_id, citation_id, article_change_id, severity, reason, suggestion, "
                         "state, correction FROM flags WHERE change_id = ? ORDER BY id", [change_id]))


# -- writing ---------------------------------------------------------------------------------------

_INSERT = (f"INSERT OR IGNORE INTO flags ({', '.join(NEW_COLUMNS)}, state, created_at, updated_at) "
           f"VALUES ({', '.join('?' for _ in NEW_COLUMNS)}, 'open', ?, ?)")


def insert_flags(db: sqlite_utils.Database, rows: Iterable[dict], run_id: int | None = None) -> None:
    """Store new open flags (dicts with the keys of ``NEW_COLUMNS`` but ``created_run_id``; the
    suggestion as a dict or JSON); a flag for the same duty, citation and change is left alone.

    One prepared statement for all rows: impact stores tens of thousands of flags in one pass, and
    ``Table.insert_all`` takes three times as long for them (bench/impact.py).
    """
    stamp = now()
    db.conn.executemany(_INSERT, (
        [r["suggestion"] if c == "suggestion" and isinstance(r["suggestion"], str)
         else json.dumps(r["suggestion"], ensure_ascii=False) if c == "suggestion"
         else run_id if c == "created_run_id" else r.get(c) for c in NEW_COLUMNS] + [stamp, stamp]
        for r in rows))


def set_state(db: sqlite_utils.Database, flag_id: int, state: str, *, by: str) -> None:
    db["flags"].update(flag_id, {"state": state, "updated_at": now(), "updated_by": by})


def close(db: sqlite_utils.Database, flag_id: int, state: str, *, by: str, note: str) -> None:
    """resolved / dismissed, with a closing note."""
    stamp = now()   # a plain statement: a re-imported list closes thousands (bench/impact.py case D)
    db.execute("UPDATE flags SET state = ?, closed_at = ?, closing_note = ?, updated_at = ?, updated_by = ? "
               "WHERE id = ?", [state, stamp, note, stamp, by, flag_id])


def propose(db: sqlite_utils.Database, flag_id: int, proposal: dict, *, by: str) -> None:
    """A department's resolve or dismiss, kept for the legal office: the flag is ``submitted``."""
    stamp = now()
    db["flags"].update(flag_id, {"state": "submitted", "proposal": json.dumps(proposal, ensure_ascii=False),
                                 "proposed_by": by, "proposed_at": stamp, "updated_at": stamp, "updated_by": by})


def reviewed(db: sqlite_utils.Database, flag_id: int, *, by: str, note: str | None = None,
             state: str | None = None) -> None:
    """The legal office's decision: approved (``note`` None; the workflow closes the flag) or
    returned (``state='returned'`` with the reason in ``note``)."""
    stamp = now()
    values = {"reviewed_by": by, "reviewed_at": stamp, "review_note": note}
    if state:
        values.update(state=state, updated_at=stamp, updated_by=by)
    db["flags"].update(flag_id, values)


def correct(db: sqlite_utils.Database, flag_id: int, *, severity: str, reason: str, suggestion: str,
            article_change_id: int | None, correction: dict, state: str | None = None,
            closing_note: str | None = None) -> None:
    """Put a flag right after its change was aligned again: its new words, what it said before
    (``correction``), and told again by the next run (``notified_run_id`` cleared). ``state``
    (dismissed) with ``closing_note`` closes it: the change no longer touches the citation."""
    stamp = now()
    values = {"severity": severity, "reason": reason, "suggestion": suggestion,
              "article_change_id": article_change_id, "correction": json.dumps(correction, ensure_ascii=False),
              "notified_run_id": None, "updated_at": stamp, "updated_by": "yiju"}
    if state:
        values.update(state=state, closed_at=stamp, closing_note=closing_note)
    db["flags"].update(flag_id, values)


def relink(db: sqlite_utils.Database, flag_id: int, article_change_id: int | None) -> None:
    """Point a flag at its change's article change of the current alignment (words unchanged)."""
    db["flags"].update(flag_id, {"article_change_id": article_change_id})


def close_active_of_key(db: sqlite_utils.Database, duty_key: str, state: str, *, by: str, note: str,
                        at: str) -> int:
    """Close every flag still waiting (not resolved or dismissed) of any version of a duty; how many."""
    return db.execute(
        "UPDATE flags SET state = ?, closed_at = ?, updated_at = ?, updated_by = ?, closing_note = ? "
        "WHERE duty_id IN (SELECT id FROM duties WHERE duty_key = ?) AND state NOT IN ('resolved', 'dismissed')",
        [state, at, at, by, note, duty_key]).rowcount


def move(db: sqlite_utils.Database, flag_id: int, *, duty_id: int, citation_id: int, by: str) -> None:
    """A flag follows its duty to a new version (keeping its date and due date)."""
    db.execute("UPDATE flags SET duty_id = ?, citation_id = ?, updated_at = ?, updated_by = ? WHERE id = ?",
               [duty_id, citation_id, now(), by, flag_id])


# -- reminders ------------------------------------------------------------------------------------

def due_by(db: sqlite_utils.Database, day: str, *, not_alerted_in: int) -> list[dict]:
    """Flags with their department (open, acknowledged, returned) due on or before ``day``, except
    those the alert of run ``not_alerted_in`` tells of: {id, severity, state, due, reminded_on,
    escalated_on, post_id, duty_code, duty_name, department_id, department_name, post_name,
    citation_raw, review_note}, by department name, due date and id."""
    return list(db.query(f"""
        SELECT f.id, f.severity, f.state, f.due, f.reminded_on, f.escalated_on, d.post_id, d.code AS duty_code,
               d.name AS duty_name, dep.id AS department_id, dep.name AS department_name, p.name AS post_name,
               {SHOWN} AS citation_raw, f.review_note
        FROM flags f JOIN duties d ON d.id = f.duty_id JOIN departments dep ON dep.id = d.department_id
        LEFT JOIN posts p ON p.id = d.post_id JOIN citations c ON c.id = f.citation_id
        WHERE f.state IN {WITH_DEPARTMENT_SQL} AND f.due IS NOT NULL AND f.due <= ?
          AND NOT (f.notified_run_id = ? OR (f.notified_run_id IS NULL AND f.created_run_id = ?))
        ORDER BY dep.name, f.due, f.id""", [day, not_alerted_in, not_alerted_in]))


def mark(db: sqlite_utils.Database, flag_ids: list[int], column: str, day: str) -> None:
    """Set ``reminded_on`` or ``escalated_on`` of these flags to ``day``."""
    if column not in ("reminded_on", "escalated_on"):
        raise ValueError(column)
    db.execute(f"UPDATE flags SET {column} = ? WHERE id IN (SELECT value FROM json_each(?))",
               [day, json.dumps(list(flag_ids))])


# -- figures per department (accountability report) --------------------------------------------------

def active_by_department(db: sqlite_utils.Database, on: str) -> list[tuple[int, str, int, int]]:
    """(department id, severity, active flags, of which overdue on ``on``) over current duties; a
    flag waiting for the legal office (submitted) is active but not the department's overdue."""
    return [(r["department_id"], r["severity"], r["n"], r["overdue"] or 0) for r in db.query(
        "SELECT d.department_id, f.severity, count(*) AS n, "
        "sum(f.due IS NOT NULL AND f.due < ? AND f.state != 'submitted') AS overdue "
        "FROM flags f JOIN duties d ON d.id = f.duty_id "
        f"WHERE f.state IN {ACTIVE_SQL} AND d.is_current = 1 "
        "GROUP BY d.department_id, f.severity", [on])]


def closed_by_department(db: sqlite_utils.Database) -> list[tuple[int, str, int]]:
    """(department id, resolved/dismissed, count)."""
    return [(r["department_id"], r["state"], r["n"]) for r in db.query(
        "SELECT d.department_id, f.state, count(*) AS n FROM flags f JOIN duties d ON d.id = f.duty_id "
        "WHERE f.state IN ('resolved', 'dismissed') GROUP BY d.department_id, f.state")]


def days_to_resolution(db: sqlite_utils.Database) -> list[tuple[int, float]]:
    """(department id, days from raised to resolved) of every resolved flag (never negative)."""
    return [(r["department_id"], max(r["took"] or 0.0, 0.0)) for r in db.query(
        "SELECT d.department_id, julianday(f.closed_at) - julianday(f.created_at) AS took "
        "FROM flags f JOIN duties d ON d.id = f.duty_id "
        "WHERE f.state = 'resolved' AND f.closed_at IS NOT NULL")]
