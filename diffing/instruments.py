"""Amending instruments (修改决定, 修正案): their instructions, and an alignment checked against them.

A decision says what it does article by article (将第九条改为第十条，修改为… / 增加一条，作为第十二条 /
删去第六十条 / 将第六十八条、第六十九条第一项合并，作为第六十九条 …), numbering articles as the
OLD text does. ``parse`` reads those instructions; ``check`` compares them with the alignment of
the two texts and reports, in Chinese, every disagreement. Wording patterns are in
``data/instruments.toml``.

>>> d = parse("关于修改《中华人民共和国示例法》的决定\\n一、将第二条修改为：“新的内容。”\\n二、删去第五条。")
>>> [(i.item, i.action, i.old) for i in d.instructions_for("中华人民共和国示例法")]
[('第一项', 'modify', [(2, 0)]), ('第二项', 'delete', [(5, 0)])]
"""

from __future__ import annotations

import pathlib
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache

from texts.numerals import ANY_NUMBER, article_label, to_chinese, to_int
from diffing.compare import status_name
from diffing.provisions import provision_map

DATA_FILE = pathlib.Path(__file__).resolve().parent / "data" / "instruments.toml"

ACTIONS = ("modify", "renumber", "insert", "delete", "merge", "split")


@dataclass
class Instruction:
    """One thing a decision does to one instrument.

    ``old``: articles of the old text (number, suffix); ``new``: numbers the decision gives in the
    new text; ``partial``: old articles named with a 款/项 (only part of them is concerned);
    ``modified``: a renumbered, split or merged article whose wording also changes.
    """

    item: str
    action: str
    old: list[tuple[int, int]] = field(default_factory=list)
    new: list[tuple[int, int]] = field(default_factory=list)
    partial: list[tuple[int, int]] = field(default_factory=list)
    modified: bool = False
    text: str = ""
    #: for a partial reference, the 款 and 项 it names: (number, suffix) → (款 or None, 项 or None)
    parts: dict = field(default_factory=dict)
    #: the first paragraph of the wording the decision gives (修改为：“…”), for "where it went"
    wording: str = ""


@dataclass
class Decision:
    """The instructions of one decision, per instrument it amends, and the instruments it repeals."""

    title: str
    sections: dict[str, list[Instruction]] = field(default_factory=dict)
    repealed: list[str] = field(default_factory=list)

    def instructions_for(self, title: str) -> list[Instruction]:
        """The instructions for one instrument (中华人民共和国 and 《》 do not matter)."""
        wanted = _title_key(title)
        for name, instructions in self.sections.items():
            if _title_key(name) == wanted:
                return instructions
        return []


def _title_key(title: str) -> str:
    t = re.sub(r"[《》〈〉\s]", "", title)
    return t.removeprefix("中华人民共和国")


@lru_cache(maxsize=None)
def _rules() -> dict:
    data = tomllib.loads(DATA_FILE.read_text("utf-8"))
    art = rf"(?:刑法)?第{ANY_NUMBER}条(?:之{ANY_NUMBER})?"
    ref = rf"{art}(?:第{ANY_NUMBER}款)?(?:第[（(]?{ANY_NUMBER}[)）]?项)?"
    fill = {
        "{ART}": art, "{REF}": ref,
        "{ARTS}": rf"{art}(?:[、和及]{art})*", "{REFS}": rf"{ref}(?:[、和及]{ref})*",
        "{N}": ANY_NUMBER,
    }

    def compile_(pattern: str) -> re.Pattern:
        for key, value in fill.items():
            pattern = pattern.replace(key, value)
        return re.compile(pattern)

    def many(value) -> list[re.Pattern]:
        return [compile_(p) for p in (value if isinstance(value, list) else [value])]

    return {
        "top": compile_(data["items"]["top"]),
        "sub": compile_(data["items"]["sub"]),
        "numbered": compile_(data["items"]["numbered"]),
        "amendment_label": compile_(data["items"]["amendment_label"]),
        "heading": many(data["sections"]["heading"]),
        "inline": compile_(data["sections"]["inline"]),
        "single": many(data["sections"]["single"]),
        "repeal_start": many(data["sections"]["repeal_start"]),
        "repeal_item": compile_(data["sections"]["repeal_item"]),
        "repeal_inline": compile_(data["sections"]["repeal_inline"]),
        "closing": many(data["sections"]["closing"]),
        "intro": compile_(data["sections"]["intro"]),
        "merge": compile_(data["verbs"]["merge"]),
        "split": compile_(data["verbs"]["split"]),
        "renumber": compile_(data["verbs"]["renumber"]),
        "insert": many(data["verbs"]["insert"]),
        "delete": compile_(data["verbs"]["delete"]),
        "art_ref": re.compile(
            rf"(?:刑法)?第(?P<n>{ANY_NUMBER})条(?:之(?P<s>{ANY_NUMBER}))?"
            rf"(?P<part>(?:第{ANY_NUMBER}款)?(?:第[（(]?{ANY_NUMBER}[)）]?项)?)"
        ),
    }


