"""Imports killed with SIGKILL half way (kill -9, a power cut): the next import completes them, and
the registry holds exactly what an uninterrupted import gives — no row twice, none missing, the search
index whole. Also: a power list's bases parsed in worker processes give the rows one process gives."""

from __future__ import annotations

import csv
import os
import pathlib
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from impact import duties
from impact.duties import import_duties
from impact.lawfiles import import_directory
from registry.schema import connect
from registry.search import search_articles
from tests.conftest import CORPUS, ROOT

LAWS = 400           # law folders: a few seconds of work, several batches of 100
DUTIES = 3000        # power-list rows: above duties.PARALLEL_FROM, parsed in worker processes


def _laws(root, n=LAWS):
    """``n`` law folders made of real texts under distinct titles; a tenth with two versions."""
    bases = sorted(p for p in CORPUS.iterdir() if p.is_dir() and len(list(p.glob("*.md"))) >= 2)[:20]
    for i in range(n):
        base = bases[i % len(bases)]
        title = f"示例{i:03d}号{base.name}"
        folder = root / title
        folder.mkdir(parents=True)
        files = sorted(base.glob("*.md"))
        for f in (files[-2:] if i % 10 == 0 else files[-1:]):
            lines = f.read_text("utf-8").splitlines()
            first = next(k for k, line in enumerate(lines) if line.strip())
            lines[first] = title
            (folder / f.name).write_text("\n".join(lines) + "\n", "utf-8")
    return [folder.name for folder in sorted(root.iterdir())]


def _config(tmp_path, name):
    path = tmp_path / f"{name}.toml"
    path.write_text(f'[registry]\npath = "{name}.db"\nfiles = "files"\n', encoding="utf-8")
    return path


def _yiju(config, *args):
    env = {**os.environ, "YIJU_TODAY": "2026-08-01", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "yiju", "--config", str(config), *map(str, args)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def _kill_when(process, db_path, sql, at_least):
    """SIGKILL ``process`` once ``sql`` counts ``at_least`` rows in the registry (committed)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False                          # finished before we could kill it
        try:
            con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1)
            try:
                n = con.execute(sql).fetchone()[0]
            finally:
                con.close()
        except sqlite3.Error:
            n = 0
        if n >= at_least:
            workers = _children(process.pid)
            process.send_signal(signal.SIGKILL)
            process.wait()
            _gone(workers)
            return True
        time.sleep(0.02)
    process.kill()
    raise AssertionError("the import did not get going in 5 minutes")


def _children(pid):
    """The ids of the processes whose parent is ``pid`` (Linux /proc)."""
    out = []
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _gone(pids, wait=10.0):
    """The worker processes of a killed import end by themselves (none left waiting for work)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        alive = [p for p in pids if pathlib.Path(f"/proc/{p}").exists()
                 and "Z" not in pathlib.Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0]]
        if not alive:
            return
        time.sleep(0.1)
    raise AssertionError(f"worker processes {alive} outlived the import that was killed")


def _law_state(db):
    return {
        "laws": db.execute("SELECT title, level, status FROM laws ORDER BY title").fetchall(),
        "versions": db.execute("SELECT l.title, v.promulgated, v.text_sha256, v.review_state FROM versions v "
                               "JOIN laws l ON l.id = v.law_id ORDER BY 1, 2").fetchall(),
        "articles": db.execute("SELECT l.title, v.promulgated, a.ordinal, a.label, a.text FROM articles a "
                               "JOIN versions v ON v.id = a.version_id JOIN laws l ON l.id = v.law_id "
                               "ORDER BY 1, 2, 3").fetchall(),
        "changes": db.execute("SELECT l.title, c.kind, c.dedupe_key IS NOT NULL FROM changes c "
                              "JOIN laws l ON l.id = c.law_id ORDER BY 1, 2").fetchall(),
        "article_changes": db.execute("SELECT count(*) FROM article_changes").fetchone()[0],
        "powers": db.execute("SELECT count(*) FROM version_powers").fetchone()[0],
    }


