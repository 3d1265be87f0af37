"""Command line for billing: ``bill`` and ``pricelists``.

``bill`` parses the billing inputs (:func:`~sfprice.cli.arguments.add_billing_arguments`),
runs the one billing pipeline (:func:`sfprice.app.run_billing`) and renders the run.
"""

from __future__ import annotations

import argparse
from typing import Any

from sfprice.app import run_billing
from sfprice.app.billing import INVOICE_PER
from sfprice.cli.arguments import (
    ArgumentsError,
    Common,
    add_billing_arguments,
    billing_request,
    print_notes,
)
from sfprice.cli.sheets import SHEET_FORMATS, offer_sheet_formats, render_sheets
from sfprice.io.pricelists import load_catalog
from sfprice.reports.formats import (
    catalog_to_json,
    catalog_to_table,
    run_to_csv,
    run_to_json,
    run_to_table,
)
from sfprice.reports.sheets import catalog_sheet, run_sheet

__all__ = ["add_bill"]


def add_bill(commands: Any, common: Common) -> None:
    """Add ``bill`` and ``pricelists`` to the CLI's subparsers."""
    billing = commands.add_parser(
        "bill",
        help="bill volume files: one invoice per department and month",
        description="Bill volume files (CSV: month,department,service,quantity) under the "
        "price list in force each month.",
    )
    billing.add_argument(
        "--year", type=int, required=True, help="the year to bill; rows of other years are left out"
    )
    add_billing_arguments(billing)
    billing.add_argument(
        "--per",
        choices=INVOICE_PER,
        default="department",
        help="one invoice per department and month (default), or per paying parent and "
        "month: the --customers register's parent pays, each line saying its department",
    )
    common(billing, ("table", "csv", "json", *SHEET_FORMATS))
    billing.set_defaults(handler=_bill)
    offer_sheet_formats(billing)

    lists = commands.add_parser("pricelists", help="list the price lists and their items")
    common(lists, ("table", "json", *SHEET_FORMATS))
    lists.set_defaults(handler=_pricelists)
    offer_sheet_formats(lists)


def _bill(args: argparse.Namespace) -> str | bytes:
    if args.per == "parent" and args.customers is None:
        msg = (
            "--per parent needs the customer register that names each customer's paying "
            "parent: give --customers FILE"
        )
        raise ArgumentsError(msg)
    outcome = run_billing(billing_request(args, args.year))
    print_notes(outcome)
    run = outcome.run
    if args.format in SHEET_FORMATS:
        used = sorted({invoice.price_list for invoice in run.invoices})
        return render_sheets(args, [run_sheet(run)], used)
    if args.format == "json":
        return run_to_json(run)
    if args.format == "csv":
        return run_to_csv(run)
    return run_to_table(run, locale=args.locale)


def _pricelists(args: argparse.Namespace) -> str | bytes:
    catalog = load_catalog(args.pricelists)
    if args.format in SHEET_FORMATS:
        return render_sheets(args, [catalog_sheet(catalog)], [pl.id for pl in catalog])
    if args.format == "json":
        return catalog_to_json(catalog)
    return catalog_to_table(catalog, locale=args.locale)
