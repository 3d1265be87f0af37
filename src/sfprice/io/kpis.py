"""Load the KPI figures the business plans state (``kpis/targets.toml``) and validate them.

File format (see ``docs/cost-recovery.md``)::

    [[figures]]
    metric = "payroll.payslips_per_fte"   # one of sfprice.kpis.METRICS
    year = 2014                           # the year the figure is stated for
    kind = "target"                       # target | forecast
    value = 960
    time_base = "month"                   # month | year; leave out where the plan leaves it open
    name = "Antal löner per årsarbetare och månad, genomsnitt"
    plan = "Verksamhetsplan 2014, lön och pension"
    source = "003_dbc171dac11004c9.txt:205-208"
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

from pydantic import Field

from sfprice.errors import InputError, Issue
from sfprice.io._toml import Money, Schema, validate_toml
from sfprice.kpis import METRICS, Kpi, PlanIndicator, TimeBase

__all__ = ["bundled_kpis", "load_kpis", "load_plan_indicators"]


class _FigureSchema(Schema):
    metric: str
    year: int = Field(ge=1000, le=9999)
    kind: Literal["target", "forecast"]
    value: Money
    time_base: Literal["month", "year"] | None = None
    name: str = Field(min_length=1)
    plan: str = Field(min_length=1)
    source: str = Field(min_length=1)


class _UnmeasuredSchema(Schema):
    year: int = Field(ge=1000, le=9999)
    name: str = Field(min_length=1)
    target: str
    kf_target: str = ""
    periodicity: str = ""
    source: str = Field(min_length=1)


class _FileSchema(Schema):
    figures: list[_FigureSchema] = Field(min_length=1)
    unmeasured: list[_UnmeasuredSchema] = Field(default_factory=list)


def _kpi(figure: _FigureSchema) -> Kpi:
    metric = METRICS[figure.metric]
    return Kpi(
        f"{metric.code}_{figure.year}",
        figure.name,
        metric.area,
        metric.kind,
        metric.services,
        metric.of_services,
        target=figure.value if figure.kind == "target" else None,
        forecast=figure.value if figure.kind == "forecast" else None,
        higher_is_better=metric.higher_is_better,
        time_base=TimeBase(figure.time_base) if figure.time_base else None,
        source=figure.source,
        plan=figure.plan,
    )


def load_kpis(path: str | Path | Traversable | None = None) -> dict[str, Kpi]:
    """The stated KPI figures by code (``payroll.payslips_per_fte_2014``), in file order.

    Without a path, the bundled ``kpis/targets.toml``.

    >>> kpis = load_kpis()
    >>> kpis["payroll.payslips_per_fte_2014"].target
    Decimal('960')

    Raises:
        InputError: One issue per problem (file and field named).
    """
    if path is None:
        return dict(_bundled())
    schema, name = _read(path)
    issues: list[Issue] = []
    kpis: dict[str, Kpi] = {}
    for index, figure in enumerate(schema.figures):
        where = f"figures[{index}]"
        if figure.metric not in METRICS:
            known = ", ".join(METRICS)
            issues.append(
                Issue(
                    name,
                    f"unknown metric {figure.metric!r} (known: {known})",
                    field=f"{where}.metric",
                )
            )
            continue
        kpi = _kpi(figure)
        if kpi.code in kpis:
            issues.append(
                Issue(
                    name,
                    f"a second figure for {figure.metric} in {figure.year}: a year has one",
                    field=f"{where}.year",
                )
            )
            continue
        kpis[kpi.code] = kpi
    if issues:
        raise InputError(issues)
    return kpis


def load_plan_indicators(
    path: str | Path | Traversable | None = None,
) -> tuple[PlanIndicator, ...]:
    """The plans' other indicators (``[[unmeasured]]``), which sfprice does not measure.

    >>> [i.target for i in load_plan_indicators() if i.year == 2014][:2]
    ['90 %', '500']
    """
    schema, _ = _read(path if path is not None else bundled_kpis() / "targets.toml")
    return tuple(
        PlanIndicator(u.year, u.name, u.target, u.kf_target, u.periodicity, u.source)
        for u in schema.unmeasured
    )


def _read(path: str | Path | Traversable) -> tuple[_FileSchema, str]:
    file: Traversable = Path(path) if isinstance(path, str) else path
    name = str(path)
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Issue(name, f"cannot read the KPI figures: {exc}")]) from exc
    schema, issues = validate_toml(_FileSchema, text, name)
    if schema is None:
        raise InputError(issues)
    return schema, name


@cache
def _bundled() -> tuple[tuple[str, Kpi], ...]:
    return tuple(load_kpis(bundled_kpis() / "targets.toml").items())


def bundled_kpis() -> Traversable:
    """The folder of KPI figures shipped with sfprice (``kpis/`` in the repository)."""
    packaged = resources.files("sfprice") / "kpi_data"
    if packaged.is_dir():
        return packaged
    # An editable install runs from the source tree, where the folder sits at the top level.
    return Path(__file__).resolve().parents[3] / "kpis"
