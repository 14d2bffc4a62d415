"""The digest of a realistic night: sections, source health first, 对照 of changed articles, index."""

from __future__ import annotations

import json
import pathlib
import sys

import pytest
from bs4 import BeautifulSoup

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "tools"))

from notify_night import build_night  # noqa: E402

from notify.digest import write_digest  # noqa: E402

SECTIONS = ["一、数据源状态", "二、新制定", "三、修改", "四、废止", "五、即将施行", "六、受影响的职权", "七、未能核对或已过时的依据",
            "八、逾期未处理的提示", "九、未跟踪的法律文件", "十、拟新增职权"]


@pytest.fixture
def night(db):
    return build_night(db)


@pytest.fixture
def digest(db, night, tmp_path):
    paths = write_digest(db, night["run"], tmp_path / "digests")
    html = paths["html"].read_text("utf-8")
    return {"paths": paths, "html": html, "soup": BeautifulSoup(html, "lxml"), "md": paths["md"].read_text("utf-8")}


def section(soup, title: str):
    """The elements between the <h2> titled ``title`` and the next <h2>."""
    h2 = next(h for h in soup.find_all("h2") if h.get_text(strip=True) == title)
    out = []
    for el in h2.find_next_siblings():
        if el.name == "h2":
            break
        out.append(el)
    return out


def text_of(elements) -> str:
    return "".join(el.get_text() for el in elements)


def duizhao(soup, heading: str):
    """The 对照 table whose heading row starts with ``heading``."""
    for table in soup.select("table.duizhao"):
        if table.caption.get_text(strip=True).startswith(heading):
            return table
    raise AssertionError(f"no 对照 for {heading}")


def test_files_are_named_by_date_and_run(digest):
    assert digest["paths"]["html"].relative_to(digest["paths"]["index"].parent).as_posix() == \
        "2025-12-29-run2/digest.html"
    assert digest["paths"]["md"].relative_to(digest["paths"]["index"].parent).as_posix() == \
        "2025-12-29-run2/digest.md"


def test_sections_in_order_with_the_failed_source_first(digest):
    soup = digest["soup"]
    assert [h.get_text(strip=True) for h in soup.find_all("h2")] == SECTIONS
    alarm = soup.select_one("div.alarm")
    # The warning comes before any section, names the source and says silence is not "no change".
    assert alarm.find_next("h2").get_text(strip=True) == SECTIONS[0]
    assert "flk" in alarm.get_text() and "WZWS-RAY" in alarm.get_text() and "不代表没有变动" in alarm.get_text()
    rows = {tr.find("td").get_text(strip=True): tr for tr in section(soup, SECTIONS[0])[0].find_all("tr")[1:]}
    assert "被限流或拦截" in rows["flk"].get_text() and "loud" in rows["flk"]["class"]
    assert "正常" in rows["xzfg"].get_text()


def test_enacted_repealed_and_upcoming(digest):
    soup = digest["soup"]
    enacted = text_of(section(soup, "二、新制定"))
    assert "《中华人民共和国危险化学品安全法》" in enacted and "2026-05-01" in enacted and "127" in enacted
    repealed = text_of(section(soup, "四、废止"))
    assert "《中华人民共和国食品卫生法》" in repealed and "由《中华人民共和国食品安全法》替代" in repealed
    upcoming = [tr.get_text(" ", strip=True) for tr in section(soup, "五、即将施行")[0].find_all("tr")[1:]]
    assert upcoming[0].startswith("《中华人民共和国网络安全法》") and "2026-01-01" in upcoming[0] and "3 天" in upcoming[0]
    assert upcoming[1].startswith("《中华人民共和国危险化学品安全法》") and "123 天" in upcoming[1]


