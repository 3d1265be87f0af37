"""A cost model in which cost follows volume: fixed cost plus staff driven by volumes.

A :class:`CostModel` is one business area's cost for one year. It has a fixed part (kr per
year: the budget's non-staff figures, the area's share of common costs, and the staff that
does not follow volume, such as managers) and :class:`StaffDriver` s. A driver is a group
of staff whose size follows the volume of some services::

    FTE(month)        = volume(month - lag) / productivity     (units per FTE and month)
                        rounded as the driver says (fractional, whole, or steps of N FTE),
                        at least the driver's floor (min_fte)
    staff cost(month) = FTE(month) x cost per FTE / 12         (kr, rounded to öre)
    cost per FTE      = wages per FTE x (1 + on-cost rate)     (kr per year)

The fixed part is spread over the twelve months with :func:`sfprice.money.spread_evenly`.
A year's cost is the sum of its months. See ``docs/cost-model.md``.

**Rounding.** Every quantity is exact (volumes and FTE as exact fractions, never floats);
the one rounding to öre is :meth:`StaffDriver.month_cost_ore`: a driver's staff cost of
one month, half up. The Monte Carlo of :mod:`sfprice.engine.montecarlo` calls the same
method, so both paths give the same öre.

**Lag.** With ``lag = L`` months, the staff of month *m* follows the volume of month
*m - L*. For the first *L* months of the year, whose earlier month lies in the previous
year, the driver's ``planned_volume`` (the monthly volume the budget is staffed for)
is used: the staffing the year starts with. A driver with a lag needs a planned volume.

**Calibration.** :meth:`CostModel.calibrated` sets the fixed part so that the cost at
the planned volumes (every month at each driver's ``planned_volume``) equals the
budget's total exactly: ``fixed = total - sum of the drivers' planned staff cost``; the
planned staff cost must not exceed the budget's staff figure (else the drivers claim more
staff than the budget pays for, and ValueError says by how much).

Pure: nothing here reads files or prints.

>>> from decimal import Decimal
>>> driver = StaffDriver.from_wages(
...     "Löneadministratörer", ("payroll.*",), productivity=Decimal(960),
...     wages_per_fte=Decimal(400000), oncost_rate=Decimal("0.44"),
...     planned_volume=Decimal(48000))
>>> driver.cost_per_fte
Decimal('576000.00')
>>> driver.month_cost(Decimal(48000))    # 48 000 / 960 = 50 FTE x 576 000 / 12
Decimal('2400000.00')
>>> model = CostModel.calibrated("payroll", 2014, Decimal(48300000), (driver,))
>>> model.fixed                          # 48 300 000 - 12 x 2 400 000
Decimal('19500000.00')
"""

from __future__ import annotations

import enum
import fnmatch
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from sfprice.model import VolumeSet
from sfprice.money import exact_product, exact_sum, round_amount, spread_evenly
from sfprice.period import Month

__all__ = [
    "CostModel",
    "CostOutcome",
    "DriverMonth",
    "FteRounding",
    "MonthCost",
    "StaffDriver",
]

_MONTHS = 12
_FTE_SHOWN = Decimal("0.0001")


class FteRounding(enum.StrEnum):
    """How a driver's FTE need is rounded."""

    FRACTIONAL = "fractional"
    """Exactly volume / productivity (staff can be hired by the hour)."""
    WHOLE = "whole"
    """Up to a whole FTE (ceil)."""
    STEP = "step"
    """Up to a multiple of the driver's ``step`` FTE (e.g. 0.5, or 5 for a whole team)."""


def _half_up(value: Fraction) -> int:
    """A non-negative fraction rounded half up to a whole number (integers only)."""
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)


