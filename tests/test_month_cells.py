"""Month cells written as dates (issue 11: exports and Excel write ``2014-01-01``).

An ISO date counts in its month; every other date form is refused, and so is a date that
does not exist. Bundled 2014 prices: self-service 57 kr, manual 110 kr per payslip.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sfprice
from sfprice.errors import InputError
from sfprice.io._months import read_month
from sfprice.period import Month


def _bill(tmp_path: Path, rows: str) -> sfprice.BillingRun:
    path = tmp_path / "volumes.csv"
    path.write_text("month,department,service,quantity\n" + rows, encoding="utf-8")
    return sfprice.bill(sfprice.load_catalog(), sfprice.read_volumes(path), year=2014)


def test_date_cells_bill_as_their_months(tmp_path: Path) -> None:
    # 2014-01-01 and 2014-01-17 are January: 10 + 5 self-service payslips x 57 = 855 kr;
    # "2014-02-01 00:00:00" (a date cell saved by Excel) is February: 2 manual x 110 = 220 kr.
    run = _bill(
        tmp_path,
        "2014-01-01,Kulturförvaltningen,payroll.self_service,10\n"
        "2014-01-17,Kulturförvaltningen,payroll.self_service,5\n"
        "2014-02-01 00:00:00,Kulturförvaltningen,payroll.manual,2\n",
    )
    assert [(str(i.month), i.total) for i in run.invoices] == [
        ("2014-01", Decimal("855.00")),
        ("2014-02", Decimal("220.00")),
    ]
    plain = _bill(
        tmp_path,
        "2014-01,Kulturförvaltningen,payroll.self_service,15\n"
        "2014-02,Kulturförvaltningen,payroll.manual,2\n",
    )
    assert [(i.month, i.total) for i in plain.invoices] == [
        (i.month, i.total) for i in run.invoices
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2014-02-30", "'2014-02-30' is not a date: 2014-02 has no day 30"),
        ("2014-13-01", "'2014-13-01' is not a date: month 13 is not 01..12"),
        ("03/01/2014", "'03/01/2014' is not a month (expected YYYY-MM, e.g. 2014-03, or a date"),
        ("2014-03-01 25:00", "'25:00' is not a time of day"),
    ],
)
def test_other_forms_and_impossible_dates_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        read_month(text)


def test_a_bad_date_is_located(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        _bill(tmp_path, "2014-02-30,Kulturförvaltningen,payroll.manual,1\n")
    (issue,) = caught.value.issues
    assert issue.line == 2
    assert "2014-02 has no day 30" in issue.message


@given(st.dates(min_value=date(1, 1, 1)), st.times(), st.sampled_from(["", " ", "T"]))
def test_every_iso_date_counts_in_its_month(day: date, moment: time, sep: str) -> None:
    text = day.isoformat()
    if sep:
        text += sep + datetime.combine(day, moment).strftime("%H:%M:%S")
    assert read_month(text) == Month(day.year, day.month)
