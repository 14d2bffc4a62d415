"""Render the digest of the notify tests' realistic night and screenshot it in headless Chromium.

Not a test: a person looks at the PNG (layout, 对照 highlights, Chinese glyphs).
Needs Debian's ``chromium`` (and ``fonts-noto-cjk`` for the glyphs).

    .venv/bin/python tests/tools/digest_screenshot.py [OUT_DIR]     # default /tmp/yiju-digest

Prints the paths of the digest, its index, a department e-mail (.eml) and the screenshots.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(ROOT)]

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]


def screenshot(page: pathlib.Path, png: pathlib.Path, size: str = "1280,2400") -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("chromium is not installed (apt-get install -y chromium fonts-noto-cjk)")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={png}",
                        f"--window-size={size}", page.as_uri()],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)


def main() -> None:
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/yiju-digest")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    os.environ["YIJU_TODAY"] = "2025-12-29"

    from config.settings import Settings
    from notify.deliver import send_pending
    from notify.digest import write_digest
    from notify.publish import queue_run
    from notify_night import build_night
    from registry.schema import connect

    db = connect(out / "night.db")
    build_night(db)
    paths = write_digest(db, 2, out / "digests")
    settings = Settings()
    settings.mail.digest_to = ["fzb@example.gov.cn"]
    settings.mail.dry_run_dir = str(out / "eml")
    queue_run(db, settings, 2)
    report = send_pending(db, settings.mail)
    alert_html = out / "alert-scjg.html"
    row = db.execute("SELECT body_html FROM outbox WHERE recipient = 'zhangsan@example.gov.cn'").fetchone()
    alert_html.write_text(row[0], encoding="utf-8")
    shots = {"digest_png": out / "digest.png", "index_png": out / "index.png", "alert_png": out / "alert.png"}
    screenshot(paths["html"], shots["digest_png"])
    screenshot(paths["index"], shots["index_png"], "1280,500")
    screenshot(alert_html, shots["alert_png"], "1100,2400")
    for name, path in {**{k: v for k, v in paths.items()}, **shots}.items():
        print(f"{name}: {path}")
    for path in report.written:
        print(f"eml: {path}")


if __name__ == "__main__":
    main()
