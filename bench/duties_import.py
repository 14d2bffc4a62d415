"""Time to import a 5,000-row power list, against plain openpyxl reading of the same file.

Run: .venv/bin/python bench/duties_import.py [ROWS]

The list is the 处罚 layout of tests/data/powerlists (two basis columns, title row, merged title),
its bases cycling over the real citation heads of tests/data/citations/real_bases.txt; the
registry holds the built-in texts of the laws those heads cite. Printed:
the baseline (openpyxl opens the workbook and reads every cell, as the importer must), reading
it into records, the first import (departments, posts, duties, citation parsing and resolution,
impact) and a second import of the same file (nothing changes), each with its ratio to the baseline.
"""

from __future__ import annotations

import importlib.util
import pathlib
import sys
import tempfile
import time

import openpyxl

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from impact import duties  # noqa: E402
from texts import powerlist  # noqa: E402
from registry.schema import connect  # noqa: E402

_spec = importlib.util.spec_from_file_location("fx", ROOT / "tests" / "data" / "powerlists" / "make_fixtures.py")
fx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fx)


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def baseline(path: pathlib.Path) -> int:
    wb = openpyxl.load_workbook(path, data_only=True)
    cells = sum(1 for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for _ in row)
    wb.close()
    return cells


LAWS = ["固体废物污染环境防治法", "大气污染防治法", "水污染防治法", "环境影响评价法", "放射性污染防治法",
        "土壤污染防治法", "医疗废物管理条例", "排污许可管理条例", "建设项目环境保护管理条例"]


def load_laws(db) -> int:
    """The built-in texts of the laws the list cites, so citations resolve as in real use."""
    from impact.record import record_version

    count = 0
    for short in LAWS:
        folder = ROOT / "yiju" / "data" / "laws" / short
        for path in sorted(folder.glob("*.md")):
            text = path.read_text("utf-8")
            title = text.strip().splitlines()[0].strip()
            record_version(db, title=title, text=text, source="bench", source_id=f"{short}/{path.stem}",
                           promulgated=path.stem)
            count += 1
    return count


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        path = tmp / "power.xlsx"
        fx.big_workbook(rows).save(path)
        t_base, cells = timed(lambda: baseline(path), repeat=3)
        t_read, reading = timed(lambda: powerlist.read(path, "powerlist"), repeat=3)
        db = connect(tmp / "yiju.db")
        laws = load_laws(db)
        t_first, report = timed(lambda: duties.import_duties(db, path, by="bench"))
        t_second, again = timed(lambda: duties.import_duties(db, path, by="bench"))
        db.close()
    print(f"power list: {rows} rows, {cells} cells, {path.name}; registry: {laws} law versions")
    print(f"baseline   openpyxl load + read every cell : {t_base:8.3f} s   1.00x")
    print(f"read       headers, merges, records         : {t_read:8.3f} s  {t_read / t_base:5.2f}x  "
          f"({len(reading.records)} records)")
    print(f"import     first (write {report.created} duties, {report.citations} citations): "
          f"{t_first:8.3f} s  {t_first / t_base:5.2f}x  ({rows / t_first:,.0f} rows/s)")
    print(f"import     again (no change: {again.unchanged} unchanged) : {t_second:8.3f} s  {t_second / t_base:5.2f}x")
    if report.problems or again.changed:
        print(f"WARNING: {len(report.problems)} rows skipped; second import changed={again.changed}")


if __name__ == "__main__":
    main()
