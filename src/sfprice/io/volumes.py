"""Read volume files: CSV or .xlsx exports of quantities per month, department and service.

A workbook's cells (:mod:`sfprice.io._xlsx`) and a CSV file's fields go through the same
checks and sums (:class:`_Table`: only reading the cells and locating a problem differ).
An import profile (:mod:`sfprice.io.profiles`) maps an export's column names, service
labels and department labels to sfprice's.

The header must name the columns ``month``, ``department``, ``service`` and ``quantity``
(in any order; further columns are ignored; the Swedish headers ``månad``, ``förvaltning``,
``tjänst`` and ``antal`` are accepted too). The delimiter is ``,``, ``;`` or a tab, and a
quantity may use ``.`` or ``,`` as decimal mark, so a Swedish Excel export
(``;`` and ``2,5``, UTF-8 with a BOM) reads as it is.

Quantities are read by :mod:`sfprice.io._numbers` (an ambiguous ``1.000`` is settled by
the decimal mark the whole file shows, or refused), and the CSV rules of
:mod:`sfprice.io._csv` hold (strict quotes, no row longer than the header, total rows and
encodings recognised).

The file is read as a stream, in chunks: rows are counted per distinct raw value in C and
folded into per-key sums, so memory depends on the number of departments, months and
services, not on the number of rows. Values are validated once per distinct value. Only
when something is wrong is the file read again, row by row, to report each problem with
its line and column.
"""

from __future__ import annotations

import csv
import difflib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from sfprice.customers import CustomerRegister
from sfprice.errors import InputError, Issue, PriceNotFound, Remedy
from sfprice.io._csv import (
    check_encoding,
    is_total_text,
    read_issue,
    records,
    split_number,
    total_row,
    total_row_message,
)
from sfprice.io._months import read_month
from sfprice.io._numbers import Ambiguous, DecimalMarks, read_number, resolve
from sfprice.io._xlsx import Cell, Sheet, is_workbook, open_sheet
from sfprice.io.departments import check_departments
from sfprice.io.profiles import ImportProfile, load_profile
from sfprice.model import PriceCatalog, VolumeEntry, VolumeKey, VolumeSet, VolumeSource
from sfprice.money import magnitude_problem
from sfprice.names import clean_name
from sfprice.period import Month

__all__ = [
    "COLUMNS",
    "department_places",
    "locate_missing_prices",
    "parse_quantity",
    "read_quantity",
    "read_volume_files",
    "read_volumes",
    "trace_rows",
]

#: The required columns, in the order sfprice writes them.
COLUMNS = ("month", "department", "service", "quantity")

_ALIASES = {
    "month": "month",
    "månad": "month",
    "manad": "month",
    "department": "department",
    "förvaltning": "department",
    "forvaltning": "department",
    "kund": "department",
    "avdelning": "department",
    "service": "service",
    "tjänst": "service",
    "tjanst": "service",
    "quantity": "quantity",
    "antal": "quantity",
    "kvantitet": "quantity",
}
_DELIMITERS = (";", ",", "\t")
_CHUNK_ROWS = 65_536
# Quantities are bounded so that sums over any file stay exact in the 28-digit default
# decimal context: 12 + 6 digits per row, times up to 10^9 rows, is 27 digits.
_MAX_WHOLE_DIGITS = 12
_MAX_DECIMALS = 6
_DISTINCT_LIMIT = 200_000  # distinct lines held before they are folded into sums
_CACHE_LIMIT = 100_000

Raw = tuple[str, str, str, Cell]


@dataclass(frozen=True, slots=True)
class _Layout:
    delimiter: str
    indexes: tuple[int, int, int, int]
    header_width: int
    #: Header name (case-folded) -> column: the standard names, or an import profile's.
    aliases: Mapping[str, str] = field(compare=False)

    @property
    def width(self) -> int:
        """The fields a row needs: up to the last of the four columns."""
        return max(self.indexes) + 1


def _split_decimal(fields: Sequence[Cell], layout: _Layout) -> str | None:
    """Why the row's quantity may be a decimal comma split by the ',' delimiter, or None."""
    if layout.delimiter != ",":
        return None
    return split_number(
        _texts(fields),
        layout.indexes[3],
        layout.delimiter,
        layout.header_width,
        "quantity",
        used=layout.indexes,
    )


def _texts(fields: Sequence[Cell]) -> list[str]:
    """The cells as text (a number cell of a worksheet as its digits)."""
    return [f if isinstance(f, str) else str(f) for f in fields]


def _is_header_row(fields: Sequence[Cell], layout: _Layout) -> bool:
    """Whether a row names the four columns again, as a second export's header does."""
    if len(fields) < layout.width:
        return False
    texts = _texts(fields)
    names = [layout.aliases.get(texts[i].strip().casefold()) for i in layout.indexes]
    return names == list(_named(layout.aliases))


def _required(aliases: Mapping[str, str]) -> tuple[str, ...]:
    """The columns a header must have: all four, but the month when a profile fixes it."""
    named = set(aliases.values())
    return tuple(c for c in COLUMNS if c in named)


