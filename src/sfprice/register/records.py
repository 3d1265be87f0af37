"""What the register holds, as values: issued documents and lines, runs, period events.

These records are what :class:`sfprice.register.Register` returns; they carry no SQLite
and are read back from the stored form by :mod:`sfprice.register.codec`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sfprice.errors import SfpriceError
from sfprice.model import AgreementRef
from sfprice.money import exact_sum
from sfprice.period import Month
from sfprice.register.content import (
    ContentAllocation,
    ContentBasis,
    ContentComponent,
    ContentLine,
    DocumentContent,
)
from sfprice.register.manifest import Manifest

__all__ = [
    "DocumentKind",
    "IssueResult",
    "IssuedDocument",
    "IssuedLine",
    "PeriodEvent",
    "RegisterError",
    "RunRecord",
    "title_key",
]


class RegisterError(SfpriceError):
    """The register cannot be used or refuses an operation (closed period, foreign file)."""


class DocumentKind(enum.StrEnum):
    """What an issued document is."""

    INVOICE = "invoice"
    """An invoice of one department's charges for one month."""
    CREDIT_NOTE = "credit_note"
    """A full reversal of an invoice: its lines negated, referencing its number."""
    RECONCILIATION = "reconciliation"
    """A subscription's reconciliation (schema 3): one customer's invoiced deviations of
    one reconciliation month, all its areas as lines; a positive total is a correction
    invoice, a negative one a credit note. Beside the month's invoice, never crediting."""


def title_key(kind: str, total: Decimal) -> str:
    """What a document of ``kind`` with ``total`` (kr) is, as a label key.

    ``invoice``, ``credit_note``, ``reconciliation_invoice`` (a reconciliation whose total
    is positive or zero: a correction invoice) or ``reconciliation_credit`` (negative: a
    credit note).
    """
    if kind == DocumentKind.RECONCILIATION:
        return "reconciliation_credit" if total < 0 else "reconciliation_invoice"
    return kind


@dataclass(frozen=True, slots=True)
class IssuedLine:
    """One line of an issued document; amounts exact, as issued.

    Attributes:
        service: Service code.
        name: Name as printed in the price list.
        unit: What one unit is.
        quantity: Units (negative on a credit note).
        unit_price: Price per unit.
        amount: The line amount (negative on a credit note).
        price_list: The price list that priced the line.
        detail: The rest of the line as bill computed it (components, basis, allocation,
            volume sources), as JSON-ready data with decimal strings.
    """

    service: str
    name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    price_list: str
    detail: Mapping[str, Any]

    def shown(
        self,
        components: tuple[ContentComponent, ...] = (),
        allocation: ContentAllocation | None = None,
        basis: ContentBasis | None = None,
        agreement: AgreementRef | None = None,
    ) -> ContentLine:
        """The line as a document shows it, with these components, allocation, basis, agreement."""
        return ContentLine(
            self.service,
            self.name,
            self.unit,
            self.quantity,
            self.unit_price,
            self.amount,
            components,
            allocation,
            basis,
            agreement,
        )


@dataclass(frozen=True, slots=True)
class IssuedDocument:
    """An issued invoice or credit note; never changed once issued.

    Attributes:
        number: Its number (``SF-2014-000123``).
        kind: Invoice, credit note or (schema 3) a subscription reconciliation.
        period: The month it bills.
        department: The department billed.
        issued_at: When it was issued (UTC, ISO 8601).
        price_list: The price list of the invoice it bills or reverses.
        currency: Currency of the amounts.
        lines: Its lines.
        credits: For a credit note, the number of the invoice (or reconciliation
            document) it reverses.
        credited_by: For an invoice that was reversed, the credit note's number.
        run_id: The issue run that created it (see :meth:`Register.runs`).
        volume_sources: The volume files and row counts behind its quantities.
        content: Everything the document shows, fixed when it was issued (see
            :mod:`sfprice.register.content`); documents are printed from this only.
    """

    number: str
    kind: DocumentKind
    period: Month
    department: str
    issued_at: str
    price_list: str
    currency: str
    lines: tuple[IssuedLine, ...]
    credits: str | None
    credited_by: str | None
    run_id: int
    volume_sources: tuple[tuple[str, int], ...] = ()
    content: DocumentContent | None = None

    @property
    def total(self) -> Decimal:
        """Sum of the line amounts."""
        return exact_sum(line.amount for line in self.lines)

    @property
    def is_credit(self) -> bool:
        """True for a credit note, or a reconciliation document with a negative total."""
        if self.kind is DocumentKind.RECONCILIATION:
            return self.total < 0
        return self.kind is DocumentKind.CREDIT_NOTE

    @property
    def title_key(self) -> str:
        """What the document is, as a label key.

        ``invoice``, ``credit_note``, ``reconciliation_invoice`` (a correction invoice) or
        ``reconciliation_credit`` (a reconciliation's credit note).
        """
        return title_key(str(self.kind), self.total)


@dataclass(frozen=True, slots=True)
class IssueResult:
    """What one issue did.

    Attributes:
        period: The month issued.
        run_id: The run recorded, or None when nothing changed (nothing is recorded).
        documents: The documents created, in order (a credit note before its new invoice).
        unchanged: The departments whose issued invoice already has these charges.
    """

    period: Month
    run_id: int | None
    documents: tuple[IssuedDocument, ...]
    unchanged: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """False when the issue changed nothing (a re-run with the same charges)."""
        return bool(self.documents)


@dataclass(frozen=True, slots=True)
class PeriodEvent:
    """A period closed or reopened, when and why."""

    period: Month
    event: str
    reason: str
    at: str


@dataclass(frozen=True, slots=True)
class RunRecord:
    """An issue run and its manifest."""

    id: int
    period: Month
    manifest: Manifest
