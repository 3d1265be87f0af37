"""Command line for price-model simulation: ``simulate``.

Part of the CLI layer (see :mod:`sfprice.cli`): it parses the billing inputs (the same
argument group as ``bill``), the models and scenarios, calls
:func:`sfprice.app.simulation.run_simulation` and has :mod:`sfprice.reports.simulation` render the
comparison. The cost to
recover is the business area's full cost less its other revenue, from the same budget
helpers as ``breakeven`` (:mod:`sfprice.cli.recovery`).

Fees are derived from the *unchanged* volumes of a reference window (by default
January–September of the year, the window the 2010 allocation keys use); the scenarios are
then applied, in order, to the year's volumes and every model charges the result. The
scenario is what happens after the model has been set.
"""

from __future__ import annotations

import argparse
import re
import sys
from decimal import Decimal, InvalidOperation
from typing import Any

from sfprice.app import area_cost, area_cost_model, budget_for_year, cost_statement, selling_area
from sfprice.app.simulation import (
    ModelSpec,
    Scenario,
    SimulationRequest,
    Uncertainty,
    run_simulation,
)
from sfprice.cli.arguments import Common, add_billing_arguments, billing_request, budget_request
from sfprice.cli.arguments import budget_arguments as _budget_args
from sfprice.cli.arguments import decimal as _decimal
from sfprice.cli.arguments import month as _month
from sfprice.cli.recovery import render_report as _render
from sfprice.cli.sheets import SHEET_FORMATS, offer_sheet_formats
from sfprice.engine.simulate import (
    LAS_DOCUMENTS_PER_MONTH,
    MAX_NOISE_SEED,
    MAX_NOISE_SIGMA,
    MIN_NOISE_SIGMA,
    noise_problem,
)
from sfprice.period import Month
from sfprice.reports.formats import decimal_text
from sfprice.reports.sheets import SIMULATION_SHAPE
from sfprice.reports.simulation import (
    SimulationSetting,
    model_label,
    simulation_data,
    simulation_table,
)
from sfprice.reports.text import csv_cell

__all__ = ["add_simulate"]

_MODEL_FORMS = (
    "unit, fixed, fixed-employees, fixed-payslips, breakeven, fixed-trueup:BAND (e.g. 0.05) "
    "hybrid:SURCHARGE (e.g. 53), subscription or subscription:THRESHOLD (kr, e.g. 50000)"
)
_PLAIN_MODELS = {"unit", "fixed", "fixed-employees", "fixed-payslips", "breakeven", "subscription"}
_SCENARIO_FORMS = (
    "shift:FRACTION, growth:RATE, shock:RATE@YYYY-MM..YYYY-MM, las or las:DOCUMENTS, "
    "leave:DEPT@YYYY-MM, join:DEPT@YYYY-MM=LIKEDEPT or noise:SIGMA@SEED"
)


# ------------------------------------------------------------------ argument types


def _model(text: str) -> ModelSpec:
    kind, sep, value = text.strip().partition(":")
    if kind in _PLAIN_MODELS and not sep:
        return ModelSpec(kind)
    if kind in {"fixed-trueup", "hybrid", "subscription"} and sep:
        number = _decimal(value)
        if number < 0:
            what = {"fixed-trueup": "the band", "hybrid": "the surcharge"}.get(
                kind, "the threshold"
            )
            msg = f"{text!r}: {what} must be >= 0"
            raise argparse.ArgumentTypeError(msg)
        return ModelSpec(kind, number, f"{kind}:{decimal_text(number)}")
    msg = f"{text!r} is not a model; use {_MODEL_FORMS}"
    raise argparse.ArgumentTypeError(msg)


_AT_MONTH = re.compile(r"(?P<department>.+)@(?P<month>[^@=]+)")
_JOIN = re.compile(r"(?P<department>.+)@(?P<month>[^@=]+)=(?P<like>.+)")


