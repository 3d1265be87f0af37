"""The ``simulate`` comparison as data (JSON, CSV rows) and as a Swedish table for people.

What ``sfprice simulate`` prints: the CLI runs :func:`sfprice.app.simulation.run_simulation`
and hands the outcome here with the setting it was run on (budget, area, costs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from babel.numbers import format_decimal

from sfprice.collation import swedish_key
from sfprice.costmodel import CostModel, CostOutcome
from sfprice.engine.administration import AdminCount
from sfprice.engine.listmodel import plain_unit
from sfprice.engine.montecarlo import MonteCarloResult
from sfprice.engine.simulate import ADMIN_COLUMNS, Comparison, DepartmentResult, ModelResult
from sfprice.model import PriceList
from sfprice.money import decimal_text, optional_decimal_text, round_amount
from sfprice.period import Month
from sfprice.reports.formats import format_amount
from sfprice.reports.text import text_table
from sfprice.subscription import DEFAULT_THRESHOLD

__all__ = [
    "SimulationSetting",
    "model_label",
    "simulation_data",
    "simulation_table",
]


def model_label(spec: _ModelChoice, price_list: PriceList, locale: str) -> str:
    """A model in Swedish, for the table."""
    if spec.kind == "unit":
        # "styckpris" (per-unit price) only when every item is one; else the list's name.
        if all(plain_unit(item) for item in price_list.items):
            return f"styckpris {price_list.id}"
        return f"prislista {price_list.id}"
    if spec.kind in _PLAIN_LABELS:
        return _PLAIN_LABELS[spec.kind]
    if spec.kind == "subscription":
        threshold = DEFAULT_THRESHOLD if spec.value is None else spec.value
        return f"abonnemang 1/12, avstämning över {format_amount(threshold, locale)}"
    assert spec.value is not None  # fixed-trueup and hybrid always have a value
    if spec.kind == "fixed-trueup":
        return f"fast avgift, avstämning utanför ±{_number(spec.value * 100, locale)} %"
    return f"fast avgift + {format_amount(spec.value, locale)} per manuell lön"


_PLAIN_LABELS = {
    "fixed": "fast avgift",
    "fixed-employees": "fast avgift per anställd",
    "fixed-payslips": "fast avgift efter antal löner",
    "breakeven": "styckpris till självkostnad",
}


class _ModelChoice(Protocol):
    """A model as the user chose it (:class:`sfprice.app.simulation.ModelSpec`)."""

    @property
    def kind(self) -> str: ...
    @property
    def value(self) -> Decimal | None: ...
    @property
    def name(self) -> str: ...


class _ScenarioStep(Protocol):
    """A change to the volumes (:class:`sfprice.app.simulation.Scenario`)."""

    @property
    def text(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def number(self) -> Decimal: ...
    @property
    def department(self) -> str: ...
    @property
    def month(self) -> Month | None: ...
    @property
    def like(self) -> str: ...
    @property
    def sigma(self) -> float: ...
    @property
    def seed(self) -> int: ...
    @property
    def end(self) -> Month | None: ...


@dataclass(frozen=True, slots=True)
class SimulationSetting:
    """What the comparison was run on, for the report header.

    Attributes:
        budget: The budget's id.
        area: The business area whose cost the models recover.
        area_name: Its name.
        year: The simulated year.
        price_list: The list the models are derived from.
        reference: The window of months the fees are set from.
        full_cost: The area's full cost.
        other_revenue: Its revenue outside the price list.
        scenarios: The changes applied to the year's volumes, in order.
        models: The models compared, the list as it stands first.
        cost_model: The area's cost model when its staff follows volume (then the cost
            of each model is the cost at the scenario's volumes), else None.
    """

    budget: str
    area: str
    area_name: str
    year: int
    price_list: PriceList
    reference: tuple[Month, Month]
    full_cost: Decimal
    other_revenue: Decimal
    scenarios: Sequence[_ScenarioStep]
    models: Sequence[_ModelChoice]
    cost_model: CostModel | None = None

    @property
    def labels(self) -> dict[str, str]:
        """Each model's Swedish label, by model name."""
        return {m.name: model_label(m, self.price_list, "sv_SE") for m in self.models}


def _kr(value: Decimal) -> str:
    return decimal_text(round_amount(value))  # to öre at any size


