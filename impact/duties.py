"""Departments, posts, staff and duties in the registry: importing, revising, listing.

A duty (职权事项) keeps every version: an edited row of a power list, or a basis revised by
a legal officer, makes a new row with ``version + 1`` under the same ``duty_key``; the old
row stays with ``is_current = 0`` and ``superseded_at``. Each version's legal bases are
parsed into ``citations`` (``diffing.cite``) and resolved against the registry.

Every import runs in one transaction, writes nothing when nothing changed, and leaves one
``audit`` row when it did.

>>> from registry.schema import connect
>>> db = connect(":memory:")
>>> dept, created = ensure_department(db, "江门市生态环境局")
>>> ensure_department(db, " 江门市生态环境局 ") == (dept, False)
True
>>> duty_key(dept, code="330275012000", name="对某行为的处罚")
'1:code:330275012000'
"""

from __future__ import annotations

import collections
import hashlib
import json
import logging
import pathlib
from dataclasses import dataclass, field

import sqlite_utils

from config.actor import actor
from config.clock import stamp as clock_stamp
from config.clock import today
from diffing.cite import find
from impact import resolve
from impact import workers as worker_pool
from impact import process as _process  # a module: impact.process → proposals → duties → process is a cycle
from registry import audit
from registry import citations as citation_store
from registry import duties as duty_store
from registry import flags as flag_rows
from registry.fit import older_fit
from registry.schema import connect, file_of
from registry.audit import write_audit
from registry.duties import UNIT_SEPARATOR, Duty
from texts import powerlist
from texts.powerlist import Problem, one_line, text

log = logging.getLogger(__name__)

SUB_SEPARATOR = "："       # 主项：子项 — how a 子项 is written into the duty name
CONTENT_FIELDS = ("code", "name", "kind", "department_id", "post_id", "level", "note",
                  "basis_text", "penalty_basis_text")
CITATION_FIELDS = {"basis": "basis_text", "penalty_basis": "penalty_basis_text"}


class DutyError(ValueError):
    """A request about duties that cannot be carried out; the message is Chinese."""


# --------------------------------------------------------------------------- small helpers


def _actor(by: str | None) -> str:
    return actor(by)


def post_name(unit: str | None, post: str | None) -> str | None:
    """The post a row names: 执法岗位, inside its 承办机构 when both are given.

    >>> post_name("法制科", "审核岗"), post_name("法制科", None), post_name(None, "执法岗"), post_name("", "")
    ('法制科/审核岗', '法制科', '执法岗', None)
    """
    unit, post = one_line(unit), one_line(post)
    if unit and post and not post.startswith(unit):
        return f"{unit}{UNIT_SEPARATOR}{post}"
    return post or unit or None


def duty_key(department_id: int, *, code: str | None, name: str, sub: str | None = None) -> str:
    """The identity of a duty across its versions: department + 职权编码 (+ 子项), else department + name.

    ``name`` already includes the 子项 when there is one.
    """
    if code:
        return f"{department_id}:code:{code}" + (f":{sub}" if sub else "")
    return f"{department_id}:name:{name}"


def _content_json(content: dict) -> str:
    return json.dumps([content.get(k) for k in CONTENT_FIELDS], ensure_ascii=False)


def _imported(value: str | None) -> dict | None:
    """The power-list row a duty version was imported from, as a content dict (None: made in yiju)."""
    if not value:
        return None
    return dict(zip(CONTENT_FIELDS, json.loads(value)))


