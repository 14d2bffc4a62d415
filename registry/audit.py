"""The audit log: one row for each thing a person or yiju did to the record.

>>> from registry.schema import connect
>>> db = connect(":memory:")
>>> write_audit(db, actor="张三", action="flag.acknowledge", obj="flag:1", detail={"from": "open"})
>>> db.execute("SELECT actor, action FROM audit").fetchall()
[('张三', 'flag.acknowledge')]
"""

from __future__ import annotations

import json

import sqlite_utils

from config.clock import now


def write_audit(db: sqlite_utils.Database, *, actor: str, action: str, obj: str, detail: dict) -> None:
    """One row of the audit log: who did what to which object, and when."""
    db.execute("INSERT INTO audit (at, actor, action, object, detail) VALUES (?, ?, ?, ?, ?)",
               [now(), actor, action, obj, json.dumps(detail, ensure_ascii=False, default=str)])
