"""Tables for Swedish Excel: a typed sheet, written as ``.xlsx`` or as Swedish CSV.

A :class:`Sheet` is a report's rows with a kind per column (text, money, price, quantity,
month, ratio, count, flag), so each writer knows a figure from a text:

- :func:`workbook_of` writes sheets as an ``.xlsx`` workbook (openpyxl, the ``excel``
  extra): money and prices as number cells with ``#,##0.00 "kr"`` (Excel shows
  ``1 234,50 kr`` in a Swedish locale), quantities as numbers showing every decimal,
  months as date cells (the first of the month, shown ``yyyy-mm``), a bold totals row
  (the exact sum of each money column), an autofilter on the header, the header row
  frozen, column widths from the content, and a last sheet ``Underlag`` with the
  provenance (inputs, price lists, generated at). Decimal values are written as the
  numbers they are (openpyxl writes a Decimal's digits), so money stays exact to öre; a
  figure of more than 15 significant digits, which Excel would round, is refused.
- :func:`sheet_to_csv_sv` writes a sheet as Swedish CSV: ``;`` between fields, decimal
  comma, UTF-8 with a byte-order mark (so Excel reads å, ä, ö), CRLF line ends; months as
  ``2014-01``, flags as ``ja``/``nej``, no thousands separator and no totals row.

The column names are those of the plain CSV (``--format csv``), so a script maps one as
the other. Each report's typed rows come from its ``*_sheet`` function here.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sfprice.engine.billing import BillingRun
from sfprice.errors import InputError, Issue
from sfprice.frames import records_frame
from sfprice.model import PriceCatalog
from sfprice.money import decimal_text, exact_sum
from sfprice.period import Month
from sfprice.reports.excel import (
    EPOCH,
    PERIOD_FORMAT,
    cell_text,
    number_format,
    openpyxl_module,
    plain_number,
    too_precise,
    workbook_file_bytes,
)
from sfprice.reports.formats import run_columns, run_to_csv
from sfprice.reports.text import csv_cell

__all__ = [
    "BALANCE_SHAPE",
    "BREAKEVEN_SHAPE",
    "FULLCOST_SHAPE",
    "KPI_SHAPE",
    "KR_FORMAT",
    "SIMULATION_SHAPE",
    "Cell",
    "Column",
    "ColumnKind",
    "ReportShape",
    "Sheet",
    "catalog_sheet",
    "records_sheet",
    "run_sheet",
    "sheet_to_csv_sv",
    "workbook_of",
]

#: Money in kronor: Excel shows ``1 234,50 kr`` in a Swedish locale.
KR_FORMAT = '#,##0.00 "kr"'
#: The title of the provenance sheet.
PROVENANCE_TITLE = "Underlag"

Cell = str | Decimal | Month | int | bool | None


class ColumnKind(enum.StrEnum):
    """What a column holds: how a workbook formats it, and whether it has a total."""

    TEXT = "text"
    MONEY = "money"  # kronor to öre; summed in the totals row
    PRICE = "price"  # kronor, every decimal of the price; not summed
    QUANTITY = "quantity"  # a number, every decimal
    RATIO = "ratio"  # a fraction shown as a percentage
    COUNT = "count"  # a whole number
    YEAR = "year"  # a calendar year: a whole number without a thousands separator
    MONTH = "month"  # a calendar month: a date cell
    PERIOD = "period"  # a month where it is one (a date cell), else text (T1, 2014)
    FLAG = "flag"  # yes or no


_NUMBERS = {
    ColumnKind.MONEY,
    ColumnKind.PRICE,
    ColumnKind.QUANTITY,
    ColumnKind.RATIO,
    ColumnKind.COUNT,
    ColumnKind.YEAR,
}


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a sheet: its name (the plain CSV's) and kind."""

    name: str
    kind: ColumnKind = ColumnKind.TEXT


