"""``yiju run``, ``yiju schedule`` and ``yiju demo``."""

from __future__ import annotations

import logging
import sys

import click

from config.glossary import name, names
from yiju.app import App, UserError, emit_json, info
from yiju.commands.impact import upgrade_lines

log = logging.getLogger("yiju.run")


def _figures(stage: str, stats: dict) -> str:
    """A stage's figures in Chinese (glossary ``[stage_figure]``); unnamed figures are left out."""
    figures = names("stage_figure")
    parts = []
    for key, value in stats.items():
        if key not in figures or isinstance(value, (dict, list)):
            continue
        if value is True:
            parts.append(figures[key])
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            parts.append(f"{figures[key]} {value}")
    if stage == "notify":
        queued = (stats.get("queued") or {}).get("queued")
        if queued is not None:
            parts.append(f"新排队邮件 {queued} 封")
        delivery = stats.get("delivery") or {}
        if delivery.get("summary"):
            parts.append(str(delivery["summary"]))
    if stage == "impact":
        parts += upgrade_lines(stats)
    if "error" in stats:
        parts.append(f"失败：{stats['error']}")
    return "，".join(parts) or "完成"


def _print_result(result) -> None:
    info(f"运行 #{result.run_id}：{name('run_state', result.state)}")
    for stage, stats in result.stats.items():
        if isinstance(stats, dict):
            info(f"  {name('stage', stage)}：{_figures(stage, stats)}")
    for w in result.warnings:
        info(f"  警告：{w}")
    for e in result.errors:
        info(f"  错误：{e}")
    if result.digest:
        for kind, path in result.digest.items():
            info(f"  {name('digest_file', kind)}：{path}")


def register(cli: click.Group) -> None:
    @cli.command("run")
    @click.option("--no-crawl", is_flag=True, help="不抓取，只对已登记的变化做比对、影响分析和通知")
    @click.option("--json", "as_json", is_flag=True, help="以 JSON 输出本次运行结果")
    @click.pass_obj
    def run_cmd(app: App, no_crawl: bool, as_json: bool) -> None:
        """一次夜间任务：抓取 → 比对 → 影响分析 → 通知。"""
        from yiju.run import AlreadyRunning, nightly, run_lock  # start-up: loaded when the command runs


        try:
            with run_lock(app.settings):
                result = nightly(app.settings, app.db, crawl=not no_crawl)
        except AlreadyRunning as exc:
            info(f"错误：{exc}")
            sys.exit(3)
        if as_json:
            emit_json({"run": result.run_id, "state": result.state, "state_name": name("run_state", result.state),
                       "stats": result.stats,
                       "errors": result.errors, "warnings": result.warnings, "digest": result.digest})
        else:
            _print_result(result)
        sys.exit(result.exit_code)

    @cli.command("schedule")
    @click.pass_obj
    def schedule_cmd(app: App) -> None:
        """按配置的 [schedule] 每晚运行（SIGTERM 时正常退出）。"""
        from registry.schema import connect  # start-up: loaded when the command runs
        from yiju.run import AlreadyRunning, nightly, run_lock  # start-up: loaded when the command runs
        from yiju.schedule import serve  # start-up: loaded when the command runs

        settings = app.settings
        logging.getLogger("yiju").setLevel(logging.INFO)

        def job():
            try:
                with run_lock(settings):
                    db = connect(settings.registry.path)
                    try:
                        result = nightly(settings, db)
                    finally:
                        db.close()
                log.warning("run #%s finished: %s", result.run_id, result.state)
            except AlreadyRunning as exc:
                log.warning("%s", exc)
            except Exception:
                log.exception("nightly run crashed")

        s = settings.schedule
        serve(job, s.cron, s.timezone, s.misfire_grace)

    @cli.command("demo")
    @click.option("--workdir", type=click.Path(file_okay=False), default=None,
                  help="演示数据目录（默认 ./yiju-demo）")
    @click.option("--serve", is_flag=True, help="演示结束后继续运行审核工作台（Ctrl+C 停止）")
    @click.option("--port", type=int, metavar="PORT", help="审核工作台端口（默认 8080，被占用时另选）")
    @click.pass_obj
    def demo_cmd(app: App, workdir: str | None, serve: bool, port: int | None) -> None:
        """不联网的完整演示：模拟数据源 + 邮件服务器，运行两个夜间任务，并给出审核工作台的登录链接。"""
        from yiju.demo import run_demo  # start-up: loaded when the command runs

        try:
            code = run_demo(workdir, serve=serve, port=port)
        except Exception as exc:
            raise UserError(f"演示失败：{exc}") from exc
        sys.exit(code)
