"""Tonight's listing against what the registry saw before: what to fetch, what flipped.

Only an explicit status code is a status change: a row missing from the listing is counted,
never read as a repeal.

>>> known = {"a": Known("a", "3", "fetched", law_id=1), "b": Known("b", "3", "failed")}
>>> plan = compare([Listed("a", "甲法", status_code="1"), Listed("b", "乙法", status_code="3"),
...                 Listed("c", "丙法", "2021-01-01", status_code="3")], known)
>>> [r.source_id for r in plan.fetch], [(f.old, f.new) for f in plan.flips], plan.new_ids
(['c', 'b'], [('3', '1')], {'c'})
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from crawler.items import Flip, Listed
from registry.listings import Known

#: detail_state values of rows that still need their text.
TO_FETCH = ("pending", "failed")


@dataclass
class Plan:
    fetch: list[Listed] = field(default_factory=list)     # newest 公布日期 first
    new_ids: set[str] = field(default_factory=set)
    flips: list[Flip] = field(default_factory=list)
    rows: list[Listed] = field(default_factory=list)      # the listing without duplicates
    unchanged: int = 0
    missing: list[str] = field(default_factory=list)      # known but not listed tonight
    duplicates: int = 0


def newest_first(rows: Iterable[Listed]) -> list[Listed]:
    """Sorted here, by 公布日期 then id: the server's order is never trusted."""
    return sorted(rows, key=lambda r: (r.promulgated or "", r.source_id), reverse=True)


def compare(listed: Iterable[Listed], known: dict[str, Known]) -> Plan:
    plan = Plan()
    seen: set[str] = set()
    for row in listed:
        if row.source_id in seen:
            plan.duplicates += 1
            continue
        seen.add(row.source_id)
        plan.rows.append(row)
        before = known.get(row.source_id)
        if before is None:
            plan.new_ids.add(row.source_id)
            plan.fetch.append(row)
            continue
        if before.detail_state in TO_FETCH:
            plan.fetch.append(row)
            continue
        fetched = before.law_id is not None or before.instrument_id is not None
        if fetched and (before.status_code or None) != (row.status_code or None):
            plan.flips.append(Flip(row, before.status_code, row.status_code, before.law_id))
        else:
            plan.unchanged += 1
    plan.missing = sorted(set(known) - seen)
    for source_id in plan.missing:
        # Found outside the listing (a version history) and not fetched yet: try again.
        before = known[source_id]
        if before.detail_state in TO_FETCH:
            plan.fetch.append(Listed(source_id, before.title, status_code=before.status_code, kind=before.kind))
    plan.fetch = newest_first(plan.fetch)
    return plan
