"""Law text structure: every built-in law parses to the reviewed article count, and the
structure a legal officer relies on (labels, 款, 项, chapters, 题注) is right in each source format."""

from __future__ import annotations

import json
import pathlib
import re

import pytest

from texts.structure import Article, Paragraph, parse, parse_file

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA = ROOT / "yiju" / "data"
GOLDEN = json.loads((ROOT / "tests" / "data" / "golden" / "article_counts.json").read_text("utf-8"))
COUNTS = {k: v for k, v in GOLDEN.items() if k != "notes"}
LABEL_LINE = re.compile(r"^第[零〇一二两三四五六七八九十百千0-9]+(条|章|节|编)[ \u3000]")


def law(path: str):
    return parse((DATA / "laws" / path).read_text("utf-8"))


def test_golden_covers_every_built_in_law():
    on_disk = {str(p.relative_to(DATA)) for p in (DATA / "laws").rglob("*.md")}
    assert on_disk == set(COUNTS)
    assert len(COUNTS) >= 290


@pytest.mark.parametrize("path", sorted(COUNTS))
def test_every_law_has_its_reviewed_article_count(path):
    text = parse((DATA / path).read_text("utf-8"))
    assert len(text.articles) == COUNTS[path]
    # Articles come in order, none is empty, none swallowed the next article or a heading.
    keys = [(a.number, a.suffix) for a in text.articles]
    assert keys == sorted(set(keys))
    assert [a.ordinal for a in text.articles] == list(range(len(text.articles)))
    for a in text.articles:
        assert a.text.strip(), a.label
        for line in a.text.split("\n"):
            assert not LABEL_LINE.match(line), (a.label, line)
            assert not line.startswith(("#", "目录", "附件")), (a.label, line)


def test_flk_txt_table_of_contents_is_not_counted_twice():
    t = law("行政处罚法/2021-01-22.md")
    assert t.title == "中华人民共和国行政处罚法"
    assert t.note.startswith("1996年3月17日") and t.note.endswith("修订")
    assert [(h.kind, h.label, h.title) for h in t.headings][:5] == [
        ("章", "第一章", "总则"),
        ("章", "第二章", "行政处罚的种类和设定"),
        ("章", "第三章", "行政处罚的实施机关"),
        ("章", "第四章", "行政处罚的管辖和适用"),
        ("章", "第五章", "行政处罚的决定"),
    ]
    assert len(t.headings) == 8 + 4  # 8 chapters, 4 sections of 第五章
    sec = next(h for h in t.headings if h.kind == "节" and h.title == "普通程序")
    assert t.articles[sec.ordinal].label == "第五十四条"
    assert t.article("第五十四条").path == "第五章 › 第三节"
    assert len(t.articles) == 86


def test_flk_txt_article_paragraphs_and_items():
    a = law("行政处罚法/2021-01-22.md").article("第九条")
    assert a.text.startswith("行政处罚的种类：")
    assert a.paragraphs[0].items[0] == "（一）警告、通报批评；"
    assert len(a.paragraphs[0].items) == 6
    assert "第九条" not in a.text


def test_flk_md_blockquote_note_is_unescaped_and_toc_skipped():
    t = law("行政处罚法/2017-09-01.md")
    assert t.title == "中华人民共和国行政处罚法"
    assert "《关于修改<中华人民共和国法官法>等八部法律的决定》" in t.note
    assert "\\" not in t.note
    assert len(t.headings) == 8 + 3
    assert len(t.articles) == 64
    # 款 are separated by blank lines in this format; each one is a paragraph.
    assert len(t.article("第三条").paragraphs) == 2


def test_flk_md_without_indentation():
    t = law("消防法/2019-04-23.md")
    assert len(t.articles) == 74
    assert t.articles[-1].text == "本法自2009年5月1日起施行。"


def test_lawrefbook_with_presidential_order_before_body():
    t = law("劳动合同法/2007-06-29.md")
    assert t.title == "中华人民共和国劳动合同法"
    assert t.note.split("\n") == [
        "2007年6月29日 第十届全国人民代表大会常务委员会第二十八次会议通过",
        "2008年1月1日 施行",
    ]
    assert t.articles[0].label == "第一条"
    assert t.articles[0].text.startswith("为了完善劳动合同制度")
    assert "主席令" not in "".join(a.text for a in t.articles)
    assert len(t.articles) == 98


def test_lawrefbook_wrapped_history_line_is_note_not_article():
    t = law("文物保护法/2017-11-04.md")
    assert "第三十一条的决定》第一次修正" in t.note
    assert t.articles[0].label == "第一条"


def test_lawrefbook_wrapped_chapter_title():
    t = law("各级人民代表大会常务委员会监督法/2006-08-27.md")
    h = next(h for h in t.headings if h.label == "第二章")
    assert h.title == "听取和审议人民政府、人民法院和人民检察院的专项工作报告"
    assert t.articles[h.ordinal].label == "第八条"


def test_plain_text_without_title_and_ascii_items():
    t = law("生猪屠宰管理条例/2008-05-25.md")
    assert t.title == ""
    assert t.articles[0].label == "第一条"
    t = law("动物防疫法/2007-08-30.md")
    assert t.title == "" and t.note.startswith("1997年7月3日")
    items = [i for a in t.articles for p in a.paragraphs for i in p.items]
    assert any(i.startswith("(一)") for i in items) or any(i.startswith("（一）") for i in items)


