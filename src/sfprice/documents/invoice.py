"""An issued invoice as a document for people: what it prints, and its HTML.

:func:`invoice_view` reads what one invoice or credit note prints from the content stored
with it when it was issued (:mod:`sfprice.register.content`), never from the register's
later state, so a reprint is identical to the original: the issuer, the department (with
the customer's code, reference person and address when it was issued with a customer
register record), number, date (in the issuer's time zone) and period, the lines with
their components (base + surcharge), the total (no VAT: internal charges), and the volume
statement per service (this month, the same month last year, and the year so far, as they
stood at issue; "uppgift saknas" where the register had no data; on a credit note, the
statement of the credited invoice, labelled so). :func:`invoice_html` renders it as one
HTML page (plain string templating, every value escaped); :mod:`sfprice.documents.pdf`
renders the same view as PDF. Labels and numbers are Swedish by default (``1 234,50 kr``,
Swedish month names), English for an ``en`` locale.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel.dates import format_date

from sfprice.errors import Remedy
from sfprice.model import Unit
from sfprice.names import visible
from sfprice.period import Month
from sfprice.register import (
    DEFAULT_ISSUER_NAME,
    DocumentContent,
    Register,
    RegisterError,
    StatementRow,
)
from sfprice.register.records import title_key
from sfprice.reports.formats import (
    agreement_text,
    format_amount,
    format_price,
    format_quantity,
)

__all__ = [
    "LABELS",
    "InvoiceView",
    "VolumeRow",
    "invoice_html",
    "invoice_view",
    "labels_for",
]

DEFAULT_ISSUER = DEFAULT_ISSUER_NAME

LABELS: dict[str, dict[str, str]] = {
    "sv": {
        "invoice": "Faktura",
        "credit_note": "Kreditfaktura",
        "reconciliation_invoice": "Korrigeringsfaktura – avstämning abonnemang",
        "reconciliation_credit": "Kreditfaktura – avstämning abonnemang",
        "issuer": "Utställare",
        "customer": "Kund (förvaltning)",
        "customer_code": "Kundnummer",
        "reference": "Er referens",
        "address": "Fakturaadress",
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
        "no_data": "uppgift saknas",
        "volumes_credited": "Volymer enligt krediterad faktura {number}",
        "volumes_migrated": "Volymerna beräknades i efterhand, när registret uppgraderades.",
    },
    "en": {
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "reconciliation_invoice": "Correction invoice – subscription reconciliation",
        "reconciliation_credit": "Credit note – subscription reconciliation",
        "issuer": "Issuer",
        "customer": "Customer (department)",
        "customer_code": "Customer code",
        "reference": "Your reference",
        "address": "Invoice address",
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
        "no_data": "no data",
        "volumes_credited": "Volumes as on the credited invoice {number}",
        "volumes_migrated": "The volumes were computed afterwards, when the register was upgraded.",
    },
}


def labels_for(locale: str) -> dict[str, str]:
    """The labels of a locale: Swedish for ``sv*``, English otherwise."""
    return LABELS["sv" if locale.lower().startswith("sv") else "en"]


#: One service's volumes for the department, as at issue (``None``: no data): the row of the
#: stored volume statement itself.
VolumeRow = StatementRow


@dataclass(frozen=True, slots=True)
class InvoiceView:
    """What one invoice document prints: its stored content, in a locale.

    Attributes:
        document: What the document shows, as stored when it was issued.
        issuer: The issuer's name (the service centre), as stored.
        locale: The locale of labels and numbers.
        volumes: The volume statement, one row per service of the document.
    """

    document: DocumentContent
    issuer: str
    locale: str
    volumes: tuple[VolumeRow, ...]

    @property
    def labels(self) -> dict[str, str]:
        """The labels in the view's language."""
        return labels_for(self.locale)

    @property
    def title(self) -> str:
        """``Faktura``, ``Kreditfaktura`` or a reconciliation's title (or the English)."""
        return self.labels[title_key(self.document.kind, self.document.total)]

    @property
    def closing_label(self) -> str:
        """The wording of the total, by its sign: to pay, to be credited, or nothing to pay."""
        total = self.document.total
        return self.labels["total" if total > 0 else "total_credit" if total < 0 else "total_zero"]

    @property
    def issue_date(self) -> date:
        """The date the document was issued, in the issuer's time zone (stored)."""
        return self.document.issue_date

    def money(self, value: Decimal) -> str:
        """An amount in the view's locale (``1 234,50 kr``)."""
        return format_amount(value, self.locale, self.document.currency)

    def price(self, value: Decimal) -> str:
        """A unit price with all its decimals."""
        return format_price(value, self.locale, self.document.currency)

    def quantity(self, value: Decimal | None) -> str:
        """A quantity (``1 200``, ``2,5``); ``uppgift saknas`` / ``no data`` for None."""
        if value is None:
            return self.labels["no_data"]
        return format_quantity(value, self.locale)

    def volumes_note(self) -> str | None:
        """Where the statement comes from, when it is not this document's own issue."""
        statement = self.document.statement
        if statement.credited is not None:
            return self.labels["volumes_credited"].format(number=statement.credited)
        if statement.computed == "migration":
            return self.labels["volumes_migrated"]
        return None

    def date_text(self, value: date) -> str:
        """A date: ``5 mars 2014`` / ``5 March 2014``."""
        return format_date(value, "d MMMM yyyy", locale=self.locale)

    def header_fields(self) -> list[tuple[str, str]]:
        """The labelled fields at the top of the document (without the issuer)."""
        d, lab = self.document, self.labels
        fields = [
            (lab["customer"], visible(d.department)),  # an old register's name, escaped
            *self.customer_fields(),
            (lab["number"], d.number),
            (lab["date"], self.date_text(self.issue_date)),
            (lab["period"], self.period_text()),
            (lab["price_list"], d.price_list),
        ]
        if d.credits:
            fields.append((lab["credits"], d.credits))
        # Not "credited by": a later fact would change the reprint. The register's
        # listings (invoices list/show) show it.
        return fields

    def customer_fields(self) -> list[tuple[str, str]]:
        """The customer's code, reference person and address, as stored at issue.

        Only those the customer register gave; none for a document issued without a
        record (or stored by an older version).
        """
        customer, lab = self.document.customer, self.labels
        if customer is None:
            return []
        fields = [
            (lab["customer_code"], customer.code),
            (lab["reference"], customer.reference),
            (lab["address"], ", ".join(customer.address) or None),
        ]
        return [(label, visible(value)) for label, value in fields if value]

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
        return [(c.label, c.unit_price, c.amount) for c in self.document.lines[index].components]

    def agreement(self, index: int) -> str | None:
        """The agreement that priced line ``index``, as printed under it; None for the list.

        ``Avtal sbf-anlaggningsredovisning: tilläggstjänst (kundavtal); källa: Tilläggsavtal
        TA-2014-007``: its id, what it did and its source, as stored when it was issued.
        """
        ref = self.document.lines[index].agreement
        if ref is None:
            return None
        return agreement_text(ref, swedish=self.labels is LABELS["sv"])


