"""A realistic night in a registry, built row by row with sqlite-utils, for the notify tests.

Run 1 is the baseline. Run 2 (the night of 2025-12-29, Asia/Shanghai) found:
- 行政处罚法 revised (2017 → 2021 text): renumbering, modified, split, merged, deleted articles;
- 网络安全法 amended on 2025-10-28, in force only from 2026-01-01 (the pending one);
- 食品卫生法 repealed, replaced by 食品安全法;
- 危险化学品安全法, a new law (in force from 2026-05-01);
- the flk source throttled (a WAF page instead of JSON); xzfg fine.
Three departments with posts, staff and duties citing those laws got flags; some citations cannot
be resolved. The law texts and article changes are real (tests/data/notify/night.json).
"""

from __future__ import annotations

import json
import pathlib

import sqlite_utils

from diffing.align import ALIGNMENT

NIGHT = json.loads((pathlib.Path(__file__).resolve().parents[1] / "data" / "notify" / "night.json")
                   .read_text("utf-8"))
STAMP = "2025-12-28T18:40:00+00:00"
RUN_DATE = "2025-12-29"


def _law(db, title, *, level="法律", status="有效", successor_id=None, repealed_on=None) -> int:
    return db["laws"].insert({"title": title, "short_title": title.removeprefix("中华人民共和国"), "level": level,
                              "issuer": "全国人民代表大会常务委员会", "status": status, "successor_id": successor_id,
                              "repealed_on": repealed_on, "created_at": STAMP, "updated_at": STAMP}).last_pk


def _articles(db, version_id, texts: dict[str, str]) -> None:
    from texts.numerals import parse_article_label

    db["articles"].insert_all(
        {"version_id": version_id, "label": label, "number": parse_article_label(label)[0],
         "suffix": parse_article_label(label)[1], "ordinal": i, "path": "", "text": text}
        for i, (label, text) in enumerate(texts.items()))


def _version_row(db, law_id, title, promulgated, effective, revision, texts, run_id=1, status="有效") -> int:
    vid = db["versions"].insert({"law_id": law_id, "source": "flk", "source_id": f"bbbs-{law_id}-{promulgated}",
                                 "title": title, "promulgated": promulgated, "effective": effective,
                                 "revision": revision, "status": status,
                                 "text": "\n".join(f"{k}　{v}" for k, v in texts.items()),
                                 "fetched_at": STAMP, "run_id": run_id}).last_pk
    _articles(db, vid, texts)
    return vid


def _change(db, law_id, kind, old_vid, new_vid, published, effective, run_id, *, detail=None, summary=None,
            article_changes=()) -> tuple[int, dict[str, int]]:
    cid = db["changes"].insert({
        "law_id": law_id, "kind": kind, "old_version_id": old_vid, "new_version_id": new_vid,
        "published": published, "effective": effective, "summary": json.dumps(summary or {}, ensure_ascii=False),
        "detail": json.dumps(detail or {}, ensure_ascii=False), "detected_run_id": run_id, "detected_at": STAMP,
        "reported_run_id": run_id if run_id and run_id < 2 else None,
        "impact_done_at": STAMP, "dedupe_key": f"{kind}:{law_id}:{old_vid}:{new_vid}",
        "alignment": ALIGNMENT if old_vid and new_vid else None}).last_pk
    ids = {}
    for ordinal, ac in enumerate(article_changes):
        acid = db["article_changes"].insert({
            "change_id": cid, "ordinal": ordinal, "status": ac["status"],
            "old_labels": json.dumps(ac["old_labels"], ensure_ascii=False),
            "new_labels": json.dumps(ac["new_labels"], ensure_ascii=False),
            "old_label": ac["old_labels"][0] if ac["old_labels"] else None,
            "new_label": ac["new_labels"][0] if ac["new_labels"] else None,
            "similarity": ac["similarity"], "substance": ac["substance"],
            "diff": json.dumps(ac["diff"], ensure_ascii=False) if ac["diff"] is not None else None}).last_pk
        for label in ac["old_labels"]:
            ids.setdefault(label, acid)
    return cid, ids


