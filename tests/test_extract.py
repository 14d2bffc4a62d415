"""Text extraction from the files departments and official sites actually hand out."""

from __future__ import annotations

import io
import pathlib
import shutil
import zipfile

import docx
import pytest

from texts import extract
from texts.extract import ExtractionError, TextUnavailable, detect_format, extract_text
from texts.structure import parse

DATA = pathlib.Path(__file__).parent / "data" / "extract"
LAW_LINES = ["中华人民共和国示例法", "第一条　为了示例，制定本法。", "第二条　违反本法规定的，处一千元以下罚款。"]


# --------------------------------------------------------------------------- helpers


def make_docx(paragraphs=(), table=None, after=()) -> bytes:
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    for p in after:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def make_pdf(lines: list[str] | None) -> bytes:
    """A small valid PDF. With ``lines``: a text layer in a Type0 font whose ToUnicode map gives
    the characters back (as in PDFs printed from Word). Without: a page with only a drawing,
    like a scanned page."""
    objects: list[bytes] = []
    if lines:
        chars = sorted({ch for line in lines for ch in line})
        code = {ch: i + 1 for i, ch in enumerate(chars)}
        ops = ["BT", "/F1 12 Tf", "14 TL", "50 780 Td"]
        for line in lines:
            ops.append("<" + "".join(f"{code[ch]:04X}" for ch in line) + "> Tj T*")
        ops.append("ET")
        content = "\n".join(ops).encode()
        cmap = "\n".join([
            "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
            "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange",
            f"{len(chars)} beginbfchar",
            *[f"<{code[ch]:04X}> <{ord(ch):04X}>" for ch in chars],
            "endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
        ]).encode()
        resources = b"<< /Font << /F1 5 0 R >> >>"
    else:
        content = b"0.5 g 50 500 300 200 re f"
        resources = b"<< >>"
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources " + resources
                   + b" /Contents 4 0 R >>")
    objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    if lines:
        objects.append(b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
                       b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>")
        objects.append(b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun "
                       b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
                       b"/FontDescriptor 8 0 R /DW 1000 >>")
        objects.append(b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream")
        objects.append(b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -141 1000 859] "
                       b"/ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 700 /StemV 80 >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# --------------------------------------------------------------------------- detection


def test_format_comes_from_the_bytes_before_the_name():
    assert detect_format(make_docx(["甲"]), "x.doc") == "docx"
    assert detect_format(extract.OLE_MAGIC + b"\x00" * 100, "law.docx") == "doc"
    assert detect_format(make_pdf(None), "law.html") == "pdf"
    assert detect_format("<!DOCTYPE html><html><body>第一条</body></html>".encode(), "law.docx") == "html"
    assert detect_format("\ufeff<html><p>第一条</p></html>".encode("utf-8"), "law.txt") == "html"
    assert detect_format("第一条　甲。".encode("gb18030"), "law.md") == "txt"
    assert detect_format("第一条　甲。".encode("utf-8"), "law.docx") == "txt"  # mislabelled plain text


# --------------------------------------------------------------------------- Word


def test_docx_paragraphs_and_table_cells_in_document_order():
    data = make_docx(["中华人民共和国示例法", "第一条　为了示例，制定本法。"],
                     table=[["第二条　表格中的条文。", "（一）同一行的第二格；"]],
                     after=["第三条　本法自公布之日起施行。"])
    text = extract_text(data, "示例法.docx")
    lines = [x for x in text.split("\n") if x]
    assert lines == ["中华人民共和国示例法", "第一条　为了示例，制定本法。", "第二条　表格中的条文。",
                     "（一）同一行的第二格；", "第三条　本法自公布之日起施行。"]
    law = parse(text)
    assert [a.label for a in law.articles] == ["第一条", "第二条", "第三条"]
    assert law.articles[1].paragraphs[0].items == ("（一）同一行的第二格；",)


def test_docx_merged_cell_is_read_once():
    d = docx.Document()
    t = d.add_table(rows=1, cols=3)
    merged = t.cell(0, 0).merge(t.cell(0, 1))
    merged.text = "第一条　合并单元格。"
    t.cell(0, 2).text = "第二条　另一格。"
    buf = io.BytesIO()
    d.save(buf)
    text = extract_text(buf.getvalue(), "x.docx")
    assert text.count("合并单元格") == 1 and "另一格" in text


def test_damaged_docx_is_a_clear_error():
    data = make_docx(LAW_LINES)
    with pytest.raises(ExtractionError, match=r"坏\.docx.*无法读取 Word"):
        extract_text(data[: len(data) // 2], "坏.docx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<not-xml")
    with pytest.raises(ExtractionError, match="Word"):
        extract_text(buf.getvalue(), "x.docx")


def test_zip_that_is_not_a_word_file():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "x")
    with pytest.raises(ExtractionError, match="不是 Word"):
        extract_text(buf.getvalue(), "x.docx")


def test_legacy_doc_without_antiword_says_what_to_install(monkeypatch):
    monkeypatch.setattr(extract.shutil, "which", lambda name: None)
    data = (DATA / "示例法.doc").read_bytes()
    with pytest.raises(ExtractionError, match="antiword"):
        extract_text(data, "示例法.docx")  # named .docx, but it is an old Word file


@pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword is not installed")
def test_legacy_doc_is_read_with_antiword():
    text = extract_text((DATA / "示例法.doc").read_bytes(), "示例法.doc")
    law = parse(text)
    assert law.title == "中华人民共和国示例法"
    assert len(law.articles) == 40
    assert law.articles[39].label == "第四十条"
    assert law.articles[0].text == "为了检验旧版 Word 文件的读取，本条规定第1项事务；违反本法规定的，处一千元以下罚款。"


@pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword is not installed")
def test_broken_legacy_doc_is_a_clear_error():
    with pytest.raises(ExtractionError, match="旧版 Word"):
        extract_text(extract.OLE_MAGIC + b"\x00" * 600, "坏.doc")


# --------------------------------------------------------------------------- PDF


def test_pdf_text_layer():
    text = extract_text(make_pdf(LAW_LINES), "示例法.pdf")
    law = parse(text)
    assert law.title == "中华人民共和国示例法"
    assert [a.text for a in law.articles] == ["为了示例，制定本法。", "违反本法规定的，处一千元以下罚款。"]


def test_scanned_pdf_is_text_unavailable_never_empty():
    with pytest.raises(TextUnavailable, match="scanned, text unavailable"):
        extract_text(make_pdf(None), "扫描件.pdf")


def test_broken_pdf():
    with pytest.raises(ExtractionError, match="PDF"):
        extract_text(b"%PDF-1.4\n garbage", "坏.pdf")


# --------------------------------------------------------------------------- HTML and text


def test_html_keeps_paragraphs_drops_scripts_and_reads_declared_charset():
    page = ("<html><head><meta charset='gbk'><title>标题</title><style>p{}</style></head><body>"
            "<div class='title'>中华人民共和国示例法</div>"
            "<p>第一条　为了<span>示例</span>，制定本法。<br>本条第二款。</p>"
            "<script>document.write('第九条　假的');</script>"
            "<p>第二条&nbsp;本法施行。</p></body></html>").encode("gbk")
    text = extract_text(page, "law.html")
    assert text.split("\n") == ["中华人民共和国示例法", "第一条　为了示例，制定本法。", "本条第二款。",
                                "第二条 本法施行。"]
    law = parse(text)
    assert [len(a.paragraphs) for a in law.articles] == [2, 1]


def test_text_files_utf8_bom_gb18030_and_crlf():
    utf8 = ("\ufeff" + "\r\n".join(LAW_LINES)).encode("utf-8")
    gb = "\r\n".join(LAW_LINES).encode("gb18030")
    for data in (utf8, gb):
        text = extract_text(data, "law.txt")
        assert text == "\n".join(LAW_LINES)
    assert extract_text("甲\r乙".encode(), "a.md") == "甲\n乙"


def test_empty_file_is_an_error():
    with pytest.raises(ExtractionError, match="空"):
        extract_text(b"  \n", "空.txt")
