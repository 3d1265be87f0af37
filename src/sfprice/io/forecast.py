"""Read forecast volumes: how many units of each service a year is expected to bring.

A CSV with at least the columns ``service`` and ``quantity`` (``tjänst``, ``antal``);
further columns (month, department, comments) are ignored and the rows of a service add
up. Delimiter ``,`` or ``;``, decimal mark ``.`` or ``,``, UTF-8 with or without BOM, as
for volume files.
"""

from __future__ import annotations

import difflib
from decimal import Decimal
from pathlib import Path

from sfprice.errors import InputError, Issue
from sfprice.io._numbers import DecimalMarks
from sfprice.io._table import table_rows
from sfprice.io.volumes import parse_quantity

__all__ = ["read_forecast"]

_ALIASES = {"service": "service", "tjänst": "service", "quantity": "quantity", "antal": "quantity"}


def read_forecast(path: str | Path, *, codes: frozenset[str] | None = None) -> dict[str, Decimal]:
    """Forecast quantity per service code.

    Args:
        path: The CSV file.
        codes: When given, every service must be one of these codes.

    Raises:
        InputError: One issue per bad value, with line and column.
    """
    name = str(path)
    issues: list[Issue] = []
    totals: dict[str, Decimal] = {}
    rows = list(
        table_rows(
            path,
            _ALIASES,
            ("service", "quantity"),
            issues,
            keys=("service",),
            numbers=("quantity",),
        )
    )
    marks = DecimalMarks.of(row["quantity"] for _, row in rows)  # the file's decimal mark
    for line, row in rows:
        code = row["service"].strip()
        quantity = parse_quantity(row["quantity"], marks)
        if codes is not None and code not in codes:
            near = difflib.get_close_matches(code, sorted(codes), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            message = f"unknown service {code!r}: no price list has it{hint}"
            issues.append(Issue(name, message, line=line, column="service"))
        elif isinstance(quantity, str):
            issues.append(Issue(name, quantity, line=line, column="quantity"))
        else:
            totals[code] = totals.get(code, Decimal(0)) + quantity
    if issues:
        raise InputError(sorted(issues, key=lambda issue: issue.line or 0))
    if not totals:
        raise InputError([Issue(name, "the forecast has no volumes")])
    return totals
