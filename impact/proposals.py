"""Re-decomposition, the other half: the powers a law gives a department that its list lacks.

For a law's text, ``diffing.powers`` finds every power (provision, type, authority, level). A
department holds a power when the authority the clause names is one of its 主管领域 (its
``domains``, else read from its name by ``impact/data/authorities.toml``) at a level it can act
at. A held power is *covered* when a current duty of the department cites the provision — or
cites it under an older number that now points there (the citation's ``current_label``), or cites
the whole article — or cites the same violation in a law this one replaced (the flag on that duty
moves its citation; ``successors``). An uncovered power becomes a proposal (拟新增职权) with its name, type,
exact basis (条款项), department and a due date: the law's 施行日期 when it is not yet in force,
else the review period of flags (``impact.assess.due_for``).

``accept`` turns a proposal into a duty on the department's list (its citation resolved at once);
``decline`` records why not. The legal office signs off a department's decision as for flags
(``[workflow] legal_review``)::

    open ──┬──────────────────────────────────→ accepted | declined   (the legal office, the CLI)
           └→ submitted ─┬─ approve ───────────→ accepted | declined   (审核通过)
                ↑        └─ return ──→ returned ─┐                    (退回, with a reason)
                └────────────────────────────────┘

``department_action`` submits (nothing is created until ``approve``); ``return_proposal`` sends it
back. Every step is audited.

>>> from registry.schema import connect
>>> generate(connect(":memory:"))["proposals"]
0
"""

from __future__ import annotations

import json
import logging
import pathlib
import re
import tomllib
from dataclasses import dataclass
from functools import cache

import sqlite_utils

from config.clock import stamp as clock_stamp
from config.glossary import name as glossary_name
from config.glossary import names
from diffing.powers import PENALTY, Power, law_powers, level_allows, rules_version
from impact.where import split_place
from impact import duties as duty_store
from impact.assess import due_for
from impact.successor import match_powers
from registry import changes as change_store
from registry import duties as duty_rows
from registry import proposals as store
from registry.audit import write_audit
from registry.laws import find_law, get_law

log = logging.getLogger(__name__)

DATA_FILE = pathlib.Path(__file__).resolve().parent / "data" / "authorities.toml"


class ProposalError(ValueError):
    """A proposal that cannot be acted on; the message is for the user (Chinese)."""


# --------------------------------------------------------------------------- who holds a power


@cache
def _defaults() -> tuple[list[tuple[re.Pattern, list[str]]], list[tuple[re.Pattern, str]]]:
    data = tomllib.loads(DATA_FILE.read_text("utf-8"))
    return ([(re.compile(d["name"]), d["domain"]) for d in data["departments"]],
            [(re.compile(lv["name"]), lv["level"]) for lv in data["levels"]])


def default_domains(name: str) -> list[str]:
    """主管领域 read from a department's name.

    >>> default_domains("江门市生态环境局"), default_domains("某市财政局")
    (['生态环境'], ['财政'])
    """
    for pattern, domains in _defaults()[0]:
        if pattern.search(name):
            return list(domains)
    return []


def default_level(name: str) -> str | None:
    """Level read from a department's name.

    >>> default_level("江门市生态环境局"), default_level("江门市生态环境局蓬江分局"), default_level("广东省生态环境厅")
    ('设区的市级', '县级', '省级')
    """
    for pattern, level in _defaults()[1]:
        if pattern.search(name):
            return level
    return None


@dataclass(frozen=True)
class Holder:
    id: int
    name: str
    domains: tuple[str, ...]
    level: str | None
    duties: int = 0             # current duties on its list (none: no list to compare with)


def holders(db: sqlite_utils.Database) -> list[Holder]:
    """Every department with the domains and level yiju uses (the office's, else the defaults)."""
    out = []
    for d in store.departments(db):
        domains = json.loads(d["domains"]) if d["domains"] else default_domains(d["name"])
        out.append(Holder(d["id"], d["name"], tuple(domains), d["level"] or default_level(d["name"]), d["duties"]))
    return out


def holds(holder: Holder, power: Power) -> bool:
    """Whether the clause gives ``power`` to this department (its domain, at its level)."""
    return any(a.domain in holder.domains and level_allows(a.level, holder.level) for a in power.authorities)


