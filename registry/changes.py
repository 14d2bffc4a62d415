"""Change events of a law (``changes``) and what each did to its articles (``article_changes``).

``impact.record`` decides what a new text or status means and writes it through ``write_change``;
impact processing reads the changes back (``unprocessed``, ``processed_of_law``, ``article_changes``)
and marks them done.

>>> from registry.schema import connect
>>> from registry.laws import ensure_law
>>> db = connect(":memory:")
>>> law = ensure_law(db, "示例法")
>>> cid = write_change(db, law_id=law, kind="repealed", dedupe_key=f"repealed:{law}", detail={"source": "import"})
>>> write_change(db, law_id=law, kind="repealed", dedupe_key=f"repealed:{law}") == cid
True
>>> [c["kind"] for c in unprocessed(db)], get_change(db, cid)["detail"]
(['repealed'], {'source': 'import'})
"""

from __future__ import annotations

import json
from typing import Iterable, TypedDict

import sqlite_utils

from config.clock import now, stamp

#: Change kinds that carry article changes (the others flag by law, or not at all).
ARTICLE_KINDS = ("amended", "text_corrected", "renamed")


class Change(TypedDict):
    """A row of ``changes``; ``summary``, ``detail`` and ``check_notes`` decoded from JSON."""

    id: int
    law_id: int
    kind: str                       # enacted/amended/repealed/renamed/takes_effect/text_corrected
    old_version_id: int | None
    new_version_id: int | None
    published: str | None
    effective: str | None
    summary: dict                   # counts by article status
    instrument_id: int | None
    check_notes: list
    detail: dict                    # old/new title, successor …
    detected_run_id: int | None
    detected_at: str
    impact_done_at: str | None
    dedupe_key: str
    reported_run_id: int | None


class ArticleChange(TypedDict):
    """What a change did to one article (or to a few, for split and merged ones)."""

    id: int
    change_id: int
    ordinal: int
    status: str                     # unchanged/renumbered/modified/inserted/deleted/split/merged
    old_labels: list[str]
    new_labels: list[str]
    old_label: str | None
    new_label: str | None
    similarity: float | None
    substance: str | None           # substantive/references_only/editorial
    diff: list | None               # diff-match-patch ops
    provisions: list | None         # where each old 款/项 went (DESIGN §5 "paragraphs"), None if unknown


def _change(row: dict) -> Change:
    for key, empty in (("summary", "{}"), ("detail", "{}"), ("check_notes", "[]")):
        row[key] = json.loads(row.get(key) or empty)
    return row  # type: ignore[return-value]


def _article_change(row: dict) -> ArticleChange:
    row["old_labels"] = json.loads(row["old_labels"] or "[]")
    row["new_labels"] = json.loads(row["new_labels"] or "[]")
    row["diff"] = json.loads(row["diff"]) if row["diff"] else None
    row["provisions"] = json.loads(row["provisions"]) if row.get("provisions") else None
    return row  # type: ignore[return-value]


# -- writing ---------------------------------------------------------------------------------------

def write_change(
    db: sqlite_utils.Database, *, law_id: int, kind: str, dedupe_key: str,
    old_version_id: int | None = None, new_version_id: int | None = None,
    published: str | None = None, effective: str | None = None, run_id: int | None = None,
    detail: dict | None = None, summary: dict | None = None, instrument_id: int | None = None,
    articles: Iterable[dict] = (), alignment: int | None = None,
) -> int:
    """Write a change and its article changes once: the id of the change with this ``dedupe_key``.

    ``articles`` are dicts with ``status``, ``old_labels``, ``new_labels`` (lists), ``similarity``,
    ``substance``, ``diff`` (ops or None) and ``provisions`` (the 款/项 rows, or None), in order;
    ``alignment`` the generation of the alignment that computed them. Call inside a transaction.
    """
    existing = next(db.query("SELECT id FROM changes WHERE dedupe_key = ?", [dedupe_key]), None)
    if existing:
        return existing["id"]
    change_id = db["changes"].insert({
        "law_id": law_id, "kind": kind, "old_version_id": old_version_id, "new_version_id": new_version_id,
        "published": published, "effective": effective,
        "summary": json.dumps(summary or {}, ensure_ascii=False), "instrument_id": instrument_id,
        "check_notes": "[]", "detail": json.dumps(detail or {}, ensure_ascii=False),
        "detected_run_id": run_id, "detected_at": stamp(), "dedupe_key": dedupe_key, "alignment": alignment,
    }).last_pk
    _insert_articles(db, change_id, articles)
    return change_id


