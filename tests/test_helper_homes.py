"""Each helper has one home (issue 10 point 5): the old import paths are the same function."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from sfprice import money
from sfprice.register import content
from sfprice.reports import formats


def test_one_decimal_text() -> None:
    assert formats.decimal_text is money.decimal_text
    assert content.decimal_text is money.decimal_text


def test_negative_zero_is_written_as_zero_with_its_decimals() -> None:
    # A credit of a zero line negates 0.00: the export must not say "-0.00". The reports'
    # copy wrote "-0.00" as it was and cut "-0.0" to "0"; the register's kept the digits.
    assert money.decimal_text(Decimal("-0.00")) == "0.00"
    assert money.decimal_text(Decimal("-0.0")) == "0.0"
    assert money.decimal_text(Decimal("-0")) == "0"
    assert money.decimal_text(Decimal("6.84E+4")) == "68400"
    assert money.decimal_text(Decimal("-1.50")) == "-1.50"
    assert money.optional_decimal_text(None) is None


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimal_text_reads_back_exactly(value: Decimal) -> None:
    text = money.decimal_text(value)
    assert "E" not in text
    assert not text.startswith("-0") or text.startswith("-0.")
    assert Decimal(text) == value
