"""Billing: price volumes under the price list in force and build monthly invoices.

Pure functions over the domain model; nothing here reads files or prints.

Money rule: a line's amount is ``quantity x unit price`` rounded once to öre with the
rounding mode of the price list in force (half-up unless it says otherwise). The amounts of
a composite price's components are rounded the same way, the last component taking the
difference, so the components always add up to the line. An invoice total is the sum of its
lines and the run total the sum of the invoices: nothing is rounded twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sfprice.collation import swedish_key
from sfprice.errors import Issue, PriceNotFound
from sfprice.model import (
    PriceCatalog,
    PriceItem,
    PriceList,
    Unit,
    VolumeEntry,
    VolumeSet,
    VolumeSource,
)
from sfprice.money import exact_product, exact_sum, round_amount, split_amount
from sfprice.period import Month

__all__ = [
    "AllocationShare",
    "BillingRun",
    "ComponentCharge",
    "Invoice",
    "InvoiceLine",
    "bill",
    "price_line",
]


@dataclass(frozen=True, slots=True)
class ComponentCharge:
    """The part of an invoice line that one component of a composite price accounts for."""

    label: str
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class AllocationShare:
    """Why an allocation line charges what it does: the key and the department's share.

    Attributes:
        key: What the key counts, and when (``"kundfakturor 2009-01..2009-09"``).
        driver_quantity: The department's quantity under the key.
        driver_total: The quantity of all departments together.
        share: ``driver_quantity / driver_total``, exact.
        annual_amount: The department's part of the year's pool, spread over the months.
        source: Where the key's quantities come from (the file).
    """

    key: str
    driver_quantity: Decimal
    driver_total: Decimal
    share: Fraction
    annual_amount: Decimal
    source: str = ""


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """One service on one department's invoice for one month.

    Attributes:
        service: Service code.
        name: Swedish name as printed in the price list.
        unit: What one unit is.
        quantity: Units billed (summed over the volume rows).
        unit_price: Price per unit (the total of the components for a composite price).
        amount: ``quantity x unit_price`` rounded to öre.
        components: Per component of a composite price, its unit price and amount.
        price_list: Id of the price list that priced the line.
        price_source: Where the price comes from (seed file and line).
        volume_sources: The volume files and row counts behind the quantity.
        business_area: The business area that sells the service.
        allocation: For a line of an allocated pool (unit ``share``, quantity 1), the key
            and share that produced it; None for a line priced by a price list.
    """

    service: str
    name: str
    unit: Unit
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    components: tuple[ComponentCharge, ...]
    price_list: str
    price_source: str
    volume_sources: tuple[VolumeSource, ...]
    business_area: str = ""
    allocation: AllocationShare | None = None

    @property
    def volume_rows(self) -> int:
        """How many volume rows add up to the quantity."""
        return sum(source.rows for source in self.volume_sources)


@dataclass(frozen=True, slots=True)
class Invoice:
    """One department's charges for one month; the total is the sum of the lines."""

    department: str
    month: Month
    price_list: str
    currency: str
    lines: tuple[InvoiceLine, ...]

    @property
    def total(self) -> Decimal:
        """Sum of the line amounts."""
        return exact_sum(line.amount for line in self.lines)


@dataclass(frozen=True, slots=True)
class BillingRun:
    """The invoices of a billing run, by department (Swedish alphabetical order) and month.

    Attributes:
        year: The year billed, or None when volumes were billed as given.
        currency: Currency of every amount.
        invoices: One invoice per department and month with volumes.
        excluded_rows: Volume rows left out because they fall outside ``year``.
    """

    year: int | None
    currency: str
    invoices: tuple[Invoice, ...]
    excluded_rows: int = 0

    @property
    def total(self) -> Decimal:
        """Sum of the invoice totals."""
        return exact_sum(invoice.total for invoice in self.invoices)

    @property
    def lines(self) -> Iterator[tuple[Invoice, InvoiceLine]]:
        """Every line with its invoice, in invoice order."""
        return ((invoice, line) for invoice in self.invoices for line in invoice.lines)

    def totals_by_department(self) -> dict[str, Decimal]:
        """The year's total per department."""
        amounts: dict[str, list[Decimal]] = defaultdict(list)
        for invoice in self.invoices:
            amounts[invoice.department].append(invoice.total)
        totals = {name: exact_sum(values) for name, values in amounts.items()}
        return dict(sorted(totals.items(), key=lambda item: swedish_key(item[0])))

    def totals_by_service(self) -> dict[str, Decimal]:
        """The run's total per service code."""
        amounts: dict[str, list[Decimal]] = defaultdict(list)
        for _, line in self.lines:
            amounts[line.service].append(line.amount)
        return {code: exact_sum(amounts[code]) for code in sorted(amounts)}

    def invoice(self, department: str, month: Month) -> Invoice | None:
        """The invoice of one department and month, or None."""
        return next(
            (i for i in self.invoices if i.department == department and i.month == month), None
        )

    def to_records(self) -> list[dict[str, object]]:
        """One plain dict per invoice line (Decimals kept), for scripts and DataFrames."""
        return [
            {
                "department": invoice.department,
                "month": str(invoice.month),
                "price_list": invoice.price_list,
                "service": line.service,
                "name": line.name,
                "unit": str(line.unit),
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "amount": line.amount,
                "business_area": line.business_area,
                "volume_rows": line.volume_rows,
            }
            for invoice, line in self.lines
        ]