@dataclass(frozen=True, slots=True)
class Sheet:
    """A table for a spreadsheet: a title, typed columns and rows of cells.

    ``total`` is the label of the totals row of a workbook (in its first text column); a
    sheet with no money column, or whose rows overlap (months and the tertials that hold
    them: ``summed=False``), has no totals row.
    """

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    total: str = "Summa"
    summed: bool = True

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                msg = f"a row of {self.title} has {len(row)} cells for {len(self.columns)} columns"
                raise ValueError(msg)

    def to_dataframe(self) -> Any:
        """The rows as a pandas DataFrame (the ``notebook`` extra).

        Money is float64 kr rounded to öre, other numbers float64, months ``Period[M]``.
        """
        kinds = {c.name: c.kind for c in self.columns}
        records = [
            {c.name: (str(v) if isinstance(v, Month) and c.kind is ColumnKind.PERIOD else v)
             for c, v in zip(self.columns, row, strict=True)}
            for row in self.rows
        ]  # fmt: skip
        return records_frame(
            records,
            money=[n for n, k in kinds.items() if k is ColumnKind.MONEY],
            numbers=[n for n, k in kinds.items() if k in _NUMBERS and k is not ColumnKind.MONEY],
            months=[n for n, k in kinds.items() if k is ColumnKind.MONTH],
            columns=list(kinds),
        )

    def totals(self) -> dict[str, Decimal]:
        """The exact sum of each money column (empty cells count as nothing)."""
        if not self.summed:
            return {}
        return {
            column.name: exact_sum(
                cell for row in self.rows if isinstance(cell := row[index], Decimal)
            )
            for index, column in enumerate(self.columns)
            if column.kind is ColumnKind.MONEY
        }


def _typed(value: object, kind: ColumnKind) -> Cell:
    """A record's value as the cell of a ``kind`` column (decimal strings as Decimals)."""
    if value is None or value == "":
        return None
    if kind in _NUMBERS and isinstance(value, str):
        return int(value) if kind in (ColumnKind.COUNT, ColumnKind.YEAR) else Decimal(value)
    if kind in (ColumnKind.MONTH, ColumnKind.PERIOD) and isinstance(value, str):
        try:
            return Month.parse(value)
        except ValueError:
            if kind is ColumnKind.MONTH:
                raise
            return value
    if isinstance(value, str | Decimal | Month | int | bool):
        return value
    return str(value)


def records_sheet(
    title: str,
    records: Sequence[Mapping[str, object]],
    kinds: Mapping[str, ColumnKind],
    *,
    summed: bool = True,
) -> Sheet:
    """A sheet of flat records (a report's ``rows``), typed by ``kinds`` (others text).

    Decimal strings (``"48300000.00"``) become Decimals, ``YYYY-MM`` months Months.
    """
    names = list(records[0]) if records else list(kinds)
    columns = tuple(Column(name, kinds.get(name, ColumnKind.TEXT)) for name in names)
    rows = tuple(tuple(_typed(record.get(c.name), c.kind) for c in columns) for record in records)
    return Sheet(title, columns, rows, summed=summed)


@dataclass(frozen=True, slots=True)
class ReportShape:
    """How a report's ``rows`` (its ``*_to_data``) become a sheet: title, kinds, totals."""

    title: str
    kinds: Mapping[str, ColumnKind]
    summed: bool = True

    def sheet(self, data: Mapping[str, Any]) -> Sheet:
        """The sheet of the report data's ``rows``."""
        return records_sheet(self.title, data["rows"], self.kinds, summed=self.summed)


_M, _P, _Q = ColumnKind.MONEY, ColumnKind.PRICE, ColumnKind.QUANTITY

#: ``fullcost``: one row per area; the totals are the budget's.
FULLCOST_SHAPE = ReportShape(
    "Fullkostnad",
    dict.fromkeys(
        ("direct_cost", "common_share", "full_cost", "revenue", "other_revenue", "surplus",
         "result"), _M),
)  # fmt: skip
#: ``balance``: months, tertials and the year to date overlap, so no totals row.
BALANCE_SHAPE = ReportShape(
    "Balans",
    {
        "period": ColumnKind.PERIOD,
        **dict.fromkeys(("billed", "other_revenue", "revenue", "cost", "result"), _M),
        "recovery_ratio": ColumnKind.RATIO,
        "complete": ColumnKind.FLAG,
    },
    summed=False,
)
#: ``kpi``: one row per KPI and period; figures of different units, no totals.
KPI_SHAPE = ReportShape(
    "Nyckeltal",
    {
        "period": ColumnKind.PERIOD,
        **dict.fromkeys(("numerator", "denominator", "actual", "target", "forecast"), _Q),
        "met": ColumnKind.FLAG,
        "year": ColumnKind.YEAR,
    },
    summed=False,
)
#: ``breakeven``: one row per priced service.
BREAKEVEN_SHAPE = ReportShape(
    "Nollpunktspriser",
    {"volume": _Q, "exact_price": _P, "price": _P, "fixed": ColumnKind.FLAG},
    summed=False,
)
#: ``simulate``: one row per department and model; models overlap, so no totals row.
SIMULATION_SHAPE = ReportShape(
    "Simulering",
    {
        **dict.fromkeys(
            (
                "annual",
                "baseline",
                "difference",
                "marginal_manual",
                "marginal_self_service",
                "steering",
                "fair",
                "largest_deviation",
                "model_revenue",
                "model_cost",
                "model_balance",
            ),
            _M,
        ),
        "difference_pct": _Q,
        "variability": _Q,
        **dict.fromkeys(
            ("invoices", "lines", "corrections", "reconciliations", "documents"),
            ColumnKind.COUNT,
        ),
        "model_outside_1pct": ColumnKind.FLAG,
        "model_outside_5pct": ColumnKind.FLAG,
    },
    summed=False,
)


