"""Proposed duties (拟新增职权) in the registry: plain reading and writing.

The logic (which powers a law gives a department, whether its list covers them, accepting a
proposal) is ``impact.proposals``; this module is the SQL underneath.

>>> from registry.schema import connect
>>> db = connect(":memory:")
>>> list_proposals(db)
[]
"""

from __future__ import annotations

import json

import sqlite_utils

from config.clock import now
from registry.laws import articles_of

STATES = ("open", "submitted", "returned", "accepted", "declined", "withdrawn")

_COLUMNS = ("department_id", "law_id", "version_id", "change_id", "power_key", "article", "paragraph", "item",
            "type", "name", "measures", "authority", "authority_level", "shared", "basis_text", "clause", "due",
            "baseline", "created_run_id")


def existing(db: sqlite_utils.Database, department_id: int, law_id: int) -> dict[str, dict]:
    """power_key → {id, state} of every proposal of this department and law."""
    return {r["power_key"]: r for r in db.query(
        "SELECT id, power_key, state FROM proposals WHERE department_id = ? AND law_id = ?",
        [department_id, law_id])}


def insert(db: sqlite_utils.Database, row: dict) -> int:
    """A new open proposal; returns its id."""
    stamp = now()
    values = [json.dumps(row[c], ensure_ascii=False) if c == "measures" else row.get(c) for c in _COLUMNS]
    return db.execute(
        f"INSERT INTO proposals ({', '.join(_COLUMNS)}, state, created_at, updated_at) "
        f"VALUES ({', '.join('?' for _ in _COLUMNS)}, 'open', ?, ?)", values + [stamp, stamp]).lastrowid


def reopen(db: sqlite_utils.Database, proposal_id: int, row: dict) -> None:
    """A withdrawn proposal whose power is uncovered again is open again (a duty was removed)."""
    db.execute("UPDATE proposals SET state = 'open', reason = NULL, decision = NULL, version_id = ?, change_id = ?, name = ?, "
               "clause = ?, due = ?, baseline = ?, created_run_id = ?, notified_run_id = NULL, updated_at = ?, "
               "updated_by = 'yiju' WHERE id = ?",
               [row["version_id"], row.get("change_id"), row["name"], row["clause"], row["due"],
                row.get("baseline", 0), row.get("created_run_id"), now(), proposal_id])


def set_state(db: sqlite_utils.Database, proposal_id: int, state: str, *, by: str, reason: str | None = None,
              duty_id: int | None = None) -> None:
    if state not in STATES:
        raise ValueError(f"unknown proposal state {state!r}")
    db.execute("UPDATE proposals SET state = ?, reason = coalesce(?, reason), duty_id = coalesce(?, duty_id), "
               "updated_at = ?, updated_by = ? WHERE id = ?", [state, reason, duty_id, now(), by, proposal_id])


def submit(db: sqlite_utils.Database, proposal_id: int, decision: dict, *, by: str) -> None:
    """A department's accept or decline, kept for the legal office: the proposal is ``submitted``."""
    stamp = now()
    db.execute("UPDATE proposals SET state = 'submitted', decision = ?, proposed_by = ?, proposed_at = ?, "
               "updated_at = ?, updated_by = ? WHERE id = ?",
               [json.dumps(decision, ensure_ascii=False), by, stamp, stamp, by, proposal_id])


def reviewed(db: sqlite_utils.Database, proposal_id: int, *, by: str, note: str | None = None,
             state: str | None = None) -> None:
    """The legal office's decision: approved (``note`` None; the workflow accepts or declines) or
    returned (``state='returned'`` with the reason in ``note``)."""
    stamp = now()
    db.execute("UPDATE proposals SET reviewed_by = ?, reviewed_at = ?, review_note = ?, "
               "state = coalesce(?, state), updated_at = CASE WHEN ? IS NULL THEN updated_at ELSE ? END, "
               "updated_by = CASE WHEN ? IS NULL THEN updated_by ELSE ? END WHERE id = ?",
               [by, stamp, note, state, state, stamp, state, by, proposal_id])


def decode(row: dict) -> dict:
    """A proposal row with its JSON columns (``measures``, ``decision``) read."""
    row["measures"] = json.loads(row["measures"] or "[]")
    row["decision"] = json.loads(row["decision"]) if row.get("decision") else None
    return row


def get(db: sqlite_utils.Database, proposal_id: int) -> dict | None:
    rows = list_proposals(db, proposal_id=proposal_id, state=None)
    return rows[0] if rows else None


def list_proposals(db: sqlite_utils.Database, *, department_id: int | None = None, law_id: int | None = None,
                   state: str | None = "open", proposal_id: int | None = None,
                   unnotified: bool = False) -> list[dict]:
    """Proposals with their department's and law's names, by department, law and provision."""
    where, params = [], []
    for clause, value in (("p.department_id = ?", department_id), ("p.law_id = ?", law_id),
                          ("p.state = ?", state), ("p.id = ?", proposal_id)):
        if value is not None:
            where.append(clause)
            params.append(value)
    if unnotified:
        where.append("p.notified_run_id IS NULL AND p.baseline = 0")
    rows = list(db.query(
        "SELECT p.*, d.name AS department, l.title AS law, v.effective AS law_effective "
        "FROM proposals p JOIN departments d ON d.id = p.department_id JOIN laws l ON l.id = p.law_id "
        "LEFT JOIN versions v ON v.id = p.version_id "
        + (f"WHERE {' AND '.join(where)} " if where else "")
        + "ORDER BY d.name, l.title, p.id", params))
    return [decode(r) for r in rows]


