"""The powers (职权) a provision creates, in the categories of power lists. Pure: no database.

An enforcement clause names a violation, a competent authority ("由县级以上人民政府生态环境主管部门")
and measures (罚款, 责令停产停业, 查封 …). Each measure has a power type (行政处罚, 行政强制 …); a
clause gives one power per type and authority, and an article whose items (（一）…（N）) are
separate violations gives one power per item, as real power lists do (卫滨区: "以法条规定的逐项条款
列示为具体行政职权"). Articles outside the 法律责任 chapter that give an authority a 检查, 许可,
征收, 奖励 or 裁决 give powers too. Patterns and word lists are in ``diffing/data/powers.toml``,
each with the real article it was drawn from.

>>> ps = article_powers("第九十九条", [("违反本法规定，有下列行为之一的，由县级以上人民政府生态环境主管部门责令改正或者"
...     "限制生产、停产整治，并处十万元以上一百万元以下的罚款：", ["（一）未依法取得排污许可证排放大气污染物的；",
...     "（二）超过大气污染物排放标准排放大气污染物的。"])])
>>> [(p.article, p.paragraph, p.item, p.type) for p in ps]
[('第九十九条', None, 1, '行政处罚'), ('第九十九条', None, 2, '行政处罚')]
>>> ps[0].name
'对未依法取得排污许可证排放大气污染物的行政处罚'
>>> ps[0].authorities[0].domain, ps[0].authorities[0].level
('生态环境', '县级以上')
>>> ps[0].measures
('罚款', '责令停产停业')
"""

from __future__ import annotations

import dataclasses
import hashlib

import pathlib
import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Iterable, Sequence

from texts.numerals import to_chinese, to_int
from texts.provisions import provision

DATA_FILE = pathlib.Path(__file__).resolve().parent / "data" / "powers.toml"


@cache
def rules_version() -> str:
    """A digest of the patterns (``diffing/data/powers.toml``) and of this module: powers read with
    other rules, or by other code, are read again."""
    return hashlib.sha256(DATA_FILE.read_bytes() + pathlib.Path(__file__).read_bytes()).hexdigest()[:16]

PENALTY = "行政处罚"
COERCION = "行政强制"


@dataclass(frozen=True)
class Authority:
    """One competent authority a clause names: the words, the domain yiju maps, the level."""

    raw: str
    domain: str | None          # 生态环境, 市场监督管理 …; None: nothing yiju can map
    level: str | None           # 县级以上, 设区的市级以上, 省级以上, 国家 …; None: any level
    shared: bool = False        # 生态环境等主管部门 / 按照职责分工: shared with other departments
    source: str | None = None   # the article naming it when the clause names none (第七十条: 本法规定的行政处罚由…决定)

    @property
    def known(self) -> bool:
        return self.domain is not None


