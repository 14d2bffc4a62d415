"""Proposed duties measured on a real power list: recall and precision on penalty items.

The list: 江门市生态环境局《生态环境违法行为行政处罚自由裁量权裁量标准参照表》(试行, 2020), one sheet
per law, every row an enforcement item with its 违法行为 and 法律依据 (``bench/data/
jiangmen_discretion.tsv``: the 序号, 违法行为 and the citation head of 法律依据, verbatim, from
``jmzyclb.xls`` in the public GitHub repository Fungwingwaa/cee; shared/citations/SOURCES.md block
S-A). Measured are the sheets whose law text, in the version the list cites, is in the built-in
corpus: 大气污染防治法 2018, 水污染防治法 2017, 土壤污染防治法 2018, 环境影响评价法 2018,
放射性污染防治法 2003. (固废 cites the 2016 numbering, the corpus has 2020; 噪声 cites the repealed
环境噪声污染防治法; the local regulations are not in the corpus.)

For each law, on a fresh registry holding that law's text and the department 江门市生态环境局:

1. with no duty on its list, yiju proposes the law's powers for the department
   (``impact.proposals.generate``); a list item is *found* when a penalty proposal's basis is
   one its 法律依据 cites (or, where the list cites the wrong 项, when the proposal's violation is
   the item's 违法行为 word for word); a proposal is *real* when some list item finds it.
   recall = found items / items; precision = real proposals / proposals. Every miss and false
   proposal is printed with the reason yiju gives for it.
2. with the list's items imported as duties (their 法律依据 as basis), yiju proposes again: no
   proposal may be for a power an item covers, and none may name another authority
   (公安机关, 市场监督管理部门, 省级以上 …).

Then the done-when scenario on the same list: a registry with the five laws and the bureau's
items for them as duties; 生态环境法典 arrives and repeals the five; impact flags the duties and
proposes the code's powers for the bureau, except those a duty holds under the repealed law's
wording (its flag moves the citation). Printed: flags, the code's penalty powers for the bureau,
how many the old list holds that way, penalty proposals.

A second real list (``--list guangdong``): 广东省生态环境厅《广东省生态环境违法行为行政处罚罚款金额裁量表》
(粤环发〔2021〕7号 附件1, ``bench/data/guangdong_fines.tsv``, from the PDF in the same repository,
shared/citations/SOURCES.md block S-B) for ten laws and regulations whose 2021 version is in the
corpus; only proposals with a fine are compared (it is a fine table). The table is the standard of
the province's environment departments at every level (it lists 医疗废物管理条例 第五十一条, which the
text gives 县级 departments alone), so the proposals compared are those for a department of each level
(广东省生态环境厅, 江门市生态环境局, 江门市生态环境局蓬江分局), one per provision.

Both are discretion tables: they list what an officer must choose an amount or a measure for, so
precision is printed twice — over every proposal, and over those a discretion table can hold (not a
fixed fine alone, not a bare "依法予以处罚": ``out_of_scope``). Every false proposal is printed with
its article text and whether the other list has it. The two lists are of the same province's
environment departments (江门's bureau applies the 广东 table too), and each leaves out items the other
holds, so precision is printed a third time, judged by both lists: a proposal is real when either has
its provision (``other_list``).

Speed is printed too: proposals for the five laws, against a baseline in the same process (reading
the laws' articles and nothing else).

    .venv/bin/python bench/proposals.py [--law 大气污染防治法] [--list jiangmen|guangdong|both]
"""

from __future__ import annotations

import argparse
import csv
import pathlib
import re
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz  # noqa: E402

from diffing.cite.find import parse_basis  # noqa: E402
from diffing.powers import PENALTY, law_powers  # noqa: E402
from impact import duties as duty_store  # noqa: E402
from impact import proposals as props  # noqa: E402
from impact.record import record_version  # noqa: E402
from registry.proposals import list_proposals, version_articles  # noqa: E402
from registry.schema import connect  # noqa: E402
from texts.numerals import to_chinese  # noqa: E402

DATA = ROOT / "bench" / "data" / "jiangmen_discretion.tsv"
CORPUS = ROOT / "yiju" / "data" / "laws"
DEPARTMENT = "江门市生态环境局"
# sheet → (law folder, version date, full title)
LAWS = {
    "大气污染防治法": ("大气污染防治法", "2018-10-26", "中华人民共和国大气污染防治法"),
    "水污染防治法": ("水污染防治法", "2017-06-27", "中华人民共和国水污染防治法"),
    "土壤污染防治法": ("土壤污染防治法", "2018-08-31", "中华人民共和国土壤污染防治法"),
    "环境影响评价法": ("环境影响评价法", "2018-12-29", "中华人民共和国环境影响评价法"),
    "放射污染防治法": ("放射性污染防治法", "2003-06-28", "中华人民共和国放射性污染防治法"),
}


