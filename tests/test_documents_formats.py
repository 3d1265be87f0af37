"""Documents that are right in Excel (issue 9): every figure with its decimals, dates as dates,
any stored text written visibly and without a crash, the same bytes twice."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sfprice.documents.workbook import cell_text, number_format, workbook_bytes
from sfprice.names import visible
from sfprice.period import Month
from sfprice.register import DocumentKind, IssuedDocument, IssuedLine

openpyxl = pytest.importorskip("openpyxl")


def _line(service: str, quantity: str, price: str, amount: str, name: str = "") -> IssuedLine:
    return IssuedLine(
        service, name or f"Tjänst {service}", "transaction", Decimal(quantity), Decimal(price),
        Decimal(amount), "2014", {"business_area": "economy"},
    )  # fmt: skip


def _document(
    lines: tuple[IssuedLine, ...],
    *,
    department: str = "Kulturförvaltningen",
    number: str = "SF-2026-000001",
    kind: DocumentKind = DocumentKind.INVOICE,
    issued_at: str = "2026-11-28T22:01:15+00:00",
) -> IssuedDocument:
    return IssuedDocument(
        number, kind, Month(2014, 2), department, issued_at, "2014", "SEK", lines, None, None, 1
    )


def _book(documents: list[IssuedDocument], locale: str = "sv_SE") -> Any:
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes(documents, locale=locale)))


def test_rader_unit_price_keeps_its_decimals() -> None:
    # 3 x 12,345 = 37,035, rounded half-up to öre: 37,04. The price cell must show 12,345.
    doc = _document((_line("economy.invoice", "3", "12.345", "37.04"),))
    book = _book([doc])
    ws = book["Rader"]
    quantity, price, amount = ws["G2"], ws["H2"], ws["I2"]
    assert Decimal(str(price.value)) == Decimal("12.345")
    assert price.number_format == "#,##0.000"
    assert Decimal(str(amount.value)) == Decimal("37.04")
    assert amount.number_format == "#,##0.00"
    assert quantity.value == 3
    assert quantity.number_format == "#,##0"


@pytest.mark.parametrize(
    ("quantity", "price", "amount", "q_format", "p_format"),
    [
        # 1,5 h x 420 = 630,00
        ("1.5", "420", "630.00", "#,##0.0", "#,##0.00"),
        # 2,125 x 0,333333 = 0,708332625 -> 0,71
        ("2.125", "0.333333", "0.71", "#,##0.000", "#,##0.000000"),
        # 0,000001 x 57 = 0,000057 -> 0,00
        ("0.000001", "57", "0.00", "#,##0.000000", "#,##0.00"),
        # 1200 x 57,00 = 68 400,00 (trailing zeros are not significant)
        ("1200.000", "57.00", "68400.00", "#,##0", "#,##0.00"),
    ],
)
def test_every_number_shows_its_significant_decimals(
    quantity: str, price: str, amount: str, q_format: str, p_format: str
) -> None:
    ws = _book([_document((_line("x.y", quantity, price, amount),))])["Rader"]
    assert ws["G2"].number_format == q_format
    assert ws["H2"].number_format == p_format
    assert Decimal(str(ws["G2"].value)) == Decimal(quantity)
    assert Decimal(str(ws["H2"].value)) == Decimal(price)


@given(st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False))
def test_number_format_shows_every_significant_decimal(value: Decimal) -> None:
    fmt = number_format(value, least=2)
    places = len(fmt.partition(".")[2])
    assert places >= 2
    assert value.quantize(Decimal(1).scaleb(-places)) == value  # nothing hidden
    assert places == 2 or value.quantize(Decimal(1).scaleb(1 - places)) != value  # no extra


def test_periods_and_issue_times_are_date_cells() -> None:
    doc = _document((_line("x.y", "1", "57", "57.00"),))
    book = _book([doc])
    invoices, lines = book["Fakturor"], book["Rader"]
    assert invoices["C2"].value == datetime(2014, 2, 1)
    assert invoices["C2"].is_date
    assert invoices["C2"].number_format == "yyyy-mm"
    assert invoices["E1"].value == "Utfärdad"
    assert invoices["E2"].value == datetime(2026, 11, 28, 22, 1, 15)
    assert invoices["E2"].is_date
    assert lines["B2"].value == datetime(2014, 2, 1)
    assert lines["B2"].number_format == "yyyy-mm"


def test_issue_time_is_shown_in_the_issuers_zone() -> None:
    # Issued 00:30 on 1 March, Stockholm time (23:30 UTC on 28 February): the workbook
    # shows the time the invoice is dated by, 1 March 00:30, as "Fakturadatum" does.
    doc = _document((_line("x.y", "1", "57", "57.00"),), issued_at="2026-03-01T00:30:00+01:00")
    assert _book([doc])["Fakturor"]["E2"].value == datetime(2026, 3, 1, 0, 30)


def test_control_character_in_a_name_is_written_visibly() -> None:
    # Issue 9: a control character in a department name ended "invoices xlsx" in a traceback.
    doc = _document((_line("x.y", "1", "57", "57.00", name="Lön\x0bx"),), department="Kult\x07ur")
    book = _book([doc])
    assert book["Fakturor"]["D2"].value == "Kult\\x07ur"
    assert book["Rader"]["E2"].value == "Lön\\x0bx"
    assert book["Sammanställning"]["A2"].value == "Kult\\x07ur"


@given(st.text(alphabet=st.characters(codec=None), max_size=40), st.text(max_size=20))
def test_workbook_never_crashes_on_stored_text(department: str, name: str) -> None:
    doc = _document((_line("x.y", "1", "57", "57.00", name=name or "x"),), department=department)
    book = _book([doc])
    assert (book["Fakturor"]["D2"].value or "") == cell_text(department)
    assert book["Rader"]["E2"].value == cell_text(name or "x")


@given(st.text())
def test_visible_text_is_xml_safe_and_keeps_safe_text(text: str) -> None:
    shown = visible(text)
    for character in shown:
        code = ord(character)
        # Nothing XML 1.0 forbids (so a workbook is never corrupt), no control character.
        assert code >= 0x20
        assert not 0x7F <= code <= 0x9F
        assert not 0xD800 <= code <= 0xDFFF
        assert (code & 0xFFFE) != 0xFFFE
    if text.isprintable():
        assert shown == text
    shown.encode("utf-8")  # no lone surrogate left


def test_over_long_text_is_cut_visibly() -> None:
    text = cell_text("x" * 40_000)
    assert len(text) <= 32767
    assert text.endswith("more characters]")


def test_workbook_is_the_same_bytes_twice() -> None:
    docs = [_document((_line("x.y", "3", "12.345", "37.04"),))]
    first = workbook_bytes(docs)
    assert workbook_bytes(docs) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2026, 11, 28, 22, 1, 14)}
        core = archive.read("docProps/core.xml").decode()
    assert "2026-11-28T22:01:15Z" in core


def test_a_figure_excel_would_round_is_refused() -> None:
    # 1 234 567 890,123456 has 16 significant digits; a double keeps 15 (…890,12346).
    # 15 digits (123 456 789,123456) still fit and are written exactly.
    from sfprice.errors import InputError

    fits = _document((_line("x.y", "123456789.123456", "1", "123456789.12"),))
    ws = _book([fits])["Rader"]
    assert Decimal(str(ws["G2"].value)) == Decimal("123456789.123456")
    too_many = _document((_line("x.y", "1234567890.123456", "1", "1234567890.12"),))
    with pytest.raises(InputError) as caught:
        workbook_bytes([too_many])
    (issue,) = caught.value.issues
    assert issue.path == "SF-2026-000001"
    assert issue.field == "lines[0].quantity"
    assert "has 16 significant digits" in issue.message
    assert "would show 1234567890.12346" in issue.message
