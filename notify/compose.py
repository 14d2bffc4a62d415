"""Build the e-mail of one outbox row: multipart text + HTML, UTF-8 headers, no header injection.

Everything that goes into a header passes through ``one_line`` (no CR, LF or other control
character survives), and addresses are checked by ``check_address`` before they are queued.

>>> one_line("《示例法》\\r\\nBcc: x@evil.example")
'《示例法》 Bcc: x@evil.example'
>>> check_address("fzb@example.gov.cn")
'fzb@example.gov.cn'
"""

from __future__ import annotations

import datetime as _dt
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from config.addresses import BadAddress, check_address  # noqa: F401  (one check for config and mail)

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
_SPACES = re.compile(r"\s{2,}")


def one_line(text) -> str:
    """``text`` on one line: control characters (CR, LF, tab, NUL …) become one space."""
    if text is None:
        return ""
    return _SPACES.sub(" ", _CONTROL.sub(" ", str(text))).strip()


def new_message_id(sender: str) -> str:
    """A fresh Message-ID on the sender's domain, kept in the outbox so every resend reuses it."""
    domain = sender.rpartition("@")[2] or "yiju.invalid"
    return make_msgid(idstring="yiju", domain=one_line(domain))


def build(row: dict, *, sender: str, sender_name: str = "") -> EmailMessage:
    """The message for one outbox row (recipient, recipient_name, subject, body_text, body_html,
    message_id, created_at). The Date is the time it was queued, so a resend is the same message."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = Address(display_name=one_line(sender_name), addr_spec=check_address(sender))
    msg["To"] = Address(display_name=one_line(row.get("recipient_name")),
                        addr_spec=check_address(row["recipient"]))
    msg["Subject"] = one_line(row["subject"])
    created = _dt.datetime.fromisoformat(row["created_at"]) if row.get("created_at") else \
        _dt.datetime.now(_dt.timezone.utc)
    if created.tzinfo is None:
        created = created.replace(tzinfo=_dt.timezone.utc)
    msg["Date"] = format_datetime(created)
    msg["Message-ID"] = one_line(row["message_id"])
    msg["Auto-Submitted"] = "auto-generated"           # RFC 3834: no auto-replies, please
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(row["body_text"], subtype="plain", charset="utf-8")
    if row.get("body_html"):
        msg.add_alternative(row["body_html"], subtype="html", charset="utf-8")
    return msg
