"""An Excel workbook of issued documents, with openpyxl (the ``excel`` extra).

Three sheets: ``Fakturor`` (one row per invoice or credit note), ``Rader`` (one row per
line) and ``Sammanställning`` (per department: invoiced, credited, net). Money and
quantities are number cells (never text) with the number format ``#,##0.00``, which Excel
shows in the reader's locale (``1 234,50`` in Swedish). Text cells that a spreadsheet would
run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) are
prefixed with ``'``, as in the CSV exports.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sfprice.collation import swedish_key
from sfprice.errors import SfpriceError
from sfprice.money import exact_sum
from sfprice.names import visible
from sfprice.register import DocumentKind, IssuedDocument

__all__ = ["ExcelMissing", "safe_text", "workbook_bytes"]

MONEY_FORMAT = "#,##0.00"
QUANTITY_FORMAT = "#,##0.###"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExcelMissing(SfpriceError):
    """openpyxl is not installed."""


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as text: a leading ``'`` before a formula start.

    >>> safe_text("=SUM(A1)")
    "'=SUM(A1)"
    """
    value = visible(value)  # openpyxl refuses control characters; show them escaped
    return "'" + value if value.startswith(_FORMULA_START) else value


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError as exc:
        raise ExcelMissing(
            "Excel workbooks need openpyxl: pip install 'sfprice[excel]' (or pip install openpyxl)"
        ) from exc
    return openpyxl


def _kind(document: IssuedDocument, swedish: bool) -> str:
    credit = document.kind is DocumentKind.CREDIT_NOTE
    if swedish:
        return "kreditfaktura" if credit else "faktura"
    return "credit note" if credit else "invoice"


def workbook_bytes(documents: Sequence[IssuedDocument], *, locale: str = "sv_SE") -> bytes:
    """The workbook of ``documents`` as ``.xlsx`` bytes (labels Swedish, or English)."""
    openpyxl = _openpyxl()
    from openpyxl.styles import Font

    swedish = locale.lower().startswith("sv")
    book = openpyxl.Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], widths: list[int]) -> Any:
        ws = book.create_sheet(title)
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
        ws.freeze_panes = "A2"
        return ws

    def number(ws: Any, row: int, column: int, value: Decimal, fmt: str) -> None:
        cell = ws.cell(row=row, column=column, value=value)
        cell.number_format = fmt

    book.remove(book.active)
    sv = swedish
    docs = sheet(
        "Fakturor" if sv else "Invoices",
        [
            "Nummer",
            "Typ",
            "Period",
            "Förvaltning",
            "Utfärdad",
            "Prislista",
            "Krediterar",
            "Krediterad av",
            "Belopp",
        ]
        if sv
        else [
            "Number",
            "Kind",
            "Period",
            "Department",
            "Issued",
            "Price list",
            "Credits",
            "Credited by",
            "Amount",
        ],
        [18, 14, 10, 36, 26, 10, 18, 18, 16],
    )
    for row, d in enumerate(documents, start=2):
        docs.append(
            [d.number, _kind(d, sv), str(d.period), safe_text(d.department), d.issued_at,
             safe_text(d.price_list), d.credits or "", d.credited_by or ""]
        )  # fmt: skip
        number(docs, row, 9, d.total, MONEY_FORMAT)
    lines = sheet(
        "Rader" if sv else "Lines",
        [
            "Nummer",
            "Period",
            "Förvaltning",
            "Tjänst",
            "Benämning",
            "Enhet",
            "Antal",
            "À-pris",
            "Belopp",
        ]
        if sv
        else [
            "Number",
            "Period",
            "Department",
            "Service",
            "Name",
            "Unit",
            "Quantity",
            "Unit price",
            "Amount",
        ],
        [18, 10, 36, 30, 50, 16, 12, 12, 16],
    )
    row = 2
    for d in documents:
        for item in d.lines:
            lines.append(
                [d.number, str(d.period), safe_text(d.department), item.service,
                 safe_text(item.name), item.unit]
            )  # fmt: skip
            number(lines, row, 7, item.quantity, QUANTITY_FORMAT)
            number(lines, row, 8, item.unit_price, MONEY_FORMAT)
            number(lines, row, 9, item.amount, MONEY_FORMAT)
            row += 1
    summary = sheet(
        "Sammanställning" if sv else "Summary",
        ["Förvaltning", "Fakturor", "Kreditfakturor", "Fakturerat", "Krediterat", "Netto"]
        if sv
        else ["Department", "Invoices", "Credit notes", "Invoiced", "Credited", "Net"],
        [36, 10, 14, 16, 16, 16],
    )
    per: dict[str, list[IssuedDocument]] = {}
    for d in documents:
        per.setdefault(d.department, []).append(d)
    row = 2
    for department in sorted(per, key=swedish_key):
        group = per[department]
        invoices = [d.total for d in group if d.kind is DocumentKind.INVOICE]
        credits = [d.total for d in group if d.kind is DocumentKind.CREDIT_NOTE]
        summary.append([safe_text(department), len(invoices), len(credits)])
        number(summary, row, 4, exact_sum(invoices), MONEY_FORMAT)
        number(summary, row, 5, exact_sum(credits), MONEY_FORMAT)
        number(summary, row, 6, exact_sum(invoices + credits), MONEY_FORMAT)
        row += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
