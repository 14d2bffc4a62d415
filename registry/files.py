"""Raw downloaded documents, kept content-addressed on disk.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> sha = store(d, b"abc", ".docx")
>>> load(d, sha) == b"abc"
True
"""

from __future__ import annotations

import hashlib
import os
import pathlib


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def path_for(root: pathlib.Path, sha: str) -> pathlib.Path:
    return pathlib.Path(root) / sha[:2] / sha


def store(root: pathlib.Path, data: bytes, suffix: str = "") -> str:
    """Keep ``data`` under ``root`` (once, however often it is stored); return its sha256.

    ``suffix`` is accepted for callers' clarity but the name is the hash alone, so the
    same bytes downloaded as .doc and .docx are one file.
    """
    sha = sha256(data)
    target = path_for(root, sha)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    return sha


def load(root: pathlib.Path, sha: str) -> bytes:
    return path_for(root, sha).read_bytes()
