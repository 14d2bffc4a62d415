"""diffing/powers.py on real articles: which powers a provision creates, of what type, for whom."""

from __future__ import annotations

from diffing.powers import article_powers, authorities, from_structure, level_allows, measures
from texts.structure import parse
from tests.conftest import law_text


def powers_of(short: str, date: str, label: str):
    law = parse(law_text(short, date))
    return from_structure(law.article(label))


def test_items_that_are_separate_violations_give_one_power_each_named_from_the_text():
    ps = powers_of("大气污染防治法", "2018-10-26", "第九十九条")
    assert [(p.item, p.type) for p in ps] == [(1, "行政处罚"), (2, "行政处罚"), (3, "行政处罚")]
    assert ps[0].name == "对未依法取得排污许可证排放大气污染物的行政处罚"
    assert ps[0].basis == "第九十九条第（一）项"
    assert {a.domain for a in ps[0].authorities} == {"生态环境"}
    assert ps[0].authorities[0].level == "县级以上"
    assert set(ps[0].measures) >= {"罚款", "责令停产停业", "责令关闭"}


def test_a_subject_before_the_items_is_kept_in_the_name():
    ps = powers_of("大气污染防治法", "2018-10-26", "第一百一十五条")
    assert ps[0].name.startswith("对施工单位施工工地未设置硬质围挡")
    assert ps[0].basis == "第一百一十五条第一款第（一）项"
    assert ps[-1].basis == "第一百一十五条第二款"          # 依照前款规定予以处罚: its own violation
    assert {a.domain for a in ps[0].authorities} == {"住房城乡建设"}


def test_each_authority_a_clause_names_gets_its_own_power():
    ps = powers_of("大气污染防治法", "2018-10-26", "第九十八条")
    by_domain = {a.domain for p in ps for a in p.authorities}
    assert {"生态环境", "公安"} <= by_domain
    police = next(p for p in ps if any(a.domain == "公安" for a in p.authorities))
    assert "构成违反治安管理行为" in police.name


def test_joint_authorities_and_levels():
    ps = powers_of("大气污染防治法", "2018-10-26", "第一百零七条")
    second = next(p for p in ps if p.paragraph == 2)
    assert [a.domain for a in second.authorities] == ["市场监督管理", "生态环境"]
    provincial = powers_of("大气污染防治法", "2018-10-26", "第一百零九条")[0]
    assert provincial.authorities[0].level == "省级以上"
    assert not level_allows("省级以上", "设区的市级") and level_allows("县级以上", "设区的市级")


def test_unknown_authorities_are_unknown():
    ps = powers_of("大气污染防治法", "2018-10-26", "第一百一十六条")
    assert ps and all(not a.known for p in ps for a in p.authorities)
    assert [a.domain for a in authorities("有关部门")] == [None]


def test_related_departments_named_in_the_violation():
    """土壤污染防治法 第九十五条: 由地方人民政府有关部门 — those the filing goes to."""
    ps = powers_of("土壤污染防治法", "2018-08-31", "第九十五条")
    assert [p.item for p in ps] == [1, 2, 3]
    assert all("生态环境" in {a.domain for a in p.authorities} for p in ps)


def test_an_article_without_an_enforcement_clause_gives_no_penalty():
    assert powers_of("大气污染防治法", "2018-10-26", "第一百二十五条") == []
    assert [p.type for p in powers_of("大气污染防治法", "2018-10-26", "第一百二十二条")] == ["行政处罚"]


def test_coercion_and_inspection():
    ps = powers_of("水污染防治法", "2017-06-27", "第八十四条")
    assert {"行政处罚", "行政强制"} <= {p.type for p in ps}
    inspect = powers_of("大气污染防治法", "2018-10-26", "第二十九条")
    assert [p.type for p in inspect] == ["行政检查"]
    assert inspect[0].authorities[0].domain == "生态环境"
    assert "排放大气污染物的企业事业单位" in inspect[0].name


def test_the_code_cut_by_pdf_export_is_joined_again():
    """生态环境法典 第一千零八十八条: a line break inside “部门、机\\n构” in the exported text."""
    ps = powers_of("生态环境法典", "2026-03-12", "第一千零八十八条")
    assert len(ps) == 1 and ps[0].authorities[0].domain == "生态环境"
    assert ps[0].authorities[0].shared


def test_measures_follow_the_law_on_administrative_penalties():
    found = [m for m, _ in measures("处五万元以上二十万元以下的罚款，没收违法所得，吊销排污许可证，"
                                    "五年内禁止从事前款规定的业务，处十日以上十五日以下拘留")]
    assert found == ["罚款", "没收违法所得", "吊销许可证件", "限制从业", "行政拘留"]


def test_nothing_in_the_input_crashes_it():
    assert article_powers("第一条", []) == []
    assert article_powers("第一条", [("由", []), ("", ["（一）"]), ("违反本法规定的，由。", [])]) == []
