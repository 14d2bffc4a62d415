"""What the mirror sends back: .docx and scanned-looking .pdf files, and HTML pages.

>>> data = docx_bytes("示例法\\n第一条　示例。")
>>> data[:2]
b'PK'
"""

from __future__ import annotations

import io
import pathlib
import re
from functools import lru_cache

import jinja2

TEMPLATES = pathlib.Path(__file__).resolve().parent / "templates"
_LABEL = re.compile(r"^(第[一二三四五六七八九十百千零〇两\d]+条(?:之[一二三四五六七八九十]+)?)[\s\u3000]*(.*)$")
_HEADING = re.compile(r"^第[一二三四五六七八九十百千零〇\d]+[编章节]")


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              keep_trailing_newline=True)


def page(name: str, **values) -> bytes:
    """Render ``templates/<name>.html`` (autoescaped) as UTF-8 bytes."""
    return _env().get_template(f"{name}.html").render(**values).encode("utf-8")


def lines_of(text: str) -> list[dict]:
    """The text's non-empty lines, each marked as a heading, an article (label + text) or prose."""
    out = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("<!--"):
            line = line.lstrip("#").strip()
            if not line or line.startswith("<!--"):
                continue
        m = _LABEL.match(line)
        if m:
            out.append({"heading": False, "label": m.group(1), "text": m.group(2), "full": line})
        else:
            out.append({"heading": bool(_HEADING.match(line)), "label": None, "text": line, "full": line})
    return out


def docx_bytes(text: str, title: str | None = None) -> bytes:
    """A Word document with one paragraph per line of ``text`` (as the database's downloads are)."""
    import docx  # python-docx

    document = docx.Document()
    if title:
        document.core_properties.title = title
    for line in lines_of(text):
        document.add_paragraph(line["full"])
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def scanned_pdf_bytes() -> bytes:
    """A PDF page with no text layer (what a scanned gazette looks like to a text extractor)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def placeholder_text(title: str, gbrq: str | None) -> str:
    """A small but well-formed law text for documents that have none (benchmarks)."""
    return (f"{title}\n\n（{gbrq or ''}公布）\n\n"
            "第一条　为了规范有关活动，制定本法。\n"
            "第二条　本法适用于有关活动。\n"
            f"第三条　本法自公布之日起施行。\n")
