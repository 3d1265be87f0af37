"""Price-model simulation: what each department would pay under another model.

Pure functions over volumes (a :class:`~sfprice.model.VolumeSet`); inputs are never
changed. A *model* turns volumes into a charge per department and month:

- :class:`~sfprice.engine.listmodel.PriceListModel` (in :mod:`sfprice.engine.listmodel`):
  the lists as they stand, priced by :func:`sfprice.bill` itself, every kind of item.
- :class:`PerUnitModel`: a price per unit (each line rounded to öre exactly as
  :func:`sfprice.bill` rounds a unit line); from a list, its plain unit prices only.
- :class:`FixedFeeModel`: a fixed annual fee per department, billed in equal monthly parts
  (the remainder in the last month), whatever the volumes; optionally with a year-end
  true-up against a per-unit model outside a tolerance band.
- :class:`HybridModel`: a fixed fee plus per-unit prices on some services (e.g. a surcharge
  per manual payslip that keeps the incentive to report through self-service).

:func:`derive_fixed_fees` and :func:`derive_hybrid` set the fees from a reference period so
that they sum exactly to the cost to recover. :func:`compare` puts models side by side per
department: annual charge, difference to a baseline, month-to-month variability, marginal
price of one more manual and self-service payslip; and per model: revenue against cost and
cross-subsidy; and, per department, the largest monthly deviation and the administration
(:mod:`sfprice.engine.administration`). Scenario functions (:func:`shift_channel`,
:func:`scale`, :func:`shock`, :func:`las_documents`, :func:`join`, :func:`leave`,
:func:`noise`) return new volumes. More candidate models are in
:mod:`sfprice.engine.fixedfees`.
"""

from __future__ import annotations

import fnmatch
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from sfprice.collation import swedish_key
from sfprice.costmodel import CostModel, CostOutcome
from sfprice.engine.listmodel import plain_unit
from sfprice.model import (
    PriceList,
    VolumeEntry,
    VolumeKey,
    VolumeSet,
    VolumeSource,
)
from sfprice.money import (
    allocate,
    exact_product,
    exact_sum,
    recovery_ratio,
    round_amount,
    spread_evenly,
)
from sfprice.period import Month

if TYPE_CHECKING:
    from sfprice.engine.administration import AdminCount

__all__ = [
    "ADMIN_COLUMNS",
    "EMPLOYMENT_DOCUMENTS",
    "LAS_DOCUMENTS_PER_MONTH",
    "Comparison",
    "DepartmentResult",
    "FixedFeeModel",
    "HybridModel",
    "MeasuredMarginal",
    "ModelResult",
    "PerUnitModel",
    "PriceModel",
    "TrueUp",
    "annual_charges",
    "compare",
    "derive_fixed_fees",
    "derive_hybrid",
    "join",
    "largest_deviation",
    "las_documents",
    "leave",
    "monthly_charges",
    "noise",
    "scale",
    "shift_channel",
    "shock",
    "window",
]

MANUAL = "payroll.manual"
SELF_SERVICE = "payroll.self_service"
#: Incoming employment documents (anställningsunderlag): a volume that drives staff cost
#: (``002_83b6b989210075f7.txt:564-568``) but that no price list prices.
EMPLOYMENT_DOCUMENTS = "payroll.employment_documents"
#: The LAS change's extra employment documents a month, "cirka 10 000 per månad"
#: (``002_83b6b989210075f7.txt:566-568``; read as an increase, ``domain.md`` A.5.4).
LAS_DOCUMENTS_PER_MONTH = 10_000
Charges = dict[tuple[str, Month], Decimal]


class PriceModel(Protocol):
    """A way of charging departments: volumes in, a charge per department and month out."""

    @property
    def name(self) -> str:
        """The model's name, unique within a comparison."""
        ...

    def charges(self, volumes: VolumeSet) -> Charges:
        """Charge per (department, month) for these volumes."""
        ...

    def marginal_price(self, service: str) -> Decimal:
        """What one more unit of a service adds to a department's charge."""
        ...


