"""Regressions found by an independent review of the crawler against the rule
"a failed fetch is never read as a change in the law" (each scenario reproduced against the mirror)."""

from __future__ import annotations

import pytest

from crawler.mirror import Mirror, Scenario, settings_for
from crawler.run import crawl
from registry.schema import connect


@pytest.fixture(autouse=True)
def mirror_date(monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2024-06-01")


def text(title: str, n: int = 4, extra: str = "") -> str:
    return title + "\n" + "\n".join(
        f"第{c}条　{title}{extra}第{c}条规定了有关事项，有关部门应当依法履行职责。" for c in "一二三四五六"[:n])


@pytest.mark.slow  # Scrapy in a child process
def test_a_replaced_text_marked_repealed_does_not_repeal_the_law_in_force(tmp_path):
    """A regulation re-enacted under its title: the old text flips to 已废止, the new one is in force."""
    s = Scenario(today="2024-06-01")
    old = s.add_law("北京市示例条例", gbrq="2015-01-01", text=text("北京市示例条例"), level="地方性法规")
    with Mirror(s) as m:
        settings = settings_for(m, tmp_path, kinds=("flk",))
        crawl(settings)
        s.add_law("北京市示例条例", gbrq="2024-03-01", text=text("北京市示例条例", 5, "（新）"),
                  level="地方性法规", work="re-enacted")
        s.set_status(old.bbbs, 1)
        crawl(settings)
    db = connect(settings.registry.path)
    assert list(db.query("SELECT status FROM laws"))[0]["status"] == "有效"
    assert [c["kind"] for c in list(db.query("SELECT kind FROM changes"))] == ["amended"]


@pytest.mark.slow  # Scrapy in a child process
def test_a_list_page_without_its_rows_makes_the_listing_incomplete_and_records_nothing(tmp_path):
    """HTTP 200, code 200, the total, but no rows on page 2: not the end of the listing."""
    s = Scenario(today="2024-06-01")
    for i in range(5):
        s.add_law(f"中华人民共和国示例{i}法", gbrq=f"2016-01-0{i + 1}", text=text(f"中华人民共和国示例{i}法"))
    with Mirror(s) as m:
        settings = settings_for(m, tmp_path, kinds=("flk",))
        settings.sources[0].page_size = 2
        s.fault("list_rows", key="2")
        first = crawl(settings)["sources"]["flk"]
        db = connect(settings.registry.path)
        assert not first["ok"] and "只返回了 0 条" in first["error"]
        assert db["versions"].count == 0 and db["changes"].count == 0 and db["listings"].count == 0
        s.clear_faults()
        second = crawl(settings)["sources"]["flk"]
    assert second["ok"] and second["new_versions"] == 5
    assert db["changes"].count == 0                     # the baseline is history, not news


@pytest.mark.slow  # Scrapy in a child process
def test_an_error_answer_from_the_file_host_is_a_failure_and_is_fetched_again(tmp_path):
    s = Scenario(today="2024-06-01")
    law = s.add_law("中华人民共和国甲法", gbrq="2015-01-01", text=text("中华人民共和国甲法"))
    s.fault("file", "error", key=law.bbbs)       # 200 {"code":500,"msg":"系统异常"} instead of the .docx
    with Mirror(s) as m:
        settings = settings_for(m, tmp_path, kinds=("flk",))
        night1 = crawl(settings)["sources"]["flk"]
        db = connect(settings.registry.path)
        assert night1["new_versions"] == 0 and db["versions"].count == 0
        assert list(db.query("SELECT detail_state FROM listings"))[0]["detail_state"] == "failed"
        s.clear_faults()
        night2 = crawl(settings)["sources"]["flk"]
    assert night2["new_versions"] == 1


@pytest.mark.parametrize("url, allowed", [
    ("https://flkoss.obs-bj2.cucloud.cn/prod/x.docx?X-Amz-Expires=3600", True),
    ("https://evil.example\\@flkoss.obs-bj2.cucloud.cn/x.docx", False),
    ("https://evil.example@flkoss.obs-bj2.cucloud.cn/x.docx", False),
    ("https://flkoss.obs-bj2.cucloud.cn:99999/x.docx", False),
    ("https://flkoss.obs-bj2.cucloud.cn.evil.example/x.docx", False),
])
def test_signed_urls_only_reach_the_listed_file_hosts(url, allowed):
    from crawler.spiders.base import SourceSpider

    class Source:
        file_hosts = ["flkoss.obs-bj2.cucloud.cn"]

    spider = SourceSpider.__new__(SourceSpider)
    spider.source = Source()
    assert spider.file_host_allowed(url) is allowed