@dataclass(frozen=True)
class Power:
    """One power as a list would carry it: where it is (条款项), its type, name and holder."""

    article: str
    paragraph: int | None       # 款, 1-based; None when the article has one 款
    item: int | None            # 项, 1-based
    type: str                   # 行政处罚 …
    measures: tuple[str, ...]
    violation: str | None
    name: str
    authorities: tuple[Authority, ...]
    text: str                   # the clause, as the law writes it

    def to_json(self) -> dict:
        """A plain dict; ``Power.from_json`` reads it back (``dataclasses.asdict``'s, made directly:
        asdict's deep copy was a fifth of reading a law's powers in an import's workers)."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["authorities"] = tuple({f.name: getattr(a, f.name) for f in dataclasses.fields(a)}
                                   for a in self.authorities)
        return out

    @classmethod
    def from_json(cls, data: dict) -> "Power":
        """The Power a ``to_json`` dict describes.

        >>> p = Power("第一条", None, None, "行政处罚", ("罚款",), None, "对某行为的行政处罚",
        ...           (Authority("县级以上人民政府生态环境主管部门", "生态环境", "县级以上"),), "……")
        >>> Power.from_json(p.to_json()) == p
        True
        """
        fields = dict(data)
        fields["measures"] = tuple(fields["measures"])
        fields["authorities"] = tuple(Authority(**a) for a in fields["authorities"])
        return cls(**fields)

    @property
    def basis(self) -> str:
        """第九十九条第（一）项 / 第一百零七条第二款 — how a list cites it."""
        return provision(self.article, self.paragraph, self.item)

    @property
    def key(self) -> str:
        """Stable identity within one law: provision, type and authority domains."""
        domains = ",".join(sorted({a.domain or "?" for a in self.authorities}))
        return f"{self.article}|{self.paragraph or 0}|{self.item or 0}|{self.type}|{domains}"


def _cn(n: int) -> str:
    return to_chinese(n)


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class _Measure:
    name: str
    type: str
    pattern: re.Pattern


@dataclass(frozen=True)
class _Grant:
    type: str
    pattern: re.Pattern
    name: str
    object: re.Pattern


@dataclass(frozen=True)
class _Domain:
    domain: str
    pattern: re.Pattern
    unknown: bool


@dataclass(frozen=True)
class _Rules:
    types: tuple[str, ...]
    measures: tuple[_Measure, ...]
    orders: re.Pattern
    grants: tuple[_Grant, ...]
    lead_in: re.Pattern
    items_lead: re.Pattern
    authority_end: re.Pattern
    condition: re.Pattern
    trailing: re.Pattern
    sentence_end: re.Pattern
    back_reference: re.Pattern
    related_in_violation: re.Pattern
    shared_after: re.Pattern
    exception: re.Pattern
    inner_lead_in: re.Pattern
    unit_back: re.Pattern
    other_after_exception: re.Pattern
    persons: re.Pattern
    defined_term: re.Pattern
    domains: tuple[_Domain, ...]
    levels: tuple[tuple[str, re.Pattern], ...]
    attribution: re.Pattern
    detention: str
    attribution_range: re.Pattern
    coercion_attribution: re.Pattern
    competent: re.Pattern
    generic_names: tuple[str, ...]
    clause_start: re.Pattern
    supervisor: re.Pattern
    coercion_lead: re.Pattern
    coercion_verbs: re.Pattern
    coercion_not: re.Pattern
    coercion_trim: re.Pattern
    coercion_head: re.Pattern
    joined: re.Pattern
    only_items: re.Pattern
    continuation: re.Pattern
    generic_violation: re.Pattern


@cache
def rules() -> _Rules:
    data = tomllib.loads(DATA_FILE.read_text("utf-8"))
    c = data["clauses"]
    return _Rules(
        types=tuple(data["types"]["order"]),
        measures=tuple(_Measure(m["name"], m["type"], re.compile(m["pattern"])) for m in data["measures"]),
        orders=re.compile(data["orders"]["pattern"]),
        grants=tuple(_Grant(g["type"], re.compile(g["pattern"]), g["name"], re.compile(g["object"]))
                     for g in data["grants"]),
        lead_in=re.compile(c["lead_in"]),
        items_lead=re.compile(c["items_lead"]),
        authority_end=re.compile(c["authority_end"]),
        condition=re.compile(c["condition"]),
        trailing=re.compile(c["trailing"]),
        sentence_end=re.compile(c["sentence_end"]),
        back_reference=re.compile(c["back_reference"]),
        related_in_violation=re.compile(c["related_in_violation"]),
        shared_after=re.compile(c["shared_after"]),
        exception=re.compile(c["exception"]),
        inner_lead_in=re.compile(c["inner_lead_in"]),
        unit_back=re.compile(c["unit_back"]),
        other_after_exception=re.compile(c["other_after_exception"]),
        persons=re.compile(c["persons"]),
        defined_term=re.compile(c["defined_term"]),
        domains=tuple(_Domain(a["domain"], re.compile(a["pattern"]), bool(a.get("unknown")))
                      for a in data["authorities"]),
        levels=tuple((lv["level"], re.compile(lv["pattern"])) for lv in data["levels"]),
        attribution=re.compile(data["defaults"]["attribution"]),
        detention=data["defaults"]["detention"],
        attribution_range=re.compile(data["defaults"]["range"]),
        coercion_attribution=re.compile(data["defaults"]["coercion_attribution"]),
        competent=re.compile(data["defaults"]["competent"]),
        generic_names=tuple(data["defaults"]["generic_names"]),
        clause_start=re.compile(data["defaults"]["clause_start"]),
        supervisor=re.compile(c["supervisor"]),
        coercion_lead=re.compile(data["coercion"]["lead"]),
        coercion_verbs=re.compile(data["coercion"]["verbs"]),
        coercion_not=re.compile(data["coercion"]["not"]),
        coercion_trim=re.compile(data["coercion"]["trim"]),
        coercion_head=re.compile(data["coercion"]["head"]),
        joined=re.compile(c["joined"]),
        only_items=re.compile(c["only_items"]),
        continuation=re.compile(c["continuation"]),
        generic_violation=re.compile(c["generic_violation"]),
    )


def power_types() -> tuple[str, ...]:
    """The power-list categories in list order (行政许可, 行政处罚, …, 其他行政权力)."""
    return rules().types


# --------------------------------------------------------------------------- authorities

_SPLIT = re.compile(r"、|或者|以及|和|及")
_AUTH_WORDS = re.compile(r"部门|机关|机构|海关|人民政府|海警|公安部(?!门)")
_AUTH_TAIL = re.compile(r"(?:部门|机关|机构|海关|人民政府|海警|执法机构|^公安部)$")


def authorities(phrase: str) -> tuple[Authority, ...]:
    """The authorities one "由 …" phrase names, its level carried to every part.

    >>> [(a.domain, a.level) for a in authorities("县级以上人民政府市场监督管理、生态环境主管部门")]
    [('市场监督管理', '县级以上'), ('生态环境', '县级以上')]
    >>> [(a.domain, a.shared) for a in authorities("县级以上人民政府生态环境等主管部门")]
    [('生态环境', True)]
    >>> [a.domain for a in authorities("县级以上地方人民政府确定的监督管理部门")]
    [None]
    """
    r = rules()
    phrase = re.sub(r"^[^，；。]{0,12}?所在地(?=[^，；。]{2})", "", phrase.strip()).strip("，, ")
    if "，" in phrase or "," in phrase:
        # "税务机关追缴其骗取的退税款，并" (税收征收管理法 第六十六条第一款): the part that names an authority
        named = [seg for seg in re.split(r"[，,]", phrase) if _AUTH_WORDS.search(seg)]
        phrase = named[0] if named else phrase
    ends = list(_AUTH_WORDS.finditer(phrase))
    if ends and ends[-1].end() < len(phrase) and not any(d.pattern.search(phrase[ends[-1].end():]) for d in r.domains):
        # "…主管部门委托他人代为恢复" (湿地保护法 第五十三条), "…行政主管部门或者其委托的单位": up to the last authority word
        phrase = phrase[:ends[-1].end()]   # 建设工程所在地县级以上…
    level = next((lv for lv, pat in r.levels if pat.search(phrase)), None)
    parts: list[str] = []
    kept = {f"\x00{i}\x00": m.group(0) for i, m in enumerate(r.joined.finditer(phrase))}
    for mark, words in kept.items():
        phrase = phrase.replace(words, mark, 1)
    for part in _SPLIT.split(phrase):
        for mark, words in kept.items():
            part = part.replace(mark, words)
        part = part.strip()
        if not part:
            continue
        # "部门、机构": 机构 belongs with the part before; a short name of a department in a list
        # ("公安、教育、卫生健康…等部门", 未成年人保护法 2024 第一百一十九条) is a part of its own
        if parts and len(part) <= 2 and not any(d.pattern.search(part) for d in r.domains if not d.unknown):
            continue
        parts.append(part)
    out: list[Authority] = []
    for part in parts:
        shared = "等" in part
        domain = None
        for d in r.domains:
            if d.pattern.search(part):
                domain = None if d.unknown else d.domain
                break
        else:
            if not _AUTH_TAIL.search(part):
                continue                        # 由违法者承担, 其委托的单位: not an authority at all
        if domain and any(a.domain == domain for a in out):
            continue
        out.append(Authority(part, domain, level, shared))
    return tuple(out)


def _is_authority_phrase(phrase: str) -> bool:
    r = rules()
    return bool(phrase) and (bool(_AUTH_TAIL.search(phrase)) or any(d.pattern.search(phrase) for d in r.domains))


# --------------------------------------------------------------------------- measures


def measures(text: str) -> list[tuple[str, str]]:
    """(measure, type) found in ``text``, in the order of the data file, each once.

    >>> measures("没收违法所得，并处货值金额一倍以上三倍以下的罚款；拒不改正的，责令停业、关闭")
    [('罚款', '行政处罚'), ('没收违法所得', '行政处罚'), ('责令停产停业', '行政处罚'), ('责令关闭', '行政处罚')]
    """
    taken: list[tuple[int, int]] = []
    found: list[tuple[str, str]] = []
    for m in rules().measures:
        for hit in m.pattern.finditer(text):
            if any(s < hit.end() and hit.start() < e for s, e in taken):
                continue
            taken.append(hit.span())
            if (m.name, m.type) not in found:
                found.append((m.name, m.type))
    return found


# --------------------------------------------------------------------------- clauses


@dataclass
class _Scope:
    authorities: tuple[Authority, ...]
    text: str
    condition: str | None
    only: frozenset[str] | None = None      # the measures this holder decides (a law's 第七十条), None: all
    skip: frozenset[str] = frozenset()      # measures another holder decides


@dataclass(frozen=True)
class Default:
    """Who decides the penalties of clauses that name no authority ("责令停止生产、销售，没收…，并处…罚款"):
    a law's own clause ("本法第四十九条至第五十七条…规定的行政处罚由市场监督管理部门决定", 产品质量法
    2018 第七十条), else the authority its general provisions put in charge of the field
    ("县级以上地方各级人民政府公安机关交通管理部门负责本行政区域内的道路交通安全管理工作", 道路交通安全法
    2021 第五条)."""

    authorities: tuple[Authority, ...]
    labels: frozenset[str] | None = None    # the articles it covers; None: the whole law
    measures: frozenset[str] | None = None  # the measures it covers (吊销许可证件 …); None: every other
    competent: bool = False                 # read from the general provisions, not from a clause on penalties


def _article_numbers(text: str) -> frozenset[str]:
    """第四十九条至第五十七条、第六十条 → the labels of those articles."""
    out: set[str] = set()
    for m in rules().attribution_range.finditer(text):
        first = to_int(m.group(1))
        last = to_int(m.group(2)) if m.group(2) else first
        if first is None or last is None or last < first or last - first > 400:
            continue
        out.update(f"第{_cn(n)}条" for n in range(first, last + 1))
    return frozenset(out)


def default_holders(articles: Sequence[tuple[str, Sequence[tuple[str, Sequence[str]]]]] | list,
                    aliases: dict[str, str] | None = None) -> tuple[Default, ...]:
    """Who decides a law's penalties when the clause names no one, most specific first.

    >>> ds = default_holders([("第七十条", [("本法第四十九条至第五十七条规定的行政处罚由市场监督管理部门决定。", [])])])
    >>> [(a.domain, a.source) for a in ds[0].authorities], sorted(ds[0].labels)[:2]
    ([('市场监督管理', '第七十条')], ['第五十一条', '第五十七条'])
    """
    r = rules()
    found: list[Default] = []
    for label, paragraphs in articles:
        for text, items in paragraphs:
            for m in r.attribution.finditer(text):
                phrase = m.group("auth").split("报请")[-1]
                phrase = (aliases or {}).get(phrase.strip(), phrase)
                if not _is_authority_phrase(phrase):
                    continue
                holders = authorities(phrase)
                if not holders:
                    continue
                shared = len(holders) > 1 or bool(r.shared_after.search(text[m.end("auth"):]))
                holders = tuple(dataclasses.replace(a, shared=a.shared or shared, source=label) for a in holders)
                what = m.group("what") or m.group("what_alone") or ""
                named = frozenset(n for n, _ in measures(what)) or None
                labels = _article_numbers(m.group("range")) if m.group("range") else None
                found.append(Default(holders, labels or None, named))
            for m in r.coercion_attribution.finditer(text):
                holders = authorities(m.group("auth"))
                named = frozenset(n for n, _ in measures(m.group("what")))
                if holders and named:
                    shared = len(holders) > 1
                    found.append(Default(tuple(dataclasses.replace(a, shared=a.shared or shared, source=label)
                                               for a in holders), None, named))
    if any(d.measures is None for d in found):
        return tuple(sorted(found, key=lambda d: (d.measures is None, d.labels is None)))
    # the general provisions (the first twenty articles) put one authority in charge; a code that puts
    # several in charge of their fields (生态环境法典 2026 第十七条、第十八条) gives no default
    competent: list[tuple[str, tuple[Authority, ...], bool]] = []
    for label, paragraphs in articles[:20]:
        for text, _ in paragraphs:
            for m in r.competent.finditer(text):
                holders = tuple(a for a in authorities(re.sub(r"会同[^，；。]*$", "", m.group("auth"))) if a.known)
                if holders:
                    competent.append((label, holders, len(holders) > 1))
    if len({tuple(a.domain for a in h) for _, h, _ in competent}) != 1:
        return tuple(found)
    label, holders, shared = competent[0]
    return (*found, Default(tuple(dataclasses.replace(a, shared=a.shared or shared, source=label) for a in holders),
                            competent=True))


def _default_scopes(label: str, text: str, defaults: Sequence[Default]) -> tuple[str, list[_Scope]]:
    """A clause that names no authority: its violation and the holders the law's defaults give."""
    r = rules()
    ends = list(re.finditer(r"的[，,]", text))
    lead = re.match(r"对([^，；。]{2,60})[，,]", text)
    if lead:
        # "对驾驶前款所列机动车上道路行驶的驾驶人，处二百元以上二千元以下罚款" (道路交通安全法 2021 第一百条第二款)
        ends.insert(0, lead)
    ends += list(re.finditer(r"之一者[，,]", text))
    for m in sorted(ends, key=lambda m: m.start()):
        start = r.clause_start.match(text, m.end())
        if not start:
            continue
        head, rest = text[:m.end()], text[m.end():]
        head = re.split(r"(?<=。)", head)[-1] or head      # the sentence of the violation only
        if m is lead:
            head = m.group(1) + "，"
        if all(n == "依法处罚" for n, _ in measures(rest)) and not re.search(r"依照[^，；。]{0,30}?规定", rest):
            # "醉酒的人违反治安管理的，应当给予处罚" (治安管理处罚法 2025 第十五条): who is liable, not a power
            return text, []
        named = start.group("auth")
        if named:
            if not _is_authority_phrase(named):
                return head, []
            found = authorities(named)
            return head, [_Scope(found, rest[len(named):], None)] if found else []
        if re.match(r"[^。；]{0,12}?依照《?(?:中华人民共和国)?治安管理处罚法", rest):
            # "…的，依照《中华人民共和国治安管理处罚法》的规定处罚" (城市市容和环境卫生管理条例 2017 第三十九条): the
            # 公安机关's, whoever holds the law's other penalties (治安管理处罚法 2025 第一百零九条)
            return head, [_Scope(authorities(r.detention), rest, None)]
        mine = [d for d in defaults if d.labels is None or label in d.labels]
        police = {a.domain for a in authorities(rules().detention)}
        if mine and not any(d.measures and "行政拘留" in d.measures for d in mine) and not any(
                police & {a.domain for a in d.authorities} for d in mine):
            mine.insert(0, Default(authorities(rules().detention), None, frozenset({"行政拘留"})))
        specific = frozenset(n for d in mine if d.measures for n in d.measures)
        scopes = [_Scope(d.authorities, rest, None, only=d.measures) for d in mine if d.measures]
        general = next((d for d in mine if not d.measures), None)
        if general is not None:
            scopes.append(_Scope(general.authorities, rest, None, skip=specific))
        return head, scopes
    return text, []


