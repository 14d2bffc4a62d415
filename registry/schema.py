"""The registry's tables and their migrations.

This module is the one place where the data model of DESIGN §3 is written down.
A migration is never edited once released: add a new one instead.

>>> db = connect(":memory:")
>>> "laws" in db.table_names()
True
"""

from __future__ import annotations

import pathlib
import stat

import sqlite_utils
from sqlite_utils.migrations import Migrations

MIGRATION_SET = "yiju"
migrations = Migrations(MIGRATION_SET)


class RegistryError(Exception):
    """A registry that cannot be opened or used; the message is for the user."""


_INITIAL = [
    # Where laws come from, and how the last fetch went.
    """CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        base_url TEXT,
        last_ok_at TEXT,
        last_error TEXT,
        last_error_at TEXT,
        last_run_id INTEGER
    )""",
    # A law is a work; each text of it is a version.
    """CREATE TABLE laws (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL UNIQUE,
        short_title TEXT,
        aliases TEXT NOT NULL DEFAULT '[]',          -- JSON list of other names
        level TEXT,                                   -- 法律/行政法规/地方性法规/部门规章/…
        category_code INTEGER,                        -- flk flfgCodeId
        issuer TEXT,
        region TEXT,
        status TEXT NOT NULL DEFAULT '有效',          -- 有效/已修改/已废止/尚未生效
        successor_id INTEGER REFERENCES laws(id),
        repealed_on TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE versions (
        id INTEGER PRIMARY KEY,
        law_id INTEGER NOT NULL REFERENCES laws(id),
        source TEXT NOT NULL,                         -- source name, or 'import'
        source_id TEXT,                               -- flk bbbs, xzfg LawID, file path …
        title TEXT NOT NULL,
        promulgated TEXT,                             -- 公布日期 YYYY-MM-DD
        effective TEXT,                               -- 施行日期 YYYY-MM-DD
        revision TEXT,                                -- 制定/修正/修订
        status TEXT,                                  -- status of this text at the source
        note TEXT,                                    -- 题注
        text TEXT,                                    -- normalised full text (NULL = text unavailable)
        text_sha256 TEXT,
        raw_blob TEXT,                                -- sha256 of the raw file kept on disk
        raw_format TEXT,                              -- docx/doc/html/pdf/txt/md
        review_state TEXT NOT NULL DEFAULT 'accepted',-- accepted / held (suspicious text, not used)
        review_reason TEXT,
        fetched_at TEXT NOT NULL,
        run_id INTEGER REFERENCES runs(id)
    )""",
    "CREATE INDEX idx_versions_law ON versions(law_id, promulgated)",
    "CREATE UNIQUE INDEX idx_versions_source ON versions(source, source_id) WHERE source_id IS NOT NULL",
    "CREATE INDEX idx_versions_sha ON versions(law_id, text_sha256)",
    """CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
        label TEXT NOT NULL,                          -- 第十条之一
        number INTEGER NOT NULL,
        suffix INTEGER NOT NULL DEFAULT 0,
        ordinal INTEGER NOT NULL,                     -- position in the version, from 0
        path TEXT NOT NULL DEFAULT '',                -- 第二章 › 第一节
        text TEXT NOT NULL,                           -- article text without its label, 款 separated by newlines
        paragraphs TEXT NOT NULL DEFAULT '[]'         -- JSON [{"text": …, "items": […]}]
    )""",
    "CREATE UNIQUE INDEX idx_articles_version_ordinal ON articles(version_id, ordinal)",
    "CREATE INDEX idx_articles_version_label ON articles(version_id, number, suffix)",
    # Amending and repealing instruments (修改、废止的决定, 修正案, 国务院令 …).
    """CREATE TABLE instruments (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        source_id TEXT,
        title TEXT NOT NULL,
        kind TEXT,                                    -- 修改决定/废止决定/主席令/国务院令/修正案/其他
        promulgated TEXT,
        effective TEXT,
        text TEXT,
        raw_blob TEXT,
        law_id INTEGER REFERENCES laws(id),           -- the law it amends, when known
        fetched_at TEXT NOT NULL,
        run_id INTEGER REFERENCES runs(id)
    )""",
    "CREATE UNIQUE INDEX idx_instruments_source ON instruments(source, source_id) WHERE source_id IS NOT NULL",
    # What a source listed the last time we looked (flk bbbs + sxx …): the base of incremental crawls.
    """CREATE TABLE listings (
        source TEXT NOT NULL,
        source_id TEXT NOT NULL,
        title TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'law',             -- law / instrument
        status_code TEXT,                             -- flk sxx as listed
        promulgated TEXT,
        effective TEXT,
        category_code INTEGER,
        issuer TEXT,
        law_id INTEGER REFERENCES laws(id),
        version_id INTEGER REFERENCES versions(id),
        instrument_id INTEGER REFERENCES instruments(id),
        first_seen_run INTEGER,
        last_seen_run INTEGER,
        detail_state TEXT NOT NULL DEFAULT 'pending', -- pending / fetched / failed / unavailable
        detail_error TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (source, source_id)
    )""",
    """CREATE TABLE changes (
        id INTEGER PRIMARY KEY,
        law_id INTEGER NOT NULL REFERENCES laws(id),
        kind TEXT NOT NULL,                           -- enacted/amended/repealed/renamed/takes_effect/text_corrected
        old_version_id INTEGER REFERENCES versions(id),
        new_version_id INTEGER REFERENCES versions(id),
        published TEXT,
        effective TEXT,
        summary TEXT NOT NULL DEFAULT '{}',           -- JSON counts by article status
        instrument_id INTEGER REFERENCES instruments(id),
        check_notes TEXT NOT NULL DEFAULT '[]',       -- JSON: disagreements with the amending instrument
        detail TEXT NOT NULL DEFAULT '{}',            -- JSON: old/new title, successor …
        detected_run_id INTEGER REFERENCES runs(id),
        detected_at TEXT NOT NULL,
        impact_done_at TEXT,
        dedupe_key TEXT NOT NULL UNIQUE               -- one change per event, however often it is seen
    )""",
    "CREATE INDEX idx_changes_law ON changes(law_id)",
    """CREATE TABLE article_changes (
        id INTEGER PRIMARY KEY,
        change_id INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        status TEXT NOT NULL,                         -- unchanged/renumbered/modified/inserted/deleted/split/merged
        old_labels TEXT NOT NULL DEFAULT '[]',        -- JSON list
        new_labels TEXT NOT NULL DEFAULT '[]',        -- JSON list
        old_label TEXT,                               -- first of old_labels, for indexes
        new_label TEXT,
        similarity REAL,
        substance TEXT,                               -- substantive/references_only/editorial
        diff TEXT                                     -- JSON diff-match-patch ops
    )""",
    "CREATE INDEX idx_article_changes_change ON article_changes(change_id, old_label)",
    # Who does the enforcing.
    """CREATE TABLE departments (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        parent_id INTEGER REFERENCES departments(id),
        emails TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE posts (
        id INTEGER PRIMARY KEY,
        department_id INTEGER NOT NULL REFERENCES departments(id),
        name TEXT NOT NULL,
        UNIQUE (department_id, name)
    )""",
    """CREATE TABLE staff (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT NOT NULL,
        UNIQUE (name, email)
    )""",
    """CREATE TABLE assignments (
        id INTEGER PRIMARY KEY,
        staff_id INTEGER NOT NULL REFERENCES staff(id),
        post_id INTEGER NOT NULL REFERENCES posts(id),
        start TEXT,
        "end" TEXT,
        UNIQUE (staff_id, post_id, start)
    )""",
    # A duty (职权事项) as published in a power list; every edit is a new row (version).
    """CREATE TABLE duties (
        id INTEGER PRIMARY KEY,
        duty_key TEXT NOT NULL,                       -- stable identity across versions
        version INTEGER NOT NULL DEFAULT 1,
        is_current INTEGER NOT NULL DEFAULT 1,
        code TEXT,                                    -- 职权编码
        name TEXT NOT NULL,
        kind TEXT,                                    -- 职权类型
        department_id INTEGER NOT NULL REFERENCES departments(id),
        post_id INTEGER REFERENCES posts(id),
        level TEXT,                                   -- 行使层级
        note TEXT,                                    -- 备注
        basis_text TEXT NOT NULL,                     -- 实施依据 / 违法依据, verbatim
        penalty_basis_text TEXT,                      -- 处罚依据, verbatim
        content_sha256 TEXT NOT NULL,
        source_file TEXT,
        source_row TEXT,
        created_at TEXT NOT NULL,
        created_by TEXT,
        superseded_at TEXT
    )""",
    "CREATE UNIQUE INDEX idx_duties_key_version ON duties(duty_key, version)",
    "CREATE INDEX idx_duties_department ON duties(department_id, is_current)",
    """CREATE TABLE citations (
        id INTEGER PRIMARY KEY,
        duty_id INTEGER NOT NULL REFERENCES duties(id),
        field TEXT NOT NULL DEFAULT 'basis',          -- basis / penalty_basis
        ordinal INTEGER NOT NULL DEFAULT 0,
        raw TEXT NOT NULL,                            -- the citation as written
        law_title TEXT,                               -- full title when known, else as written
        written TEXT,                                 -- 《行政处罚法》
        version_note TEXT,
        law_id INTEGER REFERENCES laws(id),
        version_id INTEGER REFERENCES versions(id),   -- the version the citation was written against
        article TEXT,                                 -- 第三十二条 (NULL: the whole law)
        article_number INTEGER,
        article_suffix INTEGER,
        paragraph INTEGER,                            -- 款
        item INTEGER,                                 -- 项
        sub_item INTEGER,                             -- 目
        span TEXT,                                    -- JSON [start, end]
        resolution TEXT NOT NULL,                     -- resolved / stale / unresolved
        current_label TEXT,                           -- where the provision sits today (stale citations)
        problem TEXT                                  -- why it is unresolved or stale, in Chinese
    )""",
    "CREATE INDEX idx_citations_duty ON citations(duty_id)",
    "CREATE INDEX idx_citations_law_article ON citations(law_id, article)",
    """CREATE TABLE flags (
        id INTEGER PRIMARY KEY,
        duty_id INTEGER NOT NULL REFERENCES duties(id),
        citation_id INTEGER NOT NULL REFERENCES citations(id),
        change_id INTEGER NOT NULL REFERENCES changes(id),
        article_change_id INTEGER REFERENCES article_changes(id),
        severity TEXT NOT NULL,                       -- critical/high/low
        reason TEXT NOT NULL,                         -- what happened to the cited provision
        suggestion TEXT NOT NULL DEFAULT '{}',        -- JSON: new label, candidates …
        due TEXT,
        state TEXT NOT NULL DEFAULT 'open',           -- open/acknowledged/resolved/dismissed
        created_at TEXT NOT NULL,
        created_run_id INTEGER REFERENCES runs(id),
        updated_at TEXT NOT NULL,
        updated_by TEXT,
        closed_at TEXT,
        closing_note TEXT,
        UNIQUE (duty_id, citation_id, change_id)
    )""",
    "CREATE INDEX idx_flags_state ON flags(state)",
    """CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started TEXT NOT NULL,
        finished TEXT,
        state TEXT NOT NULL DEFAULT 'running',        -- running/succeeded/failed/abandoned
        stats TEXT NOT NULL DEFAULT '{}',             -- JSON per stage
        error TEXT,
        pid INTEGER,
        stage TEXT
    )""",
    """CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        run_id INTEGER REFERENCES runs(id),
        kind TEXT NOT NULL,                           -- digest / department_alert
        recipient TEXT NOT NULL,                      -- one address
        recipient_name TEXT,
        department_id INTEGER REFERENCES departments(id),
        subject TEXT NOT NULL,
        body_text TEXT NOT NULL,
        body_html TEXT,
        message_id TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',        -- pending/sending/sent/failed
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        next_attempt_at TEXT,
        sent_at TEXT,
        created_at TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE
    )""",
    "CREATE INDEX idx_outbox_state ON outbox(state)",
    """CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        object TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}'
    )""",
]


