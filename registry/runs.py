"""Table ``runs``: one row per nightly run (or per crawl run alone), its stage and its figures.

``stats`` is stored as JSON and read back as a dict (a row whose JSON is damaged reads as ``{}``).

>>> from registry.schema import connect
>>> db = connect(":memory:")
>>> run_id = start_run(db, started="2026-05-01T18:30:00+00:00")
>>> save_run(db, run_id, stage="crawl", stats={"date": "2026-05-02"})
>>> run = get_run(db, run_id)
>>> run["state"], run["stage"], run["stats"]
('running', 'crawl', {'date': '2026-05-02'})
>>> abandon_running(db, "died"), get_run(db, run_id)["state"], latest_run_id(db)
([1], 'abandoned', 1)
"""

from __future__ import annotations

import json
import os
from typing import Any, TypedDict

import sqlite_utils

from config.clock import now


class Run(TypedDict):
    """A row of ``runs``, ``stats`` decoded."""

    id: int
    started: str
    finished: str | None
    state: str                  # running / succeeded / degraded / failed / abandoned
    stats: dict[str, Any]
    error: str | None
    pid: int | None
    stage: str | None           # the stage running now (None between stages and when done)
    digest_path: str | None


def _stats_json(stats: dict) -> str:
    return json.dumps(stats, ensure_ascii=False, default=str)


def _decode(row: dict) -> Run:
    try:
        stats = json.loads(row.get("stats") or "{}")
    except (TypeError, ValueError):
        stats = {}
    row["stats"] = stats if isinstance(stats, dict) else {}
    return row  # type: ignore[return-value]


def start_run(db: sqlite_utils.Database, *, stage: str | None = None, started: str | None = None,
              stats: dict | None = None) -> int:
    """A new run in state ``running``, owned by this process; returns its id."""
    return db["runs"].insert({"started": started or now(), "state": "running", "pid": os.getpid(),
                              "stats": _stats_json(stats or {}), "stage": stage}).last_pk


def save_run(db: sqlite_utils.Database, run_id: int, **values: Any) -> None:
    """Update a run's columns (``state``, ``stage``, ``finished``, ``error``, ``stats``, ``digest_path``)."""
    if "stats" in values:
        values["stats"] = _stats_json(values["stats"])
    db["runs"].update(run_id, values)


def abandon_running(db: sqlite_utils.Database, error: str) -> list[int]:
    """Mark every run still ``running`` as ``abandoned`` (call it only while holding the run lock)."""
    ids = [r["id"] for r in db["runs"].rows_where("state = 'running'", select="id", order_by="id")]
    for run_id in ids:
        db["runs"].update(run_id, {"state": "abandoned", "finished": now(), "error": error})
    return ids


def get_run(db: sqlite_utils.Database, run_id: int) -> Run | None:
    rows = list(db["runs"].rows_where("id = ?", [run_id]))
    return _decode(rows[0]) if rows else None


def latest_run_id(db: sqlite_utils.Database) -> int | None:
    """The id of the newest run, or None when there is none."""
    rows = list(db["runs"].rows_where(select="id", order_by="id DESC", limit=1))
    return rows[0]["id"] if rows else None
