"""Aligning two versions of a law article by article, whatever happened to the numbers."""

import pytest

from diffing.align import STATUSES, compare
from texts.numerals import article_label
from texts.structure import parse

# Real article texts (行政处罚法 2021), used as building blocks of small laws.
A = {
    "purpose": "为了规范行政处罚的设定和实施，保障和监督行政机关有效实施行政管理，维护公共利益和社会秩序，保护公民、法人或者其他组织的合法权益，根据宪法，制定本法。",
    "scope": "行政处罚的设定和实施，适用本法。",
    "legal": "公民、法人或者其他组织违反行政管理秩序的行为，应当给予行政处罚的，依照本法由法律、法规、规章规定，并由行政机关依照本法规定的程序实施。",
    "fair": "行政处罚遵循公正、公开的原则。\n设定和实施行政处罚必须以事实为依据，与违法行为的事实、性质、情节以及社会危害程度相当。\n对违法行为给予行政处罚的规定必须公布；未经公布的，不得作为行政处罚的依据。",
    "edu": "实施行政处罚，纠正违法行为，应当坚持处罚与教育相结合，教育公民、法人或者其他组织自觉守法。",
    "rights": "公民、法人或者其他组织对行政机关所给予的行政处罚，享有陈述权、申辩权；对行政处罚不服的，有权依法申请行政复议或者提起行政诉讼。\n公民、法人或者其他组织因行政机关违法给予行政处罚受到损害的，有权依法提出赔偿要求。",
    "civil": "公民、法人或者其他组织因违法行为受到行政处罚，其违法行为对他人造成损害的，应当依法承担民事责任。\n违法行为构成犯罪，应当依法追究刑事责任的，不得以行政处罚代替刑事处罚。",
    "kinds": "行政处罚的种类：\n（一）警告、通报批评；\n（二）罚款、没收违法所得、没收非法财物；\n（三）暂扣许可证件、降低资质等级、吊销许可证件；\n（四）限制开展生产经营活动、责令停产停业、责令关闭、限制从业；\n（五）行政拘留；\n（六）法律、行政法规规定的其他行政处罚。",
    "laws": "法律可以设定各种行政处罚。\n限制人身自由的行政处罚，只能由法律设定。",
    "regs": "行政法规可以设定除限制人身自由以外的行政处罚。\n法律对违法行为已经作出行政处罚规定，行政法规需要作出具体规定的，必须在法律规定的给予行政处罚的行为、种类和幅度的范围内规定。",
    "local": "地方性法规可以设定除限制人身自由、吊销营业执照以外的行政处罚。",
    "evidence": "证据必须经查证属实，方可作为认定案件事实的根据。\n以非法手段取得的证据，不得作为认定案件事实的根据。",
    "secret": "行政机关及其工作人员对实施行政处罚过程中知悉的国家秘密、商业秘密或者个人隐私，应当依法予以保密。",
    "foreign": "外国人、无国籍人、外国组织在中华人民共和国领域内有违法行为，应当给予行政处罚的，适用本法，法律另有规定的除外。",
    "days": "本法中“二日”“三日”“五日”“七日”的规定是指工作日，不含法定节假日。",
    "commence": "本法自2021年7月15日起施行。",
}


def law(*texts, labels=None, chapters=None):
    """A law whose articles have these texts, numbered 第一条 … (or as ``labels`` say)."""
    lines = ["中华人民共和国示例法"]
    for k, text in enumerate(texts):
        if chapters and k in chapters:
            lines.append(chapters[k])
        label = labels[k] if labels else article_label(k + 1)
        lines.append(f"{label}　{text}")
    return parse("\n".join(lines))


def mapping(comparison):
    return [(m.status, m.old, m.new) for m in comparison.matches]


BASE = ["purpose", "scope", "legal", "fair", "edu", "rights", "civil", "kinds", "laws", "regs", "local", "commence"]


def base(**replace):
    return [replace.get(k, A[k]) for k in BASE]


