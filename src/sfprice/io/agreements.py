"""Read an agreements file (TOML): price groups and agreements, validated with located errors.

File format (see ``docs/agreements.md``)::

    [[groups]]
    name = "bolag"
    description = "Stadens bolag: administrationernas priser (003_dbc171dac11004c9.txt:142-144)"

    [[agreements]]
    id = "kultur-avtalspris"
    source = "Serviceavtal SA-2014-07 (påhittat)"
    customer = "Kulturförvaltningen"        # or a code, or group = "bolag"
    from = "2014-01"
    to = "2014-12"                           # optional, inclusive
    item = "payroll.self_service"
    price = 55                               # or discount = 10 (percent); or [agreements.add_on]

An add-on (``[agreements.add_on]``) is an item in the price-list item format (the same
schema and checks, :func:`sfprice.io.pricelists.item_schema`), of a kind billed per
department and month. Every problem is collected and raised as one
:class:`~sfprice.errors.InputError`, each located by the agreement's index and id.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

from pydantic import BaseModel, BeforeValidator, Field, ValidationError, create_model

from sfprice.agreements import (
    ADD_ON_KINDS,
    Agreement,
    Agreements,
    PriceGroup,
    add_on_problem,
)
from sfprice.customers import CustomerRegister, NameSpan, customers_by_name, label_of
from sfprice.errors import InputError, Issue, Remedy
from sfprice.io._toml import (
    Amount,
    Schema,
    field_path,
    message,
    parse_toml,
    read_toml_text,
    table_lines,
)
from sfprice.io.pricelists import item_schema, read_item
from sfprice.model import Customer, PriceCatalog, PriceItem
from sfprice.names import clean_name, nearest_names
from sfprice.period import Month

__all__ = ["read_agreements", "resolve_customers"]


def _month_text(value: object) -> str:
    """A month is written as a string; a TOML date (``2014-01-01``) names a day."""
    if isinstance(value, str):
        return value
    shown = value.isoformat() if isinstance(value, date) else repr(value)
    msg = f'{shown} is not a month written as text (expected e.g. "2014-03", in quotes)'
    raise ValueError(msg)


_MonthText = Annotated[str, BeforeValidator(_month_text)]


class _GroupSchema(Schema):
    name: str = Field(min_length=1)
    description: str = ""


class _AgreementFields(Schema):
    id: str = Field(min_length=1)
    source: str = Field(min_length=1)
    customer: str | None = None
    group: str | None = None
    start: _MonthText = Field(alias="from")
    end: _MonthText | None = Field(default=None, alias="to")
    item: str | None = None
    business_area: str | None = None
    price: Amount | None = None
    discount: Amount | None = None
    if TYPE_CHECKING:  # the price-list item schema, built from the kinds (see _schema)
        add_on: Any


class _FileFields(Schema):
    title: str = ""
    source: str = ""
    groups: list[_GroupSchema] = Field(default_factory=list)
    if TYPE_CHECKING:
        agreements: list[Any]


@functools.lru_cache(maxsize=4)
def _schema(item: type[BaseModel]) -> type[_FileFields]:
    agreement = create_model(
        "_AgreementSchema", __base__=_AgreementFields, add_on=(cast("Any", item | None), None)
    )
    return create_model(
        "_AgreementsSchema",
        __base__=_FileFields,
        agreements=(list[agreement], Field(default_factory=list)),  # type: ignore[valid-type]
    )


def _where(loc: tuple[int | str, ...], raw: dict[str, Any]) -> str:
    """A pydantic location as a key path, naming the agreement's id (``agreements[2] (x)``)."""
    text = field_path(loc, raw)
    if len(loc) >= 2 and loc[0] == "agreements" and isinstance(loc[1], int):
        found = raw.get("agreements")
        if isinstance(found, list) and loc[1] < len(found) and isinstance(found[loc[1]], dict):
            name = found[loc[1]].get("id")
            if isinstance(name, str) and f"({name})" not in text:
                head = f"agreements[{loc[1]}]"
                text = f"{head} ({name})" + text.removeprefix(head)
    return text


