"""Planning next year, the pure part: the plan's records, shares and the year's shift.

:func:`sfprice.app.planning.plan_next_year` reads the files and solves the prices with
:func:`sfprice.engine.breakeven.break_even`; the records it returns are here, with the two
pure rules it applies: :func:`share_by_charge` (each customer's annual amount, largest
remainder to öre, summing exactly to the cost) and :func:`shift_volumes` (year N's months
moved one year on, as the volume basis of year N+1).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from sfprice.costs import CostBudget
from sfprice.engine.breakeven import BreakEven
from sfprice.model import PriceList, VolumeEntry, VolumeSet
from sfprice.money import allocate
from sfprice.period import Month

__all__ = [
    "DraftSubscription",
    "NextYearPlan",
    "PriceChange",
    "SubscriptionBasis",
    "share_by_charge",
    "shift_volumes",
]


class SubscriptionBasis(enum.StrEnum):
    """What a draft subscription states.

    ``amount``: an annual amount in kr, the customer's share of the cost to recover by its
    year-N charge (largest remainder, :func:`sfprice.money.allocate`: the amounts sum
    exactly to it). ``volumes``: the customer's year-N volumes per service as its forecast,
    priced by the draft list (annual = sum of quantity x price).
    """

    AMOUNT = "amount"
    VOLUMES = "volumes"


@dataclass(frozen=True, slots=True)
class PriceChange:
    """One service's price in the base list (year N) and in the draft (year N+1), kr."""

    code: str
    old: Decimal
    new: Decimal


@dataclass(frozen=True, slots=True)
class DraftSubscription:
    """One customer's draft subscription for a year (one ``[[subscriptions]]`` table).

    Attributes:
        customer: The department's name (as billed in the year its share is from).
        area: The business-area code whose services the subscription covers.
        charge: What its share was computed by: its charge in the area in the year
            before, kr.
        annual: The annual amount, kr (the file's ``annual``); with a forecast, the
            forecast priced by the draft list (then written as a comment only).
        forecast: Annual volume per service code (the file's ``forecast``); empty: the
            subscription is the fixed ``annual`` amount.
        source: Where the figure comes from.
    """

    customer: str
    area: str
    charge: Decimal
    annual: Decimal
    forecast: Mapping[str, Decimal] = field(default_factory=dict)
    source: str = ""


@dataclass(frozen=True, slots=True)
class NextYearPlan:
    """A plan for year N+1: the cost to recover, the draft list and the subscriptions.

    Attributes:
        budget: The N+1 budget.
        area: The selling area.
        year: N+1.
        from_year: N.
        full_cost: The area's full cost in the N+1 budget, kr.
        other_revenue: The area's other revenue, kr.
        carried: The carried result taken off, kr (a surplus positive).
        carried_source: Where it comes from.
        addon_revenue: Add-on revenue taken off, kr.
        basis: The volume basis per service (year N's volumes in the area, or the forecast).
        basis_label: What the basis is, in words.
        result: The break-even solution (prices, residual, draft).
        draft: The draft list (status ``proposal``).
        changes: Each re-priced service, old (base list) and new (draft) price.
        charges: Each department's year-N charge in the area, kr.
        subscriptions: The draft subscriptions (empty when not asked for).
        new_customers: Departments of the customer register with no year-N charge in the
            area: they get no draft subscription.
        draft_revenue: Year N's volumes in the area, moved one year on and billed with the
            draft (None when the prices were solved on a forecast).
    """

    budget: CostBudget
    area: str
    year: int
    from_year: int
    full_cost: Decimal
    other_revenue: Decimal
    carried: Decimal
    carried_source: str
    addon_revenue: Decimal
    basis: Mapping[str, Decimal]
    basis_label: str
    result: BreakEven
    draft: PriceList
    changes: tuple[PriceChange, ...]
    charges: Mapping[str, Decimal]
    subscriptions: tuple[DraftSubscription, ...]
    new_customers: tuple[str, ...]
    draft_revenue: Decimal | None

    @property
    def cost_to_recover(self) -> Decimal:
        """Full cost - other revenue - carried result, kr."""
        return self.full_cost - self.other_revenue - self.carried

    @property
    def subscription_total(self) -> Decimal:
        """What the annual amounts share: the cost to recover less add-on revenue, kr."""
        return self.cost_to_recover - self.addon_revenue


def shift_volumes(volumes: Iterable[VolumeEntry], years: int = 1) -> VolumeSet:
    """The volumes with every month moved ``years`` on (2025-03 becomes 2026-03).

    >>> from decimal import Decimal
    >>> from sfprice.model import VolumeKey
    >>> entry = VolumeEntry(VolumeKey(Month(2025, 3), "Kulturförvaltningen", "x"), Decimal(2), ())
    >>> [e.key.month for e in shift_volumes([entry])]
    [Month(year=2026, month=3)]
    """
    return VolumeSet.from_entries(
        VolumeEntry(
            replace(e.key, month=Month(e.key.month.year + years, e.key.month.month)),
            e.quantity,
            e.sources,
        )
        for e in volumes
    )


def share_by_charge(total: Decimal, charges: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """``total`` (kr) shared among the customers with a charge > 0, by their charges.

    Largest remainder to öre (:func:`sfprice.money.allocate`): the parts sum exactly to
    ``total``; a customer without a charge gets no part.

    >>> share_by_charge(Decimal(100), {"a": Decimal(1), "b": Decimal(2), "c": Decimal(0)})
    {'a': Decimal('33.33'), 'b': Decimal('66.67')}

    Raises:
        ValueError: When no customer has a charge.
    """
    paying = {name: amount for name, amount in charges.items() if amount > 0}
    if not paying:
        msg = "no customer has a charge in the area: nothing to share the cost by"
        raise ValueError(msg)
    return allocate(total, paying)
