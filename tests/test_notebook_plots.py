"""The memo's plot helpers (sfprice.reports.notebook): sorted, labelled, Swedish numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest

pytest.importorskip("matplotlib")

import matplotlib as mpl

mpl.use("Agg")

import matplotlib.pyplot as plt

from sfprice.reports.notebook import (
    axis_numbers,
    plot_administration,
    plot_department_spread,
    plot_scenario_balances,
)

D = Decimal


def test_axis_numbers_are_swedish() -> None:
    _, ax = plt.subplots()
    axis_numbers(ax.xaxis)
    formatter = ax.xaxis.get_major_formatter()
    # 1234.5 -> "1 234,5" with a no-break space (babel); -2.0 -> "-2".
    assert formatter(1234.5, 0) == "1\N{NO-BREAK SPACE}234,5"
    assert formatter(-2.0, 0) in {"-2", "\N{MINUS SIGN}2"}
    plt.close("all")


def test_scenario_balances_sorted_by_the_largest_miss() -> None:
    balances = {
        "fast": {"+10 %": D(-3_000_000), "lämnar": D(3_800_000)},
        "abonnemang": {"+10 %": D(800_000), "lämnar": D(-2_800_000)},
    }
    ax = plot_scenario_balances(balances, D(52_000_000))
    # The smallest largest miss on top (2,8 < 3,8 mnkr).
    assert [t.get_text() for t in ax.get_yticklabels()] == ["abonnemang", "fast"]
    assert "mnkr" in ax.get_xlabel()
    plt.close("all")


def test_administration_and_spread_are_sorted() -> None:
    ax = plot_administration({"abonnemang": D("13.0166"), "fast": D(12)})
    assert [t.get_text() for t in ax.get_yticklabels()] == ["fast", "abonnemang"]
    assert [t.get_text() for t in ax.texts] == [" 12", " 13"]
    ax = plot_department_spread({"styck": [D("0.035"), D("0.04")], "fast": [D(0), D(0)]})
    assert [t.get_text() for t in ax.get_yticklabels()] == ["fast", "styck"]
    assert "%" in ax.get_xlabel()
    plt.close("all")
