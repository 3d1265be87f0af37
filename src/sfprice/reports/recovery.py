"""Render cost-recovery results: full-cost statements, balances and break-even prices.

Same conventions as :mod:`sfprice.reports.formats`: JSON and CSV carry decimal strings
with a point (``"48300000.00"``); tables are for people, in Swedish by default.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from decimal import Decimal

from babel.numbers import format_decimal

from sfprice.engine.breakeven import BreakEven
from sfprice.engine.kpi import KpiRow
from sfprice.engine.recovery import FullCostStatement, PeriodResult, RecoveryBalance
from sfprice.kpis import PlanIndicator
from sfprice.money import optional_decimal_text
from sfprice.reports.formats import decimal_text, format_amount, format_price
from sfprice.reports.text import text_table

__all__ = [
    "balance_to_data",
    "balance_to_table",
    "breakeven_to_data",
    "breakeven_to_table",
    "fullcost_to_data",
    "fullcost_to_table",
    "kpi_to_data",
    "kpi_to_table",
    "to_csv",
    "to_json",
]


def _ratio(value: Decimal | None, locale: str) -> str:
    if value is None:
        return "–"
    percent = (value * 100).quantize(Decimal("0.1"))
    return f"{decimal_text(percent).replace('.', ',' if locale.startswith('sv') else '.')} %"


def to_json(data: object) -> str:
    """JSON text of report data (from the ``*_to_data`` functions)."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def to_csv(rows: list[dict[str, object]]) -> str:
    """CSV text of a list of flat records (the ``rows`` of report data)."""
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


# ------------------------------------------------------------------------ full cost


def fullcost_to_data(statement: FullCostStatement) -> dict[str, object]:
    """The statement as JSON-ready data; ``rows`` has one flat record per area."""
    rows: list[dict[str, object]] = [
        {
            "area": a.code,
            "name": a.name,
            "direct_cost": optional_decimal_text(a.direct_cost),
            "common_share": optional_decimal_text(a.common_share),
            "full_cost": optional_decimal_text(a.full_cost),
            "revenue": optional_decimal_text(a.revenue),
            "other_revenue": optional_decimal_text(a.other_revenue),
            "surplus": optional_decimal_text(a.surplus),
            "result": optional_decimal_text(a.result),
        }
        for a in (*statement.areas, *statement.other_areas)
    ]
    return {
        "budget": statement.budget_id,
        "year": statement.year,
        "key": str(statement.key),
        "common_cost": optional_decimal_text(statement.common_cost),
        "surplus_total": optional_decimal_text(statement.surplus_total),
        "coverage_gap": optional_decimal_text(statement.coverage_gap),
        "rows": rows,
    }


def fullcost_to_table(statement: FullCostStatement, locale: str = "sv_SE") -> str:
    """The statement for people: per area own cost, common share, full cost, revenue."""

    def kr(value: Decimal) -> str:
        return format_amount(value, locale)

    rows = [
        [
            "Område",
            "Egna kostnader",
            "Andel gemensamma",
            "Full kostnad",
            "Intäkter",
            "Överskott före gemensamma",
            "Resultat",
        ]
    ]
    rows.extend(
        [
            a.name,
            kr(a.direct_cost),
            kr(a.common_share),
            kr(a.full_cost),
            kr(a.revenue),
            kr(a.surplus),
            kr(a.result),
        ]
        for a in (*statement.areas, *statement.other_areas)
    )
    out = [
        f"Full kostnad {statement.year} (budget {statement.budget_id}), "
        f"gemensamma kostnader fördelade efter {statement.key}"
    ]
    out += ["  " + line for line in text_table(rows, right={1, 2, 3, 4, 5, 6})]
    out += [
        "",
        f"Säljande områdens överskott:  {kr(statement.surplus_total)}",
        f"Gemensamma kostnader:         {kr(statement.common_cost)}",
        f"Skillnad:                     {kr(statement.coverage_gap)}"
        + ("  (täcker exakt)" if not statement.coverage_gap else ""),
    ]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------ the balance