_QUOTE_OPEN = "“\"「"
_QUOTED = re.compile(r"“[^”]*(?:”|$)|\"[^\"]*(?:\"|$)|「[^」]*(?:」|$)")


def _strip_quotes(text: str) -> str:
    """Quoted new wording is not an instruction: 将第八十四条中的“第八十七条”修改为“第九十条”."""
    return _QUOTED.sub("", text)


_PART = re.compile(rf"(?:第(?P<p>{ANY_NUMBER})款)?(?:第[（(]?(?P<i>{ANY_NUMBER})[)）]?项)?")


def _parts(text: str) -> dict:
    """(number, suffix) → (款, 项) of each partial reference (第六十九条第一项 → (None, 1))."""
    out = {}
    for m in _rules()["art_ref"].finditer(text):
        if not m.group("part"):
            continue
        try:
            key = (to_int(m.group("n")), to_int(m.group("s")) if m.group("s") else 0)
            p = _PART.fullmatch(m.group("part"))
            out[key] = (to_int(p.group("p")) if p and p.group("p") else None,
                        to_int(p.group("i")) if p and p.group("i") else None)
        except ValueError:
            continue
    return out


_WORDING = re.compile(r"修改为[:：]\s*“([^”]+)")


def _refs(text: str) -> list[tuple[tuple[int, int], bool]]:
    """Article references in order: ((number, suffix), names only part of it)."""
    out = []
    for m in _rules()["art_ref"].finditer(text):
        try:
            key = (to_int(m.group("n")), to_int(m.group("s")) if m.group("s") else 0)
        except ValueError:
            continue
        out.append((key, bool(m.group("part"))))
    return out


def _paragraphs(text: str) -> list[str]:
    lines = []
    for raw in text.splitlines():
        line = raw.strip().lstrip(">").strip().replace("\u3000", " ").strip()
        if not line or line.startswith("#") or line.startswith("<!--"):
            continue
        lines.append(line)
    return lines