def test_identical_texts_are_all_unchanged():
    c = compare(law(*base()), law(*base()))
    assert {m.status for m in c.matches} == {"unchanged"}
    assert c.summary == {**dict.fromkeys(STATUSES, 0), "unchanged": 12}


def test_an_inserted_article_renumbers_every_later_one():
    old = law(*base())
    new_texts = base()
    new_texts.insert(2, A["secret"])
    c = compare(old, law(*new_texts))
    got = mapping(c)
    assert got[:4] == [
        ("unchanged", ["第一条"], ["第一条"]),
        ("unchanged", ["第二条"], ["第二条"]),
        ("inserted", [], ["第三条"]),
        ("renumbered", ["第三条"], ["第四条"]),
    ]
    assert got[-1] == ("renumbered", ["第十二条"], ["第十三条"])
    assert c.summary["renumbered"] == 10 and c.summary["inserted"] == 1


def test_a_deleted_article_is_reported_where_it_stood():
    texts = base()
    del texts[4]
    c = compare(law(*base()), law(*texts))
    got = mapping(c)
    assert got[4] == ("deleted", ["第五条"], [])
    assert got[3] == ("unchanged", ["第四条"], ["第四条"])
    assert got[5] == ("renumbered", ["第六条"], ["第五条"])


def test_a_modified_article_has_its_similarity_substance_and_diff():
    new_kinds = A["kinds"].replace("（五）行政拘留；", "（五）行政拘留、驱逐出境；")
    c = compare(law(*base()), law(*base(kinds=new_kinds)))
    (m,) = c.changed()
    assert (m.status, m.old, m.new) == ("modified", ["第八条"], ["第八条"])
    assert 0.9 < m.similarity < 1.0
    assert m.substance == "substantive"
    assert (1, "、驱逐出境") in m.diff
    assert "".join(t for op, t in m.diff if op >= 0) == new_kinds


def test_full_and_half_width_punctuation_and_spaces_do_not_make_a_change():
    messy = A["kinds"].replace("：", ":").replace("（", "(").replace("）", ")").replace("；", ";")
    c = compare(law(*base()), law(*base(kinds="　" + messy.replace("，", ", "))))
    assert {m.status for m in c.matches} == {"unchanged"}


def test_a_renumbered_article_that_only_updates_its_cross_reference_is_references_only():
    old = law(*base(edu="依照本法第四条的规定，" + A["edu"]))
    texts = base(edu="依照本法第五条的规定，" + A["edu"])
    texts.insert(1, A["secret"])
    c = compare(old, law(*texts))
    m = next(m for m in c.matches if m.old == ["第五条"])
    assert (m.status, m.new, m.substance) == ("modified", ["第六条"], "references_only")


def test_an_inserted_article_numbered_zhi_yi_keeps_the_others_in_place():
    texts = base()
    texts.insert(8, A["secret"])
    labels = [article_label(n) for n in range(1, 9)] + ["第八条之一"] + [article_label(n) for n in range(9, 13)]
    c = compare(law(*base()), law(*texts, labels=labels))
    assert ("inserted", [], ["第八条之一"]) in mapping(c)
    assert c.summary["renumbered"] == 0 and c.summary["unchanged"] == 12


def test_arabic_article_numbers_are_written_with_chinese_numerals():
    labels = [f"第{n}条" for n in range(1, 13)]
    c = compare(law(*base(), labels=labels), law(*base()))
    assert {m.status for m in c.matches} == {"unchanged"}
    assert c.matches[11].old == ["第十二条"]


def test_an_article_split_in_two_is_one_split_entry():
    # 将第四条改为两条，作为第四条、第五条
    first, rest = A["fair"].split("\n", 1)
    texts = base()
    texts[3:4] = [first, rest]
    c = compare(law(*base()), law(*texts))
    assert ("split", ["第四条"], ["第四条", "第五条"]) in mapping(c)
    assert c.summary["split"] == 1 and c.summary["inserted"] == 0
    assert mapping(c)[-1] == ("renumbered", ["第十二条"], ["第十三条"])


