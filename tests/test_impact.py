"""Impact on rows written directly: severities, suggestions, due dates, versions, idempotence."""

from __future__ import annotations

import datetime as dt

import pytest

from impact.assess import REVIEW_DAYS
from impact.process import run_impact
from tests.builders import Builder, cite

OLD = {"第一条": "为了规范某事，制定本法。", "第二条": "甲。", "第三条": "乙。", "第四条": "丙丙。",
       "第五条": "丁。", "第六条": "戊。", "第七条": "己。", "第八条": "庚。", "第九条": "辛。"}


@pytest.fixture
def b(db):
    return Builder(db)


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2024-03-01")
    return "2024-03-01"


def amended(b, *, effective="2024-01-01", detail=None):
    law = b.law("中华人民共和国某法")
    v1 = b.version(law, "2020-01-01", OLD)
    v2 = b.version(law, "2023-12-01", {"第一条": OLD["第一条"], "第二条": "甲（改）。"}, effective=effective)
    change = b.change(law, "amended", v1, v2, effective=effective, published="2023-12-01", detail=detail, articles=[
        ("modified", ["第二条"], ["第二条"], "substantive", [[0, "甲"], [1, "（改）"], [0, "。"]]),
        ("renumbered", ["第三条"], ["第四条"]),
        ("deleted", ["第四条"], []),
        ("split", ["第五条"], ["第六条", "第七条"]),
        ("merged", ["第六条", "第七条"], ["第八条"]),
        ("modified", ["第八条"], ["第九条"], "references_only", [[0, "庚"]]),
        ("modified", ["第九条"], ["第十条"], "editorial", [[0, "辛"]]),
        ("inserted", [], ["第三条"]),
    ])
    return law, v1, v2, change


def test_each_article_status_gets_the_severity_and_suggestion_of_the_design(b, db, today):
    law, v1, v2, change = amended(b)
    dep = b.department("某市市场监督管理局")
    duties = {label: b.duty(dep, f"职责{label}", [cite(law, v1, label)])
              for label in ("第一条", "第二条", "第三条", "第四条", "第五条", "第七条", "第八条", "第九条")}

    result = run_impact(db)

    assert result["changes"] == 1
    assert b.flags(duty_id=duties["第一条"]) == []  # unchanged: no flag
    substantive = b.flag_of(duties["第二条"])
    assert substantive["severity"] == "high"
    assert substantive["suggestion"]["new_label"] == "第二条"
    assert substantive["suggestion"]["diff"] == [[0, "甲"], [1, "（改）"], [0, "。"]]
    renumbered = b.flag_of(duties["第三条"])
    assert (renumbered["severity"], renumbered["suggestion"]) == ("low", {"new_label": "第四条", "one_click": True})
    deleted = b.flag_of(duties["第四条"])
    assert deleted["severity"] == "critical" and "已被删除" in deleted["reason"]
    split = b.flag_of(duties["第五条"])
    assert (split["severity"], split["suggestion"]["new_labels"]) == ("high", ["第六条", "第七条"])
    merged = b.flag_of(duties["第七条"])  # the second of the merged articles is found through old_labels
    assert merged["severity"] == "high"
    assert merged["suggestion"] == {"new_labels": ["第八条"], "merged_with": ["第六条"]}
    references = b.flag_of(duties["第八条"])
    assert (references["severity"], references["suggestion"]) == ("low", {"new_label": "第九条"})
    editorial = b.flag_of(duties["第九条"])
    assert (editorial["severity"], editorial["suggestion"]) == ("low", {"new_label": "第十条"})
    assert result["by_severity"] == {"critical": 1, "high": 3, "low": 3}
    assert "中华人民共和国某法" in renumbered["reason"] and "第四条" in renumbered["reason"]


def test_a_citation_of_a_paragraph_or_item_is_touched_by_a_change_to_its_article(b, db, today):
    law, v1, _, _ = amended(b)
    dep = b.department("某局")
    duty = b.duty(dep, "处罚", [cite(law, v1, "第三条", paragraph=2, item=1)])
    run_impact(db)
    assert b.flag_of(duty)["suggestion"]["new_label"] == "第四条"


def test_a_whole_law_citation_is_flagged_low(b, db, today):
    law, v1, _, _ = amended(b)
    duty = b.duty(b.department("某局"), "检查", [cite(law, v1, None, raw="《某法》")])
    run_impact(db)
    flag = b.flag_of(duty)
    assert flag["severity"] == "low" and flag["article_change_id"] is None


def test_only_current_duties_are_flagged(b, db, today):
    law, v1, _, _ = amended(b)
    dep = b.department("某局")
    old = b.duty(dep, "许可", [cite(law, v1, "第四条")], is_current=0, key="k", version=1)
    new = b.duty(dep, "许可", [cite(law, v1, "第四条")], key="k", version=2)
    run_impact(db)
    assert b.flags(duty_id=old) == [] and len(b.flags(duty_id=new)) == 1


