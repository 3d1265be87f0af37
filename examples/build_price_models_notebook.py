"""Build and execute examples/price-models-2026.ipynb (needs ``pip install -e '.[test]'``).

The notebook is the decision memo for the 2026 price list ("Beslutsunderlag: prismodell
2026", in Swedish, on the SYNTHETIC city). It is written here as cells, so its text is
reviewable in a diff, then executed top to bottom with nbclient and saved with its
outputs; the two plots it saves (memo-balance.png, memo-montecarlo.png) are copied to
docs/. tests/test_notebook.py executes it again and checks that the figures it shows are
what it computes.

Run from the repository root: python examples/build_price_models_notebook.py
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "price-models-2026.ipynb"

CELLS: list[tuple[str, str]] = [
    (
        "md",
        """# Beslutsunderlag: prismodell 2026

**Staden i detta underlag är SYNTETISK.** Sextio påhittade förvaltningar och bolag vars
volymer summerar exakt till planernas: 600 000 lönebesked om året, 75,5 % via
självservice (`003_dbc171dac11004c9.txt:133-137`). Kostnaden är budgeten
`budgets/2026-payroll.toml`, vars kronor är ANTAGNA (2025 års plan anger inga belopp).
Underlaget visar hur modellerna skiljer sig åt och varför; det är inte ett förslag på
priser. Kör samma celler på stadens egna volymfiler och budget 2026 innan beslut.

Alla siffror i sammanfattningen, tabellerna och rekommendationen skrivs ut av koden från
beräkningarna; texten citerar bara planernas siffror med källa (fil:rad).""",
    ),
    (
        "code",
        """import dataclasses
from datetime import date
from decimal import Decimal

import matplotlib.pyplot as plt
import pandas as pd
from babel.numbers import format_decimal

import sfprice
from sfprice import Month, PriceCatalog
from sfprice.app import area_cost_model, open_budget
from sfprice.engine.fixedfees import (
    break_even_model, break_even_prices, fees_by_employees, fees_by_payslips,
)
from sfprice.engine.listmodel import PriceListModel
from sfprice.engine.listsubscription import forecast_subscriptions, list_subscription_model
from sfprice.engine.montecarlo import monte_carlo
from sfprice.engine.simulate import (
    EMPLOYMENT_DOCUMENTS, MANUAL, SELF_SERVICE, FixedFeeModel, TrueUp, compare,
    derive_fixed_fees, derive_hybrid, las_documents, leave, scale, shift_channel, window,
)
from sfprice.reports.formats import format_quantity
from sfprice.reports.notebook import (
    plot_administration, plot_balance_bands, plot_department_spread, plot_scenario_balances,
)
from sfprice.synthetic import synthetic_city

kr = sfprice.format_amount
YEAR = 2026


def one_decimal(value):
    \"\"\"A number with one decimal, Swedish format (babel): 1 234,5.\"\"\"
    return format_decimal(value.quantize(Decimal("0.1")), format="#,##0.0", locale="sv_SE")


def mnkr(value):
    \"\"\"Kronor as million kronor with one decimal.\"\"\"
    return one_decimal(value / 1_000_000) + " mnkr"


def pct(value, base):
    \"\"\"value / base as a percentage with one decimal.\"\"\"
    return one_decimal(value * 100 / base) + " %"


# The cost: the 2026 budget's cost model (every kronor figure ASSUMED in the budget file).
budget = open_budget("2026-payroll")
area = sfprice.full_cost(budget).area("payroll")
cost = area.full_cost - area.other_revenue
cost_model = area_cost_model(budget, "payroll", cost)
payslip_driver, document_driver = cost_model.drivers

# The volumes: the synthetic city in 2026, with the employment documents the budget plans
# for (its driver's planned volume a month), spread over the departments by payslips.
city = synthetic_city(seed=2014, year=YEAR).payroll_only()
volumes = las_documents(city.volumes, int(document_driver.planned_volume))
reference = window(volumes, Month(YEAR, 1), Month(YEAR, 9))

