"""What the review workspace's pages read (SQL only; the pages are in ``yiju/web``).

A department reviewer sees their department and its sub-units (``department_scope``); the legal
office sees everything (``scope=None`` below).

>>> from registry.schema import connect
>>> db = connect(":memory:")
>>> inbox(db, scope=None, states=("open",))
[]
"""

from __future__ import annotations

from typing import Iterable

import sqlite_utils
from registry.citations import shown_sql
from registry import proposals as proposal_rows

#: A citation as a reader needs it (with its law's title; see registry.citations.shown_sql).
SHOWN = shown_sql("c")


def _in(column: str, values) -> tuple[str, list]:
    values = list(values)
    return f"{column} IN ({', '.join('?' for _ in values) or 'NULL'})", values


def department_scope(db: sqlite_utils.Database, department_id: int) -> list[int]:
    """The department and every unit below it (``departments.parent_id``)."""
    return [r[0] for r in db.execute(
        "WITH RECURSIVE tree(id) AS (SELECT ? UNION SELECT d.id FROM departments d JOIN tree ON d.parent_id = tree.id) "
        "SELECT id FROM tree ORDER BY id", [department_id]).fetchall()]


def departments(db: sqlite_utils.Database, scope: list[int] | None = None) -> list[dict]:
    where, params = ("", []) if scope is None else _in("id", scope)
    return list(db.query("SELECT id, name, parent_id, emails FROM departments" + (f" WHERE {where}" if where else "")
                 + " ORDER BY name", params))


def flag_department(db: sqlite_utils.Database, flag_id: int) -> int | None:
    row = db.execute("SELECT d.department_id FROM flags f JOIN duties d ON d.id = f.duty_id WHERE f.id = ?",
                     [flag_id]).fetchone()
    return row[0] if row else None


_FLAG_LIST = f"""
SELECT f.id, f.severity, f.state, f.due, f.reason, f.suggestion, f.created_at, f.proposed_at, f.proposed_by,
       f.proposal, f.reviewed_by, f.reviewed_at, f.review_note, f.closed_at, f.closing_note, f.updated_by,
       d.id AS duty_id, d.code AS duty_code, d.name AS duty_name, dep.id AS department_id, dep.name AS department,
       p.id AS post_id, p.name AS post, {SHOWN} AS citation, c.article, ch.kind AS change_kind,
       l.id AS law_id, l.title AS law
FROM flags f
JOIN duties d ON d.id = f.duty_id
JOIN departments dep ON dep.id = d.department_id
LEFT JOIN posts p ON p.id = d.post_id
JOIN citations c ON c.id = f.citation_id
JOIN changes ch ON ch.id = f.change_id
JOIN laws l ON l.id = ch.law_id
"""

SEVERITY_ORDER = "CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 ELSE 2 END"


def _inbox_where(scope, states, severity, post_id, law_id) -> tuple[str, list]:
    where, params = [], []
    # a department's flags through its duties (idx_duties_department), not every flag in these states
    clause, values = _in("f.state" if scope is None else "+f.state", states)
    where.append(clause)
    params += values
    if scope is not None:
        clause, values = _in("d.department_id", scope)
        where.append(clause)
        params += values
    if severity:
        where.append("f.severity = ?")
        params.append(severity)
    if post_id:
        where.append("d.post_id = ?")
        params.append(post_id)
    if law_id:
        where.append("ch.law_id = ?")
        params.append(law_id)
    return " AND ".join(where), params


def inbox(db: sqlite_utils.Database, *, scope: list[int] | None, states: Iterable[str],
          severity: str | None = None, post_id: int | None = None, law_id: int | None = None,
          on: str = "9999-12-31", limit: int = 100, offset: int = 0) -> list[dict]:
    """Flags in ``states`` of the departments in ``scope`` (None: all), worst first, then the most
    overdue (earliest due date), then the oldest; one page of ``limit`` from ``offset``."""
    where, params = _inbox_where(scope, states, severity, post_id, law_id)
    sql = (_FLAG_LIST + " WHERE " + where
           + f" ORDER BY {SEVERITY_ORDER}, (f.due IS NULL OR f.due >= ?), f.due, f.id LIMIT ? OFFSET ?")
    return list(db.query(sql, [*params, on, limit, offset]))