def _period_data(period: PeriodResult) -> dict[str, object]:
    return {
        "period": period.label,
        "billed": optional_decimal_text(period.billed),
        "other_revenue": optional_decimal_text(period.other_revenue),
        "revenue": optional_decimal_text(period.revenue),
        "cost": optional_decimal_text(period.cost),
        "result": optional_decimal_text(period.result),
        "recovery_ratio": optional_decimal_text(period.recovery_ratio),
        "complete": period.complete,
    }


def balance_to_data(balance: RecoveryBalance) -> dict[str, object]:
    """The balance as JSON-ready data; ``rows`` has months, tertials and year to date."""
    rows = [_period_data(p) for p in (*balance.months, *balance.tertials, balance.year_to_date)]
    accuracy = balance.t2_accuracy
    return {
        "area": balance.area,
        "year": balance.year,
        "through": str(balance.through),
        "full_cost": optional_decimal_text(balance.full_cost),
        "opening_balance": optional_decimal_text(balance.opening_balance),
        "closing_balance": optional_decimal_text(balance.closing_balance),
        "forecasts": [
            {
                "method": f.method,
                "revenue": optional_decimal_text(f.revenue),
                "cost": optional_decimal_text(f.cost),
                "result": optional_decimal_text(f.result),
            }
            for f in balance.forecasts
        ],
        "t2_accuracy": None
        if accuracy is None
        else {
            "forecast_result": optional_decimal_text(accuracy.forecast.result),
            "actual_result": optional_decimal_text(accuracy.actual_result),
            "deviation": optional_decimal_text(accuracy.deviation),
            "target": optional_decimal_text(accuracy.target),
            "within_target": accuracy.within_target,
        },
        "rows": rows,
    }


def balance_to_table(balance: RecoveryBalance, locale: str = "sv_SE") -> str:
    """The balance for people: months, tertials, year to date, balances and forecasts."""

    def kr(value: Decimal) -> str:
        return format_amount(value, locale)

    rows = [["Period", "Fakturerat", "Övriga intäkter", "Kostnad", "Resultat", "Kostnadstäckning"]]
    for period in (*balance.months, *balance.tertials, balance.year_to_date):
        label = period.label + ("" if period.complete else " (hittills)")
        rows.append(
            [
                label,
                kr(period.billed),
                kr(period.other_revenue),
                kr(period.cost),
                kr(period.result),
                _ratio(period.recovery_ratio, locale),
            ]
        )
    out = [
        f"Kostnadstäckning {balance.area} {balance.year}, utfall till och med "
        f"{balance.through} (full kostnad för året {kr(balance.full_cost)})"
    ]
    out += ["  " + line for line in text_table(rows, right={1, 2, 3, 4, 5})]
    out += [
        "",
        f"Ingående balans (överfört resultat):  {kr(balance.opening_balance)}",
        f"Utgående balans:                      {kr(balance.closing_balance)}",
    ]
    names = {"budget": "utfall + budget resterande månader", "run_rate": "takt hittills"}
    for forecast in balance.forecasts:
        out.append(
            f"Helårsprognos ({names.get(forecast.method, forecast.method)}): "
            f"resultat {kr(forecast.result)}"
        )
    if balance.t2_accuracy is not None:
        acc = balance.t2_accuracy
        if acc.deviation is None:
            judged = (
                "avvikelse – (ej definierad: årets fulla kostnad är 0 kr, så det finns "
                "ingen omslutning att mäta mot)"
            )
        else:
            verdict = "inom" if acc.within_target else "utanför"
            judged = (
                f"avvikelse {_ratio(acc.deviation, locale)} av omslutningen "
                f"({verdict} målet ±{_ratio(acc.target, locale)})"
            )
        out.append(
            f"Prognossäkerhet T2: prognos {kr(acc.forecast.result)}, utfall "
            f"{kr(acc.actual_result)}, {judged}"
        )
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------ break-even


