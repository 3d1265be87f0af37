"""Subscriptions on the list as it stands: the ``subscription`` model of ``simulate``.

:func:`forecast_subscriptions` sets each department's subscription from a reference window:
its forecast is the window's volumes scaled to twelve months, priced by the list as it
stands. :class:`ListSubscriptionModel` is H3's
:class:`~sfprice.engine.subscriptions.SubscriptionModel` (twelfths, reconciliations,
corrections over the threshold, its own ``administration()``) whose actual volumes are
billed by the simulation's :class:`~sfprice.engine.listmodel.PriceListModel` of the area,
so that it charges exactly what ``simulate``'s list as it stands would invoice at the
reconciliations: the area's lines only, the unpriced cost drivers (LAS documents) left
out, a department that leaves billed no line from that month, allocated pools added as
the list has them.

Pure (no files, no printing). Amounts are kr (``Decimal``, öre). See
``docs/simulation.md`` (Subscriptions in the simulation).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from sfprice.collation import swedish_key
from sfprice.engine.administration import AdminCount, administration
from sfprice.engine.billing import BillingRun
from sfprice.engine.listmodel import PriceListModel
from sfprice.engine.simulate import annual_charges
from sfprice.engine.subscriptions import (
    Reconciliation,
    SubscriptionModel,
    area_charges,
    reconcile,
    reconciliation_invoices,
    subscribed_run,
)
from sfprice.model import VolumeSet
from sfprice.money import exact_sum, round_amount
from sfprice.period import Month
from sfprice.subscription import Subscription, Subscriptions, SubscriptionTerms

__all__ = ["ListSubscriptionModel", "forecast_subscriptions", "list_subscription_model"]

Charges = dict[tuple[str, Month], Decimal]


def forecast_subscriptions(
    reference: VolumeSet,
    model: PriceListModel,
    year: int,
    terms: SubscriptionTerms | None = None,
    *,
    source: str = "",
) -> Subscriptions:
    """One subscription per department the list charges in the reference window.

    The forecast of a department is its reference-window volumes per service scaled to
    twelve months: ``q x 12 / n``, where ``n`` is the number of months of the window that
    have volumes (``len(reference.months)``, as the break-even model scales its forecast).
    Its annual amount is the list's charge of those volumes scaled the same way:
    ``round_amount(C x 12 / n)`` (half up, to öre), where ``C`` is what the list as it
    stands (``model``'s area lines, allocated charges left out: they are not subscribed)
    charges the department for the window's volumes. Departments with a charge of 0 get
    no subscription (they pay per unit, as a department that joins does).

    Args:
        reference: The reference window's unchanged volumes (kr figures come from them).
        model: The list as it stands, of the area (``model.area`` must be set).
        year: The subscription year.
        terms: The reconciliation terms (default: April, October, year end; 100 000 kr;
            final 0).
        source: Where the figures come from (kept on each subscription).

    Raises:
        ValueError: A model without an area, or a reference window without volumes.
    """
    if model.area is None:
        msg = f"model {model.name!r}: a subscription needs the list of one business area"
        raise ValueError(msg)
    months = len(reference.months)
    if not months:
        msg = "no volumes in the reference window to forecast the subscriptions from"
        raise ValueError(msg)
    charged = annual_charges(replace(model, fixed={}, gone={}).charges(reference))
    quantities: dict[str, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for entry in reference:
        quantities[entry.key.department][entry.key.service].append(entry.quantity)
    subscriptions = tuple(
        Subscription(
            department,
            model.area,
            round_amount(charge * 12 / months),
            {s: exact_sum(q) * 12 / months for s, q in sorted(quantities[department].items())},
            source,
        )
        for department, charge in charged.items()
        if charge > 0
    )
    return Subscriptions(
        year,
        subscriptions,
        terms if terms is not None else SubscriptionTerms(),
        status="proposal",
        source=source,
    )


@dataclass(frozen=True, slots=True)
class ListSubscriptionModel(SubscriptionModel):
    """A subscription year whose actual volumes are billed by the simulation's list model.

    Its charge per (department, month): for a subscribed department, the month's twelfth
    (:func:`~sfprice.engine.subscriptions.subscribed_run`) plus, in a reconciliation month,
    the correction invoice or credit note of a deviation that passes the threshold
    (:func:`~sfprice.engine.subscriptions.reconciliation_invoices`); for any other department (one
    that joins), its area lines per unit. Allocated charges (``unit.fixed``) are added as
    the list has them. With the final threshold 0, each subscribed department's year total
    is what ``unit`` charges it for the year's volumes (allocations aside), to the öre.

    Attributes:
        unit: The list as it stands, of the area, as ``simulate`` bills it (its ``months``,
            ``gone``, ``unpriced``, agreements and allocations). Required.
    """

    unit: PriceListModel | None = None

    def _list(self) -> PriceListModel:
        if self.unit is None:
            msg = f"model {self.name!r}: no list model to bill the actual volumes"
            raise ValueError(msg)
        return self.unit

    def _actual(self, volumes: VolumeSet) -> BillingRun:
        """The run of the actual volumes, without the lines of departments that left."""
        unit = self._list()
        run = unit.run(volumes)
        if not unit.gone:
            return run
        kept = tuple(
            invoice
            for invoice in run.invoices
            if (left := unit.gone.get(invoice.department)) is None or invoice.month < left
        )
        return replace(run, invoices=kept)

    def charges(self, volumes: VolumeSet) -> Charges:
        """Kr per (department, month): the area's lines of the subscribed run, plus allocations.

        Raises:
            PriceNotFound, InputError: As ``bill`` for the actual volumes.
        """
        unit = self._list()
        actual = self._actual(volumes)
        run = subscribed_run(self.subscriptions, actual, customers=self.customers)
        documents = reconciliation_invoices(self.subscriptions, actual, customers=self.customers)
        amounts: dict[tuple[str, Month], list[Decimal]] = defaultdict(list)
        for invoice in (*run.invoices, *documents):
            for line in invoice.lines:
                if line.business_area == unit.area:
                    amounts[(invoice.department, invoice.month)].append(line.amount)
        for key, amount in unit.fixed.items():
            amounts[key].append(amount)
        return {key: exact_sum(values) for key, values in amounts.items()}

    def reconciliations(self, volumes: VolumeSet) -> tuple[Reconciliation, ...]:
        """The year's reconciliations, the actual charge billed by ``unit``."""
        return reconcile(self.subscriptions, area_charges(self._actual(volumes)))

    def administration(self, volumes: VolumeSet) -> dict[str, AdminCount]:
        """Per customer and year: the subscription's own count, per unit for the others.

        A subscribed customer's count is :meth:`SubscriptionModel.administration` (twelve
        invoices, a line a month plus one per invoiced reconciliation, the corrections and
        the reconciliation points), plus one line per allocated charge; a customer without a
        subscription (one that joins) is counted as the list as it stands invoices it.
        """
        unit = self._list()
        counts = dict(SubscriptionModel.administration(self, volumes))
        allocated: dict[str, int] = defaultdict(int)
        for (department, _), amount in unit.fixed.items():
            if amount:
                allocated[department] += 1
        for department, lines in allocated.items():
            if department in counts:
                counts[department] = counts[department] + AdminCount(lines=lines)
        per_unit = administration(unit, volumes)
        counts |= {d: count for d, count in per_unit.items() if d not in counts}
        return {d: counts[d] for d in sorted(counts, key=swedish_key)}


def list_subscription_model(
    name: str, subscriptions: Subscriptions, unit: PriceListModel
) -> ListSubscriptionModel:
    """The model, billing with the list's catalog and customer register."""
    return ListSubscriptionModel(name, subscriptions, unit.catalog, unit.customers, unit)
