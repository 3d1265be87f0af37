"""The administration measure: what billing a customer under a price model takes in a year.

Less administration is half of the stated aim of the 2026 review of the price model
(``002_83b6b989210075f7.txt:93-106``). A model is measured by what it makes the
administration and the customer handle: documents sent, lines on them, and the corrections
and reconciliations that follow. Pure: nothing here reads files or prints.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, runtime_checkable

from sfprice.collation import swedish_key
from sfprice.engine.listmodel import PriceListModel
from sfprice.engine.simulate import (
    FixedFeeModel,
    HybridModel,
    PerUnitModel,
    PriceModel,
    annual_charges,
)
from sfprice.model import VolumeSet
from sfprice.period import Month

__all__ = ["AdminCount", "MeasuresAdministration", "administration", "total"]


@dataclass(frozen=True, slots=True)
class AdminCount:
    """One customer's billing administration under one model for one year.

    Attributes:
        invoices: Regular invoices sent (one per month with a charge).
        lines: Invoice lines on those invoices and on the corrections.
        corrections: Correction invoices and credit notes sent (year-end true-ups,
            reconciliations whose deviation was invoiced).
        reconciliations: Reconciliations computed and reported to the customer, invoiced or
            not.
    """

    invoices: int = 0
    lines: int = 0
    corrections: int = 0
    reconciliations: int = 0

    def __post_init__(self) -> None:
        for name in ("invoices", "lines", "corrections", "reconciliations"):
            if getattr(self, name) < 0:
                msg = f"{name} must be >= 0, got {getattr(self, name)}"
                raise ValueError(msg)

    @property
    def documents(self) -> int:
        """Documents the customer receives: invoices plus corrections."""
        return self.invoices + self.corrections

    def __add__(self, other: AdminCount) -> AdminCount:
        return AdminCount(
            self.invoices + other.invoices,
            self.lines + other.lines,
            self.corrections + other.corrections,
            self.reconciliations + other.reconciliations,
        )


# ------------------------------------------------------------------ measuring


@runtime_checkable
class MeasuresAdministration(Protocol):
    """A model that counts its own administration (e.g. a subscription's reconciliations)."""

    def administration(self, volumes: VolumeSet) -> Mapping[str, AdminCount]:
        """Each customer's count for these volumes (the year)."""
        ...


def administration(model: PriceModel, volumes: VolumeSet) -> dict[str, AdminCount]:
    """Each customer's billing administration under ``model`` for the year's ``volumes``.

    A model with its own ``administration(volumes)`` method (:class:`MeasuresAdministration`)
    counts itself. Otherwise it is measured from the lines it would invoice:

    - :class:`~sfprice.engine.listmodel.PriceListModel`: the lines ``bill`` makes of its
      area (one per priced service and month, plus fees, add-ons, percentages ...), and one
      line per allocated charge (``fixed``);
    - :class:`~sfprice.engine.simulate.PerUnitModel`: one line per service and month with a
      price other than 0;
    - :class:`~sfprice.engine.simulate.FixedFeeModel`: one line a month with a part other
      than 0; with a true-up, each customer's year-end reconciliation is reported (1) and,
      when it settles a difference, one correction with one line;
    - :class:`~sfprice.engine.simulate.HybridModel`: the fee line plus the per-unit lines;
    - any other model: one line per month with a charge other than 0.

    An invoice is a month with at least one line. Customers with no count are left out.

    Returns:
        Count per customer, in Swedish alphabetical order.
    """
    if isinstance(model, MeasuresAdministration):
        counts = dict(model.administration(volumes))
    elif isinstance(model, PriceListModel):
        counts = _from_lines(_list_lines(model, volumes))
    elif isinstance(model, FixedFeeModel):
        counts = _fixed(model, volumes)
    elif isinstance(model, HybridModel):
        fees = FixedFeeModel(model.name, model.annual_fees, year=model.year)
        fee_lines = _fee_lines(fees, volumes)
        unit_lines = _unit_lines(model.unit_prices, volumes)
        counts = _from_lines([*fee_lines, *unit_lines])
    elif isinstance(model, PerUnitModel):
        counts = _from_lines(_unit_lines(model.prices, volumes))
    else:
        counts = _from_lines(key for key, amount in model.charges(volumes).items() if amount)
    return {d: counts[d] for d in sorted(counts, key=swedish_key)}


def total(counts: Mapping[str, AdminCount]) -> AdminCount:
    """The counts of all customers added up (a model's total)."""
    return sum(counts.values(), AdminCount())


_Line = tuple[str, Month]  # (customer, month) of one invoice line


def _from_lines(lines: Iterable[_Line]) -> dict[str, AdminCount]:
    per_month: dict[str, dict[Month, int]] = defaultdict(lambda: defaultdict(int))
    for department, month in lines:
        per_month[department][month] += 1
    return {
        d: AdminCount(invoices=len(months), lines=sum(months.values()))
        for d, months in per_month.items()
    }


def _list_lines(model: PriceListModel, volumes: VolumeSet) -> list[_Line]:
    lines: list[_Line] = []
    for invoice, line in model.run(volumes).lines:
        left = model.gone.get(invoice.department)
        if left is not None and invoice.month >= left:
            continue
        if model.area is None or line.business_area == model.area:
            lines.append((invoice.department, invoice.month))
    lines.extend(key for key, amount in model.fixed.items() if amount)
    return lines


def _unit_lines(prices: Mapping[str, Decimal], volumes: VolumeSet) -> list[_Line]:
    return [
        (e.key.department, e.key.month)
        for e in volumes
        if e.quantity and prices.get(e.key.service, Decimal(0))
    ]


def _fee_lines(model: FixedFeeModel, volumes: VolumeSet) -> list[_Line]:
    plain = dataclasses.replace(model, true_up=None)
    return [key for key, part in plain.charges(volumes).items() if part]


def _fixed(model: FixedFeeModel, volumes: VolumeSet) -> dict[str, AdminCount]:
    counts = _from_lines(_fee_lines(model, volumes))
    if model.true_up is None:
        return counts
    # A settlement is what the true-up adds to the plain fees: compare the two.
    settled = annual_charges(model.charges(volumes))
    plain = annual_charges(dataclasses.replace(model, true_up=None).charges(volumes))
    for department in model.annual_fees:
        corrected = settled.get(department, Decimal(0)) != plain.get(department, Decimal(0))
        counts[department] = counts.get(department, AdminCount()) + AdminCount(
            lines=int(corrected), corrections=int(corrected), reconciliations=1
        )
    return counts
