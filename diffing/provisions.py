"""Where each 款 and 项 of an old text went: the 款/项 mapping beside the article-level alignment
(DESIGN §5). Pure: two ``texts.structure.LawText`` and their ``diffing.align.Comparison`` in,
places out.

The one question every part of yiju asks — impact, suggestions, the digest, apply-renumbering,
proposals — is answered by ``ProvisionMap.locate``::

    pm = provision_map(old_law, new_law, comparison)
    pm.locate("第六十九条", 1, 1)      # where did old 第六十九条第一款第（一）项 go?
    # Location(status="moved", place=Place("第六十九条", 1, None, 0.86), candidates=[...], warning=None)

Within an article group of the alignment (one old article and its successor, or the articles of a
split or merger) each old 款 goes to the new 款 most like it (the share of characters in common, or
how much of it lives on inside the new 款 when 款 were merged); each 项 to the new 项 — or the new
款, when a list became prose — most like it, first inside the 款 its own 款 went to, then anywhere
in the group. A 款 or 项 the group no longer holds is looked for, nearly verbatim, in the whole new
text (a 款 moved to another article). A 款 count that changes while the words stay the same (a lost
paragraph break: 民事诉讼法 第一百九十八条 → 第二百零二条) is a warning, never a silent renumbering.

>>> from texts.structure import parse
>>> from diffing.align import compare
>>> old = parse("第一条　甲乙丙丁戊己庚辛。\\n乙乙乙乙乙乙乙乙乙乙。\\n第二条　丙丙丙丙丙丙丙丙丙丙。")
>>> new = parse("第一条　乙乙乙乙乙乙乙乙乙乙。\\n甲乙丙丁戊己庚辛。\\n第二条　丙丙丙丙丙丙丙丙丙丙。")
>>> pm = provision_map(old, new, compare(old, new))
>>> pm.locate("第一条", 2).place.label
'第一条第一款'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

from diffing.compare import same_text_key
from texts.numerals import article_label, to_chinese

#: A 款 or 项 goes to the new one most like it when at least this alike (``_likeness``).
PARAGRAPH_MIN = 0.5
#: Outside its group, a 款 or 项 is found only nearly verbatim (both ways this share).
ELSEWHERE_MIN = 0.9
#: Several old 款 may go to one new 款 when each lives on inside it at least this much.
MERGED_MIN = 0.8

#: A 款 left over in its group went to the group's piece (款 or 项) that takes this share of its
#: wording from it (at least this many characters).
DERIVED_MIN = 0.5
DERIVED_MIN_CHARS = 12

STATUSES = ("same", "modified", "moved", "deleted", "unknown")


@dataclass(frozen=True)
class Place:
    """A provision of the new text: an article, a 款 of it (from 1) and a 项 of that 款 (from 1)."""

    article: str
    paragraph: int | None = None
    item: int | None = None
    similarity: float = 1.0

    @property
    def label(self) -> str:
        """第六十九条第一款第（一）项 (the 款 and 项 only when given)."""
        out = self.article
        if self.paragraph is not None:
            out += f"第{to_chinese(self.paragraph)}款"
        if self.item is not None:
            out += f"第（{to_chinese(self.item)}）项"
        return out

    def to_json(self) -> dict:
        return {"article": self.article, "paragraph": self.paragraph, "item": self.item,
                "label": self.label}


@dataclass
class Location:
    """The answer to "where did this old provision go".

    ``status``: same (same words, maybe another number), modified (found, words changed), moved
    (found outside the article(s) the article-level alignment gives), deleted (not found), unknown
    (the old text has no such provision). ``place``: where it is now (None when deleted/unknown);
    ``candidates``: every new article the old article went to (a split gives several);
    ``warning``: Chinese, when the 款 division changed under the same words.
    """

    status: str
    place: Place | None = None
    candidates: list[Place] = field(default_factory=list)
    warning: str | None = None

    def to_json(self) -> dict:
        return {"status": self.status, "place": self.place.to_json() if self.place else None,
                "similarity": self.place.similarity if self.place else None,
                "candidates": [c.label for c in self.candidates], "warning": self.warning}


def _label(article) -> str:
    try:
        return article_label(article.number, article.suffix)
    except (ValueError, TypeError):
        return article.label


@lru_cache(maxsize=4096)
def _grams(text: str) -> frozenset[str]:
    """The 4-character passages of ``text`` (kept: a 款 is looked for in every 款 of the new text)."""
    return frozenset(text[k:k + 4] for k in range(len(text) - 3))


def _held(a: str, b: str) -> float:
    """How much of ``a`` lives on inside ``b``: the smaller of the characters kept in order and
    those inside 4-character passages of ``b``."""
    if len(a) < 4:
        return 1.0 if a and a in b else 0.0
    grams = _grams(b)
    covered = until = 0     # characters inside a passage of ``b``; where the covered run ends
    for k in range(len(a) - 3):
        if a[k:k + 4] in grams:
            covered += k + 4 - (k if k > until else until)
            until = k + 4
    cover = covered / len(a)
    if cover < PARAGRAPH_MIN:
        return cover
    return min(LCSseq.similarity(a, b) / len(a), cover)


def _likeness(a: str, b: str) -> float:
    """How alike an old and a new piece are: the share of characters in common, or (a little less)
    how much of the old lives on inside the new."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    return max(fuzz.ratio(a, b) / 100.0, 0.95 * _held(a, b))


