"""Issue 11, part 5: the customer's identity (code, reference, address) on invoices and reports.

A register built in code gives each department its code (ansvarskod) and reference person;
``bill`` puts the record on the invoice, and every report of a run shows the code.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import sfprice
from sfprice import Customer, Month, PriceCatalog
from sfprice.engine.billing import bill, with_customers
from sfprice.reports.formats import run_to_csv, run_to_json_data, run_to_table

WriteFile = Callable[..., Path]

KULTUR = Customer(
    "Kulturförvaltningen",
    code="1310",
    reference="Anna Berg",
    address=("Box 8136", "104 20 Stockholm"),
)
SKARPNACK = Customer("Skarpnäcks stadsdelsförvaltning", code="2610", reference="Per Ek")

VOLUMES = (
    "month,department,service,quantity\n"
    "2014-01,Kulturförvaltningen,payroll.self_service,640\n"
    "2014-01,Kulturförvaltningen,payroll.manual,95\n"
    "2014-01,Stadsbyggnadsförvaltningen,payroll.manual,300\n"
)


def _run(catalog: PriceCatalog, write_file: WriteFile) -> sfprice.BillingRun:
    volumes = sfprice.read_volumes(write_file("v.csv", VOLUMES), catalog=catalog)
    return bill(catalog, volumes, year=2014, customers=[KULTUR, SKARPNACK])


def test_bill_puts_the_register_record_on_the_invoice(
    catalog: PriceCatalog, write_file: WriteFile
) -> None:
    run = _run(catalog, write_file)
    kultur = run.invoice("Kulturförvaltningen", Month(2014, 1))
    assert kultur is not None
    assert kultur.customer is KULTUR
    assert (kultur.customer_code, kultur.reference) == ("1310", "Anna Berg")
    # 640 x 57.00 = 36 480.00 and 95 x (57 + 53) = 10 450.00: 46 930.00; the identity
    # changes no amount.
    assert kultur.total == Decimal("46930.00")
    # A department the register lacks has no record and empty code and reference.
    other = run.invoice("Stadsbyggnadsförvaltningen", Month(2014, 1))
    assert other is not None
    assert other.customer is None
    assert (other.customer_code, other.reference) == ("", "")


def test_without_a_register_no_invoice_has_a_customer(
    catalog: PriceCatalog, write_file: WriteFile
) -> None:
    volumes = sfprice.read_volumes(write_file("v.csv", VOLUMES), catalog=catalog)
    run = bill(catalog, volumes, year=2014)
    assert all(i.customer is None for i in run.invoices)
    assert with_customers(run, None) is run


def test_with_customers_sets_invoices_made_after_bill(
    catalog: PriceCatalog, write_file: WriteFile
) -> None:
    volumes = sfprice.read_volumes(write_file("v.csv", VOLUMES), catalog=catalog)
    run = with_customers(bill(catalog, volumes, year=2014), {KULTUR.department: KULTUR})
    assert [i.customer for i in run.invoices] == [KULTUR, None]


def test_reports_carry_code_and_reference(catalog: PriceCatalog, write_file: WriteFile) -> None:
    run = _run(catalog, write_file)
    table = run_to_table(run)
    assert "Förvaltning: Kulturförvaltningen (1310)    Period:" in table
    assert "Prislista: 2014    Er referens: Anna Berg" in table
    assert "Förvaltning: Stadsbyggnadsförvaltningen    Period:" in table
    assert "Department: Kulturförvaltningen (1310)" in run_to_table(run, "en_GB")
    rows = list(csv.DictReader(io.StringIO(run_to_csv(run))))
    assert {(r["department"], r["customer_code"], r["reference"]) for r in rows} == {
        ("Kulturförvaltningen", "1310", "Anna Berg"),
        ("Stadsbyggnadsförvaltningen", "", ""),
    }
    data = json.loads(json.dumps(run_to_json_data(run)))
    assert [(i["customer_code"], i["reference"]) for i in data["invoices"]] == [
        ("1310", "Anna Berg"),
        ("", ""),
    ]
    records = run.to_records()
    assert records[0]["customer_code"] == "1310"
    assert records[-1]["reference"] == ""


def test_a_code_that_would_run_as_a_formula_is_quoted_in_csv(
    catalog: PriceCatalog, write_file: WriteFile
) -> None:
    volumes = sfprice.read_volumes(write_file("v.csv", VOLUMES), catalog=catalog)
    hostile = Customer("Kulturförvaltningen", code="=1+1", reference="@Anna")
    run = bill(catalog, volumes, year=2014, customers=[hostile])
    row = next(csv.DictReader(io.StringIO(run_to_csv(run))))
    assert (row["customer_code"], row["reference"]) == ("'=1+1", "'@Anna")
