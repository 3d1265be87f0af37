"""The KPI figures of the business plans (kpis/targets.toml): citations and the loader.

Each figure is typed in from the seeds by hand; the test checks that the cited seed lines
print it (960 as "960", 4 300 as "4 300", 0,755 as "75,5").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sfprice import KPIS, InputError, kpis_for_year, load_kpis
from sfprice.io.kpis import load_plan_indicators
from sfprice.kpis import METRICS, FigureKind

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
_CITATION = re.compile(r"^(\d{3}_[0-9a-f]{16}\.txt):(\d+)(?:-(\d+))?$")
# The plan of each year is one seed file.
PLAN_FILE = {2010: "004_", 2014: "003_", 2017: "001_", 2019: "000_", 2025: "002_"}


def _printed(value: Decimal, *, share: bool) -> str:
    """How the seed prints a figure: 4300 -> '4 300'; a share 0.755 -> '75,5'."""
    if share:
        return f"{value * 100:f}".rstrip("0").rstrip(".").replace(".", ",")
    whole = int(value)
    assert value == whole
    return f"{whole:,}".replace(",", " ")


def test_every_plan_year_is_covered() -> None:
    assert {k.year for k in KPIS.values()} == set(PLAN_FILE)


@pytest.mark.parametrize("code", sorted(KPIS))
def test_figure_cites_the_plan_of_its_year(code: str) -> None:
    kpi = KPIS[code]
    match = _CITATION.match(kpi.source)
    assert match is not None, kpi.source
    assert match[1].startswith(PLAN_FILE[kpi.year])
    assert kpi.plan.startswith("Verksamhetsplan ")
    assert str(kpi.year) in kpi.plan
    assert kpi.figure is not None


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed documents not found at {SEEDS}")
@pytest.mark.parametrize("code", sorted(KPIS))
def test_cited_seed_lines_print_the_figure(code: str) -> None:
    kpi = KPIS[code]
    match = _CITATION.match(kpi.source)
    assert match is not None
    first, last = int(match[2]), int(match[3] or match[2])
    lines = (SEEDS / match[1]).read_text(encoding="utf-8").splitlines()[first - 1 : last]
    value = kpi.target if kpi.target is not None else kpi.forecast
    assert value is not None
    printed = _printed(value, share=kpi.kind == "share")
    pattern = re.compile(rf"(?<![\d,]){re.escape(printed)}(?![\d])")
    assert any(pattern.search(line) for line in lines), (code, printed, lines)


def test_the_machine_share_is_a_forecast_not_a_target() -> None:
    share = KPIS["payroll.machine_share_2014"]
    assert share.figure is FigureKind.FORECAST
    assert share.target is None
    assert share.forecast == Decimal("0.755")


def test_no_figure_is_stated_twice() -> None:
    assert len({(k.metric, k.year) for k in KPIS.values()}) == len(KPIS)


def test_loader_rejects_unknown_metrics_and_second_figures(
    write_file: Callable[..., Path],
) -> None:
    figure = (
        '[[figures]]\nmetric = "{m}"\nyear = 2014\nkind = "target"\nvalue = 1\n'
        'name = "x"\nplan = "p"\nsource = "s"\n'
    )
    text = (
        figure.format(m="payroll.payslips_per_ftee")
        + figure.format(m="payroll.payslips_per_fte")
        + figure.format(m="payroll.payslips_per_fte")
    )
    path = write_file("t.toml", text)
    with pytest.raises(InputError) as caught:
        load_kpis(path)
    messages = [(i.field, i.message) for i in caught.value.issues]
    assert messages[0][0] == "figures[0].metric"
    assert "unknown metric 'payroll.payslips_per_ftee'" in messages[0][1]
    assert messages[1] == (
        "figures[2].year",
        "a second figure for payroll.payslips_per_fte in 2014: a year has one",
    )


def test_loader_rejects_a_bad_value(write_file: Callable[..., Path]) -> None:
    path = write_file(
        "t.toml",
        '[[figures]]\nmetric = "payroll.payslips_per_fte"\nyear = 2014\nkind = "goal"\n'
        'value = -1\nname = "x"\nplan = "p"\nsource = "s"\n',
    )
    with pytest.raises(InputError) as caught:
        load_kpis(path)
    fields = {i.field for i in caught.value.issues}
    assert fields == {"figures[0].kind", "figures[0].value"}


INDICATORS = load_plan_indicators()


def test_every_plan_year_lists_its_other_indicators() -> None:
    assert {i.year for i in INDICATORS} == set(PLAN_FILE)
    # None of the measured KPIs is listed again as unmeasured.
    assert not {i.source for i in INDICATORS} & {k.source for k in KPIS.values()}


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed documents not found at {SEEDS}")
@pytest.mark.parametrize("index", range(len(INDICATORS)))
def test_cited_seed_lines_print_the_indicator(index: int) -> None:
    indicator = INDICATORS[index]
    match = _CITATION.match(indicator.source)
    assert match is not None, indicator.source
    assert match[1].startswith(PLAN_FILE[indicator.year])
    first, last = int(match[2]), int(match[3] or match[2])
    lines = (SEEDS / match[1]).read_text(encoding="utf-8").splitlines()[first - 1 : last]
    text = " ".join(" ".join(lines).split())
    for printed in (indicator.target, indicator.kf_target, indicator.periodicity):
        assert " ".join(printed.split()) in text, (indicator, printed)
    # The name as printed too (the 2014 table breaks it over lines; (nämndens ...) notes ours).
    words = indicator.name.split(" (")[0].rstrip(".").split()[:3]
    assert " ".join(words).lower() in text.lower(), (indicator.name, text)


@given(st.integers(min_value=1000, max_value=9999))
def test_a_year_gets_only_its_own_figures(year: int) -> None:
    chosen = kpis_for_year(year, KPIS.values())
    assert {k.metric for k in chosen} == set(METRICS)  # every metric, once
    for kpi in chosen:
        assert kpi.year == year
        stated = KPIS.get(kpi.code)
        assert kpi == stated if stated is not None else kpi.figure is None
