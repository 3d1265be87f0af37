"""simulate --monte-carlo: the probability of missing the cost, per model, from the CLI."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest

from sfprice.cli import main

pytest.importorskip("numpy")

SYNTHETIC = "examples/payroll-2014-synthetic-year.csv"
BASE = [
    "simulate", SYNTHETIC, "--year", "2014", "--budget", "2014-payroll",
    "--model", "fixed", "--scenario", "growth:0.1", "--format", "json",
]  # fmt: skip


def _run(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    assert main([*BASE, *extra]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def test_without_spread_every_draw_is_the_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    data = _run(capsys, "--monte-carlo", "7", "--sigma", "0")
    drawn = {m["model"]: m for m in data["uncertainty"]["models"]}
    assert data["uncertainty"]["scenarios"] == 7
    for model in data["models"]:
        mc = drawn[model["model"]]
        assert mc["mean_cost"] == model["cost"]
        assert mc["mean_balance"] == mc["p5_balance"] == mc["p95_balance"] == model["balance"]
    fixed = drawn["fixed"]
    # The fixed fee was set to recover 48 300 000 kr at the planned volumes; 10 % more
    # payslips need more staff: the cost at the scenario is 51 311 943,88 kr, the balance
    # 48 300 000 - 51 311 943,88 = -3 011 943,88 kr. 5 % of the cost is 2 565 597,19 kr, so
    # every draw (all the same) ends outside ±1 % and ±5 %, and under the cost.
    assert fixed["mean_cost"] == "51311943.88"
    assert fixed["mean_balance"] == "-3011943.88"
    assert Decimal("3011943.88") > Decimal("0.05") * Decimal("51311943.88")
    assert fixed["under_recovery_probability"] == "1.0000"
    assert fixed["outside_1pct_probability"] == fixed["outside_5pct_probability"] == "1.0000"
    # The list recovers 53 078 589,60 kr: 1 766 645,72 over, 3,44 % of the cost: outside ±1 %
    # but inside ±5 %.
    unit = drawn["unit"]
    assert unit["mean_balance"] == "1766645.72"
    assert (unit["outside_1pct_probability"], unit["outside_5pct_probability"]) == (
        "1.0000",
        "0.0000",
    )


def test_a_fixed_fee_is_predictable_and_the_draws_reproducible(
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = _run(capsys, "--monte-carlo", "200", "--sigma", "0.05", "--seed", "7")
    again = _run(capsys, "--monte-carlo", "200", "--sigma", "0.05", "--seed", "7")
    other = _run(capsys, "--monte-carlo", "200", "--sigma", "0.05", "--seed", "8")
    assert first["uncertainty"] == again["uncertainty"]
    assert first["uncertainty"]["models"] != other["uncertainty"]["models"]
    spreads = first["uncertainty"]["departments"]
    assert {s["department"] for s in spreads} == {r["department"] for r in first["rows"]}
    for spread in spreads:
        if spread["model"] == "fixed":  # the department knows its charge
            assert spread["p5"] == spread["p95"] == spread["mean"]
            assert spread["width"] == "0.0000"
        else:  # per unit, its charge moves with its volumes
            assert Decimal(spread["p5"]) < Decimal(spread["mean"]) < Decimal(spread["p95"])
    for model in first["uncertainty"]["models"]:
        for key in ("under_recovery", "outside_1pct", "outside_5pct"):
            assert Decimal(0) <= Decimal(model[f"{key}_probability"]) <= Decimal(1)
        assert Decimal(model["p5_balance"]) <= Decimal(model["p50_balance"])
        assert Decimal(model["p50_balance"]) <= Decimal(model["p95_balance"])


def test_the_table_shows_the_uncertainty(capsys: pytest.CaptureFixture[str]) -> None:
    args = [a for a in BASE if a not in {"--format", "json"}]
    assert main([*args, "--monte-carlo", "3", "--sigma", "0"]) == 0
    out = capsys.readouterr().out.replace("\u00a0", " ")
    assert "Osäkerhet: 3 slumpade år kring scenariots volymer" in out
    assert re.search(r"\n  fast avgift +-3 011 943,88 kr +-3 011 943,88 kr", out)
    assert "Förutsägbarhet per förvaltning" in out
