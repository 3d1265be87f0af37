"""Monte Carlo over volume uncertainty: reproducible, exact to the öre, inputs untouched."""

from __future__ import annotations

import sys
from decimal import ROUND_HALF_UP, Decimal
from typing import cast

import pytest

from sfprice.engine.montecarlo import MonteCarloResult, monte_carlo
from sfprice.engine.simulate import (
    FixedFeeModel,
    HybridModel,
    PerUnitModel,
    PriceModel,
    TrueUp,
    annual_charges,
    compare,
    derive_fixed_fees,
    derive_hybrid,
)
from sfprice.model import VolumeEntry, VolumeKey, VolumeSet, VolumeSource
from sfprice.money import exact_sum
from sfprice.period import Month

np = pytest.importorskip("numpy")

MANUAL = "payroll.manual"
SELF = "payroll.self_service"
HOURS = "payroll.hourly.correction"
SOURCE = (VolumeSource("<test>", 1),)
COST = Decimal("2500000.00")


def _volumes(hours: bool = True) -> VolumeSet:
    """5 departments x 12 months: payslips (whole) and, optionally, hours to 0.01."""
    entries = []
    for d, size in enumerate((900, 450, 120, 60, 15)):
        for m in range(1, 13):
            month = Month(2014, m)
            name = f"Förvaltning {d + 1}"
            entries.append(VolumeEntry(VolumeKey(month, name, SELF), Decimal(size), SOURCE))
            manual = Decimal(size * (d + 1) // 8 + m)
            entries.append(VolumeEntry(VolumeKey(month, name, MANUAL), manual, SOURCE))
            if hours and (d + m) % 3:
                quantity = Decimal(3 * d + m) + Decimal("0.25") * (m % 4) + Decimal("0.07") * d
                entries.append(VolumeEntry(VolumeKey(month, name, HOURS), quantity, SOURCE))
    return VolumeSet.from_entries(entries)


PRICES = {SELF: Decimal(57), MANUAL: Decimal(110), HOURS: Decimal(420)}
PER_UNIT = PerUnitModel("per unit", PRICES)


def _models(volumes: VolumeSet) -> list[PerUnitModel | FixedFeeModel | HybridModel]:
    fees = derive_fixed_fees(volumes, PER_UNIT, COST)
    # Prices with öre and every rounding mode: lines of hours need rounding to öre.
    odd = {SELF: Decimal("57.13"), MANUAL: Decimal("110.49"), HOURS: Decimal("420.37")}
    # Fees a little off the per-unit charges, so that some departments settle, some not.
    annual = annual_charges(PER_UNIT.charges(volumes))
    skewed = {
        d: (a * Decimal(("1.03", "0.96", "1.10", "1.00", "0.80")[i])).quantize(Decimal("0.01"))
        for i, (d, a) in enumerate(sorted(annual.items()))
    }
    skewed["Förvaltning utan volymer"] = Decimal("1000.00")
    return [
        PER_UNIT,
        FixedFeeModel("fixed", fees),
        derive_hybrid(volumes, PER_UNIT, COST, {MANUAL: Decimal(53)}),
        PerUnitModel("odd half_even", odd, "half_even"),
        PerUnitModel("odd half_up", odd, "half_up"),
        PerUnitModel("odd down", odd, "down"),
        PerUnitModel("odd up", odd, "up"),
        FixedFeeModel("true-up", skewed, TrueUp(PER_UNIT, Decimal("0.05"))),
        FixedFeeModel("true-up odd", skewed, TrueUp(PerUnitModel("odd", odd, "half_even"))),
        HybridModel("hybrid odd", {"Förvaltning 1": Decimal("1000.50")}, {HOURS: odd[HOURS]}),
    ]


def _revenue(model: PerUnitModel | FixedFeeModel | HybridModel, volumes: VolumeSet) -> Decimal:
    return exact_sum(model.charges(volumes).values())


# --------------------------------------------------------------------------- reproducible


def test_same_seed_same_result_other_seed_other_result() -> None:
    volumes = _volumes()
    models = _models(volumes)
    first = monte_carlo(volumes, models, cost_to_recover=COST, scenarios=200, seed=7)
    again = monte_carlo(volumes, models, cost_to_recover=COST, scenarios=200, seed=7)
    other = monte_carlo(volumes, models, cost_to_recover=COST, scenarios=200, seed=8)
    assert first == again
    assert first.to_records() == again.to_records()
    assert first.model("per unit") != other.model("per unit")


def test_batch_size_does_not_change_the_results() -> None:
    volumes = _volumes()
    models = _models(volumes)
    results = [
        monte_carlo(volumes, models, cost_to_recover=COST, scenarios=60, seed=3, batch=b)
        for b in (1, 7, 60, 500)
    ]
    assert all(r == results[0] for r in results)


def test_inputs_are_not_changed() -> None:
    volumes = _volumes()
    models = _models(volumes)
    entries = volumes.entries
    before = repr(volumes), repr(models)  # every entry, price, fee and band
    monte_carlo(volumes, models, cost_to_recover=COST, scenarios=50, sigma=0.2)
    assert volumes.entries is entries
    assert (repr(volumes), repr(models)) == before


# --------------------------------------------------------------------------- exact


def test_fixed_fees_that_sum_to_the_cost_recover_it_exactly_in_every_scenario() -> None:
    volumes = _volumes()
    fixed = FixedFeeModel("fixed", derive_fixed_fees(volumes, PER_UNIT, COST))
    result = monte_carlo(volumes, [fixed], cost_to_recover=COST, scenarios=300, sigma=0.3)
    distribution = result.model("fixed")
    assert distribution.minimum == distribution.maximum == distribution.mean == Decimal("0.00")
    assert distribution.under_recovery_scenarios == 0
    assert distribution.under_recovery_probability == Decimal("0.0000")


def test_sigma_zero_gives_the_deterministic_revenue_of_every_model() -> None:
    volumes = _volumes()
    models = _models(volumes)
    result = monte_carlo(volumes, models, cost_to_recover=COST, scenarios=20, sigma=0)
    comparison = compare(volumes, cast("list[PriceModel]", models), cost_to_recover=COST)
    for model in models:
        expected = comparison.model(model.name).over_recovery
        assert expected == _revenue(model, volumes) - COST
        distribution = result.model(model.name)
        assert distribution.deterministic == expected, model.name
        assert distribution.minimum == distribution.maximum == expected, model.name
        assert distribution.mean == expected
        assert {v for _, v in distribution.percentiles} == {expected}


def _scenario_volumes(volumes: VolumeSet, factors: object) -> VolumeSet:
    """The scenario as monte_carlo defines it, rebuilt entry by entry with Decimals."""
    entries = []
    for entry, factor in zip(volumes, factors, strict=True):  # type: ignore[call-overload]
        whole = entry.quantity == entry.quantity.to_integral_value()
        base = int(entry.quantity) if whole else int(entry.quantity * 100)
        # The quantity rounding is float, as in monte_carlo (volumes, not money).
        units = int(np.floor(factor * float(base) + 0.5))
        quantity = Decimal(units) if whole else Decimal(units) / 100
        entries.append(VolumeEntry(entry.key, quantity, entry.sources))
    return VolumeSet(tuple(entries))


def test_every_scenario_matches_the_models_own_decimal_charges() -> None:
    # Five scenarios, percentiles 20..100: the inverted CDF then lists every scenario value.
    volumes = _volumes()
    models = _models(volumes)
    seed, sigma, n = 11, 0.3, 5
    result = monte_carlo(
        volumes,
        models,
        cost_to_recover=COST,
        scenarios=n,
        sigma=sigma,
        seed=seed,
        percentiles=(0, 20, 40, 60, 80, 100),
    )
    rng = np.random.Generator(np.random.PCG64(seed))
    draws = rng.lognormal(0.0, sigma, size=(n, len(volumes)))
    scenarios = [_scenario_volumes(volumes, row) for row in draws]
    settled = set()
    for model in models:
        values = sorted(_revenue(model, s) - COST for s in scenarios)
        distribution = result.model(model.name)
        assert [v for _, v in distribution.percentiles] == [values[0], *values], model.name
        assert distribution.minimum == values[0]
        assert distribution.maximum == values[-1]
        mean = (exact_sum(values) / n).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert distribution.mean == mean
        under = sum(v < 0 for v in values)
        assert distribution.under_recovery_scenarios == under
        assert distribution.under_recovery_probability == Decimal(under) / n
        if isinstance(model, FixedFeeModel) and model.true_up is not None:
            settled |= {_revenue(model, s) != sum(model.annual_fees.values()) for s in scenarios}
    assert settled == {True}  # the true-up did settle in these scenarios


def test_percentiles_are_monotone_and_are_scenario_values() -> None:
    volumes = _volumes()
    result = monte_carlo(
        volumes,
        [PER_UNIT],
        cost_to_recover=COST,
        scenarios=1001,
        sigma=0.1,
        percentiles=(99, 1, 50, 5, 95, 25, 75, 50),
    )
    distribution = result.model("per unit")
    assert result.percentiles == (1, 5, 25, 50, 75, 95, 99)
    values = [v for _, v in distribution.percentiles]
    assert [distribution.minimum, *values, distribution.maximum] == sorted(
        [distribution.minimum, *values, distribution.maximum]
    )
    assert distribution.minimum <= distribution.mean <= distribution.maximum
    assert distribution.percentile(50) == values[3]
    assert all(v == v.quantize(Decimal("0.01")) for v in values)
    with pytest.raises(KeyError, match="percentile 10"):
        distribution.percentile(10)


def test_median_is_near_the_deterministic_result_for_a_small_sigma() -> None:
    volumes = _volumes(hours=False)
    revenue = _revenue(PER_UNIT, volumes)
    result = monte_carlo(volumes, [PER_UNIT], cost_to_recover=COST, scenarios=400, sigma=0.01)
    distribution = result.model("per unit")
    assert distribution.deterministic == revenue - COST
    assert abs(distribution.percentile(50) - distribution.deterministic) < revenue / 500
    assert distribution.percentile(5) < distribution.deterministic < distribution.percentile(95)


def test_records() -> None:
    volumes = _volumes()
    result = monte_carlo(
        volumes, [PER_UNIT], cost_to_recover=COST, scenarios=10, percentiles=(5, 95), seed=2
    )
    assert isinstance(result, MonteCarloResult)
    (record,) = result.to_records()
    assert list(record) == [
        "sigma",
        "seed",
        "model",
        "scenarios",
        "cost",
        "deterministic",
        "mean",
        "minimum",
        "p5",
        "p95",
        "maximum",
        "under_recovery_scenarios",
        "under_recovery_probability",
        "outside_1pct_probability",
        "outside_5pct_probability",
        "mean_cost",
    ]
    assert record["seed"] == 2
    assert record["cost"] == COST
    assert result.model("per unit").mean_revenue == COST + record["mean"]
    with pytest.raises(KeyError, match="no model named 'x'"):
        result.model("x")


# --------------------------------------------------------------------------- errors


def test_missing_numpy_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "numpy", None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'sfprice\[simulate\]'"):
        monte_carlo(_volumes(), [PER_UNIT], cost_to_recover=COST)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"scenarios": 0}, ValueError, "scenarios"),
        ({"batch": 0}, ValueError, "batch"),
        ({"sigma": -0.1}, ValueError, "sigma"),
        ({"sigma": float("nan")}, ValueError, "sigma"),
        ({"percentiles": (50, 101)}, ValueError, "percentiles"),
        ({"cost_to_recover": Decimal("1.005")}, ValueError, "öre"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], error: type[Exception], match: str) -> None:
    arguments: dict[str, object] = {"cost_to_recover": COST, **kwargs}
    with pytest.raises(error, match=match):
        monte_carlo(_volumes(), [PER_UNIT], **arguments)  # type: ignore[arg-type]


