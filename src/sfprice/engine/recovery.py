"""Cost recovery: full cost per business area, and revenue against it over the year.

Pure functions of a :class:`~sfprice.costs.CostBudget` and a
:class:`~sfprice.engine.billing.BillingRun`; nothing here reads files or prints.

Money rules: common costs are shared among the selling areas by largest remainder to öre,
and a year's figure is spread over the months the same way, so every split sums exactly
to what was split. A result is revenue minus cost in every period; tertials and months sum
to the year.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext

from sfprice.costs import AreaBudget, CostBudget
from sfprice.engine.billing import BillingRun
from sfprice.money import allocate, recovery_ratio
from sfprice.period import Month

__all__ = [
    "TERTIALS",
    "AreaFullCost",
    "CostKey",
    "ForecastAccuracy",
    "FullCostStatement",
    "PeriodResult",
    "RecoveryBalance",
    "YearEndForecast",
    "area_revenue_by_month",
    "full_cost",
    "recovery_balance",
]

#: Tertials as the plans report them: T1 January–April, T2 May–August, T3 September–December.
TERTIALS: dict[str, tuple[int, ...]] = {
    "T1": (1, 2, 3, 4),
    "T2": (5, 6, 7, 8),
    "T3": (9, 10, 11, 12),
}

#: The forecast-accuracy target at tertial 2 the 2010 plan sets: ±1 % (004:189).
T2_ACCURACY_TARGET = Decimal("0.01")


class CostKey(enum.StrEnum):
    """How common costs are shared among the selling areas."""

    DIRECT_COST = "direct_cost"
    """In proportion to each area's own costs."""
    FTE = "fte"
    """In proportion to each area's staffing (årsarbetare)."""
    REVENUE = "revenue"
    """In proportion to each area's budgeted revenue."""
    FIXED = "fixed"
    """By shares the user gives per area."""


@dataclass(frozen=True, slots=True)
class AreaFullCost:
    """One area's full cost: its own costs plus its share of the common costs.

    Attributes:
        code: Business-area code.
        name: Swedish name.
        direct_cost: The area's own costs.
        common_share: Its share of the common costs (0 for areas that carry none).
        revenue: All its budgeted revenue (sales, other, appropriation).
        other_revenue: The part of ``revenue`` not from the price list.
    """

    code: str
    name: str
    direct_cost: Decimal
    common_share: Decimal
    revenue: Decimal
    other_revenue: Decimal

    @property
    def full_cost(self) -> Decimal:
        """Own costs plus the share of common costs."""
        return self.direct_cost + self.common_share

    @property
    def surplus(self) -> Decimal:
        """Budgeted revenue minus own costs: what the area contributes to common costs."""
        return self.revenue - self.direct_cost

    @property
    def result(self) -> Decimal:
        """Budgeted revenue minus full cost (0 at self cost)."""
        return self.revenue - self.full_cost

    @property
    def cost_to_recover(self) -> Decimal:
        """Full cost less other revenue: what the area's prices must bring in."""
        return self.full_cost - self.other_revenue


@dataclass(frozen=True, slots=True)
class FullCostStatement:
    """Full cost per selling area, and whether the areas' surpluses cover the common costs.

    Attributes:
        budget_id: The budget it was computed from.
        year: The budget year.
        key: How common costs were shared.
        areas: Selling areas with their full cost.
        common_cost: Costs of the common areas, less their own revenue.
        other_areas: Areas that neither sell nor carry common costs (appropriation-funded),
            with their result.
    """

    budget_id: str
    year: int
    key: CostKey
    areas: tuple[AreaFullCost, ...]
    common_cost: Decimal
    other_areas: tuple[AreaFullCost, ...] = ()

    @property
    def surplus_total(self) -> Decimal:
        """Sum of the selling areas' surpluses."""
        return sum((a.surplus for a in self.areas), Decimal(0))

    @property
    def coverage_gap(self) -> Decimal:
        """Surpluses minus common costs: 0 when the selling areas exactly cover them."""
        return self.surplus_total - self.common_cost

    def area(self, code: str) -> AreaFullCost | None:
        """The selling area with this code, or None."""
        return next((a for a in self.areas if a.code == code), None)


def _key_weights(
    areas: tuple[AreaBudget, ...], key: CostKey, shares: Mapping[str, Decimal] | None
) -> dict[str, Decimal]:
    if key is CostKey.DIRECT_COST:
        return {a.code: a.direct_cost for a in areas}
    if key is CostKey.REVENUE:
        return {a.code: a.total_revenue for a in areas}
    if key is CostKey.FTE:
        missing = [a.code for a in areas if a.fte is None]
        if missing:
            msg = f"the FTE key needs fte for every selling area; missing for {', '.join(missing)}"
            raise ValueError(msg)
        return {a.code: a.fte or Decimal(0) for a in areas}
    if shares is None:
        msg = "the fixed key needs a share per selling area"
        raise ValueError(msg)
    unknown = sorted(set(shares) - {a.code for a in areas})
    if unknown:
        msg = f"shares given for unknown or non-selling areas: {', '.join(unknown)}"
        raise ValueError(msg)
    return {a.code: shares.get(a.code, Decimal(0)) for a in areas}