def _scopes(text: str, aliases: dict[str, str] | None = None) -> tuple[str, list[_Scope]]:
    """The words before the first authority (the violation) and one scope per "由 <authority>".

    ``aliases``: names the law defines for authorities (``defined_authorities``).
    """
    r = rules()
    cuts: list[tuple[int, int, tuple[Authority, ...]]] = []
    for m in re.finditer("由", text):
        if text[max(0, m.start() - 1):m.start()] in ("理", "事", "缘") or text[m.end():m.end() + 1] == "于":
            continue    # "无正当理由超过六个月未开业的" (公司法 2023 第二百六十条), 事由, 由于: not an authority
        if re.search(r"(?:法律|法规|中)规定$", text[:m.start()]):
            continue    # "其他法律中规定由公安机关给予行政拘留处罚的，…" (治安管理处罚法 2025 第一百四十一条): a condition
        if text[max(0, m.start() - 1):m.start()] == "除":
            # 除由 X …外，Y 可以…: Y holds what follows
            out = re.compile(r"外[，,]").search(text, m.end())
            om = r.other_after_exception.match(text[out.end():]) if out else None
            if om and _is_authority_phrase(om.group(1)):
                found = authorities(om.group(1))
                if found:
                    cuts.append((out.end(), out.end() + om.end(), found))
            continue
        rest = text[m.end():]
        end = r.authority_end.search(rest)
        phrase = rest[:end.start()] if end else ""
        if not phrase or len(phrase) > 60 or not _is_authority_phrase(phrase):
            continue
        found = authorities(_aliased(phrase.strip(), aliases))
        if not found:
            continue
        if len(found) > 1 or r.shared_after.search(rest[len(phrase):]):
            found = tuple(Authority(a.raw, a.domain, a.level, True) for a in found)
        cuts.append((m.start(), m.end() + len(phrase), found))
    if not cuts:
        return text, []
    head = text[:cuts[0][0]]
    scopes = []
    for i, (start, after, found) in enumerate(cuts):
        end = cuts[i + 1][0] if i + 1 < len(cuts) else len(text)
        before = text[:start]
        cond = None
        if i > 0:
            tail = re.split(r"[；;。]", before)[-1]
            cm = re.search(r"([^，；。]{2,40}?)的[，,]\s*$", tail)
            cond = cm.group(1) if cm else None
        scopes.append(_Scope(found, text[after:end], cond))
    return head, scopes


