"""Legal-basis text → citations (DESIGN §6): which law, which 条/款/项/目.

A basis cell is read the way a legal officer reads it: law titles (with or without 《》,
中华人民共和国, version notes), locator chains (第十条第二款第（三）项, lists and ranges at
every level), the law named before an article, 本法/前款 inside quoted provision text,
《条例》-style back-references. Vocabulary lives in ``data/patterns.toml``.

>>> p = parse_basis("《行政处罚法》第三十二条第一款第（二）项")
>>> c = p.citations[0]
>>> (c.law, c.article, c.paragraph, c.item)
('中华人民共和国行政处罚法', '第三十二条', 1, 2)
>>> [c.article for c in parse_basis("《土地管理法》第十条至第十二条").citations]
['第十条', '第十一条', '第十二条']
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from diffing.cite.titles import BUILTIN, TitleIndex, canonical_title, patterns
from texts.numerals import ANY_NUMBER, article_label, to_int

_P = patterns()
_SP = r"[ \t\u3000\u00a0]"
_LEVEL_ORDER = {"条": 0, "款": 1, "项": 2, "目": 3}
_STRUCTURE = set(_P["locator"]["structure_levels"])
_MAX_RANGE = int(_P["locator"]["max_range"])


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NUMX = rf"(?:[（(]{_SP}*{ANY_NUMBER}{_SP}*[）)]|{ANY_NUMBER})"
_LSEP = _alt(_P["locator"]["list_separators"])
_RSEP = _alt(_P["locator"]["range_separators"])
_LEVELS = _alt(_P["locator"]["levels"] + _P["locator"]["structure_levels"])
_COMP = (rf"(?P<di>第)?{_SP}*(?P<nums>{_NUMX}(?:{_SP}*(?:{_LSEP}|{_RSEP}){_SP}*第?{_SP}*{_NUMX})*)"
         rf"{_SP}*(?P<lvl>{_LEVELS})(?:{_SP}*之{_SP}*(?P<suf>{ANY_NUMBER}))?")
_COMP_RE = re.compile(_COMP)
_START_RE = re.compile(rf"第{_SP}*(?:{_NUMX})")
_CONT_RE = re.compile(rf"{_SP}*(?:(?P<sep>{_LSEP}|{_RSEP}){_SP}*)?")
_RANGE_WORDS = set(_P["locator"]["range_separators"])
_NUM_IN = re.compile(rf"{ANY_NUMBER}|{_RSEP}")
_DECIMAL_RE = re.compile(rf"第{_SP}*\d+(?:[.．]\d+)+{_SP}*条(?:{_SP}*第{_SP}*{_NUMX}{_SP}*[款项目])*")

_SUFFIXES = sorted(_P["title"]["instrument_suffixes"], key=len, reverse=True)
_LEAD_WORDS = sorted(_P["title"]["lead_words"], key=len, reverse=True)
_ISSUERS = sorted(_P["title"]["issuers"], key=len, reverse=True)
_VERSION_WORDS = _P["note"]["version_words"]
_DOC_WORDS = _P["note"]["doc_words"]
_DOC_NUMBER_RE = re.compile(_P["note"]["doc_number"])
_ALIAS_RE = re.compile(rf"^(?:{_alt(_P['note']['alias_leads'])})[：:]?{_SP}*[《“\"']?(?P<name>[^》”\"'）)]+)")
_DATE_RE = re.compile(r"(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年")
_ONLY_DATE_RE = re.compile(r"^[\d〇零一二三四五六七八九十\s年月日.\-/]+$")
_SELF_WORDS = _P["refs"]["self_words"]
_SELF_RE = re.compile(rf"本{_SP}*(?:《{_SP}*(?P<marked>{_alt(_SELF_WORDS)}){_SP}*》|(?P<word>{_alt(_SELF_WORDS)}))(?={_SP}*第)")
_CONTEXT_RE = re.compile(rf"(?P<word>{_alt(_P['refs']['context_words'])})(?={_SP}*第)")
_LAWWORD_RE = re.compile(rf"(?P<word>{_alt(_P['refs']['law_words'])})(?={_SP}*第)")
_BACKREF = set(_P["refs"]["backref_words"])
_IMPLEMENTING = set(_P["refs"]["implementing_words"])
_BOUNDARY = set(" \t\u3000\u00a0\n\r。，、；：:;,.!！?？（）()【】[]“”\"'|")
_TRAILING_BRACKET = re.compile(r"（[^（）]*）$")
_UNCLOSED_STOP = re.compile(rf"{_START_RE.pattern}|[，。；：:,;\n《（(]|\\n")


@dataclass
class Citation:
    """One provision a basis text cites."""

    law: str | None
    written: str | None
    version_note: str | None
    article: str
    article_number: int
    article_suffix: int
    paragraph: int | None
    item: int | None
    sub_item: int | None
    span: tuple[int, int]

    def key(self) -> tuple:
        return (self.law, self.article_number, self.article_suffix, self.paragraph, self.item, self.sub_item)

    def to_json(self, resolved: dict | None = None) -> dict[str, Any]:
        return {"law": self.law, "written": self.written, "version_note": self.version_note,
                "article": self.article, "paragraph": self.paragraph, "item": self.item,
                "sub_item": self.sub_item, "span": list(self.span), "resolved": resolved}


@dataclass
class Mention:
    """A law named without any article (根据《行政处罚法》的规定): not a citation."""

    law: str
    written: str
    version_note: str | None
    span: tuple[int, int]


@dataclass
class BasisParse:
    """What one basis text cites, what it only mentions, and what could not be read."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def to_json(self, resolved: list[dict | None] | None = None,
                problems: list[str] | None = None) -> dict[str, Any]:
        """DESIGN §6; ``resolved`` (one per citation) and extra ``problems`` come from resolution."""
        resolved = resolved if resolved is not None else [None] * len(self.citations)
        return {"text": self.text,
                "citations": [c.to_json(r) for c, r in zip(self.citations, resolved)],
                "problems": list(self.problems) + [p for p in (problems or []) if p not in self.problems]}