def parse(text: str, title: str = "") -> Decision:
    """Read the instructions of a decision (Markdown or plain text). Never raises on odd text:
    what it cannot read it leaves out."""
    rules = _rules()
    lines = _paragraphs(text)
    if not title:
        heading = next((raw.lstrip("#").strip() for raw in text.splitlines() if raw.startswith("# ")), "")
        title = heading or (lines[0] if lines else "")
    decision = Decision(title=title)
    single = None
    for line in [title, "".join(lines[:3]), *lines[:8]]:
        for pattern in rules["single"]:
            m = pattern.search(line)
            if m:
                single = m.group("title")
                break
        if single:
            break
    current_law = single
    top = sub = num = ""
    law_heading_top = False
    current_article: tuple[int, int] | None = None
    in_repeal = False
    started = False
    for line in lines[1:]:
        if any(p.search(line) for p in rules["repeal_start"]):
            in_repeal = True
            if not rules["top"].match(line):
                continue
        if line[0] in _QUOTE_OPEN:
            continue  # quoted wording spanning several paragraphs
        if in_repeal:
            m = rules["repeal_item"].match(line)
            if m:
                decision.repealed.append(m.group("title").strip())
                continue
        m = rules["repeal_inline"].search(line)
        if m and line.startswith("废止"):
            decision.repealed.append(m.group("title"))
            continue
        if any(p.search(line) for p in rules["closing"]):
            continue
        # which item this paragraph is
        body = rules["amendment_label"].sub("", line)
        m = rules["top"].match(body)
        if m:
            top, sub, num = m.group("n"), "", ""
            law_heading_top = False
            body = body[m.end():]
            started = True
        else:
            m = rules["sub"].match(body)
            if m:
                sub, num = m.group("n"), ""
                body = body[m.end():]
                started = True
            else:
                m = rules["numbered"].match(body)
                if m:
                    num = m.group("n")
                    body = body[m.end():]
                    started = True
        if rules["intro"].search(_strip_quotes(line)) and not rules["heading"][0].match(line):
            continue  # 对部分条文作以下修改： announces the items that follow
        heading = next((h.match(line) for h in rules["heading"] if h.match(line)), None)
        if heading:
            current_law = heading.group("title")
            law_heading_top = bool(rules["top"].match(line))
            current_article = None
            continue
        inline = rules["inline"].match(line)
        if inline:
            current_law = inline.group("title")
            current_article = None
        if not started and not _refs(_strip_quotes(body)):
            continue  # preamble
        if current_law is None:
            continue
        item = _item_label(top, sub, num, law_heading_top)
        instructions, current_article = _instructions(body, item, current_article)
        decision.sections.setdefault(current_law, []).extend(instructions)
    return decision


def _item_label(top: str, sub: str, num: str, law_heading_top: bool) -> str:
    parts = []
    if top and not law_heading_top:
        parts.append(f"第{top}项")
    if sub:
        parts.append(f"第（{sub}）{'项' if law_heading_top or not top else '目'}")
    if num:
        parts.append(f"第{num}目" if parts else f"第{num}项")
    if not parts and top:
        parts.append(f"第{top}项")
    return "".join(parts) or "（未编号）"


def _instructions(body: str, item: str, current: tuple[int, int] | None):
    """The instructions in one paragraph; returns them and the article it leaves "current"."""
    rules = _rules()
    text = _strip_quotes(body)
    text = re.sub(r"《[^》]*》", "", text)  # 将《X条例》第二条 → 将第二条
    shown = body if len(body) <= 60 else body[:60] + "…"
    out: list[Instruction] = []
    used: list[tuple[int, int]] = []

    def take(m: re.Match) -> None:
        used.append(m.span())

    def free(span) -> bool:
        return all(span[1] <= a or span[0] >= b for a, b in used)

    for m in rules["merge"].finditer(text):
        refs = _refs(m.group("old"))
        new = [k for k, _ in _refs(m.group("new"))]
        out.append(Instruction(item, "merge", [k for k, _ in refs], new,
                               partial=[k for k, part in refs if part], text=shown,
                               parts=_parts(m.group("old"))))
        take(m)
    for m in rules["split"].finditer(text):
        if not free(m.span()):
            continue
        out.append(Instruction(item, "split", [k for k, _ in _refs(m.group("old"))],
                               [k for k, _ in _refs(m.group("new") or "")], text=shown))
        take(m)
    for m in rules["renumber"].finditer(text):
        if not free(m.span()):
            continue
        out.append(Instruction(item, "renumber", [k for k, _ in _refs(m.group("old"))],
                               [k for k, _ in _refs(m.group("new"))], text=shown))
        take(m)
    for pattern in rules["insert"]:
        for m in pattern.finditer(text):
            if not free(m.span()):
                continue
            out.append(Instruction(item, "insert", [], [k for k, _ in _refs(m.group("new"))], text=shown))
            take(m)
    for m in rules["delete"].finditer(text):
        if not free(m.span()):
            continue
        refs = _refs(m.group("refs"))
        whole = [k for k, part in refs if not part and not m.group("words")]
        part = [k for k, p in refs if p or m.group("words")]
        if whole:
            out.append(Instruction(item, "delete", whole, text=shown))
        if part:
            out.append(Instruction(item, "modify", part, partial=part, text=shown))
        take(m)
    # everything else that names an article changes it (将第X条修改为, 第X条增加一款, 中的“…”修改为 …)
    others = []
    for m in rules["art_ref"].finditer(text):
        if free(m.span()):
            others.extend(k for k, _ in _refs(m.group(0)))
    leftover = "".join(ch for k, ch in enumerate(text) if free((k, k + 1)))
    changes_wording = bool(re.search(r"修改|增加|删去|增写|改为", leftover))
    for ins in out:
        if ins.action in ("renumber", "split", "merge") and changes_wording:
            ins.modified = True
    structural = [i for i in out if i.action in ("renumber", "split", "merge") and i.old]
    if others:
        said = _WORDING.search(body)
        out.append(Instruction(item, "modify", list(dict.fromkeys(others)), text=shown,
                               wording=said.group(1) if said and len(set(others)) == 1 else ""))
    elif changes_wording and not structural and not any(i.action in ("modify", "delete", "insert") for i in out):
        if current is not None:  # 增加一款，作为第二款 — about the article named just before
            out.append(Instruction(item, "modify", [current], text=shown))
    named = [k for i in out for k in i.old]
    if structural:
        current = structural[-1].old[-1]
    elif named:
        current = named[-1]
    return out, current


