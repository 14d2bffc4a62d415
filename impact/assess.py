"""Which duties a change touches: one flag per (duty, citation, change), with DESIGN §7's severity.

``run_impact`` processes every change whose ``impact_done_at`` is NULL: the current duties whose
citations point at the changed law (whole-law citations too) or at an affected article get a
flag saying what happened, how serious it is, what the new citation probably is and by when it
must be fixed. It also checks duties added since the last pass (an import, a revised duty)
against the changes processed before them, so a list imported after a revision is flagged too.
Re-running it creates nothing new (``flags`` is unique on duty, citation and change).

A citation is read against the version it was written for (``citations.version_id``): one
written for the new version of a change, or a later one, is not affected by it; one written for
an older version is followed article by article through the earlier changes first.

``impact.process.run_impact`` drives it; this module assesses and stores.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import logging
from collections import defaultdict, deque
from dataclasses import dataclass, field

import sqlite_utils

from config.clock import today
from impact.rules import REASONS, RULES, severity_rank
from impact.successor import cited_text, index_for_version, provisions_index_for_version
from impact.where import provision_row, step
from registry import changes as change_store
from registry import citations as citation_store
from registry import flags as flag_store
from registry import instruments
from registry import laws as law_store
from registry.changes import ARTICLE_KINDS, ArticleChange, Change
from registry.citations import CitationRef
from texts.numerals import normalize_label

log = logging.getLogger(__name__)

#: Days a department has to review a flagged duty once the change is in force (due = the date
#: the flag is raised + REVIEW_DAYS; a change not yet in force is due on its 施行日期 instead).
REVIEW_DAYS = 30

#: ARTICLE_KINDS are the changes that carry article changes; ``repealed`` flags by law; ``enacted``
#: (nothing cites it yet) and ``takes_effect`` (its flags were raised when the text arrived) flag nothing.


@dataclass
class Finding:
    """What a change did to one citation of one duty (a flag before it is stored)."""

    duty_id: int
    citation_id: int
    change_id: int
    article_change_id: int | None
    severity: str
    reason: str
    suggestion: dict = field(default_factory=dict)
    due: str = ""
    suggestion_json: str = ""

    def row(self) -> dict:
        """The new flag's columns (``registry.flags.insert_flags``)."""
        return {"duty_id": self.duty_id, "citation_id": self.citation_id, "change_id": self.change_id,
                "article_change_id": self.article_change_id, "severity": self.severity, "reason": self.reason,
                "suggestion": self.suggestion_json or json.dumps(self.suggestion, ensure_ascii=False),
                "due": self.due}


@dataclass(frozen=True)
class _Verdict:
    """What a change says about one provision; shared by every citation of it."""

    article_change_id: int | None
    severity: str
    reason: str
    suggestion: dict
    suggestion_json: str


def worse(a: Finding | None, b: Finding | None) -> Finding | None:
    """The more severe of two findings (the first on a tie)."""
    if a is None:
        return b
    if b is None:
        return a
    return b if severity_rank(b.severity) < severity_rank(a.severity) else a


def due_for(effective: str | None, on: str | None = None) -> str:
    """A change in force: ``on`` (today) + REVIEW_DAYS; a change not yet in force: its 施行日期.

    >>> due_for("2099-01-01", on="2024-01-01"), due_for("2020-01-01", on="2024-01-01")
    ('2099-01-01', '2024-01-31')
    """
    on = on or today()
    if effective and effective > on:
        return effective
    return (_dt.date.fromisoformat(on) + _dt.timedelta(days=REVIEW_DAYS)).isoformat()


def _inner_quotes(title: str) -> str:
    """A title to be quoted inside 《》: its own 《》 become 〈〉.

    >>> _inner_quotes("广东省人民政府关于废止《广东省碳排放管理试行办法》的决定")
    '广东省人民政府关于废止〈广东省碳排放管理试行办法〉的决定'
    """
    return title.replace("《", "〈").replace("》", "〉")


