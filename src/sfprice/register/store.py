"""The invoice register: issued invoices and credit notes in one SQLite file.

Issuing a period (:func:`issue_period`) stores, per department, the invoice a billing run
computes for that month, with a number from a gapless sequence per year and issuer. An
issued document is never changed (the database refuses updates and deletes by trigger).
When a department's charges change, its invoice is corrected by a credit note (a full
reversal: the same lines with negative quantities and amounts, referencing the invoice)
and a new invoice. Each issue is one ``BEGIN IMMEDIATE`` transaction, the numbers
included, so a failed or killed run leaves the register as it was and no number is lost
or reused; concurrent issuers wait for each other (``busy_timeout``).

See ``docs/register.md``.
"""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import TypeVar
from zoneinfo import ZoneInfo

from sfprice.engine.billing import BillingRun, Invoice
from sfprice.errors import Remedy
from sfprice.kinds import priced_by_volume
from sfprice.money import exact_sum
from sfprice.period import DEFAULT_TIME_ZONE, Month, local_moment
from sfprice.period import time_zone as _zone
from sfprice.register import codec, schema
from sfprice.register.content import (
    ContentCustomer,
    ContentLine,
    DocumentContent,
    StatementRow,
    VolumeStatement,
    decimal_text,
)
from sfprice.register.issuing import (
    Action,
    InForce,
    credit_note_lines,
    credit_note_statement,
    plan_issue,
    reversed_lines,
)
from sfprice.register.manifest import Manifest
from sfprice.register.numbering import (
    DEFAULT_FORMAT,
    check_format,
    document_number,
    number_format_problem,
)
from sfprice.register.records import (
    DocumentKind,
    IssuedDocument,
    IssuedLine,
    IssueResult,
    PeriodEvent,
    RegisterError,
    RunRecord,
)
from sfprice.register.schema import APPLICATION_ID, SCHEMA_VERSION

__all__ = [
    "APPLICATION_ID",
    "DEFAULT_ISSUER_NAME",
    "SCHEMA_VERSION",
    "DocumentKind",
    "IssueResult",
    "IssuedDocument",
    "IssuedLine",
    "PeriodEvent",
    "Register",
    "RegisterError",
    "RegisterHooks",
    "RunRecord",
    "issue_period",
    "number_format_problem",
]

DEFAULT_ISSUER_NAME = "Servicecentret"
_T = TypeVar("_T")


def _nothing(*_: object) -> None:
    """The default hook: does nothing."""