@migrations(name="0001_initial")
def _m0001_initial(db: sqlite_utils.Database) -> None:
    for statement in _INITIAL:
        db.execute(statement)
    db["articles"].enable_fts(["text"], tokenize="trigram", create_triggers=True)


@migrations(name="0002_reported_and_notified")
def _m0002_reported_and_notified(db: sqlite_utils.Database) -> None:
    # Which run's digest reported a change, and which run's alert told a department of a flag:
    # a run that died before notifying leaves them NULL, so the next run reports them (nothing lost),
    # and a rerun of the same run finds them set (nothing twice).
    db.execute("ALTER TABLE changes ADD COLUMN reported_run_id INTEGER REFERENCES runs(id)")
    db.execute("ALTER TABLE flags ADD COLUMN notified_run_id INTEGER REFERENCES runs(id)")
    db.execute("ALTER TABLE runs ADD COLUMN digest_path TEXT")


@migrations(name="0003_powers_proposals")
def _m0003_powers_proposals(db: sqlite_utils.Database) -> None:
    # Proposed duties (拟新增职权): a power a law gives a department that no current duty of its
    # list cites. One row per (department, law, power); accepting one creates the duty.
    db.execute("""CREATE TABLE proposals (
        id INTEGER PRIMARY KEY,
        department_id INTEGER NOT NULL REFERENCES departments(id),
        law_id INTEGER NOT NULL REFERENCES laws(id),
        version_id INTEGER REFERENCES versions(id),   -- the text the power was read from
        change_id INTEGER REFERENCES changes(id),     -- the change that brought it (NULL: on demand)
        power_key TEXT NOT NULL,                      -- article|款|项|type|domains
        article TEXT NOT NULL,                        -- 第九十九条
        paragraph INTEGER,                            -- 款 (NULL: the article has one)
        item INTEGER,                                 -- 项
        type TEXT NOT NULL,                           -- 行政处罚 …
        name TEXT NOT NULL,                           -- 对…的行政处罚
        measures TEXT NOT NULL DEFAULT '[]',          -- JSON: 罚款, 责令停产停业 …
        authority TEXT,                               -- the authority as the law writes it
        authority_level TEXT,                         -- 县级以上 …
        shared INTEGER NOT NULL DEFAULT 0,            -- 生态环境等主管部门 / 按照职责分工
        basis_text TEXT NOT NULL,                     -- 《…》第九十九条第（一）项
        clause TEXT,                                  -- the provision's words
        due TEXT,                                     -- the law's 施行日期
        state TEXT NOT NULL DEFAULT 'open',           -- open/accepted/declined/withdrawn
        baseline INTEGER NOT NULL DEFAULT 0,          -- found by a first run: reported as a figure, not as news
        duty_id INTEGER REFERENCES duties(id),        -- the duty an acceptance created
        reason TEXT,                                  -- why declined / withdrawn
        created_at TEXT NOT NULL,
        created_run_id INTEGER REFERENCES runs(id),
        notified_run_id INTEGER REFERENCES runs(id),
        updated_at TEXT NOT NULL,
        updated_by TEXT,
        UNIQUE (department_id, law_id, power_key)
    )""")
    db.execute("CREATE INDEX idx_proposals_state ON proposals(state, department_id)")
    # Which authorities a department is (主管领域): JSON list of domains (生态环境, 市场监督管理 …)
    # and its level; NULL: read from its name (impact/data/authorities.toml).
    db.execute("ALTER TABLE departments ADD COLUMN domains TEXT")
    db.execute("ALTER TABLE departments ADD COLUMN level TEXT")


