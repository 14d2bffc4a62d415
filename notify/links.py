"""Links from e-mails into the review workspace: each recipient gets their own single-use sign-in
link (``registry.users``), made only when the workspace's secret is set (``[web] secret_env``).

A link signs its recipient in as their department's reviewer (a legal-office link: as that
account) and leads to ``next_url``; the same link with ``?next=/flags/<id>`` leads to one flag
(after the first click, the browser's session is used: ``yiju.web.auth``).
"""

from __future__ import annotations

from urllib.parse import quote

import sqlite_utils

from config.settings import Settings
from registry import users


class Links:
    """Where one recipient's e-mail points: ``home`` (sign-in link) and ``flag(id)``."""

    def __init__(self, base: str, token: str | None):
        self.base, self.token = base.rstrip("/"), token

    def __bool__(self) -> bool:
        return self.token is not None

    @property
    def home(self) -> str:
        return f"{self.base}/s/{self.token}" if self.token else ""

    def page(self, path: str) -> str:
        return f"{self.home}?next={quote(path, safe='/=?&')}" if self.token else ""

    def flag(self, flag_id: int) -> str:
        return self.page(f"/flags/{flag_id}")


def department_links(db: sqlite_utils.Database, settings: Settings, *, department_id: int, email: str, name: str,
                     next_url: str = "/inbox", purpose: str = "alert") -> Links:
    """A sign-in link for ``email`` as a reviewer of ``department_id`` (empty Links without a secret)."""
    secret = settings.web.secret()
    if not secret:
        return Links(settings.web.base_url, None)
    user_id = users.department_user(db, department_id, email=email, name=name)
    if users.get_user(db, user_id)["disabled_at"]:
        return Links(settings.web.base_url, None)
    token = users.issue_link(db, secret, user_id, next_url, days=settings.web.link_days, purpose=purpose)
    return Links(settings.web.base_url, token)


def legal_links(db: sqlite_utils.Database, settings: Settings, *, email: str, next_url: str = "/queue",
                purpose: str = "escalation") -> Links:
    """A sign-in link for the legal-office account with this address, if there is one."""
    secret = settings.web.secret()
    u = users.find_user(db, email, role="legal") or users.find_user(db, email, role="admin")
    if not secret or not u or u["disabled_at"]:
        return Links(settings.web.base_url, None)
    return Links(settings.web.base_url, users.issue_link(db, secret, u["id"], next_url, days=settings.web.link_days,
                                                         purpose=purpose))
