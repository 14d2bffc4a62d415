"""click in Chinese: the help pages' standard lines and the usage errors (``yiju/data/click.toml``).

click writes "Usage:", "Options:", "Show this message and exit." and its error messages in
English. Everything a person reads is Chinese, so:

- ``ChineseFormatter`` (a ``click.HelpFormatter``) is the one place every help page passes through:
  it writes the usage prefix and the section headings in Chinese and translates click's standard
  help texts and ``[default: …]``/``[required]`` notes;
- ``chinese(cli)`` gives every command of the tree a ``Context`` that uses that formatter;
- ``ChineseGroup.main`` shows usage errors (missing argument, no such option, invalid value …)
  in Chinese, by the exception's type and its parts, never by parsing click's sentence when the
  exception carries the parts.

>>> import click
>>> @click.group(cls=ChineseGroup)
... def tool():
...     "A tool."
>>> @tool.command()
... @click.option("--n", type=int, default=3, show_default=True, help="次数")
... def go(n):
...     "Go."
>>> from click.testing import CliRunner
>>> out = CliRunner().invoke(chinese(tool), ["go", "--help"]).output
>>> "用法：" in out and "选项：" in out and "显示本帮助并退出。" in out and "默认：3" in out
True
>>> print(CliRunner().invoke(tool, ["go", "--n", "x"]).output.splitlines()[-1])
错误：'--n' 的值无效：'x' 不是整数
"""

from __future__ import annotations

import contextlib
import pathlib
import re
import sys
import tomllib
from functools import cache

import click

DATA_FILE = pathlib.Path(__file__).resolve().parent / "data" / "click.toml"


@cache
def _words() -> dict:
    with DATA_FILE.open("rb") as f:
        return tomllib.load(f)


def _help(key: str) -> str:
    return _words()["help"][key]


def _error(key: str, **parts) -> str:
    return _words()["error"][key].format(**parts)


_NOTE = re.compile(r"\[(?P<body>(?:default|required|env var)[^\[\]]*)\]\s*$")


def _note(body: str) -> str:
    """'default: 20; required' (click's note after an option's help) in Chinese."""
    out = []
    for part in body.split("; "):
        if part.startswith("default: "):
            out.append(_help("default").format(default=part[len("default: "):]))
        elif part == "required":
            out.append(_help("required"))
        elif part.startswith("env var: "):
            out.append(_help("env_var").format(var=part[len("env var: "):]))
        else:
            out.append(part)
    return "；".join(out)


def translate_help(text: str) -> str:
    """One help text of the option list, with click's standard words in Chinese."""
    text = _words()["help"].get(text, text)
    match = _NOTE.search(text)
    if match:
        text = text[:match.start()] + f"［{_note(match['body'])}］"
    return text


class ChineseFormatter(click.HelpFormatter):
    """A help formatter that writes click's own words in Chinese."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix=_help("usage") if prefix is None else prefix)

    @contextlib.contextmanager
    def section(self, name: str):
        with super().section(_words()["help"].get(name, name)):
            yield

    def write_heading(self, heading: str) -> None:
        # click writes "{heading}:"; a Chinese heading ends with a full-width colon
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(term, translate_help(text)) for term, text in rows], col_max, col_spacing)


class ChineseContext(click.Context):
    formatter_class = ChineseFormatter


def chinese(command: click.Command) -> click.Command:
    """Give ``command`` and every subcommand the Chinese help context; returns ``command``."""
    command.context_class = ChineseContext
    if command.options_metavar == "[OPTIONS]":
        command.options_metavar = _help("options_metavar")
    if getattr(command, "subcommand_metavar", None) in ("COMMAND [ARGS]...", "[COMMAND] [ARGS]..."):
        command.subcommand_metavar = _help("subcommand_metavar") if "[COMMAND]" not in command.subcommand_metavar \
            else f"[{_help('subcommand_metavar').replace(' ', '] ', 1)}"
    for sub in getattr(command, "commands", {}).values():
        chinese(sub)
    return command


def _hint(exc: click.UsageError) -> str:
    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None)
    if hint is not None and not isinstance(hint, str):
        hint = " / ".join(repr(x) for x in hint)
    if hint is None and param is not None:
        hint = param.get_error_hint(exc.ctx)
    return hint or ""


def _sentence(message: str) -> str:
    """One of click's English sentences in Chinese (``[error.messages]``); unknown ones unchanged."""
    for pattern, chinese_text in _words()["error"]["messages"].items():
        match = re.match(pattern, message, re.S)
        if match:
            return chinese_text.format(None, *match.groups())
    return message


def usage_error_message(exc: click.UsageError) -> str:
    """The Chinese message of a usage error, from the exception's type and parts."""
    if isinstance(exc, click.MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "parameter")
        key = {"argument": "missing_argument", "option": "missing_option"}.get(kind, "missing_parameter")
        return _error(key, hint=_hint(exc))
    if isinstance(exc, click.NoSuchOption):
        text = _error("no_such_option", name=exc.option_name)
        if exc.possibilities:
            text += _error("did_you_mean", possibilities="、".join(sorted(exc.possibilities)))
        return text
    no_such_command = getattr(click.exceptions, "NoSuchCommand", None)
    if no_such_command is not None and isinstance(exc, no_such_command):
        text = _error("no_such_command", name=exc.command_name)
        if exc.possibilities:
            text += _error("did_you_mean", possibilities="、".join(sorted(exc.possibilities)))
        return text
    if isinstance(exc, click.BadOptionUsage):
        return _sentence(exc.message)
    if isinstance(exc, click.BadParameter):
        hint = _hint(exc)
        message = _sentence(exc.message)
        return _error("invalid_value", hint=hint, message=message) if hint else _error(
            "invalid_value_bare", message=message)
    if exc.message == "Missing command.":
        return _error("missing_command")
    match = re.match(r"^No such command '(.+)'\.$", exc.message)
    if match:
        return _error("no_such_command", name=match[1])
    return _sentence(exc.message)


def show_error(exc: click.ClickException) -> None:
    """What click's ``exc.show()`` prints, in Chinese."""
    if isinstance(exc, click.UsageError):
        ctx = exc.ctx
        if ctx is not None:
            lines = [ctx.get_usage()]
            if ctx.command.get_help_option(ctx) is not None:
                lines.append(_error("try_help", command=ctx.command_path, option=ctx.help_option_names[0]))
            click.echo("\n".join(lines) + "\n", err=True, color=ctx.color)
        click.echo(_error("prefix", message=usage_error_message(exc)), err=True)
    elif isinstance(exc, click.FileError):
        click.echo(_error("prefix", message=_error("cannot_open_file", filename=exc.ui_filename,
                                                   message=exc.message)), err=True)
    elif type(exc).show is not click.ClickException.show:
        exc.show()  # our own errors (yiju.app.UserError) already speak Chinese
    else:
        click.echo(_error("prefix", message=exc.format_message()), err=True)


class ChineseGroup(click.Group):
    """The top-level group: Chinese help for the whole tree and Chinese usage errors."""

    context_class = ChineseContext

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            show_error(exc)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo(_error("aborted"), err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) and not isinstance(rv, bool) else 0)
