"""Text from a downloaded or imported law file: .docx, legacy .doc, HTML, PDF, .txt/.md.

The format is read from the bytes first (a ".docx" that is really an old Word file or an HTML
page is common on government sites), then from the name.

>>> extract_text("第一条　甲。\\r\\n第二条　乙。".encode("gb18030"), "示例.txt")
'第一条\\u3000甲。\\n第二条\\u3000乙。'
>>> detect_format(b"%PDF-1.4 ...", "x.docx")
'pdf'
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import zipfile

from config import limits


class ExtractionError(Exception):
    """The file cannot be read as a text; the message (Chinese) says why."""


class TextUnavailable(ExtractionError):
    """The file is readable but carries no text (a scanned PDF): never store an empty law."""


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|p|div|title)\b",
                         re.I | re.S)
_BY_NAME = {".docx": "docx", ".doc": "doc", ".pdf": "pdf", ".html": "html", ".htm": "html",
            ".shtml": "html", ".xhtml": "html", ".txt": "txt", ".md": "txt", ".text": "txt"}
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def detect_format(data: bytes, name: str = "") -> str:
    """'docx' | 'doc' | 'pdf' | 'html' | 'txt' | 'zip' (a zip that is no Word file)."""
    head = data[:2048]
    if head.startswith(b"PK\x03\x04"):
        return "docx" if _is_docx(data) else "zip"
    if head.startswith(OLE_MAGIC):
        return "doc"
    if b"%PDF-" in head[:1024]:
        return "pdf"
    body = head
    for bom in _BOMS:
        if body.startswith(bom):
            body = body[len(bom):]
            break
    if _HTML_START.match(body):
        return "html"
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    fmt = _BY_NAME.get(suffix, "txt")
    if fmt in ("docx", "doc", "pdf"):
        # Named like a binary document but the bytes are not one: read it as text only if it is.
        return "txt" if _looks_like_text(data) else fmt
    return fmt


def extract_text(data: bytes, name: str) -> str:
    """The text of a law file, one paragraph per line ("\\n" line ends).

    Raises ExtractionError when the file cannot be read, TextUnavailable when it has no text.
    """
    try:
        return _extract(data, name)
    except limits.TooLarge as exc:
        raise ExtractionError(str(exc)) from exc


def _extract(data: bytes, name: str) -> str:
    fmt = detect_format(data, name)
    limits.check_size(len(data), name)
    if not data.strip():
        raise ExtractionError(f"{name}：文件是空的")
    if fmt == "docx":
        text = _docx(data, name)
    elif fmt == "doc":
        text = _doc(data, name)
    elif fmt == "pdf":
        text = _pdf(data, name)
    elif fmt == "html":
        text = _html(data, name)
    elif fmt == "zip":
        raise ExtractionError(f"{name}：是 zip 压缩包，但不是 Word（.docx）文档")
    else:
        text = decode_text(data, name)
    text = _normalise(text)
    limits.check_count(text.count("\n") + 1, name, "max_paragraphs", "段落数")
    if not text.strip():
        if fmt == "pdf":
            raise TextUnavailable(f"{name}：PDF 没有文字层（扫描件），无法取得文本（scanned, text unavailable）")
        raise TextUnavailable(f"{name}：文件中没有文字")
    return text


def decode_text(data: bytes, name: str = "") -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ExtractionError(f"{name}：无法识别文字编码（既不是 UTF-8 也不是 GB18030）") from exc


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n").lstrip("\ufeff")
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


def _looks_like_text(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 4:  # cut in the middle of a character
            return True
    try:
        sample.decode("gb18030")
        return True
    except UnicodeDecodeError:
        return False


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except zipfile.BadZipFile:
        return True  # a damaged docx: let the reader say so


# --------------------------------------------------------------------------- Word


_PARAGRAPH = re.compile(rb"<w:p[\s>/]")


def _docx_within_limits(data: bytes, name: str) -> None:
    """Check a .docx before parsing it: its decompressed size and its number of paragraphs
    (a 456 KB file can hold 3 million empty paragraphs, gigabytes once parsed)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            limits.check_zip(z, name)
            try:
                info = z.getinfo("word/document.xml")
            except KeyError:
                return
            count = 0
            with z.open(info) as f:
                tail = b""
                while chunk := f.read(1 << 20):
                    count += len(_PARAGRAPH.findall(tail + chunk))
                    tail = chunk[-4:]   # a match needs 5 bytes: never counted twice
                    limits.check_count(count, name, "max_paragraphs", "段落数")
    except zipfile.BadZipFile:
        return  # the reader says what is wrong with it