def read_agreements(
    path: str | Path,
    *,
    catalog: PriceCatalog,
    customers: Mapping[str, Customer] | Iterable[Customer] | None = None,
) -> Agreements:
    """Read and validate an agreements file against the price lists (and the register).

    A customer is named by its department name or its code; with a customer register it
    must be one of its customers (by name, code, earlier name or alias) and is stored as
    the register's current name; without one, as written (the run checks it against the
    volumes' departments: see :func:`resolve_customers`).

    Raises:
        InputError: With one issue per problem: unknown item (with the nearest codes),
            business area, group or customer; a bad month, ``from`` after ``to``; a
            negative price; a discount outside 0..100; an item an agreement cannot price
            (not a plain unit price); an add-on of another kind or with a list's code; two
            agreements for the same customer or group, item and month.
    """
    name = str(path)
    text = read_toml_text(path, "agreements file")
    raw, issues = parse_toml(text, name)
    if raw is None:
        raise InputError(issues)
    lines = _Lines(text)
    try:
        schema: Any = _schema(item_schema()).model_validate(raw)
    except ValidationError as exc:
        raise InputError(
            [
                Issue(
                    name,
                    message(err).replace("docs/file-formats.md", "docs/agreements.md"),
                    line=lines.of_loc(err["loc"]),
                    field=_where(err["loc"], raw),
                )
                for err in exc.errors()
            ]
        ) from None
    register = list(customers.values() if isinstance(customers, Mapping) else customers or ())
    reader = _Reader(name, catalog, register if customers is not None else None, lines)
    groups = reader.groups(schema.groups)
    reader.unique_ids(schema.agreements)
    agreements = [
        a
        for index, given in enumerate(schema.agreements)
        if (a := reader.agreement(index, given, {g.name for g in groups})) is not None
    ]
    reader.overlaps(agreements)
    reader.price_groups({g.name for g in groups})
    if reader.issues:
        raise InputError(reader.issues)
    return Agreements(tuple(groups), tuple(agreements), name)


_FIELD = re.compile(r"(groups|agreements)\[(\d+)\](?: \([^)]*\))?(?:\.([A-Za-z0-9_.]+))?")


class _Lines:
    """The lines of an agreements file's tables and keys, to locate its problems."""

    def __init__(self, text: str) -> None:
        self.tables = {table: table_lines(text, table) for table in ("groups", "agreements")}

    def of(self, table: str, index: int, key: str = "") -> int | None:
        """The line of ``key`` in the table's entry ``index`` (its header's when not there)."""
        headers, keys = self.tables.get(table, ([], []))
        if index >= len(headers):
            return None
        found = keys[index]
        while key and key not in found:
            key = key.rpartition(".")[0]
        return found[key] if key else headers[index]

    def keys(self, table: str, index: int) -> tuple[tuple[str, int], ...]:
        """The line of each key of the table's entry ``index``."""
        _, keys = self.tables.get(table, ([], []))
        return tuple(keys[index].items()) if index < len(keys) else ()

    def of_loc(self, loc: tuple[int | str, ...]) -> int | None:
        """The line of a pydantic location (``("agreements", 2, "from")``)."""
        if len(loc) < 2 or not isinstance(loc[0], str) or not isinstance(loc[1], int):
            return None
        key = ".".join(p for p in loc[2:] if isinstance(p, str))
        return self.of(loc[0], loc[1], {"start": "from", "end": "to"}.get(key, key))

    def of_field(self, field: str) -> int | None:
        """The line of a field as messages name it (``agreements[2] (x).add_on.kind (c)``)."""
        match = _FIELD.match(field)
        if match is None:
            return None
        return self.of(match[1], int(match[2]), match[3] or "")


