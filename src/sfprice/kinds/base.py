"""What every price kind shares: the kind names, the billing stages, and what a charge is.

A price kind is a small frozen class holding only the fields of its kind (see
:mod:`sfprice.kinds`). It validates them in ``__post_init__``, checks the item around it in
:meth:`PriceTerms.item_problem`, and charges through the one method of its stage:

- :class:`VolumeTerms` (stage 1): one volume of a department, month and service;
- :class:`DepartmentTerms` (stage 2): one department and month, with no volume;
- :class:`LinesTerms` (stages 3 and 4): the lines of stages before it on one invoice.

A charge is a :class:`Charge`: quantity, unit, unit price, amount and the line detail
(:class:`ComponentCharge`, :class:`ChargeBasis`); the engine makes the invoice line of it.
Nothing here reads files, formats text for people or imports the engine.
"""

from __future__ import annotations

import enum
import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar, Protocol

from sfprice.units import Unit

if TYPE_CHECKING:
    from typing import Self

    from sfprice.model import Customer, PriceComponent, PriceItem

__all__ = [
    "AppliesTo",
    "Charge",
    "ChargeBasis",
    "ChargeContext",
    "ComponentCharge",
    "DepartmentTerms",
    "FieldProblems",
    "FileItem",
    "KindFormat",
    "LineAmount",
    "LinesTerms",
    "PriceKind",
    "PriceTerms",
    "Shape",
    "Stage",
    "StepsDown",
    "TierMode",
    "VolumeTerms",
    "check_price",
    "customer_year_of",
    "word_of",
]


class PriceKind(enum.StrEnum):
    """How an item charges: per unit of volume (the default) or in one of the other ways.

    Each kind is one class of :mod:`sfprice.kinds`, registered in ``sfprice.kinds.KINDS``;
    see ``docs/file-formats.md`` (Price kinds) for the billing order of the kinds.
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
    PACKAGE = "package"
    """A price per started block of volume (paketpris): 1-100 units one block, 101-200 two."""

    @property
    def by_volume(self) -> bool:
        """True for the kinds priced from volume rows (unit, tiered, package)."""
        from sfprice.kinds import KINDS

        return KINDS[self].stage is Stage.VOLUME


class TierMode(enum.StrEnum):
    """How a tiered price charges a quantity."""

    GRADUATED = "graduated"
    """Each unit at the price of the band it falls in (trappstegsvis)."""
    VOLUME = "volume"
    """Every unit at the price of the band the total quantity reaches (volymrabatt)."""


class Stage(enum.IntEnum):
    """When, per department and month, the lines of a kind are computed."""

    VOLUME = 1
    """From each volume of the month (unit, tiered, package)."""
    DEPARTMENT_MONTH = 2
    """Once per department and month, with no volume (fixed fees, fees per employee)."""
    SURCHARGE = 3
    """On the lines of stages 1 and 2 (percentages; they do not see each other)."""
    FLOOR = 4
    """On the lines of stages 1 to 3 (minimums)."""


class Shape(enum.Enum):
    """What a field of a price-list file holds: the loader builds its schema type of it.

    Plain names, no pydantic: :mod:`sfprice.io.pricelists` maps each to a schema type (and
    each to the value a kind's :meth:`PriceTerms.from_file` reads), so a kind declares its
    fields with these and the loader needs no line for a new field.
    """

    UNIT = "unit"
    """A unit of a price list (``"transaction"``): a :class:`~sfprice.units.Unit`."""
    MONEY = "money"
    """An exact number of 0 or more (a price, a rate): a Decimal."""
    NUMBER = "number"
    """An exact, finite number whose range the kind checks with its own words (a block
    size, which must be more than 0): a Decimal."""
    KRONOR = "kronor"
    """An amount in kronor with at most öre (a fee): a Decimal."""
    MONEY_LIST = "money_list"
    """A list of numbers of 0 or more (prices by customer year): a tuple of Decimals."""
    KRONOR_BY_NAME = "kronor_by_name"
    """A table of amounts by department name (fees): a mapping of str to Decimal."""
    PATTERNS = "patterns"
    """A list of service codes or patterns (``applies_to``): a tuple of str."""
    COMPONENTS = "components"
    """The components of a composite price: a tuple of PriceComponent."""
    TIERS = "tiers"
    """Bands ``{ up_to, price }``, the last without up_to: (up_to, price) pairs."""
    TIER_MODE = "tier_mode"
    """``"graduated"`` or ``"volume"``: a :class:`TierMode`."""


class KindFormat(Protocol):
    """How reports format what a kind shows (given by reports: kinds import no babel).

    ``language`` picks the kind's :attr:`PriceTerms.words` (``"sv"`` or ``"en"``); the
    methods format for people in the report's locale and currency (``price``,
    ``amount``, ``number``, ``rate``, ``currency``), or for machines (``money_text``
    ``"57.00"``, ``decimal_text`` ``"0.05"``).
    """

    @property
    def language(self) -> str:
        """``"sv"`` or ``"en"``."""
        ...

    @property
    def currency(self) -> str:
        """The currency's symbol as amounts show it (``kr``, ``SEK``)."""
        ...

    def price(self, value: Decimal) -> str:
        """A unit price with all its decimals and the currency (``0,125 kr``)."""
        ...

    def amount(self, value: Decimal) -> str:
        """An amount to öre with the currency (``1 307 310,00 kr``)."""
        ...

    def number(self, value: Decimal) -> str:
        """A number in the locale, without currency (``1 000``)."""
        ...

    def rate(self, value: Decimal) -> str:
        """A rate as a percentage (``5 %``)."""
        ...

    def money_text(self, value: Decimal) -> str:
        """Money for machines, always with öre (``"57.00"``)."""
        ...

    def decimal_text(self, value: Decimal) -> str:
        """A number for machines, as exact as given (``"0.05"``)."""
        ...


