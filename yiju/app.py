"""What every command shares: the settings, the registry, JSON output and user-facing errors.

>>> app = App(config_path=None)
>>> app.settings.schedule.timezone
'Asia/Shanghai'
"""

from __future__ import annotations

import json
import sys
from functools import cached_property

import click

from config import limits
from config.actor import actor  # noqa: F401  (re-exported for the commands)
from config.settings import ConfigError, Settings, load
from registry.schema import RegistryError, connect


class UserError(click.ClickException):
    """An error about the user's data or settings: one Chinese line on stderr, exit status 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"错误：{self.format_message()}", err=True, file=file)


class App:
    """Lazily loaded settings and registry for one command invocation."""

    def __init__(self, config_path: str | None = None, settings: Settings | None = None):
        self.config_path = config_path
        if settings is not None:
            self.__dict__["settings"] = settings

    @cached_property
    def settings(self) -> Settings:
        try:
            settings = load(self.config_path)
        except ConfigError as exc:
            raise UserError(str(exc)) from exc
        limits.use(settings.limits)
        return settings

    @cached_property
    def db(self):
        try:
            return connect(self.settings.registry.path)
        except RegistryError as exc:
            raise UserError(str(exc)) from exc

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.close()
            del self.__dict__["db"]


def emit_json(obj) -> None:
    """Write one JSON document to stdout (nothing else goes to stdout with --json)."""
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def info(message: str) -> None:
    """Progress and logs go to stderr."""
    click.echo(message, err=True)
