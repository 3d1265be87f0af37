"""Render a billing run as JSON, CSV or a Swedish table for people.

Machine formats (JSON, CSV) write money and quantities as decimal strings with a point and
no thousands separator (``"68400.00"``, ``"2.5"``), so nothing is lost to floats. The
table is for people: Swedish number formats from babel (``1 307 310,00 kr``).
"""

from __future__ import annotations

import csv
import io
import json
from contextlib import AbstractContextManager
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, getcontext, localcontext
from fractions import Fraction

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from sfprice.engine.billing import (
    AllocationShare,
    BillingRun,
    ChargeBasis,
    ComponentCharge,
    Invoice,
    InvoiceLine,
)
from sfprice.kinds import KINDS
from sfprice.model import AgreementRef, PriceCatalog, PriceItem, PriceKind, Unit
from sfprice.money import decimal_text, exact_sum
from sfprice.names import visible, visible_json, visible_lines
from sfprice.period import Month
from sfprice.reports.text import csv_cell, text_table

__all__ = [
    "CSV_COLUMNS",
    "agreement_text",
    "catalog_to_json",
    "catalog_to_table",
    "decimal_text",
    "format_amount",
    "format_locale",
    "format_price",
    "format_quantity",
    "format_rate",
    "format_share",
    "run_columns",
    "run_to_csv",
    "run_to_json",
    "run_to_json_data",
    "run_to_table",
]

#: The columns of an invoice line in every CSV export (a run's and the register's).
LINE_COLUMNS = ("price_list", "service", "name", "unit", "quantity", "unit_price", "amount")

CSV_COLUMNS = (
    "department",
    "month",
    *LINE_COLUMNS,
    "components",
    "component_amounts",
    "business_area",
    "volume_rows",
    "price_source",
    # Lines of allocated pools (sfprice.engine.allocation); empty on other lines.
    "allocation_key",
    "allocation_driver_quantity",
    "allocation_driver_total",
    "allocation_share",
    "allocation_annual_amount",
    # The customer register's code (ansvarskod) and reference person; empty without one.
    "customer_code",
    "reference",
    # The agreement or override that priced the line (docs/agreements.md); empty if none.
    "agreement",
    "agreement_text",
    "agreement_source",
)


def _room_for(value: Decimal) -> AbstractContextManager[Context]:
    """A decimal context wide enough that babel can quantize ``value`` without failing."""
    context = getcontext().copy()
    if value.is_finite():
        exponent = value.as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
        # Every digit written out, whole and decimal, with room to spare.
        context.prec = max(context.prec, max(value.adjusted(), 0) + decimals + 10)
    return localcontext(context)


def _money_text(value: Decimal) -> str:
    # Money always shows öre ("57.00"); a price with finer precision keeps it.
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        with localcontext() as context:
            context.prec = max(28, value.adjusted() + 4)  # room for any amount, to öre
            value = value.quantize(Decimal("0.01"))
    return decimal_text(value)


def _share_text(share: Fraction) -> str:
    # A share as a decimal string: exact when it has at most 10 decimals, else rounded.
    with localcontext() as context:
        context.prec = 60
        value = Decimal(share.numerator) / Decimal(share.denominator)
        value = value.quantize(Decimal("1e-10"), rounding=ROUND_HALF_EVEN).normalize()
    return decimal_text(value)


def _allocation_data(allocation: AllocationShare) -> dict[str, object]:
    return {
        "key": allocation.key,
        "driver_quantity": decimal_text(allocation.driver_quantity),
        "driver_total": decimal_text(allocation.driver_total),
        "share": _share_text(allocation.share),
        "annual_amount": _money_text(allocation.annual_amount),
        "source": allocation.source,
    }


