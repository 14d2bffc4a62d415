"""``yiju crawl`` as a user runs it, against the local mirror."""

from __future__ import annotations

import json

import pytest

from crawler.mirror import Mirror, Scenario, toml_for
from tests.conftest import Yiju


@pytest.fixture
def setup(tmp_path, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2024-01-01")
    scenario = Scenario.from_corpus(["行政处罚法", "北京市安全生产条例", "互联网上网服务营业场所管理条例"],
                                   today="2024-01-01", html_page_size=5)   # one of each source: none is empty
    with Mirror(scenario) as mirror:
        config = tmp_path / "yiju.toml"
        config.write_text(toml_for(mirror), "utf-8")
        yield mirror, Yiju(config)


@pytest.mark.slow  # Scrapy in a child process
def test_crawl_prints_a_table_of_sources_and_records_the_run(setup):
    mirror, yiju = setup
    result = yiju("crawl")
    assert result.exit_code == 0, result.output
    assert "抓取结果" in result.stdout and "flk" in result.stdout and "正常" in result.stdout
    again = yiju("crawl", "--source", "flk", "--json")
    assert again.exit_code == 0, again.output
    data = json.loads(again.stdout)
    assert list(data["sources"]) == ["flk"] and data["sources"]["flk"]["new_versions"] == 0
    assert data["sources"]["flk"]["requests"] <= 3          # robots.txt ×2 and one list page: nothing new
    assert data["run_id"] == 2


@pytest.mark.slow  # Scrapy in a child process
def test_a_failing_source_makes_crawl_exit_non_zero(setup):
    mirror, yiju = setup
    mirror.scenario.fault("list", "waf")
    result = yiju("crawl", "--source", "flk")
    assert result.exit_code == 1
    assert "抓取失败" in result.stdout and "WAF" in result.stderr


def test_an_unknown_source_is_a_user_error(setup):
    _, yiju = setup
    result = yiju("crawl", "--source", "nope")
    assert result.exit_code == 2 and "错误：" in result.stderr and "nope" in result.stderr
