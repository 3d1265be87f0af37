"""Agreements and overrides (serviceavtal), effective by month: a pure model.

An :class:`Agreements` holds the price groups (prisgrupper) and the agreements of one
agreements file (``docs/agreements.md``; :func:`sfprice.io.agreements.read_agreements`
reads it). Each :class:`Agreement` is for one customer (a department) or one price group,
in force from one month to another (inclusive), and does one thing:

- an own **price** for an item of the price list (replaces the whole unit price);
- a **discount** in percent on an item, or on every item of a business area;
- an **add-on** service (tilläggstjänst): an item of its own, billed per department and
  month in the agreement's months only.

Precedence: a customer's own price over its price group's over the list; a customer's
discount applies on the price it would pay without it (its group's, else the list's:
:meth:`Agreements.beneath`). Two
agreements at the same level that apply to the same customer, item and month are an
error (:meth:`Agreements.choose` reports both). The engine asks :meth:`Agreements.choose`
which agreement prices a line and :meth:`Agreement.priced` for the item it then prices
by; nothing here reads files or rounds money.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal

from sfprice.kinds import UnitPrice
from sfprice.model import AgreementRef, Customer, PriceComponent, PriceItem
from sfprice.period import Month

__all__ = [
    "Agreement",
    "AgreementKind",
    "Agreements",
    "Conflict",
    "PriceGroup",
    "add_on_problem",
]

_HUNDRED = Decimal(100)
#: The kinds an add-on item may be: those billed once per department and month.
ADD_ON_KINDS = ("fixed_monthly", "per_employee")


class AgreementKind(enum.StrEnum):
    """What an agreement does."""

    PRICE = "price"
    """An own price for an item of the list (avtalspris)."""
    DISCOUNT = "discount"
    """A discount in percent on an item or a business area (rabatt)."""
    ADD_ON = "add_on"
    """An item of its own, an add-on service (tilläggstjänst)."""


@dataclass(frozen=True, slots=True)
class PriceGroup:
    """A price group (prisgrupp): customers that share agreements.

    Attributes:
        name: The group's name, as ``Customer.price_group`` gives it (``"bolag"``).
        description: What the group is and why (e.g. the seed line it follows).
    """

    name: str
    description: str = ""


def add_on_problem(item: PriceItem) -> str | None:
    """Why ``item`` cannot be an add-on (None when it can).

    An add-on is billed to whom its agreement is for: a monthly fee must be its
    ``default_fee`` (a ``fees`` table by department would bill nothing to a department it
    does not name, silently).
    """
    if str(item.kind) not in ADD_ON_KINDS:
        return (
            f"an add-on is billed per department and month in its months: kind "
            f"{' or '.join(ADD_ON_KINDS)}, not {item.kind}"
        )
    if str(item.kind) == "fixed_monthly" and (item.fees or item.default_fee is None):
        return (
            "an add-on's monthly fee is the same for everyone its agreement is for: give "
            "default_fee, not fees"
        )
    return None


def _swedish_number(value: Decimal) -> str:
    """A number as the agreement states it, with a decimal comma (``55,00``, ``12,5``)."""
    return format(value, "f").replace(".", ",")


@dataclass(frozen=True, slots=True)
class Agreement:
    """One agreement or override, in force in the months ``start``..``end`` (inclusive).

    Attributes:
        id: Its id in the file, unique there.
        source: Where it is written (the signed agreement's reference, a seed line).
        start: The first month it is in force.
        end: The last month it is in force (inclusive); None: until further notice.
        customer: The department it is for (the customer's current name), or None.
        group: The price group it is for, or None. Exactly one of the two is given.
        item: The list item it prices (own price, discount on one item), or None.
        business_area: For a discount on every item of a business area, the area.
        price: The own price per unit (replacing the whole price), or None.
        discount: The discount in percent (0..100), or None.
        add_on: The add-on item (a kind of :data:`ADD_ON_KINDS`), or None.
        path: The file it is read from, for messages.
        field: Where in the file (``agreements[2] (kultur-pris)``), for messages.
        line: The line of its ``[[agreements]]`` header, for messages (None: unknown).
        key_lines: The line of each of its keys (``("customer", 7)``), for messages.
    """

    id: str
    source: str
    start: Month
    end: Month | None = None
    customer: str | None = None
    group: str | None = None
    item: str | None = None
    business_area: str | None = None
    price: Decimal | None = None
    discount: Decimal | None = None
    add_on: PriceItem | None = None
    path: str = ""
    field: str = ""
    line: int | None = None
    key_lines: tuple[tuple[str, int], ...] = ()

    def __post_init__(self) -> None:
        if (self.customer is None) == (self.group is None):
            msg = f"agreement {self.id}: give a customer or a group, one of them"
            raise ValueError(msg)
        if self.end is not None and self.end < self.start:
            msg = f"agreement {self.id}: it ends ({self.end}) before it starts ({self.start})"
            raise ValueError(msg)
        given = [v is not None for v in (self.price, self.discount, self.add_on)]
        if sum(given) != 1:
            msg = f"agreement {self.id}: give one of price, discount or add_on"
            raise ValueError(msg)
        if self.price is not None and (self.item is None or self.business_area is not None):
            msg = f"agreement {self.id}: an own price is for one item (item=)"
            raise ValueError(msg)
        if self.price is not None and self.price < 0:
            msg = f"agreement {self.id}: a price must be >= 0, got {self.price}"
            raise ValueError(msg)
        if self.discount is not None:
            if (self.item is None) == (self.business_area is None):
                msg = f"agreement {self.id}: a discount is on an item or a business area"
                raise ValueError(msg)
            if not 0 <= self.discount <= _HUNDRED:
                msg = f"agreement {self.id}: a discount is 0..100 %, got {self.discount}"
                raise ValueError(msg)
        if self.add_on is not None and (problem := add_on_problem(self.add_on)):
            msg = f"agreement {self.id}: {problem}"
            raise ValueError(msg)

    def line_of(self, key: str) -> int | None:
        """The line of ``key`` in the file; of the agreement's header when not known."""
        return dict(self.key_lines).get(key, self.line)

    @property
    def kind(self) -> AgreementKind:
        """What the agreement does."""
        if self.price is not None:
            return AgreementKind.PRICE
        if self.discount is not None:
            return AgreementKind.DISCOUNT
        return AgreementKind.ADD_ON

    @property
    def level(self) -> int:
        """0 for a customer's own agreement, 1 for a price group's (lower wins)."""
        return 0 if self.customer is not None else 1

    def in_force(self, month: Month) -> bool:
        """True when the agreement is in force in ``month``."""
        return self.start <= month and (self.end is None or month <= self.end)

    def overlaps(self, first: Month, last: Month) -> bool:
        """True when it is in force in some month of ``first``..``last``."""
        return self.start <= last and (self.end is None or first <= self.end)

    def is_for(self, department: str, customer: Customer | None) -> bool:
        """True when it is for this department: by name or code, or by its price group."""
        if self.customer is not None:
            return self.customer == department or (
                customer is not None and self.customer == customer.code
            )
        return customer is not None and customer.price_group == self.group

    def covers(self, item: PriceItem) -> bool:
        """True when it prices ``item``: its own item, or an item of its business area."""
        if self.add_on is not None:
            return False
        if self.item is not None:
            return self.item == item.code
        return bool(item.business_area) and item.business_area == self.business_area

    @property
    def whom(self) -> str:
        """Whom it is for, in words (``prisgrupp bolag``, ``kundavtal``)."""
        return f"prisgrupp {self.group}" if self.group is not None else "kundavtal"

    @property
    def what(self) -> str:
        """What it does, in words (``avtalspris 55,00 kr``, ``rabatt 5 %``)."""
        if self.price is not None:
            return f"avtalspris {_swedish_number(self.price.quantize(Decimal('0.01')))} kr"
        if self.discount is not None:
            return f"rabatt {_swedish_number(self.discount.normalize())} %"
        return "tilläggstjänst"

    @property
    def text(self) -> str:
        """What it does, as an invoice line shows it (``avtalspris 55,00 kr (kundavtal)``)."""
        return f"{self.what} ({self.whom})"

    @property
    def ref(self) -> AgreementRef:
        """The reference an invoice line carries."""
        return AgreementRef(self.id, self.text, self.source)

    def ref_on(self, base: Agreement) -> AgreementRef:
        """The reference of this discount applied on the price group's ``base`` agreement.

        It names both: ``rabatt 5 % på prisgruppens pris (kundavtal k; prisgrupp bolag:
        avtalspris 50,00 kr, g)``, id ``k+g``, both sources.
        """
        text = (
            f"{self.what} på prisgruppens pris ({self.whom} {self.id}; {base.whom}: "
            f"{base.what}, {base.id})"
        )
        return AgreementRef(f"{self.id}+{base.id}", text, f"{self.source}; {base.source}")

    def support_problem(self, item: PriceItem) -> str | None:
        """Why this agreement cannot price ``item``, or None when it can.

        An own price or a discount changes a plain unit price (composite or not); an item
        of another kind (a fee, tiers, a package, a percentage, a minimum) or a price by
        customer year is not changed by an agreement: it is refused, not guessed.
        """
        if not isinstance(item.terms, UnitPrice) or item.steps_down:
            what = f"a {item.kind} price" + (" by customer year" if item.steps_down else "")
            return (
                f"{item.code} is {what}; an agreement's "
                f"{'own price' if self.price is not None else 'discount'} applies to plain "
                "unit prices only"
            )
        return None

    def priced(self, item: PriceItem) -> PriceItem:
        """The item as this agreement prices it.

        An own price replaces the whole price (a composite price's components are dropped:
        the agreement does not split its price). A discount multiplies the price and each
        component by ``(100 - discount) / 100``, exactly (no rounding here: the line's
        amount is rounded once, by the kind, as for any price).

        Raises:
            ValueError: When the item is not a plain unit price (:meth:`support_problem`).
        """
        problem = self.support_problem(item)
        if problem is not None:
            raise ValueError(f"agreement {self.id}: {problem}")
        if self.price is not None:
            return replace(item, price=self.price, components=())
        assert self.discount is not None  # not an add-on: covers() is False for those
        factor = (_HUNDRED - self.discount) / _HUNDRED
        return replace(
            item,
            price=item.price * factor,
            components=tuple(
                PriceComponent(c.label, c.price * factor, c.item) for c in item.components
            ),
        )


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two agreements at the same level that both apply to one customer, item and month."""

    first: Agreement
    second: Agreement
    department: str
    item: str
    month: Month


@dataclass(frozen=True, slots=True)
class Agreements:
    """The price groups and agreements of one agreements file.

    Attributes:
        groups: The price groups declared.
        agreements: The agreements, in file order.
        path: The file, for messages.
    """

    groups: tuple[PriceGroup, ...] = ()
    agreements: tuple[Agreement, ...] = ()
    path: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", tuple(self.groups))
        object.__setattr__(self, "agreements", tuple(self.agreements))
        ids = [a.id for a in self.agreements]
        if len(set(ids)) != len(ids):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            msg = f"agreement ids must be unique: {', '.join(twice)}"
            raise ValueError(msg)
        names = {g.name for g in self.groups}
        unknown = sorted({a.group for a in self.agreements if a.group and a.group not in names})
        if unknown:
            msg = f"agreements for undeclared price groups: {', '.join(unknown)}"
            raise ValueError(msg)

    def __iter__(self) -> Iterator[Agreement]:
        return iter(self.agreements)

    def __len__(self) -> int:
        return len(self.agreements)

    @property
    def group_names(self) -> tuple[str, ...]:
        """The declared price groups' names, in file order."""
        return tuple(g.name for g in self.groups)

    def choose(
        self, item: PriceItem, department: str, customer: Customer | None, month: Month
    ) -> Agreement | Conflict | None:
        """The agreement that prices ``item`` for the department in ``month``.

        The customer's own agreement wins over its price group's; None when neither has
        one (the list's price holds). Two agreements at the winning level are a
        :class:`Conflict`.
        """
        found = [
            a
            for a in self.agreements
            if a.covers(item) and a.in_force(month) and a.is_for(department, customer)
        ]
        if not found:
            return None
        level = min(a.level for a in found)
        chosen = [a for a in found if a.level == level]
        if len(chosen) > 1:
            return Conflict(chosen[0], chosen[1], department, item.code, month)
        return chosen[0]

    def beneath(
        self,
        chosen: Agreement,
        item: PriceItem,
        department: str,
        customer: Customer | None,
        month: Month,
    ) -> Agreement | Conflict | None:
        """The price group's agreement a customer's discount applies on, if any.

        A customer's discount is on the price the customer would pay without it: its
        price group's (own price or discount) where one is in force for the item, else the
        list's (None). A customer's own price, or a group's agreement, is on nothing.
        """
        if chosen.discount is None or chosen.level != 0:
            return None
        found = [
            a
            for a in self.agreements
            if a.level == 1
            and a.covers(item)
            and a.in_force(month)
            and a.is_for(department, customer)
        ]
        if len(found) > 1:
            return Conflict(found[0], found[1], department, item.code, month)
        return found[0] if found else None

    def add_ons(
        self, departments: Iterable[tuple[str, Customer | None]], month: Month
    ) -> Iterator[tuple[str, Agreement | Conflict]]:
        """The add-on agreements in force in ``month``, with each department they bill.

        Per department and add-on code, the customer's own agreement wins over its price
        group's; two at the winning level are a :class:`Conflict`.
        """
        for department, customer in departments:
            by_code: dict[str, list[Agreement]] = {}
            for agreement in self.agreements:
                if (
                    agreement.add_on is not None
                    and agreement.in_force(month)
                    and agreement.is_for(department, customer)
                ):
                    by_code.setdefault(agreement.add_on.code, []).append(agreement)
            for code, found in by_code.items():
                level = min(a.level for a in found)
                chosen = [a for a in found if a.level == level]
                if len(chosen) > 1:
                    yield department, Conflict(chosen[0], chosen[1], department, code, month)
                else:
                    yield department, chosen[0]

    def named_departments(self) -> frozenset[str]:
        """The customers the agreements name (names or codes, as given)."""
        return frozenset(a.customer for a in self.agreements if a.customer is not None)
