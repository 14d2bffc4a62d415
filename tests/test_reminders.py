"""Reminders of flags due soon or overdue: routed by post, once per interval (never twice a day),
escalated to the legal office after N days overdue; and the digest's overdue list."""

from __future__ import annotations

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "tools"))

from notify_night import build_night  # noqa: E402

from config.settings import MailSettings, Settings  # noqa: E402
from notify import outbox  # noqa: E402
from notify.digest import render_digest  # noqa: E402
from notify.reminders import queue_reminders  # noqa: E402
from registry import users  # noqa: E402


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("YIJU_WEB_SECRET", "reminder-secret-" + "z" * 20)
    s = Settings()
    s.digest.dir = tmp_path / "digests"
    s.mail = MailSettings(sender="yiju@fzb.example.gov.cn", digest_to=["fzb@example.gov.cn"])
    s.web.base_url = "https://yiju.example.gov.cn"
    return s


@pytest.fixture
def night(db, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2025-12-29")
    ids = build_night(db)
    db.execute("UPDATE flags SET notified_run_id = 2 WHERE created_run_id = 2")   # run 2's alerts went out
    return ids


def new_run(db, started: str) -> int:
    return db["runs"].insert({"started": started, "state": "running"}).last_pk


def sent(db, kind: str, run_id: int) -> dict[str, dict]:
    return {r["recipient"]: outbox.get(db, r["id"]) for r in outbox.listing(db)
            if r["kind"] == kind and r["run_id"] == run_id}


def test_reminders_once_per_interval_and_by_post(db, night, settings, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2026-01-25")           # run 2's flags are due on 2026-01-28
    run3 = new_run(db, "2026-01-24T18:30:00+00:00")
    queue_reminders(db, run3, settings)
    mails = sent(db, "reminder", run3)
    assert {"scjg@example.gov.cn", "zhangsan@example.gov.cn", "lisi@example.gov.cn",
            "zhaoliu@example.gov.cn"} <= set(mails)
    zhang = mails["zhangsan@example.gov.cn"]
    assert zhang["subject"].startswith("【整改提醒】市场监督管理局：2 项提示")
    assert "对生产经营腐败变质食品的处罚" not in zhang["body_text"]           # 李四's post, not his
    assert "还有 3 天" in zhang["body_text"]
    assert "https://yiju.example.gov.cn/s/" in zhang["body_text"]
    zhao = mails["zhaoliu@example.gov.cn"]                                  # due 2026-01-01
    assert "已逾期 1 项" in zhao["subject"] and "逾期 24 天" in zhao["body_text"]

    run4 = new_run(db, "2026-01-25T10:00:00+00:00")                        # the same day again
    queue_reminders(db, run4, settings)
    assert sent(db, "reminder", run4) == {}

    monkeypatch.setenv("YIJU_TODAY", "2026-01-30")                          # 5 days later: not yet
    run5 = new_run(db, "2026-01-29T18:30:00+00:00")
    queue_reminders(db, run5, settings)
    assert sent(db, "reminder", run5) == {}
    monkeypatch.setenv("YIJU_TODAY", "2026-02-01")                          # 7 days later: again
    run6 = new_run(db, "2026-01-31T18:30:00+00:00")
    queue_reminders(db, run6, settings)
    assert "zhangsan@example.gov.cn" in sent(db, "reminder", run6)


def test_closed_and_submitted_flags_are_not_reminded(db, night, settings, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2026-01-25")
    db.execute("UPDATE flags SET state = 'submitted' WHERE id = ?", [night["flag_renumbered"]])
    run3 = new_run(db, "2026-01-24T18:30:00+00:00")
    queue_reminders(db, run3, settings)
    assert "zhaoliu@example.gov.cn" not in sent(db, "reminder", run3)


def test_long_overdue_flags_are_escalated_to_the_legal_office(db, night, settings, monkeypatch):
    users.add_user(db, email="fazhi@example.gov.cn", name="法制办", role="legal", by="test")
    monkeypatch.setenv("YIJU_TODAY", "2026-01-10")                          # 网信办's flag: 9 days overdue
    run3 = new_run(db, "2026-01-09T18:30:00+00:00")
    queue_reminders(db, run3, settings)
    assert sent(db, "escalation", run3) == {}
    monkeypatch.setenv("YIJU_TODAY", "2026-01-20")                          # 19 days ≥ 14
    run4 = new_run(db, "2026-01-19T18:30:00+00:00")
    queue_reminders(db, run4, settings)
    escalations = sent(db, "escalation", run4)
    assert set(escalations) == {"fzb@example.gov.cn", "fazhi@example.gov.cn"}
    body = escalations["fazhi@example.gov.cn"]["body_text"]
    assert "网信办（1 项）" in body and "逾期 19 天" in body and "/s/" in body
    assert "/s/" not in escalations["fzb@example.gov.cn"]["body_text"]    # no account: no sign-in link
    run5 = new_run(db, "2026-01-20T10:00:00+00:00")
    queue_reminders(db, run5, settings)
    assert sent(db, "escalation", run5) == {}


def test_the_digest_lists_overdue_flags_by_department(db, night, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2026-01-05")
    run3 = new_run(db, "2026-01-04T18:30:00+00:00")
    html, md, _ = render_digest(db, run3)
    assert "## 八、逾期未处理的提示" in md
    section = md.split("## 八、逾期未处理的提示", 1)[1]
    assert "### 网信办（逾期 1 项）" in section and "逾期 4 天" in section
    assert "市场监督管理局" not in section
