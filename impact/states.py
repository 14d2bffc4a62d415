"""Flag states and the flag workflow's messages (data: ``impact/data/flags.toml``); the names of
states and severities come from the glossary (``config/glossary.toml``).

>>> STATE_NAMES["open"], ACTIVE
('待处理', ('open', 'acknowledged'))
"""

from __future__ import annotations

import pathlib
import tomllib

from config.glossary import name, names

_DATA = tomllib.loads((pathlib.Path(__file__).parent / "data" / "flags.toml").read_text("utf-8"))
STATES = tuple(_DATA["workflow"]["states"])     # open, acknowledged, resolved, dismissed
ACTIVE = ("open", "acknowledged")
STATE_NAMES: dict[str, str] = {code: name("flag_state", code) for code in STATES}
SEVERITY_NAMES: dict[str, str] = names("severity")
MESSAGES: dict[str, str] = _DATA["messages"]


class FlagError(Exception):
    """A flag action that cannot be carried out; the message is Chinese."""


class FlagNotFound(FlagError):
    """No flag with that id."""
