"""``simulate --model subscription`` (issue 12, H5): twelfths of the reference window's charge.

The small file has three HYPOTHETICAL departments with only manual payslips, priced by the
bundled 2014 list (payroll.manual 110 kr). The reference window is January-September
(nine months), so each annual amount is the window's charge x 12 / 9.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfprice.app import BillingRequest
from sfprice.app.simulation import (
    ModelSpec,
    Scenario,
    SimulationOutcome,
    SimulationRequest,
    list_model,
    run_simulation,
)
from sfprice.cli import main
from sfprice.engine.listmodel import PriceListModel
from sfprice.engine.listsubscription import (
    ListSubscriptionModel,
    forecast_subscriptions,
    list_subscription_model,
)
from sfprice.engine.simulate import annual_charges, window
from sfprice.engine.subscriptions import monthly_parts
from sfprice.io.pricelists import load_catalog
from sfprice.model import VolumeEntry, VolumeKey, VolumeSet
from sfprice.period import Month
from sfprice.subscription import SubscriptionTerms

D = Decimal
A, B, C = "Arkivet", "Badhuset", "Cirkushuset"
MANUAL = "payroll.manual"
# Manual payslips a month, January..December.
PAYSLIPS = {
    A: [1000] * 12,  # steady: 110 000 kr a month
    B: [100] * 9 + [3000] * 3,  # 11 000 kr a month, then 330 000 kr in October-December
    C: [300, 300, 300, 1000, 300, 300, 300, 300, 300, 300, 300, 300],  # a peak in April
}


def _write(tmp_path: Path) -> Path:
    rows = ["month,department,service,quantity"]
    for department, counts in PAYSLIPS.items():
        rows += [f"2014-{m:02d},{department},{MANUAL},{q}" for m, q in enumerate(counts, 1)]
    path = tmp_path / "volumes.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _simulate(
    tmp_path: Path, *models: ModelSpec, scenarios: tuple[Scenario, ...] = ()
) -> SimulationOutcome:
    request = SimulationRequest(
        BillingRequest((_write(tmp_path),), 2014),
        area="payroll",
        cost=D("2882000.00"),
        models=models,
        scenarios=scenarios,
    )
    return run_simulation(request)


def test_a_subscription_year_by_hand(tmp_path: Path) -> None:
    outcome = _simulate(tmp_path, ModelSpec("subscription"))
    comparison = outcome.comparison
    # Annual amounts: the window's charge x 12 / 9.
    # A: 9 x 1 000 x 110 = 990 000 -> 1 320 000,00; parts 110 000,00.
    # B: 9 x 100 x 110 = 99 000 -> 132 000,00; parts 11 000,00.
    # C: 8 x 300 x 110 + 1 000 x 110 = 264 000 + 110 000 = 374 000 -> 498 666,666.. ->
    #    498 666,67; parts 41 555,55 (1/12 rounded down) x 11, December 41 555,62.
    charges = _monthly(outcome)
    assert charges[A] == [D("110000.00")] * 12  # deviation 0 at every reconciliation
    # B. April: Jan-Apr actual 44 000 - invoiced 44 000 = 0.
    # October: May-Oct actual 5 x 11 000 + 330 000 = 385 000, invoiced 6 x 11 000 = 66 000:
    #   319 000 > 100 000 -> invoiced with October's part: 11 000 + 319 000 = 330 000.
    # December: Nov-Dec actual 660 000 - invoiced 22 000 = 638 000 (final threshold 0):
    #   11 000 + 638 000 = 649 000.
    assert charges[B] == [D("11000.00")] * 9 + [D("330000.00"), D("11000.00"), D("649000.00")]
    # C. April: Jan-Apr actual 3 x 33 000 + 110 000 = 209 000, invoiced 4 x 41 555,55 =
    #   166 222,20: 42 777,80 <= 100 000 -> carried, not invoiced.
    # October: May-Oct actual 6 x 33 000 = 198 000, invoiced 6 x 41 555,55 = 249 333,30:
    #   198 000 - 249 333,30 + 42 777,80 = -8 555,50 -> carried.
    # December: Nov-Dec actual 66 000, invoiced 41 555,55 + 41 555,62 = 83 111,17:
    #   66 000 - 83 111,17 - 8 555,50 = -25 666,67 -> credited: 41 555,62 - 25 666,67 =
    #   15 888,95.
    assert charges[C] == [D("41555.55")] * 11 + [D("15888.95")]
    # The year: the list's charge at the actual volumes, to the öre.
    # A 1 320 000; B 99 000 + 3 x 330 000 = 1 089 000; C 11 x 33 000 + 110 000 = 473 000.
    annual = {r.department: r.annual for r in comparison.departments if r.model == "subscription"}
    unit = {r.department: r.annual for r in comparison.departments if r.model == "unit"}
    assert annual == unit == {A: D("1320000.00"), B: D("1089000.00"), C: D("473000.00")}
    assert comparison.model("subscription").revenue == D("2882000.00")
    # Steering during the year: nothing on the monthly invoice.
    assert comparison.result(C, "subscription").marginal_manual == 0
    # Administration: 12 invoices each; a line a month + one per invoiced reconciliation;
    # corrections: B in October and December, C in December; 3 reconciliations each.
    admin = {
        r.department: (a.invoices, a.lines, a.corrections, a.reconciliations)
        for r in comparison.departments
        if r.model == "subscription" and (a := r.administration) is not None
    }
    assert admin == {A: (12, 12, 0, 3), B: (12, 14, 2, 3), C: (12, 13, 1, 3)}


def _model(
    outcome: SimulationOutcome, terms: SubscriptionTerms | None = None
) -> tuple[ListSubscriptionModel, VolumeSet]:
    """The model as simulate builds it from the outcome's billing run."""
    billed = outcome.billing
    assert billed.volumes is not None
    unit = list_model(billed, area="payroll")
    subs = forecast_subscriptions(
        window(billed.volumes, Month(2014, 1), Month(2014, 9)), unit, 2014, terms
    )
    return list_subscription_model("subscription", subs, unit), billed.volumes


