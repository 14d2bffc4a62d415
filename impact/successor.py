"""Candidate articles of a successor law for a provision of a repealed one, by text similarity;
and, for the powers a replaced law gave, the power of the successor that is the same violation.

When a law is repealed and replaced (食品卫生法 → 食品安全法, ten environmental laws →
生态环境法典), a department citing the old law needs the article of the new law that now says
the same thing. Nothing records that mapping, so yiju ranks the successor's articles by how much
of their text they share with the cited article: the mean of rapidfuzz's character ratio (order
matters) and the Dice coefficient of character bigrams (order does not; computed by rapidfuzz
too, on bigrams encoded as single characters). Punctuation and white space are ignored.

``match_powers`` pairs powers (``diffing.powers``) of a replaced law with the successor's: see there.

>>> index = SuccessorIndex([("第一条", "禁止生产经营腐败变质的食品。"), ("第二条", "本法自公布之日起施行。")])
>>> [c["label"] for c in index.candidates("禁止生产经营腐败变质、油脂酸败的食品。")]
['第一条']
"""

from __future__ import annotations

import math
import pathlib
import re
import tomllib
from functools import cache
from typing import Iterable

from rapidfuzz import fuzz, process

from diffing.powers import Power
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


# --------------------------------------------------------------------------- the same power, new wording

DATA_FILE = pathlib.Path(__file__).resolve().parent / "data" / "successor.toml"

#: A power of a replaced law and one of its successor are the same violation when their violations
#: share enough of what is particular to them: character bigrams weighted by how rare they are among
#: both laws' violations of that type (log(1 + n/df): "未按照规定", "生态环境主管部门" weigh little),
#: the words the items of one 款 share (their subject, "土壤污染责任人或者土地使用权人") at SHARED_LEAD
#: of that, so the act decides among items of one subject. Of the weighted overlap, recall (share of
#: the old violation the new states) and precision (share of the new the old states) give an
#: F-measure (beta POWER_BETA, the larger of recall- and precision-weighted: the code both adds
#: conditions to a violation, 1165(1) "对…地块，未进行土壤污染状况调查", and drops words from one,
#: 1167(1) "未将土壤污染防治工作方案备案" without "报…主管部门"). Pairs are taken best first, each old
#: provision once; a new provision already taken is taken again only by an old one it states almost
#: whole (recall ≥ MERGED: the code merged them, 土壤污染防治法 第八十六条第（五）（六）项 → 1159(4),
#: 环境影响评价法 第三十一条第一款、第二款 → 1095第一款); so 土壤法 94(1)–(3) no longer go to 94(4)'s
#: 1165(5). A pair scores at least POWER_MIN, or at least POWER_CLEAR when it is the old
#: provision's best by POWER_MARGIN times its runner-up. A new provision whose authorities are all
#: other than the old one's scores OTHER_AUTHORITY of its similarity, and an old power is paired only
#: with the new powers of a provision that share its authority (or where either is unknown).
#: Then an item no pair took may go to its siblings' new 款 (``_by_siblings``); and an old provision
#: the code split into items of one 款 also pairs with the other items of the 款 it went to that state
#: nothing it does not (precision ≥ SPLIT, the new provision not taken: 大气污染防治法 第一百零七条第一款's
#: four acts → 1119(一)–(四), 水污染防治法 第八十五条第（九）项 → 1137(三)(四)).
#: On bench/data/successor_golden.tsv (157 penalty powers of five laws → 生态环境法典, reviewed by
#: reading): 121 right, 0 wrong (the rule before: best by character ratio and Dice ≥ 55, 113 right,
#: 8 wrong); bench/successors.py.
POWER_MIN = 0.5
POWER_CLEAR = 0.45
POWER_MARGIN = 1.6
POWER_BETA = 1.5
SHARED_LEAD = 0.2
MERGED = 0.6
OTHER_AUTHORITY = 0.9
SIBLING_RECALL = 0.5
SPLIT = 0.7


@cache
def _words() -> tuple[tuple[tuple[re.Pattern, str], ...], tuple[tuple[str, str], ...]]:
    data = tomllib.loads(DATA_FILE.read_text("utf-8"))
    return (tuple((re.compile(w["pattern"]), w["same"]) for w in data["same"]),
            tuple((a["one"], a["other"]) for a in data.get("apart", [])))


