"""The domain model: price lists and volumes, as immutable records.

Nothing here reads files or formats output; loaders in :mod:`sfprice.io` build these
records and the engine in :mod:`sfprice.engine` prices them.
"""

from __future__ import annotations

import bisect
import enum
import fnmatch
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import MAX_PREC, Decimal, localcontext
from types import MappingProxyType

from sfprice.collation import swedish_key
from sfprice.money import ROUNDING_MODES
from sfprice.period import Month

__all__ = [
    "AllocationPool",
    "Driver",
    "PriceCatalog",
    "PriceComponent",
    "PriceItem",
    "PriceList",
    "Unit",
    "VolumeEntry",
    "VolumeKey",
    "VolumeSet",
    "VolumeSource",
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

    @property
    def fractional(self) -> bool:
        """True when a quantity of this unit may have decimals (hours)."""
        return self is Unit.HOUR

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
}


@dataclass(frozen=True, slots=True)
class PriceComponent:
    """One part of a composite price, e.g. the base 57 or the manual surcharge 53 of "57+53 kr".

    Attributes:
        label: What the component is ("Grundpris", "Tillägg manuell rapportering").
        price: The component's price per unit, in the list's currency.
    """

    label: str
    price: Decimal

    def __post_init__(self) -> None:
        _check_price(self.price, self.label)


@dataclass(frozen=True, slots=True)
class PriceItem:
    """One service of a price list with its unit price.

    A composite price keeps its components; ``price`` is then their sum. A simple price has
    no components.

    Attributes:
        code: Stable service code, the same across years (``payroll.self_service``).
        name: The Swedish name as printed in the source.
        unit: What one unit is.
        price: Price per unit.
        components: Parts of a composite price, in printed order; empty for a simple price.
        business_area: The business area that sells it (``payroll``, ``economy``, ...).
        source: Where the price comes from (seed file and line, decision).
    """

    code: str
    name: str
    unit: Unit
    price: Decimal
    components: tuple[PriceComponent, ...] = ()
    business_area: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        _check_price(self.price, self.code)
        if self.components and sum(c.price for c in self.components) != self.price:
            parts = " + ".join(str(c.price) for c in self.components)
            msg = f"{self.code}: components {parts} do not add up to the price {self.price}"
            raise ValueError(msg)

    @property
    def is_composite(self) -> bool:
        """True when the price is printed as base + surcharge(s)."""
        return bool(self.components)


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
    """What a volume counts: a department's use of one service in one month."""

    month: Month
    department: str
    service: str


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
