"""Turning one answer of a source into plain records (no network, no registry).

Each module reads one kind of source; every function takes the bytes (or text) of one
response and returns dataclasses, or raises ``BadResponse`` with a message naming what
is wrong. The recorded-response tests run these on real answers.
"""

from __future__ import annotations

import datetime as _dt
import re


class BadResponse(ValueError):
    """An answer that is not what the endpoint returns when it works (the message is Chinese)."""


_DATE = re.compile(r"((?:1[89]|20)\d{2})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})")


def iso_date(value) -> str | None:
    """A date written any usual way as YYYY-MM-DD; None when there is none.

    >>> iso_date("2021-01-22 00:00:00"), iso_date("2026年5月15日公布"), iso_date("")
    ('2021-01-22', '2026-05-15', None)
    """
    if value is None:
        return None
    m = _DATE.search(str(value))
    if not m:
        return None
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None
