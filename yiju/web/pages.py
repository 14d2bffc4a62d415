"""The workspace's pages: 待办 (inbox), a flag, bulk renumbering, the legal office's queue, laws,
search and the 评议考核 report. Every action calls ``impact.flags`` (which writes the audit log).

A department reviewer asking for another department's flag gets 404 (nothing says it exists);
a department reviewer on a legal-office page gets 403.
"""

from __future__ import annotations

import datetime as _dt
import json
from urllib.parse import urlencode

from flask import Blueprint, Flask, abort, flash, jsonify, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from config.clock import today
from config.glossary import name, names, word
from impact import flags as workflow
from impact import proposals as proposal_flow
from registry.duties import same_posts
from impact.report import department_report
from impact.review import adopt, check_basis
from impact.rules import CLOSED, SEVERITY_NAMES, STATE_NAMES, WITH_DEPARTMENT
from impact.where import cite_now, split_place
from registry import proposals as proposal_store
from registry import web as queries
from registry.search import SearchError, search_articles
from yiju.web import charts
from yiju.web.common import (Paging, actor, db, feed_key, is_legal, legal_only, may_see_department, scope, settings,
                             signed_in, user)

bp = Blueprint("pages", __name__)

#: The inbox's state filter: what each choice lists.
STATE_FILTERS = {
    "todo": (name("inbox_filter", "todo"), WITH_DEPARTMENT),
    "submitted": (name("inbox_filter", "submitted"), ("submitted",)),
    "returned": (name("inbox_filter", "returned"), ("returned",)),
    "closed": (name("inbox_filter", "closed"), CLOSED),
    "all": (name("inbox_filter", "all"), (*WITH_DEPARTMENT, "submitted", *CLOSED)),
}


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _decorate(rows: list[dict], on: str) -> list[dict]:
    for r in rows:
        r["state_name"] = STATE_NAMES.get(r["state"], r["state"])
        r["severity_name"] = SEVERITY_NAMES.get(r["severity"], r["severity"])
        r["overdue"] = bool(r["state"] in WITH_DEPARTMENT and r["due"] and r["due"] < on)
        r["due_soon"] = bool(r["state"] in WITH_DEPARTMENT and r["due"] and not r["overdue"]
                             and r["due"] <= _plus_days(on, 7))
        r["suggestion"] = json.loads(r["suggestion"] or "{}") if isinstance(r.get("suggestion"), str) else r.get("suggestion")
        r["proposal"] = json.loads(r["proposal"]) if isinstance(r.get("proposal"), str) else r.get("proposal")
        r["advice"] = workflow.suggestion_text({**r, "suggestion": r["suggestion"]}, web=True)
    return rows


def _plus_days(day: str, n: int) -> str:
    return (_dt.date.fromisoformat(day) + _dt.timedelta(days=n)).isoformat()


PAGE = 100          # flags per inbox page


def inbox_rows(args, *, limit: int = PAGE) -> tuple[list[dict], dict]:
    """The flags an inbox request lists (one page; ``limit`` None: all), and the filters it used with
    the totals (shared with the Excel export)."""
    state = args.get("state") or "todo"
    if state not in STATE_FILTERS:
        state = "todo"
    severity = args.get("severity") if args.get("severity") in SEVERITY_NAMES else None
    where = scope()
    department = _int(args.get("department"))
    if department and may_see_department(department):
        where = queries.department_scope(db(), department)
    on = today()
    which = {"scope": where, "states": STATE_FILTERS[state][1], "severity": severity,
             "post_id": _int(args.get("post")), "law_id": _int(args.get("law")), "on": on}
    total, overdue = queries.inbox_counts(db(), **which, overdue_states=WITH_DEPARTMENT)
    paging = Paging.of(total, limit or max(total, 1), args.get("page") if limit else 1)
    rows = queries.inbox(db(), **which, limit=paging.size, offset=paging.offset)
    filters = {"state": state, "severity": severity or "", "post": _int(args.get("post")),
               "law": _int(args.get("law")), "department": department, "paging": paging,
               "total": total, "overdue": overdue}
    return _decorate(rows, on), filters