def _named(aliases: Mapping[str, str]) -> tuple[str, ...]:
    """What the header names at each of the four indexes.

    A month fixed by the profile reads the department's cell: the validator gives the
    profile's month whatever the cell says.
    """
    required = _required(aliases)
    return tuple(c if c in required else "department" for c in COLUMNS)


def _aliases(profile: ImportProfile | None) -> Mapping[str, str]:
    """Header names and the columns they are: an import profile's first, then sfprice's own.

    A standard name (``antal``) stands for its column only when the profile maps no other
    header to that column and does not ignore it.
    """
    if profile is None:
        return _ALIASES
    mapped = set(profile.columns.values())
    if profile.fixed_month is not None:
        mapped.add("month")  # no column is the month: the profile fixes it
    names = {k: v for k, v in _ALIASES.items() if v not in mapped and k not in profile.ignored}
    names.update(profile.columns)
    return names


def _detect_layout(header_line: str, path: str, aliases: Mapping[str, str] = _ALIASES) -> _Layout:
    if not header_line.strip():
        raise InputError(
            [
                Issue(
                    path,
                    "the file is empty or its first line is blank; expected the header "
                    f"{','.join(COLUMNS)}",
                    line=1,
                )
            ]
        )
    best: list[str] = []
    for delimiter in _DELIMITERS:
        fields = next(csv.reader([header_line], delimiter=delimiter), [])
        layout = _header_layout(fields, delimiter, aliases, lambda m: Issue(path, m, line=1))
        if layout is not None:
            return layout
        if len(fields) > len(best):
            best = fields
    raise InputError(
        [Issue(path, _missing_columns(best, aliases, " (separated by , or ;)"), line=1)]
    )


def _header_layout(
    fields: Sequence[str],
    delimiter: str,
    aliases: Mapping[str, str],
    issue: Callable[[str], Issue],
) -> _Layout | None:
    """The layout a header row names, or None when it lacks a column."""
    names = [aliases.get(f.strip().casefold(), "") for f in fields]
    if not all(c in names for c in _required(aliases)):
        return None
    duplicated = sorted({n for n in names if n in COLUMNS and names.count(n) > 1})
    if duplicated:
        message = f"column(s) {', '.join(duplicated)} appear more than once in the header"
        raise InputError([issue(message)])
    indexes = tuple(names.index(c) for c in _named(aliases))
    return _Layout(delimiter, indexes, len(fields), aliases)  # type: ignore[arg-type]


def _missing_columns(header: Sequence[str], aliases: Mapping[str, str], how: str) -> str:
    found = [f.strip() for f in header]
    names = [aliases.get(f.casefold(), "") for f in found]
    missing = [c for c in _required(aliases) if c not in names]
    expected = ",".join(_required(aliases))
    if aliases is not _ALIASES:
        expected += " or the import profile's names for them"
    return (
        f"missing column(s) {', '.join(missing)}: the header is {found!r}; "
        f"expected the columns {expected}{how}"
    )


def _in_range(value: Decimal, text: str) -> Decimal | str:
    """The quantity if it is 0 or more and has at most 12 + 6 digits, else a message."""
    if value < 0 and value:
        return f"quantity {text!r} is negative (expected 0 or more)"
    # Trailing zeros carry no value: "12,0000000" is 12.
    problem = magnitude_problem(value, whole_digits=_MAX_WHOLE_DIGITS, decimals=_MAX_DECIMALS)
    if problem is not None:
        return f"quantity {text!r} {problem}"
    whole, _, fraction = format(value.copy_abs(), "f").partition(".")
    if len(fraction) > _MAX_DECIMALS:
        fraction = fraction[:_MAX_DECIMALS]
    return Decimal(f"{whole}.{fraction}" if fraction else whole)


def read_quantity(text: str) -> Decimal | Ambiguous | str:
    """A quantity, an :class:`Ambiguous` one (``1.000``) for the file to settle, or a message.

    >>> read_quantity("1 234,5")
    Decimal('1234.5')
    >>> read_quantity("-3")
    "quantity '-3' is negative (expected 0 or more)"
    """
    value = read_number(text)
    if isinstance(value, Ambiguous):
        if value.as_grouped < 0:
            return f"quantity {text!r} is negative (expected 0 or more)"
        return value
    if isinstance(value, str):
        return value
    return _in_range(value, text)


def parse_quantity(text: str, marks: DecimalMarks | None = None) -> Decimal | str:
    """A quantity as written in an export (``12``, ``2,5``, ``1 200``), or an error message.

    Args:
        text: The cell.
        marks: The decimal marks the file's numbers show (:meth:`DecimalMarks.of`), which
            settle a value such as ``1.000``; without them such a value is refused.

    >>> parse_quantity("1 234,5")
    Decimal('1234.5')
    >>> parse_quantity("1.000", DecimalMarks.of(["2,5"]))
    Decimal('1000')
    >>> parse_quantity("-3")
    "quantity '-3' is negative (expected 0 or more)"
    """
    value = read_quantity(text)
    if isinstance(value, Ambiguous):
        settled = resolve(value, marks or DecimalMarks())
        return settled if isinstance(settled, str) else _in_range(settled, text)
    return value


