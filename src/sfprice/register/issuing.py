"""The issuing policy as a pure plan: what issuing a billing run into a period does.

Given each department's invoice in force for the period (the latest one not credited)
and the new billing run, :func:`plan_issue` decides per department:

- **keep**: the run charges what the invoice in force charges (same price list, currency
  and lines, in order); nothing is written;
- **reissue**: the charges changed; the invoice is credited in full and a new one issued;
- **credit**: the department is no longer billed; its invoice is credited only;
- **new**: a department without an invoice in force gets one.

No SQLite here: :mod:`sfprice.register.store` reads what is in force, asks for the plan
and writes it in one transaction. After the plan is carried out, the net of the period's
documents per department is the run's invoice (see :attr:`IssuePlan.net_after`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sfprice.collation import swedish_key
from sfprice.engine.billing import BillingRun, Invoice, InvoiceLine
from sfprice.model import AgreementRef
from sfprice.money import exact_sum
from sfprice.period import Month
from sfprice.register.codec import agreement_from
from sfprice.register.content import (
    ContentComponent,
    ContentCustomer,
    ContentLine,
    DocumentContent,
    VolumeStatement,
)
from sfprice.register.records import IssuedLine

__all__ = [
    "Action",
    "InForce",
    "IssuePlan",
    "PlanStep",
    "credit_note_lines",
    "credit_note_statement",
    "plan_issue",
    "reversed_lines",
    "same_charges",
    "same_identity",
]


class Action(enum.StrEnum):
    """What issuing does for one department."""

    KEEP = "keep"
    """The invoice in force already charges this; nothing is written."""
    REISSUE = "reissue"
    """A credit note for the invoice in force, then a new invoice."""
    CREDIT = "credit"
    """A credit note only: the department is no longer billed this period."""
    NEW = "new"
    """A new invoice: the department has none in force."""


@dataclass(frozen=True, slots=True)
class InForce:
    """A department's invoice in force for the period, as the register holds it."""

    number: str
    department: str
    price_list: str
    currency: str
    lines: tuple[IssuedLine, ...]
    customer: ContentCustomer | None = None
    """The customer's identity the invoice shows (code, name, reference, address, object)."""

    @property
    def total(self) -> Decimal:
        """The sum of its line amounts."""
        return exact_sum((line.amount for line in self.lines), Decimal(0))


@dataclass(frozen=True, slots=True)
class PlanStep:
    """One department's part of the plan.

    Attributes:
        department: The department.
        action: What is done.
        credit: The invoice in force that is credited (reissue, credit) or kept (keep).
        invoice: The run's invoice that is issued (reissue, new) or matched (keep).
    """

    department: str
    action: Action
    credit: InForce | None
    invoice: Invoice | None


@dataclass(frozen=True, slots=True)
class IssuePlan:
    """The plan of one issue: a step per department, in Swedish alphabetical order."""

    period: Month
    steps: tuple[PlanStep, ...]

    @property
    def unchanged(self) -> tuple[str, ...]:
        """The departments whose invoice in force is kept."""
        return tuple(s.department for s in self.steps if s.action is Action.KEEP)

    @property
    def writes(self) -> tuple[PlanStep, ...]:
        """The steps that write documents, in order."""
        return tuple(s for s in self.steps if s.action is not Action.KEEP)

    @property
    def changed(self) -> bool:
        """False when the plan writes nothing."""
        return bool(self.writes)

    def net_after(self) -> dict[str, Decimal]:
        """Each department's net for the period once the plan is carried out.

        The invoice in force, minus its credit note when credited, plus the new invoice.
        """
        net: dict[str, Decimal] = {}
        for step in self.steps:
            parts: list[Decimal] = []
            if step.credit is not None:
                parts.append(step.credit.total)
                if step.action is not Action.KEEP:
                    parts.append(step.credit.total.copy_negate())
            if step.invoice is not None and step.action is not Action.KEEP:
                parts.append(step.invoice.total)
            net[step.department] = exact_sum(parts, Decimal(0))
        return net