def _basis_data(basis: ChargeBasis) -> dict[str, object]:
    # Only what applies to the kind: a fixed fee by customer year has no rate.
    data: dict[str, object] = {"kind": str(basis.kind)}
    if basis.customer_year is not None:
        data["customer_year"] = basis.customer_year
        data["first_year"] = basis.first_year
    if basis.tier_mode is not None:
        data["tier_mode"] = str(basis.tier_mode)
    if basis.rate is not None:
        data["rate"] = decimal_text(basis.rate)
    if basis.minimum is not None:
        data["minimum"] = _money_text(basis.minimum)
    if basis.base_amount is not None:
        data["base_amount"] = _money_text(basis.base_amount)
        data["services"] = list(basis.services)
    if basis.volume is not None and basis.block is not None:
        data["volume"] = decimal_text(basis.volume)
        data["block"] = decimal_text(basis.block)
    if basis.source:
        data["customer_source"] = basis.source
    return data


def _component_data(component: ComponentCharge) -> dict[str, object]:
    data: dict[str, object] = {"label": component.label}
    if component.quantity is not None:  # a band of a tiered price
        data["quantity"] = decimal_text(component.quantity)
    data["unit_price"] = _money_text(component.unit_price)
    data["amount"] = _money_text(component.amount)
    return data


def _line_data(line: InvoiceLine) -> dict[str, object]:
    data: dict[str, object] = {
        "service": line.service,
        "name": line.name,
        "unit": str(line.unit),
        "quantity": decimal_text(line.quantity),
        "unit_price": _money_text(line.unit_price),
        "amount": _money_text(line.amount),
        "components": [_component_data(c) for c in line.components],
        "business_area": line.business_area,
        "price_source": line.price_source,
        "volume_rows": line.volume_rows,
        "volume_files": [s.path for s in line.volume_sources],
    }
    if line.allocation is not None:
        data["allocation"] = _allocation_data(line.allocation)
    if line.basis is not None:
        data["basis"] = _basis_data(line.basis)
    if line.agreement is not None:
        ref = line.agreement
        data["agreement"] = {"id": ref.id, "text": ref.text, "source": ref.source}
    if line.department is not None:
        data["department"] = line.department  # on a consolidated invoice
    return data


def _invoice_data(invoice: Invoice) -> dict[str, object]:
    return {
        "department": invoice.department,
        "customer_code": invoice.customer_code,
        "reference": invoice.reference,
        "month": str(invoice.month),
        "price_list": invoice.price_list,
        "currency": invoice.currency,
        "total": _money_text(invoice.total),
        "lines": [_line_data(line) for line in invoice.lines],
    }


def run_to_json_data(run: BillingRun) -> dict[str, object]:
    """The run as JSON-ready data: decimal strings for money and quantities."""
    return {
        "year": run.year,
        "currency": run.currency,
        "total": _money_text(run.total),
        "excluded_rows": run.excluded_rows,
        "invoices": [_invoice_data(invoice) for invoice in run.invoices],
    }


def run_to_json(run: BillingRun) -> str:
    """The run as a JSON document (see :func:`run_to_json_data`).

    Characters no name may hold (:mod:`sfprice.names`) are written as JSON escapes.
    """
    return visible_json(json.dumps(run_to_json_data(run), ensure_ascii=False, indent=2) + "\n")


def run_columns(run: BillingRun) -> tuple[str, ...]:
    """The CSV columns of ``run``: :data:`CSV_COLUMNS`, then ``line_department``.

    ``line_department`` only when the run is consolidated (one invoice per paying parent,
    whose ``department`` is the payer): the department each line is for.
    """
    consolidated = any(line.department is not None for _, line in run.lines)
    return (*CSV_COLUMNS, "line_department") if consolidated else CSV_COLUMNS