# The list as it stands: the 2014 prices (57 / 110 kr), in force for 2026.
def for_2026(price_list, name):
    return dataclasses.replace(
        price_list, id=name, valid_from=date(YEAR, 1, 1), valid_to=date(YEAR, 12, 31)
    )


today = for_2026(sfprice.load_catalog().get("2014"), "2014 års priser")
self_cost = for_2026(
    break_even_prices(reference, today, cost, area="payroll").draft, "självkostnad 2026"
)
no_price = frozenset({EMPLOYMENT_DOCUMENTS})  # a cost driver no list prices


def list_of(price_list, name):
    return PriceListModel(
        name, PriceCatalog((price_list,)), year=YEAR, area="payroll", unpriced=no_price
    )


LIST, UNIT, FIXED, PAYSLIPS, EMPLOYEES, HYBRID, TRUEUP, SUBSCRIPTION = (
    "Prislistan som den står", "Styckpris till självkostnad", "Fast avgift (referens)",
    "Fast avgift per lönebesked", "Fast avgift per anställd", "Hybrid: fast + 53 kr/manuell",
    "Fast + årsavstämning ±5 %", "Abonnemang 1/12, apr/okt/dec",
)
as_it_stands = list_of(today, LIST)
unit = break_even_model(UNIT, reference, today, cost, area="payroll")
fees = derive_fixed_fees(reference, as_it_stands, cost)
priced_at_cost = list_of(self_cost, UNIT)
subscriptions = forecast_subscriptions(reference, priced_at_cost, YEAR)
models = [
    as_it_stands,
    unit,
    FixedFeeModel(FIXED, fees),
    FixedFeeModel(PAYSLIPS, fees_by_payslips(cost, reference, fees)),
    FixedFeeModel(EMPLOYEES, fees_by_employees(cost, {d.name: d.employees
                                                      for d in city.departments})),
    derive_hybrid(reference, as_it_stands, cost, {MANUAL: Decimal(53)}, name=HYBRID),
    FixedFeeModel(TRUEUP, fees, TrueUp(unit, Decimal("0.05"))),
    list_subscription_model(SUBSCRIPTION, subscriptions, priced_at_cost),
]

# The scenarios (applied to the year's volumes after the fees are set).
biggest = max(city.departments, key=lambda d: d.employees).name
SCENARIOS = {
    "Oförändrade volymer": volumes,
    "+10 % volym": scale(volumes, Decimal("1.1")),
    "LAS: +10 000 underlag/mån": las_documents(volumes, 10_000),
    "20 % manuella till självservice": shift_channel(volumes, Decimal("0.2")),
    "Största kunden lämnar 1 juli": leave(volumes, biggest, Month(YEAR, 7)),
}
base = compare(volumes, models, cost_model=cost_model)
results = {
    name: compare(v, models, cost_model=cost_model, measure_administration=False)
    for name, v in SCENARIOS.items()
}
balances = {m.model: {s: r.model(m.model).balance for s, r in results.items()} for m in base.models}

# Monte Carlo: every department's volume each month varies by a lognormal factor (5 %).
# The simulation prices the subscription's year as the list that prices it (below).
mc = monte_carlo(volumes, models[:-1], cost_model=cost_model, scenarios=2_000, sigma=0.05,
                 seed=2026, percentiles=range(1, 100), departments=True)
mc_of = {m.model: mc.model(m.model) for m in base.models[:-1]}
mc_of[SUBSCRIPTION] = mc.model(UNIT)
assert all(r.model(SUBSCRIPTION).revenue == r.model(UNIT).revenue for r in results.values())

worst = {m: max(abs(v) for s, v in b.items() if not s.startswith("LAS"))
         for m, b in balances.items()}
admin = {m.model: m.administration for m in base.models}
customers = len({r.department for r in base.departments})


