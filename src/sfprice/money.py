"""Exact money arithmetic: where amounts are rounded, and how.

sfprice never uses float for money. An invoice line's amount is ``quantity x unit price``
rounded once, to öre (0.01 kr), with the rounding mode of the price list in force (half-up
unless the list says otherwise). Every total is the plain sum of rounded amounts, so a total
always equals the sum of what is printed above it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import (
    MAX_PREC,
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    localcontext,
)
from typing import TypeVar

K = TypeVar("K")

__all__ = [
    "ORE",
    "ROUNDING_MODES",
    "allocate",
    "average_price",
    "decimal_text",
    "exact_product",
    "exact_sum",
    "magnitude_problem",
    "optional_decimal_text",
    "range_message",
    "recovery_ratio",
    "round_amount",
    "split_amount",
    "spread_evenly",
]

#: The smallest money unit an amount is rounded to: one öre.
ORE = Decimal("0.01")

#: Rounding modes a price list may name, mapped to the decimal module's constants.
ROUNDING_MODES: dict[str, str] = {
    "half_up": ROUND_HALF_UP,
    "half_even": ROUND_HALF_EVEN,
    "down": ROUND_DOWN,
    "up": ROUND_UP,
}


def exact_product(a: Decimal, b: Decimal) -> Decimal:
    """``a x b`` with no rounding at all, whatever the digits (the default context has 28).

    Rounding the product first and to öre afterwards would round twice; this keeps the
    single rounding of a line the only one.

    >>> exact_product(Decimal("0.0025124999999999999999999999999975"), Decimal("400"))
    Decimal('1.0049999999999999999999999999990000')
    """
    with localcontext() as context:
        context.prec = max(28, len(a.as_tuple().digits) + len(b.as_tuple().digits) + 2)
        context.Emax = max(context.Emax, 999_999)
        return a * b


def round_amount(value: Decimal, mode: str = "half_up", quantum: Decimal = ORE) -> Decimal:
    """Round ``value`` to ``quantum`` (öre by default) with a named rounding mode.

    >>> round_amount(Decimal("2.665"))
    Decimal('2.67')
    >>> round_amount(Decimal("2.665"), "half_even")
    Decimal('2.66')
    """
    with localcontext() as context:
        # quantize fails when the result has more digits than the context's precision.
        context.prec = max(28, value.adjusted() - quantum.as_tuple().exponent + 2)  # type: ignore[operator]
        result = value.quantize(quantum, rounding=ROUNDING_MODES[mode])
    # -0.00 would print as "-0,00 kr"; an amount of nothing has no sign.
    return result.copy_abs() if result.is_zero() else result


def split_amount(
    total: Decimal,
    quantity: Decimal,
    component_prices: tuple[Decimal, ...],
    mode: str = "half_up",
) -> tuple[Decimal, ...]:
    """Split a rounded line amount over the components of a composite price.

    Each component but the last is ``quantity x component price`` rounded like a line;
    the last takes what is left, so the component amounts always sum exactly to ``total``.
    With whole-krona prices (all the seed lists) no component is ever adjusted.

    >>> split_amount(Decimal("33000.00"), Decimal("300"), (Decimal("57"), Decimal("53")))
    (Decimal('17100.00'), Decimal('15900.00'))
    """
    parts = [round_amount(exact_product(quantity, price), mode) for price in component_prices[:-1]]
    parts.append(total - sum(parts, Decimal(0)))
    return tuple(parts)


def allocate(
    total: Decimal,
    weights: Mapping[K, Decimal],
    quantum: Decimal = ORE,
) -> dict[K, Decimal]:
    """Split ``total`` in proportion to ``weights`` so that the parts sum exactly to it.

    Largest remainder: each part is first rounded down to ``quantum``; the quanta left over
    go, one each, to the parts with the largest remainders. Ties go to the key that sorts
    first, so the result does not depend on the order of ``weights``. No part
    is more than one quantum from its exact share, and a part never shrinks when its own
    weight grows and the others stay.

    >>> allocate(Decimal("100"), {"a": Decimal(1), "b": Decimal(1), "c": Decimal(1)})
    {'a': Decimal('33.34'), 'b': Decimal('33.33'), 'c': Decimal('33.33')}

    Raises:
        ValueError: When a weight is negative, or all weights are zero while total is not.
    """
    if total < 0:
        # A negative pool (a credit) is split like its size, with every part negated.
        # copy_negate is exact; unary minus would round to the context's 28 digits.
        split = allocate(total.copy_negate(), weights, quantum)
        return {key: part.copy_negate() for key, part in split.items()}
    if any(w < 0 for w in weights.values()):
        msg = "allocation weights must be >= 0"
        raise ValueError(msg)
    weight_sum = sum(weights.values(), Decimal(0))
    if weight_sum == 0:
        if total != 0:
            msg = f"cannot allocate {total}: every weight is zero"
            raise ValueError(msg)
        return {key: Decimal(0).quantize(quantum) for key in weights}
    exponent = quantum.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) else 0
    with localcontext() as context:
        # Exact far beyond öre for any pool: 60 digits, more for a total that needs them
        # (the default 28 would round a large total, or fail to quantize it).
        context.prec = max(60, total.adjusted() + places + 30)
        units = (total / quantum).to_integral_value(ROUND_HALF_UP)
        if units * quantum != total:
            msg = f"total {total} is not a whole number of {quantum}"
            raise ValueError(msg)
        exact = {key: units * w / weight_sum for key, w in weights.items()}
        floors = {key: share.to_integral_value(ROUND_DOWN) for key, share in exact.items()}
        left = int(units - sum(floors.values(), Decimal(0)))
        try:
            rank = {key: index for index, key in enumerate(sorted(weights))}  # type: ignore[type-var]
        except TypeError:  # keys that do not compare with each other: order by their text
            rank = {key: index for index, key in enumerate(sorted(weights, key=str))}
        order = sorted(weights, key=lambda key: (-(exact[key] - floors[key]), rank[key]))
        for key in order[:left]:
            floors[key] += 1
        return {key: (floors[key] * quantum).quantize(quantum) for key in weights}


def spread_evenly(amount: Decimal, count: int) -> tuple[Decimal, ...]:
    """Spread ``amount`` over ``count`` months (or any periods) in even parts.

    The one rule sfprice spreads a sum over months by (an allocation pool's part, a
    simulated annual fee): each part is ``amount / count`` rounded down (towards zero) to
    öre, and the last part takes the rest, so the parts sum exactly to ``amount``. A budget's
    phasing is a different thing, weights rather than even parts, and uses :func:`allocate`.

    >>> spread_evenly(Decimal("25000.00"), 12)[-2:]
    (Decimal('2083.33'), Decimal('2083.37'))
    >>> spread_evenly(Decimal("-100.00"), 3)
    (Decimal('-33.33'), Decimal('-33.33'), Decimal('-33.34'))

    Raises:
        ValueError: When ``count`` is less than 1.
    """
    if count < 1:
        msg = f"cannot spread {amount} over {count} parts"
        raise ValueError(msg)
    with localcontext() as context:
        # Wide enough that the division is exact far below öre for any amount.
        context.prec = max(40, amount.adjusted() + 12)
        even = (amount / count).quantize(ORE, rounding=ROUND_DOWN)
        return (*([even] * (count - 1)), amount - even * (count - 1))


def decimal_text(value: Decimal) -> str:
    """A Decimal as machine text: a point, no exponent, every digit, negative zero as zero.

    The one text of a number in what sfprice stores and exports (the register's records,
    JSON and CSV); people's text (grouping, decimal comma) is :mod:`sfprice.reports.formats`.

    >>> decimal_text(Decimal("6.84E+4")), decimal_text(Decimal("-0.00"))
    ('68400', '0.00')
    """
    text = format(value, "f")
    return text.removeprefix("-") if value.is_zero() else text


def optional_decimal_text(value: Decimal | None) -> str | None:
    """:func:`decimal_text`, or None for a figure that does not exist (JSON ``null``)."""
    return None if value is None else decimal_text(value)


def exact_sum(values: Iterable[Decimal], start: Decimal = Decimal("0.00")) -> Decimal:
    """Sum Decimals without rounding, whatever their size (the default context has 28 digits).

    >>> exact_sum([Decimal("12345678901223746371578875148.16"), Decimal("0.01")])
    Decimal('12345678901223746371578875148.17')
    """
    with localcontext() as context:
        context.prec = MAX_PREC
        return sum(values, start)


def recovery_ratio(revenue: Decimal, cost: Decimal) -> Decimal | None:
    """Revenue / cost to 4 decimals (1 at self cost); None when there is no cost.

    >>> recovery_ratio(Decimal("41991000"), Decimal("48300000"))
    Decimal('0.8694')
    """
    if not cost:
        return None
    with localcontext() as context:
        context.prec = 40
        return (revenue / cost).quantize(Decimal("0.0001"))


#: The widest number sfprice takes as input: 15 digits before the decimal mark (up to
#: 999 999 999 999 999 kr, far above any city's budget) and 10 after it.
MAX_WHOLE_DIGITS = 15
MAX_DECIMALS = 10


def magnitude_problem(
    value: Decimal, *, whole_digits: int = MAX_WHOLE_DIGITS, decimals: int = MAX_DECIMALS
) -> str | None:
    """Why a number read from input is out of range (``1e30``, ``1e1000000``), or None.

    The one range rule for every number sfprice reads, with the limits of its kind:
    budget figures and the numbers of the cost-recovery and simulation options take the
    defaults (15 digits before the decimal mark, 10 after); volume quantities 12 and 6
    (:mod:`sfprice.io.volumes`); TOML numbers such as prices 40 and 40, so that a price is
    exact at any realistic size (:mod:`sfprice.io._toml`). An absurd number is refused where
    it is read, with its position, instead of overflowing later.

    >>> magnitude_problem(Decimal("48300000")) is None
    True
    >>> magnitude_problem(Decimal("1e30"))
    'is out of range (expected at most 15 digits before the decimal mark and 10 after it)'
    """
    if not value.is_finite():
        return "is not a finite number"
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    power: int = exponent
    significant = list(digits)
    # Trailing zeros carry no decimals (12.5000 has one); 0e-1000000 keeps its million.
    while len(significant) > 1 and significant[-1] == 0:
        significant.pop()
        power += 1
    places = max(0, -power)
    whole = max(0, value.adjusted() + 1) if value else 0
    if whole > whole_digits or places > decimals:
        return (
            f"is out of range (expected at most {whole_digits} digits before the "
            f"decimal mark and {decimals} after it)"
        )
    return None


def range_message(
    value: Decimal, *, whole_digits: int = MAX_WHOLE_DIGITS, decimals: int = MAX_DECIMALS
) -> str | None:
    """:func:`magnitude_problem` as a message that shows the value (cut when it is long).

    >>> range_message(Decimal("1e30"))
    '1E+30 is out of range (expected at most 15 digits before the decimal mark and 10 after it)'
    """
    problem = magnitude_problem(value, whole_digits=whole_digits, decimals=decimals)
    if problem is None:
        return None
    text = str(value)
    shown = text if len(text) <= 40 else f"{text[:20]}...({len(text)} characters)"
    return f"{shown} {problem}"


def average_price(amount: Decimal, quantity: Decimal, mode: str) -> Decimal:
    """The price per unit with the fewest decimals (2 or more) that bills ``amount``.

    A line priced by bands (a tiered price) or by blocks (a package price) has no single
    price per unit; this average keeps ``quantity x unit price`` equal to the amount after
    the line's one rounding (``round_amount`` with ``mode``). ``quantity`` is not 0.

    >>> str(average_price(Decimal("137500.00"), Decimal(2450), "half_up"))
    '56.12245'
    """
    with localcontext() as context:
        context.prec = 120
        exact = amount / quantity
        for places in range(2, 100):
            quantum = Decimal(1).scaleb(-places)
            for rounding in (ROUND_HALF_EVEN, ROUND_CEILING, ROUND_FLOOR):
                candidate = exact.quantize(quantum, rounding=rounding)
                if round_amount(exact_product(quantity, candidate), mode) == amount:
                    return candidate
    return exact  # pragma: no cover - 100 decimals always suffice
