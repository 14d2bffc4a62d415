"""Chinese numerals as laws write them, on top of cn2an.

>>> to_int("一百零八")
108
>>> to_int("32")
32
>>> to_chinese(110)
'一百一十'
>>> article_label(10, 1)
'第十条之一'
"""

from __future__ import annotations

import functools
import re

import cn2an

_DIGITS = "零〇一二两三四五六七八九十百千万"
CHINESE_NUMBER = f"[{_DIGITS}]+"
ANY_NUMBER = f"(?:[{_DIGITS}]+|[0-9０-９]+)"
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


@functools.lru_cache(maxsize=4096)
def to_int(text: str) -> int:
    """Read a Chinese (一百零八, 两) or Arabic (108, full-width １０８) numeral.

    Raises ValueError when the text is not a numeral.
    """
    s = text.strip().translate(_FULLWIDTH)
    if not s:
        raise ValueError("empty numeral")
    if s.isdigit():
        return int(s)
    s = s.replace("〇", "零").replace("两", "二")
    try:
        value = cn2an.cn2an(s, "smart")
    except (ValueError, KeyError, IndexError) as exc:  # cn2an raises several kinds
        raise ValueError(f"not a numeral: {text!r}") from exc
    return int(value)


@functools.lru_cache(maxsize=4096)
def to_chinese(number: int) -> str:
    """Write a positive integer as laws do: 10 → 十, 110 → 一百一十, 101 → 一百零一."""
    if number <= 0:
        raise ValueError(f"article numbers start at 1, got {number}")
    return cn2an.an2cn(number)


def article_label(number: int, suffix: int = 0) -> str:
    """第N条, or 第N条之M for an inserted article."""
    label = f"第{to_chinese(number)}条"
    if suffix:
        label += f"之{to_chinese(suffix)}"
    return label


_LABEL = re.compile(rf"^第\s*({ANY_NUMBER})\s*条(?:之\s*({ANY_NUMBER}))?$")


def parse_article_label(label: str) -> tuple[int, int]:
    """'第十条之一' → (10, 1); '第32条' → (32, 0). Raises ValueError otherwise."""
    m = _LABEL.match(label.strip())
    if not m:
        raise ValueError(f"not an article label: {label!r}")
    return to_int(m.group(1)), to_int(m.group(2)) if m.group(2) else 0


def normalize_label(label: str) -> str:
    """'第32条' → '第三十二条' (labels are always written with Chinese numerals)."""
    return article_label(*parse_article_label(label))