@bp.get("/")
@signed_in
def home():
    waiting = is_legal() and (queries.legal_queue(db(), limit=1) or queries.proposal_queue_count(db()))
    return redirect(url_for("pages.queue") if waiting else url_for("pages.inbox"))


@bp.get("/inbox")
@signed_in
def inbox():
    rows, filters = inbox_rows(request.args)
    options = queries.filter_options(db(), scope())
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("inbox.html.j2", rows=rows, filters=filters, options=options,
                           states=STATE_FILTERS, departments=queries.departments(db(), scope()),
                           overdue=filters["overdue"], query=urlencode(query), total=filters["total"])


# -- one flag ----------------------------------------------------------------------------------------------

def _flag_or_404(flag_id: int) -> dict:
    try:
        detail = workflow.flag_detail(db(), flag_id)
    except workflow.FlagNotFound:
        abort(404)
    if not may_see_department(detail["department_id"]):
        abort(404)
    return detail


def _candidates(d: dict) -> list[dict]:
    """What the flag suggests citing instead, each one adoptable: new labels in the same law,
    or articles of the successor law."""
    s = d["suggestion"] or {}
    out = []
    labels = cite_now(s)   # impact.where: the exact 款/项 when known, as the flag says
    title = s.get("new_title")
    for label in labels:
        if label and label != d["article"] or title:
            out.append({"label": label, "title": title, "law": title or d["law_title"] or d["law"],
                        "score": None, "text": _article_text(d, label)})
    successor = (s.get("successor") or {}).get("title")
    for c in s.get("candidates") or []:
        out.append({"label": c.get("label"), "title": c.get("title") or successor, "law": c.get("title") or successor,
                    "score": c.get("score"), "text": c.get("text") or ""})
    return out


def _article_text(d: dict, label: str) -> str:
    place = split_place(label)
    article = place[0] if place else label
    for a in d["new_articles"]:
        if a["label"] == article:
            return a["text"]
    return ""


def _duizhao(d: dict) -> dict | None:
    ac = d["article_change"]
    if ac:
        old_text = "\n".join(a["text"] for a in d["old_articles"])
        new_text = "\n".join(a["text"] for a in d["new_articles"])
        return {"status": ac["status"], "old": ac["old_labels"], "new": ac["new_labels"], "diff": ac["diff"],
                "substance": ac.get("substance"), "similarity": ac.get("similarity"),
                "old_text": old_text, "new_text": new_text}
    if d["old_articles"]:
        a = d["old_articles"][0]
        return {"status": "deleted", "old": [a["label"]], "new": [], "diff": None, "old_text": a["text"],
                "new_text": "", "repealed": d["change_kind"] == "repealed"}
    return None


def _render_flag(d: dict, *, basis: str | None = None, check: dict | None = None, error: str | None = None,
                 status: int = 200):
    field = "penalty_basis_text" if d["citation_detail"]["field"] == "penalty_basis" else "basis_text"
    current = d["duty"][field] or ""
    pending = None
    if basis is None:
        if d["proposal"] and d["proposal"].get("basis"):
            basis = d["proposal"]["basis"]
        else:
            pending = queries.pending_basis(db(), d["duty_key"], field, exclude=d["id"])
            basis = pending["basis"] if pending else current
    on = today()
    post = queries.duty_post(db(), d["duty_id"])
    holders = queries.post_holders(db(), same_posts(db(), {post}) if post else [], on)
    return render_template(
        "flag.html.j2", f=d, field=field, current_basis=current, basis=basis, pending=pending, check=check,
        error=error, candidates=_candidates(d), dz=_duizhao(d), holders=holders,
        advice=workflow.suggestion_text(d, web=True), legal_review=settings().workflow.legal_review,
        can_act=d["state"] in WITH_DEPARTMENT, can_review=is_legal() and d["state"] == "submitted",
    ), status


@bp.get("/flags/<int:flag_id>")
@signed_in
def flag(flag_id: int):
    return _render_flag(_flag_or_404(flag_id))