@migrations(name="0004_data_impact_watermark")
def _m0004_data_impact_watermark(db: sqlite_utils.Database) -> None:
    # Marks a pass leaves for the next one (name → value): "impact.duty_id" is the highest duty id the
    # last impact pass saw. It used to sit in the JSON of the latest audit row of action "impact";
    # that value is carried over, so an upgraded registry does not check its duties again.
    db.execute("""CREATE TABLE watermarks (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL,
        updated_at TEXT NOT NULL
    )""")
    row = db.execute("SELECT at, json_extract(detail, '$.duty_watermark') FROM audit WHERE action = 'impact' "
                     "AND json_valid(detail) ORDER BY id DESC LIMIT 1").fetchone()
    try:
        value = int(row[1]) if row else 0
    except (TypeError, ValueError):
        value = 0
    if value:
        db.execute("INSERT INTO watermarks (name, value, updated_at) VALUES ('impact.duty_id', ?, ?)",
                   [value, row[0]])


@migrations(name="0005_national_generation_and_powers")
def _m0005_national_generation_and_powers(db: sqlite_utils.Database) -> None:
    # A counter that moves whenever a law, a version or a change is written: the citation resolver's
    # cache key. Reading it is one row; the counts it replaces scanned every version's text
    # (24 ms a duty at 310 laws, seconds at flk's 31,000 — bench/national.py).
    db.execute("CREATE TABLE generations (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
    db.execute("INSERT INTO generations (name, value) VALUES ('laws', 0)")
    for table in ("laws", "versions", "changes"):
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute(f"CREATE TRIGGER gen_{table}_{event.lower()} AFTER {event} ON {table} BEGIN "
                       "UPDATE generations SET value = value + 1 WHERE name = 'laws'; END")
    # The powers read from a version's text (diffing.powers), kept once per version: a text never
    # changes, and reading every law's powers again on each pass took minutes at national size.
    db.execute("""CREATE TABLE version_powers (
        version_id INTEGER PRIMARY KEY REFERENCES versions(id),
        powers TEXT NOT NULL                          -- JSON list of diffing.powers.Power
    )""")


@migrations(name="0006_national_law_names")
def _m0006_national_law_names(db: sqlite_utils.Database) -> None:
    # A law looked up by one of its other names, indexed: the look-up scanned every law's aliases
    # for each file imported — quadratic at national size (bench/national.py: 11 versions/s at
    # 310 laws, 5 at 1,550).
    db.execute("CREATE TABLE law_names (name TEXT NOT NULL, law_id INTEGER NOT NULL REFERENCES laws(id))")
    db.execute("CREATE INDEX idx_law_names ON law_names(name)")
    db.execute("INSERT INTO law_names (name, law_id) SELECT j.value, laws.id FROM laws, json_each(laws.aliases) j")
    db.execute("CREATE TRIGGER law_names_ai AFTER INSERT ON laws BEGIN "
               "INSERT INTO law_names (name, law_id) SELECT value, new.id FROM json_each(new.aliases); END")
    db.execute("CREATE TRIGGER law_names_au AFTER UPDATE OF aliases ON laws BEGIN "
               "DELETE FROM law_names WHERE law_id = new.id; "
               "INSERT INTO law_names (name, law_id) SELECT value, new.id FROM json_each(new.aliases); END")
    db.execute("CREATE TRIGGER law_names_ad AFTER DELETE ON laws BEGIN "
               "DELETE FROM law_names WHERE law_id = old.id; END")


@migrations(name="0007_web_workspace")
def _m0007_web_workspace(db: sqlite_utils.Database) -> None:
    # The review workspace (yiju serve): who signs in, the single-use sign-in links of e-mails,
    # a department's proposal waiting for the legal office, and when a flag was last reminded of.
    db.execute("""CREATE TABLE web_users (
        id INTEGER PRIMARY KEY,
        role TEXT NOT NULL,                           -- legal / admin / department
        department_id INTEGER REFERENCES departments(id),   -- department reviewers: their department
        staff_id INTEGER REFERENCES staff(id),        -- a staff member holding a post, when known
        name TEXT NOT NULL,
        email TEXT NOT NULL,
        password_hash TEXT,                           -- scrypt (werkzeug format); NULL: links only
        disabled_at TEXT,
        created_at TEXT NOT NULL,
        created_by TEXT,
        last_signin_at TEXT
    )""")
    db.execute("CREATE UNIQUE INDEX idx_web_users_identity ON web_users(role, coalesce(department_id, 0), lower(email))")
    db.execute("""CREATE TABLE signin_links (
        id INTEGER PRIMARY KEY,
        nonce TEXT NOT NULL UNIQUE,                   -- what the signed token carries
        user_id INTEGER NOT NULL REFERENCES web_users(id),
        next_url TEXT NOT NULL DEFAULT '/',           -- the page the link leads to
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT,
        purpose TEXT                                  -- alert / summary / reminder / demo / cli
    )""")
    db.execute("ALTER TABLE flags ADD COLUMN proposal TEXT")          # JSON: {action, basis|reason, field, duty_id}
    db.execute("ALTER TABLE flags ADD COLUMN proposed_by TEXT")
    db.execute("ALTER TABLE flags ADD COLUMN proposed_at TEXT")
    db.execute("ALTER TABLE flags ADD COLUMN reviewed_by TEXT")       # the legal office's last decision
    db.execute("ALTER TABLE flags ADD COLUMN reviewed_at TEXT")
    db.execute("ALTER TABLE flags ADD COLUMN review_note TEXT")       # why it was returned
    db.execute("ALTER TABLE flags ADD COLUMN reminded_on TEXT")       # last reminder (Shanghai date)
    db.execute("ALTER TABLE flags ADD COLUMN escalated_on TEXT")      # told the legal office (date)


@migrations(name="0008_silent_duty_imported_content")
def _m0008_silent_duty_imported_content(db: sqlite_utils.Database) -> None:
    # The content of the power-list row a duty version was imported from (JSON of the content
    # fields; NULL for a version made in yiju, e.g. a basis revised when a flag was resolved).
    # A re-import compares each row with the last imported row, so what was changed in yiju since
    # is never undone by a row that did not change in the file.
    db.execute("ALTER TABLE duties ADD COLUMN imported_content TEXT")
    db.execute("""UPDATE duties SET imported_content = json_array(code, name, kind, department_id, post_id,
                                                                level, note, basis_text, penalty_basis_text)
                  WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.action = 'duty.revise'
                                    AND a.object = 'duty:' || duties.id)""")


@migrations(name="0009_amend_article_provisions")
def _m0009_amend_article_provisions(db: sqlite_utils.Database) -> None:
    # Where each 款 and 项 of the old article(s) went (DESIGN §5 "paragraphs": JSON rows
    # {"old": {...}, "new": {...} | null, "status", "similarity", "warning"?}); NULL for changes
    # recorded before yiju kept the 款/项 mapping.
    db.execute("ALTER TABLE article_changes ADD COLUMN provisions TEXT")


@migrations(name="0010_amend2_realignment")
def _m0010_amend2_realignment(db: sqlite_utils.Database) -> None:
    # Which generation of the alignment (diffing.align.ALIGNMENT) computed a change's
    # article_changes; NULL: a release before generations were kept. Impact aligns a change of an
    # older generation again from its two stored texts and corrects the flags it raised
    # (impact/realign.py). Generation 1 is the 款/项 evidence of issue 12: the changes recorded
    # with their 款/项 mapping (provisions) were computed by it.
    db.execute("ALTER TABLE changes ADD COLUMN alignment INTEGER")
    db.execute("""UPDATE changes SET alignment = 1 WHERE EXISTS (
                      SELECT 1 FROM article_changes ac WHERE ac.change_id = changes.id AND ac.provisions IS NOT NULL)""")
    # A flag put right after its change was aligned again: JSON {"at", "alignment", "severity",
    # "reason", "suggestion", "state"?} of what it said before (the department was told that).
    db.execute("ALTER TABLE flags ADD COLUMN correction TEXT")
    # The repeals a registered text writes (its 同时废止 / 予以废止 clauses, a 废止决定), whether or
    # not the registry holds the laws it names yet: a law registered later picks its repeal up
    # (impact/record.py). ``name_key``: diffing.cite.titles.title_key of the name as written.
    db.execute("""CREATE TABLE repeal_clauses (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,                           -- the repealed instrument, as the text writes it
        name_key TEXT NOT NULL,
        by_title TEXT NOT NULL,                       -- the repealing text
        by_law_id INTEGER REFERENCES laws(id),        -- NULL for a 废止决定 (not a law of the registry)
        effective TEXT,                               -- the repeal's date (the text's 施行日期)
        replaces INTEGER NOT NULL DEFAULT 0,          -- the repealing law takes the repealed one's place
        source TEXT NOT NULL,
        instrument_id INTEGER REFERENCES instruments(id),
        created_at TEXT NOT NULL,
        UNIQUE (name_key, by_title, effective)
    )""")


@migrations(name="0011_national2_search_indexes")
def _m0011_national2_search_indexes(db: sqlite_utils.Database) -> None:
    # registry/search.py at national size (bench/national.py: seconds a search before).
    # Each article's last two characters: with the trigram index (the trigrams that begin with a
    # word) they find a two-character word (罚款) without reading every article's text.
    db.execute("CREATE INDEX idx_articles_tail ON articles(lower(substr(text, -2)))")
    # The versions a search ranks by, read without reading their texts (stored in the same rows).
    db.execute("CREATE INDEX idx_versions_review ON versions(review_state, law_id, promulgated)")


@migrations(name="0012_national3_search_ranks")
def _m0012_national3_search_ranks(db: sqlite_utils.Database) -> None:
    # registry/search.py ranks versions by their law's level and status, a rank at a time: the laws
    # of one rank through this index, instead of every law and version read at the first search of
    # a process (100 ms at national size, bench/national.py).
    db.execute("CREATE INDEX idx_laws_rank ON laws(level, status)")
    # The full-text index merges its segments 16 at a time instead of 4 (crisis at 64, not 16): a
    # quarter less CPU to index a bulk import (registry.search.index_in_bulk), searches unchanged.
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 16)")
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('crisismerge', 64)")


