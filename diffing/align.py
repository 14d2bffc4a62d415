"""Aligning the articles of two versions of one law, whatever their numbers (DESIGN §5).

Amendments shift every following article number, so the alignment never trusts labels:

1. anchors: articles whose text is the same (white space and full/half-width punctuation
   ignored) and occurs once in each version; the longest run of them in order is kept, the
   others are articles that moved;
2. long stretches without anchors get more anchors from distinctive 8-character passages;
3. between anchors, a dynamic programme pairs articles in order by likeness (``score``: the
   share of characters in common, averaged with how much of the shorter text's distinctive
   wording the longer one holds, so an article that grew keeps its partner); the two 施行
   articles at the end, and one old and one new article alone between two pairs (rewritten
   in place), are paired too;
4. splits and merges: what a changed pair lost (or gained) that an unpaired neighbour holds,
   and 款 that went to an unpaired article (``_pieces``, ``_paragraph_pieces``);
5. left-overs that are each other's best partner anywhere in the law moved and changed.

>>> from texts.structure import parse
>>> old = parse("第一条　甲。\\n第二条　乙乙乙乙乙乙乙乙乙乙。\\n第三条　丙。")
>>> new = parse("第一条　甲。\\n第二条　新增的条文内容。\\n第三条　乙乙乙乙乙乙乙乙乙乙。\\n第四条　丙。")
>>> [(m.status, m.old, m.new) for m in compare(old, new).matches]
[('unchanged', ['第一条'], ['第一条']), ('inserted', [], ['第二条']), ('renumbered', ['第二条'], ['第三条']), ('renumbered', ['第三条'], ['第四条'])]
"""

from __future__ import annotations

import bisect
import math
import re
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

from diffing.compare import DATA, char_diff, same_text_key, substance
from texts.numerals import article_label

_PUNCT = re.compile(r"[^\w]")

STATUSES = ("unchanged", "renumbered", "modified", "inserted", "deleted", "split", "merged")

#: The generation of this alignment. A change stored with an older one (``changes.alignment``) is
#: aligned again from its two texts the next time impact runs, and the flags it raised are put
#: right (``impact/realign.py``). Raise it with any change to ``compare`` or to the 款/项 mapping
#: (``diffing/provisions.py``) that moves an article or a 款 elsewhere on some real pair.
#: 1: 款/项 evidence, merged and rewritten-in-place articles (issue 12).
ALIGNMENT = 1

#: Two articles in the same stretch between anchors are one article when they are at least this
#: alike (``_Aligner.score``; unrelated articles of one law score 0.15-0.4, a rewritten one 0.45+).
PAIR_MIN = 0.45
#: An article that left its place (out of order) and changed: the two must be each other's
#: best partner and at least this alike.
MOVED_MIN = 0.5
#: An article rewritten in place (alone between the same two pairs) must still be this alike;
#: less when it also kept its number (劳动合同法 2007 → 2012 第五十七条, rewritten by the decision).
IN_PLACE_MIN = 0.25
IN_PLACE_SAME_NUMBER_MIN = 0.15
#: An exact-text match out of order is trusted when the text is at least this long.
MOVED_EXACT_MIN_CHARS = 6
#: A piece of a split or merger (see ``_pieces``): share of the partner's left-over characters
#: it must hold, and share of its own text that must come from (go into) the other side;
#: (next to its partner, elsewhere).
PIECE_REST_MIN = (0.45, 0.6)
PIECE_DERIVED_MIN = (0.4, 0.6)
PIECE_MIN_CHARS = 8
PIECE_FAR_SHARE = 0.5
#: A 款 counts as kept by its article's partner when this share of its characters is there;
#: one that is not kept continues in an unpaired new article holding this share of its
#: characters and of its distinctive wording (next to the partner, elsewhere).
PARAGRAPH_KEPT = 0.5
PARAGRAPH_MOVED = ((0.6, 0.45), (0.75, 0.5))  # (characters, distinctive wording)
PARAGRAPH_MIN_CHARS = 12
#: An article whose text lives on at least this alike elsewhere, and that much better than with
#: its present partner (and than that article's partner), is paired there (``stronger``).
STRONG_MIN = 0.8
STRONG_MARGIN = 0.15
#: An old article that found no partner and whose text lives on (this share of its characters
#: and of its distinctive wording) inside a new article that found none either is that article.
LIVES_ON = 0.9
#: A 款 or 项 of a new article that its own predecessors do not explain comes from an old article
#: left without partner when this share of it is that article's wording (``_paragraph_links``).
SEGMENT_FROM = 0.5
#: A 项 that its article's successors do not hold went where this share of it is (a partial merger:
#: 网络安全法 2016 第六十九条第（一）项 → 2025 第六十九条).
ITEM_MOVED = 0.8
#: Such evidence must include wording rare in the law: this share of the piece in passages found
#: in at most two articles (6 characters for a new piece, 4 for an old one that lives on almost
#: whole; boilerplate penalties are not evidence).
RARE_GRAM = 6
RARE_SHARE = 0.1
#: A stretch larger than this (old × new articles) first gets anchors from distinctive passages.
DP_CELLS_MAX = 2500
SHINGLE = 8
#: In such a stretch only pairs sharing two 4-character passages found in at most this many
#: articles on each side are scored.
RARE_PASSAGE = 3


