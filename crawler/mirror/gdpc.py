"""The mirror's 广东省法规规章规范性文件数据库: list, detail (file list) and file download.

Answers in the shapes of research/sources.md §3.1. Each answer's ``msg`` carries a session token;
with ``Scenario.gd_token_required`` the detail and file calls need a token the mirror issued
(as one public client assumes), otherwise they work without one (as another does).

>>> doc = GdDoc(id="8a81f3", title="广东省示例条例", law_rule_type=1, pass_date="2020-01-01")
>>> list_answer([doc], {"pageNum": 1, "pageSize": 20, "lawRuleType": 1}, "t" * 32)["data"]["total"]
1
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

LEVEL_KIND = {"local regulation": 1, "local government rule": 2}


@dataclass
class GdDoc:
    id: str
    title: str
    law_rule_type: int                 # 1 地方性法规 2 政府规章 3 规范性文件
    pass_date: str
    effective_date: str | None = None
    timeliness: str = "现行有效"
    office: str = "广东省人民代表大会常务委员会"
    release_num: str = ""
    file_ext: str = "docx"             # docx / pdf (text layer) / scan (a scanned PDF, no text)
    text: str | None = None
    text_file: str | None = None       # relative to yiju/data
    listed: bool = True


def doc_id(title: str, pass_date: str) -> str:
    return hashlib.md5(f"gdpc\x1f{title}\x1f{pass_date}".encode()).hexdigest()[:24]


def file_path(doc: GdDoc) -> str:
    ext = "pdf" if doc.file_ext in ("pdf", "scan") else doc.file_ext
    return f"/upload/nfrr/{doc.pass_date[:4]}/{doc.id}/{doc.title}（公布稿）.{ext}"


def list_answer(docs: list[GdDoc], body: dict, token: str) -> dict:
    kind = int(body.get("lawRuleType") or 1)
    chosen = sorted((d for d in docs if d.listed and d.law_rule_type == kind), key=lambda d: (d.pass_date, d.id),
                    reverse=True)
    size = max(1, int(body.get("pageSize") or 20))
    page = max(1, int(body.get("pageNum") or 1))
    rows = [{"id": d.id, "title": d.title, "timeliness": d.timeliness, "passDate": d.pass_date,
             "effectiveDate": d.effective_date, "lawRuleType": d.law_rule_type, "formulateMode": "制定",
             "fileType": d.file_ext if d.file_ext != "scan" else "pdf", "tagNames": "", "releaseNum": d.release_num,
             "officeVo": {"groupName": d.office}} for d in chosen[(page - 1) * size: page * size]]
    return {"code": 200, "msg": token, "data": {"rows": rows, "total": len(chosen)}}


def detail_answer(doc: GdDoc, token: str) -> dict:
    ext = "pdf" if doc.file_ext in ("pdf", "scan") else doc.file_ext
    return {"code": 200, "msg": token, "lawRule": {"id": doc.id, "title": doc.title, "keywords": "",
                                                   "effectiveDate": doc.effective_date, "associate": "",
                                                   "fileName": f"{doc.title}.{ext}"},
            "list": [
                {"id": f"{doc.id}-1", "fileName": f"{doc.title}（公布稿）.{ext}", "filePath": file_path(doc),
                 "fileExt": ext, "fileClass": 3},
                {"id": f"{doc.id}-2", "fileName": "起草说明.pdf", "filePath": f"/upload/nfrr/{doc.id}/说明.pdf",
                 "fileExt": "pdf", "fileClass": 4},
            ]}


def from_manifest(corpus, rows) -> list[GdDoc]:
    """Guangdong texts of the built-in corpus (rules/ and laws/ rows whose title starts with 广东省)."""
    out = []
    for row in rows:
        if not row["title"].startswith("广东省") or row["kind"] not in LEVEL_KIND:
            continue
        text = (corpus / row["path"]).read_text("utf-8")
        m = re.search(r"(广东省人民政府令第\d+号)", text)
        out.append(GdDoc(id=doc_id(row["title"], row["version_date"]), title=row["title"],
                         law_rule_type=LEVEL_KIND[row["kind"]], pass_date=row["version_date"],
                         effective_date=row["effective_date"] or None,
                         office="广东省人民政府" if row["kind"] == "local government rule" else "广东省人民代表大会常务委员会",
                         release_num=m.group(1) if m else "", text_file=row["path"]))
    return out
