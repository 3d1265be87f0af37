"""``tiered``: a price per unit of volume that depends on the month's quantity.

Graduated (trappstegsvis): each unit at the price of the band it falls in. Volume
(volymrabatt): every unit at the price of the band the quantity reaches. A band holds the
quantities above the band before it up to its ``up_to`` (inclusive); the last has no end.
A negative month (a correction) is priced at the first band's price.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import MAX_PREC, Decimal, localcontext
from typing import TYPE_CHECKING, ClassVar

from sfprice.kinds.base import (
    Charge,
    ChargeBasis,
    ChargeContext,
    ComponentCharge,
    FieldProblems,
    FileItem,
    KindFormat,
    PriceKind,
    Shape,
    Stage,
    TierMode,
    VolumeTerms,
    check_price,
)
from sfprice.money import average_price, exact_product, exact_sum, round_amount

if TYPE_CHECKING:
    from typing import Self

    from sfprice.model import PriceItem

__all__ = ["Tier", "Tiered", "band_label"]


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
        check_price(self.price, "tier price")
        if self.up_to is not None:
            if not isinstance(self.up_to, Decimal):
                msg = f"tier up_to must be a Decimal, got {self.up_to!r}"
                raise TypeError(msg)
            if not self.up_to.is_finite() or self.up_to <= 0:
                msg = f"tier up_to must be a number > 0, got {self.up_to}"
                raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class Tiered(VolumeTerms):
    """Price bands (``tiers``, ascending, the last open) charged by ``tier_mode``."""

    kind = PriceKind.TIERED
    stage = Stage.VOLUME
    fields = ("unit", "tiers", "tier_mode")
    has_own_price = False
    shapes: ClassVar[Mapping[str, Shape]] = {"tiers": Shape.TIERS, "tier_mode": Shape.TIER_MODE}

    tiers: tuple[Tier, ...] = ()
    tier_mode: TierMode = TierMode.GRADUATED

    def __post_init__(self) -> None:
        object.__setattr__(self, "tiers", tuple(self.tiers))
        object.__setattr__(self, "tier_mode", TierMode(self.tier_mode))
        problem = _tier_problem(self.tiers)
        if problem:
            raise ValueError(problem)

    @classmethod
    def from_file(cls, item: FileItem) -> tuple[Self, Decimal]:
        """The bands as written, and the mode; the item has no price of its own."""
        if not item.tiers:
            raise FieldProblems(
                ("tiers", "a tiered item needs tiers, e.g. [{ up_to = 1000, price = 60 }, ...]")
            )
        if item.tier_mode is None:
            raise FieldProblems(
                ("tier_mode", 'a tiered item needs tier_mode = "graduated" or "volume"')
            )
        if problem := _written_tiers_problem(item.tiers):
            raise FieldProblems(("tiers", problem))
        tiers = tuple(Tier(up_to, price) for up_to, price in item.tiers)
        return cls(tiers, item.tier_mode), Decimal(0)

    words: ClassVar[Mapping[str, Mapping[str, str]]] = {
        "sv": {
            "graduated": "trappstegspris: varje enhet till priset i sitt steg",
            "volume": "volympris: alla enheter till priset i steget som nås",
            "graduated_short": "trappsteg",
            "volume_short": "volympris",
            "then": "därefter",
            "up_to": "t.o.m.",
        },
        "en": {
            "graduated": "graduated: each unit at the price of its band",
            "volume": "volume: every unit at the price of the band reached",
            "graduated_short": "graduated",
            "volume_short": "volume",
            "then": "then",
            "up_to": "up to",
        },
    }

    def price_text(self, item: PriceItem, fmt: KindFormat) -> str:
        """Shows 60 t.o.m. 1 000, därefter 50 kr (trappsteg)."""
        steps = [
            f"{fmt.number(t.price)} {self.says(fmt, 'up_to')} {fmt.number(t.up_to)}"
            if t.up_to is not None
            else f"{self.says(fmt, 'then')} {fmt.number(t.price)}"
            for t in self.tiers
        ]
        mode = self.says(fmt, f"{self.tier_mode}_short")
        return f"{', '.join(steps)} {fmt.currency} ({mode})"

    def file_data(self, fmt: KindFormat) -> dict[str, object]:
        """The mode and the bands (``up_to`` null for the open last band)."""
        return {
            "tier_mode": str(self.tier_mode),
            "tiers": [
                {
                    "up_to": fmt.decimal_text(t.up_to) if t.up_to is not None else None,
                    "price": fmt.money_text(t.price),
                }
                for t in self.tiers
            ],
        }

    @classmethod
    def notes(cls, basis: ChargeBasis, fmt: KindFormat) -> list[str]:
        """How the bands charge (graduated or volume)."""
        return [] if basis.tier_mode is None else [cls.says(fmt, str(basis.tier_mode))]

    def charge(self, item: PriceItem, quantity: Decimal, at: ChargeContext) -> Charge:
        """The quantity by its bands, one component per band used, the sum rounded once."""
        bands = list(_bands(self.tiers))
        if self.tier_mode is TierMode.VOLUME:
            # Every unit at the price of the band the quantity reaches (up_to is inclusive).
            index, tier, lower = next(
                band for band in bands if band[1].up_to is None or quantity <= band[1].up_to
            )
            unit_price = tier.price
            amount = round_amount(exact_product(quantity, unit_price), at.rounding)
            components: tuple[ComponentCharge, ...] = (
                ComponentCharge(band_label(index, lower, tier.up_to), unit_price, amount, quantity),
            )
        else:
            # Each unit at the price of its band; the sum of the bands rounded once.
            used: list[tuple[int, Tier, Decimal, Decimal]] = []
            for index, tier, lower in bands:
                top = quantity if tier.up_to is None else min(quantity, tier.up_to)
                if top > lower:
                    with localcontext() as context:
                        context.prec = MAX_PREC  # the quantity in the band, exact
                        used.append((index, tier, lower, top - lower))
            if not used:  # a quantity of 0 or less
                index, tier, lower = bands[0]
                used = [(index, tier, lower, quantity)]
            exact = exact_sum((exact_product(n, t.price) for _, t, _, n in used), Decimal(0))
            amount = round_amount(exact, at.rounding)
            parts = [
                round_amount(exact_product(n, t.price), at.rounding) for _, t, _, n in used[:-1]
            ]
            parts.append(amount - exact_sum(parts, Decimal(0)))
            components = tuple(
                ComponentCharge(band_label(index, lower, tier.up_to), tier.price, part, n)
                for (index, tier, lower, n), part in zip(used, parts, strict=True)
            )
            unit_price = (
                used[0][1].price if len(used) == 1 else average_price(amount, quantity, at.rounding)
            )
        basis = ChargeBasis(self.kind, tier_mode=self.tier_mode)
        return Charge(item.unit, quantity, unit_price, amount, components, basis)


def band_label(index: int, lower: Decimal, up_to: Decimal | None) -> str:
    """A band's label on the invoice: "Steg 2: över 1000 t.o.m. 5000"."""
    low, high = format(lower, "f"), format(up_to, "f") if up_to is not None else ""
    if up_to is None:
        return f"Steg {index}: över {low}" if lower else f"Steg {index}: alla"
    if not lower:
        return f"Steg {index}: t.o.m. {high}"
    return f"Steg {index}: över {low} t.o.m. {high}"


