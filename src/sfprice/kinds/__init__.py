"""Price kinds: one small class per way an item charges, registered in :data:`KINDS`.

Each kind is one module: its fields (and only those), its validation, its charge and its
line detail. :class:`~sfprice.model.PriceItem` holds one kind object as ``terms`` (a sum
type, not a record of optional fields). The loader's schema (which fields a kind allows),
``dump_pricelist`` and the billing order are read from the classes registered here, so a
new kind is one module, one line in :data:`KINDS` (and its :class:`PriceKind` name) and its
tests. The package is named ``kinds`` after the files' ``kind = "..."`` field.

=================  ==========================  =========================================
kind               class                       stage (:class:`Stage`)
=================  ==========================  =========================================
``unit``           :class:`UnitPrice`          1, from each volume
``tiered``         :class:`Tiered`             1, from each volume
``package``        :class:`Package`            1, from each volume
``fixed_monthly``  :class:`FixedMonthly`       2, per department and month
``per_employee``   :class:`PerEmployee`        2, per department and month
``percentage``     :class:`Percentage`         3, on the lines of stages 1-2
``minimum``        :class:`Minimum`            4, on the lines of stages 1-3
=================  ==========================  =========================================
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from sfprice.kinds.base import (
    AppliesTo,
    Charge,
    ChargeBasis,
    ChargeContext,
    ComponentCharge,
    DepartmentTerms,
    FieldProblems,
    FileItem,
    KindFormat,
    LineAmount,
    LinesTerms,
    PriceKind,
    PriceTerms,
    Shape,
    Stage,
    StepsDown,
    TierMode,
    VolumeTerms,
    check_price,
    customer_year_of,
    word_of,
)
from sfprice.kinds.fixed_monthly import FixedMonthly
from sfprice.kinds.minimum import Minimum
from sfprice.kinds.package import Package, block_problem, started_blocks
from sfprice.kinds.per_employee import PerEmployee
from sfprice.kinds.percentage import Percentage
from sfprice.kinds.tiered import Tier, Tiered, band_label
from sfprice.kinds.unit import UnitPrice

__all__ = [
    "KINDS",
    "OPTIONAL_FIELDS",
    "AppliesTo",
    "Charge",
    "ChargeBasis",
    "ChargeContext",
    "ComponentCharge",
    "DepartmentTerms",
    "FieldProblems",
    "FileItem",
    "FixedMonthly",
    "KindFormat",
    "LineAmount",
    "LinesTerms",
    "Minimum",
    "Package",
    "PerEmployee",
    "Percentage",
    "PriceKind",
    "PriceTerms",
    "Shape",
    "Stage",
    "StepsDown",
    "Tier",
    "TierMode",
    "Tiered",
    "UnitPrice",
    "VolumeTerms",
    "band_label",
    "block_problem",
    "check_price",
    "customer_year_of",
    "started_blocks",
    "terms_of",
    "word_of",
]

#: Every kind, by its name in files; the one place a kind is registered.
KINDS: Mapping[PriceKind, type[PriceTerms]] = MappingProxyType(
    {
        cls.kind: cls
        for cls in (
            UnitPrice,
            FixedMonthly,
            PerEmployee,
            Tiered,
            Minimum,
            Percentage,
            Package,
        )
    }
)

#: Every field some kind may give, besides those of every item, in the order problems are
#: reported: by the kinds' order above, the step-down shared by three kinds last.
OPTIONAL_FIELDS: tuple[str, ...] = tuple(
    sorted(
        dict.fromkeys(name for cls in KINDS.values() for name in cls.fields),
        key=lambda name: name == "by_customer_year",
    )
)


def terms_of(kind: PriceKind | str, given: Mapping[str, object]) -> PriceTerms:
    """The kind object of ``kind`` from its fields by name (the names of the files).

    ``given`` holds the fields that were given (not None, not empty); ``unit``, ``price``
    and ``components`` belong to the item and are only checked against the kind here.

    Raises:
        ValueError: ``a percentage item has no fees`` when a field is not of the kind, or
            the kind's own problem with its fields.
    """
    cls = KINDS[PriceKind(kind)]
    extra = [name for name in given if name not in cls.fields]
    if extra:
        msg = f"a {cls.kind} item has no {', '.join(extra)}"
        raise ValueError(msg)
    own = {name: value for name, value in given.items() if name not in _ITEM_FIELDS}
    return cls(**own)


_ITEM_FIELDS = frozenset({"unit", "price", "components"})
