"""A small registry built through the command line, for tests that run every main command.

Two versions of 行政处罚法 (2017, 2021: heavy renumbering), the demo's departments, staff and
50 duties (basis dated 2020-06-30), so ``impact`` has flags; a mail host where nothing listens,
so ``run`` queues mail that stays pending. ``build(root)`` returns the ``--config`` arguments.
"""

from __future__ import annotations

import pathlib
import shutil
import socket

from click.testing import CliRunner

from tests.conftest import CORPUS
from yiju.cli import cli
from yiju.demo import DEMO_DATA


def build(root: pathlib.Path, *, run: bool = True) -> list[str]:
    laws = root / "laws" / "行政处罚法"
    laws.mkdir(parents=True)
    for date in ("2017-09-01", "2021-01-22"):
        shutil.copy(CORPUS / "行政处罚法" / f"{date}.md", laws / f"{date}.md")
    with socket.socket() as probe:  # a loopback port where no mail server listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = root / "yiju.toml"
    config.write_text('[registry]\npath = "data/yiju.db"\nfiles = "data/files"\n[digest]\ndir = "data/digests"\n'
                      f'[mail]\nhost = "127.0.0.1"\nport = {port}\ntimeout = 2.0\n'
                      'digest_to = ["fzb@example.gov.cn"]\n', encoding="utf-8")
    base = ["--config", str(config)]
    runner = CliRunner()
    steps = [["laws", "import", str(root / "laws")],
             ["departments", "import", str(DEMO_DATA / "departments.csv")],
             ["staff", "import", str(DEMO_DATA / "staff.csv")],
             ["duties", "import", str(DEMO_DATA / "duties.csv"), "--as-of", "2020-06-30"]]
    if run:
        steps.append(["run", "--no-crawl"])
    for args in steps:
        result = runner.invoke(cli, base + args)
        assert result.exit_code in (0, 1), (args, result.output)
    return base
