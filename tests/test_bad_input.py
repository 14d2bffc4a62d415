"""Issue 13, items 10, 14, 15 and 19: bad input and faults of the machine give one clear line
(exit status 2, no traceback unless --verbose), small files cannot eat the machine, and nothing
a user has is overwritten."""

from __future__ import annotations

import io
import os
import sqlite3
import zipfile

import openpyxl
import pytest

from impact.lawfiles import import_directory
from registry.schema import RegistryError, connect
from tests.conftest import Yiju, law_text

HEADER = ["序号", "权力类型", "事项名称", "实施依据", "实施主体"]


def run(config, *args):
    return Yiju(config)(*args)


def one_line_error(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("错误：")]
    assert len(errors) == 1, result.output
    return errors[0]


def workbook(rows) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "行政处罚"
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    return wb


ROW = ["1", "行政处罚", "对某行为的处罚", "《中华人民共和国行政处罚法》第一条", "某市司法局"]


# ----- registry files -------------------------------------------------------------------------------

def test_a_zero_byte_registry_is_refused_not_recreated(config_file, tmp_path):
    db = tmp_path / "data" / "yiju.db"
    db.parent.mkdir()
    db.write_bytes(b"")
    line = one_line_error(run(config_file, "run", "--no-crawl"))
    assert "空文件" in line and db.stat().st_size == 0


def test_a_file_that_is_not_a_yiju_registry_is_refused(tmp_path):
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    con.commit()
    con.close()
    with pytest.raises(RegistryError, match="不是 yiju 登记库"):
        connect(other)
    assert [r[0] for r in sqlite3.connect(other).execute("SELECT name FROM sqlite_master")] == ["invoices"]


def test_a_registry_in_a_missing_folder_is_created(tmp_path):
    config = tmp_path / "yiju.toml"
    config.write_text('[registry]\npath = "a/b/c/yiju.db"\n', "utf-8")
    assert run(config, "init").exit_code == 0
    assert (tmp_path / "a" / "b" / "c" / "yiju.db").stat().st_size > 0


def test_a_digest_of_another_registry_is_never_overwritten(tmp_path, monkeypatch):
    from notify.digest import write_digest

    monkeypatch.setenv("YIJU_TODAY", "2026-05-02")
    out = tmp_path / "digests"
    folders = []
    for n in (1, 2):                            # two registries, each with its first run on one day
        db = connect(tmp_path / f"r{n}.db")
        run_id = db["runs"].insert({"started": f"2026-05-01T18:3{n}:00+00:00", "state": "succeeded"}).last_pk
        folders.append(write_digest(db, run_id, out)["html"].parent)
        db.close()
    assert folders[0] != folders[1] and all((f / "digest.html").exists() for f in folders)
    assert "18:31" not in (folders[1] / "digest.json").read_text("utf-8")


def test_machine_faults_are_one_line_with_the_traceback_only_when_verbose(config_file, monkeypatch):
    import errno

    import yiju.commands.laws as laws_commands
    from registry import search

    for fault, words in ((sqlite3.OperationalError("attempt to write a readonly database"), "只读"),
                         (OSError(errno.ENOSPC, "No space left on device", "/srv/yiju/data/yiju.db"), "磁盘已满"),
                         (sqlite3.OperationalError("database or disk is full"), "磁盘已满")):
        def broken(*args, _fault=fault, **kwargs):
            raise _fault

        monkeypatch.setattr(search, "list_laws", broken)
        assert words in one_line_error(run(config_file, "laws"))
        verbose = Yiju(config_file)("--verbose", "laws")
        assert verbose.exit_code == 2 and "Traceback" in verbose.output
    assert laws_commands


def test_a_search_of_a_thousand_words_is_a_clear_error(config_file, tmp_path):
    db = connect(tmp_path / "data" / "yiju.db")
    import_directory(db, _one_law(tmp_path), tmp_path / "files")
    db.close()
    words = [f"词语{n}" for n in range(1200)]
    assert "最多查找" in one_line_error(run(config_file, "search", *words))


def _one_law(tmp_path):
    folder = tmp_path / "laws" / "行政处罚法"
    folder.mkdir(parents=True)
    (folder / "2021-01-22.md").write_text(law_text("行政处罚法", "2021-01-22"), "utf-8")
    return tmp_path / "laws"


# ----- power lists ------------------------------------------------------------------------------------

def test_a_truncated_xlsx_is_one_line(config_file, tmp_path):
    buffer = io.BytesIO()
    workbook([ROW]).save(buffer)
    path = tmp_path / "清单.xlsx"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) * 2 // 3])
    line = one_line_error(run(config_file, "duties", "import", str(path)))
    assert "清单.xlsx" in line


