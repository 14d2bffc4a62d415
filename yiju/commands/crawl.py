"""``yiju crawl [--source NAME]`` and ``yiju mirror serve``."""

from __future__ import annotations

import pathlib
import sys

import click

from config.glossary import name, with_names
from yiju.app import App, UserError, emit_json, info



def register(cli: click.Group) -> None:
    cli.add_command(crawl_cmd)
    cli.add_command(mirror)


@click.command("crawl")
@click.option("--source", "sources", multiple=True, metavar="NAME",
              help="只抓取这个数据源（可重复；默认抓取全部启用的数据源）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出各数据源的抓取统计")
@click.pass_obj
def crawl_cmd(app: App, sources: tuple[str, ...], as_json: bool) -> None:
    """从配置的数据源抓取法律法规并写入登记库：只下载新出现的文本，记录状态变化。"""
    from crawler.run import CrawlError, crawl  # start-up: loaded when the command runs

    app.db  # create or migrate the registry before the child process opens it
    try:
        result = crawl(app.settings, sources=list(sources) or None)
    except CrawlError as exc:
        raise UserError(str(exc)) from exc
    impact = _impact(app, result)
    for s in (result.get("sources") or {}).values():
        with_names(s, health="source_state")
    if as_json:
        emit_json({**result, "impact": impact})
    else:
        show(result)
        if impact and impact.get("flags"):
            info(f"影响分析：新增提示 {impact['flags']} 项：需要复核的执法职权。")
    if not result.get("ok", True):
        sys.exit(1)


def _impact(app: App, result: dict) -> dict | None:
    """Crawling ends with the impact analysis of the changes it found (DESIGN §11)."""
    if not result.get("changes"):
        return None
    try:
        from impact.process import run_impact  # start-up: loaded when the command runs
    except ImportError:  # pragma: no cover - the impact area not installed
        return None
    return run_impact(app.db, run_id=result.get("run_id"))


def show(result: dict) -> None:
    """The per-source figures as a table (stdout), problems after it."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="抓取结果", title_justify="left")
    for column, justify in (("数据源", "left"), ("状态", "left"), ("请求", "right"), ("列表", "right"),
                            ("新版本", "right"), ("状态变化", "right"), ("决定", "right"),
                            ("无正文", "right"), ("失败", "right"), ("秒", "right")):
        table.add_column(column, justify=justify, no_wrap=column == "状态", min_width=len(column) * 2)
    for source, s in result.get("sources", {}).items():
        health = name("source_state", s.get("health"))
        if s.get("throttled"):
            health += "（被限流）"
        table.add_row(source, health, str(s["requests"]), str(s["listed"]), str(s["new_versions"]),
                      str(s["status_changes"]), str(s["instruments"]), str(s["unavailable"]),
                      str(s["failures"]), f"{s['seconds']:.1f}")
    console = Console(soft_wrap=True)
    console.print(table)
    console.print("列表：列表中的条目数；决定：新取得的修改、废止决定等文件；无正文：没有可读文字的文件（如扫描件）")
    for source, s in result.get("sources", {}).items():
        for e in s.get("errors", [])[:5]:
            click.echo(f"  {source}：{e['where']}：{e['error']}", err=True)
        if s.get("failures", 0) > 5:
            click.echo(f"  {source}：……共 {s['failures']} 处失败（失败的文档下次运行时会重新抓取）", err=True)


@click.group("mirror")
def mirror() -> None:
    """本地镜像：在 127.0.0.1 上模拟国家法律法规数据库等官方接口（测试与演示用，不联网）。"""


@mirror.command("serve")
@click.option("--port", default=8700, show_default=True, type=click.IntRange(0, 65535),
              help="接口主机端口（flk 接口、行政法规库页面、国家规章库、广东省数据库、北京人大列表页）")
@click.option("--file-port", default=None, type=click.IntRange(0, 65535),
              help="文件主机端口（签名下载地址指向它；默认为 --port 加 1）")
@click.option("--scenario", "scenario_file", type=click.Path(path_type=pathlib.Path), default=None,
              help="场景文件（JSON）：不存在时用内置法律文本创建；文件改动后自动重新载入")
def serve(port: int, file_port: int | None, scenario_file: pathlib.Path | None) -> None:
    """启动本地镜像，直到按 Ctrl-C 停止。"""
    from crawler.mirror import Mirror, Scenario  # start-up: loaded when the command runs

    if file_port is None:
        file_port = port + 1 if port else 0
    scenario = None
    if scenario_file is not None and not scenario_file.exists():
        Scenario.from_corpus().save(scenario_file)
        info(f"已用内置法律文本创建场景文件：{scenario_file}")
    if scenario_file is None:
        scenario = Scenario.from_corpus()
    try:
        server = Mirror(scenario, port=port, file_port=file_port, state_file=scenario_file).start()
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    except OSError as exc:
        raise UserError(f"无法在端口 {port}/{file_port} 上启动镜像：{exc}") from exc
    s = server.scenario
    info(f"镜像已启动：接口 {server.base_url}，文件主机 {server.file_netloc}（法律法规 {len(s.documents)} 条、"
         f"规章 {len(s.rules)} 部、广东省数据库 {len(s.gd_docs)} 件）")
    info("在配置文件中这样指向它：")
    info(f'  [[sources]]\n  name = "flk"\n  kind = "flk"\n  base_url = "{server.base_url}"\n'
         f'  file_hosts = ["{server.file_netloc}"]\n  delay = 0.0\n'
         f'  [[sources]]\n  name = "gjgzk"\n  kind = "gov_rules"\n  base_url = "{server.base_url}"\n  delay = 0.0\n'
         f'  [[sources]]\n  name = "gdpc"\n  kind = "json_api"\n  profile = "gdpc"\n  base_url = "{server.base_url}"\n'
         f'  region = "广东省"\n  delay = 0.0')
    info("按 Ctrl-C 停止。")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        info("镜像已停止。")
