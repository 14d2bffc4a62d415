"""``yiju laws``, ``yiju laws import DIR`` and ``yiju search WORDS``."""

from __future__ import annotations

import contextlib
import sys

import pathlib

import click

from config.glossary import name, with_names
from yiju.app import UserError, emit_json, info


def register(cli: click.Group) -> None:
    cli.add_command(laws)
    cli.add_command(search)


@click.group("laws", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出法律列表")
@click.pass_context
def laws(ctx: click.Context, as_json: bool) -> None:
    """登记库中的法律：效力级别、状态和各版本（公布日期、条文数）。"""
    if ctx.invoked_subcommand is not None:
        return
    from registry.search import list_laws  # start-up: loaded when the command runs

    rows = list_laws(ctx.obj.db)
    for law in rows:
        for v in law["versions"]:
            with_names(v, review_state="review_state")
    if as_json:
        emit_json(rows)
        return
    if not rows:
        info("登记库中还没有法律。可用 yiju laws import DIR 导入法律文本。")
        return
    for law in rows:
        status = law["status"]
        if law.get("repealed_on") and status != "已废止":  # a repeal recorded, not in force yet
            status = f"{name('law_state', 'repealing')}（{law['repealed_on']}起废止）"
        head = "　".join(x for x in (law["title"], law["level"] or "级别未知", status) if x)
        click.echo(head)
        for v in law["versions"]:
            extra = f"　{v['status']}" if v["status"] else ""
            held = f"　（{name('review_state', v['review_state'])}）" if v["review_state"] != "accepted" else ""
            click.echo(f"    {v['promulgated'] or '日期未知'}　{v['articles']} 条{extra}{held}")
    total = sum(len(law["versions"]) for law in rows)
    info(f"共 {len(rows)} 部法律，{total} 个版本。")


@laws.command("import", short_help="导入目录中的法律文本（每个文件一个版本）")
@click.argument("directory", metavar="DIR", type=click.Path(path_type=pathlib.Path))
@click.pass_obj
def import_laws(app, directory: pathlib.Path) -> None:
    """导入目录中的法律文本：DIR/法律名称/YYYY-MM-DD.(md|txt|docx|doc|html|pdf)，每个文件一个版本，日期为公布日期。"""
    from impact.lawfiles import LawDirError, import_directory  # start-up: loaded when the command runs

    with import_progress() as (on_law, on_progress):
        try:
            report = import_directory(
                app.db, directory, app.settings.registry.files,
                on_problem=lambda p: click.echo(f"错误：{p}", err=True),
                on_law=on_law, on_progress=on_progress,
            )
        except LawDirError as exc:
            raise UserError(str(exc)) from exc
    for held in [*report.held, *report.warnings]:
        click.echo(f"警告：{held}", err=True)
    if report.versions_new:
        from impact.process import run_impact  # start-up: loaded when the command runs

        result = run_impact(app.db)
        if result.get("flags"):
            info(f"影响分析：新增提示 {result['flags']} 项：需要复核的执法职权。")
    info(report.summary())
    if report.problems:
        raise click.exceptions.Exit(1)


@contextlib.contextmanager
def import_progress():
    """(on_law, on_progress) for an import: a progress bar on a terminal, one line a law otherwise."""
    if not sys.stderr.isatty():
        yield (lambda title, n: info(f"《{title}》：新增 {n} 个版本")), None
        return
    from rich.console import Console  # start-up: loaded when the command runs
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn  # start-up

    with Progress(TextColumn("导入法律文本"), BarColumn(), MofNCompleteColumn(), TextColumn("剩余"),
                  TimeRemainingColumn(), console=Console(file=sys.stderr), transient=True) as bar:
        task = bar.add_task("import", total=None)
        yield None, (lambda done, total: bar.update(task, completed=done, total=total))


@laws.command("held", short_help="列出暂存待核对的新文本")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_obj
def held(app, as_json: bool) -> None:
    """列出因明显变短等原因暂存待核对、尚未作为新版本使用的文本（用 accept 或 reject 处理）。"""
    from registry.attention import held_versions  # start-up: loaded when the command runs

    rows = held_versions(app.db)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        info("没有暂存待核对的文本。")
        return
    for v in rows:
        click.echo(f"版本 {v['id']}　《{v['law_title']}》　{v['promulgated'] or '日期未知'}　{v['chars'] or 0} 字"
                   f"　来源 {v['source']}")
        if v["review_reason"]:
            click.echo(f"    {v['review_reason']}")
    info(f"共 {len(rows)} 个暂存待核对的文本。核对后执行 yiju laws accept 版本编号 或 yiju laws reject 版本编号。")


@laws.command("accept", short_help="接受一个暂存待核对的文本为新版本")
@click.argument("version_id", metavar="VERSION_ID", type=int)
@click.option("--by", "by", default=None, help="操作人（写入审计记录；默认当前系统用户）")
@click.pass_obj
def accept(app, version_id: int, by: str | None) -> None:
    """核对无误后接受暂存的文本：它成为该法的新版本，并像当晚抓到一样记录变动、分析影响。"""
    from impact.process import run_impact  # start-up: loaded when the command runs
    from impact.record import NotHeld, accept_held  # start-up: loaded when the command runs
    from yiju.app import actor  # start-up: loaded when the command runs

    try:
        recorded = accept_held(app.db, version_id, actor=actor(by))
    except NotHeld as exc:
        raise UserError(str(exc)) from exc
    info(f"已接受版本 {version_id} 为新版本" + ("，并记录了变动。" if recorded.change_id else "。"))
    result = run_impact(app.db)
    if result.get("flags"):
        info(f"影响分析：新提示 {result['flags']} 项需要复核的执法职权。")


@laws.command("reject", short_help="拒绝一个暂存待核对的文本")
@click.argument("version_id", metavar="VERSION_ID", type=int)
@click.option("--reason", default="", help="拒绝的理由（写入审计记录）")
@click.option("--by", "by", default=None, help="操作人（写入审计记录；默认当前系统用户）")
@click.pass_obj
def reject(app, version_id: int, reason: str, by: str | None) -> None:
    """核对后拒绝暂存的文本（抓取不完整、错误页面等）：它永远不会被用作版本。"""
    from impact.record import NotHeld, reject_held  # start-up: loaded when the command runs
    from yiju.app import actor  # start-up: loaded when the command runs

    try:
        reject_held(app.db, version_id, actor=actor(by), reason=reason)
    except NotHeld as exc:
        raise UserError(str(exc)) from exc
    info(f"已拒绝版本 {version_id}，该文本不会被使用。")


@click.command("search")
@click.argument("words", nargs=-1, required=True)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10000), help="最多显示多少条")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出查找结果")
@click.pass_obj
def search(app, words: tuple[str, ...], limit: int, as_json: bool) -> None:
    """在条文中查找词语（多个词须同时出现）；现行版本排在前面。"""
    from registry.search import SearchError, search_articles  # start-up: loaded when the command runs

    try:
        result = search_articles(app.db, " ".join(words), limit=limit)
    except SearchError as exc:
        raise UserError(str(exc)) from exc
    if as_json:
        emit_json([hit.to_json() for hit in result.hits])
    else:
        for hit in result.hits:
            when = hit.promulgated or "日期未知"
            version = f"{when}" if hit.current else f"{when}，旧版本"
            click.echo(f"《{hit.law}》（{version}）{hit.label}：{hit.marked}")
    shown = len(result.hits)
    if result.total == 0:
        info(f"没有找到包含“{' '.join(words)}”的条文。")
    elif shown < result.total:
        info(f"共 {result.total} 条，显示前 {shown} 条（--limit 可调整）。")
    else:
        info(f"共 {result.total} 条。")
