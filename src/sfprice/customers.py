"""The customer register as a lookup: which customer a volume row's label means in a month.

A :class:`CustomerRegister` is a ``Mapping[str, Customer]`` keyed by each customer's current
name (so every caller that took a ``dict[str, Customer]`` keeps working), with

- :meth:`CustomerRegister.by_code`: the customer of a code (ansvarskod), and
- :meth:`CustomerRegister.resolve`: the customer a label means in a month, found by its
  code, its current name, or an earlier name or alias used on any day of that month.

Pure: it reads no files (``sfprice.io.customers`` reads the register files) and it
assumes a register that the loader has validated (no label of two customers on
overlapping dates; if one built in code has one, :meth:`CustomerRegister.find` refuses that
label in the months it is ambiguous).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from sfprice.model import Customer, KnownName
from sfprice.names import nearest_names
from sfprice.period import Month

__all__ = ["CustomerRegister", "NameSpan", "customers_by_name", "label_of", "spans_overlap"]


@dataclass(frozen=True, slots=True)
class NameSpan:
    """One label of one customer with the days it may be used (None: open-ended)."""

    customer: Customer
    since: date | None = None
    until: date | None = None
    known: KnownName | None = None  # None for the code or the current name

    def in_month(self, month: Month) -> bool:
        """True when the label is used on any day of ``month``."""
        return (self.since is None or self.since <= month.last_day) and (
            self.until is None or month.first_day <= self.until
        )

    def dates(self) -> str:
        """The dates in words: ``from 2014-01-01 until 2018-12-31``."""
        parts = []
        if self.since is not None:
            parts.append(f"from {self.since}")
        if self.until is not None:
            parts.append(f"until {self.until}")
        return " ".join(parts) or "always"


def spans_overlap(first: NameSpan, second: NameSpan) -> bool:
    """True when two spans share a day."""
    return (first.since is None or second.until is None or first.since <= second.until) and (
        second.since is None or first.until is None or second.since <= first.until
    )


def label_of(customer: Customer) -> str:
    """``1310 Kulturförvaltningen``, or the name alone for a customer without a code."""
    return f"{customer.code} {customer.department}" if customer.code else customer.department


class CustomerRegister(Mapping[str, Customer]):
    """The customers by current name, with lookups by code and by any label in a month.

    >>> from sfprice.model import KnownName
    >>> kultur = Customer(
    ...     "Kulturförvaltningen",
    ...     code="1310",
    ...     known_names=(
    ...         KnownName(
    ...             "Kultur- och fritidsförvaltningen", until=date(2013, 12, 31), earlier=True
    ...         ),
    ...     ),
    ... )
    >>> register = CustomerRegister([kultur], path="customers.toml")
    >>> register.resolve("1310", Month(2014, 1)).department
    'Kulturförvaltningen'
    >>> register.resolve("Kultur- och fritidsförvaltningen", Month(2013, 12)).department
    'Kulturförvaltningen'
    >>> print(register.resolve("Kultur- och fritidsförvaltningen", Month(2014, 3)))
    'Kultur- och fritidsförvaltningen' was the name of 1310 Kulturförvaltningen until \
