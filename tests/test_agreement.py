"""Every command that prices volumes agrees with ``bill``, to the öre (issue 10, Done when).

For every bundled and example price list with its volumes (and the example customer
register, and the 2010 allocation pools): ``bill``, ``issue`` (the issued invoices'
totals), ``simulate`` (the model "as the list stands") and ``balance`` (billed revenue
per month of each business area) give the same figures in total and per department.
``kpi`` has no revenue figure: it measures billed units, and its self-service share
is checked against the run's quantities month by month.

Checked twice: through the application services the CLI calls, and once per command
through ``sfprice.cli.main`` with ``--format json``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from sfprice.app import BillingOutcome, BillingRequest, run_billing
from sfprice.app.simulation import ModelSpec, Scenario, SimulationRequest, run_simulation
from sfprice.cli import main
from sfprice.engine.recovery import area_revenue_by_month
from sfprice.period import Month

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"

MODELS_2026 = sorted((EXAMPLES / "pricelists-2026-models").glob("*.toml"))


@dataclass(frozen=True)
class Case:
    name: str
    volumes: Path
    year: int
    pricelists: tuple[Path, ...] = ()
    customers: Path | None = None
    allocations: Path | None = None
    budget: str | None = None  # a bundled budget of the year, or None for a made-up one
    agreements: Path | None = None

    def request(self) -> BillingRequest:
        return BillingRequest(
            (self.volumes,),
            self.year,
            self.pricelists,
            self.customers,
            self.allocations,
            agreements=self.agreements,
        )

    def billing_args(self) -> list[str]:
        args = [str(self.volumes)]
        for source in self.pricelists:
            args += ["--pricelists", str(source)]
        if self.customers is not None:
            args += ["--customers", str(self.customers)]
        if self.allocations is not None:
            args += ["--allocations", str(self.allocations)]
        if self.agreements is not None:
            args += ["--agreements", str(self.agreements)]
        return args


CASES = [
    Case("2010", EXAMPLES / "volumes-2010.csv", 2010, budget="2010-administration"),
    Case(
        "2010-allocations",
        EXAMPLES / "volumes-2010.csv",
        2010,
        allocations=EXAMPLES / "allocations-2010.toml",
        budget="2010-administration",
    ),
    Case("2014", EXAMPLES / "volumes-2014.csv", 2014, budget="2014-payroll"),
    Case("2014-revised", EXAMPLES / "volumes-2014-revised.csv", 2014, budget="2014-payroll"),
    # Issue 11: an own price, a discount and an add-on (examples/agreements-2014.toml).
    Case(
        "2014-agreements",
        EXAMPLES / "volumes-2014.csv",
        2014,
        budget="2014-payroll",
        agreements=EXAMPLES / "agreements-2014.toml",
    ),
    *(
        Case(
            path.stem,
            EXAMPLES / "volumes-2026.csv",
            2026,
            pricelists=(path,),
            customers=EXAMPLES / "customers-2026.csv",
        )
        for path in MODELS_2026
    ),
    Case(
        "rounding",
        REPO / "docs/examples/rounding/volumes.csv",
        2015,
        pricelists=(REPO / "docs/examples/rounding/pricelists",),
    ),
]
IDS = [c.name for c in CASES]


def _by_area(outcome: BillingOutcome) -> dict[str, dict[str, Decimal]]:
    """Billed amount per business area and department (from the run's lines)."""
    found: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for invoice, line in outcome.run.lines:
        found[line.business_area][invoice.department] += line.amount
    return {area: dict(amounts) for area, amounts in found.items()}


def test_the_cases_cover_every_example_list() -> None:
    assert len(MODELS_2026) == 5  # employees, fixed, package, surcharge, tiered
    assert {c.pricelists[0].stem for c in CASES if c.year == 2026} == {p.stem for p in MODELS_2026}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_simulate_and_balance_agree_with_bill(case: Case) -> None:
    outcome = run_billing(case.request())
    assert outcome.run.invoices
    areas = _by_area(outcome)
    # Every line belongs to one area: the areas add up to the bill.
    assert sum(sum(a.values()) for a in areas.values()) == outcome.run.total
    for area, per_department in areas.items():
        simulated = run_simulation(
            SimulationRequest(
                case.request(), area=area, cost=Decimal(0), models=(ModelSpec("unit"),)
            )
        )
        comparison = simulated.comparison
        assert comparison.model("unit").revenue == sum(per_department.values()), area
        for department, amount in per_department.items():
            assert comparison.result(department, "unit").annual == amount, (area, department)
        # balance's billed revenue of the area, month by month
        by_month = area_revenue_by_month(outcome.run, area, case.year)
        assert sum(by_month.values()) == sum(per_department.values())


def test_2026_employees_simulates_what_bill_charges() -> None:
    # The figure of issue 10: simulate reported 314 160 kr (unit lines only) where bill
    # charges 892 960 kr. By hand, over the two months of examples/volumes-2026.csv:
    #   manual payslips        2 008 x 70 kr                                  = 140 560
    #   self-service payslips  8 680 x 20 kr                                  = 173 600
    #   per employee   (310 + 720 + 260 + 3 050 + 1 480) = 5 820 x 45 kr x 2 = 523 800
    #   base fees      (9 000 + 6 500 + 3 x 4 000) = 27 500 kr x 2            =  55 000
    #   total                                                                 = 892 960
    case = next(c for c in CASES if c.name == "2026-employees")
    simulated = run_simulation(
        SimulationRequest(
            case.request(), area="payroll", cost=Decimal(0), models=(ModelSpec("unit"),)
        )
    )
    assert simulated.comparison.model("unit").revenue == Decimal("892960.00")
    assert run_billing(case.request()).run.total == Decimal("892960.00")


# ------------------------------------------------------------------ through the CLI


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert isinstance(data, dict)
    return data


def _budget(case: Case, tmp_path: Path) -> str:
    """The case's budget; for a year without one, the 2014 payroll budget moved to it."""
    if case.budget is not None:
        return case.budget
    text = (REPO / "budgets/2014-payroll.toml").read_text(encoding="utf-8")
    text = text.replace('id = "2014-payroll"', f'id = "{case.year}-test"')
    text = text.replace("year = 2014", f"year = {case.year}")
    path = tmp_path / f"budget-{case.year}.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


CLI_CASES = [c for c in CASES if c.name != "rounding"]  # no budget has its area


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.name for c in CLI_CASES])
def test_cli_commands_agree_with_bill(
    case: Case, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    outcome = run_billing(case.request())
    areas = _by_area(outcome)
    year = str(case.year)
    billed = _cli(capsys, "bill", *case.billing_args(), "--year", year, "--format", "json")
    assert Decimal(str(billed["total"])) == outcome.run.total
    per_department: dict[str, Decimal] = defaultdict(Decimal)
    for invoice in billed["invoices"]:  # type: ignore[attr-defined]
        per_department[invoice["department"]] += Decimal(invoice["total"])
    assert dict(per_department) == outcome.run.totals_by_department()

    budget = _budget(case, tmp_path)
    for area in ("payroll", "procurement", "economy"):
        if area not in areas:
            continue
        if case.agreements is not None and area == "economy":
            continue  # the add-on's area: not a selling area of 2014-payroll (bill, issue check it)
        expected = areas[area]
        area_args = ["--year", year, "--budget", budget, "--area", area, "--format", "json"]
        simulated = _cli(capsys, "simulate", *case.billing_args(), *area_args, "--model", "unit")
        models = simulated["models"]
        assert Decimal(models[0]["revenue"]) == sum(expected.values())  # type: ignore[index]
        for row in simulated["rows"]:  # type: ignore[attr-defined]
            assert Decimal(row["annual"]) == expected.get(row["department"], Decimal(0))
        balance = _cli(capsys, "balance", *case.billing_args(), *area_args)
        months = [r for r in balance["rows"] if len(r["period"]) == 7]  # type: ignore[attr-defined]
        by_month = area_revenue_by_month(outcome.run, area, case.year)
        for row in months:
            assert Decimal(row["billed"]) == by_month[int(row["period"][5:])], row
        if case.allocations is None:
            # Actuals run through the last month with volumes: here every month billed.
            # (Allocation pools fill all twelve months; balance shows actuals only.)
            billed_months = sum(Decimal(r["billed"]) for r in months)
            assert billed_months == sum(expected.values())

    # kpi measures billed units (no revenue): the self-service share of payslips is the
    # run's self-service quantity over self-service plus manual, month by month.
    kpi = _cli(capsys, "kpi", *case.billing_args(), "--year", year, "--format", "json")
    units: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for invoice, line in outcome.run.lines:
        units[(str(invoice.month), line.service)] += line.quantity
    shares = [r for r in kpi["rows"] if r["kpi"].startswith("payroll.machine_share")]  # type: ignore[attr-defined]
    assert bool(shares) == ("payroll" in areas)
    for row in shares:
        if len(row["period"]) != 7:
            continue
        self_service = units[(row["period"], "payroll.self_service")]
        manual = units[(row["period"], "payroll.manual")]
        assert Decimal(row["numerator"]) == self_service, row
        assert Decimal(row["denominator"]) == self_service + manual, row

    register = tmp_path / "register"
    issued: dict[str, Decimal] = defaultdict(Decimal)
    for month in outcome.months():
        result = _cli(
            capsys,
            "issue",
            *case.billing_args(),
            "--period",
            str(month),
            "--register",
            str(register),
            "--format",
            "json",
        )
        for document in result["documents"]:  # type: ignore[attr-defined]
            assert document["kind"] == "invoice"
            issued[document["department"]] += Decimal(document["total"])
    assert dict(issued) == outcome.run.totals_by_department()
    assert sum(issued.values()) == outcome.run.total


def test_simulate_without_the_register_is_refused_as_bill_refuses(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Fees per employee need headcounts: without --customers both commands refuse, with
    # the same located message, and simulate no longer prices only the unit items.
    case = next(c for c in CASES if c.name == "2026-employees")
    args = [str(case.volumes), "--pricelists", str(case.pricelists[0]), "--year", "2026"]
    assert main(["bill", *args]) == 2
    bill_err = capsys.readouterr().err
    assert main(["simulate", *args, "--budget", _budget(case, tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "needs each department's headcount from a customer register" in err
    assert err.splitlines()[-2:] == bill_err.splitlines()[-2:]


def test_the_baseline_is_called_a_per_unit_price_only_when_it_is_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # "styckpris" means a price per unit; a list with fees or per-employee prices is named
    # as the list it is.
    case = next(c for c in CASES if c.name == "2026-employees")
    args = [*case.billing_args(), "--year", "2026", "--budget", _budget(case, tmp_path)]
    assert main(["simulate", *args]) == 0
    out = capsys.readouterr().out
    assert "Baslinje: prislista 2026-employees;" in out
    assert "styckpris" not in out


def test_a_department_leaving_does_not_change_what_the_others_pay(tmp_path: Path) -> None:
    # A tester found that when the department that leaves is the only one with volumes in
    # the year's last month, that month dropped out of the run and every other department
    # lost its fixed fee of the month. Under 2026-fixed (fee by customer year: 12 000 kr
    # in the first year), Stadsbyggnadsförvaltningen (customer since 2026, year 1) pays
    # 3 x 12 000 = 36 000 kr of fees plus 2 x 10 manual payslips x 60 kr = 1 200 kr =
    # 37 200 kr over January-March, whether Kulturförvaltningen leaves in February or not.
    volumes = tmp_path / "volumes.csv"
    volumes.write_text(
        "month,department,service,quantity\n"
        "2026-01,Kulturförvaltningen,payroll.manual,10\n"
        "2026-01,Stadsbyggnadsförvaltningen,payroll.manual,10\n"
        "2026-02,Kulturförvaltningen,payroll.manual,10\n"
        "2026-02,Stadsbyggnadsförvaltningen,payroll.manual,10\n"
        "2026-03,Kulturförvaltningen,payroll.manual,10\n",
        encoding="utf-8",
    )
    request = BillingRequest(
        (volumes,),
        2026,
        (EXAMPLES / "pricelists-2026-models" / "2026-fixed.toml",),
        EXAMPLES / "customers-2026.csv",
    )
    leave = Scenario(
        "leave:Kulturförvaltningen@2026-02",
        "leave",
        department="Kulturförvaltningen",
        month=Month(2026, 2),
    )
    plain = ModelSpec("unit")
    results = [
        run_simulation(
            SimulationRequest(
                request, area="payroll", cost=Decimal(0), models=(plain,), scenarios=steps
            )
        ).comparison.result("Stadsbyggnadsförvaltningen", "unit")
        for steps in ((), (leave,))
    ]
    assert [r.annual for r in results] == [Decimal("37200.00"), Decimal("37200.00")]


def test_a_department_that_leaves_pays_nothing_from_that_month(tmp_path: Path) -> None:
    # A tester found Kulturförvaltningen still charged its register fees after leaving.
    # Under 2026-fixed it is a customer since 2024, so 2026 is its 3rd year: a fee of
    # 8 000 kr a month and 50 kr a payslip. examples/volumes-2026.csv: January 640 + 95,
    # February 652 + 90 payslips.
    #   no scenario:    2 x 8 000 + 1 477 x 50 = 89 850 kr
    #   leaves 2026-02: 8 000 + 735 x 50      = 44 750 kr (January only)
    #   leaves 2026-01: nothing
    request = BillingRequest(
        (EXAMPLES / "volumes-2026.csv",),
        2026,
        (EXAMPLES / "pricelists-2026-models" / "2026-fixed.toml",),
        EXAMPLES / "customers-2026.csv",
    )

    def annual(*steps: Scenario) -> dict[str, Decimal]:
        comparison = run_simulation(
            SimulationRequest(
                request,
                area="payroll",
                cost=Decimal(0),
                models=(ModelSpec("unit"),),
                scenarios=steps,
            )
        ).comparison
        return {r.department: r.annual for r in comparison.departments if r.model == "unit"}

    def leave(month: int) -> Scenario:
        return Scenario(
            f"leave:Kulturförvaltningen@2026-{month:02d}",
            "leave",
            department="Kulturförvaltningen",
            month=Month(2026, month),
        )

    before, february, january = annual(), annual(leave(2)), annual(leave(1))
    kultur = "Kulturförvaltningen"
    assert before[kultur] == Decimal("89850.00")
    assert february[kultur] == Decimal("44750.00")
    assert january.get(kultur, Decimal(0)) == 0
    for department, amount in before.items():  # the others pay what they paid
        if department != kultur:
            assert february[department] == january[department] == amount


def test_a_scenario_that_changes_nothing_keeps_the_monthly_variability(tmp_path: Path) -> None:
    # A tester found Månadsvariation gone ("–") under growth:0 when a department's only row
    # of a month was 0: the scenario dropped the row, and with it the month. Under 2026-fixed
    # Kulturförvaltningen (3rd year) pays 8 000 + 10 x 50 = 8 500 kr in January and 8 000 kr
    # in February either way, so its variability is the same with and without the scenario.
    volumes = tmp_path / "volumes.csv"
    volumes.write_text(
        "month,department,service,quantity\n"
        "2026-01,Kulturförvaltningen,payroll.manual,10\n"
        "2026-02,Kulturförvaltningen,payroll.manual,0\n",
        encoding="utf-8",
    )
    request = BillingRequest(
        (volumes,),
        2026,
        (EXAMPLES / "pricelists-2026-models" / "2026-fixed.toml",),
        EXAMPLES / "customers-2026.csv",
    )
    growth = Scenario("growth:0", "growth", number=Decimal(0))
    found = [
        run_simulation(
            SimulationRequest(
                request,
                area="payroll",
                cost=Decimal(0),
                models=(ModelSpec("unit"),),
                scenarios=steps,
            )
        ).comparison.result("Kulturförvaltningen", "unit")
        for steps in ((), (growth,))
    ]
    assert [r.annual for r in found] == [Decimal("16500.00")] * 2
    assert found[0].variability is not None
    assert found[0].variability == found[1].variability
