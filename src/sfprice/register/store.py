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
import re
import sqlite3
import string
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

from sfprice.collation import swedish_key
from sfprice.engine.billing import BillingRun, Invoice, InvoiceLine
from sfprice.errors import SfpriceError
from sfprice.money import exact_sum
from sfprice.period import DEFAULT_TIME_ZONE, Month, local_moment
from sfprice.period import time_zone as _zone
from sfprice.register.content import (
    ContentAllocation,
    ContentBasis,
    ContentComponent,
    ContentLine,
    DocumentContent,
    StatementRow,
    VolumeStatement,
    allocation_from,
    basis_from,
    component_from,
    content_from_json,
    content_json,
    decimal_text,
)
from sfprice.register.manifest import InputFile, Manifest

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
    "RunRecord",
    "issue_period",
    "number_format_problem",
]

APPLICATION_ID = 0x53465052  # "SFPR": marks a SQLite file as an sfprice register
SCHEMA_VERSION = 2
DEFAULT_FORMAT = "{issuer}-{year}-{seq:06d}"
DEFAULT_ISSUER_NAME = "Servicecentret"
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
_FROZEN = ("documents", "lines", "runs", "period_events")
_STATEMENTS_V1 = [part.strip() for part in _SCHEMA.split(";") if part.strip()] + [
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
_ADDED_V2 = [
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
_STATEMENTS = _STATEMENTS_V1 + _ADDED_V2


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
        content: Everything the document shows, fixed when it was issued (see
            :mod:`sfprice.register.content`); documents are printed from this only.
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
    content: DocumentContent | None = None

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


def _plain(value: object) -> object:
    """A value of a line as JSON-ready data: decimal strings, lists, dicts."""
    if isinstance(value, Decimal):
        return decimal_text(value)
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


def _check_header(path: Path) -> bool:
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
    ) -> None:
        self._db = connection
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
    ) -> Register:
        """Open the register at ``path``; create it only when ``create`` and there is no file.

        A register of schema version 1 is upgraded to version 2 in one transaction when it
        is opened for writing (see ``docs/register.md``).

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

        Raises:
            RegisterError: When the file is missing (and not ``create``), is not a
                register, is damaged or changed, is of a newer schema, cannot be read, or
                the number format or time zone is unusable. Such a file is never written.
        """
        path = Path(path)
        _check_format(issuer, number_format)
        try:
            zone = _zone(time_zone)
        except ValueError as exc:
            raise RegisterError(str(exc)) from exc
        if not issuer_name.strip():
            raise RegisterError("the issuer name must not be empty")
        exists = _check_header(path)
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
        )
        try:
            if not exists:
                _create(connection, path)
            version = _validate(connection, path)
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
        if self.read_only:
            raise RegisterError(
                f"{self.path}: cannot write the register: it is read-only (the file or its "
                "folder cannot be written); nothing was written"
            )
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _write_error(self.path, exc) from exc
        try:
            yield
        except sqlite3.Error as exc:
            self._rollback()
            raise _write_error(self.path, exc) from exc
        except BaseException:
            self._rollback()
            raise
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise _write_error(self.path, exc) from exc

    def _rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

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

    def _document(self, row: sqlite3.Row) -> IssuedDocument:
        lines = self._db.execute(
            "SELECT * FROM lines WHERE document_id = ? ORDER BY position", (row["id"],)
        ).fetchall()
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
        try:
            content = content_from_json(stored["body"])
        except ValueError as exc:
            raise RegisterError(
                f"{self.path}: document {row['number']}: {exc}; the register is damaged; "
                "restore it from a backup"
            ) from exc
        line_total = exact_sum(Decimal(line["amount"]) for line in lines)
        if (
            content.number != row["number"]
            or content.total != Decimal(row["total"])
            or line_total != content.total
        ):
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
            content=content,
        )


_FIELD_SPECS = {
    "issuer": re.compile(r""),
    "year": re.compile(r"(0?4)?d?"),
    "seq": re.compile(r"(0[1-9]\d?)?d?"),
}


