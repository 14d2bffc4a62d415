"""The workspace's 拟新增职权 page at a province's size: every proposal reachable, a page at a time.

A registry with ``--proposals`` open proposals (default 20,000: 40 departments × 25 laws, a tenth a
first run's baseline) is served through Flask's test client, signed in as the legal office. Timed
(median of ``--repeat``): the first page, a middle page and the last page of everything, and the last
page of one department and one law together; each is one SQL page (LIMIT/OFFSET in a stable order)
plus the law filter's counts. Baseline, in the same process and registry: what the page did before
— every open proposal read into Python (``impact.proposals.list_proposals``) and sorted, to show
the first 200.

    .venv/bin/python bench/workspace_lists.py [--proposals 20000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import random
import re
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from config.clock import now  # noqa: E402
from config.settings import Settings  # noqa: E402
from impact import proposals as proposal_flow  # noqa: E402
from registry import users  # noqa: E402
from registry.schema import connect  # noqa: E402
from yiju.web import create_app  # noqa: E402
from yiju.web.pages import PROPOSALS_PAGE  # noqa: E402

SECRET = "bench-secret-" + "p" * 24
DEPARTMENTS, LAWS = 40, 25


def build(db, n: int, rng: random.Random) -> None:
    stamp = now()
    with db.atomic():
        for d in range(1, DEPARTMENTS + 1):
            db.execute("INSERT INTO departments (id, name, emails, created_at, updated_at) VALUES (?, ?, '[]', ?, ?)",
                       [d, f"某市第{d:02d}生态环境分局", stamp, stamp])
        for law in range(1, LAWS + 1):
            db.execute("INSERT INTO laws (id, title, status, created_at, updated_at) VALUES (?, ?, '有效', ?, ?)",
                       [law, f"某某污染防治条例{law:02d}", stamp, stamp])
        rows = []
        for i in range(n):
            d, law = 1 + i % DEPARTMENTS, 1 + (i // DEPARTMENTS) % LAWS
            rows.append((d, law, f"{i}|||行政处罚|", f"第{i}条", "行政处罚", f"对违法行为{i}的行政处罚",
                         json.dumps(["罚款"]), "生态环境主管部门", f"《某某污染防治条例{law:02d}》第{i}条", "……",
                         rng.choice(["2026-08-15", "2026-09-01", "2027-01-01", None]), int(rng.random() < 0.1),
                         stamp, stamp))
        db.conn.executemany(
            "INSERT INTO proposals (department_id, law_id, power_key, article, type, name, measures, authority, "
            "basis_text, clause, due, baseline, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    os.environ.setdefault("YIJU_TODAY", "2026-06-01")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings()
        settings.registry.path = pathlib.Path(tmp) / "bench.db"
        db = connect(settings.registry.path)
        build(db, args.proposals, random.Random(20261205))
        uid = users.add_user(db, email="fzb@bench.gov.cn", name="法制办", role="legal", by="bench")
        token = users.issue_link(db, SECRET, uid, "/proposals", days=1)
        db.conn.commit()
        app = create_app(settings, secret=SECRET)
        client = app.test_client()
        page = client.get(f"/s/{token}").text
        client.post(f"/s/{token}", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)})
        pages = -(-args.proposals // PROPOSALS_PAGE)
        one = args.proposals // DEPARTMENTS // LAWS
        cases = [("first page", "/proposals"), ("middle page", f"/proposals?page={pages // 2}"),
                 ("last page", f"/proposals?page={pages}"),
                 ("department + law, last", f"/proposals?department=7&law=3&page={-(-one // PROPOSALS_PAGE)}")]
        for _, path in cases:
            body = client.get(path).text
            assert "共 " in body and 'id="proposal-' in body, path

        def before():
            rows = proposal_flow.list_proposals(db, state="open")
            rows.sort(key=lambda p: (bool(p["baseline"]), p["due"] or "9999", p["department"], p["law"], p["id"]))
            return rows[:200]

        base = timed(before, args.repeat)
        print(f"{args.proposals:,} open proposals, {DEPARTMENTS} departments × {LAWS} laws, "
              f"{PROPOSALS_PAGE} a page ({pages} pages)")
        print(f"{'':<40}{'median ms':>10}{'x baseline':>12}")
        print(f"{'baseline: read all, sort, first 200':<40}{base:>10.1f}{1:>12.2f}")
        for label, path in cases:
            ms = timed(lambda: client.get(path), args.repeat)
            print(f"{'page: ' + label:<40}{ms:>10.1f}{ms / base:>12.2f}")
        db.close()


if __name__ == "__main__":
    main()