# --------------------------------------------------------------------------- law references

@dataclass
class _Law:
    """A law as the text refers to it (a title, a bare name, a resolved back-reference)."""

    law: str | None           # None: a reference that could not be resolved (blocks inheritance)
    written: str
    version_note: str | None
    start: int
    end: int                  # after any version note / document number
    used: bool = False
    alias_name: str | None = None   # （以下简称《…》） right after it


@dataclass
class _Ref:
    kind: str                 # title / self / context / lawword
    start: int
    end: int
    word: str = ""
    law: _Law | None = None


@dataclass
class _Comp:
    level: str
    values: list[int]
    suffix: int
    start: int
    end: int
    ranged: bool              # the numbers were a range inside the component (第三十六至三十八条)


@dataclass
class _Element:
    comps: list[_Comp]
    range_from_previous: bool
    start: int
    end: int


@dataclass
class _Chain:
    elements: list[_Element]
    start: int
    end: int


class _Reader:
    def __init__(self, text: str, index: TitleIndex):
        self.text = text
        self.index = index
        self.out = BasisParse(text)
        self.history: list[_Law] = []
        self.aliases: dict[str, _Law] = {}
        self.taken: list[tuple[int, int]] = []   # spans of titles and notes: no locators inside
        self._sorted_len = -1
        self._starts: list[int] = []
        self._ends: list[int] = []

    # ------------------------------------------------------------------ problems
    def problem(self, message: str) -> None:
        if message not in self.out.problems:
            self.out.problems.append(message)

    # ------------------------------------------------------------------ titles
    def scan_titles(self) -> list[_Ref]:
        text, n = self.text, len(self.text)
        refs: list[_Ref] = []
        max_len = int(_P["title"]["max_length"])
        i = 0
        while i < n:
            ch = text[i]
            if ch == "《":
                depth, j, end = 1, i + 1, None
                while j < n and j - i <= max_len:
                    c = text[j]
                    if c == "《":
                        depth += 1
                    elif c == "》":
                        depth -= 1
                        if depth == 0:
                            end = j
                            break
                    elif c == "\n" or text.startswith("\\n", j):
                        break
                    j += 1
                if end is not None and end > i + 1:
                    ref = self._title_ref(i, end + 1, text[i + 1:end])
                    refs.append(ref)
                    i = ref.end
                    continue
                stop = self._unclosed_stop(i + 1)
                inner = text[i + 1:stop].strip()
                if len(inner) >= 2 and (self._looks_like_title(inner)):
                    self.problem(f"书名号不完整：「{text[i:stop]}」缺少》")
                    ref = self._title_ref(i, stop, inner)
                    refs.append(ref)
                    i = max(ref.end, i + 1)
                    continue
            elif ch == "》":
                start = self._unopened_start(i)
                if start is not None and i - start >= 2:
                    inner = text[start:i]
                    self.problem(f"书名号不完整：「{text[start:i + 1]}」缺少《")
                    ref = self._title_ref(start, i + 1, inner)
                    refs.append(ref)
                    i = ref.end
                    continue
            i += 1
        return refs

    def _looks_like_title(self, inner: str) -> bool:
        inner = _TRAILING_BRACKET.sub("", inner)
        return self.index.find(inner, fuzzy=False) is not None or inner.endswith(tuple(_SUFFIXES))

    def _unclosed_stop(self, pos: int) -> int:
        text = self.text
        m = _UNCLOSED_STOP.search(text, pos)
        return m.start() if m else len(text)

    def _unopened_start(self, close: int) -> int | None:
        text = self.text
        start = close
        while start > 0 and text[start - 1] not in _BOUNDARY and close - start < 60:
            if text[start - 1] == "》" or text.startswith("\\n", start - 2):
                break
            start -= 1
        if start == close:
            return None
        known = self.index.name_before(text, close, longest=close - start)
        if known:
            return known[0]
        changed = True
        while changed:
            changed = False
            for word in _LEAD_WORDS:
                if text.startswith(word, start) and close - start - len(word) >= 2:
                    start += len(word)
                    changed = True
                    break
        # an enumerator glued to the title: 1.中华人民共和国…
        while start < close and (text[start].isdigit() or text[start] in ".．、"):
            start += 1
        return start if close - start >= 2 else None

    def _title_ref(self, start: int, end: int, inner: str) -> _Ref:
        written_start = start
        issuer = ""
        if inner.lstrip().startswith("关于"):
            for word in _ISSUERS:
                if self.text.endswith(word, 0, start):
                    issuer = word
                    written_start = start - len(word)
                    break
        note_end, note, alias = self.scan_notes(end)
        self.taken.append((written_start, note_end))
        # the law itself is resolved later, in text order (back-references need what came before)
        law = _Law(law=None, written=self.text[written_start:end], version_note=note,
                   start=written_start, end=note_end, alias_name=alias)
        return _Ref("title", written_start, note_end, word=issuer + inner, law=law)

    def scan_notes(self, pos: int) -> tuple[int, str | None, str | None]:
        """Brackets after a title: version note (2017年修正), 令号/文号 (skipped), 以下简称."""
        text, n = self.text, len(self.text)
        note = alias_name = None
        end = pos
        while True:
            j = end
            while j < n and text[j] in " \t\u3000\u00a0":
                j += 1
            if j >= n or text[j] not in "（(":
                break
            depth, k = 0, j
            while k < n and k - j < 100:
                if text[k] in "（(":
                    depth += 1
                elif text[k] in "）)":
                    depth -= 1
                    if depth == 0:
                        break
                k += 1
            if k >= n or depth != 0:
                break
            content = text[j + 1:k].strip()
            alias = _ALIAS_RE.match(content)
            if alias:
                alias_name = alias_name or alias.group("name").strip()
            elif _DATE_RE.search(content) and (any(w in content for w in _VERSION_WORDS)
                                                or _ONLY_DATE_RE.match(content)):
                note = note or (_DOC_NUMBER_RE.sub("", content).strip(" ，,、；;") or content)
            elif not any(w in content for w in _DOC_WORDS):
                break
            end = k + 1
        return end, note, alias_name

    # ------------------------------------------------------------------ locators
    def in_taken(self, pos: int) -> bool:
        if self._sorted_len != len(self.taken):
            self.taken.sort()
            self._starts = [a for a, _ in self.taken]
            self._ends = list(itertools.accumulate((b for _, b in self.taken), max))
            self._sorted_len = len(self.taken)
        i = bisect.bisect_right(self._starts, pos) - 1
        return i >= 0 and pos < self._ends[i]

    def scan_chains(self) -> list[_Chain]:
        text = self.text
        chains: list[_Chain] = []
        pos = 0
        for bad in _DECIMAL_RE.finditer(text):
            if not self.in_taken(bad.start()):
                self.problem(f"「{bad.group(0).strip()}」不是可识别的条文序号，未计入")
                self.taken.append((bad.start(), bad.end()))
        while True:
            m = _START_RE.search(text, pos)
            if not m:
                break
            if self.in_taken(m.start()):
                pos = m.start() + 1
                continue
            comp = _COMP_RE.match(text, m.start())
            if not comp:
                pos = m.start() + 1
                continue
            chain = self._read_chain(comp)
            chains.append(chain)
            pos = chain.end
        return chains

    def _comp(self, m: re.Match) -> _Comp:
        raw = m.group("nums")
        values: list[int] = []
        ranged = False
        pending_range = False
        for tok in _NUM_IN.findall(raw):
            if tok in _RANGE_WORDS:
                pending_range = True
                continue
            try:
                value = to_int(tok)
            except ValueError:
                continue
            if pending_range and values:
                lo = values[-1]
                if value < lo or value - lo > _MAX_RANGE:
                    self.problem(f"「第{raw}{m.group('lvl')}」的范围无法展开，只计起止两项")
                    values.append(value)
                else:
                    values.extend(range(lo + 1, value + 1))
                ranged = True
            else:
                values.append(value)
            pending_range = False
        suffix = 0
        if m.group("suf"):
            try:
                suffix = to_int(m.group("suf"))
            except ValueError:
                suffix = 0
        return _Comp(m.group("lvl"), values, suffix, m.start(), m.end(), ranged)

    def _read_chain(self, first: re.Match) -> _Chain:
        text = self.text
        comp = self._comp(first)
        elements = [_Element([comp], False, comp.start, comp.end)]
        pos = comp.end
        while True:
            sep_m = _CONT_RE.match(text, pos)
            after = sep_m.end()
            m = _COMP_RE.match(text, after)
            if not m or m.start() != after:
                break
            sep = sep_m.group("sep")
            if not sep and not m.group("di"):
                break
            nxt = self._comp(m)
            last = elements[-1]
            deeper = (_LEVEL_ORDER.get(nxt.level, -1) > max(_LEVEL_ORDER.get(c.level, -1) for c in last.comps)
                      or last.comps[-1].level in _STRUCTURE)
            if not sep and deeper:
                last.comps.append(nxt)
                last.end = nxt.end
            else:
                elements.append(_Element([nxt], bool(sep) and sep in _RANGE_WORDS, nxt.start, nxt.end))
            pos = nxt.end
        return _Chain(elements, elements[0].start, elements[-1].end)

    # ------------------------------------------------------------------ relative references
    def scan_refs(self) -> list[_Ref]:
        refs: list[_Ref] = []
        text = self.text
        not_after = tuple(_P["refs"]["self_not_after"])
        for m in _SELF_RE.finditer(text):
            if self.in_taken(m.start()) or (m.start() > 0 and text[m.start() - 1] in not_after):
                continue
            refs.append(_Ref("self", m.start(), m.end(), word=m.group("marked") or m.group("word")))
        for m in _CONTEXT_RE.finditer(text):
            if not self.in_taken(m.start()):
                refs.append(_Ref("context", m.start(), m.end(), word=m.group("word")))
        for m in _LAWWORD_RE.finditer(text):
            if not self.in_taken(m.start()):
                refs.append(_Ref("lawword", m.start(), m.end(), word=m.group("word")))
        return refs

    # ------------------------------------------------------------------ resolving titles in order
    def resolve_title(self, ref: _Ref) -> None:
        law = ref.law
        assert law is not None
        inner = canonical_title(ref.word)
        bare_inner = _TRAILING_BRACKET.sub("", inner) if inner.endswith("）") else inner
        if inner in self.aliases:
            target = self.aliases[inner]
            law.law = target.law
            law.version_note = law.version_note or target.version_note
        elif inner in _BACKREF or bare_inner in _BACKREF:
            target = self._earlier(inner)
            if target is None and inner in _IMPLEMENTING:
                parent = self._earlier("法")
                if parent is not None and parent.law:
                    law.law = self._known(parent.law + inner)
                else:
                    law.law = None
            else:
                law.law = target.law if target else None
            if law.law is None:
                self.problem(f"{law.written}未能对应到前文出现的法规，其后的条文未计入")
        else:
            law.law = self._known(inner, written=law.written)
        if law.alias_name:
            self.aliases[canonical_title(law.alias_name)] = law
        self.history.append(law)

    def _known(self, title: str, written: str | None = None) -> str:
        match = self.index.find(title)
        if match is None:
            return canonical_title(title)
        if match.how == "fuzzy":
            self.problem(f"{written or title}疑为《{match.title}》的笔误，已按后者识别")
        return match.title

    def _earlier(self, word: str) -> _Law | None:
        for law in reversed(self.history):
            if law.law and _ends_with_kind(law.law, word):
                return law
        return None

    def bare_law(self, chain_start: int) -> _Law | None:
        """A law named without book-title marks right before a locator (工会法第十八条)."""
        text = self.text
        end = chain_start
        while end > 0 and text[end - 1] in " \t\u3000":
            end -= 1
        found = self.index.name_before(text, end)
        if found is None:
            prc = text.rfind("中华人民共和国", max(0, end - 45), end)
            if prc < 0 or any(c in _BOUNDARY for c in text[prc:end]):
                return None
            name = text[prc:end]
            if not name.endswith(tuple(_SUFFIXES)):
                return None
            found = (prc, name)
        start, name = found
        if self.in_taken(start):
            return None
        law = _Law(law=self._known(name), written=name, version_note=None, start=start, end=end)
        self.history.append(law)
        return law


