"""The review workspace's long lists, a page at a time: every 拟新增职权 can be reached (a city's legal
office has ~170 per environment bureau after 生态环境法典, a province thousands), the count says where
the reader is, the department, law and state filters work together and survive paging and acting.

The browser test drives Debian's chromium (Selenium) as the legal office would; the others use
Flask's test client.
"""

from __future__ import annotations

import pathlib
import re
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "tools"))

import browser  # noqa: E402

from registry import proposals as proposal_store  # noqa: E402
from registry import users  # noqa: E402
from workspace_world import A, B, HEADER, SECRET, _csrf, legal, reviewer, world  # noqa: E402,F401
from yiju.web.pages import PROPOSALS_PAGE  # noqa: E402

CODE = "中华人民共和国生态环境法典"
IN_A, IN_CODE = 230, 170         # A: 170 under the code, 60 under 行政处罚法; B: 20 under the code


def _law(db, title: str) -> int:
    return db["laws"].insert({"title": title, "short_title": title.removeprefix("中华人民共和国"), "level": "法律",
                              "status": "尚未生效", "created_at": "2026-03-12T00:00:00+00:00",
                              "updated_at": "2026-03-12T00:00:00+00:00"}).last_pk


def _propose(db, department_id: int, law_id: int, title: str, n: int, *, due: str | None, baseline: int = 0) -> int:
    return proposal_store.insert(db, {
        "department_id": department_id, "law_id": law_id, "version_id": None, "change_id": None,
        "power_key": f"{n}|||行政处罚|", "article": f"第{n}条", "paragraph": None, "item": None,
        "type": "行政处罚", "name": f"拟新增职权样例{law_id}-{n:04d}", "measures": ["罚款"],
        "authority": "生态环境主管部门", "authority_level": None, "shared": 0,
        "basis_text": f"《{title}》第{n}条", "clause": "……", "due": due, "baseline": baseline,
        "created_run_id": None})


@pytest.fixture
def many(world):
    """A: 170 proposals under the code (due 2026-08-15, the last 30 a baseline) and 60 under
    行政处罚法 (no due date); B: 20 under the code."""
    db = world["db"]
    code = _law(db, CODE)
    xzcf = db.execute("SELECT id FROM laws WHERE title = '中华人民共和国行政处罚法'").fetchone()[0]
    a, b = world["deps"][A], world["deps"][B]
    for n in range(1, IN_CODE + 1):
        _propose(db, a, code, CODE, n, due="2026-08-15", baseline=int(n > 140))
    for n in range(1, IN_A - IN_CODE + 1):
        _propose(db, a, xzcf, "中华人民共和国行政处罚法", 1000 + n, due=None)
    for n in range(1, 21):
        _propose(db, b, code, CODE, 2000 + n, due="2026-08-15")
    db.conn.commit()
    return {**world, "code": code, "xzcf": xzcf, "a": a, "b": b}


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr id="proposal-(\d+)">', html)]


def _count(html: str) -> str:
    return re.search(r'<span class="count">([^<]*)</span>', html).group(1)


