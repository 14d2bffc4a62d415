"""The review workspace over HTTP (Flask's test client): who may see and do what, sign-in links,
CSRF, the legal office's review, and the downloads.

Two departments import real power lists citing 行政处罚法 (2017 numbering); the 2021 revision
flags them. Department A's reviewer works in the browser; department B's flags stay out of reach.
"""

from __future__ import annotations

import io
import json
import pathlib
import re
import sys
import xml.dom.minidom

import openpyxl
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "tools"))

from workspace_world import A, B, SECRET, _csrf, add_proposal, legal, reviewer, sign_in_link, world  # noqa: E402,F401

from registry import users  # noqa: E402
from tests.conftest import Yiju  # noqa: E402
from yiju.web import create_app  # noqa: E402


def state(world, flag_id):
    return world["db"].execute("SELECT state FROM flags WHERE id = ?", [flag_id]).fetchone()[0]


def token_of(client, path="/inbox"):
    return _csrf(client.get(path).text)


def test_a_link_shows_a_confirmation_and_signs_in_once(world):
    uid = users.department_user(world["db"], world["deps"][A], email="fk@a.gov.cn", name="甲 法制科")
    token = users.issue_link(world["db"], SECRET, uid, "/inbox", days=7, purpose="test")
    scanner = world["app"].test_client()
    assert scanner.get(f"/s/{token}").status_code == 200      # a mail scanner opening it signs no one in
    assert scanner.get("/inbox").status_code == 302
    person = world["app"].test_client()
    page = person.get(f"/s/{token}")
    assert person.post(f"/s/{token}", data={"csrf_token": _csrf(page.text)}).status_code == 302
    inbox = person.get("/inbox")
    assert inbox.status_code == 200 and world["flags"][A][0][1] in inbox.text
    again = world["app"].test_client()
    page = again.get(f"/s/{token}")
    assert page.status_code == 410 and "已经使用过" in page.text
    assert again.get("/inbox").status_code == 302


def test_expired_forged_and_disabled_links_sign_no_one_in(world):
    db = world["db"]
    uid = users.department_user(db, world["deps"][A], email="fk@a.gov.cn", name="甲 法制科")
    expired = users.issue_link(db, SECRET, uid, "/inbox", days=7)
    db.execute("UPDATE signin_links SET expires_at = '2000-01-01T00:00:00+00:00' WHERE used_at IS NULL")
    client = world["app"].test_client()
    page = client.get(f"/s/{expired}")
    assert page.status_code == 410 and "过期" in page.text
    csrf = _csrf(client.get("/signin").text)
    assert client.post(f"/s/{expired}", data={"csrf_token": csrf}).status_code == 410
    assert client.get("/inbox").status_code == 302
    forged = users.issue_link(db, "another-secret-" + "y" * 20, uid, "/inbox", days=7)
    assert client.get(f"/s/{forged}").status_code == 410
    live = sign_in_link(world, uid)
    assert live.get("/inbox").status_code == 200
    users.disable_user(db, "fk@a.gov.cn", by="admin")
    assert live.get("/inbox").status_code == 302              # the session ends with the account


def test_a_reviewer_neither_reads_nor_changes_another_departments_flag(world):
    client = reviewer(world)
    other, other_name = world["flags"][B][0]
    assert client.get(f"/flags/{other}").status_code == 404
    csrf = token_of(client)
    for action, data in (("ack", {}), ("resolve", {"basis": "《行政处罚法》第七十条"}), ("dismiss", {"reason": "无关"})):
        response = client.post(f"/flags/{other}/{action}", data={"csrf_token": csrf, **data})
        assert response.status_code == 404
    assert state(world, other) == "open"
    assert other_name not in client.get("/inbox?state=all").text
    assert client.get(f"/inbox?department={world['deps'][B]}").text.count(other_name) == 0
    assert client.get("/queue").status_code == 403
    assert client.post(f"/flags/{world['flags'][A][0][0]}/approve", data={"csrf_token": csrf}).status_code == 403


def test_a_post_without_the_csrf_token_changes_nothing(world):
    client = reviewer(world)
    mine = world["flags"][A][0][0]
    assert client.post(f"/flags/{mine}/ack").status_code == 400
    assert client.post(f"/flags/{mine}/ack", data={"csrf_token": "forged"}).status_code == 400
    assert client.post(f"/flags/{mine}/dismiss", data={"reason": "无需修改"}).status_code == 400
    assert state(world, mine) == "open"
    assert client.post(f"/flags/{mine}/ack", data={"csrf_token": token_of(client)}).status_code == 302
    assert state(world, mine) == "acknowledged"


