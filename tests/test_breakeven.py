"""Break-even (self-cost) prices: the 2014 seed checks, deductions, the draft list, properties.

The seed checks are domain Ex 4 (003:117-139): a full cost of 48 300 000 kr, a forecast of
600 000 payslips of which 453 000 self-service (57 kr in 2014) and 147 000 manual (110 kr).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sfprice
from sfprice import Month, PriceCatalog, PriceList, VolumeEntry, VolumeKey, VolumeSource
from sfprice.cli import main
from sfprice.engine.breakeven import BreakEven, BreakEvenRule, break_even, list_revenue
from sfprice.io.pricelists import dump_pricelist
from sfprice.reports.recovery import breakeven_to_table

SELF, MANUAL = "payroll.self_service", "payroll.manual"
TRAINING = "payroll.hourly.training"
COST_2014 = Decimal(48_300_000)
FORECAST_2014 = {SELF: Decimal(453_000), MANUAL: Decimal(147_000)}
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def base() -> PriceList:
    """The bundled 2014 list: self-service 57, manual 110 (57 + 53)."""
    found = sfprice.load_catalog().get("2014")
    assert found is not None
    return found


def solve(
    base: PriceList,
    rule: str,
    quantum: str = "1",
    volumes: Mapping[str, Decimal] = FORECAST_2014,
    cost: Decimal = COST_2014,
    **kwargs: object,
) -> BreakEven:
    return break_even(
        cost_to_recover=cost,
        volumes=volumes,
        rule=rule,
        base=base,
        quantum=Decimal(quantum),
        **kwargs,  # type: ignore[arg-type]
    )


def prices(result: BreakEven) -> tuple[Decimal, ...]:
    return (result.prices[SELF], result.prices[MANUAL])


def kr(*amounts: int | str) -> tuple[Decimal, ...]:
    return tuple(Decimal(a) for a in amounts)


def price_of(price_list: PriceList, code: str) -> Decimal:
    item = price_list.item(code)
    assert item is not None, f"{code} missing from {price_list.id}"
    return item.price


def bill_draft(result: BreakEven, volumes: Mapping[str, Decimal]) -> Decimal:
    """Bill the forecast volumes under the draft alone (one department, January)."""
    month = Month(result.draft.valid_from.year, 1)
    entries = [
        VolumeEntry(VolumeKey(month, "Avd", code), quantity, (VolumeSource("forecast", 1),))
        for code, quantity in volumes.items()
    ]
    return sfprice.bill(PriceCatalog((result.draft,)), entries).total


# ------------------------------------------------------------------------ seed checks


def test_list_revenue_leaves_6309000_for_add_ons(base: PriceList) -> None:
    # 453 000 x 57 + 147 000 x 110 = 25 821 000 + 16 170 000 = 41 991 000
    assert list_revenue(base, FORECAST_2014) == Decimal(41_991_000)
    # 48 300 000 - 41 991 000 = 6 309 000 to come from add-on services and events
    assert COST_2014 - list_revenue(base, FORECAST_2014) == Decimal(6_309_000)


def test_result_states_what_the_base_list_leaves_uncovered(base: PriceList) -> None:
    result = solve(base, "ratio")
    assert result.base_id == "2014"
    assert result.base_revenue == Decimal(41_991_000)
    # 48 300 000 - 41 991 000 = 6 309 000
    assert result.base_gap == Decimal(6_309_000)
    # Other revenue and a returned surplus come off too: 48 300 000 - 300 000 - 200 000
    # - 41 991 000 = 5 809 000 (add-on revenue does not: it is what the gap is for).
    other = solve(
        base,
        "ratio",
        other_revenue=Decimal(300_000),
        carried_balance=Decimal(200_000),
        addon_revenue=Decimal(1_000),
    )
    assert other.base_gap == Decimal(5_809_000)


def test_list_revenue_of_an_unknown_service_is_a_key_error(base: PriceList) -> None:
    with pytest.raises(KeyError, match=r"'payroll\.nothing'"):
        list_revenue(base, {"payroll.nothing": Decimal(1)})


def test_average_price_to_ore(base: PriceList) -> None:
    result = solve(base, "average", "0.01")
    # 48 300 000 / 600 000 = 80,50 exactly: no residual
    assert result.exact_prices == {SELF: Decimal("80.5"), MANUAL: Decimal("80.5")}
    assert prices(result) == kr("80.50", "80.50")
    assert result.revenue == COST_2014
    assert result.residual == 0


def test_ratio_prices_to_ore(base: PriceList) -> None:
    result = solve(base, "ratio", "0.01")
    # p = 48 300 000 / (453 000 + 147 000 x 110/57) = 48 300 000 / 736 684,21 = 65,5640...
    # manual = p x 110/57 = 126,5271...
    assert abs(result.exact_prices[SELF] - Decimal("65.56405")) < Decimal("0.00001")
    assert abs(result.exact_prices[MANUAL] - Decimal("126.52711")) < Decimal("0.00001")
    assert prices(result) == kr("65.56", "126.53")
    # 453 000 x 65,56 + 147 000 x 126,53 = 29 698 680 + 18 599 910 = 48 298 590: 1 410 short
    assert result.revenue == Decimal("48298590")
    assert result.residual == Decimal(-1_410)


def test_surcharge_prices_to_ore(base: PriceList) -> None:
    result = solve(base, "surcharge", "0.01")
    # p = (48 300 000 - 53 x 147 000) / 600 000 = 40 509 000 / 600 000 = 67,515 -> 67,52
    assert result.exact_prices == {SELF: Decimal("67.515"), MANUAL: Decimal("120.515")}
    assert prices(result) == kr("67.52", "120.52")
    # 453 000 x 67,52 + 147 000 x 120,52 = 30 586 560 + 17 716 440 = 48 303 000: 3 000 over
    assert result.residual == Decimal(3_000)


@pytest.mark.parametrize(
    ("rule", "expected", "revenue"),
    [
        # 600 000 x 81 = 48 600 000
        ("average", ("81", "81"), 48_600_000),
        # 453 000 x 66 + 147 000 x 127 = 29 898 000 + 18 669 000 = 48 567 000
        ("ratio", ("66", "127"), 48_567_000),
        # 453 000 x 68 + 147 000 x 121 = 30 804 000 + 17 787 000 = 48 591 000
        ("surcharge", ("68", "121"), 48_591_000),
    ],
)
def test_whole_kronor_by_default(
    base: PriceList, rule: str, expected: tuple[str, str], revenue: int
) -> None:
    result = break_even(cost_to_recover=COST_2014, volumes=FORECAST_2014, rule=rule, base=base)
    assert prices(result) == kr(*expected)
    assert result.revenue == revenue
    # residual 300 000 / 267 000 / 291 000: what the whole-krona prices bring in over the cost
    assert result.residual == revenue - 48_300_000
    assert result.target == COST_2014
    assert result.rule is BreakEvenRule(rule)


# ------------------------------------------------------------------------ deductions


def test_add_on_revenue_taken_off_gives_back_the_2014_list(base: PriceList) -> None:
    # 48 300 000 - 6 309 000 = 41 991 000 = what the 2014 list brings: 57 and 110 again.
    for rule in ("ratio", "surcharge"):
        result = solve(base, rule, "0.01", addon_revenue=Decimal(6_309_000))
        assert result.deductions["addon_revenue"] == Decimal(6_309_000)
        assert result.target == Decimal(41_991_000)
        assert prices(result) == kr("57.00", "110.00")
        assert result.residual == 0


def test_add_on_revenue_with_the_average_rule(base: PriceList) -> None:
    # 41 991 000 / 600 000 = 69,985 -> 69,99 (half-up): 600 000 x 0,005 = 3 000 over
    result = solve(base, "average", "0.01", addon_revenue=Decimal(6_309_000))
    assert prices(result) == kr("69.99", "69.99")
    assert result.residual == Decimal(3_000)
    # whole kronor: 70, 600 000 x 0,015 = 9 000 over
    assert solve(base, "average", addon_revenue=Decimal(6_309_000)).residual == Decimal(9_000)


def test_fixed_prices_are_taken_off_the_target(base: PriceList) -> None:
    volumes = {**FORECAST_2014, TRAINING: Decimal(1_000)}
    result = solve(base, "average", volumes=volumes, fixed={TRAINING: Decimal(420)})
    # 1 000 hours x 420 = 420 000; 48 300 000 - 420 000 = 47 880 000; / 600 000 = 79,80 -> 80
    assert result.deductions["fixed_price_revenue"] == Decimal(420_000)
    assert result.target == Decimal(47_880_000)
    assert result.exact_prices == {SELF: Decimal("79.8"), MANUAL: Decimal("79.8")}
    assert result.prices == {SELF: 80, MANUAL: 80, TRAINING: 420}
    # The residual counts the solved services only: 600 000 x 0,20 = 120 000
    assert result.residual == Decimal(120_000)
    training = result.draft.item(TRAINING)
    assert training is not None
    assert training.price == 420
    assert training.source == "fixed price; base list 2014"
    # Billing everything: 48 000 000 + 420 000 = 48 420 000 = 48 300 000 + 120 000.
    assert bill_draft(result, volumes) == COST_2014 + result.residual


def test_a_fixed_price_may_differ_from_the_base_list(base: PriceList) -> None:
    volumes = {**FORECAST_2014, TRAINING: Decimal(100)}
    result = solve(base, "average", "0.01", volumes=volumes, fixed={TRAINING: Decimal(450)})
    # 100 h x 450 = 45 000; (48 300 000 - 45 000) / 600 000 = 80,425 -> 80,43
    assert result.target == Decimal(48_255_000)
    assert prices(result) == kr("80.43", "80.43")
    draft_training = result.draft.item(TRAINING)
    assert draft_training is not None
    assert draft_training.price == 450


def test_a_fixed_service_without_forecast_brings_nothing(base: PriceList) -> None:
    result = solve(base, "average", "0.01", fixed={TRAINING: Decimal(500)})
    assert result.deductions["fixed_price_revenue"] == 0
    assert result.target == COST_2014
    assert result.prices[TRAINING] == 500


def test_carried_surplus_is_returned_over_the_years(base: PriceList) -> None:
    # 600 000 carried in, returned over 2 years: 300 000 this year; 48 000 000 / 600 000 = 80
    result = solve(base, "average", carried_balance=Decimal(600_000), return_years=2)
    assert result.deductions["carried_balance_returned"] == Decimal(300_000)
    assert result.target == Decimal(48_000_000)
    assert prices(result) == kr(80, 80)
    assert result.residual == 0


def test_carried_deficit_raises_the_prices(base: PriceList) -> None:
    # -600 000 in one year: 48 900 000 / 600 000 = 81,50
    result = solve(base, "average", "0.01", carried_balance=Decimal(-600_000))
    assert result.target == Decimal(48_900_000)
    assert prices(result) == kr("81.50", "81.50")


def test_other_revenue_is_taken_off(base: PriceList) -> None:
    result = solve(base, "average", other_revenue=Decimal(300_000))
    # 48 000 000 / 600 000 = 80
    assert result.target == Decimal(48_000_000)
    assert result.cost_to_recover == COST_2014
    assert dict(result.deductions) == {
        "other_revenue": Decimal(300_000),
        "addon_revenue": Decimal(0),
        "carried_balance_returned": Decimal(0),
        "fixed_price_revenue": Decimal(0),
    }


def test_errors(base: PriceList) -> None:
    with pytest.raises(ValueError, match="return_years must be >= 1"):
        solve(base, "average", return_years=0)
    with pytest.raises(ValueError, match=r"not in base price list 2014: payroll\.nothing"):
        solve(base, "average", volumes={**FORECAST_2014, "payroll.nothing": Decimal(1)})
    with pytest.raises(ValueError, match=r"not in base price list 2014: payroll\.nothing"):
        solve(base, "average", fixed={"payroll.nothing": Decimal(1)})
    with pytest.raises(ValueError, match="no forecast volume left"):
        solve(base, "average", volumes={SELF: Decimal(0), MANUAL: Decimal(0)})
    with pytest.raises(ValueError, match="no forecast volume left"):
        solve(base, "average", volumes={TRAINING: Decimal(10)}, fixed={TRAINING: Decimal(420)})
    with pytest.raises(ValueError, match="'median'"):
        solve(base, "median")


def test_surcharge_price_below_the_surcharge_drops_the_components(base: PriceList) -> None:
    # Only the manual service solved: it is its own reference, p = 4 000 / 100 = 40 kr, less
    # than its 53 kr surcharge component: the draft prices it at 40 without components.
    result = solve(base, "surcharge", volumes={MANUAL: Decimal(100)}, cost=Decimal(4_000))
    manual = result.draft.item(MANUAL)
    assert manual is not None
    assert manual.price == 40
    assert manual.components == ()


@pytest.mark.parametrize("quantum", ["0.5", "10"])
def test_prices_are_multiples_of_the_quantum(base: PriceList, quantum: str) -> None:
    step = Decimal(quantum)
    try:
        result = solve(base, "ratio", quantum)
    except ValueError:
        return  # refusing a quantum that is not a power of ten is fine too
    for price in result.prices.values():
        assert price % step == 0, (price, step)


# ------------------------------------------------------------------------ the draft list


def test_draft_is_a_billable_proposal(base: PriceList) -> None:
    result = solve(base, "surcharge", "0.01")
    draft = result.draft
    assert draft.status == "proposal"
    # By default the draft is for the year after the base list.
    assert (draft.id, draft.valid_from, draft.valid_to) == (
        "2015-proposal",
        date(2015, 1, 1),
        date(2015, 12, 31),
    )
    assert "surcharge" in draft.title
    assert draft.codes == base.codes  # every service of the base list, in its order
    manual = draft.item(MANUAL)
    assert manual is not None
    # The surcharge keeps its 53 kr; the base component takes the rest: 67,52 + 53 = 120,52
    assert [c.price for c in manual.components] == [Decimal("67.52"), Decimal(53)]
    agresso = draft.item("payroll.agresso")
    assert agresso is not None  # not solved, but its manual component follows manual:
    assert agresso.price == Decimal("200.52")  # 120,52 + 80 (was 110 + 80 = 190)
    assert agresso.source.startswith("follows the re-priced payroll.manual; carried over")
    debt = draft.item("payroll.salary_debt")
    assert debt is not None  # names no re-priced item: carried over as it was
    assert debt.source.startswith("carried over from list 2014")
    # Billed against its own forecast: 48 303 000 = 48 300 000 + 3 000
    assert bill_draft(result, FORECAST_2014) == COST_2014 + Decimal(3_000)


def test_ratio_draft_scales_the_components(base: PriceList) -> None:
    result = solve(base, "ratio", "0.01")
    manual = result.draft.item(MANUAL)
    assert manual is not None
    # 57/110 of 126,5271 = 65,5640 -> 65,56; the surcharge takes the rest: 126,53 - 65,56
    assert [c.price for c in manual.components] == [Decimal("65.56"), Decimal("60.97")]


def test_draft_year_and_id_can_be_chosen(base: PriceList) -> None:
    draft = solve(base, "average", year=2014, list_id="x").draft
    assert (draft.id, draft.valid_from.year) == ("x", 2014)


@pytest.mark.parametrize("rule", [str(r) for r in BreakEvenRule])
@pytest.mark.parametrize("quantum", ["1", "0.01"])
def test_draft_round_trips_through_toml(
    base: PriceList, tmp_path: Path, rule: str, quantum: str
) -> None:
    result = solve(base, rule, quantum, fixed={TRAINING: Decimal("432.50")})
    path = tmp_path / "draft.toml"
    path.write_text(dump_pricelist(result.draft, header="Draft\nnot decided"), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Draft\n# not decided\n")
    loaded = sfprice.load_pricelist(path)
    assert loaded.path == str(path)
    assert replace(loaded, path=None) == result.draft
    assert loaded.status == "proposal"


# ------------------------------------------------------------------------ properties

BASE_PRICES = {SELF: 57, MANUAL: 110, "payroll.agresso": 190, "payroll.salary_debt": 500}


@st.composite
def forecasts(draw: st.DrawFn) -> dict[str, object]:
    volumes = {
        SELF: Decimal(draw(st.integers(0, 600_000))),
        MANUAL: Decimal(draw(st.integers(0, 200_000))),
    }
    for code in ("payroll.agresso", "payroll.salary_debt"):
        if draw(st.booleans()):
            volumes[code] = Decimal(draw(st.integers(0, 2_000)))
    if not any(volumes.values()):
        volumes[SELF] = Decimal(1)
    hours = Decimal(draw(st.integers(0, 100_000))) / 100  # fixed-price training hours
    volumes[TRAINING] = hours
    # A target at 1-3 times the base list's revenue keeps every solved price positive.
    factor = Decimal(draw(st.integers(100, 300))) / 100
    list_value = sum((v * BASE_PRICES[c] for c, v in volumes.items() if c != TRAINING), Decimal(0))
    target = (list_value * factor).quantize(CENT) + Decimal(draw(st.integers(0, 99))) / 100
    addon = Decimal(draw(st.integers(0, 10**8))) / 100
    return {
        "volumes": volumes,
        "target": target,
        "addon": addon,
        "fixed_revenue": hours * 420,
        "rule": draw(st.sampled_from([str(r) for r in BreakEvenRule])),
        "quantum": draw(st.sampled_from([Decimal(1), CENT])),
    }


@given(forecasts())
def test_the_draft_recovers_the_target_within_the_residual(case: dict[str, object]) -> None:
    base = sfprice.load_catalog().get("2014")
    assert base is not None
    volumes: dict[str, Decimal] = case["volumes"]  # type: ignore[assignment]
    target: Decimal = case["target"]  # type: ignore[assignment]
    addon: Decimal = case["addon"]  # type: ignore[assignment]
    fixed_revenue: Decimal = case["fixed_revenue"]  # type: ignore[assignment]
    quantum: Decimal = case["quantum"]  # type: ignore[assignment]
    rule = str(case["rule"])
    result = break_even(
        cost_to_recover=target + addon + fixed_revenue,
        volumes=volumes,
        rule=rule,
        base=base,
        fixed={TRAINING: Decimal(420)},
        addon_revenue=addon,
        quantum=quantum,
    )
    assert result.target == target
    solved = {c: v for c, v in volumes.items() if c != TRAINING}
    assert set(result.exact_prices) == set(solved)
    # Billed under the draft, the solved services bring in the target plus the residual,
    # to the öre, and the fixed hours their 420 kr each.
    billed = bill_draft(result, volumes)
    assert billed - fixed_revenue == result.revenue
    assert result.revenue - result.target == result.residual
    # Each price is at most half a quantum from its exact value.
    assert abs(result.residual) <= sum(solved.values()) * quantum / 2
    for code in solved:
        price = result.prices[code]
        assert price % quantum == 0
        assert abs(price - result.exact_prices[code]) <= quantum / 2
        item = result.draft.item(code)
        assert item is not None
        assert item.price == price
    reference = min(BASE_PRICES[c] for c in solved)
    p_ref = result.prices[min(solved, key=lambda c: BASE_PRICES[c])]
    if rule == "average":
        assert len({result.prices[c] for c in solved}) == 1
    elif rule == "surcharge":
        # The absolute surcharges are kept exactly (the quantum divides whole kronor).
        for code in solved:
            assert result.prices[code] - p_ref == BASE_PRICES[code] - reference
    else:
        # The ratios are kept within the rounding of the two prices:
        # |p_i x b_ref - p_ref x b_i| <= q/2 x (b_ref + b_i)
        for code in solved:
            b = BASE_PRICES[code]
            gap = abs(result.prices[code] * reference - p_ref * b)
            assert gap <= quantum / 2 * (reference + b) + Decimal("1e-20")


# ------------------------------------------------------------------------ the CLI


@pytest.fixture
def forecast_csv(tmp_path: Path) -> Path:
    path = tmp_path / "forecast.csv"
    path.write_text(
        "tjänst;antal;kommentar\npayroll.self_service;453 000;\npayroll.manual;147000;\n",
        encoding="utf-8",
    )
    return path


def test_cli_breakeven_ratio_to_ore(forecast_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["breakeven", "--budget", "2014-payroll", "--forecast", str(forecast_csv)]
    assert main([*argv, "--rule", "ratio", "--quantum", "0,01", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rule"] == "ratio"
    assert Decimal(data["cost_to_recover"]) == COST_2014
    assert Decimal(data["rounding_residual"]) == Decimal(-1_410)
    assert data["draft_price_list"] == "2014-proposal"  # the budget year by default
    assert data["base_price_list"] == "2014"
    assert Decimal(data["revenue_at_base_prices"]) == Decimal(41_991_000)
    assert Decimal(data["left_uncovered_by_base_prices"]) == Decimal(6_309_000)
    rows = {r["service"]: r for r in data["rows"]}
    assert Decimal(rows[SELF]["price"]) == Decimal("65.56")
    assert Decimal(rows[MANUAL]["price"]) == Decimal("126.53")


def test_cli_breakeven_writes_the_draft(
    forecast_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = tmp_path / "draft.toml"
    argv = ["breakeven", "--budget", "2014-payroll", "--forecast", str(forecast_csv)]
    argv += ["--rule", "surcharge", "--addon-revenue", "6 309 000", "--output", str(draft)]
    assert main([*argv, "--draft-year", "2015"]) == 0
    table = capsys.readouterr().out
    assert "avgår tilläggstjänster och händelser" in table
    assert "ingen avvikelse" in table  # 57 and 110 again: no residual
    loaded = sfprice.load_pricelist(draft)
    assert loaded.status == "proposal"
    assert loaded.valid_from == date(2015, 1, 1)
    assert (price_of(loaded, SELF), price_of(loaded, MANUAL)) == kr(57, 110)
    assert draft.read_text(encoding="utf-8").startswith("# Draft price list (proposal)")


def test_table_deduction_lines_separate_label_and_amount(base: PriceList) -> None:
    result = solve(
        base,
        "average",
        volumes={**FORECAST_2014, TRAINING: Decimal(10)},
        fixed={TRAINING: Decimal(420)},
        addon_revenue=Decimal(6_309_000),
        carried_balance=Decimal(1_000),
    )
    lines = [line for line in breakeven_to_table(result).splitlines() if "avgår" in line]
    assert len(lines) == 3  # add-on revenue, carried balance returned, fixed-price revenue
    for line in lines:
        assert line.partition(":")[2].startswith(" "), line


def test_cli_breakeven_fixed_hours(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    forecast = tmp_path / "f.csv"
    forecast.write_text(
        "service,quantity\npayroll.self_service,453000\npayroll.manual,147000\n"
        "payroll.hourly.training,1000\n",
        encoding="utf-8",
    )
    argv = ["breakeven", "--budget", "2014-payroll", "--forecast", str(forecast)]
    argv += ["--rule", "average", "--fix", "payroll.hourly.training=420", "--format", "json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert Decimal(data["deductions"]["fixed_price_revenue"]) == Decimal(420_000)
    assert Decimal(data["target"]) == Decimal(47_880_000)
    rows = {r["service"]: r for r in data["rows"]}
    assert rows[TRAINING]["fixed"] is True
    assert Decimal(rows[SELF]["price"]) == 80
    assert Decimal(data["rounding_residual"]) == Decimal(120_000)


def test_cli_breakeven_errors(
    forecast_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["breakeven", "--budget", "2014-payroll", "--rule", "average"]
    assert main([*argv, "--forecast", str(forecast_csv), "--base-list", "2099"]) == 2
    assert "no price list '2099'" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("service,quantity\npayroll.nothing,1\n", encoding="utf-8")
    assert main([*argv, "--forecast", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:2:" in err
    assert "unknown service 'payroll.nothing'" in err
    assert main([*argv, "--forecast", str(forecast_csv), "--budget", "2010-administration"]) == 2
    assert "choose one with --area" in capsys.readouterr().err
