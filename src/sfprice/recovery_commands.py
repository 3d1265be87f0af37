"""Command line for cost recovery: ``fullcost``, ``balance`` and ``breakeven``.

Part of the CLI layer (see :mod:`sfprice.cli`): it parses arguments, calls the public
API and renders the result; the figures come from :mod:`sfprice.engine.recovery` and
:mod:`sfprice.engine.breakeven`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sfprice.app import run_billing
from sfprice.billing_commands import add_billing_arguments, billing_request, print_notes
from sfprice.costs import CostBudget
from sfprice.engine.breakeven import BreakEvenRule, break_even
from sfprice.engine.kpi import Kpi, TimeBase, kpi_report, kpis_for_year
from sfprice.engine.recovery import (
    CostKey,
    area_revenue_by_month,
    full_cost,
    recovery_balance,
)
from sfprice.errors import SfpriceError
from sfprice.io.budgets import bundled_budgets, load_budget
from sfprice.io.forecast import read_forecast
from sfprice.io.kpis import load_kpis, load_plan_indicators
from sfprice.io.pricelists import dump_pricelist, load_catalog
from sfprice.io.staffing import read_staffing
from sfprice.kpis import METRICS, KpiKind
from sfprice.model import PriceCatalog, PriceList
from sfprice.money import magnitude_problem
from sfprice.period import Month
from sfprice.reports.recovery import (
    balance_to_data,
    balance_to_table,
    breakeven_to_data,
    breakeven_to_table,
    fullcost_to_data,
    fullcost_to_table,
    kpi_to_data,
    kpi_to_table,
    to_csv,
    to_json,
)

__all__ = ["CommandError", "add_commands"]

Common = Callable[[argparse.ArgumentParser, tuple[str, ...]], None]


class CommandError(SfpriceError, ValueError):
    """Arguments that do not fit the inputs (an unknown area, no base list, ...)."""


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(" ", "").replace(",", "."))
    except InvalidOperation as exc:
        msg = f"{text!r} is not a number (e.g. 6309000 or 0,01)"
        raise argparse.ArgumentTypeError(msg) from exc
    if not value.is_finite():
        msg = f"{text!r} is not a finite number"
        raise argparse.ArgumentTypeError(msg)
    problem = magnitude_problem(value)
    if problem is not None:
        shown = repr(text) if len(text) <= 40 else f"{text[:30]!r}... ({len(text)} characters)"
        msg = f"{shown} {problem}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _pair(text: str) -> tuple[str, Decimal]:
    code, sep, value = text.partition("=")
    if not sep or not code.strip():
        msg = f"{text!r}: expected CODE=NUMBER, e.g. payroll.hourly.training=420"
        raise argparse.ArgumentTypeError(msg)
    number = _decimal(value)
    if number < 0:
        msg = f"{text!r}: the number must be 0 or more"
        raise argparse.ArgumentTypeError(msg)
    return code.strip(), number


def _unique(pairs: list[tuple[str, Decimal]], option: str) -> dict[str, Decimal]:
    """CODE=NUMBER options as a mapping; a code given twice is an error, never "last wins"."""
    found: dict[str, Decimal] = {}
    for code, number in pairs:
        if code in found:
            msg = f"{option} {code} is given twice ({found[code]} and {number}); give it once"
            raise CommandError(msg)
        found[code] = number
    return found


def add_commands(commands: Any, common: Common) -> None:
    """Add the cost-recovery subcommands to the CLI's subparsers."""
    fc = commands.add_parser(
        "fullcost",
        help="full cost per business area from a cost budget",
        description="Share common costs among the selling areas and state each area's full "
        "cost; check that the areas' surpluses cover the common costs.",
    )
    _budget_args(fc)
    common(fc, ("table", "csv", "json"))
    fc.set_defaults(handler=_fullcost)

    bal = commands.add_parser(
        "balance",
        help="revenue against full cost per month, tertial and year",
        description="Bill the volumes and follow a business area's revenue against its full "
        "cost: months, tertials, year to date, carried balance and forecasts.",
    )
    bal.add_argument("--year", type=int, required=True, help="the year to follow up")
    add_billing_arguments(bal)
    _budget_args(bal)
    bal.add_argument("--area", help="business-area code (default: the budget's only selling area)")
    bal.add_argument(
        "--through",
        type=_month,
        metavar="YYYY-MM",
        help="last month with actuals (default: the last month billed)",
    )
    bal.add_argument(
        "--opening-balance",
        type=_decimal,
        metavar="KR",
        help="result carried in from earlier years (default: the budget's)",
    )
    common(bal, ("table", "csv", "json"))
    bal.set_defaults(handler=_balance)

    be = commands.add_parser(
        "breakeven",
        help="break-even (self-cost) prices from a budget and forecast volumes",
        description="Solve the prices that recover an area's full cost from forecast volumes "
        "and write them as a draft price list (status proposal).",
    )
    _budget_args(be)
    be.add_argument(
        "--forecast",
        type=Path,
        required=True,
        metavar="FILE",
        help="CSV with service,quantity: the forecast volumes",
    )
    be.add_argument(
        "--rule",
        choices=[str(r) for r in BreakEvenRule],
        required=True,
        help="average: one price; ratio: keep the price ratios; surcharge: keep "
        "the absolute surcharges",
    )
    be.add_argument("--area", help="business-area code (default: the budget's only selling area)")
    be.add_argument(
        "--base-list",
        metavar="ID",
        help="price list whose ratios/surcharges, names and units are kept "
        "(default: the list in force in the budget year, else the latest)",
    )
    be.add_argument(
        "--fix",
        type=_pair,
        action="append",
        default=[],
        metavar="CODE=PRICE",
        help="give a service a fixed price (repeatable), e.g. hourly rates",
    )
    be.add_argument(
        "--addon-revenue",
        type=_decimal,
        default=Decimal(0),
        metavar="KR",
        help="expected add-on and event revenue not in the forecast",
    )
    be.add_argument(
        "--carried-balance",
        type=_decimal,
        default=None,
        metavar="KR",
        help="result carried in to return (surplus positive; default: the "
        "budget's opening balance)",
    )
    be.add_argument(
        "--return-years",
        type=int,
        default=1,
        metavar="N",
        help="years over which the carried balance is returned (default 1)",
    )
    be.add_argument(
        "--quantum",
        type=_decimal,
        default=Decimal(1),
        metavar="KR",
        help="round prices to this (default 1 = whole kronor; 0.01 = öre)",
    )
    be.add_argument(
        "--draft-year",
        type=int,
        metavar="YEAR",
        help="year of the draft list (default: the budget year)",
    )
    common(be, ("table", "csv", "json"))
    # Here --output is the draft price list (TOML); the report goes to standard output.
    be.set_defaults(handler=_breakeven, output_is_extra=True)
    _add_kpi(commands, common)


