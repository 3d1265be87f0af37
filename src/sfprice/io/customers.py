"""Read the customer register: the full TOML form, or a CSV of headcounts and first years.

:func:`read_customers` picks the form by the file's suffix: ``.toml`` is the full register
(codes, kinds, paying parents, price groups, earlier names and aliases ...;
:mod:`sfprice.io.customers_toml`, docs/customers.md); anything else is the CSV form.

The CSV form has the columns ``department`` and ``employees`` and/or ``first_year``
(Swedish ``förvaltning``, ``anställda``, ``första_år``); ``,`` or ``;`` between fields,
UTF-8 with or without a BOM. An empty cell means not known. Fees per employee need
``employees``, and prices that step down by customer year need ``first_year``::

    department,employees,first_year
    Kulturförvaltningen,720,2024
    Stadsbyggnadsförvaltningen,1480,2026

It may also give the columns ``code`` (ansvarskod, kostnadsställe), ``kind`` (typ),
``parent`` (the paying parent's code, betalare) and ``price_group`` (prisgrupp).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from sfprice.customers import CustomerRegister
from sfprice.errors import InputError, Issue
from sfprice.io._csv import check_encoding, read_issue
from sfprice.io._numbers import Ambiguous, DecimalMarks, non_ascii_digit, read_number, resolve
from sfprice.io._table import table_rows
from sfprice.io.customers_toml import code_problem, parent_problem, read_customer_toml, read_kind
from sfprice.model import Customer, CustomerKind
from sfprice.names import clean_name, name_variants

__all__ = ["CUSTOMER_COLUMNS", "read_customers", "register_variant_issues"]

#: The columns of a customer register, in the order sfprice writes them.
CUSTOMER_COLUMNS = ("department", "employees", "first_year")

_ALIASES = {
    "department": "department",
    "förvaltning": "department",
    "forvaltning": "department",
    "kund": "department",
    "avdelning": "department",
    "employees": "employees",
    "anställda": "employees",
    "anstallda": "employees",
    "antal anställda": "employees",
    "first_year": "first_year",
    "första_år": "first_year",
    "forsta_ar": "first_year",
    "första år": "first_year",
    "kund sedan": "first_year",
    "code": "code",
    "ansvarskod": "code",
    "kostnadsställe": "code",
    "kind": "kind",
    "typ": "kind",
    "parent": "parent",
    "betalare": "parent",
    "price_group": "price_group",
    "prisgrupp": "price_group",
}
_YEAR = re.compile(r"[1-9][0-9]{3}")  # ASCII digits only: int() also reads "٢٠٢٤"
_MAX_EMPLOYEES = 10**9


def _employees(text: str) -> int | str | None:
    if not text.strip():
        return None
    value = read_number(text)  # "1 480" is allowed; "1.480" is ambiguous and refused
    if isinstance(value, Decimal) and 0 <= value < _MAX_EMPLOYEES and value == int(value):
        return int(value)
    if isinstance(value, Ambiguous):
        return f"{resolve(value, DecimalMarks())} (a headcount)"
    digit = non_ascii_digit(text)
    why = f": {digit}" if digit else ""
    return f"{text!r} is not a headcount{why} (expected a whole number 0 or more, e.g. 720)"


def _first_year(text: str) -> int | str | None:
    compact = text.strip()
    if not compact:
        return None
    if not _YEAR.fullmatch(compact):
        digit = non_ascii_digit(text)
        why = f": {digit}" if digit else ""
        return f"{text!r} is not a year{why} (expected four digits, e.g. 2024)"
    return int(compact)


def read_customers(path: str | Path) -> CustomerRegister:
    """The customer register, by current name, in file order.

    A ``.toml`` file is the full register (docs/customers.md); any other file is the CSV
    form (see the module docs).

    Raises:
        InputError: One issue per problem, with line, column (or field) and value: a
            missing column, an empty department, a department given twice, a bad number,
            a code twice, an unknown paying parent ...
    """
    if Path(path).suffix.lower() == ".toml":
        name = str(path)
        try:
            check_encoding(Path(path), name)
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError([read_issue(Path(path), name, exc)]) from exc
        return read_customer_toml(name, text)
    return _read_csv(path)


def _read_csv(path: str | Path) -> CustomerRegister:
    name = str(path)
    issues: list[Issue] = []
    register: dict[str, Customer] = {}
    lines: dict[str, int] = {}
    codes: dict[str, int] = {}
    rows = list(
        table_rows(
            path, _ALIASES, ("department",), issues, keys=("department",), numbers=("employees",)
        )
    )
    if rows and not ({"employees", "first_year", "code", "price_group"} & rows[0][1].keys()):
        msg = "the header names no employees (anställda) or first_year (första_år) column"
        raise InputError([Issue(name, msg, line=1)])
    for line, row in rows:
        employees = _employees(row.get("employees", ""))
        first_year = _first_year(row.get("first_year", ""))
        problems = False
        try:
            department = clean_name(row["department"])
        except ValueError as exc:
            issues.append(Issue(name, str(exc), line=line, column="department"))
            department, problems = "", True
        if not department and not problems:
            issues.append(Issue(name, "the department is empty", line=line, column="department"))
            problems = True
        elif department in lines:
            issues.append(
                Issue(
                    name,
                    f"{department!r} is already on line {lines[department]}; "
                    "give each department once",
                    line=line,
                    column="department",
                )
            )
            problems = True
        for column, value in (("employees", employees), ("first_year", first_year)):
            if isinstance(value, str):
                issues.append(Issue(name, value, line=line, column=column))
                problems = True
        extra = _identity(row, line, name, codes, issues)
        if problems or extra is None or isinstance(employees, str) or isinstance(first_year, str):
            continue
        lines[department] = line
        code, kind, parent, group = extra
        register[department] = Customer(
            department,
            employees,
            first_year,
            f"{name}:{line}",
            code=code,
            kind=kind,
            parent=parent,
            price_group=group,
        )
    by_code = {c.code: c for c in register.values() if c.code is not None}
    issues.extend(
        Issue(name, problem, line=lines[customer.department], column="parent")
        for customer in register.values()
        if (problem := parent_problem(customer, by_code)) is not None
    )
    issues.extend(register_variant_issues(name, lines))
    if issues:
        raise InputError(sorted(issues, key=lambda issue: issue.line or 0))
    if not register:
        raise InputError([Issue(name, "the customer register has no rows")])
    return CustomerRegister(register.values(), path=name)


Identity = tuple[str | None, CustomerKind | None, str | None, str | None]


def _identity(
    row: dict[str, str], line: int, name: str, codes: dict[str, int], issues: list[Issue]
) -> Identity | None:
    """The optional code, kind, parent and price group of a CSV row; None on a problem."""
    start = len(issues)
    texts = {column: row.get(column, "").strip() or None for column in _IDENTITY}
    code, kind_text, parent, group = (texts[column] for column in _IDENTITY)
    for column, value in (("code", code), ("parent", parent)):
        if value is not None and (problem := code_problem(value)) is not None:
            issues.append(Issue(name, problem, line=line, column=column))
    if code is not None and code in codes:
        issues.append(
            Issue(
                name,
                f"the code {code!r} is already on line {codes[code]}; "
                "give each customer its own code",
                line=line,
                column="code",
            )
        )
    elif code is not None:
        codes[code] = line
    kind = read_kind(kind_text) if kind_text is not None else None
    if kind is not None and not isinstance(kind, CustomerKind):
        issues.append(Issue(name, kind, line=line, column="kind"))
        return None
    if len(issues) > start:
        return None
    return code, kind, parent, group


_IDENTITY = ("code", "kind", "parent", "price_group")


def register_variant_issues(path: str, lines: dict[str, int]) -> list[Issue]:
    """One issue per group of registered names that differ only in their spelling.

    A register that holds ``Kulturförvaltningen`` and ``kulturförvaltningen`` cannot say
    which one a volume row means: it must give each department once, spelt one way.

    Args:
        path: The register file, for the issue.
        lines: Each registered name and its line.
    """
    issues: list[Issue] = []
    for group in name_variants(lines):
        first, *others = group
        listed = " and ".join(f"{other!r} (line {lines[other]})" for other in others)
        verb = "differs" if len(others) == 1 else "differ"
        issues.append(
            Issue(
                path,
                f"{listed} {verb} from {first!r} (line {lines[first]}) only by case, "
                "accents, spaces or punctuation; give each department once, spelt one way",
                line=lines[others[0]],
                column="department",
            )
        )
    return issues
