"""A provincial list-and-detail site described entirely in configuration (``kind = "html_list"``).

``list_url`` (absolute, or relative to ``base_url``), ``max_pages``, ``next_page`` (a CSS selector
of the next-page link, or a pattern with ``{page}``/``{index}``), and ``selectors`` for the row,
title, link, dates, body and attachment. A page number past the last one (HTTP 404) ends the list.
Each page URL is the record's id; a new URL is fetched and recorded as a version of the law
named by its title (such sites publish each amended text as a new page).
"""

from __future__ import annotations

from urllib.parse import urljoin

import scrapy

from texts.extract import ExtractionError, TextUnavailable
from crawler.items import Listed, VersionItem
from crawler.parse import BadResponse
from crawler.parse import html_list
from crawler.spiders.base import PRIO_LIST, PRIO_STEP, SourceSpider, date_priority, has_articles


class HtmlListSpider(SourceSpider):
    name = "html_list"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        src = self.source
        problems = html_list.check_selectors(src.selectors)
        if problems:
            raise ValueError(f"数据源 {src.name} 的配置有误：" + "；".join(problems))
        self.list_url = urljoin(src.base_url.rstrip("/") + "/", src.list_url)
        self.pattern = src.next_page if ("{page}" in src.next_page or "{index}" in src.next_page) else ""
        self.max_pages = max(1, src.max_pages)

    def list_request(self, url: str, page: int) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_list, errback=self.list_failed, priority=PRIO_LIST - page,
                              meta={"expect": "html", "page": page,
                                    "handle_httpstatus_list": [404] if page > 1 else []}, dont_filter=True)

    async def start(self):
        self.started = True
        self.pages_expected = 1
        yield self.list_request(self.list_url, 1)

    def parse_list(self, response):
        page = response.meta["page"]
        if response.status == 404:          # past the last page: the list has ended
            self.pages_seen += 1
            if self.listing_done():
                yield from self.finish_listing()
            return
        try:
            parsed = html_list.parse_list(response.body, response.url, self.source.selectors, self.source.next_page)
        except BadResponse as exc:
            self.page_failed(f"第 {page} 页", str(exc))
        else:
            self.page_arrived([Listed(r.source_id, r.title, r.promulgated, r.effective) for r in parsed.rows])
            next_url = None
            if page < self.max_pages and parsed.rows:
                next_url = html_list.page_url(self.list_url, self.pattern, page + 1) if self.pattern else parsed.next_url
            if next_url:
                self.pages_expected += 1
                yield self.list_request(next_url, page + 1)
        if self.listing_done():
            yield from self.finish_listing()

    def fetch(self, row: Listed, listed: bool = True):
        prio = date_priority(row.promulgated)
        yield scrapy.Request(row.source_id, callback=self.parse_detail, errback=self.detail_failed, priority=prio,
                             meta={"expect": "html", "source_id": row.source_id, "title": row.title, "row": row,
                                   "prio": prio}, dont_filter=True)

    def parse_detail(self, response):
        row: Listed = response.meta["row"]
        try:
            detail = html_list.parse_detail(response.body, response.url, self.source.selectors)
        except BadResponse as exc:
            yield self.problem(row.source_id, str(exc), title=row.title)
            return
        text = None
        if detail.body_html:
            try:
                text = self.extract(detail.body_html.encode("utf-8"), "body.html")
            except ExtractionError:
                text = None
        if (text is None or not has_articles(text)) and detail.attachments:
            yield scrapy.Request(detail.attachments[0], callback=self.parse_attachment, errback=self.detail_failed,
                                 priority=response.meta["prio"] + PRIO_STEP,
                                 meta={"expect": "file", "source_id": row.source_id, "title": row.title,
                                       "row": row, "detail": detail}, dont_filter=True)
            return
        if text is None:
            yield self.problem(row.source_id, "详情页正文为空", state="unavailable", title=row.title)
            return
        yield self._version(row, detail, text, response.body, "detail.html")

    def parse_attachment(self, response):
        row: Listed = response.meta["row"]
        name = response.url.rsplit("/", 1)[-1]
        try:
            text = self.extract(response.body, name)
        except TextUnavailable as exc:
            yield self.problem(row.source_id, str(exc), state="unavailable", title=row.title)
            return
        except ExtractionError as exc:
            yield self.problem(row.source_id, f"无法读取附件：{exc}", title=row.title)
            return
        yield self._version(row, response.meta["detail"], text, response.body, name)

    def _version(self, row: Listed, detail: html_list.HtmlDetail, text: str, raw: bytes, name: str) -> VersionItem:
        title = row.title or detail.title
        if not text.lstrip().startswith(title):
            text = f"{title}\n{text}"
        src = self.source
        return VersionItem(
            source=src.name, source_id=row.source_id, title=title, text=text, raw=raw, raw_name=name,
            promulgated=row.promulgated, effective=row.effective, status=None, level=src.level or None,
            issuer=src.issuer or None, region=src.region or None,
        )
