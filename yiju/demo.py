"""``yiju demo``: the whole pipeline on built-in real data, with no network.

It starts the local mirror of flk.npc.gov.cn with real law texts and a local SMTP server,
loads a sample power list (three departments, their posts and staff, 50 duties citing those
laws, some with stale numbering), runs night 1 (the baseline), changes the mirror the way the
national database changes, runs night 2, and prints what a legal-affairs office would look at.

The demo is dated 2026-08-01 (``$YIJU_TODAY``), two weeks before the 生态环境法典 takes effect.
Night 2 brings: the 2021 revision of 行政处罚法 (heavy renumbering), the 2021 amendment of 广告法
(第六十条 deleted, later articles renumbered), the 生态环境法典 (new, not yet in force) with the
repeal of 环境保护法, 水污染防治法 and 大气污染防治法 that it names as its successor, and the
突发公共卫生事件应对法 (new, in force). The mirror's 国家规章库 lists the real 规章 of yiju/data/rules from
night 1; night 2 brings an amendment of 侵害消费者权益行为处罚办法 (第十五条's fines raised) and the
repeal of 广东省碳排放管理试行办法 by a decision of the provincial government. Both are written for the
demo (yiju/data/demo/README.md): the corpus has no rule in two versions and no such decision.
"""

from __future__ import annotations

import contextlib
import json
import email
import email.policy
import os
import pathlib
import secrets
import shutil
import socket
import time
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # pragma: no cover
    from registry.night import Totals

DEMO_TODAY = "2026-08-01"
DATA = pathlib.Path(__file__).resolve().parent / "data"
DEMO_DATA = DATA / "demo"

#: Folders of yiju/data/laws served on night 1 (every version up to the demo baseline).
BASELINE = ["行政处罚法", "环境保护法", "水污染防治法", "大气污染防治法", "食品安全法", "广告法",
            "产品质量法", "安全生产法", "行政强制法", "行政许可法"]
#: Texts newer than these dates are held back until night 2.
HELD_BACK = {"行政处罚法": "2017-09-01", "广告法": "2018-10-26", "食品安全法": "2021-04-29"}

REPEALED_BY_CODE = ["中华人民共和国环境保护法", "中华人民共和国水污染防治法", "中华人民共和国大气污染防治法"]

#: Night 2's 规章 (texts written for the demo, yiju/data/demo/README.md).
AMENDED_RULE = "侵害消费者权益行为处罚办法"
REPEALED_RULE = "广东省碳排放管理试行办法"
REPEAL_DECISION = "广东省人民政府关于废止《广东省碳排放管理试行办法》的决定"


def say(message: str = "") -> None:
    click.echo(message, err=True)


class MailCatcher:
    """A real SMTP server on loopback that keeps every message it receives as an .eml file."""

    def __init__(self, folder: pathlib.Path):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler protocol
        self.count += 1
        name = self.folder / f"{self.count:03d}.eml"
        name.write_bytes(envelope.original_content or envelope.content)
        return "250 OK"


