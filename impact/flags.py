"""The flag workflow, with an audit row per action::

    open → acknowledged ─┬─────────────────────────────→ resolved | dismissed   (the legal office, the CLI)
                         └→ submitted ─┬─ approve ─────→ resolved | dismissed   (审核通过)
                              ↑        └─ return ──────→ returned ─┐           (退回, with a reason)
                              └────────────────────────────────────┘

With ``[workflow] legal_review = true`` (the default) a department's resolve or dismiss in the
review workspace is a proposal (``department_action`` → ``submitted``) that the legal office
approves (``approve``) or returns (``return_flag``); the command line acts as the legal office
and closes at once.

Everything a person does to a flag goes through here (the command line and the workspace):
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

import sqlite_utils

from config.clock import today
from impact.duties import DutyError, current_version, revise_duty
from impact.reconcile import reconcile
from impact.rewrite import basis_column, relabel, rewrite
from impact.where import cite_now
from impact.rules import (ACTIVE, CLOSED, GROUPS, MESSAGES, SEVERITY_NAMES, STATE_NAMES, STATES, SUGGESTIONS,
                          WITH_DEPARTMENT, FlagError, FlagNotFound, severity_rank)
from registry import audit
from registry import changes as change_store
from registry import citations as citation_store
from registry import duties as duty_store
from registry import flags as flag_store
from registry import laws as law_store
from registry.audit import write_audit
from registry.flags import Flag

_GROUP_STATES = {"active": ACTIVE, "all": STATES}


def state_codes(name: str) -> tuple[str, ...]:
    """The states a --state value means: a state ('open' or '待处理'), 'active' (open and
    acknowledged, '待办') or 'all' ('全部'); raises FlagError for anything else.

    >>> state_codes("已确认"), state_codes("active")
    (('acknowledged',), ('open', 'acknowledged', 'submitted', 'returned'))
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

def _decorate(row: Flag, on: str) -> dict:
    row["state_name"] = STATE_NAMES.get(row["state"], row["state"])
    row["severity_name"] = SEVERITY_NAMES.get(row["severity"], row["severity"])
    row["overdue"] = bool(row["state"] in WITH_DEPARTMENT and row["due"] and row["due"] < on)
    return row


def department_id(db: sqlite_utils.Database, name: str) -> int:
    """The id of the department called ``name``; FlagError naming the known ones otherwise."""
    found = duty_store.find_department(db, name.strip())
    if found:
        return found["id"]
    known = duty_store.department_names(db, limit=20)
    raise FlagError(MESSAGES["no_department"].format(name=name, known="、".join(known) or "（无）"))


def list_flags(db: sqlite_utils.Database, *, department: str | None = None, state: str | None = None,
               duty_id: int | None = None) -> list[dict]:
    """Flags by department, worst and soonest due first; ``state`` as ``state_codes`` reads it
    (None: every state), ``department`` a name."""
    rows = flag_store.list_flags(db, department_id=department_id(db, department) if department else None,
                                 states=state_codes(state) if state else None, duty_id=duty_id)
    rows.sort(key=lambda f: (f["department"], severity_rank(f["severity"]), f["due"] or "", f["id"]))
    on = today()
    return [_decorate(r, on) for r in rows]


def get_flag(db: sqlite_utils.Database, flag_id: int) -> dict:
    """One flag with its duty, citation and change, as ``list_flags`` gives it."""
    row = flag_store.get_flag(db, flag_id)
    if row is None:
        raise FlagNotFound(MESSAGES["not_found"].format(id=flag_id))
    return _decorate(row, today())


_DUTY_KEYS = ("id", "code", "name", "kind", "version", "is_current", "basis_text", "penalty_basis_text")
_CHANGE_KEYS = ("id", "kind", "published", "effective", "old_version_id", "new_version_id", "detail")


def flag_detail(db: sqlite_utils.Database, flag_id: int) -> dict:
    """Everything ``yiju flags show`` prints: the flag, the duty, the citation, the change and
    the old and new text of the cited article with the article diff."""
    flag = get_flag(db, flag_id)
    duty_row = duty_store.get_duty(db, flag["duty_id"])
    duty = {k: duty_row[k] for k in _DUTY_KEYS}
    citation = citation_store.get_with_date(db, flag["citation_id"])
    change_row = change_store.get_change(db, flag["change_id"])
    change = {k: change_row[k] for k in _CHANGE_KEYS}
    change["old_date"] = law_store.version_date(db, change["old_version_id"])[0]
    change["new_date"] = law_store.version_date(db, change["new_version_id"])[0]
    article_change = None
    old_articles: list[dict] = []
    new_articles: list[dict] = []
    if flag["article_change_id"]:
        article_change = change_store.get_article_change(db, flag["article_change_id"])
        old_articles = _articles(db, change["old_version_id"], article_change["old_labels"])
        new_articles = _articles(db, change["new_version_id"], article_change["new_labels"])
    elif citation["article"] and citation["version_id"]:
        old_articles = _articles(db, citation["version_id"], [citation["article"]])
    history = [{k: h[k] for k in ("at", "actor", "action", "detail")} for h in audit.history(db, f"flag:{flag_id}")]
    return {**flag, "duty": duty, "citation_detail": citation, "change": change,
            "article_change": article_change, "old_articles": old_articles, "new_articles": new_articles,
            "history": history}