def system_clock() -> datetime:
    """The time now, in UTC (the default clock of a register)."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class RegisterHooks:
    """Points inside a write transaction where a caller (a test) can act; no-ops by default.

    Pass them to :meth:`Register.open`. A hook that raises aborts the transaction like
    any failure: nothing of it is written.

    Attributes:
        before_seal: Called with a document's number just before its content is stored
            (on issue and on the upgrade from schema 1).
        after_document: Called with a document's number once it is fully written
            (numbered, its lines stored, sealed), still inside the transaction.
        before_commit: Called just before a write transaction commits.
    """

    before_seal: Callable[[str], None] = _nothing
    after_document: Callable[[str], None] = _nothing
    before_commit: Callable[[], None] = _nothing


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


class Register:
    """An open invoice register (one SQLite file). Use :meth:`open`; close it when done.

    Attributes:
        path: The register file.
        issuer: The issuer in the numbers (``SF``).
        number_format: How numbers are written, from ``issuer``, ``year`` and ``seq``.
    """

    def __init__(
        self,
        connection: sqlite3.Connection,
        path: Path,
        issuer: str,
        number_format: str,
        *,
        zone: ZoneInfo | None = None,
        issuer_name: str = DEFAULT_ISSUER_NAME,
        read_only: bool = False,
        clock: Callable[[], datetime] = system_clock,
        hooks: RegisterHooks | None = None,
    ) -> None:
        self._db = connection
        self.clock = clock
        self.hooks = hooks or RegisterHooks()
        self.path = path
        self.issuer = issuer
        self.number_format = number_format
        self.zone = zone or _zone(DEFAULT_TIME_ZONE)
        self.issuer_name = issuer_name
        self.read_only = read_only

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        issuer: str = "SF",
        number_format: str = DEFAULT_FORMAT,
        timeout: float = 30.0,
        time_zone: str = DEFAULT_TIME_ZONE,
        issuer_name: str = DEFAULT_ISSUER_NAME,
        create: bool = True,
        read_only: bool = False,
        clock: Callable[[], datetime] = system_clock,
        hooks: RegisterHooks | None = None,
    ) -> Register:
        """Open the register at ``path``; create it only when ``create`` and there is no file.

        A register of schema version 1 is upgraded to version 3 in one transaction when it
        is opened for writing. A schema-2 register is read as it is, and upgraded to
        version 3 inside the first write transaction (an issue, a period closed or
        reopened), so a read never changes it (see ``docs/register.md``).

        Args:
            path: The register file.
            issuer: The issuer in the numbers; each issuer has its own sequence per year.
            number_format: A ``str.format`` pattern of ``issuer``, ``year`` and ``seq``.
            timeout: Seconds to wait for another process's issue to finish.
            time_zone: The issuer's time zone (IANA name): issue dates ("Fakturadatum")
                and the numbering year are dates there.
            issuer_name: The issuer printed on the documents issued now.
            create: Whether a missing file is created (only ``issue`` does this; the
                read-only commands refuse a register that does not exist).
            read_only: Open without writing (SQLite ``mode=ro``); opened so anyway when the
                file or its folder cannot be written.
            clock: The time now, time-zone aware (default: the system clock); used where
                no ``now`` is given (issue time, period events, creation, upgrade).
            hooks: Callbacks inside write transactions (for tests; default: none).

        Raises:
            RegisterError: When the file is missing (and not ``create``), is not a
                register, is damaged or changed, is of a newer schema, cannot be read, or
                the number format or time zone is unusable. Such a file is never written.
        """
        path = Path(path)
        check_format(issuer, number_format)
        try:
            zone = _zone(time_zone)
        except ValueError as exc:
            raise RegisterError(str(exc)) from exc
        if not issuer_name.strip():
            raise RegisterError("the issuer name must not be empty")
        exists = schema.check_header(path)
        if not exists:
            if not create:
                what = "is empty" if path.exists() else "does not exist"
                raise RegisterError(
                    f"{path}: no register: the file {what} (only issue creates a register; "
                    "check the path)"
                )
            if not path.parent.is_dir():
                raise RegisterError(f"{path}: cannot create the register, no folder {path.parent}")
            if not os.access(path.parent, os.W_OK):
                raise RegisterError(
                    f"{path}: cannot create the register: the folder {path.parent} is read-only"
                )
        writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
        read_only = exists and (read_only or not writable)
        connection = _connect(path, timeout, read_only=read_only)
        register = cls(
            connection,
            path,
            issuer,
            number_format,
            zone=zone,
            issuer_name=issuer_name,
            read_only=read_only,
            clock=clock,
            hooks=hooks,
        )
        try:
            if not exists:
                schema.create(connection, path, _utc(clock()).isoformat())
            version = schema.validate(connection, path)
            if version == 1:
                if read_only:
                    raise RegisterError(
                        f"{path}: the register has schema version 1 and must be upgraded to "
                        f"version {SCHEMA_VERSION} once, which needs write access, but it is "
                        "read-only; make the file and its folder writable and run again"
                    )
                _migrate_v1(register)
        except BaseException:
            connection.close()
            raise
        return register

    def close(self) -> None:
        """Close the file."""
        self._db.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def connection(self) -> sqlite3.Connection:
        """The SQLite connection (read it; never write to a register behind its back)."""
        return self._db

    # -- queries --------------------------------------------------------------------

    def documents(
        self, *, period: Month | None = None, department: str | None = None
    ) -> tuple[IssuedDocument, ...]:
        """The issued documents, in number order, optionally of one period or department.

        ``department`` is a department's name or a customer code stored with documents
        (every name the customer was issued under, e.g. before and after a rename).
        """
        query = "SELECT d.* FROM documents AS d LEFT JOIN contents AS c ON c.document_id = d.id"
        query, params = query + " WHERE 1=1", []
        if period is not None:
            query += " AND d.period = ?"
            params.append(str(period))
        if department is not None:
            query += " AND (d.department = ? OR json_extract(c.body, '$.customer.code') = ?)"
            params += [department, department]
        query += " ORDER BY d.issuer, d.year, d.seq"
        with self._reading():
            return tuple(self._document(row) for row in self._db.execute(query, params))

    def departments(self) -> tuple[str, ...]:
        """Every department the register has issued a document to, in code-point order."""
        with self._reading():
            rows = self._db.execute("SELECT DISTINCT department FROM documents ORDER BY 1")
            return tuple(row[0] for row in rows)

    def document(self, number: str) -> IssuedDocument:
        """The document with this number.

        Raises:
            RegisterError: When there is none.
        """
        with self._reading():
            row = self._db.execute("SELECT * FROM documents WHERE number = ?", (number,))
            found = row.fetchone()
            if found is None:
                raise RegisterError(f"{self.path}: no invoice or credit note {number!r}")
            return self._document(found)

    def runs(self) -> tuple[RunRecord, ...]:
        """Every issue run with its manifest, oldest first."""
        with self._reading():
            rows = self._db.execute("SELECT * FROM runs ORDER BY id").fetchall()
        return tuple(
            RunRecord(
                row["id"],
                Month.parse(row["period"]),
                Manifest(
                    self._decoded(f"run {row['id']}", codec.inputs_from_json, row["inputs"]),
                    row["sfprice_version"],
                    row["issued_at"],
                    row["note"],
                ),
            )
            for row in rows
        )

    def period_status(self, period: Month) -> str:
        """``"open"`` or ``"closed"``."""
        with self._reading():
            row = self._db.execute(
                "SELECT status FROM periods WHERE period = ?", (str(period),)
            ).fetchone()
        return "open" if row is None else str(row["status"])

    def period_events(self, period: Month | None = None) -> tuple[PeriodEvent, ...]:
        """The closings and reopenings, oldest first."""
        query, params = "SELECT * FROM period_events", []
        if period is not None:
            query += " WHERE period = ?"
            params.append(str(period))
        with self._reading():
            rows = self._db.execute(query + " ORDER BY id", params).fetchall()
        return tuple(
            PeriodEvent(Month.parse(r["period"]), r["event"], r["reason"], r["at"]) for r in rows
        )

    # -- changes --------------------------------------------------------------------

    def close_period(self, period: Month, *, reason: str = "", now: datetime | None = None) -> None:
        """Close a period: issuing into it is refused until it is reopened.

        Raises:
            RegisterError: When it is already closed.
        """
        self._set_status(period, "close", reason.strip(), now)

    def reopen_period(self, period: Month, *, reason: str, now: datetime | None = None) -> None:
        """Reopen a closed period; the reason is required and recorded with the time.

        Raises:
            RegisterError: When no reason is given or the period is not closed.
        """
        if not reason.strip():
            raise RegisterError(f"reopening {period} needs a reason {Remedy.GIVE_REASON}")
        self._set_status(period, "reopen", reason.strip(), now)

    def issue(
        self,
        run: BillingRun,
        period: Month,
        *,
        manifest: Manifest,
        now: datetime | None = None,
        reconciliations: Sequence[Invoice] | None = None,
    ) -> IssueResult:
        """Issue one month of a billing run; see :func:`issue_period`."""
        return issue_period(
            self, run, period, manifest=manifest, now=now, reconciliations=reconciliations
        )

    # -- internals ------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """One read transaction: every query inside sees the same state."""
        try:
            self._db.execute("BEGIN")
            try:
                yield
            finally:
                self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise RegisterError(f"{self.path}: cannot read the register: {exc}") from exc

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One write transaction (``BEGIN IMMEDIATE``): all of it or nothing."""
        if self.read_only:
            raise RegisterError(
                f"{self.path}: cannot write the register: it is read-only (the file or its "
                "folder cannot be written); nothing was written"
            )
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _write_error(self.path, exc) from exc
        with self._undone_on_error():
            # A schema-2 register is upgraded by its first write, in the same transaction.
            schema.upgrade_v2(self._db, _utc(self.clock()).isoformat())
            yield
        with self._undone_on_error():
            self.hooks.before_commit()
            self._db.execute("COMMIT")

    @contextmanager
    def _undone_on_error(self) -> Iterator[None]:
        """Roll the open transaction back on any error; a database error is worded."""
        try:
            yield
        except sqlite3.Error as exc:
            self._rollback()
            raise _write_error(self.path, exc) from exc
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def _set_status(self, period: Month, event: str, reason: str, now: datetime | None) -> None:
        at = _utc(now or self.clock()).isoformat()
        with self._writing():
            status = self._db.execute(
                "SELECT status FROM periods WHERE period = ?", (str(period),)
            ).fetchone()
            current = "open" if status is None else status["status"]
            wanted = "closed" if event == "close" else "open"
            if current == wanted:
                raise RegisterError(f"period {period} is already {wanted}")
            # The event first: the periods table follows the latest event (a trigger
            # refuses any other change of a period's status).
            self._db.execute(
                "INSERT INTO period_events (period, event, reason, at) VALUES (?, ?, ?, ?)",
                (str(period), event, reason, at),
            )
            if status is None:
                self._db.execute(
                    "INSERT INTO periods (period, status, changed_at) VALUES (?, ?, ?)",
                    (str(period), wanted, at),
                )
            else:
                self._db.execute(
                    "UPDATE periods SET status = ?, changed_at = ? WHERE period = ?",
                    (wanted, at, str(period)),
                )

    def _decoded(self, what: str, decode: Callable[[str], _T], text: str) -> _T:
        """A stored record read back by the codec; a record it cannot read is damage."""
        try:
            return decode(text)
        except ValueError as exc:
            raise RegisterError(
                f"{self.path}: {what}: {exc}; the register is damaged; restore it from a backup"
            ) from exc

    def _document(self, row: sqlite3.Row) -> IssuedDocument:
        lines = _stored_lines(self, row["id"], row["number"])
        credited = self._db.execute(
            "SELECT number FROM documents WHERE credits = ?", (row["number"],)
        ).fetchone()
        stored = self._db.execute(
            "SELECT body FROM contents WHERE document_id = ?", (row["id"],)
        ).fetchone()
        if stored is None:
            raise RegisterError(
                f"{self.path}: document {row['number']} has no stored content; the register "
                "is damaged; restore it from a backup"
            )
        content = self._decoded(
            f"document {row['number']}", codec.content_from_json, stored["body"]
        )
        line_total = exact_sum(line.amount for line in lines)
        total = self._decoded(f"document {row['number']}", codec.decimal_from, row["total"])
        if content.number != row["number"] or content.total != total or line_total != content.total:
            raise RegisterError(
                f"{self.path}: document {row['number']}: its stored total {row['total']}, its "
                f"lines ({line_total}) and its content ({content.number}: {content.total}) "
                "disagree; the register is damaged; restore it from a backup"
            )
        return IssuedDocument(
            number=row["number"],
            kind=DocumentKind(row["kind"]),
            period=Month.parse(row["period"]),
            department=row["department"],
            issued_at=row["issued_at"],
            price_list=row["price_list"],
            currency=row["currency"],
            lines=tuple(lines),
            credits=row["credits"],
            credited_by=credited["number"] if credited is not None else None,
            run_id=row["run_id"],
            volume_sources=self._decoded(
                f"document {row['number']}", codec.sources_from_json, row["volume_sources"]
            ),
            content=content,
        )


