"""Command line for subscriptions: ``subscriptions report`` and ``subscriptions issue``.

Part of the CLI layer (see :mod:`sfprice.cli`): it parses arguments, calls
:mod:`sfprice.app.subscriptions` and renders the result; issuing goes to
:mod:`sfprice.register` as ``issue`` does.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any

from sfprice.app.subscriptions import (
    SubscriptionRequest,
    run_subscriptions,
    subscriptions_for_issue,
)
from sfprice.cli.arguments import (
    Common,
    add_billing_arguments,
    billing_request,
    month,
    print_notes,
    register_arguments,
)
from sfprice.cli.documents import open_register
from sfprice.register import DEFAULT_ISSUER_NAME, Manifest
from sfprice.reports.documents import (
    documents_to_csv,
    issue_result_to_json,
    issue_result_to_table,
)
from sfprice.reports.subscriptions import (
    reconciliations_to_csv,
    reconciliations_to_json,
    reconciliations_to_table,
)

__all__ = ["add_subscription_commands"]


def _agreements(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--subscriptions",
        type=Path,
        required=True,
        metavar="FILE",
        help="the subscription agreement file (TOML, see docs/subscriptions.md)",
    )


def add_subscription_commands(commands: Any, common: Common) -> None:
    """Add ``subscriptions report`` and ``subscriptions issue`` to the CLI's subparsers."""
    group = commands.add_parser(
        "subscriptions",
        help="operate subscriptions: monthly twelfths, reconciliations (docs/subscriptions.md)",
    )
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    report = actions.add_parser(
        "report",
        help="the deviation report per customer, area and reconciliation",
        description="Bill the actual volumes as bill does and reconcile the subscriptions: "
        "invoiced, actual, forecast, deviation, invoiced correction and carried amount.",
    )
    report.add_argument("--year", type=int, required=True, help="the year of the agreements")
    report.add_argument(
        "--through", type=month, metavar="YYYY-MM", help="the last month reconciled"
    )
    _agreements(report)
    add_billing_arguments(report)
    common(report, ("table", "csv", "json"))
    report.set_defaults(handler=_report)

    issue = actions.add_parser(
        "issue",
        help="issue a month's invoices with the subscriptions into the register",
        description="As issue, but a subscribed customer's area is invoiced one twelfth of "
        "its annual amount, and a reconciliation month adds the invoiced deviations.",
    )
    issue.add_argument("--period", type=month, required=True, metavar="YYYY-MM")
    issue.add_argument("--note", default="", help="a note stored in the run manifest")
    issue.add_argument(
        "--issuer-name",
        default=DEFAULT_ISSUER_NAME,
        metavar="NAME",
        help=f"the issuer printed on the documents (default: {DEFAULT_ISSUER_NAME})",
    )
    _agreements(issue)
    add_billing_arguments(issue)
    register_arguments(issue)
    common(issue, ("table", "csv", "json"))
    issue.set_defaults(handler=_issue)


def _report(args: argparse.Namespace) -> str:
    request = SubscriptionRequest(
        billing_request(args, args.year), args.subscriptions, args.through
    )
    outcome = run_subscriptions(request)
    print_notes(outcome.billing)
    if args.format == "json":
        return reconciliations_to_json(outcome.subscriptions, outcome.reconciliations)
    if args.format == "csv":
        return reconciliations_to_csv(outcome.reconciliations)
    return reconciliations_to_table(outcome.subscriptions, outcome.reconciliations, args.locale)


def _issue(args: argparse.Namespace) -> str:
    period = args.period
    request = SubscriptionRequest(billing_request(args, period.year), args.subscriptions)
    with contextlib.ExitStack() as stack:
        register = (
            stack.enter_context(open_register(args, create=True))
            if args.register.is_file()
            else None
        )
        issued = register.departments() if register is not None else ()
        outcome = subscriptions_for_issue(
            request, period, issued=tuple(issued), issued_in=str(args.register)
        )
        print_notes(outcome.billing)
        manifest = Manifest.for_files(
            volumes=request.billing.volumes,
            pricelists=outcome.billing.pricelist_files,
            others=request.input_files(),
            note=args.note,
        )
        if register is None:
            register = stack.enter_context(open_register(args, create=True))
        result = register.issue(outcome.run, period, manifest=manifest)
    if not result.changed:
        print(
            f"note: nothing changed: {period} is already issued with these charges "
            f"({len(result.unchanged)} department(s)); nothing was written",
            file=sys.stderr,
        )
    if args.format == "json":
        return issue_result_to_json(result)
    if args.format == "csv":
        return documents_to_csv(result.documents)
    return issue_result_to_table(result, args.locale)