def _resolvable(world):
    """A's flag on 第五十条 (罚款收缴) and the basis that fixes it."""
    db = world["db"]
    fid = next(f for f, name in world["flags"][A] if name == "罚款收缴")
    s = json.loads(db.execute("SELECT suggestion FROM flags WHERE id = ?", [fid]).fetchone()[0])
    return fid, f"《中华人民共和国行政处罚法》{s['new_label']}"


def test_submit_return_resubmit_approve(world):
    db = world["db"]
    fid, basis = _resolvable(world)
    a = reviewer(world)
    page = a.get(f"/flags/{fid}")
    assert page.status_code == 200 and "提交法制机构审核" in page.text
    r = a.post(f"/flags/{fid}/resolve", data={"csrf_token": _csrf(page.text), "basis": basis})
    assert r.status_code == 302
    assert state(world, fid) == "submitted"
    assert db.execute("SELECT basis_text FROM duties WHERE name = '罚款收缴' AND is_current = 1").fetchone()[0] != basis

    office = legal(world)
    queue = office.get("/queue")
    assert queue.status_code == 200 and basis in queue.text
    csrf = _csrf(queue.text)
    assert office.post(f"/flags/{fid}/return", data={"csrf_token": csrf, "reason": ""}).status_code == 409
    assert office.post(f"/flags/{fid}/return", data={"csrf_token": csrf, "reason": "请同时写明款项"}).status_code == 302
    assert state(world, fid) == "returned"
    inbox = a.get("/inbox").text                        # back in the department's inbox, with the reason
    assert f"#{fid}" in inbox and "请同时写明款项" in inbox

    page = a.get(f"/flags/{fid}")
    assert a.post(f"/flags/{fid}/resolve", data={"csrf_token": _csrf(page.text), "basis": basis}).status_code == 302
    assert state(world, fid) == "submitted"
    assert office.post(f"/flags/{fid}/approve", data={"csrf_token": csrf}).status_code == 302
    assert state(world, fid) == "resolved"
    assert db.execute("SELECT basis_text FROM duties WHERE name = '罚款收缴' AND is_current = 1").fetchone()[0] == basis
    actions = [r[0] for r in db.execute("SELECT action FROM audit WHERE object = ? ORDER BY id", [f"flag:{fid}"])]
    assert actions == ["flag.submit", "flag.return", "flag.submit", "flag.resolve", "flag.approve"]
    actors = {r[0] for r in db.execute("SELECT actor FROM audit WHERE object = ?", [f"flag:{fid}"])}
    assert actors == {f"{A}法制科（fk@a.gov.cn）", "法制办 王五（fzb@gov.cn）"}
    history = a.get(f"/flags/{fid}").text
    assert "审核通过" in history and "退回" in history
    # the revised power list: the duty's new basis, and the 对照表 says what changed, why and who approved
    wb = openpyxl.load_workbook(io.BytesIO(a.get(f"/powerlist.xlsx?department={world['deps'][A]}").data))
    listed = [[c.value for c in r] for r in wb["权责清单"].iter_rows(min_row=2)]
    assert any(r[2] == "罚款收缴" and r[5] == basis for r in listed)
    (row,) = [[c.value for c in r] for r in wb["对照表"].iter_rows(min_row=2)]
    assert row[2] == "罚款收缴" and row[4] == "《中华人民共和国行政处罚法》第五十条" and row[5] == basis
    assert row[7] == f"{A}法制科（fk@a.gov.cn）" and row[8] == "法制办 王五（fzb@gov.cn）" and row[9]


def test_a_missing_article_is_refused_before_submitting(world):
    fid, _ = _resolvable(world)
    a = reviewer(world)
    csrf = token_of(a)
    check = a.post("/api/cite", data={"csrf_token": csrf, "basis": "《中华人民共和国行政处罚法》第九百条"}).get_json()
    assert check["errors"] and check["citations"][0]["resolution"] == "unresolved"
    r = a.post(f"/flags/{fid}/resolve", data={"csrf_token": csrf, "basis": "《中华人民共和国行政处罚法》第九百条"})
    assert r.status_code == 422 and "不存在" in r.text
    assert state(world, fid) == "open"


def test_adopting_the_suggestion_fills_the_editor(world):
    fid, basis = _resolvable(world)
    a = reviewer(world)
    page = a.get(f"/flags/{fid}")
    assert "采用" in page.text
    filled = a.post(f"/flags/{fid}/adopt", data={"csrf_token": _csrf(page.text), "candidate": "0"})
    assert filled.status_code == 200 and f">{basis}</textarea>" in filled.text
    assert state(world, fid) == "open"


def test_without_legal_review_a_department_closes_at_once(world):
    world["settings"].workflow.legal_review = False
    fid, basis = _resolvable(world)
    a = reviewer(world)
    assert a.post(f"/flags/{fid}/resolve", data={"csrf_token": token_of(a), "basis": basis}).status_code == 302
    assert state(world, fid) == "resolved"