def test_two_articles_merged_into_one_is_one_merged_entry():
    texts = base()
    texts[8:10] = [A["laws"] + "\n" + A["regs"]]
    c = compare(law(*base()), law(*texts))
    assert ("merged", ["第九条", "第十条"], ["第九条"]) in mapping(c)
    assert c.summary["deleted"] == 0 and c.summary["merged"] == 1


def test_an_article_that_moved_far_keeps_its_partner():
    texts = base()
    moved = texts.pop(1)  # 第二条 moves to the end, before 施行
    texts.insert(10, moved)
    c = compare(law(*base()), law(*texts))
    assert ("renumbered", ["第二条"], ["第十一条"]) in mapping(c)
    texts[10] = moved.replace("适用本法", "适用本法的规定")
    c = compare(law(*base()), law(*texts))
    assert ("modified", ["第二条"], ["第十一条"]) in mapping(c)


def test_reorganised_chapters_do_not_disturb_the_alignment():
    old = law(*base(), chapters={0: "第一章　总则", 7: "第二章　行政处罚的种类和设定"})
    new = law(*base(), chapters={0: "第一章　总则", 3: "第二章　原则", 8: "第三章　设定"})
    assert {m.status for m in compare(old, new).matches} == {"unchanged"}


def test_rewritten_article_in_place_is_modified_not_deleted_and_inserted():
    rewritten = "行政处罚遵循公正、公开、及时的原则，行政机关应当依法公开行政处罚的依据、程序和结果。"
    c = compare(law(*base()), law(*base(fair=rewritten)))
    (m,) = c.changed()
    assert (m.status, m.old, m.new) == ("modified", ["第四条"], ["第四条"])


def test_an_unrelated_new_article_in_place_of_a_deleted_one_is_not_paired():
    c = compare(law(*base()), law(*base(edu=A["foreign"])))
    assert ("deleted", ["第五条"], []) in mapping(c)
    assert ("inserted", [], ["第五条"]) in mapping(c)


def test_the_commencement_articles_are_paired():
    old = law(*base(commence="本法自1996年10月1日起施行。"))
    new_texts = base()
    new_texts[-1:-1] = [A["foreign"], A["days"]]
    c = compare(old, law(*new_texts))
    assert mapping(c)[-1] == ("modified", ["第十二条"], ["第十四条"])


def test_to_json_is_exactly_the_design_shape():
    texts = base(kinds=A["kinds"].replace("（五）行政拘留；", "（五）行政拘留、驱逐出境；"))
    del texts[4]
    texts.insert(1, A["secret"])
    doc = compare(law(*base()), law(*texts)).to_json()
    assert list(doc) == ["old", "new", "summary", "articles"]
    assert doc["old"] == {"title": "中华人民共和国示例法", "articles": 12}
    assert doc["new"]["articles"] == 12
    assert list(doc["summary"]) == list(STATUSES)
    keys = {e["status"]: list(e) for e in doc["articles"]}
    assert keys["unchanged"] == ["status", "old", "new", "similarity"]
    assert keys["renumbered"] == ["status", "old", "new", "similarity"]
    assert keys["modified"] == ["status", "old", "new", "similarity", "substance", "diff"]
    assert keys["inserted"] == ["status", "old", "new"]
    assert keys["deleted"] == ["status", "old", "new"]
    modified = next(e for e in doc["articles"] if e["status"] == "modified")
    assert all(isinstance(op, list) and op[0] in (-1, 0, 1) for op in modified["diff"])


def test_renumbering_map_names_where_each_old_article_went():
    texts = base()
    texts.insert(0, A["secret"])
    c = compare(law(*base()), law(*texts))
    assert c.renumbering["第十二条"] == ["第十三条"]


@pytest.mark.parametrize("old_empty", [True, False])
def test_a_side_without_articles_gives_all_inserted_or_all_deleted(old_empty):
    empty, full = parse("中华人民共和国示例法"), law(*base())
    c = compare(empty, full) if old_empty else compare(full, empty)
    assert c.summary["inserted" if old_empty else "deleted"] == 12
