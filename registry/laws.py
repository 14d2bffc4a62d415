"""Laws (works) and their versions (texts) in the registry.

Writing a version together with its change event is ``impact.record.record_version``;
this module is the plain reading and writing underneath.

>>> from registry.schema import connect
>>> db = connect(":memory:")
>>> law_id = ensure_law(db, "中华人民共和国行政处罚法", level="法律")
>>> find_law(db, "中华人民共和国行政处罚法")["level"]
'法律'
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Iterable, TypedDict

import sqlite_utils

from config.clock import now

if TYPE_CHECKING:  # pragma: no cover
    from texts.structure import LawText

STATUSES = ("有效", "已修改", "已废止", "尚未生效")


class Law(TypedDict):
    """A row of ``laws``; ``aliases`` decoded."""

    id: int
    title: str
    short_title: str | None
    aliases: list[str]
    level: str | None
    category_code: int | None
    issuer: str | None
    region: str | None
    status: str                     # 有效/已修改/已废止/尚未生效
    successor_id: int | None
    repealed_on: str | None
    created_at: str
    updated_at: str


def find_law(db: sqlite_utils.Database, title: str) -> Law | None:
    """The law with exactly this title (or this alias), or None."""
    row = next(db.query("SELECT * FROM laws WHERE title = ?", [title]), None)
    if row is None:
        row = next(db.query(  # law_names mirrors laws.aliases (triggers of migration 0006)
            "SELECT laws.* FROM law_names n JOIN laws ON laws.id = n.law_id WHERE n.name = ? ORDER BY laws.id LIMIT 1",
            [title]), None)
    return _law(row) if row is not None else None


def get_law(db: sqlite_utils.Database, law_id: int) -> Law:
    row = next(db.query("SELECT * FROM laws WHERE id = ?", [law_id]), None)
    if row is None:
        raise KeyError(f"no law with id {law_id}")
    return _law(row)


def all_laws(db: sqlite_utils.Database) -> list[Law]:
    """Every law, by id (the citation resolver indexes their names)."""
    return [_law(r) for r in db.query("SELECT * FROM laws ORDER BY id")]


def _law(row: dict) -> Law:
    row["aliases"] = json.loads(row["aliases"] or "[]")
    return row  # type: ignore[return-value]


def fingerprint(db: sqlite_utils.Database) -> tuple:
    """A value that changes whenever a law, a version or a change is written (cache keys).

    Kept by triggers (migration 0005): one row to read, whatever the registry's size.
    """
    return tuple(db.execute("SELECT value FROM generations WHERE name = 'laws'").fetchone())


def ensure_law(
    db: sqlite_utils.Database,
    title: str,
    *,
    level: str | None = None,
    status: str | None = None,
    issuer: str | None = None,
    region: str | None = None,
    category_code: int | None = None,
    short_title: str | None = None,
) -> int:
    """The id of the law titled ``title``, created when new; empty fields are filled in."""
    existing = find_law(db, title)
    stamp = now()
    if existing is None:
        if short_title is None and title.startswith("中华人民共和国") and len(title) > 7:
            short_title = title[len("中华人民共和国"):]
        return db["laws"].insert(
            {
                "title": title,
                "short_title": short_title,
                "aliases": "[]",
                "level": level,
                "category_code": category_code,
                "issuer": issuer,
                "region": region,
                "status": status or "有效",
                "created_at": stamp,
                "updated_at": stamp,
            }
        ).last_pk
    updates = {
        key: value
        for key, value in {
            "level": level,
            "issuer": issuer,
            "region": region,
            "category_code": category_code,
            "short_title": short_title,
        }.items()
        if value is not None and existing.get(key) in (None, "")
    }
    if updates:
        updates["updated_at"] = stamp
        db["laws"].update(existing["id"], updates)
    return existing["id"]


def add_alias(db: sqlite_utils.Database, law_id: int, alias: str) -> None:
    """Remember another name of a law (a former title, a name used by a source)."""
    law = get_law(db, law_id)
    if alias == law["title"] or alias in law["aliases"]:
        return
    db["laws"].update(law_id, {"aliases": json.dumps(law["aliases"] + [alias], ensure_ascii=False),
                               "updated_at": now()})


def rename_law(db: sqlite_utils.Database, law_id: int, new_title: str) -> None:
    """Give a law a new title; the old one becomes an alias."""
    law = get_law(db, law_id)
    aliases = list(law["aliases"])
    if law["title"] not in aliases:
        aliases.append(law["title"])
    db["laws"].update(law_id, {"title": new_title, "aliases": json.dumps(aliases, ensure_ascii=False),
                               "updated_at": now()})


def versions(db: sqlite_utils.Database, law_id: int, *, accepted_only: bool = True) -> list[dict]:
    """Versions of a law, oldest first (by 公布日期, then by id)."""
    where = "law_id = ?" + (" AND review_state = 'accepted'" if accepted_only else "")
    return list(
        db["versions"].rows_where(where, [law_id], order_by="coalesce(promulgated, ''), id")
    )


_VERSION_COLUMNS: str | None = None


def versions_with_text(db: sqlite_utils.Database, law_id: int) -> list[dict]:
    """The accepted versions of a law that have a text, oldest first, without the text itself."""
    global _VERSION_COLUMNS
    if _VERSION_COLUMNS is None:
        _VERSION_COLUMNS = ", ".join(c for c in db["versions"].columns_dict if c != "text")
    return list(db.query(f"SELECT {_VERSION_COLUMNS} FROM versions WHERE law_id = ? AND review_state = 'accepted' "
                         "AND text IS NOT NULL ORDER BY coalesce(promulgated, ''), id", [law_id]))


def latest_version(db: sqlite_utils.Database, law_id: int) -> dict | None:
    """The newest accepted version of a law (the one yiju compares new texts against)."""
    rows = list(db["versions"].rows_where("law_id = ? AND review_state = 'accepted'", [law_id],
                                          order_by="coalesce(promulgated, '') DESC, id DESC", limit=1))
    return rows[0] if rows else None


def version_in_force(db: sqlite_utils.Database, law_id: int, on: str) -> dict | None:
    """The version in force on date ``on``: the newest whose 施行日期 (else 公布日期) is not after it.

    Falls back to the oldest version when every version is younger than ``on``.
    """
    rows = versions(db, law_id)
    chosen = None
    for row in rows:
        start = row["effective"] or row["promulgated"] or ""
        if start <= on:
            chosen = row
    return chosen or (rows[0] if rows else None)


def get_version(db: sqlite_utils.Database, version_id: int) -> dict:
    return db["versions"].get(version_id)


def version_dates(db: sqlite_utils.Database, law_id: int) -> dict[int, str | None]:
    """Version id → 公布日期 for every version of a law (held ones too)."""
    return {r["id"]: r["promulgated"] for r in db.query("SELECT id, promulgated FROM versions WHERE law_id = ?",
                                                        [law_id])}


def version_date(db: sqlite_utils.Database, version_id: int | None) -> tuple[str | None, str | None]:
    """(公布日期, 制定/修正/修订) of a version; (None, None) for none."""
    row = next(db.query("SELECT promulgated, revision FROM versions WHERE id = ?", [version_id]), None)
    return (row["promulgated"], row["revision"]) if row else (None, None)


def version_text(db: sqlite_utils.Database, version_id: int) -> str | None:
    row = next(db.query("SELECT text FROM versions WHERE id = ?", [version_id]), None)
    return row["text"] if row else None


def accepted_with_text(db: sqlite_utils.Database, law_id: int, sha: str) -> int | None:
    """The accepted version of a law whose text has this sha256, if any."""
    row = next(db.query("SELECT id FROM versions WHERE law_id = ? AND text_sha256 = ? AND review_state = 'accepted'",
                        [law_id, sha]), None)
    return row["id"] if row else None


def accepted_versions_with_text(db: sqlite_utils.Database, law_id: int, sha: str) -> list[tuple[int, str | None]]:
    """(id, 公布日期) of the accepted versions of a law whose text has this sha256, oldest first."""
    return [(r["id"], r["promulgated"]) for r in db.query(
        "SELECT id, promulgated FROM versions WHERE law_id = ? AND text_sha256 = ? AND review_state = 'accepted' "
        "ORDER BY id", [law_id, sha])]


def reviewed_with_text(db: sqlite_utils.Database, law_id: int, sha: str) -> int | None:
    """A version with this text held for review or rejected by a person (never stored twice)."""
    row = next(db.query("SELECT id FROM versions WHERE law_id = ? AND text_sha256 = ? "
                        "AND review_state != 'accepted' ORDER BY id LIMIT 1", [law_id, sha]), None)
    return row["id"] if row else None


def set_review_state(db: sqlite_utils.Database, version_id: int, state: str) -> None:
    """accepted / held / rejected (``yiju laws accept|reject``)."""
    db["versions"].update(version_id, {"review_state": state})


def set_version_status(db: sqlite_utils.Database, version_id: int, status: str) -> None:
    db["versions"].update(version_id, {"status": status})


def supersede_older_versions(db: sqlite_utils.Database, law_id: int, version_id: int) -> None:
    """The accepted versions other than ``version_id`` still 有效 become 已修改 (the new one is in force)."""
    db.execute("UPDATE versions SET status = '已修改' WHERE law_id = ? AND id != ? "
               "AND review_state = 'accepted' AND coalesce(status, '有效') = '有效'", [law_id, version_id])


def source_ids(db: sqlite_utils.Database, source: str) -> set[str]:
    """Every source id of ``source``'s versions (what an import of that source already holds)."""
    return {r[0] for r in db.execute("SELECT source_id FROM versions WHERE source = ? AND source_id IS NOT NULL",
                                     [source])}


