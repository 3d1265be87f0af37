"""Command line for the invoice register: ``issue``, ``invoices list|show|...``, ``period``.

Part of the CLI layer (see :mod:`sfprice.cli`): it parses arguments, bills the volumes
exactly as ``bill`` does (:func:`sfprice.app.bill_for_issue`), and hands the month to
:mod:`sfprice.register`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sfprice.app import bill_for_issue
from sfprice.cli.arguments import (
    ArgumentsError,
    Common,
    add_billing_arguments,
    billing_request,
    month,
    output_arguments,
    print_notes,
    register_arguments,
)
from sfprice.cli.documents import add_document_actions, open_register
from sfprice.cli.subscriptions import issue_subscribed
from sfprice.names import query_name, visible_json
from sfprice.period import Month
from sfprice.register import (
    DEFAULT_ISSUER_NAME,
    IssuedDocument,
    IssueResult,
    Manifest,
    Register,
)

# Still importable from here, where they were defined before they moved to sfprice.reports:
from sfprice.reports.documents import CSV_COLUMNS as CSV_COLUMNS
from sfprice.reports.documents import document_data as document_data
from sfprice.reports.documents import (
    documents_to_csv,
    documents_to_json,
    documents_to_table,
    issue_result_to_json,
    issue_result_to_table,
)

__all__ = ["add_register_commands", "open_register"]


def _open(args: argparse.Namespace) -> Register:
    return open_register(args)


def add_register_commands(commands: Any, common: Common) -> None:
    """Add ``issue``, ``invoices`` and ``period`` to the CLI's subparsers."""
    issue = commands.add_parser(
        "issue",
        help="issue a month's invoices into the register (numbered, never changed)",
        description="Bill the volume files as bill does and issue the month's invoices into "
        "the register. Re-issuing the same charges changes nothing; a department whose "
        "charges changed gets a credit note and a new invoice (see docs/register.md).",
    )
    issue.add_argument(
        "--period",
        type=month,
        required=True,
        metavar="YYYY-MM",
        help="the month to issue; its year is billed exactly as bill --year does",
    )
    issue.add_argument("--note", default="", help="a note stored in the run manifest")
    add_billing_arguments(issue)
    issue.add_argument(
        "--issuer-name",
        default=DEFAULT_ISSUER_NAME,
        metavar="NAME",
        help=f"the issuer printed on the documents, stored with them (default: "
        f"{DEFAULT_ISSUER_NAME})",
    )
    issue.add_argument(
        "--subscriptions",
        type=Path,
        metavar="FILE",
        help="a subscription agreement file: issue the month as subscriptions issue does "
        "(docs/subscriptions.md)",
    )
    # Accepted only to be refused clearly (argparse would read "--per" as "--period").
    issue.add_argument("--per", dest="issue_per", metavar="parent", help=argparse.SUPPRESS)
    register_arguments(issue)
    common(issue, ("table", "csv", "json"))
    issue.set_defaults(handler=_issue)

    invoices = commands.add_parser("invoices", help="list or show issued invoices")
    actions = invoices.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="list the issued invoices and credit notes")
    listing.add_argument("--period", type=month, metavar="YYYY-MM")
    listing.add_argument(
        "--department", metavar="NAME|CODE", help="a department name or its customer code"
    )
    register_arguments(listing)
    output_arguments(listing, ("table", "csv", "json"))
    listing.set_defaults(handler=_list)
    show = actions.add_parser("show", help="show one invoice or credit note with its lines")
    show.add_argument("number", metavar="NUMBER")
    register_arguments(show)
    output_arguments(show, ("table", "csv", "json"))
    show.set_defaults(handler=_show)
    add_document_actions(actions, output_arguments, register_arguments)

    period = commands.add_parser("period", help="close or reopen a period of the register")
    steps = period.add_subparsers(dest="action", required=True, metavar="ACTION")
    close = steps.add_parser("close", help="close a period: issuing into it is refused")
    close.add_argument("period", type=month, metavar="YYYY-MM")
    close.add_argument("--reason", default="", help="why (recorded)")
    register_arguments(close)
    output_arguments(close, ("table", "json"))
    close.set_defaults(handler=_period)
    reopen = steps.add_parser("reopen", help="reopen a closed period (a reason is required)")
    reopen.add_argument("period", type=month, metavar="YYYY-MM")
    reopen.add_argument("--reason", required=True, help="why it is reopened (recorded)")
    register_arguments(reopen)
    output_arguments(reopen, ("table", "json"))
    reopen.set_defaults(handler=_period)


def _issue(args: argparse.Namespace) -> str:
    if args.issue_per is not None:
        msg = (
            f"issue has no --per {args.issue_per}: an issued invoice is one department's, and the "
            "register does not store a line's department; issue per department and use "
            "bill --per parent for the consolidated view"
        )
        raise ArgumentsError(msg)
    if args.subscriptions is not None:
        return _render_result(args, issue_subscribed(args))
    period: Month = args.period
    request = billing_request(args, period.year)
    # The departments the register has invoiced take part in the name check: a new
    # spelling of one is refused, so the register never splits one department in two. An
    # existing register is opened once, as the writer opens it, and kept open from the check
    # to the issue; a new one is created only after the run has passed every check.
    with contextlib.ExitStack() as stack:
        register = (
            stack.enter_context(open_register(args, create=True))
            if args.register.is_file()
            else None
        )
        issued = register.departments() if register is not None else ()
        outcome = bill_for_issue(request, period, issued=issued, issued_in=str(args.register))
        print_notes(outcome)
        manifest = Manifest.for_files(
            volumes=request.volumes,
            pricelists=outcome.pricelist_files,
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
    return _render_result(args, result)


def _list(args: argparse.Namespace) -> str:
    department = None if args.department is None else query_name(args.department)
    with _open(args) as register:
        documents = register.documents(period=args.period, department=department)
    return _render_documents(args, documents, detailed=False)


def _show(args: argparse.Namespace) -> str:
    with _open(args) as register:
        document = register.document(args.number)
    return _render_documents(args, (document,), detailed=True)


def _period(args: argparse.Namespace) -> str:
    with _open(args) as register:
        if args.action == "close":
            register.close_period(args.period, reason=args.reason)
        else:
            register.reopen_period(args.period, reason=args.reason)
        status = register.period_status(args.period)
        events = register.period_events(args.period)
    if args.format == "json":
        data = {
            "period": str(args.period),
            "status": status,
            "events": [{"event": e.event, "reason": e.reason, "at": e.at} for e in events],
        }
        return visible_json(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return f"{args.period}: {status}\n" + "".join(
        f"  {e.at}  {e.event}  {e.reason}\n" for e in events
    )


def _render_documents(
    args: argparse.Namespace, documents: Sequence[IssuedDocument], *, detailed: bool
) -> str:
    if args.format == "json":
        return documents_to_json(documents, detailed=detailed)
    if args.format == "csv":
        return documents_to_csv(documents)
    return documents_to_table(documents, args.locale, detailed=detailed)


def _render_result(args: argparse.Namespace, result: IssueResult) -> str:
    if args.format == "json":
        return issue_result_to_json(result)
    if args.format == "csv":
        return documents_to_csv(result.documents)
    return issue_result_to_table(result, args.locale)