# --- checking an alignment -----------------------------------------------------------------

def _label(key: tuple[int, int]) -> str:
    return article_label(*key)


def Place_label(label: str, paragraph: int | None, item: int | None) -> str:
    """第六十九条第一款第（一）项 (the 款 and 项 only when given)."""
    out = label
    if paragraph is not None:
        out += f"第{to_chinese(paragraph)}款"
    if item is not None:
        out += f"第（{to_chinese(item)}）项"
    return out


def _holder(wording: str, new_texts: dict[str, str]) -> str | None:
    """The new article that holds a decision's quoted wording (nearly whole), if exactly one does."""
    key = _squash(wording)
    if len(key) < 15:
        return None
    found = [label for label, text in new_texts.items() if key[:40] in _squash(text)]
    return found[0] if len(found) == 1 else None


def _squash(text: str) -> str:
    return re.sub(r"[\s“”\"「」]", "", text)


def _labels(keys) -> str:
    return "、".join(_label(k) for k in keys)


_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_ACT = re.compile(r"通过|修正|修订|决定|修改")


def history_dates(note: str) -> list[str]:
    """The dates (YYYY-MM-DD) of the acts a 题注 lists (adoption, revisions, amendments), in order;
    施行 dates are left out.

    >>> history_dates("2016年11月7日通过　根据2025年10月28日《关于修改…的决定》修正\\n2017年6月1日 施行")
    ['2016-11-07', '2025-10-28']
    """
    out = []
    for part in re.split(r"[\n\u3000]|(?=根据)", note or ""):
        if "施行" in part and not _ACT.search(part):
            continue
        for y, m, d in _DATE.findall(part):
            day = f"{int(y):04d}-{int(m):02d}-{int(d):02d}"
            if day not in out:
                out.append(day)
    return sorted(out)


def decision_date(text: str, title: str = "") -> str | None:
    """The date a decision was adopted: the first date in its title or first lines."""
    head = title + "\n" + "\n".join(text.splitlines()[:6])
    m = _DATE.search(head)
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None


