"""The JSON contract (DESIGN §11): scripts and other systems read every ``--json`` output.

Keys and codes are English and do not change; the Chinese words go beside the codes in ``*_name``
fields. This test runs every command that has ``--json`` on a small registry and checks that each
listed key is there, that every code is one of the listed codes, that every ``*_name`` beside a code
is the glossary's Chinese word, and that DESIGN §11 lists the same keys and codes. Adding a key is
fine (add it here and to §11); renaming or removing one breaks scripts: don't.
"""

from __future__ import annotations

import json
import pathlib
import re

import pytest

from config.glossary import glossary
from tests.conftest import CORPUS, ROOT
from tests.conftest import Yiju
from tests.tools.small_registry import build
from yiju.demo import DEMO_DATA

# -- the codes ---------------------------------------------------------------------------------

FLAG_STATES = {"open", "acknowledged", "submitted", "returned", "resolved", "dismissed"}
SEVERITIES = {"critical", "high", "low"}
CHANGE_KINDS = {"enacted", "amended", "repealed", "renamed", "takes_effect", "text_corrected"}
ARTICLE_STATUSES = {"unchanged", "renumbered", "modified", "inserted", "deleted", "split", "merged"}
SUBSTANCES = {"substantive", "references_only", "editorial", None}
RESOLUTIONS = {"resolved", "stale", "unresolved"}
CITATION_FIELDS = {"basis", "penalty_basis"}
REVIEW_STATES = {"accepted", "held"}
RUN_STATES = {"running", "succeeded", "degraded", "failed", "abandoned"}
OUTBOX_STATES = {"pending", "sending", "sent", "failed"}
MAIL_KINDS = {"department_alert", "digest"}
SOURCE_HEALTH = {"ok", "failed", "skipped"}
PROPOSAL_STATES = {"open", "submitted", "returned", "accepted", "declined", "withdrawn"}
AUDIT_ACTIONS = {"flag.acknowledge", "flag.resolve", "flag.dismiss", "flag.move", "flag.apply_renumbering",
                 "flag.submit", "flag.approve", "flag.return"}

#: code set → the glossary table that names it
TABLES = {
    id(FLAG_STATES): "flag_state", id(SEVERITIES): "severity", id(CHANGE_KINDS): "change_kind",
    id(ARTICLE_STATUSES): "article_status", id(SUBSTANCES): "substance", id(RESOLUTIONS): "resolution",
    id(CITATION_FIELDS): "citation_field", id(REVIEW_STATES): "review_state", id(RUN_STATES): "run_state",
    id(OUTBOX_STATES): "outbox_state", id(MAIL_KINDS): "mail_kind", id(SOURCE_HEALTH): "source_state",
    id(AUDIT_ACTIONS): "audit_action", id(PROPOSAL_STATES): "proposal_state",
}

IMPACT = {"$": {"changes", "flags", "duties", "by_severity", "new_duties_checked", "carried_over",
                "unresolved_citations", "per_change"},
          "$.by_severity": SEVERITIES, "$.carried_over": {"resolved", "moved"}}
FLAG = {"id", "state", "state_name", "severity", "severity_name", "department", "department_id", "duty_id",
        "duty_key", "duty_name", "duty_code", "duty_is_current", "post", "citation_id", "citation", "field",
        "field_name", "law", "law_title", "article", "paragraph", "item", "change_id", "change_kind",
        "change_kind_name", "change_effective", "article_change_id", "reason", "suggestion", "due", "overdue",
        "created_at", "closed_at", "closing_note"}
PROPOSAL = {"id", "department", "law", "article", "paragraph", "item", "type", "name", "state", "state_name", "basis",
            "measures", "authority", "authority_level", "shared", "due", "baseline", "duty_id", "reason", "decision",
            "proposed_by", "proposed_at", "reviewed_by", "reviewed_at", "review_note"}
PROPOSAL_DECISION = {"action", "post", "name", "reason"}
DELIVERY = {"ok", "summary", "sent", "deferred", "failed", "unconfirmed", "written", "server_error", "busy",
            "dry_run"}
TABLE_REPORT = {"file", "created", "updated", "unchanged", "details", "skipped"}

