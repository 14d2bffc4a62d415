"""Check each recorded amendment against the 修改决定 that made it (DESIGN §5).

>>> from registry.schema import connect
>>> check_recorded_changes(connect(":memory:"))
{'checked': 0, 'disagreements': 0}
"""

from __future__ import annotations

from diffing.align import compare
from diffing.instruments import check, parse
from registry import changes as change_store
from registry import laws as law_store
from registry import instruments as instrument_store
from registry.instruments import decisions_for
from texts.structure import parse as parse_law


def check_recorded_changes(db) -> dict:
    """Check each amendment not yet analysed (impact pending) against its amending decision.

    The decision is an instrument of the same 公布日期 that names the law (crawlers keep them
    from flk's 修改、废止的决定 records and xgzl materials). Disagreements go to
    ``changes.check_notes`` (Chinese), and the change names its instrument: nothing is hidden.
    Returns counts: {"checked": n, "disagreements": n}.
    """
    stats = {"checked": 0, "disagreements": 0}
    for change in change_store.amendments_to_check(db):
        short = change["short_title"] or change["title"].removeprefix("中华人民共和国")
        for decision in decisions_for(db, published=change["published"], law_id=change["law_id"], short_title=short):
            instructions = parse(decision["text"], decision["title"]).instructions_for(change["title"])
            if not instructions:
                continue
            old_text, new_text = (law_store.version_text(db, v)
                                  for v in (change["old_version_id"], change["new_version_id"]))
            notes = check(compare(parse_law(old_text), parse_law(new_text)), instructions)
            change_store.set_check(db, change["id"], decision["id"], notes)
            stats["checked"] += 1
            stats["disagreements"] += len(notes)
            break
    return stats


def recheck(db, change: dict, comparison) -> list[str] | None:
    """Check a change against the decision it was checked against before, with a new alignment
    (``impact.realign``): the new notes, stored (None when the change has no decision)."""
    if not change.get("instrument_id"):
        return None
    decision = instrument_store.decision(db, change["instrument_id"])
    if decision is None:
        return None
    title = law_store.get_law(db, change["law_id"])["title"]
    instructions = parse(decision["text"], decision["title"]).instructions_for(title)
    if not instructions:
        return None
    notes = check(comparison, instructions)
    change_store.set_check(db, change["id"], decision["id"], notes)
    return notes
