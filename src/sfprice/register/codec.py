"""The versioned codec for everything the register stores, written field by field.

Every stored record has its own, hand-written JSON keys, independent of the names of the
engine's fields, and carries its codec version, so that renaming a field of
:class:`~sfprice.engine.billing.InvoiceLine` cannot change what a register keeps, and an
older record is always read back:

- a document's content (what it shows; :class:`~sfprice.register.content.DocumentContent`)
  under ``"format"`` (:data:`CONTENT_FORMAT`);
- a line's detail (the rest of an invoice line as bill computed it, or the invoice a
  credit note reverses) under ``"codec"`` (:data:`DETAIL_CODEC`); version 0 is the
  detail of registers written before the codec (no ``"codec"`` key, the same keys);
- a run's inputs (the manifest's files and hashes) as ``{"codec": 1, "inputs": [...]}``;
  version 0 is the bare list of earlier registers;
- a document's volume sources as a list of ``[path, rows]``.

Money and quantities are decimal strings (:func:`~sfprice.money.decimal_text`);
a decoder refuses a version it does not know with a ``ValueError``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sfprice.engine.billing import InvoiceLine
from sfprice.model import AgreementRef
from sfprice.money import optional_decimal_text
from sfprice.period import Month
from sfprice.register.content import (
    ContentAllocation,
    ContentBasis,
    ContentComponent,
    ContentCustomer,
    ContentLine,
    DocumentContent,
    StatementRow,
    VolumeStatement,
    decimal_text,
)
from sfprice.register.manifest import InputFile
from sfprice.register.records import IssuedLine

__all__ = [
    "CONTENT_FORMAT",
    "DETAIL_CODEC",
    "INPUTS_CODEC",
    "agreement_from",
    "allocation_from",
    "basis_from",
    "component_from",
    "content_from_json",
    "content_json",
    "content_line_from_detail",
    "credit_detail_json",
    "decimal_from",
    "detail_from_json",
    "inputs_from_json",
    "inputs_json",
    "line_content",
    "line_detail",
    "line_detail_json",
    "sources_from_json",
    "sources_json",
]

CONTENT_FORMAT = 3
"""The version of the stored content's layout; a reader refuses a format it does not know.

Format 2 adds ``"customer"`` (the customer's code, name, reference, address and SIE
object at issue time, or null); format 1 is read with ``customer`` None. Format 3 adds
each line's ``"agreement"`` (id, text, source of the agreement that priced it; absent on a
line at the list price); formats 1 and 2 are read with no agreement on any line.
"""
_CONTENT_FORMATS = (1, 2, 3)
DETAIL_CODEC = 1
"""The version of a stored line detail (0: written before the codec, without the key)."""
INPUTS_CODEC = 1
"""The version of a stored run's inputs (0: a bare list, written before the codec)."""


@contextmanager
def _readable(what: str) -> Iterator[None]:
    """Turn a record that does not decode into a ``ValueError`` that names it."""
    try:
        yield
    except (KeyError, TypeError, ArithmeticError, AttributeError, json.JSONDecodeError) as exc:
        msg = f"unreadable {what} ({type(exc).__name__}: {exc})"
        raise ValueError(msg) from exc


def decimal_from(text: object) -> Decimal:
    """A stored decimal string read back.

    Raises:
        ValueError: When it is not one (not text, not a number, not finite).
    """
    if isinstance(text, str):
        try:
            value = Decimal(text)
        except ArithmeticError:
            pass
        else:
            if value.is_finite():
                return value
    msg = f"unreadable amount ({text!r} is not a decimal number)"
    raise ValueError(msg)


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _share(share: Fraction) -> str:
    return f"{share.numerator}/{share.denominator}"


# -- line detail ---------------------------------------------------------------------------


def line_content(line: InvoiceLine) -> ContentLine:
    """What an invoice line shows, field by field (components, allocation, basis)."""
    allocation, basis = line.allocation, line.basis
    return ContentLine(
        line.service,
        line.name,
        str(line.unit),
        line.quantity,
        line.unit_price,
        line.amount,
        tuple(
            ContentComponent(c.label, c.unit_price, c.amount, c.quantity) for c in line.components
        ),
        None
        if allocation is None
        else ContentAllocation(
            allocation.key,
            allocation.driver_quantity,
            allocation.driver_total,
            _share(allocation.share),
            allocation.annual_amount,
            allocation.source,
        ),
        None
        if basis is None
        else ContentBasis(
            str(basis.kind),
            basis.customer_year,
            basis.first_year,
            None if basis.tier_mode is None else str(basis.tier_mode),
            basis.rate,
            basis.minimum,
            basis.base_amount,
            basis.services,
            basis.source,
            basis.volume,
            basis.block,
        ),
        line.agreement,
    )


