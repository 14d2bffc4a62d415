"""Proposed duties (拟新增职权) as a legal officer meets them: on the CLI, in impact, in the report."""

from __future__ import annotations

import json

import pytest

from impact import duties as duty_store
from impact import proposals as props
from impact.process import run_impact
from impact.record import record_version
from registry.schema import connect
from tests.builders import listed_duty as add_duty
from tests.conftest import law_text

AIR = "中华人民共和国大气污染防治法"
CODE = "中华人民共和国生态环境法典"
BUREAU = "江门市生态环境局"


@pytest.fixture
def air(db):
    record_version(db, title=AIR, text=law_text("大气污染防治法", "2018-10-26"), source="import",
                   source_id="大气/2018", promulgated="2018-10-26", effective="2018-10-26")
    # each department has a list (one duty under another law): a department without one has
    # nothing to compare with and gets no proposals
    for department in (BUREAU, "江门市市场监督管理局", "江门市公安局"):
        add_duty(db, department, "对违反行政处罚法规定的处罚", "《中华人民共和国行政处罚法》第八条")
    duty_store.ensure_department(db, "江门市人民政府")
    return db


def test_a_law_gives_each_department_only_the_powers_its_authority_holds(air):
    props.generate(air, law=AIR)
    mine = props.list_proposals(air, department=BUREAU)
    bases = {p["basis_text"].split("》")[1] for p in mine if p["type"] == "行政处罚"}
    assert "第九十九条第（一）项" in bases and "第一百零五条" in bases
    assert "第一百零三条第（一）项" not in bases          # 市场监督管理部门
    assert "第一百零九条第一款" not in bases              # 省级以上: not for a 设区的市 bureau
    assert "第一百一十三条" not in bases                  # 公安机关交通管理部门
    market = {p["basis_text"].split("》")[1] for p in props.list_proposals(air, department="江门市市场监督管理局")}
    assert "第一百零三条第（一）项" in market
    police = {p["basis_text"].split("》")[1] for p in props.list_proposals(air, department="江门市公安局")}
    assert "第一百一十三条" in police
    assert props.list_proposals(air, department="江门市人民政府") == []   # no list in yiju


def test_a_power_the_list_cites_is_covered_even_under_its_old_number(air):
    add_duty(air, BUREAU, "对未依法取得排污许可证排放大气污染物的处罚",
             "《中华人民共和国大气污染防治法》（2018年修订）第九十九条第（一）项")
    add_duty(air, BUREAU, "对造成大气污染事故的处罚", "《中华人民共和国大气污染防治法》第一百二十二条")
    props.generate(air, department=BUREAU, law=AIR)
    bases = {p["basis_text"].split("》")[1] for p in props.list_proposals(air, department=BUREAU)}
    assert "第九十九条第（一）项" not in bases and "第一百二十二条" not in bases
    assert "第九十九条第（二）项" in bases
    cov = next(c for c in props.coverage(air, department=BUREAU) if c.law == AIR)
    assert cov.covered == 2 and cov.powers > 20
    assert all("第九十九条第（一）项" not in u["basis"] for u in cov.uncovered)


def test_accepting_adds_the_duty_with_its_citation_resolved_and_declining_keeps_the_reason(air):
    props.generate(air, department=BUREAU, law=AIR)
    rows = props.list_proposals(air, department=BUREAU)
    first, second = rows[0], rows[1]
    done = props.accept(air, first["id"], "执法监督科/执法岗", "法规科王五")
    assert done["state"] == "accepted" and done["duty_id"]
    cit = air.execute("SELECT law_id, article, resolution FROM citations WHERE duty_id = ?",
                      [done["duty_id"]]).fetchone()
    assert cit[1] == first["article"] and cit[2] == "resolved"
    post = air.execute("SELECT p.name FROM duties d JOIN posts p ON p.id = d.post_id WHERE d.id = ?",
                       [done["duty_id"]]).fetchone()[0]
    assert post == "执法监督科/执法岗"
    no = props.decline(air, second["id"], "该事项由市城管局按职责实施", "法规科王五")
    assert no["state"] == "declined" and no["reason"] == "该事项由市城管局按职责实施"
    with pytest.raises(props.ProposalError):
        props.accept(air, second["id"], "执法岗", "法规科王五")
    again = props.generate(air, department=BUREAU, law=AIR)   # neither comes back
    assert again["proposals"] == 0
    audit = [r[0] for r in air.execute("SELECT action FROM audit WHERE action LIKE 'proposal.%'")]
    assert audit == ["proposal.accept", "proposal.decline"]


