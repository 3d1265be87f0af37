"""sfprice: self-cost pricing and internal invoicing for a shared-service administration.

The public API, for scripts and notebooks::

    import sfprice

    catalog = sfprice.load_catalog()                     # the bundled 2010 and 2014 lists
    volumes = sfprice.read_volumes("volumes.csv", catalog=catalog, year=2014)
    run = sfprice.bill(catalog, volumes, year=2014)
    run.total                                            # Decimal('...')
    run.invoices[0].lines[0].amount
    sfprice.run_to_json(run)

Or as the command line does, through one service per command (:mod:`sfprice.app`)::

    request = sfprice.BillingRequest(("volumes.csv",), 2014, customers="customers.csv")
    sfprice.run_billing(request).run.total               # what ``bill`` shows
    sfprice.follow_balance(request, sfprice.BudgetRequest("2014-payroll")).balance

Money is ``decimal.Decimal`` throughout; see ``docs/money.md`` for the rounding rules.
"""

from collections.abc import Iterable

from sfprice.app import (
    BillingOutcome,
    BillingRequest,
    BreakEvenRequest,
    BudgetRequest,
    KpiRequest,
    bill_for_issue,
    follow_balance,
    follow_kpis,
    full_cost_statement,
    run_billing,
    solve_break_even,
)
from sfprice.costs import AreaBudget, AreaKind, BudgetFigure, CostBudget, CostKind, RevenueKind
from sfprice.customers import CustomerRegister
from sfprice.engine import kpi as _kpi
from sfprice.engine.billing import (
    BillingRun,
    ChargeBasis,
    ComponentCharge,
    Invoice,
    InvoiceLine,
    bill,
)
from sfprice.engine.breakeven import BreakEven, BreakEvenRule, break_even, list_revenue
from sfprice.engine.kpi import Kpi, KpiRow, TimeBase, kpi_report
from sfprice.engine.listmodel import PriceListModel
from sfprice.engine.montecarlo import ModelDistribution, MonteCarloResult, monte_carlo
from sfprice.engine.recovery import (
    AreaFullCost,
    CostKey,
    FullCostStatement,
    PeriodResult,
    RecoveryBalance,
    full_cost,
    recovery_balance,
)
from sfprice.engine.simulate import (
    Comparison,
    DepartmentResult,
    FixedFeeModel,
    HybridModel,
    ModelResult,
    PerUnitModel,
    PriceModel,
    TrueUp,
    compare,
    derive_fixed_fees,
    derive_hybrid,
    shift_channel,
)
from sfprice.errors import InputError, Issue, PriceNotFound, SfpriceError
from sfprice.io.budgets import bundled_budgets, load_budget
from sfprice.io.customers import read_customers
from sfprice.io.forecast import read_forecast
from sfprice.io.kpis import load_kpis, load_plan_indicators
from sfprice.io.pricelists import bundled_pricelists, dump_pricelist, load_catalog, load_pricelist
from sfprice.io.staffing import read_staffing
from sfprice.io.volumes import (
    locate_missing_prices,
    read_volume_files,
    read_volumes,
    trace_rows,
)
from sfprice.io.writers import write_volumes_csv
from sfprice.kpis import METRICS, FigureKind, Metric, PlanIndicator
from sfprice.model import (
    Customer,
    PriceCatalog,
    PriceComponent,
    PriceItem,
    PriceKind,
    PriceList,
    Tier,
    TierMode,
    Unit,
    VolumeEntry,
    VolumeKey,
    VolumeSet,
    VolumeSource,
)
from sfprice.money import allocate, round_amount
from sfprice.period import Month
from sfprice.register import (
    DocumentKind,
    InputFile,
    IssuedDocument,
    IssuedLine,
    IssueResult,
    Manifest,
    Register,
    RegisterError,
    issue_period,
)
from sfprice.reports.formats import (
    format_amount,
    run_to_csv,
    run_to_json,
    run_to_json_data,
    run_to_table,
)
from sfprice.synthetic import SyntheticCity, SyntheticDepartment, synthetic_city

