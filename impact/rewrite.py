"""Rewriting a cited article inside a basis text: the one place it is done.

``yiju flags apply-renumbering`` (``impact.flags.apply_renumbering``) and the fix an e-mail
suggests (``notify.alerts.fix_view``) both call ``relabel``, so what a department is told to write
is what the one-click fix writes. The article is found by its number, however the basis writes it
(第32条, 第三十二条, 第十条之一), inside the citation's span when one is known; the new label is
written the way the basis writes numbers (第33条 stays Arabic).

>>> suggested_basis("依据《行政处罚法》第32条第一款", "第三十二条", "第三十三条", "[2, 16]")
'依据《行政处罚法》第33条第一款'
>>> suggested_basis("依据《行政处罚法》第三十二条", "第三十二条", "第三十二条")
''
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from impact.where import split_place
from texts.numerals import parse_article_label, to_int
from texts.provisions import provision

#: citations.field → the duty column its basis text is in.
BASIS_COLUMNS = {"basis": "basis_text", "penalty_basis": "penalty_basis_text"}

_LOCATOR = re.compile(r"第\s*([零〇一二两三四五六七八九十百千万]+|[0-9０-９]+)\s*条"
                      r"(?:\s*之\s*([零〇一二两三四五六七八九十]+|[0-9０-９]+))?")


#: The 款 and 项 written after an article locator (第一款第（二）项, 第1款第(2)项, （二）).
_TAIL = re.compile(r"(?:\s*第\s*(?:[零〇一二两三四五六七八九十]+|[0-9０-９]+)\s*款)?"
                   r"(?:\s*第?\s*[（(]\s*(?:[零〇一二两三四五六七八九十]+|[0-9０-９]+)\s*[)）]\s*项?)?")


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` (``old``) by ``new``."""

    start: int
    end: int
    old: str
    new: str


def basis_column(field: str | None) -> str:
    """The duty column a citation's text is in: basis_text or penalty_basis_text."""
    return BASIS_COLUMNS.get(field or "basis", "basis_text")


def locate_article(text: str, number: int, suffix: int = 0, span: tuple[int, int] | None = None):
    """Where 第<number>条(之<suffix>) is written in ``text``: (start, end, arabic) or None.

    Inside ``span`` the first such locator counts; without a span it must occur exactly once.

    >>> locate_article("依据《行政处罚法》第32条第一款", 32)
    (9, 13, True)
    >>> locate_article("第十条、第十条之一", 10, 1)
    (4, 9, False)
    """
    lo, hi = (span if span else (0, len(text)))
    hits = []
    for m in _LOCATOR.finditer(text, lo, hi):
        try:
            n = to_int(m.group(1))
            s = to_int(m.group(2)) if m.group(2) else 0
        except ValueError:
            continue
        if (n, s) == (number, suffix):
            hits.append((m.start(), m.end(), m.group(1)[0] in "0123456789０１２３４５６７８９"))
            if span:
                break
    if len(hits) == 1:
        return hits[0]
    return None


def written_like(label: str, arabic: bool) -> str:
    """A registry label written the way the basis writes its numbers (第三十三条 → 第33条).

    >>> written_like("第十条之一", True), written_like("第十条之一", False)
    ('第10条之1', '第十条之一')
    """
    if not arabic:
        return label
    n, s = parse_article_label(label)
    return f"第{n}条" + (f"之{s}" if s else "")


def _span(span) -> tuple[int, int] | None:
    """A citation's span as stored (JSON text) or given (a pair); None when unusable."""
    if isinstance(span, str):
        try:
            span = json.loads(span)
        except ValueError:
            return None
    if isinstance(span, (list, tuple)) and len(span) == 2 and all(isinstance(x, int) for x in span):
        return (span[0], span[1])
    return None


def relabel(text: str, article: str | None, new_label: str | None, span=None) -> Edit | None:
    """The edit that makes ``text`` cite ``new_label`` where it cites ``article`` (a registry label
    such as 第三十二条), or None when that is not mechanical (the article cannot be found once,
    or there is no new label). ``span``: the citation's [start, end] in ``text`` (JSON or a pair).
    A ``new_label`` with its 款/项 (第七十一条第一款第（二）项: where the cited 款/项 is now,
    ``impact.where``) replaces the article and the 款/项 written after it.

    >>> relabel("《行政处罚法》第32条、第三十二条", "第三十二条", "第三十三条", [0, 12])
    Edit(start=7, end=11, old='第32条', new='第33条')
    >>> relabel("《行政处罚法》第32条、第三十二条", "第三十二条", "第三十三条") is None
    True
    >>> relabel("《网络安全法》第六十四条第一款", "第六十四条", "第七十一条第一款第（二）项")
    Edit(start=7, end=15, old='第六十四条第一款', new='第七十一条第一款第（二）项')
    """
    if not (text and article and new_label):
        return None
    place = split_place(new_label)
    try:
        number, suffix = parse_article_label(article)
        hit = locate_article(text, number, suffix, _span(span))
        if hit is None:
            return None
        start, end, arabic = hit
        if place is None or (place[1] is None and place[2] is None):
            return Edit(start, end, text[start:end], written_like(new_label, arabic))
        tail = _TAIL.match(text, end)
        end = tail.end() if tail else end
        return Edit(start, end, text[start:end], written_like(place[0], arabic) + provision("x", *place[1:])[1:])
    except ValueError:
        return None


def rewrite(text: str, edits) -> str:
    """Apply edits (``Edit`` or (start, end, new)) at once, so 第十条→第十一条 and
    第十一条→第十二条 do not chain.

    >>> rewrite("第十条、第十一条", [(0, 3, "第十一条"), (4, 8, "第十二条")])
    '第十一条、第十二条'
    """
    out, pos = [], 0
    for start, end, new in sorted((e.start, e.end, e.new) if isinstance(e, Edit) else e for e in edits):
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def suggested_basis(text: str | None, article: str | None, new_label: str | None, span=None) -> str:
    """``text`` (the duty's basis text holding the citation, see ``basis_column``) citing
    ``new_label`` instead of ``article``; '' when that is not mechanical or changes nothing."""
    edit = relabel(text or "", article, new_label, span)
    if edit is None or edit.old == edit.new:
        return ""
    return rewrite(text or "", [edit])
