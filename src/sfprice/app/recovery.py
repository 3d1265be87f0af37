"""Cost-recovery services: full cost, balance, KPIs and break-even, for every entry point.

The rules that turn a command's inputs into figures live here, once: which budget a name
stands for (a file or a bundled one), that the budget is for the year followed, which
selling area is meant, which months hold actuals (the reference window), which KPIs the
inputs allow and which price list a break-even keeps the ratios of. ``balance`` and
``kpi`` bill through :func:`~sfprice.app.run_billing`, so their revenue is ``bill``'s to
the öre, customer register and allocation pools included.

The CLI parses arguments into these requests and renders the outcomes; a notebook calls
the same functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sfprice.app.billing import BillingOutcome, BillingRequest, run_billing
from sfprice.costs import CostBudget
from sfprice.engine.breakeven import BreakEven, BreakEvenRule, break_even
from sfprice.engine.kpi import Kpi, KpiRow, TimeBase, kpi_report, kpis_for_year
from sfprice.engine.recovery import (
    AreaFullCost,
    CostKey,
    FullCostStatement,
    RecoveryBalance,
    area_revenue_by_month,
    full_cost,
    recovery_balance,
)
from sfprice.errors import Remedy, SfpriceError
from sfprice.io.budgets import bundled_budgets, load_budget
from sfprice.io.forecast import read_forecast
from sfprice.io.kpis import load_kpis, load_plan_indicators
from sfprice.io.pricelists import load_catalog
from sfprice.io.staffing import read_staffing
from sfprice.kpis import METRICS, KpiKind, PlanIndicator
from sfprice.model import PriceCatalog, PriceList
from sfprice.period import Month

__all__ = [
    "BalanceOutcome",
    "BreakEvenOutcome",
    "BreakEvenRequest",
    "BudgetRequest",
    "KpiOutcome",
    "KpiRequest",
    "RequestError",
    "area_cost",
    "base_list",
    "budget_for_year",
    "cost_statement",
    "follow_balance",
    "follow_kpis",
    "full_cost_statement",
    "open_budget",
    "selling_area",
    "solve_break_even",
]


class RequestError(SfpriceError, ValueError):
    """A request that does not fit its inputs (an unknown area, no base list, ...)."""


@dataclass(frozen=True, slots=True)
class BudgetRequest:
    """A cost budget and how its common costs are shared.

    Attributes:
        budget: A budget TOML file, or the name of a bundled one (``2014-payroll``).
        key: How common costs are shared among the selling areas.
        shares: Weights per area for the key ``fixed``.
    """

    budget: str | Path
    key: CostKey | str = CostKey.DIRECT_COST
    shares: Mapping[str, Decimal] = field(default_factory=dict)


def open_budget(name: str | Path) -> CostBudget:
    """The budget a name stands for: a file, or else a bundled budget of that name.

    >>> open_budget("2014-payroll").year
    2014
    """
    path = Path(name)
    text = str(name)
    if not path.exists() and not text.endswith(".toml"):
        bundled = bundled_budgets() / f"{text}.toml"
        if bundled.is_file():
            return load_budget(bundled)
    return load_budget(path)


def budget_for_year(name: str | Path, year: int) -> CostBudget:
    """The budget, which must be for ``year``.

    Only :func:`sfprice.app.planning.plan_next_year` takes a budget for the year after the
    volumes; when the budget is for ``year + 1`` the message says so.

    Raises:
        RequestError: When the budget is for another year.
    """
    budget = open_budget(name)
    if budget.year != year:
        msg = f"budget {budget.id} is for {budget.year}, not {year}"
        if budget.year == year + 1:
            # Next year's budget against this year's volumes: that is what plan does.
            msg += f"; {Remedy.PLAN_NEXT_YEAR}"
        raise RequestError(msg)
    return budget


def cost_statement(budget: CostBudget, request: BudgetRequest) -> FullCostStatement:
    """The budget's full cost per selling area, by the request's key and shares."""
    try:
        return full_cost(budget, request.key, dict(request.shares) or None)
    except ValueError as exc:
        raise RequestError(str(exc)) from exc


def full_cost_statement(request: BudgetRequest) -> FullCostStatement:
    """``fullcost``: the full cost per selling area of a budget.

    >>> full_cost_statement(BudgetRequest("2014-payroll")).year
    2014
    """
    return cost_statement(open_budget(request.budget), request)


def selling_area(budget: CostBudget, area: str | None) -> str:
    """The area asked for, or the budget's only selling area.

    Raises:
        RequestError: When no area is given and the budget has several selling areas.
    """
    if area:
        return area
    selling = budget.selling_areas
    if len(selling) != 1:
        codes = ", ".join(a.code for a in selling)
        msg = f"budget {budget.id} has several selling areas; {Remedy.CHOOSE_AREA} ({codes})"
        raise RequestError(msg)
    return selling[0].code


def area_cost(statement: FullCostStatement, budget: CostBudget, area: str) -> AreaFullCost:
    """The area's line of the statement.

    Raises:
        RequestError: When ``area`` is not a selling area of the budget.
    """
    found = statement.area(area)
    if found is None:
        codes = ", ".join(a.code for a in statement.areas)
        msg = f"{area!r} is not a selling area of budget {budget.id} (selling areas: {codes})"
        raise RequestError(msg)
    return found


def _check_through(through: Month | None, year: int) -> None:
    if through is not None and through.year != year:
        msg = (
            f"--through {through} is not in --year {year}; "
            f"give a month from {Month(year, 1)} to {Month(year, 12)}"
        )
        raise RequestError(msg)


# ------------------------------------------------------------------ balance


@dataclass(frozen=True, slots=True)
class BalanceOutcome:
    """A balance follow-up and the billing run its revenue comes from."""

    billing: BillingOutcome
    balance: RecoveryBalance


def follow_balance(
    billing: BillingRequest,
    budget: BudgetRequest,
    *,
    area: str | None = None,
    through: Month | None = None,
    opening_balance: Decimal | None = None,
) -> BalanceOutcome:
    """``balance``: an area's billed revenue against its full cost, month by month.

    The revenue is :func:`~sfprice.app.run_billing`'s, the same run ``bill`` shows. The
    actuals end with ``through``, or else with the area's last month billed from volumes
    (allocation lines fill every month of the year, so they do not count).
    """
    found = budget_for_year(budget.budget, billing.year)
    statement = cost_statement(found, budget)
    code = selling_area(found, area)
    outcome = run_billing(billing)
    if through is None and outcome.volume_run is not None:
        billed = area_revenue_by_month(outcome.volume_run, code, billing.year)
        months = [month for month, amount in billed.items() if amount]
        through = Month(billing.year, max(months)) if months else None
    try:
        balance = recovery_balance(
            found, statement, outcome.run, code, through=through, opening_balance=opening_balance
        )
    except ValueError as exc:
        raise RequestError(str(exc)) from exc
    return BalanceOutcome(outcome, balance)


# ------------------------------------------------------------------ KPIs


@dataclass(frozen=True, slots=True)
class KpiRequest:
    """What ``kpi`` measures besides the billing run.

    Attributes:
        staffing: FTE per business area (CSV), for per-FTE KPIs.
        budget: A cost budget, for cost per unit.
        metrics: The metric codes asked for; empty means all that the inputs allow.
        time_base: Per-FTE figures per month or per year, where the plan leaves it open.
        through: The last month with actuals (default: the last month billed from volumes).
    """

    staffing: Path | None = None
    budget: BudgetRequest | None = None
    metrics: tuple[str, ...] = ()
    time_base: TimeBase | str | None = None
    through: Month | None = None


@dataclass(frozen=True, slots=True)
class KpiOutcome:
    """The KPI rows, the plan's other indicators for the year, and the billing run."""

    billing: BillingOutcome
    rows: tuple[KpiRow, ...]
    others: tuple[PlanIndicator, ...]


