"""Amending decisions: their instructions, and an alignment checked against them (real decisions)."""

import pytest

from diffing.align import compare
from diffing.instruments import check, parse
from texts.structure import parse as parse_law
from tests.conftest import DECISIONS, law_text


def decision(prefix: str):
    (path,) = DECISIONS.glob(f"{prefix}*.md")
    return parse(path.read_text("utf-8"))


def compared(law: str, old: str, new: str):
    return compare(parse_law(law_text(law, old)), parse_law(law_text(law, new)))


def actions(instructions):
    return [(i.action, i.old, i.new) for i in instructions]


def test_a_decision_amending_eight_laws_is_read_law_by_law():
    d = decision("2021-04-29")
    assert len(d.sections) == 8
    assert actions(d.instructions_for("中华人民共和国道路交通安全法")) == [("modify", [(20, 0)], [])]
    ads = d.instructions_for("广告法")  # 中华人民共和国 may be left out
    assert actions(ads) == [
        ("modify", [(29, 0)], []),
        ("modify", [(55, 0), (57, 0), (58, 0)], []),
        ("delete", [(60, 0)], []),
    ]
    assert ads[2].item == "第（三）项"
    # quoted new wording never counts as an instruction: 将第二十三条改为第二十二条，将其中的“…”修改为“…”
    inspection = d.instructions_for("中华人民共和国进出口商品检验法")
    assert ("delete", [(22, 0)], []) in actions(inspection)
    assert ("renumber", [(23, 0)], [(22, 0)]) in actions(inspection)


def test_an_unnumbered_paragraph_belongs_to_the_item_and_article_before_it():
    # 消防法: （三）将第五十八条第一款第四项修改为：… / 增加一款，作为第二款：…
    fire = decision("2021-04-29").instructions_for("中华人民共和国消防法")
    assert [(i.item, i.action, i.old) for i in fire if i.item == "第（三）项"] == [
        ("第（三）项", "modify", [(58, 0)]), ("第（三）项", "modify", [(58, 0)])]


def test_renumbering_splits_inserts_and_bulk_replacements_of_a_single_law_decision():
    d = decision("2021-06-10")
    ins = d.instructions_for("中华人民共和国安全生产法")
    assert ("split", [(8, 0)], [(8, 0), (9, 0)]) in actions(ins)
    assert ("renumber", [(9, 0)], [(10, 0)]) in actions(ins)
    assert [i.new for i in ins if i.action == "insert"] == [[(12, 0)], [(17, 0)], [(109, 0)], [(112, 0)]]
    renumbered = next(i for i in ins if i.old == [(18, 0)])
    assert renumbered.modified and renumbered.item == "第八项"
    bulk = next(i for i in ins if i.item == "第四十二项第（一）目")
    assert bulk.old[:3] == [(20, 0), (24, 0), (27, 0)] and (31, 0) in bulk.old
    # 将第八十四条中的“第八十七条”修改为“第九十条”: only 第八十四条 is amended
    assert next(i for i in ins if i.item == "第四十二项第（八）目").old == [(84, 0)]
    assert not any(i.item == "第四十二项" for i in ins)  # 对部分条文作以下修改： announces, does not amend


def test_merges_name_old_articles_and_the_new_number():
    ins = decision("2025-10-28").instructions_for("中华人民共和国网络安全法")
    merges = [i for i in ins if i.action == "merge"]
    assert [(i.old, i.new, i.partial) for i in merges] == [
        ([(68, 0), (69, 0)], [(69, 0)], [(69, 0)]),  # 第六十九条第一项: only part of it
        ([(64, 0), (66, 0), (70, 0)], [(71, 0)], []),
    ]


def test_criminal_law_amendments_insert_zhi_yi_articles():
    ins = decision("2020-12-26").instructions_for("中华人民共和国刑法")
    assert ("insert", [], [(133, 2)]) in actions(ins)  # 在刑法第一百三十三条之一后增加一条，作为第一百三十三条之二
    assert ("modify", [(175, 1)], []) in actions(ins)  # 将刑法第一百七十五条之一第一款修改为
    assert ("modify", [(133, 1)], []) not in actions(ins)


def test_state_council_decision_amends_regulations_and_repeals_others():
    d = decision("2022-03-29")
    assert len(d.sections) == 14
    assert d.repealed == ["国务院关于通用航空管理的暂行规定", "工业产品质量责任条例", "水路货物运输合同实施细则",
                          "铁路货物运输合同实施细则", "国有企业监事会暂行条例", "信访条例"]
    telecom = d.instructions_for("外商投资电信企业管理规定")
    assert ("delete", [(10, 0), (12, 0), (14, 0), (15, 0), (16, 0), (19, 0)], []) in actions(telecom)
    assert ("modify", [(9, 0)], []) in actions(telecom)  # 删去第九条第一款第（四）项
    assert all(i.item == "第一项" for i in telecom)


def test_repeal_decisions_name_what_they_repeal():
    assert decision("2021-09-09").repealed == ["计划生育技术服务管理条例", "社会抚养费征收管理办法", "流动人口计划生育工作条例"]
    assert decision("2020-12-30").repealed == ["上海市机动车道路交通事故赔偿责任若干规定"]
    assert decision("2020-12-30").sections == {}