def plain_violation(text: str) -> str:
    """A violation as compared: ``successor.toml``'s shared words made the same, punctuation gone.

    >>> plain_violation("未依法取得排污许可证排放大气污染物")
    '未依法取得排污许可证排放污染物'
    """
    for pattern, same in _words()[0]:
        text = pattern.sub(same, text)
    return normalise(text)


def _apart(a: str, b: str) -> bool:
    """Whether the two violations name things ``successor.toml`` keeps apart (放射性 / 危险废物)."""
    for one, other in _words()[1]:
        for x, y in ((a, b), (b, a)):
            if one in x and other not in x and other in y and one not in y:
                return True
    return False


def _lead(texts: list[str]) -> int:
    """Length of the beginning all ``texts`` share (the subject of a 款's items)."""
    if len(texts) < 2:
        return 0
    lo, hi = min(texts), max(texts)
    n = 0
    while n < len(lo) and lo[n] == hi[n]:
        n += 1
    return n


class _Provision:
    """The powers of one type at one provision, its violation as compared, and its weighted bigrams."""

    __slots__ = ("basis", "powers", "plain", "lead", "weights", "total", "domains")

    def __init__(self, basis: str, powers: list[Power]):
        self.basis = basis
        self.powers = powers
        self.plain = plain_violation(powers[0].violation or powers[0].text)
        self.lead = 0
        self.weights: dict[str, float] = {}
        self.total = 0.0
        self.domains = {a.domain for p in powers for a in p.authorities if a.domain}

    def grams(self) -> list[str]:
        return [self.plain[i:i + 2] for i in range(len(self.plain) - 1)]

    def weigh(self, idf: dict[str, float]) -> None:
        w: dict[str, float] = {}
        for i, g in enumerate(self.grams()):
            x = idf[g] * (SHARED_LEAD if i + 1 < self.lead else 1.0)
            if x > w.get(g, 0.0):
                w[g] = x
        self.weights, self.total = w, sum(w.values())


def _provisions(powers: Iterable[Power]) -> dict[str, list[_Provision]]:
    """Powers with a violation (or a clause) by type, then by provision."""
    groups: dict[tuple[str, str], list[Power]] = {}
    for p in powers:
        if p.violation or p.text:
            groups.setdefault((p.type, p.basis), []).append(p)
    out: dict[str, list[_Provision]] = {}
    for (kind, basis), ps in groups.items():
        out.setdefault(kind, []).append(_Provision(basis, ps))
    for provs in out.values():
        siblings: dict[tuple, list[_Provision]] = {}
        for pr in provs:
            first = pr.powers[0]
            if first.item is not None:
                siblings.setdefault((first.article, first.paragraph), []).append(pr)
        for group in siblings.values():
            n = _lead([pr.plain for pr in group])
            for pr in group:
                pr.lead = n
    return out


def _similarity(o: _Provision, n: _Provision) -> tuple[float, float, float]:
    """(score 0–1, recall, precision) of an old provision against a new one."""
    common = o.weights.keys() & n.weights.keys()
    if not common or not o.total or not n.total:
        return 0.0, 0.0, 0.0
    inter = sum(min(o.weights[g], n.weights[g]) for g in common)
    r, p = inter / o.total, inter / n.total
    b2 = POWER_BETA ** 2
    score = max((1 + b2) * p * r / (b2 * p + r), (1 + b2) * p * r / (b2 * r + p))
    if o.domains and n.domains and not (o.domains & n.domains):
        score *= OTHER_AUTHORITY
    if _apart(o.plain, n.plain):
        score = 0.0
    return score, r, p


def _same_authority(old: Power, new: Power) -> bool:
    mine = {a.domain for a in old.authorities if a.domain}
    theirs = {a.domain for a in new.authorities if a.domain}
    return not mine or not theirs or bool(mine & theirs)


