"""A duty got a new version: its flags follow it, close, or are raised again.

Used by the flag workflow (a basis resolved by hand) and by impact processing (a list imported
again). See ``reconcile``.
"""

from __future__ import annotations

import json

from impact.assess import assess_duties, store
from impact.rules import MESSAGES, FlagError
from registry import citations as citation_store
from registry import flags as flag_store
from registry.audit import write_audit


def reconcile(db, duty_key: str, new_duty_id: int, *, by: str, named: int | None, note: str,
              views: dict | None = None, run_id: int | None = None) -> dict:
    """After a duty got a new version: close the active flags of its older versions that the new
    citations fix, move the others onto the new version, and flag what the new citations still get
    wrong. ``views`` caches the changes between calls (impact.assess.ChangeView by change id).

    A flag is not fixed when a new citation is touched by the same change in the same way, or when
    a new citation repeats the old one word for word (same law, article, 款, 项) while the article
    now has another number: re-resolved as of today it would seem to cite the new text, but nobody
    changed it.
    """
    findings = assess_duties(db, [new_duty_id], views=views)
    waiting: dict[tuple, list] = {}
    for f in findings:
        waiting.setdefault((f.change_id, f.article_change_id, f.severity), []).append(f)
    active = flag_store.active_of_earlier_versions(db, duty_key, new_duty_id, named)
    fresh = citation_store.of_duty(db, new_duty_id)
    taken: set[tuple[int, int]] = set()  # (citation, change) pairs a flag now holds
    resolved, moved = [], []
    for old in active:
        same = waiting.get((old["change_id"], old["article_change_id"], old["severity"]))
        target = None
        if same:
            f = same.pop(0)
            target = f.citation_id
        elif old["article_change_id"] and old["article"] not in json.loads(old["new_labels"] or "[]"):
            for c in fresh:
                if (c["id"], old["change_id"]) not in taken and all(c[k] == old[k] for k in ("law_id", "article", "paragraph", "item")):
                    target = c["id"]
                    break
        if target is not None:
            if old["id"] == named:
                raise FlagError(MESSAGES["still_stale"].format(id=named))
            taken.add((target, old["change_id"]))
            flag_store.move(db, old["id"], duty_id=new_duty_id, citation_id=target, by=by)
            write_audit(db, actor=by, action="flag.move", obj=f"flag:{old['id']}",
                        detail={"duty_to": new_duty_id, "citation_to": target})
            moved.append(old["id"])
        else:
            flag_store.close(db, old["id"], "resolved", by=by,
                   note=MESSAGES["note_resolved"].format(id=named) if old["id"] == named else note)
            if old["id"] != named:
                write_audit(db, actor=by, action="flag.resolve", obj=f"flag:{old['id']}",
                            detail={"from": old["state"], "fixed_by_duty": new_duty_id, "with": named})
            resolved.append(old["id"])
    rest = [f for group in waiting.values() for f in group if (f.citation_id, f.change_id) not in taken]
    created = store(db, rest, run_id)
    new_ids = [flag_store.flag_id(db, f.duty_id, f.citation_id, f.change_id) for f in created]
    return {"resolved": resolved, "moved": moved, "new_flags": new_ids, "created": created}
