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
    ArgumentsError,
    Common,
    add_billing_arguments,
    billing_request,
    month,
    print_notes,
    register_arguments,
)
from sfprice.cli.documents import open_register
from sfprice.register import DEFAULT_ISSUER_NAME, IssueResult, Manifest, Register
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
from sfprice.reports.subscriptions_issued import (
    issued_subscriptions,
    issued_to_json,
    issued_to_table,
)

__all__ = ["add_subscription_commands", "issue_subscribed"]


def _agreements(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    parser.add_argument(
        "--subscriptions",
        type=Path,
        required=required,
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
        "invoiced, actual, forecast, deviation, invoiced correction and carried amount (a "
        "preview). With --register: what the register holds as issued (the parts invoiced, "
        "the reconciliation documents with their numbers and stored figures), not recomputed.",
    )
    report.add_argument("--year", type=int, required=True, help="the year of the agreements")
    report.add_argument(
        "--through", type=month, metavar="YYYY-MM", help="the last month reconciled"
    )
    report.add_argument(
        "--register",
        type=Path,
        metavar="PATH",
        help="report what this register holds as issued, instead of the volume files",
    )
    _agreements(report, required=False)
    add_billing_arguments(report)
    for action in report._actions:  # the volume files are not read with --register
        if action.dest == "volumes":
            action.nargs = "*"
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
    if args.register is not None:
        if args.volumes or args.subscriptions is not None or args.format == "csv":
            msg = (
                "subscriptions report --register reports what the register holds, as "
                "issued: give no volume files, no --subscriptions and no --format csv with "
                "it (table or json)"
            )
            raise ArgumentsError(msg)
        with Register.open(args.register, create=False, read_only=True) as register:
            issued = issued_subscriptions(register.documents(), year=args.year)
        if args.format == "json":
            return issued_to_json(issued)
        return issued_to_table(issued, args.locale)
    if not args.volumes or args.subscriptions is None:
        msg = (
            "subscriptions report needs the volume files and --subscriptions FILE (or "
            "--register PATH for what was issued)"
        )
        raise ArgumentsError(msg)
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


def issue_subscribed(args: argparse.Namespace) -> IssueResult:
    """Issue ``args.period`` with the subscriptions of ``args.subscriptions``.

    The twelfths go on the month's invoices, and a reconciliation month's invoiced
    deviations into reconciliation documents. The one path of ``subscriptions issue``
    and ``issue --subscriptions``.
    """
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
        result = register.issue(
            outcome.run, period, manifest=manifest, reconciliations=outcome.documents
        )
    if not result.changed:
        print(
            f"note: nothing changed: {period} is already issued with these charges "
            f"({len(result.unchanged)} department(s)); nothing was written",
            file=sys.stderr,
        )
    return result


def _issue(args: argparse.Namespace) -> str:
    result = issue_subscribed(args)
    if args.format == "json":
        return issue_result_to_json(result)
    if args.format == "csv":
        return documents_to_csv(result.documents)
    return issue_result_to_table(result, args.locale)