@bp.post("/flags/<int:flag_id>/adopt")
@signed_in
def flag_adopt(flag_id: int):
    """Put a candidate into the basis editor (nothing is saved until it is submitted)."""
    d = _flag_or_404(flag_id)
    candidates = _candidates(d)
    i = _int(request.form.get("candidate"))
    if i is None or not 0 <= i < len(candidates):
        abort(400)
    c = candidates[i]
    base = request.form.get("basis") or d["duty"]["penalty_basis_text" if d["citation_detail"]["field"] == "penalty_basis"
                                                   else "basis_text"] or ""
    title = c["title"] if c["title"] and c["title"] != (d["law_title"] or d["law"]) else None
    text = adopt(base, d["citation_detail"], label=c["label"], title=title)
    return _render_flag(d, basis=text, check=check_basis(db(), text))


@bp.post("/flags/<int:flag_id>/check")
@signed_in
def flag_check(flag_id: int):
    d = _flag_or_404(flag_id)
    text = request.form.get("basis") or ""
    return _render_flag(d, basis=text, check=check_basis(db(), text))


def _act(flag_id: int, fn, *args, **kwargs):
    d = _flag_or_404(flag_id)
    try:
        fn(db(), flag_id, *args, **kwargs)
    except workflow.FlagError as exc:
        return _render_flag(workflow.flag_detail(db(), flag_id), basis=request.form.get("basis"),
                            error=str(exc), status=409)
    return None


@bp.post("/flags/<int:flag_id>/ack")
@signed_in
def flag_ack(flag_id: int):
    failed = _act(flag_id, workflow.acknowledge, by=actor())
    if failed:
        return failed
    flash(f"提示 #{flag_id} 已确认")
    return redirect(url_for("pages.flag", flag_id=flag_id))


@bp.post("/flags/<int:flag_id>/resolve")
@signed_in
def flag_resolve(flag_id: int):
    d = _flag_or_404(flag_id)
    basis = request.form.get("basis") or ""
    check = check_basis(db(), basis)
    if check["errors"]:
        return _render_flag(d, basis=basis, check=check, error="新依据中有登记库里不存在的条文，请改正后再提交",
                            status=422)
    review = settings().workflow.legal_review and not is_legal()
    failed = _act(flag_id, workflow.department_action, action="resolve", basis=basis, by=actor(),
                  legal_review=review)
    if failed:
        return failed
    flash(f"提示 #{flag_id} 已提交法制机构审核" if review else f"提示 #{flag_id} 已解决，职权已更新为新版本")
    return redirect(url_for("pages.inbox") if review else url_for("pages.flag", flag_id=flag_id))


@bp.post("/flags/<int:flag_id>/dismiss")
@signed_in
def flag_dismiss(flag_id: int):
    review = settings().workflow.legal_review and not is_legal()
    failed = _act(flag_id, workflow.department_action, action="dismiss", reason=request.form.get("reason"),
                  by=actor(), legal_review=review)
    if failed:
        return failed
    flash(f"提示 #{flag_id} 的驳回理由已提交法制机构审核" if review else f"提示 #{flag_id} 已驳回")
    return redirect(url_for("pages.inbox") if review else url_for("pages.flag", flag_id=flag_id))


@bp.post("/flags/<int:flag_id>/approve")
@legal_only
def flag_approve(flag_id: int):
    failed = _act(flag_id, workflow.approve, by=actor())
    if failed:
        return failed
    flash(f"提示 #{flag_id} 审核通过")
    return redirect(url_for("pages.queue"))


@bp.post("/flags/<int:flag_id>/return")
@legal_only
def flag_return(flag_id: int):
    failed = _act(flag_id, workflow.return_flag, reason=request.form.get("reason"), by=actor())
    if failed:
        return failed
    flash(f"提示 #{flag_id} 已退回部门")
    return redirect(url_for("pages.queue"))


@bp.post("/api/cite")
@signed_in
def api_cite():
    """The basis editor's check: the server's parse and resolution of what was typed."""
    return jsonify(check_basis(db(), request.form.get("basis") or ""))


# -- bulk renumbering --------------------------------------------------------------------------------------

def _bulk_department() -> dict | None:
    deps = queries.departments(db(), scope())
    wanted = _int(request.values.get("department"))
    if wanted is None and not is_legal() and user()["department_id"]:
        wanted = user()["department_id"]
    return next((d for d in deps if d["id"] == wanted), None), deps


