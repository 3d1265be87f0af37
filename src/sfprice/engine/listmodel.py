"""The price list as it stands, as a simulation model: priced by the billing engine.

:class:`PriceListModel` charges volumes with :func:`sfprice.engine.billing.bill`, the
engine behind ``bill``, ``issue``, ``balance`` and ``kpi``, so every kind of item a list
can hold is priced exactly as it is invoiced: unit prices, fixed monthly fees, fees per
employee (from the customer register), tiers, minimums, percentages, prices by customer
year, and any kind added later. Its charge per department and month is the sum of the
invoice lines of its business area (all lines when no area is given), plus any fixed
charges given (e.g. the lines of allocated pools, which do not move with volume).

What one more unit costs is not one number for every kind of price: a tier's next unit
costs the price of the band the month's volume has reached, a minimum charge absorbs units
below it, a percentage surcharge adds to every unit. :meth:`PriceListModel.marginal_at`
measures it with the engine, for one department at its volumes; see its docstring.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sfprice.agreements import Agreements
from sfprice.engine.billing import BillingRun, bill
from sfprice.errors import InputError
from sfprice.model import (
    Customer,
    PriceCatalog,
    PriceItem,
    PriceKind,
    VolumeEntry,
    VolumeKey,
    VolumeSet,
    VolumeSource,
)
from sfprice.money import exact_sum
from sfprice.period import Month

__all__ = ["PriceListModel", "plain_unit"]

Charges = dict[tuple[str, Month], Decimal]
_ONE_MORE = VolumeSource("<one more unit>", 0)


def plain_unit(item: PriceItem) -> bool:
    """True for a plain unit price: quantity x one price, the same for every customer."""
    return item.kind is PriceKind.UNIT and not item.steps_down


@dataclass(frozen=True, slots=True)
class PriceListModel:
    """The price lists as they stand: volumes billed by the billing engine.

    Attributes:
        name: The model's name.
        catalog: The price lists; the one in force on a month prices it, as in ``bill``.
        year: The year billed (as ``bill``'s ``year``), or None.
        customers: The customer register (headcounts, first years), as ``bill`` takes it.
        area: When given, only the lines of this business area count.
        fixed: Charges per (department, month) added as they are, whatever the volumes
            (the lines of allocated pools).
        months: The months fixed fees and fees per employee are billed for, whatever the
            volumes (as ``bill``'s ``months``); None: the months the volumes have. The
            year's billed months, so that a scenario that empties a month (the one
            department with volumes in it leaves) does not drop the other departments'
            fees of that month.
        gone: Departments that have left, with the month they left: from that month on
            they are charged no line of the list (a register customer's fixed fees and fees
            per employee included). ``fixed`` charges (allocated pools) stay as keyed.
        agreements: Agreements and overrides, as ``bill`` takes them. With any, the model
            is never reduced to the list's unit prices (:meth:`unit_prices` is None, the
            Monte-Carlo draws are billed by the engine): an own price, a discount or an
            add-on is never skipped.
        unpriced: Services the lists do not price whose volumes the model leaves out,
            explicitly, before billing (e.g. ``payroll.employment_documents``, a cost
            driver of the LAS scenario): they bring no revenue. Any other service the lists
            lack is still refused (``PriceNotFound``), never dropped.
    """

    name: str
    catalog: PriceCatalog
    year: int | None = None
    customers: Mapping[str, Customer] | None = None
    area: str | None = None
    fixed: Mapping[tuple[str, Month], Decimal] = field(default_factory=dict)
    months: tuple[Month, ...] | None = None
    gone: Mapping[str, Month] = field(default_factory=dict)
    agreements: Agreements | None = None
    unpriced: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        priced = sorted({s for s in self.unpriced for pl in self.catalog if pl.item(s)})
        if priced:
            msg = f"model {self.name!r}: {', '.join(priced)} is priced by a list, not unpriced"
            raise ValueError(msg)

    @property
    def has_agreements(self) -> bool:
        """True when agreements may change a price (the list's prices are not the model)."""
        return self.agreements is not None and len(self.agreements) > 0

    def run(
        self, volumes: VolumeSet | Iterable[VolumeEntry], months: Iterable[Month] | None = None
    ) -> BillingRun:
        """The billing run of these volumes (every area, no fixed charges).

        ``months``: the months fixed fees and fees per employee are billed for, as ``bill``
        takes them (default: the model's ``months``, else the months with volumes).
        """
        months = self.months if months is None else months
        if self.unpriced:
            volumes = VolumeSet.from_entries(
                e for e in volumes if e.key.service not in self.unpriced
            )
        return bill(
            self.catalog,
            volumes,
            year=self.year,
            customers=self.customers,
            months=months,
            agreements=self.agreements,
        )

    def charges(self, volumes: VolumeSet) -> Charges:
        """The invoice lines of the area summed per (department, month), plus ``fixed``.

        Raises:
            PriceNotFound: When a volume has no price in force (as ``bill``).
            InputError: When a price needs customer data the register lacks (as ``bill``).
        """
        amounts: dict[tuple[str, Month], list[Decimal]] = defaultdict(list)
        for invoice, line in self.run(volumes).lines:
            left = self.gone.get(invoice.department)
            if left is not None and invoice.month >= left:
                continue
            if self.area is None or line.business_area == self.area:
                amounts[(invoice.department, invoice.month)].append(line.amount)
        for key, amount in self.fixed.items():
            amounts[key].append(amount)
        return {key: exact_sum(values) for key, values in amounts.items()}

    def unit_prices(self, months: Iterable[Month]) -> tuple[dict[str, Decimal], str] | None:
        """One price per service and the rounding, when that is all the model is in ``months``.

        That is when no charges are fixed, and one list (or lists with the same prices and
        rounding) is in force in every month and holds only plain unit prices; services of
        other areas than ``area`` then price at 0 (their lines do not count). A per-unit
        model with these prices charges exactly what this model charges; None otherwise
        (also with agreements, which price some departments otherwise).
        """
        if self.fixed or self.has_agreements:
            return None
        found: dict[str, Decimal] = {}
        roundings = set()
        for month in set(months):
            price_list = self.catalog.in_force(month)
            if price_list is None or not all(plain_unit(i) for i in price_list.items):
                return None
            roundings.add(price_list.rounding)
            for item in price_list.items:
                price = item.price if self.area in {None, item.business_area} else Decimal(0)
                if found.setdefault(item.code, price) != price:
                    return None
        if len(roundings) != 1:
            return None
        for service in self.unpriced:
            found.setdefault(service, Decimal(0))
        return found, roundings.pop()

    def linear_form(
        self, volumes: VolumeSet
    ) -> tuple[dict[VolumeKey, Decimal], Decimal, str] | None:
        """The model at these volumes' keys as lines of one price each plus a constant.

        When every list in force holds only unit prices (plain or by customer year), fixed
        monthly fees and fees per employee, and one rounding: the unit price the engine
        used for each volume key (0 for another area's service), the sum of the fees of the
        area (and ``fixed``), and the rounding. For any quantities at the same keys the
        model charges the sum of ``quantity x price`` lines, each rounded, plus the
        constant: the fees depend on the departments and months, not on the quantities.
        None for any other list (tiers, minimums, percentages, kinds added later) or a key
        the run prices no line for.
        """
        linear = {PriceKind.UNIT, PriceKind.FIXED_MONTHLY, PriceKind.PER_EMPLOYEE}
        roundings = set()
        for month in volumes.months:
            price_list = self.catalog.in_force(month)
            if price_list is None or any(i.kind not in linear for i in price_list.items):
                return None
            roundings.add(price_list.rounding)
        if len(roundings) != 1:
            return None
        prices: dict[VolumeKey, Decimal] = {}
        constant: list[Decimal] = list(self.fixed.values())
        for invoice, line in self.run(volumes).lines:
            counts = self.area is None or line.business_area == self.area
            priced_by = self.catalog.get(line.price_list)
            item = priced_by.item(line.service) if priced_by is not None else None
            if item is None:
                return None
            if item.kind is not PriceKind.UNIT:  # a fee: the same whatever the quantities
                if counts:
                    constant.append(line.amount)
                continue
            key = VolumeKey(invoice.month, invoice.department, line.service)
            prices[key] = line.unit_price if counts else Decimal(0)
        for entry in volumes:
            if entry.key.service in self.unpriced:
                prices[entry.key] = Decimal(0)
        if any(entry.key not in prices for entry in volumes):
            return None
        return prices, exact_sum(constant), roundings.pop()

    def marginal_price(self, service: str) -> Decimal:
        """The unit price of ``service`` when every list that has it sells it per plain unit.

        0 when no list has the service. For any other kind (a tier, a fee, a price by
        customer year ...) the price of one more unit depends on the volumes, the
        department and the month: use :meth:`marginal_at`.

        Raises:
            ValueError: When a list prices the service otherwise than per plain unit, or
                the lists price it differently.
        """
        if self.has_agreements:
            msg = (
                f"model {self.name!r}: with agreements, the price of {service} depends on "
                "the department and month (see marginal_at)"
            )
            raise ValueError(msg)
        items = [item for pl in self.catalog for item in [pl.item(service)] if item]
        if not items:
            return Decimal(0)
        prices = {item.price for item in items if plain_unit(item)}
        if len(prices) != 1 or not all(plain_unit(item) for item in items):
            msg = (
                f"model {self.name!r}: {service} is not one plain unit price in every list; "
                "its marginal price depends on the volumes (see marginal_at)"
            )
            raise ValueError(msg)
        return prices.pop()

    def marginal_at(self, volumes: VolumeSet, department: str, service: str) -> Decimal:
        """What one more unit of ``service`` adds to ``department``'s charge, by the engine.

        The month is the department's last month with volumes (the last month of the
        volumes when it has none). In a list of plain unit prices only, this is the unit
        price; otherwise it is the department's charge for that month (its area's lines) with
        one more unit, less its charge without: the price of the next unit at its current
        volume: the band the month has reached for a tier, 0 below a minimum charge, the
        price with its surcharge for a percentage. 0 when the list in force that month does
        not price the service by volume (a fee, or a service it lacks).
        """
        if not len(volumes):
            return Decimal(0)
        own = [e.key.month for e in volumes if e.key.department == department]
        month = max(own) if own else max(volumes.months)
        price_list = self.catalog.in_force(month)
        item = price_list.item(service) if price_list is not None else None
        if price_list is None or item is None:
            return Decimal(0)
        if not self.has_agreements and all(plain_unit(i) for i in price_list.items):
            return item.price  # no surcharge, minimum or tier: the unit price, unrounded
        entries = [e for e in volumes if e.key.department == department and e.key.month == month]
        added = VolumeEntry(VolumeKey(month, department, service), Decimal(1), (_ONE_MORE,))
        before = self._month_charge(VolumeSet.from_entries(entries), department, month)
        try:
            after = self._month_charge(VolumeSet.from_entries([*entries, added]), department, month)
        except InputError:
            return Decimal(0)  # not billed by volume: a fee, a percentage, a minimum ...
        return after - before

    def _month_charge(self, volumes: VolumeSet, department: str, month: Month) -> Decimal:
        # The month is billed with or without the department's volumes, so that its fees
        # are in both charges and one more unit adds only what the unit costs.
        return exact_sum(
            line.amount
            for invoice, line in self.run(volumes, months=[month]).lines
            if invoice.department == department
            and invoice.month == month
            and (self.area is None or line.business_area == self.area)
        )