def _row_data(row: DepartmentResult) -> dict[str, object]:
    return {
        "department": row.department,
        "model": row.model,
        "annual": _kr(row.annual),
        "baseline": _kr(row.baseline),
        "difference": _kr(row.difference),
        "difference_pct": optional_decimal_text(row.difference_pct),
        "variability": optional_decimal_text(row.variability),
        "marginal_manual": _kr(row.marginal_manual),
        "marginal_self_service": _kr(row.marginal_self_service),
        "steering": _kr(row.steering),
        "fair": _kr(row.fair),
        "largest_deviation": None if row.largest_deviation is None else _kr(row.largest_deviation),
        **_admin_data(row.administration),
    }


def _admin_data(count: AdminCount | None) -> dict[str, object]:
    if count is None:
        return dict.fromkeys(ADMIN_COLUMNS)
    return {
        "invoices": count.invoices,
        "lines": count.lines,
        "corrections": count.corrections,
        "reconciliations": count.reconciliations,
        "documents": count.documents,
    }


_ONE_PCT, _FIVE_PCT = Decimal("0.01"), Decimal("0.05")


def _model_data(summary: ModelResult, comparison: Comparison, label: str) -> dict[str, object]:
    first = next(r for r in comparison.departments if r.model == summary.model)
    return {
        "model": summary.model,
        "label": label,
        "revenue": _kr(summary.revenue),
        "cost": _kr(summary.cost),
        "over_recovery": _kr(summary.over_recovery),
        "recovery_ratio": optional_decimal_text(summary.recovery_ratio),
        "cross_subsidy": _kr(summary.cross_subsidy),
        "balance": _kr(summary.balance),
        "outside_1pct": summary.outside(_ONE_PCT),
        "outside_5pct": summary.outside(_FIVE_PCT),
        "marginal_manual": _kr(first.marginal_manual),
        "marginal_self_service": _kr(first.marginal_self_service),
        "steering": _kr(first.steering),
        **_admin_data(summary.administration),
    }


def _cost_data(model: CostModel, outcome: CostOutcome) -> dict[str, Any]:
    return {
        "fixed": _kr(outcome.fixed),
        "staff": _kr(outcome.staff),
        "total": _kr(outcome.total),
        "average_fte": decimal_text(outcome.average_fte),
        "planned_cost": _kr(model.planned_cost),
        "drivers": [
            {
                "label": d.label,
                "services": list(d.services),
                "productivity": decimal_text(d.productivity),
                "cost_per_fte": _kr(d.cost_per_fte),
                "wages_per_fte": optional_decimal_text(d.wages_per_fte),
                "oncost_rate": optional_decimal_text(d.oncost_rate),
                "rounding": str(d.rounding),
                "step": optional_decimal_text(d.step),
                "lag": d.lag,
                "min_fte": decimal_text(d.min_fte),
                "planned_volume": optional_decimal_text(d.planned_volume),
                "source": d.source,
                "cost": _kr(outcome.driver_cost(d.label)),
            }
            for d in model.drivers
        ],
        "months": [
            {
                "month": str(m.month),
                "fte": decimal_text(m.fte),
                "staff": _kr(m.staff),
                "fixed": _kr(m.fixed),
                "total": _kr(m.total),
            }
            for m in outcome.months
        ],
    }


