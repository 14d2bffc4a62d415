"""国家法律法规数据库 flk.npc.gov.cn — the nightly strategy of DESIGN §4.

1. List everything in large pages (``POST /law-search/search/list``, ``page_size`` rows, the
   configured categories and issuing bodies): ⌈N/page_size⌉ requests.
2. Compare bbbs + sxx with table ``listings``: new ids and ids whose text failed before are
   fetched (``flfgDetails`` → ``download/pc`` → the signed URL on a ``file_hosts`` host, followed
   at once); status flips are recorded; a 3→2 flip whose newer version is not in tonight's
   listing is looked up through ``lsyg``. A row missing from the listing is never a repeal.
3. 修改、废止的决定 records (sxx null) are kept as instruments; so are the amending decisions
   (xgzl) of versions that are news.
"""

from __future__ import annotations

import json
from math import ceil
from urllib.parse import urlencode, urlparse, unquote

import scrapy

from crawler.compare import Plan
from crawler.detect import markers
from texts.extract import ExtractionError, TextUnavailable
from crawler.items import InstrumentItem, Listed, VersionItem
from crawler.parse import BadResponse
from crawler.parse import flk
from crawler.spiders.base import PRIO_LIST, PRIO_STEP, SourceSpider, date_priority
from crawler.detect import describe_failure


def listed(row: flk.ListRow) -> Listed:
    return Listed(row.source_id, row.title, row.promulgated, row.effective, row.status_code,
                  row.category_code, row.issuer, row.kind)


