"""Scrapy settings for one source, from yiju's settings: politeness, failure detection, cache.

>>> from config.settings import load
>>> s = load(None, environ={})
>>> d = for_source(s, s.sources[0], run_id=7)
>>> d["CONCURRENT_REQUESTS_PER_DOMAIN"], d["ROBOTSTXT_OBEY"], d["USER_AGENT"].startswith("yiju/")
(1, True, True)
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from config.settings import Settings, SourceSettings
from crawler.parse.html_list import check_selectors
from crawler.parse.provinces import PROFILES

SPIDERS = {
    "flk": "crawler.spiders.flk.FlkSpider",
    "xzfg": "crawler.spiders.xzfg.XzfgSpider",
    "gov_rules": "crawler.spiders.gov_rules.GovRulesSpider",
    "json_api": "crawler.spiders.json_api.JsonApiSpider",
    "html_list": "crawler.spiders.html_list.HtmlListSpider",
}


def yiju_version() -> str:
    try:
        return version("yiju")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


def user_agent(settings: Settings) -> str:
    """``yiju/<version> (+<contact>)``: a site can see who crawls it and reach us."""
    if settings.crawl.user_agent:
        return settings.crawl.user_agent
    contact = settings.crawl.contact.strip()
    suffix = f"; +{contact}" if contact else ""
    return f"yiju/{yiju_version()} (执法依据动态监测 law-change tracker{suffix})"


def for_source(settings: Settings, source: SourceSettings, *, run_id: int | None, log_level: str = "WARNING",
               progress: bool = False) -> dict:
    crawl = settings.crawl
    delay = source.delay
    out = {
        "BOT_NAME": "yiju",
        "USER_AGENT": user_agent(settings),
        "ROBOTSTXT_OBEY": True,
        "DOWNLOAD_DELAY": delay,
        "DOWNLOAD_DELAY_JITTER": 0.5 if delay > 0 else 0.0,
        "CONCURRENT_REQUESTS": max(2, source.concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": source.concurrency,
        "AUTOTHROTTLE_ENABLED": bool(crawl.autothrottle and delay > 0),
        "AUTOTHROTTLE_START_DELAY": max(delay, 0.5),
        "AUTOTHROTTLE_MAX_DELAY": max(60.0, delay * 10),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(source.concurrency),
        "DOWNLOAD_TIMEOUT": crawl.timeout,
        "DOWNLOAD_MAXSIZE": settings.limits.max_file_bytes,
        "RETRY_ENABLED": False,                     # crawler.detect retries, with back-off
        "CRAWL_RETRIES": crawl.retries,
        "CRAWL_BACKOFF": crawl.backoff,
        "CRAWL_BACKOFF_MAX": crawl.backoff_max,
        "DOWNLOADER_MIDDLEWARES": {"crawler.detect.FailureDetector": 560, "crawler.detect.RedirectGuard": 650},
        "ITEM_PIPELINES": {"crawler.record.RegistryPipeline": 300},
        "HTTPCACHE_ENABLED": crawl.http_cache,
        "HTTPCACHE_DIR": str(crawl.http_cache_dir / source.name),
        "HTTPCACHE_POLICY": "crawler.detect.CachePolicy",
        "HTTPCACHE_IGNORE_HTTP_CODES": [403, 404, 408, 429, 500, 502, 503, 504],
        "TELNETCONSOLE_ENABLED": False,
        "COOKIES_ENABLED": False,                   # the sources need none; a WAF cookie is not followed
        "LOG_LEVEL": log_level,
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue",
        "YIJU_REGISTRY": str(settings.registry.path),
        "YIJU_FILES": str(settings.registry.files),
        "YIJU_RUN_ID": run_id or 0,
    }
    if progress:
        out["EXTENSIONS"] = {"crawler.progress.Progress": 500}
    return out


def problems(source: SourceSettings) -> list[str]:
    """What keeps a configured source from being crawled at all (Chinese, naming the key)."""
    out = []
    if source.kind == "flk" and not source.file_hosts:
        out.append(f"数据源 {source.name} 没有配置 file_hosts（签名下载地址允许指向的主机）")
    if source.kind == "gov_rules":
        unknown = [t for t in source.rule_types if t not in ("部门规章", "地方政府规章")]
        if unknown or not source.rule_types:
            out.append(f"数据源 {source.name} 的 rule_types 只能是 部门规章、地方政府规章（现为：{'、'.join(source.rule_types) or '空'}）")
    if source.kind == "json_api":
        if source.profile not in PROFILES:
            out.append(f"数据源 {source.name} 的 profile = {source.profile!r} 无效（可用：{'、'.join(PROFILES)}）")
    if source.kind == "html_list":
        out += [f"数据源 {source.name}：{p}" for p in check_selectors(source.selectors)]
        if not source.list_url:
            out.append(f"数据源 {source.name} 没有配置 list_url")
    return out
