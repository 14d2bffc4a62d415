"""A local mirror of the official sources for tests, benchmarks and the demo (no network).

>>> from crawler.mirror import Mirror, Scenario
>>> scenario = Scenario(today="2026-01-01")
>>> _ = scenario.add_law("中华人民共和国示例法", text="中华人民共和国示例法\\n第一条　示例。", gbrq="2020-01-01")
>>> with Mirror(scenario) as mirror:
...     import urllib.request, json
...     req = urllib.request.Request(mirror.base_url + "/law-search/search/list", method="POST",
...         data=json.dumps(__import__("crawler.parse.flk", fromlist=["x"]).list_body(1, 10)).encode(),
...         headers={"Content-Type": "application/json"})
...     json.load(urllib.request.urlopen(req))["total"]
1
"""

from crawler.mirror.wiring import settings_for, sources_for, toml_for
from crawler.mirror.scenario import Document, Fault, Material, Scenario, make_bbbs
from crawler.mirror.server import Hit, Mirror

__all__ = ["Document", "Fault", "Hit", "Material", "Mirror", "Scenario", "make_bbbs", "settings_for",
           "sources_for", "toml_for"]
