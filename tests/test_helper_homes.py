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


def test_csv_cell_is_formula_safe_and_reads_back() -> None:
    from sfprice.reports.text import csv_cell

    assert csv_cell("=1+1") == "'=1+1"
    assert csv_cell("-5") == "'-5"
    # A name that starts with ' gets one more (the register's CSV used to leave it, so a
    # reader stripping one ' got another name back).
    assert csv_cell("'Kultur") == "''Kultur"
    assert csv_cell("Kultur-\x07") == "Kultur-\\x07"


@given(st.text(max_size=20))
def test_csv_cell_strips_back_to_the_visible_text(value: str) -> None:
    from sfprice.names import visible
    from sfprice.reports.text import csv_cell

    cell = csv_cell(value)
    back = cell[1:] if cell != visible(value) else cell
    assert back == visible(value)


def test_text_table_aligns_numbers_right() -> None:
    from sfprice.reports.text import text_table

    # widths 3 and 8: "a" + 2 pad + 2 gap + "1,00" right-aligned in 8.
    assert text_table([["a", "1,00"], ["abc", "1 200,00"]], right={1}) == [
        "a        1,00",
        "abc  1 200,00",
    ]