def number_format_problem(number_format: str) -> str | None:
    """Why an invoice-number format could give a number twice or not at all, or None.

    A format holds ``{issuer}``, ``{year}`` and ``{seq}`` once each, as plain decimal
    numbers (``{seq}``, ``{seq:06d}``, ``{year}``), with literal text that is not a digit
    between any two of them, so that every issuer, year and sequence number gets a number
    of its own and the number reads back. Anything else is refused: other fields
    (``{month}``, ``{}``), attributes or indexes (``{seq.real}``), conversions (``!r``),
    and formats that are not plain decimals (``{seq:x}``, ``{seq:e}``, which rounds large
    numbers, ``{seq:,}``, ``{seq:>6}``).

    >>> number_format_problem("{issuer}-{year}-{seq:06d}") is None
    True
    >>> number_format_problem("{issuer}-{year}-{seq:x}")
    "{seq:x}: the format 'x' is not a plain decimal (use {seq}, {seq:d} or {seq:06d})"
    """
    try:
        parts = list(string.Formatter().parse(number_format))
    except ValueError as exc:
        return f"not a format ({exc})"
    seen: list[str] = []
    for literal, field, spec, conversion in parts:
        if field is None:
            continue
        shown = "{" + field + (f"!{conversion}" if conversion else "")
        shown += (f":{spec}" if spec else "") + "}"
        if field not in _FIELD_SPECS:
            return f"{shown}: unknown field (use {{issuer}}, {{year}} and {{seq}})"
        if field in seen:
            return f"{shown}: {{{field}}} appears twice"
        if conversion:
            return f"{shown}: no conversion (!{conversion}) is allowed"
        if not _FIELD_SPECS[field].fullmatch(spec or ""):
            forms = {
                "issuer": "{issuer}",
                "year": "{year} or {year:04d}",
                "seq": "{seq}, {seq:d} or {seq:06d}",
            }[field]
            return f"{shown}: the format {spec!r} is not a plain decimal (use {forms})"
        if seen and not any(not c.isdigit() for c in literal):
            return (
                f"{shown}: put text that is not a digit between {{{seen[-1]}}} and "
                f"{{{field}}}, or two numbers could run together"
            )
        seen.append(field)
    missing = [f"{{{f}}}" for f in _FIELD_SPECS if f not in seen]
    if missing:
        return (
            f"{' and '.join(missing)} missing: numbers run per issuer and year, so the format "
            "needs {issuer}, {year} and {seq} to give each invoice its own number"
        )
    return None


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
    row = db.execute("SELECT body FROM contents ORDER BY document_id DESC LIMIT 1").fetchone()
    if row is None:
        return
    stored = json.loads(row["body"]).get("time_zone")
    wanted = getattr(register.zone, "key", str(register.zone))
    if stored and stored != wanted:
        raise RegisterError(
            f"{register.path}: its documents are dated in the time zone {stored}, not "
            f"{wanted}; nothing was issued (expected --time-zone {stored}, or a new register)"
        )