def full_cost(
    budget: CostBudget,
    key: CostKey | str = CostKey.DIRECT_COST,
    shares: Mapping[str, Decimal] | None = None,
) -> FullCostStatement:
    """Share the common costs among the selling areas and state each area's full cost.

    Args:
        budget: The cost budget.
        key: How to share common costs (direct cost, FTE, revenue, or fixed shares).
        shares: For the fixed key, a weight per selling area (need not sum to 1).

    Raises:
        ValueError: When the key cannot be applied (no selling areas, missing FTE, ...).
    """
    key = CostKey(key)
    selling = budget.selling_areas
    common = sum((a.direct_cost - a.total_revenue for a in budget.common_areas), Decimal(0))
    if not selling:
        msg = f"budget {budget.id} has no selling area to carry costs"
        raise ValueError(msg)
    parts = allocate(common, _key_weights(selling, key, shares)) if common else {}

    def line(area: AreaBudget, share: Decimal) -> AreaFullCost:
        return AreaFullCost(
            area.code, area.name, area.direct_cost, share, area.total_revenue, area.other_revenue
        )

    return FullCostStatement(
        budget_id=budget.id,
        year=budget.year,
        key=key,
        areas=tuple(line(a, parts.get(a.code, Decimal(0))) for a in selling),
        common_cost=common,
        other_areas=tuple(
            line(a, Decimal(0))
            for a in budget.areas
            if a not in selling and a not in budget.common_areas
        ),
    )


# ------------------------------------------------------------------------ the balance


@dataclass(frozen=True, slots=True)
class PeriodResult:
    """Revenue against full cost for one period (a month, a tertial, year to date, a year).

    Attributes:
        label: ``2014-03``, ``T1``, ``2014-01..2014-08`` or ``2014``.
        months: The months it covers.
        billed: Revenue billed through the price lists (and allocation keys).
        other_revenue: Other revenue (assignments, appropriation), phased over the months.
        cost: Full cost, phased over the months.
        complete: False for a tertial or year that the actuals only partly cover.
    """

    label: str
    months: tuple[Month, ...]
    billed: Decimal
    other_revenue: Decimal
    cost: Decimal
    complete: bool = True

    @property
    def revenue(self) -> Decimal:
        """All revenue of the period."""
        return self.billed + self.other_revenue

    @property
    def result(self) -> Decimal:
        """Revenue minus cost (positive: over-recovery, a surplus)."""
        return self.revenue - self.cost

    @property
    def recovery_ratio(self) -> Decimal | None:
        """Revenue / cost (1 at self cost), to 4 decimals; None when there is no cost."""
        return recovery_ratio(self.revenue, self.cost)


@dataclass(frozen=True, slots=True)
class YearEndForecast:
    """A year-end forecast made from the months so far.

    Attributes:
        method: ``budget`` (actuals so far plus the budget for the remaining months) or
            ``run_rate`` (billed revenue so far extrapolated to 12 months).
        revenue: Forecast revenue for the year.
        cost: Full cost for the year.
    """

    method: str
    revenue: Decimal
    cost: Decimal

    @property
    def result(self) -> Decimal:
        """Forecast revenue minus cost."""
        return self.revenue - self.cost


@dataclass(frozen=True, slots=True)
class ForecastAccuracy:
    """How close the forecast made at tertial 2 came to the actual year (target ±1 %).

    The deviation is ``(actual result - forecast result) / full cost`` (the omslutning).
    """

    forecast: YearEndForecast
    actual_result: Decimal
    cost: Decimal
    target: Decimal = T2_ACCURACY_TARGET

    @property
    def deviation(self) -> Decimal | None:
        """Deviation as a fraction of the year's full cost, to 4 decimals.

        None when the full cost is 0: a share of nothing is not defined (not 0, not ∞).
        """
        if not self.cost:
            return None
        with localcontext() as context:
            context.prec = 60
            return ((self.actual_result - self.forecast.result) / self.cost).quantize(
                Decimal("0.0001")
            )

    @property
    def within_target(self) -> bool | None:
        """True when the deviation is within the target; None when it is not defined."""
        deviation = self.deviation
        return None if deviation is None else abs(deviation) <= self.target


@dataclass(frozen=True, slots=True)
class RecoveryBalance:
    """A business area's cost-recovery follow-up for a year, through a month.

    Attributes:
        area: Business-area code.
        year: The year.
        through: The last month with actuals.
        months: One row per month up to ``through``.
        tertials: T1–T3 rows for the tertials begun by ``through`` (partial ones flagged).
        year_to_date: January through ``through``.
        opening_balance: Result carried in from earlier years (surplus positive).
        forecasts: Year-end forecasts (budget-based and run rate).
        t2_accuracy: With a whole year of actuals: how the T2 forecast compared.
        full_cost: The area's full cost for the year.
    """

    area: str
    year: int
    through: Month
    months: tuple[PeriodResult, ...]
    tertials: tuple[PeriodResult, ...]
    year_to_date: PeriodResult
    opening_balance: Decimal
    forecasts: tuple[YearEndForecast, ...]
    t2_accuracy: ForecastAccuracy | None
    full_cost: Decimal

    @property
    def closing_balance(self) -> Decimal:
        """Opening balance plus the result so far (to carry into next year at year end)."""
        return self.opening_balance + self.year_to_date.result

    @property
    def is_full_year(self) -> bool:
        """True when the actuals cover December."""
        return self.through.month == 12


