"""A registry written by an earlier release opens with today's yiju, upgraded with nothing lost.

tests/data/upgrade/registry-a84c420.db.xz was written by the release of commit a84c420 (before
the floors): two crawled nights, a power list, flags worked on through the command line, mail
left in the outbox (provenance in the README beside it). The test asserts on the data, not on the
list of migrations: whatever migrations are added, every row a user had is still there.
"""

from __future__ import annotations

import json
import lzma
import sqlite3

import pytest

from registry.schema import connect, migrations, schema_version
from tests.conftest import TEST_DATA, Yiju

OLD = TEST_DATA / "upgrade" / "registry-a84c420.db.xz"
TODAY = "2026-08-01"   # the working date of the nights that wrote it
FTS_SHADOW = ("_fts_data", "_fts_idx", "_fts_docsize", "_fts_config")   # SQLite's own bookkeeping

#: What a user would miss if it changed: (table, key columns) read before and after the upgrade.
KEPT = {
    "laws": "id, title, status, successor_id",
    "versions": "id, law_id, title, promulgated, effective, review_state",
    "articles": "id, version_id, label, text",
    "changes": "id, law_id, kind, old_version_id, new_version_id, impact_done_at, reported_run_id",
    "duties": "id, duty_key, version, is_current, code, name, department_id, post_id, basis_text, penalty_basis_text",
    "citations": "id, duty_id, raw, law_id, version_id, article, paragraph, item, resolution, current_label",
    "flags": "id, duty_id, citation_id, change_id, severity, state, updated_by, closed_at, notified_run_id",
    "departments": "id, name",
    "staff": "id, name, email",
    "runs": "id, state, digest_path",
    "outbox": "id, run_id, kind, recipient, subject, state, attempts, idempotency_key",
    "audit": "id, actor, action, object",
}


@pytest.fixture
def old_registry(tmp_path, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", TODAY)
    path = tmp_path / "data" / "yiju.db"
    path.parent.mkdir()
    path.write_bytes(lzma.decompress(OLD.read_bytes()))
    config = tmp_path / "yiju.toml"
    config.write_text('[registry]\npath = "data/yiju.db"\nfiles = "data/files"\n[digest]\ndir = "data/digests"\n',
                      encoding="utf-8")
    return path, Yiju(config)


def _tables(conn) -> list[str]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return [n for n in names if not n.endswith(FTS_SHADOW) and n != "_sqlite_migrations"]


def _snapshot(conn) -> dict:
    counts = {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in _tables(conn)}
    rows = {table: conn.execute(f"SELECT {columns} FROM {table} ORDER BY id").fetchall()
            for table, columns in KEPT.items()}
    return {"counts": counts, "rows": rows}


def test_the_fixture_is_a_real_registry_of_that_release(old_registry):
    path, _ = old_registry
    conn = sqlite3.connect(path)
    before = _snapshot(conn)
    applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY applied_at")]
    conn.close()
    assert applied == ["0001_initial", "0002_reported_and_notified"]
    counts = before["counts"]
    for table in ("laws", "versions", "articles", "changes", "article_changes", "duties", "citations", "flags",
                  "runs", "outbox", "audit", "departments", "posts", "staff", "instruments", "listings"):
        assert counts[table] > 0, table
    states = {row[5] for row in before["rows"]["flags"]}
    assert states == {"open", "acknowledged", "dismissed", "resolved"}


def test_opening_it_upgrades_through_every_migration_and_loses_nothing(old_registry):
    path, _ = old_registry
    conn = sqlite3.connect(path)
    before = _snapshot(conn)
    conn.close()

    db = connect(path)
    assert set(schema_version(db)) == {m.name for m in migrations._migrations}
    after = _snapshot(db.conn)
    db.close()
    assert {t: after["counts"].get(t) for t in before["counts"]} == before["counts"]
    for table in KEPT:
        assert after["rows"][table] == before["rows"][table], table

    db = connect(path)                      # opening it again changes nothing
    assert _snapshot(db.conn) == after
    db.close()


def test_the_upgraded_registry_answers_the_commands(old_registry):
    path, yiju = old_registry
    conn = sqlite3.connect(path)
    flags = conn.execute("SELECT id, state, severity, duty_id FROM flags ORDER BY id").fetchall()
    laws = conn.execute("SELECT title, status FROM laws ORDER BY title").fetchall()
    conn.close()

    listed = yiju("flags", "--state", "all", "--json")
    assert listed.exit_code == 0, listed.output
    assert sorted((f["id"], f["state"], f["severity"], f["duty_id"]) for f in json.loads(listed.stdout)) == flags
    active = json.loads(yiju("flags", "--json").stdout)
    assert {f["state"] for f in active} == {"open", "acknowledged"}

    result = yiju("laws", "--json")
    assert result.exit_code == 0, result.output
    assert sorted((law["title"], law["status"]) for law in json.loads(result.stdout)) == laws

    shown = yiju("flags", "show", flags[0][0], "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["id"] == flags[0][0]

    # the changes were assessed by the old release: assessing again after the upgrade raises nothing twice
    again = yiju("impact", "--json")
    assert again.exit_code == 0, again.output
    assert (json.loads(again.stdout)["changes"], json.loads(again.stdout)["flags"]) == (0, 0)
    assert len(json.loads(yiju("flags", "--state", "all", "--json").stdout)) == len(flags)
