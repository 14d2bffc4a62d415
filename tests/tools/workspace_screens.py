"""Screenshots of every page of the review workspace on the demo's registry, desktop and phone.

Not a test: a person looks at the PNGs. Needs Debian's chromium, chromium-driver, fonts-noto-cjk.

    .venv/bin/yiju demo --workdir /tmp/yiju-demo
    .venv/bin/python tests/tools/workspace_screens.py /tmp/yiju-demo [OUT_DIR]   # default /tmp/yiju-screens
"""

from __future__ import annotations

import os
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]

from browser import chrome, full_screenshot, screen_by_screen, serving  # noqa: E402


def main() -> None:
    os.environ.setdefault("YIJU_TODAY", "2026-08-01")
    from config.settings import load
    from registry import users
    from registry.schema import connect
    from yiju.web import create_app

    workdir = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/yiju-demo")
    out = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else "/tmp/yiju-screens")
    out.mkdir(parents=True, exist_ok=True)
    settings = load(workdir / "yiju.toml", environ={})
    secret = "screens-" + "s" * 24
    db = connect(settings.registry.path)
    dep_id, dep = db.execute("SELECT d.id, d.name FROM departments d JOIN duties u ON u.department_id = d.id "
                             "JOIN flags f ON f.duty_id = u.id GROUP BY d.id ORDER BY count(*) DESC").fetchone()
    reviewer = users.department_user(db, dep_id, email="screens@demo.gov.cn", name="截图 审核人")
    legal = users.find_user(db, "fzb-screens@demo.gov.cn") or {"id": users.add_user(
        db, email="fzb-screens@demo.gov.cn", name="法制办 截图", role="legal", by="screens")}
    flag = db.execute("SELECT f.id FROM flags f JOIN duties d ON d.id = f.duty_id WHERE d.department_id = ? "
                      "AND json_extract(f.suggestion, '$.candidates') IS NOT NULL ORDER BY f.id", [dep_id]).fetchone()
    flag = flag[0] if flag else db.execute("SELECT min(id) FROM flags").fetchone()[0]
    law = db.execute("SELECT law_id FROM versions GROUP BY law_id HAVING count(*) > 1 ORDER BY law_id").fetchone()[0]
    # something for the legal office to review: a department's proposal, submitted as the page would
    from impact import flags as workflow
    one_click = db.execute("SELECT f.id, d.department_id FROM flags f JOIN duties d ON d.id = f.duty_id "
                           "WHERE json_extract(f.suggestion, '$.one_click') = 1 AND f.state = 'open' ORDER BY f.id").fetchone()
    renumbering = one_click[1] if one_click else dep_id
    proposed = db.execute("SELECT f.id FROM flags f WHERE f.state = 'submitted' LIMIT 1").fetchone()
    if not proposed:
        for fid, in db.execute("SELECT f.id FROM flags f WHERE f.state = 'open' AND f.severity = 'high' ORDER BY f.id").fetchall():
            d = workflow.flag_detail(db, fid)
            s = d["suggestion"]
            label = s.get("new_label") or (s.get("new_labels") or [None])[0]
            if not label:
                continue
            from impact.review import adopt
            from impact.rewrite import basis_column
            basis = adopt(d["duty"][basis_column(d["field"])] or "", d["citation_detail"], label=label)
            try:
                workflow.department_action(db, fid, action="resolve", basis=basis, by="截图 审核人（screens@demo.gov.cn）")
                break
            except workflow.FlagError:
                continue
    db.conn.commit()
    app = create_app(settings, secret=secret)
    proposed_id = db.execute("SELECT id FROM flags WHERE state = 'submitted' ORDER BY id").fetchone()
    proposed_id = proposed_id[0] if proposed_id else flag
    pages = {"department": [("inbox", "/inbox"), ("flag", f"/flags/{flag}"), ("bulk", "/bulk"),
                            ("report", "/report"), ("law", f"/laws/{law}"), ("search", "/search?q=罚款"),
                            ("proposals", "/proposals")],
             "legal": [("queue", "/queue"), ("legal-inbox", "/inbox"), ("legal-report", "/report"),
                       ("legal-bulk", f"/bulk?department={renumbering}"), ("legal-proposals", "/proposals"),
                       ("legal-flag", f"/flags/{proposed_id}")]}
    with serving(app) as base:
        for who, uid in (("department", reviewer), ("legal", legal["id"])):
            for width, tag in ((1280, "desktop"), (390, "phone")):
                with chrome(width) as driver:
                    driver.get(f"{base}/s/{users.issue_link(db, secret, uid, '/', days=1)}")
                    if who == "department" and width == 1280:
                        full_screenshot(driver, out / "signin-confirm-desktop.png", width)
                    driver.find_element("css selector", "form button").click()
                    for name, path in pages[who]:
                        driver.get(base + path)
                        png = out / f"{name}-{tag}.png"
                        if width < 500:
                            for one in screen_by_screen(driver, png, width):
                                print(one)
                        else:
                            full_screenshot(driver, png, width)
                            print(png)
    db.close()


if __name__ == "__main__":
    main()