class ChangeView:
    """One change, ready to judge citations: its article changes by old label, its versions."""

    def __init__(self, db: sqlite_utils.Database, change: Change, *, on: str | None = None):
        self.db = db
        self.row = change
        self.id = change["id"]
        self.kind = change["kind"]
        self.law_id = change["law_id"]
        self.old_version_id = change["old_version_id"]
        self.new_version_id = change["new_version_id"]
        self.detail = change["detail"]
        self.summary = change["summary"]
        self.today = on or today()
        self.effective = change.get("effective")
        self.detected_at = change.get("detected_at") or ""
        self.pending = bool(self.effective and self.effective > self.today)
        self.due = due_for(self.effective, self.today)
        law = law_store.get_law(db, self.law_id)
        self.law_title = self.detail.get("old_title") or law["title"]
        new_title = self.detail.get("new_title")
        self.new_title = new_title if new_title and new_title != self.law_title else None
        self.successor_id = self.detail.get("successor_id") or law["successor_id"]
        self.instrument_title = (instruments.title_of(db, change.get("instrument_id"))
                                 if self.kind == "repealed" else None)
        self.by_label: dict[str, ArticleChange] = {}
        if self.kind in ARTICLE_KINDS:
            for ac in change_store.article_changes(db, self.id):
                for label in ac["old_labels"]:
                    self.by_label.setdefault(label, ac)
        self._chain = _VersionChain(db, self.law_id)
        self.older = self._chain.before(self.old_version_id) if self.old_version_id else set()
        self.later = self._chain.from_(self.new_version_id, self.old_version_id) if self.new_version_id else set()
        self._successor = None
        self._candidates: dict[tuple[int, str], list[dict]] = {}
        self._verdicts: dict[tuple, _Verdict] = {}
        self._new_version_date: tuple[str | None, str | None] | None = None

    # -- which citations to look at -------------------------------------------------------

    @property
    def flags_anything(self) -> bool:
        return self.kind == "repealed" or self.kind in ARTICLE_KINDS

    def affected_labels(self) -> list[str]:
        return [label for label, ac in self.by_label.items() if ac["status"] != "unchanged"]

    def citations(self) -> list[CitationRef]:
        """Current duties' citations this change may touch, read through the indexes."""
        if self.kind == "repealed" or self.new_title:
            return citation_store.current_of_law(self.db, self.law_id)
        rows = citation_store.current_of_law(self.db, self.law_id, whole_law=True)
        labels = self.affected_labels()
        if labels:
            rows += citation_store.current_of_law(self.db, self.law_id, articles=labels)
        if self.older:
            seen = {r["id"] for r in rows}
            rows += [r for r in citation_store.current_of_law(self.db, self.law_id, written_for=self.older)
                     if r["id"] not in seen]
        return rows

    # -- judging one citation --------------------------------------------------------------

    def assess(self, cit: dict, *, catch_up: bool = False) -> Finding | None:
        """The flag this change gives a citation, or None.

        ``catch_up``: the duty is newer than the change; a citation with no version then means
        the text in force when it was written, so only a repeal touches it.
        """
        if not self.flags_anything:
            return None
        version = cit.get("version_id")
        if self.kind == "repealed":
            return self._repealed(cit)
        if version is not None and version in self.later:
            if catch_up or not self._written_before(cit):
                return None
            version = self.old_version_id
        if version is None and catch_up:
            return None
        article = cit.get("article")
        if not article:
            if self.new_title:
                return self._finding(cit, ("renamed",), None, "renamed", "renamed", {"new_title": self.new_title})
            return self._finding(cit, ("whole",), None, "whole_law", "whole_law", {"summary": self.summary})
        article = _canonical(article)
        places = [(article, cit.get("paragraph"), cit.get("item"))]
        if version is not None and version in self.older:
            # written for an older text: where the cited provision was in this change's old text
            places = self._chain.trace(version, self.old_version_id, *places[0])
        best = None
        for label, paragraph, item in places:
            ac = self.by_label.get(label)
            if ac is None or ac["status"] == "unchanged":
                continue
            best = worse(best, self._article_finding(cit, label, ac, paragraph, item))
        if best is None and self.new_title and places:
            best = self._finding(cit, ("renamed",), None, "renamed", "renamed", {"new_title": self.new_title})
        return best

    def _written_before(self, cit: dict) -> bool:
        """A duty stored before yiju knew of the new text, whose citation names no version, was
        written against the old text, whatever a later re-resolution says."""
        created = cit.get("created_at") or ""
        return bool(created and created <= self.detected_at and not cit.get("version_note"))

    def _article_finding(self, cit: dict, label: str, ac: dict, paragraph: int | None,
                         item: int | None) -> Finding:
        key = ("article", ac["id"], label, paragraph, item)
        if key in self._verdicts:
            return self._finding(cit, key)
        status = ac["status"]
        news = ac["new_labels"]
        new = news[0] if news else ""
        suggestion: dict = {}
        if status == "modified":
            rule = ac["substance"] if ac["substance"] in ("references_only", "editorial") else "substantive"
            suggestion["new_label"] = new
            if rule == "substantive" and ac["diff"] is not None:
                suggestion["diff"] = ac["diff"]
        elif status == "renumbered":
            rule = "renumbered"
            suggestion = {"new_label": new, "one_click": True}
        elif status in ("split", "merged"):
            rule = status
            suggestion = {"new_labels": news}
            if status == "merged":
                suggestion["merged_with"] = [lab for lab in ac["old_labels"] if lab != label]
        else:  # deleted (inserted articles have no old label, unchanged ones never get here)
            rule = "deleted"
        if self.new_title:
            suggestion["new_title"] = self.new_title
        place = _place_words(ac, label, paragraph, item, suggestion)
        words = {"old": label, "new": new, "news": "、".join(news), "olds": "、".join(ac["old_labels"]),
                 "moved": REASONS["moved"].format(new=new) if new and new != label else "", "place": place}
        return self._finding(cit, key, ac["id"], rule, rule, suggestion, words)

    def _repealed(self, cit: dict) -> Finding:
        article = _canonical(cit["article"]) if cit.get("article") else None
        key = ("repealed", cit.get("version_id"), article)
        if key in self._verdicts:
            return self._finding(cit, key)
        suggestion: dict = {}
        words: dict = {}
        template = "repealed"
        if self.successor_id:
            try:
                title = law_store.get_law(self.db, self.successor_id)["title"]
            except KeyError:
                title = None
            if title:
                template = "repealed_successor"
                words["successor"] = title
                suggestion["successor"] = {"law_id": self.successor_id, "title": title}
                if article:
                    suggestion["candidates"] = self._successor_candidates(cit, article)
        return self._finding(cit, key, None, "repealed", template, suggestion, words)

    def _successor_candidates(self, cit: dict, label: str) -> list[dict]:
        """The successor's provisions most like the cited one: articles for a cited article,
        款 and 项 for a cited 款 or 项 (the cited text is what is matched)."""
        version = cit.get("version_id") or self.old_version_id or self._latest_of_law
        paragraph, item = cit.get("paragraph"), cit.get("item")
        fine = paragraph is not None or item is not None
        key = (version, label, paragraph, item)
        if key not in self._candidates:
            text = cited_text(self.db, version, label, paragraph, item)
            index = self._successor_index(fine) if text else None
            self._candidates[key] = index.candidates(text) if index else []
        return self._candidates[key]

    def _successor_index(self, fine: bool):
        if self._successor is None:
            successor_version = _latest_version_id(self.db, self.successor_id)
            self._successor = {} if successor_version is None else {
                False: functools.partial(index_for_version, self.db, successor_version),
                True: functools.partial(provisions_index_for_version, self.db, successor_version)}
        made = self._successor.get(fine)
        if callable(made):
            made = self._successor[fine] = made()
        return made

    @functools.cached_property
    def _latest_of_law(self) -> int | None:
        return _latest_version_id(self.db, self.law_id)

    def _finding(self, cit, key, *verdict) -> Finding:
        """The finding for ``cit`` from the verdict cached under ``key`` (made from ``verdict`` first)."""
        v = self._verdicts.get(key)
        if v is None:
            v = self._verdicts[key] = self._verdict(*verdict)
        return Finding(cit["duty_id"], cit["id"], self.id, v.article_change_id, v.severity, v.reason,
                       v.suggestion, self.due, v.suggestion_json)

    def _verdict(self, article_change_id, severity_rule, template, suggestion, words=None) -> _Verdict:
        reasons = REASONS
        if self.kind == "repealed":
            when = reasons["when_repealed_pending" if self.pending else "when_repealed"] if self.effective else ""
            if self.effective and not self.pending and self.instrument_title:
                when = reasons["when_repealed_by"].replace("{instrument}", _inner_quotes(self.instrument_title))
        else:
            when = reasons["when_pending" if self.pending else "when_effective"] if self.effective else ""
        if self._new_version_date is None:
            self._new_version_date = law_store.version_date(self.db, self.new_version_id)
        date, revision = self._new_version_date
        event = RULES["event"].get(self.kind, "{date}修改").format(date=self.row.get("published") or date or "")
        if revision in ("修正", "修订") and self.kind == "amended":
            event = event.replace("修改", revision)
        if self.kind == "repealed" and self.pending and f"{template}_pending" in reasons:
            template = f"{template}_pending"
        text = reasons[template].format(
            law=self.law_title, when=when.format(effective=self.effective), event=event, effective=self.effective or "",
            new_title=self.new_title or "", **(words or {}))
        return _Verdict(article_change_id, RULES["severity"][severity_rule], text, suggestion,
                        json.dumps(suggestion, ensure_ascii=False))