def verify(comparison, decision: Decision, old_law, new_law, decided_on: str | None = None,
           old_on: str | None = None) -> dict:
    """Check an alignment against a decision, as ``yiju diff --decision`` does.

    Returns ``{"disagreements": [...], "warnings": [...], "refused": str | None}`` (Chinese):
    ``refused`` when the decision does not amend this law or its date is not one of the
    amendments between the two versions (the decision does not belong to the pair; ``old_on``: the old
    text's own date when known, in case its 题注 stops earlier); a warning
    when the two versions are more than one amendment apart (then changes the decision does not
    name are not disagreements: another amendment made them) or when a date cannot be read.
    """
    title = new_law.title or old_law.title
    instructions = []
    for name in (new_law.title, old_law.title):
        if name and not instructions:
            instructions = decision.instructions_for(name)
    out: dict = {"disagreements": [], "warnings": [], "refused": None}
    if not instructions:
        named = "、".join(f"《{t}》" for t in decision.sections) or "（没有读到任何修改条款）"
        out["refused"] = f"决定中没有关于《{title}》的修改条款；决定修改的是：{named}"
        return out
    old_dates, new_dates = history_dates(old_law.note), history_dates(new_law.note)
    since = max([*old_dates[-1:], *([old_on] if old_on else [])], default=None)  # a stale 题注: the file's date
    between = [d for d in new_dates if since is None or d > since]
    if decided_on and new_dates:
        if decided_on not in between:
            last = new_dates[-1]
            out["refused"] = (f"决定的日期 {decided_on} 不是这两个文本之间的修改"
                              f"（新文本最后一次修改于 {last}"
                              f"{'，旧文本已包含该决定' if old_dates and decided_on <= old_dates[-1] else ''}）")
            return out
    elif not decided_on:
        out["warnings"].append("无法从决定中读出通过日期，未核对决定是否属于这两个文本")
    others = [d for d in between if d != decided_on] if decided_on else []
    if others:
        out["warnings"].append(
            f"两个文本之间还有其他修改（{'、'.join(others)}），决定未提及的变化不作为不一致")
    from_text = {a.label: a.text for a in new_law.articles}
    out["disagreements"] = check(comparison, instructions, complete=not others,
                                 provisions=provision_map(old_law, new_law, comparison), new_texts=from_text)
    return out


