"""Price-model simulation: properties and worked examples, and the ``simulate`` command.

The volumes are small ``VolumeSet``s built in code (self-service and manual payslips for a
few departments and months), priced with the bundled 2014 list: 57 kr per self-service
payslip, 110 kr per manual one (57 + a 53 kr surcharge).
"""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import MappingProxyType
from typing import cast

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import sfprice
from sfprice import Month, VolumeEntry, VolumeKey, VolumeSet, VolumeSource
from sfprice.cli import main
from sfprice.engine.simulate import (
    Comparison,
    FixedFeeModel,
    HybridModel,
    PerUnitModel,
    PriceModel,
    TrueUp,
    annual_charges,
    compare,
    derive_fixed_fees,
    derive_hybrid,
    join,
    leave,
    monthly_charges,
    noise,
    scale,
    shift_channel,
    window,
)
from sfprice.money import exact_sum

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = str(REPO / "examples" / "payroll-2014-synthetic-year.csv")
NBSP = "\u00a0"
ORE = Decimal("0.01")

SELF = "payroll.self_service"
MANUAL = "payroll.manual"
CATALOG = sfprice.load_catalog()
LIST_2014 = CATALOG.get("2014")
assert LIST_2014 is not None
UNIT = PerUnitModel.from_price_list(LIST_2014)
SOURCE = (VolumeSource("<test>", 1),)

KULTUR = "Kulturförvaltningen"
MILJO = "Miljöförvaltningen"
TRAFIK = "Trafikkontoret"
ALVSJO = "Älvsjö stadsdelsförvaltning"
DEPARTMENTS = (KULTUR, MILJO, TRAFIK, ALVSJO)
MONTHS = tuple(Month(2014, m) for m in range(1, 13))

Row = tuple[Month, str, str, int | str]


def _volumes(rows: Iterable[Row]) -> VolumeSet:
    return VolumeSet.from_entries(
        VolumeEntry(VolumeKey(month, department, service), Decimal(quantity), SOURCE)
        for month, department, service, quantity in rows
    )


def _models(*models: object) -> Sequence[PriceModel]:
    # The frozen models have a read-only ``name``, which mypy does not accept for the
    # protocol's ``name: str`` (reported; see the note at compare() in simulate_commands).
    return cast("Sequence[PriceModel]", models)


def _fixed(fees: dict[str, Decimal], name: str = "fast") -> FixedFeeModel:
    return FixedFeeModel(name, fees)


def _copy_volumes(volumes: VolumeSet) -> VolumeSet:
    # copy.deepcopy cannot copy the MappingProxyType of ``excluded``; copy the parts.
    return VolumeSet(copy.deepcopy(volumes.entries), MappingProxyType(dict(volumes.excluded)))


def _quantities(volumes: VolumeSet) -> dict[tuple[str, Month, str], Decimal]:
    return {(e.key.department, e.key.month, e.key.service): e.quantity for e in volumes}


# Three months of a small reference: per month Kultur 100 self-service + 20 manual
# (100*57 + 20*110 = 5700 + 2200 = 7900 kr), Miljö 50 + 30 (2850 + 3300 = 6150 kr).
REFERENCE = _volumes(
    row
    for month in MONTHS[:3]
    for row in (
        (month, KULTUR, SELF, 100),
        (month, KULTUR, MANUAL, 20),
        (month, MILJO, SELF, 50),
        (month, MILJO, MANUAL, 30),
    )
)
# The same volumes every month of the year (the reference repeated four times).
YEAR = _volumes(
    row
    for month in MONTHS
    for row in (
        (month, KULTUR, SELF, 100),
        (month, KULTUR, MANUAL, 20),
        (month, MILJO, SELF, 50),
        (month, MILJO, MANUAL, 30),
    )
)


# ------------------------------------------------------------------ strategies


@st.composite
def payroll_volumes(
    draw: st.DrawFn,
    min_count: int = 0,
    max_count: int = 3000,
    min_departments: int = 1,
    min_months: int = 1,
    sparse: bool = True,
    months: Sequence[Month] | None = None,
) -> VolumeSet:
    """Self-service and manual payslips for 1-3 departments and 1-4 months of 2014.

    With ``sparse`` a department may lack a service in a month (no entry at all); without
    it every department has both services (perhaps 0) in every month. ``months`` fixes the
    months.
    """
    departments = draw(
        st.lists(st.sampled_from(DEPARTMENTS), min_size=min_departments, max_size=3, unique=True)
    )
    if months is None:
        months = sorted(
            draw(st.lists(st.sampled_from(MONTHS), min_size=min_months, max_size=4, unique=True))
        )
    count = st.integers(min_count, max_count)
    rows: list[Row] = []
    for department in departments:
        for month in months:
            for service in (SELF, MANUAL):
                quantity = draw(st.none() | count if sparse else count)
                if quantity is not None:
                    rows.append((month, department, service, quantity))
    volumes = _volumes(rows)
    assume(any(e.quantity > 0 for e in volumes))
    return volumes