def _articles(db, version_id: int | None, labels: list[str]) -> list[dict]:
    return [{"label": label, "text": text} for label, text in law_store.article_texts(db, version_id, labels)]


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
        if flag["state"] != "open":
            raise FlagError(MESSAGES["not_submitted"].format(id=flag_id, state=flag["state_name"],
                                                             action=MESSAGES["action_acknowledge"]))
        flag_store.set_state(db, flag_id, "acknowledged", by=by)
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
        flag_store.close(db, flag_id, "dismissed", by=by, note=reason)
        write_audit(db, actor=by, action="flag.dismiss", obj=f"flag:{flag_id}",
                    detail={"from": flag["state"], "reason": reason})
    return get_flag(db, flag_id)


def _basis_problems(db: sqlite_utils.Database, old_duty_id: int, new_duty_id: int, field: str) -> list[str]:
    """What is wrong with the citations a new basis adds (an unknown law, an article the law does not
    have, a repealed law); citations the old basis already had are not judged again."""
    column = "penalty_basis" if field == "penalty_basis_text" else "basis"
    before = {c["raw"] for c in citation_store.of_duty(db, old_duty_id) if c["field"] == column}
    return [f"{raw}：{problem or '无法核对'}" for raw, problem in citation_store.wrong_of_duty(db, new_duty_id, column)
            if raw not in before]


def resolve(db: sqlite_utils.Database, flag_id: int, *, basis: str, by: str, force: bool = False) -> dict:
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
        field = basis_column(flag["field"])
        try:
            current = current_version(db, flag["duty_id"])
            if basis == (current[field] or "").strip():
                raise FlagError(MESSAGES["basis_unchanged"].format(id=flag_id))
            new_duty_id = revise_duty(db, current["id"], **{field: basis}, by=by, note=f"处理提示 #{flag_id}")
        except DutyError as exc:
            raise FlagError(str(exc)) from exc
        problems = _basis_problems(db, current["id"], new_duty_id, field)
        if problems and not force:
            # raised inside the transaction: the new duty version is rolled back, nothing changes
            raise FlagError(MESSAGES["basis_problems"].format(id=flag_id, problems="；".join(problems)))
        outcome = reconcile(db, current["duty_key"], new_duty_id, by=by, named=flag_id,
                             note=MESSAGES["note_fixed_with"].format(note=MESSAGES["note_resolved"].format(id=flag_id)))
        write_audit(db, actor=by, action="flag.resolve", obj=f"flag:{flag_id}",
                    detail={"from": flag["state"], "duty_from": current["id"], "duty_to": new_duty_id,
                            "field": field, "basis": basis, "forced": problems if force else [],
                            "also_resolved": [i for i in outcome["resolved"] if i != flag_id],
                            "moved": outcome["moved"], "new_flags": outcome["new_flags"]})
    outcome.pop("created")
    return {"flag": flag_id, "duty_id": new_duty_id, "old_duty_id": current["id"], **outcome}


# -- one-click renumbering -------------------------------------------------------------------------

def plan_renumbering(db: sqlite_utils.Database, *, department: str | None = None) -> dict:
    """What ``apply_renumbering`` would do, without writing: per duty the rewritten texts.

    Returns {"duties": [{"duty_id", "duty_key", "name", "code", "department", "replaced": [{"flag", "old",
    "new", "field"}], "texts": {field: old text}, "revised": {field: new text}}], "skipped": [{"flag", "reason"}]}.
    """
    rows = flag_store.one_click(db, department_id(db, department) if department else None)
    by_duty: dict[int, list[dict]] = {}
    for r in rows:
        by_duty.setdefault(r["duty_id"], []).append(r)
    planned, skipped = [], []
    for duty_id, flags in by_duty.items():
        texts = {"basis_text": flags[0]["basis_text"] or "", "penalty_basis_text": flags[0]["penalty_basis_text"] or ""}
        plans: dict[str, dict[tuple[int, int], str]] = {"basis_text": {}, "penalty_basis_text": {}}
        used = []
        for f in flags:
            field = basis_column(f["field"])
            targets = cite_now(json.loads(f["suggestion"]))   # impact.where: what the flag says to cite
            new_label = targets[0] if len(targets) == 1 else None
            edit = relabel(texts[field], f["article"], new_label, f["span"])
            if edit is None:
                skipped.append({"flag": f["id"], "reason": MESSAGES["cannot_locate"].format(
                    article=f["article"] or "？", raw=f["raw"], id=f["id"])})
                continue
            if plans[field].get((edit.start, edit.end), edit.new) != edit.new:
                skipped.append({"flag": f["id"], "reason": MESSAGES["conflict"].format(
                    article=f["article"], id=f["id"])})
                continue
            plans[field][(edit.start, edit.end)] = edit.new
            used.append({"flag": f["id"], "old": edit.old, "new": edit.new, "field": field})
        if not used:
            continue
        revised = {field: rewrite(texts[field], [(s, e, n) for (s, e), n in plan.items()])
                   for field, plan in plans.items() if plan}
        planned.append({"duty_id": duty_id, "duty_key": flags[0]["duty_key"], "name": flags[0]["name"],
                        "code": flags[0].get("code"), "department": flags[0]["department"], "replaced": used,
                        "texts": {k: texts[k] for k in revised}, "revised": revised})
    return {"duties": planned, "skipped": skipped}