def simulation_data(
    comparison: Comparison,
    setting: SimulationSetting,
    uncertainty: MonteCarloResult | None = None,
) -> dict[str, Any]:
    """The comparison as JSON-ready data (decimal strings); its rows are the CSV's rows.

    With a Monte Carlo (``uncertainty``), ``uncertainty`` holds its draws, spread and seed,
    per model the balance's mean, 5th, 50th and 95th percentiles (kr), the mean cost and
    the probabilities (4 decimals: 0.0123 is 1,23 %) of under-recovery and of ending
    outside ±1 % and ±5 % of the cost, and per department and model its annual charge's
    mean, p5, p95 (kr) and width ((p95 - p5) / mean); else None.

    With a cost model, ``cost_model`` holds its fixed and staff cost at the scenario's
    volumes, its drivers and months, and every row carries its model's revenue, cost,
    balance and whether the balance is outside ±1 % and ±5 % of the cost.
    """
    start, end = setting.reference
    rows = [_row_data(r) for r in comparison.departments]
    outcome = comparison.cost_outcome
    if setting.cost_model is not None and outcome is not None:
        summaries = {m.model: m for m in comparison.models}
        for row in rows:
            summary = summaries[str(row["model"])]
            row.update(
                {
                    "model_revenue": _kr(summary.revenue),
                    "model_cost": _kr(summary.cost),
                    "model_balance": _kr(summary.balance),
                    "model_outside_1pct": summary.outside(_ONE_PCT),
                    "model_outside_5pct": summary.outside(_FIVE_PCT),
                }
            )
    return {
        "year": setting.year,
        "budget": setting.budget,
        "area": setting.area,
        "price_list": setting.price_list.id,
        "reference": f"{start}..{end}",
        "scenarios": [s.text for s in setting.scenarios],
        "baseline": comparison.baseline,
        "cost": _kr(comparison.cost),
        "cost_model": (
            _cost_data(setting.cost_model, outcome)
            if setting.cost_model is not None and outcome is not None
            else None
        ),
        "models": [_model_data(m, comparison, setting.labels[m.model]) for m in comparison.models],
        "rows": rows,
        "uncertainty": None if uncertainty is None else _uncertainty_data(uncertainty, setting),
    }


def _uncertainty_data(result: MonteCarloResult, setting: SimulationSetting) -> dict[str, Any]:
    """The Monte Carlo as JSON-ready data (decimal strings)."""
    labels = setting.labels
    return {
        "scenarios": result.scenarios,
        "sigma": repr(result.sigma),
        "seed": result.seed,
        "models": [
            {
                "model": m.model,
                "label": labels[m.model],
                "mean_cost": None if m.mean_cost is None else _kr(m.mean_cost),
                "mean_balance": _kr(m.mean),
                "p5_balance": _kr(m.percentile(5)),
                "p50_balance": _kr(m.percentile(50)),
                "p95_balance": _kr(m.percentile(95)),
                "under_recovery_probability": decimal_text(m.under_recovery_probability),
                "outside_1pct_probability": decimal_text(m.outside_1pct_probability),
                "outside_5pct_probability": decimal_text(m.outside_5pct_probability),
            }
            for m in result.models
        ],
        "departments": [
            {
                "department": d.department,
                "model": d.model,
                "mean": _kr(d.mean),
                "p5": _kr(d.p5),
                "p95": _kr(d.p95),
                "width": optional_decimal_text(d.width),
            }
            for d in result.departments
        ],
    }


def _uncertainty_section(
    result: MonteCarloResult, labels: dict[str, str], locale: str
) -> list[str]:
    """The sections of the Monte Carlo: per model, then each department's spread."""

    def kr(value: Decimal) -> str:
        return format_amount(value, locale)

    def share(value: Decimal) -> str:
        return _pct(value * 100, locale)

    rows = [
        [
            "Modell",
            "Medelbalans",
            "5:e percentilen",
            "95:e percentilen",
            "Undertäckning",
            "Utanför ±1 %",
            "Utanför ±5 %",
        ]
    ]
    rows.extend(
        [
            labels[m.model],
            kr(m.mean),
            kr(m.percentile(5)),
            kr(m.percentile(95)),
            share(m.under_recovery_probability),
            share(m.outside_1pct_probability),
            share(m.outside_5pct_probability),
        ]
        for m in result.models
    )
    sigma = format_decimal(Decimal(repr(result.sigma)) * 100, locale=locale)
    out = [
        "",
        f"Osäkerhet: {_number(Decimal(result.scenarios), locale)} slumpade år kring "
        f"scenariots volymer (varje volym gånger en lognormal faktor, spridning {sigma} %, "
        f"frö {result.seed})",
        *("  " + line for line in text_table(rows, right={1, 2, 3, 4, 5, 6})),
    ]
    models = [m.model for m in result.models]
    spread = {(d.department, d.model): d for d in result.departments}
    shown = [m for m in models if any(key[1] == m for key in spread)]
    if shown:
        departments = sorted({d for d, _ in spread}, key=swedish_key)
        table = [["Förvaltning", *(labels[m] for m in shown)]]
        table.extend(
            [
                department,
                *(
                    _pct(
                        None
                        if (d := spread.get((department, m))) is None or d.width is None
                        else d.width * 100,
                        locale,
                    )
                    for m in shown
                ),
            ]
            for department in departments
        )
        out += [
            "",
            "Förutsägbarhet per förvaltning: årsbeloppets spridning, (95:e − 5:e percentilen) "
            "/ medelvärdet",
            *("  " + line for line in text_table(table, right=set(range(1, len(shown) + 1)))),
        ]
    return out


