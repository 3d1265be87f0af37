"""An issued invoice as a document for people: what it prints, and its HTML.

:func:`invoice_view` gathers from the register what one invoice or credit note prints: the
issuer, the department, number, date and period, the lines with their components (base +
surcharge), the total (no VAT: internal charges), and a volume statement per service (this
month, the same month last year, and the year so far, each the net of the register's
invoices and credit notes for the department). :func:`invoice_html` renders it as one HTML
page (plain string templating, every value escaped); :mod:`sfprice.documents.pdf` renders
the same view as PDF. Labels and numbers are Swedish by default (``1 234,50 kr``, Swedish
month names), English for an ``en`` locale.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel.dates import format_date

from sfprice.model import Unit
from sfprice.money import exact_sum
from sfprice.names import visible
from sfprice.period import Month
from sfprice.register import DocumentKind, IssuedDocument, Register
from sfprice.reports.formats import format_amount, format_price, format_quantity

__all__ = [
    "LABELS",
    "InvoiceView",
    "VolumeRow",
    "invoice_html",
    "invoice_view",
    "labels_for",
]

DEFAULT_ISSUER = "Servicecentret"

LABELS: dict[str, dict[str, str]] = {
    "sv": {
        "invoice": "Faktura",
        "credit_note": "Kreditfaktura",
        "issuer": "Utställare",
        "customer": "Kund (förvaltning)",
        "number": "Fakturanummer",
        "date": "Fakturadatum",
        "period": "Period",
        "price_list": "Prislista",
        "credits": "Krediterar faktura",
        "credited_by": "Krediterad av",
        "service": "Tjänst",
        "quantity": "Antal",
        "unit": "Enhet",
        "unit_price": "À-pris",
        "amount": "Belopp",
        "of_which": "varav",
        "total": "Att betala",
        "total_credit": "Att kreditera",
        "total_zero": "Inget att betala",
        "no_vat": "Intern debitering inom kommunen: ingen moms.",
        "volumes": "Volymer",
        "this_month": "Denna månad",
        "last_year": "Samma månad i fjol",
        "year_to_date": "Hittills i år",
    },
    "en": {
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "issuer": "Issuer",
        "customer": "Customer (department)",
        "number": "Invoice number",
        "date": "Invoice date",
        "period": "Period",
        "price_list": "Price list",
        "credits": "Credits invoice",
        "credited_by": "Credited by",
        "service": "Service",
        "quantity": "Quantity",
        "unit": "Unit",
        "unit_price": "Unit price",
        "amount": "Amount",
        "of_which": "of which",
        "total": "Total due",
        "total_credit": "To be credited",
        "total_zero": "Nothing to pay",
        "no_vat": "Internal charge within the city: no VAT.",
        "volumes": "Volumes",
        "this_month": "This month",
        "last_year": "Same month last year",
        "year_to_date": "Year to date",
    },
}


def labels_for(locale: str) -> dict[str, str]:
    """The labels of a locale: Swedish for ``sv*``, English otherwise."""
    return LABELS["sv" if locale.lower().startswith("sv") else "en"]


@dataclass(frozen=True, slots=True)
class VolumeRow:
    """One service's volumes for the department (net of credit notes)."""

    service: str
    name: str
    this_month: Decimal
    last_year: Decimal
    year_to_date: Decimal