def test_odd_text_does_not_crash_the_parser():
    for text in ["", "一、", "将第条修改为", "“未闭合的引号", "删去第九十九条中的", "增加一条，作为第"]:
        parse(text)


AGREEING = [
    ("道路交通安全法", "2011-04-22", "2021-04-29", "2021-04-29"),
    ("消防法", "2019-04-23", "2021-04-29", "2021-04-29"),
    ("广告法", "2018-10-26", "2021-04-29", "2021-04-29"),
    ("食品安全法", "2021-04-29", "2025-09-12", "2025-09-12"),
    ("安全生产法", "2014-08-31", "2021-06-10", "2021-06-10"),
    ("刑法", "2020-12-26", "2023-12-29", "2023-12-29"),
    ("保安服务管理条例", "2020-11-29", "2022-03-29", "2022-03-29"),
    ("道路运输条例", "2019-03-02", "2022-03-29", "2022-03-29"),
]


@pytest.mark.parametrize("law,old,new,prefix", AGREEING, ids=[a[0] for a in AGREEING])
def test_alignment_agrees_with_the_decision(law, old, new, prefix):
    c = compared(law, old, new)
    instructions = decision(prefix).instructions_for(c.new_title)
    assert instructions
    assert check(c, instructions) == []


def test_cybersecurity_law_agrees_with_its_decision_merges_included():
    c = compared("网络安全法", "2016-11-07", "2025-10-28")
    # the decision deletes 第十八条第二款 and adds a 第二十条 whose 第二款 carries that sentence on;
    # 第六十四条、第六十六条 were rewritten into the items of the new 第七十一条
    assert check(c, decision("2025-10-28").instructions_for(c.new_title)) == []


def test_a_wrong_alignment_is_contradicted_by_the_decision():
    same = compared("广告法", "2018-10-26", "2018-10-26")  # as if nothing had changed
    notes = check(same, decision("2021-04-29").instructions_for("中华人民共和国广告法"))
    assert "决定第（三）项删去第六十条，但比对结果认为第六十条仍存在（现第六十条）" in notes
    assert "决定第（一）项修改第二十九条，但比对结果认为该条内容未变" in notes


def test_changes_without_an_instruction_are_reported():
    c = compared("消防法", "2019-04-23", "2021-04-29")
    fire = decision("2021-04-29").instructions_for("中华人民共和国消防法")
    notes = check(c, [i for i in fire if i.old != [(69, 0)]])
    assert notes == ["比对结果显示原第六十九条（现第六十九条）有修改，但决定中没有相应条款"]


def test_messages_say_what_the_decision_says_and_where_the_article_went():
    c = compared("安全生产法", "2014-08-31", "2021-06-10")
    wrong = parse("关于修改《中华人民共和国安全生产法》的决定\n"
                  "一、将第九条改为第十一条，修改为：“……”\n"
                  "二、将第八条改为两条，作为第八条、第十条。\n"
                  "三、删去第十条。")
    notes = check(c, wrong.instructions_for("安全生产法"))
    assert notes[:3] == [
        "决定第一项将第九条改为第十一条，但比对结果认为原第九条现为第十条（修改）",
        "决定第二项将第八条改为两条（第八条、第十条），但比对结果认为原第八条现为第八条、第九条（拆分）",
        "决定第三项删去第十条，但比对结果认为第十条仍存在（现第十一条）",
    ]


def test_a_partial_merger_is_checked_by_where_its_item_went():
    from diffing.provisions import Location, Place

    c = compared("网络安全法", "2016-11-07", "2025-10-28")
    instructions = decision("2025-10-28").instructions_for(c.new_title)
    (merge,) = [i for i in instructions if i.action == "merge" and i.partial]
    assert merge.parts == {(69, 0): (None, 1)}

    class Elsewhere:  # a mapping that put 第六十九条第（一）项 into 第七十条
        def locate(self, *args):
            return Location("modified", Place("第七十条", 1, 1))

    assert check(c, instructions, provisions=Elsewhere()) == [
        "决定第十一项将第六十九条第（一）项并入第六十九条，但比对结果认为第六十九条第（一）项现为第七十条第一款第（一）项"]


def test_a_modification_is_checked_for_where_its_wording_went():
    c = compared("消防法", "2019-04-23", "2021-04-29")
    fire = decision("2021-04-29").instructions_for("中华人民共和国消防法")
    worded = [i for i in fire if i.wording]
    assert worded
    texts = {m.new[0]: m.new_text for m in c.matches if len(m.new) == 1}
    assert check(c, fire, new_texts=texts) == []
    # the wording of the decision's 修改为 sits in another article than the alignment says
    target = worded[0]
    label = "第" + {15: "十五", 34: "三十四", 58: "五十八", 69: "六十九"}[target.old[0][0]] + "条"
    other = next(lab for lab in texts if lab != label)
    moved = dict(texts)
    moved[other], moved[label] = texts[label], texts[other]
    notes = check(c, fire, new_texts=moved)
    assert any(n.startswith(f"决定{target.item}修改{label}，其新文字见于现{other}") for n in notes)
