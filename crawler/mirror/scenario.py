"""What the local mirror serves: documents of the national database, their versions and statuses,
and the faults it has been told to produce. Tests and the demo drive it; ``yiju mirror serve``
reads it from a JSON state file (and reloads it when the file changes)::

    {"today": "2026-01-01", "url_ttl": 3600, "robots_txt": null, "codes_as_strings": false,
     "documents": [{"bbbs": "…", "title": "…", "gbrq": "2021-01-22", "sxrq": "2021-07-15", "sxx": 3,
                    "category": 130, "issuer_code": 110, "issuer": "…", "flxz": "法律", "work": "行政处罚法",
                    "text_file": "laws/行政处罚法/2021-01-22.md", "file_format": "docx", "materials": []}],
     "faults": [{"endpoint": "detail", "kind": "waf", "key": "<bbbs>", "times": null}]}

Endpoints: list, detail, download, file, material, enum, robots, xzfg_list, xzfg_detail,
xzfg_download, html_list, html_detail (list_rows: a list page whose rows are missing). Faults: waf (HTTP 200 challenge page with WZWS-RAY), empty,
spa (the SPA shell), 429, 500, error (``{"code":500,"msg":"系统异常"}``), slow (``seconds``),
expired (file host: 403 "Request has expired").

>>> s = Scenario(today="2026-01-01")
>>> old = s.add_law("中华人民共和国示例法", text="中华人民共和国示例法\\n第一条　示例。", gbrq="2017-09-01")
>>> new = s.amend("中华人民共和国示例法", text="中华人民共和国示例法\\n第一条　示例。\\n第二条　新增。",
...               gbrq="2021-01-22", sxrq="2021-07-15")
>>> (old.sxx, new.sxx), [d.bbbs for d in s.versions_of(new)] == [new.bbbs, old.bbbs]
((2, 3), True)
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import pathlib
import threading
from dataclasses import dataclass, field

from crawler.mirror.gdpc import GdDoc
from crawler.mirror.gdpc import from_manifest as gd_from_manifest
from crawler.mirror.rules import Rule, rule_path
from crawler.mirror.rules import from_manifest as rules_from_manifest
from crawler.parse.flk import instrument_kind, level_of
from config.clock import today as clock_today

CORPUS = pathlib.Path(__file__).resolve().parents[2] / "yiju" / "data"

#: Endpoints a fault can be attached to.
ENDPOINTS = ("list", "list_rows", "detail", "download", "file", "material", "enum", "robots",
             "xzfg_list", "xzfg_detail", "xzfg_download", "html_list", "html_detail",
             "rules_portal", "rules_bundle", "rules_list", "rules_detail", "gd_list", "gd_detail", "gd_file")
#: What a misbehaving endpoint does.
FAULT_KINDS = ("waf", "empty", "spa", "429", "500", "error", "slow", "expired", "truncated",
               "stale_key", "redirect")

# Defaults per level: (flfgCodeId, zdjgCodeId, zdjgName, flxz, decision code).
LEVEL_DEFAULTS = {
    "法律": (130, 110, "全国人民代表大会常务委员会", "法律", 200),
    "行政法规": (210, 120, "国务院", "行政法规", 215),
    "地方性法规": (230, 170, "北京市人民代表大会常务委员会", "地方法规", 310),
    "司法解释": (320, 140, "最高人民法院", "司法解释", 350),
}
_KIND_LEVEL = {"law": "法律", "administrative regulation": "行政法规", "local regulation": "地方性法规"}


def make_bbbs(*parts: str) -> str:
    """A stable 32-hex identifier like the real ``bbbs``."""
    return hashlib.md5("\x1f".join(["yiju-mirror", *parts]).encode("utf-8")).hexdigest()


@dataclass
class Material:
    """A related material (xgzl) of one version: its amending decision, an order …"""

    file_id: str
    title: str
    busi_type: str = "修改决定"
    file_type: str = "docx"
    text: str | None = None
    text_file: str | None = None


@dataclass
class Document:
    """One record of the national database: a version of a law, or a 修改、废止的决定."""

    bbbs: str
    title: str
    gbrq: str | None
    sxrq: str | None
    sxx: int | None                  # 1 废止 2 已修改 3 有效 4 尚未生效; None: a decision record
    category: int                    # flfgCodeId (leaf)
    issuer_code: int                 # zdjgCodeId
    issuer: str                      # zdjgName
    flxz: str
    work: str | None = None          # versions sharing a work are linked through lsyg
    text: str | None = None
    text_file: str | None = None     # relative to yiju/data (the built-in corpus)
    file_format: str = "docx"        # docx / doc / pdf / none
    materials: list[Material] = field(default_factory=list)
    law_id: int = 0                  # xzfg LawID / Beijing page number
    listed: bool = True

    @property
    def is_decision(self) -> bool:
        return self.sxx is None


@dataclass
class Fault:
    endpoint: str
    kind: str = "waf"
    key: str | None = None           # bbbs, fileId, page number, LawID or URL path; None = every request
    times: int | None = None         # how many requests misbehave; None = all
    seconds: float = 0.0             # for "slow"
    hits: int = 0
    location: str = ""               # for "redirect": where the 302 points


class Scenario:
    """The mirror's state. Every method is safe to call while the mirror serves."""

    def __init__(self, today: str | None = None, url_ttl: float = 3600.0, robots_txt: str | None = None,
                 codes_as_strings: bool = False, xzfg_page_size: int = 20, html_page_size: int = 20):
        self.documents: dict[str, Document] = {}
        self.faults: list[Fault] = []
        self.today = today
        self.url_ttl = url_ttl
        self.robots_txt = robots_txt
        self.codes_as_strings = codes_as_strings
        self.xzfg_page_size = xzfg_page_size      # rows per page of the xzfg results
        self.html_page_size = html_page_size      # rows per page of the Beijing list
        self.rules: dict[str, Rule] = {}          # 国家规章库: gov.cn page path → rule
        self.rules_refusal = "http"                # a refused key: "http" (401) or "code" (HTTP 200, athena_*)
        self.rules_flat = False                    # answer in the flat shape (result.data list + totalCount)
        self.rules_as_lists = False                # send every field value as a one-element list
        self.rule_key_generation = 0               # bumped by rotate_rule_key(): keys issued before are refused
        self.gd_docs: dict[str, GdDoc] = {}        # 广东省法规规章规范性文件数据库: id → document
        self.gd_token_required = False             # detail and file calls need a Q-Token the list issued
        self.lock = threading.RLock()
        self.version = 0             # bumped on every change (the server caches its ordering on it)
        self._next_law_id = 1000

    # ----- reading -------------------------------------------------------------------------
    def get(self, bbbs: str) -> Document | None:
        return self.documents.get(bbbs)

    def find(self, title: str) -> list[Document]:
        """Documents with this title (or short title), newest 公布日期 first."""
        with self.lock:
            found = [d for d in self.documents.values()
                     if d.title == title or d.title == "中华人民共和国" + title]
            return sorted(found, key=lambda d: d.gbrq or "", reverse=True)

    def current(self, title: str) -> Document:
        """The newest version of the law titled ``title``."""
        found = [d for d in self.find(title) if not d.is_decision]
        if not found:
            raise KeyError(f"mirror has no law titled {title!r}")
        return found[0]

    def versions_of(self, doc: Document) -> list[Document]:
        """All versions of the same work, newest first."""
        with self.lock:
            if not doc.work:
                return [doc]
            same = [d for d in self.documents.values() if d.work == doc.work]
            return sorted(same, key=lambda d: (d.gbrq or "", d.bbbs), reverse=True)

    def text_of(self, doc: Document | Material) -> str | None:
        if doc.text is not None:
            return doc.text
        if doc.text_file:
            return (CORPUS / doc.text_file).read_text("utf-8")
        return None

    # ----- changing ------------------------------------------------------------------------
    def _touch(self) -> None:
        self.version += 1

    def add(self, doc: Document) -> Document:
        with self.lock:
            if not doc.law_id:
                self._next_law_id += 1
                doc.law_id = self._next_law_id
            else:
                self._next_law_id = max(self._next_law_id, doc.law_id)
            self.documents[doc.bbbs] = doc
            self._touch()
            return doc

    def _status_for(self, sxrq: str | None) -> int:
        today = self.today
        if today is None:
            today = clock_today()
        return 4 if sxrq and sxrq > today else 3

    def add_law(self, title: str, *, gbrq: str, text: str | None = None, text_file: str | None = None,
                sxrq: str | None = None, sxx: int | None = None, level: str = "法律",
                category: int | None = None, issuer_code: int | None = None, issuer: str | None = None,
                work: str | None = None, bbbs: str | None = None, file_format: str = "docx",
                materials: list[Material] | None = None) -> Document:
        """A law (version) that appears in the listing."""
        cat, icode, iname, flxz, _ = LEVEL_DEFAULTS.get(level, LEVEL_DEFAULTS["法律"])
        sxrq = sxrq or gbrq
        doc = Document(
            bbbs=bbbs or make_bbbs(title, gbrq),
            title=title, gbrq=gbrq, sxrq=sxrq,
            sxx=sxx if sxx is not None else self._status_for(sxrq),
            category=category or cat, issuer_code=issuer_code or icode, issuer=issuer or iname,
            flxz=flxz, work=work or title, text=text, text_file=text_file, file_format=file_format,
            materials=list(materials or []),
        )
        return self.add(doc)

    def add_decision(self, title: str, *, gbrq: str, text: str | None = None, text_file: str | None = None,
                     sxrq: str | None = None, level: str = "法律", issuer: str | None = None,
                     bbbs: str | None = None) -> Document:
        """A 修改、废止的决定 record (listed with sxx null under the decision category)."""
        _, icode, iname, _, decision_code = LEVEL_DEFAULTS.get(level, LEVEL_DEFAULTS["法律"])
        doc = Document(
            bbbs=bbbs or make_bbbs("decision", title, gbrq), title=title, gbrq=gbrq, sxrq=sxrq or gbrq,
            sxx=None, category=decision_code, issuer_code=icode, issuer=issuer or iname,
            flxz="修改、废止的决定", work=None, text=text, text_file=text_file,
        )
        return self.add(doc)

    def amend(self, title: str, *, gbrq: str, text: str | None = None, text_file: str | None = None,
              sxrq: str | None = None, sxx: int | None = None, new_title: str | None = None,
              decision_title: str | None = None, decision_text: str | None = None,
              decision_file: str | None = None, list_decision: bool = False) -> Document:
        """A new version of the law titled ``title``; the version it replaces flips 3 → 2
        (at once, or when the new one comes into force if it is not yet in force)."""
        with self.lock:
            old = self.current(title)
            level = level_of(old.category, old.flxz) or "法律"
            materials = []
            if decision_title:
                materials.append(Material(make_bbbs("material", decision_title), decision_title,
                                          instrument_kind(decision_title), "docx", decision_text, decision_file))
            doc = self.add_law(new_title or old.title, gbrq=gbrq, text=text, text_file=text_file, sxrq=sxrq,
                               sxx=sxx, level=level, category=old.category, issuer_code=old.issuer_code,
                               issuer=old.issuer, work=old.work, materials=materials)
            if doc.sxx == 3:
                self._supersede(doc)
            if decision_title and list_decision:
                self.add_decision(decision_title, gbrq=gbrq, sxrq=sxrq, text=decision_text,
                                  text_file=decision_file, level=level)
            self._touch()
            return doc

    def _supersede(self, doc: Document) -> None:
        for other in self.versions_of(doc):
            if other.bbbs != doc.bbbs and other.sxx in (3, 4) and (other.gbrq or "") <= (doc.gbrq or ""):
                other.sxx = 2

    def take_effect(self, title: str) -> Document:
        """The newest version comes into force (4 → 3); the one before it flips to 2."""
        with self.lock:
            doc = self.current(title)
            doc.sxx = 3
            self._supersede(doc)
            self._touch()
            return doc

    def repeal(self, title: str, *, decision_title: str | None = None, decision_text: str | None = None,
               decision_file: str | None = None, gbrq: str | None = None, sxrq: str | None = None) -> Document:
        """Every version of the law flips to 1 (已废止); a decision record is listed when given."""
        with self.lock:
            doc = self.current(title)
            for version in self.versions_of(doc):
                version.sxx = 1
            if decision_title:
                level = level_of(doc.category, doc.flxz) or "法律"
                self.add_decision(decision_title, gbrq=gbrq or doc.gbrq or "2000-01-01", sxrq=sxrq,
                                  text=decision_text, text_file=decision_file, level=level)
            self._touch()
            return doc

    def set_status(self, bbbs: str, sxx: int | None) -> None:
        with self.lock:
            self.documents[bbbs].sxx = sxx
            self._touch()

    def unlist(self, bbbs: str) -> None:
        """The record disappears from the listing (it is still served by bbbs)."""
        with self.lock:
            self.documents[bbbs].listed = False
            self._touch()

    def fault(self, endpoint: str, kind: str = "waf", key: str | None = None, times: int | None = None,
              seconds: float = 0.0, location: str = "") -> Fault:
        """Make ``endpoint`` misbehave (for ``key`` only, when given; ``times`` requests, when given)."""
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r} (known: {', '.join(ENDPOINTS)})")
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r} (known: {', '.join(FAULT_KINDS)})")
        with self.lock:
            f = Fault(endpoint, kind, None if key is None else str(key), times, seconds, location=location)
            self.faults.append(f)
            return f

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def take_fault(self, endpoint: str, key: str | None) -> Fault | None:
        """The fault to apply to this request, if any (counts it)."""
        with self.lock:
            for f in self.faults:
                if f.endpoint != endpoint or (f.key is not None and f.key != key):
                    continue
                if f.times is not None and f.hits >= f.times:
                    continue
                f.hits += 1
                return f
        return None

    # ----- 国家规章库 ------------------------------------------------------------------------
    def add_rule(self, rule: Rule) -> Rule:
        with self.lock:
            self.rules[rule.path] = rule
            self._touch()
        return rule

    def amend_rule(self, title: str, *, posted: str, note: str, text: str | None = None,
                   text_file: str | None = None) -> Rule:
        """A new text of a rule: a new gov.cn page, and the old one drops out of the listing."""
        with self.lock:
            old = [r for r in self.rules.values() if r.title == title and r.listed]
            if not old:
                raise KeyError(f"no listed rule {title!r}")
            for r in old:
                r.listed = False
            base = max(old, key=lambda r: r.posted)
            rule = Rule(path=rule_path(title, posted), title=title, category=base.category, issuer=base.issuer,
                        province=base.province, note=note, posted=posted, text=text, text_file=text_file)
            return self.add_rule(rule)

    def unlist_rule(self, title: str) -> None:
        """The site lists only rules in force: a repealed rule drops out (nothing says it was repealed)."""
        with self.lock:
            for r in self.rules.values():
                if r.title == title:
                    r.listed = False
            self._touch()

    def repeal_rule(self, title: str, *, decision_title: str, posted: str, note: str, issuer: str,
                    text: str | None = None, text_file: str | None = None) -> Rule:
        """A decision repeals a rule: the site lists the decision (a rule page of the same 规章分类,
        its 令号 in the 题注) and the repealed rule drops out of the listing."""
        with self.lock:
            old = [r for r in self.rules.values() if r.title == title and r.listed]
            if not old:
                raise KeyError(f"no listed rule {title!r}")
            base = old[0]
            self.unlist_rule(title)
            return self.add_rule(Rule(path=rule_path(decision_title, posted), title=decision_title,
                                      category=base.category, issuer=issuer, province=base.province, note=note,
                                      posted=posted, text=text, text_file=text_file))

    def rotate_rule_key(self) -> None:
        """The site redeploys its bundle: keys issued before are refused from now on."""
        with self.lock:
            self.rule_key_generation += 1
            self._touch()

    # ----- 广东省法规规章规范性文件数据库 ------------------------------------------------------
    def add_gd(self, doc: GdDoc) -> GdDoc:
        with self.lock:
            self.gd_docs[doc.id] = doc
            self._touch()
        return doc

    # ----- the built-in corpus -------------------------------------------------------------
    @classmethod
    def from_corpus(cls, names: list[str] | None = None, upto: str | None = None,
                    decisions: bool = True, **kwargs) -> "Scenario":
        """Real texts of yiju/data: every version of the named laws (folder names; all when None),
        published on or before ``upto`` when given. The newest is 有效 (or 已废止 when the corpus
        says it was repealed), older ones 已修改."""
        scenario = cls(**kwargs)
        rows = list(csv.DictReader((CORPUS / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"))
        works: dict[str, list[dict]] = {}
        for row in rows:
            parts = row["path"].split("/")
            if parts[0] != "laws":
                continue
            if names is not None and parts[1] not in names:
                continue
            if upto and row["version_date"] > upto:
                continue
            works.setdefault(parts[1], []).append(row)
        for folder, versions in sorted(works.items()):
            versions.sort(key=lambda r: r["version_date"])
            for i, row in enumerate(versions):
                newest = i == len(versions) - 1
                repealed = row["status"].startswith("repealed")
                sxx = (1 if repealed else 3) if newest else 2
                level = _KIND_LEVEL.get(row["kind"], "法律")
                scenario.add_law(row["title"], gbrq=row["version_date"], sxrq=row["effective_date"] or None,
                                 text_file=row["path"], sxx=sxx, level=level, work=folder)
        if names is None:
            for doc in gd_from_manifest(CORPUS, rows):
                if not upto or doc.pass_date <= upto:
                    scenario.add_gd(doc)
            for rule in rules_from_manifest(CORPUS, rows):
                if not upto or rule.posted <= upto:
                    scenario.add_rule(rule)
        if decisions and names is None:
            for row in rows:
                if row["kind"] != "decision" or (upto and row["version_date"] > upto):
                    continue
                level = "行政法规" if row["title"].startswith("国务院") else (
                    "司法解释" if row["title"].startswith("最高人民法院") else (
                        "地方性法规" if "市人民代表大会" in row["title"] else "法律"))
                scenario.add_decision(row["title"], gbrq=row["version_date"],
                                      sxrq=row["effective_date"] or None, text_file=row["path"], level=level)
        return scenario

    # ----- the JSON state file -------------------------------------------------------------
    def to_json(self) -> dict:
        with self.lock:
            return {
                "today": self.today,
                "url_ttl": self.url_ttl,
                "robots_txt": self.robots_txt,
                "codes_as_strings": self.codes_as_strings,
                "xzfg_page_size": self.xzfg_page_size,
                "html_page_size": self.html_page_size,
                "documents": [dataclasses.asdict(d) for d in self.documents.values()],
                "rules": [dataclasses.asdict(r) for r in self.rules.values()],
                "rules_refusal": self.rules_refusal, "rules_flat": self.rules_flat,
                "rules_as_lists": self.rules_as_lists, "rule_key_generation": self.rule_key_generation,
                "gd_docs": [dataclasses.asdict(d) for d in self.gd_docs.values()],
                "gd_token_required": self.gd_token_required,
                "faults": [dataclasses.asdict(f) for f in self.faults],
            }

    @classmethod
    def from_json(cls, data: dict) -> "Scenario":
        scenario = cls(today=data.get("today"), url_ttl=float(data.get("url_ttl", 3600.0)),
                       robots_txt=data.get("robots_txt"), codes_as_strings=bool(data.get("codes_as_strings")),
                       xzfg_page_size=int(data.get("xzfg_page_size", 20)),
                       html_page_size=int(data.get("html_page_size", 20)))
        for raw in data.get("documents", []):
            raw = dict(raw)
            raw["materials"] = [Material(**m) for m in raw.get("materials", [])]
            scenario.add(Document(**raw))
        for raw in data.get("faults", []):
            scenario.faults.append(Fault(**raw))
        for raw in data.get("rules", []):
            scenario.add_rule(Rule(**raw))
        scenario.rules_refusal = data.get("rules_refusal", "http")
        scenario.rules_flat = bool(data.get("rules_flat"))
        scenario.rules_as_lists = bool(data.get("rules_as_lists"))
        scenario.rule_key_generation = int(data.get("rule_key_generation", 0))
        for raw in data.get("gd_docs", []):
            scenario.add_gd(GdDoc(**raw))
        scenario.gd_token_required = bool(data.get("gd_token_required"))
        return scenario

    def save(self, path: pathlib.Path) -> None:
        path = pathlib.Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1), "utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: pathlib.Path) -> "Scenario":
        path = pathlib.Path(path)
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: 无法读取镜像场景文件（{exc}）") from exc
        try:
            return cls.from_json(data)
        except (TypeError, KeyError) as exc:
            raise ValueError(f"{path}: 镜像场景文件格式不对（{exc}）") from exc
