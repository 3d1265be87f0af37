"""Volume files as .xlsx workbooks: each cell type, each error, and the same VolumeSet as CSV."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from strategies import VolumeRow, volume_csv, year_and_rows

import sfprice
from sfprice.cli import main
from sfprice.errors import InputError
from sfprice.io._xlsx import _number, column_letter
from sfprice.io.volumes import read_quantity
from sfprice.model import VolumeKey
from sfprice.period import Month

HEADER = ("month", "department", "service", "quantity")
Book = Callable[..., Path]


def write_book(
    path: Path, rows: Sequence[Sequence[object]], *, title: str = "Blad1", sheets: int = 1
) -> Path:
    """A workbook whose sheet ``title`` holds ``rows`` (the first is the header)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula stays text
    for n in range(1, sheets):
        book.create_sheet(f"Annat{n}").append(["nothing", "here"])
    book.save(path)
    return path


@pytest.fixture
def book(tmp_path: Path) -> Book:
    def make(rows: Sequence[Sequence[object]], name: str = "v.xlsx", **kw: object) -> Path:
        return write_book(tmp_path / name, rows, **kw)  # type: ignore[arg-type]

    return make


def _quantities(volumes: sfprice.VolumeSet) -> dict[tuple[str, str, str], Decimal]:
    return {(str(e.key.month), e.key.department, e.key.service): e.quantity for e in volumes}


def test_cells_of_each_type(book: Book, catalog: sfprice.PriceCatalog) -> None:
    path = book(
        [
            HEADER,
            (datetime(2014, 1, 1), "Kultur", "payroll.manual", 95),  # date-time cell, int
            (date(2014, 1, 17), "Kultur", "payroll.manual", 5.0),  # date cell, float 5.0
            ("2014-02", "Kultur", "payroll.hourly.training", 1.5),  # text month, float
            ("2014-02-01", "Kultur", "payroll.hourly.training", "2,25"),  # ISO text, text number
            (None, None, None, None),  # an empty row is skipped
            ("2014-02", 1310, "payroll.manual", "1 200"),  # a number as the department
        ]
    )
    volumes = sfprice.read_volumes(path, catalog=catalog, year=2014)
    assert _quantities(volumes) == {
        ("2014-01", "Kultur", "payroll.manual"): Decimal(100),  # 95 + 5
        ("2014-02", "Kultur", "payroll.hourly.training"): Decimal("3.75"),  # 1.5 + 2.25
        ("2014-02", "1310", "payroll.manual"): Decimal(1200),
    }
    key = VolumeKey(Month(2014, 1), "Kultur", "payroll.manual")
    assert next(e for e in volumes if e.key == key).sources[0].rows == 2
    assert sfprice.trace_rows(path, key, catalog=catalog) == (2, 3)


def _patch(path: Path, old: str, new: str) -> Path:
    """Rewrite a stored cell value in sheet1's XML, as Excel writes it (17 digits)."""
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    assert old.encode() in members[sheet]
    members[sheet] = members[sheet].replace(old.encode(), new.encode())
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return path


def test_float_is_its_shortest_decimal(book: Book) -> None:
    # Excel stores =0,1+0,2 as 0.30000000000000004: not a plain quantity (more than 6
    # decimals), refused; 2.675 (stored as the nearest double, 2.67499999999999982...) is
    # read as its shortest decimal 2.675, not 2.67499999999999982236431605997495353221893.
    path = book([HEADER, ("2014-01", "A", "x", 2.675), ("2014-01", "B", "x", 0.3)])
    _patch(path, "<v>0.3</v>", "<v>0.30000000000000004</v>")
    with pytest.raises(InputError) as caught:
        sfprice.read_volumes(path)
    (issue,) = caught.value.issues
    assert (issue.sheet, issue.line, issue.cell, issue.column) == ("Blad1", 3, "D", "quantity")
    assert "'0.30000000000000004' is out of range" in issue.message
    good = book([HEADER, ("2014-01", "A", "x", 2.675)], name="good.xlsx")
    assert _quantities(sfprice.read_volumes(good)) == {("2014-01", "A", "x"): Decimal("2.675")}