def _aliased(phrase: str, aliases: dict[str, str] | None) -> str:
    """What a name the law uses for an authority stands for; a bare name with a level of its own keeps the
    level ("省级以上人民政府监督检查部门", 反不正当竞争法 2025 第三十一条)."""
    if not aliases:
        return phrase
    if phrase in aliases:
        return aliases[phrase]
    for name in rules().generic_names:
        if phrase.endswith(name) and phrase != name and name in aliases:
            core = re.sub(r"^(?:县级以上|设区的市级以上|省级以上)?(?:地方)?(?:各级)?人民政府", "", aliases[name])
            return phrase[:-len(name)] + core
    return phrase


def _violation(head: str) -> str | None:
    """The violation named before the authority.

    >>> _violation("企业事业单位违反本法规定，造成水污染事故的，除依法承担赔偿责任外，")
    '企业事业单位造成水污染事故'
    """
    r = rules()
    v = r.lead_in.sub("", head.strip())
    v = r.exception.sub("", v)
    v = r.inner_lead_in.sub("", v)
    v = re.sub(r"[，,]\s*$", "", v)
    v = re.sub(r"除[^，；。]{1,40}?外[，,]?\s*$", "", v)
    v = re.sub(r"^除[^。；]{1,60}?外[，,]", "", v)          # 除前款和本法第一百二十三条…规定的情形外，(食品安全法 2025 第一百二十四条第二款)     # 对负有责任的生产经营单位除要求其…外 (安全生产法 2021 第一百一十四条)
    v = re.sub(r"[，,]\s*$", "", v)
    if "；" in v:
        # "旅馆未按照规定办理外国人住宿登记的，依照…予以处罚；未按照规定向公安机关报送外国人住宿登记信息的，" (出境入境管理法
        # 2012 第七十六条第二款): the violation after the last "；", unless that is only a condition ("造成重大损失的", 消防法
        # 2021 第六十九条第二款): then the one before
        last = re.sub(r"的[，,]?\s*$", "", v.split("；")[-1])
        v = last if len(last) > 10 else v.split("；")[0]
    cut = max(v.rfind("的，"), v.rfind("的,"))
    if cut > 0 and not re.search(r"的\s*$", v):
        # "…收取费用的，退还多收取的费用，并由价格主管部门…" (道路交通安全法 2021 第九十四条第一款): what follows
        # the violation's "的，" is a consequence, not part of it
        v = v[:cut]
    v = r.trailing.sub("", v)
    v = re.sub(r"(?:的)$", "", v).strip()
    if not v:
        # "违反本法第六条规定的，由地方工商行政管理部门…" (商标法 2019 第五十一条): the reference is the violation
        whole = re.sub(r"(?:的)?[，,]\s*$", "", head.strip())
        v = whole if re.match(r"违反本(?:法|条例|规定|办法)第", whole) else ""
    return v or None


