"""The register's SQLite schema: tables, triggers, versions, validation and the upgrade.

A register is a SQLite file marked with :data:`APPLICATION_ID` whose ``user_version`` is
its schema version. Version 1 had documents, lines, runs, sequences and periods; version 2
adds each document's sealed content and triggers that refuse every change of an issued
document or of the numbering. A file is validated (header, integrity, the exact tables,
indexes and triggers of its version) before anything reads or writes it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import cache
from pathlib import Path

from sfprice.register.records import RegisterError

__all__ = [
    "ADDED_V2",
    "ADDED_V3",
    "APPLICATION_ID",
    "SCHEMA_VERSION",
    "STATEMENTS",
    "STATEMENTS_V1",
    "check_header",
    "create",
    "upgrade_v1",
    "upgrade_v2",
    "validate",
]

APPLICATION_ID = 0x53465052  # "SFPR": marks a SQLite file as an sfprice register
SCHEMA_VERSION = 3
_SQLITE_MAGIC = b"SQLite format 3\x00"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE periods (
    period TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    changed_at TEXT NOT NULL
);
CREATE TABLE period_events (
    id INTEGER PRIMARY KEY,
    period TEXT NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('close', 'reopen')),
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    period TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    sfprice_version TEXT NOT NULL,
    note TEXT NOT NULL,
    inputs TEXT NOT NULL
);
CREATE TABLE sequences (
    issuer TEXT NOT NULL,
    year INTEGER NOT NULL,
    next INTEGER NOT NULL,
    PRIMARY KEY (issuer, year)
);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    issuer TEXT NOT NULL,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    period TEXT NOT NULL,
    department TEXT NOT NULL,
    price_list TEXT NOT NULL,
    currency TEXT NOT NULL,
    total TEXT NOT NULL,
    credits TEXT REFERENCES documents (number),
    run_id INTEGER NOT NULL REFERENCES runs (id),
    issued_at TEXT NOT NULL,
    volume_sources TEXT NOT NULL,
    UNIQUE (issuer, year, seq)
);
CREATE UNIQUE INDEX one_credit_per_invoice ON documents (credits) WHERE credits IS NOT NULL;
CREATE INDEX documents_period ON documents (period, department);
CREATE TABLE lines (
    document_id INTEGER NOT NULL REFERENCES documents (id),
    position INTEGER NOT NULL,
    service TEXT NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    quantity TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    amount TEXT NOT NULL,
    price_list TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (document_id, position)
);
"""
_KINDS_V1 = "kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),"
_KINDS_V3 = "kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note', 'reconciliation')),"
_FROZEN = ("documents", "lines", "runs", "period_events")
STATEMENTS_V1 = [part.strip() for part in _SCHEMA.split(";") if part.strip()] + [
    f"CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table} BEGIN "
    f"SELECT RAISE(ABORT, 'sfprice register: {table} are never changed'); END"
    for table in _FROZEN
    for verb in ("update", "delete")
]


def _refuse(name: str, event: str, when: str, message: str) -> str:
    return (
        f"CREATE TRIGGER {name} BEFORE {event} WHEN {when} BEGIN "
        f"SELECT RAISE(ABORT, 'sfprice register: {message}'); END"
    )