@dataclass
class ArticleMatch:
    """One entry of the alignment.

    ``diff`` holds diff-match-patch operations for every status but ``unchanged``: for a
    modified article the character diff; for renumbered ``[(0, text)]``; for inserted
    ``[(1, text)]``; for deleted ``[(-1, text)]``; for split and merged the diff between the
    joined texts (each article preceded by its label). ``to_json`` keeps it only for
    ``modified``, as DESIGN §5 shows.
    """

    status: str
    old: list[str]
    new: list[str]
    similarity: float | None = None
    substance: str | None = None
    diff: list[tuple[int, str]] | None = None
    old_text: str = field(default="", repr=False)
    new_text: str = field(default="", repr=False)

    def to_json(self) -> dict:
        out: dict = {"status": self.status, "old": list(self.old), "new": list(self.new)}
        if self.status in ("inserted", "deleted"):
            return out
        out["similarity"] = self.similarity
        if self.status == "modified":
            out["substance"] = self.substance
            out["diff"] = [[op, text] for op, text in (self.diff or [])]
        return out


@dataclass
class Comparison:
    """The alignment of two versions: ``matches`` in reading order (new numbering, deleted
    articles where they stood), ``summary`` counts per status, ``renumbering`` maps each old
    label to the new labels it became."""

    old_title: str
    new_title: str
    old_count: int
    new_count: int
    matches: list[ArticleMatch]

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(m.status for m in self.matches)
        return {s: counts.get(s, 0) for s in STATUSES}

    @property
    def renumbering(self) -> dict[str, list[str]]:
        return {o: list(m.new) for m in self.matches for o in m.old}

    def changed(self) -> list[ArticleMatch]:
        """Every match except the unchanged ones."""
        return [m for m in self.matches if m.status != "unchanged"]

    def to_json(self, provisions=None) -> dict:
        """DESIGN §5; with ``provisions`` (``diffing.provisions.ProvisionMap``) each entry but
        unchanged and inserted ones carries its 款/项 rows (``paragraphs``)."""
        articles = []
        for m in self.matches:
            entry = m.to_json()
            if provisions is not None and m.old and m.status != "unchanged":
                entry["paragraphs"] = provisions.for_match(m)
            articles.append(entry)
        return {
            "old": {"title": self.old_title, "articles": self.old_count},
            "new": {"title": self.new_title, "articles": self.new_count},
            "summary": self.summary,
            "articles": articles,
        }


def _label(article) -> str:
    """The article's label with Chinese numerals (第32条 → 第三十二条)."""
    try:
        return _chinese_label(article.number, article.suffix)
    except (ValueError, TypeError):
        return article.label


@lru_cache(maxsize=4096)
def _chinese_label(number: int, suffix: int) -> str:
    return article_label(number, suffix)


def _ratio(a: str, b: str) -> float:
    return 1.0 if a == b else fuzz.ratio(a, b) / 100.0


def _bigrams(key: str) -> set[str]:
    return {key[i:i + 2] for i in range(len(key) - 1)} or {key}


@lru_cache(maxsize=None)
def _final_clause_pattern() -> re.Pattern:
    with open(DATA / "align.toml", "rb") as f:
        return re.compile(tomllib.load(f)["final_clause"]["pattern"])


class _Lazy(dict):
    """A dict that computes a missing value from its key."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        value = self[key] = self.make(key)
        return value


def _lis(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest chain of (i, j) pairs increasing in both (pairs sorted by i, distinct i and j)."""
    tails: list[int] = []
    tail_idx: list[int] = []
    prev = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pos = bisect.bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_idx.append(k)
        else:
            tails[pos] = j
            tail_idx[pos] = k
        prev[k] = tail_idx[pos - 1] if pos else -1
    chain = []
    k = tail_idx[-1] if tail_idx else -1
    while k >= 0:
        chain.append(pairs[k])
        k = prev[k]
    return chain[::-1]


