"""Read a subscription agreement file (TOML), validated with located errors.

File format (see ``docs/subscriptions.md``)::

    kind = "subscriptions"
    year = 2014
    status = "agreed"                 # or "proposal" (a draft from plan; never issued)
    source = "what the figures come from"
    pricelist = "2014"                # optional: the list that prices the volumes

    [reconciliation]                  # optional; these are the defaults
    months = [4, 10, 12]
    threshold = 100000                # kr per customer, area and reconciliation
    final_threshold = 0               # kr at the year-end reconciliation

    [[subscriptions]]
    customer = "Kulturförvaltningen"
    area = "payroll"
    forecast = { "payroll.self_service" = 12000, "payroll.manual" = 1200 }
    # or: annual = 1200000.00
    source = "where the figure comes from"

Every problem is collected and raised as one :class:`~sfprice.errors.InputError`, each
located by line and key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path

from pydantic import Field, ValidationError

from sfprice.customers import customers_by_name
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
from sfprice.model import Customer, PriceCatalog, PriceKind
from sfprice.money import exact_product, exact_sum, round_amount
from sfprice.names import clean_name, nearest_names
from sfprice.period import Month
from sfprice.subscription import (
    DEFAULT_MONTHS,
    DEFAULT_THRESHOLD,
    STATUSES,
    Subscription,
    Subscriptions,
    SubscriptionTerms,
    months_problem,
)

__all__ = ["read_subscriptions"]

KIND = "subscriptions"


class _Terms(Schema):
    months: list[int] = Field(default_factory=lambda: list(DEFAULT_MONTHS))
    threshold: Amount = DEFAULT_THRESHOLD
    final_threshold: Amount = Decimal(0)


class _Entry(Schema):
    customer: str
    area: str
    annual: Amount | None = None
    forecast: dict[str, Amount] | None = None
    source: str = ""


class _File(Schema):
    kind: str
    year: int
    status: str
    source: str = ""
    pricelist: str | None = None
    reconciliation: _Terms = Field(default_factory=_Terms)
    subscriptions: list[_Entry] = Field(default_factory=list)


_KEY = re.compile(r"\s*([A-Za-z0-9_\-]+)\s*=")
_TABLE = re.compile(r"\s*\[\s*([A-Za-z0-9_.\-]+)\s*\]\s*(#.*)?$")


class _Lines:
    """The line of each key of the file, to locate its problems."""

    def __init__(self, text: str) -> None:
        self.top: dict[str, int] = {}
        self.terms: dict[str, int] = {}
        table: str | None = ""
        for number, line in enumerate(text.splitlines(), start=1):
            if line.lstrip().startswith("[["):
                table = None
            elif match := _TABLE.match(line):
                table = match[1]
                if table == "reconciliation":
                    self.terms.setdefault("", number)
            elif (match := _KEY.match(line)) is not None and table is not None:
                target = (
                    self.top if table == "" else self.terms if table == "reconciliation" else None
                )
                if target is not None:
                    target.setdefault(match[1], number)
        self.headers, self.keys = table_lines(text, "subscriptions")

    def of(self, loc: tuple[int | str, ...]) -> int | None:
        if not loc:
            return None
        head = loc[0]
        if head == "reconciliation":
            key = str(loc[1]) if len(loc) > 1 else ""
            return self.terms.get(key, self.terms.get(""))
        if head == "subscriptions" and len(loc) > 1 and isinstance(loc[1], int):
            index = loc[1]
            if index >= len(self.headers):
                return None
            key = str(loc[2]) if len(loc) > 2 else ""
            return self.keys[index].get(key, self.headers[index])
        return self.top.get(str(head))


def read_subscriptions(
    path: str | Path,
    *,
    catalog: PriceCatalog,
    customers: Mapping[str, Customer] | None = None,
    departments: Iterable[str] | None = None,
    year: int | None = None,
) -> Subscriptions:
    """Read and check a subscription agreement file.

    Args:
        path: The TOML file.
        catalog: The price lists: a forecast is priced by the list in force in January of
            the file's year (the one ``pricelist`` names, when given), through the billing
            engine; every forecast service must be a plain unit price of the area.
        customers: The customer register: a customer may be named by name, code or alias
            and is stored as the register's current name.
        departments: The departments of the volumes, also accepted as customers. With
            neither ``customers`` nor ``departments`` a customer is taken as written.
        year: The year expected (the volumes' or the period's), or None.

    Returns:
        The subscriptions, each with its annual amount in kr (a forecast priced).

    Raises:
        InputError: With one issue per problem, located by line and key: wrong ``kind``;
            a year other than ``year``; a status other than proposal/agreed; months outside
            1..12, not increasing or not ending with 12; a negative threshold or amount;
            an unknown customer (with the nearest names), area or service; both or neither
            of ``annual`` and ``forecast``; a customer and area twice; an unknown price list.
    """
    name = str(path)
    text = read_toml_text(path, "subscription agreement file")
    raw, issues = parse_toml(text, name)
    if raw is None:
        raise InputError(issues)
    lines = _Lines(text)
    if raw.get("kind") != KIND:
        shown = repr(raw.get("kind")) if "kind" in raw else "no kind"
        raise InputError(
            [
                Issue(
                    name,
                    f'{shown}: not a subscription agreement file (expected kind = "{KIND}")',
                    line=lines.top.get("kind"),
                    field="kind",
                )
            ]
        )
    try:
        given = _File.model_validate(raw)
    except ValidationError as exc:
        raise InputError(
            [
                Issue(
                    name,
                    message(err).replace("docs/file-formats.md", "docs/subscriptions.md"),
                    line=lines.of(err["loc"]),
                    field=field_path(err["loc"], raw),
                )
                for err in exc.errors()
            ]
        ) from None
    reader = _Reader(name, lines, catalog, customers, departments, given.year)
    reader.header(given, year)
    terms = reader.terms(given.reconciliation)
    entries = [
        sub
        for index, entry in enumerate(given.subscriptions)
        if (sub := reader.subscription(index, entry)) is not None
    ]
    if reader.issues or terms is None:
        raise InputError(reader.issues)
    return Subscriptions(
        given.year,
        tuple(entries),
        terms,
        status=given.status,
        source=given.source,
        pricelist=given.pricelist,
        path=name,
    )


class _Reader:
    """The content checks of one file, collecting issues."""

    def __init__(
        self,
        path: str,
        lines: _Lines,
        catalog: PriceCatalog,
        customers: Mapping[str, Customer] | None,
        departments: Iterable[str] | None,
        year: int,
    ) -> None:
        self.path = path
        self.lines = lines
        self.catalog = catalog
        self.register = customers_by_name(customers) if customers is not None else None
        self.departments = None if departments is None else set(departments)
        self.year = year
        self.issues: list[Issue] = []
        self.seen: dict[tuple[str, str], int] = {}
        self.price_list = catalog.in_force(Month(year, 1)) if 1 <= year <= 9999 else None

    def issue(self, loc: tuple[int | str, ...], text: str) -> None:
        where = ".".join(str(p) for p in loc)
        where = re.sub(r"\.(\d+)", r"[\1]", where)
        self.issues.append(Issue(self.path, text, line=self.lines.of(loc), field=where))

    def header(self, given: _File, year: int | None) -> None:
        if year is not None and given.year != year:
            self.issue(("year",), f"the agreements are for {given.year}, not {year}")
        if given.status not in STATUSES:
            self.issue(
                ("status",),
                f"status {given.status!r}: expected one of {', '.join(map(repr, STATUSES))}",
            )
        if given.pricelist is not None:
            listed = self.catalog.get(given.pricelist)
            in_force = self.price_list
            if listed is None:
                known = ", ".join(pl.id for pl in self.catalog)
                self.issue(
                    ("pricelist",),
                    f"unknown price list {given.pricelist!r} (the lists: {known})",
                )
            elif in_force is None or in_force.id != listed.id:
                shown = "none" if in_force is None else repr(in_force.id)
                self.issue(
                    ("pricelist",),
                    f"price list {given.pricelist!r} is not in force in {given.year}-01 "
                    f"(the list in force then: {shown})",
                )
        if self.price_list is None:
            self.issue(("year",), f"no price list is in force in {given.year}-01")

    def terms(self, given: _Terms) -> SubscriptionTerms | None:
        before = len(self.issues)
        problem = months_problem(given.months)
        if problem is not None:
            self.issue(("reconciliation", "months"), problem)
        for key in ("threshold", "final_threshold"):
            if getattr(given, key) < 0:
                self.issue(
                    ("reconciliation", key),
                    f"{key} {getattr(given, key)} is negative (expected 0 or more kr)",
                )
        if len(self.issues) > before:
            return None
        return SubscriptionTerms(tuple(given.months), given.threshold, given.final_threshold)

    def customer(self, index: int, written: str) -> str | None:
        loc: tuple[int | str, ...] = ("subscriptions", index, "customer")
        try:
            cleaned = clean_name(written)
        except ValueError as exc:
            self.issue(loc, str(exc))
            return None
        if self.register is None and self.departments is None:
            return cleaned
        if self.departments is not None and cleaned in self.departments:
            return cleaned
        if self.register is not None:
            found = self.register.find(cleaned, Month(self.year, 1))
            if isinstance(found, Customer):
                return found.department
            if isinstance(found, str):
                self.issue(loc, found)
                return None
        known = sorted(
            set(self.departments or ()) | {c.department for c in (self.register or {}).values()}
        )
        near = nearest_names(cleaned, known)
        hint = f"; did you mean {', '.join(map(repr, near))}?" if near else ""
        self.issue(
            loc,
            f"unknown customer {cleaned!r}: not a department of the volumes or a name, code "
            f"or alias of the customer register{hint}",
        )
        return None

    def subscription(self, index: int, given: _Entry) -> Subscription | None:
        before = len(self.issues)
        customer = self.customer(index, given.customer)
        areas = sorted({i.business_area for pl in self.catalog for i in pl.items})
        if given.area not in areas:
            self.issue(
                ("subscriptions", index, "area"),
                f"unknown business area {given.area!r} (the price lists have: "
                f"{', '.join(a for a in areas if a)})",
            )
        if (given.annual is None) == (given.forecast is None):
            self.issue(
                ("subscriptions", index),
                "give annual (a fixed amount in kr) or forecast (annual volumes per service), "
                f"one; got {'both' if given.annual is not None else 'neither'}",
            )
        if given.annual is not None and given.annual < 0:
            self.issue(
                ("subscriptions", index, "annual"),
                f"annual amount {given.annual} is negative (expected 0 or more kr)",
            )
        if given.annual is not None and given.annual != given.annual.quantize(Decimal("0.01")):
            self.issue(
                ("subscriptions", index, "annual"),
                f"annual amount {given.annual} has more than 2 decimals (expected kr and öre)",
            )
        if customer is not None and given.area in areas:
            key = (customer, given.area)
            if key in self.seen:
                self.issue(
                    ("subscriptions", index, "customer"),
                    f"{customer} already subscribes to {given.area} in subscriptions"
                    f"[{self.seen[key]}] (expected one subscription per customer and area)",
                )
            self.seen.setdefault(key, index)
        annual = given.annual
        if given.forecast is not None:
            annual = self.forecast(index, given, customer or given.customer)
        if len(self.issues) > before or customer is None or annual is None:
            return None
        return Subscription(customer, given.area, annual, given.forecast, given.source)

    def forecast(self, index: int, given: _Entry, customer: str) -> Decimal | None:
        """The forecast priced by the list in force in January: Σ round(q x p) to öre."""
        assert given.forecast is not None
        price_list = self.price_list
        if price_list is None:
            return None
        before = len(self.issues)
        for service, quantity in given.forecast.items():
            loc: tuple[int | str, ...] = ("subscriptions", index, "forecast")
            item = price_list.item(service)
            if item is None:
                near = list(nearest_codes(service, price_list.codes))
                hint = f"did you mean {', '.join(near)}?" if near else str(Remedy.LIST_CODES)
                self.issue(
                    loc,
                    f"unknown service {service!r}: price list {price_list.id} has no such "
                    f"item; {hint}",
                )
            elif item.kind is not PriceKind.UNIT or item.steps_down:
                self.issue(
                    loc,
                    f"service {service!r} is not a plain unit price in price list "
                    f"{price_list.id} (a forecast prices volumes per unit)",
                )
            elif item.business_area != given.area:
                self.issue(
                    loc,
                    f"service {service!r} is of business area {item.business_area!r}, not "
                    f"{given.area!r}",
                )
            if quantity < 0:
                self.issue(loc, f"forecast {quantity} of {service!r} is negative")
        if len(self.issues) > before:
            return None
        # Each service a line of quantity x unit price rounded to öre by the list's rule,
        # as the billing engine rounds a plain unit line (docs/money.md).
        prices = {i.code: i.price for i in price_list.items}
        return exact_sum(
            round_amount(exact_product(quantity, prices[service]), price_list.rounding)
            for service, quantity in given.forecast.items()
        )


def nearest_codes(code: str, codes: Iterable[str]) -> list[str]:
    """Up to three service codes close to ``code``."""
    import difflib

    return difflib.get_close_matches(code, sorted(codes), n=3, cutoff=0.5)