# Schema 2: what each document shows is stored with it (contents), sealed on insert; the
# triggers refuse every change of an issued document or of the numbering, including by
# INSERT OR REPLACE (which deletes without firing DELETE triggers).
ADDED_V2 = [
    "CREATE TABLE contents (\n"
    "    document_id INTEGER PRIMARY KEY REFERENCES documents (id),\n"
    "    format INTEGER NOT NULL,\n"
    "    body TEXT NOT NULL\n)",
    *(
        f"CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table} BEGIN "
        f"SELECT RAISE(ABORT, 'sfprice register: {table} are never changed'); END"
        for table in ("contents", "meta")
        for verb in ("update", "delete")
    ),
    *(
        _refuse(f"{table}_no_delete", f"DELETE ON {table}", "1", f"{table} are never deleted")
        for table in ("sequences", "periods")
    ),
    _refuse(
        "documents_no_replace",
        "INSERT ON documents",
        "EXISTS (SELECT 1 FROM documents WHERE id = NEW.id OR number = NEW.number "
        "OR (issuer = NEW.issuer AND year = NEW.year AND seq = NEW.seq))",
        "an issued document is never replaced",
    ),
    _refuse(
        "documents_in_sequence",
        "INSERT ON documents",
        "NEW.seq IS NOT (SELECT next - 1 FROM sequences "
        "WHERE issuer = NEW.issuer AND year = NEW.year)",
        "a document number must come from its sequence",
    ),
    _refuse(
        "documents_open_period",
        "INSERT ON documents",
        "EXISTS (SELECT 1 FROM periods WHERE period = NEW.period AND status = 'closed')",
        "the period is closed",
    ),
    _refuse(
        "lines_sealed",
        "INSERT ON lines",
        "EXISTS (SELECT 1 FROM contents WHERE document_id = NEW.document_id) "
        "OR NOT EXISTS (SELECT 1 FROM documents WHERE id = NEW.document_id)",
        "lines are never added to an issued document",
    ),
    _refuse(
        "contents_once",
        "INSERT ON contents",
        "EXISTS (SELECT 1 FROM contents WHERE document_id = NEW.document_id) "
        "OR (SELECT number FROM documents WHERE id = NEW.document_id) "
        "IS NOT json_extract(NEW.body, '$.number')",
        "the content of an issued document is stored once and matches it",
    ),
    *(
        _refuse(
            f"{table}_no_replace",
            f"INSERT ON {table}",
            f"EXISTS (SELECT 1 FROM {table} WHERE {key} = NEW.{key})",
            f"{table} are never replaced",
        )
        for table, key in (("runs", "id"), ("period_events", "id"), ("meta", "key"))
    ),
    _refuse(
        "sequences_no_reuse",
        "INSERT ON sequences",
        "EXISTS (SELECT 1 FROM sequences WHERE issuer = NEW.issuer AND year = NEW.year) "
        "OR NEW.next <= (SELECT coalesce(max(seq), 0) FROM documents "
        "WHERE issuer = NEW.issuer AND year = NEW.year)",
        "numbers are never reused",
    ),
    _refuse(
        "sequences_forward",
        "UPDATE ON sequences",
        "NEW.issuer IS NOT OLD.issuer OR NEW.year IS NOT OLD.year OR NEW.next <= OLD.next",
        "numbers are never reused",
    ),
    *(
        _refuse(
            f"periods_follow_events_{verb}",
            f"{verb.upper()} ON periods",
            ("NEW.period IS NOT OLD.period OR " if verb == "update" else "")
            + "NEW.status IS NOT (SELECT CASE event WHEN 'close' THEN 'closed' ELSE 'open' END "
            "FROM period_events WHERE period = NEW.period ORDER BY id DESC LIMIT 1)",
            "a period changes only with a recorded close or reopen",
        )
        for verb in ("insert", "update")
    ),
]
STATEMENTS_V2 = STATEMENTS_V1 + ADDED_V2

# Schema 3: a third document kind, ``reconciliation`` (a subscription's correction invoice
# or credit note, one per customer and reconciliation month, beside the month's invoice).
# The documents table's CHECK admits it (widened in place on the upgrade: every existing
# row satisfies the wider check); a reconciliation document never credits another.
ADDED_V3 = [
    _refuse(
        "reconciliations_credit_nothing",
        "INSERT ON documents",
        "NEW.kind = 'reconciliation' AND NEW.credits IS NOT NULL",
        "a reconciliation document never credits another document",
    ),
]
_DOCUMENTS_V1 = next(s for s in STATEMENTS_V1 if s.startswith("CREATE TABLE documents"))
_DOCUMENTS_V3 = _DOCUMENTS_V1.replace(_KINDS_V1, _KINDS_V3)
STATEMENTS = [_DOCUMENTS_V3 if s == _DOCUMENTS_V1 else s for s in STATEMENTS_V2] + ADDED_V3


def check_header(path: Path) -> bool:
    """True when ``path`` holds a register; False when there is nothing yet (no file, empty).

    Reads the raw header without SQLite, so a foreign file is never touched.
    """
    try:
        return _read_header(path)
    except OSError as exc:
        raise RegisterError(f"{path}: cannot read the register ({exc.strerror})") from exc


def _read_header(path: Path) -> bool:
    if not path.exists():
        return False
    if not path.is_file():
        raise RegisterError(f"{path}: not a register file (it is a folder or a device)")
    if path.stat().st_size == 0:
        return False
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise RegisterError(
            f"{path}: not an sfprice invoice register (not a SQLite database); "
            "refused, the file was left as it is"
        )
    application_id = int.from_bytes(header[68:72], "big")
    if application_id != APPLICATION_ID:
        raise RegisterError(
            f"{path}: a SQLite database of another application (application_id "
            f"{application_id:#010x}, a register has {APPLICATION_ID:#010x}); "
            "refused, the file was left as it is"
        )
    return True


def create(connection: sqlite3.Connection, path: Path, created_at: str) -> None:
    """Create the schema, unless a concurrent process did it first."""
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            application_id = connection.execute("PRAGMA application_id").fetchone()[0]
            tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if application_id == 0 and tables == 0:
                for statement in STATEMENTS:
                    connection.execute(statement)
                connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                connection.execute(
                    "INSERT INTO meta (key, value) VALUES ('created_at', ?)",
                    (created_at,),
                )
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        # The header (application id) is written in rollback mode first, so that any
        # process reading the raw header sees it; then the register switches to WAL.
        connection.execute("PRAGMA journal_mode = WAL")
    except sqlite3.Error as exc:
        raise RegisterError(f"{path}: cannot create the register: {exc}") from exc


