"""Extreme and clashing inputs end in a clear error, never a traceback (issue 9, part 12).

Every numeric option and budget field of the cost-recovery, KPI and simulation commands is
fed values such as 1e30, 1e1000000, 1e-400, inf and huge seeds; the register's
``--number-format`` is checked when the arguments are parsed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sfprice import InputError, load_budget
from sfprice.cli import main
from sfprice.engine.recovery import ForecastAccuracy, YearEndForecast
from sfprice.engine.simulate import noise, noise_problem
from sfprice.money import MAX_DECIMALS, MAX_WHOLE_DIGITS, magnitude_problem
from sfprice.register import Register, RegisterError
from sfprice.register.store import number_format_problem

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = "examples/payroll-2014-synthetic-year.csv"
FORECAST = "examples/forecast-2014.csv"
OUT_OF_RANGE = (
    "is out of range (expected at most 15 digits before the decimal mark and 10 after it)"
)
ZERO_BUDGET = """\
id = "zero"
year = 2014
source = "a budget with no cost at all"

[[areas]]
code = "payroll"
name = "Lön och pension"
kind = "selling"
"""


def _accounts_with_k(tmp_path: Path) -> Path:
    """The example account mapping with an object code for "K", issued without a register."""
    path = tmp_path / "accounts-sie.toml"
    text = (REPO / "examples" / "accounts-sie.toml").read_text(encoding="utf-8")
    path.write_text(text + '"K" = "K1"\n', encoding="utf-8")  # [objects] is the last table
    return path


def _list_2014(tmp_path: Path, price: str) -> Path:
    """A folder with the 2014 list whose first 420 kr price (role register hours) is ``price``."""
    lists = tmp_path / "lists"
    lists.mkdir()
    text = (REPO / "pricelists" / "2014.toml").read_text(encoding="utf-8")
    (lists / "2014.toml").write_text(text.replace("price = 420\n", f"price = {price}\n", 1))
    return lists


def _run(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[object, str, str]:
    monkeypatch.chdir(REPO)
    try:
        code: object = main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


# ------------------------------------------------------------------ balance with no cost


def test_forecast_accuracy_of_no_cost_is_not_defined() -> None:
    # (actual - forecast) / cost with cost 0: no omslutning to measure against.
    accuracy = ForecastAccuracy(
        YearEndForecast("budget", Decimal(10), Decimal(0)), Decimal(20), Decimal(0)
    )
    assert accuracy.deviation is None
    assert accuracy.within_target is None
    # 30 over a cost of 1 000: 3 %, outside ±1 %.
    accuracy = ForecastAccuracy(
        YearEndForecast("budget", Decimal(1000), Decimal(1000)), Decimal(30), Decimal(1000)
    )
    assert (accuracy.deviation, accuracy.within_target) == (Decimal("0.0300"), False)


def test_cli_balance_of_a_zero_cost_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    budget = tmp_path / "zero.toml"
    budget.write_text(ZERO_BUDGET, encoding="utf-8")
    argv = ["balance", SYNTHETIC, "--year", "2014", "--budget", str(budget)]
    code, out, _ = _run(argv, monkeypatch, capsys)
    assert code == 0
    assert "avvikelse – (ej definierad: årets fulla kostnad är 0 kr" in out
    code, out, _ = _run([*argv, "--format", "json"], monkeypatch, capsys)
    assert code == 0
    accuracy = json.loads(out)["t2_accuracy"]
    assert (accuracy["deviation"], accuracy["within_target"]) == (None, None)


# ------------------------------------------------------------------ numbers out of range


@pytest.mark.parametrize("text", ["1e30", "1e1000000", "1e-400", "0.00000000001", "1e15"])
def test_magnitude_problem_refuses_absurd_numbers(text: str) -> None:
    assert magnitude_problem(Decimal(text)) == OUT_OF_RANGE


@given(
    st.decimals(
        min_value=-(Decimal(10) ** MAX_WHOLE_DIGITS) + 1,
        max_value=Decimal(10) ** MAX_WHOLE_DIGITS - 1,
        places=MAX_DECIMALS,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_magnitude_problem_takes_every_number_in_range(value: Decimal) -> None:
    assert magnitude_problem(value) is None


@pytest.mark.parametrize("amount", ["1e30", "1e1000000", "-1e1000000", "1e-1000000"])
def test_budget_amounts_out_of_range_are_located(
    write_file: Callable[..., Path], amount: str
) -> None:
    text = (REPO / "budgets" / "2014-payroll.toml").read_text(encoding="utf-8")
    path = write_file("b.toml", text.replace("amount = 38000000", f"amount = {amount}"))
    with pytest.raises(InputError) as caught:
        load_budget(path)
    (issue,) = caught.value.issues
    assert issue.field == "areas[0].costs[0].amount (payroll)"
    expected = {
        "1e30": "1E+30 " + OUT_OF_RANGE,
        "1e1000000": "1E+1000000 " + OUT_OF_RANGE,
        "-1e1000000": "-1E+1000000 " + OUT_OF_RANGE,  # the range is checked first
        "1e-1000000": "1E-1000000 " + OUT_OF_RANGE,
    }[amount]
    assert expected in issue.message


@pytest.mark.parametrize(
    "extra",
    [
        ["--addon-revenue", "1e30"],
        ["--carried-balance", "1e1000000"],
        ["--carried-balance=-1e1000000"],
        ["--quantum", "1e-400"],
        ["--quantum", "1e30"],
        ["--fix", "payroll.hourly.training=1e30"],
        ["--share", "payroll=1e1000000"],
    ],
)
def test_breakeven_arguments_out_of_range(
    extra: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["breakeven", "--budget", "2014-payroll", "--forecast", FORECAST, "--rule", "ratio"]
    code, out, err = _run([*argv, *extra], monkeypatch, capsys)
    assert code == 2
    assert out == ""
    assert OUT_OF_RANGE in err


def test_balance_opening_balance_out_of_range(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["balance", "examples/volumes-2014.csv", "--year", "2014", "--budget", "2014-payroll"]
    code, _, err = _run([*argv, "--opening-balance", "1e30"], monkeypatch, capsys)
    assert code == 2
    assert OUT_OF_RANGE in err


# ------------------------------------------------------------------ simulate


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--model", "hybrid:1e30", OUT_OF_RANGE),
        ("--model", "fixed-trueup:1e1000000", OUT_OF_RANGE),
        ("--scenario", "growth:1e30", OUT_OF_RANGE),
        ("--scenario", "noise:1e308@1", "SIGMA must be 0 or from 1e-06 to 3.0"),
        ("--scenario", "noise:inf@1", "SIGMA must be 0 or from 1e-06 to 3.0"),
        ("--scenario", "noise:nan@1", "SIGMA must be 0 or from 1e-06 to 3.0"),
        ("--scenario", "noise:1e-400@1", "SIGMA must be 0 or from 1e-06 to 3.0"),
        ("--scenario", "noise:-0.1@1", "SIGMA must be 0 or from 1e-06 to 3.0"),
        ("--scenario", "noise:inf", "expected noise:SIGMA@SEED"),
        ("--scenario", "noise:0.1@x", "expected noise:SIGMA@SEED"),
        ("--scenario", "noise:0.1@-5", "SEED must be a whole number from 0 to"),
        ("--scenario", "noise:0.1@" + "9" * 30, "SEED must be a whole number from 0 to"),
        ("--scenario", "noise:0.1@" + "9" * 5000, "(5010 characters): SEED must be"),
    ],
)
def test_simulate_arguments_out_of_range(
    option: str,
    value: str,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["simulate", SYNTHETIC, "--year", "2014", "--budget", "2014-payroll"]
    if option != "--model":
        argv += ["--model", "fixed"]
    code, out, err = _run([*argv, option, value], monkeypatch, capsys)
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err) < 2000  # a huge argument is not echoed whole


def test_noise_in_the_api_refuses_what_the_cli_refuses() -> None:
    assert noise_problem(0.0, 0) is None
    assert noise_problem(3.0, 2**63 - 1) is None
    assert noise_problem(float("inf"), 1) == "SIGMA must be from 0 to 3.0, got inf"
    assert noise_problem(0.1, -5) is not None
    assert noise_problem(0.1, 2**63) is not None
    with pytest.raises(ValueError, match=r"SIGMA must be from 0 to 3\.0"):
        noise((), 1e308, 1)  # type: ignore[arg-type]


# ------------------------------------------------------------------ --number-format


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("{issuer}-{year}-{seq:x}", "{seq:x}: the format 'x' is not a plain decimal"),
        ("{issuer}-{year}-{seq:e}", "{seq:e}: the format 'e' is not a plain decimal"),
        ("{issuer}-{year}-{seq:,}", "{seq:,}: the format ',' is not a plain decimal"),
        ("{issuer}-{year}-{seq:6d}", "{seq:6d}: the format '6d' is not a plain decimal"),
        ("{issuer}-{year}", "{seq} missing"),
        ("{issuer}-{seq}", "{year} missing"),
        ("{year}-{seq}", "{issuer} missing"),
        ("{issuer}-{year}-{month}-{seq}", "{month}: unknown field"),
        ("{issuer}-{year}-{}", "{}: unknown field"),
        ("{issuer}-{year}-{0}", "{0}: unknown field"),
        ("{issuer}-{year}-{seq.real}", "{seq.real}: unknown field"),
        ("{issuer}-{year}-{seq!r}", "{seq!r}: no conversion (!r) is allowed"),
        ("{issuer}-{year}-{seq}-{seq}", "{seq}: {seq} appears twice"),
        ("{issuer}-{year}{seq}", "put text that is not a digit between {year} and {seq}"),
        ("{issuer}-{year}0{seq}", "put text that is not a digit between {year} and {seq}"),
        ("{issuer}-{year}-{seq", "not a format"),
    ],
)
def test_number_format_refused_at_parse_time(
    pattern: str,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert message in (number_format_problem(pattern) or "")
    register = tmp_path / "r.db"
    argv = ["invoices", "list", "--register", str(register), "--number-format", pattern]
    code, out, err = _run(argv, monkeypatch, capsys)
    assert code == 2
    assert out == ""
    assert "argument --number-format" in err
    assert message in err
    assert not register.exists()
    with pytest.raises(RegisterError, match="number format"):
        Register.open(register, number_format=pattern)
    assert not register.exists()


@pytest.mark.parametrize(
    "pattern",
    [
        "{issuer}-{year}-{seq:06d}",
        "{issuer}/{year}/{seq}",
        "{year}.{issuer}.{seq:d}",
        "F{issuer}-{year:04d}-{seq:012d}",
    ],
)
def test_number_format_accepted(pattern: str) -> None:
    assert number_format_problem(pattern) is None


@given(
    seq=st.integers(1, 10**12),
    other=st.integers(1, 10**12),
    year=st.integers(1000, 9999),
    other_year=st.integers(1000, 9999),
)
def test_accepted_formats_give_distinct_numbers(
    seq: int, other: int, year: int, other_year: int
) -> None:
    for pattern in (
        "{issuer}-{year}-{seq:06d}",
        "{issuer}/{year}/{seq}",
        "{year}.{issuer}.{seq:d}",
    ):
        first = pattern.format(issuer="SF", year=year, seq=seq)
        second = pattern.format(issuer="SF", year=other_year, seq=other)
        assert (first == second) == ((year, seq) == (other_year, other))


# ------------------------------------------------------------------ CODE=NUMBER options

FULLCOST = ["fullcost", "--budget", "2010-administration", "--key", "fixed"]
BREAKEVEN = ["breakeven", "--budget", "2014-payroll", "--forecast", FORECAST, "--rule", "ratio"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            [*FULLCOST, "--share", "payroll=1", "--share", "payroll=2"],
            "--share payroll is given twice (1 and 2); give it once",
        ),
        (
            [
                *BREAKEVEN,
                "--fix",
                "payroll.hourly.training=420",
                "--fix",
                "payroll.hourly.training=500",
            ],
            "--fix payroll.hourly.training is given twice (420 and 500); give it once",
        ),
        (
            [*FULLCOST, "--share=payroll=-1"],
            "'payroll=-1': the number must be 0 or more",
        ),
        (
            [*BREAKEVEN, "--fix=payroll.hourly.training=-420"],
            "'payroll.hourly.training=-420': the number must be 0 or more",
        ),
    ],
)
def test_code_number_options_never_let_the_last_win(
    argv: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _run(argv, monkeypatch, capsys)
    assert code == 2
    assert out == ""
    assert message in err


def test_forecast_unknown_service_suggests_the_nearest(write_file: Callable[..., Path]) -> None:
    from sfprice import load_catalog, read_forecast

    path = write_file("f.csv", "service,quantity\npayroll.self_servise,10\n")
    with pytest.raises(InputError) as caught:
        read_forecast(path, codes=load_catalog().codes)
    (issue,) = caught.value.issues
    assert (issue.line, issue.column) == (2, "service")
    assert "did you mean payroll.self_service" in issue.message


def test_breakeven_with_nothing_left_to_recover_says_why(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # 48 300 000 - 48 300 000 add-on revenue = 0 kr to recover; the surcharge rule needs
    # 147 000 x 53 = 7 791 000 kr from the manual surcharge alone, so self-service would be
    # (0 - 7 791 000) / 600 000 = -12,985 -> -13 kr.
    argv = [*BREAKEVEN[:-1], "surcharge", "--addon-revenue", "48300000"]
    code, out, err = _run(argv, monkeypatch, capsys)
    assert code == 2
    assert out == ""
    assert "no price >= 0 recovers the target 0 kr under the surcharge rule" in err
    assert "payroll.self_service would be -13" in err


@pytest.mark.parametrize("amount", ["1e26", "1e30", "1e39"])
def test_allocation_pool_amounts_out_of_range_are_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], amount: str
) -> None:
    # Fresh-clone trial: 1e26..1e40 kr ended in a traceback (quantize beyond 28 digits).
    text = (REPO / "examples" / "allocations-2010.toml").read_text(encoding="utf-8")
    changed = text.replace("amount = 1000000 ", f"amount = {amount} ", 1)
    assert changed != text
    pools = tmp_path / "pools.toml"
    pools.write_text(changed, encoding="utf-8")
    for key in ("ledger-2009-jan-sep.csv", "agresso-users-2009-07.csv"):
        (tmp_path / key).write_bytes((REPO / "examples" / key).read_bytes())
    volumes = str(REPO / "examples" / "volumes-2010.csv")
    code = main(["bill", volumes, "--year", "2010", "--allocations", str(pools)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"pools[0].amount (economy.cash_bank): {Decimal(amount)} {OUT_OF_RANGE}" in err


def test_sie_export_of_amounts_beyond_28_digits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Fresh-clone trial: a price of 1e24 kr billed and issued, then export sie crashed.
    # 100 hours x 10^24 kr = 10^26 kr, written to öre: 100000000000000000000000000.00.
    lists = _list_2014(tmp_path, "1e24")
    volumes = tmp_path / "v.csv"
    volumes.write_text(
        "month;department;service;quantity\n2014-02;K;payroll.hourly.role_register;100\n"
    )
    register, out = tmp_path / "r.db", tmp_path / "x.se"
    issued = ["issue", str(volumes), "--period", "2014-02", "--register", str(register)]
    assert main([*issued, "--pricelists", str(lists)]) == 0
    capsys.readouterr()
    code = main(["export", "sie", "--year", "2014", "--register", str(register), "--accounts",
                 str(_accounts_with_k(tmp_path)), "--output", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert "100000000000000000000000000.00" in out.read_bytes().decode("cp437")


def test_a_credit_note_of_a_29_digit_amount_is_exact_and_its_sie_balances(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Second fresh-clone trial: negating 1000000000000000000000000000.01 with unary minus
    # rounded it to 28 digits, so the credit note was ...000.00 and SIE did not balance.
    price = "1000000000000000000000000000.01"
    lists = _list_2014(tmp_path, price)
    register = str(tmp_path / "r.db")
    for quantity in ("1", "2"):
        volumes = tmp_path / f"v{quantity}.csv"
        volumes.write_text(
            f"month;department;service;quantity\n2014-02;K;payroll.hourly.role_register;{quantity}\n"
        )
        args = ["issue", str(volumes), "--period", "2014-02", "--register", register]
        assert main([*args, "--pricelists", str(lists)]) == 0
    capsys.readouterr()
    with Register.open(register) as opened:
        credit = next(d for d in opened.documents() if d.credits is not None)
    assert credit.total == Decimal("-" + price)
    assert credit.lines[0].amount == Decimal("-" + price)
    out = tmp_path / "x.se"
    code = main(["export", "sie", "--year", "2014", "--register", register, "--accounts",
                 str(_accounts_with_k(tmp_path)), "--output", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    text = out.read_bytes().decode("cp437")
    assert f'#TRANS 3011 {{"1" "K1"}} {price}' in text  # the credit note's reversal
    assert f'#TRANS 7690 {{"1" "K1"}} -{price}' in text


def test_a_price_with_31_significant_digits_is_shown_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Second fresh-clone trial: format_price crashed beyond 28 significant digits.
    # 3 x 56.99999999999999999999999999999 = 170.99999999999999999999999999997 -> 171,00.
    price = "56.99999999999999999999999999999"
    lists = _list_2014(tmp_path, price)
    volumes = tmp_path / "v.csv"
    volumes.write_text(
        "month;department;service;quantity\n2014-02;K;payroll.hourly.role_register;3\n"
    )
    assert main(["bill", str(volumes), "--year", "2014", "--pricelists", str(lists)]) == 0
    out = capsys.readouterr().out
    assert "56,99999999999999999999999999999\xa0kr" in out
    assert "171,00\xa0kr" in out


def test_allocate_is_exact_beyond_28_digits() -> None:
    # Second fresh-clone trial: simulate --scenario growth:1e14 on large volumes crashed in
    # allocate (its total was divided and quantized in the default 28-digit context).
    from sfprice.money import allocate, exact_sum

    total = Decimal("1000000000000000000000000000000.01")  # 31 digits before the öre
    parts = allocate(total, {"a": Decimal(1), "b": Decimal(1)})
    # 100000000000000000000000000000001 öre / 2: a gets the odd öre (tie to the first key).
    assert parts == {
        "a": Decimal("500000000000000000000000000000.01"),
        "b": Decimal("500000000000000000000000000000.00"),
    }
    assert exact_sum(parts.values()) == total
