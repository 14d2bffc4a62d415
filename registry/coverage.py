"""What the coverage report reads: the citations of current duties that name no registered law.

>>> from registry.schema import connect
>>> unheld_citations(connect(":memory:"))
[]
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class UnheldCitation:
    """A current duty's citation of a document the registry does not hold."""

    title: str            # the title as the citation gives it (full title when the parser knew it)
    duty_id: int
    department: str


def unheld_citations(db: sqlite_utils.Database, department: str | None = None) -> list[UnheldCitation]:
    """Citations of current duties whose law is not in the registry, optionally of one department."""
    sql = ("SELECT coalesce(nullif(c.law_title, ''), c.written) AS title, d.id AS duty_id, dep.name AS department "
           "FROM citations c JOIN duties d ON d.id = c.duty_id JOIN departments dep ON dep.id = d.department_id "
           "WHERE d.is_current = 1 AND c.law_id IS NULL AND coalesce(nullif(c.law_title, ''), c.written) IS NOT NULL")
    params: list = []
    if department:
        sql += " AND dep.name = ?"
        params.append(department.strip())
    return [UnheldCitation(r["title"], r["duty_id"], r["department"]) for r in db.query(sql, params)]


@dataclass(frozen=True)
class Untexted:
    """A document a source lists whose text could not be read (a scanned PDF, no text file)."""

    source: str
    title: str
    promulgated: str | None
    why: str | None


def untexted_documents(db: sqlite_utils.Database) -> list[Untexted]:
    """Listed documents whose text is unavailable (无正文), newest first."""
    return [Untexted(r["source"], r["title"], r["promulgated"], r["detail_error"]) for r in db.query(
        "SELECT source, title, promulgated, detail_error FROM listings WHERE detail_state = 'unavailable' "
        "AND kind = 'law' ORDER BY coalesce(promulgated, '') DESC, title")]


def department_names(db: sqlite_utils.Database) -> list[str]:
    """Every department's name, sorted."""
    return [r["name"] for r in db.query("SELECT name FROM departments ORDER BY name")]