@dataclass(frozen=True, slots=True)
class ComponentCharge:
    """The part of an invoice line that one component of a composite price accounts for.

    Attributes:
        label: The component ("Tillägg manuell rapportering", "Steg 2: över 1000 t.o.m.
            5000").
        unit_price: Its price per unit.
        amount: Its part of the line amount.
        quantity: The units it prices when not the line's quantity (a band of a tiered
            price); None when it prices every unit of the line (a composite price).
    """

    label: str
    unit_price: Decimal
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ChargeBasis:
    """Why a line of another price kind than a plain unit price charges what it does.

    Attributes:
        kind: The item's kind.
        customer_year: For a price that steps down: the customer's year (1 = first).
        first_year: The customer's first year, from the register.
        tier_mode: For a tiered price: graduated or volume.
        rate: For a percentage: the rate (``0.05``).
        minimum: For a minimum: the minimum amount.
        base_amount: For a percentage or a minimum: the sum of the lines it is computed on.
        services: For a percentage or a minimum: the service codes of those lines.
        source: Where the customer data comes from (register file and line).
        volume: For a package price: the month's volume in the item's unit (250
            transactions); the line's quantity is the number of started blocks.
        block: For a package price: the units in one block (100).
    """

    kind: PriceKind
    customer_year: int | None = None
    first_year: int | None = None
    tier_mode: TierMode | None = None
    rate: Decimal | None = None
    minimum: Decimal | None = None
    base_amount: Decimal | None = None
    services: tuple[str, ...] = ()
    source: str = ""
    volume: Decimal | None = None
    block: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Charge:
    """What one item charges one department in one month, before it becomes a line.

    ``amount`` is rounded once to öre; ``quantity x unit_price`` is ``amount`` before that
    rounding (for a minimum the unit price is the difference and the quantity 1).
    """

    unit: Unit
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    components: tuple[ComponentCharge, ...] = ()
    basis: ChargeBasis | None = None


@dataclass(frozen=True, slots=True)
class ChargeContext:
    """What a charge needs besides the item and the quantity.

    Attributes:
        rounding: The rounding mode of the list in force (``half_up`` ...).
        customer: The department in the customer register, or None.
        customer_year: The customer's year in the month billed (1 = the first), when the
            item's price steps down; None otherwise.
    """

    rounding: str
    customer: Customer | None = None
    customer_year: int | None = None


@dataclass(frozen=True, slots=True)
class LineAmount:
    """A line a surcharge or a minimum is computed on: its service code, amount and quantity.

    ``quantity`` tells whether the service was used that month: a minimum does not charge
    for a line of quantity 0 (a volume row of 0 is a report of no use).
    """

    service: str
    amount: Decimal
    quantity: Decimal


