"""What every yiju spider shares: its source settings, the night's listing, failures, extraction.

A spider reads the whole listing first. Only when every list page arrived intact is the listing
compared with the registry (``crawler.compare``) and stored; a night whose listing is incomplete
changes nothing and marks the source unhealthy.
"""

from __future__ import annotations

import datetime as _dt
import logging
import re
from collections import deque
from urllib.parse import parse_qs, urlparse

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider

from config.settings import CrawlSettings, SourceSettings
from registry import listings
from crawler.compare import Known, Plan, compare
from crawler.detect import describe_failure
from crawler.items import DetailProblem, Listed, ListingItem
from registry.schema import connect
from texts.extract import extract_text

log = logging.getLogger(__name__)

#: Scheduling: list pages first, then each document's chain (detail → download → file) before the
#: next document, newest documents first (so older texts arrive as history, not as amendments).
PRIO_LIST = 1_000_000_000
PRIO_STEP = 100_000_000

_ARTICLE = re.compile(r"第[一二三四五六七八九十百千零〇两\d]+条")


def date_priority(date: str | None) -> int:
    """Newer 公布日期 → higher priority (YYYYMMDD as a number)."""
    digits = re.sub(r"\D", "", date or "")
    return int(digits[:8]) if len(digits) >= 8 else 0


def has_articles(text: str) -> bool:
    return bool(_ARTICLE.search(text or ""))