def items_of(sheet: str) -> list[dict]:
    with open(DATA, encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["sheet"] == sheet]
    for r in rows:
        r["citations"] = [(c.article, c.paragraph, c.item) for c in parse_basis(r["法律依据"]).citations]
    return rows


def _norm(s: str) -> str:
    """A violation without punctuation, 的 and the words every clause opens with (违反本法规定)."""
    s = re.sub(r"违反本(?:法|条例|办法|规定)(?:的)?规定|违反本(?:法|条例)", "", s or "")
    return re.sub(r"[，、；。,\s的]", "", s)


def _cites(item: dict, p: dict) -> bool:
    """Whether one of the item's citations is the proposal's provision (a 款 citation of a one-款
    article, or an article citation of an item, count)."""
    for article, paragraph, it in item["citations"]:
        if article != p["article"]:
            continue
        if paragraph is not None and paragraph != (p["paragraph"] or 1):
            continue
        if it is not None and it != p["item"]:
            continue
        if it is None and p["item"] is not None and paragraph is None and article == p["article"]:
            pass
        return True
    return False


def _same_conduct(item: dict, p: dict) -> bool:
    name = p["name"].removeprefix("对").removesuffix("的行政处罚")
    return fuzz.ratio(_norm(item["违法行为"]), _norm(name)) >= 90


def _where(p: dict) -> str:
    out = p["article"]
    if p["paragraph"]:
        out += f"第{to_chinese(p['paragraph'])}款"
    if p["item"]:
        out += f"第（{to_chinese(p['item'])}）项"
    return out


def _version(db) -> int:
    return db.execute("SELECT max(id) FROM versions").fetchone()[0]


def _why(item: dict, powers) -> str:
    """What yiju read in the provision a missed item cites."""
    mine = [pw for pw in powers if pw.type == PENALTY and any(
        a == pw.article and (para is None or para == (pw.paragraph or 1)) and (it is None or it == pw.item)
        for a, para, it in item["citations"])]
    if not mine:
        return "yiju 在该条款未识别出职权"
    held = "；".join(f"{pw.basis} 由“{'、'.join(a.raw for a in pw.authorities)}”行使" for pw in mine)
    return f"条文把该职权授予他机关，不是生态环境主管部门：{held}"


# Both reference lists are discretion tables (裁量标准参照表, 罚款金额裁量表): they list the penalties an
# officer must choose an amount or a measure for. A power list (权责清单) also carries the penalties
# that leave no choice, and yiju proposes those too; against a discretion table they are out of its
# scope, so precision is given twice: over every proposal, and over those a discretion table can hold.
_FIXED_FINE = re.compile(r"处(?:每[^，；。]{0,8}?)?[一二三四五六七八九十百千万两0-9]+元(?:的)?罚款")
_CHOICE = re.compile(r"以上|以下|倍|以内|不超过|可以|情节|或者|并处|没收|吊销|暂扣|停产|停业|关闭|拘留")
_REFERRAL = re.compile(r"依法予以处罚|依法处罚|依法给予处罚|依照有关[^，；。]{0,12}?规定(?:予以)?处罚")


def out_of_scope(p: dict) -> str | None:
    """Why a discretion table cannot hold the proposed penalty, or None."""
    after = re.sub(r"(?:县级|设区的市级|省级)以上", "", p["clause"].split("由", 1)[-1])
    if set(p["measures"]) == {"罚款"} and _FIXED_FINE.search(after) and not _CHOICE.search(after):
        return f"定额罚款（{_FIXED_FINE.search(after).group(0)}），没有裁量的余地"
    if set(p["measures"]) == {"依法处罚"} and _REFERRAL.search(after):
        return "条文只写“依法予以处罚”，罚则的种类和幅度在他法"
    return None


def fresh(sheet: str):
    folder, date, title = LAWS[sheet]
    db = connect(":memory:")
    text = (CORPUS / folder / f"{date}.md").read_text("utf-8")
    rec = record_version(db, title=title, text=text, source="import", source_id=f"{folder}/{date}",
                         promulgated=date)
    duty_store.ensure_department(db, DEPARTMENT)
    return db, title, rec


