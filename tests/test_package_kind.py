"""The package (block) price kind and the registry of kinds it proves.

A package price charges ``price`` per started ``block`` of a department's volume in one
month. Every expected amount below is computed by hand in a comment.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sfprice
from sfprice.cli import main
from sfprice.engine.billing import bill, price_line
from sfprice.errors import InputError
from sfprice.io import pricelists as loader
from sfprice.io.pricelists import dump_pricelist, load_pricelist
from sfprice.kinds import (
    KINDS,
    OPTIONAL_FIELDS,
    Package,
    PriceKind,
    Stage,
    VolumeTerms,
    started_blocks,
)
from sfprice.model import (
    PriceCatalog,
    PriceItem,
    PriceList,
    Unit,
    VolumeEntry,
    VolumeKey,
    VolumeSet,
    VolumeSource,
)
from sfprice.money import exact_product, round_amount
from sfprice.period import Month

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "examples" / "pricelists-2026-models" / "2026-package.toml"
D = Decimal
JAN = Month(2026, 1)


def package(
    block: str = "100", price: str = "1000", unit: Unit = Unit.TRANSACTION, code: str = "p"
) -> PriceItem:
    return PriceItem(code, "Paket", unit, D(price), kind=PriceKind.PACKAGE, block=D(block))


def catalog(*items: PriceItem, rounding: str = "half_up") -> PriceCatalog:
    return PriceCatalog(
        (
            PriceList(
                "t", "Test", date(2026, 1, 1), date(2026, 12, 31), "SEK", "test", items, rounding
            ),
        )
    )


def entry(quantity: str, department: str = "A", service: str = "p", rows: int = 1) -> VolumeEntry:
    return VolumeEntry(
        VolumeKey(JAN, department, service), D(quantity), (VolumeSource("v.csv", rows),)
    )


def only_line(quantity: str, item: PriceItem | None = None) -> sfprice.InvoiceLine:
    run = bill(catalog(item or package()), [entry(quantity)])
    (invoice,) = run.invoices
    (line,) = invoice.lines
    return line


# ------------------------------------------------------------------------- hand-computed


def test_250_units_at_1000_per_block_of_100() -> None:
    # 250 / 100 = 2.5 -> 3 started blocks; 3 x 1 000 = 3 000 kr. The line counts the
    # units (250 transactions at an average 3 000 / 250 = 12 kr), the component the blocks.
    line = only_line("250")
    assert (line.quantity, line.unit, line.unit_price, line.amount) == (
        D(250),
        Unit.TRANSACTION,
        D("12.00"),
        D("3000.00"),
    )
    assert line.basis is not None
    assert (line.basis.kind, line.basis.volume, line.basis.block) == (
        PriceKind.PACKAGE,
        D(250),
        D(100),
    )
    (detail,) = line.components
    assert detail.label == "3 påbörjade block om 100"
    assert (detail.quantity, detail.unit_price, detail.amount) == (D(3), D(1000), D("3000.00"))


@pytest.mark.parametrize(
    ("quantity", "blocks"),
    [
        ("0", 0),  # nothing used: no block started, 0 kr
        ("1", 1),  # 1 unit starts the first block
        ("100", 1),  # a full block is one block
        ("101", 2),  # one unit over starts the second
        ("200", 2),
        ("201", 3),
    ],
)
def test_block_boundaries(quantity: str, blocks: int) -> None:
    line = only_line(quantity)
    assert line.quantity == D(quantity)  # the volume
    assert line.components[0].quantity == blocks
    assert line.amount == blocks * 1000  # blocks x 1 000 kr


def test_fractional_hours_start_a_whole_block() -> None:
    # Blocks of 2 hours at 700 kr: 2.5 h -> ceil(1.25) = 2 blocks = 1 400 kr;
    # 0.25 h -> 1 block = 700 kr; 4 h -> 2 blocks exactly = 1 400 kr.
    item = package("2", "700", Unit.HOUR)
    assert only_line("2.5", item).amount == D(1400)
    assert only_line("0.25", item).amount == D(700)
    assert only_line("4", item).amount == D(1400)
    # A block of half an hour: 1.2 h -> ceil(2.4) = 3 blocks x 100 = 300 kr.
    assert only_line("1.2", package("0.5", "100", Unit.HOUR)).amount == D(300)


def test_rows_of_a_month_add_up_before_the_blocks() -> None:
    # 200 + 50 in one month and department = 250 -> 3 blocks = 3 000 kr, not 2 + 1 blocks
    # counted per row (which would also be 3 000) nor 60 + 60 + 60 + 70 rows as 4 blocks.
    rows = [entry("60"), entry("60"), entry("60"), entry("70")]
    run = bill(catalog(package()), rows)
    (line,) = run.invoices[0].lines
    assert (line.quantity, line.amount, line.volume_rows) == (D(250), D(3000), 4)
    assert line.components[0].quantity == 3


def test_price_in_ore_is_rounded_once() -> None:
    # 3 blocks x 333.335 kr = 1 000.005 kr -> half-up 1 000.01 kr, half-even 1 000.00 kr.
    item = package("100", "333.335")
    assert bill(catalog(item), [entry("250")]).total == D("1000.01")
    assert bill(catalog(item, rounding="half_even"), [entry("250")]).total == D("1000.00")


def test_a_surcharge_and_a_minimum_see_the_package_line() -> None:
    # 250 -> 3 blocks = 3 000 kr; 5 % on it = 150 kr; a 5 000 kr minimum on both lines
    # adds 5 000 - 3 150 = 1 850 kr; the invoice is 5 000 kr.
    surcharge = PriceItem(
        "s", "Tillägg", Unit.PERCENT, D(0), kind="percentage", rate=D("0.05"), applies_to=["p"]
    )
    floor = PriceItem(
        "m", "Lägsta", Unit.DEPARTMENT_MONTH, D(5000), kind="minimum", applies_to=["*"]
    )
    run = bill(catalog(package(), surcharge, floor), [entry("250")])
    amounts = {line.service: line.amount for line in run.invoices[0].lines}
    assert amounts == {"p": D(3000), "s": D("150.00"), "m": D("1850.00")}
    assert run.total == D(5000)


def test_a_negative_month_is_refused_not_credited() -> None:
    # Volumes from the API may net below 0 (a correction); a block price has no one right
    # credit for -20 units, so bill refuses it, naming the file, month and department.
    with pytest.raises(InputError) as error:
        bill(catalog(package()), [entry("-20", "Kultur")])
    (issue,) = error.value.issues
    assert issue.path == "v.csv"
    assert "2026-01: Kultur: service 'p' (package in price list t)" in issue.message
    assert "cannot price a negative volume" in issue.message
    with pytest.raises(ValueError, match="negative volume"):
        price_line(package(), catalog(package()).lists[0], entry("-1"))


def test_the_example_model_bills_by_blocks() -> None:
    # examples/volumes-2026.csv: Skarpnäck, January: 2 450 self-service payslips ->
    # ceil(24.5) = 25 blocks x 5 500 = 137 500 kr; 610 manual x 110 = 67 100 kr;
    # invoice 204 600 kr.
    run = sfprice.bill(
        sfprice.load_catalog(MODEL), sfprice.read_volumes(REPO / "examples" / "volumes-2026.csv")
    )
    invoice = run.invoice("Skarpnäcks stadsdelsförvaltning", JAN)
    assert invoice is not None
    lines = {line.service: line for line in invoice.lines}
    assert (lines["payroll.self_service"].quantity, lines["payroll.self_service"].amount) == (
        D(2450),
        D(137500),
    )
    # 137 500 / 2 450 = 56.122448..: 56.12245 is the fewest decimals that bill 137 500,00.
    assert lines["payroll.self_service"].unit_price == D("56.12245")
    assert lines["payroll.self_service"].components[0].quantity == 25
    assert invoice.total == D(204600)


# ----------------------------------------------------------------------------- properties


@given(
    parts=st.lists(st.integers(min_value=0, max_value=5_000), min_size=1, max_size=6),
    block=st.integers(min_value=1, max_value=700),
    price=st.decimals(min_value=0, max_value=100_000, places=3, allow_nan=False),
    rounding=st.sampled_from(["half_up", "half_even", "down", "up"]),
)
def test_amount_is_started_blocks_times_price_however_rows_split(
    parts: list[int], block: int, price: Decimal, rounding: str
) -> None:
    item = package(str(block), str(price))
    total = sum(parts)
    blocks = math.ceil(total / block) if total else 0  # exact for integers
    expected = round_amount(exact_product(D(blocks), price), rounding)
    split = bill(catalog(item, rounding=rounding), [entry(str(p)) for p in parts])
    whole = bill(catalog(item, rounding=rounding), [entry(str(total))])
    for run in (split, whole):
        (line,) = run.invoices[0].lines
        assert line.quantity == total
        assert line.components[0].quantity == blocks
        assert line.amount == expected
        assert round_amount(exact_product(line.quantity, line.unit_price), rounding) == line.amount


@given(
    quantity=st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False),
    block=st.decimals(min_value=D("0.0001"), max_value=10**6, places=4, allow_nan=False),
)
def test_started_blocks_is_the_ceiling(quantity: Decimal, block: Decimal) -> None:
    blocks = started_blocks(quantity, block)
    assert blocks == blocks.to_integral_value()
    assert (blocks - 1) * block < quantity <= blocks * block or (quantity == 0 and blocks == 0)


# ------------------------------------------------------------------------------ the model


def test_package_item_from_terms_or_by_name() -> None:
    by_name = package()
    by_terms = PriceItem("p", "Paket", Unit.TRANSACTION, D(1000), terms=Package(D(100)))
    assert by_name == by_terms
    assert (by_name.kind, by_name.block, by_name.tiers, by_name.fees) == (
        PriceKind.PACKAGE,
        D(100),
        (),
        {},
    )
    assert by_name.kind.by_volume


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: package("0"), ValueError, "p: a package item needs block"),
        (lambda: package("-5"), ValueError, "needs block.*got -5"),
        (lambda: package("2.5"), ValueError, "block 2.5 is not a whole number"),
        (lambda: Package(100), TypeError, "block must be a Decimal"),  # type: ignore[arg-type]
        (
            lambda: PriceItem(
                "p", "P", Unit.TRANSACTION, D(1), kind="package", block=D(1), rate=D(1)
            ),
            ValueError,
            "a package item has no rate",
        ),
        (
            lambda: PriceItem(
                "p", "P", Unit.TRANSACTION, D(1), kind="package", by_customer_year=[D(1)]
            ),
            ValueError,
            "a package item has no by_customer_year",
        ),
        (
            lambda: PriceItem("p", "P", Unit.TRANSACTION, D(1), terms=Package(D(1)), rate=D(1)),
            TypeError,
            "not also by name",
        ),
    ],
)
def test_model_refuses_bad_packages(build: object, error: type[Exception], match: str) -> None:
    assert callable(build)
    with pytest.raises(error, match=match):
        build()


def test_every_kind_is_registered_once_and_drives_the_loader() -> None:
    assert set(KINDS) == set(PriceKind)
    for kind, cls in KINDS.items():
        assert cls.kind is kind
        assert loader._KIND_FIELDS[str(kind)] == cls.fields
        assert set(cls.fields) <= set(OPTIONAL_FIELDS)
    assert {k for k, cls in KINDS.items() if cls.stage is Stage.VOLUME} == {
        PriceKind.UNIT,
        PriceKind.TIERED,
        PriceKind.PACKAGE,
    }
    assert all(issubclass(KINDS[k], VolumeTerms) for k in PriceKind if k.by_volume)


# ------------------------------------------------------------------------------ the files


def _docs_block(heading: str) -> str:
    text = (REPO / "docs" / "file-formats.md").read_text(encoding="utf-8")
    section = text.split(heading, 1)[1]
    return re.search(r"```toml\n(.*?)```", section, re.DOTALL).group(1)  # type: ignore[union-attr]


HEAD = """id = "t"
valid_from = 2026-01-01
valid_to = 2026-12-31
currency = "SEK"
source = "test"

