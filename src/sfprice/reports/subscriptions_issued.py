"""What a register holds of a subscription year, as issued: never recomputed.

:func:`issued_subscriptions` reads the issued documents (:class:`sfprice.register.
IssuedDocument`, their stored content) and gathers per customer the subscription parts
invoiced (the lines of service ``subscription.<area>`` on invoices and their credit notes,
net) and every reconciliation document with the figures it shows: per area the actual
charge to date and the amount invoiced to date (its two components), the deviation (its
amount) and the line's text (deviation carried in, forecast to date, threshold). A
reconciliation document that was credited is listed with the credit note's number. Amounts
are kr (``Decimal``) exactly as stored.

``subscriptions report --register R`` renders it (table or JSON); the volume-based report
(:mod:`sfprice.reports.subscriptions`) is the preview that recomputes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sfprice.collation import swedish_key
from sfprice.engine.subscriptions import ACTUAL_TO_DATE, INVOICED_TO_DATE
from sfprice.money import decimal_text, exact_sum
from sfprice.names import visible_json
from sfprice.period import Month
from sfprice.register import DocumentKind, IssuedDocument
from sfprice.reports.formats import format_amount
from sfprice.reports.text import text_table

__all__ = [
    "IssuedCustomer",
    "IssuedReconciliation",
    "IssuedReconciliationLine",
    "issued_subscriptions",
    "issued_to_json",
    "issued_to_table",
]

_PART = "subscription."
_RECONCILIATION = ".reconciliation"


@dataclass(frozen=True, slots=True)
class IssuedReconciliationLine:
    """One area of a reconciliation document, as stored (kr).

    Attributes:
        area: The business area.
        actual_to_date: The actual charge to date (component), or None if not stored.
        invoiced_to_date: The amount invoiced to date (component, as a positive
            amount), or None if not stored.
        deviation: The line's amount: the deviation invoiced (negative: credited).
        text: The line's text as printed (carried in, forecast to date, threshold).
    """

    area: str
    actual_to_date: Decimal | None
    invoiced_to_date: Decimal | None
    deviation: Decimal
    text: str


@dataclass(frozen=True, slots=True)
class IssuedReconciliation:
    """A reconciliation document (or a credit note reversing one), as stored.

    Attributes:
        number: Its number.
        title: ``reconciliation_invoice``, ``reconciliation_credit`` or ``credit_note``
            (:attr:`sfprice.register.IssuedDocument.title_key`).
        period: The reconciliation month.
        total: Its total, kr.
        credits: The reconciliation document a credit note reverses, else None.
        credited_by: The credit note that reversed it, else None.
        lines: Its areas.
    """

    number: str
    title: str
    period: Month
    total: Decimal
    credits: str | None
    credited_by: str | None
    lines: tuple[IssuedReconciliationLine, ...]


@dataclass(frozen=True, slots=True)
class IssuedCustomer:
    """One customer's issued subscription year.

    Attributes:
        customer: The department as the documents name it.
        parts: Per month (in order): the net subscription parts invoiced, kr.
        reconciliations: Its reconciliation documents and their credit notes, in number
            order.
    """

    customer: str
    parts: tuple[tuple[Month, Decimal], ...]
    reconciliations: tuple[IssuedReconciliation, ...]

    @property
    def parts_total(self) -> Decimal:
        """The parts invoiced in all, kr."""
        return exact_sum((amount for _, amount in self.parts), Decimal("0.00"))

    @property
    def reconciled_total(self) -> Decimal:
        """The net of its reconciliation documents and their credit notes, kr."""
        return exact_sum((r.total for r in self.reconciliations), Decimal("0.00"))


def _line(
    area: str, amount: Decimal, text: str, components: dict[str, Decimal]
) -> IssuedReconciliationLine:
    invoiced = components.get(INVOICED_TO_DATE)
    return IssuedReconciliationLine(
        area, components.get(ACTUAL_TO_DATE), None if invoiced is None else -invoiced, amount,
        text,
    )  # fmt: skip


def issued_subscriptions(
    documents: Sequence[IssuedDocument], *, year: int | None = None
) -> tuple[IssuedCustomer, ...]:
    """Per customer (Swedish order): the subscription parts and reconciliation documents.

    Args:
        documents: The register's documents (:meth:`sfprice.register.Register.documents`).
        year: Only the documents of this year's periods (default: all).

    A customer appears when it has a subscription part or a reconciliation document.
    """
    kept = [d for d in documents if year is None or d.period.year == year]
    reconciliation_numbers = {d.number for d in kept if d.kind is DocumentKind.RECONCILIATION}
    parts: dict[str, dict[Month, list[Decimal]]] = {}
    recs: dict[str, list[IssuedReconciliation]] = {}
    for document in kept:
        is_rec = document.kind is DocumentKind.RECONCILIATION or (
            document.credits is not None and document.credits in reconciliation_numbers
        )
        if is_rec:
            shown = document.content.lines if document.content is not None else ()
            lines = []
            for index, line in enumerate(document.lines):
                components = (
                    {c.label: c.amount for c in shown[index].components}
                    if index < len(shown)
                    else {}
                )
                if document.kind is DocumentKind.CREDIT_NOTE:  # negated on a credit note
                    components = {k: -v for k, v in components.items()}
                area = line.service.removeprefix(_PART).removesuffix(_RECONCILIATION)
                lines.append(_line(area, line.amount, line.name, components))
            recs.setdefault(document.department, []).append(
                IssuedReconciliation(
                    document.number,
                    document.title_key,
                    document.period,
                    document.total,
                    document.credits,
                    document.credited_by,
                    tuple(lines),
                )
            )
            continue
        for line in document.lines:
            if line.service.startswith(_PART) and not line.service.endswith(_RECONCILIATION):
                by_month = parts.setdefault(document.department, {})
                by_month.setdefault(document.period, []).append(line.amount)
    out = []
    for customer in sorted(set(parts) | set(recs), key=swedish_key):
        months = parts.get(customer, {})
        out.append(
            IssuedCustomer(
                customer,
                tuple((m, exact_sum(months[m])) for m in sorted(months)),
                tuple(recs.get(customer, ())),
            )
        )
    return tuple(out)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(value)


def issued_to_json(customers: Sequence[IssuedCustomer]) -> str:
    """``{"customers": [{"customer", "parts": [...], "reconciliations": [...]}]}`` as JSON."""
    data = {
        "customers": [
            {
                "customer": c.customer,
                "parts": [{"month": str(m), "amount": decimal_text(a)} for m, a in c.parts],
                "parts_total": decimal_text(c.parts_total),
                "reconciliations": [
                    {
                        "number": r.number,
                        "kind": r.title,
                        "month": str(r.period),
                        "total": decimal_text(r.total),
                        "credits": r.credits,
                        "credited_by": r.credited_by,
                        "lines": [
                            {
                                "area": line.area,
                                "actual_to_date": _money(line.actual_to_date),
                                "invoiced_to_date": _money(line.invoiced_to_date),
                                "deviation": decimal_text(line.deviation),
                                "text": line.text,
                            }
                            for line in r.lines
                        ],
                    }
                    for r in c.reconciliations
                ],
                "reconciled_total": decimal_text(c.reconciled_total),
            }
            for c in customers
        ]
    }
    return visible_json(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


_TITLE_SV = {
    "reconciliation_invoice": "korrigeringsfaktura",
    "reconciliation_credit": "kreditfaktura (avstämning)",
    "credit_note": "kreditfaktura (rättelse)",
}


def issued_to_table(customers: Sequence[IssuedCustomer], locale: str = "sv_SE") -> str:
    """The Swedish report of what was issued: per customer, its parts and documents."""

    def kr(value: Decimal | None) -> str:
        return "" if value is None else format_amount(value, locale)

    if not customers:
        return "Registret har inga abonnemangsfakturor.\n"
    out = ["Utfärdat enligt registret (belopp som de lagrats, inte omräknade)"]
    for c in customers:
        out.append("")
        out.append(
            f"{c.customer}: abonnemangsdelar {kr(c.parts_total)} ({len(c.parts)} månader), "
            f"avstämningar netto {kr(c.reconciled_total)}"
        )
        if not c.reconciliations:
            out.append("  inga avstämningsdokument")
            continue
        rows = [["Nummer", "Dokument", "Period", "Område", "Utfall t.o.m.",
                 "Fakturerat t.o.m.", "Avvikelse", "Anmärkning"]]  # fmt: skip
        for r in c.reconciliations:
            note = (
                f"krediterar {r.credits}"
                if r.credits
                else f"krediterad av {r.credited_by}"
                if r.credited_by
                else ""
            )
            rows.extend(
                [
                    r.number,
                    _TITLE_SV.get(r.title, r.title),
                    str(r.period),
                    line.area,
                    kr(line.actual_to_date),
                    kr(line.invoiced_to_date),
                    kr(line.deviation),
                    note,
                ]
                for line in r.lines
            )
        out += ["  " + row for row in text_table(rows, right={4, 5, 6})]
    return "\n".join(out) + "\n"
