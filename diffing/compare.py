"""Comparing the texts of two articles: normalisation, similarity, character diff, substance.

"Same text" ignores white space and full/half-width punctuation:

>>> same_text_key("第一款（一）　警告；") == same_text_key("第一款(一) 警告;")
True
>>> similarity("责令改正。", "责令改正。")
1.0
>>> char_diff("处一万元罚款", "处二万元罚款")
[(0, '处'), (-1, '一'), (1, '二'), (0, '万元罚款')]
>>> substance("依照本法第十条处罚。", "依照本法第十一条处罚。", {(10, 0): {(11, 0)}})
'references_only'
>>> substance("责令改正，并处罚款。", "责令改正并处罚款。", {})
'editorial'
"""

from __future__ import annotations

import pathlib
import re
import tomllib
import unicodedata
from functools import lru_cache

from diff_match_patch import diff_match_patch
from rapidfuzz import fuzz

from config.glossary import name
from texts.numerals import ANY_NUMBER, to_int

DATA = pathlib.Path(__file__).resolve().parent / "data"

SUBSTANTIVE = "substantive"
REFERENCES_ONLY = "references_only"
EDITORIAL = "editorial"


@lru_cache(maxsize=None)
def _data(name: str) -> dict:
    with open(DATA / name, "rb") as f:
        return tomllib.load(f)


@lru_cache(maxsize=None)
def _char_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for canonical, variants in _data("editorial.toml")["same_text"]["characters"].items():
        for ch in variants:
            table[ord(ch)] = canonical
    return table


_SPACE = re.compile(r"\s+")
_WHITE = [c for c in range(0x3001) if chr(c).isspace()]


@lru_cache(maxsize=None)
def _fast_table() -> dict[int, str | None]:
    """Full-width forms to ASCII (what NFKC does to them), one form per mark, no white space."""
    chars = _char_table()
    table: dict[int, str | None] = {c: chars.get(ord(chr(c - 0xFEE0)), chr(c - 0xFEE0)) for c in range(0xFF01, 0xFF5F)}
    table.update(chars)
    table.update(dict.fromkeys(_WHITE))
    table[ord("\\")] = None
    return table


def same_text_key(text: str) -> str:
    """The text as compared for "same text": NFKC, one form per punctuation mark, no white space."""
    key = text.translate(_fast_table())
    if unicodedata.is_normalized("NFKC", key):
        return key
    folded = unicodedata.normalize("NFKC", key).translate(_char_table())
    return _SPACE.sub("", folded).replace("\\", "")


def similarity(old: str, new: str) -> float:
    """Share of characters two texts have in common, 0.0-1.0 (normalised Indel ratio).

    >>> similarity("甲乙丙丁", "甲乙丙戊")
    0.75
    """
    a, b = same_text_key(old), same_text_key(new)
    if a == b:
        return 1.0
    return round(fuzz.ratio(a, b) / 100.0, 4)


_dmp = diff_match_patch()
_dmp.Diff_Timeout = 0  # articles are short: an exact, reproducible diff


def _folded(text: str) -> tuple[str, list[int]]:
    """The text with one form per character width (（/(, ：/:, ％/%, quotes) and no white space,
    and for each character kept its index in ``text``."""
    table = _fast_table()
    chars, where = [], []
    for k, ch in enumerate(text):
        c = ch.translate(table)
        if c:
            chars.append(c[0])
            where.append(k)
    return "".join(chars), where