def set_domains(db: sqlite_utils.Database, department: str, domains: list[str] | None, level: str | None, *,
                by: str) -> Holder:
    """Record a department's 主管领域 and level (None: back to the defaults read from its name)."""
    row = duty_store.find_department(db, department)
    if row is None:
        raise ProposalError(f"没有名为“{department}”的部门")
    with db.atomic():
        store.set_domains(db, row["id"], domains, level)
        write_audit(db, actor=by, action="department.domains", obj=f"department:{row['id']}",
                    detail={"domains": domains, "level": level})
    return next(h for h in holders(db) if h.id == row["id"])


# --------------------------------------------------------------------------- a law's powers


def version_powers(db: sqlite_utils.Database, version_id: int, labels: set[str] | None = None) -> list[Power]:
    """The powers of a version's articles (only ``labels`` when given); read once, then kept."""
    if labels is None:
        kept = store.cached_powers(db, version_id, rules_version())
        if kept is not None:
            return [Power.from_json(p) for p in kept]
    out = powers_of_articles(store.version_articles(db, version_id), labels)
    if labels is None:
        keep_powers(db, version_id, [p.to_json() for p in out])
    return out


def powers_of_articles(rows, labels: set[str] | None = None) -> list[Power]:
    """The powers of a version's articles given as {label, text, paragraphs: [{text, items}]} (as
    stored; an import reads them from the parsed text in its worker processes); only ``labels``
    when given (the aliases a law defines are read from all of them)."""
    articles = []
    for a in rows:
        paragraphs = [(p.get("text", ""), p.get("items", [])) for p in a["paragraphs"]]
        if not paragraphs and a["text"]:
            paragraphs = [(line, []) for line in a["text"].split("\n")]
        articles.append((a["label"], paragraphs))
    # "(以下称审批部门)" and "本法规定的行政处罚由…决定" anywhere in the law apply to every article
    return law_powers(articles, labels)


def keep_powers(db: sqlite_utils.Database, version_id: int, powers: list[dict]) -> None:
    """Keep a version's powers (``Power.to_json()`` each; read from its text once: a text never changes)."""
    store.keep_powers(db, version_id, rules_version(), powers)


def covered_by(power: Power, citations: list[dict]) -> list[dict]:
    """The citations (of one department, into the law) that cover ``power``.

    A citation covers it when it points at the same article today (its ``current_label`` when
    the law renumbered since) and names the same 款 and 项 or fewer (a citation of the whole
    article covers its items; 第一款 of a one-款 article is that article). A citation of the
    whole law (根据《…》的规定) names no provision and covers nothing.
    """
    out = []
    for c in citations:
        label, paragraph, item = c["current_label"] or c["article"], c["paragraph"], c["item"]
        if label is None:
            continue
        moved = split_place(c["current_label"]) if c["current_label"] else None
        if moved is not None and (moved[1] is not None or moved[2] is not None):
            label, paragraph, item = moved      # the 款/项 it is today (impact.where)
        if label != power.article:
            continue
        if paragraph is not None and paragraph != (power.paragraph or 1):
            continue
        if item is not None and power.item is not None and item != power.item:
            continue
        if item is not None and power.item is None:
            continue
        out.append(c)
    return out


#: A power of a law that replaced others (生态环境法典 and the ten laws it repeals) is covered by a
#: duty that cites the replaced law's power for the same violation — the flag on that duty moves
#: its citation. Which new power is the same violation: ``impact.successor.match_powers``, run on
#: all the powers of each replaced law at once (they compete: 土壤污染防治法 第九十四条第（四）项 is
#: 1165(5) "未按照规定实施修复", so its siblings 第（一）至（三）项 are not), then kept for the
#: department's covered ones. On the 93 penalty items of 江门市生态环境局's list (five laws →
#: 生态环境法典) it pairs 66 old powers, all the same violation; the rule before (most alike new power
#: of the type by character ratio and Dice ≥ 55) paired 65, 8 of them wrong (放射性污染防治法
#: 第五十四条第（五）项 → 1179(6) 危险废物; 土壤污染防治法 第八十六条第（一）项 → 1166(2);
#: 第九十四条第（一）至（三）项 → 1165(5), where the long shared subject outweighed the act;
#: 大气污染防治法 第一百零五条 燃用 → 1115(1) 销售, another authority's; 第一百零八条第（四）项 储油库
#: → 1119第四款 码头; 水污染防治法 第九十四条 公安机关 → 1236). bench/successors.py, against the
#: reviewed bench/data/successor_golden.tsv.


