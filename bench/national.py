"""National scale: 31,000 documents, their articles, 1,000,000 duties × 3 citations in 2,000 departments.

Builds a registry the size flk's database and a province's power lists make, from the real texts of
yiju/data (each under distinct titles, levels and regions; a tenth of the documents with their real
earlier versions), then measures what a legal office waits for, each beside a baseline run in the
same process:

  full import (laws import)            vs a plain sqlite3 bulk insert of the same article rows
  duties import (lists of 100,000 rows) vs a plain sqlite3 bulk insert of the same duty rows
  an incremental night: 50 amendments, 10 repeals, 20 new laws (import + impact)
  impact after the 50 amendments       vs a plain SQL join finding the same citations
  digest rendering for that night
  search, a two- and a four-character word   vs a plain LIKE scan of every article
  flags of the largest department      vs a plain SELECT of its flags
  registry size per million articles, peak memory (this process and its children)

    .venv/bin/python bench/national.py [--scale 1.0] [--keep DIR]

``--scale 0.05`` builds a twentieth (1,550 documents, 50,000 duties) for a quick look.
"""

from __future__ import annotations

import argparse
import csv
import os
import pathlib
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from impact.duties import import_duties  # noqa: E402
from impact.flags import list_flags  # noqa: E402
from impact.lawfiles import import_directory  # noqa: E402
from impact.process import run_impact  # noqa: E402
from impact.record import record_status  # noqa: E402
from notify.digest import write_digest  # noqa: E402
from registry.schema import connect  # noqa: E402
from registry.search import search_articles  # noqa: E402
from texts.structure import parse  # noqa: E402

CORPUS = ROOT / "yiju" / "data" / "laws"
PLACES = [
    "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省",
    "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省",
    "云南省", "陕西省", "甘肃省", "青海省", "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区",
    "新疆维吾尔自治区",
]
FILE_ROWS = 100_000   # rows of one power list (bench: a province's lists, 200 departments each)
CITIES = ["", "南宁市", "杭州市", "成都市", "武汉市", "西安市", "郑州市", "长沙市", "济南市", "福州市", "昆明市",
          "贵阳市", "兰州市", "太原市", "合肥市", "南昌市", "石家庄市", "哈尔滨市", "长春市", "沈阳市", "呼和浩特市",
          "银川市", "西宁市", "拉萨市", "乌鲁木齐市", "海口市", "深圳市", "厦门市", "青岛市", "大连市", "宁波市"]


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def cpu() -> tuple[float, float]:
    """CPU seconds so far of this process and of its ended children (the import workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


_LAST_CPU = [(0.0, 0.0)]


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - start, value


def base_laws() -> list[tuple[str, list[tuple[str, str]]]]:
    """(folder, [(date, text) oldest first]) of the built-in corpus."""
    out = []
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        versions = sorted((f.stem, f.read_text("utf-8")) for f in folder.glob("*.md"))
        out.append((folder.name, versions))
    return out


def retitle(text: str, title: str) -> str:
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip():
            lines[i] = f"# {title}" if line.lstrip().startswith("#") else title
            break
    return "\n".join(lines) + "\n"


def build_corpus(out: pathlib.Path, n_docs: int, rng: random.Random) -> list[dict]:
    """Write ``n_docs`` law folders; return [{title, folder, articles, versions}]."""
    bases = base_laws()
    docs = []
    for i in range(n_docs):
        folder_name, versions = bases[i % len(bases)]
        if i < len(bases):
            title = folder_name                               # the real national documents, as they are
        else:
            k = i // len(bases)
            place = PLACES[k % len(PLACES)] + CITIES[(k // len(PLACES)) % len(CITIES)]
            title = f"{place}{folder_name.removeprefix('中华人民共和国')}"
            if k >= len(PLACES) * len(CITIES):
                title = f"{place}第{k}号{folder_name}"
        chosen = versions if i % 10 == 0 else versions[-1:]  # a tenth keep their real history
        folder = out / title
        folder.mkdir(parents=True, exist_ok=True)
        for date, text in chosen:
            (folder / f"{date}.md").write_text(retitle(text, title), "utf-8")
        last = parse(chosen[-1][1])
        docs.append({"title": title, "folder": folder_name, "articles": [a.label for a in last.articles],
                     "versions": len(chosen), "dates": [d for d, _ in chosen]})
    return docs


def build_power_lists(folder: pathlib.Path, n_duties: int, n_departments: int, docs: list[dict],
                      hot: list[dict], rng: random.Random) -> list[pathlib.Path]:
    """CSV power lists of ``FILE_ROWS`` rows each (a sheet may hold 200,000: ``[limits] max_rows``),
    departments in blocks: 3 citations a duty, a fifth of them into the ``hot`` laws."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for first in range(0, n_duties, FILE_ROWS):
        path = folder / f"权责清单-{len(paths) + 1:02d}.csv"
        paths.append(path)
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["职权编码", "事项名称", "职权类型", "实施主体", "执法依据"])
            for i in range(first, min(n_duties, first + FILE_ROWS)):
                cites = []
                for j in range(3):
                    d = rng.choice(hot) if rng.random() < 0.2 else rng.choice(docs)
                    if d["articles"]:
                        cites.append(f"《{d['title']}》{rng.choice(d['articles'])}")
                department = f"第{i * n_departments // n_duties + 1:04d}号执法局"
                writer.writerow((f"NB-{i:07d}", f"第{i}项行政处罚", "行政处罚", department, "；".join(cites)))
    return paths