class _VersionChain:
    """The versions of one law linked by its changes (old → new), to order and trace citations."""

    def __init__(self, db, law_id: int):
        self.db = db
        self.forward: dict[int, list[tuple[int, int]]] = defaultdict(list)  # old → [(new, change)]
        self.back: dict[int, list[int]] = defaultdict(list)
        for change_id, old, new in change_store.version_links(db, law_id):
            self.forward[old].append((new, change_id))
            self.back[new].append(old)
        self.dates = law_store.version_dates(db, law_id)
        self._maps: dict[int, dict[str, ArticleChange]] = {}

    def before(self, version: int) -> set[int]:
        """Versions from which ``version`` is reached by changes (strictly older texts)."""
        seen: set[int] = set()
        todo = deque(self.back.get(version, []))
        while todo:
            v = todo.popleft()
            if v not in seen and v != version:
                seen.add(v)
                todo.extend(self.back.get(v, []))
        return seen

    def from_(self, version: int, old: int | None) -> set[int]:
        """``version`` and every text after it (by changes, or by a later 公布日期); never ``old``."""
        seen = {version}
        todo = deque([version])
        while todo:
            for nxt, _ in self.forward.get(todo.popleft(), []):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        date = self.dates.get(version)
        if date:
            seen |= {v for v, d in self.dates.items() if d and d > date}
        seen.discard(old)
        return seen

    def trace(self, start: int, target: int, label: str, paragraph: int | None = None,
              item: int | None = None) -> list[tuple[str, int | None, int | None]]:
        """Where article ``label`` (its 款 and 项) of version ``start`` sits in version ``target``:
        (article, 款, 项) places through the changes between them (``impact.where.step``, the one
        款/项 mapping; the 款/项 are None where the mapping cannot say); [] = deleted."""
        path = self._path(start, target)
        here = [(label, paragraph, item)]
        if path is None:
            return here
        for change_id in path:
            by_label = self._changes(change_id)
            nxt: list[tuple[str, int | None, int | None]] = []
            for lab, p, z in here:
                went = step(by_label, lab, p, z)
                found = [went.place] if went.place is not None else [(n, None, None) for n in went.labels]
                for place in found:
                    if place not in nxt:
                        nxt.append(place)
            here = nxt
        return here

    def _path(self, start: int, target: int) -> list[int] | None:
        prev: dict[int, tuple[int, int]] = {}
        todo = deque([start])
        seen = {start}
        while todo:
            v = todo.popleft()
            if v == target:
                path = []
                while v != start:
                    v, change_id = prev[v]
                    path.append(change_id)
                return path[::-1]
            for nxt, change_id in self.forward.get(v, []):
                if nxt not in seen:
                    seen.add(nxt)
                    prev[nxt] = (v, change_id)
                    todo.append(nxt)
        return None

    def _changes(self, change_id: int) -> dict[str, ArticleChange]:
        if change_id not in self._maps:
            by_label: dict[str, ArticleChange] = {}
            for ac in change_store.article_changes(self.db, change_id):
                for lab in ac["old_labels"]:
                    by_label.setdefault(lab, ac)
            self._maps[change_id] = by_label
        return self._maps[change_id]