def mean_variability(model):
    rows = [r.variability or Decimal(0) for r in base.departments if r.model == model]
    return sum(rows) / len(rows)


predictable = [m for m in worst if mean_variability(m) <= Decimal("0.05")]
recommended = min(predictable, key=lambda m: worst[m])
runner_up = min((m for m in predictable if m != recommended), key=lambda m: worst[m])
las_cost = results["LAS: +10 000 underlag/mån"].cost - base.cost""",
    ),
    ("md", "## Sammanfattning"),
    (
        "code",
        """growth = results["+10 % volym"]
print(f"Rekommendation: {recommended}, med villkoren under Rekommendation nedan.")
print(f"Näst bäst: {runner_up}.")
print()
print(f"Kostnad vid planerad volym: {mnkr(base.cost)} (ANTAGEN budget 2026).")
print(f"+10 % volym höjer kostnaden till {mnkr(growth.cost)}: en ren fast avgift ger "
      f"{mnkr(growth.model(FIXED).balance)} ({pct(growth.model(FIXED).balance, growth.cost)} "
      f"av kostnaden), styckpris till självkostnad {mnkr(growth.model(UNIT).balance)}, "
      f"abonnemanget {mnkr(growth.model(SUBSCRIPTION).balance)}.")
print(f"LAS-ändringen (+10 000 anställningsunderlag i månaden) kostar "
      f"{mnkr(las_cost)} om året som ingen modell tar betalt för.")
print(f"Största avvikelse i scenarierna utom LAS: "
      f"{recommended} {pct(worst[recommended], base.cost)}, "
      f"{FIXED} {pct(worst[FIXED], base.cost)}, "
      f"{SUBSCRIPTION} {pct(worst[SUBSCRIPTION], base.cost)}.")
docs = {m: one_decimal(Decimal(a.documents) / customers) for m, a in admin.items()}
print(f"Dokument per kund och år: {FIXED} {docs[FIXED]}, {SUBSCRIPTION} {docs[SUBSCRIPTION]}, "
      f"{recommended} {docs[recommended]}.")""",
    ),
    (
        "md",
        """## Bakgrund

2025 års verksamhetsplan ber om en översyn av prismodellen inför prislistan 2026
(`002_83b6b989210075f7.txt:82-108`, `113-126`): en fastprismodell skulle ge kunderna och
förvaltningen bättre förutsägbarhet och mindre administration, samtidigt som intäkter och
kostnader ska gå jämnt ut trots att volymerna är svåra att förutse. Bemanningen anpassas
efter volymerna (`002_83b6b989210075f7.txt:496-500`, `001_107bc9a4fc2b7a7d.txt:444`), så
kostnaden rör sig med volymen, medan en fast avgift inte gör det: det är förslagets
centrala risk, och därför jämförs modellerna här mot en kostnad som följer volymen.

Referensen är Statens servicecenter: varje månad faktureras en tolftedel av kundens
prognostiserade årsvolymer, avstämning mot faktiska volymer i slutet av april och
oktober, kontakt med kunder vars avvikelse för en period överstiger 100 000 kr per
tjänsteområde, och slutreglering på hösten. Abonnemanget nedan gör så, och reglerar
dessutom det som understiger tröskeln vid årets slut i stället för att det faller bort.""",
    ),
    (
        "md",
        """## Antaganden och källor

Varje antagande med värde, enhet och källa (seed-fil:rad) eller ANTAGET / SYNTETISKT.""",
    ),
    (
        "code",
        """d = payslip_driver