def _insert_articles(db: sqlite_utils.Database, change_id: int, articles: Iterable[dict]) -> None:
    rows = [{
        "change_id": change_id, "ordinal": ordinal, "status": a["status"],
        "old_labels": json.dumps(list(a["old_labels"]), ensure_ascii=False),
        "new_labels": json.dumps(list(a["new_labels"]), ensure_ascii=False),
        "old_label": a["old_labels"][0] if a["old_labels"] else None,
        "new_label": a["new_labels"][0] if a["new_labels"] else None,
        "similarity": a.get("similarity"), "substance": a.get("substance"),
        "diff": json.dumps(a["diff"], ensure_ascii=False) if a.get("diff") is not None else None,
        "provisions": json.dumps(a["provisions"], ensure_ascii=False) if a.get("provisions") is not None else None,
    } for ordinal, a in enumerate(articles)]
    if rows:
        db["article_changes"].insert_all(rows)


def realign(db: sqlite_utils.Database, change_id: int, articles: Iterable[dict], *, summary: dict,
            alignment: int) -> None:
    """Replace a change's article changes by those of a newer alignment (``write_change``'s
    ``articles``) and mark the change with its generation. The change's flags lose their link to
    the old rows; the caller links them again (``registry.flags.relink`` / ``correct``). Call
    inside a transaction."""
    db.execute("UPDATE flags SET article_change_id = NULL WHERE change_id = ?", [change_id])
    db.execute("DELETE FROM article_changes WHERE change_id = ?", [change_id])
    _insert_articles(db, change_id, articles)
    db["changes"].update(change_id, {"summary": json.dumps(summary, ensure_ascii=False), "alignment": alignment})


def to_realign(db: sqlite_utils.Database, alignment: int) -> list[Change]:
    """Changes between two texts whose article changes an older alignment computed, oldest first."""
    return [_change(r) for r in db.query(
        "SELECT * FROM changes WHERE kind IN ('amended', 'text_corrected', 'renamed') "
        "AND old_version_id IS NOT NULL AND new_version_id IS NOT NULL "
        "AND (alignment IS NULL OR alignment < ?) ORDER BY id", [alignment])]


def set_detail(db: sqlite_utils.Database, change_id: int, detail: dict) -> None:
    db["changes"].update(change_id, {"detail": json.dumps(detail, ensure_ascii=False)})


def set_check(db: sqlite_utils.Database, change_id: int, instrument_id: int, notes: list) -> None:
    """Name the amending instrument a change was checked against, and the disagreements found."""
    db["changes"].update(change_id, {"instrument_id": instrument_id,
                                     "check_notes": json.dumps(notes, ensure_ascii=False)})


def mark_impact_done(db: sqlite_utils.Database, change_id: int) -> None:
    db["changes"].update(change_id, {"impact_done_at": now()})


# -- reading ---------------------------------------------------------------------------------------

def get_change(db: sqlite_utils.Database, change_id: int) -> Change:
    rows = list(db.query("SELECT * FROM changes WHERE id = ?", [change_id]))
    if not rows:
        raise KeyError(f"no change with id {change_id}")
    return _change(rows[0])


def unprocessed(db: sqlite_utils.Database) -> list[Change]:
    """Changes impact has not looked at yet, oldest first."""
    return [_change(r) for r in db.query("SELECT * FROM changes WHERE impact_done_at IS NULL ORDER BY id")]


def processed_of_law(db: sqlite_utils.Database, law_id: int) -> list[Change]:
    """A law's changes impact has already looked at, oldest first."""
    return [_change(r) for r in db.query(
        "SELECT * FROM changes WHERE law_id = ? AND impact_done_at IS NOT NULL ORDER BY id", [law_id])]


