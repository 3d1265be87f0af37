"""The subscription service: a year's subscriptions over the one billing run.

:func:`run_subscriptions` bills the actual volumes exactly as ``bill`` does
(:func:`~sfprice.app.run_billing`), reads the agreement file against the run's price lists,
customer register and departments, and computes the reconciliations and the run as a
subscription year invoices it (:func:`sfprice.subscription.subscribed_run`): the
subscribed areas' twelfths and invoiced reconciliations instead of their per-unit lines.
``subscriptions report`` shows the reconciliations; ``subscriptions issue`` stores one
month of that run in the register (:func:`subscriptions_for_issue` adds the checks).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sfprice.app.billing import BillingOutcome, BillingRequest, run_billing
from sfprice.app.recovery import RequestError
from sfprice.engine.billing import BillingRun
from sfprice.engine.subscriptions import (
    Reconciliation,
    area_charges,
    reconcile,
    subscribed_run,
)
from sfprice.io.subscriptions import read_subscriptions
from sfprice.period import Month
from sfprice.subscription import Subscriptions

__all__ = [
    "SubscriptionOutcome",
    "SubscriptionRequest",
    "run_subscriptions",
    "subscriptions_for_issue",
]


@dataclass(frozen=True, slots=True)
class SubscriptionRequest:
    """The billing inputs of the actual volumes, and the subscription agreement file.

    Attributes:
        billing: The billing request (volumes of the year, price lists, register ...).
        subscriptions: The agreement file (TOML, ``docs/subscriptions.md``).
        through: The last month reconciled (default: the whole year).
    """

    billing: BillingRequest
    subscriptions: Path
    through: Month | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "subscriptions", Path(self.subscriptions))

    def input_files(self) -> tuple[tuple[str, Path], ...]:
        """The inputs other than volumes and price lists, with their roles."""
        return (*self.billing.input_files(), ("subscriptions", self.subscriptions))


@dataclass(frozen=True, slots=True)
class SubscriptionOutcome:
    """A subscription year computed from the actual volumes.

    Attributes:
        request: The request.
        billing: The billing of the actual volumes (per unit, as ``bill`` shows it).
        subscriptions: The agreements read.
        reconciliations: Every reconciliation through ``request.through``.
        run: The run as the subscription year invoices it.
    """

    request: SubscriptionRequest
    billing: BillingOutcome
    subscriptions: Subscriptions
    reconciliations: tuple[Reconciliation, ...]
    run: BillingRun


def run_subscriptions(
    request: SubscriptionRequest, *, issued: tuple[str, ...] = (), issued_in: str = ""
) -> SubscriptionOutcome:
    """Bill the actual volumes and apply the subscriptions.

    Raises:
        InputError: With one issue per problem in any input file (the agreement file's
            year must be the billed year).
        PriceNotFound: When a volume has no price in force.
    """
    outcome = run_billing(request.billing, issued=issued, issued_in=issued_in)
    volumes = outcome.volumes
    subscriptions = read_subscriptions(
        request.subscriptions,
        catalog=outcome.catalog,
        customers=outcome.customers,
        departments=() if volumes is None else volumes.departments,
        year=request.billing.year,
    )
    actual = outcome.volume_run or outcome.run
    reconciliations = reconcile(subscriptions, area_charges(actual), through=request.through)
    run = subscribed_run(subscriptions, outcome.run, customers=outcome.customers)
    return SubscriptionOutcome(request, outcome, subscriptions, reconciliations, run)


def subscriptions_for_issue(
    request: SubscriptionRequest,
    period: Month,
    *,
    issued: tuple[str, ...] = (),
    issued_in: str = "",
) -> SubscriptionOutcome:
    """The subscription year for issuing ``period`` into a register.

    Raises:
        RequestError: When the period is not in the billed year; when the agreement file
            is a proposal (a draft is never issued); when ``period`` is a reconciliation
            month and a month since January has no volumes (the reconciliation prices the
            actual volumes of every month up to it).
    """
    if request.billing.year != period.year:
        msg = f"the period {period} is not in the billed year {request.billing.year}"
        raise RequestError(msg)
    outcome = run_subscriptions(request, issued=issued, issued_in=issued_in)
    subscriptions = outcome.subscriptions
    if subscriptions.status != "agreed":
        msg = (
            f"{request.subscriptions}: the subscriptions are a proposal (status = "
            f'"{subscriptions.status}"), a draft that is never issued; nothing was issued '
            '(set status = "agreed" once the customers have agreed)'
        )
        raise RequestError(msg)
    if period.month in subscriptions.terms.months:
        have = set(outcome.billing.actual_months)
        missing = [
            str(Month(period.year, m))
            for m in range(1, period.month + 1)
            if Month(period.year, m) not in have
        ]
        if missing:
            msg = (
                f"{period} is a reconciliation month, and the volume files have no volumes "
                f"for {', '.join(missing)}; the reconciliation prices the actual volumes of "
                "every month up to it; nothing was issued"
            )
            raise RequestError(msg)
    if not any(i.month == period for i in outcome.run.invoices):
        msg = f"nothing to invoice for {period}; nothing was issued"
        raise RequestError(msg)
    return outcome
