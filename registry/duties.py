"""Who enforces what: departments, posts, staff and their assignments, duties and their versions.

A duty (职权事项) keeps every version under one ``duty_key``: the current one has
``is_current = 1``. Importing, revising and listing them is ``impact.duties``; this module is the
plain reading and writing underneath. It also keeps the impact watermark: the highest duty id the
last impact pass saw (table ``watermarks``).

>>> from registry.schema import connect
>>> db = connect(":memory:")
>>> dept, created = ensure_department(db, "江门市生态环境局")
>>> ensure_department(db, "江门市生态环境局") == (dept, False), department_names(db)
(True, ['江门市生态环境局'])
>>> impact_watermark(db)
0
"""

from __future__ import annotations

import json
from typing import Iterable, TypedDict

import sqlite_utils

from config.clock import now, today

#: How a post inside an office is named: 承办机构/执法岗位.
UNIT_SEPARATOR = "/"

DUTY_COLUMNS = ("duty_key", "version", "is_current", "code", "name", "kind", "department_id", "post_id",
                "level", "note", "basis_text", "penalty_basis_text", "content_sha256", "source_file",
                "source_row", "created_at", "created_by", "imported_content")


class Department(TypedDict):
    id: int
    name: str
    parent_id: int | None
    emails: str                     # JSON list of addresses
    created_at: str
    updated_at: str
    domains: str | None             # JSON list of 主管领域 (None: read from the name)
    level: str | None


class Duty(TypedDict):
    """A row of ``duties``: one version of a duty."""

    id: int
    duty_key: str                   # identity across versions
    version: int
    is_current: int
    code: str | None                # 职权编码
    name: str
    kind: str | None                # 职权类型
    department_id: int
    post_id: int | None
    level: str | None
    note: str | None
    basis_text: str
    penalty_basis_text: str | None
    content_sha256: str
    source_file: str | None
    source_row: str | None
    created_at: str
    created_by: str | None
    superseded_at: str | None


class Holder(TypedDict):
    name: str
    email: str
    start: str | None
    end: str | None


# -- departments -----------------------------------------------------------------------------------

def find_department(db: sqlite_utils.Database, name: str) -> Department | None:
    return next(db.query("SELECT * FROM departments WHERE name = ?", [name]), None)  # type: ignore[return-value]


def get_department(db: sqlite_utils.Database, department_id: int) -> Department | None:
    return next(db.query("SELECT * FROM departments WHERE id = ?", [department_id]), None)  # type: ignore[return-value]


def all_departments(db: sqlite_utils.Database) -> list[Department]:
    """Every department, by name."""
    return list(db.query("SELECT * FROM departments ORDER BY name"))  # type: ignore[arg-type]


def department_names(db: sqlite_utils.Database, limit: int | None = None) -> list[str]:
    sql = "SELECT name FROM departments ORDER BY name" + (f" LIMIT {int(limit)}" if limit else "")
    return [r["name"] for r in db.query(sql)]


def ensure_department(db: sqlite_utils.Database, name: str) -> tuple[int, bool]:
    """(id, created) of the department called exactly ``name``."""
    found = find_department(db, name)
    if found:
        return found["id"], False
    stamp = now()
    return db["departments"].insert({"name": name, "emails": "[]", "created_at": stamp,
                                     "updated_at": stamp}).last_pk, True


def update_department(db: sqlite_utils.Database, department_id: int, changes: dict) -> None:
    db["departments"].update(department_id, {**changes, "updated_at": now()})


# -- posts, staff and who holds which post -----------------------------------------------------------

def ensure_post(db: sqlite_utils.Database, department_id: int, name: str) -> tuple[int, bool]:
    """(id, created) of the post ``name`` in the department."""
    row = next(db.query("SELECT id FROM posts WHERE department_id = ? AND name = ?", [department_id, name]), None)
    if row:
        return row["id"], False
    return db["posts"].insert({"department_id": department_id, "name": name}).last_pk, True


def post_names(db: sqlite_utils.Database, post_ids: Iterable[int]) -> list[str]:
    """The names of these posts, sorted."""
    return [r["name"] for r in db.query("SELECT name FROM posts WHERE id IN (SELECT value FROM json_each(?)) "
                                        "ORDER BY name", [json.dumps(sorted(post_ids))])]


def same_posts(db: sqlite_utils.Database, post_ids: Iterable[int]) -> list[int]:
    """The posts whose holders hold ``post_ids``: each post, and the bare 岗位 of a 承办机构/岗位 post.

    A power list names 承办机构 and 执法岗位 (法规科/综合执法岗) while a staff list often names
    only the 岗位 (综合执法岗): the people on 综合执法岗 of that department hold both.
    """
    ids = {int(p) for p in post_ids}
    if not ids:
        return []
    for post in list(db.query("SELECT id, department_id, name FROM posts WHERE id IN (SELECT value FROM json_each(?))",
                              [json.dumps(sorted(ids))])):
        bare = post["name"].rsplit(UNIT_SEPARATOR, 1)[-1]
        if bare != post["name"]:
            ids.update(r["id"] for r in db.query("SELECT id FROM posts WHERE department_id = ? AND name = ?",
                                                 [post["department_id"], bare]))
    return sorted(ids)


