"""Price kinds beyond the unit price: fixed fees, fees per employee, tiers, percentages,
minimums and prices that step down by customer year. Every expected amount is computed by
hand in a comment next to it.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sfprice.cli import main
from sfprice.engine.billing import BillingRun, InvoiceLine, bill, price_line
from sfprice.errors import InputError
from sfprice.io.customers import read_customers
from sfprice.io.pricelists import dump_pricelist, load_catalog, load_pricelist
from sfprice.model import (
    Customer,
    PriceCatalog,
    PriceItem,
    PriceKind,
    PriceList,
    Tier,
    TierMode,
    Unit,
    VolumeEntry,
    VolumeKey,
    VolumeSource,
)
from sfprice.money import exact_product, exact_sum, round_amount
from sfprice.period import Month
from sfprice.reports.formats import CSV_COLUMNS, run_to_csv, run_to_json_data, run_to_table

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
MODELS = EXAMPLES / "pricelists-2026-models"
VOLUMES_2026 = EXAMPLES / "volumes-2026.csv"
CUSTOMERS_2026 = EXAMPLES / "customers-2026.csv"
NBSP = "\u00a0"

JAN, FEB, MAR = Month(2026, 1), Month(2026, 2), Month(2026, 3)
D = Decimal


# ----------------------------------------------------------------------------- helpers


def entry(department: str, service: str, quantity: int | str, month: Month = JAN) -> VolumeEntry:
    return VolumeEntry(
        VolumeKey(month, department, service), D(quantity), (VolumeSource("v.csv", 1),)
    )


def price_list(*items: PriceItem, rounding: str = "half_up") -> PriceList:
    return PriceList(
        id="t",
        title="Test",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
        currency="SEK",
        source="test",
        items=items,
        rounding=rounding,
    )


def catalog(*items: PriceItem, rounding: str = "half_up") -> PriceCatalog:
    return PriceCatalog((price_list(*items, rounding=rounding),))


def unit(code: str, price: str, *years: str, unit_: Unit = Unit.PERSON_MONTH) -> PriceItem:
    steps = tuple(D(y) for y in years)
    return PriceItem(code, code, unit_, steps[0] if steps else D(price), by_customer_year=steps)


def fixed(
    code: str, *years: str, fees: dict[str, str] | None = None, default: str | None = None
) -> PriceItem:
    return PriceItem(
        code,
        code,
        Unit.DEPARTMENT_MONTH,
        D(0),
        kind=PriceKind.FIXED_MONTHLY,
        fees={k: D(v) for k, v in (fees or {}).items()},
        default_fee=None if default is None else D(default),
        by_customer_year=tuple(D(y) for y in years),
    )


def per_employee(code: str, price: str, *years: str) -> PriceItem:
    steps = tuple(D(y) for y in years)
    return PriceItem(
        code,
        code,
        Unit.EMPLOYEE_MONTH,
        steps[0] if steps else D(price),
        kind=PriceKind.PER_EMPLOYEE,
        by_customer_year=steps,
    )


def tiered(code: str, mode: str, *tiers: tuple[str | None, str]) -> PriceItem:
    return PriceItem(
        code,
        code,
        Unit.PERSON_MONTH,
        D(0),
        kind=PriceKind.TIERED,
        tiers=tuple(Tier(None if u is None else D(u), D(p)) for u, p in tiers),
        tier_mode=TierMode(mode),
    )


def percentage(code: str, rate: str, *applies_to: str) -> PriceItem:
    return PriceItem(
        code,
        code,
        Unit.PERCENT,
        D(0),
        kind=PriceKind.PERCENTAGE,
        rate=D(rate),
        applies_to=applies_to,
    )


def minimum(code: str, amount: str, *applies_to: str) -> PriceItem:
    return PriceItem(
        code, code, Unit.DEPARTMENT_MONTH, D(amount), kind=PriceKind.MINIMUM, applies_to=applies_to
    )


def lines_of(run: BillingRun, department: str, month: Month = JAN) -> dict[str, InvoiceLine]:
    invoice = run.invoice(department, month)
    assert invoice is not None, (department, month)
    return {line.service: line for line in invoice.lines}


def amounts(run: BillingRun, department: str, month: Month = JAN) -> dict[str, str]:
    return {code: str(line.amount) for code, line in lines_of(run, department, month).items()}


def consistent(line: InvoiceLine, rounding: str = "half_up") -> bool:
    """quantity x unit price gives the amount after the line's one rounding."""
    return round_amount(exact_product(line.quantity, line.unit_price), rounding) == line.amount


# ---------------------------------------------------------------- step-down by customer year

SELF, MANUAL = "payroll.self_service", "payroll.manual"
SSC = catalog(
    fixed("payroll.fixed_fee", "12000", "10000", "8000"),
    unit(SELF, "0", "60", "55", "50"),
)


@pytest.mark.parametrize(
    ("first_year", "customer_year", "fee", "per_slip", "total"),
    [
        # year 1: 12 000 + 100 x 60 = 12 000 + 6 000 = 18 000
        (2026, 1, "12000.00", "6000.00", "18000.00"),
        # year 2: 10 000 + 100 x 55 = 10 000 + 5 500 = 15 500
        (2025, 2, "10000.00", "5500.00", "15500.00"),
        # year 3: 8 000 + 100 x 50 = 8 000 + 5 000 = 13 000
        (2024, 3, "8000.00", "5000.00", "13000.00"),
        # year 4 and later: the last price holds, 8 000 + 5 000 = 13 000
        (2023, 4, "8000.00", "5000.00", "13000.00"),
        (2001, 26, "8000.00", "5000.00", "13000.00"),
    ],
)
def test_step_down_by_customer_year(
    first_year: int, customer_year: int, fee: str, per_slip: str, total: str
) -> None:
    run = bill(SSC, [entry("A", SELF, 100)], customers=[Customer("A", first_year=first_year)])
    lines = lines_of(run, "A")
    assert str(lines["payroll.fixed_fee"].amount) == fee
    assert str(lines[SELF].amount) == per_slip
    assert str(run.total) == total
    for line in lines.values():
        assert line.basis is not None
        assert line.basis.customer_year == customer_year
        assert line.basis.first_year == first_year
        assert consistent(line)
    assert lines["payroll.fixed_fee"].quantity == 1
    assert lines["payroll.fixed_fee"].unit is Unit.DEPARTMENT_MONTH