class _Aligner:
    """The pairing of old article indices to new ones, built stage by stage.

    Character-pair sets and their IDF weights are computed only for the articles that the
    exact-text anchors leave over (``weigh``), so a large law amended in a few places stays cheap.
    """

    def __init__(self, old_keys: list[str], new_keys: list[str],
                 old_numbers: list | None = None, new_numbers: list | None = None):
        self.a = old_keys
        self.b = new_keys
        self.na = old_numbers or [None] * len(old_keys)
        self.nb = new_numbers or [None] * len(new_keys)
        self.pairs: dict[int, int] = {}  # old index → new index (1:1)
        self.ga: dict[int, set[str]] = _Lazy(lambda i: _bigrams(self.a[i]))
        self.gb: dict[int, set[str]] = _Lazy(lambda j: _bigrams(self.b[j]))
        self.idf: dict[str, float] = {}
        self.idf_unseen = 0.0
        self.wa: dict[int, float] = _Lazy(lambda i: sum(self._idf(t) for t in self.ga[i]))
        self.wb: dict[int, float] = _Lazy(lambda j: sum(self._idf(t) for t in self.gb[j]))

    def weigh(self, olds, news) -> None:
        """IDF of character pairs over the articles still to be aligned."""
        df: Counter = Counter()
        for i in olds:
            df.update(self.ga[i])
        for j in news:
            df.update(self.gb[j])
        n = len(olds) + len(news)
        self.idf = {t: math.log((n + 1) / c) for t, c in df.items()}
        self.idf_unseen = math.log(n + 1)
        self.wa.clear()
        self.wb.clear()

    def _idf(self, t: str) -> float:
        return self.idf.get(t, self.idf_unseen)

    def containment(self, i: int, j: int) -> float:
        """How much of the shorter text's distinctive wording the longer one holds (IDF-weighted)."""
        ga, gb = self.ga[i], self.gb[j]
        weight = min(self.wa[i], self.wb[j])
        if not weight:
            return 0.0
        return sum(self._idf(t) for t in (ga & gb)) / weight

    def cover(self, i: int, j: int) -> float:
        """Share of old article i's distinctive wording (IDF-weighted) found in new article j."""
        w = self.wa[i]
        return sum(self._idf(t) for t in (self.ga[i] & self.gb[j])) / w if w else 0.0

    def cover_new(self, j: int, i: int) -> float:
        """Share of new article j's distinctive wording (IDF-weighted) found in old article i."""
        w = self.wb[j]
        return sum(self._idf(t) for t in (self.ga[i] & self.gb[j])) / w if w else 0.0

    def kept(self, i: int, j: int) -> float:
        """Share of old article i's characters that new article j keeps, in order."""
        return LCSseq.similarity(self.a[i], self.b[j]) / len(self.a[i]) if self.a[i] else 0.0

    def score(self, i: int, j: int) -> float:
        """Likeness of old article i and new article j, 0-1: the mean of the share of characters
        in common and the containment, so that an article that grew keeps its partner."""
        a, b = self.a[i], self.b[j]
        if a == b:
            return 1.0
        return (fuzz.ratio(a, b) / 100.0 + self.containment(i, j)) / 2

    def candidates(self, olds: list[int], news: list[int]) -> dict[int, set[int]]:
        """For large stretches: the pairs worth scoring, those sharing at least two 4-character
        passages that are rare on both sides (RARE_PASSAGE articles or fewer)."""
        def grams(key: str) -> set[str]:
            return {key[p:p + 4] for p in range(len(key) - 3)}

        old_grams = {i: grams(self.a[i]) for i in olds}
        new_grams = {j: grams(self.b[j]) for j in news}
        df_old: Counter = Counter()
        df_new: Counter = Counter()
        for g in old_grams.values():
            df_old.update(g)
        for g in new_grams.values():
            df_new.update(g)
        postings: dict[str, list[int]] = defaultdict(list)
        for j, g in new_grams.items():
            for t in g:
                if df_new[t] <= RARE_PASSAGE and 0 < df_old.get(t, 0) <= RARE_PASSAGE:
                    postings[t].append(j)
        out: dict[int, set[int]] = {}
        for i, g in old_grams.items():
            hits: Counter = Counter()
            for t in g:
                if t in postings:
                    hits.update(postings[t])
            out[i] = {j for j, n in hits.items() if n >= 2}
        return out

    # -- stage 1 and 2: anchors
    def exact_anchors(self) -> list[tuple[int, int]]:
        ca, cb = Counter(self.a), Counter(self.b)
        where_b = {k: j for j, k in enumerate(self.b) if cb[k] == 1}
        pairs = [(i, where_b[k]) for i, k in enumerate(self.a) if ca[k] == 1 and k in where_b]
        chain = _lis(pairs)
        in_chain = set(chain)
        for i, j in pairs:
            if (i, j) in in_chain or len(self.a[i]) >= MOVED_EXACT_MIN_CHARS:
                self.pairs[i] = j
        return chain

    def passage_anchors(self, olds: list[int], news: list[int]) -> list[tuple[int, int]]:
        """Anchors inside a long stretch: pairs sharing 8-character passages found nowhere else."""
        def shingles(keys, idx):
            owner: dict[str, int] = {}
            for i in idx:
                k = keys[i]
                for s in {k[p:p + SHINGLE] for p in range(max(1, len(k) - SHINGLE + 1))}:
                    owner[s] = -1 if s in owner and owner[s] != i else i
            return owner

        oa, ob = shingles(self.a, olds), shingles(self.b, news)
        votes: dict[int, Counter] = defaultdict(Counter)
        for s, i in oa.items():
            j = ob.get(s, -1)
            if i >= 0 and j >= 0:
                votes[i][j] += 1
        best_new: dict[int, int] = {}
        for i, c in votes.items():
            j, _ = c.most_common(1)[0]
            best_new[i] = j
        best_old: dict[int, tuple[int, int]] = {}
        for i, j in best_new.items():
            n = votes[i][j]
            if j not in best_old or n > best_old[j][1]:
                best_old[j] = (i, n)
        pairs = sorted(
            (i, j) for j, (i, _) in best_old.items()
            if best_new[i] == j and self.score(i, j) >= MOVED_MIN
        )
        return _lis(pairs)

    # -- stage 3: in-order pairing between anchors
    def fill(self, olds: list[int], news: list[int]) -> None:
        if not olds or not news:
            return
        if len(olds) * len(news) > DP_CELLS_MAX:
            chain = self.passage_anchors(olds, news)
            if chain:
                for i, j in chain:
                    self.pairs[i] = j
                bounds = [(-1, -1), *chain, (10 ** 9, 10 ** 9)]
                for (i0, j0), (i1, j1) in zip(bounds, bounds[1:]):
                    self._dp([i for i in olds if i0 < i < i1], [j for j in news if j0 < j < j1])
                return
        self._dp(olds, news)

    def _dp(self, olds: list[int], news: list[int]) -> None:
        p, q = len(olds), len(news)
        if not p or not q:
            return
        wanted = self.candidates(olds, news) if p * q > DP_CELLS_MAX else None
        gain = [[-1.0] * q for _ in range(p)]
        for x, i in enumerate(olds):
            row = gain[x]
            for y, j in enumerate(news):
                if wanted is not None and j not in wanted[i]:
                    continue
                s = self.score(i, j)
                if s >= PAIR_MIN:
                    row[y] = s - PAIR_MIN
        score = [[0.0] * (q + 1) for _ in range(p + 1)]
        for x in range(1, p + 1):
            prev_row, row, g = score[x - 1], score[x], gain[x - 1]
            for y in range(1, q + 1):
                best = prev_row[y] if prev_row[y] >= row[y - 1] else row[y - 1]
                if g[y - 1] > 0:
                    diag = prev_row[y - 1] + g[y - 1]
                    if diag > best:
                        best = diag
                row[y] = best
        x, y = p, q
        while x and y:
            g = gain[x - 1][y - 1]
            if g > 0 and abs(score[x][y] - (score[x - 1][y - 1] + g)) < 1e-12:
                self.pairs[olds[x - 1]] = news[y - 1]
                x, y = x - 1, y - 1
                continue
            if score[x][y] == score[x - 1][y]:
                x -= 1
            else:
                y -= 1

    def run(self) -> None:
        chain = self.exact_anchors()
        bounds = [(-1, -1), *chain, (len(self.a), len(self.b))]
        taken_new = set(self.pairs.values())
        self.weigh([i for i in range(len(self.a)) if i not in self.pairs],
                   [j for j in range(len(self.b)) if j not in taken_new])
        for (i0, j0), (i1, j1) in zip(bounds, bounds[1:]):
            olds = [i for i in range(i0 + 1, i1) if i not in self.pairs]
            news = [j for j in range(j0 + 1, j1) if j not in taken_new]
            self.fill(olds, news)
        self.final_clause()
        self.in_place()
        self.stronger()

    def in_place(self) -> None:
        """One old and one new article alone between the same two pairs: an article rewritten
        where it stood (a decision says 将第三十三条修改为 and gives all new wording)."""
        pairs = sorted(self.pairs.items())
        taken_new = set(self.pairs.values())
        bounds = [(-1, -1), *pairs, (len(self.a), len(self.b))]
        for (i0, j0), (i1, j1) in zip(bounds, bounds[1:]):
            if i1 - i0 != 2 or j1 - j0 != 2:
                continue
            i, j = i0 + 1, j0 + 1
            if i in self.pairs or j in taken_new:
                continue
            score = self.score(i, j)
            if score >= IN_PLACE_MIN or (
                    score >= IN_PLACE_SAME_NUMBER_MIN and self.na[i] is not None
                    and self.na[i] == self.nb[j] and self.own_words(i, j)):
                self.pairs[i] = j

    def own_words(self, i: int, j: int) -> bool:
        """Old article i and new article j share a 4-character passage found in no other article
        of either version (their own subject: 劳动合同法 第五十七条 注册资本)."""
        if not hasattr(self, "_df4"):
            self._df4 = (Counter(g for k in self.a for g in {k[p:p + 4] for p in range(len(k) - 3)}),
                         Counter(g for k in self.b for g in {k[p:p + 4] for p in range(len(k) - 3)}))
        old_df, new_df = self._df4
        shared = {self.a[i][p:p + 4] for p in range(len(self.a[i]) - 3)} & {
            self.b[j][p:p + 4] for p in range(len(self.b[j]) - 3)}
        return any(old_df[g] == 1 and new_df[g] == 1 and not _PUNCT.search(g) for g in shared)

    def final_clause(self) -> None:
        """Pair the two 施行 articles at the very end when nothing else claimed them."""
        i, j = len(self.a) - 1, len(self.b) - 1
        if i < 0 or j < 0 or i in self.pairs or j in set(self.pairs.values()):
            return
        pattern = _final_clause_pattern()
        if pattern.search(self.a[i]) and pattern.search(self.b[j]):
            self.pairs[i] = j

    # -- stage 3b: a far better partner elsewhere
    def stronger(self) -> None:
        """An article paired (in order) with a weak partner while its text lives on almost whole
        elsewhere is moved there (民用航空法 2021 → 2025: 第六十五条 is 第一百六十八条 at 0.93, not
        第六十条 at 0.65); so is an unpaired one. Exact-text pairs are never touched."""
        exact = {i for i, j in self.pairs.items() if self.a[i] == self.b[j]}
        exact_new = {self.pairs[i] for i in exact}
        olds = [i for i in range(len(self.a)) if i not in exact and len(self.a[i]) >= PIECE_MIN_CHARS]
        news = [j for j in range(len(self.b)) if j not in exact_new and len(self.b[j]) >= PIECE_MIN_CHARS]
        if not olds or not news:
            return
        wanted = self.candidates(olds, news)
        paired_new = set(self.pairs.values())
        proposals = []
        for i in olds:
            for j in wanted[i]:
                s = self.score(i, j)
                if s < STRONG_MIN and i not in self.pairs and j not in paired_new:
                    s = min(self.kept(i, j), self.cover(i, j))  # lives on inside a new article
                    s = s if s >= LIVES_ON else 0.0
                if s >= STRONG_MIN:
                    proposals.append((s, i, j))
        proposals.sort(reverse=True)
        for s, i, j in proposals:
            back = {y: x for x, y in self.pairs.items()}
            current = self.pairs.get(i)
            if current == j or (current is None and j in back and self.score(i, j) < STRONG_MIN):
                continue
            mine = self.score(i, current) if current is not None else 0.0
            x = back.get(j)
            theirs = self.score(x, j) if x is not None else 0.0
            if s >= mine + STRONG_MARGIN and s >= theirs + STRONG_MARGIN:
                if x is not None:
                    del self.pairs[x]
                self.pairs[i] = j

    # -- stage 4: moved and changed
    def moved(self, pieces_old: set[int], pieces_new: set[int]) -> None:
        """Pair left-overs anywhere in the law that are each other's best partner (pieces of
        splits and mergers are not left-overs)."""
        taken_new = set(self.pairs.values()) | pieces_new
        olds = [i for i in range(len(self.a)) if i not in self.pairs and i not in pieces_old]
        news = [j for j in range(len(self.b)) if j not in taken_new]
        best_old: dict[int, tuple[float, int]] = {}
        best_new: dict[int, tuple[float, int]] = {}
        wanted = self.candidates(olds, news) if len(olds) * len(news) > DP_CELLS_MAX else None
        for i in olds:
            for j in (news if wanted is None else sorted(wanted[i])):
                s = self.score(i, j)
                if s < MOVED_MIN:
                    continue
                if s > best_new.get(i, (0.0, -1))[0]:
                    best_new[i] = (s, j)
                if s > best_old.get(j, (0.0, -1))[0]:
                    best_old[j] = (s, i)
        for i, (_, j) in best_new.items():
            if best_old[j][1] == i:
                self.pairs[i] = j


