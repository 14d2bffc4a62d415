"""Repeals written in a text: the 同时废止 / 予以废止 clauses of a law, and 废止决定 documents.

A new law often ends with "本法自2026年8月15日起施行。《…》、《…》同时废止。"; a 废止决定 lists the
instruments it repeals. ``repeals_in`` reads which instruments a text repeals and from when (its
施行日期), so that registering the text records the repeals — pending until that date — whether or
not any source has flipped a status yet. Patterns in ``data/repeals.toml``. Pure.

>>> r = repeals_in("中华人民共和国示例法\\n第九条　本法自2026年8月15日起施行。《中华人民共和国甲法》、《乙条例》同时废止。")
>>> r.titles, r.effective, r.replaces
(['中华人民共和国甲法', '乙条例'], '2026-08-15', True)
"""

from __future__ import annotations

import pathlib
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache

from diffing.instruments import parse as parse_decision

DATA_FILE = pathlib.Path(__file__).resolve().parent / "data" / "repeals.toml"

_DATE = r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_TITLE = re.compile(r"《([^》\n]{2,80})》")


@dataclass
class Repeals:
    """What a text repeals: ``titles`` as written (without 《》), ``effective`` the date the
    repeal takes effect (YYYY-MM-DD; None when the text does not say), ``replaces``: the text
    is a law that takes the repealed ones' place (a 同时废止 clause), not a bare 废止决定;
    ``clauses``: the sentences that say so."""

    titles: list[str] = field(default_factory=list)
    effective: str | None = None
    replaces: bool = False
    clauses: list[str] = field(default_factory=list)


@lru_cache(maxsize=None)
def _rules() -> dict:
    data = tomllib.loads(DATA_FILE.read_text("utf-8"))
    verbs = "|".join(map(re.escape, data["verbs"]))
    leading = "|".join(map(re.escape, data["leading"]))
    return {
        "trailing": re.compile(rf"((?:《[^》\n]{{2,80}}》[^。；\n《]{{0,40}})+?)(?:{verbs})"),
        "leading": re.compile(rf"(?:{leading})((?:[^。；\n]{{0,20}}《[^》\n]{{2,80}}》)+)"),
        "decision_title": re.compile(data["decision_title"]),
        "effective": re.compile(data["effective"].replace("{D}", _DATE)),
        "from_publication": re.compile(re.escape(data["from_publication"])),
    }


def _date(m: re.Match) -> str:
    y, mo, d = (int(g) for g in m.groups()[:3])
    return f"{y:04d}-{mo:02d}-{d:02d}"


def is_repeal_decision(title: str) -> bool:
    """A 废止决定 by its title (关于废止《…》的决定, 关于修改和废止部分行政法规的决定)."""
    return bool(_rules()["decision_title"].search(title or ""))


def effective_date(text: str, promulgated: str | None = None) -> str | None:
    """The 施行日期 a text states (本法自…起施行), the last one it states; ``promulgated`` when it
    takes effect 自公布之日起; None when it says nothing."""
    rules = _rules()
    found = list(rules["effective"].finditer(text or ""))
    if found:
        return _date(found[-1])
    if promulgated and rules["from_publication"].search(text or ""):
        return promulgated
    return None


def repeals_in(text: str, title: str = "", promulgated: str | None = None,
               effective: str | None = None) -> Repeals:
    """The instruments ``text`` repeals and from when (``effective`` given wins over the text's own
    施行日期). A 废止决定 (by ``title`` or its first line) repeals what its title and its list
    name; a law repeals what its 同时废止 / 予以废止 sentences name."""
    rules = _rules()
    text = text or ""
    first = title or next((line.strip().lstrip("#").strip() for line in text.splitlines() if line.strip()), "")
    out = Repeals(effective=effective or effective_date(text, promulgated))
    seen: list[str] = []

    def add(name: str) -> None:
        name = name.strip()
        if name and name not in seen and name != first:
            seen.append(name)

    if is_repeal_decision(first):
        m = re.search(r"关于(?:修改和)?废止(.*?)的决定", first)
        if m:
            for t in _TITLE.findall(m.group(1)):
                add(t)
        for t in parse_decision(text, first).repealed:
            add(t.strip("《》"))
    else:
        out.replaces = True
    for sentence in re.split(r"[。；\n]", text):
        for pattern in (rules["trailing"], rules["leading"]):
            for m in pattern.finditer(sentence):
                names = _TITLE.findall(m.group(1))
                if names:
                    out.clauses.append(sentence.strip())
                for t in names:
                    add(t)
    out.titles = seen
    if not out.titles:
        out.replaces = False
    return out