def _months_of(volumes: VolumeSet) -> tuple[Month, ...]:
    return volumes.months


@dataclass(frozen=True, slots=True)
class PerUnitModel:
    """A price per unit of each service; lines rounded to öre like the billing engine."""

    name: str
    prices: Mapping[str, Decimal]
    rounding: str = "half_up"

    @classmethod
    def from_price_list(cls, price_list: PriceList, name: str | None = None) -> PerUnitModel:
        """The per-unit model of a price list (its items' prices).

        Only plain unit prices are taken: items of other kinds (fixed fees, tiers ...) and
        prices by customer year are left out, so their volumes have no price in the model.
        """
        return cls(
            name or f"styckpris {price_list.id}",
            MappingProxyType({i.code: i.price for i in price_list.items if plain_unit(i)}),
            price_list.rounding,
        )

    def charges(self, volumes: VolumeSet) -> Charges:
        """Sum of rounded lines per department and month.

        Raises:
            KeyError: When a service has no price in the model.
        """
        lines: dict[tuple[str, Month], list[Decimal]] = defaultdict(list)
        for entry in volumes:
            key = entry.key
            price = self.prices.get(key.service)
            if price is None:
                msg = f"model {self.name!r} has no price for {key.service!r}"
                raise KeyError(msg)
            lines[(key.department, key.month)].append(
                round_amount(exact_product(entry.quantity, price), self.rounding)
            )
        return {k: exact_sum(v) for k, v in lines.items()}

    def marginal_price(self, service: str) -> Decimal:
        """The unit price (0 for a service the model does not price)."""
        return self.prices.get(service, Decimal(0))


@dataclass(frozen=True, slots=True)
class TrueUp:
    """Year-end settlement of a fixed fee against a per-unit charge.

    When a department's per-unit charge for the year differs from its fixed fees by more
    than ``band`` (a fraction of the fees, e.g. 0.05), the whole difference is settled in
    the last month: a charge if it used more, a credit if it used less.
    """

    reference: PriceModel
    band: Decimal = Decimal("0.05")


@dataclass(frozen=True, slots=True)
class FixedFeeModel:
    """A fixed annual fee per department, billed in equal monthly parts.

    Attributes:
        name: Model name.
        annual_fees: Fee per department for the year.
        true_up: Optional year-end settlement against a per-unit model.
    """

    name: str
    annual_fees: Mapping[str, Decimal]
    true_up: TrueUp | None = None
    year: int | None = None

    def charges(self, volumes: VolumeSet) -> Charges:
        """Each department with a fee pays it over the year's months.

        The months are the twelve of ``year`` when the model has one, else the months of
        the volumes. A department without a fee pays nothing (it shows in the comparison as
        such); a department that has a fee but no volumes still pays.

        Raises:
            ValueError: When there are no months to bill over (no year, no volumes).
        """
        months = (
            tuple(Month(self.year, m) for m in range(1, 13))
            if self.year is not None
            else _months_of(volumes)
        )
        if not months and any(self.annual_fees.values()):
            msg = (
                f"model {self.name!r}: no months to bill the fees over; the volumes are "
                "empty, so give the model a year"
            )
            raise ValueError(msg)
        result: Charges = {}
        for department, fee in self.annual_fees.items() if months else ():
            for month, part in zip(months, spread_evenly(fee, len(months)), strict=True):
                result[(department, month)] = part
        if self.true_up is not None and months:
            per_unit = annual_charges(self.true_up.reference.charges(volumes))
            last = months[-1]
            for department, fee in self.annual_fees.items():
                difference = per_unit.get(department, Decimal("0.00")) - fee
                if abs(difference) > round_amount(fee * self.true_up.band):
                    result[(department, last)] = (
                        result.get((department, last), Decimal("0.00")) + difference
                    )
        return result

    def marginal_price(self, service: str) -> Decimal:
        """0: a fixed fee does not move with volume (the true-up aside)."""
        del service
        return Decimal(0)


