"""The domain model: price lists and volumes, as immutable records.

Nothing here reads files or formats output; loaders in :mod:`sfprice.io` build these
records and the engine in :mod:`sfprice.engine` prices them.
"""

from __future__ import annotations

import bisect
import enum
import fnmatch
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import MAX_PREC, Decimal, localcontext
from types import MappingProxyType

from sfprice.collation import swedish_key
from sfprice.kinds import (
    KINDS,
    AppliesTo,
    FixedMonthly,
    Package,
    Percentage,
    PriceKind,
    PriceTerms,
    StepsDown,
    Tier,
    Tiered,
    TierMode,
    check_price,
    terms_of,
)
from sfprice.money import ROUNDING_MODES
from sfprice.names import name_problem
from sfprice.period import Month
from sfprice.units import Unit

__all__ = [
    "KIND_UNITS",
    "AgreementRef",
    "AllocationPool",
    "Customer",
    "CustomerKind",
    "Driver",
    "KnownName",
    "PriceCatalog",
    "PriceComponent",
    "PriceItem",
    "PriceKind",
    "PriceList",
    "Tier",
    "TierMode",
    "Unit",
    "VolumeEntry",
    "VolumeKey",
    "VolumeSet",
    "VolumeSource",
    "component_reference_problems",
]


#: The unit each kind that is not billed by volume implies (read from the kinds).
KIND_UNITS: Mapping[PriceKind, Unit] = MappingProxyType(
    {kind: cls.implied_unit for kind, cls in KINDS.items() if cls.implied_unit is not None}
)


@dataclass(frozen=True, slots=True)
class PriceComponent:
    """One part of a composite price, e.g. the base 57 or the manual surcharge 53 of "57+53 kr".

    Attributes:
        label: What the component is ("Grundpris", "Tillägg manuell rapportering").
        price: The component's price per unit, in the list's currency.
        item: The code of another item of the same list whose price this component is
            (Agresso's "manuell rapportering 110" is ``payroll.manual``), or None. The list
            checks that the prices agree; a re-priced draft list keeps them in step.
    """

    label: str
    price: Decimal
    item: str | None = None

    def __post_init__(self) -> None:
        check_price(self.price, self.label)


_NO_FEES: Mapping[str, Decimal] = MappingProxyType({})


