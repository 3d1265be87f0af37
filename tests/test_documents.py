"""Invoice documents and exports (issue #6): SIE 4, HTML, PDF and Excel from the register."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from sfprice.cli import main
from sfprice.documents.invoice import invoice_html, invoice_view
from sfprice.documents.sie import load_accounts, read_sie, sie_text, write_sie
from sfprice.documents.workbook import safe_text
from sfprice.engine.billing import BillingRun, ComponentCharge, Invoice, InvoiceLine
from sfprice.model import Customer, Unit
from sfprice.period import Month
from sfprice.register import DocumentKind, Manifest, Register

REPO = Path(__file__).resolve().parents[1]
ACCOUNTS = REPO / "examples" / "accounts-sie.toml"
MANIFEST = Manifest((), "test", "2014-03-05T09:00:00+00:00", "test")
SKA = "Skarpnäcks stadsdelsförvaltning"
EVIL = '=HYPERLINK("x")–förv'


def _line(service: str, quantity: int, price: str, area: str = "payroll") -> InvoiceLine:
    q, p = Decimal(quantity), Decimal(price)
    components: tuple[ComponentCharge, ...] = ()
    if service == "payroll.manual":
        components = (
            ComponentCharge("Grundpris", Decimal(57), q * 57),
            ComponentCharge("Tillägg manuell", p - 57, q * (p - 57)),
        )
    return InvoiceLine(
        service, f"Tjänst {service} åäö", Unit.PERSON_MONTH, q, p, q * p, components, "2014",
        "test", (), business_area=area,
    )  # fmt: skip


def _run(month: Month, manual: int) -> BillingRun:
    invoices = (
        Invoice(SKA, month, "2014", "SEK",
                (_line("payroll.self_service", 1200, "57"), _line("payroll.manual", manual, "110"),
                 _line("economy.invoice", 3, "12.50", "economy"))),
        # Issued with its register record: its SIE object is its code, EV1 (SKA's is the
        # accounts file's [objects] code, for a document issued without one).
        Invoice(EVIL, month, "2014", "SEK", (_line("payroll.self_service", 10, "57"),),
                Customer(EVIL, code="EV1")),
    )  # fmt: skip
    return BillingRun(month.year, "SEK", invoices)


@pytest.fixture
def register_path(tmp_path: Path) -> Path:
    """A register: 2013-02, 2014-01 and 2014-02 issued, then 2014-02 corrected."""
    path = tmp_path / "register.db"
    now = datetime(2014, 3, 5, 9, 0, tzinfo=UTC)
    with Register.open(path) as register:
        register.issue(_run(Month(2013, 2), 200), Month(2013, 2), manifest=MANIFEST, now=now)
        register.issue(_run(Month(2014, 1), 300), Month(2014, 1), manifest=MANIFEST, now=now)
        register.issue(_run(Month(2014, 2), 310), Month(2014, 2), manifest=MANIFEST, now=now)
        register.issue(_run(Month(2014, 2), 325), Month(2014, 2), manifest=MANIFEST, now=now)
    return path


def _documents(path: Path) -> list:  # type: ignore[type-arg]
    with Register.open(path) as register:
        return list(register.documents())


# -- SIE 4 -----------------------------------------------------------------------------


def test_sie_text_rule() -> None:
    assert sie_text("Örby – “x” €") == 'Örby - "x" EUR'
    assert sie_text("Łódź ő ø") == "?ódz o ?"
    sie_text("åäöÅÄÖé").encode("cp437")


def test_sie_export_balances_and_sums(register_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "out.se"
    code = main(["export", "sie", "--year", "2014", "--register", str(register_path),
                 "--accounts", str(ACCOUNTS), "--output", str(output)])  # fmt: skip
    assert code == 0
    data = output.read_bytes()
    data.decode("cp437")  # CP437, as the specification requires
    sie = read_sie(data)
    assert sie.labels["FLAGGA"] == ("0",)
    assert sie.labels["FORMAT"] == ("PC8",)
    assert sie.labels["SIETYP"] == ("4",)
    assert sie.labels["PROGRAM"][0] == "sfprice"
    assert sie.labels["ORGNR"] == ("212000-0000",)
    assert sie.dimensions == {1: "Förvaltning"}
    assert sie.objects[(1, "SKA")] == SKA
    assert sie.objects[(1, "EV1")] == sie_text(EVIL)  # the en dash as a hyphen in CP437
    documents = [d for d in _documents(register_path) if d.period.year == 2014]
    assert len(sie.vouchers) == len(documents)  # one voucher per invoice or credit note
    for voucher, document in zip(sie.vouchers, documents, strict=True):
        assert voucher.balance == 0
        assert document.number in voucher.text
        assert voucher.date == document.period.last_day
        cost = sum((t.amount for t in voucher.transactions if t.account[0] in "67"), Decimal(0))
        revenue = sum((t.amount for t in voucher.transactions if t.account[0] == "3"), Decimal(0))
        assert cost == document.total
        assert revenue == -document.total
        for t in voucher.transactions:
            assert t.account in sie.accounts
            assert t.objects[0][0] == 1
    credit = next(d for d in documents if d.kind is DocumentKind.CREDIT_NOTE)
    voucher = sie.vouchers[documents.index(credit)]
    assert any(t.account == "3011" and t.amount > 0 for t in voucher.transactions)  # reversed
    economy = [t for v in sie.vouchers for t in v.transactions if t.account in {"3012", "6550"}]
    assert economy  # the business area chooses the account
    text = data.decode("cp437")
    assert "\r\n#VER" in text


def test_sie_amount_format_and_escape(register_path: Path) -> None:
    accounts = load_accounts(ACCOUNTS)
    data = write_sie(_documents(register_path), accounts, year=2014, generated=date(2015, 1, 2))
    text = data.decode("cp437")
    for row in (r for r in text.splitlines() if "#TRANS" in r):
        amount = row.rsplit(" ", 1)[1]
        assert "." in amount
        assert len(amount.split(".")[1]) == 2
    # The department with a formula-like name and an en dash: escaped quotes, dash replaced.
    assert '#OBJEKT 1 "EV1" "=HYPERLINK(\\"x\\")-förv"' in text
    assert read_sie(data).objects[(1, "EV1")] == '=HYPERLINK("x")-förv'


def test_sie_unmapped_line_is_refused(register_path: Path, tmp_path: Path) -> None:
    accounts = tmp_path / "a.toml"
    accounts.write_text("[revenue]\npayroll = 3011\n[cost]\npayroll = 7690\n", encoding="utf-8")
    output = tmp_path / "out.se"
    code = main(["export", "sie", "--year", "2014", "--register", str(register_path),
                 "--accounts", str(accounts), "--output", str(output)])  # fmt: skip
    assert code == 2
    assert not output.exists()


def test_sie_bad_mapping_and_missing_output(register_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[revenue]\npayroll = 'abc'\n[cost]\n", encoding="utf-8")
    args = ["export", "sie", "--year", "2014", "--register", str(register_path)]
    assert main([*args, "--accounts", str(bad), "--output", str(tmp_path / "x.se")]) == 2
    assert main([*args, "--accounts", str(ACCOUNTS)]) == 2


# -- HTML --------------------------------------------------------------------------------


def test_html_invoice_swedish(register_path: Path, tmp_path: Path) -> None:
    documents = _documents(register_path)
    latest = documents[-1]
    assert latest.kind is DocumentKind.INVOICE
    assert latest.period == Month(2014, 2)
    output = tmp_path / "f.html"
    code = main(["invoices", "html", latest.number, "--register", str(register_path),
                 "--output", str(output)])  # fmt: skip
    assert code == 0
    page = output.read_text(encoding="utf-8")
    assert latest.number in page
    assert "februari 2014" in page
    assert "5 mars 2014" in page
    assert "Att betala" in page
    assert "ingen moms" in page
    assert "104\xa0187,50\xa0kr" in page  # 1200 x 57 + 325 x 110 + 3 x 12,50
    assert "varav Grundpris" in page
    assert "Denna månad" in page


def test_html_volume_statement(register_path: Path) -> None:
    with Register.open(register_path) as register:
        number = register.documents(period=Month(2014, 2), department=SKA)[-1].number
        view = invoice_view(register, number)
    manual = next(v for v in view.volumes if v.service == "payroll.manual")
    assert manual.this_month == 325  # net of the credit note
    assert manual.last_year == 200
    assert manual.year_to_date == 300 + 325


def test_html_english_and_escaped(tmp_path: Path) -> None:
    # The issuer name is stored at issue (a reprint shows what was issued).
    now = datetime(2014, 3, 5, 9, 0, tzinfo=UTC)
    with Register.open(tmp_path / "r.db", issuer_name="<Centre & co>") as register:
        register.issue(_run(Month(2013, 2), 200), Month(2013, 2), manifest=MANIFEST, now=now)
        number = register.documents(department=EVIL)[0].number
        view = invoice_view(register, number, locale="en_GB")
    page = invoice_html(view)
    assert "Invoice" in page
    assert "February 2013" in page
    assert "&lt;Centre &amp; co&gt;" in page
    assert "<Centre" not in page
    assert "570.00" in page


def test_html_unknown_number_is_exit_2(register_path: Path) -> None:
    assert main(["invoices", "html", "SF-1-1", "--register", str(register_path)]) == 2


# -- PDF ---------------------------------------------------------------------------------


def test_pdf_invoice_reads_back(register_path: Path, tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    with Register.open(register_path) as register:
        document = register.documents(period=Month(2014, 2), department=SKA)[-1]
    output = tmp_path / "f.pdf"
    code = main(["invoices", "pdf", document.number, "--register", str(register_path),
                 "--output", str(output)])  # fmt: skip
    assert code == 0
    data = output.read_bytes()
    assert data.startswith(b"%PDF")
    text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    flat = text.replace("\xa0", " ")
    assert document.number in flat
    assert "104 187,50 kr" in flat
    assert "Skarpnäcks" in flat
    assert "februari 2014" in flat
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(output),
             str(tmp_path / "page")], check=True,
        )  # fmt: skip
        assert (tmp_path / "page-1.png").stat().st_size > 1000


def test_pdf_needs_output(register_path: Path) -> None:
    number = _documents(register_path)[0].number
    assert main(["invoices", "pdf", number, "--register", str(register_path)]) == 2


# -- Excel -------------------------------------------------------------------------------


def test_safe_text() -> None:
    assert safe_text("=1+1") == "'=1+1"
    assert safe_text("-x") == "'-x"
    assert safe_text("Skarpnäck") == "Skarpnäck"


def test_workbook_reads_back(register_path: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    output = tmp_path / "f.xlsx"
    code = main(["invoices", "xlsx", "--year", "2014", "--register", str(register_path),
                 "--output", str(output)])  # fmt: skip
    assert code == 0
    book = openpyxl.load_workbook(output)
    assert book.sheetnames == ["Fakturor", "Rader", "Sammanställning"]
    docs = [d for d in _documents(register_path) if d.period.year == 2014]
    rows = list(book["Fakturor"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(docs)
    for row, d in zip(rows, docs, strict=True):
        assert row[0] == d.number
        assert isinstance(row[8], int | float)
        assert Decimal(str(row[8])) == d.total
    assert book["Fakturor"]["I2"].number_format == "#,##0.00"
    evil = [r for r in rows if str(r[3]).startswith("'=")]
    assert evil  # neutralised
    assert not any(str(r[3]).startswith("=") for r in rows)
    lines = list(book["Rader"].iter_rows(min_row=2, values_only=True))
    assert len(lines) == sum(len(d.lines) for d in docs)
    assert all(isinstance(r[6], int | float) and isinstance(r[8], int | float) for r in lines)
    summary = {r[0]: r for r in book["Sammanställning"].iter_rows(min_row=2, values_only=True)}
    ska = summary[SKA]
    assert ska[1:3] == (3, 1)
    net = sum((d.total for d in docs if d.department == SKA), Decimal(0))
    assert Decimal(str(ska[5])) == net


def test_workbook_needs_a_selection(register_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["invoices", "xlsx", "--register", str(register_path), "--output", "x.xlsx"])


def test_credit_note_components_come_from_the_invoice(register_path: Path) -> None:
    with Register.open(register_path) as register:
        credit = next(d for d in register.documents() if d.kind is DocumentKind.CREDIT_NOTE)
        view = invoice_view(register, credit.number)
    index = next(i for i, line in enumerate(credit.lines) if line.service == "payroll.manual")
    parts = view.components(index)
    assert [p[0] for p in parts] == ["Grundpris", "Tillägg manuell"]
    assert sum((p[2] for p in parts), Decimal(0)) == credit.lines[index].amount
    assert "Kreditfaktura" in invoice_html(view)