def version_by_source(db: sqlite_utils.Database, source: str, source_id: str) -> dict | None:
    rows = list(db["versions"].rows_where("source = ? AND source_id = ?", [source, source_id]))
    return rows[0] if rows else None


def add_version(
    db: sqlite_utils.Database,
    law_id: int,
    parsed: "LawText | None",
    *,
    title: str,
    source: str,
    text: str | None,
    text_sha256: str | None,
    source_id: str | None = None,
    promulgated: str | None = None,
    effective: str | None = None,
    revision: str | None = None,
    status: str | None = None,
    raw_blob: str | None = None,
    raw_format: str | None = None,
    run_id: int | None = None,
    review_state: str = "accepted",
    review_reason: str | None = None,
) -> int:
    """Insert a version and its articles; returns the version id. Call inside a transaction."""
    version_id = db["versions"].insert(
        {
            "law_id": law_id,
            "source": source,
            "source_id": source_id,
            "title": title,
            "promulgated": promulgated,
            "effective": effective,
            "revision": revision,
            "status": status,
            "note": parsed.note if parsed is not None else None,
            "text": text,
            "text_sha256": text_sha256,
            "raw_blob": raw_blob,
            "raw_format": raw_format,
            "review_state": review_state,
            "review_reason": review_reason,
            "fetched_at": now(),
            "run_id": run_id,
        }
    ).last_pk
    if parsed is not None:
        db.conn.executemany(
            "INSERT INTO articles (version_id, label, number, suffix, ordinal, path, text, paragraphs) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", _article_rows(version_id, parsed.articles))
    return version_id


