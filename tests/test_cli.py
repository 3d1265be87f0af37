"""The command line, called in-process through ``sfprice.cli.main`` (one subprocess test)."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from sfprice.cli import main

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
EXAMPLE_2014 = EXAMPLES / "volumes-2014.csv"
EXAMPLE_2010 = EXAMPLES / "volumes-2010.csv"
NBSP = "\u00a0"
HEADER = "month,department,service,quantity\n"

WriteFile = Callable[..., Path]

# The example totals, by hand (quantity x price per line, summed per invoice):
#
# 2014 (57 self service, 110 manual, 190 Agresso, 710 Girovision, 500 salary debt,
#       420/440 per hour):
#   Stadsbyggnad 2014-01: 1200*57 + 300*110 + 2*190 + 710 + 500 + 3*420 + 2*440
#                        = 68400 + 33000 + 380 + 710 + 500 + 1260 + 880 = 105130
#   Stadsbyggnad 2014-02: 1180*57 + 310*110 + 1.5*420 = 67260 + 34100 + 630 = 101990
#   Skarpnäck 2014-01:    2450*57 + 610*110 + 2.25*420 = 139650 + 67100 + 945 = 207695
#   Skarpnäck 2014-02:    2480*57 + (400+190)*110 + 0.5*420 = 141360 + 64900 + 210 = 206470
#   Kultur 2014-01:       640*57 + 95*110 + 2*500 = 36480 + 10450 + 1000 = 47930
#   Total: 105130 + 101990 + 207695 + 206470 + 47930 = 669215
INVOICES_2014 = {
    ("Stadsbyggnadsförvaltningen", "2014-01"): "105130.00",
    ("Stadsbyggnadsförvaltningen", "2014-02"): "101990.00",
    ("Skarpnäcks stadsdelsförvaltning", "2014-01"): "207695.00",
    ("Skarpnäcks stadsdelsförvaltning", "2014-02"): "206470.00",
    ("Kulturförvaltningen", "2014-01"): "47930.00",
}
# 2010:
#   Stadsbyggnad 2010-03: 1000*9 + 200*30 + 50*45 + 800*19 + 150*40 + 20*40 + 10*400
#                         + 5*360 + 1200*63 + 300*88 + 4*350
#                       = 9000 + 6000 + 2250 + 15200 + 6000 + 800 + 4000 + 1800 + 75600
#                         + 26400 + 1400 = 148450
#   Exploatering 2010-03: 7.5*650 + 310*19 + 220*63 + 41*88 = 4875 + 5890 + 13860 + 3608
#                       = 28233
#   Exploatering 2010-04: 225*63 + 38*88 = 14175 + 3344 = 17519
#   Total: 148450 + 28233 + 17519 = 194202
INVOICES_2010 = {
    ("Stadsbyggnadsförvaltningen", "2010-03"): "148450.00",
    ("Exploateringsförvaltningen", "2010-03"): "28233.00",
    ("Exploateringsförvaltningen", "2010-04"): "17519.00",
}
EXAMPLE_RUNS = [
    (EXAMPLE_2014, "2014", "669215.00", f"669{NBSP}215,00{NBSP}kr", INVOICES_2014),
    (EXAMPLE_2010, "2010", "194202.00", f"194{NBSP}202,00{NBSP}kr", INVOICES_2010),
]
RUN_IDS = ["2014", "2010"]

PRICE_LIST_2015 = """\
id = "2015-test"
title = "Testlista 2015"
valid_from = 2015-01-01
valid_to = 2015-12-31
currency = "SEK"
source = "test"

[[items]]
code = "test.hourly"
name = "Testtimme"
unit = "hour"
price = 12.50

[[items]]
code = "test.count"
name = "Testantal"
unit = "transaction"
components = [{ label = "Bas", price = 7 }, { label = "Tillägg", price = 3 }]
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------------ bill


