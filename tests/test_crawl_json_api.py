"""A provincial database with a JSON API (kind json_api, profile gdpc: 广东省法规规章规范性文件数据库)
crawled from the mirror: with and without the Q-Token, a scanned PDF reported as 无正文, and faults."""

from __future__ import annotations

import json

import pytest

from crawler.mirror import Mirror, Scenario, settings_for
from crawler.mirror.gdpc import GdDoc, doc_id, from_manifest
from crawler.mirror.rules import read_manifest
from crawler.mirror.scenario import CORPUS
from crawler.run import crawl
from registry.schema import connect
from tests.conftest import Yiju

pytestmark = pytest.mark.slow  # every test runs Scrapy in a child process against the mirror

CARBON = "广东省碳排放管理试行办法"
SCANNED = "广东省环境保护条例"


def _scenario(token_required: bool) -> Scenario:
    scenario = Scenario(today="2026-08-01")
    for doc in from_manifest(CORPUS, read_manifest(CORPUS)):
        scenario.add_gd(doc)
    scenario.add_gd(GdDoc(id=doc_id(SCANNED, "2022-11-30"), title=SCANNED, law_rule_type=1, pass_date="2022-11-30",
                          file_ext="scan"))
    scenario.gd_token_required = token_required
    return scenario


@pytest.fixture(params=[True, False], ids=["token-required", "no-token"])
def world(request, tmp_path, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2026-08-01")
    with Mirror(_scenario(request.param)) as mirror:
        yield mirror, settings_for(mirror, tmp_path, kinds=("json_api",))


def test_rules_and_regulations_are_fetched_and_a_scanned_pdf_is_reported_as_without_text(world):
    mirror, settings = world
    result = crawl(settings)
    source = result["sources"]["gdpc"]
    assert result["ok"] and source["listed"] == 2 and source["new_versions"] == 1 and source["unavailable"] == 1
    assert mirror.count("gd_list") == 2                               # 地方性法规 and 政府规章, one page each
    db = connect(settings.registry.path)
    laws = {r["title"]: r for r in db.query("SELECT * FROM laws")}
    state = db.execute("SELECT detail_state FROM listings WHERE title = ?", [SCANNED]).fetchone()[0]
    articles = db.execute("SELECT count(*) FROM articles a JOIN versions v ON v.id = a.version_id "
                          "JOIN laws l ON l.id = v.law_id WHERE l.title = ?", [CARBON]).fetchone()[0]
    db.close()
    assert (laws[CARBON]["level"], laws[CARBON]["region"], laws[CARBON]["issuer"]) == \
        ("地方政府规章", "广东省", "广东省人民政府")
    assert articles == 42
    assert SCANNED not in laws and state == "unavailable"             # never an empty law


def test_the_coverage_report_counts_the_documents_without_text(world, tmp_path):
    mirror, settings = world
    crawl(settings)
    config = tmp_path / "yiju.toml"
    config.write_text(f'[registry]\npath = "{settings.registry.path}"\nfiles = "{settings.registry.files}"\n', "utf-8")
    yiju = Yiju(config)
    result = yiju("coverage", "--json")
    report = json.loads(result.stdout)
    assert [u["title"] for u in report["untexted"]] == [SCANNED]
    text = yiju("coverage").stdout
    assert "无法读取正文的文件（无正文" in text and SCANNED in text


@pytest.mark.parametrize("endpoint, kind", [("gd_list", "waf"), ("gd_list", "empty"), ("gd_list", "truncated"),
                                            ("gd_list", "500")])
def test_faults_of_the_listing_record_nothing(tmp_path, monkeypatch, endpoint, kind):
    monkeypatch.setenv("YIJU_TODAY", "2026-08-01")
    with Mirror(_scenario(False)) as mirror:
        settings = settings_for(mirror, tmp_path, kinds=("json_api",))
        mirror.scenario.fault(endpoint, kind=kind)
        result = crawl(settings)
    assert not result["ok"] and not result["sources"]["gdpc"]["listing_complete"]
    db = connect(settings.registry.path)
    assert db.execute("SELECT count(*) FROM versions").fetchone()[0] == 0
    db.close()


def test_a_failed_file_is_a_failure_and_is_fetched_the_next_night(tmp_path, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2026-08-01")
    with Mirror(_scenario(False)) as mirror:
        settings = settings_for(mirror, tmp_path, kinds=("json_api",))
        mirror.scenario.fault("gd_file", kind="waf")
        first = crawl(settings)
        assert not first["ok"] and first["sources"]["gdpc"]["new_versions"] == 0
        mirror.scenario.clear_faults()
        second = crawl(settings)
    assert second["ok"] and second["sources"]["gdpc"]["new_versions"] == 1
