"""``yiju duties``, ``yiju duties import``, ``yiju departments import``, ``yiju staff import``.

Importing prints what changed on stdout and every skipped row on stderr; it exits 1 when
rows were skipped (the rest is imported) and 2 when the file cannot be read at all.
"""

from __future__ import annotations

import click

from texts.provisions import cited_provision
from impact import duties as duty_store
from config.clock import today
from config.glossary import name, with_names
from texts.powerlist import TableError, parse_date
from yiju.app import App, UserError, emit_json, info



def _as_of(value: str | None) -> str | None:
    if not value:
        return None
    try:
        day = parse_date(value)
    except ValueError as exc:
        raise UserError(f"--as-of {exc}") from exc
    if day and day > today():
        raise UserError(f"--as-of {day} 晚于今天")
    return day


def _finish(ctx: click.Context, report, as_json: bool) -> None:
    for problem in report.problems:
        info(str(problem))
    if as_json:
        emit_json(report.to_json())
    else:
        for line in report.lines():
            click.echo(line)
    if report.problems:
        ctx.exit(1)


def _print_listing(groups: list[dict]) -> None:
    if not groups:
        click.echo("登记库中还没有职权。用 yiju duties import FILE 导入权责清单。")
        return
    for group in groups:
        s = group["summary"]
        click.echo(f"{group['department']}：职权 {s['duties']} 项，依据引用 {s['citations']} 条"
                   f"（{name('resolution', 'resolved')} {s['resolved']}，{name('resolution', 'stale')} {s['stale']}，"
                   f"{name('resolution', 'unresolved')} {s['unresolved']}）"
                   + (f"，无可识别引用的职权 {s['without_citations']} 项" if s["without_citations"] else ""))
        for d in group["duties"]:
            head = f"  [{d['id']}] " + (f"{d['code']} " if d["code"] else "") + d["name"]
            extra = "，".join(x for x in (d["kind"], d["post"] and f"岗位：{d['post']}",
                                          d["version"] > 1 and f"第 {d['version']} 版") if x)
            click.echo(head + (f"（{extra}）" if extra else ""))
            if not d["citations"]:
                click.echo("      （依据中没有可识别的条文引用）")
            for c in d["citations"]:
                where = cited_provision({**c, "law_title": c["law_title"] or "未知法规"}, whole_law="（整部法规）")
                state = name("resolution", c["resolution"])
                line = f"      {name('citation_field', c['field'])}：{where} —— {state}"
                if c["resolution"] == "stale" and c["current_label"]:
                    line += f"，现为{c['current_label']}"
                if c["problem"]:
                    line += f"（{c['problem']}）"
                click.echo(line)


def _table_import(group: click.Group, importer, help_text: str) -> None:
    """``yiju departments import`` and ``yiju staff import``: one table file, one importer."""

    @group.command("import", help=help_text)
    @click.argument("file", type=click.Path(dir_okay=False))
    @click.option("--json", "as_json", is_flag=True, help="以 JSON 输出导入结果")
    @click.option("--by", metavar="NAME", help="操作人（记入审计日志，默认当前系统用户）")
    @click.pass_context
    def table_import(ctx: click.Context, file: str, as_json: bool, by: str | None) -> None:
        app: App = ctx.obj
        try:
            report = importer(app.db, file, by=by)
        except (TableError, duty_store.DutyError) as exc:
            raise UserError(str(exc)) from exc
        _finish(ctx, report, as_json)


def register(cli: click.Group) -> None:
    @cli.group("duties", invoke_without_command=True)
    @click.option("--department", "department", metavar="D", help="只列出该部门的职权")
    @click.option("--json", "as_json", is_flag=True, help="输出 JSON（按部门分组，含汇总）")
    @click.pass_context
    def duties(ctx: click.Context, department: str | None, as_json: bool) -> None:
        """列出现行职权及其依据引用的核对状态；子命令 import 导入权责清单。"""
        if ctx.invoked_subcommand is not None:
            return
        app: App = ctx.obj
        try:
            groups = duty_store.list_duties(app.db, department)
        except duty_store.DutyError as exc:
            raise UserError(str(exc)) from exc
        for group in groups:
            for d in group["duties"]:
                for c in d["citations"]:
                    with_names(c, resolution="resolution", field="citation_field")
        if as_json:
            emit_json(groups)
        else:
            _print_listing(groups)

    @duties.command("import")
    @click.argument("file", type=click.Path(dir_okay=False))
    @click.option("--department", metavar="NAME", help="缺少「实施主体」列或该列为空时使用的部门")
    @click.option("--as-of", "as_of", metavar="DATE", help="清单编制日期，按此日期解析依据引用（默认现行文本）")
    @click.option("--json", "as_json", is_flag=True, help="以 JSON 输出导入结果")
    @click.option("--by", metavar="NAME", help="操作人（记入审计日志，默认当前系统用户）")
    @click.pass_context
    def duties_import(ctx: click.Context, file: str, department: str | None, as_of: str | None,
                      as_json: bool, by: str | None) -> None:
        """导入权责清单（.xlsx 或 .csv）：按表头同义词识别列，重复导入不产生变化。"""
        app: App = ctx.obj
        day = _as_of(as_of)
        try:
            report = duty_store.import_duties(app.db, file, department=department, as_of=day, by=by)
        except (TableError, duty_store.DutyError) as exc:
            raise UserError(str(exc)) from exc
        _finish(ctx, report, as_json)

    @cli.group("departments")
    def departments() -> None:
        """部门（执法主体）及其联系邮箱。"""

    _table_import(departments, duty_store.import_departments,
                  "导入部门表（.xlsx 或 .csv）：部门、上级部门、联系邮箱。")

    @cli.group("staff")
    def staff() -> None:
        """执法人员及其任职岗位。"""

    _table_import(staff, duty_store.import_staff,
                  "导入人员任职表（.xlsx 或 .csv）：姓名、邮箱、部门、岗位、任职起、任职止。")
