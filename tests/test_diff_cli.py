"""`yiju diff OLD NEW [--json|--html] [--decision FILE]` and `yiju changes` as a user runs them."""

from __future__ import annotations

import json

import pytest

from diffing.align import STATUSES
from impact.record import record_version
from registry.schema import connect
from tests.conftest import CORPUS, DECISIONS, law_text

OLD = CORPUS / "行政处罚法" / "2017-09-01.md"
NEW = CORPUS / "行政处罚法" / "2021-01-22.md"


def test_summary_names_every_changed_article_in_chinese(yiju):
    r = yiju("diff", OLD, NEW)
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0] == "《中华人民共和国行政处罚法》"
    assert lines[1] == "原文 64 条 → 现文 86 条"
    assert "条号变化 8 条" in lines[2] and "拆分 6 条" in lines[2]
    assert "  条号变化　原第二条 → 现第三条" in lines
    assert "  新增　现第二条" in lines
    assert "  合并　原第四十四条、第五十二条 → 现第六十六条（相似度 98%）" in lines
    assert any(line.startswith("  修改　原第五十一条 → 现第七十二条（实质修改") for line in lines)
    assert not any("未变　" in line for line in lines)  # unchanged articles are counted, not listed


def test_json_is_one_document_in_the_design_shape(yiju):
    r = yiju("diff", OLD, NEW, "--json")
    doc = json.loads(r.stdout)
    assert list(doc) == ["old", "new", "summary", "articles"]
    assert doc["old"] == {"title": "中华人民共和国行政处罚法", "articles": 64}
    assert doc["new"] == {"title": "中华人民共和国行政处罚法", "articles": 86}
    assert list(doc["summary"]) == list(STATUSES)
    assert sum(doc["summary"].values()) == len(doc["articles"])
    m = next(a for a in doc["articles"] if a["old"] == ["第五十一条"])
    assert m["status"] == "modified" and m["new"] == ["第七十二条"]
    assert list(m) == ["status", "old", "new", "similarity", "substance", "diff", "paragraphs", "status_name",
                       "substance_name"]
    assert (m["status_name"], m["substance_name"]) == ("修改", "实质修改")
    assert "".join(t for op, t in m["diff"] if op >= 0).startswith("当事人逾期不履行行政处罚决定的")
    # the 款/项 mapping beside the article (DESIGN §5): one row per old 款 and 项
    assert m["paragraphs"][0]["old"] == {"article": "第五十一条", "paragraph": 1, "item": None,
                                         "label": "第五十一条第一款"}
    assert m["paragraphs"][0]["new"]["article"] == "第七十二条"
    inserted = next(a for a in doc["articles"] if a["status"] == "inserted")
    assert list(inserted) == ["status", "old", "new", "status_name"]
    assert all("paragraphs" not in a for a in doc["articles"] if a["status"] in ("unchanged", "inserted"))
    assert "正在比对" in r.stderr and "正在比对" not in r.stdout


def test_arabic_numerals_in_a_text_file_come_out_as_chinese_labels(yiju, tmp_path):
    old = tmp_path / "old.txt"
    new = tmp_path / "new.txt"
    old.write_text("示例条例\n第1条 为了示例，制定本条例。\n第2条 违反本条例的，处一千元以下罚款。\n", "utf-8")
    new.write_text("示例条例\n第1条 为了示例，制定本条例。\n第2条 本条例所称示例，是指示例。\n"
                   "第3条 违反本条例的，处一千元以下罚款。\n", "utf-8")
    doc = json.loads(yiju("diff", old, new, "--json").stdout)
    assert [(a["status"], a["old"], a["new"]) for a in doc["articles"]] == [
        ("unchanged", ["第一条"], ["第一条"]),
        ("inserted", [], ["第二条"]),
        ("renumbered", ["第二条"], ["第三条"]),
    ]


def test_html_page_shows_old_and_new_side_by_side_and_escapes_the_text(yiju, tmp_path):
    old = tmp_path / "old.md"
    new = tmp_path / "new.md"
    old.write_text("第一条　本法所称<script>alert(1)</script>，是指示例。\n第二条　处一千元以下罚款。\n", "utf-8")
    new.write_text("第一条　本法所称<script>alert(1)</script>，是指示例。\n第二条　处二千元以下罚款。\n", "utf-8")
    r = yiju("diff", old, new, "--html")
    assert r.exit_code == 0
    page = r.stdout
    assert page.lstrip().startswith("<!DOCTYPE html>")
    assert "<script>" not in page
    assert "处<del>一</del>千元以下罚款" in page and "处<ins>二</ins>千元以下罚款" in page
    real = yiju("diff", OLD, NEW, "--html").stdout
    assert "原第三十条 → 现第四十条" in real and "<ins>、证据不足</ins>" in real


