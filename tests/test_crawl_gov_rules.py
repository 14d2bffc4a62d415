"""国家规章库 (kind gov_rules) crawled from the mirror: the key from the portal's script, the signed
search, the rule pages; two nights; a key that changes; and every fault a source has.

Nothing a fault does may become data: the source is marked abnormal and nothing is recorded.
"""

from __future__ import annotations

import pytest

from crawler.mirror import Mirror, Scenario, settings_for
from crawler.mirror.rules import from_manifest, read_manifest
from crawler.mirror.scenario import CORPUS
from crawler.run import crawl
from registry.schema import connect

pytestmark = pytest.mark.slow  # every test runs Scrapy in a child process against the mirror

WASTE = "危险废物转移管理办法"
CARBON = "广东省碳排放管理试行办法"
NOISE = "北京市环境噪声污染防治办法"


def _scenario(**kwargs) -> Scenario:
    scenario = Scenario(today="2026-08-01", **kwargs)
    for rule in from_manifest(CORPUS, read_manifest(CORPUS)):
        if rule.listed:                       # 环境行政处罚办法 is repealed: the site no longer lists it
            scenario.add_rule(rule)
    return scenario


@pytest.fixture
def world(tmp_path, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2026-08-01")
    with Mirror(_scenario(xzfg_page_size=2)) as mirror:
        yield mirror, settings_for(mirror, tmp_path, kinds=("gov_rules",))


def _laws(settings) -> dict[str, dict]:
    db = connect(settings.registry.path)
    try:
        return {r["title"]: r for r in db.query("SELECT * FROM laws")}
    finally:
        db.close()


def _count(settings, table: str) -> int:
    db = connect(settings.registry.path)
    try:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        db.close()


def test_first_night_lists_both_kinds_and_fetches_every_rule_with_level_issuer_and_dates(world):
    mirror, settings = world
    result = crawl(settings)
    source = result["sources"]["gjgzk"]
    assert result["ok"] and source["listing_complete"] and source["listed"] == 9 and source["new_versions"] == 9
    assert mirror.count("rules_portal") == mirror.count("rules_bundle") == 1
    assert mirror.count("rules_list") == 2                    # one page for each 规章分类
    laws = _laws(settings)
    assert (laws[WASTE]["level"], laws[WASTE]["issuer"], laws[WASTE]["region"]) == \
        ("部门规章", "生态环境部 公安部 交通运输部", None)
    assert (laws[CARBON]["level"], laws[CARBON]["region"]) == ("地方政府规章", "广东省")
    db = connect(settings.registry.path)
    row = db.execute("SELECT v.promulgated, v.effective, count(a.id) FROM versions v JOIN laws l ON l.id = v.law_id "
                     "JOIN articles a ON a.version_id = v.id WHERE l.title = ?", [WASTE]).fetchone()
    db.close()
    assert row == ("2021-11-30", "2022-01-01", 32)           # dates from the 题注, not the posting date


def test_second_night_fetches_only_the_amended_rule_and_a_rule_that_drops_out_is_not_repealed(world):
    mirror, settings = world
    crawl(settings)
    scenario = mirror.scenario
    text = (CORPUS / f"rules/{WASTE}/2021-11-30.md").read_text("utf-8").replace(
        "第一条 为加强对危险废物转移活动的监督管理", "第一条 为了加强对危险废物转移活动的监督管理")
    scenario.amend_rule(WASTE, posted="2026-06-01", text=text,
                        note="（2021年11月30日生态环境部、公安部、交通运输部令第23号公布 "
                             "根据2026年5月20日生态环境部令第99号修改 自2026年7月1日起施行）")
    scenario.unlist_rule(NOISE)
    mirror.clear_log()
    second = crawl(settings)
    source = second["sources"]["gjgzk"]
    # missing: the dropped rule and the amended rule's old page
    assert second["ok"] and source["new_versions"] == 1 and source["missing_from_listing"] == 2
    assert mirror.count("rules_detail") == 1                  # nothing fetched twice
    db = connect(settings.registry.path)
    kinds = db.execute("SELECT l.title, c.kind FROM changes c JOIN laws l ON l.id = c.law_id").fetchall()
    db.close()
    assert kinds == [(WASTE, "amended")]
    assert _laws(settings)[NOISE]["status"] == "有效"          # absence alone is never a repeal


PUBLICITY = "市场监督管理行政处罚信息公示规定"
DECISION = "国家市场监督管理总局关于废止部分规章的决定"
# Written for this test in the form of the ministry's real repeal decisions (令号 in the 题注, the
# rules it repeals listed with their 令号); no such decision has been issued.
DECISION_NOTE = "（2026年6月28日国家市场监督管理总局令第125号公布 自公布之日起施行）"
DECISION_TEXT = (
    "为维护法制统一，国家市场监督管理总局对现行有效的规章进行了清理。经研究，决定废止以下规章：\n"
    "一、《市场监督管理行政处罚信息公示规定》（2021年7月30日国家市场监督管理总局令第45号公布）\n"
    "本决定自公布之日起施行。\n")


def test_a_rule_repealed_by_a_ministry_decision_is_repealed_with_that_decision(world):
    mirror, settings = world
    crawl(settings)
    mirror.scenario.repeal_rule(PUBLICITY, decision_title=DECISION, posted="2026-06-30", note=DECISION_NOTE,
                                issuer="国家市场监督管理总局", text=DECISION_TEXT)
    mirror.scenario.unlist_rule(NOISE)                       # dropped out too, but no decision names it
    second = crawl(settings)
    source = second["sources"]["gjgzk"]
    assert second["ok"] and source["instruments"] == 1 and source["status_changes"] == 1
    laws = _laws(settings)
    assert laws[PUBLICITY]["status"] == "已废止" and laws[PUBLICITY]["repealed_on"] == "2026-06-28"
    assert laws[NOISE]["status"] == "有效"                    # absence alone is never a repeal
    assert DECISION not in laws                              # a decision is an instrument, not a rule
    db = connect(settings.registry.path)
    changes = db.execute("SELECT l.title, c.kind, c.effective, i.title, i.kind FROM changes c "
                         "JOIN laws l ON l.id = c.law_id LEFT JOIN instruments i ON i.id = c.instrument_id").fetchall()
    db.close()
    assert changes == [(PUBLICITY, "repealed", "2026-06-28", DECISION, "废止决定")]
    third = crawl(settings)                                  # the next night: nothing again
    assert third["ok"] and third["sources"]["gjgzk"]["status_changes"] == 0 and _count(settings, "changes") == 1


@pytest.mark.parametrize("refusal", ["http", "code"])
def test_a_refused_key_is_discovered_again_once(world, refusal):
    mirror, settings = world
    crawl(settings)
    mirror.scenario.rules_refusal = refusal
    mirror.scenario.fault("rules_list", kind="stale_key", times=1)   # the key changes after it was read
    mirror.scenario.amend_rule(CARBON, posted="2026-07-01", note="（2014年1月15日广东省人民政府令第197号公布 "
                               "2026年7月1日广东省人民政府令第300号第二次修改）",
                               text_file=f"rules/{CARBON}/2020-05-12.md")
    second = crawl(settings)
    assert second["ok"] and second["sources"]["gjgzk"]["listing_complete"]
    assert mirror.count("rules_bundle") == 3                  # night one, night two, and once more when refused


def test_a_key_refused_again_after_discovery_fails_the_listing_and_records_nothing(world):
    mirror, settings = world
    mirror.scenario.rules_refusal = "code"
    original = mirror.rule_keys.accepts
    mirror.rule_keys.accepts = lambda key: False              # the API refuses every key tonight
    try:
        result = crawl(settings)
    finally:
        mirror.rule_keys.accepts = original
    source = result["sources"]["gjgzk"]
    assert not result["ok"] and source["health"] == "failed" and not source["listing_complete"]
    assert "拒绝了密钥" in source["error"] or any("拒绝了密钥" in e["error"] for e in source["errors"])
    assert _count(settings, "versions") == 0 and _count(settings, "listings") == 0


@pytest.mark.parametrize("endpoint, kind", [
    ("rules_list", "waf"), ("rules_list", "empty"), ("rules_list", "truncated"), ("rules_list", "500"),
    ("rules_portal", "waf"), ("rules_bundle", "spa"),
])
def test_faults_mark_the_source_abnormal_and_invent_nothing(world, endpoint, kind):
    mirror, settings = world
    mirror.scenario.fault(endpoint, kind=kind)
    result = crawl(settings)
    source = result["sources"]["gjgzk"]
    assert not result["ok"] and source["health"] != "ok"
    assert _count(settings, "versions") == 0 and _count(settings, "changes") == 0


def test_throttling_is_retried_and_the_night_completes(world):
    mirror, settings = world
    mirror.scenario.fault("rules_list", kind="429", times=1)
    result = crawl(settings)
    assert result["ok"] and result["sources"]["gjgzk"]["new_versions"] == 9
    assert result["sources"]["gjgzk"]["throttled"]


def test_a_fault_on_one_rule_page_fails_that_rule_only_and_it_is_fetched_next_night(world):
    mirror, settings = world
    path = next(r.path for r in mirror.scenario.rules.values() if r.title == WASTE)
    mirror.scenario.fault("rules_detail", kind="waf", key=path)
    first = crawl(settings)
    assert not first["ok"] and first["sources"]["gjgzk"]["new_versions"] == 8
    assert WASTE not in _laws(settings)
    mirror.scenario.clear_faults()
    second = crawl(settings)
    assert second["ok"] and second["sources"]["gjgzk"]["new_versions"] == 1 and WASTE in _laws(settings)


def test_flat_answers_with_values_as_lists_read_the_same(tmp_path, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2026-08-01")
    scenario = _scenario()
    scenario.rules_flat = scenario.rules_as_lists = True
    with Mirror(scenario) as mirror:
        settings = settings_for(mirror, tmp_path, kinds=("gov_rules",))
        result = crawl(settings)
    assert result["ok"] and result["sources"]["gjgzk"]["new_versions"] == 9


def test_an_api_address_off_the_site_is_refused(world, monkeypatch):
    mirror, settings = world
    from crawler.mirror import rules

    monkeypatch.setattr(rules, "bundle_text", lambda base, keys, _orig=rules.bundle_text:
                        _orig("https://collector.example.com", keys))
    result = crawl(settings)
    source = result["sources"]["gjgzk"]
    assert not result["ok"] and "不在允许的站点上" in str(source["errors"])
    assert mirror.count("rules_list") == 0
