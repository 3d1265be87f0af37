"""Build and execute examples/price-models-2026.ipynb (needs ``pip install -e '.[test]'``).

The notebook is written here as cells, so its text is reviewable in a diff, then executed
top to bottom with nbclient and saved with its outputs. tests/test_notebook.py executes it
again and checks that the figures it shows are what it computes.

Run from the repository root: python examples/build_price_models_notebook.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "price-models-2026.ipynb"

CELLS: list[tuple[str, str]] = [
    (
        "md",
        """# Price models for the 2026 price list: per unit, fixed, hybrid

The 2025 plan asks for a review of the price model ahead of the 2026 price list: a
fixed-price model (*fastprismodell*) would give customers predictability and less
administration (`002_83b6b989210075f7.txt:93-106`). Before anything is decided, each
department should see what it would pay under each candidate, whether the model still
recovers the full cost, how it behaves when volumes move, and whether it still rewards
self-service over manual reporting.

**The city in this notebook is SYNTHETIC.** Sixty departments with invented sizes whose
volumes add up exactly to the plans' figures: 600 000 payslips a year, 75,5 % through
self-service (`003_dbc171dac11004c9.txt:133-137`). The cost to recover is the 2014 payroll
budget, 48,3 mnkr (`003_dbc171dac11004c9.txt:121-131`). The 2014 price list is the
baseline.""",
    ),
    (
        "code",
        """from decimal import Decimal

import matplotlib.pyplot as plt

import sfprice
from sfprice import Month
from sfprice.engine.montecarlo import monte_carlo
from sfprice.engine.simulate import (
    FixedFeeModel, PerUnitModel, TrueUp, compare, derive_fixed_fees, derive_hybrid,
    leave, scale, shift_channel, window,
)
from sfprice.reports.notebook import (
    comparison_frame, model_frame, monte_carlo_frame, plot_difference, plot_recovery, view,
)
from sfprice.synthetic import synthetic_city""",
    ),
    ("md", "## The synthetic city and the cost to recover"),
    (
        "code",
        """city = synthetic_city(seed=2014, year=2014).payroll_only()
volumes = city.volumes
print(city.description.split(". ")[0] + ".")
print("departments:", len(city.departments))
print({service: int(total) for service, total in city.service_totals.items()})""",
    ),
    (
        "code",
        """budget = sfprice.load_budget(sfprice.bundled_budgets() / "2014-payroll.toml")
area = sfprice.full_cost(budget).area("payroll")
cost = area.full_cost - area.other_revenue
cost""",
    ),
    (
        "md",
        """## Three candidate models

- **Per unit** (baseline): the 2014 list, 57 kr per self-service and 110 kr per manual
  payslip.
- **Fixed**: each department pays a fixed annual fee, its share of the cost by what it
  used January–September (the window the 2010 allocation keys use), in twelve equal parts.
- **Hybrid**: a fixed base plus 53 kr per manual payslip, the 2014 manual surcharge, so
  that manual reporting still costs more than self-service.
- **Break-even per unit**: the 2014 list's prices scaled (ratio kept) so that the
  payslips alone recover the cost: what a per-unit 2026 list would have to charge.
- **Fixed with true-up**: the fixed fee, settled at year end against the break-even
  per-unit charge when the two differ by more than 5 %.""",
    ),
    (
        "code",
        """price_list = sfprice.load_catalog().get("2014")
per_unit = PerUnitModel.from_price_list(price_list, name="styckpris 2014")
solved = sfprice.break_even(cost_to_recover=cost, volumes=city.service_totals, rule="ratio",
                            base=price_list, quantum=Decimal("0.01"))
break_even = PerUnitModel.from_price_list(solved.draft, name="självkostnad styckpris")
reference = window(volumes, Month(2014, 1), Month(2014, 9))
fees = derive_fixed_fees(reference, per_unit, cost)
fixed = FixedFeeModel("fast avgift", fees)
hybrid = derive_hybrid(reference, per_unit, cost, {"payroll.manual": Decimal(53)},
                       name="hybrid 53 kr")
trued = FixedFeeModel("fast + avstämning 5 %", fees, TrueUp(break_even, Decimal("0.05")))
models = [per_unit, break_even, fixed, hybrid, trued]
print("break-even prices:", {c: str(p) for c, p in solved.prices.items()})
print("fixed fees sum to the cost:", sum(fees.values()) == cost)""",
    ),
    (
        "md",
        """## What each department would pay

The fixed fees sum exactly to the cost. The per-unit list recovers only what the payslips
bring in (41 991 000 kr); the 2014 budget expected the rest from add-on services and
events, which this comparison leaves out.""",
    ),
    (
        "code",
        """result = compare(volumes, models, cost_to_recover=cost)
view(result)""",
    ),
    ("code", """model_frame(result)"""),
    (
        "code",
        """frame = comparison_frame(result)
frame[frame.model == "hybrid 53 kr"].sort_values("difference_pct").head(5)[
    ["department", "baseline", "annual", "difference_pct", "variability"]
]""",
    ),
    (
        "code",
        """fig, ax = plt.subplots(figsize=(9, 12))
