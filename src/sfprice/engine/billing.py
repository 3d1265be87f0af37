"""Billing: price volumes under the price list in force and build monthly invoices.

Pure functions over the domain model; nothing here reads files or prints.

Money rule: a line's amount is ``quantity x unit price`` rounded once to öre with the
rounding mode of the price list in force (half-up unless it says otherwise). The amounts of
a composite price's components are rounded the same way, the last component taking the
difference, so the components always add up to the line. An invoice total is the sum of its
lines and the run total the sum of the invoices: nothing is rounded twice.

The order per department and month (``docs/file-formats.md``, Price kinds):

a. ``unit`` and ``tiered`` items, from the volumes;
b. ``fixed_monthly`` and ``per_employee`` items, for every department of the run;
c. ``percentage`` items, on the lines of a and b;
d. ``minimum`` items, on the lines of a, b and c.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import (
    MAX_PREC,
    ROUND_CEILING,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    Decimal,
    localcontext,
)
from fractions import Fraction

from sfprice.collation import swedish_key
from sfprice.errors import InputError, Issue, PriceNotFound, Remedy
from sfprice.model import (
    Customer,
    PriceCatalog,
    PriceItem,
    PriceKind,
    PriceList,
    Tier,
    TierMode,
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
    "ChargeBasis",
    "ComponentCharge",
    "Invoice",
    "InvoiceLine",
    "bill",
    "price_line",
]


@dataclass(frozen=True, slots=True)
class ComponentCharge:
    """The part of an invoice line that one component of a composite price accounts for.

    Attributes:
        label: The component ("Tillägg manuell rapportering", "Steg 2: över 1000 t.o.m.
            5000").
        unit_price: Its price per unit.
        amount: Its part of the line amount.
        quantity: The units it prices when not the line's quantity (a band of a tiered
            price); None when it prices every unit of the line (a composite price).
    """

    label: str
    unit_price: Decimal
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ChargeBasis:
    """Why a line of another price kind than a plain unit price charges what it does.

    Attributes:
        kind: The item's kind.
        customer_year: For a price that steps down: the customer's year (1 = first).
        first_year: The customer's first year, from the register.
        tier_mode: For a tiered price: graduated or volume.
        rate: For a percentage: the rate (``0.05``).
        minimum: For a minimum: the minimum amount.
        base_amount: For a percentage or a minimum: the sum of the lines it is computed on.
        services: For a percentage or a minimum: the service codes of those lines.
        source: Where the customer data comes from (register file and line).
    """

    kind: PriceKind
    customer_year: int | None = None
    first_year: int | None = None
    tier_mode: TierMode | None = None
    rate: Decimal | None = None
    minimum: Decimal | None = None
    base_amount: Decimal | None = None
    services: tuple[str, ...] = ()
    source: str = ""


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
        basis: For a line of another price kind than a plain unit price (a fixed fee, a
            fee per employee, a tiered price, a percentage, a minimum, a price by customer
            year), what it was computed from; None otherwise.
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
    basis: ChargeBasis | None = None

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


def price_line(
    item: PriceItem,
    price_list: PriceList,
    entry: VolumeEntry,
    *,
    customer: Customer | None = None,
) -> InvoiceLine:
    """Price one volume under one item, rounding the line amount once.

    A ``unit`` item charges quantity x price; a ``tiered`` item charges the quantity by its
    bands (see :class:`~sfprice.model.TierMode`), the sum of the bands rounded once.

    Args:
        item: The item of the service, of kind ``unit`` or ``tiered``.
        price_list: The list in force, for its id and rounding mode.
        entry: The volume.
        customer: The department in the customer register; needed when the price steps
            down by customer year (the year of the volume's month decides).

    Raises:
        ValueError: When the item is not billed by volume, or its price steps down and the
            customer's year is not known.
    """
    if item.kind is PriceKind.TIERED:
        return _tier_line(item, price_list, entry)
    if item.kind is not PriceKind.UNIT:
        msg = f"{item.code}: a {item.kind} item is not billed by volume"
        raise ValueError(msg)
    unit_price = item.price
    basis = None
    if item.steps_down:
        year = _customer_year(customer, entry.key.month.year)
        if isinstance(year, str):
            msg = f"{item.code}, {entry.key.department}: {year}"
            raise ValueError(msg)
        unit_price = item.price_in_year(year)
        basis = _year_basis(PriceKind.UNIT, year, customer)
    amount = round_amount(exact_product(entry.quantity, unit_price), price_list.rounding)
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
        unit_price=unit_price,
        amount=amount,
        components=components,
        price_list=price_list.id,
        price_source=item.source,
        volume_sources=entry.sources,
        business_area=item.business_area,
        basis=basis,
    )


def _year_basis(kind: PriceKind, year: int | None, customer: Customer | None) -> ChargeBasis:
    return ChargeBasis(
        kind,
        customer_year=year,
        first_year=customer.first_year if customer is not None and year is not None else None,
        source=customer.source if customer is not None else "",
    )


def _customer_year(customer: Customer | None, year: int) -> int | str:
    """The customer's year in ``year`` (1 = the first), or what is missing to know it."""
    if customer is None:
        return "the department is not in the customer register (needed for its first year)"
    if customer.first_year is None:
        return "the customer register gives no first year (first_year, första_år)"
    customer_year = customer.customer_year(year)
    if customer_year is None or customer_year < 1:
        return f"the first year {customer.first_year} is after the year billed, {year}"
    return customer_year


def _band_label(index: int, lower: Decimal, up_to: Decimal | None) -> str:
    # "Steg 1: t.o.m. 1000", "Steg 2: över 1000 t.o.m. 5000", "Steg 3: över 5000"
    low, high = format(lower, "f"), format(up_to, "f") if up_to is not None else ""
    if up_to is None:
        return f"Steg {index}: över {low}" if lower else f"Steg {index}: alla"
    if not lower:
        return f"Steg {index}: t.o.m. {high}"
    return f"Steg {index}: över {low} t.o.m. {high}"


def _bands(tiers: tuple[Tier, ...]) -> Iterator[tuple[int, Tier, Decimal]]:
    """(1-based index, tier, lower bound) of each band; a band holds (lower, up_to]."""
    lower = Decimal(0)
    for index, tier in enumerate(tiers, start=1):
        yield index, tier, lower
        if tier.up_to is not None:
            lower = tier.up_to


def _tier_line(item: PriceItem, price_list: PriceList, entry: VolumeEntry) -> InvoiceLine:
    quantity, mode = entry.quantity, price_list.rounding
    bands = list(_bands(item.tiers))
    if item.tier_mode is TierMode.VOLUME:
        # Every unit at the price of the band the quantity reaches (up_to is inclusive).
        index, tier, lower = next(
            band for band in bands if band[1].up_to is None or quantity <= band[1].up_to
        )
        unit_price = tier.price
        amount = round_amount(exact_product(quantity, unit_price), mode)
        components: tuple[ComponentCharge, ...] = (
            ComponentCharge(_band_label(index, lower, tier.up_to), unit_price, amount, quantity),
        )
    else:
        # Each unit at the price of its band; the sum of the bands rounded once.
        used: list[tuple[int, Tier, Decimal, Decimal]] = []
        for index, tier, lower in bands:
            top = quantity if tier.up_to is None else min(quantity, tier.up_to)
            if top > lower:
                with localcontext() as context:
                    context.prec = MAX_PREC  # the quantity in the band, exact
                    used.append((index, tier, lower, top - lower))
        if not used:  # a quantity of 0
            index, tier, lower = bands[0]
            used = [(index, tier, lower, quantity)]
        exact = exact_sum((exact_product(n, tier.price) for _, tier, _, n in used), Decimal(0))
        amount = round_amount(exact, mode)
        parts = [round_amount(exact_product(n, tier.price), mode) for _, tier, _, n in used[:-1]]
        parts.append(amount - exact_sum(parts, Decimal(0)))
        components = tuple(
            ComponentCharge(_band_label(index, lower, tier.up_to), tier.price, part, n)
            for (index, tier, lower, n), part in zip(used, parts, strict=True)
        )
        unit_price = used[0][1].price if len(used) == 1 else _average_price(amount, quantity, mode)
    return InvoiceLine(
        service=item.code,
        name=item.name,
        unit=item.unit,
        quantity=quantity,
        unit_price=unit_price,
        amount=amount,
        components=components,
        price_list=price_list.id,
        price_source=item.source,
        volume_sources=entry.sources,
        business_area=item.business_area,
        basis=ChargeBasis(PriceKind.TIERED, tier_mode=item.tier_mode),
    )


def _average_price(amount: Decimal, quantity: Decimal, mode: str) -> Decimal:
    """The price per unit with the fewest decimals (2 or more) that bills ``amount``.

    A graduated line has no single price; this average keeps ``quantity x unit price``
    equal to the amount after the line's one rounding.
    """
    with localcontext() as context:
        context.prec = 120
        exact = amount / quantity
        for places in range(2, 100):
            quantum = Decimal(1).scaleb(-places)
            for rounding in (ROUND_HALF_EVEN, ROUND_CEILING, ROUND_FLOOR):
                candidate = exact.quantize(quantum, rounding=rounding)
                if round_amount(exact_product(quantity, candidate), mode) == amount:
                    return candidate
    return exact  # pragma: no cover - 100 decimals always suffice


def _register(
    customers: Mapping[str, Customer] | Iterable[Customer] | None,
) -> dict[str, Customer]:
    if customers is None:
        return {}
    values = customers.values() if isinstance(customers, Mapping) else customers
    register: dict[str, Customer] = {}
    for customer in values:
        if customer.department in register:
            msg = f"the customer register has {customer.department!r} twice"
            raise ValueError(msg)
        register[customer.department] = customer
    return register


class _Problems:
    """Missing customer data, one issue per department, item and problem (not per month).

    Without any register, one issue per item names the departments that need it.
    """

    def __init__(self, register: dict[str, Customer], given: bool) -> None:
        self.register = register
        self.given = given
        self.found: dict[tuple[str, str, str], Issue] = {}
        self.unregistered: dict[tuple[str, str], tuple[PriceItem, PriceList, list[str]]] = {}

    def add(self, department: str, item: PriceItem, price_list: PriceList, problem: str) -> None:
        if not self.given:
            entry = self.unregistered.setdefault((price_list.id, item.code), (item, price_list, []))
            if department not in entry[2]:
                entry[2].append(department)
            return
        key = (department, item.code, problem)
        if key in self.found:
            return
        customer = self.register.get(department)
        path, line = "<customer register>", None
        if customer is not None and customer.source:
            where, _, number = customer.source.rpartition(":")
            path, line = (where, int(number)) if number.isdigit() else (customer.source, None)
        else:
            sources = {c.source.rpartition(":")[0] for c in self.register.values() if c.source}
            if len(sources) == 1:
                path = sources.pop()
        self.found[key] = Issue(
            path,
            f"{department}: {item.code} ({item.kind} in price list {price_list.id}) cannot be "
            f"billed: {problem}",
            line=line,
        )

    def check(self) -> None:
        issues = sorted(
            self.found.values(), key=lambda i: (i.path, i.line or 0, swedish_key(i.message))
        )
        for item, price_list, departments in sorted(
            self.unregistered.values(),
            key=lambda found: (found[1].valid_from, found[1].codes.index(found[0].code)),
        ):
            ordered = sorted(departments, key=swedish_key)
            shown = ", ".join(ordered[:5]) + (
                f" and {len(ordered) - 5} more" if len(ordered) > 5 else ""
            )
            need = "headcount" if item.kind is PriceKind.PER_EMPLOYEE else "first year"
            issues.append(
                Issue(
                    price_list.path or price_list.id,
                    f"{item.code} ({item.kind}) needs each department's {need} from a "
                    f"customer register, and none was given {Remedy.GIVE_CUSTOMERS}; "
                    f"departments: {shown}",
                    field=f"items ({item.code})",
                )
            )
        if issues:
            raise InputError(issues)


def bill(
    catalog: PriceCatalog,
    volumes: VolumeSet | Iterable[VolumeEntry],
    *,
    year: int | None = None,
    customers: Mapping[str, Customer] | Iterable[Customer] | None = None,
    months: Iterable[Month] | None = None,
) -> BillingRun:
    """Bill volumes: one invoice per department and month, priced by the list in force.

    Per department and month, the lines come in this order (each list prints its lines in
    its own item order): ``unit`` and ``tiered`` items from the volumes; ``fixed_monthly``
    and ``per_employee`` items for every department of the month (see ``months``);
    ``percentage`` items on those lines; ``minimum`` items on all of them.

    Args:
        catalog: The price lists; the one in force on a month's first day prices it.
        volumes: Summed volumes (from :func:`sfprice.read_volumes`).
        year: When given, only that year's months are billed; the rest are counted in
            ``excluded_rows``.
        customers: The customer register (headcount, first year), by department; needed
            by fees per employee and prices by customer year. Its departments get the fixed
            fees of every month billed even without volumes.
        months: The months fixed fees and fees per employee are billed for; by default the
            months that have volumes (of ``year``). A department gets them in each such
            month when it has volumes then, is in ``customers``, or has its own fee.

    Raises:
        PriceNotFound: When a month has no list in force, or the list in force lacks a
            service; every such month and service is named, with the lists that exist.
        InputError: When a volume is of an item not billed by volume (a fixed fee, a
            percentage ...), or customer data a price needs is missing.
    """
    volume_set = volumes if isinstance(volumes, VolumeSet) else VolumeSet.from_entries(volumes)
    register = _register(customers)
    problems = _Problems(register, customers is not None)
    excluded = volume_set.excluded_rows
    grouped: dict[tuple[str, Month], list[InvoiceLine]] = defaultdict(list)
    lists_used: dict[tuple[str, Month], PriceList] = {}
    missing: dict[tuple[Month, str], list[VolumeEntry]] = defaultdict(list)
    not_by_volume: dict[tuple[Month, str], list[VolumeEntry]] = defaultdict(list)
    billed: dict[Month, set[str]] = defaultdict(set)  # the departments with volumes
    for entry in volume_set.entries:
        key = entry.key
        if year is not None and key.month.year != year:
            excluded += entry.rows
            continue
        billed[key.month].add(key.department)
        price_list = catalog.in_force(key.month)
        item = price_list.item(key.service) if price_list is not None else None
        if price_list is None or item is None:
            missing[(key.month, key.service)].append(entry)
            continue
        if not item.kind.by_volume:
            not_by_volume[(key.month, key.service)].append(entry)
            continue
        customer = register.get(key.department)
        if item.steps_down:
            found = _customer_year(customer, key.month.year)
            if isinstance(found, str):
                problems.add(key.department, item, price_list, found)
                continue
        grouped[(key.department, key.month)].append(
            price_line(item, price_list, entry, customer=customer)
        )
        lists_used[(key.department, key.month)] = price_list
    if missing:
        raise PriceNotFound(
            _missing_issues(catalog, missing),
            [
                (str(month), service, tuple(sorted({s.path for e in entries for s in e.sources})))
                for (month, service), entries in sorted(missing.items())
            ],
        )
    if not_by_volume:
        raise InputError(_not_by_volume_issues(catalog, not_by_volume))
    for month in sorted(set(months) if months is not None else billed):
        price_list = catalog.in_force(month)
        if price_list is not None:
            departments = billed.get(month, set()) | set(register)
            _add_fees(price_list, month, departments, grouped, lists_used, register, problems)
    problems.check()
    invoices = []
    for (department, month), lines in sorted(
        grouped.items(), key=lambda item: (swedish_key(item[0][0]), item[0][1])
    ):
        price_list = lists_used[(department, month)]
        lines.extend(_derived_lines(price_list, lines))
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


def _add_fees(
    price_list: PriceList,
    month: Month,
    departments: set[str],
    grouped: dict[tuple[str, Month], list[InvoiceLine]],
    lists_used: dict[tuple[str, Month], PriceList],
    register: dict[str, Customer],
    problems: _Problems,
) -> None:
    """Add the fixed fees and fees per employee of one month (step b)."""
    items = [
        i for i in price_list.items if i.kind in (PriceKind.FIXED_MONTHLY, PriceKind.PER_EMPLOYEE)
    ]
    if not items:
        return
    every = departments | {d for i in items for d in i.fees}
    for department in sorted(every, key=swedish_key):
        customer = register.get(department)
        for item in items:
            line = _fee_line(item, price_list, department, month, customer, problems)
            if line is not None:
                grouped[(department, month)].append(line)
                lists_used[(department, month)] = price_list


def _fee_line(
    item: PriceItem,
    price_list: PriceList,
    department: str,
    month: Month,
    customer: Customer | None,
    problems: _Problems,
) -> InvoiceLine | None:
    year: int | None = None
    if item.steps_down:
        found = _customer_year(customer, month.year)
        if isinstance(found, str):
            problems.add(department, item, price_list, found)
            return None
        year = found
    if item.kind is PriceKind.FIXED_MONTHLY:
        fee = item.fee_for(department, year)
        if fee is None:
            return None  # not in the fees table and no default fee
        quantity, unit_price = Decimal(1), fee
    else:
        if customer is None or customer.employees is None:
            problems.add(
                department,
                item,
                price_list,
                "the customer register gives no headcount (employees, anställda)"
                if customer is not None
                else "the department is not in the customer register (needed for its headcount)",
            )
            return None
        quantity = Decimal(customer.employees)
        unit_price = item.price if year is None else item.price_in_year(year)
    amount = round_amount(exact_product(quantity, unit_price), price_list.rounding)
    uses_register = item.kind is PriceKind.PER_EMPLOYEE or year is not None
    return InvoiceLine(
        service=item.code,
        name=item.name,
        unit=item.unit,
        quantity=quantity,
        unit_price=unit_price,
        amount=amount,
        components=(),
        price_list=price_list.id,
        price_source=item.source,
        volume_sources=(),
        business_area=item.business_area,
        basis=_year_basis(item.kind, year, customer if uses_register else None),
    )


def _derived_lines(price_list: PriceList, lines: list[InvoiceLine]) -> list[InvoiceLine]:
    """The percentage lines (step c) and then the minimum lines (step d) of one invoice."""
    mode = price_list.rounding
    order = {code: index for index, code in enumerate(price_list.codes)}
    lines = sorted(lines, key=lambda line: order[line.service])
    added: list[InvoiceLine] = []
    for item in price_list.items:
        if item.kind is not PriceKind.PERCENTAGE or item.rate is None:
            continue
        matched = [line for line in lines if item.matches(line.service)]
        if not matched:
            continue
        base = exact_sum(line.amount for line in matched)
        added.append(
            _derived_line(
                item,
                price_list,
                Unit.PERCENT,
                base,
                item.rate,
                round_amount(exact_product(base, item.rate), mode),
                ChargeBasis(
                    PriceKind.PERCENTAGE,
                    rate=item.rate,
                    base_amount=base,
                    services=_codes(matched),
                ),
            )
        )
    after = lines + added
    for item in price_list.items:
        if item.kind is not PriceKind.MINIMUM:
            continue
        matched = [line for line in after if item.matches(line.service)]
        if not matched:
            continue  # a minimum never charges for services not used that month
        base = exact_sum(line.amount for line in matched)
        difference = round_amount(item.price - base, mode)
        if difference <= 0:
            continue
        added.append(
            _derived_line(
                item,
                price_list,
                Unit.DEPARTMENT_MONTH,
                Decimal(1),
                difference,
                difference,
                ChargeBasis(
                    PriceKind.MINIMUM,
                    minimum=item.price,
                    base_amount=base,
                    services=_codes(matched),
                ),
            )
        )
    return added


def _codes(lines: Iterable[InvoiceLine]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(line.service for line in lines))


def _derived_line(
    item: PriceItem,
    price_list: PriceList,
    unit: Unit,
    quantity: Decimal,
    unit_price: Decimal,
    amount: Decimal,
    basis: ChargeBasis,
) -> InvoiceLine:
    return InvoiceLine(
        service=item.code,
        name=item.name,
        unit=unit,
        quantity=quantity,
        unit_price=unit_price,
        amount=amount,
        components=(),
        price_list=price_list.id,
        price_source=item.source,
        volume_sources=(),
        business_area=item.business_area,
        basis=basis,
    )


def _not_by_volume_issues(
    catalog: PriceCatalog, found: dict[tuple[Month, str], list[VolumeEntry]]
) -> list[Issue]:
    issues = []
    for (month, service), entries in sorted(found.items()):
        price_list = catalog.in_force(month)
        item = price_list.item(service) if price_list is not None else None
        kind = item.kind if item is not None else "?"
        path = ", ".join(sorted({s.path for e in entries for s in e.sources})) or "<volumes>"
        issues.append(
            Issue(
                path,
                f"{month}: service {service!r} is a {kind} price in price list "
                f"{price_list.id if price_list else '?'}, billed without volumes "
                f"(departments {_shown(entries)}); leave it out of the volume files",
            )
        )
    return issues


def _shown(entries: list[VolumeEntry]) -> str:
    departments = sorted({e.key.department for e in entries}, key=swedish_key)
    return ", ".join(departments[:5]) + (
        f" and {len(departments) - 5} more" if len(departments) > 5 else ""
    )


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