def csv_rows(paths: list[pathlib.Path]):
    """The data rows of the CSV files, streamed."""
    for path in paths:
        with path.open(encoding="utf-8", newline="") as f:
            rows = csv.reader(f)
            next(rows)
            yield from rows


def baseline_insert(rows, columns: int, where: pathlib.Path) -> float:
    """A plain sqlite3 bulk insert of ``rows`` (an iterable: a cursor streams them) into one table
    of a file beside the registry, in one transaction."""
    path = where / "baseline.db"
    con = sqlite3.connect(path)
    con.execute(f"CREATE TABLE t ({', '.join(f'c{i}' for i in range(columns))})")
    start = time.perf_counter()
    with con:
        con.executemany(f"INSERT INTO t VALUES ({', '.join('?' * columns)})", rows)
    took = time.perf_counter() - start
    con.close()
    path.unlink()
    return took


def report(label: str, ours: float, base: float | None = None, extra: str = "") -> None:
    """One figure; with the CPU seconds spent since the last one, by this process and by workers (on
    a shared machine the wall time depends on the others' load; the CPU seconds do not)."""
    ratio = f"  ×{ours / base:8.1f} of baseline {base:8.3f} s" if base else ""
    now = cpu()
    main, workers = now[0] - _LAST_CPU[0][0], now[1] - _LAST_CPU[0][1]
    _LAST_CPU[0] = now
    print(f"  {label:<40} {ours:9.3f} s{ratio}  {extra}  [cpu {main:,.1f} s + workers {workers:,.1f} s; "
          f"peak {peak_mb():,.0f} MB, load {os.getloadavg()[0]:.1f}]", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the national size (default 1.0)")
    ap.add_argument("--keep", type=pathlib.Path, help="build in this folder and keep it")
    args = ap.parse_args()
    rng = random.Random(20261205)
    n_docs = max(250, int(31_000 * args.scale))
    n_duties = max(1_000, int(1_000_000 * args.scale))
    n_departments = max(10, int(2_000 * args.scale))
    work = args.keep or pathlib.Path(tempfile.mkdtemp(prefix="yiju-national-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("YIJU_TODAY", "2026-08-01")
    print(f"yiju national-scale bench: {n_docs:,} documents, {n_duties:,} duties × 3 citations, "
          f"{n_departments:,} departments; cores {os.cpu_count()}, load {os.getloadavg()[0]:.1f}; in {work}")
    try:
        t0 = time.perf_counter()
        docs = build_corpus(work / "laws", n_docs, rng)
        print(f"  built the corpus in {time.perf_counter() - t0:.1f} s "
              f"({sum(d['versions'] for d in docs):,} files)")

        db = connect(work / "yiju.db")
        _LAST_CPU[0] = cpu()
        took, imported = timed(import_directory, db, work / "laws", work / "files")
        articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        rows = db.conn.execute("SELECT version_id, label, text FROM articles")
        report("full import (laws import)", took, baseline_insert(rows, 3, work),
               f"{imported.versions_new:,} versions, {articles:,} articles, {imported.versions_new / took:.0f} versions/s")

        hot = rng.sample(docs, 50)
        power_lists = build_power_lists(work / "duties", n_duties, n_departments, docs, hot, rng)
        _LAST_CPU[0] = cpu()
        start = time.perf_counter()
        for path in power_lists:
            import_duties(db, path, by="bench")
        took = time.perf_counter() - start
        report(f"duties import ({len(power_lists)} lists, impact)", took, baseline_insert(csv_rows(power_lists), 5, work),
               f"{n_duties / took:.0f} rows/s")
        run_impact(db)  # the first pass records the duties as seen

        # An incremental night: 50 amendments, 10 repeals, 20 new laws.
        night = work / "night"
        for d in hot:
            text = (work / "laws" / d["title"] / f"{d['dates'][-1]}.md").read_text("utf-8")
            amended = text.replace("。", "，并依法处理。", 3)
            folder = night / d["title"]
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "2026-07-01.md").write_text(amended, "utf-8")
        new_docs = build_corpus(night / "_new", 20, rng)
        for d in new_docs:
            shutil.move(str(night / "_new" / d["title"]), str(night / f"新{d['title']}"))
            d["title"] = f"新{d['title']}"
        shutil.rmtree(night / "_new", ignore_errors=True)
        _LAST_CPU[0] = cpu()
        start = time.perf_counter()
        imported = import_directory(db, night, work / "files")
        for d in rng.sample([x for x in docs if x not in hot], 10):
            law = db.execute("SELECT id FROM laws WHERE title = ? OR short_title = ?", [d["title"], d["title"]]).fetchone()
            if law:
                record_status(db, law_id=law[0], status="已废止", source="bench")
        night_took = time.perf_counter() - start
        took, impact = timed(run_impact, db)
        report("incremental night (import + status)", night_took, None,
               f"{imported.versions_new} new versions, {imported.changes} changes")
        cited = db.execute(
            "SELECT count(*) FROM citations c JOIN changes ch ON ch.law_id = c.law_id "
            "WHERE ch.impact_done_at IS NOT NULL").fetchone()[0]
        base_start = time.perf_counter()
        db.execute("SELECT c.id FROM citations c JOIN changes ch ON ch.law_id = c.law_id "
                   "WHERE ch.id IN (SELECT id FROM changes ORDER BY id DESC LIMIT 80)").fetchall()
        report("impact after the night", took, time.perf_counter() - base_start,
               f"{impact['flags']:,} flags, {cited:,} citations of changed laws")

        run_id = db["runs"].insert({"started": "2026-08-01T02:30:00+00:00", "state": "succeeded",
                                    "finished": "2026-08-01T02:40:00+00:00"}).last_pk
        db.execute("UPDATE changes SET reported_run_id = ? WHERE reported_run_id IS NULL", [run_id])
        db.execute("UPDATE flags SET notified_run_id = ? WHERE notified_run_id IS NULL", [run_id])
        db.conn.commit()
        took, paths = timed(write_digest, db, run_id, work / "digests")
        size = pathlib.Path(paths["html"]).stat().st_size
        report("digest rendering", took, None, f"{size / 1e6:.1f} MB HTML")

        for word in ("罚款", "行政处罚"):
            took, found = timed(search_articles, db, word)
            base_start = time.perf_counter()
            db.execute("SELECT count(*) FROM articles WHERE text LIKE ?", [f"%{word}%"]).fetchone()
            report(f"search {word}", took, time.perf_counter() - base_start, f"{found.total:,} hits")

        biggest = db.execute("SELECT dep.name, count(*) n FROM flags f JOIN duties d ON d.id = f.duty_id "
                             "JOIN departments dep ON dep.id = d.department_id GROUP BY dep.id "
                             "ORDER BY n DESC LIMIT 1").fetchone()
        if biggest:
            took, flags = timed(list_flags, db, department=biggest[0])
            base_start = time.perf_counter()
            db.execute("SELECT f.* FROM flags f JOIN duties d ON d.id = f.duty_id JOIN departments dep "
                       "ON dep.id = d.department_id WHERE dep.name = ?", [biggest[0]]).fetchall()
            report(f"flags of {biggest[0]}", took, time.perf_counter() - base_start, f"{len(flags):,} flags")
        db.close()
        size = (work / "yiju.db").stat().st_size
        print(f"  registry: {size / 1e6:,.0f} MB, {size / 1e6 / max(articles, 1) * 1e6:,.0f} MB per million articles")
        print(f"  peak memory: {peak_mb():,.0f} MB; total {time.perf_counter() - t0:.0f} s")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
