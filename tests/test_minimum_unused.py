"""A minimum charges only for services used that month (a volume row of 0 is no use).

Found by a tester: one row ``2026-01,Miljöförvaltningen,payroll.manual,0`` made ``bill``
charge Miljöförvaltningen the whole 5 000 kr minimum of 2026-surcharge.toml, while a
scenario that changes nothing (``growth:0``) dropped the row and charged nothing, so
``bill`` and ``simulate`` disagreed by 5 000 kr.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sfprice.engine.billing import bill
from sfprice.engine.listmodel import PriceListModel
from sfprice.engine.simulate import annual_charges, scale
from sfprice.io.pricelists import load_pricelist
from sfprice.io.volumes import read_volumes
from sfprice.model import PriceCatalog

MODELS = Path(__file__).resolve().parents[1] / "examples/pricelists-2026-models"
SURCHARGE = MODELS / "2026-surcharge.toml"


def test_a_row_of_zero_is_no_use_and_scenarios_agree(tmp_path: Path) -> None:
    volumes_file = tmp_path / "volumes.csv"
    volumes_file.write_text(
        "month,department,service,quantity\n"
        "2026-01,Miljöförvaltningen,payroll.manual,0\n"
        "2026-01,Miljöförvaltningen,payroll.self_service,0\n"
        "2026-01,Kulturförvaltningen,payroll.manual,10\n",
        encoding="utf-8",
    )
    catalog = PriceCatalog((load_pricelist(SURCHARGE),))
    volumes = read_volumes(volumes_file)
    run = bill(catalog, volumes, year=2026)
    # Kulturförvaltningen: 10 x 110 = 1 100, surcharge 5 % = 55, minimum 5 000 - 1 155 = 3 845,
    # so 5 000,00 kr. Miljöförvaltningen used nothing: 0 kr, and no minimum line.
    totals = run.totals_by_department()
    assert totals["Kulturförvaltningen"] == Decimal("5000.00")
    assert totals.get("Miljöförvaltningen", Decimal(0)) == 0
    miljo = run.invoice("Miljöförvaltningen", run.invoices[0].month)
    assert miljo is None or all(line.service != "payroll.minimum" for line in miljo.lines)
    assert run.total == Decimal("5000.00")
    # The list as it stands, before and after a scenario that changes nothing.
    model = PriceListModel("2026-surcharge", catalog, year=2026)
    before = annual_charges(model.charges(volumes))
    after = annual_charges(model.charges(scale(volumes, Decimal(1))))
    assert sum(before.values()) == sum(after.values()) == run.total
    for department in before.keys() | after.keys():
        assert before.get(department, 0) == after.get(department, 0) == totals.get(department, 0)
