"""Candidate articles of a successor law for a provision of a repealed one, by text similarity.

When a law is repealed and replaced (食品卫生法 → 食品安全法, ten environmental laws →
生态环境法典), a department citing the old law needs the article of the new law that now says
the same thing. Nothing records that mapping, so yiju ranks the successor's articles by how much
of their text they share with the cited article: the mean of rapidfuzz's character ratio (order
matters) and the Dice coefficient of character bigrams (order does not; computed by rapidfuzz
too, on bigrams encoded as single characters). Punctuation and white space are ignored.

>>> index = SuccessorIndex([("第一条", "禁止生产经营腐败变质的食品。"), ("第二条", "本法自公布之日起施行。")])
>>> [c["label"] for c in index.candidates("禁止生产经营腐败变质、油脂酸败的食品。")]
['第一条']
"""

from __future__ import annotations

import re
from typing import Iterable

from rapidfuzz import fuzz, process

from registry import laws as law_store
from texts.numerals import to_chinese

#: How many candidates a flag suggests, and the lowest score (0–100) worth showing: below it the
#: successor has no corresponding provision (未找到对应条文), and listing unrelated ones misleads.
LIMIT = 3
MIN_SCORE = 30.0
#: A candidate much weaker than the best one is not worth showing either (this share of its score).
RELATIVE = 0.8
#: Characters of an article's text kept in a suggestion (the whole text is in the registry).
EXCERPT = 120

_NOISE = re.compile(r"[\s\u3000，。、；：？！“”‘’（）()《》〈〉【】,.;:?!\"'\[\]—…-]+")


def normalise(text: str) -> str:
    """Text without punctuation and white space: what similarity is measured on.

    >>> normalise("第一款，（一）  禁止。")
    '第一款一禁止'
    """
    return _NOISE.sub("", text or "")


class SuccessorIndex:
    """The articles of one version of a successor law, ready to be searched.

    ``articles`` is (label, text) pairs in order. ``candidates(text)`` returns the best matches,
    best first, as {"label", "score", "text"} (score 0–100, one decimal; text an excerpt).
    """

    def __init__(self, articles: Iterable[tuple[str, str]]):
        self.labels: list[str] = []
        self.texts: list[str] = []
        plain: list[str] = []
        self._codes: dict[str, str] = {}
        grams: list[str] = []
        for label, text in articles:
            self.labels.append(label)
            self.texts.append(text)
            p = normalise(text)
            plain.append(p)
            grams.append(self._bigrams(p, grow=True))
        self._plain = plain
        self._grams = grams

    def __len__(self) -> int:
        return len(self.labels)

    def _bigrams(self, plain: str, *, grow: bool) -> str:
        """The set of character bigrams of ``plain`` as one sorted string, a character per bigram.

        rapidfuzz's ratio on two such strings is 2·|A∩B| / (|A|+|B|): the Dice coefficient.
        Bigrams the successor never uses still count in the query's size but match nothing.
        """
        known: set[str] = set()
        unseen: set[str] = set()
        for i in range(len(plain) - 1):
            gram = plain[i:i + 2]
            code = self._codes.get(gram)
            if code is None:
                if not grow:
                    unseen.add(gram)
                    continue
                code = chr(0x10000 + len(self._codes))  # planes 1–14: room for 917,000 bigrams
                self._codes[gram] = code
            known.add(code)
        return "".join(sorted(known)) + "".join(chr(0xF0000 + i) for i in range(min(len(unseen), 0xFFFD)))

    def candidates(self, text: str, limit: int = LIMIT, min_score: float = MIN_SCORE) -> list[dict]:
        """The successor's articles most like ``text``, best first (ties: earlier article first)."""
        plain = normalise(text)
        if not plain or not self.labels:
            return []
        grams = self._bigrams(plain, grow=False)
        pool = max(limit * 10, 30)
        scores: dict[int, float] = {}
        by_ratio = process.extract(plain, self._plain, scorer=fuzz.ratio, limit=pool)
        by_dice = process.extract(grams, self._grams, scorer=fuzz.ratio, limit=pool)
        for _, _, i in by_ratio + by_dice:
            if i not in scores:
                ratio = fuzz.ratio(plain, self._plain[i])
                dice = fuzz.ratio(grams, self._grams[i])
                scores[i] = (ratio + dice) / 2
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        out = []
        floor = max(min_score, ranked[0][1] * RELATIVE) if ranked else min_score
        for i, score in ranked[:limit]:
            if score < floor:
                break
            excerpt = self.texts[i]
            if len(excerpt) > EXCERPT:
                excerpt = excerpt[:EXCERPT] + "……"
            out.append({"label": self.labels[i], "score": round(score, 1), "text": excerpt})
        return out


def index_for_version(db, version_id: int) -> SuccessorIndex:
    """A SuccessorIndex over the articles of one registry version."""
    return SuccessorIndex(law_store.article_texts(db, version_id))


def provisions_index_for_version(db, version_id: int) -> SuccessorIndex:
    """A SuccessorIndex over the 款 and 项 of one registry version (labels 第X条第Y款第（Z）项;
    an article of one 款 is labelled by the article alone)."""
    return SuccessorIndex(provision_texts(law_store.articles_of(db, version_id)))


def provision_texts(articles: Iterable[dict]) -> list[tuple[str, str]]:
    """(label, text) of every 款 and 项 of articles as the registry stores them.

    >>> provision_texts([{"label": "第二条", "paragraphs": [{"text": "甲：", "items": ["（一）乙；"]}, {"text": "丙。", "items": []}]}])
    [('第二条第一款', '甲：（一）乙；'), ('第二条第一款第（一）项', '（一）乙；'), ('第二条第二款', '丙。')]
    """
    out = []
    for a in articles:
        paragraphs = a["paragraphs"]
        for k, p in enumerate(paragraphs, start=1):
            label = a["label"] if len(paragraphs) == 1 else f"{a['label']}第{to_chinese(k)}款"
            out.append((label, p["text"] + "".join(p["items"])))
            for z, item in enumerate(p["items"], start=1):
                out.append((f"{label}第（{to_chinese(z)}）项", item))
    return out


def cited_text(db, version_id: int | None, label: str, paragraph: int | None, item: int | None) -> str | None:
    """The text a citation names in a version: the article, its 第Y款, or that 款's 第（Z）项."""
    if not version_id:
        return None
    article = law_store.article(db, version_id, label)
    if article is None:
        return None
    paragraphs = article["paragraphs"]
    if paragraph is None and item is None:
        return article["text"]
    k = (paragraph or 1) - 1
    if not 0 <= k < len(paragraphs):
        return article["text"]
    p = paragraphs[k]
    if item is not None and 1 <= item <= len(p["items"]):
        return p["items"][item - 1]
    return p["text"] + "".join(p["items"])
