"""Who is acting: the name written into the audit log.

>>> actor("张三")
'张三'
"""

from __future__ import annotations

import getpass
import os


def actor(by: str | None = None) -> str:
    """``--by`` (or the web user) when given, else the operating-system user."""
    if by:
        return by
    try:
        return getpass.getuser()
    except Exception:
        return os.environ.get("USER", "unknown")