"""


def test_the_documented_example_loads_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(HEAD + _docs_block("#### Package prices"), encoding="utf-8")
    (item,) = load_pricelist(path).items
    assert (item.kind, item.unit, item.block, item.price) == (
        PriceKind.PACKAGE,
        Unit.PERSON_MONTH,
        D(100),
        D(5500),
    )
    again = tmp_path / "again.toml"
    again.write_text(dump_pricelist(load_pricelist(path)), encoding="utf-8")
    assert load_pricelist(again).items == (item,)
    assert "block = 100" in again.read_text(encoding="utf-8")


def test_the_documented_console_example_is_real_output() -> None:
    text = (REPO / "docs" / "file-formats.md").read_text(encoding="utf-8")
    section = text.split("#### Package prices", 1)[1]
    block = re.search(r"```console\n\$ (.*?)\n(.*?)```", section, re.DOTALL)
    assert block is not None
    command, expected = block.group(1), block.group(2)
    shell = command.replace("python -m sfprice", f"{sys.executable} -m sfprice", 1)
    out = subprocess.run(shell, shell=True, cwd=REPO, capture_output=True, text=True, check=True)
    assert (out.stderr + out.stdout).replace("\u00a0", " ") == expected


def test_issue_stores_and_documents_show_a_package_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    volumes = tmp_path / "v.csv"
    volumes.write_text(
        "month,department,service,quantity\n"
        "2026-01,Kulturförvaltningen,payroll.self_service,150\n"
        "2026-01,Kulturförvaltningen,payroll.self_service,101\n",
        encoding="utf-8",
    )
    register = tmp_path / "register"
    args = ["--register", str(register)]  # the register's commands price nothing
    pricelists = ["--pricelists", str(MODEL)]
    assert main(["issue", "--period", "2026-01", *args, *pricelists, str(volumes)]) == 0
    capsys.readouterr()
    # 150 + 101 = 251 -> 3 blocks x 5 500 = 16 500 kr.
    assert main(["invoices", "show", *args, "SF-2026-000001", "--format", "json"]) == 0
    shown = capsys.readouterr().out
    assert '"16500.00"' in shown
    assert "3 påbörjade block om 100" in shown
    page = tmp_path / "f.html"
    assert main(["invoices", "html", *args, "SF-2026-000001", "--output", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert "3 påbörjade block om 100" in html
    # SIE: 16 500 kr of payroll revenue (3011) against the department's cost (7690).
    sie = tmp_path / "a.se"
    accounts = str(REPO / "examples" / "accounts-sie.toml")
    sie_args = ["--year", "2026", "--accounts", accounts, "--output", str(sie)]
    assert main(["export", "sie", *sie_args, *args]) == 0
    vouchers = sie.read_bytes().decode("cp437")
    # Issued without a customer register: the example mapping's [objects] code (issue 11).
    assert '#TRANS 3011 {"1" "KUL"} -16500.00' in vouchers
    assert '#TRANS 7690 {"1" "KUL"} 16500.00' in vouchers
    # Excel: the line of 251 payslips for 16 500 kr (the workbook has no component rows).
    openpyxl = pytest.importorskip("openpyxl")
    book = tmp_path / "a.xlsx"
    assert main(["invoices", "xlsx", "--period", "2026-01", *args, "--output", str(book)]) == 0
    rows = [r for ws in openpyxl.load_workbook(book) for r in ws.iter_rows(values_only=True)]
    assert any(251 in r and 16500 in r for r in rows)
    capsys.readouterr()
    # Issuing the same volumes again keeps the invoice: the stored line is the same.
    assert main(["issue", "--period", "2026-01", *args, *pricelists, str(volumes)]) == 0
    assert "SF-2026-000002" not in capsys.readouterr().out


def test_the_volume_set_merges_before_pricing() -> None:
    # Two files with 99 and 2 -> one VolumeEntry of 101 -> 2 blocks.
    merged = VolumeSet.merge(
        [VolumeSet.from_entries([entry("99")]), VolumeSet.from_entries([entry("2")])]
    )
    (line,) = bill(catalog(package()), merged).invoices[0].lines
    assert (line.quantity, line.amount) == (D(101), D(2000))
    assert line.components[0].quantity == 2


def test_dump_writes_each_kinds_own_fields_and_round_trips(tmp_path: Path) -> None:
    # The fields written are the kind's (read from the class), nothing else: no empty
    # [items.fees] table for a fee by customer year, no price for a tiered item.
    fee_by_year = PriceItem(
        "f",
        "F",
        Unit.DEPARTMENT_MONTH,
        D(0),
        kind="fixed_monthly",
        by_customer_year=[D(300), D(200)],
    )
    hours = package("0.5", "250", Unit.HOUR, code="h")
    items = (fee_by_year, hours, package(code="p"))
    text = dump_pricelist(catalog(*items).lists[0])
    assert "[items.fees]" not in text
    assert 'kind = "package"\nunit = "hour"\nprice = 250\nblock = 0.5\n' in text
    path = tmp_path / "d.toml"
    path.write_text(text, encoding="utf-8")
    assert load_pricelist(path).items == items


def test_kpis_count_the_volume_not_the_blocks() -> None:
    # A tester found kpi's self-service share at 4,3 % under the package list (45 blocks of
    # 1 056 units), where the payslips give 81,1 %: examples/volumes-2026.csv, January:
    # 4 330 self-service + 1 011 manual = 5 341 payslips, whatever the list prices them at.
    from sfprice.engine.kpi import units_by_month

    volumes = sfprice.read_volumes(REPO / "examples" / "volumes-2026.csv")
    for model in ("2026-package.toml", "2026-tiered.toml"):
        run = sfprice.bill(sfprice.load_catalog(MODEL.parent / model), volumes)
        assert units_by_month(run, ["payroll.self_service"], 2026)[1] == 4330
        assert units_by_month(run, ["payroll.*"], 2026)[1] == 5341


def test_a_documents_volume_statement_lists_volumes_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The "Volymer" section of an issued document states volumes: not a fixed fee (1), a fee
    # per employee (the headcount) or a block count. Exploateringsförvaltningen, January
    # 2026 under 2026-employees: 40 self-service and 6 manual payslips, nothing else.
    models = REPO / "examples" / "pricelists-2026-models"
    register = tmp_path / "register"
    args = ["--register", str(register)]
    customers = ["--customers", str(REPO / "examples" / "customers-2026.csv")]
    customers += ["--pricelists", str(models / "2026-employees.toml")]
    volumes = str(REPO / "examples" / "volumes-2026.csv")
    assert main(["issue", "--period", "2026-01", *args, *customers, volumes]) == 0
    page = tmp_path / "f.html"
    assert main(["invoices", "html", *args, "SF-2026-000001", "--output", str(page)]) == 0
    capsys.readouterr()
    statement = page.read_text(encoding="utf-8").split("Volymer", 1)[1]
    assert "Lisa Tid" in statement
    assert "manuell rapportering" in statement
    assert "Grundavgift" not in statement
    assert "Löneadministration per anställd" not in statement


def test_a_negative_block_is_refused_in_the_kinds_words(tmp_path: Path) -> None:
    # "must be >= 0" would suggest that 0 is a block size; the kind's own rule says more than 0.
    path = tmp_path / "p.toml"
    path.write_text(
        'id = "t"\ntitle = "T"\nvalid_from = 2026-01-01\nvalid_to = 2026-12-31\n'
        'currency = "SEK"\nsource = "x"\n\n[[items]]\ncode = "a"\nname = "A"\n'
        'kind = "package"\nunit = "transaction"\nblock = -100\nprice = 10\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_pricelist(path)
    (issue,) = caught.value.issues
    assert "needs block: the units in one block (more than 0)" in issue.message
    assert "got -100" in issue.message
