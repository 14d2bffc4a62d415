"""The provisions each duty version cites (``citations``), as parsed and resolved by impact.

>>> from registry.schema import connect
>>> db = connect(":memory:")
>>> current_of_law(db, 1), count_unresolved(db)
([], 0)
"""

from __future__ import annotations

import json
from typing import Iterable, TypedDict

import sqlite_utils

def shown_sql(alias: str) -> str:
    """SQL for a citation as a reader needs it: as written, with its law's title when the basis
    named the law only once (《X》第四条、第七条 → the second reads 《X》第七条).

    >>> from registry.schema import connect
    >>> db = connect(":memory:")
    >>> one = "SELECT '第七条' AS raw, '《X办法》' AS written, 'X办法' AS law_title"
    >>> db.execute(f"SELECT {shown_sql('c')} FROM ({one}) c").fetchone()[0]
    '《X办法》第七条'
    """
    a = alias
    return (f"(CASE WHEN instr({a}.raw, '《') > 0 THEN {a}.raw "
            f"WHEN {a}.written IS NOT NULL THEN {a}.written || {a}.raw "
            f"WHEN {a}.law_title IS NOT NULL THEN '《' || {a}.law_title || '》' || {a}.raw ELSE {a}.raw END)")


COLUMNS = ("duty_id", "field", "ordinal", "raw", "law_title", "written", "version_note", "law_id",
           "version_id", "article", "article_number", "article_suffix", "paragraph", "item",
           "sub_item", "span", "resolution", "current_label", "problem")


class Citation(TypedDict):
    """A row of ``citations``: one provision a duty's basis cites, and how it resolved."""

    id: int
    duty_id: int
    field: str                      # basis / penalty_basis
    ordinal: int
    raw: str                        # the citation as written
    law_title: str | None
    written: str | None             # 《行政处罚法》
    version_note: str | None
    law_id: int | None
    version_id: int | None          # the version it was written against
    article: str | None             # 第三十二条 (None: the whole law)
    article_number: int | None
    article_suffix: int | None
    paragraph: int | None           # 款
    item: int | None                # 项
    sub_item: int | None            # 目
    span: str | None                # JSON [start, end] in the basis text
    resolution: str                 # resolved / stale / unresolved
    current_label: str | None
    problem: str | None


class CitationRef(TypedDict):
    """What impact needs of a current duty's citation to judge a change against it."""

    id: int
    duty_id: int
    law_id: int
    version_id: int | None
    article: str | None
    paragraph: int | None           # 款 (None: the whole article)
    item: int | None                # 项
    version_note: str | None
    created_at: str                 # when the duty version was stored


_REF = ("SELECT c.id, c.duty_id, c.law_id, c.version_id, c.article, c.paragraph, c.item, c.version_note, "
        "d.created_at "
        "FROM citations c JOIN duties d ON d.id = c.duty_id WHERE d.is_current = 1")


# -- writing ---------------------------------------------------------------------------------------

def insert_citations(db: sqlite_utils.Database, duty_id: int, rows: Iterable[dict]) -> None:
    """Store parsed citations (dicts with the keys of ``COLUMNS`` but ``duty_id``) for a duty version."""
    db.conn.executemany(_INSERT, [[duty_id if c == "duty_id" else r.get(c) for c in COLUMNS] for r in rows])


_INSERT = f"INSERT INTO citations ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"


def update_citation(db: sqlite_utils.Database, citation_id: int, changes: dict) -> None:
    db["citations"].update(citation_id, changes)


def delete_unless_flagged(db: sqlite_utils.Database, citation_id: int) -> bool:
    """Drop a citation no flag points at; False (kept) when one does."""
    if next(db.query("SELECT 1 FROM flags WHERE citation_id = ?", [citation_id]), None):
        return False
    db["citations"].delete(citation_id)
    return True


# -- reading for impact ----------------------------------------------------------------------------

def current_of_law(db: sqlite_utils.Database, law_id: int, *, whole_law: bool = False,
                   articles: list[str] | None = None, written_for: Iterable[int] | None = None) -> list[CitationRef]:
    """Current duties' citations of a law: all of them; or, with ``whole_law``, those citing no
    article; with ``articles``, those citing one of these labels; with ``written_for``, those
    citing an article and written for one of these versions."""
    sql, params = _REF + " AND c.law_id = ?", [law_id]
    if whole_law:
        sql += " AND c.article IS NULL"
    elif articles is not None:
        sql += " AND c.article IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(articles, ensure_ascii=False))
    elif written_for is not None:
        sql += " AND c.article IS NOT NULL AND c.version_id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(sorted(written_for)))
    return list(db.query(sql, params))  # type: ignore[arg-type]


