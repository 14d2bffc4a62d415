"""Pages of 国家行政法规库 xzfg.moj.gov.cn (server-rendered HTML, research/sources.md §2.2).

List: ``GET /SearchAdvancedFront?timeliness=1&…&pageNo=N`` — ``li.list-item`` rows, each with
its version chain (``div.incident-record[data-time] > a``, ``a.on`` = this version).
Detail: ``GET /front/law/detail?LawID=N`` — ``div.text-title`` and the body in ``div.law-chapter``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from urllib.parse import parse_qs, urljoin, urlparse

from parsel import Selector

from crawler.parse import BadResponse, iso_date
from crawler.parse.flk import VersionRef, clean_title

TITLE_SUFFIX = re.compile(r"\s*-\s*国家行政法规库\s*$")


@dataclass(frozen=True)
class XzfgRow:
    source_id: str              # LawID
    title: str
    promulgated: str | None
    effective: str | None
    url: str
    versions: list[VersionRef] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class XzfgPage:
    total: int
    pages: int
    rows: list[XzfgRow]

    def to_json(self) -> dict:
        return {"total": self.total, "pages": self.pages, "rows": [r.to_json() for r in self.rows]}


@dataclass(frozen=True)
class XzfgDetail:
    source_id: str
    title: str
    body_html: str
    versions: list[VersionRef] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


def law_id(url: str) -> str | None:
    """The LawID in a detail or download link.

    >>> law_id("https://xzfg.moj.gov.cn/front/law/detail?LawID=1814&Query=")
    '1814'
    """
    values = parse_qs(urlparse(url).query).get("LawID") or parse_qs(urlparse(url).query).get("lawid")
    if values and values[0].isdigit():
        return values[0]
    m = re.search(r"LawID=(\d+)", url, re.IGNORECASE)
    return m.group(1) if m else None


def _text(sel) -> str:
    return clean_title(" ".join(sel.css("::text").getall()))


def _versions(sel, base_url: str) -> list[VersionRef]:
    out, seen = [], set()
    for record in sel.css("div.incident-record"):
        a = record.css("a")
        if not a:
            continue
        href = a.attrib.get("href", "")
        lid = law_id(urljoin(base_url, href))
        if not lid or lid in seen:
            continue
        seen.add(lid)
        current = "on" in (a.attrib.get("class") or "").split()
        out.append(VersionRef(lid, _text(a), iso_date(record.attrib.get("data-time")), current))
    return out


def _hidden_int(sel, ident: str) -> int | None:
    value = sel.css(f"input#{ident}::attr(value)").get()
    return int(value) if value and value.strip().isdigit() else None


def parse_list(data, base_url: str) -> XzfgPage:
    """One page of the advanced search (the listing of regulations in force)."""
    what = "行政法规库列表"
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else (data or "")
    if not text.strip():
        raise BadResponse(f"{what}：返回了空内容")
    sel = Selector(text=text)
    total = _hidden_int(sel, "law-total")
    if total is None:
        raise BadResponse(f"{what}：页面中没有 #law-total（不是检索结果页，页面结构可能已变）")
    pages = _hidden_int(sel, "page-count") or 1
    rows, seen = [], set()
    for item in sel.css("ul.searching-results-list > li.list-item"):
        a = item.css("div.title a")
        if not a:
            continue
        url = urljoin(base_url, a[0].attrib.get("href", ""))
        lid = law_id(url)
        title = _text(a[0])
        if not lid or not title or lid in seen:
            continue
        seen.add(lid)
        rows.append(XzfgRow(
            source_id=lid,
            title=title,
            promulgated=iso_date(" ".join(item.css("li.publish-date ::text").getall())),
            effective=iso_date(" ".join(item.css("li.implemented-date ::text, li.implement-date ::text").getall())),
            url=url,
            versions=_versions(item, base_url),
        ))
    if total and not rows:
        raise BadResponse(f"{what}：共 {total} 条，但本页没有解析出任何条目（页面结构可能已变）")
    return XzfgPage(total=total, pages=pages, rows=rows)


def parse_detail(data, url: str) -> XzfgDetail:
    """A regulation's page: title, body HTML and version chain."""
    what = f"行政法规详情 {url}"
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else (data or "")
    if not text.strip():
        raise BadResponse(f"{what}：返回了空内容")
    sel = Selector(text=text)
    body = sel.css("div.law-chapter")
    if not body:
        raise BadResponse(f"{what}：页面中没有正文（div.law-chapter）")
    title = _text(sel.css("div.text-title")) if sel.css("div.text-title") else ""
    if not title:
        title = clean_title(TITLE_SUFFIX.sub("", sel.css("title::text").get() or ""))
    if not title:
        raise BadResponse(f"{what}：页面中没有标题")
    return XzfgDetail(source_id=law_id(url) or "", title=title, body_html=body[0].get(),
                      versions=_versions(sel, url))
