"""Flags raised on a wrong alignment are put right on upgrade, as corrections (issue 12).

tests/data/upgrade/registry-a84c420-cyber.db.xz was written by the release of commit a84c420
(make_registry_cyber.py beside it): 网络安全法 2016 imported, a department's power list citing it,
the 2025 text imported, a night that told the department, one flag acknowledged. That release
aligned old 第六十四条 and 第六十六条 as deleted (严重, no successor) and sent a citation of old
第六十九条第（一）项 to new 第七十条; the 2025 decision merges 64, 66 and 70 into 第七十一条 and old
69（一） into the first 款 of new 第六十九条.
"""

from __future__ import annotations

import email
import email.header
import json
import lzma
import sqlite3

import pytest

from tests.conftest import TEST_DATA, Yiju

OLD = TEST_DATA / "upgrade" / "registry-a84c420-cyber.db.xz"


@pytest.fixture
def upgraded(tmp_path, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2026-08-02")   # the day after the old release's night
    path = tmp_path / "data" / "yiju.db"
    path.parent.mkdir()
    path.write_bytes(lzma.decompress(OLD.read_bytes()))
    config = tmp_path / "yiju.toml"
    config.write_text('[registry]\npath = "data/yiju.db"\nfiles = "data/files"\n[digest]\ndir = "data/digests"\n'
                      '[mail]\ndry_run_dir = "mail"\nsender = "yiju@fzb.demo.gov.cn"\n'
                      'digest_to = ["fzb@demo.gov.cn"]\n', encoding="utf-8")
    return path, Yiju(config), tmp_path


def _by_citation(flags: list[dict]) -> dict[str, dict]:
    return {f["citation"]: f for f in flags}


def _mail(folder, kind: str, recipient: str) -> tuple[str, str]:
    [path] = [p for p in folder.glob("*.eml") if kind in p.name and recipient in p.name]
    message = email.message_from_bytes(path.read_bytes())
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    body = next(p.get_payload(decode=True).decode("utf-8") for p in message.walk()
                if p.get_content_type() == "text/plain")
    return subject, body


def test_the_fixture_holds_the_old_alignments_wrong_flags(upgraded):
    path, _, _ = upgraded
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT c.raw, f.severity, f.reason, f.notified_run_id FROM flags f "
                        "JOIN citations c ON c.id = f.citation_id").fetchall()
    migrations = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")]
    conn.close()
    assert migrations == ["0001_initial", "0002_reported_and_notified"]
    told = {raw: (severity, reason) for raw, severity, reason, run in rows if run == 1}
    assert told["《中华人民共和国网络安全法》第六十四条第一款"] == ("critical", "《中华人民共和国网络安全法》2025-10-28修改，第六十四条已被删除")
    assert told["《中华人民共和国网络安全法》第六十六条"][0] == "critical"
    assert "现为第七十条" in told["《中华人民共和国网络安全法》第六十九条第（一）项"][1]


