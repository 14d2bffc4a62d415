"""Where did old 第X条第Y款第（Z）项 go — the one answer the registry gives.

``diffing.provisions.ProvisionMap.locate`` computes it from two texts; ``impact.record`` stores
its rows with each article change (``article_changes.provisions``, DESIGN §5 "paragraphs"). Every
place that asks reads it through here, so they never disagree:

- a flag (``impact.assess``): ``provision_row`` says where the cited 款/项 went (its suggestion's
  ``new_place``);
- a citation's resolution (``impact.resolve``: ``current_label``, what the digest's list of stale
  bases, ``yiju cite``, ``yiju duties`` and the basis editor say): ``step`` through each change;
- what to cite now (the e-mail's suggested basis, the workspace's candidates, apply-renumbering):
  ``cite_now`` of a flag's suggestion.

>>> ac = {"status": "merged", "old_labels": ["第六十四条", "第七十条"], "new_labels": ["第七十一条"],
...       "provisions": [{"old": {"article": "第六十四条", "paragraph": 1, "item": None},
...                       "new": {"article": "第七十一条", "paragraph": 1, "item": 2,
...                               "label": "第七十一条第一款第（二）项"}, "status": "modified"}]}
>>> step({"第六十四条": ac}, "第六十四条", 1, None)
Step(labels=['第七十一条'], place=('第七十一条', 1, 2), deleted=False)
>>> step({}, "第三条", 2, None)
Step(labels=['第三条'], place=('第三条', 2, None), deleted=False)
>>> same_place(("第三条", None, 1), "第三条", 1, 1), same_place(("第四条", 1, 1), "第三条", None, 1)
(True, False)
>>> cite_now({"new_label": "第七十一条", "new_place": "第七十一条第一款第（二）项"})
['第七十一条第一款第（二）项']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from texts.numerals import to_int
from texts.provisions import provision

Place = tuple[str, "int | None", "int | None"]   # (article, 款, 项) of a version


@dataclass
class Step:
    """Where a provision is after one change: the articles (``labels``, [] when deleted), the exact
    (article, 款, 项) when the 款/项 mapping knows it (``place``), and whether the cited words were
    deleted (``deleted``: the article, or the cited 款/项 of an article that lives on)."""

    labels: list[str]
    place: Place | None
    deleted: bool = False

    @property
    def label(self) -> str | None:
        """第七十一条第一款第（二）项 when the place is known, else the articles joined by 、."""
        if self.place is not None:
            return provision(*self.place)
        return "、".join(self.labels) or None


def provision_row(ac: Mapping, label: str, paragraph: int | None, item: int | None) -> dict | None:
    """The 款/项 row of an article change for a cited 款 or 项 of old article ``label`` (None when
    the citation names neither, or the change has no 款/项 mapping). A 项 without a 款 is read in
    the first 款 (第X条第（Z）项 of a one-款 article)."""
    if paragraph is None and item is None:
        return None
    if paragraph is None:
        paragraph = 1
    for row in ac.get("provisions") or ():
        old = row["old"]
        if old["article"] == label and old["paragraph"] == paragraph and old["item"] == item:
            return row
    return None


def step(by_label: Mapping[str, Mapping], label: str, paragraph: int | None = None,
         item: int | None = None) -> Step:
    """Where old ``label`` (its 第``paragraph``款, 第（``item``）项) is after the change whose article
    changes are ``by_label`` (old label → article change; a label not in it did not change)."""
    ac = by_label.get(label)
    if ac is None or ac["status"] == "unchanged":
        return Step([label], (label, paragraph, item) if paragraph or item else None)
    news = list(ac["new_labels"])
    if ac["status"] == "deleted" or not news:
        return Step([], None, True)
    row = provision_row(ac, label, paragraph, item)
    if row is not None and not row.get("warning"):
        new = row["new"]
        if new is None:
            return Step(news, None, True)
        return Step([new["article"]], (new["article"], new["paragraph"], new["item"]))
    if ac["status"] == "renumbered" and len(news) == 1 and not (row and row.get("warning")):
        return Step(news, (news[0], paragraph, item) if paragraph or item else None)
    return Step(news, None)


def same_place(place: Place | None, article: str, paragraph: int | None, item: int | None) -> bool:
    """Whether a place is the cited provision itself (第X条第（Z）项 is 第X条第一款第（Z）项)."""
    if place is None:
        return False
    a, p, z = place
    if item is not None and paragraph is None:
        paragraph = 1
    if z is not None and p is None:
        p = 1
    return (a, p, z) == (article, paragraph, item)


_PLACE = re.compile(r"^(第[^条]+条(?:之[一二三四五六七八九十]+)?)(?:第([一二三四五六七八九十百]+)款)?"
                    r"(?:第（([一二三四五六七八九十百]+)）项)?$")


def split_place(label: str | None) -> Place | None:
    """第七十一条第一款第（二）项 → ('第七十一条', 1, 2); 第七十一条 → ('第七十一条', None, None).

    >>> split_place("第七十一条第一款第（二）项"), split_place("第十条之一")
    (('第七十一条', 1, 2), ('第十条之一', None, None))
    """
    m = _PLACE.match(label or "")
    if not m:
        return None
    return (m.group(1), to_int(m.group(2)) if m.group(2) else None, to_int(m.group(3)) if m.group(3) else None)


def cite_now(suggestion: Mapping | None) -> list[str]:
    """What a flag says to cite now: the exact 款/项 when known (``new_place``), else the new
    article, else the new articles of a split or merger ([] when nothing: deleted, repealed)."""
    s = suggestion or {}
    if s.get("new_place"):
        return [s["new_place"]]
    if s.get("new_label"):
        return [s["new_label"]]
    return list(s.get("new_labels") or [])
