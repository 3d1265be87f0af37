"""Monte Carlo over volume uncertainty: how far each price model may miss the cost.

:func:`monte_carlo` draws ``scenarios`` versions of a year's volumes. In each one, every
(department, month, service) quantity is multiplied by its own lognormal factor (median 1,
spread ``sigma``), like :func:`sfprice.engine.simulate.noise`. Each model's revenue for
the scenario is then compared with the cost to recover. The result gives, per model, the
mean, the extremes and percentiles of the over- or under-recovery (revenue minus cost), and
the probability of under-recovery.

Money is exact. Revenues are computed in whole öre with 64-bit integers (numpy ``int64``),
line by line, with the same rounding as the models in :mod:`sfprice.engine.simulate` and
:func:`sfprice.bill`:

- :class:`~sfprice.engine.simulate.PerUnitModel`: the sum of ``quantity x price`` lines,
  each rounded to öre with the model's rounding mode. For whole counts and whole-öre
  prices a line is already a whole number of öre.
- :class:`~sfprice.engine.simulate.FixedFeeModel`: the sum of the fees, which do not move
  with volume. With a :class:`~sfprice.engine.simulate.TrueUp`, each department's per-unit
  charge is computed too, and the difference to its fee is settled when it is larger than
  ``round(fee x band)``, as :meth:`FixedFeeModel.charges` does.
- :class:`~sfprice.engine.simulate.HybridModel`: the fees plus the per-unit lines of the
  services it prices.
- :class:`~sfprice.engine.listmodel.PriceListModel` (the lists as they stand): when its
  lists hold only unit prices (plain or by customer year), fixed monthly fees and fees per
  employee, in whole öre, each volume's line at the unit price the engine used for it plus
  the fees as a constant (``tests/test_simulate_engine.py`` checks that this equals the
  engine, scenario for scenario). Otherwise (tiers, minimums, percentages, kinds added
  later) its own ``charges``, the billing engine, prices every scenario: exact, never an
  item left out, but about a hundred times slower (see docs/simulation.md). A true-up
  against a list model takes the per-unit path when the list is plain unit prices only,
  else the engine.

Before the draws, each model is also priced once with its own ``charges`` at the input
volumes (all factors 1). This figure is reported as ``deterministic``. If the integer path
gives a different figure, the function raises an error instead of returning wrong figures.

Volumes are rounded like :func:`~sfprice.engine.simulate.noise` rounds them: a whole
quantity stays whole (rounded half up) and a fractional one (hours) is rounded to 0.01.
This rounding of volumes (not money) is done in float64, so a product within a rounding
error of a half may round the other way than ``noise``'s Decimal arithmetic would.
Unlike ``noise``, an entry that rounds to 0 stays in the scenario (with quantity 0), so the
months of the scenario are the months of the input and a fixed fee is billed in full.

The factors have median 1, so their mean is ``exp(sigma**2 / 2)`` (1.00125 for sigma
0.05): on average the scenarios have slightly more volume than the input, and a per-unit
model's mean revenue is slightly above its deterministic revenue.

numpy is an optional dependency (``pip install 'sfprice[simulate]'``). It is imported when
the function is called, not when sfprice is imported. The random numbers come from
``numpy.random.Generator(numpy.random.PCG64(seed))``. They are drawn in scenario order, so
the results do not depend on ``batch`` (which only bounds memory). The same seed gives the
same results with the same numpy version on the same platform.

>>> from decimal import Decimal
>>> from sfprice.engine.simulate import FixedFeeModel, PerUnitModel
>>> from sfprice.model import VolumeEntry, VolumeKey, VolumeSet
>>> from sfprice.period import Month
>>> volumes = VolumeSet.from_entries(
...     VolumeEntry(VolumeKey(Month(2014, m), "A", "payroll.manual"), Decimal(100), ())
...     for m in (1, 2)
... )
>>> models = [
...     PerUnitModel("per unit", {"payroll.manual": Decimal(110)}),
...     FixedFeeModel("fixed", {"A": Decimal(22000)}),
... ]
>>> result = monte_carlo(volumes, models, cost_to_recover=Decimal(22000), scenarios=200)
>>> fixed = result.model("fixed")
>>> fixed.minimum, fixed.maximum, fixed.under_recovery_probability
(Decimal('0.00'), Decimal('0.00'), Decimal('0.0000'))
>>> result.model("per unit").deterministic
Decimal('0.00')
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from types import ModuleType
from typing import TYPE_CHECKING, Any

from sfprice.costmodel import CostModel
from sfprice.engine.listmodel import PriceListModel
from sfprice.engine.simulate import MAX_NOISE_SIGMA, FixedFeeModel, HybridModel, PerUnitModel
from sfprice.model import VolumeEntry, VolumeSet
from sfprice.money import ROUNDING_MODES, exact_sum, round_amount

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    IntArray = NDArray[np.int64]

__all__ = ["DepartmentSpread", "ModelDistribution", "MonteCarloResult", "monte_carlo"]

Model = PerUnitModel | FixedFeeModel | HybridModel | PriceListModel
#: The classes of ``Model``, for ``isinstance``.
DRAWABLE = (PerUnitModel, FixedFeeModel, HybridModel, PriceListModel)
_MODELS = "PerUnitModel, FixedFeeModel, HybridModel and PriceListModel"

#: What to install when numpy is missing.
INSTALL_HINT = "pip install 'sfprice[simulate]'"

_HUNDRED = Decimal(100)
_FLOAT_EXACT = 2.0**53  # scaled quantities above this lose whole units in float64
_INT64_SAFE = 2**62  # revenue bound per scenario: keeps every int64 sum far from overflow


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class ModelDistribution:
    """One model's over- or under-recovery (revenue minus cost) over the scenarios.

    Every amount is in kronor, to the öre. Positive means over-recovery and negative means
    under-recovery. The minimum, maximum and percentiles are the values of actual
    scenarios. The mean is the exact mean rounded half up to öre.

    Attributes:
        model: The model's name.
        cost: The cost to recover.
        deterministic: The recovery at the input volumes (all factors 1), from the model's
            own ``charges``.
        mean: Mean over the scenarios.
        minimum: The lowest scenario value (the worst under-recovery).
        maximum: The highest scenario value.
        percentiles: ``(p, value)`` pairs in increasing ``p``. The value is the smallest
            scenario value with at least ``p`` % of the scenarios at or below it (the
            inverted CDF, as numpy's ``method="inverted_cdf"``). ``p = 0`` gives the
            minimum. The rank ``ceil(n x p / 100)`` is computed with integers. numpy
            computes it in floating point and can pick the next value when ``n x p / 100``
            is a whole number (for example n = 100, p = 7).
        scenarios: How many scenarios were drawn.
        under_recovery_scenarios: How many scenarios recover less than the cost.
        under_recovery_probability: That count divided by ``scenarios``, rounded half up
            to 4 decimals (0.0123 is 1.23 %).
        outside_1pct_probability: The share of scenarios whose |revenue - cost| is more
            than 1 % of that scenario's cost (the plans' forecast target), 4 decimals.
        outside_5pct_probability: The same outside ±5 %.
        mean_cost: The mean cost over the scenarios (kr, half up to öre): the constant
            cost, or with a cost model the cost that follows each scenario's volumes.
    """

    model: str
    cost: Decimal
    deterministic: Decimal
    mean: Decimal
    minimum: Decimal
    maximum: Decimal
    percentiles: tuple[tuple[int, Decimal], ...]
    scenarios: int
    under_recovery_scenarios: int
    under_recovery_probability: Decimal
    outside_1pct_probability: Decimal = Decimal(0)
    outside_5pct_probability: Decimal = Decimal(0)
    mean_cost: Decimal | None = None

    def percentile(self, p: int) -> Decimal:
        """The value at percentile ``p`` (one of those requested).

        Raises:
            KeyError: When ``p`` was not requested.
        """
        for requested, value in self.percentiles:
            if requested == p:
                return value
        msg = f"percentile {p} was not computed (have {[q for q, _ in self.percentiles]})"
        raise KeyError(msg)

    @property
    def mean_revenue(self) -> Decimal:
        """Mean revenue: the cost plus the mean recovery."""
        return self.cost + self.mean

    def to_record(self) -> dict[str, Any]:
        """A plain dict (Decimals kept). Percentiles are keys ``p1``, ``p50`` and so on."""
        record: dict[str, Any] = {
            "model": self.model,
            "scenarios": self.scenarios,
            "cost": self.cost,
            "deterministic": self.deterministic,
            "mean": self.mean,
            "minimum": self.minimum,
        }
        record.update({f"p{p}": value for p, value in self.percentiles})
        record.update(
            {
                "maximum": self.maximum,
                "under_recovery_scenarios": self.under_recovery_scenarios,
                "under_recovery_probability": self.under_recovery_probability,
                "outside_1pct_probability": self.outside_1pct_probability,
                "outside_5pct_probability": self.outside_5pct_probability,
                "mean_cost": self.mean_cost,
            }
        )
        return record


@dataclass(frozen=True, slots=True)
class DepartmentSpread:
    """How predictable one department's annual charge is under one model.

    Over the scenarios: the mean (half up to öre), the 5th and 95th percentiles (inverted
    CDF, as :class:`ModelDistribution`), and ``width`` = (p95 - p5) / mean, 4 decimals
    (0.0812 is 8,12 %; None when the mean is 0). A fixed fee has width 0: the department
    knows its charge; a per-unit price moves with its volumes.

    Attributes:
        department: The department.
        model: The model's name.
        mean: Mean annual charge (kr).
        p5: 5th percentile (kr).
        p95: 95th percentile (kr).
        width: (p95 - p5) / mean, or None.
    """

    department: str
    model: str
    mean: Decimal
    p5: Decimal
    p95: Decimal
    width: Decimal | None

    def to_record(self) -> dict[str, Any]:
        """A plain dict (Decimals kept)."""
        return {
            "department": self.department,
            "model": self.model,
            "mean": self.mean,
            "p5": self.p5,
            "p95": self.p95,
            "width": self.width,
        }


@dataclass(frozen=True, slots=True)
class MonteCarloResult:
    """The distribution of every model's recovery over the same scenarios.

    Attributes:
        scenarios: How many scenarios were drawn.
        sigma: The spread of the lognormal volume factors.
        seed: The seed of the random numbers.
        cost: The cost to recover.
        percentiles: The percentiles computed, in increasing order.
        models: One distribution per model, in the order the models were given.
        departments: With ``departments=True``: each department's spread under each model
            the integer path prices per department (see :func:`monte_carlo`).
    """

    scenarios: int
    sigma: float
    seed: int
    cost: Decimal
    percentiles: tuple[int, ...]
    models: tuple[ModelDistribution, ...]
    departments: tuple[DepartmentSpread, ...] = ()

    def model(self, name: str) -> ModelDistribution:
        """One model's distribution.

        Raises:
            KeyError: When no model has that name.
        """
        for distribution in self.models:
            if distribution.model == name:
                return distribution
        msg = f"no model named {name!r}"
        raise KeyError(msg)

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per model (Decimals kept), for scripts, DataFrames and notebooks."""
        return [
            {"sigma": self.sigma, "seed": self.seed, **distribution.to_record()}
            for distribution in self.models
        ]


