"""``yiju coverage``: the documents the duties cite that yiju does not track, by level and source."""

from __future__ import annotations

import click

from yiju.app import UserError, emit_json, info

NO_SOURCE = "未配置"


@click.command("coverage")
@click.option("--department", metavar="部门", help="只看这个部门的职权")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_obj
def coverage(app, department: str | None, as_json: bool) -> None:
    """列出职权引用、但登记库中没有的法律文件：效力级别、依赖它的职权数、应由哪个数据源抓取。"""
    from impact.coverage import CoverageError, coverage as build  # start-up: loaded when the command runs

    try:
        report = build(app.db, sources=app.settings.sources, department=department)
    except CoverageError as exc:
        raise UserError(str(exc)) from exc
    if as_json:
        emit_json({"missing": [{k: m[k] for k in ("title", "level", "duties", "source")} for m in report["missing"]],
                   "totals": report["totals"], "untexted": report["untexted"]})
        return
    _untexted(report["untexted"])
    missing = report["missing"]
    if not missing:
        click.echo("职权引用的法律文件均已在登记库中。")
        return
    click.echo("职权引用、但登记库中没有的法律文件（它们变化时，引用它们的职权不会收到提示）：")
    click.echo(f"{'职权数':>4}  {'效力级别':　<6}  {'应由数据源':　<6}  文件名称")
    for m in missing:
        click.echo(f"{m['duties']:>7}  {m['level']:　<6}  {(m['source'] or NO_SOURCE):　<6}  {m['title']}")
    totals = "，".join(f"{level} {n}" for level, n in report["totals"].items() if n)
    click.echo(f"共 {len(missing)} 个未登记的文件：{totals}。")
    unsourced = sum(1 for m in missing if not m["source"])
    if unsourced:
        info(f"其中 {unsourced} 个没有已配置的数据源会抓取：请配置数据源，或用 yiju laws import 导入其文本。")


def _untexted(rows: list[dict]) -> None:
    if not rows:
        return
    click.echo(f"数据源列出、但无法读取正文的文件（无正文，多为扫描件；条文变化无法比对）：{len(rows)} 个")
    for u in rows:
        click.echo(f"  {u['source']}  {u['promulgated'] or '日期未知'}  {u['title']}")
    click.echo("")


def register(cli: click.Group) -> None:
    cli.add_command(coverage)
