"""Law text → title, 题注, headings (编/分编/章/节) and articles (条, 款, 项).

Reads the four source formats of the built-in corpus (LawRefBook Markdown, flk plain text with a
目录, flk Markdown with a blockquote 题注, plain text without a title) and text extracted from
.docx/.html/.pdf. Patterns live in ``texts/data/structure.toml``.

>>> law = parse('''中华人民共和国示例法
... （2020年1月1日第十三届全国人民代表大会常务委员会第十五次会议通过）
... 目　　录
... 第一章　总　　则
... 第一章　总　　则
... 第一条　为了示例，制定本法。
... 第二条　有下列情形之一的，依照本法第一条的规定处理：
... （一）甲；
... （二）乙。
... 前款规定以外的，不适用本法。''')
>>> law.title, law.note[:10], len(law.articles)
('中华人民共和国示例法', '2020年1月1日第', 2)
>>> [(h.label, h.title, h.ordinal) for h in law.headings]
[('第一章', '总则', 0)]
>>> law.articles[1].label, law.articles[1].path, len(law.articles[1].paragraphs)
('第二条', '第一章', 2)
>>> law.articles[1].paragraphs[0].items
('（一）甲；', '（二）乙。')
"""

from __future__ import annotations

import pathlib
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, lru_cache

from texts import numerals
from texts.numerals import ANY_NUMBER
from texts.extract import extract_text
from texts.numerals import normalize_label

# Numerals repeat across every law (第一条 … 第三百条); cn2an is slow, so remember them.
to_int = lru_cache(maxsize=8192)(numerals.to_int)
to_chinese = lru_cache(maxsize=8192)(numerals.to_chinese)
article_label = lru_cache(maxsize=8192)(numerals.article_label)

DATA_FILE = pathlib.Path(__file__).parent / "data" / "structure.toml"


@dataclass(frozen=True)
class Paragraph:
    """A 款 and the 项 lines under it (a 项's 目 lines are kept inside the 项, after a newline)."""

    text: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    """One 条: ``label`` is written with Chinese numerals (第十条之一), ``ordinal`` counts from 0."""

    label: str
    number: int
    suffix: int
    ordinal: int
    path: str
    paragraphs: tuple[Paragraph, ...]

    @property
    def text(self) -> str:
        """款 and 项 lines joined by newlines, without the label.

        >>> Article("第一条", 1, 0, 0, "", (Paragraph("甲：", ("（一）乙",)), Paragraph("丙"))).text
        '甲：\\n（一）乙\\n丙'
        """
        lines: list[str] = []
        for p in self.paragraphs:
            if p.text:
                lines.append(p.text)
            lines.extend(p.items)
        return "\n".join(lines)


@dataclass(frozen=True)
class Heading:
    """编/分编/章/节 heading; ``ordinal`` is the ordinal of its first article."""

    kind: str
    label: str
    title: str
    ordinal: int


@dataclass(frozen=True)
class LawText:
    title: str
    note: str
    headings: list[Heading] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)

    def article(self, label: str) -> Article | None:
        """The article with this label (第32条 and 第三十二条 both work), or None."""
        try:
            wanted = normalize_label(label)
        except ValueError:
            return None
        return next((a for a in self.articles if a.label == wanted), None)


def numbering_problems(law: LawText) -> list[str]:
    """Gaps and repeats in a text's article numbers, in Chinese (a defect of the source file: the
    text of a missing article is usually absorbed into the one before it).

    >>> numbering_problems(parse("第一条　甲。\\n第二条　乙。\\n第四条　丁。\\n第四条　戊。"))
    ['第二条之后缺少第三条', '第四条重复出现']
    """
    out: list[str] = []
    seen: set[tuple[int, int]] = set()
    last = None
    for a in law.articles:
        key = (a.number, a.suffix)
        if key in seen:
            out.append(f"{a.label}重复出现")
            continue
        seen.add(key)
        if last is not None and a.suffix == 0 and a.number > last[0] + 1:
            missing = [article_label(n) for n in range(last[0] + 1, a.number)]
            gap = missing[0] if len(missing) == 1 else f"{missing[0]}至{missing[-1]}"
            out.append(f"{article_label(*last)}之后缺少{gap}")
        last = key
    return out


# --------------------------------------------------------------------------- patterns


@dataclass(frozen=True)
class _Rules:
    levels: dict[str, int]
    unnumbered: frozenset[str]
    heading_max: int
    sentence_marks: str
    separators: str
    stop: str
    heading: re.Pattern
    article: re.Pattern
    item: re.Pattern
    sub_item: re.Pattern
    toc: frozenset[str]
    info_end: str
    history: re.Pattern
    appendix: re.Pattern
    footnote: re.Pattern


