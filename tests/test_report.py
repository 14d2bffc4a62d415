"""Per-department accountability figures (``impact.report``, ``yiju report``)."""

from __future__ import annotations

import pytest

from impact.report import department_report
from tests.builders import Builder, cite


@pytest.fixture
def figures(db):
    b = Builder(db)
    law = b.law("某法")
    repealed = b.law("某旧条例", status="已废止")
    v = b.version(law, "2020-01-01", {"第一条": "甲。", "第二条": "乙。"})
    change = b.change(law, "amended", v, v)
    a = b.department("甲局")
    ok = b.duty(a, "全部现行", [cite(law, v, "第一条"), cite(law, v, "第二条")])
    flagged = b.duty(a, "待处理", [cite(law, v, "第二条")])
    b.duty(a, "未解析", [cite(None, None, "第三条", resolution="unresolved")])
    b.duty(a, "旧版本", [cite(law, v, "第二条", resolution="unresolved")], is_current=0, key="old")
    closed = [b.duty(a, f"已处理{i}", [cite(law, v, "第一条")]) for i in range(3)]
    b_dep = b.department("乙局")
    b.duty(b_dep, "引用已废止", [cite(repealed, None, "第一条")])
    b.duty(b_dep, "过时", [cite(law, v, "第二条", resolution="stale")])
    b.department("丙局")

    cit = lambda duty: db.execute("SELECT id FROM citations WHERE duty_id = ?", [duty]).fetchone()[0]  # noqa: E731

    def flag(duty, severity, state, due, created="2024-01-01T00:00:00+00:00", closed_at=None):
        db["flags"].insert({"duty_id": duty, "citation_id": cit(duty), "change_id": change, "severity": severity,
                            "reason": "r", "due": due, "state": state, "created_at": created,
                            "updated_at": created, "closed_at": closed_at})

    flag(flagged, "critical", "open", "2024-02-01")          # overdue on 2024-03-01
    flag(ok, "low", "dismissed", "2024-02-01", closed_at="2024-01-02T00:00:00+00:00")
    for duty, days in zip(closed, (2, 4, 10)):
        flag(duty, "high", "resolved", "2024-02-01", closed_at=f"2024-01-{1 + days:02d}T00:00:00+00:00")
    return department_report(db, on="2024-03-01")


def by_name(report):
    return {r["department"]: r for r in report["departments"]}


def test_counts_duties_citations_and_waiting_flags_per_department(figures):
    a = by_name(figures)["甲局"]
    assert (a["duties"], a["citations"], a["unresolved_citations"]) == (6, 7, 1)
    assert a["open_flags"] == {"critical": 1, "high": 0, "low": 0, "total": 1}
    assert a["overdue_flags"] == 1
    assert (a["resolved_flags"], a["dismissed_flags"]) == (3, 1)


def test_median_days_from_flag_to_resolution(figures):
    assert by_name(figures)["甲局"]["median_days_to_resolution"] == 4.0
    assert by_name(figures)["乙局"]["median_days_to_resolution"] is None


def test_share_of_duties_whose_bases_are_all_current(figures):
    a, b, c = (by_name(figures)[n] for n in ("甲局", "乙局", "丙局"))
    # 甲局: 全部现行 and the three 已处理 duties; not 待处理 (open flag) nor 未解析
    assert (a["duties_all_current"], a["share_all_current"]) == (4, round(4 / 6, 3))
    # 乙局: one cites a repealed law, one a stale article
    assert (b["duties_all_current"], b["share_all_current"], b["stale_citations"]) == (0, 0.0, 1)
    assert c["duties"] == 0 and c["share_all_current"] is None


def test_the_total_adds_up_the_departments(figures):
    total = figures["total"]
    assert total["department"] == "合计"
    assert (total["duties"], total["duties_all_current"]) == (8, 4)
    assert total["share_all_current"] == 0.5
    assert total["open_flags"]["total"] == 1
    assert figures["as_of"] == "2024-03-01"
