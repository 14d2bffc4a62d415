"""The nightly digest e-mail on a phone: at 390 px nothing scrolls sideways (its tables of six and
seven columns wrap their headings), at 1280 px the column keeps its width. Measured in a real browser
(Debian's chromium under Selenium), the digest of the realistic night of the notify tests, in full
and in the short form a too-large digest is mailed in.

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

from notify.digest import render_digest  # noqa: E402

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not browser.available(), reason="chromium, chromedriver or selenium missing")]


@pytest.fixture
def digests(db, monkeypatch, tmp_path):
    monkeypatch.setenv("YIJU_TODAY", "2025-12-29")
    night = build_night(db)
    pages = []
    for summary in (False, True):
        html, _, _ = render_digest(db, night["run"], for_mail=True, summary=summary,
                                   digest_url="https://fzb.example.gov.cn/yiju/digests/2025-12-29-run2/digest.html")
        page = tmp_path / f"digest{'-short' if summary else ''}.html"
        page.write_text(html, "utf-8")
        pages.append(page)
    return pages


def test_the_digest_does_not_scroll_sideways_on_a_phone_and_keeps_its_width_on_a_desktop(digests):
    shots = pathlib.Path(os.environ["YIJU_SHOTS"]) if os.environ.get("YIJU_SHOTS") else None
    too_wide, columns = browser.phone_and_desktop(digests, shots, screens=6)
    assert not too_wide, "\n".join(too_wide)
    assert set(columns.values()) == {1180 + 2 * 28}