def _number(value: Decimal, locale: str) -> str:
    return str(format_decimal(value, format="#,##0.##", locale=locale))


def _pct(value: Decimal | None, locale: str) -> str:
    if value is None:
        return "–"
    return f"{format_decimal(value, format='#,##0.00', locale=locale)} %"


def _describe(step: _ScenarioStep, locale: str) -> str:
    if step.kind == "shift":
        return f"{_number(step.number * 100, locale)} % av de manuella lönerna till självservice"
    if step.kind == "growth":
        sign = "+" if step.number >= 0 else "−"
        return f"volymerna {sign}{_number(abs(step.number) * 100, locale)} %"
    if step.kind == "shock":
        sign = "+" if step.number >= 0 else "−"
        return (
            f"volymerna {sign}{_number(abs(step.number) * 100, locale)} % {step.month}..{step.end}"
        )
    if step.kind == "las":
        documents = _number(step.number, locale)
        return f"{documents} fler anställningsunderlag per månad (LAS), fördelade efter löner"
    if step.kind == "leave":
        return f"{step.department} lämnar från {step.month}"
    if step.kind == "join":
        return f"{step.department} ansluter från {step.month} med volymer som {step.like}"
    sigma = _number(Decimal(repr(step.sigma)), locale)
    return f"slumpvariation σ = {sigma} (frö {step.seed})"


def _yes(flag: bool) -> str:
    return "ja" if flag else "nej"


def _cost_lines(
    model: CostModel, outcome: CostOutcome, kr: Callable[[Decimal], str], locale: str
) -> list[str]:
    """The header lines of a cost that follows volume."""
    drivers = "; ".join(
        f"{d.label} ({', '.join(d.services)}: {_number(d.productivity, locale)} per "
        f"årsarbetare och månad, {kr(d.cost_per_fte)} per årsarbetare och år)"
        for d in model.drivers
    )
    return [
        f"Kostnad som följer volymen: fast {kr(model.fixed)} per år + personal efter volym: "
        f"{drivers}",
        f"Kostnad vid scenariots volymer: {kr(outcome.total)} (fast {kr(outcome.fixed)}, "
        f"personal {kr(outcome.staff)}, {_number(outcome.average_fte, locale)} årsarbetare "
        f"i snitt); vid planerad volym {kr(model.planned_cost)}",
    ]


