"""Table ``outbox``: messages stored before they are sent, one per idempotency key.

The states and the retry policy are ``notify/outbox.py``'s; this module only reads and writes rows.

>>> from registry.schema import connect
>>> db = connect(":memory:")
>>> message = {"run_id": None, "kind": "digest", "recipient": "fzb@example.gov.cn", "recipient_name": None,
...            "department_id": None, "subject": "日报", "body_text": "正文", "body_html": None,
...            "message_id": "<1@example.gov.cn>", "created_at": "2026-05-01T18:30:00+00:00",
...            "idempotency_key": "run:-|digest|digest|fzb@example.gov.cn"}
>>> add_once(db, message), add_once(db, message)
((1, True), (1, False))
>>> count_attempt(db, 1); set_state(db, 1, "sent", sent_at="2026-05-01T18:31:00+00:00")
>>> get(db, 1)["state"], get(db, 1)["attempts"], counts(db)
('sent', 1, {'sent': 1})
"""

from __future__ import annotations

from typing import Any, TypedDict

import sqlite_utils


class NewMessage(TypedDict):
    """What ``add_once`` stores (state ``pending``, no attempt yet)."""

    run_id: int | None
    kind: str                       # digest / department_alert
    recipient: str                  # one address
    recipient_name: str | None
    department_id: int | None
    subject: str
    body_text: str
    body_html: str | None
    message_id: str                 # the Message-ID header, the same for every resend
    created_at: str
    idempotency_key: str


class Message(NewMessage):
    """A row of ``outbox``."""

    id: int
    state: str                      # pending / sending / sent / failed
    attempts: int
    last_error: str | None
    next_attempt_at: str | None
    sent_at: str | None


#: The columns ``listing`` shows (no bodies).
SUMMARY_COLUMNS = ("id", "run_id", "kind", "recipient", "recipient_name", "department_id", "subject",
                   "message_id", "state", "attempts", "last_error", "next_attempt_at", "sent_at", "created_at")


def _id_of(db: sqlite_utils.Database, key: str) -> int | None:
    rows = list(db["outbox"].rows_where("idempotency_key = ?", [key], select="id"))
    return rows[0]["id"] if rows else None


def add_once(db: sqlite_utils.Database, message: NewMessage) -> tuple[int, bool]:
    """Store ``message`` as pending unless its idempotency key is known: (id, created)."""
    with db.atomic():
        known = _id_of(db, message["idempotency_key"])
        if known is not None:
            return known, False
        table = db["outbox"].insert({**message, "state": "pending", "attempts": 0}, ignore=True)
        created = _id_of(db, message["idempotency_key"])
        return created, created == table.last_rowid


def get(db: sqlite_utils.Database, message_id: int) -> Message | None:
    rows = list(db["outbox"].rows_where("id = ?", [message_id]))
    return rows[0] if rows else None  # type: ignore[return-value]


def in_state(db: sqlite_utils.Database, state: str, *, due_at: str | None = None) -> list[Message]:
    """Messages in ``state``, oldest first; with ``due_at``, only those whose next attempt is due then."""
    if due_at is None:
        return list(db["outbox"].rows_where("state = ?", [state], order_by="id"))  # type: ignore[arg-type]
    return list(db["outbox"].rows_where(  # type: ignore[arg-type]
        "state = ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)", [state, due_at], order_by="id"))


def count_attempt(db: sqlite_utils.Database, message_id: int) -> None:
    """One more attempt for a pending message (written before anything goes on the wire)."""
    with db.atomic():
        db.execute("UPDATE outbox SET attempts = attempts + 1 WHERE id = ? AND state = 'pending'", [message_id])


def set_state(db: sqlite_utils.Database, message_id: int, state: str, **values: Any) -> None:
    """Set a message's state and any of ``last_error``, ``next_attempt_at``, ``sent_at``, ``attempts``."""
    with db.atomic():
        db["outbox"].update(message_id, {"state": state, **values})


def listing(db: sqlite_utils.Database, *, state: str | None = None, run_id: int | None = None) -> list[dict]:
    """Messages without their bodies (``SUMMARY_COLUMNS``), newest first."""
    where, params = [], []
    if state:
        where.append("state = ?")
        params.append(state)
    if run_id is not None:
        where.append("run_id = ?")
        params.append(run_id)
    return list(db["outbox"].rows_where(" AND ".join(where) or None, params, order_by="id DESC",
                                        select=", ".join(SUMMARY_COLUMNS)))


def counts(db: sqlite_utils.Database, run_id: int | None = None) -> dict[str, int]:
    """Messages per state (of one run, or all)."""
    where, params = ("WHERE run_id = ?", [run_id]) if run_id is not None else ("", [])
    return {r["state"]: r["n"] for r in db.query(
        f"SELECT state, count(*) AS n FROM outbox {where} GROUP BY state", params)}