@contextlib.contextmanager
def smtp_server(folder: pathlib.Path):
    from aiosmtpd.controller import Controller

    folder.mkdir(parents=True, exist_ok=True)
    catcher = MailCatcher(folder)
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(catcher, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller, catcher
    finally:
        controller.stop()


def _baseline_scenario():
    from crawler.mirror import Scenario  # start-up: loaded when the command runs
    from crawler.mirror.rules import from_manifest as rules_from_manifest  # start-up: loaded when the command runs
    from crawler.mirror.rules import read_manifest  # start-up: loaded when the command runs
    from crawler.mirror.scenario import CORPUS  # start-up: loaded when the command runs

    scenario = Scenario.from_corpus(names=BASELINE, decisions=False, today=DEMO_TODAY)
    for rule in rules_from_manifest(CORPUS, read_manifest(CORPUS)):
        if rule.listed:  # 国家规章库 lists the rules in force (环境行政处罚办法 is repealed)
            scenario.add_rule(rule)
    for folder, upto in HELD_BACK.items():
        for doc in list(scenario.documents.values()):
            if doc.work == folder and (doc.gbrq or "") > upto:
                del scenario.documents[doc.bbbs]
        versions = sorted((d for d in scenario.documents.values() if d.work == folder), key=lambda d: d.gbrq)
        if versions:
            versions[-1].sxx = 3
    scenario._touch()
    return scenario


def _night_two(scenario) -> list[str]:
    """Change the mirror the way the national database changes; return what changed, in Chinese."""
    scenario.amend("中华人民共和国行政处罚法", gbrq="2021-01-22", sxrq="2021-07-15",
                   text_file="laws/行政处罚法/2021-01-22.md")
    scenario.amend("中华人民共和国广告法", gbrq="2021-04-29", sxrq="2021-04-29",
                   text_file="laws/广告法/2021-04-29.md",
                   decision_title="全国人民代表大会常务委员会关于修改《中华人民共和国道路交通安全法》等八部法律的决定",
                   decision_file="decisions/2021-04-29_全国人民代表大会常务委员会关于修改《中华人民共和国道路交通安全法》等八部法律的决定.md",
                   list_decision=True)
    scenario.add_law("中华人民共和国生态环境法典", gbrq="2026-03-12", sxrq="2026-08-15",
                     text_file="laws/生态环境法典/2026-03-12.md", work="生态环境法典")
    for title in REPEALED_BY_CODE:
        scenario.repeal(title)
    scenario.add_law("中华人民共和国突发公共卫生事件应对法", gbrq="2025-09-12", sxrq="2025-11-01",
                     text_file="laws/突发公共卫生事件应对法/2025-09-12.md", work="突发公共卫生事件应对法")
    scenario.amend_rule(AMENDED_RULE, posted="2026-06-24",
                        note="（2015年1月5日国家工商行政管理总局令第73号公布 根据2026年6月20日国家市场监督管理总局令"
                             "第126号修改 自2026年7月20日起施行）",
                        text_file=f"demo/rules/{AMENDED_RULE}/2026-06-20.md")
    scenario.repeal_rule(REPEALED_RULE, decision_title=REPEAL_DECISION, posted="2026-07-13",
                         note="（2026年7月10日广东省人民政府令第318号公布 自公布之日起施行）", issuer="广东省人民政府",
                         text_file=f"demo/decisions/2026-07-10_{REPEAL_DECISION}.md")
    return [
        "行政处罚法 2021 年修订（条文大量重新编号）",
        "广告法 2021 年修正（删去第六十条，其后条文顺移），附修改决定",
        "生态环境法典公布（2026-08-15 起施行，尚未生效）",
        "环境保护法、水污染防治法、大气污染防治法被生态环境法典废止",
        "突发公共卫生事件应对法公布施行（新法）",
        "国家规章库：侵害消费者权益行为处罚办法修改（第十五条罚款限额提高；演示编写的修改，非真实文本）",
        "国家规章库：广东省人民政府决定废止广东省碳排放管理试行办法（演示编写的废止决定，非真实文件）",
    ]


def _write_config(workdir: pathlib.Path, mirror, smtp_port: int, web_port: int = 8080) -> pathlib.Path:
    from crawler.mirror.wiring import toml_for  # start-up: loaded when the command runs

    # the demo's mirror holds national laws (flk) and the national rule database (规章)
    text = toml_for(mirror, "data", kinds=("flk", "gov_rules"))
    text += (
        "\n[mail]\nhost = \"127.0.0.1\"\n"
        f"port = {smtp_port}\nsecurity = \"none\"\nsender = \"yiju@fzb.demo.gov.cn\"\n"
        "digest_to = [\"fzb@demo.gov.cn\"]\n"
        "\n[digest]\ndir = \"data/digests\"\n"
        f"\n[web]\nbase_url = \"http://127.0.0.1:{web_port}\"\nhost = \"127.0.0.1\"\nport = {web_port}\n"
    )
    path = workdir / "yiju.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _fresh(workdir: pathlib.Path) -> None:
    """Remove what an earlier demo left in ``workdir`` (only the demo's own files)."""
    for name in ("data", "mail"):
        shutil.rmtree(workdir / name, ignore_errors=True)
    for name in ("yiju.toml",):
        (workdir / name).unlink(missing_ok=True)


LEGAL_EMAIL = "fzb@demo.gov.cn"


def _web_port(wanted: int | None) -> int:
    """``wanted``, else 8080 when it is free, else any free port on loopback."""
    if wanted:
        return wanted
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", 8080))
            return 8080
        except OSError:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]


def _workspace_links(db, settings) -> dict:
    """Sign-in links for the department with the most open flags (as its contact) and the legal office."""
    from registry import users  # start-up: loaded when the command runs
    from registry.night import busiest_department  # start-up: loaded when the command runs

    secret, days = settings.web.secret(), settings.web.link_days
    department = busiest_department(db)
    out = {"base": settings.web.base_url}
    if department:
        email = json.loads(department["emails"])[0]
        uid = users.department_user(db, department["id"], email=email, name=f"{department['name']}法制科")
        out["department"] = (department["name"], f"{settings.web.base_url}/s/{users.issue_link(db, secret, uid, '/inbox', days=days, purpose='demo')}")
    legal = users.find_user(db, LEGAL_EMAIL, role="legal")
    if legal:
        out["legal"] = f"{settings.web.base_url}/s/{users.issue_link(db, secret, legal['id'], '/', days=days, purpose='demo')}"
    return out


