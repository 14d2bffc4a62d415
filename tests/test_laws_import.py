"""`yiju laws import DIR` and `yiju laws` as a legal-affairs office uses them."""

from __future__ import annotations

import csv
import io
import json
import pathlib
import shutil

import docx
import pytest

from registry import laws as law_store
from registry.schema import connect
from tests.conftest import Yiju

ROOT = pathlib.Path(__file__).resolve().parents[1]
CORPUS = ROOT / "yiju" / "data" / "laws"
MANIFEST = ROOT / "yiju" / "data" / "MANIFEST.tsv"
GOLDEN = json.loads((ROOT / "tests" / "data" / "golden" / "article_counts.json").read_text("utf-8"))
LEVELS = {"law": "法律", "administrative regulation": "行政法规", "local regulation": "地方性法规"}


def make_config(folder: pathlib.Path) -> pathlib.Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "yiju.toml"
    path.write_text('[registry]\npath = "data/yiju.db"\nfiles = "data/files"\n', encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def corpus_registry(tmp_path_factory):
    """The whole built-in corpus imported once through the command line."""
    yiju = Yiju(make_config(tmp_path_factory.mktemp("corpus")))
    first = yiju("laws", "import", CORPUS)
    return yiju, first


@pytest.fixture
def yiju(tmp_path):
    return Yiju(make_config(tmp_path / "work"))


def law_dir(tmp_path: pathlib.Path) -> pathlib.Path:
    d = tmp_path / "laws"
    d.mkdir()
    return d


def copy_version(dest: pathlib.Path, short: str, date: str, name: str | None = None) -> pathlib.Path:
    folder = dest / (name or short)
    folder.mkdir(exist_ok=True)
    return pathlib.Path(shutil.copy(CORPUS / short / f"{date}.md", folder / f"{date}.md"))


# --------------------------------------------------------------------------- the whole corpus


@pytest.mark.slow  # imports the whole built-in corpus (once per module)
def test_every_built_in_law_imports_with_its_reviewed_article_count(corpus_registry):
    yiju, result = corpus_registry
    assert result.exit_code == 0, result.stderr
    assert "已导入 188 部法律（新增 188 部），新增版本 290 个、条文 22326 条" in result.stderr
    assert "错误" not in result.stderr
    db = yiju.db()
    rows = db.execute(
        "SELECT v.source_id, count(a.id) FROM versions v LEFT JOIN articles a ON a.version_id = v.id "
        "WHERE v.source = 'import' GROUP BY v.id").fetchall()
    counts = {f"laws/{source_id}": n for source_id, n in rows}
    assert counts == {k: v for k, v in GOLDEN.items() if k != "notes"}
    # Every raw file is kept, content-addressed.
    for (blob,) in db.execute("SELECT raw_blob FROM versions"):
        assert (yiju.config.parent / "data" / "files" / blob[:2] / blob).exists()


@pytest.mark.slow  # imports the whole built-in corpus (once per module)
def test_second_import_adds_nothing_and_says_so(corpus_registry):
    yiju, _ = corpus_registry
    db = yiju.db()
    before = [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("laws", "versions", "articles", "changes")]
    again = yiju("laws", "import", CORPUS)
    assert again.exit_code == 0
    assert "没有新内容：188 部法律的 290 个版本均已在登记库中" in again.stderr
    after = [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("laws", "versions", "articles", "changes")]
    assert after == before


@pytest.mark.slow  # imports the whole built-in corpus (once per module)
def test_versions_are_imported_oldest_first_and_make_amendments(corpus_registry):
    yiju, _ = corpus_registry
    db = yiju.db()
    law = law_store.find_law(db, "中华人民共和国行政处罚法")
    changes = db.execute(
        "SELECT c.kind, o.promulgated, n.promulgated FROM changes c JOIN versions o ON o.id = c.old_version_id "
        "JOIN versions n ON n.id = c.new_version_id WHERE c.law_id = ?", [law["id"]]).fetchall()
    assert changes == [("amended", "2017-09-01", "2021-01-22")]
    # 食品安全法: four versions, three amendments in date order.
    law = law_store.find_law(db, "中华人民共和国食品安全法")
    dates = db.execute(
        "SELECT n.promulgated FROM changes c JOIN versions n ON n.id = c.new_version_id "
        "WHERE c.law_id = ? ORDER BY c.id", [law["id"]]).fetchall()
    assert [d for (d,) in dates] == ["2015-04-24", "2021-04-29", "2025-09-12"]


@pytest.mark.slow  # imports the whole built-in corpus (once per module)
def test_laws_json_lists_level_status_and_versions(corpus_registry):
    yiju, _ = corpus_registry
    result = yiju("laws", "--json")
    assert result.exit_code == 0
    laws = {law["title"]: law for law in json.loads(result.stdout)}
    assert len(laws) == 188
    cf = laws["中华人民共和国行政处罚法"]
    assert (cf["level"], cf["status"]) == ("法律", "有效")
    assert [(v["promulgated"], v["articles"], v["status"]) for v in cf["versions"]] == [
        ("2017-09-01", 64, "已修改"), ("2021-01-22", 86, "有效")]
    assert cf["versions"][1]["effective"] == "2021-07-15"
    bj = laws["北京市安全生产条例"]
    assert (bj["level"], bj["region"]) == ("地方性法规", "北京市")
    assert "道路运输条例" not in laws
    assert laws["中华人民共和国道路运输条例"]["level"] == "行政法规"
    assert [v["promulgated"] for v in laws["中华人民共和国道路运输条例"]["versions"]] == [
        "2019-03-02", "2022-03-29", "2023-07-20"]


@pytest.mark.slow  # imports the whole built-in corpus (once per module)
def test_level_read_from_title_and_note_matches_the_manifest(corpus_registry):
    yiju, _ = corpus_registry
    db = yiju.db()
    expected = {}
    for row in csv.DictReader(MANIFEST.open(encoding="utf-8"), delimiter="\t"):
        if row["path"].startswith("laws/"):
            expected[row["path"].split("/")[1]] = LEVELS[row["kind"]]
    got = {}
    for title, level, aliases, short in db.execute("SELECT title, level, aliases, short_title FROM laws"):
        names = {title, short or ""} | set(json.loads(aliases))
        folder = next(n for n in names if n in expected)
        got[folder] = level
    assert got == expected


@pytest.mark.slow  # imports the whole built-in corpus (once per module)
def test_short_folder_name_takes_the_full_title_from_the_text(corpus_registry):
    yiju, _ = corpus_registry
    db = yiju.db()
    assert law_store.find_law(db, "中华人民共和国行政处罚法")["short_title"] == "行政处罚法"
    assert not db.execute("SELECT count(*) FROM laws WHERE title = '行政处罚法'").fetchone()[0]
    # A text without a title line: the folder's name is the law's title; the full title is an alias.
    law = law_store.find_law(db, "食品卫生法")
    assert law["title"] == "食品卫生法"
    assert law_store.find_law(db, "中华人民共和国食品卫生法")["id"] == law["id"]
    # Versions of one folder are one law, even when only some texts carry the title.
    law = law_store.find_law(db, "中华人民共和国动物防疫法")
    assert len(law_store.versions(db, law["id"])) == 5


@pytest.mark.slow  # imports the whole built-in corpus (once per module)
def test_laws_plain_listing(corpus_registry):
    yiju, _ = corpus_registry
    out = yiju("laws")
    assert out.exit_code == 0
    lines = out.stdout.splitlines()
    i = lines.index("中华人民共和国行政处罚法　法律　有效")
    assert lines[i + 1:i + 3] == ["    2017-09-01　64 条　已修改", "    2021-01-22　86 条　有效"]
    assert "共 188 部法律，290 个版本" in out.stderr


# --------------------------------------------------------------------------- bad input


def docx_bytes(lines) -> bytes:
    d = docx.Document()
    for line in lines:
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_bad_files_are_named_skipped_and_the_rest_imported(yiju, tmp_path):
    src = law_dir(tmp_path)
    copy_version(src, "行政许可法", "2003-08-27")
    (src / "行政许可法" / "2019-04-23.docx").write_bytes(
        docx_bytes((CORPUS / "行政许可法" / "2019-04-23.md").read_text("utf-8").split("\n")))
    bad = src / "示例条例"
    bad.mkdir()
    (bad / "2020-01-01.md").write_text("会议纪要\n今天讨论了执法工作。", "utf-8")     # not a law text
    (bad / "2020-02-02.docx").write_bytes(b"PK\x03\x04 this is not really a docx")   # unreadable
    (bad / "2021-13-45.md").write_text("第一条　甲。", "utf-8")                        # wrong date
    (bad / "说明.md").write_text("第一条　甲。", "utf-8")                              # no date at all
    (bad / "2020-03-03.xlsx").write_bytes(b"x")                                        # unsupported
    (src / "2020-04-04.md").write_text("第一条　甲。", "utf-8")  # not inside a law folder
    (src / "清单.md").write_text("随手记", "utf-8")

    result = yiju("laws", "import", src)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("错误：")]
    by_file = {line.split("：")[1]: line for line in errors}
    assert "没有找到任何条文" in by_file["示例条例/2020-01-01.md"]
    assert "Word" in by_file["示例条例/2020-02-02.docx"]
    assert "2021-13-45" in by_file["示例条例/2021-13-45.md"] and "不是有效日期" in by_file["示例条例/2021-13-45.md"]
    assert "YYYY-MM-DD" in by_file["示例条例/说明.md"]
    assert ".xlsx" in by_file["示例条例/2020-03-03.xlsx"]
    assert "不在法律名称的文件夹中" in by_file["2020-04-04.md"] and "清单.md" in by_file
    assert len(errors) == 7
    assert "跳过" in result.stderr
    db = yiju.db()
    law = law_store.find_law(db, "中华人民共和国行政许可法")
    versions = law_store.versions(db, law["id"])
    assert [(v["promulgated"], v["raw_format"]) for v in versions] == [("2003-08-27", "md"), ("2019-04-23", "docx")]
    assert law_store.find_law(db, "示例条例") is None


