"""The outbox and SMTP delivery, through real SMTP servers on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import datetime as _dt
import email
import fcntl
import json
import pathlib
import sys
from email.policy import default as default_policy

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "tools"))

from notify_night import build_night  # noqa: E402
from notify_smtp import free_port, silent_server, smtp_server  # noqa: E402

from config.settings import MailSettings, Settings  # noqa: E402
from notify import outbox  # noqa: E402
from notify.deliver import send_pending  # noqa: E402
from notify.publish import queue_run  # noqa: E402

EXPECTED = {  # who gets tonight's mail: department contacts, staff in the flagged posts, legal staff
    "scjg@example.gov.cn", "zhangsan@example.gov.cn", "lisi@example.gov.cn",   # 市场监督管理局
    "zhaoliu@example.gov.cn",                                                  # 网信办 (no contact address)
    "cgj@example.gov.cn",                                                      # 城管局 (钱七 starts in 2030)
    "fzb@example.gov.cn",                                                      # the digest
}


class Killed(BaseException):
    """Stands for the process being killed at that point."""


def mail_settings(port: int, **extra) -> MailSettings:
    return MailSettings(host="127.0.0.1", port=port, timeout=5.0, sender="yiju@fzb.example.gov.cn",
                        digest_to=["fzb@example.gov.cn"], **extra)


@pytest.fixture
def night(db, tmp_path, monkeypatch):
    """Tonight's messages queued in the outbox; returns the settings used."""
    monkeypatch.setenv("YIJU_TODAY", "2025-12-29")
    build_night(db)
    settings = Settings()
    settings.digest.dir = tmp_path / "digests"
    settings.mail = mail_settings(25)
    report = queue_run(db, settings, 2)
    assert report.queued == len(EXPECTED)
    return settings


def later(minutes: int) -> str:
    return (_dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(minutes=minutes)).replace(microsecond=0).isoformat()


def test_every_recipient_gets_one_multipart_message_in_chinese(db, night):
    with smtp_server() as (server, port):
        report = send_pending(db, mail_settings(port))
    assert report.ok and len(report.sent) == len(EXPECTED)
    assert sorted(r for m in server.messages for r in m["rcpt_tos"]) == sorted(EXPECTED)
    assert all(len(m["rcpt_tos"]) == 1 for m in server.messages)   # nobody sees another's address

    (msg,) = [m["message"] for m in server.to("zhangsan@example.gov.cn")]
    raw_headers = server.to("zhangsan@example.gov.cn")[0]["raw"].split(b"\r\n\r\n")[0]
    raw_headers.decode("ascii")                                      # UTF-8 only as RFC 2047 words
    assert msg["Subject"] == "【执法依据变动】市场监督管理局：2 项职权需复核（较高 2）· 2025-12-29"  # his post only
    assert msg["To"].addresses[0].display_name == "张三"
    assert msg["To"].addresses[0].addr_spec == "zhangsan@example.gov.cn"
    assert msg["From"].addresses[0].display_name == "依据 执法依据动态监测"
    row = db.execute("SELECT message_id, state, sent_at FROM outbox WHERE recipient = ?",
                     ["zhangsan@example.gov.cn"]).fetchone()
    assert msg["Message-ID"] == row[0] and row[1] == "sent" and row[2]
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert text.startswith("张三：") and "您所在的岗位：行政处罚科" in text
    assert "原第三十二条 → 现第四十五条" in text and "yiju flags resolve 1" in text
    assert "原第三十二条 → 现第四十五条" in html and "<ins>" in html

    digest = server.to("fzb@example.gov.cn")[0]["message"]
    assert digest["Subject"].startswith("【数据源异常】【执法依据变动日报】2025-12-29")
    assert "## 一、数据源状态" in digest.get_body(("plain",)).get_content()

    with smtp_server() as (server2, port2):
        again = send_pending(db, mail_settings(port2))
    assert again.sent == [] and server2.messages == []               # nothing twice


def test_a_long_outage_never_gives_up_on_a_message(db, night):
    """Ten passes against a server that is down: every message still waits (never 'failed')."""
    port = free_port()
    settings = mail_settings(port, max_attempts=3)
    for hours in range(1, 11):
        send_pending(db, settings, ignore_backoff=True, at=later(hours * 60))
    rows = outbox.listing(db)
    assert {r["state"] for r in rows} == {"pending"} and min(r["attempts"] for r in rows) >= 10
    with smtp_server(port) as (server, _):
        up = send_pending(db, settings, ignore_backoff=True)
    assert up.ok and len(server.messages) == len(EXPECTED)


