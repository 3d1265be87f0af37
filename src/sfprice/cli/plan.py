"""Command line for ``plan``: next year's draft price list (and subscriptions) in one command.

``python -m sfprice plan VOLUMES... --from-year N --year N+1 --budget B --rule R
--output draft.toml [--subscriptions-output subs.toml]``: parses the arguments into a
:class:`~sfprice.app.planning.PlanRequest`, calls
:func:`~sfprice.app.planning.plan_next_year`, renders the summary on standard output with
:mod:`sfprice.reports.planning` and hands the drafts to the CLI's writer (a temporary file
renamed into place, after everything succeeded). An existing draft is never replaced
unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path
from typing import Any

from sfprice.app import BudgetRequest
from sfprice.app.planning import PlanRequest, SubscriptionBasis, plan_next_year
from sfprice.cli.arguments import (
    ArgumentsError,
    Common,
    add_billing_arguments,
    area_argument,
    billing_request,
    budget_arguments,
    budget_request,
    code_number,
    decimal,
    print_notes,
    unique,
)
from sfprice.engine.breakeven import BreakEvenRule
from sfprice.io.drafts import dump_subscriptions
from sfprice.io.pricelists import dump_pricelist
from sfprice.reports.planning import plan_to_data, plan_to_table
from sfprice.reports.recovery import to_json

__all__ = ["add_plan"]


def add_plan(commands: Any, common: Common) -> None:
    """Add the ``plan`` subcommand to the CLI's subparsers."""
    plan = commands.add_parser(
        "plan",
        help="next year's draft price list (and subscriptions) from this year's volumes",
        description="Solve break-even prices for --year from the volumes of --from-year (the "
        "year before, its months moved one year on) against the --year budget, less its "
        "other revenue and the carried result; write them as a draft price list (status "
        "proposal) and, with --subscriptions-output, draft subscriptions per customer.",
    )
    add_billing_arguments(plan)
    plan.add_argument("--from-year", type=int, required=True, help="the year of the volumes (N)")
    plan.add_argument(
        "--year", type=int, required=True, help="the year planned (N+1): the budget's year"
    )
    budget_arguments(plan)
    plan.add_argument(
        "--rule",
        choices=[str(r) for r in BreakEvenRule],
        required=True,
        help="average: one price; ratio: keep the price ratios; surcharge: keep "
        "the absolute surcharges (as breakeven)",
    )
    area_argument(plan)
    plan.add_argument(
        "--forecast",
        type=Path,
        metavar="FILE",
        help="CSV with service,quantity: solve the prices on this forecast instead of "
        "the --from-year volumes (the subscriptions still share by the volumes' charges)",
    )
    plan.add_argument(
        "--base-list",
        metavar="ID",
        help="price list whose ratios/surcharges, names and units are kept "
        "(default: the list in force in --from-year, else the latest before)",
    )
    plan.add_argument(
        "--fix",
        type=code_number,
        action="append",
        default=[],
        metavar="CODE=PRICE",
        help="give a service a fixed price (repeatable), e.g. hourly rates",
    )
    plan.add_argument(
        "--addon-revenue",
        type=decimal,
        default=Decimal(0),
        metavar="KR",
        help="expected add-on revenue not in the volumes (taken off the prices and the "
        "subscriptions)",
    )
    plan.add_argument(
        "--carried",
        type=decimal,
        metavar="KR",
        help="result carried in (surplus positive; default: the budget's opening_balance); "
        "needs --carried-source",
    )
    plan.add_argument(
        "--carried-source",
        default="",
        metavar="TEXT",
        help="where the --carried amount comes from",
    )
    plan.add_argument(
        "--balance-budget",
        type=Path,
        metavar="FILE",
        help="the --from-year budget (file or bundled name): the carried result is then that "
        "year's closing balance, the volumes (through December) against it, as balance "
        "computes it",
    )
    plan.add_argument(
        "--quantum",
        type=decimal,
        default=Decimal(1),
        metavar="KR",
        help="round prices to this (default 1 = whole kronor; 0.01 = öre)",
    )
    # A str, not a Path: the check that no output is an input looks at every Path option.
    plan.add_argument(
        "--subscriptions-output",
        metavar="FILE",
        help="also write draft subscriptions (TOML, status proposal) to this file",
    )
    plan.add_argument(
        "--subscription-basis",
        choices=[str(b) for b in SubscriptionBasis],
        default="amount",
        help="amount: each customer's share of the cost to recover by its --from-year "
        "charge; volumes: its --from-year volumes as its forecast (default: amount)",
    )
    plan.add_argument("--force", action="store_true", help="replace draft files that already exist")
    common(plan, ("table", "json"))
    plan.set_defaults(handler=_plan, output_is_extra=True)


def _outputs(args: argparse.Namespace) -> list[Path]:
    """The draft files, refused if missing, the same, or existing without --force."""
    if args.output is None:
        msg = "plan writes a draft price list: give the file with --output FILE"
        raise ArgumentsError(msg)
    outputs = [args.output]
    if args.subscriptions_output is not None:
        outputs.append(Path(args.subscriptions_output))
        # Both to a device (/dev/null: a dry run) is fine; one regular file twice is not.
        if outputs[0].resolve() == outputs[1].resolve() and not _device(outputs[0]):
            msg = f"--output and --subscriptions-output are both {outputs[0]}: give two files"
            raise ArgumentsError(msg)
    existing = [path for path in outputs if path.exists() and path.is_file()]
    if existing and not args.force:
        names = ", ".join(str(path) for path in existing)
        msg = f"{names} already exists; give --force to replace it (nothing was written)"
        raise ArgumentsError(msg)
    return outputs


def _device(path: Path) -> bool:
    return path.exists() and not path.is_file()


def _plan(args: argparse.Namespace) -> str:
    outputs = _outputs(args)
    planned = plan_next_year(
        PlanRequest(
            billing=billing_request(args, args.from_year),
            budget=budget_request(args),
            year=args.year,
            rule=args.rule,
            forecast=args.forecast,
            area=args.area,
            base_list=args.base_list,
            fixed=unique(args.fix, "--fix"),
            addon_revenue=args.addon_revenue,
            carried=args.carried,
            carried_source=args.carried_source,
            carried_from=(
                None if args.balance_budget is None else BudgetRequest(args.balance_budget)
            ),
            quantum=args.quantum,
            subscriptions=args.subscription_basis if len(outputs) > 1 else None,
        )
    )
    print_notes(planned.billing)
    outcome = planned.plan
    header = (
        f"FÖRSLAG (proposal) till prislista {outcome.year} från sfprice plan: "
        f"{outcome.basis_label}, budget {outcome.budget.id}, område {outcome.area}, "
        f"regel {outcome.result.rule}.\nEj beslutad: granska före beslut."
    )
    extra: dict[Path, str] = {outputs[0]: dump_pricelist(outcome.draft, header=header)}
    if len(outputs) > 1:
        extra[outputs[1]] = dump_subscriptions(
            outcome.subscriptions,
            year=outcome.year,
            source=(
                f"FÖRSLAG från sfprice plan: {outcome.basis_label}, budget {outcome.budget.id}, "
                f"kostnad att täcka {outcome.subscription_total} kr"
            ),
            pricelist=outcome.draft.id,
            header=f"FÖRSLAG (proposal) till abonnemang {outcome.year}: ej avtalade.",
        )
    args.extra_outputs = extra
    if args.format == "json":
        return to_json(plan_to_data(outcome))
    return plan_to_table(outcome, locale=args.locale)