def _bands(tiers: tuple[Tier, ...]) -> Iterator[tuple[int, Tier, Decimal]]:
    """(1-based index, tier, lower bound) of each band; a band holds (lower, up_to]."""
    lower = Decimal(0)
    for index, tier in enumerate(tiers, start=1):
        yield index, tier, lower
        if tier.up_to is not None:
            lower = tier.up_to


def _tier_problem(tiers: tuple[Tier, ...]) -> str | None:
    """The tier rules in the model's words (a Tier has checked its own up_to already)."""
    if not tiers:
        return "a tiered item needs at least one tier"
    return _broken_rule(tuple(t.up_to for t in tiers), _MODEL_WORDS)


def _written_tiers_problem(tiers: tuple[tuple[Decimal | None, Decimal], ...]) -> str | None:
    """The tier rules in a file's words (the bands as written, before they are Tiers)."""
    return _broken_rule(tuple(up_to for up_to, _ in tiers), _FILE_WORDS)


#: The tier rules, one wording for callers of the model and one for files; both are read
#: by the one rule set of :func:`_broken_rule`.
_MODEL_WORDS = {
    "open_end": "the last tier has no up_to (it holds for every larger quantity)",
    "only_last_open": "only the last tier may leave out up_to",
    "positive": "tier up_to must be a number > 0, got {bounds}",
    "rising": "tier up_to values must rise: {bounds}",
}
_FILE_WORDS = {
    "open_end": "the last tier has no up_to: it holds for every larger quantity",
    "only_last_open": "only the last tier may leave out up_to",
    "positive": "up_to must be more than 0",
    "rising": "up_to must rise from tier to tier, got {bounds}",
}


def _broken_rule(ends: tuple[Decimal | None, ...], words: dict[str, str]) -> str | None:
    """The first tier rule ``ends`` (each band's up_to, in order) breaks, in ``words``."""
    if ends[-1] is not None:
        return words["open_end"]
    bounds = [end for end in ends[:-1] if end is not None]
    if len(bounds) < len(ends) - 1:
        return words["only_last_open"]
    shown = ", ".join(str(b) for b in bounds)
    if any(b <= 0 for b in bounds):
        return words["positive"].format(bounds=shown)
    if any(b <= a for a, b in itertools.pairwise(bounds)):
        return words["rising"].format(bounds=shown)
    return None