__version__ = "0.1.0"


def __getattr__(name: str) -> dict[str, Kpi]:
    """``sfprice.KPIS``: the KPI figures the bundled business plans state, by code.

    Codes such as ``payroll.payslips_per_fte_2014``; the file is read on first use, not at
    import.
    """
    if name == "KPIS":
        return load_kpis()
    msg = f"module 'sfprice' has no attribute {name!r}"
    raise AttributeError(msg)


def kpis_for_year(
    year: int, kpis: Iterable[Kpi] | None = None, metrics: Iterable[Metric] | None = None
) -> tuple[Kpi, ...]:
    """For each metric, the figure stated for exactly ``year`` (default: the bundled plans).

    See :func:`sfprice.engine.kpi.kpis_for_year`.

    >>> [k.target for k in kpis_for_year(2014) if k.metric == "payroll.payslips_per_fte"]
    [Decimal('960')]
    """
    return _kpi.kpis_for_year(year, load_kpis().values() if kpis is None else kpis, metrics)


__all__ = [
    "KPIS",
    "METRICS",
    "AreaBudget",
    "AreaFullCost",
    "AreaKind",
    "BillingOutcome",
    "BillingRequest",
    "BillingRun",
    "BreakEven",
    "BreakEvenRequest",
    "BreakEvenRule",
    "BudgetFigure",
    "BudgetRequest",
    "ChargeBasis",
    "Comparison",
    "ComponentCharge",
    "CostBudget",
    "CostKey",
    "CostKind",
    "Customer",
    "CustomerRegister",
    "DepartmentResult",
    "DocumentKind",
    "FigureKind",
    "FixedFeeModel",
    "FullCostStatement",
    "HybridModel",
    "InputError",
    "InputFile",
    "Invoice",
    "InvoiceLine",
    "Issue",
    "IssueResult",
    "IssuedDocument",
    "IssuedLine",
    "Kpi",
    "KpiRequest",
    "KpiRow",
    "Manifest",
    "Metric",
    "ModelDistribution",
    "ModelResult",
    "MonteCarloResult",
    "Month",
    "PerUnitModel",
    "PeriodResult",
    "PlanIndicator",
    "PriceCatalog",
    "PriceComponent",
    "PriceItem",
    "PriceKind",
    "PriceList",
    "PriceListModel",
    "PriceModel",
    "PriceNotFound",
    "RecoveryBalance",
    "Register",
    "RegisterError",
    "RevenueKind",
    "SfpriceError",
    "SyntheticCity",
    "SyntheticDepartment",
    "Tier",
    "TierMode",
    "TimeBase",
    "TrueUp",
    "Unit",
    "VolumeEntry",
    "VolumeKey",
    "VolumeSet",
    "VolumeSource",
    "__version__",
    "allocate",
    "bill",
    "bill_for_issue",
    "break_even",
    "bundled_budgets",
    "bundled_pricelists",
    "compare",
    "derive_fixed_fees",
    "derive_hybrid",
    "dump_pricelist",
    "follow_balance",
    "follow_kpis",
    "format_amount",
    "full_cost",
    "full_cost_statement",
    "issue_period",
    "kpi_report",
    "kpis_for_year",
    "list_revenue",
    "load_budget",
    "load_catalog",
    "load_kpis",
    "load_plan_indicators",
    "load_pricelist",
    "locate_missing_prices",
    "monte_carlo",
    "read_customers",
    "read_forecast",
    "read_staffing",
    "read_volume_files",
    "read_volumes",
    "recovery_balance",
    "round_amount",
    "run_billing",
    "run_to_csv",
    "run_to_json",
    "run_to_json_data",
    "run_to_table",
    "shift_channel",
    "solve_break_even",
    "synthetic_city",
    "trace_rows",
    "write_volumes_csv",
]
