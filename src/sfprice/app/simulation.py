"""Simulation of price models on the billing pipeline: the service behind ``simulate``.

A :class:`SimulationRequest` is a :class:`~sfprice.app.BillingRequest` (volumes, year,
price lists, customer register, allocations) plus the simulation options: the business
area and its cost to recover, the models to compare, the reference window and the
scenarios. :func:`run_simulation` bills the request with :func:`~sfprice.app.run_billing`
(the pipeline of ``bill``, ``issue``, ``balance`` and ``kpi``), takes the list as it
stands as the baseline model (a :class:`~sfprice.engine.listmodel.PriceListModel`: every
kind of item priced by the billing engine), derives the other models from the reference
window, applies the scenarios and compares. At the unchanged volumes the baseline's revenue
is the area's billed revenue, to the öre.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sfprice.app.billing import BillingOutcome, BillingRequest, run_billing
from sfprice.costmodel import CostModel
from sfprice.customers import CustomerRegister
from sfprice.engine.fixedfees import break_even_model, fees_by_employees, fees_by_payslips
from sfprice.engine.listmodel import PriceListModel
from sfprice.engine.listsubscription import forecast_subscriptions, list_subscription_model
from sfprice.engine.montecarlo import DRAWABLE, INSTALL_HINT, MonteCarloResult, monte_carlo
from sfprice.engine.montecarlo import Model as DrawableModel
from sfprice.engine.simulate import (
    EMPLOYMENT_DOCUMENTS,
    MANUAL,
    Comparison,
    FixedFeeModel,
    HybridModel,
    PriceModel,
    TrueUp,
    compare,
    derive_fixed_fees,
    derive_hybrid,
    join,
    las_documents,
    leave,
    noise,
    scale,
    shift_channel,
    shock,
    window,
)
from sfprice.errors import Remedy, SfpriceError
from sfprice.model import Customer, PriceList, VolumeSet
from sfprice.money import exact_sum
from sfprice.period import Month
from sfprice.subscription import SubscriptionTerms

__all__ = [
    "ModelSpec",
    "Scenario",
    "SimulationError",
    "SimulationOutcome",
    "SimulationRequest",
    "Uncertainty",
    "list_model",
    "run_simulation",
]


class SimulationError(SfpriceError, ValueError):
    """Options that do not fit the inputs (no list in force, an unknown department ...)."""


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A model to compare with the list as it stands.

    Attributes:
        kind: ``unit`` (the list as it stands), ``fixed`` (fees by the reference charge),
            ``fixed-employees`` (fees by the customer register's headcount),
            ``fixed-payslips`` (fees by the reference window's payslips), ``breakeven``
            (per-unit prices that recover the cost at the reference volumes),
            ``fixed-trueup`` (``value`` is the band), ``hybrid`` (``value`` is the
            surcharge per manual payslip) or ``subscription`` (twelfths of the
            reference window's charge scaled to a year, reconciled in April, October and
            at year end; ``value`` is the threshold in kr, default 100 000 kr).
        value: The band, surcharge or threshold.
        name: The model's name in the output (the command line uses its spelling, such
            as ``hybrid:53``); by default the kind, for a model without a value.
    """

    kind: str
    value: Decimal | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            if self.value is not None:
                msg = f"name the {self.kind} model (it has a value, {self.value})"
                raise ValueError(msg)
            object.__setattr__(self, "name", self.kind)


@dataclass(frozen=True, slots=True)
class Scenario:
    """A change to the year's volumes.

    Kinds: ``shift``, ``growth``, ``shock`` (a rate in the months ``month``..``end``),
    ``las`` (``number`` extra employment documents a month), ``leave``, ``join``,
    ``noise``.

    Attributes:
        text: As the user wrote it (for messages).
        kind: Which change.
        number: The share moved (shift), the growth rate (growth, shock) or the documents
            a month (las).
        department: The department that leaves or joins.
        month: From which month it leaves or joins; the shock's first month.
        like: Whose volumes a joining department copies.
        sigma: The noise spread.
        seed: The noise seed.
        end: The shock's last month.
    """

    text: str
    kind: str
    number: Decimal = Decimal(0)
    department: str = ""
    month: Month | None = None
    like: str = ""
    sigma: float = 0.0
    seed: int = 0
    end: Month | None = None


