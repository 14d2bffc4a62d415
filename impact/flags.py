"""The flag workflow: open → acknowledged → resolved | dismissed, with an audit row per action.

Everything a person does to a flag goes through here (the command line now, a web page later):
``acknowledge``, ``resolve`` (with a new basis text: a new duty version, and every other flag
of the duty that the new basis fixes is closed with it), ``dismiss`` (with a reason) and
``apply_renumbering`` (the one-click fixes: rewrite renumbered article labels in the basis text).
A flag the new basis does not fix moves to the new duty version, keeping its date and due date.
Errors are ``FlagError`` with a Chinese message.

>>> from registry.schema import connect
>>> db = connect(":memory:")
>>> list_flags(db)
[]
>>> try:
...     acknowledge(db, 7, by="张三")
... except FlagNotFound as exc:
...     print(exc)
没有编号为 7 的提示
"""

from __future__ import annotations

import json
import pathlib
import re
import tomllib

import sqlite_utils

from config.clock import now, today
from config.glossary import names
from impact.duties import DutyError, current_version, revise_duty
from impact.reconcile import _close, reconcile
from impact.states import (_DATA, ACTIVE, MESSAGES, SEVERITY_NAMES, STATE_NAMES, STATES, FlagError,
                           FlagNotFound)
from registry.audit import write_audit
from texts.numerals import parse_article_label, to_int

GROUPS: dict[str, str] = names("flag_state_group")      # active / all
_GROUP_STATES = {"active": ACTIVE, "all": STATES}


def state_codes(name: str) -> tuple[str, ...]:
    """The states a --state value means: a state ('open' or '待处理'), 'active' (open and
    acknowledged, '待办') or 'all' ('全部'); raises FlagError for anything else.

    >>> state_codes("已确认"), state_codes("active")
    (('acknowledged',), ('open', 'acknowledged'))
    """
    name = (name or "").strip()
    for code, label in STATE_NAMES.items():
        if name in (code, label):
            return (code,)
    for code, label in GROUPS.items():
        if name in (code, label):
            return _GROUP_STATES[code]
    known = [f"{c}（{n}）" for c, n in {**STATE_NAMES, **GROUPS}.items()]
    raise FlagError(MESSAGES["bad_state"].format(state=name, known="、".join(known)))


# -- reading ---------------------------------------------------------------------------------

_LIST_SQL = """
SELECT f.id, f.duty_id, f.citation_id, f.change_id, f.article_change_id, f.severity, f.reason,
       f.suggestion, f.due, f.state, f.created_at, f.updated_at, f.updated_by, f.closed_at, f.closing_note,
       d.name AS duty_name, d.code AS duty_code, d.is_current AS duty_is_current, d.duty_key,
       dep.id AS department_id, dep.name AS department, p.name AS post,
       c.raw AS citation, c.law_title, c.article, c.paragraph, c.item, c.field,
       ch.kind AS change_kind, ch.effective AS change_effective, l.title AS law
FROM flags f
JOIN duties d ON d.id = f.duty_id
JOIN departments dep ON dep.id = d.department_id
LEFT JOIN posts p ON p.id = d.post_id
JOIN citations c ON c.id = f.citation_id
JOIN changes ch ON ch.id = f.change_id
JOIN laws l ON l.id = ch.law_id
"""

_SEVERITY_ORDER = "CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 ELSE 2 END"


def _dicts(cursor) -> list[dict]:
    cols = [d[0] for d in cursor.description]
    return [dict(zip(cols, r)) for r in cursor.fetchall()]


def _decorate(row: dict, on: str) -> dict:
    row["suggestion"] = json.loads(row["suggestion"] or "{}")
    row["state_name"] = STATE_NAMES.get(row["state"], row["state"])
    row["severity_name"] = SEVERITY_NAMES.get(row["severity"], row["severity"])
    row["overdue"] = bool(row["state"] in ACTIVE and row["due"] and row["due"] < on)
    return row