def _item_text(item: str) -> tuple[int | None, str]:
    m = re.match(r"^[（(]\s*([一二三四五六七八九十]+)\s*[）)]\s*", item)
    number = to_int(m.group(1)) if m else None
    body = item[m.end():] if m else item
    body = body.split("\n")[0]
    # "（二）未取得道路运输经营许可，擅自从事道路客运经营，违法所得超过2万元的，没收违法所得，处…" (道路运输条例 第六十三条):
    # an item that states its own measures is named by its violation
    cut = re.search(r"的[，,](?=(?:没收|处|并处|责令|吊销|暂扣|给予))", body)
    body = body[:cut.start()] if cut else body
    body = rules().trailing.sub("", body.strip())
    body = re.sub(r"的$", "", body)
    return number, body


def _merge_cut_paragraphs(paragraphs: Sequence[tuple[str, Sequence[str]]]) -> list[tuple[str, list[str], int]]:
    """Join a 款 that does not end a sentence with the next line (texts exported from PDF).

    Returns (text, items, 款 number as the law counts it).
    """
    r = rules()
    out: list[tuple[str, list[str], int]] = []
    pending: tuple[str, list[str], int] | None = None
    number = 0
    for text, items in paragraphs:
        if pending is not None and not pending[1]:
            pending = (pending[0] + text, list(items), pending[2])
        else:
            if pending is not None:
                out.append(pending)
            number += 1
            pending = (text, list(items), number)
        if r.sentence_end.search(pending[0]) or pending[1] or not pending[0]:
            out.append(pending)
            pending = None
    if pending is not None:
        out.append(pending)
    return out