def test_server_down_then_up_loses_and_duplicates_nothing(db, night):
    port = free_port()
    down = send_pending(db, mail_settings(port))
    assert not down.ok and not down.sent and len(down.deferred) == len(EXPECTED)
    assert f"127.0.0.1:{port}" in down.server_error and "无法连接" in down.server_error
    assert any("无法连接" in line for line in down.lines())
    rows = outbox.listing(db)
    assert {r["state"] for r in rows} == {"pending"} and {r["attempts"] for r in rows} == {1}
    assert all(r["last_error"] and r["next_attempt_at"] > r["created_at"] for r in rows)

    # Called again at once: the back-off holds the messages, nothing is attempted.
    with smtp_server(port) as (server, _):
        waiting = send_pending(db, mail_settings(port))
        assert waiting.sent == [] and server.messages == []
        up = send_pending(db, mail_settings(port), at=later(60))
        assert up.ok and len(up.sent) == len(EXPECTED)
        assert sorted(r for m in server.messages for r in m["rcpt_tos"]) == sorted(EXPECTED)
        assert send_pending(db, mail_settings(port), at=later(120)).sent == []
    assert {r["state"] for r in outbox.listing(db)} == {"sent"}


def test_a_permanently_refused_recipient_fails_at_once_and_can_be_requeued(db, night):
    """Issue 13 item 6: a 5xx is the server's final word; it is not retried like a 4xx."""
    with smtp_server() as (server, port):
        server.refuse.add("lisi@example.gov.cn")
        first = send_pending(db, mail_settings(port, max_attempts=8))
        assert len(first.sent) == len(EXPECTED) - 1 and not first.deferred and not first.ok
        (refused,) = first.failed
        assert refused["recipient"] == "lisi@example.gov.cn" and "550" in refused["error"]
        assert any("lisi@example.gov.cn" in line and "550" in line for line in first.lines())
        again = send_pending(db, mail_settings(port, max_attempts=8), ignore_backoff=True)
    assert again.sent == [] and again.failed == []                  # nothing tried again
    row = outbox.listing(db, state="failed")[0]
    assert row["attempts"] == 1 and "永久拒绝" in row["last_error"] and "requeue" in row["last_error"]
    assert server.to("lisi@example.gov.cn") == []


def test_a_server_that_never_answers_times_out_and_keeps_the_messages(db, night):
    with silent_server() as port:
        report = send_pending(db, MailSettings(host="127.0.0.1", port=port, timeout=0.3,
                                               sender="yiju@fzb.example.gov.cn"))
    assert not report.ok and "超时" in report.server_error
    assert {r["state"] for r in outbox.listing(db)} == {"pending"}


def test_crash_after_the_server_took_the_message_sends_nothing_twice(db, night, monkeypatch):
    real_mark_sent = outbox.mark_sent

    def killed(*args, **kwargs):
        raise Killed()

    with smtp_server() as (server, port):
        monkeypatch.setattr(outbox, "mark_sent", killed)
        with pytest.raises(Killed):
            send_pending(db, mail_settings(port))
        monkeypatch.setattr(outbox, "mark_sent", real_mark_sent)
        assert len(server.messages) == 1                       # delivered, but not recorded
        first = server.messages[0]["rcpt_tos"][0]
        assert outbox.listing(db, state="sending")[0]["recipient"] == first

        after = send_pending(db, mail_settings(port))           # the next run
        assert [u["recipient"] for u in after.unconfirmed] == [first]
        assert len(after.sent) == len(EXPECTED) - 1
        assert len(server.to(first)) == 1                       # not sent a second time
        row = outbox.listing(db, state="failed")[0]
        assert "投递结果不明" in row["last_error"] and f"yiju mail requeue {row['id']}" in row["last_error"]
        assert send_pending(db, mail_settings(port), at=later(600)).sent == []

        # A person checked: it did not arrive. Requeued, it goes out with the same Message-ID.
        outbox.requeue(db, row["id"])
        assert send_pending(db, mail_settings(port)).ok
        copies = server.to(first)
        assert len(copies) == 2 and copies[0]["message"]["Message-ID"] == copies[1]["message"]["Message-ID"]


def test_crash_before_the_message_content_went_out_resends_it_once(db, night, monkeypatch):
    real = outbox.mark_sending

    def killed(*args, **kwargs):
        raise Killed()

    with smtp_server() as (server, port):
        monkeypatch.setattr(outbox, "mark_sending", killed)
        with pytest.raises(Killed):
            send_pending(db, mail_settings(port))
        monkeypatch.setattr(outbox, "mark_sending", real)
        assert server.messages == []
        report = send_pending(db, mail_settings(port))
    assert report.ok and len(report.sent) == len(EXPECTED)
    assert sorted(r for m in server.messages for r in m["rcpt_tos"]) == sorted(EXPECTED)


def test_only_one_sender_at_a_time(db, night, tmp_path):
    with open(str(tmp_path / "yiju.db") + ".mail.lock", "a+") as other:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)        # another `yiju mail send` is running
        with smtp_server() as (server, port):
            report = send_pending(db, mail_settings(port))
    assert report.busy and not report.ok and server.messages == []
    assert "另一个发送进程" in report.summary()
    assert {r["state"] for r in outbox.listing(db)} == {"pending"}