def test_amended_law_shows_each_changed_article_side_by_side(digest):
    soup = digest["soup"]
    sections = {s.find("h3").get_text(" ", strip=True): s for s in soup.select("section.law")}
    (xzcf,) = [s for title, s in sections.items() if title.startswith("《中华人民共和国行政处罚法》")]
    assert "修订" in xzcf.find("h3").get_text() and "施行日期 2021-07-15" in xzcf.get_text()

    # Modified and renumbered: 原第三十二条 → 现第四十五条, the changed words highlighted on each side.
    table = duizhao(soup, "原第三十二条 → 现第四十五条")
    old, new = table.select_one("td.old"), table.select_one("td.new")
    assert "当事人有权进行陈述和申辩" in old.get_text() and "当事人有权进行陈述和申辩" in new.get_text()
    assert "加重" in "".join(d.get_text() for d in old.find_all("del"))
    assert "更重" in "".join(i.get_text() for i in new.find_all("ins"))
    assert not new.find_all("del") and not old.find_all("ins")

    # Split, deleted, inserted articles.
    split = duizhao(soup, "原第三十七条 → 现第四十三条、第五十五条、第五十六条")
    assert "拆分" in split.caption.get_text()
    assert "出示执法证件" in "".join(i.get_text() for i in split.select("td.new ins"))
    deleted = duizhao(soup, "删除原第六十三条")
    assert "罚款决定与罚款收缴分离" in deleted.select_one("td.old del").get_text()
    inserted = duizhao(soup, "新增第二条")
    assert inserted.select_one("td.new ins").get_text().strip()

    # Renumbered only (网络安全法): listed compactly, not as 对照.
    (wlaq,) = [s for title, s in sections.items() if title.startswith("《中华人民共和国网络安全法》")]
    renumbered = [li.get_text(strip=True) for li in wlaq.select("ul.renum li")]
    assert "原第二十一条 → 现第二十三条" in renumbered and len(renumbered) == 60
    assert "尚未施行" in wlaq.find("h3").get_text()


def test_affected_duties_per_department_worst_first(digest):
    soup = digest["soup"]
    summary = section(soup, "六、受影响的职权")[0]
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in summary.find_all("tr")[1:]]
    assert rows == [["市场监督管理局", "3", "1", "2", "0"],
                    ["城市管理综合执法局", "1", "1", "0", "0"],
                    ["网信办", "1", "0", "0", "1"]]
    scjg = soup.find("h3", string=lambda s: s and s.startswith("市场监督管理局")).find_next("table")
    first = scjg.find_all("tr")[1].get_text(" ", strip=True)
    assert first.startswith("严重") and "对生产经营腐败变质食品的处罚" in first
    assert "统计局" not in text_of(section(soup, "六、受影响的职权"))   # an older night's flag
    # a basis that names its law once (《网络安全法》第十条、第二十一条第一款): each flag still says which law
    assert "《中华人民共和国网络安全法》第二十一条第一款" in text_of(section(soup, "六、受影响的职权"))
    assert "：《中华人民共和国网络安全法》第二十一条第一款 ——" in digest["md"]


def test_unresolved_citations_are_listed(digest):
    text = text_of(section(digest["soup"], "七、未能核对或已过时的依据"))
    assert "《某某市市容管理办法》第十条" in text and "登记库中没有《某某市市容管理办法》" in text
    assert "《市场监督管理行政处罚程序规定》第二十二条" in text
    assert "已过时" in text   # a stale citation, as the glossary names it


def test_markdown_copy_has_the_same_content(digest):
    md = digest["md"]
    assert [line[3:] for line in md.splitlines() if line.startswith("## ")] == SECTIONS
    assert md.index("flk") < md.index("## 二、新制定")
    assert "#### 原第三十二条 → 现第四十五条" in md
    block = md[md.index("#### 原第三十二条 → 现第四十五条"):]
    block = block[:block.index("\n####", 1)]
    assert "> 行政机关不得因当事人~~申辩而加重~~处罚。" in block
    assert "> 行政机关不得因当事人**陈述、申辩而给予更重的**处罚。" in block
    assert "原第二十一条 → 现第二十三条" in md


def test_index_lists_every_digest_newest_first(db, night, tmp_path):
    out = tmp_path / "digests"
    write_digest(db, 1, out)
    paths = write_digest(db, 2, out)
    soup = BeautifulSoup(paths["index"].read_text("utf-8"), "lxml")
    links = [a["href"] for a in soup.select("td a") if a["href"].endswith(".html")]
    assert links == ["2025-12-29-run2/digest.html", "2025-12-28-run1/digest.html"]
    assert all((out / link).exists() for link in links)
    assert "flk 异常" in soup.get_text() and "未抓取" in soup.get_text()
    entry = json.loads((out / "2025-12-29-run2" / "digest.json").read_text("utf-8"))
    assert entry["totals"]["duties"] == 5