costs = st.integers(0, 10**10).map(lambda n: Decimal(n) * ORE)
surcharges = st.integers(0, 10_000).map(lambda n: Decimal(n) * ORE)  # 0.00-100.00 kr


@st.composite
def volume_scenarios(draw: st.DrawFn) -> tuple[str, Callable[[VolumeSet], VolumeSet]]:
    """A scenario that changes quantities, never which departments exist."""
    kind = draw(st.sampled_from(["shift", "scale", "noise"]))
    if kind == "shift":
        fraction = Decimal(draw(st.integers(0, 100))) / 100
        return f"shift {fraction}", lambda v: shift_channel(v, fraction)
    if kind == "scale":
        factor = Decimal(draw(st.integers(50, 300))) / 100
        return f"scale {factor}", lambda v: scale(v, factor)
    sigma = draw(st.floats(0.0, 0.5))
    seed = draw(st.integers(0, 2**32))
    return f"noise {sigma}@{seed}", lambda v: noise(v, sigma, seed)


# ------------------------------------------------------------------ the five properties


@given(payroll_volumes(), costs, st.data())
def test_fixed_fees_derived_to_recover_c_recover_exactly_c_at_reference(
    volumes: VolumeSet, cost: Decimal, data: st.DataObject
) -> None:
    start = data.draw(st.sampled_from(volumes.months))
    end = data.draw(st.sampled_from([m for m in volumes.months if m >= start]))
    reference = window(volumes, start, end)
    assume(any(e.quantity > 0 for e in reference))
    fees = derive_fixed_fees(reference, UNIT, cost)
    charges = _fixed(fees).charges(reference)
    assert exact_sum(charges.values()) == cost
    assert annual_charges(charges) == fees
    assert all(amount == amount.quantize(ORE) for amount in charges.values())


@given(payroll_volumes(min_count=100), costs, volume_scenarios())
def test_fixed_fees_do_not_move_with_volume_scenarios(
    volumes: VolumeSet, cost: Decimal, scenario: tuple[str, Callable[[VolumeSet], VolumeSet]]
) -> None:
    fees = derive_fixed_fees(volumes, UNIT, cost)
    model = _fixed(fees)
    _, change = scenario
    changed = change(volumes)
    assert annual_charges(model.charges(changed)) == annual_charges(model.charges(volumes))
    assert annual_charges(model.charges(changed)) == fees
    comparison = compare(changed, _models(UNIT, model), cost_to_recover=cost)
    assert comparison.model("fast").revenue == cost
    assert all(r.annual == fees[r.department] for r in comparison.departments if r.model == "fast")


def test_fixed_fees_are_paid_when_a_scenario_leaves_no_volumes() -> None:
    # The fees of test_derive_fixed_fees_example; scale(..., 0) drops every entry. With a
    # year the model bills its twelve months whatever the volumes; without one there are
    # no months to bill over, which is an error rather than fees that vanish.
    fees = {KULTUR: Decimal("28113.88"), MILJO: Decimal("21886.12")}
    empty = scale(REFERENCE, Decimal(0))
    with_year = FixedFeeModel("fast", fees, year=2014)
    assert annual_charges(with_year.charges(empty)) == fees
    with pytest.raises(ValueError, match="no months to bill"):
        _fixed(fees).charges(empty)


@given(payroll_volumes(), costs, surcharges, st.integers(0, 100), st.integers(0, 20))
def test_shifting_manual_to_self_service_never_raises_a_charge(
    volumes: VolumeSet, cost: Decimal, surcharge: Decimal, percent: int, band: int
) -> None:
    # Per unit 110 vs 57, fixed 0 vs 0, hybrid SURCHARGE vs 0: manual never costs less. A
    # true-up settles against the per-unit charge, which only falls, so it never raises
    # either.
    fees = derive_fixed_fees(volumes, UNIT, cost)
    hybrid = derive_hybrid(volumes, UNIT, cost, {MANUAL: surcharge})
    trued = FixedFeeModel("avstämd", fees, TrueUp(UNIT, Decimal(band) / 100))
    shifted = shift_channel(volumes, Decimal(percent) / 100)
    for model in _models(UNIT, _fixed(fees), hybrid, trued):
        assert model.marginal_price(MANUAL) >= model.marginal_price(SELF)
        before = annual_charges(model.charges(volumes))
        after = annual_charges(model.charges(shifted))
        assert set(after) <= set(before)
        for department, amount in after.items():
            assert amount <= before[department], (model.name, department)