def _add_kpi(commands: Any, common: Common) -> None:
    kpi = commands.add_parser(
        "kpi",
        help="KPIs against the plans' targets per month, tertial and year",
        description="Compute KPIs (payslips per FTE, invoices per FTE, cost per payslip, "
        "machine-processed share) from volumes and staffing, against the targets "
        "the business plans set.",
    )
    kpi.add_argument("--year", type=int, required=True)
    add_billing_arguments(kpi)
    kpi.add_argument(
        "--staffing",
        type=Path,
        metavar="FILE",
        help="CSV area,fte[,month]: FTE per business area (for per-FTE KPIs)",
    )
    kpi.add_argument(
        "--budget", metavar="FILE", help="cost budget, for cost per payslip (file or bundled name)"
    )
    _key_args(kpi)
    kpi.add_argument(
        "--kpi",
        dest="kpis",
        action="append",
        choices=sorted(METRICS),
        metavar="METRIC",
        help=f"KPI to compute, against the figure stated for --year if any (repeatable; "
        f"default: all that the inputs allow): {', '.join(sorted(METRICS))}",
    )
    kpi.add_argument(
        "--time-base",
        choices=[str(t) for t in TimeBase],
        help="per-FTE figures per month or per year (required where the plan "
        "leaves it open, e.g. the 2010 target of 800 and the 2025 target of 1 400)",
    )
    kpi.add_argument(
        "--through",
        type=_month,
        metavar="YYYY-MM",
        help="last month with actuals (default: the last month billed)",
    )
    common(kpi, ("table", "csv", "json"))
    kpi.set_defaults(handler=_kpi)