@dataclass(frozen=True, slots=True)
class InvoiceView:
    """What one invoice document prints.

    Attributes:
        document: The issued invoice or credit note.
        issuer: The issuer's name (the service centre).
        locale: The locale of labels and numbers.
        volumes: The volume statement, one row per service of the document.
    """

    document: IssuedDocument
    issuer: str
    locale: str
    volumes: tuple[VolumeRow, ...]
    origin: IssuedDocument | None = None

    @property
    def labels(self) -> dict[str, str]:
        """The labels in the view's language."""
        return labels_for(self.locale)

    @property
    def title(self) -> str:
        """``Faktura`` or ``Kreditfaktura`` (or the English)."""
        credit = self.document.kind is DocumentKind.CREDIT_NOTE
        return self.labels["credit_note" if credit else "invoice"]

    @property
    def closing_label(self) -> str:
        """The wording of the total, by its sign: to pay, to be credited, or nothing to pay."""
        total = self.document.total
        return self.labels["total" if total > 0 else "total_credit" if total < 0 else "total_zero"]

    @property
    def issue_date(self) -> date:
        """The date the document was issued (UTC)."""
        return date.fromisoformat(self.document.issued_at[:10])

    def money(self, value: Decimal) -> str:
        """An amount in the view's locale (``1 234,50 kr``)."""
        return format_amount(value, self.locale, self.document.currency)

    def price(self, value: Decimal) -> str:
        """A unit price with all its decimals."""
        return format_price(value, self.locale, self.document.currency)

    def quantity(self, value: Decimal) -> str:
        """A quantity (``1 200``, ``2,5``)."""
        return format_quantity(value, self.locale)

    def date_text(self, value: date) -> str:
        """A date: ``5 mars 2014`` / ``5 March 2014``."""
        return format_date(value, "d MMMM yyyy", locale=self.locale)

    def header_fields(self) -> list[tuple[str, str]]:
        """The labelled fields at the top of the document (without the issuer)."""
        d, lab = self.document, self.labels
        fields = [
            (lab["customer"], visible(d.department)),  # an old register's name, escaped
            (lab["number"], d.number),
            (lab["date"], self.date_text(self.issue_date)),
            (lab["period"], self.period_text()),
            (lab["price_list"], d.price_list),
        ]
        if d.credits:
            fields.append((lab["credits"], d.credits))
        if d.credited_by:
            fields.append((lab["credited_by"], d.credited_by))
        return fields

    def period_text(self, month: Month | None = None) -> str:
        """A month with its name: ``februari 2014`` / ``February 2014``."""
        month = month or self.document.period
        return format_date(month.first_day, "LLLL yyyy", locale=self.locale)

    def unit_text(self, unit: str) -> str:
        """The unit as the invoice prints it (Swedish label when known)."""
        try:
            known = Unit(unit)
        except ValueError:
            return unit
        if self.labels is LABELS["sv"]:
            return known.label_sv
        return known.value.replace("_", " ")

    def components(self, index: int) -> list[tuple[str, Decimal, Decimal]]:
        """The components (label, unit price, amount) of line ``index``; empty if none."""
        detail = self.document.lines[index].detail
        sign = 1
        if "components" not in detail and self.origin is not None:
            # A credit note's lines keep only the reversed invoice's number: its components
            # are the invoice's, negated.
            if index >= len(self.origin.lines):
                return []
            detail, sign = self.origin.lines[index].detail, -1
        raw = detail.get("components") or []
        return [
            (
                str(c.get("label", "")),
                Decimal(str(c["unit_price"])),
                sign * Decimal(str(c["amount"])),
            )
            for c in raw
            if isinstance(c, dict)
        ]


def _net(documents: Sequence[IssuedDocument], months: set[Month]) -> dict[str, Decimal]:
    out: dict[str, list[Decimal]] = {}
    for d in documents:
        if d.period in months:
            for line in d.lines:
                out.setdefault(line.service, []).append(line.quantity)
    return {service: exact_sum(q) for service, q in out.items()}


def invoice_view(
    register: Register, number: str, *, locale: str = "sv_SE", issuer: str = DEFAULT_ISSUER
) -> InvoiceView:
    """The view of document ``number`` with its volume statement from ``register``.

    Raises:
        RegisterError: When there is no such document.
    """
    document = register.document(number)
    period = document.period
    history = register.documents(department=document.department)
    this_month = _net(history, {period})
    last_year = _net(history, {Month(period.year - 1, period.month)})
    so_far = _net(history, {Month(period.year, m) for m in range(1, period.month + 1)})
    seen: dict[str, str] = {}
    for line in document.lines:
        seen.setdefault(line.service, line.name)
    zero = Decimal(0)
    volumes = tuple(
        VolumeRow(
            service,
            name,
            this_month.get(service, zero),
            last_year.get(service, zero),
            so_far.get(service, zero),
        )
        for service, name in seen.items()
    )
    origin = register.document(document.credits) if document.credits else None
    return InvoiceView(document, issuer, locale, volumes, origin)


_STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em; color: #222; }
h1 { margin-bottom: 0.2em; }
table { border-collapse: collapse; width: 100%; margin: 1em 0; }
th, td { padding: 0.3em 0.5em; border-bottom: 1px solid #ccc; text-align: left; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr.component td { color: #555; font-size: 0.9em; border-bottom: none; }
tr.total td { font-weight: bold; border-top: 2px solid #222; }
dl.head { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dl.head dt { font-weight: bold; }
p.note { font-style: italic; }
"""


def _e(value: object) -> str:
    """Escaped for HTML, with characters HTML cannot hold (control characters) made visible."""
    return html.escape(visible(str(value)), quote=True)


def invoice_html(view: InvoiceView) -> str:
    """The document as one self-contained HTML page (UTF-8)."""
    d = view.document
    lab = view.labels
    head = [(lab["issuer"], view.issuer), *view.header_fields()]
    rows = []
    for index, line in enumerate(d.lines):
        rows.append(
            f"<tr><td>{_e(line.name)}<br><small>{_e(line.service)}</small></td>"
            f'<td class="num">{_e(view.quantity(line.quantity))}</td>'
            f"<td>{_e(view.unit_text(line.unit))}</td>"
            f'<td class="num">{_e(view.price(line.unit_price))}</td>'
            f'<td class="num">{_e(view.money(line.amount))}</td></tr>'
        )
        rows.extend(
            f'<tr class="component"><td>{_e(lab["of_which"])} {_e(label)}</td><td></td><td></td>'
            f'<td class="num">{_e(view.price(price))}</td>'
            f'<td class="num">{_e(view.money(amount))}</td></tr>'
            for label, price, amount in view.components(index)
        )
    rows.append(
        f'<tr class="total"><td colspan="4">{_e(view.closing_label)}</td>'
        f'<td class="num">{_e(view.money(d.total))}</td></tr>'
    )
    volumes = "".join(
        f"<tr><td>{_e(v.name)}</td>"
        f'<td class="num">{_e(view.quantity(v.this_month))}</td>'
        f'<td class="num">{_e(view.quantity(v.last_year))}</td>'
        f'<td class="num">{_e(view.quantity(v.year_to_date))}</td></tr>'
        for v in view.volumes
    )
    lang = "sv" if lab is LABELS["sv"] else "en"
    heads = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in head)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(view.title)} {_e(d.number)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<h1>{_e(view.title)} {_e(d.number)}</h1>\n"
        f'<dl class="head">{heads}</dl>\n'
        f"<table>\n<thead><tr><th>{_e(lab['service'])}</th>"
        f'<th class="num">{_e(lab["quantity"])}</th><th>{_e(lab["unit"])}</th>'
        f'<th class="num">{_e(lab["unit_price"])}</th>'
        f'<th class="num">{_e(lab["amount"])}</th></tr></thead>\n'
        f"<tbody>\n{''.join(rows)}\n</tbody>\n</table>\n"
        f'<p class="note">{_e(lab["no_vat"])}</p>\n'
        f"<h2>{_e(lab['volumes'])}</h2>\n"
        f"<table>\n<thead><tr><th>{_e(lab['service'])}</th>"
        f'<th class="num">{_e(lab["this_month"])} ({_e(view.period_text())})</th>'
        f'<th class="num">{_e(lab["last_year"])}</th>'
        f'<th class="num">{_e(lab["year_to_date"])}</th></tr></thead>\n'
        f"<tbody>{volumes}</tbody>\n</table>\n</body>\n</html>\n"
    )
