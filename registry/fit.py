"""Which version of a law a power list's bases were written against, judged from the text.

A list imported without ``--as-of`` is checked against the texts in force today; a basis written in
2020 (《行政处罚法》第三十二条) may then "resolve" against a 2021 article of the same number about
something else. ``older_fit`` compares, for each cited law, how well the duties' names match the cited
articles in each version: when an older version fits clearly better, the list was most likely drawn
up while it was in force.

>>> sorted(bigrams("当场收缴罚款"))
['场收', '当场', '收缴', '缴罚', '罚款']
"""

from __future__ import annotations

import datetime as _dt
import json
import re

import sqlite_utils

_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]+")


def bigrams(text: str) -> set[str]:
    chars = _NOT_CJK.sub("", text or "")
    return {chars[i:i + 2] for i in range(len(chars) - 1)}


def older_fit(db: sqlite_utils.Database, duty_ids: list[int], *, margin: float = 1.5,
              minimum: int = 2) -> list[dict]:
    """Laws whose cited articles fit an older version better than the current one:
    [{"law_id", "title", "version_date", "until", "current": score, "older": score, "citations": n}]."""
    if not duty_ids:
        return []
    cited: dict[int, list[tuple[set[str], str]]] = {}
    for law_id, article, name in db.execute("""
            SELECT c.law_id, c.article, d.name FROM citations c JOIN duties d ON d.id = c.duty_id
            WHERE c.duty_id IN (SELECT value FROM json_each(?)) AND c.law_id IS NOT NULL
              AND c.article IS NOT NULL AND c.version_note IS NULL""", [json.dumps(duty_ids)]).fetchall():
        grams = bigrams(name)
        if grams:
            cited.setdefault(law_id, []).append((grams, article))
    out = []
    for law_id, items in cited.items():
        if len(items) < minimum:
            continue
        versions = db.execute(
            "SELECT id, promulgated, effective FROM versions WHERE law_id = ? AND review_state = 'accepted' "
            "ORDER BY coalesce(promulgated, ''), id", [law_id]).fetchall()
        if len(versions) < 2:
            continue
        labels = sorted({a for _, a in items})
        scores = []
        for vid, _, _ in versions:
            texts = {label: bigrams(text) for label, text in db.execute(
                f"SELECT label, text FROM articles WHERE version_id = ? AND label IN ({','.join('?' * len(labels))})",
                [vid, *labels]).fetchall()}
            scores.append(sum(len(g & texts.get(a, set())) / len(g) for g, a in items))
        current = scores[-1]
        best = max(range(len(scores) - 1), key=lambda i: scores[i])
        if scores[best] >= margin * max(current, 0.01) and scores[best] - current >= 0.5:
            nxt = versions[best + 1]
            boundary = nxt[2] or nxt[1]
            until = ((_dt.date.fromisoformat(boundary) - _dt.timedelta(days=1)).isoformat()
                     if boundary else None)
            title = db.execute("SELECT title FROM laws WHERE id = ?", [law_id]).fetchone()[0]
            out.append({"law_id": law_id, "title": title, "version_date": versions[best][1], "until": until,
                        "current": round(current, 2), "older": round(scores[best], 2), "citations": len(items)})
    return out