@pytest.mark.parametrize(
    ("volumes", "year", "total", "shown", "invoices"), EXAMPLE_RUNS, ids=RUN_IDS
)
def test_bill_table(
    capsys: pytest.CaptureFixture[str],
    volumes: Path,
    year: str,
    total: str,
    shown: str,
    invoices: dict[tuple[str, str], str],
) -> None:
    code, out, err = run(capsys, "bill", volumes, "--year", year)
    assert code == 0
    assert err == ""
    last = out.rstrip("\n").splitlines()[-1]
    departments = len({department for department, _ in invoices})
    assert last == (f"Totalt: {shown}  ({len(invoices)} fakturor, {departments} förvaltningar)")
    # babel's Swedish format: no-break spaces between thousands and before "kr".
    assert shown in out
    assert out.count("Summa faktura") == len(invoices)


def test_bill_table_shows_lines_components_and_months(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "bill", EXAMPLE_2014, "--year", "2014")
    assert code == 0
    assert "Förvaltning: Kulturförvaltningen    Period: januari 2014 (2014-01)" in out
    # Kultur 2014-01, payroll.manual: 95 x 110 = 10450, of which 95 x 57 = 5415 and
    # 95 x 53 = 5035.
    assert f"10{NBSP}450,00{NBSP}kr" in out
    assert f"5{NBSP}415,00{NBSP}kr" in out
    assert f"5{NBSP}035,00{NBSP}kr" in out
    assert "varav Tillägg manuell rapportering" in out
    # Fractional hours print with a decimal comma: 2,25 h x 420 = 945.
    assert "2,25" in out
    assert f"945,00{NBSP}kr" in out


def test_bill_table_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "bill", EXAMPLE_2014, "--year", "2014", "--locale", "en_GB")
    assert code == 0
    assert "Total: " in out
    assert "669,215.00" in out


@pytest.mark.parametrize(
    ("volumes", "year", "total", "shown", "invoices"), EXAMPLE_RUNS, ids=RUN_IDS
)
def test_bill_json(
    capsys: pytest.CaptureFixture[str],
    volumes: Path,
    year: str,
    total: str,
    shown: str,
    invoices: dict[tuple[str, str], str],
) -> None:
    code, out, err = run(capsys, "bill", volumes, "--year", year, "--format", "json")
    assert code == 0
    assert err == ""
    data = json.loads(out)
    assert data["year"] == int(year)
    assert data["currency"] == "SEK"
    assert data["total"] == total
    assert data["excluded_rows"] == 0
    assert {(i["department"], i["month"]): i["total"] for i in data["invoices"]} == invoices
    for invoice in data["invoices"]:
        assert invoice["price_list"] == year
        # Each invoice total is the sum of its line amounts, and each line is quantity x price.
        lines = invoice["lines"]
        assert sum(Decimal(line["amount"]) for line in lines) == Decimal(invoice["total"])
        for line in lines:
            assert Decimal(line["quantity"]) * Decimal(line["unit_price"]) == Decimal(
                line["amount"]
            )
            assert line["volume_files"] == [str(volumes)]
    assert sum(Decimal(i["total"]) for i in data["invoices"]) == Decimal(total)


def test_bill_json_keeps_components_and_row_counts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "bill", EXAMPLE_2014, "--year", "2014", "--format", "json")
    assert code == 0
    data = json.loads(out)
    (invoice,) = [
        i
        for i in data["invoices"]
        if i["department"] == "Skarpnäcks stadsdelsförvaltning" and i["month"] == "2014-02"
    ]
    (manual,) = [line for line in invoice["lines"] if line["service"] == "payroll.manual"]
    # Two rows (400 + 190 = 590) at 110 = 64900, split 590 x 57 = 33630 and 590 x 53 = 31270.
    assert manual["quantity"] == "590"
    assert manual["volume_rows"] == 2
    assert manual["amount"] == "64900.00"
    assert [(c["unit_price"], c["amount"]) for c in manual["components"]] == [
        ("57.00", "33630.00"),
        ("53.00", "31270.00"),
    ]
    assert manual["price_source"] == "003_dbc171dac11004c9.txt:150,154"


