"""Read the full customer register: a TOML file of ``[[customer]]`` entries (docs/customers.md).

Every problem is reported with the file, the line of the key (or of the entry's
``[[customer]]`` header when the key is missing), the field (``customer[2].parent``), the
bad value and what was expected; all problems of the file are collected and reported at
once.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sfprice.customers import CustomerRegister, NameSpan, label_of, spans_overlap
from sfprice.errors import InputError, Issue
from sfprice.io._toml import parse_toml, table_lines
from sfprice.model import Customer, CustomerKind, KnownName
from sfprice.names import clean_name, fold_name

__all__ = ["CUSTOMER_FIELDS", "code_problem", "parent_problem", "read_customer_toml", "read_kind"]

#: The fields of a ``[[customer]]`` entry, in the order docs/customers.md lists them.
CUSTOMER_FIELDS = (
    "code",
    "name",
    "kind",
    "parent",
    "price_group",
    "employees",
    "first_year",
    "leaves",
    "reference",
    "address",
    "sie_object",
    "earlier_names",
    "aliases",
)
_CODE = re.compile(r"[0-9A-Za-z]{1,20}")  # what an SIE reader keeps of an object code
_YEAR = re.compile(r"[1-9][0-9]{3}")
_MAX_EMPLOYEES = 10**9
_KINDS = {kind.value: kind for kind in CustomerKind}
_KINDS_FOLDED = {fold_name(kind.value): kind for kind in CustomerKind}
_WHAT = {"name": "name", "code": "code", "earlier_names": "earlier name", "aliases": "alias"}


@dataclass
class _Entry:
    """One ``[[customer]]`` entry being read: where it is and what it gave."""

    index: int
    line: int | None
    keys: dict[str, int]
    path: str
    issues: list[Issue]
    values: dict[str, Any] = field(default_factory=dict)

    def problem(self, key: str, message: str) -> None:
        self.issues.append(
            Issue(
                self.path,
                message,
                line=self.keys.get(key, self.line),
                field=f"customer[{self.index}].{key}",
            )
        )


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return "a table"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _text(entry: _Entry, key: str, raw: object) -> str | None:
    if not isinstance(raw, str) or not raw.strip():
        entry.problem(key, f"{_shown(raw)} is not a text (expected a non-empty string in quotes)")
        return None
    return raw.strip()


def code_problem(raw: object) -> str | None:
    """Why ``raw`` is not a customer code (letters A-Z and digits, SIE-safe), or None."""
    if isinstance(raw, str) and _CODE.fullmatch(raw):
        return None
    if not isinstance(raw, str):
        return f'{_shown(raw)} is not a code (expected a code in quotes, e.g. "1310")'
    return (
        f"{_shown(raw)} is not a code (expected 1 to 20 letters A-Z or digits, e.g. 1310: "
        "an SIE reader keeps only those)"
    )


def _code(entry: _Entry, key: str, raw: object) -> str | None:
    problem = code_problem(raw)
    if problem is None:
        assert isinstance(raw, str)
        return raw
    entry.problem(key, problem)
    return None


def _name(entry: _Entry, key: str, raw: object) -> str | None:
    if not isinstance(raw, str):
        entry.problem(key, f"{_shown(raw)} is not a name (expected a name in quotes)")
        return None
    try:
        name = clean_name(raw)
    except ValueError as exc:
        entry.problem(key, str(exc))
        return None
    if not name:
        entry.problem(key, "the name is empty (expected a name in quotes)")
        return None
    return name


def read_kind(raw: object) -> CustomerKind | str:
    """The kind of customer ``raw`` names (case and accents aside), or why it names none.

    A :class:`CustomerKind` is a ``str`` too: tell the two apart with
    ``isinstance(found, CustomerKind)``.
    """
    if isinstance(raw, str):
        kind = _KINDS.get(raw.strip()) or _KINDS_FOLDED.get(fold_name(raw))
        if kind is not None:
            return kind
    near = difflib.get_close_matches(str(raw), list(_KINDS), n=1, cutoff=0.5)
    hint = f"did you mean {near[0]!r}? " if near else ""
    return f"{_shown(raw)} is not a kind of customer ({hint}expected one of {', '.join(_KINDS)})"


def _kind(entry: _Entry, raw: object) -> CustomerKind | None:
    kind = read_kind(raw)
    if isinstance(kind, CustomerKind):
        return kind
    entry.problem("kind", kind)
    return None


def _headcount(raw: object) -> int | None:
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw < _MAX_EMPLOYEES:
        return raw
    return None


def _employees(entry: _Entry, raw: object) -> tuple[int | None, tuple[tuple[int, int], ...]]:
    if isinstance(raw, dict):
        pairs: list[tuple[int, int]] = []
        for year, value in raw.items():
            count = _headcount(value)
            if not _YEAR.fullmatch(year):
                entry.problem(
                    "employees",
                    f"{year!r} is not a year (expected four digits, e.g. employees = "
                    "{ 2013 = 700, 2014 = 720 })",
                )
            elif count is None:
                entry.problem(
                    "employees",
                    f"{_shown(value)} in {year} is not a headcount (expected a whole number "
                    "0 or more, e.g. 720)",
                )
            else:
                pairs.append((int(year), count))
        return None, tuple(sorted(pairs))
    count = _headcount(raw)
    if count is None:
        entry.problem(
            "employees",
            f"{_shown(raw)} is not a headcount (expected a whole number 0 or more, e.g. 720, "
            "or a table by year)",
        )
    return count, ()


def _year(entry: _Entry, raw: object) -> int | None:
    if isinstance(raw, int) and not isinstance(raw, bool) and 1000 <= raw <= 9999:
        return raw
    entry.problem("first_year", f"{_shown(raw)} is not a year (expected four digits, e.g. 2014)")
    return None


def _date(entry: _Entry, key: str, raw: object, what: str = "") -> date | None:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    entry.problem(
        key,
        f"{what}{_shown(raw)} is not a date (expected a TOML date without quotes, e.g. 2018-12-31)",
    )
    return None


def _lines_of(entry: _Entry, raw: object) -> tuple[str, ...]:
    if isinstance(raw, list) and raw and all(isinstance(x, str) and x.strip() for x in raw):
        return tuple(x.strip() for x in raw)
    entry.problem(
        "address",
        f"{_shown(raw)} is not an address (expected a list of lines in quotes, "
        'e.g. ["Box 123", "123 45 Staden"])',
    )
    return ()


def _known(entry: _Entry, key: str, raw: object) -> Iterator[KnownName]:
    earlier = key == "earlier_names"
    example = (
        '[{ name = "Kultur- och fritidsförvaltningen", until = 2018-12-31 }]'
        if earlier
        else '["Utbildning Norr", { name = "Utbildning Syd", since = 2014-01-01 }]'
    )
    if not isinstance(raw, list):
        entry.problem(key, f"{_shown(raw)} is not a list (expected e.g. {key} = {example})")
        return
    for at, item in enumerate(raw):
        where = f"{key}[{at}]"
        if isinstance(item, str) and not earlier:
            item = {"name": item}
        if not isinstance(item, dict):
            entry.problem(
                key, f"{where}: {_shown(item)} is not a name with dates (expected e.g. {example})"
            )
            continue
        extra = sorted(set(item) - {"name", "since", "until"})
        if extra:
            entry.problem(
                key, f"{where}: unknown field {extra[0]!r} (expected name, since and until)"
            )
            continue
        if "name" not in item:
            entry.problem(key, f"{where}: the name is missing (expected e.g. {example})")
            continue
        if earlier and "until" not in item:
            entry.problem(
                key,
                f"{where}: an earlier name needs 'until', the last day it was used "
                f"(expected e.g. {example})",
            )
            continue
        name = _name(entry, key, item["name"])
        since = _date(entry, key, item["since"], f"{where}.since: ") if "since" in item else None
        until = _date(entry, key, item["until"], f"{where}.until: ") if "until" in item else None
        if since is not None and until is not None and since > until:
            entry.problem(
                key,
                f"{where}: since {since} is after until {until} (expected since <= until)",
            )
            continue
        if name is None or ("since" in item and since is None) or ("until" in item and not until):
            continue
        source = f"{entry.path}:{entry.keys.get(key, entry.line)}"
        yield KnownName(name, since, until, earlier=earlier, source=source)


def _read_entry(entry: _Entry, raw: Mapping[str, Any]) -> Customer | None:
    start = len(entry.issues)
    for key in raw:
        if key not in CUSTOMER_FIELDS:
            near = difflib.get_close_matches(key, CUSTOMER_FIELDS, n=1, cutoff=0.6)
            hint = f"did you mean {near[0]!r}? " if near else ""
            entry.problem(
                key, f"unknown field ({hint}expected one of {', '.join(CUSTOMER_FIELDS)})"
            )
    for key in ("code", "name"):
        if key not in raw:
            entry.problem(key, f"the customer has no {key} (expected {key} = ...)")
    code = _code(entry, "code", raw["code"]) if "code" in raw else None
    name = _name(entry, "name", raw["name"]) if "name" in raw else None
    kind = _kind(entry, raw["kind"]) if "kind" in raw else None
    parent = _code(entry, "parent", raw["parent"]) if "parent" in raw else None
    group = _text(entry, "price_group", raw["price_group"]) if "price_group" in raw else None
    employees, by_year = _employees(entry, raw["employees"]) if "employees" in raw else (None, ())
    first_year = _year(entry, raw["first_year"]) if "first_year" in raw else None
    leaves = _date(entry, "leaves", raw["leaves"]) if "leaves" in raw else None
    reference = _text(entry, "reference", raw["reference"]) if "reference" in raw else None
    address = _lines_of(entry, raw["address"]) if "address" in raw else ()
    sie = _code(entry, "sie_object", raw["sie_object"]) if "sie_object" in raw else None
    known: list[KnownName] = []
    for key in ("earlier_names", "aliases"):
        if key in raw:
            known.extend(_known(entry, key, raw[key]))
    if len(entry.issues) > start or name is None or code is None:
        return None
    return Customer(
        name,
        employees,
        first_year,
        f"{entry.path}:{entry.line}",
        code=code,
        kind=kind,
        parent=parent,
        price_group=group,
        known_names=tuple(known),
        employees_by_year=by_year,
        leaves=leaves,
        reference=reference,
        address=address,
        sie_object=sie,
    )


def read_customer_toml(path: str | Path, text: str) -> CustomerRegister:
    """The register of the TOML text of ``path`` (see the module docs).

    Raises:
        InputError: One issue per problem.
    """
    name = str(path)
    raw, issues = parse_toml(text, name)
    if raw is None:
        raise InputError(issues)
    for key in raw:
        if key != "customer":
            issues.append(
                Issue(name, "unknown table or key (expected [[customer]] entries)", field=key)
            )
    entries = raw.get("customer", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        msg = "customer must be [[customer]] tables (see docs/customers.md)"
        issues.append(Issue(name, msg, field="customer"))
        raise InputError(issues)
    if not entries:
        msg = "the customer register has no [[customer]] entries"
        raise InputError([*issues, Issue(name, msg)])
    headers, keys = table_lines(text, "customer")
    read: list[tuple[_Entry, Customer]] = []
    for index, values in enumerate(entries):
        line = headers[index] if index < len(headers) else None
        found = keys[index] if index < len(keys) else {}
        entry = _Entry(index, line, found, name, issues, dict(values))
        customer = _read_entry(entry, values)
        if customer is not None:
            read.append((entry, customer))
    _check_register(read)
    if issues:
        raise InputError(sorted(issues, key=lambda issue: issue.line or 0))
    return CustomerRegister((customer for _, customer in read), path=name)


def _check_register(read: list[tuple[_Entry, Customer]]) -> None:
    """Problems between entries: codes, names and SIE objects twice, parents, cycles."""
    codes: dict[str, _Entry] = {}
    objects: dict[str, tuple[_Entry, Customer]] = {}
    by_code: dict[str, Customer] = {}
    unique: list[tuple[_Entry, Customer]] = []  # a code given twice is reported once
    for entry, customer in read:
        assert customer.code is not None  # required above
        if customer.code in codes:
            first = codes[customer.code]
            entry.problem(
                "code",
                f"the code {customer.code!r} is already customer[{first.index}] "
                f"(line {first.line}); give each customer its own code",
            )
            continue
        codes[customer.code] = entry
        by_code[customer.code] = customer
        unique.append((entry, customer))
        object_code = customer.object_code
        assert object_code is not None
        if object_code in objects:
            other_entry, other = objects[object_code]
            entry.problem(
                "sie_object" if customer.sie_object else "code",
                f"the SIE object {object_code!r} is already {label_of(other)}'s "
                f"(customer[{other_entry.index}], line {other_entry.line}); "
                "expected one object per customer",
            )
        else:
            objects[object_code] = (entry, customer)
    _check_labels(unique)
    for entry, customer in unique:
        if (problem := parent_problem(customer, by_code)) is not None:
            entry.problem("parent", problem)


def parent_problem(customer: Customer, by_code: Mapping[str, Customer]) -> str | None:
    """Why the customer's ``parent`` is wrong (itself, unknown, a cycle), or None."""
    if customer.parent is None:
        return None
    if customer.parent == customer.code:
        return (
            f"{customer.parent!r} is the customer's own code "
            "(expected the code of its paying parent)"
        )
    if customer.parent not in by_code:
        near = difflib.get_close_matches(customer.parent, list(by_code), n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(map(repr, near))}? " if near else ""
        return (
            f"{customer.parent!r} is no customer's code in the register ({hint}"
            "expected the code of the paying parent, e.g. its nämnd)"
        )
    if (cycle := _cycle(customer, by_code)) is not None:
        return (
            f"the paying parents go round in a circle: {' -> '.join(cycle)} "
            "(expected a chain that ends at a customer without a parent)"
        )
    return None


