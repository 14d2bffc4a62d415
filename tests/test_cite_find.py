"""Citation parsing, pattern by pattern (eyecite style: text → expected citations).

Each expected citation is (law, article, paragraph 款, item 项, sub_item 目).
"""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffing.cite.find import parse_basis

XZCF = "中华人民共和国行政处罚法"
TDGL = "中华人民共和国土地管理法"


def cites(text):
    return [(c.law, c.article, c.paragraph, c.item, c.sub_item) for c in parse_basis(text).citations]


TITLES = [
    ("《中华人民共和国行政处罚法》第三十二条", [(XZCF, "第三十二条", None, None, None)]),
    ("《行政处罚法》第三十二条", [(XZCF, "第三十二条", None, None, None)]),
    ("依照《行政处罚法》 第三十二条", [(XZCF, "第三十二条", None, None, None)]),
    ("中华人民共和国放射性污染防治法》第五十五条第（二）项：",
     [("中华人民共和国放射性污染防治法", "第五十五条", None, 2, None)]),
    ("《中华人民共和国行政处罚法第三十二条", [(XZCF, "第三十二条", None, None, None)]),
    ("工会法第十八条规定的", [("中华人民共和国工会法", "第十八条", None, None, None)]),
    ("《广东省实施〈中华人民共和国环境噪声污染防治法〉办法》第三十一条第（一）项",
     [("广东省实施《中华人民共和国环境噪声污染防治法》办法", "第三十一条", None, 1, None)]),
    ("《广东省实施<中华人民共和国环境噪声污染防治法>办法》第五条",
     [("广东省实施《中华人民共和国环境噪声污染防治法》办法", "第五条", None, None, None)]),
    ("在最高人民法院《关于适用〈中华人民共和国婚姻法〉若干问题的解释（二）》第二十四条的基础上",
     [("最高人民法院关于适用《中华人民共和国婚姻法》若干问题的解释（二）", "第二十四条", None, None, None)]),
    ("国务院《劳动保障监察条例》第十一条", [("劳动保障监察条例", "第十一条", None, None, None)]),
    ("《江门市潭江流域水质保护条例》（2019年修正）第三十四条第二款",
     [("江门市潭江流域水质保护条例", "第三十四条", 2, None, None)]),
]

NUMBERS = [
    ("《劳动法》第41条", [("中华人民共和国劳动法", "第四十一条", None, None, None)]),
    ("《刑法》第253条之一第1款", [("中华人民共和国刑法", "第二百五十三条之一", 1, None, None)]),
    ("《刑法》第二百八十四条之一", [("中华人民共和国刑法", "第二百八十四条之一", None, None, None)]),
    ("《刑法》第九十六条", [("中华人民共和国刑法", "第九十六条", None, None, None)]),
    ("《土地管理法》第一百零二条", [(TDGL, "第一百零二条", None, None, None)]),
    ("《土地管理法》第十条第一款第（三）项", [(TDGL, "第十条", 1, 3, None)]),
    ("《土地管理法》第十条第一款第三项", [(TDGL, "第十条", 1, 3, None)]),
    ("《土地管理法》第十条第(三)项", [(TDGL, "第十条", None, 3, None)]),
    ("《土地管理法》第十条第一款第三项第2目", [(TDGL, "第十条", 1, 3, 2)]),
    ("《土地管理法》第二十条第２款", [(TDGL, "第二十条", 2, None, None)]),
]

RANGES = [
    ("《土地管理法》第十条至第十二条",
     [(TDGL, "第十条", None, None, None), (TDGL, "第十一条", None, None, None), (TDGL, "第十二条", None, None, None)]),
    ("《土地管理法》第三十六至三十八条",
     [(TDGL, "第三十六条", None, None, None), (TDGL, "第三十七条", None, None, None),
      (TDGL, "第三十八条", None, None, None)]),
    ("《土地管理法》第十九条至二十一条",
     [(TDGL, "第十九条", None, None, None), (TDGL, "第二十条", None, None, None), (TDGL, "第二十一条", None, None, None)]),
    ("《土地管理法》第六十九条第二款至第四款",
     [(TDGL, "第六十九条", 2, None, None), (TDGL, "第六十九条", 3, None, None), (TDGL, "第六十九条", 4, None, None)]),
    ("《土地管理法》第五条第一款第（三）项至第（五）项",
     [(TDGL, "第五条", 1, 3, None), (TDGL, "第五条", 1, 4, None), (TDGL, "第五条", 1, 5, None)]),
]