def run_demo(workdir: str | os.PathLike | None = None, *, serve: bool = False, port: int | None = None) -> int:
    """Run the demo in ``workdir`` (default ./yiju-demo); return the exit status. With ``serve``,
    keep the review workspace running on ``port`` afterwards (until Ctrl+C)."""
    from config.glossary import name  # start-up: loaded when the command runs
    from config.settings import load  # start-up: loaded when the command runs
    from crawler.mirror import Mirror  # start-up: loaded when the command runs
    from impact import duties  # start-up: loaded when the command runs
    from registry.night import totals  # start-up: loaded when the command runs
    from registry.schema import connect  # start-up: loaded when the command runs
    from yiju.run import nightly, run_lock  # start-up: loaded when the command runs

    from registry import users  # start-up: loaded when the command runs

    started = time.monotonic()
    os.environ["YIJU_TODAY"] = DEMO_TODAY   # the crawl child and every date check see the demo date
    # the workspace's signing secret: the e-mails of night 2 carry sign-in links signed with it
    os.environ.setdefault("YIJU_WEB_SECRET", secrets.token_urlsafe(32))
    web_port = _web_port(port)
    workdir = pathlib.Path(workdir or "yiju-demo").resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    _fresh(workdir)
    say(f"依据 yiju 演示（演示日期 {DEMO_TODAY}，不联网）。工作目录：{workdir}")

    scenario = _baseline_scenario()
    with Mirror(scenario) as mirror, smtp_server(workdir / "mail") as (controller, catcher):
        config_path = _write_config(workdir, mirror, controller.port, web_port)
        settings = load(config_path, environ={})
        say(f"模拟国家法律法规数据库和国家规章库：{mirror.base_url}　模拟邮件服务器：127.0.0.1:{controller.port}")
        db = connect(settings.registry.path)
        try:
            say("\n第一晚：建立基线（抓取现行文本）并导入示范市的部门、人员和权责清单……")
            with run_lock(settings):
                night1 = nightly(settings, db)
            say(f"  运行 #{night1.run_id}：{name('run_state', night1.state)}")
            for line in (duties.import_departments(db, DEMO_DATA / "departments.csv", by="demo").lines()
                         + duties.import_staff(db, DEMO_DATA / "staff.csv", by="demo").lines()
                         + duties.import_duties(db, DEMO_DATA / "duties.csv", as_of="2020-06-30",
                                                by="demo").lines()):
                say(f"  {line}")
            users.add_user(db, email=LEGAL_EMAIL, name="示范市司法局（法制机构）", role="legal", by="demo")

            say("\n模拟数据源发生变化：")
            for line in _night_two(scenario):
                say(f"  · {line}")

            say("\n第二晚：抓取变化、逐条比对、找出受影响的职权、发送日报和提示邮件……")
            with run_lock(settings):
                night2 = nightly(settings, db)
            say(f"  运行 #{night2.run_id}：{name('run_state', night2.state)}")
            for warning in night1.warnings + night2.warnings:
                say(f"  警告：{warning}")
            for error in night1.errors + night2.errors:
                say(f"  错误：{error}")
            time.sleep(0.2)  # let the SMTP server finish writing the last message
            summary = totals(db)
            links = _workspace_links(db, settings)
        finally:
            db.close()

    _print_summary(summary, night2, workdir, catcher.count, time.monotonic() - started)
    _print_workspace(links, workdir, serve)
    code = 0 if not (night1.errors or night2.errors) else 1
    if serve:
        from yiju.web import serve as serve_workspace  # start-up: loaded when the command runs

        say(f"\n审核工作台运行中：{settings.web.base_url}（Ctrl+C 停止）")
        try:
            serve_workspace(settings)
        except KeyboardInterrupt:
            pass
    return code


def _print_workspace(links: dict, workdir: pathlib.Path, serving: bool) -> None:
    say(f"\n审核工作台：{links['base']}")
    if "department" in links:
        say(f"  {links['department'][0]}的登录链接（一次性）：{links['department'][1]}")
    if "legal" in links:
        say(f"  法制机构的登录链接（一次性）：{links['legal']}")
    say("  每封提示邮件也带有收件人本人的登录链接。")
    if not serving:
        say(f"  启动工作台：YIJU_TODAY={DEMO_TODAY} YIJU_WEB_SECRET={os.environ['YIJU_WEB_SECRET']} "
            f"yiju --config {workdir / 'yiju.toml'} serve（或运行 yiju demo --serve）")


def _print_summary(summary: Totals, night2, workdir: pathlib.Path, mails: int, seconds: float) -> None:
    from config.glossary import name  # start-up: loaded when the command runs

    say("\n==== 演示结果 ====")
    say(f"登记库：{summary['laws']} 部法律，{summary['versions']} 个版本")
    say("法律变化：" + "，".join(f"{name('change_kind', k)} {n}" for k, n in summary["changes"]))
    say(f"职权：{summary['duties']} 项；依据引用：" +
        "，".join(f"{name('resolution', k)} {n}" for k, n in summary["citations"]))
    say("需复核的提示：")
    by_dep: dict[str, list[str]] = {}
    for dep, sev, n in summary["flags"]:
        by_dep.setdefault(dep, []).append(f"{name('severity', sev)} {n}")
    for dep, parts in by_dep.items():
        say(f"  {dep}：" + "，".join(parts))
    if night2.digest:
        say(f"变动日报：{night2.digest.get('html', '')}")
    say(f"邮件：{mails} 封，保存在 {workdir / 'mail'}（.eml，可用邮件客户端打开）")
    say(f"查看提示（按演示日期）：YIJU_TODAY={DEMO_TODAY} yiju --config {workdir / 'yiju.toml'} flags")
    say(f"用时 {seconds:.1f} 秒")
