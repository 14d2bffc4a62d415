"""国家行政法规库 xzfg.moj.gov.cn: server-rendered pages of the administrative regulations in force.

The listing (``SearchAdvancedFront?timeliness=1``) shows only regulations in force, each with
its version chain; a LawID not seen before is fetched from its page (``div.law-chapter``).
This source has no explicit status: it never reports a repeal (a regulation that disappears
from the listing is only counted as missing).
"""

from __future__ import annotations

from urllib.parse import urlencode

import scrapy

from texts.extract import ExtractionError, TextUnavailable
from crawler.items import Listed, VersionItem
from crawler.parse import BadResponse
from crawler.parse import xzfg
from crawler.spiders.base import PRIO_LIST, SourceSpider, date_priority


class XzfgSpider(SourceSpider):
    name = "xzfg"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.base = self.source.base_url.rstrip("/")
        self.versions: dict[str, list[str]] = {}

    def list_request(self, page: int) -> scrapy.Request:
        params = {"title": "", "timeliness": "1", "sortField": "PublishTime", "ascOrDesc": "desc",
                  "pageNo": str(page)}
        return scrapy.Request(f"{self.base}/SearchAdvancedFront?{urlencode(params)}", callback=self.parse_list,
                              errback=self.list_failed, priority=PRIO_LIST,
                              meta={"expect": "html", "page": page}, dont_filter=True)

    async def start(self):
        self.started = True
        yield self.list_request(1)

    def parse_list(self, response):
        page = response.meta["page"]
        try:
            parsed = xzfg.parse_list(response.body, response.url)
        except BadResponse as exc:
            self.page_failed(f"第 {page} 页", str(exc))
        else:
            rows = []
            for r in parsed.rows:
                self.versions[r.source_id] = [v.source_id for v in r.versions if v.source_id != r.source_id]
                rows.append(Listed(r.source_id, r.title, r.promulgated, r.effective))
            self.page_arrived(rows)
            if page == 1:
                self.pages_expected = max(1, parsed.pages)
                for n in range(2, self.pages_expected + 1):
                    yield self.list_request(n)
        if page == 1 and self.pages_expected is None:
            self.pages_expected = 1
        if self.listing_done():
            yield from self.finish_listing()

    def fetch(self, row: Listed, listed: bool = True):
        yield scrapy.Request(f"{self.base}/front/law/detail?LawID={row.source_id}", callback=self.parse_detail,
                             errback=self.detail_failed, priority=date_priority(row.promulgated),
                             meta={"expect": "html", "source_id": row.source_id, "title": row.title, "row": row},
                             dont_filter=True)

    def parse_detail(self, response):
        row: Listed = response.meta["row"]
        try:
            detail = xzfg.parse_detail(response.body, response.url)
        except BadResponse as exc:
            yield self.problem(row.source_id, str(exc), title=row.title)
            return
        try:
            text = self.extract(detail.body_html.encode("utf-8"), "detail.html")
        except TextUnavailable as exc:
            yield self.problem(row.source_id, str(exc), state="unavailable", title=row.title)
            return
        except ExtractionError as exc:
            yield self.problem(row.source_id, f"无法读取正文：{exc}", title=row.title)
            return
        if not text.startswith(detail.title):
            text = f"{detail.title}\n{text}"
        linked = [v.source_id for v in detail.versions if v.source_id != row.source_id]
        yield VersionItem(
            source=self.source.name, source_id=row.source_id, title=detail.title or row.title, text=text,
            raw=response.body, raw_name="detail.html", promulgated=row.promulgated, effective=row.effective,
            status=None, level=self.source.level or "行政法规", issuer=self.source.issuer or "国务院",
            region=self.source.region or None,
            linked_ids=linked or self.versions.get(row.source_id, []),
        )
