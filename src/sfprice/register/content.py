"""What an issued document shows, fixed at issue time: an explicit, versioned record.

Issuing stores, inside the issuing transaction, everything one invoice or credit note
prints (header fields, lines with their components, the total, the volume statement and
the issue date in the issuer's time zone) as :class:`DocumentContent`. Renderers (HTML,
PDF) read only this record, never the register's later state, so a reprint is identical
to the original whatever was issued afterwards.

The record is written as JSON by :func:`content_json` and read back by
:func:`content_from_json`, field by field (not a dump of engine records), with
``"format": CONTENT_FORMAT``. Money and quantities are decimal strings; a volume that the
register has no data for is ``null`` (shown as "uppgift saknas", never as 0).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sfprice.money import exact_sum
from sfprice.period import Month

__all__ = [
    "CONTENT_FORMAT",
    "ContentAllocation",
    "ContentBasis",
    "ContentComponent",
    "ContentLine",
    "DocumentContent",
    "StatementRow",
    "VolumeStatement",
    "content_from_json",
    "content_json",
    "decimal_text",
]

CONTENT_FORMAT = 1
"""The version of the stored record's layout; a reader refuses a format it does not know."""


def decimal_text(value: Decimal) -> str:
    """A Decimal as plain text, without exponent, with negative zero as ``0``."""
    text = format(value, "f")
    return text.removeprefix("-") if value.is_zero() else text


@dataclass(frozen=True, slots=True)
class ContentComponent:
    """A "varav" row of a line: one component of a composite price (negated on a credit)."""

    label: str
    unit_price: Decimal
    amount: Decimal
    quantity: Decimal | None = None
    """The units of a band of a tiered price; None when it prices every unit."""


@dataclass(frozen=True, slots=True)
class ContentAllocation:
    """Why an allocation line charges what it does (key, the department's share)."""

    key: str
    driver_quantity: Decimal
    driver_total: Decimal
    share: str
    """Exact, as ``numerator/denominator``."""
    annual_amount: Decimal
    source: str


@dataclass(frozen=True, slots=True)
class ContentBasis:
    """What a line of another price kind than a plain unit price was computed from."""

    kind: str
    customer_year: int | None
    first_year: int | None
    tier_mode: str | None
    rate: Decimal | None
    minimum: Decimal | None
    base_amount: Decimal | None
    services: tuple[str, ...]
    source: str
    volume: Decimal | None = None
    block: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ContentLine:
    """One line as the document prints it."""

    service: str
    name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    components: tuple[ContentComponent, ...] = ()
    allocation: ContentAllocation | None = None
    basis: ContentBasis | None = None


@dataclass(frozen=True, slots=True)
class StatementRow:
    """One service in the volume statement; ``None`` where the register had no data."""

    service: str
    name: str
    this_month: Decimal | None
    last_year: Decimal | None
    year_to_date: Decimal | None


@dataclass(frozen=True, slots=True)
class VolumeStatement:
    """The volume statement of a document.

    Attributes:
        computed: ``"issue"`` (computed inside the issuing transaction) or ``"migration"``
            (a schema-1 document: computed once, when the register was upgraded, from the
            documents issued up to and including it).
        credited: On a credit note, the number of the credited invoice: the rows are that
            invoice's statement, shown as such (not negated).
        rows: One row per service of the document, in line order.
    """

    computed: str
    credited: str | None
    rows: tuple[StatementRow, ...]


@dataclass(frozen=True, slots=True)
class DocumentContent:
    """Everything one issued document shows; stored with it and never recomputed.

    Attributes:
        number: The document number.
        kind: ``"invoice"`` or ``"credit_note"``.
        issuer_code: The issuer in the number (``SF``).
        issuer_name: The issuer printed on the document (``Servicecentret``).
        department: The department billed.
        period: The month billed.
        issued_at: The issue moment in the issuer's zone, ISO 8601 with its offset.
        issue_date: "Fakturadatum": the date of ``issued_at`` in the issuer's zone.
        time_zone: The issuer's time zone (IANA name).
        price_list: The price list.
        currency: The currency of the amounts.
        credits: On a credit note, the number of the credited invoice.
        lines: The lines, in order.
        statement: The volume statement.
    """

    number: str
    kind: str
    issuer_code: str
    issuer_name: str
    department: str
    period: Month
    issued_at: str
    issue_date: date
    time_zone: str
    price_list: str
    currency: str
    credits: str | None
    lines: tuple[ContentLine, ...]
    statement: VolumeStatement

    @property
    def total(self) -> Decimal:
        """The sum of the line amounts (the stored total; checked when read)."""
        return exact_sum(line.amount for line in self.lines)


