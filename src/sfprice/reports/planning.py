"""The ``plan`` summary: as a Swedish table for people and as data (JSON) for machines.

The table states the cost to recover and how it is made up (full cost, other revenue,
carried result), the volume basis, each price old → new, the rounding residual, and each
customer's annual amount; ``cli/plan.py`` only picks the format.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal

from sfprice.engine.planning import NextYearPlan
from sfprice.money import decimal_text, exact_sum, optional_decimal_text, spread_evenly
from sfprice.reports.formats import format_amount, format_price
from sfprice.reports.text import text_table

__all__ = ["plan_to_data", "plan_to_table"]

_WIDTH = 44  # the longest label, "avgår tilläggstjänster (utanför priserna):", and a space


def plan_to_data(outcome: NextYearPlan) -> dict[str, object]:
    """The plan as JSON-ready data: amounts as machine text (``decimal_text``), in kr."""
    result = outcome.result
    return {
        "year": outcome.year,
        "from_year": outcome.from_year,
        "budget": outcome.budget.id,
        "area": outcome.area,
        "full_cost": decimal_text(outcome.full_cost),
        "other_revenue": decimal_text(outcome.other_revenue),
        "carried": decimal_text(outcome.carried),
        "carried_source": outcome.carried_source,
        "cost_to_recover": decimal_text(outcome.cost_to_recover),
        "addon_revenue": decimal_text(outcome.addon_revenue),
        "basis": outcome.basis_label,
        "volumes": {code: decimal_text(q) for code, q in outcome.basis.items()},
        "rule": str(result.rule),
        "target": decimal_text(result.target),
        "revenue": decimal_text(result.revenue),
        "residual": decimal_text(result.residual),
        "draft": outcome.draft.id,
        "prices": [
            {"service": c.code, "old": decimal_text(c.old), "new": decimal_text(c.new)}
            for c in outcome.changes
        ],
        "draft_revenue": optional_decimal_text(outcome.draft_revenue),
        "subscriptions": [
            {
                "customer": s.customer,
                "charge": decimal_text(s.charge),
                "annual": decimal_text(s.annual),
                "forecast": {code: decimal_text(q) for code, q in s.forecast.items()},
            }
            for s in outcome.subscriptions
        ],
        "new_customers": list(outcome.new_customers),
    }


def plan_to_table(outcome: NextYearPlan, locale: str = "sv_SE") -> str:
    """The plan for people (Swedish), amounts in kr."""

    def kr(value: Decimal) -> str:
        return format_amount(value, locale)

    def row(label: str, value: Decimal) -> str:
        return f"  {label + ':':{_WIDTH}}{kr(value):>18}"

    result = outcome.result
    carried_word = "överskott" if outcome.carried >= 0 else "underskott"
    out = [
        f"FÖRSLAG {outcome.year}: priser från {outcome.from_year} års volymer, "
        f"budget {outcome.budget.id}, område {outcome.area}",
        row(f"Full kostnad {outcome.year}", outcome.full_cost),
        row("avgår övriga intäkter", outcome.other_revenue),
        row(f"avgår överfört resultat ({carried_word})", outcome.carried),
        f"    ({outcome.carried_source or 'källa saknas'})",
        row("Kostnad att täcka", outcome.cost_to_recover),
    ]
    if outcome.addon_revenue:
        out.append(row("avgår tilläggstjänster (utanför priserna)", outcome.addon_revenue))
    if result.deductions["fixed_price_revenue"]:
        out.append(row("avgår tjänster med fast pris", result.deductions["fixed_price_revenue"]))
    out.append(row("Att täcka med priserna", result.target))
    out.append(f"  Volymunderlag: {outcome.basis_label}")
    if outcome.draft_revenue is not None:
        out.append(
            f"  (månaderna flyttas ett år fram: {outcome.from_year}-01 räknas som "
            f"{outcome.year}-01)"
        )
    rows = [["Tjänst", "Volym", "Exakt pris", "Pris nu", "Förslag"]]
    for change in outcome.changes:
        exact = result.exact_prices.get(change.code)
        volume = result.volumes.get(change.code)
        rows.append(
            [
                change.code,
                "" if volume is None else format_decimal(volume, locale=locale),
                "följer"
                if change.code in result.followed
                else "fast pris"
                if exact is None
                else format_decimal(exact, format="#,##0.0000", locale=locale),
                format_price(change.old, locale),
                format_price(change.new, locale),
            ]
        )
    out += ["  " + line for line in text_table(rows, right={1, 2, 3, 4})]
    residual = result.residual
    word = "överskott" if residual > 0 else "underskott" if residual < 0 else "ingen avvikelse"
    out.append(
        f"  Intäkt vid förslagets priser: {kr(result.revenue)} "
        f"(avrundningen ger {word} {kr(abs(residual))})"
    )
    if outcome.draft_revenue is not None:
        out.append(
            f"  {outcome.from_year} års volymer fakturerade med förslaget: "
            f"{kr(outcome.draft_revenue)}"
        )
    out.append(f"  Utkast till prislista: {outcome.draft.id} (status proposal, ej beslutad)")
    if outcome.subscriptions:
        forecast = bool(outcome.subscriptions[0].forecast)
        title = "Prognos × förslagets priser" if forecast else "Årsbelopp"
        out.append(f"Abonnemang {outcome.year} (FÖRSLAG), per kund")
        subs = [["Kund", f"Debiterat {outcome.from_year}", title, "Per månad (jan–nov)"]]
        subs += [
            [
                s.customer,
                kr(s.charge),
                kr(s.annual),
                kr(spread_evenly(s.annual, 12)[0]),
            ]
            for s in outcome.subscriptions
        ]
        total = exact_sum(s.annual for s in outcome.subscriptions)
        charged = exact_sum(s.charge for s in outcome.subscriptions)
        subs.append(["Summa", kr(charged), kr(total), ""])
        out += ["  " + line for line in text_table(subs, right={1, 2, 3})]
    if outcome.new_customers:
        out.append(
            f"  Utan debitering {outcome.from_year} (inget abonnemangsförslag): "
            + ", ".join(outcome.new_customers)
        )
    return "\n".join(out) + "\n"