def article_powers(label: str, paragraphs: Sequence[tuple[str, Sequence[str]]],
                   aliases: dict[str, str] | None = None, defaults: Sequence[Default] = ()) -> list[Power]:
    """Every power article ``label`` creates. ``paragraphs``: (款 text, its 项 lines) in order.
    ``defaults``: who decides the penalties of a clause that names no authority (``default_holders``).

    >>> [p.name for p in article_powers("第一百零五条", [("违反本法规定，单位燃用不符合质量标准的煤炭、石油焦的，"
    ...     "由县级以上人民政府生态环境主管部门责令改正，处货值金额一倍以上三倍以下的罚款。", [])])]
    ['对单位燃用不符合质量标准的煤炭、石油焦的行政处罚']
    """
    merged = _merge_cut_paragraphs(paragraphs)
    single = len(merged) == 1
    out: list[Power] = []
    previous: tuple[list[str | None], list[_Scope]] = ([], [])
    held: dict[int, tuple[Authority, ...]] = {}      # 款 number → the authorities its clauses name
    for text, items, number in merged:
        para = None if single else number
        r = rules()
        if r.attribution.search(text):
            continue                # 本法规定的行政处罚由…决定: who decides the others' penalties
        before = [i for i, p in enumerate(out) if p.type == PENALTY and (
            p.paragraph == number - 1 or (p.paragraph is None and number == 2))]
        if (before and "由" not in text and (r.continuation.match(text) or (
                previous[1] and re.search(r"(?<!除)(?:前款|前两款|本条第[^，；。]{1,6}款)", text.split("的，")[0])
                and not (re.search(r"依照(?:前款|本条第)", text)
                         and not [n for n, k in measures(text) if k == PENALTY and n != "依法处罚"])))):
            # "拒不改正的，处…" and "有前款第三项、第四项行为之一的，处…罚款" (水污染防治法 2017 第八十五条第二款;
            # 生态环境法典 2026 第一千一百三十六条第二款): the fines of the items of the 款 before, as lists cite them;
            # not "除前款…规定的情形外，生产经营…的，依照前款规定给予处罚" (食品安全法 2025 第一百二十四条第二款): a
            # violation of its own
            extra = tuple(n for n, _ in measures(text))
            for i in before:
                if out[i].type == PENALTY:
                    out[i] = dataclasses.replace(out[i], measures=tuple(dict.fromkeys(
                        out[i].measures + tuple(n for n in extra if n in {m.name for m in r.measures if m.type == PENALTY})))) 
            continue
        head, scopes = _scopes(text, aliases)
        if scopes and "。" in head.rstrip("。"):
            # "…依法追究刑事责任。情节轻微，未构成犯罪的，由税务机关追缴…" (税收征收管理法 第六十七条): the violation is
            # in the sentence of the authority
            head = re.split(r"(?<=。)", head.rstrip())[-1] or head
        if scopes and defaults:
            # "…的，责令改正，没收违法所得，可以并处…罚款；…情节严重的，…或者由工商行政管理机关吊销营业执照" (价格法
            # 1997 第四十条第一款): the measures before the first 由 are the law's default holder's; when the law has
            # no clause on who decides, the authority this clause names rather than the one in charge of the field
            # ("…没收非法生产、销售的机动车成品及配件，…；有营业执照的，由工商行政管理部门吊销营业执照", 道路交通安全法
            # 2021 第一百零三条第三款: not the 公安机关交通管理部门 of 第五条)
            mine = [d for d in defaults if d.labels is None or label in d.labels]
            named = {a.domain for a in scopes[0].authorities if a.known}
            if (mine and all(d.competent or d.measures for d in mine) and named
                    and not any(named & {a.domain for a in d.authorities} for d in mine if d.competent)):
                mine = [d for d in mine if d.measures] + [Default(scopes[0].authorities)]
            first, before = _default_scopes(label, head, mine)
            if before:
                head, scopes = first, before + scopes
        if not scopes and re.search(r"依照前款(?:的)?规定", text) and previous[1]:
            # the measures are what follows: "…用人单位扣押劳动者档案或者其他物品的，依照前款规定处罚" (劳动合同法 2012
            # 第八十四条第三款) seizes nothing
            after = text[text.index("依照前款"):]
            scopes = [_Scope(sc.authorities, after, None, sc.only, sc.skip) for sc in previous[1]]
            head = text.split("依照前款")[0]
        cited = re.search(r"依照本条第([一二三四五六七八九十]+)款(?:的)?规定(?:予以)?处罚", text)
        if not scopes and cited and held.get(to_int(cited.group(1))):
            # "生产、销售拼装的机动车…的，依照本条第三款的规定处罚" (道路交通安全法 2021 第一百零三条第四款)
            head, scopes = _default_scopes(label, text, [Default(held[to_int(cited.group(1))])])
        if not scopes and defaults:
            head, scopes = _default_scopes(label, text, defaults)
        if scopes and defaults:
            # "给予拘留的行政处罚，由公安机关依照治安管理处罚法的规定决定" (安全生产法 2021 第一百一十五条): a law's
            # clause on who decides a measure holds it in a clause naming another authority too (第一百一十条第一款
            # "由应急管理部门处…罚款，并对逃匿的处十五日以下拘留")
            for d in defaults:
                if not d.measures or d.competent or (d.labels is not None and label not in d.labels):
                    continue
                doms = {a.domain for a in d.authorities}
                for sc in list(scopes):
                    if (sc.only is None and not doms & {a.domain for a in sc.authorities}
                            and not any(o.only == d.measures for o in scopes)):
                        sc.skip = sc.skip | d.measures
                        scopes.append(_Scope(d.authorities, sc.text, sc.condition, only=d.measures))
        scopes = [sc for sc in scopes if not all(r.supervisor.search(a.raw) for a in sc.authorities)]
        if not scopes:
            out += _grants(label, para, text, items)
            previous = ([], [])
            continue
        if (previous[1] and r.unit_back.search(r.lead_in.sub("", head.strip()))
                and all(r.persons.search(sc.text) for sc in scopes)):
            # 双罚: the unit's people punished for the violation of the 款 before belong to its power
            extra = tuple(n for sc in scopes for n, kind in measures(sc.text) if kind == PENALTY)
            before = [i for i, p in enumerate(out) if p.paragraph == number - 1 and p.type == PENALTY]
            if before:
                for i in before:
                    out[i] = dataclasses.replace(out[i], measures=tuple(dict.fromkeys(out[i].measures + extra)))
                continue
        im = r.items_lead.search(head)
        if items and im:
            subject = (r.lead_in.sub("", im.group("subject") or "").strip(" ，,"))
            violations = []
            for i, item in enumerate(items, start=1):
                n, body = _item_text(item)
                violations.append((n or i, f"{subject}{body}" if subject and not body.startswith(subject) else body))
        elif r.back_reference.search(r.lead_in.sub("", head.strip())) and previous[0]:
            violations = [(None, v) for v in previous[0]]
            if len(previous[0]) > 1:
                violations = [(None, f"有第{_cn(number - 1)}款规定情形")]
        else:
            violations = [(None, _violation(head))]
        if all(v and r.generic_violation.match(v) for _, v in violations):
            previous = ([], [])
            continue
        for scope_no, scope in enumerate(scopes):
            found = [(n, k) for n, k in measures(scope.text)
                     if (scope.only is None or n in scope.only) and n not in scope.skip]
            if any(k == PENALTY and n != "依法处罚" for n, k in found):
                found = [(n, k) for n, k in found if n != "依法处罚"]     # "…依法予以处罚" beside the measures
            restricted = r.only_items.search(scope.text)
            if restricted and items and im and not [k for _, k in measures(scope.text[:restricted.start()])
                                                    if k == PENALTY]:
                named = {to_int(n) for n in re.findall(r"第[（(]?([一二三四五六七八九十]+)[）)]?项", restricted.group(1))}
                scope_violations = [(n, v) for n, v in violations if n in named]
            else:
                scope_violations = violations
            by_type: dict[str, list[str]] = {}
            for name, kind in found:
                by_type.setdefault(kind, []).append(name)
            for kind, names in by_type.items():
                grounds = (kind == COERCION and set(by_type) == {COERCION} and items and im
                           and "情形" in im.group(0))
                if grounds:
                    # "有下列情形之一的，可以依法继续盘问" (出境入境管理法 2012 第五十九条第一款): the items are the
                    # grounds of one measure, not separate violations
                    scope_violations = [(None, _violation(head))]
                for item_no, violation in scope_violations:
                    holders = scope.authorities
                    if (violation and all(not a.known for a in holders) and any("有关" in a.raw for a in holders)):
                        rel = r.related_in_violation.search(violation)
                        if rel:
                            named = tuple(Authority(a.raw, a.domain, holders[0].level, True)
                                          for a in authorities(rel.group(1)) if a.known)
                            holders = named or holders
                    what = violation or "违法行为"
                    if scope.condition and scope_no > 0:
                        what = f"{what}（{scope.condition}）"
                    lead = "" if what.startswith("对") else "对"
                    written = r.coercion_verbs.search(scope.text) if kind == COERCION else None
                    if written:
                        # "可以扣留其非机动车" (道路交通安全法 2021 第八十九条) → …的扣留非机动车
                        obj = re.match(r"[^，；。、：:]{0,12}", scope.text[written.end():]).group(0)
                        obj = re.sub(r"^(?:其|该)", "", obj) if re.match(r"^(?:其|该)?[^等的]{1,12}$", obj) else ""
                        obj = "" if re.match(r"^(?:所需|费用|等|措施)", obj) else obj
                        written_name = written.group(0) + obj
                    name = (f"{lead}{what}的{kind}" if kind == PENALTY
                            else f"{lead}{what}的{written_name}" if written
                            else f"{lead}{what}的{kind}（{'、'.join(names)}）")
                    out.append(Power(label, para, item_no if items and im and not grounds else None, kind, tuple(names),
                                     violation, name, holders, text))
        previous = ([v for _, v in violations], scopes)
        held[number] = tuple(dict.fromkeys(a for p in out if p.paragraph == para and p.type == PENALTY
                                           for a in p.authorities))
    return _dedupe(out)


