"""The application layer: one request, one function per run, shared by every entry point.

Between the loaders and the engine (below) and the reports, documents and CLI (above).
:func:`run_billing` reads the inputs a :class:`BillingRequest` names, bills them and
applies the allocation pools; ``bill`` shows its result, ``issue`` stores one month of it
(:func:`bill_for_issue`), and ``balance`` and ``kpi`` measure it
(:func:`follow_balance`, :func:`follow_kpis`), so a preview, an issued invoice and a
follow-up can never differ. ``fullcost`` and ``breakeven`` work from a budget
(:func:`full_cost_statement`, :func:`solve_break_even`). The CLI parses arguments into
these requests and renders the outcomes; a notebook calls the same functions.
"""

from sfprice.app.billing import BillingOutcome, BillingRequest, run_billing
from sfprice.app.costmodel import area_cost_model
from sfprice.app.issue import bill_for_issue
from sfprice.app.paths import same_file_issues
from sfprice.app.recovery import (
    BalanceOutcome,
    BreakEvenOutcome,
    BreakEvenRequest,
    BudgetRequest,
    KpiOutcome,
    KpiRequest,
    RequestError,
    area_cost,
    base_list,
    budget_for_year,
    cost_statement,
    follow_balance,
    follow_kpis,
    full_cost_statement,
    open_budget,
    selling_area,
    solve_break_even,
)

__all__ = [
    "BalanceOutcome",
    "BillingOutcome",
    "BillingRequest",
    "BreakEvenOutcome",
    "BreakEvenRequest",
    "BudgetRequest",
    "KpiOutcome",
    "KpiRequest",
    "RequestError",
    "area_cost",
    "area_cost_model",
    "base_list",
    "bill_for_issue",
    "budget_for_year",
    "cost_statement",
    "follow_balance",
    "follow_kpis",
    "full_cost_statement",
    "open_budget",
    "run_billing",
    "same_file_issues",
    "selling_area",
    "solve_break_even",
]
