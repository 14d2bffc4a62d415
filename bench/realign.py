"""Flags raised on an older alignment, put right on upgrade (issue 12), over every corpus pair.

``bench/data/alignment-a84c420.json.xz`` is the article alignment the release a84c420 computed
for every consecutive version pair of yiju/data/laws (made by ``bench/data/alignment-a84c420.py``
run with that release's code; diffs left out). This bench builds two registries of the corpus with
a power list citing every article either alignment touches (the article, its first three 款, the
first 项): one whose changes carry the old alignment (flags raised on it, as an old release left
them), then upgraded (``changes.alignment`` cleared, impact run: ``impact/realign.py``); and one
built with today's alignment from the start. It prints:

- pairs realigned, flags raised on the old alignment, corrected (更正), closed, new, and the time
  of the realignment against the baseline of raising today's flags from scratch (same process);
- differences between the upgraded registry's active flags and today's (severity and target
  article, per duty and change): want 0.

    .venv/bin/python bench/realign.py
"""

from __future__ import annotations

import json
import lzma
import os
import pathlib
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("YIJU_TODAY", "2030-01-01")

import impact.duties  # noqa: E402,F401  (impact.process and impact.duties import each other)
from impact.process import run_impact  # noqa: E402
from impact.realign import _targets  # noqa: E402
from impact.record import record_version  # noqa: E402
from registry import changes as change_store  # noqa: E402
from registry.schema import connect  # noqa: E402
from tests.builders import Builder, cite  # noqa: E402
from texts.provisions import provision  # noqa: E402
from texts.structure import parse  # noqa: E402

LAWS = HERE / "yiju" / "data" / "laws"
OLD = json.loads(lzma.decompress((HERE / "bench" / "data" / "alignment-a84c420.json.xz").read_bytes()))
LATER = "2100-01-01T00:00:00+00:00"   # duties written after every change (no same-second ties)


def build(path: pathlib.Path, old_alignment: bool):
    db = connect(path)
    b = Builder(db)
    dep = b.department("某局")
    for law in sorted(p for p in LAWS.iterdir() if p.is_dir()):
        files = sorted(law.glob("*.md"))
        if len(files) < 2:
            continue
        law_id, vids = None, {}
        for f in files:
            text = f.read_text("utf-8")
            r = record_version(db, title=parse(text).title or law.name, text=text, source="import",
                               source_id=f"{law.name}/{f.stem}", promulgated=f.stem, law_id=law_id)
            law_id, vids[f.stem] = r.law_id, r.version_id
        title = db.execute("SELECT title FROM laws WHERE id = ?", [law_id]).fetchone()[0]
        for x, y in zip(files, files[1:]):
            key = f"{law.name}|{x.stem}|{y.stem}"
            change = change_store.between(db, vids[x.stem], vids[y.stem])
            if change is None or key not in OLD:
                continue
            labels = {lab for r in OLD[key] + change_store.article_changes(db, change["id"]) for lab in r["old_labels"]}
            if old_alignment:
                change_store.realign(db, change["id"], OLD[key], summary={}, alignment=1)
            articles = {a["label"]: a for a in db.query("SELECT label, paragraphs FROM articles WHERE version_id = ?",
                                                        [vids[x.stem]])}
            for label in sorted(labels & set(articles)):
                paras = json.loads(articles[label]["paragraphs"])
                cited = [(None, None)] + [(k, None) for k in range(1, min(len(paras), 3) + 1)]
                if paras and paras[0].get("items"):
                    cited.append((1, 1))
                for p, z in cited:
                    raw = f"《{title}》{provision(label, p, z)}"
                    b.duty(dep, f"{law.name}{x.stem}{provision(label, p, z)}",
                           [cite(law_id, vids[x.stem], label, paragraph=p, item=z, raw=raw)], basis=raw,
                           created_at=LATER)
    return db


def active(db) -> dict:
    return {(f["name"], f["change_id"]): (f["severity"], _targets(json.loads(f["suggestion"]))) for f in db.query(
        "SELECT d.name, f.change_id, f.severity, f.suggestion FROM flags f JOIN duties d ON d.id = f.duty_id "
        "WHERE f.state != 'dismissed'")}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        old = build(pathlib.Path(tmp) / "old.db", True)
        raised = run_impact(old)["flags"]
        old.execute("UPDATE changes SET alignment = NULL WHERE old_version_id IS NOT NULL AND new_version_id IS NOT NULL")
        t0 = time.perf_counter()
        realigned = run_impact(old)["realigned"]
        took = time.perf_counter() - t0
        fresh = build(pathlib.Path(tmp) / "fresh.db", False)
        t0 = time.perf_counter()
        today = run_impact(fresh)["flags"]
        baseline = time.perf_counter() - t0
        a, b = active(old), active(fresh)
        differ = sorted(set(a) ^ set(b)) + sorted(k for k in set(a) & set(b) if a[k] != b[k])
    print(f"pairs realigned: {realigned['changes']}")
    print(f"flags raised on the a84c420 alignment: {raised}; corrected: {realigned['corrected']}, "
          f"closed: {realigned['closed']}, new: {realigned['new_flags']}")
    print(f"realignment: {took:.1f} s   baseline (today's flags from scratch): {baseline:.1f} s   "
          f"ratio: {took / baseline:.2f}x")
    print(f"today's registry: {today} flags; differences with the upgraded one: {len(differ)}")
    for k in differ[:20]:
        print("  ", k, a.get(k), b.get(k))


if __name__ == "__main__":
    main()
