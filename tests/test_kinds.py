"""Every registered price kind: built in code or read from a file, the item is the same, and
every line it bills keeps quantity x unit price = amount after the one rounding."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfprice.engine.billing import bill
from sfprice.io.pricelists import dump_pricelist, load_pricelist
from sfprice.kinds import KINDS, PriceKind, Stage
from sfprice.model import (
    Customer,
    PriceCatalog,
    PriceComponent,
    PriceItem,
    PriceList,
    Tier,
    TierMode,
    Unit,
    VolumeEntry,
    VolumeKey,
    VolumeSource,
)
from sfprice.money import exact_product, exact_sum, round_amount
from sfprice.period import Month

D = Decimal
prices = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False)
volume_units = st.sampled_from([Unit.TRANSACTION, Unit.PERSON_MONTH, Unit.HOUR])


@st.composite
def items(draw: st.DrawFn, kind: PriceKind, code: str) -> PriceItem:
    """An item of ``kind`` with random fields (the kinds' own ranges)."""
    if kind is PriceKind.UNIT:
        if draw(st.booleans()):
            parts = draw(st.lists(prices, min_size=2, max_size=3))
            components = tuple(PriceComponent(f"del {i}", p) for i, p in enumerate(parts))
            total = exact_sum(parts)
            return PriceItem(code, code, draw(volume_units), total, components)
        years = draw(st.lists(prices, min_size=0, max_size=3))
        first = years[0] if years else draw(prices)
        return PriceItem(code, code, draw(volume_units), first, by_customer_year=years)
    if kind is PriceKind.TIERED:
        bounds = sorted(set(draw(st.lists(st.integers(1, 5000), min_size=0, max_size=3))))
        tiers = [Tier(D(b), draw(prices)) for b in bounds] + [Tier(None, draw(prices))]
        mode = draw(st.sampled_from(list(TierMode)))
        return PriceItem(
            code, code, draw(volume_units), D(0), kind=kind, tiers=tiers, tier_mode=mode
        )
    if kind is PriceKind.PACKAGE:
        return PriceItem(
            code,
            code,
            draw(volume_units),
            draw(prices),
            kind=kind,
            block=D(draw(st.integers(1, 500))),
        )
    if kind is PriceKind.FIXED_MONTHLY:
        if draw(st.booleans()):
            years = draw(st.lists(prices, min_size=1, max_size=3))
            return PriceItem(
                code, code, Unit.DEPARTMENT_MONTH, D(0), kind=kind, by_customer_year=years
            )
        fees = draw(st.dictionaries(st.just("A"), prices, max_size=1))
        default = draw(st.none() | prices) if fees else draw(prices)
        return PriceItem(
            code, code, Unit.DEPARTMENT_MONTH, D(0), kind=kind, fees=fees, default_fee=default
        )
    if kind is PriceKind.PER_EMPLOYEE:
        return PriceItem(code, code, Unit.EMPLOYEE_MONTH, draw(prices), kind=kind)
    if kind is PriceKind.PERCENTAGE:
        rate = draw(st.decimals(min_value=0, max_value=1, places=3, allow_nan=False))
        return PriceItem(code, code, Unit.PERCENT, D(0), kind=kind, rate=rate, applies_to=["*"])
    assert kind is PriceKind.MINIMUM
    return PriceItem(code, code, Unit.DEPARTMENT_MONTH, draw(prices), kind=kind, applies_to=["k.*"])


def price_list(items: tuple[PriceItem, ...], rounding: str = "half_up") -> PriceList:
    return PriceList(
        "k", "Kinds", date(2026, 1, 1), date(2026, 12, 31), "SEK", "test", items, rounding
    )


@st.composite
def lists(draw: st.DrawFn) -> PriceList:
    """A list with one item of each kind (codes k.unit, k.tiered ...)."""
    chosen = tuple(draw(items(kind, f"k.{kind}")) for kind in KINDS)
    return price_list(chosen, draw(st.sampled_from(["half_up", "half_even", "down", "up"])))


def test_the_strategy_covers_every_registered_kind() -> None:
    assert set(KINDS) == set(PriceKind)  # a new kind needs a branch in items() above


@settings(max_examples=60, deadline=None)
@given(pl=lists())
def test_every_kind_round_trips_through_a_file(pl: PriceList, tmp_path_factory: Path) -> None:
    path = tmp_path_factory.mktemp("kinds") / "k.toml"  # type: ignore[attr-defined]
    path.write_text(dump_pricelist(pl), encoding="utf-8")
    assert load_pricelist(path).items == pl.items


@settings(max_examples=60, deadline=None)
@given(
    pl=lists(),
    quantities=st.lists(st.integers(0, 20_000), min_size=3, max_size=3),
    employees=st.integers(0, 3000),
    first_year=st.integers(2020, 2026),
)
def test_every_line_keeps_quantity_times_price_equal_to_amount(
    pl: PriceList, quantities: list[int], employees: int, first_year: int
) -> None:
    by_volume = [i for i in pl.items if KINDS[i.kind].stage is Stage.VOLUME]
    entries = [
        VolumeEntry(VolumeKey(Month(2026, 3), "A", item.code), D(q), (VolumeSource("v.csv", 1),))
        for item, q in zip(by_volume, quantities, strict=False)
    ]
    customers = [Customer("A", employees, first_year, "c.csv:2")]
    run = bill(PriceCatalog((pl,)), entries, customers=customers)
    (invoice,) = run.invoices  # every volume kind has a line; fees add to the same invoice
    kinds = {line.service: pl.item(line.service).kind for line in invoice.lines}  # type: ignore[union-attr]
    assert {i.code for i in by_volume} <= set(kinds)
    for line in invoice.lines:
        if line.unit is not Unit.PERCENT:
            rounded = round_amount(exact_product(line.quantity, line.unit_price), pl.rounding)
            assert rounded == line.amount, line
        if line.components:
            assert exact_sum(c.amount for c in line.components) == line.amount


@pytest.mark.parametrize("kind", list(PriceKind))
def test_each_kind_names_its_fields_and_stage(kind: PriceKind) -> None:
    cls = KINDS[kind]
    assert cls.kind is kind
    assert cls.fields
    assert (cls.implied_unit is None) == ("unit" in cls.fields)  # the item names it, or not
    assert kind.by_volume == (cls.stage is Stage.VOLUME)