_RUN_KINDS = {
    "month": ColumnKind.MONTH,
    "quantity": ColumnKind.QUANTITY,
    "unit_price": ColumnKind.PRICE,
    "amount": ColumnKind.MONEY,
    "volume_rows": ColumnKind.COUNT,
    "allocation_driver_quantity": ColumnKind.QUANTITY,
    "allocation_driver_total": ColumnKind.QUANTITY,
    "allocation_annual_amount": ColumnKind.PRICE,
}


def run_sheet(run: BillingRun, title: str = "Fakturarader") -> Sheet:
    """A billing run as a sheet: one row per invoice line, the plain CSV's columns.

    The figures and the texts from the input (names, sources) are the run's own values;
    the other text columns are the plain CSV's, the components' prices and amounts with
    a decimal comma (``57,00+53,00``), as a Swedish reader writes them.
    """
    names = run_columns(run)
    text = list(csv.reader(io.StringIO(run_to_csv(run))))[1:]
    rows = []
    for (invoice, line), cells in zip(run.lines, text, strict=True):
        figures: dict[str, Cell] = {
            "department": invoice.department,
            "price_list": invoice.price_list,
            "name": line.name,
            "price_source": line.price_source,
            "line_department": line.department,
            "month": invoice.month,
            "components": cells[names.index("components")].replace(".", ",") or None,
            "component_amounts": cells[names.index("component_amounts")].replace(".", ",") or None,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "amount": line.amount,
            "volume_rows": line.volume_rows,
        }
        if line.allocation is not None:
            figures["allocation_key"] = line.allocation.key
            figures["allocation_driver_quantity"] = line.allocation.driver_quantity
            figures["allocation_driver_total"] = line.allocation.driver_total
            figures["allocation_annual_amount"] = line.allocation.annual_amount
        rows.append(
            tuple(figures.get(name, cell or None) for name, cell in zip(names, cells, strict=True))
        )
    columns = tuple(Column(name, _RUN_KINDS.get(name, ColumnKind.TEXT)) for name in names)
    return Sheet(title, columns, tuple(rows))


def catalog_sheet(catalog: PriceCatalog) -> Sheet:
    """The price lists as a sheet: one row per list and item, its price a number in kr.

    A price of another kind than a unit price (a tiered price, a percentage) shows its
    kind; its own terms are in ``--format json``.
    """
    kinds = {"price": ColumnKind.PRICE}
    names = ("price_list", "valid_from", "valid_to", "status", "code", "name", "unit", "kind",
             "price", "business_area", "source")  # fmt: skip
    rows = tuple(
        (pl.id, str(pl.valid_from), str(pl.valid_to), str(pl.status), item.code, item.name,
         str(item.unit), str(item.kind), item.price, item.business_area, item.source)
        for pl in catalog
        for item in pl.items
    )  # fmt: skip
    columns = tuple(Column(name, kinds.get(name, ColumnKind.TEXT)) for name in names)
    return Sheet("Prislistor", columns, rows, summed=False)


# ------------------------------------------------------------------ Swedish CSV


def _sv_number(value: Decimal | int) -> str:
    return decimal_text(value).replace(".", ",") if isinstance(value, Decimal) else str(value)


def _csv_sv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, Decimal | int):
        return _sv_number(value)
    if isinstance(value, Month):
        return str(value)
    return csv_cell(value)


