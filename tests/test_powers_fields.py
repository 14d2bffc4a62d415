"""The powers of laws outside the environment field, as the legal officer of the department holding
them reads them: who holds a clause that names no authority, which words are measures and which are
not, coercive measures named from the text, and the proposals a department of that field gets."""

from __future__ import annotations

import pytest

from diffing.powers import authorities, law_powers, measures
from impact import duties as duty_store
from impact import proposals as props
from impact.record import record_version
from tests.conftest import CORPUS, law_text
from texts.structure import parse


def powers(short: str, date: str, label: str | None = None):
    law = parse(law_text(short, date))
    ps = law_powers((a.label, [(q.text, q.items) for q in a.paragraphs]) for a in law.articles)
    return [p for p in ps if label is None or p.article == label]


def domains(p) -> set:
    return {a.domain for a in p.authorities if a.domain}


def test_penalties_the_law_gives_to_one_authority_in_a_clause_of_its_own():
    """产品质量法 第四十九条 names no authority; 第七十条 gives 第四十九条至第五十七条… to 市场监督管理部门."""
    ps = powers("产品质量法", "2018-12-29", "第四十九条")
    assert [p.type for p in ps] == ["行政处罚"]
    assert domains(ps[0]) == {"市场监督管理"}
    assert ps[0].authorities[0].source == "第七十条"
    assert {"没收违法所得", "没收非法财物", "罚款", "吊销许可证件"} <= set(ps[0].measures)
    assert powers("产品质量法", "2018-12-29", "第七十条") == []     # who decides is not a power of its own


def test_penalties_of_the_authority_in_charge_of_the_field():
    """道路交通安全法 第八十九条 names no authority: 第五条 puts the 公安机关交通管理部门 in charge (县级以上);
    拘留 is the 公安机关's (第一百一十一条), 口头警告 is no 警告."""
    first = powers("道路交通安全法", "2021-04-29", "第八十九条")
    assert {(p.type, frozenset(domains(p))) for p in first} == {("行政处罚", frozenset({"公安交通管理"})),
                                                             ("行政强制", frozenset({"公安交通管理"}))}
    assert first[0].authorities[0].level == "县级以上"
    drunk = [p for p in powers("道路交通安全法", "2021-04-29", "第九十一条") if p.paragraph == 1]
    assert {d for p in drunk for d in domains(p)} == {"公安交通管理", "公安"}
    assert next(p for p in drunk if "公安" in domains(p)).measures == ("行政拘留",)
    assert "暂扣许可证件" in next(p for p in drunk if "公安交通管理" in domains(p)).measures
    assert powers("道路交通安全法", "2021-04-29", "第八十七条") == []


def test_a_law_that_says_who_decides_closing_and_detention():
    """安全生产法 第一百一十五条: 予以关闭 by 县级以上人民政府, 拘留 by 公安机关, even where the clause says 由应急管理部门."""
    ps = powers("安全生产法", "2021-06-10")
    assert len([p for p in ps if p.type == "行政处罚"]) >= 45
    fled = [p for p in ps if p.article == "第一百一十条" and p.paragraph == 1]
    assert {d for p in fled for d in domains(p)} == {"应急管理", "公安"}
    closing = [p for p in ps if p.article == "第一百一十三条"]
    assert [p.item for p in closing] == [1, 2, 3, 4]
    assert all(domains(p) == {"人民政府"} and p.authorities[0].level == "县级以上" for p in closing)


def test_supervision_of_governments_is_no_power_and_city_or_county_is_any_level_from_the_county_up():
    """城乡规划法 第五十八条 (由上级人民政府…通报批评) is not a power; 第六十六条 由所在地城市、县人民政府城乡规划主管部门."""
    assert powers("城乡规划法", "2019-04-23", "第五十八条") == []
    assert powers("城乡规划法", "2019-04-23", "第六十条") == []
    temporary = powers("城乡规划法", "2019-04-23", "第六十六条")
    assert [p.item for p in temporary] == [1, 2, 3]
    assert all([(a.domain, a.level) for a in p.authorities] == [("自然资源", "县级以上")] for p in temporary)


def test_city_appearance_is_the_city_management_department():
    """城市市容和环境卫生管理条例: 市容环境卫生行政主管部门 is not 卫生健康; "有下列行为之一者，…除责令…外，可以并处警告、罚款"."""
    ps = powers("城市市容和环境卫生管理条例", "2017-03-01")
    items = [p for p in ps if p.article == "第三十四条"]
    assert [p.item for p in items] == list(range(1, 8))
    assert {d for p in ps for d in domains(p)} >= {"城市管理"}
    assert not any("卫生健康" in domains(p) for p in ps)
    assert all(a.raw != "其委托的单位" for p in ps for a in p.authorities)
    assert next(p for p in ps if p.article == "第三十九条").authorities[0].domain == "公安"


