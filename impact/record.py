"""A law gained a version or a status: store it and its change event in one transaction.

This is the only place where ``changes`` rows are born, whoever noticed the event (a crawler,
``yiju laws import``). A change is written once: its ``dedupe_key`` is unique, so seeing the same
event again (a rerun, a second import) writes nothing.

>>> from registry.schema import connect
>>> db = connect(":memory:")
>>> r = record_version(db, title="示例条例", text="示例条例\\n第一条　为了示例，制定本条例。", source="import")
>>> r.outcome, r.change_id is None
('new', True)
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import sqlite_utils
from sqlite_utils.db import NotFoundError

from config import limits
from config.clock import today
from registry import changes as change_store
from registry import laws as law_store
from registry.audit import write_audit
from texts.structure import LawText, numbering_problems, parse
from diffing.align import ALIGNMENT, compare
from diffing.provisions import provision_map
from diffing.cite.titles import title_key
from diffing.repeals import repeals_in


class NotALawText(ValueError):
    """The text has no article: it is not the text of a law (or it was cut off)."""


@dataclass(frozen=True)
class Recorded:
    law_id: int
    version_id: int | None
    change_id: int | None
    outcome: str  # new / duplicate / held / unchanged / status
    repealed: tuple[int, ...] = ()  # laws whose repeal the text's own clauses recorded


_SPACE = re.compile(r"\s+")

#: A new text shorter than this share of the previous one is held for review, not used.
SHRINK_LIMIT = 0.5


def text_key(text: str) -> str:
    """sha256 of a text with all white space removed (line breaks and padding are not content)."""
    return hashlib.sha256(_SPACE.sub("", text).encode("utf-8")).hexdigest()


def exact_key(text: str) -> str:
    """sha256 of a text as it is (white space included: line breaks decide the articles)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def comparison_of(old: LawText, new: LawText):
    """(the alignment of two parsed texts, their 款/项 mapping or None when nothing changed): what a
    new version's change records. Pure: an import makes it in its worker processes."""
    comparison = compare(old, new)
    changed = any(m.status != "unchanged" for m in comparison.matches)
    return comparison, (provision_map(old, new, comparison) if changed else None)


_PARSED: dict[str, LawText] = {}
_PARSED_MAX = 64


def _parsed(text: str, given: LawText | None = None, key: str | None = None) -> LawText:
    """``text`` parsed, remembered for the next version of the same law (its "previous" text)."""
    key = key or text_key(text)
    law = given or _PARSED.get(key) or parse(text)
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.pop(next(iter(_PARSED)))
    _PARSED[key] = law
    return law


