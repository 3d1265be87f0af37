"""Issued documents of the invoice register as JSON, CSV or a Swedish table for people.

What ``sfprice issue`` and ``sfprice invoices list|show`` print: the CLI only chooses the
format. Numbers in JSON and CSV are decimal strings (:func:`sfprice.money.decimal_text`);
text cells of the CSV are formula-safe (:func:`sfprice.reports.text.csv_cell`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from sfprice.model import AgreementRef
from sfprice.money import decimal_text
from sfprice.names import visible, visible_json, visible_lines
from sfprice.register import ContentCustomer, IssuedDocument, IssueResult
from sfprice.reports.formats import (
    LINE_COLUMNS,
    agreement_text,
    format_amount,
    format_price,
    format_quantity,
)
from sfprice.reports.text import csv_cell

__all__ = [
    "CSV_COLUMNS",
    "document_data",
    "documents_to_csv",
    "documents_to_json",
    "documents_to_table",
    "issue_result_to_json",
    "issue_result_to_table",
]

_KIND_SV = {
    "invoice": "faktura",
    "credit_note": "kreditfaktura",
    "reconciliation_invoice": "korr.faktura",
    "reconciliation_credit": "korr.kredit",
}

#: The columns of the documents' CSV: one row per line of a document.
CSV_COLUMNS = (
    "number",
    "kind",
    "period",
    "department",
    "issued_at",
    "credits",
    "credited_by",
    *LINE_COLUMNS,
    # The customer as the document stored it at issue; empty when issued without a record.
    "customer_code",
    "reference",
)


def _customer(document: IssuedDocument) -> ContentCustomer | None:
    """The customer identity the document stored at issue, or None."""
    return document.content.customer if document.content is not None else None


def _agreements(document: IssuedDocument) -> list[AgreementRef | None]:
    """The agreement each line showed when issued (None: the list price), in line order."""
    shown = document.content.lines if document.content is not None else ()
    return [
        shown[index].agreement if index < len(shown) else None
        for index in range(len(document.lines))
    ]


def _agreement_data(ref: AgreementRef | None) -> dict[str, object]:
    if ref is None:
        return {}
    return {"agreement": {"id": ref.id, "text": ref.text, "source": ref.source}}


def document_data(document: IssuedDocument) -> dict[str, object]:
    """One document as JSON-ready data: decimal strings for money and quantities.

    ``customer`` (code, name, reference, address, SIE object, as stored at issue) is there
    only for a document issued with a customer register record, and a line's
    ``agreement`` (id, text, source, as stored at issue) only on a line an agreement
    priced, so the JSON of documents issued before stays as it was.
    """
    data: dict[str, object] = {
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
                **_agreement_data(agreement),
            }
            for line, agreement in zip(document.lines, _agreements(document), strict=True)
        ],
    }
    customer = _customer(document)
    if customer is not None:
        data["customer"] = {
            "code": customer.code,
            "name": customer.name,
            "reference": customer.reference,
            "address": list(customer.address),
            "sie_object": customer.sie_object,
        }
    return data


def _json(data: object) -> str:
    return visible_json(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def documents_to_json(documents: Sequence[IssuedDocument], *, detailed: bool) -> str:
    """One document (``detailed``: ``invoices show``) or a list of them, as JSON."""
    if detailed:
        return _json(document_data(documents[0]))
    return _json({"documents": [document_data(d) for d in documents]})


def documents_to_csv(documents: Sequence[IssuedDocument]) -> str:
    """One row per line of each document (:data:`CSV_COLUMNS`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for d in documents:
        customer = _customer(d)
        code = (customer.code or "") if customer is not None else ""
        reference = (customer.reference or "") if customer is not None else ""
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
                    csv_cell(code),
                    csv_cell(reference),
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
        f"{document.number}  {_KIND_SV[document.title_key]:<13}  {document.period}  "
        f"{visible(document.department):<34}  "
        f"{format_amount(document.total, locale, document.currency):>16}{note}"
    )


def documents_to_table(documents: Sequence[IssuedDocument], locale: str, *, detailed: bool) -> str:
    """A line per document; ``detailed``: with its lines and total under it."""
    if not documents:
        return "(no invoices)\n"
    if not detailed:
        return visible_lines("".join(_summary(d, locale) + "\n" for d in documents))
    out = []
    for d in documents:
        out.append(_summary(d, locale))
        out.append(f"  Utfärdad {d.issued_at}    Prislista {d.price_list}")
        customer = _customer(d)
        if customer is not None:
            shown = [("Kundnummer", customer.code), ("Er referens", customer.reference)]
            if parts := [f"{k} {visible(v)}" for k, v in shown if v]:
                out.append("  " + "    ".join(parts))
        for line, agreement in zip(d.lines, _agreements(d), strict=True):
            out.append(
                f"  {line.service:<30} {format_quantity(line.quantity, locale):>8} "
                f"{format_price(line.unit_price, locale, d.currency):>12} "
                f"{format_amount(line.amount, locale, d.currency):>16}  {visible(line.name)}"
            )
            if agreement is not None:
                # Under its line: the agreement that priced it and where it is written.
                out.append(f"      {agreement_text(agreement)}")
        out.append(f"  {'Summa':<30} {format_amount(d.total, locale, d.currency):>38}")
    return visible_lines("\n".join(out) + "\n")


def issue_result_to_json(result: IssueResult) -> str:
    """What an ``issue`` did, as JSON: the documents it issued and the departments kept."""
    return _json(
        {
            "period": str(result.period),
            "changed": result.changed,
            "run_id": result.run_id,
            "documents": [document_data(d) for d in result.documents],
            "unchanged": list(result.unchanged),
        }
    )


def issue_result_to_table(result: IssueResult, locale: str) -> str:
    """What an ``issue`` did, for people: a head line, then a line per document issued."""
    head = f"{result.period}: " + (
        f"{len(result.documents)} document(s) issued" if result.changed else "nothing changed"
    )
    unchanged = f", {len(result.unchanged)} department(s) unchanged" if result.unchanged else ""
    body = "".join(_summary(d, locale) + "\n" for d in result.documents)
    return visible_lines(head + unchanged + "\n" + body)