# -- running it ------------------------------------------------------------------------------

def store(db: sqlite_utils.Database, findings, run_id: int | None = None) -> list[Finding]:
    """Write findings as open flags (an existing flag for the same key is left alone).

    Returns the findings that made a new flag. Call inside a transaction.
    """
    by_change: dict[int, list[Finding]] = defaultdict(list)
    for f in findings:
        by_change[f.change_id].append(f)
    created: list[Finding] = []
    for change_id, group in by_change.items():
        seen = flag_store.flagged_citations(db, {f.duty_id for f in group}, change_id)
        fresh = []
        for f in group:
            if f.citation_id not in seen:
                seen.add(f.citation_id)
                fresh.append(f)
        flag_store.insert_flags(db, (f.row() for f in fresh), run_id)
        created += fresh
    return created


def assess_duties(db: sqlite_utils.Database, duty_ids, *, views: dict | None = None) -> list[Finding]:
    """What the changes already processed do to these duties (new or revised ones; nothing is written)."""
    ids = sorted(set(duty_ids))
    if not ids:
        return []
    views = {} if views is None else views
    return assess_against_processed(db, citation_store.current_of_duties(db, ids), views)


def assess_against_processed(db: sqlite_utils.Database, cits: list[CitationRef], views: dict) -> list[Finding]:
    """What the changes already processed do to these citations (duties newer than the changes)."""
    by_law: dict[int, list[dict]] = defaultdict(list)
    for c in cits:
        by_law[c["law_id"]].append(c)
    out: list[Finding] = []
    for law_id, group in by_law.items():
        for change in change_store.processed_of_law(db, law_id):
            view = views.get(change["id"])
            if view is None:
                view = views[change["id"]] = ChangeView(db, change)
            if not view.flags_anything:
                continue
            out += [f for f in (view.assess(c, catch_up=True) for c in group) if f is not None]
    return out