@given(
    payroll_volumes(min_count=1000, min_departments=2, min_months=2, sparse=False),
    st.floats(0.1, 0.5),
    st.integers(0, 2**32),
    st.integers(0, 2**32),
)
def test_noise_same_seed_same_results_other_seed_other_volumes(
    volumes: VolumeSet, sigma: float, seed: int, other: int
) -> None:
    assume(seed != other)
    first, again = noise(volumes, sigma, seed), noise(volumes, sigma, seed)
    assert first == again
    fees = derive_fixed_fees(volumes, UNIT, Decimal(100000))
    models = _models(UNIT, _fixed(fees))
    cost = Decimal(100000)
    assert compare(first, models, cost_to_recover=cost) == compare(
        again, models, cost_to_recover=cost
    )
    # At least 8 quantities of 1000 or more spread by sigma >= 0.1: another seed moves them.
    assert noise(volumes, sigma, other) != first


def test_noise_examples() -> None:
    # sigma 0 multiplies by exp(0) = 1: nothing changes, whatever the seed.
    assert noise(YEAR, 0.0, 1) == YEAR
    assert noise(YEAR, 0.1, 1) == noise(YEAR, 0.1, 1)
    assert noise(YEAR, 0.1, 1) != noise(YEAR, 0.1, 2)


@given(payroll_volumes(), costs, surcharges, st.data())
def test_inputs_are_unchanged_after_every_function(
    volumes: VolumeSet, cost: Decimal, surcharge: Decimal, data: st.DataObject
) -> None:
    saved = _copy_volumes(volumes)
    prices = dict(UNIT.prices)
    unit_prices = {MANUAL: surcharge}
    saved_unit_prices = dict(unit_prices)
    month = data.draw(st.sampled_from(volumes.months))
    department = data.draw(st.sampled_from(volumes.departments))

    reference = window(volumes, volumes.months[0], month)
    assume(any(e.quantity > 0 for e in reference))
    fees = derive_fixed_fees(reference, UNIT, cost)
    saved_fees = copy.deepcopy(fees)
    hybrid = derive_hybrid(reference, UNIT, cost, unit_prices)
    hybrid_fees = copy.deepcopy(dict(hybrid.annual_fees))
    trued = FixedFeeModel("avstämd", fees, TrueUp(UNIT, Decimal("0.05")))
    models = _models(UNIT, _fixed(fees), trued, hybrid)
    outputs: list[object] = [
        shift_channel(volumes, Decimal("0.3")),
        scale(volumes, Decimal("1.1")),
        leave(volumes, department, month),
        join(volumes, "Ny förvaltning", volumes.months[0], department),
        noise(volumes, 0.2, 7),
        *(monthly_charges(m, volumes) for m in models),
        annual_charges(UNIT.charges(volumes)),
        compare(volumes, models, cost_to_recover=cost),
    ]
    assert outputs
    assert volumes == saved
    assert dict(UNIT.prices) == prices
    assert fees == saved_fees
    assert unit_prices == saved_unit_prices
    assert dict(hybrid.annual_fees) == hybrid_fees


# ------------------------------------------------------------------ deriving, worked


def test_derive_fixed_fees_example() -> None:
    # Reference charges: Kultur 3 * 7900 = 23 700, Miljö 3 * 6150 = 18 450; total 42 150.
    # 50 000 kr in öre by largest remainder: Kultur 5 000 000 * 23 700 / 42 150 =
    # 2 811 387.900..., Miljö 2 188 612.099...; floors add up to 4 999 999, the last öre
    # goes to the larger remainder (Kultur, 0.900): 28 113.88 + 21 886.12 = 50 000.00.
    fees = derive_fixed_fees(REFERENCE, UNIT, Decimal(50000))
    assert fees == {KULTUR: Decimal("28113.88"), MILJO: Decimal("21886.12")}
    # Billed over three months: 28 113.88 / 3 = 9 371.29 (rounded down), the last month
    # 28 113.88 - 2 * 9 371.29 = 9 371.30.
    charges = _fixed(fees).charges(REFERENCE)
    assert [charges[(KULTUR, m)] for m in MONTHS[:3]] == [
        Decimal("9371.29"),
        Decimal("9371.29"),
        Decimal("9371.30"),
    ]
    assert exact_sum(charges.values()) == Decimal(50000)


