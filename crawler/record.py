"""The pipeline that writes what a spider found into the registry.

Texts go through ``impact.record.record_version`` and status flips through ``record_status``
(which write the change rows); listings, instruments, raw files and source health are written
here. Status flips are recorded when the spider closes, after the night's texts and 修改、废止的决定
are in: a repeal then carries its date, its instrument and its successor when the night showed them.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import re
import tomllib
from functools import lru_cache
from pathlib import Path

from registry import listings
from crawler.items import DetailProblem, Flip, InstrumentItem, Listed, ListingItem, VersionItem
from crawler.parse.flk import status_of
from registry import files as raw_files
from registry import instruments
from registry import laws as law_store
from config.clock import today
from registry.schema import connect
from texts.extract import detect_format
from impact.record import NotALawText, record_version
from impact.record import link_successor, record_repeals, record_status

log = logging.getLogger(__name__)

#: A law first listed after the baseline is announced as 新制定 only if published this recently.
NEWS_WINDOW_DAYS = 365
DATA = Path(__file__).resolve().parent / "data" / "repeal.toml"


@lru_cache(maxsize=1)
def repeal_rules() -> dict:
    return tomllib.loads(DATA.read_text("utf-8"))


def raw_format(data: bytes | None, name: str | None) -> str | None:
    if not data:
        return None
    return detect_format(data, name or "")


class RegistryPipeline:
    """Scrapy item pipeline (one per source crawler) holding its own registry connection."""

    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.db_path = settings.get("YIJU_REGISTRY")
        self.files_root = Path(settings.get("YIJU_FILES"))
        self.run_id = settings.getint("YIJU_RUN_ID") or None
        self.db = None
        self.flips: list[Flip] = []
        self.repealed: list[int] = []

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    # ----- life cycle ----------------------------------------------------------------------
    @property
    def spider(self):
        return self.crawler.spider

    def open_spider(self) -> None:
        self.db = connect(self.db_path)
        src = self.spider.source
        listings.ensure_source(self.db, src.name, src.kind, src.base_url)
        self.baseline = listings.baseline_run(self.db, src.name)

    def close_spider(self) -> None:
        spider = self.spider
        try:
            self._record_flips()
        except Exception as exc:  # a bug here must not hide the night's health
            log.exception("recording status changes of %s failed", spider.source.name)
            spider.fail("status", f"记录状态变化失败：{exc}")
        ok = not spider.failures
        error = None if ok else "；".join(f"{where}：{why}" for where, why in spider.failures[:3]) + (
            f"（共 {len(spider.failures)} 处失败）" if len(spider.failures) > 3 else "")
        listings.record_health(self.db, spider.source.name, ok=ok, error=error, run_id=self.run_id)
        self.db.close()

    # ----- items ---------------------------------------------------------------------------
    def process_item(self, item):
        if isinstance(item, ListingItem):
            self._listing(item)
        elif isinstance(item, VersionItem):
            self._version(item)
        elif isinstance(item, InstrumentItem):
            self._instrument(item)
        elif isinstance(item, DetailProblem):
            self._problem(item)
        return item

    def _stat(self, key: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(f"yiju/{key}", count)

    def _listing(self, item: ListingItem) -> None:
        keep = {f.row.source_id for f in item.flips}
        listings.store_listing(self.db, item.source, item.rows, self.run_id, keep_status=keep)
        self.flips.extend(item.flips)

    def announce(self, source: str, source_id: str, promulgated: str | None = None) -> bool:
        """A text is news when the source had a baseline before this record was first listed,
        and it was published within the last NEWS_WINDOW_DAYS: an old law that a
        short or unstable listing left out of the baseline is history found late, not 新制定."""
        if self.baseline is None:
            return False
        row = listings.get(self.db, source, source_id)
        first = row["first_seen_run"] if row else None
        if first is None or first == self.baseline:
            return False
        if promulgated:
            horizon = (_dt.date.fromisoformat(today()) - _dt.timedelta(days=NEWS_WINDOW_DAYS)).isoformat()
            if promulgated < horizon:
                return False
        return True

    def _version(self, item: VersionItem) -> None:
        if not item.listed:
            listings.add_row(self.db, item.source, _listed(item), self.run_id)
        law_id = listings.linked_law(self.db, item.source, item.linked_ids)
        blob = raw_files.store(self.files_root, item.raw) if item.raw else None
        try:
            recorded = record_version(
                self.db, title=item.title, text=item.text, source=item.source, source_id=item.source_id,
                promulgated=item.promulgated, effective=item.effective, status=item.status,
                level=item.level, issuer=item.issuer, region=item.region, category_code=item.category_code,
                raw_blob=blob, raw_format=raw_format(item.raw, item.raw_name), run_id=self.run_id,
                announce_new=self.announce(item.source, item.source_id, item.promulgated), law_id=law_id,
            )
        except NotALawText as exc:
            # A downloaded file with no article is more likely a bad answer than a law without
            # articles: fetch it again next night instead of giving up on it.
            listings.mark_detail(self.db, item.source, item.source_id, "failed", error=str(exc))
            self._stat("failed_documents")
            self.spider.fail(item.source_id, f"下载的文件不是法律文本（{exc}），下次运行时重新抓取")
            return
        except Exception as exc:
            log.exception("recording %s %s failed", item.source, item.source_id)
            self.spider.fail(item.source_id, f"写入登记库失败：{exc}")
            listings.mark_detail(self.db, item.source, item.source_id, "failed", error=f"写入登记库失败：{exc}")
            return
        listings.mark_detail(self.db, item.source, item.source_id, "fetched", law_id=recorded.law_id,
                             version_id=recorded.version_id)
        self._stat(f"outcome/{recorded.outcome}")
        if recorded.outcome == "new":
            self._stat("new_versions")
            if recorded.change_id is not None:
                self._stat("changes")
        elif recorded.outcome == "held":
            self._stat("held")
        if item.status_code is not None:
            listings.set_status_code(self.db, item.source, item.source_id, item.status_code)

    def _instrument(self, item: InstrumentItem) -> None:
        existing = instruments.find_instrument(self.db, item.source, item.source_id)
        law_id = None
        if item.law_source_id:
            row = listings.get(self.db, item.source, item.law_source_id)
            law_id = row["law_id"] if row else None
        if law_id is None:
            law_id = _law_named(self.db, item.title)
        if existing is not None:
            instrument_id = existing
            if law_id:
                instruments.link_law(self.db, instrument_id, law_id)
        else:
            blob = raw_files.store(self.files_root, item.raw) if item.raw else None
            instrument_id = instruments.add_instrument(self.db, {
                "source": item.source, "source_id": item.source_id, "title": item.title, "kind": item.kind,
                "promulgated": item.promulgated, "effective": item.effective, "text": item.text,
                "raw_blob": blob, "law_id": law_id, "run_id": self.run_id,
            })
            self._stat("instruments")
            if item.text and "废止" in (item.title or ""):
                # a 废止决定 (关于废止…的决定): the repeals it writes are recorded as it is registered,
                # pending until its date, whatever the sources' statuses say (issue 12)
                repealed = record_repeals(self.db, law_id=None, title=item.title, text=item.text,
                                          source=item.source, promulgated=item.promulgated,
                                          effective=item.effective, run_id=self.run_id,
                                          instrument_id=instrument_id)
                if repealed:   # the source's own flip of these laws is then the same event
                    self._stat("status_changes", len(repealed))
        if item.listed:
            state = "fetched" if item.text is not None else "unavailable"
            listings.mark_detail(self.db, item.source, item.source_id, state, instrument_id=instrument_id,
                                 error=None if item.text is not None else "文件中没有可读取的文字")
        if item.records_repeals and item.text:
            # 国家规章库 never flips a status: a rule it stops listing is repealed only when a decision
            # the night brought says so, and the repeal is that decision's (its date, its title)
            repealed = record_repeals(self.db, law_id=None, title=item.title, text=item.text, source=item.source,
                                      promulgated=item.promulgated, effective=item.effective, run_id=self.run_id,
                                      instrument_id=instrument_id)
            if repealed:
                self._stat("status_changes", len(repealed))
                self._stat("changes", len(repealed))

    def _problem(self, item: DetailProblem) -> None:
        if listings.get(self.db, item.source, item.source_id) is None:
            listings.add_row(self.db, item.source, Listed(item.source_id, item.title or item.source_id),
                             self.run_id)
        listings.mark_detail(self.db, item.source, item.source_id, item.state, error=item.error)
        self._stat("unavailable" if item.state == "unavailable" else "failed_documents")

    # ----- status changes ----------------------------------------------------------------------
    def _record_flips(self) -> None:
        source = self.spider.source.name
        done: set[tuple[int, str]] = set()
        for flip in self.flips:
            status = status_of(flip.new) if flip.new is not None else None
            law_id = flip.law_id
            if law_id is None:
                row = listings.get(self.db, source, flip.row.source_id)
                law_id = row["law_id"] if row else None
            if status is None or law_id is None:
                listings.set_status_code(self.db, source, flip.row.source_id, flip.new)
                continue
            if (law_id, status) in done or self._older_text(source, flip.row.source_id, law_id, status):
                listings.set_status_code(self.db, source, flip.row.source_id, flip.new)
                continue
            extra = {}
            if status == "已废止":
                extra = self._repeal_details(law_id)
            elif status == "有效":
                extra = {"effective": flip.row.effective}
            try:
                recorded = record_status(self.db, status=status, source=source, law_id=law_id,
                                         run_id=self.run_id, **extra)
            except Exception as exc:
                log.exception("status of %s failed", flip.row.source_id)
                self.spider.fail(flip.row.source_id, f"记录状态变化失败：{exc}")
                continue
            done.add((law_id, status))
            listings.set_status_code(self.db, source, flip.row.source_id, flip.new)
            if recorded.outcome == "status":
                self._stat("status_changes")
                if recorded.change_id is not None:
                    self._stat("changes")
                if status == "已废止":
                    self.repealed.append(law_id)
        for law_id in self._unlinked_repeals():
            successor = self._successor(law_id)
            if successor is not None:
                link_successor(self.db, law_id, successor)

    def _older_text(self, source: str, source_id: str, law_id: int, status: str) -> bool:
        """A 已废止/尚未生效 flip of a text that is not the law's newest says nothing of the law.

        (A re-enacted regulation keeps its title; the database marks the replaced text 已废止 while
        the new one is in force. A real repeal flips every version, the newest included.)
        """
        if status not in ("已废止", "尚未生效"):
            return False
        row = listings.get(self.db, source, source_id)
        latest = law_store.latest_version(self.db, law_id)
        return bool(row and row["version_id"] and latest and row["version_id"] != latest["id"])

    def _repeal_details(self, law_id: int) -> dict:
        """Date, instrument and successor of a repeal, when tonight's documents name them."""
        law = law_store.get_law(self.db, law_id)
        names = _names(law)
        extra: dict = {}
        rules = repeal_rules()
        for inst in instruments.of_run(self.db, self.spider.source.name, self.run_id):
            if not any(w in inst["title"] for w in rules["repeal_words"]):
                continue
            haystack = inst["title"] + "\n" + (inst["text"] or "")
            if any(f"《{n}》" in haystack or f"\n{n}" in haystack or f"、{n}" in haystack for n in names):
                extra.update(instrument_id=inst["id"], repealed_on=inst["effective"] or inst["promulgated"])
                break
        successor = self._successor(law_id)
        if successor is not None:
            extra["successor_title"] = law_store.get_law(self.db, successor)["title"]
            if "repealed_on" not in extra:
                # "本法自…起施行。《…》同时废止": the old law ends when its successor comes into force
                latest = law_store.latest_version(self.db, successor)
                if latest and (latest["effective"] or latest["promulgated"]):
                    extra["repealed_on"] = latest["effective"] or latest["promulgated"]
        return extra

    def _successor(self, law_id: int) -> int | None:
        """A law whose text received tonight says the repealed law is repealed at the same time."""
        law = law_store.get_law(self.db, law_id)
        names = _names(law)
        pattern = re.compile(repeal_rules()["successor_clause"].format(
            names="|".join(re.escape(n) for n in names)))
        for version in law_store.versions_of_run_mentioning(self.db, self.run_id, "废止", except_law=law_id):
            if version["text"] and pattern.search(version["text"]):
                return version["law_id"]
        return None

    def _unlinked_repeals(self) -> list[int]:
        return law_store.laws_without_successor(self.db, self.repealed)