def _unexplained(text: str, other: str) -> str:
    """The characters of ``text`` left out of its longest common subsequence with ``other``."""
    gone = {op.src_pos for op in LCSseq.editops(text, other) if op.tag == "delete"}
    return "".join(ch for k, ch in enumerate(text) if k in gone)


def _piece_strength(rest: str, piece: str, derived: float, far: bool) -> float:
    """How well ``piece`` accounts for the left-over characters ``rest`` of a changed pair;
    ``derived``: share of the piece's distinctive wording found on the other side (0 = not a piece)."""
    if len(rest) < PIECE_MIN_CHARS or derived < PIECE_DERIVED_MIN[far]:
        return 0.0
    gain = LCSseq.similarity(rest, piece)
    if gain < PIECE_MIN_CHARS or gain / len(rest) < PIECE_REST_MIN[far]:
        return 0.0
    if far and gain / len(piece) < PIECE_FAR_SHARE:
        return 0.0  # away from its partner, the piece itself must be mostly what the partner lost
    return gain / len(rest) + derived


def _pieces(al: _Aligner, merged: dict[int, list[int]], split: dict[int, list[int]],
            only: set[int] | None = None) -> None:
    """Split and merged articles among the left-overs.

    For a changed pair (old w → new z), the characters of w that z does not hold are what a
    split may have put elsewhere: an unpaired new article y is a piece of w when it holds most
    of them (PIECE_REST_MIN) and most of y comes from w (PIECE_DERIVED_MIN); a new article
    that took over one sentence of w among much new wording is an inserted article. Merges
    are the same seen from the new side. Limits are stricter away from the partner.
    Adds to ``merged`` (new index → extra old indices) and ``split`` (old index → extra new
    indices) in place; ``only``: look at these old articles' pairs only.
    """
    a, b, pairs = al.a, al.b, al.pairs
    back = {j: i for i, j in pairs.items()}
    taken_old = {x for xs in merged.values() for x in xs}
    taken_new = {y for ys in split.values() for y in ys}
    spare_old = [i for i in range(len(a)) if i not in pairs and i not in taken_old]
    spare_new = [j for j in range(len(b)) if j not in back and j not in taken_new]
    candidates = []  # (strength, kind, piece, w, z)
    rests: dict[tuple[str, int], str] = {}
    for w, z in pairs.items():
        if a[w] == b[z] or (only is not None and w not in only):
            continue
        for kind, rest, spares, partner, texts in (
            ("split", _unexplained(a[w], b[z]), spare_new, z, b),
            ("merged", _unexplained(b[z], a[w]), spare_old, w, a),
        ):
            if len(rest) < PIECE_MIN_CHARS:
                continue
            rests[(kind, w)] = rest
            for piece in spares:
                derived = al.cover(piece, z) if kind == "merged" else al.cover_new(piece, w)
                strength = _piece_strength(rest, texts[piece], derived, abs(piece - partner) != 1)
                if strength:
                    candidates.append((strength, kind, piece, w, z))
    candidates.sort(key=lambda c: -c[0])
    used: set[tuple[str, int]] = set()
    for _, kind, piece, w, z in candidates:
        if (kind, piece) in used or (kind == "split" and z in merged) or (kind == "merged" and w in split):
            continue
        texts, partner = (b, z) if kind == "split" else (a, w)
        derived = al.cover(piece, z) if kind == "merged" else al.cover_new(piece, w)
        rest = rests[(kind, w)]
        if not _piece_strength(rest, texts[piece], derived, abs(piece - partner) != 1):
            continue  # an earlier piece already took what this one explained
        (split if kind == "split" else merged).setdefault(w if kind == "split" else z, []).append(piece)
        rests[(kind, w)] = _unexplained(rest, texts[piece])
        used.add((kind, piece))