def _article_rows(version_id: int, articles: Iterable) -> Iterable[tuple]:
    for a in articles:
        yield (version_id, a.label, a.number, a.suffix, a.ordinal, a.path, a.text,
               json.dumps([{"text": p.text, "items": list(p.items)} for p in a.paragraphs], ensure_ascii=False))


def articles_of(db: sqlite_utils.Database, version_id: int) -> list[dict]:
    """Articles of a version in order, paragraphs decoded."""
    rows = list(db["articles"].rows_where("version_id = ?", [version_id], order_by="ordinal"))
    for r in rows:
        r["paragraphs"] = json.loads(r["paragraphs"])
    return rows


def article_numbered(db: sqlite_utils.Database, version_id: int, number: int, suffix: int) -> dict | None:
    """The article 第number条(之suffix) of a version, paragraphs decoded; None when it has none."""
    cursor = db.execute("SELECT * FROM articles WHERE version_id = ? AND number = ? AND suffix = ? "
                        "ORDER BY ordinal LIMIT 1", [version_id, number, suffix])
    row = cursor.fetchone()
    if row is None:
        return None
    found = dict(zip([c[0] for c in cursor.description], row))
    found["paragraphs"] = json.loads(found["paragraphs"])
    return found


def article(db: sqlite_utils.Database, version_id: int, label: str) -> dict | None:
    rows = list(db["articles"].rows_where("version_id = ? AND label = ?", [version_id, label]))
    if not rows:
        return None
    rows[0]["paragraphs"] = json.loads(rows[0]["paragraphs"])
    return rows[0]