def test_a_fine_for_some_items_only():
    """劳动保障监察条例 第三十条: "对有第(一)项、第(二)项或者第(三)项规定的行为的，处…罚款"; 第(四)项 gets 责令改正 only."""
    ps = [p for p in powers("劳动保障监察条例", "2004-11-01", "第三十条") if p.paragraph == 1]
    assert [p.item for p in ps] == [1, 2, 3]
    assert all(domains(p) == {"人力资源社会保障"} for p in ps)


def test_coercive_measures_are_named_from_the_text():
    food = [p for p in powers("食品安全法", "2025-09-12", "第一百一十条") if p.type == "行政强制"]
    assert [(p.item, p.name) for p in food] == [
        (4, "查封、扣押有证据证明不符合食品安全标准或者有证据证明存在安全隐患以及用于违法生产经营的食品、食品添加剂、食品相关产品"),
        (5, "查封违法从事生产经营活动的场所")]
    assert all(domains(p) == {"市场监督管理"} for p in food)
    air = [p for p in powers("大气污染防治法", "2018-10-26", "第三十条") if p.type == "行政强制"]
    assert [p.name for p in air] == ["对有关设施、设备、物品的查封、扣押"]
    patent = [p for p in powers("专利法", "2020-10-17", "第六十九条") if p.type == "行政强制"]
    assert [p.name for p in patent] == ["对有证据证明是假冒专利的产品予以查封或者扣押"]
    planning = [p for p in powers("城乡规划法", "2019-04-23", "第六十八条") if p.type == "行政强制"]
    assert [p.name for p in planning] == ["查封施工现场、强制拆除"]


def test_what_was_seized_before_or_may_not_be_seized_is_no_power():
    assert not [p for p in powers("治安管理处罚法", "2025-06-27", "第一百零五条") if p.type == "行政强制"]
    assert not [p for p in powers("海关法", law_date("海关法"), "第九十三条") if p.type == "行政强制"]
    assert not [p for p in powers("居民身份证法", law_date("居民身份证法"), "第六条") if p.type == "行政强制"]


def law_date(short: str) -> str:
    return sorted(p.stem for p in (CORPUS / short).glob("*.md"))[-1]


def test_measures_and_not_measures():
    assert measures("指出违法行为，给予口头警告后放行") == []
    assert measures("给予警告、记过、记大过处分") == []
    assert [m for m, _ in measures("需要作进一步调查的，可以拘留审查")] == ["拘留审查"]
    assert [m for m, _ in measures("处暂扣六个月机动车驾驶证，并处一千元以上二千元以下罚款")] == ["罚款", "暂扣许可证件"]
    assert ("没收违法所得", "行政处罚") in measures("不能拆除的，没收实物或者违法收入")


def test_authority_names_of_other_fields():
    assert [(a.domain, a.shared) for a in authorities("住房和城乡建设主管部门、消防救援机构")] == [
        ("住房城乡建设", False), ("消防救援", False)]
    assert [a.domain for a in authorities("地方人民政府有关部门")] == [None]          # not 民政
    assert [a.domain for a in authorities("县级以上人民政府食品安全监督管理部门")] == ["市场监督管理"]
    assert [a.domain for a in authorities("县级以上地方各级人民政府价格主管部门")] == ["市场监督管理"]
    assert [a.domain for a in authorities("劳动保障行政部门")] == ["人力资源社会保障"]
    assert [a.domain for a in authorities("县级以上人民政府药品监督管理部门")] == ["药品监督管理"]
    assert [(a.domain, a.level) for a in authorities("所在地城市、县人民政府城乡规划主管部门")] == [("自然资源", "县级以上")]


