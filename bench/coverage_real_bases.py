"""Coverage of the real legal bases: how many citations of tests/data/citations/real_bases.txt resolve,
by the level of the cited document, against a registry of the built-in laws only ("before": what flk
and xzfg carry) and of the laws plus the built-in 规章 ("after": what 国家规章库 and a provincial
database add). Prints one table per registry and the documents still not held.

    .venv/bin/python bench/coverage_real_bases.py
"""

from __future__ import annotations

import collections
import csv
import pathlib
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.settings import load  # noqa: E402
from diffing.cite.titles import canonical_title  # noqa: E402
from impact.coverage import coverage  # noqa: E402
from impact.duties import import_duties  # noqa: E402
from impact.lawfiles import import_directory  # noqa: E402
from registry.schema import connect  # noqa: E402
from texts.levels import COVERAGE_LEVELS, guess_level  # noqa: E402

LINES = [line.replace("\\n", "\n")
         for line in (ROOT / "tests/data/citations/real_bases.txt").read_text("utf-8").splitlines() if line]


def measure(folders: list[pathlib.Path], label: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        db = connect(tmp / "yiju.db")
        started = time.perf_counter()
        for folder in folders:
            import_directory(db, folder, tmp / "files")
        power_list = tmp / "real.csv"
        with power_list.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["事项名称", "实施主体", "执法依据"])
            for i, line in enumerate(LINES, 1):
                writer.writerow([f"第{i}行", "示例局", line])
        import_duties(db, power_list, by="bench")
        rows = db.execute("SELECT c.law_id, coalesce(nullif(c.law_title, ''), c.written), c.resolution, c.problem, "
                          "l.level FROM citations c LEFT JOIN laws l ON l.id = c.law_id").fetchall()
        table: dict[str, collections.Counter] = {lvl: collections.Counter() for lvl in COVERAGE_LEVELS}
        for law_id, title, resolution, problem, level in rows:
            lvl = level if law_id else guess_level(canonical_title(title or ""))
            lvl = {"宪法": "法律", "监察法规": "行政法规", "自治条例和单行条例": "地方性法规"}.get(lvl, lvl)
            if lvl not in table:
                lvl = "未知"
            key = ("已核对" if resolution == "resolved" else "已过时" if resolution == "stale"
                   else "登记库没有该文件" if law_id is None else "条文不存在或无法核对")
            table[lvl][key] += 1
        report = coverage(db, sources=load(None, environ={}).sources)
        took = time.perf_counter() - started
        db.close()
    print(f"\n== {label}（{len(rows)} 条引用，{took:.1f} 秒）")
    cols = ["已核对", "已过时", "条文不存在或无法核对", "登记库没有该文件"]
    print(f"{'级别':<8}" + "".join(f"{c:>12}" for c in cols) + f"{'合计':>8}")
    totals = collections.Counter()
    for lvl, counts in table.items():
        if sum(counts.values()):
            print(f"{lvl:<8}" + "".join(f"{counts[c]:>12}" for c in cols) + f"{sum(counts.values()):>8}")
            totals.update(counts)
    print(f"{'合计':<8}" + "".join(f"{totals[c]:>12}" for c in cols) + f"{sum(totals.values()):>8}")
    print("未登记的文件，按级别：" + "，".join(f"{k} {v}" for k, v in report["totals"].items() if v))
    by_source = collections.Counter(m["source"] or "（无数据源）" for m in report["missing"])
    by_level_unsourced = collections.Counter(m["level"] for m in report["missing"] if not m["source"])
    print("默认配置中应由哪个数据源抓取：" + "，".join(f"{k} {v}" for k, v in by_source.most_common()))
    print("没有数据源会抓取的，按级别：" + ("，".join(f"{k} {v}" for k, v in by_level_unsourced.items()) or "无"))
    rules = [m for m in report["missing"] if m["level"] in ("部门规章", "地方政府规章")]
    print("未登记的规章（应由 " + "、".join(sorted({m["source"] or "无数据源" for m in rules})) + " 抓取）："
          + "；".join(f"{m['title']}（{m['level']}，{m['duties']} 项）" for m in rules))


def main() -> None:
    laws, rules = ROOT / "yiju/data/laws", ROOT / "yiju/data/rules"
    measure([laws], "之前：内置法律文本（不含规章：flk、行政法规库所载）")
    measure([laws, rules], "之后：内置法律文本和 10 部规章（国家规章库所载的真实规章文本）")


if __name__ == "__main__":
    main()
