"""One vocabulary: what a person reads uses the glossary's words, never a retired synonym, never
English (DESIGN §11, ``config/glossary.toml``).

The templates, the modules and data files that hold words, README.md, and the actual output of the
main commands (run through click on a small registry, every ``--help``, the usual usage errors) are
scanned for the glossary's retired synonyms and for English that leaks (click's standard lines,
``key=value`` figures, run states, codes).
"""

from __future__ import annotations

import pathlib
import re

import click
import pytest

from config.glossary import glossary, retired, word
from tests.conftest import CORPUS, ROOT, Yiju
from tests.tools.small_registry import build
from yiju.cli import cli
from yiju.demo import DEMO_DATA

#: Packages whose files hold words a person reads (texts/ reads input: its header synonyms are
#: what power lists say, not what yiju says).
PACKAGES = ["config", "registry", "diffing", "impact", "crawler", "notify", "yiju"]
#: Files that are not yiju's own words: the glossary itself (it lists the retired words), law texts
#: and the demo's sample data.
NOT_OURS = {"config/glossary.toml", "config/glossary.py"}
NOT_OURS_DIRS = ("yiju/data/laws/", "yiju/data/rules/", "yiju/data/decisions/", "yiju/data/demo/",
                 "crawler/mirror/data/")

#: English a person must never read.
ENGLISH = ["succeeded", "degraded", "skipped=", "Show this message", "Show the version", "Usage:", "Options:",
           "Commands:", "Error:", "Try '", "[default:", "[required]", "Markdown", "[OPTIONS]", "COMMAND [ARGS]",
           "Aborted", "Missing argument", "Missing option", "No such", "Invalid value", "is not a valid",
           "Did you mean", "env var:", "Positional arguments"]


def _files() -> list[pathlib.Path]:
    out = [ROOT / "README.md"]
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            rel = path.relative_to(ROOT).as_posix()
            if path.suffix in (".py", ".toml", ".j2", ".md") and rel not in NOT_OURS \
                    and not rel.startswith(NOT_OURS_DIRS) and "__pycache__" not in rel:
                out.append(path)
    return out


def _retired_in(text: str) -> list[str]:
    for phrase in glossary()["quoted"]["phrases"]:   # the statute's own words (按照职责分工), not ours
        text = text.replace(phrase, "")
    return [f"{old}（应为 {new}）" for old, new in retired().items() if old in text]


def test_the_glossary_names_its_choices():
    assert (word("flag"), word("duty"), word("digest"), word("post")) == ("提示", "职权", "日报", "岗位")
    assert glossary()["resolution"]["unresolved"] == "未能核对"
    header = (ROOT / "config" / "glossary.toml").read_text("utf-8").split("\n[", 1)[0]
    for old in retired():
        assert old in header, f"the header comment names every retired synonym: {old}"
    assert "提醒" not in retired() and word("reminder") == "提醒"   # kept free for reminder e-mails


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_retired_synonym_in_the_files(path):
    text = path.read_text("utf-8")
    assert not _retired_in(text), _retired_in(text)
    as_flag = re.findall(r"提醒 ?#|[每该某]条提醒|某一提醒|待处理提醒|新的提醒", text)
    assert not as_flag, f"提醒 means a reminder (e-mail); a flag is 提示: {as_flag}"


# -- the command line's output -----------------------------------------------------------------

@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    root = tmp_path_factory.mktemp("words")
    return root, build(root)


def _strip_data(text: str) -> str:
    """Leave yiju's own words: drop law text, duty data and paths, which quote others."""
    for folder in (CORPUS / "行政处罚法",):
        for law in folder.glob("*.md"):
            for line in law.read_text("utf-8").splitlines():
                line = line.strip()
                if len(line) > 4:
                    text = text.replace(line, "")
    for line in (DEMO_DATA / "duties.csv").read_text("utf-8").splitlines():
        for cell in line.split(","):
            cell = cell.strip().strip('"')
            if len(cell) > 4:
                text = text.replace(cell, "")
    return re.sub(r"(?:/[\w.\-\u4e00-\u9fff]+)+/?", "", text)


def _leaks(text: str) -> list[str]:
    found = [e for e in ENGLISH if e in text]
    found += re.findall(r"\b[a-z_]{3,}=\S+", text)
    found += re.findall(r"\b[A-Z][a-z]+ [a-z]+ [a-z]+\b", text)
    return found


def _all_commands(group: click.Group, prefix=()) -> list[tuple[str, ...]]:
    out = [prefix]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            out += _all_commands(command, prefix + (name,))
        else:
            out.append(prefix + (name,))
    return out


