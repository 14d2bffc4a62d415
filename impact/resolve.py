"""Citations → laws, versions and articles in the registry.

For each citation: find the law (full title, short title, former names, 中华人民共和国 or
not, a near-identical title for a typo), pick the version it was written against (its version
note, else the duty's date, else the version in force today), check that the article (and 款,
项) exists there, and map it to where it sits in the version in force today through the stored
article alignment. ``resolution`` is ``resolved`` (cites what is there), ``stale`` (written
against an old numbering, or the law is repealed) or ``unresolved`` (no such law or provision).

>>> from registry.schema import connect
>>> from diffing.cite.find import parse_basis
>>> [r.resolution for r in resolve_all(connect(":memory:"), parse_basis("《行政处罚法》第三十二条"))]
['unresolved']
"""

from __future__ import annotations

import json
import re
import weakref
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from diffing.cite.find import BasisParse, Citation
from diffing.cite.titles import BUILTIN, TitleIndex, renamed, title_key
from texts.numerals import to_int
from registry import changes as change_store
from registry import laws as law_store
from config.clock import today
from diffing.align import compare
from diffing.provisions import provision_map
from impact.record import article_rows
from impact.where import Step, same_place, step
from texts.provisions import item_label, paragraph_label, provision
from texts.structure import parse

_NOTE_DATE = re.compile(r"(\d{4}|[〇零一二三四五六七八九]{4})\s*年(?:\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月"
                        r"(?:\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日)?)?")
_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


@dataclass
class Resolution:
    """Where one citation points in the registry, and whether that is still right."""

    citation: Citation
    law_id: int | None
    title: str | None
    status: str | None
    version_id: int | None
    resolution: str                 # resolved / stale / unresolved
    current_label: str | None
    problem: str | None             # every problem of this citation, joined by "；"
    problems: tuple[str, ...] = ()

    @property
    def law_title(self) -> str | None:
        return self.title

    def to_json(self) -> dict[str, Any] | None:
        """The ``resolved`` object of DESIGN §6 (None when the registry has no such law)."""
        if self.law_id is None:
            return None
        return {"law_id": self.law_id, "title": self.title, "status": self.status,
                "version_id": self.version_id, "resolution": self.resolution,
                "current_label": self.current_label}


def note_date(note: str | None) -> tuple[str, str] | None:
    """('2017', '') for 2017年修正, ('2015', '2015-04-24') for 2015年4月24日修订; None without a year.

    >>> note_date("2015年4月24日修订")
    ('2015', '2015-04-24')
    >>> note_date("二〇一七年修正")
    ('2017', '')
    """
    if not note:
        return None
    m = _NOTE_DATE.search(note)
    if not m:
        return None
    year = m.group(1).translate(_CN_DIGITS)
    if not m.group(2) or not m.group(3):
        return year, ""
    try:
        month, day = to_int(m.group(2)), to_int(m.group(3))
    except ValueError:
        return year, ""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return year, ""
    return year, f"{year}-{month:02d}-{day:02d}"