@dataclass(frozen=True, slots=True, init=False)
class PriceItem:
    """One service of a price list with its price and its kind.

    A composite price keeps its components; ``price`` is then their sum. A simple price has
    no components. How the item charges is its ``terms``: one object of a kind class of
    :mod:`sfprice.kinds` (:class:`~sfprice.kinds.UnitPrice`, :class:`~sfprice.kinds.Tiered`,
    :class:`~sfprice.kinds.Package` ...) holding only that kind's fields.

    Attributes:
        code: Stable service code, the same across years (``payroll.self_service``).
        name: The Swedish name as printed in the source.
        unit: What one unit is. Fixed fees and minimums are ``department_month``, fees per
            employee ``employee_month``, percentages ``percent``.
        price: Price per unit (``unit``, ``per_employee``; with ``by_customer_year`` the
            first year's price), the price of a block (``package``), the minimum amount
            (``minimum``), else 0.
        components: Parts of a composite price, in printed order; empty for a simple price.
        business_area: The business area that sells it (``payroll``, ``economy``, ...).
        source: Where the price comes from (seed file and line, decision).
        terms: The kind and its fields (a plain unit price by default).

    The kind's fields can also be given by name, as in a price-list file (``kind=``,
    ``fees=``, ``default_fee=``, ``tiers=``, ``tier_mode=``, ``applies_to=``, ``rate=``,
    ``by_customer_year=``, ``block=``); the item builds its ``terms`` of them and refuses a
    field its kind does not have. They read back as properties of the same names.
    """

    code: str
    name: str
    unit: Unit
    price: Decimal
    components: tuple[PriceComponent, ...]
    business_area: str
    source: str
    terms: PriceTerms

    def __init__(
        self,
        code: str,
        name: str,
        unit: Unit,
        price: Decimal,
        components: Iterable[PriceComponent] = (),
        business_area: str = "",
        source: str = "",
        kind: PriceKind | str | None = None,
        fees: Mapping[str, Decimal] | None = None,
        default_fee: Decimal | None = None,
        tiers: Iterable[Tier] | None = None,
        tier_mode: TierMode | str | None = None,
        applies_to: Iterable[str] | None = None,
        rate: Decimal | None = None,
        by_customer_year: Iterable[Decimal] | None = None,
        block: Decimal | None = None,
        *,
        terms: PriceTerms | None = None,
    ) -> None:
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "unit", Unit(unit))
        object.__setattr__(self, "price", price)
        object.__setattr__(self, "components", tuple(components))
        object.__setattr__(self, "business_area", business_area)
        object.__setattr__(self, "source", source)
        check_price(price, code)
        if self.components and sum(c.price for c in self.components) != price:
            parts = " + ".join(str(c.price) for c in self.components)
            msg = f"{code}: components {parts} do not add up to the price {price}"
            raise ValueError(msg)
        by_name: dict[str, object] = {
            "components": self.components or None,
            "fees": dict(fees) if fees else None,
            "default_fee": default_fee,
            "tiers": tuple(tiers) if tiers else None,
            "applies_to": tuple(applies_to) if applies_to else None,
            "rate": rate,
            "by_customer_year": tuple(by_customer_year) if by_customer_year else None,
            "block": block,
        }
        given = {name: value for name, value in by_name.items() if value is not None}
        if terms is None:
            the_kind = PriceKind(kind) if kind is not None else PriceKind.UNIT
            if the_kind is PriceKind.TIERED and tier_mode is not None:
                given["tier_mode"] = TierMode(tier_mode)
            try:
                terms = terms_of(the_kind, given)
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"{code}: {exc}") from None
        elif (kind is not None and PriceKind(kind) is not terms.kind) or (
            set(given) - {"components"}
        ):
            msg = f"{code}: give the kind's fields in terms, not also by name"
            raise TypeError(msg)
        object.__setattr__(self, "terms", terms)
        if problem := terms.item_problem(self):
            msg = f"{code}: {problem}"
            raise ValueError(msg)

    @property
    def kind(self) -> PriceKind:
        """How the item charges (the kind of its ``terms``)."""
        return self.terms.kind

    @property
    def fees(self) -> Mapping[str, Decimal]:
        """``fixed_monthly``: the monthly fee per department (else none)."""
        return self.terms.fees if isinstance(self.terms, FixedMonthly) else _NO_FEES

    @property
    def default_fee(self) -> Decimal | None:
        """``fixed_monthly``: the fee of a department not in ``fees`` (None: it pays none)."""
        return self.terms.default_fee if isinstance(self.terms, FixedMonthly) else None

    @property
    def tiers(self) -> tuple[Tier, ...]:
        """``tiered``: the bands, ascending; the last has no ``up_to`` (else none)."""
        return self.terms.tiers if isinstance(self.terms, Tiered) else ()

    @property
    def tier_mode(self) -> TierMode:
        """``tiered``: graduated or volume (graduated for the other kinds)."""
        return self.terms.tier_mode if isinstance(self.terms, Tiered) else TierMode.GRADUATED

    @property
    def applies_to(self) -> tuple[str, ...]:
        """``minimum``, ``percentage``: the codes or patterns of the lines it is on."""
        return self.terms.applies_to if isinstance(self.terms, AppliesTo) else ()

    @property
    def rate(self) -> Decimal | None:
        """``percentage``: the rate, ``0.05`` for 5 % (else None)."""
        return self.terms.rate if isinstance(self.terms, Percentage) else None

    @property
    def block(self) -> Decimal | None:
        """``package``: the units in one block (else None)."""
        return self.terms.block if isinstance(self.terms, Package) else None

    @property
    def by_customer_year(self) -> tuple[Decimal, ...]:
        """The price in the customer's 1st, 2nd, 3rd ... year; the last holds after."""
        return self.terms.by_customer_year if isinstance(self.terms, StepsDown) else ()

    @property
    def is_composite(self) -> bool:
        """True when the price is printed as base + surcharge(s)."""
        return bool(self.components)

    @property
    def steps_down(self) -> bool:
        """True when the price depends on the customer's year (``by_customer_year``)."""
        return self.terms.steps_down

    def price_in_year(self, customer_year: int) -> Decimal:
        """The price in the customer's ``customer_year`` (1 = the first year).

        Without ``by_customer_year`` the price is the same every year: ``price``.

        >>> item = PriceItem("p", "P", Unit.PERSON_MONTH, Decimal(60),
        ...                  by_customer_year=(Decimal(60), Decimal(55), Decimal(50)))
        >>> [item.price_in_year(year) for year in (1, 2, 3, 4)]
        [Decimal('60'), Decimal('55'), Decimal('50'), Decimal('50')]
        """
        if customer_year < 1:
            msg = f"{self.code}: customer year {customer_year} is before the first (1)"
            raise ValueError(msg)
        if isinstance(self.terms, StepsDown):
            return self.terms.price_in_year(self.price, customer_year)
        return self.price

    def fee_for(self, department: str, customer_year: int | None = None) -> Decimal | None:
        """``fixed_monthly``: a department's monthly fee, or None when it pays none.

        ``customer_year`` is needed when the fee steps down (``by_customer_year``).
        """
        if not isinstance(self.terms, FixedMonthly):
            return None
        try:
            return self.terms.fee_for(department, customer_year)
        except ValueError as exc:
            raise ValueError(f"{self.code}: {exc}") from None

    def matches(self, service: str) -> bool:
        """True when ``service`` matches a pattern of ``applies_to``."""
        return isinstance(self.terms, AppliesTo) and self.terms.matches(service)


