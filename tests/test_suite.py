"""The suite's own habits (DEVELOPING.md, "Tests"), checked so they stay true as tests are added."""

from __future__ import annotations

import ast
import pathlib

import pytest


TESTS = pathlib.Path(__file__).resolve().parent
MODULES = sorted(TESTS.glob("test_*.py"))


def _imports(path: pathlib.Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names |= {f"{node.module}.{a.name}" for a in node.names} | {node.module}
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
    return names


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_the_command_line_is_run_through_the_one_runner(path):
    """conftest's ``yiju`` fixture / ``Yiju(config)``, not another copy of click's CliRunner."""
    assert "click.testing.CliRunner" not in _imports(path), "use the yiju fixture or tests.conftest.Yiju"


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_no_test_module_is_a_library(path):
    """Shared helpers live in conftest.py, builders.py or tools/, never in a test_*.py another test imports."""
    assert not {n for n in _imports(path) if n.startswith("tests.test_")}, "move the helper to tests/builders.py"


def test_a_test_that_crawls_without_the_slow_marker_fails(tmp_path):
    """The guard of conftest: Scrapy's child process is refused in a test not marked slow."""
    from config.settings import load
    from crawler.run import crawl

    (tmp_path / "yiju.toml").write_text('[registry]\npath = "r.db"\n[[sources]]\nname = "flk"\nkind = "flk"\n'
                                        'base_url = "http://127.0.0.1:9"\n', encoding="utf-8")
    with pytest.raises(pytest.fail.Exception, match="mark it @pytest.mark.slow"):
        crawl(load(tmp_path / "yiju.toml", environ={}))