def current_of_duties(db: sqlite_utils.Database, duty_ids: Iterable[int]) -> list[CitationRef]:
    """The citations naming a known law of these duties (current versions only)."""
    return list(db.query(  # type: ignore[arg-type]
        _REF + " AND d.id IN (SELECT value FROM json_each(?)) AND c.law_id IS NOT NULL",
        [json.dumps(sorted(set(duty_ids)))]))


def current_since(db: sqlite_utils.Database, after_duty_id: int) -> list[CitationRef]:
    """Citations of current duties stored after ``after_duty_id`` that cite a law with a processed change."""
    return list(db.query(  # type: ignore[arg-type]
        _REF + " AND d.id > ? AND c.law_id IN (SELECT law_id FROM changes WHERE impact_done_at IS NOT NULL)",
        [after_duty_id]))


def refs(db: sqlite_utils.Database, ids: Iterable[int]) -> dict[int, CitationRef]:
    """These citations as impact judges them (any duty version), by id."""
    return {r["id"]: r for r in db.query(  # type: ignore[misc]
        _REF.replace(" WHERE d.is_current = 1", " WHERE c.id IN (SELECT value FROM json_each(?))"),
        [json.dumps(sorted(set(ids)))])}


def wrong_of_duty(db: sqlite_utils.Database, duty_id: int, field: str) -> list[tuple[str, str | None]]:
    """(raw, problem) of a duty version's citations in ``field`` that cite nothing real: an unknown
    law, an article the law does not have, or a repealed law. A provision cited on purpose by an
    older version (《…》（2017年修正）第五十一条) is stale, not wrong, and is not listed."""
    return [(r["raw"], r["problem"]) for r in db.query(
        "SELECT c.raw, c.problem FROM citations c LEFT JOIN laws l ON l.id = c.law_id "
        "WHERE c.duty_id = ? AND c.field = ? AND (c.resolution = 'unresolved' OR l.status = '已废止') "
        "ORDER BY c.ordinal", [duty_id, field])]


def count_unresolved(db: sqlite_utils.Database) -> int:
    """Unresolved citations of current duties."""
    return db.execute("SELECT count(*) FROM citations c JOIN duties d ON d.id = c.duty_id "
                      "WHERE d.is_current = 1 AND c.resolution = 'unresolved'").fetchone()[0]


def duties_citing(db: sqlite_utils.Database, law_ids: Iterable[int]) -> list[int]:
    """Current duties citing one of these laws, or having an unresolved citation."""
    return [r["duty_id"] for r in db.query(
        "SELECT DISTINCT c.duty_id FROM citations c JOIN duties d ON d.id = c.duty_id WHERE d.is_current = 1 "
        "AND (c.law_id IN (SELECT value FROM json_each(?)) OR c.resolution = 'unresolved')",
        [json.dumps(list(law_ids))])]


# -- reading whole rows ----------------------------------------------------------------------------

def of_duty(db: sqlite_utils.Database, duty_id: int) -> list[Citation]:
    """A duty version's citations in the order they were stored."""
    return list(db.query("SELECT * FROM citations WHERE duty_id = ? ORDER BY id", [duty_id]))  # type: ignore[arg-type]


def of_duty_with_dates(db: sqlite_utils.Database, duty_id: int) -> list[dict]:
    """``of_duty`` plus ``v_effective`` and ``v_promulgated`` of the version each was written for."""
    return list(db.query("SELECT c.*, v.effective AS v_effective, v.promulgated AS v_promulgated "
                         "FROM citations c LEFT JOIN versions v ON v.id = c.version_id WHERE c.duty_id = ?",
                         [duty_id]))


def get_with_date(db: sqlite_utils.Database, citation_id: int) -> dict:
    """One citation plus ``version_date``: the 公布日期 of the version it was written for."""
    return next(db.query("SELECT c.*, v.promulgated AS version_date FROM citations c "
                         "LEFT JOIN versions v ON v.id = c.version_id WHERE c.id = ?", [citation_id]))


def of_current_duties(db: sqlite_utils.Database, department_id: int | None = None) -> list[Citation]:
    """Citations of current duties (of one department), by duty, field and ordinal."""
    where, params = "d.is_current = 1", []
    if department_id is not None:
        where += " AND d.department_id = ?"
        params.append(department_id)
    return list(db.query(  # type: ignore[arg-type]
        f"SELECT c.* FROM citations c JOIN duties d ON d.id = c.duty_id WHERE {where} "
        "ORDER BY c.duty_id, c.field, c.ordinal", params))


def resolutions_by_department(db: sqlite_utils.Database) -> list[tuple[int, str, int]]:
    """(department id, resolution, count) over current duties' citations."""
    return [(r["department_id"], r["resolution"], r["n"]) for r in db.query(
        "SELECT d.department_id, c.resolution, count(*) AS n FROM citations c JOIN duties d ON d.id = c.duty_id "
        "WHERE d.is_current = 1 GROUP BY d.department_id, c.resolution")]
