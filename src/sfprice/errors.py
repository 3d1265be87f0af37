"""Errors raised by sfprice, and the records that say where an input went wrong.

The exception tree::

    SfpriceError                    base class of every sfprice error
    ├── InputError(ValueError)      one or more problems in an input file (price list,
    │                               volume file); ``issues`` holds one Issue per problem
    └── PriceNotFound(LookupError)  volumes that no price list in force can price

Each class also subclasses the matching built-in, so ``except ValueError`` works in a
notebook. ``str(error)`` gives one line per problem in the ``path:line: message`` shape
editors and finance staff can follow.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["InputError", "Issue", "PriceNotFound", "Remedy", "SfpriceError"]


class Remedy(enum.StrEnum):
    """How to fix a problem, in the API's terms, as the core puts it in a message.

    The core (model, loaders, engine) never names a command-line option: it says
    ``customers=`` or ``months``, and the CLI words each remedy as its option or command
    (:mod:`sfprice.cli.hints`), so a notebook never reads ``--through``.
    """

    FEWER_MONTHS = "or measure fewer months"
    LIST_CODES = "the codes are in the pricelists (load_catalog().codes)"
    REGISTER_BOTH = "give a customer register that lists both"
    GIVE_CUSTOMERS = "(give one as customers=)"
    HTML_OR_CSV = "take this document as HTML, or the run as CSV, instead"
    SAME_ISSUER = "(give no issuer, or the one it was issued by)"
    CHOOSE_AREA = "choose one as area="
    GIVE_BASE_LIST = "give one as base_list="
    CHOOSE_TIME_BASE = "choose a time_base, month or year"
    GIVE_REASON = "(give one as reason=)"
    SAME_TIME_ZONE = "expected time_zone="
    CHOOSE_SHEET = "(choose one as sheet=)"
    PLAN_NEXT_YEAR = "to price a year from the volumes of the year before, plan it (plan_next_year)"
    GIVE_SUBSCRIPTIONS = (
        "issue it with its subscriptions (subscriptions_for_issue, then "
        "Register.issue(..., reconciliations=))"
    )
    ISSUE_WITH_CODES = (
        "issue the period again with a customer register (customers=) that gives the "
        "department a code"
    )


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in one input, with where it is and what was expected.

    Attributes:
        path: The file the problem is in (as given by the user).
        message: What is wrong, quoting the bad value, and what was expected.
        line: 1-based physical line in the file, when known.
        column: CSV column name, when known.
        field: Key path inside a structured file (``items[3].price``), when known.
        sheet: The worksheet of a workbook (``.xlsx``); then ``line`` is its row number and
            ``column`` the header of the column.
        cell: The column letter in a worksheet (``D``), when known.
    """

    path: str
    message: str
    line: int | None = None
    column: str | None = None
    field: str | None = None
    sheet: str | None = None
    cell: str | None = None

    def __str__(self) -> str:
        if self.sheet is not None:
            return self._in_sheet()
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        column = f" column {self.column!r}:" if self.column else ""
        key = f" {self.field}:" if self.field else ""
        return f"{where}:{column}{key} {self.message}"

    def _in_sheet(self) -> str:
        """``book.xlsx: sheet 'Lön', row 5, column D ('Antal'): message``."""
        where = [f"sheet {self.sheet!r}"]
        if self.line is not None:
            where.append(f"row {self.line}")
        if self.cell is not None:
            where.append(f"column {self.cell}" + (f" ({self.column!r})" if self.column else ""))
        elif self.column:
            where.append(f"column {self.column!r}")
        return f"{self.path}: {', '.join(where)}: {self.message}"

    def to_record(self) -> dict[str, object]:
        """Return the issue as a plain dict (for ``--errors json`` and notebooks).

        An issue in a worksheet also has ``sheet`` and ``cell`` (the column letter).
        """
        record: dict[str, object] = {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
        }
        if self.sheet is not None:
            record |= {"sheet": self.sheet, "cell": self.cell}
        return record


class SfpriceError(Exception):
    """Base class for all sfprice errors."""


class InputError(SfpriceError, ValueError):
    """An input file has one or more problems; ``issues`` lists each one.

    Args:
        issues: The problems, in file order.
        truncated: How many further problems were found but not listed (the cap).
    """

    def __init__(self, issues: Iterable[Issue], truncated: int = 0) -> None:
        self.issues: tuple[Issue, ...] = tuple(issues)
        self.truncated = truncated
        super().__init__(self._render())

    def _render(self) -> str:
        lines = [str(issue) for issue in self.issues]
        if self.truncated:
            lines.append(f"... and {self.truncated} more problem(s) not shown")
        return "\n".join(lines)


class PriceNotFound(SfpriceError, LookupError):
    """Volumes for a month or service that no price list in force can price.

    Attributes:
        issues: One Issue per (month, service) that has no price, naming the lists that exist.
        keys: For each issue, its month, service and volume files (may be empty).
    """

    def __init__(
        self, issues: Iterable[Issue], keys: Iterable[tuple[str, str, tuple[str, ...]]] = ()
    ) -> None:
        self.issues: tuple[Issue, ...] = tuple(issues)
        #: Per issue (when known): (month ``YYYY-MM``, service code, volume files), so that
        #: :func:`sfprice.io.volumes.locate_missing_prices` can name the rows.
        self.keys: tuple[tuple[str, str, tuple[str, ...]], ...] = tuple(keys)
        super().__init__("\n".join(str(issue) for issue in self.issues))
