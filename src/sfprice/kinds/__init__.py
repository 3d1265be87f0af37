"""Price kinds: one small class per way an item charges, registered in :data:`KINDS`.

Each kind is one module: its fields (and only those), its validation, its charge and its
line detail. :class:`~sfprice.model.PriceItem` holds one kind object as ``terms`` (a sum
type, not a record of optional fields). The loader's schema (which fields a kind allows),
``dump_pricelist`` and the billing order are read from the classes registered here, so a
new kind is one module, one line in :data:`KINDS` (and its :class:`PriceKind` name) and its
tests (:func:`register_kind` adds one from outside). The package is named ``kinds`` after
the files' ``kind = "..."`` field.

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
    "file_fields",
    "priced_by_volume",
    "register_kind",
    "started_blocks",
    "terms_of",
    "unregister_kind",
    "word_of",
]

_REGISTRY: dict[PriceKind, type[PriceTerms]] = {
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
_BUILT_IN = frozenset(_REGISTRY)

#: Every kind, by its name in files; the one place a kind is registered (a read-only view:
#: add a kind with :func:`register_kind`).
KINDS: Mapping[PriceKind, type[PriceTerms]] = MappingProxyType(_REGISTRY)


def priced_by_volume(kind: str | None) -> bool:
    """True when a line of ``kind`` prices units of volume (stage 1: unit, tiered, package).

    ``kind`` is a line's basis kind, or None for a plain unit price (a line with no basis).
    The lines of the other kinds (fees, fees per employee, percentages, minimums) have a
    quantity that is no volume: a department-month, a headcount, kronor.
    """
    if kind is None:
        return True
    terms = KINDS.get(kind)  # type: ignore[call-overload]
    return terms is not None and terms.stage is Stage.VOLUME


def file_fields() -> tuple[str, ...]:
    """Every field some registered kind may give, besides those of every item.

    In the order problems are reported: by the kinds' order in :data:`KINDS`, the
    step-down shared by three kinds last.
    """
    return tuple(
        sorted(
            dict.fromkeys(name for cls in KINDS.values() for name in cls.fields),
            key=lambda name: name == "by_customer_year",
        )
    )


#: :func:`file_fields` of the built-in kinds.
OPTIONAL_FIELDS: tuple[str, ...] = file_fields()


def register_kind(cls: type[PriceTerms]) -> None:
    """Add a kind: the loader, ``dump_pricelist``, ``bill`` and the reports then know it.

    ``cls`` is a kind class as those of this package (see "Adding a price kind" in
    ``docs/design.md``): a frozen dataclass deriving from :class:`VolumeTerms`,
    :class:`DepartmentTerms` or :class:`LinesTerms`, with ``kind``, ``stage``, ``fields``
    (each with a :class:`Shape`), ``from_file``, ``charge`` and what it shows. A kind in
    sfprice itself is also added to :data:`KINDS`'s list above and to :class:`PriceKind`;
    one from outside (a notebook, a test) registers here, under a name of its own.

    Raises:
        ValueError: When a kind of that name is registered already.
        TypeError: When the class does not derive from the base of its stage (bill would
            never charge it), its words differ between sv and en, a field has no shape,
            or a field of another kind has the same name and another shape.
    """
    base = _STAGE_BASES.get(getattr(cls, "stage", None))
    if base is None or not issubclass(cls, base):
        # bill charges a kind by its base class: any other would never charge (a silent 0).
        msg = (
            f"{cls.__name__} must derive from VolumeTerms (stage 1), DepartmentTerms "
            "(stage 2) or LinesTerms (stages 3 and 4), as its stage says"
        )
        raise TypeError(msg)
    for klass in cls.__mro__:
        words = vars(klass).get("words")
        if words is not None and (
            set(words) != {"sv", "en"} or set(words["sv"]) != set(words["en"])
        ):
            msg = f"{klass.__name__}.words needs the same words in sv and en"
            raise TypeError(msg)
    if cls.kind in _REGISTRY:
        msg = f"a kind {cls.kind!r} is registered already ({_REGISTRY[cls.kind].__name__})"
        raise ValueError(msg)
    shapes = cls.file_shapes()
    for other in _REGISTRY.values():
        for name, shape in other.file_shapes().items():
            if shapes.get(name, shape) is not shape:
                msg = (
                    f"{cls.__name__}.{name} is {shapes[name].value}, but {other.__name__}.{name}"
                    f" is {shape.value}; give the field another name"
                )
                raise TypeError(msg)
    _REGISTRY[cls.kind] = cls


_STAGE_BASES: dict[object, type[PriceTerms]] = {
    Stage.VOLUME: VolumeTerms,
    Stage.DEPARTMENT_MONTH: DepartmentTerms,
    Stage.SURCHARGE: LinesTerms,
    Stage.FLOOR: LinesTerms,
}


def unregister_kind(kind: PriceKind | str) -> None:
    """Remove a kind added by :func:`register_kind` (the built-in kinds stay).

    Raises:
        ValueError: For a built-in kind, or a name that is not registered.
    """
    if kind in _BUILT_IN or kind not in _REGISTRY:
        msg = f"{kind!r} is not a kind added by register_kind"
        raise ValueError(msg)
    del _REGISTRY[kind]  # type: ignore[arg-type]  # a name of a registered kind


def terms_of(kind: PriceKind | str, given: Mapping[str, object]) -> PriceTerms:
    """The kind object of ``kind`` from its fields by name (the names of the files).

    ``given`` holds the fields that were given (not None, not empty); ``unit``, ``price``
    and ``components`` belong to the item and are only checked against the kind here.

    Raises:
        ValueError: ``a percentage item has no fees`` when a field is not of the kind, or
            the kind's own problem with its fields.
    """
    cls = KINDS[kind if kind in KINDS else PriceKind(kind)]  # type: ignore[index]
    extra = [name for name in given if name not in cls.fields]
    if extra:
        msg = f"a {cls.kind} item has no {', '.join(extra)}"
        raise ValueError(msg)
    own = {name: value for name, value in given.items() if name not in _ITEM_FIELDS}
    return cls(**own)


_ITEM_FIELDS = frozenset({"unit", "price", "components"})
