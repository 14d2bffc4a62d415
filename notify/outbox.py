"""The outbox: every message is written here before it is sent, once per (run, kind, scope, recipient).

States: ``pending`` (to send; ``next_attempt_at`` says from when) → ``sending`` (the SMTP DATA
was started: the server may have the message) → ``sent``; ``failed`` after ``mail.max_attempts``
attempts, or when a send was interrupted after the message went out and nobody can tell whether
it arrived (see ``notify/deliver.py``). ``requeue`` puts a failed message back by hand.

>>> from registry.schema import connect
>>> db = connect(":memory:")
>>> first = queue(db, run_id=None, kind="digest", recipient="fzb@example.gov.cn", subject="日报",
...               body_text="正文", sender="yiju@example.gov.cn")
>>> again = queue(db, run_id=None, kind="digest", recipient="FZB@example.gov.cn", subject="日报",
...               body_text="正文", sender="yiju@example.gov.cn")
>>> first.created, again.created, first.id == again.id
(True, False, True)
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import sqlite_utils

from notify.compose import check_address, new_message_id, one_line
from config.clock import now
from registry import outbox as store
from registry.outbox import Message

KINDS = ("digest", "department_alert", "reminder", "escalation")

#: Retry back-off: the n-th failed attempt waits BACKOFF_BASE * 2**(n-1) seconds, at most BACKOFF_MAX.
BACKOFF_BASE = 300
BACKOFF_MAX = 6 * 3600


@dataclass(frozen=True)
class Queued:
    id: int
    created: bool          # False: the same (run, kind, scope, recipient) was queued before
    recipient: str


def idempotency_key(run_id: int | None, kind: str, recipient: str, scope: str | int = "") -> str:
    """One message per (run, kind, scope, recipient); scope tells two departments' alerts apart.

    >>> idempotency_key(12, "department_alert", "Li@Example.gov.cn", scope=3)
    'run:12|department_alert|3|li@example.gov.cn'
    """
    return f"run:{run_id if run_id is not None else '-'}|{kind}|{scope}|{recipient.strip().lower()}"


def queue(
    db: sqlite_utils.Database,
    *,
    run_id: int | None,
    kind: str,
    recipient: str,
    subject: str,
    body_text: str,
    sender: str,
    body_html: str | None = None,
    recipient_name: str | None = None,
    department_id: int | None = None,
    scope: str | int = "",
) -> Queued:
    """Store one message for one recipient; queueing the same key again adds nothing.

    Raises ``notify.compose.BadAddress`` for an address that cannot be used.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown outbox kind {kind!r}")
    address = check_address(recipient)
    message_id, created = store.add_once(db, {
        "run_id": run_id, "kind": kind, "recipient": address, "recipient_name": one_line(recipient_name) or None,
        "department_id": department_id, "subject": one_line(subject), "body_text": body_text,
        "body_html": body_html, "message_id": new_message_id(sender), "created_at": now(),
        "idempotency_key": idempotency_key(run_id, kind, address, scope),
    })
    return Queued(message_id, created, address)


def get(db: sqlite_utils.Database, message_id: int) -> Message | None:
    return store.get(db, message_id)


def due(db: sqlite_utils.Database, at: str, *, ignore_backoff: bool = False) -> list[Message]:
    """Pending messages whose next attempt is due at ``at`` (all pending ones with ``ignore_backoff``)."""
    return store.in_state(db, "pending", due_at=None if ignore_backoff else at)


def interrupted(db: sqlite_utils.Database) -> list[Message]:
    """Messages left in 'sending' (only a sender that died leaves one there)."""
    return store.in_state(db, "sending")


def begin_attempt(db: sqlite_utils.Database, message_id: int) -> None:
    """Count an attempt before anything goes on the wire (a crash still counts it)."""
    store.count_attempt(db, message_id)


def mark_sending(db: sqlite_utils.Database, message_id: int) -> None:
    """Recorded right before the message content goes to the server (after its 354 reply)."""
    store.set_state(db, message_id, "sending")


def mark_sent(db: sqlite_utils.Database, message_id: int, at: str | None = None) -> None:
    store.set_state(db, message_id, "sent", sent_at=at or now(), last_error=None, next_attempt_at=None)


def mark_retry(db: sqlite_utils.Database, message_id: int, error: str, *, max_attempts: int,
               at: str | None = None, give_up: bool = True, permanent: bool = False) -> Message:
    """A failed attempt the server surely did not deliver: back to 'pending' after a back-off,
    or 'failed' once ``max_attempts`` attempts were made. Returns the updated row.

    ``permanent``: the server refused it for good (a 5xx answer): 'failed' at once.
    ``give_up=False`` when the message itself was never tried (the server was down, refused the
    connection or the login): it waits, with the back-off, however long the outage lasts.
    """
    at = at or now()
    with db.atomic():
        row = store.get(db, message_id)
        attempts = max(row["attempts"], 1)
        if permanent:
            # A 5xx answer is the server's final word (RFC 5321 §4.2.1): trying again changes nothing.
            store.set_state(db, message_id, "failed", next_attempt_at=None,
                            last_error=f"服务器永久拒绝，不再重试：{error}（处理后可用 yiju mail requeue {message_id} 重新发送）")
        elif give_up and attempts >= max_attempts:
            store.set_state(db, message_id, "failed", last_error=f"已尝试 {attempts} 次，放弃：{error}",
                            next_attempt_at=None)
        else:
            wait = min(BACKOFF_BASE * 2 ** (attempts - 1), BACKOFF_MAX)
            later = (_dt.datetime.fromisoformat(at) + _dt.timedelta(seconds=wait)).isoformat()
            store.set_state(db, message_id, "pending", last_error=error, next_attempt_at=later)
        return store.get(db, message_id)


def mark_unconfirmed(db: sqlite_utils.Database, message_id: int, reason: str) -> None:
    """The message may have reached the server: never resent automatically (state 'failed')."""
    store.set_state(db, message_id, "failed", next_attempt_at=None,
                    last_error=f"投递结果不明：{reason}。为避免重复发送，未自动重发；"
                               f"确认收件人未收到后可执行 yiju mail requeue {message_id}")


def requeue(db: sqlite_utils.Database, message_id: int) -> Message:
    """Put a failed message back to 'pending' (a person decided it should be sent again)."""
    with db.atomic():
        row = store.get(db, message_id)
        if row is None:
            raise LookupError(f"发件箱中没有编号为 {message_id} 的邮件")
        if row["state"] == "sent":
            raise ValueError(f"邮件 {message_id} 已于 {row['sent_at']} 发送成功，不能重新排队")
        if row["state"] == "sending":
            raise ValueError(f"邮件 {message_id} 正在发送中")
        store.set_state(db, message_id, "pending", attempts=0, next_attempt_at=None)
        return store.get(db, message_id)


listing = store.listing
counts = store.counts
