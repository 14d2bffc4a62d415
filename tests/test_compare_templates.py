"""The 对照 templates: one article old beside new, and the full `yiju diff --html` page."""

from diffing.align import compare
from texts.structure import parse
from notify.templates import environment
from tests.conftest import law_text


def render_article(m) -> str:
    env = environment()
    return env.from_string('{% from "_duizhao.html.j2" import duizhao %}{{ duizhao(m) }}').render(m=m)


def test_a_renumbered_and_modified_article_shows_both_labels_and_the_marked_changes():
    c = compare(parse(law_text("行政处罚法", "2017-09-01")), parse(law_text("行政处罚法", "2021-01-22")))
    m = next(m for m in c.matches if m.old == ["第三十条"])
    html = render_article(m)
    assert "原第三十条 → 现第四十条" in html
    assert "<th>原第三十条</th><th>现第四十条</th>" in html
    assert "违法事实不清<ins>、证据不足</ins>的" in html
    assert "修改" in html and "实质修改" in html and "相似度 96%" in html


def test_a_stored_article_change_renders_the_same_way():
    # what diffing/events.py writes to article_changes, read back (labels and ops as lists)
    row = {"status": "deleted", "old_labels": ["第六十条"], "new_labels": [], "similarity": None,
           "substance": None, "ops": [[-1, "广告发布登记证件<b>作废</b>"]]}
    html = render_article(row)
    assert "删除原第六十条" in html
    assert "<del>广告发布登记证件&lt;b&gt;作废&lt;/b&gt;</del>" in html
    assert "（已删除）" in html


def test_paragraphs_stay_on_their_own_lines():
    m = {"status": "inserted", "old": [], "new": ["第二条"], "diff": [[1, "第一款。\n第二款。"]]}
    assert "<ins>第一款。<br>第二款。</ins>" in render_article(m)
    assert "新增第二条" in render_article(m)


def test_the_page_lists_changed_articles_and_counts_the_unchanged_ones():
    c = compare(parse(law_text("道路交通安全法", "2011-04-22")), parse(law_text("道路交通安全法", "2021-04-29")))
    page = environment().get_template("compare.html.j2").render(
        title="《中华人民共和国道路交通安全法》", comparison=c, old_title=c.old_title, new_title=c.new_title,
        old_name="2011-04-22.md", new_name="2021-04-29.md", check=[])
    assert page.count('<table class="duizhao') == 1
    assert "未变的条文（123 条）未列出" in page
    assert "比对结果与修改决定一致" in page
