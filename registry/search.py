"""Finding articles by their text, and listing the laws the registry holds.

Words of three characters or more go through the FTS5 index (trigram tokenizer); shorter ones
(罚款, 吊销) cannot use a trigram index and are matched with LIKE. All words must occur.
Articles of each law's current version come first.

>>> from registry.schema import connect
>>> from impact.record import record_version
>>> db = connect(":memory:")
>>> _ = record_version(db, title="示例法", text="第一条　违反本法的，处以罚款。\\n第二条　本法施行。", source="import")
>>> r = search_articles(db, "罚款")
>>> r.total, r.hits[0].label, r.hits[0].marked
(1, '第一条', '违反本法的，处以【罚款】。')
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

import sqlite_utils
from texts.levels import level_order

MARK_OPEN, MARK_CLOSE = "【", "】"
#: Characters shown on each side of the first match.
CONTEXT = 40
_SPLIT = re.compile(r"[\s\u3000]+")


#: More words than this is no search a person means (and SQLite's expression depth is 1000).
MAX_WORDS = 50
MAX_CHARS = 1000


class SearchError(ValueError):
    """A query that cannot be run; the message is for the user."""


@dataclass(frozen=True)
class Hit:
    law_id: int
    law: str
    law_status: str
    version_id: int
    promulgated: str | None
    current: bool
    label: str
    path: str
    text: str
    passage: str                      # the part of the text around the first match
    spans: tuple[tuple[int, int], ...]  # where the words are in ``passage``

    @property
    def marked(self) -> str:
        """The passage with each occurrence of the words between 【】."""
        out, last = [], 0
        for start, end in self.spans:
            out += [self.passage[last:start], MARK_OPEN, self.passage[start:end], MARK_CLOSE]
            last = end
        out.append(self.passage[last:])
        return "".join(out)

    def to_json(self) -> dict:
        return {
            "law": self.law, "law_id": self.law_id, "law_status": self.law_status,
            "version_id": self.version_id, "promulgated": self.promulgated, "current": self.current,
            "label": self.label, "path": self.path, "text": self.text,
            "passage": self.passage, "spans": [list(s) for s in self.spans],
        }


@dataclass(frozen=True)
class Result:
    words: tuple[str, ...]
    total: int
    hits: list[Hit]


_CURRENT = """
    SELECT v.id FROM versions v
    WHERE v.review_state = 'accepted' AND NOT EXISTS (
        SELECT 1 FROM versions w
        WHERE w.law_id = v.law_id AND w.review_state = 'accepted'
          AND (coalesce(w.promulgated, ''), w.id) > (coalesce(v.promulgated, ''), v.id))