def test_derive_hybrid_example_recovers_c_at_the_reference_repeated_over_a_year() -> None:
    # Surcharge 53 kr per manual payslip. Reference (3 months): Kultur 60 manual * 53 =
    # 3180, Miljö 90 * 53 = 4770; 7950 in all, 7950 * 12 / 3 = 31 800 expected in a year.
    # Fixed base 200 000 - 31 800 = 168 200, shared by reference charge less surcharges:
    # Kultur 23 700 - 3180 = 20 520, Miljö 18 450 - 4770 = 13 680 (60 % / 40 %):
    # 100 920 and 67 280.
    hybrid = derive_hybrid(REFERENCE, UNIT, Decimal(200000), {MANUAL: Decimal(53)})
    assert hybrid.annual_fees == {KULTUR: Decimal("100920.00"), MILJO: Decimal("67280.00")}
    # A year like the reference: Kultur 100 920 + 12 * 20 * 53 = 113 640, Miljö
    # 67 280 + 12 * 30 * 53 = 86 360; together exactly 200 000.
    assert annual_charges(hybrid.charges(YEAR)) == {
        KULTUR: Decimal("113640.00"),
        MILJO: Decimal("86360.00"),
    }


@given(costs, surcharges, st.sampled_from([1, 2, 3, 4, 6, 12]), st.data())
def test_derive_hybrid_recovers_c_at_reference_volumes_repeated_to_a_year(
    cost: Decimal, surcharge: Decimal, length: int, data: st.DataObject
) -> None:
    # The reference has volumes in each of the first ``length`` months; the year repeats it
    # 12 / length times, so its per-unit lines are the reference's lines repeated and
    # derive_hybrid's expectation (reference * 12 / length) is met to the öre: exactly C.
    reference = data.draw(payroll_volumes(max_count=500, months=MONTHS[:length], sparse=False))
    assert len(reference.months) == length
    year = _volumes(
        (Month(2014, block * length + e.key.month.month), e.key.department, e.key.service, q)
        for block in range(12 // length)
        for e in reference
        for q in [str(e.quantity)]
    )
    assert len(year.months) == 12
    hybrid = derive_hybrid(reference, UNIT, cost, {MANUAL: surcharge})
    assert exact_sum(hybrid.charges(year).values()) == cost


@given(payroll_volumes(min_count=1, max_count=500), costs, surcharges)
def test_derive_hybrid_recovers_c_up_to_line_rounding_at_reference_scaled_to_a_year(
    reference: VolumeSet, cost: Decimal, surcharge: Decimal
) -> None:
    hybrid = derive_hybrid(reference, UNIT, cost, {MANUAL: surcharge})
    # The reference scaled to twelve months: each quantity * 12 / months, rounded to whole
    # payslips (at most half a payslip, half a surcharge, off), each line then to öre
    # (half an öre), and the base to öre (half an öre).
    year = scale(reference, Decimal(12) / len(reference.months))
    revenue = exact_sum(hybrid.charges(year).values())
    lines = sum(1 for e in reference if e.key.service == MANUAL)
    assert abs(revenue - cost) <= lines * (surcharge / 2 + ORE) + ORE


# ------------------------------------------------------------------ the models


@given(st.data())
def test_per_unit_charges_equal_the_billing_engine(data: st.DataObject) -> None:
    services = {
        SELF: st.integers(0, 5000).map(Decimal),
        MANUAL: st.integers(0, 5000).map(Decimal),
        "payroll.agresso": st.integers(0, 50).map(Decimal),
        "payroll.salary_debt": st.integers(0, 5).map(Decimal),
        "payroll.hourly.training": st.integers(0, 4000).map(lambda n: Decimal(n) * ORE),
        "payroll.hourly.honorary_award": st.integers(0, 400).map(lambda n: Decimal(n) / 4),
    }
    keys = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(MONTHS),
                st.sampled_from(DEPARTMENTS),
                st.sampled_from(sorted(services)),
            ),
            min_size=1,
            max_size=30,
            unique=True,
        )
    )
    volumes = VolumeSet.from_entries(
        VolumeEntry(VolumeKey(m, d, s), data.draw(services[s]), SOURCE) for m, d, s in keys
    )
    run = sfprice.bill(CATALOG, volumes, year=2014)
    assert UNIT.charges(volumes) == {(i.department, i.month): i.total for i in run.invoices}


def test_per_unit_example() -> None:
    # Kultur each month: 100 * 57 + 20 * 110 = 7900; twelve months 94 800.
    assert UNIT.charges(YEAR)[(KULTUR, MONTHS[0])] == Decimal("7900.00")
    assert annual_charges(UNIT.charges(YEAR)) == {
        KULTUR: Decimal("94800.00"),
        MILJO: Decimal("73800.00"),
    }
    assert UNIT.marginal_price(MANUAL) - UNIT.marginal_price(SELF) == 53
    with pytest.raises(KeyError, match="no price"):
        PerUnitModel("tom", {}).charges(YEAR)