def test_price_in_year() -> None:
    item = unit(SELF, "0", "60", "55", "50")
    assert [item.price_in_year(y) for y in (1, 2, 3, 4, 10)] == [D(60), D(55), D(50)] + [D(50)] * 2
    assert unit("x", "57").price_in_year(7) == D(57)  # no steps: the same every year
    with pytest.raises(ValueError, match="before the first"):
        item.price_in_year(0)


@pytest.mark.parametrize(
    ("customers", "expected"),
    [
        ([Customer("A", employees=10)], "no first year"),
        ([Customer("B", first_year=2020)], "not in the customer register"),
        ([Customer("A", first_year=2027)], "first year 2027 is after the year billed, 2026"),
        (None, "none was given"),
    ],
)
def test_step_down_needs_the_first_year(customers: list[Customer] | None, expected: str) -> None:
    with pytest.raises(InputError, match=expected) as error:
        bill(SSC, [entry("A", SELF, 100)], customers=customers)
    # Each problem is named once per department and item, not once per month.
    assert all("A" in issue.message for issue in error.value.issues)
    assert len(error.value.issues) == 2  # the fixed fee and the payslip price


def test_price_line_with_customer_and_without() -> None:
    item = unit(SELF, "0", "60", "55", "50")
    volume = entry("A", SELF, 10)
    # year 2 (first year 2025): 10 x 55 = 550
    line = price_line(item, price_list(item), volume, customer=Customer("A", first_year=2025))
    assert line.amount == D("550.00")
    with pytest.raises(ValueError, match="not in the customer register"):
        price_line(item, price_list(item), volume)


# ----------------------------------------------------------------------------- fixed fees


def test_fixed_fee_needs_no_volume() -> None:
    # A has volumes in January and February; B only is in the register: B gets the fee in
    # both months the run covers, and an invoice with nothing else.
    cat = catalog(fixed("base", default="2500"), unit("x", "10"))
    volumes = [entry("A", "x", 3), entry("A", "x", 4, FEB)]
    run = bill(cat, volumes, customers=[Customer("B")])
    # A January: 2 500 + 3 x 10 = 2 530; February: 2 500 + 4 x 10 = 2 540
    assert amounts(run, "A") == {"base": "2500.00", "x": "30.00"}
    assert amounts(run, "A", FEB) == {"base": "2500.00", "x": "40.00"}
    # B: only the fixed fee, 2 500 a month
    assert amounts(run, "B") == {"base": "2500.00"}
    assert amounts(run, "B", FEB) == {"base": "2500.00"}
    assert [(i.department, str(i.month)) for i in run.invoices] == [
        ("A", "2026-01"),
        ("A", "2026-02"),
        ("B", "2026-01"),
        ("B", "2026-02"),
    ]
    # 2 530 + 2 540 + 2 500 + 2 500 = 10 070
    assert run.total == D("10070.00")


def test_fixed_fee_months_can_be_given() -> None:
    cat = catalog(fixed("base", default="1000"), unit("x", "10"))
    months = [JAN, FEB, MAR]
    run = bill(cat, [entry("A", "x", 1)], months=months, customers=[Customer("A")])
    # In the register: 1 000 in each of three months, + 1 x 10 in January = 3 010
    assert [str(i.month) for i in run.invoices] == ["2026-01", "2026-02", "2026-03"]
    assert run.total == D("3010.00")
    # Not in the register: billed only in the month it has volumes, 1 000 + 10 = 1 010
    run = bill(cat, [entry("A", "x", 1)], months=months)
    assert [str(i.month) for i in run.invoices] == ["2026-01"]
    assert run.total == D("1010.00")


def test_fixed_fees_per_department_and_default() -> None:
    with_default = catalog(fixed("base", fees={"A": "3000", "C": "1500.50"}, default="2000"))
    without = catalog(fixed("base", fees={"A": "3000", "C": "1500.50"}))
    volumes: list[VolumeEntry] = []
    register = [Customer("A"), Customer("B"), Customer("C")]
    run = bill(with_default, volumes, customers=register, months=[JAN])
    # A its own 3 000, B the default 2 000, C its own 1 500,50: 6 500,50
    assert {i.department: str(i.total) for i in run.invoices} == {
        "A": "3000.00",
        "B": "2000.00",
        "C": "1500.50",
    }
    assert run.total == D("6500.50")
    # Without a default fee a department not in the table pays none (no invoice).
    run = bill(without, volumes, customers=register, months=[JAN])
    assert [i.department for i in run.invoices] == ["A", "C"]


def test_fees_table_departments_are_billed_without_a_register() -> None:
    cat = catalog(fixed("base", fees={"Kultur": "3000"}), unit("x", "10"))
    run = bill(cat, [entry("A", "x", 1)])
    # Kultur is in the fees table, so it is billed in the run's month; A has no fee.
    assert amounts(run, "Kultur") == {"base": "3000.00"}
    assert amounts(run, "A") == {"x": "10.00"}


# -------------------------------------------------------------------------- per employee


def test_fee_per_employee() -> None:
    cat = catalog(per_employee("emp", "45"), per_employee("emp.step", "0", "20", "15"))
    register = [Customer("A", employees=310, first_year=2026), Customer("B", 0, 2025)]
    run = bill(cat, [entry("A", "emp", 0)][:0], customers=register, months=[JAN])
    # A: 310 x 45 = 13 950; year 1: 310 x 20 = 6 200
    assert amounts(run, "A") == {"emp": "13950.00", "emp.step": "6200.00"}
    # B: 0 employees, 0 x 45 = 0; year 2: 0 x 15 = 0
    assert amounts(run, "B") == {"emp": "0.00", "emp.step": "0.00"}
    line = lines_of(run, "A")["emp"]
    assert (line.quantity, line.unit, line.unit_price) == (D(310), Unit.EMPLOYEE_MONTH, D(45))
    assert line.basis is not None
    assert line.basis.source == ""  # customers built in code have no source


@pytest.mark.parametrize(
    ("customers", "expected"),
    [
        ([Customer("A", first_year=2020)], "A: emp .* no headcount"),
        ([Customer("B", employees=3)], "A: emp .* not in the customer register"),
        (None, r"needs each department's headcount .* departments: A"),
    ],
)
def test_fee_per_employee_without_headcount_is_an_error(
    customers: list[Customer] | None, expected: str
) -> None:
    cat = catalog(per_employee("emp", "45"), unit("x", "1"))
    with pytest.raises(InputError, match=expected):
        bill(cat, [entry("A", "x", 1), entry("A", "x", 1, FEB)], customers=customers)