def _monthly(outcome: SimulationOutcome) -> dict[str, list[Decimal]]:
    model, volumes = _model(outcome)
    charges = model.charges(volumes)
    return {d: [charges[(d, Month(2014, m))] for m in range(1, 13)] for d in sorted(PAYSLIPS)}


def test_the_forecast_and_the_reconciliations_by_hand(tmp_path: Path) -> None:
    model, volumes = _model(_simulate(tmp_path, ModelSpec("subscription")))
    subs = model.subscriptions
    by = {s.customer: s for s in subs.subscriptions}
    assert {d: s.annual for d, s in by.items()} == {
        A: D("1320000.00"),
        B: D("132000.00"),
        C: D("498666.67"),
    }
    # Forecast volumes: the window's payslips x 12 / 9 (C: 3 400 x 12 / 9 = 4 533,33..).
    assert by[A].forecast == {MANUAL: D(12000)}
    forecast = by[C].forecast
    assert forecast is not None
    assert forecast[MANUAL] * 9 == D(3400) * 12
    assert monthly_parts(by[C])[-2:] == (D("41555.55"), D("41555.62"))
    assert subs.status == "proposal"
    recs = {(r.customer, r.month.month): r for r in model.reconciliations(volumes)}
    assert [(recs[(B, m)].deviation, recs[(B, m)].invoiced) for m in (4, 10, 12)] == [
        (D("0.00"), False),
        (D("319000.00"), True),
        (D("638000.00"), True),
    ]
    assert [(recs[(C, m)].deviation, recs[(C, m)].invoiced) for m in (4, 10, 12)] == [
        (D("42777.80"), False),
        (D("-8555.50"), False),
        (D("-25666.67"), True),
    ]


def test_a_threshold_under_the_deviation_invoices_it(tmp_path: Path) -> None:
    # subscription:40000: C's April deviation 42 777,80 > 40 000 is invoiced in April:
    # April 41 555,55 + 42 777,80 = 84 333,35; October: May-Oct 198 000 - 249 333,30 =
    # -51 333,30, over 40 000 -> credited: 41 555,55 - 51 333,30 = -9 777,75;
    # December: 66 000 - 83 111,17 = -17 111,17 -> 41 555,62 - 17 111,17 = 24 444,45.
    spec = ModelSpec("subscription", D(40000), "subscription:40000")
    outcome = _simulate(tmp_path, spec)
    comparison = outcome.comparison
    model, volumes = _model(outcome, SubscriptionTerms(threshold=D(40000)))
    charges = model.charges(volumes)
    assert [charges[(C, Month(2014, m))] for m in (4, 10, 12)] == [
        D("84333.35"),
        D("-9777.75"),
        D("24444.45"),
    ]
    assert comparison.result(C, "subscription:40000").annual == D("473000.00")
    # 498 666,67 + 42 777,80 - 51 333,30 - 17 111,17 = 473 000,00; three corrections.
    admin = comparison.result(C, "subscription:40000").administration
    assert admin is not None
    assert (admin.corrections, admin.lines) == (3, 15)


