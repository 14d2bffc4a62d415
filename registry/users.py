"""Who may sign in to the review workspace, and the sign-in links e-mails carry.

Three roles: ``legal`` (the legal office: every department, approves and returns), ``admin``
(the same, and manages accounts) and ``department`` (a department's reviewer: that department
and its sub-units only). Legal and admin accounts are made with ``yiju users add`` and may have
a password (scrypt); department reviewers are made from the departments and staff already
imported, when an alert carries a link for them.

A sign-in link is a token signed with the workspace's secret (itsdangerous, salted) that carries
a random nonce; the nonce's row says whose link it is, where it leads, when it expires and when it
was used: a link signs someone in once.

>>> from registry.schema import connect
>>> db = connect(":memory:")
>>> uid = add_user(db, email="fzb@example.gov.cn", name="法制办 王五", role="legal", password="s3cret-pass", by="admin")
>>> check_password(db, "FZB@example.gov.cn", "s3cret-pass")["name"]
'法制办 王五'
>>> check_password(db, "fzb@example.gov.cn", "wrong") is None
True
>>> token = issue_link(db, "k" * 32, uid, "/flags/3", days=7, purpose="test")
>>> redeem_link(db, "k" * 32, token)["next_url"]
'/flags/3'
>>> try:
...     redeem_link(db, "k" * 32, token)
... except LinkError as exc:
...     print(exc)
该登录链接已经使用过，请使用最新邮件中的链接，或联系法制机构重新发送
"""

from __future__ import annotations

import datetime as _dt
import secrets

import sqlite_utils
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from config.clock import now
from registry.audit import write_audit

ROLES = ("legal", "admin", "department")
STAFF_ROLES = ("legal", "admin")      # what ``yiju users add`` makes
MIN_PASSWORD = 10
_SALT = "yiju-signin-link"


class AccessError(ValueError):
    """An account or link that cannot be used; the message is Chinese."""


class LinkError(AccessError):
    """A sign-in link that signs no one in (forged, expired, used, or its account disabled)."""


_USER_SQL = """SELECT u.id, u.role, u.department_id, u.staff_id, u.name, u.email, u.disabled_at, u.created_at,
       u.created_by, u.last_signin_at, u.password_hash IS NOT NULL AS has_password, d.name AS department
FROM web_users u LEFT JOIN departments d ON d.id = u.department_id"""


def get_user(db: sqlite_utils.Database, user_id: int) -> dict | None:
    rows = list(db.query(_USER_SQL + " WHERE u.id = ?", [user_id]))
    return rows[0] if rows else None


def list_users(db: sqlite_utils.Database) -> list[dict]:
    """Every account, legal office and admins first, then departments by name."""
    return list(db.query(_USER_SQL + " ORDER BY CASE u.role WHEN 'admin' THEN 0 WHEN 'legal' THEN 1 ELSE 2 END, "
                 "d.name, u.email"))


def _check_email(email: str) -> str:
    email = (email or "").strip()
    if "@" not in email or " " in email or len(email) > 254:
        raise AccessError(f"“{email}”不是有效的邮箱地址")
    return email


def add_user(db: sqlite_utils.Database, *, email: str, name: str, role: str, password: str | None = None,
             by: str) -> int:
    """A legal-office or admin account (``yiju users add``); AccessError when it exists or is invalid."""
    email = _check_email(email)
    if role not in STAFF_ROLES:
        raise AccessError(f"角色“{role}”无效，可用：legal（法制机构）、admin（管理员）；"
                          "部门审核人由已导入的部门和人员自动生成")
    if password is not None and len(password) < MIN_PASSWORD:
        raise AccessError(f"密码至少 {MIN_PASSWORD} 个字符")
    if find_user(db, email, role=role):
        raise AccessError(f"账号 {email}（{role}）已存在")
    with db.atomic():
        user_id = db.execute(
            "INSERT INTO web_users (role, name, email, password_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
            [role, (name or email).strip(), email, _hash(password) if password else None, now(), by]).lastrowid
        write_audit(db, actor=by, action="user.add", obj=f"web_user:{user_id}", detail={"email": email, "role": role})
    return user_id