def _check_format(issuer: str, number_format: str) -> None:
    if not issuer.strip():
        raise RegisterError("the issuer must not be empty")
    problem = number_format_problem(number_format)
    if problem is not None:
        raise RegisterError(
            f"number format {number_format!r}: {problem}; e.g. {{issuer}}-{{year}}-{{seq:06d}}"
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


@cache
def _expected_schema(version: int) -> dict[str, tuple[str, str, str | None]]:
    """The schema objects of a register of ``version``: name -> (type, table, SQL)."""
    memory = sqlite3.connect(":memory:")
    try:
        for statement in _STATEMENTS_V1 if version == 1 else _STATEMENTS:
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


def _validate(connection: sqlite3.Connection, path: Path) -> int:
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


def _migrate_v1(register: Register) -> None:
    """Upgrade a schema-1 register to schema 2, in one transaction.

    Each document gets its stored content: its lines as issued, its issue date in the
    register's time zone, and a volume statement computed once, now, from the documents
    issued up to and including it (marked ``"migration"``); a credit note gets the
    statement of the invoice it credits. Nothing of schema 1 is changed.
    """
    db = register.connection
    with register._writing():
        if db.execute("PRAGMA user_version").fetchone()[0] != 1:
            return  # another process upgraded it first
        for sql in _ADDED_V2:
            if sql.startswith("CREATE TABLE"):
                db.execute(sql)
        rows = db.execute("SELECT * FROM documents ORDER BY id").fetchall()
        for row in rows:
            stored = _stored_lines(db, row["id"])
            if row["credits"] is None:
                lines = [_v1_line(line) for line in stored]
                statement = _statement(db, row["department"], Month.parse(row["period"]),
                                       row["id"], lines, "migration")  # fmt: skip
            else:
                credited = _content_of(db, row["credits"])
                lines = _negated(credited.lines, stored)
                statement = _credited_statement(credited)
            moment = local_moment(datetime.fromisoformat(row["issued_at"]), register.zone)
            _seal(db, row["id"], _content(register, row, moment, lines, statement))
        for sql in _ADDED_V2:
            if not sql.startswith("CREATE TABLE"):
                db.execute(sql)
        db.execute(
            "INSERT INTO meta (key, value) VALUES ('upgraded_from_1', ?)",
            (_now(None).isoformat(),),
        )
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _v1_line(line: IssuedLine) -> ContentLine:
    """What a schema-1 invoice line showed: its fields and the detail bill stored."""
    detail = line.detail
    return ContentLine(
        line.service,
        line.name,
        line.unit,
        line.quantity,
        line.unit_price,
        line.amount,
        tuple(component_from(c) for c in detail.get("components") or () if isinstance(c, dict)),
        allocation_from(detail.get("allocation")),
        basis_from(detail.get("basis")),
    )


def _negated(lines: Sequence[ContentLine], stored: Sequence[IssuedLine]) -> list[ContentLine]:
    """A credit note's lines: the credited invoice's lines (and components), negated."""
    out = []
    for index, line in enumerate(stored):
        credited = lines[index] if index < len(lines) else None
        parts = credited.components if credited is not None else ()
        out.append(
            ContentLine(
                line.service,
                line.name,
                line.unit,
                line.quantity,
                line.unit_price,
                line.amount,
                tuple(
                    ContentComponent(
                        c.label,
                        c.unit_price,
                        c.amount.copy_negate(),  # exact: unary minus rounds to 28 digits
                        None if c.quantity is None else c.quantity.copy_negate(),
                    )
                    for c in parts
                ),
                credited.allocation if credited is not None else None,
                credited.basis if credited is not None else None,
            )
        )
    return out


def _credited_statement(credited: DocumentContent) -> VolumeStatement:
    """A credit note shows the credited invoice's statement, labelled with its number."""
    return VolumeStatement(credited.statement.computed, credited.number, credited.statement.rows)


def _content_of(db: sqlite3.Connection, number: str) -> DocumentContent:
    row = db.execute(
        "SELECT c.body FROM contents AS c JOIN documents AS d ON d.id = c.document_id "
        "WHERE d.number = ?",
        (number,),
    ).fetchone()
    if row is None:
        raise RegisterError(f"document {number} has no stored content; the register is damaged")
    return content_from_json(row[0])


def _statement(
    db: sqlite3.Connection,
    department: str,
    period: Month,
    upto_id: int,
    lines: Sequence[ContentLine],
    computed: str,
) -> VolumeStatement:
    """The volume statement of a document, from the documents up to and including it.

    Per service of the document: this month, the same month last year and the year so far,
    each the net of the department's invoices and credit notes. The same month last year
    is ``None`` ("no data") when the department has no document for that month; the year
    so far adds the months of the year up to the period that have documents.
    """
    last = Month(period.year - 1, period.month) if period.year > 1 else None
    months = [Month(period.year, m) for m in range(1, period.month + 1)]
    wanted = [str(m) for m in months] + ([str(last)] if last is not None else [])
    marks = ", ".join("?" for _ in wanted)
    rows = db.execute(
        "SELECT d.period, l.service, l.quantity FROM documents AS d "
        "LEFT JOIN lines AS l ON l.document_id = d.id "
        f"WHERE d.department = ? AND d.id <= ? AND d.period IN ({marks})",
        (department, upto_id, *wanted),
    ).fetchall()
    present = {row[0] for row in rows}
    net: dict[tuple[str, str], list[Decimal]] = {}
    for row in rows:
        if row[1] is not None:
            net.setdefault((row[0], row[1]), []).append(Decimal(row[2]))

    def total(month: Month, service: str) -> Decimal | None:
        if str(month) not in present:
            return None
        return exact_sum(net.get((str(month), service), []), Decimal(0))

    names: dict[str, str] = {}
    for line in lines:
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
    )


