"""The registry: migrations recorded, WAL, foreign keys, Chinese full-text search, refusal of newer files."""

import sqlite3

import pytest

from registry.schema import RegistryError, connect, schema_version


def test_init_is_idempotent(tmp_path):
    path = tmp_path / "r.db"
    db = connect(path)
    first = schema_version(db)
    db.close()
    db = connect(path)
    assert schema_version(db) == first
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    db.close()


def test_an_empty_database_becomes_a_registry(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 0")
    conn.execute("VACUUM")                 # a valid SQLite file with no table
    conn.close()
    db = connect(path)
    assert "laws" in db.table_names()
    db.close()


def test_a_database_of_something_else_is_refused_and_left_alone(tmp_path):
    """Issue 13 item 10: a file that is not a yiju registry is never turned into one."""
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE unrelated (x)")
    conn.commit()
    conn.close()
    with pytest.raises(RegistryError, match="不是 yiju 登记库"):
        connect(path)
    assert [r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")] == ["unrelated"]


def test_newer_registry_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "new.db"
    db = connect(path)
    db["_sqlite_migrations"].insert(
        {"migration_set": "yiju", "name": "9999_from_the_future", "applied_at": "2030-01-01"}
    )
    db.close()
    with pytest.raises(RegistryError, match="9999_from_the_future"):
        connect(path)


def test_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(RegistryError, match=str(path)):
        connect(path)


def test_chinese_full_text_search(db):
    law = db["laws"].insert({"title": "示例法", "aliases": "[]", "status": "有效",
                             "created_at": "t", "updated_at": "t"}).last_pk
    v = db["versions"].insert({"law_id": law, "source": "t", "title": "示例法", "fetched_at": "t"}).last_pk
    db["articles"].insert_all([
        {"version_id": v, "label": "第一条", "number": 1, "suffix": 0, "ordinal": 0, "text": "违反本法规定的，处五千元以下罚款。"},
        {"version_id": v, "label": "第二条", "number": 2, "suffix": 0, "ordinal": 1, "text": "责令改正，给予警告。"},
    ])
    hits = db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", ['"五千元以下"']).fetchall()
    assert len(hits) == 1


def test_foreign_keys_are_enforced(db):
    with pytest.raises(sqlite3.IntegrityError):
        db["versions"].insert({"law_id": 999, "source": "t", "title": "x", "fetched_at": "t"})