def component_reference_problems(items: Sequence[PriceItem]) -> list[tuple[int, str]]:
    """Components that name another item (``PriceComponent.item``) and do not match it.

    Returns (item index, message) for each component whose item is missing, is the item
    itself, has another price, or references lead round in a circle.
    """
    by_code = {item.code: item for item in items}
    problems: list[tuple[int, str]] = []
    for index, item in enumerate(items):
        for component in item.components:
            ref = component.item
            if ref is None:
                continue
            target = by_code.get(ref)
            if ref == item.code:
                problems.append((index, f"{item.code}: a component cannot be the item itself"))
            elif target is None:
                problems.append(
                    (
                        index,
                        f"{item.code}: component {component.label!r} names item {ref!r}, "
                        "which the list does not have",
                    )
                )
            elif target.price != component.price:
                problems.append(
                    (
                        index,
                        f"{item.code}: component {component.label!r} is {component.price} "
                        f"but item {ref} costs {target.price}; they must agree",
                    )
                )
    if problems:
        return problems
    for index, item in enumerate(items):
        seen = [item.code]
        todo = [c.item for c in item.components if c.item]
        while todo:
            code = todo.pop()
            if code == item.code:
                chain = " -> ".join([*seen, code])
                problems.append(
                    (index, f"{item.code}: components refer round in a circle ({chain})")
                )
                break
            if code in seen:
                continue
            seen.append(code)
            todo += [c.item for c in by_code[code].components if c.item]
    return problems


