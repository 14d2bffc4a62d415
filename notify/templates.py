"""The shared Jinja2 environment of ``notify/templates/``: autoescaped, with the filters a 对照
(old and new text side by side) needs.

Templates: ``_duizhao.html.j2`` (macro ``duizhao(m)``: one article), ``compare.html.j2``
(the page of ``yiju diff --html``), and the digest and e-mail templates of the notify area.

>>> env = environment()
>>> env.from_string("{{ x }}").render(x="<b>")
'&lt;b&gt;'
>>> env.filters["labels"](["第八条", "第九条"])
'第八条、第九条'
>>> str(env.filters["side"]({"diff": [(0, "处"), (-1, "一"), (1, "二"), (0, "万元")]}, "new"))
'处<ins>二</ins>万元'
"""

from __future__ import annotations

import pathlib

import jinja2
from markupsafe import Markup, escape

from diffing.compare import status_name, substance_name

TEMPLATES = pathlib.Path(__file__).resolve().parent / "templates"


def _get(m, *names, default=None):
    for name in names:
        value = m.get(name) if isinstance(m, dict) else getattr(m, name, None)
        if value is not None:
            return value
    return default


def labels(values) -> str:
    """['第八条', '第九条'] → '第八条、第九条'."""
    return "、".join(values or [])


def percent(value) -> str:
    """0.8214 → '82%'; None → ''."""
    if value is None or isinstance(value, jinja2.Undefined):
        return ""
    return f"{round(float(value) * 100)}%"


def chinese_date(value) -> str:
    """'2021-01-22' → '2021年1月22日' (anything else is returned as it is)."""
    try:
        y, m, d = str(value)[:10].split("-")
        return f"{int(y)}年{int(m)}月{int(d)}日"
    except (ValueError, TypeError):
        return "" if value is None else str(value)


def heading(m) -> str:
    """How a 对照 names an article: 第二十条 / 原第三十条 → 现第四十条 / 新增第十条之一 / 删除原第六十条."""
    old, new = labels(_get(m, "old", "old_labels", default=[])), labels(_get(m, "new", "new_labels", default=[]))
    if old and new:
        return new if old == new else f"原{old} → 现{new}"
    if new:
        return f"新增{new}"
    return f"删除原{old}"


def _lines(text: str) -> Markup:
    return Markup("<br>").join(escape(part) for part in text.split("\n"))


def side(m, which: str) -> Markup:
    """One side of an article's 对照 as HTML: the old text with deletions in <del>, or the new
    text with insertions in <ins>; from its diff-match-patch operations (``diff`` or ``ops``),
    else from its plain text (``old_text``/``new_text``). Texts are escaped."""
    ops = _get(m, "diff", "ops")
    if ops is None:
        text = _get(m, f"{which}_text", default="")
        return _lines(text)
    keep, mark, tag = (-1, -1, "del") if which == "old" else (1, 1, "ins")
    out = []
    for op, text in ops:
        op = int(op)
        if op == 0:
            out.append(_lines(text))
        elif op == mark:
            out.append(Markup(f"<{tag}>") + _lines(text) + Markup(f"</{tag}>"))
    return Markup("").join(out)


def environment() -> jinja2.Environment:
    """A new Environment on ``notify/templates/`` (autoescape on) with the shared filters:
    ``status_name``, ``substance_name``, ``labels``, ``percent``, ``chinese_date``, ``heading``, ``side``."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.Undefined,
    )
    env.filters.update(
        status_name=status_name, substance_name=substance_name, labels=labels, percent=percent,
        chinese_date=chinese_date, heading=heading, side=side,
    )
    return env
