"""Coverage: which documents the duties cite that the registry does not hold, and who should fetch them.

A duty that cites a document yiju does not track is never flagged, whatever happens to that
document. This report names each such document with the level its title suggests, the number
of duties that depend on it and the configured source that should hold it (None: no source
configured for that level; import it with ``yiju laws import``).

>>> from registry.schema import connect
>>> report = coverage(connect(":memory:"), sources=[])
>>> report["missing"], report["totals"]["部门规章"], report["untexted"]
([], 0, [])
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, TypedDict

import sqlite_utils

from config.settings import SourceSettings
from diffing.cite.titles import canonical_title
from registry.coverage import department_names, unheld_citations, untexted_documents
from texts.levels import COVERAGE_LEVELS, guess_level, levels_of_kind, place_of


class Missing(TypedDict):
    title: str
    level: str
    duties: int
    source: str | None
    departments: list[str]


class CoverageError(ValueError):
    """A coverage request that cannot be answered; the message is Chinese."""


def source_for(title: str, level: str, sources: Iterable[SourceSettings]) -> str | None:
    """The name of the first enabled source that holds documents of ``level`` for ``title``.

    A source with its own ``level`` holds only that level; one with a ``region`` only titles of
    that place (a national title is not looked for in a province's database).
    """
    place = place_of(title)
    for s in sources:
        if not s.enabled:
            continue
        levels = (s.level,) if s.level else levels_of_kind(s.kind)
        if level not in levels:
            continue
        if s.region and (place is None or not place.startswith(s.region)):
            continue
        return s.name
    return None


def coverage(db: sqlite_utils.Database, *, sources: Iterable[SourceSettings], department: str | None = None) -> dict:
    """The coverage report (see module doc): ``{"missing": [Missing…], "totals": {level: count},
    "untexted": [{"source", "title", "promulgated", "why"}]}`` — the last are documents a source lists
    whose text could not be read (scanned PDFs): tracked by title, but their articles are unknown."""
    if department and department.strip() not in department_names(db):
        known = "、".join(department_names(db)[:20]) or "（无）"
        raise CoverageError(f"没有名为“{department}”的部门（已有：{known}）")
    sources = list(sources)
    duties: dict[str, set[int]] = defaultdict(set)
    departments: dict[str, set[str]] = defaultdict(set)
    for c in unheld_citations(db, department):
        title = canonical_title(c.title)
        duties[title].add(c.duty_id)
        departments[title].add(c.department)
    missing: list[Missing] = []
    for title, ids in duties.items():
        level = guess_level(title)
        missing.append(Missing(title=title, level=level, duties=len(ids), source=source_for(title, level, sources),
                               departments=sorted(departments[title])))
    order = {lvl: i for i, lvl in enumerate(COVERAGE_LEVELS)}
    missing.sort(key=lambda m: (-m["duties"], order[m["level"]], m["title"]))
    totals = {lvl: 0 for lvl in COVERAGE_LEVELS}
    for m in missing:
        totals[m["level"]] += 1
    untexted = [{"source": u.source, "title": u.title, "promulgated": u.promulgated, "why": u.why}
                for u in untexted_documents(db)]
    return {"missing": missing, "totals": totals, "untexted": untexted}
