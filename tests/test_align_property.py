"""Property: random insertions, deletions, edits, splits and merges applied to a real law are
recovered by the alignment, whatever they do to the numbering.

The amended copy is renumbered 第一条 … as a 修正 republishes a law. Operations touch articles at
least three apart: a deletion right next to an insertion is a rewrite in place, which a reader
(and the alignment) takes for a modified article.
"""

import random

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from diffing.align import compare
from texts.numerals import article_label
from texts.structure import Article, LawText, Paragraph, parse
from tests.conftest import law_text

BASE = parse(law_text("行政许可法", "2019-04-23"))
# Unrelated articles to insert (another field of law), none of them a commencement clause.
DONORS = [a for a in parse(law_text("文物保护法", "2024-11-08")).articles
          if len(a.text) > 30 and "施行" not in a.text][:60]
PHRASES = ["，法律、行政法规另有规定的除外", "，并予以公告", "县级以上地方", "，情节严重的，依法从重处罚"]
KINDS = ["insert", "delete", "edit", "split", "merge"]


def edited(paragraphs: tuple[Paragraph, ...], seed: int) -> tuple[Paragraph, ...]:
    """The same 款 with a few words changed somewhere (a typical amendment of wording)."""
    rng = random.Random(seed)
    k = rng.randrange(len(paragraphs))
    p = paragraphs[k]
    text = p.text or "".join(p.items)
    at = rng.randrange(1, max(2, len(text)))
    how = rng.randrange(3)
    if how == 0:
        text = text[:at] + rng.choice(PHRASES) + text[at:]
    elif how == 1:
        text = text[:at] + "有关部门" + text[at + 3:]
    else:
        cut = max(1, len(text) // 12)
        text = text[:at] + text[at + cut:]
    if p.text:
        new = Paragraph(text, p.items)
    else:
        new = Paragraph("", (text,))
    return paragraphs[:k] + (new,) + paragraphs[k + 1:]


def apply(ops):
    """The amended law and what each old and new article should be aligned with."""
    pieces = []  # (paragraphs, old indices it comes from, kind)
    old = BASE.articles
    plan = {pos: (kind, seed) for kind, pos, seed in ops}
    skip = set()
    for i, art in enumerate(old):
        if i in skip:
            continue
        kind, seed = plan.get(i, (None, 0))
        if kind == "insert":
            donor = DONORS[seed % len(DONORS)]
            pieces.append((donor.paragraphs, [], "inserted"))
            pieces.append((art.paragraphs, [i], "kept"))
        elif kind == "delete":
            pieces.append((None, [i], "deleted"))
        elif kind == "edit":
            pieces.append((edited(art.paragraphs, seed), [i], "kept"))
        elif kind == "split" and len(art.paragraphs) >= 2:
            cut = 1 + seed % (len(art.paragraphs) - 1)
            pieces.append((art.paragraphs[:cut], [i], "split"))
            pieces.append((art.paragraphs[cut:], [i], "split"))
        elif kind == "merge" and i + 1 < len(old):
            pieces.append((art.paragraphs + old[i + 1].paragraphs, [i, i + 1], "kept"))
            skip.add(i + 1)
        else:
            pieces.append((art.paragraphs, [i], "kept"))
    articles, old_to_new, new_to_old = [], {}, {}
    for paragraphs, origin, _ in pieces:
        if paragraphs is None:
            for i in origin:
                old_to_new.setdefault(old[i].label, [])
            continue
        n = len(articles) + 1
        label = article_label(n)
        articles.append(Article(label, n, 0, n - 1, "", tuple(paragraphs)))
        new_to_old[label] = sorted(old[i].label for i in origin)
        for i in origin:
            old_to_new.setdefault(old[i].label, []).append(label)
    new = LawText(title=BASE.title, note="", headings=[], articles=articles)
    return new, old_to_new, new_to_old


def spaced(ops):
    """Keep operations at least three articles apart (see the module docstring)."""
    kept, last = [], -10
    for kind, pos, seed in sorted(ops, key=lambda o: o[1]):
        if pos - last >= 3:
            kept.append((kind, pos, seed))
            last = pos
    return kept


operations = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(0, len(BASE.articles) - 2), st.integers(0, 10**6)),
    min_size=1, max_size=10,
).map(spaced)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
# found by Hypothesis: old 第七十二条（六） says what 第三十一条第二款 says; deleting 72 is not a merge into 31
@example([("edit", 30, 1), ("delete", 71, 0)])
def test_random_amendments_are_recovered(ops):
    new, old_to_new, new_to_old = apply(ops)
    c = compare(BASE, new)
    got_old = {o: sorted(m.new) for m in c.matches for o in m.old}
    got_new = {n: sorted(m.old) for m in c.matches for n in m.new}
    assert got_old == {k: sorted(v) for k, v in old_to_new.items()}, ops
    assert got_new == new_to_old, ops
    changed_kinds = {kind for kind, *_ in ops}
    if "split" not in changed_kinds and "merge" not in changed_kinds:
        assert c.summary["split"] == c.summary["merged"] == 0


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(0, len(BASE.articles) - 1), min_size=1, max_size=6, unique=True))
def test_only_renumbered_articles_keep_similarity_one(deleted):
    """Deleting articles renumbers the rest; every survivor is found with its text unchanged."""
    new, old_to_new, _ = apply([("delete", i, 0) for i in sorted(deleted)])
    c = compare(BASE, new)
    assert c.summary["deleted"] == len(deleted)
    assert c.summary["modified"] == 0
    assert all(m.similarity == 1.0 for m in c.matches if m.status in ("unchanged", "renumbered"))
