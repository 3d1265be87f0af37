"""A consolidated invoice per paying parent (``bill --per parent``): pure, from a run.

In a city, a förvaltning reports to a nämnd, and the nämnd may be the one that pays. With
a customer register whose customers name their paying parent (:attr:`Customer.parent`,
the parent's code), :func:`consolidate` turns a run's invoices (one per department and
month) into one invoice per paying parent and month. Each line keeps the department it is
for (:attr:`InvoiceLine.department`), the lines are grouped by department (the payer's own
lines first, then the others in Swedish alphabetical order), and an invoice total is still
the sum of its lines: consolidation moves lines, it changes no amount, so every month's
total is what it was.

The payer is the direct parent: a förvaltning's nämnd pays, whatever the nämnd reports
to. A customer without a parent, and a department the register does not list, is its own
payer. A parent code the register does not hold is an error naming the customer: a line
is never billed to a guessed payer.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping

from sfprice.collation import swedish_key
from sfprice.engine.billing import BillingRun, Invoice, InvoiceLine
from sfprice.errors import InputError, Issue
from sfprice.model import Customer
from sfprice.period import Month

__all__ = ["consolidate", "payers"]


def payers(customers: Iterable[Customer]) -> dict[str, Customer]:
    """Each registered department's paying customer (itself when it has no parent).

    Raises:
        InputError: One issue per customer whose parent code no customer has.
    """
    listed = list(customers)
    by_code = {c.code: c for c in listed if c.code is not None}
    found: dict[str, Customer] = {}
    issues = []
    for customer in listed:
        if customer.parent is None or customer.parent == customer.code:
            found[customer.department] = customer
        elif customer.parent in by_code:
            found[customer.department] = by_code[customer.parent]
        else:
            known = ", ".join(sorted(by_code)) or "none"
            issues.append(
                Issue(
                    customer.source or customer.department,
                    f"{customer.department}: paying parent {customer.parent!r} is not a "
                    f"customer's code in the register (expected one of its codes: {known}, "
                    "or no parent to pay its own invoices)",
                    field="parent",
                )
            )
    if issues:
        raise InputError(issues)
    return found


def consolidate(
    run: BillingRun, customers: Mapping[str, Customer] | Iterable[Customer]
) -> BillingRun:
    """The run with one invoice per paying parent and month (see the module).

    Args:
        run: A run of one invoice per department and month.
        customers: The customer register (a mapping by department, or the records).

    Raises:
        InputError: When a customer's parent code is not in the register.
        ValueError: When two invoices of one payer and month have different price lists
            or currencies (a month is priced by one list, so a run never has them).
    """
    records = customers.values() if isinstance(customers, Mapping) else customers
    paid_by = payers(records)
    groups: dict[tuple[str, Month], list[Invoice]] = defaultdict(list)
    payer_of: dict[str, Customer | None] = {}
    for invoice in run.invoices:
        payer = paid_by.get(invoice.department)
        name = invoice.department if payer is None else payer.department
        payer_of[name] = payer if payer is not None else invoice.customer
        groups[name, invoice.month].append(invoice)
    invoices = []
    for (name, month), parts in sorted(
        groups.items(), key=lambda item: (swedish_key(item[0][0]), item[0][1])
    ):
        lists = {(p.price_list, p.currency) for p in parts}
        if len(lists) > 1:
            msg = f"{name} {month}: the invoices to consolidate differ in price list: {lists}"
            raise ValueError(msg)
        parts.sort(key=lambda p: (p.department != name, swedish_key(p.department)))
        lines: list[InvoiceLine] = [
            dataclasses.replace(line, department=part.department)
            for part in parts
            for line in part.lines
        ]
        invoices.append(
            Invoice(
                name,
                month,
                parts[0].price_list,
                parts[0].currency,
                tuple(lines),
                customer=payer_of[name],
            )
        )
    return dataclasses.replace(run, invoices=tuple(invoices))
