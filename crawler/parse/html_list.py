"""A list-and-detail web site described entirely by configuration (``kind = "html_list"``).

Selectors are CSS (with parsel's ``::text`` / ``::attr(name)``), or XPath when written
``xpath:…``. Row-level selectors (title, link, promulgated, effective) are relative to a row.

>>> page = parse_list(b'<ul class="r"><li><a href="a/1.html" title="T">T</a></li><li>2024-01-02</li></ul>',
...                   "https://x.cn/list/", {"row": "ul.r", "title": "a::attr(title)", "link": "a::attr(href)",
...                                          "promulgated": "xpath:./li[2]/text()"})
>>> page.rows[0].url, page.rows[0].promulgated
('https://x.cn/list/a/1.html', '2024-01-02')
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from urllib.parse import urljoin

from parsel import Selector

from crawler.parse import BadResponse, iso_date
from crawler.parse.flk import clean_title

ROW_KEYS = ("title", "link", "promulgated", "effective")
REQUIRED = ("row", "title", "link", "body")
KNOWN = ("row", "title", "link", "promulgated", "effective", "body", "attachment", "detail_title")


@dataclass(frozen=True)
class HtmlRow:
    source_id: str              # the absolute detail URL
    title: str
    promulgated: str | None
    effective: str | None
    url: str

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class HtmlPage:
    rows: list[HtmlRow]
    next_url: str | None        # from a next-page selector, when one is configured

    def to_json(self) -> dict:
        return {"rows": [r.to_json() for r in self.rows], "next_url": self.next_url}


@dataclass(frozen=True)
class HtmlDetail:
    title: str | None
    body_html: str | None
    attachments: list[str]

    def to_json(self) -> dict:
        return asdict(self)


def check_selectors(selectors: dict[str, str]) -> list[str]:
    """Problems with a configured selector table (empty when it can be used)."""
    problems = [f"缺少 selectors.{k}" for k in REQUIRED if not selectors.get(k)]
    problems += [f"未知的 selectors.{k}（可用：{', '.join(KNOWN)}）" for k in selectors if k not in KNOWN]
    for key, value in selectors.items():
        try:
            _select(Selector(text="<html></html>"), value)
        except Exception as exc:  # cssselect / lxml raise several kinds
            problems.append(f"selectors.{key} = {value!r} 无法解析（{exc}）")
    return problems


def _select(sel, expr: str):
    expr = expr.strip()
    if expr.startswith("xpath:"):
        return sel.xpath(expr[len("xpath:"):].strip())
    return sel.css(expr)


def _first_text(sel, expr: str | None) -> str:
    if not expr:
        return ""
    found = _select(sel, expr)
    if not found:
        return ""
    first = found[0]
    if isinstance(first.root, str):      # ::text, ::attr(…), text() or @attr
        return first.root
    return " ".join(first.xpath(".//text()").getall())


def parse_list(data, url: str, selectors: dict[str, str], next_page: str = "") -> HtmlPage:
    """One list page: its rows and, when ``next_page`` is a selector, the next page's URL."""
    what = f"列表页 {url}"
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else (data or "")
    if not text.strip():
        raise BadResponse(f"{what}：返回了空内容")
    sel = Selector(text=text)
    rows, seen = [], set()
    for row in _select(sel, selectors["row"]):
        link = _first_text(row, selectors["link"]).strip()
        title = clean_title(_first_text(row, selectors["title"]))
        if not link or not title:
            continue
        absolute = urljoin(url, link)
        if absolute in seen:
            continue
        seen.add(absolute)
        rows.append(HtmlRow(
            source_id=absolute,
            title=title,
            promulgated=iso_date(_first_text(row, selectors.get("promulgated"))),
            effective=iso_date(_first_text(row, selectors.get("effective"))),
            url=absolute,
        ))
    next_url = None
    if next_page and "{page}" not in next_page and "{index}" not in next_page:
        href = _first_text(sel, next_page if "::attr" in next_page or next_page.startswith("xpath:")
                           else next_page + "::attr(href)").strip()
        next_url = urljoin(url, href) if href else None
    return HtmlPage(rows=rows, next_url=next_url)


def page_url(list_url: str, pattern: str, page: int) -> str:
    """The URL of page ``page`` (1 = the list URL itself) from a ``{page}``/``{index}`` pattern.

    >>> page_url("https://www.bjrd.gov.cn/rdzl/dfxfgk/dfxfg/", "index_{index}.html", 2)
    'https://www.bjrd.gov.cn/rdzl/dfxfgk/dfxfg/index_1.html'
    """
    if page <= 1:
        return list_url
    return urljoin(list_url, pattern.format(page=page, index=page - 1))


def parse_detail(data, url: str, selectors: dict[str, str]) -> HtmlDetail:
    """A detail page: the body HTML (first match of ``body``) and attachment links."""
    what = f"详情页 {url}"
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else (data or "")
    if not text.strip():
        raise BadResponse(f"{what}：返回了空内容")
    sel = Selector(text=text)
    found = _select(sel, selectors["body"])
    body = found[0].get() if found else None
    attachments = []
    if selectors.get("attachment"):
        for value in _select(sel, selectors["attachment"]):
            href = value.get() if isinstance(value.root, str) else value.attrib.get("href")
            if href:
                attachments.append(urljoin(url, href.strip()))
    title = clean_title(_first_text(sel, selectors.get("detail_title"))) or None
    if body is None and not attachments:
        raise BadResponse(f"{what}：没有找到正文（selectors.body = {selectors['body']!r}）也没有附件")
    return HtmlDetail(title=title, body_html=body, attachments=attachments)
