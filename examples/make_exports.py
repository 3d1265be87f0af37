"""Write the bundled example exports (MADE-UP DATA) that the import profiles read.

- ``examples/exports/lisa-2014.xlsx``: a payroll-side export as the payroll system (Lisa)
  might write it, read with ``examples/profiles/lisa.toml``. Its rows are the content of
  ``examples/volumes-2014.csv`` under the system's own column names, service labels and
  department labels, with the month as date cells; one row (1 200 self-service payslips)
  is split into its two labels, "Lisa Självservice" 1 000 and "Lisa Tid" 200, which the
  profile maps to the same code. It bills to the same öre as the CSV: 669 215,00 kr.
- ``examples/exports/agresso-2010.xlsx``: a ledger-side export as the economy system
  (Agresso) might write it, read with ``examples/profiles/agresso.toml``: the economy
  services of ``examples/volumes-2010.csv`` (customer and supplier ledgers, accounting
  hours, procurement), the period as text ``201003`` (the profile's ``month_format``) and
  the departments by their responsibility codes (ansvar).

The data is MADE UP (it restates the example CSV files); each workbook says so on a sheet
of its own. The files are committed; a test checks that they hold what this script writes.
Run from the repository root::

    .venv/bin/python examples/make_exports.py
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent
EXPORTS = ROOT / "exports"
NOTE = (
    "PÅHITTADE DATA: exempelexport för sfprice (samma innehåll som examples/{source}). "
    "MADE-UP DATA: an example export for sfprice, restating examples/{source}."
)

# The payroll system's labels for the 2014 services (docs/import-profiles.md).
LISA_SERVICES = {
    "payroll.self_service": "Lisa Självservice",
    "payroll.manual": "Manuell rapportering",
    "payroll.agresso": "Lön via Agresso",
    "payroll.emergency_girovision": "Akututbetalning Girovision",
    "payroll.salary_debt": "Löneskuld",
    "payroll.hourly.role_register": "Tim: Roll- och organisationsregister",
    "payroll.hourly.honorary_award": "Tim: Hedersbelöning",
    "payroll.hourly.training": "Tim: Utbildning",
    "payroll.hourly.correction": "Tim: Rättning",
    "payroll.hourly.recoding": "Tim: Omkontering",
}
LISA_DEPARTMENTS = {
    "Stadsbyggnadsförvaltningen": "SBF Stadsbyggnad",
    "Skarpnäcks stadsdelsförvaltning": "SDF Skarpnäck",
    "Kulturförvaltningen": "KF Kultur",
}
# The ledger system's labels for the 2010 economy services, and its responsibility codes.
AGRESSO_SERVICES = {
    "ar.feeder": "KR försystem",
    "ar.manual": "KR manuell",
    "ar.manual_attachment": "KR manuell med bilaga",
    "ar.reminder": "KR påminnelse",
    "ap.electronic": "LR elektronisk",
    "ap.manual": "LR manuell",
    "economy.hourly.accountant": "Timme redovisningsekonom",
    "economy.hourly.administrator": "Timme ekonomiadministratör",
    "procurement.hourly": "Timme upphandling",
}
AGRESSO_DEPARTMENTS = {
    "Stadsbyggnadsförvaltningen": "4100",
    "Exploateringsförvaltningen": "4200",
}


def _rows(name: str) -> list[dict[str, str]]:
    text = (ROOT / name).read_text(encoding="utf-8-sig")
    delimiter = ";" if text.splitlines()[0].count(";") else ","
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def _number(text: str) -> int | float:
    value = Decimal(text.replace(",", "."))
    return int(value) if value == value.to_integral_value() else float(value)


def lisa_rows() -> list[list[object]]:
    """The payroll export's rows (header first): volumes-2014.csv in Lisa's words."""
    rows: list[list[object]] = [["Löneperiod", "Förvaltning", "Löneart", "Antal", "Kommentar"]]
    for row in _rows("volumes-2014.csv"):
        year, month = (int(part) for part in row["month"].split("-"))
        period = date(year, month, 1)
        department = LISA_DEPARTMENTS[row["department"]]
        label = LISA_SERVICES[row["service"]]
        quantity = _number(row["quantity"])
        if row["comment"] == "Lisa Självservice":  # 1200 = 1000 via Självservice + 200 via Tid
            rows.append([period, department, label, 1000, "Självservice"])
            rows.append([period, department, "Lisa Tid", 200, "Tidrapportering"])
            continue
        rows.append([period, department, label, quantity, row["comment"] or None])
    return rows


def agresso_rows() -> list[list[object]]:
    """The ledger export's rows (header first): the economy services of volumes-2010.csv."""
    rows: list[list[object]] = [["Period", "Ansvar", "Tjänst", "Antal", "Belopp"]]
    for row in _rows("volumes-2010.csv"):
        if row["service"] not in AGRESSO_SERVICES:
            continue
        period = row["month"].replace("-", "")
        rows.append(
            [
                period,
                AGRESSO_DEPARTMENTS[row["department"]],
                AGRESSO_SERVICES[row["service"]],
                _number(row["quantity"]),
                None,  # the ledger's amount column, left empty: sfprice prices the rows
            ]
        )
    return rows


def write_sheet(path: Path, title: str, rows: list[list[object]], note: str | None = None) -> None:
    """A workbook whose first sheet ``title`` holds ``rows``, and ``note`` on a second sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for cell in sheet["A"][1:]:
        if isinstance(cell.value, date):
            cell.number_format = "yyyy-mm-dd"
    if note is not None:
        book.create_sheet("Om filen").append([note])
    book.properties.creator = "sfprice"
    book.save(path)


def _write(path: Path, title: str, rows: list[list[object]], source: str) -> None:
    write_sheet(path, title, rows, NOTE.format(source=source))


def main() -> None:
    """Write both example exports."""
    EXPORTS.mkdir(exist_ok=True)
    _write(EXPORTS / "lisa-2014.xlsx", "Lönearter", lisa_rows(), "volumes-2014.csv")
    _write(EXPORTS / "agresso-2010.xlsx", "Transaktioner", agresso_rows(), "volumes-2010.csv")


if __name__ == "__main__":
    main()