def inbox_counts(db: sqlite_utils.Database, *, scope: list[int] | None, states: Iterable[str],
                 severity: str | None = None, post_id: int | None = None, law_id: int | None = None,
                 overdue_states: Iterable[str] = (), on: str = "9999-12-31") -> tuple[int, int]:
    """(flags the inbox lists, of which overdue: in ``overdue_states`` and due before ``on``)."""
    where, params = _inbox_where(scope, states, severity, post_id, law_id)
    late, late_params = _in("f.state", overdue_states)
    row = db.execute("SELECT count(*), sum(f.due IS NOT NULL AND f.due < ? AND " + late + ") FROM flags f "
                     "JOIN duties d ON d.id = f.duty_id JOIN changes ch ON ch.id = f.change_id WHERE " + where,
                     [on, *late_params, *params]).fetchone()
    return row[0], row[1] or 0


def legal_queue(db: sqlite_utils.Database, *, limit: int = -1, offset: int = 0) -> list[dict]:
    """Submitted flags across departments, the longest waiting first (``limit`` -1: all)."""
    return list(db.query(_FLAG_LIST + f" WHERE f.state = 'submitted' ORDER BY f.proposed_at, {SEVERITY_ORDER}, f.id "
                         "LIMIT ? OFFSET ?", [limit, offset]))


def legal_queue_count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM flags WHERE state = 'submitted'").fetchone()[0]


def filter_options(db: sqlite_utils.Database, scope: list[int] | None) -> dict:
    """Posts and laws that the scope's flags touch (for the inbox's filters)."""
    where, params = ("1", []) if scope is None else _in("d.department_id", scope)
    posts = list(db.query("SELECT DISTINCT p.id, p.name, dep.name AS department FROM flags f JOIN duties d ON d.id = f.duty_id "
                      "JOIN posts p ON p.id = d.post_id JOIN departments dep ON dep.id = d.department_id "
                      f"WHERE {where} ORDER BY dep.name, p.name", params))
    laws = list(db.query("SELECT DISTINCT l.id, l.title FROM flags f JOIN duties d ON d.id = f.duty_id "
                     f"JOIN changes ch ON ch.id = f.change_id JOIN laws l ON l.id = ch.law_id WHERE {where} "
                     "ORDER BY l.title", params))
    return {"posts": posts, "laws": laws}


def post_holders(db: sqlite_utils.Database, post_ids: Iterable[int], on: str) -> list[dict]:
    """Staff holding one of ``post_ids`` on ``on``, each once."""
    clause, values = _in("a.post_id", post_ids)
    return list(db.query('SELECT DISTINCT s.id, s.name, s.email FROM assignments a JOIN staff s ON s.id = a.staff_id '
                     f'WHERE {clause} AND (a.start IS NULL OR a.start <= ?) '
                     'AND (a."end" IS NULL OR a."end" = \'\' OR a."end" >= ?) ORDER BY s.name', [*values, on, on]))


def department_posts(db: sqlite_utils.Database, department_id: int) -> list[str]:
    """Names of the department's posts (a new duty is assigned to one)."""
    return [r[0] for r in db.execute("SELECT name FROM posts WHERE department_id = ? ORDER BY name", [department_id])]


def duty_post(db: sqlite_utils.Database, duty_id: int) -> int | None:
    row = db.execute("SELECT post_id FROM duties WHERE id = ?", [duty_id]).fetchone()
    return row[0] if row else None


def pending_basis(db: sqlite_utils.Database, duty_key: str, field: str, *, exclude: int) -> dict | None:
    """The latest basis another flag of the same duty proposes for the same field (so a second
    proposal starts from it instead of undoing it)."""
    rows = list(db.query("SELECT f.id, json_extract(f.proposal, '$.basis') AS basis FROM flags f JOIN duties d ON d.id = f.duty_id "
                     "WHERE d.duty_key = ? AND f.state = 'submitted' AND f.id != ? "
                     "AND json_extract(f.proposal, '$.action') = 'resolve' AND json_extract(f.proposal, '$.field') = ? "
                     "ORDER BY f.proposed_at DESC LIMIT 1", [duty_key, exclude, field]))
    return rows[0] if rows else None


# -- laws ----------------------------------------------------------------------------------------------

