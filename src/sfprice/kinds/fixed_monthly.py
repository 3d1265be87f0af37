"""``fixed_monthly``: a fixed fee per department and month, needing no volume.

The fee of a department is its own (``fees``), else ``default_fee``; or, with
``by_customer_year``, the same for every department by its year as a customer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar

from sfprice.kinds.base import (
    Charge,
    ChargeContext,
    DepartmentTerms,
    FieldProblems,
    FileItem,
    KindFormat,
    PriceKind,
    Shape,
    Stage,
    StepsDown,
    check_price,
)
from sfprice.money import round_amount
from sfprice.names import clean_name, name_problem, name_variants
from sfprice.units import Unit

if TYPE_CHECKING:
    from typing import Self

    from sfprice.model import PriceItem

__all__ = ["FixedMonthly"]


@dataclass(frozen=True, slots=True)
class FixedMonthly(StepsDown, DepartmentTerms):
    """A monthly fee: ``fees`` per department, ``default_fee``, or ``by_customer_year``."""

    kind = PriceKind.FIXED_MONTHLY
    stage = Stage.DEPARTMENT_MONTH
    fields = ("fees", "default_fee", "by_customer_year")
    implied_unit = Unit.DEPARTMENT_MONTH
    has_own_price = False
    shapes: ClassVar[Mapping[str, Shape]] = {
        "fees": Shape.KRONOR_BY_NAME,
        "default_fee": Shape.KRONOR,
    }

    fees: Mapping[str, Decimal] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    default_fee: Decimal | None = None
    by_customer_year: tuple[Decimal, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "fees", MappingProxyType(dict(self.fees)))
        if self.default_fee is not None:
            check_price(self.default_fee, "fee")
        for department, fee in self.fees.items():
            check_price(fee, f"fee of {department}")
            if not department.strip():
                msg = "a department name in fees is empty"
                raise ValueError(msg)
            if problem := name_problem(department):
                msg = f"fees: {problem}"
                raise ValueError(msg)
        self._check_years()
        if self.by_customer_year and (self.fees or self.default_fee is not None):
            msg = "by_customer_year is the fee of every department: no fees or default_fee"
            raise ValueError(msg)
        if not (self.fees or self.default_fee is not None or self.by_customer_year):
            msg = "a fixed_monthly item needs fees, default_fee or by_customer_year"
            raise ValueError(msg)

    @classmethod
    def from_file(cls, item: FileItem) -> tuple[Self, Decimal]:
        """Fees by department name (in its one spelling), a default fee, or fees by year."""
        if item.by_customer_year is not None and (item.fees or item.default_fee is not None):
            raise FieldProblems(
                (
                    "by_customer_year",
                    "by_customer_year is the fee of every department; leave out fees and "
                    "default_fee (or by_customer_year)",
                )
            )
        if not (item.fees or item.default_fee is not None or item.by_customer_year):
            raise FieldProblems(
                ("fees", "a fixed_monthly item needs fees, default_fee or by_customer_year")
            )
        fees, problems = _fee_names(item.fees or {})
        if problems:
            raise FieldProblems(*(("fees", problem) for problem in problems))
        return cls(fees, item.default_fee, cls.years_of(item)), Decimal(0)

    words: ClassVar[Mapping[str, Mapping[str, str]]] = {
        "sv": {"fee_table": "enligt tabell ({count} förv.)", "others": "övriga {fee}"},
        "en": {"fee_table": "by table ({count} dept.)", "others": "others {fee}"},
    }

    def price_text(self, item: PriceItem, fmt: KindFormat) -> str:
        """The table of fees ("enligt tabell (2 förv.), övriga 500 kr") or the fees by year."""
        if self.by_customer_year:
            return self.year_price_text(fmt)
        parts = []
        if self.fees:
            parts.append(self.says(fmt, "fee_table").format(count=len(self.fees)))
        if self.default_fee is not None:
            fee = fmt.price(self.default_fee)
            parts.append(self.says(fmt, "others").format(fee=fee) if self.fees else fee)
        return ", ".join(parts)

    def price_rows(self, item: PriceItem, fmt: KindFormat) -> list[tuple[str, str]]:
        """One row per department with a fee of its own."""
        return [(name, fmt.price(fee)) for name, fee in self.fees.items()]

    def file_data(self, fmt: KindFormat) -> dict[str, object]:
        """The fees by year, or the fees by department and the default fee."""
        data = self.year_data(fmt)
        if self.fees:
            data["fees"] = {name: fmt.money_text(fee) for name, fee in self.fees.items()}
        if self.default_fee is not None:
            data["default_fee"] = fmt.money_text(self.default_fee)
        return data

    def fee_for(self, department: str, customer_year: int | None = None) -> Decimal | None:
        """A department's monthly fee, or None when it pays none.

        ``customer_year`` is needed when the fee steps down (``by_customer_year``).
        """
        if self.by_customer_year:
            if customer_year is None:
                msg = "the fee steps down by customer year; give the year"
                raise ValueError(msg)
            return self.price_in_year(Decimal(0), customer_year)
        return self.fees.get(department, self.default_fee)

    def charge(self, item: PriceItem, department: str, at: ChargeContext) -> Charge | None:
        """One department-month at its fee; None when it pays none."""
        fee = self.fee_for(department, at.customer_year)
        if fee is None:
            return None  # not in the fees table and no default fee
        basis = self.year_basis(
            self.kind, at.customer_year, at.customer if at.customer_year is not None else None
        )
        return Charge(item.unit, Decimal(1), fee, round_amount(fee, at.rounding), (), basis)


def _fee_names(fees: Mapping[str, Decimal]) -> tuple[dict[str, Decimal], list[str]]:
    """The fees by department name in its one spelling (see :mod:`sfprice.names`)."""
    cleaned: dict[str, Decimal] = {}
    problems: list[str] = []
    for name, fee in fees.items():
        try:
            department = clean_name(name)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if not department:
            problems.append("a department name is empty")
        elif department in cleaned:
            problems.append(f"{name!r} is {department!r} again; give each department's fee once")
        else:
            cleaned[department] = fee
    problems.extend(
        f"{' and '.join(map(repr, group))} differ only by case, accents, spaces or punctuation; "
        "spell each department one way"
        for group in name_variants(cleaned)
    )
    return cleaned, problems
