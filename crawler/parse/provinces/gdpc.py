"""广东省法规规章规范性文件数据库 (www.gdpc.gov.cn, research/sources.md §3.1).

List ``POST /bascdata/nfrr/law-rule!noSession_es_regulation_search.gx`` (JSON body, ``lawRuleType``
1 地方性法规 / 2 政府规章 / 3 规范性文件) → ``{"code":200,"msg":<token>,"data":{"rows","total"}}``;
the token in ``msg`` is sent back as ``Q-Token`` (one public client does, another does not: both
work). Detail ``…!noSession_getById.gx?id=`` lists the files; ``fileClass`` 3/5/37 is the text.
Files come from ``/bascdata/downloadFile?type=1&fileFolder=<path>`` and are often scanned PDFs.

>>> list_call("https://www.gdpc.gov.cn", 2, 1, 20, None).body
'{"pageNum": 1, "pageSize": 20, "lawRuleType": 2, "orderByColumn": "passDate"}'
"""

from __future__ import annotations

import json
from urllib.parse import quote

from crawler.parse import BadResponse, iso_date
from crawler.parse.flk import clean_title
from crawler.parse.provinces import ApiFile, ApiRow, Call

NAME = "广东省法规规章规范性文件数据库"
LEVELS = {1: "地方性法规", 2: "地方政府规章", 3: "规范性文件"}
TEXT_CLASSES = {"3", "5", "37"}
LIST_PATH = "/bascdata/nfrr/law-rule!noSession_es_regulation_search.gx"
DETAIL_PATH = "/bascdata/nfrr/law-rule!noSession_getById.gx"
FILE_PATH = "/bascdata/downloadFile"
HEADERS = {"Content-Type": "application/json;charset=UTF-8", "X-Requested-With": "XMLHttpRequest"}


def _headers(token: str | None) -> dict:
    return {**HEADERS, **({"Q-Token": token} if token else {})}


def list_call(base: str, category: int, page: int, page_size: int, token: str | None) -> Call:
    body = {"pageNum": page, "pageSize": page_size, "lawRuleType": category, "orderByColumn": "passDate"}
    return Call(base + LIST_PATH, "POST", json.dumps(body, ensure_ascii=False), _headers(token))


def detail_call(base: str, source_id: str, token: str | None) -> Call:
    return Call(f"{base}{DETAIL_PATH}?id={quote(source_id)}", "GET", None, _headers(token))


def file_call(base: str, file: ApiFile, token: str | None) -> Call:
    return Call(f"{base}{FILE_PATH}?type=1&fileFolder={quote(file.path, safe='')}", "GET", None,
                {k: v for k, v in _headers(token).items() if k != "Content-Type"})


def _envelope(data: bytes) -> dict:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadResponse(f"应返回 JSON：{exc}") from exc
    if not isinstance(doc, dict):
        raise BadResponse("返回的不是 JSON 对象")
    code = doc.get("code")
    if code not in (200, "200", None) or "Too many" in str(doc.get("msg") or ""):
        raise BadResponse(f"接口返回错误 {code}：{doc.get('msg')}")
    return doc


def parse_list(data: bytes, category: int) -> tuple[list[ApiRow], int, str | None]:
    """(rows, total, token) of one list page."""
    doc = _envelope(data)
    block = doc.get("data")
    if not isinstance(block, dict) or not isinstance(block.get("rows"), list):
        raise BadResponse("列表缺少 data.rows")
    try:
        total = int(block.get("total"))
    except (TypeError, ValueError) as exc:
        raise BadResponse("列表缺少总数（data.total）") from exc
    rows = []
    for r in block["rows"]:
        if not isinstance(r, dict) or r.get("id") in (None, "") or not r.get("title"):
            raise BadResponse("列表的行缺少 id 或标题")
        timeliness = str(r.get("timeliness") or "")
        office = r.get("officeVo") or {}
        rows.append(ApiRow(
            source_id=str(r["id"]), title=clean_title(str(r["title"])),
            level=LEVELS.get(_int(r.get("lawRuleType")) or category),
            promulgated=iso_date(r.get("passDate")), effective=iso_date(r.get("effectiveDate")),
            status="已废止" if ("废止" in timeliness or "失效" in timeliness) else None,
            issuer=(office.get("groupName") if isinstance(office, dict) else None) or None,
            number=r.get("releaseNum") or None))
    token = doc.get("msg") if isinstance(doc.get("msg"), str) and len(doc.get("msg")) >= 16 else None
    return rows, total, token


def parse_detail(data: bytes) -> tuple[list[ApiFile], str | None]:
    """(files, 施行日期) of one document; the text files first, a Word file before a PDF."""
    doc = _envelope(data)
    rule = doc.get("lawRule")
    files = doc.get("list")
    if not isinstance(rule, dict) or not isinstance(files, list):
        raise BadResponse("详情缺少 lawRule 或文件列表")
    out = []
    for f in files:
        if not isinstance(f, dict) or not f.get("filePath"):
            continue
        ext = str(f.get("fileExt") or "").lstrip(".").lower() or str(f.get("fileName", "")).rsplit(".", 1)[-1].lower()
        out.append(ApiFile(str(f.get("id")), str(f.get("fileName") or ""), str(f["filePath"]), ext,
                           str(f.get("fileClass")) in TEXT_CLASSES))
    out.sort(key=lambda f: (not f.is_text, f.ext not in ("docx", "doc")))
    return out, iso_date(rule.get("effectiveDate"))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
