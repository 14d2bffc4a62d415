"""Impact speed: 100,000 duties × 3 citations, then an amendment touching 50 articles.

The registry is a real SQLite file (WAL, the schema's indexes). 50 laws of 100 articles each;
a citation cites law 1 with probability 0.2 (as 行政处罚法 is cited by most punishment duties),
else one of the other 49; 1 in 50 citations cites a whole law. Two scenarios, one after the
other: A amends law 1, B amends law 2 (an ordinary law); each amendment changes 50 of the
law's 100 articles (modified, renumbered, deleted, split, merged).

Figures per scenario: the time of ``run_impact`` and of a baseline in the same process — a naive
Python loop over every citation, asking the database about each duty of the amended law and
writing each flag on its own — their ratio, and the time of a re-run that has nothing to do.
Both write the same flags (checked). Case D prints its growth: 1,250, 2,500 and 5,000 re-imported
duties, the time a duty of each.

    .venv/bin/python bench/impact.py [--duties 100000]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import random
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from impact.assess import RULES, due_for  # noqa: E402
from impact.process import run_impact  # noqa: E402
from texts.numerals import article_label  # noqa: E402
from config.clock import now  # noqa: E402
from registry.schema import connect  # noqa: E402

LAWS = 50
ARTICLES = 100
TOUCHED = 50
CITATIONS_PER_DUTY = 3
SHARE_OF_AMENDED_LAW = 0.2


def build(db, duties: int, rng: random.Random) -> int:
    stamp = now()
    conn = db.conn
    with db.atomic():
        conn.execute("INSERT INTO departments (id, name, emails, created_at, updated_at) VALUES (1, '某局', '[]', ?, ?)",
                     [stamp, stamp])
        for law in range(1, LAWS + 1):
            conn.execute("INSERT INTO laws (id, title, aliases, status, created_at, updated_at) "
                         "VALUES (?, ?, '[]', '有效', ?, ?)", [law, f"法律{law}", stamp, stamp])
            conn.execute("INSERT INTO versions (id, law_id, source, title, promulgated, fetched_at) "
                         "VALUES (?, ?, 'bench', ?, '2020-01-01', ?)", [law, law, f"法律{law}", stamp])
    return add_duties(db, duties, rng, first=1, created="2020-06-01T00:00:00+00:00")


def add_duties(db, duties: int, rng: random.Random, *, first: int, created: str) -> int:
    """``duties`` duties from id ``first`` on, 3 citations each (of the first versions); returns citations."""
    labels = [article_label(n) for n in range(1, ARTICLES + 1)]
    duty_rows, cit_rows = [], []
    cid = db.execute("SELECT coalesce(max(id), 0) FROM citations").fetchone()[0]
    for d in range(first, first + duties):
        duty_rows.append((d, f"1:name:职责{d}", f"职责{d}", "依据", "x", created))
        for k in range(CITATIONS_PER_DUTY):
            cid += 1
            law = 1 if rng.random() < SHARE_OF_AMENDED_LAW else rng.randint(2, LAWS)
            article = None if rng.random() < 0.02 else rng.choice(labels)
            cit_rows.append((cid, d, k, f"《法律{law}》{article or ''}", law, law, article, "resolved"))
    with db.atomic():
        db.conn.executemany("INSERT INTO duties (id, duty_key, name, basis_text, department_id, content_sha256, "
                            "created_at) VALUES (?, ?, ?, ?, 1, ?, ?)", duty_rows)
        db.conn.executemany("INSERT INTO citations (id, duty_id, ordinal, raw, law_id, version_id, article, "
                            "resolution) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", cit_rows)
    return len(cit_rows)


def reimport(db, count: int, *, first: int) -> int:
    """New versions of ``count`` duties that have open flags; every other one cites the new labels."""
    stamp = now()
    rows = db.execute(
        "SELECT DISTINCT d.id, d.duty_key FROM duties d JOIN flags f ON f.duty_id = d.id "
        "WHERE f.state = 'open' AND d.is_current = 1 ORDER BY d.id LIMIT ?", [count]).fetchall()
    moved = {}
    for change_id, olds, news in db.execute("SELECT change_id, old_labels, new_labels FROM article_changes"):
        for label in json.loads(olds):
            if json.loads(news):
                moved[label] = json.loads(news)[0]
    cid = db.execute("SELECT max(id) FROM citations").fetchone()[0]
    with db.atomic():
        for n, (old_id, key) in enumerate(rows):
            new_id = first + n
            db.execute("UPDATE duties SET is_current = 0 WHERE id = ?", [old_id])
            db.execute("INSERT INTO duties (id, duty_key, version, name, basis_text, department_id, content_sha256, "
                       "created_at) VALUES (?, ?, 2, ?, '依据', 1, 'y', ?)", [new_id, key, f"职责{old_id}", stamp])
            for law, version, article in db.execute(
                    "SELECT law_id, version_id, article FROM citations WHERE duty_id = ?", [old_id]).fetchall():
                cid += 1
                fixed = n % 2 == 0 and article in moved
                db.execute("INSERT INTO citations (id, duty_id, raw, law_id, version_id, article, resolution) "
                           "VALUES (?, ?, 'r', ?, ?, ?, 'resolved')",
                           [cid, new_id, law, LAWS + law if fixed and law <= 2 else version,
                            moved[article] if fixed else article])
    return len(rows)


def amend(db, change_id: int, law: int) -> None:
    """A new version of ``law`` and its change: 50 of its 100 articles touched."""
    stamp = now()
    conn = db.conn
    version = LAWS + change_id
    with db.atomic():
        conn.execute("INSERT INTO versions (id, law_id, source, title, promulgated, effective, fetched_at) "
                     "VALUES (?, ?, 'bench', ?, '2024-01-01', '2024-01-01', ?)", [version, law, f"法律{law}", stamp])
        conn.execute("INSERT INTO changes (id, law_id, kind, old_version_id, new_version_id, published, effective, "
                     "detected_at, dedupe_key) VALUES (?, ?, 'amended', ?, ?, '2024-01-01', '2024-01-01', ?, ?)",
                     [change_id, law, law, version, stamp, f"bench:{change_id}"])
        statuses = ["modified"] * 30 + ["renumbered"] * 12 + ["deleted"] * 3 + ["split"] * 3 + ["merged"] * 2
        rows = []
        for i, status in enumerate(statuses):
            old = article_label(i * 2 + 1)
            news = [article_label(i * 2 + 2)] + ([article_label(i * 2 + 3)] if status == "split" else [])
            olds = [old] + ([article_label(i * 2 + 2)] if status == "merged" else [])
            if status == "deleted":
                news = []
            rows.append((change_id, i, status, json.dumps(olds, ensure_ascii=False),
                         json.dumps(news, ensure_ascii=False), olds[0], news[0] if news else None,
                         "substantive" if status == "modified" else None,
                         json.dumps([[0, "甲"], [1, "乙"]], ensure_ascii=False) if status == "modified" else None))
        conn.executemany("INSERT INTO article_changes (change_id, ordinal, status, old_labels, new_labels, old_label, "
                         "new_label, substance, diff) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def naive(db, change_id: int) -> int:
    """The baseline: look at every citation in Python, one query per duty, one insert per flag."""
    change = next(db.query("SELECT * FROM changes WHERE id = ?", [change_id]))
    by_label = {}
    for ac_id, status, olds, news, substance in db.execute(
            "SELECT id, status, old_labels, new_labels, substance FROM article_changes WHERE change_id = ?",
            [change_id]):
        for label in json.loads(olds):
            by_label[label] = (ac_id, status, json.loads(news), substance)
    due = due_for(change["effective"])
    made = 0
    stamp = now()
    with db.atomic():
        for cid, duty_id, law_id, article in db.execute(
                "SELECT id, duty_id, law_id, article FROM citations").fetchall():
            if law_id != change["law_id"]:
                continue
            if not db.execute("SELECT is_current FROM duties WHERE id = ?", [duty_id]).fetchone()[0]:
                continue
            if article is None:
                severity, ac_id, suggestion = "low", None, {}
            elif article in by_label:
                ac_id, status, news, substance = by_label[article]
                rule = (substance or "substantive") if status == "modified" else status
                severity = RULES["severity"][rule]
                suggestion = {"new_labels": news}
            else:
                continue
            db.execute("INSERT OR IGNORE INTO flags (duty_id, citation_id, change_id, article_change_id, severity, "
                       "reason, suggestion, due, state, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?, ?, 'r', ?, ?, 'open', ?, ?)",
                       [duty_id, cid, change_id, ac_id, severity, json.dumps(suggestion), due, stamp, stamp])
            made += 1
    return made


def scenario(db, change_id: int, law: int, label: str) -> None:
    amend(db, change_id, law)
    cited = db.execute("SELECT count(*) FROM citations WHERE law_id = ?", [law]).fetchone()[0]
    t = time.perf_counter()
    baseline_flags = naive(db, change_id)
    baseline = time.perf_counter() - t
    db.execute("DELETE FROM flags WHERE change_id = ?", [change_id])
    db.conn.commit()

    t = time.perf_counter()
    result = run_impact(db)
    ours = time.perf_counter() - t
    stored = db.execute("SELECT count(*) FROM flags WHERE change_id = ?", [change_id]).fetchone()[0]
    t = time.perf_counter()
    again = run_impact(db)
    rerun = time.perf_counter() - t
    assert result["flags"] == stored == baseline_flags, (result["flags"], stored, baseline_flags)
    assert again["flags"] == 0
    print(f"\n{label}: the amended law is cited {cited:,} times")
    print(f"  flags: {stored:,} ({', '.join(f'{k} {v:,}' for k, v in result['by_severity'].items())})")
    print(f"  run_impact:             {ours:6.3f} s")
    print(f"  baseline (naive loop):  {baseline:6.3f} s")
    print(f"  ratio baseline / ours:  {baseline / ours:6.2f}x")
    print(f"  re-run (nothing to do): {rerun:6.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duties", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(20240301)
    with tempfile.TemporaryDirectory() as tmp:
        db = connect(pathlib.Path(tmp) / "bench.db")
        t = time.perf_counter()
        citations = build(db, args.duties, rng)
        print(f"registry: {args.duties:,} duties, {citations:,} citations, {LAWS} laws x {ARTICLES} articles; "
              f"each amendment touches {TOUCHED} articles (built in {time.perf_counter() - t:.1f} s)")
        run_impact(db)  # the first pass records the duties as seen
        scenario(db, 1, 1, "A. a law cited by 1 in 5 citations (like 行政处罚法)")
        scenario(db, 2, 2, "B. an ordinary law")

        # C. a second power list of the same size arrives after both amendments were processed;
        #    its citations name the old versions, so impact checks them against those changes
        add_duties(db, args.duties, rng, first=args.duties + 1, created=now())
        before = db.execute("SELECT count(*) FROM flags").fetchone()[0]
        t = time.perf_counter()
        result = run_impact(db)
        took = time.perf_counter() - t
        added = db.execute("SELECT count(*) FROM flags").fetchone()[0] - before
        assert added == result["flags"]
        print(f"\nC. {args.duties:,} more duties imported after both amendments were processed")
        print(f"  flags: {added:,}; run_impact (checking the new duties): {took:6.3f} s")

        # D. flagged duties of the first list get a new version (a list imported again): half of them
        #    now cite the new labels, half are unchanged. 1,250, then 2,500, then 5,000 duties: the
        #    time a duty must not grow with their number.
        print("\nD. flagged duties get a new version (half of them fixed)")
        per_duty = []
        for count in (1250, 2500, 5000):
            first = db.execute("SELECT max(id) FROM duties").fetchone()[0] + 1
            revised = reimport(db, count, first=first)
            t = time.perf_counter()
            result = run_impact(db)
            took = time.perf_counter() - t
            carried = result["carried_over"]
            per_duty.append(took / revised * 1e6)
            print(f"  {revised:6,} duties: flags closed {carried['resolved']:,}, moved {carried['moved']:,}; "
                  f"run_impact {took:6.3f} s, {per_duty[-1]:,.0f} µs a duty")
        print(f"  growth: 4 times the duties take {per_duty[-1] / per_duty[0] * 4:.1f} times as long "
              f"(linear: 4.0); case A ({args.duties:,} duties) for comparison above")
        db.close()


if __name__ == "__main__":
    main()
