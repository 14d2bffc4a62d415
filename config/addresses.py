"""E-mail addresses: one check for the configuration, imported tables and the outbox.

>>> check_address("fzb@example.gov.cn")
'fzb@example.gov.cn'
>>> check_address("fzb＠example.gov.cn")
Traceback (most recent call last):
...
config.addresses.BadAddress: 邮箱地址 'fzb＠example.gov.cn' 含有非 ASCII 字符（全角＠？）
"""

from __future__ import annotations

import re
from email.headerregistry import Address

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


class BadAddress(ValueError):
    """An e-mail address that cannot be used; the message says which and why (in Chinese)."""


def _shown(text: str) -> str:
    return re.sub(r"\s+", " ", _CONTROL.sub(" ", text)).strip()


def check_address(address: str) -> str:
    """The address, trimmed, when it is one plain ASCII address; else BadAddress.

    >>> check_address("张三@example.cn")
    Traceback (most recent call last):
    ...
    config.addresses.BadAddress: 邮箱地址 '张三@example.cn' 含有非 ASCII 字符
    """
    raw = address if isinstance(address, str) else str(address)
    value = raw.strip()
    if not value:
        raise BadAddress("邮箱地址为空")
    if _CONTROL.search(value) or any(c in value for c in " ,;<>\"'()[]\\"):
        raise BadAddress(f"邮箱地址 {_shown(raw)!r} 含有空格、换行或不允许的字符")
    if not value.isascii():
        hint = "（全角＠？）" if "＠" in value else ""
        raise BadAddress(f"邮箱地址 {value!r} 含有非 ASCII 字符{hint}")
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain or domain.startswith(".") or domain.endswith("."):
        raise BadAddress(f"邮箱地址 {value!r} 格式不对（应为 name@example.gov.cn）")
    try:
        Address(addr_spec=value)
    except (ValueError, IndexError) as exc:
        raise BadAddress(f"邮箱地址 {value!r} 格式不对（{exc}）") from exc
    return value
