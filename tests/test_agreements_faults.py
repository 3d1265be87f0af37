"""Faults a tester found in agreements (issue 11): each with its hand-computed figure.

- two agreements with one id were a traceback; now a located issue, with the others;
- an agreements file's messages carry the line of the key (or of its header);
- a label that changes owner is resolved per month of the agreement, or refused;
- a customer's discount applies to the price it would pay without it (its group's).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfprice import load_catalog
from sfprice.agreements import Agreement, Agreements, PriceGroup
from sfprice.customers import CustomerRegister
from sfprice.engine.billing import bill
from sfprice.errors import InputError
from sfprice.io.agreements import read_agreements
from sfprice.model import Customer, KnownName, VolumeEntry, VolumeKey
from sfprice.period import Month

CATALOG = load_catalog()
D = Decimal


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "avtal.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _issues(
    path: Path, customers: Mapping[str, Customer] | list[Customer] | None = None
) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_agreements(path, catalog=CATALOG, customers=customers)
    return [str(issue) for issue in caught.value.issues]


AGREEMENT = (
    '[[agreements]]\nid = "{id}"\nsource = "SA"\ncustomer = "Kulturförvaltningen"\n'
    'from = "{start}"\nitem = "{item}"\nprice = 1\n\n'
)


def test_an_id_twice_is_a_located_issue_with_the_files_other_problems(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        AGREEMENT.format(id="a", start="2014-01", item="payroll.manual")
        + AGREEMENT.format(id="b", start="2014-01", item="payroll.self_service")
        + AGREEMENT.format(id="a", start="2014-13", item="payroll.salary_debt"),
    )
    # The third agreement's header is line 17 (8 lines per agreement), its id line 18,
    # its from line 21; the first one's header is line 1.
    assert _issues(path) == [
        f"{path}:18: agreements[2] (a).id: id 'a' is already the id of agreements[0] "
        "(line 1); an invoice line names its agreement by id (expected an id of its own)",
        f"{path}:21: agreements[2] (a).from: '2014-13' is not a month: 13 is not 01..12",
    ]


def test_an_id_twice_is_refused_even_when_both_are_otherwise_bad(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        AGREEMENT.format(id="a", start="2014-00", item="payroll.manual")
        + AGREEMENT.format(id="a", start="2014-01", item="payroll.nothing"),
    )
    issues = _issues(path)
    assert any("id 'a' is already the id of agreements[0]" in i for i in issues)
    assert len(issues) == 3


@pytest.mark.parametrize(
    ("body", "line", "field"),
    [
        # key present: the key's line
        (
            'id = "x"\nsource = "S"\ncustomer = "K"\nfrom = "2014-13"\nitem = "payroll.manual"\n'
            "price = 1\n",
            6,
            ".from",
        ),
        (
            'id = "x"\nsource = "S"\ncustomer = "K"\nfrom = "2014-01"\nitem = "payroll.manual"\n'
            "price = -1\n",
            8,
            ".price",
        ),
        (
            'id = "x"\nsource = "S"\ncustomer = "K"\nfrom = "2014-01"\nitem = "payroll.manuall"\n'
            "price = 1\n",
            7,
            ".item",
        ),
        # an unknown key: its line
        (
            'id = "x"\nsource = "S"\nkund = "K"\nfrom = "2014-01"\nitem = "payroll.manual"\n'
            "price = 1\n",
            5,
            ".kund",
        ),
        # a key missing: the header's line
        (
            'id = "x"\ncustomer = "K"\nfrom = "2014-01"\nitem = "payroll.manual"\nprice = 1\n',
            2,
            ".source",
        ),
    ],
)
def test_each_message_has_the_line_of_its_key(
    tmp_path: Path, body: str, line: int, field: str
) -> None:
    # Line 1 is a comment, line 2 the [[agreements]] header, line 3 its first key.
    path = _write(tmp_path, "# avtal\n[[agreements]]\n" + body)
    (issue,) = _issues(path)
    assert issue.startswith(f"{path}:{line}: agreements[0] (x){field}:"), issue


def test_an_add_on_key_has_its_line_in_the_sub_table(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[[agreements]]\nid = "t"\nsource = "TA"\ncustomer = "K"\nfrom = "2014-02"\n\n'
        '[agreements.add_on]\ncode = "economy.extra"\nname = "Extra"\nkind = "unit"\n'
        'unit = "transaction"\nprice = 12\n',
    )
    (issue,) = _issues(path)
    # kind = "unit" is line 10
    assert issue.startswith(f"{path}:10: agreements[0] (t).add_on.kind (economy.extra):"), issue


# Fault 1: "Enhet X" is an alias of 5120 Miljö AB until 2014-01-31 (it leaves 2014-02-15)
# and of 5130 Ny enhet from 2014-02-01.
MILJO = Customer(
    "Miljö AB",
    code="5120",
    known_names=(KnownName("Enhet X", until=date(2014, 1, 31)),),
    leaves=date(2014, 2, 15),
)
NY = Customer("Ny enhet", code="5130", known_names=(KnownName("Enhet X", since=date(2014, 2, 1)),))
REGISTER = CustomerRegister([MILJO, NY], path="kunder.toml")


def _label_agreement(tmp_path: Path, customer: str, start: str, end: str | None = None) -> Path:
    to = f'to = "{end}"\n' if end else ""
    return _write(
        tmp_path,
        f'[[agreements]]\nid = "enhet-x"\nsource = "SA-9"\ncustomer = "{customer}"\n'
        f'from = "{start}"\n{to}item = "payroll.manual"\nprice = 1\n',
    )


def test_a_label_is_resolved_in_the_agreements_months_and_bills_its_customer(
    tmp_path: Path,
) -> None:
    # From 2014-02 "Enhet X" is only Ny enhet's alias: the agreement is Ny enhet's.
    path = _label_agreement(tmp_path, "Enhet X", "2014-02")
    agreements = read_agreements(path, catalog=CATALOG, customers=REGISTER)
    assert [a.customer for a in agreements] == ["Ny enhet"]
    feb = Month(2014, 2)
    volumes = [
        VolumeEntry(VolumeKey(feb, "Ny enhet", "payroll.manual"), D(2), ()),
        VolumeEntry(VolumeKey(feb, "Miljö AB", "payroll.manual"), D(3), ()),
    ]
    run = bill(CATALOG, volumes, year=2014, customers=REGISTER, agreements=agreements)
    ny, miljo = run.invoice("Ny enhet", feb), run.invoice("Miljö AB", feb)
    assert ny is not None
    assert miljo is not None
    # Ny enhet: 2 x 1 = 2,00 (not 2 x 110 = 220,00); Miljö AB keeps the list: 3 x 110.
    assert [(line.service, line.amount) for line in ny.lines] == [("payroll.manual", D("2.00"))]
    assert ny.lines[0].agreement is not None
    assert ny.lines[0].agreement.id == "enhet-x"
    assert [line.amount for line in miljo.lines] == [D("330.00")]


@pytest.mark.parametrize(
    ("start", "end", "said"),
    [
        # Both customers within the agreement's months.
        (
            "2014-01",
            "2014-03",
            "in 2014-01 it is 5120 Miljö AB (alias until 2014-01-31); in 2014-02..2014-03 "
            "it is 5130 Ny enhet (alias from 2014-02-01); name the customer by its code "
            "(5120 or 5130)",
        ),
        # Open-ended: the months up to the label's last change are checked.
        (
            "2013-11",
            None,
            "in 2013-11..2014-01 it is 5120 Miljö AB (alias until 2014-01-31); in 2014-02 "
            "onwards it is 5130 Ny enhet (alias from 2014-02-01)",
        ),
    ],
)
def test_a_label_of_two_customers_in_the_agreements_months_is_refused(
    tmp_path: Path, start: str, end: str | None, said: str
) -> None:
    path = _label_agreement(tmp_path, "Enhet X", start, end)
    (issue,) = _issues(path, REGISTER)
    assert issue.startswith(f"{path}:4: agreements[0] (enhet-x).customer: 'Enhet X' does not ")
    assert said in issue


def test_a_label_of_no_customer_in_some_month_is_refused(tmp_path: Path) -> None:
    register = CustomerRegister(
        [
            Customer(
                "Kulturförvaltningen",
                code="1310",
                known_names=(
                    KnownName("Kulturnämndens förvaltning", until=date(2014, 3, 31), earlier=True),
                ),
            )
        ]
    )
    path = _label_agreement(tmp_path, "Kulturnämndens förvaltning", "2014-01", "2014-06")
    (issue,) = _issues(path, register)
    assert (
        "in 2014-01..2014-03 it is 1310 Kulturförvaltningen (earlier name until 2014-03-31); "
        "in 2014-04..2014-06 it names no customer; name the customer by its code (1310)"
    ) in issue
    # Within its dates, the earlier name is one customer: accepted, stored as current name.
    path = _label_agreement(tmp_path, "Kulturnämndens förvaltning", "2014-01", "2014-03")
    agreements = read_agreements(path, catalog=CATALOG, customers=register)
    assert [a.customer for a in agreements] == ["Kulturförvaltningen"]


@pytest.mark.parametrize("label", ["5120", "5130", "Miljö AB", "Ny enhet"])
def test_codes_and_current_names_are_one_customer_in_every_month(
    tmp_path: Path, label: str
) -> None:
    path = _label_agreement(tmp_path, label, "2013-01")
    (agreement,) = read_agreements(path, catalog=CATALOG, customers=REGISTER)
    assert agreement.customer == ("Miljö AB" if label in ("5120", "Miljö AB") else "Ny enhet")


# Fault 3: a customer's discount is on the price it would pay without it.
KULTUR = Customer("Kulturförvaltningen", code="1310", price_group="förvaltning")
GROUPS = (PriceGroup("förvaltning"),)
JAN = Month(2014, 1)


def _group_price(price: str) -> Agreement:
    return Agreement(
        "grupp-pris",
        "Prisbeslut 2014-3",
        JAN,
        group="förvaltning",
        item="payroll.self_service",
        price=D(price),
    )


def _customer_discount(percent: str) -> Agreement:
    return Agreement(
        "kultur-rabatt",
        "SA-2014-031",
        JAN,
        customer="Kulturförvaltningen",
        business_area="payroll",
        discount=D(percent),
    )


def _lines(*agreements: Agreement) -> dict[str, tuple[Decimal, Decimal, str | None]]:
    volumes = [
        VolumeEntry(VolumeKey(JAN, "Kulturförvaltningen", "payroll.self_service"), D(10), ()),
        VolumeEntry(VolumeKey(JAN, "Kulturförvaltningen", "payroll.manual"), D(3), ()),
    ]
    run = bill(
        CATALOG,
        volumes,
        year=2014,
        customers=[KULTUR],
        agreements=Agreements(GROUPS, agreements),
    )
    invoice = run.invoice("Kulturförvaltningen", JAN)
    assert invoice is not None
    return {
        line.service: (
            line.unit_price,
            line.amount,
            None if line.agreement is None else line.agreement.text,
        )
        for line in invoice.lines
    }


def test_a_customers_discount_is_on_its_groups_own_price() -> None:
    lines = _lines(_group_price("50"), _customer_discount("5"))
    # self_service: group price 50 x 0,95 = 47,50 a payslip (not 57 x 0,95 = 54,15);
    # 10 x 47,50 = 475,00.
    assert lines["payroll.self_service"] == (
        D("47.50"),
        D("475.00"),
        "rabatt 5 % på prisgruppens pris (kundavtal kultur-rabatt; prisgrupp förvaltning: "
        "avtalspris 50,00 kr, grupp-pris)",
    )
    # manual: no group price, so the list's 110 x 0,95 = 104,50; 3 x 104,50 = 313,50.
    assert lines["payroll.manual"] == (D("104.50"), D("313.50"), "rabatt 5 % (kundavtal)")


def test_a_customers_discount_never_raises_its_price() -> None:
    # Without the group's price the customer pays 50; with its 5 % discount less, never
    # more: 57 x 0,95 = 54,15 would be 4,15 above the group's price.
    without = _lines(_group_price("50"))["payroll.self_service"]
    with_discount = _lines(_group_price("50"), _customer_discount("5"))["payroll.self_service"]
    assert without[0] == D("50")
    assert with_discount[0] < without[0]


def test_a_customers_discount_on_a_group_discount_and_one_rounding() -> None:
    group = Agreement(
        "grupp-rabatt",
        "Prisbeslut 2014-4",
        JAN,
        group="förvaltning",
        item="payroll.self_service",
        discount=D("10"),
    )
    lines = _lines(group, _customer_discount("5"))
    # 57 x 0,90 x 0,95 = 48,735 a payslip, exactly; 10 x 48,735 = 487,35 (rounded once,
    # per line; rounding the unit price first would give 10 x 48,74 = 487,40).
    assert lines["payroll.self_service"][1] == D("487.35")


def test_a_customers_own_price_still_replaces_everything() -> None:
    own = Agreement(
        "kultur-pris",
        "SA-2014-032",
        JAN,
        customer="Kulturförvaltningen",
        item="payroll.self_service",
        price=D("45"),
    )
    lines = _lines(_group_price("50"), own)
    # 10 x 45 = 450,00, the group's 50 not used.
    assert lines["payroll.self_service"][:2] == (D("45"), D("450.00"))


@settings(max_examples=60, deadline=None)
@given(
    group_price=st.decimals(min_value=0, max_value=1000, places=2),
    percent=st.decimals(min_value=0, max_value=100, places=1),
)
def test_a_customers_discount_is_never_above_its_groups_price(
    group_price: Decimal, percent: Decimal
) -> None:
    without = _lines(_group_price(str(group_price)))["payroll.self_service"]
    with_discount = _lines(_group_price(str(group_price)), _customer_discount(str(percent)))
    # 10 payslips at the group's price, less the discount, rounded once to öre.
    expected = (10 * group_price * (100 - percent) / 100).quantize(D("0.01"), ROUND_HALF_UP)
    assert with_discount["payroll.self_service"][1] == expected
    assert expected <= without[1]


# Fault 2's kind: no input makes the reader raise anything but located issues.
_VALUES = {
    "id": ['"a"', '"b"', '""', "1"],
    "source": ['"SA-1"', '""'],
    "customer": ['"Kulturförvaltningen"', '"Enhet X"', '"5130"', '""', '"Okänd"'],
    "group": ['"förvaltning"', '"okänd"'],
    "from": ['"2014-01"', '"2014-06"', '"2014-13"', "2014-01-01", '"x"'],
    "to": ['"2014-03"', '"2014-12"', '"2013-12"', '"9999-12"', '"2014-1"'],
    "item": ['"payroll.manual"', '"payroll.self_service"', '"payroll.hourly"', '"nope"'],
    "business_area": ['"payroll"', '"lön"'],
    "price": ["1", "-1", "nan", "inf", '"5"', "1e400", "0.5"],
    "discount": ["5", "150", "-1", "nan", "100", "12.5"],
}


@st.composite
def _agreement_texts(draw: st.DrawFn) -> str:
    keys = draw(st.lists(st.sampled_from(sorted(_VALUES)), unique=True, max_size=8))
    body = "".join(f"{key} = {draw(st.sampled_from(_VALUES[key]))}\n" for key in keys)
    return "[[agreements]]\n" + body


@settings(max_examples=150, deadline=None)
@given(st.lists(_agreement_texts(), min_size=1, max_size=4))
def test_any_agreements_file_reads_or_gives_located_issues(
    tmp_path_factory: pytest.TempPathFactory, agreements: list[str]
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "avtal.toml"
    path.write_text('[[groups]]\nname = "förvaltning"\n\n' + "\n".join(agreements), "utf-8")
    register = CustomerRegister([MILJO, NY, KULTUR])
    try:
        read = read_agreements(path, catalog=CATALOG, customers=register)
    except InputError as exc:
        for issue in exc.issues:
            assert issue.line is not None, str(issue)
    else:
        assert len({a.id for a in read}) == len(read)


@settings(max_examples=80, deadline=None)
@given(
    moves=st.dates(min_value=date(2013, 6, 1), max_value=date(2015, 6, 30)),
    start=st.integers(min_value=1, max_value=12),
    end=st.one_of(st.none(), st.integers(min_value=1, max_value=12)),
)
def test_an_accepted_label_means_its_customer_in_every_month(
    tmp_path_factory: pytest.TempPathFactory, moves: date, start: int, end: int | None
) -> None:
    # "Enhet X" is A's until the day before ``moves`` and B's from ``moves`` on; the
    # agreement is in 2014 (the bundled list's year), open-ended or not.
    before = moves - timedelta(days=1)
    register = CustomerRegister(
        [
            Customer("A", code="1", known_names=(KnownName("Enhet X", until=before),)),
            Customer("B", code="2", known_names=(KnownName("Enhet X", since=moves),)),
        ]
    )
    first = Month(2014, start)
    last = None if end is None else Month(2014, max(start, end))
    tmp = tmp_path_factory.mktemp("label")
    path = _label_agreement(tmp, "Enhet X", str(first), None if last is None else str(last))
    # What a volume row of each month means (a problem text when not one customer).
    meant: set[Customer | str | None] = set()
    month = first
    while month <= (last or Month(2016, 12)):
        meant.add(register.find("Enhet X", month))
        month = month.next()
    try:
        (agreement,) = read_agreements(path, catalog=CATALOG, customers=register)
    except InputError as exc:
        assert len(meant) > 1 or not isinstance(next(iter(meant)), Customer), meant
        (issue,) = exc.issues
        assert "does not mean one customer" in issue.message
    else:
        (customer,) = meant
        assert isinstance(customer, Customer)
        assert customer.department == agreement.customer
