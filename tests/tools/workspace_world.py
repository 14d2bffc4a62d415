"""The review workspace's test world, shared by the tests that drive it (tests/test_web.py,
tests/test_web_paging.py): two departments import real power lists citing 行政处罚法 (2017
numbering); the 2021 revision flags them. A reviewer of each and the legal office sign in through
their links (Flask's test client).
"""

from __future__ import annotations

import csv
import io
import re

import pytest

from config.settings import Settings
from impact import duties as duty_store
from impact.process import run_impact
from impact.record import record_version
from registry import users
from registry.schema import connect
from tests.conftest import law_text
from yiju.web import create_app

SECRET = "test-secret-" + "x" * 24
A, B = "某市市场监督管理局", "某市交通运输局"
HEADER = ["序号", "权力类型", "事项名称", "实施依据", "实施主体"]
ROWS = [
    ["1", "行政征收", "罚款收缴", "《中华人民共和国行政处罚法》第五十条", A],
    ["2", "行政强制", "逾期不履行处罚决定的加处罚款", "《行政处罚法》第五十一条第（一）项", A],
    ["3", "行政处罚", "听证", "《行政处罚法》第四十二条", A],
    ["4", "行政征收", "交通执法当场收缴", "《行政处罚法》第四十七条", B],
    ["5", "行政处罚", "简易程序", "《行政处罚法》第三十三条", B],
]


def _register(db, date, effective):
    record_version(db, title="中华人民共和国行政处罚法", text=law_text("行政处罚法", date), source="import",
                   source_id=f"行政处罚法/{date}", promulgated=date, effective=effective)


@pytest.fixture
def world(tmp_path, monkeypatch):
    monkeypatch.setenv("YIJU_TODAY", "2020-06-01")
    settings = Settings()
    settings.registry.path = tmp_path / "data" / "yiju.db"
    settings.registry.files = tmp_path / "data" / "files"
    settings.web.base_url = "http://127.0.0.1:8080"
    db = connect(settings.registry.path)
    _register(db, "2017-09-01", "2018-01-01")
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows([HEADER, *ROWS])
    (tmp_path / "list.csv").write_text(out.getvalue(), "utf-8")
    duty_store.import_duties(db, tmp_path / "list.csv", by="导入员")
    monkeypatch.setenv("YIJU_TODAY", "2021-08-01")
    _register(db, "2021-01-22", "2021-07-15")
    run_impact(db)
    deps = dict(db.execute("SELECT name, id FROM departments").fetchall())
    flags = {}
    for fid, dep, name in db.execute("SELECT f.id, dep.name, d.name FROM flags f JOIN duties d ON d.id = f.duty_id "
                                     "JOIN departments dep ON dep.id = d.department_id ORDER BY f.id"):
        flags.setdefault(dep, []).append((fid, name))
    assert flags.get(A) and flags.get(B)
    app = create_app(settings, secret=SECRET)
    app.config["TESTING"] = True
    yield {"settings": settings, "db": db, "app": app, "deps": deps, "flags": flags, "tmp": tmp_path}
    db.close()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in_link(world, user_id, next_url="/inbox"):
    client = world["app"].test_client()
    token = users.issue_link(world["db"], SECRET, user_id, next_url, days=7, purpose="test")
    page = client.get(f"/s/{token}")
    assert page.status_code == 200 and "进入工作台" in page.text
    done = client.post(f"/s/{token}", data={"csrf_token": _csrf(page.text)})
    assert done.status_code == 302 and done.location.endswith(next_url)
    return client


def reviewer(world, dep=A, email="fk@a.gov.cn"):
    uid = users.department_user(world["db"], world["deps"][dep], email=email, name=f"{dep}法制科")
    return sign_in_link(world, uid)


def legal(world):
    u = users.find_user(world["db"], "fzb@gov.cn", role="legal")
    uid = u["id"] if u else users.add_user(world["db"], email="fzb@gov.cn", name="法制办 王五", role="legal",
                                           password="correct-horse-battery", by="test")
    return sign_in_link(world, uid)


def add_proposal(world, name="对拒不缴纳罚款的行政处罚", key="第七十条|||行政处罚|", dep=A) -> tuple[int, int]:
    """An open 拟新增职权 of ``dep`` under 行政处罚法 第七十条, as impact writes one: (law id, proposal id)."""
    from registry import proposals as proposal_store

    db = world["db"]
    law_id = db.execute("SELECT id FROM laws").fetchone()[0]
    pid = proposal_store.insert(db, {
        "department_id": world["deps"][dep], "law_id": law_id, "version_id": None, "change_id": None,
        "power_key": key, "article": "第七十条", "paragraph": None, "item": None,
        "type": "行政处罚", "name": name, "measures": ["罚款"], "authority": "行政机关",
        "authority_level": None, "shared": 0, "basis_text": "《中华人民共和国行政处罚法》第七十条",
        "clause": "……", "due": "2021-09-01", "baseline": 0, "created_run_id": None})
    db.conn.commit()
    return law_id, pid