def test_the_first_pass_is_a_baseline_and_a_newly_enacted_law_is_news(db, monkeypatch):
    """Done when: 生态环境法典 after a 生态环境局 list built on the laws it repeals."""
    monkeypatch.setenv("YIJU_TODAY", "2026-04-01")
    record_version(db, title=AIR, text=law_text("大气污染防治法", "2018-10-26"), source="import",
                   source_id="大气/2018", promulgated="2018-10-26", effective="2018-10-26")
    add_duty(db, BUREAU, "对未依法取得排污许可证排放大气污染物的处罚", "《中华人民共和国大气污染防治法》第九十九条第（一）项")
    first = run_impact(db)["proposals"]
    assert first["baseline"] and first["proposals"] > 0
    rec = record_version(db, title=CODE, text=law_text("生态环境法典", "2026-03-12"), source="import",
                         source_id="法典/2026", promulgated="2026-03-12", effective="2026-08-15",
                         announce_new=True)
    assert rec.change_id
    result = run_impact(db)
    assert result["proposals"]["proposals"] > 50
    news = [p for p in props.list_proposals(db, department=BUREAU) if p["law"] == CODE]
    assert news and not any(p["baseline"] for p in news)
    assert all(p["due"] == "2026-08-15" for p in news)
    penalty = {p["basis_text"].split("》")[1] for p in news if p["type"] == "行政处罚"}
    assert "第一千一百零三条" in penalty                  # 未按照排污许可证载明的种类、浓度……排放污染物
    # 未依法取得排污许可证排放污染物 is covered: the code repeals 大气污染防治法 (its 同时废止 clause), and
    # the list's duty for the same violation there (第九十九条第（一）项) carries over through its flag
    assert "第一千一百零二条" not in penalty
    assert "第一千一百一十二条第一款" not in penalty      # 海关 / 省级以上


@pytest.fixture
def yiju(yiju, config_file, monkeypatch):
    """The command line of conftest, on 2024-03-01, with 大气污染防治法 and one duty citing it."""
    monkeypatch.setenv("YIJU_TODAY", "2024-03-01")
    db = connect(config_file.parent / "data" / "yiju.db")
    record_version(db, title=AIR, text=law_text("大气污染防治法", "2018-10-26"), source="import",
                   source_id="大气/2018", promulgated="2018-10-26", effective="2018-10-26")
    add_duty(db, BUREAU, "对造成大气污染事故的处罚", "《中华人民共和国大气污染防治法》第一百二十二条")
    db.close()
    return yiju