#: command → {path: keys the objects there have}; codes: {path.key: the codes it may hold}
CONTRACT: dict[str, dict] = {
    "laws": {"keys": {"$[]": {"id", "title", "level", "status", "region", "versions"},
                      "$[].versions[]": {"id", "promulgated", "effective", "status", "source", "review_state",
                                         "review_state_name", "articles"}},
             "codes": {"$[].versions[].review_state": REVIEW_STATES}},
    "search": {"keys": {"$[]": {"law", "law_id", "law_status", "version_id", "promulgated", "current", "label",
                                "path", "text", "passage", "spans"}}},
    "cite": {"keys": {"$": {"text", "citations", "problems"},
                      "$.citations[]": {"law", "written", "version_note", "article", "paragraph", "item",
                                        "sub_item", "span", "resolved"},
                      "$.citations[].resolved": {"law_id", "title", "status", "version_id", "current_label",
                                                 "resolution", "resolution_name"}},
             "codes": {"$.citations[].resolved.resolution": RESOLUTIONS}},
    "diff": {"keys": {"$": {"old", "new", "summary", "articles"}, "$.old": {"title", "articles"},
                      "$.new": {"title", "articles"}, "$.summary": ARTICLE_STATUSES,
                      "$.articles[]": {"status", "status_name", "old", "new"}},
             "codes": {"$.articles[].status": ARTICLE_STATUSES, "$.articles[].substance": SUBSTANCES}},
    "changes": {"keys": {"$[]": {"id", "law", "law_id", "kind", "kind_name", "published", "effective",
                                 "old_version_id", "new_version_id", "run_id", "detected_at", "summary",
                                 "check_notes", "detail", "articles"},
                         "$[].summary": ARTICLE_STATUSES,
                         "$[].articles[]": {"status", "status_name", "old", "new", "similarity", "substance",
                                            "substance_name", "diff"}},
                "codes": {"$[].kind": CHANGE_KINDS, "$[].articles[].status": ARTICLE_STATUSES,
                          "$[].articles[].substance": SUBSTANCES}},
    "duties": {"keys": {"$[]": {"department", "summary", "duties"},
                        "$[].summary": {"duties", "citations", "resolved", "stale", "unresolved",
                                        "without_citations"},
                        "$[].duties[]": {"id", "duty_key", "code", "name", "kind", "department", "department_id",
                                         "post", "version", "basis_text", "penalty_basis_text", "citations"},
                        "$[].duties[].citations[]": {"id", "field", "field_name", "raw", "law_id", "law_title",
                                                     "article", "paragraph", "item", "sub_item", "resolution",
                                                     "resolution_name", "current_label", "problem"}},
               "codes": {"$[].duties[].citations[].resolution": RESOLUTIONS,
                         "$[].duties[].citations[].field": CITATION_FIELDS}},
    "duties import": {"keys": {"$": {"file", "sheets", "passed_over", "created", "revised", "unchanged",
                                     "departments_created", "posts_created", "citations", "skipped", "impact"}}},
    "departments import": {"keys": {"$": TABLE_REPORT}},
    "staff import": {"keys": {"$": TABLE_REPORT}},
    "impact": {"keys": IMPACT},
    "flags": {"keys": {"$[]": FLAG}, "codes": {"$[].state": FLAG_STATES, "$[].severity": SEVERITIES,
                                               "$[].change_kind": CHANGE_KINDS, "$[].field": CITATION_FIELDS}},
    "flags show": {"keys": {"$": FLAG | {"duty", "citation_detail", "change", "article_change", "old_articles",
                                         "new_articles", "history"},
                            "$.duty": {"id", "code", "name", "kind", "version", "is_current", "basis_text",
                                       "penalty_basis_text"},
                            "$.change": {"id", "kind", "kind_name", "published", "effective", "old_date",
                                         "new_date", "old_version_id", "new_version_id", "detail"},
                            "$.citation_detail": {"id", "raw", "field", "field_name", "resolution",
                                                  "resolution_name", "version_date"},
                            "$.old_articles[]": {"label", "text"}, "$.new_articles[]": {"label", "text"},
                            "$.history[]": {"at", "actor", "action", "action_name", "detail"}},
                   "codes": {"$.state": FLAG_STATES, "$.severity": SEVERITIES, "$.change.kind": CHANGE_KINDS,
                             "$.article_change.status": ARTICLE_STATUSES, "$.history[].action": AUDIT_ACTIONS}},
    "flags apply-renumbering": {"keys": {"$": {"duties", "skipped"}}},
    "report": {"keys": {"$": {"as_of", "departments", "total"},
                        "$.departments[]": {"department", "department_id", "duties", "citations",
                                            "unresolved_citations", "stale_citations", "open_flags",
                                            "overdue_flags", "resolved_flags", "dismissed_flags",
                                            "median_days_to_resolution", "duties_all_current", "share_all_current",
                                            "open_proposals", "coverage"},
                        "$.departments[].open_flags": SEVERITIES | {"total"},
                        "$.departments[].coverage": {"powers", "covered", "share", "laws"},
                        "$.departments[].coverage.laws[]": {"law", "powers", "covered", "share", "uncovered"}}},
    "digest": {"keys": {"$": {"run_id", "html", "md", "json", "index"}}},
    "mail list": {"keys": {"$[]": {"id", "run_id", "kind", "kind_name", "recipient", "recipient_name",
                                   "subject", "state", "state_name", "attempts", "last_error", "created_at",
                                   "sent_at", "next_attempt_at", "message_id", "department_id"}},
                  "codes": {"$[].state": OUTBOX_STATES, "$[].kind": MAIL_KINDS}},
    "mail send": {"keys": {"$": DELIVERY}},
    "mail send --dry-run": {"keys": {"$": {"written", "sent"}}},
    "run": {"keys": {"$": {"run", "state", "state_name", "stats", "errors", "warnings", "digest"},
                     "$.stats": {"date", "crawl", "diff", "impact", "notify"},
                     "$.stats.diff": {"checked", "disagreements", "changed_laws", "citations_reresolved"},
                     "$.stats.impact": IMPACT["$"],
                     "$.stats.notify": {"claimed", "digest", "queued", "delivery"},
                     "$.stats.notify.delivery": DELIVERY,
                     "$.digest": {"html", "md", "json", "index"}},
            "codes": {"$.state": RUN_STATES}},
    "coverage": {"keys": {"$": {"missing", "totals", "untexted"},
                          "$.missing[]": {"title", "level", "duties", "source"}}},
    "proposals": {"keys": {"$[]": PROPOSAL, "$[].decision": PROPOSAL_DECISION},
                  "codes": {"$[].state": PROPOSAL_STATES}},
    "proposals approve": {"keys": {"$": PROPOSAL, "$.decision": PROPOSAL_DECISION},
                          "codes": {"$.state": PROPOSAL_STATES}},
    "proposals return": {"keys": {"$": PROPOSAL, "$.decision": PROPOSAL_DECISION},
                         "codes": {"$.state": PROPOSAL_STATES}},
    "proposals coverage": {"keys": {"$[]": {"department", "law", "powers", "covered", "share", "uncovered"},
                                    "$[].uncovered[]": {"name", "type", "basis"}}},
    "crawl": {"keys": {"$": {"ok", "requests", "new_versions", "status_changes", "changes", "instruments",
                             "failures", "held", "sources", "run_id", "impact"},
                       "$.sources.*": {"kind", "ok", "health", "health_name", "error", "errors", "requests",
                                       "listed", "new_versions", "status_changes", "instruments", "unavailable",
                                       "failures", "throttled", "seconds"}},
              "codes": {"$.sources.*.health": SOURCE_HEALTH}},
}


