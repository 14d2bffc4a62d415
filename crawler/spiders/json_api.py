"""A provincial database with a JSON API (kind ``json_api``), read through its profile.

Every configured category (``categories``: the profile's type codes) is listed in pages of
``page_size``; rows not seen before are fetched: the document's file list, then its text file
(Word before PDF). A scanned PDF has no text: the document is recorded as 无正文 (unavailable),
counted, and tried again on a later night — never read as an empty law. A session token the
site sends back with an answer (``Q-Token``) is echoed on later calls.
"""

from __future__ import annotations

from urllib.parse import urlparse

import scrapy

from crawler.items import Listed, VersionItem
from crawler.parse import BadResponse
from crawler.parse.provinces import ApiFile, ApiRow, Call, profile
from crawler.spiders.base import PRIO_LIST, PRIO_STEP, SourceSpider, date_priority
from texts.extract import ExtractionError, TextUnavailable


class JsonApiSpider(SourceSpider):
    name = "json_api"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.base = self.source.base_url.rstrip("/")
        self.profile = profile(self.source.profile)
        self.categories = list(self.source.categories) or list(self.profile.LEVELS)
        self.token: str | None = None
        self.details: dict[str, ApiRow] = {}

    def _request(self, call: Call, callback, errback, *, priority: int, meta: dict, expect: str) -> scrapy.Request:
        return scrapy.Request(call.url, method=call.method, body=call.body, headers=call.headers or {},
                              callback=callback, errback=errback, priority=priority,
                              meta={"expect": expect, **meta}, dont_filter=True)

    # ----- the listing -------------------------------------------------------------------------
    def page_label(self, category, page: int) -> str:
        return f"类别 {category} 第 {page} 页"

    def list_request(self, category: int, page: int) -> scrapy.Request:
        call = self.profile.list_call(self.base, category, page, self.source.page_size, self.token)
        return self._request(call, self.parse_list, self.list_failed, priority=PRIO_LIST,
                             meta={"page": page, "category": category}, expect="json")

    async def start(self):
        self.started = True
        for category in self.categories:
            yield self.list_request(category, 1)

    def parse_list(self, response):
        category, page = response.meta["category"], response.meta["page"]
        try:
            rows, total, token = self.profile.parse_list(response.body, category)
        except BadResponse as exc:
            self.page_failed(self.page_label(category, page), str(exc))
            rows = None
        if rows is not None:
            self.token = token or self.token
            self.page_arrived([Listed(r.source_id, r.title, r.promulgated, r.effective, None, None, r.issuer)
                               for r in rows])
            self.details.update({r.source_id: r for r in rows})
            if page == 1:
                pages = max(1, -(-total // self.source.page_size))
                self.pages_known(category, pages)
                for n in range(2, pages + 1):
                    yield self.list_request(category, n)
        elif page == 1:
            self.pages_known(category, 1)
        if self.listing_done():
            yield from self.finish_listing()

    # ----- one document ------------------------------------------------------------------------
    def fetch(self, row: Listed, listed: bool = True):
        call = self.profile.detail_call(self.base, row.source_id, self.token)
        yield self._request(call, self.parse_detail, self.detail_failed, priority=date_priority(row.promulgated),
                            meta={"source_id": row.source_id, "title": row.title, "prio": date_priority(row.promulgated)},
                            expect="json")

    def parse_detail(self, response):
        meta = response.meta
        row = self.details[meta["source_id"]]
        try:
            files, effective = self.profile.parse_detail(response.body)
        except BadResponse as exc:
            yield self.problem(row.source_id, f"{exc}：{response.url}", title=row.title)
            return
        texts = [f for f in files if f.is_text]
        if not texts:
            yield self.problem(row.source_id, "该文件没有正文附件（只有说明或报告）", state="unavailable", title=row.title)
            return
        yield self.file_request(row, texts, effective, meta["prio"])

    def file_request(self, row: ApiRow, files: list[ApiFile], effective: str | None, prio: int) -> scrapy.Request:
        call = self.profile.file_call(self.base, files[0], self.token)
        return self._request(call, self.parse_file, self.detail_failed, priority=prio + PRIO_STEP,
                             meta={"source_id": row.source_id, "title": row.title, "files": files,
                                   "effective": effective, "prio": prio + PRIO_STEP}, expect="file")

    def parse_file(self, response):
        meta = response.meta
        row = self.details[meta["source_id"]]
        if urlparse(response.url).netloc != urlparse(self.base).netloc and not self.file_host_allowed(response.url):
            yield self.problem(row.source_id, f"下载被重定向到未登记的主机，已拒绝：{response.url}", title=row.title)
            return
        file: ApiFile = meta["files"][0]
        try:
            text = self.extract(response.body, file.name or f"text.{file.ext}")
        except TextUnavailable as exc:
            rest = meta["files"][1:]
            if rest:  # a scanned PDF, and a Word file of the same text: take that one
                yield self.file_request(row, rest, meta["effective"], meta["prio"])
                return
            yield self.problem(row.source_id, f"无正文（{exc}）", state="unavailable", title=row.title)
            return
        except ExtractionError as exc:
            yield self.problem(row.source_id, f"无法读取正文文件：{exc}：{response.url}", title=row.title)
            return
        if not text.startswith(row.title):
            text = f"{row.title}\n{text}"
        yield VersionItem(
            source=self.source.name, source_id=row.source_id, title=row.title, text=text, raw=response.body,
            raw_name=file.name or f"text.{file.ext}", promulgated=row.promulgated,
            effective=row.effective or meta["effective"], status=row.status, level=row.level or self.source.level or None,
            issuer=row.issuer or self.source.issuer or None, region=self.source.region or None,
        )