def inherited(db: sqlite_utils.Database, holder: "Holder", law_id: int,
              cache: dict[int, list[Power]] | None = None) -> list[tuple[int, list[Power], list[Power]]]:
    """For each law ``law_id`` replaced whose powers the department's duties cover: (its version,
    all its powers, the covered ones)."""
    cache = {} if cache is None else cache
    out = []
    for old_law in store.predecessors(db, law_id):
        cits = store.department_citations(db, holder.id, old_law)
        if not cits:
            continue
        version_id = store.latest_version_with_articles(db, old_law)
        if version_id is None:
            continue
        if version_id not in cache:
            cache[version_id] = version_powers(db, version_id)
        mine = [p for p in cache[version_id] if covered_by(p, cits)]
        if mine:
            out.append((version_id, cache[version_id], mine))
    return out


def successors(powers: list[Power], old: list[tuple[int, list[Power], list[Power]]],
               cache: dict | None = None, new_version: int | None = None) -> set[str]:
    """Keys of ``powers`` (the new law's, whoever holds them) that are a covered power of a replaced
    law under its new wording; ``old`` as ``inherited`` gives it. ``cache`` keeps the pairs of each
    replaced version with the new one (``new_version``) for the next department.

    >>> new = [Power("第二条", None, None, "行政处罚", ("罚款",), "未依法取得排污许可证排放污染物", "", (), ""),
    ...        Power("第三条", None, None, "行政处罚", ("罚款",), "超过污染物排放标准排放污染物", "", (), "")]
    >>> mine = [Power("第九条", None, 1, "行政处罚", ("罚款",), "未依法取得排污许可证排放大气污染物", "", (), "")]
    >>> sorted(successors(new, [(1, mine, mine)]))
    ['第二条|0|0|行政处罚|']
    """
    cache = {} if cache is None else cache
    out: set[str] = set()
    for version_id, every, mine in old:
        key = (version_id, new_version)
        if new_version is None or key not in cache:
            cache[key] = match_powers(powers, every)
        keys = {p.key for p in mine}
        out |= {n.key for o, n, _ in cache[key] if o.key in keys}
    return out


def _covered(power: Power, citations: list[dict], inherited_keys: set[str]) -> bool:
    return bool(covered_by(power, citations)) or power.key in inherited_keys


def _basis_text(law_title: str, power: Power) -> str:
    return f"《{law_title}》{power.basis}"


def _authority(power: Power, holder: Holder):
    return next((a for a in power.authorities if a.domain in holder.domains and level_allows(a.level, holder.level)),
                power.authorities[0])


@dataclass
class Coverage:
    department: str
    law: str
    powers: int                 # powers the law gives the department
    covered: int
    uncovered: list[dict]       # {basis, type, name}

    @property
    def share(self) -> float | None:
        return round(self.covered / self.powers, 3) if self.powers else None


def coverage(db: sqlite_utils.Database, *, department: str | None = None, law: str | None = None) -> list[Coverage]:
    """For each department with a list and law it enforces, the share of the law's powers its list covers."""
    out = []
    cache: dict[int, list[Power]] = {}
    pairs: dict = {}                # (replaced version, new version) → match_powers
    for holder, lawrow, powers in _scope(db, department=department, law=law):
        cits = store.department_citations(db, holder.id, lawrow["id"])
        old = successors(version_powers(db, lawrow["version_id"]), inherited(db, holder, lawrow["id"], cache), pairs,
                         lawrow["version_id"])
        uncovered = [{"basis": _basis_text(lawrow["title"], p), "type": p.type, "name": p.name}
                     for p in powers if not _covered(p, cits, old)]
        out.append(Coverage(holder.name, lawrow["title"], len(powers), len(powers) - len(uncovered), uncovered))
    return out


