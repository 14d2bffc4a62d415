"""Who holds a power outside the environment field: the authorities laws name and the departments
that are those authorities, as a 市场监督管理局, 财政局 or 文化广电旅游局 meets them."""

from __future__ import annotations

import pytest

from diffing.powers import authorities
from impact import proposals as props
from impact.process import run_impact
from impact.record import record_version
from tests.builders import listed_duty
from tests.conftest import law_text

FOOD = "中华人民共和国食品安全法"
MARKET = "江门市市场监督管理局"


@pytest.mark.parametrize("phrase, domain", [
    # 食品安全法 2025 第一百二十二条; the names 2018's 机构改革 merged into 市场监督管理
    ("县级以上人民政府食品安全监督管理部门", "市场监督管理"),
    ("特种设备安全监督管理部门", "市场监督管理"),              # 特种设备安全监察条例 第七十二条
    ("政府价格主管部门", "市场监督管理"),                      # 价格违法行为行政处罚规定 第十六条
    ("城市人民政府市容环境卫生行政主管部门", "城市管理"),      # 城市市容和环境卫生管理条例 第三十五条: not 卫生健康
    ("县级以上人民政府财政部门", "财政"),                      # 会计法 2024 第四十条: not 民政 (人民政府)
    ("县级以上人民政府民政部门", "民政"),
    ("县级以上人民政府城乡规划主管部门", "自然资源"),          # 城乡规划法 第六十条
    ("县级以上人民政府疾病预防控制部门", "疾病预防控制"),      # 传染病防治法 2025
    ("县级以上人民政府文物行政部门", "文物"),                  # 文物保护法 2024 第八十三条
    ("劳动保障行政部门", "人力资源社会保障"),                  # 劳动保障监察条例 第二十三条
    ("税务机关", "税务"),                                      # 发票管理办法 2023 第三十三条
])
def test_an_authority_a_law_names_is_the_department_that_holds_it_today(phrase, domain):
    assert [a.domain for a in authorities(phrase)] == [domain]


def test_phrases_that_name_no_department_stay_unknown():
    for phrase in ("县级以上地方人民政府确定的监督管理部门", "负有危险化学品安全监督管理职责的部门", "县级以上人民政府有关部门"):
        assert [a.domain for a in authorities(phrase)] == [None], phrase


@pytest.mark.parametrize("name, domains, level", [
    ("江门市市场监督管理局", ["市场监督管理", "药品监督管理", "知识产权"], "设区的市级"),
    ("台山市文化广电体育和旅游局", ["文化和旅游", "文物", "体育"], "设区的市级"),
    ("国家税务总局江门市蓬江区税务局", ["税务"], "县级"),     # not a national body for being 国家税务总局's
    ("江门市人力资源和社会保障局", ["人力资源社会保障"], "设区的市级"),
    ("江门市财政局", ["财政"], "设区的市级"),
])
def test_a_department_is_read_from_its_name_until_the_office_says_otherwise(name, domains, level):
    assert props.default_domains(name) == domains
    assert props.default_level(name) == level


def test_a_market_bureau_gets_the_food_safety_powers_its_list_lacks_and_the_amendments_new_ones(db):
    record_version(db, title=FOOD, text=law_text("食品安全法", "2021-04-29"), source="import",
                   source_id="食品/2021", promulgated="2021-04-29", effective="2021-04-29")
    listed_duty(db, MARKET, "对未取得食品生产经营许可从事食品生产经营活动的行政处罚",
             "《中华人民共和国食品安全法》第一百二十二条第一款")
    listed_duty(db, "江门市生态环境局", "对违反行政处罚法规定的处罚", "《中华人民共和国行政处罚法》第八条")
    run_impact(db)
    before = {(p["article"], p["paragraph"], p["item"]) for p in props.list_proposals(db, department=MARKET)}
    assert ("第一百二十三条", 1, 1) in before                     # 用非食品原料生产食品
    assert ("第一百二十二条", 1, None) not in before              # on the list already
    assert not props.list_proposals(db, department="江门市生态环境局")

    # 2025: 第一百三十二条 on the bulk road transport of liquid food is rewritten with new penalties
    record_version(db, title=FOOD, text=law_text("食品安全法", "2025-09-12"), source="import",
                   source_id="食品/2025", promulgated="2025-09-12", effective="2025-12-01")
    run_impact(db)
    after = props.list_proposals(db, department=MARKET)
    new = {(p["article"], p["paragraph"]) for p in after} - {(a, b) for a, b, _ in before}
    assert ("第一百三十二条", 3) in new                           # 未取得准运证从事重点液态食品道路散装运输
    transport = next(p for p in after if p["article"] == "第一百三十二条" and p["paragraph"] == 3)
    assert "准运证" in transport["name"] and transport["type"] == "行政处罚"


def test_powers_an_upgrade_reads_for_the_first_time_are_baseline_not_news(db, monkeypatch):
    """A registry whose last pass used other rules (an older release that did not know
    食品安全监督管理部门): the new reading gives the market bureau 食品安全法's powers as the
    coverage baseline; the next digest and alert do not announce them, as no law changed."""
    from registry import proposals as proposal_store

    record_version(db, title=FOOD, text=law_text("食品安全法", "2021-04-29"), source="import",
                   source_id="食品/2021", promulgated="2021-04-29", effective="2021-04-29")
    listed_duty(db, MARKET, "对未取得食品生产经营许可从事食品生产经营活动的行政处罚",
             "《中华人民共和国食品安全法》第一百二十二条第一款")
    run_impact(db)
    # the older release found none of them, and recorded its own rules
    db.execute("DELETE FROM proposals")
    db.execute("UPDATE audit SET detail = json_set(detail, '$.rules', 'older') WHERE action = 'proposals.generate'")
    assert proposal_store.full_pass_rules(db) == "older"

    result = run_impact(db)
    assert result["proposals"]["reread"] > 40
    found = props.list_proposals(db, department=MARKET)
    assert ("第一百二十三条", 1, 1) in {(p["article"], p["paragraph"], p["item"]) for p in found}
    assert all(p["baseline"] for p in found)
    assert proposal_store.list_proposals(db, unnotified=True) == []       # nothing for the digest's news
    assert run_impact(db)["proposals"].get("reread") is None              # once


def test_a_short_department_name_in_a_list_is_one_of_the_authorities():
    # 未成年人保护法 2024 第一百一十九条: "由公安、教育、卫生健康、市场监督管理等部门按照职责分工责令改正"
    assert [a.domain for a in authorities("公安、教育、卫生健康、市场监督管理等部门")] == [
        "公安", "教育", "卫生健康", "市场监督管理"]
    # a short word that is no department stays out: 传染病防治法 2025 第一百零六条
    assert [a.domain for a in authorities("交通运输、铁路、民用航空、邮政管理部门")] == ["交通运输", "民用航空", "邮政管理"]
