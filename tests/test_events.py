"""A law gains a version or a status: one change, written once, in the same transaction."""

import json

import pytest

from impact.record import NotALawText, record_status, record_version
from tests.conftest import law_text


def changes(db):
    return list(db["changes"].rows_where(order_by="id"))


def test_first_version_is_a_baseline_not_an_enactment(db):
    r = record_version(db, title="中华人民共和国行政处罚法", text=law_text("行政处罚法", "2017-09-01"),
                       source="import", promulgated="2017-09-01")
    assert r.outcome == "new" and r.change_id is None
    assert db["articles"].count_where("version_id = ?", [r.version_id]) == 64
    assert changes(db) == []


def test_new_law_seen_by_a_crawler_after_its_baseline_is_enacted(db):
    r = record_version(db, title="中华人民共和国民营经济促进法", text=law_text("民营经济促进法", "2025-04-30"),
                       source="flk", source_id="abc", promulgated="2025-04-30", effective="2025-05-20",
                       announce_new=True)
    assert [c["kind"] for c in changes(db)] == ["enacted"]
    assert changes(db)[0]["new_version_id"] == r.version_id


def test_amendment_records_article_changes_through_renumbering(db):
    record_version(db, title="中华人民共和国行政处罚法", text=law_text("行政处罚法", "2017-09-01"),
                   source="import", promulgated="2017-09-01")
    r = record_version(db, title="中华人民共和国行政处罚法", text=law_text("行政处罚法", "2021-01-22"),
                       source="import", promulgated="2021-01-22", effective="2021-07-15")
    (change,) = changes(db)
    assert change["kind"] == "amended" and change["id"] == r.change_id
    assert change["effective"] == "2021-07-15"
    rows = {row["old_label"]: row for row in db["article_changes"].rows_where("change_id = ?", [change["id"]])}
    # 加处罚款: 2017 第五十一条 is 2021 第七十二条
    assert rows["第五十一条"]["new_label"] == "第七十二条"
    summary = json.loads(change["summary"])
    assert summary["inserted"] > 0
    # the older text is now 已修改, the law stays 有效
    statuses = [v["status"] for v in db["versions"].rows_where(order_by="promulgated")]
    assert statuses == ["已修改", "有效"]


def test_recording_the_same_text_twice_changes_nothing(db):
    for _ in range(2):
        record_version(db, title="中华人民共和国行政处罚法", text=law_text("行政处罚法", "2017-09-01"),
                       source="import", promulgated="2017-09-01")
        r = record_version(db, title="中华人民共和国行政处罚法", text=law_text("行政处罚法", "2021-01-22"),
                           source="import", promulgated="2021-01-22")
    assert r.outcome == "duplicate"
    assert db["versions"].count == 2 and len(changes(db)) == 1


def test_a_text_that_shrank_by_half_is_held_not_used(db):
    full = law_text("行政处罚法", "2017-09-01")
    record_version(db, title="中华人民共和国行政处罚法", text=full, source="flk", source_id="a",
                   promulgated="2017-09-01")
    cut = full[: len(full) // 3]
    r = record_version(db, title="中华人民共和国行政处罚法", text=cut, source="flk", source_id="b",
                       promulgated="2021-01-22")
    assert r.outcome == "held" and r.change_id is None
    held = db["versions"].get(r.version_id)
    assert held["review_state"] == "held" and "待人工核对" in held["review_reason"]
    assert changes(db) == []


def test_a_text_without_articles_is_refused(db):
    with pytest.raises(NotALawText, match="没有找到任何条文"):
        record_version(db, title="某通知", text="关于做好年度工作的通知\n各单位：请按时报送。", source="import")
    assert db["laws"].count == 0


def test_repeal_with_successor_and_takes_effect(db):
    record_version(db, title="中华人民共和国环境保护法", text=law_text("环境保护法", "2014-04-24"),
                   source="import", promulgated="2014-04-24")
    record_version(db, title="中华人民共和国生态环境法典", text=law_text("生态环境法典", "2026-03-12"),
                   source="flk", source_id="code", promulgated="2026-03-12", effective="2099-08-15",
                   announce_new=True)
    code = db.execute("SELECT status FROM laws WHERE title = '中华人民共和国生态环境法典'").fetchone()[0]
    assert code == "尚未生效"
    # the code's own 同时废止 clause recorded the repeal: pending (即将废止) until 2099-08-15
    law = db.execute("SELECT status, successor_id, repealed_on FROM laws WHERE title = '中华人民共和国环境保护法'").fetchone()
    assert law[0] == "有效" and law[1] is not None and law[2] == "2099-08-15"
    r = record_status(db, title="中华人民共和国环境保护法", status="已废止", source="flk",
                      repealed_on="2099-08-15", successor_title="中华人民共和国生态环境法典")
    again = record_status(db, title="中华人民共和国环境保护法", status="已废止", source="flk")
    assert r.outcome == again.outcome == "unchanged" and again.change_id is None  # the same event
    (repeal,) = [c for c in changes(db) if c["kind"] == "repealed"]
    assert json.loads(repeal["detail"])["successor_title"] == "中华人民共和国生态环境法典"
    assert repeal["effective"] == "2099-08-15"
    law = db.execute("SELECT status, successor_id FROM laws WHERE title = '中华人民共和国环境保护法'").fetchone()
    assert law[0] == "有效" and law[1] is not None
    t = record_status(db, title="中华人民共和国生态环境法典", status="有效", source="flk")
    assert db["changes"].get(t.change_id)["kind"] == "takes_effect"
    assert [c["kind"] for c in changes(db)] == ["enacted", "repealed", "takes_effect"]


def test_a_text_that_returns_to_an_earlier_wording_is_a_new_version(db):
    """Identity of a version is (law, text, date): A 2020 → B 2021 → A 2022 is three versions."""
    a, b = law_text("行政处罚法", "2017-09-01"), law_text("行政处罚法", "2021-01-22")
    title = "中华人民共和国行政处罚法"
    record_version(db, title=title, text=a, source="import", promulgated="2020-01-01")
    record_version(db, title=title, text=b, source="import", promulgated="2021-01-01")
    back = record_version(db, title=title, text=a, source="import", promulgated="2022-01-01")
    assert back.outcome == "new" and back.change_id is not None
    latest = list(db.query("SELECT promulgated, text FROM versions ORDER BY promulgated DESC LIMIT 1"))[0]
    assert latest["promulgated"] == "2022-01-01" and latest["text"] == a
    assert [c["kind"] for c in changes(db)] == ["amended", "amended"]
    # the same (text, date) again is still a duplicate
    assert record_version(db, title=title, text=a, source="import", promulgated="2022-01-01").outcome == "duplicate"
    assert record_version(db, title=title, text=a, source="import", promulgated="2020-01-01").outcome == "duplicate"