@pytest.fixture
def quality(db):
    record_version(db, title="中华人民共和国产品质量法", text=law_text("产品质量法", "2018-12-29"), source="import",
                   source_id="产品质量法/2018", promulgated="2018-12-29", effective="2018-12-29")
    # each department has a list (one duty under another law): without one there is nothing to compare with
    for department in ("江门市市场监督管理局", "江门市公安局", "江门市生态环境局"):
        with db.atomic():
            dep_id, _ = duty_store.ensure_department(db, department)
            duty_store._write_version(
                db, {"code": None, "name": "对违反行政处罚法规定的处罚", "kind": "行政处罚", "department_id": dep_id,
                     "post_id": None, "level": None, "note": None,
                     "basis_text": "《中华人民共和国行政处罚法》第八条", "penalty_basis_text": None},
                key=duty_store.duty_key(dep_id, code=None, name="对违反行政处罚法规定的处罚"), version=1,
                previous_id=None, stamp="2020-03-01T00:00:00+00:00", actor="test", source_file=None,
                source_row=None, as_of=None)
    return db


def test_a_market_regulation_bureau_is_proposed_the_penalties_of_the_product_quality_law(quality):
    props.generate(quality, law="产品质量法")
    market = {p["basis_text"].split("》")[1] for p in props.list_proposals(quality, department="江门市市场监督管理局")}
    assert {"第四十九条", "第五十条", "第六十三条", "第十八条第（四）项"} <= market
    assert "第十七条第一款" not in market            # 省级以上
    police = {p["basis_text"].split("》")[1] for p in props.list_proposals(quality, department="江门市公安局")}
    assert police == {"第六十九条"}                    # 由公安机关依照治安管理处罚法的规定处罚
    assert props.list_proposals(quality, department="江门市生态环境局") == []


def test_departments_of_other_fields_know_their_domains():
    assert props.default_domains("江门市人力资源和社会保障局") == ["人力资源社会保障"]
    assert props.default_domains("江门市公安局交通警察支队") == ["公安交通管理"]
    assert {"市场监督管理", "药品监督管理"} <= set(props.default_domains("江门市市场监督管理局"))
    assert props.default_domains("江门市消防救援支队") == ["消防救援"]
    assert props.default_level("国家税务总局江门市蓬江区税务局") == "县级"


def test_names_a_legal_officer_can_read():
    """理由 is no 由 (公司法 第二百六十条); a violation that is only "违反本法第六条规定" keeps it (商标法 第五十一条);
    an item that states its own measures is named by its violation (道路运输条例 第六十三条)."""
    company = powers("公司法", law_date("公司法"), "第二百六十条")
    assert company and all(a.raw == "公司登记机关" for p in company for a in p.authorities)
    assert [p.name for p in powers("商标法", "2019-04-23", "第五十一条")] == ["对违反本法第六条规定的行政处罚"]
    road = powers("道路运输条例", law_date("道路运输条例"), "第六十三条")
    assert road and not any("没收" in p.name or "罚款" in p.name for p in road)
    bikes = [p for p in powers("道路交通安全法", "2021-04-29", "第八十九条") if p.type == "行政强制"]
    assert bikes[0].name.endswith("的扣留非机动车")


def test_a_proposal_says_which_article_gives_the_authority(quality):
    props.generate(quality, law="产品质量法")
    p = next(p for p in props.list_proposals(quality, department="江门市市场监督管理局")
             if p["basis_text"].endswith("第四十九条"))
    assert p["authority"] == "市场监督管理部门（本法第七十条）"


def test_the_bare_name_a_law_uses_for_the_authority_in_charge():
    """反不正当竞争法 2025 第五条 puts 县级以上人民政府履行市场监督管理职责的部门 in charge; its clauses say 监督检查部门."""
    ps = powers("反不正当竞争法", "2025-06-27")
    prize = next(p for p in ps if p.article == "第二十七条")
    assert [(a.domain, a.level) for a in prize.authorities] == [("市场监督管理", "县级以上")]
    dominance = next(p for p in ps if p.article == "第三十一条")
    assert [(a.domain, a.level) for a in dominance.authorities] == [("市场监督管理", "省级以上")]


def test_a_county_police_department_and_a_government_department_named_with_its_government():
    """娱乐场所管理条例 第四十三条 由县级公安部门 (not the 公安部); 长江保护法 第八十五条 由有关人民政府农业农村主管部门
    代为捕回 is coercion of that department, not supervision of a government."""
    venue = powers("娱乐场所管理条例", "2020-11-29", "第四十三条")
    assert venue and all((a.domain, a.level) != ("公安", "国家") for p in venue for a in p.authorities)
    assert {a.domain for p in venue for a in p.authorities} >= {"公安"}
    river = [p for p in powers("长江保护法", law_date("长江保护法"), "第八十五条") if p.type == "行政强制"]
    assert river and all(domains(p) == {"农业农村"} for p in river)
    assert not [p for p in powers("劳动合同法", law_date("劳动合同法"), "第八十四条") if p.type == "行政强制"]
