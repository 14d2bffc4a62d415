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
import pathlib
import tomllib
from collections import defaultdict, deque
from dataclasses import dataclass, field

import sqlite_utils

from config.clock import now, today
from impact.successor import index_for_version
from texts.numerals import normalize_label

log = logging.getLogger(__name__)

#: Days a department has to review a flagged duty once the change is in force (due = the date
#: the flag is raised + REVIEW_DAYS; a change not yet in force is due on its 施行日期 instead).
REVIEW_DAYS = 30

RULES = tomllib.loads((pathlib.Path(__file__).parent / "data" / "impact.toml").read_text("utf-8"))
SEVERITIES = tuple(sorted(RULES["severity_order"], key=RULES["severity_order"].get))  # worst first
#: Changes that carry article changes; ``repealed`` flags by law; ``enacted`` (nothing cites it
#: yet) and ``takes_effect`` (its flags were raised when the text arrived) flag nothing.
ARTICLE_KINDS = ("amended", "text_corrected", "renamed")


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

    def row(self, stamp: str, run_id: int | None) -> tuple:
        text = self.suggestion_json or json.dumps(self.suggestion, ensure_ascii=False)
        return (self.duty_id, self.citation_id, self.change_id, self.article_change_id, self.severity,
                self.reason, text, self.due, stamp, run_id, stamp)


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
    order = RULES["severity_order"]
    return b if order[b.severity] < order[a.severity] else a


def due_for(effective: str | None, on: str | None = None) -> str:
    """A change in force: ``on`` (today) + REVIEW_DAYS; a change not yet in force: its 施行日期.

    >>> due_for("2099-01-01", on="2024-01-01"), due_for("2020-01-01", on="2024-01-01")
    ('2099-01-01', '2024-01-31')
    """
    on = on or today()
    if effective and effective > on:
        return effective
    return (_dt.date.fromisoformat(on) + _dt.timedelta(days=REVIEW_DAYS)).isoformat()


_CIT_COLS = "c.id, c.duty_id, c.law_id, c.version_id, c.article, c.version_note, d.created_at"