class FlkSpider(SourceSpider):
    name = "flk"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.base = self.source.base_url.rstrip("/")
        self.paths = flk.codes()["paths"]
        self.page_size = self.source.page_size
        self.total: int | None = None

    # ----- requests --------------------------------------------------------------------------
    def _headers(self, referer: str | None = None) -> dict:
        headers = dict(flk.codes()["headers"])
        headers["Origin"] = self.base
        headers["Referer"] = referer or f"{self.base}/search"
        return headers

    def _get(self, path: str, params: dict, callback, *, priority: int, meta: dict, expect: str = "json",
             referer: str | None = None, errback=None) -> scrapy.Request:
        url = f"{self.base}{path}?{urlencode(params)}"
        headers = self._headers(referer)
        if expect != "json":
            headers.pop("Content-Type", None)
        return scrapy.Request(url, callback=callback, errback=errback or self.detail_failed, priority=priority,
                              headers=headers, meta={"expect": expect, **meta}, dont_filter=True)

    def list_request(self, page: int) -> scrapy.Request:
        body = flk.list_body(page, self.page_size, self.source.categories, self.source.issuers)
        return scrapy.Request(
            f"{self.base}{self.paths['list']}", method="POST", body=json.dumps(body, ensure_ascii=False),
            headers=self._headers(), callback=self.parse_list, errback=self.list_failed,
            priority=PRIO_LIST, meta={"expect": "json", "page": page}, dont_filter=True,
        )

    async def start(self):
        self.started = True
        yield self.list_request(1)

    # ----- the listing -----------------------------------------------------------------------
    def parse_list(self, response):
        page = response.meta["page"]
        try:
            parsed = flk.parse_list(response.body)
        except BadResponse as exc:
            self.page_failed(f"第 {page} 页", str(exc))
        else:
            total = parsed.total if page == 1 or self.total is None else self.total
            expected = max(0, min(self.page_size, total - (page - 1) * self.page_size))
            if len(parsed.rows) < expected:
                # an empty or short page is a throttled answer, not the end of the listing
                self.page_failed(f"第 {page} 页", f"只返回了 {len(parsed.rows)} 条，应有 {expected} 条（共 {total} 条）")
            else:
                self.page_arrived([listed(r) for r in parsed.rows])
            if page == 1:
                self.total = parsed.total
                self.pages_expected = max(1, ceil(parsed.total / self.page_size))
                for n in range(2, self.pages_expected + 1):
                    yield self.list_request(n)
        if page == 1 and self.pages_expected is None:
            self.pages_expected = 1
        if self.listing_done():
            yield from self.finish_listing()

    def finish_listing(self):
        if self.total is not None and not self.page_errors:
            unique = len({r.source_id for r in self.rows})
            if unique < self.total:
                self.crawler.stats.set_value("yiju/listing_short", self.total - unique)
                self.logger.warning("listing returned %d distinct rows of %d announced", unique, self.total)
        yield from super().finish_listing()

    # ----- one document ----------------------------------------------------------------------
    def fetch(self, row: Listed, listed: bool = True):
        prio = date_priority(row.promulgated)
        yield self._get(self.paths["detail"], {"bbbs": row.source_id}, self.parse_detail, priority=prio,
                        meta={"source_id": row.source_id, "title": row.title, "row": row, "listed": listed,
                              "prio": prio})

    def after_listing(self, plan: Plan):
        """3 → 2: a newer version exists. When tonight's listing does not show it, ask lsyg."""
        titles = {r.title for r in plan.fetch}
        for flip in plan.flips:
            if flip.old in ("3", "4") and flip.new == "2" and flip.row.title not in titles:
                row = flip.row
                self.crawler.stats.inc_value("yiju/lookups")
                yield self._get(self.paths["detail"], {"bbbs": row.source_id}, self.parse_history,
                                priority=date_priority(row.promulgated),
                                meta={"source_id": row.source_id, "title": row.title, "lookup": True},
                                errback=self.side_failed)

    def parse_history(self, response):
        try:
            detail = flk.parse_detail(response.body, response.meta["source_id"])
        except BadResponse as exc:
            self.fail(response.meta["source_id"], f"查找新版本失败：{exc}")
            return
        for v in detail.versions:
            if v.source_id in self.scheduled or v.source_id in self.known:
                continue
            yield from self.enqueue(Listed(v.source_id, v.title, v.promulgated), listed=False)

    def parse_detail(self, response):
        meta = response.meta
        try:
            detail = flk.parse_detail(response.body, meta["source_id"])
        except BadResponse as exc:
            yield self.problem(meta["source_id"], str(exc), title=meta.get("title"))
            return
        yield from self._file_chain(detail, meta)

    def _file_chain(self, detail: flk.Detail, meta: dict, fmt: str | None = None):
        formats = [f for f, path in (("docx", detail.word_path), ("pdf", detail.pdf_path)) if path]
        if fmt is None:
            if not formats:
                yield from self._no_text(detail, meta, "数据库未提供正文文件（无 Word/PDF）")
                return
            fmt = formats[0]
        yield self._get(self.paths["download"], {"format": fmt, "bbbs": detail.source_id, "fileId": ""},
                        self.parse_download, priority=meta["prio"] + PRIO_STEP,
                        referer=f"{self.base}{self.paths['page']}?id={detail.source_id}",
                        meta={**_chain_meta(meta), "detail": detail, "format": fmt, "formats": formats})

    def parse_download(self, response):
        meta = response.meta
        detail: flk.Detail = meta["detail"]
        try:
            url = flk.parse_download(response.body)
        except BadResponse as exc:
            yield from self._chain_problem(meta, str(exc))
            return
        if url is None:
            rest = [f for f in meta["formats"] if f != meta["format"]]
            if rest and not meta.get("material"):
                yield from self._file_chain(detail, meta, rest[0])
            elif meta.get("material"):
                self.fail(meta["source_id"], f"相关资料《{meta['material'].title}》没有可下载的文件")
            else:
                yield from self._no_text(detail, meta, f"数据库没有 {meta['format']} 格式的正文文件")
            return
        yield from self._follow(url, meta)

    def _follow(self, url: str, meta: dict):
        if not self.file_host_allowed(url):
            host = urlparse(url).netloc
            yield from self._chain_problem(meta, f"下载地址指向未登记的主机 {host}，已拒绝（file_hosts）")
            return
        if self.url_expired(url):
            yield from self._refresh(meta, "签名下载地址在取用前已过期")
            return
        yield scrapy.Request(url, callback=self.parse_file, errback=self.file_failed,
                             priority=meta["prio"] + 2 * PRIO_STEP,
                             meta={**_chain_meta(meta), "detail": meta["detail"], "format": meta["format"],
                                   "formats": meta.get("formats", []), "refreshes": meta.get("refreshes", 0),
                                   "expect": "file", "handle_httpstatus_list": [403, 404]},
                             dont_filter=True)

    def _refresh(self, meta: dict, why: str):
        tries = meta.get("refreshes", 0)
        if tries >= self.crawl_settings.url_refresh:
            yield from self._chain_problem(meta, f"{why}（已重新获取 {tries} 次）")
            return
        self.crawler.stats.inc_value("yiju/url_refreshes")
        params = {"format": meta["format"], "bbbs": meta["detail"].source_id,
                  "fileId": meta["material"].file_id if meta.get("material") else ""}
        yield self._get(self.paths["download"], params, self.parse_download, priority=meta["prio"] + PRIO_STEP,
                        meta={**_chain_meta(meta), "detail": meta["detail"], "format": meta["format"],
                              "formats": meta.get("formats", []), "material": meta.get("material"),
                              "refreshes": tries + 1})

    def file_failed(self, failure):
        if failure.request.meta.get("material"):
            yield from self.side_failed(failure)
        else:
            yield from self.detail_failed(failure)

    def side_failed(self, failure):
        """Errback of requests that are not a listed document's own text (lookups, materials)."""
        self.fail(failure.request.meta.get("source_id") or failure.request.url,
                  f"{describe_failure(failure)}：{failure.request.url}")
        return iter(())

    def _chain_problem(self, meta: dict, why: str):
        if meta.get("material"):
            self.fail(meta["source_id"], f"相关资料《{meta['material'].title}》：{why}")
            return
        yield self.problem(meta["source_id"], why, title=meta.get("title"))

    def parse_file(self, response):
        meta = response.meta
        if not self.file_host_allowed(response.url):  # redirected away from the listed file hosts
            yield from self._chain_problem(meta, f"下载被重定向到未登记的主机 {urlparse(response.url).netloc}，已拒绝（file_hosts）")
            return
        if response.status in (403, 404):
            head = response.body[:2048].decode("utf-8", "replace")
            if any(m in head for m in markers()["expired_markers"]):
                yield from self._refresh(meta, f"文件服务器拒绝了签名下载地址（HTTP {response.status}）")
            else:
                yield from self._chain_problem(meta, f"文件下载失败：HTTP {response.status}：{response.url}")
            return
        name = _file_name(response)
        if meta.get("material"):
            yield from self._material_file(response, name)
            return
        detail: flk.Detail = meta["detail"]
        try:
            text = self.extract(response.body, name)
        except TextUnavailable as exc:
            yield from self._no_text(detail, meta, str(exc), raw=response.body, name=name)
            return
        except ExtractionError as exc:
            yield self.problem(meta["source_id"], f"无法读取正文文件：{exc}", title=meta.get("title"))
            return
        row: Listed = meta["row"]
        if row.kind == "instrument" or flk.is_decision(row.category_code, detail.flxz, detail.status_code):
            yield self._instrument(detail, text, response.body, name, listed=True)
            return
        yield self._version(detail, row, text, response.body, name, meta.get("listed", True))
        if self.is_news(detail.source_id):
            yield from self._materials(detail, meta)

    # ----- items -------------------------------------------------------------------------------
    def _version(self, detail: flk.Detail, row: Listed, text: str, raw: bytes, name: str, listed: bool):
        category = row.category_code
        return VersionItem(
            source=self.source.name, source_id=detail.source_id, title=detail.title, text=text, raw=raw,
            raw_name=name, promulgated=detail.promulgated or row.promulgated,
            effective=detail.effective or row.effective,
            status=flk.status_of(detail.status_code), status_code=detail.status_code,
            level=flk.level_of(category, detail.flxz) or self.source.level or None, category_code=category,
            issuer=detail.issuer or row.issuer, region=self.source.region or None,
            linked_ids=[v.source_id for v in detail.versions if v.source_id != detail.source_id],
            listed=listed,
        )

    def _instrument(self, detail: flk.Detail, text: str | None, raw: bytes | None, name: str | None,
                    listed: bool):
        return InstrumentItem(
            source=self.source.name, source_id=detail.source_id, title=detail.title,
            kind=flk.instrument_kind(detail.title), text=text, raw=raw, raw_name=name,
            promulgated=detail.promulgated, effective=detail.effective, listed=listed,
        )

    def _no_text(self, detail: flk.Detail, meta: dict, why: str, raw: bytes | None = None, name: str | None = None):
        row: Listed = meta["row"]
        if row.kind == "instrument":
            yield self._instrument(detail, None, raw, name, listed=True)
        else:
            yield self.problem(detail.source_id, why, state="unavailable", title=detail.title)

    # ----- related materials (amending decisions) ------------------------------------------
    def _materials(self, detail: flk.Detail, meta: dict):
        wanted = set(self.source.instruments)
        for material in detail.materials:
            if material.kind not in wanted:
                continue
            self.crawler.stats.inc_value("yiju/materials")
            yield self._get(self.paths["material"], {"bbbs": detail.source_id, "fileId": material.file_id},
                            self.parse_material, priority=meta["prio"] + 3 * PRIO_STEP,
                            meta={"source_id": material.file_id, "title": material.title, "detail": detail,
                                  "prio": meta["prio"], "material": material}, errback=self.side_failed)

    def parse_material(self, response):
        meta = response.meta
        try:
            material = flk.parse_material(response.body, meta["material"].file_id)
        except BadResponse as exc:
            self.fail(meta["source_id"], str(exc))
            return
        listed_material = meta["material"]
        fmt = listed_material.file_type or material.file_type or "docx"
        yield self._get(self.paths["download"], {"format": fmt, "bbbs": meta["detail"].source_id,
                                                 "fileId": listed_material.file_id},
                        self.parse_download, priority=meta["prio"] + 3 * PRIO_STEP,
                        meta={**_chain_meta(meta), "detail": meta["detail"], "format": fmt, "formats": [fmt],
                              "material": listed_material})

    def _material_file(self, response, name: str):
        meta = response.meta
        material: flk.Material = meta["material"]
        detail: flk.Detail = meta["detail"]
        try:
            text = self.extract(response.body, name)
        except TextUnavailable:
            text = None
        except ExtractionError as exc:
            self.fail(material.file_id, f"无法读取相关资料《{material.title}》：{exc}")
            return
        yield InstrumentItem(
            source=self.source.name, source_id=material.file_id, title=material.title,
            kind=flk.instrument_kind(material.title) if material.kind in (None, "其他") else material.kind,
            text=text, raw=response.body, raw_name=name, promulgated=detail.promulgated,
            effective=detail.effective, law_source_id=detail.source_id, listed=False,
        )


def _chain_meta(meta: dict) -> dict:
    keep = ("source_id", "title", "row", "listed", "prio", "material")
    return {k: meta[k] for k in keep if k in meta}


def _file_name(response) -> str:
    """The file's name: from Content-Disposition, else from the URL path."""
    disposition = (response.headers.get("Content-Disposition") or b"").decode("utf-8", "replace")
    if "filename=" in disposition:
        name = unquote(disposition.split("filename=", 1)[1].strip().strip('"').strip("'"))
        if name:
            return name
    return unquote(urlparse(response.url).path.rsplit("/", 1)[-1]) or "download"
