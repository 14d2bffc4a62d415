"""Benchmark: an incremental night of the flk crawler against the local mirror.

The mirror lists ~30,000 documents (the size of the national database); the registry is seeded
as after a baseline night (every document listed and fetched). Then two nights run in this
process, each in its own crawl child process:

* a night where nothing changed (the baseline of the ratio), and
* a night with 20 changed documents: 8 amended (a new version, the old one 3→2), 4 repealed
  (3→1, one with a 修改、废止的决定 record), 4 coming into force (4→3) and 4 new laws.

It prints the requests and wall time of each night against the target of DESIGN §10:
⌈N/1000⌉ list requests + a few per changed document.

    .venv/bin/python bench/crawl_incremental.py [--documents 30000]
"""

from __future__ import annotations

import argparse
import math
import pathlib
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from registry import listings  # noqa: E402
from crawler.items import Listed  # noqa: E402
from crawler.mirror import Mirror, Scenario, settings_for  # noqa: E402
from crawler.mirror.render import placeholder_text  # noqa: E402
from crawler.run import crawl  # noqa: E402
from impact.record import record_version  # noqa: E402
from registry.schema import connect  # noqa: E402

LEVELS = ["法律", "行政法规", "地方性法规", "司法解释"]
TODAY = "2026-01-01"


def build(n: int) -> tuple[Scenario, dict]:
    """n listed documents; returns the scenario and the documents chosen to change."""
    s = Scenario(today=TODAY)
    for i in range(n):
        level = LEVELS[i % len(LEVELS)]
        year = 1980 + i % 45
        gbrq = f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        title = f"示例{level}{i:05d}号"
        if i % 13 == 0:
            s.add_decision(f"关于修改《{title}》的决定", gbrq=gbrq, level=level)
        else:
            pending = i % 97 == 0
            s.add_law(title, gbrq=gbrq, sxrq=f"{year + 1}-01-01" if not pending else "2026-07-01", level=level,
                      sxx=4 if pending else (3 if i % 5 else 2))
    laws = [d for d in s.documents.values() if d.sxx == 3]
    pending = [d for d in s.documents.values() if d.sxx == 4]
    chosen = {"amend": laws[:8], "repeal": laws[8:12], "in_force": pending[:4]}
    return s, chosen


def seed(settings, scenario: Scenario, chosen: dict) -> None:
    """The registry as a baseline night leaves it (only the changing documents get texts)."""
    db = connect(settings.registry.path)
    run_id = db["runs"].insert({"started": "2025-12-31T18:30:00+00:00", "state": "succeeded", "stats": "{}"}).last_pk
    listings.ensure_source(db, "flk", "flk", settings.sources[0].base_url)
    rows = []
    for d in scenario.documents.values():
        rows.append(Listed(d.bbbs, d.title, d.gbrq, d.sxrq, None if d.sxx is None else str(d.sxx), d.category,
                           d.issuer, "instrument" if d.sxx is None else "law"))
    listings.store_listing(db, "flk", rows, run_id)
    db.execute("UPDATE listings SET detail_state = 'fetched'")
    with db.atomic():
        for docs in chosen.values():
            for d in docs:
                status = {3: "有效", 4: "尚未生效"}[d.sxx]
                r = record_version(db, title=d.title, text=placeholder_text(d.title, d.gbrq), source="flk",
                                   source_id=d.bbbs, promulgated=d.gbrq, effective=d.sxrq, status=status,
                                   run_id=run_id)
                listings.mark_detail(db, "flk", d.bbbs, "fetched", law_id=r.law_id, version_id=r.version_id)
    listings.record_health(db, "flk", ok=True, error=None, run_id=run_id)
    db.close()


def change(scenario: Scenario, chosen: dict) -> int:
    for d in chosen["amend"]:
        scenario.amend(d.title, gbrq="2025-12-20", sxrq="2025-12-31",
                       text=placeholder_text(d.title, "2025-12-20") + "第四条　新增的规定。\n")
    for i, d in enumerate(chosen["repeal"]):
        scenario.repeal(d.title, decision_title=f"关于废止《{d.title}》的决定" if i == 0 else None,
                        decision_text=f"《{d.title}》自2025年12月31日起废止。", gbrq="2025-12-20")
    for d in chosen["in_force"]:
        scenario.take_effect(d.title)
    for i in range(4):
        scenario.add_law(f"新制定示例法{i}", gbrq="2025-12-25", sxrq="2025-12-25",
                         text=placeholder_text(f"新制定示例法{i}", "2025-12-25"))
    return 8 + 4 + 4 + 4


def night(settings, mirror) -> tuple[dict, float, int]:
    mirror.clear_log()
    start = time.perf_counter()
    result = crawl(settings, log_level="ERROR", progress=False)
    return result["sources"]["flk"], time.perf_counter() - start, mirror.count("list")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=30000)
    args = parser.parse_args()
    import os

    os.environ["YIJU_TODAY"] = TODAY
    scenario, chosen = build(args.documents)
    with Mirror(scenario) as mirror, tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(mirror, pathlib.Path(tmp), kinds=("flk",))
        seed(settings, scenario, chosen)
        n = sum(1 for d in scenario.documents.values() if d.listed)

        quiet, quiet_s, quiet_lists = night(settings, mirror)
        changed = change(scenario, chosen)
        n_after = sum(1 for d in scenario.documents.values() if d.listed)
        busy, busy_s, busy_lists = night(settings, mirror)

    pages = math.ceil(n_after / 1000)
    per_doc = 3                      # detail, download/pc, the signed file
    new_docs = 8 + 4 + 1             # amended versions, new laws, the repeal decision record
    bound = pages + 2 + per_doc * new_docs           # + robots.txt of the API host and of the file host
    print(f"documents listed            : {n} → {n_after} ({changed} changed)")
    print(f"no-change night             : {quiet['requests']} requests ({quiet_lists} list pages), "
          f"{quiet_s:.2f} s wall, new versions {quiet['new_versions']}, status changes {quiet['status_changes']}")
    print(f"incremental night           : {busy['requests']} requests ({busy_lists} list pages), "
          f"{busy_s:.2f} s wall, new versions {busy['new_versions']}, status changes {busy['status_changes']}, "
          f"instruments {busy['instruments']}, failures {busy['failures']}")
    print(f"bound ⌈N/1000⌉ + few/doc    : {pages} list + robots.txt 2 + {per_doc}×{new_docs} new documents "
          f"= {bound} requests")
    print(f"requests / bound            : {busy['requests'] / bound:.2f}")
    print(f"wall time ratio (incremental / no-change night): {busy_s / quiet_s:.2f}")
    ok = busy["requests"] <= bound and busy_lists == pages and busy["new_versions"] == 12
    print("within bound" if ok else "OUTSIDE BOUND")


if __name__ == "__main__":
    main()