class _Reader:
    """The content checks of one file, collecting issues."""

    def __init__(
        self,
        path: str,
        catalog: PriceCatalog,
        register: list[Customer] | None,
        lines: _Lines,
    ) -> None:
        self.path = path
        self.catalog = catalog
        self.register = register
        self.lines = lines
        self.issues: list[Issue] = []

    def issue(self, where: str, text: str) -> None:
        self.issues.append(Issue(self.path, text, line=self.lines.of_field(where), field=where))

    def unique_ids(self, given: list[Any]) -> None:
        """An id is given once: the lines of a run name the agreement by it."""
        first: dict[str, int] = {}
        for index, agreement in enumerate(given):
            earlier = first.setdefault(agreement.id, index)
            if earlier != index:
                self.issue(
                    f"agreements[{index}] ({agreement.id}).id",
                    f"id {agreement.id!r} is already the id of agreements[{earlier}] "
                    f"(line {self.lines.of('agreements', earlier)}); an invoice line names "
                    "its agreement by id (expected an id of its own)",
                )

    def groups(self, given: list[_GroupSchema]) -> list[PriceGroup]:
        found: dict[str, PriceGroup] = {}
        for index, group in enumerate(given):
            if group.name in found:
                self.issue(f"groups[{index}].name", f"price group {group.name!r} is declared twice")
            found.setdefault(group.name, PriceGroup(group.name, group.description))
        return list(found.values())

    def agreement(self, index: int, given: Any, groups: set[str]) -> Agreement | None:
        where = f"agreements[{index}] ({given.id})"
        before = len(self.issues)
        start = self.month(f"{where}.from", given.start)
        end = self.month(f"{where}.to", given.end) if given.end is not None else None
        if start is not None and end is not None and end < start:
            self.issue(f"{where}.to", f"{end} is before from {start} (expected from <= to)")
        customer = self.whom(where, given, groups, (start, end) if start is not None else None)
        add_on = self.what(where, given)
        if len(self.issues) > before or start is None:
            return None
        try:
            agreement = self.built(index, where, given, start, end, customer, add_on)
        except ValueError as exc:  # a check of the model the reader does not make itself
            self.issue(where, str(exc))
            return None
        self.supported(where, agreement)
        return agreement if len(self.issues) == before else None

    def built(
        self,
        index: int,
        where: str,
        given: Any,
        start: Month,
        end: Month | None,
        customer: str | None,
        add_on: PriceItem | None,
    ) -> Agreement:
        return Agreement(
            given.id,
            given.source,
            start,
            end,
            customer=customer,
            group=given.group,
            item=given.item,
            business_area=given.business_area,
            price=given.price,
            discount=given.discount,
            add_on=add_on,
            path=self.path,
            field=where,
            line=self.lines.of_field(where),
            key_lines=self.lines.keys("agreements", index),
        )

    def month(self, where: str, text: str) -> Month | None:
        try:
            return Month.parse(text)
        except ValueError as exc:
            self.issue(where, str(exc))
            return None

    def whom(
        self,
        where: str,
        given: Any,
        groups: set[str],
        months: tuple[Month, Month | None] | None,
    ) -> str | None:
        """The customer (as the register's current name), after checking customer/group.

        With a register, the label must mean one and the same customer in every month
        of the agreement (:func:`_one_customer`); ``months`` is None when ``from`` is bad
        (then only that the label is known is checked).
        """
        if (given.customer is None) == (given.group is None):
            self.issue(where, "give customer (a name or code) or group (a price group), one")
            return None
        if given.group is not None:
            if given.group not in groups:
                declared = ", ".join(sorted(groups)) or "none"
                self.issue(
                    f"{where}.group",
                    f"unknown price group {given.group!r} (declared in [[groups]]: {declared})",
                )
            return None
        try:
            written = clean_name(given.customer)
        except ValueError as exc:
            self.issue(f"{where}.customer", str(exc))
            return None
        if self.register is None:
            return written
        register = customers_by_name(self.register)
        if not register.spans(written):
            known = [c.department for c in self.register]
            near = nearest_names(written, known)
            hint = f"; did you mean {', '.join(map(repr, near))}?" if near else ""
            self.issue(
                f"{where}.customer",
                f"unknown customer {written!r}: not a name, code or alias of the customer "
                f"register{hint}",
            )
            return None
        if months is None:
            return None
        found = _one_customer(register, written, *months)
        if isinstance(found, str):
            self.issue(f"{where}.customer", found)
            return None
        return found.department

    def what(self, where: str, given: Any) -> PriceItem | None:
        """Check what the agreement does; the add-on item when it is one."""
        chosen = [n for n in ("price", "discount", "add_on") if getattr(given, n) is not None]
        if len(chosen) != 1:
            self.issue(
                where,
                "give one of price (an own price), discount (percent) or add_on (an item "
                f"of its own); got {', '.join(chosen) or 'none'}",
            )
            return None
        if given.add_on is not None:
            return self.add_on(where, given)
        if given.price is not None:
            if given.price < 0:
                self.issue(
                    f"{where}.price", f"price {given.price} is negative (expected 0 or more)"
                )
            if given.item is None or given.business_area is not None:
                self.issue(where, "an own price is for one item: give item, not business_area")
        if given.discount is not None:
            if not 0 <= given.discount <= 100:
                self.issue(
                    f"{where}.discount",
                    f"discount {given.discount} is not a percentage 0..100",
                )
            if (given.item is None) == (given.business_area is None):
                self.issue(where, "a discount is on an item or on a business_area: give one")
        if given.item is not None and given.item not in self.catalog.codes:
            near = difflib.get_close_matches(
                given.item, sorted(self.catalog.codes), n=3, cutoff=0.5
            )
            hint = f"did you mean {', '.join(near)}?" if near else Remedy.LIST_CODES
            self.issue(
                f"{where}.item", f"unknown item {given.item!r}: no price list has it; {hint}"
            )
        areas = sorted(
            {i.business_area for pl in self.catalog for i in pl.items if i.business_area}
        )
        if given.business_area is not None and given.business_area not in areas:
            self.issue(
                f"{where}.business_area",
                f"unknown business area {given.business_area!r} (the price lists have: "
                f"{', '.join(areas)})",
            )
        return None

    def add_on(self, where: str, given: Any) -> PriceItem | None:
        for extra in ("item", "business_area"):
            if getattr(given, extra) is not None:
                self.issue(f"{where}.{extra}", "an add-on is an item of its own: leave this out")
        item = read_item(given.add_on, f"{where}.add_on", self.path, self.issues)
        if item is None:
            return None
        problem = add_on_problem(item)
        if problem is not None:
            field = "kind" if str(item.kind) not in ADD_ON_KINDS else "default_fee"
            self.issue(f"{where}.add_on.{field} ({item.code})", problem)
            return None
        if item.code in self.catalog.codes:
            self.issue(
                f"{where}.add_on.code ({item.code})",
                f"{item.code!r} is an item of a price list; an add-on needs a code of its own "
                "(an own price for a list item is price = ...)",
            )
            return None
        return item

    def supported(self, where: str, agreement: Agreement) -> None:
        """An own price or discount must meet plain unit prices in its months' lists.

        And at least one item there: an item only another year's list has would never be
        priced by it (a 2010 code in a 2014 agreement leaves the list price, silently).
        """
        if agreement.add_on is not None:
            return
        field = "item" if agreement.item is not None else "business_area"
        met = False
        for price_list in self.catalog:
            first = Month(price_list.valid_from.year, price_list.valid_from.month)
            last = Month(price_list.valid_to.year, price_list.valid_to.month)
            if not agreement.overlaps(first, last):
                continue
            for item in price_list.items:
                if not agreement.covers(item):
                    continue
                met = True
                problem = agreement.support_problem(item)
                if problem is not None:
                    self.issue(f"{where}.{field}", f"{problem} (price list {price_list.id})")
                    return
        if not met:
            having = [pl.id for pl in self.catalog if any(agreement.covers(i) for i in pl.items)]
            months = f"{agreement.start}..{agreement.end or ''}"
            self.issue(
                f"{where}.{field}",
                f"{agreement.item or agreement.business_area!r} is in no price list in force "
                f"in {months} (lists that have it: {', '.join(having)}); the agreement would "
                "price nothing",
            )

    def price_groups(self, declared: set[str]) -> None:
        """Each register customer's price group must be declared in the file.

        Else no group agreement would ever reach it: a misspelt group would leave the
        customer at list prices, silently.
        """
        for customer in self.register or ():
            if customer.price_group is None or customer.price_group in declared:
                continue
            where, _, number = customer.source.rpartition(":")
            path, line = (where, int(number)) if number.isdigit() else (customer.source, None)
            self.issues.append(
                Issue(
                    path or "<customer register>",
                    f"{customer.department}: price group {customer.price_group!r} is not "
                    f"declared in {self.path} (declared: {', '.join(sorted(declared)) or 'none'})",
                    line=line,
                )
            )

    def overlaps(self, agreements: list[Agreement]) -> None:
        """Two agreements for the same customer or group, item and months are refused."""
        for first, second in itertools.combinations(agreements, 2):
            if (first.customer, first.group) != (second.customer, second.group):
                continue
            if second.end is not None and not first.overlaps(second.start, second.end):
                continue
            if second.end is None and first.end is not None and first.end < second.start:
                continue
            common = self._items(first) & self._items(second)
            if common:
                months = _months_text(first, second)
                self.issue(
                    second.field,
                    f"{first.field} already applies to {first.customer or first.group}, "
                    f"{', '.join(sorted(common))} in {months}; two agreements for the same "
                    "customer, item and month are ambiguous (give one of them other months, "
                    "or remove one)",
                )

    def _items(self, agreement: Agreement) -> set[str]:
        if agreement.add_on is not None:
            return {agreement.add_on.code}
        return {item.code for pl in self.catalog for item in pl.items if agreement.covers(item)}


