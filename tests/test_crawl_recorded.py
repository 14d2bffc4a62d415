"""Recorded responses of the real sources, parsed and compared with reviewed golden files.

The juriscraper habit: each example in tests/data/recorded/examples.toml has a sibling
``.compare.json``. A parser change that alters what is read from a real answer fails here
until the new output is reviewed. A missing golden file is written and the test fails, so
that a person looks at it before it counts.
"""

from __future__ import annotations

import json
import pathlib
import tomllib

import pytest

from config.settings import load
from texts.extract import extract_text
from crawler.parse import BadResponse, flk, gov_rules, html_list, xzfg

HERE = pathlib.Path(__file__).resolve().parent / "data" / "recorded"
EXAMPLES = tomllib.loads((HERE / "examples.toml").read_text("utf-8"))["example"]


def _selectors(name: str) -> dict:
    return load(None, environ={}).source(name).selectors


def _read(example: dict) -> dict:
    data = (HERE / example["file"]).read_bytes()
    parser = example["parser"]
    try:
        if parser == "flk.list":
            return flk.parse_list(data).to_json()
        if parser == "flk.detail":
            return flk.parse_detail(data, example.get("source_id")).to_json()
        if parser == "flk.download":
            return {"url": flk.parse_download(data)}
        if parser == "xzfg.list":
            return xzfg.parse_list(data, example["url"]).to_json()
        if parser == "xzfg.detail":
            detail = xzfg.parse_detail(data, example["url"])
            out = detail.to_json()
            out["text"] = extract_text(detail.body_html.encode("utf-8"), "detail.html").splitlines()
            del out["body_html"]
            return out
        if parser == "gov_rules.list":
            return gov_rules.parse_list(data).to_json()
        if parser == "gov_rules.detail":
            detail = gov_rules.parse_detail(data)
            out = detail.to_json()
            out["text"] = extract_text(detail.body_html.encode("utf-8"), "detail.html").splitlines()
            del out["body_html"]
            return out
        if parser == "html_list.list":
            return html_list.parse_list(data, example["url"], _selectors(example["source"])).to_json()
        if parser == "html_list.detail":
            detail = html_list.parse_detail(data, example["url"], _selectors(example["source"]))
            out = detail.to_json()
            out["text"] = extract_text(detail.body_html.encode("utf-8"), "body.html").splitlines()
            del out["body_html"]
            return out
    except BadResponse as exc:
        refused = {"key_refused": True} if isinstance(exc, gov_rules.KeyRefused) else {}
        return {"error": str(exc), **refused}
    raise AssertionError(f"unknown parser {parser}")


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["file"] for e in EXAMPLES])
def test_recorded_response_reads_as_reviewed(example):
    golden = HERE / (example["file"].rsplit(".", 1)[0] + ".compare.json")
    got = json.loads(json.dumps(_read(example), ensure_ascii=False))
    if not golden.exists():
        golden.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n", "utf-8")
        pytest.fail(f"{golden.name} was missing and has been written: review it, then rerun")
    assert got == json.loads(golden.read_text("utf-8"))


def test_every_recorded_file_is_an_example_with_provenance():
    readme = (HERE / "README.md").read_text("utf-8")
    files = {str(p.relative_to(HERE)) for p in HERE.rglob("*") if p.is_file()
             and p.suffix in (".json", ".html") and not p.name.endswith(".compare.json")}
    assert files == {e["file"] for e in EXAMPLES}
    for name in files:
        assert name in readme, f"{name} has no provenance in README.md"


def test_codes_as_strings_read_like_codes_as_ints():
    as_strings = flk.parse_list((HERE / "flk/list-zhuanli-codes-as-strings.json").read_bytes()).rows[0]
    as_ints = flk.parse_list((HERE / "flk/list-zhuanli-codes-as-ints.json").read_bytes()).rows[0]
    assert (as_strings.status_code, as_strings.category_code, as_strings.issuer_code) == \
        (as_ints.status_code, as_ints.category_code, as_ints.issuer_code) == ("3", 120, 110)


def test_detail_of_a_law_not_yet_in_force_names_its_status_versions_and_decision():
    detail = flk.parse_detail((HERE / "flk/detail-zhufang-gongjijin.json").read_bytes())
    assert flk.status_of(detail.status_code) == "尚未生效"
    assert [v.promulgated for v in detail.versions] == ["2026-08-10", "2019-03-24"]
    assert [m.kind for m in detail.materials] == ["国务院令", "修改决定", "其他"]


def test_an_answer_about_another_record_is_refused():
    with pytest.raises(BadResponse, match="另一条记录"):
        flk.parse_detail((HERE / "flk/detail-zhufang-gongjijin.json").read_bytes(), "0" * 32)
