"""The department alert e-mail on a phone: at 390 px nothing scrolls sideways, at 1280 px it reads
as before. Measured in a real browser (Debian's chromium under Selenium), the e-mails as queued for
the realistic night of the notify tests, one of them also carrying 拟新增职权 and a long link.

Screenshots go to ``$YIJU_SHOTS`` when it is set (a person looks at them).
"""

from __future__ import annotations

import os
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "tools"))

import browser  # noqa: E402
from notify_night import build_night  # noqa: E402

from config.settings import MailSettings, Settings  # noqa: E402
from notify import outbox  # noqa: E402
from notify.alerts import queue_department_alerts  # noqa: E402
from registry import proposals as proposal_store  # noqa: E402

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not browser.available(), reason="chromium, chromedriver or selenium missing")]


def _proposal(db, department_id: int, law_id: int, n: int) -> None:
    proposal_store.insert(db, {
        "department_id": department_id, "law_id": law_id, "version_id": None, "change_id": None,
        "power_key": f"第{n}条|||行政处罚|", "article": f"第一千一百{n}条", "paragraph": 2, "item": n,
        "type": "行政处罚", "name": "对未依法取得排污许可证排放大气污染物或者超过排放标准排放大气污染物的行政处罚",
        "measures": ["罚款", "责令停产整治"], "authority": "县级以上地方人民政府生态环境主管部门",
        "authority_level": "县级以上", "shared": 1,
        "basis_text": f"《中华人民共和国生态环境法典》第一千一百{n}条第二款第（{n}）项", "clause": "……",
        "due": "2026-08-15", "baseline": 0, "created_run_id": 2})


def write_alerts(db, out: pathlib.Path) -> list[pathlib.Path]:
    """The realistic night's department alerts (one with 拟新增职权 and a long link) as HTML files."""
    night = build_night(db)
    law_id = db.execute("SELECT id FROM laws ORDER BY id").fetchone()[0]
    for n in range(1, 4):
        _proposal(db, night["scjg"], law_id, n)
    settings = Settings()
    settings.digest.base_url = ("https://fzb.example.gov.cn/yiju/digests/2025-12-29-run2-"
                                "departmentalertsforthewholecitylegalaffairsoffice/digest.html")
    settings.mail = MailSettings(sender="yiju@fzb.example.gov.cn", digest_to=["fzb@example.gov.cn"])
    queue_department_alerts(db, 2, settings)
    pages = []
    for row in outbox.listing(db):
        if row["kind"] == "department_alert":
            page = out / f"alert-{row['id']}.html"
            page.write_text(outbox.get(db, row["id"])["body_html"], "utf-8")
            pages.append(page)
    return pages


@pytest.fixture
def alerts(db, monkeypatch, tmp_path):
    monkeypatch.setenv("YIJU_TODAY", "2025-12-29")
    pages = write_alerts(db, tmp_path)
    assert len(pages) >= 4 and any("拟新增职权" in p.read_text("utf-8") for p in pages)
    return pages


def test_no_alert_scrolls_sideways_on_a_phone_and_the_desktop_view_keeps_its_width(alerts):
    shots = pathlib.Path(os.environ["YIJU_SHOTS"]) if os.environ.get("YIJU_SHOTS") else None
    too_wide, columns = browser.phone_and_desktop(alerts, shots)
    assert not too_wide, "\n".join(too_wide)
    # the desktop view: the mail's column still uses its width (no phone layout on a desktop)
    assert set(columns.values()) == {1180 + 2 * 28}     # the column at its full width, its padding as before
