"""Read the customer register: each department's headcount and first year as a customer.

A CSV with the columns ``department`` and ``employees`` and/or ``first_year`` (Swedish
``förvaltning``, ``anställda``, ``första_år``); ``,`` or ``;`` between fields, UTF-8 with or
without a BOM. An empty cell means not known. Fees per employee need ``employees``, and
prices that step down by customer year need ``first_year``::

    department,employees,first_year
    Kulturförvaltningen,720,2024
    Stadsbyggnadsförvaltningen,1480,2026
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from sfprice.errors import InputError, Issue
from sfprice.io._numbers import Ambiguous, DecimalMarks, non_ascii_digit, read_number, resolve
from sfprice.io._table import table_rows
from sfprice.model import Customer
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


def read_customers(path: str | Path) -> dict[str, Customer]:
    """The customer register, by department, in file order.

    Raises:
        InputError: One issue per problem, with line, column and value: a missing
            column, an empty department, a department given twice, a bad number.
    """
    name = str(path)
    issues: list[Issue] = []
    register: dict[str, Customer] = {}
    lines: dict[str, int] = {}
    rows = list(
        table_rows(
            path, _ALIASES, ("department",), issues, keys=("department",), numbers=("employees",)
        )
    )
    if rows and not ({"employees", "first_year"} & rows[0][1].keys()):
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
        if problems or isinstance(employees, str) or isinstance(first_year, str):
            continue
        lines[department] = line
        register[department] = Customer(department, employees, first_year, f"{name}:{line}")
    issues.extend(register_variant_issues(name, lines))
    if issues:
        raise InputError(sorted(issues, key=lambda issue: issue.line or 0))
    if not register:
        raise InputError([Issue(name, "the customer register has no rows")])
    return register


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
