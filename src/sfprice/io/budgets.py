"""Load cost budgets from TOML (one file per budget) and validate them.

File format (see ``docs/cost-recovery.md``)::

    id = "2014-payroll"
    year = 2014
    title = "Budget 2014, lön och pension"
    source = "Verksamhetsplan 2014: 003_dbc171dac11004c9.txt:117-131"
    opening_balance = { amount = 0, source = "..." }   # optional, a surplus is positive

    [[areas]]
    code = "payroll"              # matches the business_area of price-list items
    name = "Lön och pension"
    kind = "selling"              # selling | common | appropriation
    fte = 65.75

    [[areas.costs]]
    kind = "staff"                # or other_direct, overhead, depreciation_interest, unexplained
    label = "Lönekostnader"
    amount = 38000000             # or: wages = ..., oncost_rate = 0.434
    source = "003_dbc171dac11004c9.txt:127"

    [[areas.revenues]]
    kind = "sales"                # sales | other | appropriation
    label = "Försäljning av löneadministration"
    amount = 48300000
    source = "003_dbc171dac11004c9.txt:123"

    [[areas.drivers]]             # optional: staff that follows volume (docs/cost-model.md)
    label = "Löneadministratörer"
    services = ["payroll.*"]      # service codes or patterns whose volumes drive it
    productivity = 960            # units per FTE and month
    wages_per_fte = 403031        # kr per FTE and year; or cost_per_fte = ...
    oncost_rate = 0.434
    planned_volume = 50000        # units per month the budget is staffed for
    rounding = "fractional"       # fractional | whole | step (then step = N FTE)
    lag = 0                       # months; min_fte = 0 (floor)
    source = "003_dbc171dac11004c9.txt:422-433"

The drivers' staff cost at their planned volumes must not exceed the area's staff cost
(the rest of the staff, and every other figure, is the cost model's fixed part).

Amounts are kronor for the year, read as Decimal (never float).
"""

from __future__ import annotations

from decimal import Decimal
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from sfprice.costmodel import FteRounding, StaffDriver
from sfprice.costs import AreaBudget, AreaKind, BudgetFigure, CostBudget, CostKind, RevenueKind
from sfprice.errors import InputError, Issue
from sfprice.io._toml import RangedAmount, RangedKronor, RangedMoney, Schema, validate_toml
from sfprice.money import exact_product, round_amount

__all__ = ["bundled_budgets", "load_budget"]

_CODE = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"


_Kronor = RangedKronor
_Money = RangedMoney
_Amount = RangedAmount


class _CostSchema(Schema):
    kind: Literal["staff", "other_direct", "overhead", "depreciation_interest", "unexplained"]
    label: str = Field(min_length=1)
    amount: _Kronor | None = None
    wages: _Kronor | None = None
    oncost_rate: _Money | None = None
    source: str = ""

    @model_validator(mode="after")
    def _amount_or_wages(self) -> _CostSchema:
        given_wages = self.wages is not None or self.oncost_rate is not None
        if self.amount is None and not given_wages:
            msg = "give amount, or wages and oncost_rate"
            raise ValueError(msg)
        if given_wages and (self.wages is None or self.oncost_rate is None):
            msg = "wages and oncost_rate go together"
            raise ValueError(msg)
        if given_wages and self.kind != "staff":
            msg = "wages and oncost_rate are for a staff cost"
            raise ValueError(msg)
        return self


class _RevenueSchema(Schema):
    kind: Literal["sales", "other", "appropriation"]
    label: str = Field(min_length=1)
    amount: _Kronor
    source: str = ""


class _DriverSchema(Schema):
    label: str = Field(min_length=1)
    services: list[str] = Field(min_length=1)
    productivity: _Money
    cost_per_fte: _Kronor | None = None
    wages_per_fte: _Kronor | None = None
    oncost_rate: _Money | None = None
    planned_volume: _Money
    rounding: Literal["fractional", "whole", "step"] = "fractional"
    step: _Money | None = None
    lag: int = Field(default=0, ge=0, le=12)
    min_fte: _Money = Decimal(0)
    source: str = Field(min_length=1)

    @field_validator("productivity")
    @classmethod
    def _positive(cls, value: Decimal) -> Decimal:
        if not value > 0:
            msg = f"productivity must be > 0 units per FTE and month, got {value}"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _cost_given(self) -> _DriverSchema:
        wages = self.wages_per_fte is not None or self.oncost_rate is not None
        if wages and (self.wages_per_fte is None or self.oncost_rate is None):
            msg = "wages_per_fte and oncost_rate go together"
            raise ValueError(msg)
        if wages == (self.cost_per_fte is not None):
            msg = "give cost_per_fte, or wages_per_fte and oncost_rate (one of the two)"
            raise ValueError(msg)
        if (self.rounding == "step") != (self.step is not None):
            msg = 'step (FTE) goes with rounding = "step"'
            raise ValueError(msg)
        if self.step is not None and not self.step > 0:
            msg = f"step must be > 0 FTE, got {self.step}"
            raise ValueError(msg)
        if not all(s.strip() for s in self.services):
            msg = "a service code or pattern is empty"
            raise ValueError(msg)
        return self


