"""``plan``: next year's draft price list and subscriptions from this year's volumes (issue 12).

The example (all figures HYPOTHETICAL/ASSUMED, see the files' comments):

- ``examples/volumes-2025.csv``: every month of 2025 the same payslips per department:
  Exploateringsförvaltningen 40 self-service + 5 manual, Kulturförvaltningen 640 + 90,
  Skarpnäcks stadsdelsförvaltning 2 450 + 600, Stadsbyggnadsförvaltningen 1 200 + 300.
  A year: self-service 12 x 4 330 = 51 960, manual 12 x 995 = 11 940, together 63 900.
- ``examples/plan-2026/pricelist-2025.toml``: 57 kr self-service, 110 kr manual.
- ``examples/plan-2026/budget-2026-payroll.toml``: staff 2 500 000 x 1,434 = 3 585 000 kr
  + overhead 1 215 000 kr = full cost 4 800 000 kr; other revenue 100 000 kr; opening
  balance (a surplus carried in) 200 000 kr.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfprice.app import BillingRequest, BudgetRequest, RequestError
from sfprice.app.planning import PlanRequest, plan_next_year, share_by_charge, shift_volumes
from sfprice.cli import main
from sfprice.engine.billing import bill
from sfprice.errors import InputError
from sfprice.io.pricelists import load_pricelist
from sfprice.io.volumes import read_volume_files
from sfprice.model import PriceCatalog

D = Decimal
REPO = Path(__file__).resolve().parents[1]
VOLUMES = REPO / "examples" / "volumes-2025.csv"
PRICES = REPO / "examples" / "plan-2026" / "pricelist-2025.toml"
BUDGET = REPO / "examples" / "plan-2026" / "budget-2026-payroll.toml"
CUSTOMERS = REPO / "examples" / "customers-2026.csv"


def _request(**changes: object) -> PlanRequest:
    fields: dict[str, object] = {
        "billing": BillingRequest((VOLUMES,), 2025, (PRICES,), customers=CUSTOMERS),
        "budget": BudgetRequest(BUDGET),
        "year": 2026,
        "rule": "surcharge",
        "subscriptions": "amount",
    }
    fields.update(changes)
    return PlanRequest(**fields)  # type: ignore[arg-type]


def test_the_cost_to_recover_and_the_prices_by_hand() -> None:
    outcome = plan_next_year(_request()).plan
    # 4 800 000 full cost - 100 000 other revenue - 200 000 surplus carried in.
    assert (outcome.full_cost, outcome.other_revenue, outcome.carried) == (
        D(4800000),
        D(100000),
        D(200000),
    )
    assert outcome.cost_to_recover == D(4500000)
    assert list(outcome.basis.items()) == [
        ("payroll.self_service", D(51960)),
        ("payroll.manual", D(11940)),
    ]
    # Surcharge rule: manual keeps its 110 - 57 = 53 kr surcharge.
    # p = (4 500 000 - 11 940 x 53) / 63 900 = (4 500 000 - 632 820) / 63 900
    #   = 3 867 180 / 63 900 = 60,5192...  -> 61; manual 113,5192... -> 114.
    assert outcome.result.prices == {"payroll.self_service": D(61), "payroll.manual": D(114)}
    assert [(c.code, c.old, c.new) for c in outcome.changes] == [
        ("payroll.self_service", D(57), D(61)),
        ("payroll.manual", D(110), D(114)),
    ]
    # 51 960 x 61 + 11 940 x 114 = 3 169 560 + 1 361 160 = 4 530 720: 30 720 over.
    assert outcome.result.revenue == D(4530720)
    assert outcome.result.residual == D(30720)
    assert outcome.draft_revenue == D("4530720.00")
    assert outcome.draft.id == "2026-forslag"
    assert outcome.draft.status == "proposal"
    assert str(outcome.draft.valid_from) == "2026-01-01"
    assert "FÖRSLAG" in outcome.draft.title
    assert all(
        "2025 års volymer" in item.source and "2026-plan-example" in item.source
        for item in outcome.draft.items
    )


@pytest.mark.parametrize(
    ("carried", "cost", "prices"),
    [
        # No carried result: 4 800 000 - 100 000 = 4 700 000;
        # (4 700 000 - 632 820) / 63 900 = 63,649... -> 64, manual 116,649... -> 117.
        (D(0), D(4700000), (D(64), D(117))),
        # A deficit of 200 000 raises it: 4 900 000;
        # (4 900 000 - 632 820) / 63 900 = 66,779... -> 67, manual 119,779... -> 120.
        (D(-200000), D(4900000), (D(67), D(120))),
    ],
)
def test_the_carried_result_lowers_or_raises_the_cost(
    carried: Decimal, cost: Decimal, prices: tuple[Decimal, Decimal]
) -> None:
    outcome = plan_next_year(_request(carried=carried, carried_source="HYPOTHETICAL")).plan
    assert outcome.cost_to_recover == cost
    assert outcome.carried_source == "HYPOTHETICAL"
    assert (
        outcome.result.prices["payroll.self_service"],
        outcome.result.prices["payroll.manual"],
    ) == prices


def test_the_carried_result_from_year_ns_balance_by_hand() -> None:
    budget_2025 = REPO / "examples" / "plan-2026" / "budget-2025-payroll.toml"
    outcome = plan_next_year(_request(carried_from=BudgetRequest(budget_2025))).plan
    # 2025: billed 4 275 120 against a cost of 4 000 000, nothing carried in:
    # closing balance 0 + 275 120 = 275 120 kr, a surplus carried into 2026.
    assert outcome.carried == D(275120)
    assert "closing balance 2025" in outcome.carried_source
    # 4 800 000 - 100 000 - 275 120 = 4 424 880;
    # (4 424 880 - 632 820) / 63 900 = 3 792 060 / 63 900 = 59,3437... -> 59; manual 112.
    assert outcome.cost_to_recover == D(4424880)
    assert outcome.result.prices == {"payroll.self_service": D(59), "payroll.manual": D(112)}
    # 51 960 x 59 + 11 940 x 112 = 3 065 640 + 1 337 280 = 4 402 920: 21 960 short.
    assert outcome.result.residual == D(-21960)


def test_the_summary_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    args = [
        "plan", str(VOLUMES), "--from-year", "2025", "--year", "2026",
        "--budget", str(BUDGET), "--rule", "surcharge", "--pricelists", str(PRICES),
        "--customers", str(CUSTOMERS), "--format", "json",
        "--output", "/dev/null", "--subscriptions-output", "/dev/null",
    ]  # fmt: skip
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["cost_to_recover"], data["carried"], data["draft"]) == (
        "4500000.00",
        "200000",
        "2026-forslag",
    )
    assert data["prices"][0] == {"service": "payroll.self_service", "old": "57", "new": "61"}
    assert [s["annual"] for s in data["subscriptions"]] == [
        "35746.36",
        "585836.19",
        "2597611.30",
        "1280806.15",
    ]
    assert data["new_customers"] == ["Miljöförvaltningen"]


def test_the_annual_amounts_by_hand() -> None:
    outcome = plan_next_year(_request()).plan
    # 2025 charges: 12 x (40 x 57 + 5 x 110) = 12 x 2 830 = 33 960; 12 x (640 x 57 + 90 x 110)
    # = 12 x 46 380 = 556 560; 12 x 205 650 = 2 467 800; 12 x 101 400 = 1 216 800;
    # together 12 x 356 260 = 4 275 120.
    # Shares of 4 500 000: x 2 830 / 356 260 = 35 746,365..., x 46 380 / 356 260 =
    # 585 836,187..., x 205 650 / 356 260 = 2 597 611,295..., x 101 400 / 356 260 =
    # 1 280 806,152.... Rounded down they sum to 4 499 999,98; the 2 öre left go to the
    # largest remainders, Kultur (0,705) and Skarpnäck (0,512).
    assert {s.customer: (s.charge, s.annual) for s in outcome.subscriptions} == {
        "Exploateringsförvaltningen": (D(33960), D("35746.36")),
        "Kulturförvaltningen": (D(556560), D("585836.19")),
        "Skarpnäcks stadsdelsförvaltning": (D(2467800), D("2597611.30")),
        "Stadsbyggnadsförvaltningen": (D(1216800), D("1280806.15")),
    }
    assert sum(s.annual for s in outcome.subscriptions) == outcome.cost_to_recover
    # Miljöförvaltningen joins in 2026: no 2025 charge, so no share (said in the summary).
    assert outcome.new_customers == ("Miljöförvaltningen",)


def test_subscriptions_by_volume_are_priced_by_the_draft() -> None:
    outcome = plan_next_year(_request(subscriptions="volumes")).plan
    first = outcome.subscriptions[0]
    assert first.customer == "Exploateringsförvaltningen"
    # 12 x 40 = 480 self-service x 61 + 12 x 5 = 60 manual x 114 = 29 280 + 6 840.
    assert first.forecast == {"payroll.self_service": D(480), "payroll.manual": D(60)}
    assert first.annual == D(36120)


def test_a_forecast_is_the_price_basis(tmp_path: Path) -> None:
    forecast = tmp_path / "forecast.csv"
    forecast.write_text("service,quantity\npayroll.self_service,60000\npayroll.manual,10000\n")
    outcome = plan_next_year(_request(forecast=forecast, quantum=D("0.01"))).plan
    # (4 500 000 - 10 000 x 53) / 70 000 = 3 970 000 / 70 000 = 56,714285... -> 56,71;
    # manual 109,714285... -> 109,71.
    assert outcome.result.prices == {
        "payroll.self_service": D("56.71"),
        "payroll.manual": D("109.71"),
    }
    assert outcome.draft_revenue is None
    # The shares still follow the 2025 charges and sum to the cost.
    assert sum(s.annual for s in outcome.subscriptions) == D(4500000)


@pytest.mark.parametrize(
    ("quantum", "bound"),
    [
        # Each price is within quantum / 2 of its exact value, so the revenue is within
        # quantum / 2 x 63 900 payslips of the target: 31 950 kr at whole kronor,
        # 319,50 kr at öre.
        (D(1), D(31950)),
        (D("0.01"), D("319.50")),
    ],
)
def test_the_written_draft_bills_the_shifted_volumes_to_the_cost(
    tmp_path: Path, quantum: Decimal, bound: Decimal
) -> None:
    draft_file = tmp_path / "forslag-2026.toml"
    args = [
        "plan", str(VOLUMES), "--from-year", "2025", "--year", "2026",
        "--budget", str(BUDGET), "--rule", "surcharge", "--pricelists", str(PRICES),
        "--quantum", str(quantum), "--output", str(draft_file),
    ]  # fmt: skip
    assert main(args) == 0
    draft = load_pricelist(draft_file)
    assert (draft.id, draft.status) == ("2026-forslag", "proposal")
    assert draft_file.read_text(encoding="utf-8").startswith("# FÖRSLAG")
    volumes = read_volume_files([VOLUMES], catalog=PriceCatalog((draft,)), year=2025)
    run = bill(PriceCatalog((draft,)), shift_volumes(volumes), year=2026)
    assert {i.month.year for i in run.invoices} == {2026}
    assert abs(run.total - D(4500000)) <= bound
    # öre: 51 960 x 60,52 + 11 940 x 113,52 = 3 144 619,20 + 1 355 428,80 = 4 500 048.
    if quantum == D("0.01"):
        assert run.total == D("4500048.00")


def test_the_subscription_draft_has_the_specs_shape(tmp_path: Path) -> None:
    draft_file, subs_file = tmp_path / "forslag.toml", tmp_path / "abonnemang.toml"
    args = [
        "plan", str(VOLUMES), "--from-year", "2025", "--year", "2026",
        "--budget", str(BUDGET), "--rule", "surcharge", "--pricelists", str(PRICES),
        "--customers", str(CUSTOMERS),
        "--output", str(draft_file), "--subscriptions-output", str(subs_file),
    ]  # fmt: skip
    assert main(args) == 0
    data = tomllib.loads(subs_file.read_text(encoding="utf-8"), parse_float=Decimal)
    assert (data["kind"], data["year"], data["status"]) == ("subscriptions", 2026, "proposal")
    assert data["pricelist"] == "2026-forslag"
    assert data["reconciliation"] == {
        "months": [4, 10, 12],
        "threshold": 100000,
        "final_threshold": 0,
    }
    subs = data["subscriptions"]
    assert {tuple(sorted(s)) for s in subs} == {("annual", "area", "customer", "source")}
    assert sum(s["annual"] for s in subs) == D(4500000)
    assert subs[0]["customer"] == "Exploateringsförvaltningen"


@given(
    carried=st.decimals(min_value=-2_000_000, max_value=4_000_000, places=2),
)
@settings(max_examples=15)
def test_the_annual_amounts_always_sum_to_the_cost_to_recover(carried: Decimal) -> None:
    outcome = plan_next_year(_request(carried=carried, carried_source="HYPOTHETICAL")).plan
    assert outcome.cost_to_recover == D(4700000) - carried
    assert sum(s.annual for s in outcome.subscriptions) == outcome.cost_to_recover


@given(
    rule=st.sampled_from(["average", "ratio", "surcharge"]),
    quantum=st.sampled_from([D("0.01"), D("0.5"), D(1), D(10)]),
    carried=st.decimals(min_value=-1_000_000, max_value=1_000_000, places=2),
)
@settings(max_examples=20)
def test_the_draft_recovers_the_target_within_the_rounding_bound(
    rule: str, quantum: Decimal, carried: Decimal
) -> None:
    plan = plan_next_year(
        _request(rule=rule, quantum=quantum, carried=carried, carried_source="HYPOTHETICAL")
    ).plan
    # Each price is within quantum / 2 of its exact value; 63 900 payslips in the basis.
    assert plan.draft_revenue is not None
    assert abs(plan.draft_revenue - plan.result.target) <= quantum / 2 * 63900
    assert plan.draft_revenue == plan.result.revenue  # billing agrees with the solver


@given(
    total=st.decimals(min_value=-(10**9), max_value=10**9, places=2),
    charges=st.dictionaries(
        st.text(min_size=1, max_size=5),
        st.decimals(min_value=0, max_value=10**7, places=2),
        min_size=1,
        max_size=8,
    ).filter(lambda c: any(c.values())),
)
def test_shares_sum_exactly_and_leave_out_the_uncharged(
    total: Decimal, charges: dict[str, Decimal]
) -> None:
    shares = share_by_charge(total, charges)
    assert sum(shares.values(), D(0)) == total
    assert set(shares) == {name for name, charge in charges.items() if charge > 0}


def test_the_volumes_must_be_of_the_year_before() -> None:
    request = _request(billing=BillingRequest((VOLUMES,), 2024, (PRICES,)))
    with pytest.raises(RequestError, match="the volumes are for 2024, but a plan for 2026"):
        plan_next_year(request)


def test_the_budget_must_be_for_the_year_planned() -> None:
    with pytest.raises(InputError) as caught:
        plan_next_year(_request(year=2027, billing=BillingRequest((VOLUMES,), 2026, (PRICES,))))
    issue = caught.value.issues[0]
    assert (issue.field, issue.path) == ("year", str(BUDGET))
    assert "budget 2026-plan-example is for 2026, not 2027" in issue.message


def test_an_area_the_budget_does_not_sell_is_refused() -> None:
    with pytest.raises(RequestError, match="'economy' is not a selling area"):
        plan_next_year(_request(area="economy"))


def test_a_carried_amount_needs_its_source() -> None:
    with pytest.raises(RequestError, match="needs its source"):
        plan_next_year(_request(carried=D(1)))


def test_an_existing_draft_is_kept_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft_file = tmp_path / "forslag.toml"
    draft_file.write_text("kept\n", encoding="utf-8")
    args = [
        "plan", str(VOLUMES), "--from-year", "2025", "--year", "2026",
        "--budget", str(BUDGET), "--rule", "surcharge", "--pricelists", str(PRICES),
        "--output", str(draft_file),
    ]  # fmt: skip
    assert main(args) == 2
    assert "already exists; give --force" in capsys.readouterr().err
    assert draft_file.read_text(encoding="utf-8") == "kept\n"
    assert main([*args, "--force"]) == 0
    assert load_pricelist(draft_file).id == "2026-forslag"


def test_same_year_commands_point_to_plan(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "balance", str(VOLUMES), "--year", "2025", "--budget", str(BUDGET),
        "--pricelists", str(PRICES),
    ]  # fmt: skip
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "budget 2026-plan-example is for 2026, not 2025" in err
    assert "run 'python -m sfprice plan'" in err
    # Two years apart: plan cannot help, and the message does not offer it.
    assert main([*args[:3], "2024", *args[4:]]) == 2
    assert "sfprice plan" not in capsys.readouterr().err
