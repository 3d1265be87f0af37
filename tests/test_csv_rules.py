"""The CSV rules every reader shares (sfprice.io._csv), and the other issue-9 misreads.

Each reader -- volumes, forecast, staffing, customers, allocation-key snapshots -- must
refuse, with file and line, what it used to read silently: rows longer than the header,
a quote that never closes (which swallowed every following row), text after a closing
quote (``"300"0`` read as 3000), total rows, UTF-16 files, huge fields, non-ASCII digits
and exponents. Nested TOML and a service without a price are located too.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sfprice
from sfprice import InputError, PriceCatalog, PriceNotFound
from sfprice.cli import main
from sfprice.documents.sie import SieError, load_accounts
from sfprice.io._csv import records
from sfprice.io.allocations import read_snapshot
from sfprice.io.customers import read_customers
from sfprice.io.forecast import read_forecast
from sfprice.io.staffing import read_staffing
from sfprice.io.volumes import locate_missing_prices

WriteFile = Callable[..., Path]
SEMI = "month;department;service;quantity\n"


def _volumes(path: Path) -> object:
    return sfprice.read_volumes(path)


def _forecast(path: Path) -> object:
    return read_forecast(path)


def _staffing(path: Path) -> object:
    return read_staffing(path, year=2014)


def _customers(path: Path) -> object:
    return read_customers(path)


def _snapshot(path: Path) -> object:
    return read_snapshot(path)


# (reader, header, a good row, a good row with a trailing comment column)
READERS = {
    "volumes": (_volumes, "month,department,service,quantity", "2014-01,A,payroll.manual,{q}"),
    "forecast": (_forecast, "service,quantity", "payroll.manual,{q}"),
    "staffing": (_staffing, "month,area,fte", "2014-{m:02d},payroll,{q}"),
    "customers": (_customers, "department,employees", "A{n},{q}"),
    "snapshot": (_snapshot, "department,quantity", "A{n},{q}"),
}


def _issues(reader: Callable[[Path], object], path: Path) -> list[tuple[int | None, str]]:
    with pytest.raises(InputError) as info:
        reader(path)
    return [(i.line, i.message) for i in info.value.issues]


def _rows(template: str, quantities: list[str]) -> str:
    return "".join(template.format(q=q, n=n, m=n + 1) + "\n" for n, q in enumerate(quantities))


# ----------------------------------------------------------- rows longer than the header


@pytest.mark.parametrize("name", READERS)
def test_a_row_longer_than_the_header_is_located(name: str, write_file: WriteFile) -> None:
    reader, header, row = READERS[name]
    # "2,5" unquoted in a ',' file: two fields. Before, 2 was read and the 5 dropped.
    text = header + "\n" + _rows(row, ["1", "2,5", "3"])
    issues = _issues(reader, write_file("f.csv", text))
    assert [line for line, _ in issues] == [3]
    assert "the header has" in issues[0][1]
    assert '"2,5"' in issues[0][1]  # the hint: quote a decimal comma


def test_the_issue_examples_of_long_rows(write_file: WriteFile, catalog: PriceCatalog) -> None:
    # Before: 2 hours (840,00 kr) and 1 payslip, exit 0.
    path = write_file(
        "v.csv",
        "month,department,service,quantity\n"
        "2014-01,Kulturförvaltningen,payroll.hourly.training,2,5\n"
        "2014-01,Kulturförvaltningen,payroll.self_service,1,200\n",
    )
    with pytest.raises(InputError) as info:
        sfprice.read_volumes(path, catalog=catalog)
    assert [i.line for i in info.value.issues] == [2, 3]


def test_empty_fields_after_the_header_are_allowed(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    # Excel writes ";;" up to its widest row: empty extra fields carry nothing.
    path = write_file("v.csv", SEMI + "2014-01;A;payroll.manual;3;;\n")
    assert sfprice.read_volumes(path, catalog=catalog).entries[0].quantity == Decimal(3)


# ------------------------------------------------------------------------------ quotes


@pytest.mark.parametrize("name", READERS)
def test_a_quote_that_never_closes_is_located_and_swallows_nothing(
    name: str, write_file: WriteFile
) -> None:
    reader, header, row = READERS[name]
    text = (
        header
        + ",comment\n"
        + _rows(row + ",ok", ["1"])
        + _rows(row + ',"oops', ["2"]).replace("A0,", "A1,")
        + _rows(row + ",ok", ["3", "4"]).replace("A0,", "A2,").replace("A1,", "A3,")
    )
    issues = _issues(reader, write_file("f.csv", text))
    assert issues[0][0] == 3
    assert "never closed" in issues[0][1]


@pytest.mark.parametrize("name", READERS)
def test_text_after_a_closing_quote_is_located(name: str, write_file: WriteFile) -> None:
    reader, header, row = READERS[name]
    # Before: "300"0 was read as 3000.
    text = header + "\n" + _rows(row, ["1", '"300"0'])
    issues = _issues(reader, write_file("f.csv", text))
    assert issues == [(3, issues[0][1])]
    assert "text follows a closing quote" in issues[0][1]


def test_a_quote_closed_rows_later_is_located(write_file: WriteFile) -> None:
    # The quote opened on line 3 closes on line 5: lines 4-5 would vanish into a comment.
    text = (
        "month,department,service,quantity,comment\n"
        "2014-01,A,payroll.manual,1,\n"
        '2014-01,A,payroll.manual,2,"oops\n'
        "2014-01,A,payroll.manual,3,\n"
        '2014-01,A,payroll.manual,4,"\n'
        "2014-01,A,payroll.manual,5,\n"
    )
    issues = _issues(_volumes, write_file("v.csv", text))
    assert [line for line, _ in issues] == [3]
    assert "runs to line 5" in issues[0][1]


def test_a_quote_in_a_customer_file_is_blamed_on_its_own_line(write_file: WriteFile) -> None:
    text = 'department,employees,comment\nA,10,ok\nB,20,"oops\nC,30,ok\nD,40,ok\n'
    issues = _issues(_customers, write_file("c.csv", text))
    assert [line for line, _ in issues] == [3]


def test_a_broken_forecast_no_longer_gives_a_wrong_break_even_price(
    write_file: WriteFile,
) -> None:
    # Before: the unclosed quote swallowed the payroll.manual row and the forecast was
    # 453 000 self-service payslips only (break-even 107 instead of 66/127).
    text = (
        "service,quantity,comment\n"
        'payroll.self_service,453000,"ca 453 000\n'
        "payroll.manual,147000,rest\n"
    )
    issues = _issues(_forecast, write_file("f.csv", text))
    assert issues[0][0] == 2


def test_a_field_over_the_csv_limit_is_located(write_file: WriteFile) -> None:
    text = SEMI + "2014-01;A;payroll.manual;1\n" + "2014-01;A;payroll.manual;" + "9" * 140_000
    issues = _issues(_volumes, write_file("v.csv", text + "\n"))
    assert [line for line, _ in issues] == [3]
    assert "longer than 131 072 characters" in issues[0][1]


# -------------------------------------------------------------------------- total rows


def test_an_excel_total_row_is_one_clear_error(write_file: WriteFile) -> None:
    # Before: three unrelated errors (month, department, service) and no hint.
    text = SEMI + "2014-01;A;payroll.manual;79745,5\nSumma;;;79745,5\n"
    issues = _issues(_volumes, write_file("v.csv", text))
    assert len(issues) == 1
    assert issues[0][0] == 3
    assert "total row" in issues[0][1]
    assert "delete it" in issues[0][1]


@pytest.mark.parametrize(
    "row",
    [";;;1295", "Totalt;;;1295", ";Kulturförvaltningen Summa;;1295", "2014-01;Summa;;1295"],
)
def test_total_and_subtotal_rows_are_recognised(write_file: WriteFile, row: str) -> None:
    issues = _issues(_volumes, write_file("v.csv", SEMI + row + "\n"))
    assert len(issues) == 1
    assert "total row" in issues[0][1]


def test_a_forecast_total_row_is_recognised(write_file: WriteFile) -> None:
    text = "service;quantity\npayroll.manual;147000\nSumma;600000\n"
    issues = _issues(_forecast, write_file("f.csv", text))
    assert issues == [(3, issues[0][1])]
    assert "total row" in issues[0][1]


# ---------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("encoding", "bom", "says"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE, "UTF-16 (little-endian, with a byte-order mark)"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "UTF-16 (big-endian, with a byte-order mark)"),
        ("utf-16-le", b"", "UTF-16 (little-endian, without a byte-order mark)"),
        ("utf-16-be", b"", "UTF-16 (big-endian, without a byte-order mark)"),
        ("utf-32-le", codecs.BOM_UTF32_LE, "UTF-32 (little-endian"),
    ],
)
@pytest.mark.parametrize("name", READERS)
def test_utf16_is_named_as_such(
    name: str, write_file: WriteFile, encoding: str, bom: bytes, says: str
) -> None:
    reader, header, row = READERS[name]
    data = bom + (header + "\n" + _rows(row, ["1"])).encode(encoding)
    issues = _issues(reader, write_file("f.csv", data))
    assert issues[0][0] == 1
    assert says in issues[0][1]
    assert "Latin-1" not in issues[0][1]


@pytest.mark.parametrize("name", READERS)
def test_windows_1252_is_named_with_the_character(name: str, write_file: WriteFile) -> None:
    reader, header, row = READERS[name]
    second = _rows(row, ["2"]).replace("A", "Ö").replace("o", "ö")
    data = (header + "\n" + _rows(row, ["1"]) + second).encode("cp1252")
    issues = _issues(reader, write_file("f.csv", data))
    assert issues[0][0] == 3
    assert "looks like Windows-1252/Latin-1" in issues[0][1]
    assert "would be 'Ö'" in issues[0][1] or "would be 'ö'" in issues[0][1]


def test_a_utf8_bom_is_fine(write_file: WriteFile) -> None:
    path = write_file("v.csv", "\ufeff" + SEMI + "2014-01;A;payroll.manual;2\n")
    assert sfprice.read_volumes(path).entries[0].quantity == Decimal(2)


# ----------------------------------------------------------- digits, exponents, ranges


@pytest.mark.parametrize("value", ["1e30", "1e1000000", "1E+30", "١٢", "１２", "inf"])
@pytest.mark.parametrize("name", READERS)
def test_numbers_no_reader_accepts(name: str, write_file: WriteFile, value: str) -> None:
    reader, header, row = READERS[name]
    issues = _issues(reader, write_file("f.csv", header + "\n" + _rows(row, ["1", value])))
    assert [line for line, _ in issues] == [3]
    assert repr(value) in issues[0][1]


@pytest.mark.parametrize("year", ["٢٠٢٤", "２０２４", "2e3"])
def test_a_first_year_in_other_digits_is_refused(write_file: WriteFile, year: str) -> None:
    path = write_file("c.csv", f"department,first_year\nA,2020\nB,{year}\n")
    assert [line for line, _ in _issues(_customers, path)] == [3]


def test_staffing_months_in_other_digits_are_refused(write_file: WriteFile) -> None:
    path = write_file("s.csv", "area,fte,month\npayroll,5,2014-01\npayroll,5,٢٠١٤-٠٢\n")
    issues = _issues(_staffing, path)
    assert [line for line, _ in issues] == [3]
    assert "not an ASCII digit" in issues[0][1]


# ------------------------------------------------------------------- nested TOML


def _deep(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_text('id = "x"\n\na = ' + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ["pricelists", "--pricelists", "{path}"],
        ["breakeven", "--budget", "{path}", "--forecast", "{forecast}", "--rule", "ratio"],
        ["bill", "{volumes}", "--year", "2010", "--allocations", "{path}"],
    ],
)
def test_deeply_nested_toml_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    path = _deep(tmp_path, "deep.toml")
    examples = Path(__file__).resolve().parents[1] / "examples"
    args = [
        a.format(
            path=path,
            forecast=examples / "forecast-2014.csv",
            volumes=examples / "volumes-2010.csv",
        )
        for a in argv
    ]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"error: {path}:3: arrays or tables are nested too deeply" in err
    assert "Traceback" not in err


def test_deeply_nested_account_mapping_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SieError, match="nested too deeply"):
        load_accounts(_deep(tmp_path, "accounts.toml"))


# -------------------------------------------------------- a service without a price


def test_a_service_without_a_price_names_its_first_row(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    path = write_file(
        "v.csv",
        SEMI
        + "2014-02;A;payroll.manual;1\n"  # line 2: priced
        + "2014-03;A;payroll.manual;1\n"  # line 3: priced
        + "2014-03;B;ar.feeder;5\n"  # line 4: first ar.feeder of 2014-03 (no 2014 price)
        + "2014-04;B;ar.feeder;5\n"  # line 5: another month, its own issue
        + "2014-03;C;ar.feeder;7\n",  # line 6: the second of 2014-03
    )
    volumes = sfprice.read_volumes(path, catalog=catalog, year=2014)
    with pytest.raises(PriceNotFound) as info:
        sfprice.bill(catalog, volumes, year=2014)
    located = locate_missing_prices(info.value)
    assert [(i.path, i.line, i.column) for i in located.issues] == [
        (str(path), 4, "service"),
        (str(path), 5, "service"),
    ]
    assert located.issues[0].message.endswith("2 row(s) of this file use it, from line 4")
    assert located.issues[1].message.endswith("1 row(s) of this file use it, from line 5")


@pytest.mark.parametrize("price", ["1e1000000", "1e41", "1e-1000000"])
def test_absurd_toml_numbers_are_located_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], price: str
) -> None:
    # 1e1000000 kr ended in decimal.Overflow. (1e30 kr is billed exactly, by design:
    # tests/test_cli.py::test_amounts_beyond_28_digits_are_summed_and_shown_exactly.)
    source = Path(__file__).resolve().parents[1] / "pricelists" / "2014.toml"
    text = source.read_text(encoding="utf-8").replace("price = 57\n", f"price = {price}\n", 1)
    (tmp_path / "2014.toml").write_text(text, encoding="utf-8")
    volumes = Path(__file__).resolve().parents[1] / "examples" / "volumes-2014.csv"
    assert main(["bill", str(volumes), "--year", "2014", "--pricelists", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "items[0].price (payroll.self_service): " in err
    assert "is out of range (expected at most 40 digits before the decimal mark" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("name", READERS)
def test_a_header_over_the_csv_limit_is_located(name: str, write_file: WriteFile) -> None:
    reader, header, row = READERS[name]
    text = header + "," + "x" * 140_000 + "\n" + _rows(row, ["1"])
    issues = _issues(reader, write_file("f.csv", text))
    assert issues[0][0] == 1


def test_an_account_number_in_other_digits_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "accounts.toml"
    path.write_text('[revenue]\n"payroll.*" = "３０１０"\n[cost]\n', encoding="utf-8")
    with pytest.raises(SieError, match="is not a BAS account"):
        load_accounts(path)


def test_a_quote_closed_rows_later_with_text_after_it_names_both_lines(
    write_file: WriteFile,
) -> None:
    text = (
        "month,department,service,quantity,comment\n"
        '2014-01,A,payroll.manual,1,"oops\n'  # line 2: opens
        "2014-01,A,payroll.manual,2,\n"
        '2014-01,A,payroll.manual,3,"ok"\n'  # line 4: its first quote closes line 2's
    )
    issues = _issues(_volumes, write_file("v.csv", text))
    assert issues[0][0] == 2
    assert "closes only on line 4" in issues[0][1]


@given(st.text(alphabet='ab,;"\n\r 1', max_size=60))
def test_records_never_raise_and_never_lose_a_line(text: str) -> None:
    # Any text: each record is yielded or reported, and lines only grow.
    issues: list[sfprice.Issue] = []
    rows = list(
        records(io.StringIO(text, newline=""), ",", "f.csv", width=2, header_width=3, issues=issues)
    )
    lines = [line for line, _ in rows] + [i.line or 0 for i in issues]
    assert all(line >= 2 for line in lines)
    assert all(len(fields) <= 3 or not any(f.strip() for f in fields[3:]) for _, fields in rows)


def test_a_decimal_comma_split_into_an_extra_header_column_is_refused(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    # Fresh-clone trial of issue 9: with a 'comment' column after the quantity, "2,5"
    # unquoted filled both columns and 2 hours were billed (840,00 kr), exit 0.
    text = (
        "month,department,service,quantity,comment\n"
        "2014-01,Kulturförvaltningen,payroll.hourly.training,2,5\n"
        "2014-01,Kulturförvaltningen,payroll.self_service,3,\n"
        "2014-01,Kulturförvaltningen,payroll.self_service,4,vikarie 12a\n"
    )
    with pytest.raises(InputError) as info:
        sfprice.read_volumes(write_file("v.csv", text), catalog=catalog)
    (issue,) = info.value.issues
    assert (issue.line, issue.column) == (2, "quantity")
    assert '"2,5"' in issue.message


def test_a_quoted_decimal_comma_before_a_numeric_column_is_read(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    # Quoted, "2,5" is 2,5 hours: 2,5 x 420 = 1 050,00 kr; 3 x 57 = 171,00 kr; in a ';'
    # file a number in the next column is no split: 4 x 57 = 228,00 kr.
    text = (
        "month,department,service,quantity,comment\n"
        '2014-01,K,payroll.hourly.training,"2,5",5\n'
        "2014-01,K,payroll.self_service,3,\n"
    )
    volumes = sfprice.read_volumes(write_file("v.csv", text), catalog=catalog)
    assert sfprice.bill(catalog, volumes, year=2014).total == Decimal("1221.00")
    semi = "month;department;service;quantity;kostnadsställe\n2014-01;K;payroll.self_service;4;12\n"
    volumes = sfprice.read_volumes(write_file("s.csv", semi), catalog=catalog)
    assert sfprice.bill(catalog, volumes, year=2014).total == Decimal("228.00")


def test_deeply_nested_inline_tables_name_their_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Fresh-clone trial: `a = {x={x=...` 3000 deep had no line (only `[[[[` had one).
    path = tmp_path / "deep.toml"
    path.write_text('id = "x"\n\n# a comment\na = ' + "{x=" * 3000 + "1" + "}" * 3000 + "\n")
    assert main(["pricelists", "--pricelists", str(path)]) == 2
    assert f"error: {path}:4: arrays or tables are nested too deeply" in capsys.readouterr().err


def test_a_second_header_row_is_one_clear_error(write_file: WriteFile) -> None:
    # Fresh-clone trial: two exports pasted together gave three unrelated errors.
    path = write_file(
        "v.csv",
        "month;department;service;quantity\n2014-01;K;payroll.manual;1\n"
        "Månad;Förvaltning;Tjänst;Antal\n2014-02;K;payroll.manual;1\n",
    )
    issues = _issues(sfprice.read_volumes, path)
    assert len(issues) == 1
    assert issues[0][0] == 3
    assert "repeats the header" in issues[0][1]


@pytest.mark.parametrize("name", READERS)
def test_a_split_decimal_comma_in_an_ignored_column_is_refused_by_every_reader(
    name: str, write_file: WriteFile
) -> None:
    # Second fresh-clone trial: staffing "payroll,54,75" was read as 54 FTE, a forecast's
    # "2,5" as 2, a customer's "3,050" as 3 employees, a snapshot key's "61,5" as 61.
    reader, header, row = READERS[name]
    text = header + ",comment\n" + row.format(q="1 200", n=0, m=1) + ",5\n"
    issues = _issues(reader, write_file("f.csv", text))
    assert [line for line, _ in issues] == [2]
    assert "split by the delimiter" in issues[0][1]
    # A ';' file has no such ambiguity.
    semi = (header + ";comment\n" + row.format(q="12", n=0, m=1) + ";5\n").replace(",", ";")
    reader(write_file("s.csv", semi))