@dataclass(frozen=True, slots=True)
class SimulationRequest:
    """A billing request and what to simulate on it.

    Attributes:
        billing: The volumes, year, lists, customer register and allocations.
        area: The business area whose lines the models charge.
        cost: The area's cost to recover (full cost less other revenue).
        models: The models to compare with the list as it stands (default: ``fixed``).
        reference: The months whose unchanged volumes set the fees (default:
            January-September of the year).
        scenarios: Changes to the year's volumes, applied in order.
        cost_model: The area's cost model (:func:`sfprice.app.area_cost_model`), when its
            staff follows volume: the models are then compared with the cost at the
            scenario's volumes instead of the constant ``cost``; the fees are still set
            from ``cost`` (the cost at the planned volumes).
    """

    billing: BillingRequest
    area: str
    cost: Decimal
    models: tuple[ModelSpec, ...] = ()
    reference: tuple[Month, Month] | None = None
    scenarios: tuple[Scenario, ...] = ()
    cost_model: CostModel | None = None
    uncertainty: Uncertainty | None = None


@dataclass(frozen=True, slots=True)
class Uncertainty:
    """Monte-Carlo scenarios around the (scenario) volumes: how likely each model misses.

    Every quantity of every department and month is multiplied by its own lognormal factor
    (:func:`sfprice.engine.montecarlo.monte_carlo`); each drawn year is charged by every
    model and compared with the cost at its own volumes (with a cost model) or the constant
    cost.

    Attributes:
        scenarios: How many years to draw (>= 1).
        sigma: The spread of the factors (standard deviation of their logarithm; 0.05 is
            about ±5 %), dimensionless.
        seed: The seed of the random numbers: the same seed gives the same figures.
    """

    scenarios: int = 1000
    sigma: float = 0.05
    seed: int = 0


@dataclass(frozen=True)
class SimulationOutcome:
    """The comparison, with what it was run on and what the user should be told.

    Attributes:
        request: The request.
        billing: The billing run of the unchanged volumes (as ``bill`` shows it).
        price_list: The one list in force during the year.
        reference: The reference window used.
        specs: The models compared, the list as it stands first.
        comparison: Every department under every model.
        notes: Notes for the user.
        uncertainty: The Monte-Carlo distribution of each model's balance and of each
            department's annual charge, when the request asked for it.
    """

    request: SimulationRequest
    billing: BillingOutcome
    price_list: PriceList
    reference: tuple[Month, Month]
    specs: tuple[ModelSpec, ...]
    comparison: Comparison
    notes: tuple[str, ...]
    uncertainty: MonteCarloResult | None = None


def list_model(
    outcome: BillingOutcome, *, area: str | None = None, name: str = "unit"
) -> PriceListModel:
    """The price lists as they stand for a billing outcome, as a simulation model.

    Priced by the billing engine with the outcome's catalog, year, customer register and
    agreements;
    the allocation lines of the run (of ``area``) are added as fixed charges. At the
    outcome's volumes it charges what the run bills (the area's lines).
    """
    fixed: dict[tuple[str, Month], list[Decimal]] = defaultdict(list)
    for invoice, line in outcome.run.lines:
        if line.allocation is not None and (area is None or line.business_area == area):
            fixed[(invoice.department, invoice.month)].append(line.amount)
    return PriceListModel(
        name,
        outcome.catalog,
        year=outcome.request.year,
        customers=outcome.customers,
        area=area,
        fixed={key: exact_sum(amounts) for key, amounts in fixed.items()},
        agreements=outcome.agreements,
    )