# -- small readers ------------------------------------------------------------------------------

def _place_words(ac: ArticleChange, label: str, paragraph, item, suggestion: dict) -> str:
    """Where a cited 款/项 went, as a reason piece; sets the suggestion's exact place (``new_place``,
    and ``new_label`` to its article for a split or merger). A renumbering stays one click only
    when the 款 and 项 keep their numbers and the 款 division did not change."""
    row = provision_row(ac, label, paragraph, item)
    if row is None:
        return ""
    old_place = row["old"]["label"]
    if row.get("warning"):
        suggestion.pop("one_click", None)
        suggestion["warning"] = row["warning"]
        return REASONS["place_warning"].format(warning=row["warning"])
    if row["new"] is None:
        suggestion.pop("one_click", None)
        suggestion["place_deleted"] = old_place
        return REASONS["place_deleted"].format(old_place=old_place)
    new = row["new"]
    if new["label"] == old_place:
        return ""  # still where it was (第五十五条第一款 amended in place): nothing to say of its place
    same_numbers = (new["paragraph"], new["item"]) == (row["old"]["paragraph"], row["old"]["item"])
    if suggestion.get("one_click") and same_numbers:
        return ""  # the article's new number is all that changes: the one-click fix says it
    suggestion.pop("one_click", None)
    suggestion["new_place"] = new["label"]
    if ac["status"] in ("split", "merged"):
        suggestion["new_label"] = new["article"]
    return REASONS["place"].format(old_place=old_place, new_place=new["label"])


def _latest_version_id(db, law_id: int) -> int | None:
    latest = law_store.latest_version(db, law_id)
    return latest["id"] if latest else None


@functools.lru_cache(maxsize=4096)
def _canonical(label: str) -> str:
    """第32条 → 第三十二条 (labels in the registry use Chinese numerals)."""
    if any(ch.isdigit() for ch in label):
        try:
            return normalize_label(label)
        except ValueError:
            return label
    return label