def mark_notified(db: sqlite_utils.Database, proposal_ids: list[int], run_id: int) -> None:
    db.conn.executemany("UPDATE proposals SET notified_run_id = ? WHERE id = ? AND notified_run_id IS NULL",
                        [(run_id, i) for i in proposal_ids])


def departments(db: sqlite_utils.Database) -> list[dict]:
    """Every department with its 主管领域 (``domains``, JSON or NULL), level and number of current duties."""
    return list(db.query(
        "SELECT id, name, domains, level, (SELECT count(*) FROM duties d WHERE d.department_id = departments.id "
        "AND d.is_current = 1) AS duties FROM departments ORDER BY name"))


def set_domains(db: sqlite_utils.Database, department_id: int, domains: list[str] | None,
                level: str | None) -> None:
    db.execute("UPDATE departments SET domains = ?, level = ?, updated_at = ? WHERE id = ?",
               [json.dumps(domains, ensure_ascii=False) if domains is not None else None, level, now(),
                department_id])


def department_citations(db: sqlite_utils.Database, department_id: int, law_id: int) -> list[dict]:
    """Citations of the department's current duties into this law: where each points today."""
    return list(db.query(
        "SELECT c.duty_id, c.article, c.current_label, c.paragraph, c.item, c.resolution, c.version_id, "
        "c.field, d.name AS duty_name FROM citations c JOIN duties d ON d.id = c.duty_id "
        "WHERE d.department_id = ? AND d.is_current = 1 AND c.law_id = ?", [department_id, law_id]))


def cited_laws(db: sqlite_utils.Database, department_id: int) -> list[int]:
    """Laws the department's current duties cite."""
    return [r[0] for r in db.execute(
        "SELECT DISTINCT c.law_id FROM citations c JOIN duties d ON d.id = c.duty_id "
        "WHERE d.department_id = ? AND d.is_current = 1 AND c.law_id IS NOT NULL", [department_id])]


def laws_with_text(db: sqlite_utils.Database) -> list[dict]:
    """Laws in force (or not yet) with their latest accepted version that has articles."""
    return list(db.query(
        "SELECT l.id, l.title, l.status, v.id AS version_id, v.effective, v.promulgated FROM laws l "
        "JOIN versions v ON v.id = (SELECT v2.id FROM versions v2 WHERE v2.law_id = l.id "
        "AND v2.review_state = 'accepted' AND EXISTS (SELECT 1 FROM articles a WHERE a.version_id = v2.id) "
        "ORDER BY coalesce(v2.promulgated, '') DESC, v2.id DESC LIMIT 1) "
        "WHERE l.status != '已废止' ORDER BY l.title"))


def version_articles(db: sqlite_utils.Database, version_id: int) -> list[dict]:
    """A version's articles in order, paragraphs decoded (``registry.laws.articles_of``)."""
    return articles_of(db, version_id)


def any_proposal_run(db: sqlite_utils.Database) -> bool:
    """Whether proposals were ever generated (the first pass on a registry is a baseline)."""
    return db.execute("SELECT 1 FROM audit WHERE action = 'proposals.generate' LIMIT 1").fetchone() is not None


def full_pass_rules(db: sqlite_utils.Database) -> str | None:
    """The recogniser's rules (``diffing.powers.rules_version``) of the last pass over every law and
    department, or None (none recorded: a registry from before rules were recorded)."""
    row = db.execute("SELECT json_extract(detail, '$.rules') FROM audit WHERE action = 'proposals.generate' "
                     "AND json_extract(detail, '$.rules') IS NOT NULL ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else None


def cached_powers(db: sqlite_utils.Database, version_id: int, rules: str) -> list[dict] | None:
    """The powers read earlier from a version's text with the same ``rules``, or None."""
    row = db.execute("SELECT powers FROM version_powers WHERE version_id = ?", [version_id]).fetchone()
    kept = json.loads(row[0]) if row else None
    return kept["powers"] if kept and kept.get("rules") == rules else None


def keep_powers(db: sqlite_utils.Database, version_id: int, rules: str, powers: list[dict]) -> None:
    """Keep the powers of a version's text, read with ``rules`` (a text is never edited)."""
    value = json.dumps({"rules": rules, "powers": powers}, ensure_ascii=False)
    db.execute("INSERT OR REPLACE INTO version_powers (version_id, powers) VALUES (?, ?)", [version_id, value])


def open_by_department(db: sqlite_utils.Database) -> dict[int, int]:
    """department id → number of its proposals waiting for it (open, or returned by the legal office)."""
    return dict(db.execute("SELECT department_id, count(*) FROM proposals WHERE state IN ('open', 'returned') "
                           "GROUP BY department_id").fetchall())


def predecessors(db: sqlite_utils.Database, law_id: int) -> list[int]:
    """Laws this one replaced (their ``successor_id``)."""
    return [r[0] for r in db.execute("SELECT id FROM laws WHERE successor_id = ? ORDER BY id", [law_id])]


def predecessors_repealed_on(db: sqlite_utils.Database, law_id: int) -> str | None:
    """When the laws this one replaced stop being in force (its 施行日期 when its text says 同时废止)."""
    row = db.execute("SELECT min(repealed_on) FROM laws WHERE successor_id = ?", [law_id]).fetchone()
    return row[0] if row else None


def latest_version_with_articles(db: sqlite_utils.Database, law_id: int) -> int | None:
    """The newest accepted version of a law (repealed or not) that has articles."""
    row = db.execute(
        "SELECT v.id FROM versions v WHERE v.law_id = ? AND v.review_state = 'accepted' "
        "AND EXISTS (SELECT 1 FROM articles a WHERE a.version_id = v.id) "
        "ORDER BY coalesce(v.promulgated, '') DESC, v.id DESC LIMIT 1", [law_id]).fetchone()
    return row[0] if row else None
