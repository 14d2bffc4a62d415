"""Answers of flk.npc.gov.cn's ``/law-search/`` API (research/sources.md §1.A).

Codes may come as numbers or strings, dates with or without a time, titles with
``<em class='highlight'>`` marks: all are normalised here.

>>> page = parse_list(b'{"code":200,"msg":"ok","total":1,"rows":[{"bbbs":"a1","title":"x<em>y</em>",'
...                   b'"gbrq":"2020-01-02","sxrq":"","sxx":"3","flfgCodeId":"120","zdjgName":"z"}]}')
>>> page.total, page.rows[0].title, page.rows[0].status_code, page.rows[0].category_code
(1, 'xy', '3', 120)
"""

from __future__ import annotations

import html
import json
import re
import tomllib
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from crawler.parse import BadResponse, iso_date

DATA = Path(__file__).resolve().parent.parent / "data" / "flk.toml"

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def codes() -> dict:
    """The code tables of ``crawler/data/flk.toml``."""
    return tomllib.loads(DATA.read_text("utf-8"))


@dataclass(frozen=True)
class ListRow:
    source_id: str              # bbbs
    title: str
    promulgated: str | None     # gbrq
    effective: str | None       # sxrq
    status_code: str | None     # sxx, as a string ("3"); None for 修改、废止的决定
    category_code: int | None   # flfgCodeId
    issuer: str | None          # zdjgName
    issuer_code: int | None     # zdjgCodeId
    flxz: str | None
    kind: str                   # law / instrument

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ListPage:
    total: int
    rows: list[ListRow]

    def to_json(self) -> dict:
        return {"total": self.total, "rows": [r.to_json() for r in self.rows]}


@dataclass(frozen=True)
class Material:
    """One related material (相关资料, xgzl) of a version: 修改决定, 主席令 …"""

    file_id: str
    title: str
    kind: str | None            # busiType
    file_type: str | None       # docx / pdf …
    path: str | None = None     # ossFilePath (xgzlDetails only)


@dataclass(frozen=True)
class VersionRef:
    source_id: str
    title: str
    promulgated: str | None
    current: bool               # highLight: the version this answer is about


@dataclass(frozen=True)
class Detail:
    source_id: str
    title: str
    promulgated: str | None
    effective: str | None
    status_code: str | None
    flxz: str | None
    issuer: str | None
    word_path: str | None       # ossFile.ossWordPath
    pdf_path: str | None        # ossFile.ossPdfPath
    versions: list[VersionRef] = field(default_factory=list)   # lsyg, newest first as served
    materials: list[Material] = field(default_factory=list)    # xgzl

    def to_json(self) -> dict:
        return asdict(self)


def clean_title(value) -> str:
    """A title without highlight tags, entities or white space inside.

    >>> clean_title("中华人民共和国<em class='highlight'>专利</em>法 ")
    '中华人民共和国专利法'
    """
    text = html.unescape(_TAG.sub("", str(value or "")))
    return _SPACE.sub("", text)