def test_register_errors_name_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("department,employees,first_year\nA,,2020\n", encoding="utf-8")
    cat = catalog(per_employee("emp", "45"))
    with pytest.raises(InputError) as error:
        bill(cat, [], customers=read_customers(path), months=[JAN])
    (issue,) = error.value.issues
    assert (issue.path, issue.line) == (str(path), 2)
    assert "no headcount" in issue.message


# ---------------------------------------------------------------------------------- tiers

GRADUATED = tiered("g", "graduated", ("1000", "60"), ("5000", "55"), (None, "50"))
VOLUME = tiered("v", "volume", ("200", "120"), ("1000", "110"), (None, "100"))


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        (0, "0.00"),
        (1, "60.00"),
        (1000, "60000.00"),  # the band edge is in the first band: 1 000 x 60
        (1001, "60055.00"),  # 1 000 x 60 + 1 x 55
        (1500, "87500.00"),  # 1 000 x 60 + 500 x 55 = 60 000 + 27 500
        (5000, "280000.00"),  # 60 000 + 4 000 x 55 = 60 000 + 220 000
        (5001, "280050.00"),  # 280 000 + 1 x 50
        (10000, "530000.00"),  # 280 000 + 5 000 x 50 = 280 000 + 250 000
    ],
)
def test_graduated_tiers(quantity: int, expected: str) -> None:
    line = price_line(GRADUATED, price_list(GRADUATED), entry("A", "g", quantity))
    assert str(line.amount) == expected
    assert consistent(line)
    assert exact_sum(c.amount for c in line.components) == line.amount
    assert sum((c.quantity or D(0) for c in line.components), D(0)) == quantity


def test_graduated_components_show_the_bands() -> None:
    line = price_line(GRADUATED, price_list(GRADUATED), entry("A", "g", 1500))
    assert [(c.label, c.quantity, c.unit_price, c.amount) for c in line.components] == [
        ("Steg 1: t.o.m. 1000", D(1000), D(60), D("60000.00")),
        ("Steg 2: över 1000 t.o.m. 5000", D(500), D(55), D("27500.00")),
    ]
    # No single price: the average 87 500 / 1 500 = 58.3333..., with as few decimals as
    # give the amount back: 1 500 x 58.3333 = 87 499.95 (4 decimals: no), 1 500 x 58.33333
    # = 87 499.995, rounded half up 87 500.00 (5 decimals: yes).
    assert line.unit_price == D("58.33333")
    assert line.basis is not None
    assert line.basis.tier_mode is TierMode.GRADUATED


@pytest.mark.parametrize(
    ("quantity", "unit_price", "expected"),
    [
        (0, "120", "0.00"),
        (200, "120", "24000.00"),  # the edge: all 200 at the first band's 120
        (201, "110", "22110.00"),  # all 201 at 110: a volume discount can lower the total
        (1000, "110", "110000.00"),
        (1001, "100", "100100.00"),
    ],
)
def test_volume_tiers(quantity: int, unit_price: str, expected: str) -> None:
    line = price_line(VOLUME, price_list(VOLUME), entry("A", "v", quantity))
    assert line.unit_price == D(unit_price)
    assert str(line.amount) == expected
    assert consistent(line)
    (component,) = line.components
    assert component.quantity == quantity
    assert component.amount == line.amount


def test_graduated_tiers_round_once() -> None:
    # Two bands at 0.005 kr: rounding each band (0.01 + 0.01) would bill 0.02; the sum of
    # the bands, 2 x 0.005 = 0.010, is rounded once to 0.01.
    item = tiered("g", "graduated", ("1", "0.005"), (None, "0.005"))
    line = price_line(item, price_list(item), entry("A", "g", 2))
    assert line.amount == D("0.01")
    assert [c.amount for c in line.components] == [D("0.01"), D("0.00")]
    assert line.unit_price == D("0.005")  # 2 x 0.005 = 0.01
    assert consistent(line)


def test_tiers_of_hours_split_fractions() -> None:
    item = replace(tiered("h", "graduated", ("10", "400"), (None, "350")), unit=Unit.HOUR)
    # 12.5 h: 10 x 400 + 2.5 x 350 = 4 000 + 875 = 4 875
    line = price_line(item, price_list(item), entry("A", "h", "12.5"))
    assert line.amount == D("4875.00")
    assert [c.quantity for c in line.components] == [D(10), D("2.5")]


# ------------------------------------------------------------------ percentage and minimum

SURCHARGE = catalog(
    unit(SELF, "57"),
    unit(MANUAL, "110"),
    unit("economy.ar", "9", unit_=Unit.TRANSACTION),
    percentage("payroll.surcharge", "0.05", MANUAL),
    minimum("payroll.minimum", "5000", "payroll.*"),
)


def test_percentage_on_the_right_lines() -> None:
    volumes = [entry("A", SELF, 1200), entry("A", MANUAL, 300), entry("A", "economy.ar", 10)]
    run = bill(SURCHARGE, volumes)
    lines = lines_of(run, "A")
    # 5 % of the manual line only: 300 x 110 = 33 000, 0.05 x 33 000 = 1 650
    surcharge = lines["payroll.surcharge"]
    assert (surcharge.quantity, surcharge.unit_price, surcharge.amount) == (
        D("33000.00"),
        D("0.05"),
        D("1650.00"),
    )
    assert surcharge.unit is Unit.PERCENT
    assert surcharge.basis is not None
    assert surcharge.basis.services == (MANUAL,)
    # 1 200 x 57 + 33 000 + 1 650 = 68 400 + 34 650 = 103 050 > 5 000: no minimum line
    assert "payroll.minimum" not in lines
    # 103 050 + 10 x 9 = 103 140
    assert run.total == D("103140.00")
    # The lines print in the list's order, the surcharge after the lines it is on.
    assert list(lines) == [SELF, MANUAL, "economy.ar", "payroll.surcharge"]