@dataclass(frozen=True, slots=True)
class HybridModel:
    """A fixed annual fee per department plus per-unit prices on some services."""

    name: str
    annual_fees: Mapping[str, Decimal]
    unit_prices: Mapping[str, Decimal]
    year: int | None = None

    def charges(self, volumes: VolumeSet) -> Charges:
        """Fixed monthly parts plus the per-unit lines of the priced services."""
        fixed = FixedFeeModel(self.name, self.annual_fees, year=self.year).charges(volumes)
        priced = VolumeSet(tuple(e for e in volumes if e.key.service in self.unit_prices))
        variable = PerUnitModel(self.name, self.unit_prices).charges(priced)
        result = dict(fixed)
        for key, amount in variable.items():
            result[key] = result.get(key, Decimal("0.00")) + amount
        return result

    def marginal_price(self, service: str) -> Decimal:
        """The per-unit price of the service, or 0."""
        return self.unit_prices.get(service, Decimal(0))


# ------------------------------------------------------------------ deriving fees


def annual_charges(charges: Mapping[tuple[str, Month], Decimal]) -> dict[str, Decimal]:
    """Charges summed per department, in Swedish alphabetical order."""
    amounts: dict[str, list[Decimal]] = defaultdict(list)
    for (department, _), amount in charges.items():
        amounts[department].append(amount)
    return {d: exact_sum(amounts[d]) for d in sorted(amounts, key=swedish_key)}


def window(volumes: VolumeSet, start: Month, end: Month) -> VolumeSet:
    """The volumes of the months from ``start`` to ``end`` (a reference period)."""
    return VolumeSet(tuple(e for e in volumes if start <= e.key.month <= end))


def derive_fixed_fees(
    reference: VolumeSet, model: PriceModel, cost_to_recover: Decimal
) -> dict[str, Decimal]:
    """Annual fixed fees in proportion to each department's reference charge.

    Each department's share of what the reference volumes cost under ``model`` (the
    previous year, or January–September as the 2010 keys use) is applied to the cost to
    recover; the fees are rounded by largest remainder to öre, so they sum to it exactly.
    """
    weights = annual_charges(model.charges(reference))
    return allocate(cost_to_recover, weights)


def derive_hybrid(
    reference: VolumeSet,
    model: PriceModel,
    cost_to_recover: Decimal,
    unit_prices: Mapping[str, Decimal],
    *,
    name: str = "hybrid",
) -> HybridModel:
    """A fixed base that, with per-unit prices on some services, recovers the cost.

    The per-unit revenue expected for a year is the reference volumes of those services at
    ``unit_prices``, scaled to twelve months; the fixed fees share the rest in proportion
    to each department's reference charge under ``model`` less what it pays per unit.
    At volumes that repeat the reference (scaled to a year), the hybrid recovers the cost up
    to the öre rounding of its per-unit lines.
    """
    months = len(reference.months) or 12
    variable = annual_charges(
        PerUnitModel(name, unit_prices).charges(
            VolumeSet(tuple(e for e in reference if e.key.service in unit_prices))
        )
    )
    expected = exact_sum(variable.values()) * 12 / months
    with localcontext() as context:
        context.prec = 40
        base_total = round_amount(cost_to_recover - expected)
    full = annual_charges(model.charges(reference))
    weights = {
        d: max(amount - variable.get(d, Decimal(0)), Decimal(0)) for d, amount in full.items()
    }
    return HybridModel(name, allocate(base_total, weights), dict(unit_prices))


# ------------------------------------------------------------------ scenarios


def _rebuild(entries: Iterable[VolumeEntry], volumes: VolumeSet) -> VolumeSet:
    return VolumeSet.from_entries((e for e in entries if e.quantity > 0), excluded=volumes.excluded)