def measure(sheet: str, out) -> dict:
    items = items_of(sheet)
    db, title, _ = fresh(sheet)
    props.generate(db, department=DEPARTMENT, law=title)
    proposals = [p for p in list_proposals(db) if p["type"] == PENALTY]

    found: dict[int, str] = {}
    real: set[int] = set()
    for i, item in enumerate(items):
        by_basis = [p for p in proposals if _cites(item, p)]
        by_conduct = [p for p in proposals if _same_conduct(item, p)]
        if by_basis and (not by_conduct or any(p in by_conduct for p in by_basis)):
            found[i] = "basis"
            real.update(p["id"] for p in by_basis)
        elif by_conduct:
            found[i] = "conduct"
            real.update(p["id"] for p in by_conduct)
    missed = [items[i] for i in range(len(items)) if i not in found]
    false = [p for p in proposals if p["id"] not in real]

    # 2. the list imported: nothing covered may be proposed again, nothing of another authority
    db2, _, _ = fresh(sheet)
    dep_id = duty_store.find_department(db2, DEPARTMENT)["id"]
    for item in items:
        key = duty_store.duty_key(dep_id, code=item["序号"], name=item["违法行为"])
        duty_store._write_version(db2, {"code": item["序号"], "name": item["违法行为"] or item["序号"],
                                        "kind": PENALTY, "department_id": dep_id, "post_id": None, "level": None,
                                        "note": None, "basis_text": item["法律依据"], "penalty_basis_text": None},
                                  key=key, version=1, previous_id=None, stamp="2020-03-01T00:00:00+00:00",
                                  actor="bench", source_file=None, source_row=None, as_of=None)
    props.generate(db2, department=DEPARTMENT, law=title)
    after = [p for p in list_proposals(db2) if p["type"] == PENALTY]
    covered_again = [p for p in after if any(_cites(item, p) for item in items)]
    other_authority = [p for p in proposals + after
                       if not any(d in (p["authority"] or "") for d in ("生态环境", "环境保护", "环保"))]

    n_items, n_props = len(items), len(proposals)
    recall = len(found) / n_items if n_items else None
    precision = len(real) / n_props if n_props else None
    scope = {p["id"]: out_of_scope(p) for p in proposals}
    in_scope = [p for p in proposals if not scope[p["id"]]]
    real_in_scope = [p for p in in_scope if p["id"] in real]
    by_conduct = [items[i] for i, how in found.items() if how == "conduct"]
    in_other = {p["id"]: other_list(title, p, of="jiangmen") for p in false}
    print(f"\n== 《{title}》 × {DEPARTMENT}（{sheet} 表 {n_items} 项）", file=out)
    print(f"   罚则提议 {n_props} 项；清单项目被提议 {len(found)}/{n_items}，recall {recall:.1%}；"
          f"提议为真实项目 {len(real)}/{n_props}，precision {precision:.1%}"
          f"（裁量表可列的提议 {len(real_in_scope)}/{len(in_scope)}）", file=out)
    for item in by_conduct:
        print(f"   (依违法行为匹配) {item['序号']} {item['法律依据']}：清单所引项次与条文不符，"
              f"违法行为“{item['违法行为'][:30]}…”与 yiju 提议的条文相同", file=out)
    powers = props.version_powers(db, _version(db))
    for item in missed:
        print(f"   漏提 {item['序号']} {item['法律依据']} {item['违法行为'][:40]}\n        原因：{_why(item, powers)}",
              file=out)
    for p in false:
        shared = "（条文为“等主管部门/按照职责”的共同职权）" if p["shared"] else ""
        print(f"   多提 {_where(p)} [{p['authority']}] {p['name'][:50]}{shared}", file=out)
        print(f"        条文：{p['clause']}", file=out)
        hit = in_other[p["id"]]
        why = scope[p["id"]] or (hit and f"广东省生态环境厅罚款金额裁量表列有此项（{hit['序号']}：{hit['违法行为'][:24]}…），"
                                          f"条文授予生态环境主管部门；江门的参照表未列")
        if why:
            print(f"        说明：{why}", file=out)
    print(f"   导入清单后再提议：{len(after)} 项（覆盖项被再次提议 {len(covered_again)} 项；"
          f"他机关职权被提议 {len(other_authority)} 项）", file=out)
    return {"items": n_items, "found": len(found), "proposals": n_props, "real": len(real),
            "in_scope": len(in_scope), "real_in_scope": len(real_in_scope),
            "real_either": len(real) + sum(1 for v in in_other.values() if v),
            "missed": missed, "false": false, "covered_again": len(covered_again),
            "other_authority": len(other_authority), "false_shared": sum(1 for p in false if p["shared"])}


