"""The whole loop in a real browser (Debian's chromium under Selenium, nothing downloaded): an alert
e-mail caught by a real SMTP server on loopback → its link → the flag page → adopt the suggestion →
submit; the legal office signs in with a password and approves; ``yiju flags --json`` shows the flag
resolved and the 评议考核 page's figures moved.

Needs ``chromium``, ``chromium-driver`` (and ``fonts-noto-cjk`` for legible screenshots); ``.ci/run``
installs them. Skipped when they are missing.
"""

from __future__ import annotations

import csv
import io
import json
import pathlib
import re
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "tools"))

import browser  # noqa: E402
from notify_smtp import smtp_server  # noqa: E402

from config.settings import load  # noqa: E402
from impact import duties as duty_store  # noqa: E402
from impact.process import run_impact  # noqa: E402
from impact.record import record_version  # noqa: E402
from notify.publish import publish  # noqa: E402
from registry import users  # noqa: E402
from registry.schema import connect  # noqa: E402
from tests.conftest import Yiju, law_text  # noqa: E402
from yiju.web import create_app  # noqa: E402

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not browser.available(), reason="chromium, chromedriver or selenium missing")]

SECRET = "browser-test-secret-" + "q" * 20
A = "某市市场监督管理局"
CONTACT = "fgk@scjg.example.gov.cn"


def _csv(path: pathlib.Path, rows: list[list[str]]) -> pathlib.Path:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), "utf-8")
    return path


def _register(db, date, effective):
    record_version(db, title="中华人民共和国行政处罚法", text=law_text("行政处罚法", date), source="import",
                   source_id=f"行政处罚法/{date}", promulgated=date, effective=effective)


click = browser.click


def _closed_of(driver, department: str) -> str:
    row = next(r for r in driver.find_elements("css selector", "table.report tbody tr") if department in r.text)
    return row.find_element("css selector", "td[data-label='已办结']").text


def test_a_reviewer_follows_the_alert_and_the_legal_office_approves(tmp_path, monkeypatch):
    web_port = browser.free_port()
    base = f"http://127.0.0.1:{web_port}"
    monkeypatch.setenv("YIJU_WEB_SECRET", SECRET)
    with smtp_server() as (mailbox, smtp_port):
        config = tmp_path / "yiju.toml"
        config.write_text(
            '[registry]\npath = "data/yiju.db"\nfiles = "data/files"\n[digest]\ndir = "data/digests"\n'
            f'[mail]\nhost = "127.0.0.1"\nport = {smtp_port}\nsender = "yiju@fzb.example.gov.cn"\n'
            f'[web]\nbase_url = "{base}"\nport = {web_port}\n', "utf-8")
        monkeypatch.setenv("YIJU_CONFIG", str(config))
        settings = load(config)
        db = connect(settings.registry.path)
        monkeypatch.setenv("YIJU_TODAY", "2020-06-01")
        _register(db, "2017-09-01", "2018-01-01")
        duty_store.import_departments(db, _csv(tmp_path / "deps.csv", [["部门", "上级部门", "联系邮箱"], [A, "", CONTACT]]))
        duty_store.import_duties(db, _csv(tmp_path / "list.csv", [
            ["序号", "权力类型", "事项名称", "实施依据", "实施主体"],
            ["1", "行政征收", "罚款收缴", "《中华人民共和国行政处罚法》第五十条", A],
            ["2", "行政处罚", "听证", "《行政处罚法》第四十二条", A]]), by="导入员")
        monkeypatch.setenv("YIJU_TODAY", "2021-08-01")
        _register(db, "2021-01-22", "2021-07-15")
        run_impact(db)
        run_id = db["runs"].insert({"started": "2021-07-31T18:30:00+00:00", "state": "running"}).last_pk
        publish(db, settings, run_id)
        flag_id = db.execute("SELECT f.id FROM flags f JOIN duties d ON d.id = f.duty_id WHERE d.name = '罚款收缴'").fetchone()[0]
        users.add_user(db, email="fzb@example.gov.cn", name="法制办 王五", role="legal",
                       password="correct-horse-battery", by="test")
        db.conn.commit()

        (alert,) = [m["message"] for m in mailbox.to(CONTACT)]
        text = alert.get_body(("plain",)).get_content()
        link = re.search(re.escape(base) + r"/s/\S+\?next=/flags/" + str(flag_id), text).group(0)

    app = create_app(settings, secret=SECRET)
    shots = tmp_path / "screens"
    shots.mkdir()
    with browser.serving(app, port=web_port), browser.chrome(1280) as driver:
        driver.get(link)                                                   # the confirmation page
        assert "确认登录" in driver.page_source
        click(driver, "id", "confirm-signin")
        assert f"/flags/{flag_id}" in driver.current_url
        click(driver, "css selector", "button.adopt")  # adopt the suggested article
        basis = driver.find_element("id", "basis").get_attribute("value")
        assert basis.startswith("《中华人民共和国行政处罚法》第") and "第五十条" not in basis
        browser.full_screenshot(driver, shots / "flag-adopted.png", 1280)
        click(driver, "id", "submit-basis")
        assert "已提交法制机构审核" in driver.page_source
        assert db.execute("SELECT state FROM flags WHERE id = ?", [flag_id]).fetchone()[0] == "submitted"

        driver.get(base + "/report")
        before = _closed_of(driver, A)
        click(driver, "css selector", "form.who button")   # sign out

        driver.get(base + "/signin")                                       # the legal office, by password
        driver.find_element("name", "email").send_keys("fzb@example.gov.cn")
        driver.find_element("name", "password").send_keys("correct-horse-battery")
        click(driver, "css selector", "form.stack button")
        driver.get(base + "/queue")
        assert basis in driver.page_source
        click(driver, "link text", f"#{flag_id}")
        click(driver, "id", "approve")
        assert "审核通过" in driver.page_source
        driver.get(base + "/report")
        after = _closed_of(driver, A)
        browser.full_screenshot(driver, shots / "report-after.png", 1280)

    assert (before, after) == ("0", "1")
    listed = Yiju(config)("flags", "--state", "all", "--json")
    row = next(f for f in json.loads(listed.output) if f["id"] == flag_id)
    assert row["state"] == "resolved" and row["reviewed_by"] == "法制办 王五（fzb@example.gov.cn）"
    assert row["proposed_by"] == f"{A}联系人（{CONTACT}）"
    current = db.execute("SELECT basis_text FROM duties WHERE name = '罚款收缴' AND is_current = 1").fetchone()[0]
    assert current == basis
    db.close()