def test_nothing_loaded_is_lost_when_a_later_import_fails(yiju, tmp_path):
    good = law_dir(tmp_path)
    copy_version(good, "消防法", "2019-04-23")
    assert yiju("laws", "import", good).exit_code == 0
    other = tmp_path / "other"
    (other / "消防法").mkdir(parents=True)
    (other / "消防法" / "2021-04-29.docx").write_bytes(b"\xd0\xcf\x11\xe0garbage")
    result = yiju("laws", "import", other)
    assert result.exit_code == 1
    assert result.stderr.count("错误：") == 1 and "消防法/2021-04-29.docx" in result.stderr
    db = yiju.db()
    assert db.execute("SELECT count(*) FROM versions").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 74


def test_missing_directory_is_exit_2_with_one_line(yiju, tmp_path):
    result = yiju("laws", "import", tmp_path / "没有这个目录")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"错误：目录不存在：{tmp_path / '没有这个目录'}"]


def test_changed_file_is_not_silently_ignored(yiju, tmp_path):
    src = law_dir(tmp_path)
    f = copy_version(src, "广告法", "2018-10-26")
    assert yiju("laws", "import", src).exit_code == 0
    f.write_text(f.read_text("utf-8").replace("第一条", "第一条 （改动）", 1), "utf-8")
    result = yiju("laws", "import", src)
    assert result.exit_code == 1
    assert "广告法/2018-10-26.md：文件内容与此前导入的版本不同" in result.stderr


def test_folder_title_when_the_text_names_another_law(yiju, tmp_path):
    src = law_dir(tmp_path)
    copy_version(src, "广告法", "2021-04-29", name="某市广告管理办法")
    assert yiju("laws", "import", src).exit_code == 0
    db = yiju.db()
    assert law_store.find_law(db, "某市广告管理办法") is not None
    assert law_store.find_law(db, "中华人民共和国广告法") is None


def test_directory_of_one_law(yiju, tmp_path):
    one = tmp_path / "行政许可法"
    one.mkdir()
    shutil.copy(CORPUS / "行政许可法" / "2003-08-27.md", one / "2003-08-27.md")
    shutil.copy(CORPUS / "行政许可法" / "2019-04-23.md", one / "2019-04-23.md")
    result = yiju("laws", "import", one)
    assert result.exit_code == 0, result.stderr
    law = law_store.find_law(yiju.db(), "中华人民共和国行政许可法")
    assert [v["promulgated"] for v in law_store.versions(yiju.db(), law["id"])] == ["2003-08-27", "2019-04-23"]
