"""One invoice per paying parent: lines keep their department, no total changes.

The register is built in code (made-up codes): Kulturförvaltningen (1310) and
Kulturskolan (1320) report to Kulturnämnden (1300); Miljöförvaltningen has no parent and
pays its own invoices. Prices: the 2014 payroll list (seed 003, lines 148 and 150):
self-service 57 kr, manual 110 kr per person-month.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sfprice import Month
from sfprice.cli import main
from sfprice.engine.billing import BillingRun, Invoice, InvoiceLine
from sfprice.engine.consolidate import consolidate, payers
from sfprice.errors import InputError
from sfprice.model import Customer, CustomerKind, Unit
from sfprice.reports.formats import run_to_json_data, run_to_table

REGISTER = (
    Customer("Kulturnämnden", code="1300", kind=CustomerKind.NAMND),
    Customer("Kulturförvaltningen", code="1310", parent="1300"),
    Customer("Kulturskolan", code="1320", parent="1300"),
    Customer("Miljöförvaltningen", code="1500"),
)
JAN, FEB = Month(2014, 1), Month(2014, 2)


def _line(service: str, quantity: int, price: int) -> InvoiceLine:
    return InvoiceLine(
        service=service,
        name=service,
        unit=Unit("person_month"),
        quantity=Decimal(quantity),
        unit_price=Decimal(price),
        amount=Decimal(quantity * price).quantize(Decimal("0.01")),
        components=(),
        price_list="2014",
        price_source="003:148",
        volume_sources=(),
    )


def _invoice(department: str, month: Month, *lines: InvoiceLine) -> Invoice:
    return Invoice(department, month, "2014", "SEK", lines)


RUN = BillingRun(
    year=2014,
    currency="SEK",
    invoices=(
        # 640 x 57 = 36 480,00 and 95 x 110 = 10 450,00: 46 930,00
        _invoice("Kulturförvaltningen", JAN, _line("payroll.self_service", 640, 57),
                 _line("payroll.manual", 95, 110)),
        # 10 x 57 = 570,00
        _invoice("Kulturnämnden", JAN, _line("payroll.self_service", 10, 57)),
        # 120 x 57 = 6 840,00
        _invoice("Kulturskolan", JAN, _line("payroll.self_service", 120, 57)),
        # 200 x 57 = 11 400,00
        _invoice("Kulturskolan", FEB, _line("payroll.self_service", 200, 57)),
        # 300 x 57 = 17 100,00
        _invoice("Miljöförvaltningen", JAN, _line("payroll.self_service", 300, 57)),
    ),
)  # fmt: skip


def test_one_invoice_per_paying_parent_and_month() -> None:
    run = consolidate(RUN, REGISTER)
    assert [(i.department, str(i.month)) for i in run.invoices] == [
        ("Kulturnämnden", "2014-01"),
        ("Kulturnämnden", "2014-02"),
        ("Miljöförvaltningen", "2014-01"),
    ]
    january = run.invoices[0]
    # The payer's own lines first, then its departments in Swedish order.
    assert [line.department for line in january.lines] == [
        "Kulturnämnden", "Kulturförvaltningen", "Kulturförvaltningen", "Kulturskolan",
    ]  # fmt: skip
    # 570,00 + 46 930,00 + 6 840,00 = 54 340,00
    assert january.total == Decimal("54340.00")
    assert january.customer is not None
    assert january.customer.code == "1300"
    assert run.invoices[1].total == Decimal("11400.00")
    assert run.invoices[2].total == Decimal("17100.00")
    assert run.invoices[2].lines[0].department == "Miljöförvaltningen"
    # 54 340,00 + 11 400,00 + 17 100,00 = 82 840,00, the run's total before.
    assert run.total == RUN.total == Decimal("82840.00")


def test_a_department_the_register_does_not_list_pays_its_own() -> None:
    run = consolidate(RUN, REGISTER[:1])
    assert [i.department for i in run.invoices] == [i.department for i in RUN.invoices]
    assert [i.total for i in run.invoices] == [i.total for i in RUN.invoices]


def test_an_unknown_parent_is_an_error_naming_the_customer() -> None:
    register = (*REGISTER, Customer("Stadsarkivet", code="1700", parent="17OO", source="r:9"))
    with pytest.raises(InputError) as caught:
        payers(register)
    (issue,) = caught.value.issues
    assert issue.path == "r:9"
    assert "Stadsarkivet: paying parent '17OO' is not a customer's code" in issue.message


def test_reports_group_lines_per_department() -> None:
    run = consolidate(RUN, REGISTER)
    table = run_to_table(run)
    assert "för Kulturförvaltningen:" in table
    assert "Summa Kulturförvaltningen" in table
    assert "46\xa0930,00\xa0kr" in table  # Kulturförvaltningen's subtotal
    # Miljöförvaltningen pays only for itself: no heading of its own.
    assert "för Miljöförvaltningen:" not in table
    lines = run_to_json_data(run)["invoices"][0]["lines"]  # type: ignore[index]
    assert [line["department"] for line in lines][:2] == ["Kulturnämnden", "Kulturförvaltningen"]


def _monthly(run: BillingRun) -> dict[Month, Decimal]:
    totals: dict[Month, Decimal] = defaultdict(Decimal)
    for invoice in run.invoices:
        totals[invoice.month] += invoice.total
    return dict(totals)


NAMES = [c.department for c in REGISTER] + ["Stadsarkivet"]


@given(
    st.lists(
        st.tuples(st.sampled_from(NAMES), st.sampled_from([JAN, FEB]), st.integers(0, 5000)),
        unique_by=lambda t: (t[0], t[1]),
        max_size=10,
    )
)
def test_consolidation_changes_no_total_per_month(
    parts: list[tuple[str, Month, int]],
) -> None:
    run = BillingRun(
        year=2014,
        currency="SEK",
        invoices=tuple(
            _invoice(name, month, _line("payroll.self_service", n, 57)) for name, month, n in parts
        ),
    )
    merged = consolidate(run, REGISTER)
    assert _monthly(merged) == _monthly(run)
    assert all(i.total == sum((x.amount for x in i.lines), Decimal(0)) for i in merged.invoices)
    assert sorted((x.department, x.amount) for i in merged.invoices for x in i.lines) == sorted(
        (i.department, x.amount) for i in run.invoices for x in i.lines
    )


def test_per_parent_needs_a_register(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    volumes = Path(__file__).resolve().parents[1] / "examples" / "volumes-2014.csv"
    assert main(["bill", str(volumes), "--year", "2014", "--per", "parent"]) == 2
    assert "--per parent needs the customer register" in capsys.readouterr().err


def test_csv_and_workbook_say_whom_each_line_is_for() -> None:
    from sfprice.reports.formats import CSV_COLUMNS, run_to_csv
    from sfprice.reports.sheets import run_sheet

    merged = consolidate(RUN, REGISTER)
    header, first, *_ = run_to_csv(merged).splitlines()
    assert header.endswith(",line_department")
    assert first.startswith("Kulturnämnden,2014-01,")
    assert first.endswith(",Kulturnämnden")
    assert run_to_csv(RUN).splitlines()[0] == ",".join(CSV_COLUMNS)  # unchanged otherwise
    sheet = run_sheet(merged)
    assert sheet.columns[-1].name == "line_department"
    assert [row[-1] for row in sheet.rows][1] == "Kulturförvaltningen"


def test_a_parent_paying_for_one_department_names_it() -> None:
    # Only Kulturförvaltningen has lines in March: Kulturnämnden's invoice still says whose
    # lines they are (they are not the nämnd's own). 10 x 57 = 570,00.
    march = Month(2014, 3)
    line = _line("payroll.self_service", 10, 57)
    run = BillingRun(2014, "SEK", (_invoice("Kulturförvaltningen", march, line),))
    (invoice,) = consolidate(run, {c.department: c for c in REGISTER}).invoices
    assert invoice.department == "Kulturnämnden"
    assert invoice.total == Decimal("570.00")
    table = run_to_table(consolidate(run, {c.department: c for c in REGISTER}))
    assert "för Kulturförvaltningen:" in table