def _names(law: dict) -> list[str]:
    names = {law["title"]}
    if law.get("short_title"):
        names.add(law["short_title"])
    if law["title"].startswith("中华人民共和国"):
        names.add(law["title"][len("中华人民共和国"):])
    names.update(law.get("aliases") or [])
    return sorted(names, key=len, reverse=True)


def _law_named(db, title: str) -> int | None:
    """The law an instrument's title names, when it names exactly one known law."""
    found = set(re.findall(r"《([^》]+)》", title))
    ids = set()
    for name in found:
        for candidate in (name, "中华人民共和国" + name):
            law = law_store.find_law(db, candidate)
            if law:
                ids.add(law["id"])
                break
    return ids.pop() if len(ids) == 1 else None


def _listed(item: VersionItem) -> Listed:
    return Listed(item.source_id, item.title, item.promulgated, item.effective, item.status_code,
                  item.category_code, item.issuer, "law")


def stats_of(crawler) -> dict:
    """The per-source figures returned to the caller (and shown by ``yiju crawl``)."""
    s = crawler.stats.get_stats()
    spider = crawler.spider
    failures = list(getattr(spider, "failures", []))
    held = int(s.get("yiju/held", 0))
    if failures:
        health, error = "failed", f"{failures[0][0]}：{failures[0][1]}"
    elif held:
        # A text held for review is a change nobody has seen yet: not a healthy, quiet night.
        health, error = "held", f"{held} 个新文本明显变短，已暂存待人工核对（yiju laws held）"
    else:
        health, error = "ok", None
    return {
        "kind": spider.source.kind,
        "ok": health == "ok",
        "throttled": bool(s.get("yiju/throttled", 0)),
        "health": health,
        "error": error,
        "errors": [{"where": w, "error": e} for w, e in failures[:20]],
        "requests": int(s.get("downloader/request_count", 0)),
        "listed": int(s.get("yiju/listed", 0)),
        "listing_complete": bool(s.get("yiju/listing_complete", 0)),
        "to_fetch": int(s.get("yiju/to_fetch", 0)),
        "new_versions": int(s.get("yiju/new_versions", 0)),
        "duplicates": int(s.get("yiju/outcome/duplicate", 0)),
        "held": int(s.get("yiju/held", 0)),
        "status_changes": int(s.get("yiju/status_changes", 0)),
        "changes": int(s.get("yiju/changes", 0)),
        "instruments": int(s.get("yiju/instruments", 0)),
        "unavailable": int(s.get("yiju/unavailable", 0)),
        "failures": len(failures),
        "retries": int(s.get("yiju/retries", 0)),
        "missing_from_listing": int(s.get("yiju/missing", 0)),
        "bytes": int(s.get("downloader/response_bytes", 0)),
        "seconds": round(float(s.get("elapsed_time_seconds", 0.0) or 0.0), 2),
    }


def dumps(stats: dict) -> str:
    return json.dumps(stats, ensure_ascii=False)
