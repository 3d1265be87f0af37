"""Planning next year: prices and subscriptions for year N+1 from year N's volumes.

``plan`` is the one command where the volumes' year may differ from the budget's: it
reads year N's actual volumes (or a forecast), treats them as the volume basis of year N+1
(each month moved one year on: 2025-03 counts as 2026-03) and solves break-even prices
against the N+1 budget with :func:`sfprice.engine.breakeven.break_even`, the engine
``breakeven`` uses, with the same rules and rounding. The result is a draft price list
(status ``proposal``, id ``<N+1>-forslag``) and, if asked, draft subscriptions: each
customer's annual amount, its share of the cost to recover by its year-N charge.

The cost to recover (kr, for year N+1) is::

    full cost of the area (N+1 budget)
    - other revenue of the area (revenue of kind other or appropriation)
    - carried result (resultatenhet: a surplus carried in lowers it, a deficit raises it;
      the budget's opening_balance unless another amount is given with its source)

The rules shared with ``breakeven`` (which budget, which area, which base list) are
:mod:`sfprice.app.recovery`'s; the year N charges are :func:`~sfprice.app.run_billing`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from sfprice.app.billing import BillingOutcome, BillingRequest, run_billing
from sfprice.app.recovery import (
    BudgetRequest,
    RequestError,
    area_cost,
    base_list,
    cost_statement,
    follow_balance,
    open_budget,
    selling_area,
)
from sfprice.costs import CostBudget
from sfprice.engine.billing import bill
from sfprice.engine.breakeven import BreakEven, BreakEvenRule, break_even
from sfprice.engine.planning import (
    DraftSubscription,
    NextYearPlan,
    PriceChange,
    SubscriptionBasis,
    share_by_charge,
    shift_volumes,
)
from sfprice.errors import InputError, Issue
from sfprice.io.forecast import read_forecast
from sfprice.model import PriceCatalog, PriceList, VolumeEntry, VolumeSet
from sfprice.money import exact_product, exact_sum

__all__ = [
    "DraftSubscription",
    "NextYearPlan",
    "PlanOutcome",
    "PlanRequest",
    "PriceChange",
    "SubscriptionBasis",
    "plan_next_year",
    "share_by_charge",
    "shift_volumes",
]


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """What ``plan`` reads.

    Attributes:
        billing: Year N's volumes and how they are billed (``billing.year`` is N): the
            price lists in force in N, the customer register, agreements.
        budget: The budget of year N+1 and its key.
        year: The year planned, N+1; the budget must be for it, and ``billing.year`` must
            be the year before.
        rule: The break-even rule (``average``, ``ratio``, ``surcharge``).
        forecast: A forecast (CSV ``service,quantity``, :func:`sfprice.read_forecast`) to
            solve the prices on instead of year N's volumes; None: year N's volumes.
        area: The selling area (default: the budget's only one).
        base_list: The list whose ratios, names and units are kept (default: the list in
            force in January of year N, else the latest before).
        fixed: Services with a fixed price, kr per unit.
        addon_revenue: Expected add-on revenue not in the volumes, kr; taken off the
            prices' target and off what the subscriptions share.
        carried: The result carried in, kr (a surplus positive); None: the budget's
            ``opening_balance``.
        carried_source: Where ``carried`` comes from (required with it).
        carried_from: Year N's budget: the carried result is then year N's closing balance
            (:func:`~sfprice.app.follow_balance` of the same volumes against it, which must
            run through December); not together with ``carried``.
        quantum: Prices are rounded half-up to a multiple of this (kr; 1 = whole kronor).
        subscriptions: Draft subscriptions too, and on which basis; None: none.
    """

    billing: BillingRequest
    budget: BudgetRequest
    year: int
    rule: BreakEvenRule | str
    forecast: Path | None = None
    area: str | None = None
    base_list: str | None = None
    fixed: Mapping[str, Decimal] = field(default_factory=dict)
    addon_revenue: Decimal = Decimal(0)
    carried: Decimal | None = None
    carried_source: str = ""
    carried_from: BudgetRequest | None = None
    quantum: Decimal = Decimal(1)
    subscriptions: SubscriptionBasis | str | None = None


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    """The plan and the year-N billing run it was made from (its notes, its customers)."""

    plan: NextYearPlan
    billing: BillingOutcome


def _check_years(request: PlanRequest, budget: CostBudget) -> None:
    """The budget is for the year planned, and the volumes for the year before."""
    if budget.year != request.year:
        where = budget.path or str(request.budget.budget)
        msg = (
            f"budget {budget.id} is for {budget.year}, not {request.year}: "
            f"plan {request.year} against a budget for {request.year}"
        )
        raise InputError([Issue(where, msg, field="year")])
    if request.billing.year != request.year - 1:
        msg = (
            f"the volumes are for {request.billing.year}, but a plan for {request.year} "
            f"is made from the volumes of the year before, {request.year - 1}, and only "
            "from those"
        )
        raise RequestError(msg)


def _area_volumes(volumes: VolumeSet, base: PriceList, area: str) -> list[VolumeEntry]:
    """The entries whose service the base list sells in ``area``.

    Raises:
        RequestError: When a service of the volumes is not in the base list.
    """
    missing = sorted({e.key.service for e in volumes if base.item(e.key.service) is None})
    if missing:
        msg = (
            f"base price list {base.id} has no {', '.join(missing)}: the volumes' services "
            "must be in the list whose prices are re-solved"
        )
        raise RequestError(msg)
    return [e for e in volumes if (item := base.item(e.key.service)) and item.business_area == area]


def _totals(entries: list[VolumeEntry], order: tuple[str, ...]) -> dict[str, Decimal]:
    """Each service's summed quantity, in the base list's order (``order``)."""
    totals: dict[str, Decimal] = {}
    for e in entries:
        totals[e.key.service] = exact_sum(
            [totals.get(e.key.service, Decimal(0)), e.quantity], Decimal(0)
        )
    return {code: totals[code] for code in order if code in totals}


def _relabel(result: BreakEven, basis_label: str, budget: CostBudget, year: int) -> PriceList:
    """The draft with the plan's id, title and sources: what it was solved from."""
    draft = result.draft
    note = (
        f"FÖRSLAG: break-even ({result.rule}) on {basis_label} against budget "
        f"{budget.id}; base list {result.base_id}"
    )
    items = tuple(
        replace(item, source=note) if item.code in result.exact_prices else item
        for item in draft.items
    )
    return replace(
        draft,
        id=f"{year}-forslag",
        title=f"FÖRSLAG till prislista {year} (självkostnad, {result.rule}), ej beslutad",
        source=f"sfprice plan: {note}",
        items=items,
        status="proposal",
    )


def _subscriptions(
    request: PlanRequest,
    outcome_total: Decimal,
    charges: Mapping[str, Decimal],
    entries: list[VolumeEntry],
    draft: PriceList,
    area: str,
    from_year: int,
    budget: CostBudget,
) -> tuple[DraftSubscription, ...]:
    if request.subscriptions is None:
        return ()
    basis = SubscriptionBasis(request.subscriptions)
    try:
        shares = share_by_charge(outcome_total, charges)
    except ValueError as exc:
        raise RequestError(str(exc)) from exc
    paying = {name: charges[name] for name in shares}
    if basis is SubscriptionBasis.AMOUNT:
        source = (
            f"FÖRSLAG: share of the cost to recover {outcome_total} kr (budget {budget.id}) "
            f"by the {from_year} charge"
        )
        return tuple(
            DraftSubscription(name, area, paying[name], shares[name], {}, source) for name in paying
        )
    found = []
    for name in paying:
        if not any(e.key.department == name for e in entries):
            continue  # charged by allocation lines only: no volumes to forecast from
        volumes = _totals([e for e in entries if e.key.department == name], draft.codes)
        annual = exact_sum(
            exact_product(q, item.price)
            for code, q in volumes.items()
            if (item := draft.item(code)) is not None
        )
        source = f"FÖRSLAG: the {from_year} volumes as the forecast, priced by {draft.id}"
        found.append(DraftSubscription(name, area, paying[name], annual, volumes, source))
    return tuple(found)


def _carried(request: PlanRequest, budget: CostBudget, area: str) -> tuple[Decimal, str]:
    """The carried result (kr, a surplus positive) and its source.

    The amount given, else year N's closing balance against its budget, else the N+1
    budget's ``opening_balance``.
    """
    if request.carried is not None:
        return request.carried, request.carried_source.strip()
    if request.carried_from is None:
        return budget.opening_balance, budget.opening_balance_source
    previous = open_budget(request.carried_from.budget)
    if previous.year != request.billing.year:
        msg = (
            f"budget {previous.id} is for {previous.year}: the result carried in is the "
            f"closing balance of {request.billing.year}, against that year's budget"
        )
        raise RequestError(msg)
    outcome = follow_balance(request.billing, request.carried_from, area=area)
    balance = outcome.balance
    if not balance.is_full_year:
        msg = (
            f"the volumes of {request.billing.year} run through {balance.through}: the "
            "result carried into the next year is known after December; give it as an amount"
        )
        raise RequestError(msg)
    source = (
        f"closing balance {request.billing.year} (area {area}): opening balance "
        f"{balance.opening_balance} + result {balance.year_to_date.result} kr"
    )
    return balance.closing_balance, source


def plan_next_year(request: PlanRequest) -> PlanOutcome:
    """``plan``: a draft price list (and draft subscriptions) for year N+1 from year N.

    Raises:
        InputError: A bad input file, or a budget that is not for ``request.year``
            (located at its ``year`` field).
        RequestError: Volumes not of the year before, an area that is not a selling area
            of the budget, a carried amount without its source, no volumes in the area,
            or prices that cannot be solved (:func:`~sfprice.engine.breakeven.break_even`).
    """
    budget = open_budget(request.budget.budget)
    _check_years(request, budget)
    if request.carried is not None and not request.carried_source.strip():
        msg = "a carried result given instead of the budget's needs its source"
        raise RequestError(msg)
    if request.carried is not None and request.carried_from is not None:
        msg = "give the carried result as an amount or as year N's balance, not both"
        raise RequestError(msg)
    statement = cost_statement(budget, request.budget)
    area = selling_area(budget, request.area)
    found = area_cost(statement, budget, area)
    from_year = request.billing.year
    outcome = run_billing(request.billing)
    catalog = outcome.catalog
    base = base_list(catalog, from_year, request.base_list)
    entries = _area_volumes(outcome.volumes or VolumeSet(()), base, area)
    if request.forecast is not None:
        basis = read_forecast(request.forecast, codes=catalog.codes)
        basis_label = f"prognosen {request.forecast}"
    else:
        basis = _totals(entries, base.codes)
        basis_label = f"{from_year} års volymer (underlag för {request.year})"
        if not basis:
            msg = f"no volumes of area {area} in {from_year}: nothing to solve prices on"
            raise RequestError(msg)
    carried, carried_source = _carried(request, budget, area)
    try:
        result = break_even(
            cost_to_recover=found.full_cost,
            volumes=basis,
            rule=request.rule,
            base=base,
            fixed=request.fixed,
            other_revenue=found.other_revenue,
            addon_revenue=request.addon_revenue,
            carried_balance=carried,
            quantum=request.quantum,
            year=request.year,
        )
    except ValueError as exc:
        raise RequestError(str(exc)) from exc
    draft = _relabel(result, basis_label, budget, request.year)
    changes = tuple(
        PriceChange(new.code, old.price, new.price)
        for old, new in zip(base.items, draft.items, strict=True)
        if new.code in result.prices or new.code in result.followed
    )
    charges: dict[str, Decimal] = {}
    for invoice, line in outcome.run.lines:
        if line.business_area == area:
            charges[invoice.department] = exact_sum(
                [charges.get(invoice.department, Decimal("0.00")), line.amount]
            )
    subscriptions = _subscriptions(
        request,
        found.full_cost - found.other_revenue - carried - request.addon_revenue,
        charges,
        entries,
        draft,
        area,
        from_year,
        budget,
    )
    registered = outcome.customers or {}
    new_customers = tuple(name for name in registered if not charges.get(name))
    draft_revenue = None
    if request.forecast is None:
        run = bill(
            PriceCatalog((draft,)),
            shift_volumes(entries),
            year=request.year,
            customers=outcome.customers,
        )
        draft_revenue = exact_sum(
            line.amount for _, line in run.lines if line.business_area == area
        )
    plan = NextYearPlan(
        budget=budget,
        area=area,
        year=request.year,
        from_year=from_year,
        full_cost=found.full_cost,
        other_revenue=found.other_revenue,
        carried=carried,
        carried_source=carried_source,
        addon_revenue=request.addon_revenue,
        basis=basis,
        basis_label=basis_label,
        result=result,
        draft=draft,
        changes=changes,
        charges=charges,
        subscriptions=subscriptions,
        new_customers=new_customers,
        draft_revenue=draft_revenue,
    )
    return PlanOutcome(plan, outcome)
