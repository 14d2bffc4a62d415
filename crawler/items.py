"""What spiders hand to the registry pipeline (``crawler/record.py``).

A spider builds items only from answers that passed ``crawler.detect``; a fetch that failed
becomes a ``DetailProblem``, never a text.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Listed:
    """One row of a source's listing, whatever the source."""

    source_id: str
    title: str
    promulgated: str | None = None
    effective: str | None = None
    status_code: str | None = None      # flk sxx as a string; None where the source has none
    category_code: int | None = None
    issuer: str | None = None
    kind: str = "law"                   # law / instrument


@dataclass(frozen=True)
class Flip:
    """A row already fetched whose status code changed since the last listing."""

    row: Listed
    old: str | None
    new: str | None
    law_id: int | None


@dataclass
class ListingItem:
    """A complete listing of one night (only sent when every list page was read)."""

    source: str
    rows: list[Listed]
    flips: list[Flip]


@dataclass
class VersionItem:
    """The text of one version of a law."""

    source: str
    source_id: str
    title: str
    text: str
    raw: bytes
    raw_name: str
    promulgated: str | None = None
    effective: str | None = None
    status: str | None = None
    status_code: str | None = None
    level: str | None = None
    category_code: int | None = None
    issuer: str | None = None
    region: str | None = None
    linked_ids: list[str] = field(default_factory=list)   # other versions of the same work (lsyg …)
    listed: bool = True                                   # False: found through a version history only


@dataclass
class InstrumentItem:
    """An amending or repealing instrument (修改、废止的决定, 修正案, 主席令 …)."""

    source: str
    source_id: str
    title: str
    kind: str
    text: str | None
    raw: bytes | None
    raw_name: str | None
    promulgated: str | None = None
    effective: str | None = None
    law_source_id: str | None = None    # the version it came with (xgzl), when known
    listed: bool = True                 # a row of the listing (a decision record) or an xgzl material
    records_repeals: bool = False       # the source shows a repeal only by this decision (no status flips):
                                        # record the repeals its text writes, with it


@dataclass
class DetailProblem:
    """A document that could not be fetched (``failed``: retried next night) or has no text
    (``unavailable``: e.g. a scanned PDF; never stored as an empty law)."""

    source: str
    source_id: str
    state: str
    error: str
    title: str | None = None