def run_to_csv(run: BillingRun) -> str:
    """One row per invoice line; numbers as decimal strings, text cells made formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = run_columns(run)
    writer.writerow(columns)
    extra = len(columns) > len(CSV_COLUMNS)
    for invoice, line in run.lines:
        writer.writerow(
            [
                csv_cell(invoice.department),
                str(invoice.month),
                csv_cell(invoice.price_list),
                line.service,
                csv_cell(line.name),
                str(line.unit),
                decimal_text(line.quantity),
                _money_text(line.unit_price),
                _money_text(line.amount),
                "+".join(_money_text(c.unit_price) for c in line.components),
                "+".join(_money_text(c.amount) for c in line.components),
                line.business_area,
                line.volume_rows,
                csv_cell(line.price_source),
                *_allocation_cells(line.allocation),
                csv_cell(invoice.customer_code),
                csv_cell(invoice.reference),
                *_agreement_cells(line.agreement),
                *([csv_cell(line.department or "")] if extra else []),
            ]
        )
    return out.getvalue()


def _agreement_cells(agreement: AgreementRef | None) -> list[str]:
    if agreement is None:
        return ["", "", ""]
    return [csv_cell(agreement.id), csv_cell(agreement.text), csv_cell(agreement.source)]


def _allocation_cells(allocation: AllocationShare | None) -> list[str]:
    if allocation is None:
        return ["", "", "", "", ""]
    return [
        csv_cell(allocation.key),
        decimal_text(allocation.driver_quantity),
        decimal_text(allocation.driver_total),
        _share_text(allocation.share),
        _money_text(allocation.annual_amount),
    ]


# ------------------------------------------------------------------ tables for people

_LABELS = {
    "sv": {
        "department": "Förvaltning",
        "reference": "Er referens",
        "period": "Period",
        "price_list": "Prislista",
        "service": "Tjänst",
        "name": "Benämning",
        "quantity": "Antal",
        "unit_price": "À-pris",
        "amount": "Belopp",
        "of_which": "varav",
        "invoice_total": "Summa faktura",
        "grand_total": "Totalt",
        "invoices": "fakturor",
        "invoice": "faktura",
        "departments": "förvaltningar",
        "department_one": "förvaltning",
        "per_department": "Summa per förvaltning",
        "code": "Kod",
        "unit": "Enhet",
        "valid": "Giltig",
        "source": "Källa",
        "price": "Pris",
        "share": "andel",
        "share_of": "av",
        "per_year": "per år",
        "agreement": "avtal",
        "for_department": "för",
        "subtotal": "Summa",
    },
    "en": {
        "department": "Department",
        "reference": "Your reference",
        "period": "Period",
        "price_list": "Price list",
        "service": "Service",
        "name": "Name",
        "quantity": "Quantity",
        "unit_price": "Unit price",
        "amount": "Amount",
        "of_which": "of which",
        "invoice_total": "Invoice total",
        "grand_total": "Total",
        "invoices": "invoices",
        "invoice": "invoice",
        "departments": "departments",
        "department_one": "department",
        "per_department": "Total per department",
        "code": "Code",
        "unit": "Unit",
        "valid": "Valid",
        "source": "Source",
        "price": "Price",
        "share": "share",
        "share_of": "of",
        "per_year": "per year",
        "agreement": "agreement",
        "for_department": "for",
        "subtotal": "Subtotal",
    },
}


def format_amount(value: Decimal, locale: str = "sv_SE", currency: str = "SEK") -> str:
    r"""Money for people: ``1 307 310,00 kr`` (babel, no-break spaces).

    >>> format_amount(Decimal("1307310"))
    '1\xa0307\xa0310,00\xa0kr'
    """
    if value.is_zero():
        value = value.copy_abs()
    with _room_for(value):
        return format_currency(value, currency, locale=locale)


def format_price(value: Decimal, locale: str = "sv_SE", currency: str = "SEK") -> str:
    r"""A unit price for people, with all its decimals (``0,125 kr``), never rounded for show.

    >>> format_price(Decimal("12.345"))
    '12,345\xa0kr'
    """
    exponent = value.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    if places == 2:
        return format_amount(value, locale, currency)
    # The locale's own currency pattern (``¤#,##0.00`` in English), with all the decimals.
    standard = Locale.parse(locale.replace("-", "_")).currency_formats["standard"].pattern
    pattern = standard.split(";")[0].replace("0.00", "0." + "0" * places, 1)
    with _room_for(value):
        return format_currency(
            value, currency, format=pattern, locale=locale, currency_digits=False
        )


def format_locale(name: str) -> str:
    """Check a locale name for the table format (``sv_SE``, ``sv-SE``, ``en_GB``).

    The labels exist in Swedish and English, so the language must be one of them (the
    country picks the number and date formats: ``sv_FI``, ``en_US`` ...).

    Raises:
        ValueError: When babel does not know the locale, or its language is neither
            Swedish nor English (labels would silently be English in another language's
            number format).
    """
    try:
        locale = Locale.parse(name.replace("-", "_"))
    except (ValueError, UnknownLocaleError) as exc:
        msg = f"unknown locale {name!r} (expected e.g. sv_SE or en_GB)"
        raise ValueError(msg) from exc
    if locale.language not in {"sv", "en"}:
        msg = (
            f"locale {name!r}: sfprice writes its labels in Swedish or English only "
            "(expected a locale of language sv or en, e.g. sv_SE or en_GB)"
        )
        raise ValueError(msg)
    return str(locale)


def format_quantity(value: Decimal, locale: str = "sv_SE") -> str:
    r"""A quantity for people with all its decimals (up to six): ``1 200``, ``2,5``.

    >>> format_quantity(Decimal("1.234567"))
    '1,234567'
    """
    with _room_for(value):
        return format_decimal(value, format="#,##0.######", locale=locale)


def format_share(share: Fraction, locale: str = "sv_SE") -> str:
    r"""A share as a percentage for people, to two decimals: ``2,50 %``.

    >>> format_share(Fraction(1, 40))
    '2,50\xa0%'
    >>> format_share(Fraction(47, 491), "en_GB")
    '9.57%'
    """
    with localcontext() as context:
        context.prec = 60
        percent = Decimal(share.numerator) * 100 / Decimal(share.denominator)
        percent = percent.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "\xa0%" if locale.startswith("sv") else "%"
    return format_decimal(percent, format="#,##0.00", locale=locale) + sign


def _allocation_rows(
    allocation: AllocationShare, labels: dict[str, str], locale: str, currency: str
) -> list[list[str]]:
    # "andel 2,50 % av kundfakturor 2009-01..2009-09"
    # "30 000 av 1 200 000, per år 25 000,00 kr"
    share = (
        f"{labels['share']} {format_share(allocation.share, locale)} {labels['share_of']} "
        f"{allocation.key}"
    )
    quantities = (
        f"{format_quantity(allocation.driver_quantity, locale)} {labels['share_of']} "
        f"{format_quantity(allocation.driver_total, locale)}, {labels['per_year']} "
        f"{format_amount(allocation.annual_amount, locale, currency)}"
    )
    return [["", f"  {share}", "", "", ""], ["", f"  {quantities}", "", "", ""]]


def format_rate(rate: Decimal, locale: str = "sv_SE") -> str:
    r"""A rate as a percentage for people, with all its decimals: ``5 %``, ``2,5 %``.

    >>> format_rate(Decimal("0.05"))
    '5\xa0%'
    """
    with localcontext() as context:
        context.prec = max(28, len(rate.as_tuple().digits) + 4)
        percent = rate * 100
    sign = "\xa0%" if locale.startswith("sv") else "%"
    return _plain_decimal(percent, locale) + sign


def _plain_decimal(value: Decimal, locale: str) -> str:
    exponent = value.normalize().as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    pattern = "#,##0" + ("." + "0" * places if places else "")
    with _room_for(value):
        return format_decimal(value, format=pattern, locale=locale)


def agreement_text(ref: AgreementRef, *, swedish: bool = True) -> str:
    """An agreement as an issued document prints it under its line: id, what, source.

    ``Avtal sbf-anlaggningsredovisning: tilläggstjänst (kundavtal); källa: Tilläggsavtal
    TA-2014-007 (påhittat)`` (English: ``Agreement ...; source: ...``).
    """
    word, source = ("Avtal", "källa") if swedish else ("Agreement", "source")
    return f"{word} {ref.id}: {ref.text}; {source}: {ref.source}"


def _agreement_rows(ref: AgreementRef, labels: dict[str, str]) -> list[str]:
    # "avtal kultur-2014: avtalspris 55,00 kr (kundavtal)", then where it is written
    return [f"{labels['agreement']} {ref.id}: {ref.text}", ref.source]


def _basis_rows(line: InvoiceLine, locale: str, currency: str) -> list[list[str]]:
    # The kind of the line says why it charges what it does (sfprice.kinds: notes).
    basis = line.basis
    if basis is None:
        return []
    notes = KINDS[basis.kind].notes(basis, _KindFormat(locale, currency))
    return [["", f"  {note}", "", "", ""] for note in notes]


class _KindFormat:
    """What a kind needs to show itself in a report (sfprice.kinds.KindFormat): babel here."""

    def __init__(self, locale: str = "sv_SE", currency: str = "SEK") -> None:
        self.locale = locale
        self.code = currency

    @property
    def language(self) -> str:
        return "sv" if self.locale.startswith("sv") else "en"

    @property
    def currency(self) -> str:
        return _currency_symbol(self.locale, self.code)

    def price(self, value: Decimal) -> str:
        return format_price(value, self.locale, self.code)

    def amount(self, value: Decimal) -> str:
        return format_amount(value, self.locale, self.code)

    def number(self, value: Decimal) -> str:
        return str(format_decimal(value, locale=self.locale))

    def rate(self, value: Decimal) -> str:
        return format_rate(value, self.locale)

    def money_text(self, value: Decimal) -> str:
        return _money_text(value)

    def decimal_text(self, value: Decimal) -> str:
        return decimal_text(value)


def _month_name(month: Month, locale: str) -> str:
    return format_date(month.first_day, "LLLL yyyy", locale=locale)


def run_to_table(run: BillingRun, locale: str = "sv_SE") -> str:
    """The run for people: each invoice with its lines and total, then the grand total."""
    labels = _LABELS["sv" if locale.startswith("sv") else "en"]

    def money(value: Decimal) -> str:
        return format_amount(value, locale, run.currency)

    out: list[str] = []
    for invoice in run.invoices:
        code = f" ({visible(invoice.customer_code)})" if invoice.customer_code else ""
        reference = (
            f"    {labels['reference']}: {visible(invoice.reference)}" if invoice.reference else ""
        )
        out.append(
            f"{labels['department']}: {visible(invoice.department)}{code}    {labels['period']}: "
            f"{_month_name(invoice.month, locale)} ({invoice.month})    "
            f"{labels['price_list']}: {invoice.price_list}{reference}"
        )
        rows = [
            [
                labels["service"],
                labels["name"],
                labels["quantity"],
                labels["unit_price"],
                labels["amount"],
            ]
        ]
        # A consolidated invoice: each department's lines under its name, also when the
        # parent pays for one department only (its lines are not the parent's own).
        grouped = any(line.department not in (None, invoice.department) for line in invoice.lines)
        for index, line in enumerate(invoice.lines):
            part_name = visible(line.department or invoice.department)
            if grouped and (index == 0 or invoice.lines[index - 1].department != line.department):
                rows.append(["", f"{labels['for_department']} {part_name}:", "", "", ""])
            percent = line.unit is Unit.PERCENT
            rows.append(
                [
                    line.service,
                    line.name,
                    # A percentage: the base in kronor, and the rate.
                    money(line.quantity) if percent else format_quantity(line.quantity, locale),
                    format_rate(line.unit_price, locale)
                    if percent
                    else format_price(line.unit_price, locale, run.currency),
                    money(line.amount),
                ]
            )
            rows.extend(
                [
                    "",
                    f"  {labels['of_which']} {c.label}",
                    format_quantity(line.quantity if c.quantity is None else c.quantity, locale),
                    format_price(c.unit_price, locale, run.currency),
                    money(c.amount),
                ]
                for c in line.components
            )
            if line.allocation is not None:
                rows.extend(_allocation_rows(line.allocation, labels, locale, run.currency))
            rows.extend(_basis_rows(line, locale, run.currency))
            if line.agreement is not None:
                rows.extend(
                    ["", f"  {text}", "", "", ""]
                    for text in _agreement_rows(line.agreement, labels)
                )
            last = index + 1 == len(invoice.lines) or (
                invoice.lines[index + 1].department != line.department
            )
            if grouped and last:
                part = exact_sum(x.amount for x in invoice.lines if x.department == line.department)
                rows.append(["", f"{labels['subtotal']} {part_name}", "", "", money(part)])
        rows.append(["", labels["invoice_total"], "", "", money(invoice.total)])
        out.extend("  " + text for text in text_table(rows, right={2, 3, 4}))
        out.append("")
    departments = run.totals_by_department()
    if departments:
        out.append(labels["per_department"])
        out.extend(
            "  " + text
            for text in text_table(
                [[visible(name), money(total)] for name, total in departments.items()], right={1}
            )
        )
        out.append("")
    out.append(
        f"{labels['grand_total']}: {money(run.total)}  ({len(run.invoices)} "
        f"{labels['invoice' if len(run.invoices) == 1 else 'invoices']}, {len(departments)} "
        f"{labels['department_one' if len(departments) == 1 else 'departments']})"
    )
    return visible_lines("\n".join(out) + "\n")  # a name never reaches a terminal raw


def catalog_to_table(catalog: PriceCatalog, locale: str = "sv_SE") -> str:
    """Every price list and its items, for people."""
    labels = _LABELS["sv" if locale.startswith("sv") else "en"]
    out: list[str] = []
    for pl in catalog:
        out.append(f"{labels['price_list']} {pl.id}: {pl.title}")
        out.append(
            f"  {labels['valid']}: {pl.valid_from}..{pl.valid_to}    {pl.status}    "
            f"{pl.currency}    {pl.path or ''}"
        )
        out.append(f"  {labels['source']}: {pl.source}")
        rows = [[labels["code"], labels["name"], labels["unit"], labels["price"], labels["source"]]]
        fmt = _KindFormat(locale, pl.currency)
        for item in pl.items:
            if item.components:
                price = (
                    " + ".join(format_decimal(c.price, locale=locale) for c in item.components)
                    + f" = {format_price(item.price, locale, pl.currency)}"
                )
            else:
                price = item.terms.price_text(item, fmt)
            rows.append(
                [
                    item.code,
                    item.name,
                    item.unit.label_sv if locale.startswith("sv") else str(item.unit),
                    price,
                    item.source,
                ]
            )
            rows.extend(
                ["", f"  {label}", "", shown, ""]
                for label, shown in item.terms.price_rows(item, fmt)
            )
        out.extend("  " + text for text in text_table(rows, right={3}))
        out.append("")
    return visible_lines("\n".join(out))


def _currency_symbol(locale: str, currency: str) -> str:
    # "kr" in Swedish, "SEK" in English, as format_amount prints it.
    text = format_currency(Decimal(0), currency, format="¤", locale=locale)
    return text.strip()


def _kind_data(item: PriceItem) -> dict[str, object]:
    """The kind and its own fields (nothing for a plain unit price): sfprice.kinds file_data."""
    data: dict[str, object] = {}
    if item.kind is not PriceKind.UNIT:
        data["kind"] = str(item.kind)
    data.update(item.terms.file_data(_KindFormat()))
    return data


def catalog_to_json(catalog: PriceCatalog) -> str:
    """Every price list and its items as JSON, prices as decimal strings."""
    data = [
        {
            "id": pl.id,
            "title": pl.title,
            "valid_from": str(pl.valid_from),
            "valid_to": str(pl.valid_to),
            "currency": pl.currency,
            "status": pl.status,
            "source": pl.source,
            "path": pl.path,
            "items": [
                {
                    "code": i.code,
                    "name": i.name,
                    "unit": str(i.unit),
                    "price": _money_text(i.price),
                    "business_area": i.business_area,
                    "source": i.source,
                    "components": [
                        {"label": c.label, "price": _money_text(c.price)} for c in i.components
                    ],
                    **_kind_data(i),
                }
                for i in pl.items
            ],
        }
        for pl in catalog
    ]
    return visible_json(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