def test_bad_models_and_volumes() -> None:
    volumes = _volumes()
    with pytest.raises(ValueError, match="at least one model"):
        monte_carlo(volumes, [], cost_to_recover=COST)
    with pytest.raises(ValueError, match="unique"):
        monte_carlo(volumes, [PER_UNIT, PER_UNIT], cost_to_recover=COST)
    with pytest.raises(KeyError, match=r"no price for 'payroll\.hourly\.correction'"):
        monte_carlo(
            volumes,
            [PerUnitModel("p", {SELF: Decimal(1), MANUAL: Decimal(1)})],
            cost_to_recover=COST,
        )
    with pytest.raises(ValueError, match="whole number of öre"):
        monte_carlo(
            volumes, [PerUnitModel("p", {**PRICES, SELF: Decimal("57.005")})], cost_to_recover=COST
        )
    with pytest.raises(TypeError, match="prices PerUnitModel"):
        monte_carlo(volumes, [object()], cost_to_recover=COST)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="no volumes"):
        monte_carlo(VolumeSet(()), [PER_UNIT], cost_to_recover=COST)
    thousandths = VolumeSet(
        (VolumeEntry(VolumeKey(Month(2014, 1), "A", HOURS), Decimal("1.125"), SOURCE),)
    )
    with pytest.raises(ValueError, match=r"multiple of 0\.01"):
        monte_carlo(thousandths, [PER_UNIT], cost_to_recover=COST)