def char_diff(old: str, new: str) -> list[tuple[int, str]]:
    """diff-match-patch operations (-1 deleted, 0 kept, 1 inserted) between two texts.

    Width and white space are not differences: the texts are compared with one form per mark
    (（/(, ：/:, ％/%, quotes) and kept text is shown as the new text writes it. Boundaries are
    moved to word edges, and a single kept character between two rewrites joins them; no other
    clean-up, so an amendment that only inserts words shows insertions only.

    >>> char_diff("处罚（一）：警告", "处罚(一):警告、通报批评")
    [(0, '处罚(一):警告'), (1, '、通报批评')]
    """
    fo, io = _folded(old)
    fn, jn = _folded(new)
    ops = _dmp.diff_main(fo, fn, False)
    _dmp.diff_cleanupSemanticLossless(ops)
    _dmp.diff_cleanupMerge(ops)
    ops = _join_rewrites([(int(op), text) for op, text in ops])
    out: list[tuple[int, str]] = []
    a = b = 0
    for op, text in ops:
        n = len(text)
        if op == 1 or op == 0:
            start = 0 if b == 0 else jn[b]
            end = jn[b + n] if b + n < len(jn) else len(new)
            piece = new[start:end]
            if op == 0:
                a += n
            b += n
        else:
            start = 0 if a == 0 else io[a]
            end = io[a + n] if a + n < len(io) else len(old)
            piece = old[start:end]
            a += n
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + piece)
        elif piece:
            out.append((op, piece))
    if not out and (old or new):
        out.append((0, new))
    return out


