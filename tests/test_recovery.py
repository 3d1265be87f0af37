"""Cost recovery: full cost per business area, and revenue against it month by month.

The expected figures are worked out by hand in the comments. The 2010 check is the seed's
own (domain Ex 5, B.4): the selling areas' surpluses 9,7 + 0,8 + 2,8 + 11,3 + 0,9 = 25,5
mnkr exactly cover the common costs 24,5 + 1,0 = 25,5 mnkr.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sfprice
from sfprice import (
    BillingRun,
    Month,
    PriceCatalog,
    PriceItem,
    PriceList,
    Unit,
    VolumeEntry,
    VolumeKey,
    VolumeSource,
)
from sfprice.cli import main
from sfprice.costs import AreaBudget, AreaKind, BudgetFigure, CostBudget, CostKind, RevenueKind
from sfprice.engine.recovery import (
    TERTIALS,
    CostKey,
    RecoveryBalance,
    full_cost,
    recovery_balance,
)
from sfprice.io.budgets import bundled_budgets, load_budget

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_2014 = REPO / "examples" / "volumes-2014.csv"
DOC = REPO / "docs" / "cost-recovery.md"
ORE = Decimal("0.01")
YEAR = 2014


def bundled(name: str) -> CostBudget:
    return load_budget(bundled_budgets() / f"{name}.toml")


def area_budget(
    code: str = "payroll",
    kind: AreaKind = AreaKind.SELLING,
    *,
    costs: Sequence[tuple[CostKind, Decimal | int | str]] = (),
    revenues: Sequence[tuple[RevenueKind, Decimal | int | str]] = (),
    fte: Decimal | None = None,
    phasing: Sequence[Decimal | int] = (),
) -> AreaBudget:
    return AreaBudget(
        code,
        code.capitalize(),
        kind,
        tuple(BudgetFigure(k, str(k), Decimal(a)) for k, a in costs),
        tuple(BudgetFigure(k, str(k), Decimal(a)) for k, a in revenues),
        fte,
        tuple(Decimal(w) for w in phasing),
    )


def one_area_budget(
    cost: Decimal | int = 132_000,
    sales: Decimal | int = 120_000,
    other: Decimal | int = 12_000,
    *,
    phasing: Sequence[Decimal | int] = (),
    opening: Decimal | int = 0,
) -> CostBudget:
    """A 2014 budget with one selling area, ``payroll``, whose cost is all staff cost."""
    revenues = [(RevenueKind.SALES, Decimal(sales))]
    if other:
        revenues.append((RevenueKind.OTHER, Decimal(other)))
    area = area_budget(costs=[(CostKind.STAFF, Decimal(cost))], revenues=revenues, phasing=phasing)
    return CostBudget("test", YEAR, "Test", "test", (area,), opening_balance=Decimal(opening))


# A price list for 2014 with one service of the payroll area at 100 kr a unit (an hour, so
# quantities may have decimals): billed revenue is then 100 x the quantity.
UNIT_LIST = PriceList(
    id="unit-2014",
    title="Test 2014",
    valid_from=date(YEAR, 1, 1),
    valid_to=date(YEAR, 12, 31),
    currency="SEK",
    source="test",
    items=(PriceItem("payroll.unit", "Enhet", Unit.HOUR, Decimal(100), business_area="payroll"),),
)
UNIT_CATALOG = PriceCatalog((UNIT_LIST,))


def entry(
    month: int, service: str, quantity: Decimal | int | str, dept: str = "Avd"
) -> VolumeEntry:
    return VolumeEntry(
        VolumeKey(Month(YEAR, month), dept, service), Decimal(quantity), (VolumeSource("t", 1),)
    )


def unit_run(quantities: dict[int, Decimal | int | str]) -> BillingRun:
    """Bill ``quantities`` (month -> units at 100 kr) under UNIT_LIST."""
    return sfprice.bill(
        UNIT_CATALOG, [entry(m, "payroll.unit", q) for m, q in quantities.items()], year=YEAR
    )


def balance_of(
    budget: CostBudget,
    run: BillingRun,
    *,
    through: Month | None = None,
    opening_balance: Decimal | None = None,
) -> RecoveryBalance:
    """The balance of ``payroll``, with common costs shared by direct cost."""
    return recovery_balance(
        budget, full_cost(budget), run, "payroll", through=through, opening_balance=opening_balance
    )


def kr(*amounts: int | str) -> tuple[Decimal, ...]:
    """Amounts in kronor as Decimals, to compare with a tuple of figures."""
    return tuple(Decimal(a) for a in amounts)


def period(balance: RecoveryBalance, label: str) -> tuple[Decimal, ...]:
    """(billed, other revenue, cost, result) of the month or tertial labelled ``label``."""
    for p in (*balance.months, *balance.tertials, balance.year_to_date):
        if p.label == label:
            return p.billed, p.other_revenue, p.cost, p.result
    raise AssertionError(f"no period {label}")


# ------------------------------------------------------------------------ 2010 full cost

# "Budget per verksamhet 2010" (004:231-238): surplus = revenue - own costs, per selling area.
SURPLUS_2010 = {
    "payroll": Decimal(9_700_000),  # 47,7 - 38,0
    "procurement": Decimal(800_000),  # 6,2 - 5,4
    "contact_center": Decimal(2_800_000),  # 13,7 - 10,9
    "economy": Decimal(11_300_000),  # 53,9 - 42,6
    "it_telephony": Decimal(900_000),  # 7,4 - 6,5
}
KEYS_2010: list[tuple[str, dict[str, Decimal] | None]] = [
    ("direct_cost", None),
    ("revenue", None),
    ("fixed", {"payroll": Decimal(1), "economy": Decimal(1)}),
    ("fixed", {"payroll": Decimal("0.2"), "procurement": Decimal(3), "it_telephony": Decimal(7)}),
]


@pytest.mark.parametrize(
    ("key", "shares"), KEYS_2010, ids=["direct", "revenue", "fixed1", "fixed2"]
)
def test_2010_surpluses_exactly_cover_the_common_costs(
    key: str, shares: dict[str, Decimal] | None
) -> None:
    statement = full_cost(bundled("2010-administration"), key, shares)
    assert statement.key is CostKey(key)
    assert {a.code: a.surplus for a in statement.areas} == SURPLUS_2010
    # 9,7 + 0,8 + 2,8 + 11,3 + 0,9 = 25,5 mnkr
    assert statement.surplus_total == Decimal(25_500_000)
    # Nämnd och administration 24,5 + avskrivningar och internränta 1,0 = 25,5 mnkr
    assert statement.common_cost == Decimal(25_500_000)
    assert statement.coverage_gap == 0
    # Whatever the key, the shares are the common cost to the öre, and full cost = own + share.
    assert sum(a.common_share for a in statement.areas) == Decimal(25_500_000)
    for a in statement.areas:
        assert a.full_cost == a.direct_cost + a.common_share
        assert a.common_share == a.common_share.quantize(ORE)
    # So the selling areas' results (revenue - full cost) sum to 0: the self-cost principle.
    assert sum(a.result for a in statement.areas) == 0
    # Äldre Direkt neither sells nor carries common costs: 17,0 cost, 17,0 appropriation.
    (elderly,) = statement.other_areas
    assert (elderly.code, elderly.full_cost, elderly.revenue) == (
        "elderly_direct",
        Decimal(17_000_000),
        Decimal(17_000_000),
    )
    assert elderly.result == 0


def test_2010_shares_by_direct_cost_by_hand() -> None:
    statement = full_cost(bundled("2010-administration"))
    # Selling areas' own costs: 38,0 + 5,4 + 10,9 + 42,6 + 6,5 = 103,4 mnkr. Share of 25,5 mnkr:
    #   payroll      25 500 000 x 38,0/103,4 =  9 371 373,3075...
    #   procurement  25 500 000 x  5,4/103,4 =  1 331 721,4700...
    #   contact      25 500 000 x 10,9/103,4 =  2 688 104,4487...
    #   economy      25 500 000 x 42,6/103,4 = 10 505 802,7079...
    #   it           25 500 000 x  6,5/103,4 =  1 602 998,0657...
    # Rounded down to öre they sum to 25 499 999,97; the 3 öre left go to the largest
    # remainders: contact (0,87 öre), economy (0,79) and payroll (0,75), not it (0,58) or
    # procurement (0,00).
    expected = {
        "payroll": Decimal("9371373.31"),
        "procurement": Decimal("1331721.47"),
        "contact_center": Decimal("2688104.45"),
        "economy": Decimal("10505802.71"),
        "it_telephony": Decimal("1602998.06"),
    }
    assert {a.code: a.common_share for a in statement.areas} == expected
    payroll = statement.area("payroll")
    assert payroll is not None
    # 38 000 000 + 9 371 373,31 = 47 371 373,31; result 47 700 000 - 47 371 373,31 = 328 626,69
    assert payroll.full_cost == Decimal("47371373.31")
    assert payroll.result == Decimal("328626.69")
    assert statement.area("administration") is None  # a common area is not a selling one


def test_2010_fixed_shares_by_hand() -> None:
    statement = full_cost(
        bundled("2010-administration"), "fixed", {"payroll": Decimal(1), "economy": Decimal(1)}
    )
    # Half each: 25 500 000 / 2 = 12 750 000; the areas without a share carry nothing.
    shares = {a.code: a.common_share for a in statement.areas}
    assert shares["payroll"] == shares["economy"] == Decimal("12750000.00")
    assert shares["procurement"] == shares["contact_center"] == shares["it_telephony"] == 0


def test_fte_key_needs_fte_for_every_selling_area() -> None:
    with pytest.raises(ValueError, match="FTE key needs fte") as info:
        full_cost(bundled("2010-administration"), "fte")
    assert "payroll, procurement, contact_center, economy, it_telephony" in str(info.value)


def test_fte_key_shares_by_staffing() -> None:
    # 300 kr of common cost over 1,5 and 0,5 FTE: 225 and 75.
    budget = CostBudget(
        "b",
        YEAR,
        "B",
        "test",
        (
            area_budget("a", costs=[(CostKind.STAFF, 10)], fte=Decimal("1.5")),
            area_budget("b", costs=[(CostKind.STAFF, 10)], fte=Decimal("0.5")),
            area_budget("adm", AreaKind.COMMON, costs=[(CostKind.OVERHEAD, 300)]),
        ),
    )
    statement = full_cost(budget, CostKey.FTE)
    assert [a.common_share for a in statement.areas] == [Decimal("225.00"), Decimal("75.00")]


def test_fixed_key_errors() -> None:
    budget = bundled("2010-administration")
    with pytest.raises(ValueError, match="fixed key needs a share"):
        full_cost(budget, "fixed")
    with pytest.raises(ValueError, match="administration"):
        full_cost(budget, "fixed", {"administration": Decimal(1)})
    with pytest.raises(ValueError, match="'nothing'"):
        full_cost(budget, "nothing")


def test_budget_without_selling_area_is_an_error() -> None:
    only_common = CostBudget(
        "b",
        YEAR,
        "B",
        "test",
        (area_budget("adm", AreaKind.COMMON, costs=[(CostKind.OVERHEAD, 1)]),),
    )
    with pytest.raises(ValueError, match="no selling area"):
        full_cost(only_common)


@pytest.mark.parametrize(
    ("name", "code", "cost"),
    [("2014-payroll", "payroll", 48_300_000), ("2017-economy", "economy", 73_900_000)],
)
def test_single_area_budgets_carry_no_common_cost(name: str, code: str, cost: int) -> None:
    statement = full_cost(bundled(name))
    (area,) = statement.areas
    assert area.code == code
    assert statement.common_cost == area.common_share == 0
    # 2014: 38 000 000 + 10 300 000 = 48 300 000 = sales, result 0 (break-even);
    # 2017: 57 200 000 + 16 000 000 + 700 000 = 73 900 000 = sales.
    assert area.full_cost == area.revenue == area.cost_to_recover == Decimal(cost)
    assert area.result == 0


# -- property: shares sum exactly to the common cost, whatever the budget and key

_ore_amounts = st.integers(min_value=1, max_value=10**11).map(lambda n: Decimal(n) / 100)


@st.composite
def budgets_and_keys(draw: st.DrawFn) -> tuple[CostBudget, str, dict[str, Decimal] | None]:
    selling = [
        area_budget(
            f"s{i}",
            costs=[(CostKind.STAFF, draw(_ore_amounts))],
            revenues=[(RevenueKind.SALES, draw(_ore_amounts))],
            fte=Decimal(draw(st.integers(1, 10_000))) / 100,
        )
        for i in range(draw(st.integers(1, 6)))
    ]
    common = [
        area_budget(f"c{i}", AreaKind.COMMON, costs=[(CostKind.OVERHEAD, draw(_ore_amounts))])
        for i in range(draw(st.integers(1, 3)))
    ]
    key = draw(st.sampled_from([str(k) for k in CostKey]))
    shares = None
    if key == "fixed":
        weights = [Decimal(draw(st.integers(0, 1000))) for _ in selling]
        if not any(weights):
            weights[0] = Decimal(1)
        shares = {a.code: w for a, w in zip(selling, weights, strict=True)}
    areas = draw(st.permutations([*selling, *common]))
    return CostBudget("random", YEAR, "R", "test", tuple(areas)), key, shares


@given(budgets_and_keys())
def test_common_shares_sum_exactly_to_the_common_cost(
    case: tuple[CostBudget, str, dict[str, Decimal] | None],
) -> None:
    budget, key, shares = case
    statement = full_cost(budget, key, shares)
    common = sum((a.direct_cost for a in budget.common_areas), Decimal(0))
    assert statement.common_cost == common
    assert sum(a.common_share for a in statement.areas) == common
    weights = {
        "direct_cost": {a.code: a.direct_cost for a in budget.selling_areas},
        "revenue": {a.code: a.total_revenue for a in budget.selling_areas},
        "fte": {a.code: a.fte or Decimal(0) for a in budget.selling_areas},
        "fixed": shares or {},
    }[key]
    total_weight = sum(weights.values(), Decimal(0))
    for a in statement.areas:
        assert a.full_cost == a.direct_cost + a.common_share
        assert a.common_share >= 0
        # No share is a whole öre or more from its exact proportional part.
        assert abs(a.common_share - common * weights[a.code] / total_weight) < ORE
    assert statement.coverage_gap == statement.surplus_total - common


def test_negative_common_cost_is_shared_exactly() -> None:
    # Administration costs 100 and earns 200: common cost -100 (a surplus to hand back).
    # Shared like +100 (33,34 + 33,33 + 33,33), every part negated: -33,34 - 33,33 - 33,33.
    budget = CostBudget(
        "b",
        YEAR,
        "B",
        "test",
        (
            *(area_budget(c, costs=[(CostKind.STAFF, 10)]) for c in ("a", "b", "c")),
            area_budget(
                "adm",
                AreaKind.COMMON,
                costs=[(CostKind.OVERHEAD, 100)],
                revenues=[(RevenueKind.OTHER, 200)],
            ),
        ),
    )
    statement = full_cost(budget)
    assert statement.common_cost == Decimal(-100)
    assert [a.common_share for a in statement.areas] == [
        Decimal("-33.34"),
        Decimal("-33.33"),
        Decimal("-33.33"),
    ]
    assert sum(a.common_share for a in statement.areas) == Decimal(-100)
    # The areas' own surpluses (-10 each) and the common surplus: -30 - (-100) = 70
    assert statement.coverage_gap == Decimal(70)


# ------------------------------------------------------------------------ the balance


def test_balance_by_hand_through_march() -> None:
    # Budget: full cost 132 000 (11 000 a month), sales 120 000 (10 000 a month), other
    # revenue 12 000 (1 000 a month), carried in 5 000. Billed at the 2014 prices:
    #   January  100 self-service x 57 =  5 700
    #   February 200 self-service x 57 = 11 400
    #   March    150 manual x 110      = 16 500
    budget = one_area_budget(opening=5_000)
    catalog = sfprice.load_catalog()
    run = sfprice.bill(
        catalog,
        [
            entry(1, "payroll.self_service", 100),
            entry(2, "payroll.self_service", 200),
            entry(3, "payroll.manual", 150),
        ],
        year=YEAR,
    )
    balance = balance_of(budget, run)
    assert balance.through == Month(YEAR, 3)  # the last month billed
    assert [p.label for p in balance.months] == ["2014-01", "2014-02", "2014-03"]
    # result = billed + other - cost
    assert period(balance, "2014-01") == kr(5_700, 1_000, 11_000, -4_300)
    assert period(balance, "2014-02") == kr(11_400, 1_000, 11_000, 1_400)
    assert period(balance, "2014-03") == kr(16_500, 1_000, 11_000, 6_500)
    # T1 so far (January-March of January-April), flagged as partial
    (t1,) = balance.tertials
    assert (t1.label, t1.complete) == ("T1", False)
    assert t1.months == (Month(YEAR, 1), Month(YEAR, 2), Month(YEAR, 3))
    ytd = balance.year_to_date
    assert ytd.label == "2014-01..2014-03"
    assert not ytd.complete
    # 33 600 + 3 000 - 33 000 = 3 600
    assert (
        period(balance, "T1")
        == period(balance, "2014-01..2014-03")
        == kr(33_600, 3_000, 33_000, 3_600)
    )
    # Revenue / cost: January 6 700 / 11 000 = 0,60909 -> 0,6091
    assert balance.months[0].recovery_ratio == Decimal("0.6091")
    assert balance.opening_balance == 5_000
    assert balance.closing_balance == 8_600  # 5 000 + 3 600
    assert balance.full_cost == 132_000
    assert not balance.is_full_year
    assert balance.t2_accuracy is None
    budget_forecast, run_rate = balance.forecasts
    # Budget: actual 36 600 + 9 months x (10 000 planned sales + 1 000 other) = 135 600.
    assert budget_forecast.method == "budget"
    assert (budget_forecast.revenue, budget_forecast.cost) == kr(135_600, 132_000)
    assert budget_forecast.result == 3_600
    # Run rate: billed 33 600 x 12 / 3 = 134 400, + other 12 000 = 146 400.
    assert run_rate.method == "run_rate"
    assert (run_rate.revenue, run_rate.cost, run_rate.result) == kr(146_400, 132_000, 14_400)


def test_balance_through_may_has_a_whole_t1_and_a_partial_t2() -> None:
    budget = one_area_budget()
    run = unit_run({1: 100, 2: 100, 3: 100})  # 10 000 billed in each of Jan-Mar
    balance = balance_of(budget, run, through=Month(YEAR, 5), opening_balance=Decimal(-2_000))
    assert len(balance.months) == 5
    t1, t2 = balance.tertials
    # T1: billed 30 000 (April nothing), other 4 000, cost 44 000: result -10 000
    assert (t1.label, t1.complete) == ("T1", True)
    assert period(balance, "T1") == kr(30_000, 4_000, 44_000, -10_000)
    # T2 so far = May: 0 + 1 000 - 11 000 = -10 000
    assert (t2.label, t2.complete, t2.months) == ("T2", False, (Month(YEAR, 5),))
    assert period(balance, "T2") == kr(0, 1_000, 11_000, -10_000)
    assert balance.year_to_date.result == -20_000
    assert balance.closing_balance == -22_000  # opening -2 000 given, not the budget's 0
    # Run rate: 30 000 x 12 / 5 = 72 000 + 12 000 = 84 000 - 132 000 = -48 000
    assert balance.forecasts[1].result == -48_000


def test_bundled_example_2014() -> None:
    budget = bundled("2014-payroll")
    catalog = sfprice.load_catalog()
    run = sfprice.bill(
        catalog, sfprice.read_volumes(EXAMPLE_2014, catalog=catalog, year=YEAR), year=YEAR
    )
    balance = recovery_balance(budget, full_cost(budget), run, "payroll")
    # The example bills 3 departments in January (105 130 + 207 695 + 47 930 = 360 755) and
    # 2 in February (101 990 + 206 470 = 308 460); see tests/test_cli.py for the invoices.
    # The cost is 48 300 000 / 12 = 4 025 000 a month, so the example recovers 8-9 %.
    assert balance.through == Month(YEAR, 2)
    # January: 360 755 - 4 025 000 = -3 664 245; February: 308 460 - 4 025 000 = -3 716 540
    assert period(balance, "2014-01") == kr("360755.00", 0, 4_025_000, "-3664245.00")
    assert period(balance, "2014-02") == kr("308460.00", 0, 4_025_000, "-3716540.00")
    assert balance.year_to_date.result == Decimal("-7380785.00")
    assert balance.closing_balance == Decimal("-7380785.00")
    assert [p.recovery_ratio for p in balance.months] == [Decimal("0.0896"), Decimal("0.0766")]
    # Budget forecast: 669 215 + 10 x 4 025 000 = 40 919 215 - 48 300 000 = -7 380 785
    # (the budgeted months break even). Run rate: 669 215 x 6 = 4 015 290 - 48 300 000.
    assert [f.result for f in balance.forecasts] == [
        Decimal("-7380785.00"),
        Decimal("-44284710.00"),
    ]


def test_t2_forecast_accuracy_with_a_full_year() -> None:
    budget = one_area_budget()
    # 100 units (10 000 kr) a month January-August, 101 (10 100 kr) September-December.
    run = unit_run({m: 100 if m <= 8 else 101 for m in range(1, 13)})
    balance = balance_of(budget, run)
    assert balance.is_full_year
    assert balance.through == Month(YEAR, 12)
    ytd = balance.year_to_date
    assert (ytd.label, ytd.complete) == ("2014", True)
    # Year: billed 80 000 + 40 400 = 120 400, other 12 000, cost 132 000: result 400.
    assert period(balance, "2014") == kr(120_400, 12_000, 132_000, 400)
    assert [p.complete for p in balance.tertials] == [True, True, True]
    # T1 and T2: 40 000 + 4 000 - 44 000 = 0; T3: 40 400 + 4 000 - 44 000 = 400.
    assert [p.result for p in balance.tertials] == [0, 0, 400]
    accuracy = balance.t2_accuracy
    assert accuracy is not None
    # Forecast at T2: actual Jan-Aug 88 000 + budget Sep-Dec 4 x 11 000 = 132 000: result 0.
    assert accuracy.forecast.method == "budget"
    assert accuracy.forecast.revenue == 132_000
    assert accuracy.forecast.result == 0
    assert accuracy.actual_result == 400
    # (400 - 0) / 132 000 = 0,00303 -> 0,0030: within ±1 %.
    assert accuracy.deviation == Decimal("0.0030")
    assert accuracy.within_target


@pytest.mark.parametrize(
    ("autumn_units", "deviation", "within"),
    [
        # 4 x 100 x (u - 100) kr more than budgeted over 132 000 kr of cost:
        ("103.3", Decimal("0.0100"), True),  # 1 320 / 132 000 = 0,0100 exactly: on the target
        ("103.325", Decimal("0.0101"), False),  # 1 330 / 132 000 = 0,010075 -> 0,0101
        ("110", Decimal("0.0303"), False),  # 4 000 / 132 000 = 0,0303
        ("90", Decimal("-0.0303"), False),  # -4 000 / 132 000
    ],
)
def test_t2_accuracy_target_is_plus_minus_one_percent(
    autumn_units: str, deviation: Decimal, within: bool
) -> None:
    run = unit_run({m: 100 if m <= 8 else autumn_units for m in range(1, 13)})
    accuracy = balance_of(one_area_budget(), run).t2_accuracy
    assert accuracy is not None
    assert accuracy.deviation == deviation
    assert accuracy.within_target is within


def test_phasing_spreads_cost_and_budget_over_the_months() -> None:
    # No cost in July: 132 000 over 11 weights of 1 = 12 000 a month, July 0.
    budget = one_area_budget(other=0, phasing=[1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1])
    balance = balance_of(budget, unit_run(dict.fromkeys(range(1, 13), 100)))
    assert [p.cost for p in balance.months] == [12_000] * 6 + [0] + [12_000] * 5
    # T2 (May-August) carries only three months of cost: 36 000.
    assert [p.cost for p in balance.tertials] == [48_000, 36_000, 48_000]
    assert sum(p.cost for p in balance.months) == 132_000


def test_even_spread_rounds_to_ore_and_still_sums() -> None:
    # 100 000 / 12 = 8 333,333...: the 4 öre left after rounding down go to the first four
    # months (equal remainders, ties to the earliest month).
    budget = one_area_budget(cost=100_000, sales=100_000, other=0)
    balance = balance_of(budget, unit_run({12: 1}))
    costs = [p.cost for p in balance.months]
    assert costs == [Decimal("8333.34")] * 4 + [Decimal("8333.33")] * 8
    assert sum(costs) == 100_000
    # T1 33 333,36; T2 and T3 33 333,32; 33 333,36 + 2 x 33 333,32 = 100 000,00
    assert [p.cost for p in balance.tertials] == [
        Decimal("33333.36"),
        Decimal("33333.32"),
        Decimal("33333.32"),
    ]


def test_tertials_are_january_april_may_august_september_december() -> None:
    assert TERTIALS == {"T1": (1, 2, 3, 4), "T2": (5, 6, 7, 8), "T3": (9, 10, 11, 12)}


def test_balance_errors() -> None:
    budget = one_area_budget()
    statement = full_cost(budget)
    run = unit_run({1: 1})
    with pytest.raises(ValueError, match=r"'economy' is not a selling area.*payroll"):
        recovery_balance(budget, statement, run, "economy")
    with pytest.raises(ValueError, match="nothing is billed for area 'payroll' in 2014"):
        recovery_balance(budget, statement, unit_run({}), "payroll")
    with pytest.raises(ValueError, match="not in the budget year 2014"):
        recovery_balance(budget, statement, run, "payroll", through=Month(2015, 1))


def test_balance_of_a_common_or_appropriation_area_is_an_error() -> None:
    budget = bundled("2010-administration")
    statement = full_cost(budget)
    run = unit_run({1: 1})
    for code in ("administration", "elderly_direct"):
        with pytest.raises(ValueError, match="not a selling area"):
            recovery_balance(budget, statement, run, code)


def test_other_areas_and_years_are_not_counted() -> None:
    # A line of another business area and a line of 2015 do not reach payroll 2014.
    other_list = PriceList(
        "other",
        "Other",
        date(2015, 1, 1),
        date(2015, 12, 31),
        "SEK",
        "test",
        (PriceItem("payroll.unit", "Enhet", Unit.HOUR, Decimal(100), business_area="payroll"),),
    )
    economy_list = PriceList(
        "eco",
        "Eco",
        date(YEAR, 1, 1),
        date(YEAR, 12, 31),
        "SEK",
        "test",
        (
            PriceItem("payroll.unit", "Enhet", Unit.HOUR, Decimal(100), business_area="payroll"),
            PriceItem("economy.unit", "Enhet", Unit.HOUR, Decimal(7), business_area="economy"),
        ),
    )
    run = sfprice.bill(
        PriceCatalog((economy_list, other_list)),
        [
            entry(1, "payroll.unit", 10),
            entry(2, "economy.unit", 1000),
            VolumeEntry(VolumeKey(Month(2015, 3), "Avd", "payroll.unit"), Decimal(5), ()),
        ],
    )
    balance = balance_of(one_area_budget(), run)
    assert balance.through == Month(YEAR, 1)
    assert balance.year_to_date.billed == 1_000


# -- properties over random volumes

SEED_2014 = {"payroll.self_service": 57, "payroll.manual": 110, "payroll.hourly.training": 420}


@st.composite
def volumes_and_budgets(draw: st.DrawFn) -> tuple[list[VolumeEntry], CostBudget, int]:
    entries = []
    for _ in range(draw(st.integers(1, 20))):
        service = draw(st.sampled_from(sorted(SEED_2014)))
        if service == "payroll.hourly.training":
            quantity = Decimal(draw(st.integers(0, 10_000))) / 100  # hours, to 0,01
        else:
            quantity = Decimal(draw(st.integers(0, 5_000)))
        dept = draw(st.sampled_from(["Kultur", "Skarpnäck"]))
        entries.append(entry(draw(st.integers(1, 12)), service, quantity, dept))
    phasing = draw(
        st.one_of(
            st.just([]),
            st.lists(st.integers(0, 5), min_size=12, max_size=12).filter(any),
        )
    )
    budget = one_area_budget(
        cost=draw(_ore_amounts),
        sales=draw(_ore_amounts),
        other=draw(st.one_of(st.just(Decimal(0)), _ore_amounts)),
        phasing=phasing,
        opening=draw(st.integers(-(10**6), 10**6)),
    )
    return entries, budget, draw(st.integers(1, 12))


@given(volumes_and_budgets())
def test_periods_add_up(case: tuple[list[VolumeEntry], CostBudget, int]) -> None:
    entries, budget, last = case
    run = sfprice.bill(sfprice.load_catalog(), entries, year=YEAR)
    statement = full_cost(budget)
    balance = recovery_balance(budget, statement, run, "payroll", through=Month(YEAR, last))
    periods = (*balance.months, *balance.tertials, balance.year_to_date)
    for p in periods:
        assert p.revenue == p.billed + p.other_revenue
        assert p.result == p.revenue - p.cost
    ytd = balance.year_to_date
    for field in ("billed", "other_revenue", "cost", "result"):
        months = sum((getattr(p, field) for p in balance.months), Decimal(0))
        tertials = sum((getattr(p, field) for p in balance.tertials), Decimal(0))
        assert months == tertials == getattr(ytd, field), field
    # Billed per month, by hand: every quantity x its 2014 price (exact: whole öre).
    for p in balance.months:
        month = p.months[0].month
        assert p.billed == sum(
            (e.quantity * SEED_2014[e.key.service] for e in entries if e.key.month.month == month),
            Decimal(0),
        )
    assert [p.complete for p in balance.tertials] == [
        TERTIALS[p.label][-1] <= last for p in balance.tertials
    ]
    assert balance.closing_balance == balance.opening_balance + ytd.result
    # The months of the whole year (phased) sum to the full cost, to the öre.
    assert balance.forecasts[0].cost == balance.full_cost == budget.total_cost
    if last == 12:
        assert ytd.cost == balance.full_cost
        assert ytd.other_revenue == budget.areas[0].other_revenue
        assert ytd.billed == run.total
        assert balance.t2_accuracy is not None


# ------------------------------------------------------------------------ the CLI


def test_cli_fullcost_2010_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fullcost", "--budget", "2010-administration", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["budget"] == "2010-administration"
    assert data["key"] == "direct_cost"
    assert Decimal(data["surplus_total"]) == Decimal(data["common_cost"]) == 25_500_000
    assert Decimal(data["coverage_gap"]) == 0
    rows = {r["area"]: r for r in data["rows"]}
    assert Decimal(rows["payroll"]["common_share"]) == Decimal("9371373.31")
    assert sum(Decimal(r["common_share"]) for r in data["rows"]) == 25_500_000


def test_cli_fullcost_table_says_the_surpluses_cover(capsys: pytest.CaptureFixture[str]) -> None:
    budget = str(REPO / "budgets" / "2010-administration.toml")
    assert main(["fullcost", "--budget", budget, "--key", "revenue"]) == 0
    out = capsys.readouterr().out
    assert "Skillnad:" in out
    assert "(täcker exakt)" in out


def test_cli_fullcost_fixed_shares_and_fte_error(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["fullcost", "--budget", "2010-administration", "--format", "csv", "--key", "fixed"]
    assert main([*argv, "--share", "payroll=1", "--share", "economy=1"]) == 0
    out = capsys.readouterr().out
    assert "payroll,Löneadministration,38000000,12750000.00," in out
    assert main(["fullcost", "--budget", "2010-administration", "--key", "fte"]) == 2
    assert "FTE key needs fte" in capsys.readouterr().err


def test_cli_balance_2014_example(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["balance", str(EXAMPLE_2014), "--year", "2014", "--budget", "2014-payroll"]
    assert main([*argv, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["area"], data["through"]) == ("payroll", "2014-02")
    assert Decimal(data["closing_balance"]) == Decimal("-7380785.00")
    rows = {r["period"]: r for r in data["rows"]}
    assert Decimal(rows["2014-01"]["billed"]) == Decimal("360755.00")
    assert Decimal(rows["T1"]["result"]) == Decimal("-7380785.00")
    assert rows["T1"]["complete"] is False


def test_cli_balance_errors(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["balance", str(EXAMPLE_2014), "--year", "2014", "--budget", "2014-payroll"]
    assert main([*argv, "--area", "economy"]) == 2
    assert "'economy' is not a selling area" in capsys.readouterr().err
    assert main(["balance", str(EXAMPLE_2014), "--year", "2014", "--budget", "2017-economy"]) == 2
    assert "is for 2017, not 2014" in capsys.readouterr().err
    multi = ["balance", str(EXAMPLE_2014), "--year", "2010", "--budget", "2010-administration"]
    assert main(multi) == 2
    assert "choose one with --area" in capsys.readouterr().err


def test_cli_rejects_a_broken_budget_naming_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "b.toml"
    path.write_text(
        'id = "b"\nyear = 2014\nsource = "t"\n\n[[areas]]\ncode = "payroll"\nname = "L"\n'
        'kind = "selling"\n\n[[areas.costs]]\nkind = "staff"\nlabel = "L"\namount = -1\n',
        encoding="utf-8",
    )
    assert main(["fullcost", "--budget", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"error: {path}: areas[0].costs[0].amount (payroll): must be >= 0" in err


# ------------------------------------------------------------------------ docs/cost-recovery.md

_CONSOLE = re.compile(r"```console\n(.*?)```", re.DOTALL)
_TOML = re.compile(r"```toml\n(.*?)```", re.DOTALL)


def _console_examples() -> list[tuple[str, str]]:
    """(command, output) of every ``$ command`` in the page's console blocks."""
    if not DOC.is_file():
        return []
    examples: list[tuple[str, str]] = []
    for block in _CONSOLE.findall(DOC.read_text(encoding="utf-8")):
        command: str | None = None
        output: list[str] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    examples.append((command, "\n".join(output)))
                command, output = line[2:], []
            else:
                output.append(line)
        if command is not None:
            examples.append((command, "\n".join(output)))
    return examples


