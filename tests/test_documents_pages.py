"""Invoice pages that are right in both languages (issue 9): the closing wording follows the
sign of the total, every label/value pair and long name fits on the page, no character prints
blank, and the same document gives the same bytes."""

from __future__ import annotations

import importlib.util
import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfprice.documents.invoice import InvoiceView, invoice_html
from sfprice.documents.pdf import find_font, invoice_pdf, missing_glyphs, unshaped
from sfprice.errors import InputError
from sfprice.period import Month
from sfprice.register import DocumentKind
from sfprice.register.content import ContentLine, DocumentContent, VolumeStatement

LONG_DEPARTMENT = (
    "Stadsdelsförvaltningen för Skarpnäck, Farsta och Enskede-Årsta-Vantör med "
    "förskoleverksamhet, äldreomsorg och individ- och familjeomsorg i Stockholms stad"
)
LONG_NAME = (
    "Lön/ersättning via Lisa Självservice eller Lisa Tid, inklusive reseräkningar, "
    "utlägg, frånvaroanmälan och attest i flera led för timavlönade"
)


def _line(amount: str, name: str = "Lön via Lisa Självservice") -> ContentLine:
    value = Decimal(amount)
    sign = -1 if value < 0 else 1
    quantity = Decimal(0) if value == 0 else Decimal(sign * 2)
    price = abs(value) / 2 if value else Decimal(57)
    return ContentLine("payroll.self_service", name, "person_month", quantity, price, value)


def _view(
    *amounts: str,
    locale: str = "sv_SE",
    department: str = "Kulturförvaltningen",
    issuer: str = "Servicecentret",
    name: str = "Lön via Lisa Självservice",
    kind: DocumentKind = DocumentKind.INVOICE,
) -> InvoiceView:
    lines = tuple(_line(a, name) for a in amounts)
    credits = "SF-2026-000001" if kind is DocumentKind.CREDIT_NOTE else None
    document = DocumentContent(
        "SF-2026-000002", str(kind), "SF", issuer, department, Month(2014, 2),
        "2026-11-28T23:01:15+01:00", date(2026, 11, 28), "Europe/Stockholm", "2014", "SEK",
        credits, lines, VolumeStatement("issue", credits, ()),
    )  # fmt: skip
    return InvoiceView(document, issuer, locale, ())


# -- The closing wording follows the sign of the total -------------------------------------

WORDING = [
    # (amounts, locale, closing label): 114,00 > 0; -114,00 < 0; 0,00 = 0; 114,00 - 114,00 = 0
    (("114.00",), "sv_SE", "Att betala"),
    (("-114.00",), "sv_SE", "Att kreditera"),
    (("0.00",), "sv_SE", "Inget att betala"),
    (("114.00", "-114.00"), "sv_SE", "Inget att betala"),
    (("114.00",), "en_GB", "Total due"),
    (("-114.00",), "en_GB", "To be credited"),
    (("0.00",), "en_GB", "Nothing to pay"),
]


@pytest.mark.parametrize(("amounts", "locale", "label"), WORDING)
def test_closing_wording_follows_the_sign(
    amounts: tuple[str, ...], locale: str, label: str
) -> None:
    view = _view(*amounts, locale=locale)
    assert view.closing_label == label
    page = invoice_html(view)
    assert f'<td colspan="4">{label}</td>' in page
    others = {"Att betala", "Att kreditera", "Inget att betala", "Total due", "To be credited"}
    assert not any(f">{other}<" in page for other in others - {label})


@pytest.mark.parametrize("locale", ["sv_SE", "en_GB"])
def test_zero_credit_note_says_nothing_to_pay_in_the_pdf(locale: str) -> None:
    # Issue 9: a zero-total credit note ended "Att betala".
    pypdf = pytest.importorskip("pypdf")
    view = _view("0.00", locale=locale, kind=DocumentKind.CREDIT_NOTE)
    text = pypdf.PdfReader(io.BytesIO(invoice_pdf(view))).pages[0].extract_text()
    wanted, wrong = (
        ("Inget att betala", "Att betala\n")
        if locale == "sv_SE"
        else ("Nothing to pay", "Total due")
    )
    assert wanted in text
    assert wrong not in text


