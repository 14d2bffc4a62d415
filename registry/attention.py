"""What waits for a person: texts held for review, documents that could not be fetched, history.

The digest reads these every night until someone acts, so nothing waits in silence.

>>> from registry.schema import connect
>>> db = connect(":memory:")
>>> held_versions(db), failed_documents(db)
([], [])
"""

from __future__ import annotations

import sqlite_utils


def _rows(db: sqlite_utils.Database, sql: str, params=()) -> list[dict]:
    cur = db.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def held_versions(db: sqlite_utils.Database) -> list[dict]:
    """Every version held for review, oldest first, with its law's title and its length."""
    return _rows(db, """
        SELECT v.id, v.law_id, l.title AS law_title, v.title, v.promulgated, v.effective, v.source,
               v.source_id, v.review_reason, v.fetched_at, length(v.text) AS chars
        FROM versions v JOIN laws l ON l.id = v.law_id
        WHERE v.review_state = 'held' ORDER BY v.id""")


def failed_documents(db: sqlite_utils.Database) -> list[dict]:
    """Listed documents whose text could not be fetched (retried every night until it is)."""
    return _rows(db, """
        SELECT source, source_id, title, promulgated, detail_error AS error, updated_at
        FROM listings WHERE detail_state = 'failed' ORDER BY source, promulgated DESC, title""")


def history_laws(db: sqlite_utils.Database, run_id: int) -> dict[int, int]:
    """Laws whose history arrived at once outside a crawl (``yiju laws import`` of several versions)
    among the changes run ``run_id`` reports: {law_id: number of such changes}.

    A change is history when both of its versions were stored outside a run since the previous
    run started: the older text was not known before either, so it is not news.
    """
    row = db.execute("SELECT max(started) FROM runs WHERE id < ?", [run_id]).fetchone()
    since = row[0] if row and row[0] else ""
    return {law_id: n for law_id, n in db.execute("""
        SELECT c.law_id, count(*) FROM changes c
        JOIN versions ov ON ov.id = c.old_version_id JOIN versions nv ON nv.id = c.new_version_id
        WHERE (c.reported_run_id = ? OR (c.reported_run_id IS NULL AND c.detected_run_id = ?))
          AND c.detected_run_id IS NULL AND c.kind IN ('amended', 'text_corrected', 'renamed')
          AND ov.run_id IS NULL AND nv.run_id IS NULL AND ov.fetched_at >= ?
        GROUP BY c.law_id""", [run_id, run_id, since]).fetchall()}


def backing_off(db: sqlite_utils.Database, at: str) -> tuple[int, str | None]:
    """Outbox messages waiting for their next attempt after ``at``: (how many, the earliest time)."""
    row = db.execute("SELECT count(*), min(next_attempt_at) FROM outbox WHERE state = 'pending' "
                     "AND next_attempt_at > ?", [at]).fetchone()
    return int(row[0] or 0), row[1]
