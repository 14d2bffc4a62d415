"""Settings that point yiju at a running mirror (tests, benchmarks, the demo).

>>> from crawler.mirror import Mirror, Scenario
>>> import pathlib, tempfile
>>> with Mirror(Scenario()) as m:
...     s = settings_for(m, pathlib.Path(tempfile.mkdtemp()))
...     [x.name for x in s.sources], s.sources[0].file_hosts == [m.file_netloc]
(['flk', 'xzfg', 'bjrd'], True)
"""

from __future__ import annotations

import dataclasses
import pathlib

from config.settings import CrawlSettings, RegistrySettings, Settings, SourceSettings, load


def sources_for(mirror, *, delay: float = 0.0, kinds: tuple[str, ...] = ("flk", "xzfg", "html_list")) -> list[SourceSettings]:
    """The built-in sources (config/default.toml), with their addresses replaced by the mirror's."""
    defaults = {s.kind: s for s in load(None, environ={}).sources}
    out = []
    for kind in kinds:
        base = defaults[kind]
        changes = {"base_url": mirror.base_url, "delay": delay}
        if kind == "flk":
            changes["file_hosts"] = [mirror.file_netloc]
        out.append(dataclasses.replace(base, **changes))
    return out


def settings_for(mirror, root: pathlib.Path, *, delay: float = 0.0, retries: int = 2, backoff: float = 0.05,
                 timeout: float = 10.0, kinds: tuple[str, ...] = ("flk", "xzfg", "html_list")) -> Settings:
    """Settings with the registry under ``root`` and every source on the mirror; quick retries."""
    root = pathlib.Path(root)
    return Settings(
        registry=RegistrySettings(path=root / "yiju.db", files=root / "files"),
        crawl=CrawlSettings(contact="tests@example.invalid", timeout=timeout, retries=retries, backoff=backoff,
                            backoff_max=max(backoff, 0.2), autothrottle=False, progress=False),
        sources=sources_for(mirror, delay=delay, kinds=kinds),
    )


def toml_for(mirror, root: str = "data", *, retries: int = 2, backoff: float = 0.2,
             kinds: tuple[str, ...] = ("flk", "xzfg", "html_list")) -> str:
    """A yiju.toml that points every source at the mirror (a local mirror needs no long back-off)."""
    lines = [f'[registry]\npath = "{root}/yiju.db"\nfiles = "{root}/files"\n',
             f'[crawl]\ncontact = "demo@example.invalid"\nautothrottle = false\nretries = {retries}\n'
             f'backoff = {float(backoff)}\nbackoff_max = {max(float(backoff), 1.0)}\n']
    for s in sources_for(mirror, kinds=kinds):
        lines.append("[[sources]]")
        for key in ("name", "kind", "profile", "base_url", "list_url", "next_page", "level", "region", "issuer"):
            value = getattr(s, key)
            if value:
                lines.append(f'{key} = "{value}"')
        if s.file_hosts:
            lines.append("file_hosts = [" + ", ".join(f'"{h}"' for h in s.file_hosts) + "]")
        if s.categories:
            lines.append(f"categories = {s.categories}")
        if s.kind == "html_list":
            lines.append(f"max_pages = {s.max_pages}")
        if s.kind == "gov_rules":
            lines.append("rule_types = [" + ", ".join(f'"{t}"' for t in s.rule_types) + "]")
        lines.append("delay = 0.0")
        if s.selectors:
            lines.append("[sources.selectors]")
            for key, value in s.selectors.items():
                escaped = value.replace("\\", "\\\\").replace('"', '\\"')
                lines.append(f'{key} = "{escaped}"')
        lines.append("")
    return "\n".join(lines)