"""


def search_articles(db: sqlite_utils.Database, query: str, *, limit: int = 20, context: int = CONTEXT) -> Result:
    """Articles containing every word of ``query`` (see the module docstring)."""
    words = tuple(dict.fromkeys(w for w in _SPLIT.split(query.strip()) if w))
    if not words:
        raise SearchError("请给出要查找的词语")
    if len(words) > MAX_WORDS:
        raise SearchError(f"一次最多查找 {MAX_WORDS} 个词语（给出了 {len(words)} 个），请减少词语")
    if sum(len(w) for w in words) > MAX_CHARS:
        raise SearchError(f"查找的词语总长超过 {MAX_CHARS} 字，请缩短")
    long_words = [w for w in words if len(w) >= 3]
    short_words = [w for w in words if len(w) < 3]
    where = ["v.review_state = 'accepted'"]
    params: list = []
    join = ""
    rank = "NULL"
    if long_words:
        join = "JOIN articles_fts f ON f.rowid = a.id"
        where.append("articles_fts MATCH ?")
        params.append(" ".join('"' + w.replace('"', '""') + '"' for w in long_words))
        rank = "f.rank"
    for w in short_words:
        where.append("a.text LIKE ? ESCAPE '\\'")
        params.append("%" + re.sub(r"([\\%_])", r"\\\1", w) + "%")
    base = f"""
        FROM articles a {join}
        JOIN versions v ON v.id = a.version_id
        JOIN laws l ON l.id = v.law_id
        WHERE {' AND '.join(where)}
    """
    rows = db.execute(
        f"""WITH cur(id) AS ({_CURRENT})
        SELECT l.id, l.title, l.status, v.id, v.promulgated, a.version_id IN (SELECT id FROM cur),
               a.label, a.path, a.text, count(*) OVER () AS total
        {base}
        ORDER BY a.version_id IN (SELECT id FROM cur) DESC,
                 l.status IN ('有效', '尚未生效') DESC,
                 {_level_rank()}, {rank}, l.title, v.promulgated DESC, a.ordinal
        LIMIT ?""",
        [*params, limit],
    ).fetchall()
    total = rows[0][-1] if rows else 0
    hits = [_hit(row[:-1], words, context) for row in rows]
    return Result(words, total, hits)


def _level_rank() -> str:
    cases = " ".join(f"WHEN '{level}' THEN {i}" for i, level in enumerate(level_order()))
    return f"CASE l.level {cases} ELSE 99 END"


def _hit(row, words: tuple[str, ...], context: int) -> Hit:
    law_id, title, status, version_id, promulgated, current, label, path, text = row
    flat = text.replace("\n", " ")
    lower = flat.lower()
    # One window around the first occurrence of each word; overlapping windows are merged.
    windows: list[list[int]] = []
    for i in sorted(i for i in (lower.find(w.lower()) for w in words) if i >= 0) or [0]:
        start, end = max(0, i - context), min(len(flat), i + context * 2)
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        else:
            windows.append([start, end])
    pieces = []
    for start, end in windows:
        pieces.append(("…" if start > 0 and not pieces else "") + flat[start:end] + ("…" if end < len(flat) else ""))
    passage = "".join(pieces)
    return Hit(law_id, title, status, version_id, promulgated, bool(current), label, path, text,
               passage, _spans(passage, words))


def _spans(passage: str, words: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    lower = passage.lower()
    found: list[tuple[int, int]] = []
    for w in sorted(words, key=len, reverse=True):
        lw = w.lower()
        i = lower.find(lw)
        while i >= 0:
            span = (i, i + len(w))
            if not any(s < span[1] and span[0] < e for s, e in found):
                found.append(span)
            i = lower.find(lw, i + len(lw))
    return tuple(sorted(found))


def list_laws(db: sqlite_utils.Database) -> list[dict]:
    """Every law with its level, status and versions (date, article count), by title.

    Versions are oldest first; ``articles`` counts the articles stored for each version.
    """
    counts = dict(db.execute("SELECT version_id, count(*) FROM articles GROUP BY version_id").fetchall())
    versions: dict[int, list[dict]] = {}
    for vid, law_id, promulgated, effective, status, source, review_state in db.execute(
        "SELECT id, law_id, promulgated, effective, status, source, review_state FROM versions "
        "ORDER BY coalesce(promulgated, ''), id"
    ).fetchall():
        versions.setdefault(law_id, []).append({
            "id": vid, "promulgated": promulgated, "effective": effective, "status": status,
            "source": source, "review_state": review_state, "articles": counts.get(vid, 0),
        })
    out = []
    for law_id, title, level, status, region, aliases, repealed_on in db.execute(
        "SELECT id, title, level, status, region, aliases, repealed_on FROM laws ORDER BY title"
    ).fetchall():
        out.append({"id": law_id, "title": title, "level": level, "status": status, "region": region,
                    "repealed_on": repealed_on, "versions": versions.get(law_id, [])})
    return out


@contextlib.contextmanager
def index_in_bulk(db: sqlite_utils.Database):
    """Inside a transaction: index the articles written in this block in one pass at its end.

    The per-row trigger of the full-text index costs about 2.5 times one pass over the new rows
    (bench/national.py). The trigger is dropped and put back inside the caller's transaction, so
    no other connection ever sees it missing, and a block that fails leaves everything as it was.
    """
    if not db.conn.in_transaction:
        raise RuntimeError("index_in_bulk needs a transaction (db.atomic())")
    row = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'articles_ai'").fetchone()
    if row is None:  # already deferred by an outer block
        yield
        return
    start = db.execute("SELECT coalesce(max(rowid), 0) FROM articles").fetchone()[0]
    db.execute('DROP TRIGGER "articles_ai"')
    try:
        yield
        db.execute('INSERT INTO "articles_fts" (rowid, "text") SELECT rowid, "text" FROM articles WHERE rowid > ?',
                   [start])
    finally:
        db.execute(row[0])

