"""What a reviewer's new basis text says, before it is submitted: the server's own citation logic.

``check_basis`` parses a basis (``diffing.cite``) and resolves each citation against the registry
(``impact.resolve``), as ``yiju cite`` does; a citation of a law the registry holds whose article
(or 款, 项) does not exist is an error (the workspace refuses to submit it), anything else it can
say is a warning. ``adopt`` writes a suggested provision into the basis text in place of the cited
one.

>>> from registry.schema import connect
>>> check_basis(connect(":memory:"), "")["errors"]
['依据不能为空']
>>> adopt("依据《行政处罚法》第三十二条第一款处理", {"raw": "《行政处罚法》第三十二条", "span": "[2, 15]",
...        "article": "第三十二条", "written": "《行政处罚法》"}, label="第三十三条")
'依据《行政处罚法》第三十三条第一款处理'
"""

from __future__ import annotations

import sqlite_utils

from config.clock import today
from config.glossary import name
from diffing.cite.find import parse_basis
from impact.resolve import resolve_all
from impact.rewrite import Edit, relabel, rewrite
from texts.numerals import to_chinese


def check_basis(db: sqlite_utils.Database, text: str, *, as_of: str | None = None) -> dict:
    """{"citations": [{"written", "law", "article", "resolution", "law_id", "current_label", "problem"}],
    "errors": [...], "warnings": [...]} — errors block a submission."""
    text = (text or "").strip()
    if not text:
        return {"citations": [], "errors": ["依据不能为空"], "warnings": []}
    parsed = parse_basis(text)
    out, errors, warnings = [], [], []
    for r in resolve_all(db, parsed, as_of or today()):
        c = r.citation
        where = (c.article + (f"第{to_chinese(c.paragraph)}款" if c.paragraph else "")
                 + (f"第（{to_chinese(c.item)}）项" if c.item else ""))
        row = {"written": text[c.span[0]:c.span[1]], "law": r.title or c.law, "article": c.article,
               "paragraph": c.paragraph, "item": c.item, "where": where, "resolution": r.resolution,
               "resolution_name": name("resolution", r.resolution), "law_id": r.law_id, "status": r.status, "current_label": r.current_label,
               "problem": r.problem}
        out.append(row)
        if r.law_id is not None and r.resolution == "unresolved":
            errors.append(f"{row['written']}：{r.problem or '登记库中没有这一条文'}")
        elif r.law_id is None:
            warnings.append(f"{row['written']}：{r.problem or '登记库中没有这部法律，无法核对'}")
        elif r.resolution == "stale" or r.problem:
            warnings.append(f"{row['written']}：{r.problem or '引用的不是现行条文'}")
    for p in parsed.problems:
        if p not in warnings:
            warnings.append(p)
    if not out and not errors:
        warnings.append("没有识别出任何条文引用（请写明法律名称和条号，如《行政处罚法》第三十三条）")
    return {"citations": out, "errors": errors, "warnings": warnings}


def adopt(basis: str, citation: dict, *, label: str, title: str | None = None) -> str:
    """``basis`` with the cited provision replaced: its article by ``label`` (``impact.rewrite``, the
    one place a cited article is rewritten) and, when ``title`` is given (a successor law), the law's
    name by 《title》. Unchanged when the citation cannot be found in the text."""
    edit = relabel(basis, citation.get("article"), label, citation.get("span"))
    if edit is None:
        return basis
    edits = [edit]
    written = citation.get("written") or ""
    if title and written:
        at = basis.rfind(written, 0, edit.start)
        if at >= 0:
            edits.append(Edit(at, at + len(written), written, f"《{title}》"))
    return rewrite(basis, edits)
