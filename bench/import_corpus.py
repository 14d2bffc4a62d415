"""Import the whole built-in corpus into a fresh registry, then time `search`.

Prints laws/s and versions/s of `yiju laws import` (through impact.lawfiles, the code the
command runs) and the time of a search for 罚款 (2 characters: LIKE) and 行政处罚 (FTS5 trigram),
each as a ratio against a plain Python substring scan of the same article texts held in memory,
run in the same process.

    .venv/bin/python bench/import_corpus.py [--repeat N]
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from texts.structure import parse  # noqa: E402
from impact.lawfiles import import_directory  # noqa: E402
from registry.schema import connect  # noqa: E402
from registry.search import search_articles  # noqa: E402

CORPUS = ROOT / "yiju" / "data" / "laws"


def timed(fn, repeat: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), value


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20, help="runs of each search (median is shown)")
    args = ap.parse_args()

    texts = [p.read_text("utf-8") for p in sorted(CORPUS.rglob("*.md"))]
    t = time.perf_counter()
    articles = sum(len(parse(x).articles) for x in texts)
    parse_s = time.perf_counter() - t
    print(f"parse: {len(texts)} files, {articles} articles in {parse_s:.2f} s "
          f"({len(texts) / parse_s:.0f} files/s)")

    with tempfile.TemporaryDirectory() as tmp:
        db = connect(pathlib.Path(tmp) / "yiju.db")
        t = time.perf_counter()
        report = import_directory(db, CORPUS, pathlib.Path(tmp) / "files")
        elapsed = time.perf_counter() - t
        print(f"import: {report.laws} laws, {report.versions_new} versions, {report.articles_new} articles, "
              f"{report.changes} changes in {elapsed:.2f} s")
        print(f"import: {report.laws / elapsed:.1f} laws/s, {report.versions_new / elapsed:.1f} versions/s, "
              f"{report.articles_new / elapsed:.0f} articles/s")
        t = time.perf_counter()
        again = import_directory(db, CORPUS, pathlib.Path(tmp) / "files")
        print(f"second import (nothing new: {again.versions_known} known): {time.perf_counter() - t:.2f} s")

        corpus = [row[0] for row in db.execute("SELECT text FROM articles")]
        for word in ("罚款", "行政处罚", "吊销许可证"):
            scan_s, found = timed(lambda: [i for i, text in enumerate(corpus) if word in text], args.repeat)
            search_s, result = timed(lambda: search_articles(db, word, limit=20), args.repeat)
            assert result.total == len(found), (word, result.total, len(found))
            how = "LIKE" if len(word) < 3 else "FTS5"
            print(f"search {word} ({how}, {result.total} articles, first 20 shown): {search_s * 1000:.1f} ms; "
                  f"baseline Python substring scan of {len(corpus)} texts in memory: {scan_s * 1000:.1f} ms; "
                  f"ratio {search_s / scan_s:.2f}")
        db.close()


if __name__ == "__main__":
    main()
