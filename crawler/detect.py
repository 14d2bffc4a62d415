"""Failures are failures: recognising WAF, throttle and broken answers, backing off, retrying.

Official sites answer a throttled or challenged request with HTTP 200 and an HTML page (the
网站卫士 WAF sets ``WZWS-RAY``), an empty body, 429 or 5xx. ``classify`` says whether a response
is one of those; ``FailureDetector`` (a Scrapy downloader middleware) pauses the whole source,
retries, and after ``crawl.retries`` attempts turns the request into a ``SourceFailure`` that
reaches the request's errback — so no item is ever built from such an answer.

>>> from scrapy.http import HtmlResponse, Request
>>> r = HtmlResponse("https://flk.npc.gov.cn/x", body=b"<html>wzws-waf-cgi</html>", headers={"WZWS-RAY": "1"},
...                  request=Request("https://flk.npc.gov.cn/x"))
>>> classify(r, "json")
('WAF 拦截页（WZWS-RAY）', True)
"""

from __future__ import annotations

import asyncio
import logging
import time
import tomllib
from functools import lru_cache
from pathlib import Path
from urllib.parse import urljoin, urlparse

from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.extensions.httpcache import DummyPolicy

log = logging.getLogger(__name__)
DATA = Path(__file__).resolve().parent / "data" / "failures.toml"


@lru_cache(maxsize=1)
def markers() -> dict:
    return tomllib.loads(DATA.read_text("utf-8"))


class SourceFailure(IgnoreRequest):
    """A request that failed for good (after retries); its errback records why."""

    def __init__(self, reason: str, url: str):
        super().__init__(reason)
        self.reason = reason
        self.url = url

    def __str__(self) -> str:
        return self.reason


def _text_head(body: bytes, size: int = 65536) -> str:
    return body[:size].decode("utf-8", "replace")


def classify(response, expect: str | None) -> tuple[str, bool] | None:
    """(reason in Chinese, worth retrying) when ``response`` is not a usable answer; else None.

    ``expect`` is what the request asked for: "json", "html", "file" or None (anything).
    """
    m = markers()
    status = response.status
    if status in m["retry_statuses"]:
        return (f"HTTP {status}（{'限流' if status == 429 else '服务器错误'}）", True)
    for header in m["waf_headers"]:
        if response.headers.get(header) is not None:
            return (f"WAF 拦截页（{header}）", True)
    body = response.body or b""
    if status == 200 and not body.strip():
        return ("空响应（HTTP 200 但没有内容）", True)
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
    looks_textual = expect != "file" or body.lstrip()[:1] in (b"<", b"{") or "text" in content_type
    if looks_textual:
        head = _text_head(body)
        for marker in m["waf_markers"]:
            if marker in head:
                return (f"WAF/限流页面（含“{marker}”）", True)
    if expect == "json" and status == 200 and body.lstrip(b"\xef\xbb\xbf \r\n\t")[:1] == b"<":
        return ("应返回 JSON，实际返回了 HTML 页面", True)
    if expect == "script" and status == 200 and body.lstrip(b"\xef\xbb\xbf \r\n\t")[:1] == b"<":
        return ("应返回脚本，实际返回了 HTML 页面", True)
    if expect == "file" and status == 200:
        start = body.lstrip(b"\xef\xbb\xbf \r\n\t")[:1]
        if start == b"<":  # whatever the Content-Type says: a page, not a document
            return ("下载得到的是网页而不是文件", True)
        if start == b"{":  # a JSON error envelope ({"code":500,"msg":"系统异常"}) instead of the file
            return ("下载得到的是接口错误信息而不是文件", True)
    return None