#: objects keyed by data, not by a contract: source names, levels as the registry stores them (法律 …)
DATA_KEYED = {"$.sources", "$.totals"}


def at(doc, path: str) -> list:
    """The values at ``path``: ``$`` the document, ``.key`` a key, ``[]`` every element, ``.*`` every value."""
    values = [doc]
    for step in re.findall(r"\.[A-Za-z_*]+|\[\]", path[1:]):
        out = []
        for v in values:
            if step == "[]" and isinstance(v, list):
                out.extend(v)
            elif step == ".*" and isinstance(v, dict):
                out.extend(v.values())
            elif step.startswith(".") and isinstance(v, dict) and step[1:] in v:
                out.append(v[step[1:]])
        values = out
    return values


def check(command: str, doc) -> None:
    contract = CONTRACT[command]
    for path, keys in contract["keys"].items():
        for obj in at(doc, path):
            if obj is None:
                continue
            missing = set(keys) - set(obj)
            assert not missing, f"{command}: {path} lacks {sorted(missing)}"
            english = [k for k in obj if re.fullmatch(r"[a-z][a-z0-9_]*", k)]
            assert len(english) == len(obj) or path in DATA_KEYED, f"{command}: {path} has a key that is not English"
    for path, codes in contract.get("codes", {}).items():
        table = TABLES[id(codes)]
        for value in at(doc, path):
            assert value in codes, f"{command}: {path} = {value!r}, not one of {sorted(map(str, codes))}"
        key = path.rsplit(".", 1)[1]
        parent = path.rsplit(".", 1)[0]
        for obj in at(doc, parent):
            if obj is not None and obj.get(key) is not None and f"{key}_name" in obj:
                assert obj[f"{key}_name"] == glossary()[table][obj[key]], f"{command}: {path}_name"


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """The command line on the small registry (``build`` gives its ``--config`` arguments)."""
    base = build(tmp_path_factory.mktemp("contract"))
    assert base[0] == "--config"
    return Yiju(base[1])


