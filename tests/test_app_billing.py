"""One billing pipeline (issue #9, fault 4): ``issue`` stores exactly what ``bill`` shows.

Also the combined price-list sources (fault 10) and outputs that are inputs (fault 12).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from strategies import VolumeRow, volume_csv, volume_rows

from sfprice.app import BillingRequest, run_billing
from sfprice.cli import main
from sfprice.errors import InputError
from sfprice.io.pricelists import BUNDLED, load_catalog, pricelist_sources
from sfprice.period import Month
from sfprice.register import Register

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
D = Decimal


def run_cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def bill_json(capsys: pytest.CaptureFixture[str], *argv: object) -> dict[str, object]:
    code, out, err = run_cli(capsys, "bill", *argv, "--format", "json")
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    return data


Charges = dict[str, tuple[list[tuple[str, Decimal, Decimal, Decimal]], Decimal]]


def billed(data: dict[str, object], month: str) -> Charges:
    """Per department of ``month``: its lines (service, quantity, price, amount) and total.

    Compared as Decimal values: the register stores ``9`` where bill prints ``9.00``.
    """
    found = {}
    for invoice in data["invoices"]:  # type: ignore[attr-defined]
        if invoice["month"] == month:
            lines = [
                (ln["service"], D(ln["quantity"]), D(ln["unit_price"]), D(ln["amount"]))
                for ln in invoice["lines"]
            ]
            found[invoice["department"]] = (lines, D(invoice["total"]))
    return found


def issued(data: dict[str, object]) -> Charges:
    found = {}
    for document in data["documents"]:  # type: ignore[attr-defined]
        assert document["kind"] == "invoice"
        lines = [
            (ln["service"], D(ln["quantity"]), D(ln["unit_price"]), D(ln["amount"]))
            for ln in document["lines"]
        ]
        found[document["department"]] = (lines, D(document["total"]))
    return found


# -- fault 4: the example of the issue -----------------------------------------------------

VOLUMES_2010 = EXAMPLES / "volumes-2010.csv"
ALLOCATIONS_2010 = EXAMPLES / "allocations-2010.toml"


def test_issue_with_allocations_issues_what_bill_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = bill_json(capsys, VOLUMES_2010, "--year", "2010", "--allocations", ALLOCATIONS_2010)
    march = billed(shown, "2010-03")
    # The issue's figures: bill shows 5 invoices for March, 301 682,97 kr.
    assert len(march) == 5
    assert sum(total for _, total in march.values()) == D("301682.97")
    code, out, err = run_cli(
        capsys, "issue", VOLUMES_2010, "--period", "2010-03", "--allocations", ALLOCATIONS_2010,
        "--register", tmp_path / "r.db", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    assert issued(json.loads(out)) == march


def test_allocation_lines_of_march_by_hand(capsys: pytest.CaptureFixture[str]) -> None:
    plain = billed(bill_json(capsys, VOLUMES_2010, "--year", "2010"), "2010-03")
    shown = billed(
        bill_json(capsys, VOLUMES_2010, "--year", "2010", "--allocations", ALLOCATIONS_2010),
        "2010-03",
    )
    # Without allocations March is what issue used to store: 2 invoices,
    # 28 233,00 + 148 450,00 = 176 683,00 kr.
    assert {d: t for d, (_, t) in plain.items()} == {
        "Exploateringsförvaltningen": D("28233.00"),
        "Stadsbyggnadsförvaltningen": D("148450.00"),
    }
    # The two pools are 1 000 000 + 500 000 = 1 500 000 kr a year; a month carries a
    # twelfth, 125 000 kr, less the part of an öre each of the 9 department parts (4 with
    # a cash-and-bank key, 5 with Agresso users) leaves for December, where the remainder
    # goes: 25 000,00 + 3 988,45 + 8 333,33 + 5 176,51 + 3 224,71 + 47 916,66 + 19 772,57
    # + 2 083,33 + 9 504,41 = 124 999,97 = 301 682,97 - 176 683,00.
    allocated = sum(
        amount
        for lines, _ in shown.values()
        for service, _q, _p, amount in lines
        if service in ("economy.cash_bank", "economy.system_management")
    )
    assert allocated == D("124999.97")
    assert D("125000") - allocated <= D("0.10")


def test_issue_refuses_no_month_only_when_bill_shows_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # January has allocation invoices only: bill shows them, so issue must issue them.
    shown = billed(
        bill_json(capsys, VOLUMES_2010, "--year", "2010", "--allocations", ALLOCATIONS_2010),
        "2010-01",
    )
    assert shown
    code, out, err = run_cli(
        capsys, "issue", VOLUMES_2010, "--period", "2010-01", "--allocations", ALLOCATIONS_2010,
        "--register", tmp_path / "r.db", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    assert issued(json.loads(out)) == shown


def test_issue_takes_every_billing_option_of_bill(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixed = EXAMPLES / "pricelists-2026-models" / "2026-employees.toml"
    common = [
        EXAMPLES / "volumes-2026.csv", "--customers", EXAMPLES / "customers-2026.csv",
        "--pricelists", BUNDLED, "--pricelists", fixed,
    ]  # fmt: skip
    shown = bill_json(capsys, *common, "--year", "2026")
    for month in sorted({i["month"] for i in shown["invoices"]}):  # type: ignore[attr-defined]
        code, out, err = run_cli(
            capsys, "issue", *common, "--period", month, "--register", tmp_path / "r.db",
            "--format", "json",
        )  # fmt: skip
        assert code == 0, err
        assert issued(json.loads(out)) == billed(shown, month)


def test_run_billing_is_what_the_cli_shows(capsys: pytest.CaptureFixture[str]) -> None:
    outcome = run_billing(BillingRequest((VOLUMES_2010,), 2010, allocations=ALLOCATIONS_2010))
    shown = bill_json(capsys, VOLUMES_2010, "--year", "2010", "--allocations", ALLOCATIONS_2010)
    assert str(outcome.run.total) == shown["total"]
    assert [str(m) for m in outcome.months()] == [f"2010-{m:02d}" for m in range(1, 13)]
    assert len(outcome.invoices_of(Month(2010, 3))) == 5
    assert [f.name for f in outcome.pricelist_files] == ["2010.toml", "2014.toml"]


# -- fault 4: the property -----------------------------------------------------------------

FEES = """
[[items]]
code = "admin.fixed"
name = "Fast avgift (test)"
kind = "fixed_monthly"
default_fee = {fee}