def _hash(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def set_password(db: sqlite_utils.Database, user_id: int, password: str, *, by: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccessError(f"密码至少 {MIN_PASSWORD} 个字符")
    with db.atomic():
        db.execute("UPDATE web_users SET password_hash = ? WHERE id = ?", [_hash(password), user_id])
        write_audit(db, actor=by, action="user.password", obj=f"web_user:{user_id}", detail={})


def find_user(db: sqlite_utils.Database, email: str, *, role: str | None = None,
              department_id: int | None = None) -> dict | None:
    where, params = ["lower(u.email) = lower(?)"], [email.strip()]
    if role:
        where.append("u.role = ?")
        params.append(role)
    if department_id is not None:
        where.append("u.department_id = ?")
        params.append(department_id)
    rows = list(db.query(_USER_SQL + " WHERE " + " AND ".join(where) + " ORDER BY u.id", params))
    return rows[0] if rows else None


def disable_user(db: sqlite_utils.Database, email: str, *, by: str) -> int:
    """Disable every account with this address (its links and sessions stop working); returns how many."""
    with db.atomic():
        ids = [r[0] for r in db.execute("SELECT id FROM web_users WHERE lower(email) = lower(?) AND disabled_at IS NULL",
                                        [email.strip()]).fetchall()]
        if not ids:
            raise AccessError(f"没有邮箱为 {email} 的有效账号（yiju users list 列出全部账号）")
        stamp = now()
        for user_id in ids:
            db.execute("UPDATE web_users SET disabled_at = ? WHERE id = ?", [stamp, user_id])
            db.execute("UPDATE signin_links SET used_at = ? WHERE user_id = ? AND used_at IS NULL", [stamp, user_id])
            write_audit(db, actor=by, action="user.disable", obj=f"web_user:{user_id}", detail={"email": email})
    return len(ids)


def check_password(db: sqlite_utils.Database, email: str, password: str) -> dict | None:
    """The active legal/admin account with this address and password, else None."""
    for row in list(db.query("SELECT id, password_hash FROM web_users WHERE lower(email) = lower(?) "
                         "AND role IN ('legal', 'admin') AND disabled_at IS NULL AND password_hash IS NOT NULL",
                     [(email or "").strip()])):
        if check_password_hash(row["password_hash"], password or ""):
            return get_user(db, row["id"])
    return None


def department_user(db: sqlite_utils.Database, department_id: int, *, email: str, name: str,
                    staff_id: int | None = None) -> int:
    """The reviewer account of ``department_id`` for this address (made on first need)."""
    email = _check_email(email)
    row = db.execute("SELECT id FROM web_users WHERE role = 'department' AND department_id = ? "
                     "AND lower(email) = lower(?)", [department_id, email]).fetchone()
    if row:
        return row[0]
    return db.execute(
        "INSERT INTO web_users (role, department_id, staff_id, name, email, created_at, created_by) "
        "VALUES ('department', ?, ?, ?, ?, ?, 'yiju')", [department_id, staff_id, name or email, email, now()]).lastrowid


def legal_users(db: sqlite_utils.Database) -> list[dict]:
    """Active legal-office accounts (reminders escalate to them)."""
    return list(db.query(_USER_SQL + " WHERE u.role IN ('legal', 'admin') AND u.disabled_at IS NULL ORDER BY u.id"))


# -- sign-in links -----------------------------------------------------------------------------------

def _serializer(secret: str) -> URLSafeSerializer:
    if not secret or len(secret) < 16:
        raise AccessError("工作台签名密钥未设置或太短（至少 16 个字符），请设置 [web] secret_env 所指的环境变量")
    return URLSafeSerializer(secret, salt=_SALT)


def issue_link(db: sqlite_utils.Database, secret: str, user_id: int, next_url: str = "/", *, days: int,
               purpose: str = "") -> str:
    """A new signed, single-use token for ``user_id`` leading to ``next_url``, valid ``days`` days."""
    nonce = secrets.token_urlsafe(24)
    created = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
    db.execute("INSERT INTO signin_links (nonce, user_id, next_url, created_at, expires_at, purpose) "
               "VALUES (?, ?, ?, ?, ?, ?)",
               [nonce, user_id, next_url if next_url.startswith("/") else "/", created.isoformat(),
                (created + _dt.timedelta(days=days)).isoformat(), purpose])
    return _serializer(secret).dumps(nonce)


def link_owner(db: sqlite_utils.Database, secret: str, token: str) -> int | None:
    """Whose link this is (used or not, expired or not); None for a forged or unknown token."""
    try:
        nonce = _serializer(secret).loads(token)
    except BadSignature:
        return None
    row = db.execute("SELECT user_id FROM signin_links WHERE nonce = ?", [nonce]).fetchone()
    return row[0] if row else None


def peek_link(db: sqlite_utils.Database, secret: str, token: str) -> dict:
    """The link's row and its account if the link would sign in now (nothing is changed)."""
    try:
        nonce = _serializer(secret).loads(token)
    except BadSignature as exc:
        raise LinkError("登录链接无效（可能不完整或已被改动），请直接点击邮件中的链接") from exc
    rows = list(db.query("SELECT * FROM signin_links WHERE nonce = ?", [nonce]))
    if not rows:
        raise LinkError("登录链接无效，请使用最新邮件中的链接")
    link = rows[0]
    if link["used_at"]:
        raise LinkError("该登录链接已经使用过，请使用最新邮件中的链接，或联系法制机构重新发送")
    if link["expires_at"] <= now():
        raise LinkError(f"该登录链接已于 {link['expires_at'][:10]} 过期，请使用最新邮件中的链接，或联系法制机构重新发送")
    user = get_user(db, link["user_id"])
    if not user or user["disabled_at"]:
        raise LinkError("该账号已停用，请联系法制机构")
    return {**link, "user": user}


def redeem_link(db: sqlite_utils.Database, secret: str, token: str) -> dict:
    """Use the link: the same as ``peek_link``, and it is spent (a second use raises LinkError)."""
    with db.atomic():
        link = peek_link(db, secret, token)
        stamp = now()
        spent = db.execute("UPDATE signin_links SET used_at = ? WHERE id = ? AND used_at IS NULL",
                           [stamp, link["id"]]).rowcount
        if spent != 1:
            raise LinkError("该登录链接已经使用过，请使用最新邮件中的链接，或联系法制机构重新发送")
        db.execute("UPDATE web_users SET last_signin_at = ? WHERE id = ?", [stamp, link["user_id"]])
        write_audit(db, actor=link["user"]["name"], action="web.signin", obj=f"web_user:{link['user_id']}",
                    detail={"by": "link", "purpose": link["purpose"], "link": link["id"]})
    return link


def signed_in(db: sqlite_utils.Database, user: dict, *, how: str) -> None:
    """Record a password sign-in."""
    db.execute("UPDATE web_users SET last_signin_at = ? WHERE id = ?", [now(), user["id"]])
    write_audit(db, actor=user["name"], action="web.signin", obj=f"web_user:{user['id']}", detail={"by": how})


def record_failure(db: sqlite_utils.Database, *, email: str, address: str) -> None:
    write_audit(db, actor=email or "?", action="web.signin_failed", obj=f"signin:{(email or '').lower()}",
                detail={"address": address})


def recent_failures(db: sqlite_utils.Database, *, email: str, address: str, since: str) -> tuple[int, str | None]:
    """Failed sign-ins for this address or from this client since ``since``: (count, last time)."""
    row = db.execute(
        "SELECT count(*), max(at) FROM audit WHERE action = 'web.signin_failed' AND at >= ? "
        "AND (object = ? OR json_extract(detail, '$.address') = ?)",
        [since, f"signin:{(email or '').lower()}", address]).fetchone()
    return row[0], row[1]
