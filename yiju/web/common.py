"""What every page shares: the registry per request, the signed-in user, their scope, CSRF, words.

A department reviewer's scope is their department and its sub-units; the legal office's and
administrators' scope is every department (``None``).
"""

from __future__ import annotations

import functools
import json
import secrets
from dataclasses import dataclass

import jinja2
from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from itsdangerous import URLSafeSerializer
from markupsafe import Markup

from config.clock import today
from config.glossary import name, names, word
from impact.rules import SEVERITY_NAMES, STATE_NAMES
from notify import templates as notify_templates
from registry import users, web as queries
from registry.schema import connect

ROLE_NAMES = names("web_role")
ACTION_NAMES = names("audit_action")
CHANGE_KINDS = names("change_kind")


def settings():
    return current_app.config["YIJU_SETTINGS"]


def db():
    """The registry for this request (opened on first use, closed when the request ends)."""
    if "db" not in g:
        g.db = connect(settings().registry.path, migrate=False)
    return g.db


def user() -> dict | None:
    return g.get("user")


def actor() -> str:
    """The web user as the audit log names them."""
    u = user()
    return f"{u['name']}（{u['email']}）"


def is_legal() -> bool:
    u = user()
    return bool(u and u["role"] in ("legal", "admin"))


def scope() -> list[int] | None:
    """Department ids the user may see; None: all."""
    if "scope" not in g:
        u = user()
        g.scope = None if is_legal() else queries.department_scope(db(), u["department_id"])
    return g.scope


def may_see_department(department_id: int | None) -> bool:
    s = scope()
    return department_id is not None and (s is None or department_id in s)


def signed_in(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not user():
            return redirect(url_for("auth.signin_form", next=request.full_path if request.method == "GET" else None))
        return view(*args, **kwargs)
    return wrapper


def legal_only(view):
    @functools.wraps(view)
    @signed_in
    def wrapper(*args, **kwargs):
        if not is_legal():
            abort(403)
        return view(*args, **kwargs)
    return wrapper


FEED_SALT = "yiju-feed"


def feed_key(user_id: int) -> str:
    """A personal key for a feed reader (which has no session): the user's id, signed."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=FEED_SALT).dumps(user_id)


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def _check_csrf():
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
        expected = session.get("csrf") or ""
        if not expected or not secrets.compare_digest(sent, expected):
            abort(400, description="表单已失效（缺少或不匹配的安全令牌），请刷新页面后重试")


def _load_user():
    g.user = None
    uid = session.get("uid")
    if uid:
        u = users.get_user(db(), uid)
        if u and not u["disabled_at"] and session.get("role") == u["role"]:
            g.user = u
        else:
            session.clear()


def _close(exc=None):
    database = g.pop("db", None)
    if database is not None:
        database.close()


def _headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                "form-action 'self'; frame-ancestors 'none'")
    if user():
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@dataclass(frozen=True)
class Paging:
    """Page ``number`` (from 1) of a list of ``total`` items shown ``size`` at a time; its links keep
    every other query argument of the request (the list's filters, another list's page), so paging
    never loses them. The page's rows are read with ``LIMIT size OFFSET offset`` in a stable order.
    ``param`` is the query argument naming the page (two lists on one page page separately)."""

    number: int
    size: int
    total: int
    param: str = "page"

    @classmethod
    def of(cls, total: int, size: int, asked=None, param: str = "page") -> "Paging":
        """The page asked for (``?page=``), kept between the first and the last."""
        try:
            number = int(asked)
        except (TypeError, ValueError):
            number = 1
        return cls(min(max(number, 1), max(1, -(-total // size))), size, total, param)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first(self) -> int:
        """The 1-based position of the page's first item (0: the list is empty)."""
        return min(self.offset + 1, self.total)

    @property
    def last(self) -> int:
        return min(self.offset + self.size, self.total)

    def url(self, number: int) -> str:
        """This list at page ``number``, with the request's filters."""
        args = {k: [v for v in values if v] for k, values in request.args.lists() if k != self.param}
        return url_for(request.endpoint, **(request.view_args or {}), **args,
                       **({self.param: number} if number > 1 else {}))

    def numbers(self, around: int = 2) -> list[int | None]:
        """The page numbers to link: the first, the last, ``around`` either side of this one; None
        where some are left out.

        >>> Paging(5, 50, 361).numbers(), Paging(1, 50, 2000).numbers(), Paging(1, 50, 0).numbers()
        ([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, None, 40], [1])
        """
        keep = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        out: list[int | None] = []
        for n in sorted(k for k in keep if 1 <= k <= self.pages):
            if out and n - out[-1] == 2:
                out.append(n - 1)          # one page left out: its number, not "…"
            elif out and n - out[-1] > 2:
                out.append(None)
            out.append(n)
        return out


def state_name(code: str) -> str:
    return STATE_NAMES.get(code, code)


def severity_name(code: str) -> str:
    return SEVERITY_NAMES.get(code, code)


def _csrf_field() -> Markup:
    return Markup(f'<input type="hidden" name="csrf_token" value="{csrf_token()}">')


def init_app(app: Flask) -> None:
    app.before_request(_load_user)
    app.before_request(_check_csrf)
    app.teardown_appcontext(_close)
    app.after_request(_headers)
    env = app.jinja_env
    env.filters.update(
        state_name=state_name, severity_name=severity_name,
        action_name=lambda a: name("audit_action", a), role_name=lambda r: name("web_role", r),
        change_kind=lambda k: name("change_kind", k), resolution_name=lambda r: name("resolution", r), tojson_cn=lambda o: json.dumps(o, ensure_ascii=False),
        **{k: v for k, v in notify_templates.environment().filters.items()
           if k in ("status_name", "substance_name", "labels", "percent", "chinese_date", "heading", "side")},
    )
    env.globals.update(csrf_field=_csrf_field, csrf_token=csrf_token, current_user=user, is_legal=is_legal,
                       today=today, STATE_NAMES=STATE_NAMES, SEVERITY_NAMES=SEVERITY_NAMES, word=word, name=name)
    env.loader = jinja2.ChoiceLoader([env.loader, jinja2.FileSystemLoader(str(notify_templates.TEMPLATES))])
