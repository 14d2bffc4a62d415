"""Write tests/data/upgrade/registry-0.1.db with the release of commit a84c420 (before the floors).

Run it with THAT release's code, not today's (see README.md beside this file):

    git worktree add /tmp/old a84c420
    cd /tmp/old && PYTHONPATH=/tmp/old /path/to/venv/bin/python /path/to/make_registry.py OUT.db

A shortened ``yiju demo`` of that release: the local flk mirror with three real laws, night 1
(baseline), the demo's departments, staff and a part of its power list, night 2 (行政处罚法 2021
revision with renumbering, 广告法 2021 amendment with its 修改决定, 环境保护法 repealed), mail
queued to a server that is down (outbox rows stay pending), then a legal officer's work on the
flags through that release's command line (ack, dismiss, resolve, apply-renumbering).
"""

from __future__ import annotations

import csv
import io
import json
import os
import pathlib
import shutil
import socket
import sqlite3
import sys
import tempfile

os.environ["YIJU_TODAY"] = "2026-08-01"

from click.testing import CliRunner  # noqa: E402

from config.settings import load  # noqa: E402
from crawler.mirror import Mirror, Scenario  # noqa: E402
from crawler.mirror.wiring import toml_for  # noqa: E402
from registry import duties  # noqa: E402
from registry.schema import connect  # noqa: E402
from yiju.cli import cli  # noqa: E402
from yiju.demo import DEMO_DATA  # noqa: E402
from yiju.run import nightly, run_lock  # noqa: E402

LAWS = ["行政处罚法", "广告法", "环境保护法"]
HELD_BACK = {"行政处罚法": "2017-09-01", "广告法": "2018-10-26"}
DUTY_ROWS = {10, 11, 15, 16, 17, 20, 28, 29, 30, 31, 38, 39, 47, 49, 50}   # 序号 in the demo's duties.csv


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main(out: pathlib.Path) -> None:
    work = pathlib.Path(tempfile.mkdtemp(prefix="yiju-upgrade-"))
    scenario = Scenario.from_corpus(names=LAWS, decisions=False, today="2026-08-01")
    for folder, upto in HELD_BACK.items():
        for doc in list(scenario.documents.values()):
            if doc.work == folder and (doc.gbrq or "") > upto:
                del scenario.documents[doc.bbbs]
        versions = sorted((d for d in scenario.documents.values() if d.work == folder), key=lambda d: d.gbrq)
        versions[-1].sxx = 3
    scenario._touch()
    rows = list(csv.reader(io.StringIO((DEMO_DATA / "duties.csv").read_text("utf-8"))))
    power_list = work / "duties.csv"
    with power_list.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([rows[0]] + [r for r in rows[1:] if int(r[0]) in DUTY_ROWS])

    with Mirror(scenario) as mirror:
        config = work / "yiju.toml"
        config.write_text(toml_for(mirror, "data", kinds=("flk",)) +
                          f'\n[mail]\nhost = "127.0.0.1"\nport = {free_port()}\ntimeout = 2.0\n'
                          'sender = "yiju@fzb.demo.gov.cn"\ndigest_to = ["fzb@demo.gov.cn"]\n'
                          '\n[digest]\ndir = "data/digests"\n', encoding="utf-8")
        settings = load(config, environ={})
        db = connect(settings.registry.path)
        with run_lock(settings):
            nightly(settings, db)
        duties.import_departments(db, DEMO_DATA / "departments.csv", by="demo")
        duties.import_staff(db, DEMO_DATA / "staff.csv", by="demo")
        duties.import_duties(db, power_list, as_of="2020-06-30", by="demo")
        scenario.amend("中华人民共和国行政处罚法", gbrq="2021-01-22", sxrq="2021-07-15",
                       text_file="laws/行政处罚法/2021-01-22.md")
        scenario.amend("中华人民共和国广告法", gbrq="2021-04-29", sxrq="2021-04-29",
                       text_file="laws/广告法/2021-04-29.md",
                       decision_title="全国人民代表大会常务委员会关于修改《中华人民共和国道路交通安全法》等八部法律的决定",
                       decision_file="decisions/2021-04-29_全国人民代表大会常务委员会关于修改《中华人民共和国道路交通安全法》等八部法律的决定.md",
                       list_decision=True)
        scenario.repeal("中华人民共和国环境保护法")
        with run_lock(settings):
            night = nightly(settings, db)
        print("night 2:", night.state, night.errors, file=sys.stderr)
        db.close()

    def yiju(*args):
        result = CliRunner().invoke(cli, ["--config", str(config), *map(str, args)], catch_exceptions=False)
        print("$ yiju", *args, f"→ {result.exit_code}", result.output[:300], file=sys.stderr)
        return result

    ids = [f["id"] for f in json.loads(yiju("flags", "--json").stdout)]
    yiju("flags", "ack", ids[0], "--by", "张三")
    yiju("flags", "dismiss", ids[1], "--reason", "该变化不影响本职权", "--by", "李四")
    yiju("flags", "apply-renumbering", "--by", "王五")
    split = [f for f in json.loads(yiju("flags", "--state", "open", "--json").stdout)
             if len(f.get("suggestion", {}).get("new_labels", [])) > 1]
    if split:
        yiju("flags", "resolve", split[0]["id"], "--basis", "《中华人民共和国行政处罚法》第六十三条、第六十四条",
             "--by", "赵六")

    out.unlink(missing_ok=True)
    source = sqlite3.connect(settings.registry.path)
    source.execute("VACUUM INTO ?", (str(out),))
    source.close()
    shutil.rmtree(work)


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]).resolve())
