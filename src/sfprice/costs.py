"""Cost budgets: what each business area costs and earns in a year, figure by figure.

A budget is data (``budgets/*.toml``, loaded by :mod:`sfprice.io.budgets`). Every figure
keeps its label and source, so a full-cost statement can say where each krona comes from.
Nothing here reads files or formats output.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from sfprice.costmodel import StaffDriver
from sfprice.money import allocate

__all__ = [
    "AreaBudget",
    "AreaKind",
    "BudgetFigure",
    "CostBudget",
    "CostKind",
    "RevenueKind",
]


class AreaKind(enum.StrEnum):
    """What finances a business area."""

    SELLING = "selling"
    """Financed by charging the departments (payroll, economy, procurement ...)."""
    COMMON = "common"
    """Shared costs with no sales of their own (board and administration, depreciation)."""
    APPROPRIATION = "appropriation"
    """Financed by an appropriation (anslag), e.g. Äldre Direkt in 2010."""


class CostKind(enum.StrEnum):
    """Kinds of cost in a budget."""

    STAFF = "staff"
    """Staff cost (wages with personnel on-cost)."""
    OTHER_DIRECT = "other_direct"
    """Other direct costs of the area."""
    OVERHEAD = "overhead"
    """The area's share of premises, IT, telephony, training, board and administration."""
    DEPRECIATION_INTEREST = "depreciation_interest"
    """Depreciation and internal interest (kapitalkostnader)."""
    UNEXPLAINED = "unexplained"
    """A difference the source states but does not explain; kept visible, never hidden."""


class RevenueKind(enum.StrEnum):
    """Kinds of revenue in a budget."""

    SALES = "sales"
    """Budgeted sales to the departments: what the prices are meant to bring in."""
    OTHER = "other"
    """Other revenue: assignments, compensations (not from the price list)."""
    APPROPRIATION = "appropriation"
    """Appropriation (anslag) from the city council."""


@dataclass(frozen=True, slots=True)
class BudgetFigure:
    """One figure of a budget, with what it is and where it comes from.

    Attributes:
        kind: A ``CostKind`` or ``RevenueKind`` value.
        label: What the figure is, as the source says it.
        amount: Kronor for the year (>= 0).
        source: Seed file and line, decision, or "HYPOTHETICAL ...".
        wages: For a staff cost given as wages x (1 + on-cost rate): the wages.
        oncost_rate: The personnel on-cost rate (personalomkostnadspålägg), e.g. 0.434.
    """

    kind: str
    label: str
    amount: Decimal
    source: str = ""
    wages: Decimal | None = None
    oncost_rate: Decimal | None = None

    def __post_init__(self) -> None:
        if self.amount < 0:
            msg = f"{self.label}: a budget figure must be >= 0, got {self.amount}"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class AreaBudget:
    """A business area's budget for a year.

    Attributes:
        code: Business-area code; it matches the ``business_area`` of price-list items.
        name: Swedish name (Löneadministration, Ekonomiadministration ...).
        kind: What finances the area.
        costs: Cost figures.
        revenues: Revenue figures.
        fte: Budgeted staffing (årsarbetare), used by the FTE key and KPIs.
        phasing: Twelve monthly weights for spreading the year over months (even if empty).
        drivers: Staff whose number follows volume (``[[areas.drivers]]``), for the cost
            model of :mod:`sfprice.costmodel`; empty when the area's cost is constant.
    """

    code: str
    name: str
    kind: AreaKind
    costs: tuple[BudgetFigure, ...] = ()
    revenues: tuple[BudgetFigure, ...] = ()
    fte: Decimal | None = None
    phasing: tuple[Decimal, ...] = ()
    drivers: tuple[StaffDriver, ...] = ()

    def __post_init__(self) -> None:
        if self.phasing and (len(self.phasing) != 12 or any(w < 0 for w in self.phasing)):
            msg = f"{self.code}: phasing needs 12 weights >= 0"
            raise ValueError(msg)
        if self.phasing and not any(self.phasing):
            msg = f"{self.code}: phasing weights are all zero"
            raise ValueError(msg)

    @property
    def direct_cost(self) -> Decimal:
        """Sum of the area's own costs."""
        return sum((c.amount for c in self.costs), Decimal(0))

    def cost_of(self, kind: CostKind) -> Decimal:
        """Sum of the area's costs of one kind."""
        return sum((c.amount for c in self.costs if c.kind == kind), Decimal(0))

    def revenue_of(self, kind: RevenueKind) -> Decimal:
        """Sum of the area's revenues of one kind."""
        return sum((r.amount for r in self.revenues if r.kind == kind), Decimal(0))

    @property
    def sales_budget(self) -> Decimal:
        """Budgeted sales to the departments."""
        return self.revenue_of(RevenueKind.SALES)

    @property
    def other_revenue(self) -> Decimal:
        """Revenue that does not come from the price list (other + appropriation)."""
        return self.revenue_of(RevenueKind.OTHER) + self.revenue_of(RevenueKind.APPROPRIATION)

    @property
    def total_revenue(self) -> Decimal:
        """All budgeted revenue."""
        return sum((r.amount for r in self.revenues), Decimal(0))

    def monthly(self, amount: Decimal) -> tuple[Decimal, ...]:
        """Spread a year's amount over the 12 months by the phasing (even by default).

        The months sum exactly to ``amount`` (largest remainder, to öre).

        >>> AreaBudget("a", "A", AreaKind.SELLING).monthly(Decimal("100"))[:2]
        (Decimal('8.34'), Decimal('8.34'))
        """
        weights = self.phasing or (Decimal(1),) * 12
        parts = allocate(amount, dict(enumerate(weights, start=1)))
        return tuple(parts[month] for month in range(1, 13))


