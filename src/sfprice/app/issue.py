"""The issue service: the one billing run, cut to the month to be issued.

``issue`` bills exactly as ``bill`` does (volumes, price lists, customer register and
allocation pools, through :func:`~sfprice.app.run_billing`) and stores one month of the
run. This module holds the rules before the store: the departments a register has
already invoiced take part in the name check, and a month with nothing to invoice is
refused rather than issued empty. Storing is the register's (:mod:`sfprice.register`),
which sits beside this layer, not under it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sfprice.app.billing import BillingOutcome, BillingRequest, run_billing
from sfprice.app.recovery import RequestError
from sfprice.period import Month

__all__ = ["bill_for_issue"]


def bill_for_issue(
    request: BillingRequest, period: Month, *, issued: Iterable[str] = (), issued_in: str = ""
) -> BillingOutcome:
    """Bill the request's year for issuing ``period``.

    Args:
        request: The billing inputs; ``request.year`` must be the period's year.
        period: The month to be issued.
        issued: The departments the register has already invoiced: a new spelling of one
            is refused, so the register never splits one department in two.
        issued_in: The register's name, for those messages.

    Raises:
        RequestError: When the period has no invoice (no volumes, fixed fees or
            allocations), or is not in the request's year.
    """
    if request.year != period.year:
        msg = f"the period {period} is not in the billed year {request.year}"
        raise RequestError(msg)
    outcome = run_billing(request, issued=issued, issued_in=issued_in)
    if not outcome.invoices_of(period):
        msg = (
            f"no volumes for {period} in the volume files, and no allocations; nothing was "
            "issued (fixed fees and fees per employee are billed for the months that have "
            "volumes)"
        )
        raise RequestError(msg)
    return outcome