@dataclass(frozen=True, slots=True)
class PriceList:
    """One version of a price list, in force from ``valid_from`` to ``valid_to`` inclusive.

    Attributes:
        id: Unique id of the version (``"2014"``).
        title: Human title ("Prislista 2014, lön och pension").
        valid_from: First day in force.
        valid_to: Last day in force.
        currency: ISO currency code; sfprice bills SEK.
        source: Where the list comes from (document, decision).
        items: The services, in printed order; codes are unique.
        rounding: Rounding mode for line amounts (a key of ``sfprice.money.ROUNDING_MODES``).
        status: ``"decided"`` for a list in force, ``"proposal"`` for a draft.
        path: The file it was loaded from, if any.
    """

    id: str
    title: str
    valid_from: date
    valid_to: date
    currency: str
    source: str
    items: tuple[PriceItem, ...]
    rounding: str = "half_up"
    status: str = "decided"
    path: str | None = None
    _by_code: Mapping[str, PriceItem] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.valid_to < self.valid_from:
            msg = f"price list {self.id}: valid_to {self.valid_to} is before {self.valid_from}"
            raise ValueError(msg)
        # Billing is monthly and never splits a month: a list covers whole months.
        if self.valid_from.day != 1:
            msg = f"price list {self.id}: valid_from {self.valid_from} is not a month's first day"
            raise ValueError(msg)
        if self.valid_to != Month(self.valid_to.year, self.valid_to.month).last_day:
            msg = f"price list {self.id}: valid_to {self.valid_to} is not a month's last day"
            raise ValueError(msg)
        if self.rounding not in ROUNDING_MODES:
            msg = f"price list {self.id}: unknown rounding {self.rounding!r}"
            raise ValueError(msg)
        by_code: dict[str, PriceItem] = {}
        for item in self.items:
            if item.code in by_code:
                msg = f"price list {self.id}: service code {item.code!r} appears twice"
                raise ValueError(msg)
            by_code[item.code] = item
        object.__setattr__(self, "_by_code", MappingProxyType(by_code))
        problems = component_reference_problems(self.items)
        if problems:
            msg = f"price list {self.id}: {problems[0][1]}"
            raise ValueError(msg)

    def item(self, code: str) -> PriceItem | None:
        """The item with this service code, or None if the list does not have it."""
        return self._by_code.get(code)

    @property
    def codes(self) -> tuple[str, ...]:
        """The service codes of the list, in printed order."""
        return tuple(self._by_code)

    def covers(self, month: Month) -> bool:
        """True when the list is in force on the first day of ``month``."""
        return self.valid_from <= month.first_day <= self.valid_to


@dataclass(frozen=True, slots=True)
class PriceCatalog:
    """All price-list versions known to a run, sorted by validity; periods never overlap.

    The list that prices a month is the one in force on the month's first day.
    """

    lists: tuple[PriceList, ...]
    _starts: tuple[date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.lists, key=lambda pl: (pl.valid_from, pl.id)))
        ids = [pl.id for pl in ordered]
        for pl in ordered:
            if ids.count(pl.id) > 1:
                msg = f"price list id {pl.id!r} is used by more than one list"
                raise ValueError(msg)
        for before, after in itertools.combinations(ordered, 2):
            if after.valid_from <= before.valid_to:
                msg = (
                    f"price lists {before.id} ({before.valid_from}..{before.valid_to}) and "
                    f"{after.id} ({after.valid_from}..{after.valid_to}) overlap"
                )
                raise ValueError(msg)
        object.__setattr__(self, "lists", ordered)
        object.__setattr__(self, "_starts", tuple(pl.valid_from for pl in ordered))

    def in_force(self, month: Month) -> PriceList | None:
        """The list in force on the first day of ``month``, or None."""
        index = bisect.bisect_right(self._starts, month.first_day) - 1
        if index >= 0 and self.lists[index].covers(month):
            return self.lists[index]
        return None

    def get(self, list_id: str) -> PriceList | None:
        """The list with this id, or None."""
        return next((pl for pl in self.lists if pl.id == list_id), None)

    @property
    def codes(self) -> frozenset[str]:
        """Every service code in any list."""
        return frozenset(code for pl in self.lists for code in pl.codes)

    def unit_of(self, code: str) -> Unit | None:
        """The unit of a service code in the latest list that has it, or None."""
        for pl in reversed(self.lists):
            item = pl.item(code)
            if item is not None:
                return item.unit
        return None

    def __iter__(self) -> Iterator[PriceList]:
        return iter(self.lists)

    def __len__(self) -> int:
        return len(self.lists)


class CustomerKind(enum.StrEnum):
    """What kind of organisation a customer is (the city's terms, see docs/customers.md)."""

    FACKFORVALTNING = "fackförvaltning"
    """A specialist administration (Kulturförvaltningen), serving one nämnd."""
    STADSDELSFORVALTNING = "stadsdelsförvaltning"
    """A district administration (Skarpnäcks stadsdelsförvaltning)."""
    NAMND = "nämnd"
    """A committee; pays for the förvaltningar that report to it when billed per parent."""
    BOLAG = "bolag"
    """A city-owned company (aktiebolag)."""