def _content_sha(content: dict) -> str:
    payload = json.dumps([content.get(k) for k in CONTENT_FIELDS], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- departments and posts


def find_department(db, name: str) -> dict | None:
    return duty_store.find_department(db, one_line(name))


def ensure_department(db, name: str) -> tuple[int, bool]:
    """(id, created) of the department called ``name`` (spaces around it ignored)."""
    name = one_line(name)
    if not name:
        raise DutyError("部门名称不能为空")
    return duty_store.ensure_department(db, name)


# --------------------------------------------------------------------------- citations


def _cite_modules():
    """diffing.cite.find and impact.resolve."""
    return find, resolve


def _get(obj, name, default=None):
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def parse_citations(db, basis_text: str | None, penalty_basis_text: str | None, *,
                    as_of: str | None = None, as_of_for=None) -> list[dict]:
    """Citation rows (without duty_id) for the two basis texts of a duty version.

    Each basis column is parsed with ``diffing.cite.find.parse_basis`` and resolved with
    ``resolve_all`` as of ``as_of`` (the date the basis was written; None: the text in force).
    A column that names laws but no article at all (根据《行政处罚法》的规定) gets one
    whole-law row per law (``article`` NULL), so a repeal still reaches the duty.
    ``as_of_for(field, ordinal)`` may give a date per citation (re-resolution keeps the version
    a citation was written against).
    """
    find, resolve = _cite_modules()
    rows: list[dict] = []
    for fld, body in (("basis", basis_text), ("penalty_basis", penalty_basis_text)):
        if not body or not body.strip():
            continue
        parsed = find.parse_basis(body)
        if parsed.citations:
            if as_of_for is None:
                resolutions = resolve.resolve_all(db, parsed, as_of=as_of)
            else:
                resolver = resolve.resolver_for(db)
                resolutions = [resolver.resolve(c, as_of_for(fld, i) or as_of)
                               for i, c in enumerate(parsed.citations)]
            for ordinal, (citation, resolution) in enumerate(zip(parsed.citations, resolutions)):
                rows.append(_citation_row(fld, ordinal, body, citation, resolution))
        else:
            seen: set[str] = set()
            for mention in parsed.mentions:
                name = mention.law or mention.written
                if name in seen:
                    continue
                seen.add(name)
                rows.append(_whole_law_row(db, resolve, fld, len(seen) - 1, body, mention, as_of))
    return rows


def _whole_law_row(db, resolve, fld: str, ordinal: int, body: str, mention, as_of: str | None) -> dict:
    resolver = resolve.resolver_for(db)
    law, problem = resolver.find_law(mention)
    row = {"field": fld, "ordinal": ordinal, "raw": body[mention.span[0]:mention.span[1]],
           "law_title": law["title"] if law else mention.law, "written": mention.written,
           "version_note": mention.version_note, "law_id": law["id"] if law else None, "version_id": None,
           "article": None, "article_number": None, "article_suffix": None, "paragraph": None, "item": None,
           "sub_item": None, "span": json.dumps(list(mention.span)), "resolution": "unresolved",
           "current_label": None, "problem": problem}
    if law is None:
        return row
    version, note_problem = resolver.written_version(law["id"], mention.version_note, as_of)
    row["version_id"] = version["id"] if version else None
    problems = [p for p in (problem, note_problem) if p]
    if law["status"] == "已废止":
        row["resolution"] = "stale"
        successor = resolver.laws.get(law["successor_id"]) if law["successor_id"] else None
        problems.append(f"《{law['title']}》已废止" + (f"，由《{successor['title']}》取代" if successor else ""))
    else:
        row["resolution"] = "resolved"
    row["problem"] = "；".join(problems) or None
    return row


def _citation_row(fld: str, ordinal: int, body: str, citation, resolution) -> dict:
    span = _get(citation, "span")
    return {
        "field": fld,
        "ordinal": ordinal,
        "raw": body[span[0]:span[1]] if span else "",
        "law_title": _get(resolution, "law_title") or _get(citation, "law") or _get(citation, "written"),
        "written": _get(citation, "written"),
        "version_note": _get(citation, "version_note"),
        "law_id": _get(resolution, "law_id"),
        "version_id": _get(resolution, "version_id"),
        "article": _get(citation, "article"),
        "article_number": _get(citation, "article_number"),
        "article_suffix": _get(citation, "article_suffix"),
        "paragraph": _get(citation, "paragraph"),
        "item": _get(citation, "item"),
        "sub_item": _get(citation, "sub_item"),
        "span": json.dumps(list(span)) if span else None,
        "resolution": _get(resolution, "resolution") or "unresolved",
        "current_label": _get(resolution, "current_label"),
        "problem": _get(resolution, "problem"),
    }


# --------------------------------------------------------------------------- duty versions


def _write_version(db, content: dict, *, key: str, version: int, previous_id: int | None, stamp: str,
                   actor: str, source_file: str | None, source_row: str | None, as_of: str | None,
                   imported: dict | None = None) -> tuple[int, int]:
    """Insert one duty version (superseding ``previous_id``); returns (new id, citations written).

    ``imported``: the power-list row's content when the version comes from an import.
    """
    duty_id = _insert_version(db, content, key=key, version=version, previous_id=previous_id, stamp=stamp,
                              actor=actor, source_file=source_file, source_row=source_row, imported=imported)
    citations = parse_citations(db, content.get("basis_text"), content.get("penalty_basis_text"), as_of=as_of)
    citation_store.insert_citations(db, duty_id, citations)
    return duty_id, len(citations)


def _insert_version(db, content: dict, *, key: str, version: int, previous_id: int | None, stamp: str,
                    actor: str, source_file: str | None, source_row: str | None, imported: dict | None) -> int:
    row = {**content, "duty_key": key, "version": version, "is_current": 1,
           "content_sha256": _content_sha(content), "source_file": source_file, "source_row": source_row,
           "created_at": stamp, "created_by": actor,
           "imported_content": _content_json(imported) if imported is not None else None}
    return duty_store.insert_duty(db, row, supersedes=previous_id)


#: Rows from which an import parses and resolves their bases in worker processes.
PARALLEL_FROM = 2000
_CHUNK = 500
_WORKER_DB = None


def citations_of(db, bases: list[tuple[str | None, str | None]], *, as_of: str | None = None,
                 workers: int | None = None):
    """``parse_citations`` of each (basis, penalty basis) pair, in order (a generator). Many pairs
    of a registry kept in a file are parsed and resolved in ``workers`` processes, each reading the
    registry (what they read — laws, versions, articles — does not change during a duties import),
    a chunk at a time and only a few chunks ahead of the writer."""
    workers = worker_pool.count(workers)
    path = file_of(db)
    chunks = [bases[i:i + _CHUNK] for i in range(0, len(bases), _CHUNK)]
    if workers <= 1 or len(bases) < PARALLEL_FROM or not path:
        for chunk in chunks:
            done = {pair: parse_citations(db, *pair, as_of=as_of) for pair in dict.fromkeys(chunk)}
            yield from (done[pair] for pair in chunk)
        return
    with worker_pool.pool(workers, initializer=_open_registry, initargs=(path,)) as pool:
        for chunk, rows in zip(chunks, worker_pool.bounded_map(pool, _cite_chunk,
                                                               ((c, as_of) for c in chunks), ahead=workers * 4)):
            yield from rows


def _open_registry(path: str) -> None:
    global _WORKER_DB
    _WORKER_DB = connect(path, migrate=False)


def _cite_chunk(pairs: list[tuple[str | None, str | None]], as_of: str | None) -> list[list[dict]]:
    done = {pair: parse_citations(_WORKER_DB, *pair, as_of=as_of) for pair in dict.fromkeys(pairs)}
    return [done[pair] for pair in pairs]


def get_duty(db, duty_id: int) -> Duty:
    duty = duty_store.get_duty(db, duty_id)
    if duty is None:
        raise DutyError(f"没有编号为 {duty_id} 的职权")
    return duty


def current_version(db, duty_id: int) -> Duty:
    """The current version of the duty that ``duty_id`` is a version of."""
    duty = get_duty(db, duty_id)
    if duty["is_current"]:
        return duty
    current = duty_store.current_of_key(db, duty["duty_key"])
    if current is None:
        raise DutyError(f"职权 {duty_id}（{duty['name']}）已没有现行版本")
    return current


def history(db, duty_id: int) -> list[Duty]:
    """Every version of the duty, oldest first."""
    return duty_store.versions_of_key(db, get_duty(db, duty_id)["duty_key"])


def revise_duty(db, duty_id: int, *, basis_text: str | None = None, penalty_basis_text: str | None = None,
                by: str | None = None, note: str | None = None) -> int:
    """Give a duty a new version with revised basis texts; returns the new version's id.

    ``None`` keeps a text as it is. The new version's citations are parsed and resolved
    as of today. Revising to the texts it already has changes nothing and returns the
    current id. ``duty_id`` may be any version: the current one is revised.
    """
    actor = _actor(by)
    with db.atomic():
        current = current_version(db, duty_id)
        content = {k: current[k] for k in CONTENT_FIELDS}
        if basis_text is not None:
            content["basis_text"] = basis_text.strip()
        if penalty_basis_text is not None:
            content["penalty_basis_text"] = penalty_basis_text.strip() or None
        if not (content["basis_text"] or content["penalty_basis_text"]):
            raise DutyError(f"职权 {current['id']}（{current['name']}）的依据不能为空")
        if _content_sha(content) == current["content_sha256"]:
            return current["id"]
        stamp = clock_stamp()
        new_id, _ = _write_version(db, content, key=current["duty_key"], version=current["version"] + 1,
                                   previous_id=current["id"], stamp=stamp, actor=actor,
                                   source_file=current["source_file"], source_row=current["source_row"],
                                   as_of=today())
        detail = {"duty_key": current["duty_key"], "from": current["id"], "to": new_id,
                  "version": current["version"] + 1}
        for k in ("basis_text", "penalty_basis_text"):
            if content[k] != current[k]:
                detail[k] = {"old": current[k], "new": content[k]}
        if note:
            detail["note"] = note
        write_audit(db, actor=actor, action="duty.revise", obj=f"duty:{new_id}", detail=detail)
    return new_id


# --------------------------------------------------------------------------- importing a power list


@dataclass
class ImportReport:
    """What an import did; ``lines()`` is what the user reads."""

    file: str
    sheets: list[str] = field(default_factory=list)
    passed_over: list[str] = field(default_factory=list)
    created: int = 0
    revised: int = 0
    unchanged: int = 0
    departments_created: list[str] = field(default_factory=list)
    posts_created: int = 0
    citations: int = 0
    kept: int = 0                       # rows unchanged in the file whose duty was changed in yiju since
    retired: list[str] = field(default_factory=list)     # duties that left the list (职权已取消)
    flags_closed: int = 0               # their open flags, closed
    retire_skipped: str = ""            # why rows that left the list were not retired
    older_fit: list[dict] = field(default_factory=list)  # laws the bases fit an older version of
    problems: list[Problem] = field(default_factory=list)
    impact: dict | None = None

    @property
    def changed(self) -> bool:
        return bool(self.created or self.revised or self.departments_created or self.posts_created
                    or self.retired)

    def lines(self) -> list[str]:
        if not self.changed:
            head = f"{self.file}：无变化（现行职权 {self.unchanged} 项）"
        else:
            head = (f"{self.file}：新增职权 {self.created} 项，产生新版本 {self.revised} 项，"
                    f"无变化 {self.unchanged} 项；解析依据引用 {self.citations} 条")
        out = [head]
        if self.kept:
            out.append(f"{self.kept} 项职权在文件中与上次导入相同，保留在 yiju 中此后所作的修改（如解决提示时修改的依据）")
        if self.retired:
            shown = "、".join(self.retired[:10]) + ("等" if len(self.retired) > 10 else "")
            out.append(f"职权已取消 {len(self.retired)} 项（上次导入时在清单中，本次已不在）：{shown}；"
                       f"关闭其待处理提示 {self.flags_closed} 个")
        if self.retire_skipped:
            out.append(self.retire_skipped)
        for fit in self.older_fit:
            out.append(f"注意：清单中引用《{fit['title']}》的 {fit['citations']} 处依据与 {fit['version_date']} 公布的旧版本"
                       f"更吻合，而不是现行版本；清单可能是在旧版本施行时编制的。未加 --as-of 时按现行版本核对，"
                       f"旧条号可能被误认为有效。建议加 --as-of {fit['until'] or fit['version_date']} 重新导入"
                       f"（清单编制日期）")
        if self.departments_created:
            out.append(f"新建部门 {len(self.departments_created)} 个：{'、'.join(self.departments_created)}")
        if self.posts_created:
            out.append(f"新建岗位 {self.posts_created} 个")
        if self.passed_over:
            out.append(f"未找到表头、未读取的工作表：{'、'.join(self.passed_over)}")
        if self.problems:
            out.append(f"跳过 {len(self.problems)} 行（原因见上）")
        return out

    def to_json(self) -> dict:
        return {"file": self.file, "sheets": self.sheets, "passed_over": self.passed_over,
                "created": self.created, "revised": self.revised, "unchanged": self.unchanged,
                "departments_created": self.departments_created, "posts_created": self.posts_created,
                "citations": self.citations, "kept": self.kept, "retired": self.retired,
                "flags_closed": self.flags_closed, "older_fit": self.older_fit,
                "skipped": [str(p) for p in self.problems], "impact": self.impact}


_Where = collections.namedtuple("_Where", "file sheet row where")   # the place of a row in its file


@dataclass
class _Row:
    record: powerlist.Record | _Where
    department: str
    post: str | None
    content: dict            # CONTENT_FIELDS except department_id, post_id
    sub: str | None


def _row_from_record(rec: powerlist.Record, department: str | None) -> _Row | str:
    """A duty from one record, or the reason (Chinese) why the row cannot be imported."""
    v = rec.values
    name = one_line(v.get("name"))
    conduct = text(v.get("conduct"))
    if not name and conduct:
        name, conduct = one_line(conduct), ""
    if not name:
        return "缺少事项名称"
    sub = one_line(v.get("sub_name")) or None
    if sub == name:
        sub = None
    full_name = f"{name}{SUB_SEPARATOR}{sub}" if sub else name
    basis, penalty = text(v.get("basis")), text(v.get("penalty_basis"))
    if not (basis or penalty):
        return "缺少实施依据"
    raw_kind = one_line(v.get("kind"))
    if raw_kind:
        kind = powerlist.normalize_kind(raw_kind)
        if kind is None:
            known = "、".join(list(powerlist.vocabulary()["kinds"])[:10])
            return f"职权类型「{raw_kind}」不在职权类型表中（可用：{known} 等）"
    else:
        kind = powerlist.normalize_kind(one_line(v.get("kind_generic"))) or rec.section_kind
    dept = one_line(v.get("department")) or one_line(department)
    if not dept:
        return "缺少实施主体，请用 --department 指定"
    note = text(v.get("note"))
    if conduct:
        note = f"违法行为：{conduct}" + (f"\n{note}" if note else "")
    code = "".join(text(v.get("code")).split()) or None
    content = {"code": code, "name": full_name, "kind": kind, "level": one_line(v.get("level")) or None,
               "note": note or None, "basis_text": basis, "penalty_basis_text": penalty or None}
    return _Row(rec, dept, post_name(text(v.get("unit")), text(v.get("post"))), content, sub)


def import_duties(db, path: str | pathlib.Path, *, department: str | None = None, as_of: str | None = None,
                  by: str | None = None, impact: bool = True, workers: int | None = None) -> ImportReport:
    """Import a power list (.xlsx/.csv) into the registry; see the module docstring.

    ``department`` is used for rows without 实施主体; ``as_of`` (YYYY-MM-DD, the date the list
    was drawn up) is the date its citations are resolved at. A large list's bases are parsed and
    resolved in ``workers`` processes (default: one a core); this process writes. Raises
    powerlist.TableError when the file cannot be read at all.
    """
    path = pathlib.Path(path)
    reading = powerlist.read(path, "powerlist")
    report = ImportReport(file=reading.file, sheets=reading.sheets, passed_over=reading.passed_over,
                          problems=list(reading.problems))
    rows: list[_Row] = []
    records, reading.records = reading.records, []
    for i, rec in enumerate(records):
        built = _row_from_record(rec, department)
        if isinstance(built, str):
            report.problems.append(Problem(rec.file, rec.sheet, rec.row, built))
        else:
            # only where the row is kept, not all its cells: a province's list is a million rows
            built.record = _Where(rec.file, rec.sheet, rec.row, rec.where)
            rows.append(built)
        records[i] = None
    del records
    actor = _actor(by)
    stamp = clock_stamp()
    with db.atomic():
        departments: dict[str, int] = {}
        posts: dict[tuple[int, str], int] = {}
        planned: dict[str, tuple[dict, _Row]] = {}
        for row in rows:
            if row.department not in departments:
                departments[row.department], created = ensure_department(db, row.department)
                if created:
                    report.departments_created.append(row.department)
            dept_id = departments[row.department]
            post_id = None
            if row.post:
                if (dept_id, row.post) not in posts:
                    posts[(dept_id, row.post)], created = duty_store.ensure_post(db, dept_id, row.post)
                    report.posts_created += created
                post_id = posts[(dept_id, row.post)]
            content = row.content
            content.update(department_id=dept_id, post_id=post_id)
            key = duty_key(dept_id, code=content["code"], name=content["name"], sub=row.sub)
            if key in planned:
                earlier_content, earlier = planned[key]
                if _content_sha(earlier_content) != _content_sha(content):
                    same = f"职权编码 {content['code']}" if content["code"] else "事项名称"
                    report.problems.append(Problem(row.record.file, row.record.sheet, row.record.row,
                                                   f"与{earlier.record.where}的{same}相同但内容不同"))
                continue
            planned[key] = (content, row)
        latest = duty_store.latest_of_keys(db, list(planned))
        last_imported = {k: _imported(v) for k, v in duty_store.last_imported_of_keys(db, list(planned)).items()}
        writes: list[tuple] = []            # (key, merged content, version, previous id, row, imported content)
        current_ids: list[int] = []         # the duties of the list as they stand after the import
        for key, (content, row) in planned.items():
            previous = latest.get(key)
            base = last_imported.get(key)
            if previous and previous["is_current"]:
                current = {k: previous[k] for k in CONTENT_FIELDS}
                if base is not None and _content_sha(base) == _content_sha(content):
                    # The row is as it was last imported: what yiju changed since stands.
                    report.unchanged += 1
                    report.kept += previous["content_sha256"] != _content_sha(content)
                    current_ids.append(previous["id"])
                    continue
                # Three-way: a field the file did not change keeps yiju's value, a changed one wins.
                merged = {k: (current[k] if base is not None and content[k] == base[k] else content[k])
                          for k in CONTENT_FIELDS}
                if _content_sha(merged) == previous["content_sha256"]:
                    report.unchanged += 1
                    current_ids.append(previous["id"])
                    continue
            else:
                merged = content
            version = previous["version"] + 1 if previous else 1
            previous_id = previous["id"] if previous and previous["is_current"] else None
            writes.append((key, merged, version, previous_id, row, content))
        cited = citations_of(db, [(w[1].get("basis_text"), w[1].get("penalty_basis_text")) for w in writes],
                             as_of=as_of, workers=workers)
        for (key, merged, version, previous_id, row, content), citations in zip(writes, cited, strict=True):
            rec = row.record
            source_row = powerlist.where("", rec.sheet, rec.row).strip()
            duty_id = _insert_version(db, merged, key=key, version=version, previous_id=previous_id, stamp=stamp,
                                      actor=actor, source_file=rec.file, source_row=source_row, imported=content)
            citation_store.insert_citations(db, duty_id, citations)
            current_ids.append(duty_id)
            report.citations += len(citations)
            if previous_id is None and version == 1:
                report.created += 1
            else:
                report.revised += 1
        _retire_gone(db, report, reading.file, set(planned), set(departments.values()), actor, stamp)
        if report.changed:
            write_audit(db, actor=actor, action="duties.import", obj=reading.file, at=stamp, detail={
                "created": report.created, "revised": report.revised, "unchanged": report.unchanged,
                "departments_created": report.departments_created, "posts_created": report.posts_created,
                "retired": report.retired, "flags_closed": report.flags_closed,
                "skipped": len(report.problems), "department": department, "as_of": as_of})
    report.problems.sort(key=lambda p: (reading.sheets.index(p.sheet) if p.sheet in reading.sheets else 0,
                                        p.row or 0))
    if as_of is None and current_ids:
        report.older_fit = older_fit(db, current_ids)
    if impact:
        report.impact = run_impact(db)
    return report


def _retire_gone(db, report: ImportReport, file: str, keys: set[str], department_ids: set[int],
                 actor: str, stamp: str) -> None:
    """Duties last imported from this list, of a department the file covers, that left the list:
    retired (职权已取消), their open flags closed. Nothing is retired when rows were skipped (a row
    that could not be read has not left the list)."""
    if not department_ids:
        return
    gone = [r for r in duty_store.current_from_file(db, file, department_ids) if r["duty_key"] not in keys]
    if not gone:
        return
    if report.problems:
        report.retire_skipped = (f"有 {len(report.problems)} 行未能导入，本次不取消任何职权"
                                 f"（另有 {len(gone)} 项职权不在本次导入的行中，修正后重新导入即可）")
        return
    note = f"职权已取消：{file} 中已无此项（{stamp[:10]} 导入）"
    for r in gone:
        duty_store.retire(db, r["id"], stamp)
        closed = flag_rows.close_active_of_key(db, r["duty_key"], "dismissed", by=actor, note=note, at=stamp)
        report.flags_closed += closed
        report.retired.append(r["name"])
        write_audit(db, actor=actor, action="duty.retire", obj=f"duty:{r['id']}", at=stamp,
                    detail={"duty_key": r["duty_key"], "file": file, "flags_closed": closed})


def run_impact(db) -> dict:
    """Flag duties for law changes not yet processed, and check the duties just imported."""
    return _process.run_impact(db)


# --------------------------------------------------------------------------- re-resolving


def reresolve_citations(db, law_ids: list[int] | None = None) -> int:
    """Resolve again the citations of current duties (after new laws or versions arrived).

    With ``law_ids``, only duties citing those laws or having unresolved citations are
    looked at. A citation keeps the version it was written against when it had one; rows are
    updated in place (flags point at them). Returns how many rows changed.
    """
    if law_ids is None:
        duty_ids = duty_store.current_ids(db)
    else:
        duty_ids = citation_store.duties_citing(db, law_ids)
    changed = 0
    with db.atomic():
        for duty_id in duty_ids:
            changed += _reresolve_duty(db, duty_id)
    return changed


def basis_date(db, duty: dict) -> str | None:
    """The date a duty version's basis was written, as far as the registry knows.

    A revision (``revise_duty``) is written on its day; an import on its ``--as-of`` date, when
    one was given; otherwise None (the texts in force are what the basis is read against).
    """
    if audit.find(db, "duty.revise", f"duty:{duty['id']}"):
        return duty["created_at"][:10]
    imported = audit.find(db, "duties.import", duty["source_file"], at=duty["created_at"])
    return imported["detail"].get("as_of") if imported else None


def _reresolve_duty(db, duty_id: int) -> int:
    duty = get_duty(db, duty_id)
    stored = {(r["field"], r["ordinal"]): r for r in citation_store.of_duty_with_dates(db, duty_id)}

    def written_on(fld: str, ordinal: int) -> str | None:
        old = stored.get((fld, ordinal))
        if old and old["version_id"] is not None:
            return old["v_effective"] or old["v_promulgated"]
        return None

    fresh = parse_citations(db, duty["basis_text"], duty["penalty_basis_text"], as_of=basis_date(db, duty),
                            as_of_for=written_on)
    changed = 0
    for row in fresh:
        old = stored.pop((row["field"], row["ordinal"]), None)
        if old is None:
            citation_store.insert_citations(db, duty_id, [row])
            changed += 1
            continue
        diff = {k: v for k, v in row.items() if old.get(k) != v}
        if diff:
            citation_store.update_citation(db, old["id"], diff)
            changed += 1
    for old in stored.values():  # the parser no longer finds these: drop them unless a flag points at them
        if citation_store.delete_unless_flagged(db, old["id"]):
            changed += 1
    return changed


# --------------------------------------------------------------------------- departments and staff files


@dataclass
class TableReport:
    """What a departments or staff import did."""

    file: str
    what: str                       # 部门 / 人员
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    details: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def lines(self) -> list[str]:
        if not self.changed:
            out = [f"{self.file}：无变化（{self.what} {self.unchanged} 条）"]
        else:
            out = [f"{self.file}：新增{self.what} {self.created} 条，更新 {self.updated} 条，无变化 {self.unchanged} 条"]
        out.extend(self.details)
        if self.problems:
            out.append(f"跳过 {len(self.problems)} 行（原因见上）")
        return out

    def to_json(self) -> dict:
        return {"file": self.file, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "details": self.details, "skipped": [str(p) for p in self.problems]}


def import_departments(db, path: str | pathlib.Path, *, by: str | None = None) -> TableReport:
    """Import departments (部门, 上级部门, 联系邮箱) from .xlsx/.csv.

    The file is the truth for the columns it has: 联系邮箱 replaces the stored addresses,
    上级部门 replaces the parent. A parent must be in the file or already in the registry.
    """
    reading = powerlist.read(path, "departments")
    report = TableReport(file=reading.file, what="部门", problems=list(reading.problems))
    wanted: dict[str, dict] = {}
    for rec in reading.records:
        name = one_line(rec.values.get("department"))
        if not name:
            report.problems.append(Problem(rec.file, rec.sheet, rec.row, "缺少部门名称"))
            continue
        entry: dict = {"record": rec}
        if "emails" in rec.columns:
            try:
                entry["emails"] = powerlist.parse_emails(rec.values.get("emails"))
            except ValueError as exc:
                report.problems.append(Problem(rec.file, rec.sheet, rec.row, f"联系邮箱{exc}"))
                continue
        if "parent" in rec.columns:
            parent = one_line(rec.values.get("parent")) or None
            if parent == name:
                report.problems.append(Problem(rec.file, rec.sheet, rec.row, "上级部门不能是本部门"))
                continue
            entry["parent"] = parent
        if name in wanted:
            earlier = wanted[name]
            if {k: v for k, v in earlier.items() if k != "record"} != {k: v for k, v in entry.items() if k != "record"}:
                report.problems.append(Problem(rec.file, rec.sheet, rec.row,
                                               f"部门「{name}」与{earlier['record'].where}重复但内容不同"))
            continue
        wanted[name] = entry
    actor = _actor(by)
    with db.atomic():
        known = {r["name"]: r for r in duty_store.all_departments(db)}
        # A parent neither in the file nor in the registry (市人民政府 above a city bureau) is
        # created, with no contact address, and the import says so.
        missing = {e["parent"]: e["record"] for e in wanted.values()
                   if e.get("parent") and e["parent"] not in wanted and e["parent"] not in known}
        ids: dict[str, int] = {name: known[name]["id"] for name in known}
        for parent, rec in missing.items():
            ids[parent], _ = ensure_department(db, parent)
            known[parent] = {"id": ids[parent], "name": parent, "parent_id": None, "emails": "[]"}
            report.created += 1
            report.details.append(f"新增上级部门：{parent}（{rec.where}所列，文件中没有这一行，已自动创建，"
                                  "没有联系邮箱）")
        created_names: set[str] = set()
        for name in wanted:
            ids[name], created = ensure_department(db, name)
            if created:
                created_names.add(name)
                report.created += 1
                report.details.append(f"新增部门：{name}")
                known[name] = {"id": ids[name], "name": name, "parent_id": None, "emails": "[]"}
        parents = {r["id"]: r["parent_id"] for r in duty_store.all_departments(db)}
        for name, entry in wanted.items():
            rec, dept_id, current = entry["record"], ids[name], known[name]
            changes: dict = {}
            if "emails" in entry and json.loads(current["emails"] or "[]") != entry["emails"]:
                changes["emails"] = json.dumps(entry["emails"], ensure_ascii=False)
            if "parent" in entry:
                parent_id = ids[entry["parent"]] if entry["parent"] else None
                if parent_id != parents.get(dept_id):
                    if parent_id is not None and _would_cycle(parents, dept_id, parent_id):
                        report.problems.append(Problem(rec.file, rec.sheet, rec.row,
                                                       f"上级部门「{entry['parent']}」会形成循环隶属关系"))
                    else:
                        changes["parent_id"] = parent_id
                        parents[dept_id] = parent_id
            if changes:
                duty_store.update_department(db, dept_id, changes)
                if name not in created_names:
                    report.updated += 1
                    report.details.append(f"更新部门：{name}（{'、'.join(_CHANGED[k] for k in changes)}）")
            elif name not in created_names:
                report.unchanged += 1
        if report.changed:
            write_audit(db, actor=actor, action="departments.import", obj=reading.file,
                        detail={"created": report.created, "updated": report.updated, "skipped": len(report.problems)})
    report.problems.sort(key=lambda p: (p.sheet or "", p.row or 0))
    return report


_CHANGED = {"emails": "联系邮箱", "parent_id": "上级部门"}


def _would_cycle(parents: dict[int, int | None], child: int, parent: int) -> bool:
    seen = {child}
    node: int | None = parent
    while node is not None:
        if node in seen:
            return True
        seen.add(node)
        node = parents.get(node)
    return False


def import_staff(db, path: str | pathlib.Path, *, by: str | None = None) -> TableReport:
    """Import who holds which post since when (姓名, 邮箱, 部门, 岗位, 任职起, 任职止).

    The department must already be in the registry; the post is created when new. An
    assignment is identified by person, post and 任职起; a later file may add its 任职止.
    """
    reading = powerlist.read(path, "staff")
    report = TableReport(file=reading.file, what="任职记录", problems=list(reading.problems))
    actor = _actor(by)
    with db.atomic():
        departments = {r["name"]: r["id"] for r in duty_store.all_departments(db)}
        seen: dict[tuple, powerlist.Record] = {}
        for rec in reading.records:
            reason = _staff_row(db, rec, departments, seen, report)
            if reason:
                report.problems.append(Problem(rec.file, rec.sheet, rec.row, reason))
        if report.changed:
            write_audit(db, actor=actor, action="staff.import", obj=reading.file,
                        detail={"created": report.created, "updated": report.updated, "skipped": len(report.problems)})
    return report


def _staff_row(db, rec: powerlist.Record, departments: dict[str, int], seen: dict, report: TableReport) -> str | None:
    v = rec.values
    name = one_line(v.get("name"))
    if not name:
        return "缺少姓名"
    raw_email = text(v.get("email"))
    if not raw_email:
        return "缺少邮箱"
    try:
        emails = powerlist.parse_emails(raw_email)
    except ValueError as exc:
        return f"邮箱{exc}"
    if len(emails) != 1:
        return "邮箱一栏只能填写一个地址"
    dept = one_line(v.get("department"))
    if not dept:
        return "缺少部门"
    if dept not in departments:
        return f"部门「{dept}」不在登记库中（请先用 yiju departments import 或 yiju duties import 导入）"
    post = post_name(text(v.get("unit")), text(v.get("post")))
    if not post:
        return "缺少岗位"
    try:
        start = powerlist.parse_date(v.get("start"))
        end = powerlist.parse_date(v.get("end"))
    except ValueError as exc:
        return f"任职日期{exc}"
    if start and end and end < start:
        return f"任职止（{end}）早于任职起（{start}）"
    key = (name, emails[0], dept, post, start)
    if key in seen:
        return f"与{seen[key].where}重复"
    seen[key] = rec
    email = emails[0]
    staff_id = duty_store.ensure_staff(db, name, email)
    post_id, post_created = duty_store.ensure_post(db, departments[dept], post)
    if post_created:
        report.details.append(f"新增岗位：{dept} {post}")
    outcome = duty_store.set_assignment(db, staff_id, post_id, start, end)
    setattr(report, outcome, getattr(report, outcome) + 1)
    return None


# --------------------------------------------------------------------------- listing


_LISTED_CITATION_KEYS = ("id", "field", "ordinal", "raw", "law_title", "law_id", "version_id", "article",
                         "paragraph", "item", "sub_item", "resolution", "current_label", "problem")


def list_duties(db, department: str | None = None) -> list[dict]:
    """Current duties by department, each with its citations, and a summary per department.

    [{"department": "…", "summary": {"duties", "citations", "resolved", "stale", "unresolved"},
      "duties": [{… , "citations": [{…}]}]}]. Raises DutyError for an unknown department.
    """
    dept_id = None
    if department:
        dept = find_department(db, department)
        if dept is None:
            names = duty_store.department_names(db)
            raise DutyError(f"没有名为「{one_line(department)}」的部门（已登记：{'、'.join(names) or '无'}）")
        dept_id = dept["id"]
    duties = duty_store.current_with_department(db, dept_id)
    citations: dict[int, list[dict]] = {}
    for r in citation_store.of_current_duties(db, dept_id):
        citations.setdefault(r["duty_id"], []).append({k: r[k] for k in _LISTED_CITATION_KEYS})
    out: dict[int, dict] = {}
    if department:
        out[dept["id"]] = {"department": dept["name"], "summary": {}, "duties": []}
    for d in duties:
        group = out.setdefault(d["department_id"], {"department": d["department"], "summary": {}, "duties": []})
        d["citations"] = citations.get(d["id"], [])
        group["duties"].append(d)
    for group in out.values():
        cites = [c for d in group["duties"] for c in d["citations"]]
        group["summary"] = {
            "duties": len(group["duties"]),
            "citations": len(cites),
            "resolved": sum(c["resolution"] == "resolved" for c in cites),
            "stale": sum(c["resolution"] == "stale" for c in cites),
            "unresolved": sum(c["resolution"] == "unresolved" for c in cites),
            "without_citations": sum(not d["citations"] for d in group["duties"]),
        }
    return list(out.values())