def test_las_documents_and_a_department_that_leaves(tmp_path: Path) -> None:
    # The LAS documents are unpriced: they do not reach the subscription's bill.
    # B leaves from October: its twelfths run to December (the agreement is annual), and
    # the year end settles it to its actual charge: 9 x 11 000 = 99 000.
    scenarios = (
        Scenario("las:100", "las", number=D(100)),
        Scenario("leave:Badhuset@2014-10", "leave", department=B, month=Month(2014, 10)),
    )
    outcome = _simulate(tmp_path, ModelSpec("subscription"), scenarios=scenarios)
    comparison = outcome.comparison
    assert comparison.result(B, "subscription").annual == D("99000.00")
    assert comparison.result(B, "unit").annual == D("99000.00")
    assert comparison.model("subscription").revenue == comparison.model("unit").revenue


_MONTHLY = st.lists(st.integers(0, 3000), min_size=12, max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    counts=st.dictionaries(st.sampled_from([A, B, C]), _MONTHLY, min_size=1),
    threshold=st.sampled_from([D(0), D(5000), D(100000), D(10**9)]),
)
def test_the_year_is_the_list_charge_at_actual_volumes(
    counts: dict[str, list[int]], threshold: Decimal
) -> None:
    """Final threshold 0: parts + corrections = the list's charge, per department, to the öre."""
    catalog = load_catalog()
    volumes = VolumeSet.from_entries(
        VolumeEntry(VolumeKey(Month(2014, m), d, MANUAL), D(q), ())
        for d, qs in counts.items()
        for m, q in enumerate(qs, 1)
    )
    unit = PriceListModel("unit", catalog, year=2014, area="payroll")
    subs = forecast_subscriptions(
        window(volumes, Month(2014, 1), Month(2014, 9)),
        unit,
        2014,
        SubscriptionTerms(threshold=threshold),
    )
    model = list_subscription_model("s", subs, unit)
    assert isinstance(model, ListSubscriptionModel)
    subscribed = annual_charges(model.charges(volumes))
    listed = annual_charges(unit.charges(volumes))
    assert {d: a for d, a in subscribed.items() if a} == {d: a for d, a in listed.items() if a}
    # Every subscribed department gets twelve invoices, whatever its volumes.
    for department, count in model.administration(volumes).items():
        if subs.covers(department, "payroll"):
            assert count.invoices == 12
            assert count.reconciliations == 3


# ------------------------------------------------------------------ the command line


def test_cli_subscription_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["simulate", str(_write(tmp_path)), "--year", "2014", "--budget", "2014-payroll"]
    models = ["--model", "subscription", "--model", "subscription:0"]
    assert main([*args, *models, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    labels = {m["model"]: m["label"] for m in data["models"]}
    # The amounts are formatted with no-break spaces (sfprice.format_amount).
    shown = {m: label.replace("\N{NO-BREAK SPACE}", " ") for m, label in labels.items()}
    assert shown["subscription"] == "abonnemang 1/12, avstämning över 100 000,00 kr"
    assert shown["subscription:0"] == "abonnemang 1/12, avstämning över 0,00 kr"
    revenue = {m["model"]: m["revenue"] for m in data["models"]}
    assert revenue["subscription"] == revenue["subscription:0"] == revenue["unit"] == "2882000.00"


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("subscription:-1", "'subscription:-1': the threshold must be >= 0"),
        ("subscription:x", "'x' is not a number"),
    ],
)
def test_cli_bad_threshold_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], model: str, message: str
) -> None:
    args = ["simulate", str(_write(tmp_path)), "--year", "2014", "--budget", "2014-payroll"]
    with pytest.raises(SystemExit) as exit_info:
        main([*args, "--model", model])
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert message in err