def run_simulation(request: SimulationRequest) -> SimulationOutcome:
    """Bill the request, then compare the models on its (scenario) volumes.

    Raises:
        InputError, PriceNotFound: As :func:`~sfprice.app.run_billing`.
        SimulationError: For options that do not fit the inputs.
    """
    year = request.billing.year
    billed = run_billing(request.billing)
    if isinstance(billed.customers, CustomerRegister):
        steps = tuple(_named(step, billed.customers) for step in request.scenarios)
        request = dataclasses.replace(request, scenarios=steps)
    volumes = billed.volumes if billed.volumes is not None else VolumeSet(())
    notes = [n for n in billed.notes if not n.startswith("no volumes")]
    if not len(volumes):
        msg = f"no volumes for {year}; nothing to simulate"
        raise SimulationError(msg)
    price_list = _price_list(billed, volumes, year)
    area = request.area
    add_ons = [a.add_on for a in billed.agreements or () if a.add_on is not None]
    if not any(item.business_area == area for item in (*price_list.items, *add_ons)):
        msg = f"price list {price_list.id} has no services of the area {area!r}"
        raise SimulationError(msg)
    others = sorted(
        {
            e.key.service
            for e in volumes
            if (item := price_list.item(e.key.service)) is None or item.business_area != area
        }
    )
    if others:
        notes.append(f"services of other areas than {area} were left out: {', '.join(others)}")
    reference = request.reference or (Month(year, 1), Month(year, 9))
    specs = _specs(request.models)
    unit = list_model(billed, area=area, name=specs[0].name)
    if any(step.kind == "las" for step in request.scenarios) and not any(
        pl.item(EMPLOYMENT_DOCUMENTS) for pl in billed.catalog
    ):
        # The LAS documents are a cost driver no list prices: the list leaves them out,
        # explicitly (any other service it lacks is still refused).
        unit = dataclasses.replace(unit, unpriced=frozenset({EMPLOYMENT_DOCUMENTS}))
    # A department that leaves takes its lines with it, also the fees the customer register
    # would bill it without volumes.
    gone = {
        step.department: step.month
        for step in request.scenarios
        if step.kind == "leave" and step.month is not None
    }
    models = _build(
        specs,
        unit,
        price_list,
        volumes,
        reference,
        request.cost,
        year,
        billed.actual_months,
        gone,
        customers=billed.customers,
    )
    scenario = volumes
    for step in request.scenarios:
        scenario = apply_scenario(step, scenario, year)
    if not len(scenario):
        msg = "the scenario leaves no volumes to charge"
        raise SimulationError(msg)
    try:
        if request.cost_model is not None:
            # Services no list prices (employment documents ...) take staff but are not
            # charged: they count for the cost only.
            priced_codes = {i.code for i in (*price_list.items, *add_ons)}
            unpriced = sorted({e.key.service for e in scenario} - priced_codes)
            driven = [s for s in unpriced if any(d.matches(s) for d in request.cost_model.drivers)]
            if driven:
                notes.append(
                    f"services no price list prices count for the cost only: {', '.join(driven)}"
                )
            if idle := [s for s in unpriced if s not in driven]:
                notes.append(
                    f"no staff driver of the cost model takes {', '.join(idle)}: those "
                    "volumes change no figure"
                )
            charged = VolumeSet(tuple(e for e in scenario if e.key.service not in unpriced))
            comparison = compare(
                charged, models, cost_model=request.cost_model, cost_volumes=scenario
            )
        else:
            comparison = compare(scenario, models, cost_to_recover=request.cost)
    except ValueError as exc:
        raise SimulationError(str(exc)) from exc
    drawn = _uncertainty(request, scenario, models, notes)
    return SimulationOutcome(
        request, billed, price_list, reference, tuple(specs), comparison, tuple(notes), drawn
    )


def _uncertainty(
    request: SimulationRequest,
    scenario: VolumeSet,
    models: Sequence[PriceModel],
    notes: list[str],
) -> MonteCarloResult | None:
    """The Monte Carlo the request asks for, around the scenario's volumes.

    The draws vary every volume of the scenario, also those no list prices (the LAS
    documents): the list model leaves those out explicitly, and the cost model costs them.
    A model the Monte Carlo cannot draw (one that is not a list, per-unit, fixed or hybrid
    model) is left out of it, with a note naming it.

    Raises:
        SimulationError: Without numpy, or when a model cannot be drawn.
    """
    wanted = request.uncertainty
    if wanted is None:
        return None
    drawable: list[DrawableModel] = [m for m in models if isinstance(m, DRAWABLE)]
    if left := [m.name for m in models if not isinstance(m, DRAWABLE)]:
        notes.append(f"the Monte Carlo leaves out {', '.join(left)}: it cannot draw that model")
    try:
        return monte_carlo(
            scenario,
            drawable,
            cost_to_recover=None if request.cost_model is not None else request.cost,
            cost_model=request.cost_model,
            scenarios=wanted.scenarios,
            sigma=wanted.sigma,
            seed=wanted.seed,
            percentiles=(5, 50, 95),
            departments=True,
        )
    except ModuleNotFoundError as exc:
        msg = f"the Monte Carlo needs numpy, which is not installed: {INSTALL_HINT}"
        raise SimulationError(msg) from exc
    except (ValueError, KeyError, TypeError, OverflowError) as exc:
        msg = f"the Monte Carlo cannot draw these models: {exc}"
        raise SimulationError(msg) from exc