def _scenario(text: str) -> Scenario:
    kind, sep, rest = text.strip().partition(":")
    if kind == "las":
        return _las(text, rest if sep else None)
    if kind == "shock" and sep:
        return _shock(text, rest)
    if not sep:
        msg = f"{text!r} is not a scenario; use {_SCENARIO_FORMS}"
        raise argparse.ArgumentTypeError(msg)
    if kind == "shift":
        fraction = _decimal(rest)
        if not 0 <= fraction <= 1:
            msg = f"{text!r}: the share moved must be between 0 and 1 (e.g. shift:0.2)"
            raise argparse.ArgumentTypeError(msg)
        return Scenario(text, kind, number=fraction)
    if kind == "growth":
        rate = _decimal(rest)
        if rate < -1:
            msg = f"{text!r}: volumes cannot shrink by more than all (growth >= -1)"
            raise argparse.ArgumentTypeError(msg)
        return Scenario(text, kind, number=rate)
    if kind == "leave" and (found := _AT_MONTH.fullmatch(rest.strip())):
        return Scenario(
            text, kind, department=found["department"].strip(), month=_month(found["month"])
        )
    if kind == "join" and (found := _JOIN.fullmatch(rest.strip())):
        return Scenario(
            text,
            kind,
            department=found["department"].strip(),
            month=_month(found["month"]),
            like=found["like"].strip(),
        )
    if kind == "noise":
        return _noise(text, rest)
    if kind in {"leave", "join"}:
        form = "leave:DEPT@YYYY-MM" if kind == "leave" else "join:DEPT@YYYY-MM=LIKEDEPT"
        msg = f"{text!r}: expected {form}"
        raise argparse.ArgumentTypeError(msg)
    msg = f"{text!r} is not a scenario; use {_SCENARIO_FORMS}"
    raise argparse.ArgumentTypeError(msg)


def _las(text: str, rest: str | None) -> Scenario:
    if rest is None:
        return Scenario(text, "las", number=Decimal(LAS_DOCUMENTS_PER_MONTH))
    if not re.fullmatch(r"\d{1,9}", rest.strip()):
        msg = (
            f"{text!r}: expected las or las:DOCUMENTS, the extra employment documents a month "
            "(a whole number >= 0, e.g. las:10000)"
        )
        raise argparse.ArgumentTypeError(msg)
    return Scenario(text, "las", number=Decimal(int(rest.strip())))


_SHOCK = re.compile(r"(?P<rate>[^@]+)@(?P<start>[^.]+)\.\.(?P<end>.+)")


def _shock(text: str, rest: str) -> Scenario:
    found = _SHOCK.fullmatch(rest.strip())
    if found is None:
        msg = f"{text!r}: expected shock:RATE@YYYY-MM..YYYY-MM, e.g. shock:0.1@2014-03..2014-05"
        raise argparse.ArgumentTypeError(msg)
    rate = _decimal(found["rate"])
    if rate < -1:
        msg = f"{text!r}: volumes cannot shrink by more than all (the rate >= -1)"
        raise argparse.ArgumentTypeError(msg)
    first, last = _window(f"{found['start'].strip()}..{found['end'].strip()}")
    return Scenario(text, "shock", number=rate, month=first, end=last)


def _noise(text: str, rest: str) -> Scenario:
    sigma_text, at, seed_text = (part.strip() for part in rest.partition("@"))
    quoted = repr(text) if len(text) <= 60 else f"{text[:50]!r}... ({len(text)} characters)"
    try:
        exact = Decimal(sigma_text.replace(",", "."))
    except InvalidOperation:
        exact = None
    if not at or exact is None or not re.fullmatch(r"-?\d+", seed_text):
        msg = f"{quoted}: expected noise:SIGMA@SEED (a number, a whole number), e.g. noise:0.1@42"
        raise argparse.ArgumentTypeError(msg)
    seed = int(seed_text) if len(seed_text) <= 21 else MAX_NOISE_SEED + 1
    if (problem := _spread_problem(exact, seed)) is not None:
        msg = f"{quoted}: {problem}"
        raise argparse.ArgumentTypeError(msg)
    return Scenario(text, "noise", sigma=float(exact), seed=seed)


def _spread_problem(exact: Decimal, seed: int) -> str | None:
    """Why a lognormal spread and seed cannot be used (noise and Monte Carlo), or None."""
    # Judge the exact value: float() would read 1e-400 as 0 and 1e400 as inf.
    low, high = Decimal(repr(MIN_NOISE_SIGMA)), Decimal(repr(MAX_NOISE_SIGMA))
    if not exact.is_finite() or not (exact == 0 or low <= exact <= high):
        return f"SIGMA must be 0 or from {MIN_NOISE_SIGMA} to {MAX_NOISE_SIGMA}"
    problem = noise_problem(float(exact), seed)
    return None if problem is None else problem.rsplit(", got ", 1)[0]


