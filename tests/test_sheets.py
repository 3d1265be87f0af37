"""Swedish Excel: ``--format xlsx`` and ``--format csv-sv`` read back as the figures they are.

The volumes below are made up; the prices are the 2014 payroll list's (seed 003, lines
148 and 150): self-service 57 kr per person-month, manual 110 kr (57 + 53), training
420 kr per hour.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sfprice import Month, read_volumes, write_volumes_csv
from sfprice.cli import main
from sfprice.errors import InputError
from sfprice.reports.sheets import (
    KR_FORMAT,
    Column,
    ColumnKind,
    Sheet,
    sheet_to_csv_sv,
    workbook_of,
)

VOLUMES = """month,department,service,quantity
2014-01,Kulturförvaltningen,payroll.self_service,640
2014-01,Kulturförvaltningen,payroll.manual,95
2014-02,=Miljöförvaltningen,payroll.hourly.training,2.5
"""
# By hand: 640 x 57 = 36 480,00; 95 x 110 = 10 450,00; 2,5 h x 420 = 1 050,00.
# Total 36 480,00 + 10 450,00 + 1 050,00 = 47 980,00.
# Rows in Swedish order of the departments: "=Miljö..." sorts first.
AMOUNTS = [Decimal("1050.00"), Decimal("36480.00"), Decimal("10450.00")]
TOTAL = Decimal("47980.00")


@pytest.fixture
def volumes(tmp_path: Path) -> Path:
    path = tmp_path / "volumes.csv"
    path.write_text(VOLUMES, encoding="utf-8")
    return path


def _bill(volumes: Path, *extra: str) -> int:
    return main(["bill", str(volumes), "--year", "2014", *extra])


def test_bill_xlsx_has_number_cells_date_cells_and_totals(volumes: Path, tmp_path: Path) -> None:
    target = tmp_path / "bill.xlsx"
    assert _bill(volumes, "--format", "xlsx", "--output", str(target)) == 0
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Fakturarader", "Underlag"]
    ws = book["Fakturarader"]
    header = [c.value for c in ws[1]]
    amount, month, quantity = (header.index(n) + 1 for n in ("amount", "month", "quantity"))
    cells = [ws.cell(row=r, column=amount) for r in range(2, 5)]
    assert [Decimal(str(c.value)) for c in cells] == AMOUNTS
    assert all(isinstance(c.value, int | float) for c in cells)
    assert all(c.number_format == KR_FORMAT for c in cells)
    assert ws.cell(row=3, column=month).value == datetime(2014, 1, 1)
    assert ws.cell(row=2, column=month).value == datetime(2014, 2, 1)
    assert ws.cell(row=2, column=month).number_format == "yyyy-mm"
    assert ws.cell(row=2, column=quantity).value == 2.5
    # A department that starts like a formula stays text.
    assert ws.cell(row=2, column=1).value == "'=Miljöförvaltningen"
    # The totals row: a label and the exact sum; the filter covers the data rows only.
    assert ws.cell(row=5, column=1).value == "Summa"
    assert Decimal(str(ws.cell(row=5, column=amount).value)) == TOTAL
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}4"
    assert ws.freeze_panes == "A2"
    about = {row[0]: row[1] for row in book["Underlag"].iter_rows(values_only=True)}
    assert about["Indata (VOLUMES)"] == str(volumes)
    assert not any(str(key).startswith("'") for key in about)  # no "--x" shown as "'--x"
    assert about["Prislistor"] == "2014"
    assert isinstance(about["Skapad"], datetime)


def test_bill_csv_sv_reads_back_with_decimal_comma(volumes: Path, tmp_path: Path) -> None:
    target = tmp_path / "bill.csv"
    assert _bill(volumes, "--format", "csv-sv", "--output", str(target)) == 0
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == 4
    assert data.count(b"\n") == 4
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert [Decimal(r["amount"].replace(",", ".")) for r in rows] == AMOUNTS
    assert [r["quantity"] for r in rows] == ["2,5", "640", "95"]
    assert rows[2]["component_amounts"] == "5415,00+5035,00"  # 95 x 57, 95 x 53
    assert rows[0]["department"] == "'=Miljöförvaltningen"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--format", "xlsx"), "give --output FILE.xlsx"),
        (("--format", "xlsx", "--output", "bill.csv"), "ends in .xlsx, or Excel refuses"),
        (("--format", "csv", "--output", "bill.xlsx"), "--format csv writes text"),
        (("--output", "bill.XLSX"), "--format table writes text"),
    ],
)
def test_workbook_needs_a_workbook_name(
    volumes: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    extra: tuple[str, ...],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _bill(volumes, *extra) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert message in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["volumes.csv"]


def test_a_figure_excel_cannot_hold_is_refused() -> None:
    # 16 significant digits: Excel's double would show 1234567890123.46.
    sheet = Sheet("t", (Column("amount", ColumnKind.MONEY),), ((Decimal("12345678901234.56"),),))
    with pytest.raises(InputError) as caught:
        workbook_of([sheet], [])
    (issue,) = caught.value.issues
    assert "16 significant digits" in issue.message
    assert (issue.line, issue.column) == (2, "amount")


def test_the_same_content_and_time_give_the_same_bytes() -> None:
    sheet = Sheet("t", (Column("month", ColumnKind.MONTH),), ((Month(2014, 1),),))
    moment = datetime(2026, 12, 1, 7, 0)
    assert workbook_of([sheet], [], generated_at=moment) == workbook_of(
        [sheet], [], generated_at=moment
    )


def test_swedish_volume_csv_reads_back(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(VOLUMES.replace("=", ""), encoding="utf-8")
    volumes = read_volumes(source)
    target = write_volumes_csv(volumes, tmp_path / "sv.csv", swedish=True)
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b";2,5\r\n" in data
    again = read_volumes(target)
    assert [(e.key, e.quantity) for e in again] == [(e.key, e.quantity) for e in volumes]


money = st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False)


@given(st.lists(money, min_size=1, max_size=20))
def test_csv_sv_keeps_every_amount(amounts: list[Decimal]) -> None:
    sheet = Sheet(
        "t",
        (Column("amount", ColumnKind.MONEY),),
        tuple((a,) for a in amounts),
    )
    text = sheet_to_csv_sv(sheet).removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))[1:]
    assert [Decimal(r[0].replace(",", ".")) for r in rows] == amounts


@given(st.lists(money, min_size=1, max_size=8))
def test_workbook_totals_are_the_exact_sum(amounts: list[Decimal]) -> None:
    sheet = Sheet("t", (Column("what"), Column("amount", ColumnKind.MONEY)),
                  tuple(("x", a) for a in amounts))  # fmt: skip
    book = openpyxl.load_workbook(io.BytesIO(workbook_of([sheet], [])))
    ws = book["t"]
    cells = [Decimal(str(ws.cell(row=r, column=2).value)) for r in range(2, len(amounts) + 3)]
    assert cells[:-1] == amounts
    assert cells[-1] == sum(amounts, Decimal(0))


def test_without_openpyxl_the_workbook_says_how_to_install_it(
    volumes: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl fails
    target = tmp_path / "bill.xlsx"
    assert _bill(volumes, "--format", "xlsx", "--output", str(target)) == 2
    assert "pip install 'sfprice[excel]'" in capsys.readouterr().err
    assert not target.exists()
