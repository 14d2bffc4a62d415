"""What a fault of the machine means for the user, in one Chinese line.

>>> import sqlite3
>>> describe(sqlite3.OperationalError("attempt to write a readonly database"))
'登记库是只读的（文件或所在文件夹没有写权限，或磁盘以只读方式挂载），无法写入；请检查权限后重试'
>>> describe(ValueError("a bug")) is None
True
"""

from __future__ import annotations

import errno
import sqlite3
import zipfile
import zlib
from xml.etree.ElementTree import ParseError


def describe(exc: BaseException) -> str | None:
    """One line for a known fault; None for anything else (a bug keeps its traceback)."""
    if isinstance(exc, MemoryError):
        return "内存不足，无法完成（文件过大？可在配置 [limits] 中查看读取上限）"
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        if "readonly" in text or "read-only" in text:
            return "登记库是只读的（文件或所在文件夹没有写权限，或磁盘以只读方式挂载），无法写入；请检查权限后重试"
        if "disk is full" in text or "disk i/o" in text:
            return "磁盘已满或无法写入，本次操作未完成，登记库中已有的内容保持不变；请腾出空间后重试"
        if "unable to open" in text:
            return "无法打开登记库文件（文件夹不存在或没有权限）"
        if "locked" in text or "busy" in text:
            return "登记库正被另一个程序长时间占用，请稍后重试"
        return f"登记库操作失败（{exc}）"
    if isinstance(exc, sqlite3.DatabaseError):
        return f"登记库文件已损坏或不是 SQLite 数据库（{exc}）；请从备份恢复（见 README「备份与恢复」）"
    if isinstance(exc, OSError):
        where = f"：{exc.filename}" if getattr(exc, "filename", None) else ""
        if exc.errno == errno.ENOSPC:
            return f"磁盘已满{where}，本次操作未完成；请腾出空间后重试"
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return f"没有写入权限或磁盘为只读{where}"
        return f"文件操作失败{where}（{exc.strerror or exc}）"
    if isinstance(exc, (ParseError, zipfile.BadZipFile, zlib.error, EOFError)):
        return f"文件内容不完整或已损坏，无法读取（{type(exc).__name__}: {exc}）"
    return None
