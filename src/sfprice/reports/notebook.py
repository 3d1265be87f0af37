"""Notebook helpers: simulation results as pandas DataFrames, matplotlib plots and HTML.

pandas and matplotlib are optional (``pip install 'sfprice[notebook]'``) and imported only
when one of these functions is called, so ``import sfprice`` stays fast. Money stays
Decimal in DataFrames (object columns); it becomes float only inside the plot functions,
at the plotting edge, where a picture needs no öre.
"""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any

from sfprice.engine.montecarlo import MonteCarloResult
from sfprice.engine.simulate import Comparison
from sfprice.reports.formats import format_amount

__all__ = [
    "ComparisonView",
    "comparison_frame",
    "model_frame",
    "monte_carlo_frame",
    "plot_difference",
    "plot_recovery",
    "view",
]

_HINT = "pip install 'sfprice[notebook]'"


def _pandas() -> Any:
    try:
        import pandas  # type: ignore[import-untyped,unused-ignore]  # optional, lazy
    except ModuleNotFoundError as exc:
        msg = f"pandas is needed for DataFrames: {_HINT}"
        raise ModuleNotFoundError(msg) from exc
    return pandas


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt  # optional, lazy
    except ModuleNotFoundError as exc:
        msg = f"matplotlib is needed for plots: {_HINT}"
        raise ModuleNotFoundError(msg) from exc
    return plt


def comparison_frame(comparison: Comparison) -> Any:
    """One row per department and model (Decimal columns), as a pandas DataFrame."""
    return _pandas().DataFrame.from_records(comparison.to_records())


def model_frame(comparison: Comparison) -> Any:
    """One row per model: revenue, cost, over-recovery, recovery ratio, cross-subsidy."""
    return _pandas().DataFrame.from_records(
        [
            {
                "model": m.model,
                "revenue": m.revenue,
                "cost": m.cost,
                "over_recovery": m.over_recovery,
                "recovery_ratio": m.recovery_ratio,
                "cross_subsidy": m.cross_subsidy,
            }
            for m in comparison.models
        ]
    )


def plot_difference(comparison: Comparison, model: str, ax: Any = None) -> Any:
    """Bar chart: each department's change in percent against the baseline under ``model``."""
    plt = _pyplot()
    rows = [r for r in comparison.departments if r.model == model]
    if ax is None:
        _, ax = plt.subplots(figsize=(10, max(3.0, len(rows) * 0.22)))
    # float at the plotting edge only: a bar needs no öre.
    values = [float(r.difference_pct or 0) for r in rows]
    ax.barh(
        [r.department for r in rows],
        values,
        color=["#b2182b" if v > 0 else "#2166ac" for v in values],
    )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(f"förändring mot {comparison.baseline}, %")
    ax.set_title(f"{model}: förändring per förvaltning")
    ax.invert_yaxis()
    return ax


def monte_carlo_frame(result: MonteCarloResult) -> Any:
    """One row per model: mean, extremes, percentiles and probability of under-recovery."""
    return _pandas().DataFrame.from_records(result.to_records())


def plot_recovery(result: MonteCarloResult, ax: Any = None) -> Any:
    """The distribution of each model's over/under-recovery, as its quantile curve.

    Each curve runs through the percentiles the simulation reported (ask for many, e.g.
    ``percentiles=range(1, 100)``), from the minimum to the maximum scenario.
    """
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    for model in result.models:
        points = [(0, model.minimum), *model.percentiles, (100, model.maximum)]
        # float at the plotting edge only: million kronor on an axis.
        ax.plot([p for p, _ in points], [float(v) / 1e6 for _, v in points], label=model.model)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xlabel(f"percentil av {result.scenarios} scenarier (sigma {result.sigma})")
    ax.set_ylabel("över-/underskott mot kostnaden, mnkr")
    ax.set_title("Kostnadstäckning under volymosäkerhet")
    ax.legend()
    return ax


def _kr(value: Decimal) -> str:
    return html.escape(format_amount(value))


class ComparisonView:
    """A comparison for Jupyter: shows as an HTML table (``_repr_html_``)."""

    def __init__(self, comparison: Comparison) -> None:
        self.comparison = comparison

    def __repr__(self) -> str:
        models = ", ".join(m.model for m in self.comparison.models)
        departments = len({r.department for r in self.comparison.departments})
        return f"<Comparison of {models} for {departments} departments>"

    def _repr_html_(self) -> str:
        c = self.comparison
        models = [m.model for m in c.models]
        departments = list(dict.fromkeys(r.department for r in c.departments))
        head = "".join(f"<th>{html.escape(m)}</th>" for m in models)
        body = []
        for department in departments:
            cells = []
            for m in models:
                r = c.result(department, m)
                pct = (
                    ""
                    if r.difference_pct is None or m == c.baseline
                    else (f" <small>({r.difference_pct:+} %)</small>")
                )
                cells.append(f"<td style='text-align:right'>{_kr(r.annual)}{pct}</td>")
            body.append(f"<tr><td>{html.escape(department)}</td>{''.join(cells)}</tr>")
        summary = "".join(
            f"<tr><td>{html.escape(m.model)}</td><td style='text-align:right'>{_kr(m.revenue)}"
            f"</td><td style='text-align:right'>{_kr(m.over_recovery)}</td>"
            f"<td style='text-align:right'>{_kr(m.cross_subsidy)}</td></tr>"
            for m in c.models
        )
        return (
            f"<p><b>Årsavgift per förvaltning</b> (baslinje: {html.escape(c.baseline)}, "
            f"kostnad att täcka {_kr(c.cost)})</p>"
            f"<table><tr><th>Förvaltning</th>{head}</tr>{''.join(body)}</table>"
            "<p><b>Per modell</b></p><table><tr><th>Modell</th><th>Intäkt</th>"
            f"<th>Över-/underskott</th><th>Korssubvention</th></tr>{summary}</table>"
        )


def view(comparison: Comparison) -> ComparisonView:
    """Wrap a comparison so that Jupyter shows it as a table: ``sfprice.view(result)``."""
    return ComparisonView(comparison)
