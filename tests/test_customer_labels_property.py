"""Property: naming customers by code, earlier name or alias changes no figure.

The example register (examples/customers-2014.toml) knows each of its customers by a code
and some by an earlier name (Kulturförvaltningen until 2014-01-31) or by units (aliases).
Any volume rows billed once under the current names and once with each row's label
replaced by a label valid in its month give the same invoices, to the öre.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import PRICES, quantities

import sfprice
from sfprice.customers import CustomerRegister
from sfprice.model import Customer
from sfprice.period import Month

REPO = Path(__file__).resolve().parents[1]
REGISTER = sfprice.read_customers(REPO / "examples" / "customers-2014.toml")
CATALOG = sfprice.load_catalog()
SERVICES = sorted(PRICES[2014])
BILLED = [c for c in REGISTER.values() if c.kind is not None and c.kind.value != "nämnd"]


def labels_in(register: CustomerRegister, customer: Customer, month: Month) -> list[str]:
    """Every label that means ``customer`` in ``month``: code, name, names in use."""
    found = [customer.department]
    found += [customer.code] if customer.code else []
    return found + [
        known.name
        for known in customer.known_names
        if any(span.in_month(month) for span in register.spans(known.name))
        and register.find(known.name, month) is customer
    ]


@st.composite
def rows(draw: st.DrawFn) -> list[tuple[Month, Customer, str, Decimal, int]]:
    """(month, customer, service, quantity, which label) rows of 2014."""
    count = draw(st.integers(min_value=1, max_value=12))
    found = []
    for _ in range(count):
        month = Month(2014, draw(st.integers(min_value=1, max_value=12)))
        customer = draw(st.sampled_from(BILLED))
        service = draw(st.sampled_from(SERVICES))
        quantity = draw(quantities(service, 2014, max_decimals=2))
        found.append((month, customer, service, quantity, draw(st.integers(0, 10))))
    return found


def _bill(tmp_path: Path, name: str, lines: list[str]) -> sfprice.BillingRun:
    path = tmp_path / name
    path.write_text("month;department;service;quantity\n" + "".join(lines), encoding="utf-8")
    volumes = sfprice.read_volumes(path, catalog=CATALOG, year=2014, customers=REGISTER)
    return sfprice.bill(CATALOG, volumes, year=2014)


@settings(max_examples=40, deadline=None)
@given(rows())
def test_any_valid_label_bills_as_the_current_name(
    tmp_path_factory: pytest.TempPathFactory,
    drawn: list[tuple[Month, Customer, str, Decimal, int]],
) -> None:
    tmp_path = tmp_path_factory.mktemp("labels")
    plain, relabelled = [], []
    for month, customer, service, quantity, pick in drawn:
        text = str(quantity).replace(".", ",")
        plain.append(f"{month};{customer.department};{service};{text}\n")
        labels = labels_in(REGISTER, customer, month)
        relabelled.append(f"{month};{labels[pick % len(labels)]};{service};{text}\n")
    one = _bill(tmp_path, "plain.csv", plain)
    other = _bill(tmp_path, "labels.csv", relabelled)
    assert other.total == one.total
    assert [(i.department, i.month, i.total) for i in other.invoices] == [
        (i.department, i.month, i.total) for i in one.invoices
    ]
    assert [line.quantity for i in other.invoices for line in i.lines] == [
        line.quantity for i in one.invoices for line in i.lines
    ]


def test_the_labels_include_the_earlier_name_only_while_used() -> None:
    kultur = REGISTER["Kulturförvaltningen"]
    assert "Kultur- och fritidsförvaltningen" in labels_in(REGISTER, kultur, Month(2014, 1))
    assert "Kultur- och fritidsförvaltningen" not in labels_in(REGISTER, kultur, Month(2014, 2))


_VALUES = st.one_of(
    st.integers(-5, 3000).map(str),
    st.sampled_from(['"1310"', '"A1"', '""', '"13 10"', "2014-06-30", "[]", '["x"]', "{}"]),
    st.sampled_from(['"nämnd"', '"bolag"', '"Kultur"', '"Fritid"', "{ 2014 = 3 }"]),
    st.sampled_from(['[{ name = "Fritid", until = 2014-01-31 }]', '["Fritid", { name = 1 }]']),
)
_FIELDS = st.sampled_from(
    ["code", "name", "kind", "parent", "employees", "leaves", "aliases", "earlier_names", "x"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.dictionaries(_FIELDS, _VALUES, max_size=6), min_size=0, max_size=4))
def test_any_register_file_is_read_or_refused_with_located_issues(
    tmp_path_factory: pytest.TempPathFactory, entries: list[dict[str, str]]
) -> None:
    """Never a traceback: a register file either reads or gives issues naming the file."""
    text = "".join(
        "[[customer]]\n" + "".join(f"{key} = {value}\n" for key, value in entry.items())
        for entry in entries
    )
    path = tmp_path_factory.mktemp("register") / "customers.toml"
    path.write_text(text, encoding="utf-8")
    issues: list[sfprice.Issue] = []
    try:
        register = sfprice.read_customers(path)
    except sfprice.InputError as exc:
        issues = list(exc.issues)
        register = None
    if register is None:
        assert issues
        assert all(issue.path == str(path) for issue in issues)
    else:
        assert all(customer.code for customer in register.values())
