"""An invoice document as PDF, with fpdf2 (pure Python; the ``pdf`` extra).

The text is set in DejaVu Sans, a TrueType font that renders å ä ö, embedded in the file.
The font is looked up at run time, in this order: the file named by the environment
variable ``SFPRICE_FONT`` (a bold face beside it named ``*-Bold.ttf`` is used when present),
the DejaVu Sans that matplotlib ships (``matplotlib/mpl-data/fonts/ttf``; matplotlib is not
imported), and the system's (Debian ``fonts-dejavu-core``). When none is found,
:class:`FontMissing` says what to install.

Every character printed must have a glyph: a character the font lacks would print blank.
Before anything is drawn, the text of the document is checked against the font; for the
characters it lacks, fallback fonts are looked for (the ``.ttf`` files named in the
environment variable ``SFPRICE_FALLBACK_FONTS``, separated by ``os.pathsep``, then those
beside the font and in ``/usr/share/fonts``, in name order, but never a "last resort" font,
whose glyphs are boxes that name the script), and a character that no font
has refuses the document with one :class:`~sfprice.errors.Issue` per field
(:func:`missing_glyphs`). Stored text passes :func:`~sfprice.names.visible`
first (a control character prints as its visible escape). Right-to-left letters (Hebrew,
Arabic) are ordered by fpdf2's text shaping when uharfbuzz is installed, and refused
otherwise (:func:`unshaped`), since they would print reversed.

Every label/value pair fits in both languages: the label column is as wide as the widest
label, the numeric columns as wide as their widest figure, and a long value (a department,
a service name, an issuer) wraps within its column instead of running off the page.

The same document gives the same bytes: the PDF's creation date is the document's issue
time, and the file identifier is derived from the content.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from sfprice.documents.invoice import InvoiceView
from sfprice.errors import InputError, Issue, SfpriceError
from sfprice.names import visible

__all__ = ["FontMissing", "find_font", "invoice_pdf", "missing_glyphs", "unshaped"]

_SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")
_FONT_TREE = Path("/usr/share/fonts")
_SHOWN = 5  # missing characters named per field
_IMPOSTOR = re.compile(r"lastresort.*|cm[a-z]+10\.ttf")  # never a fallback, see _candidates


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


def _text(value: str) -> str:
    """Stored text as the PDF prints it.

    Any white space (a tab, U+3000) prints as a plain space, which every font has; another
    control or invisible character as its visible escape (:func:`sfprice.names.visible`).
    """
    return visible("".join(" " if c.isspace() else c for c in value))


def _fields(view: InvoiceView) -> dict[str, str]:
    """Every stored text the document prints, by field (for the glyph check)."""
    d = view.document
    fields = {"issuer": view.issuer, "department": d.department}
    if d.customer is not None:
        fields["customer.code"] = d.customer.code or ""
        fields["customer.reference"] = d.customer.reference or ""
        fields |= {f"customer.address[{i}]": a for i, a in enumerate(d.customer.address)}
    for index, item in enumerate(d.lines):
        fields[f"lines[{index}].name"] = item.name
        fields[f"lines[{index}].service"] = item.service
        fields[f"lines[{index}].unit"] = view.unit_text(item.unit)
        for k, (label, _, _) in enumerate(view.components(index)):
            fields[f"lines[{index}].components[{k}]"] = label
        agreement = view.agreement(index)
        if agreement is not None:
            fields[f"lines[{index}].agreement"] = agreement
    fields |= {f"volumes[{i}].name": row.name for i, row in enumerate(view.volumes)}
    return {key: _text(value) for key, value in fields.items()}


@cache
def _cmap(path: Path) -> frozenset[int]:
    """The code points a font file has glyphs for (empty if it cannot be read)."""
    tt_lib: Any = importlib.import_module("fontTools.ttLib")  # comes with fpdf2; untyped
    try:
        with tt_lib.TTFont(str(path), lazy=True) as font:
            return frozenset(font.getBestCmap() or {})
    except (OSError, tt_lib.TTLibError, AssertionError, KeyError, ValueError):
        return frozenset()


def _candidates(regular: Path) -> list[Path]:
    """Fallback font files, in the order they are tried."""
    chosen = [Path(p) for p in os.environ.get("SFPRICE_FALLBACK_FONTS", "").split(os.pathsep) if p]
    found = sorted(regular.parent.glob("*.ttf"))
    if _FONT_TREE.is_dir():
        found += sorted(_FONT_TREE.rglob("*.ttf"))
    # A "last resort" font (matplotlib ships one) has a glyph for every code point, but the
    # glyph is a box naming the script, not the letter: it would hide the name as surely.
    # TeX's Computer Modern fonts (cmr10.ttf, ...) map Latin-1 code points to other glyphs.
    return list(
        dict.fromkeys(
            p
            for p in [*chosen, *found]
            if p.is_file() and p != regular and not _IMPOSTOR.fullmatch(p.name.lower())
        )
    )


def _describe(char: str) -> str:
    name = unicodedata.name(char, "unnamed character")
    return f"{char!r} (U+{ord(char):04X} {name})"


def _characters_issue(
    source: str, key: str, text: str, chars: list[str], before: str, after: str
) -> Issue:
    """One issue on ``text`` naming the first ``_SHOWN`` of ``chars`` between two phrases."""
    named = ", ".join(_describe(c) for c in chars[:_SHOWN])
    more = f" and {len(chars) - _SHOWN} more" if len(chars) > _SHOWN else ""
    return Issue(source, f"{text!r}: {before}{named}{more}{after}", field=key)


def missing_glyphs(
    fields: Mapping[str, str], fonts: Iterable[Path], *, source: str
) -> tuple[list[Path], list[Issue]]:
    """The fallback fonts the text needs, and one issue per field with a character no font has.

    ``fonts`` are the main font (regular, then bold) followed by the fallback candidates;
    a fallback is chosen only when it has a character the fonts before it lack.
    """
    fonts = list(fonts)
    main = frozenset.intersection(*(_cmap(f) for f in fonts[:2]))
    needed = {c for text in fields.values() for c in text if ord(c) not in main}
    chosen: list[Path] = []
    for font in fonts[2:]:
        if not needed:
            break
        have = {c for c in needed if ord(c) in _cmap(font)}
        if have:
            chosen.append(font)
            needed -= have
    issues = []
    for key, text in fields.items():
        lacking = sorted({c for c in text if c in needed}, key=text.index)
        if lacking:
            after = (
                ", so the PDF would print it blank (expected text DejaVu Sans can print: set "
                "SFPRICE_FALLBACK_FONTS to a .ttf file that has these characters, or make the "
                "invoice with invoices html)"
            )
            issues.append(
                _characters_issue(source, key, text, lacking, "no font has a glyph for ", after)
            )
    return chosen, issues


def unshaped(fields: Mapping[str, str], *, source: str) -> list[Issue]:
    """One issue per field with right-to-left letters, which print reversed unless shaped.

    fpdf2 orders right-to-left text (Hebrew, Arabic) only with text shaping, which needs
    uharfbuzz; without it the letters would print left to right, a wrong name. With
    uharfbuzz installed, :func:`invoice_pdf` shapes the text and this check is not made.
    """
    issues = []
    for key, text in fields.items():
        letters = [c for c in dict.fromkeys(text) if unicodedata.bidirectional(c) in {"R", "AL"}]
        if letters:
            after = (
                " would print in the wrong order without text shaping (expected: pip install "
                "uharfbuzz, which lets the PDF order them, or make the invoice with invoices html)"
            )
            issues.append(
                _characters_issue(source, key, text, letters, "right-to-left letters ", after)
            )
    return issues


def _created(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def invoice_pdf(view: InvoiceView) -> bytes:
    """The document as an A4 PDF (one or more pages).

    Raises:
        FontMissing: When no font is found.
        InputError: When the document has a character that no font can print.
    """
    fpdf = _fpdf()
    from fpdf.enums import XPos, YPos

    regular, bold = find_font()
    d = view.document
    lab = view.labels
    fields = _fields(view)
    fallbacks, issues = missing_glyphs(
        fields, [regular, bold, *_candidates(regular)], source=d.number
    )
    shaping = importlib.util.find_spec("uharfbuzz") is not None
    if not shaping:
        issues += unshaped(fields, source=d.number)
    if issues:
        raise InputError(issues)
    pdf = fpdf.FPDF(format="A4")
    pdf.set_title(f"{view.title} {d.number}")
    pdf.set_creator("sfprice")
    pdf.set_creation_date(_created(d.issued_at))
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    for index, fallback in enumerate(fallbacks):
        pdf.add_font(f"Fallback{index}", "", str(fallback))
    if fallbacks:
        pdf.set_fallback_fonts([f"Fallback{i}" for i in range(len(fallbacks))], exact_match=False)
    if shaping and any(unshaped(fields, source=d.number)):
        pdf.set_text_shaping(True)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def font(size: float, style: str = "") -> None:
        pdf.set_font("DejaVu", style, size)

    def rows(w: float, text: str) -> int:
        """How many lines ``text`` takes in a column ``w`` wide, in the current font."""
        return max(1, len(pdf.multi_cell(w, 1, text, dry_run=True, output="LINES")))

    def room(height: float) -> None:
        """Start a new page unless ``height`` fits on this one."""
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()

    def wrapped(w: float, h: float, text: str, align: str = "L") -> None:
        """``text`` wrapped in a column ``w`` wide at the left margin; the cursor goes below."""
        pdf.multi_cell(w, h, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def line(text: str, size: float = 10, style: str = "", height: float = 6) -> None:
        font(size, style)
        wrapped(width, height, text)

    # Title, and the issuer beside it (wrapped when long).
    # A long title (a reconciliation's "Korrigeringsfaktura – avstämning abonnemang") is set
    # smaller, down to 12 pt, so that it leaves room for the issuer beside it.
    size = 20
    font(size, "B")
    while size > 12 and pdf.get_string_width(view.title) + 6 > width * 0.6:
        size -= 1
        font(size, "B")
    title_w = pdf.get_string_width(view.title) + 6
    top = pdf.get_y()
    pdf.cell(title_w, 12, view.title)
    font(11, "B")
    issuer = _text(view.issuer)
    height = 12 if rows(width - title_w, issuer) == 1 else 6  # one line: beside the title
    pdf.multi_cell(width - title_w, height, issuer, align="R", new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)  # fmt: skip
    pdf.set_y(max(pdf.get_y(), top + 12) + 2)

    # Label/value pairs: the label column as wide as the widest label in this language.
    head = [(key, _text(value)) for key, value in view.header_fields()]
    font(10, "B")
    label_w = min(max(pdf.get_string_width(key) for key, _ in head) + 4, width * 0.45)
    for key, value in head:
        font(10, "B")
        key_rows = rows(label_w, key)
        font(10)
        value_rows = rows(width - label_w, value)
        room(6 * max(key_rows, value_rows))
        top = pdf.get_y()
        font(10, "B")
        pdf.multi_cell(label_w, 6, key, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        font(10)
        wrapped(width - label_w, 6, value)
        pdf.set_y(top + 6 * max(key_rows, value_rows))
    pdf.ln(4)

    # The lines: numeric columns as wide as their widest figure, the name takes the rest.
    components = [view.components(index) for index in range(len(d.lines))]
    figures: list[list[str]] = [[], [], []]
    for item, parts in zip(d.lines, components, strict=True):
        figures[0].append(view.quantity(item.quantity))
        figures[1] += [view.price(item.unit_price), *(view.price(p) for _, p, _ in parts)]
        figures[2] += [view.money(item.amount), *(view.money(a) for _, _, a in parts)]
    headers = (lab["service"], lab["quantity"], lab["unit_price"], lab["amount"])
    numeric = []
    for header, texts in zip(headers[1:], figures, strict=True):
        font(9, "B")
        widest = pdf.get_string_width(header)
        font(9)
        widest = max([widest, *(pdf.get_string_width(t) for t in texts)])
        numeric.append(widest + 4)
    font(11, "B")
    total_text = view.money(d.total)
    numeric[2] = max(numeric[2], pdf.get_string_width(total_text) + 4)
    cols = [max(width - sum(numeric), width * 0.3), *numeric]

    def table_head() -> None:
        font(9, "B")
        pdf.set_fill_color(230, 230, 230)
        pdf.set_text_color(0, 0, 0)
        for text, w, align in zip(headers, cols, "LRRR", strict=True):
            pdf.cell(w, 7, text, align=align, fill=True)
        pdf.ln(7)

    room(7 + 12)
    table_head()
    for index, item in enumerate(d.lines):
        name = _text(item.name)
        sub = f"{_text(item.service)} · {_text(view.unit_text(item.unit))}"
        parts = [
            (f"    {lab['of_which']} {_text(label)}", price, amount)
            for label, price, amount in components[index]
        ]
        font(9)
        name_rows = rows(cols[0], name)
        font(7.5)
        sub_rows = rows(width, sub)
        part_rows = [rows(cols[0] + cols[1], text) for text, _, _ in parts]
        agreement = view.agreement(index)
        agreement_text = None if agreement is None else f"    {_text(agreement)}"
        agreement_rows = 0 if agreement_text is None else rows(width, agreement_text)
        page = pdf.page
        room(5 * name_rows + 4 * (sub_rows + sum(part_rows) + agreement_rows) + 2)
        if pdf.page != page:  # a new page: the column heads again
            table_head()
        top = pdf.get_y()
        font(9)
        pdf.multi_cell(cols[0], 5, name, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.cell(cols[1], 5, view.quantity(item.quantity), align="R")
        pdf.cell(cols[2], 5, view.price(item.unit_price), align="R")
        pdf.cell(cols[3], 5, view.money(item.amount), align="R")
        pdf.set_xy(pdf.l_margin, top + 5 * name_rows)
        font(7.5)
        pdf.set_text_color(90, 90, 90)
        wrapped(width, 4, sub)
        for (text, price, amount), count in zip(parts, part_rows, strict=True):
            top = pdf.get_y()
            pdf.multi_cell(cols[0] + cols[1], 4, text, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
            pdf.cell(cols[2], 4, view.price(price), align="R")
            pdf.cell(cols[3], 4, view.money(amount), align="R")
            pdf.set_xy(pdf.l_margin, top + 4 * count)
        if agreement_text is not None:
            wrapped(width, 4, agreement_text)
        pdf.set_text_color(0, 0, 0)
        pdf.set_draw_color(200, 200, 200)
        pdf.line(pdf.l_margin, pdf.get_y() + 0.5, pdf.l_margin + width, pdf.get_y() + 0.5)
        pdf.ln(1.5)
    room(8)
    pdf.set_draw_color(0, 0, 0)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    font(11, "B")
    pdf.cell(width - cols[3], 8, view.closing_label)
    pdf.cell(cols[3], 8, total_text, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
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