@dataclass
class _Para:
    article: str
    number: int
    key: str                      # the 款 with its 项, as compared
    lead: str                     # the 款's own text, as compared
    items: list[str]              # its 项, as compared


def _paragraphs(article) -> list[_Para]:
    label = _label(article)
    out = []
    for k, p in enumerate(article.paragraphs, start=1):
        items = [same_text_key(i) for i in p.items]
        out.append(_Para(label, k, same_text_key("".join([p.text, *p.items])), same_text_key(p.text), items))
    return out


class ProvisionMap:
    """The 款 and 项 mapping of one pair of versions; build it with ``provision_map``."""

    def __init__(self, old, new, comparison):
        self.old = old
        self.new = new
        self.comparison = comparison
        #: (old article, 款) → Place or None
        self.paragraphs: dict[tuple[str, int], Place | None] = {}
        #: (old article, 款, 项) → Place or None
        self.items: dict[tuple[str, int, int], Place | None] = {}
        #: Chinese warnings (款 division changed under the same words), one per article
        self.warnings: dict[str, str] = {}
        self._moved: set[tuple] = set()
        self._old = {_label(a): a for a in old.articles}
        self._new_paras = {_label(a): _paragraphs(a) for a in new.articles}
        self._match = {label: m for m in comparison.matches for label in m.old}
        self._build()

    # -- building
    def _build(self) -> None:
        for m in self.comparison.matches:
            if not m.old:
                continue
            olds = [p for label in m.old for p in _paragraphs(self._old[label])]
            news = [p for label in m.new for p in self._new_paras.get(label, [])]
            if m.status in ("unchanged", "renumbered") and len(olds) == len(news):
                for p, q in zip(olds, news):
                    self.paragraphs[(p.article, p.number)] = Place(q.article, q.number)
                    for z in range(1, len(p.items) + 1):
                        self.items[(p.article, p.number, z)] = Place(q.article, q.number, z)
                continue
            self._assign(olds, news)
            if len(m.old) == 1 and len(m.new) == 1 and len(olds) != len(news) and \
                    "".join(p.key for p in olds) == "".join(q.key for q in news):
                self.warnings[m.old[0]] = (
                    f"原{m.old[0]}有{len(olds)}款，现{m.new[0]}有{len(news)}款，文字未变而分款不同；"
                    f"引用其中某一款的依据请人工核对")

    def _assign(self, olds: list[_Para], news: list[_Para]) -> None:
        scored = sorted(
            ((_likeness(p.key, q.key), -abs(x - y), x, y) for x, p in enumerate(olds) for y, q in enumerate(news)),
            reverse=True,
        )
        taken_old: set[int] = set()
        taken_new: set[int] = set()
        for s, _, x, y in scored:
            if s < PARAGRAPH_MIN or x in taken_old:
                continue
            if y in taken_new and _held(olds[x].key, news[y].key) < MERGED_MIN:
                continue
            taken_old.add(x)
            taken_new.add(y)
            self.paragraphs[(olds[x].article, olds[x].number)] = Place(news[y].article, news[y].number, None, round(s, 4))
        for x, p in enumerate(olds):
            if x not in taken_old:
                place = self._derived(p.key, news)
                if place is None:
                    place = self._elsewhere(p.key, news)
                    if place is not None:
                        self._moved.add((p.article, p.number))
                self.paragraphs[(p.article, p.number)] = place
        for p in olds:
            if p.items:
                self._assign_items(p, news)

    def _assign_items(self, p: _Para, news: list[_Para]) -> None:
        home = self.paragraphs.get((p.article, p.number))
        first = [q for q in news if home is not None and (q.article, q.number) == (home.article, home.paragraph)]
        rest = [q for q in news if q not in first]
        taken: set[tuple[str, int, int | None]] = set()
        for z, item in enumerate(p.items, start=1):
            best, best_s = None, 0.0
            for pool in (first, rest):
                for q in pool:
                    targets = [(w, t) for w, t in enumerate(q.items, start=1)] or [(None, q.lead)]
                    for w, t in targets:
                        if (q.article, q.number, w) in taken and w is not None:
                            continue
                        s = _likeness(item, t)
                        if s > best_s:
                            best, best_s = (q.article, q.number, w), s
                if best_s >= PARAGRAPH_MIN:
                    break
            if best is not None and best_s >= PARAGRAPH_MIN:
                taken.add(best)
                self.items[(p.article, p.number, z)] = Place(best[0], best[1], best[2], round(best_s, 4))
            else:
                place = self._elsewhere(item, news, items=True)
                self.items[(p.article, p.number, z)] = place
                if place is not None:
                    self._moved.add((p.article, p.number, z))

    def _derived(self, key: str, group: list[_Para]) -> Place | None:
        """A 款 that became a 项 or shrank into a shorter 款 of the group: the new piece most of
        whose wording comes from it (网络安全法 2016 第六十四条第一款 → 2025 第七十一条第（二）项)."""
        best, best_s = None, 0.0
        for q in group:
            for w, t in [(None, q.key), *enumerate(q.items, start=1)]:
                if len(t) < DERIVED_MIN_CHARS:
                    continue
                s = _held(t, key)
                if s >= DERIVED_MIN and s > best_s:
                    best, best_s = Place(q.article, q.number, w, round(s, 4)), s
        return best

    def _elsewhere(self, key: str, group: list[_Para], items: bool = False) -> Place | None:
        """A 款 or 项 nearly verbatim anywhere in the new text outside the group."""
        if len(key) < 8:
            return None
        inside = {(q.article, q.number) for q in group}
        best, best_s = None, 0.0
        for label, paras in self._new_paras.items():
            for q in paras:
                if (q.article, q.number) in inside:
                    continue
                pieces = [(None, q.key)] + ([(w, t) for w, t in enumerate(q.items, start=1)] if items else [])
                for w, t in pieces:
                    if abs(len(t) - len(key)) > len(key) * (1 - ELSEWHERE_MIN) + 2:
                        continue
                    s = _held(key, t)
                    if s < ELSEWHERE_MIN or s <= best_s:
                        continue    # the smaller of the two cannot be more
                    s = min(s, _held(t, key))
                    if s >= ELSEWHERE_MIN and s > best_s:
                        best, best_s = Place(q.article, q.number, w, round(s, 4)), s
        return best

    # -- answering
    def locate(self, article: str, paragraph: int | None = None, item: int | None = None) -> Location:
        """Where old ``article`` (第X条), its 第``paragraph``款 and 第（``item``）项 are now.

        An item without a paragraph is read as in the first 款 (第X条第（Z）项 in a one-款 article).
        """
        m = self._match.get(article)
        old = self._old.get(article)
        if m is None or old is None:
            return Location("unknown")
        candidates = [Place(label) for label in m.new]
        warning = self.warnings.get(article)
        if not m.new:
            return Location("deleted", None, [], warning)
        if paragraph is None and item is not None:
            paragraph = 1
        if paragraph is None:
            status = "same" if m.status in ("unchanged", "renumbered") else "modified"
            return Location(status, Place(m.new[0], similarity=m.similarity or 1.0), candidates, warning)
        if not 1 <= paragraph <= len(old.paragraphs):
            return Location("unknown", None, candidates, warning)
        if item is not None:
            if not 1 <= item <= len(old.paragraphs[paragraph - 1].items):
                return Location("unknown", None, candidates, warning)
            key: tuple = (article, paragraph, item)
            place = self.items.get(key)
        else:
            key = (article, paragraph)
            place = self.paragraphs.get(key)
        if place is None:
            return Location("deleted", None, candidates, warning)
        if key in self._moved:
            status = "moved"
        elif place.similarity >= 1.0 and not warning:
            status = "same"
        else:
            status = "modified"
        return Location(status, place, candidates, warning)

    def for_match(self, match) -> list[dict]:
        """The 款/项 entries of one article-level match, as ``yiju diff --json`` prints them."""
        out = []
        for label in match.old:
            article = self._old.get(label)
            if article is None:
                continue
            for k, p in enumerate(article.paragraphs, start=1):
                out.append(self._entry(label, k, None))
                for z in range(1, len(p.items) + 1):
                    out.append(self._entry(label, k, z))
        return out

    def _entry(self, label: str, k: int, z: int | None) -> dict:
        where = self.locate(label, k, z)
        entry = {"old": Place(label, k, z).to_json(), "new": where.place.to_json() if where.place else None,
                 "status": where.status,
                 "similarity": where.place.similarity if where.place else None}
        if where.warning:
            entry["warning"] = where.warning
        return entry


def provision_map(old, new, comparison) -> ProvisionMap:
    """The 款/项 mapping of two versions (``texts.structure.LawText``) and their alignment."""
    return ProvisionMap(old, new, comparison)


def paragraph_map(old, new, comparison) -> dict[tuple[str, int], Place | None]:
    """(old article label, 款 number) → where that 款 is now (None: not found)."""
    return provision_map(old, new, comparison).paragraphs