class FailureDetector:
    """Downloader middleware: classify every answer to a yiju request; back off; retry; give up.

    Requests carry ``meta["expect"]``; requests without it (robots.txt) pass untouched.
    Back-off pauses every request of the source, doubling from ``CRAWL_BACKOFF`` seconds up to
    ``CRAWL_BACKOFF_MAX`` (a ``Retry-After`` header is honoured within that bound).
    """

    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.max_retries = settings.getint("CRAWL_RETRIES", 3)
        self.backoff = settings.getfloat("CRAWL_BACKOFF", 10.0)
        self.backoff_max = settings.getfloat("CRAWL_BACKOFF_MAX", 300.0)
        self.pause_until = 0.0
        self.exceptions = _retry_exceptions(settings)

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        return mw

    def spider_opened(self, spider) -> None:
        self.pause_until = 0.0

    async def process_request(self, request, spider=None):
        wait = self.pause_until - time.monotonic()
        if wait > 0 and request.meta.get("expect"):
            await asyncio.sleep(wait)
        return None

    async def process_response(self, request, response, spider=None):
        expect = request.meta.get("expect")
        if not expect:
            return response
        verdict = classify(response, expect)
        if verdict is None:
            return response
        reason, retryable = verdict
        if response.status == 429 or "WAF" in reason or "空响应" in reason:
            self.crawler.stats.inc_value("yiju/throttled")
        return self._retry_or_fail(request, reason, retryable, response.headers.get("Retry-After"))

    async def process_exception(self, request, exception, spider=None):
        if not request.meta.get("expect") or not isinstance(exception, self.exceptions):
            return None
        reason = _describe(exception)
        if _unresolvable(exception) and request.meta.get("yiju_retries", 0) >= 1:
            # A name that did not resolve twice is no network or a wrong address, not a busy
            # server: waiting through every back-off would only delay the same answer.
            return None
        try:
            return self._retry_or_fail(request, reason, True, None)
        except SourceFailure:
            # Let the original exception reach the errback (it names the network error).
            return None

    def _retry_or_fail(self, request, reason: str, retryable: bool, retry_after):
        stats = self.crawler.stats
        tries = request.meta.get("yiju_retries", 0)
        if retryable and tries < self.max_retries:
            wait = min(self.backoff * (2 ** tries), self.backoff_max)
            if retry_after:
                try:
                    wait = min(max(wait, float(retry_after)), self.backoff_max)
                except ValueError:
                    pass
            self.pause_until = max(self.pause_until, time.monotonic() + wait)
            stats.inc_value("yiju/retries")
            log.info("%s: %s; retry %d/%d in %.1fs", request.url, reason, tries + 1, self.max_retries, wait)
            retry = request.replace(dont_filter=True)
            retry.meta["yiju_retries"] = tries + 1
            retry.meta["yiju_last_failure"] = reason
            retry.priority = request.priority + 1
            return retry
        stats.inc_value("yiju/failed_responses")
        raise SourceFailure(f"{reason}（已重试 {tries} 次）" if tries else reason, request.url)


def _retry_exceptions(settings) -> tuple:
    from scrapy.utils.misc import load_object

    names = settings.getlist("RETRY_EXCEPTIONS")
    return tuple(load_object(n) if isinstance(n, str) else n for n in names)


def _unresolvable(exception) -> bool:
    """True for a failed DNS look-up (Scrapy's CannotResolveHostError, Twisted's DNSLookupError)."""
    return any(k.__name__ in ("CannotResolveHostError", "DNSLookupError") for k in type(exception).__mro__)


def _describe(exception) -> str:
    name = type(exception).__name__
    if _unresolvable(exception):
        return "无法解析数据源的域名（本机不能上网，或 base_url 写错）"
    if "Timeout" in name or "TimedOut" in name:
        return f"请求超时（{name}）"
    if "Refused" in name:
        return "连接被拒绝"
    return f"网络错误（{name}: {exception}）"


def describe_failure(failure) -> str:
    """A Chinese one-liner for an errback's twisted Failure."""
    exc = failure.value
    if isinstance(exc, SourceFailure):
        return exc.reason
    response = getattr(exc, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    return _describe(exc)


REDIRECTS = (301, 302, 303, 307, 308)


class RedirectGuard:
    """Downloader middleware (before Scrapy's RedirectMiddleware): a redirect may only lead to the
    source's own host or one of its ``file_hosts``; anywhere else the request fails (no request,
    robots.txt included, is ever sent to a host the configuration does not name)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        if response.status not in REDIRECTS or b"Location" not in response.headers:
            return response
        spider = spider or self.crawler.spider
        location = response.headers[b"Location"].decode("latin-1")
        target = urljoin(request.url, location)
        if allowed_host(spider, target):
            return response
        host = urlparse(target).netloc or target
        self.crawler.stats.inc_value("yiju/refused_redirects")
        if request.meta.get("expect"):
            raise SourceFailure(f"数据源把请求重定向到未登记的主机 {host}，已拒绝：{request.url}", request.url)
        raise IgnoreRequest(f"redirect of {request.url} to an unlisted host {host} refused")


def allowed_host(spider, url: str) -> bool:
    """The source's own host (``base_url``, ``list_url``) or one of its ``file_hosts``."""
    source = getattr(spider, "source", None)
    if source is None:
        return False
    try:
        parsed = urlparse(url)
    except ValueError:
        return False
    own = {urlparse(source.base_url).netloc.lower()}
    if getattr(source, "list_url", "") and "://" in source.list_url:
        own.add(urlparse(source.list_url).netloc.lower())
    if parsed.scheme in ("http", "https") and parsed.netloc.lower() in own and "@" not in parsed.netloc:
        return True
    checker = getattr(spider, "file_host_allowed", None)
    return bool(checker and checker(url))


class CachePolicy(DummyPolicy):
    """Development HTTP cache that never keeps a failed answer (WAF page, empty body, 5xx)."""

    def should_cache_response(self, response, request):
        if response.status != 200 or response.headers.get("Content-Encoding"):
            return False
        return classify(response, request.meta.get("expect")) is None
