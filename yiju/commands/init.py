"""``yiju init``: create or migrate the registry."""

from __future__ import annotations

import click

from registry.schema import schema_version
from yiju.app import App, info


def register(cli: click.Group) -> None:
    @cli.command("init")
    @click.pass_obj
    def init(app: App) -> None:
        """创建或升级登记库（可重复执行）。"""
        db = app.db
        app.settings.registry.files.mkdir(parents=True, exist_ok=True)
        info(f"登记库：{app.settings.registry.path}（迁移：{', '.join(schema_version(db))}）")
