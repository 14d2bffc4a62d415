"""The impact domain's data, read once from ``impact/data/impact.toml``: the severity rules of
DESIGN §7, the flag workflow's states, and the sentences impact writes (reasons, suggestions, the
workflow's messages). Severities, their order (worst first) and every name come from the glossary
(``config/glossary.toml``).

>>> SEVERITIES, severity_rank("critical") < severity_rank("low")
(('critical', 'high', 'low'), True)
>>> STATE_NAMES["open"], ACTIVE
('待处理', ('open', 'acknowledged', 'submitted', 'returned'))
"""

from __future__ import annotations

import pathlib
import tomllib

from config.glossary import name, names

RULES: dict = tomllib.loads((pathlib.Path(__file__).parent / "data" / "impact.toml").read_text("utf-8"))

#: Severity code → Chinese name, worst first: the glossary's order is THE severity order.
SEVERITY_NAMES: dict[str, str] = names("severity")
SEVERITIES: tuple[str, ...] = tuple(SEVERITY_NAMES)          # critical, high, low
_RANK = {code: i for i, code in enumerate(SEVERITIES)}

STATES: tuple[str, ...] = tuple(RULES["workflow"]["states"])  # open, acknowledged, submitted, returned, resolved, dismissed
STATE_NAMES: dict[str, str] = {code: name("flag_state", code) for code in STATES}
#: Not closed yet: somebody still has to act (the department, or the legal office for ``submitted``).
ACTIVE: tuple[str, ...] = ("open", "acknowledged", "submitted", "returned")
#: Waiting for the department (what its inbox lists and what can be overdue).
WITH_DEPARTMENT: tuple[str, ...] = ("open", "acknowledged", "returned")
CLOSED: tuple[str, ...] = ("resolved", "dismissed")
GROUPS: dict[str, str] = names("flag_state_group")            # active / all
MESSAGES: dict[str, str] = RULES["messages"]
SUGGESTIONS: dict[str, str] = RULES["suggestions"]
REASONS: dict[str, str] = RULES["reason"]


def severity_rank(code: str) -> int:
    """0 for the worst severity; unknown codes after every known one."""
    return _RANK.get(code, len(_RANK))


class FlagError(Exception):
    """A flag action that cannot be carried out; the message is Chinese."""


class FlagNotFound(FlagError):
    """No flag with that id."""