def breakeven_to_data(result: BreakEven) -> dict[str, object]:
    """Break-even prices as JSON-ready data; ``rows`` has one record per priced service."""
    rows: list[dict[str, object]] = [
        {
            "service": code,
            "volume": optional_decimal_text(result.volumes.get(code, Decimal(0))),
            "exact_price": optional_decimal_text(result.exact_prices.get(code)),
            "price": optional_decimal_text(result.prices[code]),
            "fixed": code not in result.exact_prices,
        }
        for code in result.prices
    ]
    return {
        "rule": str(result.rule),
        "cost_to_recover": optional_decimal_text(result.cost_to_recover),
        "deductions": {k: optional_decimal_text(v) for k, v in result.deductions.items()},
        "target": optional_decimal_text(result.target),
        "revenue_at_prices": optional_decimal_text(result.revenue),
        "rounding_residual": optional_decimal_text(result.residual),
        "draft_price_list": result.draft.id,
        "base_price_list": result.base_id,
        "revenue_at_base_prices": optional_decimal_text(result.base_revenue),
        "left_uncovered_by_base_prices": optional_decimal_text(result.base_gap),
        "rows": rows,
        "followed": [_followed(result, code) for code in result.followed],
    }


def _followed(result: BreakEven, code: str) -> dict[str, object]:
    item = result.draft.item(code)
    assert item is not None  # followed codes come from the draft
    return {
        "service": code,
        "price": optional_decimal_text(item.price),
        "components": [
            {"label": c.label, "price": optional_decimal_text(c.price), "item": c.item}
            for c in item.components
        ],
    }


_LABEL_WIDTH = 39  # the longest label, "avgår tilläggstjänster och händelser:", and a space


def breakeven_to_table(result: BreakEven, locale: str = "sv_SE") -> str:
    """Break-even prices for people, with what the rounding leaves."""

    def kr(value: Decimal) -> str:
        return format_amount(value, locale)

    out = [
        f"Självkostnadspriser ({result.rule}), utkast {result.draft.id}",
        f"  {'Kostnad att täcka:':{_LABEL_WIDTH}}{kr(result.cost_to_recover)}",
    ]
    labels = {
        "other_revenue": "avgår övriga intäkter",
        "addon_revenue": "avgår tilläggstjänster och händelser",
        "carried_balance_returned": "avgår återfört överskott i år",
        "fixed_price_revenue": "avgår tjänster med fast pris",
    }
    out += [
        f"  {labels.get(k, k) + ':':{_LABEL_WIDTH}}{kr(v)}"
        for k, v in result.deductions.items()
        if v
    ]
    out.append(f"  {'Att täcka med priserna:':{_LABEL_WIDTH}}{kr(result.target)}")
    rows = [["Tjänst", "Volym", "Exakt pris", "Pris"]]
    for code, price in result.prices.items():
        exact = result.exact_prices.get(code)
        rows.append(
            [
                code,
                format_decimal(result.volumes.get(code, Decimal(0)), locale=locale),
                "fast pris"
                if exact is None
                else format_decimal(exact, format="#,##0.0000", locale=locale),
                format_price(price, locale),
            ]
        )
    out += ["  " + line for line in text_table(rows, right={1, 2, 3})]
    for code in result.followed:
        item = result.draft.item(code)
        assert item is not None  # followed codes come from the draft
        parts = " + ".join(format_decimal(c.price, locale=locale) for c in item.components)
        named = ", ".join(c.item for c in item.components if c.item)
        out.append(f"  Följer {named}: {code} {parts} = {format_price(item.price, locale)}")
    out.append(
        f"  Prislista {result.base_id} vid prognosvolymerna: {kr(result.base_revenue)}, "
        f"lämnar {kr(result.base_gap)} att täcka med tilläggstjänster och händelser"
    )
    residual = result.residual
    word = "överskott" if residual > 0 else "underskott" if residual < 0 else "ingen avvikelse"
    out.append(
        f"  Intäkt vid avrundade priser: {kr(result.revenue)} "
        f"(avrundningen ger {word} {kr(abs(residual))})"
    )
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------ KPIs