def test_the_next_night_corrects_the_flags_and_tells_the_department_it_is_a_correction(upgraded):
    path, yiju, root = upgraded
    before = json.loads(yiju("flags", "--state", "all", "--json").stdout)

    night = yiju("run", "--no-crawl", "--json")
    assert night.exit_code == 0, night.output

    after = json.loads(yiju("flags", "--state", "all", "--json").stdout)
    assert sorted(f["id"] for f in after) == sorted(f["id"] for f in before)   # no new alarm
    flags = _by_citation(after)

    # told 已删除, now told where it went: merged into 第七十一条, the cited 款 is item （二） of its first 款
    first = flags["《中华人民共和国网络安全法》第六十四条第一款"]
    assert first["severity"] == "high" and first["state"] == "open"
    assert "合并为第七十一条" in first["reason"] and "已被删除" not in first["reason"]
    assert first["suggestion"]["new_place"] == "第七十一条第一款第（二）项"
    assert first["correction"]["severity"] == "critical"
    assert first["correction"]["reason"].endswith("第六十四条已被删除")
    second = flags["《中华人民共和国网络安全法》第六十四条第二款"]
    assert second["severity"] == "high" and second["suggestion"]["new_place"] == "第七十一条第二款"
    whole = flags["《中华人民共和国网络安全法》第六十六条"]
    assert whole["severity"] == "high" and "第七十一条" in whole["suggestion"]["new_labels"]
    # old 69（一） was pointed at new 第七十条: it is in the first 款 of new 第六十九条; still acknowledged
    item = flags["《中华人民共和国网络安全法》第六十九条第（一）项"]
    assert item["state"] == "acknowledged"
    assert item["suggestion"]["new_place"] == "第六十九条第一款"
    assert "现为第七十条" in item["correction"]["reason"]
    # what was right stays as it was, words and all
    untouched = {f["id"]: f for f in before}
    for f in after:
        if f["correction"] is None:
            assert (f["severity"], f["reason"], f["due"]) == (untouched[f["id"]]["severity"],
                                                              untouched[f["id"]]["reason"], untouched[f["id"]]["due"])
    assert sum(f["correction"] is not None for f in after) == 4
    assert first["due"] == untouched[first["id"]]["due"]

    # the flag's history says it was corrected, by yiju
    shown = json.loads(yiju("flags", "show", first["id"], "--json").stdout)
    assert [h["action"] for h in shown["history"]][-1] == "flag.correct"
    assert shown["history"][-1]["actor"] == "yiju"
    text = yiju("flags", "show", first["id"]).stdout
    assert "更正：此前通知此项为【严重】" in text and "yiju  更正：严重 → 较高" in text

    # the digest and the department's alert say 更正, with what was said before
    [digest] = (root / "data" / "digests").glob("*-run2/digest.md")
    text = digest.read_text("utf-8")
    assert "其中 4 处是对此前提示的更正" in text
    assert f"[较高][更正] #{first['id']}" in text and "此前通知为[严重]" in text
    subject, body = _mail(root / "mail", "department_alert", "wxb@demo.gov.cn")
    assert "更正" in subject and "4 处" in subject
    assert "【更正】" in body and "此前通知此项为【严重】" in body and "第七十一条第一款第（二）项" in body

    # the renumbering flags were right: the one-click fix still applies to them
    assert flags["《中华人民共和国网络安全法》第四十一条"]["suggestion"] == {"new_label": "第四十三条", "one_click": True}

    # and the correction is made once: the next night has nothing to put right
    again = yiju("impact", "--json")
    assert json.loads(again.stdout)["realigned"]["changes"] == 0
    assert json.loads(yiju("flags", "--state", "all", "--json").stdout) == after


def test_the_workspace_shows_the_correction_and_offers_where_the_paragraph_is_now(upgraded):
    from config.settings import Settings
    from registry import users
    from registry.schema import connect
    from yiju.web import create_app

    path, yiju, root = upgraded
    assert yiju("impact").exit_code == 0
    settings = Settings()
    settings.registry.path = path
    settings.registry.files = root / "data" / "files"
    settings.web.base_url = "http://127.0.0.1:8080"
    db = connect(path)
    [first] = [f for f in json.loads(yiju("flags", "--json").stdout)
               if f["citation"] == "《中华人民共和国网络安全法》第六十四条第一款"]
    department = db.execute("SELECT id FROM departments").fetchone()[0]
    uid = users.department_user(db, department, email="wxb@demo.gov.cn", name="网信办法制科")
    app = create_app(settings, secret="s" * 32)
    app.config["TESTING"] = True
    client = app.test_client()
    token = users.issue_link(db, "s" * 32, uid, f"/flags/{first['id']}", days=7, purpose="test")
    page = client.get(f"/s/{token}")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    client.post(f"/s/{token}", data={"csrf_token": csrf})
    shown = client.get(f"/flags/{first['id']}").text
    assert "<dt>更正</dt>" in shown and "此前通知此项为【严重】" in shown
    assert "第七十一条第一款第（二）项" in shown       # the candidate to adopt is the exact 项
    db.close()


