"""Key performance indicators (nyckeltal) with the targets the business plans set.

Actual against target per month, tertial and year, from a billing run (volumes), staffing
(FTE, input data) and, for cost per unit, the full cost phased over the months. Where a
plan leaves the time base open (2010), the time base is a parameter, never a guess.
"""

from __future__ import annotations

import enum
import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, localcontext

from sfprice.engine.billing import BillingRun
from sfprice.engine.recovery import TERTIALS

__all__ = [
    "KPIS",
    "Kpi",
    "KpiKind",
    "KpiRow",
    "TimeBase",
    "kpi_report",
    "kpis_for_year",
    "units_by_month",
]


class KpiKind(enum.StrEnum):
    """How a KPI is computed."""

    PER_FTE = "per_fte"
    """Units handled per FTE (årsarbetare), per month or per year."""
    COST_PER_UNIT = "cost_per_unit"
    """Full cost divided by units."""
    SHARE = "share"
    """Units of some services as a share of units of a wider set."""


class TimeBase(enum.StrEnum):
    """The time a per-FTE figure is expressed over."""

    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class Kpi:
    """A KPI definition and its target.

    Attributes:
        code: Stable id (``payroll.payslips_per_fte``).
        name: Swedish name as the plan words it.
        area: Business area whose staffing or cost is the denominator.
        kind: How it is computed.
        services: Service-code patterns counted as units (``payroll.*`` style).
        of_services: For a share: the patterns of the whole.
        target: The plan's target, or None.
        higher_is_better: Direction of the comparison with the target.
        time_base: For per-FTE KPIs: per month or per year; None when the plan leaves it
            open and the user must choose.
        source: Seed file and line of the target.
    """

    code: str
    name: str
    area: str
    kind: KpiKind
    services: tuple[str, ...]
    of_services: tuple[str, ...] = ()
    target: Decimal | None = None
    higher_is_better: bool = True
    time_base: TimeBase | None = TimeBase.MONTH
    source: str = ""

    @property
    def metric(self) -> str:
        """What is measured, without the plan year (``payroll.payslips_per_fte``)."""
        return self.code.rsplit("_", 1)[0]

    @property
    def year(self) -> int:
        """The year of the plan that set the target."""
        return int(self.code.rsplit("_", 1)[1])


_PAYSLIPS = ("payroll.self_service", "payroll.manual")

#: The KPIs the plans define, with their targets, per plan year.
KPIS: dict[str, Kpi] = {
    "payroll.payslips_per_fte_2010": Kpi(
        "payroll.payslips_per_fte_2010",
        "Antal lönespecifikationer per administratör/heltid",
        "payroll",
        KpiKind.PER_FTE,
        _PAYSLIPS,
        target=Decimal(800),
        time_base=None,
        source="004_c98e6cf4bb870a81.txt:496 (time base not stated)",
    ),
    "payroll.payslips_per_fte_2014": Kpi(
        "payroll.payslips_per_fte_2014",
        "Antal löner per årsarbetare och månad, genomsnitt",
        "payroll",
        KpiKind.PER_FTE,
        _PAYSLIPS,
        target=Decimal(960),
        source="003_dbc171dac11004c9.txt:205-208 (åtagande 003:317-319)",
    ),
    "payroll.payslips_per_fte_2019": Kpi(
        "payroll.payslips_per_fte_2019",
        "Antal löner per årsarbetare och månad, genomsnitt",
        "payroll",
        KpiKind.PER_FTE,
        _PAYSLIPS,
        target=Decimal(1050),
        source="000_19d1f1cf7bf427d7.txt:226 (åtagande 000:190)",
    ),
    "payroll.cost_per_payslip_2010": Kpi(
        "payroll.cost_per_payslip_2010",
        "Nämndens genomsnittliga kostnad per lönespecifikation",
        "payroll",
        KpiKind.COST_PER_UNIT,
        _PAYSLIPS,
        target=Decimal(74),
        higher_is_better=False,
        time_base=None,
        source="004_c98e6cf4bb870a81.txt:349",
    ),
    "economy.supplier_invoices_per_fte_2017": Kpi(
        "economy.supplier_invoices_per_fte_2017",
        "Antal leverantörsfakturor per årsarbetare i genomsnitt per månad",
        "economy",
        KpiKind.PER_FTE,
        ("ap.*",),
        target=Decimal(3500),
        source="001_107bc9a4fc2b7a7d.txt:151",
    ),
    "economy.customer_invoices_per_fte_2017": Kpi(
        "economy.customer_invoices_per_fte_2017",
        "Antal kundfakturor per årsarbetare i genomsnitt per månad",
        "economy",
        KpiKind.PER_FTE,
        ("ar.feeder", "ar.manual", "ar.manual_attachment"),
        target=Decimal(5800),
        source="001_107bc9a4fc2b7a7d.txt:152",
    ),
    "payroll.machine_share_2013": Kpi(
        "payroll.machine_share_2013",
        "Andel löner som administreras maskinellt via försystem",
        "payroll",
        KpiKind.SHARE,
        ("payroll.self_service",),
        of_services=_PAYSLIPS,
        target=Decimal("0.755"),
        time_base=None,
        source="003_dbc171dac11004c9.txt:135-137",
    ),
}


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
    """Units billed per month (1..12) of the services matching the patterns."""
    units = {m: Decimal(0) for m in range(1, 13)}
    for invoice, line in run.lines:
        if invoice.month.year == year and _matches(line.service, patterns):
            units[invoice.month.month] += line.quantity
    return units


def kpis_for_year(year: int) -> tuple[Kpi, ...]:
    """For each metric, the KPI whose target applies to ``year``.

    That is the target of the latest plan up to that year, or of the earliest plan when all
    are later: 2014 gets the 2014 payslip target (960), 2019 and later get 1 050.
    """
    chosen: dict[str, Kpi] = {}
    for kpi in sorted(KPIS.values(), key=lambda k: k.year):
        current = chosen.get(kpi.metric)
        if current is None or kpi.year <= year:
            chosen[kpi.metric] = kpi
    return tuple(chosen.values())


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
        time_base: Overrides the KPIs' time base; required for a per-FTE KPI whose plan
            leaves it open.

    Per FTE and month over a period = units / (sum over its months of the month's FTE);
    per FTE and year = units / average FTE. Cost per unit = cost / units.

    Raises:
        ValueError: When a KPI lacks its staffing or cost, or its time base is open.
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
    for kpi in kpis:
        base = TimeBase(time_base) if time_base is not None else kpi.time_base
        if kpi.kind is KpiKind.PER_FTE and base is None:
            msg = f"{kpi.code}: the plan leaves the time base open; choose month or year"
            raise ValueError(msg)
        units = units_by_month(run, kpi.services, year)
        whole = units_by_month(run, kpi.of_services, year) if kpi.of_services else units
        area_fte = (fte or {}).get(kpi.area)
        area_cost = (cost or {}).get(kpi.area)
        if kpi.kind is KpiKind.PER_FTE and area_fte is None:
            msg = f"{kpi.code}: no staffing (FTE) given for area {kpi.area!r}"
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