def test_number_cells_do_not_settle_ambiguous_text(book: Book) -> None:
    # A number cell 2.5 is a number, not text showing '.' as decimal mark: text '1.000' in
    # the same column stays ambiguous (1 or 1000?) and is refused.
    path = book([HEADER, ("2014-01", "A", "x", 2.5), ("2014-01", "A", "x", "1.000")])
    with pytest.raises(InputError, match=r"'1\.000' is ambiguous"):
        sfprice.read_volumes(path)
    # ...while text that shows a decimal comma settles it, as in a CSV file: 1.000 = 1000.
    path = book(
        [HEADER, ("2014-01", "A", "x", "2,5"), ("2014-01", "A", "x", "1.000")], name="b.xlsx"
    )
    assert _quantities(sfprice.read_volumes(path)) == {("2014-01", "A", "x"): Decimal("1002.5")}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (True, "'TRUE' is not a number"),
        (-3, "quantity '-3' is negative"),
        (1e13, "out of range"),
        ("12x", "'12x' is not a number"),
        ("#DIV/0!", "'#DIV/0!' is not a number"),
    ],
)
def test_bad_quantity_cells(book: Book, cell: object, expected: str) -> None:
    path = book([HEADER, ("2014-01", "A", "x", cell)])
    with pytest.raises(InputError) as caught:
        sfprice.read_volumes(path)
    (issue,) = caught.value.issues
    assert expected in issue.message
    assert str(issue).startswith(f"{path}: sheet 'Blad1', row 2, column D ('quantity'): ")


def test_errors_name_sheet_row_column_letter_and_header(book: Book) -> None:
    path = book(
        [
            ("Kommentar", "Antal", "Tjänst", "Förvaltning", "Månad"),
            ("", 3, "payroll.manual", "A", "2014-13"),
            ("", 3, "payroll.manul", "A", "03/01/2014"),
        ],
        title="Lön",
    )
    with pytest.raises(InputError) as caught:
        sfprice.read_volumes(path, catalog=sfprice.load_catalog())
    shown = [str(i).removeprefix(f"{path}: ") for i in caught.value.issues]
    assert shown[0].startswith("sheet 'Lön', row 2, column E ('Månad'): '2014-13'")
    assert shown[1].startswith("sheet 'Lön', row 3, column E ('Månad'): '03/01/2014'")
    assert shown[2].startswith("sheet 'Lön', row 3, column C ('Tjänst'): unknown service")
    record = caught.value.issues[0].to_record()
    assert (record["sheet"], record["cell"], record["line"]) == ("Lön", "E", 2)


def test_named_sheet_and_missing_sheet(book: Book) -> None:
    path = book([HEADER, ("2014-01", "A", "x", 1)], title="Data", sheets=2)
    assert _quantities(sfprice.read_volumes(path, sheet="Data")) == {
        ("2014-01", "A", "x"): Decimal(1)
    }
    with pytest.raises(
        InputError, match="no sheet named 'Volymer'; its sheets are 'Data', 'Annat1'"
    ):
        sfprice.read_volumes(path, sheet="Volymer")
    with pytest.raises(InputError, match="sheet 'Annat1', row 1: missing column"):
        sfprice.read_volumes(path, sheet="Annat1")


def test_a_wrong_stored_size_drops_no_row(book: Book) -> None:
    # An exporter that writes <dimension ref="A1:D2"> for three data rows: openpyxl's
    # read-only mode would stop at row 2; every row is read: 1 + 2 + 4 = 7.
    rows = [HEADER, ("2014-01", "A", "x", 1), ("2014-01", "A", "x", 2), ("2014-01", "A", "x", 4)]
    path = _patch(book(rows), '<dimension ref="A1:D4"', '<dimension ref="A1:D2"')
    assert _quantities(sfprice.read_volumes(path)) == {("2014-01", "A", "x"): Decimal(7)}


def test_empty_sheet(book: Book) -> None:
    with pytest.raises(InputError, match="the sheet is empty or its first row is blank"):
        sfprice.read_volumes(book([]))