@dataclass(frozen=True, slots=True)
class CostBudget:
    """A year's cost budget, per business area.

    Attributes:
        id: Unique id (``"2014-payroll"``).
        year: The budget year.
        title: Human title.
        source: Where the budget comes from.
        areas: The business areas, in the order of the source.
        opening_balance: Result carried in from earlier years (resultatenhet); a surplus
            is positive.
        opening_balance_source: Where the opening balance comes from.
        currency: ISO currency code (SEK).
        path: The file it was loaded from, if any.
    """

    id: str
    year: int
    title: str
    source: str
    areas: tuple[AreaBudget, ...]
    opening_balance: Decimal = Decimal(0)
    opening_balance_source: str = ""
    currency: str = "SEK"
    path: str | None = None

    def __post_init__(self) -> None:
        codes = [a.code for a in self.areas]
        duplicated = sorted({c for c in codes if codes.count(c) > 1})
        if duplicated:
            msg = f"budget {self.id}: area code(s) {', '.join(duplicated)} appear twice"
            raise ValueError(msg)

    def area(self, code: str) -> AreaBudget | None:
        """The area with this code, or None."""
        return next((a for a in self.areas if a.code == code), None)

    @property
    def selling_areas(self) -> tuple[AreaBudget, ...]:
        """Areas financed by charging the departments."""
        return tuple(a for a in self.areas if a.kind is AreaKind.SELLING)

    @property
    def common_areas(self) -> tuple[AreaBudget, ...]:
        """Areas whose costs are shared by the selling areas."""
        return tuple(a for a in self.areas if a.kind is AreaKind.COMMON)

    @property
    def total_cost(self) -> Decimal:
        """All costs of all areas."""
        return sum((a.direct_cost for a in self.areas), Decimal(0))

    @property
    def total_revenue(self) -> Decimal:
        """All revenues of all areas."""
        return sum((a.total_revenue for a in self.areas), Decimal(0))

    def __iter__(self) -> Iterator[AreaBudget]:
        return iter(self.areas)
