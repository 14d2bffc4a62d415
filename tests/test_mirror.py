"""The local mirror answers with the shapes of the real endpoints (research/sources.md §1.A, §5)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from crawler.mirror import Mirror, Scenario, toml_for
from crawler.parse import flk, html_list, xzfg
from config.settings import load


def _post(url: str, body) -> dict:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))


def _get(url: str):
    try:
        with urllib.request.urlopen(url) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


@pytest.fixture
def mirror():
    s = Scenario(today="2024-01-01")
    s.add_law("中华人民共和国甲法", gbrq="2019-01-01", text="中华人民共和国甲法\n第一条　甲。")
    s.amend("中华人民共和国甲法", gbrq="2023-05-01", text="中华人民共和国甲法\n第一条　甲。\n第二条　乙。",
            decision_title="全国人民代表大会常务委员会关于修改《中华人民共和国甲法》的决定",
            decision_text="全国人民代表大会常务委员会关于修改《中华人民共和国甲法》的决定\n一、增加一条。")
    s.add_law("乙条例", gbrq="2020-02-02", level="行政法规", text="乙条例\n第一条　乙。", file_format="pdf")
    s.add_law("北京市丙条例", gbrq="2021-03-03", sxrq="2024-06-01", level="地方性法规", text="北京市丙条例\n第一条　丙。")
    s.add_decision("国务院关于废止部分行政法规的决定", gbrq="2021-09-09", level="行政法规", text="废止。")
    with Mirror(s) as m:
        yield m


def test_list_answers_like_the_real_api(mirror):
    url = mirror.base_url + "/law-search/search/list"
    page = flk.parse_list(json.dumps(_post(url, flk.list_body(1, 1000))))
    assert page.total == 5 and len(page.rows) == 5
    # the order is not by date: a crawler must sort for itself
    dates = [r.promulgated for r in page.rows]
    assert dates != sorted(dates) and dates != sorted(dates, reverse=True)
    by_title = {r.title: r for r in page.rows}
    assert by_title["国务院关于废止部分行政法规的决定"].status_code is None
    assert by_title["国务院关于废止部分行政法规的决定"].kind == "instrument"
    assert by_title["北京市丙条例"].status_code == "4"
    # category and issuer parents select their children; sxx filters; pages are pages
    assert flk.parse_list(json.dumps(_post(url, flk.list_body(1, 10, [101])))).total == 2
    assert flk.parse_list(json.dumps(_post(url, flk.list_body(1, 10, [], [90])))).total == 2
    body = flk.list_body(1, 2)
    body["sxx"] = [3]
    assert flk.parse_list(json.dumps(_post(url, body))).total == 2
    assert len(flk.parse_list(json.dumps(_post(url, flk.list_body(3, 2)))).rows) == 1
    # a keyword is highlighted as the SPA shows it
    body = flk.list_body(1, 10, search="甲")
    raw = _post(url, body)
    assert raw["rows"][0]["title"] == "中华人民共和国<em class='highlight'>甲</em>法"


@pytest.mark.parametrize("change", [lambda b: b.pop("gbrqYear"), lambda b: b.update(orderByParam="gbrq")])
def test_list_without_every_key_is_a_system_error(mirror, change):
    body = flk.list_body(1, 10)
    change(body)
    assert _post(mirror.base_url + "/law-search/search/list", body) == {"code": 500, "msg": "系统异常"}


def test_detail_download_and_signed_url(mirror):
    s = mirror.scenario
    new = s.current("中华人民共和国甲法")
    status, _, body = _get(f"{mirror.base_url}/law-search/search/flfgDetails?bbbs={new.bbbs}")
    detail = flk.parse_detail(body, new.bbbs)
    assert [v.promulgated for v in detail.versions] == ["2023-05-01", "2019-01-01"]
    assert [v.current for v in detail.versions] == [True, False]
    assert detail.materials[0].kind == "修改决定" and detail.word_path.endswith(".docx")
    _, _, answer = _get(f"{mirror.base_url}/law-search/download/pc?format=docx&bbbs={new.bbbs}&fileId=")
    url = flk.parse_download(answer)
    assert url.startswith(f"http://{mirror.file_netloc}/prod/") and "X-Amz-Signature=" in url
    status, headers, data = _get(url)
    assert status == 200 and data[:2] == b"PK" and "attachment" in headers["Content-Disposition"]
    # a tampered signature and an expired URL are refused like object storage does
    status, _, data = _get(re.sub(r"X-Amz-Signature=\w+", "X-Amz-Signature=00", url))
    assert status == 403 and b"SignatureDoesNotMatch" in data
    s.url_ttl = 0
    _, _, answer = _get(f"{mirror.base_url}/law-search/download/pc?format=docx&bbbs={new.bbbs}&fileId=")
    time.sleep(1.1)
    status, _, data = _get(flk.parse_download(answer))
    assert status == 403 and b"Request has expired" in data
    s.url_ttl = 3600
    # no PDF of a docx-only law: code 200, empty data
    _, _, answer = _get(f"{mirror.base_url}/law-search/download/pc?format=pdf&bbbs={new.bbbs}&fileId=")
    assert flk.parse_download(answer) is None
    # the amending decision is a related material with its own file
    material = detail.materials[0]
    _, _, answer = _get(f"{mirror.base_url}/law-search/search/xgzlDetails?bbbs={new.bbbs}&fileId={material.file_id}")
    assert flk.parse_material(answer, material.file_id).path.endswith(".docx")
    _, _, answer = _get(f"{mirror.base_url}/law-search/download/pc?format=docx&bbbs={new.bbbs}"
                        f"&fileId={material.file_id}")
    assert _get(flk.parse_download(answer))[2][:2] == b"PK"


def test_errors_and_misbehaviour(mirror):
    base = mirror.base_url
    assert json.loads(_get(f"{base}/law-search/search/flfgDetails")[2])["code"] == 500
    assert json.loads(_get(f"{base}/law-search/search/list")[2])["msg"].startswith("Request method 'GET'")
    # the legacy API and unknown pages return the SPA shell
    status, headers, body = _get(f"{base}/api/?type=flfg")
    assert status == 200 and "text/html" in headers["Content-Type"] and b'<div id="app">' in body
    bbbs = mirror.scenario.current("乙条例").bbbs
    mirror.scenario.fault("detail", "waf", key=bbbs, times=1)
    status, headers, body = _get(f"{base}/law-search/search/flfgDetails?bbbs={bbbs}")
    assert status == 200 and "WZWS-RAY" in headers and b"wzws-waf-cgi" in body
    assert flk.parse_detail(_get(f"{base}/law-search/search/flfgDetails?bbbs={bbbs}")[2]).title == "乙条例"
    mirror.scenario.fault("list", "empty")
    with pytest.raises(flk.BadResponse, match="空"):
        flk.parse_list(urllib.request.urlopen(urllib.request.Request(
            f"{base}/law-search/search/list", data=json.dumps(flk.list_body(1, 1)).encode(), method="POST")).read())
    mirror.scenario.fault("enum", "429")
    assert _get(f"{base}/law-search/search/enumData")[0] == 429
    mirror.scenario.clear_faults()
    enum = json.loads(_get(f"{base}/law-search/search/enumData")[2])
    assert enum["code"] == 200 and enum["data"]["flfgfl"]["children"][1]["codeId"] == 101
    assert _get(f"{base}/robots.txt")[0] == 404
    mirror.scenario.robots_txt = "User-agent: *\nDisallow:\n"
    assert _get(f"{base}/robots.txt")[2].startswith(b"User-agent")
    assert mirror.count("detail", key=bbbs) == 2


def test_regulation_database_and_beijing_pages_read_with_the_shipped_parsers(mirror):
    base = mirror.base_url
    page = xzfg.parse_list(_get(f"{base}/SearchAdvancedFront?timeliness=1&pageNo=1")[2], base + "/")
    assert [r.title for r in page.rows] == ["乙条例"] and page.total == 1
    detail = xzfg.parse_detail(_get(page.rows[0].url)[2], page.rows[0].url)
    assert detail.title == "乙条例" and "第一条" in detail.body_html
    bj = load(None, environ={}).source("bjrd")
    list_url = base + bj.list_url
    rows = html_list.parse_list(_get(list_url)[2], list_url, bj.selectors).rows
    assert [(r.title, r.promulgated, r.effective) for r in rows] == [("北京市丙条例", "2021-03-03", "2024-06-01")]
    body = html_list.parse_detail(_get(rows[0].url)[2], rows[0].url, bj.selectors).body_html
    assert "第一条" in body
    assert _get(list_url + "index_1.html")[0] == 404


def test_state_file_round_trip_and_reload(tmp_path, mirror):
    path = tmp_path / "scenario.json"
    mirror.scenario.save(path)
    copy = Scenario.load(path)
    assert set(copy.documents) == set(mirror.scenario.documents)
    with Mirror(state_file=path) as served:
        url = served.base_url + "/law-search/search/list"
        assert _post(url, flk.list_body(1, 10))["total"] == 5
        copy.add_law("中华人民共和国丁法", gbrq="2024-01-01", text="丁法\n第一条　丁。")
        time.sleep(0.05)
        copy.save(path)
        os.utime(path, (time.time() + 5, time.time() + 5))
        assert _post(url, flk.list_body(1, 10))["total"] == 6


def test_a_broken_state_file_is_named(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json", "utf-8")
    with pytest.raises(ValueError, match="bad.json"):
        Scenario.load(path)


def test_yiju_mirror_serve_runs_until_stopped(tmp_path):
    state = tmp_path / "scenario.json"
    proc = subprocess.Popen([sys.executable, "-m", "yiju", "mirror", "serve", "--port", "0", "--scenario",
                             str(state)], stderr=subprocess.PIPE, text=True)
    try:
        base = None
        for _ in range(200):
            line = proc.stderr.readline()
            m = re.search(r"接口 (http://127\.0\.0\.1:\d+)", line)
            if m:
                base = m.group(1)
                break
        assert base, "the mirror did not say where it listens"
        assert state.exists()                                    # created from the built-in texts
        total = _post(base + "/law-search/search/list", flk.list_body(1, 1))["total"]
        assert total > 250
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_toml_for_points_every_source_at_the_mirror(mirror, tmp_path):
    from config.settings import parse

    settings = parse(toml_for(mirror), tmp_path / "yiju.toml", tmp_path)
    assert {s.base_url for s in settings.sources} == {mirror.base_url}
    assert settings.source("flk").file_hosts == [mirror.file_netloc]