def test_old_xls_and_renamed_csv_are_refused(tmp_path: Path) -> None:
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(InputError, match=r"old binary Excel workbook \(\.xls\)"):
        sfprice.read_volumes(xls)
    renamed = tmp_path / "v.xlsx"
    renamed.write_text("month,department,service,quantity\n2014-01,A,x,1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"is not an \.xlsx workbook"):
        sfprice.read_volumes(renamed)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(InputError, match=r"not a readable \.xlsx workbook"):
        sfprice.read_volumes(broken)


def test_workbook_with_another_name_is_read_as_workbook(book: Book) -> None:
    path = book([HEADER, ("2014-01", "A", "x", 4)], name="export.dat")
    assert _quantities(sfprice.read_volumes(path)) == {("2014-01", "A", "x"): Decimal(4)}


def test_total_row_and_repeated_header(book: Book) -> None:
    path = book([HEADER, ("2014-01", "A", "x", 4), HEADER, ("Summa", None, None, 4)])
    with pytest.raises(InputError) as caught:
        sfprice.read_volumes(path)
    assert [i.line for i in caught.value.issues] == [3, 4]
    assert "repeats the header" in caught.value.issues[0].message
    assert "total row" in caught.value.issues[1].message


def test_cells_right_of_the_header_are_not_read(book: Book) -> None:
    path = book([HEADER, ("2014-01", "A", "x", 4, "a note", 99)])
    assert _quantities(sfprice.read_volumes(path)) == {("2014-01", "A", "x"): Decimal(4)}


def test_infinite_floats_stay_text_and_are_refused() -> None:
    # A workbook cannot normally hold inf or NaN; a program writing one gets it refused.
    assert _number(float("inf")) == "inf"
    assert _number(float("nan")) == "nan"
    assert _number(2.675) == Decimal("2.675")
    assert _number(True) == "TRUE"
    assert read_quantity("inf") == "'inf' is not a number (expected e.g. 12 or 2,5)"


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 3, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "D", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"
    ]  # fmt: skip


def _as_cells(row: VolumeRow) -> tuple[object, ...]:
    quantity = row.quantity
    cell: object = int(quantity) if quantity == quantity.to_integral_value() else float(quantity)
    return (date(row.month.year, row.month.month, 1), row.department, row.service, cell)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(drawn=year_and_rows())
def test_same_rows_as_csv_and_xlsx_give_the_same_volumes(
    tmp_path_factory: pytest.TempPathFactory, drawn: tuple[int, list[VolumeRow]]
) -> None:
    year, rows = drawn
    folder = tmp_path_factory.mktemp("same")
    csv_path = folder / "v.csv"
    csv_path.write_text(volume_csv(rows), encoding="utf-8", newline="")
    xlsx_path = write_book(folder / "v.xlsx", [HEADER, *(_as_cells(r) for r in rows)])
    catalog = sfprice.load_catalog()
    from_csv = sfprice.read_volumes(csv_path, catalog=catalog, year=year)
    from_xlsx = sfprice.read_volumes(xlsx_path, catalog=catalog, year=year)
    assert [(e.key, e.quantity, e.sources[0].rows) for e in from_xlsx] == [
        (e.key, e.quantity, e.sources[0].rows) for e in from_csv
    ]


def test_without_openpyxl_the_message_names_the_extra(
    book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = book([HEADER, ("2014-01", "A", "x", 1)])
    monkeypatch.setattr("sfprice.io._xlsx._openpyxl", lambda: None)
    with pytest.raises(InputError, match=r"needs openpyxl: pip install 'sfprice\[excel\]'"):
        sfprice.read_volumes(path)


def test_import_sfprice_does_not_import_openpyxl() -> None:
    code = "import sys, sfprice; print('openpyxl' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_errors_as_json_carry_sheet_and_cell(
    book: Book, capsys: pytest.CaptureFixture[str]
) -> None:
    path = book([HEADER, ("2014-01", "A", "payroll.manual", "12x")])
    assert main(["bill", str(path), "--year", "2014", "--errors", "json"]) == 2
    (record,) = json.loads(capsys.readouterr().err)["errors"]
    assert (record["sheet"], record["line"], record["cell"], record["column"]) == (
        "Blad1", 2, "D", "quantity"
    )  # fmt: skip


def test_a_sheet_without_the_header_names_the_other_sheets(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Info"
    book.active.append(["Exporterad 2014-02-03"])
    data = book.create_sheet("Data")
    data.append(["month", "department", "service", "quantity"])
    data.append(["2014-01", "Kulturförvaltningen", "payroll.self_service", 10])
    book.save(tmp_path / "export.xlsx")
    with pytest.raises(InputError) as caught:
        sfprice.read_volumes(tmp_path / "export.xlsx")
    (issue,) = caught.value.issues
    assert issue.sheet == "Info"
    assert "other sheets: 'Data' (choose one as sheet=)" in issue.message
    (entry,) = sfprice.read_volumes(tmp_path / "export.xlsx", sheet="Data")
    assert entry.quantity == 10
