"""The core states remedies in the API's terms; the CLI words them as its options (one place).

A notebook that calls ``kpi_report`` should read ``or measure fewer months``, not
``--through``; the terminal reads the option. ``sfprice.cli.hints`` is the one place
where a remedy becomes an option or a command.
"""

from __future__ import annotations

import ast
import re
from decimal import Decimal
from pathlib import Path

import pytest

import sfprice
from sfprice import Month, VolumeEntry, VolumeKey, VolumeSource, kpi_report
from sfprice.cli import main
from sfprice.cli.hints import CLI_HINTS, with_hints
from sfprice.errors import InputError, Remedy
from sfprice.io.volumes import read_volume_files

D = Decimal
SRC = Path(sfprice.__file__).resolve().parent
REPO = Path(__file__).resolve().parents[1]

# What a notebook calls. Known exceptions: the app's check of ``through`` against the year,
# and the register's closed-period message, which spells out the whole reopen command.
CORE = (
    "model.py",
    "money.py",
    "period.py",
    "names.py",
    "costs.py",
    "kpis.py",
    "errors.py",
    "units.py",
)
CORE_PACKAGES = ("io", "engine", "kinds", "documents", "app", "register")
KNOWN = {
    "app/recovery.py": {"--through", "--year"},
    "register/store.py": {"python -m sfprice", "--register", "--reason"},
}
CLI_WORDS = re.compile(r"(?<![\w-])--[a-z][a-z-]+|python -m sfprice")


def _texts(path: Path) -> list[tuple[int, str]]:
    """The string constants of a module that are not docstrings, with their lines."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def _core_files() -> list[Path]:
    files = [SRC / name for name in CORE]
    for package in CORE_PACKAGES:
        files += sorted((SRC / package).glob("*.py"))
    return files


def test_no_core_message_names_a_cli_option() -> None:
    found = [
        f"{path.relative_to(SRC)}:{line}: {text!r}"
        for path in _core_files()
        for line, text in _texts(path)
        if not set(CLI_WORDS.findall(text)) <= KNOWN.get(str(path.relative_to(SRC)), set())
    ]
    assert found == []


def test_the_checker_sees_an_option_in_a_message() -> None:
    assert CLI_WORDS.search("(give every month measured, or --through an earlier month)")
    assert CLI_WORDS.search("run 'python -m sfprice pricelists' to list the codes")
    assert not CLI_WORDS.search("a self-service payslip costs 12 kr")
    assert not CLI_WORDS.search("2014-01--2014-02")


def test_every_remedy_has_one_cli_hint_and_is_used() -> None:
    assert set(CLI_HINTS) == set(Remedy)
    used = "\n".join(p.read_text(encoding="utf-8") for p in _core_files() if p.name != "errors.py")
    for remedy in Remedy:
        assert f"Remedy.{remedy.name}" in used, remedy
        # A remedy is specific enough that no other message contains it by chance.
        assert len(remedy.value) >= 18, remedy


def test_with_hints_leaves_other_text_alone() -> None:
    text = "unknown service 'x': no price list has it; did you mean payroll.manual?"
    assert with_hints(text) == text
    for remedy, cli in CLI_HINTS.items():
        assert with_hints(f"a ({remedy}) b") == f"a ({cli}) b"


def test_api_kpi_message_names_no_option(catalog: sfprice.PriceCatalog) -> None:
    entries = [
        VolumeEntry(
            VolumeKey(Month(2014, m), "Stad", "payroll.manual"), D(10), (VolumeSource("<t>", 1),)
        )
        for m in (1, 2)
    ]
    run = sfprice.bill(catalog, entries, year=2014)
    kpi = sfprice.kpis_for_year(2014, metrics=[sfprice.METRICS["payroll.payslips_per_fte"]])
    fte = {"payroll": {1: D(50)}}  # no FTE for February
    with pytest.raises(ValueError, match="in 2014-02") as error:
        kpi_report(run, kpi, year=2014, months=(1, 2), fte=fte, time_base="month")
    assert str(error.value).endswith("(give every month measured, or measure fewer months)")


def test_api_unknown_service_message_names_no_command(tmp_path: Path) -> None:
    volumes = tmp_path / "v.csv"
    volumes.write_text("month,department,service,quantity\n2014-01,Stad,xyz,1\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_volume_files([volumes], catalog=sfprice.load_catalog(), year=2014)
    message = error.value.issues[0].message
    assert message.endswith("; the codes are in the pricelists (load_catalog().codes)")


def test_api_per_employee_without_register_names_the_parameter() -> None:
    catalog = sfprice.load_catalog([REPO / "examples/pricelists-2026-models/2026-employees.toml"])
    volumes = sfprice.read_volumes(REPO / "examples/volumes-2026.csv")
    with pytest.raises(InputError) as error:
        sfprice.bill(catalog, volumes, year=2026)
    message = error.value.issues[0].message
    assert "none was given (give one as customers=); departments: " in message
    assert "--customers" not in message


def test_cli_per_employee_without_register_names_the_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["bill", "examples/volumes-2026.csv", "--year", "2026"]
    lists = ["--pricelists", "examples/pricelists-2026-models/2026-employees.toml"]
    assert main([*argv, *lists]) == 2
    err = capsys.readouterr().err
    assert "none was given (customers=, or --customers FILE); departments: " in err
    assert main([*argv, *lists, "--errors", "json"]) == 2
    assert "(customers=, or --customers FILE)" in capsys.readouterr().err
    # With the register the same volumes bill.
    assert main([*argv, *lists, "--customers", "examples/customers-2026.csv"]) == 0


def test_register_remedies_api_and_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sfprice.register import Register, RegisterError

    path = tmp_path / "r.db"
    with Register.open(path, create=True) as register:
        register.close_period(Month(2014, 2), reason="bokslut")
        with pytest.raises(RegisterError) as error:
            register.reopen_period(Month(2014, 2), reason=" ")
    assert str(error.value) == "reopening 2014-02 needs a reason (give one as reason=)"
    argv = ["period", "reopen", "2014-02", "--register", str(path), "--reason", " "]
    assert main(argv) == 2
    assert capsys.readouterr().err == "error: reopening 2014-02 needs a reason (--reason TEXT)\n"
