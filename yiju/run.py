"""One nightly run: crawl → diff → impact → notify, recorded as a ``runs`` row.

Every stage is idempotent, so a run that died half way (even ``kill -9``) is finished by the
next one: changes are unique, impact marks what it processed, the digest marks what it reported,
alerts mark the flags they told, and the outbox has one message per (run, recipient, kind).

>>> STAGES
('crawl', 'diff', 'impact', 'notify')
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import pathlib
import traceback
from dataclasses import dataclass, field

import sqlite_utils

from config.settings import Settings
from registry import changes, runs
from config.clock import now, today
from config.glossary import name

log = logging.getLogger("yiju.run")

STAGES = ("crawl", "diff", "impact", "notify")


class AlreadyRunning(Exception):
    """Another run holds the lock; the message says which."""


@dataclass
class RunResult:
    run_id: int
    state: str                      # succeeded / degraded / failed
    stats: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    digest: dict = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 0 if self.state == "succeeded" else 1


def lock_path(settings: Settings) -> pathlib.Path:
    return pathlib.Path(str(settings.registry.path) + ".run.lock")


@contextlib.contextmanager
def run_lock(settings: Settings):
    """Hold the run lock, or raise AlreadyRunning at once (never wait)."""
    path = lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "未知进程"
        handle.close()
        raise AlreadyRunning(f"另一个 yiju 夜间任务正在运行（{holder}），本次不再启动。锁文件：{path}")
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"PID {os.getpid()}，开始于 {now()}")
        handle.flush()
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _abandon_dead_runs(db: sqlite_utils.Database) -> list[int]:
    """Runs still marked 'running' while we hold the lock died: mark them abandoned."""
    return runs.abandon_running(db, "上一次运行未正常结束（进程被终止），其工作由本次运行继续完成")


_save = runs.save_run


def nightly(settings: Settings, db: sqlite_utils.Database, *, crawl: bool = True,
            send_mail: bool = True) -> RunResult:
    """Run the stages once; the caller holds ``run_lock``. Never raises for a failing stage."""
    abandoned = _abandon_dead_runs(db)
    run_id = runs.start_run(db)
    result = RunResult(run_id=run_id, state="running", stats={"date": today()})
    if abandoned:
        result.stats["resumed_after"] = abandoned
    stages = [s for s in STAGES if crawl or s != "crawl"]
    if not crawl:
        result.stats["crawl"] = {"skipped": True}
    for stage in stages:
        _save(db, run_id, stage=stage, stats=result.stats)
        try:
            result.stats[stage] = STAGE_FUNCTIONS[stage](settings, db, run_id, result, send_mail)
        except Exception as exc:  # a failing stage fails the run, the next stages still run
            log.error("stage %s failed: %s", stage, exc)
            log.debug("%s", traceback.format_exc())
            result.errors.append(f"{name('stage', stage)}阶段失败：{exc}")
            result.stats[stage] = {"error": str(exc)}
            _save(db, run_id, stats=result.stats, error="\n".join(result.errors))
    if settings.backup.dir is not None:
        result.stats["backup"] = _backup(settings, result)
    state = "failed" if result.errors else ("degraded" if result.warnings else "succeeded")
    result.state = state
    _save(db, run_id, state=state, finished=now(), stage=None, stats=result.stats,
          error="\n".join(result.errors + result.warnings) or None)
    return result


def _backup(settings: Settings, result: RunResult) -> dict:
    """The nightly copy of the registry (``[backup]``), the newest ``keep`` kept."""
    from registry.backup import BackupError, make_backup  # start-up: loaded when the command runs

    try:
        path = make_backup(settings.registry.path, settings.backup.dir, keep=settings.backup.keep)
    except BackupError as exc:
        result.warnings.append(f"备份失败：{exc}")
        return {"error": str(exc)}
    return {"path": str(path)}


def _crawl(settings, db, run_id, result, send_mail) -> dict:
    from crawler.run import crawl  # start-up: loaded when the command runs

    stats = crawl(settings, run_id=run_id)
    for name, source in (stats.get("sources") or {}).items():
        if not source.get("ok", True):
            result.warnings.append(f"数据源 {name} 异常：{source.get('error') or '未知错误'}")
    return stats


def _diff(settings, db, run_id, result, send_mail) -> dict:
    """Check new amendments against their amending decisions, and re-resolve citations.

    The article alignment itself was written with each version (``impact.record``); this stage
    compares it with the decision's instructions and brings every citation up to date.
    """
    from impact.decisions import check_recorded_changes  # start-up: loaded when the command runs
    from impact.duties import reresolve_citations  # start-up: loaded when the command runs

    stats = check_recorded_changes(db)
    changed_laws = sorted({c["law_id"] for c in changes.unprocessed(db)})
    stats["changed_laws"] = len(changed_laws)
    stats["citations_reresolved"] = reresolve_citations(db, law_ids=changed_laws) if changed_laws else 0
    return stats


def _impact(settings, db, run_id, result, send_mail) -> dict:
    from impact.process import run_impact  # start-up: loaded when the command runs

    return run_impact(db, run_id=run_id)


def _notify(settings, db, run_id, result, send_mail) -> dict:
    from notify.publish import publish  # start-up: loaded when the command runs
    from registry.attention import held_versions  # start-up: loaded when the command runs

    _save(db, run_id, stats=result.stats)  # the digest reads this run's stats (source health)
    stats = publish(db, settings, run_id, send=send_mail)
    result.digest = dict(stats.get("digest") or {})
    unreached = stats.get("unreached") or []
    if unreached:
        result.warnings.append(f"未能通知：{len(unreached)} 个部门或岗位有新的提示，但没有可用的收件邮箱"
                               f"（{'、'.join(unreached[:5])}{'等' if len(unreached) > 5 else ''}）")
    held = len(held_versions(db))
    if held:
        result.warnings.append(f"{held} 个新文本暂存待核对，尚未使用（yiju laws held）")
    delivery = stats.get("delivery") or {}
    if delivery and not delivery.get("ok", True):
        result.warnings.append("有邮件未能投递，已留在发件箱，下次运行或 yiju mail send 时重试（见 yiju mail list）")
    return stats


STAGE_FUNCTIONS = {"crawl": _crawl, "diff": _diff, "impact": _impact, "notify": _notify}
