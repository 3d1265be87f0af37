"""Subscriptions (issue 12): twelfths, reconciliations in April and October, the register.

The example is examples/subscriptions-2014.toml over examples/volumes-2014-subscriptions.csv
(HYPOTHETICAL volumes), priced by the bundled 2014 list: payroll.self_service 57 kr,
payroll.manual 110 kr.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfprice.app import BillingRequest
from sfprice.app.recovery import RequestError
from sfprice.app.subscriptions import (
    SubscriptionOutcome,
    SubscriptionRequest,
    run_subscriptions,
    subscriptions_for_issue,
)
from sfprice.cli import main
from sfprice.engine.subscriptions import SubscriptionModel, monthly_parts, reconcile
from sfprice.errors import InputError
from sfprice.io.pricelists import load_catalog
from sfprice.io.subscriptions import read_subscriptions
from sfprice.io.volumes import read_volume_files
from sfprice.period import Month
from sfprice.subscription import Subscription, Subscriptions, SubscriptionTerms

REPO = Path(__file__).resolve().parents[1]
VOLUMES = REPO / "examples" / "volumes-2014-subscriptions.csv"
AGREEMENTS = REPO / "examples" / "subscriptions-2014.toml"
D = Decimal
KULTUR, UTB, MILJO = "Kulturförvaltningen", "Utbildningsförvaltningen", "Miljöförvaltningen"


def _outcome() -> SubscriptionOutcome:
    return run_subscriptions(SubscriptionRequest(BillingRequest((VOLUMES,), 2014), AGREEMENTS))


def test_reader_prices_the_forecast_by_the_list() -> None:
    subs = read_subscriptions(AGREEMENTS, catalog=load_catalog(), year=2014)
    annual = {s.customer: s.annual for s in subs.subscriptions}
    # Kultur: 8 400 x 57 + 3 600 x 110 = 478 800 + 396 000 = 874 800
    # Utbildning: 60 000 x 57 + 18 000 x 110 = 3 420 000 + 1 980 000 = 5 400 000
    assert annual == {KULTUR: D("874800.00"), UTB: D("5400000.00"), MILJO: D("300000.00")}
    assert subs.terms == SubscriptionTerms((4, 10, 12), D(100000), D(0))
    assert subs.status == "agreed"


def test_a_subscription_year_by_hand() -> None:
    outcome = _outcome()
    recs = {(r.customer, r.month.month): r for r in outcome.reconciliations}
    # Utbildning, part 5 400 000 / 12 = 450 000 a month.
    # Jan-Apr: actual 4 x (6 000 x 57 + 1 800 x 110) = 4 x 540 000 = 2 160 000;
    #   invoiced 4 x 450 000 = 1 800 000; deviation 360 000 > 100 000: invoiced in April.
    assert recs[(UTB, 4)].deviation == D("360000.00")
    assert recs[(UTB, 4)].invoiced
    # May-Oct: 6 x (5 000 x 57 + 1 500 x 110) = 6 x 450 000 = 2 700 000 = invoiced: 0.
    assert recs[(UTB, 10)].deviation == D("0.00")
    assert not recs[(UTB, 10)].invoiced
    # Nov-Dec: 2 x (4 000 x 57 + 1 000 x 110) = 2 x 338 000 = 676 000 - 900 000 = -224 000,
    #   final threshold 0: credited in December.
    assert recs[(UTB, 12)].correction == D("-224000.00")
    # Kultur, part 874 800 / 12 = 72 900.
    # Jan-Apr: 4 x (800 x 57 + 350 x 110) = 4 x 84 100 = 336 400 - 291 600 = 44 800
    #   <= 100 000: NOT invoiced, carried.
    assert not recs[(KULTUR, 4)].invoiced
    assert recs[(KULTUR, 4)].carried == D("44800.00")
    # May-Oct: 6 x (800 x 57 + 400 x 110) = 6 x 89 600 = 537 600 - 437 400 = 100 200,
    #   + 44 800 carried = 145 000 > 100 000: invoiced in October.
    assert recs[(KULTUR, 10)].correction == D("145000.00")
    # Nov-Dec: 2 x (700 x 57 + 300 x 110) = 2 x 72 900 = 145 800 = invoiced: nothing.
    assert recs[(KULTUR, 12)].deviation == D("0.00")
    assert not recs[(KULTUR, 12)].invoiced
    # Miljö has a fixed price: 22 400 a month actual against 25 000; reported, never invoiced.
    # Dec: 12 x 22 400 - 300 000 = -31 200.
    assert recs[(MILJO, 12)].deviation == D("-31200.00")
    assert not any(r.invoiced for r in outcome.reconciliations if r.customer == MILJO)


def test_the_year_total_per_customer_equals_its_actual_charge() -> None:
    outcome = _outcome()
    totals: dict[str, Decimal] = {}
    for invoice in outcome.run.invoices:
        totals[invoice.department] = totals.get(invoice.department, D(0)) + invoice.total
    # Kultur 336 400 + 537 600 + 145 800 = 1 019 800 = 874 800 + 145 000
    assert totals[KULTUR] == D("1019800.00")
    # Utbildning 2 160 000 + 2 700 000 + 676 000 = 5 536 000 = 5 400 000 + 360 000 - 224 000
    assert totals[UTB] == D("5536000.00")
    assert totals[MILJO] == D("300000.00")  # the fixed price, whatever the volumes
    # Not subscribed: per unit, 12 x (100 x 57 + 50 x 110) = 12 x 11 200 = 134 400
    assert totals["Stadsbyggnadsförvaltningen"] == D("134400.00")


def test_subscription_model_shares_the_calculation() -> None:
    catalog = load_catalog()
    subs = read_subscriptions(AGREEMENTS, catalog=catalog, year=2014)
    volumes = read_volume_files([VOLUMES], catalog=catalog, year=2014)
    model = SubscriptionModel("abonnemang", subs, catalog)
    charges = model.charges(volumes)
    assert charges[(UTB, Month(2014, 4))] == D("810000.00")  # 450 000 + 360 000
    assert charges[(KULTUR, Month(2014, 10))] == D("217900.00")  # 72 900 + 145 000
    assert model.marginal_price("payroll.manual") == 0
    admin = model.administration(volumes)
    # 12 invoices, 12 lines + one per invoiced reconciliation, 3 reconciliation points
    assert (admin[UTB].invoices, admin[UTB].lines, admin[UTB].corrections) == (12, 14, 2)
    assert (admin[KULTUR].lines, admin[KULTUR].corrections, admin[KULTUR].reconciliations) == (
        13,
        1,
        3,
    )
    assert admin[MILJO].corrections == 0


_amounts = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    annual=_amounts,
    actual=st.lists(_amounts, min_size=12, max_size=12),
    threshold=st.decimals(min_value=0, max_value=500_000, places=0),
    months=st.lists(st.integers(1, 11), unique=True, max_size=4).map(lambda m: (*sorted(m), 12)),
)
def test_properties(
    annual: Decimal, actual: list[Decimal], threshold: Decimal, months: tuple[int, ...]
) -> None:
    sub = Subscription("A", "payroll", annual, {"payroll.manual": D(1)})
    assert sum(monthly_parts(sub), D(0)) == annual
    subs = Subscriptions(2014, (sub,), SubscriptionTerms(months, threshold, D(0)))
    charges = {("A", "payroll", Month(2014, m + 1)): a for m, a in enumerate(actual)}
    recs = reconcile(subs, charges)
    total = annual + sum((r.correction for r in recs), D(0))
    assert total == sum(actual, D(0))  # after the final reconciliation: the actual charge
    assert all(abs(r.deviation) > threshold for r in recs[:-1] if r.invoiced)
    assert all(abs(r.deviation) <= threshold for r in recs[:-1] if not r.invoiced)
    # Reordering the input changes nothing.
    other = Subscription("B", "payroll", annual, {"payroll.manual": D(1)})
    both = Subscriptions(2014, (sub, other), subs.terms)
    flipped = Subscriptions(2014, (other, sub), subs.terms)
    reversed_charges = dict(reversed(list(charges.items())))
    assert reconcile(both, charges) == reconcile(flipped, reversed_charges)


def test_issue_is_idempotent_and_a_proposal_is_refused(tmp_path: Path) -> None:
    register = tmp_path / "r.db"
    args = [
        "subscriptions", "issue", str(VOLUMES), "--subscriptions", str(AGREEMENTS),
        "--period", "2014-04", "--register", str(register), "--format", "json",
    ]  # fmt: skip
    assert main(args) == 0
    assert main(args) == 0  # nothing changed, nothing written
    import sqlite3

    with sqlite3.connect(register) as db:
        count = db.execute("SELECT count(*) FROM documents").fetchone()[0]
        total = db.execute("SELECT total FROM documents WHERE department = ?", (UTB,)).fetchone()[0]
    assert count == 4
    assert D(total) == D("810000.00")
    proposal = tmp_path / "proposal.toml"
    proposal.write_text(
        AGREEMENTS.read_text(encoding="utf-8").replace('status = "agreed"', 'status = "proposal"'),
        encoding="utf-8",
    )
    request = SubscriptionRequest(BillingRequest((VOLUMES,), 2014), proposal)
    with pytest.raises(RequestError, match="proposal"):
        subscriptions_for_issue(request, Month(2014, 4))


def test_report_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["subscriptions", "report", str(VOLUMES), "--year", "2014",
                 "--subscriptions", str(AGREEMENTS), "--format", "json",
                 "--through", "2014-04"]) == 0  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert [r["month"] for r in data["reconciliations"]] == ["2014-04"] * 3
    assert {r["customer"]: r["correction"] for r in data["reconciliations"]}[UTB] == "360000.00"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('kind = "subscriptions"', 'kind = "pricelist"'), "not a subscription agreement file"),
        (("year = 2014", "year = 2015"), "are for 2015, not 2014"),
        (('status = "agreed"', 'status = "draft"'), "status 'draft'"),
        (("months = [4, 10, 12]", "months = [10, 4, 12]"), "not increasing"),
        (("months = [4, 10, 12]", "months = [4, 13]"), "1..12"),
        (("months = [4, 10, 12]", "months = [4, 10]"), "do not end with 12"),
        (("threshold = 100000", "threshold = -1"), "negative"),
        (('customer = "Kulturförvaltningen"', 'customer = "Kulturförvaltnigen"'),
         "did you mean 'Kulturförvaltningen'"),
        (("annual = 300000.00", "annual = -5"), "negative"),
        (('"payroll.manual" = 3600', '"payroll.manul" = 3600'), "unknown service"),
        (('area = "payroll"\nannual', 'area = "payroll"\nforecast = {}\nannual'), "got both"),
        (('customer = "Miljöförvaltningen"', 'customer = "Kulturförvaltningen"'),
         "already subscribes"),
    ],
)  # fmt: skip
def test_reader_errors_are_located(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    text = AGREEMENTS.read_text(encoding="utf-8")
    assert change[0] in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    departments = (KULTUR, UTB, MILJO, "Stadsbyggnadsförvaltningen")
    with pytest.raises(InputError) as caught:
        read_subscriptions(bad, catalog=load_catalog(), departments=departments, year=2014)
    issue = caught.value.issues[0]
    assert expected in issue.message
    assert issue.line is not None


def test_docs_console_example_is_real_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import re
    import shlex

    page = (REPO / "docs" / "subscriptions.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```console\n(.*?)```", page, re.DOTALL)
    assert blocks
    for block in blocks:
        command, *output = block.rstrip("\n").split("\n")
        monkeypatch.chdir(REPO)
        assert main(shlex.split(command.removeprefix("$ "))[3:]) == 0
        assert capsys.readouterr().out.rstrip("\n") == "\n".join(output)


def test_changed_volumes_after_issue_credit_and_reissue(tmp_path: Path) -> None:
    register = tmp_path / "r.db"

    def issue(volumes: Path) -> int:
        args = ["subscriptions", "issue", str(volumes), "--subscriptions", str(AGREEMENTS)]
        return main([*args, "--period", "2014-04", "--register", str(register)])

    assert issue(VOLUMES) == 0
    revised = tmp_path / "revised.csv"
    # Utbildning reports 100 more manual payslips in February: +100 x 110 = 11 000, so the
    # April deviation becomes 360 000 + 11 000 = 371 000.
    revised.write_text(
        VOLUMES.read_text(encoding="utf-8").replace(
            f"2014-02,{UTB},payroll.manual,1800", f"2014-02,{UTB},payroll.manual,1900"
        ),
        encoding="utf-8",
    )
    assert issue(revised) == 0
    import sqlite3

    with sqlite3.connect(register) as db:
        rows = db.execute(
            "SELECT kind, total FROM documents WHERE department = ? ORDER BY id", (UTB,)
        ).fetchall()
    # the first April invoice, its credit note, the new one: 450 000 + 371 000
    assert [(k, D(t)) for k, t in rows] == [
        ("invoice", D("810000.00")),
        ("credit_note", D("-810000.00")),
        ("invoice", D("821000.00")),
    ]
