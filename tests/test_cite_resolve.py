"""Resolving citations against the registry: which law, which version, is the article still there."""

import json

import pytest

from diffing.cite.find import parse_basis
from impact.resolve import resolve_all, to_json
from diffing.cite.titles import TitleIndex
from impact.record import record_status, record_version
from registry import laws as law_store
from registry.schema import connect
from tests.conftest import Yiju

XZCF = "中华人民共和国行政处罚法"


def _record(db, corpus, folder, title, date):
    return record_version(db, title=title, text=(corpus / folder / f"{date}.md").read_text("utf-8"),
                          source="import", promulgated=date)


@pytest.fixture
def punish(db, corpus):
    """行政处罚法 2017 and 2021 (the 2021 revision renumbered it: 第五十一条 → 第七十二条)."""
    _record(db, corpus, "行政处罚法", XZCF, "2017-09-01")
    _record(db, corpus, "行政处罚法", XZCF, "2021-01-22")
    return db


def resolve(db, text, as_of=None, index=None):
    parsed = parse_basis(text, index=index) if index is not None else parse_basis(text)
    return resolve_all(db, parsed, as_of=as_of)


def test_a_current_citation_resolves_to_the_version_in_force(punish):
    [r] = resolve(punish, "《行政处罚法》第七十二条第一款第（一）项")
    assert (r.resolution, r.title, r.status, r.current_label) == ("resolved", XZCF, "有效", "第七十二条")
    assert law_store.get_version(punish, r.version_id)["promulgated"] == "2021-01-22"
    assert r.problem is None


def test_a_version_note_picks_the_old_text_and_the_citation_is_stale(punish):
    [r] = resolve(punish, "《中华人民共和国行政处罚法》（2017年修正）第五十一条")
    assert law_store.get_version(punish, r.version_id)["promulgated"] == "2017-09-01"
    assert (r.resolution, r.current_label) == ("stale", "第七十二条")
    assert "第七十二条" in r.problem


def test_the_duty_date_picks_the_version(punish):
    [old] = resolve(punish, "《行政处罚法》第五十一条", as_of="2019-05-01")
    assert (old.resolution, old.current_label) == ("stale", "第七十二条")
    [new] = resolve(punish, "《行政处罚法》第五十一条", as_of="2022-05-01")
    assert (new.resolution, new.current_label) == ("resolved", "第五十一条")


def test_without_a_date_a_provision_only_the_old_text_has_is_read_against_it(punish):
    # 荆州 decision (real_bases line 226): 第五十一条第（一）项 only exists in the 2017 text
    [r] = resolve(punish, "依据《行政处罚法》第五十一条第（一）项规定，每日按罚款数额的3%加处罚款")
    # where that 项 is today, by the one 款/项 mapping (impact.where): the first 项 of 第七十二条's first 款
    assert (r.resolution, r.current_label) == ("stale", "第七十二条第一款第（一）项")


def test_a_cited_paragraph_is_followed_to_where_its_words_are_now(punish):
    # 2017 第三十七条第二款 (先行登记保存) is word for word in 2021 第五十六条: not "43/55/56"
    [r] = resolve(punish, "《中华人民共和国行政处罚法》（2017年修正）第三十七条第二款")
    assert (r.resolution, r.current_label) == ("stale", "第五十六条第一款")
    assert "第三十七条第二款是按2017-09-01公布的版本引用的" in r.problem


def test_a_provision_that_does_not_exist_is_unresolved_with_the_reason(punish):
    [article] = resolve(punish, "《行政处罚法》第九十条")
    assert article.resolution == "unresolved" and "没有第九十条" in article.problem
    [paragraph] = resolve(punish, "《行政处罚法》第七十二条第三款")
    assert paragraph.resolution == "unresolved" and "没有第三款" in paragraph.problem
    assert paragraph.law_id is not None


def test_a_law_the_registry_lacks_has_no_resolution_and_says_why(punish):
    doc = to_json(punish, parse_basis("根据《全民健身法》第一条"))
    assert doc["citations"][0]["resolved"] is None
    assert any("登记库中没有《全民健身法》" in p for p in doc["problems"])
    [r] = resolve(punish, "《中华人民共和国物权法》第二十八条")
    assert r.law_id is None and "民法典" in r.problem


def test_titles_resolve_with_and_without_prefix_and_by_short_title(punish):
    for text in ("《中华人民共和国行政处罚法》第三十二条", "《行政处罚法》第三十二条", "行政处罚法第三十二条"):
        [r] = resolve(punish, text)
        assert r.title == XZCF, text


def test_a_former_name_stored_in_the_registry_resolves(punish):
    law_store.add_alias(punish, law_store.find_law(punish, XZCF)["id"], "行政处罚暂行办法")
    [r] = resolve(punish, "《行政处罚暂行办法》第三十二条")
    assert r.title == XZCF


def test_a_typo_in_a_title_is_matched_and_reported(punish):
    # parsed without the built-in list, so only the registry can recognise the law
    [r] = resolve(punish, "《中华人民共和国行政处罚法五》第三十二条", index=TitleIndex())
    assert r.title == XZCF and "笔误" in r.problem


def test_implementing_regulation_of_a_law(db, corpus):
    law = "中华人民共和国土地管理法"
    _record(db, corpus, "土地管理法", law, sorted(p.stem for p in (corpus / "土地管理法").glob("*.md"))[-1])
    date = sorted(p.stem for p in (corpus / "土地管理法实施条例").glob("*.md"))[-1]
    _record(db, corpus, "土地管理法实施条例", "中华人民共和国土地管理法实施条例", date)
    rs = resolve(db, "依照《土地管理法》第七十七条和《实施条例》第五十七条")
    assert [r.title for r in rs] == [law, "中华人民共和国土地管理法实施条例"]
    assert [r.resolution for r in rs] == ["resolved", "resolved"]


