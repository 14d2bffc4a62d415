"""Issue 13 item 13: a consistent copy of the registry while a run writes, the newest N kept,
and a restored copy opens as a registry."""

from __future__ import annotations

import json
import threading

from impact.record import record_version
from registry.backup import backups, make_backup
from registry.schema import connect
from tests.conftest import Yiju


def _law(n: int) -> str:
    return f"示例{n}条例\n第一条　为了示例{n}，制定本条例。\n第二条　本条例自公布之日起施行。"


def test_a_backup_taken_while_a_run_writes_opens_as_a_registry(tmp_path):
    path = tmp_path / "data" / "yiju.db"
    db = connect(path)
    record_version(db, title="示例0条例", text=_law(0), source="import")
    db.close()
    stop = threading.Event()

    def writer():                      # another connection writing the whole time, as a run would
        w = connect(path)
        n = 1
        while not stop.is_set() and n < 400:
            record_version(w, title=f"示例{n}条例", text=_law(n), source="import")
            n += 1
        w.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        copies = [make_backup(path, tmp_path / "backups", keep=3) for _ in range(5)]
    finally:
        stop.set()
        thread.join()
    assert backups(tmp_path / "backups") == sorted(copies[-3:])          # the newest three kept
    restored = tmp_path / "restored" / "yiju.db"
    restored.parent.mkdir()
    restored.write_bytes(copies[-1].read_bytes())                        # what the README says to do
    db = connect(restored)
    laws = db.execute("SELECT count(*) FROM laws").fetchone()[0]
    versions = db.execute("SELECT count(*) FROM versions").fetchone()[0]
    assert laws >= 1 and laws == versions                                # whole transactions only
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


def test_the_backup_command_and_the_restored_registry_through_the_cli(tmp_path):
    config = tmp_path / "yiju.toml"
    config.write_text('[registry]\npath = "data/yiju.db"\n[backup]\ndir = "backups"\nkeep = 2\n', "utf-8")
    yiju = Yiju(config)
    assert yiju("init").exit_code == 0
    made = [yiju("backup", "--json") for _ in range(3)]
    assert all(r.exit_code == 0 for r in made), made[-1].output
    assert len(backups(tmp_path / "backups")) == 2
    explicit = yiju("backup", tmp_path / "elsewhere")
    assert explicit.exit_code == 0 and len(backups(tmp_path / "elsewhere")) == 1
    restored = tmp_path / "restored.toml"
    copy = json.loads(made[-1].stdout)["backup"]
    restored.write_text(f'[registry]\npath = "{copy}"\n', "utf-8")
    assert Yiju(restored)("laws").exit_code == 0


def test_a_backup_of_nothing_is_refused(tmp_path):
    config = tmp_path / "yiju.toml"
    config.write_text('[registry]\npath = "data/yiju.db"\n', "utf-8")
    result = Yiju(config)("backup")
    assert result.exit_code == 2 and "backup" in result.output


def test_the_nightly_run_keeps_the_last_n_copies(tmp_path):
    from config.settings import Settings
    from yiju.run import nightly

    settings = Settings()
    settings.registry.path = tmp_path / "data" / "yiju.db"
    settings.digest.dir = tmp_path / "digests"
    settings.backup.dir = tmp_path / "backups"
    settings.backup.keep = 2
    db = connect(settings.registry.path)
    for _ in range(3):
        result = nightly(settings, db, crawl=False, send_mail=False)
        assert "path" in result.stats["backup"], result.stats
    db.close()
    kept = backups(tmp_path / "backups")
    assert len(kept) == 2 and str(kept[-1]) == result.stats["backup"]["path"]
    restored = connect(kept[-1])
    assert restored.execute("SELECT count(*) FROM runs").fetchone()[0] >= 2
    restored.close()