# -- Everything fits on the page ----------------------------------------------------------


def _runs(data: bytes) -> list[tuple[int, str, float, float, float]]:
    """Each text run of the PDF as (page, text, x, y, width), in points."""
    pypdf = pytest.importorskip("pypdf")
    fpdf = pytest.importorskip("fpdf")
    regular, bold = find_font()
    measure = fpdf.FPDF(unit="pt")
    measure.add_font("R", "", str(regular))
    measure.add_font("B", "", str(bold))
    try:
        return _measured_runs(pypdf.PdfReader(io.BytesIO(data)), measure)
    finally:
        for face in measure.fonts.values():
            face.close()  # fpdf2 closes its fonts only when it writes a file


def _measured_runs(reader: Any, measure: Any) -> list[tuple[int, str, float, float, float]]:
    runs: list[tuple[int, str, float, float, float]] = []
    for number, page in enumerate(reader.pages):

        def visit(text: str, cm: Any, tm: Any, font: Any, size: float, page: int = number) -> None:
            if not text.strip():
                return
            face = "B" if font and "Bold" in str(font.get("/BaseFont", "")) else "R"
            measure.set_font(face, "", size)
            x, y = float(tm[4]), float(tm[5])
            runs.append((page, text.strip("\n"), x, y, measure.get_string_width(text)))

        page.extract_text(visitor_text=visit)
    return runs


def _assert_fits(data: bytes) -> None:
    runs = _runs(data)
    assert runs
    page_width = 595.28  # A4 in points
    for page, text, x, _, w in runs:
        assert x >= 0, (page, text)
        assert x + w <= page_width - 20, f"{text!r} runs off the page"
    for i, (page, text, x, y, w) in enumerate(runs):
        for other_page, other, ox, oy, ow in runs[i + 1 :]:
            if page == other_page and abs(y - oy) < 3:
                assert x + w <= ox + 0.5 or ox + ow <= x + 0.5, f"{text!r} overlaps {other!r}"


@pytest.mark.parametrize("locale", ["sv_SE", "en_GB"])
def test_labels_and_values_do_not_overlap(locale: str) -> None:
    # Issue 9: the English "Customer (department)" overlapped the department's name.
    _assert_fits(invoice_pdf(_view("114.00", "-57.00", locale=locale)))


@pytest.mark.parametrize("locale", ["sv_SE", "en_GB"])
def test_long_names_wrap_within_the_page(locale: str) -> None:
    # Issue 12: a long name ran off the page; it wraps, and nothing of it is cut.
    pypdf = pytest.importorskip("pypdf")
    view = _view(
        "123456789.12", "-0.01", locale=locale, department=LONG_DEPARTMENT, name=LONG_NAME,
        issuer="Stadsledningskontorets servicecenter för ekonomi, lön och upphandling",
    )  # fmt: skip
    data = invoice_pdf(view)
    _assert_fits(data)
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    flat = " ".join(text.split())
    assert " ".join(LONG_DEPARTMENT.split()) in flat
    assert LONG_NAME.split(", ")[1] in flat  # the middle of the name is printed, not cut


def test_many_lines_run_onto_further_pages() -> None:
    pypdf = pytest.importorskip("pypdf")
    view = _view(*(["57.00"] * 40), name=LONG_NAME)
    data = invoice_pdf(view)
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    assert len(pages) >= 2
    assert pages[1].extract_text().startswith("Tjänst")  # the column heads again
    _assert_fits(data)


# -- No character prints blank ------------------------------------------------------------


def test_a_character_no_font_has_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 12: a name in a script the font lacks printed blank. Ethiopic is in no DejaVu font.
    monkeypatch.setenv("SFPRICE_FALLBACK_FONTS", "")
    regular, bold = find_font()
    fields = {"department": "Addis ሀገር", "lines[0].name": "Lön"}
    _, issues = missing_glyphs(fields, [regular, bold], source="SF-2026-000002")
    assert len(issues) == 1
    assert issues[0].field == "department"
    assert "U+1200 ETHIOPIC SYLLABLE HA" in issues[0].message
    assert "U+1308" in issues[0].message
    assert "SFPRICE_FALLBACK_FONTS" in issues[0].message