class _Validator:
    """Parses and checks distinct raw values once each, and explains what is wrong."""

    def __init__(
        self,
        catalog: PriceCatalog | None,
        year: int | None,
        profile: ImportProfile | None = None,
        customers: CustomerRegister | None = None,
    ) -> None:
        self.catalog = catalog
        self.year = year
        self.profile = profile
        self.customers = customers
        self.codes = sorted(catalog.codes) if catalog is not None else []
        self._months: dict[str, Month | str] = {}
        self._quantities: dict[tuple[Cell, str], Decimal | Ambiguous | str] = {}
        self._services: dict[str, str | None] = {}
        self._codes: dict[str, str] = {}
        #: The decimal marks the file's quantities show; final once the file is read.
        self.marks = DecimalMarks()
        self.final = False

    def month(self, text: str) -> Month | str:
        """The month, or an error message."""
        if self.profile is not None and self.profile.fixed_month is not None:
            return self.profile.fixed_month
        cached = self._months.get(text)
        if cached is None:
            by_profile = self.profile.month(text) if self.profile is not None else None
            try:
                cached = by_profile or read_month(text)
            except ValueError as exc:
                cached = str(exc)
                if self.profile is not None and self.profile.month_format is not None:
                    cached += f" or a month as the import profile's {self.profile.month_format!r}"
            self._months[text] = cached
        return cached

    def code(self, text: str) -> str:
        """The service code a cell names: itself, or what the import profile maps it to."""
        code = self._codes.get(text)
        if code is None:
            code = text.strip() if self.profile is None else self.profile.service_code(text)
            self._codes[text] = code
        return code

    def service(self, text: str) -> str | None:
        """None if the code is known (or no catalog), else an error message."""
        if text in self._services:
            return self._services[text]
        problem: str | None = None
        code = self.code(text)
        if not code:
            problem = "the service is empty (expected a service code, e.g. payroll.manual)"
        elif self.catalog is not None and code not in self.catalog.codes:
            if self.profile is not None and code == text.strip():
                labels = sorted(self.profile.services)
                near = difflib.get_close_matches(code, labels + self.codes, n=3, cutoff=0.5)
                hint = _label_hint(near, labels, "services")
                problem = (
                    f"unknown service label {text!r}: not in the import profile "
                    f"{self.profile.path} and not a service code; {hint}"
                )
            else:
                near = difflib.get_close_matches(code, self.codes, n=3, cutoff=0.5)
                hint = f"did you mean {', '.join(near)}?" if near else Remedy.LIST_CODES
                mapped = (
                    f" (the import profile maps it to {code!r})" if code != text.strip() else ""
                )
                problem = f"unknown service {text!r}{mapped}: no price list has it; {hint}"
        self._services[text] = problem
        return problem

    def department(self, text: str) -> tuple[str, str | None]:
        """(the department a cell names, or a message why it names none)."""
        try:
            department = clean_name(text)
        except ValueError as exc:
            return "?", str(exc)  # reported: the key is not built
        if self.profile is None or not department or is_total_text(department):
            return department, None
        mapped = self.profile.department(department)
        if mapped is not None:
            return mapped, None
        labels = sorted(self.profile.departments)
        near = difflib.get_close_matches(department, labels, n=3, cutoff=0.5)
        hint = _label_hint(near, labels, "departments")
        return "?", (
            f"unknown department label {department!r}: not in the import profile "
            f"{self.profile.path} ([departments]) and not one of its department names; {hint}"
        )

    def quantity(self, text: Cell, service: str) -> Decimal | Ambiguous | str:
        """The quantity, an ambiguous one (``1.000``, see :meth:`settle`), or a message.

        ``text`` is a cell: text, or the exact value of a worksheet's number cell. Every
        distinct text seen here also adds to the decimal marks the file shows (a number
        cell shows none: it is a number, not digits to be read).
        """
        key = (text, service)
        cached = self._quantities.get(key)
        if cached is None:
            self.note(text)
            cached = self._parse_quantity(text, self.code(service))
            if len(self._quantities) > _CACHE_LIMIT:
                self._quantities.clear()
            self._quantities[key] = cached
        return cached

    def note(self, text: Cell) -> None:
        """Add the decimal mark ``text`` shows, if any, to the file's marks."""
        if isinstance(text, str):
            self.marks = self.marks.add(text)

    def settle(self, value: Ambiguous, service: str) -> Decimal | str:
        """An ambiguous quantity read with the file's decimal mark, or a message."""
        settled = resolve(value, self.marks)
        if isinstance(settled, str):
            return settled
        checked = _in_range(settled, value.text)
        return checked if isinstance(checked, str) else self._whole(checked, value.text, service)

    def _parse_quantity(self, text: Cell, service: str) -> Decimal | Ambiguous | str:
        if isinstance(text, Decimal):  # a number cell: its value, in range
            checked = _in_range(text, str(text))
            return checked if isinstance(checked, str) else self._whole(checked, str(text), service)
        value = read_quantity(text)
        if isinstance(value, Decimal):
            return self._whole(value, text, service)
        return value

    def _whole(self, value: Decimal, text: str, service: str) -> Decimal | str:
        unit = self.catalog.unit_of(service) if self.catalog is not None else None
        if unit is not None and not unit.fractional:
            if value != value.to_integral_value():
                return (
                    f"{text!r} is not a whole number; {service} is counted "
                    f"{unit.label_sv} (only hours may have decimals)"
                )
            value = value.quantize(Decimal(1))
        return value

    def check(self, raw: Raw) -> tuple[VolumeKey | None, Decimal | None, list[tuple[str, str]]]:
        """Validate one distinct raw row: (key, quantity, [(column, problem)]).

        Before the file is read to the end (``final``), an ambiguous quantity is no problem
        yet and its quantity is None.
        """
        month_text, department_text, service_text, quantity_text = raw
        problems: list[tuple[str, str]] = []
        month = self.month(month_text)
        if isinstance(month, str):
            problems.append(("month", month))
        elif self.year is not None and month.year != self.year:
            return None, None, []  # outside the year: counted as excluded, not validated
        department, department_problem = self.department(department_text)
        if department_problem is not None:
            problems.append(("department", department_problem))
        elif not department:
            problems.append(("department", "the department is empty (expected a name or code)"))
        elif is_total_text(department):
            problems.append(("department", f"{department!r} is a total, not a department"))
        elif self.customers is not None and not isinstance(month, str):
            # A code, a name or an alias used in the month counts under the current name;
            # a label unknown to the register is left for the run's name check.
            found = self.customers.find(department, month)
            if isinstance(found, str):
                problems.append(("department", found))
            elif found is not None:
                department = found.department
        service_problem = self.service(service_text)
        if service_problem:
            problems.append(("service", service_problem))
        read = self.quantity(quantity_text, service_text)
        quantity: Decimal | str | None = read if not isinstance(read, Ambiguous) else None
        if isinstance(read, Ambiguous) and self.final:
            # Settled by the file's decimal mark, known once the whole file is read.
            quantity = self.settle(read, self.code(service_text))
        if isinstance(quantity, str):
            problems.append(("quantity", quantity))
        if problems or isinstance(month, str) or isinstance(quantity, str):
            return None, None, problems
        return VolumeKey(month, department, self.code(service_text)), quantity, []


