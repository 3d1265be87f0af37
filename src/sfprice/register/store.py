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

import enum
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

from sfprice.collation import swedish_key
from sfprice.engine.billing import BillingRun, Invoice, InvoiceLine
from sfprice.errors import SfpriceError
from sfprice.money import exact_sum
from sfprice.period import Month
from sfprice.register.manifest import InputFile, Manifest

__all__ = [
    "APPLICATION_ID",
    "SCHEMA_VERSION",
    "DocumentKind",
    "IssueResult",
    "IssuedDocument",
    "IssuedLine",
    "PeriodEvent",
    "Register",
    "RegisterError",
    "RunRecord",
    "issue_period",
]

APPLICATION_ID = 0x53465052  # "SFPR": marks a SQLite file as an sfprice register
SCHEMA_VERSION = 1
DEFAULT_FORMAT = "{issuer}-{year}-{seq:06d}"
_SQLITE_MAGIC = b"SQLite format 3\x00"
# Test-only hook (see _test_pause): pause inside the issue transaction after N documents.
_PAUSE_ENV = "SFPRICE_TEST_PAUSE_AFTER_DOCS"

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
_FROZEN = ("documents", "lines", "runs", "period_events")
_STATEMENTS = [part.strip() for part in _SCHEMA.split(";") if part.strip()] + [
    f"CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table} BEGIN "
    f"SELECT RAISE(ABORT, 'sfprice register: {table} are never changed'); END"
    for table in _FROZEN
    for verb in ("update", "delete")
]


class RegisterError(SfpriceError):
    """The register cannot be used or refuses an operation (closed period, foreign file)."""


class DocumentKind(enum.StrEnum):
    """What an issued document is."""

    INVOICE = "invoice"
    """An invoice of one department's charges for one month."""
    CREDIT_NOTE = "credit_note"
    """A full reversal of an invoice: its lines negated, referencing its number."""


@dataclass(frozen=True, slots=True)
class IssuedLine:
    """One line of an issued document; amounts exact, as issued.

    Attributes:
        service: Service code.
        name: Name as printed in the price list.
        unit: What one unit is.
        quantity: Units (negative on a credit note).
        unit_price: Price per unit.
        amount: The line amount (negative on a credit note).
        price_list: The price list that priced the line.
        detail: The rest of the line as bill computed it (components, basis, allocation,
            volume sources), as JSON-ready data with decimal strings.
    """

    service: str
    name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    price_list: str
    detail: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class IssuedDocument:
    """An issued invoice or credit note; never changed once issued.

    Attributes:
        number: Its number (``SF-2014-000123``).
        kind: Invoice or credit note.
        period: The month it bills.
        department: The department billed.
        issued_at: When it was issued (UTC, ISO 8601).
        price_list: The price list of the invoice it bills or reverses.
        currency: Currency of the amounts.
        lines: Its lines.
        credits: For a credit note, the number of the invoice it reverses.
        credited_by: For an invoice that was reversed, the credit note's number.
        run_id: The issue run that created it (see :meth:`Register.runs`).
        volume_sources: The volume files and row counts behind its quantities.
    """

    number: str
    kind: DocumentKind
    period: Month
    department: str
    issued_at: str
    price_list: str
    currency: str
    lines: tuple[IssuedLine, ...]
    credits: str | None
    credited_by: str | None
    run_id: int
    volume_sources: tuple[tuple[str, int], ...] = ()

    @property
    def total(self) -> Decimal:
        """Sum of the line amounts."""
        return exact_sum(line.amount for line in self.lines)


@dataclass(frozen=True, slots=True)
class IssueResult:
    """What one issue did.

    Attributes:
        period: The month issued.
        run_id: The run recorded, or None when nothing changed (nothing is recorded).
        documents: The documents created, in order (a credit note before its new invoice).
        unchanged: The departments whose issued invoice already has these charges.
    """

    period: Month
    run_id: int | None
    documents: tuple[IssuedDocument, ...]
    unchanged: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """False when the issue changed nothing (a re-run with the same charges)."""
        return bool(self.documents)


@dataclass(frozen=True, slots=True)
class PeriodEvent:
    """A period closed or reopened, when and why."""

    period: Month
    event: str
    reason: str
    at: str


@dataclass(frozen=True, slots=True)
class RunRecord:
    """An issue run and its manifest."""

    id: int
    period: Month
    manifest: Manifest


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)


def _text(value: Decimal) -> str:
    text = format(value, "f")
    return "0" if text in {"-0", "-0.0", "-0.00"} else text