@cache
def _rules() -> _Rules:
    data = tomllib.loads(DATA_FILE.read_text("utf-8"))
    levels = data["headings"]["levels"]
    kinds = "|".join(sorted(levels, key=len, reverse=True))  # 分编 before 编
    return _Rules(
        levels=levels,
        unnumbered=frozenset(data["headings"]["unnumbered"]),
        heading_max=data["headings"]["max_length"],
        sentence_marks=data["headings"]["sentence_marks"],
        separators=data["articles"]["separators"],
        stop=data["articles"]["no_separator_stop"],
        heading=re.compile(rf"^第\s*({ANY_NUMBER})\s*({kinds})(.*)$"),
        article=re.compile(rf"^第\s*({ANY_NUMBER})\s*条(?:之\s*({ANY_NUMBER}))?(.*)$"),
        item=re.compile(data["items"]["item"]),
        sub_item=re.compile(data["items"]["sub_item"]),
        toc=frozenset(data["front"]["toc"]),
        info_end=data["front"]["info_end"],
        history=re.compile(data["front"]["history_line"]),
        appendix=re.compile(data["back"]["appendix"]),
        footnote=re.compile(data["back"]["footnote"]),
    )


_SPACE = " \t\u3000\u00a0\u2002\u2003\u2009\u200b\u200c\u200d\u2060\ufeff"
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|\"'~])")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])[\s\u3000]+(?=[\u3400-\u9fff])")


def _clean(line: str) -> tuple[str, bool]:
    """Strip whitespace, Markdown heading/quote marks and escapes; say whether it was a # heading."""
    s = line.strip(_SPACE + "\r\n")
    md_heading = False
    if s.startswith("#"):
        md_heading = True
        s = s.lstrip("#").strip(_SPACE)
    elif s.startswith(">"):
        s = s.lstrip(">").strip(_SPACE)
    if "\\" in s:
        s = _MD_ESCAPE.sub(r"\1", s)
    return s, md_heading


def _squeeze(s: str) -> str:
    """'总　　则' → '总则' (whitespace between Chinese characters carries no meaning)."""
    return _CJK_GAP.sub("", s.strip(_SPACE))


# --------------------------------------------------------------------------- parser


@dataclass
class _Open:
    """The article being read."""

    label: str
    number: int
    suffix: int
    path: str
    paragraphs: list[list] = field(default_factory=list)  # [text, [items]]

    def add(self, line: str, rules: _Rules) -> None:
        if rules.item.match(line):
            if not self.paragraphs:
                self.paragraphs.append(["", []])
            self.paragraphs[-1][1].append(line)
        elif rules.sub_item.match(line) and self.paragraphs and self.paragraphs[-1][1]:
            items = self.paragraphs[-1][1]
            items[-1] = items[-1] + "\n" + line
        else:
            self.paragraphs.append([line, []])

    def close(self, ordinal: int) -> Article:
        paragraphs = tuple(Paragraph(t, tuple(i)) for t, i in self.paragraphs)
        return Article(self.label, self.number, self.suffix, ordinal, self.path, paragraphs)


@dataclass(frozen=True)
class _Pending:
    kind: str
    label: str
    title: str
    level: int


class Parsed:
    """A parse with its diagnostics (lines that belong to no article), for checks and tools."""

    def __init__(self, law: LawText, orphans: list[str]):
        self.law = law
        self.orphans = orphans


def parse(text: str) -> LawText:
    """Read a law text (see the module docstring for an example)."""
    return parse_with_diagnostics(text).law