def test_true_up_settles_outside_the_band_only() -> None:
    # Fees from the three-month reference (50 000 kr: 28 113.88 / 21 886.12); the same three
    # months charged per unit: Kultur 23 700, Miljö 18 450. Kultur differs by
    # 23 700 - 28 113.88 = -4413.88, more than 5 % of its fee (1405.69): credited in March.
    fees = derive_fixed_fees(REFERENCE, UNIT, Decimal(50000))
    trued = FixedFeeModel("avstämd", fees, TrueUp(UNIT, Decimal("0.05")))
    assert annual_charges(trued.charges(REFERENCE)) == {
        KULTUR: Decimal("23700.00"),
        MILJO: Decimal("18450.00"),
    }
    # With a band of 25 % (7028.47 and 5471.53) neither is settled.
    wide = FixedFeeModel("bred", fees, TrueUp(UNIT, Decimal("0.25")))
    assert annual_charges(wide.charges(REFERENCE)) == fees


# ------------------------------------------------------------------ scenarios


@given(payroll_volumes(), st.integers(0, 100))
def test_shift_conserves_units(volumes: VolumeSet, percent: int) -> None:
    fraction = Decimal(percent) / 100
    shifted = shift_channel(volumes, fraction)
    before, after = _quantities(volumes), _quantities(shifted)
    for department in volumes.departments:
        for month in volumes.months:
            manual = before.get((department, month, MANUAL), Decimal(0))
            moved = (manual * fraction).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            assert after.get((department, month, MANUAL), Decimal(0)) == manual - moved
            assert after.get((department, month, SELF), Decimal(0)) == (
                before.get((department, month, SELF), Decimal(0)) + moved
            )
    assert sum(after.values()) == sum(before.values())


def test_shift_example() -> None:
    # 25 % of Kultur's 20 manual = 5 moved; of Miljö's 30 = 7.5, rounded half up to 8.
    shifted = _quantities(shift_channel(REFERENCE, Decimal("0.25")))
    january = MONTHS[0]
    assert shifted[(KULTUR, january, MANUAL)] == 15
    assert shifted[(KULTUR, january, SELF)] == 105
    assert shifted[(MILJO, january, MANUAL)] == 22
    assert shifted[(MILJO, january, SELF)] == 58
    with pytest.raises(ValueError, match="between 0 and 1"):
        shift_channel(REFERENCE, Decimal("1.5"))


@given(payroll_volumes(), st.data())
def test_leave_drops_the_department_from_the_month_on(
    volumes: VolumeSet, data: st.DataObject
) -> None:
    department = data.draw(st.sampled_from(volumes.departments))
    month = data.draw(st.sampled_from(MONTHS))
    left = _quantities(leave(volumes, department, month))
    expected = {
        k: q
        for k, q in _quantities(volumes).items()
        if q > 0 and (k[0] != department or k[1] < month)
    }
    assert left == expected


@given(payroll_volumes(), st.data())
def test_join_copies_the_like_department_from_the_month_on(
    volumes: VolumeSet, data: st.DataObject
) -> None:
    like = data.draw(st.sampled_from(volumes.departments))
    month = data.draw(st.sampled_from(volumes.months))
    before = _quantities(volumes)
    copied = {
        ("Ny förvaltning", m, s): q for (d, m, s), q in before.items() if d == like and m >= month
    }
    assume(any(q > 0 for q in copied.values()))
    joined = _quantities(join(volumes, "Ny förvaltning", month, like))
    assert {k: q for k, q in joined.items() if k[0] == "Ny förvaltning"} == {
        k: q for k, q in copied.items() if q > 0
    }
    assert {k: q for k, q in joined.items() if k[0] != "Ny förvaltning"} == {
        k: q for k, q in before.items() if q > 0
    }


def test_join_and_scale_examples() -> None:
    april = Month(2014, 4)
    joined = join(YEAR, "Ny förvaltning", april, KULTUR, Decimal("0.5"))
    # From April on, half of Kultur's 100 + 20: 50 + 10, for nine months.
    new = {k: q for k, q in _quantities(joined).items() if k[0] == "Ny förvaltning"}
    assert len(new) == 18
    assert new[("Ny förvaltning", april, SELF)] == 50
    assert new[("Ny förvaltning", april, MANUAL)] == 10
    with pytest.raises(ValueError, match="already has volumes"):
        join(YEAR, MILJO, april, KULTUR)
    with pytest.raises(ValueError, match="no volumes of"):
        join(REFERENCE, "Ny förvaltning", april, KULTUR)
    # +5 %: 100 -> 105, 20 -> 21, 50 -> 52.5 -> 53 (half up), 30 -> 31.5 -> 32.
    grown = _quantities(scale(REFERENCE, Decimal("1.05")))
    january = MONTHS[0]
    assert [grown[(d, january, s)] for d in (KULTUR, MILJO) for s in (SELF, MANUAL)] == [
        105,
        21,
        53,
        32,
    ]
    with pytest.raises(ValueError, match=">= 0"):
        scale(REFERENCE, Decimal(-1))


