"""``yiju init``: create or migrate the registry; ``yiju backup DIR``: a consistent copy of it."""

from __future__ import annotations

import pathlib

import click

from registry.schema import schema_version
from yiju.app import App, UserError, emit_json, info


def register(cli: click.Group) -> None:
    @cli.command("init")
    @click.pass_obj
    def init(app: App) -> None:
        """创建或升级登记库（可重复执行）。"""
        db = app.db
        app.settings.registry.files.mkdir(parents=True, exist_ok=True)
        info(f"登记库：{app.settings.registry.path}（迁移：{', '.join(schema_version(db))}）")


    @cli.command("backup")
    @click.argument("directory", metavar="DIR", required=False, type=click.Path(path_type=pathlib.Path))
    @click.option("--keep", type=click.IntRange(1, None), default=None,
                  help="只保留最新的 N 份（默认配置中的 backup.keep；不给 DIR 时才使用配置）")
    @click.option("--json", "as_json", is_flag=True, help="以 JSON 输出备份文件的路径")
    @click.pass_obj
    def backup(app: App, directory: pathlib.Path | None, keep: int | None, as_json: bool) -> None:
        """把登记库完整复制到 DIR（默认配置中的 backup.dir）；夜间任务运行时也可以备份。"""
        from registry.backup import BackupError, make_backup  # start-up: loaded when the command runs

        out = directory or app.settings.backup.dir
        if out is None:
            raise UserError("请指定备份文件夹：yiju backup DIR，或在配置 [backup] 中设置 dir")
        if keep is None and directory is None:
            keep = app.settings.backup.keep
        try:
            path = make_backup(app.settings.registry.path, out, keep=keep or 0)
        except BackupError as exc:
            raise UserError(str(exc)) from exc
        if as_json:
            emit_json({"backup": str(path), "bytes": path.stat().st_size})
        else:
            click.echo(str(path))
        info(f"已备份登记库到 {path}（{path.stat().st_size // 1024} KB）。")
