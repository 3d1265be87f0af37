"""Issue 11, part 5: an issued document stores the customer's identity it shows.

Code, name, reference person, address and SIE object are stored at issue time (content
format 2) and never looked up again; content of format 1 still reads (customer None). A
change of what the document shows (the reference person, the address) is corrected with
a credit note and a new invoice, like a changed amount.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from sfprice.cli import main
from sfprice.engine.billing import BillingRun, Invoice, InvoiceLine
from sfprice.model import Customer, Unit
from sfprice.period import Month
from sfprice.register import ContentCustomer, DocumentKind, Manifest, Register

DATA = Path(__file__).resolve().parent / "data"
FEB = Month(2014, 2)
NOW = datetime(2014, 3, 5, 9, 0, tzinfo=UTC)
LATER = datetime(2014, 3, 6, 9, 0, tzinfo=UTC)
MANIFEST = Manifest((), "test", "2014-03-05T09:00:00+00:00", "test")
MILJO = Customer(
    "Miljöförvaltningen",
    code="4410",
    reference="Anna Berg",
    address=("Box 8136", "104 20 Stockholm"),
)
NAMND = Customer("Miljönämnden", code="4400", reference="Bo Ek", sie_object="MN4400")


def run_of(*customers: tuple[str, Customer | None], quantity: int = 10) -> BillingRun:
    """One invoice per department: one line of quantity x 57 kr (10 x 57 = 570.00)."""
    q = Decimal(quantity)
    line = InvoiceLine(
        "payroll.self_service", "Lön", Unit.PERSON_MONTH, q, Decimal(57), q * 57,
        (), "2014", "test", (),
    )  # fmt: skip
    invoices = tuple(
        Invoice(name, FEB, "2014", "SEK", (line,), customer) for name, customer in customers
    )
    return BillingRun(2014, "SEK", invoices)


def test_an_invoice_stores_the_identity_it_shows(tmp_path: Path) -> None:
    register = Register.open(tmp_path / "r.db")
    result = register.issue(
        run_of((MILJO.department, MILJO), (NAMND.department, NAMND), ("Kulturförvaltningen", None)),
        FEB,
        manifest=MANIFEST,
        now=NOW,
    )
    shown = {d.department: d.content.customer for d in result.documents if d.content}
    assert shown == {
        "Miljöförvaltningen": ContentCustomer(
            "4410", "Miljöförvaltningen", "Anna Berg", ("Box 8136", "104 20 Stockholm"), "4410"
        ),
        # The register's own SIE object wins over the code.
        "Miljönämnden": ContentCustomer("4400", "Miljönämnden", "Bo Ek", (), "MN4400"),
        "Kulturförvaltningen": None,
    }
    register.close()
    # Stored as format 3 (the customer since format 2), field by field.
    with sqlite3.connect(tmp_path / "r.db") as db:
        rows = db.execute("SELECT format, body FROM contents ORDER BY document_id").fetchall()
    assert {r[0] for r in rows} == {3}  # 3: lines keep their agreement (part 6)
    stored = {json.loads(body)["department"]: json.loads(body)["customer"] for _, body in rows}
    assert stored["Kulturförvaltningen"] is None
    assert stored["Miljöförvaltningen"] == {
        "address": ["Box 8136", "104 20 Stockholm"],
        "code": "4410",
        "name": "Miljöförvaltningen",
        "reference": "Anna Berg",
        "sie_object": "4410",
    }
    # Reopened, the document shows what was stored, whatever the register says today.
    again = Register.open(tmp_path / "r.db")
    document = again.document(result.documents[0].number)
    assert document is not None
    assert document.content is not None
    assert document.content.customer == shown[document.department]


def test_a_changed_reference_is_corrected_with_a_credit_note(tmp_path: Path) -> None:
    register = Register.open(tmp_path / "r.db")
    first = register.issue(run_of((MILJO.department, MILJO)), FEB, manifest=MANIFEST, now=NOW)
    moved = replace(MILJO, reference="Cecilia Lind", address=("Box 1", "100 00 Stockholm"))
    second = register.issue(run_of((MILJO.department, moved)), FEB, manifest=MANIFEST, now=LATER)
    assert [d.kind for d in second.documents] == [DocumentKind.CREDIT_NOTE, DocumentKind.INVOICE]
    credit, invoice = second.documents
    assert credit.credits == first.documents[0].number
    assert credit.content is not None
    assert invoice.content is not None
    # The credit note shows what the credited invoice showed; the new invoice the new.
    assert credit.content.customer == ContentCustomer.of(MILJO)
    assert invoice.content.customer == ContentCustomer.of(moved)
    # The same charges: -570.00 + 570.00, the period's net stays 570.00 (10 x 57).
    assert credit.total == Decimal("-570.00")
    assert invoice.total == Decimal("570.00")
    # The same record again changes nothing.
    third = register.issue(run_of((MILJO.department, moved)), FEB, manifest=MANIFEST, now=LATER)
    assert not third.changed


def test_a_run_without_a_register_keeps_the_identity_issued(tmp_path: Path) -> None:
    # A run without a record for the department says nothing about its identity: the
    # invoice in force (with its code) is kept, not credited into one without a code.
    register = Register.open(tmp_path / "r.db")
    register.issue(run_of((MILJO.department, MILJO)), FEB, manifest=MANIFEST, now=NOW)
    again = register.issue(run_of((MILJO.department, None)), FEB, manifest=MANIFEST, now=LATER)
    assert not again.changed
    assert again.unchanged == (MILJO.department,)


def test_a_first_register_record_corrects_an_invoice_issued_without_one(tmp_path: Path) -> None:
    # The invoice showed no code nor reference; the run's record gives them: what the
    # document shows changes, so it is corrected.
    register = Register.open(tmp_path / "r.db")
    register.issue(run_of((MILJO.department, None)), FEB, manifest=MANIFEST, now=NOW)
    again = register.issue(run_of((MILJO.department, MILJO)), FEB, manifest=MANIFEST, now=LATER)
    assert [d.kind for d in again.documents] == [DocumentKind.CREDIT_NOTE, DocumentKind.INVOICE]
    credit, invoice = again.documents
    assert credit.content is not None
    assert credit.content.customer is None
    assert invoice.content is not None
    assert invoice.content.customer == ContentCustomer.of(MILJO)


def test_documents_stored_by_format_1_read_with_no_customer(tmp_path: Path) -> None:
    """tests/data/register-v2.db was written before the customer was stored (format 1)."""
    path = tmp_path / "register-v2.db"
    shutil.copyfile(DATA / "register-v2.db", path)
    with sqlite3.connect(path) as db:
        formats = {row[0] for row in db.execute("SELECT format FROM contents")}
        bodies = [json.loads(row[0]) for row in db.execute("SELECT body FROM contents")]
    assert formats == {1}
    assert all("customer" not in body for body in bodies)
    register = Register.open(path, read_only=True)
    documents = register.documents()
    assert documents
    assert all(d.content is not None and d.content.customer is None for d in documents)


def test_the_register_listings_carry_code_and_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.db"
    with Register.open(path) as register:
        result = register.issue(
            run_of((MILJO.department, MILJO), ("Kulturförvaltningen", None)),
            FEB,
            manifest=MANIFEST,
            now=NOW,
        )
    numbers = {d.department: d.number for d in result.documents}
    reg = ["--register", str(path)]
    assert main(["invoices", "list", *reg, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {(r["department"], r["customer_code"], r["reference"]) for r in rows} == {
        ("Miljöförvaltningen", "4410", "Anna Berg"),
        ("Kulturförvaltningen", "", ""),
    }
    assert main(["invoices", "show", numbers[MILJO.department], *reg, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["customer"] == {
        "code": "4410",
        "name": "Miljöförvaltningen",
        "reference": "Anna Berg",
        "address": ["Box 8136", "104 20 Stockholm"],
        "sie_object": "4410",
    }
    # A document issued without a record has no "customer" key: its JSON is as before.
    assert main(["invoices", "show", numbers["Kulturförvaltningen"], *reg, "--format", "json"]) == 0
    assert "customer" not in json.loads(capsys.readouterr().out)
    assert main(["invoices", "show", numbers[MILJO.department], *reg]) == 0
    assert "  Kundnummer 4410    Er referens Anna Berg\n" in capsys.readouterr().out


def _issue_month(register: Register, month: Month, name: str, customer: Customer, n: int) -> None:
    q = Decimal(n)
    line = InvoiceLine(
        "payroll.self_service", "Lön", Unit.PERSON_MONTH, q, Decimal(57), q * 57,
        (), "2014", "test", (),
    )  # fmt: skip
    run = BillingRun(2014, "SEK", (Invoice(name, month, "2014", "SEK", (line,), customer),))
    register.issue(run, month, manifest=MANIFEST, now=NOW)


def test_the_year_so_far_follows_the_code_across_a_rename(tmp_path: Path) -> None:
    # 7100 is "Gamla förvaltningen" in January and "Nya förvaltningen" from February:
    # February's year so far is 10 + 20 = 30 payslips. "Gamla förvaltningen" of another
    # code later (7200) is not counted, nor is a document of that name stored without a code.
    register = Register.open(tmp_path / "r.db")
    gamla, nya = (
        Customer("Gamla förvaltningen", code="7100"),
        Customer("Nya förvaltningen", code="7100"),
    )
    _issue_month(register, Month(2014, 1), "Gamla förvaltningen", gamla, 10)
    _issue_month(register, Month(2014, 2), "Nya förvaltningen", nya, 20)
    (doc,) = [d for d in register.documents() if d.department == "Nya förvaltningen"]
    (row,) = register.document(doc.number).content.statement.rows  # type: ignore[union-attr]
    assert (row.this_month, row.year_to_date) == (Decimal(20), Decimal(30))
    other = Customer("Gamla förvaltningen", code="7200")
    _issue_month(register, Month(2014, 3), "Gamla förvaltningen", other, 5)
    (doc,) = [d for d in register.documents() if d.period == Month(2014, 3)]
    (row,) = register.document(doc.number).content.statement.rows  # type: ignore[union-attr]
    assert (row.this_month, row.year_to_date) == (Decimal(5), Decimal(5))
    register.close()


def test_documents_of_a_customer_by_code(tmp_path: Path) -> None:
    register = Register.open(tmp_path / "r.db")
    gamla, nya = (
        Customer("Gamla förvaltningen", code="7100"),
        Customer("Nya förvaltningen", code="7100"),
    )
    _issue_month(register, Month(2014, 1), "Gamla förvaltningen", gamla, 10)
    _issue_month(register, Month(2014, 2), "Nya förvaltningen", nya, 20)
    assert [d.department for d in register.documents(department="7100")] == [
        "Gamla förvaltningen",
        "Nya förvaltningen",
    ]
    assert [d.total for d in register.documents(department="Nya förvaltningen")] == [
        Decimal("1140.00")  # 20 x 57
    ]
    register.close()