def department_id(db: sqlite_utils.Database, name: str) -> int:
    """The id of the department called ``name``; FlagError naming the known ones otherwise."""
    row = db.execute("SELECT id FROM departments WHERE name = ?", [name.strip()]).fetchone()
    if row:
        return row[0]
    known = [r[0] for r in db.execute("SELECT name FROM departments ORDER BY name LIMIT 20").fetchall()]
    raise FlagError(MESSAGES["no_department"].format(name=name, known="、".join(known) or "（无）"))


def list_flags(db: sqlite_utils.Database, *, department: str | None = None, state: str | None = None,
               duty_id: int | None = None) -> list[dict]:
    """Flags by department, worst and soonest due first; ``state`` as ``state_codes`` reads it
    (None: every state), ``department`` a name."""
    where, params = [], []
    if department:
        where.append("d.department_id = ?")
        params.append(department_id(db, department))
    if state:
        codes = state_codes(state)
        where.append(f"f.state IN ({', '.join('?' for _ in codes)})")
        params += codes
    if duty_id is not None:
        where.append("f.duty_id = ?")
        params.append(duty_id)
    sql = _LIST_SQL + (" WHERE " + " AND ".join(where) if where else "")
    sql += f" ORDER BY dep.name, {_SEVERITY_ORDER}, f.due, f.id"
    on = today()
    return [_decorate(r, on) for r in _dicts(db.execute(sql, params))]


def get_flag(db: sqlite_utils.Database, flag_id: int) -> dict:
    """One flag with its duty, citation and change, as ``list_flags`` gives it."""
    rows = _dicts(db.execute(_LIST_SQL + " WHERE f.id = ?", [flag_id]))
    if not rows:
        raise FlagNotFound(MESSAGES["not_found"].format(id=flag_id))
    return _decorate(rows[0], today())


def flag_detail(db: sqlite_utils.Database, flag_id: int) -> dict:
    """Everything ``yiju flags show`` prints: the flag, the duty, the citation, the change and
    the old and new text of the cited article with the article diff."""
    flag = get_flag(db, flag_id)
    duty = _dicts(db.execute("SELECT id, code, name, kind, version, is_current, basis_text, penalty_basis_text "
                             "FROM duties WHERE id = ?", [flag["duty_id"]]))[0]
    citation = _dicts(db.execute(
        "SELECT c.*, v.promulgated AS version_date FROM citations c LEFT JOIN versions v ON v.id = c.version_id "
        "WHERE c.id = ?", [flag["citation_id"]]))[0]
    change = _dicts(db.execute(
        "SELECT ch.id, ch.kind, ch.published, ch.effective, ch.old_version_id, ch.new_version_id, ch.detail, "
        "ov.promulgated AS old_date, nv.promulgated AS new_date "
        "FROM changes ch LEFT JOIN versions ov ON ov.id = ch.old_version_id "
        "LEFT JOIN versions nv ON nv.id = ch.new_version_id WHERE ch.id = ?", [flag["change_id"]]))[0]
    change["detail"] = json.loads(change["detail"] or "{}")
    article_change = None
    old_articles: list[dict] = []
    new_articles: list[dict] = []
    if flag["article_change_id"]:
        ac = _dicts(db.execute("SELECT * FROM article_changes WHERE id = ?", [flag["article_change_id"]]))[0]
        ac["old_labels"] = json.loads(ac["old_labels"] or "[]")
        ac["new_labels"] = json.loads(ac["new_labels"] or "[]")
        ac["diff"] = json.loads(ac["diff"]) if ac["diff"] else None
        article_change = ac
        old_articles = _articles(db, change["old_version_id"], ac["old_labels"])
        new_articles = _articles(db, change["new_version_id"], ac["new_labels"])
    elif citation["article"] and citation["version_id"]:
        old_articles = _articles(db, citation["version_id"], [citation["article"]])
    history = _dicts(db.execute(
        "SELECT at, actor, action, detail FROM audit WHERE object = ? ORDER BY id", [f"flag:{flag_id}"]))
    for h in history:
        h["detail"] = json.loads(h["detail"] or "{}")
    return {**flag, "duty": duty, "citation_detail": citation, "change": change,
            "article_change": article_change, "old_articles": old_articles, "new_articles": new_articles,
            "history": history}