def _index_whole(db):
    articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")   # raises when damaged
    assert db.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == articles
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.slow
def test_laws_import_killed_half_way_completes_to_the_same_registry(tmp_path):
    titles = _laws(tmp_path / "laws")
    whole, killed = _config(tmp_path, "whole"), _config(tmp_path, "killed")
    assert _yiju(whole, "laws", "import", tmp_path / "laws").wait() in (0, 1)

    process = _yiju(killed, "laws", "import", tmp_path / "laws")
    assert _kill_when(process, tmp_path / "killed.db", "SELECT count(*) FROM laws", 100), \
        "the import finished before it could be killed: give it more folders"
    db = connect(tmp_path / "killed.db")
    half = db.execute("SELECT count(*) FROM laws").fetchone()[0]
    assert 100 <= half < len(titles)                 # whole batches were kept, the rest is missing
    _index_whole(db)
    db.close()

    assert _yiju(killed, "laws", "import", tmp_path / "laws").wait() in (0, 1)
    assert _yiju(killed, "laws", "import", tmp_path / "laws").wait() in (0, 1)   # and once more: nothing new
    done, expected = connect(tmp_path / "killed.db"), connect(tmp_path / "whole.db")
    assert _law_state(done) == _law_state(expected)
    assert len(_law_state(done)["laws"]) == len(titles)
    _index_whole(done)
    assert search_articles(done, "罚款").total == search_articles(expected, "罚款").total > 0


def _power_list(path, titles, n=DUTIES):
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["职权编码", "事项名称", "职权类型", "实施主体", "执法依据"])
        for i in range(n):
            cited = "；".join(f"《{titles[(i * 7 + k) % len(titles)]}》第{k + 2}条" for k in range(3))
            writer.writerow([f"KT-{i:05d}", f"第{i}项行政处罚", "行政处罚", f"第{i % 20:02d}号执法局", cited])


def _duty_state(db):
    return {
        "duties": db.execute("SELECT duty_key, version, is_current, name, basis_text, content_sha256 FROM duties "
                             "ORDER BY duty_key, version").fetchall(),
        "citations": db.execute("SELECT d.duty_key, c.field, c.ordinal, c.raw, c.law_id, c.version_id, c.article, "
                                "c.resolution, c.problem FROM citations c JOIN duties d ON d.id = c.duty_id "
                                "ORDER BY 1, 2, 3").fetchall(),
        "flags": db.execute("SELECT d.duty_key, f.change_id, f.severity, f.state FROM flags f "
                            "JOIN duties d ON d.id = f.duty_id ORDER BY 1, 2").fetchall(),
    }


@pytest.mark.slow
def test_duties_import_killed_half_way_then_again_gives_the_same_rows(tmp_path):
    titles = _laws(tmp_path / "laws", 60)
    whole = _config(tmp_path, "whole")
    assert _yiju(whole, "laws", "import", tmp_path / "laws").wait() in (0, 1)
    shutil.copy(tmp_path / "whole.db", tmp_path / "killed.db")
    killed = _config(tmp_path, "killed")
    _power_list(tmp_path / "list.csv", titles)

    assert _yiju(whole, "duties", "import", tmp_path / "list.csv").wait() in (0, 1)
    process = _yiju(killed, "duties", "import", tmp_path / "list.csv")
    time.sleep(1.5)                                  # reading the list, parsing its bases in the workers
    if process.poll() is None:
        workers = _children(process.pid)
        process.send_signal(signal.SIGKILL)
        process.wait()
        _gone(workers)
    db = connect(tmp_path / "killed.db")
    # one transaction: all of the list or nothing of it
    assert db.execute("SELECT count(*) FROM duties").fetchone()[0] in (0, DUTIES)
    db.close()
    assert _yiju(killed, "duties", "import", tmp_path / "list.csv").wait() in (0, 1)
    done, expected = connect(tmp_path / "killed.db"), connect(tmp_path / "whole.db")
    assert _duty_state(done) == _duty_state(expected)
    assert len(_duty_state(done)["duties"]) == DUTIES


@pytest.mark.slow
def test_bases_parsed_in_worker_processes_give_the_rows_of_one_process(tmp_path, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2026-08-01")
    titles = _laws(tmp_path / "laws", 12)
    one, many = connect(tmp_path / "one.db"), connect(tmp_path / "many.db")
    for db in (one, many):
        import_directory(db, tmp_path / "laws", tmp_path / "files", workers=1)
    _power_list(tmp_path / "list.csv", titles, 300)
    monkeypatch.setattr(duties, "PARALLEL_FROM", 10)
    monkeypatch.setattr(duties, "_CHUNK", 40)                        # several chunks, in order
    a = import_duties(one, tmp_path / "list.csv", workers=1, impact=False)
    b = import_duties(many, tmp_path / "list.csv", workers=2, impact=False)
    assert (a.created, a.citations) == (b.created, b.citations) == (300, 900)
    assert _duty_state(one) == _duty_state(many)
    assert {r[7] for r in _duty_state(one)["citations"]} == {"resolved"}