def _round_like(value: Decimal, original: Decimal) -> Decimal:
    # Counts stay whole; quantities with decimals (hours) keep two.
    quantum = Decimal(1) if original == original.to_integral_value() else Decimal("0.01")
    with localcontext() as context:
        context.prec = 40
        return value.quantize(quantum, rounding=ROUND_HALF_UP)


def shift_channel(
    volumes: VolumeSet, fraction: Decimal, *, source: str = MANUAL, target: str = SELF_SERVICE
) -> VolumeSet:
    """Move a fraction of each department's ``source`` units to ``target`` (per month).

    The moved quantity is rounded half-up per department and month; units are neither
    created nor lost.
    """
    if not 0 <= fraction <= 1:
        msg = f"fraction must be between 0 and 1, got {fraction}"
        raise ValueError(msg)
    out: list[VolumeEntry] = []
    for entry in volumes:
        if entry.key.service == source:
            moved = _round_like(entry.quantity * fraction, entry.quantity)
            out.append(VolumeEntry(entry.key, entry.quantity - moved, entry.sources))
            target_key = VolumeKey(entry.key.month, entry.key.department, target)
            out.append(VolumeEntry(target_key, moved, entry.sources))
        else:
            out.append(entry)
    return _rebuild(out, volumes)


def scale(volumes: VolumeSet, factor: Decimal, services: Sequence[str] = ("*",)) -> VolumeSet:
    """Grow (factor > 1) or shrink the services matching ``services`` (patterns)."""
    if factor < 0:
        msg = f"factor must be >= 0, got {factor}"
        raise ValueError(msg)
    return _rebuild(
        (
            VolumeEntry(e.key, _round_like(e.quantity * factor, e.quantity), e.sources)
            if any(fnmatch.fnmatchcase(e.key.service, p) for p in services)
            else e
            for e in volumes
        ),
        volumes,
    )


def shock(
    volumes: VolumeSet,
    rate: Decimal,
    start: Month,
    end: Month,
    services: Sequence[str] = ("*",),
) -> VolumeSet:
    """A volume shock: ``services`` (patterns) move by ``rate`` from ``start`` to ``end``.

    ``rate`` 0.1 is +10 %, -0.2 is -20 %; the months outside the window and the other
    services are unchanged. Counts stay whole (half-up), hours keep two decimals.

    Raises:
        ValueError: When ``rate`` < -1 or the window ends before it starts.
    """
    if rate < -1:
        msg = f"a shock cannot shrink volumes by more than all (rate >= -1), got {rate}"
        raise ValueError(msg)
    if end < start:
        msg = f"the shock's months {start}..{end} end before they start"
        raise ValueError(msg)
    factor = 1 + rate
    return _rebuild(
        (
            VolumeEntry(e.key, _round_like(e.quantity * factor, e.quantity), e.sources)
            if start <= e.key.month <= end
            and any(fnmatch.fnmatchcase(e.key.service, p) for p in services)
            else e
            for e in volumes
        ),
        volumes,
    )


def las_documents(
    volumes: VolumeSet,
    per_month: int = LAS_DOCUMENTS_PER_MONTH,
    *,
    service: str = EMPLOYMENT_DOCUMENTS,
    payslips: Sequence[str] = (MANUAL, SELF_SERVICE),
) -> VolumeSet:
    """The LAS change: ``per_month`` extra employment documents every month.

    Each month of the volumes that has payslips gets ``per_month`` whole documents of
    ``service``, spread over the departments in proportion to their payslips (all
    channels) that month, by largest remainder (:func:`sfprice.money.allocate` to whole
    documents), so the month's documents add up to ``per_month`` exactly. A month without
    payslips gets none. The 2025 plan's figure is about 10 000 a month
    (``002_83b6b989210075f7.txt:566-568``). No price list prices the service: the
    documents move cost (a staff driver), not revenue.

    Raises:
        ValueError: When ``per_month`` < 0, or no month has payslips.
    """
    if per_month < 0:
        msg = f"the documents a month must be >= 0, got {per_month}"
        raise ValueError(msg)
    counted = frozenset(payslips)
    weights: dict[Month, dict[str, Decimal]] = defaultdict(dict)
    for entry in volumes:
        if entry.key.service in counted and entry.quantity > 0:
            by_department = weights[entry.key.month]
            by_department[entry.key.department] = (
                by_department.get(entry.key.department, Decimal(0)) + entry.quantity
            )
    if not weights:
        msg = "no payslips in the volumes to spread the employment documents by"
        raise ValueError(msg)
    source = VolumeSource(f"<LAS: {per_month} employment documents a month>", 1)
    added = [
        VolumeEntry(VolumeKey(month, department, service), documents, (source,))
        for month in sorted(weights)
        for department, documents in allocate(
            Decimal(per_month), weights[month], Decimal(1)
        ).items()
    ]
    return _rebuild((*volumes, *added), volumes)


