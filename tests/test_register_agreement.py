"""Issue 11, part 6: an issued document keeps the agreement that priced each line.

The agreement (id, what it did, its source) is stored in the document's content (format 3)
at issue time and shown under its line by ``invoices show``, HTML, PDF and the workbook's
Rader sheet; content of formats 1 and 2 still reads (no agreement). The same charge under
another agreement is a change of what the invoice shows: corrected by credit + new.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfprice.cli import main
from sfprice.documents.invoice import invoice_html, invoice_view
from sfprice.documents.workbook import workbook_bytes
from sfprice.engine.billing import BillingRun, Invoice, InvoiceLine
from sfprice.model import AgreementRef, Unit
from sfprice.period import Month
from sfprice.register import DocumentKind, Manifest, Register
from sfprice.register.codec import content_from_json, content_json

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"
FEB = Month(2014, 2)
NOW = datetime(2014, 3, 5, 9, 0, tzinfo=UTC)
LATER = datetime(2014, 3, 6, 9, 0, tzinfo=UTC)
MANIFEST = Manifest((), "test", "2014-03-05T09:00:00+00:00", "test")
OWN = AgreementRef("kultur-2014", "avtalspris 55,00 kr (kundavtal)", "SA-2014-031 (påhittat)")
GROUP = AgreementRef("bolag-2014", "pris för prisgrupp bolag", "agreements.toml:20")


def run_of(agreement: AgreementRef | None) -> BillingRun:
    """Kulturförvaltningen: 10 x 55 kr = 550.00, priced by ``agreement``."""
    line = InvoiceLine(
        "payroll.self_service", "Lön", Unit.PERSON_MONTH, Decimal(10), Decimal(55),
        Decimal("550.00"), (), "2014", "test", (), agreement=agreement,
    )  # fmt: skip
    return BillingRun(2014, "SEK", (Invoice("Kulturförvaltningen", FEB, "2014", "SEK", (line,)),))


def test_the_agreement_is_stored_and_read_back(tmp_path: Path) -> None:
    with Register.open(tmp_path / "r.db") as register:
        result = register.issue(run_of(OWN), FEB, manifest=MANIFEST, now=NOW)
        (document,) = result.documents
        assert document.content is not None
        assert document.content.lines[0].agreement == OWN
        # Reopened: what was stored, field by field.
        assert register.document(document.number).content == document.content
    with sqlite3.connect(tmp_path / "r.db") as db:
        ((fmt, body),) = db.execute("SELECT format, body FROM contents").fetchall()
    assert fmt == 3
    assert json.loads(body)["lines"][0]["agreement"] == {
        "id": "kultur-2014",
        "text": "avtalspris 55,00 kr (kundavtal)",
        "source": "SA-2014-031 (påhittat)",
    }


def test_a_changed_agreement_is_a_correction_and_the_credit_note_keeps_it(
    tmp_path: Path,
) -> None:
    with Register.open(tmp_path / "r.db") as register:
        register.issue(run_of(OWN), FEB, manifest=MANIFEST, now=NOW)
        # The same 550.00 under the same agreement: nothing changes.
        assert not register.issue(run_of(OWN), FEB, manifest=MANIFEST, now=LATER).changed
        # The same 550.00, now under the group's agreement: credit the old, issue the new.
        result = register.issue(run_of(GROUP), FEB, manifest=MANIFEST, now=LATER)
        credit, invoice = result.documents
    assert credit.kind is DocumentKind.CREDIT_NOTE
    assert credit.total == Decimal("-550.00")
    assert credit.content is not None
    assert credit.content.lines[0].agreement == OWN  # what the credited invoice showed
    assert invoice.content is not None
    assert invoice.content.lines[0].agreement == GROUP
    assert invoice.total == Decimal("550.00")


def test_the_same_charge_without_the_agreement_is_a_correction(tmp_path: Path) -> None:
    with Register.open(tmp_path / "r.db") as register:
        register.issue(run_of(OWN), FEB, manifest=MANIFEST, now=NOW)
        result = register.issue(run_of(None), FEB, manifest=MANIFEST, now=LATER)
    assert [d.kind for d in result.documents] == [DocumentKind.CREDIT_NOTE, DocumentKind.INVOICE]
    assert result.documents[1].content is not None
    assert result.documents[1].content.lines[0].agreement is None


def test_content_of_format_2_reads_with_no_agreement(tmp_path: Path) -> None:
    with Register.open(tmp_path / "r.db") as register:
        (document,) = register.issue(run_of(OWN), FEB, manifest=MANIFEST, now=NOW).documents
    assert document.content is not None
    stored = json.loads(content_json(document.content))
    stored["format"] = 2  # written before lines kept their agreement
    older = content_from_json(json.dumps(stored))
    assert older.lines[0].agreement is None
    assert older == replace(
        document.content, lines=tuple(replace(x, agreement=None) for x in document.content.lines)
    )


def test_stored_format_1_documents_read_with_no_agreement(tmp_path: Path) -> None:
    """tests/data/register-v2.db was written before agreements were stored (format 1)."""
    path = tmp_path / "register-v2.db"
    shutil.copyfile(DATA / "register-v2.db", path)
    register = Register.open(path, read_only=True)
    documents = register.documents()
    assert documents
    assert all(line.agreement is None for d in documents if d.content for line in d.content.lines)
    register.close()


def test_an_unreadable_stored_agreement_is_refused() -> None:
    run = run_of(OWN)
    with Register.open(Path(":memory:")) as register:
        (document,) = register.issue(run, FEB, manifest=MANIFEST, now=NOW).documents
    assert document.content is not None
    stored = json.loads(content_json(document.content))
    stored["lines"][0]["agreement"] = {"id": "x"}
    with pytest.raises(ValueError, match="agreement"):
        content_from_json(json.dumps(stored))


def _issue_example(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "issue", str(EXAMPLES / "volumes-2014-register.csv"), "--period", "2014-02",
        "--register", str(path), "--customers", str(EXAMPLES / "customers-2014.toml"),
        "--agreements", str(EXAMPLES / "agreements-2014.toml"),
    ]  # fmt: skip
    assert main(args) == 0
    capsys.readouterr()


def test_show_html_pdf_and_workbook_show_the_agreement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.db"
    _issue_example(path, capsys)
    with Register.open(path, read_only=True) as register:
        documents = {d.department: d for d in register.documents()}
        sbf = documents["Stadsbyggnadsförvaltningen"]
        view = invoice_view(register, sbf.number)
        page = invoice_html(view)
    add_on = (
        "Avtal sbf-anlaggningsredovisning: tilläggstjänst (kundavtal); "
        "källa: Tilläggsavtal TA-2014-007 (påhittat)"
    )
    # The add-on is the fourth line of February: 1 x 4 500,00 kr.
    assert view.agreement(3) == add_on
    assert [view.agreement(i) for i in range(3)] == [None, None, None]
    assert add_on in page
    assert main(["invoices", "show", sbf.number, "--register", str(path)]) == 0
    shown = capsys.readouterr().out.replace("\xa0", " ").splitlines()
    asset = next(i for i, text in enumerate(shown) if "economy.asset_accounting" in text)
    assert shown[asset + 1].strip() == add_on
    # Skarpnäck's manual payslips: 10 % off 110 kr = 99 kr, 400 + 190 = 590 x 99 = 58 410,00.
    assert main(["invoices", "show", documents["Skarpnäcks stadsdelsförvaltning"].number,
                 "--register", str(path)]) == 0  # fmt: skip
    shown = capsys.readouterr().out.replace("\xa0", " ").splitlines()
    manual = next(i for i, text in enumerate(shown) if "payroll.manual" in text)
    assert "58 410,00 kr" in shown[manual]
    assert shown[manual + 1].strip().startswith("Avtal skarpnack-manuell-rabatt: rabatt 10 %")
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(BytesIO(workbook_bytes(list(documents.values()))))
    rows = list(book["Rader"].iter_rows(values_only=True))
    assert rows[0][9:11] == ("Avtal", "Avtalskälla")
    agreed = {(r[3], r[9], r[10]) for r in rows[1:] if r[9] is not None}
    assert agreed == {
        ("economy.asset_accounting", "sbf-anlaggningsredovisning: tilläggstjänst (kundavtal)",
         "Tilläggsavtal TA-2014-007 (påhittat)"),
        ("payroll.manual", "skarpnack-manuell-rabatt: rabatt 10 % (kundavtal)",
         "Serviceavtal SA-2014-044, § 5 (påhittat)"),
    }  # fmt: skip


def test_the_pdf_prints_the_agreement(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("fpdf")
    from sfprice.documents.pdf import _fields

    path = tmp_path / "r.db"
    _issue_example(path, capsys)
    with Register.open(path, read_only=True) as register:
        sbf = next(d for d in register.documents() if d.department == "Stadsbyggnadsförvaltningen")
        fields = _fields(invoice_view(register, sbf.number))
    assert fields["lines[3].agreement"].startswith("Avtal sbf-anlaggningsredovisning")
    out = tmp_path / "f.pdf"
    assert main(["invoices", "pdf", sbf.number, "--register", str(path),
                 "--output", str(out)]) == 0  # fmt: skip
    assert out.read_bytes().startswith(b"%PDF")


_TEXT = st.text(max_size=40)  # any text but lone surrogates, which no file holds


@settings(max_examples=60, deadline=None)
@given(
    agreements=st.lists(
        st.none() | st.builds(AgreementRef, _TEXT, _TEXT, _TEXT), min_size=1, max_size=4
    )
)
def test_stored_agreements_read_back_exactly(agreements: list[AgreementRef | None]) -> None:
    """Whatever an agreements file says (any text), the stored record reads back the same."""
    line = InvoiceLine(
        "payroll.self_service", "Lön", Unit.PERSON_MONTH, Decimal(10), Decimal(55),
        Decimal("550.00"), (), "2014", "test", (),
    )  # fmt: skip
    base = run_of(None).invoices[0]
    run = BillingRun(
        2014,
        "SEK",
        (replace(base, lines=tuple(replace(line, agreement=a) for a in agreements)),),
    )
    with Register.open(Path(":memory:")) as register:
        (document,) = register.issue(run, FEB, manifest=MANIFEST, now=NOW).documents
    assert document.content is not None
    assert [x.agreement for x in document.content.lines] == agreements
    assert content_from_json(content_json(document.content)) == document.content