def test_a_repealed_law_makes_the_citation_stale(db, corpus):
    _record(db, corpus, "信访条例", "信访条例", "2005-01-10")
    record_status(db, title="信访条例", status="已废止", source="import", repealed_on="2022-05-01")
    [r] = resolve(db, "《信访条例》第二条")
    assert (r.resolution, r.status) == ("stale", "已废止") and "已废止" in r.problem


def test_stale_without_a_stored_change_uses_the_alignment(db, corpus):
    # the newer text first, the older one found later: no change row links them
    _record(db, corpus, "行政处罚法", XZCF, "2021-01-22")
    _record(db, corpus, "行政处罚法", XZCF, "2017-09-01")
    assert db.execute("SELECT count(*) FROM changes").fetchone()[0] == 0
    [r] = resolve(db, "《行政处罚法》（2017年修正）第五十一条")
    assert (r.resolution, r.current_label) == ("stale", "第七十二条")


def test_a_law_added_later_is_found(db, corpus):
    [before] = resolve(db, "《行政处罚法》第三十二条")
    assert before.law_id is None
    _record(db, corpus, "行政处罚法", XZCF, "2021-01-22")
    [after] = resolve(db, "《行政处罚法》第三十二条")
    assert after.resolution == "resolved"


# --------------------------------------------------------------------------- yiju cite

def _run(config_file, *args):
    return Yiju(config_file)("cite", *args)


def test_cli_json_is_the_design_contract(config_file, corpus):
    db = connect(config_file.parent / "data" / "yiju.db")
    _record(db, corpus, "行政处罚法", XZCF, "2017-09-01")
    _record(db, corpus, "行政处罚法", XZCF, "2021-01-22")
    db.close()
    result = _run(config_file, "《行政处罚法》（2017年修正）第五十一条", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert list(doc) == ["text", "citations", "problems"]
    c = doc["citations"][0]
    assert (c["law"], c["article"], c["version_note"]) == (XZCF, "第五十一条", "2017年修正")
    assert c["resolved"]["title"] == XZCF and c["resolved"]["resolution"] == "stale"
    assert c["resolved"]["current_label"] == "第七十二条"


def test_cli_file_prints_one_json_object_per_line(config_file, tmp_path):
    lines = ["《条例》第四十五条", r"1、《中华人民共和国环境噪声污染防治法》第四十八条：\n违反本法第十四条的规定", "",
             "《土地管理法》第十条至第十二条"]
    path = tmp_path / "bases.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = _run(config_file, "--file", str(path), "--json")
    assert result.exit_code == 0, result.output
    docs = [json.loads(line) for line in result.output.splitlines()]
    assert [len(d["citations"]) for d in docs] == [0, 2, 3]
    assert "\n" in docs[1]["text"]
    assert all(c["resolved"] is None for d in docs for c in d["citations"])


def test_cli_listing_is_chinese_and_errors_are_clear(config_file, tmp_path):
    result = _run(config_file, "《行政处罚法》第三十二条第一款第二项")
    assert result.exit_code == 0
    assert "中华人民共和国行政处罚法 第三十二条第一款第（二）项" in result.output
    missing = _run(config_file, "--file", str(tmp_path / "nope.txt"))
    assert missing.exit_code == 2 and "nope.txt" in missing.output
    neither = _run(config_file)
    assert neither.exit_code == 2 and "依据文本" in neither.output


def test_the_duty_date_is_only_a_hint_when_the_provision_is_elsewhere(punish):
    # listed in 2020 but citing the 2021 numbering: the current text has it
    [r] = resolve(punish, "《行政处罚法》第七十二条第一款第（一）项", as_of="2020-01-01")
    assert (r.resolution, r.current_label) == ("resolved", "第七十二条")
    assert law_store.get_version(punish, r.version_id)["promulgated"] == "2021-01-22"


def test_the_registry_supplies_the_full_title_of_a_law_the_built_in_list_lacks(db, corpus):
    law_store.ensure_law(db, "中华人民共和国示例管理条例", short_title="示例管理条例")
    doc = to_json(db, parse_basis("《示例管理条例》第三条"))
    assert doc["citations"][0]["law"] == "中华人民共和国示例管理条例"
    assert doc["citations"][0]["resolved"]["resolution"] == "unresolved"  # no text to check the article
    assert any("没有《中华人民共和国示例管理条例》的文本" in p for p in doc["problems"])


def test_a_basis_rewritten_for_a_revision_not_yet_in_force_resolves_against_it(db, corpus, monkeypatch):
    """Between 公布 and 施行 a department may already cite the new numbering: that is not an error."""
    monkeypatch.setenv("YIJU_TODAY", "2021-03-01")
    for date, effective in (("2017-09-01", "2018-01-01"), ("2021-01-22", "2021-07-15")):
        record_version(db, title=XZCF, text=(corpus / "行政处罚法" / f"{date}.md").read_text("utf-8"),
                       source="import", promulgated=date, effective=effective)
    (new,) = resolve(db, "《行政处罚法》第七十二条")
    assert new.resolution == "resolved" and "尚未施行" in new.problem
    (old,) = resolve(db, "《行政处罚法》第五十一条")
    assert old.resolution == "resolved" and old.problem is None    # still the text in force
    (neither,) = resolve(db, "《行政处罚法》第九十条")
    assert neither.resolution == "unresolved"