def test_a_citation_written_for_the_new_version_is_not_affected(b, db, today):
    law, v1, v2, change = amended(b, detail=None)
    dep = b.department("某局")
    # written after yiju knew the new text, against it: not affected
    later = b.duty(dep, "新", [cite(law, v2, "第三条", version_note="2023年修正")],
                   created_at="2999-01-01T00:00:00+00:00")
    run_impact(db)
    assert b.flags(duty_id=later) == []


def test_a_duty_older_than_the_change_without_version_note_counts_as_written_for_the_old_text(b, db, today):
    """A re-resolution may point an old citation at the newest version; the duty still predates it."""
    law, v1, v2, change = amended(b)
    db["changes"].update(change, {"detected_at": "2024-02-01T00:00:00+00:00"})
    duty = b.duty(b.department("某局"), "旧", [cite(law, v2, "第三条")], created_at="2023-06-01T00:00:00+00:00")
    run_impact(db)
    assert b.flag_of(duty)["suggestion"]["new_label"] == "第四条"


def test_running_impact_twice_creates_nothing_new(b, db, today):
    law, v1, _, change = amended(b)
    dep = b.department("某局")
    for label in ("第二条", "第三条", "第四条"):
        b.duty(dep, f"职责{label}", [cite(law, v1, label)])
    first = run_impact(db)
    second = run_impact(db)
    assert first["flags"] == 3
    assert second["changes"] == 0 and second["flags"] == 0
    assert db.execute("SELECT count(*) FROM flags").fetchone()[0] == 3
    assert db["changes"].get(change)["impact_done_at"]
    # even a change marked unprocessed again (a crash before the mark) adds no second flag
    db["changes"].update(change, {"impact_done_at": None})
    assert run_impact(db)["flags"] == 0
    assert db.execute("SELECT count(*) FROM flags").fetchone()[0] == 3


def test_due_is_the_effective_date_for_a_change_not_yet_in_force(b, db, today):
    law, v1, _, _ = amended(b, effective="2024-07-01")
    duty = b.duty(b.department("某局"), "许可", [cite(law, v1, "第二条")])
    run_impact(db)
    flag = b.flag_of(duty)
    assert flag["due"] == "2024-07-01"
    assert "尚未生效" in flag["reason"]


def test_due_is_the_review_period_after_detection_for_a_change_in_force(b, db, today):
    law, v1, _, _ = amended(b, effective="2024-01-01")
    duty = b.duty(b.department("某局"), "许可", [cite(law, v1, "第二条")])
    run_impact(db)
    expected = (dt.date.fromisoformat(today) + dt.timedelta(days=REVIEW_DAYS)).isoformat()
    assert b.flag_of(duty)["due"] == expected


def test_repealed_without_successor_is_critical_for_every_citation(b, db, today):
    law = b.law("某条例", status="已废止")
    v1 = b.version(law, "2010-01-01", {"第一条": "甲。", "第二条": "乙。"})
    b.change(law, "repealed", v1, None, effective="2024-01-01")
    dep = b.department("某局")
    d1 = b.duty(dep, "一", [cite(law, v1, "第二条")])
    d2 = b.duty(dep, "二", [cite(law, None, None, raw="《某条例》")])
    run_impact(db)
    for duty in (d1, d2):
        flag = b.flag_of(duty)
        assert flag["severity"] == "critical" and flag["suggestion"] == {}
        assert "无替代法律" in flag["reason"]


def test_repealed_with_successor_suggests_similar_articles_of_the_successor(b, db, today):
    new_law = b.law("某新法")
    b.version(new_law, "2023-06-01", {
        "第一条": "为了保障食品安全，制定本法。",
        "第二条": "违反本法规定，未经许可从事食品生产经营活动的，没收违法所得，并处罚款。",
        "第三条": "本法自二〇二四年一月一日起施行。",
    })
    old_law = b.law("某旧法", status="已废止", successor_id=new_law)
    v1 = b.version(old_law, "1995-01-01", {
        "第一条": "为保证食品卫生，制定本法。",
        "第四十条": "违反本法规定，未取得卫生许可证从事食品生产经营活动的，予以取缔，没收违法所得，并处罚款。",
    })
    b.change(old_law, "repealed", v1, None, effective="2024-01-01", detail={"successor_id": new_law})
    duty = b.duty(b.department("某局"), "处罚", [cite(old_law, v1, "第四十条")])
    run_impact(db)
    flag = b.flag_of(duty)
    assert flag["severity"] == "critical"
    assert flag["suggestion"]["successor"] == {"law_id": new_law, "title": "某新法"}
    candidates = flag["suggestion"]["candidates"]
    assert candidates[0]["label"] == "第二条"
    assert candidates[0]["score"] > (candidates[1]["score"] if len(candidates) > 1 else 0)
    assert "某新法" in flag["reason"]


