"""Tables ``listings`` and ``sources``: what each source listed, and how its last fetch went.

``listings`` is the base of incremental crawls: one row per record a source lists (flk bbbs,
xzfg LawID, a provincial page URL), its status code as listed, and whether its text was fetched.
A listed row comes in as anything with the attributes of ``ListedRow`` (``crawler.items.Listed``).

>>> from registry.schema import connect
>>> from types import SimpleNamespace as Row
>>> db = connect(":memory:")
>>> store_listing(db, "flk", [Row(source_id="a1", title="甲法", kind="law", status_code="3", promulgated=None,
...                               effective=None, category_code=None, issuer=None)], run_id=None)
>>> known(db, "flk")["a1"].detail_state
'pending'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol, TypedDict

import sqlite_utils

from config.clock import now
from registry import laws


class ListedRow(Protocol):
    """One row of a source's listing, as a crawler read it (``crawler.items.Listed``)."""

    source_id: str
    title: str
    kind: str
    status_code: str | None
    promulgated: str | None
    effective: str | None
    category_code: int | None
    issuer: str | None


@dataclass(frozen=True)
class Known:
    """What table ``listings`` remembers of one row (the part a crawl plan needs)."""

    source_id: str
    status_code: str | None
    detail_state: str
    law_id: int | None = None
    instrument_id: int | None = None
    title: str = ""
    first_seen_run: int | None = None
    kind: str = "law"


class Listing(TypedDict):
    """A row of ``listings``."""

    source: str
    source_id: str
    title: str
    kind: str                       # law / instrument
    status_code: str | None
    promulgated: str | None
    effective: str | None
    category_code: int | None
    issuer: str | None
    law_id: int | None
    version_id: int | None
    instrument_id: int | None
    first_seen_run: int | None
    last_seen_run: int | None
    detail_state: str               # pending / fetched / failed / unavailable
    detail_error: str | None
    updated_at: str


class Source(TypedDict):
    """A row of ``sources``: a configured source and how its last fetch went."""

    name: str
    kind: str
    base_url: str | None
    last_ok_at: str | None
    last_error: str | None
    last_error_at: str | None
    last_run_id: int | None


_KNOWN = ("source_id", "status_code", "detail_state", "law_id", "instrument_id", "title", "first_seen_run", "kind")


def known(db: sqlite_utils.Database, source: str) -> dict[str, Known]:
    """Every row the source listed before, by source id."""
    return {r["source_id"]: Known(**r)
            for r in db["listings"].rows_where("source = ?", [source], select=", ".join(_KNOWN))}


def baseline_run(db: sqlite_utils.Database, source: str) -> int | None:
    """The run in which the source was first listed completely (its baseline), or None.

    Rows first seen after that run are news (a new law is announced as ``enacted``); rows of
    the baseline itself are history.
    """
    row = next(db.query("SELECT min(first_seen_run) AS run, count(*) AS n FROM listings WHERE source = ?",
                        [source]))
    return row["run"] if row["n"] else None


def _values(source: str, row: ListedRow, run_id: int | None, stamp: str) -> list:
    return [source, row.source_id, row.title, row.kind, row.status_code, row.promulgated, row.effective,
            row.category_code, row.issuer, run_id, run_id, stamp]


def store_listing(db: sqlite_utils.Database, source: str, rows: Iterable[ListedRow], run_id: int | None,
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
                [*_values(source, r, run_id, stamp), r.source_id in keep_status],
            )


def add_row(db: sqlite_utils.Database, source: str, row: ListedRow, run_id: int | None) -> None:
    """Remember a record found outside the listing (a version named in another's history)."""
    db.execute(
        """INSERT OR IGNORE INTO listings (source, source_id, title, kind, status_code, promulgated, effective,
               category_code, issuer, first_seen_run, last_seen_run, detail_state, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)""",
        _values(source, row, run_id, now()),
    )


def get(db: sqlite_utils.Database, source: str, source_id: str) -> Listing | None:
    rows = list(db["listings"].rows_where("source = ? AND source_id = ?", [source, source_id]))
    return rows[0] if rows else None  # type: ignore[return-value]


def set_status_code(db: sqlite_utils.Database, source: str, source_id: str, status_code: str | None) -> None:
    if get(db, source, source_id) is not None:
        db["listings"].update((source, source_id), {"status_code": status_code, "updated_at": now()})


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
    for row in db.query(
            f"SELECT law_id FROM listings WHERE source = ? AND source_id IN ({marks}) AND law_id IS NOT NULL "
            "ORDER BY promulgated DESC LIMIT 1", [source, *ids]):
        return row["law_id"]
    for source_id in ids:
        version = laws.version_by_source(db, source, source_id)
        if version is not None:
            return version["law_id"]
    return None


# ---------------------------------------------------------------- sources


def ensure_source(db: sqlite_utils.Database, name: str, kind: str, base_url: str) -> None:
    """Add a configured source, or refresh its kind and address (its health stays)."""
    db["sources"].upsert({"name": name, "kind": kind, "base_url": base_url}, pk="name")


def record_health(db: sqlite_utils.Database, name: str, *, ok: bool, error: str | None,
                  run_id: int | None) -> None:
    """A fetch that went well sets ``last_ok_at``; one that failed sets ``last_error(_at)``."""
    if not list(db["sources"].rows_where("name = ?", [name], select="name")):
        return
    stamp = now()
    if ok:
        db["sources"].update(name, {"last_ok_at": stamp, "last_run_id": run_id})
    else:
        db["sources"].update(name, {"last_error": error, "last_error_at": stamp, "last_run_id": run_id})


def sources(db: sqlite_utils.Database) -> dict[str, Source]:
    """Every source the registry knows, by name (in name order)."""
    return {r["name"]: r for r in db["sources"].rows_where(order_by="name")}  # type: ignore[misc]
