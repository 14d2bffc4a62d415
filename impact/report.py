"""Accountability figures per department (评议考核): how current each department keeps its bases.

For every department: current duties, their citations (and how many are unresolved or stale),
open flags by severity (open or acknowledged), overdue flags (past their due date), the median
number of days from a flag to its resolution, and the share of duties whose bases are all
current — every citation resolved, no cited law repealed, no flag waiting. A duty with no
citation yiju could read counts as not current: nothing in it can be checked. And completeness:
of the powers that the laws it enforces give it, the share its list covers (``coverage``, with
the uncovered powers per law), and its open proposals (拟新增职权).

>>> from registry.schema import connect
>>> department_report(connect(":memory:"))["departments"]
[]
"""

from __future__ import annotations

import statistics

import sqlite_utils

from config.clock import today
from impact.proposals import coverage
from impact.rules import SEVERITIES
from registry import citations as citation_store
from registry import duties as duty_store
from registry import flags as flag_store
from registry import proposals as proposal_store


def department_report(db: sqlite_utils.Database, *, on: str | None = None) -> dict:
    """{"as_of", "departments": [per department], "total": {same figures, all departments}}."""
    on = on or today()
    departments = {d["id"]: _blank(d["id"], d["name"]) for d in duty_store.all_departments(db)}

    for dep, duties in duty_store.current_by_department(db).items():
        departments[dep]["duties"] = duties
    for dep, resolution, n in citation_store.resolutions_by_department(db):
        row = departments[dep]
        row["citations"] += n
        if resolution in ("unresolved", "stale"):
            row[f"{resolution}_citations"] += n
    for dep, severity, n, overdue in flag_store.active_by_department(db, on):
        row = departments[dep]
        row["open_flags"][severity] = row["open_flags"].get(severity, 0) + n
        row["open_flags"]["total"] += n
        row["overdue_flags"] += overdue
    days: dict[int, list[float]] = {}
    for dep, state, n in flag_store.closed_by_department(db):
        departments[dep][f"{state}_flags"] += n
    for dep, took in flag_store.days_to_resolution(db):
        days.setdefault(dep, []).append(took)
    for dep, n in duty_store.all_current_by_department(db).items():
        departments[dep]["duties_all_current"] = n

    # completeness (评议考核 beyond freshness): of the powers the laws a department enforces give
    # it, the share its list covers; the uncovered ones listed (yiju proposals coverage)
    for c in coverage(db):
        row = next((r for r in departments.values() if r["department"] == c.department), None)
        if row is None:
            continue
        cov = row["coverage"]
        cov["powers"] += c.powers
        cov["covered"] += c.covered
        cov["laws"].append({"law": c.law, "powers": c.powers, "covered": c.covered, "share": c.share,
                            "uncovered": c.uncovered})
    for dep, n in proposal_store.open_by_department(db).items():
        departments[dep]["open_proposals"] = n

    all_days = []
    for dep, row in departments.items():
        row["median_days_to_resolution"] = _median(days.get(dep, []))
        all_days += days.get(dep, [])
        row["share_all_current"] = _share(row["duties_all_current"], row["duties"])
        row["coverage"]["share"] = _share(row["coverage"]["covered"], row["coverage"]["powers"])
    total = _blank(None, "合计")
    for row in departments.values():
        for key in ("duties", "citations", "unresolved_citations", "stale_citations", "overdue_flags",
                    "resolved_flags", "dismissed_flags", "duties_all_current", "open_proposals"):
            total[key] += row[key]
        for key in ("powers", "covered"):
            total["coverage"][key] += row["coverage"][key]
        for key, n in row["open_flags"].items():
            total["open_flags"][key] = total["open_flags"].get(key, 0) + n
    total["median_days_to_resolution"] = _median(all_days)
    total["share_all_current"] = _share(total["duties_all_current"], total["duties"])
    total["coverage"]["share"] = _share(total["coverage"]["covered"], total["coverage"]["powers"])
    del total["coverage"]["laws"]
    del total["department_id"]
    return {"as_of": on, "departments": list(departments.values()), "total": total}


def _blank(dep_id, name) -> dict:
    return {"department_id": dep_id, "department": name, "duties": 0, "citations": 0,
            "unresolved_citations": 0, "stale_citations": 0,
            "open_flags": {**{s: 0 for s in SEVERITIES}, "total": 0}, "overdue_flags": 0,
            "resolved_flags": 0, "dismissed_flags": 0, "median_days_to_resolution": None,
            "duties_all_current": 0, "share_all_current": None, "open_proposals": 0,
            "coverage": {"powers": 0, "covered": 0, "share": None, "laws": []}}


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _share(part: int, whole: int) -> float | None:
    """part / whole rounded to 3 places; None when there is nothing to divide."""
    return round(part / whole, 3) if whole else None