def test_percentage_rounds_once_to_ore() -> None:
    # 1 x 33.10 = 33.10; 5 % = 1.655, rounded half up 1.66 (half even: 1.66 too, 6 even)
    cat = catalog(unit("m", "33.10"), percentage("s", "0.05", "m"))
    assert amounts(bill(cat, [entry("A", "m", 1)]), "A")["s"] == "1.66"
    # 1 x 32.90 = 32.90; 5 % = 1.645: half up 1.65, half even 1.64
    cat = catalog(unit("m", "32.90"), percentage("s", "0.05", "m"), rounding="half_even")
    assert amounts(bill(cat, [entry("A", "m", 1)]), "A")["s"] == "1.64"


def test_minimum_fills_up_to_the_minimum() -> None:
    volumes = [entry("A", SELF, 40), entry("A", MANUAL, 6)]
    run = bill(SURCHARGE, volumes)
    lines = lines_of(run, "A")
    # 40 x 57 = 2 280; 6 x 110 = 660; 5 % of 660 = 33; together 2 973
    # minimum 5 000 - 2 973 = 2 027, so the invoice is exactly 5 000
    minimum_line = lines["payroll.minimum"]
    assert (minimum_line.quantity, minimum_line.unit_price, minimum_line.amount) == (
        D(1),
        D("2027.00"),
        D("2027.00"),
    )
    assert minimum_line.basis is not None
    assert minimum_line.basis.base_amount == D("2973.00")
    assert minimum_line.basis.minimum == D(5000)
    assert minimum_line.basis.services == (SELF, MANUAL, "payroll.surcharge")
    assert run.total == D("5000.00")


def test_minimum_exactly_reached_or_not_used() -> None:
    # Exactly 5 000 (50 x 100): no line. A department using only economy services: no
    # payroll line matches, so no minimum is charged for payroll it did not use.
    cat = catalog(unit(SELF, "100"), unit("economy.ar", "9"), minimum("min", "5000", "payroll.*"))
    run = bill(cat, [entry("A", SELF, 50), entry("B", "economy.ar", 1)])
    assert amounts(run, "A") == {SELF: "5000.00"}
    assert amounts(run, "B") == {"economy.ar": "9.00"}


def test_percentage_and_minimum_see_fixed_fees() -> None:
    # 10 % on everything (applies_to "*"): the fixed fee 1 000 and 2 x 100 = 200 give 120;
    # minimum 2 000 on "*" sees 1 000 + 200 + 120 = 1 320, so adds 680.
    cat = catalog(
        fixed("fee", default="1000"),
        unit("x", "100"),
        percentage("pct", "0.10", "*"),
        minimum("min", "2000", "*"),
    )
    run = bill(cat, [entry("A", "x", 2)])
    assert amounts(run, "A") == {"fee": "1000.00", "x": "200.00", "pct": "120.00", "min": "680.00"}
    assert run.total == D("2000.00")


# ---------------------------------------------------------------------- volumes and kinds


def test_a_volume_of_a_fee_is_an_error() -> None:
    cat = catalog(fixed("fee", default="1000"), unit("x", "1"))
    with pytest.raises(InputError, match=r"'fee' is a fixed_monthly price .* without volumes"):
        bill(cat, [entry("A", "fee", 1)])
    with pytest.raises(ValueError, match="not billed by volume"):
        price_line(cat.lists[0].items[0], cat.lists[0], entry("A", "fee", 1))


def test_model_rejects_inconsistent_items() -> None:
    with pytest.raises(ValueError, match="fixed_monthly item has the unit department_month"):
        PriceItem("f", "F", Unit.HOUR, D(0), kind=PriceKind.FIXED_MONTHLY, default_fee=D(1))
    with pytest.raises(ValueError, match="needs fees, default_fee or by_customer_year"):
        fixed("f")
    with pytest.raises(ValueError, match="no fees or default_fee"):
        fixed("f", "10", default="5")
    with pytest.raises(ValueError, match="must rise"):
        tiered("t", "graduated", ("10", "1"), ("5", "1"), (None, "1"))
    with pytest.raises(ValueError, match="last tier has no up_to"):
        tiered("t", "graduated", ("10", "1"))
    with pytest.raises(ValueError, match="only the last tier"):
        tiered("t", "graduated", (None, "1"), (None, "1"))
    with pytest.raises(ValueError, match="up_to must be a number > 0"):
        Tier(D(0), D(1))
    with pytest.raises(ValueError, match="must be >= 0"):
        percentage("p", "-0.05", "x")
    with pytest.raises(ValueError, match="needs applies_to"):
        minimum("m", "10")
    with pytest.raises(ValueError, match="first year's price"):
        PriceItem("u", "U", Unit.PERSON_MONTH, D(10), by_customer_year=(D(60), D(50)))
    with pytest.raises(ValueError, match="a unit item has no rate"):
        PriceItem("u", "U", Unit.PERSON_MONTH, D(10), rate=D("0.1"))
    with pytest.raises(ValueError, match="price must be 0"):
        replace(percentage("p", "0.05", "x"), price=D(1))
    with pytest.raises(ValueError, match="employees must be >= 0"):
        Customer("A", employees=-1)
    with pytest.raises(TypeError, match="whole number"):
        Customer("A", employees=True)
    with pytest.raises(ValueError, match="non-empty"):
        Customer(" ")


def test_existing_calls_are_unchanged(catalog: PriceCatalog) -> None:
    # A bundled list prices exactly as before: no basis, no component quantities.
    run = bill(catalog, [VolumeEntry(VolumeKey(Month(2014, 1), "A", "payroll.manual"), D(3), ())])
    (line,) = run.invoices[0].lines
    assert (line.amount, line.basis) == (D("330.00"), None)
    assert all(c.quantity is None for c in line.components)
    assert all(item.kind is PriceKind.UNIT for pl in catalog for item in pl.items)


# ---------------------------------------------------------------------------- the loader

HEAD = """\
id = "k"
valid_from = 2026-01-01
valid_to = 2026-12-31
currency = "SEK"
source = "test"

[[items]]
code = "x.item"
name = "X"
"""


