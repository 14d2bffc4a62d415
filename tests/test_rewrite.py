"""Rewriting a cited article in a basis text: one function, so the e-mail and the one-click fix agree."""

from __future__ import annotations

import pytest

from impact import duties as duty_store
from impact import flags
from impact.process import run_impact
from impact.record import record_version
from impact.rewrite import locate_article, rewrite, suggested_basis
from notify.alerts import fix_view
from notify.gather import department_flags
from texts.numerals import article_label

DEPT = "某市市场监督管理局"


def test_one_click_fixes_are_located_in_the_basis_text_however_the_number_is_written():
    text = "《行政处罚法》第32条第一款；《某条例》第三十二条、第三十三条"
    start, end, arabic = locate_article(text, 32, span=(0, 14))
    assert (text[start:end], arabic) == ("第32条", True)
    start, end, arabic = locate_article(text, 32, span=(15, len(text)))
    assert (text[start:end], arabic) == ("第三十二条", False)
    assert locate_article(text, 32) is None  # twice in the text and no span: not guessed
    assert locate_article("第十条之一", 10) is None  # 第十条之一 is not 第十条


def test_rewriting_several_labels_at_once_does_not_chain():
    text = "《某法》第十条、第十一条"
    assert rewrite(text, [(4, 7, "第十一条"), (8, 12, "第十二条")]) == "《某法》第十一条、第十二条"


def test_a_basis_written_with_arabic_numbers_is_rewritten_with_arabic_numbers():
    assert suggested_basis("依据《行政处罚法》第32条第一款", "第三十二条", "第三十三条") == "依据《行政处罚法》第33条第一款"
    assert suggested_basis("依据《行政处罚法》第三十二条", "第三十二条", "第三十三条") == "依据《行政处罚法》第三十三条"


_WORDS = "国家机关依法行使职权应当遵循公开公正原则保障公民法人和其他组织的合法权益维护公共利益和社会秩序"


def _text(inserted: bool) -> str:
    """A law of 40 articles; the 2021 text inserts one after 第五条, so 第三十二条 becomes 第三十三条."""
    bodies = [f"{_WORDS[i % 40:i % 40 + 6]}事项{i}应当按照{_WORDS[(7 * i) % 40:(7 * i) % 40 + 5]}办理。"
              for i in range(1, 41)]
    if inserted:
        bodies.insert(5, "新增的条文规定电子送达的具体办法。")
    return "示例处罚法\n" + "\n".join(f"{article_label(n)}　{body}" for n, body in enumerate(bodies, 1))


@pytest.mark.parametrize("basis", ["依据《示例处罚法》第32条第一款", "《示例处罚法》第三十二条第一款"])
def test_the_alert_suggests_the_basis_apply_renumbering_writes(db, tmp_path, monkeypatch, basis):
    """依据《…》第32条第一款: the new text moved the article unchanged to 第三十三条. The e-mail's
    suggested basis and what apply-renumbering writes are the same text (it used to be nothing
    in the e-mail and 第33条 in apply-renumbering)."""
    monkeypatch.setenv("YIJU_TODAY", "2020-06-01")
    record_version(db, title="示例处罚法", text=_text(False), source="import", promulgated="2017-09-01",
                   effective="2018-01-01")
    listing = tmp_path / "list.csv"
    listing.write_text(f"序号,权力类型,事项名称,实施依据,实施主体\n1,行政处罚,某事项,{basis},{DEPT}\n", "utf-8")
    duty_store.import_duties(db, listing, by="导入员")
    monkeypatch.setenv("YIJU_TODAY", "2021-08-01")
    record_version(db, title="示例处罚法", text=_text(True), source="import", promulgated="2021-01-22",
                   effective="2021-07-15")
    run_id = db["runs"].insert({"started": "2021-08-01T18:30:00+00:00", "state": "running"}).last_pk
    run_impact(db, run_id)

    department_id = duty_store.find_department(db, DEPT)["id"]
    [mailed] = department_flags(db, run_id, department_id)
    assert mailed["suggestion"] == {"new_label": "第三十三条", "one_click": True}
    suggested = fix_view(mailed)["basis"]

    out = flags.apply_renumbering(db, by="法制科张三")
    [done] = out["duties"]
    written = duty_store.get_duty(db, done["new_duty_id"])["basis_text"]
    assert suggested == written == basis.replace("32", "33").replace("三十二", "三十三")
