"""Allocation keys: share a yearly pool among departments and bill it month by month.

The 2010 rules (``004_c98e6cf4bb870a81.txt:275``) share two pools by keys: cash and bank
services by each department's share of the city's customer-ledger invoices in January to
September of the previous year, and Agresso system management by its share of the Agresso
users in July of the previous year. The amounts of the pools (the seeds' bilaga 6) are
missing, so they are user input.

Money rule: a pool is split once, to öre, by largest remainder
(:func:`sfprice.money.allocate`), so the departments' parts always sum exactly to the pool.
Each part is then spread evenly over the billed months, each month rounded down to öre and
the remainder put in the last month, so the months sum exactly to the part. Nothing is
rounded twice.

Pure functions: nothing here reads files or prints. :mod:`sfprice.io.allocations` loads
pools and keys from files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from sfprice.collation import swedish_key
from sfprice.engine.billing import AllocationShare, BillingRun, Invoice, InvoiceLine
from sfprice.model import AllocationPool, Driver, PriceCatalog, Unit
from sfprice.money import allocate, spread_evenly
from sfprice.period import Month

__all__ = [
    "AllocationPool",
    "DepartmentPart",
    "Driver",
    "MonthlyCharge",
    "PoolAllocation",
    "allocate_pool",
    "drivers_from_volumes",
    "monthly_charges",
    "with_allocations",
    "year_months",
]


@dataclass(frozen=True, slots=True)
class DepartmentPart:
    """One department's part of a pool for the year.

    Attributes:
        department: The department.
        quantity: Its quantity under the key (the driver).
        share: ``quantity / total of the driver``, exact (0 when the driver is all zero).
        amount: Its part of the pool, in öre; the parts sum exactly to the pool.
    """

    department: str
    quantity: Decimal
    share: Fraction
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PoolAllocation:
    """A pool shared among departments by a key.

    Attributes:
        pool: The pool.
        driver: The key's quantities per department.
        parts: One part per department of the driver, in Swedish alphabetical order.
    """

    pool: AllocationPool
    driver: Driver
    parts: tuple[DepartmentPart, ...]

    @property
    def total(self) -> Decimal:
        """The sum of the parts: always the pool's amount."""
        return sum((part.amount for part in self.parts), Decimal("0.00"))

    def part(self, department: str) -> DepartmentPart | None:
        """The part of one department, or None if the key does not count it."""
        return next((p for p in self.parts if p.department == department), None)


@dataclass(frozen=True, slots=True)
class MonthlyCharge:
    """What one department pays of a pool in one month.

    Attributes:
        department: The department.
        month: The month billed.
        amount: The month's amount: the part divided evenly, rounded down to öre, and in
            the last month what is left of the part.
        part: The year's part the month's amount comes from.
    """

    department: str
    month: Month
    amount: Decimal
    part: DepartmentPart


def year_months(year: int) -> tuple[Month, ...]:
    """The twelve months of a year.

    >>> [str(m) for m in year_months(2010)][::11]
    ['2010-01', '2010-12']
    """
    return tuple(Month(year, month) for month in range(1, 13))


#: A key from volumes: each department's quantity of some services in a window of months
#: (:meth:`Driver.from_volumes <sfprice.model.Driver.from_volumes>` under its engine name).
drivers_from_volumes = Driver.from_volumes


def allocate_pool(pool: AllocationPool, driver: Driver) -> PoolAllocation:
    """Share a pool among the departments of a key, in proportion to their quantities.

    The parts are rounded to öre by largest remainder, so they sum exactly to the pool;
    ties go to the department that sorts first, whatever the order of the key.

    >>> pool = AllocationPool("economy.cash_bank", "Kassa och bank", Decimal("100.00"))
    >>> driver = Driver("fakturor", {"B": Decimal(1), "A": Decimal(1), "C": Decimal(1)})
    >>> [(p.department, str(p.share), p.amount) for p in allocate_pool(pool, driver).parts]
    [('A', '1/3', Decimal('33.34')), ('B', '1/3', Decimal('33.33')), ('C', '1/3', Decimal('33.33'))]

    Raises:
        ValueError: When the pool is not zero but the key counts nothing for anyone.
    """
    total = driver.total
    if total == 0 and pool.amount != 0:
        msg = (
            f"pool {pool.code}: cannot share {pool.amount}: the key "
            f"({driver.description}) is 0 for every department"
        )
        raise ValueError(msg)
    amounts = allocate(pool.amount, driver.quantities)
    exact_total = Fraction(total)
    parts = tuple(
        DepartmentPart(
            department,
            quantity,
            Fraction(quantity) / exact_total if total else Fraction(0),
            amounts[department],
        )
        for department, quantity in driver.quantities.items()
    )
    return PoolAllocation(pool, driver, parts)


