"""A cited provision reads the same in the CLI, the digest and the e-mails (texts.provisions)."""

from __future__ import annotations

import json

from config.settings import MailSettings, Settings
from impact import duties as duty_store
from impact.process import run_impact
from impact.record import record_version
from notify import outbox
from notify.alerts import queue_department_alerts
from registry import duties as duty_rows
from registry.schema import connect
from tests.conftest import law_text
from texts.provisions import cited_provision

DEPT = "某市市场监督管理局"
CITED = "《中华人民共和国行政处罚法》第五十一条第一款第（一）项"


def test_a_provision_is_written_as_laws_write_it():
    c = {"law_title": "中华人民共和国大气污染防治法", "article": "第九十九条", "paragraph": 1, "item": 1, "sub_item": 2}
    assert cited_provision(c) == "《中华人民共和国大气污染防治法》第九十九条第一款第（一）项第2目"


def test_the_alert_and_the_cli_write_the_flagged_citation_the_same_way(config_file, yiju, monkeypatch, tmp_path):
    def register(date, effective):
        record_version(db, title="中华人民共和国行政处罚法", text=law_text("行政处罚法", date), source="import",
                       source_id=f"行政处罚法/{date}", promulgated=date, effective=effective)

    monkeypatch.setenv("YIJU_TODAY", "2020-06-01")
    db = connect(config_file.parent / "data" / "yiju.db")
    register("2017-09-01", "2018-01-01")
    listing = tmp_path / "list.csv"
    listing.write_text("序号,权力类型,事项名称,实施依据,实施主体\n"
                       f"1,行政强制,逾期不履行处罚决定的加处罚款,《行政处罚法》第五十一条第一款第（一）项,{DEPT}\n", "utf-8")
    duty_store.import_duties(db, listing, by="导入员")
    monkeypatch.setenv("YIJU_TODAY", "2021-08-01")
    register("2021-01-22", "2021-07-15")
    department = duty_rows.find_department(db, DEPT)
    duty_rows.update_department(db, department["id"], {"emails": json.dumps(["fzk@example.gov.cn"])})
    run_id = db["runs"].insert({"started": "2021-08-01T18:30:00+00:00", "state": "running"}).last_pk
    assert run_impact(db, run_id)["flags"] == 1
    settings = Settings()
    settings.digest.dir = tmp_path / "digests"
    settings.mail = MailSettings(sender="yiju@fzb.example.gov.cn", digest_to=["fzb@example.gov.cn"])
    queue_department_alerts(db, run_id, settings)
    [row] = [r for r in outbox.listing(db) if r["kind"] == "department_alert"]
    alert = outbox.get(db, row["id"])
    db.close()

    printed = yiju("flags").output
    assert f"引用：{CITED}" in printed
    assert f"即 {CITED}" in alert["body_html"]