def test_a_flag_the_change_no_longer_touches_is_closed_as_a_correction(db):
    # an old release called 第二条 deleted; both texts hold it word for word (moved after a new 第二条)
    from impact.process import run_impact
    from tests.builders import Builder, cite

    b = Builder(db)
    law = b.law("中华人民共和国示例法")
    kept = "县级以上人民政府生态环境主管部门对本行政区域内的环境保护工作实施统一监督管理。"
    v1 = b.version(law, "2020-01-01", {"第一条": "为了示例，制定本法。", "第二条": kept, "第三条": "本法自公布之日起施行。"})
    v2 = b.version(law, "2024-01-01", {"第一条": "为了示例，制定本法。", "第二条": kept, "第三条": "本法自公布之日起施行。"})
    change = b.change(law, "amended", v1, v2, published="2024-01-01", effective="2024-01-01",
                      articles=[("deleted", ["第二条"], [])], alignment=None)
    db["changes"].update(change, {"impact_done_at": "2024-01-02T00:00:00+00:00"})
    duty = b.duty(b.department("某局"), "示例职权", [cite(law, v1, "第二条", raw="《示例法》第二条")])
    cid = db.execute("SELECT id FROM citations WHERE duty_id = ?", [duty]).fetchone()[0]
    db["flags"].insert({"duty_id": duty, "citation_id": cid, "change_id": change, "severity": "critical",
                        "reason": "《中华人民共和国示例法》2024-01-01修改，第二条已被删除", "suggestion": "{}",
                        "due": "2024-02-01", "state": "open", "created_at": "2024-01-02", "updated_at": "2024-01-02",
                        "notified_run_id": None})

    result = run_impact(db)

    assert result["realigned"] == {"changes": 1, "corrected": 0, "closed": 1, "new_flags": 0}
    flag = b.flag_of(duty)
    assert flag["state"] == "dismissed" and flag["updated_by"] == "yiju"
    assert "此次修改并未改变所引条文" in flag["reason"] and flag["closing_note"] == flag["reason"]
    assert json.loads(flag["correction"])["reason"].endswith("第二条已被删除")
    assert db.execute("SELECT count(*) FROM article_changes WHERE change_id = ?", [change]).fetchone()[0] == 0


def test_the_department_told_deleted_is_told_the_flag_is_withdrawn(tmp_path):
    """A flag closed by a correction reaches the department's alert once: withdrawn, nothing to do."""
    from registry.schema import connect
    from tests.builders import Builder, cite

    config = tmp_path / "yiju.toml"
    config.write_text('[registry]\npath = "data/yiju.db"\nfiles = "data/files"\n[digest]\ndir = "data/digests"\n'
                      '[mail]\ndry_run_dir = "mail"\nsender = "yiju@fzb.demo.gov.cn"\n', "utf-8")
    db = connect(tmp_path / "data" / "yiju.db")
    b = Builder(db)
    law = b.law("中华人民共和国示例法")
    kept = "县级以上人民政府生态环境主管部门对本行政区域内的环境保护工作实施统一监督管理。"
    texts = {"第一条": "为了示例，制定本法。", "第二条": kept, "第三条": "本法自公布之日起施行。"}
    v1, v2 = b.version(law, "2020-01-01", texts), b.version(law, "2024-01-01", texts)
    change = b.change(law, "amended", v1, v2, published="2024-01-01", effective="2024-01-01",
                      articles=[("deleted", ["第二条"], [])], alignment=None)      # as an old release said
    db["changes"].update(change, {"impact_done_at": "2024-01-02T00:00:00+00:00"})
    dep = b.department("某局")
    db["departments"].update(dep, {"emails": '["fazhi@mouju.gov.cn"]'})
    duty = b.duty(dep, "示例职权", [cite(law, v1, "第二条", raw="《示例法》第二条")])
    cid = db.execute("SELECT id FROM citations WHERE duty_id = ?", [duty]).fetchone()[0]
    db["flags"].insert({"duty_id": duty, "citation_id": cid, "change_id": change, "severity": "critical",
                        "reason": "《中华人民共和国示例法》2024-01-01修改，第二条已被删除", "suggestion": "{}",
                        "due": "2024-02-01", "state": "open", "created_at": "2024-01-02", "updated_at": "2024-01-02",
                        "notified_run_id": None})
    db.close()

    assert Yiju(config)("run", "--no-crawl").exit_code == 0
    subject, body = _mail(tmp_path / "mail", "department_alert", "fazhi@mouju.gov.cn")
    assert "更正" in subject
    assert "此前通知此项为【严重】" in body and "第二条已被删除" in body
    assert "此项已撤销，无需处理。" in body and "yiju flags resolve" not in body
    again = Yiju(config)("run", "--no-crawl")                                        # told once
    assert again.exit_code == 0 and len(list((tmp_path / "mail").glob("*department_alert*"))) == 1