def price_line(item: PriceItem, price_list: PriceList, entry: VolumeEntry) -> InvoiceLine:
    """Price one volume under one item: the single place where a line amount is rounded."""
    amount = round_amount(exact_product(entry.quantity, item.price), price_list.rounding)
    components: tuple[ComponentCharge, ...] = ()
    if item.components:
        parts = split_amount(
            amount, entry.quantity, tuple(c.price for c in item.components), price_list.rounding
        )
        components = tuple(
            ComponentCharge(c.label, c.price, part)
            for c, part in zip(item.components, parts, strict=True)
        )
    return InvoiceLine(
        service=item.code,
        name=item.name,
        unit=item.unit,
        quantity=entry.quantity,
        unit_price=item.price,
        amount=amount,
        components=components,
        price_list=price_list.id,
        price_source=item.source,
        volume_sources=entry.sources,
        business_area=item.business_area,
    )


def bill(
    catalog: PriceCatalog, volumes: VolumeSet | Iterable[VolumeEntry], *, year: int | None = None
) -> BillingRun:
    """Bill volumes: one invoice per department and month, priced by the list in force.

    Args:
        catalog: The price lists; the one in force on a month's first day prices it.
        volumes: Summed volumes (from :func:`sfprice.read_volumes`).
        year: When given, only that year's months are billed; the rest are counted in
            ``excluded_rows``.

    Raises:
        PriceNotFound: When a month has no list in force, or the list in force lacks a
            service; every such month and service is named, with the lists that exist.
    """
    volume_set = volumes if isinstance(volumes, VolumeSet) else VolumeSet.from_entries(volumes)
    excluded = volume_set.excluded_rows
    grouped: dict[tuple[str, Month], list[InvoiceLine]] = defaultdict(list)
    lists_used: dict[tuple[str, Month], PriceList] = {}
    missing: dict[tuple[Month, str], list[VolumeEntry]] = defaultdict(list)
    for entry in volume_set.entries:
        key = entry.key
        if year is not None and key.month.year != year:
            excluded += entry.rows
            continue
        price_list = catalog.in_force(key.month)
        item = price_list.item(key.service) if price_list is not None else None
        if price_list is None or item is None:
            missing[(key.month, key.service)].append(entry)
            continue
        grouped[(key.department, key.month)].append(price_line(item, price_list, entry))
        lists_used[(key.department, key.month)] = price_list
    if missing:
        raise PriceNotFound(_missing_issues(catalog, missing))
    invoices = []
    for (department, month), lines in sorted(
        grouped.items(), key=lambda item: (swedish_key(item[0][0]), item[0][1])
    ):
        price_list = lists_used[(department, month)]
        order = {code: index for index, code in enumerate(price_list.codes)}
        invoices.append(
            Invoice(
                department,
                month,
                price_list.id,
                price_list.currency,
                tuple(sorted(lines, key=lambda line: order[line.service])),
            )
        )
    currency = catalog.lists[0].currency if len(catalog) else "SEK"
    return BillingRun(year, currency, tuple(invoices), excluded)


def _missing_issues(
    catalog: PriceCatalog, missing: dict[tuple[Month, str], list[VolumeEntry]]
) -> list[Issue]:
    existing = ", ".join(f"{pl.id} ({pl.valid_from}..{pl.valid_to})" for pl in catalog) or "none"
    issues = []
    for (month, service), entries in sorted(missing.items()):
        path = ", ".join(sorted({s.path for e in entries for s in e.sources})) or "<volumes>"
        departments = sorted({e.key.department for e in entries}, key=swedish_key)
        shown = ", ".join(departments[:5]) + (
            f" and {len(departments) - 5} more" if len(departments) > 5 else ""
        )
        in_force = catalog.in_force(month)
        if in_force is None:
            message = (
                f"{month}: no price list is in force for service {service!r} "
                f"(departments {shown}); price lists: {existing}"
            )
        else:
            having = [pl.id for pl in catalog if pl.item(service) is not None]
            message = (
                f"{month}: service {service!r} is not in price list {in_force.id}, "
                f"the list in force (departments {shown}); lists that have it: "
                f"{', '.join(having) or 'none'}; price lists: {existing}"
            )
        issues.append(Issue(path, message))
    return issues
