"""Accountability figures per department (评议考核): how current each department keeps its bases.

For every department: current duties, their citations (and how many are unresolved or stale),
open flags by severity (open or acknowledged), overdue flags (past their due date), the median
number of days from a flag to its resolution, and the share of duties whose bases are all
current — every citation resolved, no cited law repealed, no flag waiting. A duty with no
citation yiju could read counts as not current: nothing in it can be checked.

>>> from registry.schema import connect
>>> department_report(connect(":memory:"))["departments"]
[]
"""

from __future__ import annotations

import statistics

import sqlite_utils

from config.clock import today

SEVERITIES = ("critical", "high", "low")


def department_report(db: sqlite_utils.Database, *, on: str | None = None) -> dict:
    """{"as_of", "departments": [per department], "total": {same figures, all departments}}."""
    on = on or today()
    departments = {r[0]: _blank(r[0], r[1]) for r in db.execute("SELECT id, name FROM departments ORDER BY name")}

    for dep, duties in db.execute(
            "SELECT department_id, count(*) FROM duties WHERE is_current = 1 GROUP BY department_id"):
        departments[dep]["duties"] = duties
    for dep, resolution, n in db.execute(
            "SELECT d.department_id, c.resolution, count(*) FROM citations c JOIN duties d ON d.id = c.duty_id "
            "WHERE d.is_current = 1 GROUP BY d.department_id, c.resolution"):
        row = departments[dep]
        row["citations"] += n
        if resolution in ("unresolved", "stale"):
            row[f"{resolution}_citations"] += n
    for dep, severity, n, overdue in db.execute(
            "SELECT d.department_id, f.severity, count(*), sum(f.due IS NOT NULL AND f.due < ?) "
            "FROM flags f JOIN duties d ON d.id = f.duty_id "
            "WHERE f.state IN ('open', 'acknowledged') AND d.is_current = 1 "
            "GROUP BY d.department_id, f.severity", [on]):
        row = departments[dep]
        row["open_flags"][severity] = row["open_flags"].get(severity, 0) + n
        row["open_flags"]["total"] += n
        row["overdue_flags"] += overdue or 0
    days: dict[int, list[float]] = {}
    for dep, state, n in db.execute(
            "SELECT d.department_id, f.state, count(*) FROM flags f JOIN duties d ON d.id = f.duty_id "
            "WHERE f.state IN ('resolved', 'dismissed') GROUP BY d.department_id, f.state"):
        departments[dep][f"{state}_flags"] += n
    for dep, took in db.execute(
            "SELECT d.department_id, julianday(f.closed_at) - julianday(f.created_at) "
            "FROM flags f JOIN duties d ON d.id = f.duty_id "
            "WHERE f.state = 'resolved' AND f.closed_at IS NOT NULL"):
        days.setdefault(dep, []).append(max(took or 0.0, 0.0))
    # duties whose bases are all current: at least one citation, all resolved, no repealed law,
    # no open or acknowledged flag
    for dep, n in db.execute(
            """SELECT d.department_id, count(*) FROM duties d
               WHERE d.is_current = 1
                 AND EXISTS (SELECT 1 FROM citations c WHERE c.duty_id = d.id)
                 AND NOT EXISTS (SELECT 1 FROM citations c LEFT JOIN laws l ON l.id = c.law_id
                                 WHERE c.duty_id = d.id
                                   AND (c.resolution != 'resolved' OR l.status = '已废止'))
                 AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.duty_id = d.id
                                 AND f.state IN ('open', 'acknowledged'))
               GROUP BY d.department_id"""):
        departments[dep]["duties_all_current"] = n

    all_days = []
    for dep, row in departments.items():
        row["median_days_to_resolution"] = _median(days.get(dep, []))
        all_days += days.get(dep, [])
        row["share_all_current"] = _share(row["duties_all_current"], row["duties"])
    total = _blank(None, "合计")
    for row in departments.values():
        for key in ("duties", "citations", "unresolved_citations", "stale_citations", "overdue_flags",
                    "resolved_flags", "dismissed_flags", "duties_all_current"):
            total[key] += row[key]
        for key, n in row["open_flags"].items():
            total["open_flags"][key] = total["open_flags"].get(key, 0) + n
    total["median_days_to_resolution"] = _median(all_days)
    total["share_all_current"] = _share(total["duties_all_current"], total["duties"])
    del total["department_id"]
    return {"as_of": on, "departments": list(departments.values()), "total": total}


def _blank(dep_id, name) -> dict:
    return {"department_id": dep_id, "department": name, "duties": 0, "citations": 0,
            "unresolved_citations": 0, "stale_citations": 0,
            "open_flags": {**{s: 0 for s in SEVERITIES}, "total": 0}, "overdue_flags": 0,
            "resolved_flags": 0, "dismissed_flags": 0, "median_days_to_resolution": None,
            "duties_all_current": 0, "share_all_current": None}


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _share(part: int, whole: int) -> float | None:
    """part / whole rounded to 3 places; None when there is nothing to divide."""
    return round(part / whole, 3) if whole else None