def _write_error(path: Path, exc: sqlite3.Error) -> RegisterError:
    """A clear message for a write that SQLite refused."""
    name = getattr(exc, "sqlite_errorname", "")
    if name.startswith("SQLITE_READONLY") or name == "SQLITE_CANTOPEN":
        return RegisterError(
            f"{path}: cannot write the register: it is read-only (the file or its folder "
            f"cannot be written: {exc}); nothing was written"
        )
    return RegisterError(f"{path}: cannot write the register: {exc}; nothing was written")


def _connect(path: Path, timeout: float, *, read_only: bool) -> sqlite3.Connection:
    """Open the file (read-only: ``mode=ro``).

    A read-only open falls back to ``immutable`` when the folder cannot hold SQLite's
    shared-memory file and there is no write-ahead log.
    """
    try:
        if not read_only:
            return sqlite3.connect(path, timeout=timeout, isolation_level=None)
        uri = "file:" + urllib.parse.quote(str(path.absolute())) + "?mode=ro"
        connection = sqlite3.connect(uri, timeout=timeout, isolation_level=None, uri=True)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            connection.close()
            if Path(f"{path}-wal").exists():
                raise
            connection = sqlite3.connect(
                uri + "&immutable=1", timeout=timeout, isolation_level=None, uri=True
            )
        return connection
    except sqlite3.Error as exc:
        raise RegisterError(f"{path}: cannot open the register: {exc}") from exc