def _json(yiju, args, code=(0,)):
    result = yiju(*args)
    assert result.exit_code in code, result.output
    return json.loads(result.stdout)


LAW = CORPUS / "行政处罚法"
CASES = [
    ("laws", ["laws", "--json"]),
    ("search", ["search", "罚款", "--json"]),
    ("cite", ["cite", "《中华人民共和国行政处罚法》第三十二条第一款第（一）项", "--json"]),
    ("diff", ["diff", str(LAW / "2017-09-01.md"), str(LAW / "2021-01-22.md"), "--json"]),
    ("changes", ["changes", "--json"]),
    ("duties", ["duties", "--json"]),
    ("duties import", ["duties", "import", str(DEMO_DATA / "duties.csv"), "--as-of", "2020-06-30", "--json"]),
    ("departments import", ["departments", "import", str(DEMO_DATA / "departments.csv"), "--json"]),
    ("staff import", ["staff", "import", str(DEMO_DATA / "staff.csv"), "--json"]),
    ("impact", ["impact", "--json"]),
    ("flags", ["flags", "--state", "all", "--json"]),
    ("report", ["report", "--json"]),
    ("digest", ["digest", "--json"]),
    ("mail list", ["mail", "list", "--json"]),
    ("coverage", ["coverage", "--json"]),
    ("proposals", ["proposals", "--state", "all", "--json"]),
    ("proposals coverage", ["proposals", "coverage", "--json"]),
]


@pytest.mark.parametrize("command,args", CASES, ids=[c for c, _ in CASES])
def test_json_keeps_its_keys_and_codes(registry, command, args):
    check(command, _json(registry, args, code=(0, 1)))


def test_flag_workflow_json(registry):
    flags = _json(registry, ["flags", "--state", "all", "--json"])
    assert flags, "the small registry has flags"
    first = flags[0]["id"]
    registry("flags", "ack", first, "--by", "张三")
    shown = _json(registry, ["flags", "show", str(first), "--json"])
    check("flags show", shown)
    assert shown["state"] == "acknowledged" and shown["state_name"] == "已确认"
    assert [h["action_name"] for h in shown["history"]] == ["确认"]
    check("flags apply-renumbering", _json(registry, ["flags", "apply-renumbering", "--json"]))


