"""Write examples/payroll-2014-synthetic-year.csv: a SYNTHETIC year of payroll volumes.

Deterministic (no randomness): the year totals are the 2014 plan's, split over months and
departments by fixed weights with sfprice's largest-remainder split, so they add up exactly.

- 453 000 self-service and 147 000 manual payslips (003_dbc171dac11004c9.txt:133-137).
- Events and add-on hours are HYPOTHETICAL, chosen so that the year lands near the budget's
  48 300 000 kr (003:121-131): the 2014 list prices leave 6 309 000 kr for them to cover.

The department names are real Stockholm administrations; their volumes are made up.
Run: python examples/make_synthetic_payroll_year.py
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from sfprice.money import allocate

OUT = Path(__file__).with_name("payroll-2014-synthetic-year.csv")

DEPARTMENTS = {  # relative size (payslips)
    "Bromma stadsdelsförvaltning": 9, "Enskede-Årsta-Vantörs stadsdelsförvaltning": 11,
    "Farsta stadsdelsförvaltning": 9, "Hägersten-Liljeholmens stadsdelsförvaltning": 10,
    "Hässelby-Vällingby stadsdelsförvaltning": 10, "Kungsholmens stadsdelsförvaltning": 7,
    "Norrmalms stadsdelsförvaltning": 7, "Rinkeby-Kista stadsdelsförvaltning": 10,
    "Skarpnäcks stadsdelsförvaltning": 8, "Skärholmens stadsdelsförvaltning": 7,
    "Spånga-Tensta stadsdelsförvaltning": 8, "Södermalms stadsdelsförvaltning": 11,
    "Älvsjö stadsdelsförvaltning": 5, "Östermalms stadsdelsförvaltning": 8,
    "Utbildningsförvaltningen": 30, "Socialförvaltningen": 6, "Kulturförvaltningen": 3,
    "Stadsbyggnadsförvaltningen": 2, "Trafikkontoret": 2, "Miljöförvaltningen": 1,
}
# Summer substitutes raise June–August; December is shorter.
MONTHS = dict(zip(range(1, 13), (100, 98, 100, 99, 101, 108, 112, 106, 100, 99, 98, 79),
                  strict=True))
# Manual reporting is a larger share in small administrations (a made-up but plausible skew).
MANUAL_SKEW = {name: Decimal(1) + Decimal(3) / size for name, size in DEPARTMENTS.items()}

YEAR_TOTALS: dict[str, tuple[Decimal, Decimal]] = {  # service: (year total, quantum)
    "payroll.self_service": (Decimal(453_000), Decimal(1)),
    "payroll.manual": (Decimal(147_000), Decimal(1)),
    "payroll.agresso": (Decimal(2_400), Decimal(1)),  # HYPOTHETICAL
    "payroll.emergency_girovision": (Decimal(600), Decimal(1)),  # HYPOTHETICAL
    "payroll.salary_debt": (Decimal(1_200), Decimal(1)),  # HYPOTHETICAL
    "payroll.hourly.role_register": (Decimal(2_600), Decimal("0.25")),  # HYPOTHETICAL
    "payroll.hourly.training": (Decimal(2_300), Decimal("0.25")),  # HYPOTHETICAL
    "payroll.hourly.recoding": (Decimal(2_200), Decimal("0.25")),  # HYPOTHETICAL
    "payroll.hourly.correction": (Decimal(2_750), Decimal("0.25")),  # HYPOTHETICAL
    "payroll.hourly.honorary_award": (Decimal(1_500), Decimal("0.25")),  # HYPOTHETICAL
}


def main() -> None:
    """Write the file."""
    rows = []
    for service, (total, quantum) in YEAR_TOTALS.items():
        by_month = allocate(total, {m: Decimal(w) for m, w in MONTHS.items()}, quantum)
        for month, month_total in by_month.items():
            weights = {
                name: Decimal(size) * (MANUAL_SKEW[name] if service == "payroll.manual" else 1)
                for name, size in DEPARTMENTS.items()
            }
            for name, quantity in allocate(month_total, weights, quantum).items():
                if quantity:
                    rows.append((f"2014-{month:02d}", name, service, quantity.normalize()))
    rows.sort()
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("month", "department", "service", "quantity"))
        writer.writerows((m, d, s, format(q, "f")) for m, d, s, q in rows)


if __name__ == "__main__":
    main()
