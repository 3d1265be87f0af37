"""Billing examples with totals computed by hand from the seed prices.

Every expected figure is worked out in a comment from the prices of the seed price lists
(2010: shared/seeds/004, lines 280-309; 2014: shared/seeds/003, lines 148-175) and from
the worked examples of shared/domain.md, Part G.4. The volume files are written fresh for
each test, so nothing here depends on the files in examples/ (except the two tests that
pin the totals of those files).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

import sfprice
from sfprice import BillingRun, InvoiceLine, Month, PriceCatalog, VolumeKey

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
WriteFile = Callable[..., Path]
D = Decimal


def _bill(catalog: PriceCatalog, path: Path, year: int) -> BillingRun:
    volumes = sfprice.read_volumes(path, catalog=catalog, year=year)
    return sfprice.bill(catalog, volumes, year=year)


def _csv(*rows: str, header: str = "month,department,service,quantity") -> str:
    return "\n".join([header, *rows]) + "\n"


def _line(run: BillingRun, department: str, month: str, service: str) -> InvoiceLine:
    invoice = run.invoice(department, Month.parse(month))
    assert invoice is not None, (department, month)
    found = [line for line in invoice.lines if line.service == service]
    assert len(found) == 1, (department, month, service)
    return found[0]


def _amounts(run: BillingRun, department: str, month: str) -> dict[str, Decimal]:
    invoice = run.invoice(department, Month.parse(month))
    assert invoice is not None
    return {line.service: line.amount for line in invoice.lines}


# ------------------------------------------------------------- domain.md, Part G.4


def test_ex1_payroll_2014_one_department_one_month(
    catalog: PriceCatalog, write_file: WriteFile
) -> None:
    # Ex 1: 1 200 self-service + 300 manual, 2 Agresso payouts, 1 Girovision emergency
    # payout, 1 salary debt, 3 h role register and 2 h honorary award. Rows are written
    # out of price-list order on purpose.
    path = write_file(
        "ex1.csv",
        _csv(
            "2014-05,Hägerstens förvaltning,payroll.hourly.honorary_award,2",
            "2014-05,Hägerstens förvaltning,payroll.salary_debt,1",
            "2014-05,Hägerstens förvaltning,payroll.manual,300",
            "2014-05,Hägerstens förvaltning,payroll.emergency_girovision,1",
            "2014-05,Hägerstens förvaltning,payroll.self_service,1200",
            "2014-05,Hägerstens förvaltning,payroll.agresso,2",
            "2014-05,Hägerstens förvaltning,payroll.hourly.role_register,3",
        ),
    )
    run = _bill(catalog, path, 2014)
    assert _amounts(run, "Hägerstens förvaltning", "2014-05") == {
        "payroll.self_service": D("68400.00"),  # 1 200 x 57
        "payroll.manual": D("33000.00"),  # 300 x 110
        "payroll.agresso": D("380.00"),  # 2 x (110 + 80) = 2 x 190
        "payroll.emergency_girovision": D("710.00"),  # 1 x (110 + 600)
        "payroll.salary_debt": D("500.00"),  # 1 x 500
        "payroll.hourly.role_register": D("1260.00"),  # 3 h x 420
        "payroll.hourly.honorary_award": D("880.00"),  # 2 h x 440
    }
    # 68 400 + 33 000 = 101 400 (base); + 380 + 710 + 500 + 1 260 + 880 = 3 730
    # -> 105 130 kr, the full-price reading of Ex 1.
    assert run.total == D("105130.00")
    assert [line.service for _, line in run.lines] == [
        "payroll.self_service",
        "payroll.manual",
        "payroll.agresso",
        "payroll.emergency_girovision",
        "payroll.salary_debt",
        "payroll.hourly.role_register",
        "payroll.hourly.honorary_award",
    ]
    # Average base price per salary: 101 400 / 1 500 = 67.60 kr.
    base = D("68400.00") + D("33000.00")
    assert base / D(1500) == D("67.6")


def test_ex1_surcharge_components_reported_separately(
    catalog: PriceCatalog, write_file: WriteFile
) -> None:
    path = write_file(
        "ex1b.csv",
        _csv(
            "2014-05,Hägerstens förvaltning,payroll.manual,300",
            "2014-05,Hägerstens förvaltning,payroll.agresso,2",
            "2014-05,Hägerstens förvaltning,payroll.emergency_girovision,1",
        ),
    )
    run = _bill(catalog, path, 2014)

    def parts(service: str) -> list[tuple[Decimal, Decimal]]:
        line = _line(run, "Hägerstens förvaltning", "2014-05", service)
        assert sum((c.amount for c in line.components), D(0)) == line.amount
        return [(c.unit_price, c.amount) for c in line.components]

    # 300 x 57 = 17 100 and 300 x 53 = 15 900; 17 100 + 15 900 = 33 000 = 300 x 110.
    assert parts("payroll.manual") == [(D(57), D("17100.00")), (D(53), D("15900.00"))]
    # 2 x 110 = 220 and 2 x 80 = 160; 380 in all.
    assert parts("payroll.agresso") == [(D(110), D("220.00")), (D(80), D("160.00"))]
    # 1 x 110 and 1 x 600; 710 in all.
    assert parts("payroll.emergency_girovision") == [
        (D(110), D("110.00")),
        (D(600), D("600.00")),
    ]
    # Surcharge-only reading of Ex 1's events: 2 x 80 + 600 = 760 of the 1 090 billed
    # for Agresso and Girovision; the salary is billed once, at 190 and 710.
    agresso = _line(run, "Hägerstens förvaltning", "2014-05", "payroll.agresso")
    girovision = _line(run, "Hägerstens förvaltning", "2014-05", "payroll.emergency_girovision")
    assert agresso.components[1].amount + girovision.components[1].amount == D("760.00")
    assert agresso.amount + girovision.amount == D("1090.00")
    assert [
        c.label
        for c in _line(run, "Hägerstens förvaltning", "2014-05", "payroll.manual").components
    ] == [
        "Grundpris (Lisa Självservice)",
        "Tillägg manuell rapportering",
    ]


def test_ex2_same_volumes_under_the_2010_list(catalog: PriceCatalog, write_file: WriteFile) -> None:
    path = write_file(
        "ex2.csv",
        _csv(
            "2010-11,Hägerstens förvaltning,payroll.self_service,1200",
            "2010-11,Hägerstens förvaltning,payroll.manual,300",
            "2010-11,Hägerstens förvaltning,payroll.hourly,4",
        ),
    )
    run = _bill(catalog, path, 2010)
    assert _amounts(run, "Hägerstens förvaltning", "2010-11") == {
        "payroll.self_service": D("75600.00"),  # 1 200 x 63
        "payroll.manual": D("26400.00"),  # 300 x 88
        "payroll.hourly": D("1400.00"),  # 4 h x 350
    }
    # 75 600 + 26 400 = 102 000 (average 68.00 kr); + 1 400 = 103 400 kr.
    assert run.total == D("103400.00")
    # 2010 lines carry no components: the 2010 prices are simple.
    assert all(line.components == () for _, line in run.lines)


def test_ex2_vs_ex1_base_charge_difference(catalog: PriceCatalog, write_file: WriteFile) -> None:
    # Ex 2: "2014 vs 2010 for this mix: -600 kr per month" (101 400 vs 102 000).
    rows = ("self_service,1200", "manual,300")
    path_2010 = write_file("mix2010.csv", _csv(*(f"2010-06,Mix,payroll.{r}" for r in rows)))
    path_2014 = write_file("mix2014.csv", _csv(*(f"2014-06,Mix,payroll.{r}" for r in rows)))
    total_2010 = _bill(catalog, path_2010, 2010).total
    total_2014 = _bill(catalog, path_2014, 2014).total
    assert (total_2010, total_2014) == (D("102000.00"), D("101400.00"))
    assert total_2014 - total_2010 == D("-600.00")


def test_ex3_economy_2010_one_department_one_month(
    catalog: PriceCatalog, write_file: WriteFile
) -> None:
    path = write_file(
        "ex3.csv",
        _csv(
            "2010-03,Miljöförvaltningen,economy.hourly.administrator,5",
            "2010-03,Miljöförvaltningen,economy.hourly.accountant,10",
            "2010-03,Miljöförvaltningen,ar.reminder,20",
            "2010-03,Miljöförvaltningen,ap.manual,150",
            "2010-03,Miljöförvaltningen,ap.electronic,800",
            "2010-03,Miljöförvaltningen,ar.manual_attachment,50",
            "2010-03,Miljöförvaltningen,ar.manual,200",
            "2010-03,Miljöförvaltningen,ar.feeder,1000",
        ),
    )
    run = _bill(catalog, path, 2010)
    assert _amounts(run, "Miljöförvaltningen", "2010-03") == {
        "ar.feeder": D("9000.00"),  # 1 000 x 9
        "ar.manual": D("6000.00"),  # 200 x 30
        "ar.manual_attachment": D("2250.00"),  # 50 x 45
        "ap.electronic": D("15200.00"),  # 800 x 19
        "ap.manual": D("6000.00"),  # 150 x 40
        "ar.reminder": D("800.00"),  # 20 x 40
        "economy.hourly.accountant": D("4000.00"),  # 10 h x 400
        "economy.hourly.administrator": D("1800.00"),  # 5 h x 360
    }
    # 9 000 + 6 000 + 2 250 + 15 200 + 6 000 + 800 + 4 000 + 1 800 = 45 050 kr.
    assert run.total == D("45050.00")
    # Lines follow the printed order of the 2010 list, not the order of the rows.
    assert [line.service for _, line in run.lines] == [
        "ar.feeder",
        "ar.manual",
        "ar.manual_attachment",
        "ap.electronic",
        "ap.manual",
        "ar.reminder",
        "economy.hourly.accountant",
        "economy.hourly.administrator",
    ]


# ------------------------------------------------------------ fractional hours, öre


@pytest.mark.parametrize(
    ("month", "service", "hours", "amount"),
    [
        # 0.125 h x 420 = 52.500 -> 52.50 (exact)
        ("2014-03", "payroll.hourly.training", "0.125", "52.50"),
        # 0.0125 h x 420 = 5.2500 -> 5.25 (exact)
        ("2014-03", "payroll.hourly.recoding", "0.0125", "5.25"),
        # 2.3450 h x 350 = 820.750 -> 820.75 (exact). Written "2.3450": a lone "2.345" is
        # ambiguous (2345 h or 2.345 h) and refused, see tests/test_quantity_text.py.
        ("2010-03", "payroll.hourly", "2.3450", "820.75"),
        # 2.25 h x 440 = 990.00
        ("2014-03", "payroll.hourly.honorary_award", "2.25", "990.00"),
        # 1.2343 h x 350 = 350 + 0.2343 x 350 = 350 + 82.005 = 432.005 -> half-up 432.01
        # (half-even would give 432.00: the digit before the 5 is even)
        ("2010-03", "payroll.hourly", "1.2343", "432.01"),
        # 0.0001 h x 650 = 0.065 -> half-up 0.07 (half-even 0.06)
        ("2010-03", "procurement.hourly", "0.0001", "0.07"),
        # 1.00025 h x 420 = 420 + 0.105 = 420.105 -> half-up 420.11 (half-even 420.10)
        ("2014-03", "payroll.hourly.correction", "1.00025", "420.11"),
        # 0.0003 h x 650 = 0.195 -> 0.20 (half-up and half-even agree: 9 is odd)
        ("2010-03", "procurement.hourly", "0.0003", "0.20"),
        # 0.00001 h x 440 = 0.0044 -> 0.00
        ("2014-03", "payroll.hourly.honorary_award", "0.00001", "0.00"),
        # 7.5 h x 650 = 4 875.00
        ("2010-03", "procurement.hourly", "7.5", "4875.00"),
    ],
)
def test_fractional_hours_round_half_up_to_ore(
    catalog: PriceCatalog,
    write_file: WriteFile,
    month: str,
    service: str,
    hours: str,
    amount: str,
) -> None:
    path = write_file("hours.csv", _csv(f"{month},Timkund,{service},{hours}"))
    run = _bill(catalog, path, int(month[:4]))
    line = _line(run, "Timkund", month, service)
    assert line.quantity == D(hours)
    assert line.amount == D(amount)
    assert line.amount.as_tuple().exponent == -2  # always to öre
    assert run.total == D(amount)


def test_half_up_differs_from_half_even_with_swedish_decimal_comma(
    catalog: PriceCatalog, write_file: WriteFile
) -> None:
    # The same 1,2343 h written the Swedish way: 432.005 -> 432.01, not 432.00.
    path = write_file(
        "sv.csv",
        _csv("2010-03;Timkund;payroll.hourly;1,2343", header="månad;förvaltning;tjänst;antal"),
    )
    run = _bill(catalog, path, 2010)
    assert _line(run, "Timkund", "2010-03", "payroll.hourly").amount == D("432.01")


def test_rounding_mode_comes_from_the_price_list_in_force(
    catalog: PriceCatalog, write_file: WriteFile
) -> None:
    # A copy of the 2010 list that says half_even: 432.005 -> 432.00, 0.065 -> 0.06.
    list_2010 = catalog.get("2010")
    assert list_2010 is not None
    assert list_2010.rounding == "half_up"
    half_even = PriceCatalog((dataclasses.replace(list_2010, rounding="half_even"),))
    path = write_file(
        "even.csv",
        _csv("2010-03,Timkund,payroll.hourly,1.2343", "2010-03,Timkund,procurement.hourly,0.0001"),
    )
    run = _bill(half_even, path, 2010)
    assert _amounts(run, "Timkund", "2010-03") == {
        "payroll.hourly": D("432.00"),
        "procurement.hourly": D("0.06"),
    }


def test_a_line_is_rounded_once_even_for_a_long_quantity(catalog: PriceCatalog) -> None:
    # 0.0025124999999999999999999999999975 h x 400 = 1.0049999999999999999999999999990
    # exactly (31 significant digits), which rounds half-up to 1.00: the third decimal
    # is 4. Rounding to 28 digits first would give 1.005000000000000000000000000 -> 1.01.
    # Such a quantity cannot come from a volume file (at most 6 decimals); the engine
    # still multiplies exactly for volumes built in code.
    hours = D("0.0025124999999999999999999999999975")
    key = sfprice.VolumeKey(sfprice.Month(2010, 3), "Timkund", "economy.hourly.accountant")
    entry = sfprice.VolumeEntry(key, hours, (sfprice.VolumeSource("<code>", 1),))
    run = sfprice.bill(catalog, [entry], year=2010)
    line = _line(run, "Timkund", "2010-03", "economy.hourly.accountant")
    assert line.quantity == hours
    assert line.amount == D("1.00")


@pytest.mark.parametrize(
    "quantity",
    ["0.0025124999999999999999999999999975", "1" + "0" * 27, "1" + "0" * 30, "1234567890123"],
)
def test_an_out_of_range_quantity_in_a_file_is_rejected_as_input(
    catalog: PriceCatalog, write_file: WriteFile, quantity: str
) -> None:
    path = write_file("absurd.csv", _csv(f"2010-03,Kund,economy.hourly.accountant,{quantity}"))
    with pytest.raises(sfprice.InputError) as caught:
        _bill(catalog, path, 2010)
    (issue,) = caught.value.issues
    assert (issue.line, issue.column) == (2, "quantity")
    assert "out of range" in issue.message
    assert repr(quantity) in issue.message


def test_a_huge_amount_built_in_code_is_billed_exactly(catalog: PriceCatalog) -> None:
    # 10^27 h x 400 = 4 x 10^29 kr: quantizing to öre needs 32 digits, more than the
    # default context has; round_amount widens its own context.
    key = sfprice.VolumeKey(sfprice.Month(2010, 3), "Kund", "economy.hourly.accountant")
    entry = sfprice.VolumeEntry(key, D(10**27), (sfprice.VolumeSource("<code>", 1),))
    run = sfprice.bill(catalog, [entry], year=2010)
    assert run.total == D(4 * 10**29)


def test_a_line_is_rounded_once_not_per_row(catalog: PriceCatalog, write_file: WriteFile) -> None:
    # Two rows of 0.0001 h procurement for the same key: the line is 0.0002 h x 650 =
    # 0.130 -> 0.13. Rounding each row first would give 0.07 + 0.07 = 0.14.
    path = write_file(
        "rows.csv",
        _csv(
            "2010-03,Timkund,procurement.hourly,0.0001", "2010-03,Timkund,procurement.hourly,0.0001"
        ),
    )
    run = _bill(catalog, path, 2010)
    line = _line(run, "Timkund", "2010-03", "procurement.hourly")
    assert (line.quantity, line.amount, line.volume_rows) == (D("0.0002"), D("0.13"), 2)


def test_invoice_total_is_the_sum_of_rounded_lines(
    catalog: PriceCatalog, write_file: WriteFile
) -> None:
    # procurement 0.0001 h x 650 = 0.065 -> 0.07; payroll 0.0001 h x 350 = 0.035 -> 0.04.
    # The invoice total is 0.07 + 0.04 = 0.11, what the invoice prints; rounding the
    # unrounded sum 0.100 would give 0.10.
    path = write_file(
        "sum.csv",
        _csv("2010-03,Timkund,procurement.hourly,0.0001", "2010-03,Timkund,payroll.hourly,0.0001"),
    )
    run = _bill(catalog, path, 2010)
    invoice = run.invoice("Timkund", Month(2010, 3))
    assert invoice is not None
    assert [line.amount for line in invoice.lines] == [D("0.04"), D("0.07")]  # list order
    assert invoice.total == D("0.11")
    assert run.total == D("0.11")


def test_zero_quantity_gives_a_zero_line(catalog: PriceCatalog, write_file: WriteFile) -> None:
    path = write_file(
        "zero.csv", _csv("2014-02,Noll,payroll.manual,0", "2014-02,Noll,payroll.self_service,10")
    )
    run = _bill(catalog, path, 2014)
    line = _line(run, "Noll", "2014-02", "payroll.manual")
    assert line.amount == D("0.00")
    assert [c.amount for c in line.components] == [D("0.00"), D("0.00")]
    assert run.total == D("570.00")  # 10 x 57
    lines = json.loads(sfprice.run_to_json(run))["invoices"][0]["lines"]
    assert [x["amount"] for x in lines] == ["570.00", "0.00"]  # never "-0.00"


# ------------------------------------------------- several departments and months


_MULTI_2014 = _csv(
    "2014-10,Östermalms stadsdelsförvaltning,payroll.manual,20",
    "2014-02,Östermalms stadsdelsförvaltning,payroll.self_service,100",
    "2014-09,Arbetsmarknadsförvaltningen,payroll.hourly.training,1.5",
    "2014-09,Arbetsmarknadsförvaltningen,payroll.self_service,50",
    "2014-02,Älvsjö stadsdelsförvaltning,payroll.salary_debt,3",
    "2014-10,Arbetsmarknadsförvaltningen,payroll.self_service,40",
    "2014-02,Östermalms stadsdelsförvaltning,payroll.manual,10",
    "2014-02,Arbetsmarknadsförvaltningen,payroll.agresso,1",
    "2014-09,Arbetsmarknadsförvaltningen,payroll.self_service,25",
    "2014-02,Östermalms stadsdelsförvaltning,payroll.self_service,5",
)


def test_several_departments_and_months(catalog: PriceCatalog, write_file: WriteFile) -> None:
    path = write_file("multi.csv", _MULTI_2014)
    run = _bill(catalog, path, 2014)
    # Invoices sorted by department in Swedish order, then month (A < Ä < Ö).
    assert [(i.department, str(i.month)) for i in run.invoices] == [
        ("Arbetsmarknadsförvaltningen", "2014-02"),
        ("Arbetsmarknadsförvaltningen", "2014-09"),
        ("Arbetsmarknadsförvaltningen", "2014-10"),
        ("Älvsjö stadsdelsförvaltning", "2014-02"),
        ("Östermalms stadsdelsförvaltning", "2014-02"),
        ("Östermalms stadsdelsförvaltning", "2014-10"),
    ]
    totals = {(i.department, str(i.month)): i.total for i in run.invoices}
    assert totals == {
        # 1 Agresso payout x 190 = 190
        ("Arbetsmarknadsförvaltningen", "2014-02"): D("190.00"),
        # (50 + 25) x 57 = 4 275; 1.5 h x 420 = 630; 4 905
        ("Arbetsmarknadsförvaltningen", "2014-09"): D("4905.00"),
        # 40 x 57 = 2 280
        ("Arbetsmarknadsförvaltningen", "2014-10"): D("2280.00"),
        # 3 salary debts x 500 = 1 500
        ("Älvsjö stadsdelsförvaltning", "2014-02"): D("1500.00"),
        # (100 + 5) x 57 = 5 985; 10 x 110 = 1 100; 7 085
        ("Östermalms stadsdelsförvaltning", "2014-02"): D("7085.00"),
        # 20 x 110 = 2 200
        ("Östermalms stadsdelsförvaltning", "2014-10"): D("2200.00"),
    }
    # 190 + 4 905 + 2 280 + 1 500 + 7 085 + 2 200 = 18 160
    assert run.total == D("18160.00")
    assert run.totals_by_department() == {
        "Arbetsmarknadsförvaltningen": D("7375.00"),  # 190 + 4 905 + 2 280
        "Älvsjö stadsdelsförvaltning": D("1500.00"),
        "Östermalms stadsdelsförvaltning": D("9285.00"),  # 7 085 + 2 200
    }
    # 4 275 + 2 280 + 5 985 = 12 540 self-service; 1 100 + 2 200 = 3 300 manual.
    assert run.totals_by_service() == {
        "payroll.agresso": D("190.00"),
        "payroll.hourly.training": D("630.00"),
        "payroll.manual": D("3300.00"),
        "payroll.salary_debt": D("1500.00"),
        "payroll.self_service": D("12540.00"),
    }
    # Lines in price-list order within each invoice.
    ostermalm = run.invoice("Östermalms stadsdelsförvaltning", Month(2014, 2))
    assert ostermalm is not None
    assert [line.service for line in ostermalm.lines] == ["payroll.self_service", "payroll.manual"]
    for invoice in run.invoices:
        assert invoice.price_list == "2014"
        assert invoice.currency == "SEK"
        assert invoice.total == sum((line.amount for line in invoice.lines), D(0))


def test_a_year_spanning_two_lists_prices_each_month_by_its_own_list(
    catalog: PriceCatalog, write_file: WriteFile
) -> None:
    # Without year=, a 2010 and a 2014 month are billed by their own lists:
    # 2010-12: 10 x 88 = 880; 2014-01: 10 x 110 = 1 100; 1 980 in all.
    path = write_file(
        "both.csv", _csv("2014-01,Kund,payroll.manual,10", "2010-12,Kund,payroll.manual,10")
    )
    run = sfprice.bill(catalog, sfprice.read_volumes(path, catalog=catalog))
    assert [(str(i.month), i.price_list, i.total) for i in run.invoices] == [
        ("2010-12", "2010", D("880.00")),
        ("2014-01", "2014", D("1100.00")),
    ]
    assert run.total == D("1980.00")
    # With year=2014 the 2010 row is left out and counted.
    only_2014 = _bill(catalog, path, 2014)
    assert only_2014.total == D("1100.00")
    assert only_2014.excluded_rows == 1


def test_service_not_in_the_list_in_force_is_named(
    catalog: PriceCatalog, write_file: WriteFile
) -> None:
    # payroll.agresso exists only in the 2014 list; a 2010 month cannot price it.
    path = write_file("agresso2010.csv", _csv("2010-05,Kund,payroll.agresso,1"))
    volumes = sfprice.read_volumes(path, catalog=catalog, year=2010)
    with pytest.raises(sfprice.PriceNotFound) as info:
        sfprice.bill(catalog, volumes, year=2010)
    message = str(info.value)
    assert "2010-05" in message
    assert "payroll.agresso" in message
    assert str(path) in message


def test_month_without_a_list_in_force_is_an_error(
    catalog: PriceCatalog, write_file: WriteFile
) -> None:
    path = write_file("2012.csv", _csv("2012-05,Kund,payroll.manual,1"))
    volumes = sfprice.read_volumes(path, catalog=catalog)
    with pytest.raises(sfprice.PriceNotFound, match="2012-05"):
        sfprice.bill(catalog, volumes)


def test_no_volumes_bill_nothing(catalog: PriceCatalog, write_file: WriteFile) -> None:
    path = write_file("empty.csv", _csv())
    run = _bill(catalog, path, 2014)
    assert run.invoices == ()
    assert run.total == D("0.00")
    assert json.loads(sfprice.run_to_json(run))["total"] == "0.00"


# ------------------------------------------------------------------- traceability


def test_lines_trace_to_price_list_source_and_volume_rows(
    catalog: PriceCatalog, write_file: WriteFile
) -> None:
    path = write_file(
        "trace.csv",
        _csv(
            "2014-04,Spårbar förvaltning,payroll.manual,100",  # line 2
            "2014-04,Spårbar förvaltning,payroll.self_service,7",  # line 3
            "2014-05,Spårbar förvaltning,payroll.manual,1",  # line 4 (other month)
            "2014-04,Spårbar förvaltning,payroll.manual,50",  # line 5
            "2014-04,Annan förvaltning,payroll.manual,9",  # line 6 (other department)
            "2014-04,Spårbar förvaltning,payroll.manual,150",  # line 7
        ),
    )
    run = _bill(catalog, path, 2014)
    line = _line(run, "Spårbar förvaltning", "2014-04", "payroll.manual")
    # 100 + 50 + 150 = 300 manual salaries from 3 rows: 300 x 110 = 33 000.
    assert line.quantity == D(300)
    assert line.amount == D("33000.00")
    assert line.volume_rows == 3
    assert [(s.path, s.rows) for s in line.volume_sources] == [(str(path), 3)]
    assert line.price_list == "2014"
    assert line.price_source == "003_dbc171dac11004c9.txt:150,154"
    assert line.name == "Lön/ersättning via manuell rapportering"
    assert line.unit is sfprice.Unit.PERSON_MONTH
    assert line.unit_price == D(110)
    assert line.business_area == "payroll"
    key = VolumeKey(Month(2014, 4), "Spårbar förvaltning", "payroll.manual")
    assert sfprice.trace_rows(path, key, catalog=catalog) == (2, 5, 7)
    self_service = _line(run, "Spårbar förvaltning", "2014-04", "payroll.self_service")
    assert self_service.price_source == "003_dbc171dac11004c9.txt:148"
    assert self_service.volume_rows == 1

    data = json.loads(sfprice.run_to_json(run))
    invoice = next(
        i
        for i in data["invoices"]
        if (i["department"], i["month"]) == ("Spårbar förvaltning", "2014-04")
    )
    manual = next(x for x in invoice["lines"] if x["service"] == "payroll.manual")
    assert manual["price_source"] == "003_dbc171dac11004c9.txt:150,154"
    assert manual["volume_rows"] == 3
    assert manual["volume_files"] == [str(path)]
    assert invoice["price_list"] == "2014"


def test_lines_trace_to_every_file_they_came_from(
    catalog: PriceCatalog, write_file: WriteFile
) -> None:
    first = write_file(
        "jan-a.csv",
        _csv("2010-01,Kund,ap.electronic,100", "2010-01,Kund,ap.electronic,20"),
    )
    second = write_file(
        "jan-b.csv",
        _csv("2010-01;Kund;ap.electronic;5", header="month;department;service;quantity"),
    )
    volumes = sfprice.read_volume_files([first, second], catalog=catalog, year=2010)
    run = sfprice.bill(catalog, volumes, year=2010)
    line = _line(run, "Kund", "2010-01", "ap.electronic")
    # 100 + 20 + 5 = 125 electronic supplier invoices x 19 = 2 375.
    assert line.amount == D("2375.00")
    assert sorted((s.path, s.rows) for s in line.volume_sources) == sorted(
        [(str(first), 2), (str(second), 1)]
    )
    assert line.volume_rows == 3
    assert line.price_source == "004_c98e6cf4bb870a81.txt:283"
    assert line.price_list == "2010"


# ------------------------------------------------------------ the bundled examples


def test_examples_volumes_2014_total(catalog: PriceCatalog) -> None:
    run = _bill(catalog, EXAMPLES / "volumes-2014.csv", 2014)
    totals = {(i.department, str(i.month)): i.total for i in run.invoices}
    assert totals == {
        # 640 x 57 = 36 480; 95 x 110 = 10 450; 2 x 500 = 1 000 -> 47 930
        ("Kulturförvaltningen", "2014-01"): D("47930.00"),
        # 2 450 x 57 = 139 650; 610 x 110 = 67 100; 2.25 h x 420 = 945 -> 207 695
        ("Skarpnäcks stadsdelsförvaltning", "2014-01"): D("207695.00"),
        # 2 480 x 57 = 141 360; (400 + 190) x 110 = 64 900; 0.5 h x 420 = 210 -> 206 470
        ("Skarpnäcks stadsdelsförvaltning", "2014-02"): D("206470.00"),
        # Ex 1: 105 130
        ("Stadsbyggnadsförvaltningen", "2014-01"): D("105130.00"),
        # 1 180 x 57 = 67 260; 310 x 110 = 34 100; 1.5 h x 420 = 630 -> 101 990
        ("Stadsbyggnadsförvaltningen", "2014-02"): D("101990.00"),
    }
    # 47 930 + 207 695 + 206 470 + 105 130 + 101 990 = 669 215
    assert run.total == D("669215.00")
    skarpnack = _line(run, "Skarpnäcks stadsdelsförvaltning", "2014-02", "payroll.manual")
    assert (skarpnack.quantity, skarpnack.volume_rows) == (D(590), 2)


def test_examples_volumes_2010_total(catalog: PriceCatalog) -> None:
    run = _bill(catalog, EXAMPLES / "volumes-2010.csv", 2010)
    totals = {(i.department, str(i.month)): i.total for i in run.invoices}
    assert totals == {
        # 7.5 h x 650 = 4 875; 310 x 19 = 5 890; 220 x 63 = 13 860; 41 x 88 = 3 608
        # -> 28 233
        ("Exploateringsförvaltningen", "2010-03"): D("28233.00"),
        # 225 x 63 = 14 175; 38 x 88 = 3 344 -> 17 519
        ("Exploateringsförvaltningen", "2010-04"): D("17519.00"),
        # Ex 3 (45 050) + Ex 2 (103 400) -> 148 450
        ("Stadsbyggnadsförvaltningen", "2010-03"): D("148450.00"),
    }
    # 28 233 + 17 519 + 148 450 = 194 202
    assert run.total == D("194202.00")


def test_invoices_follow_swedish_alphabetical_order(
    catalog: PriceCatalog, write_file: WriteFile
) -> None:
    # Code-point order would put Älvsjö before Årsta; a Swedish register has å < ä < ö.
    rows = [
        f"2014-01,{name},payroll.self_service,1"
        for name in ("Östermalm", "Älvsjö", "Årsta", "Zon", "enskede", "Farsta")
    ]
    path = write_file("names.csv", "month,department,service,quantity\n" + "\n".join(rows) + "\n")
    run = _bill(catalog, path, 2014)
    assert [i.department for i in run.invoices] == [
        "enskede",
        "Farsta",
        "Zon",
        "Årsta",
        "Älvsjö",
        "Östermalm",
    ]
    assert list(run.totals_by_department()) == [i.department for i in run.invoices]


def test_swedish_order_handles_decomposed_letters_and_foreign_accents() -> None:
    import unicodedata

    from sfprice.collation import swedish_key

    decomposed = unicodedata.normalize("NFD", "Årsta")  # as some Mac exports write it
    names = ["Östermalm", decomposed, "Ñandu", "Zon", "Çelik", "Älvsjö"]
    assert sorted(names, key=swedish_key) == [
        "Çelik",
        "Ñandu",
        "Zon",
        decomposed,
        "Älvsjö",
        "Östermalm",
    ]