def leave(volumes: VolumeSet, department: str, from_month: Month) -> VolumeSet:
    """A department leaves: its volumes from ``from_month`` on are gone."""
    return _rebuild(
        (e for e in volumes if not (e.key.department == department and e.key.month >= from_month)),
        volumes,
    )


def join(
    volumes: VolumeSet, department: str, from_month: Month, like: str, factor: Decimal = Decimal(1)
) -> VolumeSet:
    """A department joins from ``from_month`` with the volumes of ``like`` times ``factor``."""
    if any(e.key.department == department for e in volumes):
        msg = f"{department!r} already has volumes"
        raise ValueError(msg)
    source = VolumeSource(f"<joins like {like}>", 1)
    added = [
        VolumeEntry(
            VolumeKey(e.key.month, department, e.key.service),
            _round_like(e.quantity * factor, e.quantity),
            (source,),
        )
        for e in volumes
        if e.key.department == like and e.key.month >= from_month
    ]
    if not added:
        msg = f"no volumes of {like!r} from {from_month} to copy"
        raise ValueError(msg)
    return _rebuild((*volumes, *added), volumes)


#: The widest noise spread: at sigma 3 one month in a hundred moves by a factor over 1 000.
MAX_NOISE_SIGMA = 3.0
#: The smallest spread above 0 the command line takes (a smaller one changes no whole
#: count, and below about 1e-308 a float reads it as 0).
MIN_NOISE_SIGMA = 1e-6
#: Seeds are 0 .. 2**63 - 1 (``random.Random`` treats -5 like 5: one outcome, two seeds).
MAX_NOISE_SEED = 2**63 - 1


def noise_problem(sigma: float, seed: int) -> str | None:
    """Why a noise spread and seed cannot be used, or None.

    >>> noise_problem(0.1, 42) is None
    True
    >>> noise_problem(1e308, 1)
    'SIGMA must be from 0 to 3.0, got 1e+308'
    """
    if not math.isfinite(sigma) or not 0 <= sigma <= MAX_NOISE_SIGMA:
        return f"SIGMA must be from 0 to {MAX_NOISE_SIGMA}, got {sigma!r}"
    if not 0 <= seed <= MAX_NOISE_SEED:
        return f"SEED must be a whole number from 0 to {MAX_NOISE_SEED} (2**63 - 1), got {seed}"
    return None


def noise(volumes: VolumeSet, sigma: float, seed: int) -> VolumeSet:
    """Multiply every quantity by a lognormal factor (median 1, spread ``sigma``).

    Reproducible: the same seed gives the same volumes. ``sigma`` is a dimensionless
    spread of volumes, not money, so it is a float; quantities are rounded back like the
    original (whole counts, hours to 0.01).

    Raises:
        ValueError: For a spread or seed outside :func:`noise_problem`'s bounds.
    """
    problem = noise_problem(sigma, seed)
    if problem is not None:
        raise ValueError(problem)
    rng = random.Random(seed)
    return _rebuild(
        (
            VolumeEntry(
                e.key,
                _round_like(
                    e.quantity * Decimal(repr(math.exp(rng.gauss(0.0, sigma)))), e.quantity
                ),
                e.sources,
            )
            for e in volumes
        ),
        volumes,
    )


