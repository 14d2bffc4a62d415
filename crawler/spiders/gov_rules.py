"""国家规章库 (部门规章 and 地方政府规章 on www.gov.cn) — research/sources.md §2.1.

1. The portal page names a script bundle; the bundle gives the API base, an RSA key, a seed and
   the app name (``crawler.parse.gov_rules``). The API host must be the portal's host or one of
   its subdomains (sousuoht.www.gov.cn), or a host listed in ``file_hosts``.
2. Each configured 规章分类 is listed in pages of ``page_size`` (at most 500), newest first. A key
   the API refuses (HTTP 401/403, or HTTP 200 with an ``athena_*`` code) is discovered again once
   and the page asked again; refused twice, the listing is incomplete and nothing is recorded.
3. Rows not seen before are fetched from their gov.cn page (``#UCAP-CONTENT``). The site lists
   only rules in force: a rule that drops out of the listing is counted missing, never repealed.
4. A listed decision on other rules (关于废止《…》的决定, 关于修改和废止部分规章的决定, by its title)
   is an instrument, not a rule: the repeals its text writes are recorded with it (the pipeline,
   ``InstrumentItem.records_repeals``) — that, not the absence, is what repeals a rule.
"""

from __future__ import annotations

import json
from urllib.parse import urlparse

import scrapy

from crawler.detect import describe_failure
from crawler.items import InstrumentItem, Listed, VersionItem
from crawler.parse import BadResponse
from crawler.parse import gov_rules
from crawler.parse.flk import instrument_kind
from crawler.spiders.base import PRIO_LIST, SourceSpider, date_priority
from texts.extract import ExtractionError, TextUnavailable

KEY_STATUSES = [401, 403]