def code(value) -> str | None:
    """A code as a string ("3"), whether it came as 3, "3" or 3.0; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def int_code(value) -> int | None:
    text = code(value)
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        return None


def load_json(data, what: str) -> dict:
    """Decode a JSON answer; an HTML page or anything else is a BadResponse."""
    if isinstance(data, dict):
        return data
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadResponse(f"{what}：返回内容不是 UTF-8 文本") from exc
    text = (data or "").strip()
    if not text:
        raise BadResponse(f"{what}：返回了空内容")
    if text.startswith("<"):
        raise BadResponse(f"{what}：应返回 JSON，实际返回了 HTML 页面")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadResponse(f"{what}：返回内容不是有效的 JSON（{exc.msg}）") from exc
    if not isinstance(value, dict):
        raise BadResponse(f"{what}：JSON 顶层应是对象")
    return value


def _check_code(obj: dict, what: str) -> None:
    status = code(obj.get("code"))
    if status != "200":
        msg = obj.get("msg") or "（无说明）"
        raise BadResponse(f"{what}：接口返回错误 code={status}：{msg}")


def is_decision(category_code: int | None, flxz: str | None, status_code: str | None) -> bool:
    """A 修改、废止的决定 record (an amending instrument), not a law."""
    table = codes()["decisions"]
    if category_code in table["codes"]:
        return True
    return status_code is None and (flxz or "") in table["flxz"]


def level_of(category_code: int | None, flxz: str | None) -> str | None:
    """法律效力位阶 from flfgCodeId, else from flxz."""
    table = codes()
    if category_code is not None and str(category_code) in table["level"]:
        return table["level"][str(category_code)]
    return table["level_by_flxz"].get(flxz or "")


def status_of(status_code: str | None) -> str | None:
    """Registry status (有效/已修改/已废止/尚未生效) for an sxx code; None when unknown."""
    return codes()["status"].get(status_code or "")


def instrument_kind(title: str) -> str:
    for rule in codes()["instrument_kinds"]:
        if any(word in title for word in rule["contains"]):
            return rule["kind"]
    return "其他"


def list_body(page: int, page_size: int, categories=(), issuers=(), search: str = "") -> dict:
    """The JSON body of one /search/list request, with every key the SPA sends."""
    body = json.loads(json.dumps(codes()["list_body"]))
    body.update(pageNum=page, pageSize=page_size, flfgCodeId=list(categories),
                zdjgCodeId=list(issuers), searchContent=search)
    return body


def parse_list(data) -> ListPage:
    """One page of ``POST /law-search/search/list``."""
    what = "法律法规列表"
    obj = load_json(data, what)
    _check_code(obj, what)
    rows = obj.get("rows")
    if not isinstance(rows, list):
        raise BadResponse(f"{what}：缺少 rows 数组")
    total = int_code(obj.get("total"))
    if total is None:
        raise BadResponse(f"{what}：缺少 total")
    out = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not code(row.get("bbbs")) or not clean_title(row.get("title")):
            raise BadResponse(f"{what}：第 {i + 1} 行缺少 bbbs 或 title")
        status = code(row.get("sxx"))
        category = int_code(row.get("flfgCodeId"))
        flxz = row.get("flxz") or None
        out.append(ListRow(
            source_id=code(row["bbbs"]),
            title=clean_title(row["title"]),
            promulgated=iso_date(row.get("gbrq")),
            effective=iso_date(row.get("sxrq")),
            status_code=status,
            category_code=category,
            issuer=(row.get("zdjgName") or None),
            issuer_code=int_code(row.get("zdjgCodeId")),
            flxz=flxz,
            kind="instrument" if is_decision(category, flxz, status) else "law",
        ))
    return ListPage(total=total, rows=out)


def parse_detail(data, source_id: str | None = None) -> Detail:
    """``GET /law-search/search/flfgDetails?bbbs=``; ``source_id`` checks the answer is about it."""
    what = f"法律法规详情 {source_id}" if source_id else "法律法规详情"
    obj = load_json(data, what)
    _check_code(obj, what)
    d = obj.get("data")
    if not isinstance(d, dict):
        raise BadResponse(f"{what}：data 为空（无此记录或接口异常）")
    bbbs = code(d.get("bbbs"))
    if not bbbs or not clean_title(d.get("title")):
        raise BadResponse(f"{what}：缺少 bbbs 或 title")
    if source_id and bbbs != source_id:
        raise BadResponse(f"{what}：返回的是另一条记录（{bbbs}）")
    oss = d.get("ossFile") if isinstance(d.get("ossFile"), dict) else {}
    versions = [
        VersionRef(code(v.get("bbbs")), clean_title(v.get("title")), iso_date(v.get("gbrq")), bool(v.get("highLight")))
        for v in (d.get("lsyg") or []) if isinstance(v, dict) and code(v.get("bbbs"))
    ]
    materials = [
        Material(code(m.get("fileId")), clean_title(m.get("title")), m.get("busiType") or None,
                 (m.get("fileType") or None))
        for m in (d.get("xgzl") or []) if isinstance(m, dict) and code(m.get("fileId"))
    ]
    return Detail(
        source_id=bbbs,
        title=clean_title(d.get("title")),
        promulgated=iso_date(d.get("gbrq")),
        effective=iso_date(d.get("sxrq")),
        status_code=code(d.get("sxx")),
        flxz=d.get("flxz") or None,
        issuer=d.get("zdjgName") or None,
        word_path=oss.get("ossWordPath") or None,
        pdf_path=oss.get("ossPdfPath") or None,
        versions=versions,
        materials=materials,
    )


def parse_download(data) -> str | None:
    """``GET /law-search/download/pc``: the signed file URL, or None when there is no such file."""
    what = "下载地址"
    obj = load_json(data, what)
    _check_code(obj, what)
    d = obj.get("data")
    if not d:
        return None
    if not isinstance(d, dict):
        raise BadResponse(f"{what}：data 应是对象")
    url = d.get("url")
    return str(url) if url else None


def parse_material(data, file_id: str | None = None) -> Material:
    """``GET /law-search/search/xgzlDetails?bbbs=&fileId=``."""
    what = f"相关资料 {file_id}" if file_id else "相关资料"
    obj = load_json(data, what)
    _check_code(obj, what)
    d = obj.get("data")
    if not isinstance(d, dict) or not code(d.get("fileId")):
        raise BadResponse(f"{what}：data 为空")
    path = d.get("ossFilePath") or None
    file_type = None
    if path and "." in path:
        file_type = path.rsplit(".", 1)[1].lower()
    return Material(code(d["fileId"]), clean_title(d.get("title")), d.get("busiType") or None, file_type, path)
