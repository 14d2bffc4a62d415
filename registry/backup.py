"""Consistent copies of the registry: SQLite's online backup API, safe while a run is writing.

The registry is the record people are held to account by (责任追究): ``yiju backup DIR`` and
the nightly run (``[backup] dir``) copy it as ``yiju-YYYYmmdd-HHMMSS-ffffff.db``, keeping the newest ``keep`` copies.

>>> import tempfile, pathlib
>>> from registry.schema import connect
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> connect(root / "yiju.db").close()
>>> copy = make_backup(root / "yiju.db", root / "backups", keep=2)
>>> copy.parent.name, copy.name.startswith("yiju-") and copy.suffix
('backups', '.db')
"""

from __future__ import annotations

import datetime as _dt
import os
import pathlib
import sqlite3

PREFIX = "yiju-"


class BackupError(Exception):
    """The copy could not be made; the message is Chinese."""


def make_backup(registry: str | os.PathLike, out_dir: str | os.PathLike, *, keep: int = 0,
                clock=None) -> pathlib.Path:
    """Copy ``registry`` into ``out_dir`` as ``yiju-YYYYmmdd-HHMMSS-ffffff.db``; keep the newest ``keep``
    copies there (0 = keep all). The copy is checked (``PRAGMA quick_check``) before it counts."""
    registry, out = pathlib.Path(registry), pathlib.Path(out_dir)
    if not registry.is_file() or registry.stat().st_size == 0:
        raise BackupError(f"登记库 {registry} 不存在或是空文件，没有可备份的内容")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"无法创建备份文件夹 {out}：{exc.strerror or exc}") from exc
    moment = (clock or _dt.datetime.now)()
    stamp = f"{moment:%Y%m%d-%H%M%S-%f}"      # names sort in the order the copies were made
    target = out / f"{PREFIX}{stamp}.db"
    if target.exists():
        raise BackupError(f"备份文件 {target} 已存在，不会覆盖")
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(f"file:{registry}?mode=ro", uri=True, timeout=30)
    try:
        dest = sqlite3.connect(partial)
        try:
            source.backup(dest, pages=1024)       # a page range at a time: writers are not held up
            ok = dest.execute("PRAGMA quick_check").fetchone()[0]
            dest.execute("PRAGMA journal_mode = DELETE")   # one self-contained file
        finally:
            dest.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"备份登记库失败：{exc}") from exc
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"写入备份失败（{exc.strerror or exc}）：{partial}") from exc
    finally:
        source.close()
    if ok != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"备份副本未通过完整性检查（{ok}），已删除")
    os.replace(partial, target)
    if keep > 0:
        prune(out, keep)
    return target


def backups(out_dir: str | os.PathLike) -> list[pathlib.Path]:
    """The copies in ``out_dir``, oldest first."""
    return sorted(pathlib.Path(out_dir).glob(f"{PREFIX}*.db"))


def prune(out_dir: str | os.PathLike, keep: int) -> list[pathlib.Path]:
    """Remove all but the newest ``keep`` copies; returns what was removed."""
    old = backups(out_dir)[:-keep] if keep > 0 else []
    for path in old:
        path.unlink(missing_ok=True)
    return old