def _articles(db, version_id: int | None, labels: list[str]) -> list[dict]:
    if not version_id:
        return []
    out = []
    for label in labels:
        row = db.execute("SELECT label, text FROM articles WHERE version_id = ? AND label = ?",
                         [version_id, label]).fetchone()
        if row:
            out.append({"label": row[0], "text": row[1]})
    return out


# -- acting ------------------------------------------------------------------------------------

def _require_active(flag: dict, action: str) -> None:
    if flag["state"] not in ACTIVE:
        raise FlagError(MESSAGES["closed"].format(
            id=flag["id"], state=STATE_NAMES[flag["state"]], by=flag["updated_by"] or "—",
            at=(flag["closed_at"] or flag["updated_at"] or "")[:10], action=MESSAGES["action_" + action]))


def acknowledge(db: sqlite_utils.Database, flag_id: int, *, by: str) -> dict:
    """open → acknowledged (the department has seen it and is working on it)."""
    with db.atomic():
        flag = get_flag(db, flag_id)
        if flag["state"] == "acknowledged":
            raise FlagError(MESSAGES["already_acknowledged"].format(
                id=flag_id, by=flag["updated_by"] or "—", at=(flag["updated_at"] or "")[:10]))
        _require_active(flag, "acknowledge")
        db.execute("UPDATE flags SET state = 'acknowledged', updated_at = ?, updated_by = ? WHERE id = ?",
                   [now(), by, flag_id])
        write_audit(db, actor=by, action="flag.acknowledge", obj=f"flag:{flag_id}", detail={"from": flag["state"]})
    return get_flag(db, flag_id)


def dismiss(db: sqlite_utils.Database, flag_id: int, *, reason: str, by: str) -> dict:
    """open/acknowledged → dismissed: the change needs nothing done to this duty (reason required)."""
    reason = (reason or "").strip()
    if not reason:
        raise FlagError(MESSAGES["reason_required"])
    with db.atomic():
        flag = get_flag(db, flag_id)
        _require_active(flag, "dismiss")
        _close(db, flag_id, "dismissed", by=by, note=reason)
        write_audit(db, actor=by, action="flag.dismiss", obj=f"flag:{flag_id}",
                    detail={"from": flag["state"], "reason": reason})
    return get_flag(db, flag_id)


def resolve(db: sqlite_utils.Database, flag_id: int, *, basis: str, by: str) -> dict:
    """Fix a flag with a new basis text: the duty gets a new version (citations parsed and resolved
    again), this flag is resolved, and so is every other open flag of the duty that the new basis
    fixes; flags it does not fix move to the new version.

    Raises FlagError when the flag is closed, the text is unchanged or empty, or the new basis
    still cites the provision this flag is about (nothing is written then).
    Returns {"flag", "duty_id", "old_duty_id", "resolved": [ids], "moved": [ids], "new_flags": [ids]}.
    """
    basis = (basis or "").strip()
    if not basis:
        raise FlagError(MESSAGES["basis_required"])
    with db.atomic():
        flag = get_flag(db, flag_id)
        _require_active(flag, "resolve")
        field = "penalty_basis_text" if flag["field"] == "penalty_basis" else "basis_text"
        try:
            current = current_version(db, flag["duty_id"])
            if basis == (current[field] or "").strip():
                raise FlagError(MESSAGES["basis_unchanged"].format(id=flag_id))
            new_duty_id = revise_duty(db, current["id"], **{field: basis}, by=by, note=f"处理提示 #{flag_id}")
        except DutyError as exc:
            raise FlagError(str(exc)) from exc
        outcome = reconcile(db, current["duty_key"], new_duty_id, by=by, named=flag_id,
                             note=MESSAGES["note_fixed_with"].format(note=MESSAGES["note_resolved"].format(id=flag_id)))
        write_audit(db, actor=by, action="flag.resolve", obj=f"flag:{flag_id}",
                    detail={"from": flag["state"], "duty_from": current["id"], "duty_to": new_duty_id,
                            "field": field, "basis": basis,
                            "also_resolved": [i for i in outcome["resolved"] if i != flag_id],
                            "moved": outcome["moved"], "new_flags": outcome["new_flags"]})
    outcome.pop("created")
    return {"flag": flag_id, "duty_id": new_duty_id, "old_duty_id": current["id"], **outcome}


