"""Impact processing: every change not yet processed, and every duty added since the last pass.

>>> from registry.schema import connect
>>> run_impact(connect(":memory:"))["changes"]
0
"""

from __future__ import annotations

import json
import logging

import sqlite_utils

from config.clock import now
from impact.assess import RULES, SEVERITIES, _CIT_COLS, ChangeView, Finding, _assess_against_processed, _dicts, store
from impact import proposals
from impact.reconcile import reconcile

log = logging.getLogger(__name__)


def run_impact(db: sqlite_utils.Database, run_id: int | None = None) -> dict:
    """Process the changes not yet processed, and duties added since the last pass.

    Returns figures: changes processed, new flags (and by severity), duties newly flagged,
    duties checked against earlier changes, and the current duties' unresolved citations —
    a finding of their own (the department cites a law yiju does not know, or cites it wrongly).
    """
    start_watermark = _watermark(db)
    top_duty = db.execute("SELECT coalesce(max(id), 0) FROM duties").fetchone()[0]
    created: list[Finding] = []
    views: dict[int, ChangeView] = {}

    # 1. duties added since the last pass, against the changes processed before them; a new
    #    version of a flagged duty (a list imported again) takes over or closes its flags
    new_cits = []
    carried = {"resolved": 0, "moved": 0}
    if top_duty > start_watermark:
        successors = db.execute(  # the subquery is small and runs once: active flags of old versions
            "SELECT d.id, d.duty_key FROM duties d WHERE d.id > ? AND d.is_current = 1 AND d.duty_key IN "
            "(SELECT o.duty_key FROM flags f JOIN duties o ON o.id = f.duty_id "
            "WHERE f.state IN ('open', 'acknowledged') AND o.is_current = 0)", [start_watermark]).fetchall()
        for duty_id, key in successors:
            with db.atomic():
                outcome = reconcile(db, key, duty_id, by="yiju", named=None, note=RULES["notes"]["reimported"],
                                    views=views, run_id=run_id)
            carried["resolved"] += len(outcome["resolved"])
            carried["moved"] += len(outcome["moved"])
            created += outcome["created"]
        done = {duty_id for duty_id, _ in successors}
        new_cits = [c for c in _dicts(db.execute(
            f"SELECT {_CIT_COLS} FROM citations c JOIN duties d ON d.id = c.duty_id "
            "WHERE d.id > ? AND d.is_current = 1 AND c.law_id IN "
            "(SELECT law_id FROM changes WHERE impact_done_at IS NOT NULL)",
            [start_watermark],
        )) if c["duty_id"] not in done]
        if new_cits:
            with db.atomic():
                created += store(db, _assess_against_processed(db, new_cits, views), run_id)
    new_duties = db.execute("SELECT count(*) FROM duties WHERE id > ? AND is_current = 1",
                            [start_watermark]).fetchone()[0]

    # 2. changes not processed yet, against every current duty
    per_change = []
    pending = _dicts(db.execute("SELECT * FROM changes WHERE impact_done_at IS NULL ORDER BY id"))
    for change in pending:
        view = ChangeView(db, change)
        with db.atomic():
            made: list[Finding] = []
            if view.flags_anything:
                made = store(db, [f for f in (view.assess(c) for c in view.citations()) if f], run_id)
            db.execute("UPDATE changes SET impact_done_at = ? WHERE id = ?", [now(), change["id"]])
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
    proposed = {k: v for k, v in proposed.items() if k != "ids"}

    by_severity = {s: 0 for s in SEVERITIES}
    for f in created:
        by_severity[f.severity] += 1
    unresolved = db.execute(
        "SELECT count(*) FROM citations c JOIN duties d ON d.id = c.duty_id "
        "WHERE d.is_current = 1 AND c.resolution = 'unresolved'").fetchone()[0]
    result = {
        "changes": len(pending),
        "flags": len(created),
        "by_severity": by_severity,
        "duties": len({f.duty_id for f in created}),
        "new_duties_checked": new_duties,
        "carried_over": carried,
        "unresolved_citations": unresolved,
        "per_change": per_change,
        "proposals": proposed,
    }
    if pending or top_duty > start_watermark:
        db["audit"].insert({
            "at": now(), "actor": "yiju", "action": "impact",
            "object": f"run:{run_id}" if run_id is not None else "impact",
            "detail": json.dumps({**{k: v for k, v in result.items() if k != "per_change"},
                                  "duty_watermark": top_duty}, ensure_ascii=False),
        })
    return result


def _watermark(db) -> int:
    """The highest duty id the previous impact pass saw (0 before the first pass)."""
    row = db.execute("SELECT detail FROM audit WHERE action = 'impact' ORDER BY id DESC LIMIT 1").fetchone()
    if not row:
        return 0
    try:
        return int(json.loads(row[0]).get("duty_watermark", 0))
    except (ValueError, TypeError):
        return 0
