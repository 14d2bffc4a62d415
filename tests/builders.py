"""A small builder for impact, flag and report tests: rows written straight into a registry.

The real pipeline (record_version, duties import) is exercised by test_impact_scenario.py;
here each test states exactly which versions, article changes and citations exist.
"""

from __future__ import annotations

import hashlib
import itertools
import json

from config.clock import now
from diffing.align import ALIGNMENT
from impact import duties as duty_store

_counter = itertools.count(1)


class Builder:
    def __init__(self, db):
        self.db = db

    def law(self, title: str, status: str = "有效", successor_id: int | None = None) -> int:
        stamp = now()
        return self.db["laws"].insert({"title": title, "status": status, "successor_id": successor_id,
                                       "aliases": "[]", "created_at": stamp, "updated_at": stamp}).last_pk

    def version(self, law_id: int, promulgated: str, articles: dict[str, str], *, effective: str | None = None) -> int:
        version_id = self.db["versions"].insert({
            "law_id": law_id, "source": "test", "title": "t", "promulgated": promulgated, "effective": effective,
            "text": "\n".join(f"{k}　{v}" for k, v in articles.items()), "fetched_at": now(),
        }).last_pk
        for ordinal, (label, text) in enumerate(articles.items()):
            from texts.numerals import parse_article_label

            number, suffix = parse_article_label(label)
            self.db["articles"].insert({"version_id": version_id, "label": label, "number": number,
                                        "suffix": suffix, "ordinal": ordinal, "text": text})
        return version_id

    def change(self, law_id: int, kind: str, old: int | None, new: int | None, *, effective: str | None = None,
               published: str | None = None, articles=(), detail: dict | None = None,
               detected_at: str | None = None, alignment: int | None = ALIGNMENT) -> int:
        """A change with its article changes as the current alignment would store them
        (``alignment=None``: as a release before alignment generations stored it)."""
        change_id = self.db["changes"].insert({
            "law_id": law_id, "kind": kind, "old_version_id": old, "new_version_id": new,
            "published": published, "effective": effective, "summary": "{}", "detail": json.dumps(detail or {}),
            "detected_at": detected_at or now(), "dedupe_key": f"test:{next(_counter)}",
            "alignment": alignment if kind in ("amended", "text_corrected", "renamed") else None,
        }).last_pk
        for ordinal, a in enumerate(articles):
            status, olds, news = a[0], a[1], a[2]
            substance = a[3] if len(a) > 3 else None
            diff = a[4] if len(a) > 4 else None
            self.db["article_changes"].insert({
                "change_id": change_id, "ordinal": ordinal, "status": status,
                "old_labels": json.dumps(olds, ensure_ascii=False), "new_labels": json.dumps(news, ensure_ascii=False),
                "old_label": olds[0] if olds else None, "new_label": news[0] if news else None,
                "substance": substance, "diff": json.dumps(diff, ensure_ascii=False) if diff is not None else None,
            })
        return change_id

    def department(self, name: str) -> int:
        stamp = now()
        return self.db["departments"].insert({"name": name, "emails": "[]", "created_at": stamp,
                                              "updated_at": stamp}).last_pk

    def duty(self, department_id: int, name: str, citations=(), *, basis: str | None = None,
             is_current: int = 1, created_at: str | None = None, key: str | None = None, version: int = 1) -> int:
        basis = basis if basis is not None else "；".join(c.get("raw", "") for c in citations) or name
        duty_id = self.db["duties"].insert({
            "duty_key": key or f"{department_id}:name:{name}", "version": version, "is_current": is_current,
            "name": name, "department_id": department_id, "basis_text": basis,
            "content_sha256": hashlib.sha256(basis.encode()).hexdigest(), "created_at": created_at or now(),
        }).last_pk
        for ordinal, c in enumerate(citations):
            self.db["citations"].insert({
                "duty_id": duty_id, "ordinal": ordinal, "raw": c.get("raw", ""), "law_id": c.get("law_id"),
                "version_id": c.get("version_id"), "article": c.get("article"), "paragraph": c.get("paragraph"),
                "item": c.get("item"), "version_note": c.get("version_note"),
                "resolution": c.get("resolution", "resolved"), "field": c.get("field", "basis"),
                "span": json.dumps(c["span"]) if c.get("span") else None,
            })
        return duty_id

    def flags(self, **where) -> list[dict]:
        sql = "SELECT * FROM flags"
        if where:
            sql += " WHERE " + " AND ".join(f"{k} = ?" for k in where)
        rows = list(self.db.query(sql + " ORDER BY id", list(where.values())))
        for r in rows:
            r["suggestion"] = json.loads(r["suggestion"])
        return rows

    def flag_of(self, duty_id: int) -> dict:
        rows = self.flags(duty_id=duty_id)
        assert len(rows) == 1, rows
        return rows[0]


def cite(law_id, version_id, article=None, **extra) -> dict:
    return {"law_id": law_id, "version_id": version_id, "article": article,
            "raw": extra.pop("raw", f"《某法》{article or ''}"), **extra}


def listed_duty(db, department: str, name: str, basis: str, code: str | None = None) -> int:
    """A 行政处罚 duty on a department's list, as a list import writes it (its basis cited and resolved)."""
    with db.atomic():
        dep_id, _ = duty_store.ensure_department(db, department)
        key = duty_store.duty_key(dep_id, code=code, name=name)
        duty_id, _ = duty_store._write_version(
            db, {"code": code, "name": name, "kind": "行政处罚", "department_id": dep_id, "post_id": None,
                 "level": None, "note": None, "basis_text": basis, "penalty_basis_text": None},
            key=key, version=1, previous_id=None, stamp="2020-03-01T00:00:00+00:00", actor="test",
            source_file=None, source_row=None, as_of=None)
    return duty_id