plot_difference(result, "hybrid 53 kr", ax=ax);""",
    ),
    (
        "md",
        """**Predictability.** *variability* is the coefficient of variation of a department's
monthly charges: 0 for a fixed fee, the same every month; the per-unit charges follow the
season (more payslips in the summer).""",
    ),
    (
        "code",
        """def mean_variability(model):
    values = [r.variability or Decimal(0) for r in result.departments if r.model == model]
    return (sum(values) / len(values)).quantize(Decimal("0.0001"))

{m.model: mean_variability(m.model) for m in result.models}""",
    ),
    (
        "md",
        """## Steering: does self-service still pay off?

The marginal price of one more payslip, manual against self-service: the reason prices
are differentiated at all (`003_dbc171dac11004c9.txt:935-941`).""",
    ),
    (
        "code",
        """{m.name: (m.marginal_price("payroll.manual"), m.marginal_price("payroll.self_service"))
 for m in models}""",
    ),
    (
        "code",
        """shifted = shift_channel(volumes, Decimal("0.2"))  # 20 % of manual to self-service
after = compare(shifted, models, cost_to_recover=cost)
{m.model: (m.revenue, m.over_recovery) for m in after.models}""",
    ),
    (
        "md",
        """Under the fixed fee a department that moves its manual payslips to self-service saves
nothing this year; under the hybrid it saves 53 kr a payslip, and the administration's
revenue falls by the same amount (its cost should fall too: manual handling is what
costs).""",
    ),
    ("md", "## When volumes move: growth and a department leaving mid-year"),
    (
        "code",
        """biggest = max(city.departments, key=lambda d: d.employees).name
scenarios = {
    "growth +5 %": scale(volumes, Decimal("1.05")),
    "decline -5 %": scale(volumes, Decimal("0.95")),
    f"{biggest} leaves from July": leave(volumes, biggest, Month(2014, 7)),
}
{name: {m.model: m.over_recovery for m in compare(v, models, cost_to_recover=cost).models}
 for name, v in scenarios.items()}""",
    ),
    (
        "md",
        """A department that leaves still owes its fixed fee under the fixed models as modelled
here (the fee is annual); under per-unit pricing the administration loses its revenue at
once. Either way the agreement must say what happens, which the plans leave open.

## Volume uncertainty: 10 000 scenarios

Every department's volume in every month varies around the year's by a lognormal factor
(spread 5 %). Reproducible from the seed.""",
    ),
    (
        "code",
        """mc = monte_carlo(volumes, models, cost_to_recover=cost, scenarios=10_000, sigma=0.05,
                 seed=2026, percentiles=range(1, 100))
monte_carlo_frame(mc)[["model", "deterministic", "mean", "minimum", "maximum",
                       "under_recovery_probability"]]""",
    ),
    (
        "code",
        """fig, ax = plt.subplots(figsize=(8, 4))
plot_recovery(mc, ax=ax);""",
    ),
    (
        "md",
        """## Reading the results

The sentences below are printed from the results above, not typed in.""",
    ),
    (
        "code",
        """kr = sfprice.format_amount
hybrid_mc, unit_mc = mc.model("hybrid 53 kr"), mc.model("självkostnad styckpris")
print(f"Fixed fee: recovers {kr(sum(fees.values()))} whatever the volumes; one more manual "
      f"payslip costs a department {kr(fixed.marginal_price('payroll.manual'))}.")
print(f"Hybrid: {kr(hybrid.marginal_price('payroll.manual'))} per manual payslip keeps the "
      f"steering. Set from January-September, it misses the cost by "
      f"{kr(hybrid_mc.deterministic)} at this year's volumes, and by "
      f"{kr(hybrid_mc.percentile(5))} to {kr(hybrid_mc.percentile(95))} in 90 % of the "
      f"scenarios.")
print(f"Break-even per unit ({kr(solved.prices['payroll.self_service'])} / "
      f"{kr(solved.prices['payroll.manual'])}): recovers the cost at the forecast volumes "
      f"and moves with them, {kr(unit_mc.percentile(5))} to {kr(unit_mc.percentile(95))}.")
print(f"The 2014 list without add-on and event revenue recovers "
      f"{result.model('styckpris 2014').recovery_ratio:.1%} of the cost.")""",
    ),
    (
        "md",
        """All figures come from the synthetic city: run the same cells on the real volume files
(`sfprice.read_volumes`) before drawing conclusions.""",
    ),
]


def build() -> nbformat.NotebookNode:
    """The notebook's cells, without outputs."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [
        nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text)
        for kind, text in CELLS
    ]
    return notebook


def execute(notebook: nbformat.NotebookNode, directory: Path) -> nbformat.NotebookNode:
    """Run every cell top to bottom in ``directory``; an error in any cell stops it."""
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(directory)}},
    ).execute()
    return notebook


if __name__ == "__main__":
    executed = execute(build(), HERE)
    nbformat.write(executed, NOTEBOOK)
    print(f"wrote {NOTEBOOK}")
