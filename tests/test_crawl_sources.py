"""The administrative-regulation database (xzfg) and a configured provincial list site (html_list,
with the shipped Beijing configuration) crawled from the mirror for two nights."""

from __future__ import annotations

import dataclasses

import pytest

from crawler.mirror import Mirror, Scenario, settings_for
from crawler.run import crawl
from registry.schema import connect

pytestmark = pytest.mark.slow  # every test runs Scrapy in a child process against the mirror

NET_BAR = "互联网上网服务营业场所管理条例"
BJ_SAFETY = "北京市安全生产条例"


@pytest.fixture
def mirror(monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2021-12-31")
    scenario = Scenario.from_corpus([NET_BAR, "城市绿化条例", BJ_SAFETY, "北京市机动车停车条例",
                                     "北京市优化营商环境条例"], upto="2021-12-31", today="2021-12-31",
                                    html_page_size=2, xzfg_page_size=1)
    with Mirror(scenario) as m:
        yield m


def test_regulation_database_and_provincial_list_over_two_nights(mirror, tmp_path, monkeypatch):
    settings = settings_for(mirror, tmp_path, kinds=("xzfg", "html_list"))
    first = crawl(settings)
    xzfg, bj = first["sources"]["xzfg"], first["sources"]["bjrd"]
    assert first["ok"] and xzfg["listed"] == 2 and xzfg["new_versions"] == 2
    assert mirror.count("xzfg_list") == 2                      # one row a page: both pages read
    assert bj["listed"] == 3 and bj["new_versions"] == 3
    assert [h.status for h in mirror.hits if h.endpoint == "html_list"] == [200, 200, 404]
    db = connect(settings.registry.path)
    laws = {r["title"]: r for r in db.query("SELECT * FROM laws")}
    assert laws[BJ_SAFETY]["level"] == "地方性法规" and laws[BJ_SAFETY]["region"] == "北京市"
    assert laws[NET_BAR]["level"] == "行政法规" and laws[NET_BAR]["issuer"] == "国务院"
    assert list(db.query("SELECT count(*) AS n FROM changes"))[0]["n"] == 0
    db.close()

    monkeypatch.setenv("YIJU_TODAY", "2022-06-01")
    s = mirror.scenario
    s.today = "2022-06-01"
    s.amend(NET_BAR, gbrq="2022-03-29", sxrq="2022-05-01", text_file=f"laws/{NET_BAR}/2022-03-29.md")
    s.amend(BJ_SAFETY, gbrq="2022-05-25", sxrq="2022-08-01", text_file=f"laws/{BJ_SAFETY}/2022-05-25.md")
    mirror.clear_log()
    second = crawl(settings)
    assert second["ok"] and second["sources"]["xzfg"]["new_versions"] == 1
    assert second["sources"]["bjrd"]["new_versions"] == 1
    assert mirror.count("xzfg_detail") == 1 and mirror.count("html_detail") == 1   # nothing fetched twice
    db = connect(settings.registry.path)
    kinds = {r["title"]: r["kind"] for r in db.query(
        "SELECT l.title, c.kind FROM changes c JOIN laws l ON l.id = c.law_id")}
    assert kinds == {NET_BAR: "amended", BJ_SAFETY: "amended"}
    # the xzfg listing shows only regulations in force: the superseded LawID is missing, not repealed
    assert second["sources"]["xzfg"]["missing_from_listing"] == 1
    assert list(db.query("SELECT status FROM laws WHERE title = ?", [NET_BAR]))[0]["status"] == "有效"


def test_a_list_site_configured_wrongly_is_reported_and_nothing_is_fetched(mirror, tmp_path):
    settings = settings_for(mirror, tmp_path, kinds=("html_list",))
    broken = dict(settings.sources[0].selectors)
    del broken["body"]
    settings.sources[0] = dataclasses.replace(settings.sources[0], selectors=broken)
    result = crawl(settings)
    bj = result["sources"]["bjrd"]
    assert not result["ok"] and bj["health"] == "failed" and "selectors.body" in bj["error"]
    assert mirror.count() == 0
    db = connect(settings.registry.path)
    assert "selectors.body" in list(db.query("SELECT last_error FROM sources WHERE name = 'bjrd'"))[0]["last_error"]