def parse_with_diagnostics(text: str) -> Parsed:
    rules = _rules()
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")

    front: list[str] = []          # lines before the first article (title, 题注, 目录 …)
    history: list[str] = []        # LawRefBook history block
    start = 0
    if rules.info_end in text:
        end = next(i for i, line in enumerate(lines) if rules.info_end in line)
        history, front = _history_block(lines[:end], rules)
        start = end + 1

    articles: list[Article] = []
    headings: list[Heading] = []
    pending: list[_Pending] = []
    stack: list[_Pending] = []
    current: _Open | None = None
    orphans: list[str] = []
    top_level: int | None = None

    def finish() -> None:
        nonlocal current
        if current is not None:
            articles.append(current.close(len(articles)))
            current = None

    def expected(number: int, suffix: int) -> bool:
        last = current or (articles[-1] if articles else None)
        if last is None:
            return number == 1 and suffix == 0
        return (number == last.number + 1 and suffix == 0) or (number == last.number and suffix == last.suffix + 1)

    def open_heading(kind: str, label: str, title: str, level: int) -> None:
        nonlocal pending, stack, top_level
        finish()
        # A heading followed by another one of the same or an outer level before any article is
        # empty: a 目录 entry. It is dropped.
        pending = [h for h in pending if h.level < level]
        stack = [h for h in stack if h.level < level]
        h = _Pending(kind, label, title, level)
        pending.append(h)
        stack.append(h)
        top_level = level if top_level is None else min(top_level, level)

    for raw in lines[start:]:
        s, md_heading = _clean(raw)
        if not s:
            continue
        if rules.footnote.match(s):
            continue
        if articles or current:
            if rules.appendix.match(s):
                break
        m = rules.article.match(s)
        numbers = _numbers(m.group(1), m.group(2)) if m else None
        if numbers:
            (number, suffix), rest = numbers, m.group(3)
            if _starts_article(rest, number, suffix, expected, rules):
                finish()
                for h in pending:
                    headings.append(Heading(h.kind, h.label, h.title, len(articles)))
                pending = []
                path = " › ".join(h.label for h in stack)
                current = _Open(article_label(number, suffix), number, suffix, path)
                body = rest.strip(_SPACE)
                if body:
                    current.add(body, rules)
                continue
        m = rules.heading.match(s)
        if m and _is_heading(s, m.group(3), rules) and _numbers(m.group(1), None):
            kind = m.group(2)
            label = f"第{to_chinese(to_int(m.group(1)))}{kind}"
            open_heading(kind, label, _squeeze(m.group(3)), rules.levels[kind])
            continue
        squeezed = _squeeze(s)
        if squeezed in rules.unnumbered and (md_heading or articles or current):
            level = top_level if top_level is not None else rules.levels["章"]
            kind = next(k for k, v in rules.levels.items() if v == level)
            open_heading(kind, squeezed, "", level)
            continue
        if current is not None:
            current.add(s, rules)
        elif pending and _is_heading(s, " " + s, rules):
            # A heading title wrapped onto the next line (第二章 听取和审议人民政府、人民法院和 / 人民检察院…).
            h = pending[-1]
            wrapped = _Pending(h.kind, h.label, h.title + _squeeze(s), h.level)
            pending[-1] = wrapped
            stack[-1] = wrapped
        elif not articles:
            front.append(s)
        else:
            orphans.append(s)
    finish()

    title, note = _title_and_note(front, history, rules)
    return Parsed(LawText(title=title, note=note, headings=headings, articles=articles), orphans)


def _numbers(number: str, suffix: str | None) -> tuple[int, int] | None:
    """(number, suffix) of a label, or None when the numerals are not valid (第十十条, 第零条)."""
    try:
        n, sfx = to_int(number), (to_int(suffix) if suffix else 0)
    except ValueError:
        return None
    if n <= 0 or sfx < 0 or (suffix and sfx == 0):
        return None
    return n, sfx


def _starts_article(rest: str, number: int, suffix: int, expected, rules: _Rules) -> bool:
    """Does a line 第X条<rest> begin an article? Only when the label stands alone or is followed
    by a separator; without a separator only for the next expected number."""
    if not rest or rest[0] in rules.separators:
        body = rest.strip(_SPACE)
        return not body or body[0] not in "的"
    return expected(number, suffix) and rest[0] not in rules.stop


def _is_heading(line: str, rest: str, rules: _Rules) -> bool:
    if "。" in rest or len(line) > rules.heading_max:
        return False
    if not rest or rest[0] in rules.separators:
        return True
    return not any(c in line for c in rules.sentence_marks)


def _history_block(lines: list[str], rules: _Rules) -> tuple[list[str], list[str]]:
    """LawRefBook: '# title', history lines (a wrapped line continues the entry before it)."""
    history: list[str] = []
    front: list[str] = []
    for raw in lines:
        s, _ = _clean(raw)
        if not s:
            continue
        if not front:
            front.append(s)
        elif rules.history.match(s):
            history.append(s)
        elif history:
            history[-1] += s
    return history, front


def _title_and_note(front: list[str], history: list[str], rules: _Rules) -> tuple[str, str]:
    title = ""
    rest = front
    if front and not front[0].startswith(("（", "(")) and _squeeze(front[0]) not in rules.toc:
        title = _squeeze(front[0]) if not re.search(r"[A-Za-z]", front[0]) else front[0]
        rest = front[1:]
    if history:
        return title, "\n".join(h.strip(_SPACE) for h in history)
    note_lines: list[str] = []
    for s in rest:
        if not note_lines:
            if s.startswith(("（", "(")) and re.search(r"\d{4}\s*年", s):
                note_lines.append(s)
                if s.endswith(("）", ")")):
                    break
        else:
            note_lines.append(s)
            if s.endswith(("）", ")")):
                break
    note = "".join(note_lines)
    if note.startswith(("（", "(")) and note.endswith(("）", ")")):
        note = note[1:-1]
    return title, note.strip(_SPACE)


# --------------------------------------------------------------------------- files


def parse_file(path: str | pathlib.Path) -> LawText:
    """Parse a law file of any supported format (.md/.txt/.docx/.doc/.html/.pdf).

    Raises texts.extract.ExtractionError when the file cannot be read.
    """
    path = pathlib.Path(path)
    return parse(extract_text(path.read_bytes(), path.name))
