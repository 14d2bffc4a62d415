"""Import a directory of law files: ``DIR/<law title>/<YYYY-MM-DD>.<ext>``, one file per version.

The date in the file name is the version's 公布日期. Each file becomes a version through
``impact.record.record_version`` (source ``import``, source id = the path relative to DIR), the
versions of one law oldest first, so importing twice adds nothing. A file that cannot be used is
reported (one line naming the file and the problem) and skipped; the rest is imported.

>>> import tempfile, pathlib
>>> from registry.schema import connect
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> (root / "示例法").mkdir()
>>> _ = (root / "示例法" / "2020-01-01.md").write_text("中华人民共和国示例法\\n第一条　为了示例，制定本法。", "utf-8")
>>> report = import_directory(connect(":memory:"), root, root / "files")
>>> report.laws_new, report.versions_new, report.articles_new, report.problems
(1, 1, 1, [])
"""

from __future__ import annotations

import datetime as _dt
import pathlib
import re
from dataclasses import dataclass, field
from typing import Callable

import sqlite_utils

from texts.extract import ExtractionError, detect_format, extract_text
from texts.structure import LawText, numbering_problems, parse
from config import limits
from config.clock import today
from registry import files as raw_files
from registry import instruments
from registry import laws as law_store
from registry.search import index_in_bulk
from texts.levels import infer
from diffing.repeals import is_repeal_decision
from impact import workers as worker_pool
from impact.proposals import keep_powers, powers_of_articles
from impact.record import (NotALawText, comparison_of, exact_key, record_repeals, record_status,
                           record_version, text_key)

SOURCE = "import"
EXTENSIONS = (".md", ".txt", ".docx", ".doc", ".html", ".htm", ".pdf")
_DATED = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


class LawDirError(Exception):
    """DIR itself cannot be imported (missing, not a directory); the message is for the user."""


@dataclass(frozen=True)
class Problem:
    path: str      # relative to DIR
    message: str   # Chinese, for the user

    def __str__(self) -> str:
        return f"{self.path}：{self.message}"


@dataclass
class ImportReport:
    laws: int = 0                 # law folders with at least one usable file
    laws_new: int = 0
    versions_new: int = 0
    versions_known: int = 0       # already in the registry (a second import)
    versions_repeated: int = 0    # the same text as another file of this import
    stored: set = field(default_factory=set, repr=False)   # version ids this import stored
    articles_new: int = 0
    changes: int = 0              # amended / text_corrected … events written
    repeals: int = 0              # laws a text's own 同时废止 / 予以废止 clauses (or a 废止决定) repeal
    held: list[Problem] = field(default_factory=list)       # stored, but held for review
    warnings: list[Problem] = field(default_factory=list)   # imported, but look at them (numbering gaps)
    problems: list[Problem] = field(default_factory=list)   # skipped files
    impact: dict | None = None

    @property
    def skipped(self) -> int:
        return len(self.problems)

    def summary(self) -> str:
        """One Chinese line for the user."""
        if self.versions_new == 0 and self.versions_known and not self.problems:
            return f"没有新内容：{self.laws} 部法律的 {self.versions_known} 个版本均已在登记库中。"
        parts = [f"已导入 {self.laws} 部法律（新增 {self.laws_new} 部）",
                 f"新增版本 {self.versions_new} 个、条文 {self.articles_new} 条"]
        if self.versions_known:
            parts.append(f"{self.versions_known} 个版本此前已导入")
        if self.versions_repeated:
            parts.append(f"{self.versions_repeated} 个文件与本次导入的其他文件内容相同（未重复登记）")
        if self.changes:
            parts.append(f"记录修改事件 {self.changes} 个")
        if self.repeals:
            parts.append(f"依文本中的废止条款记录废止 {self.repeals} 部法律")
        if self.held:
            parts.append(f"{len(self.held)} 个版本暂存待核对")
        if self.problems:
            parts.append(f"跳过 {len(self.problems)} 个文件")
        return "，".join(parts) + "。"