# ------------------------------------------------------------------ compare


@given(payroll_volumes(), costs)
def test_cross_subsidy_is_zero_for_the_baseline_and_per_unit_models(
    volumes: VolumeSet, cost: Decimal
) -> None:
    copy_model = PerUnitModel("kopia", UNIT.prices)
    doubled = PerUnitModel("dubbelt", {k: 2 * p for k, p in UNIT.prices.items()})
    fees = derive_fixed_fees(volumes, UNIT, cost)
    comparison = compare(
        volumes, _models(UNIT, copy_model, doubled, _fixed(fees)), cost_to_recover=cost
    )
    assert comparison.baseline == UNIT.name
    for name in (UNIT.name, "kopia", "dubbelt"):
        assert comparison.model(name).cross_subsidy == 0
    for result in comparison.departments:
        if result.model in (UNIT.name, "kopia"):
            assert result.difference == 0
        assert result.difference == result.annual - result.baseline
    assert exact_sum(r.fair for r in comparison.departments if r.model == "kopia") == (
        cost if any(r.baseline > 0 for r in comparison.departments) else 0
    )


def test_compare_example() -> None:
    # Fees from the three-month reference, cost 200 000; the year repeats the reference.
    cost = Decimal(200000)
    fees = derive_fixed_fees(REFERENCE, UNIT, cost)
    hybrid = derive_hybrid(REFERENCE, UNIT, cost, {MANUAL: Decimal(53)}, name="hybrid")
    comparison: Comparison = compare(
        YEAR, _models(UNIT, _fixed(fees), hybrid), cost_to_recover=cost
    )

    unit = comparison.model(UNIT.name)
    # Per unit: 94 800 + 73 800 = 168 600, 31 400 short of 200 000; 168 600 / 200 000.
    assert (unit.revenue, unit.over_recovery, unit.recovery_ratio) == (
        Decimal("168600.00"),
        Decimal("-31400.00"),
        Decimal("0.8430"),
    )
    # Fixed: 200 000 by shares 23 700 : 18 450 (= 94 800 : 73 800), the baseline's shares:
    # 112 455.52 + 87 544.48 (largest remainder, the öre to Kultur's .60), no cross-subsidy.
    fixed = comparison.model("fast")
    assert (fixed.revenue, fixed.over_recovery, fixed.cross_subsidy) == (
        Decimal("200000.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    # Hybrid: 113 640 + 86 360 = 200 000. Its revenue split by the baseline shares is
    # 112 455.52 / 87 544.48: Kultur pays 1184.48 more, Miljö 1184.48 less; half the sum of
    # the gaps is 1184.48.
    hybrid_result = comparison.model("hybrid")
    assert (hybrid_result.revenue, hybrid_result.cross_subsidy) == (
        Decimal("200000.00"),
        Decimal("1184.48"),
    )
    kultur = comparison.result(KULTUR, "hybrid")
    # 113 640 - 94 800 = 18 840, 18 840 / 94 800 = 19.87 %; steering 53 - 0.
    assert (kultur.annual, kultur.difference, kultur.difference_pct, kultur.steering) == (
        Decimal("113640.00"),
        Decimal("18840.00"),
        Decimal("19.87"),
        Decimal(53),
    )
    # Every month the same per unit: variability 0; fixed: parts of 9371.29 and a last
    # one of 9371.33, too little to show in 4 decimals.
    assert comparison.result(KULTUR, UNIT.name).variability == 0
    assert comparison.result(KULTUR, "fast").variability == 0
    assert comparison.result(KULTUR, "fast").steering == 0
    assert comparison.result(KULTUR, UNIT.name).steering == 53
    assert comparison.result(KULTUR, "fast").fair == Decimal("112455.52")
    assert len(comparison.to_records()) == 6
    with pytest.raises(ValueError, match="unique"):
        compare(YEAR, _models(UNIT, UNIT), cost_to_recover=cost)
    with pytest.raises(ValueError, match="at least one"):
        compare(YEAR, [], cost_to_recover=cost)
    assert isinstance(hybrid, HybridModel)


# ------------------------------------------------------------------ the command line

ARGS = ["simulate", SYNTHETIC, "--year", "2014", "--budget", "2014-payroll"]


def _run(capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    assert main([*ARGS, *extra]) == 0
    out, _ = capsys.readouterr()
    return out


def _json(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, object]:
    data = json.loads(_run(capsys, *extra, "--format", "json"))
    assert isinstance(data, dict)
    return data


def _synthetic_bill_total() -> Decimal:
    volumes = sfprice.read_volumes(SYNTHETIC, catalog=CATALOG, year=2014)
    return sfprice.bill(CATALOG, volumes, year=2014).total


def test_cli_table(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(
        capsys,
        "--constant-cost",
        "--model",
        "fixed",
        "--model",
        "hybrid:53",
        "--scenario",
        "shift:0.2",
    )
    lines = out.splitlines()
    # The 2014 payroll budget: 38 000 000 staff + 10 300 000 overhead, no other revenue.
    assert lines[0] == (
        "Simulering av prismodeller 2014: Lön och pension (budget 2014-payroll, prislista 2014)"
    )
    kr = f"48{NBSP}300{NBSP}000,00{NBSP}kr"
    assert lines[1] == f"Kostnad att täcka: {kr} (full kostnad {kr} − övriga intäkter 0,00{NBSP}kr)"
    assert "avgifterna är satta från volymerna 2014-01..2014-09 före scenariot" in lines[2]
    assert lines[3] == "Scenario: 20 % av de manuella lönerna till självservice"
    assert "Förvaltning" in lines[5]
    assert "Styrning" in lines[5]
    assert any(line.lstrip().startswith("Bromma stadsdelsförvaltning") for line in lines)
    assert "Per modell" in lines
    summary = lines[lines.index("Per modell") + 1 :]
    fixed_line = next(line for line in summary if line.lstrip().startswith("fast avgift  "))
    # The fixed fees recover the cost exactly whatever the scenario: 100,00 %.
    assert f"{kr}  " in fixed_line
    assert fixed_line.endswith("kr")
    assert "100,00 %" in fixed_line
    assert f"fast avgift + 53,00{NBSP}kr per manuell lön" in out


def test_cli_json_and_csv(capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(
        capsys, "--constant-cost", "--model", "fixed", "--model", "hybrid:53", "--model", "unit"
    )
    assert data["baseline"] == "unit"
    assert data["cost"] == "48300000.00"
    assert data["reference"] == "2014-01..2014-09"
    models = cast("list[dict[str, str]]", data["models"])
    rows = cast("list[dict[str, str | None]]", data["rows"])
    assert [m["model"] for m in models] == ["unit", "fixed", "hybrid:53"]
    by_model = {m["model"]: m for m in models}
    # The price list in force bills what sfprice.bill bills for the same volumes.
    assert Decimal(by_model["unit"]["revenue"]) == _synthetic_bill_total()
    assert by_model["unit"]["cross_subsidy"] == "0.00"
    assert (by_model["fixed"]["revenue"], by_model["fixed"]["over_recovery"]) == (
        "48300000.00",
        "0.00",
    )
    assert by_model["fixed"]["recovery_ratio"] == "1.0000"
    assert [by_model[m]["steering"] for m in ("unit", "fixed", "hybrid:53")] == [
        "53.00",
        "0.00",
        "53.00",
    ]
    assert len(rows) == 20 * 3
    for model in by_model.values():
        annual = [Decimal(str(r["annual"])) for r in rows if r["model"] == model["model"]]
        assert sum(annual) == Decimal(model["revenue"])
    for row in rows:
        assert Decimal(str(row["difference"])) == Decimal(str(row["annual"])) - Decimal(
            str(row["baseline"])
        )

    out = _run(capsys, "--constant-cost", "--format", "csv")
    records = list(csv.DictReader(io.StringIO(out)))
    assert list(records[0]) == [
        "department",
        "model",
        "annual",
        "baseline",
        "difference",
        "difference_pct",
        "variability",
        "marginal_manual",
        "marginal_self_service",
        "steering",
        "fair",
        "largest_deviation",
        "invoices",
        "lines",
        "corrections",
        "reconciliations",
        "documents",
    ]
    assert len(records) == 20 * 2  # unit and the default fixed
    assert {r["model"] for r in records} == {"unit", "fixed"}
    assert records[0]["department"] == "Bromma stadsdelsförvaltning"


def test_cli_fees_are_set_before_the_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    plain = cast("list[dict[str, str]]", _json(capsys, "--model", "fixed")["rows"])
    shifted = cast(
        "list[dict[str, str]]",
        _json(capsys, "--model", "fixed", "--scenario", "shift:0.2", "--scenario", "growth:0.05")[
            "rows"
        ],
    )
    before = {(r["department"], r["model"]): Decimal(r["annual"]) for r in plain}
    after = {(r["department"], r["model"]): Decimal(r["annual"]) for r in shifted}
    for (department, model), amount in after.items():
        if model == "fixed":
            assert amount == before[(department, model)]
    departing = _json(
        capsys,
        "--scenario",
        "leave:Trafikkontoret@2014-07",
        "--scenario",
        "join:Ny förvaltning@2014-07=Kulturförvaltningen",
    )
    rows = cast("list[dict[str, str]]", departing["rows"])
    # The new department has no fixed fee; Trafikkontoret keeps paying its own.
    assert {(r["department"], r["model"]): r["annual"] for r in rows}[
        ("Ny förvaltning", "fixed")
    ] == "0.00"
    assert {(r["department"], r["model"]): Decimal(r["annual"]) for r in rows}[
        ("Trafikkontoret", "fixed")
    ] == before[("Trafikkontoret", "fixed")]


def test_cli_same_seed_same_output(capsys: pytest.CaptureFixture[str]) -> None:
    first = _run(capsys, "--scenario", "noise:0.1@42", "--format", "json")
    assert _run(capsys, "--scenario", "noise:0.1@42", "--format", "json") == first
    assert _run(capsys, "--scenario", "noise:0.1@43", "--format", "json") != first


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--model", "flat"], "'flat' is not a model"),
        (["--model", "hybrid:-1"], "the surcharge must be >= 0"),
        (["--model", "fixed-trueup"], "is not a model"),
        (["--scenario", "shift:2"], "between 0 and 1"),
        (["--scenario", "grow:0.1"], "is not a scenario"),
        (["--scenario", "leave:Trafikkontoret"], "expected leave:DEPT@YYYY-MM"),
        (["--scenario", "noise:0.1"], "expected noise:SIGMA@SEED"),
        (["--reference", "2014-09..2014-01"], "ends before it starts"),
    ],
)
def test_cli_bad_arguments_exit_2(
    capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*ARGS, *extra])
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert message in err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--scenario", "leave:Trafikkontor@2014-03"],
            "no department 'Trafikkontor' in the volumes (did you mean 'Trafikkontoret'?)",
        ),
        (["--scenario", "join:Ny@2014-03=Ingen förvaltning"], "no department 'Ingen förvaltning'"),
        (
            ["--scenario", "join:Trafikkontoret@2014-03=Kulturförvaltningen"],
            "'Trafikkontoret' already has volumes",
        ),
        (["--scenario", "leave:Trafikkontoret@2015-01"], "2015-01 is not in 2014"),
        (["--scenario", "growth:-1"], "the scenario leaves no volumes"),
        (["--reference", "2013-01..2013-09"], "must lie in 2014"),
        (["--area", "economy"], "'economy' is not a selling area"),
        (["--budget", "2017-economy"], "budget 2017-economy is for 2017, not 2014"),
    ],
)
def test_cli_inputs_that_do_not_fit_exit_2(
    capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert main([*ARGS, *extra]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert message in err


def test_cli_gives_the_same_figures_as_the_api(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 4, done when: the CLI gives the same figures as the API."""
    import json
    from pathlib import Path

    import sfprice
    from sfprice.cli import main

    repo = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(repo)
    assert (
        main(
            [
                "simulate",
                "examples/payroll-2014-synthetic-year.csv",
                "--year",
                "2014",
                "--budget",
                "2014-payroll",
                "--model",
                "fixed",
                "--model",
                "hybrid:53",
                "--format",
                "json",
            ]
        )
        == 0
    )
    cli = json.loads(capsys.readouterr().out)

    catalog = sfprice.load_catalog()
    volumes = sfprice.read_volumes(
        "examples/payroll-2014-synthetic-year.csv", catalog=catalog, year=2014
    )
    budget = sfprice.load_budget(sfprice.bundled_budgets() / "2014-payroll.toml")
    cost = sfprice.full_cost(budget).area("payroll").cost_to_recover  # type: ignore[union-attr]
    unit = sfprice.PerUnitModel.from_price_list(catalog.get("2014"))  # type: ignore[arg-type]
    reference = window(volumes, sfprice.Month(2014, 1), sfprice.Month(2014, 9))
    fixed = sfprice.FixedFeeModel("fixed", sfprice.derive_fixed_fees(reference, unit, cost))
    hybrid = sfprice.derive_hybrid(
        reference, unit, cost, {"payroll.manual": Decimal(53)}, name="hybrid:53"
    )
    unit = sfprice.PerUnitModel("unit", unit.prices, unit.rounding)
    api = sfprice.compare(volumes, [unit, fixed, hybrid], cost_to_recover=cost)

    assert {m["model"]: Decimal(m["revenue"]) for m in cli["models"]} == {
        m.model: m.revenue for m in api.models
    }
    assert {(r["department"], r["model"]): Decimal(r["annual"]) for r in cli["rows"]} == {
        (r.department, r.model): r.annual for r in api.departments
    }