class _AreaSchema(Schema):
    code: str = Field(pattern=_CODE)
    name: str = Field(min_length=1)
    kind: Literal["selling", "common", "appropriation"]
    fte: _Money | None = None
    fte_source: str = ""
    phasing: list[_Money] = Field(default_factory=list)
    costs: list[_CostSchema] = Field(default_factory=list)
    revenues: list[_RevenueSchema] = Field(default_factory=list)
    drivers: list[_DriverSchema] = Field(default_factory=list)


class _BalanceSchema(Schema):
    amount: _Amount
    source: str = ""


class _BudgetSchema(Schema):
    id: str = Field(min_length=1)
    year: int = Field(ge=1, le=9999)
    title: str = ""
    source: str = Field(min_length=1)
    currency: Literal["SEK"] = "SEK"
    opening_balance: _BalanceSchema | None = None
    areas: list[_AreaSchema] = Field(min_length=1)


def _cost(schema: _CostSchema) -> BudgetFigure:
    if schema.wages is not None and schema.oncost_rate is not None:
        # Staff cost = wages x (1 + personnel on-cost rate), rounded to öre once.
        loaded = round_amount(exact_product(schema.wages, Decimal(1) + schema.oncost_rate))
        if schema.amount is not None and schema.amount != loaded:
            msg = f"amount {schema.amount} is not wages x (1 + oncost_rate) = {loaded}"
            raise ValueError(msg)
        return BudgetFigure(
            CostKind(schema.kind),
            schema.label,
            loaded,
            schema.source,
            wages=schema.wages,
            oncost_rate=schema.oncost_rate,
        )
    assert schema.amount is not None  # the schema requires one of the two
    return BudgetFigure(CostKind(schema.kind), schema.label, schema.amount, schema.source)


def _driver(schema: _DriverSchema) -> StaffDriver:
    options = {
        "rounding": FteRounding(schema.rounding),
        "step": schema.step,
        "lag": schema.lag,
        "min_fte": schema.min_fte,
        "planned_volume": schema.planned_volume,
        "source": schema.source,
    }
    if schema.cost_per_fte is not None:
        return StaffDriver(
            schema.label,
            tuple(schema.services),
            schema.productivity,
            schema.cost_per_fte,
            **options,  # type: ignore[arg-type]
        )
    assert schema.wages_per_fte is not None
    assert schema.oncost_rate is not None
    return StaffDriver.from_wages(
        schema.label,
        tuple(schema.services),
        productivity=schema.productivity,
        wages_per_fte=schema.wages_per_fte,
        oncost_rate=schema.oncost_rate,
        **options,
    )


def _drivers(
    area: _AreaSchema, costs: list[BudgetFigure], path: str, where: str
) -> tuple[tuple[StaffDriver, ...], list[Issue]]:
    """The area's drivers, checked against its staff cost."""
    drivers: list[StaffDriver] = []
    issues: list[Issue] = []
    labels: dict[str, int] = {}
    for index, schema in enumerate(area.drivers):
        at = f"{where}.drivers[{index}]"
        if schema.label in labels:
            issues.append(
                Issue(
                    path,
                    f"driver label {schema.label!r} already used by "
                    f"drivers[{labels[schema.label]}]",
                    field=f"{at}.label ({area.code})",
                )
            )
            continue
        labels[schema.label] = index
        try:
            drivers.append(_driver(schema))
        except ValueError as exc:
            issues.append(Issue(path, str(exc), field=f"{at} ({area.code})"))
    if issues or not drivers:
        return tuple(drivers), issues
    staff = sum((c.amount for c in costs if c.kind == CostKind.STAFF), Decimal(0))
    planned = sum((d.planned_cost for d in drivers), Decimal(0))
    if planned > staff:
        issues.append(
            Issue(
                path,
                f"the drivers cost {planned} kr a year at their planned volumes, more than the "
                f"area's staff cost {staff} kr (by {planned - staff} kr); expected drivers "
                "that staff part of the budget (check productivity, cost per FTE, "
                "planned_volume)",
                field=f"{where}.drivers ({area.code})",
            )
        )
    return tuple(drivers), issues


