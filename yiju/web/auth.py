"""Signing in and out: one-use links from e-mails (a confirmation page with one button, so a mail
scanner opening the link signs no one in), and passwords for the legal office and administrators.

Failed password sign-ins are slowed: after ``FREE_TRIES`` failures in ``WINDOW`` for an address or
from a client, each further try must wait twice as long as the one before (up to ``MAX_WAIT``).
"""

from __future__ import annotations

import datetime as _dt

from flask import Blueprint, Flask, current_app, redirect, render_template, request, session, url_for

from registry import users
from yiju.web.common import db, user

bp = Blueprint("auth", __name__)

FREE_TRIES = 3
WINDOW = _dt.timedelta(minutes=15)
MAX_WAIT = 15 * 60


def _start_session(u: dict) -> None:
    session.clear()
    session.permanent = True
    session["uid"] = u["id"]
    session["role"] = u["role"]


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//"):
        return value
    return "/"


def _client() -> str:
    return request.remote_addr or "?"


def _wait_needed(email: str) -> int:
    """Seconds this client or address must still wait before trying a password again."""
    since = (_dt.datetime.now(_dt.timezone.utc) - WINDOW).replace(microsecond=0).isoformat()
    count, last = users.recent_failures(db(), email=email, address=_client(), since=since)
    if count < FREE_TRIES or not last:
        return 0
    wait = min(2 ** (count - FREE_TRIES + 1), MAX_WAIT)
    elapsed = (_dt.datetime.now(_dt.timezone.utc) - _dt.datetime.fromisoformat(last)).total_seconds()
    return max(0, int(wait - elapsed + 0.999))


@bp.get("/signin")
def signin_form():
    return render_template("signin.html.j2", next=_safe_next(request.args.get("next")), error=None, email="")


@bp.post("/signin")
def signin():
    email = (request.form.get("email") or "").strip()
    password = request.form.get("password") or ""
    next_url = _safe_next(request.form.get("next"))
    wait = _wait_needed(email)
    if wait:
        return render_template("signin.html.j2", next=next_url, email=email,
                               error=f"登录失败次数过多，请 {wait} 秒后再试"), 429
    u = users.check_password(db(), email, password)
    if not u:
        with db().atomic():
            users.record_failure(db(), email=email, address=_client())
        return render_template("signin.html.j2", next=next_url, email=email, error="邮箱或密码不正确"), 401
    with db().atomic():
        users.signed_in(db(), u, how="password")
    _start_session(u)
    return redirect(next_url)


@bp.get("/s/<token>")
def link_confirm(token: str):
    """What a click on an e-mail's link shows: who is signing in, and one button. A browser already
    signed in as the link's owner goes straight on (an e-mail's second link, a link clicked again)."""
    me = user()
    if me and users.link_owner(db(), _secret(), token) == me["id"]:
        return redirect(_safe_next(request.args.get("next") or "/"))
    try:
        link = users.peek_link(db(), _secret(), token)
    except users.LinkError as exc:
        return render_template("link_error.html.j2", error=str(exc)), 410
    return render_template("link_confirm.html.j2", link=link, token=token, next=_safe_next(request.args.get("next") or ""))


@bp.post("/s/<token>")
def link_signin(token: str):
    try:
        link = users.redeem_link(db(), _secret(), token)
    except users.LinkError as exc:
        return render_template("link_error.html.j2", error=str(exc)), 410
    _start_session(link["user"])
    return redirect(_safe_next(request.form.get("next") or link["next_url"]))


@bp.post("/signout")
def signout():
    session.clear()
    return redirect(url_for("auth.signin_form"))


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
