"""How much yiju reads from one file: limits a real office never meets, and settings to raise them.

A small file can declare a huge one (a .docx of 3 million empty paragraphs, an .xlsx with a cell
at XFD1048576); these limits stop such a file with a clear error instead of eating the machine.
The ``[limits]`` section of the configuration sets them; ``use()`` makes them the process's.

>>> current().max_file_bytes
104857600
>>> check_size(10, "a.docx")
>>> check_size(current().max_file_bytes + 1, "a.docx")
Traceback (most recent call last):
...
config.limits.TooLarge: a.docx：文件大小 100.0 MB 超过上限 100.0 MB（配置 limits.max_file_bytes）
"""

from __future__ import annotations

import os
import pathlib
import stat
from dataclasses import dataclass


@dataclass
class LimitsSettings:
    max_file_bytes: int = 100 * 1024 * 1024        # one law file or table, as stored
    max_unzipped_bytes: int = 300 * 1024 * 1024    # a .docx/.xlsx once decompressed
    max_paragraphs: int = 200_000                  # paragraphs (lines) of one law text
    max_articles: int = 20_000                     # articles (第X条) of one law text
    max_rows: int = 200_000                        # rows of one sheet of a table
    max_columns: int = 500                         # columns of one sheet of a table


class TooLarge(ValueError):
    """A file over a limit; the message (Chinese) names the file, the limit and its setting."""


class NotAFile(ValueError):
    """A path that is not a regular file (a device, a FIFO, a folder); the message is Chinese."""


_CURRENT = LimitsSettings()


def use(limits: LimitsSettings) -> None:
    """Make ``limits`` the limits of this process (the CLI and the crawler child call it)."""
    global _CURRENT
    _CURRENT = limits


def current() -> LimitsSettings:
    return _CURRENT


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def check_size(size: int, name: str, *, unzipped: bool = False) -> None:
    limit = _CURRENT.max_unzipped_bytes if unzipped else _CURRENT.max_file_bytes
    if size > limit:
        what = "解压后的大小" if unzipped else "文件大小"
        key = "max_unzipped_bytes" if unzipped else "max_file_bytes"
        raise TooLarge(f"{name}：{what} {_mb(size)} 超过上限 {_mb(limit)}（配置 limits.{key}）")


def check_count(count: int, name: str, key: str, what: str) -> None:
    limit = getattr(_CURRENT, key)
    if count > limit:
        raise TooLarge(f"{name}：{what}超过上限 {limit:,}（配置 limits.{key}）")


def read_regular(path: str | os.PathLike) -> bytes:
    """The bytes of a regular file within the size limit; a device, FIFO or folder is refused
    (reading /dev/zero or a FIFO would never end)."""
    path = pathlib.Path(path)
    info = os.stat(path)                       # follows a symlink: what would really be read
    if not stat.S_ISREG(info.st_mode):
        raise NotAFile(f"{path.name}：不是普通文件（设备、管道或文件夹），不读取")
    check_size(info.st_size, path.name)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):    # swapped between stat and open
            raise NotAFile(f"{path.name}：不是普通文件，不读取")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(_CURRENT.max_file_bytes + 1)
    finally:
        os.close(fd)
    check_size(len(data), path.name)
    return data


def check_zip(data_or_zip, name: str) -> None:
    """A zip (.docx/.xlsx) whose members, decompressed, stay within max_unzipped_bytes."""
    import io
    import zipfile

    z = data_or_zip if isinstance(data_or_zip, zipfile.ZipFile) else zipfile.ZipFile(io.BytesIO(data_or_zip))
    check_size(sum(i.file_size for i in z.infolist()), name, unzipped=True)
