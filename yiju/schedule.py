"""``yiju schedule``: run the nightly job with APScheduler 3, per ``[schedule]``.

Coalesced (missed runs collapse into one), one instance at a time, a misfire grace time, each
run logged; SIGTERM and SIGINT stop the scheduler cleanly after the running job finishes.

>>> trigger = make_trigger("30 2 * * *", "Asia/Shanghai")
>>> str(trigger.timezone)
'Asia/Shanghai'
"""

from __future__ import annotations

import datetime
import logging
import signal
from typing import Callable

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

log = logging.getLogger("yiju.schedule")


def make_trigger(cron: str, timezone: str) -> CronTrigger:
    return CronTrigger.from_crontab(cron, timezone=timezone)


def build_scheduler(job: Callable[[], object], cron: str, timezone: str, misfire_grace: int) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=timezone)
    scheduler.add_job(
        job,
        make_trigger(cron, timezone),
        id="nightly",
        name="yiju nightly run",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=misfire_grace,
        replace_existing=True,
    )
    return scheduler


def serve(job: Callable[[], object], cron: str, timezone: str, misfire_grace: int) -> None:
    """Block until SIGTERM/SIGINT, running ``job`` on the cron schedule."""
    from apscheduler.events import EVENT_SCHEDULER_STARTED

    scheduler = build_scheduler(job, cron, timezone, misfire_grace)
    trigger = make_trigger(cron, timezone)

    def started(_event):
        next_run = trigger.get_next_fire_time(None, datetime.datetime.now(trigger.timezone))
        log.warning("schedule started: cron %r (%s), next run %s", cron, timezone, next_run)

    def stop(signum, _frame):
        log.warning("received signal %s, stopping the schedule", signum)
        if scheduler.running:
            scheduler.shutdown(wait=True)
        else:  # the signal came before the scheduler started: nothing runs yet
            raise SystemExit(0)

    scheduler.add_listener(started, EVENT_SCHEDULER_STARTED)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.start()
    log.warning("schedule stopped")
