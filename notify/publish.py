"""The notify stage of a nightly run: write the digest, queue the e-mails, deliver what is due.

Each step is idempotent, so a run that died half way is simply run again: the digest files
are rewritten, the outbox refuses a second copy of a message, and delivery never sends a
message twice (``notify/deliver.py``).

>>> from registry.schema import connect
>>> from registry.runs import start_run
>>> from config.settings import Settings
>>> import tempfile, pathlib
>>> s = Settings()
>>> s.digest.dir = pathlib.Path(tempfile.mkdtemp())
>>> db = connect(":memory:")
>>> run_id = start_run(db, started="2026-05-01T18:30:00+00:00")
>>> stats = publish(db, s, run_id, send=False)
>>> stats["queued"]["queued"], stats["delivery"]
(0, None)
"""

from __future__ import annotations

import ssl

import sqlite_utils

from config.settings import Settings
from notify.alerts import QueueReport, queue_department_alerts, queue_digest_mail
from notify.deliver import send_pending
from notify.digest import write_digest
from notify.reminders import queue_reminders
from registry.night import claim_unreported
from registry.runs import save_run


def queue_run(db: sqlite_utils.Database, settings: Settings, run_id: int,
              report: QueueReport | None = None) -> QueueReport:
    """Store every message of run ``run_id`` in the outbox (department alerts, reminders and
    escalations, then the digest)."""
    report = report or QueueReport()
    queue_department_alerts(db, run_id, settings, report)
    queue_reminders(db, run_id, settings, report)
    queue_digest_mail(db, run_id, settings, report)
    return report


def publish(db: sqlite_utils.Database, settings: Settings, run_id: int, *, send: bool = True,
            ssl_context: ssl.SSLContext | None = None) -> dict:
    """Digest, outbox, delivery for one run; returns the figures for ``runs.stats["notify"]``.

    ``delivery["ok"]`` is False when a message could not be delivered (it stays in the outbox
    and the next run or ``yiju mail send`` tries again): the run should report it.
    """
    # Claiming and queueing are one transaction: a run that dies in between leaves nothing
    # claimed, so the next run reports it (the digest files are rewritten, they hold no state).
    with db.atomic():
        claimed = claim_unreported(db, run_id)
        # Alerts first: the digest names the departments whose alerts reach nobody (未能通知).
        queued = queue_department_alerts(db, run_id, settings, QueueReport())
        queue_reminders(db, run_id, settings, queued)
        paths = write_digest(db, run_id, settings.digest.dir, unreached=queued.unreached)
        if paths.get("html"):
            save_run(db, run_id, digest_path=str(paths["html"]))
        queue_digest_mail(db, run_id, settings, queued)
    delivery = send_pending(db, settings.mail, ssl_context=ssl_context) if send else None
    return {
        "claimed": claimed,
        "digest": {k: str(v) for k, v in paths.items()},
        "queued": queued.to_json(),
        "unreached": queued.unreached,
        "delivery": delivery.to_json() if delivery is not None else None,
    }