def kpi_to_data(
    rows: tuple[KpiRow, ...], others: Sequence[PlanIndicator] = ()
) -> dict[str, object]:
    """KPI rows as JSON-ready data (``rows``: one flat record per KPI and period).

    ``not_measured`` lists the year's other plan indicators (``others``), as printed.
    """
    return {
        "not_measured": [
            {
                "year": i.year,
                "name": i.name,
                "target": i.target or None,
                "kf_target": i.kf_target or None,
                "periodicity": i.periodicity or None,
                "source": i.source,
            }
            for i in others
        ],
        "rows": [
            {
                "kpi": row.kpi.code,
                "name": row.kpi.name,
                "period": row.period,
                "time_base": None if row.kpi.time_base is None else str(row.kpi.time_base),
                "numerator": optional_decimal_text(row.numerator),
                "denominator": optional_decimal_text(row.denominator),
                "actual": optional_decimal_text(row.actual),
                "target": optional_decimal_text(row.kpi.target),
                "forecast": optional_decimal_text(row.kpi.forecast),
                "met": row.met,
                "year": row.kpi.year,
                "plan": row.kpi.plan or None,
                "source": row.kpi.source or None,
            }
            for row in rows
        ],
    }


def kpi_to_table(
    rows: tuple[KpiRow, ...], locale: str = "sv_SE", others: Sequence[PlanIndicator] = ()
) -> str:
    """KPI rows for people: one block per KPI, a row per period, actual against target.

    The year's other plan indicators (``others``) follow, marked as not measured.
    """
    out: list[str] = []
    seen: list[str] = []
    for row in rows:
        if row.kpi.code not in seen:
            seen.append(row.kpi.code)
    for code in seen:
        block = [r for r in rows if r.kpi.code == code]
        kpi = block[0].kpi
        share = kpi.kind == "share"

        def show(value: Decimal | None, share: bool = share) -> str:
            if value is None:
                return "–"
            if share:
                return _ratio(value, locale)
            return format_decimal(value, format="#,##0.##", locale=locale)

        base = f", per {'månad' if kpi.time_base == 'month' else 'år'}" if kpi.time_base else ""
        if kpi.target is not None:
            stated = f"mål {kpi.year}: {show(kpi.target)} ({kpi.plan}) [{kpi.source}]"
        elif kpi.forecast is not None:
            stated = (
                f"prognos {kpi.year}, inget mål: {show(kpi.forecast)} ({kpi.plan}) [{kpi.source}]"
            )
        else:
            stated = f"inget mål angivet för {kpi.year}"
        out.append(f"{kpi.name} ({kpi.code}{base}); {stated}")
        forecast = kpi.forecast is not None
        table = [["Period", "Utfall", "Prognos" if forecast else "Mål", "Uppfyllt"]]
        table.extend(
            [
                r.period,
                show(r.actual),
                show(kpi.forecast if forecast else kpi.target),
                {True: "ja", False: "nej", None: "–"}[r.met],
            ]
            for r in block
        )
        out += ["  " + line for line in text_table(table, right={1, 2})]
        out.append("")
    if others:
        out.append(f"Planens övriga indikatorer för {others[0].year} (mäts inte av sfprice):")
        for indicator in others:
            target = indicator.target or "inget eget mål"
            extra = [f"KF: {indicator.kf_target}"] if indicator.kf_target else []
            extra += [indicator.periodicity] if indicator.periodicity else []
            tail = f" ({', '.join(extra)})" if extra else ""
            out.append(f"  {indicator.name}: {target}{tail} [{indicator.source}]")
        out.append("")
    return "\n".join(out)
