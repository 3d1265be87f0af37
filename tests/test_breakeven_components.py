"""Break-even drafts keep composite prices in step (issue 9, fault 8).

A component may name the item whose price it is (``PriceComponent.item``): in the 2014
list, manual's "Grundpris (Lisa Självservice)" is self-service's 57, and Agresso's and
Girovision's "manuell rapportering 110" is manual's price. When a draft re-prices an item,
every item whose component names it follows, at any depth.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sfprice
from sfprice import PriceComponent, PriceItem, PriceList, Unit
from sfprice.engine.breakeven import BreakEven, break_even
from sfprice.reports.recovery import breakeven_to_data, breakeven_to_table

D = Decimal
SELF, MANUAL = "payroll.self_service", "payroll.manual"
AGRESSO, GIRO = "payroll.agresso", "payroll.emergency_girovision"
FORECAST_2014 = {SELF: D(453_000), MANUAL: D(147_000)}


@pytest.fixture(scope="module")
def base() -> PriceList:
    found = sfprice.load_catalog().get("2014")
    assert found is not None
    return found


def _parts(result: BreakEven, code: str) -> tuple[D, tuple[tuple[D, str | None], ...]]:
    item = result.draft.item(code)
    assert item is not None
    return item.price, tuple((c.price, c.item) for c in item.components)


def _solve(base: PriceList, rule: str, quantum: str, **kwargs: object) -> BreakEven:
    return break_even(
        cost_to_recover=D(48_300_000),
        volumes=FORECAST_2014,
        rule=rule,
        base=base,
        quantum=D(quantum),
        **kwargs,  # type: ignore[arg-type]
    )


def test_the_2014_list_names_its_component_items(base: PriceList) -> None:
    assert _parts_of(base, MANUAL) == ((D(57), SELF), (D(53), None))
    assert _parts_of(base, AGRESSO) == ((D(110), MANUAL), (D(80), None))
    assert _parts_of(base, GIRO) == ((D(110), MANUAL), (D(600), None))


def _parts_of(price_list: PriceList, code: str) -> tuple[tuple[D, str | None], ...]:
    item = price_list.item(code)
    assert item is not None
    return tuple((c.price, c.item) for c in item.components)


def test_surcharge_whole_kronor_agresso_and_girovision_follow_manual(base: PriceList) -> None:
    # Surcharge rule: p = (48 300 000 - 147 000 x 53) / 600 000 = 40 509 000 / 600 000
    # = 67,515 -> 68 kr; manual 68 + 53 = 121. Agresso 121 + 80 = 201, Girovision
    # 121 + 600 = 721 (before the fix: still 110 + 80 and 110 + 600).
    result = _solve(base, "surcharge", "1")
    assert _parts(result, SELF) == (D(68), ())
    assert _parts(result, MANUAL) == (D(121), ((D(68), SELF), (D(53), None)))
    assert _parts(result, AGRESSO) == (D(201), ((D(121), MANUAL), (D(80), None)))
    assert _parts(result, GIRO) == (D(721), ((D(121), MANUAL), (D(600), None)))
    agresso = result.draft.item(AGRESSO)
    assert agresso is not None
    assert agresso.source.startswith("follows the re-priced payroll.manual")
    assert result.followed == (AGRESSO, GIRO)
    table = breakeven_to_table(result)
    assert "Följer payroll.manual: payroll.agresso 121 + 80 = 201,00\xa0kr" in table
    assert "Följer payroll.manual: payroll.emergency_girovision 121 + 600 = 721,00\xa0kr" in table
    followed = breakeven_to_data(result)["followed"]
    assert [(f["service"], f["price"]) for f in followed] == [(AGRESSO, "201"), (GIRO, "721")]  # type: ignore[attr-defined]


def test_ratio_to_ore_agresso_and_girovision_follow_manual(base: PriceList) -> None:
    # Ratio rule at öre: 65,56 / 126,53 (README); Agresso 126,53 + 80 = 206,53, Girovision
    # 126,53 + 600 = 726,53; manual's base component is self-service's 65,56, its
    # surcharge the rest: 126,53 - 65,56 = 60,97.
    result = _solve(base, "ratio", "0.01")
    assert _parts(result, MANUAL) == (D("126.53"), ((D("65.56"), SELF), (D("60.97"), None)))
    assert _parts(result, AGRESSO)[0] == D("206.53")
    assert _parts(result, GIRO)[0] == D("726.53")


def test_a_fixed_item_keeps_its_price_and_splits_it(base: PriceList) -> None:
    # Agresso fixed at 250 (no forecast): its manual component is manual's new 121 and
    # the Agresso surcharge the rest, 250 - 121 = 129.
    result = _solve(base, "surcharge", "1", fixed={AGRESSO: D(250)})
    assert _parts(result, AGRESSO) == (D(250), ((D(121), MANUAL), (D(129), None)))


def test_the_draft_bills_the_followed_prices(base: PriceList) -> None:
    # 3 Agresso payouts in January 2015 under the draft: 3 x 201 = 603 kr.
    result = _solve(base, "surcharge", "1", year=2015)
    catalog = sfprice.PriceCatalog((result.draft,))
    key = sfprice.VolumeKey(sfprice.Month(2015, 1), "Stad", AGRESSO)
    entry = sfprice.VolumeEntry(key, D(3), (sfprice.VolumeSource("<t>", 1),))
    run = sfprice.bill(catalog, [entry], year=2015)
    assert run.total == D(603)


def _chain() -> PriceList:
    # a (10) <- b = a + 5 <- c = b + 1 <- d = c + 100; e has its own components.
    def item(code: str, parts: tuple[PriceComponent, ...] = (), price: int = 0) -> PriceItem:
        total = sum((c.price for c in parts), D(0)) if parts else D(price)
        return PriceItem(code, code, Unit.TRANSACTION, total, parts, "x", "test")

    return PriceList(
        "chain",
        "chain",
        date(2020, 1, 1),
        date(2020, 12, 31),
        "SEK",
        "test",
        (
            item("a", price=10),
            item("d", (PriceComponent("c", D(16), "c"), PriceComponent("plus", D(100)))),
            item("b", (PriceComponent("a", D(10), "a"), PriceComponent("plus", D(5)))),
            item("c", (PriceComponent("b", D(15), "b"), PriceComponent("plus", D(1)))),
            item("e", (PriceComponent("x", D(2)), PriceComponent("y", D(3)))),
        ),
    )


def test_references_are_followed_at_any_depth() -> None:
    # Only a is solved: 100 units must bring 2 000 kr, so a = 20; then b = 20 + 5 = 25,
    # c = 25 + 1 = 26 and d = 26 + 100 = 126, whatever the order of the list.
    result = break_even(
        cost_to_recover=D(2000), volumes={"a": D(100)}, rule="average", base=_chain()
    )
    prices = {item.code: item.price for item in result.draft.items}
    assert prices == {"a": D(20), "b": D(25), "c": D(26), "d": D(126), "e": D(5)}


def test_nothing_follows_when_nothing_it_names_changes() -> None:
    result = break_even(
        cost_to_recover=D(500), volumes={"e": D(100)}, rule="average", base=_chain()
    )
    prices = {item.code: item.price for item in result.draft.items}
    assert prices == {"a": D(10), "b": D(15), "c": D(16), "d": D(116), "e": D(5)}


@pytest.mark.parametrize(
    ("component", "message"),
    [
        ('item = "payroll.manuall"', "names item 'payroll.manuall', which the list does not have"),
        ('item = "payroll.self_service"', "is 110 but item payroll.self_service costs 57"),
        ('item = "payroll.agresso"', "a component cannot be the item itself"),
    ],
)
def test_the_loader_checks_the_named_item(tmp_path: Path, component: str, message: str) -> None:
    text = (Path(__file__).resolve().parents[1] / "pricelists" / "2014.toml").read_text(
        encoding="utf-8"
    )
    bad = text.replace(
        '{ label = "Lön/ersättning manuell rapportering", price = 110, item = "payroll.manual" },\n'
        '    { label = "Tillägg utbetalning via Agresso"',
        f'{{ label = "Lön/ersättning manuell rapportering", price = 110, {component} }},\n'
        '    { label = "Tillägg utbetalning via Agresso"',
    )
    assert bad != text
    path = tmp_path / "2014.toml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(sfprice.InputError) as caught:
        sfprice.load_pricelist(path)
    issues = caught.value.issues
    assert len(issues) == 1
    assert message in issues[0].message
    assert issues[0].field == "items[2].components (payroll.agresso)"


def test_a_circle_of_references_is_refused() -> None:
    a = PriceItem(
        "a",
        "a",
        Unit.TRANSACTION,
        D(5),
        (PriceComponent("b", D(5), "b"), PriceComponent("z", D(0))),
        "x",
        "t",
    )
    b = PriceItem(
        "b",
        "b",
        Unit.TRANSACTION,
        D(5),
        (PriceComponent("a", D(5), "a"), PriceComponent("z", D(0))),
        "x",
        "t",
    )
    with pytest.raises(ValueError, match="round in a circle"):
        PriceList("c", "c", date(2020, 1, 1), date(2020, 12, 31), "SEK", "t", (a, b))


@settings(max_examples=60, deadline=None)
@given(
    rule=st.sampled_from(["average", "ratio", "surcharge"]),
    quantum=st.sampled_from(["1", "0.01", "0.5", "10"]),
    self_service=st.integers(min_value=1, max_value=10**6),
    manual=st.integers(min_value=0, max_value=10**6),
    cost=st.integers(min_value=0, max_value=10**9),
)
def test_every_named_component_equals_its_item_in_the_draft(
    rule: str, quantum: str, self_service: int, manual: int, cost: int
) -> None:
    base = sfprice.load_catalog().get("2014")
    assert base is not None
    try:
        result = break_even(
            cost_to_recover=D(cost),
            volumes={SELF: D(self_service), MANUAL: D(manual)},
            rule=rule,
            base=base,
            quantum=D(quantum),
        )
    except ValueError as exc:  # a cost below the surcharges: no price >= 0 recovers it
        problem = str(exc)
        assert "no price >= 0 recovers the target" in problem
        return
    draft = result.draft  # PriceList checks the references again when it is built
    for item in draft.items:
        for component in item.components:
            if component.item is not None:
                named = draft.item(component.item)
                assert named is not None
                assert component.price == named.price
        if item.components:
            assert sum((c.price for c in item.components), D(0)) == item.price
    agresso = draft.item(AGRESSO)
    manual_item = draft.item(MANUAL)
    assert agresso is not None
    assert manual_item is not None
    assert agresso.price == manual_item.price + 80
