"""An Excel workbook of issued documents, with openpyxl (the ``excel`` extra).

Three sheets: ``Fakturor`` (one row per invoice or credit note), ``Rader`` (one row per
line) and ``Sammanställning`` (per department: invoiced, credited, net). Money, prices and
quantities are number cells (never text) whose number format shows every significant
decimal of the value (:func:`number_format`): amounts ``#,##0.00`` (öre), a unit price of
12,345 ``#,##0.000``, a quantity of 2,5 ``#,##0.0`` and of 1 200 ``#,##0``; Excel shows them
in the reader's locale (``1 234,50`` in Swedish). Periods are date cells (the first day of
the month, shown ``yyyy-mm``) and the issue time a date-time cell in the issuer's time
zone (the time the invoice is dated by). Text cells that a
spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return) are prefixed with ``'``, as in the CSV exports, and characters XML cannot
hold are replaced visibly (:func:`sfprice.names.visible`, the one rule for every output).

The same documents give the same bytes: the workbook's created and modified times are the
latest issue time of its documents, and every file in the zip carries that time too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sfprice.collation import swedish_key
from sfprice.errors import InputError, Issue, Remedy
from sfprice.money import exact_sum
from sfprice.register import DocumentKind, IssuedDocument
from sfprice.reports.excel import (
    EPOCH,
    MONEY_FORMAT,
    PERIOD_FORMAT,
    TIME_FORMAT,
    ExcelMissing,
    cell_text,
    number_format,
    openpyxl_module,
    plain_number,
    safe_text,
    too_precise,
    workbook_file_bytes,
)

__all__ = [
    "ExcelMissing",
    "cell_text",
    "number_format",
    "safe_text",
    "select_documents",
    "workbook_bytes",
]


def _local(stamp: str) -> datetime:
    """A stored issue time as a naive datetime in the issuer's time zone.

    That is the time the invoice is dated by (Excel has no time zones; the stored time
    carries the issuer's offset).
    """
    return datetime.fromisoformat(stamp).replace(tzinfo=None)


def _utc(stamp: str) -> datetime:
    """An issue time as a naive UTC datetime: for the file's own metadata only."""
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _kind(document: IssuedDocument, swedish: bool) -> str:
    credit = document.is_credit
    if document.kind is DocumentKind.RECONCILIATION:
        if swedish:
            return "kreditfaktura (avstämning)" if credit else "korrigeringsfaktura"
        return "reconciliation credit" if credit else "correction invoice"
    if swedish:
        return "kreditfaktura" if credit else "faktura"
    return "credit note" if credit else "invoice"


def _too_precise(documents: Sequence[IssuedDocument]) -> list[Issue]:
    """One issue per figure an Excel number cell cannot hold exactly (over 15 digits)."""
    issues = []
    for d in documents:
        figures = [("total", d.total)]
        for index, item in enumerate(d.lines):
            figures += [
                (f"lines[{index}].quantity", item.quantity),
                (f"lines[{index}].unit_price", item.unit_price),
                (f"lines[{index}].amount", item.amount),
            ]
        issues += [
            Issue(d.number, problem, field=where)
            for where, value in figures
            if (problem := too_precise(value, Remedy.HTML_OR_CSV)) is not None
        ]
    return issues


def select_documents(
    documents: Iterable[IssuedDocument], *, year: int | None = None, run: int | None = None
) -> tuple[IssuedDocument, ...]:
    """The documents of a workbook: those of ``year`` and of issue run ``run`` (when given)."""
    return tuple(
        d
        for d in documents
        if (year is None or d.period.year == year) and (run is None or d.run_id == run)
    )


def workbook_bytes(documents: Sequence[IssuedDocument], *, locale: str = "sv_SE") -> bytes:
    """The workbook of ``documents`` as ``.xlsx`` bytes (labels Swedish, or English).

    Raises:
        ExcelMissing: When openpyxl is not installed.
        InputError: One issue per figure with more than 15 significant digits, which an
            Excel number cell would round; nothing is written.
    """
    openpyxl = openpyxl_module()
    if issues := _too_precise(documents):
        raise InputError(issues)
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
        cell = ws.cell(row=row, column=column, value=plain_number(value))
        cell.number_format = fmt

    def when(ws: Any, row: int, column: int, value: datetime, fmt: str) -> None:
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
            "Kundnummer",
            "Er referens",
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
            "Customer code",
            "Your reference",
        ],
        [18, 14, 10, 36, 20, 10, 18, 18, 16, 14, 24],
    )
    for row, d in enumerate(documents, start=2):
        docs.append(
            [cell_text(d.number), _kind(d, sv), None, cell_text(d.department), None,
             cell_text(d.price_list), cell_text(d.credits or ""), cell_text(d.credited_by or "")]
        )  # fmt: skip
        when(docs, row, 3, datetime.combine(d.period.first_day, datetime.min.time()), PERIOD_FORMAT)
        when(docs, row, 5, _local(d.issued_at), TIME_FORMAT)
        number(docs, row, 9, d.total, MONEY_FORMAT)
        # What the document showed of its customer, as stored at issue (empty without).
        customer = d.content.customer if d.content is not None else None
        if customer is not None:
            docs.cell(row=row, column=10, value=cell_text(customer.code or ""))
            docs.cell(row=row, column=11, value=cell_text(customer.reference or ""))
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
            "Avtal",
            "Avtalskälla",
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
            "Agreement",
            "Agreement source",
        ],
        [18, 10, 36, 30, 50, 16, 12, 12, 16, 40, 40],
    )
    row = 2
    for d in documents:
        shown = d.content.lines if d.content is not None else ()
        for index, item in enumerate(d.lines):
            lines.append(
                [cell_text(d.number), None, cell_text(d.department), cell_text(item.service),
                 cell_text(item.name), cell_text(item.unit)]
            )  # fmt: skip
            when(lines, row, 2, datetime.combine(d.period.first_day, datetime.min.time()),
                 PERIOD_FORMAT)  # fmt: skip
            number(lines, row, 7, item.quantity, number_format(item.quantity))
            number(lines, row, 8, item.unit_price, number_format(item.unit_price, least=2))
            number(lines, row, 9, item.amount, number_format(item.amount, least=2))
            # The agreement that priced the line, as stored at issue (empty: the list price).
            agreement = shown[index].agreement if index < len(shown) else None
            if agreement is not None:
                lines.cell(row=row, column=10, value=cell_text(f"{agreement.id}: {agreement.text}"))
                lines.cell(row=row, column=11, value=cell_text(agreement.source))
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
        invoices = [d.total for d in group if not d.is_credit]
        credits = [d.total for d in group if d.is_credit]
        summary.append([cell_text(department), len(invoices), len(credits)])
        number(summary, row, 4, exact_sum(invoices), MONEY_FORMAT)
        number(summary, row, 5, exact_sum(credits), MONEY_FORMAT)
        number(summary, row, 6, exact_sum(invoices + credits), MONEY_FORMAT)
        row += 1
    moment = max((_utc(d.issued_at) for d in documents), default=EPOCH)
    return workbook_file_bytes(book, moment)
