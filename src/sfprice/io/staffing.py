"""Read staffing (FTE, årsarbetare) per business area: the denominators of the KPIs.

A CSV with the columns ``area`` and ``fte``, and optionally ``month`` (``YYYY-MM``, or an
ISO date that counts in its month): without a month, the FTE holds for every month of the
year; with months, each row is the average FTE of that month. Delimiter ``,`` or ``;``,
decimal mark ``.`` or ``,``.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Sequence
from decimal import Decimal
from pathlib import Path

from sfprice.errors import InputError, Issue
from sfprice.io._months import read_month
from sfprice.io._numbers import DecimalMarks
from sfprice.io._table import table_rows
from sfprice.io.volumes import parse_quantity

__all__ = ["read_staffing"]

_ALIASES = {
    "area": "area",
    "område": "area",
    "fte": "fte",
    "årsarbetare": "fte",
    "month": "month",
    "månad": "month",
}


def read_staffing(
    path: str | Path, *, year: int, areas: Collection[str] | None = None
) -> dict[str, dict[int, Decimal]]:
    """FTE per area and month (1..12) of ``year``.

    Each area and month of the year has one figure: a row without a month covers all twelve,
    so a second row for the same area and month (with or without a month) is an error that
    names both lines, never "the last one wins". Rows for months of other years are skipped.

    Args:
        path: The CSV file.
        year: The year whose months are read.
        areas: The known business-area codes; an area outside them is an error that suggests
            the nearest (None: any area).

    Raises:
        InputError: One issue per bad value, with line and column.
    """
    name = str(path)
    issues: list[Issue] = []
    staffing: dict[str, dict[int, Decimal]] = {}
    seen: dict[tuple[str, int], int] = {}
    known = sorted(areas) if areas is not None else None
    rows = list(
        table_rows(path, _ALIASES, ("area", "fte"), issues, keys=("area",), numbers=("fte",))
    )
    marks = DecimalMarks.of(row["fte"] for _, row in rows)  # the file's decimal mark
    for line, row in rows:
        area = row["area"].strip()
        fte = parse_quantity(row["fte"], marks)
        if not area:
            issues.append(Issue(name, "the area is empty", line=line, column="area"))
        elif known is not None and area not in known:
            issues.append(Issue(name, _unknown_area(area, known), line=line, column="area"))
            area = ""
        if isinstance(fte, str):
            issues.append(Issue(name, fte.replace("quantity ", "FTE ", 1), line=line, column="fte"))
        months = range(1, 13)
        if "month" in row:
            try:
                month = read_month(row["month"])
            except ValueError as exc:
                issues.append(Issue(name, str(exc), line=line, column="month"))
                continue
            if month.year != year:
                continue
            months = range(month.month, month.month + 1)
        if not area:
            continue
        clash = next((m for m in months if (area, m) in seen), None)
        if clash is not None:
            whole = len(months) == 12 and all((area, m) in seen for m in months)
            when = str(year) if whole else f"{year}-{clash:02d}"
            issues.append(
                Issue(
                    name,
                    f"a second FTE figure for area {area!r} in {when}: line "
                    f"{seen[area, clash]} already gives one (expected one row per area and "
                    f"month, or one row per area without a month for the whole year)",
                    line=line,
                    column="area",
                )
            )
            continue
        for month_number in months:
            seen[area, month_number] = line
            if not isinstance(fte, str):
                staffing.setdefault(area, {})[month_number] = fte
    if issues:
        raise InputError(issues)
    return staffing


def _unknown_area(area: str, known: Sequence[str]) -> str:
    near = difflib.get_close_matches(area, known, n=1, cutoff=0.5)
    if not near:
        near = difflib.get_close_matches(area.lower(), known, n=1, cutoff=0.5)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    return f"unknown area {area!r} (known areas: {', '.join(known)}){hint}"
