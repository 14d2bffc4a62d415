"""Answers of 国家规章库 (www.gov.cn/zhengce/xxgk/gjgzk/, research/sources.md §2.1).

The portal page names a script bundle; the bundle holds the Athena API's base URL, an RSA public
key, a seed and the app name. Each API call carries ``athenaappname`` and ``athenaappkey`` (the
seed encrypted with the key, Base64, URL-quoted). The search answers rows keyed by field ids
(``crawler/data/gov_rules.toml``); each row links a gov.cn detail page with the text.

>>> note_dates("（2021年11月30日生态环境部、公安部、交通运输部令第23号公布 自2022年1月1日起施行）")
('2021-11-30', '2022-01-01')
"""

from __future__ import annotations

import base64
import json
import re
import tomllib
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urljoin

from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import load_der_public_key
from parsel import Selector

from crawler.parse import BadResponse, iso_date
from crawler.parse.flk import clean_title

DATA = Path(__file__).resolve().parent.parent / "data" / "gov_rules.toml"


@lru_cache(maxsize=1)
def config() -> dict:
    """The endpoint constants and field ids (crawler/data/gov_rules.toml)."""
    return tomllib.loads(DATA.read_text("utf-8"))


def is_decision(title: str) -> bool:
    """A listed decision on other rules (修改 / 废止), kept as an instrument, not as a rule.

    >>> is_decision("国家市场监督管理总局关于废止和修改部分规章的决定"), is_decision("危险废物转移管理办法")
    (True, False)
    """
    return bool(re.search(config()["decision_title"], title or ""))


@dataclass(frozen=True)
class Keys:
    """What the bundle gives: where the API is and how to sign a call."""

    base: str
    public_key: str     # Base64 DER (SubjectPublicKeyInfo)
    seed: str
    app_name: str

    def headers(self) -> dict[str, str]:
        """The headers of every API call: app name and a freshly encrypted key (PKCS#1 v1.5)."""
        try:
            key = load_der_public_key(base64.b64decode(self.public_key))
            sealed = key.encrypt(self.seed.encode("utf-8"), padding.PKCS1v15())
        except (ValueError, TypeError) as exc:
            raise BadResponse(f"脚本中的公钥无法使用：{exc}") from exc
        return {
            "athenaappname": quote(self.app_name, safe=""),
            "athenaappkey": quote(base64.b64encode(sealed).decode("ascii"), safe=""),
            "Content-Type": "application/json;charset=UTF-8",
            "Referer": config()["referer"],
        }


def bundle_url(page: bytes | str, page_url: str) -> str:
    """The script bundle the portal page loads (``index.js?…``)."""
    html = page.decode("utf-8", "replace") if isinstance(page, bytes) else page
    m = re.search(config()["script"], html)
    if not m:
        raise BadResponse("规章库首页中没有找到检索脚本（index.js），页面结构可能已改变")
    return urljoin(page_url, m.group("src"))


def parse_bundle(script: bytes | str) -> Keys:
    """Base URL, public key, seed and app name from the bundle's text.

    >>> parse_bundle('var s="https://sousuoht.www.gov.cn",o=encodeURIComponent(a("' + 'A' * 64 + '","x1")),'
    ...              'c=encodeURIComponent("规章库")').app_name
    '规章库'
    """
    text = script.decode("utf-8", "replace") if isinstance(script, bytes) else script
    m = re.search(config()["bundle"], text)
    if not m:
        raise BadResponse("检索脚本中没有找到接口地址和密钥，脚本可能已改版")
    return Keys(m.group("base").rstrip("/"), m.group("pub"), m.group("seed"), m.group("name"))


def search_body(category: str, page: int, page_size: int) -> dict:
    """The JSON body of one search call: one 规章分类, newest first."""
    c = config()
    f = c["fields"]
    return {
        "code": c["code"],
        "tableName": c["table"],
        "searchFields": [{"fieldName": f["category"], "searchWord": category, "searchType": "TERM",
                          "withHighLight": False}],
        "sorts": [{"sortField": c["sort_field"], "sortOrder": "DESC"}],
        "resultFields": [f[k] for k in ("category", "title", "province", "issuer", "note", "note_alt", "posted",
                                        "office")] + [f["url"]],
        "trackTotalHits": "true",
        "pageSize": min(page_size, c["page_size_max"]),
        "pageNo": page,
        "granularity": "ALL",
    }


@dataclass(frozen=True)
class RuleRow:
    source_id: str          # the detail page's path: stable, unique, and what the site links
    title: str
    category: str | None    # 部门规章 / 地方政府规章
    issuer: str | None
    province: str | None
    promulgated: str | None  # from the 题注 (the posting date only when the 题注 has none)
    effective: str | None
    url: str
    note: str | None

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RulePage:
    total: int
    pages: int
    rows: list[RuleRow]

    def to_json(self) -> dict:
        return {"total": self.total, "pages": self.pages, "rows": [r.to_json() for r in self.rows]}


