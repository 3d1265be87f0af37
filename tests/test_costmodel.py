"""The cost model in which cost follows volume (sfprice.costmodel), issue 12 part 1.

Every expected figure below is computed by hand in the comment next to it.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfprice.costmodel import CostModel, FteRounding, StaffDriver
from sfprice.engine.simulate import FixedFeeModel, PerUnitModel, compare, derive_fixed_fees, scale
from sfprice.model import VolumeEntry, VolumeKey, VolumeSet
from sfprice.period import Month
from sfprice.synthetic import synthetic_city

PAYSLIPS = ("payroll.self_service", "payroll.manual")
PRICES = {"payroll.self_service": Decimal(57), "payroll.manual": Decimal(110)}


def _driver(rounding: FteRounding = FteRounding.FRACTIONAL, **options: object) -> StaffDriver:
    # 400 000 kr wages x 1,44 = 576 000 kr per FTE and year; at 960 payslips per FTE and
    # month one payslip costs 576 000 / 12 / 960 = 50 kr of staff (fractional FTE).
    return StaffDriver.from_wages(
        "Löneadministratörer",
        PAYSLIPS,
        productivity=Decimal(960),
        wages_per_fte=Decimal(400000),
        oncost_rate=Decimal("0.44"),
        rounding=rounding,
        **options,
    )


def _volumes(year: int, quantities: dict[int, int], service: str = "payroll.manual") -> VolumeSet:
    return VolumeSet.from_entries(
        VolumeEntry(VolumeKey(Month(year, m), "A", service), Decimal(q), ())
        for m, q in quantities.items()
    )


# The synthetic city's payslips per month (600 000 in the year), and after scale(1.1)
# (each department-month-service entry rounded half up, so 660 070 rather than 660 000).
CITY = [50097, 49044, 49070, 49647, 50075, 54203, 56093, 52143, 49862, 48807, 48771, 42188]
CITY_110 = [55117, 53950, 53980, 54620, 55089, 59633, 61706, 57363, 54854, 53695, 53654, 46409]


def _monthly(volumes: VolumeSet) -> list[int]:
    totals = [0] * 12
    for entry in volumes:
        totals[entry.key.month.month - 1] += int(entry.quantity)
    return totals


@pytest.mark.parametrize(
    ("rounding", "under_recovery"),
    [
        # Fractional FTE: staff = 50 kr per payslip. Cost at the city's volumes:
        # 18 300 000 + 50 x 600 000 = 48 300 000 = the fees. At +10 %: 18 300 000 +
        # 50 x 660 070 = 51 303 500. Revenue 48 300 000, so 48 300 000 - 51 303 500 =
        # -3 003 500 kr (= 50 x 60 070 extra payslips = 62,57 FTE-months x 48 000 kr).
        (FteRounding.FRACTIONAL, Decimal("-3003500.00")),
        # Whole FTE: ceil(month / 960) FTE at 576 000 / 12 = 48 000 kr a month.
        # Before: 53+52+52+52+53+57+59+55+52+51+51+44 = 631 FTE-months = 30 288 000 kr,
        # fees 18 300 000 + 30 288 000 = 48 588 000. After: 58+57+57+57+58+63+65+60+58+56
        # +56+49 = 694 FTE-months = 33 312 000 kr. Under-recovery 63 x 48 000 = 3 024 000.
        (FteRounding.WHOLE, Decimal("-3024000.00")),
    ],
)
def test_fixed_fee_under_recovers_what_the_cost_model_implies(
    rounding: FteRounding, under_recovery: Decimal
) -> None:
    volumes = synthetic_city(seed=2014).payroll_only().volumes
    grown = scale(volumes, Decimal("1.1"))
    assert _monthly(volumes) == CITY
    assert _monthly(grown) == CITY_110
    model = CostModel("payroll", 2014, Decimal(18300000), (_driver(rounding),))
    at_plan = model.cost(volumes).total
    unit = PerUnitModel(
        "unit", {"payroll.self_service": Decimal(57), "payroll.manual": Decimal(110)}
    )
    fixed = FixedFeeModel("fixed", derive_fixed_fees(volumes, unit, at_plan), year=2014)

    planned = compare(volumes, [fixed], cost_model=model).model("fixed")
    assert planned.balance == 0
    result = compare(grown, [fixed], cost_model=model)
    fee = result.model("fixed")
    assert fee.revenue == at_plan  # revenue unchanged: the fee does not move
    assert fee.balance == under_recovery
    assert fee.outside(Decimal("0.05")) is True  # 3,0 mnkr of 51,3 mnkr is 5,85 %
    assert result.cost_outcome is not None
    assert result.cost == result.cost_outcome.total


def test_lag_uses_the_planned_volume_for_the_first_months() -> None:
    # Lag 2: January and February are staffed for the planned 9 600 a month (10 FTE,
    # 480 000 kr each); March follows January's 19 200 (20 FTE, 960 000 kr), April
    # February's 0 (the floor: 2 FTE, 96 000 kr), May..December March's 0 (96 000 each).
    # Year: 2 x 480 000 + 960 000 + 9 x 96 000 = 2 784 000.
    driver = _driver(lag=2, planned_volume=Decimal(9600), min_fte=Decimal(2))
    model = CostModel("payroll", 2014, Decimal(0), (driver,))
    outcome = model.cost(_volumes(2014, {1: 19200}))
    assert [m.staff for m in outcome.months[:4]] == [
        Decimal("480000.00"),
        Decimal("480000.00"),
        Decimal("960000.00"),
        Decimal("96000.00"),
    ]
    assert outcome.months[0].drivers[0].planned is True
    assert outcome.months[2].drivers[0].fte == Decimal("20.0000")
    assert outcome.total == Decimal("2784000.00")


def test_step_rounding_and_one_rounding_to_ore() -> None:
    # Steps of 5 FTE: 4 801 payslips / 960 = 5,0010 FTE -> 10 FTE = 480 000 kr a month.
    stepped = _driver(FteRounding.STEP, step=Decimal(5))
    assert stepped.month_cost(Decimal(4801)) == Decimal("480000.00")
    # Cost per FTE 577 946,45, 1 000 payslips at 960: 1 000 x 577 946,45 / 11 520 =
    # 50 168,96267... kr -> 50 168,96 (rounded once, half up).
    driver = StaffDriver("x", ("*",), Decimal(960), Decimal("577946.45"))
    assert driver.month_cost(Decimal(1000)) == Decimal("50168.96")
    assert driver.fte(Decimal(1000)) == Decimal("1.0417")


def test_calibrated_cost_at_plan_is_the_budget_total() -> None:
    # 48 000 a month planned = 50 FTE = 2 400 000 kr a month = 28 800 000 a year;
    # fixed = 48 300 000 - 28 800 000 = 19 500 000.
    driver = _driver(planned_volume=Decimal(48000))
    model = CostModel.calibrated(
        "payroll", 2014, Decimal(48300000), (driver,), staff_budget=Decimal(38000000)
    )
    assert model.fixed == Decimal("19500000.00")
    plan = _volumes(2014, dict.fromkeys(range(1, 13), 48000))
    assert model.cost(plan).total == Decimal(48300000)
    with pytest.raises(ValueError, match="more than the budget's staff cost 20000000"):
        CostModel.calibrated(
            "payroll", 2014, Decimal(48300000), (driver,), staff_budget=Decimal(20000000)
        )


def test_volumes_outside_the_year_are_refused() -> None:
    model = CostModel("payroll", 2014, Decimal(0), (_driver(),))
    with pytest.raises(ValueError, match="outside the year"):
        model.cost(_volumes(2015, {1: 10}))


def test_bad_drivers_are_refused() -> None:
    with pytest.raises(ValueError, match="productivity must be > 0"):
        StaffDriver("x", ("*",), Decimal(0), Decimal(1))
    with pytest.raises(ValueError, match="a lag needs a planned_volume"):
        StaffDriver("x", ("*",), Decimal(1), Decimal(1), lag=1)
    with pytest.raises(ValueError, match="step rounding needs a step"):
        StaffDriver("x", ("*",), Decimal(1), Decimal(1), rounding=FteRounding.STEP)


# ------------------------------------------------------------------ properties

_quantities = st.lists(
    st.tuples(st.integers(1, 12), st.sampled_from(PAYSLIPS), st.integers(0, 100_000)),
    min_size=0,
    max_size=20,
)
_roundings = st.sampled_from(list(FteRounding))


def _set(rows: list[tuple[int, str, int]]) -> VolumeSet:
    return VolumeSet(
        tuple(
            VolumeEntry(VolumeKey(Month(2014, m), f"D{i % 3}", s), Decimal(q), ())
            for i, (m, s, q) in enumerate(rows)
        )
    )


def _model(rounding: FteRounding) -> CostModel:
    options: dict[str, object] = {"min_fte": Decimal(1)}
    if rounding == FteRounding.STEP:
        options["step"] = Decimal("2.5")
    return CostModel("payroll", 2014, Decimal("1234567.89"), (_driver(rounding, **options),))


@settings(max_examples=60, deadline=None)
@given(_quantities, st.integers(0, 19), st.integers(1, 5000), _roundings)
def test_cost_is_monotone_in_volume(
    rows: list[tuple[int, str, int]], at: int, more: int, rounding: FteRounding
) -> None:
    model = _model(rounding)
    before = model.cost(_set(rows)).total
    grown = list(rows) or [(1, "payroll.manual", 0)]
    month, service, quantity = grown[at % len(grown)]
    grown[at % len(grown)] = (month, service, quantity + more)
    assert model.cost(_set(grown)).total >= before


@settings(max_examples=60, deadline=None)
@given(_quantities, st.randoms(use_true_random=False), _roundings)
def test_splitting_and_reordering_changes_nothing(
    rows: list[tuple[int, str, int]], rng: object, rounding: FteRounding
) -> None:
    model = _model(rounding)
    split: list[tuple[int, str, int]] = []
    for month, service, quantity in rows:
        half = quantity // 2
        split += [(month, service, half), (month, service, quantity - half)]
    rng.shuffle(split)  # type: ignore[attr-defined]
    assert model.cost(_set(split)).total == model.cost(_set(rows)).total


@settings(max_examples=40, deadline=None)
@given(_quantities, st.decimals(0, 10**9, places=2))
def test_without_drivers_the_cost_is_the_constant(
    rows: list[tuple[int, str, int]], cost: Decimal
) -> None:
    volumes = _set(rows) if rows else _set([(1, "payroll.manual", 1)])
    model = CostModel.constant("payroll", 2014, cost)
    assert model.cost(volumes).total == cost
    unit = PerUnitModel(
        "unit", {"payroll.self_service": Decimal(57), "payroll.manual": Decimal(110)}
    )
    old = compare(volumes, [unit], cost_to_recover=cost)
    new = compare(volumes, [unit], cost_model=model)
    assert new.models == old.models
    assert new.departments == old.departments
    assert old.cost_outcome is None


def test_month_cost_ore_is_exact_for_hundredths() -> None:
    # 0,01 hour at 1 per FTE and month, 1 200 kr per FTE and year: 0,01 x 100 = 1 kr.
    driver = StaffDriver("h", ("*",), Decimal(1), Decimal(1200))
    assert driver.month_cost_ore(Fraction(1, 100)) == 100


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 10**7), min_size=12, max_size=12),
    _roundings,
    st.integers(0, 3),
)
def test_integer_path_equals_the_cost(
    hundredths: list[int], rounding: FteRounding, lag: int
) -> None:
    # The Monte Carlo's path (monthly totals in hundredths) gives CostModel.cost's öre.
    options: dict[str, object] = {"lag": lag, "planned_volume": Decimal("1234.56")}
    if rounding == FteRounding.STEP:
        options["step"] = Decimal("0.5")
    driver = StaffDriver(
        "h",
        ("payroll.hourly.*",),
        Decimal("7.5"),
        Decimal("577946.45"),
        rounding=rounding,
        **options,  # type: ignore[arg-type]
    )
    model = CostModel("payroll", 2014, Decimal("1000.01"), (driver,))
    volumes = VolumeSet(
        tuple(
            VolumeEntry(
                VolumeKey(Month(2014, m + 1), "A", "payroll.hourly.correction"),
                Decimal(h) / 100,
                (),
            )
            for m, h in enumerate(hundredths)
        )
    )
    assert model.total_ore([tuple(hundredths)]) == model.cost(volumes).total * 100


def test_las_documents_raise_cost_and_not_revenue() -> None:
    # budgets/2026-payroll.toml at its planned volumes: 50 000 payslips and 20 000
    # employment documents a month cost 52 000 000 kr (calibrated). The LAS change adds
    # 10 000 documents a month: at 2 000 per FTE that is 5 FTE x 688 320 = 3 441 600 kr a
    # year more cost, and no list prices a document, so a fixed fee of 52 000 000 ends the
    # year 3 441 600 kr short.
    from sfprice.app import area_cost_model, open_budget

    model = area_cost_model(open_budget("2026-payroll"), "payroll", Decimal(52000000))
    assert model is not None

    def month(m: int, service: str, quantity: int) -> VolumeEntry:
        return VolumeEntry(VolumeKey(Month(2026, m), "A", service), Decimal(quantity), ())

    payslips = VolumeSet(tuple(month(m, "payroll.manual", 50000) for m in range(1, 13)))
    documents = [month(m, "payroll.employment_documents", 20000) for m in range(1, 13)]
    las = [month(m, "payroll.employment_documents", 10000) for m in range(1, 13)]
    fee = FixedFeeModel("fixed", {"A": Decimal(52000000)}, year=2026)
    planned = VolumeSet.from_entries([*payslips, *documents])
    assert compare(payslips, [fee], cost_model=model, cost_volumes=planned).model(
        "fixed"
    ).balance == Decimal("0.00")
    grown = VolumeSet.from_entries([*payslips, *documents, *las])
    result = compare(payslips, [fee], cost_model=model, cost_volumes=grown).model("fixed")
    assert result.revenue == Decimal(52000000)
    assert result.balance == Decimal("-3441600.00")
    with pytest.raises(ValueError, match="cost_volumes goes with a cost model"):
        compare(payslips, [fee], cost_to_recover=Decimal(1), cost_volumes=grown)
