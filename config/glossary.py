"""The glossary (``config/glossary.toml``): every word a person reads for a code or a thing.

On the lowest floor so every floor can read it. Codes stay English (the registry and ``--json``);
the words are Chinese and come only from here.

>>> word("flag"), word("duty"), word("digest")
('提示', '职权', '日报')
>>> name("severity", "critical"), name("flag_state", "open")
('严重', '待处理')
>>> name("severity", "unknown-code"), name("severity", None)
('unknown-code', '')
>>> list(names("severity"))
['critical', 'high', 'low']
>>> rank("severity", "critical") < rank("severity", "low") < rank("severity", "unknown-code")
True
>>> retired()["标记"]
'提示'
>>> with_names({"state": "open", "severity": "high"}, state="flag_state", severity="severity")
{'state': 'open', 'severity': 'high', 'state_name': '待处理', 'severity_name': '较高'}
"""

from __future__ import annotations

import functools
import pathlib
import tomllib

GLOSSARY_FILE = pathlib.Path(__file__).resolve().parent / "glossary.toml"


@functools.cache
def glossary() -> dict[str, dict[str, str]]:
    """Every table of the glossary, in file order: ``glossary()["severity"]["high"] == "较高"``."""
    with GLOSSARY_FILE.open("rb") as f:
        return tomllib.load(f)


def word(term: str) -> str:
    """The name of a thing (``[term]``): ``word("flag") == "提示"``. An unknown term is a bug."""
    return glossary()["term"][term]


def name(table: str, code: str | None) -> str:
    """The Chinese name of ``code`` in ``table``; the code itself when the table does not know it
    (so a new code shows up rather than vanishing), ``""`` for ``None``."""
    if code is None:
        return ""
    return glossary().get(table, {}).get(code, code)


def names(table: str) -> dict[str, str]:
    """A whole table, code → name, in the glossary's order (severities: worst first)."""
    return dict(glossary()[table])


def rank(table: str, code: str | None) -> int:
    """Position of ``code`` in its table (tables list the worst first); unknown codes come last."""
    keys = list(glossary().get(table, {}))
    return keys.index(code) if code in keys else len(keys)


def with_names(record: dict | None, **tables: str) -> dict | None:
    """Put ``<key>_name`` beside each code: ``with_names(row, state="flag_state")`` adds
    ``row["state_name"]``. JSON outputs keep their English keys and codes; the words go beside them
    (DESIGN §11). Keys the record does not have are left alone; returns the record."""
    if record is None:
        return None
    for key, table in tables.items():
        if key in record:
            record[f"{key}_name"] = name(table, record[key])
    return record


def retired() -> dict[str, str]:
    """Retired synonym → the word used instead."""
    return dict(glossary()["retired"])
