"""``yiju coverage``: what the duties cite that the registry does not hold, by level and source."""

from __future__ import annotations

import json

import pytest

from config.settings import SourceSettings
from impact.coverage import coverage, source_for
from tests.conftest import law_text

LIST = """事项名称,实施主体,执法依据
对未依法取得排污许可证排放大气污染物的行政处罚,示范市生态环境局,《中华人民共和国大气污染防治法》第九十九条第（一）项
对医疗废物的行政处罚,示范市生态环境局,《医疗废物管理行政处罚办法》第三条；《中华人民共和国环境噪声污染防治法》第四十八条
对医疗废物暂存的行政处罚,示范市生态环境局,《医疗废物管理行政处罚办法》第五条
对失信企业的管理,示范市市场监督管理局,《严重违法失信企业名单管理暂行办法》第五条；《广西壮族自治区固定资产投资项目节能审查办法》第十条
对某事项的检查,示范市市场监督管理局,《关于加强市场监管执法工作的通知》第二条
"""


@pytest.fixture
def yiju(yiju, tmp_path):
    """The command line of conftest, on a registry holding 大气污染防治法 and a small power list."""
    laws = tmp_path / "laws" / "大气污染防治法"
    laws.mkdir(parents=True)
    (laws / "2018-10-26.md").write_text(law_text("大气污染防治法", "2018-10-26"), "utf-8")
    power_list = tmp_path / "list.csv"
    power_list.write_text(LIST, "utf-8")
    assert yiju("laws", "import", tmp_path / "laws").exit_code == 0
    assert yiju("duties", "import", power_list).exit_code == 0
    return yiju


def test_json_names_each_unheld_document_with_level_duties_and_source(yiju):
    result = yiju("coverage", "--json")
    assert result.exit_code == 0
    report = json.loads(result.output)
    by_title = {m["title"]: m for m in report["missing"]}
    assert set(by_title) == {"医疗废物管理行政处罚办法", "中华人民共和国环境噪声污染防治法", "严重违法失信企业名单管理暂行办法",
                             "广西壮族自治区固定资产投资项目节能审查办法", "关于加强市场监管执法工作的通知"}
    assert by_title["医疗废物管理行政处罚办法"] == {"title": "医疗废物管理行政处罚办法", "level": "部门规章",
                                                    "duties": 2, "source": None}
    assert by_title["中华人民共和国环境噪声污染防治法"]["level"] == "法律"
    assert by_title["广西壮族自治区固定资产投资项目节能审查办法"]["level"] == "地方政府规章"
    assert by_title["关于加强市场监管执法工作的通知"]["level"] == "规范性文件"
    assert report["missing"][0]["title"] == "医疗废物管理行政处罚办法"       # most duties first
    assert report["totals"] == {"法律": 1, "行政法规": 0, "地方性法规": 0, "部门规章": 2, "地方政府规章": 1,
                                "规范性文件": 1, "司法解释": 0, "未知": 0}


def test_department_filter_and_unknown_department(yiju):
    report = json.loads(yiju("coverage", "--department", "示范市生态环境局", "--json").output)
    assert {m["title"] for m in report["missing"]} == {"医疗废物管理行政处罚办法", "中华人民共和国环境噪声污染防治法"}
    bad = yiju("coverage", "--department", "不存在的局")
    assert bad.exit_code == 2
    assert "没有名为“不存在的局”的部门" in bad.stderr and "示范市生态环境局" in bad.stderr


def test_table_is_chinese_and_says_what_is_not_tracked(yiju):
    result = yiju("coverage")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("职权引用、但登记库中没有的法律文件")
    assert any(line.split()[:2] == ["2", "部门规章"] and line.endswith("医疗废物管理行政处罚办法") for line in lines)
    assert lines[-1] == "共 5 个未登记的文件：法律 1，部门规章 2，地方政府规章 1，规范性文件 1。"
    assert "其中 5 个没有已配置的数据源会抓取" in result.stderr


def test_source_is_the_configured_source_for_that_level_and_place():
    flk = SourceSettings(name="flk", kind="flk", base_url="https://flk.npc.gov.cn")
    rules = SourceSettings(name="规章库", kind="gov_rules", base_url="https://www.gov.cn")
    gd = SourceSettings(name="gd", kind="json_api", base_url="https://www.gdpc.gov.cn", region="广东省")
    sources = [flk, rules, gd]
    assert source_for("中华人民共和国种子法", "法律", sources) == "flk"
    assert source_for("医疗废物管理行政处罚办法", "部门规章", sources) == "规章库"
    assert source_for("关于加强执法工作的通知", "规范性文件", sources) is None        # national: not in a province's database
    assert source_for("广东省环境保护厅关于执法的通知", "规范性文件", sources) == "gd"
    assert source_for("广西壮族自治区固定资产投资项目节能审查办法", "地方政府规章", [flk, gd]) is None


def test_no_duties_no_missing(db):
    assert coverage(db, sources=[])["missing"] == []


def test_the_digest_carries_the_coverage_totals(yiju, config_file, tmp_path):
    from notify.digest import write_digest
    from registry.runs import save_run, start_run
    from registry.schema import connect

    db = connect(config_file.parent / "data" / "yiju.db")
    run_id = start_run(db)
    save_run(db, run_id, state="succeeded")
    paths = write_digest(db, run_id, tmp_path / "digests")
    db.close()
    html = paths["html"].read_text("utf-8")
    md = paths["md"].read_text("utf-8")
    assert "九、未跟踪的法律文件" in html and "<td>部门规章</td><td>2</td>" in html and "<b>5</b>" in html
    assert "职权引用、但登记库中没有的文件 5 个：法律 1，部门规章 2，地方政府规章 1，规范性文件 1" in md