def load_issues(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "list.toml"
    path.write_text(HEAD + body, encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_pricelist(path)
    return [f"{issue.field}: {issue.message}" for issue in error.value.issues]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('kind = "flat"\n', "items[0].kind (x.item): Input should be 'unit', 'fixed_monthly'"),
        ('unit = "hour"\nprice = 1\nfee = 3\n', "items[0].fee (x.item): unknown field"),
        ("price = 1\n", "items[0].unit (x.item): required field is missing"),
        (
            'kind = "fixed_monthly"\nunit = "hour"\ndefault_fee = 1\n',
            "items[0].unit (x.item): a fixed_monthly item has no unit (the kind gives the "
            "unit department_month)",
        ),
        (
            'kind = "fixed_monthly"\nprice = 100\n',
            "items[0].price (x.item): a fixed_monthly item has no price",
        ),
        (
            'kind = "fixed_monthly"\n',
            "items[0].fees (x.item): a fixed_monthly item needs fees, default_fee or "
            "by_customer_year",
        ),
        (
            'kind = "fixed_monthly"\ndefault_fee = 1\nby_customer_year = [3, 2]\n',
            "items[0].by_customer_year (x.item): by_customer_year is the fee of every department",
        ),
        (
            'kind = "fixed_monthly"\ndefault_fee = 100.005\n',
            "items[0].default_fee (x.item): an amount in kronor has at most 2 decimals",
        ),
        (
            'kind = "fixed_monthly"\n[items.fees]\n"Kultur" = -5\n',
            "items[0].fees.Kultur (x.item): must be >= 0",
        ),
        (
            'unit = "hour"\nprice = 60\nby_customer_year = [60, 50]\n',
            "items[0].by_customer_year (x.item): give price (or components) or "
            "by_customer_year, not both",
        ),
        (
            'unit = "hour"\nby_customer_year = []\n',
            "items[0].by_customer_year (x.item): give at least one price",
        ),
        (
            'kind = "tiered"\nunit = "hour"\ntiers = [{ up_to = 10, price = 5 }, { price = 4 }]\n',
            'items[0].tier_mode (x.item): a tiered item needs tier_mode = "graduated" or "volume"',
        ),
        (
            'kind = "tiered"\nunit = "hour"\ntier_mode = "volume"\n'
            "tiers = [{ up_to = 10, price = 5 }, { up_to = 5, price = 4 }, { price = 3 }]\n",
            "items[0].tiers (x.item): up_to must rise from tier to tier, got 10, 5",
        ),
        (
            'kind = "tiered"\nunit = "hour"\ntier_mode = "volume"\n'
            "tiers = [{ up_to = 10, price = 5 }]\n",
            "items[0].tiers (x.item): the last tier has no up_to",
        ),
        (
            'kind = "tiered"\nunit = "hour"\ntier_mode = "stepped"\ntiers = [{ price = 3 }]\n',
            "items[0].tier_mode (x.item): Input should be 'graduated' or 'volume'",
        ),
        (
            'kind = "tiered"\nunit = "hour"\ntier_mode = "volume"\nprice = 3\n'
            "tiers = [{ price = 3 }]\n",
            "items[0].price (x.item): a tiered item has no price",
        ),
        (
            'kind = "percentage"\napplies_to = ["payroll.*"]\n',
            "items[0].rate (x.item): give the rate, e.g. rate = 0.05 for 5 %",
        ),
        (
            'kind = "percentage"\nrate = 0.05\napplies_to = []\n',
            "items[0].applies_to (x.item): give the service codes or patterns",
        ),
        (
            'kind = "percentage"\nrate = -0.05\napplies_to = ["x"]\n',
            "items[0].rate (x.item): must be >= 0, got Decimal('-0.05')",
        ),
        (
            'kind = "percentage"\nrate = "5 %"\napplies_to = ["x"]\n',
            "items[0].rate (x.item): expected a number such as 57 or 57.50",
        ),
        (
            'kind = "minimum"\napplies_to = ["x"]\n',
            "items[0].price (x.item): give the minimum amount per department and month",
        ),
        (
            'kind = "minimum"\nprice = 5000\napplies_to = ["x"]\nrate = 0.1\n',
            "items[0].rate (x.item): a minimum item has no rate",
        ),
        (
            'kind = "per_employee"\n',
            "items[0].price (x.item): give a price per employee and month, or by_customer_year",
        ),
        (
            'kind = "per_employee"\nprice = 45\ncomponents = [{ label = "a", price = 45 }]\n',
            "items[0].components (x.item): a per_employee item has no components",
        ),
    ],
)
def test_loader_rejects(tmp_path: Path, body: str, expected: str) -> None:
    issues = load_issues(tmp_path, body)
    assert any(issue.startswith(expected) for issue in issues), issues


def test_loader_reports_every_problem(tmp_path: Path) -> None:
    body = (
        'kind = "percentage"\napplies_to = ["x"]\n\n'
        '[[items]]\ncode = "y.item"\nname = "Y"\nkind = "minimum"\napplies_to = ["x"]\n'
    )
    assert load_issues(tmp_path, body) == [
        "items[0].rate (x.item): give the rate, e.g. rate = 0.05 for 5 %",
        "items[1].price (y.item): give the minimum amount per department and month as price",
    ]


@pytest.mark.parametrize("path", sorted(MODELS.glob("*.toml")), ids=lambda p: p.name)
def test_examples_round_trip(path: Path, tmp_path: Path) -> None:
    original = load_pricelist(path)
    text = dump_pricelist(original, header="round trip")
    copy_path = tmp_path / path.name
    copy_path.write_text(text, encoding="utf-8")
    copy = load_pricelist(copy_path)
    assert copy.items == original.items
    assert replace(copy, path=None) == replace(original, path=None)
    assert dump_pricelist(copy, header="round trip") == text
    assert "HYPOTHETICAL" in path.read_text(encoding="utf-8")
    assert (original.valid_from, original.valid_to) == (date(2026, 1, 1), date(2026, 12, 31))


def test_bundled_lists_dump_as_before(catalog: PriceCatalog) -> None:
    for pl in catalog:
        text = dump_pricelist(pl)
        for key in ("kind", "tiers", "fees", "rate", "applies_to", "by_customer_year"):
            assert f"\n{key} =" not in text


def test_dump_writes_every_kind(tmp_path: Path) -> None:
    pl = price_list(
        fixed("a.fee", fees={"Kultur förv.": "3000", 'Citat "A"': "1.50"}, default="2000"),
        fixed("a.step", "12000", "10000"),
        per_employee("a.emp", "45.5"),
        per_employee("a.emp_step", "0", "20", "15"),
        unit("a.unit", "0", "60", "55.25"),
        tiered("a.tier", "volume", ("200.5", "120"), (None, "100")),
        percentage("a.pct", "0.0525", "a.*", "b.unit"),
        minimum("a.min", "5000", "a.*"),
    )
    path = tmp_path / "all.toml"
    path.write_text(dump_pricelist(pl), encoding="utf-8")
    assert load_pricelist(path).items == pl.items