def apply_renumbering(db: sqlite_utils.Database, *, department: str | None = None, by: str) -> dict:
    """Apply every ready one-click fix (renumbered-only articles): rewrite the old label in the basis
    text to the new one and revise the duty, one duty at a time (``plan_renumbering`` shows it first).

    Returns {"duties": [{"duty_id", "new_duty_id", "name", "department", "replaced": [...],
    "resolved": [...], "moved": [...]}], "skipped": [{"flag", "reason"}]}.
    """
    plan = plan_renumbering(db, department=department)
    done, skipped = [], list(plan["skipped"])
    for p in plan["duties"]:
        duty_id, used = p["duty_id"], p["replaced"]
        with db.atomic():
            try:
                new_duty_id = revise_duty(db, duty_id, **p["revised"], by=by, note="一键更新条号")
            except DutyError as exc:
                skipped += [{"flag": u["flag"], "reason": str(exc)} for u in used]
                continue
            outcome = reconcile(db, p["duty_key"], new_duty_id, by=by, named=None,
                                 note=MESSAGES["note_fixed_with"].format(note=MESSAGES["note_renumbered"]))
            for u in used:
                write_audit(db, actor=by, action="flag.apply_renumbering", obj=f"flag:{u['flag']}",
                            detail={"old": u["old"], "new": u["new"], "duty_from": duty_id, "duty_to": new_duty_id,
                                    "field": u["field"], "fixed": u["flag"] in outcome["resolved"]})
        outcome.pop("created")
        not_fixed = [u["flag"] for u in used if u["flag"] not in outcome["resolved"]]
        for fid in not_fixed:
            skipped.append({"flag": fid, "reason": MESSAGES["not_fixed"].format(id=fid)})
        done.append({"duty_id": duty_id, "new_duty_id": new_duty_id, "name": p["name"],
                     "department": p["department"],
                     "replaced": [{k: u[k] for k in ("flag", "old", "new")} for u in used], **outcome})
    return {"duties": done, "skipped": skipped}


def submit_renumbering(db: sqlite_utils.Database, *, department: str | None = None, by: str) -> dict:
    """With the legal office's review: each ready one-click fix becomes a proposal (``submitted``)
    carrying its duty's rewritten basis. Returns {"submitted": n, "skipped": [...]}."""
    plan = plan_renumbering(db, department=department)
    submitted, skipped = 0, list(plan["skipped"])
    for p in plan["duties"]:
        for u in p["replaced"]:
            try:
                department_action(db, u["flag"], action="resolve", basis=p["revised"][u["field"]], by=by,
                                  legal_review=True)
                submitted += 1
            except FlagError as exc:
                skipped.append({"flag": u["flag"], "reason": str(exc)})
    return {"submitted": submitted, "skipped": skipped}


# -- the legal office's review -------------------------------------------------------------------

class _DryRun(Exception):
    pass


def check_resolve(db: sqlite_utils.Database, flag_id: int, *, basis: str) -> dict:
    """What ``resolve`` would do with this basis, without writing anything (FlagError when it
    would refuse: an empty or unchanged text, or one still citing the changed provision)."""
    box: dict = {}
    try:
        with db.atomic():
            box.update(resolve(db, flag_id, basis=basis, by="（预检）"))
            raise _DryRun
    except _DryRun:
        pass
    return box


