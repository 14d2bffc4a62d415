"""Provincial databases with a JSON API (kind ``json_api``): one small profile module each.

A profile says how to ask for a page of the listing, a document's files and a file, and reads
the answers into ``ApiRow`` and ``ApiFile``; ``crawler.spiders.json_api`` does the rest (paging,
the night's comparison, fetching, extraction). Adding a province = a profile + a source block.

>>> profile("gdpc").NAME
'广东省法规规章规范性文件数据库'
"""

from __future__ import annotations

import importlib
from dataclasses import asdict, dataclass
from types import ModuleType

PROFILES = {"gdpc": "crawler.parse.provinces.gdpc"}


@dataclass(frozen=True)
class ApiRow:
    source_id: str
    title: str
    level: str | None           # 地方性法规 / 地方政府规章 / 规范性文件
    promulgated: str | None
    effective: str | None
    status: str | None          # 已废止 when the source says so; None: let the registry decide
    issuer: str | None
    number: str | None = None   # 文号 / 令号

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ApiFile:
    file_id: str
    name: str
    path: str
    ext: str                    # docx / doc / pdf …
    is_text: bool               # the document's own text (not a report or an explanation)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Call:
    """One HTTP request a profile asks for."""

    url: str
    method: str = "GET"
    body: str | None = None
    headers: dict | None = None


def profile(name: str) -> ModuleType:
    """The profile module called ``name``; KeyError naming the known ones otherwise."""
    if name not in PROFILES:
        raise KeyError(f"未知的省级数据库 profile {name!r}（可用：{', '.join(PROFILES)}）")
    return importlib.import_module(PROFILES[name])
