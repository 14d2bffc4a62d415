"""The audit log: one row for each thing a person or yiju did to the record.

``write_audit`` is the only way a row is written.

>>> from registry.schema import connect
>>> db = connect(":memory:")
>>> write_audit(db, actor="张三", action="flag.acknowledge", obj="flag:1", detail={"from": "open"})
>>> [(h["actor"], h["action"], h["detail"]) for h in history(db, "flag:1")]
[('张三', 'flag.acknowledge', {'from': 'open'})]
"""

from __future__ import annotations

import json
from typing import TypedDict

import sqlite_utils

from config.clock import now


class AuditEntry(TypedDict):
    """A row of ``audit``; ``detail`` decoded."""

    id: int
    at: str
    actor: str
    action: str                     # flag.acknowledge, duty.revise, duties.import, impact …
    object: str                     # flag:7, duty:12, a file name …
    detail: dict


def write_audit(db: sqlite_utils.Database, *, actor: str, action: str, obj: str, detail: dict,
                at: str | None = None) -> None:
    """One row of the audit log: who did what to which object, and when (``at``: now)."""
    db.execute("INSERT INTO audit (at, actor, action, object, detail) VALUES (?, ?, ?, ?, ?)",
               [at or now(), actor, action, obj, json.dumps(detail, ensure_ascii=False, default=str)])


def _entry(row: dict) -> AuditEntry:
    row["detail"] = json.loads(row["detail"] or "{}")
    return row  # type: ignore[return-value]


def history(db: sqlite_utils.Database, obj: str) -> list[AuditEntry]:
    """Everything done to one object, oldest first."""
    return [_entry(r) for r in db.query("SELECT * FROM audit WHERE object = ? ORDER BY id", [obj])]


def find(db: sqlite_utils.Database, action: str, obj: str, *, at: str | None = None) -> AuditEntry | None:
    """The latest ``action`` on ``obj`` (written at ``at``, when given), or None."""
    sql = "SELECT * FROM audit WHERE action = ? AND object = ?" + (" AND at = ?" if at is not None else "")
    row = next(db.query(sql + " ORDER BY id DESC LIMIT 1", [action, obj] + ([at] if at is not None else [])), None)
    return _entry(row) if row else None
