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
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sfprice.agreements import Agreement, Agreements, Conflict
from sfprice.collation import swedish_key
from sfprice.errors import InputError, Issue, PriceNotFound, Remedy
from sfprice.frames import records_frame
from sfprice.kinds import (
    Charge,
    ChargeBasis,
    ChargeContext,
    ComponentCharge,
    DepartmentTerms,
    LineAmount,
    LinesTerms,
    VolumeTerms,
    customer_year_of,
    priced_by_volume,
)
from sfprice.model import (
    AgreementRef,
    Customer,
    PriceCatalog,
    PriceItem,
    PriceList,
    Unit,
    VolumeEntry,
    VolumeSet,
    VolumeSource,
)
from sfprice.money import exact_sum
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
    "with_customers",
]


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
        agreement: The agreement or override that priced the line (a price group's or
            a customer's own price, a discount, an add-on service), or None when the
            price list's own price did.
        department: On a consolidated invoice (one per paying parent, see
            :mod:`sfprice.engine.consolidate`), the department the line is for; None on
            a department's own invoice.
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
    agreement: AgreementRef | None = None
    department: str | None = None

    @property
    def volume_rows(self) -> int:
        """How many volume rows add up to the quantity."""
        return sum(source.rows for source in self.volume_sources)

    @property
    def volume(self) -> Decimal | None:
        """The units of volume the line prices (its quantity), or None.

        None for a line priced without volumes: a fee, a fee per employee, a percentage, a
        minimum, an allocated share (their quantity is a department-month, a headcount,
        kronor or 1).
        """
        if self.allocation is not None:
            return None
        kind = None if self.basis is None else self.basis.kind
        return self.quantity if priced_by_volume(kind) else None


@dataclass(frozen=True, slots=True)
class Invoice:
    """One department's charges for one month; the total is the sum of the lines.

    ``customer`` is the department's record in the customer register (code, reference,
    address, SIE object), or None when the run had no register or it lacks the department.
    """

    department: str
    month: Month
    price_list: str
    currency: str
    lines: tuple[InvoiceLine, ...]
    customer: Customer | None = None

    @property
    def total(self) -> Decimal:
        """Sum of the line amounts."""
        return exact_sum(line.amount for line in self.lines)

    @property
    def customer_code(self) -> str:
        """The customer's code (ansvarskod) from the register; empty without one."""
        return (self.customer.code or "") if self.customer is not None else ""

    @property
    def reference(self) -> str:
        """The customer's reference person (Er referens); empty without one."""
        return (self.customer.reference or "") if self.customer is not None else ""


#: The keys of :meth:`BillingRun.to_records`, in order.
RECORD_COLUMNS = (
    "department",
    "month",
    "price_list",
    "service",
    "name",
    "unit",
    "quantity",
    "unit_price",
    "amount",
    "business_area",
    "volume_rows",
    "customer_code",
    "reference",
    "agreement",
    "line_department",
)


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

    def to_dataframe(self) -> Any:
        """One row per invoice line as a pandas DataFrame (the ``notebook`` extra).

        The columns of :meth:`to_records`: ``amount`` float64 kr rounded to öre,
        ``quantity`` and ``unit_price`` float64 (a price keeps its decimals),
        ``volume_rows`` float64, ``month`` a pandas ``Period[M]``. Floats are for looking
        and plotting; :meth:`to_records` keeps the exact Decimals.

        Raises:
            sfprice.frames.PandasMissing: When pandas is not installed.
        """
        return records_frame(
            self.to_records(),
            money=("amount",),
            numbers=("quantity", "unit_price", "volume_rows"),
            months=("month",),
            columns=RECORD_COLUMNS,
        )

    def to_records(self) -> list[dict[str, object]]:
        """One plain dict per invoice line (Decimals kept), for scripts and DataFrames.

        The keys are :data:`RECORD_COLUMNS`. ``customer_code`` and ``reference`` are the
        customer register's (empty without it); ``agreement`` the id of the agreement that
        priced the line (empty for the list's own price); ``line_department`` the
        department a line of a consolidated invoice (``--per parent``) is for, else empty.
        """
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
                "customer_code": invoice.customer_code,
                "reference": invoice.reference,
                "agreement": "" if line.agreement is None else line.agreement.id,
                "line_department": line.department or "",
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

    The item's kind charges it (:mod:`sfprice.kinds`): a ``unit`` item quantity x price, a
    ``tiered`` item the quantity by its bands (see :class:`~sfprice.model.TierMode`), a
    ``package`` item the started blocks; the amount is rounded once.

    Args:
        item: The item of the service, of a kind priced from volumes.
        price_list: The list in force, for its id and rounding mode.
        entry: The volume.
        customer: The department in the customer register; needed when the price steps
            down by customer year (the year of the volume's month decides).

    Raises:
        ValueError: When the item is not billed by volume, its price steps down and the
            customer's year is not known, or its kind cannot price the quantity.
    """
    terms = item.terms
    if not isinstance(terms, VolumeTerms):
        msg = f"{item.code}: a {item.kind} item is not billed by volume"
        raise ValueError(msg)
    found = _year_if_needed(item, customer, entry.key.month.year)
    if isinstance(found, str):
        msg = f"{item.code}, {entry.key.department}: {found}"
        raise ValueError(msg)
    charge = terms.charge(item, entry.quantity, ChargeContext(price_list.rounding, customer, found))
    if isinstance(charge, str):
        msg = f"{item.code}, {entry.key.department}, {entry.key.month}: {charge}"
        raise ValueError(msg)
    return _line(item, price_list, charge, entry.sources)


def _year_if_needed(item: PriceItem, customer: Customer | None, year: int) -> int | str | None:
    """The customer's year when the item's price steps down (None when it does not)."""
    return customer_year_of(customer, year) if item.steps_down else None


def _line(
    item: PriceItem,
    price_list: PriceList,
    charge: Charge,
    volume_sources: tuple[VolumeSource, ...],
    agreement: AgreementRef | None = None,
) -> InvoiceLine:
    """The invoice line of an item's charge (``agreement``: the one that priced it)."""
    return InvoiceLine(
        service=item.code,
        name=item.name,
        unit=charge.unit,
        quantity=charge.quantity,
        unit_price=charge.unit_price,
        amount=charge.amount,
        components=charge.components,
        price_list=price_list.id,
        price_source=item.source,
        volume_sources=volume_sources,
        business_area=item.business_area,
        basis=charge.basis,
        agreement=agreement,
    )


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
            need = item.terms.needs_from_register
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
    agreements: Agreements | None = None,
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
            fees of every month billed even without volumes, up to the month of their
            ``leaves`` date; a fee per employee counts the headcount of the month's year
            (:meth:`Customer.employees_in`).
        months: The months fixed fees and fees per employee are billed for; by default the
            months that have volumes (of ``year``). A department gets them in each such
            month when it has volumes then, is in ``customers``, or has its own fee.
        agreements: Agreements and overrides (:class:`~sfprice.agreements.Agreements`):
            the one in force for a line's department (by name, code or its customer's
            ``price_group``) and month prices it, and the line says which
            (``InvoiceLine.agreement``); add-on items are billed in their months.

    Raises:
        PriceNotFound: When a month has no list in force, or the list in force lacks a
            service; every such month and service is named, with the lists that exist.
        InputError: When a volume is of an item not billed by volume (a fixed fee, a
            percentage ...), customer data a price needs is missing, two agreements
            apply to the same department, item and month, or an agreement applies to an
            item it cannot price (not a plain unit price).
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
    unpriceable: list[Issue] = []  # volumes their kind cannot price (a negative package)
    terms_of_agreements = _AgreementProblems()
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
        terms = item.terms
        if not isinstance(terms, VolumeTerms):
            not_by_volume[(key.month, key.service)].append(entry)
            continue
        customer = register.get(key.department)
        agreed = terms_of_agreements.priced(agreements, item, key.department, customer, key.month)
        if agreed is None:
            continue
        item, ref = agreed
        terms = item.terms
        assert isinstance(terms, VolumeTerms)  # an agreement prices unit prices only
        found = _year_if_needed(item, customer, key.month.year)
        if isinstance(found, str):
            problems.add(key.department, item, price_list, found)
            continue
        charge = terms.charge(
            item, entry.quantity, ChargeContext(price_list.rounding, customer, found)
        )
        if isinstance(charge, str):
            unpriceable.append(_unpriceable_issue(item, price_list, entry, charge))
            continue
        grouped[(key.department, key.month)].append(
            _line(item, price_list, charge, entry.sources, ref)
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
    if not_by_volume or unpriceable:
        raise InputError(_not_by_volume_issues(catalog, not_by_volume) + unpriceable)
    for month in sorted(set(months) if months is not None else billed):
        price_list = catalog.in_force(month)
        if price_list is not None:
            departments = billed.get(month, set()) | set(register)
            stage = _Stage2(price_list, month, grouped, lists_used, register)
            _add_fees(stage, departments, problems, agreements, terms_of_agreements)
            if agreements is not None:
                _add_ons(stage, departments, agreements, problems, terms_of_agreements)
    terms_of_agreements.check()
    problems.check()
    invoices = []
    for (department, month), lines in sorted(
        grouped.items(), key=lambda item: (swedish_key(item[0][0]), item[0][1])
    ):
        price_list = lists_used[(department, month)]
        lines.extend(_derived_lines(price_list, lines))
        invoices.append(
            Invoice(
                department,
                month,
                price_list.id,
                price_list.currency,
                _in_list_order(price_list, lines),
                register.get(department),
            )
        )
    currency = catalog.lists[0].currency if len(catalog) else "SEK"
    return BillingRun(year, currency, tuple(invoices), excluded)


def with_customers(
    run: BillingRun, customers: Mapping[str, Customer] | Iterable[Customer] | None
) -> BillingRun:
    """``run`` with each invoice's ``customer`` set to its department's register record.

    For invoices made after :func:`bill` (an allocation pool's invoice of a department
    without volumes): every invoice gets the record of its department, or None when the
    register lacks it. Without a register the run is returned as it is.
    """
    if customers is None:
        return run
    register = _register(customers)
    return replace(
        run,
        invoices=tuple(replace(i, customer=register.get(i.department)) for i in run.invoices),
    )


@dataclass(frozen=True, slots=True)
class _Stage2:
    """What stage 2 (charges per department and month) adds lines to, for one month."""

    price_list: PriceList
    month: Month
    grouped: dict[tuple[str, Month], list[InvoiceLine]]
    lists_used: dict[tuple[str, Month], PriceList]
    register: dict[str, Customer]

    def add(self, department: str, line: InvoiceLine) -> None:
        self.grouped[(department, self.month)].append(line)
        self.lists_used[(department, self.month)] = self.price_list

    def customer(self, department: str) -> Customer | None:
        """The department's register record as of the month (that year's headcount)."""
        customer = self.register.get(department)
        if customer is not None and customer.employees_by_year:
            # A per-employee fee reads ``employees``: the headcount of the year billed.
            customer = replace(customer, employees=customer.employees_in(self.month.year))
        return customer

    def has_left(self, department: str) -> bool:
        """True when the department left the register before the month (no more fees)."""
        customer = self.register.get(department)
        return (
            customer is not None
            and customer.leaves is not None
            and self.month.first_day > customer.leaves
        )

    def charge(self, item: PriceItem, department: str, problems: _Problems) -> Charge | None:
        """An item's charge per department and month, or None (a problem is recorded)."""
        assert isinstance(item.terms, DepartmentTerms)  # chosen by the callers
        customer = self.customer(department)
        found = _year_if_needed(item, customer, self.month.year)
        charge = (
            found
            if isinstance(found, str)
            else item.terms.charge(
                item, department, ChargeContext(self.price_list.rounding, customer, found)
            )
        )
        if isinstance(charge, str):
            problems.add(department, item, self.price_list, charge)
            return None
        return charge


def _add_fees(
    stage: _Stage2,
    departments: set[str],
    problems: _Problems,
    agreements: Agreements | None,
    agreement_problems: _AgreementProblems,
) -> None:
    """Add the lines of the kinds charged per department and month (stage 2)."""
    items = [i for i in stage.price_list.items if isinstance(i.terms, DepartmentTerms)]
    if not items:
        return
    every = departments | {d for i in items for d in i.fees}
    for department in sorted(every, key=swedish_key):
        if stage.has_left(department):
            continue  # it has left: no fees after the month it leaves in
        customer = stage.customer(department)
        for item in items:
            # An agreement on a fee is refused (it prices unit prices only), never ignored.
            if agreement_problems.priced(agreements, item, department, customer, stage.month):
                charge = stage.charge(item, department, problems)
                if charge is not None:
                    stage.add(department, _line(item, stage.price_list, charge, ()))


def _add_ons(
    stage: _Stage2,
    departments: set[str],
    agreements: Agreements,
    problems: _Problems,
    agreement_problems: _AgreementProblems,
) -> None:
    """Add the add-on items (tilläggstjänster) in force in the month (stage 2).

    A department gets an add-on of its own agreement in each month billed, with or
    without volumes; a price group's add-on goes to the group's departments of the month.
    """
    codes = {c.code for c in stage.register.values() if c.code is not None}
    named = {
        a.customer
        for a in agreements
        if a.add_on is not None and a.customer is not None and a.in_force(stage.month)
    }
    every = departments | (named - codes)
    pairs = [
        (d, stage.customer(d)) for d in sorted(every, key=swedish_key) if not stage.has_left(d)
    ]
    for department, found in agreements.add_ons(pairs, stage.month):
        if isinstance(found, Conflict):
            agreement_problems.conflict(found)
            continue
        assert found.add_on is not None  # add_ons() gives add-on agreements only
        charge = stage.charge(found.add_on, department, problems)
        if charge is not None:
            line = _line(found.add_on, stage.price_list, charge, (), found.ref)
            stage.add(department, line)


class _AgreementProblems:
    """Agreements that conflict or cannot price an item, each pair or item once."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, ...], Issue] = {}

    def priced(
        self,
        agreements: Agreements | None,
        item: PriceItem,
        department: str,
        customer: Customer | None,
        month: Month,
    ) -> tuple[PriceItem, AgreementRef | None] | None:
        """The item as the agreement in force prices it, with its reference.

        None when two agreements conflict or the one in force cannot price the item (the
        problem is recorded).
        """
        chosen = (
            None if agreements is None else agreements.choose(item, department, customer, month)
        )
        if chosen is None:
            return item, None
        if isinstance(chosen, Conflict):
            self.conflict(chosen)
            return None
        problem = chosen.support_problem(item)
        if problem is not None:
            self._add((chosen.id, item.code), chosen, problem)
            return None
        assert agreements is not None  # chosen is one of them
        base = agreements.beneath(chosen, item, department, customer, month)
        if isinstance(base, Conflict):
            self.conflict(base)
            return None
        if base is None:
            return chosen.priced(item), chosen.ref
        # A customer's discount on its group's price: both exact; the line rounds once.
        return chosen.priced(base.priced(item)), chosen.ref_on(base)

    def conflict(self, found: Conflict) -> None:
        first, second = found.first, found.second
        self._add(
            (first.id, second.id),
            first,
            f"agreements {first.id} and {second.id} both apply to {found.department}, "
            f"{found.item} in {found.month} ({second.field or second.id}); "
            "give one of them other months, or remove one",
        )

    def _add(self, key: tuple[str, ...], agreement: Agreement, text: str) -> None:
        if key not in self.found:
            self.found[key] = Issue(
                agreement.path or "<agreements>",
                text,
                line=agreement.line,
                field=agreement.field or None,
            )

    def check(self) -> None:
        if self.found:
            raise InputError(list(self.found.values()))


def _in_list_order(price_list: PriceList, lines: Iterable[InvoiceLine]) -> tuple[InvoiceLine, ...]:
    """Lines in the list's item order; add-on lines (codes not in the list) after them."""
    order = {code: index for index, code in enumerate(price_list.codes)}
    return tuple(sorted(lines, key=lambda line: order.get(line.service, len(order))))


def _derived_lines(price_list: PriceList, lines: list[InvoiceLine]) -> list[InvoiceLine]:
    """The lines computed on other lines of one invoice (stages 3 and 4), stage by stage.

    Each stage sees the lines of the stages before it, in the list's item order: the
    percentages (stage 3) the volume and fee lines, the minimums (stage 4) those and the
    percentages.
    """
    before = list(_in_list_order(price_list, lines))
    added: list[InvoiceLine] = []
    derived = [i for i in price_list.items if isinstance(i.terms, LinesTerms)]
    for stage in sorted({i.terms.stage for i in derived}):
        base = [LineAmount(line.service, line.amount, line.quantity) for line in before + added]
        for item in derived:
            assert isinstance(item.terms, LinesTerms)  # chosen above
            if item.terms.stage is stage:
                charge = item.terms.charge(item, base, price_list.rounding)
                if charge is not None:
                    added.append(_line(item, price_list, charge, ()))
    return added


def _unpriceable_issue(
    item: PriceItem, price_list: PriceList, entry: VolumeEntry, problem: str
) -> Issue:
    key = entry.key
    path = ", ".join(sorted({s.path for s in entry.sources})) or "<volumes>"
    return Issue(
        path,
        f"{key.month}: {key.department}: service {key.service!r} ({item.kind} in price list "
        f"{price_list.id}) cannot be billed: {problem}",
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