class Resolver:
    """An alias index of the registry's laws plus caches, valid while the registry is unchanged."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.index = TitleIndex()
        self.laws: dict[int, dict] = {}
        for law in law_store.all_laws(db):
            names = [a for a in law["aliases"] if isinstance(a, str)]
            if law["short_title"]:
                names.append(law["short_title"])
            self.index.add(law["title"], law["id"], *names)
            self.laws[law["id"]] = {"id": law["id"], "title": law["title"], "status": law["status"],
                                    "successor_id": law["successor_id"], "repealed_on": law.get("repealed_on")}
        # names the built-in list knows for laws the registry has (short titles, former names)
        for key, (full, _target, how) in list(BUILTIN.names.items()):
            if how == "exact" or key in self.index.names:
                continue
            hit = self.index.names.get(title_key(full))
            if hit is not None:
                self.index.names[key] = (hit[0], hit[1], how)
        self._versions: dict[int, list[dict]] = {}
        self._articles: dict[tuple[int, int, int], dict | None] = {}
        self._maps: dict[tuple[int, int], dict[str, dict]] = {}

    # ------------------------------------------------------------------ laws and versions
    def find_law(self, citation: Citation) -> tuple[dict | None, str | None]:
        """The registry law a citation names, and a problem to report (typo, unknown law)."""
        written = citation.written or citation.law or ""
        for name in (citation.law, written):
            if name:
                match = self.index.find(name, fuzzy=False)
                if match is not None:
                    return self.laws[match.target], None
        match = self.index.find(citation.law or written)
        if match is not None:
            return self.laws[match.target], f"{written}疑为《{match.title}》的笔误，已按后者核对"
        gone = renamed().get(title_key(citation.law or written))
        if gone is not None and gone.kind == "replaced":
            return None, (f"登记库中没有{written}，该法已于{gone.date}由《{gone.new_title}》取代，"
                          "请核对依据是否需要更新")
        return None, f"登记库中没有{written}，无法核对该引用"

    def versions(self, law_id: int) -> list[dict]:
        if law_id not in self._versions:
            # without their texts: a resolver may see every law of a national registry
            self._versions[law_id] = law_store.versions_with_text(self.db, law_id)
        return self._versions[law_id]

    def current_version(self, law_id: int) -> dict | None:
        rows = self.versions(law_id)
        if not rows:
            return None
        on = today()
        chosen = None
        for row in rows:
            if (row["effective"] or row["promulgated"] or "") <= on:
                chosen = row
        return chosen or rows[0]

    def written_version(self, law_id: int, note: str | None, as_of: str | None) -> tuple[dict | None, str | None]:
        """The version a citation was written against, and a problem when the note does not fit."""
        rows = self.versions(law_id)
        if not rows:
            return None, None
        when = note_date(note)
        if when is not None:
            year, day = when
            if day:
                same = [r for r in rows if r["promulgated"] == day or r["effective"] == day]
                if same:
                    return same[-1], None
            in_year = [r for r in rows if (r["promulgated"] or "").startswith(year)]
            if in_year:
                return in_year[-1], None
            before = [r for r in rows if (r["promulgated"] or "") <= f"{year}-12-31"]
            chosen = before[-1] if before else rows[0]
            return chosen, (f"版本说明「{note}」与登记库中的版本不符（登记库有"
                            f"{'、'.join(r['promulgated'] or '?' for r in rows)}公布的版本），"
                            f"按{chosen['promulgated'] or '最早'}版本核对")
        if as_of:
            chosen = None
            for row in rows:
                if (row["effective"] or row["promulgated"] or "") <= as_of:
                    chosen = row
            return chosen or rows[0], None
        return self.current_version(law_id), None

    def article(self, version_id: int, number: int, suffix: int) -> dict | None:
        key = (version_id, number, suffix)
        if key not in self._articles:
            if len(self._articles) >= _ARTICLES_KEPT:
                self._articles.clear()   # bounded: a national registry's articles do not fit in memory
            self._articles[key] = law_store.article_numbered(self.db, version_id, number, suffix)
        return self._articles[key]

    def lack(self, version: dict, citation: Citation) -> str | None:
        """What of the cited provision the version lacks (None: it is all there)."""
        found = self.article(version["id"], citation.article_number, citation.article_suffix)
        if found is None:
            return f"中没有{citation.article}"
        missing = _missing_part(found, citation)
        return f"{citation.article}{missing}" if missing else None

    # ------------------------------------------------------------------ renumbering
    def changes_between(self, old: dict, new: dict) -> dict[str, dict]:
        """old label → its article change between two versions (with its 款/项 rows); labels not
        in it are unchanged. The stored alignment when a change links them, else computed."""
        key = (old["id"], new["id"])
        if key in self._maps:
            return self._maps[key]
        by_label: dict[str, dict] = {}
        change = change_store.between(self.db, old["id"], new["id"])
        if change is not None:
            rows = change_store.article_changes(self.db, change["id"])
        else:
            old_law = parse(law_store.get_version(self.db, old["id"])["text"])   # versions are kept without texts
            new_law = parse(law_store.get_version(self.db, new["id"])["text"])
            comparison = compare(old_law, new_law)
            changed = [m for m in comparison.matches if m.status != "unchanged"]
            rows = article_rows(changed, provision_map(old_law, new_law, comparison) if changed else None)
        for ac in rows:
            for label in ac["old_labels"]:
                by_label.setdefault(label, ac)
        self._maps[key] = by_label
        return by_label

    def follow(self, law_id: int, start: dict, end: dict, label: str, paragraph: int | None = None,
               item: int | None = None) -> Step:
        """Where ``label`` (its 款 and 项) of version ``start`` is in version ``end``, through the
        changes between them (``impact.where.step``, the one 款/项 mapping)."""
        rows = self.versions(law_id)
        ids = [r["id"] for r in rows]
        i, j = ids.index(start["id"]), ids.index(end["id"])
        here = Step([label], (label, paragraph, item) if paragraph or item else None)
        if j <= i:
            return here
        for a, b in zip(rows[i:j], rows[i + 1:j + 1]):
            by_label = self.changes_between(a, b)
            if here.place is not None:
                here = step(by_label, *here.place)
                continue
            labels: list[str] = []
            for lab in here.labels:
                for n in step(by_label, lab).labels:
                    if n not in labels:
                        labels.append(n)
            here = Step(labels, None, not labels)
            if not labels:
                break
        return here

    # ------------------------------------------------------------------ one citation
    def resolve(self, citation: Citation, as_of: str | None = None) -> Resolution:
        law, problem = self.find_law(citation)
        if law is None:
            return Resolution(citation, None, None, None, None, "unresolved", None, problem,
                              (problem,) if problem else ())
        problems = [problem] if problem else []

        def done(state: str, version: dict | None, current: str | None) -> Resolution:
            return Resolution(citation, law["id"], law["title"], law["status"],
                              version["id"] if version else None, state, current,
                              "；".join(problems) or None, tuple(problems))

        version, note_problem = self.written_version(law["id"], citation.version_note, as_of)
        if note_problem:
            problems.append(note_problem)
        if version is None:
            problems.append(f"登记库中没有《{law['title']}》的文本，无法核对条文")
            return done("unresolved", None, None)
        when = version["promulgated"] or "未注明日期"
        lack = self.lack(version, citation)
        if lack and not citation.version_note:
            # no version note: the duty's date is only a hint; the text where the provision exists
            # (today's first, then older ones, newest first) is what it was written against
            current = self.current_version(law["id"])
            others = [v for v in reversed(self.versions(law["id"])) if v["id"] != version["id"]
                      and (v["promulgated"] or "") <= (current["promulgated"] or "")]
            others.sort(key=lambda v: v["id"] != current["id"])
            for other in others:
                if not self.lack(other, citation):
                    if other["id"] != current["id"]:
                        problems.append(f"{citation.article}的内容与现行版本不符，"
                                        f"按{other['promulgated']}公布的版本核对")
                    version, lack = other, None
                    when = version["promulgated"] or "未注明日期"
                    break
        pending = False
        if lack and not citation.version_note:
            # a basis already rewritten for a revision that is not yet in force
            current = self.current_version(law["id"])
            for newer in self.versions(law["id"]):
                if (newer["promulgated"] or "") > (current["promulgated"] or "") and not self.lack(newer, citation):
                    problems.append(f"按尚未施行的{newer['promulgated']}公布的版本核对"
                                    f"（{newer['effective'] or '施行日期不详'}起施行）")
                    version, lack, pending = newer, None, True
                    break
        if lack:
            problems.append(f"《{law['title']}》（{when}公布的版本）{lack}")
            return done("unresolved", version, None)
        state = "resolved"
        current = citation.article
        today_version = self.current_version(law["id"])
        if today_version is not None and today_version["id"] != version["id"] and not pending:
            went = self.follow(law["id"], version, today_version, citation.article, citation.paragraph,
                               citation.item)
            cited = provision(citation.article, citation.paragraph, citation.item)
            if not went.labels:
                state, current = "stale", None
                problems.append(f"{citation.article}在《{law['title']}》现行版本"
                                f"（{today_version['promulgated']}公布）中已删除")
            elif went.deleted:
                state, current = "stale", None
                problems.append(f"{cited}的文字在《{law['title']}》现行版本"
                                f"（{today_version['promulgated']}公布）中已删去")
            elif went.labels != [citation.article] or (
                    went.place is not None
                    and not same_place(went.place, citation.article, citation.paragraph, citation.item)):
                state, current = "stale", went.label
                problems.append(f"{cited}是按{when}公布的版本引用的，"
                                f"在现行版本（{today_version['promulgated']}公布）中是{current}")
        if law["status"] == "已废止":
            state, current = "stale", None  # where it went is the flag's (successor candidates)
            successor = self.laws.get(law["successor_id"]) if law["successor_id"] else None
            problems.append(f"《{law['title']}》已废止" + (f"，由《{successor['title']}》取代" if successor else ""))
        elif law.get("repealed_on") and law["repealed_on"] > today():
            # 即将废止: still the law today (the citation stands), but not for long
            successor = self.laws.get(law["successor_id"]) if law["successor_id"] else None
            problems.append(f"《{law['title']}》将于{law['repealed_on']}废止（即将废止）"
                            + (f"，由《{successor['title']}》取代" if successor else ""))
        return done(state, version, current)


def _missing_part(article: dict, citation: Citation) -> str | None:
    """What of the cited 款/项 the article lacks (None when it has them)."""
    paragraphs = article["paragraphs"]
    if isinstance(paragraphs, str):
        paragraphs = json.loads(paragraphs)
    if citation.paragraph is not None:
        if citation.paragraph > len(paragraphs):
            return f"只有{len(paragraphs)}款，没有{paragraph_label(citation.paragraph)}"
        if citation.item is not None:
            items = paragraphs[citation.paragraph - 1].get("items") or []
            if citation.item > len(items):
                return f"{paragraph_label(citation.paragraph)}没有{item_label(citation.item)}"
    elif citation.item is not None:
        if not any(len(p.get("items") or []) >= citation.item for p in paragraphs):
            return f"没有{item_label(citation.item)}"
    return None


#: Articles a Resolver keeps (each looked up by its index: one version's, not all of them).
_ARTICLES_KEPT = 50_000

_RESOLVERS: "weakref.WeakKeyDictionary[Any, tuple[tuple, Resolver]]" = weakref.WeakKeyDictionary()


def resolver_for(db: sqlite_utils.Database) -> Resolver:
    """A Resolver for ``db``, reused while the registry's laws, versions and changes are unchanged."""
    mark = law_store.fingerprint(db)
    try:
        cached = _RESOLVERS.get(db)
    except TypeError:
        cached = None
    if cached is not None and cached[0] == mark:
        return cached[1]
    resolver = Resolver(db)
    try:
        _RESOLVERS[db] = (mark, resolver)
    except TypeError:
        pass
    return resolver


def resolve_all(db: sqlite_utils.Database, parsed: BasisParse, as_of: str | None = None) -> list[Resolution]:
    """One Resolution per citation of ``parsed`` (same order). ``as_of``: the duty's date."""
    resolver = resolver_for(db)
    return [resolver.resolve(c, as_of) for c in parsed.citations]


def to_json(db: sqlite_utils.Database | None, parsed: BasisParse, as_of: str | None = None) -> dict[str, Any]:
    """DESIGN §6 with ``resolved`` filled in (``db`` None: no registry, every ``resolved`` null)."""
    if db is None:
        problems = ["登记库尚未建立（请先运行 yiju init 并导入法律），未核对引用"] if parsed.citations else []
        return parsed.to_json(problems=problems)
    resolutions = resolve_all(db, parsed, as_of)
    problems = []
    for r in resolutions:
        for p in r.problems:
            if p not in problems:
                problems.append(p)
    doc = parsed.to_json([r.to_json() for r in resolutions], problems)
    for cited, r in zip(doc["citations"], resolutions):
        if r.title:  # the registry knows the law: its full title
            cited["law"] = r.title
    return doc