def _window(text: str) -> tuple[Month, Month]:
    start, sep, end = text.partition("..")
    if not sep:
        msg = f"{text!r}: expected a window YYYY-MM..YYYY-MM, e.g. 2014-01..2014-09"
        raise argparse.ArgumentTypeError(msg)
    first, last = _month(start), _month(end)
    if last < first:
        msg = f"the window {text} ends before it starts"
        raise argparse.ArgumentTypeError(msg)
    return first, last


# ------------------------------------------------------------------ the subcommand


def add_simulate(commands: Any, common: Common) -> None:
    """Add the ``simulate`` subcommand to the CLI's subparsers."""
    sim = commands.add_parser(
        "simulate",
        help="compare price models per department: per unit, break-even, fixed fees, "
        "true-up, hybrid, subscription",
        description="Charge the year's volumes under other price models and compare each "
        "department's annual charge with the price list in force (the baseline), and each "
        "model's revenue with the area's cost to recover (full cost less other revenue). "
        "Fixed fees are derived from the UNCHANGED volumes of the reference window, so that "
        "they recover the cost exactly there; the scenarios are then applied, in order, to "
        "the year's volumes: they are what happens after the model has been set.",
        epilog="Examples: --model fixed --model hybrid:53 --scenario shift:0.2; "
        "--model breakeven --model fixed-payslips --scenario las --scenario "
        "shock:0.1@2014-03..2014-05; "
        "--scenario 'join:Ny förvaltning@2014-07=Kulturförvaltningen'. A department that "
        "joins has no fixed fee (it pays only per-unit parts); one that leaves keeps paying "
        "its fee. Per department the output shows the largest monthly deviation from an "
        "equal part of the annual charge, and the administration: invoices, lines, "
        "corrections and reconciliations a year (docs/simulation.md).",
    )
    add_billing_arguments(sim)
    sim.add_argument("--year", type=int, required=True, help="the year to simulate")
    _budget_args(sim)
    sim.add_argument("--area", help="business-area code (default: the budget's only selling area)")
    sim.add_argument(
        "--model",
        dest="models",
        type=_model,
        action="append",
        default=[],
        metavar="MODEL",
        help="a model to compare with the price list in force (repeatable; default: fixed): "
        "unit = the price list in force, the baseline, always shown first; fixed = a fixed "
        "annual fee per department in proportion to its charge in the reference window; "
        "fixed-employees = a fixed fee in proportion to its employees (the customer "
        "register's headcount for the year, --customers); fixed-payslips = a fixed fee in "
        "proportion to its payslips (all channels) in the reference window; breakeven = the "
        "list's unit prices scaled to recover the cost at the reference volumes (for a year); "
        "fixed-trueup:BAND = the same, settled at year end against the per-unit charge when "
        "it differs by more than BAND (a fraction, e.g. 0.05); hybrid:SURCHARGE = a fixed "
        "base plus SURCHARGE kr per manual payslip (e.g. hybrid:53); subscription = each "
        "department invoiced 1/12 a month of its reference-window charge scaled to a year, "
        "reconciled against the list at the end of April, October and December, a "
        "deviation over 100 000 kr invoiced or credited (the year end settles all); "
        "subscription:THRESHOLD = another threshold in kr (docs/subscriptions.md)",
    )
    sim.add_argument(
        "--reference",
        type=_window,
        metavar="YYYY-MM..YYYY-MM",
        help="months whose unchanged volumes set the fees (default: January-September of "
        "the year, the window of the 2010 allocation keys)",
    )
    sim.add_argument(
        "--scenario",
        dest="scenarios",
        type=_scenario,
        action="append",
        default=[],
        metavar="SCENARIO",
        help="a change to the year's volumes, applied in order (repeatable): shift:0.2 = 20 %% "
        "of manual payslips to self-service; growth:0.05 or growth:-0.03 = all volumes up or "
        "down; shock:0.1@2014-03..2014-05 = all volumes +10 %% in those months only; las = "
        "10 000 extra employment documents a month (the LAS change, 2025 plan), spread by "
        "payslips, las:N = N a month (a cost driver the list does not price); "
        "leave:DEPT@YYYY-MM = a department leaves from that month; "
        "join:DEPT@YYYY-MM=LIKEDEPT = a new department joins with LIKEDEPT's volumes; "
        "noise:SIGMA@SEED = random lognormal spread, reproducible by the seed",
    )
    sim.add_argument(
        "--constant-cost",
        action="store_true",
        help="compare every scenario with the budget's constant cost to recover, even when "
        "the budget area has staff drivers (by default the cost follows the scenario's "
        "volumes: see docs/cost-model.md)",
    )
    sim.add_argument(
        "--monte-carlo",
        dest="monte_carlo",
        type=_draws,
        metavar="N",
        help="also draw N random years around the scenario's volumes (every quantity times a "
        "lognormal factor) and report, per model, the balance's mean, 5th and 95th "
        "percentiles and the probability of ending outside ±1 %% and ±5 %% of the cost, and "
        "per department the spread of its annual charge (needs numpy: the simulate extra)",
    )
    sim.add_argument(
        "--sigma",
        type=_sigma,
        default=Decimal("0.05"),
        metavar="SIGMA",
        help="spread of the Monte-Carlo factors, the standard deviation of their logarithm "
        "(default 0.05, about ±5 %%)",
    )
    sim.add_argument(
        "--seed",
        type=_seed,
        default=2026,
        help="seed of the Monte-Carlo draws (default 2026): the same seed, the same figures",
    )
    common(sim, ("table", "csv", "json", *SHEET_FORMATS))
    offer_sheet_formats(sim)
    sim.set_defaults(handler=_simulate)