def record_version(
    db: sqlite_utils.Database,
    *,
    title: str,
    text: str,
    source: str,
    source_id: str | None = None,
    promulgated: str | None = None,
    effective: str | None = None,
    status: str | None = None,
    level: str | None = None,
    issuer: str | None = None,
    region: str | None = None,
    category_code: int | None = None,
    revision: str | None = None,
    raw_blob: str | None = None,
    raw_format: str | None = None,
    run_id: int | None = None,
    announce_new: bool = False,
    law_id: int | None = None,
    parsed: LawText | None = None,
    compared: dict | None = None,
) -> Recorded:
    """Store one text of a law; write the change it makes (enacted/amended/renamed/text_corrected).

    ``law_id`` attaches the text to a known law whatever its title (a renamed law linked by
    the source's version history); otherwise the law is found or created by ``title``.
    ``parsed`` is ``text`` already parsed (an import parses in worker processes); ``compared`` maps
    ``exact_key(previous text)`` to the ``comparison_of(previous, text)`` already made (an import
    compares a folder's versions in its worker processes). Raises NotALawText when the text has no article.
    """
    sha = text_key(text)
    parsed = _parsed(text, parsed, sha)
    if not parsed.articles:
        raise NotALawText(f"《{title}》的文本中没有找到任何条文（第X条），不是法律文本或文本不完整")
    try:
        limits.check_count(len(parsed.articles), f"《{title}》", "max_articles", "条文数")
    except limits.TooLarge as exc:
        raise NotALawText(str(exc)) from exc
    with db.atomic():
        if law_id is None:
            law_id = law_store.ensure_law(
                db, title, level=level, status=status, issuer=issuer, region=region,
                category_code=category_code,
            )
        law = law_store.get_law(db, law_id)
        if source_id is not None and law_store.version_by_source(db, source, source_id):
            return Recorded(law_id, None, None, "duplicate")
        previous = law_store.latest_version(db, law_id)
        same = _same_version(db, law_id, sha, promulgated, previous)
        if same is not None:
            return Recorded(law_id, same, None, "duplicate")
        waiting = law_store.reviewed_with_text(db, law_id, sha)
        if waiting is not None:
            return Recorded(law_id, waiting, None, "duplicate")  # held or rejected before: a person decides

        if status is None:
            status = "尚未生效" if effective and effective > today() else "有效"
        review_state, review_reason = "accepted", None
        if previous is not None and previous["text"]:
            old_len = len(_SPACE.sub("", previous["text"]))
            new_len = len(_SPACE.sub("", text))
            if old_len and new_len < old_len * SHRINK_LIMIT:
                review_state = "held"
                review_reason = (
                    f"新文本只有上一版本的 {new_len * 100 // old_len}%（{new_len} / {old_len} 字），"
                    "疑为抓取不完整，已暂存待人工核对，未作为新版本使用"
                )
        version_id = law_store.add_version(
            db, law_id, parsed, title=title, source=source, text=text, text_sha256=sha,
            source_id=source_id, promulgated=promulgated, effective=effective, revision=revision,
            status=status, raw_blob=raw_blob, raw_format=raw_format, run_id=run_id,
            review_state=review_state, review_reason=review_reason,
        )
        if review_state == "held":
            return Recorded(law_id, version_id, None, "held")
        change_id = _announce(db, law, previous, version_id, parsed, title=title, promulgated=promulgated,
                              effective=effective, status=status, run_id=run_id, announce_new=announce_new,
                              compared=compared)
        history = bool(previous is not None and promulgated and previous["promulgated"]
                       and promulgated < previous["promulgated"])
        # an older text filled in later is no event of its own law, but the repeals it wrote happened
        # (食品安全法 2009 imported after its 2021 text still repealed 食品卫生法)
        repealed = record_repeals(db, law_id=law_id, title=title, text=text, promulgated=promulgated,
                                  effective=effective, source=source, run_id=run_id)
        if previous is None:
            repealed += repeals_written_for(db, law_id, run_id=run_id)
        return Recorded(law_id, version_id, None if history else change_id, "new", tuple(repealed))


def _numbering(parsed) -> dict:
    """{"numbering": [gaps and repeats of article numbers]} when the text has any (a warning the
    digest shows: 生态环境法典 jumps 第一千一百一十九条 → 第一千一百二十一条), else {}."""
    problems = numbering_problems(parsed)
    return {"numbering": problems} if problems else {}


def _same_version(db, law_id: int, sha: str, promulgated: str | None, previous: dict | None) -> int | None:
    """The accepted version this text is, or None when it is a new version.

    A version is (law, text, date): a text identical to an older version but published after
    the newest one (A 2020 → B 2021 → A 2022) is a new version, not a duplicate.
    """
    rows = law_store.accepted_versions_with_text(db, law_id, sha)
    if not rows:
        return None
    for vid, date in rows:
        if not promulgated or not date or date == promulgated:
            return vid
    if (previous is not None and previous["text_sha256"] != sha and previous["promulgated"]
            and promulgated > previous["promulgated"]):
        return None  # the wording returns after another one: a new version
    return rows[0][0]