@st.composite
def tier_lists(draw: st.DrawFn) -> tuple[Tier, ...]:
    bounds = draw(st.lists(st.integers(1, 10_000), min_size=0, max_size=4, unique=True))
    prices = draw(
        st.lists(st.decimals(0, 1000, places=3), min_size=len(bounds) + 1, max_size=len(bounds) + 1)
    )
    ends: list[Decimal | None] = [D(b) for b in sorted(bounds)]
    ends.append(None)
    return tuple(Tier(end, price) for end, price in zip(ends, prices, strict=True))


@given(tiers=tier_lists(), mode=st.sampled_from(list(TierMode)))
def test_tiered_items_round_trip(
    tmp_path_factory: pytest.TempPathFactory, tiers: tuple[Tier, ...], mode: TierMode
) -> None:
    item = PriceItem(
        "t.x", "T", Unit.TRANSACTION, D(0), kind=PriceKind.TIERED, tiers=tiers, tier_mode=mode
    )
    path = tmp_path_factory.mktemp("tiers") / "t.toml"
    path.write_text(dump_pricelist(price_list(item)), encoding="utf-8")
    assert load_pricelist(path).items == (item,)


# ------------------------------------------------------------------------------ properties


@given(
    tiers=tier_lists(),
    a=st.integers(0, 20_000),
    b=st.integers(0, 20_000),
    rounding=st.sampled_from(["half_up", "half_even", "down", "up"]),
)
def test_graduated_charge_is_monotone(
    tiers: tuple[Tier, ...], a: int, b: int, rounding: str
) -> None:
    item = PriceItem("g", "G", Unit.TRANSACTION, D(0), kind=PriceKind.TIERED, tiers=tiers)
    pl = price_list(item, rounding=rounding)
    low, high = sorted((a, b))
    line_low = price_line(item, pl, entry("A", "g", low))
    line_high = price_line(item, pl, entry("A", "g", high))
    assert line_low.amount <= line_high.amount
    for line in (line_low, line_high):
        assert consistent(line, rounding)
        assert exact_sum(c.amount for c in line.components) == line.amount


DEPARTMENTS = ["Kultur", "Skarpnäck", "Älvsjö"]
ALL_KINDS = catalog(
    fixed("p.fee", "12000", "10000", "8000"),
    per_employee("p.emp", "0", "20.50", "15"),
    unit(SELF, "0", "60", "55", "50"),
    tiered(MANUAL, "graduated", ("100", "110.125"), ("1000", "100"), (None, "90.5")),
    tiered("e.ar", "volume", ("500", "9"), (None, "8.125")),
    percentage("p.pct", "0.0525", MANUAL, "p.emp"),
    minimum("p.min", "30000", "p.*"),
)


@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(DEPARTMENTS),
            st.sampled_from([SELF, MANUAL, "e.ar"]),
            st.integers(0, 3000),
            st.sampled_from([JAN, FEB, MAR]),
        ),
        max_size=20,
    ),
    people=st.lists(st.integers(0, 5000), min_size=3, max_size=3),
    first_years=st.lists(st.integers(2018, 2026), min_size=3, max_size=3),
)
def test_invoice_total_is_the_sum_of_its_lines(
    rows: list[tuple[str, str, int, Month]], people: list[int], first_years: list[int]
) -> None:
    register = [Customer(d, n, y) for d, n, y in zip(DEPARTMENTS, people, first_years, strict=True)]
    run = bill(ALL_KINDS, [entry(d, s, q, m) for d, s, q, m in rows], customers=register)
    assert run.total == exact_sum(invoice.total for invoice in run.invoices)
    months = {m for *_, m in rows}
    # Every registered department has an invoice in every month with volumes (fixed fee).
    assert len(run.invoices) == len(months) * len(DEPARTMENTS)
    for invoice in run.invoices:
        assert invoice.total == exact_sum(line.amount for line in invoice.lines)
        for line in invoice.lines:
            assert consistent(line)
            if line.components:
                assert exact_sum(c.amount for c in line.components) == line.amount
        by_code = {line.service: line for line in invoice.lines}
        # The minimum tops the payroll lines up to exactly 30 000 when they fall short.
        payroll = exact_sum(line.amount for line in invoice.lines if line.service.startswith("p."))
        assert payroll >= 30000
        if "p.min" in by_code:
            assert payroll == 30000


prices_2dp = st.decimals(0, 500, places=2)


@given(
    self_prices=st.lists(prices_2dp, min_size=1, max_size=3),
    extra=st.lists(prices_2dp, min_size=3, max_size=3),
    fee=prices_2dp,
    self_count=st.integers(0, 5000),
    manual_count=st.integers(0, 5000),
    shift=st.integers(0, 5000),
    first_year=st.integers(2020, 2026),
)
def test_shifting_manual_to_self_service_never_raises_the_bill(
    self_prices: list[Decimal],
    extra: list[Decimal],
    fee: Decimal,
    self_count: int,
    manual_count: int,
    shift: int,
    first_year: int,
) -> None:
    # Unit + fixed lists whose manual price is at least the self-service price in every
    # customer year. Prices are whole öre, so no line is rounded and nothing can go up by
    # an öre of rounding.
    manual_prices = [s + e for s, e in zip(self_prices, extra, strict=False)]
    cat = catalog(
        fixed("p.fee", default=str(fee)),
        unit(SELF, "0", *map(str, self_prices)),
        unit(MANUAL, "0", *map(str, manual_prices)),
    )
    moved = min(shift, manual_count)
    customers = [Customer("A", first_year=first_year)]
    before = bill(
        cat, [entry("A", SELF, self_count), entry("A", MANUAL, manual_count)], customers=customers
    )
    after = bill(
        cat,
        [entry("A", SELF, self_count + moved), entry("A", MANUAL, manual_count - moved)],
        customers=customers,
    )
    assert after.total <= before.total


# ---------------------------------------------------------------------- customer register