def _months_text(first: Agreement, second: Agreement) -> str:
    start = max(first.start, second.start)
    ends = [e for e in (first.end, second.end) if e is not None]
    return f"{start}..{min(ends)}" if ends else f"{start} onwards"


def _one_customer(
    register: CustomerRegister, label: str, start: Month, end: Month | None
) -> Customer | str:
    """The one customer ``label`` means in every month ``start``..``end``, or a problem.

    A label can pass from one customer to another (an alias of a unit that moves), or
    stop naming anyone (an earlier name): resolved once it would give the agreement to
    the wrong customer in some months. Each month is resolved as a volume row of that
    month is (a name used on any day of it). An open-ended agreement is checked up to the
    month after the label's last dated change: from there on, it means the same.
    """
    spans = register.spans(label)
    last = end
    if last is None:
        changes = [d for s in spans for d in (s.since, s.until) if d is not None]
        last = max([start, *(Month(d.year, d.month).next() for d in changes)])
    runs: list[tuple[Month, Month, tuple[Customer, ...]]] = []
    month = start
    while month <= last:
        meant = tuple({id(s.customer): s.customer for s in spans if s.in_month(month)}.values())
        if runs and runs[-1][2] == meant:
            runs[-1] = (runs[-1][0], month, meant)
        else:
            runs.append((month, month, meant))
        month = month.next()
    if len(runs) == 1 and len(runs[0][2]) == 1:
        return runs[0][2][0]
    if end is None and runs:
        runs[-1] = (runs[-1][0], Month(9999, 12), runs[-1][2])
    said = "; ".join(_meaning(label, first, final, meant, spans) for first, final, meant in runs)
    codes = sorted({c.code or c.department for _, _, meant in runs for c in meant})
    months = f"{start}..{end}" if end is not None else f"{start} onwards"
    return (
        f"{label!r} does not mean one customer in all the agreement's months ({months}): "
        f"{said}; name the customer by its code ({' or '.join(codes) or 'none'}), which "
        "means one customer in every month"
    )


