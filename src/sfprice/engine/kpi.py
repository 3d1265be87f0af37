"""Key performance indicators (nyckeltal) against the figures the business plans state.

Outcome against target (or beside a forecast) per month, tertial and year, from a billing
run (volumes), staffing (FTE, input data) and, for cost per unit, the full cost phased over
the months. A year uses only the figures stated for that year (see :mod:`sfprice.kpis`).
Where a plan leaves the time base open (2010, 2025), the time base is a parameter, never a
guess.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, localcontext

from sfprice.engine.billing import BillingRun
from sfprice.engine.recovery import TERTIALS
from sfprice.errors import Remedy
from sfprice.kpis import METRICS, Kpi, KpiKind, Metric, TimeBase

__all__ = [
    "Kpi",
    "KpiKind",
    "KpiRow",
    "TimeBase",
    "kpi_report",
    "kpis_for_year",
    "units_by_month",
]


@dataclass(frozen=True, slots=True)
class KpiRow:
    """A KPI's actual against its target for one period.

    Attributes:
        kpi: The definition.
        period: ``2014-03``, ``T1`` or ``2014``.
        months: How many months the period covers.
        numerator: Units (or cost, for cost per unit) over the period.
        denominator: FTE-months or FTE (per month / per year), units, or the whole.
        actual: The KPI value, to 2 decimals (4 for shares); None when undefined.
    """

    kpi: Kpi
    period: str
    months: int
    numerator: Decimal
    denominator: Decimal
    actual: Decimal | None

    @property
    def met(self) -> bool | None:
        """Whether the target is met; None without a target or an actual."""
        if self.kpi.target is None or self.actual is None:
            return None
        if self.kpi.higher_is_better:
            return self.actual >= self.kpi.target
        return self.actual <= self.kpi.target


def _matches(code: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(code, p) for p in patterns)


def units_by_month(run: BillingRun, patterns: Sequence[str], year: int) -> dict[int, Decimal]:
    """Units of volume billed per month (1..12) of the services matching the patterns.

    Only lines priced from volumes count (:attr:`InvoiceLine.volume`): a fixed fee, a fee
    per employee, a percentage or a minimum that matches a pattern is no unit of volume.
    """
    units = {m: Decimal(0) for m in range(1, 13)}
    for invoice, line in run.lines:
        volume = line.volume
        if volume is not None and invoice.month.year == year and _matches(line.service, patterns):
            units[invoice.month.month] += volume
    return units


def kpis_for_year(
    year: int, kpis: Iterable[Kpi], metrics: Iterable[Metric] | None = None
) -> tuple[Kpi, ...]:
    """For each metric, the figure stated for exactly ``year``, or the metric with none.

    A plan's figure applies to the year it is stated for and to no other: 2014 gets the
    2014 plan's 960 payslips per FTE, 2015 gets no payslip target at all, 2010 gets the 2010
    plan's 4 300 and 2 500 invoices per handler (not 2017's 5 800 and 3 500).

    Args:
        year: The year measured.
        kpis: The stated figures (e.g. :func:`sfprice.load_kpis`).
        metrics: The metrics to cover (default: all of :data:`sfprice.kpis.METRICS`); a
            metric with no figure for the year comes back as :meth:`Kpi.unstated`.
    """
    stated = {k.metric: k for k in kpis if k.year == year}
    chosen = list(METRICS.values()) if metrics is None else list(metrics)
    return tuple(stated.get(m.code) or Kpi.unstated(m, year) for m in chosen)


def _value(kpi: Kpi, num: Decimal, den: Decimal) -> Decimal | None:
    if not den:
        return None
    with localcontext() as context:
        context.prec = 40
        places = Decimal("0.0001") if kpi.kind is KpiKind.SHARE else Decimal("0.01")
        return (num / den).quantize(places)


def kpi_report(
    run: BillingRun,
    kpis: Sequence[Kpi],
    *,
    year: int,
    months: Sequence[int],
    fte: Mapping[str, Mapping[int, Decimal]] | None = None,
    cost: Mapping[str, Mapping[int, Decimal]] | None = None,
    time_base: TimeBase | str | None = None,
) -> tuple[KpiRow, ...]:
    """Compute KPIs per month, per tertial and for the months given together.

    Args:
        run: The billing run (its quantities are the volumes).
        kpis: The KPIs to compute.
        year: The year.
        months: The months with actuals (e.g. 1..8 at tertial 2).
        fte: Staffing per area and month (average FTE in the month), for per-FTE KPIs.
        cost: Full cost per area and month, for cost-per-unit KPIs.
        time_base: The time base of per-FTE KPIs whose plan leaves it open (required for
            them). Given for a KPI whose plan states another time base, the KPI is
            computed on the time base given and shown without the plan's figure, which is
            stated per the other time base and cannot be compared.

    Per FTE and month over a period = units / (sum over its months of the month's FTE);
    per FTE and year = units / average FTE. Cost per unit = cost / units.

    Raises:
        ValueError: When a KPI lacks its staffing or cost, or its time base is open, or a
            KPI is not for ``year``.
    """
    chosen = tuple(months)
    periods: list[tuple[str, tuple[int, ...]]] = [(f"{year}-{m:02d}", (m,)) for m in chosen]
    for name, span in TERTIALS.items():
        covered = tuple(m for m in span if m in chosen)
        if covered:
            partial = len(covered) < len(span)
            periods.append((f"{name} ({len(covered)} mån)" if partial else name, covered))
    periods.append((str(year) if len(chosen) == 12 else f"{year} ({len(chosen)} mån)", chosen))
    rows: list[KpiRow] = []
    chosen_base = TimeBase(time_base) if time_base is not None else None
    for stated in kpis:
        if stated.year != year:
            msg = (
                f"{stated.code}: the figure is stated for {stated.year}, not {year}; "
                f"a year is measured against its own plan's figures only"
            )
            raise ValueError(msg)
        kpi = stated
        base = chosen_base or kpi.time_base
        if kpi.kind is KpiKind.PER_FTE and base is None:
            msg = f"{kpi.code}: the plan leaves the time base open; choose month or year"
            raise ValueError(msg)
        if kpi.kind is not KpiKind.PER_FTE:
            base = None
        elif kpi.time_base is not None and base is not kpi.time_base:
            # The plan's figure is per the other time base: not comparable, so not shown.
            kpi = replace(kpi, target=None, forecast=None, source="", plan="")
        units = units_by_month(run, kpi.services, year)
        whole = units_by_month(run, kpi.of_services, year) if kpi.of_services else units
        area_fte = (fte or {}).get(kpi.area)
        area_cost = (cost or {}).get(kpi.area)
        if kpi.kind is KpiKind.PER_FTE and area_fte is None:
            msg = f"{kpi.code}: no staffing (FTE) given for area {kpi.area!r}"
            raise ValueError(msg)
        if kpi.kind is KpiKind.PER_FTE and area_fte is not None:
            # A month without FTE would leave its units over the other months' FTE: a
            # silently inflated figure for the tertial and the year. Refuse it.
            lacking = [f"{year}-{m:02d}" for m in chosen if m not in area_fte]
            if lacking:
                msg = (
                    f"{kpi.code}: the staffing gives no FTE for area {kpi.area!r} in "
                    f"{', '.join(lacking)} (give every month measured, {Remedy.FEWER_MONTHS})"
                )
                raise ValueError(msg)
        if kpi.kind is KpiKind.COST_PER_UNIT and area_cost is None:
            msg = f"{kpi.code}: no cost given for area {kpi.area!r}"
            raise ValueError(msg)
        for label, span in periods:
            num = sum((units[m] for m in span), Decimal(0))
            if kpi.kind is KpiKind.PER_FTE:
                assert area_fte is not None
                fte_months = sum((area_fte.get(m, Decimal(0)) for m in span), Decimal(0))
                den = fte_months if base is TimeBase.MONTH else fte_months / len(span)
            elif kpi.kind is KpiKind.COST_PER_UNIT:
                assert area_cost is not None
                num, den = sum((area_cost.get(m, Decimal(0)) for m in span), Decimal(0)), num
            else:
                den = sum((whole[m] for m in span), Decimal(0))
            rows.append(
                KpiRow(
                    replace(kpi, time_base=base), label, len(span), num, den, _value(kpi, num, den)
                )
            )
    return tuple(rows)
