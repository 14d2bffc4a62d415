"""Impact processing: every change not yet processed, and every duty added since the last pass.

>>> from registry.schema import connect
>>> run_impact(connect(":memory:"))["changes"]
0
"""

from __future__ import annotations

import logging

import sqlite_utils

from impact import proposals
from impact.assess import ChangeView, Finding, assess_against_processed, store
from impact.realign import realign_changes
from impact.reconcile import reconcile
from impact.record import settle_repeals
from impact.rules import RULES, SEVERITIES
from registry import changes as change_store
from registry import citations as citation_store
from registry import duties as duty_store
from registry import flags as flag_store
from registry.audit import write_audit

log = logging.getLogger(__name__)

#: Re-imported duties reconciled in one transaction.
RECONCILE_BATCH = 500


def run_impact(db: sqlite_utils.Database, run_id: int | None = None) -> dict:
    """Process the changes not yet processed, and duties added since the last pass.

    Returns figures: changes processed, new flags (and by severity), duties newly flagged,
    duties checked against earlier changes, and the current duties' unresolved citations —
    a finding of their own (the department cites a law yiju does not know, or cites it wrongly).
    """
    settle_repeals(db)
    # changes an older alignment computed (a registry written by an earlier release): aligned
    # again, their flags put right and told as corrections
    realigned = realign_changes(db, run_id)
    start_watermark = duty_store.impact_watermark(db)
    top_duty = duty_store.max_duty_id(db)
    created: list[Finding] = list(realigned["flags"])
    views: dict[int, ChangeView] = {}

    # 1. duties added since the last pass, against the changes processed before them; a new
    #    version of a flagged duty (a list imported again) takes over or closes its flags
    carried = {"resolved": 0, "moved": 0}
    if top_duty > start_watermark:
        successors = flag_store.reimported_duties(db, start_watermark)
        for start in range(0, len(successors), RECONCILE_BATCH):
            # one commit a batch, not a duty: a commit waits for the disk (5,000 re-imported duties
            # took 2.6–20.7 s one commit each, by the machine's load — bench/impact.py case D)
            with db.atomic():
                for duty_id, key in successors[start:start + RECONCILE_BATCH]:
                    outcome = reconcile(db, key, duty_id, by="yiju", named=None,
                                        note=RULES["notes"]["reimported"], views=views, run_id=run_id)
                    carried["resolved"] += len(outcome["resolved"])
                    carried["moved"] += len(outcome["moved"])
                    created += outcome["created"]
        done = {duty_id for duty_id, _ in successors}
        new_cits = [c for c in citation_store.current_since(db, start_watermark) if c["duty_id"] not in done]
        if new_cits:
            with db.atomic():
                created += store(db, assess_against_processed(db, new_cits, views), run_id)
    new_duties = duty_store.count_current_since(db, start_watermark)

    # 2. changes not processed yet, against every current duty
    per_change = []
    pending = change_store.unprocessed(db)
    for change in pending:
        view = ChangeView(db, change)
        with db.atomic():
            made: list[Finding] = []
            if view.flags_anything:
                made = store(db, [f for f in (view.assess(c) for c in view.citations()) if f], run_id)
            change_store.mark_impact_done(db, change["id"])
        created += made
        per_change.append({"change_id": change["id"], "law": view.law_title, "kind": view.kind,
                           "flags": len(made)})
        log.info("impact of change %s (%s %s): %d new flags", change["id"], view.kind, view.law_title, len(made))

    # 3. the other half of re-decomposition: powers the new texts give a department that its list
    #    lacks (the first pass on a registry is a baseline: every law, reported as figures)
    proposed = {"proposals": 0, "reopened": 0, "withdrawn": 0, "baseline": False}
    if not proposals.store.any_proposal_run(db) and (pending or top_duty):
        proposed = proposals.generate(db, run_id=run_id, baseline=True)
    elif pending:
        proposed = proposals.for_changes(db, pending, run_id=run_id)
    # after an upgrade that reads powers differently: what the new reading finds is baseline,
    # after the changes above had their news
    reread = proposals.refresh(db, run_id=run_id)
    if reread:
        proposed["reread"] = reread["proposals"] + reread["reopened"]
        proposed["withdrawn"] += reread["withdrawn"]
    proposed = {k: v for k, v in proposed.items() if k != "ids"}

    by_severity = {s: 0 for s in SEVERITIES}
    for f in created:
        by_severity[f.severity] += 1
    result = {
        "changes": len(pending),
        "flags": len(created),
        "by_severity": by_severity,
        "duties": len({f.duty_id for f in created}),
        "new_duties_checked": new_duties,
        "carried_over": carried,
        "unresolved_citations": citation_store.count_unresolved(db),
        "per_change": per_change,
        "proposals": proposed,
        "realigned": {k: v for k, v in realigned.items() if k != "flags"},
    }
    if pending or top_duty > start_watermark or realigned["changes"]:
        with db.atomic():
            duty_store.set_impact_watermark(db, top_duty)
            write_audit(db, actor="yiju", action="impact",
                        obj=f"run:{run_id}" if run_id is not None else "impact",
                        detail={k: v for k, v in result.items() if k != "per_change"})
    return result