def test_password_sign_in_is_slowed_after_failures(world):
    users.add_user(world["db"], email="fzb@gov.cn", name="法制办 王五", role="legal",
                   password="correct-horse-battery", by="test")
    client = world["app"].test_client()
    csrf = _csrf(client.get("/signin").text)
    for _ in range(3):
        r = client.post("/signin", data={"csrf_token": csrf, "email": "fzb@gov.cn", "password": "guess"})
        assert r.status_code == 401
    r = client.post("/signin", data={"csrf_token": csrf, "email": "fzb@gov.cn", "password": "correct-horse-battery"})
    assert r.status_code == 429 and "秒后再试" in r.text
    assert client.get("/queue").status_code == 302
    world["db"].execute("DELETE FROM audit WHERE action = 'web.signin_failed'")
    r = client.post("/signin", data={"csrf_token": csrf, "email": "fzb@gov.cn", "password": "correct-horse-battery"})
    assert r.status_code == 302 and client.get("/queue").status_code == 200


def test_the_cookie_is_http_only_and_lax(world):
    client = world["app"].test_client()
    r = client.get("/signin")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    world["settings"].web.base_url = "https://yiju.example.gov.cn"
    secure = create_app(world["settings"], secret=SECRET).test_client().get("/signin").headers["Set-Cookie"]
    assert "Secure" in secure


def test_bulk_renumbering_preview_then_submit(world):
    a = reviewer(world)
    page = a.get("/bulk")
    assert page.status_code == 200
    if "没有可以一键更新条号的提示" in page.text:
        pytest.skip("no renumbering-only flag in this list")
    assert "<del>" in page.text
    before = world["db"].execute("SELECT count(*) FROM flags WHERE state = 'submitted'").fetchone()[0]
    assert a.post("/bulk", data={"csrf_token": _csrf(page.text), "department": world["deps"][A]}).status_code == 302
    after = world["db"].execute("SELECT count(*) FROM flags WHERE state = 'submitted'").fetchone()[0]
    assert after > before


def test_pages_and_downloads(world):
    a = reviewer(world)
    for path in ("/inbox", "/inbox?severity=high&state=all", "/report", "/laws", "/search?q=罚款", "/bulk"):
        assert a.get(path).status_code == 200, path
    report = a.get("/report").text
    assert "<svg" in report and B not in report
    assert "清单覆盖率" in report and "拟新增职权" in report     # completeness beside freshness (issue 17)
    law_id = world["db"].execute("SELECT id FROM laws").fetchone()[0]
    law = a.get(f"/laws/{law_id}").text
    assert "版本对照" in law and "罚款收缴" in law and "交通执法当场收缴" not in law
    for path in ("/report.xlsx", "/flags.xlsx?state=all", f"/powerlist.xlsx?department={world['deps'][A]}"):
        r = a.get(path)
        assert r.status_code == 200 and r.mimetype.endswith("sheet"), path
        wb = openpyxl.load_workbook(io.BytesIO(r.data))
        assert wb.sheetnames
    assert a.get(f"/powerlist.xlsx?department={world['deps'][B]}").status_code == 404
    feed = a.get("/feed.atom")
    assert feed.status_code == 200
    xml.dom.minidom.parseString(feed.data)
    key = re.search(r"/feed\.atom\?key=([\w.\-]+)", a.get("/laws").text).group(1)
    reader = world["app"].test_client()                     # a feed reader: no session, its key
    assert reader.get("/feed.atom").status_code == 403
    assert reader.get(f"/feed.atom?key={key}").status_code == 200
    assert reader.get(f"/feed.atom?key={key}x").status_code == 403


def test_users_commands(tmp_path, monkeypatch):
    config = tmp_path / "yiju.toml"
    config.write_text('[registry]\npath = "data/yiju.db"\nfiles = "data/files"\n', "utf-8")
    monkeypatch.setenv("YIJU_CONFIG", str(config))
    monkeypatch.setenv("YIJU_WEB_SECRET", SECRET)
    run = Yiju(config)
    r = run("users", "add", "fzb@gov.cn", "--name", "法制办 王五", "--role", "legal", "--password-stdin",
            input="short\n")
    assert r.exit_code == 2 and "至少" in r.output
    r = run("users", "add", "fzb@gov.cn", "--name", "法制办 王五", "--role", "legal", "--password-stdin",
            input="correct-horse-battery\n")
    assert r.exit_code == 0, r.output
    r = run("users", "list", "--json")
    assert json.loads(r.output)[0]["email"] == "fzb@gov.cn"
    r = run("users", "link", "fzb@gov.cn")
    assert r.exit_code == 0 and r.output.strip().startswith("http://127.0.0.1:8080/s/")
    r = run("users", "disable", "fzb@gov.cn")
    assert r.exit_code == 0 and "已停用" in r.output
    assert "已停用" in run("users", "list").output


