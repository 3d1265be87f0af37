"""KPIs against the plans' targets: hand-computed examples, time base, staffing input, CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

import sfprice
from sfprice import KPIS, Month, TimeBase, VolumeEntry, VolumeKey, VolumeSource, kpi_report
from sfprice.cli import main

D = Decimal
REPO = Path(__file__).resolve().parents[1]


def _run(catalog: sfprice.PriceCatalog, volumes: dict[tuple[int, str], int]) -> sfprice.BillingRun:
    entries = [
        VolumeEntry(VolumeKey(Month(2014, m), "Stad", service), D(q), (VolumeSource("<t>", 1),))
        for (m, service), q in volumes.items()
    ]
    return sfprice.bill(catalog, entries, year=2014)


def test_domain_example_6_payslips_per_fte(catalog: sfprice.PriceCatalog) -> None:
    # Ex 6: 600 000 payslips a year = 50 000 a month (37 750 self-service + 12 250 manual),
    # over 54,75 FTE: 50 000 / 54,75 = 913,24 per FTE and month, against 960: not met.
    run = _run(
        catalog,
        {
            (m, s): q
            for m in range(1, 13)
            for s, q in (("payroll.self_service", 37750), ("payroll.manual", 12250))
        },
    )
    fte = {"payroll": dict.fromkeys(range(1, 13), D("54.75"))}
    rows = kpi_report(
        run, [KPIS["payroll.payslips_per_fte_2014"]], year=2014, months=range(1, 13), fte=fte
    )
    by_period = {r.period: r for r in rows}
    assert by_period["2014-01"].actual == D("913.24")
    assert by_period["T2"].actual == D("913.24")  # 200 000 / (4 x 54,75)
    assert by_period["2014"].actual == D("913.24")
    assert by_period["2014"].met is False
    assert [r.period for r in rows][-4:] == ["T1", "T2", "T3", "2014"]
    # Per year: 600 000 / 54,75 = 10 958,90
    yearly = kpi_report(
        run,
        [KPIS["payroll.payslips_per_fte_2014"]],
        year=2014,
        months=range(1, 13),
        fte=fte,
        time_base="year",
    )
    assert yearly[-1].actual == D("10958.90")
    # The machine-processed share: 37 750 / 50 000 = 75,5 %, exactly the 2013 figure.
    share = kpi_report(run, [KPIS["payroll.machine_share_2013"]], year=2014, months=range(1, 13))
    assert share[-1].actual == D("0.7550")
    assert share[-1].met is True


def test_cost_per_payslip_is_lower_is_better(catalog: sfprice.PriceCatalog) -> None:
    # 1 000 payslips in January, cost 70 000 kr: 70 kr each, target at most 74: met.
    run = _run(catalog, {(1, "payroll.self_service"): 1000})
    rows = kpi_report(
        run,
        [KPIS["payroll.cost_per_payslip_2010"]],
        year=2014,
        months=[1],
        cost={"payroll": {1: D(70000)}},
    )
    assert (rows[0].actual, rows[0].met) == (D("70.00"), True)
    rows = kpi_report(
        run,
        [KPIS["payroll.cost_per_payslip_2010"]],
        year=2014,
        months=[1],
        cost={"payroll": {1: D(75000)}},
    )
    assert (rows[0].actual, rows[0].met) == (D("75.00"), False)


def test_an_open_time_base_is_never_guessed(catalog: sfprice.PriceCatalog) -> None:
    run = _run(catalog, {(1, "payroll.manual"): 800})
    kpi = KPIS["payroll.payslips_per_fte_2010"]
    fte = {"payroll": {1: D(1)}}
    with pytest.raises(ValueError, match="time base open"):
        kpi_report(run, [kpi], year=2014, months=[1], fte=fte)
    rows = kpi_report(run, [kpi], year=2014, months=[1], fte=fte, time_base=TimeBase.MONTH)
    assert rows[0].actual == D("800.00")
    assert rows[0].met is True


def test_missing_staffing_is_an_error(catalog: sfprice.PriceCatalog) -> None:
    run = _run(catalog, {(1, "payroll.manual"): 1})
    with pytest.raises(ValueError, match="no staffing"):
        kpi_report(run, [KPIS["payroll.payslips_per_fte_2014"]], year=2014, months=[1])


def test_targets_follow_the_plan_year() -> None:
    def chosen(year: int) -> set[str]:
        return {k.code for k in sfprice.kpis_for_year(year)}

    assert "payroll.payslips_per_fte_2014" in chosen(2014)
    assert "payroll.payslips_per_fte_2019" in chosen(2025)
    assert "payroll.payslips_per_fte_2010" in chosen(2012)


def test_staffing_reader_constant_and_monthly(write_file: Callable[..., Path]) -> None:
    constant = write_file("s.csv", "area;fte\npayroll;54,75\n")
    assert sfprice.read_staffing(constant, year=2014)["payroll"][7] == D("54.75")
    monthly = write_file("m.csv", "month,area,fte\n2014-01,payroll,50\n2013-12,payroll,9\n")
    assert sfprice.read_staffing(monthly, year=2014) == {"payroll": {1: D(50)}}
    bad = write_file("b.csv", "month,area,fte\n2014-13,payroll,x\n")
    with pytest.raises(sfprice.InputError) as caught:
        sfprice.read_staffing(bad, year=2014)
    assert {(i.line, i.column) for i in caught.value.issues} == {(2, "fte"), (2, "month")}


def test_cli_kpi_json(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    code = main(
        [
            "kpi",
            "examples/volumes-2014.csv",
            "--year",
            "2014",
            "--staffing",
            "examples/staffing-2014.csv",
            "--format",
            "json",
        ]
    )
    assert code == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    # January: 1 200 + 300 + 2 450 + 610 + 640 + 95 = 5 295 payslips / 54,75 = 96,71
    january = next(
        r for r in rows if r["kpi"] == "payroll.payslips_per_fte_2014" and r["period"] == "2014-01"
    )
    assert (january["actual"], january["target"], january["met"]) == ("96.71", "960", False)


def test_cli_kpi_open_time_base_is_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    code = main(
        [
            "kpi",
            "examples/volumes-2014.csv",
            "--year",
            "2014",
            "--staffing",
            "examples/staffing-2014.csv",
            "--kpi",
            "payroll.payslips_per_fte_2010",
        ]
    )
    assert code == 2
    assert "time base open" in capsys.readouterr().err
