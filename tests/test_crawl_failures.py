"""Failures are failures: throttle and WAF answers are retried, then reported; never read as data.

Unit checks of ``crawler.detect.classify`` on the answers the real sites give, then crawls of
the local mirror told to misbehave.
"""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request, Response, TextResponse

from crawler.detect import classify
from crawler.mirror import Mirror, Scenario, settings_for
from crawler.run import crawl
from registry.schema import connect
from tests.conftest import Yiju

ONE = "中华人民共和国示例一法"
TWO = "中华人民共和国示例二法"
THREE = "中华人民共和国示例三法"


def _text(title: str, articles: int = 3) -> str:
    body = "\n".join(f"第{n}条　{title}的第{n}条规定了有关事项，有关部门应当依法履行职责。"
                     for n in "一二三四五六七八九十"[:articles])
    return f"{title}\n{body}"


def _response(body: bytes, status: int = 200, headers: dict | None = None, cls=Response):
    return cls("https://flk.npc.gov.cn/law-search/search/list", status=status, body=body,
               headers=headers or {}, request=Request("https://flk.npc.gov.cn/law-search/search/list"))


# ----- what a failed answer looks like ------------------------------------------------------------

@pytest.mark.parametrize("response, expect, why", [
    (_response(b"<html><script src='/wzws-waf-cgi/x.js'></script></html>", headers={"WZWS-RAY": "12-34"},
               cls=HtmlResponse), "json", "WAF"),
    (_response("<html><noscript>请开启JavaScript并刷新该页.</noscript></html>".encode(), cls=HtmlResponse),
     "json", "请开启JavaScript"),
    (_response(b""), "json", "空响应"),
    (_response(b"   \n"), "file", "空响应"),
    (_response(b"Too Many Requests", status=429), "json", "429"),
    (_response(b'{"status":500}', status=500), "json", "500"),
    (_response(b"<!DOCTYPE html><html><div id='app'></div></html>", cls=HtmlResponse), "json", "HTML"),
    (_response(b"<html><body>login</body></html>", headers={"Content-Type": "text/html"}, cls=HtmlResponse),
     "file", "网页"),
])
def test_throttle_and_challenge_answers_are_failures(response, expect, why):
    verdict = classify(response, expect)
    assert verdict is not None and why in verdict[0] and verdict[1] is True


@pytest.mark.parametrize("response, expect", [
    (_response('{"code":200,"msg":"查询成功","total":0,"rows":[]}'.encode(), cls=TextResponse), "json"),
    (_response(b"PK\x03\x04 a docx", headers={"Content-Type": "application/octet-stream"}), "file"),
    (_response(b"<html><div class='law-chapter'>...</div></html>", cls=HtmlResponse), "html"),
])
def test_ordinary_answers_pass(response, expect):
    assert classify(response, expect) is None


def test_a_host_that_does_not_resolve_is_tried_twice_not_through_every_back_off():
    """No network (or a mistyped base_url): one retry, then the listing fails, named in Chinese."""
    import asyncio

    from scrapy.exceptions import CannotResolveHostError
    from scrapy.settings import Settings
    from scrapy.statscollectors import MemoryStatsCollector

    from crawler.detect import FailureDetector, describe_failure

    class Crawler:
        settings = Settings({"CRAWL_RETRIES": 5, "CRAWL_BACKOFF": 0.0,
                             "RETRY_EXCEPTIONS": [CannotResolveHostError]})
        stats = None

    Crawler.stats = MemoryStatsCollector(Crawler)
    detector = FailureDetector(Crawler())
    first = Request("https://flk.npc.gov.cn/law-search/search/list", meta={"expect": "json"})
    lost = CannotResolveHostError("DNS lookup failed: no results for hostname lookup: flk.npc.gov.cn.")
    retry = asyncio.run(detector.process_exception(first, lost))
    assert isinstance(retry, Request) and retry.meta["yiju_retries"] == 1
    assert asyncio.run(detector.process_exception(retry, lost)) is None        # to the errback: the source failed

    class Failure:
        value = lost

    assert "无法解析数据源的域名" in describe_failure(Failure())


