"""simulate --budget with staff drivers: the cost follows the scenario (issue 12, H1)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from sfprice import InputError
from sfprice.cli import main
from sfprice.io.budgets import bundled_budgets, load_budget

REPO = Path(__file__).resolve().parents[1]
ARGS = [
    "simulate",
    str(REPO / "examples" / "payroll-2014-synthetic-year.csv"),
    "--year",
    "2014",
    "--budget",
    "2014-payroll",
    "--model",
    "fixed",
]


def _run(capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    assert main([*ARGS, *extra]) == 0
    return capsys.readouterr().out


def test_table_says_the_cost_follows_volume(capsys: pytest.CaptureFixture[str]) -> None:
    lines = _run(capsys, "--scenario", "growth:0.1").splitlines()
    assert lines[1].startswith("Kostnad att täcka vid planerad volym: 48\xa0300\xa0000,00\xa0kr")
    assert lines[4].startswith("Kostnad som följer volymen: fast 18\xa0198\xa0622,44\xa0kr")
    assert "Utanför ±1 % / ±5 %" in "\n".join(lines)


def test_json_and_csv_carry_the_moving_cost(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(_run(capsys, "--scenario", "growth:0.1", "--format", "json"))
    cost = data["cost_model"]
    # The fixed part never moves; staff = total - fixed; the fee model's cost is the total.
    assert cost["fixed"] == "18198622.44"
    assert Decimal(cost["staff"]) == Decimal(cost["total"]) - Decimal(cost["fixed"])
    assert Decimal(cost["staff"]) > Decimal("30101377.56")  # above the planned staff cost
    fixed = next(m for m in data["models"] if m["model"] == "fixed")
    assert fixed["revenue"] == "48300000.00"  # the fees do not move
    assert fixed["cost"] == cost["total"]
    assert Decimal(fixed["balance"]) == Decimal("48300000.00") - Decimal(cost["total"])
    assert fixed["outside_1pct"] is True
    assert len(cost["months"]) == 12
    rows = list(csv.DictReader(io.StringIO(_run(capsys, "--format", "csv"))))
    assert {"model_cost", "model_balance", "model_outside_1pct"} <= set(rows[0])
    constant = json.loads(_run(capsys, "--constant-cost", "--format", "json"))
    assert constant["cost_model"] is None
    assert constant["cost"] == "48300000.00"


def test_bundled_drivers_read_as_documented() -> None:
    budget = load_budget(bundled_budgets() / "2026-payroll.toml")
    area = budget.area("payroll")
    assert area is not None
    payslips, documents = area.drivers
    # 480 000 x 1,434 = 688 320; 50 000 / 1 400 x 688 320 / 12 = 2 048 571,428... a month.
    assert payslips.cost_per_fte == Decimal("688320.00")
    assert payslips.planned_cost == Decimal("2048571.43") * 12
    # LAS: 10 000 more documents a month at 2 000 per FTE = 5 FTE = 3 441 600 kr a year.
    extra = documents.month_cost(Decimal(30000)) - documents.month_cost(Decimal(20000))
    assert extra * 12 == Decimal("3441600.00")
    assert documents.matches("payroll.employment_documents")


def test_driver_options_and_errors_are_located(tmp_path: Path) -> None:
    base = (REPO / "docs/examples/errors/budget-drivers-staff.toml").read_text(encoding="utf-8")
    good = base.replace("amount = 20000000", "amount = 40000000")
    path = tmp_path / "b.toml"
    path.write_text(good + '\nrounding = "step"\nstep = 5\nlag = 1\nmin_fte = 2\n', "utf-8")
    (driver,) = load_budget(path).areas[0].drivers
    assert (driver.step, driver.lag, driver.min_fte) == (Decimal(5), 1, Decimal(2))
    path.write_text(good + "\nstep = 5\n", "utf-8")
    with pytest.raises(InputError, match=r"areas\[0\]\.drivers\[0\].*step \(FTE\) goes with"):
        load_budget(path)
    twice = good + good[good.index("[[areas.drivers]]") :]
    path.write_text(twice, "utf-8")
    with pytest.raises(InputError, match=r"drivers\[1\]\.label.*already used by drivers\[0\]"):
        load_budget(path)


def test_documents_no_driver_takes_are_said_to_change_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The 2014 budget has no driver on employment documents: the LAS scenario adds
    # volumes no list prices and no staff follows, so every figure stays, and the note
    # says so instead of claiming they count for the cost.
    assert main([*ARGS, "--format", "json"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert main([*ARGS, "--scenario", "las", "--format", "json"]) == 0
    captured = capsys.readouterr()
    after = json.loads(captured.out)
    assert "no staff driver of the cost model takes payroll.employment_documents" in captured.err
    assert "count for the cost only" not in captured.err
    assert after["models"] == before["models"]
    assert after["rows"] == before["rows"]
