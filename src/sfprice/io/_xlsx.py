"""Read the cells of an ``.xlsx`` worksheet as a stream, for the volume reader.

openpyxl (the ``excel`` extra) is imported only when a workbook is read, so ``import
sfprice`` stays fast and works without it. The workbook is opened ``read_only``: rows are
parsed from the sheet's XML as they are iterated, so a sheet of 600 000 rows is never held
in memory.

What a cell holds becomes what a CSV export of it would say, so that one code path checks
both (:mod:`sfprice.io.volumes`):

- a text cell is its text (a number written as text follows the rules of
  :mod:`sfprice.io._numbers`);
- a date or date-time cell is its ISO date (``2014-03-01``, ``2014-03-01 00:00:00``), which
  :func:`sfprice.io._months.read_month` reads as its month;
- a number cell in a *number* column is its exact value: an integer as it is, a
  floating-point number as the shortest decimal that reads back as the same float
  (``2.5``, not ``2.5000000000000001``); an infinity or NaN is kept as text and refused;
- a number cell in any other column is its digits (``1310`` for a responsibility code);
- an empty cell is empty text; ``TRUE``/``FALSE`` are text.

Errors are located by sheet, row and column letter (:class:`sfprice.errors.Issue`).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from sfprice.errors import InputError, Issue

__all__ = ["Cell", "Sheet", "column_letter", "is_workbook", "open_sheet"]

#: A cell as the volume reader sees it: text, or the exact value of a number cell.
Cell = str | Decimal

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
_SAVE_AS = "in Excel, save it as 'Excel-arbetsbok (*.xlsx)' or 'CSV UTF-8 (kommaavgränsad)'"
_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def is_workbook(path: Path) -> bool:
    """Whether ``path`` is a workbook (or says it is): read by :func:`open_sheet`, not as CSV.

    A ZIP archive or an old binary (OLE2) file is a workbook whatever its name; a file
    named ``.xlsx``, ``.xlsm`` or ``.xls`` is one too, so that a CSV file renamed ``.xlsx``
    is refused with a message that says so.
    """
    if path.suffix.lower() in _SUFFIXES:
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        return False
    return head.startswith(_ZIP) or head == _OLE2


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index.

    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(702)
    ('A', 'Z', 'AA', 'AAA')
    """
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _openpyxl() -> Any:
    try:
        import openpyxl  # optional: imported when a workbook is read
    except ImportError:
        return None
    return openpyxl


class Sheet:
    """One worksheet of an open workbook, read row by row.

    Attributes:
        path: The file, as the user gave it.
        name: The sheet's name.
    """

    def __init__(self, path: str, book: Any, sheet: Any, handle: BinaryIO) -> None:
        self.path = path
        self.name: str = sheet.title
        self._book = book
        # A sheet's stored size (<dimension ref="A1:D10">) may be stale or wrong, and
        # openpyxl's read-only mode stops at it: rows past it would be dropped silently.
        # Without it every row of the XML is read (and short rows are padded here).
        sheet.reset_dimensions()
        self._sheet = sheet
        self._handle = handle
        self._header: list[str] | None = None

    @property
    def others(self) -> tuple[str, ...]:
        """The workbook's other sheets, in order."""
        return tuple(n for n in self._book.sheetnames if n != self.name)

    def close(self) -> None:
        """Close the workbook (a read-only workbook keeps its file open)."""
        self._book.close()
        self._handle.close()

    def __enter__(self) -> Sheet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def header(self) -> list[str]:
        """The first row's cells as text (empty if the sheet is empty)."""
        if self._header is None:
            self._header = []
            for row in self._sheet.iter_rows(min_row=1, max_row=1, values_only=True):
                self._header = [_text(value) for value in row]
        return self._header

    def rows(self, width: int, numbers: Sequence[int] = ()) -> Iterator[tuple[int, list[Cell]]]:
        """(row number, cells) for each row after the header, as ``width`` cells.

        A short row is padded with empty cells; cells right of ``width`` are left out.

        Columns ``numbers`` keep number cells as exact values; the others read them as text.
        """
        number_columns = frozenset(numbers)
        for at, row in enumerate(self._sheet.iter_rows(min_row=2, values_only=True), start=2):
            cells: list[Cell] = [
                _number(value) if i in number_columns else _text(value)
                for i, value in enumerate(row[:width])
            ]
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            yield at, cells

    def issue(self, message: str, row: int | None = None, column: int | None = None) -> Issue:
        """An issue at a row (1-based) and column (0-based index) of this sheet."""
        name: str | None = None
        letter: str | None = None
        if column is not None:
            letter = column_letter(column)
            header = self.header()
            name = header[column] if column < len(header) else ""
        return Issue(self.path, message, line=row, column=name, sheet=self.name, cell=letter)


def _text(value: object) -> str:
    """A cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _number(value: object) -> Cell:
    """A number cell's exact value; any other cell as text."""
    if isinstance(value, bool):
        return _text(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        shortest = repr(value)  # the shortest decimal that reads back as this float
        exact = Decimal(shortest)
        return exact if exact.is_finite() else shortest
    return _text(value)


def open_sheet(path: Path, name: str, sheet: str | None = None) -> Sheet:
    """Open the workbook at ``path`` read-only and return its first sheet, or ``sheet``.

    Raises:
        InputError: For a file that is not an ``.xlsx`` workbook (an old ``.xls``, a
            password-protected or a renamed text file), a sheet that does not exist, or
            when openpyxl is not installed.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        raise  # the caller words it, as for a CSV file
    if head == _OLE2:
        msg = (
            "the file is an old binary Excel workbook (.xls) or a password-protected one; "
            f"sfprice reads .xlsx: {_SAVE_AS}, without a password"
        )
        raise InputError([Issue(name, msg)])
    if not head.startswith(_ZIP) or not zipfile.is_zipfile(path):
        msg = (
            f"the file is named {path.suffix or 'as a workbook'} but is not an .xlsx workbook "
            "(an .xlsx file is a ZIP archive; is it a CSV file renamed?); give it its "
            f"right name, or {_SAVE_AS}"
        )
        raise InputError([Issue(name, msg)])
    openpyxl = _openpyxl()
    if openpyxl is None:
        msg = (
            "reading .xlsx files needs openpyxl: pip install 'sfprice[excel]' "
            "(or pip install openpyxl), or save the sheet as CSV UTF-8"
        )
        raise InputError([Issue(name, msg)])
    handle = path.open("rb")  # a file object: openpyxl would refuse a name not .xlsx
    try:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # a broken package raises many kinds
        handle.close()
        msg = f"the file is not a readable .xlsx workbook ({type(exc).__name__}: {exc}); {_SAVE_AS}"
        raise InputError([Issue(name, msg)]) from None
    names: list[str] = list(book.sheetnames)
    if sheet is None:
        return Sheet(name, book, book.worksheets[0], handle)
    if sheet not in names:
        book.close()
        handle.close()
        shown = ", ".join(repr(n) for n in names)
        msg = f"the workbook has no sheet named {sheet!r}; its sheets are {shown}"
        raise InputError([Issue(name, msg)])
    return Sheet(name, book, book[sheet], handle)
