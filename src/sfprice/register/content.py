"""What an issued document shows, fixed at issue time: an explicit, versioned record.

Issuing stores, inside the issuing transaction, everything one invoice or credit note
prints (header fields, lines with their components, the total, the volume statement and
the issue date in the issuer's time zone) as :class:`DocumentContent`. Renderers (HTML,
PDF) read only this record, never the register's later state, so a reprint is identical
to the original whatever was issued afterwards.

The record is written as JSON by :func:`sfprice.register.codec.content_json` and read
back by :func:`sfprice.register.codec.content_from_json`, field by field (not a dump of
engine records), with ``"format": CONTENT_FORMAT``. Money and quantities are decimal
strings; a volume that the register has no data for is ``null`` (shown as "uppgift
saknas", never as 0). Those names stay importable from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sfprice.model import AgreementRef, Customer
from sfprice.money import decimal_text, exact_sum
from sfprice.period import Month

__all__ = [
    "ContentAllocation",
    "ContentBasis",
    "ContentComponent",
    "ContentCustomer",
    "ContentLine",
    "DocumentContent",
    "StatementRow",
    "VolumeStatement",
    "decimal_text",
]

# The codec of the record lives in sfprice.register.codec (which imports this module);
# its names are also read from here, on first use.
_FROM_CODEC = ("CONTENT_FORMAT", "content_from_json", "content_json")


def __getattr__(name: str) -> object:
    if name in _FROM_CODEC:
        from sfprice.register import codec

        return getattr(codec, name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


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
    agreement: AgreementRef | None = None
    """The agreement or override that priced the line (id, what it did, its source), as
    issued; None for the list price (and in content of formats 1 and 2)."""


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
class ContentCustomer:
    """The customer as the document shows it, from the customer register at issue time.

    Attributes:
        code: The customer's code (ansvarskod), or None when the register gives none.
        name: The customer's name in the register (its current name when issued).
        reference: The reference person (Er referens), or None.
        address: The invoice address lines, in order.
        sie_object: The SIE object code of its ledger rows (the register's
            ``object_code``: its SIE object, else its code), or None.
    """

    code: str | None
    name: str
    reference: str | None
    address: tuple[str, ...]
    sie_object: str | None

    @classmethod
    def of(cls, customer: Customer | None) -> ContentCustomer | None:
        """What a document shows of a register record (None without one)."""
        if customer is None:
            return None
        return cls(
            customer.code,
            customer.department,
            customer.reference,
            tuple(customer.address),
            customer.object_code,
        )


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
        customer: The customer's identity as the register gave it when the document was
            issued (a credit note: the credited invoice's); None when issued without a
            register record (and in content of format 1).
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
    customer: ContentCustomer | None = None

    @property
    def total(self) -> Decimal:
        """The sum of the line amounts (the stored total; checked when read)."""
        return exact_sum(line.amount for line in self.lines)