@bp.get("/bulk")
@signed_in
def bulk():
    department, deps = _bulk_department()
    plan = workflow.plan_renumbering(db(), department=department["name"]) if department else None
    return render_template("bulk.html.j2", department=department, departments=deps, plan=plan,
                           legal_review=settings().workflow.legal_review and not is_legal())


@bp.post("/bulk")
@signed_in
def bulk_apply():
    department, _ = _bulk_department()
    if not department:
        abort(404)
    review = settings().workflow.legal_review and not is_legal()
    if review:
        out = workflow.submit_renumbering(db(), department=department["name"], by=actor())
        flash(f"已将 {out['submitted']} 项一键更新条号提交法制机构审核")
    else:
        out = workflow.apply_renumbering(db(), department=department["name"], by=actor())
        flash(f"已更新职权 {len(out['duties'])} 项，解决提示 {sum(len(d['resolved']) for d in out['duties'])} 项")
    return redirect(url_for("pages.bulk", department=department["id"]))


# -- 拟新增职权 (issue 17) ----------------------------------------------------------------------------------
# Powers a law gives a department that no duty of its list covers (impact.proposals). Departments see
# theirs and accept one (a new duty on the list, assigned to a post) or decline it; with
# [workflow] legal_review the decision is submitted and the legal office signs it off in 审核 (as flags).

#: The proposals page's state filter: what each choice lists (the glossary's names; "all": every state).
PROPOSAL_FILTERS = {**{code: (code,) for code in names("proposal_state")}, "all": tuple(names("proposal_state")),
                    # 待处理, the page's default, is what waits for the department: a returned one too
                    "open": proposal_flow.WITH_DEPARTMENT}
PROPOSALS_PAGE = 50     # proposals per page (each row has its accept and decline forms)


def _proposal_filters(args) -> dict:
    """The filters a proposals request asks for, as far as the user may use them."""
    department = _int(args.get("department"))
    if department is not None and not may_see_department(department):
        department = None
    state = args.get("state") if args.get("state") in PROPOSAL_FILTERS else "open"
    return {"department": department, "law": _int(args.get("law")), "state": state}


@bp.get("/proposals")
@signed_in
def proposals():
    """Every proposal the user may see, a page at a time (LIMIT/OFFSET in a stable order); the
    department, law and state filters work together and the page links keep them."""
    filters = _proposal_filters(request.args)
    visible = queries.department_scope(db(), filters["department"]) if filters["department"] else scope()
    states = PROPOSAL_FILTERS[filters["state"]]
    laws = queries.proposal_laws(db(), scope=visible, states=states)
    law = filters["law"]
    counts = {x["id"]: x["n"] for x in laws}
    if law is not None and law not in counts:
        # a law with none here (in this department or state): listed as 0, not silently dropped
        row = queries.law(db(), law)
        if row:
            laws = sorted([*laws, {"id": law, "title": row["title"], "n": 0}], key=lambda x: x["title"])
        else:
            filters["law"] = law = None
    total = counts.get(law, 0) if law is not None else sum(counts.values())
    paging = Paging.of(total, PROPOSALS_PAGE, request.args.get("page"))
    rows = queries.proposals(db(), scope=visible, states=states, law_id=law, limit=paging.size,
                             offset=paging.offset)
    posts = {}
    for p in rows:
        if p["department_id"] not in posts:
            posts[p["department_id"]] = queries.department_posts(db(), p["department_id"])
    return render_template("proposals.html.j2", rows=rows, posts=posts, paging=paging, filters=filters,
                           departments=queries.departments(db(), scope()), laws=laws,
                           states={code: name("proposal_state", code) for code in names("proposal_state")},
                           legal_review=_proposal_review(), actionable=proposal_flow.WITH_DEPARTMENT,
                           waiting={state: sum(x["n"] for x in queries.proposal_laws(db(), scope=scope(), states=(state,)))
                                    for state in ("submitted", "returned")})


def _back_to_list():
    """The proposals page as the acting user had it: its filters and page (from the form)."""
    form = request.form
    state = form.get("state") if form.get("state") in PROPOSAL_FILTERS else None
    page = _int(form.get("page"))
    return redirect(url_for("pages.proposals", department=_int(form.get("department")), law=_int(form.get("law")),
                            state=state if state != "open" else None, page=page if page and page > 1 else None))


