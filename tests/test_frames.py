"""DataFrames: numeric columns, months as Period[M], money to öre; records stay exact."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sfprice import Month
from sfprice.engine.billing import BillingRun, Invoice, InvoiceLine
from sfprice.frames import records_frame
from sfprice.model import Unit
from sfprice.reports.sheets import FULLCOST_SHAPE, Column, ColumnKind, Sheet


def _line(service: str, quantity: str, price: str, amount: str) -> InvoiceLine:
    return InvoiceLine(
        service=service,
        name=service,
        unit=Unit("person_month"),
        quantity=Decimal(quantity),
        unit_price=Decimal(price),
        amount=Decimal(amount),
        components=(),
        price_list="2014",
        price_source="seed:1",
        volume_sources=(),
    )


def _run() -> BillingRun:
    # By hand: 640 x 57 = 36 480,00; 3 x 12,345 = 37,035 -> 37,04 (half up).
    return BillingRun(
        year=2014,
        currency="SEK",
        invoices=(
            Invoice("Kulturförvaltningen", Month(2014, 1), "2014", "SEK",
                    (_line("payroll.self_service", "640", "57", "36480.00"),)),
            Invoice("Kulturförvaltningen", Month(2014, 2), "2014", "SEK",
                    (_line("x.odd", "3", "12.345", "37.04"),)),
        ),
    )  # fmt: skip


def test_run_frame_is_numeric_with_month_periods() -> None:
    frame = _run().to_dataframe()
    assert str(frame["amount"].dtype) == "float64"
    assert str(frame["quantity"].dtype) == "float64"
    assert str(frame["month"].dtype) == "period[M]"
    assert list(frame["month"]) == [pd.Period("2014-01", "M"), pd.Period("2014-02", "M")]
    assert list(frame["amount"]) == [36480.0, 37.04]
    assert list(frame["unit_price"]) == [57.0, 12.345]  # a price keeps its decimals
    assert frame["amount"].sum() == 36517.04  # 36 480,00 + 37,04
    assert frame.groupby("month")["amount"].sum().to_dict() == {
        pd.Period("2014-01", "M"): 36480.0,
        pd.Period("2014-02", "M"): 37.04,
    }
    # The records keep the exact Decimals.
    assert [r["amount"] for r in _run().to_records()] == [Decimal("36480.00"), Decimal("37.04")]


def test_an_empty_run_keeps_its_columns() -> None:
    frame = BillingRun(year=2014, currency="SEK", invoices=()).to_dataframe()
    assert list(frame.columns)[:3] == ["department", "month", "price_list"]
    assert len(frame) == 0


def test_report_sheet_frame() -> None:
    data = {"rows": [{"area": "payroll", "name": "Lön", "direct_cost": "38000000.00",
                      "common_share": "9371373.305", "full_cost": None}]}  # fmt: skip
    frame = FULLCOST_SHAPE.sheet(data).to_dataframe()
    assert frame["common_share"].iloc[0] == 9371373.31  # to öre, half up
    assert pd.isna(frame["full_cost"].iloc[0])
    assert frame["area"].iloc[0] == "payroll"


def test_period_column_keeps_text_periods() -> None:
    sheet = Sheet("t", (Column("period", ColumnKind.PERIOD),), ((Month(2014, 1),), ("T1",)))
    assert list(sheet.to_dataframe()["period"]) == ["2014-01", "T1"]


@given(st.lists(st.decimals(min_value=-(10**9), max_value=10**9, places=2), max_size=30))
def test_money_to_ore_is_the_decimal(amounts: list[Decimal]) -> None:
    frame = records_frame([{"amount": a} for a in amounts], money=("amount",), columns=["amount"])
    assert [Decimal(str(v)) for v in frame["amount"]] == [a + 0 for a in amounts]


def test_without_pandas_the_frame_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from sfprice.frames import PandasMissing

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(PandasMissing, match=r"pip install 'sfprice\[notebook\]'"):
        _run().to_dataframe()


def test_records_have_the_record_columns_in_order() -> None:
    from sfprice.engine.billing import RECORD_COLUMNS

    (first, *_) = _run().to_records()
    assert tuple(first) == RECORD_COLUMNS
    assert list(_run().to_dataframe().columns) == list(RECORD_COLUMNS)