# ------------------------------------------------------------------ comparison


def monthly_charges(model: PriceModel, volumes: VolumeSet) -> Charges:
    """A model's charge per (department, month)."""
    return model.charges(volumes)


def _variability(amounts: Sequence[Decimal]) -> Decimal | None:
    """Coefficient of variation (standard deviation / mean) of monthly charges, 4 decimals."""
    if len(amounts) < 2:
        return None
    with localcontext() as context:
        context.prec = 40
        mean = sum(amounts, Decimal(0)) / len(amounts)
        if not mean:
            return None
        variance = sum(((a - mean) ** 2 for a in amounts), Decimal(0)) / len(amounts)
        return (variance.sqrt() / mean).quantize(Decimal("0.0001"))


def largest_deviation(amounts: Sequence[Decimal]) -> Decimal | None:
    """The largest |month − equal part| of monthly charges, in kr rounded to öre (half-up).

    The equal part is the charges' sum divided by the number of months (one twelfth for a
    year); None for no months.

    >>> largest_deviation([Decimal("100.00"), Decimal("100.00"), Decimal("130.00")])
    Decimal('20.00')
    """
    if not amounts:
        return None
    with localcontext() as context:
        context.prec = 40
        part = exact_sum(amounts) / len(amounts)
        return round_amount(max(abs(a - part) for a in amounts))


@dataclass(frozen=True, slots=True)
class DepartmentResult:
    """One department under one model.

    Attributes:
        department: The department.
        model: The model's name.
        annual: Its charge for the period (the year).
        baseline: Its charge under the baseline model.
        variability: Coefficient of variation of its monthly charges (0 = the same every
            month): the predictability a fixed model promises.
        marginal_manual: What one more manual payslip adds to its charge.
        marginal_self_service: What one more self-service payslip adds.
        fair: Its cost-reflective charge (its share of the cost by the baseline charges).
        largest_deviation: The largest difference, in kr (to öre), between one month's
            charge and an equal part of its annual charge (one twelfth for a year): what
            the department sees of the model's predictability without Monte Carlo. 0.00
            for a fee in equal parts but for the öre of the last month; None without
            months.
        administration: Its billing administration under the model for the period
            (:func:`sfprice.engine.administration.administration`); None when not measured.
    """

    department: str
    model: str
    annual: Decimal
    baseline: Decimal
    variability: Decimal | None
    marginal_manual: Decimal
    marginal_self_service: Decimal
    fair: Decimal
    largest_deviation: Decimal | None = None
    administration: AdminCount | None = None

    @property
    def difference(self) -> Decimal:
        """Annual charge minus the baseline's (kronor)."""
        return self.annual - self.baseline

    @property
    def difference_pct(self) -> Decimal | None:
        """The difference as a percentage of the baseline charge, 2 decimals."""
        if not self.baseline:
            return None
        return (self.difference * 100 / self.baseline).quantize(Decimal("0.01"))

    @property
    def steering(self) -> Decimal:
        """Marginal manual minus marginal self-service price: > 0 rewards self-service."""
        return self.marginal_manual - self.marginal_self_service


@dataclass(frozen=True, slots=True)
class ModelResult:
    """A model's revenue against the cost to recover, and its cross-subsidy.

    ``cross_subsidy`` is half the sum over departments of |charge − share|, where each
    department's share is the model's own revenue split in proportion to the baseline
    charges (its use of the services at the baseline's prices): the amount some departments
    pay for others. It is 0 for the baseline and for any model that scales it.
    """

    model: str
    revenue: Decimal
    cost: Decimal
    cross_subsidy: Decimal
    administration: AdminCount | None = None

    @property
    def over_recovery(self) -> Decimal:
        """Revenue minus cost: positive is over-recovery, negative under-recovery."""
        return self.revenue - self.cost

    @property
    def recovery_ratio(self) -> Decimal | None:
        """Revenue / cost, 4 decimals."""
        return recovery_ratio(self.revenue, self.cost)

    @property
    def balance(self) -> Decimal:
        """The year-end balance, revenue minus cost (kr): the same as ``over_recovery``."""
        return self.over_recovery

    def outside(self, band: Decimal) -> bool:
        """True when |balance| is more than ``band`` (0.01 is 1 %) of the cost.

        The plans' forecast target is ±1 %; ±5 % is a wider alarm.
        """
        return abs(self.balance) > abs(self.cost) * band