def test_read_customers_swedish(tmp_path: Path) -> None:
    path = tmp_path / "kunder.csv"
    path.write_text(
        "\ufeffFörvaltning;Anställda;Första_år\nKultur;1 200;2024\nMiljö;;\n", encoding="utf-8"
    )
    register = read_customers(path)
    assert register == {
        "Kultur": Customer("Kultur", 1200, 2024, f"{path}:2"),
        "Miljö": Customer("Miljö", None, None, f"{path}:3"),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "department,employees,first_year\nA,12,2020\nB,x,2020\nA,3,20\n",
            [
                ("3", "employees", "'x' is not a headcount"),
                ("4", "department", "'A' is already on line 2"),
                ("4", "first_year", "'20' is not a year"),
            ],
        ),
        (
            "department,employees\n,5\nB,-1\n",
            [
                ("2", "department", "the department is empty"),
                ("3", "employees", "'-1' is not a headcount"),
            ],
        ),
        ("name,employees\nA,1\n", [("1", "None", "lacks the column(s) department")]),
        ("department\nA\n", [("1", "None", "names no employees")]),
        ("department,employees\n", [("None", "None", "has no rows")]),
    ],
)
def test_read_customers_errors(
    tmp_path: Path, text: str, expected: list[tuple[str, str, str]]
) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_customers(path)
    found = [(str(i.line), str(i.column), i.message) for i in error.value.issues]
    assert len(found) == len(expected), found
    for (line, column, message), (want_line, want_column, want) in zip(
        found, expected, strict=True
    ):
        assert (line, column) == (want_line, want_column)
        assert want in message


def test_register_rejects_duplicates() -> None:
    with pytest.raises(ValueError, match="twice"):
        bill(SSC, [], customers=[Customer("A"), Customer("A")])


# ------------------------------------------------------------------------------ reports


