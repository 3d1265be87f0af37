"""Command line for documents and exports: ``invoices html|pdf|xlsx`` and ``export sie``.

Part of the CLI layer (see :mod:`sfprice.cli`). Binary files (PDF, Excel, SIE) are handed
to the CLI's writer, which writes them only once everything succeeded (``--output`` is
required for them).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sfprice.cli.arguments import Common, month, register_path_argument
from sfprice.errors import SfpriceError
from sfprice.period import DEFAULT_TIME_ZONE
from sfprice.register import Register

__all__ = ["add_document_actions", "add_export", "open_register"]


def open_register(args: argparse.Namespace, *, create: bool = False) -> Register:
    """Open ``--register``; only ``issue`` creates a missing file (``create``)."""
    options: dict[str, Any] = {}
    if getattr(args, "issuer_name", None) and create:
        options["issuer_name"] = args.issuer_name
    return Register.open(
        args.register,
        issuer=args.issuer,
        number_format=args.number_format,
        time_zone=getattr(args, "time_zone", DEFAULT_TIME_ZONE),
        create=create,
        **options,
    )


def _issuer_name(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--issuer-name",
        default=None,
        metavar="NAME",
        help="the issuer stored with the document at issue (issue --issuer-name); a "
        "different name is refused, since a reprint is identical to the original",
    )


def add_document_actions(
    actions: Any, common: Common, register_args: Callable[[argparse.ArgumentParser], None]
) -> None:
    """Add ``html``, ``pdf`` and ``xlsx`` to the ``invoices`` actions."""
    page = actions.add_parser("html", help="one invoice or credit note as an HTML page")
    page.add_argument("number", metavar="NUMBER")
    _issuer_name(page)
    register_args(page)
    common(page, ("html",))
    page.set_defaults(handler=_html)

    pdf = actions.add_parser("pdf", help="one invoice or credit note as PDF (needs fpdf2)")
    pdf.add_argument("number", metavar="NUMBER")
    _issuer_name(pdf)
    register_args(pdf)
    common(pdf, ("pdf",))
    pdf.set_defaults(handler=_pdf, output_is_extra=True)

    book = actions.add_parser(
        "xlsx", help="an Excel workbook of a period's or a year's documents (needs openpyxl)"
    )
    which = book.add_mutually_exclusive_group(required=True)
    which.add_argument("--period", type=month, metavar="YYYY-MM")
    which.add_argument("--year", type=int, metavar="YEAR")
    which.add_argument("--run", type=int, metavar="ID", help="the documents of one issue run")
    register_args(book)
    common(book, ("xlsx",))
    book.set_defaults(handler=_xlsx, output_is_extra=True)


def add_export(commands: Any, common: Common) -> None:
    """Add ``export sie`` to the CLI's subparsers."""
    export = commands.add_parser("export", help="export the register for the ledger")
    kinds = export.add_subparsers(dest="kind", required=True, metavar="KIND")
    sie = kinds.add_parser(
        "sie",
        help="SIE 4 (type 4I) vouchers of a year's invoices and credit notes",
        description="One voucher per invoice or credit note of the year's periods: internal "
        "revenue on the service centre's accounts, internal cost on the department's, the "
        "department as an object. See docs/documents.md.",
    )
    sie.add_argument("--year", type=int, required=True, help="the periods' year")
    sie.add_argument(
        "--accounts", type=Path, required=True, metavar="FILE", help="account mapping (TOML)"
    )
    register_path_argument(sie)
    sie.set_defaults(
        issuer="SF", number_format="{issuer}-{year}-{seq:06d}", time_zone=DEFAULT_TIME_ZONE
    )
    common(sie, ("sie",))
    sie.set_defaults(handler=_sie, output_is_extra=True)


def _need_output(args: argparse.Namespace, what: str) -> Path:
    if args.output is None:
        raise OutputMissing(f"{what} is a binary file: give --output FILE")
    output: Path = args.output
    return output


class OutputMissing(SfpriceError):
    """A binary format without ``--output``; the CLI reports it as bad usage (exit 2)."""


def _html(args: argparse.Namespace) -> str:
    from sfprice.documents.invoice import invoice_html, invoice_view

    with open_register(args) as register:
        view = invoice_view(register, args.number, locale=args.locale, issuer=args.issuer_name)
    return invoice_html(view)


def _pdf(args: argparse.Namespace) -> str:
    from sfprice.documents.invoice import invoice_view
    from sfprice.documents.pdf import invoice_pdf

    output = _need_output(args, "a PDF")
    with open_register(args) as register:
        view = invoice_view(register, args.number, locale=args.locale, issuer=args.issuer_name)
    args.extra_outputs = {output: invoice_pdf(view)}
    return ""


def _xlsx(args: argparse.Namespace) -> str:
    from sfprice.documents.workbook import select_documents, workbook_bytes

    output = _need_output(args, "an Excel workbook")
    with open_register(args) as register:
        documents = register.documents(period=args.period)
    chosen = select_documents(documents, year=args.year, run=args.run)
    args.extra_outputs = {output: workbook_bytes(chosen, locale=args.locale)}
    return ""


def _sie(args: argparse.Namespace) -> str:
    from sfprice.documents.sie import load_accounts, sie_of_year

    output = _need_output(args, "a SIE file")
    accounts = load_accounts(args.accounts)
    with open_register(args) as register:
        documents = register.documents()
    args.extra_outputs = {output: sie_of_year(documents, accounts, args.year)}
    return ""
