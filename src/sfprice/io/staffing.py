"""Read staffing (FTE, årsarbetare) per business area: the denominators of the KPIs.

A CSV with the columns ``area`` and ``fte``, and optionally ``month`` (``YYYY-MM``): without
a month, the FTE holds for every month of the year; with months, each row is the average FTE
of that month. Delimiter ``,`` or ``;``, decimal mark ``.`` or ``,``.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from sfprice.errors import InputError, Issue
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
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            header = handle.readline()
            delimiter = ";" if header.count(";") > header.count(",") else ","
            names = [
                _ALIASES.get(f.strip().lower(), f.strip().lower())
                for f in next(csv.reader([header], delimiter=delimiter), [])
            ]
            if "area" not in names or "fte" not in names:
                raise InputError(
                    [
                        Issue(
                            name,
                            f"the header {header.strip()!r} lacks the "
                            "columns area and fte (month is optional)",
                            line=1,
                        )
                    ]
                )
            a_index, f_index = names.index("area"), names.index("fte")
            m_index = names.index("month") if "month" in names else None
            reader = csv.reader(handle, delimiter=delimiter)
            line = 2
            for fields in reader:
                if any(f.strip() for f in fields):
                    _row(fields, line, a_index, f_index, m_index, year, name, staffing, issues)
                line = reader.line_num + 2
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError([Issue(name, f"cannot read the staffing file: {exc}")]) from exc
    if issues:
        raise InputError(issues)
    return staffing


def _row(
    fields: list[str],
    line: int,
    a_index: int,
    f_index: int,
    m_index: int | None,
    year: int,
    name: str,
    staffing: dict[str, dict[int, Decimal]],
    issues: list[Issue],
) -> None:
    width = max(i for i in (a_index, f_index, m_index) if i is not None) + 1
    if len(fields) < width:
        issues.append(
            Issue(name, f"the row has {len(fields)} field(s), expected {width}", line=line)
        )
        return
    area = fields[a_index].strip()
    fte = parse_quantity(fields[f_index])
    if not area:
        issues.append(Issue(name, "the area is empty", line=line, column="area"))
    if isinstance(fte, str):
        issues.append(Issue(name, fte, line=line, column="fte"))
    months = range(1, 13)
    if m_index is not None:
        try:
            month = Month.parse(fields[m_index])
        except ValueError as exc:
            issues.append(Issue(name, str(exc), line=line, column="month"))
            return
        if month.year != year:
            return
        months = range(month.month, month.month + 1)
    if area and not isinstance(fte, str):
        for month_number in months:
            staffing.setdefault(area, {})[month_number] = fte