class ChangeView:
    """One change, ready to judge citations: its article changes by old label, its versions."""

    def __init__(self, db: sqlite_utils.Database, change: dict, *, on: str | None = None):
        self.db = db
        self.row = change
        self.id = change["id"]
        self.kind = change["kind"]
        self.law_id = change["law_id"]
        self.old_version_id = change["old_version_id"]
        self.new_version_id = change["new_version_id"]
        self.detail = json.loads(change.get("detail") or "{}")
        self.summary = json.loads(change.get("summary") or "{}")
        self.today = on or today()
        self.effective = change.get("effective")
        self.detected_at = change.get("detected_at") or ""
        self.pending = bool(self.effective and self.effective > self.today)
        self.due = due_for(self.effective, self.today)
        law = db.execute("SELECT title, successor_id FROM laws WHERE id = ?", [self.law_id]).fetchone()
        self.law_title = self.detail.get("old_title") or (law[0] if law else "")
        new_title = self.detail.get("new_title")
        self.new_title = new_title if new_title and new_title != self.law_title else None
        self.successor_id = self.detail.get("successor_id") or (law[1] if law else None)
        self.by_label: dict[str, dict] = {}
        if self.kind in ARTICLE_KINDS:
            for ac in _article_changes(db, self.id):
                for label in ac["old_labels"]:
                    self.by_label.setdefault(label, ac)
        self._chain = _VersionChain(db, self.law_id)
        self.older = self._chain.before(self.old_version_id) if self.old_version_id else set()
        self.later = self._chain.from_(self.new_version_id, self.old_version_id) if self.new_version_id else set()
        self._successor = None
        self._candidates: dict[tuple[int, str], list[dict]] = {}
        self._verdicts: dict[tuple, _Verdict] = {}

    # -- which citations to look at -------------------------------------------------------

    @property
    def flags_anything(self) -> bool:
        return self.kind == "repealed" or self.kind in ARTICLE_KINDS

    def affected_labels(self) -> list[str]:
        return [label for label, ac in self.by_label.items() if ac["status"] != "unchanged"]

    def citations(self) -> list[dict]:
        """Current duties' citations this change may touch, read through the indexes."""
        db = self.db
        base = (f"SELECT {_CIT_COLS} FROM citations c JOIN duties d ON d.id = c.duty_id "
                "WHERE c.law_id = ? AND d.is_current = 1")
        if self.kind == "repealed" or self.new_title:
            return _dicts(db.execute(base, [self.law_id]))
        rows = _dicts(db.execute(base + " AND c.article IS NULL", [self.law_id]))
        labels = self.affected_labels()
        if labels:
            rows += _dicts(db.execute(
                base + " AND c.article IN (SELECT value FROM json_each(?))",
                [self.law_id, json.dumps(labels, ensure_ascii=False)],
            ))
        if self.older:
            seen = {r["id"] for r in rows}
            rows += [r for r in _dicts(db.execute(
                base + " AND c.article IS NOT NULL AND c.version_id IN (SELECT value FROM json_each(?))",
                [self.law_id, json.dumps(sorted(self.older))],
            )) if r["id"] not in seen]
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
        labels = [article]
        if version is not None and version in self.older:
            labels = self._chain.trace(version, self.old_version_id, article)
        best = None
        for label in labels:
            ac = self.by_label.get(label)
            if ac is None or ac["status"] == "unchanged":
                continue
            best = worse(best, self._article_finding(cit, label, ac))
        if best is None and self.new_title and labels:
            best = self._finding(cit, ("renamed",), None, "renamed", "renamed", {"new_title": self.new_title})
        return best

    def _written_before(self, cit: dict) -> bool:
        """A duty stored before yiju knew of the new text, whose citation names no version, was
        written against the old text, whatever a later re-resolution says."""
        created = cit.get("created_at") or ""
        return bool(created and created <= self.detected_at and not cit.get("version_note"))

    def _article_finding(self, cit: dict, label: str, ac: dict) -> Finding:
        key = ("article", ac["id"], label)
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
        words = {"old": label, "new": new, "news": "、".join(news), "olds": "、".join(ac["old_labels"]),
                 "moved": RULES["reason"]["moved"].format(new=new) if new and new != label else ""}
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
            title = self.db.execute("SELECT title FROM laws WHERE id = ?", [self.successor_id]).fetchone()
            if title:
                template = "repealed_successor"
                words["successor"] = title[0]
                suggestion["successor"] = {"law_id": self.successor_id, "title": title[0]}
                if article:
                    suggestion["candidates"] = self._successor_candidates(cit, article)
        return self._finding(cit, key, None, "repealed", template, suggestion, words)

    def _successor_candidates(self, cit: dict, label: str) -> list[dict]:
        version = cit.get("version_id") or self.old_version_id or _latest_version(self.db, self.law_id)
        key = (version, label)
        if key not in self._candidates:
            text = _article_text(self.db, version, label) if version else None
            if not text:
                self._candidates[key] = []
            else:
                if self._successor is None:
                    successor_version = _latest_version(self.db, self.successor_id)
                    self._successor = index_for_version(self.db, successor_version) if successor_version else None
                self._candidates[key] = self._successor.candidates(text) if self._successor else []
        return self._candidates[key]

    def _finding(self, cit, key, *verdict) -> Finding:
        """The finding for ``cit`` from the verdict cached under ``key`` (made from ``verdict`` first)."""
        v = self._verdicts.get(key)
        if v is None:
            v = self._verdicts[key] = self._verdict(*verdict)
        return Finding(cit["duty_id"], cit["id"], self.id, v.article_change_id, v.severity, v.reason,
                       v.suggestion, self.due, v.suggestion_json)

    def _verdict(self, article_change_id, severity_rule, template, suggestion, words=None) -> _Verdict:
        reasons = RULES["reason"]
        if self.kind == "repealed":
            when = reasons["when_repealed_pending" if self.pending else "when_repealed"] if self.effective else ""
        else:
            when = reasons["when_pending" if self.pending else "when_effective"] if self.effective else ""
        date, revision = _version_date(self.db, self.new_version_id)
        event = RULES["event"].get(self.kind, "{date}修改").format(date=self.row.get("published") or date or "")
        if revision in ("修正", "修订") and self.kind == "amended":
            event = event.replace("修改", revision)
        text = reasons[template].format(
            law=self.law_title, when=when.format(effective=self.effective), event=event,
            new_title=self.new_title or "", **(words or {}))
        return _Verdict(article_change_id, RULES["severity"][severity_rule], text, suggestion,
                        json.dumps(suggestion, ensure_ascii=False))


class _VersionChain:
    """The versions of one law linked by its changes (old → new), to order and trace citations."""

    def __init__(self, db, law_id: int):
        self.db = db
        self.forward: dict[int, list[tuple[int, int]]] = defaultdict(list)  # old → [(new, change)]
        self.back: dict[int, list[int]] = defaultdict(list)
        for change_id, old, new in db.execute(
            "SELECT id, old_version_id, new_version_id FROM changes WHERE law_id = ? AND kind IN "
            "('amended','text_corrected','renamed') AND old_version_id IS NOT NULL "
            "AND new_version_id IS NOT NULL ORDER BY id", [law_id],
        ).fetchall():
            self.forward[old].append((new, change_id))
            self.back[new].append(old)
        self.dates = dict(db.execute(
            "SELECT id, promulgated FROM versions WHERE law_id = ?", [law_id]).fetchall())
        self._maps: dict[int, dict[str, list[str]]] = {}

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

    def trace(self, start: int, target: int, label: str) -> list[str]:
        """Where article ``label`` of version ``start`` sits in version ``target`` ([] = deleted)."""
        path = self._path(start, target)
        if path is None:
            return [label]
        labels = [label]
        for change_id in path:
            mapping = self._map(change_id)
            nxt: list[str] = []
            for lab in labels:
                for moved in mapping.get(lab, [lab]):
                    if moved not in nxt:
                        nxt.append(moved)
            labels = nxt
        return labels

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

    def _map(self, change_id: int) -> dict[str, list[str]]:
        if change_id not in self._maps:
            mapping: dict[str, list[str]] = {}
            for ac in _article_changes(self.db, change_id):
                for lab in ac["old_labels"]:
                    mapping.setdefault(lab, ac["new_labels"] if ac["status"] != "deleted" else [])
            self._maps[change_id] = mapping
        return self._maps[change_id]