def _dedupe(powers: list[Power]) -> list[Power]:
    """One power per provision, type and authority: a later scope with the same authority merges."""
    seen: dict[tuple, int] = {}
    out: list[Power] = []
    for p in powers:
        key = (p.article, p.paragraph, p.item, p.type, tuple(sorted(a.domain or "?" for a in p.authorities)))
        if key in seen:
            old = out[seen[key]]
            out[seen[key]] = Power(old.article, old.paragraph, old.item, old.type,
                                   tuple(dict.fromkeys(old.measures + p.measures)), old.violation, old.name,
                                   old.authorities, old.text)
            continue
        seen[key] = len(out)
        out.append(p)
    return out


_SUBJECT = re.compile(r"^(?P<auth>[^，；。]{2,60}?)(?:及其[^，；。]{0,20}?)?(?:和其他[^，；。]{0,40}?)?[，,]?"
                      r"(?:有权|可以|应当|依法|按照|负责|对|组织|会同|根据|履行|进行|实施|依据|发现)")


_COERCED = re.compile(r"对([^，；。]{2,60}?)(?:应当|可以)?(?:依法)?(?:予以|采取|实施)?(?:查封|扣押|冻结|扣留)")
# "对用于组织、运送、协助他人非法出境入境的交通运输工具，以及需要作为办案证据的物品，公安机关可以扣押" (出境入境管理法
# 2012 第六十八条第一款): the object before the authority
_COERCED_LEAD = re.compile(r"^对([^。；]{2,80}?)[，,][^，；。]{2,30}?(?:可以|应当|有权)(?:依法)?(?:予以)?(?:先行)?"
                           r"(?:查封|扣押|冻结|扣留)")


# Words without which no pattern of [[grants]] or [coercion] can match (a quick test before them).
_GRANT_WORDS = re.compile(r"检查|许可|批准|审批|核准|征收|缴纳|表彰|奖励|裁决|查封|扣押|冻结|扣留|代为|代履行|拆除|强制|拖移|约束|"
                          r"盘问|审查|遣送|活动范围|停止供电|加处罚款")


def _grants(label: str, para: int | None, text: str, items: Sequence[str]) -> list[Power]:
    """检查, 许可, 征收, 奖励, 裁决 and 强制 powers of a 款 outside the enforcement clauses."""
    r = rules()
    whole = text + "".join(items)
    out: list[Power] = []
    if not _GRANT_WORDS.search(whole):
        return out          # most 款 grant nothing: one search instead of every pattern on every sentence
    for sentence in re.split(r"[。]", whole):
        hits = [g for g in r.grants if g.pattern.search(sentence)]
        found = _subject(sentence) if hits else ()
        if not found:
            continue
        for g in hits:
            if any(p.type == g.type for p in out):
                continue
            om = g.object.search(sentence)
            if not om:
                continue
            obj = re.sub(r"的$", "", om.group(1).strip(" ，,"))
            out.append(Power(label, para, None, g.type, (g.type,), None, g.name.format(object=obj), found, sentence))
    return out + _coercions(label, para, text, items)


_TAIL_WORDS = re.compile(r"部门|机关|机构|海关|人民政府|海警|公安部(?!门)")


@lru_cache(maxsize=8192)
def _subject(sentence: str) -> tuple[Authority, ...]:
    """The authority a sentence starts with ("县级以上人民政府食品安全监督管理部门履行食品安全监督管理职责，有权…"), or
    starts with after its condition ("…可能灭失或者被隐匿的，县级以上人民政府生态环境主管部门…可以…")."""
    if not _TAIL_WORDS.search(sentence):
        return ()
    starts = [0] + [m.end() for m in re.finditer(r"[，,]", sentence)]
    for start in starts[:6]:
        m = _SUBJECT.search(sentence[start:])
        if m and _AUTH_TAIL.search(m.group("auth").strip()) and _is_authority_phrase(m.group("auth")):
            return authorities(m.group("auth"))
    return ()


