"""Import profiles: a system's column names, service labels and department labels.

The done-when test of issue 11, point 3: the bundled payroll export (.xlsx) read with its
profile bills to the same öre as examples/volumes-2014.csv, total and every line.
"""

from __future__ import annotations

import runpy
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import VolumeRow, volume_csv, year_and_rows

import sfprice
from sfprice.app import BillingRequest, run_billing
from sfprice.errors import InputError
from sfprice.io.profiles import load_profile

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
LISA = EXAMPLES / "profiles" / "lisa.toml"
AGRESSO = EXAMPLES / "profiles" / "agresso.toml"

PROFILE = """
system = "Testsystem"
[columns]
month = "Period"
department = "Enhet"
service = "Art"
quantity = "Antal"
ignore = ["antal (gammal)"]
[services]
"Lisa Självservice" = "payroll.self_service"
"Lisa Tid" = "payroll.self_service"
"Manuell" = "payroll.manual"
[departments]
"KULT" = "Kulturförvaltningen"
"KULT2" = "Kulturförvaltningen"
"""


def _lines(run: sfprice.BillingRun) -> list[tuple[str, str, str, Decimal, Decimal]]:
    return [
        (invoice.department, str(invoice.month), line.service, line.quantity, line.amount)
        for invoice in run.invoices
        for line in invoice.lines
    ]


def test_lisa_export_bills_as_the_csv_to_the_ore() -> None:
    from_csv = run_billing(BillingRequest((EXAMPLES / "volumes-2014.csv",), 2014)).run
    from_xlsx = run_billing(
        BillingRequest((EXAMPLES / "exports" / "lisa-2014.xlsx",), 2014, profile=LISA)
    ).run
    # 669 215,00 kr: the README's total of examples/volumes-2014.csv.
    assert from_csv.total == from_xlsx.total == Decimal("669215.00")
    assert _lines(from_xlsx) == _lines(from_csv)
    # Kulturförvaltningen, January: 640 x 57 + 95 x 110 + 2 x 500 = 36 480 + 10 450 + 1 000.
    culture = next(i for i in from_xlsx.invoices if i.department == "Kulturförvaltningen")
    assert culture.total == Decimal("47930.00")


def test_agresso_export_bills_as_the_economy_rows_of_the_csv(tmp_path: Path) -> None:
    economy = ("ar.", "ap.", "economy.", "procurement.")
    source = (EXAMPLES / "volumes-2010.csv").read_text(encoding="utf-8").splitlines()
    kept = [source[0]] + [r for r in source[1:] if r.split(",")[2].startswith(economy)]
    subset = tmp_path / "economy-2010.csv"
    subset.write_text("\n".join(kept) + "\n", encoding="utf-8")
    from_csv = run_billing(BillingRequest((subset,), 2010)).run
    from_xlsx = run_billing(
        BillingRequest((EXAMPLES / "exports" / "agresso-2010.xlsx",), 2010, profile=AGRESSO)
    ).run
    assert _lines(from_xlsx) == _lines(from_csv)
    assert from_xlsx.total == from_csv.total
    assert len(kept) == 11  # 8 rows of Stadsbyggnad, 2 of Exploatering, and the header


def test_committed_exports_hold_what_the_script_writes(tmp_path: Path) -> None:
    script = runpy.run_path(str(EXAMPLES / "make_exports.py"))
    for name, rows in (
        ("lisa-2014.xlsx", script["lisa_rows"]()),
        ("agresso-2010.xlsx", script["agresso_rows"]()),
    ):
        book = openpyxl.load_workbook(EXAMPLES / "exports" / name, read_only=True)
        first = book.worksheets[0]
        stored = [list(r) for r in first.iter_rows(values_only=True)]
        expected = [[c.isoformat() if hasattr(c, "isoformat") else c for c in r] for r in rows]
        shown = [[c.date().isoformat() if hasattr(c, "date") else c for c in r] for r in stored]
        assert shown == expected, name
        note = next(book.worksheets[1].iter_rows(values_only=True))[0]
        assert "MADE-UP DATA" in str(note)
        book.close()


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    path = tmp_path / "profile.toml"
    path.write_text(PROFILE, encoding="utf-8")
    return path


Write = Callable[..., Path]


def test_labels_map_to_codes_and_names(write_file: Write, profile: Path) -> None:
    volumes = write_file(
        "export.csv",
        "Period;Enhet;Art;Antal;Antal (gammal)\n"
        "2014-01-01;KULT;Lisa Självservice;10;99\n"
        "2014-01-01;KULT2;Lisa Tid;5;99\n"
        "2014-01-01;Kulturförvaltningen;Manuell;2;99\n"  # a target name stands for itself
        "2014-01-01;KULT;payroll.salary_debt;1;99\n",  # a service code stands for itself
    )
    read = sfprice.read_volumes(volumes, catalog=sfprice.load_catalog(), profile=profile)
    assert [(e.key.department, e.key.service, e.quantity) for e in read] == [
        ("Kulturförvaltningen", "payroll.manual", Decimal(2)),
        ("Kulturförvaltningen", "payroll.salary_debt", Decimal(1)),
        ("Kulturförvaltningen", "payroll.self_service", Decimal(15)),  # 10 + 5: two labels
    ]