# -- one-click renumbering -------------------------------------------------------------------------

_LOCATOR = re.compile(r"第\s*([零〇一二两三四五六七八九十百千万]+|[0-9０-９]+)\s*条(?:\s*之\s*([零〇一二两三四五六七八九十]+|[0-9０-９]+))?")


def locate_article(text: str, number: int, suffix: int = 0, span: tuple[int, int] | None = None):
    """Where 第<number>条(之<suffix>) is written in ``text``: (start, end, arabic) or None.

    Inside ``span`` the first such locator counts; without a span it must occur exactly once.

    >>> locate_article("依据《行政处罚法》第32条第一款", 32)
    (9, 13, True)
    >>> locate_article("第十条、第十条之一", 10, 1)
    (4, 9, False)
    """
    lo, hi = (span if span else (0, len(text)))
    hits = []
    for m in _LOCATOR.finditer(text, lo, hi):
        try:
            n = to_int(m.group(1))
            s = to_int(m.group(2)) if m.group(2) else 0
        except ValueError:
            continue
        if (n, s) == (number, suffix):
            hits.append((m.start(), m.end(), m.group(1)[0] in "0123456789０１２３４５６７８９"))
            if span:
                break
    if len(hits) == 1:
        return hits[0]
    return None


def _written_like(label: str, arabic: bool) -> str:
    """A registry label written the way the basis writes its numbers (第三十三条 → 第33条)."""
    if not arabic:
        return label
    n, s = parse_article_label(label)
    return f"第{n}条" + (f"之{s}" if s else "")


def rewrite(text: str, replacements: list[tuple[int, int, str]]) -> str:
    """Apply (start, end, new) replacements at once (so 第十条→第十一条 and 第十一条→第十二条 do not chain).

    >>> rewrite("第十条、第十一条", [(0, 3, "第十一条"), (4, 8, "第十二条")])
    '第十一条、第十二条'
    """
    out, pos = [], 0
    for start, end, new in sorted(replacements):
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def apply_renumbering(db: sqlite_utils.Database, *, department: str | None = None, by: str) -> dict:
    """Apply every ready one-click fix (renumbered-only articles): rewrite the old label in the basis
    text to the new one and revise the duty, one duty at a time.

    Returns {"duties": [{"duty_id", "new_duty_id", "name", "department", "replaced": [...],
    "resolved": [...], "moved": [...]}], "skipped": [{"flag", "reason"}]}.
    """
    where = ["f.state IN ('open', 'acknowledged')", "json_extract(f.suggestion, '$.one_click') = 1",
             "d.is_current = 1"]
    params: list = []
    if department:
        where.append("d.department_id = ?")
        params.append(department_id(db, department))
    rows = _dicts(db.execute(
        "SELECT f.id, f.duty_id, f.suggestion, c.field, c.span, c.article, c.raw, d.name, d.duty_key, "
        "d.basis_text, d.penalty_basis_text, dep.name AS department "
        "FROM flags f JOIN duties d ON d.id = f.duty_id JOIN citations c ON c.id = f.citation_id "
        "JOIN departments dep ON dep.id = d.department_id WHERE " + " AND ".join(where) +
        " ORDER BY dep.name, d.id, f.id", params))
    by_duty: dict[int, list[dict]] = {}
    for r in rows:
        by_duty.setdefault(r["duty_id"], []).append(r)
    done, skipped = [], []
    for duty_id, flags in by_duty.items():
        texts = {"basis_text": flags[0]["basis_text"] or "", "penalty_basis_text": flags[0]["penalty_basis_text"] or ""}
        plans: dict[str, dict[tuple[int, int], str]] = {"basis_text": {}, "penalty_basis_text": {}}
        used = []
        for f in flags:
            field = "penalty_basis_text" if f["field"] == "penalty_basis" else "basis_text"
            new_label = json.loads(f["suggestion"]).get("new_label")
            try:
                number, suffix = parse_article_label(f["article"] or "")
                span = tuple(json.loads(f["span"])) if f["span"] else None
            except (ValueError, TypeError):
                skipped.append({"flag": f["id"], "reason": MESSAGES["cannot_locate"].format(
                    article=f["article"] or "？", raw=f["raw"], id=f["id"])})
                continue
            hit = locate_article(texts[field], number, suffix, span)
            if hit is None or not new_label:
                skipped.append({"flag": f["id"], "reason": MESSAGES["cannot_locate"].format(
                    article=f["article"], raw=f["raw"], id=f["id"])})
                continue
            start, end, arabic = hit
            new = _written_like(new_label, arabic)
            if plans[field].get((start, end), new) != new:
                skipped.append({"flag": f["id"], "reason": MESSAGES["conflict"].format(
                    article=f["article"], id=f["id"])})
                continue
            plans[field][(start, end)] = new
            used.append({"flag": f["id"], "old": texts[field][start:end], "new": new})
        if not used:
            continue
        revised = {field: rewrite(texts[field], [(s, e, n) for (s, e), n in plan.items()])
                   for field, plan in plans.items() if plan}
        with db.atomic():
            try:
                new_duty_id = revise_duty(db, duty_id, **revised, by=by, note="一键更新条号")
            except DutyError as exc:
                skipped += [{"flag": u["flag"], "reason": str(exc)} for u in used]
                continue
            outcome = reconcile(db, flags[0]["duty_key"], new_duty_id, by=by, named=None,
                                 note=MESSAGES["note_fixed_with"].format(note=MESSAGES["note_renumbered"]))
            for u in used:
                write_audit(db, actor=by, action="flag.apply_renumbering", obj=f"flag:{u['flag']}",
                            detail={"old": u["old"], "new": u["new"], "duty_from": duty_id, "duty_to": new_duty_id,
                                    "fixed": u["flag"] in outcome["resolved"]})
        outcome.pop("created")
        not_fixed = [u["flag"] for u in used if u["flag"] not in outcome["resolved"]]
        for fid in not_fixed:
            skipped.append({"flag": fid, "reason": MESSAGES["not_fixed"].format(id=fid)})
        done.append({"duty_id": duty_id, "new_duty_id": new_duty_id, "name": flags[0]["name"],
                     "department": flags[0]["department"], "replaced": used, **outcome})
    return {"duties": done, "skipped": skipped}