def other_list(title: str, p: dict, *, of: str) -> dict | None:
    """The item of the other Guangdong list (``of``: the list measured) that has the proposal, or None.

    Both are lists of Guangdong's environment departments: the 广东 table is the standard every
    level applies, 江门's bureau among them; each leaves out items for reasons of its own (江门's 2020
    trial table has no 第一百一十七条（三）至（五）项; the 广东 table cites a more specific regulation
    for 放射性污染防治法 第五十条). An item the other list holds under the same provision is a real
    power of such a department. An item citing a whole article has the proposal only if the
    violation is the same too.
    """
    if of == "jiangmen":
        items = gd_items(title) if title in GD_LAWS else []
    else:
        sheet = next((k for k, (_, _, t) in LAWS.items() if t == title), None)
        items = items_of(sheet) if sheet and GD_LAWS.get(title, ("", ""))[1] == LAWS[sheet][1] else []
    for item in items:
        if not _cites(item, p):
            continue
        pinned = any(a == p["article"] and (it is not None or (para is not None and p["item"] is None))
                     for a, para, it in item["citations"])
        if pinned or _same_conduct(item, p):
            return item
    return None


def code_scenario(out) -> dict:
    from impact.process import run_impact
    from impact.record import record_status

    code = "中华人民共和国生态环境法典"
    db = connect(":memory:")
    dep_id, _ = duty_store.ensure_department(db, DEPARTMENT)
    items = 0
    for sheet, (folder, date, title) in LAWS.items():
        record_version(db, title=title, text=(CORPUS / folder / f"{date}.md").read_text("utf-8"), source="import",
                       source_id=f"{folder}/{date}", promulgated=date)
        for item in items_of(sheet):
            items += 1
            key = duty_store.duty_key(dep_id, code=item["序号"], name=item["违法行为"])
            duty_store._write_version(db, {"code": item["序号"], "name": item["违法行为"] or item["序号"],
                                           "kind": PENALTY, "department_id": dep_id, "post_id": None, "level": None,
                                           "note": None, "basis_text": item["法律依据"], "penalty_basis_text": None},
                                      key=key, version=1, previous_id=None, stamp="2020-03-01T00:00:00+00:00",
                                      actor="bench", source_file=None, source_row=None, as_of=None)
    run_impact(db)
    record_version(db, title=code, text=(CORPUS / "生态环境法典" / "2026-03-12.md").read_text("utf-8"),
                   source="import", source_id="生态环境法典/2026-03-12", promulgated="2026-03-12",
                   effective="2026-08-15", announce_new=True)
    for _, _, title in LAWS.values():
        record_status(db, title=title, status="已废止", source="import", repealed_on="2026-08-15",
                      successor_title=code)
    result = run_impact(db)
    held = [c for c in props.coverage(db, department=DEPARTMENT, law=code)][0]
    law_id = db.execute("SELECT id FROM laws WHERE title = ?", [code]).fetchone()[0]
    version_id = db.execute("SELECT max(id) FROM versions WHERE law_id = ?", [law_id]).fetchone()[0]
    holder = next(h for h in props.holders(db) if h.name == DEPARTMENT)
    penalties = [p for p in props.version_powers(db, version_id) if p.type == PENALTY and props.holds(holder, p)]
    proposed = [p for p in list_proposals(db) if p["law"] == code and p["type"] == PENALTY]
    print(f"\n== 生态环境法典取代五部法律：{DEPARTMENT}清单 {items} 项", file=out)
    print(f"   提示 {result['flags']} 项（涉及职权 {result['duties']} 项）；法典中授予该局的罚则职权 {len(penalties)} 项，"
          f"其中 {len(penalties) - len(proposed)} 项已由引用被废止法律同一违法行为的职权承接（随提示改引），"
          f"拟新增罚则职权 {len(proposed)} 项；全部职权清单覆盖 {held.covered}/{held.powers}", file=out)
    return {"flags": result["flags"], "penalties": len(penalties), "proposed": len(proposed)}


# ---------------------------------------------------------------- a second real list: 广东省生态环境厅

