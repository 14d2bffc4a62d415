"""A progress display on the terminal while sources are crawled (stderr, only when it is a TTY).

One line per source: what it is doing (列表 / 正文) and how many requests and documents so far.
"""

from __future__ import annotations

import sys

from scrapy import signals

_display = {"progress": None, "open": 0}


def _progress():
    if _display["progress"] is None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        _display["progress"] = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.fields[note]}"), console=Console(file=sys.stderr), transient=False,
        )
        _display["progress"].start()
    return _display["progress"]


class Progress:
    """Scrapy extension: one progress bar per source."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.task = None

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.tick, signal=signals.response_received)
        crawler.signals.connect(ext.tick, signal=signals.item_scraped)
        return ext

    def opened(self, spider) -> None:
        _display["open"] += 1
        self.task = _progress().add_task(f"{spider.source.name} 列表", total=None, note="")

    def tick(self, *args, **kwargs) -> None:
        spider = self.crawler.spider
        if self.task is None or spider is None:
            return
        stats = self.crawler.stats
        requests = stats.get_value("downloader/request_count", 0)
        plan = getattr(spider, "plan", None)
        if plan is None:
            _progress().update(self.task, completed=spider.pages_seen, total=spider.pages_expected,
                               note=f"请求 {requests}")
        else:
            done = (stats.get_value("yiju/new_versions", 0) + stats.get_value("yiju/outcome/duplicate", 0)
                    + stats.get_value("yiju/failed_documents", 0) + stats.get_value("yiju/unavailable", 0)
                    + stats.get_value("yiju/instruments", 0) + stats.get_value("yiju/outcome/held", 0))
            _progress().update(self.task, description=f"{spider.source.name} 正文", completed=done,
                               total=max(len(plan.fetch), done), note=f"请求 {requests}")

    def closed(self, spider) -> None:
        self.tick()
        _display["open"] -= 1
        if _display["open"] <= 0 and _display["progress"] is not None:
            _display["progress"].stop()
            _display["progress"] = None
