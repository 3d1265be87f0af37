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
    # 960 is stated per month: per year it cannot be compared, so it is not shown.
    assert yearly[-1].kpi.target is None
    assert yearly[-1].met is None
    # The machine-processed share: 37 750 / 50 000 = 75,5 %, exactly the plan's forecast,
    # which is shown beside the outcome but is no target: never met or missed.
    share = kpi_report(run, [KPIS["payroll.machine_share_2014"]], year=2014, months=range(1, 13))
    assert share[-1].actual == D("0.7550")
    assert share[-1].kpi.forecast == D("0.755")
    assert share[-1].kpi.target is None
    assert share[-1].met is None


def _run_2010(
    catalog: sfprice.PriceCatalog, volumes: dict[tuple[int, str], int]
) -> sfprice.BillingRun:
    entries = [
        VolumeEntry(VolumeKey(Month(2010, m), "Stad", service), D(q), (VolumeSource("<t>", 1),))
        for (m, service), q in volumes.items()
    ]
    return sfprice.bill(catalog, entries, year=2010)


def test_cost_per_payslip_is_lower_is_better(catalog: sfprice.PriceCatalog) -> None:
    # 1 000 payslips in January 2010, cost 70 000 kr: 70 kr each, target at most 74: met.
    run = _run_2010(catalog, {(1, "payroll.self_service"): 1000})
    rows = kpi_report(
        run,
        [KPIS["payroll.cost_per_payslip_2010"]],
        year=2010,
        months=[1],
        cost={"payroll": {1: D(70000)}},
    )
    assert (rows[0].actual, rows[0].met) == (D("70.00"), True)
    rows = kpi_report(
        run,
        [KPIS["payroll.cost_per_payslip_2010"]],
        year=2010,
        months=[1],
        cost={"payroll": {1: D(75000)}},
    )
    assert (rows[0].actual, rows[0].met) == (D("75.00"), False)


def test_an_open_time_base_is_never_guessed(catalog: sfprice.PriceCatalog) -> None:
    run = _run_2010(catalog, {(1, "payroll.manual"): 800})
    kpi = KPIS["payroll.payslips_per_fte_2010"]
    fte = {"payroll": {1: D(1)}}
    with pytest.raises(ValueError, match="time base open"):
        kpi_report(run, [kpi], year=2010, months=[1], fte=fte)
    rows = kpi_report(run, [kpi], year=2010, months=[1], fte=fte, time_base=TimeBase.MONTH)
    assert rows[0].actual == D("800.00")
    assert rows[0].met is True


def test_a_figure_for_another_year_is_refused(catalog: sfprice.PriceCatalog) -> None:
    # The 2010 plan's 74 kr per payslip is no target for 2014.
    run = _run(catalog, {(1, "payroll.self_service"): 1000})
    with pytest.raises(ValueError, match="stated for 2010, not 2014"):
        kpi_report(
            run,
            [KPIS["payroll.cost_per_payslip_2010"]],
            year=2014,
            months=[1],
            cost={"payroll": {1: D(70000)}},
        )


def test_missing_staffing_is_an_error(catalog: sfprice.PriceCatalog) -> None:
    run = _run(catalog, {(1, "payroll.manual"): 1})
    with pytest.raises(ValueError, match="no staffing"):
        kpi_report(run, [KPIS["payroll.payslips_per_fte_2014"]], year=2014, months=[1])


def test_targets_belong_to_the_year_that_states_them() -> None:
    def figures(year: int) -> dict[str, tuple[D | None, D | None, str]]:
        return {
            k.metric: (k.target, k.forecast, k.source)
            for k in sfprice.kpis_for_year(year, KPIS.values())
        }

    y2014 = figures(2014)
    assert y2014["payroll.payslips_per_fte"][0] == D(960)
    assert y2014["payroll.cost_per_payslip"] == (None, None, "")  # 74 kr is the 2010 target
    assert y2014["payroll.machine_share"][:2] == (None, D("0.755"))  # a forecast
    assert y2014["economy.customer_invoices_per_fte"][0] is None
    y2010 = figures(2010)
    assert y2010["economy.customer_invoices_per_fte"][0] == D(4300)  # not 2017's 5 800
    assert y2010["economy.supplier_invoices_per_fte"][0] == D(2500)  # not 2017's 3 500
    assert y2010["payroll.cost_per_payslip"][0] == D(74)
    assert y2010["payroll.payslips_per_fte"][0] == D(800)
    assert figures(2017)["economy.customer_invoices_per_fte"][0] == D(5800)
    assert figures(2019)["payroll.payslips_per_fte"][0] == D(1050)
    assert figures(2025)["payroll.payslips_per_fte"][0] == D(1400)
    # A year no plan states a figure for has none: not the latest earlier plan's.
    for year in (2011, 2012, 2013, 2015, 2018, 2020, 2026):
        assert all(t is None and f is None for t, f, _ in figures(year).values()), year


