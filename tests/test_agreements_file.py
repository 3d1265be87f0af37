"""The agreements file: reading it, resolving its customers, and the example's figures.

The example (examples/agreements-2014.toml, made up) on examples/volumes-2014.csv, by hand:
    list total                                                         669 215,00
    Kulturförvaltningen, own price 55 for 57: 640 x (55 - 57)         -  1 280,00
    Skarpnäck, 10 % off payroll.manual 110 kr: Jan 610 x 11          -  6 710,00
                                               Feb (400 + 190) x 11   -  6 490,00
    Stadsbyggnadsförvaltningen, add-on 2014-02..06, billed in Feb     +  4 500,00
    total                                                              659 235,00
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from sfprice import load_catalog
from sfprice.agreements import Agreement, AgreementKind, Agreements
from sfprice.app import BillingRequest, run_billing
from sfprice.engine.billing import bill
from sfprice.engine.listmodel import PriceListModel
from sfprice.errors import InputError
from sfprice.io.agreements import read_agreements
from sfprice.io.volumes import read_volume_files
from sfprice.model import Customer, KnownName
from sfprice.period import Month

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "agreements-2014.toml"
VOLUMES = REPO / "examples" / "volumes-2014.csv"
CATALOG = load_catalog()
D = Decimal


def test_the_example_reads_as_documented() -> None:
    agreements = read_agreements(EXAMPLE, catalog=CATALOG)
    assert agreements.group_names == ("förvaltning", "bolag")
    kinds = [(a.id, a.kind, a.customer, a.start, a.end) for a in agreements]
    assert kinds == [
        (
            "kultur-sjalvservice-2014",
            AgreementKind.PRICE,
            "Kulturförvaltningen",
            Month(2014, 1),
            Month(2014, 12),
        ),
        (
            "skarpnack-manuell-rabatt",
            AgreementKind.DISCOUNT,
            "Skarpnäcks stadsdelsförvaltning",
            Month(2014, 1),
            None,
        ),
        (
            "sbf-anlaggningsredovisning",
            AgreementKind.ADD_ON,
            "Stadsbyggnadsförvaltningen",
            Month(2014, 2),
            Month(2014, 6),
        ),
    ]
    add_on = agreements.agreements[2].add_on
    assert add_on is not None
    assert (add_on.kind, add_on.default_fee) == ("fixed_monthly", D(4500))


def test_the_example_bills_the_hand_computed_total() -> None:
    outcome = run_billing(BillingRequest((VOLUMES,), 2014, agreements=EXAMPLE))
    assert outcome.run.total == D("659235.00")
    totals = outcome.run.totals_by_department()
    # Kultur 47 930 - 1 280; Skarpnäck 414 165 - 13 200; SBF 207 120 + 4 500
    assert totals == {
        "Kulturförvaltningen": D("46650.00"),
        "Skarpnäcks stadsdelsförvaltning": D("400965.00"),
        "Stadsbyggnadsförvaltningen": D("211620.00"),
    }
    sources = {
        (line.service, line.agreement.id, line.agreement.source)
        for _, line in outcome.run.lines
        if line.agreement is not None
    }
    assert sources == {
        (
            "payroll.self_service",
            "kultur-sjalvservice-2014",
            "Serviceavtal SA-2014-031, bilaga 2 (påhittat)",
        ),
        ("payroll.manual", "skarpnack-manuell-rabatt", "Serviceavtal SA-2014-044, § 5 (påhittat)"),
        (
            "economy.asset_accounting",
            "sbf-anlaggningsredovisning",
            "Tilläggsavtal TA-2014-007 (påhittat)",
        ),
    }


def test_a_register_names_customers_by_code_and_earlier_name(tmp_path: Path) -> None:
    path = tmp_path / "avtal.toml"
    path.write_text(
        '[[agreements]]\nid = "a"\nsource = "SA-1"\ncustomer = "1310"\nfrom = "2014-01"\n'
        'item = "payroll.self_service"\nprice = 50\n\n'
        '[[agreements]]\nid = "b"\nsource = "SA-2"\ncustomer = "Stadsbyggnadskontoret"\n'
        'from = "2014-01"\nitem = "payroll.manual"\ndiscount = 50\n',
        encoding="utf-8",
    )
    register = [
        Customer("Kulturförvaltningen", code="1310"),
        Customer(
            "Stadsbyggnadsförvaltningen",
            code="1200",
            known_names=(KnownName("Stadsbyggnadskontoret", earlier=True),),
        ),
    ]
    agreements = read_agreements(path, catalog=CATALOG, customers=register)
    assert [a.customer for a in agreements] == [
        "Kulturförvaltningen",
        "Stadsbyggnadsförvaltningen",
    ]


def test_two_names_of_one_customer_in_one_month_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "avtal.toml"
    path.write_text(
        '[[agreements]]\nid = "a"\nsource = "SA-1"\ncustomer = "1310"\nfrom = "2014-01"\n'
        'item = "payroll.self_service"\nprice = 50\n\n'
        '[[agreements]]\nid = "b"\nsource = "SA-2"\ncustomer = "Kulturförvaltningen"\n'
        'from = "2014-06"\nto = "2014-07"\nitem = "payroll.self_service"\ndiscount = 5\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_agreements(
            path, catalog=CATALOG, customers=[Customer("Kulturförvaltningen", code="1310")]
        )
    (issue,) = caught.value.issues
    assert issue.field == "agreements[1] (b)"
    assert (
        "agreements[0] (a) already applies to Kulturförvaltningen, payroll.self_service "
        "in 2014-06..2014-07" in issue.message
    )


def test_a_company_in_the_group_bolag_pays_the_list_prices() -> None:
    # 2014: the companies' payroll follows the administrations' prices (003:142-144); the
    # example's group bolag has no agreements of its own.
    agreements = read_agreements(EXAMPLE, catalog=CATALOG)
    volumes = read_volume_files([VOLUMES], catalog=CATALOG, year=2014)
    register = [
        Customer("Kulturförvaltningen", code="1310", price_group="förvaltning"),
        Customer("Skarpnäcks stadsdelsförvaltning", code="1500", price_group="förvaltning"),
        Customer("Stadsbyggnadsförvaltningen", code="1200", price_group="bolag"),
    ]
    run = bill(CATALOG, volumes, year=2014, customers=register, agreements=agreements)
    january = run.invoice("Stadsbyggnadsförvaltningen", Month(2014, 1))
    assert january is not None
    # January has no add-on: every line at list price, 105 130,00 as without agreements
    assert [line.agreement for line in january.lines] == [None] * len(january.lines)
    assert january.total == D("105130.00")


def test_the_simulation_never_reduces_agreements_to_list_prices() -> None:
    agreements = read_agreements(EXAMPLE, catalog=CATALOG)
    volumes = read_volume_files([VOLUMES], catalog=CATALOG, year=2014)
    plain = PriceListModel("unit", CATALOG, year=2014)
    agreed = PriceListModel("unit", CATALOG, year=2014, agreements=agreements)
    assert plain.unit_prices(volumes.months) is not None  # the fast path's per-unit prices
    assert agreed.unit_prices(volumes.months) is None  # billed by the engine instead
    assert sum(agreed.charges(volumes).values()) == D("659235.00")
    with pytest.raises(ValueError, match="with agreements"):
        agreed.marginal_price("payroll.manual")
    # One more manual payslip for Skarpnäck in February costs 99 kr, not 110.
    assert agreed.marginal_at(volumes, "Skarpnäcks stadsdelsförvaltning", "payroll.manual") == D(
        "99.00"
    )


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ({"customer": "K", "group": "g"}, "give a customer or a group"),
        ({"customer": "K", "price": D(-1), "item": "x"}, "must be >= 0"),
        ({"customer": "K", "discount": D(101), "item": "x"}, "0..100"),
        ({"customer": "K", "discount": D(5)}, "on an item or a business area"),
        ({"customer": "K", "price": D(5), "discount": D(5), "item": "x"}, "give one of"),
        ({"customer": "K", "price": D(5), "item": "x", "end": Month(2013, 12)}, "before it starts"),
    ],
)
def test_the_model_refuses_what_the_file_would(given: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        Agreement("a", "src", Month(2014, 1), **given)  # type: ignore[arg-type]


def test_an_add_on_fee_by_department_is_refused(tmp_path: Path) -> None:
    # A fees table that does not name the customer would bill it nothing, silently.
    path = tmp_path / "avtal.toml"
    path.write_text(
        '[[agreements]]\nid = "t"\nsource = "TA-1"\ncustomer = "Kulturförvaltningen"\n'
        'from = "2014-02"\n[agreements.add_on]\ncode = "economy.assets"\nname = "A"\n'
        'kind = "fixed_monthly"\nfees = { "Miljöförvaltningen" = 100 }\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_agreements(path, catalog=CATALOG)
    (issue,) = caught.value.issues
    assert issue.field == "agreements[0] (t).add_on.default_fee (economy.assets)"
    assert "give default_fee, not fees" in issue.message


def test_ids_are_unique_and_groups_declared() -> None:
    one = Agreement("a", "s", Month(2014, 1), customer="K", item="x", price=D(1))
    with pytest.raises(ValueError, match="unique"):
        Agreements((), (one, one))
    grouped = Agreement("b", "s", Month(2014, 1), group="bolag", item="x", price=D(1))
    with pytest.raises(ValueError, match="undeclared price groups: bolag"):
        Agreements((), (grouped,))


def test_a_register_price_group_the_file_does_not_declare_is_refused() -> None:
    register = [
        Customer("Kulturförvaltningen", source="kunder.toml:4", price_group="förvaltning"),
        Customer("Skarpnäcks stadsdelsförvaltning", source="kunder.toml:5"),
        Customer("Stadsbyggnadsförvaltningen", source="kunder.toml:6"),
        Customer("Stockholms Hamn AB", source="kunder.toml:9", price_group="bolagen"),
    ]
    with pytest.raises(InputError) as caught:
        read_agreements(EXAMPLE, catalog=CATALOG, customers=register)
    (issue,) = caught.value.issues
    assert (issue.path, issue.line) == ("kunder.toml", 9)
    assert issue.message == (
        f"Stockholms Hamn AB: price group 'bolagen' is not declared in {EXAMPLE} "
        "(declared: bolag, förvaltning)"
    )


def test_an_unreadable_file_is_one_located_issue(tmp_path: Path) -> None:
    path = tmp_path / "avtal.toml"
    path.write_bytes(b'id = "\xff"\n')
    with pytest.raises(InputError) as caught:
        read_agreements(path, catalog=CATALOG)
    (issue,) = caught.value.issues
    assert issue.path == str(path)
    assert issue.message.startswith("cannot read the agreements file: ")


def test_monte_carlo_prices_the_agreements_in_every_draw() -> None:
    pytest.importorskip("numpy")
    from sfprice.engine.montecarlo import monte_carlo

    agreements = read_agreements(EXAMPLE, catalog=CATALOG)
    volumes = read_volume_files([VOLUMES], catalog=CATALOG, year=2014)
    agreed = PriceListModel("avtal", CATALOG, year=2014, agreements=agreements)
    plain = PriceListModel("lista", CATALOG, year=2014)
    cost = D("600000.00")
    result = monte_carlo(volumes, [agreed, plain], cost_to_recover=cost, scenarios=5, sigma=0)
    # At the input volumes: 659 235,00 with the agreements, 669 215,00 by the list alone.
    with_agreements = result.model("avtal")
    assert with_agreements.minimum == with_agreements.maximum == D("59235.00")
    assert result.model("lista").deterministic == D("69215.00")
    # With spread, every draw is billed by the engine (the integer path would need the
    # list's one price per service); the centre is still the agreed revenue.
    spread = monte_carlo(volumes, [agreed], cost_to_recover=cost, scenarios=20, sigma=0.1)
    assert spread.model("avtal").deterministic == D("59235.00")
