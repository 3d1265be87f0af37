"""Command line for the invoice register: ``issue``, ``invoices list|show|...``, ``period``.

Part of the CLI layer (see :mod:`sfprice.cli`): it parses arguments, bills the volumes
exactly as ``bill`` does (:func:`sfprice.app.bill_for_issue`), and hands the month to
:mod:`sfprice.register`.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import sys
from collections.abc import Sequence
from typing import Any

from sfprice.app import bill_for_issue
from sfprice.cli.arguments import (
    Common,
    add_billing_arguments,
    billing_request,
    month,
    print_notes,
    register_arguments,
)
from sfprice.cli.documents import add_document_actions, open_register
from sfprice.names import query_name, visible, visible_json, visible_lines
from sfprice.period import Month
from sfprice.register import (
    DEFAULT_ISSUER_NAME,
    IssuedDocument,
    IssueResult,
    Manifest,
    Register,
)
from sfprice.reports.formats import (
    decimal_text,
    format_amount,
    format_price,
    format_quantity,
)
from sfprice.reports.text import csv_cell

__all__ = ["add_register_commands", "open_register"]

_KIND_SV = {"invoice": "faktura", "credit_note": "kreditfaktura"}
CSV_COLUMNS = (
    "number",
    "kind",
    "period",
    "department",
    "issued_at",
    "credits",
    "credited_by",
    "price_list",
    "service",
    "name",
    "unit",
    "quantity",
    "unit_price",
    "amount",
)


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
    register_arguments(issue)
    common(issue, ("table", "csv", "json"))
    issue.set_defaults(handler=_issue)

    invoices = commands.add_parser("invoices", help="list or show issued invoices")
    actions = invoices.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="list the issued invoices and credit notes")
    listing.add_argument("--period", type=month, metavar="YYYY-MM")
    listing.add_argument("--department", metavar="NAME")
    register_arguments(listing)
    common(listing, ("table", "csv", "json"))
    listing.set_defaults(handler=_list)
    show = actions.add_parser("show", help="show one invoice or credit note with its lines")
    show.add_argument("number", metavar="NUMBER")
    register_arguments(show)
    common(show, ("table", "csv", "json"))
    show.set_defaults(handler=_show)
    add_document_actions(actions, common, register_arguments)

    period = commands.add_parser("period", help="close or reopen a period of the register")
    steps = period.add_subparsers(dest="action", required=True, metavar="ACTION")
    close = steps.add_parser("close", help="close a period: issuing into it is refused")
    close.add_argument("period", type=month, metavar="YYYY-MM")
    close.add_argument("--reason", default="", help="why (recorded)")
    register_arguments(close)
    common(close, ("table", "json"))
    close.set_defaults(handler=_period)
    reopen = steps.add_parser("reopen", help="reopen a closed period (a reason is required)")
    reopen.add_argument("period", type=month, metavar="YYYY-MM")
    reopen.add_argument("--reason", required=True, help="why it is reopened (recorded)")
    register_arguments(reopen)
    common(reopen, ("table", "json"))
    reopen.set_defaults(handler=_period)


def _issue(args: argparse.Namespace) -> str:
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


def document_data(document: IssuedDocument) -> dict[str, object]:
    """One document as JSON-ready data: decimal strings for money and quantities."""
    return {
        "number": document.number,
        "kind": str(document.kind),
        "period": str(document.period),
        "department": document.department,
        "issued_at": document.issued_at,
        "price_list": document.price_list,
        "currency": document.currency,
        "total": decimal_text(document.total),
        "credits": document.credits,
        "credited_by": document.credited_by,
        "run_id": document.run_id,
        "volume_sources": [{"path": p, "rows": r} for p, r in document.volume_sources],
        "lines": [
            {
                "service": line.service,
                "name": line.name,
                "unit": line.unit,
                "quantity": decimal_text(line.quantity),
                "unit_price": decimal_text(line.unit_price),
                "amount": decimal_text(line.amount),
                "price_list": line.price_list,
                "detail": dict(line.detail),
            }
            for line in document.lines
        ],
    }


def _csv(documents: Sequence[IssuedDocument]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for d in documents:
        for line in d.lines:
            writer.writerow(
                [
                    d.number,
                    str(d.kind),
                    str(d.period),
                    csv_cell(d.department),
                    d.issued_at,
                    d.credits or "",
                    d.credited_by or "",
                    csv_cell(d.price_list),
                    line.service,
                    csv_cell(line.name),
                    line.unit,
                    decimal_text(line.quantity),
                    decimal_text(line.unit_price),
                    decimal_text(line.amount),
                ]
            )
    return out.getvalue()


def _summary(document: IssuedDocument, locale: str) -> str:
    note = ""
    if document.credits:
        note = f"  krediterar {document.credits}"
    elif document.credited_by:
        note = f"  krediterad av {document.credited_by}"
    return (
        f"{document.number}  {_KIND_SV[str(document.kind)]:<13}  {document.period}  "
        f"{visible(document.department):<34}  "
        f"{format_amount(document.total, locale, document.currency):>16}{note}"
    )


def _table(documents: Sequence[IssuedDocument], locale: str, *, detailed: bool) -> str:
    if not documents:
        return "(no invoices)\n"
    if not detailed:
        return visible_lines("".join(_summary(d, locale) + "\n" for d in documents))
    out = []
    for d in documents:
        out.append(_summary(d, locale))
        out.append(f"  Utfärdad {d.issued_at}    Prislista {d.price_list}")
        out.extend(
            f"  {line.service:<30} {format_quantity(line.quantity, locale):>8} "
            f"{format_price(line.unit_price, locale, d.currency):>12} "
            f"{format_amount(line.amount, locale, d.currency):>16}  {visible(line.name)}"
            for line in d.lines
        )
        out.append(f"  {'Summa':<30} {format_amount(d.total, locale, d.currency):>38}")
    return visible_lines("\n".join(out) + "\n")


def _render_documents(
    args: argparse.Namespace, documents: Sequence[IssuedDocument], *, detailed: bool
) -> str:
    if args.format == "json":
        data: object = (
            document_data(documents[0])
            if detailed
            else {"documents": [document_data(d) for d in documents]}
        )
        return visible_json(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    if args.format == "csv":
        return _csv(documents)
    return _table(documents, args.locale, detailed=detailed)


def _render_result(args: argparse.Namespace, result: IssueResult) -> str:
    if args.format == "json":
        data = {
            "period": str(result.period),
            "changed": result.changed,
            "run_id": result.run_id,
            "documents": [document_data(d) for d in result.documents],
            "unchanged": list(result.unchanged),
        }
        return visible_json(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    if args.format == "csv":
        return _csv(result.documents)
    head = f"{result.period}: " + (
        f"{len(result.documents)} document(s) issued" if result.changed else "nothing changed"
    )
    unchanged = f", {len(result.unchanged)} department(s) unchanged" if result.unchanged else ""
    body = "".join(_summary(d, args.locale) + "\n" for d in result.documents)
    return visible_lines(head + unchanged + "\n" + body)