def _scope(db, *, department: str | None, law: str | None, law_ids: set[int] | None = None):
    """(department, law, powers it holds) for the laws each department enforces: those its
    duties cite and those whose clauses name its authority."""
    hs = holders(db)
    if department is not None:
        hs = [h for h in hs if h.name == department]
        if not hs:
            raise ProposalError(f"没有名为“{department}”的部门")
    laws = store.laws_with_text(db)
    if law is not None:
        row = find_law(db, law) or find_law(db, f"中华人民共和国{law}")
        if row is None:
            raise ProposalError(f"登记库中没有《{law}》")
        laws = [lw for lw in laws if lw["id"] == row["id"]]
    if law_ids is not None:
        laws = [lw for lw in laws if lw["id"] in law_ids]
    # a department without a list in yiju (a parent unit created by an import, a government whose
    # list is kept elsewhere) has nothing to compare with: proposing its every power unasked would
    # be noise; named (``--department``), it gets them all, as for drawing up a list from scratch
    hs = [h for h in hs if department is not None or (h.duties and h.domains)]
    powers_of: dict[int, list[Power]] = {}
    for h in hs:
        cited = set(store.cited_laws(db, h.id))
        for lw in laws:
            if lw["id"] not in powers_of:
                powers_of[lw["id"]] = version_powers(db, lw["version_id"])
            mine = [p for p in powers_of[lw["id"]] if holds(h, p)]
            if mine or (lw["id"] in cited and department is not None):
                yield h, lw, mine


# --------------------------------------------------------------------------- generating proposals


def generate(db: sqlite_utils.Database, *, department: str | None = None, law: str | None = None,
             law_ids: set[int] | None = None, labels: dict[int, set[str]] | None = None,
             change_ids: dict[int, int] | None = None, run_id: int | None = None,
             baseline: bool | None = None) -> dict:
    """Write a proposal for every uncovered power of the laws in scope; withdraw the open ones
    now covered (or gone), and the submitted and returned ones too (a decision on a power the list
    covers has nothing left to sign off). Idempotent: a power already proposed (in any state but
    withdrawn) is not proposed again.

    ``labels`` (law id → article labels) limits new proposals to inserted or modified articles;
    ``baseline`` marks the first pass on a registry (reported as figures, not as news).
    """
    if baseline is None:
        baseline = not store.any_proposal_run(db)
    created, withdrawn, reopened = [], 0, 0
    cache: dict[int, list[Power]] = {}
    pairs: dict = {}                # (replaced version, new version) → match_powers
    with db.atomic():
        for holder, lawrow, powers in _scope(db, department=department, law=law, law_ids=law_ids):
            cits = store.department_citations(db, holder.id, lawrow["id"])
            old_powers = successors(version_powers(db, lawrow["version_id"]),
                                    inherited(db, holder, lawrow["id"], cache), pairs, lawrow["version_id"])
            have = store.existing(db, holder.id, lawrow["id"])
            live: set[str] = set()
            only = labels.get(lawrow["id"]) if labels is not None else None
            # 施行日期: the version's, else when the laws it replaces are repealed (a file imported
            # without one: 生态环境法典's 同时废止 clause gives 2026-08-15)
            effective = lawrow["effective"] or store.predecessors_repealed_on(db, lawrow["id"])
            for p in powers:
                if _covered(p, cits, old_powers):
                    continue
                live.add(p.key)
                if only is not None and p.article not in only and p.key not in have:
                    continue
                a = _authority(p, holder)
                row = {"department_id": holder.id, "law_id": lawrow["id"], "version_id": lawrow["version_id"],
                       "change_id": (change_ids or {}).get(lawrow["id"]), "power_key": p.key,
                       "article": p.article, "paragraph": p.paragraph, "item": p.item, "type": p.type,
                       "name": p.name, "measures": list(p.measures),
                       # a clause that names no authority: the article that does (产品质量法 第七十条)
                       "authority": f"{a.raw}（本法{a.source}）" if a.source else a.raw,
                       "authority_level": a.level, "shared": int(any(x.shared for x in p.authorities)),
                       "basis_text": _basis_text(lawrow["title"], p), "clause": p.text,
                       "due": due_for(effective), "baseline": int(baseline), "created_run_id": run_id}
                old = have.get(p.key)
                if old is None:
                    created.append(store.insert(db, row))
                elif old["state"] == "withdrawn":
                    store.reopen(db, old["id"], row)
                    reopened += 1
            for key, old in have.items():
                if old["state"] in UNDECIDED and key not in live:
                    store.set_state(db, old["id"], "withdrawn", by="yiju", reason="已由清单中的职权覆盖或条文已不再规定")
                    withdrawn += 1
        result = {"proposals": len(created), "reopened": reopened, "withdrawn": withdrawn,
                  "baseline": bool(baseline)}
        everything = department is None and law is None and law_ids is None
        write_audit(db, actor="yiju", action="proposals.generate",
                    obj=f"run:{run_id}" if run_id is not None else "proposals",
                    detail={**result, "department": department, "law": law,
                            **({"rules": rules_version()} if everything else {})})
    return {**result, "ids": created}