def post_holders(db: sqlite_utils.Database, post_id: int, on: str | None = None) -> list[Holder]:
    """Staff holding the post (or its bare 岗位, see ``same_posts``) on date ``on`` (default today)."""
    day = on or today()
    return list(db.query(  # type: ignore[arg-type]
        """SELECT staff.name, staff.email, assignments.start, assignments."end"
           FROM assignments JOIN staff ON staff.id = assignments.staff_id
           WHERE assignments.post_id IN (SELECT value FROM json_each(?))
             AND (assignments.start IS NULL OR assignments.start <= ?)
             AND (assignments."end" IS NULL OR assignments."end" = '' OR assignments."end" >= ?)
           ORDER BY staff.name""", [json.dumps(same_posts(db, [post_id])), day, day]))


class PostHolder(TypedDict):
    name: str
    email: str
    post: str                       # the post held (one row per person and post)
    post_id: int


def staff_on_posts(db: sqlite_utils.Database, post_ids: Iterable[int], on: str) -> list[PostHolder]:
    """Who holds one of ``post_ids`` (as given: no ``same_posts``) on date ``on``, by name then post."""
    return list(db.query(  # type: ignore[arg-type]
        """SELECT s.name, s.email, p.name AS post, p.id AS post_id FROM assignments a
           JOIN staff s ON s.id = a.staff_id JOIN posts p ON p.id = a.post_id
           WHERE a.post_id IN (SELECT value FROM json_each(?)) AND (a.start IS NULL OR a.start <= ?)
             AND (a."end" IS NULL OR a."end" = '' OR a."end" >= ?)
           ORDER BY s.name, p.name""", [json.dumps(sorted(post_ids)), on, on]))


def ensure_staff(db: sqlite_utils.Database, name: str, email: str) -> int:
    row = next(db.query("SELECT id FROM staff WHERE name = ? AND email = ?", [name, email]), None)
    return row["id"] if row else db["staff"].insert({"name": name, "email": email}).last_pk


def set_assignment(db: sqlite_utils.Database, staff_id: int, post_id: int, start: str | None,
                   end: str | None) -> str:
    """Record that a person holds a post from ``start`` (to ``end``): 'created', 'updated' or 'unchanged'."""
    found = next(db.query('SELECT id, "end" FROM assignments WHERE staff_id = ? AND post_id = ? AND start IS ?',
                          [staff_id, post_id, start]), None)
    if found is None:
        db["assignments"].insert({"staff_id": staff_id, "post_id": post_id, "start": start, "end": end})
        return "created"
    if found["end"] != end:
        db["assignments"].update(found["id"], {"end": end})
        return "updated"
    return "unchanged"


# -- duties ----------------------------------------------------------------------------------------

def insert_duty(db: sqlite_utils.Database, row: dict, *, supersedes: int | None = None) -> int:
    """Store a duty version (``row`` has the keys of ``DUTY_COLUMNS``); the version it
    ``supersedes`` stops being current. Returns the new id. Call inside a transaction."""
    if supersedes is not None:
        db.execute("UPDATE duties SET is_current = 0, superseded_at = ? WHERE id = ?", [row["created_at"], supersedes])
    return db.execute(_INSERT_DUTY, [row.get(c) for c in DUTY_COLUMNS]).lastrowid


_INSERT_DUTY = (f"INSERT INTO duties ({', '.join(DUTY_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(DUTY_COLUMNS))})")


def get_duty(db: sqlite_utils.Database, duty_id: int) -> Duty | None:
    return next(db.query("SELECT * FROM duties WHERE id = ?", [duty_id]), None)  # type: ignore[return-value]


def current_of_key(db: sqlite_utils.Database, duty_key: str) -> Duty | None:
    return next(db.query("SELECT * FROM duties WHERE duty_key = ? AND is_current = 1",  # type: ignore[return-value]
                         [duty_key]), None)


def versions_of_key(db: sqlite_utils.Database, duty_key: str) -> list[Duty]:
    """Every version of a duty, oldest first."""
    return list(db.query("SELECT * FROM duties WHERE duty_key = ? ORDER BY version", [duty_key]))  # type: ignore[arg-type]


