"""Comparing two texts of one article: "same text", character diffs, and what kind of change it is."""

from diffing.compare import (
    EDITORIAL,
    REFERENCES_ONLY,
    SUBSTANTIVE,
    char_diff,
    same_text_key,
    similarity,
    status_name,
    substance,
    substance_name,
)


def test_same_text_ignores_white_space_and_full_or_half_width_punctuation():
    lrb = "行政处罚的种类:\n(一)警告；\n（二）罚款。"
    flk = "行政处罚的种类：\n（一）警告;\n　　（二）罚款。"
    assert same_text_key(lrb) == same_text_key(flk)
    assert similarity(lrb, flk) == 1.0
    assert same_text_key("依照“本法”规定") == same_text_key('依照"本法"规定')


def test_same_text_still_sees_a_changed_word():
    assert same_text_key("处二百元以下罚款") != same_text_key("处五百元以下罚款")
    assert 0.8 < similarity("处二百元以下罚款", "处五百元以下罚款") < 1.0


def test_char_diff_marks_what_was_deleted_and_inserted():
    ops = char_diff("违法事实不清的，不得给予行政处罚。", "违法事实不清、证据不足的，不得给予行政处罚。")
    assert ops == [(0, "违法事实不清"), (1, "、证据不足"), (0, "的，不得给予行政处罚。")]
    old = "".join(t for op, t in ops if op <= 0)
    new = "".join(t for op, t in ops if op >= 0)
    assert old == "违法事实不清的，不得给予行政处罚。"
    assert new == "违法事实不清、证据不足的，不得给予行政处罚。"


def test_char_diff_keeps_paragraph_breaks():
    ops = char_diff("第一款。\n第二款。", "第一款。\n新的第二款。")
    assert "".join(t for op, t in ops if op >= 0) == "第一款。\n新的第二款。"


# 行政处罚法 2017 第三十九条 → 2021 第五十九条: only the cross-reference follows the renumbering.
RENUMBERING = {(38, 0): {(57, 0)}, (39, 0): {(59, 0)}, (46, 0): {(67, 0)}, (47, 0): {(68, 0)}}


def test_a_cross_reference_that_follows_the_renumbering_is_references_only():
    old = "行政机关依照本法第三十八条的规定给予行政处罚，应当制作行政处罚决定书。"
    new = "行政机关依照本法第五十七条的规定给予行政处罚，应当制作行政处罚决定书。"
    assert substance(old, new, RENUMBERING) == REFERENCES_ONLY


def test_a_list_of_cross_references_is_followed_item_by_item():
    old = "除依照本法第四十六条、第四十七条的规定当场收缴的罚款外"
    new = "除依照本法第六十七条、第六十八条的规定当场收缴的罚款外"
    assert substance(old, new, RENUMBERING) == REFERENCES_ONLY
    wrong = "除依照本法第六十七条、第六十九条的规定当场收缴的罚款外"
    assert substance(old, wrong, RENUMBERING) == SUBSTANTIVE


def test_a_reference_to_another_law_is_not_renumbered_with_this_one():
    old = "依照《中华人民共和国刑法》第三十八条的规定追究刑事责任。"
    new = "依照《中华人民共和国刑法》第五十七条的规定追究刑事责任。"
    assert substance(old, new, RENUMBERING) == SUBSTANTIVE
    old_law = "依照刑法第三十八条的规定追究刑事责任。"
    new_law = "依照刑法第五十七条的规定追究刑事责任。"
    assert substance(old_law, new_law, RENUMBERING) == SUBSTANTIVE


def test_a_reference_left_at_an_old_number_now_points_elsewhere():
    # 第三十八条 became 第五十七条: a new text that still says 第三十八条 cites another article
    old = "依照本法第三十八条的规定，作出决定。"
    new = "依照本法第三十八条的规定，作出决定"
    assert substance(old, new, RENUMBERING) == SUBSTANTIVE


def test_changed_paragraph_references_are_substantive():
    old = "依照本法第三十八条第一款的规定处罚。"
    new = "依照本法第五十七条第二款的规定处罚。"
    assert substance(old, new, RENUMBERING) == SUBSTANTIVE


def test_punctuation_and_interchangeable_wording_are_editorial():
    assert substance("行政处罚的种类:", "行政处罚的种类：", {}) == EDITORIAL
    assert substance("责令改正，并处罚款。", "责令改正并处罚款。", {}) == EDITORIAL
    assert substance("其它有关部门", "其他有关部门", {}) == EDITORIAL
    assert substance("认真的审查", "认真地审查", {}) == EDITORIAL
    assert substance("法律或法规", "法律或者法规", {}) == EDITORIAL


def test_a_changed_amount_or_authority_is_substantive():
    assert substance("处二百元以下罚款", "处五百元以下罚款", {}) == SUBSTANTIVE
    assert substance("由公安机关责令改正", "由市场监督管理部门责令改正", {}) == SUBSTANTIVE
    assert substance("由工商行政管理部门责令改正", "由公安机关责令改正", {}) == SUBSTANTIVE


def test_an_agency_renamed_by_an_institutional_reform_is_editorial():
    # diffing/data/agency_renames.toml (2018 国务院机构改革)
    assert substance("由工商行政管理部门责令改正", "由市场监督管理部门责令改正", {}) == EDITORIAL
    assert substance("县级以上人民政府食品药品监督管理、质量监督部门", "县级以上人民政府食品安全监督管理部门", {}) == EDITORIAL
    assert substance("环境保护主管部门", "生态环境主管部门", {}) == EDITORIAL
    # a duty moved to another agency is not a rename
    assert substance("由卫生行政部门负责", "由市场监督管理部门负责", {}) == SUBSTANTIVE
    assert substance("应当予以公告", "可以予以公告", {}) == SUBSTANTIVE


def test_chinese_names_for_statuses_and_substance():
    assert status_name("renumbered") == "条号变化"
    assert status_name("split") == "拆分"
    assert substance_name("references_only") == "仅引用条号调整"
    assert substance_name(None) == ""