[[items]]
code = "admin.per_employee"
name = "Avgift per anställd (test)"
kind = "per_employee"
price = {per_employee}
"""


Inputs = tuple[list[VolumeRow], list[tuple[str, int]], dict[str, Any]]


@st.composite
def billing_inputs(draw: st.DrawFn) -> Inputs:
    rows = draw(volume_rows(2014, max_size=8))
    departments = sorted({row.department for row in rows})
    extra = draw(st.sampled_from(["Nämnd utan volymer", "Östermalms stadsdelsförvaltning"]))
    # Fees per employee need every billed department's headcount: all of them are in the
    # register, and sometimes one without volumes (it still gets the fixed fees).
    register = [*departments, extra] if draw(st.booleans()) else departments
    customers = [(name, draw(st.integers(0, 5000))) for name in register]
    shares = [
        (name, draw(st.integers(0, 400)))
        for name in draw(st.lists(st.sampled_from([*departments, extra]), min_size=1, unique=True))
    ]
    other = {
        "fee": draw(st.decimals(0, 5000, places=2)),
        "per_employee": draw(st.decimals(0, 50, places=2)),
        "pool": draw(st.decimals(0, 2_000_000, places=2)),
        "shares": shares,
    }
    return rows, customers, other


def _csv(rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(inputs=billing_inputs())
def test_property_issue_stores_what_bill_shows(
    inputs: Inputs,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows, customers, other = inputs
    folder = tmp_path_factory.mktemp("run")
    (folder / "volumes.csv").write_text(volume_csv(rows), encoding="utf-8")
    (folder / "customers.csv").write_text(
        _csv([("department", "employees"), *customers]), encoding="utf-8"
    )
    (folder / "keys.csv").write_text(_csv([("department", "quantity"), *other["shares"]]))
    (folder / "pools.toml").write_text(
        f'[[pools]]\ncode = "shared.pool"\nname = "Pool"\namount = {other["pool"]}\n'
        '[pools.key]\ntype = "snapshot"\nfile = "keys.csv"\n',
        encoding="utf-8",
    )
    bundled = (REPO / "pricelists" / "2014.toml").read_text(encoding="utf-8")
    (folder / "2014.toml").write_text(
        bundled + FEES.format(fee=other["fee"], per_employee=other["per_employee"]),
        encoding="utf-8",
    )
    args = [
        folder / "volumes.csv", "--customers", folder / "customers.csv",
        "--allocations", folder / "pools.toml", "--pricelists", folder / "2014.toml",
    ]  # fmt: skip
    code, out, err = run_cli(capsys, "bill", *args, "--year", "2014", "--format", "json")
    event("refused" if code else "billed")
    if code != 0:  # a refused input is refused the same way by both
        again = run_cli(capsys, "issue", *args, "--period", "2014-01", "--register",
                        folder / "r.db")  # fmt: skip
        assert again == (code, "", err)
        return
    shown = json.loads(out)
    total = D(0)
    for number in range(1, 13):
        month = f"2014-{number:02d}"
        expected = billed(shown, month)
        code, out, err = run_cli(
            capsys, "issue", *args, "--period", month, "--register", folder / "r.db",
            "--format", "json",
        )  # fmt: skip
        if not expected:
            assert code == 2
            assert "nothing was issued" in err
            continue
        assert code == 0, err
        stored = issued(json.loads(out))
        assert stored == expected
        total += sum(t for _, t in stored.values())
    assert total == D(shown["total"])


# -- fault 10: several price-list sources --------------------------------------------------


def test_bundled_and_own_lists_combine(tmp_path: Path) -> None:
    own = EXAMPLES / "pricelists-2026-models" / "2026-fixed.toml"
    catalog = load_catalog([BUNDLED, own])
    assert [pl.id for pl in catalog] == ["2010", "2014", load_catalog(own).lists[0].id]
    # The same file named twice (a folder and the file in it, a link) is read once.
    link = tmp_path / "link.toml"
    link.symlink_to(own)
    files = pricelist_sources([own.parent, own, link])
    assert len(files) == len(pricelist_sources([own.parent]))


def test_repeated_pricelists_option_uses_every_folder(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_cli(
        capsys, "pricelists", "--pricelists", BUNDLED, "--pricelists",
        EXAMPLES / "pricelists-2026-models" / "2026-fixed.toml", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    ids = [pl["id"] for pl in json.loads(out)]
    assert ids[:2] == ["2010", "2014"]
    assert len(ids) == 3


def test_conflicting_sources_name_both_files(tmp_path: Path) -> None:
    copy = tmp_path / "mine" / "2014.toml"
    copy.parent.mkdir()
    copy.write_text((REPO / "pricelists" / "2014.toml").read_text(encoding="utf-8"))
    with pytest.raises(InputError) as info:
        load_catalog([REPO / "pricelists", copy.parent])
    messages = [str(issue) for issue in info.value.issues]
    assert len(messages) == 2  # the id twice, and the overlapping year
    assert all(str(copy) in m and "pricelists/2014.toml" in m for m in messages)


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "fields"),
    [
        ("2014-03-15", "2014-12-31", ["valid_from"]),
        ("2014-01-01", "2014-06-30", []),
        ("2014-01-01", "2014-02-28", []),
        ("2016-01-01", "2016-02-28", ["valid_to"]),  # 2016 is a leap year
        ("2014-01-02", "2014-11-30", ["valid_from"]),
        ("2014-01-01", "2014-12-30", ["valid_to"]),
    ],
)
def test_a_list_covers_whole_months(
    tmp_path: Path, valid_from: str, valid_to: str, fields: list[str]
) -> None:
    text = (REPO / "pricelists" / "2014.toml").read_text(encoding="utf-8")
    text = text.replace("valid_from = 2014-01-01", f"valid_from = {valid_from}")
    text = text.replace("valid_to = 2014-12-31", f"valid_to = {valid_to}")
    path = tmp_path / "list.toml"
    path.write_text(text, encoding="utf-8")
    if not fields:
        assert load_catalog(path).lists[0].valid_to.isoformat() == valid_to
        return
    with pytest.raises(InputError) as info:
        load_catalog(path)
    assert [issue.field for issue in info.value.issues] == fields
    assert all(issue.path == str(path) for issue in info.value.issues)


# -- fault 12: an output that is an input ---------------------------------------------------


def _volumes(tmp_path: Path) -> Path:
    path = tmp_path / "v.csv"
    path.write_bytes((EXAMPLES / "volumes-2014.csv").read_bytes())
    return path


@pytest.mark.parametrize("how", ["same", "absolute", "dotted", "symlink", "hardlink"])
def test_output_that_is_the_volume_file_is_refused(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    how: str,
) -> None:
    volumes = _volumes(tmp_path)
    before = volumes.read_bytes()
    monkeypatch.chdir(tmp_path)
    output = {
        "same": Path("v.csv"),
        "absolute": volumes,
        "dotted": Path("./sub/../v.csv"),
        "symlink": tmp_path / "link.csv",
        "hardlink": tmp_path / "hard.csv",
    }[how]
    (tmp_path / "sub").mkdir()
    if how == "symlink":
        output.symlink_to(volumes)
    if how == "hardlink":
        os.link(volumes, output)
    code, out, err = run_cli(capsys, "bill", "v.csv", "--year", "2014", "--output", output)
    assert (code, out) == (2, "")
    assert "is the same file as the input" in err
    assert err.endswith("1 problem(s); nothing was written\n")
    assert volumes.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["v.csv", "sub"] + ([output.name] if how in ("symlink", "hardlink") else [])
    )


@pytest.mark.parametrize("option", ["--customers", "--allocations", "--pricelists"])
def test_output_that_is_another_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    volumes = _volumes(tmp_path)
    target = tmp_path / "input.toml"
    source = {
        "--customers": EXAMPLES / "customers-2026.csv",
        "--allocations": ALLOCATIONS_2010,
        "--pricelists": REPO / "pricelists" / "2014.toml",
    }[option]
    target.write_bytes(source.read_bytes())
    before = target.read_bytes()
    given = tmp_path if option == "--pricelists" else target  # a folder stands for its lists
    code, out, err = run_cli(
        capsys, "bill", volumes, "--year", "2014", option, given, "--output", target
    )
    assert (code, out) == (2, "")
    assert f"({option})" in err
    assert target.read_bytes() == before


def test_issue_output_that_is_the_register_is_refused_before_issuing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    volumes = _volumes(tmp_path)
    register = tmp_path / "r.db"
    args = ["issue", volumes, "--period", "2014-02", "--register", register]
    assert run_cli(capsys, *args)[0] == 0
    before = register.read_bytes()
    code, _, err = run_cli(capsys, *args, "--output", register)
    assert code == 2
    assert "(--register)" in err
    assert register.read_bytes() == before


def test_breakeven_draft_over_a_price_list_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    draft = lists / "2014.toml"
    draft.write_bytes((REPO / "pricelists" / "2014.toml").read_bytes())
    before = draft.read_bytes()
    code, _, err = run_cli(
        capsys, "breakeven", "--budget", "2014-payroll", "--forecast",
        EXAMPLES / "forecast-2014.csv", "--rule", "ratio", "--pricelists", lists,
        "--output", draft,
    )  # fmt: skip
    assert code == 2, err
    assert "(--pricelists)" in err
    assert draft.read_bytes() == before


def test_a_new_output_file_and_devices_are_fine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    volumes = _volumes(tmp_path)
    code, _, err = run_cli(
        capsys, "bill", volumes, "--year", "2014", "--output", tmp_path / "bill.txt"
    )
    assert code == 0, err
    assert run_cli(capsys, "bill", volumes, "--year", "2014", "--output", os.devnull)[0] == 0


def test_output_over_an_allocation_key_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("allocations-2010.toml", "ledger-2009-jan-sep.csv", "agresso-users-2009-07.csv"):
        (tmp_path / name).write_bytes((EXAMPLES / name).read_bytes())
    key = tmp_path / "agresso-users-2009-07.csv"
    before = key.read_bytes()
    code, out, err = run_cli(
        capsys, "bill", VOLUMES_2010, "--year", "2010", "--allocations",
        tmp_path / "allocations-2010.toml", "--output", key,
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert "(a key file of --allocations)" in err
    assert key.read_bytes() == before


def test_issue_manifest_records_every_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(
        capsys, "issue", VOLUMES_2010, "--period", "2010-03", "--allocations", ALLOCATIONS_2010,
        "--register", tmp_path / "r.db",
    )  # fmt: skip
    assert code == 0, err
    with Register.open(tmp_path / "r.db") as register:
        (run,) = register.runs()
    roles = [(item.role, Path(item.path).name) for item in run.manifest.inputs]
    assert roles == [
        ("volumes", "volumes-2010.csv"),
        ("pricelist", "2010.toml"),
        ("pricelist", "2014.toml"),
        ("allocations", "allocations-2010.toml"),
        ("allocation_key", "ledger-2009-jan-sep.csv"),
        ("allocation_key", "agresso-users-2009-07.csv"),
    ]


# -- issue 10: balance and kpi take the same billing options -------------------------------


def test_balance_with_allocations_keeps_the_months_of_actuals(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = [VOLUMES_2010, "--year", "2010", "--budget", "2010-administration", "--area",
            "economy", "--format", "json"]  # fmt: skip
    code, out, err = run_cli(capsys, "balance", *args)
    assert code == 0, err
    plain = json.loads(out)
    code, out, err = run_cli(capsys, "balance", *args, "--allocations", ALLOCATIONS_2010)
    assert code == 0, err
    shared = json.loads(out)
    # The economy area has volumes in March only: the actuals still end in March, although
    # the pools put an allocation line on every month of the year.
    assert plain["through"] == shared["through"] == "2010-03"
    # Both pools are economy's: 124 999,97 kr a month (see above) on top of the volumes,
    # so January-March bill 50 940,00 + 3 x 124 999,97 = 425 939,91 kr.
    t1 = next(r for r in shared["rows"] if r["period"] == "T1")
    assert next(r for r in plain["rows"] if r["period"] == "T1")["billed"] == "50940.00"
    assert t1["billed"] == "425939.91"


def test_kpi_takes_customers_allocations_and_several_lists(
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = ["kpi", EXAMPLES / "volumes-2014.csv", "--year", "2014", "--format", "json"]
    code, out, err = run_cli(capsys, *base)
    assert code == 0, err
    code, again, err = run_cli(
        capsys, *base, "--pricelists", BUNDLED, "--pricelists", REPO / "pricelists" / "2014.toml"
    )
    assert code == 0, err
    assert again == out  # the bundled folder and its own 2014 file: the same lists, once


def test_output_that_is_a_register_not_created_yet_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    volumes = _volumes(tmp_path)
    register = tmp_path / "new.db"
    code, out, err = run_cli(
        capsys, "issue", volumes, "--period", "2014-02", "--register", register,
        "--output", tmp_path / "." / "new.db",
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert "(--register)" in err
    assert not register.exists()


def test_reissue_with_allocations_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["issue", VOLUMES_2010, "--period", "2010-03", "--allocations", ALLOCATIONS_2010,
            "--register", tmp_path / "r.db", "--format", "json"]  # fmt: skip
    assert run_cli(capsys, *args)[0] == 0
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    again = json.loads(out)
    assert (again["changed"], again["documents"], len(again["unchanged"])) == (False, [], 5)
    assert "nothing changed" in err
