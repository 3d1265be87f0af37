"""The administration measure: what billing a customer under a price model takes in a year.

Less administration is half of the stated aim of the 2026 review of the price model
(``002_83b6b989210075f7.txt:93-106``). A model is measured by what it makes the
administration and the customer handle: documents sent, lines on them, and the corrections
and reconciliations that follow. Pure: nothing here reads files or prints.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AdminCount"]


@dataclass(frozen=True, slots=True)
class AdminCount:
    """One customer's billing administration under one model for one year.

    Attributes:
        invoices: Regular invoices sent (one per month with a charge).
        lines: Invoice lines on those invoices and on the corrections.
        corrections: Correction invoices and credit notes sent (year-end true-ups,
            reconciliations whose deviation was invoiced).
        reconciliations: Reconciliations computed and reported to the customer, invoiced or
            not.
    """

    invoices: int = 0
    lines: int = 0
    corrections: int = 0
    reconciliations: int = 0

    def __post_init__(self) -> None:
        for name in ("invoices", "lines", "corrections", "reconciliations"):
            if getattr(self, name) < 0:
                msg = f"{name} must be >= 0, got {getattr(self, name)}"
                raise ValueError(msg)

    @property
    def documents(self) -> int:
        """Documents the customer receives: invoices plus corrections."""
        return self.invoices + self.corrections

    def __add__(self, other: AdminCount) -> AdminCount:
        return AdminCount(
            self.invoices + other.invoices,
            self.lines + other.lines,
            self.corrections + other.corrections,
            self.reconciliations + other.reconciliations,
        )
