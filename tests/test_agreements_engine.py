"""Agreements in the engine: own prices, discounts, add-ons, precedence and conflicts.

Every figure is computed by hand in a comment; the catalog is the bundled 2014 list
(payroll.self_service 57 kr, payroll.manual 57 + 53 = 110 kr per person and month).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import whole_quantities

from sfprice import load_catalog
from sfprice.agreements import Agreement, Agreements, PriceGroup
from sfprice.engine.billing import bill
from sfprice.errors import InputError
from sfprice.model import AgreementRef, Customer, PriceItem, Unit, VolumeEntry, VolumeKey
from sfprice.period import Month

D = Decimal
CATALOG = load_catalog()
JAN, FEB, MAR = Month(2014, 1), Month(2014, 2), Month(2014, 3)
KULTUR = "Kulturförvaltningen"
BOLAGET = "Stockholms Hamn AB"
GROUPS = (PriceGroup("förvaltning", "the administrations"), PriceGroup("bolag", "companies"))


def _volume(month: Month, department: str, service: str, quantity: int | str) -> VolumeEntry:
    return VolumeEntry(VolumeKey(month, department, service), D(quantity), ())


def _own_price(
    id_: str, price: str, customer: str | None = None, group: str | None = None
) -> Agreement:
    return Agreement(
        id_,
        "avtal 2014-17",
        JAN,
        None,
        customer=customer,
        group=group,
        item="payroll.self_service",
        price=D(price),
    )


def test_a_customer_override_prices_its_lines_and_says_so() -> None:
    agreements = Agreements(GROUPS, (_own_price("kultur-pris", "55", customer=KULTUR),))
    volumes = [
        _volume(JAN, KULTUR, "payroll.self_service", 640),
        _volume(JAN, "Stadsbyggnadsförvaltningen", "payroll.self_service", 100),
    ]
    run = bill(CATALOG, volumes, year=2014, agreements=agreements)
    kultur = run.invoice(KULTUR, JAN)
    assert kultur is not None
    (line,) = kultur.lines
    # 640 x 55 = 35 200,00 (the list's 57 would give 36 480,00)
    assert (line.unit_price, line.amount) == (D(55), D("35200.00"))
    assert line.agreement == AgreementRef(
        "kultur-pris", "avtalspris 55,00 kr (kundavtal)", "avtal 2014-17"
    )
    other = run.invoice("Stadsbyggnadsförvaltningen", JAN)
    assert other is not None
    # 100 x 57 = 5 700,00, the list price, no agreement
    assert (other.lines[0].amount, other.lines[0].agreement) == (D("5700.00"), None)


def test_an_own_price_on_a_composite_price_replaces_the_whole_price() -> None:
    agreement = Agreement(
        "manual", "avtal", JAN, None, customer=KULTUR, item="payroll.manual", price=D(100)
    )
    run = bill(
        CATALOG,
        [_volume(JAN, KULTUR, "payroll.manual", 95)],
        agreements=Agreements((), (agreement,)),
    )
    (line,) = run.invoices[0].lines
    # 95 x 100 = 9 500,00; the components 57 + 53 are not shown: the agreement's price is one
    assert (line.amount, line.components) == (D("9500.00"), ())


def test_a_discount_rounds_once_per_line_half_up() -> None:
    discount = Agreement(
        "rabatt", "avtal", JAN, None, customer=KULTUR, business_area="payroll", discount=D("12.5")
    )
    volumes = [
        _volume(JAN, KULTUR, "payroll.self_service", 3),
        _volume(JAN, KULTUR, "payroll.manual", 1),
    ]
    run = bill(CATALOG, volumes, agreements=Agreements((), (discount,)))
    self_service, manual = run.invoices[0].lines
    # 57 x 0,875 = 49,875 kr per unit; 3 x 49,875 = 149,625 -> 149,63 (half-up, once)
    assert (self_service.unit_price, self_service.amount) == (D("49.875"), D("149.63"))
    # 110 x 0,875 = 96,25; components 57 x 0,875 = 49,875 and 53 x 0,875 = 46,375
    assert (manual.unit_price, manual.amount) == (D("96.250"), D("96.25"))
    assert [c.amount for c in manual.components] == [D("49.88"), D("46.37")]  # last takes rest
    assert self_service.agreement is not None
    assert self_service.agreement.text == "rabatt 12,5 % (kundavtal)"
    # 149,63 + 96,25 = 245,88
    assert run.total == D("245.88")


def test_an_add_on_is_billed_only_in_its_months() -> None:
    add_on = PriceItem(
        "economy.asset_accounting",
        "Anläggningsredovisning (tilläggstjänst)",
        Unit.DEPARTMENT_MONTH,
        D(0),
        business_area="economy",
        kind="fixed_monthly",
        default_fee=D(2500),
    )
    agreement = Agreement("anl", "avtal 2014-02", FEB, FEB, customer=KULTUR, add_on=add_on)
    volumes = [_volume(m, KULTUR, "payroll.self_service", 10) for m in (JAN, FEB, MAR)]
    run = bill(CATALOG, volumes, year=2014, agreements=Agreements((), (agreement,)))
    fees = {str(i.month): [line.amount for line in i.lines][1:] for i in run.invoices}
    # 10 x 57 = 570 each month; the add-on 2 500 kr only in February (its one month)
    assert fees == {"2014-01": [], "2014-02": [D("2500.00")], "2014-03": []}
    february = run.invoice(KULTUR, FEB)
    assert february is not None
    assert february.lines[-1].agreement == AgreementRef(
        "anl", "tilläggstjänst (kundavtal)", "avtal 2014-02"
    )
    assert february.total == D("3070.00")  # 570 + 2 500


def test_an_add_on_is_billed_in_a_month_without_volumes() -> None:
    add_on = PriceItem(
        "economy.asset_accounting",
        "Anläggningsredovisning",
        Unit.DEPARTMENT_MONTH,
        D(0),
        kind="fixed_monthly",
        default_fee=D(1000),
    )
    agreement = Agreement("anl", "avtal", FEB, FEB, customer=KULTUR, add_on=add_on)
    volumes = [_volume(FEB, "Stadsbyggnadsförvaltningen", "payroll.self_service", 1)]
    run = bill(CATALOG, volumes, agreements=Agreements((), (agreement,)))
    kultur = run.invoice(KULTUR, FEB)
    assert kultur is not None
    assert kultur.total == D("1000.00")


def test_a_customers_agreement_wins_over_its_groups_and_the_group_over_the_list() -> None:
    customers = [
        Customer(KULTUR, code="1310", price_group="förvaltning"),
        Customer(BOLAGET, code="9100", price_group="bolag"),
        Customer("Stadsbyggnadsförvaltningen", code="1200", price_group="förvaltning"),
    ]
    agreements = Agreements(
        GROUPS,
        (
            _own_price("förvaltning-pris", "56", group="förvaltning"),
            _own_price("kultur-pris", "55", customer="1310"),  # by code
        ),
    )
    volumes = [_volume(JAN, name.department, "payroll.self_service", 10) for name in customers]
    run = bill(CATALOG, volumes, customers=customers, agreements=agreements)
    totals = run.totals_by_department()
    # Kultur: own 55 x 10 = 550; SBF: group 56 x 10 = 560; the company: list 57 x 10 = 570
    assert totals == {
        KULTUR: D("550.00"),
        "Stadsbyggnadsförvaltningen": D("560.00"),
        BOLAGET: D("570.00"),
    }
    sbf = run.invoice("Stadsbyggnadsförvaltningen", JAN)
    assert sbf is not None
    assert sbf.lines[0].agreement is not None
    assert sbf.lines[0].agreement.text == "avtalspris 56,00 kr (prisgrupp förvaltning)"


def test_two_agreements_for_one_customer_item_and_month_are_refused_naming_both() -> None:
    first = _own_price("a", "55", customer=KULTUR)
    second = Agreement(
        "b",
        "avtal",
        FEB,
        MAR,
        customer=KULTUR,
        item="payroll.self_service",
        discount=D(5),
        path="avtal.toml",
        field="agreements[1] (b)",
    )
    volumes = [_volume(FEB, KULTUR, "payroll.self_service", 1)]
    with pytest.raises(InputError) as caught:
        bill(CATALOG, volumes, agreements=Agreements((), (first, second)))
    (issue,) = caught.value.issues
    assert (
        "agreements a and b both apply to Kulturförvaltningen, payroll.self_service in 2014-02"
        in issue.message
    )
    # In January only the first is in force: no conflict.
    run = bill(
        CATALOG,
        [_volume(JAN, KULTUR, "payroll.self_service", 1)],
        agreements=Agreements((), (first, second)),
    )
    assert run.total == D("55.00")


def test_an_agreement_on_a_fee_is_refused_not_ignored() -> None:
    catalog = load_catalog("examples/pricelists-2026-models/2026-fixed.toml")
    fee = next(i for i in catalog.lists[0].items if i.kind == "fixed_monthly")
    agreement = Agreement(
        "fee", "avtal", Month(2026, 1), None, customer=KULTUR, item=fee.code, price=D(1)
    )
    volumes = [_volume(Month(2026, 1), KULTUR, "payroll.self_service", 1)]
    with pytest.raises(InputError) as caught:
        bill(catalog, volumes, agreements=Agreements((), (agreement,)))
    assert "applies to plain unit prices only" in str(caught.value)


@settings(max_examples=60, deadline=None)
@given(
    quantity=whole_quantities(),
    service=st.sampled_from(["payroll.self_service", "payroll.manual", "payroll.salary_debt"]),
    month=st.integers(1, 12),
)
def test_an_agreement_at_the_list_price_changes_no_amount(
    quantity: Decimal, service: str, month: int
) -> None:
    item = CATALOG.lists[-1].item(service)
    assert item is not None
    agreement = Agreement(
        "same", "avtal", JAN, None, customer=KULTUR, item=service, price=item.price
    )
    volumes = [VolumeEntry(VolumeKey(Month(2014, month), KULTUR, service), quantity, ())]
    plain = bill(CATALOG, volumes)
    agreed = bill(CATALOG, volumes, agreements=Agreements((), (agreement,)))
    assert [line.amount for _, line in agreed.lines] == [line.amount for _, line in plain.lines]
    assert agreed.total == plain.total
    zero = Agreement("zero", "avtal", JAN, None, customer=KULTUR, item=service, discount=D(0))
    discounted = bill(CATALOG, volumes, agreements=Agreements((), (zero,)))
    assert discounted.total == plain.total


@settings(max_examples=80, deadline=None)
@given(
    quantity=whole_quantities(),
    percent=st.decimals(min_value=0, max_value=100, places=2),
    service=st.sampled_from(["payroll.self_service", "payroll.manual", "payroll.agresso"]),
)
def test_a_discount_is_the_exact_discounted_product_rounded_once(
    quantity: Decimal, percent: Decimal, service: str
) -> None:
    item = CATALOG.lists[-1].item(service)
    assert item is not None
    discount = Agreement("d", "avtal", JAN, None, customer=KULTUR, item=service, discount=percent)
    volumes = [
        VolumeEntry(VolumeKey(JAN, KULTUR, service), quantity, ()),
        VolumeEntry(VolumeKey(JAN, BOLAGET, service), quantity, ()),
    ]
    run = bill(CATALOG, volumes, agreements=Agreements((), (discount,)))
    kultur, other = run.invoice(KULTUR, JAN), run.invoice(BOLAGET, JAN)
    assert kultur is not None
    assert other is not None
    (line,) = kultur.lines
    exact = quantity * item.price * (100 - percent) / 100  # exact: /100 of finite decimals
    assert line.amount == exact.quantize(D("0.01"), rounding="ROUND_HALF_UP")
    assert sum(c.amount for c in line.components) == line.amount or not line.components
    # Another customer's agreement changes nothing for this one: the list price.
    assert other.lines[0].amount == (quantity * item.price).quantize(D("0.01"))
    assert other.lines[0].agreement is None
