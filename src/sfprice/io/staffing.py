"""Read staffing (FTE, årsarbetare) per business area: the denominators of the KPIs.

A CSV with the columns ``area`` and ``fte``, and optionally ``month`` (``YYYY-MM``): without
a month, the FTE holds for every month of the year; with months, each row is the average FTE
of that month. Delimiter ``,`` or ``;``, decimal mark ``.`` or ``,``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sfprice.errors import InputError, Issue
from sfprice.io._numbers import DecimalMarks
from sfprice.io._table import table_rows
from sfprice.io.volumes import parse_quantity
from sfprice.period import Month

__all__ = ["read_staffing"]

_ALIASES = {
    "area": "area",
    "område": "area",
    "fte": "fte",
    "årsarbetare": "fte",
    "month": "month",
    "månad": "month",
}


def read_staffing(path: str | Path, *, year: int) -> dict[str, dict[int, Decimal]]:
    """FTE per area and month (1..12) of ``year``.

    Raises:
        InputError: One issue per bad value, with line and column.
    """
    name = str(path)
    issues: list[Issue] = []
    staffing: dict[str, dict[int, Decimal]] = {}
    rows = list(table_rows(path, _ALIASES, ("area", "fte"), issues, keys=("area",)))
    marks = DecimalMarks.of(row["fte"] for _, row in rows)  # the file's decimal mark
    for line, row in rows:
        area = row["area"].strip()
        fte = parse_quantity(row["fte"], marks)
        if not area:
            issues.append(Issue(name, "the area is empty", line=line, column="area"))
        if isinstance(fte, str):
            issues.append(Issue(name, fte, line=line, column="fte"))
        months = range(1, 13)
        if "month" in row:
            try:
                month = Month.parse(row["month"])
            except ValueError as exc:
                issues.append(Issue(name, str(exc), line=line, column="month"))
                continue
            if month.year != year:
                continue
            months = range(month.month, month.month + 1)
        if area and not isinstance(fte, str):
            for month_number in months:
                staffing.setdefault(area, {})[month_number] = fte
    if issues:
        raise InputError(issues)
    return staffing