def _label_hint(near: Sequence[str], labels: Sequence[str], table: str) -> str:
    """What a profile offers for an unknown label: the nearest, its labels, or none."""
    if near:
        return f"nearest labels: {', '.join(repr(n) for n in near)}"
    if labels:
        return f"its labels are {', '.join(repr(n) for n in labels[:8])}"
    return f"it has no [{table}] labels: add the label to its [{table}] table"


def _open(path: Path) -> IO[str]:
    return path.open(encoding="utf-8-sig", newline="")


def _is_blank(raw: Raw) -> bool:
    return not any(not isinstance(cell, str) or cell.strip() for cell in raw)


def read_volumes(
    path: str | Path,
    *,
    catalog: PriceCatalog | None = None,
    year: int | None = None,
    max_issues: int = 50,
    check_names: bool = True,
    profile: ImportProfile | str | Path | None = None,
    sheet: str | None = None,
    customers: CustomerRegister | None = None,
) -> VolumeSet:
    """Read one volume file into summed volumes per month, department and service.

    Args:
        path: The CSV file, or an ``.xlsx`` workbook (its first sheet, or ``sheet``).
        catalog: When given, service codes must exist in it and counted services must have
            whole-number quantities (hours may be fractional).
        year: When given, rows of other years are left out and counted in ``excluded``.
        max_issues: How many problems to list before the rest are only counted.
        check_names: Refuse department names that differ only by case, accents, spaces or
            punctuation (:mod:`sfprice.io.departments`); off only for a caller that checks several
            files together.
        profile: An import profile (:func:`sfprice.io.profiles.load_profile`, or its file)
            that maps the export's column names, service labels and department labels.
        sheet: The worksheet of a workbook to read (default: the profile's, or the first).
        customers: The customer register: each row's department label (a code, a name,
            an earlier name or alias used in the row's month) counts under the customer's
            current name; a label used outside its dates, or after the customer left, is
            refused at its row. Names not in the register are refused by the name check.

    Returns:
        The volumes, each with the file and number of rows it came from.

    Raises:
        InputError: One issue per bad value (file, line, column, value, expectation).
    """
    file = Path(path)
    name = str(path)
    if profile is not None and not isinstance(profile, ImportProfile):
        profile = load_profile(profile, catalog=catalog)
    validator = _Validator(catalog, year, profile, customers)
    try:
        with _open_table(file, name, profile, sheet) as table:
            result = table.sum(validator)
            result.settle()
            issues: list[Issue] = []
            if result.bad:
                issues, more = _collect_issues(table, validator, max_issues)
    except InputError:
        raise
    except csv.Error as exc:  # the rows' csv errors are located; this is the header's
        raise InputError([Issue(name, f"the header is not valid CSV: {exc}", line=1)]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([read_issue(file, name, exc)]) from exc
    if result.bad:
        if not issues:  # the fast pass and the row-by-row pass disagree: never drop rows
            issues = [Issue(name, "the file could not be read consistently; please report")]
        raise InputError(issues, truncated=more)
    volumes = VolumeSet.from_entries(
        (
            VolumeEntry(key, quantity, (VolumeSource(name, rows),))
            for key, (quantity, rows) in result.result().items()
        ),
        excluded={name: result.excluded} if result.excluded else {},
    )
    if check_names:
        check_departments(
            volumes=volumes, customers=customers, paths=[name], profile=profile, sheet=sheet
        )
    return volumes


_EXCLUDED = object()  # marks a (month, department, service) outside the requested year
_BAD = object()  # marks one with a problem


class _Sums:
    """Running sums per raw (month, department, service); rows arrive with their counts.

    Sums are keyed by the raw text, validated once per distinct value and turned into
    ``VolumeKey`` records only at the end, so the per-row work is a few dict look-ups.
    """

    def __init__(self, layout: _Layout, validator: _Validator) -> None:
        self.layout = layout
        self.getter: Callable[[list[str]], Raw] = itemgetter(*layout.indexes)
        self.width = layout.width
        self.header_width = layout.header_width
        self.validator = validator
        self.keys: dict[tuple[str, str, str], object] = {}
        self.sums: dict[tuple[str, str, str], list[Any]] = {}
        self.excluded = 0
        self.bad = False
        # Rows whose quantity waits for the file's decimal mark: (raw key, text) -> rows.
        self.pending: dict[tuple[tuple[str, str, str], Cell], int] = {}

    def add_fields(self, fields: Sequence[Cell], count: int) -> None:
        if len(fields) < self.width:
            # A short row is an error unless it is blank; the row-by-row pass says where.
            self.bad = self.bad or not _is_blank_row(fields)
            return
        if len(fields) > self.header_width and not _is_blank_row(fields[self.header_width :]):
            self.bad = True  # more fields than the header: the row-by-row pass says where
            return
        if _split_decimal(fields, self.layout) is not None:
            self.bad = True  # the row-by-row pass says where
            return
        month, department, service, quantity_text = self.getter(fields)  # type: ignore[arg-type]
        triple = (month, department, service)
        key = self.keys.get(triple)
        if key is None:
            key = self.keys[triple] = self._classify(month, department, service, quantity_text)
        if key is _EXCLUDED:
            self.excluded += count
            self.validator.note(quantity_text)
            return
        quantity = self.validator.quantity(quantity_text, service)
        if isinstance(quantity, Ambiguous) and key is not _BAD:
            pending = (triple, quantity_text)
            self.pending[pending] = self.pending.get(pending, 0) + count
            return
        if key is _BAD or not isinstance(quantity, Decimal):
            self.bad = self.bad or not _is_blank((month, department, service, quantity_text))
            return
        self._add(triple, quantity, count)

    def _add(self, triple: tuple[str, str, str], quantity: Decimal, count: int) -> None:
        entry = self.sums.get(triple)
        if entry is None:
            self.sums[triple] = [quantity * count, count]
        else:
            entry[0] += quantity * count
            entry[1] += count

    def settle(self) -> None:
        """Add the ambiguous quantities (``1.000``) read with the whole file's decimal mark."""
        self.validator.final = True
        for (triple, text), count in self.pending.items():
            value = self.validator.quantity(text, triple[2])
            assert isinstance(value, Ambiguous)  # that is why it waited
            quantity = self.validator.settle(value, self.validator.code(triple[2]))
            if isinstance(quantity, str):
                self.bad = True
            else:
                self._add(triple, quantity, count)
        self.pending.clear()

    def _classify(self, month: str, department: str, service: str, quantity: Cell) -> object:
        key, _, problems = self.validator.check((month, department, service, quantity))
        if key is not None:
            return key
        if problems and any(column != "quantity" for column, _ in problems):
            return _BAD
        if problems:  # only the quantity is bad: the key itself is fine
            return self.validator.check((month, department, service, "0"))[0] or _BAD
        return _EXCLUDED

    def result(self) -> dict[VolumeKey, tuple[Decimal, int]]:
        """Sums per validated key (spellings of one name, e.g. ' A' and 'A', or NFC and NFD)."""
        merged: dict[VolumeKey, tuple[Decimal, int]] = {}
        for triple, (quantity, rows) in self.sums.items():
            key = self.keys[triple]
            assert isinstance(key, VolumeKey)  # only valid keys are summed
            total, rows_so_far = merged.get(key, (Decimal(0), 0))
            merged[key] = (total + quantity, rows_so_far + rows)
        return merged


def _sum_lines(handle: IO[str], layout: _Layout, sums: _Sums) -> bool:
    """Fast path: count identical physical lines in C, then parse each distinct line once.

    A transaction-level export repeats the same few thousand lines millions of times, so
    this does less work than even a bare ``csv.reader`` pass. Returns False, to fall back to
    the csv-reader path, when a quoted field spans lines.
    """
    counts: Counter[str] = Counter()
    while chunk := list(islice(handle, _CHUNK_ROWS)):
        counts.update(chunk)
        if len(counts) > _DISTINCT_LIMIT and not _flush_lines(counts, layout, sums):
            return False
    return _flush_lines(counts, layout, sums)


def _flush_lines(counts: Counter[str], layout: _Layout, sums: _Sums) -> bool:
    plain = [line for line in counts if '"' not in line]
    # Lines without quotes are whole records: one reader parses them all, in order. A
    # field over the csv module's size limit raises: the csv-record path says where.
    try:
        parsed = list(csv.reader(plain, delimiter=layout.delimiter))
    except csv.Error:
        return False
    for fields, line in zip(parsed, plain, strict=True):
        if fields:
            sums.add_fields(fields, counts[line])
    for line, count in counts.items():
        if '"' not in line:
            continue
        # A line with quotes is parsed alone, strictly: one that ends inside a quoted field
        # (a record spanning lines) raises, and the file goes to the csv-reader path.
        try:
            fields = next(csv.reader([line], delimiter=layout.delimiter, strict=True), [])
        except csv.Error:
            return False
        if fields:
            sums.add_fields(fields, count)
    counts.clear()
    return True


def _sum_records(handle: IO[str], layout: _Layout, sums: _Sums, name: str) -> None:
    """General path: strict csv records (quoted fields may span lines), counted in chunks."""
    problems: list[Issue] = []
    rows = (fields for _, fields in _records(handle, layout, name, problems))
    while chunk := list(islice(rows, _CHUNK_ROWS)):
        for fields, count in Counter(map(tuple, chunk)).items():
            sums.add_fields(fields, count)
        if problems:  # a quoting problem or a long row: the row-by-row pass says where
            sums.bad = True
            problems.clear()
    sums.bad = sums.bad or bool(problems)


class _Table:
    """A volume file's rows, CSV or worksheet: summed fast, or read row by row when wrong.

    Both kinds give their rows as cells to the same checks (:class:`_Sums`,
    :func:`_collect_issues`); only reading the cells and locating a problem differ.
    """

    name: str
    layout: _Layout

    def __enter__(self) -> _Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the file."""

    def sum(self, validator: _Validator) -> _Sums:
        """Sum every row (the fast pass)."""
        raise NotImplementedError

    def rows(self, problems: list[Issue]) -> Iterator[tuple[int, Sequence[Cell]]]:
        """(line or row number, cells) per row; unreadable rows go to ``problems``."""
        raise NotImplementedError

    def issue(self, message: str, line: int | None, column: str | None) -> Issue:
        """An issue at a line (or row) and one of the four columns (or the whole row)."""
        raise NotImplementedError


class _CsvTable(_Table):
    def __init__(self, file: Path, name: str, aliases: Mapping[str, str]) -> None:
        self.file = file
        self.name = name
        check_encoding(file, name)
        with _open(file) as handle:
            self.layout = _detect_layout(handle.readline(), name, aliases)

    def sum(self, validator: _Validator) -> _Sums:
        """Sum the file: the fast path, or the csv-record path when a record spans lines."""
        sums = _Sums(self.layout, validator)
        with _open(self.file) as handle:
            handle.readline()
            if _sum_lines(handle, self.layout, sums):
                return sums
        sums = _Sums(self.layout, validator)
        with _open(self.file) as handle:
            handle.readline()
            _sum_records(handle, self.layout, sums, self.name)
        return sums

    def rows(self, problems: list[Issue]) -> Iterator[tuple[int, Sequence[Cell]]]:
        with _open(self.file) as handle:
            handle.readline()
            yield from _records(handle, self.layout, self.name, problems)

    def issue(self, message: str, line: int | None, column: str | None) -> Issue:
        return Issue(self.name, message, line=line, column=column)


class _SheetTable(_Table):
    """A worksheet: its first row is the header; cells right of the header are not read."""

    def __init__(self, sheet: Sheet, aliases: Mapping[str, str]) -> None:
        self.sheet = sheet
        self.name = sheet.path
        header = list(sheet.header())
        while header and not header[-1].strip():
            header.pop()  # openpyxl pads the header to the sheet's widest row
        if not header:
            message = (
                "the sheet is empty or its first row is blank; expected the header "
                f"{','.join(COLUMNS)}"
            )
            raise InputError([sheet.issue(message, 1)])
        layout = _header_layout(header, ";", aliases, lambda m: sheet.issue(m, 1))
        if layout is None:
            message = _missing_columns(header, aliases, "")
            if sheet.others:
                listed = ", ".join(repr(n) for n in sheet.others)
                message += f"; the workbook's other sheets: {listed} {Remedy.CHOOSE_SHEET}"
            raise InputError([sheet.issue(message, 1)])
        self.layout = layout

    def close(self) -> None:
        self.sheet.close()

    def sum(self, validator: _Validator) -> _Sums:
        sums = _Sums(self.layout, validator)
        rows = (tuple(cells) for _, cells in self.rows([]))
        while chunk := list(islice(rows, _CHUNK_ROWS)):
            for fields, count in Counter(chunk).items():
                sums.add_fields(fields, count)
        return sums

    def rows(self, problems: list[Issue]) -> Iterator[tuple[int, Sequence[Cell]]]:
        del problems  # a worksheet's cells are always readable
        return self.sheet.rows(self.layout.header_width, numbers=(self.layout.indexes[3],))

    def issue(self, message: str, line: int | None, column: str | None) -> Issue:
        at = self.layout.indexes[COLUMNS.index(column)] if column is not None else None
        return self.sheet.issue(message, line, at)


def department_places(
    path: str | Path, *, profile: ImportProfile | None = None, sheet: str | None = None
) -> dict[str, Issue]:
    """Where each department of a volume file first occurs, as an issue to fill in.

    The key is the department as the reader reads it (cleaned, mapped by the ``profile``);
    the value an :class:`Issue` at its first row and the department column (for a
    workbook its sheet, row and cell) with an empty message: give it one with
    :func:`dataclasses.replace`. A file that cannot be read again gives what was found.
    """
    places: dict[str, Issue] = {}
    validator = _Validator(None, None, profile)
    try:
        with _open_table(Path(path), str(path), profile, sheet) as table:
            at = table.layout.indexes[COLUMNS.index("department")]
            seen: set[Cell] = set()
            for line, cells in table.rows([]):
                if len(cells) <= at or (text := cells[at]) in seen:
                    continue
                seen.add(text)
                department, problem = validator.department(str(text))
                if problem is None and department and department not in places:
                    places[department] = table.issue("", line, "department")
    except (OSError, UnicodeDecodeError, csv.Error, InputError):
        pass  # the reader has read the file already; a location is a nicety
    return places


def _open_table(file: Path, name: str, profile: ImportProfile | None, sheet: str | None) -> _Table:
    """The volume file as a table: a worksheet of a workbook, or CSV text."""
    aliases = _aliases(profile)
    if is_workbook(file):
        chosen = sheet if sheet is not None else (profile.sheet if profile is not None else None)
        opened = open_sheet(file, name, chosen)
        try:
            return _SheetTable(opened, aliases)
        except BaseException:
            opened.close()
            raise
    return _CsvTable(file, name, aliases)


def _records(
    handle: IO[str], layout: _Layout, name: str, problems: list[Issue]
) -> Iterator[tuple[int, list[str]]]:
    """Yield (first physical line, fields) per well-formed record, skipping blank lines.

    Quoting problems and rows longer than the header go to ``problems`` (see
    :func:`sfprice.io._csv.records`).
    """
    return records(
        handle,
        layout.delimiter,
        name,
        width=layout.width,
        header_width=layout.header_width,
        issues=problems,
    )


def _collect_issues(
    table: _Table, validator: _Validator, max_issues: int
) -> tuple[list[Issue], int]:
    layout = table.layout
    issues: list[Issue] = []
    more = 0
    width = layout.width
    month_at, department_at, service_at, quantity_at = layout.indexes

    def report(found: Iterable[Issue]) -> None:
        nonlocal more
        for issue in found:
            if len(issues) < max_issues:
                issues.append(issue)
            else:
                more += 1

    problems: list[Issue] = []  # quoting problems and long rows, in file order
    for line, fields in table.rows(problems):
        report(problems)
        problems.clear()
        found: list[tuple[str | None, str]]
        texts = _texts(fields)
        if total_row(texts, (month_at, department_at, service_at), (quantity_at,)):
            found = [(None, total_row_message(texts, layout.delimiter))]
        elif len(fields) < width:
            found = (
                []
                if _is_blank_row(fields)
                else [
                    (
                        None,
                        (
                            f"the row has {len(fields)} field(s), expected at least {width} "
                            f"(separated by {layout.delimiter!r}): "
                            f"{layout.delimiter.join(texts)!r}"
                        ),
                    )
                ]
            )
        elif _is_header_row(fields, layout):
            found = [
                (
                    None,
                    "this row repeats the header (two exports pasted together?): delete it "
                    "(expected a row of data)",
                )
            ]
        elif (split := _split_decimal(fields, layout)) is not None:
            found = [("quantity", split)]
        else:
            raw: Raw = itemgetter(*layout.indexes)(fields)
            found = [] if _is_blank(raw) else list(validator.check(raw)[2])
        report(table.issue(message, line, column) for column, message in found)
    report(problems)
    return issues, more


def _is_blank_row(fields: Sequence[Cell]) -> bool:
    return not any(not isinstance(f, str) or f.strip() for f in fields)


def trace_rows(
    path: str | Path,
    key: VolumeKey,
    *,
    catalog: PriceCatalog | None = None,
    profile: ImportProfile | None = None,
    sheet: str | None = None,
    customers: CustomerRegister | None = None,
) -> tuple[int, ...]:
    """The line numbers of the rows of ``path`` that add up to the volume of ``key``.

    This is the audit trail of an invoice line: it reads the file again and lists the rows
    behind one department's use of one service in one month (for a workbook, the sheet's
    row numbers; give the ``profile`` and ``sheet`` it was read with). Give the
    ``customers`` the volumes were read with, so that rows naming the customer by code or
    alias are found.
    """
    validator = _Validator(catalog, key.month.year, profile, customers)
    lines: list[int] = []
    with _open_table(Path(path), str(path), profile, sheet) as table:
        layout = table.layout
        for line, fields in table.rows([]):
            if len(fields) >= layout.width:
                found, _, _ = validator.check(itemgetter(*layout.indexes)(fields))
                if found == key:
                    lines.append(line)
    return tuple(lines)


def locate_missing_prices(
    error: PriceNotFound, *, profile: ImportProfile | None = None, sheet: str | None = None
) -> PriceNotFound:
    """The same error with each issue located at the first row that uses the service.

    The billing engine does not read files, so its :class:`PriceNotFound` names the volume
    files only. This reads them again (the error path may be slow) and gives each issue
    the file and line of the first row of that service in that month, and how many rows
    there are. Files that cannot be read again are left as they were. Give the ``profile``
    and ``sheet`` the files were read with.
    """
    if not error.keys or len(error.keys) != len(error.issues):
        return error
    wanted = {(month, service) for month, service, _ in error.keys}
    found: dict[tuple[str, str, str], list[int]] = {}  # (path, month, service) -> [first, rows]
    tables: dict[str, _Table] = {}
    for path in sorted({p for _, _, paths in error.keys for p in paths}):
        try:
            tables[path] = _scan_rows(Path(path), wanted, found, profile, sheet)
        except (OSError, UnicodeDecodeError, csv.Error, InputError):
            continue
    issues = []
    for issue, (month, service, paths) in zip(error.issues, error.keys, strict=True):
        places = [(p, found[(p, month, service)]) for p in paths if (p, month, service) in found]
        if not places:
            issues.append(issue)
            continue
        (path, (line, _)), rows = places[0], sum(n for _, (_, n) in places)
        if len(places) == 1:
            message = f"{issue.message}; {rows} row(s) of this file use it, from line {line}"
        else:
            where = ", ".join(f"{p} from line {first} ({n})" for p, (first, n) in places)
            message = f"{issue.message}; {rows} row(s) use it: {where}"
        issues.append(tables[path].issue(message, line, "service"))
    return PriceNotFound(issues, error.keys)


def _scan_rows(
    file: Path,
    wanted: set[tuple[str, str]],
    found: dict[tuple[str, str, str], list[int]],
    profile: ImportProfile | None,
    sheet: str | None,
) -> _Table:
    name = str(file)
    validator = _Validator(None, None, profile)
    with _open_table(file, name, profile, sheet) as table:
        month_at, _, service_at, _ = table.layout.indexes
        for line, fields in table.rows([]):
            if len(fields) < table.layout.width:
                continue
            month = validator.month(_texts([fields[month_at]])[0])
            if isinstance(month, str):
                continue
            key = (str(month), validator.code(_texts([fields[service_at]])[0]))
            if key in wanted:
                entry = found.setdefault((name, *key), [line, 0])
                entry[1] += 1
    return table


def read_volume_files(
    paths: Iterable[str | Path],
    *,
    catalog: PriceCatalog | None = None,
    year: int | None = None,
    max_issues: int = 50,
    profile: ImportProfile | str | Path | None = None,
    sheet: str | None = None,
    customers: CustomerRegister | None = None,
) -> VolumeSet:
    """Read several volume files and add their volumes up; report the problems of all files.

    ``profile`` and ``sheet`` are those of :func:`read_volumes`, the same for every file.
    With ``customers``, each row's department label resolves as :func:`read_volumes` says.
    """
    parts: list[VolumeSet] = []
    issues: list[Issue] = []
    more = 0
    paths = list(paths)
    if profile is not None and not isinstance(profile, ImportProfile):
        profile = load_profile(profile, catalog=catalog)
    for path in paths:
        try:
            parts.append(
                read_volumes(
                    path,
                    catalog=catalog,
                    year=year,
                    max_issues=max_issues,
                    check_names=False,
                    profile=profile,
                    sheet=sheet,
                    customers=customers,
                )
            )
        except InputError as exc:
            issues.extend(exc.issues)
            more += exc.truncated
    if issues:
        raise InputError(issues, truncated=more)
    volumes = parts[0] if len(parts) == 1 else VolumeSet.merge(parts)
    # One spelling per department in all files; with a register, every name in it.
    check_departments(
        volumes=volumes, customers=customers, paths=paths, profile=profile, sheet=sheet
    )
    return volumes