def _plain(value: object) -> object:
    """A value of a line as JSON-ready data: decimal strings, lists, dicts."""
    if isinstance(value, Decimal):
        return _text(value)
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, Month):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _signature(price_list: str, currency: str, lines: Iterable[IssuedLine | InvoiceLine]) -> Any:
    """What decides whether two invoices charge the same: every line's charge, in order."""
    return (
        price_list,
        currency,
        tuple(
            (line.service, line.name, str(line.unit), line.quantity, line.unit_price, line.amount)
            for line in lines
        ),
    )


def _test_pause(documents: int) -> None:
    """Test-only hook: sleep inside the open issue transaction after ``documents`` documents.

    Active only when the environment variable ``SFPRICE_TEST_PAUSE_AFTER_DOCS`` is set; the
    durability test uses it to SIGKILL an issuer half-way. It does nothing otherwise.
    """
    wanted = os.environ.get(_PAUSE_ENV)
    if wanted and documents == int(wanted):
        print("sfprice-test: paused inside the issue transaction", file=sys.stderr, flush=True)
        time.sleep(600)


def _check_header(path: Path) -> bool:
    """True when ``path`` holds a register; False when there is nothing yet (no file, empty).

    Reads the raw header without SQLite, so a foreign file is never touched.
    """
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


class Register:
    """An open invoice register (one SQLite file). Use :meth:`open`; close it when done.

    Attributes:
        path: The register file.
        issuer: The issuer in the numbers (``SF``).
        number_format: How numbers are written, from ``issuer``, ``year`` and ``seq``.
    """

    def __init__(
        self, connection: sqlite3.Connection, path: Path, issuer: str, number_format: str
    ) -> None:
        self._db = connection
        self.path = path
        self.issuer = issuer
        self.number_format = number_format

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        issuer: str = "SF",
        number_format: str = DEFAULT_FORMAT,
        timeout: float = 30.0,
    ) -> Register:
        """Open the register at ``path``, creating it when there is no file yet.

        Args:
            path: The register file.
            issuer: The issuer in the numbers; each issuer has its own sequence per year.
            number_format: A ``str.format`` pattern of ``issuer``, ``year`` and ``seq``.
            timeout: Seconds to wait for another process's issue to finish.

        Raises:
            RegisterError: When the file is not a register, is damaged, is of a newer
                schema, or the number format is unusable. Such a file is never written.
        """
        path = Path(path)
        _check_format(issuer, number_format)
        exists = _check_header(path)
        if not exists and not path.parent.is_dir():
            raise RegisterError(f"{path}: cannot create the register, no folder {path.parent}")
        try:
            connection = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise RegisterError(f"{path}: cannot open the register: {exc}") from exc
        try:
            if not exists:
                _create(connection, path)
            _validate(connection, path)
        except BaseException:
            connection.close()
            raise
        return cls(connection, path, issuer, number_format)

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
        """The issued documents, in number order, optionally of one period or department."""
        query, params = "SELECT * FROM documents WHERE 1=1", []
        if period is not None:
            query += " AND period = ?"
            params.append(str(period))
        if department is not None:
            query += " AND department = ?"
            params.append(department)
        query += " ORDER BY issuer, year, seq"
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
                    tuple(InputFile(**item) for item in json.loads(row["inputs"])),
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
            raise RegisterError(f"reopening {period} needs a reason (--reason TEXT)")
        self._set_status(period, "reopen", reason.strip(), now)

    def issue(
        self,
        run: BillingRun,
        period: Month,
        *,
        manifest: Manifest,
        now: datetime | None = None,
    ) -> IssueResult:
        """Issue one month of a billing run; see :func:`issue_period`."""
        return issue_period(self, run, period, manifest=manifest, now=now)

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
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise RegisterError(f"{self.path}: cannot write the register: {exc}") from exc
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._db.execute("ROLLBACK")
            raise RegisterError(f"{self.path}: cannot write the register: {exc}") from exc

    def _set_status(self, period: Month, event: str, reason: str, now: datetime | None) -> None:
        at = _now(now).isoformat()
        with self._writing():
            status = self._db.execute(
                "SELECT status FROM periods WHERE period = ?", (str(period),)
            ).fetchone()
            current = "open" if status is None else status["status"]
            wanted = "closed" if event == "close" else "open"
            if current == wanted:
                raise RegisterError(f"period {period} is already {wanted}")
            self._db.execute(
                "INSERT INTO periods (period, status, changed_at) VALUES (?, ?, ?) "
                "ON CONFLICT (period) DO UPDATE SET status = excluded.status, "
                "changed_at = excluded.changed_at",
                (str(period), wanted, at),
            )
            self._db.execute(
                "INSERT INTO period_events (period, event, reason, at) VALUES (?, ?, ?, ?)",
                (str(period), event, reason, at),
            )

    def _document(self, row: sqlite3.Row) -> IssuedDocument:
        lines = self._db.execute(
            "SELECT * FROM lines WHERE document_id = ? ORDER BY position", (row["id"],)
        ).fetchall()
        credited = self._db.execute(
            "SELECT number FROM documents WHERE credits = ?", (row["number"],)
        ).fetchone()
        return IssuedDocument(
            number=row["number"],
            kind=DocumentKind(row["kind"]),
            period=Month.parse(row["period"]),
            department=row["department"],
            issued_at=row["issued_at"],
            price_list=row["price_list"],
            currency=row["currency"],
            lines=tuple(
                IssuedLine(
                    service=line["service"],
                    name=line["name"],
                    unit=line["unit"],
                    quantity=Decimal(line["quantity"]),
                    unit_price=Decimal(line["unit_price"]),
                    amount=Decimal(line["amount"]),
                    price_list=line["price_list"],
                    detail=json.loads(line["detail"]),
                )
                for line in lines
            ),
            credits=row["credits"],
            credited_by=credited["number"] if credited is not None else None,
            run_id=row["run_id"],
            volume_sources=tuple(
                (str(path), int(rows)) for path, rows in json.loads(row["volume_sources"])
            ),
        )