def monthly_charges(
    allocation: PoolAllocation, months: Iterable[Month]
) -> tuple[MonthlyCharge, ...]:
    """Spread each department's part of a pool evenly over the billed months.

    Each month gets the part divided by the number of months, rounded down to öre; the
    last month also gets the remainder, so the months sum exactly to the part. A department
    whose part is 0 gets no charges.

    >>> pool = AllocationPool("economy.cash_bank", "Kassa och bank", Decimal("1000000.00"))
    >>> driver = Driver("fakturor", {"k": Decimal(30_000), "others": Decimal(1_170_000)})
    >>> charges = monthly_charges(allocate_pool(pool, driver), year_months(2010))
    >>> [(c.month.month, c.amount) for c in charges if c.department == "k"][-2:]
    [(11, Decimal('2083.33')), (12, Decimal('2083.37'))]

    Raises:
        ValueError: When there are no months.
    """
    billed = sorted(set(months))
    if not billed:
        msg = "no months to spread the pool over"
        raise ValueError(msg)
    charges: list[MonthlyCharge] = []
    for part in allocation.parts:
        if part.amount == 0:
            continue
        for month, amount in zip(billed, spread_evenly(part.amount, len(billed)), strict=True):
            charges.append(MonthlyCharge(part.department, month, amount, part))
    return tuple(charges)


def _allocation_line(
    allocation: PoolAllocation, charge: MonthlyCharge, price_list: str
) -> InvoiceLine:
    pool, driver, part = allocation.pool, allocation.driver, charge.part
    return InvoiceLine(
        service=pool.code,
        name=pool.name,
        unit=Unit.SHARE,
        quantity=Decimal(1),
        unit_price=charge.amount,
        amount=charge.amount,
        components=(),
        price_list=price_list,
        price_source=pool.source,
        volume_sources=(),
        business_area=pool.business_area,
        allocation=AllocationShare(
            key=driver.description,
            driver_quantity=part.quantity,
            driver_total=driver.total,
            share=part.share,
            annual_amount=part.amount,
            source=driver.source,
        ),
    )


def with_allocations(
    run: BillingRun,
    allocations: Iterable[PoolAllocation],
    *,
    months: Sequence[Month] | None = None,
    catalog: PriceCatalog | None = None,
) -> BillingRun:
    """A new run with each pool's monthly charges added as lines to the invoices.

    Each department with a part of a pool gets one line per pool and month (unit
    ``share``, quantity 1, the month's amount as unit price and amount), after the
    price-list lines and in the order of ``allocations``. A department with no invoice
    in a month gets one. The run given is not changed.

    Args:
        run: The billing run (from :func:`sfprice.bill`).
        allocations: The shared pools (from :func:`allocate_pool`); codes must be unique
            and differ from the service codes of the run.
        months: The months to spread the pools over; by default the twelve months of
            ``run.year``.
        catalog: The price lists, to name the list in force on a new invoice. Without it
            (or with no list in force), a new invoice takes the list of the run's other
            invoices of that month, or else the code of its first pool.

    Raises:
        ValueError: When ``months`` is not given and the run has no year, when two pools
            have the same code, or when a pool code is a service code of the run.
    """
    pools = tuple(allocations)
    if months is None:
        if run.year is None:
            msg = "give the months to spread the pools over: the run has no year"
            raise ValueError(msg)
        months = year_months(run.year)
    codes = [a.pool.code for a in pools]
    duplicated = sorted({code for code in codes if codes.count(code) > 1})
    if duplicated:
        msg = f"pool code(s) {', '.join(duplicated)} used more than once"
        raise ValueError(msg)
    clash = sorted(set(codes) & {line.service for _, line in run.lines})
    if clash:
        msg = f"pool code(s) {', '.join(clash)} are also service codes of the run"
        raise ValueError(msg)

    existing = {(i.department, i.month): i for i in run.invoices}
    list_of_month: dict[Month, str] = {}
    for invoice in run.invoices:
        list_of_month.setdefault(invoice.month, invoice.price_list)

    def price_list_for(department: str, month: Month, pool: AllocationPool) -> str:
        invoice = existing.get((department, month))
        if invoice is not None:
            return invoice.price_list
        in_force = catalog.in_force(month) if catalog is not None else None
        if in_force is not None:
            return in_force.id
        return list_of_month.get(month, pool.code)

    added: dict[tuple[str, Month], list[InvoiceLine]] = defaultdict(list)
    list_ids: dict[tuple[str, Month], str] = {}
    for allocation in pools:
        for charge in monthly_charges(allocation, months):
            key = (charge.department, charge.month)
            if key not in list_ids:
                list_ids[key] = price_list_for(charge.department, charge.month, allocation.pool)
            added[key].append(_allocation_line(allocation, charge, list_ids[key]))

    invoices = [
        replace(invoice, lines=invoice.lines + tuple(added.get(key, ())))
        if (key := (invoice.department, invoice.month)) in added
        else invoice
        for invoice in run.invoices
    ]
    new = sorted(
        (key for key in added if key not in existing),
        key=lambda key: (swedish_key(key[0]), key[1]),
    )
    invoices.extend(
        Invoice(key[0], key[1], list_ids[key], run.currency, tuple(added[key])) for key in new
    )
    # Stable: an existing invoice keeps its place, a new one goes where bill would put it.
    invoices.sort(key=lambda invoice: (swedish_key(invoice.department), invoice.month))
    return replace(run, invoices=tuple(invoices))