def _coercion_name(body: str) -> str:
    """A coercive measure named the way lists name it, from the words of the law: the 项 that grants it
    ("查封违法从事生产经营活动的场所"), else "对<object>的查封、扣押"."""
    r = rules()
    body = r.coercion_head.sub("", body.strip())
    parts = [p for p in body.split("；") if r.coercion_verbs.search(p)]
    body = parts[0] if parts else body          # 商标法 2019 第六十二条第一款第（四）项: "检查…物品；对…可以查封或者扣押"
    # "对有证据证明是假冒专利的产品，可以查封或者扣押" (专利法 2020 第六十九条第一款第（五）项) → "…的产品予以查封或者扣押"
    body = re.sub(r"[，,]\s*(?:可以|应当)(?:依法)?(?:予以)?(?=查封|扣押|冻结|扣留)", "予以", body)
    body = r.coercion_trim.sub("", body)
    return body


def _coercions(label: str, para: int | None, text: str, items: Sequence[str]) -> list[Power]:
    """查封, 扣押, 冻结, 代履行 … an authority may take (a 项 of "可以采取下列措施", or a sentence of its
    own), each named from its words. Not: what officials must not do, what was seized before."""
    r = rules()
    out: list[Power] = []
    if not r.coercion_verbs.search(text) and not any(r.coercion_verbs.search(i) for i in items):
        return out
    lead = re.split(r"[。]", text)
    if items and r.coercion_lead.search(lead[-1] if lead[-1].strip() else text) and not r.coercion_not.search(text):
        found = _subject(next((s for s in reversed(lead) if s.strip()), text))
        if found:
            for i, item in enumerate(items, start=1):
                n, body = _item_text(item)
                kinds = [m for m, t in measures(body) if t == COERCION]
                if not kinds or not r.coercion_verbs.search(body) or r.coercion_not.search(body):
                    continue
                out.append(Power(label, para, n or i, COERCION, tuple(kinds), None, _coercion_name(body),
                                 found, item))
            if out:
                return out
    before = ""
    for sentence in re.split(r"(?<=。)", text):
        found = _subject(sentence)
        verbs = r.coercion_verbs.search(sentence)
        if (found and verbs and r.coercion_lead.search(sentence) and not r.coercion_not.search(sentence)
                and not out):
            kinds = [m for m, t in measures(sentence) if t == COERCION]
            written = verbs.group(0)
            om = _COERCED.search(sentence) or _COERCED_LEAD.search(sentence)
            after = re.match(r"([^，；。]{2,40})", sentence[verbs.end():])
            cond = re.search(r"([^，；。]{2,40}?)的[，,]", before + sentence[:verbs.start()])
            if om:
                name = f"对{om.group(1)}的{written}"
            elif after and not re.match(r"等|措施|的|和|及|或", after.group(1)):
                name = _coercion_name(f"{written}{after.group(1)}")
            elif cond:
                name = f"对{r.lead_in.sub('', cond.group(1))}的{written}"
            else:
                name = f"{written}（{label}）"
            out.append(Power(label, para, None, COERCION, tuple(kinds), None, name, found, sentence))
        before += sentence
    return out


def defined_authorities(articles: Iterable[tuple[str, Sequence[tuple[str, Sequence[str]]]]]) -> dict[str, str]:
    """Names a law defines for authorities: "…生态环境主管部门(以下称审批部门)" → {审批部门: …}.

    >>> defined_authorities([("第六条", [("排污单位应当向其生产经营场所所在地设区的市级以上地方人民政府"
    ...     "生态环境主管部门(以下称审批部门)申请取得排污许可证。", [])])])
    {'审批部门': '设区的市级以上地方人民政府生态环境主管部门'}
    """
    r = rules()
    out: dict[str, str] = {}
    for _, paragraphs in articles:
        for text, items in paragraphs:
            whole = text + "".join(items)
            if "以下称" not in whole and "以下简称" not in whole:
                continue    # what the pattern needs, found at C speed (the pattern alone: 2 ms a law)
            for m in r.defined_term.finditer(whole):
                phrase = re.sub(r"^.*?(?=(?:国务院|省|设区的市|县级|地方|[^，；。]{0,6}人民政府))", "", m.group(1))
                if _is_authority_phrase(phrase) and any(a.known for a in authorities(phrase)):
                    out.setdefault(m.group(2), phrase)
    return out


def law_powers(articles: Iterable[tuple[str, Sequence[tuple[str, Sequence[str]]]]],
               labels: set[str] | None = None) -> list[Power]:
    """Every power of a law (of the articles ``labels`` only, when given): ``articles`` is (label,
    paragraphs) in order; names the law defines for its authorities (``defined_authorities``) are
    read as what they stand for, and a clause that names no authority is the one the law puts in
    charge (``default_holders``)."""
    articles = list(articles)
    aliases = defined_authorities(articles)
    defaults = default_holders(articles, aliases)
    competent = [d for d in defaults if d.competent]
    for name in rules().generic_names if competent else ():
        aliases.setdefault(name, competent[0].authorities[0].raw)     # 监督检查部门 (反不正当竞争法 2025)
    out: list[Power] = []
    for label, paragraphs in articles:
        if labels is None or label in labels:
            out += article_powers(label, paragraphs, aliases, defaults)
    return out


def from_structure(article) -> list[Power]:
    """Powers of a ``texts.structure.Article``."""
    return article_powers(article.label, [(p.text, p.items) for p in article.paragraphs])


def level_allows(power_level: str | None, department_level: str | None) -> bool:
    """Whether a department at ``department_level`` (省级/设区的市级/县级/国家) may hold a power given
    to authorities at ``power_level``. Unknown on either side allows.

    >>> level_allows("省级以上", "设区的市级"), level_allows("县级以上", "县级"), level_allows(None, "县级")
    (False, True, True)
    """
    if not power_level or not department_level:
        return True
    order = {"县级": 1, "设区的市级": 2, "省级": 3, "国家": 4}
    dep = order.get(department_level)
    if dep is None:
        return True
    need = {"国家": (4, 4), "省级以上": (3, 4), "设区的市级以上": (2, 4), "设区的市级": (2, 2),
            "县级以上": (1, 4), "县级": (1, 1)}.get(power_level)
    return need is None or need[0] <= dep <= need[1]