def _announce(db, law: dict, previous: dict | None, version_id: int, parsed, *, title: str,
              promulgated: str | None, effective: str | None, status: str | None, run_id: int | None,
              announce_new: bool, compared: dict | None = None) -> int | None:
    """Write the change a newly accepted version makes; returns its id (None when no event)."""
    law_id = law["id"]
    if status is None:
        status = "尚未生效" if effective and effective > today() else "有效"
    if previous is None:
        change_id = None
        if announce_new:
            change_id = _write_change(
                db, law_id, "enacted", None, version_id, promulgated, effective, run_id,
                dedupe_key=f"enacted:{law_id}",
                detail={"title": title, **_numbering(parsed)},
            )
        _settle_status(db, law, status, effective)
        return change_id

    if promulgated and previous["promulgated"] and promulgated < previous["promulgated"]:
        # An older text found after a newer one (history filled in): not an event.
        return None

    made = compared.get(exact_key(previous["text"])) if compared and previous["text"] else None
    if made is not None:
        comparison, provisions = made
        changed = [m for m in comparison.matches if m.status != "unchanged"]
    else:
        old_parsed = _parsed(previous["text"]) if previous["text"] else None
        comparison, provisions = comparison_of(old_parsed, parsed) if old_parsed is not None else (None, None)
        changed = [m for m in comparison.matches if m.status != "unchanged"] if comparison else []
    renamed = previous["title"] != title
    if promulgated and promulgated == previous["promulgated"]:
        kind = "text_corrected"
    elif renamed and comparison is not None and not changed:
        kind = "renamed"
    else:
        kind = "amended"
    detail = {"old_title": previous["title"], "new_title": title} if renamed else {}
    detail.update(_numbering(parsed))
    change_id = _write_change(
        db, law_id, kind, previous["id"], version_id, promulgated, effective, run_id,
        dedupe_key=f"{kind}:{law_id}:{previous['id']}:{version_id}",
        detail=detail,
        summary=comparison.summary if comparison else {},
        matches=changed, provisions=provisions,
    )
    if renamed:
        _rename(db, law, title)
    pending = status == "尚未生效"
    if not pending:
        # The older text stays in force until the new one's 施行日期: the law is still 有效.
        law_store.set_version_status(db, previous["id"], "已修改")
        _settle_status(db, law, status, effective)
    return change_id


class NotHeld(ValueError):
    """The version is not waiting for review (the message is Chinese)."""


def _held(db, version_id: int) -> dict:
    try:
        version = law_store.get_version(db, version_id)
    except NotFoundError:
        version = None
    if not version:
        raise NotHeld(f"登记库中没有编号为 {version_id} 的版本")
    if version["review_state"] != "held":
        raise NotHeld(f"版本 {version_id} 不是暂存待核对的版本（状态：{version['review_state']}）")
    return version


def accept_held(db: sqlite_utils.Database, version_id: int, *, actor: str, run_id: int | None = None) -> Recorded:
    """A person checked a held text and it is right: it becomes a version, with its change event."""
    with db.atomic():
        v = _held(db, version_id)
        law = law_store.get_law(db, v["law_id"])
        previous = law_store.latest_version(db, v["law_id"])
        law_store.set_review_state(db, version_id, "accepted")
        change_id = _announce(db, law, previous, version_id, parse(v["text"] or ""), title=v["title"],
                              promulgated=v["promulgated"], effective=v["effective"], status=v["status"],
                              run_id=run_id, announce_new=False)
        write_audit(db, actor=actor, action="version.accept", obj=f"version:{version_id}",
                    detail={"law": law["title"], "reason": v["review_reason"], "change_id": change_id})
    return Recorded(v["law_id"], version_id, change_id, "new")


def reject_held(db: sqlite_utils.Database, version_id: int, *, actor: str, reason: str = "") -> None:
    """A person checked a held text and it is wrong (cut off, an error page): it is never used."""
    with db.atomic():
        v = _held(db, version_id)
        law_store.set_review_state(db, version_id, "rejected")
        write_audit(db, actor=actor, action="version.reject", obj=f"version:{version_id}",
                    detail={"law_id": v["law_id"], "reason": v["review_reason"], "note": reason})


def _settle_status(db, law: dict, status: str | None, effective: str | None) -> None:
    """The law's status follows its newest text: 尚未生效 until its 施行日期, else what the source says."""
    if status is None:
        status = "尚未生效" if effective and effective > today() else "有效"
    if law["status"] == "已废止" and status != "已废止":
        return  # a repeal is only undone by an explicit status
    if status != law["status"]:
        law_store.set_law_status(db, law["id"], status)


def _rename(db, law: dict, new_title: str) -> None:
    clash = law_store.find_law(db, new_title)
    if clash is not None and clash["id"] != law["id"]:
        return  # another law already has that title; keep both as they are
    law_store.rename_law(db, law["id"], new_title)