@dataclass(frozen=True, slots=True)
class StaffDriver:
    """Staff whose number follows the volume of some services.

    Attributes:
        label: What staff it is (Löneadministratörer ...).
        services: Service codes or shell-style patterns (``payroll.*``) whose volumes drive
            it; services no price list prices are welcome (employment documents).
        productivity: Units handled per FTE and month (> 0), e.g. 960 payslips.
        cost_per_fte: Kronor per FTE and year, on-cost included (>= 0).
        wages_per_fte: The wages part (kr per FTE and year), when given as wages x (1 +
            on-cost rate); kept for the statement.
        oncost_rate: The on-cost rate (0.434 is 43,4 %), with ``wages_per_fte``.
        rounding: How the FTE need is rounded.
        step: The step in FTE for ``FteRounding.STEP`` (> 0).
        lag: Months between a volume and the staffing that follows it (0..12).
        min_fte: The floor: never fewer FTE than this (>= 0).
        planned_volume: Units per month the budget is staffed for (calibration, and the
            first ``lag`` months of the year).
        source: Where the figures come from (seed file and line, or ASSUMED ...).

    Raises:
        ValueError: For a productivity <= 0, a negative cost or floor, a step missing or
            <= 0 with step rounding, a lag outside 0..12, or a lag without planned volume.
    """

    label: str
    services: tuple[str, ...]
    productivity: Decimal
    cost_per_fte: Decimal
    wages_per_fte: Decimal | None = None
    oncost_rate: Decimal | None = None
    rounding: FteRounding = FteRounding.FRACTIONAL
    step: Decimal | None = None
    lag: int = 0
    min_fte: Decimal = Decimal(0)
    planned_volume: Decimal | None = None
    source: str = ""

    def __post_init__(self) -> None:
        problem = self._problem()
        if problem is not None:
            msg = f"staff driver {self.label!r}: {problem}"
            raise ValueError(msg)

    def _problem(self) -> str | None:
        if not self.services or not all(self.services):
            return "give the service codes or patterns that drive it"
        for name, value in (
            ("productivity", self.productivity),
            ("cost per FTE", self.cost_per_fte),
            ("min_fte", self.min_fte),
        ):
            if not value.is_finite():
                return f"{name} must be a finite number, got {value}"
        if self.productivity <= 0:
            return f"productivity must be > 0 units per FTE and month, got {self.productivity}"
        if self.cost_per_fte < 0 or self.min_fte < 0:
            return "cost per FTE and min_fte must be >= 0"
        if self.rounding == FteRounding.STEP and (self.step is None or not self.step > 0):
            return "step rounding needs a step > 0 (FTE)"
        if not 0 <= self.lag <= _MONTHS:
            return f"lag must be 0..12 months, got {self.lag}"
        if self.lag and self.planned_volume is None:
            return "a lag needs a planned_volume (the staffing of the first months)"
        if self.planned_volume is not None and (
            not self.planned_volume.is_finite() or self.planned_volume < 0
        ):
            return f"planned_volume must be >= 0, got {self.planned_volume}"
        return None

    @classmethod
    def from_wages(
        cls,
        label: str,
        services: tuple[str, ...],
        *,
        productivity: Decimal,
        wages_per_fte: Decimal,
        oncost_rate: Decimal,
        **options: object,
    ) -> StaffDriver:
        """A driver whose cost per FTE is wages x (1 + on-cost rate), rounded to öre once."""
        cost = round_amount(exact_product(wages_per_fte, Decimal(1) + oncost_rate))
        return cls(
            label,
            services,
            productivity,
            cost,
            wages_per_fte,
            oncost_rate,
            **options,  # type: ignore[arg-type]
        )

    def matches(self, service: str) -> bool:
        """True when ``service`` drives this staff."""
        return any(fnmatch.fnmatchcase(service, pattern) for pattern in self.services)

    def exact_fte(self, volume: Fraction) -> Fraction:
        """The FTE a month's volume needs, rounded as the driver says, exactly."""
        need = volume / Fraction(self.productivity)
        if self.rounding == FteRounding.WHOLE:
            need = Fraction(math.ceil(need))
        elif self.rounding == FteRounding.STEP:
            assert self.step is not None
            step = Fraction(self.step)
            need = math.ceil(need / step) * step
        return max(need, Fraction(self.min_fte))

    def fte(self, volume: Decimal) -> Decimal:
        """The FTE for a month's volume (units), shown to 4 decimals (half up)."""
        return round_amount(_decimal(self.exact_fte(Fraction(volume))), quantum=_FTE_SHOWN)

    def month_cost_ore(self, volume: Fraction) -> int:
        """THE rounding of the cost model: one month's staff cost in whole öre, half up.

        ``FTE x cost per FTE / 12`` computed exactly, then rounded once.
        """
        if volume < 0:
            msg = f"staff driver {self.label!r}: a volume must be >= 0, got {volume}"
            raise ValueError(msg)
        exact = self.exact_fte(volume) * Fraction(self.cost_per_fte) * 100 / _MONTHS
        return _half_up(exact)

    def month_cost(self, volume: Decimal) -> Decimal:
        """One month's staff cost (kr, to öre) for a month's volume (units)."""
        return _kronor(self.month_cost_ore(Fraction(volume)))

    @property
    def planned_cost(self) -> Decimal:
        """The year's staff cost at the planned volume every month (kr).

        Raises:
            ValueError: When the driver has no planned volume.
        """
        if self.planned_volume is None:
            msg = f"staff driver {self.label!r} has no planned_volume"
            raise ValueError(msg)
        return self.month_cost(self.planned_volume) * _MONTHS


