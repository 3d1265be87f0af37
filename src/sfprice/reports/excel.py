"""The openpyxl helpers every workbook shares (the ``excel`` extra), in one place.

Used by the documents' workbook (:mod:`sfprice.documents.workbook`) and by the report and
bill workbooks (:mod:`sfprice.reports.sheets`): openpyxl imported lazily with a clear
message when missing, text cells made formula-safe and cut at Excel's limit, number
formats that show every significant decimal, and zip members dated by the content so the
same content gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from decimal import Decimal
from typing import Any

from sfprice.errors import SfpriceError
from sfprice.names import visible
from sfprice.reports.text import FORMULA_START

__all__ = [
    "EPOCH",
    "EXCEL_DIGITS",
    "EXCEL_TEXT_LIMIT",
    "MONEY_FORMAT",
    "PERIOD_FORMAT",
    "TIME_FORMAT",
    "ExcelMissing",
    "cell_text",
    "number_format",
    "openpyxl_module",
    "plain_number",
    "safe_text",
    "significant_digits",
    "stable_zip",
    "too_precise",
    "workbook_file_bytes",
]

MONEY_FORMAT = "#,##0.00"
PERIOD_FORMAT = "yyyy-mm"
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
EXCEL_TEXT_LIMIT = 32767  # characters in one cell
EXCEL_DIGITS = 15  # significant digits an Excel number (a double) holds exactly
EPOCH = datetime(1980, 1, 1)  # the earliest time a zip file can hold


class ExcelMissing(SfpriceError):
    """openpyxl is not installed."""


def openpyxl_module() -> Any:
    """The openpyxl module, imported now (never at ``import sfprice``).

    Raises:
        ExcelMissing: When openpyxl is not installed, saying how to install it.
    """
    try:
        import openpyxl
    except ImportError as exc:
        raise ExcelMissing(
            "Excel workbooks need openpyxl: pip install 'sfprice[excel]' (or pip install openpyxl)"
        ) from exc
    return openpyxl


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as text: a leading ``'`` before a formula start.

    >>> safe_text("=SUM(A1)")
    "'=SUM(A1)"
    """
    value = visible(value)  # openpyxl refuses control characters; show them escaped
    return "'" + value if value.startswith(FORMULA_START) else value


def cell_text(value: str) -> str:
    r"""Stored text as a workbook text cell shows it: visible, formula-safe, within the limit.

    Text longer than Excel's 32 767 characters is cut, and says how much was cut.

    >>> cell_text("=1+1\x07")
    "'=1+1\\x07"
    """
    text = safe_text(value)
    if len(text) > EXCEL_TEXT_LIMIT:
        cut = len(text) - (EXCEL_TEXT_LIMIT - 40)
        text = text[: EXCEL_TEXT_LIMIT - 40] + f"… [{cut} more characters]"
    return text


def number_format(value: Decimal, *, least: int = 0) -> str:
    """The number format that shows every significant decimal of ``value``, at least ``least``.

    >>> number_format(Decimal("12.345"), least=2)
    '#,##0.000'
    >>> number_format(Decimal("2.50"))
    '#,##0.0'
    >>> number_format(Decimal("1200"))
    '#,##0'
    """
    exponent = value.normalize().as_tuple().exponent if value else 0
    places = max(least, -exponent if isinstance(exponent, int) else 0)
    return "#,##0." + "0" * places if places else "#,##0"


def plain_number(value: Decimal) -> Decimal:
    """The value without an exponent (``1E+3`` as ``1000``), as the cell's XML writes it."""
    return Decimal(format(value, "f"))


def significant_digits(value: Decimal) -> int:
    """How many significant digits ``value`` has (an Excel number holds 15).

    >>> significant_digits(Decimal("1234.50")), significant_digits(Decimal(0))
    (5, 0)
    """
    return len(value.normalize().as_tuple().digits) if value else 0


def stable_zip(data: bytes, moment: datetime) -> bytes:
    """The zip ``data`` again with every member dated ``moment`` (openpyxl uses now)."""
    stamp = max(moment, EPOCH).timetuple()[:6]
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = info.external_attr
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


def workbook_file_bytes(book: Any, moment: datetime) -> bytes:
    """An openpyxl workbook as ``.xlsx`` bytes, created, modified and zipped at ``moment``.

    The same workbook and moment give the same bytes (openpyxl itself dates it now).
    """
    from openpyxl.writer.excel import ExcelWriter

    book.properties.created = book.properties.modified = moment
    out = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)).save()
    return stable_zip(out.getvalue(), moment)


def too_precise(value: Decimal, remedy: str) -> str | None:
    """Why ``value`` cannot be an Excel number cell (over 15 significant digits), or None.

    >>> too_precise(Decimal("1234.50"), "use CSV") is None
    True
    >>> too_precise(Decimal("12345678901234.56"), "use CSV")[:48]
    '12345678901234.56 has 16 significant digits; an '
    """
    digits = significant_digits(value)
    if digits <= EXCEL_DIGITS:
        return None
    shown = format(float(value), f".{EXCEL_DIGITS}g")  # what Excel would keep
    return (
        f"{plain_number(value)} has {digits} significant digits; an Excel number holds "
        f"{EXCEL_DIGITS}, so the workbook would show {shown} (expected figures Excel can "
        f"hold: {remedy})"
    )
