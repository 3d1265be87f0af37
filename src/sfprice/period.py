"""Calendar value types: ``Month`` is the billing period of sfprice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta

__all__ = ["DEFAULT_TIME_ZONE", "Month", "local_moment", "time_zone"]

DEFAULT_TIME_ZONE = "Europe/Stockholm"
"""The issuer's time zone unless configured: issue dates and numbering years follow it."""

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


def time_zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (``Europe/Stockholm``); ``ValueError`` quoting it otherwise.

    >>> time_zone("Europe/Stockholm").key
    'Europe/Stockholm'
    """
    try:
        if not name or name != name.strip():
            raise ZoneInfoNotFoundError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        msg = f"{name!r} is not a time zone (expected an IANA name, e.g. Europe/Stockholm)"
        raise ValueError(msg) from exc


def local_moment(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` (time-zone aware) in ``zone``, to the second.

    The issue date, the numbering year and "Fakturadatum" are this moment's date in the
    issuer's zone: 00:30 on 1 January in Stockholm is 23:30 UTC on 31 December.

    >>> from datetime import UTC
    >>> str(local_moment(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), time_zone("Europe/Stockholm")))
    '2027-01-01 00:30:00+01:00'
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        msg = f"{moment.isoformat()!r} has no time zone (expected an aware datetime)"
        raise ValueError(msg)
    return moment.astimezone(zone).replace(microsecond=0)
