"""The Chinese words for the registry's codes (``notify/labels.toml``).

>>> word("severity", "critical")
'严重'
>>> word("severity", "unknown-code")
'unknown-code'
>>> rank("severity", "critical") < rank("severity", "low")
True
"""

from __future__ import annotations

import functools
import pathlib
import tomllib

HERE = pathlib.Path(__file__).resolve().parent
LABELS_FILE = HERE / "labels.toml"
#: Words shared with the diffing area: article statuses, substance classes, severities.
DIFFING_LABELS = HERE.parent / "diffing" / "data" / "labels.toml"
IMPACT_RULES = HERE.parent / "impact" / "data" / "impact.toml"


def _load(path: pathlib.Path) -> dict:
    with path.open("rb") as f:
        return tomllib.load(f)


@functools.cache
def words() -> dict[str, dict[str, str]]:
    """Every table of ``labels.toml`` plus ``article_status``, ``substance`` and ``severity``
    (worst first) from the diffing area: ``words()["change_kind"]["amended"] == "修改"``."""
    tables = _load(LABELS_FILE)
    shared = _load(DIFFING_LABELS)
    tables["article_status"] = shared["status"]
    tables["substance"] = shared["substance"]
    impact = _load(IMPACT_RULES)
    order = impact["severity_order"]
    tables["severity"] = {k: impact["severity_names"][k] for k in sorted(order, key=order.get)}
    return tables


def word(table: str, code: str | None) -> str:
    """The Chinese word for ``code``; the code itself when the table does not know it."""
    if code is None:
        return ""
    return words().get(table, {}).get(code, code)


def rank(table: str, code: str | None) -> int:
    """Position of ``code`` in its table (the tables list the worst first); unknown codes last."""
    keys = list(words().get(table, {}))
    return keys.index(code) if code in keys else len(keys)
