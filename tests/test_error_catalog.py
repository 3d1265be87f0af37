"""The error catalog: each bad input in docs/examples/errors/ gives the message errors.md shows.

Every case runs ``sfprice.cli.main`` in-process from the repository root, with the arguments
that docs/errors.md shows after ``python -m sfprice`` (relative paths, so the messages are
the same on every machine). It checks the exit code, that nothing is written to standard
output or to the ``--output`` file, and that standard error equals
``docs/examples/errors/<name>.expected`` exactly. A last test checks that docs/errors.md
shows each command with that same text, and that it shows no other sfprice command.

To add a case: put the bad input in docs/examples/errors/, add a line below, write the
expected file from a real run (``python -m sfprice ARGS 2> docs/examples/errors/NAME.expected``
from the repository root) and paste the same text into docs/errors.md.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from sfprice.cli import main

REPO = Path(__file__).resolve().parents[1]
CATALOG = REPO / "docs" / "examples" / "errors"
PAGE = REPO / "docs" / "errors.md"
E = "docs/examples/errors"
PROG = "python -m sfprice "

# Bad input: exit code 2, stderr exactly as in <name>.expected, nothing written.
ERRORS: dict[str, str] = {
    # Volume files
    "bad-volumes": f"bill {E}/bad-volumes.csv --year 2014",
    "month": f"bill {E}/month.csv --year 2014",
    "department-empty": f"bill {E}/department-empty.csv --year 2014",
    "department-characters": f"bill {E}/department-characters.csv --year 2014",
    "department-variants": (
        f"bill {E}/department-variants.csv {E}/department-variants-2.csv --year 2014"
    ),
    "department-unknown": (
        f"bill {E}/department-unknown.csv --year 2014"
        f" --customers {E}/department-unknown-customers.csv"
    ),
    "customers-variants": (
        f"bill examples/volumes-2014.csv --year 2014 --customers {E}/customers-variants.csv"
    ),
    # The customer register (TOML) and labels resolved through it
    "customers-fields": (
        f"bill examples/volumes-2014.csv --year 2014 --customers {E}/customers-fields.toml"
    ),
    "fees-by-code": (
        f"bill {E}/fees-by-code/volumes.csv --year 2014"
        f" --pricelists {E}/fees-by-code/2014-fees.toml"
        f" --customers {E}/fees-by-code/customers.toml"
    ),
    "customers-codes": (
        f"bill examples/volumes-2014.csv --year 2014 --customers {E}/customers-codes.csv"
    ),
    "customers-links": (
        f"bill examples/volumes-2014.csv --year 2014 --customers {E}/customers-links.toml"
    ),
    "department-dates": (
        f"bill {E}/department-dates.csv --year 2014 --customers {E}/department-dates-customers.toml"
    ),
    "allocations-undated": (
        f"bill examples/volumes-2014.csv --year 2014"
        f" --customers {E}/allocations-undated/customers.toml"
        f" --allocations {E}/allocations-undated/pools.toml"
    ),
    "service-unknown": f"bill {E}/service-unknown.csv --year 2014",
    "service-empty": f"bill {E}/service-empty.csv --year 2014",
    "quantity-not-a-number": f"bill {E}/quantity-not-a-number.csv --year 2014",
    "quantity-negative": f"bill {E}/quantity-negative.csv --year 2014",
    "quantity-fraction": f"bill {E}/quantity-fraction.csv --year 2014",
    "quantity-ambiguous": f"bill {E}/quantity-ambiguous.csv --year 2014",
    "quantity-range": f"bill {E}/quantity-range.csv --year 2014",
    "short-row": f"bill {E}/short-row.csv --year 2014",
    "long-row": f"bill {E}/long-row.csv --year 2014",
    "quantity-split": f"bill {E}/quantity-split.csv --year 2014",
    "quote": f"bill {E}/quote.csv --year 2014",
    "quote-rows": f"bill {E}/quote-rows.csv --year 2014",
    "digits": f"bill {E}/digits.csv --year 2014",
    "total-row": f"bill {E}/total-row.csv --year 2014",
    "too-many": f"bill {E}/too-many.csv --year 2014 --output bill.csv",
    "two-files": (
        f"bill {E}/department-empty.csv {E}/quantity-negative.csv --year 2014 --output bill.csv"
    ),
    "header-missing": f"bill {E}/header-missing.csv --year 2014",
    "header-missing-json": f"bill {E}/header-missing.csv --year 2014 --errors json",
    "header-duplicate": f"bill {E}/header-duplicate.csv --year 2014",
    "empty": f"bill {E}/empty.csv --year 2014",
    "not-utf8": f"bill {E}/not-utf8.csv --year 2014",
    "utf16": f"bill {E}/utf16.csv --year 2014",
    "file-not-found": "bill no-such-file.csv --year 2014",
    "file-is-folder": "bill examples --year 2014",
    # .xlsx volume files and import profiles
    "xlsx-cells": (
        f"bill {E}/xlsx-cells.xlsx --year 2014 --profile examples/profiles/lisa.toml --sheet Lön"
    ),
    "xlsx-old": f"bill {E}/xlsx-old.xls --year 2014",
    "xlsx-renamed": f"bill {E}/xlsx-renamed.xlsx --year 2014",
    "xlsx-sheet": "bill examples/exports/lisa-2014.xlsx --year 2014 --sheet Volymer",
    "profile-labels": (
        f"bill {E}/profile-labels.xlsx --year 2014 --profile examples/profiles/lisa.toml"
    ),
    "profile-code": (
        f"bill examples/exports/lisa-2014.xlsx --year 2014 --profile {E}/profile-code.toml"
    ),
    # Price lists
    "pricelist-fields": f"pricelists --pricelists {E}/pricelist-fields.toml",
    "pricelist-negative": f"pricelists --pricelists {E}/pricelist-negative.toml",
    "pricelist-negative-bill": (
        f"bill examples/volumes-2014.csv --year 2014 --pricelists {E}/pricelist-negative.toml"
        " --output bill.csv"
    ),
    "pricelist-checks": (
        f"pricelists --pricelists {E}/pricelist-checks.toml --output pricelists.txt"
    ),
    "pricelist-syntax": f"pricelists --pricelists {E}/pricelist-syntax.toml",
    "pricelist-component-item": f"pricelists --pricelists {E}/pricelist-component-item.toml",
    "pricelist-nested": f"pricelists --pricelists {E}/pricelist-nested.toml",
    "pricelist-not-utf8": f"pricelists --pricelists {E}/pricelist-not-utf8.toml",
    "pricelist-overlap": f"pricelists --pricelists {E}/pricelist-overlap",
    "pricelist-duplicate-id": f"pricelists --pricelists {E}/pricelist-duplicate-id",
    "pricelist-none": f"pricelists --pricelists {E}/pricelist-none",
    "pricelist-fees": f"pricelists --pricelists {E}/pricelist-fees.toml",
    "pricelist-package": f"pricelists --pricelists {E}/pricelist-package.toml",
    "pricelist-not-found": "pricelists --pricelists no-such-folder",
    "pricelist-mid-month": f"pricelists --pricelists {E}/pricelist-mid-month.toml",
    "pricelist-combined": f"pricelists --pricelists pricelists --pricelists {E}/pricelist-own",
    # Agreements and overrides (docs/agreements.md)
    "agreements-bad": (
        f"bill examples/volumes-2014.csv --year 2014 --agreements {E}/agreements-bad.toml"
    ),
    "agreements-ids": (
        f"bill examples/volumes-2014.csv --year 2014 --agreements {E}/agreements-ids.toml"
    ),
    "agreements-fields": (
        f"bill examples/volumes-2014.csv --year 2014 --agreements {E}/agreements-fields.toml"
    ),
    "agreements-overlap": (
        f"bill examples/volumes-2014.csv --year 2014 --agreements {E}/agreements-overlap.toml"
    ),
    # Subscription agreements (docs/subscriptions.md)
    "subscriptions-bad": (
        f"subscriptions report examples/volumes-2014.csv"
        f" --year 2014"
        f" --subscriptions {E}/subscriptions-bad.toml"
    ),
    "subscriptions-kind": (
        f"subscriptions report examples/volumes-2014.csv"
        f" --year 2014"
        f" --subscriptions {E}/subscriptions-kind.toml"
    ),
    "subscriptions-proposal": (
        f"subscriptions issue examples/volumes-2014-subscriptions.csv"
        f" --subscriptions {E}/subscriptions-proposal.toml"
        f" --period 2014-04"
        f" --register never-made.db"
    ),
    "subscriptions-months": (
        f"subscriptions issue examples/volumes-2014.csv"
        f" --subscriptions {E}/subscriptions-months.toml"
        f" --period 2014-04"
        f" --register never-made.db"
    ),
    "agreements-customer": (
        f"bill examples/volumes-2014.csv --year 2014 --agreements {E}/agreements-customer.toml"
    ),
    "agreements-register": (
        f"bill examples/volumes-2014.csv --year 2014"
        f" --customers {E}/agreements-register-customers.csv"
        f" --agreements {E}/agreements-register.toml"
    ),
    "agreements-label": (
        f"bill {E}/agreements-label/volumes.csv --year 2014"
        f" --customers {E}/agreements-label/customers.toml"
        f" --agreements {E}/agreements-label/agreements.toml"
    ),
    "agreements-group": (
        f"bill examples/volumes-2014.csv --year 2014 --agreements {E}/agreements-group.toml"
    ),
    "agreements-kind": (
        "bill examples/volumes-2026.csv --year 2026 --customers examples/customers-2026.csv"
        " --pricelists examples/pricelists-2026-models/2026-fixed.toml"
        f" --agreements {E}/agreements-kind.toml"
    ),
    # No price for a volume
    "no-price-2014": f"bill {E}/no-price-2014.csv --year 2014 --output bill.csv",
    "no-list-2013": f"bill {E}/no-list-2013.csv --year 2013",
    # Budgets and the other cost-recovery inputs
    "budget-fields": f"fullcost --budget {E}/budget-fields.toml",
    "budget-not-found": "fullcost --budget no-such-budget",
    "budget-drivers": f"fullcost --budget {E}/budget-drivers.toml",
    "budget-drivers-staff": f"fullcost --budget {E}/budget-drivers-staff.toml",
    "forecast-bad": f"breakeven --budget 2014-payroll --forecast {E}/forecast-bad.csv --rule ratio",
    "staffing-bad": (
        f"kpi examples/volumes-2014.csv --year 2014 --staffing {E}/staffing-bad.csv"
        " --budget 2014-payroll"
    ),
    "allocations-bad": (
        "bill examples/volumes-2010.csv --year 2010"
        " --allocations docs/examples/allocation/bad-pools.toml"
    ),
    "customers-bad": (
        f"bill examples/volumes-2026.csv --year 2026 --customers {E}/customers-bad.csv"
        " --pricelists examples/pricelists-2026-models/2026-fixed.toml"
    ),
    # The register, documents and SIE
    "register-not-ours": f"invoices list --register {E}/not-a-register.db",
    "simulate-two-lists": (
        f"simulate {E}/simulate-two-lists.csv --year 2026"
        f" --budget {E}/simulate-two-lists-budget.toml --pricelists {E}/simulate-two-lists"
        " --customers examples/customers-2026.csv"
    ),
    "simulate-employees-register": (
        "simulate examples/volumes-2014.csv --year 2014 --budget 2014-payroll"
        " --model fixed-employees"
    ),
    "simulate-employees-headcount": (
        "simulate examples/volumes-2014.csv --year 2014 --budget 2014-payroll"
        f" --model fixed-employees --customers {E}/simulate-headcount-customers.csv"
    ),
    "simulate-breakeven-kinds": (
        "simulate examples/volumes-2026.csv --year 2026"
        f" --budget {E}/simulate-two-lists-budget.toml"
        " --pricelists examples/pricelists-2026-models/2026-fixed.toml"
        " --customers examples/customers-2026.csv --model breakeven"
    ),
    "simulate-no-payslips": (
        f"simulate {E}/simulate-no-payslips.csv --year 2014 --budget 2014-payroll"
        " --model fixed-payslips"
    ),
    "simulate-las-no-payslips": (
        f"simulate {E}/simulate-no-payslips.csv --year 2014 --budget 2014-payroll --scenario las"
    ),
    "issue-empty-period": (
        f"issue {E}/issue-empty-period.csv --period 2014-02 --register never-made.db"
    ),
    "document-no-output": f"invoices pdf SF-2014-000001 --register {E}/not-a-register.db",
    # Invoice documents and exports
    "sie-accounts": (
        f"export sie --year 2014 --register {E}/register/fakturor.db"
        f" --accounts {E}/sie-accounts.toml --output interndebitering.se"
    ),
    "sie-unmapped": (
        f"export sie --year 2014 --register {E}/register/fakturor.db"
        f" --accounts {E}/sie-unmapped.toml --output interndebitering.se"
    ),
    "sie-objects": (
        f"export sie --year 2014 --register {E}/register/fakturor.db"
        f" --accounts {E}/sie-objects.toml --output interndebitering.se"
    ),
    "sie-codes": (
        f"export sie --year 2014 --register {E}/register-codes/fakturor.db"
        f" --accounts {E}/sie-codes.toml --output interndebitering.se"
    ),
    "pdf-glyph": (
        f"invoices pdf SF-2026-000003 --register {E}/register/fakturor.db --output faktura.pdf"
    ),
    "pdf-rtl": (
        f"invoices pdf SF-2026-000005 --register {E}/register/fakturor.db --output faktura.pdf"
    ),
    "xlsx-digits": (
        f"invoices xlsx --period 2014-03 --register {E}/register/fakturor.db --output fakturor.xlsx"
    ),
    # Budgets
    "budget-range": f"fullcost --budget {E}/budget-range.toml",
    "share-twice": (
        "fullcost --budget 2010-administration --key fixed --share payroll=1 --share payroll=2"
    ),
    "breakeven-negative": (
        "breakeven --budget 2014-payroll --forecast examples/forecast-2014.csv --rule surcharge"
        " --addon-revenue 48300000"
    ),
    "forecast-service": (
        f"breakeven --budget 2014-payroll --forecast {E}/forecast-service.csv --rule ratio"
    ),
    # Planning next year
    "plan-year-gap": (
        "plan examples/volumes-2025.csv --pricelists examples/plan-2026/pricelist-2025.toml"
        " --rule surcharge --from-year 2024 --year 2026"
        " --budget examples/plan-2026/budget-2026-payroll.toml --output forslag-2026.toml"
    ),
    "plan-budget-year": (
        "plan examples/volumes-2025.csv --pricelists examples/plan-2026/pricelist-2025.toml"
        " --rule surcharge --from-year 2026 --year 2027"
        " --budget examples/plan-2026/budget-2026-payroll.toml --output forslag-2027.toml"
    ),
    "plan-area": (
        "plan examples/volumes-2025.csv --pricelists examples/plan-2026/pricelist-2025.toml"
        " --rule surcharge --from-year 2025 --year 2026"
        " --budget examples/plan-2026/budget-2026-payroll.toml --area economy"
        " --output forslag-2026.toml"
    ),
    "plan-carried-source": (
        "plan examples/volumes-2025.csv --pricelists examples/plan-2026/pricelist-2025.toml"
        " --rule surcharge --from-year 2025 --year 2026"
        " --budget examples/plan-2026/budget-2026-payroll.toml --carried 150000"
        " --output forslag-2026.toml"
    ),
    "plan-no-output": (
        "plan examples/volumes-2025.csv --pricelists examples/plan-2026/pricelist-2025.toml"
        " --rule surcharge --from-year 2025 --year 2026"
        " --budget examples/plan-2026/budget-2026-payroll.toml"
    ),
    "plan-exists": (
        "plan examples/volumes-2025.csv --pricelists examples/plan-2026/pricelist-2025.toml"
        " --rule surcharge --from-year 2025 --year 2026"
        f" --budget examples/plan-2026/budget-2026-payroll.toml --output {E}/plan-exists.toml"
    ),
    "plan-same-files": (
        "plan examples/volumes-2025.csv --pricelists examples/plan-2026/pricelist-2025.toml"
        " --rule surcharge --from-year 2025 --year 2026"
        " --budget examples/plan-2026/budget-2026-payroll.toml --output forslag-2026.toml"
        " --subscriptions-output forslag-2026.toml"
    ),
    "plan-area-volumes": (
        "plan examples/volumes-2025.csv --pricelists examples/plan-2026/pricelist-2025.toml"
        " --rule surcharge --from-year 2025 --year 2026"
        f" --budget {E}/plan-area-empty/budget.toml --area economy --output forslag-2026.toml"
    ),
    "plan-base-list": (
        f"plan {E}/plan-base-list/volumes.csv --pricelists @bundled"
        f" --pricelists {E}/plan-base-list/pricelist-2025.toml --rule surcharge"
        " --base-list 2010 --from-year 2025 --year 2026"
        " --budget examples/plan-2026/budget-2026-payroll.toml --output forslag-2026.toml"
    ),
    "plan-no-charge": (
        "plan examples/volumes-2025.csv --pricelists @bundled"
        " --pricelists examples/plan-2026/pricelist-2025.toml --rule average"
        f" --base-list 2010 --from-year 2025 --year 2026 --budget {E}/plan-area-empty/budget.toml"
        f" --area economy --forecast {E}/plan-area-empty/forecast.csv"
        " --output forslag-2026.toml --subscriptions-output abonnemang-2026.toml"
    ),
    "plan-balance-year": (
        "plan examples/volumes-2025.csv --pricelists examples/plan-2026/pricelist-2025.toml"
        " --rule surcharge --from-year 2025 --year 2026"
        " --budget examples/plan-2026/budget-2026-payroll.toml"
        " --balance-budget examples/plan-2026/budget-2026-payroll.toml --output forslag-2026.toml"
    ),
    "plan-balance-partial": (
        f"plan {E}/plan-balance-partial.csv"
        " --pricelists examples/plan-2026/pricelist-2025.toml"
        " --rule surcharge --from-year 2025 --year 2026"
        " --budget examples/plan-2026/budget-2026-payroll.toml"
        " --balance-budget examples/plan-2026/budget-2025-payroll.toml --output forslag-2026.toml"
    ),
    "plan-carried-twice": (
        "plan examples/volumes-2025.csv --pricelists examples/plan-2026/pricelist-2025.toml"
        " --rule surcharge --from-year 2025 --year 2026"
        " --budget examples/plan-2026/budget-2026-payroll.toml"
        " --balance-budget examples/plan-2026/budget-2025-payroll.toml --carried 1"
        " --carried-source X --output forslag-2026.toml"
    ),
    "balance-next-year": (
        "balance examples/volumes-2025.csv --year 2025"
        " --budget examples/plan-2026/budget-2026-payroll.toml"
        " --pricelists examples/plan-2026/pricelist-2025.toml"
    ),
    # KPIs
    "kpi-staffing": f"kpi examples/volumes-2014.csv --year 2014 --staffing {E}/kpi-staffing.csv",
    "kpi-staffing-months": (
        f"kpi examples/volumes-2014.csv --year 2014 --staffing {E}/kpi-staffing-months.csv"
    ),
    "kpi-through": "kpi examples/volumes-2014.csv --year 2014 --through 2015-01",
    "kpi-time-base": (
        "kpi examples/volumes-2010.csv --year 2010 --staffing examples/staffing-2014.csv"
    ),
    # The invoice register
    "register-missing": "invoices list --register no-such-register.db",
    "register-time-zone": (
        "invoices list --register no-such-register.db --time-zone Europe/Stockholmm"
    ),
    "register-changed": f"invoices list --register {E}/register-changed.db",
    "register-unreadable": f"invoices list --register {E}/register-unreadable.db",
    "register-issuer-name": (
        f"invoices html SF-2014-000001 --register {E}/register.db --issuer-name Ekonomicentrum"
    ),
    # The output file
    "output-folder": "bill examples/volumes-2014.csv --year 2014 --output no-such-folder/bill.csv",
    "output-is-input": (
        "bill examples/volumes-2014.csv --year 2014 --output examples/volumes-2014.csv"
    ),
    # One invoice per paying parent
    "per-parent-register": "bill examples/volumes-2014.csv --year 2014 --per parent",
    "issue-per-parent": (
        "issue examples/volumes-2014.csv --period 2014-01 --register never-made.db --per parent"
    ),
    # Workbooks (Swedish Excel)
    "xlsx-no-output": "bill examples/volumes-2014.csv --year 2014 --format xlsx",
    "xlsx-suffix": "bill examples/volumes-2014.csv --year 2014 --format xlsx --output bill.csv",
    "xlsx-text": "bill examples/volumes-2014.csv --year 2014 --output bill.xlsx",
}
# Cases whose --output is one of their inputs: the file must be left exactly as it was.
OUTPUT_IS_INPUT = {"output-is-input", "plan-exists"}

# Usage errors come from argparse, whose usage lines depend on the Python version and the
# terminal width: only the last line (sfprice's own wording) is compared with <name>.expected.
USAGE: dict[str, str] = {
    "usage-year": "bill examples/volumes-2014.csv",
    "usage-locale": "bill examples/volumes-2014.csv --year 2014 --locale xx_YY",
    "usage-locale-language": "bill examples/volumes-2014.csv --year 2014 --locale fr_FR",
    "usage-range": (
        "breakeven --budget 2014-payroll --forecast examples/forecast-2014.csv --rule ratio"
        " --addon-revenue 1e30"
    ),
    "usage-negative": "fullcost --budget 2010-administration --key fixed --share payroll=-1",
    "usage-noise": (
        "simulate examples/payroll-2014-synthetic-year.csv --year 2014 --budget 2014-payroll"
        " --model fixed --scenario noise:1e308@1"
    ),
    "usage-las": (
        "simulate examples/payroll-2014-synthetic-year.csv --year 2014 --budget 2014-payroll"
        " --scenario las:many"
    ),
    "usage-shock": (
        "simulate examples/payroll-2014-synthetic-year.csv --year 2014 --budget 2014-payroll"
        " --scenario shock:0.1@2014-03"
    ),
    "usage-shock-rate": (
        "simulate examples/payroll-2014-synthetic-year.csv --year 2014 --budget 2014-payroll"
        " --scenario shock:-2@2014-03..2014-04"
    ),
    "usage-number-format": (
        "invoices list --register fakturor.db --number-format {issuer}-{year}-{seq:x}"
    ),
}

# Notes: exit code 0, stderr exactly as in <name>.expected (the bill goes to /dev/null).
NOTES: dict[str, str] = {
    "note-other-year": "bill examples/volumes-2014.csv --year 2015 --output /dev/null",
    "note-proposal": (
        "bill docs/examples/rounding/volumes.csv --year 2015"
        " --pricelists docs/examples/rounding/pricelists --output /dev/null"
    ),
}

ALL = {**ERRORS, **USAGE, **NOTES}


def _expected(name: str) -> str:
    return (CATALOG / f"{name}.expected").read_text(encoding="utf-8")


def _outputs(argv: list[str]) -> list[Path]:
    """The --output files a case names (not devices such as /dev/null)."""
    paths = [Path(argv[i + 1]) for i, arg in enumerate(argv) if arg == "--output"]
    return [REPO / p for p in paths if not str(p).startswith("/dev/")]


def _written(outputs: list[Path]) -> list[Path]:
    """The output files, and temporary files beside them, that exist."""
    found = [output for output in outputs if output.exists()]
    for output in outputs:
        if output.parent.is_dir():
            found += output.parent.glob(f".{output.name}.*")
    return found


def _example_files() -> dict[Path, bytes]:
    """Every file under docs/examples, with its bytes."""
    return {
        path: path.read_bytes()
        for path in (REPO / "docs" / "examples").rglob("*")
        if path.is_file()
    }


def _run(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[object, str, str]:
    """Run the command line from the repository root: (exit code, stdout, stderr)."""
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("COLUMNS", "80")  # argparse wraps its usage text to the terminal
    code: object
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse exits for usage errors
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("name", ERRORS)
def test_error(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = shlex.split(ERRORS[name])
    if name in OUTPUT_IS_INPUT:
        kept = {path: path.read_bytes() for path in _outputs(argv)}
        code, out, err = _run(argv, monkeypatch, capsys)
        assert (code, out, err) == (2, "", _expected(name))
        assert {path: path.read_bytes() for path in kept} == kept, "an input was overwritten"
        assert _written(list(kept)) == list(kept), "a temporary file was left"
        return
    outputs = _outputs(argv)
    assert _written(outputs) == [], "remove these files first: they would hide a failure"
    inputs = _example_files()
    try:
        code, out, err = _run(argv, monkeypatch, capsys)
        assert code == 2
        assert out == ""
        assert err == _expected(name)
        assert _written(outputs) == [], "an output file was written despite the errors"
        # A refused command changes no input: no register is upgraded or created.
        assert _example_files() == inputs, "the command changed or left files in docs/examples"
    finally:
        for path in _written(outputs):
            path.unlink()


@pytest.mark.parametrize("name", USAGE)
def test_usage_error(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(shlex.split(USAGE[name]), monkeypatch, capsys)
    assert code == 2
    assert out == ""
    assert err.startswith("usage: python -m sfprice ")
    assert err.splitlines(keepends=True)[-1] == _expected(name)


@pytest.mark.parametrize("name", NOTES)
def test_note(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(shlex.split(NOTES[name]), monkeypatch, capsys)
    assert code == 0
    assert out == ""
    assert err == _expected(name)


def test_every_example_is_a_case() -> None:
    used = {
        Path(arg).relative_to(E).parts[0]
        for args in ALL.values()
        for arg in shlex.split(args)
        if arg.startswith(f"{E}/")
    }
    expected = {f"{name}.expected" for name in ALL}
    present = {path.name for path in CATALOG.iterdir()}
    assert present - used - expected == set(), "inputs or .expected files that no case uses"
    assert expected - present == set(), "cases without an .expected file"
    assert used - present == set(), "cases whose input is missing"


def _page_outputs() -> tuple[dict[str, list[str]], dict[str, str]]:
    """Each ``$ python -m sfprice ARGS`` command of errors.md with the lines shown below it,
    and the exit code shown by a ``$ echo $?`` that follows it."""
    shown: dict[str, list[str]] = {}
    codes: dict[str, str] = {}
    command: str | None = None  # the sfprice command whose output is being read
    last: str | None = None  # the last sfprice command, for "echo $?"
    echo = False
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if echo and last is not None:
            codes[last] = line
        echo = line == "$ echo $?"
        if line.startswith(("$ ", "```")):
            command = None
            if not echo:
                last = None
        if line.startswith(f"$ {PROG}"):
            command = last = line.removeprefix(f"$ {PROG}")
            assert command not in shown, f"errors.md shows {command!r} twice"
            shown[command] = []
        elif command is not None:
            shown[command].append(line)
    return shown, codes


def _matches(shown: list[str], real: list[str]) -> bool:
    """Whether the page's lines are the real ones; a line "[...]" stands for one or more lines."""
    pieces: list[list[str]] = [[]]
    for line in shown:
        if line.startswith("[...") and line.endswith("]"):
            pieces.append([])
        else:
            pieces[-1].append(line)
    if len(pieces) == 1:
        return shown == real
    first, *middle, last = pieces
    if real[: len(first)] != first or real[len(real) - len(last) :] != last:
        return False
    position, end = len(first) + 1, len(real) - len(last)
    for piece in middle:
        found = next(
            (i for i in range(position, end - len(piece) + 1) if real[i : i + len(piece)] == piece),
            None,
        )
        if found is None:
            return False
        position = found + len(piece) + 1
    return position <= end


def test_errors_page_shows_the_catalog() -> None:
    shown, codes = _page_outputs()
    assert set(shown) == set(ALL.values()), "errors.md and the catalog list other commands"
    for name, args in ALL.items():
        exit_code = "0" if name in NOTES else "2"
        assert codes.get(args, exit_code) == exit_code, f"errors.md: wrong exit code for {name}"
        real = _expected(name).splitlines()
        page = shown[args]
        if name in USAGE:
            assert page[0].startswith("usage: python -m sfprice "), name
            assert page[-1] == real[-1], name
        elif not any(line.startswith("[...") for line in page):
            assert page == real, f"errors.md does not show {name}.expected"
        else:
            assert _matches(page, real), f"errors.md does not show {name}.expected"
