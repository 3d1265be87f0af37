"""``minimum``: when some lines of a month sum to less than ``price``, a line with the rest.

Computed on the lines of stages 1 to 3 whose service matches ``applies_to``. A minimum
never charges a department with no matching line that month, nor for matching lines of
quantity 0 only (a volume row of 0 reports that the service was not used).
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
    Stage,
)
from sfprice.money import exact_sum, round_amount
from sfprice.units import Unit

if TYPE_CHECKING:
    from typing import Self

    from sfprice.model import PriceItem

__all__ = ["Minimum"]


@dataclass(frozen=True, slots=True)
class Minimum(AppliesTo, LinesTerms):
    """The item's ``price`` is the minimum per department and month."""

    kind = PriceKind.MINIMUM
    stage = Stage.FLOOR
    fields = ("price", "applies_to")
    implied_unit = Unit.DEPARTMENT_MONTH

    applies_to: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self._check_patterns(self.kind)

    @classmethod
    def from_file(cls, item: FileItem) -> tuple[Self, Decimal]:
        """The patterns, and the minimum amount as the item's price."""
        patterns = cls.patterns_of(item)
        if item.price is None:
            raise FieldProblems(
                ("price", "give the minimum amount per department and month as price")
            )
        return cls(patterns), item.price

    words: ClassVar[Mapping[str, Mapping[str, str]]] = {
        "sv": {
            "at_least": "minst {amount}",
            "minimum_of": "lägsta avgift {minimum}; underlag {base}",
        },
        "en": {"at_least": "at least {amount}", "minimum_of": "minimum {minimum}; base {base}"},
    }

    def price_text(self, item: PriceItem, fmt: KindFormat) -> str:
        """Shows minst 1 000 kr (payroll.*)."""
        amount = self.says(fmt, "at_least").format(amount=fmt.price(item.price))
        return f"{amount} ({', '.join(self.applies_to)})"

    def file_data(self, fmt: KindFormat) -> dict[str, object]:
        """The patterns (the minimum is the item's price)."""
        return {"applies_to": list(self.applies_to)}

    @classmethod
    def notes(cls, basis: ChargeBasis, fmt: KindFormat) -> list[str]:
        """The minimum and the sum of the lines it is compared with."""
        if basis.minimum is None or basis.base_amount is None:
            return []
        text = cls.says(fmt, "minimum_of")
        return [text.format(minimum=fmt.amount(basis.minimum), base=fmt.amount(basis.base_amount))]

    def charge(self, item: PriceItem, lines: Sequence[LineAmount], rounding: str) -> Charge | None:
        """The difference up to the minimum; None when no used line matches or they reach it."""
        matched = [line for line in self.matching(lines) if line.quantity != 0]
        if not matched:
            return None  # a minimum never charges for services not used that month
        base = exact_sum(line.amount for line in matched)
        difference = round_amount(item.price - base, rounding)
        if difference <= 0:
            return None
        basis = ChargeBasis(
            self.kind, minimum=item.price, base_amount=base, services=self.codes(matched)
        )
        return Charge(Unit.DEPARTMENT_MONTH, Decimal(1), difference, difference, (), basis)
