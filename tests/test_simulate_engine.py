"""The list as it stands in simulation and Monte Carlo: the billing engine, every kind.

:class:`~sfprice.engine.listmodel.PriceListModel` charges what ``bill`` charges; its
marginal price is measured by the engine for tiers, minimums and percentages; Monte
Carlo's integer fast path gives, scenario for scenario, what the engine gives.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from unittest.mock import patch

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_price_kinds import (
    FEB,
    JAN,
    catalog,
    entry,
    fixed,
    minimum,
    per_employee,
    percentage,
    tiered,
    unit,
)

from sfprice.engine.billing import bill
from sfprice.engine.listmodel import PriceListModel
from sfprice.engine.montecarlo import monte_carlo
from sfprice.engine.simulate import compare
from sfprice.model import Customer, PriceItem, VolumeSet
from sfprice.period import Month

D = Decimal
MANUAL, SELF = "payroll.manual", "payroll.self_service"


def model(*items: PriceItem, rounding: str = "half_up") -> PriceListModel:
    return PriceListModel("list", catalog(*items, rounding=rounding), year=2026)


def test_charges_are_the_bill() -> None:
    # 10 x 120 = 1 200 (volume tier, band up to 200) and 1 200 x 10 % = 120 surcharge.
    items = (
        tiered(MANUAL, "volume", ("200", "120"), (None, "100")),
        percentage("p", "0.10", MANUAL),
    )
    volumes = VolumeSet.from_entries([entry("A", MANUAL, 10), entry("A", MANUAL, 300, FEB)])
    charges = model(*items).charges(volumes)
    # February: 300 x 100 = 30 000 + 3 000.
    assert charges == {("A", JAN): D("1320.00"), ("A", FEB): D("33000.00")}
    run = bill(catalog(*items), volumes, year=2026)
    assert sum(charges.values()) == run.total


@pytest.mark.parametrize(
    ("items", "quantity", "expected"),
    [
        # plain unit list: the unit price
        ((unit(MANUAL, "70"),), 10, "70"),
        # graduated: 1 000 units fill band 1 (60 kr); the next is in band 2 at 55 kr
        ((tiered(MANUAL, "graduated", ("1000", "60"), (None, "55")),), 1000, "55.00"),
        # volume: 150 units are priced at 120 kr; 151 too
        ((tiered(MANUAL, "volume", ("200", "120"), (None, "100")),), 150, "120.00"),
        # minimum 1 000 kr: 5 x 10 = 50 kr is raised to 1 000; a sixth unit changes nothing
        ((unit(MANUAL, "10"), minimum("min", "1000", MANUAL)), 5, "0.00"),
        # 10 % surcharge on 100 kr a unit: 110 kr
        ((unit(MANUAL, "100"), percentage("p", "0.10", MANUAL)), 5, "110.00"),
        # a list without the service: nothing to pay for it
        ((tiered(SELF, "volume", ("200", "12"), (None, "10")),), 0, "0"),
        # a fee is not billed by volume: one more "unit" of it adds nothing
        ((fixed(MANUAL, default="4000"), unit(SELF, "20"), minimum("m", "1", SELF)), 0, "0"),
    ],
)
def test_marginal_price_at_the_volume(
    items: tuple[PriceItem, ...], quantity: int, expected: str
) -> None:
    # The price of one more manual payslip for A, with ``quantity`` of them; 0 means A
    # has 3 self-service payslips and no manual ones.
    service = MANUAL if quantity else SELF
    volumes = VolumeSet.from_entries([entry("A", service, quantity or 3)])
    assert model(*items).marginal_at(volumes, "A", MANUAL) == D(expected)
    # compare reports the measured price per department
    row = compare(volumes, [model(*items)], cost_to_recover=D(0)).result("A", "list")
    assert row.marginal_manual == D(expected)


def test_marginal_price_without_volumes_is_refused_for_a_tier() -> None:
    with pytest.raises(ValueError, match="depends on the volumes"):
        model(tiered(MANUAL, "volume", ("200", "120"), (None, "100"))).marginal_price(MANUAL)
    assert model(unit(MANUAL, "70")).marginal_price(MANUAL) == D(70)
    assert model(unit(MANUAL, "70")).marginal_price(SELF) == D(0)


# ------------------------------------------------------------- Monte Carlo fast path

prices = st.integers(min_value=0, max_value=50_000).map(lambda n: D(n) / 100)
rows = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C"]),
        st.sampled_from([MANUAL, SELF]),
        st.integers(min_value=0, max_value=5_000),
        st.sampled_from([JAN, FEB, Month(2026, 3)]),
    ),
    min_size=1,
    max_size=12,
)


def _volumes(drawn: list[tuple[str, str, int, Month]]) -> VolumeSet:
    return VolumeSet.from_entries(entry(d, s, q, m) for d, s, q, m in drawn)


def _summary(result: object) -> tuple[object, ...]:
    m = result.model("list")  # type: ignore[attr-defined]
    return (m.deterministic, m.mean, m.minimum, m.maximum, m.percentiles)


@given(
    prices,
    prices,
    rows,
    st.integers(min_value=0, max_value=2**32),
    st.sampled_from(["half_up", "half_even"]),
)
def test_fast_path_equals_the_engine(
    manual: Decimal,
    self_service: Decimal,
    drawn: list[tuple[str, str, int, Month]],
    seed: int,
    rounding: str,
) -> None:
    pytest.importorskip("numpy")
    volumes = _volumes(drawn)
    fast = model(unit(MANUAL, str(manual)), unit(SELF, str(self_service)), rounding=rounding)
    assert fast.unit_prices(volumes.months) is not None  # the integer path prices it
    # A zero fixed charge keeps the charges and forces the engine in every scenario.
    engine = dataclasses.replace(fast, fixed={("A", JAN): D(0)})
    assert engine.unit_prices(volumes.months) is None

    def recovery(listed: PriceListModel) -> tuple[object, ...]:
        result = monte_carlo(
            volumes, [listed], cost_to_recover=D(1000), scenarios=20, sigma=0.2, seed=seed
        )
        return _summary(result)

    assert recovery(fast) == recovery(engine)


kinds = st.sampled_from(["tiered", "minimum", "percentage", "fixed", "per_employee", "step_down"])
CUSTOMERS = {
    name: Customer(name, employees, first)
    for name, employees, first in (
        ("A", 310, 2021),
        ("B", 720, 2025),
        ("C", 12, 2026),
        ("D", 3, 2024),
    )
}


@given(kinds, rows, st.integers(min_value=0, max_value=2**32))
def test_other_kinds_are_priced_by_the_engine_in_every_scenario(
    kind: str, drawn: list[tuple[str, str, int, Month]], seed: int
) -> None:
    pytest.importorskip("numpy")
    volumes = _volumes(drawn)
    extra = {
        "tiered": tiered(SELF, "graduated", ("1000", "60"), (None, "55")),
        "minimum": minimum("min", "5000", MANUAL),
        "percentage": percentage("p", "0.125", MANUAL),
        "fixed": fixed("base", fees={"B": "9000"}, default="4000"),
        "per_employee": per_employee("emp", "45"),
        "step_down": unit(SELF, "0", "30", "25", "20"),
    }[kind]
    items = [unit(MANUAL, "70"), extra]
    if kind not in {"tiered", "step_down"}:
        items.append(unit(SELF, "20"))
    listed = dataclasses.replace(model(*items), customers=CUSTOMERS)
    assert listed.unit_prices(volumes.months) is None
    result = monte_carlo(volumes, [listed], cost_to_recover=D(0), scenarios=5, sigma=0.0, seed=seed)
    # sigma 0 repeats the volumes: every scenario is the bill of the volumes, never less
    billed = bill(listed.catalog, volumes, year=2026, customers=CUSTOMERS).total
    m = result.model("list")
    assert m.deterministic == m.minimum == m.maximum == m.mean == billed


fee_items = st.lists(
    st.sampled_from(["fixed", "per_employee", "step_down"]), min_size=1, max_size=3, unique=True
)
small_rows = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C"]),
        st.sampled_from([MANUAL, SELF]),
        st.integers(min_value=0, max_value=6),  # small counts: many scenarios round to 0
        st.sampled_from([JAN, FEB, Month(2026, 3)]),
    ),
    min_size=1,
    max_size=12,
)


@given(fee_items, prices, st.one_of(rows, small_rows), st.integers(min_value=0, max_value=2**32))
def test_fees_and_prices_by_customer_year_take_the_fast_path_and_equal_the_engine(
    kinds: list[str], manual: Decimal, drawn: list[tuple[str, str, int, Month]], seed: int
) -> None:
    pytest.importorskip("numpy")
    volumes = _volumes(drawn)
    extras = {
        "fixed": fixed("base", fees={"B": "9000", "D": "150.50"}, default="4000"),
        "per_employee": per_employee("emp", "45.25"),
        "step_down": unit(SELF, "0", "30.10", "25", "20"),
    }
    items = [unit(MANUAL, str(manual)), *(extras[k] for k in kinds)]
    if "step_down" not in kinds:
        items.append(unit(SELF, "20"))
    listed = dataclasses.replace(model(*items), customers=CUSTOMERS)
    assert listed.unit_prices(volumes.months) is None  # not the plain per-unit path
    assert listed.linear_form(volumes) is not None  # the linear fast path

    def recovery() -> tuple[object, ...]:
        result = monte_carlo(
            volumes, [listed], cost_to_recover=D(1000), scenarios=20, sigma=0.8, seed=seed
        )
        return _summary(result)

    fast = recovery()
    with patch.object(PriceListModel, "linear_form", return_value=None):
        assert recovery() == fast  # the engine in every scenario


def test_a_true_up_against_a_tiered_list_is_priced_by_the_engine() -> None:
    pytest.importorskip("numpy")
    from sfprice.engine.simulate import FixedFeeModel, TrueUp

    listed = model(tiered(MANUAL, "volume", ("200", "120"), (None, "100")))
    volumes = VolumeSet.from_entries(
        [entry("A", MANUAL, 150), entry("B", MANUAL, 250), entry("A", MANUAL, 90, FEB)]
    )
    # A: 150 x 120 + 90 x 120 = 28 800 against a fee of 20 000: settled (band 5 % = 1 000).
    # B: 250 x 100 = 25 000 against 25 000: within the band, nothing settled.
    trued = FixedFeeModel("trued", {"A": D(20000), "B": D(25000)}, TrueUp(listed, D("0.05")))
    charged = sum(trued.charges(volumes).values())
    assert charged == D("53800.00")  # 20 000 + 8 800 + 25 000
    result = monte_carlo(volumes, [trued], cost_to_recover=D(0), scenarios=3, sigma=0.0)
    m = result.model("trued")
    assert m.deterministic == m.minimum == m.maximum == charged


def test_the_marginal_price_of_a_department_without_volumes_leaves_out_its_fees() -> None:
    # A tester found Miljöförvaltningen (in the customer register, no volumes in
    # examples/volumes-2026.csv) with a marginal manual payslip of 15 770 kr under
    # 2026-employees: 70 kr plus its month's fees (4 000 base fee + 260 employees x 45 kr),
    # which it pays with or without the payslip. One more payslip costs 70 kr (manual) or
    # 20 kr (self-service) after the list's fees, as for every other department.
    from pathlib import Path

    import sfprice

    examples = Path(__file__).resolve().parents[1] / "examples"
    catalog = sfprice.load_catalog(examples / "pricelists-2026-models" / "2026-employees.toml")
    customers = sfprice.read_customers(examples / "customers-2026.csv")
    volumes = sfprice.read_volumes(examples / "volumes-2026.csv")
    model = PriceListModel("2026-employees", catalog, year=2026, customers=customers)
    assert not [e for e in volumes if e.key.department == "Miljöförvaltningen"]
    manual = model.marginal_at(volumes, "Miljöförvaltningen", "payroll.manual")
    self_service = model.marginal_at(volumes, "Miljöförvaltningen", "payroll.self_service")
    assert (manual, self_service) == (Decimal(70), Decimal(20))
    assert model.marginal_at(volumes, "Kulturförvaltningen", "payroll.manual") == Decimal(70)
