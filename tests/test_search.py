"""`yiju search WORDS`: finding articles by their text, current versions first."""

from __future__ import annotations

import json
import pathlib
import shutil

import pytest

from impact.record import record_status
from impact.lawfiles import import_directory
from registry.schema import connect
from registry.search import SearchError, search_articles
from tests.conftest import Yiju

CORPUS = pathlib.Path(__file__).resolve().parents[1] / "yiju" / "data" / "laws"
VERSIONS = [("行政处罚法", "2017-09-01"), ("行政处罚法", "2021-01-22"), ("消防法", "2019-04-23"),
            ("信访条例", "2005-01-10")]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    work = tmp_path_factory.mktemp("search")
    src = work / "laws"
    for short, date in VERSIONS:
        (src / short).mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / short / f"{date}.md", src / short / f"{date}.md")
    (work / "yiju.toml").write_text('[registry]\npath = "yiju.db"\nfiles = "files"\n', encoding="utf-8")
    db = connect(work / "yiju.db")
    report = import_directory(db, src, work / "files")
    assert report.versions_new == 4
    record_status(db, title="信访条例", status="已废止", source="test")
    db.close()
    return work


@pytest.fixture
def db(workdir):
    database = connect(workdir / "yiju.db")
    yield database
    database.close()


def all_articles(db):
    return db.execute(
        "SELECT l.title, v.promulgated, a.label, a.text FROM articles a JOIN versions v ON v.id = a.version_id "
        "JOIN laws l ON l.id = v.law_id").fetchall()


def test_two_character_word_is_found_without_the_trigram_index(db):
    result = search_articles(db, "罚款", limit=1000)
    expected = {(t, d, label) for t, d, label, text in all_articles(db) if "罚款" in text}
    assert len(expected) > 30
    assert result.total == len(expected)
    assert {(h.law, h.promulgated, h.label) for h in result.hits} == expected
    assert all("【罚款】" in h.marked for h in result.hits)


def test_longer_words_use_the_index_and_all_words_must_occur(db):
    result = search_articles(db, "行政处罚 没收", limit=1000)
    expected = {(t, d, label) for t, d, label, text in all_articles(db) if "行政处罚" in text and "没收" in text}
    assert expected and {(h.law, h.promulgated, h.label) for h in result.hits} == expected
    for h in result.hits:
        assert "行政处罚" in h.text and "没收" in h.text


def test_current_versions_come_first(db):
    result = search_articles(db, "听证", limit=1000)
    flags = [h.current for h in result.hits]
    assert True in flags and False in flags
    assert flags == sorted(flags, reverse=True)
    old = [h for h in result.hits if not h.current]
    assert {h.promulgated for h in old} == {"2017-09-01"}
    # A repealed law's articles come after those of laws in force.
    result = search_articles(db, "行政机关", limit=1000)
    current = [h for h in result.hits if h.current]
    statuses = [h.law_status for h in current]
    assert "已废止" in statuses
    assert statuses.index("已废止") > statuses.index("有效")
    assert all(s == "已废止" for s in statuses[statuses.index("已废止"):])


def test_passage_marks_every_word(db):
    hit = search_articles(db, "警告 罚款").hits[0]
    for start, end in hit.spans:
        assert hit.passage[start:end] in ("警告", "罚款")
    assert "【警告】" in hit.marked and "【罚款】" in hit.marked


def test_limit_and_total(db):
    result = search_articles(db, "罚款", limit=3)
    assert len(result.hits) == 3 and result.total > 3


def test_query_syntax_characters_are_plain_text(db):
    for query in ['"罚款', "罚款 OR", "NEAR(罚款)", "行政处罚*", "100%", "a_b"]:
        search_articles(db, query)  # no crash
    with pytest.raises(SearchError):
        search_articles(db, "  \u3000 ")


def run(workdir, *args):
    return Yiju(workdir / "yiju.toml")(*args)


def test_cli_prints_law_version_label_and_marked_passage(workdir):
    out = run(workdir, "search", "罚款", "--limit", "2")
    assert out.exit_code == 0
    lines = out.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("《中华人民共和国") and "）第" in lines[0] and "【罚款】" in lines[0]
    assert "共 " in out.stderr and "显示前 2 条" in out.stderr


def test_cli_json(workdir):
    out = run(workdir, "search", "听证", "--json", "--limit", "500")
    hits = json.loads(out.stdout)
    assert hits and all(set(h) >= {"law", "promulgated", "label", "passage", "spans", "current"} for h in hits)
    assert all(h["passage"][s:e] == "听证" for h in hits for s, e in h["spans"])
    old = [h for h in hits if not h["current"]]
    assert old and all("2017-09-01" == h["promulgated"] for h in old)


def test_cli_nothing_found(workdir):
    out = run(workdir, "search", "不存在的词语组合")
    assert out.exit_code == 0 and out.stdout == ""
    assert "没有找到" in out.stderr
