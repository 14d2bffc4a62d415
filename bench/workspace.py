"""The review workspace under load: the inbox and flag pages with 20 concurrent users.

The registry is the impact benchmark's (``bench/impact.py``: duties × 3 citations over 50 laws of
100 articles; law 1 amended, so about one duty in two is flagged), its duties spread over 20
departments. The workspace runs under waitress (``[web] threads``, default 8) on loopback; 20
users, each signed in with their own link as one department's reviewer, ask for their inbox and
for one of their flags in turn. Baseline, in the same process and server: the same users fetching
a static file (``/static/style.css``). Printed: median and p95 latency per page and the ratio to
the static file's.

    .venv/bin/python bench/workspace.py [--duties 100000] [--requests 20]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import importlib.util
import os
import pathlib
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "tools")]

from browser import serving  # noqa: E402  (tests/tools/browser.py)

from config.clock import now  # noqa: E402
from config.settings import Settings  # noqa: E402
from impact.process import run_impact  # noqa: E402
from registry import users  # noqa: E402
from registry.schema import connect  # noqa: E402
from yiju.web import create_app  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_impact", ROOT / "bench" / "impact.py")
bench_impact = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_impact)   # the impact benchmark's registry builder

USERS = 20
DEPARTMENTS = 20
SECRET = "bench-secret-" + "b" * 24


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]


def opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def sign_in(base: str, token: str):
    o = opener()
    page = o.open(f"{base}/s/{token}").read().decode()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    o.open(urllib.request.Request(f"{base}/s/{token}", data=urllib.parse.urlencode({"csrf_token": csrf}).encode()))
    return o


def load(base: str, sessions: list, paths: list[list[str]], requests: int) -> list[float]:
    """Each session fetches its paths in turn, ``requests`` times, all sessions at once."""
    times: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(len(sessions))

    def user(i: int) -> None:
        mine = []
        start.wait()
        for n in range(requests):
            path = paths[i][n % len(paths[i])]
            t = time.perf_counter()
            body = sessions[i].open(base + path).read()
            mine.append(time.perf_counter() - t)
            assert body
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(len(sessions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duties", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20, help="requests per user and page")
    args = parser.parse_args()
    os.environ.setdefault("YIJU_TODAY", "2026-06-01")
    rng = random.Random(20240301)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = pathlib.Path(tmp) / "bench.db"
        db = connect(db_path)
        t = time.perf_counter()
        bench_impact.build(db, args.duties, rng)
        run_impact(db)
        bench_impact.amend(db, 1, 1)
        run_impact(db)
        stamp = now()
        with db.atomic():
            for dep in range(2, DEPARTMENTS + 1):
                db.execute("INSERT INTO departments (id, name, emails, created_at, updated_at) VALUES (?, ?, '[]', ?, ?)",
                           [dep, f"部门{dep:02d}", stamp, stamp])
            db.execute(f"UPDATE duties SET department_id = 1 + (id % {DEPARTMENTS})")
        flags = db.execute("SELECT count(*) FROM flags").fetchone()[0]
        print(f"registry: {args.duties:,} duties, {flags:,} flags over {DEPARTMENTS} departments "
              f"(built in {time.perf_counter() - t:.1f} s)")
        tokens, flag_paths = [], []
        for i in range(USERS):
            dep = 1 + i % DEPARTMENTS
            uid = users.department_user(db, dep, email=f"u{i}@bench.gov.cn", name=f"审核人{i}")
            tokens.append(users.issue_link(db, SECRET, uid, "/inbox", days=1))
            ids = [r[0] for r in db.execute("SELECT f.id FROM flags f JOIN duties d ON d.id = f.duty_id "
                                            "WHERE d.department_id = ? ORDER BY random() LIMIT 5", [dep])]
            flag_paths.append([f"/flags/{fid}" for fid in ids] or ["/inbox"])
        db.conn.commit()
        db.close()

        settings = Settings()
        settings.registry.path = db_path
        app = create_app(settings, secret=SECRET)
        with serving(app) as base:
            sessions = [sign_in(base, tok) for tok in tokens]
            load(base, sessions, [["/inbox"]] * USERS, 1)                      # warm up
            static = load(base, sessions, [["/static/style.css"]] * USERS, args.requests)
            inbox = load(base, sessions, [["/inbox"]] * USERS, args.requests)
            flag = load(base, sessions, flag_paths, args.requests)
        base_median = statistics.median(static)
        print(f"{USERS} concurrent users, {args.requests} requests each per page, waitress {settings.web.threads} threads")
        print(f"{'page':<22}{'median ms':>10}{'p95 ms':>10}{'x static':>10}")
        for label, times in (("static file (baseline)", static), ("inbox /inbox", inbox), ("flag /flags/<id>", flag)):
            med, p95 = statistics.median(times) * 1000, percentile(times, 0.95) * 1000
            print(f"{label:<22}{med:>10.1f}{p95:>10.1f}{statistics.median(times) / base_median:>10.1f}")


if __name__ == "__main__":
    main()