def test_decision_option_checks_and_exits_1_on_a_disagreement(yiju, tmp_path):
    cyber = CORPUS / "网络安全法"
    (decided,) = DECISIONS.glob("2025-10-28*.md")
    r = yiju("diff", cyber / "2016-11-07.md", cyber / "2025-10-28.md", "--decision", decided)
    assert r.exit_code == 0 and "核对修改决定：比对结果与决定一致" in r.stdout
    fire = CORPUS / "消防法"
    (eight_laws,) = DECISIONS.glob("2021-04-29*.md")
    r = yiju("diff", fire / "2019-04-23.md", fire / "2021-04-29.md", "--decision", eight_laws, "--json")
    assert r.exit_code == 0
    assert json.loads(r.stdout)["decision_check"]["disagreements"] == []
    # a change the decision does not make: a disagreement naming the article, exit 1
    doctored = tmp_path / "消防法.md"
    text = (fire / "2021-04-29.md").read_text("utf-8")
    doctored.write_text(text.replace("处五千元以上五万元以下罚款", "处一万元以上十万元以下罚款", 1), "utf-8")
    r = yiju("diff", fire / "2019-04-23.md", doctored, "--decision", eight_laws, "--json")
    assert r.exit_code == 1
    (note,) = json.loads(r.stdout)["decision_check"]["disagreements"]
    assert "有修改，但决定中没有相应条款" in note and "第" in note
    r = yiju("diff", fire / "2019-04-23.md", doctored, "--decision", eight_laws)
    assert r.exit_code == 1 and "核对修改决定：有 1 处不一致" in r.stdout


def test_a_decision_that_does_not_belong_to_the_pair_is_refused(yiju):
    criminal = CORPUS / "刑法"
    (eleventh,) = DECISIONS.glob("2020-12-26*.md")  # 刑法修正案（十一）: already in the 2020-12-26 text
    r = yiju("diff", criminal / "2020-12-26.md", criminal / "2023-12-29.md", "--decision", eleventh)
    assert r.exit_code == 2
    assert "决定的日期 2020-12-26 不是这两个文本之间的修改" in r.stderr


def test_user_errors_are_one_chinese_line_and_exit_2(yiju, tmp_path):
    r = yiju("diff", tmp_path / "missing.md", NEW)
    assert r.exit_code == 2 and "missing.md：文件不存在" in r.stderr
    letter = tmp_path / "letter.txt"
    letter.write_text("这是一封信，没有任何条文。", "utf-8")
    r = yiju("diff", letter, NEW)
    assert r.exit_code == 2 and "letter.txt：没有找到任何条文" in r.stderr
    r = yiju("diff", OLD, NEW, "--json", "--html")
    assert r.exit_code == 2 and "--json 与 --html 只能选一个" in r.stderr
    (other,) = DECISIONS.glob("2025-09-12*.md")  # amends 食品安全法, not 行政处罚法
    r = yiju("diff", OLD, NEW, "--decision", other)
    assert r.exit_code == 2
    assert "决定中没有关于《中华人民共和国行政处罚法》的修改条款；决定修改的是：《中华人民共和国食品安全法》" in r.stderr


# --- yiju changes ------------------------------------------------------------------------------

@pytest.fixture
def amended(config_file):
    """A registry where 行政处罚法 was amended (run 1) and 广告法 too (run 2)."""
    db = connect(config_file.parent / "data" / "yiju.db")
    run1 = db["runs"].insert({"started": "2026-01-05T18:30:00+00:00", "state": "succeeded"}).last_pk
    run2 = db["runs"].insert({"started": "2026-01-06T18:30:00+00:00", "state": "succeeded"}).last_pk
    for law, title, old, new, run in [
        ("行政处罚法", "中华人民共和国行政处罚法", "2017-09-01", "2021-01-22", run1),
        ("广告法", "中华人民共和国广告法", "2018-10-26", "2021-04-29", run2),
    ]:
        record_version(db, title=title, text=law_text(law, old), source="import", promulgated=old)
        record_version(db, title=title, text=law_text(law, new), source="import", promulgated=new, run_id=run)
    db.execute("UPDATE changes SET detected_at = '2026-01-05T19:00:00+00:00' WHERE detected_run_id = ?", [run1])
    db.execute("UPDATE changes SET detected_at = '2026-01-06T19:00:00+00:00' WHERE detected_run_id = ?", [run2])
    db.conn.commit()
    db.close()
    return run1, run2


