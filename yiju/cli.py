"""The ``yiju`` command line (DESIGN §11). Thin: every command calls the packages.

Each area registers its commands from ``yiju/commands/<area>.py``.
"""

from __future__ import annotations

import importlib
import logging
import sys
import traceback

import click

from yiju.app import App, UserError
from yiju.chinese import ChineseGroup, _words, chinese

COMMAND_MODULES = [
    "yiju.commands.init",
    "yiju.commands.laws",
    "yiju.commands.diff",
    "yiju.commands.cite",
    "yiju.commands.duties",
    "yiju.commands.crawl",
    "yiju.commands.impact",
    "yiju.commands.proposals",
    "yiju.commands.notify",
    "yiju.commands.run",
    "yiju.commands.coverage",
    "yiju.commands.web",
]


class YijuGroup(ChineseGroup):
    """The ``yiju`` group: a fault of the machine (read-only registry, full disk, a damaged file)
    is one Chinese line and exit status 2; the traceback only with ``--verbose``."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            from yiju.faults import describe  # start-up: only when something went wrong

            message = describe(exc)
            if message is None:
                raise
            if ctx.params.get("verbose"):
                traceback.print_exc(file=sys.stderr)
            raise UserError(message) from exc


@click.group("yiju", cls=YijuGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", metavar="PATH", envvar="YIJU_CONFIG",
              help="配置文件（默认 $YIJU_CONFIG，然后 ./yiju.toml，然后内置默认值）")
@click.option("-v", "--verbose", is_flag=True, help="在标准错误输出更多日志")
@click.version_option(package_name="yiju", message=_words()["help"]["version_message"])
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: bool) -> None:
    """依据 yiju：行政执法依据动态监测 —— 法律立改废后，找出需要重新梳理的执法职权。"""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    app = App(config_path)
    ctx.obj = app
    ctx.call_on_close(app.close)


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(cli)
chinese(cli)  # every command's help in Chinese, including the ones registered above


def main() -> None:
    cli(prog_name="yiju")


if __name__ == "__main__":
    main()
