"""Load allocation pools and their keys: a TOML file naming the pools, and the key data.

File format (see ``docs/allocation.md``)::

    [[pools]]
    code = "economy.cash_bank"
    name = "Kassa och bank"
    amount = 1000000            # kronor per year, user input
    business_area = "economy"
    source = "004_c98e6cf4bb870a81.txt:275"
    key = { type = "volumes", file = "ledger-2009.csv", services = ["ar.*"],
            from = "2009-01", to = "2009-09", label = "kundfakturor" }

    [[pools]]
    code = "economy.agresso_management"
    name = "Systemförvaltning Agresso"
    amount = 500000
    key = { type = "snapshot", file = "agresso-users-2009-07.csv", as_of = "2009-07" }

A ``volumes`` key sums the quantities of the matching services per department over the
window, from a volume file (the format of :mod:`sfprice.io.volumes`, read without a price
list and without a year). A ``snapshot`` key reads a CSV table ``department,quantity``, one
row per department. Key files are relative to the TOML file.

Every problem of the file and of its key files is collected and raised together as one
:class:`~sfprice.errors.InputError`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from decimal import Decimal
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from sfprice.customers import CustomerRegister
from sfprice.errors import InputError, Issue
from sfprice.io._csv import (
    check_encoding,
    is_total_text,
    read_issue,
    records,
    split_number,
    total_row_message,
)
from sfprice.io._numbers import DecimalMarks
from sfprice.io._toml import RangedMoney, Schema, message, parse_toml, validate_toml
from sfprice.io.volumes import parse_quantity, read_volumes
from sfprice.model import AllocationPool, Driver, VolumeSet
from sfprice.names import clean_name
from sfprice.period import Month

__all__ = ["allocation_key_files", "load_allocations", "read_snapshot"]

_CODE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"
_DELIMITERS = (";", ",", "\t")
_SNAPSHOT_ALIASES = {
    "department": "department",
    "förvaltning": "department",
    "forvaltning": "department",
    "kund": "department",
    "avdelning": "department",
    "quantity": "quantity",
    "antal": "quantity",
    "kvantitet": "quantity",
}
_SNAPSHOT_COLUMNS = ("department", "quantity")


def _month(text: str) -> str:
    Month.parse(text)  # a ValueError quoting the text becomes the issue
    return text.strip()


MonthText = Annotated[str, AfterValidator(_month)]


class _VolumesKey(Schema):
    type: Literal["volumes"]
    file: str = Field(min_length=1)
    services: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1)
    start: MonthText = Field(alias="from")
    end: MonthText = Field(alias="to")
    label: str = ""


class _SnapshotKey(Schema):
    type: Literal["snapshot"]
    file: str = Field(min_length=1)
    as_of: MonthText | None = None
    label: str = ""


class _PoolSchema(Schema):
    code: str = Field(pattern=_CODE_PATTERN)
    name: str = Field(min_length=1)
    amount: RangedMoney
    business_area: str = ""
    source: str = ""
    rule: str = ""
    key: Annotated[_VolumesKey | _SnapshotKey, Field(discriminator="type")]


class _ConfigSchema(Schema):
    title: str = ""
    pools: list[_PoolSchema] = Field(min_length=1)


def _issue_message(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see docs/allocation.md)"
    if kind == "union_tag_not_found":
        return 'the key needs a type: "volumes" or "snapshot"'
    if kind == "union_tag_invalid":
        return f'unknown key type {error["input"].get("type")!r} (expected "volumes" or "snapshot")'
    return message(error)


def _location(loc: Sequence[int | str]) -> list[int | str]:
    # A discriminated union puts the tag in the location: pools[0].key.volumes.from.
    parts = list(loc)
    for index in range(len(parts) - 1):
        if parts[index] == "key" and parts[index + 1] in {"volumes", "snapshot"}:
            del parts[index + 1]
            break
    return parts


def _validate(text: str, path: str) -> tuple[_ConfigSchema | None, list[Issue]]:
    return validate_toml(_ConfigSchema, text, path, describe=_issue_message, location=_location)


# ------------------------------------------------------------------------- snapshots


def _header(line: str, name: str) -> tuple[str, int, int, int]:
    best: list[str] = []
    for delimiter in _DELIMITERS:
        fields = next(csv.reader([line], delimiter=delimiter), [])
        names = [_SNAPSHOT_ALIASES.get(f.strip().lower(), f.strip().lower()) for f in fields]
        if all(column in names for column in _SNAPSHOT_COLUMNS):
            duplicated = sorted({n for n in names if n in _SNAPSHOT_COLUMNS and names.count(n) > 1})
            if duplicated:
                msg = f"column(s) {', '.join(duplicated)} appear more than once in the header"
                raise InputError([Issue(name, msg, line=1)])
            return delimiter, names.index("department"), names.index("quantity"), len(fields)
        if len(fields) > len(best):
            best = fields
    found = [f.strip() for f in best]
    raise InputError(
        [
            Issue(
                name,
                f"the header is {found!r}; expected the columns department,quantity "
                "(separated by , or ;)",
                line=1,
            )
        ]
    )


def read_snapshot(
    path: str | Path,
    *,
    description: str | None = None,
    max_issues: int = 50,
    customers: CustomerRegister | None = None,
    as_of: Month | None = None,
) -> Driver:
    """Read a snapshot key: a CSV table of one quantity per department.

    The header names the columns ``department`` and ``quantity`` (or ``förvaltning`` and
    ``antal``); further columns are ignored. Delimiters, decimal marks and encoding are
    those of volume files. Each department appears once.

    Args:
        path: The CSV file, e.g. the Agresso users per department in July 2009.
        description: What the table counts; by default the file name.
        max_issues: How many problems to list before the rest are only counted.
        customers: The customer register: a row may name a customer by code, name or
            alias (in the ``as_of`` month, when given); rows of one customer's units add
            up under its current name.
        as_of: The month the snapshot counts, for names and aliases with dates.

    Raises:
        InputError: One issue per problem (file, line, column, the value, what was expected).
    """
    file = Path(path)
    name = str(path)
    try:
        check_encoding(file, name)
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([read_issue(file, name, exc)]) from exc
    except OSError as exc:
        raise InputError([read_issue(file, name, exc)]) from exc
    first, _, rest = text.partition("\n")
    if not first.strip():
        raise InputError(
            [
                Issue(
                    name,
                    "the file is empty or its first line is blank; expected the header "
                    "department,quantity",
                    line=1,
                )
            ]
        )
    try:
        delimiter, department_at, quantity_at, header_width = _header(first.rstrip("\r"), name)
    except csv.Error as exc:
        raise InputError([Issue(name, f"the header is not valid CSV: {exc}", line=1)]) from exc
    width = max(department_at, quantity_at) + 1
    quantities: dict[str, Decimal] = {}
    seen: dict[str, int] = {}
    issues: list[Issue] = []
    more = 0

    def problem(line: int, column: str | None, text: str) -> None:
        nonlocal more
        if len(issues) < max_issues:
            issues.append(Issue(name, text, line=line, column=column))
        else:
            more += 1

    found: list[Issue] = []  # quoting problems and long rows (sfprice.io._csv)
    rows = list(
        records(
            io.StringIO(rest, newline=""),
            delimiter,
            name,
            width=width,
            header_width=header_width,
            issues=found,
        )
    )
    marks = DecimalMarks.of(fields[quantity_at] for _, fields in rows if len(fields) > quantity_at)
    for issue in found:
        problem(issue.line or 0, None, issue.message)
    for line, fields in rows:
        if is_total_text(fields[department_at]) if len(fields) > department_at else False:
            problem(line, None, total_row_message(fields, delimiter))
        elif len(fields) < width:
            problem(
                line,
                None,
                f"the row has {len(fields)} field(s), expected at least {width} "
                f"(separated by {delimiter!r}): {delimiter.join(fields)!r}",
            )
        elif (
            split := split_number(
                fields,
                quantity_at,
                delimiter,
                header_width,
                "quantity",
                used=(department_at, quantity_at),
            )
        ) is not None:
            problem(line, "quantity", split)
        else:
            quantity = parse_quantity(fields[quantity_at], marks)
            department: str | None
            try:
                department = clean_name(fields[department_at])
            except ValueError as exc:
                department = None
                problem(line, "department", str(exc))
            if department == "":
                problem(line, "department", "the department is empty (expected a name)")
            elif department is not None and department in seen:
                problem(
                    line,
                    "department",
                    f"{department!r} appears twice (first on line {seen[department]}); "
                    "a snapshot has one row per department",
                )
            if not department or department in seen:
                department = None  # reported above
            elif customers is not None:
                seen[department] = line  # the label as written: each once
                department = _resolved(customers, department, as_of, line, problem)
            else:
                seen[department] = line
            if isinstance(quantity, str):
                problem(line, "quantity", quantity)
            elif department:
                # The units of one customer (aliases) add up under its current name.
                quantities[department] = quantities.get(department, Decimal(0)) + quantity
    issues.sort(key=lambda issue: issue.line or 0)
    if not issues and not quantities:
        issues.append(Issue(name, "no rows: expected one row per department after the header"))
    if issues:
        raise InputError(issues, truncated=more)
    return Driver(description or file.name, quantities, name)


def _resolved(
    customers: CustomerRegister,
    label: str,
    as_of: Month | None,
    line: int,
    problem: Callable[[int, str | None, str], None],
) -> str | None:
    """The current name ``label`` means (in ``as_of``), or None after reporting why not."""
    found = customers.find(label, as_of) if as_of is not None else customers.find_undated(label)
    if isinstance(found, str):
        problem(line, "department", found)
        return None
    return label if found is None else found.department  # unknown: the name check says


# --------------------------------------------------------------------------- pools


class _Files:
    """Key files read once each, however many pools use them; problems reported once."""

    def __init__(self, customers: CustomerRegister | None) -> None:
        self.customers = customers
        self.volumes: dict[str, VolumeSet | None] = {}
        self.snapshots: dict[str, Driver | None] = {}
        self.issues: list[Issue] = []
        self.truncated = 0

    def read_volumes(self, file: Path, max_issues: int) -> VolumeSet | None:
        name = str(file)
        if name not in self.volumes:
            try:
                self.volumes[name] = read_volumes(
                    file, max_issues=max_issues, customers=self.customers
                )
            except InputError as exc:
                self.volumes[name] = None
                self.issues.extend(exc.issues)
                self.truncated += exc.truncated
        return self.volumes[name]

    def read_snapshot(self, file: Path, max_issues: int, as_of: Month | None) -> Driver | None:
        name = f"{file}\0{as_of}"
        if name not in self.snapshots:
            try:
                self.snapshots[name] = read_snapshot(
                    file, max_issues=max_issues, customers=self.customers, as_of=as_of
                )
            except InputError as exc:
                self.snapshots[name] = None
                self.issues.extend(exc.issues)
                self.truncated += exc.truncated
        return self.snapshots[name]


_Report = Callable[[str, str], None]


def _volume_driver(
    key: _VolumesKey, file: Path, files: _Files, max_issues: int, issue: _Report
) -> Driver | None:
    start, end = Month.parse(key.start), Month.parse(key.end)
    if end < start:
        issue("key.to", f"the window ends ({end}) before it starts ({start})")
        return None
    volumes = files.read_volumes(file, max_issues)
    if volumes is None:
        return None
    in_window = {e.key.service for e in volumes if start <= e.key.month <= end}
    description = f"{key.label or ', '.join(key.services)} {start}..{end}"
    for pattern in key.services:
        if not any(fnmatchcase(service, pattern) for service in in_window):
            shown = ", ".join(sorted(in_window)) or "none"
            issue(
                "key.services",
                f"{pattern!r} matches no service of {file} in {start}..{end} "
                f"(services there: {shown})",
            )
    return Driver.from_volumes(volumes, key.services, start, end, description=description)


def allocation_key_files(path: str | Path) -> tuple[Path, ...]:
    """The key files an allocation file names (relative to its folder), in pool order.

    Best effort, for listing inputs (a run manifest, the check that no output overwrites
    an input): a file that cannot be read or parsed names no key files here;
    :func:`load_allocations` reports its problems.

    >>> [p.name for p in allocation_key_files("examples/allocations-2010.toml")]
    ['ledger-2009-jan-sep.csv', 'agresso-users-2009-07.csv']
    """
    folder = Path(path).parent
    try:
        data, _ = parse_toml(Path(path).read_text(encoding="utf-8-sig"), str(path))
    except (OSError, UnicodeDecodeError):
        return ()
    pools = data.get("pools") if data is not None else None
    found: list[Path] = []
    for pool in pools if isinstance(pools, list) else []:
        key = pool.get("key") if isinstance(pool, dict) else None
        file = key.get("file") if isinstance(key, dict) else None
        if isinstance(file, str) and file and folder / file not in found:
            found.append(folder / file)
    return tuple(found)


def load_allocations(
    path: str | Path,
    *,
    reserved_codes: Iterable[str] = (),
    max_issues: int = 50,
    customers: CustomerRegister | None = None,
) -> tuple[tuple[AllocationPool, Driver], ...]:
    """Load allocation pools and read their keys: each pool with its driver, in file order.

    Args:
        path: The TOML file; the key files it names are relative to its folder.
        reserved_codes: Codes a pool may not use, e.g. the service codes of the price
            lists (a pool's code is the service code of its invoice lines).
        max_issues: How many problems to list per key file.
        customers: The customer register: the key files' department labels resolve
            through it as volume rows do (code, name, or earlier name or alias in use).

    Raises:
        InputError: With one issue per problem of the TOML file (field named) and of the
            key files (line and column named).
    """
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise InputError([Issue(name, "allocation file not found")]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Issue(name, f"cannot read the allocation file: {exc}")]) from exc
    schema, issues = _validate(text, name)
    if schema is None:
        raise InputError(issues)
    folder = Path(path).parent
    reserved = frozenset(reserved_codes)
    files = _Files(customers)
    seen: dict[str, int] = {}
    loaded: list[tuple[AllocationPool, Driver]] = []
    for index, pool in enumerate(schema.pools):

        def issue(field: str, text: str, index: int = index, code: str = pool.code) -> None:
            issues.append(Issue(name, text, field=f"pools[{index}].{field} ({code})"))

        if pool.code in seen:
            issue("code", f"pool code {pool.code!r} already used by pools[{seen[pool.code]}]")
        seen.setdefault(pool.code, index)
        if pool.code in reserved:
            issue(
                "code",
                f"{pool.code!r} is a service code of the price lists; a pool needs a code of "
                "its own (it is the service code of the pool's invoice lines)",
            )
        if pool.amount != pool.amount.quantize(Decimal("0.01")):
            issue("amount", f"{pool.amount} is not a whole number of öre (at most 2 decimals)")
        file = folder / pool.key.file
        if not file.is_file():
            issue(
                "key.file",
                f"{pool.key.file!r} not found (looked for {file}; the path is relative to "
                "the allocation file)",
            )
            continue
        if isinstance(pool.key, _VolumesKey):
            driver = _volume_driver(pool.key, file, files, max_issues, issue)
        else:
            as_of = f" {pool.key.as_of}" if pool.key.as_of else ""
            description = f"{pool.key.label or pool.key.file}{as_of}"
            month = Month.parse(pool.key.as_of) if pool.key.as_of else None
            snapshot = files.read_snapshot(file, max_issues, month)
            driver = None if snapshot is None else replace(snapshot, description=description)
        if driver is None:
            continue
        if driver.total == 0 and pool.amount != 0:
            issue(
                "key",
                f"the key ({driver.description}) counts 0 for every department, so "
                f"{pool.amount} cannot be shared",
            )
            continue
        loaded.append(
            (
                AllocationPool(
                    pool.code,
                    pool.name,
                    pool.amount.quantize(Decimal("0.01")),
                    pool.business_area,
                    pool.source,
                    pool.rule,
                ),
                driver,
            )
        )
    issues.extend(files.issues)
    if issues:
        raise InputError(issues, truncated=files.truncated)
    return tuple(loaded)
