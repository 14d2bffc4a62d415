"""Write tests/data/upgrade/registry-a84c420-cyber.db with the release of commit a84c420.

Run it with THAT release's code, not today's (see README.md beside this file):

    git worktree add /tmp/old a84c420
    cd /tmp/old && PYTHONPATH=/tmp/old /path/to/venv/bin/python /path/to/make_registry_cyber.py CORPUS OUT.db

The old alignment on a real amendment: 网络安全法 2016-11-07 imported, a department's power list
citing it, then the 2025-10-28 text imported. That release aligned old 第六十四条 and 第六十六条 as
**deleted** (严重, no successor), though the 2025 decision merges them into new 第七十一条, and
pointed old 第六十九条第（一）项 at new 第七十条. A night (``yiju run --no-crawl``, mail written as
files) told the department; one flag was then acknowledged through the command line.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import sqlite3
import sys
import tempfile

os.environ["YIJU_TODAY"] = "2026-08-01"

from click.testing import CliRunner  # noqa: E402

from yiju.cli import cli  # noqa: E402

LAW = "网络安全法"
DEPARTMENTS = "部门,上级部门,联系邮箱\n示范市互联网信息办公室,,wxb@demo.gov.cn\n"
STAFF = "姓名,邮箱,部门,岗位,任职起,任职止\n周敏,zhoumin@demo.gov.cn,示范市互联网信息办公室,网络安全执法岗,2023-01-01,\n"
HEAD = "序号,职权编码,事项名称,职权类型,实施主体,承办机构,执法岗位,违法依据,处罚依据,行使层级,备注\n"
ROWS = [
    ("SF-WX-CF-001", "对网络运营者侵害个人信息的行政处罚", "《中华人民共和国网络安全法》第四十一条", "《中华人民共和国网络安全法》第六十四条第一款"),
    ("SF-WX-CF-002", "对窃取或者非法获取、出售个人信息的行政处罚", "《中华人民共和国网络安全法》第四十四条", "《中华人民共和国网络安全法》第六十四条第二款"),
    ("SF-WX-CF-003", "对未按要求提供网络安全信息的行政处罚", "《中华人民共和国网络安全法》第四十八条", "《中华人民共和国网络安全法》第六十六条"),
    ("SF-WX-CF-004", "对网络运营者未按要求处置违法信息的行政处罚", "《中华人民共和国网络安全法》第四十七条", "《中华人民共和国网络安全法》第六十八条第一款"),
    ("SF-WX-CF-005", "对网络运营者不配合监督检查的行政处罚", "《中华人民共和国网络安全法》第四十九条", "《中华人民共和国网络安全法》第六十九条第（一）项"),
]


def main(corpus: pathlib.Path, out: pathlib.Path) -> None:
    work = pathlib.Path(tempfile.mkdtemp(prefix="yiju-upgrade-"))
    for date in ("2016-11-07", "2025-10-28"):
        folder = work / date / LAW
        folder.mkdir(parents=True)
        shutil.copy(corpus / "laws" / LAW / f"{date}.md", folder / f"{date}.md")
    (work / "departments.csv").write_text(DEPARTMENTS, encoding="utf-8")
    (work / "staff.csv").write_text(STAFF, encoding="utf-8")
    (work / "duties.csv").write_text(HEAD + "".join(
        f"{n},{code},{name},行政处罚,示范市互联网信息办公室,网络安全科,网络安全执法岗,{basis},{penalty},市级,\n"
        for n, (code, name, basis, penalty) in enumerate(ROWS, start=1)), encoding="utf-8")
    config = work / "yiju.toml"
    config.write_text('[registry]\npath = "data/yiju.db"\nfiles = "data/files"\n[digest]\ndir = "data/digests"\n'
                      '[mail]\ndry_run_dir = "mail"\nsender = "yiju@fzb.demo.gov.cn"\ndigest_to = ["fzb@demo.gov.cn"]\n',
                      encoding="utf-8")

    def yiju(*args):
        result = CliRunner().invoke(cli, ["--config", str(config), *map(str, args)], catch_exceptions=False)
        print("$ yiju", *args, f"→ {result.exit_code}", result.output[:400], file=sys.stderr)
        return result

    yiju("init")
    yiju("laws", "import", work / "2016-11-07")
    yiju("departments", "import", work / "departments.csv", "--by", "demo")
    yiju("staff", "import", work / "staff.csv", "--by", "demo")
    yiju("duties", "import", work / "duties.csv", "--as-of", "2020-06-30", "--by", "demo")
    yiju("laws", "import", work / "2025-10-28")
    yiju("run", "--no-crawl")
    yiju("flags", "ack", 1, "--by", "周敏")

    out.unlink(missing_ok=True)
    source = sqlite3.connect(work / "data" / "yiju.db")
    source.execute("VACUUM INTO ?", (str(out),))
    source.close()
    shutil.rmtree(work)


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]).resolve(), pathlib.Path(sys.argv[2]).resolve())
