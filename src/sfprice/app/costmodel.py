"""The cost model of a budget's area: the service behind ``simulate --budget`` (issue 12).

:func:`area_cost_model` turns a budget area with staff drivers (``[[areas.drivers]]``) into
a :class:`~sfprice.costmodel.CostModel` calibrated so that its cost at the planned volumes
is the area's cost to recover (full cost less other revenue, as ``fullcost`` and
``breakeven`` compute it). See ``docs/cost-model.md``.
"""

from __future__ import annotations

from decimal import Decimal

from sfprice.app.recovery import RequestError
from sfprice.costmodel import CostModel
from sfprice.costs import CostBudget, CostKind

__all__ = ["area_cost_model"]


def area_cost_model(budget: CostBudget, area: str, cost_to_recover: Decimal) -> CostModel | None:
    """The cost model of ``area``, or None when the area has no staff drivers.

    Args:
        budget: The budget (its year is the model's year).
        area: The business-area code.
        cost_to_recover: The area's cost to recover at the planned volumes (kr per year).

    Returns:
        A model with ``fixed = cost_to_recover - the drivers' staff cost at their planned
        volumes``, so that its cost at the planned volumes is ``cost_to_recover`` exactly.

    Raises:
        RequestError: When the area is not in the budget, or the drivers' planned cost is
            above the area's staff cost or the cost to recover.

    >>> from sfprice.app import open_budget
    >>> model = area_cost_model(open_budget("2014-payroll"), "payroll", Decimal(48300000))
    >>> model.fixed, model.planned_cost
    (Decimal('18198622.44'), Decimal('48300000.00'))
    """
    found = budget.area(area)
    if found is None:
        msg = f"{area!r} is not an area of budget {budget.id}"
        raise RequestError(msg)
    if not found.drivers:
        return None
    try:
        return CostModel.calibrated(
            area,
            budget.year,
            cost_to_recover,
            found.drivers,
            staff_budget=found.cost_of(CostKind.STAFF),
            source=f"budget {budget.id}: cost to recover less the drivers' planned staff cost",
        )
    except ValueError as exc:
        msg = f"budget {budget.id}, area {area}: {exc}"
        raise RequestError(msg) from exc
