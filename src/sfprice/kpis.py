"""KPI definitions (nyckeltal) and the figures the business plans state for them.

A *metric* says what is measured (payslips per FTE, cost per payslip, ...). A plan states a
figure for a metric and a year: a **target** (årsmål, compared with the outcome) or a
**forecast** (a volume the plan expects, shown beside the outcome but never "met"). The
figures are data (``kpis/targets.toml``, loaded by :mod:`sfprice.io.kpis`), each citing its
seed line. Nothing here reads files or formats output.

A figure applies to the year it is stated for and to no other: a KPI report for 2015 shows
the 2014 plan's 960 payslips per FTE as no target at all (the issue's rule: a year with no
stated target shows none).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["METRICS", "FigureKind", "Kpi", "KpiKind", "Metric", "PlanIndicator", "TimeBase"]


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


class FigureKind(enum.StrEnum):
    """What a plan's figure is."""

    TARGET = "target"
    """An annual target (årsmål): the outcome is compared with it."""
    FORECAST = "forecast"
    """An expected figure (beräknas): shown beside the outcome, never met or missed."""


@dataclass(frozen=True, slots=True)
class Metric:
    """What a KPI measures.

    Attributes:
        code: Stable id (``payroll.payslips_per_fte``).
        name: Swedish name, shown for a year whose plans state no figure.
        area: Business area whose staffing or cost is the denominator.
        kind: How it is computed.
        services: Service-code patterns counted as units (``ap.*`` style).
        of_services: For a share: the patterns of the whole.
        higher_is_better: Direction of the comparison with a target.
    """

    code: str
    name: str
    area: str
    kind: KpiKind
    services: tuple[str, ...]
    of_services: tuple[str, ...] = ()
    higher_is_better: bool = True


_PAYSLIPS = ("payroll.self_service", "payroll.manual")

#: The metrics sfprice can measure from volumes, staffing and cost budgets.
METRICS: dict[str, Metric] = {
    m.code: m
    for m in (
        Metric(
            "payroll.payslips_per_fte",
            "Antal lönespecifikationer per årsarbetare",
            "payroll",
            KpiKind.PER_FTE,
            _PAYSLIPS,
        ),
        Metric(
            "payroll.cost_per_payslip",
            "Genomsnittlig kostnad per lönespecifikation",
            "payroll",
            KpiKind.COST_PER_UNIT,
            _PAYSLIPS,
            higher_is_better=False,
        ),
        Metric(
            "payroll.machine_share",
            "Andel lönespecifikationer som administreras maskinellt (självservice)",
            "payroll",
            KpiKind.SHARE,
            ("payroll.self_service",),
            of_services=_PAYSLIPS,
        ),
        Metric(
            "economy.supplier_invoices_per_fte",
            "Antal leverantörsfakturor per årsarbetare",
            "economy",
            KpiKind.PER_FTE,
            ("ap.*",),
        ),
        Metric(
            "economy.customer_invoices_per_fte",
            "Antal kundfakturor per årsarbetare",
            "economy",
            KpiKind.PER_FTE,
            ("ar.feeder", "ar.manual", "ar.manual_attachment"),
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Kpi:
    """A metric with the figure one plan states for one year (or with no figure).

    Attributes:
        code: ``<metric>_<year>`` (``payroll.payslips_per_fte_2014``).
        name: Swedish name as the plan words it.
        area: Business area whose staffing or cost is the denominator.
        kind: How it is computed.
        services: Service-code patterns counted as units.
        of_services: For a share: the patterns of the whole.
        target: The plan's target for the year, or None.
        higher_is_better: Direction of the comparison with the target.
        time_base: For per-FTE KPIs: per month or per year; None when the plan leaves it
            open and the user must choose.
        source: Seed file and line of the figure ("" when no plan states one).
        forecast: The plan's forecast for the year (never compared as a target), or None.
        plan: The plan that states the figure (``Verksamhetsplan 2014, lön och pension``).
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
    forecast: Decimal | None = None
    plan: str = ""

    def __post_init__(self) -> None:
        """Check that the code ends in the year and that at most one figure is given."""
        _, sep, year = self.code.rpartition("_")
        if not sep or not year.isdigit() or len(year) != 4:
            msg = f"KPI code {self.code!r} must end in _YYYY (the year of the figure)"
            raise ValueError(msg)
        if self.target is not None and self.forecast is not None:
            msg = f"{self.code}: a figure is a target or a forecast, not both"
            raise ValueError(msg)

    @property
    def metric(self) -> str:
        """What is measured, without the year (``payroll.payslips_per_fte``)."""
        return self.code.rsplit("_", 1)[0]

    @property
    def year(self) -> int:
        """The year the figure is stated for (a report for this year uses it)."""
        return int(self.code.rsplit("_", 1)[1])

    @property
    def figure(self) -> FigureKind | None:
        """Whether the plan's figure is a target or a forecast; None without a figure."""
        if self.target is not None:
            return FigureKind.TARGET
        if self.forecast is not None:
            return FigureKind.FORECAST
        return None

    @classmethod
    def unstated(cls, metric: Metric, year: int, time_base: TimeBase | None = None) -> Kpi:
        """The metric for a year whose plans state no figure for it: no target, no source."""
        return cls(
            f"{metric.code}_{year}",
            metric.name,
            metric.area,
            metric.kind,
            metric.services,
            metric.of_services,
            higher_is_better=metric.higher_is_better,
            time_base=time_base,
        )


@dataclass(frozen=True, slots=True)
class PlanIndicator:
    """An indicator with a plan target that sfprice cannot measure (satisfaction, ...).

    Shown with the KPI report of its year, so that no target the plan states is lost.

    Attributes:
        year: The year the target is stated for.
        name: The indicator as the plan words it.
        target: The plan's own target as printed ("90 %"), or "" when it states none.
        kf_target: The city council's target as printed, or "".
        periodicity: How often it is followed up, as printed (År, Tertial, ...), or "".
        source: Seed file and line(s).
    """

    year: int
    name: str
    target: str
    kf_target: str = ""
    periodicity: str = ""
    source: str = ""