def _cycle(customer: Customer, by_code: Mapping[str, Customer]) -> list[str] | None:
    seen = [customer.code or ""]
    parent = customer.parent
    while parent is not None and parent in by_code:
        seen.append(parent)
        if parent == customer.code:
            return seen
        if seen.count(parent) > 1:
            return None  # a cycle further up: reported at its own members
        parent = by_code[parent].parent
    return None


def _check_labels(read: list[tuple[_Entry, Customer]]) -> None:
    """A code, name or alias (spelt in any way) that two customers use on a common day."""
    uses: dict[str, list[tuple[str, str, NameSpan, _Entry]]] = {}
    for entry, customer in read:
        labels: list[tuple[str, str, NameSpan]] = [
            (customer.department, "name", NameSpan(customer)),
            (customer.code or "", "code", NameSpan(customer)),
        ]
        labels += [
            (
                known.name,
                "earlier_names" if known.earlier else "aliases",
                NameSpan(customer, known.since, known.until, known),
            )
            for known in customer.known_names
        ]
        for label, key, span in labels:
            uses.setdefault(fold_name(label), []).append((label, key, span, entry))
    for found in uses.values():
        for at, (label, key, span, entry) in enumerate(found):
            clash = next(
                (
                    other
                    for other in found[:at]
                    if other[2].customer is not span.customer and spans_overlap(other[2], span)
                ),
                None,
            )
            if clash is not None:
                other_label, other_key, other_span, other_entry = clash
                same = "" if other_label == label else f" (spelt {other_label!r})"
                entry.problem(
                    key,
                    f"{label!r} ({span.dates()}) is already the {_WHAT[other_key]} "
                    f"of {label_of(other_span.customer)}{same} ({other_span.dates()}, "
                    f"line {other_entry.keys.get(other_key, other_entry.line)}); "
                    "expected each name to mean one customer on any day",
                )