def _meaning(
    label: str,
    first: Month,
    final: Month,
    meant: tuple[Customer, ...],
    spans: tuple[NameSpan, ...],
) -> str:
    """``in 2014-02 onwards it is 5130 Ny enhet (alias from 2014-02-01)``."""
    months = (
        f"{first} onwards"
        if final == Month(9999, 12)
        else (str(first) if first == final else f"{first}..{final}")
    )
    if not meant:
        return f"in {months} it names no customer"
    whom = " and ".join(
        f"{label_of(c)} ("
        + ", ".join(
            f"{'earlier name' if s.known.earlier else 'alias'} {s.dates()}"
            if s.known is not None
            else ("its code" if label == c.code else "its name")
            for s in spans
            if s.customer is c
        )
        + ")"
        for c in meant
    )
    return f"in {months} it is {whom}"


def resolve_customers(agreements: Agreements, departments: Iterable[str], year: int) -> list[Issue]:
    """Without a customer register: each agreement of ``year`` must name a department billed.

    A name that is no department of the run would silently never apply (a typo leaves a
    customer at list price), so it is refused, with the nearest names. A price group's
    agreement needs the register's price groups, so it is refused too.
    """
    known = sorted(set(departments))
    issues = []
    for agreement in agreements:
        if not agreement.overlaps(Month(year, 1), Month(year, 12)):
            continue
        where = agreement.field or agreement.id
        if agreement.group is not None:
            issues.append(
                Issue(
                    agreements.path,
                    f"agreement for price group {agreement.group!r}: the price groups of "
                    f"the departments come from a customer register, and none was given "
                    f"{Remedy.GIVE_CUSTOMERS}",
                    line=agreement.line_of("group"),
                    field=f"{where}.group",
                )
            )
        elif agreement.customer not in known:
            near = nearest_names(agreement.customer or "", known)
            hint = f"; did you mean {', '.join(map(repr, near))}?" if near else ""
            issues.append(
                Issue(
                    agreements.path,
                    f"unknown customer {agreement.customer!r}: no volume file of the run "
                    f"names it, and no customer register was given {Remedy.GIVE_CUSTOMERS}"
                    f"{hint}",
                    line=agreement.line_of("customer"),
                    field=f"{where}.customer",
                )
            )
    return issues
