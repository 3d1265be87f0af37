"""The spreadsheet formats of the command line: ``--format xlsx`` and ``--format csv-sv``.

``xlsx`` writes a workbook (:func:`sfprice.reports.sheets.workbook_of`) and needs
``--output FILE.xlsx``: a workbook is not text for a terminal. ``csv-sv`` writes Swedish
CSV (``;``, decimal comma, UTF-8 with BOM, CRLF). An ``--output`` ending in ``.xlsx``
with another format is refused too: Excel would not open what it holds.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from sfprice import __version__
from sfprice.cli.arguments import ArgumentsError, input_paths
from sfprice.reports.sheets import Sheet, sheet_to_csv_sv, workbook_of

__all__ = [
    "SHEET_FORMATS",
    "check_sheet_format",
    "offer_sheet_formats",
    "provenance",
    "render_sheets",
]

#: The formats for Swedish Excel, offered after a command's own formats.
SHEET_FORMATS = ("csv-sv", "xlsx")


def offer_sheet_formats(parser: argparse.ArgumentParser) -> None:
    """Mark a command whose ``--format`` includes :data:`SHEET_FORMATS` (checked in main)."""
    parser.set_defaults(offers_sheets=True)


def check_sheet_format(args: argparse.Namespace) -> None:
    """Refuse ``--format xlsx`` without an ``.xlsx`` output, and ``.xlsx`` for another format.

    Only for the commands that offer the spreadsheet formats (:func:`offer_sheet_formats`).

    Raises:
        ArgumentsError: Before anything is read or written.
    """
    if not getattr(args, "offers_sheets", False):
        return
    chosen = getattr(args, "format", None)
    output = getattr(args, "output", None)
    if chosen == "xlsx" and output is None:
        msg = "--format xlsx writes a workbook, not text: give --output FILE.xlsx"
        raise ArgumentsError(msg)
    if chosen == "xlsx" and output is not None and output.suffix.lower() != ".xlsx":
        msg = (
            f"--output {output}: a workbook's file name ends in .xlsx, or Excel refuses "
            "to open it (expected --output FILE.xlsx)"
        )
        raise ArgumentsError(msg)
    if chosen != "xlsx" and output is not None and output.suffix.lower() == ".xlsx":
        msg = (
            f"--output {output} ends in .xlsx, but --format {chosen} writes text that Excel "
            "would not open as a workbook (expected --format xlsx, or another file name)"
        )
        raise ArgumentsError(msg)


def provenance(args: argparse.Namespace, price_lists: Sequence[str] = ()) -> list[tuple[str, str]]:
    """What a workbook was made from: the command, its input files, the price lists."""
    rows = [("Kommando", f"sfprice {args.command}"), ("Version", f"sfprice {__version__}")]
    if getattr(args, "year", None) is not None:
        rows.append(("År", str(args.year)))
    # "Indata (--customers)": a cell starting with "-" would be shown as text with a "'".
    rows += [(f"Indata ({label})", str(path)) for label, path in input_paths(args)]
    if hasattr(args, "pricelists"):
        folders = ", ".join(str(p) for p in args.pricelists or ()) or "de medföljande"
        rows.append(("Prislistor (mappar)", folders))
    if price_lists:
        rows.append(("Prislistor", ", ".join(price_lists)))
    return rows


def render_sheets(
    args: argparse.Namespace, sheets: Sequence[Sheet], price_lists: Sequence[str] = ()
) -> str | bytes:
    """The sheets in ``--format``: a workbook's bytes, or the first sheet as Swedish CSV."""
    if args.format == "xlsx":
        return workbook_of(sheets, provenance(args, price_lists))
    return sheet_to_csv_sv(sheets[0])