def repeals_of_law(db: sqlite_utils.Database, law_id: int) -> list[Change]:
    return [_change(r) for r in db.query("SELECT * FROM changes WHERE law_id = ? AND kind = 'repealed'", [law_id])]


def between(db: sqlite_utils.Database, old_version_id: int, new_version_id: int) -> Change | None:
    """The (first) change that took a law from one version to another."""
    row = next(db.query("SELECT * FROM changes WHERE old_version_id = ? AND new_version_id = ? ORDER BY id LIMIT 1",
                        [old_version_id, new_version_id]), None)
    return _change(row) if row else None


def version_links(db: sqlite_utils.Database, law_id: int) -> list[tuple[int, int, int]]:
    """(change id, old version id, new version id) of a law's changes between two texts, oldest first."""
    return [(r["id"], r["old_version_id"], r["new_version_id"]) for r in db.query(
        "SELECT id, old_version_id, new_version_id FROM changes WHERE law_id = ? "
        "AND kind IN ('amended', 'text_corrected', 'renamed') AND old_version_id IS NOT NULL "
        "AND new_version_id IS NOT NULL ORDER BY id", [law_id])]


def amendments_to_check(db: sqlite_utils.Database) -> list[dict]:
    """Amendments not yet checked against an amending instrument, impact still pending:
    {id, law_id, published, old_version_id, new_version_id, title, short_title}."""
    return list(db.query(
        "SELECT c.id, c.law_id, c.published, c.old_version_id, c.new_version_id, l.title, l.short_title "
        "FROM changes c JOIN laws l ON l.id = c.law_id WHERE c.kind IN ('amended', 'text_corrected') "
        "AND c.instrument_id IS NULL AND c.impact_done_at IS NULL AND c.published IS NOT NULL"))


def article_changes(db: sqlite_utils.Database, change_id: int) -> list[ArticleChange]:
    """A change's article changes in order, JSON decoded."""
    return [_article_change(r) for r in db.query(
        "SELECT * FROM article_changes WHERE change_id = ? ORDER BY ordinal", [change_id])]


def get_article_change(db: sqlite_utils.Database, article_change_id: int) -> ArticleChange | None:
    row = next(db.query("SELECT * FROM article_changes WHERE id = ?", [article_change_id]), None)
    return _article_change(row) if row else None


class DetectedChange(Change):
    law_title: str


def detected(db: sqlite_utils.Database, *, run_id: int | None = None, since: str | None = None) -> list[DetectedChange]:
    """Changes found by run ``run_id`` or since the UTC time ``since`` (all without either), with
    their law's title, newest first (``yiju changes``)."""
    where, params = [], []
    if run_id is not None:
        where.append("c.detected_run_id = ?")
        params.append(run_id)
    if since is not None:
        where.append("c.detected_at >= ?")
        params.append(since)
    return [_change(r) for r in db.query(  # type: ignore[misc]
        "SELECT c.*, l.title AS law_title FROM changes c JOIN laws l ON l.id = c.law_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY c.detected_at DESC, c.id DESC", params)]


# -- repeals a text writes (``repeal_clauses``) --------------------------------------------------

def add_repeal_clause(db: sqlite_utils.Database, *, name: str, name_key: str, by_title: str,
                      by_law_id: int | None, effective: str | None, replaces: bool, source: str,
                      instrument_id: int | None = None) -> None:
    """Keep a repeal a registered text writes (once per name, repealing text and date)."""
    db.execute("INSERT OR IGNORE INTO repeal_clauses (name, name_key, by_title, by_law_id, effective, replaces, "
               "source, instrument_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               [name, name_key, by_title, by_law_id, effective, int(bool(replaces)), source, instrument_id, now()])


def repeal_clauses(db: sqlite_utils.Database, name_keys: Iterable[str]) -> list[dict]:
    """The repeals registered texts wrote of an instrument known by one of these keys, oldest first."""
    return list(db.query("SELECT * FROM repeal_clauses WHERE name_key IN (SELECT value FROM json_each(?)) "
                         "ORDER BY id", [json.dumps(sorted(set(name_keys)), ensure_ascii=False)]))