def test_changes_lists_law_events_with_their_article_changes(yiju, amended):
    doc = json.loads(yiju("changes", "--json").stdout)
    assert [(c["law"], c["kind"]) for c in doc] == [("中华人民共和国广告法", "amended"),
                                                    ("中华人民共和国行政处罚法", "amended")]
    ads = doc[0]
    assert ads["summary"]["deleted"] == 1
    assert {"status": "deleted", "old": ["第六十条"], "new": []}.items() <= next(
        a for a in ads["articles"] if a["status"] == "deleted").items()
    moved = next(a for a in doc[1]["articles"] if a["old"] == ["第五十一条"])
    assert moved["new"] == ["第七十二条"] and moved["diff"]


def test_changes_of_one_run_or_since_a_date(yiju, amended):
    run1, run2 = amended
    only = json.loads(yiju("changes", "--run", run1, "--json").stdout)
    assert [c["law"] for c in only] == ["中华人民共和国行政处罚法"]
    # 2026-01-06T19:00Z is 2026-01-07 03:00 in Beijing; 2026-01-05T19:00Z is 2026-01-06 03:00
    since = json.loads(yiju("changes", "--since", "2026-01-07", "--json").stdout)
    assert [c["law"] for c in since] == ["中华人民共和国广告法"]
    assert json.loads(yiju("changes", "--since", "2026-01-08", "--json").stdout) == []


def test_changes_text_output_and_errors(yiju, amended):
    r = yiju("changes")
    assert "《中华人民共和国广告法》　修改（运行 #2）" in r.stdout
    assert "  删除　原第六十条" in r.stdout.splitlines()
    assert "共 2 项变化" in r.stderr
    r = yiju("changes", "--run", 1, "--since", "2026-01-01")
    assert r.exit_code == 2 and "--run 与 --since 只能选一个" in r.stderr
    r = yiju("changes", "--since", "2026/01/01")
    assert r.exit_code == 2 and "YYYY-MM-DD" in r.stderr
    r = yiju("changes", "--run", 99)
    assert r.exit_code == 0 and "第 99 次运行没有发现法律变化" in r.stderr


def test_word_and_web_page_files_are_read_too(yiju, tmp_path):
    import docx

    old = tmp_path / "old.docx"
    document = docx.Document()
    document.add_paragraph("示例条例")
    document.add_paragraph("第一条　为了示例，制定本条例。")
    document.add_paragraph("第二条　违反本条例的，处一千元以下罚款。")
    document.save(old)
    new = tmp_path / "new.html"
    new.write_text("<html><body><p>示例条例</p><p>第一条　为了示例，制定本条例。</p>"
                   "<p>第二条　违反本条例的，处二千元以下罚款。</p></body></html>", "utf-8")
    doc = json.loads(yiju("diff", old, new, "--json").stdout)
    assert [(a["status"], a["old"], a["new"]) for a in doc["articles"]] == [
        ("unchanged", ["第一条"], ["第一条"]), ("modified", ["第二条"], ["第二条"])]


def test_a_merged_item_is_mapped_to_where_its_text_is_now(yiju):
    """网络安全法 2016 → 2025, decision item 十一: 第六十九条第（一）项 went into the new 第六十九条,
    not into 第七十条 (whose （一） is now something else)."""
    cyber = CORPUS / "网络安全法"
    doc = json.loads(yiju("diff", cyber / "2016-11-07.md", cyber / "2025-10-28.md", "--json").stdout)
    rows = {r["old"]["label"]: r for a in doc["articles"] for r in a.get("paragraphs", [])}
    assert rows["第六十九条第一款第（一）项"]["new"]["label"] == "第六十九条第一款"
    assert rows["第六十九条第一款第（二）项"]["new"]["label"] == "第七十条第一款第（一）项"
    assert rows["第六十四条第二款"]["new"]["label"] == "第七十一条第二款"
    assert rows["第六十六条第一款"]["new"]["label"] == "第七十一条第一款第（三）项"


def test_a_paragraph_count_that_changes_under_the_same_words_is_a_warning(yiju):
    civil = CORPUS / "民事诉讼法"
    doc = json.loads(yiju("diff", civil / "2021-12-24.md", civil / "2023-09-01.md", "--json").stdout)
    entry = next(a for a in doc["articles"] if a["old"] == ["第一百九十八条"])
    assert entry["new"] == ["第二百零二条"]
    assert all("文字未变而分款不同" in r["warning"] for r in entry["paragraphs"])
