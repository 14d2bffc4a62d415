"""Amending and repealing instruments (修改决定, 废止决定, 修正案, 主席令 …) kept beside the laws.

>>> from registry.schema import connect
>>> db = connect(":memory:")
>>> decisions_for(db, published="2021-01-22", law_id=1, short_title="行政处罚法")
[]
>>> inst = add_instrument(db, {"source": "flk", "source_id": "d1", "title": "关于废止《甲法》的决定",
...                            "kind": "废止决定", "promulgated": "2026-05-01", "effective": None,
...                            "text": "废止《甲法》。", "raw_blob": None, "law_id": None, "run_id": None})
>>> find_instrument(db, "flk", "d1") == inst, [i["title"] for i in of_run(db, "flk", None)]
(True, ['关于废止《甲法》的决定'])
>>> title_of(db, inst), title_of(db, None)
('关于废止《甲法》的决定', None)
"""

from __future__ import annotations

from typing import TypedDict

import sqlite_utils

from config.clock import now


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


def decision(db: sqlite_utils.Database, instrument_id: int) -> Decision | None:
    """One instrument's id, title and text (None when it has no text or does not exist)."""
    return next(db.query("SELECT id, title, text FROM instruments WHERE id = ? AND text IS NOT NULL",  # type: ignore[arg-type]
                         [instrument_id]), None)


class NewInstrument(TypedDict):
    source: str
    source_id: str | None
    title: str
    kind: str | None
    promulgated: str | None
    effective: str | None
    text: str | None
    raw_blob: str | None
    law_id: int | None              # the law it amends, when known
    run_id: int | None


class Instrument(NewInstrument):
    """A row of ``instruments``."""

    id: int
    fetched_at: str


def find_instrument(db: sqlite_utils.Database, source: str, source_id: str) -> int | None:
    """The id of the instrument a source published under ``source_id``, or None."""
    rows = list(db["instruments"].rows_where("source = ? AND source_id = ?", [source, source_id], select="id"))
    return rows[0]["id"] if rows else None


def add_instrument(db: sqlite_utils.Database, instrument: NewInstrument) -> int:
    return db["instruments"].insert({**instrument, "fetched_at": now()}).last_pk


def title_of(db: sqlite_utils.Database, instrument_id: int | None) -> str | None:
    """The title of an instrument (None for None or an unknown id)."""
    if instrument_id is None:
        return None
    rows = list(db["instruments"].rows_where("id = ?", [instrument_id], select="title"))
    return rows[0]["title"] if rows else None


def link_law(db: sqlite_utils.Database, instrument_id: int, law_id: int) -> None:
    """Name the law an instrument amends, unless it already names one."""
    instrument = db["instruments"].get(instrument_id)
    if instrument["law_id"] is None:
        db["instruments"].update(instrument_id, {"law_id": law_id})


def of_run(db: sqlite_utils.Database, source: str, run_id: int | None) -> list[Instrument]:
    """The instruments a source gave in run ``run_id`` (``None``: outside any run), newest first."""
    return list(db["instruments"].rows_where(  # type: ignore[arg-type]
        "source = ? AND (run_id IS ? OR run_id = ?)", [source, run_id, run_id], order_by="promulgated DESC"))