def test_open_time_bases_are_open() -> None:
    assert KPIS["payroll.payslips_per_fte_2010"].time_base is None
    assert KPIS["payroll.payslips_per_fte_2025"].time_base is None
    assert KPIS["economy.customer_invoices_per_fte_2010"].time_base is None
    assert KPIS["payroll.payslips_per_fte_2014"].time_base is TimeBase.MONTH
    assert KPIS["payroll.payslips_per_fte_2019"].time_base is TimeBase.MONTH


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
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    write_file: Callable[..., Path],
) -> None:
    staffing = write_file("s.csv", "area,fte\npayroll,2\neconomy,4\n")
    monkeypatch.chdir(REPO)
    code = main(["kpi", "examples/volumes-2010.csv", "--year", "2010", "--staffing", str(staffing)])
    assert code == 2
    err = capsys.readouterr().err
    assert "payroll.payslips_per_fte_2010" in err
    assert "economy.customer_invoices_per_fte_2010" in err
    assert "choose --time-base" in err


def test_cli_kpi_2010_economy_uses_the_2010_targets(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    write_file: Callable[..., Path],
) -> None:
    staffing = write_file("s.csv", "area,fte\neconomy,0,5\n".replace("0,5", '"0,5"'))
    monkeypatch.chdir(REPO)
    argv = ["kpi", "examples/volumes-2010.csv", "--year", "2010", "--staffing", str(staffing)]
    code = main([*argv, "--time-base", "month", "--format", "json"])
    assert code == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    year = {r["kpi"]: r for r in rows if r["period"].startswith("2010 (")}
    customer = year["economy.customer_invoices_per_fte_2010"]
    supplier = year["economy.supplier_invoices_per_fte_2010"]
    assert (customer["target"], supplier["target"]) == ("4300", "2500")
    assert customer["source"] == "004_c98e6cf4bb870a81.txt:347"
    assert supplier["source"] == "004_c98e6cf4bb870a81.txt:350"
    assert not any(r["kpi"].endswith("_2017") for r in rows)
    # January-April 2010 (the last month billed), 0,5 FTE each month = 2 FTE-months.
    # Customer invoices: 1 000 + 200 + 50 = 1 250 / 2 = 625 per FTE and month, < 4 300.
    # Supplier invoices: 800 + 150 + 310 = 1 260 / 2 = 630 per FTE and month, < 2 500.
    assert (customer["actual"], customer["met"]) == ("625.00", False)
    assert (supplier["actual"], supplier["met"]) == ("630.00", False)


def test_cli_kpi_through_outside_the_year_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    argv = ["kpi", "examples/volumes-2014.csv", "--year", "2014"]
    for through in ("2015-01", "2013-12"):
        code = main([*argv, "--staffing", "examples/staffing-2014.csv", "--through", through])
        assert code == 2
        err = capsys.readouterr().err
        assert f"--through {through} is not in --year 2014" in err


def test_cli_kpi_lists_the_years_other_plan_indicators(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    argv = ["kpi", "examples/volumes-2014.csv", "--year", "2014"]
    assert main([*argv, "--staffing", "examples/staffing-2014.csv"]) == 0
    out = capsys.readouterr().out
    assert "Planens övriga indikatorer för 2014 (mäts inte av sfprice):" in out
    assert "Antal handlagda pensionsavgångar per årsarbetare och år, genomsnitt: 500 (År)" in out
    assert "Nämndens genomsnittliga kostnad" not in out  # a 2010 target
    assert main([*argv, "--format", "json"]) == 0
    others = json.loads(capsys.readouterr().out)["not_measured"]
    assert {o["year"] for o in others} == {2014}
    assert ("Sjukfrånvaro", "4,4 %") in {(o["name"], o["target"]) for o in others}
