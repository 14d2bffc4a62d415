"""Law titles and the names they are cited by: an alias index over the built-in list or the registry.

A title is looked up by its *key*: no spaces, no book-title marks, full-width brackets and
no leading 中华人民共和国, so 《中华人民共和国行政处罚法》 and 行政处罚法 meet.

>>> BUILTIN.find("行政处罚法").title
'中华人民共和国行政处罚法'
>>> BUILTIN.find("中华人民共和国固体废物污染环境防治法五").how
'fuzzy'
>>> canonical_title("广东省实施<中华人民共和国环境噪声污染防治法>办法")
'广东省实施《中华人民共和国环境噪声污染防治法》办法'
"""

from __future__ import annotations

import csv
import functools
import pathlib
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any, Iterable

from rapidfuzz import fuzz, process

DATA = pathlib.Path(__file__).resolve().parent / "data"
PRC = "中华人民共和国"

_MARKS = str.maketrans({"〈": "《", "〉": "》", "<": "《", ">": "》", "＜": "《", "＞": "》",
                        "(": "（", ")": "）", "[": "〔", "]": "〕", "［": "〔", "］": "〕"})
_SPACE = re.compile(r"[\s\u3000]+")
_KEY_DROP = re.compile(r"[《》〈〉<>＜＞\s\u3000“”\"'‘’]")


@functools.cache
def patterns() -> dict[str, Any]:
    """The vocabulary in data/patterns.toml."""
    with open(DATA / "patterns.toml", "rb") as fh:
        return tomllib.load(fh)


def canonical_title(title: str) -> str:
    """A title as yiju shows it: no spaces, inner titles in 《》, full-width brackets."""
    return _SPACE.sub("", title).translate(_MARKS).strip()


def title_key(title: str) -> str:
    """The lookup key of a title: no marks or spaces, no leading 中华人民共和国."""
    key = _KEY_DROP.sub("", title.translate(_MARKS))
    return key[len(PRC):] if key.startswith(PRC) and len(key) > len(PRC) else key


@dataclass(frozen=True)
class Match:
    """A title found in an index: ``target`` is what the index maps to (a title or a law id)."""

    title: str
    target: Any
    how: str          # exact / alias / renamed / fuzzy
    score: float = 100.0


@dataclass
class TitleIndex:
    """Names → (full title, target). Later additions never replace an exact title."""

    names: dict[str, tuple[str, Any, str]] = field(default_factory=dict)
    bare: set[str] = field(default_factory=set)      # raw names usable without book-title marks
    _near: dict = field(default_factory=dict, repr=False, compare=False)  # (key, names held) → similar()

    def add(self, title: str, target: Any, *aliases: str, how: str = "alias") -> None:
        full = canonical_title(title)
        self._put(title_key(full), (full, target, "exact"), strong=True)
        self.bare.add(full)
        if full.startswith(PRC):
            self.bare.add(full[len(PRC):])
        for alias in aliases:
            alias = canonical_title(alias)
            if alias:
                self._put(title_key(alias), (full, target, how), strong=False)
                self.bare.add(alias)

    def _put(self, key: str, value: tuple[str, Any, str], strong: bool) -> None:
        if not key:
            return
        old = self.names.get(key)
        if old is None or (strong and old[2] != "exact"):
            self.names[key] = value

    def find(self, written: str, fuzzy: bool = True) -> Match | None:
        """The title ``written`` names, exactly or (for a typo) by similarity."""
        key = title_key(written)
        hit = self.names.get(key)
        if hit:
            return Match(hit[0], hit[1], hit[2])
        if fuzzy:
            return self.similar(key)
        return None

    def similar(self, key: str) -> Match | None:
        """A near-identical title (one or two characters off), for typos such as …防治法五.

        >>> BUILTIN.similar("南京市优化营商环境条例") is None
        True
        """
        if len(key) < 5 or not self.names:
            return None
        memo = (key, len(self.names))   # names are only ever added: their count tells a stale answer
        if memo not in self._near:
            if len(self._near) > 100_000:
                self._near.clear()
            self._near[memo] = self._similar(key)
        return self._near[memo]

    def _similar(self, key: str) -> Match | None:
        found = process.extractOne(key, self.names.keys(), scorer=fuzz.ratio, score_cutoff=90)
        if not found:
            return None
        name, score, _ = found
        # a different place (北京市… / 南京市…) is a different law, not a typo
        if abs(len(name) - len(key)) > 2 or name[:3] != key[:3]:
            return None
        full, target, _how = self.names[name]
        return Match(full, target, "fuzzy", score)

    def name_before(self, text: str, end: int, longest: int = 40) -> tuple[int, str] | None:
        """The longest known name that ends at ``end`` in ``text`` (for 工会法第十八条)."""
        for start in range(max(0, end - longest), end - 1):
            candidate = text[start:end]
            if candidate in self.bare:
                return start, candidate
        return None


@dataclass(frozen=True)
class Renamed:
    old_title: str
    new_title: str
    kind: str         # renamed / replaced
    date: str
    note: str


def _rows(path: pathlib.Path) -> Iterable[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    yield from csv.DictReader(lines, delimiter="\t")


@functools.cache
def renamed() -> dict[str, Renamed]:
    """Renamed and replaced laws by the key of their old title."""
    out = {}
    for row in _rows(DATA / "renamed.tsv"):
        item = Renamed(row["old_title"], row["new_title"], row["kind"], row["date"], row["note"] or "")
        out[title_key(item.old_title)] = item
    return out


@functools.cache
def builtin_levels() -> dict[str, str]:
    """Level (法律/行政法规/…) of each built-in law, by full title."""
    return {canonical_title(row["title"]): row["level"] for row in _rows(DATA / "laws.tsv")}


def _builtin() -> TitleIndex:
    index = TitleIndex()
    for row in _rows(DATA / "laws.tsv"):
        aliases = [a for a in (row.get("aliases") or "").split("｜") if a]
        index.add(row["title"], row["title"], *aliases)
    for item in renamed().values():
        if item.kind == "renamed":
            index.add(item.new_title, item.new_title, item.old_title, how="renamed")
        else:
            index.add(item.old_title, item.old_title)
    return index


BUILTIN = _builtin()