def _draws(text: str) -> int:
    """The number of Monte-Carlo years: a whole number 1..1 000 000."""
    if not text.strip().isdigit() or not 1 <= int(text) <= 1_000_000:
        msg = f"{text!r}: expected a whole number of draws from 1 to 1000000, e.g. 1000"
        raise argparse.ArgumentTypeError(msg)
    return int(text)


def _sigma(text: str) -> Decimal:
    """The Monte-Carlo spread (0 repeats the scenario's volumes)."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        msg = f"{text!r}: expected a number, e.g. 0.05"
        raise argparse.ArgumentTypeError(msg) from None
    if (problem := _spread_problem(value, 0)) is not None:
        msg = f"{text!r}: {problem}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _seed(text: str) -> int:
    """The Monte-Carlo seed: a whole number 0..2**63 - 1."""
    if not re.fullmatch(r"\d{1,21}", text.strip()) or int(text) > MAX_NOISE_SEED:
        msg = f"{text!r}: SEED must be a whole number from 0 to {MAX_NOISE_SEED} (2**63 - 1)"
        raise argparse.ArgumentTypeError(msg)
    return int(text)


def _simulate(args: argparse.Namespace) -> str | bytes:
    budget = budget_for_year(args.budget, args.year)
    statement = cost_statement(budget, budget_request(args))
    area = selling_area(budget, args.area)
    found = area_cost(statement, budget, area)
    cost_model = (
        None if args.constant_cost else area_cost_model(budget, area, found.cost_to_recover)
    )
    request = SimulationRequest(
        billing_request(args, args.year),
        area=area,
        cost=found.cost_to_recover,
        models=tuple(args.models),
        reference=args.reference,
        scenarios=tuple(args.scenarios),
        cost_model=cost_model,
        uncertainty=(
            None
            if args.monte_carlo is None
            else Uncertainty(args.monte_carlo, float(args.sigma), args.seed)
        ),
    )
    outcome = run_simulation(request)
    for note in outcome.notes:
        print(f"note: {note}", file=sys.stderr)
    setting = SimulationSetting(
        budget=budget.id,
        area=area,
        area_name=found.name,
        year=args.year,
        price_list=outcome.price_list,
        reference=outcome.reference,
        full_cost=found.full_cost,
        other_revenue=found.other_revenue,
        scenarios=request.scenarios,
        models=outcome.specs,
        cost_model=cost_model,
    )
    data = simulation_data(outcome.comparison, setting, outcome.uncertainty)
    table_labels = {s.name: model_label(s, outcome.price_list, args.locale) for s in outcome.specs}
    if args.format == "csv":
        # Department names come from the input: keep a spreadsheet from running one.
        data["rows"] = [{**row, "department": csv_cell(row["department"])} for row in data["rows"]]
    return _render(
        args,
        data,
        simulation_table(
            outcome.comparison, setting, table_labels, args.locale, outcome.uncertainty
        ),
        SIMULATION_SHAPE,
    )
