"""拟新增职权 signed off in a real browser (Debian's chromium under Selenium, nothing downloaded): a
department reviewer accepts a proposal with a post — it waits, 已提交审核, nothing on the list yet —
the legal office approves it in its 审核 queue, and the duty is on the department's list, citing the
provision. Neither page scrolls sideways on a phone (390 px) or at 1280 px.

Screenshots of the queue and the proposals page at both widths go to ``$YIJU_SHOTS`` when set.
"""

from __future__ import annotations

import os
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "tools"))

import browser  # noqa: E402
from browser import click  # noqa: E402
from workspace_world import A, SECRET, add_proposal, world  # noqa: E402,F401

from registry import proposals as proposal_store  # noqa: E402
from registry import users  # noqa: E402

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not browser.available(), reason="chromium, chromedriver or selenium missing")]


def _sign_in(driver, base, db, user_id, next_url):
    driver.get(f"{base}/s/{users.issue_link(db, SECRET, user_id, next_url, days=1)}")
    click(driver, "css selector", "form button")


def _shots(driver, shots, name):
    """The page at 1280 px (whole) and as a phone shows it (390 px); what scrolls sideways at each."""
    problems = []
    for width in (390, 1280):
        browser.emulate_width(driver, width if width == 390 else None)
        driver.set_window_size(1280, 900)
        driver.refresh()
        _, wider = browser.sideways(driver)
        if wider:
            problems.append(f"{name} at {width} px: {wider}")
        if shots and width == 390:
            browser.screen_by_screen(driver, shots / f"{name}-390.png", 390, most=2)
        elif shots:
            browser.full_screenshot(driver, shots / f"{name}-1280.png", 1280)
    browser.emulate_width(driver, None)
    return problems


def test_a_department_accepts_and_the_legal_office_approves_in_its_queue(world):
    db = world["db"]
    law_id, pid = add_proposal(world)
    add_proposal(world, "对逾期不缴纳罚款的行政处罚", "第七十二条|||行政处罚|")      # stays open
    dep = users.department_user(db, world["deps"][A], email="fk@a.gov.cn", name=f"{A}法制科")
    office = users.add_user(db, email="fzb@gov.cn", name="法制办 王五", role="legal", by="test")
    db.conn.commit()
    shots = pathlib.Path(os.environ["YIJU_SHOTS"]) if os.environ.get("YIJU_SHOTS") else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    sideways = []
    with browser.serving(world["app"]) as base, browser.chrome(1280) as driver:
        _sign_in(driver, base, db, dep, "/proposals")
        sideways += _shots(driver, shots, "proposals-department-open")
        row = driver.find_element("id", f"proposal-{pid}")
        button = row.find_element("id", f"accept-{pid}")
        assert button.text == "采纳，提交法制机构审核"
        row.find_element("name", "post").send_keys("执法监督科")
        click(driver, button)
        assert f"拟新增职权 #{pid} 的采纳已提交法制机构审核" in driver.find_element("css selector", "p.notice").text
        assert proposal_store.get(db, pid)["state"] == "submitted"
        assert not db.execute("SELECT 1 FROM duties WHERE name = '对拒不缴纳罚款的行政处罚'").fetchone()

        driver.get(f"{base}/proposals?state=submitted")
        row = driver.find_element("id", f"proposal-{pid}")
        assert "已提交审核" in row.text and "拟采纳，岗位：执法监督科" in row.text and "等待法制机构审核" in row.text
        sideways += _shots(driver, shots, "proposals-department-submitted")
        click(driver, "css selector", "form.who button")          # sign out

        _sign_in(driver, base, db, office, "/queue")
        assert "/queue" in driver.current_url
        row = driver.find_element("id", f"review-proposal-{pid}")
        assert "对拒不缴纳罚款的行政处罚" in row.text and "拟采纳，岗位：执法监督科" in row.text
        assert f"{A}法制科" in row.text
        sideways += _shots(driver, shots, "queue-proposal")
        driver.get(f"{base}/proposals")
        assert "1 项部门的采纳或不采纳待审核" in driver.page_source
        sideways += _shots(driver, shots, "proposals-legal")
        driver.get(f"{base}/queue")
        click(driver, "id", f"approve-{pid}")
        assert (f"拟新增职权 #{pid} 审核通过，已采纳，已加入部门权责清单"
                in driver.find_element("css selector", "p.notice").text)
        assert not driver.find_elements("id", f"review-proposal-{pid}")
        click(driver, "css selector", "form.who button")

        _sign_in(driver, base, db, dep, f"/laws/{law_id}")                          # the department's list
        duty = next(r for r in driver.find_elements("css selector", "table.flags tbody tr")
                    if "对拒不缴纳罚款的行政处罚" in r.text)
        assert A in duty.text and "第七十条" in duty.text and "需核对" not in duty.text
        driver.get(f"{base}/proposals?state=accepted")
        assert "已采纳" in driver.find_element("id", f"proposal-{pid}").text

    assert sideways == []
    row = db.execute("SELECT p.name, c.article, c.resolution FROM duties d JOIN posts p ON p.id = d.post_id "
                     "JOIN citations c ON c.duty_id = d.id WHERE d.name = '对拒不缴纳罚款的行政处罚'").fetchone()
    assert tuple(row) == ("执法监督科", "第七十条", "resolved")
    assert proposal_store.get(db, pid)["reviewed_by"] == "法制办 王五（fzb@gov.cn）"
