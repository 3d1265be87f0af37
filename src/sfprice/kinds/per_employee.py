"""``per_employee``: a fee per employee and month, the headcount from the customer register."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from sfprice.kinds.base import (
    Charge,
    ChargeBasis,
    ChargeContext,
    DepartmentTerms,
    FieldProblems,
    FileItem,
    KindFormat,
    PriceKind,
    Stage,
    StepsDown,
)
from sfprice.money import exact_product, round_amount
from sfprice.units import Unit

if TYPE_CHECKING:
    from typing import Self

    from sfprice.model import PriceItem

__all__ = ["PerEmployee"]


@dataclass(frozen=True, slots=True)
class PerEmployee(StepsDown, DepartmentTerms):
    """Headcount x ``price`` (or the price of the customer's year, ``by_customer_year``)."""

    kind = PriceKind.PER_EMPLOYEE
    stage = Stage.DEPARTMENT_MONTH
    fields = ("price", "by_customer_year")
    implied_unit = Unit.EMPLOYEE_MONTH
    needs_from_register = "headcount"

    by_customer_year: tuple[Decimal, ...] = ()

    def __post_init__(self) -> None:
        self._check_years()

    @classmethod
    def from_file(cls, item: FileItem) -> tuple[Self, Decimal]:
        """A price per employee and month, or prices by customer year."""
        if item.price is not None and item.by_customer_year is not None:
            raise FieldProblems(("by_customer_year", "give price or by_customer_year, not both"))
        if item.price is None and not item.by_customer_year:
            raise FieldProblems(
                ("price", "give a price per employee and month, or by_customer_year")
            )
        years = cls.years_of(item)
        return cls(years), years[0] if years else item.price or Decimal(0)

    def item_problem(self, item: PriceItem) -> str | None:
        """The item's price is the first year's when the price steps down."""
        return DepartmentTerms.item_problem(self, item) or self.first_price_problem(item.price)

    words: ClassVar[Mapping[str, Mapping[str, str]]] = {
        "sv": {"employees": "antal anställda enligt kundregistret"},
        "en": {"employees": "headcount from the customer register"},
    }

    @classmethod
    def notes(cls, basis: ChargeBasis, fmt: KindFormat) -> list[str]:
        """The customer's year (when the price steps down), and where the headcount is from."""
        return [*cls.year_notes(basis, fmt), cls.says(fmt, "employees")]

    def charge(self, item: PriceItem, department: str, at: ChargeContext) -> Charge | str:
        """The register's headcount at the price (of the customer's year)."""
        if at.customer is None:
            return "the department is not in the customer register (needed for its headcount)"
        if at.customer.employees is None:
            return "the customer register gives no headcount (employees, anställda)"
        quantity = Decimal(at.customer.employees)
        unit_price = (
            item.price
            if at.customer_year is None
            else self.price_in_year(item.price, at.customer_year)
        )
        amount = round_amount(exact_product(quantity, unit_price), at.rounding)
        basis = self.year_basis(self.kind, at.customer_year, at.customer)
        return Charge(item.unit, quantity, unit_price, amount, (), basis)