def _check_format(issuer: str, number_format: str) -> None:
    if not issuer.strip():
        raise RegisterError("the issuer must not be empty")
    try:
        samples = {
            number_format.format(issuer=issuer, year=year, seq=seq)
            for year in (2014, 2015)
            for seq in (1, 2)
        }
    except (KeyError, IndexError, ValueError) as exc:
        raise RegisterError(
            f"number format {number_format!r} is not usable ({exc}); it may use {{issuer}}, "
            "{year} and {seq}, e.g. {issuer}-{year}-{seq:06d}"
        ) from exc
    if len(samples) != 4:
        raise RegisterError(
            f"number format {number_format!r} must give each year and sequence number its own "
            "number (use {year} and {seq})"
        )


def _create(connection: sqlite3.Connection, path: Path) -> None:
    """Create the schema, unless a concurrent process did it first."""
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            application_id = connection.execute("PRAGMA application_id").fetchone()[0]
            tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if application_id == 0 and tables == 0:
                for statement in _STATEMENTS:
                    connection.execute(statement)
                connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                connection.execute(
                    "INSERT INTO meta (key, value) VALUES ('created_at', ?)",
                    (_now(None).isoformat(),),
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


def _validate(connection: sqlite3.Connection, path: Path) -> None:
    """Refuse a file that is not a register of this schema or that is damaged."""
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
        connection.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise RegisterError(
            f"{path}: the register is damaged or not a register ({exc}); refused, the file "
            "was left as it is"
        ) from exc


def _net_invoices(db: sqlite3.Connection, period: Month) -> dict[str, sqlite3.Row]:
    """Each department's invoice in force for the period: the latest one not credited."""
    rows = db.execute(
        "SELECT * FROM documents AS d WHERE period = ? AND kind = 'invoice' AND NOT EXISTS "
        "(SELECT 1 FROM documents AS c WHERE c.credits = d.number) ORDER BY id",
        (str(period),),
    ).fetchall()
    return {row["department"]: row for row in rows}


def _stored_lines(db: sqlite3.Connection, document_id: int) -> list[IssuedLine]:
    return [
        IssuedLine(
            row["service"],
            row["name"],
            row["unit"],
            Decimal(row["quantity"]),
            Decimal(row["unit_price"]),
            Decimal(row["amount"]),
            row["price_list"],
            json.loads(row["detail"]),
        )
        for row in db.execute(
            "SELECT * FROM lines WHERE document_id = ? ORDER BY position", (document_id,)
        )
    ]


class _Writer:
    """Inserts the documents of one issue, numbering them inside its transaction."""

    def __init__(self, register: Register, run_id: int, period: Month, at: datetime) -> None:
        self.db = register.connection
        self.register = register
        self.run_id = run_id
        self.period = period
        self.at = at
        self.numbers: list[str] = []

    def _number(self) -> tuple[str, int]:
        issuer, year = self.register.issuer, self.at.year
        row = self.db.execute(
            "SELECT next FROM sequences WHERE issuer = ? AND year = ?", (issuer, year)
        ).fetchone()
        seq = 1 if row is None else int(row[0])
        self.db.execute(
            "INSERT INTO sequences (issuer, year, next) VALUES (?, ?, ?) ON CONFLICT "
            "(issuer, year) DO UPDATE SET next = excluded.next",
            (issuer, year, seq + 1),
        )
        return self.register.number_format.format(issuer=issuer, year=year, seq=seq), seq

    def add(
        self,
        kind: DocumentKind,
        department: str,
        price_list: str,
        currency: str,
        lines: Sequence[tuple[str, str, str, Decimal, Decimal, Decimal, str, object]],
        sources: list[tuple[str, int]],
        credits: str | None = None,
    ) -> str:
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
                _text(exact_sum(line[5] for line in lines)),
                credits,
                self.run_id,
                self.at.isoformat(),
                json.dumps(sources, ensure_ascii=False),
            ),
        )
        document_id = cursor.lastrowid
        self.db.executemany(
            "INSERT INTO lines (document_id, position, service, name, unit, quantity, "
            "unit_price, amount, price_list, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    document_id,
                    position,
                    service,
                    name,
                    unit,
                    _text(quantity),
                    _text(unit_price),
                    _text(amount),
                    line_list,
                    json.dumps(detail, ensure_ascii=False, sort_keys=True),
                )
                for position, (
                    service,
                    name,
                    unit,
                    quantity,
                    unit_price,
                    amount,
                    line_list,
                    detail,
                ) in enumerate(lines, start=1)
            ],
        )
        self.numbers.append(number)
        _test_pause(len(self.numbers))
        return number

    def credit(self, invoice: sqlite3.Row) -> str:
        stored = _stored_lines(self.db, invoice["id"])
        lines = [
            (
                line.service,
                line.name,
                line.unit,
                -line.quantity,
                line.unit_price,
                -line.amount,
                line.price_list,
                {"reverses": invoice["number"]},
            )
            for line in stored
        ]
        sources = [(str(p), int(r)) for p, r in json.loads(invoice["volume_sources"])]
        return self.add(
            DocumentKind.CREDIT_NOTE,
            invoice["department"],
            invoice["price_list"],
            invoice["currency"],
            lines,
            sources,
            credits=invoice["number"],
        )

    def invoice(self, invoice: Invoice) -> str:
        lines = [
            (
                line.service,
                line.name,
                str(line.unit),
                line.quantity,
                line.unit_price,
                line.amount,
                line.price_list,
                _plain(line),
            )
            for line in invoice.lines
        ]
        sources: dict[str, int] = {}
        for line in invoice.lines:
            for source in line.volume_sources:
                sources[source.path] = sources.get(source.path, 0) + source.rows
        return self.add(
            DocumentKind.INVOICE,
            invoice.department,
            invoice.price_list,
            invoice.currency,
            lines,
            sorted(sources.items()),
        )


