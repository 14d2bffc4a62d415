"""Citation parsing throughput: basis texts per second over the real lines.

Prints parse_basis figures over tests/data/citations/real_bases.txt, a baseline (a plain regex
findall of 第…条 over the same lines, in the same process) and the ratio; then parse + resolve
against a small registry (行政处罚法 2017 and 2021, 土地管理法).

    .venv/bin/python bench/cite_throughput.py [--rounds N]
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from diffing.cite.find import parse_basis  # noqa: E402
from impact.resolve import resolve_all  # noqa: E402

LINES = [line.replace("\\n", "\n")
         for line in (ROOT / "tests/data/citations/real_bases.txt").read_text("utf-8").splitlines() if line]
BASELINE = re.compile(r"第[零〇一二两三四五六七八九十百千万0-9]+条")


def timed(fn, rounds: int) -> tuple[float, int]:
    start = time.perf_counter()
    found = 0
    for _ in range(rounds):
        for line in LINES:
            found += fn(line)
    return time.perf_counter() - start, found // rounds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=20)
    rounds = ap.parse_args().rounds
    n = len(LINES) * rounds

    parse_basis(LINES[0])  # load the vocabulary and the built-in list once
    t_parse, cites = timed(lambda s: len(parse_basis(s).citations), rounds)
    t_base, hits = timed(lambda s: len(BASELINE.findall(s)), rounds)
    print(f"lines: {len(LINES)} × {rounds} rounds")
    print(f"parse_basis:          {n / t_parse:10.0f} texts/s  ({t_parse / n * 1e6:7.1f} µs/text, "
          f"{cites} citations per round)")
    print(f"baseline regex 第…条: {n / t_base:10.0f} texts/s  ({t_base / n * 1e6:7.1f} µs/text, "
          f"{hits} matches per round)")
    print(f"ratio parse_basis / baseline time: {t_parse / t_base:.1f}×")

    from impact.record import record_version
    from registry.schema import connect

    with tempfile.TemporaryDirectory() as tmp:
        db = connect(pathlib.Path(tmp) / "bench.db")
        laws = ROOT / "yiju/data/laws"
        for folder, title in (("行政处罚法", "中华人民共和国行政处罚法"), ("土地管理法", "中华人民共和国土地管理法")):
            for path in sorted((laws / folder).glob("*.md")):
                record_version(db, title=title, text=path.read_text("utf-8"), source="import",
                               promulgated=path.stem)
        resolve_all(db, parse_basis(LINES[0]))
        start = time.perf_counter()
        for _ in range(rounds):
            for line in LINES:
                resolve_all(db, parse_basis(line))
        t_res = time.perf_counter() - start
        print(f"parse + resolve:      {n / t_res:10.0f} texts/s  ({t_res / n * 1e6:7.1f} µs/text, "
              f"registry of 2 laws / 3 versions)")
        db.close()


if __name__ == "__main__":
    main()