def invoice_view(
    register: Register,
    number: str,
    *,
    locale: str = "sv_SE",
    issuer: str | None = None,
) -> InvoiceView:
    """The view of document ``number``: its content as stored when it was issued.

    Args:
        register: The open register.
        number: The document number.
        locale: Labels and numbers.
        issuer: The issuer name expected on it; None for the stored one.

    Raises:
        RegisterError: When there is no such document, or ``issuer`` is not the name it
            was issued with.
    """
    document = register.document(number)
    content = document.content
    if content is None:  # pragma: no cover - every stored document has content
        raise RegisterError(f"{register.path}: document {number} has no stored content")
    if issuer is not None and issuer != content.issuer_name:
        raise RegisterError(
            f"{register.path}: {number} was issued by {content.issuer_name!r}, not "
            f"{issuer!r}; a reprint shows what was issued {Remedy.SAME_ISSUER}"
        )
    return InvoiceView(content, content.issuer_name, locale, content.statement.rows)


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
        agreement = view.agreement(index)
        if agreement is not None:
            rows.append(f'<tr class="component"><td colspan="5">{_e(agreement)}</td></tr>')
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
    volumes_note = view.volumes_note()
    note = "" if volumes_note is None else f'<p class="note">{_e(volumes_note)}</p>\n'
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
        f"<h2>{_e(lab['volumes'])}</h2>\n{note}"
        f"<table>\n<thead><tr><th>{_e(lab['service'])}</th>"
        f'<th class="num">{_e(lab["this_month"])} ({_e(view.period_text())})</th>'
        f'<th class="num">{_e(lab["last_year"])}</th>'
        f'<th class="num">{_e(lab["year_to_date"])}</th></tr></thead>\n'
        f"<tbody>{volumes}</tbody>\n</table>\n</body>\n</html>\n"
    )