def sheet_to_csv_sv(sheet: Sheet) -> str:
    r"""The sheet as Swedish CSV: ``;``, decimal comma, a BOM, CRLF; no totals row.

    >>> s = Sheet("t", (Column("amount", ColumnKind.MONEY),), ((Decimal("1234.50"),),))
    >>> sheet_to_csv_sv(s)
    '\ufeffamount\r\n1234,50\r\n'
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.name for c in sheet.columns])
    writer.writerows([_csv_sv_cell(cell) for cell in row] for row in sheet.rows)
    return out.getvalue()


# ------------------------------------------------------------------ the workbook


def _too_precise(sheets: Sequence[Sheet]) -> list[Issue]:
    """One issue per figure an Excel number cell cannot hold exactly (over 15 digits)."""
    return [
        Issue(sheet.title, problem, line=number, column=column.name)
        for sheet in sheets
        for number, row in enumerate(sheet.rows, start=2)
        for column, cell in zip(sheet.columns, row, strict=True)
        if isinstance(cell, Decimal)
        and (problem := too_precise(cell, "take this report as CSV or JSON instead")) is not None
    ]


def _format(kind: ColumnKind, value: Decimal | int) -> str:
    if kind is ColumnKind.MONEY:
        return KR_FORMAT
    if kind is ColumnKind.PRICE:
        return number_format(Decimal(value), least=2) + ' "kr"'
    if kind is ColumnKind.RATIO:
        return "0.0%"
    if kind is ColumnKind.YEAR:
        return "0"  # 2014, not "2 014"
    return number_format(Decimal(value))


def _width(sheet: Sheet, index: int) -> float:
    column = sheet.columns[index]
    longest = len(column.name)
    for row in sheet.rows:
        cell = row[index]
        if isinstance(cell, str):
            longest = max(longest, len(cell))
        elif isinstance(cell, Decimal | int) and not isinstance(cell, bool):
            longest = max(longest, len(_sv_number(cell)) + 5)  # separators and " kr"
    return float(min(max(longest + 2, 8), 60))


def _write_sheet(book: Any, sheet: Sheet, bold: Any) -> None:
    openpyxl = openpyxl_module()
    ws = book.create_sheet(sheet.title[:31])
    ws.append([c.name for c in sheet.columns])
    for cell in ws[1]:
        cell.font = bold
    for r, row in enumerate(sheet.rows, start=2):
        for c, (column, value) in enumerate(zip(sheet.columns, row, strict=True), start=1):
            _put(ws, r, c, column.kind, value)
    last = openpyxl.utils.get_column_letter(len(sheet.columns))
    ws.auto_filter.ref = f"A1:{last}{len(sheet.rows) + 1}"
    ws.freeze_panes = "A2"
    totals = sheet.totals()
    if totals and sheet.rows:
        r = len(sheet.rows) + 2
        label = next((i for i, c in enumerate(sheet.columns, 1) if c.kind is ColumnKind.TEXT), None)
        if label is not None:
            ws.cell(row=r, column=label, value=sheet.total).font = bold
        for c, column in enumerate(sheet.columns, start=1):
            if column.name in totals:
                _put(ws, r, c, column.kind, totals[column.name]).font = bold
    for index in range(len(sheet.columns)):
        letter = openpyxl.utils.get_column_letter(index + 1)
        ws.column_dimensions[letter].width = _width(sheet, index)


def _put(ws: Any, row: int, column: int, kind: ColumnKind, value: Cell) -> Any:
    if isinstance(value, Month):
        cell = ws.cell(row=row, column=column, value=datetime(value.year, value.month, 1))
        cell.number_format = PERIOD_FORMAT
    elif isinstance(value, bool):
        cell = ws.cell(row=row, column=column, value=value)
    elif isinstance(value, Decimal | int):
        number = plain_number(value) if isinstance(value, Decimal) else value
        cell = ws.cell(row=row, column=column, value=number)
        cell.number_format = _format(kind, value)
    elif isinstance(value, str):
        cell = ws.cell(row=row, column=column, value=cell_text(value))
    else:
        cell = ws.cell(row=row, column=column)
    return cell


def workbook_of(
    sheets: Sequence[Sheet],
    provenance: Sequence[tuple[str, str]],
    *,
    generated_at: datetime | None = None,
) -> bytes:
    """The sheets as ``.xlsx`` bytes, with a last sheet ``Underlag`` of ``provenance``.

    ``provenance`` is (what, value) pairs: the inputs, the price lists, the options. The
    generation time (``generated_at``, naive local time; default now) is its last row and
    dates the file, so the same inputs and time give the same bytes.

    Raises:
        ExcelMissing: When openpyxl is not installed.
        InputError: One issue per figure with more than 15 significant digits, which an
            Excel number cell would round; nothing is written.
    """
    openpyxl = openpyxl_module()
    if issues := _too_precise(sheets):
        raise InputError(issues)
    from openpyxl.styles import Font

    moment = (generated_at or datetime.now()).replace(microsecond=0, tzinfo=None)
    book = openpyxl.Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for sheet in sheets:
        _write_sheet(book, sheet, bold)
    about = book.create_sheet(PROVENANCE_TITLE)
    about.append(["Uppgift", "Värde"])
    for cell in about[1]:
        cell.font = bold
    for what, value in provenance:
        about.append([cell_text(what), cell_text(value)])
    about.append(["Skapad", moment])
    about.cell(row=about.max_row, column=2).number_format = "yyyy-mm-dd hh:mm:ss"
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 80
    return workbook_file_bytes(book, max(moment, EPOCH))
