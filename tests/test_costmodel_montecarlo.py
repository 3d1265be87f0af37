"""Monte Carlo against the moving cost (issue 12 part 3): exact, and the same as CostModel."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sfprice.costmodel import CostModel, FteRounding, StaffDriver
from sfprice.engine.montecarlo import monte_carlo
from sfprice.engine.simulate import FixedFeeModel, PerUnitModel
from sfprice.model import VolumeEntry, VolumeKey, VolumeSet
from sfprice.period import Month

pytest.importorskip("numpy")

PRICES = {"payroll.self_service": Decimal(57), "payroll.manual": Decimal(110)}


def _volumes() -> VolumeSet:
    # 960 manual payslips every month of 2014 in department A, 0,5 hours of documents.
    rows = [
        VolumeEntry(VolumeKey(Month(2014, m), "A", "payroll.manual"), Decimal(960), ())
        for m in range(1, 13)
    ]
    rows.append(
        VolumeEntry(VolumeKey(Month(2014, 1), "A", "payroll.documents"), Decimal("0.50"), ())
    )
    return VolumeSet(tuple(rows))


def _model(rounding: FteRounding = FteRounding.WHOLE) -> CostModel:
    # 960 payslips at 960 per FTE = 1 FTE a month; 576 000 kr per FTE and year = 48 000
    # kr a month. Documents: 1 per FTE and month at 1 200 kr per FTE and year, so 0,5
    # documents = 0,5 FTE x 100 kr = 50 kr (fractional, January only).
    payslips = StaffDriver(
        "Lön", ("payroll.manual",), Decimal(960), Decimal(576000), rounding=rounding
    )
    documents = StaffDriver("Underlag", ("payroll.documents",), Decimal(1), Decimal(1200))
    return CostModel("payroll", 2014, Decimal(100000), (payslips, documents))


def test_sigma_zero_repeats_the_cost_of_the_input() -> None:
    # Cost: 100 000 fixed + 12 x 48 000 + 50 = 676 050 kr. The per-unit list brings
    # 12 x 960 x 110 = 1 267 200 kr (documents unpriced: a per-unit model needs a price
    # for every service, so the fee alone is compared). Fixed fee 676 050: balance 0.
    volumes = VolumeSet(tuple(e for e in _volumes() if e.key.service == "payroll.manual"))
    model = CostModel("payroll", 2014, Decimal(100050), _model().drivers[:1])
    fee = FixedFeeModel("fixed", {"A": Decimal(676050)}, year=2014)
    unit = PerUnitModel("unit", PRICES)
    result = monte_carlo(volumes, [fee, unit], cost_model=model, scenarios=20, sigma=0.0)
    assert result.cost == Decimal("676050.00")
    fixed = result.model("fixed")
    assert fixed.minimum == fixed.maximum == fixed.outside_1pct_probability == 0
    # 1 267 200 - 676 050 = 591 150 over-recovery in every scenario: outside ±5 %.
    per_unit = result.model("unit")
    assert per_unit.minimum == per_unit.maximum == Decimal("591150.00")
    assert per_unit.outside_5pct_probability == 1
    assert per_unit.mean_cost == Decimal("676050.00")


def test_moving_cost_per_scenario_matches_the_cost_model() -> None:
    # With whole FTE, any month above 960 payslips needs 2 FTE: the cost is 100 000 +
    # 48 000 kr per FTE-month (12 or more) + 100 kr per document (about 0,5, so about
    # 50 kr). fee - balance - 100 000 = 48 000 x FTE-months + documents' part: the rest
    # of a division by 48 000 is the documents' part (e.g. balance -528 001: 576 050 +
    # 528 001 = 1 104 051 = 23 x 48 000 + 51, i.e. 0,51 documents).
    volumes = _volumes()
    model = _model()
    fee = FixedFeeModel("fixed", {"A": Decimal("676050.00")}, year=2014)
    result = monte_carlo(
        volumes, [fee], cost_model=model, scenarios=200, sigma=0.05, percentiles=range(101)
    )
    fixed = result.model("fixed")
    assert fixed.deterministic == 0
    for _, value in fixed.percentiles:
        rest = (Decimal("576050.00") - value) % 48000
        assert 30 <= rest <= 80
    assert fixed.maximum <= Decimal("50.00")  # at best 12 FTE-months: 50 - documents
    assert fixed.mean_cost is not None
    assert fixed.mean == Decimal("676050.00") - fixed.mean_cost


def test_constant_cost_model_equals_the_constant_cost() -> None:
    volumes = VolumeSet(tuple(e for e in _volumes() if e.key.service == "payroll.manual"))
    models: list[PerUnitModel | FixedFeeModel] = [
        PerUnitModel("unit", PRICES),
        FixedFeeModel("fixed", {"A": Decimal(1000)}),
    ]
    constant = CostModel.constant("payroll", 2014, Decimal("1267200.00"))
    old = monte_carlo(volumes, models, cost_to_recover=Decimal(1267200), scenarios=50, sigma=0.1)
    new = monte_carlo(volumes, models, cost_model=constant, scenarios=50, sigma=0.1)
    assert old.models == new.models


def test_cost_and_cost_model_are_exclusive() -> None:
    volumes = _volumes()
    with pytest.raises(ValueError, match="one of the two"):
        monte_carlo(volumes, [FixedFeeModel("f", {})], scenarios=1)


def test_department_spread_fixed_fee_is_certain_per_unit_moves() -> None:
    # Two departments; A: 960 manual payslips a month, B: 100 self-service a month.
    rows = [
        VolumeEntry(VolumeKey(Month(2014, m), d, s), Decimal(q), ())
        for m in range(1, 13)
        for d, s, q in (("A", "payroll.manual", 960), ("B", "payroll.self_service", 100))
    ]
    volumes = VolumeSet(tuple(rows))
    unit = PerUnitModel("unit", PRICES)
    fee = FixedFeeModel("fixed", {"A": Decimal(1000), "B": Decimal(500), "C": Decimal(7)})
    still = monte_carlo(
        volumes, [unit, fee], cost_to_recover=Decimal(0), scenarios=5, sigma=0.0, departments=True
    )
    by_key = {(s.model, s.department): s for s in still.departments}
    # sigma 0: A pays 12 x 960 x 110 = 1 267 200 per unit, B 12 x 100 x 57 = 68 400.
    assert by_key[("unit", "A")].mean == by_key[("unit", "A")].p95 == Decimal("1267200.00")
    assert by_key[("unit", "B")].p5 == Decimal("68400.00")
    assert by_key[("unit", "B")].width == 0
    # C has a fee and no volumes: it pays its fee, as FixedFeeModel.charges bills it.
    assert by_key[("fixed", "C")].mean == Decimal("7.00")
    moving = monte_carlo(
        volumes,
        [unit, fee],
        cost_to_recover=Decimal(0),
        scenarios=200,
        sigma=0.1,
        departments=True,
    )
    spreads = {(s.model, s.department): s for s in moving.departments}
    assert spreads[("fixed", "A")].width == 0
    assert spreads[("fixed", "A")].mean == Decimal("1000.00")
    width = spreads[("unit", "A")].width
    assert width is not None
    assert width > 0
    # Each month's factor is lognormal with sigma 0.1; the year's sum of 12 varies about
    # 0.1 / sqrt(12) = 2,9 %, so p5..p95 is about 2 x 1,645 x 2,9 % = 9,5 % of the mean.
    assert Decimal("0.05") < width < Decimal("0.15")
