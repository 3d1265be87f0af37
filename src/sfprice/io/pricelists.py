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

Numbers are read as ``Decimal`` (never float). Every problem of every file is collected
and raised together as one :class:`~sfprice.errors.InputError`.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

from pydantic import Field

from sfprice.errors import InputError, Issue
from sfprice.io._toml import Money, Schema, validate_toml
from sfprice.model import PriceCatalog, PriceComponent, PriceItem, PriceList, Unit

__all__ = [
    "bundled_pricelists",
    "dump_pricelist",
    "load_catalog",
    "load_pricelist",
    "pricelist_files",
]

_CODE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"
#: The units a price list may use: every Unit but ``share``, the unit of allocation lines.
_PriceUnit = Literal[
    "person_month", "paid_salary", "salary_debt", "transaction", "reminder", "hour"
]


class _ComponentSchema(Schema):
    label: str = Field(min_length=1)
    price: Money


class _ItemSchema(Schema):
    code: str = Field(pattern=_CODE_PATTERN)
    name: str = Field(min_length=1)
    unit: _PriceUnit
    price: Money | None = None
    components: list[_ComponentSchema] = Field(default_factory=list)
    business_area: str = ""
    source: str = ""


class _PriceListSchema(Schema):
    id: str = Field(min_length=1)
    title: str = ""
    valid_from: date
    valid_to: date
    currency: Literal["SEK"]
    source: str = Field(min_length=1)
    status: Literal["decided", "proposal"] = "decided"
    rounding: Literal["half_up", "half_even", "down", "up"] = "half_up"
    items: list[_ItemSchema] = Field(min_length=1)


def _from_schema(schema: _PriceListSchema, path: str) -> tuple[PriceList | None, list[Issue]]:
    issues: list[Issue] = []
    if schema.valid_to < schema.valid_from:
        issues.append(
            Issue(
                path,
                f"{schema.valid_to} is before valid_from {schema.valid_from}",
                field="valid_to",
            )
        )
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
        components = tuple(PriceComponent(c.label, c.price) for c in item.components)
        total = sum((c.price for c in components), Decimal(0))
        if item.price is None and not components:
            issues.append(
                Issue(
                    path, "give a price or components", field=f"items[{index}].price ({item.code})"
                )
            )
            continue
        if item.price is not None and components and item.price != total:
            issues.append(
                Issue(
                    path,
                    f"price {item.price} is not the sum of its components ({total})",
                    field=f"items[{index}].price ({item.code})",
                )
            )
            continue
        if len(components) == 1:
            issues.append(
                Issue(
                    path,
                    "a composite price needs at least two components",
                    field=f"items[{index}].components ({item.code})",
                )
            )
            continue
        price = item.price if item.price is not None else total
        items.append(
            PriceItem(
                item.code,
                item.name,
                Unit(item.unit),
                price,
                components,
                item.business_area,
                item.source,
            )
        )
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


def _parse(text: str, path: str) -> tuple[PriceList | None, list[Issue]]:
    schema, issues = validate_toml(_PriceListSchema, text, path)
    if schema is None:
        return None, issues
    return _from_schema(schema, path)


def load_pricelist(path: str | Path) -> PriceList:
    """Load and validate one price-list file.

    Raises:
        InputError: With one issue per problem (file, item and field named).
    """
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Issue(name, f"cannot read the price list: {exc}")]) from exc
    price_list, issues = _parse(text, name)
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

    A single ``.toml`` file is accepted too and gives a list of itself.
    """
    root: Traversable = bundled_pricelists() if folder is None else _as_traversable(folder)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise InputError(
            [
                Issue(
                    str(root),
                    "price-list folder or file not found (expected a folder of "
                    "*.toml price lists, or one .toml file)",
                )
            ]
        )
    return sorted(
        (f for f in root.iterdir() if f.name.endswith(".toml") and f.is_file()),
        key=lambda f: f.name,
    )


def _as_traversable(folder: str | Path | Traversable) -> Traversable:
    return Path(folder) if isinstance(folder, str) else folder


def load_catalog(
    source: str | Path | Traversable | Iterable[str | Path] | None = None,
) -> PriceCatalog:
    """Load every price list of a folder (bundled by default) or of the given files.

    Validates each file, then the set: list ids are unique and validity periods do not
    overlap. All problems of all files are reported together.

    >>> catalog = load_catalog()
    >>> [pl.id for pl in catalog]
    ['2010', '2014']

    Raises:
        InputError: With one issue per problem.
    """
    if source is None or isinstance(source, str | Path | Traversable):
        files: list[Traversable] = pricelist_files(source)
    else:
        files = [Path(p) for p in source]
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
        raise InputError([Issue(str(source), "no price lists (*.toml) found")])
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
        lines += [
            "",
            "[[items]]",
            f"code = {_toml_string(item.code)}",
            f"name = {_toml_string(item.name)}",
            f"unit = {_toml_string(str(item.unit))}",
        ]
        if item.components:
            parts = ", ".join(
                f"{{ label = {_toml_string(c.label)}, price = {_toml_number(c.price)} }}"
                for c in item.components
            )
            lines.append(f"components = [{parts}]")
        else:
            lines.append(f"price = {_toml_number(item.price)}")
        if item.business_area:
            lines.append(f"business_area = {_toml_string(item.business_area)}")
        if item.source:
            lines.append(f"source = {_toml_string(item.source)}")
    return "\n".join(lines) + "\n"