def law(db: sqlite_utils.Database, law_id: int) -> dict | None:
    rows = list(db.query("SELECT l.*, s.title AS successor FROM laws l LEFT JOIN laws s ON s.id = l.successor_id "
                     "WHERE l.id = ?", [law_id]))
    return rows[0] if rows else None


def law_versions(db: sqlite_utils.Database, law_id: int) -> list[dict]:
    return list(db.query("SELECT v.id, v.title, v.promulgated, v.effective, v.revision, v.source, "
                     "(SELECT count(*) FROM articles a WHERE a.version_id = v.id) AS articles FROM versions v "
                     "WHERE v.law_id = ? AND v.review_state = 'accepted' ORDER BY v.promulgated, v.id", [law_id]))


def law_changes(db: sqlite_utils.Database, law_id: int) -> list[dict]:
    return list(db.query("SELECT id, kind, published, effective, summary, old_version_id, new_version_id, detected_at "
                     "FROM changes WHERE law_id = ? ORDER BY coalesce(published, detected_at) DESC, id DESC", [law_id]))


def version_articles(db: sqlite_utils.Database, version_id: int) -> list[dict]:
    return list(db.query("SELECT label, number, suffix, ordinal, path, text, paragraphs FROM articles WHERE version_id = ? "
                     "ORDER BY ordinal", [version_id]))


def _citing(law_id: int, scope: list[int] | None) -> tuple[str, list]:
    where, params = ("1", []) if scope is None else _in("d.department_id", scope)
    return f"c.law_id = ? AND d.is_current = 1 AND {where}", [law_id, *params]


def duties_citing(db: sqlite_utils.Database, law_id: int, scope: list[int] | None, *, limit: int = -1,
                  offset: int = 0) -> list[dict]:
    """Current duties citing the law, by department, code, name (``limit`` -1: all)."""
    where, params = _citing(law_id, scope)
    return list(db.query("SELECT d.id, d.code, d.name, dep.name AS department, group_concat(DISTINCT c.article) AS articles, "
                     "max(c.resolution != 'resolved') AS has_problem FROM citations c JOIN duties d ON d.id = c.duty_id "
                     "JOIN departments dep ON dep.id = d.department_id "
                     f"WHERE {where} GROUP BY d.id ORDER BY dep.name, d.code, d.name, d.id LIMIT ? OFFSET ?",
                 [*params, limit, offset]))


def count_duties_citing(db: sqlite_utils.Database, law_id: int, scope: list[int] | None) -> int:
    where, params = _citing(law_id, scope)
    return db.execute(f"SELECT count(DISTINCT d.id) FROM citations c JOIN duties d ON d.id = c.duty_id WHERE {where}",
                      params).fetchone()[0]


def laws_list(db: sqlite_utils.Database, *, limit: int = -1, offset: int = 0) -> list[dict]:
    """Laws by title with their accepted versions' number and latest date (``limit`` -1: all)."""
    return list(db.query("SELECT l.id, l.title, l.level, l.status, count(v.id) AS versions, max(v.promulgated) AS latest "
                     "FROM (SELECT * FROM laws ORDER BY title, id LIMIT ? OFFSET ?) l "
                     "LEFT JOIN versions v ON v.law_id = l.id AND v.review_state = 'accepted' "
                     "GROUP BY l.id ORDER BY l.title, l.id", [limit, offset]))