@pytest.mark.parametrize("command", _all_commands(cli), ids=lambda c: " ".join(c) or "yiju")
def test_every_help_page_is_chinese(command):
    result = Yiju()(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "用法：" in result.output and "显示本帮助并退出。" in result.output
    assert not _leaks(result.output), _leaks(result.output)
    assert not _retired_in(result.output), _retired_in(result.output)


def test_version_and_usage_errors_are_chinese():
    yiju = Yiju()
    out = yiju("--version").output
    assert re.fullmatch(r"yiju，版本 \S+\n", out), out
    for args, expected in ((["diff"], "错误：缺少参数 'OLD'"),
                           (["nosuch"], "错误：没有命令“nosuch”"),
                           (["flags", "--jsn"], "错误：没有选项 --jsn（是否想用 --json？）"),
                           (["search", "x", "--limit", "many"], "错误：'--limit' 的值无效：'many' 不是整数"),
                           (["mail", "list", "--state", "lost"], "的值无效：'lost' 不是可选值之一"),
                           (["flags", "resolve", "1"], "错误：缺少选项 '--basis'")):
        result = yiju(*args)
        assert result.exit_code == 2, (args, result.output)
        assert expected in result.output, (args, result.output)
        assert "用法：yiju" in result.output and "查看帮助：yiju" in result.output
        assert not _leaks(result.output), (args, _leaks(result.output))


def _text_commands(root: pathlib.Path) -> list[list[str]]:
    law = CORPUS / "行政处罚法"
    return [
        ["init"], ["laws"], ["laws", "import", str(root / "laws")], ["search", "罚款"],
        ["cite", "《中华人民共和国行政处罚法》第三十二条第一款第（一）项"], ["cite", "《某某条例》第九条"],
        ["diff", str(law / "2017-09-01.md"), str(law / "2021-01-22.md")],
        ["changes"], ["duties"], ["impact"], ["flags"], ["flags", "--state", "all"], ["flags", "show", "1"],
        ["flags", "show", "2"], ["flags", "ack", "2", "--by", "张三"], ["flags", "show", "2"],
        ["flags", "apply-renumbering"], ["report"],
        ["departments", "import", str(DEMO_DATA / "departments.csv")],
        ["staff", "import", str(DEMO_DATA / "staff.csv")],
        ["duties", "import", str(DEMO_DATA / "duties.csv"), "--as-of", "2020-06-30"],
        ["run", "--no-crawl"], ["digest"], ["mail", "list"], ["mail", "send", "--dry-run", str(root / "eml")],
        ["mail", "send"], ["flags", "--state", "nonsense"],
    ]


def test_the_main_commands_speak_the_glossary(registry):
    root, base = registry
    codes = {code for table in ("flag_state", "severity", "change_kind", "article_status", "substance",
                                "resolution", "run_state", "outbox_state", "review_state", "source_state")
             for code in glossary()[table] if len(code) > 3}
    yiju = Yiju(base[1])
    for args in _text_commands(root):
        result = yiju(*args)
        assert result.exit_code in (0, 1, 2), (args, result.output)
        text = _strip_data(result.output)
        assert not _retired_in(text), (args, _retired_in(text))
        assert not _leaks(text), (args, _leaks(text))
        hints = "\n".join(line for line in text.splitlines() if "yiju " not in line and "--" not in line)
        hints = re.sub(r"[a-z_]+（[^）]*）", "", hints)   # "open（待处理）": a code the user may type, named
        raw = sorted({c for c in codes if re.search(rf"(?<![\w\-.]){c}(?![\w\-])", hints)})
        assert not raw, (args, raw, text)


def test_yiju_run_prints_its_figures_in_chinese(registry):
    root, base = registry
    result = Yiju(base[1])("run", "--no-crawl")
    lines = result.output.splitlines()
    assert re.fullmatch(r"运行 #\d+：(成功|完成（有警告）|失败)", lines[0]), lines[0]
    assert "  抓取：未运行（--no-crawl）" in lines
    assert any(line.startswith("  影响分析：法律变化 ") for line in lines), lines
    assert any(line.startswith("  日报（网页）：") for line in lines), lines


def test_every_figure_of_a_run_has_a_name(registry):
    """A stage figure without a glossary name would silently vanish from ``yiju run``."""
    import json

    root, base = registry
    doc = json.loads(Yiju(base[1])("run", "--no-crawl", "--json").stdout)
    figures = glossary()["stage_figure"]
    for stage, stats in doc["stats"].items():
        if isinstance(stats, dict):
            for key, value in stats.items():
                if isinstance(value, (int, float)) and key != "run_id":
                    assert key in figures, (stage, key)
    from crawler.run import TOTALS

    assert set(TOTALS) <= set(figures)


@pytest.mark.slow
def test_the_demo_speaks_the_glossary(tmp_path, monkeypatch):
    # the demo sets both in this process's environment: set them here so they are undone afterwards
    monkeypatch.setenv("YIJU_TODAY", "2026-08-01")
    monkeypatch.setenv("YIJU_WEB_SECRET", "demo-test-secret-0123456789")
    result = Yiju()("demo", "--workdir", tmp_path / "demo")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "  运行 #2：成功" in out
    assert "法律变化：修改 3，新制定 2，废止 4" in out
    assert "职权：54 项；依据引用：已核对 64，已过时 20，未能核对 4" in out
    assert "需复核的提示：" in out and "变动日报：" in out
    text = _strip_data(out)
    assert not _retired_in(text), _retired_in(text)
    assert not _leaks(text), _leaks(text)
    index = (tmp_path / "demo" / "data" / "digests" / "index.html").read_text("utf-8")
    assert "Markdown" not in index and ">文本<" in index
