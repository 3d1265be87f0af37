"""The reports as workbooks and Swedish CSV: the same figures as their JSON, as numbers."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from sfprice.cli import main

REPO = Path(__file__).resolve().parents[1]
EX = REPO / "examples"

REPORTS = {
    "fullcost": ["fullcost", "--budget", "2010-administration"],
    "balance": [
        "balance", str(EX / "payroll-2014-synthetic-year.csv"), "--year", "2014",
        "--budget", "2014-payroll",
    ],
    "kpi": [
        "kpi", str(EX / "volumes-2014.csv"), "--year", "2014", "--staffing",
        str(EX / "staffing-2014.csv"), "--budget", "2014-payroll",
    ],
    "simulate": [
        "simulate", str(EX / "payroll-2014-synthetic-year.csv"), "--year", "2014",
        "--budget", "2014-payroll", "--model", "fixed",
    ],
}  # fmt: skip


def _json_rows(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    assert main([*argv, "--format", "json"]) == 0
    rows: list[dict[str, object]] = json.loads(capsys.readouterr().out)["rows"]
    return rows


def _same(cell: object, text: object) -> bool:
    """Whether a workbook cell holds the figure, month or text of a JSON value."""
    if text is None:
        return cell is None
    if isinstance(cell, datetime):
        return f"{cell.year:04d}-{cell.month:02d}" == text
    if isinstance(cell, bool) or isinstance(text, bool):
        return cell == text
    if isinstance(cell, int | float):
        return Decimal(str(cell)) == Decimal(str(text))
    return cell == text


@pytest.mark.parametrize("name", REPORTS)
def test_report_workbook_holds_the_json_figures(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = REPORTS[name]
    rows = _json_rows(argv, capsys)
    target = tmp_path / f"{name}.xlsx"
    assert main([*argv, "--format", "xlsx", "--output", str(target)]) == 0
    book = openpyxl.load_workbook(target)
    ws = book[book.sheetnames[0]]
    assert book.sheetnames[-1] == "Underlag"
    header = [c.value for c in ws[1]]
    assert header == list(rows[0])
    for number, row in enumerate(rows, start=2):
        cells = [c.value for c in ws[number]]
        for column, cell in zip(header, cells, strict=True):
            assert _same(cell, row[column]), (number, column, cell, row[column])
    # Only fullcost sums its rows (the others overlap: months and tertials, models).
    has_total = ws.max_row == len(rows) + 2
    assert has_total == (name == "fullcost")


def test_fullcost_totals_are_the_budget(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json_rows(REPORTS["fullcost"], capsys)
    target = tmp_path / "fullcost.xlsx"
    assert main([*REPORTS["fullcost"], "--format", "xlsx", "--output", str(target)]) == 0
    ws = openpyxl.load_workbook(target)["Fullkostnad"]
    totals = dict(zip([c.value for c in ws[1]], [c.value for c in ws[ws.max_row]], strict=True))
    assert totals["area"] == "Summa"
    for column in ("direct_cost", "full_cost", "result"):
        expected = sum((Decimal(str(r[column])) for r in rows), Decimal(0))
        assert Decimal(str(totals[column])) == expected
    assert ws.cell(row=2, column=3).number_format == '#,##0.00 "kr"'


def test_balance_csv_sv_reads_back(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json_rows(REPORTS["balance"], capsys)
    assert main([*REPORTS["balance"], "--format", "csv-sv"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("\ufeff")
    back = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";"))
    assert [r["period"] for r in back] == [r["period"] for r in rows]
    for mine, theirs in zip(back, rows, strict=True):
        assert Decimal(mine["billed"].replace(",", ".")) == Decimal(str(theirs["billed"]))
        assert mine["complete"] == ("ja" if theirs["complete"] else "nej")


def test_breakeven_offers_swedish_csv_but_no_workbook(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["breakeven", "--budget", "2014-payroll", "--forecast",
            str(EX / "forecast-2014.csv"), "--rule", "ratio"]  # fmt: skip
    assert main([*argv, "--format", "csv-sv"]) == 0
    text = capsys.readouterr().out
    # The 2014 forecast: 453 000 self-service payslips at a break-even price of 66 kr.
    assert "\r\npayroll.self_service;453000;" in text
    assert ";66;nej\r\n" in text
    with pytest.raises(SystemExit):
        main([*argv, "--format", "xlsx", "--output", "x.xlsx"])


def test_pricelists_workbook_has_prices_as_numbers(tmp_path: Path) -> None:
    target = tmp_path / "lists.xlsx"
    assert main(["pricelists", "--format", "xlsx", "--output", str(target)]) == 0
    ws = openpyxl.load_workbook(target)["Prislistor"]
    header = [c.value for c in ws[1]]
    found = {
        (row[header.index("price_list")], row[header.index("code")]): row[header.index("price")]
        for row in ws.iter_rows(min_row=2, values_only=True)
    }
    assert found[("2014", "payroll.self_service")] == 57  # seed 003, line 148
    assert found[("2014", "payroll.manual")] == 110  # 57 + 53, line 150


def test_a_year_shows_without_a_thousands_separator(tmp_path: Path) -> None:
    target = tmp_path / "kpi.xlsx"
    assert main([*REPORTS["kpi"], "--format", "xlsx", "--output", str(target)]) == 0
    ws = openpyxl.load_workbook(target)["Nyckeltal"]
    header = [c.value for c in ws[1]]
    years = [row[header.index("year")] for row in ws.iter_rows(min_row=2)]
    filled = [cell for cell in years if cell.value is not None]
    assert filled  # 2014: shown "2014", not "2 014"
    assert {(cell.value, cell.number_format) for cell in filled} == {(2014, "0")}
