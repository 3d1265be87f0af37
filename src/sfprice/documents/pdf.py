"""An invoice document as PDF, with fpdf2 (pure Python; the ``pdf`` extra).

The text is set in DejaVu Sans, a TrueType font that renders å ä ö, embedded in the file.
The font is looked up at run time, in this order: the file named by the environment
variable ``SFPRICE_FONT`` (a bold face beside it named ``*-Bold.ttf`` is used when present),
the DejaVu Sans that matplotlib ships (``matplotlib/mpl-data/fonts/ttf``; matplotlib is not
imported), and the system's (Debian ``fonts-dejavu-core``). When none is found,
:class:`FontMissing` says what to install.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

from sfprice.documents.invoice import InvoiceView
from sfprice.errors import SfpriceError

__all__ = ["FontMissing", "find_font", "invoice_pdf"]

_SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")


class FontMissing(SfpriceError):
    """No TrueType font with å ä ö was found for the PDF."""


class PdfMissing(SfpriceError):
    """fpdf2 is not installed."""


def find_font() -> tuple[Path, Path]:
    """The regular and bold DejaVu Sans files (the bold may be the regular one).

    Raises:
        FontMissing: When no font is found.
    """
    candidates: list[Path] = []
    if chosen := os.environ.get("SFPRICE_FONT"):
        candidates.append(Path(chosen))
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.origin:
        candidates.append(Path(spec.origin).parent / "mpl-data/fonts/ttf/DejaVuSans.ttf")
    candidates.append(_SYSTEM_FONTS / "DejaVuSans.ttf")
    for regular in candidates:
        if regular.is_file():
            bold = regular.with_name(regular.stem + "-Bold.ttf")
            return regular, bold if bold.is_file() else regular
    raise FontMissing(
        "no TrueType font for the PDF: install matplotlib (pip install matplotlib) or the "
        "Debian package fonts-dejavu-core, or set SFPRICE_FONT to a .ttf file that has å ä ö"
    )


def _fpdf() -> Any:
    try:
        import fpdf
    except ImportError as exc:
        raise PdfMissing(
            "PDF invoices need fpdf2: pip install 'sfprice[pdf]' (or pip install fpdf2)"
        ) from exc
    return fpdf


def invoice_pdf(view: InvoiceView) -> bytes:
    """The document as an A4 PDF (one or more pages)."""
    fpdf = _fpdf()
    from fpdf.enums import XPos, YPos

    regular, bold = find_font()
    d = view.document
    lab = view.labels
    pdf = fpdf.FPDF(format="A4")
    pdf.set_title(f"{view.title} {d.number}")
    pdf.set_creator("sfprice")
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(text: str, size: float = 10, style: str = "", height: float = 6) -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.cell(width, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.set_font("DejaVu", "B", 20)
    pdf.cell(width * 0.6, 12, view.title)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(width * 0.4, 12, view.issuer, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    head = view.header_fields()
    for key, value in head:
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(45, 6, key)
        pdf.set_font("DejaVu", "", 10)
        pdf.cell(width - 45, 6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)

    cols = [width * 0.44, width * 0.12, width * 0.2, width * 0.24]
    pdf.set_font("DejaVu", "B", 9)
    pdf.set_fill_color(230, 230, 230)
    for text, w, align in zip(
        (lab["service"], lab["quantity"], lab["unit_price"], lab["amount"]),
        cols,
        "LRRR",
        strict=True,
    ):
        pdf.cell(w, 7, text, align=align, fill=True)
    pdf.ln(7)
    for index, item in enumerate(d.lines):
        pdf.set_font("DejaVu", "", 9)
        pdf.cell(cols[0], 5.5, item.name[:60])
        pdf.cell(cols[1], 5.5, view.quantity(item.quantity), align="R")
        pdf.cell(cols[2], 5.5, view.price(item.unit_price), align="R")
        pdf.cell(cols[3], 5.5, view.money(item.amount), align="R", new_x=XPos.LMARGIN,
                 new_y=YPos.NEXT)  # fmt: skip
        pdf.set_font("DejaVu", "", 7.5)
        pdf.set_text_color(90, 90, 90)
        pdf.cell(width, 4, f"{item.service} · {view.unit_text(item.unit)}",
                 new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
        for label, price, amount in view.components(index):
            pdf.cell(cols[0] + cols[1], 4, f"    {lab['of_which']} {label}")
            pdf.cell(cols[2], 4, view.price(price), align="R")
            pdf.cell(cols[3], 4, view.money(amount), align="R", new_x=XPos.LMARGIN,
                     new_y=YPos.NEXT)  # fmt: skip
        pdf.set_text_color(0, 0, 0)
        pdf.set_draw_color(200, 200, 200)
        pdf.line(pdf.l_margin, pdf.get_y() + 0.5, pdf.l_margin + width, pdf.get_y() + 0.5)
        pdf.ln(1.5)
    pdf.set_draw_color(0, 0, 0)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.set_font("DejaVu", "B", 11)
    total_label = lab["total_credit" if d.total < 0 else "total"]
    pdf.cell(cols[0] + cols[1] + cols[2], 8, total_label)
    pdf.cell(cols[3], 8, view.money(d.total), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    line(lab["no_vat"], size=8.5)
    pdf.ln(6)

    line(lab["volumes"], size=12, style="B", height=8)
    vcols = [width * 0.4, width * 0.2, width * 0.2, width * 0.2]
    pdf.set_font("DejaVu", "B", 8.5)
    for text, w, align in zip(
        (lab["service"], lab["this_month"], lab["last_year"], lab["year_to_date"]),
        vcols,
        "LRRR",
        strict=True,
    ):
        pdf.cell(w, 7, text, align=align, fill=True)
    pdf.ln(7)
    pdf.set_font("DejaVu", "", 9)
    for row in view.volumes:
        pdf.cell(vcols[0], 5.5, row.name[:60])
        pdf.cell(vcols[1], 5.5, view.quantity(row.this_month), align="R")
        pdf.cell(vcols[2], 5.5, view.quantity(row.last_year), align="R")
        pdf.cell(vcols[3], 5.5, view.quantity(row.year_to_date), align="R",
                 new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    pdf.set_font("DejaVu", "", 7.5)
    pdf.set_text_color(90, 90, 90)
    pdf.ln(2)
    if (note := view.volumes_note()) is not None:
        line(note, size=7.5)
    line(f"{view.period_text()} · {d.number} · sfprice", size=7.5)
    return bytes(pdf.output())
