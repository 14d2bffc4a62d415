"""Tables ``listings`` and ``sources``: what each source listed, and how its last fetch went.

``listings`` is the base of incremental crawls: one row per record a source lists (flk bbbs,
xzfg LawID, a provincial page URL), its status code as listed, and whether its text was fetched.

>>> from registry.schema import connect
>>> from crawler.items import Listed
>>> db = connect(":memory:")
>>> store_listing(db, "flk", [Listed("a1", "甲法", status_code="3")], run_id=None)
>>> known(db, "flk")["a1"].detail_state
'pending'
"""

from __future__ import annotations

import sqlite_utils

from crawler.compare import Known
from crawler.items import Listed
from config.clock import now


def known(db: sqlite_utils.Database, source: str) -> dict[str, Known]:
    """Every row the source listed before, by source id."""
    out = {}
    for row in db.execute(
        "SELECT source_id, status_code, detail_state, law_id, instrument_id, title, first_seen_run, kind "
        "FROM listings WHERE source = ?", [source]
    ).fetchall():
        out[row[0]] = Known(*row)
    return out


def baseline_run(db: sqlite_utils.Database, source: str) -> int | None:
    """The run in which the source was first listed completely (its baseline), or None.

    Rows first seen after that run are news (a new law is announced as ``enacted``); rows of
    the baseline itself are history.
    """
    row = db.execute("SELECT min(first_seen_run), count(*) FROM listings WHERE source = ?", [source]).fetchone()
    return row[0] if row and row[1] else None


def store_listing(db: sqlite_utils.Database, source: str, rows: list[Listed], run_id: int | None,
                  keep_status: set[str] = frozenset()) -> None:
    """Insert new rows and refresh known ones in one transaction.

    Rows in ``keep_status`` keep their old status code: their flip is recorded separately, and
    the code is only updated once the flip is in the registry.
    """
    stamp = now()
    with db.atomic():
        for r in rows:
            db.execute(
                """INSERT INTO listings (source, source_id, title, kind, status_code, promulgated, effective,
                       category_code, issuer, first_seen_run, last_seen_run, detail_state, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)
                   ON CONFLICT (source, source_id) DO UPDATE SET
                       title = excluded.title, kind = excluded.kind,
                       status_code = CASE WHEN ? THEN listings.status_code ELSE excluded.status_code END,
                       promulgated = excluded.promulgated, effective = excluded.effective,
                       category_code = excluded.category_code, issuer = excluded.issuer,
                       last_seen_run = excluded.last_seen_run, updated_at = excluded.updated_at""",
                [source, r.source_id, r.title, r.kind, r.status_code, r.promulgated, r.effective,
                 r.category_code, r.issuer, run_id, run_id, stamp, r.source_id in keep_status],
            )


def add_row(db: sqlite_utils.Database, source: str, row: Listed, run_id: int | None) -> None:
    """Remember a record found outside the listing (a version named in another's history)."""
    db.execute(
        """INSERT OR IGNORE INTO listings (source, source_id, title, kind, status_code, promulgated, effective,
               category_code, issuer, first_seen_run, last_seen_run, detail_state, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)""",
        [source, row.source_id, row.title, row.kind, row.status_code, row.promulgated, row.effective,
         row.category_code, row.issuer, run_id, run_id, now()],
    )


def get(db: sqlite_utils.Database, source: str, source_id: str) -> dict | None:
    rows = list(db["listings"].rows_where("source = ? AND source_id = ?", [source, source_id]))
    return rows[0] if rows else None


def set_status_code(db: sqlite_utils.Database, source: str, source_id: str, status_code: str | None) -> None:
    db.execute("UPDATE listings SET status_code = ?, updated_at = ? WHERE source = ? AND source_id = ?",
               [status_code, now(), source, source_id])


def mark_detail(db: sqlite_utils.Database, source: str, source_id: str, state: str, *, error: str | None = None,
                law_id: int | None = None, version_id: int | None = None,
                instrument_id: int | None = None) -> None:
    """Record how fetching a row's text went: fetched / failed / unavailable."""
    db.execute(
        """UPDATE listings SET detail_state = ?, detail_error = ?,
               law_id = coalesce(?, law_id), version_id = coalesce(?, version_id),
               instrument_id = coalesce(?, instrument_id), updated_at = ?
           WHERE source = ? AND source_id = ?""",
        [state, error, law_id, version_id, instrument_id, now(), source, source_id],
    )


def linked_law(db: sqlite_utils.Database, source: str, source_ids: list[str]) -> int | None:
    """The law already holding any of these records (versions linked by the source's history)."""
    ids = [i for i in source_ids if i]
    if not ids:
        return None
    marks = ",".join("?" * len(ids))
    row = db.execute(
        f"SELECT law_id FROM listings WHERE source = ? AND source_id IN ({marks}) AND law_id IS NOT NULL "
        "ORDER BY promulgated DESC LIMIT 1", [source, *ids]
    ).fetchone()
    if row:
        return row[0]
    row = db.execute(
        f"SELECT law_id FROM versions WHERE source = ? AND source_id IN ({marks}) LIMIT 1", [source, *ids]
    ).fetchone()
    return row[0] if row else None


def ensure_source(db: sqlite_utils.Database, name: str, kind: str, base_url: str) -> None:
    db.execute(
        "INSERT INTO sources (name, kind, base_url) VALUES (?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, base_url = excluded.base_url",
        [name, kind, base_url],
    )


def record_health(db: sqlite_utils.Database, name: str, *, ok: bool, error: str | None,
                  run_id: int | None) -> None:
    """A fetch that went well sets ``last_ok_at``; one that failed sets ``last_error(_at)``."""
    stamp = now()
    if ok:
        db.execute("UPDATE sources SET last_ok_at = ?, last_run_id = ? WHERE name = ?", [stamp, run_id, name])
    else:
        db.execute("UPDATE sources SET last_error = ?, last_error_at = ?, last_run_id = ? WHERE name = ?",
                   [error, stamp, run_id, name])