@cache
def _expected_schema(version: int) -> dict[str, tuple[str, str, str | None]]:
    """The schema objects of a register of ``version``: name -> (type, table, SQL)."""
    memory = sqlite3.connect(":memory:")
    try:
        statements = {1: STATEMENTS_V1, 2: STATEMENTS_V2}.get(version, STATEMENTS)
        for statement in statements:
            memory.execute(statement)
        return _schema_of(memory)
    finally:
        memory.close()


def _schema_of(connection: sqlite3.Connection) -> dict[str, tuple[str, str, str | None]]:
    rows = connection.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return {row[1]: (row[0], row[2], row[3]) for row in rows}


def _schema_problems(connection: sqlite3.Connection, version: int) -> list[str]:
    """How the file's tables, indexes and triggers differ from the schema of ``version``."""
    expected, found = _expected_schema(version), _schema_of(connection)
    problems = [f"{kind} {name!r} is missing" for name, (kind, _, _) in expected.items()
                if name not in found]  # fmt: skip
    problems += [
        f"{found[name][0]} {name!r} was changed"
        for name in expected
        if name in found and found[name] != expected[name]
    ]
    problems += [f"{kind} {name!r} is not part of a register" for name, (kind, _, _) in
                 found.items() if name not in expected]  # fmt: skip
    return problems


def validate(connection: sqlite3.Connection, path: Path) -> int:
    """Refuse a file that is not a register of a known schema, damaged or changed.

    Returns:
        The file's schema version.
    """
    connection.row_factory = sqlite3.Row
    try:
        application_id = connection.execute("PRAGMA application_id").fetchone()[0]
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if application_id != APPLICATION_ID:
            raise RegisterError(
                f"{path}: not an sfprice invoice register (application_id "
                f"{application_id:#010x}); refused, the file was left as it is"
            )
        if version > SCHEMA_VERSION:
            raise RegisterError(
                f"{path}: the register has schema version {version}, made by a newer "
                f"sfprice (this one reads version {SCHEMA_VERSION}); upgrade sfprice"
            )
        if version < 1:
            raise RegisterError(f"{path}: the register has no schema (version {version})")
        check = [row[0] for row in connection.execute("PRAGMA quick_check")]
        if check != ["ok"]:
            raise RegisterError(
                f"{path}: the register is damaged ({'; '.join(check[:3])}); refused, the file "
                "was left as it is; restore it from a backup"
            )
        problems = _schema_problems(connection, version)
        if problems:
            shown = "; ".join(problems[:5]) + (
                f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
            )
            raise RegisterError(
                f"{path}: the register's schema (version {version}) was changed outside "
                f"sfprice: {shown}; refused, the file was left as it is; restore it from a "
                "backup"
            )
        connection.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise RegisterError(
            f"{path}: the register is damaged or not a register ({exc}); refused, the file "
            "was left as it is"
        ) from exc
    return int(version)


def upgrade_v1(connection: sqlite3.Connection, seal: Callable[[], None], at: str) -> None:
    """Upgrade a schema-1 register to schema 2 inside the caller's write transaction.

    Creates the contents table, lets ``seal`` store every document's content, then adds
    the triggers of schema 2 (which would refuse the sealing), records the upgrade time
    ``at`` and sets the version. Does nothing when another process upgraded it first.
    """
    if connection.execute("PRAGMA user_version").fetchone()[0] != 1:
        return
    for sql in ADDED_V2:
        if sql.startswith("CREATE TABLE"):
            connection.execute(sql)
    seal()
    for sql in ADDED_V2:
        if not sql.startswith("CREATE TABLE"):
            connection.execute(sql)
    connection.execute("INSERT INTO meta (key, value) VALUES ('upgraded_from_1', ?)", (at,))
    connection.execute("PRAGMA user_version = 2")


def upgrade_v2(connection: sqlite3.Connection, at: str) -> None:
    """Upgrade a schema-2 register to schema 3 inside the caller's write transaction.

    Widens the documents table's kind CHECK to admit ``reconciliation`` by SQLite's
    documented procedure for changing a CHECK constraint (``writable_schema``: the table's
    SQL is rewritten, no row is touched; every existing row satisfies the wider check),
    adds the trigger of schema 3, records the upgrade time ``at`` and sets the version.
    Does nothing when another process upgraded it first.
    """
    if connection.execute("PRAGMA user_version").fetchone()[0] != 2:
        return
    version = connection.execute("PRAGMA schema_version").fetchone()[0]
    connection.execute("PRAGMA writable_schema = ON")
    try:
        connection.execute(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'documents' "
            "AND sql = ?",
            (_DOCUMENTS_V3, _DOCUMENTS_V1),
        )
        connection.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        connection.execute("PRAGMA writable_schema = OFF")
    for sql in ADDED_V3:
        connection.execute(sql)
    connection.execute("INSERT INTO meta (key, value) VALUES ('upgraded_from_2', ?)", (at,))
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
