"""Every command and option of `yiju` is documented in the README (sqlite-utils' habit).

A command is documented when a README line names it (`yiju laws import …`); its options are
documented when they appear on a README line that names the command.
"""

import pathlib
import re

import click
import pytest

from yiju.cli import cli

README = (pathlib.Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")


def walk(group: click.Group, prefix=()):
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        yield path, command
        if isinstance(command, click.Group):
            yield from walk(command, path)


COMMANDS = list(walk(cli))


def lines_naming(path) -> list[str]:
    pattern = re.compile(r"yiju " + re.escape(" ".join(path)) + r"(?![\w-])")
    return [line for line in README.splitlines() if pattern.search(line)]


def test_there_are_commands():
    assert len(COMMANDS) >= 10


@pytest.mark.parametrize("path, command", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_command_is_documented(path, command):
    lines = lines_naming(path)
    assert lines, f"`yiju {' '.join(path)}` is not in the README"
    text = "\n".join(lines)
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            names = [o for o in param.opts if o.startswith("--")] or param.opts
            assert any(n in text for n in names), (
                f"option {names[0]} of `yiju {' '.join(path)}` is not on a README line naming the command"
            )


@pytest.mark.parametrize("path, command", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_command_has_help(path, command):
    assert (command.help or command.short_help or "").strip(), f"`yiju {' '.join(path)}` has no help text"


def test_global_options_are_documented():
    for param in cli.params:
        if isinstance(param, click.Option) and "--help" not in param.opts:
            assert any(o in README for o in param.opts if o.startswith("--")), param.opts


def test_readme_has_exactly_two_setup_commands():
    block = README.split("## 快速开始", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```(?:sh|bash)\n(.*?)```", block, re.S)
    assert len(commands) == 2, "the quick start shows exactly two commands: the demo and the tests"
    assert "yiju demo" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_exactly_the_readme_test_command():
    block = README.split("## 快速开始", 1)[1].split("\n## ", 1)[0]
    test_command = re.findall(r"```(?:sh|bash)\n(.*?)```", block, re.S)[1].strip()
    ci = (pathlib.Path(__file__).resolve().parent.parent / ".ci" / "run").read_text("utf-8")
    assert test_command in ci