CONSOLE_EXAMPLES = _console_examples()


@pytest.mark.parametrize(
    ("command", "expected"), CONSOLE_EXAMPLES, ids=[c[:60] for c, _ in CONSOLE_EXAMPLES]
)
def test_docs_console_example_is_real_output(
    command: str,
    expected: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(REPO)  # the page's commands run from the repository root
    args = shlex.split(command)
    if args[0] == "cat":
        actual = (REPO / args[1]).read_text(encoding="utf-8")
    else:
        assert args[:3] == ["python", "-m", "sfprice"], command
        args = args[3:]
        if "--output" in args:  # write the draft to tmp_path, not into the repository
            index = args.index("--output") + 1
            args[index] = str(tmp_path / args[index])
        main(args)
        captured = capsys.readouterr()
        actual = captured.out + captured.err
    assert actual.rstrip("\n") == expected


def test_docs_budget_example_loads(tmp_path: Path) -> None:
    (text,) = _TOML.findall(DOC.read_text(encoding="utf-8"))
    path = tmp_path / "example.toml"
    path.write_text(text, encoding="utf-8")
    budget = load_budget(path)
    assert budget.opening_balance == 250_000
    payroll = budget.area("payroll")
    assert payroll is not None
    # 26 500 000 x 1,434 = 38 001 000,00
    assert payroll.cost_of(CostKind.STAFF) == Decimal("38001000.00")
    assert payroll.phasing[6] == Decimal("0.5")
    statement = full_cost(budget)
    # 38 001 000 + 10 300 000 own costs + 1 000 000 common = 49 301 000
    area = statement.area("payroll")
    assert area is not None
    assert area.full_cost == Decimal("49301000.00")
    assert sum(payroll.monthly(area.full_cost)) == area.full_cost