def issue_period(
    register: Register,
    run: BillingRun,
    period: Month,
    *,
    manifest: Manifest,
    now: datetime | None = None,
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
        now: The issue time (default: now); its year picks the number sequence.

    Raises:
        RegisterError: When the period is closed, or the register cannot be written.
    """
    at = _now(now)
    wanted = {i.department: i for i in run.invoices if i.month == period}
    db = register.connection
    with register._writing():
        status = db.execute(
            "SELECT status, changed_at FROM periods WHERE period = ?", (str(period),)
        ).fetchone()
        if status is not None and status["status"] == "closed":
            raise RegisterError(
                f"period {period} is closed (since {status['changed_at']}); nothing was "
                f"issued. Reopen it first: python -m sfprice period reopen {period} "
                f"--register {register.path} --reason TEXT"
            )
        current = _net_invoices(db, period)
        departments = sorted(set(wanted) | set(current), key=swedish_key)
        unchanged: list[str] = []
        plan: list[tuple[sqlite3.Row | None, Invoice | None]] = []
        for department in departments:
            old, new = current.get(department), wanted.get(department)
            if old is not None and new is not None:
                stored = _stored_lines(db, old["id"])
                if _signature(old["price_list"], old["currency"], stored) == _signature(
                    new.price_list, new.currency, new.lines
                ):
                    unchanged.append(department)
                    continue
            plan.append((old, new))
        if not plan:
            return IssueResult(period, None, (), tuple(unchanged))
        run_id = db.execute(
            "INSERT INTO runs (period, issued_at, sfprice_version, note, inputs) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                str(period),
                manifest.created_at or at.isoformat(),
                manifest.sfprice_version,
                manifest.note,
                json.dumps([_plain(i) for i in manifest.inputs], ensure_ascii=False),
            ),
        ).lastrowid
        assert run_id is not None
        writer = _Writer(register, run_id, period, at)
        for old, new in plan:
            if old is not None:
                writer.credit(old)
            if new is not None:
                writer.invoice(new)
        documents = tuple(
            register._document(
                db.execute("SELECT * FROM documents WHERE number = ?", (n,)).fetchone()
            )
            for n in writer.numbers
        )
    return IssueResult(period, run_id, documents, tuple(unchanged))
