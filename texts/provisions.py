"""How a cited provision is written in Chinese: 《法律》第九十九条第一款第（一）项第1目.

The one rendering of a citation for a person: the CLI (``yiju cite``, ``yiju duties``, ``yiju flags``),
the digest and the e-mails all call ``cited_provision`` (or ``provision``), so a citation reads the
same everywhere. As laws write them: 款 with a Chinese numeral, 项 with a Chinese numeral in
parentheses, 目 with an Arabic numeral.

>>> provision("第九十九条", 1, 1)
'第九十九条第一款第（一）项'
>>> cited_provision({"law_title": "中华人民共和国行政处罚法", "article": "第三十二条", "paragraph": 1, "item": 2})
'《中华人民共和国行政处罚法》第三十二条第一款第（二）项'
>>> cited_provision({"law_title": "中华人民共和国行政处罚法", "article": None})
'《中华人民共和国行政处罚法》'
"""

from __future__ import annotations

from typing import Mapping

from texts.numerals import to_chinese


def paragraph_label(n: int) -> str:
    """第一款."""
    return f"第{to_chinese(n)}款"


def item_label(n: int) -> str:
    """第（一）项."""
    return f"第（{to_chinese(n)}）项"


def sub_item_label(n: int) -> str:
    """第1目 (目 are numbered 1. 2. … in the text)."""
    return f"第{n}目"


def provision(article: str | None, paragraph: int | None = None, item: int | None = None,
              sub_item: int | None = None) -> str:
    """An article label with its 款, 项 and 目: 第九十九条第一款第（一）项第1目 ('' without an article)."""
    if not article:
        return ""
    out = article
    if paragraph:
        out += paragraph_label(paragraph)
    if item:
        out += item_label(item)
    if sub_item:
        out += sub_item_label(sub_item)
    return out


def cited_provision(c: Mapping, *, whole_law: str = "") -> str:
    """A citation record (keys ``law_title`` or ``law``, ``article``, ``paragraph``, ``item``,
    ``sub_item``; missing keys are fine) as a person reads it: 《title》 and the provision;
    ``whole_law`` (e.g. （整部法律）) stands for the provision when the whole law is cited. Falls
    back to ``raw`` when nothing is known.

    >>> cited_provision({"law": "某法", "article": None}, whole_law="（整部法律）")
    '《某法》（整部法律）'
    >>> cited_provision({"raw": "本法第三条"})
    '本法第三条'
    """
    title = c.get("law_title") or c.get("law")
    where = provision(c.get("article"), c.get("paragraph"), c.get("item"), c.get("sub_item")) or whole_law
    text = (f"《{title}》" if title else "") + where
    return text or c.get("raw") or ""
