"""Write the .xlsx cases of the error catalog (run from the repository root).

    .venv/bin/python docs/examples/make_xlsx_errors.py

tests/test_error_catalog.py runs the CLI on the files this writes; a test checks that the
committed files hold what this script writes.
"""

from __future__ import annotations

import runpy
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent / "errors"

#: case file -> (sheet name, rows; the first is the header)
CASES: dict[str, tuple[str, list[list[object]]]] = {
    "xlsx-cells.xlsx": (
        "Lön",
        [
            ["Löneperiod", "Förvaltning", "Löneart", "Antal"],
            [date(2014, 1, 1), "Kulturförvaltningen", "payroll.manual", 95],
            [date(2014, 1, 1), "Kulturförvaltningen", "payroll.salary_debt", "2 st"],
            ["januari 2014", "Kulturförvaltningen", "payroll.manual", 3],
            [date(2014, 1, 1), "Kulturförvaltningen", "payroll.manual", 2.5],
        ],
    ),
    "profile-labels.xlsx": (
        "Lönearter",
        [
            ["Löneperiod", "Förvaltning", "Löneart", "Antal"],
            [date(2014, 1, 1), "KF Kultur", "Lisa Sjalvservice", 640],
            [date(2014, 1, 1), "KF Kulturen", "Manuell rapportering", 95],
        ],
    ),
}


def write(name: str) -> Path:
    """Write one case file (with the examples' writer) and return its path."""
    title, rows = CASES[name]
    path = HERE / name
    writer = runpy.run_path(str(HERE.parents[2] / "examples" / "make_exports.py"))
    writer["write_sheet"](path, title, rows)
    return path


if __name__ == "__main__":
    for case in CASES:
        write(case)
