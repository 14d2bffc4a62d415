"""Deliver the outbox over SMTP (none / STARTTLS / SSL, optional login), with retries and no double sends.

The rule against double sends (a crash between "sent" and "recorded"):

1. Only one sender works at a time (an exclusive lock file next to the registry), so a message
   found in ``sending`` when a sender starts was left there by one that died.
2. Connecting, logging in, ``MAIL FROM``, ``RCPT TO`` and ``DATA`` happen while the message is
   still ``pending``: a failure or a crash there cannot have delivered anything (a server drops
   a transaction that never completed its DATA), so it is simply retried later.
3. Right after the server's 354 reply, before the content goes out, the row is committed as
   ``sending``; after the server's 250 it becomes ``sent``.
4. A message found in ``sending`` (a crash after step 3), or whose DATA was cut off without a
   reply, may or may not have reached the server. It is **not** resent: it is marked ``failed``
   with "投递结果不明" and shown in every report until a person checks and runs
   ``yiju mail requeue ID``. If it is requeued it goes out with the same Message-ID, so a mail
   client that already has it can recognise the copy.

The trade-off: at most once in the seconds between the 354 reply and the recorded 250 (a loss
there is visible and fixable by hand), retry-until-delivered everywhere else.

>>> report = DeliveryReport()
>>> report.summary()
'没有需要发送的邮件'
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass, field

import sqlite_utils

from config.settings import MailSettings
from notify import outbox
from registry.attention import backing_off
from notify.compose import build, one_line
from notify.gather import local_time
from config.clock import now
from registry.schema import file_of

try:  # POSIX; elsewhere only one sender should run at a time by arrangement
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None


@dataclass
class DeliveryReport:
    """What one delivery pass did; ``lines()`` is for people, ``to_json()`` for scripts."""

    sent: list[dict] = field(default_factory=list)
    deferred: list[dict] = field(default_factory=list)      # still pending, with the reason
    failed: list[dict] = field(default_factory=list)        # gave up after mail.max_attempts
    unconfirmed: list[dict] = field(default_factory=list)   # may have gone out: not resent
    written: list[str] = field(default_factory=list)        # dry run: .eml files
    server_error: str = ""
    busy: bool = False
    dry_run: bool = False
    waiting: int = 0                # pending messages not yet due (in back-off after a failed try)
    waiting_until: str | None = None

    @property
    def ok(self) -> bool:
        """True when everything that was due went out (nothing left pending, failed or unknown)."""
        return not (self.deferred or self.failed or self.unconfirmed or self.busy)

    def summary(self) -> str:
        if self.busy:
            return "另一个发送进程正在运行，本次未发送任何邮件"
        parts = []
        if self.sent:
            parts.append(f"{'已写入 .eml 文件' if self.dry_run else '已发送'} {len(self.sent)} 封")
        if self.deferred:
            parts.append(f"待重试 {len(self.deferred)} 封")
        if self.failed:
            parts.append(f"已放弃 {len(self.failed)} 封")
        if self.unconfirmed:
            parts.append(f"投递结果不明 {len(self.unconfirmed)} 封")
        if self.waiting:
            parts.append(f"另有 {self.waiting} 封在重试等待中（最早 {local_time(self.waiting_until) or '稍后'} 重试；"
                         "yiju mail send --retry-now 可立即重试）")
        return "，".join(parts) if parts else "没有需要发送的邮件"

    def lines(self) -> list[str]:
        out = [self.summary()]
        if self.server_error:
            out.append(f"邮件服务器问题：{self.server_error}")
        for m in self.deferred:
            out.append(f"  待重试 #{m['id']} {m['recipient']}：{m['error']}（已尝试 {m['attempts']} 次，"
                       f"下次不早于 {local_time(m['next_attempt_at']) or '下次发送时'}）")
        for m in self.failed:
            out.append(f"  已放弃 #{m['id']} {m['recipient']}：{m['error']}")
        for m in self.unconfirmed:
            out.append(f"  结果不明 #{m['id']} {m['recipient']}：{m['error']}")
        for path in self.written:
            out.append(f"  {path}")
        return out

    def to_json(self) -> dict:
        return {"ok": self.ok, "summary": self.summary(), "sent": self.sent, "deferred": self.deferred,
                "failed": self.failed, "unconfirmed": self.unconfirmed, "written": self.written,
                "waiting": self.waiting, "waiting_until": self.waiting_until,
                "server_error": self.server_error, "busy": self.busy, "dry_run": self.dry_run}


class _Unavailable(Exception):
    """The SMTP server cannot be used at all right now (down, TLS or login refused)."""


def describe(exc: BaseException) -> str:
    """A short Chinese reason for an SMTP or network error."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "服务器拒收收件人：" + "；".join(f"{a} {c} {_text(r)}" for a, (c, r) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"登录被拒绝：{exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"服务器返回错误：{exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, (socket.timeout, TimeoutError)) or "timed out" in str(exc):
        return f"连接超时（{exc}）"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"服务器断开了连接（{exc}）"
    if isinstance(exc, ConnectionRefusedError):
        return f"无法连接（连接被拒绝：{exc}）"
    if isinstance(exc, ssl.SSLError):
        return f"TLS 失败（{exc}）"
    if isinstance(exc, OSError):
        return f"网络错误（{exc}）"
    return f"{type(exc).__name__}: {exc}"


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return one_line(value)


class _Smtp:
    """One SMTP connection, opened when first needed and reopened after a drop."""

    def __init__(self, mail: MailSettings, ssl_context: ssl.SSLContext | None, environ):
        self.mail = mail
        self.context = ssl_context
        self.environ = environ
        self.conn: smtplib.SMTP | None = None

    def open(self) -> smtplib.SMTP:
        if self.conn is not None:
            return self.conn
        m = self.mail
        where = f"{m.host}:{m.port}"
        password = ""
        if m.username:
            if m.security == "none" and not m.allow_plaintext_password:
                raise _Unavailable(f"{where}：mail.security = \"none\" 时登录会以明文传送密码，已拒绝；"
                                   "请改用 starttls 或 ssl（或设置 mail.allow_plaintext_password = true）")
            password = m.password(self.environ)
            if not password:
                raise _Unavailable(f"{where} 需要登录，但环境变量 {m.password_env or '（未配置 password_env）'} 没有设置密码")
        context = self.context or ssl.create_default_context()
        try:
            if m.security == "ssl":
                conn = smtplib.SMTP_SSL(m.host, m.port, timeout=m.timeout, context=context)
            else:
                conn = smtplib.SMTP(m.host, m.port, timeout=m.timeout)
            try:
                conn.ehlo()
                if m.security == "starttls":
                    if not conn.has_extn("starttls"):
                        raise _Unavailable(f"{where} 不支持 STARTTLS（mail.security = \"starttls\"）")
                    conn.starttls(context=context)
                    conn.ehlo()
                if m.username:
                    conn.login(m.username, password)
            except BaseException:
                _quietly_close(conn)
                raise
        except _Unavailable:
            raise
        except (OSError, smtplib.SMTPException) as exc:
            raise _Unavailable(f"{where}：{describe(exc)}") from exc
        self.conn = conn
        return conn

    def drop(self) -> None:
        if self.conn is not None:
            _quietly_close(self.conn)
            self.conn = None

    def quit(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (OSError, smtplib.SMTPException):
                pass
            finally:
                self.drop()


def _quietly_close(conn: smtplib.SMTP) -> None:
    try:
        conn.close()
    except OSError:
        pass


_LEADING_DOT = re.compile(rb"(?m)^\.")


def _data_payload(msg_bytes: bytes) -> bytes:
    """The DATA content: lines starting with '.' doubled (RFC 5321 §4.5.2), then CRLF.CRLF."""
    q = _LEADING_DOT.sub(b"..", msg_bytes)
    if not q.endswith(b"\r\n"):
        q += b"\r\n"
    return q + b".\r\n"


@contextlib.contextmanager
def _sender_lock(db: sqlite_utils.Database):
    """Hold the one-sender-at-a-time lock; yields False when another sender holds it."""
    path = file_of(db)
    if not path or fcntl is None:
        yield True
        return
    lock_path = pathlib.Path(path + ".mail.lock")
    handle = open(lock_path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def _entry(row: dict, error: str = "") -> dict:
    return {"id": row["id"], "kind": row["kind"], "recipient": row["recipient"], "run_id": row["run_id"],
            "attempts": row["attempts"], "next_attempt_at": row.get("next_attempt_at"), "error": error,
            "message_id": row["message_id"]}


def send_pending(
    db: sqlite_utils.Database,
    mail: MailSettings,
    *,
    at: str | None = None,
    ignore_backoff: bool = False,
    ssl_context: ssl.SSLContext | None = None,
    environ: dict[str, str] | None = None,
) -> DeliveryReport:
    """Send every pending message that is due; return what happened.

    ``mail.dry_run_dir`` set: write one .eml file per message there instead (and count it sent).
    ``ssl_context`` replaces the default one (system CAs; ``$SSL_CERT_FILE`` names another bundle).
    Must not be called inside an open transaction: every state change is committed at once.
    """
    if db.conn.in_transaction:
        raise RuntimeError("send_pending() must not run inside an open transaction")
    report = DeliveryReport(dry_run=bool(mail.dry_run_dir))
    with _sender_lock(db) as mine:
        if not mine:
            report.busy = True
            return report
        for row in outbox.interrupted(db):
            outbox.mark_unconfirmed(db, row["id"], "上次发送在邮件内容交给服务器之后中断，未能记录结果")
            report.unconfirmed.append(_entry(row, outbox.get(db, row["id"])["last_error"]))
        due = outbox.due(db, at or now(), ignore_backoff=ignore_backoff)
        if not ignore_backoff:
            report.waiting, report.waiting_until = backing_off(db, at or now())
        if mail.dry_run_dir:
            _write_eml(db, mail, due, report)
        elif due:
            _send_smtp(db, mail, due, report, ssl_context, environ)
    return report


def _eml_file(mail: MailSettings, row: dict, folder: pathlib.Path) -> pathlib.Path:
    data = build(row, sender=mail.sender, sender_name=mail.sender_name).as_bytes()
    safe = re.sub(r"[^A-Za-z0-9._@-]", "_", row["recipient"])
    path = folder / f"run{row['run_id'] or 0}-{row['id']:05d}-{row['kind']}-{safe}.eml"
    tmp = path.with_suffix(".eml.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def _write_eml(db, mail: MailSettings, rows: list[dict], report: DeliveryReport) -> None:
    """``mail.dry_run_dir``: files are the delivery (a test or demo set-up), so they count as sent."""
    folder = pathlib.Path(mail.dry_run_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for row in rows:
        outbox.begin_attempt(db, row["id"])
        path = _eml_file(mail, row, folder)
        outbox.mark_sent(db, row["id"])
        report.sent.append(_entry(outbox.get(db, row["id"])))
        report.written.append(str(path))


def preview_pending(db: sqlite_utils.Database, mail: MailSettings, folder: str | os.PathLike) -> list[str]:
    """Write every pending message to ``folder`` as an .eml file and change nothing in the outbox.

    ``yiju mail send --dry-run DIR``: look at what would go out; the messages stay pending.
    """
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rows = [r for r in outbox.listing(db, state="pending")]
    return [str(_eml_file(mail, outbox.get(db, r["id"]), folder)) for r in rows]


def _send_smtp(db, mail: MailSettings, rows: list[dict], report: DeliveryReport,
               ssl_context, environ) -> None:
    smtp = _Smtp(mail, ssl_context, environ)
    try:
        _send_rows(db, mail, smtp, rows, report)
    except BaseException:
        smtp.drop()      # no polite QUIT: the server may be waiting for message content
        raise
    smtp.quit()


def _send_rows(db, mail: MailSettings, smtp: "_Smtp", rows: list[dict], report: DeliveryReport) -> None:
    for index, row in enumerate(rows):
        outbox.begin_attempt(db, row["id"])
        try:
            conn = smtp.open()
        except _Unavailable as exc:
            # The server is not usable: every message still due waits for the next pass.
            report.server_error = str(exc)
            for later in rows[index:]:
                if later is not row:
                    outbox.begin_attempt(db, later["id"])
                _retry(db, mail, later, str(exc), report, give_up=False)
            return
        _send_one(db, mail, smtp, conn, row, report)


def _retry(db, mail: MailSettings, row: dict, error: str, report: DeliveryReport, *, give_up: bool = True,
           code: int | None = None) -> None:
    updated = outbox.mark_retry(db, row["id"], error, max_attempts=mail.max_attempts, give_up=give_up,
                                permanent=code is not None and 500 <= code < 600)
    entry = _entry(updated, updated["last_error"])
    (report.failed if updated["state"] == "failed" else report.deferred).append(entry)


def _send_one(db, mail: MailSettings, smtp: _Smtp, conn: smtplib.SMTP, row: dict, report: DeliveryReport) -> None:
    try:
        message = build(row, sender=mail.sender, sender_name=mail.sender_name)
        payload = _data_payload(message.as_bytes())
    except ValueError as exc:
        _retry(db, mail, row, f"邮件无法生成：{exc}", report)
        return
    # Phase 1, nothing can be delivered yet: envelope and DATA command.
    try:
        code, resp = conn.mail(mail.sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, resp, mail.sender)
        code, resp = conn.rcpt(row["recipient"])
        if code not in (250, 251):
            conn.rset()
            _retry(db, mail, row, f"服务器拒收收件人 {row['recipient']}：{code} {_text(resp)}", report, code=code)
            return
        code, resp = conn.docmd("DATA")
        if code != 354:
            conn.rset()
            _retry(db, mail, row, f"服务器拒绝接收邮件内容：{code} {_text(resp)}", report, code=code)
            return
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code == 421 or conn.sock is None:
            smtp.drop()  # 421: the server closes the connection; the next message needs a new one
        else:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                conn.rset()
        _retry(db, mail, row, describe(exc), report, code=exc.smtp_code)
        return
    except (OSError, smtplib.SMTPException) as exc:
        smtp.drop()
        _retry(db, mail, row, describe(exc), report)
        return
    # Phase 2: from here the server may end up with the message.
    outbox.mark_sending(db, row["id"])
    try:
        conn.send(payload)
        code, resp = conn.getreply()
    except (OSError, smtplib.SMTPException) as exc:
        smtp.drop()
        outbox.mark_unconfirmed(db, row["id"], f"发送邮件内容时连接中断（{describe(exc)}）")
        report.unconfirmed.append(_entry(outbox.get(db, row["id"]), outbox.get(db, row["id"])["last_error"]))
        return
    if code == 250:
        outbox.mark_sent(db, row["id"])
        report.sent.append(_entry(outbox.get(db, row["id"])))
    else:
        # The server answered with an error: it did not take the message.
        if code == 421 or conn.sock is None:
            smtp.drop()
        _retry(db, mail, row, f"服务器拒绝了邮件：{code} {_text(resp)}", report, code=code)
