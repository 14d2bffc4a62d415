"""Shared fixtures: a fresh registry, the built-in corpus, settings pointing at a temp folder."""

from __future__ import annotations

import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "yiju" / "data" / "laws"
DECISIONS = ROOT / "yiju" / "data" / "decisions"
TEST_DATA = ROOT / "tests" / "data"


@pytest.fixture
def corpus() -> pathlib.Path:
    return CORPUS


@pytest.fixture
def db(tmp_path):
    """A fresh, migrated registry in a temporary folder."""
    from registry.schema import connect

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


def law_text(short_title: str, date: str) -> str:
    """The built-in text of one version, e.g. law_text("行政处罚法", "2021-01-22")."""
    return (CORPUS / short_title / f"{date}.md").read_text("utf-8")
