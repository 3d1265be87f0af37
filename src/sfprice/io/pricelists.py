"""Load price lists from TOML files (one file per version) and validate them.

File format (see ``docs/file-formats.md``)::

    id = "2014"
    title = "Prislista 2014, lön och pension"
    valid_from = 2014-01-01
    valid_to = 2014-12-31
    currency = "SEK"
    source = "Verksamhetsplan 2014, lön och pension"

    [[items]]
    code = "payroll.manual"
    name = "Lön/ersättning via manuell rapportering"
    unit = "person_month"
    source = "003_dbc171dac11004c9.txt:150,154"
    components = [
        { label = "Grundpris", price = 57 },
        { label = "Tillägg manuell rapportering", price = 53 },
    ]

Items of other price kinds name their ``kind`` and the fields of that kind (fixed fees per
department, tiers, a rate ...); see "Price kinds" in ``docs/file-formats.md``.

Numbers are read as ``Decimal`` (never float). Every problem of every file is collected
and raised together as one :class:`~sfprice.errors.InputError`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
import json
import typing
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol

from pydantic import Field, PlainValidator, create_model

from sfprice.errors import InputError, Issue
from sfprice.io._toml import Amount, Kronor, Money, Schema, read_toml_text, validate_toml
from sfprice.kinds import KINDS, FieldProblems, FileItem, PriceTerms, Shape, file_fields
from sfprice.model import (
    PriceCatalog,
    PriceComponent,
    PriceItem,
    PriceKind,
    PriceList,
    Tier,
    TierMode,
    Unit,
    component_reference_problems,
)
from sfprice.period import Month

__all__ = [
    "BUNDLED",
    "bundled_pricelists",
    "dump_pricelist",
    "item_schema",
    "load_catalog",
    "load_pricelist",
    "pricelist_files",
    "pricelist_sources",
    "read_item",
]

#: The name that stands for the bundled folder among several price-list sources
#: (``--pricelists @bundled --pricelists my-lists``).
BUNDLED = "@bundled"

#: The fields a FileItem names (the others of a kind go in its ``more``).
_ITEM_FIELDS = frozenset(f.name for f in dataclasses.fields(FileItem)) - {"more"}
_FILE_ORDER = {f.name: index for index, f in enumerate(dataclasses.fields(FileItem))}
_CODE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"
#: The units a price list may use: every Unit but ``share``, the unit of allocation lines.
_PriceUnit = Literal[
    "person_month", "paid_salary", "salary_debt", "transaction", "reminder", "hour"
]


def _kind_name(value: object) -> PriceKind:
    """A kind registered in ``sfprice.kinds`` (the schema's choices are read from there)."""
    if isinstance(value, str) and value in KINDS:
        return KINDS[value].kind  # type: ignore[index]  # a str names a kind as in files
    names = [f"'{kind}'" for kind in KINDS]
    msg = f"Input should be {', '.join(names[:-1])} or {names[-1]}, got {value!r}"
    raise ValueError(msg)


_KindName = Annotated[PriceKind, PlainValidator(_kind_name)]


class _ComponentSchema(Schema):
    label: str = Field(min_length=1)
    price: Money
    item: str | None = None


class _TierSchema(Schema):
    up_to: Money | None = None
    price: Money


#: The schema type of each shape of field a kind declares (``sfprice.kinds.Shape``), and
#: how its value becomes what the kind's ``from_file`` reads (``FileItem``).
_SHAPE_TYPES: dict[Shape, object] = {
    Shape.UNIT: _PriceUnit | None,
    Shape.MONEY: Money | None,
    Shape.NUMBER: Amount | None,
    Shape.KRONOR: Kronor | None,
    Shape.MONEY_LIST: list[Money] | None,
    Shape.KRONOR_BY_NAME: dict[str, Kronor] | None,
    Shape.PATTERNS: list[str] | None,
    Shape.COMPONENTS: list[_ComponentSchema],
    Shape.TIERS: list[_TierSchema] | None,
    Shape.TIER_MODE: Literal["graduated", "volume"] | None,
}


def _file_value(shape: Shape, value: Any) -> object:
    """A field's validated value as the kinds read it (tuples, enums, components)."""
    if value is None:
        return None
    if shape is Shape.UNIT:
        return Unit(value)
    if shape is Shape.TIER_MODE:
        return TierMode(value)
    if shape is Shape.COMPONENTS:
        return tuple(PriceComponent(c.label, c.price, c.item) for c in value)
    if shape is Shape.TIERS:
        return tuple((t.up_to, t.price) for t in value)
    if shape in {Shape.MONEY_LIST, Shape.PATTERNS}:
        return tuple(value)
    return value


class _ItemView(Protocol):
    """The fields of every item of the derived item schema (the kinds' fields by name)."""

    code: str
    name: str
    kind: PriceKind
    unit: str | None
    business_area: str
    source: str


class _ListSchema(Schema):
    """A price list's fields but its items (their schema is derived from the kinds)."""

    id: str = Field(min_length=1)
    title: str = ""
    valid_from: date
    valid_to: date
    currency: Literal["SEK"]
    source: str = Field(min_length=1)
    status: Literal["decided", "proposal"] = "decided"
    rounding: Literal["half_up", "half_even", "down", "up"] = "half_up"
    if TYPE_CHECKING:
        items: list[_ItemView]


#: Which optional fields each registered kind may use (``price`` and ``components`` are
#: checked apart), read from the kinds' declared fields (``sfprice.kinds``).
_KIND_FIELDS: dict[str, tuple[str, ...]] = {}
#: The shape of every field some registered kind may give, in the order of the schema.
_SHAPES: dict[str, Shape] = {}


def _list_schema() -> type[_ListSchema]:
    """The schema of a price-list file, built from the registered kinds (once per set)."""
    kinds = tuple(KINDS.items())
    _KIND_FIELDS.clear()
    _KIND_FIELDS.update({str(kind): cls.fields for kind, cls in kinds})
    _SHAPES.clear()
    _SHAPES.update(_shapes_of(kinds))
    return _schema_of(kinds)


def _shapes_of(kinds: tuple[tuple[PriceKind, type[PriceTerms]], ...]) -> dict[str, Shape]:
    """The shape of every field of ``kinds``, in the order of :func:`file_fields`."""
    shapes: dict[str, Shape] = {}
    for _, cls in kinds:
        shapes.update(cls.file_shapes())
    return {name: shapes[name] for name in file_fields()}


@functools.lru_cache(maxsize=4)
def _schema_of(kinds: tuple[tuple[PriceKind, type[PriceTerms]], ...]) -> type[_ListSchema]:
    fields: dict[str, Any] = {
        "code": (str, Field(pattern=_CODE_PATTERN)),
        "name": (str, Field(min_length=1)),
        "kind": (_KindName, PriceKind.UNIT),
    }
    # In the order of a FileItem's fields (pydantic reports an item's errors in this
    # order), the fields of later kinds after them.
    shapes = _shapes_of(kinds)
    for name in sorted(shapes, key=lambda name: _FILE_ORDER.get(name, len(_FILE_ORDER))):
        shape = shapes[name]
        default: Any = Field(default_factory=list) if shape is Shape.COMPONENTS else None
        fields[name] = (_SHAPE_TYPES[shape], default)
    fields["business_area"] = (str, "")
    fields["source"] = (str, "")
    item: type[Schema] = create_model("_ItemSchema", __base__=Schema, **fields)
    return create_model(
        "_PriceListSchema",
        __base__=_ListSchema,
        items=(list[item], Field(min_length=1)),  # type: ignore[valid-type]
    )


def _from_schema(schema: _ListSchema, path: str) -> tuple[PriceList | None, list[Issue]]:
    issues: list[Issue] = []
    if schema.valid_to < schema.valid_from:
        issues.append(
            Issue(
                path,
                f"{schema.valid_to} is before valid_from {schema.valid_from}",
                field="valid_to",
            )
        )
    issues.extend(_month_bound_issues(schema.valid_from, schema.valid_to, path))
    seen: dict[str, int] = {}
    items: list[PriceItem] = []
    for index, item in enumerate(schema.items):
        if item.code in seen:
            issues.append(
                Issue(
                    path,
                    f"service code {item.code!r} already used by items[{seen[item.code]}]",
                    field=f"items[{index}].code ({item.code})",
                )
            )
        seen.setdefault(item.code, index)
        built = _item(item, f"items[{index}]", path, issues)
        if built is not None:
            items.append(built)
    for index, problem in [] if issues else component_reference_problems(items):
        code = items[index].code
        where = next(i for i, item in enumerate(schema.items) if item.code == code)
        text = problem.removeprefix(f"{code}: ")
        issues.append(Issue(path, text, field=f"items[{where}].components ({code})"))
    if issues:
        return None, issues
    return (
        PriceList(
            id=schema.id,
            title=schema.title,
            valid_from=schema.valid_from,
            valid_to=schema.valid_to,
            currency=schema.currency,
            source=schema.source,
            items=tuple(items),
            rounding=schema.rounding,
            status=schema.status,
            path=path,
        ),
        [],
    )


def _month_bound_issues(valid_from: date, valid_to: date, path: str) -> list[Issue]:
    """A list must start on a month's first day and end on a month's last day.

    Billing is monthly and a month is never split between lists, so a list in force from
    the 15th would silently price the whole month on the list before it.
    """
    issues = []
    if valid_from.day != 1:
        issues.append(
            Issue(
                path,
                f"{valid_from} is not the first day of a month; billing is monthly, so a "
                f"list must start on the 1st (e.g. {valid_from.replace(day=1)})",
                field="valid_from",
            )
        )
    last = Month(valid_to.year, valid_to.month).last_day
    if valid_to != last:
        issues.append(
            Issue(
                path,
                f"{valid_to} is not the last day of a month; billing is monthly, so a "
                f"list must end on a month's last day (e.g. {last})",
                field="valid_to",
            )
        )
    return issues


def _fields_fit(item: _ItemView, where: str, path: str, issues: list[Issue]) -> bool:
    """Check that the item uses the fields of its kind, and those it needs are there."""
    allowed = _KIND_FIELDS[item.kind]
    ok = True
    for name in _SHAPES:
        value = getattr(item, name)
        given = value is not None and value != []
        if name == "components":
            given = bool(value)
        if given and name not in allowed:
            issues.append(
                Issue(
                    path,
                    f"a {item.kind} item has no {name}"
                    + (
                        f" (the kind gives the unit {KINDS[item.kind].implied_unit})"
                        if name == "unit"
                        else ""
                    )
                    + f"; fields of a {item.kind} item: {', '.join(allowed)}",
                    field=f"{where}.{name} ({item.code})",
                )
            )
            ok = False
    if "unit" in allowed and item.unit is None:
        issues.append(Issue(path, "required field is missing", field=f"{where}.unit ({item.code})"))
        ok = False
    return ok


def item_schema() -> type[Schema]:
    """The schema of one price-list item (``[[items]]``), built from the registered kinds.

    Another file that holds an item of its own (an agreement's add-on service) validates
    it with this schema and builds it with :func:`read_item`, so there is one item format.
    """
    items = _list_schema().model_fields["items"].annotation
    item = typing.get_args(items)[0]
    assert isinstance(item, type)
    assert issubclass(item, Schema)
    return item


def read_item(item: object, where: str, path: str, issues: list[Issue]) -> PriceItem | None:
    """An item validated by :func:`item_schema`, built as a price list builds its items.

    Its fields are checked against its kind's, then its terms built by the kind; problems
    go to ``issues``, located at ``where`` (``items[3]``) and the item's code.
    """
    return _item(item, where, path, issues)  # type: ignore[arg-type]  # an _ItemView


def _item(item: _ItemView, where: str, path: str, issues: list[Issue]) -> PriceItem | None:
    """An item: its fields checked against its kind's, then its terms built by the kind."""

    def issue(field: str, text: str) -> None:
        issues.append(Issue(path, text, field=f"{where}.{field} ({item.code})"))

    if not _fields_fit(item, where, path, issues):
        return None
    kind = KINDS[item.kind]
    given = {name: _file_value(shape, getattr(item, name)) for name, shape in _SHAPES.items()}
    written = FileItem(
        **{name: value for name, value in given.items() if name in _ITEM_FIELDS},  # type: ignore[arg-type]
        more={name: value for name, value in given.items() if name not in _ITEM_FIELDS},
    )
    try:
        terms, price = kind.from_file(written)
    except FieldProblems as problems:
        for field, text in problems.problems:
            issue(field, text)
        return None
    unit = kind.implied_unit or written.unit
    assert unit is not None  # a kind without an implied unit has the field (_fields_fit)
    try:
        return PriceItem(
            item.code,
            item.name,
            unit,
            price,
            written.components,
            item.business_area,
            item.source,
            terms=terms,
        )
    except (TypeError, ValueError) as exc:  # a rule of the model not checked above
        issue("kind", str(exc).removeprefix(f"{item.code}: "))
        return None


def _parse(text: str, path: str) -> tuple[PriceList | None, list[Issue]]:
    schema, issues = validate_toml(_list_schema(), text, path)
    if schema is None:
        return None, issues
    return _from_schema(schema, path)


def load_pricelist(path: str | Path) -> PriceList:
    """Load and validate one price-list file.

    Raises:
        InputError: With one issue per problem (file, item and field named).
    """
    name = str(path)
    price_list, issues = _parse(read_toml_text(path, "price list"), name)
    if price_list is None:
        raise InputError(issues)
    return price_list


def bundled_pricelists() -> Traversable:
    """The folder of price lists shipped with sfprice (``pricelists/`` in the repository)."""
    packaged = resources.files("sfprice") / "pricelists"
    if packaged.is_dir():
        return packaged
    # An editable install runs from the source tree, where the lists sit at the top level.
    return Path(__file__).resolve().parents[3] / "pricelists"


def pricelist_files(folder: str | Path | Traversable | None = None) -> list[Traversable]:
    """The ``*.toml`` files of a folder (the bundled lists by default), sorted by name.

    A single ``.toml`` file is accepted too and gives a list of itself; :data:`BUNDLED`
    (``"@bundled"``) names the bundled folder.
    """
    root: Traversable = (
        bundled_pricelists() if folder is None or _is_bundled(folder) else _as_traversable(folder)
    )
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise InputError(
            [
                Issue(
                    str(root),
                    "price-list folder or file not found (expected a folder of "
                    "*.toml price lists, one .toml file, or @bundled for the bundled lists)",
                )
            ]
        )
    return sorted(
        (f for f in root.iterdir() if f.name.endswith(".toml") and f.is_file()),
        key=lambda f: f.name,
    )


def pricelist_sources(
    sources: Iterable[str | Path | Traversable] = (),
) -> list[Traversable]:
    """The price-list files of several folders and files, in the order given.

    Each source is a folder of ``*.toml`` lists, one ``.toml`` file, or :data:`BUNDLED`
    for the bundled folder; no sources means the bundled lists. A file named twice (the
    same file reached through two sources, a link or a copy of the path) is read once.
    Every source that cannot be found is reported.

    >>> [f.name for f in pricelist_sources([BUNDLED])]
    ['2010.toml', '2014.toml']

    Raises:
        InputError: With one issue per source that is not a folder or a file.
    """
    given = list(sources)
    if not given:
        return pricelist_files(None)
    files: list[Traversable] = []
    seen: set[str] = set()
    issues: list[Issue] = []
    for source in given:
        try:
            found = pricelist_files(source)
        except InputError as exc:
            issues.extend(exc.issues)
            continue
        for file in found:
            key = _identity(file)
            if key not in seen:
                seen.add(key)
                files.append(file)
    if issues:
        raise InputError(issues)
    return files


def _is_bundled(source: str | Path | Traversable) -> bool:
    return isinstance(source, str | Path) and str(source) == BUNDLED


def _identity(file: Traversable) -> str:
    """What makes two paths the same file: the resolved path (links followed)."""
    if isinstance(file, Path):
        with contextlib.suppress(OSError):
            stat = file.stat()
            return f"inode:{stat.st_dev}:{stat.st_ino}"
        return str(file.resolve())
    return str(file)


def _as_traversable(folder: str | Path | Traversable) -> Traversable:
    return Path(folder) if isinstance(folder, str) else folder


def load_catalog(
    source: str | Path | Traversable | Iterable[str | Path | Traversable] | None = None,
) -> PriceCatalog:
    """Load every price list of a folder (bundled by default), a file, or several of them.

    ``source`` is one folder or file, or several (see :func:`pricelist_sources`; ``"@bundled"``
    names the bundled folder, so the bundled lists and one's own combine). Validates each
    file, then the set: list ids are unique, validity periods do not overlap. All
    problems of all files are reported together, each naming the files in conflict.

    >>> catalog = load_catalog()
    >>> [pl.id for pl in catalog]
    ['2010', '2014']

    Raises:
        InputError: With one issue per problem.
    """
    if source is None or isinstance(source, str | Path | Traversable):
        files: list[Traversable] = pricelist_files(source)
        named = str(source)
    else:
        given = list(source)
        files = pricelist_sources(given)
        named = ", ".join(str(s) for s in given)
    lists: list[PriceList] = []
    issues: list[Issue] = []
    for file in files:
        name = str(file)
        try:
            text = file.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            issues.append(Issue(name, f"cannot read the price list: {exc}"))
            continue
        price_list, problems = _parse(text, name)
        issues.extend(problems)
        if price_list is not None:
            lists.append(price_list)
    issues.extend(_set_issues(lists))
    if issues:
        raise InputError(issues)
    if not lists:
        raise InputError([Issue(named, "no price lists (*.toml) found")])
    return PriceCatalog(tuple(lists))


def _set_issues(lists: list[PriceList]) -> list[Issue]:
    issues: list[Issue] = []
    by_id: dict[str, PriceList] = {}
    for pl in lists:
        if pl.id in by_id:
            issues.append(
                Issue(
                    pl.path or pl.id,
                    f"price list id {pl.id!r} is also used by {by_id[pl.id].path}",
                    field="id",
                )
            )
        by_id.setdefault(pl.id, pl)
    ordered = sorted(lists, key=lambda pl: (pl.valid_from, pl.id))
    for before, after in itertools.combinations(ordered, 2):
        if after.valid_from <= before.valid_to:
            issues.append(
                Issue(
                    after.path or after.id,
                    f"period {after.valid_from}..{after.valid_to} overlaps "
                    f"{before.path or before.id} "
                    f"({before.valid_from}..{before.valid_to}); price lists must not overlap",
                    field="valid_from",
                )
            )
    return issues


def _toml_string(text: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes.
    return json.dumps(text, ensure_ascii=False)


def _toml_number(value: Decimal) -> str:
    return format(value, "f")


def dump_pricelist(price_list: PriceList, header: str = "") -> str:
    """Write a price list as TOML in the format :func:`load_pricelist` reads (a round trip).

    Args:
        price_list: The list, e.g. a break-even draft.
        header: Comment lines to put first (each line gets a leading ``#``).
    """
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    lines += [
        f"id = {_toml_string(price_list.id)}",
        f"title = {_toml_string(price_list.title)}",
        f"valid_from = {price_list.valid_from.isoformat()}",
        f"valid_to = {price_list.valid_to.isoformat()}",
        f"currency = {_toml_string(price_list.currency)}",
        f"status = {_toml_string(price_list.status)}",
        f"rounding = {_toml_string(price_list.rounding)}",
        f"source = {_toml_string(price_list.source)}",
    ]
    for item in price_list.items:
        lines += ["", "[[items]]", *_item_lines(item)]
    return "\n".join(lines) + "\n"


def _item_lines(item: PriceItem) -> list[str]:
    """An item's keys: those of every item, then its kind's fields (read from the kind)."""
    lines = [f"code = {_toml_string(item.code)}", f"name = {_toml_string(item.name)}"]
    if item.kind is not PriceKind.UNIT:
        lines.append(f"kind = {_toml_string(str(item.kind))}")
    tables: list[str] = []
    for name in item.terms.fields:
        value = _field_value(item, name)
        if isinstance(value, Mapping) and value:
            # A table of its own (after the item's other keys): one department a line.
            tables.append(f"[items.{name}]")
            tables.extend(f"{_toml_string(k)} = {_toml_value(v)}" for k, v in value.items())
        elif value is not None and not isinstance(value, Mapping) and value != ():
            lines.append(f"{name} = {_toml_value(value)}")
    if item.business_area:
        lines.append(f"business_area = {_toml_string(item.business_area)}")
    if item.source:
        lines.append(f"source = {_toml_string(item.source)}")
    return lines + tables


def _field_value(item: PriceItem, name: str) -> object:
    """The value of a field of the item's kind, as the file gives it (None: left out)."""
    if name == "unit":
        return item.unit
    if name == "price":
        # A composite price is its components, a step-down its first year's price.
        shown = item.terms.has_own_price and not (item.components or item.by_customer_year)
        return item.price if shown else None
    if name == "components":
        return item.components
    return getattr(item.terms, name)


def _toml_value(value: object) -> str:
    """A value of a price-list field in TOML: a number, a string, a list, an inline table."""
    if isinstance(value, str):  # also the enums (unit, tier_mode)
        return _toml_string(str(value))
    if isinstance(value, Decimal):
        return _toml_number(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Tier):
        return _inline({"up_to": value.up_to, "price": value.price})
    if isinstance(value, PriceComponent):
        return _inline({"label": value.label, "price": value.price, "item": value.item})
    msg = f"no TOML form for {value!r}"  # a new kind's field of a new type
    raise TypeError(msg)


def _inline(fields: Mapping[str, object]) -> str:
    shown = [f"{k} = {_toml_value(v)}" for k, v in fields.items() if v is not None]
    return "{ " + ", ".join(shown) + " }"
