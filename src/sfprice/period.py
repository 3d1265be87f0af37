"""Calendar value types: ``Month`` is the billing period of sfprice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

__all__ = ["Month"]

_MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})")  # ASCII: \d also matches "٢٠١٤"


@dataclass(frozen=True, slots=True, order=True)
class Month:
    """A calendar month, such as ``2014-03``: the period one invoice covers.

    >>> Month.parse("2014-03")
    Month(year=2014, month=3)
    >>> str(Month(2014, 3).next())
    '2014-04'
    """

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            msg = f"month must be 1..12, got {self.month!r}"
            raise ValueError(msg)
        if not 1 <= self.year <= 9999:
            msg = f"year must be 1..9999, got {self.year!r}"
            raise ValueError(msg)

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse ``YYYY-MM``; raise ``ValueError`` quoting the input otherwise."""
        match = _MONTH_RE.fullmatch(text.strip())
        if match is None:
            other = next((c for c in text if c.isdigit() and not "0" <= c <= "9"), None)
            why = f" ({other!r} is not an ASCII digit 0-9)" if other else ""
            msg = f"{text!r} is not a month{why} (expected YYYY-MM, e.g. 2014-03)"
            raise ValueError(msg)
        year, month = int(match[1]), int(match[2])
        if year < 1:
            msg = f"{text!r} is not a month: year {match[1]} does not exist"
            raise ValueError(msg)
        if not 1 <= month <= 12:
            msg = f"{text!r} is not a month: {month} is not 01..12"
            raise ValueError(msg)
        return cls(year, month)

    @property
    def first_day(self) -> date:
        """The first day of the month."""
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        """The last day of the month."""
        return self.first_day + relativedelta(months=1, days=-1)

    def next(self) -> Month:
        """The month after this one."""
        following = self.first_day + relativedelta(months=1)
        return Month(following.year, following.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