def _paragraph_keys(article) -> list[str]:
    """The 款 of an article (each with its 项), as compared."""
    paragraphs = getattr(article, "paragraphs", None)
    if paragraphs is None:
        return [same_text_key(line) for line in article.text.split("\n")]
    return [same_text_key("".join([p.text, *p.items])) for p in paragraphs]


def _paragraph_pieces(al: _Aligner, paragraphs: dict[int, list[str]], merged, split,
                      only: set[int] | None = None) -> None:
    """A 款 that its article's partner no longer holds and that an unpaired new article
    continues: that new article is a piece of a split (行政处罚法 2017 第三十七条第三款 →
    2021 第四十三条). Adds to ``split`` in place."""
    back = {j: i for i, j in al.pairs.items()}
    taken = {y for ys in split.values() for y in ys}
    spare_new = [j for j in range(len(al.b)) if j not in back and j not in taken]
    idf = al._idf
    for w, z in sorted(al.pairs.items()):
        if al.a[w] == al.b[z] or z in merged or len(paragraphs[w]) < 2 or (only is not None and w not in only):
            continue
        for para in paragraphs[w]:
            if len(para) < PARAGRAPH_MIN_CHARS or LCSseq.similarity(para, al.b[z]) / len(para) >= PARAGRAPH_KEPT:
                continue
            grams = _bigrams(para)
            weight = sum(idf(t) for t in grams)
            best, best_score = None, 0.0
            for y in spare_new:
                far = abs(y - z) != 1
                kept = LCSseq.similarity(para, al.b[y]) / len(para)
                cover = sum(idf(t) for t in grams & al.gb[y]) / weight if weight else 0.0
                min_kept, min_cover = PARAGRAPH_MOVED[far]
                if kept >= min_kept and cover >= min_cover and kept + cover > best_score:
                    best, best_score = y, kept + cover
            if best is not None:
                split.setdefault(w, []).append(best)
                spare_new.remove(best)