def _charges(
    price_list: str, currency: str, lines: Iterable[IssuedLine | InvoiceLine]
) -> tuple[object, ...]:
    """What decides whether two invoices charge the same: every line's charge, in order.

    A line's charge includes the agreement that priced it: the same amount under another
    agreement (or under none) is a change of what the invoice shows, so it is corrected.
    """
    listed = list(lines)
    return (
        price_list,
        currency,
        tuple(
            (line.service, line.name, str(line.unit), line.quantity, line.unit_price, line.amount)
            for line in listed
        ),
        tuple(_agreement_of(line) for line in listed),
    )


def _agreement_of(line: IssuedLine | InvoiceLine) -> AgreementRef | None:
    if isinstance(line, InvoiceLine):
        return line.agreement
    return agreement_from(line.detail.get("agreement"))


def same_charges(old: InForce, new: Invoice) -> bool:
    """True when ``new`` charges exactly what ``old`` charges (then ``old`` is kept)."""
    return _charges(old.price_list, old.currency, old.lines) == _charges(
        new.price_list, new.currency, new.lines
    )


def same_identity(old: InForce, new: Invoice) -> bool:
    """True unless ``new`` shows another customer identity than ``old`` shows.

    The run's register record decides: a changed code, name, reference person, address
    or SIE object (or a record where the invoice was issued without one) is a change of
    what the document shows, so it is corrected like a changed amount. A run without a
    record for the department says nothing about its identity and keeps ``old``'s.
    """
    return new.customer is None or ContentCustomer.of(new.customer) == old.customer


def plan_issue(
    in_force: Mapping[str, InForce] | Sequence[InForce], run: BillingRun, period: Month
) -> IssuePlan:
    """Plan issuing ``run``'s invoices of ``period`` over the invoices in force.

    Args:
        in_force: Each department's invoice in force for the period.
        run: The billing run; only its invoices of ``period`` count.
        period: The month issued.
    """
    current = (
        dict(in_force)
        if isinstance(in_force, Mapping)
        else {invoice.department: invoice for invoice in in_force}
    )
    wanted = {i.department: i for i in run.invoices if i.month == period}
    steps = []
    for department in sorted(set(wanted) | set(current), key=swedish_key):
        old, new = current.get(department), wanted.get(department)
        if old is None:
            action = Action.NEW
        elif new is None:
            action = Action.CREDIT
        elif same_charges(old, new) and same_identity(old, new):
            action = Action.KEEP
        else:
            action = Action.REISSUE
        steps.append(PlanStep(department, action, old, new))
    return IssuePlan(period, tuple(steps))


# -- the credit note: a full reversal of the invoice in force -------------------------------


def reversed_lines(stored: Sequence[IssuedLine]) -> list[IssuedLine]:
    """A credit note's lines: the invoice's, quantities and amounts negated exactly."""
    return [
        IssuedLine(
            line.service,
            line.name,
            line.unit,
            line.quantity.copy_negate(),  # exact: unary minus rounds to 28 digits
            line.unit_price,
            line.amount.copy_negate(),
            line.price_list,
            {},
        )
        for line in stored
    ]


def credit_note_lines(
    lines: Sequence[ContentLine], stored: Sequence[IssuedLine]
) -> list[ContentLine]:
    """What a credit note's lines show, from ``stored`` (the reversed lines).

    Each has the credited invoice's components negated and its allocation and basis as
    issued (``lines``: what the credited invoice showed).
    """
    out = []
    for index, line in enumerate(stored):
        credited = lines[index] if index < len(lines) else None
        parts = credited.components if credited is not None else ()
        out.append(
            line.shown(
                tuple(
                    ContentComponent(
                        c.label,
                        c.unit_price,
                        c.amount.copy_negate(),  # exact: unary minus rounds to 28 digits
                        None if c.quantity is None else c.quantity.copy_negate(),
                    )
                    for c in parts
                ),
                credited.allocation if credited is not None else None,
                credited.basis if credited is not None else None,
                credited.agreement if credited is not None else None,
            )
        )
    return out


def credit_note_statement(credited: DocumentContent) -> VolumeStatement:
    """A credit note shows the credited invoice's statement, labelled with its number."""
    return VolumeStatement(credited.statement.computed, credited.number, credited.statement.rows)