GD_DATA = ROOT / "bench" / "data" / "guangdong_fines.tsv"
GD_DEPARTMENT = "广东省生态环境厅"
# The table is the province's standard for its environment departments at every level: it lists
# powers the text gives 县级 departments alone (医疗废物管理条例 第五十一条, with 《医疗废物管理行政处罚
# 办法》第十三条 "由县级人民政府环境保护行政主管部门…"), so yiju proposes for one department per level
# and the proposals of the three, one per provision, are compared.
GD_DEPARTMENTS = (GD_DEPARTMENT, "江门市生态环境局", "江门市生态环境局蓬江分局")
# the instruments of the 广东 table whose version in force in 2021 is in the built-in corpus
GD_LAWS = {
    "中华人民共和国大气污染防治法": ("大气污染防治法", "2018-10-26"),
    "中华人民共和国水污染防治法": ("水污染防治法", "2017-06-27"),
    "中华人民共和国土壤污染防治法": ("土壤污染防治法", "2018-08-31"),
    "中华人民共和国环境影响评价法": ("环境影响评价法", "2018-12-29"),
    "中华人民共和国固体废物污染环境防治法": ("固体废物污染环境防治法", "2020-04-29"),
    "中华人民共和国放射性污染防治法": ("放射性污染防治法", "2003-06-28"),
    "中华人民共和国清洁生产促进法": ("清洁生产促进法", "2012-02-29"),
    "排污许可管理条例": ("排污许可管理条例", "2021-01-24"),
    "建设项目环境保护管理条例": ("建设项目环境保护管理条例", "2017-07-16"),
    "医疗废物管理条例": ("医疗废物管理条例", "2011-01-08"),
}


def gd_items(title: str) -> list[dict]:
    with open(GD_DATA, encoding="utf-8") as f:
        rows = [r for r in csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t")
                if r["处罚依据"].startswith(f"《{title}》")]
    for r in rows:
        r["序号"] = f"{r['chapter']}{r['序号']}"
        r["法律依据"] = r["处罚依据"]
        r["citations"] = [(c.article, c.paragraph, c.item) for c in parse_basis(r["处罚依据"]).citations]
    return rows


def measure_guangdong(title: str, out) -> dict:
    """The 广东 table is a 罚款金额裁量表: only penalties with a fine are its items, so only
    proposals whose measures include 罚款 are compared; it often cites a whole article where
    yiju proposes each 项 (a proposal under a cited article counts as that item's)."""
    folder, date = GD_LAWS[title]
    items = gd_items(title)
    db = connect(":memory:")
    record_version(db, title=title, text=(CORPUS / folder / f"{date}.md").read_text("utf-8"), source="import",
                   source_id=f"{folder}/{date}", promulgated=date)
    by_provision: dict[tuple, dict] = {}
    for name in GD_DEPARTMENTS:
        duty_store.ensure_department(db, name)
        props.generate(db, department=name, law=title)
    for p in list_proposals(db):
        if p["type"] == PENALTY and "罚款" in p["measures"]:
            by_provision.setdefault((p["article"], p["paragraph"], p["item"]), p)
    proposals = list(by_provision.values())
    found, real = set(), set()
    for i, item in enumerate(items):
        hits = [p for p in proposals if _cites(item, p)]
        if hits:
            found.add(i)
            real.update(p["id"] for p in hits)
    missed = [items[i] for i in range(len(items)) if i not in found]
    false = [p for p in proposals if p["id"] not in real]
    scope = {p["id"]: out_of_scope(p) for p in proposals}
    in_scope = [p for p in proposals if not scope[p["id"]]]
    real_in_scope = [p for p in in_scope if p["id"] in real]
    in_other = {p["id"]: other_list(title, p, of="guangdong") for p in false}
    powers = props.version_powers(db, _version(db))
    print(f"\n== 《{title}》 × {GD_DEPARTMENT}（罚款金额裁量表 {len(items)} 项）", file=out)
    print(f"   含罚款的罚则提议 {len(proposals)} 项；清单项目被提议 {len(found)}/{len(items)}；"
          f"提议为真实项目 {len(real)}/{len(proposals)}（裁量表可列的提议 {len(real_in_scope)}/{len(in_scope)}）",
          file=out)
    for item in missed:
        print(f"   漏提 {item['序号']} {item['处罚依据']} {item['违法行为'][:40]}\n        原因：{_why(item, powers)}",
              file=out)
    for p in false:
        shared = "（条文为“等主管部门/按照职责”的共同职权）" if p["shared"] else ""
        print(f"   多提 {_where(p)} [{p['authority']}] {p['name'][:50]}{shared}", file=out)
        print(f"        条文：{p['clause']}", file=out)
        hit = in_other[p["id"]]
        why = scope[p["id"]] or (hit and f"江门市生态环境局参照表列有此项（{hit['序号']}：{hit['违法行为'][:24]}…），"
                                          f"条文授予生态环境主管部门；广东的裁量表未列")
        if why:
            print(f"        说明：{why}", file=out)
    return {"items": len(items), "found": len(found), "proposals": len(proposals), "real": len(real),
            "in_scope": len(in_scope), "real_in_scope": len(real_in_scope),
            "real_either": len(real) + sum(1 for v in in_other.values() if v),
            "false": false, "false_shared": sum(1 for p in false if p["shared"])}