def test_unknown_labels_are_located_with_the_nearest(write_file: Write, profile: Path) -> None:
    volumes = write_file(
        "export.csv",
        "Period;Enhet;Art;Antal\n2014-01;KULT;Lisa Sjalvservice;10\n2014-01;KULTUR;Manuell;1\n",
    )
    with pytest.raises(InputError) as caught:
        sfprice.read_volumes(volumes, catalog=sfprice.load_catalog(), profile=profile)
    first, second = caught.value.issues
    assert (first.line, first.column) == (2, "service")
    assert "unknown service label 'Lisa Sjalvservice'" in first.message
    assert "nearest labels: 'Lisa Självservice'" in first.message
    assert (second.line, second.column) == (3, "department")
    assert "unknown department label 'KULTUR'" in second.message
    assert "'KULT'" in second.message


def test_profile_mapping_to_an_unknown_code_is_located_in_the_profile(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(PROFILE.replace('"Manuell" = "payroll.manual"', '"Manuell" = "payroll.manul"'))
    with pytest.raises(InputError) as caught:
        load_profile(path, catalog=sfprice.load_catalog())
    (issue,) = caught.value.issues
    assert issue.line == 12  # the line of "Manuell" in PROFILE (which starts with a newline)
    assert "maps to the unknown service code 'payroll.manul'" in issue.message
    assert "did you mean payroll.manual" in issue.message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('system = "Testsystem"\n', ""), "system: required field is missing"),
        (('quantity = "Antal"', 'quantity = "Period"'), "'Period' is already the month column"),
        (('ignore = ["antal (gammal)"]', 'ignore = ["Antal"]'), "is a mapped column"),
        (('"KULT" =', '"" ='), "neither may be empty"),
        (("[services]", "[servces]"), "unknown field"),
        (('system = "Testsystem"', "system = "), "not valid TOML"),
    ],
)
def test_bad_profiles(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(PROFILE.replace(*change), encoding="utf-8")
    with pytest.raises(InputError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        load_profile(path)


def test_month_format(write_file: Write, tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(PROFILE.replace('system = "Testsystem"', 'system = "T"\nmonth_format = "%Y%m"'))
    volumes = write_file(
        "export.csv", "Period;Enhet;Art;Antal\n201401;KULT;Manuell;1\n2014-02-01;KULT;Manuell;2\n"
    )
    read = sfprice.read_volumes(volumes, profile=path)
    assert [(str(e.key.month), e.quantity) for e in read] == [
        ("2014-01", Decimal(1)),
        ("2014-02", Decimal(2)),  # an ISO date is unambiguous and read as well
    ]
    bad = write_file("bad.csv", "Period;Enhet;Art;Antal\n2014/01;KULT;Manuell;1\n")
    with pytest.raises(InputError, match="or a month as the import profile's '%Y%m'"):
        sfprice.read_volumes(bad, profile=path)


def test_standard_header_still_reads_with_a_profile(write_file: Write, profile: Path) -> None:
    # A profile adds names; sfprice's own header (month,department,...) is not one of them
    # here because the profile maps every column, so the file must use the profile's names.
    volumes = write_file("v.csv", "month;department;service;quantity\n2014-01;KULT;Manuell;1\n")
    with pytest.raises(InputError, match="or the import profile's names for them"):
        sfprice.read_volumes(volumes, profile=profile)


def test_committed_error_cases_hold_what_their_script_writes() -> None:
    folder = REPO / "docs" / "examples" / "errors"
    script = runpy.run_path(str(REPO / "docs" / "examples" / "make_xlsx_errors.py"))
    for name, (title, rows) in script["CASES"].items():
        book = openpyxl.load_workbook(folder / name, read_only=True)
        sheet = book.worksheets[0]
        stored = [list(r) for r in sheet.iter_rows(values_only=True)]
        shown = [[c.date() if hasattr(c, "date") else c for c in r] for r in stored]
        assert (sheet.title, shown) == (title, rows), name
        book.close()


def test_a_profile_read_without_lists_names_its_mapping(write_file: Write, tmp_path: Path) -> None:
    # Loaded without a catalog the profile cannot check its codes; the volume read can.
    path = tmp_path / "p.toml"
    path.write_text(PROFILE.replace('"Manuell" = "payroll.manual"', '"Manuell" = "payroll.manul"'))
    profile = load_profile(path)
    volumes = write_file("export.csv", "Period;Enhet;Art;Antal\n2014-01;KULT;Manuell;1\n")
    with pytest.raises(InputError) as caught:
        sfprice.read_volumes(volumes, catalog=sfprice.load_catalog(), profile=profile)
    (issue,) = caught.value.issues
    assert (issue.line, issue.column) == (2, "service")
    assert issue.message.startswith(
        "unknown service 'Manuell' (the import profile maps it to 'payroll.manul'): no price"
    )


def test_fixed_month_for_an_export_without_one(write_file: Write, tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    text = PROFILE.replace('month = "Period"\n', "").replace(
        'system = "Testsystem"', 'system = "T"\nmonth = "2014-03"'
    )
    path.write_text(text, encoding="utf-8")
    volumes = write_file(
        "export.csv",
        "Enhet;Art;Antal\nKULT;Manuell;4\nKULT;Manuell;3\nKULT;Lisa Tid;5\n"
        "Enhet;Art;Antal\n",  # a repeated header is still found
    )
    with pytest.raises(InputError, match="repeats the header"):
        sfprice.read_volumes(volumes, profile=path)
    volumes = write_file("ok.csv", "Enhet;Art;Antal\nKULT;Manuell;4\nKULT;Manuell;3\n")
    read = sfprice.read_volumes(volumes, profile=path)
    assert [(str(e.key.month), e.key.service, e.quantity) for e in read] == [
        ("2014-03", "payroll.manual", Decimal(7))  # 4 + 3
    ]
    assert sfprice.read_volumes(volumes, profile=path, year=2013).excluded == {str(volumes): 2}
    both = tmp_path / "both.toml"
    both.write_text(PROFILE.replace('system = "Testsystem"', 'system = "T"\nmonth = "2014-03"'))
    with pytest.raises(InputError, match="not both or neither"):
        load_profile(both)
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('month = "2014-03"', 'month = "mars"'), encoding="utf-8")
    with pytest.raises(InputError, match="month: 'mars'"):
        load_profile(bad)


def _toml_key(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@settings(max_examples=30, deadline=None)
@given(drawn=year_and_rows(), data=st.data())
def test_relabelled_rows_read_as_the_coded_rows(
    drawn: tuple[int, list[VolumeRow]], data: st.DataObject
) -> None:
    """Any export that only renames columns, services and departments, read with the profile
    that maps the names back, gives the VolumeSet of the rows written with sfprice's codes."""
    year, rows = drawn
    services = sorted({r.service for r in rows})
    departments = sorted({r.department for r in rows})
    # One or two labels per service (several labels may map to one code).
    labels = {s: [f"Tjänst {i}", f"Tjänst {i} alt"] for i, s in enumerate(services)}
    units = {d: f"ENHET-{i}" for i, d in enumerate(departments)}
    profile_lines = [
        'system = "Egenskapstest"',
        "[columns]",
        'month = "Period"',
        'department = "Enhet"',
        'service = "Art"',
        'quantity = "Mängd"',
        "[services]",
        *(f'"{label}" = "{s}"' for s, pair in labels.items() for label in pair),
        "[departments]",
        *(f'"{u}" = {_toml_key(d)}' for d, u in units.items()),
    ]
    relabelled = [
        r._replace(
            department=units[r.department],
            service=labels[r.service][data.draw(st.integers(0, 1))],
        )
        for r in rows
    ]
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        profile = base / "p.toml"
        profile.write_text("\n".join(profile_lines) + "\n", encoding="utf-8")
        coded = base / "coded.csv"
        coded.write_text(volume_csv(rows), encoding="utf-8", newline="")
        export = base / "export.csv"
        text = volume_csv(relabelled)
        header, _, rest = text.partition("\n")
        export.write_text("Period,Enhet,Art,Mängd\n" + rest, encoding="utf-8", newline="")
        assert header == "month,department,service,quantity"
        catalog = sfprice.load_catalog()
        want = sfprice.read_volumes(coded, catalog=catalog, year=year)
        got = sfprice.read_volumes(export, catalog=catalog, year=year, profile=profile)
    assert [(e.key, e.quantity, e.sources[0].rows) for e in got] == [
        (e.key, e.quantity, e.sources[0].rows) for e in want
    ]


def test_a_profile_without_service_labels_says_so(write_file: Write, tmp_path: Path) -> None:
    bare = tmp_path / "bare.toml"
    bare.write_text(PROFILE.split("[services]")[0], encoding="utf-8")
    volumes = write_file("export.csv", "Period;Enhet;Art;Antal\n2014-01;X;Lisa Självservice;1\n")
    with pytest.raises(InputError) as caught:
        sfprice.read_volumes(volumes, catalog=sfprice.load_catalog(), profile=bare)
    (issue,) = [i for i in caught.value.issues if i.column == "service"]
    assert issue.message.endswith(
        "it has no [services] labels: add the label to its [services] table"
    )
