"""The consecutive version pairs of the built-in corpus, the decisions that made them, and what
"a provision lives on" means (shared by the regression suite and ``bench/amendments.py``).

>>> lives_on("甲乙丙丁戊己庚辛壬癸", "前言。甲乙丙丁戊己庚辛壬癸。后记。")
1.0
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import LCSseq

ROOT = pathlib.Path(__file__).resolve().parent.parent
LAWS = ROOT / "yiju" / "data" / "laws"
DECISIONS = ROOT / "yiju" / "data" / "decisions"

#: An old article or 款 shorter than this (characters compared) is not looked for elsewhere.
MIN_CHARS = 15
#: "Its text lives on inside a new article": this share of its characters, in order and in
#: 4-character passages (issue 12: 90 %).
LIVES_ON = 0.9
#: A new text is "mostly" an old one when this share of it comes from that one.
MOSTLY = 0.75


@dataclass(frozen=True)
class Pair:
    law: str           # the folder name (short title)
    old: str           # version dates
    new: str

    @property
    def id(self) -> str:
        return f"{self.law}-{self.old}-{self.new}"

    def texts(self) -> tuple[str, str]:
        return ((LAWS / self.law / f"{self.old}.md").read_text("utf-8"),
                (LAWS / self.law / f"{self.new}.md").read_text("utf-8"))


def pairs() -> list[Pair]:
    """Every consecutive pair of versions of one law in the corpus."""
    out = []
    for folder in sorted(p for p in LAWS.iterdir() if p.is_dir()):
        dates = sorted(p.stem for p in folder.glob("*.md"))
        out += [Pair(folder.name, a, b) for a, b in zip(dates, dates[1:])]
    return out


@lru_cache(maxsize=None)
def _decisions() -> list[tuple[str, str, str]]:
    """(date, file name, text) of each decision of the corpus."""
    return [(p.name[:10], p.name, p.read_text("utf-8")) for p in sorted(DECISIONS.glob("*.md"))]


def decision_for(pair: Pair, title: str):
    """The decision of the new version's date that amends this law: (file name, instructions) or None."""
    from diffing.instruments import parse

    for date, name, text in _decisions():
        if date != pair.new:
            continue
        instructions = parse(text).instructions_for(title)
        if instructions:
            return name, instructions
    return None


def _grams(text: str) -> set[str]:
    return {text[k:k + 4] for k in range(len(text) - 3)}


def lives_on(old: str, new: str) -> float:
    """Share of ``old`` that ``new`` holds: the smaller of the characters kept in order and the
    characters inside 4-character passages found in ``new`` (texts as compared: same_text_key)."""
    if not old:
        return 0.0
    grams = _grams(new)
    hit = bytearray(len(old))
    for k in range(len(old) - 3):
        if old[k:k + 4] in grams:
            hit[k:k + 4] = b"\x01" * 4
    cover = sum(hit) / len(old)
    if cover < LIVES_ON * MOSTLY:
        return cover  # far off: spare the LCS
    return min(LCSseq.similarity(old, new) / len(old), cover)


def hosts_all(old_keys: list[str], new_keys: list[str]) -> dict[int, set[int]]:
    """For each old text (of at least ``MIN_CHARS``), the new texts in which it lives on
    (``LIVES_ON``), leaving out a new text that is mostly (``MOSTLY``) another old text, one it
    holds more completely: a rewritten article modelled on an unchanged one (保安服务管理条例 2020
    第三十三条, written like 第九条) does not live on in that one."""
    old_grams = [_grams(k) for k in old_keys]
    new_grams = [_grams(k) for k in new_keys]
    index: dict[str, list[int]] = {}
    for j, grams in enumerate(new_grams):
        for g in grams:
            index.setdefault(g, []).append(j)
    old_index: dict[str, list[int]] = {}
    for k, grams in enumerate(old_grams):
        for g in grams:
            old_index.setdefault(g, []).append(k)

    def near(grams: set[str], postings, share: float) -> list[int]:
        hits: dict[int, int] = {}
        for g in grams:
            for x in postings.get(g, ()):
                hits[x] = hits.get(x, 0) + 1
        need = share * len(grams)
        return [x for x, n in hits.items() if n >= need]

    out: dict[int, set[int]] = {}
    for i, key in enumerate(old_keys):
        if len(key) < MIN_CHARS:
            continue
        found = set()
        for j in near(old_grams[i], index, 0.5):
            share = lives_on(key, new_keys[j])
            if share < LIVES_ON:
                continue
            new = new_keys[j]
            if any(k != i and lives_on(new, old_keys[k]) >= MOSTLY and lives_on(old_keys[k], new) > share
                   for k in near(new_grams[j], old_index, 0.5)):
                continue
            found.add(j)
        if found:
            out[i] = found
    return out


def hosts(i: int, old_keys: list[str], new_keys: list[str]) -> set[int]:
    """``hosts_all`` for one old text."""
    return hosts_all(old_keys, new_keys).get(i, set())