def _price_list(billed: BillingOutcome, volumes: VolumeSet, year: int) -> PriceList:
    """The one list in force in the months of the volumes."""
    lists: dict[str, PriceList] = {}
    for month in volumes.months:
        found = billed.catalog.in_force(month)
        if found is None:
            msg = f"no price list in force in {month}"
            raise SimulationError(msg)
        lists[found.id] = found
    if len(lists) > 1:
        msg = (
            f"the price list changes during {year} ({', '.join(lists)}); simulate compares "
            "the year with one list: simulate the months of one list (give volume files of "
            "those months only)"
        )
        raise SimulationError(msg)
    return next(iter(lists.values()))


def _specs(given: Sequence[ModelSpec]) -> list[ModelSpec]:
    """The list as it stands first, then the models asked for (default: fixed), once each."""
    specs = [ModelSpec("unit")]
    for spec in given or [ModelSpec("fixed")]:
        if spec.name not in {s.name for s in specs}:
            specs.append(spec)
    return specs


def _build(
    specs: Sequence[ModelSpec],
    unit: PriceListModel,
    price_list: PriceList,
    volumes: VolumeSet,
    reference: tuple[Month, Month],
    cost: Decimal,
    year: int,
    months: tuple[Month, ...],
    gone: Mapping[str, Month],
    *,
    customers: Mapping[str, Customer] | None = None,
) -> list[PriceModel]:
    # Fixed fees are derived from the reference window as the list bills it there; the
    # year is compared with the list billing every month the year has volumes, whatever a
    # scenario leaves of them; a department that leaves takes its lines with it (``gone``).
    year_unit = dataclasses.replace(unit, months=months, gone=gone)
    models: list[PriceModel] = [year_unit]
    derived = specs[1:]
    if not derived:
        return models
    start, end = reference
    if start.year != year or end.year != year:
        msg = f"the reference window {start}..{end} must lie in {year}"
        raise SimulationError(msg)
    base = window(volumes, start, end)
    if not len(base):
        msg = f"no volumes in the reference window {start}..{end}"
        raise SimulationError(msg)
    try:
        fees = derive_fixed_fees(base, unit, cost)
        for spec in derived:
            if spec.kind == "fixed":
                models.append(FixedFeeModel(spec.name, fees))
            elif spec.kind in {"fixed-employees", "fixed-payslips", "breakeven"}:
                models.append(_new_model(spec, fees, unit, price_list, base, cost, customers))
            elif spec.kind == "subscription":
                models.append(_subscription(spec, unit, year_unit, base, year))
            elif spec.kind == "fixed-trueup":
                assert spec.value is not None
                models.append(FixedFeeModel(spec.name, fees, TrueUp(year_unit, spec.value)))
            else:
                assert spec.value is not None
                manual = price_list.item(MANUAL)
                if manual is None or manual.business_area != unit.area:
                    msg = f"{spec.name}: the price list has no {MANUAL} to add a surcharge to"
                    raise SimulationError(msg)
                hybrid: HybridModel = derive_hybrid(
                    base, unit, cost, {MANUAL: spec.value}, name=spec.name
                )
                models.append(hybrid)
    except SimulationError:
        raise
    except ValueError as exc:
        raise SimulationError(str(exc)) from exc
    return models