def area_revenue_by_month(run: BillingRun, area: str, year: int) -> dict[int, Decimal]:
    """Billed revenue of one business area per month (1..12) of a year."""
    revenue = {m: Decimal("0.00") for m in range(1, 13)}
    for invoice, line in run.lines:
        if invoice.month.year == year and line.business_area == area:
            revenue[invoice.month.month] += line.amount
    return revenue


def _period(
    label: str,
    months: tuple[int, ...],
    year: int,
    billed: Mapping[int, Decimal],
    other: tuple[Decimal, ...],
    cost: tuple[Decimal, ...],
    complete: bool = True,
) -> PeriodResult:
    return PeriodResult(
        label=label,
        months=tuple(Month(year, m) for m in months),
        billed=sum((billed[m] for m in months), Decimal("0.00")),
        other_revenue=sum((other[m - 1] for m in months), Decimal("0.00")),
        cost=sum((cost[m - 1] for m in months), Decimal("0.00")),
        complete=complete,
    )


def _budget_forecast(
    area: AreaBudget,
    actual: PeriodResult,
    through: int,
    cost: tuple[Decimal, ...],
    other: tuple[Decimal, ...],
) -> YearEndForecast:
    planned_billed = area.monthly(area.sales_budget)
    rest = range(through + 1, 13)
    revenue = actual.revenue + sum(
        (planned_billed[m - 1] + other[m - 1] for m in rest), Decimal("0.00")
    )
    return YearEndForecast("budget", revenue, sum(cost, Decimal("0.00")))


def recovery_balance(
    budget: CostBudget,
    statement: FullCostStatement,
    run: BillingRun,
    area: str,
    *,
    through: Month | None = None,
    opening_balance: Decimal | None = None,
) -> RecoveryBalance:
    """Follow up one selling area's revenue against its full cost, month by month.

    Args:
        budget: The cost budget (phasing, other revenue, sales budget for the forecast).
        statement: The full-cost statement of the same budget.
        run: The billing run of the year's volumes (its lines carry the business area).
        area: The business-area code.
        through: The last month with actuals; by default the last month the run bills for
            the area.
        opening_balance: Result carried in; by default the budget's opening balance.

    Raises:
        ValueError: When the area is not a selling area of the budget, or nothing is billed.
    """
    area_budget = budget.area(area)
    area_cost = statement.area(area)
    if area_budget is None or area_cost is None:
        codes = ", ".join(a.code for a in statement.areas)
        msg = f"{area!r} is not a selling area of budget {budget.id} (selling areas: {codes})"
        raise ValueError(msg)
    year = budget.year
    billed = area_revenue_by_month(run, area, year)
    if through is None:
        billed_months = [m for m, amount in billed.items() if amount]
        if not billed_months:
            msg = f"nothing is billed for area {area!r} in {year}"
            raise ValueError(msg)
        through = Month(year, max(billed_months))
    if through.year != year:
        msg = f"through {through} is not in the budget year {year}"
        raise ValueError(msg)
    cost = area_budget.monthly(area_cost.full_cost)
    other = area_budget.monthly(area_cost.other_revenue)
    last = through.month
    months = tuple(
        _period(str(Month(year, m)), (m,), year, billed, other, cost) for m in range(1, last + 1)
    )
    tertials = tuple(
        _period(
            name,
            tuple(m for m in span if m <= last),
            year,
            billed,
            other,
            cost,
            complete=span[-1] <= last,
        )
        for name, span in TERTIALS.items()
        if span[0] <= last
    )
    ytd_label = f"{Month(year, 1)}..{through}" if last < 12 else str(year)
    ytd = _period(
        ytd_label, tuple(range(1, last + 1)), year, billed, other, cost, complete=last == 12
    )
    year_cost = sum(cost, Decimal("0.00"))
    run_rate = YearEndForecast(
        "run_rate",
        (ytd.billed * 12 / last).quantize(Decimal("0.01")) + sum(other, Decimal("0.00")),
        year_cost,
    )
    forecasts = (_budget_forecast(area_budget, ytd, last, cost, other), run_rate)
    accuracy = None
    if last == 12:
        at_t2 = _period("T2", tuple(range(1, 9)), year, billed, other, cost)
        accuracy = ForecastAccuracy(
            _budget_forecast(area_budget, at_t2, 8, cost, other), ytd.result, year_cost
        )
    return RecoveryBalance(
        area=area,
        year=year,
        through=through,
        months=months,
        tertials=tertials,
        year_to_date=ytd,
        opening_balance=budget.opening_balance if opening_balance is None else opening_balance,
        forecasts=forecasts,
        t2_accuracy=accuracy,
        full_cost=area_cost.full_cost,
    )
