"""The house is one-way (DEVELOPING.md, "Floors"): import-linter's contracts in pyproject.toml hold,
and no import of a yiju package hides inside a function except where start-up time needs it."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = ("config", "texts", "registry", "diffing", "impact", "crawler", "notify", "yiju")
START_UP = "# start-up"


def test_import_contracts_are_kept():
    lint = pathlib.Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 kept, 0 broken" in done.stdout, done.stdout


def _imports_in_functions(path: pathlib.Path):
    tree = ast.parse(path.read_text("utf-8"))
    lines = path.read_text("utf-8").split("\n")
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = ["."] if node.level else [node.module or ""]
            else:
                continue
            if any(n == "." or n.split(".")[0] in PACKAGES for n in names):
                yield node.lineno, lines[node.end_lineno - 1]


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_hides_in_a_function(package):
    """An import inside a function is allowed only for start-up time, and says so.

    Below the command line nothing needs it: every such import there hid a cycle.
    """
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for lineno, line in _imports_in_functions(path):
            if package != "yiju" or START_UP not in line:
                bad.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}")
    assert not bad, "imports inside functions:\n" + "\n".join(bad)


def test_diffing_opens_no_database():
    for path in (ROOT / "diffing").rglob("*.py"):
        text = path.read_text("utf-8")
        assert "sqlite" not in text and "db.execute" not in text, path
