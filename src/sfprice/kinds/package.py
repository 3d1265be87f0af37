"""``package``: a price per started block of volume (paketpris, blockpris).

``block = 100``, ``price = 1000``: 1-100 units of a month cost 1 000 kr, 101-200 cost
2 000 kr, 0 units cost nothing. The block counts the item's own ``unit`` (transactions,
hours ...); a block of a unit that is counted in whole numbers is a whole number.

- A started block is a whole block: blocks = ceil(quantity / block), also for a
  fractional quantity of hours (2.5 hours in blocks of 2 hours = 2 blocks).
- The month's quantity is the sum of the department's volume rows of the month, so
  splitting a month's rows over several files or lines changes nothing.
- A negative month (a correction larger than the month's use) is refused: a block price
  has no one right credit for it (which month's blocks does it take back?). Correct the
  volumes of the month it belongs to.
- The invoice line counts the units, as every line priced from volumes does (so KPIs,
  volume statements and marginal prices read the volume): quantity = the month's
  volume in the item's unit, unit price = the average price per unit that bills the
  amount (:func:`sfprice.money.average_price`, as a graduated tiered line), amount =
  blocks x price rounded once to öre. Its one component holds the blocks: quantity =
  blocks, unit price = the price of a block ("3 påbörjade block om 100"). The
  volume and the block size are also in the line's basis (``volume``, ``block``).
"""

from __future__ import annotations

from collections.abc import Mapping
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
    VolumeTerms,
)
from sfprice.money import average_price, exact_product, round_amount
from sfprice.units import Unit

if TYPE_CHECKING:
    from typing import Self

    from sfprice.model import PriceItem

__all__ = ["Package", "block_label", "block_problem", "started_blocks"]


@dataclass(frozen=True, slots=True)
class Package(VolumeTerms):
    """The item's ``price`` per started ``block`` of its unit."""

    kind = PriceKind.PACKAGE
    stage = Stage.VOLUME
    fields = ("unit", "price", "block")

    block: Decimal

    def __post_init__(self) -> None:
        if not isinstance(self.block, Decimal):
            msg = f"block must be a Decimal, got {self.block!r}"
            raise TypeError(msg)
        if problem := block_problem(self.block):
            raise ValueError(problem)

    @classmethod
    def from_file(cls, item: FileItem) -> tuple[Self, Decimal]:
        """The block (of the item's unit) and the price of one block."""
        if problem := block_problem(item.block, item.unit):
            raise FieldProblems(("block", problem))
        if item.price is None:
            raise FieldProblems(("price", "give the price of one started block, e.g. price = 1000"))
        assert item.block is not None  # checked by block_problem
        return cls(item.block), item.price

    shapes: ClassVar[Mapping[str, Shape]] = {"block": Shape.NUMBER}
    words: ClassVar[Mapping[str, Mapping[str, str]]] = {
        "sv": {"per_block": "{price} per påbörjat block om {block}"},
        "en": {"per_block": "{price} per started block of {block}"},
    }

    def price_text(self, item: PriceItem, fmt: KindFormat) -> str:
        """Shows 1 000 kr per påbörjat block om 100."""
        text = self.says(fmt, "per_block")
        return text.format(price=fmt.price(item.price), block=fmt.number(self.block))

    def file_data(self, fmt: KindFormat) -> dict[str, object]:
        """The block size."""
        return {"block": fmt.decimal_text(self.block)}

    def item_problem(self, item: PriceItem) -> str | None:
        """A block of a unit counted in whole numbers is a whole number of units."""
        return VolumeTerms.item_problem(self, item) or block_problem(self.block, item.unit)

    def charge(self, item: PriceItem, quantity: Decimal, at: ChargeContext) -> Charge | str:
        """The started blocks of the month's quantity at the price of a block."""
        if quantity < 0:
            return (
                f"the month's volume is {quantity}; a package price (per started block of "
                f"{self.block}) cannot price a negative volume: correct the volumes of the "
                "month the correction belongs to"
            )
        blocks = started_blocks(quantity, self.block)
        amount = round_amount(exact_product(blocks, item.price), at.rounding)
        basis = ChargeBasis(self.kind, volume=quantity, block=self.block)
        # The one component says on the document what the blocks are of (as a volume
        # price's band does): "3 påbörjade block om 100".
        detail = ComponentCharge(block_label(self.block, blocks), item.price, amount, blocks)
        unit_price = average_price(amount, quantity, at.rounding) if quantity else Decimal(0)
        return Charge(item.unit, quantity, unit_price, amount, (detail,), basis)


def block_label(block: Decimal, blocks: Decimal) -> str:
    """The component of a package line, in Swedish: "3 påbörjade block om 100".

    >>> block_label(Decimal(100), Decimal(1))
    '1 påbörjat block om 100'
    >>> block_label(Decimal("2.5"), Decimal(2))
    '2 påbörjade block om 2,5'
    """
    started = "påbörjat" if blocks == 1 else "påbörjade"
    size = format(block.normalize(), "f").replace(".", ",")
    return f"{blocks} {started} block om {size}"


def block_problem(block: Decimal | None, unit: Unit | None = None) -> str | None:
    """What is wrong with a block size (of ``unit``, when known), or None."""
    if block is None or not block.is_finite() or block <= 0:
        return (
            "a package item needs block: the units in one block (more than 0), "
            "e.g. block = 100" + ("" if block is None else f", got {block}")
        )
    if unit is not None and not unit.fractional and block != block.to_integral_value():
        return (
            f"block {block} is not a whole number, and {unit} is counted in whole "
            "numbers (only hours may have decimals)"
        )
    return None


def started_blocks(quantity: Decimal, block: Decimal) -> Decimal:
    """How many blocks of ``block`` units ``quantity`` starts: ceil(quantity / block), exact.

    >>> [str(started_blocks(Decimal(q), Decimal(100))) for q in (0, 1, 100, 101, 250)]
    ['0', '1', '1', '2', '3']
    >>> str(started_blocks(Decimal("2.5"), Decimal(2)))
    '2'
    """
    with localcontext() as context:
        context.prec = MAX_PREC  # integer division and remainder, never rounded
        whole, rest = divmod(quantity, block)
        return whole + 1 if rest else whole
