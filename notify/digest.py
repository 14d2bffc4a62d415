"""The digest of one run for legal staff: an HTML page and a plain-text (Markdown) copy, plus an index.

One folder per run in ``out_dir``: ``<date>-run<id>/digest.html``, ``digest.md`` and
``digest.json`` (the figures the index shows); ``out_dir/index.html`` lists every digest there,
newest first. Writing a run's digest again replaces its files; nothing else is touched.

>>> from registry.schema import connect
>>> from registry.runs import start_run
>>> import tempfile, pathlib
>>> db = connect(":memory:")
>>> run_id = start_run(db, started="2026-05-01T18:30:00+00:00")
>>> paths = write_digest(db, run_id, pathlib.Path(tempfile.mkdtemp()))
>>> sorted(paths)
['html', 'index', 'json', 'md']
>>> paths["html"].parent.name, paths["html"].name
('2026-05-02-run1', 'digest.html')
"""

from __future__ import annotations

import json
import os
import pathlib

import sqlite_utils

from notify.gather import gather_night
from notify.render import render


def digest_name(night: dict) -> str:
    """The folder of a run's digest: ``2026-05-02-run12``."""
    return f"{night['date']}-run{night['run']['id']}"


def render_digest(db: sqlite_utils.Database, run_id: int, *, for_mail: bool = False,
                  digest_url: str = "", unreached: list[str] | None = None, summary: bool = False,
                  digest_path: str = "") -> tuple[str, str, dict]:
    """The digest of ``run_id`` as (html, markdown, the gathered night).

    ``summary``: the short form for an e-mail whose full digest is too large (it points at the
    full digest by ``digest_url`` or ``digest_path``).
    """
    night = gather_night(db, run_id, unreached=unreached)
    context = {**night, "for_mail": for_mail, "digest_url": digest_url, "digest_path": digest_path}
    stem = "digest_summary" if summary else "digest"
    return render(f"{stem}.html.j2", **context), render(f"{stem}.md.j2", **context), night


def _write(path: pathlib.Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _folder(out: pathlib.Path, night: dict) -> pathlib.Path:
    """The run's digest folder; never another registry's (or another run's) digest of the same name.

    A folder of that name written for a run that started at another moment (a registry that was
    re-created, so its run numbers start again) is kept: this digest gets ``…-2``, ``…-3``.
    """
    name = digest_name(night)
    started = night["run"].get("started")
    for n in range(1, 1000):
        folder = out / (name if n == 1 else f"{name}-{n}")
        try:
            entry = json.loads((folder / "digest.json").read_text("utf-8"))
        except FileNotFoundError:
            if not folder.exists() or not any(folder.iterdir()):
                return folder
            continue
        except (OSError, ValueError):
            continue
        if isinstance(entry, dict) and entry.get("started", started) == started:
            return folder
    raise OSError(f"{out}: 同名日报文件夹过多")


def write_digest(db: sqlite_utils.Database, run_id: int, out_dir: str | os.PathLike,
                 unreached: list[str] | None = None) -> dict[str, pathlib.Path]:
    """Write the digest of ``run_id`` into ``out_dir`` and refresh the index; return the paths."""
    out = pathlib.Path(out_dir)
    html, md, night = render_digest(db, run_id, unreached=unreached)
    out.mkdir(parents=True, exist_ok=True)
    folder = _folder(out, night)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"html": folder / "digest.html", "md": folder / "digest.md", "json": folder / "digest.json"}
    _write(paths["html"], html)
    _write(paths["md"], md)
    health = night["health"]
    entry = {
        "run_id": night["run"]["id"], "date": night["date"], "run_state": night["run"]["state_label"],
        "started": night["run"].get("started"),
        "html": f"{folder.name}/digest.html", "md": f"{folder.name}/digest.md", "totals": night["totals"],
        "crawled": health["crawled"], "loud_sources": [s["name"] for s in health["loud"]],
    }
    _write(paths["json"], json.dumps(entry, ensure_ascii=False, indent=2))
    paths["index"] = write_index(out)
    return paths


def write_index(out_dir: str | os.PathLike) -> pathlib.Path:
    """``index.html`` listing every digest in ``out_dir`` (read from their digest.json), newest first."""
    out = pathlib.Path(out_dir)
    digests = []
    for path in out.glob("*-run*/digest.json"):
        try:
            entry = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue  # a stray or half-written file is not a digest
        if isinstance(entry, dict) and {"run_id", "date", "html", "md", "totals"} <= entry.keys():
            digests.append(entry)
    digests.sort(key=lambda e: (e["date"], e["run_id"]), reverse=True)
    index = out / "index.html"
    _write(index, render("index.html.j2", digests=digests))
    return index
