"""Shared fixtures: a fresh registry, the built-in corpus, settings pointing at a temp folder, and
the command line as a user runs it (``yiju``).

Row builders for impact, flag and report tests are in ``tests/builders.py``.
"""

from __future__ import annotations

import pathlib
import subprocess

import pytest
from click.testing import CliRunner, Result

from registry.schema import connect
from yiju.cli import cli

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "yiju" / "data" / "laws"
DECISIONS = ROOT / "yiju" / "data" / "decisions"
TEST_DATA = ROOT / "tests" / "data"

# Scripts, not tests or library modules: kept out of the doctest collection (--doctest-modules).
collect_ignore_glob = ["tools/*", "data/*"]


class _ScrapyOnlyInSlowTests:
    """``subprocess`` as ``crawler.run`` sees it in a test not marked slow: starting the Scrapy child fails."""

    def __getattr__(self, name):
        return getattr(subprocess, name)

    @staticmethod
    def run(args, *more, **options):
        if list(args[1:3]) == ["-m", "crawler.run"]:
            pytest.fail("this test runs Scrapy in a child process (seconds): mark it @pytest.mark.slow",
                        pytrace=False)
        return subprocess.run(args, *more, **options)


@pytest.fixture(autouse=True)
def _slow_tests_are_marked(request, monkeypatch):
    """Keep ``pytest -m "not slow"`` a quick loop: a test that crawls must carry the slow marker."""
    if request.node.get_closest_marker("slow") is None:
        import crawler.run

        monkeypatch.setattr(crawler.run, "subprocess", _ScrapyOnlyInSlowTests())


@pytest.fixture
def corpus() -> pathlib.Path:
    return CORPUS


@pytest.fixture
def db(tmp_path):
    """A fresh, migrated registry in a temporary folder."""
    database = connect(tmp_path / "yiju.db")
    yield database
    database.close()


@pytest.fixture
def config_file(tmp_path) -> pathlib.Path:
    """A minimal yiju.toml whose registry and files live in tmp_path (no sources)."""
    path = tmp_path / "yiju.toml"
    path.write_text(
        '[registry]\npath = "data/yiju.db"\nfiles = "data/files"\n'
        '[digest]\ndir = "data/digests"\n',
        encoding="utf-8",
    )
    return path


class Yiju:
    """The command line against one config file, as a user runs it: ``yiju("flags", "--json")``.

    Arguments are turned into strings (paths, numbers); an exception the CLI does not handle is
    raised in the test rather than hidden in ``result.exception``.
    """

    def __init__(self, config: pathlib.Path | None = None):
        self.config = pathlib.Path(config) if config is not None else None   # None: no --config (help pages)
        self.runner = CliRunner()

    def __call__(self, *args, input: str | None = None) -> Result:
        where = ["--config", str(self.config)] if self.config is not None else []
        return self.runner.invoke(cli, [*where, *map(str, args)], input=input, catch_exceptions=False)

    def db(self):
        """The registry this config points at (``data/yiju.db`` beside the config)."""
        return connect(self.config.parent / "data" / "yiju.db")


@pytest.fixture
def yiju(config_file) -> Yiju:
    """``yiju(*args)`` runs the command line against ``config_file``; returns click's Result."""
    return Yiju(config_file)


def law_text(short_title: str, date: str) -> str:
    """The built-in text of one version, e.g. law_text("行政处罚法", "2021-01-22")."""
    return (CORPUS / short_title / f"{date}.md").read_text("utf-8")