def match_powers(new: Iterable[Power], old: Iterable[Power]) -> list[tuple[Power, Power, float]]:
    """(old power, new power, score 0–100) for the powers of ONE replaced law (``old``, all of them:
    they compete for the new provisions) that the successor's powers (``new``, all of them, whoever
    holds them) state as the same violation; an old power may pair with several new powers of one
    provision (one per authority it shares), and with several items of one 款 (the code split it).

    >>> def pw(article, item, violation, domain="生态环境"):
    ...     from diffing.powers import Authority
    ...     return Power(article, None, item, "行政处罚", ("罚款",), violation, "", (Authority("x", domain, None),), "")
    >>> new = [pw("第五条", 1, "责任人未按照规定进行调查"), pw("第五条", 2, "责任人未按照规定实施修复"),
    ...        pw("第六条", None, "销售不符合质量标准的煤炭", "市场监督管理"), pw("第七条", None, "单位燃用不符合质量标准的煤炭")]
    >>> old = [pw("第一条", 1, "责任人未按照规定进行调查"), pw("第一条", 2, "责任人未按照规定实施修复"),
    ...        pw("第二条", None, "单位燃用不符合质量标准的煤炭")]
    >>> [(o.basis, n.basis) for o, n, _ in match_powers(new, old)]
    [('第一条第（一）项', '第五条第（一）项'), ('第一条第（二）项', '第五条第（二）项'), ('第二条', '第七条')]
    """
    news_by, olds_by = _provisions(new), _provisions(old)
    out: list[tuple[Power, Power, float]] = []
    for kind, olds in olds_by.items():
        news = news_by.get(kind)
        if not news:
            continue
        df: dict[str, int] = {}
        for pr in news + olds:
            for g in set(pr.grams()):
                df[g] = df.get(g, 0) + 1
        total = len(news) + len(olds)
        idf = {g: math.log(1 + total / c) for g, c in df.items()}
        for pr in news + olds:
            pr.weigh(idf)
        pairs = []
        parts = []
        for i, o in enumerate(olds):
            for j, n in enumerate(news):
                score, recall, precision = _similarity(o, n)
                if score:
                    pairs.append((score, recall, i, j))
                    if precision >= SPLIT:
                        parts.append((precision, score, i, j))
        pairs.sort(key=lambda c: (-c[0], c[2], c[3]))
        best: dict[int, float] = {}
        second: dict[int, float] = {}
        for score, _, i, _ in pairs:
            if i not in best:
                best[i] = score
            elif i not in second:
                second[i] = score
        chosen: dict[int, tuple[int, float]] = {}
        taken: set[int] = set()
        for score, recall, i, j in pairs:
            if i in chosen:
                continue
            if score < POWER_MIN and not (score >= POWER_CLEAR and score == best[i]
                                          and score >= POWER_MARGIN * second.get(i, 0.0)):
                continue
            if j in taken and recall < MERGED:
                continue
            chosen[i] = (j, score)
            taken.add(j)
        _by_siblings(olds, news, pairs, chosen, taken)
        also: list[tuple[int, int, float]] = []         # the items a split old provision became
        for _, score, i, j in sorted(parts, key=lambda c: (-c[0], c[2], c[3])):
            if i in chosen and j not in taken and _place(news[j]) == _place(news[chosen[i][0]]):
                also.append((i, j, score))
                taken.add(j)
        for i, j, score in sorted([(i, j, s) for i, (j, s) in chosen.items()] + also):
            for o in olds[i].powers:
                for n in news[j].powers:
                    if _same_authority(o, n):
                        out.append((o, n, round(score * 100, 1)))
    return out


def _place(pr: _Provision) -> tuple[str, int | None]:
    return pr.powers[0].article, pr.powers[0].paragraph


def _by_siblings(olds: list[_Provision], news: list[_Provision], pairs: list[tuple[float, float, int, int]],
                 chosen: dict[int, tuple[int, float]], taken: set[int]) -> None:
    """An item no pair took goes to an item not taken of the new 款 its sibling items went to, the one
    that states most of it (recall ≥ SIBLING_RECALL): 土壤污染防治法 第九十四条第一款 第（四）（五）项 are
    1165(5)(6), so 第（二）项 未按照规定进行土壤污染风险评估 is 1165(3) "对…地块等，未进行土壤污染风险评估",
    whose conditions the code added make it too unlike by the measure alone."""
    place = _place
    went: dict[tuple, set[tuple]] = {}
    for i, (j, _) in chosen.items():
        if olds[i].powers[0].item is not None:
            went.setdefault(place(olds[i]), set()).add(place(news[j]))
    wanted = []
    for score, recall, i, j in pairs:
        if (i not in chosen and j not in taken and recall >= SIBLING_RECALL and olds[i].powers[0].item is not None
                and news[j].powers[0].item is not None and place(news[j]) in went.get(place(olds[i]), ())):
            wanted.append((recall, score, i, j))
    wanted.sort(key=lambda c: (-c[0], c[2], c[3]))
    for _, score, i, j in wanted:
        if i not in chosen and j not in taken:
            chosen[i] = (j, score)
            taken.add(j)
