"""The subscription calculation: monthly twelfths, reconciliations, a subscription year's run.

Pure (no files, no printing). Actual volumes are priced by the billing engine
(:func:`sfprice.engine.billing.bill`), never by a second pricing: the actual charge of a
customer's area in a month is the sum of the run's lines of that area.

Shapes and units:

- amounts are kr (``Decimal``, öre), quantities the service's units;
- :func:`reconcile` returns one :class:`Reconciliation` per subscription and reconciliation
  month, in customer (Swedish order), area and month order;
- :func:`subscribed_run` is the billing run as a subscription year invoices it (what
  ``subscriptions issue`` issues);
- :class:`SubscriptionModel` is a simulation price model (``charges(volumes)`` per
  department and month), so the simulation and the operation share one calculation.

See ``docs/subscriptions.md``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from sfprice.collation import swedish_key
from sfprice.engine.administration import AdminCount
from sfprice.engine.billing import BillingRun, Invoice, InvoiceLine, bill
from sfprice.kinds import ChargeBasis, ComponentCharge
from sfprice.model import Customer, PriceCatalog, PriceKind, VolumeSet
from sfprice.money import exact_sum, round_amount, spread_evenly
from sfprice.period import Month
from sfprice.subscription import Subscription, Subscriptions
from sfprice.units import Unit

__all__ = [
    "Reconciliation",
    "SubscriptionModel",
    "area_charges",
    "monthly_parts",
    "reconcile",
    "subscribed_run",
]

Actuals = Mapping[tuple[str, str, Month], Decimal]


def monthly_parts(subscription: Subscription) -> tuple[Decimal, ...]:
    """The twelve monthly parts of the annual amount (:func:`sfprice.money.spread_evenly`).

    Each is 1/12 rounded down to öre; the last month takes the remainder, so the parts sum
    exactly to ``annual``.
    """
    return spread_evenly(subscription.annual, 12)


def area_charges(run: BillingRun) -> dict[tuple[str, str, Month], Decimal]:
    """The actual charge per (department, business area, month): the sum of the run's lines.

    ``run`` is a billing run of the actual volumes (:func:`sfprice.bill`, ``run_billing``):
    this is what per-unit invoicing would have charged, kr.
    """
    amounts: dict[tuple[str, str, Month], list[Decimal]] = defaultdict(list)
    for invoice, line in run.lines:
        amounts[(invoice.department, line.business_area, invoice.month)].append(line.amount)
    return {key: exact_sum(values) for key, values in amounts.items()}


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """One subscription's reconciliation at the end of one month (kr throughout).

    Attributes:
        customer: The department.
        area: The business area.
        month: The reconciliation month (its end).
        start: The first month of the period since the previous reconciliation.
        invoiced_period: The subscription parts invoiced for the period's months.
        actual_period: The actual charge of the period (its volumes priced by the list).
        carried_in: The deviation carried from the previous reconciliation (not invoiced).
        invoiced_to_date: Parts invoiced from January through ``month`` plus the
            corrections invoiced at earlier reconciliations.
        actual_to_date: The actual charge from January through ``month``.
        forecast_to_date: ``annual x month / 12`` rounded half up to öre (pro rata).
        deviation: ``actual_period - invoiced_period + carried_in``.
        threshold: The threshold that applied.
        invoiced: True when the deviation is invoiced (``|deviation| > threshold`` and the
            subscription is not a fixed amount).
        fixed: True for a fixed amount (reported, never invoiced).
    """

    customer: str
    area: str
    month: Month
    start: Month
    invoiced_period: Decimal
    actual_period: Decimal
    carried_in: Decimal
    invoiced_to_date: Decimal
    actual_to_date: Decimal
    forecast_to_date: Decimal
    deviation: Decimal
    threshold: Decimal
    invoiced: bool
    fixed: bool

    @property
    def correction(self) -> Decimal:
        """What is invoiced: the deviation when invoiced (negative: a credit), else 0."""
        return self.deviation if self.invoiced else Decimal("0.00")

    @property
    def carried(self) -> Decimal:
        """What is carried into the next period: the deviation when not invoiced, else 0."""
        return Decimal("0.00") if self.invoiced else self.deviation


def reconcile(
    subscriptions: Subscriptions, actual: Actuals, *, through: Month | None = None
) -> tuple[Reconciliation, ...]:
    """Every reconciliation of the year up to ``through`` (default: all of them).

    Args:
        subscriptions: The year's subscriptions and terms.
        actual: The actual charge per (department, area, month), kr (:func:`area_charges`);
            a missing key counts 0.
        through: The last month reconciled (its reconciliation included when it is one).

    The order of ``subscriptions`` and of ``actual`` changes nothing. After the year-end
    reconciliation with ``final_threshold`` 0, a forecast subscription's parts plus its
    corrections equal its actual charge for the year.
    """
    terms = subscriptions.terms
    year = subscriptions.year
    out: list[Reconciliation] = []
    ordered = sorted(subscriptions.subscriptions, key=lambda s: (swedish_key(s.customer), s.area))
    for sub in ordered:
        parts = monthly_parts(sub)
        carried = Decimal("0.00")
        corrections = Decimal("0.00")
        previous = 0
        for end in terms.months:
            if through is not None and Month(year, end) > through:
                break
            months = range(previous + 1, end + 1)
            invoiced_period = exact_sum(parts[m - 1] for m in months)
            actual_period = exact_sum(
                actual.get((sub.customer, sub.area, Month(year, m)), Decimal(0)) for m in months
            )
            deviation = actual_period - invoiced_period + carried
            threshold = terms.threshold_at(end)
            invoiced = not sub.fixed and abs(deviation) > threshold
            out.append(
                Reconciliation(
                    customer=sub.customer,
                    area=sub.area,
                    month=Month(year, end),
                    start=Month(year, previous + 1),
                    invoiced_period=invoiced_period,
                    actual_period=actual_period,
                    carried_in=carried,
                    invoiced_to_date=exact_sum(parts[:end]) + corrections,
                    actual_to_date=exact_sum(
                        actual.get((sub.customer, sub.area, Month(year, m)), Decimal(0))
                        for m in range(1, end + 1)
                    ),
                    forecast_to_date=round_amount(sub.annual * end / 12),
                    deviation=deviation,
                    threshold=threshold,
                    invoiced=invoiced,
                    fixed=sub.fixed,
                )
            )
            if invoiced:
                corrections += deviation
                carried = Decimal("0.00")
            else:
                carried = deviation
            previous = end
    return tuple(out)


# -- the lines a subscription puts on invoices --------------------------------------------


def _part_line(sub: Subscription, part: Decimal, price_list: str, source: str) -> InvoiceLine:
    return InvoiceLine(
        service=f"subscription.{sub.area}",
        name=f"Abonnemang {sub.area} 1/12 av årsbeloppet",
        unit=Unit.DEPARTMENT_MONTH,
        quantity=Decimal(1),
        unit_price=part,
        amount=part,
        components=(),
        price_list=price_list,
        price_source=sub.source or source,
        volume_sources=(),
        business_area=sub.area,
        basis=ChargeBasis(PriceKind.FIXED_MONTHLY, source=sub.source or source),
    )


def _reconciliation_line(rec: Reconciliation, price_list: str, source: str) -> InvoiceLine:
    kind = "Tilläggsdebitering" if rec.deviation > 0 else "Kreditering"
    name = (
        f"Avstämning abonnemang {rec.area} {rec.start}–{rec.month}: {kind} "
        f"(prognos t.o.m. {rec.month} {rec.forecast_to_date} kr; tröskel {rec.threshold} kr)"
    )
    components = (
        ComponentCharge(
            "Utfall (faktiska volymer enligt prislistan)", rec.actual_period, rec.actual_period
        ),
        ComponentCharge("Fakturerat abonnemang", -rec.invoiced_period, -rec.invoiced_period),
        ComponentCharge("Överfört från förra avstämningen", rec.carried_in, rec.carried_in),
    )
    return InvoiceLine(
        service=f"subscription.{rec.area}.reconciliation",
        name=name,
        unit=Unit.DEPARTMENT_MONTH,
        quantity=Decimal(1),
        unit_price=rec.deviation,
        amount=rec.deviation,
        components=components,
        price_list=price_list,
        price_source=source,
        volume_sources=(),
        business_area=rec.area,
        basis=ChargeBasis(PriceKind.FIXED_MONTHLY, source=source),
    )


def subscribed_run(
    subscriptions: Subscriptions,
    run: BillingRun,
    *,
    months: Iterable[Month] | None = None,
    customers: Mapping[str, Customer] | None = None,
) -> BillingRun:
    """The billing run as a subscription year invoices it.

    For every subscribed customer and area, in each month of ``months`` (default: the
    year's twelve), the run's lines of that area are replaced by one line of the month's
    part ("Abonnemang <area> 1/12 av årsbeloppet"), and in a reconciliation month whose
    deviation is invoiced, a reconciliation line (positive: a further charge; negative: a
    credit) showing the actual charge, the invoiced parts and the carried deviation as
    its components. A month without an invoice for the customer gets one. Other customers
    and areas are billed per unit as the run has them.

    ``run`` must be the run of the actual volumes of the year (the reconciliations price
    them); ``customers`` gives a new invoice its register record.
    """
    year = subscriptions.year
    wanted = set(subscriptions.months if months is None else months)
    reconciliations = {
        (r.customer, r.area, r.month): r
        for r in reconcile(subscriptions, area_charges(run))
        if r.invoiced
    }
    source = subscriptions.source or subscriptions.path
    by_key = {(i.department, i.month): i for i in run.invoices}
    invoices: dict[tuple[str, Month], Invoice] = dict(by_key)
    ordered = sorted(subscriptions.subscriptions, key=lambda s: (swedish_key(s.customer), s.area))
    for sub in ordered:
        parts = monthly_parts(sub)
        for number in range(1, 13):
            month = Month(year, number)
            if month not in wanted:
                continue
            key = (sub.customer, month)
            invoice = invoices.get(key)
            price_list = (
                invoice.price_list if invoice is not None else subscriptions.pricelist or str(year)
            )
            added = [_part_line(sub, parts[number - 1], price_list, source)]
            rec = reconciliations.get((sub.customer, sub.area, month))
            if rec is not None:
                added.append(_reconciliation_line(rec, price_list, source))
            if invoice is None:
                customer = None if customers is None else customers.get(sub.customer)
                invoices[key] = Invoice(
                    sub.customer, month, price_list, run.currency, tuple(added), customer
                )
            else:
                kept = tuple(line for line in invoice.lines if line.business_area != sub.area)
                invoices[key] = replace(invoice, lines=kept + tuple(added))
    ordered_invoices = sorted(invoices.values(), key=lambda i: (i.month, swedish_key(i.department)))
    return replace(run, invoices=tuple(ordered_invoices))


@dataclass(frozen=True, slots=True)
class SubscriptionModel:
    """Subscriptions as a simulation price model (``PriceModel`` protocol).

    Its charge per (department, month) is what :func:`subscribed_run` invoices: the
    subscribed areas' twelfths and invoiced reconciliations, plus every other line of the
    list as it stands (customers and areas without a subscription pay per unit). The
    actual volumes are billed by :func:`sfprice.engine.billing.bill`.

    Attributes:
        name: The model's name.
        subscriptions: The year's subscriptions.
        catalog: The price lists that price actual volumes.
        customers: The customer register (fees per employee, first years), or None.
    """

    name: str
    subscriptions: Subscriptions
    catalog: PriceCatalog
    customers: Mapping[str, Customer] | None = None

    def _run(self, volumes: VolumeSet) -> BillingRun:
        actual = bill(self.catalog, volumes, year=self.subscriptions.year, customers=self.customers)
        return subscribed_run(self.subscriptions, actual, customers=self.customers)

    def charges(self, volumes: VolumeSet) -> dict[tuple[str, Month], Decimal]:
        """Kr per (department, month).

        Raises:
            PriceNotFound: When a volume has no price in force (as ``bill``).
        """
        amounts: dict[tuple[str, Month], list[Decimal]] = defaultdict(list)
        for invoice in self._run(volumes).invoices:
            amounts[(invoice.department, invoice.month)].append(invoice.total)
        return {key: exact_sum(values) for key, values in amounts.items()}

    def marginal_price(self, service: str) -> Decimal:
        """0: one more unit adds nothing to the month's charge (reconciliation aside)."""
        del service
        return Decimal(0)

    def reconciliations(self, volumes: VolumeSet) -> tuple[Reconciliation, ...]:
        """The year's reconciliations at these volumes."""
        actual = bill(self.catalog, volumes, year=self.subscriptions.year, customers=self.customers)
        return reconcile(self.subscriptions, area_charges(actual))

    def administration(self, volumes: VolumeSet) -> dict[str, AdminCount]:
        """Per subscribed customer: the subscription part of its billing administration.

        invoices: 12 (one a month); lines: one per subscribed area and month plus one per
        invoiced reconciliation; corrections: the reconciliations whose deviation is
        invoiced (one per customer and month with any); reconciliations: the
        reconciliation points reported to the customer (one per reconciliation month).
        """
        recs = self.reconciliations(volumes)
        out: dict[str, AdminCount] = {}
        terms = self.subscriptions.terms
        for customer in self.subscriptions.customers():
            areas = sum(1 for s in self.subscriptions.subscriptions if s.customer == customer)
            mine = [r for r in recs if r.customer == customer]
            invoiced = [r for r in mine if r.invoiced]
            out[customer] = AdminCount(
                invoices=12,
                lines=12 * areas + len(invoiced),
                corrections=len({r.month for r in invoiced}),
                reconciliations=len(terms.months),
            )
        return out