def build_night(db: sqlite_utils.Database, *, today: str = RUN_DATE) -> dict:
    """Fill ``db`` with the night described above; return the ids the tests need."""
    ids: dict = {}
    db["runs"].insert({"id": 1, "started": "2025-12-27T18:30:00+00:00", "finished": "2025-12-27T18:50:00+00:00",
                       "state": "succeeded", "stats": "{}"})
    stats = {"crawl": {"sources": {
        "flk": {"ok": False, "error": "HTTP 200 返回了 HTML 拦截页（WZWS-RAY），不是 JSON；已停止抓取",
                "requests": 3, "new_versions": 0, "status_changes": 0, "failures": 3, "throttled": 3},
        "xzfg": {"ok": True, "error": "", "requests": 4, "new_versions": 2, "status_changes": 1, "failures": 0},
    }}}
    db["runs"].insert({"id": 2, "started": "2025-12-28T18:30:00+00:00", "finished": "2025-12-28T18:52:00+00:00",
                       "state": "succeeded", "stats": json.dumps(stats, ensure_ascii=False)})
    ids["run"] = 2
    db["sources"].insert_all([
        {"name": "flk", "kind": "flk", "base_url": "https://flk.npc.gov.cn", "last_ok_at": "2025-12-26T18:41:00+00:00",
         "last_error": "WZWS-RAY 拦截页", "last_error_at": STAMP, "last_run_id": 2},
        {"name": "xzfg", "kind": "xzfg", "base_url": "https://xzfg.moj.gov.cn", "last_ok_at": STAMP, "last_run_id": 2},
    ])

    # 行政处罚法: 2017 text (baseline) → 2021 revision found tonight.
    x = NIGHT["xzcf"]
    xl = _law(db, x["title"])
    xv1 = _version_row(db, xl, x["title"], "2017-09-01", "2018-01-01", "修正", x["old_texts"], status="已修改")
    xv2 = _version_row(db, xl, x["title"], "2021-01-22", "2021-07-15", "修订", x["new_texts"], run_id=2)
    xc, xac = _change(db, xl, "amended", xv1, xv2, "2021-01-22", "2021-07-15", 2, summary=x["summary"],
                      article_changes=x["changes"])
    ids.update(xzcf_law=xl, xzcf_change=xc, xzcf_ac=xac)

    # 网络安全法: amended 2025-10-28, in force 2026-01-01 (pending on the night).
    w = NIGHT["wlaq"]
    wl = _law(db, w["title"])
    wv1 = _version_row(db, wl, w["title"], "2016-11-07", "2017-06-01", "制定", w["old_texts"])
    wv2 = _version_row(db, wl, w["title"], "2025-10-28", "2026-01-01", "修正", w["new_texts"], run_id=2,
                       status="尚未生效")
    wc, wac = _change(db, wl, "amended", wv1, wv2, "2025-10-28", "2026-01-01", 2, summary=w["summary"],
                      article_changes=w["changes"])
    ids.update(wlaq_law=wl, wlaq_change=wc, wlaq_ac=wac)

    # 食品卫生法 repealed, replaced by 食品安全法.
    f = NIGHT["food"]
    sl = _law(db, "中华人民共和国食品安全法")
    _version_row(db, sl, "中华人民共和国食品安全法", "2009-02-28", "2009-06-01", "制定", f["successor_texts"])
    fl = _law(db, "中华人民共和国食品卫生法", status="已废止", successor_id=sl, repealed_on="2009-06-01")
    fv = _version_row(db, fl, "中华人民共和国食品卫生法", "1995-10-30", "1995-10-30", "制定", f["cited"])
    fc, _ = _change(db, fl, "repealed", fv, None, "2009-02-28", "2009-06-01", 2,
                    detail={"successor_title": "中华人民共和国食品安全法", "successor_id": sl, "source": "xzfg"})
    ids.update(food_law=fl, food_change=fc, successor_law=sl)

    # 危险化学品安全法: a new law, in force 2026-05-01.
    h = NIGHT["whp"]
    hl = _law(db, h["title"], status="尚未生效")
    hv = _version_row(db, hl, h["title"], "2025-12-27", "2026-05-01", "制定", dict(h["articles"]), run_id=2,
                      status="尚未生效")
    hc, _ = _change(db, hl, "enacted", None, hv, "2025-12-27", "2026-05-01", 2, detail={"title": h["title"]})
    ids.update(whp_law=hl, whp_change=hc)

    # Departments, posts, staff.
    dep = db["departments"]
    scjg = dep.insert({"name": "市场监督管理局", "emails": json.dumps(["scjg@example.gov.cn"]),
                       "created_at": STAMP, "updated_at": STAMP}).last_pk
    wxb = dep.insert({"name": "网信办", "emails": "[]", "created_at": STAMP, "updated_at": STAMP}).last_pk
    cg = dep.insert({"name": "城市管理综合执法局", "emails": json.dumps(["cgj@example.gov.cn", "办公室 cgj@"]),
                     "created_at": STAMP, "updated_at": STAMP}).last_pk
    quiet = dep.insert({"name": "统计局", "emails": json.dumps(["tjj@example.gov.cn"]),
                        "created_at": STAMP, "updated_at": STAMP}).last_pk
    ids.update(scjg=scjg, wxb=wxb, cg=cg, quiet=quiet)
    posts = db["posts"]
    p_cf = posts.insert({"department_id": scjg, "name": "行政处罚科"}).last_pk
    p_sp = posts.insert({"department_id": scjg, "name": "食品安全科"}).last_pk
    p_wx = posts.insert({"department_id": wxb, "name": "网络安全科"}).last_pk
    p_cg = posts.insert({"department_id": cg, "name": "执法一中队"}).last_pk
    p_tj = posts.insert({"department_id": quiet, "name": "统计执法科"}).last_pk
    staff = db["staff"]
    zhang = staff.insert({"name": "张三", "email": "zhangsan@example.gov.cn"}).last_pk
    li = staff.insert({"name": "李四", "email": "lisi@example.gov.cn"}).last_pk
    wang = staff.insert({"name": "王五", "email": "wangwu@example.gov.cn"}).last_pk
    zhao = staff.insert({"name": "赵六", "email": "zhaoliu@example.gov.cn"}).last_pk
    qian = staff.insert({"name": "钱七", "email": "qianqi@example.gov.cn"}).last_pk
    db["assignments"].insert_all([
        {"staff_id": zhang, "post_id": p_cf, "start": "2023-01-01", "end": None},
        {"staff_id": li, "post_id": p_sp, "start": "2024-03-01", "end": None},
        {"staff_id": wang, "post_id": p_cf, "start": "2019-01-01", "end": "2024-12-31"},   # left the post
        {"staff_id": zhao, "post_id": p_wx, "start": "2022-06-01", "end": None},
        {"staff_id": qian, "post_id": p_cg, "start": "2030-01-01", "end": None},          # not yet
    ])

    # Duties, citations, flags (as diffing/impact.py writes them).
    def duty(code, name, kind, dep_id, post_id, basis):
        return db["duties"].insert({"duty_key": code, "code": code, "name": name, "kind": kind,
                                    "department_id": dep_id, "post_id": post_id, "basis_text": basis,
                                    "content_sha256": code, "created_at": STAMP}).last_pk

    def citation(duty_id, basis, raw, law_title, law_id, article, resolution="resolved", problem=None, **kw):
        start = basis.index(raw)
        return db["citations"].insert({"duty_id": duty_id, "raw": raw, "law_title": law_title, "law_id": law_id,
                                       "article": article, "span": json.dumps([start, start + len(raw)]),
                                       "resolution": resolution, "problem": problem, **kw}).last_pk

    def flag(duty_id, cit_id, change_id, ac_id, severity, reason, suggestion, due):
        return db["flags"].insert({"duty_id": duty_id, "citation_id": cit_id, "change_id": change_id,
                                   "article_change_id": ac_id, "severity": severity, "reason": reason,
                                   "suggestion": json.dumps(suggestion, ensure_ascii=False), "due": due,
                                   "state": "open", "created_at": STAMP, "created_run_id": 2,
                                   "updated_at": STAMP}).last_pk

    xt = x["title"]
    b1 = "《中华人民共和国行政处罚法》第三十二条"
    d1 = duty("330217001000", "对当事人陈述、申辩意见的复核", "行政处罚", scjg, p_cf, b1)
    c1 = citation(d1, b1, b1, xt, xl, "第三十二条")
    ac1 = xac["第三十二条"]
    diff1 = next(a["diff"] for a in x["changes"] if a["old_labels"] == ["第三十二条"])
    ids["flag_modified"] = flag(d1, c1, xc, ac1, "high",
                                f"《{xt}》2021-01-22修改（2021-07-15起施行），第三十二条内容有实质修改，现为第四十五条",
                                {"new_label": "第四十五条", "diff": diff1}, "2026-01-28")
    b2 = "《中华人民共和国行政处罚法》第三十七条；《市场监督管理行政处罚程序规定》第二十二条"
    d2 = duty("330217002000", "行政处罚案件调查取证", "行政处罚", scjg, p_cf, b2)
    c2 = citation(d2, b2, "《中华人民共和国行政处罚法》第三十七条", xt, xl, "第三十七条")
    ids["flag_split"] = flag(d2, c2, xc, xac["第三十七条"], "high",
                             f"《{xt}》2021-01-22修改（2021-07-15起施行），第三十七条被拆分为第五十五条、第五十六条",
                             {"new_labels": ["第五十五条", "第五十六条"]}, "2026-01-28")
    citation(d2, b2, "《市场监督管理行政处罚程序规定》第二十二条", "市场监督管理行政处罚程序规定", None, "第二十二条",
             resolution="unresolved", problem="登记库中没有《市场监督管理行政处罚程序规定》")
    b3 = "《中华人民共和国食品卫生法》第九条"
    d3 = duty("330217003000", "对生产经营腐败变质食品的处罚", "行政处罚", scjg, p_sp, b3)
    c3 = citation(d3, b3, b3, "中华人民共和国食品卫生法", fl, "第九条")
    ids["flag_repealed"] = flag(d3, c3, fc, None, "critical",
                                "《中华人民共和国食品卫生法》已废止（2009-06-01起），由《中华人民共和国食品安全法》取代，请改引新法相应条文",
                                {"successor": {"law_id": sl, "title": "中华人民共和国食品安全法"},
                                 "candidates": f["candidates"]}, "2026-01-28")
    wt = w["title"]
    b4 = "《中华人民共和国网络安全法》第十条、第二十一条第一款"    # the law named once, for both articles
    d4 = duty("330217101000", "网络运营者安全保护义务的监督检查", "行政检查", wxb, p_wx, b4)
    c4 = citation(d4, b4, "第二十一条第一款", wt, wl, "第二十一条", paragraph=1, written="《中华人民共和国网络安全法》")
    ids["flag_renumbered"] = flag(d4, c4, wc, wac["第二十一条"], "low",
                                  f"《{wt}》2025-10-28修改（2026-01-01起施行，尚未生效），第二十一条内容未变，条号改为第二十三条",
                                  {"new_label": "第二十三条", "one_click": True}, "2026-01-01")
    b5 = "《中华人民共和国行政处罚法》第六十三条"
    d5 = duty("330217201000", "罚缴分离规定的执行", "其他行政权力", cg, p_cg, b5)
    c5 = citation(d5, b5, b5, xt, xl, "第六十三条")
    ids["flag_deleted"] = flag(d5, c5, xc, xac["第六十三条"], "critical",
                               f"《{xt}》2021-01-22修改（2021-07-15起施行），第六十三条已被删除", {}, "2026-01-28")
    b6 = "《城市市容和环境卫生管理条例》第三十四条、《某某市市容管理办法》第十条"
    d6 = duty("330217202000", "对乱张贴的处罚", "行政处罚", cg, p_cg, b6)
    citation(d6, b6, "《某某市市容管理办法》第十条", "某某市市容管理办法", None, "第十条",
             resolution="unresolved", problem="登记库中没有《某某市市容管理办法》")
    citation(d6, b6, "《城市市容和环境卫生管理条例》第三十四条", "城市市容和环境卫生管理条例", None, "第三十四条",
             resolution="stale", problem="该条现为第三十六条", current_label="第三十六条")
    # A flag from an earlier night, already told by that night's alert: never part of tonight's.
    b7 = "《中华人民共和国行政处罚法》第三十六条"
    d7 = duty("330217301000", "统计违法行为的调查", "行政检查", quiet, p_tj, b7)
    c7 = citation(d7, b7, b7, xt, xl, "第三十六条")
    db["flags"].insert({"duty_id": d7, "citation_id": c7, "change_id": xc, "article_change_id": xac["第三十六条"],
                        "severity": "high", "reason": "上一次运行的提醒", "suggestion": "{}", "due": "2026-01-28",
                        "state": "open", "created_at": STAMP, "created_run_id": 1, "notified_run_id": 1,
                        "updated_at": STAMP})
    ids["duties"] = {"modified": d1, "split": d2, "repealed": d3, "renumbered": d4, "deleted": d5}
    return ids