def refresh(db: sqlite_utils.Database, run_id: int | None = None) -> dict | None:
    """After an upgrade that reads powers differently (``diffing/data/powers.toml`` or the
    authorities changed), every law is read again: a power found only now (a 市场监督管理局 given
    食品安全法's powers once 食品安全监督管理部门 is known) joins the coverage baseline, it is not news
    (no law changed); an open proposal the new reading no longer finds is withdrawn. None when
    nothing changed since the last full pass, or no pass was ever made.

    >>> from registry.schema import connect
    >>> refresh(connect(":memory:")) is None
    True
    """
    if not store.any_proposal_run(db) or store.full_pass_rules(db) == rules_version():
        return None
    return generate(db, run_id=run_id, baseline=True)


def for_changes(db: sqlite_utils.Database, changes: list[dict], run_id: int | None = None) -> dict:
    """Proposals for the changes impact just processed: every article of an enacted law (or of the
    law that replaced a repealed one), the inserted and substantively modified articles of an amended one."""
    law_ids: set[int] = set()
    whole: set[int] = set()
    labels: dict[int, set[str]] = {}
    change_ids: dict[int, int] = {}
    for ch in changes:
        if ch["kind"] == "repealed":
            # a law imported with the repeals it enacts (yiju laws import: no enacted change of its
            # own) is as new as an enacted one: 生态环境法典 and the ten laws it repeals
            old = get_law(db, ch["law_id"])
            if old and old["successor_id"]:
                law_ids.add(old["successor_id"])
                whole.add(old["successor_id"])
                change_ids.setdefault(old["successor_id"], ch["id"])
            continue
        if ch["kind"] not in ("enacted", "amended"):
            continue
        law_ids.add(ch["law_id"])
        change_ids[ch["law_id"]] = ch["id"]
        if ch["kind"] == "enacted":
            whole.add(ch["law_id"])
            continue
        for ac in change_store.article_changes(db, ch["id"]):
            if ac["status"] == "inserted" or (ac["status"] in ("modified", "split", "merged")
                                              and ac["substance"] not in ("editorial", "references_only")):
                labels.setdefault(ch["law_id"], set()).update(ac["new_labels"])
        labels.setdefault(ch["law_id"], set())
    for law_id in whole:
        labels.pop(law_id, None)
    if not law_ids:
        return {"proposals": 0, "reopened": 0, "withdrawn": 0, "baseline": False, "ids": []}
    return generate(db, law_ids=law_ids, labels=labels, change_ids=change_ids, run_id=run_id)


# --------------------------------------------------------------------------- the workflow


STATE_NAMES = names("proposal_state")
#: Waiting for the department's decision (it may accept or decline).
WITH_DEPARTMENT = ("open", "returned")
#: Nothing decided yet: ``generate`` does not propose them again and withdraws them once covered.
UNDECIDED = ("open", "submitted", "returned")
_ACTIONS = {"accept": "采纳", "decline": "不采纳", "submit": "提交审核", "approve": "审核通过", "return": "退回"}