def test_the_cli_lists_accepts_and_declines(yiju):
    out = yiju("proposals", "--department", BUREAU, "--law", "大气污染防治法", "--json")
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert rows and {"id", "department", "law", "article", "paragraph", "item", "type", "name", "state"} <= set(rows[0])
    first = next(r for r in rows if r["article"] == "第九十九条" and r["item"] == 1)
    assert first["law"] == AIR and first["paragraph"] is None and first["type"] == "行政处罚"
    assert first["name"] == "对未依法取得排污许可证排放大气污染物的行政处罚" and first["state"] == "open"
    assert not any(r["article"] == "第一百二十二条" for r in rows), [(r["paragraph"], r["type"], r["name"], r["state"]) for r in rows if r["article"] == "第一百二十二条"]

    text = yiju("proposals", "--department", BUREAU)
    assert "名称：对未依法取得排污许可证排放大气污染物的行政处罚" in text.output
    assert "依据：《中华人民共和国大气污染防治法》第九十九条第（一）项" in text.output

    ok = yiju("proposals", "accept", first["id"], "--post", "执法岗", "--by", "法规科")
    assert ok.exit_code == 0 and "已采纳" in ok.output
    again = yiju("proposals", "accept", first["id"], "--post", "执法岗")
    assert again.exit_code == 2 and "已处理" in again.output
    no = yiju("proposals", "decline", rows[1]["id"], "--reason", "由区分局实施")
    assert no.exit_code == 0 and "由区分局实施" in no.output
    listed = json.loads(yiju("proposals", "--state", "all", "--json").output)
    states = {r["id"]: r["state"] for r in listed}
    assert states[first["id"]] == "accepted" and states[rows[1]["id"]] == "declined"

    cov = yiju("proposals", "coverage", "--department", BUREAU)
    assert "清单已覆盖" in cov.output and "未覆盖" in cov.output
    dom = yiju("departments", "domains", BUREAU)
    assert "生态环境" in dom.output and "设区的市级" in dom.output
    rep = yiju("report")
    assert "清单覆盖率：法律授予的职权" in rep.output and "《中华人民共和国大气污染防治法》" in rep.output
    figures = json.loads(yiju("report", "--json").output)
    bureau = next(d for d in figures["departments"] if d["department"] == BUREAU)
    assert bureau["coverage"]["covered"] >= 2 and 0 < bureau["coverage"]["share"] < 1
    bad = yiju("proposals", "--department", "不存在的局")
    assert bad.exit_code == 2


def test_the_night_tells_the_department_and_the_digest_shows_new_proposals_and_coverage(db, monkeypatch, tmp_path):
    from config.settings import MailSettings, Settings
    from notify import outbox
    from notify.alerts import queue_department_alerts
    from notify.digest import render_digest
    from registry.night import claim_unreported

    monkeypatch.setenv("YIJU_TODAY", "2026-04-01")
    record_version(db, title=AIR, text=law_text("大气污染防治法", "2018-10-26"), source="import",
                   source_id="大气/2018", promulgated="2018-10-26", effective="2018-10-26")
    add_duty(db, BUREAU, "对未依法取得排污许可证排放大气污染物的处罚", "《中华人民共和国大气污染防治法》第九十九条第（一）项")
    db.execute("UPDATE departments SET emails = ? WHERE name = ?", [json.dumps(["fgk@jmsthj.example.gov.cn"]), BUREAU])
    night1 = db["runs"].insert({"started": "2026-03-31T18:30:00+00:00", "state": "succeeded"}).last_pk
    run_impact(db, night1)
    claim_unreported(db, night1)
    _, md1, first = render_digest(db, night1)
    assert first["totals"]["proposals"] == 0                 # the baseline is a figure, not news
    assert "本次没有新的拟新增职权" in md1
    assert "清单覆盖率" in md1 and "江门市生态环境局：1/" in md1

    record_version(db, title=CODE, text=law_text("生态环境法典", "2026-03-12"), source="import",
                   source_id="法典/2026", promulgated="2026-03-12", effective="2026-08-15", announce_new=True)
    night2 = db["runs"].insert({"started": "2026-04-01T18:30:00+00:00", "state": "succeeded"}).last_pk
    run_impact(db, night2)
    claim_unreported(db, night2)
    html, md, second = render_digest(db, night2)
    assert second["totals"]["proposals"] > 50
    assert "## 十、拟新增职权" in md and "《中华人民共和国生态环境法典》第一千一百零三条" in md
    _, brief, _ = render_digest(db, night2, summary=True, digest_path="/srv/yiju/digests")   # a mail too large
    assert "## 拟新增职权（按部门）" in brief and f"{BUREAU}：{second['totals']['proposals']} 项" in brief
    assert "清单覆盖率：江门市生态环境局" in brief
    settings = Settings()
    settings.mail = MailSettings(sender="yiju@fzb.example.gov.cn", digest_to=["fzb@example.gov.cn"])
    queue_department_alerts(db, night2, settings)
    rows = [r for r in outbox.listing(db) if r["kind"] == "department_alert"]
    assert len(rows) == 1 and "拟新增职权" in rows[0]["subject"]
    body = outbox.get(db, rows[0]["id"])["body_text"]
    assert "yiju proposals accept" in body and "第一千一百零三条" in body and "期限 2026-08-15" in body
    # a mail over the size limit lists the first proposals and says where the rest are
    db.execute("DELETE FROM outbox")
    settings.mail.max_message_bytes = 30_000
    queue_department_alerts(db, night2, settings)
    short = outbox.get(db, [r for r in outbox.listing(db) if r["kind"] == "department_alert"][0]["id"])
    assert len(short["body_text"].encode()) < 30_000 and "项拟新增职权未在本邮件中逐条列出" in short["body_text"]
    assert "yiju proposals --department '江门市生态环境局'" in short["body_text"]


