"""``percentage``: a surcharge of ``rate`` times the sum of some lines of the invoice.

Computed on the lines of stages 1 and 2 (volumes, fees) whose service matches
``applies_to``; percentages do not see each other. Rounded once to öre.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from sfprice.kinds.base import (
    AppliesTo,
    Charge,
    ChargeBasis,
    FieldProblems,
    FileItem,
    KindFormat,
    LineAmount,
    LinesTerms,
    PriceKind,
    Shape,
    Stage,
    check_price,
)
from sfprice.money import exact_product, exact_sum, round_amount
from sfprice.units import Unit

if TYPE_CHECKING:
    from typing import Self

    from sfprice.model import PriceItem

__all__ = ["Percentage"]


@dataclass(frozen=True, slots=True)
class Percentage(AppliesTo, LinesTerms):
    """``rate`` (0.05 for 5 %) of the lines matching ``applies_to``."""

    kind = PriceKind.PERCENTAGE
    stage = Stage.SURCHARGE
    fields = ("rate", "applies_to")
    implied_unit = Unit.PERCENT
    has_own_price = False
    shapes: ClassVar[Mapping[str, Shape]] = {"rate": Shape.MONEY}

    applies_to: tuple[str, ...] = ()
    rate: Decimal | None = None

    def __post_init__(self) -> None:
        if self.rate is not None:
            check_price(self.rate, "rate")
        self._check_patterns(self.kind)
        if self.rate is None:
            msg = "a percentage item needs a rate (0.05 for 5 %)"
            raise ValueError(msg)

    @classmethod
    def from_file(cls, item: FileItem) -> tuple[Self, Decimal]:
        """The patterns and the rate; the item has no price of its own."""
        patterns = cls.patterns_of(item)
        if item.rate is None:
            raise FieldProblems(("rate", "give the rate, e.g. rate = 0.05 for 5 %"))
        return cls(patterns, item.rate), Decimal(0)

    words: ClassVar[Mapping[str, Mapping[str, str]]] = {
        "sv": {"percentage_of": "{rate} av {services}"},
        "en": {"percentage_of": "{rate} of {services}"},
    }

    def price_text(self, item: PriceItem, fmt: KindFormat) -> str:
        """Shows 5 % av payroll.*."""
        if self.rate is None:  # pragma: no cover - refused when made
            return fmt.price(item.price)
        return self.says(fmt, "percentage_of").format(
            rate=fmt.rate(self.rate), services=", ".join(self.applies_to)
        )

    def file_data(self, fmt: KindFormat) -> dict[str, object]:
        """The patterns and the rate."""
        data: dict[str, object] = {"applies_to": list(self.applies_to)}
        if self.rate is not None:
            data["rate"] = fmt.decimal_text(self.rate)
        return data

    @classmethod
    def notes(cls, basis: ChargeBasis, fmt: KindFormat) -> list[str]:
        """The rate and the lines it is on (the first three codes; JSON lists them all)."""
        if basis.rate is None:
            return []
        services = ", ".join(basis.services[:3]) + (
            f" +{len(basis.services) - 3}" if len(basis.services) > 3 else ""
        )
        text = cls.says(fmt, "percentage_of")
        return [text.format(rate=fmt.rate(basis.rate), services=services)]

    def charge(self, item: PriceItem, lines: Sequence[LineAmount], rounding: str) -> Charge | None:
        """The rate of the matching lines' sum; None when no line matches."""
        matched = self.matching(lines)
        if not matched or self.rate is None:
            return None
        base = exact_sum(line.amount for line in matched)
        amount = round_amount(exact_product(base, self.rate), rounding)
        basis = ChargeBasis(
            self.kind, rate=self.rate, base_amount=base, services=self.codes(matched)
        )
        return Charge(Unit.PERCENT, base, self.rate, amount, (), basis)
