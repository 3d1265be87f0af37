"""Subscriptions (the records): a fixed or forecast-priced annual amount, invoiced in twelfths.

The reference is Statens servicecenter's price model: each month the customer is invoiced
one twelfth of its forecast annual volumes priced by the list; at the end of April and of
October (and at year end) the invoiced amount is compared with the actual volumes priced by
the list, and a deviation over a threshold (100 000 kr per service area) is settled.

This module holds the records (pure: no files, no printing, no pricing); the calculation
(monthly parts, reconciliations, the invoices of a subscription year, the simulation model)
is :mod:`sfprice.engine.subscriptions`, over the billing engine. Amounts are kr
(``Decimal``, öre), quantities the service's units.

See ``docs/subscriptions.md``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from sfprice.collation import swedish_key
from sfprice.period import Month

__all__ = [
    "DEFAULT_MONTHS",
    "DEFAULT_THRESHOLD",
    "STATUSES",
    "Subscription",
    "SubscriptionTerms",
    "Subscriptions",
    "months_problem",
]

#: Reconcile at the end of April, of October and at year end (Statens servicecenter).
DEFAULT_MONTHS = (4, 10, 12)
#: kr per customer, area and reconciliation (Statens servicecenter's 100 000 kr per
#: service area).
DEFAULT_THRESHOLD = Decimal(100000)
#: The statuses of an agreement file: a draft from ``plan``, or agreed with the customers.
STATUSES = ("proposal", "agreed")


@dataclass(frozen=True, slots=True)
class SubscriptionTerms:
    """When and how strictly subscriptions are reconciled.

    Attributes:
        months: The reconciliation months (1..12, increasing, ending with 12: the year-end
            settlement), default April, October and December.
        threshold: kr; a deviation whose absolute value is at or under it is reported and
            carried into the next period, not invoiced.
        final_threshold: kr; the threshold at the year-end reconciliation (month 12);
            0 settles everything.

    Raises:
        ValueError: Months outside 1..12, not increasing or not ending with 12; a
            negative threshold.
    """

    months: tuple[int, ...] = DEFAULT_MONTHS
    threshold: Decimal = DEFAULT_THRESHOLD
    final_threshold: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "months", tuple(self.months))
        problem = months_problem(self.months)
        if problem is not None:
            raise ValueError(problem)
        for name in ("threshold", "final_threshold"):
            if getattr(self, name) < 0:
                msg = f"{name} {getattr(self, name)} is negative (expected 0 or more kr)"
                raise ValueError(msg)

    def threshold_at(self, month: int) -> Decimal:
        """The threshold of the reconciliation at ``month`` (the final one at 12)."""
        return self.final_threshold if month == 12 else self.threshold


def months_problem(months: Iterable[int]) -> str | None:
    """Why ``months`` cannot be reconciliation months, or None when they can."""
    listed = list(months)
    if not listed:
        return "no reconciliation month (expected e.g. [4, 10, 12])"
    if any(not 1 <= m <= 12 for m in listed):
        return f"months {listed} must each be 1..12"
    if any(b <= a for a, b in itertools.pairwise(listed)):
        return f"months {listed} are not increasing (expected e.g. [4, 10, 12])"
    if listed[-1] != 12:
        return (
            f"months {listed} do not end with 12: the year-end reconciliation settles what "
            "earlier ones carried (expected e.g. [4, 10, 12])"
        )
    return None


@dataclass(frozen=True, slots=True)
class Subscription:
    """One customer's subscription to one business area for a year.

    Attributes:
        customer: The department as invoices name it.
        area: The business-area code whose services the subscription covers.
        annual: kr for the year: the fixed amount, or the forecast priced by the list.
        forecast: Annual forecast volumes per service code, or None for a fixed amount.
        source: Where the figure comes from.
    """

    customer: str
    area: str
    annual: Decimal
    forecast: Mapping[str, Decimal] | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if self.annual < 0:
            msg = f"annual amount {self.annual} is negative (expected 0 or more kr)"
            raise ValueError(msg)
        if self.forecast is not None:
            object.__setattr__(self, "forecast", MappingProxyType(dict(self.forecast)))

    @property
    def fixed(self) -> bool:
        """True for a fixed annual amount: deviations are reported, never invoiced."""
        return self.forecast is None


@dataclass(frozen=True, slots=True)
class Subscriptions:
    """A year's subscriptions, as an agreement file gives them.

    Attributes:
        year: The year.
        subscriptions: One per customer and area, in file order.
        terms: The reconciliation terms.
        status: ``"proposal"`` (a draft, never issued) or ``"agreed"``.
        source: What the figures come from.
        pricelist: Id of the price list that prices forecast and actual volumes, or None.
        path: The file read, for messages.

    Raises:
        ValueError: A status other than proposal/agreed; a customer and area twice.
    """

    year: int
    subscriptions: tuple[Subscription, ...]
    terms: SubscriptionTerms = field(default_factory=SubscriptionTerms)
    status: str = "agreed"
    source: str = ""
    pricelist: str | None = None
    path: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "subscriptions", tuple(self.subscriptions))
        if self.status not in STATUSES:
            msg = f"status {self.status!r}: expected one of {', '.join(STATUSES)}"
            raise ValueError(msg)
        seen: set[tuple[str, str]] = set()
        for sub in self.subscriptions:
            if (sub.customer, sub.area) in seen:
                msg = f"{sub.customer} has two subscriptions to {sub.area}"
                raise ValueError(msg)
            seen.add((sub.customer, sub.area))

    def __len__(self) -> int:
        return len(self.subscriptions)

    @property
    def months(self) -> tuple[Month, ...]:
        """The year's twelve months."""
        return tuple(Month(self.year, m) for m in range(1, 13))

    def covers(self, department: str, area: str) -> bool:
        """True when ``department`` subscribes to ``area`` (its lines there are not billed)."""
        return any(s.customer == department and s.area == area for s in self.subscriptions)

    def customers(self) -> tuple[str, ...]:
        """The customers, in Swedish order."""
        return tuple(sorted({s.customer for s in self.subscriptions}, key=swedish_key))