def _proposal(db, proposal_id: int, states: tuple[str, ...], action: str) -> dict:
    """The proposal, when its state allows ``action``; ProposalError (Chinese) otherwise."""
    p = store.get(db, proposal_id)
    if p is None:
        raise ProposalError(f"没有编号为 {proposal_id} 的拟新增职权")
    if p["state"] not in states:
        if p["state"] in UNDECIDED:
            raise ProposalError(f"拟新增职权 #{proposal_id} 的状态是“{STATE_NAMES.get(p['state'], p['state'])}”，"
                                f"不能{_ACTIONS[action]}")
        raise ProposalError(f"拟新增职权 #{proposal_id} 已处理（{STATE_NAMES.get(p['state'], p['state'])}），不能再次处理")
    return p


def _post(post: str | None) -> str:
    post = (post or "").strip()
    if not post:
        raise ProposalError("采纳拟新增职权须指定执法岗位（--post）")
    return post


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ProposalError("不采纳须说明理由（--reason）")
    return reason


def _create_duty(db, p: dict, post: str, name: str | None, by: str) -> int:
    """The duty an accepted proposal adds to its department's list (its citation resolved at once)."""
    proposal_id = p["id"]
    post_id, _ = duty_rows.ensure_post(db, p["department_id"], post)
    content = {"code": None, "name": (name or p["name"]).strip(), "kind": p["type"],
               "department_id": p["department_id"], "post_id": post_id, "level": None,
               "note": f"由拟新增职权 #{proposal_id} 采纳", "basis_text": p["basis_text"],
               "penalty_basis_text": None}
    key = duty_store.duty_key(p["department_id"], code=None, name=content["name"])
    if duty_rows.versions_of_key(db, key):
        key = f"{key}#proposal{proposal_id}"
    duty_id, _ = duty_store._write_version(db, content, key=key, version=1, previous_id=None, stamp=clock_stamp(),
                                           actor=by, source_file=None, source_row=f"proposal:{proposal_id}",
                                           as_of=None)
    store.set_state(db, proposal_id, "accepted", by=by, duty_id=duty_id)
    write_audit(db, actor=by, action="proposal.accept", obj=f"proposal:{proposal_id}",
                detail={"duty_id": duty_id, "post": post, "name": content["name"]})
    return duty_id


def _record_decline(db, proposal_id: int, reason: str, by: str) -> None:
    store.set_state(db, proposal_id, "declined", by=by, reason=reason)
    write_audit(db, actor=by, action="proposal.decline", obj=f"proposal:{proposal_id}", detail={"reason": reason})


def accept(db: sqlite_utils.Database, proposal_id: int, post: str, by: str, *, name: str | None = None) -> dict:
    """Accept a proposal at once (the legal office; a department without review): a new duty on the
    department's list, assigned to ``post``, its citation resolved at once. Returns the proposal
    with ``duty_id`` set."""
    post = _post(post)
    with db.atomic():
        _create_duty(db, _proposal(db, proposal_id, UNDECIDED, "accept"), post, name, by)
    return store.get(db, proposal_id)


def decline(db: sqlite_utils.Database, proposal_id: int, reason: str, by: str) -> dict:
    """Decline a proposal at once with a reason (the power is another department's, already exercised
    under another duty, …). It is not proposed again."""
    reason = _reason(reason)
    with db.atomic():
        _proposal(db, proposal_id, UNDECIDED, "decline")
        _record_decline(db, proposal_id, reason, by)
    return store.get(db, proposal_id)


def department_action(db: sqlite_utils.Database, proposal_id: int, *, action: str, by: str,
                      post: str | None = None, name: str | None = None, reason: str | None = None,
                      legal_review: bool = True) -> dict:
    """A department accepts (``post``, optional ``name``) or declines (``reason``) a proposal. With
    ``legal_review`` (``[workflow] legal_review``, as for flags) the proposal becomes ``submitted``,
    the decision kept for the legal office (what approval needs is checked now); nothing is created
    yet. Without it, it is accepted or declined at once."""
    if action not in ("accept", "decline"):
        raise ValueError(action)
    if not legal_review:
        return (accept(db, proposal_id, post or "", by, name=name) if action == "accept"
                else decline(db, proposal_id, reason or "", by))
    if action == "accept":
        decision = {"action": "accept", "post": _post(post), "name": (name or "").strip() or None, "reason": None}
    else:
        decision = {"action": "decline", "post": None, "name": None, "reason": _reason(reason)}
    with db.atomic():
        p = _proposal(db, proposal_id, WITH_DEPARTMENT, "submit")
        store.submit(db, proposal_id, decision, by=by)
        write_audit(db, actor=by, action="proposal.submit", obj=f"proposal:{proposal_id}",
                    detail={"from": p["state"], **decision})
    return store.get(db, proposal_id)