rows = [
    ("Kostnad att täcka 2026", kr(cost), "kr/år", "ANTAGET (budget 2026-payroll)"),
    ("Fast del av kostnaden", kr(cost_model.fixed), "kr/år",
     "härlett: kostnaden − drivarnas planerade personalkostnad"),
    ("Produktivitet lön", format_quantity(d.productivity), "lönebesked per årsarbetare och månad",
     "002_83b6b989210075f7.txt:152-156 (per månad ANTAGET)"),
    ("Kostnad per årsarbetare", kr(d.cost_per_fte), "kr/år",
     f"ANTAGET: lön {kr(d.wages_per_fte)}, påslag {format_quantity(d.oncost_rate * 100)} % "
     "(004_c98e6cf4bb870a81.txt:213)"),
    ("Planerade lönebesked", format_quantity(d.planned_volume), "per månad", "ANTAGET (budget)"),
    ("Produktivitet anställningsunderlag", format_quantity(document_driver.productivity),
     "underlag per årsarbetare och månad", "ANTAGET"),
    ("Planerade anställningsunderlag", format_quantity(document_driver.planned_volume),
     "per månad", "ANTAGET (budget)"),
    ("Lönebesked i staden", format_quantity(sum(city.service_totals.values())), "per år",
     "003_dbc171dac11004c9.txt:133-137; fördelningen på förvaltningar SYNTETISK"),
    ("Andel självservice", pct(city.service_totals[SELF_SERVICE],
                              sum(city.service_totals.values())), "av lönebeskeden",
     "003_dbc171dac11004c9.txt:133-137"),
    ("Anställda per förvaltning", "se synthetic_city", "personer", "SYNTETISKT"),
    ("Priser som de står", f"{kr(today.item(SELF_SERVICE).price)} / {kr(today.item(MANUAL).price)}",
     "per lönebesked, självservice / manuell", "prislista 2014, 003_dbc171dac11004c9.txt:140-175"),
    ("Referensperiod", "januari–september", "månader", "som 2010 års fördelningsnycklar"),
    ("Hybridens tillägg", kr(Decimal(53)), "per manuellt lönebesked",
     "2014 års manuella tillägg 110 − 57 (003_dbc171dac11004c9.txt:140-175)"),
    ("Årsavstämningens band", "5 %", "av avgiften", "ANTAGET"),
    ("Abonnemangets tröskel", kr(subscriptions.terms.threshold), "per kund, område och avstämning",
     "Statens servicecenter"),
    ("Avstämningsmånader", ", ".join(str(m) for m in subscriptions.terms.months), "månad",
     "Statens servicecenter (april, oktober) + årsskiftet"),
    ("Volymökning", "10 %", "alla volymer", "ANTAGET (issue 12)"),
    ("LAS-ändringen", format_quantity(Decimal(10_000)), "anställningsunderlag per månad",
     "002_83b6b989210075f7.txt:566-568"),
    ("Kanalskifte", "20 %", "av de manuella lönebeskeden", "ANTAGET"),
    ("Kund som lämnar", biggest, "från 1 juli", "ANTAGET (den största)"),
    ("Prognosmål", "±1 %", "av kostnaden",
     "004_c98e6cf4bb870a81.txt:186-189 (KF prognossäkerhet T2)"),
    ("Monte Carlo", f"{mc.scenarios} scenarier, sigma {mc.sigma}",
     "lognormal per förvaltning och månad",
     "ANTAGET"),
]
pd.DataFrame(rows, columns=["antagande", "värde", "enhet", "källa"])""",
    ),
    (
        "md",
        """Kostnaden: budget 2026 (inte 2014) eftersom beslutet gäller 2026, 2025 års plan anger
produktiviteten 1 400 lönebesked per årsarbetare och har LAS-effekten som en egen drivare
(anställningsunderlag, som ingen prislista prissätter). Dess kronor är ANTAGNA; byt mot
den beslutade budgeten när den finns. Listan "som den står" är 2014 års priser: de täcker
inte den antagna kostnaden 2026, vilket är skälet till att styckpris till självkostnad
finns med som alternativ.

## Alternativen sida vid sida