def test_enacted_and_takes_effect_flag_nothing_but_are_processed(b, db, today):
    law = b.law("某法")
    v1 = b.version(law, "2020-01-01", OLD)
    b.duty(b.department("某局"), "一", [cite(law, v1, "第二条")])
    c1 = b.change(law, "enacted", None, v1)
    c2 = b.change(law, "takes_effect", None, v1, effective="2020-06-01")
    assert run_impact(db)["flags"] == 0
    assert all(db["changes"].get(c)["impact_done_at"] for c in (c1, c2))


def test_a_text_correction_is_judged_like_an_amendment(b, db, today):
    law = b.law("某法")
    v1 = b.version(law, "2020-01-01", OLD)
    v2 = b.version(law, "2020-01-01", OLD)
    b.change(law, "text_corrected", v1, v2, articles=[("modified", ["第二条"], ["第二条"], "editorial", [[0, "甲"]])])
    duty = b.duty(b.department("某局"), "一", [cite(law, v1, "第二条")])
    run_impact(db)
    assert b.flag_of(duty)["severity"] == "low"


def test_a_renamed_law_flags_every_citation_with_the_new_title(b, db, today):
    law, v1, _, _ = amended(b, detail={"old_title": "中华人民共和国某法", "new_title": "中华人民共和国某某法"})
    dep = b.department("某局")
    same = b.duty(dep, "一", [cite(law, v1, "第一条")])
    moved = b.duty(dep, "二", [cite(law, v1, "第三条")])
    run_impact(db)
    assert b.flag_of(same)["suggestion"] == {"new_title": "中华人民共和国某某法"}
    assert b.flag_of(moved)["suggestion"]["new_title"] == "中华人民共和国某某法"
    assert b.flag_of(moved)["suggestion"]["new_label"] == "第四条"


def test_a_citation_of_an_older_version_is_followed_through_the_earlier_change(b, db, today):
    law = b.law("某法")
    v1 = b.version(law, "2010-01-01", {"第一条": "甲。", "第二条": "乙。"})
    v2 = b.version(law, "2015-01-01", {"第一条": "甲。", "第二条": "新。", "第三条": "乙。"})
    v3 = b.version(law, "2020-01-01", {"第一条": "甲。", "第二条": "新。", "第三条": "乙乙。"})
    c1 = b.change(law, "amended", v1, v2, articles=[("renumbered", ["第二条"], ["第三条"]), ("inserted", [], ["第二条"])])
    db["changes"].update(c1, {"impact_done_at": "2015-02-01T00:00:00+00:00"})
    b.change(law, "amended", v2, v3, articles=[("modified", ["第三条"], ["第三条"], "substantive", [[0, "乙"]])])
    dep = b.department("某局")
    old_numbering = b.duty(dep, "旧号", [cite(law, v1, "第二条")])  # 2010's 第二条 is 2015's 第三条
    other = b.duty(dep, "别的", [cite(law, v2, "第二条")])        # 2015's 第二条 did not change in 2020
    run_impact(db)
    flags = b.flags(duty_id=old_numbering)
    assert [(f["change_id"], f["severity"]) for f in flags if f["change_id"] != c1] == [(c1 + 1, "high")]
    assert b.flags(duty_id=other) == []


def test_duties_added_after_a_change_are_checked_against_it(b, db, today):
    law, v1, v2, change = amended(b)
    dep = b.department("某局")
    run_impact(db)  # the change is processed with no duty at all
    stale = b.duty(dep, "旧清单", [cite(law, v1, "第三条", version_note="2020年")])
    fresh = b.duty(dep, "新清单", [cite(law, v2, "第三条")])
    unknown = b.duty(dep, "无版本", [cite(law, None, "第三条")])
    result = run_impact(db)
    assert result["changes"] == 0 and result["new_duties_checked"] == 3
    assert b.flag_of(stale)["suggestion"] == {"new_label": "第四条", "one_click": True}
    assert b.flags(duty_id=fresh) == [] and b.flags(duty_id=unknown) == []
    assert run_impact(db)["flags"] == 0


def test_unresolved_citations_are_counted_as_a_finding_of_their_own(b, db, today):
    dep = b.department("某局")
    b.duty(dep, "一", [{"raw": "《全民健身法》第三条", "article": "第三条", "resolution": "unresolved"}])
    b.duty(dep, "二", [{"raw": "《某法》第三条", "article": "第三条", "resolution": "unresolved"}], is_current=0,
           key="x")
    assert run_impact(db)["unresolved_citations"] == 1
