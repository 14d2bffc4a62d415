"""A law's level (效力级别), region, status and 施行日期, read from its title and 题注.

The rules are data: ``texts/data/levels.toml``. Evidence in the 题注 (国务院令, 人民代表大会
常务委员会 …) wins over the title; the title decides by its place prefix and suffix otherwise.

>>> infer("中华人民共和国行政处罚法").level
'法律'
>>> infer("道路运输条例").level
'行政法规'
>>> i = infer("上海市住宅物业管理规定", "2004年8月19日 上海市第十二届人民代表大会常务委员会第十四次会议通过")
>>> i.level, i.region
('地方性法规', '上海市')
>>> infer("城市供水条例").region is None
True
"""

from __future__ import annotations

import datetime as _dt
import pathlib
import re
import tomllib
from dataclasses import dataclass
from functools import cache

DATA_FILE = pathlib.Path(__file__).parent / "data" / "levels.toml"


@dataclass(frozen=True)
class Inferred:
    level: str | None
    region: str | None
    status: str | None       # 已废止 when the 题注 says so; None = let the registry decide
    effective: str | None    # 施行日期 YYYY-MM-DD, when the text states one not before 公布日期


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern
    level: str
    place: bool | None


@cache
def _data():
    data = tomllib.loads(DATA_FILE.read_text("utf-8"))

    def rules(key):
        return [_Rule(re.compile(r["pattern"]), r["level"], r.get("place")) for r in data[key]]

    places = data["places"]
    return {
        "note": rules("note"),
        "title": rules("title"),
        "provinces": sorted(places["provinces"], key=len, reverse=True),
        "generic": re.compile(places["generic"]),
        "not_places": tuple(places["not_places"]),
        "repealed": re.compile(data["status"]["repealed"]),
        "eff_note": re.compile(data["effective"]["note"]),
        "eff_article": re.compile(data["effective"]["article"]),
        "order": list(data["order"]["levels"]),
    }


def level_order() -> list[str]:
    """Levels from the highest-ranking down (宪法, 法律, 监察法规, 行政法规, …)."""
    return list(_data()["order"])


def place_of(title: str) -> str | None:
    """The place a title starts with (北京市安全生产条例 → 北京市), or None for a national title.

    >>> place_of("深圳经济特区市容和环境卫生管理条例"), place_of("杭州市城市市容管理条例")
    ('深圳经济特区', '杭州市')
    """
    d = _data()
    for p in d["provinces"]:
        if title.startswith(p):
            return p
    if title.startswith(d["not_places"]):
        return None
    m = d["generic"].match(title)
    return m.group(0) if m else None


def infer(title: str, note: str = "", *, promulgated: str | None = None, last_article: str = "") -> Inferred:
    """Level, region, status and 施行日期 of one text (see the module docstring)."""
    d = _data()
    region = place_of(title)
    level = None
    for rule in d["note"]:
        if _applies(rule, region) and note and rule.pattern.search(note):
            level = rule.level
            break
    if level is None:
        for rule in d["title"]:
            if _applies(rule, region) and rule.pattern.search(title):
                level = rule.level
                break
    status = None
    events = [e for e in re.split(r"[\n\u3000]+", note.strip()) if e.strip()]
    if events and d["repealed"].search(events[-1].strip()):
        status = "已废止"
    return Inferred(level, region, status, _effective(note, last_article, promulgated))


def _applies(rule: _Rule, region: str | None) -> bool:
    return rule.place is None or rule.place == (region is not None)


def _effective(note: str, last_article: str, promulgated: str | None) -> str | None:
    d = _data()
    dates = [_date(m) for m in d["eff_note"].finditer(note or "")]
    if not dates:
        dates = [_date(m) for m in d["eff_article"].finditer(last_article or "")]
    dates = [x for x in dates if x]
    if not dates:
        return None
    best = max(dates)
    if promulgated and best < promulgated:
        return None  # the original law's date, kept in an amended text: not this version's
    return best


def _date(m: re.Match) -> str | None:
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


COVERAGE_LEVELS = ("法律", "行政法规", "地方性法规", "部门规章", "地方政府规章", "规范性文件", "司法解释", "未知")


def guess_level(title: str) -> str:
    """The level a cited title suggests, as one of the eight of the coverage report.

    >>> guess_level("中华人民共和国大气污染防治法"), guess_level("严重违法失信企业名单管理暂行办法")
    ('法律', '部门规章')
    >>> guess_level("广西壮族自治区固定资产投资项目节能审查办法"), guess_level("关于加强执法工作的通知")
    ('地方政府规章', '规范性文件')
    >>> guess_level("刑法修正案（九）"), guess_level("深圳证券交易所股票上市规则（2022年修订）")
    ('法律', '未知')
    >>> guess_level("某某"), guess_level("广东省实施《中华人民共和国环境噪声污染防治法》办法")
    ('未知', '地方性法规')
    """
    cov = _coverage()
    title = _VERSION_NOTE.sub("", title.strip())
    region = place_of(title)
    for rule in cov["before"]:
        if _applies(rule, region) and rule.pattern.search(title):
            return rule.level
    level = infer(title).level
    if level:
        return cov["fold"].get(level, level)
    for rule in cov["after"]:
        if _applies(rule, region) and rule.pattern.search(title):
            return rule.level
    return "未知"


_VERSION_NOTE = re.compile(r"[（(][^）)]*(修订|修正|修改|版)[）)]$")


def levels_of_kind(kind: str) -> tuple[str, ...]:
    """The levels a kind of source (flk, gov_rules …) holds, as the coverage report names them.

    >>> levels_of_kind("gov_rules")
    ('部门规章', '地方政府规章')
    """
    return _coverage()["sources"].get(kind, ())


@cache
def _coverage():
    data = tomllib.loads(DATA_FILE.read_text("utf-8"))["coverage"]
    return {
        "before": [_Rule(re.compile(r["pattern"]), r["level"], r.get("place")) for r in data["before"]],
        "after": [_Rule(re.compile(r["pattern"]), r["level"], r.get("place")) for r in data["after"]],
        "fold": dict(data["fold"]),
        "sources": {k: tuple(v) for k, v in data["sources"].items()},
    }