def line_detail(line: InvoiceLine) -> dict[str, object]:
    """An invoice line's detail as stored (without the version), key by key.

    What the line shows (:func:`line_content`, stored alike in the document's content) and
    where it comes from: its price list and price source, volume files, business area.
    """
    return _line_data(line_content(line)) | {
        "price_list": line.price_list,
        "price_source": line.price_source,
        "volume_sources": [{"path": s.path, "rows": s.rows} for s in line.volume_sources],
        "business_area": line.business_area,
    }


def line_detail_json(line: InvoiceLine) -> str:
    """An invoice line's detail as stored: :func:`line_detail` with ``"codec"``."""
    return _json({"codec": DETAIL_CODEC, **line_detail(line)})


def credit_detail_json(credited: str) -> str:
    """A credit-note line's detail as stored: the number of the invoice it reverses."""
    return _json({"codec": DETAIL_CODEC, "reverses": credited})


def detail_from_json(text: str) -> dict[str, Any]:
    """A stored line detail, without its version (the same keys in every version).

    Raises:
        ValueError: When the text is not a detail of a known version.
    """
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, TypeError) as exc:
        msg = f"unreadable line detail ({type(exc).__name__}: {exc})"
        raise ValueError(msg) from exc
    if not isinstance(data, dict):
        msg = f"unreadable line detail (not an object: {text[:60]!r})"
        raise ValueError(msg)
    version = data.pop("codec", 0)
    if version not in (0, DETAIL_CODEC):
        msg = f"unknown line detail codec {version!r} (this sfprice reads 0 and {DETAIL_CODEC})"
        raise ValueError(msg)
    return data


# -- run inputs and volume sources -----------------------------------------------------------


def inputs_json(inputs: Sequence[InputFile]) -> str:
    """A run's input files and their hashes, as stored."""
    return _json(
        {
            "codec": INPUTS_CODEC,
            "inputs": [{"role": i.role, "path": i.path, "sha256": i.sha256} for i in inputs],
        }
    )


def inputs_from_json(text: str) -> tuple[InputFile, ...]:
    """A run's inputs read back (version 0: the bare list earlier registers hold).

    Raises:
        ValueError: When the text is not inputs of a known version.
    """
    with _readable("run inputs"):
        data = json.loads(text)
        if isinstance(data, dict):
            if data.get("codec") != INPUTS_CODEC:
                msg = f"unknown run inputs codec {data.get('codec')!r} (this sfprice reads 0 and 1)"
                raise ValueError(msg)
            data = data["inputs"]
        return tuple(
            InputFile(str(item["role"]), str(item["path"]), str(item["sha256"])) for item in data
        )


def sources_json(sources: Sequence[tuple[str, int]]) -> str:
    """A document's volume files and row counts, as stored: ``[[path, rows], ...]``."""
    return json.dumps([[path, rows] for path, rows in sources], ensure_ascii=False)


def sources_from_json(text: str) -> tuple[tuple[str, int], ...]:
    """A document's volume sources read back.

    Raises:
        ValueError: When the text is not a list of ``[path, rows]``.
    """
    with _readable("volume sources"):
        data = json.loads(text)
        if not isinstance(data, list):
            msg = f"not a list: {text[:60]!r}"
            raise TypeError(msg)
        return tuple((str(path), int(rows)) for path, rows in data)


# -- document content ------------------------------------------------------------------------


def _line_data(line: ContentLine) -> dict[str, object]:
    """What a line shows, as stored (in a document's content and in a line's detail)."""
    return {
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
                "quantity": optional_decimal_text(c.quantity),
            }
            for c in line.components
        ],
        "allocation": _allocation_data(line.allocation),
        "basis": _basis_data(line.basis),
        # The agreement that priced the line, kept only when one did (older records unchanged).
        **({} if line.agreement is None else {"agreement": _agreement_data(line.agreement)}),
    }