@dataclass(frozen=True, slots=True)
class KnownName:
    """Another name a customer is known by in volume files: an earlier name or an alias.

    Attributes:
        name: The name as cleaned by :func:`sfprice.names.clean_name`.
        since: The first day the name was used; None when used from the start.
        until: The last day the name was used (inclusive); None when still in use.
        earlier: True for a name the customer had before (a reorganisation renamed it),
            False for an alias (a unit of a department split across units, a system's
            spelling).
        source: Where the name is registered (file and line), for messages.
    """

    name: str
    since: date | None = None
    until: date | None = None
    earlier: bool = False
    source: str = ""

    def used_on(self, day: date) -> bool:
        """True when the name was in use on ``day``."""
        return (self.since is None or self.since <= day) and (
            self.until is None or day <= self.until
        )


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer in the customer register (kundregister).

    Only ``department`` is required: a register read from the simple CSV form gives the
    headcount and first year only. The full register (TOML, see docs/customers.md) gives
    the rest.

    Attributes:
        department: The customer's name as invoices print it (its current name); every
            invoice and total of sfprice is keyed by it.
        employees: Headcount (anställda), for fees per employee; None when not known.
            ``employees_by_year`` overrides it for the years it gives.
        first_year: The first calendar year as a customer, for prices that step down by
            customer year; None when not known.
        source: Where the record comes from (file and line), for error messages.
        code: The city's stable code for the customer (ansvarskod / kostnadsställe),
            e.g. ``"1310"``; None when the register gives none.
        kind: What kind of organisation it is; None when not given.
        parent: The code of the paying parent (the nämnd a förvaltning reports to), or
            None.
        price_group: The price group its agreements are made under, or None (the price
            list's own prices).
        known_names: Earlier names and aliases, with the dates they were used.
        employees_by_year: Headcount per calendar year, as ``(year, employees)`` pairs.
        leaves: The last day as a customer; None while it stays.
        reference: The invoice reference person (Er referens), or None.
        address: Invoice address lines, in order (street, postcode and town ...).
        sie_object: The object code its ledger rows carry in SIE; None means ``code``.
    """

    department: str
    employees: int | None = None
    first_year: int | None = None
    source: str = ""
    code: str | None = None
    kind: CustomerKind | None = None
    parent: str | None = None
    price_group: str | None = None
    known_names: tuple[KnownName, ...] = ()
    employees_by_year: tuple[tuple[int, int], ...] = ()
    leaves: date | None = None
    reference: str | None = None
    address: tuple[str, ...] = ()
    sie_object: str | None = None

    def __post_init__(self) -> None:
        if not self.department.strip():
            msg = f"a customer's department must be a non-empty name, got {self.department!r}"
            raise ValueError(msg)
        if problem := name_problem(self.department):
            raise ValueError(problem)
        for name, value in (("employees", self.employees), ("first_year", self.first_year)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                msg = f"{self.department}: {name} must be a whole number, got {value!r}"
                raise TypeError(msg)
        if self.employees is not None and self.employees < 0:
            msg = f"{self.department}: employees must be >= 0, got {self.employees}"
            raise ValueError(msg)
        if self.first_year is not None and not 1 <= self.first_year <= 9999:
            msg = f"{self.department}: first_year must be a year 1..9999, got {self.first_year}"
            raise ValueError(msg)
        for year, employees in self.employees_by_year:
            if employees < 0:
                msg = f"{self.department}: employees in {year} must be >= 0, got {employees}"
                raise ValueError(msg)

    def customer_year(self, year: int) -> int | None:
        """Which year as a customer ``year`` is (1 = the first year), or None if not known.

        >>> Customer("Kulturförvaltningen", first_year=2024).customer_year(2026)
        3
        """
        if self.first_year is None:
            return None
        return year - self.first_year + 1

    def employees_in(self, year: int) -> int | None:
        """The headcount in ``year``: ``employees_by_year``'s, else ``employees``.

        >>> kultur = Customer("Kulturförvaltningen", 700, employees_by_year=((2026, 720),))
        >>> kultur.employees_in(2026), kultur.employees_in(2025)
        (720, 700)
        """
        return dict(self.employees_by_year).get(year, self.employees)

    @property
    def object_code(self) -> str | None:
        """The SIE object code: ``sie_object``, else ``code``; None when it has neither."""
        return self.sie_object if self.sie_object is not None else self.code


@dataclass(frozen=True, slots=True)
class AgreementRef:
    """The agreement that priced an invoice line, as the line shows it.

    Attributes:
        id: The agreement's id in its file (e.g. ``"bolag-2014"``).
        text: What it did, in words (e.g. ``"pris för prisgrupp bolag"``).
        source: Where it is written (file and line, or the seed line it comes from).
    """

    id: str
    text: str
    source: str


# --------------------------------------------------------------------------- volumes


@dataclass(frozen=True, slots=True, order=True)
class VolumeKey:
    """What a volume counts: a department's use of one service in one month.

    The department is a name in its one spelling (:func:`sfprice.names.clean_name`).
    """

    month: Month
    department: str
    service: str

    def __post_init__(self) -> None:
        if problem := name_problem(self.department):
            raise ValueError(problem)


@dataclass(frozen=True, slots=True)
class VolumeSource:
    """Which rows of which file a volume came from.

    Rows are counted, not listed, so that a file of millions of rows stays in constant
    memory; :func:`sfprice.io.volumes.trace_rows` lists the exact lines on demand.

    Attributes:
        path: The volume file.
        rows: How many rows of that file add up to the volume.
    """

    path: str
    rows: int


@dataclass(frozen=True, slots=True)
class VolumeEntry:
    """The summed quantity behind one ``VolumeKey`` and the rows it came from."""

    key: VolumeKey
    quantity: Decimal
    sources: tuple[VolumeSource, ...]

    @property
    def rows(self) -> int:
        """Number of input rows summed into this quantity."""
        return sum(s.rows for s in self.sources)


@dataclass(frozen=True, slots=True)
class VolumeSet:
    """Volumes per department, month and service, summed over input rows.

    Attributes:
        entries: One entry per key, sorted by month, department, service.
        excluded: Rows read but left out (outside the requested year), per file.
    """

    entries: tuple[VolumeEntry, ...]
    excluded: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_entries(
        cls, entries: Iterable[VolumeEntry], excluded: Mapping[str, int] | None = None
    ) -> VolumeSet:
        """Build a set, merging entries with the same key (their quantities add up)."""
        merged: dict[VolumeKey, tuple[Decimal, dict[str, int]]] = {}
        with localcontext() as context:
            context.prec = MAX_PREC  # sums of quantities are exact, never rounded
            for entry in entries:
                quantity, sources = merged.get(entry.key, (Decimal(0), {}))
                for source in entry.sources:
                    sources[source.path] = sources.get(source.path, 0) + source.rows
                merged[entry.key] = (quantity + entry.quantity, sources)
        return cls(
            entries=tuple(
                VolumeEntry(key, quantity, tuple(VolumeSource(p, n) for p, n in sources.items()))
                for key, (quantity, sources) in sorted(merged.items())
            ),
            excluded=MappingProxyType(dict(excluded or {})),
        )

    @classmethod
    def merge(cls, parts: Iterable[VolumeSet]) -> VolumeSet:
        """Combine volume sets (e.g. one per file) into one."""
        parts = tuple(parts)
        excluded: dict[str, int] = {}
        for part in parts:
            for path, rows in part.excluded.items():
                excluded[path] = excluded.get(path, 0) + rows
        return cls.from_entries((e for part in parts for e in part.entries), excluded)

    @property
    def months(self) -> tuple[Month, ...]:
        """The months that have volumes, in order."""
        return tuple(sorted({e.key.month for e in self.entries}))

    @property
    def departments(self) -> tuple[str, ...]:
        """The departments that have volumes, in Swedish alphabetical order."""
        return tuple(sorted({e.key.department for e in self.entries}, key=swedish_key))

    @property
    def excluded_rows(self) -> int:
        """Total rows left out of the set (outside the requested year)."""
        return sum(self.excluded.values())

    def __iter__(self) -> Iterator[VolumeEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


# --------------------------------------------------------------------- allocation keys


@dataclass(frozen=True, slots=True)
class AllocationPool:
    """A yearly cost shared among departments by an allocation key (fördelningsnyckel).

    The 2010 rules share the cost of cash and bank services by each department's share of
    the customer-ledger invoices of January-September 2009, and Agresso system management by
    its share of the Agresso users in July 2009 (``004_c98e6cf4bb870a81.txt:275``).

    Attributes:
        code: Stable code of the pool (``economy.cash_bank``); the service code of the
            invoice lines it gives.
        name: The Swedish name printed on the invoice ("Kassa och bank").
        amount: The year's amount to share: a whole number of öre, 0 or more. It is user
            input (the seeds' bilaga 6 with the 2010 amounts is missing).
        business_area: The business area that sells the service (``economy``).
        source: Where the pool and its amount come from.
        rule: The allocation rule in words, as the source states it.
    """

    code: str
    name: str
    amount: Decimal
    business_area: str = ""
    source: str = ""
    rule: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            msg = f"{self.code}: amount must be a Decimal, got {self.amount!r}"
            raise TypeError(msg)
        if not self.amount.is_finite() or self.amount < 0:
            msg = f"{self.code}: amount must be a finite number >= 0, got {self.amount}"
            raise ValueError(msg)
        if self.amount != self.amount.quantize(Decimal("0.01")):
            msg = f"{self.code}: amount {self.amount} is not a whole number of öre"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class Driver:
    """What an allocation key counts per department: the weights a pool is shared by.

    Attributes:
        description: What was counted, and when: a reference window
            (``"kundfakturor 2009-01..2009-09"``) or a snapshot
            (``"Agresso-användare 2009-07"``).
        quantities: Each department's quantity (0 or more), in Swedish alphabetical order.
        source: Where the quantities come from (the file), for the audit trail.
    """

    description: str
    quantities: Mapping[str, Decimal]
    source: str = ""

    def __post_init__(self) -> None:
        for department, quantity in self.quantities.items():
            if not department.strip():
                msg = f"{self.description}: a department name is empty"
                raise ValueError(msg)
            if problem := name_problem(department):
                msg = f"{self.description}: {problem}"
                raise ValueError(msg)
            if not isinstance(quantity, Decimal):
                msg = f"{self.description}: quantity of {department} must be a Decimal"
                raise TypeError(msg)
            if not quantity.is_finite() or quantity < 0:
                msg = f"{self.description}: quantity of {department} must be >= 0, got {quantity}"
                raise ValueError(msg)
        ordered = dict(sorted(self.quantities.items(), key=lambda item: swedish_key(item[0])))
        object.__setattr__(self, "quantities", MappingProxyType(ordered))

    @property
    def total(self) -> Decimal:
        """The sum of the quantities, exact."""
        with localcontext() as context:
            context.prec = MAX_PREC
            return sum(self.quantities.values(), Decimal(0))

    @classmethod
    def from_volumes(
        cls,
        volumes: Iterable[VolumeEntry],
        services: Iterable[str],
        start: Month,
        end: Month,
        *,
        description: str | None = None,
    ) -> Driver:
        """Sum the quantities of some services per department over a window of months.

        Args:
            volumes: The volumes (a :class:`VolumeSet`, or any entries).
            services: Service codes or shell-style patterns (``"ar.*"``); a volume counts
                when its service matches any of them.
            start: First month of the window.
            end: Last month of the window (inclusive).
            description: What is counted; by default the patterns and the window.

        >>> entries = [
        ...     VolumeEntry(VolumeKey(Month(2009, m), "A", "ar.feeder"), Decimal(n), ())
        ...     for m, n in ((1, 10), (9, 5), (10, 100))
        ... ]
        >>> driver = Driver.from_volumes(entries, ["ar.*"], Month(2009, 1), Month(2009, 9))
        >>> dict(driver.quantities), driver.description
        ({'A': Decimal('15')}, 'ar.* 2009-01..2009-09')
        """
        patterns = tuple(services)
        if end < start:
            msg = f"the window {start}..{end} ends before it starts"
            raise ValueError(msg)
        sums: dict[str, Decimal] = {}
        paths: dict[str, None] = {}
        with localcontext() as context:
            context.prec = MAX_PREC
            for entry in volumes:
                key = entry.key
                if not start <= key.month <= end:
                    continue
                if not any(fnmatch.fnmatchcase(key.service, p) for p in patterns):
                    continue
                sums[key.department] = sums.get(key.department, Decimal(0)) + entry.quantity
                paths.update(dict.fromkeys(s.path for s in entry.sources))
        if description is None:
            description = f"{', '.join(patterns)} {start}..{end}"
        return cls(description, sums, ", ".join(paths))