def follow_kpis(billing: BillingRequest, request: KpiRequest) -> KpiOutcome:
    """``kpi``: the KPIs of the billed year against the figures its plans state.

    Raises:
        RequestError: No volumes in the year, a staffing file without the year's rows, or
            a per-FTE KPI whose time base is open and not chosen.
    """
    year = billing.year
    _check_through(request.through, year)
    outcome = run_billing(billing)
    # The months with actuals are those billed from volumes: allocation pools are spread
    # over the whole year and would make every month look billed.
    billed = [m.month for m in outcome.actual_months]
    last = request.through.month if request.through else (billed[-1] if billed else 0)
    if not last:
        msg = f"no volumes for {year}; nothing to measure"
        raise RequestError(msg)
    cost: dict[str, dict[int, Decimal]] = {}
    known = {m.area for m in METRICS.values()}
    if request.budget is not None:
        budget = budget_for_year(request.budget.budget, year)
        known |= {a.code for a in budget}
        statement = cost_statement(budget, request.budget)
        for area in statement.areas:
            area_budget = budget.area(area.code)
            if area_budget is not None:
                cost[area.code] = dict(enumerate(area_budget.monthly(area.full_cost), start=1))
    fte: dict[str, dict[int, Decimal]] = {}
    if request.staffing is not None:
        fte = read_staffing(request.staffing, year=year, areas=known)
        if not fte:
            msg = (
                f"{request.staffing}: no staffing rows for {year} (the file has no rows, "
                "or only rows of other years)"
            )
            raise RequestError(msg)
    chosen = _chosen_kpis(request, year, fte, cost)
    try:
        rows = kpi_report(
            outcome.run,
            chosen,
            year=year,
            months=range(1, last + 1),
            fte=fte,
            cost=cost,
            time_base=request.time_base,
        )
    except ValueError as exc:
        raise RequestError(str(exc)) from exc
    # The plan's other indicators of the year, unless only some KPIs were asked for.
    others = () if request.metrics else tuple(i for i in load_plan_indicators() if i.year == year)
    return KpiOutcome(outcome, rows, others)


