"""The local mirror: a plain HTTP server on 127.0.0.1 that answers like the real sources.

Two listening sockets: the API host (flk ``/law-search/…``, the xzfg pages, the Beijing list
pages) and a second "object storage" host that serves files only through signed URLs that
expire, as flk's download host does.

>>> from crawler.mirror.scenario import Scenario
>>> with Mirror(Scenario(today="2026-01-01")) as m:
...     m.base_url.startswith("http://127.0.0.1:"), m.file_netloc != m.base_url[7:]
(True, True)
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import json
import os
import pathlib
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlencode, urlparse

from crawler.mirror import gdpc, render, rules
from crawler.parse.provinces import gdpc as gd_profile
from crawler.mirror.scenario import Document, Fault, Material, Scenario
from crawler.parse.flk import codes, level_of

ENUM = json.loads((pathlib.Path(__file__).resolve().parent / "enum.json").read_text("utf-8"))
ENUM.pop("_note", None)
JSON_TYPE = "application/json;charset=UTF-8"
HTML_TYPE = "text/html;charset=utf-8"
FILE_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
BJ_LIST = "/rdzl/dfxfgk/dfxfg/"


@dataclass(frozen=True)
class Hit:
    """One request the mirror answered (tests and the benchmark count them)."""

    host: str           # api / files
    method: str
    path: str
    endpoint: str       # list / detail / download / file / material / … / other
    key: str | None     # bbbs, fileId, page …
    status: int
    agent: str = ""     # the User-Agent header


def _descendants(tree: dict) -> dict[int, set[int]]:
    """code → itself and every code below it in an enumData tree."""
    out: dict[int, set[int]] = {}

    def walk(node) -> set[int]:
        mine = set()
        if node.get("codeId") is not None:
            mine.add(int(node["codeId"]))
        for child in node.get("children", []):
            mine |= walk(child)
        if node.get("codeId") is not None:
            out[int(node["codeId"])] = mine
        return mine

    walk(tree)
    return out


CATEGORY_TREE = _descendants(ENUM["flfgfl"])
ISSUER_TREE = _descendants(ENUM["zdjgfl"])


class Mirror:
    """Serve a Scenario. Use as a context manager, or ``start()`` / ``stop()``."""

    def __init__(self, scenario: Scenario | None = None, *, host: str = "127.0.0.1", port: int = 0,
                 file_port: int = 0, state_file: str | os.PathLike | None = None):
        self.state_file = pathlib.Path(state_file) if state_file else None
        self._state_mtime = None
        if scenario is None:
            scenario = Scenario.load(self.state_file) if self.state_file and self.state_file.exists() else Scenario()
            if self.state_file and self.state_file.exists():
                self._state_mtime = self.state_file.stat().st_mtime
        self.scenario = scenario
        self.host = host
        self._ports = (port, file_port)
        self._secret = secrets.token_bytes(16)
        self._signed: dict[str, tuple[str, str | None, str]] = {}   # path → (bbbs, fileId, format)
        self._file_cache: dict[tuple, bytes] = {}
        self._order_cache: tuple[int, list[Document]] | None = None
        self.rule_keys = rules.RuleKeys()
        self.gd_tokens: set[str] = set()
        self._rule_generation = 0
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []
        self._threads: list[threading.Thread] = []

    # ----- life cycle ----------------------------------------------------------------------
    def start(self) -> "Mirror":
        api = ThreadingHTTPServer((self.host, self._ports[0]), _handler(self, "api"))
        files = ThreadingHTTPServer((self.host, self._ports[1]), _handler(self, "files"))
        for server in (api, files):
            server.daemon_threads = True
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
            thread.start()
            self._servers.append(server)
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> "Mirror":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Run until interrupted (``yiju mirror serve``)."""
        if not self._servers:
            self.start()
        try:
            while True:
                time.sleep(3600)
        finally:
            self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self._servers[0].server_address[1]}"

    @property
    def file_netloc(self) -> str:
        """host:port of the file host (what goes into a source's ``file_hosts``)."""
        return f"{self.host}:{self._servers[1].server_address[1]}"

    # ----- the request log -----------------------------------------------------------------
    def count(self, endpoint: str | None = None, key: str | None = None, host: str | None = None) -> int:
        with self._lock:
            return sum(1 for h in self.hits if (endpoint is None or h.endpoint == endpoint)
                       and (key is None or h.key == key) and (host is None or h.host == host))

    def clear_log(self) -> None:
        with self._lock:
            self.hits.clear()

    def _log(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def _reload(self) -> None:
        if not self.state_file or not self.state_file.exists():
            return
        mtime = self.state_file.stat().st_mtime
        if mtime != self._state_mtime:
            self.scenario = Scenario.load(self.state_file)
            self._state_mtime = mtime
            self._order_cache = None
            self._file_cache.clear()

    # ----- signing ---------------------------------------------------------------------------
    def sign(self, bbbs: str, file_id: str | None, fmt: str, filename: str) -> str:
        key = hashlib.md5(f"{bbbs}/{file_id}/{fmt}".encode()).hexdigest()
        day = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%d")
        path = f"/prod/{day}/{key}.{fmt}"
        self._signed[path] = (bbbs, file_id, fmt)
        amz_date = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        expires = str(int(self.scenario.url_ttl))
        params = {
            "response-content-disposition": f'attachment; filename="{quote(filename)}.{fmt}"',
            "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
            "X-Amz-Date": amz_date,
            "X-Amz-SignedHeaders": "host",
            "X-Amz-Expires": expires,
            "X-Amz-Credential": f"MIRROR/{day}/cn-north-1/s3/aws4_request",
            "X-Amz-Signature": self._signature(path, amz_date, expires),
        }
        return f"http://{self.file_netloc}{path}?{urlencode(params)}"

    def _signature(self, path: str, amz_date: str, expires: str) -> str:
        return hmac.new(self._secret, f"{path}|{amz_date}|{expires}".encode(), hashlib.sha256).hexdigest()

    def check_signature(self, path: str, query: dict) -> str | None:
        """None when the signed URL is valid now, else why it is refused."""
        try:
            amz_date = query["X-Amz-Date"][0]
            expires = query["X-Amz-Expires"][0]
            signature = query["X-Amz-Signature"][0]
        except (KeyError, IndexError):
            return "AccessDenied"
        if not hmac.compare_digest(signature, self._signature(path, amz_date, expires)):
            return "SignatureDoesNotMatch"
        signed_at = _dt.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=_dt.timezone.utc)
        if _dt.datetime.now(_dt.timezone.utc).timestamp() > signed_at.timestamp() + float(expires):
            return "Request has expired"
        return None

    # ----- content ---------------------------------------------------------------------------
    def file_bytes(self, doc: Document, material: Material | None, fmt: str) -> bytes:
        key = (doc.bbbs, material.file_id if material else None, fmt, self.scenario.version)
        if key not in self._file_cache:
            if fmt == "pdf":
                data = render.scanned_pdf_bytes()
            else:
                source = material or doc
                text = self.scenario.text_of(source)
                if text is None:
                    text = render.placeholder_text(source.title, doc.gbrq)
                data = render.docx_bytes(text, source.title)
            self._file_cache[key] = data
        return self._file_cache[key]

    def ordered(self) -> list[Document]:
        """Listed documents in the server's order: stable, but not by date (never trust it)."""
        version = self.scenario.version
        cached = self._order_cache
        if cached is None or cached[0] != version:
            docs = [d for d in self.scenario.documents.values() if d.listed]
            docs.sort(key=lambda d: hashlib.md5(d.bbbs.encode()).hexdigest())
            cached = (version, docs)
            self._order_cache = cached
        return cached[1]