def _subscription(
    spec: ModelSpec,
    unit: PriceListModel,
    year_unit: PriceListModel,
    base: VolumeSet,
    year: int,
) -> PriceModel:
    """Subscriptions forecast from the reference window, reconciled at the default terms.

    The forecast is ``base`` (the reference window's unchanged volumes) priced by ``unit``
    and scaled to twelve months
    (:func:`~sfprice.engine.listsubscription.forecast_subscriptions`); the actual volumes
    are billed by ``year_unit``, the list as ``simulate`` bills the year. The threshold is
    ``spec.value`` when given (kr), else 100 000 kr; the final threshold is 0.
    """
    terms = SubscriptionTerms() if spec.value is None else SubscriptionTerms(threshold=spec.value)
    subscriptions = forecast_subscriptions(
        base, unit, year, terms, source="the reference window priced by the list as it stands"
    )
    return list_subscription_model(spec.name, subscriptions, year_unit)


def _new_model(
    spec: ModelSpec,
    fees: Mapping[str, Decimal],
    unit: PriceListModel,
    price_list: PriceList,
    base: VolumeSet,
    cost: Decimal,
    customers: Mapping[str, Customer] | None,
) -> PriceModel:
    """A model of issue 12: fees by employees or payslips, or break-even unit prices.

    The fees go to the departments the list charges in the reference window (``fees``).

    Raises:
        SimulationError: Naming the model, when it cannot be set from the inputs.
    """
    year = unit.year or base.months[0].year
    if spec.kind == "fixed-employees":
        headcounts = _headcounts(fees, customers, year, spec.name)
    try:
        if spec.kind == "fixed-employees":
            return FixedFeeModel(spec.name, fees_by_employees(cost, headcounts))
        if spec.kind == "fixed-payslips":
            return FixedFeeModel(spec.name, fees_by_payslips(cost, base, fees))
        return break_even_model(spec.name, base, price_list, cost, area=unit.area or "")
    except ValueError as exc:
        msg = f"{spec.name}: {exc}"
        raise SimulationError(msg) from exc


def _headcounts(
    departments: Iterable[str],
    customers: Mapping[str, Customer] | None,
    year: int,
    model: str,
) -> dict[str, int | None]:
    """Each department's employees in ``year`` from the customer register.

    Raises:
        SimulationError: Without a register (a fee per employee needs one).
    """
    if customers is None:
        msg = f"{model}: fees per employee need a customer register {Remedy.GIVE_CUSTOMERS}"
        raise SimulationError(msg)
    found = {d: customers.get(d) for d in departments}
    return {d: None if c is None else c.employees_in(year) for d, c in found.items()}


def _named(step: Scenario, customers: CustomerRegister) -> Scenario:
    """The step with the departments it names (by code, name or alias) as current names.

    Raises:
        SimulationError: For a name used outside its dates or after the customer left.
    """
    month = step.month
    if month is None:
        return step

    def current(label: str) -> str:
        found = customers.find(label, month) if label else None
        if isinstance(found, str):
            msg = f"scenario {step.text}: {found}"
            raise SimulationError(msg)
        return label if found is None else found.department

    return dataclasses.replace(step, department=current(step.department), like=current(step.like))


def apply_scenario(step: Scenario, volumes: VolumeSet, year: int) -> VolumeSet:
    """The volumes after one scenario step.

    Raises:
        SimulationError: For a month outside the year, an unknown department, or a step
            the volumes do not allow (a department that already has volumes joins ...).
    """
    departments = volumes.departments
    for month in (step.month, step.end):
        if month is not None and month.year != year:
            msg = f"scenario {step.text}: {month} is not in {year}"
            raise SimulationError(msg)
    wanted = {"leave": step.department, "join": step.like}.get(step.kind)
    if wanted is not None and wanted not in departments:
        close = difflib.get_close_matches(wanted, departments, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        msg = f"scenario {step.text}: no department {wanted!r} in the volumes{hint}"
        raise SimulationError(msg)
    try:
        if step.kind == "shift":
            return shift_channel(volumes, step.number)
        if step.kind == "growth":
            return scale(volumes, 1 + step.number)
        if step.kind == "las":
            return las_documents(volumes, int(step.number))
        if step.kind == "shock":
            assert step.month is not None
            assert step.end is not None
            return shock(volumes, step.number, step.month, step.end)
        if step.kind == "noise":
            return noise(volumes, step.sigma, step.seed)
        assert step.month is not None
        if step.kind == "leave":
            return leave(volumes, step.department, step.month)
        return join(volumes, step.department, step.month, step.like)
    except ValueError as exc:
        msg = f"scenario {step.text}: {exc}"
        raise SimulationError(msg) from exc
