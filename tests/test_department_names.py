"""One name per department, and names that cannot hurt an output (issue 9, faults 3 and 12).

Prices are the 2014 list: payroll.self_service 57 kr, payroll.manual 110 kr (57 + 53),
payroll.salary_debt 500 kr. Every expected amount below is worked out by hand.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import department_names, department_spellings

import sfprice
from sfprice.cli import main
from sfprice.engine.billing import BillingRun, Invoice, InvoiceLine
from sfprice.errors import InputError
from sfprice.io.allocations import read_snapshot
from sfprice.io.customers import read_customers
from sfprice.io.departments import check_departments, department_issues
from sfprice.model import PriceCatalog, Unit
from sfprice.names import clean_name, fold_name, name_variants, unsafe_characters, visible
from sfprice.period import Month
from sfprice.register import Manifest, Register
from sfprice.reports.formats import run_to_csv, run_to_json, run_to_table

HEADER = "month;department;service;quantity\n"
KULTUR = "Kulturförvaltningen"
KULTUR_NFD = unicodedata.normalize("NFD", KULTUR)
WriteFile = Callable[[str, str], Path]


@pytest.fixture
def write(tmp_path: Path) -> WriteFile:
    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8", newline="")
        return path

    return write


def _bill_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code = main(["bill", *args, "--year", "2014", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def _refused(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    code = main(["bill", *args, "--year", "2014"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert "Traceback" not in captured.err
    assert captured.err.endswith("nothing was written\n")
    return captured.err.splitlines()[:-1]


# ------------------------------------------------------------------ the issue's examples


def test_nfc_nfd_and_spaces_are_one_department_with_one_invoice(
    write: WriteFile, capsys: pytest.CaptureFixture[str]
) -> None:
    assert KULTUR_NFD != KULTUR  # the same letters as other code points
    path = write(
        "v.csv",
        HEADER
        + f"2014-01;{KULTUR};payroll.self_service;640\n"
        + f"2014-01;{KULTUR_NFD};payroll.self_service;10\n"
        + f"2014-01;{KULTUR} ;payroll.manual;95\n"
        + f"2014-01;\u00a0{KULTUR_NFD}\u202f;payroll.salary_debt;2\n",
    )
    data = _bill_json(capsys, str(path))
    (invoice,) = data["invoices"]
    assert invoice["department"] == KULTUR
    # self_service (640 + 10) x 57 = 37 050; manual 95 x 110 = 10 450; debt 2 x 500 = 1 000
    # 37 050 + 10 450 + 1 000 = 48 500
    amounts = {line["service"]: line["amount"] for line in invoice["lines"]}
    assert amounts == {
        "payroll.self_service": "37050.00",
        "payroll.manual": "10450.00",
        "payroll.salary_debt": "1000.00",
    }
    assert invoice["total"] == "48500.00"
    assert data["total"] == "48500.00"


def test_inner_spaces_collapse_into_one_name(
    write: WriteFile, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "Skarpnäcks stadsdelsförvaltning"
    path = write(
        "v.csv",
        HEADER
        + f"2014-01;{name};payroll.self_service;100\n"
        + "2014-01;Skarpnäcks  stadsdelsförvaltning;payroll.self_service;1\n"
        + "2014-01;Skarpnäcks\u00a0stadsdelsförvaltning;payroll.self_service;1\n",
    )
    (invoice,) = _bill_json(capsys, str(path))["invoices"]
    assert invoice["department"] == name
    assert invoice["total"] == "5814.00"  # (100 + 1 + 1) x 57 = 5 814


def test_case_accent_and_space_variants_are_one_problem_with_every_line(
    write: WriteFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write(
        "a.csv",
        HEADER
        + f"2014-01;{KULTUR};payroll.self_service;640\n"  # 2
        + "2014-01;Miljöförvaltningen;payroll.self_service;1\n"  # 3
        + "2014-02;kulturförvaltningen;payroll.manual;95\n"  # 4
        + "2014-02;kulturförvaltningen;payroll.manual;1\n",  # 5: not listed again
    )
    second = write("b.csv", HEADER + "2014-03;Kultur Forvaltningen;payroll.manual;1\n")
    output = tmp_path / "bill.csv"
    code = main(["bill", str(first), str(second), "--year", "2014", "--output", str(output)])
    err = capsys.readouterr().err
    assert code == 2
    assert not output.exists()
    (problem,) = err.splitlines()[:-1]
    assert problem == (
        f"error: {first}:2: column 'department': 3 spellings of one department that differ "
        f"only by case, accents, spaces or punctuation: '{KULTUR}' (line 2), 'kulturförvaltningen' "
        f"(line 4), 'Kultur Forvaltningen' ({second}:2); use one spelling in every file"
    )


def test_the_api_refuses_variants_too(write: WriteFile, catalog: PriceCatalog) -> None:
    path = write("v.csv", HEADER + f"2014-01;{KULTUR};a;1\n2014-01;KULTURFÖRVALTNINGEN;a;1\n")
    with pytest.raises(InputError) as raised:
        sfprice.read_volumes(path)
    (issue,) = raised.value.issues
    assert (issue.line, issue.column) == (2, "department")
    with pytest.raises(InputError):
        sfprice.read_volume_files([path])


def test_typo_with_a_register_names_the_line_and_the_nearest_names(
    write: WriteFile, capsys: pytest.CaptureFixture[str]
) -> None:
    customers = write("c.csv", f"department;employees\n{KULTUR};720\nMiljöförvaltningen;260\n")
    volumes = write(
        "v.csv",
        HEADER
        + f"2014-01;{KULTUR};payroll.self_service;640\n"
        + "2014-01;Kulturförvaltnigen;payroll.manual;95\n",
    )
    (problem,) = _refused(capsys, str(volumes), "--customers", str(customers))
    assert problem == (
        f"error: {volumes}:3: column 'department': 'Kulturförvaltnigen' is not in the customer "
        f"register {customers}; did you mean '{KULTUR}'?"
    )


def test_typo_without_a_register_cannot_be_known(
    write: WriteFile, capsys: pytest.CaptureFixture[str]
) -> None:
    # Documented limit: without a register, a typo is a department of its own.
    volumes = write(
        "v.csv",
        HEADER
        + f"2014-01;{KULTUR};payroll.self_service;640\n"
        + "2014-01;Kulturförvaltnigen;payroll.manual;95\n",
    )
    data = _bill_json(capsys, str(volumes))
    # 640 x 57 = 36 480 and 95 x 110 = 10 450, on two invoices
    assert [(i["department"], i["total"]) for i in data["invoices"]] == [
        ("Kulturförvaltnigen", "10450.00"),  # Swedish order: g before n
        (KULTUR, "36480.00"),
    ]


def test_register_with_variants_is_refused(write: WriteFile) -> None:
    path = write(
        "c.csv", f"department;employees\n{KULTUR};720\nMiljö;1\n{KULTUR_NFD.upper()};720\n"
    )
    with pytest.raises(InputError) as raised:
        read_customers(path)
    (issue,) = raised.value.issues
    assert issue.line == 4
    assert "only by case, accents, spaces or punctuation" in issue.message


def test_register_nfd_duplicate_is_the_same_department_twice(write: WriteFile) -> None:
    path = write("c.csv", f"department;employees\n{KULTUR};720\n{KULTUR_NFD} ;720\n")
    with pytest.raises(InputError) as raised:
        read_customers(path)
    (issue,) = raised.value.issues
    assert issue.line == 3
    assert issue.message == f"'{KULTUR}' is already on line 2; give each department once"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Kultur\u200bförvaltningen", "U+200B ZERO WIDTH SPACE"),  # a third "department"
        ("\x1b[31mKultur", "U+001B ESCAPE"),
        ("Kultur\rförvaltningen", "U+000D CARRIAGE RETURN"),
        ("Kultur\nförvaltningen", "U+000A LINE FEED"),
        ("Kultur\tförvaltningen", "U+0009 TAB"),
        ("Kultur\x9bförvaltningen", "U+009B CONTROL SEQUENCE INTRODUCER"),
        ("Kultur\u202eförvaltningen", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("Kultur\u2066förvaltningen", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("Kultur\ufeffförvaltningen", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("Kultur\u00adförvaltningen", "U+00AD SOFT HYPHEN"),
        ("Kultur\u2028förvaltningen", "U+2028 LINE SEPARATOR"),
        ("Kultur\ue000", "U+E000"),
        ("Kultur\ufffd", "U+FFFD REPLACEMENT CHARACTER"),
    ],
)
def test_characters_no_name_may_hold_are_refused_escaped(
    text: str, code: str, write: WriteFile, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write("v.csv", HEADER + f'2014-01;"{text}";payroll.manual;1\n')
    (problem,) = _refused(capsys, str(path))
    assert problem.startswith(f"error: {path}:2: column 'department': {text!r} holds {code}")
    assert problem.isprintable()  # no raw control character reaches the terminal


def test_a_nul_byte_refuses_the_whole_file(
    write: WriteFile, capsys: pytest.CaptureFixture[str]
) -> None:
    # A NUL byte is not text: the file is refused as a whole (the volume reader's check),
    # before any name is read.
    path = write("v.csv", HEADER + '2014-01;"\x00Kultur";payroll.manual;1\n')
    (problem,) = _refused(capsys, str(path))
    assert problem.startswith(f"error: {path}:2: the file has a NUL byte")
    assert problem.isprintable()


def test_snapshot_key_names_are_cleaned_and_refused(write: WriteFile) -> None:
    path = write("k.csv", f"department;quantity\n{KULTUR_NFD};3\nA\x1bB;1\n {KULTUR};1\n")
    with pytest.raises(InputError) as raised:
        read_snapshot(path)
    assert [(i.line, i.message) for i in raised.value.issues] == [
        (
            3,
            "'A\\x1bB' holds U+001B ESCAPE (a control character) at position 2; remove it "
            "(a name holds letters, digits, punctuation and single spaces)",
        ),
        # NFC and trimmed, line 4 is line 2's department again
        (4, f"'{KULTUR}' appears twice (first on line 2); a snapshot has one row per department"),
    ]


def test_snapshot_and_fees_are_checked_against_the_volumes(write: WriteFile) -> None:
    volumes = sfprice.read_volumes(write("v.csv", HEADER + f"2014-01;{KULTUR};a;1\n"))
    driver = read_snapshot(write("k.csv", "department;quantity\nkulturförvaltningen;3\n"))
    issues = department_issues(volumes=volumes, drivers=[driver])
    (issue,) = issues
    assert "'kulturförvaltningen'" in issue.message
    assert issue.message.endswith("; use one spelling in every file")
    catalog = sfprice.load_catalog(
        write(
            "p.toml",
            'id = "x"\ntitle = "x"\nvalid_from = 2014-01-01\nvalid_to = 2014-12-31\n'
            'currency = "SEK"\nsource = "x"\n[[items]]\ncode = "a"\nname = "a"\n'
            'kind = "fixed_monthly"\nsource = "x"\nbusiness_area = "payroll"\n'
            '[items.fees]\n"KULTURFÖRVALTNINGEN" = 100\n',
        )
    )
    (issue,) = department_issues(volumes=volumes, catalog=catalog)
    assert (issue.line, issue.column) == (2, "department")  # the first spelling, in v.csv
    assert "'KULTURFÖRVALTNINGEN' (" in issue.message
    assert "p.toml items[0].fees (a))" in issue.message
    with pytest.raises(InputError):
        check_departments(volumes=volumes, catalog=catalog)


# ------------------------------------------------------------------ outputs


def _evil_run() -> BillingRun:
    line = InvoiceLine(
        "payroll.self_service", "Lön\x1b[2J", Unit.PERSON_MONTH, Decimal(2), Decimal(57),
        Decimal(114), (), "2014", "test", (),
    )  # fmt: skip
    names = ("Kultur\x1b[31m\r\nröd", "Miljö\u202eförv", "Stads\x9bbygg")
    invoices = tuple(Invoice(n, Month(2014, 1), "2014", "SEK", (line,)) for n in names)
    return BillingRun(2014, "SEK", invoices)


def _raw_controls(text: str) -> set[str]:
    return {c for line in text.split("\n") for _, c, _ in unsafe_characters(line)}


def test_renderers_never_emit_raw_control_characters() -> None:
    run = _evil_run()  # names from an old register or built in code, not from a file
    table = run_to_table(run)
    assert _raw_controls(table) == set()
    assert "Kultur\\x1b[31m\\x0d\\x0aröd" in table
    records = list(csv.DictReader(io.StringIO(run_to_csv(run))))
    assert len(records) == 3  # the CR LF did not split a record
    assert _raw_controls(run_to_csv(run)) == set()
    assert [r["department"] for r in records] == [visible(i.department) for i in run.invoices]
    text = run_to_json(run)
    assert _raw_controls(text) == set()
    # JSON escapes read back as the very names.
    assert [i["department"] for i in json.loads(text)["invoices"]] == [
        i.department for i in run.invoices
    ]


def test_register_outputs_and_workbook_of_an_old_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    register = tmp_path / "r.db"
    manifest = Manifest((), "test", "2014-03-05T09:00:00+00:00", "test")
    with Register.open(register) as open_register:
        open_register.issue(
            _evil_run(), Month(2014, 1), manifest=manifest, now=datetime(2014, 2, 1, tzinfo=UTC)
        )
    for fmt in ("table", "csv", "json"):
        code = main(["invoices", "list", "--register", str(register), "--format", fmt])
        out = capsys.readouterr().out
        assert code == 0
        assert _raw_controls(out) == set(), fmt
    output = tmp_path / "f.xlsx"
    code = main(
        ["invoices", "xlsx", "--year", "2014", "--register", str(register), "--output", str(output)]
    )
    assert code == 0, capsys.readouterr().err
    book = openpyxl.load_workbook(output)
    names = [row[3] for row in book["Fakturor"].iter_rows(min_row=2, values_only=True)]
    assert "Kultur\\x1b[31m\\x0d\\x0aröd" in names


# ------------------------------------------------------------------ properties


@given(department_names())
def test_valid_names_are_their_own_spelling(name: str) -> None:
    assert clean_name(name) == name
    assert unsafe_characters(name) == []
    assert visible(name) == name


@given(st.text(max_size=30))
def test_clean_name_either_cleans_or_refuses_with_the_value_escaped(text: str) -> None:
    if unsafe_characters(text):
        with pytest.raises(ValueError, match="holds") as raised:
            clean_name(text)
        assert str(raised.value).startswith(repr(text))
        return
    name = clean_name(text)
    assert clean_name(name) == name  # idempotent
    assert name == name.strip()
    assert "  " not in name
    assert unicodedata.is_normalized("NFC", name)
    assert fold_name(name) == fold_name(text)


@given(department_spellings())
def test_spellings_of_one_name_add_up_to_one_department(
    case: tuple[str, list[str]],
) -> None:
    name, spellings = case
    text = HEADER + "".join(
        f'2014-01;"{s.replace(chr(34), chr(34) * 2)}";payroll.self_service;1\n' for s in spellings
    )
    volumes = _read_text(text)
    assert volumes.departments == (name,)
    assert sum(e.quantity for e in volumes.entries) == len(spellings)


def _read_text(text: str) -> sfprice.VolumeSet:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "v.csv"
        path.write_text(text, encoding="utf-8", newline="")
        return sfprice.read_volumes(path)


@given(
    st.lists(department_names(), min_size=1, max_size=5, unique_by=fold_name),
    st.lists(st.integers(0, 5000), min_size=5, max_size=5),
)
def test_csv_output_round_trips_departments_and_amounts(
    catalog: PriceCatalog, names: list[str], quantities: list[int]
) -> None:
    rows = io.StringIO()
    writer = csv.writer(rows, delimiter=";", lineterminator="\n")
    writer.writerow(["month", "department", "service", "quantity"])
    for name, quantity in zip(names, quantities, strict=False):
        writer.writerow(["2014-01", name, "payroll.self_service", quantity])
    volumes = _read_text(rows.getvalue())
    run = sfprice.bill(catalog, volumes, year=2014)
    back: dict[str, Decimal] = {}
    for record in csv.DictReader(io.StringIO(run_to_csv(run))):
        department = record["department"]
        department = department.removeprefix("'")  # the spreadsheet guard, documented
        back[department] = back.get(department, Decimal(0)) + Decimal(record["amount"])
    assert back == dict(run.totals_by_department())
    expected = {n: Decimal(q) * 57 for n, q in zip(names, quantities, strict=False)}
    assert back == expected  # quantity x 57 kr, one invoice per name


def test_name_variants_groups_in_first_order() -> None:
    assert name_variants(["B", "a", "A", "b ", "C"]) == [("B", "b "), ("a", "A")]


@pytest.mark.parametrize("name", ["Kultur\x1b[2J", f" {KULTUR}", KULTUR_NFD, "Kultur  och fritid"])
def test_records_built_in_code_hold_names_in_their_one_spelling(name: str) -> None:
    from sfprice.model import Customer, Driver, VolumeKey

    with pytest.raises(ValueError, match=r"not written as read|holds"):
        VolumeKey(Month(2014, 1), name, "payroll.manual")
    with pytest.raises(ValueError, match=r"not written as read|holds"):
        Customer(name, employees=1)
    with pytest.raises(ValueError, match=r"not written as read|holds"):
        Driver("key", {name: Decimal(1)})
    if not unsafe_characters(name):  # the spelling a loader gives it is accepted
        assert VolumeKey(Month(2014, 1), clean_name(name), "x").department == clean_name(name)


def test_register_matches_a_name_written_as_other_code_points(
    write: WriteFile, capsys: pytest.CaptureFixture[str]
) -> None:
    customers = write("c.csv", f"department;employees\n{KULTUR};720\n")
    volumes = write("v.csv", HEADER + f"2014-01;{KULTUR_NFD}\u00a0;payroll.manual;3\n")
    (invoice,) = _bill_json(capsys, str(volumes), "--customers", str(customers))["invoices"]
    assert (invoice["department"], invoice["total"]) == (KULTUR, "330.00")  # 3 x 110 = 330


def test_issue_refuses_a_name_not_in_the_register(
    write: WriteFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    customers = write("c.csv", f"department;employees\n{KULTUR};720\n")
    volumes = write("v.csv", HEADER + "2014-01;Kulturförvaltnigen;payroll.manual;3\n")
    register = tmp_path / "r.db"
    code = main(
        ["issue", str(volumes), "--period", "2014-01", "--customers", str(customers),
         "--register", str(register)]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert f"{volumes}:2: column 'department': 'Kulturförvaltnigen' is not in the customer" in err
    assert f"did you mean '{KULTUR}'?" in err
    assert not register.exists()


def test_bill_refuses_a_snapshot_key_spelling_of_a_volume_department(
    write: WriteFile, capsys: pytest.CaptureFixture[str]
) -> None:
    volumes = write("v.csv", HEADER + f"2014-01;{KULTUR};payroll.manual;3\n")
    key = write("users.csv", f"department;quantity\nMiljöförvaltningen;2\n{KULTUR.upper()};5\n")
    pools = write(
        "pools.toml",
        'title = "t"\n[[pools]]\ncode = "economy.system_management"\nname = "Agresso"\n'
        'amount = 1000\nbusiness_area = "economy"\nsource = "test"\n'
        '[pools.key]\ntype = "snapshot"\nfile = "users.csv"\nas_of = "2013-07"\n',
    )
    (problem,) = _refused(capsys, str(volumes), "--allocations", str(pools))
    assert problem == (
        f"error: {volumes}:2: column 'department': 2 spellings of one department that differ "
        f"only by case, accents, spaces or punctuation: '{KULTUR}' (line 2), "
        f"'{KULTUR.upper()}' ({key}:3); use one spelling in every file"
    )


def test_issue_refuses_a_new_spelling_of_an_invoiced_department(
    write: WriteFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register = tmp_path / "r.db"
    january = write("jan.csv", HEADER + f"2014-01;{KULTUR};payroll.manual;3\n")
    february = write("feb.csv", HEADER + "2014-02;kulturförvaltningen;payroll.manual;4\n")

    def issue(volumes: Path, period: str, *more: str) -> tuple[int, str]:
        code = main(["issue", str(volumes), "--period", period, "--register", str(register),
                     "--format", "json", *more])  # fmt: skip
        return code, capsys.readouterr().err

    assert issue(january, "2014-01")[0] == 0
    code, err = issue(february, "2014-02")
    assert code == 2
    assert err.splitlines()[0] == (
        f"error: {february}:2: column 'department': 2 spellings of one department that differ "
        f"only by case, accents, spaces or punctuation: 'kulturförvaltningen' (line 2), '{KULTUR}' "
        f"({register} issued invoices); use one spelling in every file"
    )
    with Register.open(register) as opened:
        assert opened.departments() == (KULTUR,)  # nothing was issued
    # The invoiced spelling is accepted; a customer register may decide another one.
    same = write("feb2.csv", HEADER + f"2014-02;{KULTUR};payroll.manual;4\n")
    assert issue(same, "2014-02")[0] == 0
    customers = write("c.csv", "department;employees\nkulturförvaltningen;720\n")
    march = write("mar.csv", HEADER + "2014-03;kulturförvaltningen;payroll.manual;4\n")
    code, err = issue(march, "2014-03", "--customers", str(customers))
    assert code == 0, err


def test_invoices_list_finds_a_department_typed_with_other_spaces_or_code_points(
    write: WriteFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register = tmp_path / "r.db"
    volumes = write("v.csv", HEADER + f"2014-01;{KULTUR};payroll.manual;3\n")
    assert main(["issue", str(volumes), "--period", "2014-01", "--register", str(register)]) == 0
    capsys.readouterr()
    for typed in (f" {KULTUR_NFD} ", "Kultur\x1b"):
        code = main(["invoices", "list", "--register", str(register), "--department", typed,
                     "--format", "json"])  # fmt: skip
        assert code == 0
        found = json.loads(capsys.readouterr().out)["documents"]
        assert [d["department"] for d in found] == ([KULTUR] if typed.endswith(" ") else [])


def test_register_built_in_code_is_checked_too(write: WriteFile) -> None:
    from sfprice.model import Customer

    volumes = sfprice.read_volumes(write("v.csv", HEADER + "2014-01;Kulturförvaltnigen;a;1\n"))
    (issue,) = department_issues(volumes=volumes, customers=[Customer(KULTUR, employees=1)])
    assert (issue.line, issue.column) == (2, "department")
    assert issue.message == (
        f"'Kulturförvaltnigen' is not in the customer register; did you mean '{KULTUR}'?"
    )


def test_punctuation_and_letter_variants_are_one_problem(
    write: WriteFile, capsys: pytest.CaptureFixture[str]
) -> None:
    # Fresh-clone trial: a trailing period, a hyphen and ø for ö made new departments.
    path = write(
        "v.csv",
        HEADER + f"2014-01;{KULTUR};payroll.manual;1\n"
        "2014-01;Kultur-förvaltningen;payroll.manual;1\n"
        f"2014-01;{KULTUR}.;payroll.manual;1\n"
        "2014-01;Kulturførvaltningen;payroll.manual;1\n",
    )
    (problem,) = _refused(capsys, str(path))
    assert "4 spellings of one department" in problem
    assert "'Kulturførvaltningen' (line 5)" in problem


def test_a_look_alike_letter_from_another_alphabet_is_refused(
    write: WriteFile, capsys: pytest.CaptureFixture[str]
) -> None:
    # A Cyrillic е (U+0435) in a Latin name looks the same and would be another department.
    path = write("v.csv", HEADER + "2014-01;Kulturförvaltning\u0435n;payroll.manual;1\n")
    (problem,) = _refused(capsys, str(path))
    assert "U+0435 CYRILLIC SMALL LETTER IE at position 18 among Latin letters" in problem
    assert problem.startswith(f"error: {path}:2: column 'department': ")


def test_a_name_in_one_other_alphabet_is_fine() -> None:
    assert clean_name("Москва") == "Москва"
    assert fold_name("Farsta–Sköndal.") == fold_name("farsta-skondal")


def test_punctuation_between_digits_tells_departments_apart(write: WriteFile) -> None:
    # "Enhet 1-2" and "Enhet 12" are two departments: 1 x 110 + 2 x 110 = 330,00 kr.
    path = write(
        "v.csv",
        HEADER + "2014-01;Enhet 1-2;payroll.manual;1\n2014-01;Enhet 12;payroll.manual;2\n",
    )
    volumes = sfprice.read_volumes(path)
    assert sorted(volumes.departments) == ["Enhet 1-2", "Enhet 12"]
    catalog = sfprice.load_catalog()
    assert sfprice.bill(catalog, volumes, year=2014).total == Decimal("330.00")


def test_issue_refuses_a_probable_typo_of_an_invoiced_department(
    write: WriteFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Second fresh-clone trial: "Kulturförvaltnigen" became a second department in a
    # register that holds "Kulturförvaltningen". "Förskola 11" (other digits) and a new
    # name far from every invoiced one are new departments.
    register = str(tmp_path / "r.db")
    first = write("a.csv", HEADER + f"2014-01;{KULTUR};payroll.manual;1\n")
    assert main(["issue", str(first), "--period", "2014-01", "--register", register]) == 0
    typo = write("b.csv", HEADER + "2014-03;Kulturförvaltnigen;payroll.manual;1\n")
    assert main(["issue", str(typo), "--period", "2014-03", "--register", register]) == 2
    err = capsys.readouterr().err
    assert f"error: {typo}:2: column 'department': 'Kulturförvaltnigen' is a new department" in err
    assert f"'{KULTUR}' in {register}: a typo?" in err
    new = write(
        "c.csv",
        HEADER + "2014-03;Förskola 11;payroll.manual;1\n2014-03;Förskola 1;payroll.manual;1\n"
        "2014-03;Stadsbyggnadsförvaltningen;payroll.manual;1\n",
    )
    assert main(["issue", str(new), "--period", "2014-03", "--register", register]) == 0


def test_a_fee_for_a_probable_typo_of_a_billed_department_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Second fresh-clone trial: a misspelt fee key billed a phantom department 9 000 kr a
    # month while the real one paid the default fee.
    repo = Path(__file__).resolve().parents[1]
    source = repo / "examples" / "pricelists-2026-models" / "2026-employees.toml"
    text = source.read_text(encoding="utf-8").replace(
        '"Skarpnäcks stadsdelsförvaltning" = 9000', '"Skarpnäcks stadsdelsförvaltningen" = 9000'
    )
    lists = tmp_path / "2026.toml"
    lists.write_text(text, encoding="utf-8")
    volumes = str(repo / "examples" / "volumes-2026.csv")
    assert main(["bill", volumes, "--year", "2026", "--pricelists", str(lists)]) == 2
    err = capsys.readouterr().err
    assert "'Skarpnäcks stadsdelsförvaltningen' has a fee but is no department of the run" in err


@pytest.mark.parametrize(
    "variant", ["Kulturförvaltnin\u0261en", "Kultur\u02bcförvaltningen", "Kultur`förvaltningen"]
)
def test_modifier_and_look_alike_latin_letters_are_variants(variant: str) -> None:
    # Second fresh-clone trial: a script g (U+0261), a modifier apostrophe (U+02BC) and a
    # backtick made second departments.
    assert name_variants([KULTUR, variant]) == [(KULTUR, variant)]


def test_an_armenian_look_alike_in_a_latin_name_is_refused() -> None:
    with pytest.raises(ValueError, match="U\\+0585 ARMENIAN SMALL LETTER OH at position 15"):
        clean_name("Stadsbyggnadsk\u0585ntoret")