def _chosen_kpis(
    request: KpiRequest,
    year: int,
    fte: Mapping[str, object],
    cost: Mapping[str, object],
) -> tuple[Kpi, ...]:
    """The KPIs asked for, or all that the inputs allow, with the figures for ``year`` only."""
    if request.metrics:
        metrics = [METRICS[code] for code in dict.fromkeys(request.metrics)]
    else:
        metrics = [
            m
            for m in METRICS.values()
            if (m.kind is KpiKind.PER_FTE and m.area in fte)
            or (m.kind is KpiKind.COST_PER_UNIT and m.area in cost)
            or m.kind is KpiKind.SHARE
        ]
    chosen = kpis_for_year(year, load_kpis().values(), metrics)
    open_base = [
        f"{k.code} ({'the plan leaves it open' if k.figure else 'no plan states a figure'})"
        for k in chosen
        if k.kind is KpiKind.PER_FTE and k.time_base is None
    ]
    if open_base and not request.time_base:
        msg = (
            f"the time base (per month or per year) of {', '.join(open_base)} is not stated "
            f"for {year}; {Remedy.CHOOSE_TIME_BASE}"
        )
        raise RequestError(msg)
    return chosen


# ------------------------------------------------------------------ break-even


@dataclass(frozen=True, slots=True)
class BreakEvenRequest:
    """What ``breakeven`` solves: see :func:`sfprice.engine.breakeven.break_even`.

    Attributes:
        budget: The cost budget and its key.
        forecast: The forecast volumes (CSV: service,quantity).
        rule: average, ratio or surcharge.
        pricelists: Price-list folders or files (empty: the bundled lists).
        area: The selling area (default: the budget's only one).
        base_list: The list whose ratios, names and units are kept (default: the list in
            force in the budget year, else the latest before it).
        fixed: Services with a fixed price.
        addon_revenue: Add-on revenue not in the forecast.
        carried_balance: Result carried in to return (default: the budget's opening balance).
        return_years: Years over which it is returned.
        quantum: Prices are rounded to this.
        draft_year: The draft list's year (default: the budget year).
    """

    budget: BudgetRequest
    forecast: Path
    rule: BreakEvenRule | str
    pricelists: Sequence[str | Path] = ()
    area: str | None = None
    base_list: str | None = None
    fixed: Mapping[str, Decimal] = field(default_factory=dict)
    addon_revenue: Decimal = Decimal(0)
    carried_balance: Decimal | None = None
    return_years: int = 1
    quantum: Decimal = Decimal(1)
    draft_year: int | None = None


@dataclass(frozen=True, slots=True)
class BreakEvenOutcome:
    """The solved prices, with the budget and area they recover."""

    budget: CostBudget
    area: str
    result: BreakEven


def base_list(catalog: PriceCatalog, year: int, wanted: str | None) -> PriceList:
    """The list asked for, or the list in force in January of ``year``, else the latest before.

    Raises:
        RequestError: When the list asked for is not in the catalog, or no list is in
            force in or before ``year``.
    """
    if wanted:
        found = catalog.get(wanted)
        if found is None:
            ids = ", ".join(pl.id for pl in catalog)
            msg = f"no price list {wanted!r} (lists: {ids})"
            raise RequestError(msg)
        return found
    in_force = catalog.in_force(Month(year, 1))
    if in_force is not None:
        return in_force
    earlier = [pl for pl in catalog if pl.valid_from.year <= year]
    if not earlier:
        msg = f"no price list in force in or before {year}; {Remedy.GIVE_BASE_LIST}"
        raise RequestError(msg)
    return earlier[-1]


def solve_break_even(request: BreakEvenRequest) -> BreakEvenOutcome:
    """``breakeven``: the prices that recover an area's full cost from forecast volumes."""
    budget = open_budget(request.budget.budget)
    statement = cost_statement(budget, request.budget)
    area = selling_area(budget, request.area)
    found = area_cost(statement, budget, area)
    catalog = load_catalog(list(request.pricelists) or None)
    base = base_list(catalog, budget.year, request.base_list)
    volumes = read_forecast(request.forecast, codes=catalog.codes)
    carried = budget.opening_balance if request.carried_balance is None else request.carried_balance
    try:
        result = break_even(
            cost_to_recover=found.full_cost,
            volumes=volumes,
            rule=request.rule,
            base=base,
            fixed=request.fixed,
            other_revenue=found.other_revenue,
            addon_revenue=request.addon_revenue,
            carried_balance=carried,
            return_years=request.return_years,
            quantum=request.quantum,
            year=request.draft_year or budget.year,
        )
    except ValueError as exc:
        raise RequestError(str(exc)) from exc
    return BreakEvenOutcome(budget, area, result)
