"""Changes aligned by an older alignment, aligned again; the flags they raised put right.

A change keeps the article alignment of the release that recorded it (``article_changes``, with
the generation in ``changes.alignment``). When the alignment improves (``diffing.align.ALIGNMENT``
is raised), every change of an older generation is aligned again from its two stored texts the
next time impact runs — ``yiju run``, ``yiju impact``, an import or a crawl — so a registry
written by an older release is put right on its first night after the upgrade, without anyone
asking for it. Then each flag the change raised is judged again, as a new flag would be:

- a flag still with someone (open, acknowledged, submitted, returned) whose verdict changed — its
  severity, or where the cited provision is now (网络安全法 2016 → 2025: old 第六十四条 was told
  已删除, it was merged into 第七十一条) — is **corrected**: updated in place (severity, reason,
  suggestion), what it said before kept in ``flags.correction``, an audit row ``flag.correct``,
  and told again (``notified_run_id`` cleared) so that the next digest and the department's alert
  say 更正, not a new alarm; its date and due date stay;
- a flag whose citation the change no longer touches is closed (dismissed by yiju, with a note)
  and told the same way;
- a closed flag keeps its words (what a person decided stays decided); only its link to the
  article change follows the new alignment;
- a flag whose verdict is the same keeps its words: only the link follows.

A citation the new alignment touches that had no flag gets one, like any finding. Citations of
the laws concerned are resolved again (their ``current_label``).

>>> from registry.schema import connect
>>> realign_changes(connect(":memory:"))["changes"]
0
"""

from __future__ import annotations

import json
import logging
import re

import sqlite_utils

from config.clock import now
from diffing.align import ALIGNMENT, compare
from diffing.provisions import provision_map
from impact import decisions
from impact import duties as duty_import  # a module: impact.duties → process → realign is a cycle
from impact.assess import ChangeView, Finding, store
from impact.record import article_rows
from impact.rules import ACTIVE, REASONS
from registry import changes as change_store
from registry import citations as citation_store
from registry import flags as flag_store
from registry import laws as law_store
from registry.audit import write_audit
from texts.structure import parse

log = logging.getLogger(__name__)

_ARTICLE = re.compile(r"^第[^条]+条(?:之[一二三四五六七八九十]+)?")


def _targets(suggestion: dict) -> tuple[str, ...]:
    """The new articles a verdict sends a citation to (empty: none, e.g. deleted).

    >>> _targets({"new_place": "第六十九条第一款", "new_label": "第六十九条"}), _targets({})
    (('第六十九条',), ())
    """
    labels = [suggestion["new_place"]] if suggestion.get("new_place") else (
        [suggestion["new_label"]] if suggestion.get("new_label") else list(suggestion.get("new_labels") or []))
    out = []
    for label in labels:
        m = _ARTICLE.match(label or "")
        out.append(m.group(0) if m else label)
    return tuple(sorted(set(out)))


def _gist(severity: str, suggestion: dict) -> tuple:
    """What a department acts on: how serious, and where the provision is now."""
    return severity, _targets(suggestion)


def realign_changes(db: sqlite_utils.Database, run_id: int | None = None) -> dict:
    """Align again every change of an older alignment generation; correct its flags.

    Returns {"changes", "corrected", "closed", "new_flags", "flags"} (flags: the findings stored
    as new flags, for ``run_impact``'s figures).
    """
    out: dict = {"changes": 0, "corrected": 0, "closed": 0, "new_flags": 0, "flags": []}
    laws: set[int] = set()
    for change in change_store.to_realign(db, ALIGNMENT):
        with db.atomic():
            done = _realign(db, change, run_id)
        if done is None:
            continue
        out["changes"] += 1
        laws.add(change["law_id"])
        for key in ("corrected", "closed"):
            out[key] += done[key]
        out["flags"] += done["flags"]
    out["new_flags"] = len(out["flags"])
    if laws:
        from_duties = _reresolve(db, sorted(laws))
        log.info("realigned %d changes: %d flags corrected, %d closed, %d new; %d citations re-resolved",
                 out["changes"], out["corrected"], out["closed"], out["new_flags"], from_duties)
    return out


def _reresolve(db, law_ids: list[int]) -> int:
    return duty_import.reresolve_citations(db, law_ids)


def _realign(db, change: dict, run_id: int | None) -> dict | None:
    old_text = law_store.version_text(db, change["old_version_id"])
    new_text = law_store.version_text(db, change["new_version_id"])
    if not old_text or not new_text:
        db["changes"].update(change["id"], {"alignment": ALIGNMENT})
        return None
    old, new = parse(old_text), parse(new_text)
    comparison = compare(old, new)
    changed = [m for m in comparison.matches if m.status != "unchanged"]
    provisions = provision_map(old, new, comparison) if changed else None
    flags = flag_store.of_change(db, change["id"])
    change_store.realign(db, change["id"], article_rows(changed, provisions), summary=comparison.summary,
                         alignment=ALIGNMENT)
    decisions.recheck(db, change, comparison)   # the decision's check notes, with the new alignment
    view = ChangeView(db, change_store.get_change(db, change["id"]))
    done = {"corrected": 0, "closed": 0, "flags": []}
    if change["impact_done_at"] is None:
        return done  # impact has not looked at it yet: it will, with the new alignment
    cits = citation_store.refs(db, [f["citation_id"] for f in flags])
    stamp = now()
    for flag in flags:
        cit = cits.get(flag["citation_id"])
        finding = view.assess(cit) if cit is not None else None
        if flag["state"] not in ACTIVE:
            flag_store.relink(db, flag["id"], finding.article_change_id if finding else None)
            continue
        before = json.loads(flag["suggestion"] or "{}")
        if finding is not None and _gist(finding.severity, finding.suggestion) == _gist(flag["severity"], before):
            flag_store.relink(db, flag["id"], finding.article_change_id)
            continue
        correction = {"at": stamp, "alignment": ALIGNMENT, "severity": flag["severity"], "reason": flag["reason"],
                      "suggestion": before}
        if finding is None:
            note = REASONS["realigned_unaffected"]
            flag_store.correct(db, flag["id"], severity=flag["severity"], reason=note,
                               suggestion=flag["suggestion"], article_change_id=None,
                               correction={**correction, "state": flag["state"]}, state="dismissed",
                               closing_note=note)
            done["closed"] += 1
            after = {"state": "dismissed", "note": note}
        else:
            flag_store.correct(db, flag["id"], severity=finding.severity, reason=finding.reason,
                               suggestion=finding.suggestion_json or json.dumps(finding.suggestion, ensure_ascii=False),
                               article_change_id=finding.article_change_id, correction=correction)
            done["corrected"] += 1
            after = {"severity": finding.severity, "reason": finding.reason}
        write_audit(db, actor="yiju", action="flag.correct", obj=f"flag:{flag['id']}",
                    detail={"change_id": change["id"], "alignment": ALIGNMENT,
                            "from": {"severity": flag["severity"], "reason": flag["reason"]}, "to": after})
    flagged = {f["citation_id"] for f in flags}
    fresh: list[Finding] = [f for f in (view.assess(c) for c in view.citations() if c["id"] not in flagged) if f]
    done["flags"] = store(db, fresh, run_id)
    return done
