"""Break-even (self-cost) prices: the prices that recover a cost from forecast volumes.

Given what the prices must bring in and the forecast volume per service, solve the
prices under a rule, round them (whole kronor by default) and report what the rounding
leaves over or under. The result is a draft price list (status ``proposal``) in the same
model as the lists in force, so it can be billed, compared and written as TOML.

Rules, with ``T`` the amount to recover by the solved services and ``v_i`` their volumes:

- ``average``: one price for every solved service, ``p = T / sum(v_i)``.
- ``ratio``: keep the ratio between the base list's prices: ``p_i = p x b_i / b_ref``.
- ``surcharge``: keep the base list's absolute surcharges: ``p_i = p + (b_i - b_ref)``.

``b_ref`` is the lowest base price among the solved services (the self-service channel).
Services with a fixed price (hourly rates, events) are priced first; their forecast revenue
is taken off ``T`` before the rest are solved.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

from sfprice.model import PriceItem, PriceKind, PriceList
from sfprice.money import exact_product

__all__ = ["BreakEven", "BreakEvenRule", "break_even", "list_revenue", "round_to_step"]


class BreakEvenRule(enum.StrEnum):
    """How the solved prices relate to each other."""

    AVERAGE = "average"
    RATIO = "ratio"
    SURCHARGE = "surcharge"


@dataclass(frozen=True, slots=True)
class BreakEven:
    """Solved break-even prices, rounded, with the draft list and the rounding residual.

    Attributes:
        rule: The rule used.
        cost_to_recover: The cost the prices must recover, before deductions.
        deductions: What was taken off first, by label (other revenue, add-on revenue,
            carried balance returned this year, fixed-price services' revenue).
        target: What the solved services must bring in.
        volumes: Forecast volume per service.
        exact_prices: Solved prices before rounding (28+ significant digits).
        prices: Prices in the draft list (solved ones rounded, fixed ones as given).
        draft: The draft price list (status ``proposal``).
        base_id: The base list's id.
        base_revenue: The forecast volumes priced at the base list's prices.
        followed: Items re-priced because a component names a re-priced item (Agresso
            and Girovision follow manual), in list order.
    """

    rule: BreakEvenRule
    cost_to_recover: Decimal
    deductions: Mapping[str, Decimal]
    target: Decimal
    volumes: Mapping[str, Decimal]
    exact_prices: Mapping[str, Decimal]
    prices: Mapping[str, Decimal]
    draft: PriceList
    base_id: str = ""
    base_revenue: Decimal = Decimal(0)
    followed: tuple[str, ...] = ()

    @property
    def base_gap(self) -> Decimal:
        """What the base list's prices leave uncovered at the forecast volumes.

        Full cost less other revenue and the carried balance returned, less the forecast
        priced at the base list: in 2014, 48 300 000 - 41 991 000 = 6 309 000 kr left for
        add-on services and events.
        """
        return (
            self.cost_to_recover
            - self.deductions["other_revenue"]
            - self.deductions["carried_balance_returned"]
            - self.base_revenue
        )

    @property
    def revenue(self) -> Decimal:
        """Forecast revenue of the solved services at the rounded prices."""
        return sum(
            (exact_product(self.volumes[code], self.prices[code]) for code in self.exact_prices),
            Decimal(0),
        )

    @property
    def residual(self) -> Decimal:
        """Revenue at the rounded prices minus the target.

        Positive: the rounding over-recovers; negative: it under-recovers.
        """
        return self.revenue - self.target


def list_revenue(price_list: PriceList, volumes: Mapping[str, Decimal]) -> Decimal:
    """Revenue of forecast volumes at a list's prices, e.g. to see what a list leaves to cover.

    Raises:
        KeyError: When the list lacks a service of the volumes.
        ValueError: When a service of the volumes has no plain unit price (another price
            kind, or a price by customer year).
    """
    total = Decimal(0)
    for code, quantity in volumes.items():
        item = price_list.item(code)
        if item is None:
            msg = f"price list {price_list.id} has no service {code!r}"
            raise KeyError(msg)
        if item.kind is not PriceKind.UNIT or item.steps_down:
            msg = f"{code} in price list {price_list.id} has no plain unit price ({item.kind})"
            raise ValueError(msg)
        total += exact_product(quantity, item.price)
    return total


def round_to_step(value: Decimal, step: Decimal) -> Decimal:
    """Round half-up to a multiple of ``step`` (1 = whole kronor, 0.01 = öre, 0.5, 10 ...).

    >>> round_to_step(Decimal("65.564"), Decimal("0.5")), round_to_step(Decimal("65"), Decimal(10))
    (Decimal('65.5'), Decimal('70'))
    """
    if step <= 0:
        msg = f"the rounding step must be > 0, got {step}"
        raise ValueError(msg)
    with localcontext() as context:
        context.prec = 40
        return (value / step).to_integral_value(ROUND_HALF_UP) * step


def _solve(
    rule: BreakEvenRule,
    target: Decimal,
    volumes: Mapping[str, Decimal],
    base: Mapping[str, Decimal],
) -> dict[str, Decimal]:
    with localcontext() as context:
        context.prec = 40
        if rule is BreakEvenRule.AVERAGE:
            price = target / sum(volumes.values(), Decimal(0))
            return dict.fromkeys(volumes, price)
        reference = min(base[code] for code in volumes)
        if rule is BreakEvenRule.RATIO:
            if reference <= 0:
                msg = "the ratio rule needs base prices > 0"
                raise ValueError(msg)
            weight = sum((v * base[c] / reference for c, v in volumes.items()), Decimal(0))
            price = target / weight
            return {c: price * base[c] / reference for c in volumes}
        surcharges = {c: base[c] - reference for c in volumes}
        price = (target - sum((v * surcharges[c] for c, v in volumes.items()), Decimal(0))) / (
            sum(volumes.values(), Decimal(0))
        )
        return {c: price + surcharges[c] for c in volumes}


def _draft_item(
    item: PriceItem,
    price: Decimal,
    exact: Decimal,
    rule: BreakEvenRule,
    quantum: Decimal,
    note: str,
) -> PriceItem:
    amounts: list[Decimal] = []
    if item.components and rule is BreakEvenRule.SURCHARGE:
        # Surcharges keep their amounts; the first (base) component takes the rest.
        rest = [c.price for c in item.components[1:]]
        amounts = [price - sum(rest, Decimal(0)), *rest]
    elif item.components and rule is BreakEvenRule.RATIO:
        # Ratio: every component scales like the exact price; the last takes the rounding.
        with localcontext() as context:
            context.prec = 40
            scaled = [
                round_to_step(c.price * exact / item.price, quantum) for c in item.components[:-1]
            ]
        amounts = [*scaled, price - sum(scaled, Decimal(0))]
    # A component that would turn negative (a price below its surcharge) cannot be shown as
    # base + surcharge: the draft then gives the price alone.
    components = (
        tuple(replace(c, price=a) for c, a in zip(item.components, amounts, strict=True))
        if amounts and all(a >= 0 for a in amounts)
        else ()
    )
    return replace(item, price=price, components=components, source=note)


def _follow_references(items: list[PriceItem], repriced: set[str]) -> list[PriceItem]:
    """Keep components that name another item (``PriceComponent.item``) in step with it.

    An item carried over from the base list whose component names a re-priced item (at any
    depth: Agresso names manual, manual names self-service) is re-priced too: the named
    component takes the item's new price, the other components keep theirs, and the price
    is their sum. A re-priced item keeps its price; its named components take the new
    prices and its last other component takes the rest (no components if that would be
    negative).
    """
    by_code = {item.code: item for item in items}
    done: set[str] = set()
    changed = set(repriced)

    def settle(code: str) -> None:
        if code in done:
            return
        done.add(code)
        item = by_code[code]
        refs = [c.item for c in item.components if c.item]
        for ref in refs:
            settle(ref)
        if not any(ref in changed for ref in refs):
            return
        new = [replace(c, price=by_code[c.item].price) if c.item else c for c in item.components]
        if code in repriced:
            named = sum((c.price for c in new if c.item), Decimal(0))
            others = [i for i, c in enumerate(new) if not c.item]
            if others:
                last = others[-1]
                rest = sum((new[i].price for i in others[:-1]), Decimal(0))
                remainder = item.price - named - rest
                if remainder != new[last].price:  # keep 53 as written when it stays 53
                    new[last] = replace(new[last], price=remainder)
            components = tuple(new) if all(c.price >= 0 for c in new) and others else ()
            if sum((c.price for c in components), Decimal(0)) != item.price:
                components = ()
            by_code[code] = replace(item, components=components)
        else:
            followed = ", ".join(ref for ref in refs if ref in changed)
            by_code[code] = replace(
                item,
                price=sum((c.price for c in new), Decimal(0)),
                components=tuple(new),
                source=f"follows the re-priced {followed}; {item.source}",
            )
            changed.add(code)

    for item in items:
        settle(item.code)
    return [by_code[item.code] for item in items]


def break_even(
    *,
    cost_to_recover: Decimal,
    volumes: Mapping[str, Decimal],
    rule: BreakEvenRule | str,
    base: PriceList,
    fixed: Mapping[str, Decimal] | None = None,
    other_revenue: Decimal = Decimal(0),
    addon_revenue: Decimal = Decimal(0),
    carried_balance: Decimal = Decimal(0),
    return_years: int = 1,
    quantum: Decimal = Decimal(1),
    year: int | None = None,
    list_id: str | None = None,
) -> BreakEven:
    """Solve break-even prices for forecast volumes.

    Args:
        cost_to_recover: Full cost of the area (or other revenue already taken off).
        volumes: Forecast volume per service code (solved and fixed services).
        rule: ``average``, ``ratio`` or ``surcharge``.
        base: The list whose names, units, components and (for ratio and surcharge) price
            relations are kept; usually the list in force.
        fixed: Services with a fixed price (e.g. hourly rates): code -> price. A fixed
            service with a forecast volume brings revenue that is taken off the target.
        other_revenue: Revenue outside the price list, taken off the cost.
        addon_revenue: Expected add-on and event revenue not in ``volumes``, taken off.
        carried_balance: Result carried in (surplus positive); ``carried_balance /
            return_years`` is returned through lower prices this year (a deficit raises them).
        return_years: Over how many years the carried balance is returned.
        quantum: Prices are rounded half-up to a multiple of this: 1 (whole kronor, the
            default), 0.01 (öre), 0.5, 10 ...
        year: Year of the draft list (default: the base list's year + 1).
        list_id: Id of the draft list.

    Raises:
        ValueError: When there is nothing to solve, or a service is not in the base list or
            has no plain unit price there (another price kind, a price by customer year).
    """
    rule = BreakEvenRule(rule)
    fixed = dict(fixed or {})
    if return_years < 1:
        msg = f"return_years must be >= 1, got {return_years}"
        raise ValueError(msg)
    unknown = sorted(code for code in (*volumes, *fixed) if base.item(code) is None)
    if unknown:
        msg = f"not in base price list {base.id}: {', '.join(unknown)}"
        raise ValueError(msg)
    other = sorted(
        code
        for code in (*volumes, *fixed)
        if (item := base.item(code)) is not None
        and (item.kind is not PriceKind.UNIT or item.steps_down)
    )
    if other:
        msg = f"no plain unit price in base price list {base.id} (another price kind): "
        msg += ", ".join(other)
        raise ValueError(msg)
    solved = {c: v for c, v in volumes.items() if c not in fixed}
    if not solved or not any(solved.values()):
        msg = "no forecast volume left to solve prices for"
        raise ValueError(msg)
    fixed_revenue = sum(
        (exact_product(volumes.get(c, Decimal(0)), p) for c, p in fixed.items()), Decimal(0)
    )
    returned = carried_balance / return_years
    deductions = {
        "other_revenue": other_revenue,
        "addon_revenue": addon_revenue,
        "carried_balance_returned": returned,
        "fixed_price_revenue": fixed_revenue,
    }
    target = cost_to_recover - sum(deductions.values(), Decimal(0))
    base_prices = {c: item.price for c in solved if (item := base.item(c)) is not None}
    exact = _solve(rule, target, solved, base_prices)
    negative = sorted(code for code, price in exact.items() if price < 0)
    if negative:
        msg = (
            f"no price >= 0 recovers the target {target} kr under the {rule} rule: "
            f"{', '.join(f'{c} would be {round_to_step(exact[c], quantum)}' for c in negative)} "
            "(the deductions, or the base list's surcharges at the forecast volumes, exceed it)"
        )
        raise ValueError(msg)
    prices = {c: round_to_step(p, quantum) for c, p in exact.items()}
    prices.update(fixed)
    draft_year = year if year is not None else base.valid_from.year + 1
    note = f"break-even ({rule}) from budget and forecast; base list {base.id}"
    items = []
    for item in base.items:
        if item.code in prices:
            source = note if item.code in exact else f"fixed price; base list {base.id}"
            items.append(
                _draft_item(
                    item,
                    prices[item.code],
                    exact.get(item.code, prices[item.code]),
                    rule,
                    quantum,
                    source,
                )
            )
        else:
            items.append(replace(item, source=f"carried over from list {base.id}: {item.source}"))
    items = _follow_references(items, set(prices))
    followed = tuple(
        item.code
        for item, old in zip(items, base.items, strict=True)
        if item.code not in prices and item.price != old.price
    )
    draft = PriceList(
        id=list_id or f"{draft_year}-proposal",
        title=f"Förslag till prislista {draft_year} (självkostnad, {rule})",
        valid_from=date(draft_year, 1, 1),
        valid_to=date(draft_year, 12, 31),
        currency=base.currency,
        source=f"sfprice break-even: {note}",
        items=tuple(items),
        rounding=base.rounding,
        status="proposal",
    )
    return BreakEven(
        rule,
        cost_to_recover,
        deductions,
        target,
        dict(volumes),
        exact,
        prices,
        draft,
        base.id,
        list_revenue(base, volumes),
        followed,
    )