def record_status(
    db: sqlite_utils.Database,
    *,
    status: str,
    source: str,
    title: str | None = None,
    law_id: int | None = None,
    run_id: int | None = None,
    effective: str | None = None,
    repealed_on: str | None = None,
    successor_title: str | None = None,
    instrument_id: int | None = None,
) -> Recorded:
    """A source says a law's status is now ``status`` (有效/已修改/已废止/尚未生效).

    已废止 writes a ``repealed`` change (with the successor when one is named); 尚未生效 → 有效
    writes ``takes_effect``. 已修改 alone is not an event: the newer text is its own event.
    A law missing from a listing is never reported here: only an explicit status is.
    """
    if status not in law_store.STATUSES:
        raise ValueError(f"unknown status {status!r}")
    with db.atomic():
        if law_id is None:
            if title is None:
                raise ValueError("record_status needs a title or a law_id")
            law = law_store.find_law(db, title)
            if law is None:
                raise KeyError(f"登记库中没有《{title}》")
        else:
            law = law_store.get_law(db, law_id)
        law_id = law["id"]
        latest = law_store.latest_version(db, law_id)
        latest_id = latest["id"] if latest else None
        pending_text = latest is not None and latest["status"] == "尚未生效"
        if status == "有效" and pending_text and law["status"] != "已废止":
            law["status"] = "尚未生效"  # the newest text comes into force: same event as below
        if status == law["status"] or status == "已修改":
            return Recorded(law_id, latest_id, None, "unchanged")
        if status == "已废止" and law["status"] != "已废止" and change_store.repeals_of_law(db, law_id):
            # a repeal already recorded (the repealing text's 同时废止 clause): the same event; the
            # source may name a successor or a date the text did not
            successor = law_store.find_law(db, successor_title) if successor_title else None
            day = law["repealed_on"] or repealed_on
            in_force = not (day and day > today())
            law_store.set_law_status(db, law_id, "已废止" if in_force else law["status"],
                                     successor_id=successor["id"] if successor and not law["successor_id"] else None,
                                     repealed_on=day)
            return Recorded(law_id, latest_id, None, "unchanged")
        if status == "已废止":
            successor_id = None
            if successor_title:
                successor = law_store.find_law(db, successor_title)
                successor_id = successor["id"] if successor else None
            pending = bool(repealed_on and repealed_on > today())
            # 即将废止: the law stays in force (its status unchanged) until ``repealed_on``;
            # settle_repeals flips it on that day
            law_store.set_law_status(db, law_id, law["status"] if pending else "已废止",
                                     successor_id=successor_id, repealed_on=repealed_on)
            change_id = _write_change(
                db, law_id, "repealed", latest_id, None, repealed_on, repealed_on or effective, run_id,
                dedupe_key=f"repealed:{law_id}",
                detail={"successor_title": successor_title, "successor_id": successor_id, "source": source},
                instrument_id=instrument_id,
            )
            return Recorded(law_id, latest_id, change_id, "status")
        if status == "有效" and law["status"] == "尚未生效":
            law_store.set_law_status(db, law_id, "有效")
            if latest is not None:
                law_store.set_version_status(db, latest_id, "有效")
                law_store.supersede_older_versions(db, law_id, latest_id)
            change_id = _write_change(
                db, law_id, "takes_effect", None, latest_id, None,
                effective or (latest["effective"] if latest else None), run_id,
                dedupe_key=f"takes_effect:{law_id}:{latest_id}",
                detail={"source": source},
            )
            return Recorded(law_id, latest_id, change_id, "status")
        law_store.set_law_status(db, law_id, status)
        return Recorded(law_id, latest_id, None, "status")


def record_repeals(
    db: sqlite_utils.Database, *, law_id: int | None, title: str, text: str, source: str,
    promulgated: str | None = None, effective: str | None = None, run_id: int | None = None,
    instrument_id: int | None = None,
) -> list[int]:
    """The repeals a registered text writes (its 同时废止 / 予以废止 clauses, or a whole 废止决定):
    a ``repealed`` change for each law it names that the registry knows and that is not repealed
    yet, dated by the text's 施行日期 — pending (即将废止) until then, whatever a source says.
    A law that replaces them (a 同时废止 clause) is named their successor. Returns their ids.
    """
    if "废止" not in (text or ""):
        return []  # the common case, cheap at national scale
    found = repeals_in(text, title=title, promulgated=promulgated, effective=effective)
    if not found.titles:
        return []
    date = found.effective or effective or promulgated
    replaces = found.replaces and law_id is not None
    for name in found.titles:
        # kept whether or not the registry holds the law yet: one registered later picks it up
        change_store.add_repeal_clause(db, name=name, name_key=title_key(name), by_title=title, by_law_id=law_id,
                                       effective=date, replaces=replaces, source=source,
                                       instrument_id=instrument_id)
    done = []
    for name in found.titles:
        law = _law_named_as(db, name)
        if law is None or law["id"] == law_id or law["status"] == "已废止":
            continue
        if any(c["effective"] == date for c in change_store.repeals_of_law(db, law["id"])):
            continue
        record_status(db, law_id=law["id"], status="已废止", source=source, run_id=run_id,
                      repealed_on=date, effective=date, instrument_id=instrument_id,
                      successor_title=title if found.replaces and law_id is not None else None)
        done.append(law["id"])
    return done