def _gram_cover(seg: str, grams: set[str], n: int = 4) -> float:
    """Share of ``seg``'s characters inside one of its n-character passages found in ``grams``."""
    if len(seg) < n:
        return 0.0
    covered = until = 0     # characters covered so far; where the covered run ends
    for k in range(len(seg) - n + 1):
        if seg[k:k + n] in grams:
            covered += k + n - (k if k > until else until)
            until = k + n
    return covered / len(seg)


def _grams(text: str, n: int = 4) -> set[str]:
    return {text[k:k + n] for k in range(len(text) - n + 1)}


def _segments(article, lines: bool) -> list[str]:
    """An article's 款 (each with its 项), or, with ``lines``, each 款 text and each 项 apart."""
    paragraphs = getattr(article, "paragraphs", None)
    if paragraphs is None:
        return [same_text_key(line) for line in article.text.split("\n")]
    if not lines:
        return [same_text_key("".join([p.text, *p.items])) for p in paragraphs]
    return [same_text_key(t) for p in paragraphs for t in (p.text, *p.items) if t]


def _paragraph_links(al: _Aligner, A, B, edges: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Links between articles that the article-level stages missed, from 款 and 项 evidence.

    - an old 款 that lives on almost verbatim (``LIVES_ON`` of its characters, in order and in
      4-character passages) in a new article outside its article's group, and that its group
      does not hold, went there (反间谍法 2014 第二十七条第二款 → 2023 第五十五条);
    - a 款 or 项 of a new article that its group does not explain, and that comes from an old
      article left without any partner, came from it (网络安全法 2016 第六十四条、第六十六条 →
      2025 第七十一条 (二)、(三) and its last 款).
    Returns the new links (old index, new index).
    """
    exact_old = {i for i, j in al.pairs.items() if al.a[i] == al.b[j]}
    exact_new = {al.pairs[i] for i in exact_old}
    news_of: dict[int, set[int]] = defaultdict(set)
    olds_of: dict[int, set[int]] = defaultdict(set)
    for i, j in edges:
        news_of[i].add(j)
        olds_of[j].add(i)
    new_grams = _Lazy(lambda j: _grams(al.b[j]))
    old_grams = _Lazy(lambda i: _grams(al.a[i]))
    new_df4: Counter = Counter()
    for key in al.b:
        new_df4.update(_grams(key))
    postings: dict[str, set[int]] = defaultdict(set)  # rare 4-character passages → new articles
    for j in range(len(al.b)):
        if j not in exact_new:
            for g in _grams(al.b[j]):
                if new_df4[g] <= RARE_PASSAGE:
                    postings[g].add(j)

    def held(seg: str, text: str, grams: set[str]) -> float:
        return min(LCSseq.similarity(seg, text) / len(seg), _gram_cover(seg, grams))

    old_df: Counter = Counter()
    for key in al.a:
        old_df.update(_grams(key, RARE_GRAM))
    old_rare = _Lazy(lambda i: {g for g in _grams(al.a[i], RARE_GRAM) if old_df[g] <= 2})
    new_rare = _Lazy(lambda j: {g for g in _grams(al.b[j]) if new_df4[g] <= 2})

    links: set[tuple[int, int]] = set()
    for i in range(len(al.a)):
        if i in exact_old:
            continue
        whole = [(seg, LIVES_ON) for seg in _segments(A[i], lines=False)]
        parts = [(seg, ITEM_MOVED) for seg in _segments(A[i], lines=True) if (seg, LIVES_ON) not in whole]
        for seg, least in whole + parts:
            if len(seg) < PARAGRAPH_MIN_CHARS:
                continue
            own = max((held(seg, al.b[j], new_grams[j]) for j in news_of[i]), default=0.0)
            if own >= PARAGRAPH_KEPT:
                continue
            votes: Counter = Counter()
            for g in _grams(seg):
                votes.update(postings.get(g, ()))
            best, best_held = None, 0.0
            for j, _ in votes.most_common(5):
                if j in news_of[i]:
                    continue
                h = held(seg, al.b[j], new_grams[j])
                # the new article's own predecessor held these words too: they stayed, nothing moved
                # (行政许可法 第七十二条（六） and 第三十一条第二款 say the same; 72 deleted is not merged into 31)
                if any(held(seg, al.a[k], old_grams[k]) >= h - STRONG_MARGIN for k in olds_of[j]):
                    continue
                if h > best_held and _gram_cover(seg, new_rare[j]) >= RARE_SHARE:
                    best, best_held = j, h
            if best is not None and best_held >= least and best_held >= own + STRONG_MARGIN:
                links.add((i, best))
    alone = [i for i in range(len(al.a)) if not news_of[i] and len(al.a[i]) >= PARAGRAPH_MIN_CHARS]
    if alone:
        for j in range(len(al.b)):
            if j in exact_new:
                continue
            for seg in _segments(B[j], lines=True):
                if len(seg) < PARAGRAPH_MIN_CHARS:
                    continue
                own = max((held(seg, al.a[i], old_grams[i]) for i in olds_of[j]), default=0.0)
                if own >= PARAGRAPH_KEPT:
                    continue
                scored = sorted(((held(seg, al.a[i], old_grams[i]), i) for i in alone), reverse=True)
                h, i = scored[0]
                runner_up = scored[1][0] if len(scored) > 1 else 0.0
                if (h >= SEGMENT_FROM and h >= own + STRONG_MARGIN and h >= runner_up + STRONG_MARGIN
                        and _gram_cover(seg, old_rare[i], RARE_GRAM) >= RARE_SHARE):
                    links.add((i, j))
    return links


def compare(old, new) -> "Comparison":
    """Align the articles of two versions (``texts.structure.LawText``) of one law."""
    A, B = old.articles, new.articles
    aligner = _Aligner([same_text_key(x.text) for x in A], [same_text_key(x.text) for x in B],
                       [(x.number, x.suffix) for x in A], [(x.number, x.suffix) for x in B])
    aligner.run()
    merged: dict[int, list[int]] = {}
    split: dict[int, list[int]] = {}
    paragraphs = _Lazy(lambda i: _paragraph_keys(A[i]))
    _pieces(aligner, merged, split)
    _paragraph_pieces(aligner, paragraphs, merged, split)
    before = set(aligner.pairs)
    aligner.moved({x for xs in merged.values() for x in xs}, {y for ys in split.values() for y in ys})
    moved = set(aligner.pairs) - before
    if moved:  # an article that moved and changed may also have been split or merged
        _pieces(aligner, merged, split, only=moved)
        _paragraph_pieces(aligner, paragraphs, merged, split, only=moved)

    edges = {(i, j) for i, j in aligner.pairs.items()}
    edges |= {(i, j) for j, xs in merged.items() for i in xs}
    edges |= {(i, j) for i, ys in split.items() for j in ys}
    edges |= _paragraph_links(aligner, A, B, edges)
    groups = _components(edges, len(A), len(B))

    renumbering: dict[tuple[int, int], set[tuple[int, int]]] = defaultdict(set)
    for olds, news in groups:
        for i in olds:
            for j in news:
                renumbering[(A[i].number, A[i].suffix)].add((B[j].number, B[j].suffix))

    matches = []
    for olds, news in _reading_order(groups):
        matches.append(_match(A, B, aligner, olds, news, renumbering))
    return Comparison(
        old_title=getattr(old, "title", ""), new_title=getattr(new, "title", ""),
        old_count=len(A), new_count=len(B), matches=matches,
    )


def _components(edges: set[tuple[int, int]], n_old: int, n_new: int) -> list[tuple[list[int], list[int]]]:
    """Groups of old and new articles joined by links (connected parts), and the articles alone."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in edges:
        a, b = find(("o", i)), find(("n", j))
        if a != b:
            parent[a] = b
    parts: dict[tuple[str, int], tuple[list[int], list[int]]] = {}
    for i in range(n_old):
        parts.setdefault(find(("o", i)), ([], []))[0].append(i)
    for j in range(n_new):
        parts.setdefault(find(("n", j)), ([], []))[1].append(j)
    return [(sorted(olds), sorted(news)) for olds, news in parts.values()]


def _reading_order(groups):
    """New numbering order; a deleted article right after the article that preceded it."""
    new_pos: dict[int, int] = {}
    for olds, news in groups:
        if news:
            for i in olds:
                new_pos[i] = min(news)

    def key(group):
        olds, news = group
        if news:
            return (min(news), 0, min(olds) if olds else -1)
        i = min(olds)
        before = [new_pos[k] for k in new_pos if k < i]
        anchor = new_pos[max(k for k in new_pos if k < i)] if before else -1
        return (anchor, 1, i)

    return sorted(groups, key=key)


def _joined(articles, indices) -> str:
    if len(indices) == 1:
        return articles[indices[0]].text
    return "\n".join(f"{_label(articles[k])}　{articles[k].text}" for k in indices)


def _match(A, B, aligner, olds, news, renumbering) -> ArticleMatch:
    old_labels = [_label(A[i]) for i in olds]
    new_labels = [_label(B[j]) for j in news]
    old_text, new_text = _joined(A, olds), _joined(B, news)
    if not news:
        return ArticleMatch("deleted", old_labels, [], diff=[(-1, old_text)], old_text=old_text)
    if not olds:
        return ArticleMatch("inserted", [], new_labels, diff=[(1, new_text)], new_text=new_text)
    if len(olds) == 1 and len(news) == 1:
        i, j = olds[0], news[0]
        if aligner.a[i] == aligner.b[j]:
            status = "unchanged" if old_labels == new_labels else "renumbered"
            diff = None if status == "unchanged" else [(0, new_text)]
            return ArticleMatch(status, old_labels, new_labels, 1.0, diff=diff,
                                old_text=old_text, new_text=new_text)
        sim = round(_ratio(aligner.a[i], aligner.b[j]), 4)
        return ArticleMatch(
            "modified", old_labels, new_labels, sim, substance(old_text, new_text, renumbering),
            char_diff(old_text, new_text), old_text=old_text, new_text=new_text,
        )
    status = "merged" if len(olds) > 1 else "split"
    sim = round(_ratio(same_text_key("".join(A[i].text for i in olds)),
                       same_text_key("".join(B[j].text for j in news))), 4)
    return ArticleMatch(status, old_labels, new_labels, sim, diff=char_diff(old_text, new_text),
                        old_text=old_text, new_text=new_text)
