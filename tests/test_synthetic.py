"""The SYNTHETIC city: exact plan totals, determinism, plausible shape, billing, file round trip."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sfprice
from sfprice.io.writers import format_quantity, write_volumes_csv
from sfprice.model import VolumeEntry, VolumeKey, VolumeSet, VolumeSource
from sfprice.period import Month
from sfprice.synthetic import SYNTHETIC_LABEL, SyntheticCity, synthetic_city

PLAN_TOTALS = {
    "payroll.self_service": Decimal(453_000),
    "payroll.manual": Decimal(147_000),
}
STREAMS = {
    "payroll.*": Decimal(600_000),
    "ap.*": Decimal(1_060_000),
    "ar.*": Decimal(1_545_000),
}


@pytest.fixture(scope="module")
def city() -> SyntheticCity:
    return synthetic_city()


def _stream_totals(city: SyntheticCity) -> dict[str, Decimal]:
    return {
        pattern: sum(city.department_totals(pattern).values(), Decimal(0)) for pattern in STREAMS
    }


def _month_total(city: SyntheticCity, prefix: str, month: int) -> Decimal:
    return sum(
        (
            e.quantity
            for e in city.volumes
            if e.key.service.startswith(prefix) and e.key.month.month == month
        ),
        Decimal(0),
    )


# ------------------------------------------------------------------------------- totals


@pytest.mark.parametrize("seed", [0, 1, 2014, 987_654_321])
@pytest.mark.parametrize("departments", [1, 7, 40, 60, 150])
def test_year_totals_are_the_plans_exactly(seed: int, departments: int) -> None:
    city = synthetic_city(seed=seed, departments=departments)
    totals = city.service_totals
    assert totals["payroll.self_service"] == 453_000
    assert totals["payroll.manual"] == 147_000
    assert _stream_totals(city) == STREAMS
    assert totals["ap.electronic"] == 848_000
    assert totals["ap.manual"] == 212_000
    assert totals["ar.feeder"] == 1_313_250
    assert totals["ar.manual"] == 154_500
    assert totals["ar.manual_attachment"] == 77_250
    assert len(city.departments) == departments
    assert city.volumes.months == tuple(Month(2014, m) for m in range(1, 13))


def test_other_totals_and_shares_are_exact_too() -> None:
    city = synthetic_city(
        payslips=1_001,
        self_service_share=Decimal("0.5"),
        supplier_invoices=7,
        customer_invoices=0,
        departments=5,
    )
    totals = city.service_totals
    assert totals["payroll.self_service"] == 501  # 500.5 rounded half up
    assert totals["payroll.manual"] == 500
    assert totals["ap.electronic"] + totals["ap.manual"] == 7
    assert not any(s.startswith("ar.") for s in totals)


@pytest.mark.parametrize(
    ("share", "present"), [("1", "payroll.self_service"), ("0", "payroll.manual")]
)
def test_an_all_or_nothing_share_leaves_out_the_other_service(share: str, present: str) -> None:
    city = synthetic_city(self_service_share=Decimal(share), services=("payroll.*",))
    assert dict(city.service_totals) == {present: Decimal(600_000)}


def test_year_sets_the_months() -> None:
    city = synthetic_city(year=2010, departments=3)
    assert city.volumes.months == tuple(Month(2010, m) for m in range(1, 13))
    assert all(d.first_year <= 2010 for d in city.departments)


# ---------------------------------------------------------------------------- departments


def test_default_city_has_sixty_uniquely_named_synthetic_departments(city: SyntheticCity) -> None:
    names = [d.name for d in city.departments]
    assert len(names) == 60
    assert len(set(names)) == 60
    assert all(name.endswith(SYNTHETIC_LABEL) for name in names)
    assert names[0] == "Utbildningsförvaltningen (syntetisk)"
    assert "Förvaltning 41 (syntetisk)" in names
    assert "Rinkeby-Kista stadsdelsförvaltning (syntetisk)" in names
    assert set(city.volumes.departments) == set(names)
    assert {d.kind for d in city.departments} == {
        "stadsdelsförvaltning",
        "fackförvaltning",
        "bolag",
    }
    assert sum(d.kind == "stadsdelsförvaltning" for d in city.departments) == 14


def test_description_says_synthetic_and_names_the_seed_figures(city: SyntheticCity) -> None:
    text = city.description
    assert "SYNTHETIC" in text
    for figure in ("600 000", "453 000", "147 000", "1 060 000", "1 545 000"):
        assert figure in text
    assert "003_dbc171dac11004c9.txt:133-137" in text
    assert "001_107bc9a4fc2b7a7d.txt:90" in text
    assert "2010 price list" in text


def test_sizes_are_skewed_and_some_departments_joined_recently(city: SyntheticCity) -> None:
    payslips = city.department_totals("payroll.*")
    ordered = sorted(payslips.values())
    assert max(payslips, key=lambda name: payslips[name]).startswith("Utbildningsförvaltningen")
    assert ordered[-1] > 100 * ordered[0]
    assert ordered[-1] > 5 * ordered[len(ordered) // 2]  # a few big, many small
    assert all(d.employees >= 1 for d in city.departments)
    first_years = {d.first_year for d in city.departments}
    assert min(first_years) < 2014
    assert any(d.first_year >= 2013 for d in city.departments)
    assert all(d.first_year <= 2014 for d in city.departments)


def test_smaller_departments_report_more_manually(city: SyntheticCity) -> None:
    total = city.department_totals("payroll.*")
    manual = city.department_totals("payroll.manual")
    by_size = sorted(city.departments, key=lambda d: d.employees)

    def mean_manual(group: list[str]) -> Decimal:
        return sum((manual[n] / total[n] for n in group), Decimal(0)) / len(group)

    smallest = [d.name for d in by_size[:10]]
    biggest = [d.name for d in by_size[-10:]]
    assert mean_manual(smallest) > mean_manual(biggest) + Decimal("0.1")


# ------------------------------------------------------------------------- determinism


def test_same_seed_gives_the_same_city() -> None:
    first, second = synthetic_city(seed=7), synthetic_city(seed=7)
    assert first.volumes == second.volumes
    assert first.departments == second.departments
    assert first.description == second.description


def test_different_seeds_give_different_cities() -> None:
    first, second = synthetic_city(seed=7), synthetic_city(seed=8)
    assert first.volumes != second.volumes
    assert [d.employees for d in first.departments] != [d.employees for d in second.departments]


def test_global_random_is_left_alone() -> None:
    import random

    random.seed(5)
    expected = random.random()
    random.seed(5)
    synthetic_city(departments=3)
    assert random.random() == expected


def test_every_quantity_is_a_positive_whole_number_sourced_to_the_seed(
    city: SyntheticCity,
) -> None:
    for entry in city.volumes:
        assert entry.quantity > 0
        assert entry.quantity == entry.quantity.to_integral_value()
        assert entry.sources == (VolumeSource("<synthetic seed=2014>", 1),)


# ------------------------------------------------------------------------------ months


def test_monthly_pattern(city: SyntheticCity) -> None:
    payroll = {m: _month_total(city, "payroll.", m) for m in range(1, 13)}
    assert payroll[7] > payroll[12]
    assert min(payroll[6], payroll[7], payroll[8]) > max(payroll[m] for m in (1, 2, 3, 4, 9, 10))
    assert payroll[12] == min(payroll.values())
    for prefix in ("ap.", "ar."):
        ledger = {m: _month_total(city, prefix, m) for m in range(1, 13)}
        assert ledger[7] == min(ledger.values())
        assert ledger[12] == max(ledger.values())
        assert ledger[1] > ledger[7]


# ----------------------------------------------------------------------------- billing


def test_payroll_only_city_bills_under_the_2014_list(catalog: sfprice.PriceCatalog) -> None:
    city = synthetic_city().payroll_only()
    assert city.services == ("payroll.manual", "payroll.self_service")
    run = sfprice.bill(catalog, city.volumes, year=2014)
    assert run.total == Decimal("41991000.00")
    assert run.total == 453_000 * 57 + 147_000 * 110


def test_services_filter_keeps_the_same_volumes() -> None:
    filtered = synthetic_city(services=("payroll.*",))
    assert filtered.volumes == synthetic_city().payroll_only().volumes
    assert synthetic_city(services=("ap.manual",)).services == ("ap.manual",)


def test_full_city_needs_the_2010_list(catalog: sfprice.PriceCatalog) -> None:
    with pytest.raises(sfprice.PriceNotFound):
        sfprice.bill(catalog, synthetic_city(departments=5).volumes, year=2014)
    city = synthetic_city(year=2010)
    run = sfprice.bill(catalog, city.volumes, year=2010)
    price_list = catalog.get("2010")
    assert price_list is not None
    expected = Decimal(0)
    for service, quantity in city.service_totals.items():
        item = price_list.item(service)
        assert item is not None
        expected += quantity * item.price
    assert run.total == expected


# ------------------------------------------------------------------------------ writer


def test_write_volumes_csv_round_trips(
    tmp_path: Path, city: SyntheticCity, catalog: sfprice.PriceCatalog
) -> None:
    path = write_volumes_csv(city.volumes, tmp_path / "city.csv")
    assert path == tmp_path / "city.csv"
    assert path.read_text(encoding="utf-8").splitlines()[0] == "month,department,service,quantity"
    back = sfprice.read_volumes(path, catalog=catalog, year=2014)
    assert [(e.key, e.quantity) for e in back] == [(e.key, e.quantity) for e in city.volumes]
    assert all(e.sources == (VolumeSource(str(path), 1),) for e in back)
    assert [p.name for p in tmp_path.iterdir()] == ["city.csv"]  # no temporary file left


def test_write_volumes_csv_replaces_a_file_and_writes_plain_decimals(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_text("old", encoding="utf-8")
    key = VolumeKey(Month(2014, 1), "A (syntetisk)", "payroll.hourly.training")
    volumes = VolumeSet.from_entries([VolumeEntry(key, Decimal("2.50"), ())])
    write_volumes_csv(volumes, path)
    assert path.read_text(encoding="utf-8") == (
        "month,department,service,quantity\n2014-01,A (syntetisk),payroll.hourly.training,2.5\n"
    )
    back = sfprice.read_volumes(path)
    assert [(e.key, e.quantity) for e in back] == [(key, Decimal("2.5"))]


def test_write_volumes_csv_refuses_a_negative_quantity_and_writes_nothing(tmp_path: Path) -> None:
    key = VolumeKey(Month(2014, 1), "A", "payroll.manual")
    with pytest.raises(ValueError, match="cannot be written"):
        write_volumes_csv([VolumeEntry(key, Decimal(-1), ())], tmp_path / "v.csv")
    assert list(tmp_path.iterdir()) == []


def test_format_quantity() -> None:
    assert format_quantity(Decimal("1E+3")) == "1000"
    assert format_quantity(Decimal("0.000")) == "0"
    assert format_quantity(Decimal("12.250")) == "12.25"


# -------------------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"departments": 0}, ValueError),
        ({"payslips": -1}, ValueError),
        ({"supplier_invoices": -1}, ValueError),
        ({"self_service_share": Decimal("1.1")}, ValueError),
        ({"self_service_share": 0.755}, TypeError),
        ({"year": 0}, ValueError),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        synthetic_city(**kwargs)  # type: ignore[arg-type]


# -------------------------------------------------------------------------- properties


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**64), departments=st.integers(1, 90))
def test_totals_are_exact_and_every_department_has_a_share(seed: int, departments: int) -> None:
    city = synthetic_city(seed=seed, departments=departments)
    assert city.service_totals["payroll.self_service"] == PLAN_TOTALS["payroll.self_service"]
    assert city.service_totals["payroll.manual"] == PLAN_TOTALS["payroll.manual"]
    assert _stream_totals(city) == STREAMS
    for pattern in STREAMS:
        shares = city.department_totals(pattern)
        assert len(shares) == departments
        assert all(quantity > 0 for quantity in shares.values())
