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
from functools import cache
from typing import Iterable, Sequence

from texts.numerals import to_chinese, to_int
from texts.provisions import provision

DATA_FILE = pathlib.Path(__file__).resolve().parent / "data" / "powers.toml"


@cache
def rules_version() -> str:
    """A digest of the patterns (``diffing/data/powers.toml``): powers read with other rules are read again."""
    return hashlib.sha256(DATA_FILE.read_bytes()).hexdigest()[:16]

PENALTY = "行政处罚"
COERCION = "行政强制"


@dataclass(frozen=True)
class Authority:
    """One competent authority a clause names: the words, the domain yiju maps, the level."""

    raw: str
    domain: str | None          # 生态环境, 市场监督管理 …; None: nothing yiju can map
    level: str | None           # 县级以上, 设区的市级以上, 省级以上, 国家 …; None: any level
    shared: bool = False        # 生态环境等主管部门 / 按照职责分工: shared with other departments

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
    )


def power_types() -> tuple[str, ...]:
    """The power-list categories in list order (行政许可, 行政处罚, …, 其他行政权力)."""
    return rules().types


# --------------------------------------------------------------------------- authorities

_SPLIT = re.compile(r"、|或者|以及|和|及")
_AUTH_TAIL = re.compile(r"(?:部门|机关|机构|海关|人民政府|海警|执法机构)$")


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
    phrase = phrase.strip()
    level = next((lv for lv, pat in r.levels if pat.search(phrase)), None)
    parts: list[str] = []
    for part in _SPLIT.split(phrase):
        part = part.strip()
        if not part:
            continue
        if parts and len(part) <= 2:          # "部门、机构": 机构 belongs with the part before
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
            if not _AUTH_TAIL.search(part) and not any(d.pattern.search(phrase) for d in r.domains):
                continue                        # 由违法者承担: not an authority at all
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


def _scopes(text: str, aliases: dict[str, str] | None = None) -> tuple[str, list[_Scope]]:
    """The words before the first authority (the violation) and one scope per "由 <authority>".

    ``aliases``: names the law defines for authorities (``defined_authorities``).
    """
    r = rules()
    cuts: list[tuple[int, int, tuple[Authority, ...]]] = []
    for m in re.finditer("由", text):
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
        found = authorities((aliases or {}).get(phrase.strip(), phrase))
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
    v = r.trailing.sub("", v)
    v = re.sub(r"(?:的)$", "", v).strip()
    return v or None


def _item_text(item: str) -> tuple[int | None, str]:
    m = re.match(r"^[（(]\s*([一二三四五六七八九十]+)\s*[）)]\s*", item)
    number = to_int(m.group(1)) if m else None
    body = item[m.end():] if m else item
    body = body.split("\n")[0]
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
                   aliases: dict[str, str] | None = None) -> list[Power]:
    """Every power article ``label`` creates. ``paragraphs``: (款 text, its 项 lines) in order.

    >>> [p.name for p in article_powers("第一百零五条", [("违反本法规定，单位燃用不符合质量标准的煤炭、石油焦的，"
    ...     "由县级以上人民政府生态环境主管部门责令改正，处货值金额一倍以上三倍以下的罚款。", [])])]
    ['对单位燃用不符合质量标准的煤炭、石油焦的行政处罚']
    """
    merged = _merge_cut_paragraphs(paragraphs)
    single = len(merged) == 1
    out: list[Power] = []
    previous: tuple[list[str | None], list[_Scope]] = ([], [])
    for text, items, number in merged:
        para = None if single else number
        head, scopes = _scopes(text, aliases)
        if not scopes and re.search(r"依照前款(?:的)?规定", text) and previous[1]:
            scopes = [_Scope(previous[1][0].authorities, text, None)]
            head = text.split("依照前款")[0]
        if not scopes:
            out += _grants(label, para, text, items)
            previous = ([], [])
            continue
        r = rules()
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
        for scope_no, scope in enumerate(scopes):
            found = measures(scope.text)
            if scope_no == 0:
                # measures after a later "；…的，" without an authority belong to the first scope
                pass
            by_type: dict[str, list[str]] = {}
            for name, kind in found:
                by_type.setdefault(kind, []).append(name)
            for kind, names in by_type.items():
                for item_no, violation in violations:
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
                    name = (f"{lead}{what}的{kind}" if kind == PENALTY
                            else f"{lead}{what}的{kind}（{'、'.join(names)}）")
                    out.append(Power(label, para, item_no if items and im else None, kind, tuple(names),
                                     violation, name, holders, text))
        previous = ([v for _, v in violations], scopes)
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


_SUBJECT = re.compile(r"^(?P<auth>[^，；。]{2,60}?)(?:及其[^，；。]{0,20}?)?(?:和其他[^，；。]{0,40}?)?[，,]?(?:有权|可以|应当|依法|按照|负责|对|组织|会同)")


_COERCED = re.compile(r"对([^，；。]{2,30}?)(?:予以|采取|实施|依法)?(?:查封|扣押|冻结)")


def _grants(label: str, para: int | None, text: str, items: Sequence[str]) -> list[Power]:
    """检查, 许可, 征收, 奖励, 裁决 and 强制 powers of a 款 outside the enforcement clauses."""
    r = rules()
    whole = text + "".join(items)
    out: list[Power] = []
    for sentence in re.split(r"[。]", whole):
        m = _SUBJECT.search(sentence)
        if not m or not _AUTH_TAIL.search(m.group("auth").strip()) or not _is_authority_phrase(m.group("auth")):
            continue
        found = authorities(m.group("auth"))
        if not found:
            continue
        kinds: list[tuple[str, str, str]] = []
        coercive = [n for n, t in measures(sentence) if t == COERCION]
        if coercive:
            kinds.append((COERCION, "、".join(coercive), f"{'、'.join(coercive)}"))
        for g in r.grants:
            if g.pattern.search(sentence):
                om = g.object.search(sentence)
                if not om:
                    continue
                obj = re.sub(r"的$", "", om.group(1).strip(" ，,"))
                kinds.append((g.type, g.type, g.name.format(object=obj)))
        for kind, what, name in kinds:
            if any(p.type == kind for p in out):
                continue
            if kind == COERCION:
                om = _COERCED.search(sentence)
                name = f"对{om.group(1)}的{name}" if om else f"{name}（{label}）"
            out.append(Power(label, para, None, kind, (what,), None, name, found, sentence))
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


def law_powers(articles: Iterable[tuple[str, Sequence[tuple[str, Sequence[str]]]]]) -> list[Power]:
    """Every power of a law: ``articles`` is (label, paragraphs) in order; names the law defines
    for its authorities (``defined_authorities``) are read as what they stand for."""
    articles = list(articles)
    aliases = defined_authorities(articles)
    out: list[Power] = []
    for label, paragraphs in articles:
        out += article_powers(label, paragraphs, aliases)
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
