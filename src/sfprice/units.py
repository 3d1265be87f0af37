"""What one unit of a service is (:class:`Unit`): the unit a price or an invoice line counts.

A module of its own so that both the price kinds (:mod:`sfprice.kinds`) and the model can
use it; :mod:`sfprice.model` re-exports it.
"""

from __future__ import annotations

import enum

__all__ = ["Unit"]


class Unit(enum.StrEnum):
    """What one unit of a service is; decides whether fractional quantities are allowed."""

    PERSON_MONTH = "person_month"
    """One salary or remuneration per person and month ("per person och månad")."""
    PAID_SALARY = "paid_salary"
    """One paid salary ("kr/utbetald lön")."""
    SALARY_DEBT = "salary_debt"
    """One salary debt that cannot be offset ("kr/löneskuld")."""
    TRANSACTION = "transaction"
    """One ledger transaction ("per transaktion")."""
    REMINDER = "reminder"
    """One reminder handled ("per påminnelse")."""
    HOUR = "hour"
    """One hour of an add-on service ("kr/timme"); fractional hours are allowed."""
    SHARE = "share"
    """A department's share of an allocated pool ("andel"); the line's quantity is 1."""
    DEPARTMENT_MONTH = "department_month"
    """One department in one month ("per förvaltning och månad"): fixed fees, minimums."""
    EMPLOYEE_MONTH = "employee_month"
    """One employee of a department in one month ("per anställd och månad")."""
    PERCENT = "percent"
    """A percentage of other lines: the quantity is their sum in kronor, the price a rate."""

    @property
    def fractional(self) -> bool:
        """True when a quantity of this unit may have decimals (hours, kronor of a base)."""
        return self in (Unit.HOUR, Unit.PERCENT)

    @property
    def label_sv(self) -> str:
        """The unit as a Swedish invoice prints it."""
        return _UNIT_LABELS_SV[self]


_UNIT_LABELS_SV = {
    Unit.PERSON_MONTH: "per person och månad",
    Unit.PAID_SALARY: "per utbetald lön",
    Unit.SALARY_DEBT: "per löneskuld",
    Unit.TRANSACTION: "per transaktion",
    Unit.REMINDER: "per påminnelse",
    Unit.HOUR: "per timme",
    Unit.SHARE: "andel",
    Unit.DEPARTMENT_MONTH: "per förvaltning och månad",
    Unit.EMPLOYEE_MONTH: "per anställd och månad",
    Unit.PERCENT: "procent",
}