def _agreement_data(agreement: AgreementRef) -> dict[str, str]:
    return {"id": agreement.id, "text": agreement.text, "source": agreement.source}


def agreement_from(data: object) -> AgreementRef | None:
    """The agreement that priced a line, from its stored data (None: the list price).

    Raises:
        TypeError: When the data is neither null nor a record of three texts.
    """
    if data is None:
        return None
    if not isinstance(data, Mapping) or not all(
        isinstance(data.get(key), str) for key in ("id", "text", "source")
    ):
        msg = f"agreement {data!r} is not a record of id, text and source"
        raise TypeError(msg)
    return AgreementRef(data["id"], data["text"], data["source"])


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
        "customer": _customer_data(content.customer),
        "lines": [_line_data(line) for line in content.lines],
        "total": decimal_text(content.total),
        "statement": {
            "computed": content.statement.computed,
            "credited": content.statement.credited,
            "rows": [
                {
                    "service": row.service,
                    "name": row.name,
                    "this_month": optional_decimal_text(row.this_month),
                    "last_year": optional_decimal_text(row.last_year),
                    "year_to_date": optional_decimal_text(row.year_to_date),
                }
                for row in content.statement.rows
            ],
        },
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _customer_data(customer: ContentCustomer | None) -> dict[str, object] | None:
    if customer is None:
        return None
    return {
        "code": customer.code,
        "name": customer.name,
        "reference": customer.reference,
        "address": list(customer.address),
        "sie_object": customer.sie_object,
    }


def _optional_text(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        msg = f"{value!r} is not text"
        raise TypeError(msg)
    return value


def _customer_from(data: object) -> ContentCustomer | None:
    if data is None:
        return None
    if not isinstance(data, Mapping):
        msg = f"customer {data!r} is not a record"
        raise TypeError(msg)
    address = data["address"]
    if not isinstance(address, list) or not all(isinstance(a, str) for a in address):
        msg = f"customer address {address!r} is not a list of lines"
        raise TypeError(msg)
    return ContentCustomer(
        code=_optional_text(data["code"]),
        name=str(data["name"]),
        reference=_optional_text(data["reference"]),
        address=tuple(address),
        sie_object=_optional_text(data["sie_object"]),
    )


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
        "rate": optional_decimal_text(basis.rate),
        "minimum": optional_decimal_text(basis.minimum),
        "base_amount": optional_decimal_text(basis.base_amount),
        "services": list(basis.services),
        "source": basis.source,
        # A package price's volume and block, kept only when given (older content unchanged).
        **{
            name: optional_decimal_text(value)
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


def content_line_from_detail(line: IssuedLine) -> ContentLine:
    """What a line stored without content (schema 1) showed, from its columns and detail.

    The components, allocation, basis and agreement come from the detail, of any detail
    version (a detail written before agreements were stored has none).
    """
    detail = line.detail
    return line.shown(
        tuple(component_from(c) for c in detail.get("components") or () if isinstance(c, dict)),
        allocation_from(detail.get("allocation")),
        basis_from(detail.get("basis")),
        agreement_from(detail.get("agreement")),
    )


def content_from_json(text: str) -> DocumentContent:
    """Read a stored record back.

    Raises:
        ValueError: When the text is not a record of a known format (the caller names the
            register and the document).
    """
    try:
        data: Mapping[str, Any] = json.loads(text)
        version = data.get("format")
        if version not in _CONTENT_FORMATS:
            known = " and ".join(str(v) for v in _CONTENT_FORMATS)
            msg = f"unknown content format {version!r} (this sfprice reads {known})"
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
                    # Formats 1 and 2 were written before lines stored their agreement.
                    agreement=agreement_from(line.get("agreement")) if version >= 3 else None,
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
            # Format 1 was written before the register stored the customer.
            customer=_customer_from(data["customer"]) if version >= 2 else None,
        )
        if content.total != _decimal(data["total"]):
            msg = f"its lines add up to {content.total}, its total says {data['total']}"
            raise ValueError(msg)
    except (KeyError, TypeError, ArithmeticError, AttributeError, json.JSONDecodeError) as exc:
        msg = f"unreadable content ({type(exc).__name__}: {exc})"
        raise ValueError(msg) from exc
    return content