def count_laws(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM laws").fetchone()[0]


def recent_changes(db: sqlite_utils.Database, limit: int = 50) -> list[dict]:
    return list(db.query("SELECT ch.id, ch.kind, ch.published, ch.effective, ch.detected_at, ch.summary, ch.law_id, "
                     "l.title AS law FROM changes ch JOIN laws l ON l.id = ch.law_id "
                     "ORDER BY ch.detected_at DESC, ch.id DESC LIMIT ?", [limit]))


# -- search --------------------------------------------------------------------------------------------

def _duty_search(words: str, scope: list[int] | None) -> tuple[str, list] | None:
    parts = [w for w in (words or "").split() if w][:5]
    if not parts:
        return None
    where, params = [], []
    for w in parts:
        where.append("(instr(d.name, ?) OR instr(coalesce(d.code, ''), ?) OR instr(d.basis_text, ?) "
                     "OR instr(coalesce(d.penalty_basis_text, ''), ?))")
        params += [w, w, w, w]
    if scope is not None:
        clause, values = _in("d.department_id", scope)
        where.append(clause)
        params += values
    return " AND ".join(where), params


def search_duties(db: sqlite_utils.Database, words: str, scope: list[int] | None, limit: int = 50,
                  offset: int = 0) -> list[dict]:
    """Current duties whose name, code or basis contains ``words`` (every word, any order): one page
    of ``limit`` from ``offset``, by department, code, name and id."""
    found = _duty_search(words, scope)
    if found is None:
        return []
    where, params = found
    return list(db.query("SELECT d.id, d.code, d.name, d.kind, d.basis_text, dep.name AS department, p.name AS post "
                     "FROM duties d JOIN departments dep ON dep.id = d.department_id LEFT JOIN posts p ON p.id = d.post_id "
                     f"WHERE d.is_current = 1 AND {where} ORDER BY dep.name, d.code, d.name, d.id LIMIT ? OFFSET ?",
                 [*params, limit, offset]))


def count_duties(db: sqlite_utils.Database, words: str, scope: list[int] | None) -> int:
    """How many current duties ``search_duties`` finds in all."""
    found = _duty_search(words, scope)
    if found is None:
        return 0
    where, params = found
    return db.execute(f"SELECT count(*) FROM duties d WHERE d.is_current = 1 AND {where}", params).fetchone()[0]


# -- 评议考核 ---------------------------------------------------------------------------------------------

def monthly_trend(db: sqlite_utils.Database, scope: list[int] | None, months: int = 12) -> list[dict]:
    """Per month (YYYY-MM, Shanghai time): flags raised, flags closed, closed by their due date."""
    where, params = ("1", []) if scope is None else _in("d.department_id", scope)
    raised = dict(db.execute(
        "SELECT strftime('%Y-%m', f.created_at, '+8 hours'), count(*) FROM flags f JOIN duties d ON d.id = f.duty_id "
        f"WHERE {where} GROUP BY 1", params).fetchall())
    closed = {m: (n, ok) for m, n, ok in db.execute(
        "SELECT strftime('%Y-%m', f.closed_at, '+8 hours'), count(*), "
        "sum(f.due IS NULL OR date(coalesce(f.proposed_at, f.closed_at), '+8 hours') <= f.due) "
        "FROM flags f JOIN duties d ON d.id = f.duty_id "
        f"WHERE f.closed_at IS NOT NULL AND {where} GROUP BY 1", params).fetchall()}
    keys = sorted(set(raised) | set(closed))[-months:]
    return [{"month": k, "raised": raised.get(k, 0), "closed": closed.get(k, (0, 0))[0],
             "in_time": closed.get(k, (0, 0))[1] or 0} for k in keys]


def closed_in_time(db: sqlite_utils.Database) -> dict[int, tuple[int, int]]:
    """Per department: (resolved or dismissed flags, of which done by their due date)."""
    return {dep: (n, ok or 0) for dep, n, ok in db.execute(
        "SELECT d.department_id, count(*), "
        "sum(f.due IS NULL OR date(coalesce(f.proposed_at, f.closed_at), '+8 hours') <= f.due) "
        "FROM flags f JOIN duties d ON d.id = f.duty_id WHERE f.state IN ('resolved', 'dismissed') "
        "GROUP BY d.department_id").fetchall()}


# -- the revised power list --------------------------------------------------------------------------------

def current_duties(db: sqlite_utils.Database, scope: list[int]) -> list[dict]:
    clause, values = _in("d.department_id", scope)
    return list(db.query("SELECT d.id, d.duty_key, d.code, d.name, d.kind, d.level, d.note, d.basis_text, d.penalty_basis_text, "
                     "d.version, d.created_at, d.created_by, dep.name AS department, p.name AS post "
                     "FROM duties d JOIN departments dep ON dep.id = d.department_id LEFT JOIN posts p ON p.id = d.post_id "
                     f"WHERE d.is_current = 1 AND {clause} ORDER BY dep.name, d.code, d.name", values))


def basis_revisions(db: sqlite_utils.Database, scope: list[int]) -> list[dict]:
    """Every basis rewritten through a flag (resolve or one-click renumbering), with the old and new
    text, why (the flag's reason), who proposed and who approved it, and when."""
    clause, values = _in("od.department_id", scope)
    return list(db.query(f"""
        SELECT a.at, a.actor, a.action, f.id AS flag_id, f.reason, f.proposed_by, f.proposed_at, f.reviewed_by,
               f.reviewed_at, od.code, od.name, dep.name AS department,
               json_extract(a.detail, '$.field') AS field,
               od.basis_text AS old_basis, od.penalty_basis_text AS old_penalty_basis,
               nd.basis_text AS new_basis, nd.penalty_basis_text AS new_penalty_basis,
               od.version AS old_version, nd.version AS new_version
        FROM audit a
        JOIN flags f ON a.object = 'flag:' || f.id
        JOIN duties od ON od.id = json_extract(a.detail, '$.duty_from')
        JOIN duties nd ON nd.id = json_extract(a.detail, '$.duty_to')
        JOIN departments dep ON dep.id = od.department_id
        WHERE a.action IN ('flag.resolve', 'flag.apply_renumbering') AND {clause}
        ORDER BY dep.name, od.code, a.id""", values))


# -- 拟新增职权 (proposals), a page at a time ----------------------------------------------------------

#: What a new or amended law brought first (a first run's baseline is a figure, not news), the soonest
#: due first, then by department and law, the id last: every proposal has one place, so paging is stable.
PROPOSAL_ORDER = "p.baseline, p.due IS NULL, p.due, dep.name, l.title, p.id"


def _proposal_where(scope: list[int] | None, states: Iterable[str], law_id: int | None = None) -> tuple[str, list]:
    where, params = _in("p.state", states)
    if scope is not None:
        clause, values = _in("p.department_id", scope)
        where, params = f"{where} AND {clause}", params + values
    if law_id is not None:
        where, params = f"{where} AND p.law_id = ?", params + [law_id]
    return where, params


def proposal_laws(db: sqlite_utils.Database, *, scope: list[int] | None, states: Iterable[str]) -> list[dict]:
    """The laws of the proposals in ``states`` of the departments in ``scope`` (None: all): id, title and
    their number ``n``, by title (the law filter of the proposals page)."""
    where, params = _proposal_where(scope, states)
    return list(db.query("SELECT l.id, l.title, c.n FROM (SELECT p.law_id, count(*) AS n FROM proposals p "
                         f"WHERE {where} GROUP BY p.law_id) c JOIN laws l ON l.id = c.law_id ORDER BY l.title, l.id",
                         params))


def proposals(db: sqlite_utils.Database, *, scope: list[int] | None, states: Iterable[str],
              law_id: int | None = None, limit: int = 50, offset: int = 0) -> list[dict]:
    """One page of proposals (``limit`` from ``offset``, in ``PROPOSAL_ORDER``) with their department's
    and law's names; ``measures`` decoded. The page's ids are found first (sorting narrow rows, from
    the index of the order), then only those rows are read whole."""
    where, params = _proposal_where(scope, states, law_id)
    rows = list(db.query(
        "SELECT p.*, dep.name AS department, l.title AS law "
        "FROM (SELECT p.id FROM proposals p JOIN departments dep ON dep.id = p.department_id "
        f"      JOIN laws l ON l.id = p.law_id WHERE {where} ORDER BY {PROPOSAL_ORDER} LIMIT ? OFFSET ?) page "
        "JOIN proposals p ON p.id = page.id JOIN departments dep ON dep.id = p.department_id "
        f"JOIN laws l ON l.id = p.law_id ORDER BY {PROPOSAL_ORDER}", [*params, limit, offset]))
    return [proposal_rows.decode(r) for r in rows]


def proposal_queue(db: sqlite_utils.Database, *, limit: int | None = None, offset: int = 0) -> list[dict]:
    """Submitted proposals across departments, the longest waiting first (the legal office's 审核),
    a page at a time (``limit`` None: all)."""
    return [proposal_rows.decode(r) for r in db.query(
        "SELECT p.*, dep.name AS department, l.title AS law FROM proposals p "
        "JOIN departments dep ON dep.id = p.department_id JOIN laws l ON l.id = p.law_id "
        "WHERE p.state = 'submitted' ORDER BY p.proposed_at, p.id LIMIT ? OFFSET ?",
        [-1 if limit is None else limit, offset])]


def proposal_queue_count(db: sqlite_utils.Database) -> int:
    """How many proposals wait for the legal office."""
    return db.execute("SELECT count(*) FROM proposals WHERE state = 'submitted'").fetchone()[0]