@pytest.mark.parametrize(
    ("volumes", "year", "total", "shown", "invoices"), EXAMPLE_RUNS, ids=RUN_IDS
)
def test_bill_csv(
    capsys: pytest.CaptureFixture[str],
    volumes: Path,
    year: str,
    total: str,
    shown: str,
    invoices: dict[tuple[str, str], str],
) -> None:
    code, out, err = run(capsys, "bill", volumes, "--year", year, "--format", "csv")
    assert code == 0
    assert err == ""
    rows = list(csv.DictReader(io.StringIO(out)))
    assert sum(Decimal(row["amount"]) for row in rows) == Decimal(total)
    per_invoice: dict[tuple[str, str], Decimal] = {}
    for row in rows:
        key = (row["department"], row["month"])
        per_invoice[key] = per_invoice.get(key, Decimal(0)) + Decimal(row["amount"])
        assert row["price_list"] == year
    assert per_invoice == {key: Decimal(value) for key, value in invoices.items()}
    # One line per distinct (month, department, service); every volume row is in one.
    source_rows = len(volumes.read_text(encoding="utf-8-sig").strip().splitlines()) - 1
    assert sum(int(row["volume_rows"]) for row in rows) == source_rows


def test_bill_csv_composite_columns(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "bill", EXAMPLE_2014, "--year", "2014", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    (agresso,) = [row for row in rows if row["service"] == "payroll.agresso"]
    # 2 paid salaries x (110 + 80) = 380 = 220 + 160.
    assert agresso["quantity"] == "2"
    assert agresso["unit_price"] == "190.00"
    assert agresso["amount"] == "380.00"
    assert agresso["components"] == "110.00+80.00"
    assert agresso["component_amounts"] == "220.00+160.00"


def test_several_volume_files_add_up(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile
) -> None:
    extra = write_file("extra.csv", HEADER + "2014-01,Kulturförvaltningen,payroll.manual,5\n")
    code, out, err = run(capsys, "bill", EXAMPLE_2014, extra, "--year", "2014", "--format", "json")
    assert code == 0
    assert err == ""
    # 669215 + 5 x 110 = 669765.
    assert json.loads(out)["total"] == "669765.00"


# ------------------------------------------------------------------------ --output


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_output_writes_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    expected_code, expected, _ = run(
        capsys, "bill", EXAMPLE_2014, "--year", "2014", "--format", fmt
    )
    assert expected_code == 0
    target = tmp_path / f"run.{fmt}"
    code, out, err = run(
        capsys, "bill", EXAMPLE_2014, "--year", "2014", "--format", fmt, "--output", target
    )
    assert code == 0
    assert out == ""
    assert err == ""
    assert target.read_bytes().decode("utf-8") == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temp file left


def test_output_replaces_an_existing_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "run.json"
    target.write_text("old", encoding="utf-8")
    code, _, _ = run(
        capsys, "bill", EXAMPLE_2010, "--year", "2010", "--format", "json", "--output", target
    )
    assert code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["total"] == "194202.00"


def test_output_into_a_missing_folder_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "no" / "such" / "run.csv"
    code, out, err = run(capsys, "bill", EXAMPLE_2014, "--year", "2014", "--output", target)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ")
    assert not target.parent.exists()


# ------------------------------------------------------------------------ bad input


def test_bad_volumes_exit_2_with_file_and_line_and_write_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    volumes = tmp_path / "volumes.csv"
    volumes.write_text(
        HEADER
        + "2014-01,Kultur,payroll.manual,5\n"  # 2
        + "2014-13,Kultur,payroll.manual,5\n"  # 3: month
        + "2014-01,Kultur,payroll.manul,5\n",  # 4: service
        encoding="utf-8",
    )
    target = tmp_path / "invoices.csv"
    code, out, err = run(
        capsys, "bill", volumes, "--year", "2014", "--format", "csv", "--output", target
    )
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith(f"error: {volumes}:3: column 'month': '2014-13'")
    assert lines[1].startswith(f"error: {volumes}:4: column 'service': unknown service")
    assert "did you mean payroll.manual" in lines[1]
    assert lines[-1] == "2 problem(s); nothing was written"
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["volumes.csv"]  # no temp file either


def test_truncated_problems_are_counted(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile
) -> None:
    volumes = write_file("v.csv", HEADER + "mars,A,payroll.manual,1\n" * 55)
    code, _, err = run(capsys, "bill", volumes, "--year", "2014")
    assert code == 2
    # The default cap lists 50 problems; 55 - 50 = 5 are counted.
    assert err.count("is not a month") == 50
    assert "error: ... and 5 more problem(s) not shown" in err
    assert err.splitlines()[-1] == "55 problem(s); nothing was written"


def test_missing_volume_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    code, out, err = run(capsys, "bill", missing, "--year", "2014")
    assert code == 2
    assert out == ""
    assert f"error: {missing}: file not found" in err


def test_rows_outside_the_year_are_noted(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile
) -> None:
    volumes = write_file(
        "v.csv",
        HEADER
        + "2013-12,Kultur,payroll.manual,5\n"
        + "2014-01,Kultur,payroll.manual,5\n"
        + "2015-01,Kultur,payroll.manual,5\n",
    )
    code, out, err = run(capsys, "bill", volumes, "--year", "2014", "--format", "json")
    assert code == 0
    assert err == "note: 2 row(s) outside 2014 were left out\n"
    data = json.loads(out)
    assert data["excluded_rows"] == 2
    assert data["total"] == "550.00"  # 5 x 110


def test_nothing_to_bill_is_noted(capsys: pytest.CaptureFixture[str]) -> None:
    # The 2010 example has 17 rows, none in 2014.
    code, out, err = run(capsys, "bill", EXAMPLE_2010, "--year", "2014")
    assert code == 0
    assert "note: 17 row(s) outside 2014 were left out" in err
    assert "note: no volumes for 2014; nothing billed" in err
    assert f"Totalt: 0,00{NBSP}kr" in out


def test_month_without_a_price_list_exits_2(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile, tmp_path: Path
) -> None:
    volumes = write_file("v.csv", HEADER + "2012-03,Kultur,payroll.manual,5\n")
    target = tmp_path / "out.txt"
    code, out, err = run(capsys, "bill", volumes, "--year", "2012", "--output", target)
    assert code == 2
    assert out == ""
    assert f"error: {volumes}:2: column 'service': 2012-03: no price list is in force" in err
    assert "1 row(s) of this file use it, from line 2" in err
    assert "'payroll.manual'" in err
    assert "Kultur" in err
    assert "2010 (2010-01-01..2010-12-31)" in err
    assert "2014 (2014-01-01..2014-12-31)" in err
    assert "nothing was written" in err
    assert not target.exists()


def test_service_missing_from_the_list_in_force_exits_2(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile
) -> None:
    # ar.feeder is in the 2010 list only.
    volumes = write_file(
        "v.csv", HEADER + "2014-03,Kultur,ar.feeder,5\n2014-03,Kultur,payroll.manual,1\n"
    )
    code, out, err = run(capsys, "bill", volumes, "--year", "2014")
    assert code == 2
    assert out == ""
    assert (
        f"error: {volumes}:2: column 'service': 2014-03: service 'ar.feeder' "
        "is not in price list 2014" in err
    )
    assert "lists that have it: 2010" in err
    assert "2010 (2010-01-01..2010-12-31), 2014 (2014-01-01..2014-12-31)" in err


def test_errors_json_for_bad_volumes(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile
) -> None:
    volumes = write_file("v.csv", HEADER + "2014-01,Kultur,payroll.manual,-3\n")
    code, out, err = run(capsys, "bill", volumes, "--year", "2014", "--errors", "json")
    assert code == 2
    assert out == ""
    data = json.loads(err)
    assert data["not_shown"] == 0
    assert data["errors"] == [
        {
            "path": str(volumes),
            "line": 2,
            "column": "quantity",
            "field": None,
            "message": "quantity '-3' is negative (expected 0 or more)",
        }
    ]


def test_errors_json_for_a_missing_price(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile
) -> None:
    volumes = write_file("v.csv", HEADER + "2012-03,Kultur,payroll.manual,5\n")
    code, _, err = run(capsys, "bill", volumes, "--year", "2012", "--errors", "json")
    assert code == 2
    (error,) = json.loads(err)["errors"]
    assert error["path"] == str(volumes)
    assert "2012-03" in error["message"]


def test_errors_json_for_a_bad_price_list(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "bad.toml").write_text(PRICE_LIST_2015.replace("12.50", "-1"), encoding="utf-8")
    code, _, err = run(
        capsys, "bill", EXAMPLE_2014, "--year", "2014", "--pricelists", tmp_path, "--errors", "json"
    )
    assert code == 2
    (error,) = json.loads(err)["errors"]
    assert error["path"] == str(tmp_path / "bad.toml")
    assert all(part in error["field"] for part in ("items[0]", "test.hourly", "price"))


def test_missing_year_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["bill", str(EXAMPLE_2014)])
    assert info.value.code == 2
    assert "--year" in capsys.readouterr().err


