"""Finding articles by their text, and listing the laws the registry holds.

Words of three characters or more go through the FTS5 index (trigram tokenizer); a word of two
(罚款, 吊销) through the index's trigrams that begin with it and an index of each article's last two
characters (migration 0011); a single character is matched with LIKE. All words must occur.
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
import json
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


def search_articles(db: sqlite_utils.Database, query: str, *, limit: int = 20, context: int = CONTEXT) -> Result:
    """Articles containing every word of ``query`` (see the module docstring).

    Order: current versions first, then laws in force, by level (宪法, 法律 …), by relevance
    (words of three characters or more), title, newest version first, article. At national size
    (two million articles; a two-character word in a tenth of them) neither every hit nor every
    article is read: the hits are article ids from the indexes, and articles are taken a rank of
    versions at a time, best first, until ``limit`` are found (bench/national.py).
    """
    words = tuple(dict.fromkeys(w for w in _SPLIT.split(query.strip()) if w))
    if not words:
        raise SearchError("请给出要查找的词语")
    if len(words) > MAX_WORDS:
        raise SearchError(f"一次最多查找 {MAX_WORDS} 个词语（给出了 {len(words)} 个），请减少词语")
    if sum(len(w) for w in words) > MAX_CHARS:
        raise SearchError(f"查找的词语总长超过 {MAX_CHARS} 字，请缩短")
    match = " ".join(_quoted(w) for w in words if len(w) >= 3) or None
    ranks: dict[int, float] = {}
    found = _found(db, words, match, ranks)
    shelf = _shelf(db)
    if found and shelf.unused:
        found -= {i for (i,) in db.execute("SELECT id FROM articles WHERE version_id IN (SELECT value FROM json_each(?))",
                                           [json.dumps(shelf.unused)])}
    total = len(found)
    chosen: list[tuple] = []     # (sort key, article id), best first
    current: set[int] = set()    # the versions of the hits kept that are their law's current one
    for tier, count, versions in shelf.ranks():
        if len(chosen) >= limit or not found:
            break
        if count * shelf.average <= len(found):   # through the rank's articles (fewer than the hits left)
            rows = [r for r in db.execute(
                "SELECT id, version_id, ordinal FROM articles WHERE version_id IN (SELECT value FROM json_each(?))",
                [versions]) if r[0] in found]
        else:                    # through the hits left
            mine = set(json.loads(versions))
            rows = [r for r in db.execute("SELECT a.id, a.version_id, a.ordinal FROM json_each(?) j "
                                          "JOIN articles a ON a.id = j.value", [json.dumps(sorted(found))])
                    if r[1] in mine]
        if not rows:
            continue
        found.difference_update(r[0] for r in rows)
        # the law's title and the version's date, read for the versions hit only
        about = {r[0]: r[1:] for r in db.execute(
            "SELECT v.id, v.promulgated, l.title FROM versions v JOIN laws l ON l.id = v.law_id "
            "WHERE v.id IN (SELECT value FROM json_each(?))", [json.dumps(sorted({r[1] for r in rows}))])}
        if not tier[0]:
            current.update(about)
        for article_id, version_id, ordinal in rows:
            promulgated, title = about[version_id]
            chosen.append(((tier, ranks.get(article_id, 0.0), title, _Descending(promulgated or ""), ordinal),
                           article_id))
        chosen.sort(key=lambda c: c[0])
        del chosen[limit:]
    ids = [article_id for _, article_id in chosen]
    rows = {r[0]: r[1:] for r in db.execute(
        "SELECT a.id, l.id, l.title, l.status, v.id, v.promulgated, a.label, a.path, a.text "
        "FROM articles a JOIN versions v ON v.id = a.version_id JOIN laws l ON l.id = v.law_id "
        "WHERE a.id IN (SELECT value FROM json_each(?))", [json.dumps(ids)])}
    hits = []
    for article_id in ids:
        law_id, title, status, version_id, promulgated, label, path, text = rows[article_id]
        hits.append(_hit((law_id, title, status, version_id, promulgated, version_id in current, label, path, text),
                         words, context))
    return Result(words, total, hits)


class _Descending(str):
    """A string that sorts backwards (the newest version first)."""

    def __lt__(self, other):
        return str.__gt__(self, other)

    def __gt__(self, other):
        return str.__lt__(self, other)


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _found(db: sqlite_utils.Database, words: tuple[str, ...], match: str | None, ranks: dict) -> set[int]:
    """The ids of the articles (of any version) holding every word; ``ranks`` gets their relevance
    for the words of three characters or more (FTS5 rank, lower is better), read in the same pass
    (a look-up an article took a millisecond)."""
    found: set[int] | None = None
    if match:
        ranks.update(db.execute("SELECT rowid, rank FROM articles_fts WHERE articles_fts MATCH ?", [match]).fetchall())
        found = set(ranks)
    for w in (w for w in words if len(w) == 2):
        if found is not None and not found:
            return set()
        ids = _pair_ids(db, w)
        found = ids if found is None else found & ids
    for w in (w for w in words if len(w) < 2):
        like = "%" + re.sub(r"([\\%_])", r"\\\1", w) + "%"
        if found is None:
            found = {r for (r,) in db.execute("SELECT id FROM articles WHERE text LIKE ? ESCAPE '\\'", [like])}
        elif found:
            found = {r for (r,) in db.execute("SELECT a.id FROM json_each(?) j JOIN articles a ON a.id = j.value "
                                              "WHERE a.text LIKE ? ESCAPE '\\'", [json.dumps(sorted(found)), like])}
    return found or set()


def _pair_ids(db: sqlite_utils.Database, word: str) -> set[int]:
    """The ids of the articles holding a two-character ``word``, through the trigram index: those
    holding one of its trigrams that begin with the word (罚款 → 罚款的, 罚款，…: the index's own list
    of its terms), and those whose text ends with the word (an index of the last two characters,
    migration 0011). A scan of every article's text took seconds at national size."""
    low = word.lower()
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.articles_fts_terms USING fts5vocab(main, articles_fts, row)")
    terms = [t for (t,) in db.execute("SELECT term FROM temp.articles_fts_terms WHERE term >= ? AND term < ?",
                                      [low, low + "\U0010ffff"])]
    ids = {r for (r,) in db.execute("SELECT id FROM articles WHERE lower(substr(text, -2)) = ?", [low])}
    if terms:
        ids.update(r for (r,) in db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?",
                                            [" OR ".join(_quoted(t) for t in terms)]))
    return ids