def test_queueing_twice_adds_nothing_and_keys_are_per_department(db, night):
    settings = Settings()
    settings.mail = mail_settings(25)
    again = queue_run(db, settings, 2)
    assert again.queued == 0 and again.already == len(EXPECTED)
    assert db["outbox"].count == len(EXPECTED)
    # One person who is the contact of two departments gets both departments' alerts.
    first = outbox.queue(db, run_id=2, kind="department_alert", recipient="x@example.gov.cn", scope=1,
                         subject="甲", body_text="甲", sender="yiju@example.gov.cn")
    second = outbox.queue(db, run_id=2, kind="department_alert", recipient="X@Example.gov.cn", scope=2,
                          subject="乙", body_text="乙", sender="yiju@example.gov.cn")
    same = outbox.queue(db, run_id=2, kind="department_alert", recipient="x@example.gov.cn", scope=1,
                        subject="甲", body_text="甲", sender="yiju@example.gov.cn")
    assert first.created and second.created and not same.created and same.id == first.id


def test_dry_run_writes_eml_files_instead_of_sending(db, night, tmp_path):
    folder = tmp_path / "eml"
    report = send_pending(db, mail_settings(free_port(), dry_run_dir=str(folder)))
    assert report.ok and report.dry_run and len(report.written) == len(EXPECTED)
    files = sorted(folder.glob("*.eml"))
    assert len(files) == len(EXPECTED)
    parsed = [email.message_from_bytes(f.read_bytes(), policy=default_policy) for f in files]
    assert sorted(m["To"].addresses[0].addr_spec for m in parsed) == sorted(EXPECTED)
    assert "写入 .eml" in report.summary()
    assert send_pending(db, mail_settings(free_port(), dry_run_dir=str(folder))).written == []


def test_mail_commands(tmp_path, monkeypatch):
    from registry.schema import connect
    from tests.conftest import Yiju

    monkeypatch.setenv("YIJU_TODAY", "2025-12-29")
    db = connect(tmp_path / "data" / "yiju.db")
    build_night(db)
    settings = Settings()
    settings.mail = mail_settings(25)
    queue_run(db, settings, 2)
    db.close()
    down = free_port()
    config = tmp_path / "yiju.toml"
    config.write_text(f'[registry]\npath = "data/yiju.db"\n[mail]\nhost = "127.0.0.1"\nport = {down}\n'
                      'sender = "yiju@fzb.example.gov.cn"\ntimeout = 5.0\n', encoding="utf-8")
    yiju = Yiju(config)
    failed = yiju("mail", "send")
    assert failed.exit_code == 1 and "待重试 6 封" in failed.output and "无法连接" in failed.output

    with smtp_server(down) as (server, _):
        waiting = yiju("mail", "send")
        assert waiting.exit_code == 0 and "没有需要发送的邮件" not in waiting.output
        assert "另有 6 封在重试等待中" in waiting.output and "--retry-now" in waiting.output   # issue 13 item 19
        sent = yiju("mail", "send", "--retry-now", "--json")
    assert sent.exit_code == 0, sent.output
    assert len(json.loads(sent.stdout)["sent"]) == len(EXPECTED) == len(server.messages)

    listed = yiju("mail", "list", "--json")
    rows = json.loads(listed.stdout)
    assert {r["state"] for r in rows} == {"sent"} and {r["recipient"] for r in rows} == EXPECTED
    text = yiju("mail", "list", "--state", "sent")
    assert "zhangsan@example.gov.cn" in text.output and "已发送" in text.output
    refused = yiju("mail", "requeue", rows[0]["id"])
    assert refused.exit_code == 2 and "已于" in refused.output and "不能重新排队" in refused.output
    missing = yiju("mail", "requeue", "999")
    assert missing.exit_code == 2 and "没有编号为 999 的邮件" in missing.output


def test_a_421_closing_the_connection_does_not_spoil_the_next_message(db):
    """421 from MAIL, the server hangs up: each message is tried on a fresh connection, with its own reason."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(10)
    connections = []

    def serve():
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            connections.append(client)
            reader = client.makefile("rb")
            client.sendall(b"220 mirror ESMTP\r\n")
            while True:
                line = reader.readline()
                if not line:
                    break
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    client.sendall(b"250 ok\r\n")
                elif verb == b"MAIL":
                    client.sendall(b"421 4.7.0 too busy, closing\r\n")
                    client.shutdown(socket.SHUT_RDWR)
                    client.close()
                    break
                else:
                    client.sendall(b"250 ok\r\n")

    threading.Thread(target=serve, daemon=True).start()
    try:
        for address in ("a@example.gov.cn", "b@example.gov.cn", "c@example.gov.cn"):
            outbox.queue(db, run_id=None, kind="digest", recipient=address, scope="digest", subject="日报",
                         body_text="正文", sender="yiju@example.gov.cn")
        report = send_pending(db, MailSettings(sender="yiju@example.gov.cn", host="127.0.0.1",
                                               port=listener.getsockname()[1], security="none", timeout=5))
    finally:
        listener.close()
    assert len(connections) == 3
    assert [m["error"].startswith("421") or "421" in m["error"] for m in report.deferred] == [True] * 3