@migrations(name="0013_pages17_proposal_lists")
def _m0013_pages17_proposal_lists(db: sqlite_utils.Database) -> None:
    # The workspace's 拟新增职权 page, a page at a time at a province's size (bench/workspace_lists.py):
    # its order (news first, soonest due first, then department and law) read from an index instead of
    # sorting every proposal's row, and the law filter's counts per state and department.
    db.execute("CREATE INDEX idx_proposals_order ON proposals(state, baseline, due, department_id, law_id)")
    db.execute("CREATE INDEX idx_proposals_law ON proposals(state, law_id, department_id)")


@migrations(name="0014_signoff17_proposal_review")
def _m0014_signoff17_proposal_review(db: sqlite_utils.Database) -> None:
    # The legal office signs off a department's decision on a proposal (拟新增职权) as for flags:
    # the decision waits (state 'submitted') until the office approves or returns it.
    db.execute("ALTER TABLE proposals ADD COLUMN decision TEXT")       # JSON: {action, post, name, reason}
    db.execute("ALTER TABLE proposals ADD COLUMN proposed_by TEXT")
    db.execute("ALTER TABLE proposals ADD COLUMN proposed_at TEXT")
    db.execute("ALTER TABLE proposals ADD COLUMN reviewed_by TEXT")    # the legal office's last decision
    db.execute("ALTER TABLE proposals ADD COLUMN reviewed_at TEXT")
    db.execute("ALTER TABLE proposals ADD COLUMN review_note TEXT")    # why it was returned