def approve(db: sqlite_utils.Database, proposal_id: int, *, by: str) -> dict:
    """The legal office approves a submitted proposal (审核通过): the department's decision is carried
    out — the duty created on its list, assigned to its post — or the decline recorded."""
    with db.atomic():
        p = _proposal(db, proposal_id, ("submitted",), "approve")
        d = p["decision"]
        if d["action"] == "accept":
            _create_duty(db, p, d["post"], d.get("name"), by)
        else:
            _record_decline(db, proposal_id, d["reason"], by)
        store.reviewed(db, proposal_id, by=by)
        write_audit(db, actor=by, action="proposal.approve", obj=f"proposal:{proposal_id}",
                    detail={"proposed_by": p["proposed_by"], "proposed_at": p["proposed_at"], **d})
    return store.get(db, proposal_id)


def return_proposal(db: sqlite_utils.Database, proposal_id: int, *, reason: str, by: str) -> dict:
    """The legal office returns a submitted proposal to its department (退回), saying why; the
    department can decide again."""
    reason = (reason or "").strip()
    if not reason:
        raise ProposalError("退回须说明理由（--reason）")
    with db.atomic():
        p = _proposal(db, proposal_id, ("submitted",), "return")
        store.reviewed(db, proposal_id, by=by, note=reason, state="returned")
        write_audit(db, actor=by, action="proposal.return", obj=f"proposal:{proposal_id}",
                    detail={"reason": reason, "proposed_by": p["proposed_by"], "decision": p["decision"]})
    return store.get(db, proposal_id)


def list_proposals(db: sqlite_utils.Database, *, department: str | None = None, law: str | None = None,
                   state: str | None = "open") -> list[dict]:
    """Proposals as the CLI and pages show them (``state`` None: all)."""
    dep_id = law_id = None
    if department is not None:
        row = duty_store.find_department(db, department)
        if row is None:
            raise ProposalError(f"没有名为“{department}”的部门")
        dep_id = row["id"]
    if law is not None:
        row = find_law(db, law) or find_law(db, f"中华人民共和国{law}")
        if row is None:
            raise ProposalError(f"登记库中没有《{law}》")
        law_id = row["id"]
    return store.list_proposals(db, department_id=dep_id, law_id=law_id, state=state)


def to_json(p: dict) -> dict:
    """The --json shape: id, department, law (full title), article, paragraph, item, type, name, state …"""
    return {"id": p["id"], "department": p["department"], "law": p["law"], "article": p["article"],
            "paragraph": p["paragraph"], "item": p["item"], "type": p["type"], "name": p["name"],
            "state": p["state"], "basis": p["basis_text"], "measures": p["measures"],
            "authority": p["authority"], "authority_level": p["authority_level"], "shared": bool(p["shared"]),
            "due": p["due"], "baseline": bool(p["baseline"]), "duty_id": p["duty_id"], "reason": p["reason"],
            "state_name": glossary_name("proposal_state", p["state"]),
            # the department's decision waiting for (or signed off by) the legal office: {action, post, name, reason}
            "decision": p.get("decision"), "proposed_by": p.get("proposed_by"), "proposed_at": p.get("proposed_at"),
            "reviewed_by": p.get("reviewed_by"), "reviewed_at": p.get("reviewed_at"),
            "review_note": p.get("review_note")}


def penalty_only(powers: list[Power]) -> list[Power]:
    return [p for p in powers if p.type == PENALTY]


__all__ = ["ProposalError", "accept", "decline", "department_action", "approve", "return_proposal", "generate", "for_changes", "coverage", "list_proposals",
           "set_domains", "holders", "version_powers", "covered_by", "get_law"]
