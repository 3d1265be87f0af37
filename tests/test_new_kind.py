"""A kind from outside sfprice: one class, registered, and every path knows it.

The toy kind ``flat_when_used`` charges the item's ``price`` once per department and
month when the month's volume reaches ``from_quantity`` (a field no built-in kind has),
and nothing below it. Nothing in ``sfprice`` is edited for it: the loader's schema, the
dump, ``bill`` and the reports read it from the registry (``sfprice.kinds.register_kind``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

import pytest

from sfprice.app import BillingRequest, run_billing
from sfprice.app.simulation import ModelSpec, SimulationRequest, run_simulation
from sfprice.cli import main
from sfprice.errors import InputError
from sfprice.io.pricelists import dump_pricelist, load_pricelist
from sfprice.kinds import (
    KINDS,
    Charge,
    ChargeBasis,
    ChargeContext,
    FieldProblems,
    FileItem,
    KindFormat,
    Package,
    PriceKind,
    Shape,
    Stage,
    VolumeTerms,
    register_kind,
    unregister_kind,
)
from sfprice.money import round_amount
from sfprice.units import Unit

if TYPE_CHECKING:
    from typing import Self

    from sfprice.model import PriceItem

D = Decimal


@dataclass(frozen=True, slots=True)
class FlatWhenUsed(VolumeTerms):
    """``price`` per department and month once the month's volume reaches ``from_quantity``."""

    # A kind from outside has a name of its own, not a member of the built-in PriceKind.
    kind = cast("PriceKind", "flat_when_used")
    stage = Stage.VOLUME
    fields = ("unit", "price", "from_quantity")
    shapes: ClassVar[Mapping[str, Shape]] = {"from_quantity": Shape.MONEY}
    words: ClassVar[Mapping[str, Mapping[str, str]]] = {
        "sv": {
            "flat": "{price} per månad vid minst {quantity}",
            "note": "fast avgift vid användning",
        },
        "en": {"flat": "{price} a month from {quantity}", "note": "flat fee when used"},
    }

    from_quantity: Decimal

    @classmethod
    def from_file(cls, item: FileItem) -> tuple[Self, Decimal]:
        threshold = item.value("from_quantity")
        if not isinstance(threshold, Decimal):
            raise FieldProblems(("from_quantity", "give the volume that starts the fee"))
        if item.price is None:
            raise FieldProblems(("price", "give the monthly fee as price"))
        return cls(threshold), item.price

    def charge(self, item: PriceItem, quantity: Decimal, at: ChargeContext) -> Charge:
        used = quantity >= self.from_quantity
        fee = item.price if used else D(0)
        basis = ChargeBasis(self.kind)
        return Charge(Unit.DEPARTMENT_MONTH, D(1), fee, round_amount(fee, at.rounding), (), basis)

    def price_text(self, item: PriceItem, fmt: KindFormat) -> str:
        text = self.says(fmt, "flat")
        return text.format(price=fmt.price(item.price), quantity=fmt.number(self.from_quantity))

    def file_data(self, fmt: KindFormat) -> dict[str, object]:
        return {"from_quantity": fmt.decimal_text(self.from_quantity)}

    @classmethod
    def notes(cls, basis: ChargeBasis, fmt: KindFormat) -> list[str]:
        return [cls.says(fmt, "note")]


LIST = """\
id = "toy"
title = "Toy"
valid_from = 2026-01-01
valid_to = 2026-12-31
currency = "SEK"
source = "test"

[[items]]
code = "payroll.flat"
name = "Fast avgift"
kind = "flat_when_used"
unit = "person_month"
price = 2000
from_quantity = 10
business_area = "payroll"
source = "toy"

[[items]]
code = "payroll.manual"
name = "Manuell"
unit = "person_month"
price = 110
business_area = "payroll"
"""

VOLUMES = """\
month,department,service,quantity
2026-01,A,payroll.flat,40
2026-01,B,payroll.flat,6
2026-01,B,payroll.manual,3
"""


@pytest.fixture
def toy() -> Iterator[type[FlatWhenUsed]]:
    register_kind(FlatWhenUsed)
    try:
        yield FlatWhenUsed
    finally:
        unregister_kind(FlatWhenUsed.kind)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    pricelist, volumes = tmp_path / "toy.toml", tmp_path / "volumes.csv"
    pricelist.write_text(LIST, encoding="utf-8")
    volumes.write_text(VOLUMES, encoding="utf-8")
    return pricelist, volumes


def test_a_registered_kind_loads_and_dumps_back(
    toy: type[FlatWhenUsed], files: tuple[Path, Path], tmp_path: Path
) -> None:
    price_list = load_pricelist(files[0])
    item = price_list.items[0]
    assert item.terms == FlatWhenUsed(D(10))
    assert (item.kind, item.unit, item.price) == ("flat_when_used", Unit.PERSON_MONTH, D(2000))
    text = dump_pricelist(price_list)
    assert 'kind = "flat_when_used"' in text
    assert "from_quantity = 10" in text
    again = tmp_path / "again.toml"
    again.write_text(text, encoding="utf-8")
    assert load_pricelist(again).items == price_list.items