class SourceSpider(scrapy.Spider):
    """Base of every source's spider (flk, xzfg, gov_rules, json_api, html_list)."""

    name = "yiju"

    def __init__(self, source: SourceSettings, crawl: CrawlSettings, registry: str, run_id: int | None = None,
                 **kwargs):
        super().__init__(name=source.name, **kwargs)
        self.source = source
        self.crawl_settings = crawl
        self.registry = registry
        self.run_id = run_id
        self.failures: list[tuple[str, str]] = []
        self.started = False
        self.rows: list[Listed] = []
        self.pages_expected: int | None = None
        self.pages_seen = 0
        self.categories: list = []                   # parts paged on their own (empty: one listing)
        self.first_pages: dict = {}                  # category → its page count, once its page 1 is in
        self.page_errors: list[str] = []
        self.scheduled: set[str] = set()
        self.known: dict[str, Known] = {}
        self.baseline: int | None = None
        self.plan: Plan | None = None
        self.queue: deque[tuple[Listed, bool]] = deque()
        self.in_flight: set[str] = set()
        self.window = max(1, source.concurrency)
        self.documents = 0
        self.failed_in_a_row = 0

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(spider.document_done, signal=signal)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        return spider

    # ----- registry state at the start ----------------------------------------------------
    def load_state(self) -> None:
        db = connect(self.registry)
        try:
            self.known = listings.known(db, self.source.name)
            self.baseline = listings.baseline_run(db, self.source.name)
        finally:
            db.close()

    def is_news(self, source_id: str) -> bool:
        """Whether a document is news (the source had a baseline before it was first listed)."""
        if self.baseline is None:
            return False
        before = self.known.get(source_id)
        return before is None or before.first_seen_run != self.baseline

    # ----- failures ------------------------------------------------------------------------
    def fail(self, where: str, why: str) -> None:
        """Something of this source failed tonight: the source is unhealthy for the run."""
        log.warning("%s: %s: %s", self.source.name, where, why)
        self.failures.append((where, why))

    def problem(self, source_id: str, why: str, *, state: str = "failed", title: str | None = None) -> DetailProblem:
        if state == "failed":
            self.fail(source_id, why)
        return DetailProblem(self.source.name, source_id, state, why, title)

    def detail_failed(self, failure):
        """Errback of every request in a document's chain."""
        request = failure.request
        source_id = request.meta.get("source_id") or request.url
        yield self.problem(source_id, f"{describe_failure(failure)}：{request.url}",
                           title=request.meta.get("title"))

    # ----- the listing ---------------------------------------------------------------------
    def page_arrived(self, rows: list[Listed]) -> None:
        self.rows.extend(rows)
        self.pages_seen += 1

    def page_failed(self, where: str, why: str) -> None:
        self.page_errors.append(f"{where}：{why}")
        self.pages_seen += 1

    def page_label(self, category, page: int) -> str:
        """How a person reads a list page's place: 第 2 页, or 部门规章 第 2 页 in a listing by category."""
        return f"第 {page} 页" if category is None else f"{category} 第 {page} 页"

    def pages_known(self, category, pages: int) -> None:
        """Page 1 (of ``category``, in a listing by category) says how many pages there are."""
        if category is None:
            self.pages_expected = pages
        else:
            self.first_pages[category] = pages

    def list_failed(self, failure):
        """A list page failed (after retries): the listing is incomplete, so the night records nothing."""
        meta = failure.request.meta
        category, page = meta.get("category"), meta["page"]
        self.page_failed(self.page_label(category, page), describe_failure(failure))
        if page == 1 and (category is not None or self.pages_expected is None):
            self.pages_known(category, 1)
        if self.listing_done():
            yield from self.finish_listing()

    def listing_done(self) -> bool:
        """Every list page has arrived or failed. A listing by category (``categories``) is done
        once page 1 of each category has said how many pages it has and all of them are in."""
        if self.categories:
            if len(self.first_pages) < len(self.categories):
                return False
            self.pages_expected = sum(self.first_pages.values())
        return self.pages_expected is None or self.pages_seen >= self.pages_expected

    def finish_listing(self):
        """Compare the complete listing with the registry; yield the listing item and fetches."""
        stats = self.crawler.stats
        if self.page_errors:
            for error in self.page_errors[:3]:
                self.fail("列表", error)
            self.fail("列表", "列表未能完整读取，本次不比对、不记录任何变化")
            return
        self.load_state()
        plan = compare(self.rows, self.known)
        self.plan = plan
        if not plan.rows and not self.source.allow_empty:
            # A valid answer listing nothing is more likely a broken source than a source without
            # laws: say so (sources that may really be empty set allow_empty = true).
            self.fail("列表", "列表为空（一条记录也没有），疑为数据源异常；如该数据源确实可能为空，"
                             "请在配置中设置 allow_empty = true")
        stats.set_value("yiju/listing_complete", 1)
        stats.set_value("yiju/listed", len(plan.rows))
        stats.set_value("yiju/to_fetch", len(plan.fetch))
        stats.set_value("yiju/missing", len(plan.missing))
        stats.set_value("yiju/flips", len(plan.flips))
        yield ListingItem(self.source.name, plan.rows, plan.flips)
        for row in plan.fetch:
            yield from self.enqueue(row)
        yield from self.after_listing(plan)

    # ----- one document at a time (per concurrency slot), newest first -------------------------
    def enqueue(self, row: Listed, listed: bool = True):
        """Queue a document; yields the requests of the documents that may start now.

        Documents go one after another (``concurrency`` at a time), each chain (detail → download
        → file) finishing before the next starts: a signed URL is followed at once, and the texts
        of a law arrive newest first, so its older texts are history, not amendments.
        """
        if row.source_id in self.scheduled:
            return
        self.scheduled.add(row.source_id)
        self.documents += 1
        self.queue.append((row, listed))
        yield from self._take()

    def _take(self):
        while self.queue and len(self.in_flight) < self.window:
            row, listed = self.queue.popleft()
            self.in_flight.add(row.source_id)
            yield from self.fetch(row, listed)

    def document_done(self, item, *args, **kwargs) -> None:
        """Signal handler: a document's last item went through the pipeline; start the next one."""
        source_id = getattr(item, "source_id", None)
        if isinstance(item, ListingItem) or source_id not in self.in_flight:
            return
        self.in_flight.discard(source_id)
        if isinstance(item, DetailProblem) and item.state == "failed":
            self.failed_in_a_row += 1
        else:
            self.failed_in_a_row = 0
        limit = self.crawl_settings.give_up_after
        if limit and self.failed_in_a_row >= limit and self.queue:
            self.fail("正文", f"连续 {self.failed_in_a_row} 个文档抓取失败，今晚停止抓取该数据源；"
                             f"其余 {len(self.queue)} 个文档下次运行时再抓取")
            self.crawler.stats.set_value("yiju/gave_up", len(self.queue))
            self.queue.clear()
            return
        for request in self._take():
            self.crawler.engine.crawl(request)

    def idle(self, *args, **kwargs) -> None:
        """Safety net: never close with documents still queued."""
        if self.queue:
            log.warning("%s: %d documents queued but none in progress; continuing", self.source.name,
                        len(self.queue))
            self.in_flight.clear()
            for request in self._take():
                self.crawler.engine.crawl(request)
            raise DontCloseSpider

    def fetch(self, row: Listed, listed: bool = True):
        """Requests that fetch one document's text (spider-specific)."""
        raise NotImplementedError

    def after_listing(self, plan: Plan):
        return iter(())

    # ----- files -----------------------------------------------------------------------------
    def file_host_allowed(self, url: str) -> bool:
        """Signed download URLs may only point at a host listed in ``file_hosts`` (host or host:port)."""
        if "\\" in url or any(ord(c) < 0x21 for c in url):
            return False  # w3lib would rewrite it: the host checked would not be the host fetched
        try:
            url = scrapy.Request(url).url  # check the URL exactly as Scrapy will request it
            parsed = urlparse(url)
            port = parsed.port
        except ValueError:
            return False
        if parsed.scheme not in ("http", "https") or not parsed.hostname or "@" in parsed.netloc:
            return False
        allowed = {h.strip().lower() for h in self.source.file_hosts}
        if parsed.netloc.lower() in allowed:
            return True
        return parsed.hostname.lower() in allowed and port in (None, 80, 443)

    @staticmethod
    def url_expired(url: str, margin: float = 5.0) -> bool:
        """Whether an S3-style signed URL (X-Amz-Date + X-Amz-Expires) has expired already."""
        q = parse_qs(urlparse(url).query)
        try:
            signed = _dt.datetime.strptime(q["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=_dt.timezone.utc)
            expires = float(q["X-Amz-Expires"][0])
        except (KeyError, IndexError, ValueError):
            return False
        return _dt.datetime.now(_dt.timezone.utc).timestamp() + margin > signed.timestamp() + expires

    def extract(self, data: bytes, name: str) -> str:
        return extract_text(data, name)
