"""Impact on real law texts: versions registered through impact.record, as a crawl or an import does.

行政处罚法 2017 → 2021 (a full revision: renumbering, deletions, splits, a merger, not in force
until 2021-07-15); 食品卫生法 repealed and replaced by 食品安全法 (2009); 环境保护法 repealed by
生态环境法典 (in force 2026-08-15).
"""

from __future__ import annotations

import pytest

from impact.record import record_status, record_version
from impact.process import run_impact
from tests.conftest import law_text
from tests.builders import Builder, cite

PUNISHMENT = "中华人民共和国行政处罚法"


@pytest.fixture
def b(db):
    return Builder(db)


def register(db, short: str, title: str, date: str, effective: str | None = None):
    return record_version(db, title=title, text=law_text(short, date), source="import",
                          source_id=f"{short}/{date}", promulgated=date, effective=effective)


@pytest.fixture
def punishment_2017(db, b, monkeypatch):
    """The 2017 text is in force; a department's duties cite it; then the 2021 revision arrives."""
    monkeypatch.setenv("YIJU_TODAY", "2021-02-01")
    old = register(db, "行政处罚法", PUNISHMENT, "2017-09-01", "2018-01-01")
    dep = b.department("某市市场监督管理局")
    labels = ["第一条", "第二十条", "第六十三条", "第四十四条", "第五十条", "第五十一条", "第五十二条"]
    duties = {label: b.duty(dep, f"依{label}的职责", [cite(old.law_id, old.version_id, label,
                                                         raw=f"《行政处罚法》{label}")],
                            created_at="2020-06-01T00:00:00+00:00")
              for label in labels}
    new = register(db, "行政处罚法", PUNISHMENT, "2021-01-22", "2021-07-15")
    assert new.change_id is not None
    return old, new, duties


def test_duties_citing_the_2017_numbering_are_flagged_after_the_2021_revision(db, b, punishment_2017):
    old, new, duties = punishment_2017
    result = run_impact(db)

    assert result["changes"] == 1
    assert b.flags(duty_id=duties["第一条"]) == []          # the one article that did not change
    deleted = b.flag_of(duties["第六十三条"])  # 罚缴分离的实施办法: gone in 2021
    assert deleted["severity"] == "critical"
    renumbered = b.flag_of(duties["第五十条"])               # same text, now 第七十一条
    assert renumbered["severity"] == "low"
    assert renumbered["suggestion"] == {"new_label": "第七十一条", "one_click": True}
    modified = b.flag_of(duties["第五十一条"])               # the stale citation of the research notes
    assert modified["severity"] == "high"
    assert modified["suggestion"]["new_label"] == "第七十二条"
    assert any(op != 0 for op, _ in modified["suggestion"]["diff"])
    split = b.flag_of(duties["第二十条"])
    assert split["severity"] == "high"
    assert split["suggestion"]["new_labels"] == ["第二十二条", "第二十三条"]
    merged = b.flag_of(duties["第五十二条"])                  # merged with 第四十四条 into 第六十六条
    assert merged["severity"] == "high"
    assert merged["suggestion"]["new_labels"] == ["第六十六条"]
    assert "第四十四条" in merged["suggestion"]["merged_with"]
    assert "行政处罚法" in modified["reason"] and "第七十二条" in modified["reason"]


def test_a_revision_not_yet_in_force_is_due_on_its_effective_date(db, b, punishment_2017):
    run_impact(db)
    flags = b.flags()
    assert flags and {f["due"] for f in flags} == {"2021-07-15"}
    assert all("尚未生效" in f["reason"] for f in flags)


def test_running_impact_again_on_the_real_revision_creates_nothing(db, b, punishment_2017):
    first = run_impact(db)
    again = run_impact(db)
    assert first["flags"] == 6
    assert (again["changes"], again["flags"]) == (0, 0)
    assert db.execute("SELECT count(*) FROM flags").fetchone()[0] == 6


def test_a_duty_citing_the_2021_text_is_not_flagged(db, b, punishment_2017):
    old, new, duties = punishment_2017
    fresh = b.duty(b.department("某区司法局"), "新清单", [
        cite(new.law_id, new.version_id, "第七十二条", version_note="2021年修订")],
        created_at="2999-01-01T00:00:00+00:00")
    run_impact(db)
    assert b.flags(duty_id=fresh) == []


def test_a_repealed_law_with_a_successor_suggests_its_articles(db, b, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2009-07-01")
    hygiene = register(db, "食品卫生法", "中华人民共和国食品卫生法", "1995-10-30", "1995-10-30")
    register(db, "食品安全法", "中华人民共和国食品安全法", "2009-02-28", "2009-06-01")
    dep = b.department("某县卫生局")
    licence = b.duty(dep, "对无证生产经营食品的处罚", [cite(hygiene.law_id, hygiene.version_id, "第四十条")])
    banned = b.duty(dep, "禁止生产经营的食品", [cite(hygiene.law_id, hygiene.version_id, "第九条")])
    whole = b.duty(dep, "食品卫生监督", [cite(hygiene.law_id, hygiene.version_id, None, raw="《食品卫生法》")])
    record_status(db, title="中华人民共和国食品卫生法", status="已废止", source="import",
                  repealed_on="2009-06-01", successor_title="中华人民共和国食品安全法")

    run_impact(db)

    flag = b.flag_of(licence)
    assert flag["severity"] == "critical"
    assert flag["suggestion"]["successor"]["title"] == "中华人民共和国食品安全法"
    assert flag["suggestion"]["candidates"][0]["label"] == "第八十四条"  # 未经许可从事食品生产经营活动
    assert b.flag_of(banned)["suggestion"]["candidates"][0]["label"] == "第二十八条"  # 禁止生产经营下列食品
    assert b.flag_of(whole)["severity"] == "critical"
    assert "candidates" not in b.flag_of(whole)["suggestion"]


def test_environmental_protection_law_repealed_by_the_code_before_it_is_in_force(db, b, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2026-04-01")
    epl = register(db, "环境保护法", "中华人民共和国环境保护法", "2014-04-24", "2015-01-01")
    register(db, "生态环境法典", "中华人民共和国生态环境法典", "2026-03-12", "2026-08-15")
    dep = b.department("某市生态环境局")
    eia = b.duty(dep, "未批先建的处罚", [cite(epl.law_id, epl.version_id, "第十九条")])
    daily = b.duty(dep, "按日连续处罚", [cite(epl.law_id, epl.version_id, "第五十九条")])
    record_status(db, title="中华人民共和国环境保护法", status="已废止", source="import",
                  repealed_on="2026-08-15", successor_title="中华人民共和国生态环境法典")

    run_impact(db)

    first = b.flag_of(eia)
    assert first["due"] == "2026-08-15"
    assert first["suggestion"]["candidates"][0]["label"] == "第八十三条"
    assert b.flag_of(daily)["suggestion"]["candidates"][0]["label"] == "第一千零六十条"