def _through(args: argparse.Namespace) -> Month | None:
    """The ``--through`` month, which must be in ``--year``."""
    through: Month | None = args.through
    if through is not None and through.year != args.year:
        msg = (
            f"--through {through} is not in --year {args.year}; "
            f"give a month from {Month(args.year, 1)} to {Month(args.year, 12)}"
        )
        raise CommandError(msg)
    return through


def _kpi(args: argparse.Namespace) -> str:
    through = _through(args)
    outcome = run_billing(billing_request(args, args.year))
    print_notes(outcome)
    run = outcome.run
    # The months with actuals are those billed from volumes: allocation pools are spread
    # over the whole year and would make every month look billed.
    billed = [m.month for m in outcome.actual_months]
    last = through.month if through else (billed[-1] if billed else 0)
    if not last:
        msg = f"no volumes for {args.year}; nothing to measure"
        raise CommandError(msg)
    cost: dict[str, dict[int, Decimal]] = {}
    known = {m.area for m in METRICS.values()}
    if args.budget:
        budget = _budget_for_year(args)
        known |= {a.code for a in budget}
        statement = _statement(args, budget)
        for area in statement.areas:
            area_budget = budget.area(area.code)
            if area_budget is not None:
                cost[area.code] = dict(enumerate(area_budget.monthly(area.full_cost), start=1))
    fte: dict[str, dict[int, Decimal]] = {}
    if args.staffing:
        fte = read_staffing(args.staffing, year=args.year, areas=known)
        if not fte:
            msg = (
                f"{args.staffing}: no staffing rows for {args.year} (the file has no rows, "
                "or only rows of other years)"
            )
            raise CommandError(msg)
    chosen = _chosen_kpis(args, fte, cost)
    try:
        rows = kpi_report(
            run,
            chosen,
            year=args.year,
            months=range(1, last + 1),
            fte=fte,
            cost=cost,
            time_base=args.time_base,
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    others = tuple(i for i in load_plan_indicators() if i.year == args.year)
    if args.kpis:
        others = ()  # only the KPIs asked for
    return _render(
        args,
        kpi_to_data(rows, others),
        kpi_to_table(rows, locale=args.locale, others=others),
    )


def _chosen_kpis(
    args: argparse.Namespace,
    fte: dict[str, dict[int, Decimal]],
    cost: dict[str, dict[int, Decimal]],
) -> tuple[Kpi, ...]:
    """The KPIs asked for, or all that the inputs allow, with the figures for --year only."""
    if args.kpis:
        metrics = [METRICS[code] for code in dict.fromkeys(args.kpis)]
    else:
        metrics = [
            m
            for m in METRICS.values()
            if (m.kind is KpiKind.PER_FTE and m.area in fte)
            or (m.kind is KpiKind.COST_PER_UNIT and m.area in cost)
            or m.kind is KpiKind.SHARE
        ]
    chosen = kpis_for_year(args.year, load_kpis().values(), metrics)
    open_base = [
        f"{k.code} ({'the plan leaves it open' if k.figure else 'no plan states a figure'})"
        for k in chosen
        if k.kind is KpiKind.PER_FTE and k.time_base is None
    ]
    if open_base and not args.time_base:
        msg = (
            f"the time base (per month or per year) of {', '.join(open_base)} is not stated "
            f"for {args.year}; choose --time-base month or year"
        )
        raise CommandError(msg)
    return chosen


def _budget_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--budget",
        required=True,
        metavar="FILE",
        help="cost-budget TOML file, or the name of a bundled one "
        "(2010-administration, 2014-payroll, 2017-economy)",
    )
    _key_args(parser)


def _key_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--key",
        choices=[str(k) for k in CostKey],
        default="direct_cost",
        help="how common costs are shared among the selling areas (default: direct_cost)",
    )
    parser.add_argument(
        "--share",
        type=_pair,
        action="append",
        default=[],
        metavar="AREA=WEIGHT",
        help="weights for --key fixed (repeatable)",
    )


def _load_budget(name: str) -> CostBudget:
    path = Path(name)
    if not path.exists() and not name.endswith(".toml"):
        bundled = bundled_budgets() / f"{name}.toml"
        if bundled.is_file():
            return load_budget(bundled)
    return load_budget(path)