def department_action(db: sqlite_utils.Database, flag_id: int, *, action: str, by: str,
                      basis: str | None = None, reason: str | None = None, legal_review: bool = True) -> dict:
    """A department resolves (``basis``) or dismisses (``reason``) a flag. With ``legal_review`` the
    flag becomes ``submitted``, the proposal kept for the legal office (checked now by a dry run, so
    a basis the office could not apply is refused at once); without it, it closes at once.

    Returns the flag (``get_flag``) and, when it closed at once, ``outcome``."""
    if action not in ("resolve", "dismiss"):
        raise ValueError(action)
    if not legal_review:
        if action == "resolve":
            outcome = resolve(db, flag_id, basis=basis or "", by=by)
        else:
            outcome = {"flag": dismiss(db, flag_id, reason=reason or "", by=by)}
        return {**get_flag(db, flag_id), "outcome": outcome}
    basis, reason = (basis or "").strip(), (reason or "").strip()
    with db.atomic():
        flag = get_flag(db, flag_id)
        if flag["state"] not in WITH_DEPARTMENT:
            raise FlagError(MESSAGES["not_submitted"].format(id=flag_id, state=flag["state_name"],
                                                             action=MESSAGES["action_submit"]))
        if action == "resolve":
            check_resolve(db, flag_id, basis=basis)
        elif not reason:
            raise FlagError(MESSAGES["reason_required"])
        proposal = {"action": action, "basis": basis if action == "resolve" else None,
                    "reason": reason if action == "dismiss" else None, "field": basis_column(flag["field"]),
                    "duty_id": flag["duty_id"]}
        flag_store.propose(db, flag_id, proposal, by=by)
        write_audit(db, actor=by, action="flag.submit", obj=f"flag:{flag_id}", detail={"from": flag["state"], **proposal})
    return get_flag(db, flag_id)


def approve(db: sqlite_utils.Database, flag_id: int, *, by: str) -> dict:
    """The legal office approves a submitted flag (审核通过): its proposal is carried out — a new
    duty version with the proposed basis, or the dismissal with its reason."""
    with db.atomic():
        flag = get_flag(db, flag_id)
        if flag["state"] != "submitted" or not flag["proposal"]:
            raise FlagError(MESSAGES["not_submitted"].format(id=flag_id, state=flag["state_name"],
                                                             action=MESSAGES["action_approve"]))
        p = flag["proposal"]
        if p["action"] == "resolve":
            outcome = resolve(db, flag_id, basis=p["basis"], by=by)
        else:
            dismiss(db, flag_id, reason=p["reason"], by=by)
            outcome = {"flag": flag_id, "resolved": [], "moved": [], "new_flags": []}
        flag_store.reviewed(db, flag_id, by=by)
        write_audit(db, actor=by, action="flag.approve", obj=f"flag:{flag_id}",
                    detail={"proposed_by": flag["proposed_by"], "proposed_at": flag["proposed_at"], **p})
    return {**get_flag(db, flag_id), "outcome": outcome}


def return_flag(db: sqlite_utils.Database, flag_id: int, *, reason: str, by: str) -> dict:
    """The legal office returns a submitted flag to its department (退回), saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise FlagError(MESSAGES["return_reason_required"])
    with db.atomic():
        flag = get_flag(db, flag_id)
        if flag["state"] != "submitted":
            raise FlagError(MESSAGES["not_submitted"].format(id=flag_id, state=flag["state_name"],
                                                             action=MESSAGES["action_return"]))
        flag_store.reviewed(db, flag_id, by=by, note=reason, state="returned")
        write_audit(db, actor=by, action="flag.return", obj=f"flag:{flag_id}",
                    detail={"reason": reason, "proposed_by": flag["proposed_by"], "proposal": flag["proposal"]})
    return get_flag(db, flag_id)


# -- words ---------------------------------------------------------------------------------------

def suggestion_text(flag: dict, *, web: bool = False) -> str:
    """What a flag suggests, in one Chinese sentence (for listings, alerts and pages).

    >>> suggestion_text({"suggestion": {"new_label": "第三十三条", "one_click": True}, "article": "第三十二条"})
    '改引第三十三条（条文内容未变，可用 yiju flags apply-renumbering 一键更新）'
    """
    words = SUGGESTIONS
    s = flag.get("suggestion") or {}
    if isinstance(s, str):
        s = json.loads(s or "{}")
    parts = []
    if s.get("new_place") and not s.get("one_click"):
        parts.append(words["new_label_diff" if "diff" in s else "new_label"].format(new_label=s["new_place"]))
    elif s.get("one_click"):
        parts.append(words["one_click_web" if web else "one_click"].format(new_label=s["new_label"]))
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
        elif "candidates" in s:
            parts.append(words["no_candidate"].format(successor=title))
        else:
            parts.append(words["successor"].format(successor=title))
    elif "summary" in s:
        parts.append(words["whole_law"])
    elif flag.get("severity") == "critical" or flag.get("change_kind") == "repealed":
        parts.append(words["repealed"] if flag.get("change_kind") == "repealed" else words["deleted"])
    if s.get("new_title"):
        parts.append(words["new_title"].format(new_title=s["new_title"]))
    return "；".join(parts)