def test_inserted_articles_and_parts():
    t = law("刑法/2023-12-29.md")
    a = t.article("第十七条之一")
    assert (a.number, a.suffix) == (17, 1)
    assert t.articles[a.ordinal - 1].label == "第十七条"
    assert t.article("第一百零一条").path == "第一编 › 第五章"  # 其他规定
    assert sum(1 for x in t.articles if x.suffix) == 53
    last = t.articles[-1]
    assert last.label == "第四百五十二条" and last.path == "附则"
    # The appendices and the editorial footnote after the last article are not its text.
    assert "附件一" not in last.text.split("\n")[-1] and "①" not in last.text
    assert len(last.paragraphs) == 3


def test_code_with_books_and_sub_books():
    t = law("生态环境法典/2026-03-12.md")
    kinds = {h.kind for h in t.headings}
    assert {"编", "分编", "章", "节"} <= kinds
    sub = next(h for h in t.headings if h.kind == "分编" and h.label == "第二分编")
    assert sub.title == "大气污染防治"
    assert t.articles[sub.ordinal].path.startswith("第二编 › 第二分编")


def test_cross_reference_at_line_start_never_starts_an_article():
    text = "示例法\n第一条　依照本法\n第三十二条的规定处理。\n第二条 本法施行。\n第七十条第一款规定的行为，不适用。"
    t = parse(text)
    assert [a.label for a in t.articles] == ["第一条", "第二条"]
    assert t.articles[0].text == "依照本法\n第三十二条的规定处理。"
    assert t.articles[1].paragraphs[-1].text == "第七十条第一款规定的行为，不适用。"


def test_labels_without_separator_and_arabic_numerals():
    t = parse("示例条例\n第一条为了示例，制定本条例。\n第二条本条例自公布之日起施行。")
    assert [a.text for a in t.articles] == ["为了示例，制定本条例。", "本条例自公布之日起施行。"]
    t = parse("示例规定\n第1条 甲。\n第2条\n乙。\n第10条之1 丙。")
    assert [a.label for a in t.articles] == ["第一条", "第二条", "第十条之一"]
    assert t.articles[1].text == "乙。"


def test_article_text_joins_paragraphs_and_items_without_label():
    a = Article("第一条", 1, 0, 0, "", (Paragraph("有下列情形之一的：", ("（一）甲；", "（二）乙。")), Paragraph("前款。")))
    assert a.text == "有下列情形之一的：\n（一）甲；\n（二）乙。\n前款。"


def test_parse_file_reads_docx_and_html(tmp_path):
    docx = pytest.importorskip("docx")
    d = docx.Document()
    for line in ["中华人民共和国示例法", "第一章　总　　则", "第一条　为了示例，制定本法。", "第二条　本法施行。"]:
        d.add_paragraph(line)
    d.save(tmp_path / "示例法.docx")
    t = parse_file(tmp_path / "示例法.docx")
    assert t.title == "中华人民共和国示例法" and [a.label for a in t.articles] == ["第一条", "第二条"]
    (tmp_path / "示例法.html").write_text(
        "<html><body><h1>中华人民共和国示例法</h1><p>第一条　为了<b>示例</b>，制定本法。</p>"
        "<p>第二条　本法施行。</p><script>var x='第三条　假';</script></body></html>", "utf-8")
    t = parse_file(tmp_path / "示例法.html")
    assert [a.text for a in t.articles] == ["为了示例，制定本法。", "本法施行。"]


def test_odd_numerals_do_not_start_articles():
    t = parse("示例法\n第一条　甲。\n第十十条　不是条文。\n第零条　也不是。\n第二条　乙。")
    assert [a.label for a in t.articles] == ["第一条", "第二条"]
    assert t.articles[0].text == "甲。\n第十十条　不是条文。\n第零条　也不是。"


def _valid_numeral(text: str) -> bool:
    from texts.numerals import to_int

    try:
        return to_int(text) > 0
    except ValueError:
        return False


from hypothesis import given, settings, strategies as st  # noqa: E402

_PIECES = st.sampled_from([
    "第一条", "第十条之一", "第一百零一条", "第1条", "第十十条", "第零条", "第一章", "第二节", "第一编", "第一分编",
    "　", " ", "\n", "\r\n", "（一）", "(二)", "1.", "目录", "附则", "附件一", "①", "# ", "> ", "（", "）",
    "<!-- INFO END -->", "2020年1月1日 通过", "罚款", "。", "，", "的", "本法", "\\<", "\u200b",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=40))
def test_parser_never_crashes_and_keeps_its_promises(pieces):
    t = parse("".join(pieces))
    assert [a.ordinal for a in t.articles] == list(range(len(t.articles)))
    for a in t.articles:
        for line in a.text.split("\n"):
            # A short line 第一章 总则 is a heading, never part of an article.
            m = re.match(r"^第([一二三四五六七八九十百千]+)(章|节|编)[ \u3000][^。]{0,20}$", line)
            assert m is None or not _valid_numeral(m.group(1)), (a.label, line)
    assert all(0 <= h.ordinal < max(len(t.articles), 1) for h in t.headings)