def test_every_proposal_is_on_exactly_one_page_in_a_stable_order(many):
    office = legal(many)
    total = IN_A + 20
    first = office.get("/proposals").text
    assert _count(first) == f"共 {total} 项，第 1–{PROPOSALS_PAGE} 项"
    assert "仅列出前" not in first
    seen, page = [], 1
    while True:
        html = office.get(f"/proposals?page={page}").text
        ids = _ids(html)
        assert _count(html) == f"共 {total} 项，第 {len(seen) + 1}–{len(seen) + len(ids)} 项"
        seen += ids
        if 'rel="next"' not in html:
            break
        page += 1
    assert len(seen) == len(set(seen)) == total
    assert page == -(-total // PROPOSALS_PAGE)
    # news first (soonest due first), the baseline last
    rows = {r["id"]: r for r in proposal_store.list_proposals(many["db"])}
    order = [(rows[i]["baseline"], rows[i]["due"] is None) for i in seen]
    assert order == sorted(order)
    assert _ids(office.get("/proposals?page=999").text) == seen[-(total % PROPOSALS_PAGE or PROPOSALS_PAGE):]


def test_the_filters_work_together_and_survive_paging(many):
    office = legal(many)
    base = f"/proposals?department={many['a']}&law={many['code']}"
    html = office.get(base).text
    assert _count(html) == f"共 {IN_CODE} 项，第 1–{PROPOSALS_PAGE} 项"
    assert f"中华人民共和国生态环境法典（{IN_CODE}）" in html               # the law filter counts A's only
    links = re.findall(r'href="(/proposals\?[^"]+)"', html)
    assert links and all(f"department={many['a']}" in x and f"law={many['code']}" in x for x in links)
    last = office.get(f"{base}&page=4").text
    assert _count(last) == f"共 {IN_CODE} 项，第 151–{IN_CODE} 项"
    rows = {r["id"]: r for r in proposal_store.list_proposals(many["db"])}
    assert {(rows[i]["department_id"], rows[i]["law_id"]) for i in _ids(last)} == {(many["a"], many["code"])}
    # B has nothing under 行政处罚法: the choice stays, the list says 0
    none = office.get(f"/proposals?department={many['b']}&law={many['xzcf']}").text
    assert "没有待处理的拟新增职权" in none and "中华人民共和国行政处罚法（0）" in none and _ids(none) == []


def test_a_department_pages_through_its_own_only(many):
    b = reviewer(many, B, email="fk@b.gov.cn")
    html = b.get("/proposals").text
    assert _count(html) == "共 20 项，第 1–20 项" and 'rel="next"' not in html
    # asking for A's department shows B's own list, nothing of A's
    other = b.get(f"/proposals?department={many['a']}").text
    assert _count(other) == "共 20 项，第 1–20 项"


def test_acting_on_a_later_page_returns_to_it_with_the_filters(many):
    office = legal(many)
    page = office.get(f"/proposals?department={many['a']}&law={many['code']}&page=3")
    target = _ids(page.text)[-1]
    done = office.post(f"/proposals/{target}/decline", data={
        "csrf_token": _csrf(page.text), "reason": "由区分局实施", "department": many["a"], "law": many["code"],
        "state": "open", "page": 3})
    assert done.status_code == 302
    assert done.location == f"/proposals?department={many['a']}&law={many['code']}&page=3"
    assert proposal_store.get(many["db"], target)["state"] == "declined"
    declined = office.get(f"/proposals?state=declined&department={many['a']}").text
    assert _ids(declined) == [target] and "由区分局实施" in declined and "采纳</button>" not in declined


@pytest.mark.slow
@pytest.mark.skipif(not browser.available(), reason="chromium, chromedriver or selenium missing")
def test_the_legal_office_pages_to_the_last_proposal_and_accepts_it(many, tmp_path):
    from selenium.webdriver.support.ui import Select

    db = many["db"]
    uid = users.add_user(db, email="fzb2@gov.cn", name="法制办 赵六", role="legal", by="test")
    db.conn.commit()
    with browser.serving(many["app"]) as base, browser.chrome(1280) as driver:
        driver.get(f"{base}/s/{users.issue_link(db, SECRET, uid, '/proposals', days=1)}")
        browser.click(driver, "css selector", "form button")
        assert "/proposals" in driver.current_url
        count = driver.find_element("css selector", "nav.pages .count").text
        assert count == f"共 {IN_A + 20} 项，第 1–{PROPOSALS_PAGE} 项"

        # the department and the law chosen together, then paged: the filters stay
        Select(driver.find_element("name", "department")).select_by_visible_text(A)
        Select(driver.find_element("name", "law")).select_by_value(str(many["code"]))
        browser.click(driver, "css selector", "form.filters button")
        assert driver.find_element("css selector", "nav.pages .count").text == f"共 {IN_CODE} 项，第 1–50 项"
        browser.click(driver, "css selector", "nav.pages a[rel=next]")
        assert driver.find_element("css selector", "nav.pages .count").text == f"共 {IN_CODE} 项，第 51–100 项"
        assert Select(driver.find_element("name", "department")).first_selected_option.text == A
        assert Select(driver.find_element("name", "law")).first_selected_option.get_attribute("value") == str(many["code"])

        # to the last page by its number; the last proposal there is accepted
        browser.click(driver, driver.find_elements("css selector", "nav.pages a.button:not([rel])")[-1])
        assert driver.find_element("css selector", "nav.pages .count").text == f"共 {IN_CODE} 项，第 151–{IN_CODE} 项"
        row = driver.find_elements("css selector", "table.flags tbody tr")[-1]
        last = int(row.get_attribute("id").removeprefix("proposal-"))
        assert last == max(r["id"] for r in proposal_store.list_proposals(db, department_id=many["a"],
                                                                          law_id=many["code"]))
        row.find_element("name", "post").send_keys("行政处罚科")
        browser.click(driver, row.find_element("css selector", "button.primary"))
        assert f"拟新增职权 #{last} 已采纳" in driver.page_source
        # back on the same filtered page, one fewer
        assert driver.find_element("css selector", "nav.pages .count").text == f"共 {IN_CODE - 1} 项，第 151–{IN_CODE - 1} 项"
        assert Select(driver.find_element("name", "law")).first_selected_option.get_attribute("value") == str(many["code"])
    assert proposal_store.get(db, last)["state"] == "accepted"
    assert db.execute("SELECT count(*) FROM duties WHERE name = ? AND is_current = 1",
                      [proposal_store.get(db, last)["name"]]).fetchone()[0] == 1


def test_a_search_lists_every_duty_and_article_found_a_page_at_a_time(world, tmp_path):
    import csv
    import io

    from impact import duties as duty_store
    from yiju.web.pages import ARTICLES_PAGE, DUTIES_PAGE

    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(
        [HEADER, *[[str(n), "行政处罚", f"对违法行为{n:03d}的罚款", "《中华人民共和国行政处罚法》第八条", A]
                   for n in range(1, 121)]])
    (tmp_path / "more.csv").write_text(out.getvalue(), "utf-8")
    duty_store.import_duties(world["db"], tmp_path / "more.csv", by="导入员")
    world["db"].conn.commit()
    office = legal(world)
    found = office.get("/search?q=罚款").text
    duties = re.search(r"<h2>职权 <small class=\"muted\">(\d+) 项", found).group(1)
    articles = re.search(r"<h2>条文 <small class=\"muted\">(\d+) 条", found).group(1)
    assert int(duties) > 120 > DUTIES_PAGE and int(articles) > ARTICLES_PAGE
    assert f"共 {duties} 项，第 1–{DUTIES_PAGE} 项" in found and f"共 {articles} 项，第 1–{ARTICLES_PAGE} 项" in found
    # the duties' last page, the articles' second: each list keeps the other's page and the words
    last = -(-int(duties) // DUTIES_PAGE)
    both = office.get(f"/search?q=罚款&dpage={last}&apage=2").text
    assert f"第 {DUTIES_PAGE * (last - 1) + 1}–{duties} 项" in both
    assert f"第 {ARTICLES_PAGE + 1}–{min(int(articles), 2 * ARTICLES_PAGE)} 项" in both
    links = re.findall(r'href="(/search\?[^"]+)"', both)
    assert links and all("q=%E7%BD%9A%E6%AC%BE" in x for x in links)
    assert all("apage=2" in x or f"dpage={last}" in x for x in links)     # a link changes one list's page only
    names = set()
    for page in range(1, last + 1):
        names |= set(re.findall(r"<strong>(对违法行为\d{3}的罚款)</strong>", office.get(f"/search?q=罚款&dpage={page}").text))
    assert len(names) == 120
    # the law's page lists every duty citing it, a page at a time too
    law_id = world["db"].execute("SELECT id FROM laws WHERE title = '中华人民共和国行政处罚法'").fetchone()[0]
    citing = world["db"].execute("SELECT count(DISTINCT c.duty_id) FROM citations c JOIN duties d ON d.id = c.duty_id "
                                 "WHERE c.law_id = ? AND d.is_current = 1", [law_id]).fetchone()[0]
    law = office.get(f"/laws/{law_id}").text
    assert f"引用该法的职权 <small class=\"muted\">{citing} 项" in law and f"共 {citing} 项，第 1–{DUTIES_PAGE} 项" in law
    listed = set()
    for page in range(1, -(-citing // DUTIES_PAGE) + 1):
        listed |= set(re.findall(r'<td data-label="职权">([^<]+)', office.get(f"/laws/{law_id}?page={page}").text))
    assert len(listed) == citing


def test_the_list_of_laws_and_the_legal_offices_queue_page_too(world, monkeypatch):
    from yiju.web import pages

    monkeypatch.setattr(pages, "LAWS_PAGE", 1)
    db = world["db"]
    db["laws"].insert({"title": "中华人民共和国生态环境法典", "status": "尚未生效", "created_at": "2026-03-12T00:00:00+00:00",
                       "updated_at": "2026-03-12T00:00:00+00:00"})
    db.conn.commit()
    office = legal(world)
    first, second = office.get("/laws").text, office.get("/laws?page=2").text
    assert "共 2 部，第 1–1 部" in first and "共 2 部，第 2–2 部" in second
    assert "中华人民共和国行政处罚法</a>" in first + second and "中华人民共和国生态环境法典</a>" in first + second
    monkeypatch.setattr(pages, "PAGE", 1)
    for fid, _ in world["flags"][A][:2]:
        db.execute("UPDATE flags SET state = 'submitted', proposed_at = ? WHERE id = ?", [f"2021-08-0{fid}", fid])
    db.conn.commit()
    queue = [office.get(f"/queue?page={n}").text for n in (1, 2)]
    assert "待审核 <small class=\"muted\">2 项" in queue[0] and "共 2 项，第 2–2 项" in queue[1]
    shown = [re.findall(r'href="/flags/(\d+)"', q)[0] for q in queue]
    assert sorted(map(int, shown)) == sorted(fid for fid, _ in world["flags"][A][:2])


def test_a_laws_comparison_shows_every_changed_article_a_page_at_a_time(world, monkeypatch):
    from yiju.web import pages

    monkeypatch.setattr(pages, "CHANGED_PAGE", 40)
    office = legal(world)
    law_id = world["db"].execute("SELECT id FROM laws WHERE title = '中华人民共和国行政处罚法'").fetchone()[0]
    first = office.get(f"/laws/{law_id}").text
    changed = int(re.search(r"有变化的条文（(\d+)）", first).group(1))
    assert changed > 40 and "仅显示前" not in first
    a, b = re.findall(r'<option value="(\d+)" selected', first)[:2]
    shown = []
    for page in range(1, -(-changed // 40) + 1):
        html = office.get(f"/laws/{law_id}?a={a}&b={b}&cpage={page}").text
        shown += re.findall(r'<table class="duizhao', html)
        links = re.findall(r'href="(/laws/\d+\?[^"]*cpage[^"]*)"', html)
        assert all(f"a={a}" in x and f"b={b}" in x for x in links)
    assert len(shown) == changed


def test_the_queue_pages_its_proposals_apart_from_its_flags(world, monkeypatch):
    """A province's legal office may have hundreds of submitted 拟新增职权: every one is reached, a
    page at a time (``ppage``), and paging them keeps the flags' page."""
    from impact import proposals as proposal_flow
    from workspace_world import add_proposal
    from yiju.web import pages

    monkeypatch.setattr(pages, "PROPOSALS_PAGE", 2)
    db = world["db"]
    pids = [add_proposal(world, name=f"对第{n}种违法行为的行政处罚", key=f"第七十条|{n}||行政处罚|")[1] for n in range(1, 6)]
    for n, pid in enumerate(pids, 1):
        proposal_flow.department_action(db, pid, action="accept", by=f"科员{n}", post="处罚科")
    db.conn.commit()
    office = legal(world)
    shown = []
    for n in (1, 2, 3):
        page = office.get(f"/queue?ppage={n}&page=1").text
        assert "拟新增职权 <small class=\"muted\">5 项" in page
        assert f"共 5 项，第 {2 * n - 1}–{min(2 * n, 5)} 项" in page
        shown += [int(i) for i in re.findall(r'id="review-proposal-(\d+)"', page)]
    assert shown == pids                               # the longest waiting first, each once
