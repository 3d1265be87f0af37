"""``percentage``: a surcharge of ``rate`` times the sum of some lines of the invoice.

Computed on the lines of stages 1 and 2 (volumes, fees) whose service matches
``applies_to``; percentages do not see each other. Rounded once to öre.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from sfprice.kinds.base import (
    AppliesTo,
    Charge,
    ChargeBasis,
    FieldProblems,
    FileItem,
    LineAmount,
    LinesTerms,
    PriceKind,
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