# ----- request handling ------------------------------------------------------------------------

def _handler(mirror: Mirror, host: str):
    class Handler(_Handler):
        pass

    Handler.mirror = mirror
    Handler.host_kind = host
    return Handler


class _Handler(BaseHTTPRequestHandler):
    mirror: Mirror
    host_kind: str
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""

    def log_message(self, format, *args) -> None:  # quiet
        pass

    # -- plumbing
    def _send(self, status: int, body: bytes, content_type: str = JSON_TYPE, headers: dict | None = None,
              endpoint: str = "other", key: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.mirror._log(Hit(self.host_kind, self.command, self.path.split("?")[0], endpoint, key, status,
                             self.headers.get("User-Agent", "")))

    def _json(self, obj, endpoint: str, key: str | None = None, status: int = 200) -> None:
        self._send(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), JSON_TYPE,
                   endpoint=endpoint, key=key)

    def _apply_fault(self, endpoint: str, key: str | None) -> bool:
        """Answer with the fault configured for this request; True when it was answered."""
        fault: Fault | None = self.mirror.scenario.take_fault(endpoint, key)
        if fault is None:
            return False
        if fault.kind == "slow":
            time.sleep(fault.seconds or 5.0)
            return False
        if fault.kind == "stale_key":   # the site redeployed its bundle just now: this key is refused
            self.mirror.scenario.rotate_rule_key()
            return False
        if fault.kind == "waf":
            ray = secrets.token_hex(8)
            self._send(200, render.page("waf", ray=ray), HTML_TYPE,
                       {"WZWS-RAY": f"{ray}-mirror", "Set-Cookie": f"wzws_sid={ray}; path=/"}, endpoint, key)
        elif fault.kind == "empty":
            self._send(200, b"", JSON_TYPE, endpoint=endpoint, key=key)
        elif fault.kind == "spa":
            self._send(200, render.page("spa"), HTML_TYPE, endpoint=endpoint, key=key)
        elif fault.kind == "429":
            self._send(429, b"Too Many Requests", "text/plain", {"Retry-After": "1"}, endpoint, key)
        elif fault.kind == "500":
            self._json({"timestamp": _now_ms(), "status": 500, "error": "Internal Server Error",
                        "path": self.path.split("?")[0]}, endpoint, key, status=500)
        elif fault.kind == "error":
            self._json({"code": 500, "msg": "系统异常"}, endpoint, key)
        elif fault.kind == "truncated":
            self._send(200, b'{"resultCode":{"code":200},"result":{"data":{"list":[{"f_2023213604', JSON_TYPE,
                       endpoint=endpoint, key=key)
        elif fault.kind == "redirect":
            self._send(302, b"", "text/plain", {"Location": fault.location}, endpoint, key)
        elif fault.kind == "expired":
            self._send(403, _s3_error("AccessDenied", "Request has expired"), "application/xml",
                       endpoint=endpoint, key=key)
        return True

    def _query(self) -> dict[str, list[str]]:
        return parse_qs(urlparse(self.path).query, keep_blank_values=True)

    def _param(self, name: str) -> str | None:
        values = self._query().get(name)
        return values[0] if values else None

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    # -- dispatch
    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        self.mirror._reload()
        path = urlparse(self.path).path
        try:
            if self.host_kind == "files":
                return self._file(path)
            routes = {
                "/law-search/search/flfgDetails": self._detail,
                "/law-search/download/pc": self._download,
                "/law-search/search/xgzlDetails": self._material,
                "/law-search/search/enumData": self._enum,
                "/robots.txt": self._robots,
                "/SearchAdvancedFront": self._xzfg_list,
                "/search2.html": self._xzfg_list,
                "/front/law/detail": self._xzfg_detail,
                "/law/download": self._xzfg_download,
            }
            if path in routes:
                return routes[path]()
            if path == gd_profile.DETAIL_PATH:
                return self._gd_detail(self._param("id"))
            if path == gd_profile.FILE_PATH:
                return self._gd_file(self._param("fileFolder") or "")
            if path == rules.PORTAL:
                return self._rules_portal()
            if path == rules.BUNDLE:
                return self._rules_bundle()
            if path.startswith("/zhengce/") and path.endswith(".htm"):
                return self._rules_detail(path)
            if path == "/law-search/search/list":
                return self._json({"code": 500, "msg": "Request method 'GET' not supported"}, "list")
            if path.startswith(BJ_LIST):
                return self._bj(path)
            self._send(200, render.page("spa"), HTML_TYPE, endpoint="other")
        except BrokenPipeError:
            pass

    def do_POST(self) -> None:
        self.mirror._reload()
        path = urlparse(self.path).path
        body = self._read_body()
        if self.host_kind == "api" and path == "/law-search/search/list":
            return self._list(body)
        if self.host_kind == "api" and path == rules.config()["search_path"]:
            return self._rules_search(body)
        if self.host_kind == "api" and path == gd_profile.LIST_PATH:
            return self._gd_list(body)
        if self.host_kind == "api" and path == gd_profile.DETAIL_PATH:
            form = parse_qs(body.decode("utf-8", "replace"))
            return self._gd_detail((form.get("id") or [self._param("id")])[0])
        self._json({"code": 500, "msg": f"Request method 'POST' not supported"}, "other")

    # -- flk
    def _list(self, body: bytes) -> None:
        try:
            params = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return self._json({"timestamp": _now_ms(), "status": 500, "error": "Internal Server Error",
                               "path": "/law-search/search/list"}, "list", status=500)
        required = codes()["list_body"].keys()
        if (not isinstance(params, dict) or any(k not in params for k in required)
                or not isinstance(params.get("orderByParam"), dict)):
            return self._json({"code": 500, "msg": "系统异常"}, "list")
        try:
            page = max(1, int(params["pageNum"]))
            size = min(1000, max(1, int(params["pageSize"])))
        except (TypeError, ValueError):
            return self._json({"code": 500, "msg": "系统异常"}, "list")
        no_rows = self.mirror.scenario.take_fault("list_rows", str(page)) is not None
        if not no_rows and self._apply_fault("list", str(page)):
            return
        scenario = self.mirror.scenario
        with scenario.lock:
            docs = self._filter(self.mirror.ordered(), params)
            total = len(docs)
            rows = [self._row(d, params.get("searchContent") or "") for d in docs[(page - 1) * size: page * size]]
        if no_rows:  # a throttled answer seen in the wild: HTTP 200, code 200, the total, but no rows
            rows = []
        self._json({"code": 200, "msg": "查询成功", "total": total, "rows": rows,
                    "searchType": params.get("searchType"), "searchContent": None}, "list", str(page))

    @staticmethod
    def _filter(docs: list[Document], params: dict) -> list[Document]:
        def expand(values, tree) -> set[int] | None:
            if not values:
                return None
            out: set[int] = set()
            for v in values:
                try:
                    out |= tree.get(int(v), {int(v)})
                except (TypeError, ValueError):
                    continue
            return out

        categories = expand(params.get("flfgCodeId"), CATEGORY_TREE)
        issuers = expand(params.get("zdjgCodeId"), ISSUER_TREE)
        statuses = {int(s) for s in params.get("sxx") or [] if str(s).isdigit()}
        words = (params.get("searchContent") or "").strip()
        gbrq = params.get("gbrq") or []
        out = []
        for d in docs:
            if categories is not None and d.category not in categories:
                continue
            if issuers is not None and d.issuer_code not in issuers:
                continue
            if statuses and d.sxx not in statuses:
                continue
            if words and words not in d.title:
                continue
            if len(gbrq) == 2 and gbrq[0] and gbrq[1] and not (gbrq[0] <= (d.gbrq or "") <= gbrq[1]):
                continue
            out.append(d)
        return out

    def _codes(self, value):
        if value is None:
            return None
        return str(value) if self.mirror.scenario.codes_as_strings else value

    def _row(self, d: Document, words: str) -> dict:
        title = d.title
        pieces = [{"value": title, "highLight": False}]
        if words and words in title:
            before, _, after = title.partition(words)
            title = f"{before}<em class='highlight'>{words}</em>{after}"
            pieces = [p for p in ({"value": before, "highLight": False}, {"value": words, "highLight": True},
                                  {"value": after, "highLight": False}) if p["value"]]
        return {
            "bbbs": d.bbbs, "title": title, "gbrq": d.gbrq, "sxrq": d.sxrq or "",
            "sxx": self._codes(d.sxx), "flxz": d.flxz, "zdjgName": d.issuer,
            "zdjgCodeId": self._codes(d.issuer_code), "flfgCodeId": self._codes(d.category),
            "xgzlHighLight": None, "score": 1.0, "titleHightLightList": pieces,
        }

    def _detail(self) -> None:
        bbbs = self._param("bbbs")
        if not bbbs:
            return self._json({"msg": "Required request parameter 'bbbs' for method parameter type String "
                                      "is not present", "code": 500}, "detail")
        if self._apply_fault("detail", bbbs):
            return
        scenario = self.mirror.scenario
        with scenario.lock:
            d = scenario.get(bbbs)
            if d is None:
                return self._json({"msg": "操作成功", "code": 200, "data": None}, "detail", bbbs)
            versions = scenario.versions_of(d) if not d.is_decision else [d]
            stamp = (d.gbrq or "2000-01-01").replace("-", "")
            word = f"prod/{stamp}/{hashlib.md5(d.bbbs.encode()).hexdigest()}" if d.file_format == "docx" else None
            pdf = f"prod/{stamp}/{hashlib.md5((d.bbbs + 'pdf').encode()).hexdigest()}" if d.file_format == "pdf" else None
            data = {
                "bbbs": d.bbbs,
                "ossFile": {
                    "ossWordPath": f"{word}.docx" if word else None,
                    "ossWordOfdPath": f"{word}.ofd" if word else None,
                    "ossWordOfdSize": 132461 if word else None,
                    "ossPdfPath": f"{pdf}.pdf" if pdf else None,
                    "ossPdfOfdPath": f"{pdf}.ofd" if pdf else None,
                    "ossPdfOfdSize": 851000 if pdf else None,
                },
                "xgwj": [],
                "lsyg": [{"bbbs": v.bbbs, "title": v.title, "gbrq": v.gbrq, "highLight": v.bbbs == d.bbbs}
                         for v in versions] if len(versions) > 1 else None,
                "xgzl": [{"fileId": m.file_id, "title": m.title, "titleHighLight": None, "busiType": m.busi_type,
                          "fileType": m.file_type, "titleHightLightList": None} for m in d.materials],
                "flfg": None,
                "flxz": d.flxz,
                "zdjgName": d.issuer,
                "gbrq": d.gbrq,
                "sxrq": d.sxrq or "",
                "title": d.title,
                "sxx": self._codes(d.sxx),
                "content": None,
                "xfFlag": 0,
            }
        self._json({"msg": "操作成功", "code": 200, "data": data}, "detail", bbbs)

    def _download(self) -> None:
        bbbs, file_id, fmt = self._param("bbbs"), self._param("fileId") or None, self._param("format")
        if not bbbs or not fmt:
            return self._json({"code": 500, "msg": "系统异常"}, "download", bbbs)
        if self._apply_fault("download", file_id or bbbs):
            return
        scenario = self.mirror.scenario
        with scenario.lock:
            d = scenario.get(bbbs)
            if d is None:
                return self._json({"code": 500, "msg": "系统异常"}, "download", bbbs)
            material = next((m for m in d.materials if m.file_id == file_id), None) if file_id else None
            if file_id and material is None:
                return self._json({"code": 500, "msg": "系统异常"}, "download", file_id)
            have = material.file_type if material else d.file_format
            if have != fmt:
                return self._json({"code": 200, "msg": "操作成功", "data": {}}, "download", file_id or bbbs)
            url = self.mirror.sign(bbbs, file_id, fmt, (material or d).title)
        self._json({"code": 200, "msg": "操作成功",
                    "data": {"url": url, "urlIn": "http://172.16.220.27:38080/law-search/file/download?"
                             + urlencode({"bbbs": bbbs, "format": fmt})}}, "download", file_id or bbbs)

    def _material(self) -> None:
        bbbs, file_id = self._param("bbbs"), self._param("fileId")
        if not bbbs or not file_id:
            return self._json({"msg": "Required request parameter 'fileId' for method parameter type String "
                                      "is not present", "code": 500}, "material")
        if self._apply_fault("material", file_id):
            return
        d = self.mirror.scenario.get(bbbs)
        material = next((m for m in (d.materials if d else []) if m.file_id == file_id), None)
        if material is None:
            return self._json({"msg": "操作成功", "code": 200, "data": None}, "material", file_id)
        stamp = (d.gbrq or "2000-01-01").replace("-", "")
        path = f"prod/{stamp}/{hashlib.md5(file_id.encode()).hexdigest()}"
        self._json({"msg": "操作成功", "code": 200, "data": {
            "fileId": material.file_id, "title": material.title, "busiType": material.busi_type,
            "ossFilePath": f"{path}.{material.file_type}", "ossOfdPath": f"{path}.ofd", "ossOfdSize": 52011,
            "ofdType": 1}}, "material", file_id)

    def _enum(self) -> None:
        if self._apply_fault("enum", None):
            return
        self._json({"msg": "操作成功", "code": 200, "data": ENUM}, "enum")

    def _robots(self) -> None:
        if self._apply_fault("robots", None):
            return
        text = self.mirror.scenario.robots_txt
        if text is None:
            return self._send(404, b"<html><body>404 Not Found</body></html>", HTML_TYPE, endpoint="robots")
        self._send(200, text.encode("utf-8"), "text/plain;charset=utf-8", endpoint="robots")

    def _file(self, path: str) -> None:
        if path == "/robots.txt":
            return self._send(403, _s3_error("AccessDenied", "Access Denied"), "application/xml", endpoint="robots")
        entry = self.mirror._signed.get(path)
        key = (entry[1] or entry[0]) if entry else None
        if entry is None:
            return self._send(404, _s3_error("NoSuchKey", "The specified key does not exist."), "application/xml",
                              endpoint="file")
        if self._apply_fault("file", key):
            return
        refused = self.mirror.check_signature(path, self._query())
        if refused:
            return self._send(403, _s3_error("AccessDenied", refused), "application/xml", endpoint="file", key=key)
        bbbs, file_id, fmt = entry
        scenario = self.mirror.scenario
        with scenario.lock:
            d = scenario.get(bbbs)
            material = next((m for m in d.materials if m.file_id == file_id), None) if file_id else None
            data = self.mirror.file_bytes(d, material, fmt)
        disposition = (self._param("response-content-disposition") or "attachment")
        self._send(200, data, FILE_TYPES.get(fmt, "application/octet-stream"),
                   {"Content-Disposition": disposition, "ETag": f'"{hashlib.md5(data).hexdigest()}"'},
                   "file", key)

    # -- xzfg.moj.gov.cn
    def _xzfg_docs(self) -> list[Document]:
        docs = [d for d in self.mirror.ordered()
                if level_of(d.category, d.flxz) == "行政法规" and d.sxx == 3 and not d.is_decision]
        return sorted(docs, key=lambda d: (d.gbrq or "", d.law_id), reverse=True)

    def _chain(self, d: Document) -> list[Document]:
        return sorted(self.mirror.scenario.versions_of(d), key=lambda v: v.gbrq or "")

    def _xzfg_list(self) -> None:
        try:
            page = max(1, int(self._param("pageNo") or self._param("pageIndex") or 1))
        except ValueError:
            page = 1
        if self._apply_fault("xzfg_list", str(page)):
            return
        scenario = self.mirror.scenario
        with scenario.lock:
            docs = self._xzfg_docs()
            size = scenario.xzfg_page_size
            pages = max(1, -(-len(docs) // size))
            rows = [{"doc": d, "chain": self._chain(d)} for d in docs[(page - 1) * size: page * size]]
            body = render.page("xzfg_list", rows=rows, total=len(docs), pages=pages,
                               offset=(page - 1) * size, base=self.mirror.base_url)
        self._send(200, body, HTML_TYPE, endpoint="xzfg_list", key=str(page))

    def _xzfg_doc(self) -> Document | None:
        law_id = self._param("LawID") or ""
        for d in self.mirror.scenario.documents.values():
            if str(d.law_id) == law_id:
                return d
        return None

    def _xzfg_detail(self) -> None:
        key = self._param("LawID")
        if self._apply_fault("xzfg_detail", key):
            return
        scenario = self.mirror.scenario
        with scenario.lock:
            d = self._xzfg_doc()
            if d is None:
                return self._send(404, b"<html><body>404</body></html>", HTML_TYPE, endpoint="xzfg_detail", key=key)
            text = scenario.text_of(d) or render.placeholder_text(d.title, d.gbrq)
            body = render.page("xzfg_detail", doc=d, chain=self._chain(d), lines=render.lines_of(text),
                               base=self.mirror.base_url)
        self._send(200, body, HTML_TYPE, endpoint="xzfg_detail", key=key)

    def _xzfg_download(self) -> None:
        key = self._param("LawID")
        if self._apply_fault("xzfg_download", key):
            return
        d = self._xzfg_doc()
        if d is None:
            return self._send(404, b"", HTML_TYPE, endpoint="xzfg_download", key=key)
        self._send(200, self.mirror.file_bytes(d, None, "docx"), FILE_TYPES["docx"],
                   {"Content-Disposition": f'attachment; filename="{quote(d.title)}.docx"'},
                   "xzfg_download", key)

    # -- a provincial list site (the Beijing people's congress layout)
    def _bj_docs(self) -> list[Document]:
        docs = [d for d in self.mirror.ordered()
                if level_of(d.category, d.flxz) == "地方性法规" and d.title.startswith("北京市")
                and not d.is_decision and d.gbrq]
        return sorted(docs, key=lambda d: (d.gbrq or "", d.law_id), reverse=True)

    def _bj(self, path: str) -> None:
        rest = path[len(BJ_LIST):]
        scenario = self.mirror.scenario
        if rest in ("", "index.html") or (rest.startswith("index_") and rest.endswith(".html")):
            try:
                page = 1 if rest in ("", "index.html") else int(rest[len("index_"):-len(".html")]) + 1
            except ValueError:
                page = 0
            if self._apply_fault("html_list", str(page)):
                return
            with scenario.lock:
                docs = self._bj_docs()
                size = scenario.html_page_size
                pages = max(1, -(-len(docs) // size))
                if page < 1 or page > pages:
                    return self._send(404, b"<html><body>404</body></html>", HTML_TYPE, endpoint="html_list",
                                      key=str(page))
                body = render.page("html_list", rows=docs[(page - 1) * size: page * size],
                                   page=page, pages=pages)
            return self._send(200, body, HTML_TYPE, endpoint="html_list", key=str(page))
        number = rest.rsplit("_", 1)[-1].split(".")[0]
        if self._apply_fault("html_detail", number):
            return
        with scenario.lock:
            d = next((d for d in scenario.documents.values() if str(d.law_id) == number), None)
            if d is None:
                return self._send(404, b"<html><body>404</body></html>", HTML_TYPE, endpoint="html_detail",
                                  key=number)
            text = scenario.text_of(d) or render.placeholder_text(d.title, d.gbrq)
            body = render.page("html_detail", doc=d, lines=render.lines_of(text))
        self._send(200, body, HTML_TYPE, endpoint="html_detail", key=number)


    # -- 国家规章库 (the portal, its bundle, the Athena search, the gov.cn pages)
    def _rule_keys(self) -> "rules.RuleKeys":
        mirror = self.mirror
        with mirror._lock:
            while mirror._rule_generation < mirror.scenario.rule_key_generation:
                mirror.rule_keys.rotate()
                mirror._rule_generation += 1
        return mirror.rule_keys

    def _rules_portal(self) -> None:
        if self._apply_fault("rules_portal", None):
            return
        self._send(200, rules.portal_html(), HTML_TYPE, endpoint="rules_portal")

    def _rules_bundle(self) -> None:
        if self._apply_fault("rules_bundle", None):
            return
        self._send(200, rules.bundle_text(self.mirror.base_url, self._rule_keys()),
                   "application/javascript;charset=utf-8", endpoint="rules_bundle")

    def _rules_search(self, body: bytes) -> None:
        scenario = self.mirror.scenario
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            request = {}
        key = str(request.get("pageNo") or 1)
        if self._apply_fault("rules_list", key):
            return
        name = self.headers.get("athenaappname") or ""
        if not self._rule_keys().accepts(self.headers.get("athenaappkey")) or \
                unquote(name) != rules.APP_NAME:
            status, answer = rules.refusal(scenario.rules_refusal)
            return self._send(status, answer, JSON_TYPE, endpoint="rules_list", key=key)
        with scenario.lock:
            answer = rules.search_answer(list(scenario.rules.values()), request, site=self.mirror.base_url,
                                         flat=scenario.rules_flat,
                                         as_lists=scenario.rules_as_lists)
        self._json(answer, "rules_list", key)

    def _rules_detail(self, path: str) -> None:
        if self._apply_fault("rules_detail", path):
            return
        scenario = self.mirror.scenario
        with scenario.lock:
            rule = scenario.rules.get(path)
            if rule is None:
                return self._send(404, b"<html><body>404</body></html>", HTML_TYPE, endpoint="rules_detail",
                                  key=path)
            text = scenario.text_of(rule) or render.placeholder_text(rule.title, rule.posted)
            text = text.split("<!-- INFO END -->", 1)[-1]     # the corpus's history lines: the page has the 题注
            lines = [ln for ln in render.lines_of(text) if ln["full"] != rule.title]
            body = rules.detail_html(rule, lines)
        self._send(200, body, HTML_TYPE, endpoint="rules_detail", key=path)


    # -- 广东省法规规章规范性文件数据库
    def _gd_token(self) -> str:
        token = secrets.token_hex(16)
        with self.mirror._lock:
            self.mirror.gd_tokens.add(token)
        return token

    def _gd_refused(self, endpoint: str, key: str | None) -> bool:
        if self.mirror.scenario.gd_token_required and self.headers.get("Q-Token") not in self.mirror.gd_tokens:
            self._json({"code": 401, "msg": "请求令牌无效"}, endpoint, key)
            return True
        return False

    def _gd_list(self, body: bytes) -> None:
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            request = {}
        key = f"{request.get('lawRuleType')}:{request.get('pageNum')}"
        if self._apply_fault("gd_list", key):
            return
        scenario = self.mirror.scenario
        with scenario.lock:
            answer = gdpc.list_answer(list(scenario.gd_docs.values()), request, self._gd_token())
        self._json(answer, "gd_list", key)

    def _gd_detail(self, doc_id: str | None) -> None:
        if self._apply_fault("gd_detail", doc_id) or self._gd_refused("gd_detail", doc_id):
            return
        doc = self.mirror.scenario.gd_docs.get(doc_id or "")
        if doc is None:
            return self._json({"code": 500, "msg": "数据不存在"}, "gd_detail", doc_id)
        self._json(gdpc.detail_answer(doc, self._gd_token()), "gd_detail", doc_id)

    def _gd_file(self, folder: str) -> None:
        if self._apply_fault("gd_file", folder) or self._gd_refused("gd_file", folder):
            return
        scenario = self.mirror.scenario
        with scenario.lock:
            doc = next((d for d in scenario.gd_docs.values() if gdpc.file_path(d) == folder), None)
            if doc is None:
                return self._send(404, b"<html><body>404 Not Found</body></html>", HTML_TYPE, endpoint="gd_file",
                                  key=folder)
            if doc.file_ext == "scan":
                data, kind = render.scanned_pdf_bytes(), "pdf"
            else:
                text = scenario.text_of(doc) or render.placeholder_text(doc.title, doc.pass_date)
                data, kind = render.docx_bytes(text, doc.title), "docx"
        self._send(200, data, FILE_TYPES[kind], {"Content-Disposition": f'attachment; filename="{quote(doc.title)}.{kind}"'},
                   "gd_file", folder)


def _s3_error(code: str, message: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
            f"<Message>{message}</Message><RequestId>{secrets.token_hex(8)}</RequestId></Error>").encode()


def _now_ms() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")