def test_the_code_after_a_list_built_on_the_laws_it_repeals_gives_flags_and_proposals(db, monkeypatch):
    """Done when: the duties citing 大气污染防治法 are flagged; the code's penalty provisions that no
    duty covers are proposed; the one a duty already holds under the repealed law's wording is not."""
    from impact.record import record_status

    monkeypatch.setenv("YIJU_TODAY", "2026-04-01")
    record_version(db, title=AIR, text=law_text("大气污染防治法", "2018-10-26"), source="import",
                   source_id="大气/2018", promulgated="2018-10-26", effective="2018-10-26")
    held = add_duty(db, BUREAU, "对未依法取得排污许可证排放大气污染物的处罚",
                    "《中华人民共和国大气污染防治法》第九十九条第（一）项")
    run_impact(db)
    record_version(db, title=CODE, text=law_text("生态环境法典", "2026-03-12"), source="import",
                   source_id="法典/2026", promulgated="2026-03-12", effective="2026-08-15", announce_new=True)
    record_status(db, title=AIR, status="已废止", source="import", repealed_on="2026-08-15", successor_title=CODE)
    run_impact(db)
    flagged = db.execute("SELECT severity FROM flags WHERE duty_id = ?", [held]).fetchall()
    assert flagged and flagged[0][0] == "critical"
    code = {p["basis_text"].split("》")[1]: p for p in props.list_proposals(db, department=BUREAU)
            if p["law"] == CODE and p["type"] == "行政处罚"}
    assert "第一千一百零二条" not in code            # 未依法取得排污许可证排放污染物: the flagged duty's
    assert "第一千一百零七条" in code                # 超过污染物排放标准 …: no duty held it
    assert len(code) > 100
    cov = next(c for c in props.coverage(db, department=BUREAU) if c.law == CODE)
    assert cov.covered == 1 and all("第一千一百零二条" != u["basis"].split("》")[1] for u in cov.uncovered)