def _proposal_action(fn, proposal_id: int, message, **kwargs) -> bool:
    """Act on a proposal the user may see (404 otherwise); flash ``message(proposal)`` when it worked,
    the workflow's refusal when not."""
    p = proposal_store.get(db(), proposal_id)
    if p is None or not may_see_department(p["department_id"]):
        abort(404)
    try:
        done = fn(db(), proposal_id, **kwargs)
    except proposal_flow.ProposalError as exc:
        flash(str(exc))
        return False
    flash(f"{word('proposal')} #{proposal_id} {message(done)}")
    return True


def _proposal_review() -> bool:
    """Whether a decision on a proposal waits for the legal office (as a flag's: ``[workflow] legal_review``)."""
    return settings().workflow.legal_review and not is_legal()


@bp.post("/proposals/<int:proposal_id>/accept")
@signed_in
def proposal_accept(proposal_id: int):
    review = _proposal_review()
    _proposal_action(proposal_flow.department_action, proposal_id,
                     lambda p: "的采纳已提交法制机构审核" if review else f"{name('proposal_state', 'accepted')}，已加入部门权责清单",
                     action="accept", by=actor(), post=request.form.get("post") or "",
                     name=(request.form.get("name") or "").strip() or None, legal_review=review)
    return _back_to_list()


@bp.post("/proposals/<int:proposal_id>/decline")
@signed_in
def proposal_decline(proposal_id: int):
    review = _proposal_review()
    _proposal_action(proposal_flow.department_action, proposal_id,
                     lambda p: "的不采纳理由已提交法制机构审核" if review else name("proposal_state", "declined"),
                     action="decline", by=actor(), reason=request.form.get("reason") or "", legal_review=review)
    return _back_to_list()


@bp.post("/proposals/<int:proposal_id>/approve")
@legal_only
def proposal_approve(proposal_id: int):
    _proposal_action(proposal_flow.approve, proposal_id,
                     lambda p: f"{word('approve')}，{name('proposal_state', p['state'])}"
                               + ("，已加入部门权责清单" if p["state"] == "accepted" else ""), by=actor())
    return redirect(url_for("pages.queue"))


@bp.post("/proposals/<int:proposal_id>/return")
@legal_only
def proposal_return(proposal_id: int):
    _proposal_action(proposal_flow.return_proposal, proposal_id, lambda p: f"已{word('return')}部门",
                     reason=request.form.get("reason"), by=actor())
    return redirect(url_for("pages.queue"))


# -- the legal office -----------------------------------------------------------------------------------------

@bp.get("/queue")
@legal_only
def queue():
    paging = Paging.of(queries.legal_queue_count(db()), PAGE, request.args.get("page"))
    rows = _decorate(queries.legal_queue(db(), limit=paging.size, offset=paging.offset), today())
    # the proposals waiting, a page at a time of their own (``ppage``; the flags' page kept)
    ppaging = Paging.of(queries.proposal_queue_count(db()), PROPOSALS_PAGE, request.args.get("ppage"), "ppage")
    return render_template("queue.html.j2", rows=rows, paging=paging, ppaging=ppaging,
                           proposals=queries.proposal_queue(db(), limit=ppaging.size, offset=ppaging.offset))


# -- laws and search ----------------------------------------------------------------------------------------------

LAWS_PAGE = 200         # laws per page of the list of laws
CHANGED_PAGE = 100      # changed articles (对照) per page of a law's comparison of two versions


@bp.get("/laws")
@signed_in
def laws():
    paging = Paging.of(queries.count_laws(db()), LAWS_PAGE, request.args.get("page"))
    return render_template("laws.html.j2", laws=queries.laws_list(db(), limit=paging.size, offset=paging.offset),
                           paging=paging, changes=queries.recent_changes(db(), 20),
                           feed_url=f"{settings().web.base_url.rstrip('/')}/feed.atom?key={feed_key(user()['id'])}")