# ----- the mirror misbehaves ---------------------------------------------------------------------

@pytest.fixture
def mirror(monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2024-06-01")
    scenario = Scenario(today="2024-06-01")
    scenario.add_law(ONE, gbrq="2020-01-01", text=_text(ONE, 6))
    scenario.add_law(TWO, gbrq="2021-01-01", text=_text(TWO))
    scenario.add_law(THREE, gbrq="2022-01-01", text=_text(THREE))
    with Mirror(scenario) as m:
        yield m


@pytest.mark.slow  # Scrapy in a child process
def test_passing_throttles_and_timeouts_are_retried_and_the_night_is_healthy(mirror, tmp_path):
    s = mirror.scenario
    one, two, three = (s.current(t) for t in (ONE, TWO, THREE))
    s.fault("list", "429", key="1", times=1)
    s.fault("detail", "empty", key=one.bbbs, times=1)
    s.fault("download", "waf", key=two.bbbs, times=1)
    s.fault("file", "500", key=three.bbbs, times=1)
    s.fault("detail", "slow", key=three.bbbs, times=1, seconds=1.5)
    settings = settings_for(mirror, tmp_path, kinds=("flk",), timeout=0.7, retries=2)
    result = crawl(settings)["sources"]["flk"]
    assert result["ok"] and result["new_versions"] == 3 and result["retries"] == 5
    db = connect(settings.registry.path)
    assert {r["detail_state"] for r in db.query("SELECT detail_state FROM listings")} == {"fetched"}


@pytest.mark.slow  # Scrapy in a child process
def test_per_document_failures_leave_no_text_and_are_marked_for_the_next_night(mirror, tmp_path):
    s = mirror.scenario
    scanned = s.add_law("中华人民共和国扫描件法", gbrq="2023-01-01", text=_text("扫描件"), file_format="pdf")
    expired = s.current(TWO)
    s.fault("file", "expired", key=expired.bbbs)           # the signed URL is refused every time
    settings = settings_for(mirror, tmp_path, kinds=("flk",))
    result = crawl(settings)["sources"]["flk"]
    assert not result["ok"] and result["new_versions"] == 2 and result["unavailable"] == 1
    assert result["failures"] == 1 and "签名下载地址" in result["error"]
    # a fresh signed URL was asked for (url_refresh = 2) before giving up
    assert mirror.count("download", key=expired.bbbs) == 1 + settings.crawl.url_refresh
    db = connect(settings.registry.path)
    states = {r["source_id"]: r for r in db.query("SELECT * FROM listings")}
    assert states[expired.bbbs]["detail_state"] == "failed"
    assert states[scanned.bbbs]["detail_state"] == "unavailable"      # a scan is no empty law
    titles = {r["title"] for r in db.query("SELECT title FROM laws")}
    assert titles == {ONE, THREE}
    db.close()
    # next night the mirror behaves: only the failed document is fetched again
    s.clear_faults()
    mirror.clear_log()
    again = crawl(settings)["sources"]["flk"]
    assert again["ok"] and again["new_versions"] == 1
    assert mirror.count("detail") == 1 and mirror.count("detail", key=expired.bbbs) == 1


@pytest.mark.slow  # Scrapy in a child process
def test_a_download_url_on_an_unlisted_host_is_refused(mirror, tmp_path):
    settings = settings_for(mirror, tmp_path, kinds=("flk",))
    settings.sources[0].file_hosts = ["flkoss.obs-bj2.cucloud.cn"]
    result = crawl(settings)["sources"]["flk"]
    assert not result["ok"] and result["failures"] == 3 and "未登记的主机" in result["error"]
    assert mirror.count(host="files") == 0
    db = connect(settings.registry.path)
    assert list(db.query("SELECT count(*) AS n FROM versions"))[0]["n"] == 0


@pytest.mark.slow  # Scrapy in a child process
def test_an_incomplete_listing_changes_nothing(mirror, tmp_path):
    settings = settings_for(mirror, tmp_path, kinds=("flk",))
    crawl(settings)
    s = mirror.scenario
    s.set_status(s.current(ONE).bbbs, 1)                   # a repeal that must wait for a full listing
    s.add_law("中华人民共和国新法", gbrq="2024-05-01", text=_text("新法"))
    settings.sources[0].page_size = 2
    s.fault("list", "waf", key="2")
    result = crawl(settings)["sources"]["flk"]
    assert not result["ok"] and not result["listing_complete"] and "列表" in result["error"]
    assert mirror.count("detail") == 3                      # night 1 only
    db = connect(settings.registry.path)
    assert list(db.query("SELECT status FROM laws WHERE title = ?", [ONE]))[0]["status"] == "有效"
    assert list(db.query("SELECT count(*) AS n FROM changes"))[0]["n"] == 0
    assert list(db.query("SELECT count(*) AS n FROM listings"))[0]["n"] == 3


@pytest.mark.slow  # Scrapy in a child process
def test_missing_rows_short_texts_and_string_codes(mirror, tmp_path):
    s = mirror.scenario
    s.codes_as_strings = True
    settings = settings_for(mirror, tmp_path, kinds=("flk",))
    crawl(settings)
    s.unlist(s.current(TWO).bbbs)                           # gone from the listing: not a repeal
    s.amend(ONE, gbrq="2024-03-01", text=_text(ONE, 1))     # a text cut to a sixth: held for review
    s.set_status(s.current(THREE).bbbs, 1)                  # "1" as a string: a real repeal
    result = crawl(settings)["sources"]["flk"]
    assert not result["ok"] and result["health"] == "held"       # a held text is never a quiet night
    assert result["missing_from_listing"] == 1 and result["held"] == 1
    assert result["status_changes"] == 1
    db = connect(settings.registry.path)
    laws = {r["title"]: r for r in db.query("SELECT * FROM laws")}
    assert laws[TWO]["status"] == "有效" and laws[THREE]["status"] == "已废止"
    kinds = [r["kind"] for r in db.query("SELECT kind FROM changes")]
    assert kinds == ["repealed"]
    held = list(db.query("SELECT * FROM versions WHERE review_state = 'held'"))
    assert len(held) == 1 and held[0]["promulgated"] == "2024-03-01"


@pytest.mark.slow  # Scrapy in a child process
def test_robots_txt_is_obeyed_and_the_user_agent_names_yiju(mirror, tmp_path):
    mirror.scenario.robots_txt = "User-agent: *\nDisallow: /law-search/download/\n"
    settings = settings_for(mirror, tmp_path, kinds=("flk",))
    result = crawl(settings)["sources"]["flk"]
    assert not result["ok"] and result["failures"] == 3 and "robots" in result["error"].lower()
    assert mirror.count("download") == 0 and mirror.count("detail") == 3
    agents = {h.agent for h in mirror.hits}
    assert all(a.startswith("yiju/") and "tests@example.invalid" in a for a in agents)


@pytest.mark.slow  # Scrapy in a child process
def test_the_development_cache_never_keeps_a_failed_answer(mirror, tmp_path):
    mirror.scenario.fault("list", "waf", times=1)
    settings = settings_for(mirror, tmp_path, kinds=("flk",))
    settings.crawl.http_cache = True
    settings.crawl.http_cache_dir = tmp_path / "cache"
    assert crawl(settings)["sources"]["flk"]["ok"]
    assert mirror.count("list") == 2                          # the WAF page, then the retry
    assert crawl(settings)["sources"]["flk"]["ok"]
    assert mirror.count("list") == 2                          # the good answer came from the cache
    assert (tmp_path / "cache" / "flk").is_dir()


def test_signed_urls_are_checked_before_they_are_followed():
    import datetime as dt
    from types import SimpleNamespace

    from crawler.spiders.base import SourceSpider

    now = dt.datetime.now(dt.timezone.utc)
    fresh = f"https://h/x.docx?X-Amz-Date={now:%Y%m%dT%H%M%SZ}&X-Amz-Expires=3600"
    stale = f"https://h/x.docx?X-Amz-Date={now - dt.timedelta(hours=2):%Y%m%dT%H%M%SZ}&X-Amz-Expires=3600"
    assert not SourceSpider.url_expired(fresh) and SourceSpider.url_expired(stale)
    spider = SimpleNamespace(source=SimpleNamespace(file_hosts=["flkoss.obs-bj2.cucloud.cn", "127.0.0.1:8701"]))
    allowed = SourceSpider.file_host_allowed.__get__(spider)
    assert allowed("https://flkoss.obs-bj2.cucloud.cn/prod/x.docx?X-Amz-Signature=1")
    assert allowed("http://127.0.0.1:8701/prod/x.docx")
    assert not allowed("http://127.0.0.1:8700/prod/x.docx")
    assert not allowed("https://flkoss.obs-bj2.cucloud.cn.evil.example/x.docx")
    assert not allowed("http://172.16.220.27:38080/law-search/file/download")      # the intranet urlIn


@pytest.mark.slow  # Scrapy in a child process
def test_a_source_that_keeps_failing_is_left_alone_for_the_night(mirror, tmp_path):
    for n in range(5):
        mirror.scenario.add_law(f"中华人民共和国补充{n}法", gbrq=f"201{n}-01-01", text=_text(f"补充{n}"))
    mirror.scenario.fault("detail", "waf")
    settings = settings_for(mirror, tmp_path, kinds=("flk",), retries=1)
    settings.crawl.give_up_after = 3
    result = crawl(settings)["sources"]["flk"]
    assert not result["ok"] and result["new_versions"] == 0
    assert mirror.count("detail") == 3 * 2                   # three documents, each tried twice, then stop
    assert any("停止抓取" in e["error"] for e in result["errors"])
    db = connect(settings.registry.path)
    states = [r["detail_state"] for r in db.query("SELECT detail_state FROM listings")]
    assert sorted(states) == ["failed"] * 3 + ["pending"] * 5    # all of them are tried again next night


# ----- issue 13: a real change missed while the night says 成功 -------------------------------------

def _digest_md(settings, run_id, tmp_path):
    from notify.digest import write_digest

    db = connect(settings.registry.path)
    try:
        return write_digest(db, run_id, tmp_path / "digests")["md"].read_text("utf-8")
    finally:
        db.close()


@pytest.mark.slow
def test_a_downloaded_file_without_articles_is_a_source_failure_retried_and_named(mirror, tmp_path):
    settings = settings_for(mirror, tmp_path, kinds=("flk",))
    assert crawl(settings)["sources"]["flk"]["ok"]
    s = mirror.scenario
    amended = s.amend(ONE, gbrq="2024-05-01", text="<html><body>系统繁忙，请稍后再试</body></html>")
    night = crawl(settings)
    result = night["sources"]["flk"]
    assert not result["ok"] and result["failures"] == 1 and "不是法律文本" in result["error"]
    md = _digest_md(settings, night["run_id"], tmp_path)
    assert "未能取得正文" in md and ONE in md and "本次运行未发现" not in md
    # retried the next night, and named again while it still fails
    mirror.clear_log()
    again = crawl(settings)
    assert not again["sources"]["flk"]["ok"] and mirror.count("detail", key=amended.bbbs) == 1
    assert ONE in _digest_md(settings, again["run_id"], tmp_path)


@pytest.mark.slow
def test_a_held_version_is_not_a_quiet_night_and_a_person_decides(mirror, tmp_path):
    settings = settings_for(mirror, tmp_path, kinds=("flk",))
    crawl(settings)
    mirror.scenario.amend(ONE, gbrq="2024-03-01", text=_text(ONE, 1))
    night = crawl(settings)
    result = night["sources"]["flk"]
    assert not result["ok"] and result["health"] == "held" and "yiju laws held" in result["error"]
    md = _digest_md(settings, night["run_id"], tmp_path)
    db = connect(settings.registry.path)
    held = list(db.query("SELECT id FROM versions WHERE review_state = 'held'"))[0]["id"]
    db.close()
    assert "暂存待核对" in md and f"版本 {held}" in md and "本次运行未发现" not in md
    config = tmp_path / "yiju.toml"
    config.write_text(f'[registry]\npath = "{settings.registry.path}"\nfiles = "{tmp_path / "files"}"\n', "utf-8")
    yiju = Yiju(config)
    listed = yiju("laws", "held")
    assert listed.exit_code == 0 and f"版本 {held}" in listed.output and ONE in listed.output
    wrong = yiju("laws", "accept", 9999)
    assert wrong.exit_code == 2 and "没有编号为 9999 的版本" in wrong.output
    accepted = yiju("laws", "accept", held, "--by", "李四")
    assert accepted.exit_code == 0, accepted.output
    db = connect(settings.registry.path)
    assert [r["kind"] for r in list(db.query("SELECT kind FROM changes"))] == ["amended"]
    assert list(db.query("SELECT actor, action, object FROM audit WHERE action LIKE 'version.%'")) == [
        {"actor": "李四", "action": "version.accept", "object": f"version:{held}"}]
    db.close()
    assert "没有暂存待核对的文本" in yiju("laws", "held").output


@pytest.mark.slow
def test_a_rejected_held_version_is_never_used(mirror, tmp_path):
    from impact.record import reject_held

    settings = settings_for(mirror, tmp_path, kinds=("flk",))
    crawl(settings)
    mirror.scenario.amend(ONE, gbrq="2024-03-01", text=_text(ONE, 1))
    crawl(settings)
    db = connect(settings.registry.path)
    held = list(db.query("SELECT id FROM versions WHERE review_state = 'held'"))[0]["id"]
    reject_held(db, held, actor="李四", reason="抓取不完整")
    assert list(db.query("SELECT review_state FROM versions WHERE id = ?", [held]))[0]["review_state"] == "rejected"
    assert list(db.query("SELECT action FROM audit")) == [{"action": "version.reject"}]
    db.close()
    assert crawl(settings)["sources"]["flk"]["ok"]          # the next night is quiet again


@pytest.mark.slow
def test_an_empty_listing_is_a_source_failure_unless_allowed(monkeypatch, tmp_path):
    monkeypatch.setenv("YIJU_TODAY", "2024-06-01")
    with Mirror(Scenario(today="2024-06-01")) as m:
        settings = settings_for(m, tmp_path, kinds=("flk",))
        result = crawl(settings)["sources"]["flk"]
        assert not result["ok"] and result["listed"] == 0 and "列表为空" in result["error"]
        settings.sources[0].allow_empty = True
        assert crawl(settings)["sources"]["flk"]["ok"]


@pytest.mark.slow
def test_a_redirect_to_another_host_is_refused(mirror, tmp_path):
    """Issue 13 item 16: redirects stay on the configured hosts (no request, robots.txt included,
    goes anywhere else)."""
    import http.server
    import threading

    hits = []

    class Elsewhere(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Elsewhere)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        elsewhere = f"http://127.0.0.1:{server.server_port}/law-search/search/list"
        mirror.scenario.fault("list", "redirect", location=elsewhere)
        settings = settings_for(mirror, tmp_path, kinds=("flk",))
        result = crawl(settings)["sources"]["flk"]
    finally:
        server.shutdown()
    assert not result["ok"] and "未登记的主机" in result["error"]
    assert hits == []