def test_reports_render_the_new_lines() -> None:
    volumes = [entry("A", SELF, 40), entry("A", MANUAL, 6)]
    run = bill(SURCHARGE, volumes)
    table = run_to_table(run)
    # The percentage: base 660,00 kr, rate 5 %; the minimum: 2 027,00 kr
    assert f"660,00{NBSP}kr" in table
    assert f"5{NBSP}%" in table
    assert f"lägsta avgift 5{NBSP}000,00{NBSP}kr; underlag 2{NBSP}973,00{NBSP}kr" in table
    english = run_to_table(run, locale="en_GB")
    assert "minimum SEK5,000.00; base SEK2,973.00" in english
    rows = list(csv.reader(io.StringIO(run_to_csv(run))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r[3:9] for r in rows[1:]] == [
        [SELF, SELF, "person_month", "40", "57.00", "2280.00"],
        [MANUAL, MANUAL, "person_month", "6", "110.00", "660.00"],
        ["payroll.surcharge", "payroll.surcharge", "percent", "660.00", "0.05", "33.00"],
        ["payroll.minimum", "payroll.minimum", "department_month", "1", "2027.00", "2027.00"],
    ]
    data = run_to_json_data(run)
    lines = data["invoices"][0]["lines"]  # type: ignore[index]
    assert "basis" not in lines[0]
    assert lines[2]["basis"] == {
        "kind": "percentage",
        "rate": "0.05",
        "base_amount": "660.00",
        "services": [MANUAL],
    }
    assert lines[3]["basis"]["minimum"] == "5000.00"


def test_reports_show_bands_and_customer_years() -> None:
    cat = catalog(fixed("fee", "12000", "10000"), GRADUATED)
    run = bill(cat, [entry("A", "g", 1500)], customers=[Customer("A", first_year=2025)])
    table = run_to_table(run)
    assert "varav Steg 2: över 1000 t.o.m. 5000" in table
    assert "kundår 2 (kund sedan 2025)" in table
    assert "trappstegspris" in table
    data = json.loads(json.dumps(run_to_json_data(run)))
    fee, tier = data["invoices"][0]["lines"]
    assert fee["basis"] == {"kind": "fixed_monthly", "customer_year": 2, "first_year": 2025}
    assert tier["components"][1] == {
        "label": "Steg 2: över 1000 t.o.m. 5000",
        "quantity": "500",
        "unit_price": "55.00",
        "amount": "27500.00",
    }
    rows = list(csv.reader(io.StringIO(run_to_csv(run))))
    assert rows[2][9:11] == ["60.00+55.00", "60000.00+27500.00"]


# ---------------------------------------------------------------------------------- CLI


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def cli_totals(out: str) -> dict[tuple[str, str], Decimal]:
    totals: dict[tuple[str, str], Decimal] = {}
    for row in csv.DictReader(io.StringIO(out)):
        key = (row["department"], row["month"])
        totals[key] = totals.get(key, D(0)) + D(row["amount"])
    return totals


# The examples by hand (volumes-2026.csv, customers-2026.csv):
#   Exploatering first year 2021 (year 6), Kultur 2024 (year 3), Miljö 2026 (year 1, no
#   volumes), Skarpnäck 2025 (year 2), Stadsbyggnad 2026 (year 1).
# 2026-fixed: fee 12 000/10 000/8 000 + payslips (self service + manual) x 60/55/50
#   Exploatering 01: 8 000 + 46 x 50 = 10 300      02: 8 000 + 45 x 50 = 10 250
#   Kultur       01: 8 000 + 735 x 50 = 44 750     02: 8 000 + 742 x 50 = 45 100
#   Miljö        01, 02: 12 000 each (no volumes, the fixed fee only)
#   Skarpnäck    01: 10 000 + 3 060 x 55 = 178 300 02: 10 000 + 3 070 x 55 = 178 850
#   Stadsbyggnad 01: 12 000 + 1 500 x 60 = 102 000 02: 12 000 + 1 490 x 60 = 101 400
#   total 20 550 + 89 850 + 24 000 + 357 150 + 203 400 = 694 950
# 2026-employees: fee 9 000 (Skarpnäck), 6 500 (Stadsbyggnad), else 4 000; 45 per employee;
#   self service 20, manual 70
#   Exploatering 01: 4 000 + 310 x 45 + 40 x 20 + 6 x 70 = 4 000 + 13 950 + 800 + 420 = 19 170
#   Stadsbyggnad 02: 6 500 + 1 480 x 45 + 1 180 x 20 + 310 x 70
#                  = 6 500 + 66 600 + 23 600 + 21 700 = 118 400
#   Miljö 01: 4 000 + 260 x 45 = 4 000 + 11 700 = 15 700
#   total 19 170 + 19 200 + 55 850 + 55 740 + 15 700 + 15 700 + 237 950 + 237 150
#         + 118 100 + 118 400 = 892 960
# 2026-surcharge: 57 / 110, 5 % on manual, minimum 5 000 on payroll.*
#   Exploatering 01: 40 x 57 + 6 x 110 + 5 % x 660 = 2 280 + 660 + 33 = 2 973 -> 5 000
#   Kultur 01: 36 480 + 10 450 + 522,50 = 47 452,50
#   total 5 000 + 5 000 + 47 452,50 + 47 559 + 210 105 + 209 505 + 103 050 + 103 065
#         = 730 736,50
# 2026-tiered: self service graduated 1 000 x 60, 4 000 x 55, then 50; manual volume
#   120 (to 200), 110 (to 1 000), 100
#   Skarpnäck 01: 1 000 x 60 + 1 450 x 55 + 610 x 110 = 60 000 + 79 750 + 67 100 = 206 850
#   Stadsbyggnad 02: 60 000 + 180 x 55 + 310 x 110 = 60 000 + 9 900 + 34 100 = 104 000
#   total 727 110
CLI_CASES = [
    (
        "2026-fixed.toml",
        "694950.00",
        {
            ("Exploateringsförvaltningen", "2026-01"): "10300.00",
            ("Kulturförvaltningen", "2026-02"): "45100.00",
            ("Miljöförvaltningen", "2026-01"): "12000.00",
            ("Skarpnäcks stadsdelsförvaltning", "2026-01"): "178300.00",
            ("Stadsbyggnadsförvaltningen", "2026-02"): "101400.00",
        },
    ),
    (
        "2026-employees.toml",
        "892960.00",
        {
            ("Exploateringsförvaltningen", "2026-01"): "19170.00",
            ("Stadsbyggnadsförvaltningen", "2026-02"): "118400.00",
            ("Miljöförvaltningen", "2026-01"): "15700.00",
        },
    ),
    (
        "2026-surcharge.toml",
        "730736.50",
        {
            ("Exploateringsförvaltningen", "2026-01"): "5000.00",
            ("Kulturförvaltningen", "2026-01"): "47452.50",
        },
    ),
    (
        "2026-tiered.toml",
        "727110.00",
        {
            ("Skarpnäcks stadsdelsförvaltning", "2026-01"): "206850.00",
            ("Stadsbyggnadsförvaltningen", "2026-02"): "104000.00",
        },
    ),
]


@pytest.mark.parametrize(
    ("pricelist", "total", "invoices"), CLI_CASES, ids=[case[0] for case in CLI_CASES]
)
def test_cli_bills_the_examples_with_customers(
    capsys: pytest.CaptureFixture[str],
    pricelist: str,
    total: str,
    invoices: dict[tuple[str, str], str],
) -> None:
    code, out, err = run_cli(
        capsys,
        "bill",
        VOLUMES_2026,
        "--year",
        "2026",
        "--pricelists",
        MODELS / pricelist,
        "--customers",
        CUSTOMERS_2026,
        "--format",
        "csv",
    )
    assert code == 0, err
    assert "priced by a proposal" in err
    totals = cli_totals(out)
    assert str(sum(totals.values(), D("0.00"))) == total
    for key, amount in invoices.items():
        assert str(totals[key]) == amount
    # The table has the same grand total.
    code, table, _ = run_cli(
        capsys,
        "bill",
        VOLUMES_2026,
        "--year",
        "2026",
        "--pricelists",
        MODELS / pricelist,
        "--customers",
        CUSTOMERS_2026,
    )
    assert code == 0
    grand = D(total)
    whole, cents = f"{grand:,.2f}".replace(",", NBSP).split(".")
    assert f"Totalt: {whole},{cents}{NBSP}kr" in table


def test_cli_without_customers_names_what_is_missing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(
        capsys,
        "bill",
        VOLUMES_2026,
        "--year",
        "2026",
        "--pricelists",
        MODELS / "2026-employees.toml",
    )
    assert code == 2
    assert out == ""
    assert "payroll.per_employee (per_employee) needs each department's headcount" in err
    assert "--customers FILE" in err


def test_cli_bad_customer_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("department,employees\nA,many\n", encoding="utf-8")
    code, _, err = run_cli(
        capsys,
        "bill",
        VOLUMES_2026,
        "--year",
        "2026",
        "--pricelists",
        MODELS / "2026-surcharge.toml",
        "--customers",
        path,
    )
    assert code == 2
    assert f"{path}:2: column 'employees': 'many' is not a headcount" in err


def test_cli_lists_the_new_kinds(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "pricelists", "--pricelists", MODELS / "2026-fixed.toml")
    assert code == 0
    assert f"12{NBSP}000/10{NBSP}000/8{NBSP}000 kr per kundår" in out
    code, out, _ = run_cli(
        capsys, "pricelists", "--pricelists", MODELS / "2026-tiered.toml", "--format", "json"
    )
    item = json.loads(out)[0]["items"][0]
    assert item["kind"] == "tiered"
    assert item["tiers"][-1] == {"up_to": None, "price": "50.00"}


def test_example_models_do_not_load_as_one_folder() -> None:
    # Alternatives for the same year: the folder is used one file at a time.
    with pytest.raises(InputError, match="overlaps"):
        load_catalog(MODELS)


def test_unit_price_tools_leave_other_kinds_out() -> None:
    from sfprice.engine.breakeven import break_even, list_revenue
    from sfprice.engine.simulate import PerUnitModel

    pl = price_list(unit("a.unit", "57"), GRADUATED, unit("a.step", "0", "60", "50"))
    # A per-unit model holds plain unit prices only.
    assert dict(PerUnitModel.from_price_list(pl).prices) == {"a.unit": D(57)}
    assert list_revenue(pl, {"a.unit": D(2)}) == D(114)
    with pytest.raises(ValueError, match="no plain unit price"):
        list_revenue(pl, {"g": D(2)})
    with pytest.raises(ValueError, match=r"no plain unit price .*: a\.step"):
        break_even(
            cost_to_recover=D(1000),
            volumes={"a.unit": D(10), "a.step": D(5)},
            rule="average",
            base=pl,
        )