@bp.get("/laws/<int:law_id>")
@signed_in
def law(law_id: int):
    row = queries.law(db(), law_id)
    if not row:
        abort(404)
    versions = queries.law_versions(db(), law_id)
    changes = queries.law_changes(db(), law_id)
    for c in changes:
        c["summary"] = json.loads(c["summary"] or "{}")
    ids = [v["id"] for v in versions]
    a, b = _int(request.args.get("a")), _int(request.args.get("b"))
    if len(ids) >= 2 and (a not in ids or b not in ids):
        a, b = ids[-2], ids[-1]
    comparison = charts.compare_versions(db(), a, b) if a and b and a != b else None
    changed = None
    if comparison and not comparison["unavailable"]:
        # every changed article, a page of 对照 at a time (``cpage``; the duties page with ``page``)
        changed = Paging.of(len(comparison["matches"]), CHANGED_PAGE, request.args.get("cpage"), "cpage")
        comparison["shown"] = comparison["matches"][changed.offset:changed.offset + changed.size]
    paging = Paging.of(queries.count_duties_citing(db(), law_id, scope()), DUTIES_PAGE, request.args.get("page"))
    return render_template("law.html.j2", law=row, versions=versions, changes=changes, a=a, b=b,
                           comparison=comparison, duties=queries.duties_citing(db(), law_id, scope(), limit=paging.size,
                                                                               offset=paging.offset), paging=paging,
                           changed=changed)


@bp.get("/search")
@signed_in
def search():
    """Articles and duties containing the words, each list a page at a time (``apage``, ``dpage``)."""
    q = (request.args.get("q") or "").strip()
    articles, duties, error, apaging, dpaging = [], [], None, None, None
    if q:
        asked = max(_int(request.args.get("apage")) or 1, 1)
        try:
            # best first, a rank at a time until the asked page is filled (registry.search)
            found = search_articles(db(), q, limit=asked * ARTICLES_PAGE)
            apaging = Paging.of(found.total, ARTICLES_PAGE, asked, "apage")
            articles = found.hits[apaging.offset:apaging.offset + ARTICLES_PAGE]
        except SearchError as exc:
            error = str(exc)
        dpaging = Paging.of(queries.count_duties(db(), q, scope()), DUTIES_PAGE, request.args.get("dpage"), "dpage")
        duties = queries.search_duties(db(), q, scope(), limit=dpaging.size, offset=dpaging.offset)
    return render_template("search.html.j2", q=q, articles=[{"hit": h, "passage": _marked(h)} for h in articles],
                           duties=duties, error=error, apaging=apaging, dpaging=dpaging)


ARTICLES_PAGE = 30      # articles per page of a search
DUTIES_PAGE = 50        # duties per page of a search


def _marked(hit) -> Markup:
    """The hit's passage with the searched words in <mark> (the text escaped)."""
    out, last = [], 0
    for start, end in hit.spans:
        out += [escape(hit.passage[last:start]), Markup("<mark>"), escape(hit.passage[start:end]), Markup("</mark>")]
        last = end
    out.append(escape(hit.passage[last:]))
    return Markup("").join(out)


# -- 评议考核 ------------------------------------------------------------------------------------------------------

def report_data() -> dict:
    report = department_report(db())
    visible = scope()
    rows = [r for r in report["departments"] if visible is None or r["department_id"] in visible]
    in_time = queries.closed_in_time(db())
    for r in rows:
        n, ok = in_time.get(r["department_id"], (0, 0))
        r["closed_flags"] = n
        r["in_time"] = ok
        r["share_in_time"] = round(ok / n, 3) if n else None
    return {"as_of": report["as_of"], "departments": rows, "total": report["total"] if visible is None else None,
            "trend": queries.monthly_trend(db(), visible)}


@bp.get("/report")
@signed_in
def report():
    data = report_data()
    return render_template("report.html.j2", report=data, svg=charts.report_charts(data))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.errorhandler(403)
    def forbidden(exc):
        return render_template("error.html.j2", code=403, message="您没有权限查看此页面"), 403

    @app.errorhandler(404)
    def not_found(exc):
        return render_template("error.html.j2", code=404, message="没有找到这个页面（或您无权查看）"), 404

    @app.errorhandler(400)
    def bad_request(exc):
        return render_template("error.html.j2", code=400,
                               message=getattr(exc, "description", None) or "请求无效"), 400