LISTS = [
    ("《土地管理法》第十条、第十二条第二款",
     [(TDGL, "第十条", None, None, None), (TDGL, "第十二条", 2, None, None)]),
    ("《水污染防治法》第八十五条第一款第一项、第二款",
     [("中华人民共和国水污染防治法", "第八十五条", 1, 1, None), ("中华人民共和国水污染防治法", "第八十五条", 2, None, None)]),
    ("《土地管理法》第二十六条第一款、第四款、第二十七条",
     [(TDGL, "第二十六条", 1, None, None), (TDGL, "第二十六条", 4, None, None), (TDGL, "第二十七条", None, None, None)]),
    ("《土地管理法》第一百一十二条第十二项、第二款",
     [(TDGL, "第一百一十二条", None, 12, None), (TDGL, "第一百一十二条", 2, None, None)]),
    ("《土地管理法》第二十六条第三、四、五项",
     [(TDGL, "第二十六条", None, 3, None), (TDGL, "第二十六条", None, 4, None), (TDGL, "第二十六条", None, 5, None)]),
    ("《传染病防治法》第二十五条第一款第(一)、(四)项",
     [("中华人民共和国传染病防治法", "第二十五条", 1, 1, None), ("中华人民共和国传染病防治法", "第二十五条", 1, 4, None)]),
    ("《劳动法》第二十五条第（二）项、第（三）项或者第（四）项",
     [("中华人民共和国劳动法", "第二十五条", None, n, None) for n in (2, 3, 4)]),
    ("《土地管理法》第七十三条和第七十四条",
     [(TDGL, "第七十三条", None, None, None), (TDGL, "第七十四条", None, None, None)]),
    ("《土地管理法》第一条第一款第（一）项、第二款和第二条第二款",
     [(TDGL, "第一条", 1, 1, None), (TDGL, "第一条", 2, None, None), (TDGL, "第二条", 2, None, None)]),
    ("《土地管理法》第七十八条第一款 、第二款", [(TDGL, "第七十八条", 1, None, None), (TDGL, "第七十八条", 2, None, None)]),
]

CONTEXT = [
    # an article without a law inherits the law before it
    ("《居住证暂行条例》（国务院令第663号） 第二条公民离开常住户口所在地…… 第八条公安机关负责",
     [("居住证暂行条例", "第二条", None, None, None), ("居住证暂行条例", "第八条", None, None, None)]),
    # … and never the law named after it
    ("第十八条 矿山企业发生矿山事故，按照《矿山安全法》的规定处理", []),
    ("《矿山安全法》第四十四条和《实施条例》第五十四条",
     [("中华人民共和国矿山安全法", "第四十四条", None, None, None),
      ("中华人民共和国矿山安全法实施条例", "第五十四条", None, None, None)]),
    ("《医疗废物管理条例》第四十五条第一项 …；《医疗废物管理行政处罚办法》第三条第一项 有《条例》第四十五条规定的",
     [("医疗废物管理条例", "第四十五条", None, 1, None), ("医疗废物管理行政处罚办法", "第三条", None, 1, None),
      ("医疗废物管理条例", "第四十五条", None, None, None)]),
    ("《条例》第四十五条", []),
    ("《中华人民共和国网络安全法》（以下简称《网安法》）第十条。依照《网安法》第二十一条",
     [("中华人民共和国网络安全法", "第十条", None, None, None), ("中华人民共和国网络安全法", "第二十一条", None, None, None)]),
    # quoted provision text: numbered 本法 / 本办法 references are citations, unnumbered ones are not
    ("《环境影响评价法》第三十一条第一款：建设单位未依照本法第二十四条的规定重新报批…，依照前款的规定处罚",
     [("中华人民共和国环境影响评价法", "第三十一条", 1, None, None),
      ("中华人民共和国环境影响评价法", "第二十四条", None, None, None)]),
    ("1、《中华人民共和国环境噪声污染防治法》第四十八条：\n违反本法第十四条的规定……\n"
     "2、《广东省实施〈中华人民共和国环境噪声污染防治法〉办法》第三十一条第（一）项：\n"
     "第三十一条　违反本办法的规定……（一）违反本办法第五条规定",
     [("中华人民共和国环境噪声污染防治法", "第四十八条", None, None, None),
      ("中华人民共和国环境噪声污染防治法", "第十四条", None, None, None),
      ("广东省实施《中华人民共和国环境噪声污染防治法》办法", "第三十一条", None, 1, None),
      ("广东省实施《中华人民共和国环境噪声污染防治法》办法", "第五条", None, None, None)]),
    ("《土地管理法》第六十八条第一款第（五）项：\n（五）……\n有前款第二项、第三项行为之一的",
     [(TDGL, "第六十八条", 1, 5, None), (TDGL, "第六十八条", 1, 2, None), (TDGL, "第六十八条", 1, 3, None)]),
    ("本条第二款规定的情形", []),
    ("对前款第（二）项至第（五）项所列人员的处罚", []),
    ("第四十四条 违反本条例第二十八条第三款规定，依照《中华人民共和国水污染防治法》第八十三条有关规定予以处罚",
     [("中华人民共和国水污染防治法", "第八十三条", None, None, None)]),
]