class KeyRefused(BadResponse):
    """The API refused the app key: discover a new one from the portal."""


def _value(row: dict, key: str) -> str | None:
    """A field's value; some answers send every value as a one-element list."""
    value = row.get(key)
    if isinstance(value, list):
        value = next((v for v in value if v not in (None, "")), None)
    if value is None:
        return None
    value = re.sub(r"</?em[^>]*>", "", str(value)).strip()
    return value or None


def note_dates(note: str | None) -> tuple[str | None, str | None]:
    """(公布日期, 施行日期) from a 题注; the last 公布/修改 date is this text's."""
    if not note:
        return None, None
    dates = [iso_date(m.group(0)) for m in re.finditer(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日", note)]
    effective = None
    m = re.search(r"自\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*起\s*施行", note)
    if m:
        effective = iso_date(m.group(1))
    acts = [d for d in dates if d and d != effective]
    promulgated = max(acts) if acts else None
    if effective and promulgated and effective < promulgated:
        effective = None  # the first text's 施行日期, kept in an amended rule's 题注: not this version's
    return promulgated, effective


def parse_list(data: bytes, page_url: str = "https://www.gov.cn/") -> RulePage:
    """One search answer. Raises ``KeyRefused`` for a refused key, ``BadResponse`` for anything else."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadResponse(f"检索结果不是 JSON：{exc}") from exc
    if not isinstance(doc, dict):
        raise BadResponse("检索结果不是 JSON 对象")
    code_block = doc.get("resultCode") or {}
    code = code_block.get("code") if isinstance(code_block, dict) else code_block
    message = (code_block.get("cnMsg") or code_block.get("msg")) if isinstance(code_block, dict) else None
    if str(code) in config()["refused_codes"] or str(code) in ("401", "403"):
        raise KeyRefused(f"接口拒绝了密钥（{code}{'：' + message if message else ''}）")
    if str(code) != "200":
        raise BadResponse(f"检索接口返回错误 {code}{'：' + message if message else ''}")
    result = doc.get("result") or {}
    data_block = result.get("data") if isinstance(result, dict) else None
    if isinstance(data_block, dict):
        items = data_block.get("list")
        pager = data_block.get("pager") or {}
        total, pages = pager.get("total"), pager.get("pageCount")
    elif isinstance(data_block, list):  # the flat shape: result.data is the list, totalCount beside it
        items, total, pages = data_block, result.get("totalCount"), None
    else:
        raise BadResponse("检索结果缺少 result.data")
    if not isinstance(items, list):
        raise BadResponse("检索结果缺少结果列表")
    try:
        total = int(total)
    except (TypeError, ValueError) as exc:
        raise BadResponse("检索结果缺少总数（total）") from exc
    f = config()["fields"]
    rows = []
    for item in items:
        if not isinstance(item, dict):
            raise BadResponse("检索结果的行不是对象")
        title, url = _value(item, f["title"]), _value(item, f["url"])
        if not title or not url:
            raise BadResponse("检索结果的行缺少标题或链接")
        url = urljoin(page_url, url)
        note = _value(item, f["note"]) or _value(item, f["note_alt"])
        promulgated, effective = note_dates(note)
        rows.append(RuleRow(
            source_id=re.sub(r"^https?://[^/]+", "", url), title=clean_title(title),
            category=_value(item, f["category"]), issuer=_value(item, f["issuer"]) or _value(item, f["office"]),
            province=_value(item, f["province"]), promulgated=promulgated or iso_date(_value(item, f["posted"])),
            effective=effective, url=url, note=note))
    return RulePage(total, int(pages) if pages else 0, rows)


@dataclass(frozen=True)
class RuleDetail:
    title: str
    category: str | None
    body_html: str

    def to_json(self) -> dict:
        return asdict(self)


def parse_detail(data: bytes) -> RuleDetail:
    """A gov.cn rule page: the body (``#UCAP-CONTENT`` / ``.pages_content``) up to the link block."""
    sel = Selector(text=data.decode("utf-8", "replace"))
    body = sel.css("#UCAP-CONTENT") or sel.css(".pages_content")
    if not body:
        raise BadResponse("规章页面中没有正文（#UCAP-CONTENT / .pages_content）")
    html = body[0].get()
    html = re.split(r"<div[^>]+class=\"[^\"]*gjgzk_wz", html)[0]
    title = (sel.css("title::text").get() or "").split("__")[0].strip()
    return RuleDetail(title=clean_title(title), category=sel.css("meta[name=lanmu]::attr(content)").get(),
                      body_html=html)
