"""When 生态环境法典 replaces the laws a 生态环境局's list cites, which of the code's powers the list
already holds under the repealed law's wording (its flag moves the citation) and which are proposed:
the old power must be paired with the code's provision for the same act and the same authority."""

from __future__ import annotations

from impact import proposals as props
from impact.process import run_impact
from impact.record import record_status, record_version
from tests.builders import listed_duty as add_duty
from tests.conftest import law_text

BUREAU = "江门市生态环境局"
CODE = "中华人民共和国生态环境法典"
SOIL = "中华人民共和国土壤污染防治法"
AIR = "中华人民共和国大气污染防治法"
FOLDER = {SOIL: ("土壤污染防治法", "2018-08-31"), AIR: ("大气污染防治法", "2018-10-26")}


def code_arrives(db, monkeypatch, law: str, duties: dict[str, str]) -> tuple[set[str], props.Coverage]:
    """The bureau's list cites ``law`` (name → basis); the code arrives and repeals it. Returns the
    code's provisions proposed to the bureau (行政处罚) and its coverage of the code."""
    monkeypatch.setenv("YIJU_TODAY", "2026-04-01")
    folder, date = FOLDER[law]
    record_version(db, title=law, text=law_text(folder, date), source="import", source_id=f"{folder}/{date}",
                   promulgated=date, effective=date)
    for name, basis in duties.items():
        add_duty(db, BUREAU, name, basis)
    run_impact(db)
    record_version(db, title=CODE, text=law_text("生态环境法典", "2026-03-12"), source="import",
                   source_id="法典/2026", promulgated="2026-03-12", effective="2026-08-15", announce_new=True)
    record_status(db, title=law, status="已废止", source="import", repealed_on="2026-08-15", successor_title=CODE)
    run_impact(db)
    proposed = {p["basis_text"].split("》")[1] for p in props.list_proposals(db, department=BUREAU)
                if p["law"] == CODE and p["type"] == "行政处罚"}
    return proposed, next(c for c in props.coverage(db, department=BUREAU) if c.law == CODE)


REMEDIATE = "第一千一百六十五条第一款第（五）项"      # 土壤污染责任人或者土地使用权人未按照规定实施修复
ASSESS = "第一千一百六十五条第一款第（三）项"         # … 对…地块等，未进行土壤污染风险评估
item = "第一千一百六十五条第一款第（{}）项".format


def test_a_duty_for_the_risk_assessment_is_not_read_as_covering_the_remediation(db, monkeypatch):
    """土壤污染防治法 第九十四条第一款第（二）项 (未按照规定进行土壤污染风险评估) shares its long subject
    with 第（四）项 (实施修复) and with the code's 1165(5); the act decides: the duty holds the code's risk
    assessment, and the remediation no duty carries is proposed to the bureau and counted uncovered."""
    proposed, cov = code_arrives(db, monkeypatch, SOIL, {
        "对土壤污染责任人未按照规定进行土壤污染风险评估的处罚": "《中华人民共和国土壤污染防治法》第九十四条第一款第（二）项"})
    assert REMEDIATE in proposed
    assert ASSESS not in proposed
    uncovered = {u["basis"].split("》")[1] for u in cov.uncovered}
    assert REMEDIATE in uncovered and ASSESS not in uncovered


def test_each_soil_duty_holds_its_own_item_of_the_code(db, monkeypatch):
    """Duties for 第九十四条 第（三）、（四）、（五）项: the code's 1165(4), (5), (6) are held, its (一)–(三)
    (土壤污染状况调查, 风险评估) are proposed — none of the three duties is read as another's item."""
    proposed, cov = code_arrives(db, monkeypatch, SOIL, {
        "对未按照规定采取风险管控措施的处罚": "《中华人民共和国土壤污染防治法》第九十四条第一款第（三）项",
        "对未按照规定实施修复的处罚": "《中华人民共和国土壤污染防治法》第九十四条第一款第（四）项",
        "对未另行委托有关单位进行效果评估的处罚": "《中华人民共和国土壤污染防治法》第九十四条第一款第（五）项"})
    assert not {item("四"), item("五"), item("六")} & proposed
    assert {item("一"), item("二"), item("三")} <= proposed
    uncovered = {u["basis"].split("》")[1] for u in cov.uncovered}
    assert {item("一"), item("二"), item("三")} <= uncovered and not {item("四"), item("五"), item("六")} & uncovered


