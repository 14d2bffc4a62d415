"""Repeals written in a law's own text (issue 12): registering a text whose 同时废止 / 予以废止
clause names known laws records their repeal — pending (即将废止) until its 施行日期, then 已废止 —
whether or not any source has flipped a status, and flags every duty citing them."""

from __future__ import annotations

import shutil

import pytest

import impact.duties  # noqa: F401  (impact.process and impact.duties import each other)
from diffing.repeals import repeals_in
from impact.lawfiles import import_directory
from impact.process import run_impact
from registry import laws as law_store
from tests.conftest import CORPUS, DECISIONS
from tests.builders import Builder, cite

TEN = ["环境保护法", "环境影响评价法", "海洋环境保护法", "大气污染防治法", "水污染防治法", "土壤污染防治法",
       "固体废物污染环境防治法", "噪声污染防治法", "放射性污染防治法", "清洁生产促进法"]


def _import(db, tmp_path, *folders, name="laws"):
    root = tmp_path / name
    for folder in folders:
        shutil.copytree(CORPUS / folder, root / folder)
    report = import_directory(db, root, tmp_path / "files")
    assert not report.problems, report.problems
    return report


def _latest(db, short):
    law = law_store.find_law(db, "中华人民共和国" + short)
    return law, law_store.latest_version(db, law["id"])


def test_the_code_names_ten_laws_repealed_from_its_commencement():
    text = (CORPUS / "生态环境法典" / "2026-03-12.md").read_text("utf-8")
    found = repeals_in(text)
    assert [t.removeprefix("中华人民共和国") for t in found.titles] == TEN
    assert (found.effective, found.replaces) == ("2026-08-15", True)


def test_a_repeal_decision_names_what_it_repeals():
    (path,) = DECISIONS.glob("2021-09-09*.md")
    found = repeals_in(path.read_text("utf-8"), promulgated="2021-09-09")
    assert "社会抚养费征收管理办法" in found.titles and not found.replaces


