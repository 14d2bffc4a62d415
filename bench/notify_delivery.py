"""Notify speed: the digest of a realistic night, and delivering N e-mails through the outbox.

Digest: the night of the notify tests (tests/tools/notify_night.py: 行政处罚法 2017→2021 and
网络安全法 with every changed article in 对照, a repeal, a new law, five flags), rendered to
HTML and Markdown and written with the index.

Delivery: N department alerts of that night's size, queued in the outbox and sent by
``send_pending`` to a local aiosmtpd server (three committed state changes per message: attempt,
sending, sent). Baseline in the same process: the same messages sent with one plain
``smtplib.SMTP.send_message`` each over one connection, nothing recorded. The ratio is the price
of never losing or doubling a message.

    .venv/bin/python bench/notify_delivery.py [--messages 200]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import smtplib
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "tools")]

from notify_night import build_night  # noqa: E402
from notify_smtp import smtp_server  # noqa: E402

from config.settings import MailSettings  # noqa: E402
from notify import outbox  # noqa: E402
from notify.compose import build  # noqa: E402
from notify.deliver import send_pending  # noqa: E402
from notify.digest import write_digest  # noqa: E402
from registry.schema import connect  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    os.environ["YIJU_TODAY"] = "2025-12-29"
    work = pathlib.Path(tempfile.mkdtemp(prefix="yiju-notify-bench-"))
    db = connect(work / "bench.db")
    build_night(db)

    started = time.perf_counter()
    paths = write_digest(db, 2, work / "digests")
    digest_s = time.perf_counter() - started
    print(f"digest: {digest_s * 1000:.0f} ms for {paths['html'].stat().st_size // 1024} KiB HTML "
          f"+ {paths['md'].stat().st_size // 1024} KiB Markdown")

    from notify.alerts import queue_department_alerts
    from config.settings import Settings

    settings = Settings()
    settings.mail = MailSettings(sender="yiju@example.gov.cn")
    queue_department_alerts(db, 2, settings)
    sample = outbox.get(db, 1)
    db.execute("DELETE FROM outbox")
    db.conn.commit()

    started = time.perf_counter()
    for i in range(args.messages):
        outbox.queue(db, run_id=2, kind="department_alert", recipient=f"user{i}@example.gov.cn", scope=i,
                     subject=sample["subject"], body_text=sample["body_text"], body_html=sample["body_html"],
                     sender="yiju@example.gov.cn")
    queue_s = time.perf_counter() - started
    rows = [outbox.get(db, r["id"]) for r in outbox.listing(db)]

    with smtp_server() as (server, port):
        mail = MailSettings(host="127.0.0.1", port=port, sender="yiju@example.gov.cn", timeout=30)
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as conn:
            for row in rows:
                conn.send_message(build(row, sender=mail.sender, sender_name=mail.sender_name))
        baseline_s = time.perf_counter() - started
        started = time.perf_counter()
        report = send_pending(db, mail)
        outbox_s = time.perf_counter() - started
        assert report.ok and len(report.sent) == args.messages
        assert len(server.messages) == 2 * args.messages
    size = len(build(rows[0], sender=mail.sender).as_bytes()) // 1024
    print(f"queue: {args.messages} messages ({size} KiB each) in {queue_s * 1000:.0f} ms")
    print(f"send, plain smtplib (baseline): {baseline_s:.2f} s ({args.messages / baseline_s:.0f}/s)")
    print(f"send, outbox + send_pending:    {outbox_s:.2f} s ({args.messages / outbox_s:.0f}/s)")
    print(f"ratio outbox / baseline: {outbox_s / baseline_s:.2f}")


if __name__ == "__main__":
    main()