def article_texts(db: sqlite_utils.Database, version_id: int | None,
                  labels: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(label, text) of a version's articles: all of them in order, or those of ``labels`` in that
    order (labels the version lacks are left out). The one way article texts are read.

    >>> from registry.schema import connect
    >>> db = connect(":memory:")
    >>> article_texts(db, None), article_texts(db, 1, ["第一条"])
    ([], [])
    """
    if not version_id:
        return []
    if labels is None:
        return [(r["label"], r["text"]) for r in db.query(
            "SELECT label, text FROM articles WHERE version_id = ? ORDER BY ordinal", [version_id])]
    wanted = list(dict.fromkeys(labels))
    found = {r["label"]: r["text"] for r in db.query(
        "SELECT label, text FROM articles WHERE version_id = ? AND label IN (SELECT value FROM json_each(?))",
        [version_id, json.dumps(wanted, ensure_ascii=False)])}
    return [(label, found[label]) for label in wanted if label in found]


def article_text(db: sqlite_utils.Database, version_id: int | None, label: str) -> str | None:
    """The text of one article of a version, or None."""
    found = article_texts(db, version_id, [label])
    return found[0][1] if found else None


def pending_repeals(db: sqlite_utils.Database) -> list[int]:
    """Laws with a repeal recorded (a ``repealed`` change) that are not 已废止 yet: 即将废止."""
    return [r["id"] for r in db.query(
        "SELECT l.id FROM laws l WHERE l.status != '已废止' AND l.repealed_on IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM changes c WHERE c.law_id = l.id AND c.kind = 'repealed') ORDER BY l.id")]


def set_law_status(
    db: sqlite_utils.Database,
    law_id: int,
    status: str,
    *,
    successor_id: int | None = None,
    repealed_on: str | None = None,
) -> None:
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    updates: dict = {"status": status, "updated_at": now()}
    if successor_id is not None:
        updates["successor_id"] = successor_id
    if repealed_on is not None:
        updates["repealed_on"] = repealed_on
    db["laws"].update(law_id, updates)
    if status == "已废止":  # the text that was in force is no longer (flk marks the version 废止 too)
        db.execute("UPDATE versions SET status = '已废止' WHERE law_id = ? AND review_state = 'accepted' "
                   "AND coalesce(status, '有效') = '有效'", [law_id])


def versions_of_run_mentioning(db: sqlite_utils.Database, run_id: int | None, word: str, *,
                               except_law: int) -> list[dict]:
    """Accepted versions recorded in run ``run_id`` whose text contains ``word``, other laws only:
    [{'law_id', 'text'}] (a night's new texts that may repeal a law)."""
    return list(db["versions"].rows_where(
        "run_id IS ? AND law_id != ? AND review_state = 'accepted' AND text LIKE ?",
        [run_id, except_law, f"%{word}%"], select="law_id, text"))


def laws_without_successor(db: sqlite_utils.Database, law_ids: Iterable[int]) -> list[int]:
    """Those of ``law_ids`` whose successor is not known."""
    return [r["id"] for r in db.query(
        "SELECT id FROM laws WHERE id IN (SELECT value FROM json_each(?)) AND successor_id IS NULL",
        [json.dumps(list(law_ids))])]