# ------------------------------------------------------------------------ CSV safety


@pytest.mark.parametrize("department", ["=SUM(A1:A9)", "+46 8 508", "-Kultur", "@Kultur"])
def test_csv_output_neutralizes_formulas(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile, department: str
) -> None:
    volumes = write_file("v.csv", f'{HEADER}2014-01,"{department}",payroll.manual,2\n')
    code, out, _ = run(capsys, "bill", volumes, "--year", "2014", "--format", "csv")
    assert code == 0
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["department"] == "'" + department
    assert row["amount"] == "220.00"  # 2 x 110


def test_csv_output_leaves_ordinary_names_alone(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile
) -> None:
    volumes = write_file("v.csv", HEADER + "2014-01,Kultur = bra,payroll.manual,2\n")
    code, out, _ = run(capsys, "bill", volumes, "--year", "2014", "--format", "csv")
    assert code == 0
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["department"] == "Kultur = bra"


# ------------------------------------------------------------------------ pricelists


def test_pricelists_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "pricelists")
    assert code == 0
    assert err == ""
    assert "Prislista 2010: " in out
    assert "Prislista 2014: Prislista 2014, lön och pension" in out
    assert "Giltig: 2014-01-01..2014-12-31" in out
    # A composite price shows its parts: 57 + 53 = 110.
    assert f"57 + 53 = 110,00{NBSP}kr" in out
    assert f"110 + 600 = 710,00{NBSP}kr" in out
    assert "003_dbc171dac11004c9.txt:156" in out
    assert "per person och månad" in out