def _optional(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(value)


def content_json(content: DocumentContent) -> str:
    """The record as JSON text (sorted keys, decimal strings), as stored."""
    data: dict[str, Any] = {
        "format": CONTENT_FORMAT,
        "number": content.number,
        "kind": content.kind,
        "issuer": {"code": content.issuer_code, "name": content.issuer_name},
        "department": content.department,
        "period": str(content.period),
        "issued_at": content.issued_at,
        "issue_date": content.issue_date.isoformat(),
        "time_zone": content.time_zone,
        "price_list": content.price_list,
        "currency": content.currency,
        "credits": content.credits,
        "lines": [
            {
                "service": line.service,
                "name": line.name,
                "unit": line.unit,
                "quantity": decimal_text(line.quantity),
                "unit_price": decimal_text(line.unit_price),
                "amount": decimal_text(line.amount),
                "components": [
                    {
                        "label": c.label,
                        "unit_price": decimal_text(c.unit_price),
                        "amount": decimal_text(c.amount),
                        "quantity": _optional(c.quantity),
                    }
                    for c in line.components
                ],
                "allocation": _allocation_data(line.allocation),
                "basis": _basis_data(line.basis),
            }
            for line in content.lines
        ],
        "total": decimal_text(content.total),
        "statement": {
            "computed": content.statement.computed,
            "credited": content.statement.credited,
            "rows": [
                {
                    "service": row.service,
                    "name": row.name,
                    "this_month": _optional(row.this_month),
                    "last_year": _optional(row.last_year),
                    "year_to_date": _optional(row.year_to_date),
                }
                for row in content.statement.rows
            ],
        },
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _allocation_data(allocation: ContentAllocation | None) -> dict[str, str] | None:
    if allocation is None:
        return None
    return {
        "key": allocation.key,
        "driver_quantity": decimal_text(allocation.driver_quantity),
        "driver_total": decimal_text(allocation.driver_total),
        "share": allocation.share,
        "annual_amount": decimal_text(allocation.annual_amount),
        "source": allocation.source,
    }


def _basis_data(basis: ContentBasis | None) -> dict[str, object] | None:
    if basis is None:
        return None
    return {
        "kind": basis.kind,
        "customer_year": basis.customer_year,
        "first_year": basis.first_year,
        "tier_mode": basis.tier_mode,
        "rate": _optional(basis.rate),
        "minimum": _optional(basis.minimum),
        "base_amount": _optional(basis.base_amount),
        "services": list(basis.services),
        "source": basis.source,
        # A package price's volume and block, kept only when given (older content unchanged).
        **{
            name: _optional(value)
            for name, value in (("volume", basis.volume), ("block", basis.block))
            if value is not None
        },
    }


def allocation_from(data: object) -> ContentAllocation | None:
    """An allocation from its JSON data (stored content, or a schema-1 line's detail)."""
    if not isinstance(data, Mapping):
        return None
    return ContentAllocation(
        str(data["key"]),
        _decimal(data["driver_quantity"]),
        _decimal(data["driver_total"]),
        str(data["share"]),
        _decimal(data["annual_amount"]),
        str(data.get("source", "")),
    )


def _int(value: object) -> int | None:
    return None if value is None else int(str(value))


def basis_from(data: object) -> ContentBasis | None:
    """A charge basis from its JSON data (stored content, or a schema-1 line's detail)."""
    if not isinstance(data, Mapping):
        return None
    return ContentBasis(
        str(data["kind"]),
        _int(data.get("customer_year")),
        _int(data.get("first_year")),
        None if data.get("tier_mode") is None else str(data["tier_mode"]),
        _maybe(data.get("rate")),
        _maybe(data.get("minimum")),
        _maybe(data.get("base_amount")),
        tuple(str(s) for s in data.get("services") or ()),
        str(data.get("source", "")),
        _maybe(data.get("volume")),
        _maybe(data.get("block")),
    )


def component_from(data: Mapping[str, Any]) -> ContentComponent:
    """A component from its JSON data (stored content, or a schema-1 line's detail)."""
    return ContentComponent(
        str(data.get("label", "")),
        _decimal(data["unit_price"]),
        _decimal(data["amount"]),
        _maybe(data.get("quantity")),
    )


def _decimal(value: object) -> Decimal:
    if not isinstance(value, str):
        msg = f"expected a decimal string, got {value!r}"
        raise TypeError(msg)
    return Decimal(value)


def _maybe(value: object) -> Decimal | None:
    return None if value is None else _decimal(value)


def content_from_json(text: str) -> DocumentContent:
    """Read a stored record back.

    Raises:
        ValueError: When the text is not a record of a known format (the caller names the
            register and the document).
    """
    try:
        data: Mapping[str, Any] = json.loads(text)
        if data.get("format") != CONTENT_FORMAT:
            msg = f"unknown content format {data.get('format')!r} (this sfprice reads 1)"
            raise ValueError(msg)
        statement = data["statement"]
        content = DocumentContent(
            number=str(data["number"]),
            kind=str(data["kind"]),
            issuer_code=str(data["issuer"]["code"]),
            issuer_name=str(data["issuer"]["name"]),
            department=str(data["department"]),
            period=Month.parse(str(data["period"])),
            issued_at=str(data["issued_at"]),
            issue_date=date.fromisoformat(str(data["issue_date"])),
            time_zone=str(data["time_zone"]),
            price_list=str(data["price_list"]),
            currency=str(data["currency"]),
            credits=None if data["credits"] is None else str(data["credits"]),
            lines=tuple(
                ContentLine(
                    service=str(line["service"]),
                    name=str(line["name"]),
                    unit=str(line["unit"]),
                    quantity=_decimal(line["quantity"]),
                    unit_price=_decimal(line["unit_price"]),
                    amount=_decimal(line["amount"]),
                    components=tuple(component_from(c) for c in line["components"]),
                    allocation=allocation_from(line["allocation"]),
                    basis=basis_from(line["basis"]),
                )
                for line in data["lines"]
            ),
            statement=VolumeStatement(
                computed=str(statement["computed"]),
                credited=None if statement["credited"] is None else str(statement["credited"]),
                rows=tuple(
                    StatementRow(
                        str(row["service"]),
                        str(row["name"]),
                        _maybe(row["this_month"]),
                        _maybe(row["last_year"]),
                        _maybe(row["year_to_date"]),
                    )
                    for row in statement["rows"]
                ),
            ),
        )
        if content.total != _decimal(data["total"]):
            msg = f"its lines add up to {content.total}, its total says {data['total']}"
            raise ValueError(msg)
    except (KeyError, TypeError, ArithmeticError, AttributeError, json.JSONDecodeError) as exc:
        msg = f"unreadable content ({type(exc).__name__}: {exc})"
        raise ValueError(msg) from exc
    return content