def test_a_night_without_crawl_or_news_says_so_loudly(db, night, tmp_path):
    run = db["runs"].insert({"started": "2026-01-01T18:30:00+00:00", "state": "succeeded", "stats": "{}"}).last_pk
    html = write_digest(db, run, tmp_path)["html"].read_text("utf-8")
    soup = BeautifulSoup(html, "lxml")
    assert "没有抓取任何数据源" in soup.select_one("div.alarm").get_text()
    assert "未发现法律法规的制定、修改、废止或施行" in soup.select_one("div.calm").get_text()


def test_a_source_that_returned_nothing_is_loud(db, tmp_path):
    stats = {"crawl": {"sources": {"flk": {"ok": True, "requests": 1, "listed": 0, "new_versions": 0,
                                            "status_changes": 0, "failures": 0}}}}
    run = db["runs"].insert({"started": "2026-03-01T18:30:00+00:00", "state": "succeeded",
                             "stats": json.dumps(stats)}).last_pk
    soup = BeautifulSoup(write_digest(db, run, tmp_path)["html"].read_text("utf-8"), "lxml")
    assert "未返回任何数据" in soup.select_one("div.alarm").get_text()


def test_law_text_cannot_inject_markup(db, night, tmp_path):
    db.execute("UPDATE laws SET title = ? WHERE id = ?",
               ["中华人民共和国<script>alert('x')</script>行政处罚法\nBcc: evil@example.com", night["xzcf_law"]])
    db.execute("UPDATE versions SET title = ? WHERE law_id = ?",
               ["中华人民共和国<script>alert('x')</script>行政处罚法", night["xzcf_law"]])
    db.execute("UPDATE duties SET name = ? WHERE id = ?",
               ["<img src=x onerror=alert(1)>复核", night["duties"]["modified"]])
    db.conn.commit()
    html = write_digest(db, 2, tmp_path)["html"].read_text("utf-8")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;复核" in html


def test_yiju_digest_command(yiju, tmp_path):
    from registry.schema import connect

    db = connect(tmp_path / "data" / "yiju.db")
    build_night(db)
    db.close()
    result = yiju("digest")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "digests" / "2025-12-29-run2" / "digest.html").exists()
    assert (tmp_path / "data" / "digests" / "index.html").exists()
    other = yiju("digest", "--run", "1", "--out", tmp_path / "x", "--json")
    assert json.loads(other.stdout)["html"].endswith("2025-12-28-run1/digest.html")
    missing = yiju("digest", "--run", "99")
    assert missing.exit_code == 2 and "没有第 99 次运行" in missing.output


def test_history_imported_at_once_is_a_baseline_not_news(db, tmp_path):
    """Issue 13 item 7: the first run after importing several versions of a law at once reports them
    as the baseline it now watches, not every historical amendment in full."""
    import shutil

    from impact.lawfiles import import_directory
    from tests.conftest import CORPUS

    from registry.night import claim_unreported

    for name in ("行政处罚法", "上海市检验检测条例"):
        shutil.copytree(CORPUS / name, tmp_path / "laws" / name)
    import_directory(db, tmp_path / "laws", tmp_path / "files")
    run = db["runs"].insert({"started": "2026-03-01T18:30:00+00:00", "state": "succeeded",
                             "stats": json.dumps({"crawl": {"skipped": True}})}).last_pk
    claim_unreported(db, run)
    md = write_digest(db, run, tmp_path / "digests")["md"].read_text("utf-8")
    baseline, amended = md.split("## 三、修改")
    assert "纳入监测的历史版本（基线）" in baseline and "2 部法律的历史版本" in baseline
    assert "《中华人民共和国行政处罚法》：1 次修改" in baseline
    assert "本次没有被修改的法律法规" in amended and "原文：" not in amended