def _check_zone(db: sqlite3.Connection, register: Register) -> None:
    """Refuse to date new documents in another zone than the register's earlier ones.

    Issue dates and numbering years follow one zone per register; documents dated in two
    zones could share a date yet be out of order, or be numbered in different years.
    """
    row = db.execute(
        "SELECT c.body, d.number FROM contents AS c JOIN documents AS d ON d.id = c.document_id "
        "ORDER BY c.document_id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return
    latest = register._decoded(f"document {row['number']}", codec.content_from_json, row["body"])
    stored = latest.time_zone
    wanted = getattr(register.zone, "key", str(register.zone))
    if stored and stored != wanted:
        raise RegisterError(
            f"{register.path}: its documents are dated in the time zone {stored}, not "
            f"{wanted}; nothing was issued ({Remedy.SAME_TIME_ZONE}{stored}, or a new register)"
        )


def _migrate_v1(register: Register) -> None:
    """Upgrade a schema-1 register to schema 2, in one transaction.

    Each document gets its stored content: its lines as issued, its issue date in the
    register's time zone, and a volume statement computed once, now, from the documents
    issued up to and including it (marked ``"migration"``); a credit note gets the
    statement of the invoice it credits. Nothing of schema 1 is changed.
    """
    db = register.connection

    def seal_all() -> None:
        for row in db.execute("SELECT * FROM documents ORDER BY id").fetchall():
            stored = _stored_lines(register, row["id"], row["number"])
            if row["credits"] is None:
                lines = [codec.content_line_from_detail(line) for line in stored]
                statement = _statement(db, row["department"], Month.parse(row["period"]),
                                       row["id"], lines, "migration")  # fmt: skip
            else:
                credited = _content_of(register, row["credits"])
                lines = credit_note_lines(credited.lines, stored)
                statement = credit_note_statement(credited)
            moment = local_moment(datetime.fromisoformat(row["issued_at"]), register.zone)
            _seal(register, row["id"], _content(register, row, moment, lines, statement))

    at = _utc(register.clock()).isoformat()
    with register._writing():
        schema.upgrade_v1(db, seal_all, at)
        schema.upgrade_v2(db, at)


def _content_of(register: Register, number: str) -> DocumentContent:
    row = register.connection.execute(
        "SELECT c.body FROM contents AS c JOIN documents AS d ON d.id = c.document_id "
        "WHERE d.number = ?",
        (number,),
    ).fetchone()
    if row is None:
        raise RegisterError(
            f"{register.path}: document {number} has no stored content; the register is "
            "damaged; restore it from a backup"
        )
    return register._decoded(f"document {number}", codec.content_from_json, row[0])


def _statement(
    db: sqlite3.Connection,
    department: str,
    period: Month,
    upto_id: int,
    lines: Sequence[ContentLine],
    computed: str,
    code: str | None = None,
) -> VolumeStatement:
    """The volume statement of a document, from the documents up to and including it.

    Per service of the document: this month, the same month last year and the year so far,
    each the net of the department's invoices and credit notes. The same month last year
    is ``None`` ("no data") when the department has no document for that month; the year
    so far adds the months of the year up to the period that have documents.

    With the customer's ``code`` (from the customer register), the documents of every
    name the customer was issued under count: a department renamed in February states
    January's volumes, issued under its earlier name, in its year so far.
    """
    last = Month(period.year - 1, period.month) if period.year > 1 else None
    months = [Month(period.year, m) for m in range(1, period.month + 1)]
    wanted = [str(m) for m in months] + ([str(last)] if last is not None else [])
    marks = ", ".join("?" for _ in wanted)
    # A document is the customer's when it stores the customer's code, or (stored without
    # a code) carries its name; documents of another code under the same name are not.
    mine = "d.department = ?"
    args: tuple[object, ...] = (department,)
    if code is not None:
        mine = (
            "(json_extract(c.body, '$.customer.code') = ? OR (d.department = ? AND "
            "json_extract(c.body, '$.customer.code') IS NULL))"
        )
        args = (code, department)
    rows = db.execute(
        "SELECT d.period, l.service, l.quantity FROM documents AS d "
        "LEFT JOIN lines AS l ON l.document_id = d.id "
        "LEFT JOIN contents AS c ON c.document_id = d.id "
        f"WHERE {mine} AND d.id <= ? AND d.period IN ({marks})",
        (*args, upto_id, *wanted),
    ).fetchall()
    present = {row[0] for row in rows}
    net: dict[tuple[str, str], list[Decimal]] = {}
    for row in rows:
        if row[1] is not None:
            net.setdefault((row[0], row[1]), []).append(codec.decimal_from(row[2]))

    def total(month: Month, service: str) -> Decimal | None:
        if str(month) not in present:
            return None
        return exact_sum(net.get((str(month), service), []), Decimal(0))

    names: dict[str, str] = {}
    for line in lines:
        # Only services priced from volumes have volumes to state: not a fee, a fee per
        # employee, a percentage, a minimum or an allocated share.
        kind = None if line.basis is None else line.basis.kind
        if line.allocation is None and priced_by_volume(kind):
            names.setdefault(line.service, line.name)
    out = []
    for service, name in names.items():
        so_far = [q for m in months if (q := total(m, service)) is not None]
        out.append(
            StatementRow(
                service,
                name,
                total(period, service),
                None if last is None else total(last, service),
                exact_sum(so_far, Decimal(0)) if so_far else None,
            )
        )
    return VolumeStatement(computed, None, tuple(out))


def _content(
    register: Register,
    row: sqlite3.Row,
    moment: datetime,
    lines: Sequence[ContentLine],
    statement: VolumeStatement,
    customer: ContentCustomer | None = None,
) -> DocumentContent:
    zone = getattr(moment.tzinfo, "key", None) or str(moment.tzinfo)
    return DocumentContent(
        number=row["number"],
        kind=row["kind"],
        issuer_code=row["issuer"],
        issuer_name=register.issuer_name,
        department=row["department"],
        period=Month.parse(row["period"]),
        issued_at=moment.isoformat(),
        issue_date=moment.date(),
        time_zone=zone,
        price_list=row["price_list"],
        currency=row["currency"],
        credits=row["credits"],
        lines=tuple(lines),
        statement=statement,
        customer=customer,
    )


def _seal(register: Register, document_id: int, content: DocumentContent) -> None:
    """Store what the document shows; after this, no line can be added to it."""
    register.hooks.before_seal(content.number)
    register.connection.execute(
        "INSERT INTO contents (document_id, format, body) VALUES (?, ?, ?)",
        (document_id, codec.CONTENT_FORMAT, codec.content_json(content)),
    )


def _net_invoices(db: sqlite3.Connection, period: Month) -> dict[str, sqlite3.Row]:
    """Each department's invoice in force for the period: the latest one not credited."""
    rows = db.execute(
        "SELECT * FROM documents AS d WHERE period = ? AND kind = 'invoice' AND NOT EXISTS "
        "(SELECT 1 FROM documents AS c WHERE c.credits = d.number) ORDER BY id",
        (str(period),),
    ).fetchall()
    return {row["department"]: row for row in rows}


def _in_force(register: Register, rows: dict[str, sqlite3.Row]) -> list[InForce]:
    """The documents in force, as the issuing plan compares them."""
    return [
        InForce(
            row["number"],
            department,
            row["price_list"],
            row["currency"],
            tuple(_stored_lines(register, row["id"], row["number"])),
            _content_of(register, row["number"]).customer,
        )
        for department, row in rows.items()
    ]


def _refuse_over_subscriptions(
    register: Register, period: Month, rows: dict[str, sqlite3.Row], recs: dict[str, sqlite3.Row]
) -> None:
    """Refuse an issue without subscriptions over a period issued with them.

    Such an issue bills the subscribed areas per unit: it would credit the subscription
    invoices (their twelfths) and leave or miss the reconciliation documents.
    """
    held = [row["number"] for row in recs.values()]
    for row in rows.values():
        lines = _stored_lines(register, row["id"], row["number"])
        if any(line.service.startswith("subscription.") for line in lines):
            held.append(row["number"])
    if held:
        more = f" and {len(held) - 3} more" if len(held) > 3 else ""
        shown = ", ".join(sorted(held)[:3]) + more
        raise RegisterError(
            f"{register.path}: {period} was issued with subscriptions ({shown}); an issue "
            "without them would bill the subscribed areas per unit and credit those "
            f"invoices; nothing was issued ({Remedy.GIVE_SUBSCRIPTIONS})"
        )


def _net_reconciliations(db: sqlite3.Connection, period: Month) -> dict[str, sqlite3.Row]:
    """Each department's reconciliation document in force for the period (not credited)."""
    rows = db.execute(
        "SELECT * FROM documents AS d WHERE period = ? AND kind = 'reconciliation' AND NOT "
        "EXISTS (SELECT 1 FROM documents AS c WHERE c.credits = d.number) ORDER BY id",
        (str(period),),
    ).fetchall()
    return {row["department"]: row for row in rows}


def _stored_lines(register: Register, document_id: int, number: str) -> list[IssuedLine]:
    """A document's lines as stored; a line that does not read back is damage."""
    rows = register.connection.execute(
        "SELECT * FROM lines WHERE document_id = ? ORDER BY position", (document_id,)
    ).fetchall()

    def reader(row: sqlite3.Row) -> Callable[[str], IssuedLine]:
        def read(detail: str) -> IssuedLine:
            return IssuedLine(
                row["service"],
                row["name"],
                row["unit"],
                codec.decimal_from(row["quantity"]),
                codec.decimal_from(row["unit_price"]),
                codec.decimal_from(row["amount"]),
                row["price_list"],
                codec.detail_from_json(detail),
            )

        return read

    return [
        register._decoded(f"document {number}, line {row['position']}", reader(row), row["detail"])
        for row in rows
    ]


class _Writer:
    """Inserts the documents of one issue, numbering them inside its transaction.

    Each document is inserted with its lines, then sealed with its content (what it
    shows, the volume statement computed from the documents up to and including it).
    """

    def __init__(self, register: Register, run_id: int, period: Month, at: datetime) -> None:
        self.db = register.connection
        self.register = register
        self.run_id = run_id
        self.period = period
        self.at = at  # in the issuer's zone: its year is the numbering year
        self.numbers: list[str] = []

    def _number(self) -> tuple[str, int]:
        issuer, year = self.register.issuer, self.at.year
        row = self.db.execute(
            "SELECT next FROM sequences WHERE issuer = ? AND year = ?", (issuer, year)
        ).fetchone()
        if row is None:
            seq = 1
            self.db.execute(
                "INSERT INTO sequences (issuer, year, next) VALUES (?, ?, ?)",
                (issuer, year, seq + 1),
            )
        else:
            seq = int(row[0])
            self.db.execute(
                "UPDATE sequences SET next = ? WHERE issuer = ? AND year = ?",
                (seq + 1, issuer, year),
            )
        return document_number(self.register.number_format, issuer, year, seq), seq

    def add(
        self,
        kind: DocumentKind,
        department: str,
        price_list: str,
        currency: str,
        lines: Sequence[tuple[ContentLine, str, str]],
        sources: list[tuple[str, int]],
        credits: str | None = None,
        statement: VolumeStatement | None = None,
        customer: ContentCustomer | None = None,
    ) -> str:
        """Insert one document: number, row, lines, then its sealed content."""
        number, seq = self._number()
        cursor = self.db.execute(
            "INSERT INTO documents (number, issuer, year, seq, kind, period, department, "
            "price_list, currency, total, credits, run_id, issued_at, volume_sources) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                number,
                self.register.issuer,
                self.at.year,
                seq,
                str(kind),
                str(self.period),
                department,
                price_list,
                currency,
                decimal_text(exact_sum(line.amount for line, _, _ in lines)),
                credits,
                self.run_id,
                self.at.isoformat(),
                codec.sources_json(sources),
            ),
        )
        document_id = cursor.lastrowid
        assert document_id is not None
        self.db.executemany(
            "INSERT INTO lines (document_id, position, service, name, unit, quantity, "
            "unit_price, amount, price_list, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    document_id,
                    position,
                    line.service,
                    line.name,
                    line.unit,
                    decimal_text(line.quantity),
                    decimal_text(line.unit_price),
                    decimal_text(line.amount),
                    line_list,
                    detail,
                )
                for position, (line, line_list, detail) in enumerate(lines, start=1)
            ],
        )
        content_lines = [line for line, _, _ in lines]
        if statement is None:
            code = None if customer is None else customer.code
            statement = _statement(
                self.db, department, self.period, document_id, content_lines, "issue", code
            )
        row = self.db.execute("SELECT * FROM documents WHERE id = ?", (document_id,)).fetchone()
        _seal(self.register, document_id, _content(self.register, row, self.at, content_lines,
                                                   statement, customer))  # fmt: skip
        self.numbers.append(number)
        self.register.hooks.after_document(number)
        return number

    def credit(self, invoice: sqlite3.Row) -> str:
        """A credit note reversing ``invoice``.

        Its lines and components are the invoice's negated; its volume statement is the
        invoice's, labelled as the credited invoice's.
        """
        credited = _content_of(self.register, invoice["number"])
        stored = _stored_lines(self.register, invoice["id"], invoice["number"])
        content_lines = credit_note_lines(credited.lines, reversed_lines(stored))
        lines = [
            (content, line.price_list, codec.credit_detail_json(invoice["number"]))
            for content, line in zip(content_lines, stored, strict=True)
        ]
        sources = list(
            self.register._decoded(
                f"document {invoice['number']}", codec.sources_from_json, invoice["volume_sources"]
            )
        )
        return self.add(
            DocumentKind.CREDIT_NOTE,
            invoice["department"],
            invoice["price_list"],
            invoice["currency"],
            lines,
            sources,
            credits=invoice["number"],
            statement=credit_note_statement(credited),
            # What the credited invoice showed: its voucher reverses the same SIE object.
            customer=credited.customer,
        )

    def invoice(self, invoice: Invoice, kind: DocumentKind = DocumentKind.INVOICE) -> str:
        """The run's invoice for one department (or its reconciliation document)."""
        lines = [
            (codec.line_content(line), line.price_list, codec.line_detail_json(line))
            for line in invoice.lines
        ]
        sources: dict[str, int] = {}
        for line in invoice.lines:
            for source in line.volume_sources:
                sources[source.path] = sources.get(source.path, 0) + source.rows
        return self.add(
            kind,
            invoice.department,
            invoice.price_list,
            invoice.currency,
            lines,
            sorted(sources.items()),
            customer=ContentCustomer.of(invoice.customer),
        )