def _ends_with_kind(title: str, word: str) -> bool:
    """Does a title name an instrument of this kind?  法 is not 办法; 条例 includes 实施条例."""
    title = _TRAILING_BRACKET.sub("", title)
    if word in ("法", "法典"):
        return title.endswith(word) and not title.endswith("办法")
    return title.endswith(word)


# --------------------------------------------------------------------------- the walk

def parse_basis(text: str, index: TitleIndex | None = None) -> BasisParse:
    """Read one basis text. Never raises on odd input; what it cannot read goes to ``problems``."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    reader = _Reader(text, index or BUILTIN)
    titles = reader.scan_titles()
    chains = reader.scan_chains()
    refs = sorted(titles + reader.scan_refs(), key=lambda r: r.start)
    _walk(reader, refs, chains)
    out = reader.out
    for law in reader.history:
        if not law.used and law.law:
            out.mentions.append(Mention(law.law, law.written, law.version_note, (law.start, law.end)))
    return out


def _gap_is_glue(text: str, a: int, b: int) -> bool:
    return a <= b and text[a:b].strip(" \t\u3000\u00a0的") == ""


def _walk(reader: _Reader, refs: list[_Ref], chains: list[_Chain]) -> None:
    text = reader.text
    out = reader.out
    current: _Law | None = None
    last: Citation | None = None
    last_law: _Law | None = None
    seen: set[tuple] = set()
    ri = 0
    for chain in chains:
        attached: _Ref | None = None
        while ri < len(refs) and refs[ri].start < chain.start:
            ref = refs[ri]
            ri += 1
            if ref.end > chain.start:
                continue
            if ref.kind == "title":
                reader.resolve_title(ref)
                current = ref.law
            attached = ref
        if attached is not None and not _gap_is_glue(text, attached.end, chain.start):
            attached = None
        owner: _Law | None = None
        prefix: dict[str, Any] = {}
        context_ok = False
        if attached is not None and attached.kind == "title":
            owner = attached.law
        elif attached is not None and attached.kind == "self":
            owner = reader._earlier(attached.word)
            if owner is None:
                reader.problem(f"「本{attached.word}{text[chain.start:chain.end]}」所指的法规在文中没有出现，未计入")
                continue
            owner = _Law(owner.law, "本" + attached.word, owner.version_note, attached.start, attached.end)
        elif attached is not None and attached.kind == "lawword":
            if current is None or current.law is None:
                continue
            owner = _Law(current.law, attached.word, current.version_note, attached.start, attached.end)
        elif attached is not None and attached.kind == "context":
            if last is None or last_law is None:
                reader.problem(f"「{attached.word}{text[chain.start:chain.end]}」没有可对应的前文条文，未计入")
                continue
            owner = _Law(last_law.law, attached.word, last_law.version_note, attached.start, attached.end)
            prefix = _context_prefix(attached.word, last)
            if prefix is None:
                continue
        else:
            if current is None:
                bare = reader.bare_law(chain.start)
                if bare is not None:
                    current = bare
                    owner = bare
                    attached = _Ref("title", bare.start, bare.end, law=bare)
            else:
                bare = reader.bare_law(chain.start)
                if bare is not None and bare.start >= current.end:
                    current = bare
                    owner = bare
                    attached = _Ref("title", bare.start, bare.end, law=bare)
            if owner is None:
                owner = current
                context_ok = True
        if owner is None:
            if any(c.level not in _STRUCTURE for e in chain.elements for c in e.comps):
                reader.problem(f"「{text[chain.start:chain.end]}」之前没有写明所属法律，未计入")
            continue
        if owner.law is None:
            continue
        if context_ok and last is not None and last.law == owner.law:
            first_level = _top_level(chain.elements[0])
            if first_level in ("款", "项", "目"):
                prefix = {"art": (last.article_number, last.article_suffix), "款": last.paragraph,
                          "项": last.item, "目": last.sub_item}
            # the label of a quoted provision repeating the article just cited
            if (len(chain.elements) == 1 and first_level == "条"
                    and len(chain.elements[0].comps) == 1 and len(chain.elements[0].comps[0].values) == 1
                    and (chain.elements[0].comps[0].values[0], chain.elements[0].comps[0].suffix)
                    == (last.article_number, last.article_suffix)):
                continue
        start_span = attached.start if attached is not None and attached.law is owner else None
        produced = _expand(reader, chain, owner, prefix, start_span)
        for cit in produced:
            if cit.key() in seen:
                continue
            seen.add(cit.key())
            out.citations.append(cit)
            owner.used = True
            last = cit
            last_law = owner
    # titles after the last chain
    while ri < len(refs):
        ref = refs[ri]
        ri += 1
        if ref.kind == "title":
            reader.resolve_title(ref)


def _context_prefix(word: str, last: Citation) -> dict[str, Any] | None:
    art = (last.article_number, last.article_suffix)
    if word in ("本条", "该条", "同条"):
        return {"art": art}
    if word in ("本款", "该款"):
        return {"art": art, "款": last.paragraph}
    if word in ("前款", "上款"):
        if last.paragraph is None:
            return {"art": art}
        return {"art": art, "款": last.paragraph - 1 if last.paragraph > 1 else last.paragraph}
    if word in ("前条", "上条"):
        if last.article_suffix:
            return {"art": (last.article_number, 0)}
        if last.article_number <= 1:
            return None
        return {"art": (last.article_number - 1, 0)}
    if word in ("前项", "本项"):
        return {"art": art, "款": last.paragraph, "项": last.item}
    return None


def _top_level(element: _Element) -> str:
    for comp in element.comps:
        if comp.level not in _STRUCTURE:
            return comp.level
    return ""


def _expand(reader: _Reader, chain: _Chain, owner: _Law, prefix: dict[str, Any],
            law_start: int | None) -> list[Citation]:
    """Turn a chain into citations: lists climb back to the level they name, ranges expand."""
    results: list[Citation] = []
    prev: dict[str, Any] | None = dict(prefix) if prefix else None
    prev_start = chain.start
    first = True
    for element in chain.elements:
        comps = [c for c in element.comps if c.level not in _STRUCTURE]
        if not comps:
            prev = None if not prefix else prev
            continue
        top = comps[0].level
        base: dict[str, Any] = {}
        if top != "条":
            if prev is None or prev.get("art") is None:
                reader.problem(f"「{reader.text[element.start:element.end]}」没有写明所属条文，未计入")
                continue
            base["art"] = prev["art"]
            for level in ("款", "项", "目"):
                if _LEVEL_ORDER[level] < _LEVEL_ORDER[top]:
                    base[level] = prev.get(level)
        combos = [base]
        for comp in comps:
            nxt = []
            for combo in combos:
                for value in comp.values:
                    row = dict(combo)
                    if comp.level == "条":
                        row["art"] = (value, comp.suffix if len(comp.values) == 1 else 0)
                    else:
                        row[comp.level] = value
                    nxt.append(row)
            combos = nxt[:_MAX_RANGE]
        start = element.start
        if element.range_from_previous and prev is not None and prev.get(top if top != "条" else "art") is not None:
            filled = _range_fill(reader, prev, top, combos, (prev_start, element.end))
            combos = filled + combos
            start = prev_start
        if first and law_start is not None:
            start = law_start
        span = (start, element.end)
        prev_start = element.start
        for row in combos:
            art = row.get("art")
            if not art or art[0] <= 0:
                continue
            results.append(Citation(
                law=owner.law, written=owner.written, version_note=owner.version_note,
                article=article_label(art[0], art[1]), article_number=art[0], article_suffix=art[1],
                paragraph=row.get("款"), item=row.get("项"), sub_item=row.get("目"), span=span))
        if combos:
            prev = combos[-1]
        first = False
    return results


def _range_fill(reader: _Reader, prev: dict[str, Any], top: str, combos: list[dict],
                reader_span: tuple[int, int]) -> list[dict]:
    """第十条至第十二条: the provisions strictly between the two ends."""
    key = "art" if top == "条" else top
    lo = prev[key][0] if key == "art" else prev[key]
    hi_row = combos[0]
    hi = hi_row[key][0] if key == "art" else hi_row.get(key)
    if hi is None:
        return []
    if hi <= lo or hi - lo > _MAX_RANGE:
        if hi < lo or hi - lo > _MAX_RANGE:
            reader.problem(f"「{reader.text[reader_span[0]:reader_span[1]]}」的范围无法展开，只计起止两项")
        return []
    rows = []
    for value in range(lo + 1, hi):
        row = {k: v for k, v in prev.items() if k == "art" or _LEVEL_ORDER.get(k, 9) < _LEVEL_ORDER.get(top, 0)}
        if key == "art":
            row = {"art": (value, 0)}
        else:
            row[key] = value
        rows.append(row)
    return rows