def test_the_pdf_refuses_rather_than_prints_blank(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sfprice.documents.pdf._candidates", lambda regular: [])
    with pytest.raises(InputError) as caught:
        invoice_pdf(_view("114.00", department="ሀገር förvaltning"))
    assert str(caught.value).startswith("SF-2026-000002: department: 'ሀገር förvaltning': ")


def test_a_fallback_font_prints_what_the_main_font_lacks(monkeypatch: pytest.MonkeyPatch) -> None:
    # U+2312 ARC is in DejaVu Sans Mono but not in DejaVu Sans.
    pypdf = pytest.importorskip("pypdf")
    regular, _ = find_font()
    mono = regular.with_name("DejaVuSansMono.ttf")
    if not mono.is_file():
        pytest.skip("no DejaVu Sans Mono beside DejaVu Sans")
    monkeypatch.setattr("sfprice.documents.pdf._candidates", lambda regular: [mono])
    data = invoice_pdf(_view("114.00", department="Förvaltning \u2312 Öst"))
    assert b"DejaVuSansMono" in data
    text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Förvaltning \u2312 Öst" in text


def test_a_control_character_prints_visibly_escaped() -> None:
    # The invoice view escapes it as every text output does (sfprice.names.visible).
    pypdf = pytest.importorskip("pypdf")
    data = invoice_pdf(_view("114.00", department="Kult\x07ur"))
    text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Kult\\x07ur" in text
    assert "\x07" not in text


# -- The same bytes twice ------------------------------------------------------------------


def test_pdf_is_the_same_bytes_twice() -> None:
    view = _view("114.00", locale="en_GB")
    first = invoice_pdf(view)
    assert invoice_pdf(view) == first
    assert b"D:20261128230115+01'00'" in first  # the creation date is the issue time


def test_fonts_are_found(tmp_path: Path) -> None:
    regular, bold = find_font()
    assert regular.is_file()
    assert bold.is_file()


# -- Any stored text: a page, or a located refusal; never a crash --------------------------


@settings(max_examples=25)
@given(st.text(st.characters(codec=None), min_size=1, max_size=40))
def test_any_department_gives_a_pdf_or_a_located_refusal(department: str) -> None:
    view = _view("114.00", department=department)
    data, refused = b"", None
    try:
        data = invoice_pdf(view)
    except InputError as error:
        refused = error
    if refused is not None:
        assert {issue.field for issue in refused.issues} == {"department"}
        assert all(issue.path == "SF-2026-000002" for issue in refused.issues)
    else:
        assert data.startswith(b"%PDF")
    page = invoice_html(view)
    assert not any(0 < ord(c) < 32 and c != "\n" for c in page)


def test_any_kind_of_space_prints_as_a_space() -> None:
    # U+3000 IDEOGRAPHIC SPACE is in no DejaVu font; a space prints as a space anyway.
    pypdf = pytest.importorskip("pypdf")
    data = invoice_pdf(_view("114.00", department="Kultur\u3000förvaltningen\u00a0Öst"))
    assert "Kultur förvaltningen Öst" in pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_right_to_left_letters_are_refused_without_shaping() -> None:
    # Without text shaping, fpdf2 prints Hebrew left to right: a reversed, wrong name.
    if importlib.util.find_spec("uharfbuzz") is not None:
        pytest.skip("uharfbuzz is installed: the PDF shapes right-to-left text")
    with pytest.raises(InputError) as caught:
        invoice_pdf(_view("114.00", department="קהילה Öst"))
    (issue,) = caught.value.issues
    assert issue.field == "department"
    assert "U+05E7 HEBREW LETTER QOF" in issue.message
    assert "pip install uharfbuzz" in issue.message
    assert unshaped({"department": "Skarpnäck – Örby"}, source="x") == []