def _seal(db: sqlite3.Connection, document_id: int, content: DocumentContent) -> None:
    """Store what the document shows; after this, no line can be added to it."""
    db.execute(
        "INSERT INTO contents (document_id, format, body) VALUES (?, ?, ?)",
        (document_id, 1, content_json(content)),
    )


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
        return self.register.number_format.format(issuer=issuer, year=year, seq=seq), seq

    def add(
        self,
        kind: DocumentKind,
        department: str,
        price_list: str,
        currency: str,
        lines: Sequence[tuple[ContentLine, str, object]],
        sources: list[tuple[str, int]],
        credits: str | None = None,
        statement: VolumeStatement | None = None,
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
                json.dumps(sources, ensure_ascii=False),
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
                    json.dumps(detail, ensure_ascii=False, sort_keys=True),
                )
                for position, (line, line_list, detail) in enumerate(lines, start=1)
            ],
        )
        content_lines = [line for line, _, _ in lines]
        if statement is None:
            statement = _statement(
                self.db, department, self.period, document_id, content_lines, "issue"
            )
        row = self.db.execute("SELECT * FROM documents WHERE id = ?", (document_id,)).fetchone()
        _seal(self.db, document_id, _content(self.register, row, self.at, content_lines, statement))
        self.numbers.append(number)
        return number

    def credit(self, invoice: sqlite3.Row) -> str:
        """A credit note reversing ``invoice``.

        Its lines and components are the invoice's negated; its volume statement is the
        invoice's, labelled as the credited invoice's.
        """
        credited = _content_of(self.db, invoice["number"])
        stored = _stored_lines(self.db, invoice["id"])
        reversed_lines = [
            IssuedLine(
                line.service,
                line.name,
                line.unit,
                line.quantity.copy_negate(),  # exact: unary minus rounds to 28 digits
                line.unit_price,
                line.amount.copy_negate(),
                line.price_list,
                {},
            )
            for line in stored
        ]
        content_lines = _negated(credited.lines, reversed_lines)
        lines = [
            (content, line.price_list, {"reverses": invoice["number"]})
            for content, line in zip(content_lines, stored, strict=True)
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
            statement=_credited_statement(credited),
        )

    def invoice(self, invoice: Invoice) -> str:
        """The run's invoice for one department."""
        lines = [
            (
                _line_content(line),
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


def _line_content(line: InvoiceLine) -> ContentLine:
    """What an invoice line shows, field by field (components, allocation, basis)."""
    allocation, basis = line.allocation, line.basis
    return ContentLine(
        line.service,
        line.name,
        str(line.unit),
        line.quantity,
        line.unit_price,
        line.amount,
        tuple(
            ContentComponent(c.label, c.unit_price, c.amount, c.quantity) for c in line.components
        ),
        None
        if allocation is None
        else ContentAllocation(
            allocation.key,
            allocation.driver_quantity,
            allocation.driver_total,
            f"{allocation.share.numerator}/{allocation.share.denominator}",
            allocation.annual_amount,
            allocation.source,
        ),
        None
        if basis is None
        else ContentBasis(
            str(basis.kind),
            basis.customer_year,
            basis.first_year,
            None if basis.tier_mode is None else str(basis.tier_mode),
            basis.rate,
            basis.minimum,
            basis.base_amount,
            basis.services,
            basis.source,
            basis.volume,
            basis.block,
        ),
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
        now: The issue time (default: now; time-zone aware). Its date in the register's
            time zone is the issue date ("Fakturadatum"), and its year there picks the
            number sequence.

    Raises:
        RegisterError: When the period is closed, or the register cannot be written.
    """
    try:
        at = local_moment(now or datetime.now(UTC), register.zone)
    except ValueError as exc:
        raise RegisterError(f"the issue time {exc}") from exc
    wanted = {i.department: i for i in run.invoices if i.month == period}
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