def issue_period(
    register: Register,
    run: BillingRun,
    period: Month,
    *,
    manifest: Manifest,
    now: datetime | None = None,
    reconciliations: Sequence[Invoice] | None = None,
) -> IssueResult:
    """Issue one month of a billing run into the register, in one transaction.

    Per department, the run's invoice for ``period`` is compared with the department's
    invoice in force (the latest not credited): the same lines and amounts give nothing
    new; different ones give a credit note reversing the old invoice and a new invoice; a
    department no longer billed gets a credit note only; a new department an invoice. When
    nothing changed, nothing is written (not even the run) and ``changed`` is False.

    Args:
        register: The open register.
        run: The billing run (as :func:`sfprice.bill` computes it); only its invoices of
            ``period`` are issued.
        period: The month to issue.
        manifest: What produced the run, stored with it.
        now: The issue time (default: now; time-zone aware). Its date in the register's
            time zone is the issue date ("Fakturadatum"), and its year there picks the
            number sequence.
        reconciliations: The period's reconciliation documents of a subscription year
            (:func:`sfprice.engine.subscriptions.reconciliation_invoices`), one per
            department, stored as documents of kind ``reconciliation`` beside the
            invoices, by the same policy (kept when the same, else credited and
            re-issued; one in force and no longer wanted is credited). None (the default)
            leaves the period's reconciliation documents as they are.

    Raises:
        RegisterError: When the period is closed, or the register cannot be written.
    """
    try:
        at = local_moment(now or register.clock(), register.zone)
    except ValueError as exc:
        raise RegisterError(f"the issue time {exc}") from exc
    db = register.connection
    with register._writing():
        _check_zone(db, register)
        status = db.execute(
            "SELECT status, changed_at FROM periods WHERE period = ?", (str(period),)
        ).fetchone()
        if status is not None and status["status"] == "closed":
            raise RegisterError(
                f"period {period} is closed (since {status['changed_at']}); nothing was "
                f"issued. Reopen it first: python -m sfprice period reopen {period} "
                f"--register {register.path} --reason TEXT"
            )
        rows = _net_invoices(db, period)
        recs = _net_reconciliations(db, period)
        if reconciliations is None:
            _refuse_over_subscriptions(register, period, rows, recs)
        plan = plan_issue(_in_force(register, rows), run, period)
        recs_plan = (
            None
            if reconciliations is None
            else plan_issue(
                _in_force(register, recs),
                replace(run, invoices=tuple(i for i in reconciliations if i.month == period)),
                period,
            )
        )
        if not plan.changed and (recs_plan is None or not recs_plan.changed):
            return IssueResult(period, None, (), plan.unchanged)
        run_id = db.execute(
            "INSERT INTO runs (period, issued_at, sfprice_version, note, inputs) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                str(period),
                manifest.created_at or at.isoformat(),
                manifest.sfprice_version,
                manifest.note,
                codec.inputs_json(manifest.inputs),
            ),
        ).lastrowid
        assert run_id is not None
        writer = _Writer(register, run_id, period, at)
        for step in plan.writes:
            if step.action in (Action.REISSUE, Action.CREDIT):
                assert step.credit is not None
                writer.credit(rows[step.department])
            if step.action in (Action.REISSUE, Action.NEW):
                assert step.invoice is not None
                writer.invoice(step.invoice)
        for step in () if recs_plan is None else recs_plan.writes:
            if step.action in (Action.REISSUE, Action.CREDIT):
                writer.credit(recs[step.department])
            if step.action in (Action.REISSUE, Action.NEW):
                assert step.invoice is not None
                writer.invoice(step.invoice, DocumentKind.RECONCILIATION)
        documents = tuple(
            register._document(
                db.execute("SELECT * FROM documents WHERE number = ?", (n,)).fetchone()
            )
            for n in writer.numbers
        )
    return IssueResult(period, run_id, documents, plan.unchanged)