def repeals_written_for(db: sqlite_utils.Database, law_id: int, *, run_id: int | None = None) -> list[int]:
    """A law registered after a text that repeals it (生态环境法典 imported before 大气污染防治法, or
    食品安全法 2009 before 食品卫生法): the repeal that text wrote is recorded now, as it would have
    been in the other order — pending (即将废止) until its date, its successor named. Returns the
    repealed law's id when a repeal was recorded ([] otherwise)."""
    law = law_store.get_law(db, law_id)
    if law["status"] == "已废止":
        return []
    names = [law["title"], *(a for a in law["aliases"] if isinstance(a, str))]
    if law.get("short_title"):
        names.append(law["short_title"])
    for clause in change_store.repeal_clauses(db, {title_key(n) for n in names}):
        if clause["by_law_id"] == law_id:
            continue
        if any(c["effective"] == clause["effective"] for c in change_store.repeals_of_law(db, law_id)):
            return []
        record_status(db, law_id=law_id, status="已废止", source=clause["source"], run_id=run_id,
                      repealed_on=clause["effective"], effective=clause["effective"],
                      instrument_id=clause["instrument_id"],
                      successor_title=clause["by_title"] if clause["replaces"] else None)
        return [law_id]
    return []


def _law_named_as(db, name: str):
    for candidate in (name, "中华人民共和国" + name, name.removeprefix("中华人民共和国")):
        law = law_store.find_law(db, candidate)
        if law is not None:
            return law
    return None


def settle_repeals(db: sqlite_utils.Database, on: str | None = None) -> list[int]:
    """Laws whose pending repeal (即将废止) has reached its date become 已废止. Returns their ids."""
    day = on or today()
    due = [law_id for law_id in law_store.pending_repeals(db) if law_store.get_law(db, law_id)["repealed_on"] <= day]
    for law_id in due:
        law = law_store.get_law(db, law_id)
        law_store.set_law_status(db, law_id, "已废止", repealed_on=law["repealed_on"])
    return due


def link_successor(db: sqlite_utils.Database, law_id: int, successor_id: int) -> None:
    """Name the law that replaced a repealed one, and tell its repeal change."""
    with db.atomic():
        law_store.set_law_status(db, law_id, law_store.get_law(db, law_id)["status"], successor_id=successor_id)
        for change in change_store.repeals_of_law(db, law_id):
            d = change["detail"]
            d["successor_id"] = successor_id
            d.setdefault("successor_title", law_store.get_law(db, successor_id)["title"])
            change_store.set_detail(db, change["id"], d)


def _write_change(
    db, law_id, kind, old_version_id, new_version_id, published, effective, run_id, *,
    dedupe_key: str, detail: dict | None = None, summary: dict | None = None,
    matches=(), instrument_id: int | None = None, provisions=None,
) -> int | None:
    return change_store.write_change(
        db, law_id=law_id, kind=kind, dedupe_key=dedupe_key, old_version_id=old_version_id,
        new_version_id=new_version_id, published=published, effective=effective, run_id=run_id,
        detail=detail, summary=summary, instrument_id=instrument_id,
        alignment=ALIGNMENT if kind in change_store.ARTICLE_KINDS else None,
        articles=article_rows(matches, provisions))


def article_rows(matches, provisions) -> list[dict]:
    """The ``article_changes`` of an alignment's changed matches, with their 款/项 rows."""
    return [{"status": m.status, "old_labels": list(m.old), "new_labels": list(m.new),
             "similarity": m.similarity, "substance": m.substance, "diff": m.diff,
             "provisions": provisions.for_match(m) if provisions is not None and m.old else None}
            for m in matches]