def latest_of_keys(db: sqlite_utils.Database, keys: list[str]) -> dict[str, dict]:
    """duty_key → {id, duty_key, version, is_current, content_sha256, content fields} of its highest version."""
    latest: dict[str, dict] = {}
    for i in range(0, len(keys), 500):
        for r in db.query("SELECT id, duty_key, version, is_current, content_sha256, code, name, kind, "
                          "department_id, post_id, level, note, basis_text, penalty_basis_text FROM duties "
                          "WHERE duty_key IN (SELECT value FROM json_each(?)) ORDER BY version",
                          [json.dumps(keys[i:i + 500], ensure_ascii=False)]):
            latest[r["duty_key"]] = r
    return latest


def last_imported_of_keys(db: sqlite_utils.Database, keys: list[str]) -> dict[str, str]:
    """duty_key → the ``imported_content`` (JSON) of its last version that came from a power list."""
    out: dict[str, str] = {}
    for i in range(0, len(keys), 500):
        for r in db.query("SELECT duty_key, imported_content FROM duties "
                          "WHERE duty_key IN (SELECT value FROM json_each(?)) AND imported_content IS NOT NULL "
                          "ORDER BY version", [json.dumps(keys[i:i + 500], ensure_ascii=False)]):
            out[r["duty_key"]] = r["imported_content"]
    return out


def current_from_file(db: sqlite_utils.Database, source_file: str, department_ids: Iterable[int]) -> list[dict]:
    """Current duties of these departments whose versions came from the power list ``source_file``."""
    return list(db.query(
        "SELECT id, duty_key, name FROM duties WHERE is_current = 1 AND source_file = ? "
        "AND department_id IN (SELECT value FROM json_each(?)) ORDER BY id",
        [source_file, json.dumps(sorted(department_ids))]))


def retire(db: sqlite_utils.Database, duty_id: int, at: str) -> None:
    """The duty left its power list (职权已取消): no version of it is current any more."""
    db["duties"].update(duty_id, {"is_current": 0, "superseded_at": at})


def current_ids(db: sqlite_utils.Database) -> list[int]:
    return [r["id"] for r in db.query("SELECT id FROM duties WHERE is_current = 1 ORDER BY id")]


def max_duty_id(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT coalesce(max(id), 0) FROM duties").fetchone()[0]


def count_current_since(db: sqlite_utils.Database, after_duty_id: int) -> int:
    """Current duties stored after ``after_duty_id``."""
    return db.execute("SELECT count(*) FROM duties WHERE id > ? AND is_current = 1", [after_duty_id]).fetchone()[0]


def current_with_department(db: sqlite_utils.Database, department_id: int | None = None) -> list[dict]:
    """Current duties (of one department) with ``department`` and ``post`` names, by department and id."""
    where, params = "d.is_current = 1", []
    if department_id is not None:
        where += " AND d.department_id = ?"
        params.append(department_id)
    return list(db.query(f"""
        SELECT d.id, d.duty_key, d.version, d.code, d.name, d.kind, d.level, d.note, d.basis_text,
               d.penalty_basis_text, d.source_file, d.source_row, d.created_at, d.created_by,
               dep.id AS department_id, dep.name AS department, p.name AS post
        FROM duties d JOIN departments dep ON dep.id = d.department_id
        LEFT JOIN posts p ON p.id = d.post_id
        WHERE {where} ORDER BY dep.name, d.id""", params))


# -- figures per department (accountability report) --------------------------------------------------

def current_by_department(db: sqlite_utils.Database) -> dict[int, int]:
    """department id → number of current duties."""
    return {r["department_id"]: r["n"] for r in db.query(
        "SELECT department_id, count(*) AS n FROM duties WHERE is_current = 1 GROUP BY department_id")}


def all_current_by_department(db: sqlite_utils.Database) -> dict[int, int]:
    """department id → current duties whose bases are all current: at least one citation, all
    resolved, no cited law repealed, no active flag."""
    return {r["department_id"]: r["n"] for r in db.query(
        """SELECT d.department_id, count(*) AS n FROM duties d
           WHERE d.is_current = 1
             AND EXISTS (SELECT 1 FROM citations c WHERE c.duty_id = d.id)
             AND NOT EXISTS (SELECT 1 FROM citations c LEFT JOIN laws l ON l.id = c.law_id
                             WHERE c.duty_id = d.id
                               AND (c.resolution != 'resolved' OR l.status = '已废止'))
             AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.duty_id = d.id
                             AND f.state IN ('open', 'acknowledged', 'submitted', 'returned'))
           GROUP BY d.department_id""")}


# -- the impact watermark ----------------------------------------------------------------------------

def impact_watermark(db: sqlite_utils.Database) -> int:
    """The highest duty id the previous impact pass saw (0 before the first pass)."""
    row = next(db.query("SELECT value FROM watermarks WHERE name = 'impact.duty_id'"), None)
    return int(row["value"]) if row else 0


def set_impact_watermark(db: sqlite_utils.Database, duty_id: int) -> None:
    db["watermarks"].upsert({"name": "impact.duty_id", "value": duty_id, "updated_at": now()}, pk="name")
