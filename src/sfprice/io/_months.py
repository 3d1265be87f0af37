"""One reader for the month column of every input (volumes, CSV or .xlsx, and staffing).

A month is written ``YYYY-MM`` (``2014-03``). Exports from payroll and ledger systems, and
Excel when it saves a date cell, often write the month as a date instead: the first day
(``2014-03-01``), a posting date (``2014-03-17``) or a date with a time of day
(``2014-03-01 00:00:00``, ``2014-03-01T00:00``). An ISO date is unambiguous (year, month,
day, in that order), so such a cell counts in the month of its date. Every other form, such
as ``03/01/2014`` (is it 1 March or 3 January?) or ``mars 2014``, is refused, and so is a
date that does not exist (``2014-02-30``).

A date cell of an ``.xlsx`` volume file reaches :func:`read_month` as its ISO text
(:mod:`sfprice.io._xlsx`), so workbooks and CSV files follow this one rule.
"""

from __future__ import annotations

import re
from datetime import time

from sfprice.period import Month

__all__ = ["read_month"]

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?")
_EXPECTED = "expected YYYY-MM, e.g. 2014-03, or a date YYYY-MM-DD"


def read_month(text: str) -> Month:
    """The month of a cell: ``YYYY-MM``, or the month of an ISO date ``YYYY-MM-DD[ hh:mm[:ss]]``.

    >>> str(read_month("2014-03")), str(read_month("2014-03-01")), str(read_month("2014-03-17"))
    ('2014-03', '2014-03', '2014-03')
    >>> str(read_month("2014-03-01 00:00:00"))
    '2014-03'

    Raises:
        ValueError: Quoting the text, when it is neither a month nor a date that exists.
    """
    stripped = text.strip()
    found = _DATE.fullmatch(stripped)
    if found is None:
        try:
            return Month.parse(text)
        except ValueError as exc:
            message = str(exc).replace("(expected YYYY-MM, e.g. 2014-03)", f"({_EXPECTED})")
            raise ValueError(message) from None
    year, month, day = (int(found[i]) for i in (1, 2, 3))
    problem = None
    if year < 1:
        problem = f"year {found[1]} does not exist"
    elif not 1 <= month <= 12:
        problem = f"month {found[2]} is not 01..12"
    elif not 1 <= day <= Month(year, month).last_day.day:
        problem = f"{Month(year, month)} has no day {found[3]}"
    elif found[4] is not None:
        try:
            time(int(found[4]), int(found[5]), int(found[6] or 0))
        except ValueError:
            problem = f"{stripped[11:]!r} is not a time of day"
    if problem is not None:
        msg = f"{text!r} is not a date: {problem} ({_EXPECTED})"
        raise ValueError(msg)
    return Month(year, month)
