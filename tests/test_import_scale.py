"""A large import: files parsed in worker processes, written in batches, indexed for search in one pass
per batch — with the same registry as a one-process import, and nothing half-done after a failure."""

from __future__ import annotations

import pytest

from impact import lawfiles
from impact.lawfiles import import_directory
from registry.schema import connect
from registry.search import index_in_bulk, search_articles

N = lawfiles.PARALLEL_FROM + 5


def _write(root, n=N):
    for i in range(n):
        folder = root / f"示例{i}号条例"
        folder.mkdir(parents=True)
        (folder / "2020-01-01.md").write_text(
            f"示例{i}号条例\n第一条　为了规范示例{i}号事项，制定本条例。\n第二条　违反本条例的，处一万元罚款。\n", "utf-8")
        if i % 10 == 0:
            (folder / "2023-05-01.md").write_text(
                f"示例{i}号条例\n第一条　为了规范示例{i}号事项，制定本条例。\n第二条　违反本条例的，处二万元罚款。\n", "utf-8")


def _state(db):
    return {
        "laws": db.execute("SELECT title, level FROM laws ORDER BY title").fetchall(),
        "versions": db.execute("SELECT l.title, v.promulgated, v.text_sha256 FROM versions v JOIN laws l "
                               "ON l.id = v.law_id ORDER BY 1, 2").fetchall(),
        "changes": db.execute("SELECT l.title, c.kind FROM changes c JOIN laws l ON l.id = c.law_id ORDER BY 1").fetchall(),
        "indexed": db.execute("SELECT count(*) FROM articles_fts").fetchone()[0],
    }


def test_parallel_import_gives_the_same_registry_as_one_process(tmp_path, monkeypatch):
    _write(tmp_path / "laws")
    monkeypatch.setattr(lawfiles, "BATCH", 7)                       # several batches
    one = connect(tmp_path / "one.db")
    many = connect(tmp_path / "many.db")
    a = import_directory(one, tmp_path / "laws", tmp_path / "files", workers=1)
    b = import_directory(many, tmp_path / "laws", tmp_path / "files", workers=2)
    assert (a.laws_new, a.versions_new, a.changes) == (b.laws_new, b.versions_new, b.changes) == (N, N + 5, 5)
    assert _state(one) == _state(many)
    assert _state(many)["indexed"] == many.execute("SELECT count(*) FROM articles").fetchone()[0]
    hits = search_articles(many, "二万元罚款")
    assert hits.total == 5                                          # every batch's articles are searchable
    again = import_directory(many, tmp_path / "laws", tmp_path / "files", workers=2)
    assert again.versions_new == 0 and again.versions_known == N + 5


def test_a_failing_batch_leaves_the_search_index_and_its_trigger_as_they_were(tmp_path):
    db = connect(tmp_path / "yiju.db")
    _write(tmp_path / "laws", 3)
    import_directory(db, tmp_path / "laws", tmp_path / "files", workers=1)
    before = _state(db)
    with pytest.raises(RuntimeError):
        with db.atomic(), index_in_bulk(db):
            db.execute("INSERT INTO articles (version_id, label, number, suffix, ordinal, path, text, paragraphs) "
                       "SELECT version_id, '第九条', 9, 0, 9, '', '不应留下', '[]' FROM articles LIMIT 1")
            raise RuntimeError("killed")
    assert _state(db) == before
    assert db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'articles_ai'").fetchone()[0]
    # the trigger works again: a later single insert is indexed
    import_directory(db, tmp_path / "laws", tmp_path / "files", workers=1)
    assert _state(db)["indexed"] == db.execute("SELECT count(*) FROM articles").fetchone()[0]