def test_importing_the_code_after_the_ten_laws_flags_their_duties(db, tmp_path, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2026-08-01")
    _import(db, tmp_path, *TEN, name="before")
    b = Builder(db)
    dep = b.department("某市生态环境局")
    duties = {}
    for short in TEN:
        law, version = _latest(db, short)
        duties[short] = b.duty(dep, f"{short}职责", [cite(law["id"], version["id"], "第二条", paragraph=1,
                                                          raw=f"《{short}》第二条第一款")])
    air, air_v = _latest(db, "大气污染防治法")
    whole = b.duty(dep, "大气职责", [cite(air["id"], air_v["id"], "第九十九条", raw="《大气污染防治法》第九十九条")])
    run_impact(db)
    before = {f["id"] for f in b.flags()}

    def repeal_flag(duty_id):
        (flag,) = [f for f in b.flags(duty_id=duty_id) if f["id"] not in before]
        return flag

    _import(db, tmp_path, "生态环境法典", name="code")
    run_impact(db)

    code = law_store.find_law(db, "中华人民共和国生态环境法典")
    for short in TEN:
        law, _ = _latest(db, short)
        assert law["status"] == "有效" and law["repealed_on"] == "2026-08-15"   # 即将废止
        assert law["successor_id"] == code["id"]
        flag = repeal_flag(duties[short])
        assert flag["severity"] == "critical"
        assert flag["due"] == "2026-08-15"
        assert "将于2026-08-15废止（即将废止）" in flag["reason"]
        candidates = flag["suggestion"]["candidates"]
        assert all("款" in c["label"] or "项" in c["label"] or c["label"].endswith("条") for c in candidates)
    flag = repeal_flag(whole)
    assert flag["severity"] == "critical" and flag["due"] == "2026-08-15"
    labels = [c["label"] for c in repeal_flag(duties["大气污染防治法"])["suggestion"]["candidates"]]
    assert labels, "the cited 款 has candidates in the code"

    # the day comes: 即将废止 becomes 已废止; nothing is flagged twice
    monkeypatch.setenv("YIJU_TODAY", "2026-08-16")
    result = run_impact(db)
    assert law_store.find_law(db, "中华人民共和国大气污染防治法")["status"] == "已废止"
    assert result.get("flags", 0) == 0


def test_food_safety_law_2009_repeals_the_food_hygiene_law(db, tmp_path, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2024-03-01")
    root = tmp_path / "laws"
    shutil.copytree(CORPUS / "食品卫生法", root / "食品卫生法")
    (root / "食品安全法").mkdir()
    shutil.copy(CORPUS / "食品安全法" / "2009-02-28.md", root / "食品安全法" / "2009-02-28.md")
    report = import_directory(db, root, tmp_path / "files")
    assert not report.problems
    hygiene = law_store.find_law(db, "中华人民共和国食品卫生法")
    safety = law_store.find_law(db, "中华人民共和国食品安全法")
    assert hygiene["status"] == "已废止"
    assert hygiene["repealed_on"] == "2009-06-01"
    assert hygiene["successor_id"] == safety["id"]


def test_laws_lists_a_pending_repeal_as_about_to_be_repealed(tmp_path, monkeypatch, yiju):
    monkeypatch.setenv("YIJU_TODAY", "2026-08-01")
    root = tmp_path / "laws"
    for folder in ("大气污染防治法", "生态环境法典"):
        shutil.copytree(CORPUS / folder, root / folder)
    r = yiju("laws", "import", root)
    assert r.exit_code == 0
    # a defect of the source file is said on import (issue 12 item 9)
    assert "条文编号不连续或重复：第一千一百一十九条之后缺少第一千一百二十条；第一千二百条之后缺少第一千二百零一条" in r.stderr
    assert "依文本中的废止条款记录废止 1 部法律" in r.stderr
    out = yiju("laws").stdout
    line = next(x for x in out.splitlines() if x.startswith("中华人民共和国大气污染防治法"))
    assert "即将废止（2026-08-15起废止）" in line
    # the code itself says "本法自 2026年8月15日起施行" (a space in the date): not yet in force
    code = next(x for x in out.splitlines() if x.startswith("中华人民共和国生态环境法典"))
    assert "尚未生效" in code, code
    monkeypatch.setenv("YIJU_TODAY", "2026-08-20")
    from impact.process import run_impact

    run_impact(yiju.db())
    lines = yiju("laws").stdout.splitlines()
    at = next(i for i, x in enumerate(lines) if x.startswith("中华人民共和国大气污染防治法"))
    assert "已废止" in lines[at] and "即将" not in lines[at]
    assert lines[at + 1].strip().endswith("已废止"), lines[at + 1]     # its last text is no longer in force either


def test_a_repeal_decision_imported_like_any_text_repeals_what_it_names(db, tmp_path, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2024-03-01")
    root = tmp_path / "laws"
    (path,) = DECISIONS.glob("2020-12-30*.md")   # 上海市人大常委会关于废止《上海市机动车道路交通事故赔偿责任若干规定》的决定
    target = root / "上海市机动车道路交通事故赔偿责任若干规定"
    target.mkdir(parents=True)
    (target / "2005-01-01.md").write_text(
        "上海市机动车道路交通事故赔偿责任若干规定\n第一条　为了示例，制定本规定。\n第二条　本规定自2005年1月1日起施行。\n",
        "utf-8")
    import_directory(db, root, tmp_path / "files")
    decision = tmp_path / "decisions" / "关于废止上海市机动车道路交通事故赔偿责任若干规定的决定"
    decision.mkdir(parents=True)
    shutil.copy(path, decision / "2020-12-30.md")
    report = import_directory(db, tmp_path / "decisions", tmp_path / "files")
    assert not report.problems and report.repeals == 1
    assert "依文本中的废止条款记录废止 1 部法律" in report.summary()
    law = law_store.find_law(db, "上海市机动车道路交通事故赔偿责任若干规定")
    assert law["status"] == "已废止"
    # the repeal cites the decision (the digest and the flags name it)
    (cited,) = db.execute("SELECT i.title FROM changes c JOIN instruments i ON i.id = c.instrument_id "
                          "WHERE c.law_id = ? AND c.kind = 'repealed'", [law["id"]]).fetchall()
    assert cited[0] == "上海市人民代表大会常务委员会关于废止《上海市机动车道路交通事故赔偿责任若干规定》的决定"
    again = import_directory(db, tmp_path / "decisions", tmp_path / "files")
    assert again.repeals == 0 and db["instruments"].count == 1


def test_a_law_imported_after_the_code_that_repeals_it_picks_the_repeal_up(db, tmp_path, monkeypatch):
    # the other order: the code first (nothing it names is known yet), then one of the ten laws
    monkeypatch.setenv("YIJU_TODAY", "2026-08-01")
    b = Builder(db)
    dep = b.department("某市生态环境局")
    _import(db, tmp_path, "生态环境法典", name="code")
    run_impact(db)
    report = _import(db, tmp_path, "水污染防治法", name="later")
    assert report.repeals == 1
    code = law_store.find_law(db, "中华人民共和国生态环境法典")
    water, version = _latest(db, "水污染防治法")
    assert water["status"] == "有效" and water["repealed_on"] == "2026-08-15"   # 即将废止
    assert water["successor_id"] == code["id"]
    duty = b.duty(dep, "水职责", [cite(water["id"], version["id"], "第八十三条", raw="《水污染防治法》第八十三条")])
    run_impact(db)
    (flag,) = b.flags(duty_id=duty)
    assert flag["severity"] == "critical" and flag["due"] == "2026-08-15"
    assert "将于2026-08-15废止（即将废止），由《中华人民共和国生态环境法典》取代" in flag["reason"]
    assert flag["suggestion"]["candidates"], "candidates in the code, as in the other order"
    # importing the law again records nothing twice
    assert _import(db, tmp_path, "水污染防治法", name="again").repeals == 0


@pytest.mark.parametrize("first", ["食品安全法", "食品卫生法"])
def test_the_food_hygiene_law_is_repealed_whichever_comes_first(db, tmp_path, monkeypatch, first):
    monkeypatch.setenv("YIJU_TODAY", "2024-03-01")

    def one(folder, name):
        root = tmp_path / name / folder
        root.mkdir(parents=True)
        files = ["2009-02-28.md"] if folder == "食品安全法" else [p.name for p in (CORPUS / folder).glob("*.md")]
        for f in files:
            shutil.copy(CORPUS / folder / f, root / f)
        assert not import_directory(db, tmp_path / name, tmp_path / "files").problems

    second = "食品卫生法" if first == "食品安全法" else "食品安全法"
    one(first, "first")
    one(second, "second")
    hygiene = law_store.find_law(db, "中华人民共和国食品卫生法")
    safety = law_store.find_law(db, "中华人民共和国食品安全法")
    assert (hygiene["status"], hygiene["repealed_on"], hygiene["successor_id"]) == ("已废止", "2009-06-01", safety["id"])
    assert safety["status"] != "已废止"


def test_a_crawled_law_picks_up_the_repeal_of_a_text_registered_before(db, monkeypatch):
    # the crawler records texts through the same record_version: the order of the night does not matter
    from impact.record import record_version

    monkeypatch.setenv("YIJU_TODAY", "2024-03-01")
    record_version(db, title="中华人民共和国食品安全法", text=(CORPUS / "食品安全法" / "2009-02-28.md").read_text("utf-8"),
                   source="flk", source_id="safety", promulgated="2009-02-28", effective="2009-06-01")
    (hygiene_file,) = sorted((CORPUS / "食品卫生法").glob("*.md"))[-1:]
    recorded = record_version(db, title="中华人民共和国食品卫生法", text=hygiene_file.read_text("utf-8"),
                              source="flk", source_id="hygiene", promulgated=hygiene_file.stem)
    assert recorded.repealed == (recorded.law_id,)
    assert law_store.get_law(db, recorded.law_id)["status"] == "已废止"


def test_after_its_date_the_repeal_is_in_force_and_due_by_the_usual_rule(db, tmp_path, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2026-09-01")
    _import(db, tmp_path, "大气污染防治法", name="before")
    b = Builder(db)
    air, version = _latest(db, "大气污染防治法")
    duty = b.duty(b.department("某市生态环境局"), "大气职责",
                  [cite(air["id"], version["id"], "第九十九条", paragraph=1, raw="《大气污染防治法》第九十九条第一款")])
    run_impact(db)
    _import(db, tmp_path, "生态环境法典", name="code")
    run_impact(db)
    assert law_store.find_law(db, "中华人民共和国大气污染防治法")["status"] == "已废止"
    (flag,) = b.flags(duty_id=duty)
    assert flag["severity"] == "critical" and flag["due"] == "2026-10-01"   # today + REVIEW_DAYS
    assert "即将" not in flag["reason"] and "已废止" in flag["reason"]
    assert flag["suggestion"]["candidates"] and all("条" in c["label"] for c in flag["suggestion"]["candidates"])


def test_a_crawled_repeal_decision_records_the_repeals_it_names(tmp_path, monkeypatch):
    # the crawler's registry pipeline, given a 废止决定 as the flk spider yields it
    from types import SimpleNamespace

    from crawler.items import InstrumentItem
    from crawler.record import RegistryPipeline
    from registry.schema import connect

    monkeypatch.setenv("YIJU_TODAY", "2024-03-01")
    path = tmp_path / "yiju.db"
    db = connect(path)
    from impact.record import record_version

    record_version(db, title="上海市机动车道路交通事故赔偿责任若干规定", source="flk", source_id="sh",
                   text="上海市机动车道路交通事故赔偿责任若干规定\n第一条　为了示例，制定本规定。\n", promulgated="2005-01-01")
    db.close()
    settings = {"YIJU_REGISTRY": str(path), "YIJU_FILES": str(tmp_path / "files"), "YIJU_RUN_ID": 0}
    crawler = SimpleNamespace(settings=SimpleNamespace(get=settings.get, getint=lambda k: settings.get(k) or 0),
                              stats=SimpleNamespace(inc_value=lambda *a: None),
                              spider=SimpleNamespace(source=SimpleNamespace(name="flk", kind="flk", base_url="x")))
    pipeline = RegistryPipeline(crawler)
    pipeline.open_spider()
    (decision,) = DECISIONS.glob("2020-12-30*.md")
    pipeline.process_item(InstrumentItem(
        source="flk", source_id="d1", title="上海市人民代表大会常务委员会关于废止《上海市机动车道路交通事故赔偿责任若干规定》的决定",
        kind="废止决定", text=decision.read_text("utf-8"), raw=None, raw_name=None, promulgated="2020-12-30",
        listed=False))
    law = law_store.find_law(pipeline.db, "上海市机动车道路交通事故赔偿责任若干规定")
    assert law["status"] == "已废止" and law["repealed_on"]


def test_an_older_text_filled_in_later_still_repeals_what_it_names(db, monkeypatch):
    from impact.record import record_version

    monkeypatch.setenv("YIJU_TODAY", "2024-03-01")
    (hygiene,) = sorted((CORPUS / "食品卫生法").glob("*.md"))[-1:]
    record_version(db, title="中华人民共和国食品卫生法", text=hygiene.read_text("utf-8"), source="import",
                   source_id="hygiene", promulgated=hygiene.stem)
    for date in ("2021-04-29", "2009-02-28"):   # today's text first, the 2009 text (with the clause) later
        record_version(db, title="中华人民共和国食品安全法", text=(CORPUS / "食品安全法" / f"{date}.md").read_text("utf-8"),
                       source="import", source_id=date, promulgated=date)
    law = law_store.find_law(db, "中华人民共和国食品卫生法")
    assert (law["status"], law["repealed_on"]) == ("已废止", "2009-06-01")
    assert law["successor_id"] == law_store.find_law(db, "中华人民共和国食品安全法")["id"]


def test_a_citation_of_a_law_about_to_be_repealed_says_so_and_still_stands(db, tmp_path, monkeypatch):
    from diffing.cite.find import parse_basis
    from impact.resolve import resolve_all

    monkeypatch.setenv("YIJU_TODAY", "2026-08-01")
    _import(db, tmp_path, "大气污染防治法", "生态环境法典")
    [r] = resolve_all(db, parse_basis("《中华人民共和国大气污染防治法》第九十九条"))
    assert r.resolution == "resolved" and r.current_label == "第九十九条"
    assert "将于2026-08-15废止（即将废止），由《中华人民共和国生态环境法典》取代" in r.problem
    assert "已废止" not in r.problem