# --------------------------------------------------------------------------- the plan


def _numpy() -> ModuleType:
    """numpy, imported on first use; a clear message when it is not installed."""
    try:
        import numpy  # optional dependency, imported on use
    except ModuleNotFoundError as error:
        msg = f"monte_carlo needs numpy, which is not installed: {INSTALL_HINT}"
        raise ModuleNotFoundError(msg, name="numpy") from error
    return numpy


def _whole_ore(amount: Decimal, what: str) -> int:
    """``amount`` (kronor) as a whole number of öre, or ValueError."""
    if not isinstance(amount, Decimal):
        msg = f"{what} must be a Decimal, got {amount!r}"
        raise TypeError(msg)
    if not amount.is_finite():
        msg = f"{what} must be finite, got {amount}"
        raise ValueError(msg)
    ore = amount * _HUNDRED
    if ore != ore.to_integral_value():
        msg = f"{what} {amount} is not a whole number of öre"
        raise ValueError(msg)
    return int(ore)


def _kronor(ore: int) -> Decimal:
    """A whole number of öre as kronor with two decimals, exactly."""
    digits = tuple(int(c) for c in str(abs(ore)))
    return Decimal((1 if ore < 0 else 0, digits, -2))


def _mean_ore(total: int, n: int) -> int:
    """``total / n`` rounded half up (ties away from zero) to a whole number."""
    magnitude = (2 * abs(total) + n) // (2 * n)
    return -magnitude if total < 0 else magnitude