def _budget_for_year(args: argparse.Namespace) -> CostBudget:
    """The ``--budget``, which must be for ``--year``."""
    budget = _load_budget(args.budget)
    if budget.year != args.year:
        msg = f"budget {budget.id} is for {budget.year}, not {args.year}"
        raise CommandError(msg)
    return budget


def _statement(args: argparse.Namespace, budget: CostBudget) -> Any:
    try:
        return full_cost(budget, args.key, _unique(args.share, "--share") or None)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


def _area(args: argparse.Namespace, budget: CostBudget) -> str:
    if args.area:
        return str(args.area)
    selling = budget.selling_areas
    if len(selling) != 1:
        codes = ", ".join(a.code for a in selling)
        msg = f"budget {budget.id} has several selling areas; choose one with --area ({codes})"
        raise CommandError(msg)
    return selling[0].code


def _render(args: argparse.Namespace, data: dict[str, Any], table: str) -> str:
    if args.format == "json":
        return to_json(data)
    if args.format == "csv":
        return to_csv(data["rows"])
    return table


def _fullcost(args: argparse.Namespace) -> str:
    budget = _load_budget(args.budget)
    statement = _statement(args, budget)
    return _render(
        args, fullcost_to_data(statement), fullcost_to_table(statement, locale=args.locale)
    )


def _balance(args: argparse.Namespace) -> str:
    budget = _budget_for_year(args)
    statement = _statement(args, budget)
    area = _area(args, budget)
    outcome = run_billing(billing_request(args, args.year))
    print_notes(outcome)
    run = outcome.run
    through = args.through
    if through is None and outcome.volume_run is not None:
        # Allocation lines fill every month: the actuals end with the area's last month
        # billed from volumes.
        billed = area_revenue_by_month(outcome.volume_run, area, args.year)
        months = [month for month, amount in billed.items() if amount]
        through = Month(args.year, max(months)) if months else None
    try:
        balance = recovery_balance(
            budget, statement, run, area, through=through, opening_balance=args.opening_balance
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    return _render(args, balance_to_data(balance), balance_to_table(balance, locale=args.locale))


def _base_list(catalog: PriceCatalog, year: int, wanted: str | None) -> PriceList:
    if wanted:
        found = catalog.get(wanted)
        if found is None:
            ids = ", ".join(pl.id for pl in catalog)
            msg = f"no price list {wanted!r} (lists: {ids})"
            raise CommandError(msg)
        return found
    in_force = catalog.in_force(Month(year, 1))
    if in_force is not None:
        return in_force
    earlier = [pl for pl in catalog if pl.valid_from.year <= year]
    if not earlier:
        msg = f"no price list in force in or before {year}; give one with --base-list"
        raise CommandError(msg)
    return earlier[-1]


def _breakeven(args: argparse.Namespace) -> str:
    budget = _load_budget(args.budget)
    statement = _statement(args, budget)
    area = _area(args, budget)
    area_cost = statement.area(area)
    if area_cost is None:
        codes = ", ".join(a.code for a in statement.areas)
        msg = f"{area!r} is not a selling area of budget {budget.id} (selling areas: {codes})"
        raise CommandError(msg)
    catalog = load_catalog(args.pricelists)
    base = _base_list(catalog, budget.year, args.base_list)
    volumes = read_forecast(args.forecast, codes=catalog.codes)
    carried = budget.opening_balance if args.carried_balance is None else args.carried_balance
    try:
        result = break_even(
            cost_to_recover=area_cost.full_cost,
            volumes=volumes,
            rule=args.rule,
            base=base,
            fixed=_unique(args.fix, "--fix"),
            other_revenue=area_cost.other_revenue,
            addon_revenue=args.addon_revenue,
            carried_balance=carried,
            return_years=args.return_years,
            quantum=args.quantum,
            year=args.draft_year or budget.year,
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    if args.output is not None:
        header = (
            f"Draft price list (proposal) from sfprice breakeven: budget {budget.id}, "
            f"area {area}, rule {result.rule}, forecast {args.forecast}.\n"
            "Not decided: review before use."
        )
        args.extra_outputs = {args.output: dump_pricelist(result.draft, header=header)}
    return _render(args, breakeven_to_data(result), breakeven_to_table(result, locale=args.locale))
