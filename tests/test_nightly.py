"""The nightly run end to end: the demo scenario, and the faults a night can meet.

Everything here talks to real servers on loopback: the mirror of flk.npc.gov.cn (with the
built-in real law texts) and an aiosmtpd SMTP server.
"""

from __future__ import annotations

import collections
import email
import email.policy
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from config.settings import load
from crawler.mirror import Mirror
from registry.schema import connect
from yiju import demo
from yiju.run import nightly, run_lock

pytestmark = pytest.mark.slow  # every test runs whole nights: Scrapy in a child process, SMTP, digest


@pytest.fixture(autouse=True)
def demo_date(monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", demo.DEMO_TODAY)


class World:
    """A mirror, an SMTP server and a config file pointing at both, in ``root``."""

    def __init__(self, root: pathlib.Path, mirror: Mirror, scenario, smtp_port: int, catcher):
        self.root, self.mirror, self.scenario, self.catcher = root, mirror, scenario, catcher
        self.config = demo._write_config(root, mirror, smtp_port)
        self.settings = load(self.config, environ={})

    def db(self):
        return connect(self.settings.registry.path)

    def night(self):
        db = self.db()
        try:
            with run_lock(self.settings):
                return nightly(self.settings, db)
        finally:
            db.close()

    def load_power_list(self):
        from impact import duties

        db = self.db()
        try:
            duties.import_departments(db, demo.DEMO_DATA / "departments.csv", by="test")
            duties.import_staff(db, demo.DEMO_DATA / "staff.csv", by="test")
            duties.import_duties(db, demo.DEMO_DATA / "duties.csv", as_of="2020-06-30", by="test")
        finally:
            db.close()

    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                for p in sorted((self.root / "mail").glob("*.eml"))]

    def yiju(self, *args, **kwargs) -> subprocess.Popen:
        env = dict(os.environ, YIJU_CONFIG=str(self.config))
        return subprocess.Popen([sys.executable, "-m", "yiju", *args], cwd=self.root, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


@pytest.fixture
def world(tmp_path):
    scenario = demo._baseline_scenario()
    with Mirror(scenario) as mirror, demo.smtp_server(tmp_path / "mail") as (controller, catcher):
        yield World(tmp_path, mirror, scenario, controller.port, catcher)


def flag_of(db, duty_code: str, cited: str) -> dict | None:
    found = list(db.query("""
        SELECT f.*, c.raw, c.article FROM flags f JOIN duties d ON d.id = f.duty_id
        JOIN citations c ON c.id = f.citation_id
        WHERE d.code = ? AND d.is_current = 1 AND c.raw LIKE ?""", [duty_code, f"%{cited}%"]))
    return found[0] if found else None


# ------------------------------------------------------------------------- the demo scenario


def test_demo_scenario_end_to_end(world):
    first = world.night()
    assert first.state == "succeeded", first.errors + first.warnings
    world.load_power_list()
    demo._night_two(world.scenario)
    second = world.night()
    assert second.state == "succeeded", second.errors + second.warnings

    db = world.db()
    kinds = collections.Counter(r["kind"] for r in list(db.query("SELECT kind FROM changes")))
    assert kinds == {"amended": 3, "enacted": 2, "repealed": 4}

    # 广告法 2021 deleted 第六十条: a duty citing it is critical; 第六十一条 is now 第六十条 (one click)
    deleted = flag_of(db, "SF-SCJG-CF-011", "第六十条")
    assert deleted["severity"] == "critical"
    renumbered = flag_of(db, "SF-SCJG-CF-012", "第六十一条")
    assert renumbered["severity"] == "low"
    assert json.loads(renumbered["suggestion"])["new_label"] == "第六十条"
    # 行政处罚法 2017 第五十一条 (加处罚款) is 第七十二条 of the 2021 revision
    fine = flag_of(db, "SF-STHJ-QZ-002", "第五十一条")
    assert fine["severity"] == "high" and "第七十二条" in fine["suggestion"]
    # 环境保护法 repealed, replaced by the 生态环境法典: critical, with candidate articles of the code
    repealed = flag_of(db, "SF-STHJ-CF-011", "环境保护法")
    assert repealed["severity"] == "critical"
    candidates = json.loads(repealed["suggestion"]).get("candidates") or []
    assert candidates and all(c["label"].startswith("第") for c in candidates)
    # 国家规章库: a 部门规章 amended (第十五条's fines, written for the demo) and a 地方政府规章
    # repealed by the provincial government's decision, which the flag names
    fines = flag_of(db, "SF-SCJG-CF-017", "第十五条")
    assert fines["severity"] == "high" and "第十五条内容有实质修改" in fines["reason"]
    assert flag_of(db, "SF-SCJG-CF-019", "第十四条") is None      # same rule, article unchanged
    carbon = flag_of(db, "SF-STHJ-JC-001", "广东省碳排放管理试行办法")
    assert carbon["severity"] == "critical" and demo.REPEAL_DECISION.replace("《", "〈").replace("》", "〉") in carbon["reason"]
    repeal = list(db.query("SELECT c.effective, i.title FROM changes c JOIN laws l ON l.id = c.law_id "
                           "JOIN instruments i ON i.id = c.instrument_id WHERE l.title = ?", [demo.REPEALED_RULE]))
    assert repeal == [{"effective": "2026-07-10", "title": demo.REPEAL_DECISION}]
    # duties citing unchanged laws are not flagged
    assert flag_of(db, "SF-SCJG-CF-014", "产品质量法") is None
    assert flag_of(db, "SF-SCJG-CF-001", "食品安全法") is None
    # a stale citation found at import (安全生产法 2014 numbering) and an unknown law are findings
    stale = list(db.query("SELECT c.* FROM citations c JOIN duties d ON d.id = c.duty_id "
                     "WHERE d.code = 'SF-YJGL-CF-001' AND d.is_current = 1"))
    assert stale[0]["resolution"] == "stale" and stale[0]["current_label"] == "第九十七条第一款第（一）项"
    unknown = list(db.query("SELECT c.* FROM citations c JOIN duties d ON d.id = c.duty_id "
                       "WHERE d.code = 'SF-SCJG-QT-002' AND d.is_current = 1"))
    assert unknown[0]["resolution"] == "unresolved" and unknown[0]["problem"]

    # the digest of night 2 has every section, with the 对照 of the revised law
    html = pathlib.Path(second.digest["html"]).read_text("utf-8")
    for section in ("数据源", "新制定", "修改", "废止", "即将施行", "受影响的职权"):
        assert section in html, section
    assert "中华人民共和国生态环境法典" in html and "第七十二条" in html
    assert "侵害消费者权益行为处罚办法" in html and "废止依据：《广东省人民政府关于废止〈广东省碳排放管理试行办法〉的决定》" in html
    assert (pathlib.Path(second.digest["html"]).parent.parent / "index.html").exists()
    md = pathlib.Path(second.digest["html"]).with_name("digest.md").read_text("utf-8")
    assert "《中华人民共和国环境保护法》（废止）：2026-08-15 起废止，还有 14 天" in md   # a repeal, not a 施行
    assert "《中华人民共和国生态环境法典》（新制定）：2026-08-15 施行，还有 14 天" in md

    # e-mails: one digest per night to the legal-affairs office, one alert per department
    # to its contacts and to the staff holding the flagged posts today
    messages = world.messages()
    to = collections.Counter(m["To"].addresses[0].addr_spec for m in messages)
    assert to["fzb@demo.gov.cn"] == 2
    assert to["fazhi@sthjj.demo.gov.cn"] == 1 and to["sunl@sthjj.demo.gov.cn"] == 1
    assert "zhaolx@sthjj.demo.gov.cn" not in to        # left the post on 2024-12-31
    alert = next(m for m in messages if m["To"].addresses[0].addr_spec == "liuy@scjgj.demo.gov.cn")
    assert "示范市市场监督管理局" in str(alert["Subject"])
    text = alert.get_body(("plain",)).get_content()
    assert "第六十条" in text and "yiju flags" in text
    contact = next(m for m in messages if m["To"].addresses[0].addr_spec == "fgk@scjgj.demo.gov.cn")
    assert "最高不超过**二十**万元" in contact.get_body(("plain",)).get_content()   # the rule's 对照
    assert all(n == 1 for address, n in to.items() if address != "fzb@demo.gov.cn")
    db.close()


def test_rerunning_a_night_adds_nothing_and_sends_nothing(world):
    world.night()
    world.load_power_list()
    demo._night_two(world.scenario)
    world.night()
    db = world.db()
    before = {t: db[t].count for t in ("versions", "changes", "article_changes", "flags", "outbox")}
    sent = len(world.messages())
    db.close()
    again = world.night()
    db = world.db()
    after = {t: db[t].count for t in ("versions", "changes", "article_changes", "flags", "outbox")}
    assert again.state == "succeeded"
    # the rerun's only new message is its own (empty) digest; nothing is flagged or alerted twice
    assert {k: v for k, v in after.items() if k != "outbox"} == {k: v for k, v in before.items() if k != "outbox"}
    assert after["outbox"] - before["outbox"] == 1
    new = [m for m in world.messages()][sent:]
    assert len(new) == 1 and new[0]["To"].addresses[0].addr_spec == "fzb@demo.gov.cn"
    db.close()


# ------------------------------------------------------------------------- faults


def wait_for(predicate, seconds=60.0, step=0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def current_stage(world):
    db = world.db()
    try:
        row = db.execute("SELECT stage FROM runs WHERE state = 'running' ORDER BY id DESC LIMIT 1").fetchone()
        return row[0] if row else None
    finally:
        db.close()


def test_run_killed_mid_crawl_is_finished_by_the_next_run(world):
    world.night()
    world.load_power_list()
    demo._night_two(world.scenario)
    # a slow detail endpoint keeps the crawl busy long enough to kill it in the middle
    world.scenario.fault("detail", kind="slow", seconds=1.0, times=3)
    proc = world.yiju("run", start_new_session=True)
    try:
        assert wait_for(lambda: current_stage(world) == "crawl")
        assert wait_for(lambda: world.mirror.count("detail") >= 2, seconds=30)
        os.killpg(proc.pid, signal.SIGKILL)            # the run and its crawler child, as a crash would
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    world.scenario.clear_faults()
    rerun = world.night()
    assert rerun.state == "succeeded", rerun.errors + rerun.warnings
    assert rerun.stats.get("resumed_after")
    db = world.db()
    kinds = collections.Counter(r["kind"] for r in list(db.query("SELECT kind FROM changes")))
    assert kinds == {"amended": 3, "enacted": 2, "repealed": 4}
    assert db.execute("SELECT count(*) FROM versions WHERE review_state = 'accepted'").fetchone()[0] == \
        db.execute("SELECT count(DISTINCT source_id) FROM versions WHERE review_state = 'accepted'").fetchone()[0]
    abandoned = list(db.query("SELECT * FROM runs WHERE state = 'abandoned'"))
    assert len(abandoned) == 1
    db.close()
    to = collections.Counter(m["To"].addresses[0].addr_spec for m in world.messages())
    assert to["fazhi@sthjj.demo.gov.cn"] == 1 and to["liuy@scjgj.demo.gov.cn"] == 1


def test_run_killed_mid_notify_sends_nothing_twice(world):
    world.night()
    world.load_power_list()
    demo._night_two(world.scenario)

    stalled = {"on": True}

    async def slow_rcpt(server, session, envelope, address, rcpt_options):
        while stalled["on"]:
            import asyncio

            await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    world.catcher.handle_RCPT = slow_rcpt
    proc = world.yiju("run", start_new_session=True)
    try:
        assert wait_for(lambda: current_stage(world) == "notify")
        time.sleep(1.0)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    stalled["on"] = False
    del world.catcher.handle_RCPT
    db = world.db()
    db.execute("UPDATE outbox SET next_attempt_at = NULL WHERE state = 'pending'")
    db.conn.commit()
    db.close()
    rerun = world.night()
    assert rerun.state == "succeeded", rerun.errors + rerun.warnings
    to = collections.Counter(m["To"].addresses[0].addr_spec for m in world.messages())
    alerts = {k: v for k, v in to.items() if k != "fzb@demo.gov.cn"}
    assert alerts and all(v == 1 for v in alerts.values()), to
    db = world.db()
    assert db.execute("SELECT count(*) FROM outbox WHERE state != 'sent'").fetchone()[0] == 0
    db.close()


def test_smtp_down_for_one_run_then_up(world, tmp_path):
    world.night()
    world.load_power_list()
    demo._night_two(world.scenario)
    real_port = world.settings.mail.port
    world.settings.mail.port = 9  # nothing listens on the discard port of loopback
    down = world.night()
    assert down.state == "degraded"
    db = world.db()
    pending = list(db.query("SELECT * FROM outbox WHERE state = 'pending'"))
    assert pending and all(p["last_error"] for p in pending)
    # a day later the mail server is back
    db.execute("UPDATE outbox SET next_attempt_at = NULL WHERE state = 'pending'")
    db.conn.commit()
    db.close()
    world.settings.mail.port = real_port
    up = world.night()
    assert up.state == "succeeded", up.errors + up.warnings
    to = collections.Counter(m["To"].addresses[0].addr_spec for m in world.messages())
    alerts = {k: v for k, v in to.items() if k != "fzb@demo.gov.cn"}
    assert alerts and all(v == 1 for v in alerts.values()), to
    assert to["fzb@demo.gov.cn"] == 3                     # one digest per night, none lost, none twice


def test_throttled_source_is_reported_and_invents_no_change(world):
    world.night()
    world.load_power_list()
    demo._night_two(world.scenario)
    world.scenario.fault("list", kind="waf")
    world.scenario.fault("rules_list", kind="waf")          # both sources' listings are blocked
    throttled = world.night()
    assert throttled.state == "degraded"
    db = world.db()
    assert db["changes"].count == 0 and db["flags"].count == 0
    html = pathlib.Path(throttled.digest["html"]).read_text("utf-8")
    assert "flk" in html and "gjgzk" in html and ("拦截" in html or "失败" in html or "异常" in html)
    db.close()
    world.scenario.clear_faults()
    recovered = world.night()
    assert recovered.state == "succeeded"
    db = world.db()
    assert db["changes"].count == 9                     # flk's seven and the two 规章
    db.close()


def _children(pid: int) -> list[int]:
    out = []
    for task in pathlib.Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def _alive(pid: int) -> bool:
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not pathlib.Path("/proc/self/task").exists(), reason="needs /proc")
def test_the_crawler_child_dies_with_a_killed_run(world):
    """Issue 13 item 18: kill -9 of `yiju run` alone (not its group) leaves no crawler writing on."""
    world.night()
    demo._night_two(world.scenario)
    world.scenario.fault("detail", kind="slow", seconds=2.0)
    proc = world.yiju("run")
    child = None
    try:
        assert wait_for(lambda: world.mirror.count("detail") >= 1, seconds=60)
        assert wait_for(lambda: bool(_children(proc.pid)), seconds=30)
        child = _children(proc.pid)[0]
        os.kill(proc.pid, signal.SIGKILL)               # the parent only, as the OOM killer would
        proc.wait(timeout=30)
        assert wait_for(lambda: not _alive(child), seconds=30), "the crawler outlived its run"
    finally:
        for pid in [proc.pid] + ([child] if child else []):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
