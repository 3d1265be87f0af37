"""The deviation report of a subscription year: per customer, area and reconciliation.

Rendered as a Swedish table (people), CSV or JSON (machines, decimal strings). The figures
are :class:`sfprice.subscription.Reconciliation` records, kr.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from decimal import Decimal

from sfprice.engine.subscriptions import Reconciliation
from sfprice.money import decimal_text
from sfprice.names import visible_json
from sfprice.reports.formats import format_amount
from sfprice.reports.text import csv_cell, text_table
from sfprice.subscription import Subscriptions

__all__ = ["RECONCILIATION_COLUMNS", "reconciliations_to_csv", "reconciliations_to_json",
           "reconciliations_to_table"]  # fmt: skip

#: The columns of the CSV and the keys of each JSON record, in order.
RECONCILIATION_COLUMNS = (
    "customer",
    "area",
    "month",
    "from",
    "invoiced_to_date",
    "actual_to_date",
    "forecast_to_date",
    "invoiced_period",
    "actual_period",
    "carried_in",
    "deviation",
    "threshold",
    "invoiced",
    "correction",
    "carried",
    "fixed",
)


def _record(rec: Reconciliation) -> dict[str, object]:
    return {
        "customer": rec.customer,
        "area": rec.area,
        "month": str(rec.month),
        "from": str(rec.start),
        "invoiced_to_date": decimal_text(rec.invoiced_to_date),
        "actual_to_date": decimal_text(rec.actual_to_date),
        "forecast_to_date": decimal_text(rec.forecast_to_date),
        "invoiced_period": decimal_text(rec.invoiced_period),
        "actual_period": decimal_text(rec.actual_period),
        "carried_in": decimal_text(rec.carried_in),
        "deviation": decimal_text(rec.deviation),
        "threshold": decimal_text(rec.threshold),
        "invoiced": rec.invoiced,
        "correction": decimal_text(rec.correction),
        "carried": decimal_text(rec.carried),
        "fixed": rec.fixed,
    }


def reconciliations_to_json(
    subscriptions: Subscriptions, reconciliations: Sequence[Reconciliation]
) -> str:
    """``{"year", "status", "terms", "reconciliations": [...]}`` as JSON text."""
    terms = subscriptions.terms
    data = {
        "year": subscriptions.year,
        "status": subscriptions.status,
        "terms": {
            "months": list(terms.months),
            "threshold": decimal_text(terms.threshold),
            "final_threshold": decimal_text(terms.final_threshold),
        },
        "reconciliations": [_record(r) for r in reconciliations],
    }
    return visible_json(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def reconciliations_to_csv(reconciliations: Sequence[Reconciliation]) -> str:
    """One row per reconciliation, the columns of :data:`RECONCILIATION_COLUMNS`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RECONCILIATION_COLUMNS)
    for rec in reconciliations:
        row = _record(rec)
        row["customer"] = csv_cell(rec.customer)
        row["area"] = csv_cell(rec.area)
        writer.writerow(str(v).lower() if isinstance(v, bool) else v for v in row.values())
    return out.getvalue()


def reconciliations_to_table(
    subscriptions: Subscriptions, reconciliations: Sequence[Reconciliation], locale: str = "sv_SE"
) -> str:
    """The Swedish deviation report: one row per customer, area and reconciliation."""

    def kr(value: Decimal) -> str:
        return format_amount(value, locale)

    terms = subscriptions.terms
    head = (
        f"Avstämning av abonnemang {subscriptions.year} ({subscriptions.status}); "
        f"avstämningsmånader {', '.join(map(str, terms.months))}; tröskel "
        f"{kr(terms.threshold)}, vid årets slut {kr(terms.final_threshold)}"
    )
    rows = [
        [
            "Kund",
            "Område",
            "Period",
            "Fakturerat t.o.m.",
            "Utfall t.o.m.",
            "Prognos t.o.m.",
            "Avvikelse",
            "Fakturerad korrigering",
            "Överförs",
            "",
        ]
    ]
    for rec in reconciliations:
        note = (
            "fast pris"
            if rec.fixed
            else "fakturerad"
            if rec.invoiced
            else "under tröskeln"
            if rec.deviation
            else "ingen avvikelse"
        )
        rows.append(
            [
                rec.customer,
                rec.area,
                f"{rec.start}–{rec.month}",
                kr(rec.invoiced_to_date),
                kr(rec.actual_to_date),
                kr(rec.forecast_to_date),
                kr(rec.deviation),
                kr(rec.correction),
                kr(rec.carried),
                note,
            ]
        )
    if not reconciliations:
        return head + "\nInga avstämningar ännu.\n"
    return head + "\n" + "\n".join(text_table(rows, right={3, 4, 5, 6, 7, 8})) + "\n"
