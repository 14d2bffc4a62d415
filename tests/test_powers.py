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


def test_an_authority_named_after_another_with_a_plain_name_is_recognised():
    """清洁生产促进法 第三十六条: "负责清洁生产综合协调的部门、环境保护部门" are two known authorities."""
    ps = powers_of("清洁生产促进法", "2012-02-29", "第三十六条")
    assert {a.domain for p in ps for a in p.authorities} == {"经济综合", "生态环境"}


def test_a_name_the_law_defines_for_an_authority_is_that_authority():
    """排污许可管理条例 第六条 defines 审批部门; 第四十条 "由审批部门依法撤销…" is the 生态环境 department's."""
    from diffing.powers import law_powers

    law = parse(law_text("排污许可管理条例", "2021-01-24"))
    ps = [p for p in law_powers((a.label, [(q.text, q.items) for q in a.paragraphs]) for a in law.articles)
          if p.article == "第四十条"]
    assert ps and {a.domain for a in ps[0].authorities} == {"生态环境"}
    assert ps[0].authorities[0].level == "设区的市级以上"


def test_the_people_of_a_unit_punished_for_the_same_violation_are_one_item_with_it():
    """土壤污染防治法 第九十条第二款 (双罚) joins the power of 第一款, as real lists cite it."""
    ps = powers_of("土壤污染防治法", "2018-08-31", "第九十条")
    penalties = [p for p in ps if p.type == "行政处罚"]
    assert [p.basis for p in penalties] == ["第九十条第一款"]
    assert "限制从业" in penalties[0].measures


def test_an_exception_before_the_authority_is_not_part_of_the_violation():
    ps = powers_of("水污染防治法", "2017-06-27", "第九十四条")
    assert ps[0].name == "对企业事业单位造成水污染事故的行政处罚"
    code = powers_of("生态环境法典", "2026-03-12", "第一千一百零九条")
    assert code[0].name.startswith("对违反本法和其他法律法规") and "除本条" not in code[0].name


def test_the_authority_after_an_exception_holds_what_follows():
    """广告法 2021 第五十五条第二款: "除由市场监督管理部门依照本法处罚外，卫生行政部门可以吊销…"."""
    second = [p for p in powers_of("广告法", "2021-04-29", "第五十五条") if p.paragraph == 2]
    assert [p.authorities[0].domain for p in second] == ["卫生健康"]
    assert second[0].measures == ("吊销许可证件",) and second[0].name == "对医疗机构有前款规定违法行为，情节严重的行政处罚"


def test_a_dispatched_body_acting_in_its_own_name_is_not_the_department():
    """生态环境法典 第五十三条: the 派出机构 of a 设区的市 bureau acts in its own name (its own list)."""
    ps = powers_of("生态环境法典", "2026-03-12", "第五十三条")
    assert ps and all(not a.known for p in ps for a in p.authorities)