def _decimal(value: Fraction) -> Decimal:
    """A fraction as a Decimal to 10 decimals (for showing FTE and volumes, never money)."""
    return Decimal(value.numerator * 10**10 // value.denominator) / Decimal(10**10)


def _kronor(ore: int) -> Decimal:
    return (Decimal(ore) / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True, slots=True)
class DriverMonth:
    """One driver in one month.

    Attributes:
        label: The driver's label.
        volume: The units its staffing follows this month (after the lag), exact.
        fte: The FTE, to 4 decimals (for showing; the cost uses the exact FTE).
        cost: The staff cost of the month (kr, to öre).
        planned: True when the volume is the planned volume (a lag into last year).
    """

    label: str
    volume: Decimal
    fte: Decimal
    cost: Decimal
    planned: bool = False


@dataclass(frozen=True, slots=True)
class MonthCost:
    """The cost of one month: every driver, the fixed part and the total (kr)."""

    month: Month
    drivers: tuple[DriverMonth, ...]
    fixed: Decimal

    @property
    def staff(self) -> Decimal:
        """The driven staff cost of the month."""
        return exact_sum(d.cost for d in self.drivers)

    @property
    def total(self) -> Decimal:
        """Fixed plus driven staff cost."""
        return self.fixed + self.staff

    @property
    def fte(self) -> Decimal:
        """The driven FTE of the month (sum of the drivers' shown FTE)."""
        return sum((d.fte for d in self.drivers), Decimal(0))


@dataclass(frozen=True, slots=True)
class CostOutcome:
    """A cost model at some volumes: twelve months and the year.

    Attributes:
        area: The business area.
        year: The year.
        months: January..December.
    """

    area: str
    year: int
    months: tuple[MonthCost, ...]

    @property
    def fixed(self) -> Decimal:
        """The fixed cost of the year (kr)."""
        return exact_sum(m.fixed for m in self.months)

    @property
    def staff(self) -> Decimal:
        """The driven staff cost of the year (kr)."""
        return exact_sum(m.staff for m in self.months)

    @property
    def total(self) -> Decimal:
        """The year's cost (kr): fixed plus driven staff."""
        return self.fixed + self.staff

    @property
    def average_fte(self) -> Decimal:
        """The driven FTE, averaged over the twelve months (4 decimals)."""
        return round_amount(
            sum((m.fte for m in self.months), Decimal(0)) / _MONTHS, quantum=_FTE_SHOWN
        )

    def driver_cost(self, label: str) -> Decimal:
        """One driver's staff cost of the year (kr)."""
        return exact_sum(d.cost for m in self.months for d in m.drivers if d.label == label)


@dataclass(frozen=True, slots=True)
class CostModel:
    """One business area's cost for a year: fixed, plus staff that follows volume.

    Attributes:
        area: The business-area code.
        year: The year the model costs (its twelve months).
        fixed: Kronor per year that do not move with volume (>= 0 is not required: a
            calibration that leaves a negative fixed part is refused by
            :meth:`calibrated`, not here).
        drivers: The staff drivers (labels unique).
        source: Where the fixed part comes from.

    Raises:
        ValueError: For duplicate driver labels, a year outside 1..9999 or a fixed cost
            that is not a whole number of öre.
    """

    area: str
    year: int
    fixed: Decimal
    drivers: tuple[StaffDriver, ...] = ()
    source: str = ""
    _fixed_months: tuple[Decimal, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        labels = [d.label for d in self.drivers]
        if len(set(labels)) != len(labels):
            msg = f"cost model {self.area}: driver labels must be unique: {labels}"
            raise ValueError(msg)
        if not 1 <= self.year <= 9999:
            msg = f"cost model {self.area}: year must be 1..9999, got {self.year}"
            raise ValueError(msg)
        if not self.fixed.is_finite() or self.fixed != round_amount(self.fixed):
            msg = f"cost model {self.area}: the fixed cost must be whole öre, got {self.fixed}"
            raise ValueError(msg)
        object.__setattr__(self, "_fixed_months", spread_evenly(self.fixed, _MONTHS))

    @classmethod
    def constant(cls, area: str, year: int, cost: Decimal, source: str = "") -> CostModel:
        """A cost that never moves (no drivers): the old constant cost to recover."""
        return cls(area, year, cost, (), source)

    @classmethod
    def calibrated(
        cls,
        area: str,
        year: int,
        total: Decimal,
        drivers: tuple[StaffDriver, ...],
        *,
        staff_budget: Decimal | None = None,
        source: str = "",
    ) -> CostModel:
        """The model whose cost at the planned volumes is ``total`` exactly.

        ``fixed = total - sum of the drivers' planned_cost``.

        Args:
            area: The business area.
            year: The year.
            total: The cost to recover at the planned volumes (kr per year).
            drivers: Drivers, each with a ``planned_volume``.
            staff_budget: The budget's staff figure: the drivers' planned cost must not
                exceed it.
            source: Where ``total`` comes from.

        Raises:
            ValueError: For a driver without planned volume, planned staff cost above the
                staff budget or above the total.
        """
        planned = exact_sum(d.planned_cost for d in drivers)
        if staff_budget is not None and planned > staff_budget:
            msg = (
                f"the staff drivers cost {planned} kr at their planned volumes, more than the "
                f"budget's staff cost {staff_budget} kr (by {planned - staff_budget} kr); "
                "check productivity, cost per FTE and planned volume"
            )
            raise ValueError(msg)
        if planned > total:
            msg = f"the staff drivers cost {planned} kr at their planned volumes, more than {total}"
            raise ValueError(msg)
        return cls(area, year, total - planned, tuple(drivers), source)

    @property
    def months(self) -> tuple[Month, ...]:
        """January..December of the year."""
        return tuple(Month(self.year, m) for m in range(1, _MONTHS + 1))

    def driver_volumes(self, volumes: VolumeSet) -> dict[str, tuple[Fraction, ...]]:
        """Each driver's volume per month of the year (before the lag), exact.

        Raises:
            ValueError: For volumes of a month outside the model's year.
        """
        totals = {d.label: [Fraction(0)] * _MONTHS for d in self.drivers}
        for entry in volumes:
            month = entry.key.month
            if month.year != self.year:
                msg = f"cost model {self.area} {self.year}: volumes of {month} are outside the year"
                raise ValueError(msg)
            for driver in self.drivers:
                if driver.matches(entry.key.service):
                    totals[driver.label][month.month - 1] += Fraction(entry.quantity)
        return {label: tuple(months) for label, months in totals.items()}

    def cost(self, volumes: VolumeSet) -> CostOutcome:
        """The cost at these volumes, month by month.

        A month with no volumes of a driver's services has volume 0 (its staff falls to
        the floor). Splitting, merging or reordering entries changes nothing: only each
        driver's monthly totals count.

        Raises:
            ValueError: For volumes outside the year or a negative monthly volume.
        """
        return self.cost_of_totals(self.driver_volumes(volumes))

    def cost_of_totals(self, totals: Mapping[str, tuple[Fraction, ...]]) -> CostOutcome:
        """The cost from each driver's twelve monthly volumes (see :meth:`cost`)."""
        months: list[MonthCost] = []
        for index, month in enumerate(self.months):
            parts = []
            for driver in self.drivers:
                volume, planned = self.lagged(driver, totals[driver.label], index)
                parts.append(
                    DriverMonth(
                        driver.label,
                        _decimal(volume),
                        round_amount(_decimal(driver.exact_fte(volume)), quantum=_FTE_SHOWN),
                        _kronor(driver.month_cost_ore(volume)),
                        planned,
                    )
                )
            months.append(MonthCost(month, tuple(parts), self._fixed_months[index]))
        return CostOutcome(self.area, self.year, tuple(months))

    @staticmethod
    def lagged(
        driver: StaffDriver, months: tuple[Fraction, ...], index: int
    ) -> tuple[Fraction, bool]:
        """The volume month ``index`` (0 = January) is staffed for, and if it is planned."""
        source = index - driver.lag
        if source < 0:
            assert driver.planned_volume is not None  # a lag needs one
            return Fraction(driver.planned_volume), True
        return months[source], False

    def total_ore(self, totals: Iterable[tuple[int, ...]]) -> int:
        """The year's cost in öre from each driver's twelve monthly volumes in hundredths.

        The fast path of the Monte Carlo: ``totals`` has one tuple of twelve whole numbers
        (hundredths of a unit) per driver, in the order of :attr:`drivers`.
        """
        fixed = int(self.fixed * 100)  # whole öre: __post_init__ checks it
        staff = 0
        for driver, months in zip(self.drivers, totals, strict=True):
            volumes = tuple(Fraction(h, 100) for h in months)
            for index in range(_MONTHS):
                staff += driver.month_cost_ore(self.lagged(driver, volumes, index)[0])
        return fixed + staff

    @property
    def planned_cost(self) -> Decimal:
        """The cost at every driver's planned volume (kr per year)."""
        return self.fixed + exact_sum(d.planned_cost for d in self.drivers)
