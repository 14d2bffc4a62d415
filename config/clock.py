"""Time, in one place so tests can move it.

>>> len(now()) == len("2026-01-01T00:00:00+00:00")
True
"""

from __future__ import annotations

import datetime as _dt
import os

SHANGHAI = _dt.timezone(_dt.timedelta(hours=8), "Asia/Shanghai")


def now() -> str:
    """The current time, ISO 8601 in UTC, seconds precision."""
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def stamp() -> str:
    """The current time to the microsecond, ISO 8601 in UTC: for the two moments whose order
    decides a flag, a change's ``detected_at`` and a duty version's ``created_at`` (a list imported
    in the same second as the laws it cites was still imported after them). Sorts after the
    seconds-precision ``now()`` of the same second, so older rows compare as before.

    >>> len(stamp()) == len("2026-01-01T00:00:00.000000+00:00")
    True
    """
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")


def today() -> str:
    """Today's date in China (YYYY-MM-DD); ``$YIJU_TODAY`` overrides it (demo and tests)."""
    forced = os.environ.get("YIJU_TODAY")
    if forced:
        return forced
    return _dt.datetime.now(SHANGHAI).date().isoformat()