def _duties_named(db, name):
    return db.execute("SELECT p.name FROM duties d JOIN posts p ON p.id = d.post_id "
                      "WHERE d.name = ? AND d.is_current = 1", [name]).fetchall()


def test_a_department_accepts_a_proposal_and_the_legal_office_signs_it_off(world):
    from registry import proposals as proposal_store

    db = world["db"]
    law_id, pid = add_proposal(world)
    other = reviewer(world, B, email="fk@b.gov.cn")
    assert "对拒不缴纳罚款的行政处罚" not in other.get("/proposals").text
    a = reviewer(world)
    page = a.get("/proposals")
    assert "对拒不缴纳罚款的行政处罚" in page.text and "采纳，提交法制机构审核</button>" in page.text
    assert "不采纳，提交法制机构审核</button>" in page.text
    assert '<span class="sev high">新</span>' in page.text                 # news, not the baseline
    assert "对拒不缴纳罚款的行政处罚" in a.get(f"/proposals?law={law_id}").text
    assert other.post(f"/proposals/{pid}/accept", data={"csrf_token": token_of(other, "/proposals"),
                                                         "post": "处罚科"}).status_code == 404
    r = a.post(f"/proposals/{pid}/accept", data={"csrf_token": _csrf(page.text), "post": "处罚科"})
    assert r.status_code == 302
    assert proposal_store.get(db, pid)["state"] == "submitted" and not _duties_named(db, "对拒不缴纳罚款的行政处罚")
    mine = a.get(r.location).text
    assert "拟新增职权 #%d 的采纳已提交法制机构审核" % pid in mine
    submitted = a.get("/proposals?state=submitted").text
    assert "已提交审核" in submitted and "拟采纳，岗位：处罚科" in submitted and "等待法制机构审核" in submitted
    assert a.post(f"/proposals/{pid}/approve", data={"csrf_token": _csrf(page.text)}).status_code == 403

    office = legal(world)
    assert office.get("/").location.endswith("/queue")
    queue = office.get("/queue").text
    assert f'id="review-proposal-{pid}"' in queue and "拟采纳，岗位：处罚科" in queue
    r = office.post(f"/proposals/{pid}/return", data={"csrf_token": _csrf(queue), "reason": ""})
    assert proposal_store.get(db, pid)["state"] == "submitted"                # a return needs a reason
    r = office.post(f"/proposals/{pid}/return", data={"csrf_token": _csrf(queue), "reason": "岗位应为执法监督科"})
    assert r.location.endswith("/queue") and proposal_store.get(db, pid)["state"] == "returned"
    back = a.get("/proposals?state=returned").text
    assert "已退回" in back and "岗位应为执法监督科" in back and "采纳，提交法制机构审核</button>" in back
    assert "岗位应为执法监督科" in a.get("/proposals").text          # 待处理, the default, lists it again
    dep = proposal_store.get(db, pid)["department_id"]
    assert proposal_store.open_by_department(db)[dep] >= 1           # and 评议考核 counts it as waiting

    a.post(f"/proposals/{pid}/accept", data={"csrf_token": _csrf(back), "post": "执法监督科", "state": "returned"})
    queue = office.get("/queue").text
    assert "拟采纳，岗位：执法监督科" in queue
    r = office.post(f"/proposals/{pid}/approve", data={"csrf_token": _csrf(queue)})
    assert "审核通过，已采纳，已加入部门权责清单" in office.get(r.location).text
    assert proposal_store.get(db, pid)["state"] == "accepted"
    assert _duties_named(db, "对拒不缴纳罚款的行政处罚") == [("执法监督科",)]
    assert f'id="review-proposal-{pid}"' not in office.get("/queue").text


def test_the_legal_office_or_a_department_without_review_accepts_at_once(world):
    from registry import proposals as proposal_store

    db = world["db"]
    _, first = add_proposal(world)
    _, second = add_proposal(world, "对逾期不缴纳罚款的行政处罚", "第七十二条|||行政处罚|")
    office = legal(world)
    page = office.get("/proposals")
    assert "采纳，提交法制机构审核" not in page.text
    r = office.post(f"/proposals/{first}/accept", data={"csrf_token": _csrf(page.text), "post": "行政处罚科"})
    assert r.status_code == 302 and proposal_store.get(db, first)["state"] == "accepted"
    assert _duties_named(db, "对拒不缴纳罚款的行政处罚") == [("行政处罚科",)]
    world["settings"].workflow.legal_review = False
    a = reviewer(world)
    page = a.get("/proposals").text
    assert "采纳</button>" in page and "提交法制机构审核" not in page
    a.post(f"/proposals/{second}/decline", data={"csrf_token": _csrf(page), "reason": "由区分局实施"})
    assert proposal_store.get(db, second)["state"] == "declined"

