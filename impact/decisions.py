"""Check each recorded amendment against the 修改决定 that made it (DESIGN §5).

>>> from registry.schema import connect
>>> check_recorded_changes(connect(":memory:"))
{'checked': 0, 'disagreements': 0}
"""

from __future__ import annotations

import json

from diffing.align import compare
from diffing.instruments import check, parse
from texts.structure import parse as parse_law


def check_recorded_changes(db) -> dict:
    """Check each amendment not yet analysed (impact pending) against its amending decision.

    The decision is an instrument of the same 公布日期 that names the law (crawlers keep them
    from flk's 修改、废止的决定 records and xgzl materials). Disagreements go to
    ``changes.check_notes`` (Chinese), and the change names its instrument: nothing is hidden.
    Returns counts: {"checked": n, "disagreements": n}.
    """
    stats = {"checked": 0, "disagreements": 0}
    changes = db.execute(
        "SELECT c.id, c.law_id, c.published, c.old_version_id, c.new_version_id, l.title, l.short_title "
        "FROM changes c JOIN laws l ON l.id = c.law_id WHERE c.kind IN ('amended', 'text_corrected') "
        "AND c.instrument_id IS NULL AND c.impact_done_at IS NULL AND c.published IS NOT NULL").fetchall()
    for change_id, law_id, published, old_id, new_id, title, short_title in changes:
        short = short_title or title.removeprefix("中华人民共和国")
        candidates = db.execute(
            "SELECT id, title, text FROM instruments WHERE text IS NOT NULL AND promulgated = ? "
            "AND (law_id = ? OR title LIKE ?) ORDER BY law_id IS NULL, id",
            [published, law_id, f"%{short}%"]).fetchall()
        for instrument_id, inst_title, inst_text in candidates:
            instructions = parse(inst_text, inst_title).instructions_for(title)
            if not instructions:
                continue
            old_text, new_text = (db.execute("SELECT text FROM versions WHERE id = ?", [v]).fetchone()[0]
                                  for v in (old_id, new_id))
            notes = check(compare(parse_law(old_text), parse_law(new_text)), instructions)
            db["changes"].update(change_id, {"instrument_id": instrument_id,
                                             "check_notes": json.dumps(notes, ensure_ascii=False)})
            stats["checked"] += 1
            stats["disagreements"] += len(notes)
            break
    return stats
