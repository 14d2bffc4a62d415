"""The mirror's 国家规章库: portal page, script bundle, Athena search and gov.cn rule pages.

The shapes are those of research/sources.md §2.1: the bundle carries the API base, a Base64 RSA
public key, a seed and the app name; a search call must carry ``athenaappkey`` = the seed
encrypted with that key. The mirror keeps the private key, so it can refuse a key that is not
the current one (``Scenario.rotate_rule_key``: the seed changes, as when the site redeploys).

>>> keys = RuleKeys()
>>> from crawler.parse.gov_rules import Keys
>>> headers = Keys("http://x", keys.public_b64, keys.seed, APP_NAME).headers()
>>> keys.accepts(headers["athenaappkey"])
True
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from html import escape
from urllib.parse import unquote

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from crawler.parse.gov_rules import config

APP_NAME = "规章库"
PORTAL = "/zhengce/xxgk/gjgzk/index.htm"
BUNDLE = "/zhengce/xxgk/gjgzk/index.js"
KIND_CATEGORY = {"department rule": "部门规章", "local government rule": "地方政府规章"}


@dataclass
class Rule:
    """One rule as the site lists it (only rules in force are listed)."""

    path: str                  # the gov.cn page: /zhengce/2021-12/03/content_5711436.htm
    title: str
    category: str              # 部门规章 / 地方政府规章
    issuer: str
    province: str | None
    note: str                  # 题注
    posted: str                # 发布时间 on gov.cn (YYYY-MM-DD)
    text: str | None = None
    text_file: str | None = None   # relative to yiju/data
    listed: bool = True


def rule_path(title: str, posted: str) -> str:
    """A stable gov.cn-like page path for a rule version."""
    number = int(hashlib.md5(f"{title}\x1f{posted}".encode()).hexdigest()[:7], 16)
    return f"/zhengce/{posted[:7]}/{posted[8:10]}/content_{number}.htm"


def from_manifest(corpus, rows) -> list[Rule]:
    """Rules of the built-in corpus (MANIFEST rows whose path starts with rules/)."""
    out = []
    for row in rows:
        if not row["path"].startswith("rules/"):
            continue
        text = (corpus / row["path"]).read_text("utf-8")
        note_lines = [ln.strip() for ln in text.split("<!-- INFO END -->")[0].splitlines()[1:] if ln.strip()]
        first = note_lines[0] if note_lines else ""
        m = re.search(r"\d+日\s*(.+?)令", first)
        issuer = m.group(1).replace("、", " ") if m else ""
        category = KIND_CATEGORY[row["kind"]]
        province = re.match(r"^(.+?[省市区])", row["title"]).group(1) if category == "地方政府规章" else None
        effective = f" 自{row['effective_date'][:4]}年{int(row['effective_date'][5:7])}月{int(row['effective_date'][8:])}日起施行" \
            if row["effective_date"] else ""
        note = "（" + "　".join(ln.replace(" ", "") for ln in note_lines if "施行" not in ln) + effective + "）"
        out.append(Rule(path=rule_path(row["title"], row["version_date"]), title=row["title"], category=category,
                        issuer=issuer, province=province, note=note, posted=row["version_date"],
                        text_file=row["path"], listed=not row["status"].startswith("repealed")))
    return out


class RuleKeys:
    """The RSA key pair and seed the bundle publishes; ``rotate`` makes every earlier key invalid."""

    def __init__(self):
        self._private = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        der = self._private.public_key().public_bytes(serialization.Encoding.DER,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo)
        self.public_b64 = base64.b64encode(der).decode("ascii")
        self.generation = 0
        self.seed = ""
        self.rotate()

    def rotate(self) -> None:
        self.generation += 1
        self.seed = secrets.token_hex(8)

    def accepts(self, app_key: str | None) -> bool:
        if not app_key:
            return False
        try:
            plain = self._private.decrypt(base64.b64decode(unquote(app_key)), padding.PKCS1v15())
        except (ValueError, TypeError):
            return False
        return plain.decode("utf-8", "replace") == self.seed


def bundle_text(base: str, keys: RuleKeys) -> bytes:
    """A minified-looking bundle holding the four values in the shape the site uses."""
    return (
        '!function(){"use strict";var e=window.__GJGZK__||{};function a(t,n){return window.JSEncrypt?'
        'new window.JSEncrypt({default_key_size:1024}).setPublicKey(t)||t:n}'
        f'var s="{base}",o=encodeURIComponent(a("{keys.public_b64}","{keys.seed}")),'
        f'c=encodeURIComponent("{APP_NAME}");e.api=s;e.key=o;e.name=c;window.__GJGZK__=e}}();'
    ).encode("utf-8")


def portal_html() -> bytes:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>国家规章库_中国政府网</title>'
        f'<script src="{BUNDLE.rsplit("/", 1)[1]}?v=20261201"></script></head>'
        '<body><div id="app"></div></body></html>'
    ).encode("utf-8")


def search_answer(rules: list[Rule], body: dict, *, site: str = "https://www.gov.cn", flat: bool = False,
                  as_lists: bool = False) -> dict:
    """The Athena answer for one search body (category filter, newest first, one page)."""
    f = config()["fields"]
    category = next((s.get("searchWord") for s in body.get("searchFields") or []
                     if s.get("fieldName") == f["category"]), None)
    chosen = [r for r in rules if r.listed and (category is None or r.category == category)]
    chosen.sort(key=lambda r: (r.posted, r.path), reverse=True)
    size = max(1, int(body.get("pageSize") or 10))
    page = max(1, int(body.get("pageNo") or 1))
    part = chosen[(page - 1) * size: page * size]

    def value(v):
        return [v] if as_lists and v is not None else v

    items = [{f["category"]: value(r.category), f["title"]: value(r.title), f["province"]: value(r.province or ""),
              f["issuer"]: value(r.issuer), f["note"]: value(r.note), f["posted"]: value(f"{r.posted} 00:00:00"),
              f["url"]: value(f"{site}{r.path}")} for r in part]
    pages = -(-len(chosen) // size)
    if flat:
        return {"resultCode": {"code": 200, "cnMsg": "成功"}, "result": {"data": items, "totalCount": len(chosen)}}
    return {"resultCode": {"code": 200}, "result": {"data": {"list": items, "pager": {
        "total": len(chosen), "pageCount": pages, "pageNo": page}}}}


def refusal(kind: str) -> tuple[int, bytes]:
    """(status, body) of a refused key: HTTP 401, or HTTP 200 with an athena_* code."""
    if kind == "code":
        doc = {"resultCode": {"code": "athena_key_invalid", "cnMsg": "appkey校验失败"}, "result": None}
        return 200, json.dumps(doc, ensure_ascii=False).encode("utf-8")
    return 401, json.dumps({"resultCode": {"code": 401, "cnMsg": "未授权"}}, ensure_ascii=False).encode("utf-8")


def detail_html(rule: Rule, lines: list[dict]) -> bytes:
    """A gov.cn rule page: title, meta, the body in #UCAP-CONTENT, then the related-links block."""
    paragraphs = "\n".join(f"<p>{escape(line['full'])}</p>" for line in lines)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(rule.title)}__中国政府网</title>'
        f'<meta name="lanmu" content="{escape(rule.category)}">'
        f'<meta name="firstpublishedtime" content="{rule.posted} 17:00:00"></head><body>'
        f'<div class="pages_content"><div id="UCAP-CONTENT">\n<p>{escape(rule.title)}</p>\n'
        f'<p>{escape(rule.note)}</p>\n{paragraphs}\n</div></div>'
        '<div class="gjgzk_wz">相关链接</div></body></html>'
    ).encode("utf-8")


def read_manifest(corpus) -> list[dict]:
    return list(csv.DictReader((corpus / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"))