NOT_LOCATORS = [
    ("【法律】\n1.《土地管理法》（2019年修正）第七十七条\n【行政法规】\n1.《土地管理法实施条例》（2021年修订）第五十七条",
     [(TDGL, "第七十七条", None, None, None), ("中华人民共和国土地管理法实施条例", "第五十七条", None, None, None)]),
    ("《固定资产投资项目节能审查办法》（国家发展和改革委员会令第44号）第八条",
     [("固定资产投资项目节能审查办法", "第八条", None, None, None)]),
    ("《关于审理掩饰、隐瞒犯罪所得刑事案件适用法律若干问题的解释》（法释〔2015〕11号）第一条",
     [("关于审理掩饰、隐瞒犯罪所得刑事案件适用法律若干问题的解释", "第一条", None, None, None)]),
    ("北京市第十五届人民代表大会常务委员会第十四次会议决定，处二万元以上十万元以下罚款", []),
    ("（一）在饮用水水源一级保护区内新建；（二）在饮用水水源二级保护区内", []),
    ("根据《中华人民共和国行政处罚法》和《罚款决定与罚款收缴分离实施办法》的规定", []),
    ("《中国人民解放军军官军衔条例》第二章第七条", [("中国人民解放军军官军衔条例", "第七条", None, None, None)]),
    ("《矿山安全法》第六章、第七章的规定", []),
    ("根据《深圳证券交易所股票上市规则（2022年修订）》第9.3.1条第一款第（一）项规定", []),
]


@pytest.mark.parametrize("text,expected", TITLES + NUMBERS + RANGES + LISTS + CONTEXT + NOT_LOCATORS)
def test_pattern(text, expected):
    assert cites(text) == expected


def test_version_note_and_written_form():
    c = parse_basis("《中华人民共和国水污染防治法》（2017年修正）第八十一条：").citations[0]
    assert c.version_note == "2017年修正"
    assert c.written == "《中华人民共和国水污染防治法》"
    assert (c.article_number, c.article_suffix) == (81, 0)
    c = parse_basis("《中华人民共和国药品管理法》（2015年4月24日修订）第十六条").citations[0]
    assert c.version_note == "2015年4月24日修订"


def test_a_typo_in_the_title_is_read_and_reported():
    p = parse_basis("《中华人民共和国固体废物污染环境防治法五》（2016年修订）第六十八条第一款第（五）项：")
    assert cites(p.text) == [("中华人民共和国固体废物污染环境防治法", "第六十八条", 1, 5, None)]
    assert any("笔误" in problem for problem in p.problems)


def test_problems_say_what_was_left_out():
    p = parse_basis("《决定》第1条")
    assert p.citations == [] and any("《决定》" in problem for problem in p.problems)
    p = parse_basis("第十条")
    assert any("没有写明所属法律" in problem for problem in p.problems)
    p = parse_basis("中华人民共和国放射性污染防治法》第五十五条")
    assert any("缺少《" in problem for problem in p.problems)


def test_a_law_without_article_is_a_mention():
    p = parse_basis("根据《中华人民共和国行政处罚法》和《罚款决定与罚款收缴分离实施办法》的规定")
    assert p.citations == []
    assert [m.law for m in p.mentions] == [XZCF, "罚款决定与罚款收缴分离实施办法"]


def test_span_points_at_the_citation():
    text = "依据《行政处罚法》第五十一条第（一）项规定"
    c = parse_basis(text).citations[0]
    assert text[c.span[0]:c.span[1]] == "《行政处罚法》第五十一条第（一）项"


def test_json_is_the_design_contract():
    doc = parse_basis("《行政处罚法》第三十二条第一款第二项").to_json()
    assert list(doc) == ["text", "citations", "problems"]
    assert doc["citations"][0] == {
        "law": XZCF, "written": "《行政处罚法》", "version_note": None, "article": "第三十二条",
        "paragraph": 1, "item": 2, "sub_item": None, "span": [0, 18], "resolved": None}
    json.dumps(doc, ensure_ascii=False)


def test_a_runaway_range_is_not_expanded():
    p = parse_basis("《刑法》第一条至第九千条")
    assert len(p.citations) == 2 and p.problems


_ALPHABET = st.sampled_from(list("《》〈〉<>（）()第条款项目之至、，和及或者本法前条例办法一二三四五六七八九十百零0123456789"
                                 "\n 　中华人民共和国行政处罚【】1.：;；"))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(_ALPHABET, max_size=80).map("".join)))
def test_nothing_makes_the_parser_crash(text):
    p = parse_basis(text)
    for c in p.citations:
        assert c.article.startswith("第") and c.article_number > 0
        assert 0 <= c.span[0] <= c.span[1] <= len(text)
    json.dumps(p.to_json(), ensure_ascii=False)


def test_a_law_of_another_place_is_not_taken_for_a_typo():
    assert cites("《南京市优化营商环境条例》第三条") == [("南京市优化营商环境条例", "第三条", None, None, None)]
    assert parse_basis("《南京市优化营商环境条例》第三条").problems == []