def _divide_round(np: ModuleType, x: IntArray, mode: str) -> IntArray:
    """``x / 100`` rounded to a whole number with a price list's rounding mode, exactly."""
    magnitude = np.abs(x)
    if mode == "half_up":
        whole = (magnitude + 50) // 100
    elif mode == "down":
        whole = magnitude // 100
    elif mode == "up":
        whole = (magnitude + 99) // 100
    else:  # half_even
        whole, rest = np.divmod(magnitude, 100)
        whole += (rest > 50) | ((rest == 50) & (whole % 2 == 1))
    result: IntArray = np.where(x < 0, -whole, whole)
    return result


@dataclass(frozen=True)
class _Lines:
    """Per-unit lines of some columns (entries) of the volumes.

    A column counts ``units``; one unit is ``quantum`` hundredths of the quantity (100 for
    whole counts, 1 for quantities to 0.01). ``factor[j]`` is the price in öre of column
    ``columns[j]`` times its quantum, so a line is ``units x factor / 100`` (öre) rounded
    with ``mode``. When every column counts whole units the division is exact and skipped.

    With ``starts`` (true-up references) the columns are sorted by department, and
    ``segment`` gives each department's segment of :meth:`by_department`.
    """

    columns: IntArray
    factor: IntArray
    mode: str
    whole: bool
    every_column: bool
    max_factor: int
    starts: IntArray | None = None
    segment: dict[str, int] | None = None

    def amounts(self, np: ModuleType, units: IntArray) -> IntArray:
        """The rounded lines in öre, one row per scenario."""
        picked = units if self.every_column else units[:, self.columns]
        if self.whole:
            exact: IntArray = picked * (self.factor // 100)
            return exact
        return _divide_round(np, picked * self.factor, self.mode)

    def total(self, np: ModuleType, units: IntArray) -> IntArray:
        """The sum of the lines per scenario."""
        result: IntArray = self.amounts(np, units).sum(axis=1)
        return result

    def by_department(self, np: ModuleType, units: IntArray) -> IntArray:
        """The sum of the lines per scenario and department segment."""
        assert self.starts is not None
        if not len(self.starts):
            empty: IntArray = np.zeros((units.shape[0], 0), dtype=np.int64)
            return empty
        result: IntArray = np.add.reduceat(self.amounts(np, units), self.starts, axis=1)
        return result

    def bound(self, max_units: int) -> int:
        """An upper bound of |a line before division| and of |their sum| (öre)."""
        return max_units * self.max_factor * max(len(self.columns), 1)


@dataclass(frozen=True)
class _TrueUp:
    reference: _Lines
    fees: IntArray  # öre, one per fee department
    thresholds: IntArray  # öre: round(fee x band)
    segments: IntArray  # each fee department's column in the per-department sums


@dataclass(frozen=True)
class _Plan:
    name: str
    fixed: int  # öre, the same in every scenario
    lines: _Lines | None
    true_up: _TrueUp | None

    def revenue(self, np: ModuleType, units: IntArray) -> IntArray:
        """Revenue in öre, one per scenario (row of ``units``)."""
        revenue: IntArray = np.full(units.shape[0], self.fixed, dtype=np.int64)
        if self.lines is not None:
            revenue += self.lines.total(np, units)
        if self.true_up is not None:
            t = self.true_up
            sums = t.reference.by_department(np, units)
            # A zero column for fee departments without volumes (their per-unit charge is 0).
            sums = np.concatenate([sums, np.zeros((units.shape[0], 1), dtype=np.int64)], axis=1)
            difference = sums[:, t.segments] - t.fees
            settled = np.where(np.abs(difference) > t.thresholds, difference, 0)
            revenue += settled.sum(axis=1)
        return revenue

    def bound(self, max_units: int) -> int:
        """An upper bound of every |amount| (öre, or hundredths before a division)."""
        total = abs(self.fixed)
        if self.lines is not None:
            total += self.lines.bound(max_units)
        if self.true_up is not None:
            total += self.true_up.reference.bound(max_units)
            total += 2 * sum(abs(int(f)) for f in self.true_up.fees)
        return total


def _lines(
    np: ModuleType,
    prices: Mapping[str, Decimal],
    mode: str,
    services: Sequence[str],
    quanta: Sequence[int],
    name: str,
    *,
    require_all: bool,
    departments: Sequence[str] | None = None,
) -> _Lines:
    """The lines of the columns whose service has a price.

    Raises:
        KeyError: With ``require_all``, when a service has no price (as ``charges`` does).
    """
    if mode not in ROUNDING_MODES:
        msg = f"model {name!r}: unknown rounding {mode!r}"
        raise ValueError(msg)
    ore: dict[str, int] = {}
    columns: list[int] = []
    for column, service in enumerate(services):
        if service not in ore:
            price = prices.get(service)
            if price is None:
                if require_all:
                    msg = f"model {name!r} has no price for {service!r}"
                    raise KeyError(msg)
                continue
            ore[service] = _whole_ore(price, f"model {name!r}: price of {service!r}")
        columns.append(column)
    starts: list[int] | None = None
    segment: dict[str, int] | None = None
    if departments is not None:
        # Sort by department (stable) so that each department is one segment.
        columns.sort(key=lambda c: departments[c])
        starts, segment = [], {}
        for position, column in enumerate(columns):
            if departments[column] not in segment:
                segment[departments[column]] = len(starts)
                starts.append(position)
    factors = [ore[services[c]] * quanta[c] for c in columns]
    return _Lines(
        columns=np.array(columns, dtype=np.int64),
        factor=np.array(factors, dtype=np.int64),
        mode=mode,
        whole=all(quanta[c] == 100 for c in columns),
        every_column=columns == list(range(len(services))),
        max_factor=max((abs(f) for f in factors), default=0),
        starts=None if starts is None else np.array(starts, dtype=np.int64),
        segment=segment,
    )


def _fast(model: Model, volumes: VolumeSet) -> PerUnitModel | FixedFeeModel | HybridModel | None:
    """The model for the integer path, or None when only the engine can price it.

    A :class:`PriceListModel` whose lists hold only plain unit prices is the per-unit model
    of those prices (``tests/test_montecarlo_engine.py`` checks that both charge the same
    to the öre); a true-up against such a model settles against that per-unit model. Any
    other list (fees, tiers, minimums, percentages, prices by customer year, kinds added
    later) is priced by the billing engine in every scenario: slower, never skipped.
    """
    months = volumes.months
    if isinstance(model, PriceListModel):
        found = model.unit_prices(months)
        if found is None or not all(_is_whole_ore(p) for p in found[0].values()):
            return None
        return PerUnitModel(model.name, found[0], found[1])
    if isinstance(model, FixedFeeModel) and model.true_up is not None:
        reference = model.true_up.reference
        if isinstance(reference, PerUnitModel):
            return model
        if not isinstance(reference, PriceListModel):
            return None
        found = reference.unit_prices(months)
        if found is None or not all(_is_whole_ore(p) for p in found[0].values()):
            return None
        per_unit = PerUnitModel(reference.name, found[0], found[1])
        return replace(model, true_up=replace(model.true_up, reference=per_unit))
    return model


def _linear_plan(
    np: ModuleType, model: PriceListModel, volumes: VolumeSet, quanta: Sequence[int]
) -> _Plan | None:
    """The integer path of a list of unit prices (plain or by customer year) and fees.

    Each volume key's line at the unit price the engine used for it, rounded as the list
    rounds, plus the fees (which do not move with the quantities) as a constant; see
    :meth:`PriceListModel.linear_form`. ``tests/test_simulate_engine.py`` checks that it
    equals the engine scenario for scenario. None when the form does not apply or a price
    is not a whole number of öre.
    """
    form = model.linear_form(volumes)
    if form is None:
        return None
    prices, constant, mode = form
    keyed = [prices[entry.key] for entry in volumes]
    if not all(_is_whole_ore(p) for p in keyed) or not _is_whole_ore(constant):
        return None
    factors = [
        _whole_ore(p, f"model {model.name!r}: price") * q
        for p, q in zip(keyed, quanta, strict=True)
    ]
    lines = _Lines(
        columns=np.arange(len(factors), dtype=np.int64),
        factor=np.array(factors, dtype=np.int64),
        mode=mode,
        whole=all(q == 100 for q in quanta),
        every_column=True,
        max_factor=max((abs(f) for f in factors), default=0),
    )
    return _Plan(model.name, _whole_ore(constant, "fees"), lines, None)


def _is_whole_ore(price: Decimal) -> bool:
    hundredths = price * _HUNDRED
    return hundredths == hundredths.to_integral_value()


@dataclass(frozen=True)
class _EnginePlan:
    """A model priced by its own ``charges`` (the billing engine) in every scenario."""

    name: str
    model: Model
    entries: tuple[VolumeEntry, ...]
    quanta: tuple[int, ...]

    def revenue(self, np: ModuleType, units: IntArray) -> IntArray:
        """Revenue in öre, one per scenario (row of ``units``), from ``charges``."""
        revenue: IntArray = np.empty(units.shape[0], dtype=np.int64)
        hundredth = Decimal("0.01")
        for row, drawn in enumerate(units.tolist()):
            volumes = VolumeSet(
                tuple(
                    replace(e, quantity=Decimal(u * q) * hundredth if q != 100 else Decimal(u))
                    for e, u, q in zip(self.entries, drawn, self.quanta, strict=True)
                )
            )
            ore = _whole_ore(exact_sum(self.model.charges(volumes).values()), "revenue")
            if abs(ore) >= _INT64_SAFE:
                msg = f"model {self.name!r}: amounts too large for exact 64-bit arithmetic"
                raise OverflowError(msg)
            revenue[row] = ore
        return revenue

    def bound(self, max_units: int) -> int:
        """0: every scenario's revenue is checked as it is computed."""
        del max_units
        return 0


def _plan(
    np: ModuleType,
    model: Model,
    services: Sequence[str],
    departments: Sequence[str],
    quanta: Sequence[int],
) -> _Plan:
    if isinstance(model, PerUnitModel):
        lines = _lines(
            np, model.prices, model.rounding, services, quanta, model.name, require_all=True
        )
        return _Plan(model.name, 0, lines, None)
    if isinstance(model, HybridModel):
        base = sum(
            _whole_ore(f, f"model {model.name!r}: fee of {d!r}")
            for d, f in model.annual_fees.items()
        )
        # HybridModel.charges prices its services with a PerUnitModel: half-up lines.
        lines = _lines(
            np, model.unit_prices, "half_up", services, quanta, model.name, require_all=False
        )
        return _Plan(model.name, base, lines if len(lines.columns) else None, None)
    if isinstance(model, FixedFeeModel):
        fees = {
            d: _whole_ore(f, f"model {model.name!r}: fee of {d!r}")
            for d, f in model.annual_fees.items()
        }
        true_up = None
        if model.true_up is not None and fees:
            reference = model.true_up.reference
            assert isinstance(reference, PerUnitModel)  # _fast made it one
            ref_lines = _lines(
                np,
                reference.prices,
                reference.rounding,
                services,
                quanta,
                reference.name,
                require_all=True,
                departments=departments,
            )
            assert ref_lines.segment is not None
            missing = len(ref_lines.segment)  # the zero column appended in revenue()
            true_up = _TrueUp(
                ref_lines,
                np.array(list(fees.values()), dtype=np.int64),
                np.array(
                    [
                        # The very expression FixedFeeModel.charges compares with.
                        _whole_ore(round_amount(fee * model.true_up.band), "true-up band")
                        for fee in model.annual_fees.values()
                    ],
                    dtype=np.int64,
                ),
                np.array([ref_lines.segment.get(d, missing) for d in fees], dtype=np.int64),
            )
        return _Plan(model.name, sum(fees.values()), None, true_up)
    msg = f"monte_carlo prices {_MODELS}, got {type(model).__name__}"
    raise TypeError(msg)


def _check_arguments(
    models: Sequence[Model], scenarios: int, sigma: float, batch: int, percentiles: Sequence[int]
) -> tuple[float, tuple[int, ...]]:
    if not models:
        msg = "give at least one model"
        raise ValueError(msg)
    for model in models:
        if not isinstance(model, PerUnitModel | FixedFeeModel | HybridModel | PriceListModel):
            msg = f"monte_carlo prices {_MODELS}, got {type(model).__name__}"
            raise TypeError(msg)
    names = [m.name for m in models]
    if len(set(names)) != len(names):
        msg = f"model names must be unique: {names}"
        raise ValueError(msg)
    if operator.index(scenarios) < 1:
        msg = f"scenarios must be 1 or more, got {scenarios!r}"
        raise ValueError(msg)
    if operator.index(batch) < 1:
        msg = f"batch must be 1 or more, got {batch!r}"
        raise ValueError(msg)
    spread = float(sigma)
    if not math.isfinite(spread) or not 0 <= spread <= MAX_NOISE_SIGMA:
        msg = f"sigma must be a number from 0 to {MAX_NOISE_SIGMA}, got {sigma!r}"
        raise ValueError(msg)
    for p in percentiles:
        if not 0 <= operator.index(p) <= 100:
            msg = f"percentiles must be whole numbers 0..100, got {p!r}"
            raise ValueError(msg)
    return spread, tuple(sorted(set(percentiles)))


# --------------------------------------------------------------------------- the draws


def monte_carlo(
    volumes: VolumeSet,
    models: Sequence[Model],
    *,
    cost_to_recover: Decimal | None = None,
    cost_model: CostModel | None = None,
    scenarios: int = 1000,
    sigma: float = 0.05,
    seed: int = 0,
    percentiles: Sequence[int] = (1, 5, 25, 50, 75, 95, 99),
    batch: int = 500,
    departments: bool = False,
) -> MonteCarloResult:
    """Each model's over- or under-recovery over random scenarios of the volumes.

    Args:
        volumes: The year's volumes (the centre of the scenarios). They are not changed.
        models: The models to compare, with unique names.
        cost_to_recover: The cost the models should recover, a whole number of öre.
        cost_model: Instead of a constant cost, a :class:`~sfprice.costmodel.CostModel`:
            each scenario is compared with the cost at its own volumes (fixed cost plus
            the staff its volumes need). Give one of the two. The cost of a scenario
            depends only on each driver's monthly volume totals, computed exactly with
            integers and rounded by :meth:`~sfprice.costmodel.StaffDriver.month_cost_ore`,
            as :meth:`CostModel.cost` does. ``MonteCarloResult.cost`` is then the cost at
            the input volumes.
        scenarios: How many scenarios to draw.
        sigma: Spread of the lognormal factor of each quantity (the standard deviation of
            its logarithm; 0.05 is about ±5 %). 0 repeats the input volumes. It is a
            dimensionless spread of volumes, not money, so it is a float.
        seed: Seed of ``numpy.random.PCG64``. The same seed gives the same results.
        percentiles: Whole percentiles 0..100 to report (0 is the minimum, 100 the
            maximum).
        batch: Scenarios drawn and priced at once. It bounds memory (about
            ``batch x entries x 8`` bytes per array) and does not change the results.
        departments: Also each department's annual charge per scenario, summed up as a
            :class:`DepartmentSpread` (predictability). Each department is priced on its
            own entries with the model restricted to it (its fee, its lines, its
            true-up), on the same draws; a model the integer path cannot price per
            department (a list with fees, tiers, minimums ...) is left out of
            ``MonteCarloResult.departments``.

    Raises:
        ModuleNotFoundError: When numpy is not installed.
        KeyError: When a per-unit model (or a true-up's reference) has no price for a
            service of the volumes, as ``charges`` does.
        TypeError: For a model of another kind, or a cost or price that is not a Decimal.
        ValueError: For bad arguments, a price, fee or cost that is not a whole number of
            öre, no volumes, a negative quantity or one that is not a multiple of 0.01.
        OverflowError: When a scenario's amounts would not fit exactly in 64-bit integers.
    """
    spread, levels = _check_arguments(models, scenarios, sigma, batch, percentiles)
    if (cost_to_recover is None) == (cost_model is None):
        msg = "give the cost to recover or a cost model (one of the two)"
        raise ValueError(msg)
    if cost_model is not None:
        cost_to_recover = cost_model.cost(volumes).total
    assert cost_to_recover is not None
    cost = _whole_ore(cost_to_recover, "cost_to_recover")
    if not len(volumes):
        msg = "no volumes to simulate"
        raise ValueError(msg)
    np = _numpy()

    services: list[str] = []
    departments_of: list[str] = []
    quanta: list[int] = []  # hundredths of a unit per counted unit: 100 (whole) or 1 (0.01)
    base: list[int] = []
    for entry in volumes:
        quantity = entry.quantity
        if not quantity.is_finite() or quantity < 0:
            msg = f"{entry.key}: quantity must be finite and >= 0, got {quantity}"
            raise ValueError(msg)
        if quantity == quantity.to_integral_value():
            quanta.append(100)
            base.append(int(quantity))
        else:
            hundredths = quantity * _HUNDRED
            if hundredths != hundredths.to_integral_value():
                msg = f"{entry.key}: quantity {quantity} is not a multiple of 0.01"
                raise ValueError(msg)
            quanta.append(1)
            base.append(int(hundredths))
        services.append(entry.key.service)
        departments_of.append(entry.key.department)

    plans: list[_Plan | _EnginePlan] = []
    for model in models:
        fast = _fast(model, volumes)
        if fast is not None:
            plans.append(_plan(np, fast, services, departments_of, quanta))
        elif isinstance(model, PriceListModel) and (
            linear := _linear_plan(np, model, volumes, quanta)
        ):
            plans.append(linear)
        else:
            plans.append(_EnginePlan(model.name, model, tuple(volumes), tuple(quanta)))
    base_units = np.array(base, dtype=np.int64)
    base_float = base_units.astype(np.float64)
    if base_units.size and float(base_float.max()) >= _FLOAT_EXACT:
        msg = "a quantity is too large to simulate exactly"
        raise OverflowError(msg)

    # The model's own charges at the input volumes, and the integer path at factor 1: they
    # must agree to the öre, or the integer path has drifted from the models.
    deterministic: list[int] = []
    at_input = base_units.reshape(1, -1)
    for model, plan in zip(models, plans, strict=True):
        _check_bound(plan, int(base_units.max()), cost)
        exact = _whole_ore(exact_sum(model.charges(volumes).values()), "revenue")
        computed = int(plan.revenue(np, at_input)[0])
        if computed != exact:  # pragma: no cover - a bug in this module, not an input error
            msg = f"model {model.name!r}: integer revenue {computed} öre != charges {exact} öre"
            raise RuntimeError(msg)
        deterministic.append(exact - cost)

    moving = _MovingCost.of(np, cost_model, volumes, quanta) if cost_model is not None else None
    per_department = (
        _department_plans(np, models, volumes, services, departments_of, quanta)
        if departments
        else []
    )
    charged = {key: np.empty(scenarios, dtype=np.int64) for key, *_ in per_department}
    if moving is not None and moving.cost(np, at_input)[0] != cost:  # pragma: no cover
        msg = "the integer cost path disagrees with CostModel.cost"
        raise RuntimeError(msg)
    rng = np.random.Generator(np.random.PCG64(seed))
    recovery = np.empty((len(plans), scenarios), dtype=np.int64)
    costs = np.full(scenarios, cost, dtype=np.int64)
    for start in range(0, scenarios, batch):
        size = min(batch, scenarios - start)
        factors = rng.lognormal(0.0, spread, size=(size, base_units.size))
        scaled = np.floor(factors * base_float + 0.5)  # half up; the values are >= 0
        highest = float(scaled.max())
        if highest >= _FLOAT_EXACT:
            msg = f"a scenario quantity ({highest:.3g} units) is too large to simulate exactly"
            raise OverflowError(msg)
        units = scaled.astype(np.int64)
        if moving is not None:
            costs[start : start + size] = moving.cost(np, units)
        for key, columns, plan in per_department:
            charged[key][start : start + size] = plan.revenue(np, units[:, columns])
        for index, plan in enumerate(plans):
            _check_bound(plan, int(highest), int(costs[start : start + size].max()))
            recovery[index, start : start + size] = (
                plan.revenue(np, units) - costs[start : start + size]
            )

    distributions = tuple(
        _distribution(np, plan.name, cost, at, values, levels, costs)
        for plan, at, values in zip(plans, deterministic, recovery, strict=True)
    )
    spreads = tuple(
        _spread(np, department, model, charged[(model, department)])
        for (model, department), *_ in per_department
    )
    return MonteCarloResult(scenarios, spread, seed, _kronor(cost), levels, distributions, spreads)


def _restricted(model: Model, department: str) -> Model:
    """The model as it charges one department alone."""
    if isinstance(model, FixedFeeModel | HybridModel):
        fees = {d: f for d, f in model.annual_fees.items() if d == department}
        return replace(model, annual_fees=fees)
    return model


def _department_plans(
    np: ModuleType,
    models: Sequence[Model],
    volumes: VolumeSet,
    services: Sequence[str],
    departments: Sequence[str],
    quanta: Sequence[int],
) -> list[tuple[tuple[str, str], IntArray, _Plan]]:
    """(model, department) -> the columns of its entries and its integer plan."""
    entries = tuple(volumes)
    names = sorted(set(departments))
    found: list[tuple[tuple[str, str], IntArray, _Plan]] = []
    for model in models:
        if isinstance(model, FixedFeeModel | HybridModel):
            extra = [d for d in model.annual_fees if d not in names]
        else:
            extra = []
        for department in [*names, *sorted(extra)]:
            columns = [i for i, d in enumerate(departments) if d == department]
            own = VolumeSet(tuple(entries[i] for i in columns))
            fast = _fast(_restricted(model, department), own if columns else volumes)
            if fast is None:
                break  # not per department on the integer path: leave the model out
            plan = _plan(
                np,
                fast,
                [services[i] for i in columns],
                [departments[i] for i in columns],
                [quanta[i] for i in columns],
            )
            found.append(((model.name, department), np.array(columns, dtype=np.int64), plan))
        else:
            continue
        found = [f for f in found if f[0][0] != model.name]
    return found


def _spread(np: ModuleType, department: str, model: str, values: IntArray) -> DepartmentSpread:
    n = int(values.size)
    ordered = np.sort(values)
    p5, p95 = (int(ordered[max(-(-n * p // 100), 1) - 1]) for p in (5, 95))
    mean = _mean_ore(sum(values.tolist()), n)
    width = (
        (Decimal(p95 - p5) / Decimal(mean)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        if mean
        else None
    )
    return DepartmentSpread(department, model, _kronor(mean), _kronor(p5), _kronor(p95), width)


def _check_bound(plan: _Plan | _EnginePlan, max_units: int, cost: int) -> None:
    if plan.bound(max_units) + abs(cost) >= _INT64_SAFE:
        msg = f"model {plan.name!r}: amounts too large for exact 64-bit arithmetic"
        raise OverflowError(msg)


@dataclass(frozen=True)
class _MovingCost:
    """A cost model's cost per scenario, from each driver's monthly volume totals.

    ``weights`` maps the entries (columns of the units) to (driver, month) totals in
    hundredths of a unit: an entry counts 100 per whole unit, 1 per hundredth.
    """

    model: CostModel
    weights: IntArray

    @classmethod
    def of(
        cls, np: ModuleType, model: CostModel, volumes: VolumeSet, quanta: Sequence[int]
    ) -> _MovingCost:
        """The weights of ``model`` for the entries of ``volumes``."""
        weights = np.zeros((len(quanta), len(model.drivers) * 12), dtype=np.int64)
        for row, (entry, quantum) in enumerate(zip(volumes, quanta, strict=True)):
            per_unit = 100 if quantum == 100 else 1
            for index, driver in enumerate(model.drivers):
                if driver.matches(entry.key.service):
                    weights[row, index * 12 + entry.key.month.month - 1] = per_unit
        return cls(model, weights)

    def cost(self, np: ModuleType, units: IntArray) -> IntArray:
        """The cost in öre, one per scenario (row of ``units``)."""
        result: IntArray = np.empty(units.shape[0], dtype=np.int64)
        if not self.model.drivers:
            result[:] = _whole_ore(self.model.fixed, "fixed cost")
            return result
        bound = int(units.max(initial=0)) * 100 * units.shape[1]
        if bound >= _INT64_SAFE:
            msg = "volumes too large for exact 64-bit arithmetic of the cost model"
            raise OverflowError(msg)
        totals = (units @ self.weights).tolist()
        for row, flat in enumerate(totals):
            by_driver = [tuple(flat[i * 12 : i * 12 + 12]) for i in range(len(self.model.drivers))]
            result[row] = self.model.total_ore(by_driver)
        return result


def _share(count: int, n: int) -> Decimal:
    return (Decimal(count) / Decimal(n)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _distribution(
    np: ModuleType,
    name: str,
    cost: int,
    at_input: int,
    values: IntArray,
    levels: tuple[int, ...],
    costs: IntArray,
) -> ModelDistribution:
    n = int(values.size)
    ordered = np.sort(values)
    # Inverted CDF: the smallest value with at least p % of the scenarios at or below it.
    picked = [(p, int(ordered[max(-(-n * p // 100), 1) - 1])) for p in levels]
    under = int(np.count_nonzero(values < 0))
    total = sum(values.tolist())  # Python ints: exact whatever the count
    probability = _share(under, n)
    # |balance| > band x cost, in integers: 100 x |balance| > cost (1 %), 20 x (5 %).
    pairs = list(zip(values.tolist(), costs.tolist(), strict=True))  # Python ints: exact
    outside_1 = sum(1 for v, c in pairs if abs(v) * 100 > abs(c))
    outside_5 = sum(1 for v, c in pairs if abs(v) * 20 > abs(c))
    return ModelDistribution(
        model=name,
        cost=_kronor(cost),
        deterministic=_kronor(at_input),
        mean=_kronor(_mean_ore(total, n)),
        minimum=_kronor(int(ordered[0])),
        maximum=_kronor(int(ordered[-1])),
        percentiles=tuple((p, _kronor(v)) for p, v in picked),
        scenarios=n,
        under_recovery_scenarios=under,
        under_recovery_probability=probability,
        outside_1pct_probability=_share(outside_1, n),
        outside_5pct_probability=_share(outside_5, n),
        mean_cost=_kronor(_mean_ore(sum(costs.tolist()), n)),
    )
