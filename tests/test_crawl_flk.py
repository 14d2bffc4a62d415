"""The national database crawled for several nights from the local mirror (real law texts).

Night 1 is the baseline. Night 2: 行政处罚法 is revised (2017 → 2021, heavy renumbering), 信访条例
is repealed by a decision, 数据安全法 is new, 个人信息保护法 comes into force, and the WAF answers
for an unchanged law and for a second new law. Night 3: the WAF is gone.
"""

from __future__ import annotations

import json

import pytest

from crawler.mirror import Mirror, Scenario, settings_for
from crawler.run import crawl
from registry.schema import connect

pytestmark = pytest.mark.slow  # every test runs Scrapy in a child process against the mirror

DECISION = "国务院关于修改和废止部分行政法规的决定"
DECISION_FILE = "decisions/2022-03-29_国务院关于修改和废止部分行政法规的决定.md"


def _law(db, title):
    return list(db.query("SELECT * FROM laws WHERE title = ?", [title]))[0]


def _changes(db, title):
    return list(db.query("SELECT c.* FROM changes c JOIN laws l ON l.id = c.law_id WHERE l.title = ? ORDER BY c.id",
                 [title]))


@pytest.fixture
def mirror(monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2021-09-01")
    scenario = Scenario.from_corpus(["行政处罚法", "信访条例", "行政许可法"], upto="2020-12-31",
                                    today="2021-09-01")
    scenario.set_status(scenario.current("信访条例").bbbs, 3)           # still in force in 2021
    scenario.add_law("中华人民共和国个人信息保护法", gbrq="2021-08-20", sxrq="2021-11-01",
                     text_file="laws/个人信息保护法/2021-08-20.md", category=110)
    with Mirror(scenario) as m:
        yield m


def test_two_nights_record_versions_statuses_and_changes_and_nothing_for_a_failed_fetch(mirror, tmp_path,
                                                                                       monkeypatch):
    settings = settings_for(mirror, tmp_path, kinds=("flk",))
    settings.sources[0].instruments = ["修改决定", "废止决定", "主席令"]   # keep the promulgating order too
    s = mirror.scenario

    # ----- night 1: the baseline ------------------------------------------------------------
    first = crawl(settings)
    flk = first["sources"]["flk"]
    assert flk["ok"] and flk["listed"] == 5 and flk["new_versions"] == 5
    db = connect(settings.registry.path)
    assert list(db.query("SELECT count(*) AS n FROM changes"))[0]["n"] == 0      # history is not news
    assert _law(db, "中华人民共和国个人信息保护法")["status"] == "尚未生效"
    assert _law(db, "信访条例")["status"] == "有效"
    pending = list(db.query("SELECT * FROM sources WHERE name = 'flk'"))[0]
    assert pending["last_ok_at"] and pending["last_error"] is None
    db.close()

    # ----- the sources change ----------------------------------------------------------------
    monkeypatch.setenv("YIJU_TODAY", "2021-11-02")
    s.today = "2021-11-02"
    s.amend("中华人民共和国行政处罚法", gbrq="2021-01-22", sxrq="2021-07-15",
            text_file="laws/行政处罚法/2021-01-22.md",
            decision_title="中华人民共和国主席令第七十号", decision_text="中华人民共和国主席令\n第七十号\n"
            "《中华人民共和国行政处罚法》已由中华人民共和国第十三届全国人民代表大会常务委员会第二十五次会议"
            "于2021年1月22日修订通过，现予公布，自2021年7月15日起施行。")
    s.repeal("信访条例", decision_title=DECISION, decision_file=DECISION_FILE, gbrq="2021-10-20", sxrq="2021-10-25")
    s.add_law("中华人民共和国数据安全法", gbrq="2021-06-10", sxrq="2021-09-01",
              text_file="laws/数据安全法/2021-06-10.md", category=110)
    s.take_effect("中华人民共和国个人信息保护法")
    blocked_new = s.add_law("中华人民共和国反食品浪费法", gbrq="2021-04-29", sxrq="2021-04-29",
                            text="中华人民共和国反食品浪费法\n第一条　为了防止食品浪费，制定本法。\n"
                                 "第二条　本法所称食品浪费，是指对可安全食用的食物未能按照其功能目的合理利用。",
                            category=140)
    unchanged = s.current("中华人民共和国行政许可法")
    s.fault("detail", "waf", key=unchanged.bbbs)
    s.fault("detail", "waf", key=blocked_new.bbbs)
    mirror.clear_log()

    # ----- night 2 ---------------------------------------------------------------------------
    second = crawl(settings)
    flk = second["sources"]["flk"]
    assert not second["ok"] and not flk["ok"] and flk["throttled"]
    assert flk["new_versions"] == 2                      # 行政处罚法 2021, 数据安全法
    assert flk["status_changes"] == 2                    # 信访条例 repealed, 个人信息保护法 in force
    assert flk["instruments"] == 2                       # the repeal decision, the order that came with 2021
    assert flk["failures"] == 1 and "WAF" in flk["error"]

    db = connect(settings.registry.path)
    # The revised law: a second version, an "amended" change with its article changes.
    versions = list(db.query("SELECT v.* FROM versions v JOIN laws l ON l.id = v.law_id "
                         "WHERE l.title = '中华人民共和国行政处罚法' ORDER BY promulgated"))
    assert [v["promulgated"] for v in versions] == ["2017-09-01", "2021-01-22"]
    assert versions[0]["status"] == "已修改"
    (amended,) = _changes(db, "中华人民共和国行政处罚法")
    assert amended["kind"] == "amended" and amended["new_version_id"] == versions[1]["id"]
    statuses = {r["status"] for r in list(db.query("SELECT status FROM article_changes WHERE change_id = ?",
                                            [amended["id"]]))}
    assert "renumbered" in statuses or "modified" in statuses
    order = list(db.query("SELECT * FROM instruments WHERE title = '中华人民共和国主席令第七十号'"))[0]
    assert order["law_id"] == _law(db, "中华人民共和国行政处罚法")["id"]

    # The repeal: explicit status, dated and linked to the decision that did it.
    repealed = _law(db, "信访条例")
    assert repealed["status"] == "已废止" and repealed["repealed_on"] == "2021-10-25"
    (repeal,) = _changes(db, "信访条例")
    decision = list(db.query("SELECT * FROM instruments WHERE title = ?", [DECISION]))[0]
    assert repeal["kind"] == "repealed" and repeal["instrument_id"] == decision["id"]
    assert "信访条例" in decision["text"]

    # The new law is announced; the pending one came into force.
    assert [c["kind"] for c in _changes(db, "中华人民共和国数据安全法")] == ["enacted"]
    assert [c["kind"] for c in _changes(db, "中华人民共和国个人信息保护法")] == ["takes_effect"]
    assert _law(db, "中华人民共和国个人信息保护法")["status"] == "有效"

    # The WAF: the unchanged law was not even asked for; the blocked new law left no trace but a retry mark.
    assert mirror.count("detail", key=unchanged.bbbs) == 0
    assert _changes(db, "中华人民共和国行政许可法") == []
    assert list(db.query("SELECT * FROM laws WHERE title = '中华人民共和国反食品浪费法'")) == []
    listing = list(db.query("SELECT * FROM listings WHERE source_id = ?", [blocked_new.bbbs]))[0]
    assert listing["detail_state"] == "failed" and "WAF" in listing["detail_error"]
    source = list(db.query("SELECT * FROM sources WHERE name = 'flk'"))[0]
    assert "WAF" in source["last_error"] and source["last_error_at"]
    run = list(db.query("SELECT * FROM runs WHERE id = ?", [second["run_id"]]))[0]
    assert run["state"] == "failed" and json.loads(run["stats"])["crawl"]["sources"]["flk"]["failures"] == 1
    db.close()

    # Only the listing and the new documents were fetched: nothing unchanged was downloaded again.
    assert mirror.count("list") == 1
    assert mirror.count("file") == 4            # 2 new laws, the decision, the order (none for the blocked one)

    # ----- night 3: the WAF is gone; the failed document is fetched and announced --------------
    s.clear_faults()
    third = crawl(settings)
    assert third["ok"] and third["sources"]["flk"]["new_versions"] == 1
    db = connect(settings.registry.path)
    assert [c["kind"] for c in _changes(db, "中华人民共和国反食品浪费法")] == ["enacted"]
    assert list(db.query("SELECT detail_state FROM listings WHERE source_id = ?",
                 [blocked_new.bbbs]))[0]["detail_state"] == "fetched"
    source = list(db.query("SELECT * FROM sources WHERE name = 'flk'"))[0]
    assert source["last_ok_at"] > source["last_error_at"]
    # Seeing everything again writes no second change.
    total = list(db.query("SELECT count(*) AS n FROM changes"))[0]["n"]
    db.close()
    fourth = crawl(settings)
    assert fourth["new_versions"] == 0 and fourth["status_changes"] == 0
    db = connect(settings.registry.path)
    assert list(db.query("SELECT count(*) AS n FROM changes"))[0]["n"] == total
    db.close()


def test_a_repeal_names_the_law_whose_text_repeals_it(tmp_path, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2009-01-01")
    scenario = Scenario.from_corpus(["食品卫生法"], today="2009-01-01")
    scenario.set_status(scenario.current("中华人民共和国食品卫生法").bbbs, 3)
    with Mirror(scenario) as mirror:
        settings = settings_for(mirror, tmp_path, kinds=("flk",))
        crawl(settings)
        monkeypatch.setenv("YIJU_TODAY", "2009-06-02")
        scenario.today = "2009-06-02"
        scenario.add_law("中华人民共和国食品安全法", gbrq="2009-02-28", sxrq="2009-06-01",
                         text_file="laws/食品安全法/2009-02-28.md")
        scenario.repeal("中华人民共和国食品卫生法")
        result = crawl(settings)["sources"]["flk"]
    # the repeal is recorded when the 食品安全法's text (…《中华人民共和国食品卫生法》同时废止) is
    # registered; the source's status flip is the same event, not a second one
    assert result["ok"] and result["status_changes"] in (0, 1)
    db = connect(settings.registry.path)
    old, new = _law(db, "中华人民共和国食品卫生法"), _law(db, "中华人民共和国食品安全法")
    assert old["status"] == "已废止" and old["successor_id"] == new["id"]
    (repeal,) = _changes(db, "中华人民共和国食品卫生法")
    assert json.loads(repeal["detail"])["successor_title"] == "中华人民共和国食品安全法"
    assert repeal["effective"] == "2009-06-01"


def test_a_newer_version_outside_the_listing_is_found_through_the_version_history(tmp_path, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2020-01-01")
    scenario = Scenario.from_corpus(["行政许可法"], upto="2010-01-01", today="2020-01-01")
    with Mirror(scenario) as mirror:
        settings = settings_for(mirror, tmp_path, kinds=("flk",))
        crawl(settings)
        new = scenario.amend("中华人民共和国行政许可法", gbrq="2019-04-23",
                             text_file="laws/行政许可法/2019-04-23.md")
        scenario.unlist(new.bbbs)               # e.g. filed under a category this source does not list
        result = crawl(settings)["sources"]["flk"]
        assert mirror.count("detail", key=new.bbbs) == 1
    assert result["ok"] and result["new_versions"] == 1
    db = connect(settings.registry.path)
    (amended,) = _changes(db, "中华人民共和国行政许可法")
    assert amended["kind"] == "amended"
    assert list(db.query("SELECT detail_state FROM listings WHERE source_id = ?", [new.bbbs]))[0]["detail_state"] == "fetched"