def simulation_table(
    comparison: Comparison,
    setting: SimulationSetting,
    labels: dict[str, str],
    locale: str,
    uncertainty: MonteCarloResult | None = None,
) -> str:
    """The comparison for people: per department and model, per model, the Monte Carlo."""

    def kr(value: Decimal) -> str:
        return format_amount(value, locale)

    start, end = setting.reference
    scenario = "; ".join(_describe(s, locale) for s in setting.scenarios)
    derived = len(comparison.models) > 1
    out = [
        f"Simulering av prismodeller {setting.year}: {setting.area_name} "
        f"(budget {setting.budget}, prislista {setting.price_list.id})",
        (
            f"Kostnad att täcka vid planerad volym: {kr(setting.cost_model.planned_cost)} "
            if setting.cost_model is not None
            else f"Kostnad att täcka: {kr(comparison.cost)} "
        )
        + f"(full kostnad {kr(setting.full_cost)} − övriga intäkter "
        f"{kr(setting.other_revenue)})",
        f"Baslinje: {labels[comparison.baseline]}"
        + (
            f"; avgifterna är satta från volymerna {start}..{end} före scenariot" if derived else ""
        ),
        f"Scenario: {scenario or 'inget (volymerna som de är)'}",
    ]
    moving = setting.cost_model is not None and comparison.cost_outcome is not None
    if setting.cost_model is not None and comparison.cost_outcome is not None:
        out += _cost_lines(setting.cost_model, comparison.cost_outcome, kr, locale)
    out += [
        "",
    ]
    rows = [
        [
            "Förvaltning",
            "Modell",
            "Årsbelopp",
            "Skillnad mot baslinjen",
            "Skillnad i %",
            "Månadsvariation",
            "Största månadsavvikelse",
            "Styrning",
        ]
    ]
    names = list(dict.fromkeys(r.department for r in comparison.departments))
    order = [m.model for m in comparison.models]
    grouped = sorted(
        comparison.departments, key=lambda r: (names.index(r.department), order.index(r.model))
    )
    previous = None
    for result in grouped:
        rows.append(
            [
                "" if result.department == previous else result.department,
                labels[result.model],
                kr(result.annual),
                kr(result.difference),
                _pct(result.difference_pct, locale),
                _pct(None if result.variability is None else result.variability * 100, locale),
                "–" if result.largest_deviation is None else kr(result.largest_deviation),
                kr(result.steering),
            ]
        )
        previous = result.department
    out += ["  " + line for line in text_table(rows, right={2, 3, 4, 5, 6, 7})]
    summary = [
        [
            "Modell",
            "Intäkt",
            "Kostnad att täcka",
            "Över-/undertäckning",
            "Kostnadstäckning",
            "Korssubventionering",
            *(["Utanför ±1 % / ±5 %"] if moving else []),
        ]
    ]
    summary.extend(
        [
            labels[m.model],
            kr(m.revenue),
            kr(m.cost),
            kr(m.over_recovery),
            _pct(None if m.recovery_ratio is None else m.recovery_ratio * 100, locale),
            kr(m.cross_subsidy),
            *([f"{_yes(m.outside(_ONE_PCT))} / {_yes(m.outside(_FIVE_PCT))}"] if moving else []),
        ]
        for m in comparison.models
    )
    out += ["", "Per modell"]
    out += ["  " + line for line in text_table(summary, right={1, 2, 3, 4, 5, 6})]
    notes = (
        [
            "Utanför ±1 % / ±5 %: om över-/undertäckningen är större än 1 % (planernas "
            "prognosmål) eller 5 % av kostnaden vid scenariots volymer."
        ]
        if moving
        else []
    )
    out += _admin_section(comparison, labels, locale)
    if uncertainty is not None:
        out += _uncertainty_section(uncertainty, labels, locale)
        notes.append(
            "Osäkerhet: balans = intäkt − kostnad i varje slumpat år; undertäckning och "
            "utanför ±1 % / ±5 % är andelen år där det gäller."
        )
    out += [
        "",
        "Månadsvariation: standardavvikelse / medelvärde av förvaltningens månadsbelopp.",
        "Största månadsavvikelse: största skillnaden mellan en månads belopp och en lika "
        "stor del av årsbeloppet (en tolftedel för ett år).",
        "Styrning: vad en manuell lön kostar mer än en via självservice (> 0 gynnar självservice).",
        "Korssubventionering: vad förvaltningar betalar för varandra, mot modellens intäkt "
        "fördelad efter baslinjens belopp.",
        "Administration: fakturor (månader med belopp), fakturarader, rättelser "
        "(rättelsefakturor och kreditnotor) och avstämningar per år, alla kunder; "
        "dokument = fakturor + rättelser.",
        *notes,
    ]
    return "\n".join(out) + "\n"


def _admin_section(comparison: Comparison, labels: dict[str, str], locale: str) -> list[str]:
    """The section "Administration per år": each model's counts, all customers."""
    measured = [m for m in comparison.models if m.administration is not None]
    if not measured:
        return []
    customers = len({r.department for r in comparison.departments})
    rows = [
        [
            "Modell",
            "Fakturor",
            "Fakturarader",
            "Rättelser",
            "Avstämningar",
            "Dokument",
            "Dokument per kund",
        ]
    ]
    for m in measured:
        count = m.administration
        assert count is not None
        per_customer = Decimal(count.documents) / customers if customers else Decimal(0)
        rows.append(
            [
                labels[m.model],
                _number(Decimal(count.invoices), locale),
                _number(Decimal(count.lines), locale),
                _number(Decimal(count.corrections), locale),
                _number(Decimal(count.reconciliations), locale),
                _number(Decimal(count.documents), locale),
                _number(per_customer.quantize(Decimal("0.1"), ROUND_HALF_UP), locale),
            ]
        )
    table = text_table(rows, right={1, 2, 3, 4, 5, 6})
    return ["", "Administration per år", *("  " + line for line in table)]
