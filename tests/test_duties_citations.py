"""Citations of imported duties against laws in the registry: resolved, stale, re-resolved."""

from __future__ import annotations

import pytest

from impact.record import record_version
from impact import duties as store
from tests.conftest import law_text

DEPT = "荆州市生态环境局"
SURCHARGE = "依据《行政处罚法》第五十一条第（一）项规定，每日按罚款数额的3%加处罚款"   # real_bases.txt line 226


def add(db, short: str, date: str, title: str):
    return record_version(db, title=title, text=law_text(short, date), source="import",
                          source_id=f"{short}/{date}", promulgated=date)


def write_list(tmp_path, *lines: tuple[str, str]):
    path = tmp_path / "list.csv"
    body = "事项名称,实施依据,实施主体\n" + "".join(f'{name},"{basis}",{DEPT}\n' for name, basis in lines)
    path.write_text(body, "utf-8")
    return path


@pytest.fixture
def penalty_law(db):
    add(db, "行政处罚法", "2017-09-01", "中华人民共和国行政处罚法")
    add(db, "行政处罚法", "2021-01-22", "中华人民共和国行政处罚法")
    return db


def test_old_numbering_is_reported_stale_with_todays_label(penalty_law, tmp_path):
    db = penalty_law
    path = write_list(tmp_path, ("加处罚款", SURCHARGE))
    store.import_duties(db, path, as_of="2020-06-01")
    [c] = list(db.query("SELECT * FROM citations"))
    assert (c["law_title"], c["article"], c["item"]) == ("中华人民共和国行政处罚法", "第五十一条", 1)
    assert c["resolution"] == "stale"
    assert c["current_label"] == "第七十二条第一款第（一）项"   # where the cited 项 is now (impact.where)
    written = db.execute("SELECT promulgated FROM versions WHERE id = ?", [c["version_id"]]).fetchone()[0]
    assert written == "2017-09-01"
    [group] = store.list_duties(db)
    assert group["summary"] | {"duties": 1} == {"duties": 1, "citations": 1, "resolved": 0, "stale": 1,
                                                "unresolved": 0, "without_citations": 0}


def test_current_numbering_is_resolved(penalty_law, tmp_path):
    db = penalty_law
    store.import_duties(db, write_list(tmp_path, ("加处罚款", "《中华人民共和国行政处罚法》第七十二条第一款第一项")))
    [c] = list(db.query("SELECT * FROM citations"))
    assert (c["resolution"], c["paragraph"], c["item"], c["problem"]) == ("resolved", 1, 1, None)


def test_unknown_law_is_kept_unresolved_with_the_reason(db, tmp_path):
    store.import_duties(db, write_list(tmp_path, ("加处罚款", SURCHARGE)))
    [c] = list(db.query("SELECT * FROM citations"))
    assert c["resolution"] == "unresolved" and c["law_id"] is None
    assert "登记库中没有" in c["problem"]
    assert c["raw"] == "《行政处罚法》第五十一条第（一）项"


def test_a_law_named_without_articles_is_a_whole_law_citation(penalty_law, tmp_path):
    db = penalty_law
    basis = "根据《中华人民共和国行政处罚法》和《罚款决定与罚款收缴分离实施办法》的规定"   # line 227
    store.import_duties(db, write_list(tmp_path, ("罚款收缴", basis)))
    cites = list(db.query("SELECT law_title, article, resolution FROM citations ORDER BY ordinal"))
    assert cites == [{"law_title": "中华人民共和国行政处罚法", "article": None, "resolution": "resolved"},
                     {"law_title": "罚款决定与罚款收缴分离实施办法", "article": None, "resolution": "unresolved"}]


def test_reresolve_after_the_law_arrives_keeps_the_citation_rows(db, tmp_path):
    store.import_duties(db, write_list(tmp_path, ("加处罚款", SURCHARGE)), as_of="2020-06-01")
    before = list(db.query("SELECT id, resolution FROM citations"))
    assert [r["resolution"] for r in before] == ["unresolved"]
    add(db, "行政处罚法", "2017-09-01", "中华人民共和国行政处罚法")
    law_id = db.execute("SELECT id FROM laws").fetchone()[0]
    assert store.reresolve_citations(db, [law_id]) == 1
    [after] = list(db.query("SELECT * FROM citations"))
    assert after["id"] == before[0]["id"] and after["resolution"] == "resolved" and after["law_id"] == law_id
    # the 2021 revision arrives: the citation, written against 2017, is now stale
    add(db, "行政处罚法", "2021-01-22", "中华人民共和国行政处罚法")
    assert store.reresolve_citations(db) == 1
    [later] = list(db.query("SELECT * FROM citations"))
    assert (later["id"], later["resolution"], later["current_label"]) == (after["id"], "stale", "第七十二条第一款第（一）项")
    assert later["version_id"] == after["version_id"]
    assert store.reresolve_citations(db) == 0                       # nothing new: nothing changes


def test_revise_duty_resolves_the_new_basis_as_of_today(penalty_law, tmp_path):
    db = penalty_law
    store.import_duties(db, write_list(tmp_path, ("加处罚款", SURCHARGE)), as_of="2020-06-01")
    duty_id = db.execute("SELECT id FROM duties").fetchone()[0]
    new_id = store.revise_duty(db, duty_id, basis_text="《中华人民共和国行政处罚法》第七十二条第一款第（一）项", by="法规科")
    [c] = list(db.query("SELECT * FROM citations WHERE duty_id = ?", [new_id]))
    assert (c["article"], c["resolution"]) == ("第七十二条", "resolved")
    assert store.basis_date(db, store.get_duty(db, new_id)) is not None
    assert store.basis_date(db, store.get_duty(db, duty_id)) == "2020-06-01"
