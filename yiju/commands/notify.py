"""``yiju digest`` and ``yiju mail send|list|requeue``: the digest for legal staff and the outbox."""

from __future__ import annotations

import pathlib

import click

from yiju.app import UserError, emit_json, info


def register(cli: click.Group) -> None:
    cli.add_command(digest)
    cli.add_command(mail)


@click.command("digest")
@click.option("--run", "run_id", type=int, metavar="ID", help="哪一次运行的日报（默认最近一次）")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=pathlib.Path), metavar="DIR",
              help="写到哪个目录（默认配置项 digest.dir）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出写出的文件路径")
@click.pass_obj
def digest(app, run_id: int | None, out_dir: pathlib.Path | None, as_json: bool) -> None:
    """生成某次运行的变动日报（网页版和文本版），并更新日报目录 index.html。"""
    from notify.digest import write_digest  # start-up: loaded when the command runs
    from notify.gather import NoSuchRun, latest_run_id  # start-up: loaded when the command runs

    db = app.db
    try:
        run_id = run_id if run_id is not None else latest_run_id(db)
        paths = write_digest(db, run_id, out_dir or app.settings.digest.dir)
    except NoSuchRun as exc:
        raise UserError(str(exc)) from exc
    except OSError as exc:
        raise UserError(f"无法写入日报目录 {out_dir or app.settings.digest.dir}：{exc}") from exc
    if as_json:
        emit_json({"run_id": run_id, **{k: str(v) for k, v in paths.items()}})
        return
    click.echo(str(paths["html"]))
    click.echo(str(paths["md"]))
    info(f"第 {run_id} 次运行的日报已生成；全部日报目录：{paths['index']}")


@click.group("mail")
def mail() -> None:
    """发件箱：发送、查看和重新排队邮件。"""


@mail.command("send")
@click.option("--retry-now", "ignore_backoff", is_flag=True, help="立即重试所有待发邮件，不等退避时间")
@click.option("--dry-run", "dry_run_dir", metavar="DIR", type=click.Path(file_okay=False),
              help="预览：把待发送的邮件写成 DIR 中的 .eml 文件，不发送，发件箱不变")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出发送结果")
@click.pass_obj
def mail_send(app, ignore_backoff: bool, dry_run_dir: str | None, as_json: bool) -> None:
    """发送发件箱中到期的待发邮件；有邮件未能送达时退出码为 1。"""
    from notify.deliver import preview_pending, send_pending  # start-up: loaded when the command runs

    if dry_run_dir:
        written = preview_pending(app.db, app.settings.mail, dry_run_dir)
        if as_json:
            emit_json({"written": written, "sent": []})
        else:
            click.echo(f"已把 {len(written)} 封待发送邮件写入 {dry_run_dir}（未发送，发件箱不变）")
        return
    report = send_pending(app.db, app.settings.mail, ignore_backoff=ignore_backoff)
    if as_json:
        emit_json(report.to_json())
    else:
        for line in report.lines():
            click.echo(line)
    if not report.ok:
        raise click.exceptions.Exit(1)


@mail.command("list")
@click.option("--state", type=click.Choice(["pending", "sending", "sent", "failed"]), help="只列出该状态的邮件")
@click.option("--run", "run_id", type=int, metavar="ID", help="只列出该次运行的邮件")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_obj
def mail_list(app, state: str | None, run_id: int | None, as_json: bool) -> None:
    """列出发件箱中的邮件（最新的在前）：收件人、主题、状态、尝试次数和失败原因。"""
    from notify import outbox  # start-up: loaded when the command runs
    from config.glossary import name, with_names  # start-up: loaded when the command runs

    rows = [with_names(r, state="outbox_state", kind="mail_kind")
            for r in outbox.listing(app.db, state=state, run_id=run_id)]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        when = f"　{r['sent_at']}" if r["sent_at"] else ""
        click.echo(f"#{r['id']}　第 {r['run_id']} 次运行　{name('outbox_state', r['state'])}{when}　"
                   f"{r['recipient']}　{r['subject']}")
        if r["last_error"] and r["state"] != "sent":
            click.echo(f"    尝试 {r['attempts']} 次：{r['last_error']}")
    counts = outbox.counts(app.db, run_id)
    info("共 " + ("，".join(f"{name('outbox_state', k)} {n} 封" for k, n in sorted(counts.items())) or "0 封"))


@mail.command("requeue")
@click.argument("message_id", metavar="ID", type=int)
@click.pass_obj
def mail_requeue(app, message_id: int) -> None:
    """把一封发送失败或投递结果不明的邮件重新放回待发送（确认收件人未收到后再用）。"""
    from notify import outbox  # start-up: loaded when the command runs

    try:
        row = outbox.requeue(app.db, message_id)
    except LookupError as exc:
        raise UserError(exc.args[0]) from exc
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    info(f"邮件 #{row['id']}（{row['recipient']}）已重新排队，下次 yiju mail send 时发送。")
