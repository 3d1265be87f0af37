"""Staffing files: one FTE figure per area and month, known areas only (issue 9, part 12)."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sfprice
from sfprice.cli import main

D = Decimal
REPO = Path(__file__).resolve().parents[1]
AREAS = ("economy", "payroll")


def _issues(path: Path, **kwargs: object) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(sfprice.InputError) as caught:
        sfprice.read_staffing(path, year=2014, **kwargs)  # type: ignore[arg-type]
    return [(i.line, i.column, i.message) for i in caught.value.issues]


def test_a_repeated_month_names_both_lines(write_file: Callable[..., Path]) -> None:
    path = write_file(
        "s.csv", "month,area,fte\n2014-01,payroll,50\n2014-02,payroll,51\n2014-01,payroll,52\n"
    )
    assert _issues(path) == [
        (
            4,
            "area",
            "a second FTE figure for area 'payroll' in 2014-01: line 2 already gives one "
            "(expected one row per area and month, or one row per area without a month for "
            "the whole year)",
        )
    ]


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("area;fte\npayroll;54,75\npayroll;1\n", "2014"),  # two whole-year rows
        ("area,fte,month\npayroll,54.75,2014-03\npayroll,3,2014-03\n", "2014-03"),
    ],
)
def test_every_repeat_is_an_error(write_file: Callable[..., Path], text: str, when: str) -> None:
    issues = _issues(write_file("s.csv", text))
    assert len(issues) == 1
    assert issues[0][0] == 3
    assert f"area 'payroll' in {when}: line 2 already gives one" in issues[0][2]


def test_a_repeat_after_other_areas_is_found(write_file: Callable[..., Path]) -> None:
    path = write_file("s.csv", "area,fte\npayroll,54.75\neconomy,20\npayroll,54.75\n")
    assert [line for line, _, _ in _issues(path)] == [4]


def test_a_blank_month_is_not_the_whole_year(write_file: Callable[..., Path]) -> None:
    # With a month column, every row names its month: a blank one is refused, not read as
    # "all twelve months" (which would then clash silently with the March row).
    path = write_file("s.csv", "month,area,fte\n,payroll,54.75\n2014-03,payroll,1\n")
    assert [(line, column) for line, column, _ in _issues(path)] == [(2, "month")]


def test_rows_of_other_years_are_not_repeats(write_file: Callable[..., Path]) -> None:
    path = write_file(
        "s.csv", "month,area,fte\n2013-01,payroll,9\n2014-01,payroll,50\n2015-01,payroll,7\n"
    )
    assert sfprice.read_staffing(path, year=2014) == {"payroll": {1: D(50)}}


def test_a_misspelt_area_is_named_with_the_nearest(write_file: Callable[..., Path]) -> None:
    path = write_file("s.csv", "area,fte\npayrol,54.75\nEconomy,20\nhr,3\n")
    assert _issues(path, areas=AREAS) == [
        (
            2,
            "area",
            "unknown area 'payrol' (known areas: economy, payroll); did you mean 'payroll'?",
        ),
        (
            3,
            "area",
            "unknown area 'Economy' (known areas: economy, payroll); did you mean 'economy'?",
        ),
        (4, "area", "unknown area 'hr' (known areas: economy, payroll)"),
    ]


def test_cli_kpi_refuses_a_misspelt_area(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    write_file: Callable[..., Path],
) -> None:
    # Before: the row was read as area 'payrol', no per-FTE KPI was computed, exit 0.
    staffing = write_file("s.csv", "area,fte\npayrol,54.75\n")
    monkeypatch.chdir(REPO)
    code = main(["kpi", "examples/volumes-2014.csv", "--year", "2014", "--staffing", str(staffing)])
    assert code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "s.csv:2: column 'area': unknown area 'payrol'" in captured.err
    assert "did you mean 'payroll'?" in captured.err


def test_cli_kpi_knows_the_budget_areas(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    write_file: Callable[..., Path],
) -> None:
    # Areas of the --budget are known too (2010: procurement, contact_center, ...).
    staffing = write_file("s.csv", "area,fte\npayroll,10\nprocurement,4\n")
    monkeypatch.chdir(REPO)
    argv = ["kpi", "examples/volumes-2010.csv", "--year", "2010", "--staffing", str(staffing)]
    code = main([*argv, "--budget", "2010-administration", "--time-base", "month"])
    assert code == 0, capsys.readouterr().err


def test_cli_kpi_staffing_of_another_year_only(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    write_file: Callable[..., Path],
) -> None:
    staffing = write_file("s.csv", "month,area,fte\n2013-01,payroll,50\n")
    monkeypatch.chdir(REPO)
    code = main(["kpi", "examples/volumes-2014.csv", "--year", "2014", "--staffing", str(staffing)])
    assert code == 2
    assert "no staffing rows for 2014" in capsys.readouterr().err


def test_a_month_without_fte_is_refused_not_averaged_away(catalog: sfprice.PriceCatalog) -> None:
    # January and February payslips with FTE for January only: dividing both months'
    # payslips by January's FTE would double the figure. Refused instead.
    key = sfprice.VolumeKey
    entries = [
        sfprice.VolumeEntry(
            key(sfprice.Month(2014, m), "Stad", "payroll.self_service"),
            D(960),
            (sfprice.VolumeSource("<t>", 1),),
        )
        for m in (1, 2)
    ]
    run = sfprice.bill(catalog, entries, year=2014)
    kpi = sfprice.KPIS["payroll.payslips_per_fte_2014"]
    with pytest.raises(ValueError, match=r"no FTE for area 'payroll' in 2014-02"):
        sfprice.kpi_report(run, [kpi], year=2014, months=[1, 2], fte={"payroll": {1: D(1)}})
    rows = sfprice.kpi_report(run, [kpi], year=2014, months=[1], fte={"payroll": {1: D(1)}})
    assert rows[0].actual == D("960.00")  # 960 payslips / 1 FTE-month


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(AREAS), st.integers(1, 12), st.integers(0, 99)),
        min_size=1,
        max_size=12,
    ),
    st.randoms(use_true_random=False),
)
def test_staffing_is_read_whatever_the_order_and_repeats_never_pass(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, int, int]],
    rnd: random.Random,
) -> None:
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    path = tmp_path_factory.mktemp("s") / "s.csv"
    path.write_text(
        "month,area,fte\n" + "".join(f"2014-{m:02d},{a},{f}\n" for a, m, f in shuffled),
        encoding="utf-8",
    )
    keys = [(a, m) for a, m, _ in rows]
    if len(set(keys)) < len(keys):
        with pytest.raises(sfprice.InputError, match="a second FTE figure"):
            sfprice.read_staffing(path, year=2014, areas=AREAS)
        return
    expected: dict[str, dict[int, D]] = {}
    for area, month, fte in rows:
        expected.setdefault(area, {})[month] = D(fte)
    assert sfprice.read_staffing(path, year=2014, areas=AREAS) == expected