_IN_FORCE = ("有效", "尚未生效")


class _Shelf:
    """The versions a search ranks by: (current?, in force?, level) best first, each rank read when
    a search first needs it (a search for a common word rarely reads past the laws in force)."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        #: versions held or rejected: never shown
        self.unused = [vid for (vid,) in db.execute(
            "SELECT id FROM versions INDEXED BY idx_versions_review WHERE review_state != 'accepted'")]
        # articles a version holds, on average: enough to choose how a rank is read (counting them
        # per version would read the whole index of two million articles)
        top = db.execute("SELECT max(id) FROM articles").fetchone()[0] or 0
        self.average = top / max(1, db.execute("SELECT count(*) FROM versions").fetchone()[0])
        self._read: list[tuple[tuple, int, str]] = []   # the ranks read so far, with versions
        self._next = self._ranks()

    def ranks(self):
        """(rank, number of versions, their ids as a JSON list), best first; ranks without versions
        left out."""
        k = 0
        while True:
            while k >= len(self._read):
                if self._next is None:
                    return
                try:
                    self._read.append(next(self._next))
                except StopIteration:
                    self._next = None
                    return
            yield self._read[k]
            k += 1

    def _ranks(self):
        order = {level: i for i, level in enumerate(level_order())}
        named = ", ".join("?" * len(order))
        levels = [(f"l.level = ?", [level], rank) for level, rank in order.items()]
        levels.append((f"(l.level IS NULL OR l.level NOT IN ({named}))", list(order), 99))
        newest = ("(SELECT n.id FROM versions n INDEXED BY idx_versions_review WHERE n.review_state = 'accepted' "
                  "AND n.law_id = l.id ORDER BY coalesce(n.promulgated, '') DESC, n.id DESC LIMIT 1)")
        for old in (False, True):
            for dead in (False, True):
                status = ("(l.status IS NULL OR l.status NOT IN (?, ?))" if dead else "l.status IN (?, ?)")
                for level, args, rank in levels:
                    if old:
                        sql = (f"SELECT v.id FROM laws l INDEXED BY idx_laws_rank JOIN versions v INDEXED BY "
                               f"idx_versions_review ON v.review_state = 'accepted' AND v.law_id = l.id "
                               f"WHERE {level} AND {status} AND v.id != {newest}")
                    else:
                        sql = (f"SELECT id FROM (SELECT {newest} AS id FROM laws l INDEXED BY idx_laws_rank "
                               f"WHERE {level} AND {status}) WHERE id IS NOT NULL")
                    versions = [vid for (vid,) in self.db.execute(sql, [*args, *_IN_FORCE])]
                    if versions:
                        yield (old, dead, rank), len(versions), json.dumps(versions)


_SHELVES: dict = {}


def _shelf(db: sqlite_utils.Database) -> _Shelf:
    """The registry's versions for ranking, kept for the connection while no law, version or change
    is written (registry.laws.fingerprint). A search reads only the ranks it needs, through the
    index of the laws' levels (migration 0012): reading every version and law into Python was
    100 ms of the first search of a process at national size (bench/national.py)."""
    mark = db.execute("SELECT value FROM generations WHERE name = 'laws'").fetchone()
    key = id(db.conn)
    kept = _SHELVES.get(key)
    if kept is not None and kept[0] == mark and kept[1] is db.conn:
        return kept[2]
    shelf = _Shelf(db)
    _SHELVES.clear()
    _SHELVES[key] = (mark, db.conn, shelf)
    return shelf


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