# -- words ---------------------------------------------------------------------------------------

def suggestion_text(flag: dict) -> str:
    """What a flag suggests, in one Chinese sentence (for listings, alerts and pages).

    >>> suggestion_text({"suggestion": {"new_label": "第三十三条", "one_click": True}, "article": "第三十二条"})
    '改引第三十三条（条文内容未变，可用 yiju flags apply-renumbering 一键更新）'
    """
    words = _DATA["suggestions"]
    s = flag.get("suggestion") or {}
    if isinstance(s, str):
        s = json.loads(s or "{}")
    parts = []
    if s.get("one_click"):
        parts.append(words["one_click"].format(new_label=s["new_label"]))
    elif s.get("new_label"):
        same = s["new_label"] == flag.get("article")
        if "diff" in s:
            parts.append(words["same_label_diff"] if same else words["new_label_diff"].format(new_label=s["new_label"]))
        else:
            parts.append(words["same_label"] if same else words["new_label"].format(new_label=s["new_label"]))
    elif s.get("new_labels"):
        labels = "、".join(s["new_labels"])
        if s.get("merged_with"):
            parts.append(words["merged"].format(new_labels=labels, merged_with="、".join(s["merged_with"])))
        else:
            parts.append(words["new_labels"].format(new_labels=labels))
    elif s.get("successor"):
        title = s["successor"]["title"]
        if s.get("candidates"):
            listed = "、".join(words["candidate"].format(**c) for c in s["candidates"])
            parts.append(words["candidates"].format(successor=title, candidates=listed))
        else:
            parts.append(words["successor"].format(successor=title))
    elif "summary" in s:
        parts.append(words["whole_law"])
    elif flag.get("severity") == "critical" or flag.get("change_kind") == "repealed":
        parts.append(words["repealed"] if flag.get("change_kind") == "repealed" else words["deleted"])
    if s.get("new_title"):
        parts.append(words["new_title"].format(new_title=s["new_title"]))
    return "；".join(parts)