# -- running it ------------------------------------------------------------------------------

_INSERT = (
    "INSERT OR IGNORE INTO flags (duty_id, citation_id, change_id, article_change_id, severity, reason, "
    "suggestion, due, state, created_at, created_run_id, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)"
)


def store(db: sqlite_utils.Database, findings, run_id: int | None = None) -> list[Finding]:
    """Write findings as open flags (an existing flag for the same key is left alone).

    Returns the findings that made a new flag. Call inside a transaction.
    """
    stamp = now()
    by_change: dict[int, list[Finding]] = defaultdict(list)
    for f in findings:
        by_change[f.change_id].append(f)
    created: list[Finding] = []
    for change_id, group in by_change.items():
        duties = json.dumps(sorted({f.duty_id for f in group}))
        seen = {r[0] for r in db.execute(  # through the unique index (duty_id, citation_id, change_id)
            "SELECT citation_id FROM flags WHERE duty_id IN (SELECT value FROM json_each(?)) AND change_id = ?",
            [duties, change_id])}
        fresh = []
        for f in group:
            if f.citation_id not in seen:
                seen.add(f.citation_id)
                fresh.append(f)
        db.conn.executemany(_INSERT, [f.row(stamp, run_id) for f in fresh])
        created += fresh
    return created


def assess_duties(db: sqlite_utils.Database, duty_ids, *, views: dict | None = None) -> list[Finding]:
    """What the changes already processed do to these duties (new or revised ones; nothing is written)."""
    ids = sorted(set(duty_ids))
    if not ids:
        return []
    views = {} if views is None else views
    cits = _dicts(db.execute(
        f"SELECT {_CIT_COLS} FROM citations c JOIN duties d ON d.id = c.duty_id "
        "WHERE d.id IN (SELECT value FROM json_each(?)) AND d.is_current = 1 AND c.law_id IS NOT NULL",
        [json.dumps(ids)],
    ))
    return _assess_against_processed(db, cits, views)


def _assess_against_processed(db, cits: list[dict], views: dict) -> list[Finding]:
    by_law: dict[int, list[dict]] = defaultdict(list)
    for c in cits:
        by_law[c["law_id"]].append(c)
    out: list[Finding] = []
    for law_id, group in by_law.items():
        for change in _dicts(db.execute(
            "SELECT * FROM changes WHERE law_id = ? AND impact_done_at IS NOT NULL ORDER BY id", [law_id])):
            view = views.get(change["id"])
            if view is None:
                view = views[change["id"]] = ChangeView(db, change)
            if not view.flags_anything:
                continue
            out += [f for f in (view.assess(c, catch_up=True) for c in group) if f is not None]
    return out


# -- small readers ------------------------------------------------------------------------------

def _dicts(cursor) -> list[dict]:
    cols = [d[0] for d in cursor.description]
    return [dict(zip(cols, r)) for r in cursor.fetchall()]


def _change(db, change_id: int) -> dict:
    rows = _dicts(db.execute("SELECT * FROM changes WHERE id = ?", [change_id]))
    if not rows:
        raise KeyError(f"no change with id {change_id}")
    return rows[0]


def _article_changes(db, change_id: int) -> list[dict]:
    rows = _dicts(db.execute(
        "SELECT id, status, old_labels, new_labels, substance, diff FROM article_changes "
        "WHERE change_id = ? ORDER BY ordinal", [change_id]))
    for r in rows:
        r["old_labels"] = json.loads(r["old_labels"] or "[]")
        r["new_labels"] = json.loads(r["new_labels"] or "[]")
        r["diff"] = json.loads(r["diff"]) if r["diff"] else None
    return rows


def _article_text(db, version_id: int, label: str) -> str | None:
    row = db.execute("SELECT text FROM articles WHERE version_id = ? AND label = ?", [version_id, label]).fetchone()
    return row[0] if row else None


def _latest_version(db, law_id: int) -> int | None:
    row = db.execute(
        "SELECT id FROM versions WHERE law_id = ? AND review_state = 'accepted' "
        "ORDER BY coalesce(promulgated, '') DESC, id DESC LIMIT 1", [law_id]).fetchone()
    return row[0] if row else None


def _version_date(db, version_id: int | None) -> tuple[str | None, str | None]:
    """(公布日期, 制定/修正/修订) of a version."""
    if version_id is None:
        return None, None
    row = db.execute("SELECT promulgated, revision FROM versions WHERE id = ?", [version_id]).fetchone()
    return (row[0], row[1]) if row else (None, None)


@functools.lru_cache(maxsize=4096)
def _canonical(label: str) -> str:
    """第32条 → 第三十二条 (labels in the registry use Chinese numerals)."""
    if any(ch.isdigit() for ch in label):
        try:
            return normalize_label(label)
        except ValueError:
            return label
    return label
