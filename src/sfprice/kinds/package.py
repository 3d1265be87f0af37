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
- The invoice line shows the blocks, not the units: quantity = blocks, unit ``block``
  (per påbörjat block), unit price = the price of a block, so amount = blocks x price
  exactly (rounded once to öre, which changes nothing for a price in öre). The volume
  and the block size are in the line's basis (``volume``, ``block``) and in its one
  component's label, which documents print ("250 i block om 100: 3 påbörjade block").
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
from sfprice.money import exact_product, round_amount
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

    shapes: ClassVar[Mapping[str, Shape]] = {"block": Shape.MONEY}
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
        # price's band does): "250 i block om 100: 3 påbörjade block".
        detail = ComponentCharge(
            block_label(quantity, self.block, blocks), item.price, amount, blocks
        )
        return Charge(Unit.BLOCK, blocks, item.price, amount, (detail,), basis)


def block_label(volume: Decimal, block: Decimal, blocks: Decimal) -> str:
    """The line detail of a package price: "250 i block om 100: 3 påbörjade block".

    >>> block_label(Decimal(100), Decimal(100), Decimal(1))
    '100 i block om 100: 1 påbörjat block'
    """
    started = "påbörjat" if blocks == 1 else "påbörjade"
    return f"{format(volume, 'f')} i block om {format(block, 'f')}: {blocks} {started} block"


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
