"""Amending and repealing instruments (修改决定, 废止决定, 修正案 …) kept beside the laws.

>>> from registry.schema import connect
>>> decisions_for(connect(":memory:"), published="2021-01-22", law_id=1, short_title="行政处罚法")
[]
"""

from __future__ import annotations

from typing import TypedDict

import sqlite_utils


class Decision(TypedDict):
    id: int
    title: str
    text: str


def decisions_for(db: sqlite_utils.Database, *, published: str, law_id: int, short_title: str) -> list[Decision]:
    """Instruments with a text published on ``published`` that belong to the law (by link or by
    its short title in their title), linked ones first."""
    return list(db.query(  # type: ignore[arg-type]
        "SELECT id, title, text FROM instruments WHERE text IS NOT NULL AND promulgated = ? "
        "AND (law_id = ? OR title LIKE ?) ORDER BY law_id IS NULL, id",
        [published, law_id, f"%{short_title}%"]))