En rad per modell. *Resultat* = intäkt − kostnad vid årets volymer. *Utanför ±1 % / ±5 %*:
andelen Monte-Carlo-scenarier där resultatet är större än 1 % / 5 % av det scenariots
kostnad. *Styrning*: vad ett manuellt lönebesked kostar mer på månadsfakturan.
*Månadsvariation*: förvaltningarnas genomsnittliga variationskoefficient; *största
månadsavvikelse*: den största skillnaden mellan en månads belopp och en tolftedel av
året. *Spridning*: medianförvaltningens p5–p95 av årsavgiften i Monte Carlo.
Abonnemangets år är exakt styckpriset till självkostnad (årsskiftet reglerar allt), så
dess Monte Carlo är det styckprisets.""",
    ),
    (
        "code",
        """def spread(model):
    name = UNIT if model == SUBSCRIPTION else model
    widths = sorted(s.width or Decimal(0) for s in mc.departments if s.model == name)
    return widths[len(widths) // 2] if widths else None


def row(m):
    dist = mc_of[m.model]
    first = base.departments[0].department
    largest = max(r.largest_deviation or 0 for r in base.departments if r.model == m.model)
    return {
        "modell": m.model,
        "intäkt, mnkr": mnkr(m.revenue),
        "kostnad, mnkr": mnkr(m.cost),
        "resultat, mnkr": mnkr(m.balance),
        "utanför ±1 %": pct(dist.outside_1pct_probability, 1),
        "utanför ±5 %": pct(dist.outside_5pct_probability, 1),
        "styrning, kr/manuell": kr(base.result(first, m.model).steering),
        "månadsvariation": pct(mean_variability(m.model), 1),
        "största månadsavvikelse": kr(largest),
        "spridning (median)": "–" if spread(m.model) is None else pct(spread(m.model), 1),
        "dokument per kund": one_decimal(Decimal(admin[m.model].documents) / customers),
        "rader per kund": one_decimal(Decimal(admin[m.model].lines) / customers),
    }


pd.DataFrame([row(m) for m in base.models])""",
    ),
    (
        "md",
        """Hybridmodellen och den fasta avgiften per anställd finns med; den syntetiska staden har
antal anställda per förvaltning (SYNTETISKA), staden själv har dem i kundregistret.

## Scenarier: årets resultat per modell

Samma avgifter, satta på januari–september, möter fem år. Kostnaden följer volymen enligt
kostnadsmodellen; intäkten följer modellen.""",
    ),
    (
        "code",
        """table = pd.DataFrame({s: {m: mnkr(v) for m, v in b.items()} for s, b in
                      ((s, {m: balances[m][s] for m in balances}) for s in SCENARIOS)})
table.loc["kostnad"] = [mnkr(results[s].cost) for s in SCENARIOS]
table""",
    ),
    (
        "code",
        """fig, ax = plt.subplots(figsize=(10, 8))
plot_scenario_balances(balances, base.cost, ax=ax,
                       title="Fast avgift bär volymrisken; abonnemang och styckpris följer volymen")
fig.tight_layout()
fig.savefig("memo-balance.png", dpi=110);""",
    ),
    (
        "code",
        """fig, ax = plt.subplots(figsize=(10, 6))
plot_balance_bands(mc, ax=ax, same_as={SUBSCRIPTION: UNIT},
                   title="Slumpvolymer flyttar lite: prisnivån avgör resultatet")
fig.tight_layout()
fig.savefig("memo-montecarlo.png", dpi=110);""",
    ),
    (
        "md",
        """## Förutsägbarhet och administration

En fast avgift är samma belopp varje månad. Abonnemanget är det i elva månader av tolv,
men avstämningarna lägger avvikelsen i avstämningsmånaderna. Per förvaltning visar Monte
Carlo hur mycket årsavgiften kan variera.""",
    ),
    (
        "code",
        """widths = {m: [s.width or Decimal(0) for s in mc.departments if s.model == m]
          for m in mc_of if m != SUBSCRIPTION}
fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
plot_department_spread(widths, ax=axes[0], title="Fasta modeller: förvaltningen vet sin avgift")
plot_administration({m: Decimal(a.documents) / customers for m, a in admin.items()}, ax=axes[1],
                    title="Abonnemanget: något fler dokument per kund")
fig.tight_layout();""",
    ),
    (
        "code",
        """recs = list_subscription_model(
    SUBSCRIPTION, subscriptions, priced_at_cost).reconciliations(volumes)
invoiced = [r for r in recs if r.invoiced]
print(f"Abonnemang vid oförändrade volymer: {len(recs)} avstämningar, {len(invoiced)} fakturerade "
      f"(över {kr(subscriptions.terms.threshold)} eller vid årsskiftet), summa "
      f"{kr(sum((r.deviation for r in invoiced), Decimal(0)))}.")
for month in subscriptions.terms.months:
    at = [r for r in recs if r.month.month == month]
    print(f"  {month:>2}: {sum(r.invoiced for r in at)} av {len(at)} fakturerade, "
          f"största avvikelse {kr(max((abs(r.deviation) for r in at), default=Decimal(0)))}")""",
    ),
    (
        "md",
        """## Risker och öppna frågor

- **Vem bär en volymchock i en fast modell?** Med fast avgift bär förvaltningen den (se
  +10 %); planerna säger inte om en förlust ska täckas av kunderna året därpå
  (resultatenheten) eller av nämnden.
- **LAS-ändringen** ökar arbetet utan att någon lista tar betalt för det; beslutet måste
  säga om det ska in i avgiften, i ett eget pris per underlag eller i budgeten.
- **Prognosen**: abonnemang och fasta avgifter sätts på januari–september uppräknat till
  ett år; säsongen gör att prognosen avviker även när inget händer.
- **En kund som lämnar** betalar sin fasta avgift året ut i modellen; avtalet måste säga
  vad som gäller. Abonnemanget fakturerar tolftedelar till årsskiftet och krediterar dem där.
- **Styrning**: i alla fasta modeller kostar ett manuellt lönebesked ingenting extra på
  månadsfakturan; i abonnemanget betalas det vid avstämningen.
- **Antagna kronor**: alla belopp vilar på den ANTAGNA budgeten 2026.

## Rekommendation

Regeln: bland modellerna med förutsägbara månadsbelopp (förvaltningarnas genomsnittliga
månadsvariation högst 5 %) väljs den vars största avvikelse från kostnaden i scenarierna
(utom LAS, som ingen modell tar betalt för) är minst.""",
    ),
    (
        "code",
        """ranking = sorted(worst, key=lambda m: worst[m])
print(f"Rekommenderad modell: {recommended}.")
print(f"  Största avvikelse i scenarierna: {mnkr(worst[recommended])} "
      f"({pct(worst[recommended], base.cost)} av kostnaden); "
      f"månadsvariation {pct(mean_variability(recommended), 1)}; "
      f"dokument per kund {docs[recommended]}.")
outside = mc_of[recommended].outside_1pct_probability
print(f"  Sannolikhet utanför ±1 % i Monte Carlo: {pct(outside, 1)}.")
print("Villkor:")
print(f"  1. LAS-kostnaden, {mnkr(las_cost)} om året, finansieras utanför modellen "
      "eller med ett pris.")
print("  2. Avtalet reglerar kunder som går och kommer under året.")
print("  3. Budget 2026 ersätter de antagna kronorna och beräkningen körs om.")
print("Rangordning (största avvikelse utom LAS): " + "; ".join(
    f"{m} {pct(worst[m], base.cost)}" + ("" if m in predictable else " (ej förutsägbar)")
    for m in ranking))""",
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
    with tempfile.TemporaryDirectory() as work:
        executed = execute(build(), Path(work))
        for picture in sorted(Path(work).glob("memo-*.png")):
            shutil.copyfile(picture, HERE.parent / "docs" / picture.name)
            print(f"wrote docs/{picture.name}")
    nbformat.write(executed, NOTEBOOK)
    print(f"wrote {NOTEBOOK}")