def test_importing_the_code_as_a_file_proposes_its_powers_at_once(config_file, monkeypatch, tmp_path):
    """yiju laws import of 生态环境法典 (no enacted change of its own: imported files are history) still
    makes it news for proposals, through the repeals its 同时废止 clause records."""
    from tests.conftest import Yiju

    monkeypatch.setenv("YIJU_TODAY", "2026-04-01")
    run = Yiju(config_file)
    first, second = tmp_path / "laws1" / AIR, tmp_path / "laws2" / CODE
    first.mkdir(parents=True)
    second.mkdir(parents=True)
    (first / "2018-10-26.md").write_text(law_text("大气污染防治法", "2018-10-26"), "utf-8")
    (second / "2026-03-12.md").write_text(law_text("生态环境法典", "2026-03-12"), "utf-8")
    table = tmp_path / "list.csv"
    table.write_text("事项名称,职权类型,实施依据,实施主体\n对未依法取得排污许可证排放大气污染物的处罚,行政处罚,"
                     "《中华人民共和国大气污染防治法》第九十九条第（一）项,江门市生态环境局\n", "utf-8")
    assert run("laws", "import", tmp_path / "laws1").exit_code in (0, 1)
    assert run("duties", "import", table).exit_code == 0
    assert run("laws", "import", tmp_path / "laws2").exit_code in (0, 1)
    db = connect(config_file.parent / "data" / "yiju.db")
    rows = [p for p in props.list_proposals(db, department=BUREAU) if p["law"] == CODE]
    assert len(rows) > 100 and not any(p["baseline"] for p in rows)
    assert all(p["due"] == "2026-08-15" for p in rows)
    assert "第一千一百零二条" not in {p["basis_text"].split("》")[1] for p in rows}    # the list's duty carries it
    assert db.execute("SELECT count(*) FROM flags").fetchone()[0] >= 1               # and the duty is flagged


def _duty_of(db, duty_id):
    return db.execute("SELECT d.name, p.name, c.article, c.resolution FROM duties d JOIN posts p ON p.id = d.post_id "
                      "JOIN citations c ON c.duty_id = d.id WHERE d.id = ?", [duty_id]).fetchone()


def test_the_legal_office_signs_off_a_departments_accept_and_decline(air):
    """With legal_review a department's decision waits: approve carries it out, return sends it back."""
    props.generate(air, department=BUREAU, law=AIR)
    first, second = props.list_proposals(air, department=BUREAU)[:2]
    duties = air.execute("SELECT count(*) FROM duties").fetchone()[0]
    with pytest.raises(props.ProposalError, match="执法岗位"):
        props.department_action(air, first["id"], action="accept", post=" ", by="部门李四")
    with pytest.raises(props.ProposalError, match="理由"):
        props.department_action(air, second["id"], action="decline", reason="", by="部门李四")
    p = props.department_action(air, first["id"], action="accept", post="执法一科", name="对无证排污的处罚", by="部门李四")
    assert p["state"] == "submitted" and p["duty_id"] is None and p["proposed_by"] == "部门李四"
    assert p["decision"] == {"action": "accept", "post": "执法一科", "name": "对无证排污的处罚", "reason": None}
    assert air.execute("SELECT count(*) FROM duties").fetchone()[0] == duties      # nothing created yet
    with pytest.raises(props.ProposalError, match="已提交审核"):
        props.department_action(air, first["id"], action="decline", reason="再想想", by="部门李四")

    done = props.approve(air, first["id"], by="法制科王五")
    assert done["state"] == "accepted" and done["reviewed_by"] == "法制科王五"
    assert _duty_of(air, done["duty_id"]) == ("对无证排污的处罚", "执法一科", first["article"], "resolved")
    with pytest.raises(props.ProposalError, match="已处理"):
        props.approve(air, first["id"], by="法制科王五")

    props.department_action(air, second["id"], action="decline", reason="由区分局实施", by="部门李四")
    with pytest.raises(props.ProposalError, match="理由"):
        props.return_proposal(air, second["id"], reason=" ", by="法制科王五")
    back = props.return_proposal(air, second["id"], reason="本局也有此职权", by="法制科王五")
    assert back["state"] == "returned" and back["review_note"] == "本局也有此职权" and back["reason"] is None
    again = props.department_action(air, second["id"], action="accept", post="执法二科", by="部门李四")
    assert again["state"] == "submitted" and again["decision"]["post"] == "执法二科"
    assert props.approve(air, second["id"], by="法制科王五")["state"] == "accepted"
    audit = [r[0] for r in air.execute("SELECT action FROM audit WHERE action LIKE 'proposal.%' ORDER BY id")]
    assert audit == ["proposal.submit", "proposal.accept", "proposal.approve", "proposal.submit", "proposal.return",
                     "proposal.submit", "proposal.accept", "proposal.approve"]