def _join_rewrites(ops: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A kept single character between two rewrites (each deleting and inserting) joins them."""
    out = list(ops)
    k = 1
    while k < len(out) - 1:
        op, text = out[k]
        if op == 0 and len(text) == 1:
            before = _group(out, k - 1, -1)
            after = _group(out, k + 1, 1)
            if {-1, 1} <= before and {-1, 1} <= after:
                start = k
                while start > 0 and out[start - 1][0] != 0:
                    start -= 1
                end = k + 1
                while end < len(out) and out[end][0] != 0:
                    end += 1
                d = "".join(t for o, t in out[start:end] if o in (-1, 0))
                i = "".join(t for o, t in out[start:end] if o in (1, 0))
                out[start:end] = [(-1, d), (1, i)]
                k = start + 1
                continue
        k += 1
    return out


def _group(ops, k, step) -> set[int]:
    kinds = set()
    while 0 <= k < len(ops) and ops[k][0] != 0:
        kinds.add(ops[k][0])
        k += step
    return kinds


# --- substance -------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _editorial_swaps() -> tuple[re.Pattern, dict[str, str]]:
    mapping: dict[str, str] = {}
    for group in _data("editorial.toml")["editorial"]["groups"]:
        for word in group:
            mapping[word] = group[0]
    words = sorted(mapping, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words))), mapping


def editorial_key(text: str) -> str:
    """The text with punctuation dropped and interchangeable wording folded to one form."""
    key = "".join(ch for ch in same_text_key(text) if not unicodedata.category(ch).startswith("P"))
    pattern, mapping = _editorial_swaps()
    return pattern.sub(lambda m: mapping[m.group(0)], key)


# A cross-reference to an article (第十条, 第十条之一), a paragraph (第二款, 前款, 前两款) or an item.
_REF = re.compile(
    rf"第(?P<art>{ANY_NUMBER})条(?:之(?P<suffix>{ANY_NUMBER}))?"
    rf"|第(?P<para>{ANY_NUMBER})款|前(?P<prev>[一二两三四五六七八九十]?)款"
    rf"|第[（(]?(?P<item>{ANY_NUMBER})[)）]?项"
)
# Text right before an article reference that names another law: 《…》, 刑法, 民事诉讼法 …
_EXTERNAL_BEFORE = re.compile(r"(?:》|(?<!本)(?:法|条例|规定|办法|细则|法典|决定))$")
_PLACEHOLDER = "\ue000"  # a private-use character: not punctuation, never in a law text
_LIST_JOINERS = ("、", "和", "及", "或者", "至", "以及", "，")


def _references(text: str) -> tuple[str, list[tuple]]:
    """Split a text into its wording (references replaced by a placeholder) and its references.

    An article reference is ('art', number, suffix, external); others ('other', matched text).
    """
    refs: list[tuple] = []
    parts: list[str] = []
    last = 0
    previous_external = False
    previous_end = -1
    for m in _REF.finditer(text):
        parts.append(text[last:m.start()])
        if m.group("art"):
            before = text[max(0, m.start() - 12):m.start()]
            between = text[previous_end:m.start()] if previous_end >= 0 else None
            if between is not None and between in _LIST_JOINERS:
                external = previous_external  # 《刑法》第十条、第十二条: the list shares its law
            else:
                external = bool(_EXTERNAL_BEFORE.search(before))
            try:
                ref = ("art", to_int(m.group("art")), to_int(m.group("suffix")) if m.group("suffix") else 0, external)
            except ValueError:
                ref = ("other", m.group(0))
            previous_external = external
        else:
            ref = ("other", same_text_key(m.group(0)))
        previous_end = m.end()
        refs.append(ref)
        parts.append(_PLACEHOLDER)
        last = m.end()
    parts.append(text[last:])
    return "".join(parts), refs


@lru_cache(maxsize=None)
def _renames() -> list[tuple[str, re.Pattern]]:
    """(new name, pattern of its old names) per rename of data/agency_renames.toml."""
    out = []
    for entry in _data("agency_renames.toml")["rename"]:
        olds = "|".join(map(re.escape, sorted(entry["old"], key=len, reverse=True)))
        after = "|".join(map(re.escape, entry.get("suffixes", [])))
        for name in entry["new"]:
            out.append((name, re.compile(f"(?:{olds})" + (f"(?=(?:{after}))" if after else ""))))
    return out


def renamed(old: str, new: str) -> str:
    """The old text with the agency names of the institutional reforms (data/agency_renames.toml)
    read as the names the new text uses; an old name the new text still uses is left alone.

    >>> renamed("县级以上人民政府食品药品监督管理、质量监督部门", "县级以上人民政府食品安全监督管理部门")
    '县级以上人民政府食品安全监督管理部门'
    """
    for name, pattern in _renames():
        if name not in new:
            continue
        if not any(m.group(0) not in new for m in pattern.finditer(old)):
            continue
        old = pattern.sub(lambda m: m.group(0) if m.group(0) in new or old.startswith(name, m.start())
                          else name, old)
        old = re.sub(f"{re.escape(name)}(?:[、和及]{re.escape(name)})+", name, old)
    return old


def substance(old: str, new: str, renumbering: dict[tuple[int, int], set[tuple[int, int]]]) -> str:
    """Class a modification: editorial, references_only or substantive.

    ``renumbering`` maps an old article (number, suffix) to the new (number, suffix) it became
    (more than one for a split article). ``references_only``: the wording is the same and every
    changed reference to an article of this law follows the renumbering; references to other
    laws, paragraphs and items are unchanged. ``editorial``: only punctuation or
    interchangeable wording (data/editorial.toml) or agency names changed by an institutional
    reform (data/agency_renames.toml, ``renamed``) differ. Anything else is ``substantive``.
    """
    old = renamed(old, new)
    old_words, old_refs = _references(old)
    new_words, new_refs = _references(new)
    if len(old_refs) != len(new_refs) or editorial_key(old_words) != editorial_key(new_words):
        return SUBSTANTIVE
    changed = False
    for a, b in zip(old_refs, new_refs):
        if a == b:
            # an unchanged internal reference is fine only if that article kept its number
            if a[0] == "art" and not a[3]:
                target = renumbering.get((a[1], a[2]))
                if target is not None and (b[1], b[2]) not in target:
                    return SUBSTANTIVE
            continue
        if a[0] != "art" or b[0] != "art" or a[3] or b[3]:
            return SUBSTANTIVE
        if (b[1], b[2]) not in renumbering.get((a[1], a[2]), set()):
            return SUBSTANTIVE
        changed = True
    return REFERENCES_ONLY if changed else EDITORIAL


# --- Chinese names -----------------------------------------------------------------------

def status_name(status: str) -> str:
    """'renumbered' → '条号变化' (the glossary, ``config/glossary.toml``)."""
    return name("article_status", status)


def substance_name(value: str | None) -> str:
    """'references_only' → '仅引用条号调整'; None → ''."""
    if not value:
        return ""
    return name("substance", value)
