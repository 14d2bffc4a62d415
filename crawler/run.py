"""Crawling the configured sources: ``crawl(settings, run_id=…, sources=…) -> dict``.

Scrapy runs in a child process (twisted's reactor cannot be restarted in one process, and the
nightly run, the demo and the tests crawl several times). The child writes the registry (SQLite
WAL; ``registry.schema.connect`` sets the busy timeout) and sends back, per source::

    {"kind": "flk", "health": "ok" | "failed" | "skipped", "error": None | "…",
     "requests": 33, "listed": 30896, "new_versions": 4, "status_changes": 3, "failures": 0, …}

When ``run_id`` is None a ``runs`` row is written for this crawl alone (stage ``crawl``), so every
version and change it records names the run that found it.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import pathlib
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

from config import limits
from config.settings import ConfigError, Settings
from config.clock import now
from registry.schema import connect
from crawler.record import stats_of
from crawler.scrapy_settings import SPIDERS, for_source, problems
from registry import listings, runs

log = logging.getLogger(__name__)


class CrawlError(Exception):
    """The crawl could not run at all (the message is Chinese)."""


def select(settings: Settings, names: list[str] | None) -> list:
    """The sources to crawl: the named ones (unknown names are an error), else every enabled one."""
    if names:
        return [settings.source(n) for n in names]
    return [s for s in settings.sources if s.enabled]


def crawl(settings: Settings, *, run_id: int | None = None, sources: list[str] | None = None,
          log_level: str | None = None, progress: bool | None = None) -> dict:
    """Crawl the sources (all enabled ones by default); return per-source statistics and health:
    ``{"ok": bool, "requests": n, "new_versions": n, "status_changes": n, "failures": n,
    "sources": {name: {...}}}``."""
    try:
        chosen = select(settings, sources)
    except ConfigError as exc:
        raise CrawlError(str(exc)) from exc
    if not chosen:
        return summarise({})
    if log_level is None:
        level = logging.getLogger().getEffectiveLevel()
        log_level = "INFO" if level <= logging.INFO else "WARNING"
    if progress is None:
        progress = bool(settings.crawl.progress and sys.stderr.isatty())
    own_run = run_id is None
    if own_run:
        run_id = _start_run(settings)
    result: dict | None = None
    try:
        result = summarise(_in_child(settings, run_id, [s.name for s in chosen], log_level, progress))
        result["run_id"] = run_id
        return result
    finally:
        if own_run:
            _finish_run(settings, run_id, result)


TOTALS = ("requests", "new_versions", "status_changes", "changes", "instruments", "failures", "held")


def summarise(per_source: dict) -> dict:
    """Totals over the sources, with the per-source figures under ``sources``."""
    out: dict = {"ok": all(s.get("ok", False) for s in per_source.values() if s.get("health") != "skipped")}
    for key in TOTALS:
        out[key] = sum(int(s.get(key) or 0) for s in per_source.values())
    out["sources"] = per_source
    return out


def _in_child(settings: Settings, run_id: int, names: list[str], log_level: str, progress: bool) -> dict:
    """Run ``python -m crawler.run`` with the job pickled on stdin; read its result file."""
    with tempfile.TemporaryDirectory(prefix="yiju-crawl-") as tmp:
        result_file = pathlib.Path(tmp) / "result.json"
        job = pickle.dumps((settings, run_id, names, log_level, progress, str(result_file), os.getpid()))
        try:
            proc = subprocess.run([sys.executable, "-m", "crawler.run"], input=job, stdout=subprocess.DEVNULL)
        except OSError as exc:
            raise CrawlError(f"无法启动抓取进程：{exc}") from exc
        if not result_file.exists():
            raise CrawlError(f"抓取进程意外退出（退出码 {proc.returncode}），登记库中已写入的内容保持不变")
        status, payload = json.loads(result_file.read_text("utf-8"))
    if status != "ok":
        raise CrawlError(f"抓取进程出错：{payload}")
    return payload


def _child_main() -> None:
    """Entry of the child process: the job comes pickled on stdin (it is our own parent's)."""
    settings, run_id, names, log_level, progress, result_file, *parent = pickle.loads(sys.stdin.buffer.read())
    if parent:
        die_with_parent(parent[0])
    limits.use(settings.limits)
    try:
        message = ("ok", crawl_here(settings, run_id, names, log_level, progress))
    except BaseException as exc:  # report everything to the parent
        message = ("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
    pathlib.Path(result_file).write_text(json.dumps(message, ensure_ascii=False), "utf-8")


PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """End this process when the parent (``yiju run`` / ``yiju crawl``) dies, even by ``kill -9``:
    a crawl must never go on writing outside the run lock next to the next run.

    Linux: the kernel sends SIGKILL (prctl PR_SET_PDEATHSIG); elsewhere, and as a second guard,
    a thread checks every second that the parent is still ours.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:      # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="yiju-parent-watch", daemon=True).start()


def crawl_here(settings: Settings, run_id: int, names: list[str], log_level: str = "WARNING",
               progress: bool = False) -> dict:
    """Run the spiders in this process (call it once per process: the reactor cannot restart)."""
    from scrapy.crawler import AsyncCrawlerProcess, Crawler
    from scrapy.utils.misc import load_object

    process = AsyncCrawlerProcess({"LOG_LEVEL": log_level, "TELNETCONSOLE_ENABLED": False,
                                   "LOG_INSTALL_ROOT_HANDLER": True})
    if log_level not in ("DEBUG", "INFO"):
        # A failure is reported in the summary, in one line; Scrapy's tracebacks (no network, DNS)
        # are for `yiju --verbose` only. (A record factory: Scrapy replaces its log handlers.)
        logging.setLogRecordFactory(_one_line_records(logging.getLogRecordFactory()))
    crawlers: dict[str, Crawler] = {}
    out: dict[str, dict] = {}
    for name in names:
        source = settings.source(name)
        if source.kind not in SPIDERS:
            out[name] = _skipped(source.kind, f"暂不支持的数据源类型 {source.kind}")
            continue
        wrong = problems(source)
        if wrong:
            out[name] = _skipped(source.kind, "；".join(wrong), health="failed")
            _record_start_failure(settings, source, out[name]["error"], run_id)
            continue
        spider_cls = load_object(SPIDERS[source.kind])
        crawler = Crawler(spider_cls, for_source(settings, source, run_id=run_id, log_level=log_level,
                                                 progress=progress))
        crawlers[name] = crawler
        process.crawl(crawler, source=source, crawl=settings.crawl, registry=str(settings.registry.path),
                      run_id=run_id)
    if crawlers:
        process.start()
    for name, crawler in crawlers.items():
        if crawler.spider is None or not getattr(crawler.spider, "started", False):
            out[name] = _skipped(settings.source(name).kind, "数据源未能启动（配置有误？）", health="failed")
            _record_start_failure(settings, settings.source(name), out[name]["error"], run_id)
        else:
            out[name] = stats_of(crawler)
    return out


def _one_line_records(make):
    """A log-record factory keeping each message on one line: the traceback becomes its last line."""
    def factory(*args, **kwargs):
        record = make(*args, **kwargs)
        if record.exc_info:
            exc = record.exc_info[1]
            if exc is not None:
                record.msg = f"{record.getMessage()}（{type(exc).__name__}: {exc}）"
                record.args = ()
            record.exc_info, record.exc_text = None, None
        return record
    return factory


def _skipped(kind: str, why: str, health: str = "skipped") -> dict:
    figures = dict.fromkeys(("requests", "listed", "to_fetch", "new_versions", "duplicates", "held",
                             "status_changes", "changes", "instruments", "unavailable", "retries",
                             "missing_from_listing", "bytes"), 0)
    return {"kind": kind, "ok": health != "failed", "throttled": False, "health": health, "error": why,
            "errors": [{"where": "配置", "error": why}] if health == "failed" else [],
            "listing_complete": False, **figures, "failures": 1 if health == "failed" else 0, "seconds": 0.0}


def _record_start_failure(settings: Settings, source, error: str, run_id: int) -> None:
    db = connect(settings.registry.path)
    try:
        listings.ensure_source(db, source.name, source.kind, source.base_url)
        listings.record_health(db, source.name, ok=False, error=error, run_id=run_id)
    finally:
        db.close()


def _start_run(settings: Settings) -> int:
    db = connect(settings.registry.path)
    try:
        return runs.start_run(db, stage="crawl")
    finally:
        db.close()


def _finish_run(settings: Settings, run_id: int, result: dict | None) -> None:
    db = connect(settings.registry.path)
    try:
        failed = result is None or not result.get("ok", False)
        runs.save_run(db, run_id, finished=now(), state="failed" if failed else "succeeded",
                      stats={"crawl": result or {}}, error=None if result is not None else "抓取未完成")
    finally:
        db.close()


if __name__ == "__main__":
    _child_main()