def test_a_duty_for_filling_stations_is_not_read_as_covering_the_codes_new_wharf_power(db, monkeypatch):
    """大气污染防治法 第一百零八条第（四）项 (储油储气库、加油加气站和油罐车 … 油气回收装置) is the code's
    第一千一百二十条第（四）项 (merged into 第一千一百一十九条 in the corpus text, where yiju reads no power);
    the code's new 原油成品油码头、运输船舶、铁路罐车 power (yiju: 第一千一百一十九条第四款) is no duty's
    and is proposed."""
    proposed, cov = code_arrives(db, monkeypatch, AIR, {
        "对加油站未安装油气回收装置的处罚": "《中华人民共和国大气污染防治法》第一百零八条第（四）项"})
    assert "第一千一百一十九条第四款" in proposed
    assert cov.covered == 0


def test_burning_substandard_coal_is_held_under_the_codes_burning_article_not_its_selling_one(db, monkeypatch):
    """大气污染防治法 第一百零五条 (单位燃用不符合质量标准的煤炭、石油焦, 生态环境主管部门) is the code's
    第一千一百一十七条, not 第一千一百一十五条第（一）项 (销售 …, 市场监督管理部门): the bureau is not asked to
    add the burning power it has."""
    proposed, cov = code_arrives(db, monkeypatch, AIR, {
        "对单位燃用不符合质量标准的煤炭、石油焦的处罚": "《中华人民共和国大气污染防治法》第一百零五条"})
    assert "第一千一百一十七条" not in proposed
    assert cov.covered == 1


def test_a_duty_for_an_old_paragraph_the_code_split_into_items_holds_those_items(db, monkeypatch):
    """大气污染防治法 第一百零七条第一款 (禁燃区内新建燃用高污染燃料的设施 …，或者在城市集中供热管网覆盖
    地区新建分散燃煤供热锅炉 …) is four items of the code's 1119第一款: the items yiju finds in it are held,
    not proposed again."""
    proposed, _ = code_arrives(db, monkeypatch, AIR, {
        "对在禁燃区内新建燃用高污染燃料设施等的处罚": "《中华人民共和国大气污染防治法》第一百零七条第一款"})
    assert not {"第一千一百一十九条第一款第（一）项", "第一千一百一十九条第一款第（三）项"} & proposed


def test_no_power_of_the_five_laws_is_paired_with_another_violation(db):
    """Against the golden mapping a person made by reading the texts (bench/data/successor_golden.tsv:
    157 penalty powers of 大气, 水, 土壤污染防治法, 环境影响评价法, 放射性污染防治法 → 生态环境法典): no pair
    names a provision the golden row does not, and the pairs bench/successors.py reports stay found."""
    import csv
    import pathlib

    from impact.successor import match_powers

    path = pathlib.Path(__file__).resolve().parent.parent / "bench" / "data" / "successor_golden.tsv"
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t"))

    def powers(folder, date):
        text = law_text(folder, date)
        rec = record_version(db, title=text.splitlines()[0].strip(), text=text, source="import",
                             source_id=f"{folder}/{date}", promulgated=date)
        return props.version_powers(db, rec.version_id)

    code = powers("生态环境法典", "2026-03-12")
    right, wrong = set(), []
    for law, version in dict.fromkeys((r["law"], r["version"]) for r in rows):
        golden = {(r["old"], r["old_domains"]): r["code"].split("|") for r in rows if r["law"] == law}
        for o, n, score in match_powers(code, powers(law, version)):
            if o.type != "行政处罚":
                continue
            domains = ",".join(sorted({a.domain or "?" for a in o.authorities}))
            if n.basis in golden[o.basis, domains]:
                right.add((law, o.key))
            else:
                wrong.append((law, o.basis, n.basis, score))
    assert not wrong
    assert len(right) >= 121
