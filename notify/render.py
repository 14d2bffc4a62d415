"""Render the notify templates: the shared Jinja2 environment plus the filters the digest and e-mails use.

HTML templates are autoescaped (nothing from a law text or an imported file becomes markup);
the plain-text (Markdown) templates switch escaping off inside ``{% autoescape false %}``.

>>> md_new([(0, "处以"), (-1, "五千"), (1, "一万"), (0, "元")])
'处以**一万**元'
>>> shell_quote("《行政处罚法》第三十三条")
"'《行政处罚法》第三十三条'"
"""

from __future__ import annotations

import re
import shlex

import jinja2

from notify.compose import one_line
from config.glossary import glossary, name, word
from notify.templates import environment as shared


def _ops(ops) -> list[tuple[int, str]]:
    return [(int(op), text) for op, text in (ops or [])]


def md_old(ops) -> str:
    """The old text with deletions marked ~~like this~~ (Markdown strike-through)."""
    return "".join(_mark(t, "~~") if op < 0 else t for op, t in _ops(ops) if op <= 0)


def md_new(ops) -> str:
    """The new text with insertions marked **like this** (Markdown bold)."""
    return "".join(_mark(t, "**") if op > 0 else t for op, t in _ops(ops) if op >= 0)


def _mark(text: str, fence: str) -> str:
    # A marked run may span 款 (line breaks): mark each line so Markdown still reads it.
    return "\n".join(f"{fence}{line}{fence}" if line.strip() else line for line in text.split("\n"))


def quote(text: str, prefix: str = "> ") -> str:
    """Every line of ``text`` prefixed (a Markdown block quote)."""
    return "\n".join(prefix + line for line in (text or "").split("\n"))


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def md(text) -> str:
    """A name from a power list or a source, safe to put into Markdown: markup characters escaped,
    so ``<script>`` or ``**`` in a department's name stays text.

    >>> print(md("<script>alert(1)</script>*局*"))
    \\<script\\>alert(1)\\</script\\>\\*局\\*
    """
    text = "" if text is None else str(text)
    return _MD_SPECIAL.sub(r"\\\1", text)


def shell_quote(text: str) -> str:
    """``text`` quoted for a POSIX shell, so a command in an e-mail can be pasted as it is."""
    return shlex.quote(text or "")


_ENV: jinja2.Environment | None = None


def environment() -> jinja2.Environment:
    """The shared environment of ``notify.templates`` with this package's filters and globals."""
    global _ENV
    if _ENV is None:
        env = shared()
        env.filters.update(md_old=md_old, md_new=md_new, quote=quote, shell_quote=shell_quote,
                           one_line=one_line, md=md)
        env.globals.update(word=word, name=name, names=glossary())
        _ENV = env
    return _ENV


_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")


def render(template: str, **context) -> str:
    """Render one template of ``notify/templates/`` with ``context``.

    Plain-text templates (not ``.html.j2``) get runs of blank lines squeezed to one.
    """
    text = environment().get_template(template).render(**context)
    if not template.endswith(".html.j2"):
        text = _BLANK_LINES.sub("\n\n", text).strip() + "\n"
    return text
