"""Issue 11, part 5: the invoice documents show the customer's code, reference and address.

HTML, PDF and the workbook show what the document stored at issue; a document issued
without a register record shows none of it (as before).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from sfprice.cli import main
from sfprice.engine.billing import BillingRun, Invoice, InvoiceLine
from sfprice.model import Customer, Unit
from sfprice.period import Month
from sfprice.register import Manifest, Register

MANIFEST = Manifest((), "test", "2014-03-05T09:00:00+00:00", "test")
MILJO = Customer(
    "Miljöförvaltningen", code="4410", reference="Anna Berg",
    address=("Box 8136", "104 20 Stockholm"),
)  # fmt: skip


def _register(path: Path) -> tuple[str, str]:
    """Two invoices of 2014-02: Miljöförvaltningen with its record, Kultur without."""
    line = InvoiceLine(
        "payroll.self_service", "Lön", Unit.PERSON_MONTH, Decimal(10), Decimal(57),
        Decimal("570.00"), (), "2014", "test", (), business_area="payroll",
    )  # fmt: skip
    feb = Month(2014, 2)
    run = BillingRun(2014, "SEK", (
        Invoice("Kulturförvaltningen", feb, "2014", "SEK", (line,)),
        Invoice(MILJO.department, feb, "2014", "SEK", (line,), MILJO),
    ))  # fmt: skip
    with Register.open(path) as register:
        result = register.issue(run, feb, manifest=MANIFEST, now=datetime(2014, 3, 5, tzinfo=UTC))
    numbers = {d.department: d.number for d in result.documents}
    return numbers[MILJO.department], numbers["Kulturförvaltningen"]


def test_html_shows_code_reference_and_address(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    miljo, kultur = _register(path)
    out = tmp_path / "f.html"
    assert main(["invoices", "html", miljo, "--register", str(path), "--output", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<dt>Kundnummer</dt><dd>4410</dd>" in page
    assert "<dt>Er referens</dt><dd>Anna Berg</dd>" in page
    assert "<dt>Fakturaadress</dt><dd>Box 8136, 104 20 Stockholm</dd>" in page
    english = tmp_path / "e.html"
    argv = ["invoices", "html", miljo, "--register", str(path), "--output", str(english)]
    assert main([*argv, "--locale", "en_GB"]) == 0
    assert "<dt>Your reference</dt><dd>Anna Berg</dd>" in english.read_text(encoding="utf-8")
    # Without a record: none of the three.
    plain = tmp_path / "k.html"
    assert main(["invoices", "html", kultur, "--register", str(path), "--output", str(plain)]) == 0
    assert "Kundnummer" not in plain.read_text(encoding="utf-8")


def test_pdf_shows_code_reference_and_address(tmp_path: Path) -> None:
    pytest.importorskip("fpdf")
    pypdf = pytest.importorskip("pypdf")
    path = tmp_path / "r.db"
    miljo, _ = _register(path)
    out = tmp_path / "f.pdf"
    assert main(["invoices", "pdf", miljo, "--register", str(path), "--output", str(out)]) == 0
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    for shown in ("Kundnummer", "4410", "Er referens", "Anna Berg", "Box 8136, 104 20 Stockholm"):
        assert shown in text


def test_workbook_has_code_and_reference_columns(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "r.db"
    _register(path)
    out = tmp_path / "f.xlsx"
    argv = ["invoices", "xlsx", "--period", "2014-02", "--register", str(path)]
    assert main([*argv, "--output", str(out)]) == 0
    sheet = openpyxl.load_workbook(out)["Fakturor"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][9:11] == ("Kundnummer", "Er referens")
    by_department = {row[3]: row[9:11] for row in rows[1:]}
    assert by_department == {
        "Kulturförvaltningen": (None, None),
        "Miljöförvaltningen": ("4410", "Anna Berg"),
    }