def _docx(data: bytes, name: str) -> str:
    _docx_within_limits(data, name)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, KeyError, PackageNotFoundError, XMLSyntaxError …
        raise ExtractionError(f"{name}：无法读取 Word（.docx）文档（{type(exc).__name__}: {exc}）") from exc

    lines: list[str] = []

    def walk(parent_element, parent) -> None:
        for child in parent_element.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.append(Paragraph(child, parent).text)
            elif tag == "tbl":
                table = Table(child, parent)
                for row in table.rows:
                    seen: set[int] = set()
                    for cell in row.cells:
                        if id(cell._tc) in seen:  # a merged cell is listed once per column it spans
                            continue
                        seen.add(id(cell._tc))
                        walk(cell._tc, cell)
            elif tag == "sdt":  # content controls wrap paragraphs in some government templates
                content = child.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}sdtContent")
                if content is not None:
                    walk(content, parent)

    try:
        walk(document.element.body, document)
    except Exception as exc:
        raise ExtractionError(f"{name}：Word 文档内容无法解析（{exc}）") from exc
    return "\n".join(lines)


def _doc(data: bytes, name: str) -> str:
    program = shutil.which("antiword")
    if program is None:
        raise ExtractionError(
            f"{name}：这是旧版 Word（.doc）文件，需要安装 antiword 才能读取（例如 apt-get install antiword）")
    with tempfile.NamedTemporaryFile(suffix=".doc") as f:
        f.write(data)
        f.flush()
        try:
            done = subprocess.run([program, "-m", "UTF-8.txt", "-w", "0", f.name],
                                  capture_output=True, timeout=120)
        except subprocess.TimeoutExpired as exc:
            raise ExtractionError(f"{name}：读取旧版 Word 文件超时") from exc
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExtractionError(f"{name}：无法读取旧版 Word（.doc）文件（{why[-1] if why else done.returncode}）")
    return done.stdout.decode("utf-8", "replace")


# --------------------------------------------------------------------------- PDF


def _pdf(data: bytes, name: str) -> str:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:
        raise ExtractionError(f"{name}：无法读取 PDF（{type(exc).__name__}: {exc}）") from exc
    return "\n".join(pages)


# --------------------------------------------------------------------------- HTML

_BLOCKS = ["p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table", "section",
           "article", "blockquote", "pre", "dd", "dt", "ul", "ol", "center", "hr", "title", "header", "footer"]
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


def _html_decode(data: bytes) -> str:
    m = _META_CHARSET.search(data[:4096])
    if m:
        declared = m.group(1).decode("ascii").lower()
        if declared in ("gb2312", "gbk", "gb_2312-80", "x-gbk"):
            declared = "gb18030"
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def _html(data: bytes, name: str) -> str:
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(_html_decode(data), "lxml")
    except ExtractionError:
        raise
    except Exception as exc:
        raise ExtractionError(f"{name}：无法解析 HTML（{exc}）") from exc
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    for cell in soup.find_all(["td", "th"]):
        cell.insert_after("\t")
    text = soup.get_text()
    lines = [line.replace("\xa0", " ").strip(" \t") for line in text.split("\n")]
    return "\n".join(line for line in lines if line)
