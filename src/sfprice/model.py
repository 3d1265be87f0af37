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
from sfprice.money import ROUNDING_MODES
from sfprice.names import name_problem
from sfprice.period import Month

__all__ = [
    "KIND_UNITS",
    "AllocationPool",
    "Customer",
    "Driver",
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


class Unit(enum.StrEnum):
    """What one unit of a service is; decides whether fractional quantities are allowed."""

    PERSON_MONTH = "person_month"
    """One salary or remuneration per person and month ("per person och månad")."""
    PAID_SALARY = "paid_salary"
    """One paid salary ("kr/utbetald lön")."""
    SALARY_DEBT = "salary_debt"
    """One salary debt that cannot be offset ("kr/löneskuld")."""
    TRANSACTION = "transaction"
    """One ledger transaction ("per transaktion")."""
    REMINDER = "reminder"
    """One reminder handled ("per påminnelse")."""
    HOUR = "hour"
    """One hour of an add-on service ("kr/timme"); fractional hours are allowed."""
    SHARE = "share"
    """A department's share of an allocated pool ("andel"); the line's quantity is 1."""
    DEPARTMENT_MONTH = "department_month"
    """One department in one month ("per förvaltning och månad"): fixed fees, minimums."""
    EMPLOYEE_MONTH = "employee_month"
    """One employee of a department in one month ("per anställd och månad")."""
    PERCENT = "percent"
    """A percentage of other lines: the quantity is their sum in kronor, the price a rate."""

    @property
    def fractional(self) -> bool:
        """True when a quantity of this unit may have decimals (hours, kronor of a base)."""
        return self in (Unit.HOUR, Unit.PERCENT)

    @property
    def label_sv(self) -> str:
        """The unit as a Swedish invoice prints it."""
        return _UNIT_LABELS_SV[self]


_UNIT_LABELS_SV = {
    Unit.PERSON_MONTH: "per person och månad",
    Unit.PAID_SALARY: "per utbetald lön",
    Unit.SALARY_DEBT: "per löneskuld",
    Unit.TRANSACTION: "per transaktion",
    Unit.REMINDER: "per påminnelse",
    Unit.HOUR: "per timme",
    Unit.SHARE: "andel",
    Unit.DEPARTMENT_MONTH: "per förvaltning och månad",
    Unit.EMPLOYEE_MONTH: "per anställd och månad",
    Unit.PERCENT: "procent",
}


class PriceKind(enum.StrEnum):
    """How an item charges: per unit of volume (the default) or in one of the other ways.

    See ``docs/file-formats.md`` (Price kinds) for the billing order of the kinds.
    """

    UNIT = "unit"
    """Quantity x price per unit, from the volumes (every bundled item)."""
    FIXED_MONTHLY = "fixed_monthly"
    """A fixed fee per department and month, needing no volume."""
    PER_EMPLOYEE = "per_employee"
    """A fee per employee and month; the headcount comes from the customer register."""
    TIERED = "tiered"
    """A price per unit of volume that depends on the month's quantity (graduated or volume)."""
    MINIMUM = "minimum"
    """A monthly minimum: when some lines sum to less, a line with the difference."""
    PERCENTAGE = "percentage"
    """A surcharge of a rate times the sum of some lines."""

    @property
    def by_volume(self) -> bool:
        """True for the kinds priced from volume rows (unit and tiered)."""
        return self in (PriceKind.UNIT, PriceKind.TIERED)


class TierMode(enum.StrEnum):
    """How a tiered price charges a quantity."""

    GRADUATED = "graduated"
    """Each unit at the price of the band it falls in (trappstegsvis)."""
    VOLUME = "volume"
    """Every unit at the price of the band the total quantity reaches (volymrabatt)."""


#: The unit each kind that is not billed by volume implies.
KIND_UNITS: Mapping[PriceKind, Unit] = MappingProxyType(
    {
        PriceKind.FIXED_MONTHLY: Unit.DEPARTMENT_MONTH,
        PriceKind.PER_EMPLOYEE: Unit.EMPLOYEE_MONTH,
        PriceKind.MINIMUM: Unit.DEPARTMENT_MONTH,
        PriceKind.PERCENTAGE: Unit.PERCENT,
    }
)


@dataclass(frozen=True, slots=True)
class Tier:
    """One band of a tiered price: quantities up to ``up_to`` (inclusive) at ``price``.

    A band starts where the one before ends; the last band has no end (``up_to`` None).

    Attributes:
        up_to: The last quantity of the band, or None for the open last band.
        price: The price per unit in the band.
    """

    up_to: Decimal | None
    price: Decimal

    def __post_init__(self) -> None:
        _check_price(self.price, "tier price")
        if self.up_to is not None:
            if not isinstance(self.up_to, Decimal):
                msg = f"tier up_to must be a Decimal, got {self.up_to!r}"
                raise TypeError(msg)
            if not self.up_to.is_finite() or self.up_to <= 0:
                msg = f"tier up_to must be a number > 0, got {self.up_to}"
                raise ValueError(msg)


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
        _check_price(self.price, self.label)


@dataclass(frozen=True, slots=True)
class PriceItem:
    """One service of a price list with its price.

    A composite price keeps its components; ``price`` is then their sum. A simple price has
    no components. Items of other kinds than ``unit`` use the fields of their kind (see
    :class:`PriceKind` and ``docs/file-formats.md``); the others keep their defaults.

    Attributes:
        code: Stable service code, the same across years (``payroll.self_service``).
        name: The Swedish name as printed in the source.
        unit: What one unit is. Fixed fees and minimums are ``department_month``, fees per
            employee ``employee_month``, percentages ``percent``.
        price: Price per unit (``unit``, ``per_employee``; with ``by_customer_year`` the
            first year's price), the minimum amount (``minimum``), else 0.
        components: Parts of a composite price, in printed order; empty for a simple price.
        business_area: The business area that sells it (``payroll``, ``economy``, ...).
        source: Where the price comes from (seed file and line, decision).
        kind: How the item charges.
        fees: ``fixed_monthly``: the monthly fee per department.
        default_fee: ``fixed_monthly``: the fee of a department not in ``fees`` (None: such
            a department pays no fee).
        tiers: ``tiered``: the bands, ascending; the last has no ``up_to``.
        tier_mode: ``tiered``: graduated or volume.
        applies_to: ``minimum``, ``percentage``: the service codes or shell-style patterns
            (``payroll.*``) of the lines it is computed on.
        rate: ``percentage``: the rate, ``0.05`` for 5 %.
        by_customer_year: ``unit``, ``per_employee``, ``fixed_monthly``: the price in the
            customer's 1st, 2nd, 3rd ... year; the last holds for every later year.
    """

    code: str
    name: str
    unit: Unit
    price: Decimal
    components: tuple[PriceComponent, ...] = ()
    business_area: str = ""
    source: str = ""
    kind: PriceKind = PriceKind.UNIT
    fees: Mapping[str, Decimal] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    default_fee: Decimal | None = None
    tiers: tuple[Tier, ...] = ()
    tier_mode: TierMode = TierMode.GRADUATED
    applies_to: tuple[str, ...] = ()
    rate: Decimal | None = None
    by_customer_year: tuple[Decimal, ...] = ()

    def __post_init__(self) -> None:
        _check_price(self.price, self.code)
        object.__setattr__(self, "kind", PriceKind(self.kind))
        object.__setattr__(self, "tier_mode", TierMode(self.tier_mode))
        object.__setattr__(self, "fees", MappingProxyType(dict(self.fees)))
        object.__setattr__(self, "tiers", tuple(self.tiers))
        object.__setattr__(self, "applies_to", tuple(self.applies_to))
        object.__setattr__(self, "by_customer_year", tuple(self.by_customer_year))
        if self.components and sum(c.price for c in self.components) != self.price:
            parts = " + ".join(str(c.price) for c in self.components)
            msg = f"{self.code}: components {parts} do not add up to the price {self.price}"
            raise ValueError(msg)
        problem = self._kind_problem()
        if problem:
            msg = f"{self.code}: {problem}"
            raise ValueError(msg)

    def _kind_problem(self) -> str | None:
        kind = self.kind
        implied = KIND_UNITS.get(kind)
        if implied is not None and self.unit is not implied:
            return f"a {kind} item has the unit {implied}, not {self.unit}"
        for name, value in (("fee", self.default_fee), ("rate", self.rate)):
            if value is not None:
                _check_price(value, f"{self.code} {name}")
        for department, fee in self.fees.items():
            _check_price(fee, f"{self.code} fee of {department}")
            if not department.strip():
                return "a department name in fees is empty"
            if problem := name_problem(department):
                return f"fees: {problem}"
        for price in self.by_customer_year:
            _check_price(price, f"{self.code} by_customer_year")
        used = {
            "components": bool(self.components),
            "fees": bool(self.fees),
            "default_fee": self.default_fee is not None,
            "tiers": bool(self.tiers),
            "applies_to": bool(self.applies_to),
            "rate": self.rate is not None,
            "by_customer_year": bool(self.by_customer_year),
        }
        allowed = _KIND_FIELDS[kind]
        extra = [name for name, given in used.items() if given and name not in allowed]
        if extra:
            return f"a {kind} item has no {', '.join(extra)}"
        if self.components and self.by_customer_year:
            return "a composite price cannot step down by customer year"
        if self.by_customer_year and kind is not PriceKind.FIXED_MONTHLY:
            first = self.by_customer_year[0]
            if self.price != first:
                return (
                    f"price {self.price} must be the first year's price {first} of by_customer_year"
                )
        no_price = (PriceKind.FIXED_MONTHLY, PriceKind.TIERED, PriceKind.PERCENTAGE)
        if kind in no_price and self.price != 0:
            return f"a {kind} item has no price of its own (price must be 0)"
        if kind is PriceKind.FIXED_MONTHLY:
            if self.by_customer_year and (self.fees or self.default_fee is not None):
                return "by_customer_year is the fee of every department: no fees or default_fee"
            if not (self.fees or self.default_fee is not None or self.by_customer_year):
                return "a fixed_monthly item needs fees, default_fee or by_customer_year"
        if kind is PriceKind.TIERED:
            return _tier_problem(self.tiers)
        needs_lines = kind in (PriceKind.MINIMUM, PriceKind.PERCENTAGE)
        if needs_lines and (not self.applies_to or any(not p.strip() for p in self.applies_to)):
            return f"a {kind} item needs applies_to: service codes or patterns, none empty"
        if kind is PriceKind.PERCENTAGE and self.rate is None:
            return "a percentage item needs a rate (0.05 for 5 %)"
        return None

    @property
    def is_composite(self) -> bool:
        """True when the price is printed as base + surcharge(s)."""
        return bool(self.components)

    @property
    def steps_down(self) -> bool:
        """True when the price depends on the customer's year (``by_customer_year``)."""
        return bool(self.by_customer_year)

    def price_in_year(self, customer_year: int) -> Decimal:
        """The price in the customer's ``customer_year`` (1 = the first year).

        Without ``by_customer_year`` the price is the same every year: ``price``, or for a
        fixed fee ``default_fee``.

        >>> item = PriceItem("p", "P", Unit.PERSON_MONTH, Decimal(60),
        ...                  by_customer_year=(Decimal(60), Decimal(55), Decimal(50)))
        >>> [item.price_in_year(year) for year in (1, 2, 3, 4)]
        [Decimal('60'), Decimal('55'), Decimal('50'), Decimal('50')]
        """
        if customer_year < 1:
            msg = f"{self.code}: customer year {customer_year} is before the first (1)"
            raise ValueError(msg)
        if not self.by_customer_year:
            return self.price
        return self.by_customer_year[min(customer_year, len(self.by_customer_year)) - 1]

    def fee_for(self, department: str, customer_year: int | None = None) -> Decimal | None:
        """``fixed_monthly``: a department's monthly fee, or None when it pays none.

        ``customer_year`` is needed when the fee steps down (``by_customer_year``).
        """
        if self.by_customer_year:
            if customer_year is None:
                msg = f"{self.code}: the fee steps down by customer year; give the year"
                raise ValueError(msg)
            return self.price_in_year(customer_year)
        return self.fees.get(department, self.default_fee)

    def matches(self, service: str) -> bool:
        """True when ``service`` matches a pattern of ``applies_to``."""
        return any(fnmatch.fnmatchcase(service, pattern) for pattern in self.applies_to)


_KIND_FIELDS: Mapping[PriceKind, frozenset[str]] = MappingProxyType(
    {
        PriceKind.UNIT: frozenset({"components", "by_customer_year"}),
        PriceKind.FIXED_MONTHLY: frozenset({"fees", "default_fee", "by_customer_year"}),
        PriceKind.PER_EMPLOYEE: frozenset({"by_customer_year"}),
        PriceKind.TIERED: frozenset({"tiers"}),
        PriceKind.MINIMUM: frozenset({"applies_to"}),
        PriceKind.PERCENTAGE: frozenset({"applies_to", "rate"}),
    }
)


def _tier_problem(tiers: tuple[Tier, ...]) -> str | None:
    if not tiers:
        return "a tiered item needs at least one tier"
    if tiers[-1].up_to is not None:
        return "the last tier has no up_to (it holds for every larger quantity)"
    ends = [t.up_to for t in tiers[:-1]]
    if any(end is None for end in ends):
        return "only the last tier may leave out up_to"
    bounds = [end for end in ends if end is not None]
    if any(b <= a for a, b in itertools.pairwise(bounds)):
        return f"tier up_to values must rise: {', '.join(str(b) for b in bounds)}"
    return None


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


@dataclass(frozen=True, slots=True)
class Customer:
    """A department in the customer register: its headcount and first year as a customer.

    Attributes:
        department: The department, spelt as in the volume files.
        employees: Headcount (anställda), for fees per employee; None when not known.
        first_year: The first calendar year as a customer, for prices that step down by
            customer year; None when not known.
        source: Where the record comes from (file and line), for error messages.
    """

    department: str
    employees: int | None = None
    first_year: int | None = None
    source: str = ""

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

    def customer_year(self, year: int) -> int | None:
        """Which year as a customer ``year`` is (1 = the first year), or None if not known.

        >>> Customer("Kulturförvaltningen", first_year=2024).customer_year(2026)
        3
        """
        if self.first_year is None:
            return None
        return year - self.first_year + 1


def _check_price(price: Decimal, what: str) -> None:
    if not isinstance(price, Decimal):
        # Reached from untyped callers (notebooks): a float price is a bug, not a value.
        msg = f"{what}: price must be a Decimal, got {price!r}"
        raise TypeError(msg)
    if not price.is_finite():
        msg = f"{what}: price must be finite, got {price!r}"
        raise ValueError(msg)
    if price < 0:
        msg = f"{what}: price must be >= 0, got {price}"
        raise ValueError(msg)


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