def test_pricelists_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "pricelists", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [pl["id"] for pl in data] == ["2010", "2014"]
    prices = {pl["id"]: {item["code"]: item["price"] for item in pl["items"]} for pl in data}
    assert prices["2010"]["payroll.manual"] == "88.00"
    assert prices["2014"]["payroll.manual"] == "110.00"
    assert prices["2014"]["payroll.agresso"] == "190.00"
    assert len(prices["2010"]) == 12
    assert len(prices["2014"]) == 10
    (agresso,) = [i for i in data[1]["items"] if i["code"] == "payroll.agresso"]
    assert [c["price"] for c in agresso["components"]] == ["110.00", "80.00"]
    assert agresso["unit"] == "paid_salary"


def test_pricelists_output_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "lists.json"
    code, out, _ = run(capsys, "pricelists", "--format", "json", "--output", target)
    assert code == 0
    assert out == ""
    assert len(json.loads(target.read_text(encoding="utf-8"))) == 2


def test_custom_pricelists_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, write_file: WriteFile
) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "2015.toml").write_text(PRICE_LIST_2015, encoding="utf-8")
    code, out, _ = run(capsys, "pricelists", "--pricelists", lists, "--format", "json")
    assert code == 0
    assert [pl["id"] for pl in json.loads(out)] == ["2015-test"]

    volumes = write_file(
        "v.csv",
        HEADER
        + "2015-06,Kultur,test.hourly,3\n"  # 3 x 12.50 = 37.50
        + "2015-06,Kultur,test.count,4\n",  # 4 x (7 + 3) = 40.00
    )
    code, out, err = run(
        capsys, "bill", volumes, "--year", "2015", "--pricelists", lists, "--format", "json"
    )
    assert code == 0
    assert err == ""
    data = json.loads(out)
    assert data["total"] == "77.50"  # 37.50 + 40.00
    assert data["invoices"][0]["price_list"] == "2015-test"


def test_custom_pricelists_folder_does_not_know_the_bundled_codes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, write_file: WriteFile
) -> None:
    (tmp_path / "2015.toml").write_text(PRICE_LIST_2015, encoding="utf-8")
    volumes = write_file("v.csv", HEADER + "2015-06,Kultur,payroll.manual,3\n")
    code, _, err = run(capsys, "bill", volumes, "--year", "2015", "--pricelists", tmp_path)
    assert code == 2
    assert f"error: {volumes}:2: column 'service': unknown service 'payroll.manual'" in err