def speed() -> tuple[float, float]:
    dbs = [fresh(sheet) for sheet in LAWS]
    t0 = time.perf_counter()
    for db, _, rec in dbs:
        for _ in range(3):
            version_articles(db, rec.version_id)
    base = (time.perf_counter() - t0) / 3
    t0 = time.perf_counter()
    for db, title, rec in dbs:
        for _ in range(3):   # the recogniser itself, not the kept result (version_powers keeps it)
            law_powers((a["label"], [(p.get("text", ""), p.get("items", [])) for p in a["paragraphs"]])
                       for a in version_articles(db, rec.version_id))
    ours = (time.perf_counter() - t0) / 3
    return ours, base


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--law", choices=sorted(LAWS), help="only this sheet")
    ap.add_argument("--list", choices=("jiangmen", "guangdong", "both"), default="both",
                    help="江门市生态环境局 裁量标准参照表, 广东省生态环境厅 罚款金额裁量表, or both")
    args = ap.parse_args()
    if args.list in ("guangdong", "both") and not args.law:
        gd = {"items": 0, "found": 0, "proposals": 0, "real": 0, "false": 0, "false_shared": 0,
              "in_scope": 0, "real_in_scope": 0, "real_either": 0}
        for title in GD_LAWS:
            r = measure_guangdong(title, sys.stdout)
            for k in gd:
                gd[k] += len(r[k]) if k == "false" else r[k]
        print("\n== 合计（广东省生态环境厅 罚款金额裁量表，含罚款的罚则项目）")
        print(f"   recall {gd['found']}/{gd['items']} = {gd['found'] / gd['items']:.1%}; "
              f"precision {gd['real']}/{gd['proposals']} = {gd['real'] / gd['proposals']:.1%} "
              f"(多提 {gd['false']} 项中 {gd['false_shared']} 项为共同职权)；裁量表可列的提议 precision "
              f"{gd['real_in_scope']}/{gd['in_scope']} = {gd['real_in_scope'] / gd['in_scope']:.1%}")
        print(f"   两份广东生态环境部门清单合并评判（江门参照表也列的算真实项目）：precision "
              f"{gd['real_either']}/{gd['proposals']} = {gd['real_either'] / gd['proposals']:.1%}")
        if args.list == "guangdong":
            return
    sheets = [args.law] if args.law else list(LAWS)
    total = {"items": 0, "found": 0, "proposals": 0, "real": 0, "covered_again": 0, "other_authority": 0,
             "false_shared": 0, "false": 0, "in_scope": 0, "real_in_scope": 0, "real_either": 0}
    for sheet in sheets:
        r = measure(sheet, sys.stdout)
        for k in total:
            total[k] += len(r[k]) if k == "false" else r[k]
    print("\n== 合计（罚则项目）")
    print(f"   recall {total['found']}/{total['items']} = {total['found'] / total['items']:.1%}; "
          f"precision {total['real']}/{total['proposals']} = {total['real'] / total['proposals']:.1%} "
          f"(多提 {total['false']} 项中 {total['false_shared']} 项为共同职权)；裁量表可列的提议 precision "
          f"{total['real_in_scope']}/{total['in_scope']} = {total['real_in_scope'] / total['in_scope']:.1%}")
    print(f"   两份广东生态环境部门清单合并评判（广东裁量表也列的算真实项目）：precision "
          f"{total['real_either']}/{total['proposals']} = {total['real_either'] / total['proposals']:.1%}")
    print(f"   导入清单后：覆盖项被再次提议 {total['covered_again']}；他机关职权被提议 {total['other_authority']}")
    if not args.law:
        code_scenario(sys.stdout)
    ours, base = speed()
    print(f"\n== 速度：五部法律找职权 {ours * 1000:.1f} ms，基线（只读取条文）{base * 1000:.1f} ms，"
          f"比值 {ours / base:.1f}")


if __name__ == "__main__":
    main()