def test_without_review_or_for_the_legal_office_a_decision_takes_effect_at_once(air):
    props.generate(air, department=BUREAU, law=AIR)
    first, second = props.list_proposals(air, department=BUREAU)[:2]
    p = props.department_action(air, first["id"], action="accept", post="执法岗", by="部门李四", legal_review=False)
    assert p["state"] == "accepted" and _duty_of(air, p["duty_id"])[1:] == ("执法岗", first["article"], "resolved")
    props.department_action(air, second["id"], action="decline", reason="由区分局实施", by="部门李四", legal_review=False)
    assert props.list_proposals(air, state="declined")[0]["reason"] == "由区分局实施"


def test_a_submitted_proposal_is_not_proposed_again_and_is_withdrawn_once_covered(air):
    props.generate(air, department=BUREAU, law=AIR)
    target = next(p for p in props.list_proposals(air, department=BUREAU)
                  if p["article"] == "第九十九条" and p["item"] == 2)
    returned = next(p for p in props.list_proposals(air, department=BUREAU) if p["id"] != target["id"])
    props.department_action(air, target["id"], action="accept", post="执法岗", by="部门李四")
    props.department_action(air, returned["id"], action="decline", reason="由区分局实施", by="部门李四")
    props.return_proposal(air, returned["id"], reason="请补充依据", by="法制科王五")
    again = props.generate(air, department=BUREAU, law=AIR)
    assert again["proposals"] == 0 and again["withdrawn"] == 0
    assert props.list_proposals(air, state="submitted")[0]["id"] == target["id"]
    # the list covers the power meanwhile (a duty imported citing it): nothing left to sign off
    add_duty(air, BUREAU, "对超标排放大气污染物的处罚", "《中华人民共和国大气污染防治法》第九十九条第（二）项")
    assert props.generate(air, department=BUREAU, law=AIR)["withdrawn"] == 1
    assert props.list_proposals(air, state="withdrawn")[0]["id"] == target["id"]
    with pytest.raises(props.ProposalError, match="已处理"):
        props.approve(air, target["id"], by="法制科王五")
    assert props.list_proposals(air, state="returned")[0]["id"] == returned["id"]


def test_the_console_signs_off_what_a_department_submitted(yiju, config_file):
    rows = json.loads(yiju("proposals", "--department", BUREAU, "--json").output)
    db = connect(config_file.parent / "data" / "yiju.db")
    props.department_action(db, rows[0]["id"], action="accept", post="执法一科", by="部门李四")
    props.department_action(db, rows[1]["id"], action="decline", reason="由区分局实施", by="部门李四")
    db.close()
    listed = yiju("proposals", "--state", "submitted")
    assert listed.exit_code == 0 and "已提交审核" in listed.output
    assert "部门意见：采纳，岗位：执法一科（部门李四" in listed.output and "部门意见：不采纳，理由：由区分局实施" in listed.output
    ok = yiju("proposals", "approve", rows[0]["id"], "--by", "法制科王五")
    assert ok.exit_code == 0 and "审核通过，已采纳" in ok.output and "岗位：执法一科" in ok.output
    no_reason = yiju("proposals", "return", rows[1]["id"])
    assert no_reason.exit_code == 2
    back = yiju("proposals", "return", rows[1]["id"], "--reason", "本局也有此职权", "--json")
    assert back.exit_code == 0 and json.loads(back.output)["state"] == "returned"
    shown = yiju("proposals", "--state", "returned")
    assert "退回理由：本局也有此职权" in shown.output
    twice = yiju("proposals", "approve", rows[1]["id"])
    assert twice.exit_code == 2 and "已退回" in twice.output
    # the console is the legal office's: accept acts at once, even on a returned proposal
    now = yiju("proposals", "accept", rows[1]["id"], "--post", "执法二科")
    assert now.exit_code == 0 and "已采纳" in now.output
