"""The bundled example files are what their generators and descriptions say."""

from __future__ import annotations

import runpy
from decimal import Decimal
from pathlib import Path

import pytest

import sfprice

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = REPO / "examples" / "payroll-2014-synthetic-year.csv"


def test_synthetic_year_is_what_its_generator_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = runpy.run_path(str(REPO / "examples" / "make_synthetic_payroll_year.py"))
    out = tmp_path / "year.csv"
    monkeypatch.setitem(module["main"].__globals__, "OUT", out)
    module["main"]()
    assert out.read_bytes() == SYNTHETIC.read_bytes()


def test_synthetic_year_has_the_plans_payslip_volumes(catalog: sfprice.PriceCatalog) -> None:
    volumes = sfprice.read_volumes(SYNTHETIC, catalog=catalog, year=2014)
    totals: dict[str, Decimal] = {}
    for entry in volumes:
        totals[entry.key.service] = totals.get(entry.key.service, Decimal(0)) + entry.quantity
    # 003_dbc171dac11004c9.txt:133-137: 600 000 payslips, 453 000 of them machine-processed.
    assert totals["payroll.self_service"] == 453_000
    assert totals["payroll.manual"] == 147_000
    run = sfprice.bill(catalog, volumes, year=2014)
    # 41 991 000 from payslips + 456 000 + 426 000 + 600 000 events
    # + (2 600 + 2 300 + 2 200 + 2 750) h x 420 = 4 137 000 + 1 500 h x 440 = 660 000
    assert run.total == Decimal("48270000.00")
