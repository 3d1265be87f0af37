"""The one rule for spreading a sum over months: :func:`sfprice.money.spread_evenly`.

An allocation pool's monthly charges and a simulated fixed fee's monthly parts both use it,
so they cannot drift apart (they were two copies before).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sfprice.engine.allocation import allocate_pool, monthly_charges, year_months
from sfprice.engine.simulate import FixedFeeModel
from sfprice.model import AllocationPool, Driver, VolumeSet
from sfprice.money import ORE, spread_evenly


def test_twelve_months_of_a_fee() -> None:
    # 100 000,00 / 12 = 8 333,333... -> 8 333,33 down; 11 x 8 333,33 = 91 666,63;
    # the last month takes 100 000,00 - 91 666,63 = 8 333,37.
    parts = spread_evenly(Decimal("100000.00"), 12)
    assert parts[:11] == (Decimal("8333.33"),) * 11
    assert parts[11] == Decimal("8333.37")


def test_a_credit_rounds_towards_zero() -> None:
    # -100,00 / 3 = -33,333... -> -33,33 (towards zero); last: -100,00 + 66,66 = -33,34.
    assert spread_evenly(Decimal("-100.00"), 3) == (
        Decimal("-33.33"),
        Decimal("-33.33"),
        Decimal("-33.34"),
    )


def test_one_month_takes_it_all() -> None:
    assert spread_evenly(Decimal("0.07"), 1) == (Decimal("0.07"),)


def test_no_months_is_refused() -> None:
    with pytest.raises(ValueError, match="over 0 parts"):
        spread_evenly(Decimal(1), 0)


def test_a_huge_amount_is_exact() -> None:
    # 10^20 + 0,01 kr over 3: the default 28-digit context would round the quotient.
    amount = Decimal("100000000000000000000.01")
    parts = spread_evenly(amount, 3)
    assert parts[0] == Decimal("33333333333333333333.33")
    assert sum(parts) == amount


@given(
    amount=st.decimals(min_value=-(10**15), max_value=10**15, places=2),
    count=st.integers(min_value=1, max_value=400),
)
def test_parts_sum_exactly_and_stay_even(amount: Decimal, count: int) -> None:
    parts = spread_evenly(amount, count)
    assert len(parts) == count
    assert sum(parts, Decimal(0)) == amount
    assert all(part == parts[0] for part in parts[:-1])
    # Every part is exact to öre, and the even part is never more than one öre from the
    # true share; the last differs from the others by less than ``count`` öre.
    assert all(part == part.quantize(ORE) for part in parts)
    assert abs(parts[0] - amount / count) < ORE
    assert abs(parts[-1] - parts[0]) < ORE * count


def test_allocation_and_fixed_fee_spread_alike() -> None:
    # One pool part of 25 000,00 to "k" and a fixed fee of 25 000,00 for "k": the same
    # months. 25 000 / 12 = 2 083,33 (down); last 25 000 - 11 x 2 083,33 = 2 083,37.
    pool = AllocationPool("economy.cash_bank", "Kassa och bank", Decimal("25000.00"))
    charges = monthly_charges(
        allocate_pool(pool, Driver("fakturor", {"k": Decimal(1)})), year_months(2010)
    )
    fee = FixedFeeModel("fast", {"k": Decimal("25000.00")}, year=2010)
    by_month = fee.charges(VolumeSet(()))
    assert [c.amount for c in charges] == [by_month[("k", m)] for m in year_months(2010)]
    assert charges[-1].amount == Decimal("2083.37")