def _from_schema(schema: _BudgetSchema, path: str) -> tuple[CostBudget | None, list[Issue]]:
    issues: list[Issue] = []
    areas: list[AreaBudget] = []
    seen: dict[str, int] = {}
    for index, area in enumerate(schema.areas):
        where = f"areas[{index}]"
        if area.code in seen:
            issues.append(
                Issue(
                    path,
                    f"area code {area.code!r} already used by areas[{seen[area.code]}]",
                    field=f"{where}.code ({area.code})",
                )
            )
        seen.setdefault(area.code, index)
        if area.phasing and len(area.phasing) != 12:
            issues.append(
                Issue(
                    path,
                    f"phasing needs 12 monthly weights, got {len(area.phasing)}",
                    field=f"{where}.phasing ({area.code})",
                )
            )
            continue
        if area.phasing and not any(area.phasing):
            issues.append(
                Issue(path, "phasing weights are all zero", field=f"{where}.phasing ({area.code})")
            )
            continue
        costs: list[BudgetFigure] = []
        for cost_index, cost in enumerate(area.costs):
            try:
                costs.append(_cost(cost))
            except ValueError as exc:
                issues.append(
                    Issue(path, str(exc), field=f"{where}.costs[{cost_index}].amount ({area.code})")
                )
        revenues = tuple(
            BudgetFigure(RevenueKind(r.kind), r.label, r.amount, r.source) for r in area.revenues
        )
        drivers, driver_issues = _drivers(area, costs, path, where)
        issues.extend(driver_issues)
        areas.append(
            AreaBudget(
                area.code,
                area.name,
                AreaKind(area.kind),
                tuple(costs),
                revenues,
                area.fte,
                tuple(area.phasing),
                drivers,
            )
        )
    if issues:
        return None, issues
    balance = schema.opening_balance
    return (
        CostBudget(
            id=schema.id,
            year=schema.year,
            title=schema.title,
            source=schema.source,
            areas=tuple(areas),
            opening_balance=balance.amount if balance else Decimal(0),
            opening_balance_source=balance.source if balance else "",
            currency=schema.currency,
            path=path,
        ),
        [],
    )


def load_budget(path: str | Path | Traversable) -> CostBudget:
    """Load and validate one cost-budget file.

    >>> budget = load_budget(bundled_budgets() / "2014-payroll.toml")
    >>> budget.area("payroll").direct_cost
    Decimal('48300000')

    Raises:
        InputError: With one issue per problem (file, area and field named).
    """
    file: Traversable = Path(path) if isinstance(path, str) else path
    name = str(path)
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as exc:
        names = ", ".join(sorted(b.name.removesuffix(".toml") for b in _bundled_files()))
        msg = f"no such budget file (expected a budget TOML file, or a bundled budget: {names})"
        raise InputError([Issue(name, msg)]) from exc
    except IsADirectoryError as exc:
        msg = "is a folder (expected a budget TOML file)"
        raise InputError([Issue(name, msg)]) from exc
    except UnicodeDecodeError as exc:
        msg = f"the budget is not UTF-8 text (byte {exc.start}); save it as UTF-8"
        raise InputError([Issue(name, msg)]) from exc
    except OSError as exc:
        raise InputError([Issue(name, f"cannot read the budget: {exc.strerror or exc}")]) from exc
    schema, issues = validate_toml(_BudgetSchema, text, name)
    if schema is None:
        raise InputError(issues)
    budget, issues = _from_schema(schema, name)
    if budget is None:
        raise InputError(issues)
    return budget


def _bundled_files() -> list[Traversable]:
    return [f for f in bundled_budgets().iterdir() if f.name.endswith(".toml")]


def bundled_budgets() -> Traversable:
    """The folder of example budgets shipped with sfprice (``budgets/`` in the repository)."""
    packaged = resources.files("sfprice") / "budgets"
    if packaged.is_dir():
        return packaged
    # An editable install runs from the source tree, where the budgets sit at the top level.
    return Path(__file__).resolve().parents[3] / "budgets"