def test_empty_pricelists_folder_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "pricelists", "--pricelists", tmp_path)
    assert code == 2
    assert out == ""
    assert f"error: {tmp_path}: no price lists (*.toml) found" in err


# ------------------------------------------------------------------------ python -m sfprice


def test_module_entry_point() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, "-m", "sfprice", "bill", "examples/volumes-2014.csv", "--year", "2014"],
        cwd=REPO,
        capture_output=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert f"Totalt: 669{NBSP}215,00{NBSP}kr" in result.stdout


def test_unknown_locale_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["bill", str(EXAMPLE_2014), "--year", "2014", "--locale", "xx_YY"])
    assert caught.value.code == 2
    assert "unknown locale 'xx_YY'" in capsys.readouterr().err


def test_locale_with_a_hyphen_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bill", str(EXAMPLE_2014), "--year", "2014", "--locale", "en-GB"]) == 0
    assert "Total: SEK669,215.00  (5 invoices, 3 departments)" in capsys.readouterr().out


def test_output_to_a_missing_folder_says_which_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "no" / "such" / "bill.csv"
    code = main(["bill", str(EXAMPLE_2014), "--year", "2014", "--output", str(target)])
    assert code == 2
    err = capsys.readouterr().err
    assert f"the folder {target.parent} does not exist" in err
    assert ".bill.csv." not in err  # no temp-file name in the message


def test_output_file_follows_the_umask(tmp_path: Path) -> None:
    target = tmp_path / "bill.csv"
    old = os.umask(0o022)
    try:
        assert (
            main(
                [
                    "bill",
                    str(EXAMPLE_2014),
                    "--year",
                    "2014",
                    "--format",
                    "csv",
                    "--output",
                    str(target),
                ]
            )
            == 0
        )
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_output_to_a_pipe_writes_into_it_and_keeps_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    assert (
        main(
            ["bill", str(EXAMPLE_2014), "--year", "2014", "--format", "json", "--output", str(fifo)]
        )
        == 0
    )
    reader.join(timeout=10)
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # not replaced by a regular file
    assert json.loads(received[0])["total"] == "669215.00"


def test_singular_counts_in_the_table(
    write_file: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_file("one.csv", "month,department,service,quantity\n2014-01,A,payroll.manual,1\n")
    assert main(["bill", str(path), "--year", "2014"]) == 0
    assert "(1 faktura, 1 förvaltning)" in capsys.readouterr().out


def test_a_single_price_list_file_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pricelists", "--pricelists", str(REPO / "pricelists" / "2014.toml")]) == 0
    out = capsys.readouterr().out
    assert "Prislista 2014" in out
    assert "Prislista 2010" not in out


def test_amounts_beyond_28_digits_are_summed_and_shown_exactly(
    write_file: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # 12 345 678 901 223 746 371 578 875 148,16 kr x 3 units: 31 digits, more than the
    # default decimal context holds; totals and every output must stay exact.
    price = "12345678901223746371578875148.16"
    lists = write_file(
        "huge.toml",
        (
            'id = "h"\nvalid_from = 2015-01-01\nvalid_to = 2015-12-31\ncurrency = "SEK"\n'
            f'source = "test"\n[[items]]\ncode = "x.y"\nname = "X"\nunit = "transaction"\n'
            f"price = {price}\n"
        ),
    )
    volumes = write_file(
        "h.csv",
        "month,department,service,quantity\n2015-01,A,x.y,1\n2015-01,A,x.y,1\n2015-02,A,x.y,1\n",
    )
    total = Decimal("37037036703671239114736625444.48")  # 3 x price, by hand
    for fmt in ("json", "csv", "table"):
        code = main(
            ["bill", str(volumes), "--year", "2015", "--pricelists", str(lists), "--format", fmt]
        )
        out = capsys.readouterr().out
        assert code == 0
        if fmt == "json":
            assert Decimal(json.loads(out)["total"]) == total
        elif fmt == "table":
            assert "37\xa0037\xa0036\xa0703\xa0671\xa0239\xa0114\xa0736\xa0625\xa0444,48" in out
