"""Write draft subscription files: the subscription agreements ``plan`` proposes.

The file is the subscription agreement file of docs/planning.md (one year, one or more
customers), written with ``status = "proposal"``: a draft for the controller and the board,
not an agreement. Draft price lists are written by :func:`sfprice.io.pricelists.dump_pricelist`
(the same format ``bill`` loads). Text only: the command line writes it atomically.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Protocol

from sfprice.io.pricelists import _toml_string
from sfprice.money import decimal_text

__all__ = [
    "DEFAULT_RECONCILIATION_MONTHS",
    "DEFAULT_THRESHOLD",
    "SubscriptionEntry",
    "dump_subscriptions",
]

#: Reconcile at the end of April, of October and at year end, as Statens servicecenter
#: does (issue 12; the subscription file's default).
DEFAULT_RECONCILIATION_MONTHS = (4, 10, 12)

#: kr per customer, service area and reconciliation: Statens servicecenter contacts a
#: customer whose deviation for a period exceeds 100 000 kr per service area (issue 12).
DEFAULT_THRESHOLD = Decimal(100000)


class SubscriptionEntry(Protocol):
    """What one ``[[subscriptions]]`` table is written from (a ``DraftSubscription``)."""

    @property
    def customer(self) -> str:
        """The customer's name or code."""

    @property
    def area(self) -> str:
        """The business-area code."""

    @property
    def annual(self) -> Decimal:
        """The annual amount, kr (with a forecast: the forecast priced)."""

    @property
    def forecast(self) -> Mapping[str, Decimal]:
        """Annual volume per service code; empty for a fixed annual amount."""

    @property
    def source(self) -> str:
        """Where the figure comes from."""


def dump_subscriptions(
    subscriptions: Sequence[SubscriptionEntry],
    *,
    year: int,
    source: str,
    pricelist: str | None = None,
    status: str = "proposal",
    header: str = "",
) -> str:
    """The subscription file (TOML) of ``subscriptions`` for ``year``.

    The ``[reconciliation]`` table states the defaults (months 4, 10 and 12; threshold
    100 000 kr; final threshold 0 kr). A subscription with a ``forecast`` is written with
    its forecast volumes per service (priced by ``pricelist``) and its priced annual amount
    as a comment; one without, with its ``annual`` amount in kr.

    >>> from sfprice.engine.planning import DraftSubscription
    >>> text = dump_subscriptions(
    ...     [DraftSubscription("Kulturförvaltningen", "payroll", Decimal(1), Decimal("12.50"))],
    ...     year=2026, source="HYPOTHETICAL")
    >>> print(text.split("[[subscriptions]]")[1].strip())
    customer = "Kulturförvaltningen"
    area = "payroll"
    annual = 12.50
    source = ""
    """
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    lines += [
        'kind = "subscriptions"',
        f"year = {year}",
        f"status = {_toml_string(status)}",
        f"source = {_toml_string(source)}",
    ]
    if pricelist is not None:
        lines.append(f"pricelist = {_toml_string(pricelist)}")
    months = ", ".join(str(m) for m in DEFAULT_RECONCILIATION_MONTHS)
    lines += [
        "",
        "[reconciliation]",
        f"months = [{months}]",
        f"threshold = {decimal_text(DEFAULT_THRESHOLD)}",
        "final_threshold = 0",
    ]
    for sub in subscriptions:
        lines += [
            "",
            "[[subscriptions]]",
            f"customer = {_toml_string(sub.customer)}",
            f"area = {_toml_string(sub.area)}",
        ]
        if sub.forecast:
            volumes = ", ".join(
                f"{_toml_string(code)} = {decimal_text(q)}" for code, q in sub.forecast.items()
            )
            lines += [
                f"forecast = {{ {volumes} }}",
                f"# forecast priced by {pricelist}: {decimal_text(sub.annual)} kr",
            ]
        else:
            lines.append(f"annual = {decimal_text(sub.annual)}")
        lines.append(f"source = {_toml_string(sub.source)}")
    return "\n".join(lines) + "\n"
