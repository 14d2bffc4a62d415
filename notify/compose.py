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

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
_SPACES = re.compile(r"\s{2,}")


class BadAddress(ValueError):
    """An e-mail address that cannot be used; the message says which and why (in Chinese)."""


def one_line(text) -> str:
    """``text`` on one line: control characters (CR, LF, tab, NUL …) become one space."""
    if text is None:
        return ""
    return _SPACES.sub(" ", _CONTROL.sub(" ", str(text))).strip()


def check_address(address: str) -> str:
    """The address, trimmed, when it is one plain ASCII address; else BadAddress.

    >>> check_address("张三@example.cn")
    Traceback (most recent call last):
    ...
    notify.compose.BadAddress: 邮箱地址 '张三@example.cn' 含有非 ASCII 字符
    """
    raw = address if isinstance(address, str) else str(address)
    value = raw.strip()
    if not value:
        raise BadAddress("邮箱地址为空")
    if _CONTROL.search(value) or any(c in value for c in " ,;<>\"'()[]\\"):
        raise BadAddress(f"邮箱地址 {one_line(raw)!r} 含有空格、换行或不允许的字符")
    if not value.isascii():
        raise BadAddress(f"邮箱地址 {value!r} 含有非 ASCII 字符")
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain or domain.startswith(".") or domain.endswith("."):
        raise BadAddress(f"邮箱地址 {value!r} 格式不对（应为 name@example.gov.cn）")
    try:
        Address(addr_spec=value)
    except (ValueError, IndexError) as exc:
        raise BadAddress(f"邮箱地址 {value!r} 格式不对（{exc}）") from exc
    return value


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
