"""``unit``: quantity x price per unit, from the volumes (every bundled item).

The price may be composite (``components``: base + surcharges, the line split over them)
or step down by customer year (``by_customer_year``), not both.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from sfprice.kinds.base import (
    Charge,
    ChargeContext,
    ComponentCharge,
    FieldProblems,
    FileItem,
    PriceKind,
    Stage,
    StepsDown,
    VolumeTerms,
)
from sfprice.money import exact_product, round_amount, split_amount

if TYPE_CHECKING:
    from typing import Self

    from sfprice.model import PriceItem

__all__ = ["UnitPrice"]


@dataclass(frozen=True, slots=True)
class UnitPrice(StepsDown, VolumeTerms):
    """A price per unit of volume; ``by_customer_year``: the price per customer year."""

    kind = PriceKind.UNIT
    stage = Stage.VOLUME
    fields = ("unit", "price", "components", "by_customer_year")

    by_customer_year: tuple[Decimal, ...] = ()

    def __post_init__(self) -> None:
        self._check_years()

    @classmethod
    def from_file(cls, item: FileItem) -> tuple[Self, Decimal]:
        """A price, components (the price is their sum), or prices by customer year."""
        components = item.components
        total = sum((c.price for c in components), Decimal(0))
        if item.by_customer_year is not None and (item.price is not None or components):
            raise FieldProblems(
                ("by_customer_year", "give price (or components) or by_customer_year, not both")
            )
        years = cls.years_of(item)
        if not years and item.price is None and not components:
            raise FieldProblems(("price", "give a price or components"))
        if item.price is not None and components and item.price != total:
            raise FieldProblems(
                ("price", f"price {item.price} is not the sum of its components ({total})")
            )
        if len(components) == 1:
            raise FieldProblems(("components", "a composite price needs at least two components"))
        price = years[0] if years else item.price if item.price is not None else total
        return cls(years), price

    def item_problem(self, item: PriceItem) -> str | None:
        """The composite price and the steps must not mix; the price is the first year's."""
        problem = VolumeTerms.item_problem(self, item)
        if problem is None and item.components and self.by_customer_year:
            problem = "a composite price cannot step down by customer year"
        return problem or self.first_price_problem(item.price)

    def charge(self, item: PriceItem, quantity: Decimal, at: ChargeContext) -> Charge | str:
        """Quantity x price (of the customer's year), the components split the amount."""
        unit_price, basis = item.price, None
        if self.by_customer_year:
            if at.customer_year is None:
                return "the price steps down by customer year; give the year"
            unit_price = self.price_in_year(item.price, at.customer_year)
            basis = self.year_basis(self.kind, at.customer_year, at.customer)
        amount = round_amount(exact_product(quantity, unit_price), at.rounding)
        components: tuple[ComponentCharge, ...] = ()
        if item.components:
            parts = split_amount(
                amount, quantity, tuple(c.price for c in item.components), at.rounding
            )
            components = tuple(
                ComponentCharge(c.label, c.price, part)
                for c, part in zip(item.components, parts, strict=True)
            )
        return Charge(item.unit, quantity, unit_price, amount, components, basis)