2013-12-31; this row is of 2014-03 (expected a name in use in the row's month, or the \
customer's code)
    """

    __slots__ = ("_by_code", "_by_name", "_labels", "path")

    def __init__(self, customers: Iterable[Customer], *, path: str = "") -> None:
        #: The register file, for messages ("" for a register built in code).
        self.path = path
        self._by_name: dict[str, Customer] = {}
        self._by_code: dict[str, Customer] = {}
        self._labels: dict[str, list[NameSpan]] = {}
        for customer in customers:
            if customer.department in self._by_name:
                msg = f"the customer register has {customer.department!r} twice"
                raise ValueError(msg)
            self._by_name[customer.department] = customer
            if customer.code is not None:
                if customer.code in self._by_code:
                    msg = f"the customer register has the code {customer.code!r} twice"
                    raise ValueError(msg)
                self._by_code[customer.code] = customer
        for customer in self._by_name.values():
            for label, span in _spans(customer):
                self._labels.setdefault(label, []).append(span)

    def __getitem__(self, name: str) -> Customer:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def __repr__(self) -> str:
        return f"CustomerRegister({list(self._by_name.values())!r}, path={self.path!r})"

    def by_code(self, code: str) -> Customer | None:
        """The customer with this code (ansvarskod), or None."""
        return self._by_code.get(code)

    def labels(self) -> tuple[str, ...]:
        """Every code, name and alias the register knows, in register order."""
        return tuple(self._labels)

    def spans(self, label: str) -> tuple[NameSpan, ...]:
        """The uses of ``label``: one per customer and date range."""
        return tuple(self._labels.get(label, ()))

    def find(self, label: str, month: Month) -> Customer | str | None:
        """The customer ``label`` means in ``month``, a problem, or None when unknown.

        The label is a cleaned name (:func:`sfprice.names.clean_name`). A known label
        used outside its dates, a label of two customers in the month, and a row after
        the customer left are problems (the text says why).
        """
        spans = self._labels.get(label)
        if not spans:
            return None
        current = [span for span in spans if span.in_month(month)]
        customers = list({id(s.customer): s.customer for s in current}.values())
        if len(customers) > 1:
            listed = " and ".join(label_of(c) for c in customers)
            return (
                f"{label!r} names {listed} in {month}; use the code of the one meant "
                "(expected one customer per name in a month)"
            )
        if not customers:
            told = "; ".join(
                f"{'was the name' if s.known and s.known.earlier else 'is a name'} of "
                f"{label_of(s.customer)} {s.dates()}"
                for s in spans
            )
            return (
                f"{label!r} {told}; this row is of {month} "
                "(expected a name in use in the row's month, or the customer's code)"
            )
        customer = customers[0]
        if customer.leaves is not None and month.first_day > customer.leaves:
            return (
                f"{label_of(customer)} left the register on {customer.leaves} (leaves); "
                f"this row is of {month} (expected a month up to "
                f"{Month(customer.leaves.year, customer.leaves.month)})"
            )
        return customer

    def find_undated(self, label: str) -> Customer | str | None:
        """The customer ``label`` means at any time, for an input without a month.

        A code, a current name, or an earlier name or alias that only ever named one
        customer; a label that named several customers at different times is a problem
        (the input must say its month); None when unknown.
        """
        spans = self._labels.get(label)
        if not spans:
            return None
        customers = list({id(s.customer): s.customer for s in spans}.values())
        if len(customers) > 1:
            listed = " and ".join(f"{label_of(s.customer)} ({s.dates()})" for s in spans)
            return (
                f"{label!r} named {listed}; this input has no month to tell which "
                "(expected the customer's code, or a month for the input)"
            )
        return customers[0]

    def resolve(self, label: str, month: Month) -> Customer | str:
        """The customer ``label`` means in ``month``, or a problem text (see :meth:`find`)."""
        found = self.find(label, month)
        if found is not None:
            return found
        where = f" {self.path}" if self.path else ""
        near = nearest_names(label, self._labels)
        hint = (
            f"did you mean {', '.join(map(repr, near))}?"
            if near
            else "add it to the register or correct the name"
        )
        return f"{label!r} is not in the customer register{where}; {hint}"


def _spans(customer: Customer) -> Iterator[tuple[str, NameSpan]]:
    yield customer.department, NameSpan(customer)
    if customer.code is not None and customer.code != customer.department:
        yield customer.code, NameSpan(customer)
    for known in customer.known_names:
        if known.name != customer.department:
            yield known.name, NameSpan(customer, known.since, known.until, known)


def customers_by_name(customers: Mapping[str, Customer] | Iterable[Customer]) -> CustomerRegister:
    """A register of ``customers`` (itself when it is one already)."""
    if isinstance(customers, CustomerRegister):
        return customers
    values = customers.values() if isinstance(customers, Mapping) else customers
    return CustomerRegister(values)