@dataclass
class _File:
    rel: str
    date: str
    data: bytes
    fmt: str
    text: str
    law: LawText
    decision: bool = False        # a 废止决定: no articles, it repeals what it names
    compared: dict | None = None  # exact_key(the folder's previous text) → its comparison with this one
    powers: list | None = None    # the newest text's powers (impact.proposals), read in the worker
    blob: str | None = None       # the raw file's sha256 once kept under the files root (by the worker)


def import_directory(
    db: sqlite_utils.Database,
    root: str | pathlib.Path,
    files_root: str | pathlib.Path,
    *,
    run_id: int | None = None,
    on_problem: Callable[[Problem], None] | None = None,
    on_law: Callable[[str, int], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> ImportReport:
    """Import every law folder under ``root``; raw files are kept under ``files_root``.

    ``on_problem`` is told each skipped file as it is met; ``on_law`` each law imported
    (title, new versions); ``on_progress`` (folders done, folders in all) after each folder. A large import reads and parses its files in ``workers`` processes (default:
    one a core) while this process writes. Raises LawDirError when ``root`` is not a directory.
    """
    root = pathlib.Path(root)
    if not root.exists():
        raise LawDirError(f"目录不存在：{root}")
    if not root.is_dir():
        raise LawDirError(f"不是目录：{root}")
    report = ImportReport()

    def problem(rel: str, message: str) -> None:
        p = Problem(rel, message)
        report.problems.append(p)
        if on_problem:
            on_problem(p)

    folders = _law_folders(root, problem)
    known = law_store.source_ids(db, SOURCE)
    prepared = _prepare_all(root, folders, workers, known, pathlib.Path(files_root))
    done = 0
    for batch in _batches(prepared, BATCH):
        # One commit a batch (a kill loses at most one batch, which the next import brings in again);
        # its articles are indexed for search in one pass at the end of the batch.
        with db.atomic(), index_in_bulk(db):
            for folder, usable, problems in batch:
                for p in problems:
                    problem(p.path, p.message)
                if usable:
                    _import_law(db, root, folder, usable, files_root, run_id, report, problem, on_law)
                done += 1
                if on_progress:
                    on_progress(done, len(folders))
    return report


def _decision_instrument(db, f, folder, run_id) -> int:
    """The 废止决定 a file holds, kept as an instrument (once): its repeals cite it."""
    known = instruments.find_instrument(db, SOURCE, f.rel)
    if known is not None:
        return known
    return instruments.add_instrument(db, {
        "source": SOURCE, "source_id": f.rel, "title": f.law.title or folder.name, "kind": "废止决定",
        "promulgated": f.date, "effective": None, "text": f.text, "raw_blob": None, "law_id": None,
        "run_id": run_id})


def _import_law(db, root, folder, usable, files_root, run_id, report, problem, on_law) -> None:
    """Write the usable files of one law folder (oldest first)."""
    title = _law_title(folder.name, usable)
    existed = law_store.find_law(db, title) is not None
    new_here = 0
    for i, f in enumerate(usable):
        if f.decision:
            report.repeals += len(record_repeals(
                db, law_id=None, title=f.law.title or folder.name, text=f.text, source=SOURCE,
                promulgated=f.date, run_id=run_id, instrument_id=_decision_instrument(db, f, folder, run_id)))
            continue
        known = law_store.version_by_source(db, SOURCE, f.rel)
        if known is not None:
            if known["text_sha256"] != text_key(f.text):
                problem(f.rel, "文件内容与此前导入的版本不同；已导入的版本不会被覆盖，本文件未导入")
            else:
                report.versions_known += 1
            continue
        newest = i == len(usable) - 1
        guess = infer(title, f.law.note, promulgated=f.date,
                      last_article=f.law.articles[-1].text if f.law.articles else "")
        blob = f.blob or raw_files.store(pathlib.Path(files_root), f.data, pathlib.Path(f.rel).suffix)
        try:
            recorded = record_version(
                db, title=title, text=f.text, source=SOURCE, source_id=f.rel, promulgated=f.date,
                effective=guess.effective, level=guess.level, region=guess.region,
                raw_blob=blob, raw_format=f.fmt, run_id=run_id, parsed=f.law, compared=f.compared,
            )
        except NotALawText:
            problem(f.rel, "没有找到任何条文（第X条），不是法律文本")
            continue
        if recorded.outcome == "duplicate":
            if recorded.version_id in report.stored:
                report.versions_repeated += 1
            else:
                report.versions_known += 1
            continue
        if recorded.version_id is not None:
            report.stored.add(recorded.version_id)
            if f.powers is not None:
                keep_powers(db, recorded.version_id, f.powers)
        new_here += 1
        report.versions_new += 1
        report.articles_new += len(f.law.articles)
        if recorded.change_id is not None:
            report.changes += 1
        report.repeals += len(recorded.repealed)
        gaps = numbering_problems(f.law)
        if gaps:
            report.warnings.append(Problem(f.rel, "条文编号不连续或重复：" + "；".join(gaps)
                                           + "（缺少的条文可能并入了前一条，请核对原文）"))
        if recorded.outcome == "held":
            report.held.append(Problem(f.rel, "文本比上一版本短一半以上，疑为不完整，已暂存待人工核对"))
        if newest and guess.status == "已废止":
            record_status(db, law_id=recorded.law_id, status="已废止", source=SOURCE, run_id=run_id)
    law = law_store.find_law(db, title)
    if law is not None:
        report.laws += 1
        if not existed:
            report.laws_new += 1
        if folder.name != title and folder.name != law.get("short_title"):
            law_store.add_alias(db, law["id"], folder.name)
        if title == folder.name and not title.startswith("中华人民共和国") and law["level"] == "法律":
            # National laws are cited by their full title; the folder gave only the short one.
            law_store.add_alias(db, law["id"], "中华人民共和国" + title)
    if on_law and new_here:
        on_law(title, new_here)


BATCH = 100            # law folders written in one transaction
PARALLEL_FROM = 40     # folders: from this many on, files are read and parsed in worker processes


def _prepare(base: pathlib.Path, folder: pathlib.Path, entries: list[pathlib.Path], known: frozenset = frozenset(),
             files_root: pathlib.Path | None = None):
    """Read, extract and parse one law folder's files, and compare each text with the one before it
    (in a worker process for a large import: the alignment of a law's versions is most of the work).
    Files whose relative path is in ``known`` (imported before) are read but not compared; the
    others' raw bytes are kept under ``files_root`` here."""
    problems: list[Problem] = []
    usable = [f for f in (_read(base, path, lambda rel, msg: problems.append(Problem(rel, msg)))
                          for path in entries) if f is not None]
    usable.sort(key=lambda f: (f.date, f.rel))
    texts = [f for f in usable if not f.decision]
    for before, f in zip(texts, texts[1:]):
        if f.rel not in known and before.date <= f.date and before.text != f.text:
            f.compared = {exact_key(before.text): comparison_of(before.law, f.law)}
    if files_root is not None:
        for f in usable:
            if f.rel not in known and not f.decision:   # kept by the worker: content-addressed, so a file kept twice is one
                f.blob = raw_files.store(files_root, f.data, pathlib.Path(f.rel).suffix)
                f.data = b""
    if texts and texts[-1].rel not in known:
        # what proposals read from a law's current text, read here rather than on the first impact pass
        texts[-1].powers = [p.to_json() for p in powers_of_articles(
            {"label": a.label, "text": a.text, "paragraphs": [{"text": p.text, "items": list(p.items)}
                                                               for p in a.paragraphs]}
            for a in texts[-1].law.articles)]
    return folder, usable, problems


def _prepare_all(root: pathlib.Path, folders, workers: int | None, known: set[str] = frozenset(),
                 files_root: pathlib.Path | None = None):
    """(folder, usable files, problems) for each folder, in order; parsed in parallel when it pays."""
    jobs = []
    for folder, entries in folders:
        base = root.parent if folder == root else root
        seen = frozenset(rel for rel in (_rel(base, e) for e in entries) if rel in known)
        jobs.append((base, folder, entries, seen, files_root))
    workers = worker_pool.count(workers)
    if workers <= 1 or len(jobs) < PARALLEL_FROM:
        yield from (_prepare(*job) for job in jobs)
        return
    with worker_pool.pool(workers) as pool:
        yield from worker_pool.bounded_map(pool, _prepare, jobs, ahead=workers * 32)



def _batches(items, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _law_folders(root: pathlib.Path, problem) -> list[tuple[pathlib.Path, list[pathlib.Path]]]:
    """(folder, its files) for each law folder; DIR itself is one law's folder when it holds
    dated files and no folder."""
    folders: list[tuple[pathlib.Path, list[pathlib.Path]]] = []
    loose: list[pathlib.Path] = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            files = []
            for inner in sorted(entry.iterdir()):
                if inner.name.startswith("."):
                    continue
                if inner.is_dir():
                    problem(_rel(root, inner), "是文件夹；每部法律的文件夹里只放版本文件（YYYY-MM-DD.md 等），子文件夹不读取")
                else:
                    files.append(inner)
            folders.append((entry, files))
        else:
            loose.append(entry)
    dated = [p for p in loose if _DATED.match(p.stem)]
    if dated and not folders:
        folders.append((root, loose))
    else:
        for p in loose:
            if p.name in ("MANIFEST.tsv", "CORPUS.md", "README.md"):
                continue
            problem(_rel(root, p), "不在法律名称的文件夹中（应为 目录/法律名称/YYYY-MM-DD.扩展名），未导入")
    return folders


def _read(root: pathlib.Path, path: pathlib.Path, problem) -> _File | None:
    rel = _rel(root, path)
    m = _DATED.match(path.stem)
    if not m:
        problem(rel, "文件名应为公布日期 YYYY-MM-DD 加扩展名（如 2021-01-22.md），未导入")
        return None
    try:
        date = _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        problem(rel, f"文件名中的日期 {path.stem} 不是有效日期（应为公布日期 YYYY-MM-DD），未导入")
        return None
    if date > today():
        problem(rel, f"文件名中的公布日期 {date} 在今天（{today()}）之后，不可能已经公布，未导入")
        return None
    if path.suffix.lower() not in EXTENSIONS:
        problem(rel, f"不支持的文件类型 {path.suffix or '（无扩展名）'}（可用：{'、'.join(EXTENSIONS)}），未导入")
        return None
    try:
        data = limits.read_regular(path)
    except OSError as exc:
        problem(rel, f"无法读取文件（{exc.strerror or exc}），未导入")
        return None
    except (limits.NotAFile, limits.TooLarge) as exc:
        message = str(exc)
        problem(rel, message.split("：", 1)[-1] + "，未导入")
        return None
    try:
        text = extract_text(data, path.name)
    except ExtractionError as exc:
        message = str(exc)
        prefix = f"{path.name}："
        problem(rel, (message[len(prefix):] if message.startswith(prefix) else message) + "，未导入")
        return None
    law = parse(text)
    if not law.articles:
        first = next((line.strip().lstrip("#").strip() for line in text.splitlines() if line.strip()), "")
        if is_repeal_decision(first) or is_repeal_decision(path.parent.name):
            return _File(rel, date, data, "txt", text, law, decision=True)
        problem(rel, "没有找到任何条文（第X条），不是法律文本，未导入")
        return None
    if len(law.articles) > limits.current().max_articles:
        problem(rel, f"条文数 {len(law.articles):,} 超过上限 {limits.current().max_articles:,}"
                     "（配置 limits.max_articles），未导入")
        return None
    fmt = detect_format(data, path.name)
    if fmt == "txt" and path.suffix.lower() == ".md":
        fmt = "md"
    return _File(rel, date, data, fmt, text, law)


def _law_title(folder: str, files: list[_File]) -> str:
    """The full title from a text (newest first) when it contains the folder's name, else the folder's."""
    for f in reversed(files):
        if f.law.title and folder in f.law.title:
            return f.law.title
    return folder


def _rel(root: pathlib.Path, path: pathlib.Path) -> str:
    try:
        rel = path.relative_to(root)
    except ValueError:
        return str(path)
    return rel.as_posix()