@dataclass(frozen=True)
class Comparison:
    """Models side by side for the same volumes; for scripts, DataFrames and notebooks."""

    baseline: str
    cost: Decimal
    departments: tuple[DepartmentResult, ...]
    models: tuple[ModelResult, ...]
    cost_outcome: CostOutcome | None = None
    _index: Mapping[tuple[str, str], DepartmentResult] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {(r.department, r.model): r for r in self.departments})

    def result(self, department: str, model: str) -> DepartmentResult:
        """One department under one model."""
        return self._index[(department, model)]

    def model(self, name: str) -> ModelResult:
        """One model's summary."""
        return next(m for m in self.models if m.model == name)

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per department and model (Decimals kept)."""
        return [
            {
                "department": r.department,
                "model": r.model,
                "annual": r.annual,
                "baseline": r.baseline,
                "difference": r.difference,
                "difference_pct": r.difference_pct,
                "variability": r.variability,
                "marginal_manual": r.marginal_manual,
                "marginal_self_service": r.marginal_self_service,
                "fair": r.fair,
                "largest_deviation": r.largest_deviation,
                **_admin_record(r.administration),
            }
            for r in self.departments
        ]


def _admin_record(count: AdminCount | None) -> dict[str, int | None]:
    """The administration columns of a record (None when not measured)."""
    if count is None:
        return dict.fromkeys(ADMIN_COLUMNS)
    return {
        "invoices": count.invoices,
        "lines": count.lines,
        "corrections": count.corrections,
        "reconciliations": count.reconciliations,
        "documents": count.documents,
    }


#: The administration columns of :meth:`Comparison.to_records` and ``simulate``'s rows.
ADMIN_COLUMNS = ("invoices", "lines", "corrections", "reconciliations", "documents")


def compare(
    volumes: VolumeSet,
    models: Sequence[PriceModel],
    *,
    cost_to_recover: Decimal | None = None,
    baseline: str | None = None,
    measure_administration: bool = True,
    cost_model: CostModel | None = None,
    cost_volumes: VolumeSet | None = None,
) -> Comparison:
    """Every department's charge under every model, against a baseline model and the cost.

    Args:
        volumes: The volumes (e.g. a scenario of the year).
        models: The models; the first is the baseline unless ``baseline`` names another.
        cost_to_recover: The full cost the models should recover (kr, constant).
        baseline: Name of the baseline model.
        measure_administration: Measure each department's administration
            (:func:`sfprice.engine.administration.administration`: a list model is billed
            once more); False leaves ``administration`` None (e.g. in a loop of scenarios).
        cost_model: Instead of a constant cost: the cost at these volumes, from a
            :class:`~sfprice.costmodel.CostModel` (fixed cost plus staff that follows
            volume); it is kept as ``Comparison.cost_outcome``. Give one of the two.
        cost_volumes: The volumes the cost model is costed at, when they differ from the
            volumes the models charge: e.g. with services no model prices (incoming
            employment documents) that take staff all the same. Default: ``volumes``.

    Raises:
        ValueError: For no models, duplicate names, an unknown baseline, both or neither
            of ``cost_to_recover`` and ``cost_model``, or volumes outside the cost model's
            year.
    """
    if (cost_to_recover is None) == (cost_model is None):
        msg = "give the cost to recover or a cost model (one of the two)"
        raise ValueError(msg)
    if cost_volumes is not None and cost_model is None:
        msg = "cost_volumes goes with a cost model"
        raise ValueError(msg)
    outcome = (
        cost_model.cost(volumes if cost_volumes is None else cost_volumes)
        if cost_model is not None
        else None
    )
    if outcome is not None:
        cost_to_recover = outcome.total
    assert cost_to_recover is not None
    from sfprice.engine.administration import administration, total  # it imports this module

    if not models:
        msg = "give at least one model"
        raise ValueError(msg)
    names = [m.name for m in models]
    if len(set(names)) != len(names):
        msg = f"model names must be unique: {names}"
        raise ValueError(msg)
    base_name = baseline or names[0]
    monthly = {m.name: m.charges(volumes) for m in models}
    if base_name not in monthly:
        msg = f"no model named {base_name!r}"
        raise ValueError(msg)
    annual = {name: annual_charges(charges) for name, charges in monthly.items()}
    departments = sorted({d for a in annual.values() for d in a}, key=swedish_key)
    base = annual[base_name]
    positive = {d: base.get(d, Decimal(0)) for d in departments if base.get(d, Decimal(0)) > 0}
    fair = allocate(cost_to_recover, positive) if positive else {}
    # The months the baseline charges (a model may bill months a scenario left without
    # volumes: fees, allocated pools), and those of the volumes.
    months = sorted(set(volumes.months) | {month for _, month in monthly[base_name]})
    results: list[DepartmentResult] = []
    admin = {m.name: administration(m, volumes) for m in models} if measure_administration else {}
    for model in models:
        charges = monthly[model.name]
        for department in departments:
            series = [charges.get((department, m), Decimal("0.00")) for m in months]
            results.append(
                DepartmentResult(
                    department=department,
                    model=model.name,
                    annual=annual[model.name].get(department, Decimal("0.00")),
                    baseline=base.get(department, Decimal("0.00")),
                    variability=_variability(series),
                    marginal_manual=_marginal(model, volumes, department, MANUAL),
                    marginal_self_service=_marginal(model, volumes, department, SELF_SERVICE),
                    fair=fair.get(department, Decimal("0.00")),
                    largest_deviation=largest_deviation(series),
                    administration=admin[model.name].get(department, _no_admin())
                    if measure_administration
                    else None,
                )
            )
    summaries = []
    for model in models:
        charged = annual[model.name]
        revenue = exact_sum(charged.values())
        # Compare with the same revenue split by the baseline shares, so that the measure is
        # about who pays for whom, not about the level of recovery.
        own_fair = allocate(revenue, positive) if positive and revenue >= 0 else {}
        gaps = [abs(charged.get(d, Decimal(0)) - own_fair.get(d, Decimal(0))) for d in departments]
        summaries.append(
            ModelResult(
                model.name,
                exact_sum(charged.values()),
                cost_to_recover,
                exact_sum(gaps) / 2,
                total(admin[model.name]) if measure_administration else None,
            )
        )
    return Comparison(base_name, cost_to_recover, tuple(results), tuple(summaries), outcome)


def _no_admin() -> AdminCount:
    from sfprice.engine.administration import AdminCount  # it imports this module

    return AdminCount()


@runtime_checkable
class MeasuredMarginal(Protocol):
    """A model whose marginal price depends on the volumes (a tier's next unit ...)."""

    def marginal_at(self, volumes: VolumeSet, department: str, service: str) -> Decimal:
        """What one more unit of ``service`` adds to ``department``'s charge."""
        ...


def _marginal(model: PriceModel, volumes: VolumeSet, department: str, service: str) -> Decimal:
    """What one more unit adds to a department's charge under a model.

    A model that prices through the billing engine measures it at the department's
    volumes (:class:`MeasuredMarginal`, e.g. :class:`~sfprice.engine.listmodel.
    PriceListModel`); the others have one marginal price per service.
    """
    if isinstance(model, MeasuredMarginal):
        return model.marginal_at(volumes, department, service)
    return model.marginal_price(service)