def check(comparison, instructions: list[Instruction], complete: bool = True,
          provisions=None, new_texts: dict[str, str] | None = None) -> list[str]:
    """Disagreements between an alignment (``diffing.align.Comparison``) and a decision's
    instructions for that law, in Chinese; an empty list when they agree.

    Each instruction must be borne out by the alignment (a 删去 article is deleted, a renumbered
    one sits at its new number, a modified one changed), and each substantive change the
    alignment found must be covered by an instruction (changes of cross-reference numbers and
    editorial ones follow from 根据本决定作相应修改 and need none); ``complete=False`` when another
    amendment lies between the two texts too (then only the first half is checked).
    With ``provisions`` (``diffing.provisions.ProvisionMap``) a partial merger (将第六十八条、第六十九条第一项
    合并) is checked by where that 款/项 went; with ``new_texts`` (new label → text) a 修改为 whose
    wording the decision quotes is checked for where that wording is now.
    """
    old_map: dict[str, object] = {}
    new_map: dict[str, object] = {}
    for m in comparison.matches:
        for label in m.old:
            old_map[label] = m
        for label in m.new:
            new_map[label] = m
    notes: list[str] = []
    named_old = {_label(k) for ins in instructions for k in ins.old}
    covered_old: set[str] = set()
    covered_new: set[str] = set()

    def where(label: str) -> str:
        m = old_map.get(label)
        if m is None:
            return "旧文本中没有该条"
        if m.status == "deleted":
            return f"{label}已删除"
        return f"原{label}现为{'、'.join(m.new)}（{status_name(m.status)}）"

    for ins in instructions:
        olds = [_label(k) for k in ins.old]
        news = [_label(k) for k in ins.new]
        covered_old.update(olds)
        covered_new.update(news)
        say = f"决定{ins.item}"
        if ins.action == "modify":
            for label in olds:
                m = old_map.get(label)
                if m is None:
                    notes.append(f"{say}修改{label}，但旧文本中没有{label}")
                elif m.status == "deleted":
                    notes.append(f"{say}修改{label}，但比对结果认为{label}已删除")
                elif m.status in ("unchanged", "renumbered"):
                    now = f"（现{'、'.join(m.new)}）" if m.status == "renumbered" else ""
                    notes.append(f"{say}修改{label}，但比对结果认为该条内容未变{now}")
                elif ins.wording and new_texts:
                    home = _holder(ins.wording, new_texts)
                    if home is not None and home not in m.new:
                        notes.append(f"{say}修改{label}，其新文字见于现{home}，但比对结果认为原{label}现为{'、'.join(m.new)}")
        elif ins.action == "renumber":
            for label, target in zip(olds, news):
                m = old_map.get(label)
                if m is None or target not in m.new:
                    notes.append(f"{say}将{label}改为{target}，但比对结果认为{where(label)}")
                elif ins.modified and m.status in ("unchanged", "renumbered"):
                    notes.append(f"{say}将{label}改为{target}并作修改，但比对结果认为该条内容未变")
        elif ins.action == "delete":
            for label in olds:
                m = old_map.get(label)
                if m is None:
                    notes.append(f"{say}删去{label}，但旧文本中没有{label}")
                elif m.status == "merged":
                    notes.append(f"{say}删去{label}，但比对结果认为{label}并入了现{'、'.join(m.new)}")
                elif m.status != "deleted":
                    notes.append(f"{say}删去{label}，但比对结果认为{label}仍存在（现{'、'.join(m.new)}）")
        elif ins.action == "insert":
            for target in news:
                m = new_map.get(target)
                if m is None:
                    notes.append(f"{say}增加{target}，但新文本中没有{target}")
                elif m.status == "split" and target != m.new[0] and set(m.old) <= named_old:
                    continue  # a 款 the decision took out of that article reads like one of the new one
                elif m.status != "inserted":
                    notes.append(
                        f"{say}增加{target}，但比对结果认为现{target}来自原{'、'.join(m.old)}（{status_name(m.status)}）"
                    )
        elif ins.action == "merge":
            target = news[0] if news else None
            partial = {_label(k) for k in ins.partial}
            for label in olds:
                m = old_map.get(label)
                if target is None:
                    break
                key = ins.old[olds.index(label)]
                if label in partial and provisions is not None and key in ins.parts:
                    paragraph, item = ins.parts[key]
                    loc = provisions.locate(label, paragraph, item)
                    if loc.place is None or loc.place.article != target:
                        piece = Place_label(label, paragraph, item)
                        now = f"现为{loc.place.label}" if loc.place else "已删除"
                        notes.append(f"{say}将{piece}并入{target}，但比对结果认为{piece}{now}")
                    continue
                if m is None or target not in m.new:
                    if label in partial and m is not None and m.status != "deleted":
                        continue  # only a 款/项 of it was merged; the rest may stay where it was
                    notes.append(f"{say}将{_labels(ins.old)}合并为{target}，但比对结果认为{where(label)}")
        elif ins.action == "split":
            for label in olds:
                m = old_map.get(label)
                missing = [t for t in news if m is None or t not in m.new]
                if m is None or missing:
                    count = "两" if len(news) == 2 else (to_chinese(len(news)) if news else "多")
                    listed = f"（{_labels(ins.new)}）" if news else ""
                    notes.append(f"{say}将{label}改为{count}条{listed}，但比对结果认为{where(label)}")
    for m in comparison.matches:
        if not complete or m.status in ("unchanged", "renumbered"):
            continue
        if m.status == "modified" and m.substance in ("references_only", "editorial"):
            continue  # consequential (根据本决定作相应修改): numbers of cross-references, wording
        if set(m.old) & covered_old or set(m.new) & covered_new:
            continue
        if m.status == "modified":
            notes.append(f"比对结果显示原{m.old[0]}（现{m.new[0]}）有修改，但决定中没有相应条款")
        elif m.status == "inserted":
            notes.append(f"比对结果显示新增{m.new[0]}，但决定中没有增加该条")
        elif m.status == "deleted":
            notes.append(f"比对结果显示删除了{m.old[0]}，但决定中没有删去该条")
        else:
            notes.append(
                f"比对结果显示原{'、'.join(m.old)}{status_name(m.status)}为现{'、'.join(m.new)}，但决定中没有相应条款"
            )
    return notes