class GovRulesSpider(SourceSpider):
    name = "gov_rules"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.base = self.source.base_url.rstrip("/")
        self.categories = list(self.source.rule_types)
        self.page_size = min(self.source.page_size, gov_rules.config()["page_size_max"])
        self.keys: gov_rules.Keys | None = None
        self.discoveries = 0                          # how many times the key was looked up tonight
        self.keys_round = 0                           # the look-up the current key came from
        self.waiting: list[tuple[str, int]] = []      # pages to ask again once a new key is known
        self.details: dict[str, gov_rules.RuleRow] = {}  # source id → its row (link, 题注, issuer)

    # ----- the key -------------------------------------------------------------------------------
    def discover(self) -> scrapy.Request:
        self.discoveries += 1
        return scrapy.Request(self.base + gov_rules.config()["portal_path"], callback=self.parse_portal,
                              errback=self.discovery_failed, priority=PRIO_LIST + 2,
                              meta={"expect": "html"}, dont_filter=True)

    async def start(self):
        self.started = True
        yield self.discover()

    def parse_portal(self, response):
        try:
            url = gov_rules.bundle_url(response.body, response.url)
        except BadResponse as exc:
            yield from self.give_up_listing(str(exc))
            return
        if not self.same_site(url):
            yield from self.give_up_listing(f"检索脚本不在规章库的站点上：{url}")
            return
        yield scrapy.Request(url, callback=self.parse_bundle, errback=self.discovery_failed,
                             priority=PRIO_LIST + 2, meta={"expect": "script"}, dont_filter=True)

    def parse_bundle(self, response):
        try:
            keys = gov_rules.parse_bundle(response.body)
            keys.headers()  # the key must be usable before any call is made with it
        except BadResponse as exc:
            yield from self.give_up_listing(str(exc))
            return
        if not self.same_site(keys.base):
            yield from self.give_up_listing(f"脚本给出的接口地址不在允许的站点上：{keys.base}")
            return
        self.keys = keys
        self.keys_round = self.discoveries
        pages = self.waiting or [(category, 1) for category in self.categories]
        self.waiting = []
        for category, page in pages:
            yield self.list_request(category, page)

    def discovery_failed(self, failure):
        yield from self.give_up_listing(f"无法取得检索密钥：{describe_failure(failure)}：{failure.request.url}")

    def give_up_listing(self, why: str):
        """No usable key: the listing cannot be read tonight, so nothing is recorded."""
        self.page_errors.append(why)
        self.pages_expected = self.pages_seen = 1
        self.first_pages = {c: 1 for c in self.categories}
        yield from self.finish_listing()

    # ----- the listing -------------------------------------------------------------------------
    def list_request(self, category: str, page: int) -> scrapy.Request:
        body = gov_rules.search_body(category, page, self.page_size)
        return scrapy.Request(
            self.keys.base + gov_rules.config()["search_path"], method="POST",
            body=json.dumps(body, ensure_ascii=False), headers=self.keys.headers(), callback=self.parse_list,
            errback=self.list_failed, priority=PRIO_LIST,
            meta={"expect": "json", "page": page, "category": category, "key_round": self.keys_round,
                  "handle_httpstatus_list": KEY_STATUSES},
            dont_filter=True)

    def parse_list(self, response):
        category, page = response.meta["category"], response.meta["page"]
        try:
            if response.status in KEY_STATUSES:
                raise gov_rules.KeyRefused(f"接口拒绝了密钥（HTTP {response.status}）")
            parsed = gov_rules.parse_list(response.body, response.url)
        except gov_rules.KeyRefused as exc:
            if response.meta["key_round"] < self.discoveries:   # asked with a key replaced since
                if self.keys_round == self.discoveries:
                    yield self.list_request(category, page)
                else:
                    self.waiting.append((category, page))
                return
            if self.discoveries < 2:
                self.crawler.stats.inc_value("yiju/key_refused")
                self.waiting.append((category, page))
                yield self.discover()
                return
            self.page_failed(self.page_label(category, page), f"{exc}，重新取得密钥后仍被拒绝")
            parsed = None
        except BadResponse as exc:
            self.page_failed(self.page_label(category, page), str(exc))
            parsed = None
        offsite = [r.url for r in parsed.rows if not self.same_site(r.url)] if parsed is not None else []
        if offsite:  # never follow a listed link off the site: the page counts as not read
            self.page_failed(self.page_label(category, page), f"结果中的链接不在规章库的站点上：{offsite[0]}")
            parsed = None
        if parsed is not None:
            self.page_arrived([Listed(r.source_id, r.title, r.promulgated, r.effective, None, None, r.issuer,
                                      "instrument" if gov_rules.is_decision(r.title) else "law")
                               for r in parsed.rows])
            self.details.update({r.source_id: r for r in parsed.rows})
            if page == 1:
                pages = parsed.pages or -(-parsed.total // self.page_size) or 1
                self.pages_known(category, pages)
                for n in range(2, pages + 1):
                    yield self.list_request(category, n)
        elif page == 1:
            self.pages_known(category, 1)
        if self.listing_done():
            yield from self.finish_listing()

    # ----- texts ---------------------------------------------------------------------------------
    def fetch(self, row: Listed, listed: bool = True):
        rule = self.details[row.source_id]
        yield scrapy.Request(rule.url, callback=self.parse_detail, errback=self.detail_failed,
                             priority=date_priority(row.promulgated),
                             meta={"expect": "html", "source_id": row.source_id, "title": row.title},
                             dont_filter=True)

    def parse_detail(self, response):
        rule = self.details[response.meta["source_id"]]
        try:
            detail = gov_rules.parse_detail(response.body)
            text = self.extract(detail.body_html.encode("utf-8"), "detail.html")
        except BadResponse as exc:
            yield self.problem(rule.source_id, f"{exc}：{response.url}", title=rule.title)
            return
        except TextUnavailable as exc:
            yield self.problem(rule.source_id, str(exc), state="unavailable", title=rule.title)
            return
        except ExtractionError as exc:
            yield self.problem(rule.source_id, f"无法读取正文：{exc}：{response.url}", title=rule.title)
            return
        if not text.startswith(rule.title):
            text = f"{rule.title}\n{text}"
        if gov_rules.is_decision(rule.title):
            yield InstrumentItem(
                source=self.source.name, source_id=rule.source_id, title=rule.title, kind=instrument_kind(rule.title),
                text=text, raw=response.body, raw_name="detail.html", promulgated=rule.promulgated,
                effective=rule.effective, records_repeals=True)
            return
        level = rule.category or detail.category or self.source.level or None
        yield VersionItem(
            source=self.source.name, source_id=rule.source_id, title=rule.title, text=text, raw=response.body,
            raw_name="detail.html", promulgated=rule.promulgated, effective=rule.effective, status=None,
            level=level, issuer=rule.issuer, region=(rule.province if level == "地方政府规章" else None),
        )

    # ----- hosts ---------------------------------------------------------------------------------
    def same_site(self, url: str) -> bool:
        """The portal's host, one of its subdomains, or a host listed in ``file_hosts``."""
        portal = urlparse(self.base)
        target = urlparse(url)
        if target.scheme not in ("http", "https") or "@" in target.netloc or not target.hostname:
            return False
        if target.netloc.lower() == portal.netloc.lower():
            return True
        host = target.hostname.lower()
        if target.port not in (None, 80, 443):
            return self.file_host_allowed(url)
        return host == portal.hostname.lower() or host.endswith("." + portal.hostname.lower()) \
            or self.file_host_allowed(url)