def _xlsx_with_sheet_xml(tmp_path, edit) -> str:
    buffer = io.BytesIO()
    workbook([ROW]).save(buffer)
    src = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    path = tmp_path / "清单.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode("utf-8")).encode("utf-8")
            out.writestr(item, data)
    return str(path)


def test_a_cell_declared_at_the_last_column_is_refused_by_the_limits(config_file, tmp_path):
    far = _xlsx_with_sheet_xml(tmp_path, lambda xml: xml.replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'))
    line = one_line_error(run(config_file, "duties", "import", far))
    assert "limits.max_" in line


def test_a_styled_empty_cell_far_away_does_not_make_a_million_rows(config_file, tmp_path):
    styled = _xlsx_with_sheet_xml(tmp_path, lambda xml: xml.replace(
        "</sheetData>", '<row r="1048576"><c r="C1048576" s="0"/></row></sheetData>'))
    result = run(config_file, "duties", "import", styled)
    assert result.exit_code == 0, result.output
    assert "新增职权 1 项" in result.output


def test_formula_cells_without_a_computed_value_are_reported_as_such(config_file, tmp_path):
    wb = workbook([ROW, ["2", "行政处罚", "=CONCATENATE(\"对\",\"某行为\")", "《行政处罚法》第二条", "某市司法局"]])
    path = tmp_path / "公式.xlsx"
    wb.save(path)                                   # openpyxl stores no computed values
    result = run(config_file, "duties", "import", str(path))
    assert "C3 是公式" in result.output and "没有保存计算结果" in result.output
    assert "缺少事项名称" not in result.output


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_only_regular_files_are_read(config_file, tmp_path, kind):
    path = tmp_path / "清单.csv"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    line = one_line_error(run(config_file, "duties", "import", str(path)))
    assert "不是普通文件" in line


# ----- law files ---------------------------------------------------------------------------------------

def test_law_files_that_are_no_regular_files_or_too_large_are_skipped(tmp_path):
    from config import limits

    folder = tmp_path / "laws" / "示例法"
    folder.mkdir(parents=True)
    (folder / "2020-01-01.md").symlink_to("/dev/zero")
    os.mkfifo(folder / "2020-02-01.md")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document><w:body>" + "<w:p/>" * 300_000 + "</w:body></w:document>")
    (folder / "2020-03-01.docx").write_bytes(buffer.getvalue())   # a few KB, 300,000 paragraphs
    (folder / "2099-01-01.md").write_text("示例法\n第一条　未来。", "utf-8")
    db = connect(":memory:")
    report = import_directory(db, tmp_path / "laws", tmp_path / "files")
    reasons = {p.path.rsplit("/", 1)[-1]: p.message for p in report.problems}
    assert "不是普通文件" in reasons["2020-01-01.md"] and "不是普通文件" in reasons["2020-02-01.md"]
    assert "limits.max_paragraphs" in reasons["2020-03-01.docx"]
    assert "之后" in reasons["2099-01-01.md"]
    assert report.versions_new == 0
    assert limits.current().max_paragraphs == 200_000


def test_a_file_repeated_in_one_import_is_not_counted_as_imported_before(tmp_path):
    folder = tmp_path / "laws" / "行政处罚法"
    folder.mkdir(parents=True)
    text = law_text("行政处罚法", "2021-01-22")
    (folder / "2021-01-22.md").write_text(text, "utf-8")
    (folder / "2021-01-22.txt").write_text(text, "utf-8")
    report = import_directory(connect(":memory:"), tmp_path / "laws", tmp_path / "files")
    assert report.versions_new == 1 and report.versions_known == 0 and report.versions_repeated == 1
    assert "此前已导入" not in report.summary() and "本次导入的其他文件内容相同" in report.summary()


def test_crawling_with_no_network_prints_no_traceback(tmp_path):
    import socket
    import subprocess
    import sys

    with socket.socket() as s:                     # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = tmp_path / "yiju.toml"
    config.write_text(
        '[registry]\npath = "data/yiju.db"\n[crawl]\nretries = 1\nbackoff = 0.05\nbackoff_max = 0.1\ntimeout = 2.0\n'
        f'[[sources]]\nname = "flk"\nkind = "flk"\nbase_url = "http://127.0.0.1:{port}"\n'
        f'file_hosts = ["127.0.0.1:{port}"]\ndelay = 0.0\n', "utf-8")
    done = subprocess.run([sys.executable, "-m", "yiju", "--config", str(config), "crawl"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "连接被拒绝" in done.stderr
