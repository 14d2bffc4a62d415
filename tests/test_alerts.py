"""Department alerts: who gets one, what it says, and that nothing in the data can forge headers or markup."""

from __future__ import annotations

import email
import json
import pathlib
import re
import sys
from email.policy import default as default_policy

import pytest
from bs4 import BeautifulSoup

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "tools"))

from notify_night import build_night  # noqa: E402
from notify_smtp import smtp_server  # noqa: E402

from config.settings import MailSettings, Settings  # noqa: E402
from notify import outbox  # noqa: E402
from notify.alerts import queue_department_alerts  # noqa: E402
from notify.compose import BadAddress, build, check_address  # noqa: E402
from notify.deliver import send_pending  # noqa: E402
from notify.publish import publish, queue_run  # noqa: E402


@pytest.fixture
def settings(tmp_path):
    s = Settings()
    s.digest.dir = tmp_path / "digests"
    s.mail = MailSettings(sender="yiju@fzb.example.gov.cn", digest_to=["fzb@example.gov.cn"])
    return s


@pytest.fixture
def night(db, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2025-12-29")
    return build_night(db)


def alert_to(db, address: str) -> dict:
    rows = [r for r in outbox.listing(db) if r["recipient"] == address and r["kind"] == "department_alert"]
    assert len(rows) == 1, rows
    return outbox.get(db, rows[0]["id"])


def test_recipients_are_contacts_and_staff_holding_the_posts_today(db, night, settings):
    report = queue_department_alerts(db, 2, settings)
    by_department = {}
    for r in outbox.listing(db):
        by_department.setdefault(r["department_id"], set()).add(r["recipient"])
    assert by_department == {
        night["scjg"]: {"scjg@example.gov.cn", "zhangsan@example.gov.cn", "lisi@example.gov.cn"},
        night["wxb"]: {"zhaoliu@example.gov.cn"},
        night["cg"]: {"cgj@example.gov.cn"},
    }   # 王五 left his post in 2024, 钱七 starts in 2030; 统计局's flag is from an earlier night
    assert report.departments == ["市场监督管理局", "网信办", "城市管理综合执法局"]
    assert report.problems == ["部门“城市管理综合执法局”的联系邮箱：邮箱地址 '办公室 cgj@' 含有空格、换行或不允许的字符，已跳过"]


def test_alerts_are_routed_by_post(db, night, settings):
    queue_department_alerts(db, 2, settings)
    zhang = alert_to(db, "zhangsan@example.gov.cn")          # 行政处罚科: not the 食品安全科's duty
    assert zhang["recipient_name"] == "张三"
    assert zhang["subject"] == "【执法依据变动】市场监督管理局：2 项职权需复核（较高 2）· 2025-12-29"
    assert "对生产经营腐败变质食品的处罚" not in zhang["body_text"]
    li = alert_to(db, "lisi@example.gov.cn")                 # 食品安全科: only that duty
    assert "对生产经营腐败变质食品的处罚" in li["body_text"]
    assert "对当事人陈述、申辩意见的复核" not in li["body_text"]


def test_alert_lists_each_duty_with_change_diff_due_date_and_fix(db, night, settings):
    queue_department_alerts(db, 2, settings)
    row = alert_to(db, "scjg@example.gov.cn")                # the department's contact: the whole department
    assert row["recipient_name"] == "市场监督管理局联系人"
    assert row["subject"] == "【执法依据变动】市场监督管理局：3 项职权需复核（严重 1，较高 2）· 2025-12-29"
    text = row["body_text"]
    # Worst first: the repealed law (严重) before the modified and split articles (较高).
    assert text.index("对生产经营腐败变质食品的处罚") < text.index("对当事人陈述、申辩意见的复核")
    assert "【严重】提示 #3" in text and "由《中华人民共和国食品安全法》取代" in text
    assert "《中华人民共和国食品安全法》第二十八条（相似度 42%）" in text
    assert "【较高】提示 #1" in text and "整改期限：2026-01-28" in text
    assert "原第三十二条 → 现第四十五条（修改，实质修改）" in text
    assert "行政机关不得因当事人~~申辩而加重~~处罚。" in text
    assert "行政机关不得因当事人**陈述、申辩而给予更重的**处罚。" in text
    assert "建议改引：第四十五条" in text
    assert "yiju flags resolve 1 --basis '《中华人民共和国行政处罚法》第四十五条'" in text
    assert "建议改引：第五十五条、第五十六条" in text
    assert "yiju flags resolve 2 --basis '（此处填写修改后的完整依据）'" in text
    # The department's own unresolved citation is reported with the alert.
    assert "《市场监督管理行政处罚程序规定》第二十二条" in text

    html = BeautifulSoup(row["body_html"], "lxml")
    table = next(t for t in html.select("table.duizhao") if "原第三十二条 → 现第四十五条" in t.caption.get_text())
    assert "加重" in table.select_one("td.old del").get_text()
    assert "更重" in table.select_one("td.new ins").get_text()
    assert "yiju flags resolve 1 --basis" in html.get_text()


def test_renumbering_alert_offers_the_one_click_fix(db, night, settings):
    queue_department_alerts(db, 2, settings)
    text = alert_to(db, "zhaoliu@example.gov.cn")["body_text"]
    assert "【一般】提示 #4" in text and "尚未生效" in text and "整改期限：2026-01-01" in text
    assert "yiju flags apply-renumbering --department '网信办'" in text
    # the whole basis rewritten: the article that did not move is kept, the law named once as written
    assert "yiju flags resolve 4 --basis '《中华人民共和国网络安全法》第十条、第二十三条第一款'" in text
    assert "引用的依据：《中华人民共和国网络安全法》第二十一条第一款" in text


def test_no_alert_when_nothing_new_needs_anyone(db, night, settings):
    db.execute("UPDATE flags SET state = 'resolved' WHERE id = ?", [night["flag_deleted"]])
    db.conn.commit()
    queue_department_alerts(db, 2, settings)
    assert night["cg"] not in {r["department_id"] for r in outbox.listing(db)}
    empty = db["runs"].insert({"started": "2026-01-02T18:30:00+00:00", "state": "succeeded"}).last_pk
    assert queue_department_alerts(db, empty, settings).queued == 0


def test_a_department_nobody_can_receive_is_reported(db, night, settings):
    db.execute("DELETE FROM assignments")
    db.execute("UPDATE departments SET emails = '[]' WHERE id = ?", [night["wxb"]])
    db.conn.commit()
    report = queue_department_alerts(db, 2, settings)
    assert "部门“网信办”有新的提示，但既没有联系邮箱，也没有在岗人员的邮箱，无人可收" in report.problems


def test_publish_writes_the_digest_and_queues_and_sends_everything(db, night, settings):
    with smtp_server() as (server, port):
        settings.mail.host, settings.mail.port = "127.0.0.1", port
        stats = publish(db, settings, 2)
        again = publish(db, settings, 2)                      # a rerun of the stage
    assert pathlib.Path(stats["digest"]["html"]).exists()
    assert stats["queued"]["queued"] == 6 and stats["delivery"]["ok"] and len(stats["delivery"]["sent"]) == 6
    assert again["queued"]["queued"] == 0 and again["delivery"]["sent"] == []
    assert len(server.messages) == 6
    json.dumps(stats, ensure_ascii=False)                      # fits in runs.stats


def test_script_and_newlines_in_law_title_department_and_duty_name(db, night, settings):
    evil_title = "中华人民共和国<script>alert('law')</script>行政处罚法\r\nBcc: evil@attacker.example"
    db.execute("UPDATE laws SET title = ? WHERE id = ?", [evil_title, night["xzcf_law"]])
    db.execute("UPDATE departments SET name = ? WHERE id = ?",
               ["市场监督管理局\r\nBcc: evil@attacker.example\r\nX-Injected: 1", night["scjg"]])
    db.execute("UPDATE duties SET name = ? WHERE id = ?",
               ["<script>alert('duty')</script>复核\nCc: evil@attacker.example", night["duties"]["modified"]])
    db.execute("UPDATE staff SET name = ? WHERE email = ?",
               ["张三\r\nBcc: evil@attacker.example", "zhangsan@example.gov.cn"])
    db.conn.commit()
    queue_run(db, settings, 2)
    with smtp_server() as (server, port):
        settings.mail.host, settings.mail.port = "127.0.0.1", port
        report = send_pending(db, settings.mail)
    assert report.ok
    assert all("evil@attacker.example" not in m["rcpt_tos"] for m in server.messages)
    (received,) = server.to("zhangsan@example.gov.cn")
    msg, raw = received["message"], received["raw"]
    headers = raw.split(b"\r\n\r\n")[0].decode("ascii")
    assert "\nBcc:" not in headers and "\nX-Injected:" not in headers and "\nCc:" not in headers
    assert "\n" not in msg["Subject"] and msg["Subject"].startswith("【执法依据变动】市场监督管理局 Bcc: evil")
    assert msg["To"].addresses[0].display_name == "张三 Bcc: evil@attacker.example"
    assert msg["To"].addresses[0].addr_spec == "zhangsan@example.gov.cn" and len(msg["To"].addresses) == 1
    html = msg.get_body(("html",)).get_content()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;duty&#39;)&lt;/script&gt;复核" in html
    assert "&lt;script&gt;alert(&#39;law&#39;)&lt;/script&gt;" in html
    digest = server.to("fzb@example.gov.cn")[0]["message"].get_body(("html",)).get_content()
    assert "<script>" not in digest and "&lt;script&gt;" in digest


def test_addresses_are_checked_before_they_are_queued(db):
    assert check_address(" li@example.gov.cn ") == "li@example.gov.cn"
    for bad in ["", "li@example", "li example@x.cn", "li@x.cn\r\nBcc: e@x.cn", "李@x.cn", "a@b.cn, c@d.cn"]:
        with pytest.raises(BadAddress):
            check_address(bad)
    with pytest.raises(BadAddress):
        outbox.queue(db, run_id=None, kind="digest", recipient="x@y.cn\nBcc: e@x.cn", subject="s", body_text="t",
                     sender="yiju@example.gov.cn")
    assert db["outbox"].count == 0


def test_composed_message_round_trips(db):
    q = outbox.queue(db, run_id=None, kind="digest", recipient="fzb@example.gov.cn", recipient_name="法制科（张）",
                     subject="日报：修改 2 部", body_text="正文\n第二行", body_html="<p>正文</p>",
                     sender="yiju@example.gov.cn")
    msg = build(outbox.get(db, q.id), sender="yiju@example.gov.cn", sender_name="依据")
    parsed = email.message_from_bytes(msg.as_bytes(), policy=default_policy)
    assert parsed["Subject"] == "日报：修改 2 部" and parsed["To"].addresses[0].display_name == "法制科（张）"
    assert parsed.get_body(("plain",)).get_content().splitlines() == ["正文", "第二行"]
    assert parsed["Message-ID"].endswith("@example.gov.cn>")


def test_a_run_that_dies_between_claiming_and_queueing_loses_nothing(db, night, settings, monkeypatch):
    """Claim and queue are one transaction: if the run dies in between, the next run reports it all."""
    import notify.publish as publishing

    def crash(*args, **kwargs):
        raise RuntimeError("killed while queueing")

    monkeypatch.setattr(publishing, "queue_digest_mail", crash)
    with pytest.raises(RuntimeError):
        publish(db, settings, 2, send=False)
    assert db.execute("SELECT count(*) FROM flags WHERE notified_run_id IS NOT NULL AND notified_run_id != 1"
                      ).fetchone()[0] == 0
    assert db["outbox"].count == 0
    monkeypatch.undo()
    db["runs"].insert({"id": 3, "started": "2025-12-29T18:30:00+00:00", "state": "running", "stats": "{}"})
    with smtp_server() as (server, port):
        settings.mail.host, settings.mail.port = "127.0.0.1", port
        stats = publish(db, settings, 3)
    assert stats["claimed"]["flags"] > 0 and stats["delivery"]["ok"]
    subjects = [str(m["message"]["Subject"]) for m in server.messages]
    alerts = [s for s in subjects if "【执法依据变动】" in s]
    assert alerts, "the dead run's flags reached the departments through the next run"


# ----- issue 13: nothing sent to nobody in silence; bounded mail ----------------------------------------

def test_a_department_nobody_can_receive_is_named_in_the_digest(db, night, settings):
    db.execute("DELETE FROM assignments")
    db.execute("UPDATE departments SET emails = '[]' WHERE id = ?", [night["wxb"]])
    db.conn.commit()
    stats = publish(db, settings, 2, send=False)
    assert stats["unreached"] and stats["unreached"][0].startswith("网信办")
    md = pathlib.Path(stats["digest"]["md"]).read_text("utf-8")
    assert "未能通知" in md and "网信办" in md.split("未能通知")[1]
    digest = [r for r in outbox.listing(db) if r["kind"] == "digest"][0]
    assert "未能通知" in outbox.get(db, digest["id"])["body_text"]


def test_the_digest_mail_stays_under_the_limit_and_points_at_the_full_digest(db, night, settings):
    settings.mail.max_message_bytes = 20_000
    settings.digest.base_url = "https://fzb.example.gov.cn/yiju"
    stats = publish(db, settings, 2, send=False)
    full = pathlib.Path(stats["digest"]["html"]).read_text("utf-8")
    assert len(full.encode()) > 20_000                         # the file keeps everything
    for row in outbox.listing(db):
        message = outbox.get(db, row["id"])
        size = len(message["body_text"].encode()) + len(message["body_html"].encode())
        assert size <= 20_000, (row["kind"], row["recipient"], size)
    digest = outbox.get(db, [r for r in outbox.listing(db) if r["kind"] == "digest"][0]["id"])
    assert "简要版" in digest["body_text"] and "https://fzb.example.gov.cn/yiju/2025-12-29-run2/digest.html" in digest["body_text"]
    assert "日报" in stats["queued"]["shortened"]


def test_a_department_alert_too_large_names_what_it_left_out(db, night, settings):
    settings.mail.max_message_bytes = 12_000
    report = queue_department_alerts(db, 2, settings)
    assert "市场监督管理局" in report.shortened
    text = alert_to(db, "scjg@example.gov.cn")["body_text"]
    assert "未在本邮件中逐条列出" in text and "yiju flags --department" in text


def test_a_run_without_crawl_is_not_titled_as_a_source_failure(db, night, settings):
    run = db["runs"].insert({"started": "2026-01-01T18:30:00+00:00", "state": "succeeded",
                             "stats": json.dumps({"crawl": {"skipped": True}})}).last_pk
    publish(db, settings, run, send=False)
    digest = [r for r in outbox.listing(db) if r["kind"] == "digest" and r["run_id"] == run][0]
    assert "【数据源异常】" not in outbox.get(db, digest["id"])["subject"]


def test_names_are_escaped_in_the_markdown_digest(db, night, settings):
    db.execute("UPDATE departments SET name = ? WHERE id = ?", ["<script>alert(1)</script>局", night["scjg"]])
    db.execute("UPDATE duties SET name = ? WHERE id = ?", ["**<img src=x>**复核", night["duties"]["modified"]])
    db.conn.commit()
    stats = publish(db, settings, 2, send=False)
    md = pathlib.Path(stats["digest"]["md"]).read_text("utf-8")
    assert not re.search(r"(?<!\\)<(script|img)", md)
    assert "\\<script\\>alert(1)\\</script\\>局" in md and "\\*\\*\\<img src=x\\>\\*\\*复核" in md


def test_an_article_amended_in_place_is_not_re_cited_to_itself():
    """第十五条 amended, still 第十五条: no 建议改引 to the same number, the words to re-read, a dismiss offered."""
    from notify.alerts import fix_view

    flag = {"id": 3, "article": "第十五条", "paragraph": None, "item": None, "sub_item": None,
            "citation_field": "basis", "basis_text": "《侵害消费者权益行为处罚办法》第十五条",
            "suggestion": {"new_label": "第十五条", "diff": [[0, "处以"], [-1, "一"], [1, "十"], [0, "万元以下的罚款。"]]}}
    fix = fix_view(flag)
    assert fix["labels"] == [] and fix["basis"] == "" and fix["same_place"] == "第十五条"
    assert any(c.startswith("yiju flags dismiss 3 --reason") for c in fix["commands"])
    moved = fix_view({**flag, "suggestion": {"new_label": "第十六条"}})
    assert moved["labels"] == ["第十六条"] and not moved["same_place"]
    assert moved["basis"] == "《侵害消费者权益行为处罚办法》第十六条"
