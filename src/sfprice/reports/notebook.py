"""Notebook helpers: simulation results as pandas DataFrames, matplotlib plots and HTML.

pandas and matplotlib are optional (``pip install 'sfprice[notebook]'``) and imported only
when one of these functions is called, so ``import sfprice`` stays fast. Money stays
Decimal in DataFrames (object columns); it becomes float only inside the plot functions,
at the plotting edge, where a picture needs no öre.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sfprice.engine.montecarlo import MonteCarloResult
from sfprice.engine.simulate import Comparison
from sfprice.reports.formats import format_amount, format_quantity

__all__ = [
    "ComparisonView",
    "axis_numbers",
    "comparison_frame",
    "model_frame",
    "monte_carlo_frame",
    "plot_administration",
    "plot_balance_bands",
    "plot_department_spread",
    "plot_difference",
    "plot_recovery",
    "plot_scenario_balances",
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


def axis_numbers(axis: Any, decimals: int = 1) -> None:
    """Swedish tick labels on a matplotlib axis: ``1 234,5`` (decimal comma, no-break spaces).

    The ticks are rounded to ``decimals`` and written by
    :func:`sfprice.reports.formats.format_quantity` (babel): no second number formatter.
    """
    ticker = __import__("matplotlib.ticker", fromlist=["FuncFormatter"])
    quantum = Decimal(1).scaleb(-decimals)

    def label(value: float, _position: int) -> str:
        # float from matplotlib at the plotting edge; shown rounded, never computed with.
        return format_quantity(Decimal(repr(float(value))).quantize(quantum).normalize() + 0)

    axis.set_major_formatter(ticker.FuncFormatter(label))


def plot_scenario_balances(
    balances: Mapping[str, Mapping[str, Decimal]],
    cost: Decimal,
    ax: Any = None,
    title: str = "",
) -> Any:
    """Grouped horizontal bars: each model's year-end balance (mnkr) in each scenario.

    Args:
        balances: kr per model and scenario (revenue minus cost), e.g.
            ``{"Fast avgift": {"+10 % volym": Decimal("-3149875.22"), ...}, ...}``; the
            models are drawn sorted by their largest absolute balance (the smallest on top).
        cost: The cost at the planned volumes (kr): the ±1 % band is shaded.
        ax: A matplotlib axis, or None for a new figure.
        title: The title (say the finding).
    """
    plt = _pyplot()
    models = sorted(balances, key=lambda m: max(abs(v) for v in balances[m].values()))
    scenarios = list(dict.fromkeys(s for m in models for s in balances[m]))
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 1.0 + 0.7 * len(models)))
    height = 0.8 / max(1, len(scenarios))
    colours = plt.get_cmap("tab10")
    for k, scenario in enumerate(scenarios):
        # float at the plotting edge only: million kronor on an axis.
        ax.barh(
            [i + k * height for i in range(len(models))],
            [float(balances[m].get(scenario, Decimal(0))) / 1e6 for m in models],
            height=height,
            label=scenario,
            color=colours(k),
        )
    band = float(cost) / 1e6 * 0.01
    ax.axvspan(-band, band, color="grey", alpha=0.2, label="±1 % av kostnaden")
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks([i + 0.4 - height / 2 for i in range(len(models))], models)
    ax.invert_yaxis()
    ax.set_xlabel("årets resultat (intäkt − kostnad), mnkr")
    axis_numbers(ax.xaxis)
    ax.set_title(title or "Årets resultat per modell och scenario")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, fontsize="small")
    return ax


def plot_balance_bands(
    result: MonteCarloResult,
    ax: Any = None,
    title: str = "",
    same_as: Mapping[str, str] | None = None,
) -> Any:
    """Each model's Monte-Carlo balance as a range (p5-p95 thick, p1-p99 thin), in % of cost.

    The ±1 % and ±5 % bands of the cost are shaded. Models are sorted by the width of
    their p5-p95 range. ``same_as`` draws a model that the simulation cannot price (a
    subscription) with another model's distribution, labelled so (``{"Abonnemang":
    "Styckpris"}``): only where the two are equal for every scenario, by construction.
    """
    plt = _pyplot()
    rows: list[tuple[str, Any]] = [(m.model, m) for m in result.models]
    for name, other in (same_as or {}).items():
        rows.append((f"{name} (= {other})", result.model(other)))
    cost = float(result.cost)

    def pct(value: Decimal) -> float:
        # float at the plotting edge only: a share of the cost on an axis.
        return float(value) / cost * 100

    def width(row: tuple[str, Any]) -> float:
        return pct(row[1].percentile(95)) - pct(row[1].percentile(5))

    rows.sort(key=width)
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 1.0 + 0.5 * len(rows)))
    ax.axvspan(-5, 5, color="#fdd49e", alpha=0.5, label="±5 %")
    ax.axvspan(-1, 1, color="#a1d99b", alpha=0.7, label="±1 % (prognosmålet)")
    for i, (_, dist) in enumerate(rows):
        ax.plot([pct(dist.percentile(1)), pct(dist.percentile(99))], [i, i], color="black")
        ax.plot(
            [pct(dist.percentile(5)), pct(dist.percentile(95))],
            [i, i],
            color="black",
            linewidth=6,
        )
        ax.plot([pct(dist.mean)], [i], "o", color="white", markeredgecolor="black")
    ax.set_yticks(range(len(rows)), [name for name, _ in rows])
    ax.invert_yaxis()
    ax.set_xlabel(f"årets resultat i % av kostnaden ({result.scenarios} scenarier)")
    axis_numbers(ax.xaxis)
    ax.set_title(title or "Årets resultat under volymosäkerhet")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize="small")
    return ax


def plot_administration(documents: Mapping[str, Decimal], ax: Any = None, title: str = "") -> Any:
    """Horizontal bars: documents per customer and year under each model, sorted."""
    plt = _pyplot()
    models = sorted(documents, key=lambda m: documents[m])
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 1.0 + 0.45 * len(models)))
    # float at the plotting edge only: a count per customer on an axis.
    values = [float(documents[m]) for m in models]
    ax.barh(models, values, color="#4292c6")
    for i, value in enumerate(values):
        shown = documents[models[i]].quantize(Decimal("0.1")).normalize() + 0
        ax.text(value, i, " " + format_quantity(shown), va="center")
    ax.set_xlim(0, max(values) * 1.15 if values else 1)
    ax.set_xlabel("dokument per kund och år (fakturor + rättelser)")
    axis_numbers(ax.xaxis, 0)
    ax.set_title(title or "Administration per kund")
    return ax


def plot_department_spread(
    widths: Mapping[str, Sequence[Decimal]], ax: Any = None, title: str = ""
) -> Any:
    """Box plot per model of the departments' Monte-Carlo spread of the annual charge (%).

    ``widths``: per model, each department's ``DepartmentSpread.width`` (a fraction: 0.08
    is 8 %); the models are sorted by their median width.
    """
    plt = _pyplot()

    def median(values: Sequence[Decimal]) -> Decimal:
        ordered = sorted(values)
        return ordered[len(ordered) // 2] if ordered else Decimal(0)

    models = sorted(widths, key=lambda m: median(widths[m]))
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 1.0 + 0.5 * len(models)))
    # float at the plotting edge only: percentages on an axis.
    data = [[float(w) * 100 for w in widths[m]] for m in models]
    version = tuple(int(part) for part in plt.matplotlib.__version__.split(".")[:2])
    # ``orientation`` replaced ``vert`` in matplotlib 3.10 (``vert`` warns from 3.11).
    sideways = {"orientation": "horizontal"} if version >= (3, 10) else {"vert": False}
    ax.boxplot(data, widths=0.6, **sideways)
    ax.set_yticks(range(1, len(models) + 1), models)
    ax.invert_yaxis()
    ax.set_xlabel("förvaltningens årsavgift: spridning p5–p95 i % av medel")
    axis_numbers(ax.xaxis)
    ax.set_title(title or "Förutsägbarhet per förvaltning")
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