def test_a_registered_kind_bills_and_shows_in_json_and_table(
    toy: type[FlatWhenUsed], files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    pricelist, volumes = files
    argv = ["bill", str(volumes), "--year", "2026", "--pricelists", str(pricelist)]
    assert main([*argv, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    lines = {
        (invoice["department"], line["service"]): line
        for invoice in data["invoices"]
        for line in invoice["lines"]
    }
    # A: 40 >= 10, the fee: 1 x 2 000 = 2 000.00. B: 6 < 10, no fee: 1 x 0 = 0.00;
    # B's manual line 3 x 110 = 330.00. The run: 2 000 + 0 + 330 = 2 330.00.
    assert lines["A", "payroll.flat"]["amount"] == "2000.00"
    assert lines["A", "payroll.flat"]["basis"] == {"kind": "flat_when_used"}
    assert lines["B", "payroll.flat"]["amount"] == "0.00"
    assert lines["B", "payroll.manual"]["amount"] == "330.00"
    assert data["total"] == "2330.00"
    assert main(argv) == 0
    table = capsys.readouterr().out.replace("\xa0", " ")
    assert "  fast avgift vid användning" in table
    assert "Totalt: 2 330,00 kr" in table
    assert main([*argv, "--locale", "en_GB"]) == 0
    assert "  flat fee when used" in capsys.readouterr().out


def test_a_registered_kind_shows_in_the_catalog(
    toy: type[FlatWhenUsed], files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pricelists", "--pricelists", str(files[0])]) == 0
    table = capsys.readouterr().out.replace("\xa0", " ")
    assert "2 000,00 kr per månad vid minst 10" in table
    assert main(["pricelists", "--pricelists", str(files[0]), "--format", "json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    item = listed["items"][0]
    assert (item["kind"], item["from_quantity"], item["price"]) == (
        "flat_when_used",
        "10",
        "2000.00",
    )


def test_a_registered_kinds_fields_are_its_own(toy: type[FlatWhenUsed], tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    bad = LIST.replace("from_quantity = 10", "from_quantity = 10\nblock = 5")
    bad = bad.replace("price = 110\n", 'price = 110\nfrom_quantity = "ten"\n')
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_pricelist(path)
    texts = [issue.message for issue in caught.value.issues]
    assert any("expected a number such as 57 or 57.50, got 'ten'" in t for t in texts), texts
    path.write_text(LIST.replace("from_quantity = 10", "from_quantity = 10\nblock = 5"), "utf-8")
    with pytest.raises(InputError) as caught:
        load_pricelist(path)
    (issue,) = caught.value.issues
    assert issue.message == (
        "a flat_when_used item has no block; fields of a flat_when_used item: "
        "unit, price, from_quantity"
    )
    assert issue.field == "items[0].block (payroll.flat)"


def test_an_unregistered_kind_is_refused_again(tmp_path: Path) -> None:
    path = tmp_path / "toy.toml"
    path.write_text(LIST, encoding="utf-8")
    assert "flat_when_used" not in KINDS
    with pytest.raises(InputError) as caught:
        load_pricelist(path)
    messages = [issue.message for issue in caught.value.issues]
    assert any("got 'flat_when_used'" in m for m in messages), messages


def test_registering_checks_the_name_and_the_shapes(toy: type[FlatWhenUsed]) -> None:
    with pytest.raises(ValueError, match="registered already"):
        register_kind(FlatWhenUsed)

    @dataclass(frozen=True, slots=True)
    class Clash(FlatWhenUsed):
        kind = cast("PriceKind", "clash")
        shapes: ClassVar[Mapping[str, Shape]] = {"from_quantity": Shape.MONEY, "block": Shape.TIERS}
        fields = ("unit", "price", "block")

    with pytest.raises(TypeError, match=r"Clash\.block is tiers, but Package\.block is number"):
        register_kind(Clash)
    assert "clash" not in KINDS
    with pytest.raises(ValueError, match="not a kind added by register_kind"):
        unregister_kind(Package.kind)


def test_simulate_prices_a_registered_kind_as_bill_does(
    toy: type[FlatWhenUsed], files: tuple[Path, Path]
) -> None:
    # The list models' fast path knows only linear built-in kinds: another kind, also one
    # registered later, is priced by the billing engine, so simulate agrees with bill.
    pricelist, volumes = files
    request = BillingRequest((volumes,), 2026, (pricelist,))
    assert run_billing(request).run.total == D("2330.00")  # 2 000 + 0 + 3 x 110
    simulated = run_simulation(
        SimulationRequest(request, area="payroll", cost=D(0), models=(ModelSpec("unit"),))
    )
    assert simulated.comparison.model("unit").revenue == D("2330.00")


def test_a_kind_that_bill_would_never_charge_is_refused() -> None:
    # Stage 3 is computed on other lines (LinesTerms): a volume class there would be left
    # out by bill, a silent 0 kr.
    @dataclass(frozen=True, slots=True)
    class Misplaced(FlatWhenUsed):
        kind = cast("PriceKind", "misplaced")
        stage = Stage.SURCHARGE

    with pytest.raises(TypeError, match="must derive from VolumeTerms"):
        register_kind(Misplaced)

    @dataclass(frozen=True, slots=True)
    class HalfWorded(FlatWhenUsed):
        kind = cast("PriceKind", "half_worded")
        words: ClassVar[Mapping[str, Mapping[str, str]]] = {"sv": {"flat": "x"}, "en": {}}

    with pytest.raises(TypeError, match=r"HalfWorded\.words needs the same words in sv and en"):
        register_kind(HalfWorded)
    assert "misplaced" not in KINDS
    assert "half_worded" not in KINDS
