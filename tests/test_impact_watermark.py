"""The impact watermark (the highest duty id an impact pass saw) lives in ``watermarks``; a registry
from before migration 0003 keeps the value its audit log held, so upgrading re-checks nothing."""

from __future__ import annotations

import json

import sqlite_utils

from impact.process import run_impact
from registry.duties import impact_watermark
from registry.schema import connect, migrations
from tests.builders import Builder


def test_an_upgraded_registry_does_not_check_its_duties_again(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    migrations.apply(old, stop_before="0004_data_impact_watermark")
    b = Builder(old)
    department = b.department("某市市场监督管理局")
    duties = [b.duty(department, name) for name in ("登记", "检查", "处罚")]
    # what an impact pass of the old release left: its figures and the watermark, in the audit log
    old["audit"].insert({"at": "2026-01-01T00:00:00+00:00", "actor": "yiju", "action": "impact", "object": "impact",
                         "detail": json.dumps({"changes": 0, "duty_watermark": duties[-1]})})
    old.close()

    db = connect(path)
    assert impact_watermark(db) == duties[-1]
    assert run_impact(db)["new_duties_checked"] == 0
    Builder(db).duty(department, "许可")
    assert run_impact(db)["new_duties_checked"] == 1
    assert impact_watermark(db) == duties[-1] + 1
    assert "duty_watermark" not in db.execute("SELECT detail FROM audit ORDER BY id DESC LIMIT 1").fetchone()[0]


def test_a_registry_that_never_ran_impact_starts_from_nothing(tmp_path):
    path = tmp_path / "old.db"
    migrations.apply(sqlite_utils.Database(path), stop_before="0004_data_impact_watermark")
    db = connect(path)
    assert impact_watermark(db) == 0
    assert db["watermarks"].count == 0
