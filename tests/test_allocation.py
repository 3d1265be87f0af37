"""Allocation keys: pools shared by a driver, spread over months, added to a billing run.

Properties (hypothesis): the parts always sum exactly to the pool, a department's part never
decreases when its driver grows and the others stay, the order of the departments changes
nothing, the months sum to the year's part with the remainder in the last month, and adding
the pools to a run adds exactly their amounts without touching the run given. Then the
hand-computed examples (``shared/domain.md`` G.4 Ex 9 and ``examples/allocations-2010.toml``),
the loader's errors, and the command line.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import VolumeRow, department_names, volume_rows

import sfprice
from sfprice import InputError, Month, PriceCatalog, Unit, VolumeEntry, VolumeKey, VolumeSource
from sfprice.cli import main
from sfprice.collation import swedish_key
from sfprice.engine.allocation import (
    AllocationPool,
    Driver,
    PoolAllocation,
    allocate_pool,
    drivers_from_volumes,
    monthly_charges,
    with_allocations,
    year_months,
)
from sfprice.engine.billing import BillingRun
from sfprice.io.allocations import load_allocations, read_snapshot
from sfprice.reports.formats import CSV_COLUMNS

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
CONFIG_2010 = EXAMPLES / "allocations-2010.toml"
VOLUMES_2010 = EXAMPLES / "volumes-2010.csv"
NBSP = "\u00a0"
ORE = Decimal("0.01")
WriteFile = Callable[..., Path]

STADSBYGGNAD = "Stadsbyggnadsförvaltningen"
EXPLOATERING = "Exploateringsförvaltningen"
KULTUR = "Kulturförvaltningen"
SKARPNACK = "Skarpnäcks stadsdelsförvaltning"
MILJO = "Miljöförvaltningen"


def _pool(amount: Decimal | str, code: str = "economy.cash_bank") -> AllocationPool:
    return AllocationPool(code, "Kassa och bank", Decimal(amount), "economy", "test")


# ------------------------------------------------------------------------ strategies

_ore_amounts = st.integers(min_value=0, max_value=10**11).map(lambda n: Decimal(n).scaleb(-2))
_quantities = st.one_of(
    st.integers(min_value=0, max_value=2_000_000).map(Decimal),
    st.integers(min_value=0, max_value=10**7).map(lambda n: Decimal(n).scaleb(-3)),
)
_weights = st.dictionaries(department_names(), _quantities, min_size=1, max_size=8)


@st.composite
def pools_and_drivers(draw: st.DrawFn) -> tuple[AllocationPool, Driver]:
    weights = draw(_weights)
    amount = draw(_ore_amounts)
    if sum(weights.values()) == 0:
        amount = Decimal("0.00")
    return _pool(amount), Driver("key", weights)


_month_sets = st.lists(
    st.integers(min_value=1, max_value=12), min_size=1, max_size=12, unique=True
).map(lambda ms: [Month(2010, m) for m in ms])


# ------------------------------------------------------------------------ properties


@given(pools_and_drivers())
def test_parts_sum_exactly_to_the_pool(case: tuple[AllocationPool, Driver]) -> None:
    pool, driver = case
    allocation = allocate_pool(pool, driver)
    assert allocation.total == pool.amount
    assert sum(p.amount for p in allocation.parts) == pool.amount
    assert [p.department for p in allocation.parts] == list(driver.quantities)
    total = driver.total
    for part in allocation.parts:
        assert part.amount >= 0
        assert part.amount == part.amount.quantize(ORE)
        if total:
            # No part is a whole öre or more from its exact share.
            exact = Fraction(pool.amount) * Fraction(part.quantity) / Fraction(total)
            assert abs(Fraction(part.amount) - exact) < Fraction(1, 100)
            assert part.share == Fraction(part.quantity) / Fraction(total)
    assert sum(p.share for p in allocation.parts) in {0, 1}


@given(pools_and_drivers(), st.data())
def test_a_part_never_decreases_when_its_driver_grows(
    case: tuple[AllocationPool, Driver], data: st.DataObject
) -> None:
    pool, driver = case
    department = data.draw(st.sampled_from(sorted(driver.quantities)))
    growth = data.draw(_quantities.filter(lambda q: q > 0))
    grown = dict(driver.quantities)
    grown[department] += growth
    before = allocate_pool(pool, driver).part(department)
    after = allocate_pool(pool, Driver("key", grown)).part(department)
    assert before is not None
    assert after is not None
    assert after.amount >= before.amount


@given(pools_and_drivers(), st.data())
def test_the_order_of_the_departments_changes_nothing(
    case: tuple[AllocationPool, Driver], data: st.DataObject
) -> None:
    pool, driver = case
    items = data.draw(st.permutations(list(driver.quantities.items())))
    shuffled = Driver("key", dict(items))
    assert list(shuffled.quantities) == list(driver.quantities)
    assert allocate_pool(pool, shuffled) == allocate_pool(pool, driver)


@given(pools_and_drivers(), _month_sets)
def test_months_sum_to_the_part_with_the_remainder_in_the_last(
    case: tuple[AllocationPool, Driver], months: list[Month]
) -> None:
    pool, driver = case
    allocation = allocate_pool(pool, driver)
    charges = monthly_charges(allocation, months)
    assert sum(c.amount for c in charges) == pool.amount
    ordered = sorted(months)
    for part in allocation.parts:
        mine = [c for c in charges if c.department == part.department]
        if part.amount == 0:
            assert mine == []
            continue
        assert [c.month for c in mine] == ordered
        amounts = [c.amount for c in mine]
        assert sum(amounts) == part.amount
        even = (part.amount / len(ordered)).quantize(ORE, rounding="ROUND_DOWN")
        assert amounts[:-1] == [even] * (len(ordered) - 1)
        # The last month takes the remainder: 0 to (months - 1) öre more than the others.
        assert 0 <= amounts[-1] - even < len(ordered) * ORE


def _run_of(rows: list[VolumeRow], catalog: PriceCatalog) -> BillingRun:
    entries = [
        VolumeEntry(
            VolumeKey(r.month, r.department, r.service), r.quantity, (VolumeSource("v", 1),)
        )
        for r in rows
    ]
    return sfprice.bill(catalog, entries, year=2010)


@given(
    volume_rows(2010, min_size=0, max_size=12),
    st.lists(pools_and_drivers(), min_size=1, max_size=2),
    st.booleans(),
)
def test_with_allocations_adds_the_pools_and_leaves_the_run_alone(
    catalog: PriceCatalog,
    rows: list[VolumeRow],
    cases: list[tuple[AllocationPool, Driver]],
    from_run: bool,
) -> None:
    run = _run_of(rows, catalog)
    if from_run and run.invoices:
        # Key the first pool on the run's own departments, so existing invoices get lines.
        departments = {i.department: Decimal(n + 1) for n, i in enumerate(run.invoices)}
        cases[0] = (cases[0][0], Driver("key", departments))
    allocations: list[PoolAllocation] = [
        allocate_pool(_pool(pool.amount, f"economy.pool{n}"), driver)
        for n, (pool, driver) in enumerate(cases)
    ]
    before = _run_of(rows, catalog)
    result = with_allocations(run, allocations, catalog=catalog)

    assert run == before  # the run given is unchanged
    assert result.total == run.total + sum(a.pool.amount for a in allocations)
    assert result.excluded_rows == run.excluded_rows
    keys = [(i.department, i.month) for i in result.invoices]
    assert len(keys) == len(set(keys))
    order = [(swedish_key(d), m) for d, m in keys]
    assert order == sorted(order)
    for invoice in result.invoices:
        old = run.invoice(invoice.department, invoice.month)
        old_lines = old.lines if old is not None else ()
        assert invoice.lines[: len(old_lines)] == old_lines  # price-list lines first
        added = invoice.lines[len(old_lines) :]
        assert [line.service for line in added] == [
            a.pool.code
            for a in allocations
            if (p := a.part(invoice.department)) is not None and p.amount != 0
        ]
        for line in added:
            assert line.unit is Unit.SHARE
            assert line.quantity == 1
            assert line.unit_price == line.amount
            assert line.allocation is not None
        assert invoice.price_list == (old.price_list if old is not None else "2010")
    for allocation in allocations:
        for part in allocation.parts:
            billed = [
                line.amount
                for invoice, line in result.lines
                if line.service == allocation.pool.code and invoice.department == part.department
            ]
            assert sum(billed, Decimal(0)) == part.amount
            assert len(billed) == (12 if part.amount else 0)


# --------------------------------------------------------------- hand-computed examples


def test_domain_example_9() -> None:
    # shared/domain.md G.4 Ex 9: pool 1 000 000 kr; k has 30 000 of 1 200 000 invoices:
    # 2,5 % = 25 000 kr a year = 2 083,33 kr a month, the remainder in the last month:
    # 11 x 2 083,33 = 22 916,63 and 25 000 - 22 916,63 = 2 083,37 in December.
    driver = Driver(
        "kundfakturor 2009-01..2009-09", {"k": Decimal(30_000), "rest": Decimal(1_170_000)}
    )
    allocation = allocate_pool(_pool("1000000"), driver)
    part = allocation.part("k")
    assert part is not None
    assert part.share == Fraction(1, 40)
    assert part.amount == Decimal("25000.00")
    assert allocation.part("rest").amount == Decimal("975000.00")  # type: ignore[union-attr]
    charges = [c for c in monthly_charges(allocation, year_months(2010)) if c.department == "k"]
    assert [c.amount for c in charges] == [Decimal("2083.33")] * 11 + [Decimal("2083.37")]


def test_largest_remainder_recovers_the_pool_where_rounding_each_part_would_not() -> None:
    # examples/allocations-2010.toml, Agresso users July 2009, 500 000 kr (HYPOTHETICAL):
    # rounded down the parts sum to 499 999,97; the 3 öre go to the largest remainders
    # (Miljö ,77, Exploatering ,71, Kultur ,63). Skarpnäck (,58) keeps ,87: half-up on each
    # part would give ,88 and a total of 500 000,01.
    users = {STADSBYGGNAD: 112, EXPLOATERING: 47, KULTUR: 61, SKARPNACK: 233, MILJO: 38}
    driver = Driver("Agresso-användare 2009-07", {k: Decimal(v) for k, v in users.items()})
    allocation = allocate_pool(_pool("500000"), driver)
    assert {p.department: p.amount for p in allocation.parts} == {
        EXPLOATERING: Decimal("47861.51"),
        KULTUR: Decimal("62118.13"),
        MILJO: Decimal("38696.54"),
        SKARPNACK: Decimal("237270.87"),
        STADSBYGGNAD: Decimal("114052.95"),
    }
    assert [p.department for p in allocation.parts] == [
        EXPLOATERING,
        KULTUR,
        MILJO,
        SKARPNACK,
        STADSBYGGNAD,
    ]


def test_ties_go_to_the_department_that_sorts_first() -> None:
    driver = Driver("key", {"C": Decimal(1), "A": Decimal(1), "B": Decimal(1)})
    amounts = [p.amount for p in allocate_pool(_pool("100"), driver).parts]
    assert amounts == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]


def test_a_pool_cannot_be_shared_by_a_key_that_counts_nothing() -> None:
    driver = Driver("key", {"A": Decimal(0), "B": Decimal(0)})
    with pytest.raises(ValueError, match="is 0 for every department"):
        allocate_pool(_pool("10"), driver)
    allocation = allocate_pool(_pool("0"), driver)
    assert [p.amount for p in allocation.parts] == [Decimal("0.00")] * 2
    assert monthly_charges(allocation, year_months(2010)) == ()


def test_records_check_their_values() -> None:
    with pytest.raises(ValueError, match="whole number of öre"):
        _pool("10.005")
    with pytest.raises(ValueError, match=">= 0"):
        _pool("-1")
    with pytest.raises(TypeError):
        AllocationPool("x", "x", 10)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=">= 0"):
        Driver("key", {"A": Decimal(-1)})
    with pytest.raises(ValueError, match="empty"):
        Driver("key", {" ": Decimal(1)})
    with pytest.raises(ValueError, match="no months"):
        monthly_charges(allocate_pool(_pool("1"), Driver("k", {"A": Decimal(1)})), [])


def test_drivers_from_volumes_sum_the_window() -> None:
    def entry(month: str, department: str, service: str, quantity: int) -> VolumeEntry:
        return VolumeEntry(
            VolumeKey(Month.parse(month), department, service),
            Decimal(quantity),
            (VolumeSource("ledger.csv", 1),),
        )

    volumes = sfprice.VolumeSet.from_entries(
        [
            entry("2008-12", "A", "ar.feeder", 1000),  # before the window
            entry("2009-01", "A", "ar.feeder", 10),
            entry("2009-05", "A", "ar.manual", 5),
            entry("2009-09", "B", "ar.manual_attachment", 7),
            entry("2009-09", "B", "ar.reminder", 99),  # a reminder is not an invoice
            entry("2009-09", "C", "ap.electronic", 50),  # supplier ledger
            entry("2009-10", "B", "ar.feeder", 1000),  # after the window
        ]
    )
    invoices = ["ar.feeder", "ar.manual", "ar.manual_attachment"]
    driver = drivers_from_volumes(volumes, invoices, Month(2009, 1), Month(2009, 9))
    assert dict(driver.quantities) == {"A": Decimal(15), "B": Decimal(7)}
    assert driver.total == 22
    assert driver.description == "ar.feeder, ar.manual, ar.manual_attachment 2009-01..2009-09"
    assert driver.source == "ledger.csv"
    everything = drivers_from_volumes(
        volumes, ["ar.*"], Month(2009, 1), Month(2009, 9), description="ar"
    )
    assert dict(everything.quantities) == {"A": Decimal(15), "B": Decimal(106)}
    with pytest.raises(ValueError, match="ends before it starts"):
        drivers_from_volumes(volumes, ["ar.*"], Month(2009, 9), Month(2009, 1))


def test_with_allocations_names_the_list_of_a_new_invoice(catalog: PriceCatalog) -> None:
    volumes = [
        VolumeEntry(VolumeKey(Month(2010, 3), "A", "ar.feeder"), Decimal(2), ()),
    ]
    run = sfprice.bill(catalog, volumes, year=2010)
    allocation = allocate_pool(_pool("12"), Driver("key", {"A": Decimal(1), "B": Decimal(1)}))
    months = [Month(2010, 3), Month(2010, 4)]
    with_catalog = with_allocations(run, [allocation], months=months, catalog=catalog)
    assert [(i.department, str(i.month), i.price_list) for i in with_catalog.invoices] == [
        ("A", "2010-03", "2010"),
        ("A", "2010-04", "2010"),
        ("B", "2010-03", "2010"),
        ("B", "2010-04", "2010"),
    ]
    without = with_allocations(run, [allocation], months=months)
    # No catalog: the list of the month's other invoices, or else the pool's code.
    assert [i.price_list for i in without.invoices] == [
        "2010",
        "economy.cash_bank",
        "2010",
        "economy.cash_bank",
    ]
    assert [line.amount for i in without.invoices for line in i.lines][-4:] == [
        Decimal("3.00"),
        Decimal("3.00"),
        Decimal("3.00"),
        Decimal("3.00"),
    ]
    line = with_catalog.invoices[0].lines[-1]
    assert line.allocation is not None
    assert line.allocation.share == Fraction(1, 2)
    assert line.allocation.annual_amount == Decimal("6.00")
    assert line.allocation.driver_total == 2


def test_with_allocations_refuses_what_it_cannot_bill(catalog: PriceCatalog) -> None:
    run = BillingRun(None, "SEK", ())
    allocation = allocate_pool(_pool("12"), Driver("key", {"A": Decimal(1)}))
    with pytest.raises(ValueError, match="the run has no year"):
        with_allocations(run, [allocation])
    with pytest.raises(ValueError, match="used more than once"):
        with_allocations(run, [allocation, allocation], months=[Month(2010, 1)])
    volumes = [VolumeEntry(VolumeKey(Month(2010, 3), "A", "ar.feeder"), Decimal(2), ())]
    billed = sfprice.bill(catalog, volumes, year=2010)
    clash = allocate_pool(_pool("12", "ar.feeder"), Driver("key", {"A": Decimal(1)}))
    with pytest.raises(ValueError, match="also service codes"):
        with_allocations(billed, [clash])


def test_the_example_config_gives_the_amounts_computed_by_hand(catalog: PriceCatalog) -> None:
    # The table in the comments of examples/allocations-2010.toml.
    loaded = load_allocations(CONFIG_2010, reserved_codes=catalog.codes)
    assert [pool.code for pool, _ in loaded] == [
        "economy.cash_bank",
        "economy.system_management",
    ]
    (cash, ledger), (system, users) = loaded
    assert cash.amount == Decimal("1000000.00")
    assert "HYPOTHETICAL" in cash.source
    assert "HYPOTHETICAL" in system.source
    assert ledger.description == "kundfakturor 2009-01..2009-09"
    assert dict(ledger.quantities) == {
        EXPLOATERING: 360_000,
        KULTUR: 120_000,
        SKARPNACK: 690_000,
        STADSBYGGNAD: 30_000,
    }
    assert users.description == "Agresso-användare 2009-07"
    assert users.total == 491
    cash_parts = {p.department: p.amount for p in allocate_pool(cash, ledger).parts}
    assert cash_parts == {
        EXPLOATERING: Decimal("300000.00"),
        KULTUR: Decimal("100000.00"),
        SKARPNACK: Decimal("575000.00"),
        STADSBYGGNAD: Decimal("25000.00"),
    }
    december = {
        (c.department, c.amount)
        for c in monthly_charges(allocate_pool(system, users), year_months(2010))
        if c.month == Month(2010, 12)
    }
    assert december == {
        (EXPLOATERING, Decimal("3988.56")),
        (KULTUR, Decimal("5176.52")),
        (MILJO, Decimal("3224.73")),
        (SKARPNACK, Decimal("19772.60")),
        (STADSBYGGNAD, Decimal("9504.44")),
    }


# ------------------------------------------------------------------------ the loader

POOL = """\
[[pools]]
code = "economy.cash_bank"
name = "Kassa och bank"
amount = 1000
"""
VOLUME_KEY = """\
[pools.key]
type = "volumes"
file = "ledger.csv"
services = ["ar.feeder"]
from = "2009-01"
to = "2009-09"
"""
SNAPSHOT_KEY = """\
[pools.key]
type = "snapshot"
file = "users.csv"
"""
LEDGER = "month,department,service,quantity\n2009-01,A,ar.feeder,3\n2009-02,B,ar.feeder,1\n"


def _errors(
    path: Path, **kwargs: object
) -> list[tuple[str, int | None, str | None, str | None, str]]:
    with pytest.raises(InputError) as info:
        load_allocations(path, **kwargs)  # type: ignore[arg-type]
    return [(Path(i.path).name, i.line, i.column, i.field, i.message) for i in info.value.issues]


def test_loader_reads_a_volume_key_relative_to_the_config(write_file: WriteFile) -> None:
    write_file("ledger.csv", LEDGER)
    config = write_file("pools.toml", POOL + VOLUME_KEY)
    ((pool, driver),) = load_allocations(config)
    assert pool.amount == Decimal("1000.00")
    assert dict(driver.quantities) == {"A": 3, "B": 1}
    assert driver.description == "ar.feeder 2009-01..2009-09"
    assert driver.source == str(config.parent / "ledger.csv")


def test_loader_reads_a_snapshot_with_swedish_headers(write_file: WriteFile) -> None:
    write_file("users.csv", "\ufeffFörvaltning;Antal;Kommentar\nA;1 200;x\n\nB;2,5;y\n")
    config = write_file("pools.toml", POOL + SNAPSHOT_KEY + 'as_of = "2009-07"\n')
    ((_, driver),) = load_allocations(config)
    assert dict(driver.quantities) == {"A": Decimal(1200), "B": Decimal("2.5")}
    assert driver.description == "users.csv 2009-07"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            POOL.replace("amount", "amont") + SNAPSHOT_KEY,
            [
                ("pools[0].amount (economy.cash_bank)", "required field is missing"),
                ("pools[0].amont (economy.cash_bank)", "unknown field"),
            ],
        ),
        (
            POOL.replace("1000", '"1 000 kr"') + SNAPSHOT_KEY,
            [("pools[0].amount (economy.cash_bank)", "expected a number")],
        ),
        (
            POOL.replace("1000", "-5") + SNAPSHOT_KEY,
            [("pools[0].amount (economy.cash_bank)", "must be >= 0, got -5")],
        ),
        (
            POOL.replace("economy.cash_bank", "Kassa") + SNAPSHOT_KEY,
            [("pools[0].code (Kassa)", "String should match pattern")],
        ),
        (
            POOL + SNAPSHOT_KEY.replace("snapshot", "table"),
            [("pools[0].key (economy.cash_bank)", "unknown key type 'table'")],
        ),
        (
            POOL + SNAPSHOT_KEY.replace('type = "snapshot"\n', ""),
            [("pools[0].key (economy.cash_bank)", 'the key needs a type: "volumes" or')],
        ),
        (
            POOL + VOLUME_KEY.replace('"2009-09"', '"2009-13"'),
            [("pools[0].key.to (economy.cash_bank)", "'2009-13' is not a month")],
        ),
        (
            POOL + VOLUME_KEY.replace('services = ["ar.feeder"]', "services = []"),
            [("pools[0].key.services (economy.cash_bank)", "List should have at least 1 item")],
        ),
        ('title = "no pools"\n', [("pools", "required field is missing")]),
    ],
    ids=[
        "unknown-field",
        "amount-text",
        "amount-negative",
        "code",
        "key-type",
        "key-type-missing",
        "month",
        "no-services",
        "no-pools",
    ],
)
def test_loader_names_the_field(
    write_file: WriteFile, text: str, expected: list[tuple[str, str]]
) -> None:
    write_file("ledger.csv", LEDGER)
    write_file("users.csv", "department,quantity\nA,1\n")
    errors = _errors(write_file("pools.toml", text))
    got = sorted((field, message) for (_, _, _, field, message) in errors)
    assert len(got) == len(expected), got
    for (field, start), (got_field, message) in zip(sorted(expected), got, strict=True):
        assert got_field == field
        assert message.startswith(start), message


def test_loader_checks_the_content(write_file: WriteFile) -> None:
    write_file("ledger.csv", LEDGER)
    text = (
        POOL.replace("1000", "10.005")
        + VOLUME_KEY.replace('"2009-01"', '"2009-10"').replace(
            '"ar.feeder"', '"ar.feeder", "ar.manul"'
        )
        + POOL
        + VOLUME_KEY.replace("ar.feeder", "ap.*")
        + POOL.replace("economy.cash_bank", "ar.feeder")
        + VOLUME_KEY.replace("ledger.csv", "missing.csv")
    )
    errors = _errors(write_file("pools.toml", text), reserved_codes={"ar.feeder"})
    fields = [(field, message) for (_, _, _, field, message) in errors]
    assert fields[0] == (
        "pools[0].amount (economy.cash_bank)",
        "10.005 is not a whole number of öre (at most 2 decimals)",
    )
    assert fields[1] == (
        "pools[0].key.to (economy.cash_bank)",
        "the window ends (2009-09) before it starts (2009-10)",
    )
    assert fields[2][0] == "pools[1].code (economy.cash_bank)"
    assert "already used by pools[0]" in fields[2][1]
    assert fields[3][0] == "pools[1].key.services (economy.cash_bank)"
    assert fields[3][1].startswith("'ap.*' matches no service of ")
    assert fields[3][1].endswith("in 2009-01..2009-09 (services there: ar.feeder)")
    assert fields[4][0] == "pools[1].key (economy.cash_bank)"
    assert "counts 0 for every department" in fields[4][1]
    assert fields[5][0] == "pools[2].code (ar.feeder)"
    assert "is a service code of the price lists" in fields[5][1]
    assert fields[6][0] == "pools[2].key.file (ar.feeder)"
    assert fields[6][1].startswith("'missing.csv' not found (looked for ")
    assert len(fields) == 7


def test_loader_reports_the_problems_of_a_key_file(write_file: WriteFile) -> None:
    write_file("ledger.csv", LEDGER + "2009-03,C,ar.feeder,tre\n2009-13,C,ar.feeder,1\n")
    config = write_file(
        "pools.toml", POOL + VOLUME_KEY + POOL.replace("cash_bank", "other") + VOLUME_KEY
    )
    errors = _errors(config)
    # Two pools use the file: it is read, and its problems reported, once.
    assert errors == [
        ("ledger.csv", 4, "quantity", None, "'tre' is not a number (expected e.g. 12 or 2,5)"),
        ("ledger.csv", 5, "month", None, "'2009-13' is not a month: 13 is not 01..12"),
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "department,quantity\nA,12 st\nB,-3\n,4\nA,5\nC\n",
            [
                (2, "quantity", "'12 st' is not a number (expected e.g. 12 or 2,5)"),
                (3, "quantity", "quantity '-3' is negative (expected 0 or more)"),
                (4, "department", "the department is empty (expected a name)"),
                (
                    5,
                    "department",
                    "'A' appears twice (first on line 2); a snapshot has one row per department",
                ),
                (6, None, "the row has 1 field(s), expected at least 2 (separated by ','): 'C'"),
            ],
        ),
        (
            "förvaltning,users\nA,1\n",
            [
                (
                    1,
                    None,
                    "the header is ['förvaltning', 'users']; expected the columns "
                    "department,quantity (separated by , or ;)",
                )
            ],
        ),
        (
            "",
            [
                (
                    1,
                    None,
                    "the file is empty or its first line is blank; expected the header "
                    "department,quantity",
                )
            ],
        ),
        (
            "department,quantity\n\n",
            [(None, None, "no rows: expected one row per department after the header")],
        ),
        (
            "department,quantity,antal\nA,1,2\n",
            [(1, None, "column(s) quantity appear more than once in the header")],
        ),
        (
            "department,quantity\nA,1\nKulturf\xf6rvaltningen,2\n".encode("latin-1"),
            [
                (
                    3,
                    None,
                    "the file is not UTF-8 text but looks like Windows-1252/Latin-1: "
                    "byte b'\\xf6' at offset 31 would be 'ö'; in Excel, save it as "
                    "'CSV UTF-8 (kommaavgränsad)'",
                )
            ],
        ),
    ],
    ids=["values", "header", "empty", "no-rows", "duplicate-column", "not-utf8"],
)
def test_snapshot_problems_name_line_column_and_value(
    write_file: WriteFile, content: str | bytes, expected: list[tuple[int | None, str | None, str]]
) -> None:
    path = write_file("users.csv", content)
    with pytest.raises(InputError) as info:
        read_snapshot(path)
    assert [(i.line, i.column, i.message) for i in info.value.issues] == expected
    assert {i.path for i in info.value.issues} == {str(path)}


def test_snapshot_lists_at_most_max_issues(write_file: WriteFile) -> None:
    path = write_file("users.csv", "department,quantity\n" + "".join(f"D{n},x\n" for n in range(5)))
    with pytest.raises(InputError) as info:
        read_snapshot(path, max_issues=2)
    assert len(info.value.issues) == 2
    assert info.value.truncated == 3


def test_loader_reports_a_toml_syntax_error_with_its_line(write_file: WriteFile) -> None:
    errors = _errors(write_file("pools.toml", POOL + "key = {\n"))
    ((name, line, _, _, message),) = errors
    assert (name, line) == ("pools.toml", 5)
    assert message.startswith("not valid TOML")


def test_loader_reports_a_missing_config(tmp_path: Path) -> None:
    assert _errors(tmp_path / "nope.toml") == [
        ("nope.toml", None, None, None, "allocation file not found")
    ]


# -------------------------------------------------------------------- command line


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_table_shows_the_key_and_the_share(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "bill", VOLUMES_2010, "--year", "2010", "--allocations", CONFIG_2010
    )
    assert code == 0
    assert err == ""
    assert f"  andel 2,50{NBSP}% av kundfakturor 2009-01..2009-09\n" in out
    assert f"30{NBSP}000 av 1{NBSP}200{NBSP}000, per år 25{NBSP}000,00{NBSP}kr" in out
    assert f"andel 22,81{NBSP}% av Agresso-användare 2009-07" in out
    # 194 202 of volumes + 1 000 000 + 500 000 (HYPOTHETICAL pools); 5 departments x 12 months.
    assert out.rstrip("\n").splitlines()[-1] == (
        f"Totalt: 1{NBSP}694{NBSP}202,00{NBSP}kr  (60 fakturor, 5 förvaltningar)"
    )
    english = run(
        capsys,
        "bill",
        VOLUMES_2010,
        "--year",
        "2010",
        "--allocations",
        CONFIG_2010,
        "--locale",
        "en_GB",
    )[1]
    assert "share 2.50% of kundfakturor 2009-01..2009-09" in english


def test_cli_json_has_the_allocation_object(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "bill",
        VOLUMES_2010,
        "--year",
        "2010",
        "--allocations",
        CONFIG_2010,
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["total"] == "1694202.00"
    (december,) = [
        i for i in data["invoices"] if i["department"] == STADSBYGGNAD and i["month"] == "2010-12"
    ]
    assert december["price_list"] == "2010"
    cash = december["lines"][0]
    assert (cash["service"], cash["unit"], cash["quantity"], cash["amount"]) == (
        "economy.cash_bank",
        "share",
        "1",
        "2083.37",
    )
    assert cash["allocation"] == {
        "key": "kundfakturor 2009-01..2009-09",
        "driver_quantity": "30000",
        "driver_total": "1200000",
        "share": "0.025",
        "annual_amount": "25000.00",
        "source": str(EXAMPLES / "ledger-2009-jan-sep.csv"),
    }
    assert december["lines"][1]["allocation"]["share"] == "0.2281059063"  # 112/491
    (march,) = [
        i for i in data["invoices"] if i["department"] == STADSBYGGNAD and i["month"] == "2010-03"
    ]
    assert "allocation" not in march["lines"][0]  # a price-list line has none
    assert [line["service"] for line in march["lines"]][-2:] == [
        "economy.cash_bank",
        "economy.system_management",
    ]
    for invoice in data["invoices"]:
        assert sum(Decimal(line["amount"]) for line in invoice["lines"]) == Decimal(
            invoice["total"]
        )


def test_cli_csv_appends_the_allocation_columns(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "bill",
        VOLUMES_2010,
        "--year",
        "2010",
        "--allocations",
        CONFIG_2010,
        "--format",
        "csv",
    )
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert CSV_COLUMNS[:14] == (
        "department",
        "month",
        "price_list",
        "service",
        "name",
        "unit",
        "quantity",
        "unit_price",
        "amount",
        "components",
        "component_amounts",
        "business_area",
        "volume_rows",
        "price_source",
    )
    records = list(csv.DictReader(io.StringIO(out)))
    (row,) = [
        r
        for r in records
        if r["department"] == STADSBYGGNAD
        and r["month"] == "2010-01"
        and r["service"] == "economy.cash_bank"
    ]
    assert (row["amount"], row["allocation_key"], row["allocation_share"]) == (
        "2083.33",
        "kundfakturor 2009-01..2009-09",
        "0.025",
    )
    assert (row["allocation_driver_quantity"], row["allocation_driver_total"]) == (
        "30000",
        "1200000",
    )
    assert row["allocation_annual_amount"] == "25000.00"
    priced = [r for r in records if r["unit"] != "share"]
    assert priced
    assert all(r["allocation_key"] == r["allocation_share"] == "" for r in priced)
    assert sum(Decimal(r["amount"]) for r in records) == Decimal("1694202.00")


def test_cli_bad_config_exits_2_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile, tmp_path: Path
) -> None:
    write_file("ledger.csv", LEDGER)
    config = write_file("pools.toml", POOL.replace("economy.cash_bank", "ar.feeder") + VOLUME_KEY)
    target = tmp_path / "bill.csv"
    code, out, err = run(
        capsys,
        "bill",
        VOLUMES_2010,
        "--year",
        "2010",
        "--allocations",
        config,
        "--format",
        "csv",
        "--output",
        target,
    )
    assert code == 2
    assert out == ""
    assert err.splitlines()[0].startswith(
        f"error: {config}: pools[0].code (ar.feeder): 'ar.feeder' is a service code"
    )
    assert err.splitlines()[-1] == "1 problem(s); nothing was written"
    assert not target.exists()
    code, out, err = run(
        capsys, "bill", VOLUMES_2010, "--year", "2010", "--allocations", tmp_path / "none.toml"
    )
    assert (code, out) == (2, "")
    assert "allocation file not found" in err