class FieldProblems(ValueError):
    """What is wrong with an item's fields in a file: (field, message) pairs, in order."""

    def __init__(self, *problems: tuple[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {text}" for field, text in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class FileItem:
    """An item's price fields as a price-list file gives them (None: not given).

    The raw record a loader reads (the union of every kind's fields, the shape of the
    file); the item's kind builds its terms of it (:meth:`PriceTerms.from_file`), with the
    file's own words for what is missing. ``tiers`` are (up_to, price) pairs as written.
    """

    unit: Unit | None = None
    price: Decimal | None = None
    components: tuple[PriceComponent, ...] = ()
    fees: Mapping[str, Decimal] | None = None
    default_fee: Decimal | None = None
    tiers: tuple[tuple[Decimal | None, Decimal], ...] | None = None
    tier_mode: TierMode | None = None
    applies_to: tuple[str, ...] | None = None
    rate: Decimal | None = None
    by_customer_year: tuple[Decimal, ...] | None = None
    block: Decimal | None = None
    more: Mapping[str, object] | None = None
    """The fields of kinds registered later (:func:`sfprice.kinds.register_kind`) by name,
    as :class:`Shape` gives them; read them with :meth:`value`."""

    def value(self, name: str) -> object:
        """A field by its name in files (None: not given), also one of a later kind."""
        if name in _FILE_ITEM_FIELDS:
            return getattr(self, name)
        return None if self.more is None else self.more.get(name)


class PriceTerms:
    """The base of every kind class: what the registry, the loader and the reports read.

    Class attributes:
        kind: The kind's name in files (``kind = "package"``).
        stage: When its lines are computed (:class:`Stage`).
        fields: The fields an item of the kind may give in a price-list file, besides
            ``code``, ``name``, ``kind``, ``business_area`` and ``source``; the loader
            refuses any other (``a percentage item has no price``).
        implied_unit: The unit the kind gives its items, or None when the item names it
            (the kinds priced from volumes).
        needs_from_register: What a charge needs from the customer register, for the
            message when no register was given ("first year", "headcount").
        shapes: What each field the class adds holds in a file (:class:`Shape`); a kind's
            fields' shapes are those of its classes (:meth:`file_shapes`): ``unit``,
            ``price`` and ``components`` are declared here, ``by_customer_year`` and
            ``applies_to`` by the shared parts.
        words: The kind's words for people by language (``"sv"``, ``"en"``), the same keys
            in each; what reports show of the kind (:meth:`price_text`, :meth:`notes`).
    """

    __slots__ = ()
    kind: ClassVar[PriceKind]
    stage: ClassVar[Stage]
    fields: ClassVar[tuple[str, ...]]
    implied_unit: ClassVar[Unit | None] = None
    needs_from_register: ClassVar[str] = "first year"
    has_own_price: ClassVar[bool] = True
    """False when an item of the kind has no ``price`` (it must be 0): its prices are in
    the kind's own fields (tiers, fees, a rate)."""
    shapes: ClassVar[Mapping[str, Shape]] = {
        "unit": Shape.UNIT,
        "price": Shape.MONEY,
        "components": Shape.COMPONENTS,
    }
    words: ClassVar[Mapping[str, Mapping[str, str]]] = {"sv": {}, "en": {}}

    @classmethod
    def file_shapes(cls) -> dict[str, Shape]:
        """What each of the kind's :attr:`fields` holds, in their order.

        Raises:
            TypeError: When a field has no declared shape (a kind class's mistake).
        """
        known: dict[str, Shape] = {}
        for klass in reversed(cls.__mro__):
            known.update(vars(klass).get("shapes", {}))
        missing = [name for name in cls.fields if name not in known]
        if missing:
            msg = f"{cls.__name__} declares no shape for {', '.join(missing)} (shapes)"
            raise TypeError(msg)
        return {name: known[name] for name in cls.fields}

    @classmethod
    def says(cls, fmt: KindFormat, word: str) -> str:
        """The kind's ``word`` in the report's language (from :attr:`words` of its classes)."""
        return word_of(cls, fmt, word)

    def price_text(self, item: PriceItem, fmt: KindFormat) -> str:
        """The price column of the catalog for an item of the kind (without components)."""
        return fmt.price(item.price)

    def price_rows(self, item: PriceItem, fmt: KindFormat) -> list[tuple[str, str]]:
        """Rows under the item in the catalog: (label, price) pairs, e.g. a fee per department."""
        del item, fmt
        return []

    def file_data(self, fmt: KindFormat) -> dict[str, object]:
        """The kind's own fields for the catalog's JSON, as machines read them."""
        del fmt
        return {}

    @classmethod
    def notes(cls, basis: ChargeBasis, fmt: KindFormat) -> list[str]:
        """The notes a line of the kind shows under it, from its basis (why its amount)."""
        del fmt
        return []

    @property
    def steps_down(self) -> bool:
        """True when the price depends on the customer's year (``by_customer_year``)."""
        return False

    @classmethod
    def from_file(cls, item: FileItem) -> tuple[Self, Decimal]:
        """The kind's terms of a file's item, and the item's ``price``.

        Only the fields of the kind are given (the loader refuses others first, from
        :attr:`fields`). Raises :class:`FieldProblems` naming the field of each problem.
        """
        raise NotImplementedError

    def item_problem(self, item: PriceItem) -> str | None:
        """What is wrong with an item of this kind as a whole (its unit, its price), or None."""
        implied = self.implied_unit
        if implied is not None and item.unit is not implied:
            return f"a {self.kind} item has the unit {implied}, not {item.unit}"
        if item.components and "components" not in self.fields:
            return f"a {self.kind} item has no components"
        if not self.has_own_price and item.price != 0:
            return f"a {self.kind} item has no price of its own (price must be 0)"
        return None


class StepsDown:
    """The shared part of the kinds whose price may step down by customer year.

    The class using it has a field ``by_customer_year``: the price in the customer's 1st,
    2nd, 3rd ... year, the last holding for every later year (empty: no step-down).
    """

    __slots__ = ()
    by_customer_year: tuple[Decimal, ...]
    shapes: ClassVar[Mapping[str, Shape]] = {"by_customer_year": Shape.MONEY_LIST}
    words: ClassVar[Mapping[str, Mapping[str, str]]] = {
        "sv": {
            "by_year": "{prices} per kundår",
            "customer_year": "kundår {year} (kund sedan {first})",
        },
        "en": {
            "by_year": "{prices} by customer year",
            "customer_year": "customer year {year} (customer since {first})",
        },
    }

    def price_text(self, item: PriceItem, fmt: KindFormat) -> str:
        """The price, or the prices by customer year ("1 000/800 kr per kundår")."""
        if self.by_customer_year:
            return self.year_price_text(fmt)
        return fmt.price(item.price)

    def file_data(self, fmt: KindFormat) -> dict[str, object]:
        """The prices by customer year, if any."""
        return self.year_data(fmt)

    @classmethod
    def notes(cls, basis: ChargeBasis, fmt: KindFormat) -> list[str]:
        """The customer's year of a line priced for it."""
        return cls.year_notes(basis, fmt)

    def year_price_text(self, fmt: KindFormat) -> str:
        """The catalog's price of a price by customer year: "1 000/800 kr per kundår"."""
        prices = "/".join(fmt.number(p) for p in self.by_customer_year)
        return word_of(StepsDown, fmt, "by_year").format(prices=f"{prices} {fmt.currency}")

    def year_data(self, fmt: KindFormat) -> dict[str, object]:
        """``by_customer_year`` for the catalog's JSON (nothing when the price is flat)."""
        if not self.by_customer_year:
            return {}
        return {"by_customer_year": [fmt.money_text(p) for p in self.by_customer_year]}

    @staticmethod
    def year_notes(basis: ChargeBasis, fmt: KindFormat) -> list[str]:
        """The customer-year note of a line priced for a customer's year."""
        if basis.customer_year is None:
            return []
        text = word_of(StepsDown, fmt, "customer_year")
        return [text.format(year=basis.customer_year, first=basis.first_year)]

    @staticmethod
    def years_of(item: FileItem) -> tuple[Decimal, ...]:
        """A file's ``by_customer_year``, refusing an empty list (no first year)."""
        if item.by_customer_year is not None and not item.by_customer_year:
            raise FieldProblems(("by_customer_year", "give at least one price (the first year's)"))
        return item.by_customer_year or ()

    def _check_years(self) -> None:
        object.__setattr__(self, "by_customer_year", tuple(self.by_customer_year))
        for price in self.by_customer_year:
            check_price(price, "by_customer_year")

    @property
    def steps_down(self) -> bool:
        """True when the price depends on the customer's year."""
        return bool(self.by_customer_year)

    def price_in_year(self, default: Decimal, customer_year: int) -> Decimal:
        """The price in the customer's ``customer_year`` (1 = the first), else ``default``."""
        if not self.by_customer_year:
            return default
        return self.by_customer_year[min(customer_year, len(self.by_customer_year)) - 1]

    def first_price_problem(self, price: Decimal) -> str | None:
        """The item's price must be the first year's (the price shown without a customer)."""
        if self.by_customer_year and price != self.by_customer_year[0]:
            first = self.by_customer_year[0]
            return f"price {price} must be the first year's price {first} of by_customer_year"
        return None

    def year_basis(
        self, kind: PriceKind, year: int | None, customer: Customer | None
    ) -> ChargeBasis:
        """The basis of a line priced for a customer year (or for a customer's headcount)."""
        return ChargeBasis(
            kind,
            customer_year=year,
            first_year=customer.first_year if customer is not None and year is not None else None,
            source=customer.source if customer is not None else "",
        )


class AppliesTo:
    """The shared part of the kinds computed on other lines: ``applies_to`` patterns.

    The class using it has a field ``applies_to``: service codes or shell-style patterns
    (``payroll.*``), none empty.
    """

    __slots__ = ()
    applies_to: tuple[str, ...]
    shapes: ClassVar[Mapping[str, Shape]] = {"applies_to": Shape.PATTERNS}

    def _check_patterns(self, kind: PriceKind) -> None:
        object.__setattr__(self, "applies_to", tuple(self.applies_to))
        if not self.applies_to or any(not p.strip() for p in self.applies_to):
            msg = f"a {kind} item needs applies_to: service codes or patterns, none empty"
            raise ValueError(msg)

    @staticmethod
    def patterns_of(item: FileItem) -> tuple[str, ...]:
        """A file's ``applies_to``, refusing a missing, empty or blank one."""
        if not item.applies_to or any(not p.strip() for p in item.applies_to):
            raise FieldProblems(
                (
                    "applies_to",
                    'give the service codes or patterns it applies to, e.g. ["payroll.*"]',
                )
            )
        return item.applies_to

    def matches(self, service: str) -> bool:
        """True when ``service`` matches a pattern of ``applies_to``."""
        return any(fnmatch.fnmatchcase(service, pattern) for pattern in self.applies_to)

    def matching(self, lines: Sequence[LineAmount]) -> list[LineAmount]:
        """The lines whose service matches."""
        return [line for line in lines if self.matches(line.service)]

    @staticmethod
    def codes(lines: Sequence[LineAmount]) -> tuple[str, ...]:
        """The service codes of ``lines``, each once, in order (the basis lists them)."""
        return tuple(dict.fromkeys(line.service for line in lines))


class VolumeTerms(PriceTerms):
    """A kind priced from each volume (stage 1)."""

    __slots__ = ()

    def charge(self, item: PriceItem, quantity: Decimal, at: ChargeContext) -> Charge | str:
        """Charge the month's ``quantity``, or say why it cannot be charged.

        ``at.customer_year`` (of ``at.customer``) is needed when the price steps down.
        """
        raise NotImplementedError


class DepartmentTerms(PriceTerms):
    """A kind charged once per department and month, with no volume (stage 2)."""

    __slots__ = ()

    def charge(self, item: PriceItem, department: str, at: ChargeContext) -> Charge | str | None:
        """The charge, None when the department pays none, or what is missing to know it."""
        raise NotImplementedError


class LinesTerms(PriceTerms):
    """A kind computed on other lines of the invoice (stages 3 and 4)."""

    __slots__ = ()

    def charge(self, item: PriceItem, lines: Sequence[LineAmount], rounding: str) -> Charge | None:
        """The charge on ``lines`` (those of the stages before), or None when it adds none."""
        raise NotImplementedError


def word_of(cls: type, fmt: KindFormat, word: str) -> str:
    """``word`` in the report's language from the ``words`` of ``cls`` and its bases."""
    for klass in cls.__mro__:
        table = vars(klass).get("words", {}).get(fmt.language, {})
        if word in table:
            return str(table[word])
    msg = f"{cls.__name__} has no word {word!r} in {fmt.language!r}"
    raise KeyError(msg)


_FILE_ITEM_FIELDS = frozenset(name for name in FileItem.__dataclass_fields__ if name != "more")


def customer_year_of(customer: Customer | None, year: int) -> int | str:
    """The customer's year in ``year`` (1 = the first), or what is missing to know it."""
    if customer is None:
        return "the department is not in the customer register (needed for its first year)"
    if customer.first_year is None:
        return "the customer register gives no first year (first_year, första_år)"
    customer_year = customer.customer_year(year)
    if customer_year is None or customer_year < 1:
        return f"the first year {customer.first_year} is after the year billed, {year}"
    return customer_year


def check_price(price: Decimal, what: str) -> None:
    """Refuse a price that is not a finite Decimal of 0 or more (``what`` names it)."""
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