def connect(path: str | pathlib.Path, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (or create) the registry at ``path``, upgraded to the current schema.

    WAL journal and foreign keys are on. A registry written by a newer yiju is refused.
    """
    existed = False
    if str(path) != ":memory:":
        path = pathlib.Path(path)
        _check_file(path)
        existed = path.exists()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RegistryError(f"无法创建登记库所在的文件夹 {path.parent}：{exc.strerror or exc}") from exc
    try:
        db = sqlite_utils.Database(path)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA busy_timeout = 30000")
        # 64 MB of pages (the default is 2 MB): at national size (2 million articles) the indexes an
        # import writes and a search reads no longer fit the default, and every page is read again
        db.execute("PRAGMA cache_size = -65536")
        if str(path) != ":memory:":
            db.enable_wal()
    except Exception as exc:  # sqlite3.DatabaseError: file is not a database …
        raise RegistryError(f"无法打开登记库 {path}：{exc}") from exc
    known = {m.name for m in migrations._migrations}
    try:
        applied = {m.name for m in migrations.applied(db)}
    except Exception as exc:
        raise RegistryError(f"无法读取登记库 {path}：{exc}") from exc
    if existed and not applied and db.table_names():
        tables = "、".join(db.table_names()[:5])
        db.close()
        raise RegistryError(f"{path} 不是 yiju 登记库（其中的表：{tables}），yiju 不会修改它；"
                            "请检查配置中的 registry.path")
    newer = sorted(applied - known)
    if newer:
        db.close()
        raise RegistryError(
            f"登记库 {path} 由更新版本的 yiju 创建（未知的迁移：{', '.join(newer)}），"
            "请升级 yiju 后再打开，本程序不会修改它。"
        )
    if migrate:
        migrations.apply(db)
    return db


def _check_file(path: pathlib.Path) -> None:
    """An existing registry file must be a regular, non-empty file (a zero-byte file is a damaged
    registry, never silently a new empty one: its runs would start again at 1)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise RegistryError(f"无法读取登记库 {path}：{exc.strerror or exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise RegistryError(f"登记库 {path} 不是普通文件，yiju 不会打开它")
    if info.st_size == 0:
        raise RegistryError(f"登记库 {path} 是空文件（0 字节），可能已损坏或被截断；yiju 不会把它当作新的登记库。"
                            "请从备份恢复（见 README「备份与恢复」）；确需新建时先移走该文件")


def schema_version(db: sqlite_utils.Database) -> list[str]:
    """Names of the migrations applied to ``db``, oldest first."""
    return [m.name for m in migrations.applied(db)]


def file_of(db: sqlite_utils.Database) -> str:
    """The file the registry ``db`` lives in ('' for an in-memory one)."""
    return next((r["file"] for r in db.query("PRAGMA database_list") if r["name"] == "main"), "") or ""
