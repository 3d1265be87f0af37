"""Command line for cost recovery: ``fullcost``, ``balance``, ``breakeven`` and ``kpi``.

Part of the CLI layer (see :mod:`sfprice.cli`): it parses arguments into the requests of
:mod:`sfprice.app.recovery`, calls the service and renders the result with
:mod:`sfprice.reports.recovery`. The rules (which budget, which area, which months, which
KPIs, which base list) are the service's.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path
from typing import Any

from sfprice.app import (
    BreakEvenRequest,
    KpiRequest,
    RequestError,
    follow_balance,
    follow_kpis,
    full_cost_statement,
    solve_break_even,
)
from sfprice.cli.arguments import (
    Common,
    add_billing_arguments,
    area_argument,
    billing_request,
    budget_arguments,
    budget_request,
    code_number,
    decimal,
    key_arguments,
    month,
    output_arguments,
    print_notes,
    unique,
)
from sfprice.cli.sheets import SHEET_FORMATS, offer_sheet_formats, render_sheets
from sfprice.engine.breakeven import BreakEvenRule
from sfprice.engine.kpi import TimeBase
from sfprice.io.pricelists import dump_pricelist
from sfprice.kpis import METRICS
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
from sfprice.reports.sheets import (
    BALANCE_SHAPE,
    BREAKEVEN_SHAPE,
    FULLCOST_SHAPE,
    KPI_SHAPE,
    ReportShape,
)

__all__ = [
    "CommandError",
    "add_commands",
    "render_report",
]

CommandError = RequestError
"""Arguments that do not fit the inputs (an unknown area, no base list, ...)."""


def add_commands(commands: Any, common: Common) -> None:
    """Add the cost-recovery subcommands to the CLI's subparsers."""
    fc = commands.add_parser(
        "fullcost",
        help="full cost per business area from a cost budget",
        description="Share common costs among the selling areas and state each area's full "
        "cost; check that the areas' surpluses cover the common costs.",
    )
    budget_arguments(fc)
    output_arguments(fc, ("table", "csv", "json", *SHEET_FORMATS))  # a budget, no price list
    offer_sheet_formats(fc)
    fc.set_defaults(handler=_fullcost)

    bal = commands.add_parser(
        "balance",
        help="revenue against full cost per month, tertial and year",
        description="Bill the volumes and follow a business area's revenue against its full "
        "cost: months, tertials, year to date, carried balance and forecasts.",
    )
    bal.add_argument("--year", type=int, required=True, help="the year to follow up")
    add_billing_arguments(bal)
    budget_arguments(bal)
    area_argument(bal)
    bal.add_argument(
        "--through",
        type=month,
        metavar="YYYY-MM",
        help=(
            "last month with actuals (default: the last month billed from volumes; "
            "allocation lines, which fill every month, do not count)"
        ),
    )
    bal.add_argument(
        "--opening-balance",
        type=decimal,
        metavar="KR",
        help="result carried in from earlier years (default: the budget's)",
    )
    common(bal, ("table", "csv", "json", *SHEET_FORMATS))
    offer_sheet_formats(bal)
    bal.set_defaults(handler=_balance)

    be = commands.add_parser(
        "breakeven",
        help="break-even (self-cost) prices from a budget and forecast volumes",
        description="Solve the prices that recover an area's full cost from forecast volumes "
        "and write them as a draft price list (status proposal).",
    )
    budget_arguments(be)
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
    area_argument(be)
    be.add_argument(
        "--base-list",
        metavar="ID",
        help="price list whose ratios/surcharges, names and units are kept "
        "(default: the list in force in the budget year, else the latest)",
    )
    be.add_argument(
        "--fix",
        type=code_number,
        action="append",
        default=[],
        metavar="CODE=PRICE",
        help="give a service a fixed price (repeatable), e.g. hourly rates",
    )
    be.add_argument(
        "--addon-revenue",
        type=decimal,
        default=Decimal(0),
        metavar="KR",
        help="expected add-on and event revenue not in the forecast",
    )
    be.add_argument(
        "--carried-balance",
        type=decimal,
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
        type=decimal,
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
    # --output is the draft price list: the report goes to standard output, so no workbook.
    common(be, ("table", "csv", "json", "csv-sv"))
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
    key_arguments(kpi)
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
        type=month,
        metavar="YYYY-MM",
        help=(
            "last month with actuals (default: the last month billed from volumes; "
            "allocation lines, which fill every month, do not count)"
        ),
    )
    common(kpi, ("table", "csv", "json", *SHEET_FORMATS))
    offer_sheet_formats(kpi)
    kpi.set_defaults(handler=_kpi)


def render_report(
    args: argparse.Namespace, data: dict[str, Any], table: str, shape: ReportShape | None = None
) -> str | bytes:
    """The report in ``--format``: JSON, CSV, the table, a workbook or Swedish CSV.

    The workbook and the Swedish CSV hold the data's ``rows``, typed by ``shape``.
    """
    if args.format in SHEET_FORMATS and shape is not None:
        return render_sheets(args, [shape.sheet(data)])
    if args.format == "json":
        return to_json(data)
    if args.format == "csv":
        return to_csv(data["rows"])
    return table


def _kpi(args: argparse.Namespace) -> str | bytes:
    request = KpiRequest(
        staffing=args.staffing,
        budget=budget_request(args) if args.budget else None,
        metrics=tuple(args.kpis or ()),
        time_base=args.time_base,
        through=args.through,
    )
    outcome = follow_kpis(billing_request(args, args.year), request)
    print_notes(outcome.billing)
    return render_report(
        args,
        kpi_to_data(outcome.rows, outcome.others),
        kpi_to_table(outcome.rows, locale=args.locale, others=outcome.others),
        KPI_SHAPE,
    )


def _fullcost(args: argparse.Namespace) -> str | bytes:
    statement = full_cost_statement(budget_request(args))
    return render_report(
        args,
        fullcost_to_data(statement),
        fullcost_to_table(statement, locale=args.locale),
        FULLCOST_SHAPE,
    )


def _balance(args: argparse.Namespace) -> str | bytes:
    outcome = follow_balance(
        billing_request(args, args.year),
        budget_request(args),
        area=args.area,
        through=args.through,
        opening_balance=args.opening_balance,
    )
    print_notes(outcome.billing)
    balance = outcome.balance
    return render_report(
        args,
        balance_to_data(balance),
        balance_to_table(balance, locale=args.locale),
        BALANCE_SHAPE,
    )


def _breakeven(args: argparse.Namespace) -> str | bytes:
    outcome = solve_break_even(
        BreakEvenRequest(
            budget=budget_request(args),
            forecast=args.forecast,
            rule=args.rule,
            pricelists=tuple(args.pricelists or ()),
            area=args.area,
            base_list=args.base_list,
            fixed=unique(args.fix, "--fix"),
            addon_revenue=args.addon_revenue,
            carried_balance=args.carried_balance,
            return_years=args.return_years,
            quantum=args.quantum,
            draft_year=args.draft_year,
        )
    )
    result = outcome.result
    if args.output is not None:
        header = (
            f"Draft price list (proposal) from sfprice breakeven: budget {outcome.budget.id}, "
            f"area {outcome.area}, rule {result.rule}, forecast {args.forecast}.\n"
            "Not decided: review before use."
        )
        args.extra_outputs = {args.output: dump_pricelist(result.draft, header=header)}
    return render_report(
        args,
        breakeven_to_data(result),
        breakeven_to_table(result, locale=args.locale),
        BREAKEVEN_SHAPE,
    )
