"""The 2026 review's candidate models beyond a fee from a reference charge (issue 12).

The 2025 plan asks whether a fixed-price model would give customers and the administration
more predictability and less administration (``002_83b6b989210075f7.txt:93-106``). Besides
the fixed fee in proportion to a reference charge, the hybrid and the fee with a year-end
true-up (:mod:`sfprice.engine.simulate`), the candidates are:

- :func:`break_even_model`: per-unit prices that recover the cost at the reference volumes
  (solved by :func:`sfprice.engine.breakeven.break_even`, the engine of ``breakeven``),
  a :class:`~sfprice.engine.simulate.PerUnitModel`.
- :func:`fees_by_employees`: a fixed annual fee per department in proportion to its
  employees (the customer register's headcount), a
  :class:`~sfprice.engine.simulate.FixedFeeModel`.
- :func:`fees_by_payslips`: a fixed annual fee per department in proportion to the
  payslips (all channels) it had in the reference window: a proxy for the people it pays.

Every split of a cost is by largest remainder to öre (:func:`sfprice.money.allocate`), so
the fees sum to the cost exactly and the order of the input changes nothing. Pure: nothing
here reads files or prints.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType

from sfprice.collation import swedish_key
from sfprice.engine.breakeven import BreakEven, BreakEvenRule, break_even
from sfprice.engine.listmodel import plain_unit
from sfprice.engine.simulate import (
    EMPLOYMENT_DOCUMENTS,
    MANUAL,
    SELF_SERVICE,
    PerUnitModel,
)
from sfprice.model import PriceList, VolumeSet
from sfprice.money import allocate, exact_sum

__all__ = [
    "PAYSLIPS",
    "break_even_model",
    "break_even_prices",
    "fees_by_employees",
    "fees_by_payslips",
]

#: The payslip services, all channels: one per person paid and month.
PAYSLIPS: tuple[str, ...] = (MANUAL, SELF_SERVICE)


def fees_by_employees(cost: Decimal, headcounts: Mapping[str, int | None]) -> dict[str, Decimal]:
    """Annual fees: ``cost`` × a department's employees / all the departments' employees.

    Args:
        cost: The cost to recover in the year (kr).
        headcounts: Employees per department (the customer register's
            ``employees_in(year)``); None for a department without a headcount.

    Returns:
        Fee per department (kr, to öre), in Swedish alphabetical order; the fees sum to
        ``cost`` exactly (largest remainder).

    Raises:
        ValueError: When a department has no headcount (named, all of them), a headcount is
            negative, or every headcount is 0 while the cost is not.
    """
    missing = sorted((d for d, n in headcounts.items() if n is None), key=swedish_key)
    if missing:
        msg = f"no headcount (employees) for {', '.join(missing)}; a fee per employee needs one"
        raise ValueError(msg)
    negative = sorted((d for d, n in headcounts.items() if (n or 0) < 0), key=swedish_key)
    if negative:
        msg = f"a headcount must be >= 0: {', '.join(negative)}"
        raise ValueError(msg)
    if cost and not any(headcounts.values()):
        msg = f"cannot share {cost} kr by employees: every department has 0 employees"
        raise ValueError(msg)
    weights = {d: Decimal(n or 0) for d, n in headcounts.items()}
    return _in_order(allocate(cost, weights))


def fees_by_payslips(
    cost: Decimal,
    reference: VolumeSet,
    departments: Iterable[str] | None = None,
    services: Iterable[str] = PAYSLIPS,
) -> dict[str, Decimal]:
    """Annual fees in proportion to each department's payslips in the reference window.

    Args:
        cost: The cost to recover in the year (kr).
        reference: The reference window's volumes (e.g. January–September).
        departments: The departments to charge (default: those with payslips in
            ``reference``); one without payslips there pays 0.
        services: The payslip services counted (default: manual and self-service).

    Returns:
        Fee per department (kr, to öre), in Swedish alphabetical order, summing to ``cost``
        exactly (largest remainder).

    Raises:
        ValueError: When no department has a payslip in the window while the cost is not 0.
    """
    counted = frozenset(services)
    payslips: dict[str, list[Decimal]] = defaultdict(list)
    for entry in reference:
        if entry.key.service in counted:
            payslips[entry.key.department].append(entry.quantity)
    chosen = set(payslips) if departments is None else set(departments)
    weights = {d: exact_sum(payslips.get(d, [])) for d in chosen}
    if cost and not any(weights.values()):
        msg = f"cannot share {cost} kr by payslips: no payslips in the reference window"
        raise ValueError(msg)
    return _in_order(allocate(cost, weights))


def break_even_prices(
    reference: VolumeSet,
    price_list: PriceList,
    cost: Decimal,
    *,
    area: str,
    rule: BreakEvenRule | str = BreakEvenRule.RATIO,
    quantum: Decimal = Decimal("0.01"),
) -> BreakEven:
    """The per-unit prices of ``area`` that recover ``cost`` at the reference volumes.

    The reference window's volumes of the area's services, summed per service and scaled
    to twelve months (× 12 / months in the window), are the forecast of
    :func:`~sfprice.engine.breakeven.break_even`; by default the ``ratio`` rule (the list's
    price relations kept, every price scaled by the same factor) and prices to öre.

    Raises:
        ValueError: When the list prices a service of the area otherwise than per plain
            unit (a fee, a tier ...), or there is nothing to solve (as ``break_even``).
    """
    other = [i.code for i in price_list.items if i.business_area == area and not plain_unit(i)]
    if other:
        msg = (
            f"break-even per unit needs plain unit prices; price list {price_list.id} prices "
            f"{', '.join(other)} otherwise (another kind, or by customer year)"
        )
        raise ValueError(msg)
    codes = {i.code for i in price_list.items if i.business_area == area}
    months = len(reference.months) or 12
    totals: dict[str, list[Decimal]] = defaultdict(list)
    for entry in reference:
        if entry.key.service in codes:
            totals[entry.key.service].append(entry.quantity)
    forecast = {code: exact_sum(q) * 12 / months for code, q in sorted(totals.items())}
    return break_even(
        cost_to_recover=cost, volumes=forecast, rule=rule, base=price_list, quantum=quantum
    )


def break_even_model(
    name: str,
    reference: VolumeSet,
    price_list: PriceList,
    cost: Decimal,
    *,
    area: str,
    rule: BreakEvenRule | str = BreakEvenRule.RATIO,
    quantum: Decimal = Decimal("0.01"),
) -> PerUnitModel:
    """A per-unit model at the break-even prices of :func:`break_even_prices`.

    The area's services are priced as in the draft list: the solved prices, the prices
    that follow them (a component naming a re-priced item), and the list price of a
    service without reference volume; the list's services of other areas and
    :data:`~sfprice.engine.simulate.EMPLOYMENT_DOCUMENTS` (a cost driver no list prices)
    are priced at 0, explicitly, so that their volumes bring no revenue. Any other
    service is refused by :meth:`PerUnitModel.charges` (``KeyError``): never dropped.
    """
    draft = break_even_prices(
        reference, price_list, cost, area=area, rule=rule, quantum=quantum
    ).draft
    prices = {
        item.code: item.price if item.business_area == area else Decimal(0) for item in draft.items
    }
    prices.setdefault(EMPLOYMENT_DOCUMENTS, Decimal(0))
    return PerUnitModel(name, MappingProxyType(prices), price_list.rounding)


def _in_order(fees: Mapping[str, Decimal]) -> dict[str, Decimal]:
    return {d: fees[d] for d in sorted(fees, key=swedish_key)}