def test_proposal_review_json(registry):
    """A department's decisions submitted in the workspace, signed off at the console."""
    from impact import proposals as props
    from registry import proposals as proposal_rows

    db = registry.db()
    law_id, department_id = db.execute("SELECT (SELECT id FROM laws LIMIT 1), (SELECT id FROM departments LIMIT 1)"
                                       ).fetchone()
    ids = [proposal_rows.insert(db, {
        "department_id": department_id, "law_id": law_id, "version_id": None, "change_id": None,
        "power_key": f"第{n}条|||行政处罚|", "article": f"第{n}条", "paragraph": None, "item": None,
        "type": "行政处罚", "name": f"对第{n}条违法行为的行政处罚", "measures": ["罚款"], "authority": "行政机关",
        "authority_level": None, "shared": 0, "basis_text": f"《中华人民共和国行政处罚法》第{n}条", "clause": "……",
        "due": None, "baseline": 0, "created_run_id": None}) for n in ("九十一", "九十二")]
    props.department_action(db, ids[0], action="accept", post="执法岗", by="部门", legal_review=True)
    props.department_action(db, ids[1], action="decline", reason="由区分局实施", by="部门", legal_review=True)
    db.close()
    rows = [{"id": i} for i in ids]
    submitted = _json(registry, ["proposals", "--state", "submitted", "--json"])
    check("proposals", submitted)
    assert {p["id"] for p in submitted} >= {rows[0]["id"], rows[1]["id"]}
    approved = _json(registry, ["proposals", "approve", str(rows[0]["id"]), "--json"])
    check("proposals approve", approved)
    assert approved["state"] == "accepted" and approved["duty_id"] and approved["decision"]["post"] == "执法岗"
    returned = _json(registry, ["proposals", "return", str(rows[1]["id"]), "--reason", "理由不充分", "--json"])
    check("proposals return", returned)
    assert returned["state"] == "returned" and returned["review_note"] == "理由不充分"


def test_run_and_mail_json(registry, tmp_path):
    check("run", _json(registry, ["run", "--no-crawl", "--json"], code=(0, 1)))
    check("mail send --dry-run", _json(registry, ["mail", "send", "--dry-run", str(tmp_path / "eml"), "--json"]))
    check("mail send", _json(registry, ["mail", "send", "--json"], code=(0, 1)))


def test_cite_file_prints_one_json_object_per_line(registry, tmp_path):
    texts = tmp_path / "bases.txt"
    texts.write_text("《中华人民共和国行政处罚法》第三十二条\n《某某条例》第九条\n", "utf-8")
    result = registry("cite", "--file", texts, "--json")
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        check("cite", json.loads(line))


@pytest.mark.slow  # Scrapy in a child process
def test_crawl_json(tmp_path, monkeypatch):
    from crawler.mirror import Mirror, Scenario, toml_for

    monkeypatch.setenv("YIJU_TODAY", "2024-01-01")
    with Mirror(Scenario.from_corpus(["行政处罚法"], today="2024-01-01")) as mirror:
        config = tmp_path / "yiju.toml"
        config.write_text(toml_for(mirror, kinds=("flk",)), "utf-8")  # the mirror holds one law: only flk lists it
        doc = _json(Yiju(config), ["crawl", "--json"])
    check("crawl", doc)
    assert {s["health_name"] for s in doc["sources"].values()} <= set(glossary()["source_state"].values())


def test_every_code_has_a_chinese_name():
    for codes in (PROPOSAL_STATES, FLAG_STATES, SEVERITIES, CHANGE_KINDS, ARTICLE_STATUSES, SUBSTANCES, RESOLUTIONS,
                  CITATION_FIELDS, REVIEW_STATES, RUN_STATES, OUTBOX_STATES, MAIL_KINDS, SOURCE_HEALTH,
                  AUDIT_ACTIONS):
        table = glossary()[TABLES[id(codes)]]
        for code in codes - {None}:
            assert re.search(r"[\u4e00-\u9fff]", table.get(code, "")), (TABLES[id(codes)], code)


def test_design_lists_the_contract():
    """DESIGN §11 names every command, key and code locked here."""
    design = (ROOT / "docs" / "DESIGN.md").read_text("utf-8")
    section = design[design.index("### JSON outputs"):]
    section = section[:section.index("\n## ")] if "\n## " in section else section
    for command, contract in CONTRACT.items():
        assert f"`{command}`" in section or f"`{command} " in section, command
        for path, keys in contract["keys"].items():
            for key in keys:
                assert f"`{key}`" in section or re.search(rf"[`, ]{re.escape(key)}[`,]", section), (command, key)
        for codes in contract.get("codes", {}).values():
            for code in codes - {None}:
                assert code in section, (command, code)
