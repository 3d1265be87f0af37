"""Issue 11, part 5: SIE objects are the register's codes, read back by an independent reader.

The export is read with tests/sie4b_reader.py (written from the SIE 4B specification,
importing nothing of sfprice) and with Sie4j's object pattern ``[0-9a-zA-Z]+``: accounts,
objects and amounts equal the issued documents, and two departments whose names share a
prefix (Miljöförvaltningen, Miljönämnden) stay two objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sie4b_reader import read, sie4j_object
from test_documents_sie import _document  # an issued document built in code

import sfprice
from sfprice.cli import main
from sfprice.documents.sie import load_accounts, sie_field, sie_of_year
from sfprice.engine.billing import bill
from sfprice.model import Customer, PriceCatalog
from sfprice.period import Month
from sfprice.register import DocumentKind, Manifest, Register

REPO = Path(__file__).resolve().parents[1]
ACCOUNTS = REPO / "examples" / "accounts-sie.toml"
MANIFEST = Manifest((), "test", "2014-03-05T09:00:00+00:00", "test")
WriteFile = Callable[..., Path]

MILJO = Customer(
    "Miljöförvaltningen", code="4410", reference="Anna Berg",
    address=("Box 8136", "104 20 Stockholm"),
)  # fmt: skip
NAMND = Customer("Miljönämnden", code="4400", reference="Bo Ek")
KULTUR = Customer("Kulturförvaltningen", code="1310", sie_object="K1310")

VOLUMES = (
    "month,department,service,quantity\n"
    "2014-01,Miljöförvaltningen,payroll.self_service,100\n"
    "2014-01,Miljönämnden,payroll.self_service,10\n"
    "2014-01,Miljönämnden,payroll.manual,2\n"
    "2014-01,Kulturförvaltningen,payroll.manual,95\n"
)


def _issue(catalog: PriceCatalog, write_file: WriteFile, path: Path) -> None:
    volumes = sfprice.read_volumes(write_file("v.csv", VOLUMES), catalog=catalog)
    customers = [MILJO, NAMND, KULTUR]
    now = datetime(2014, 2, 5, 9, 0, tzinfo=UTC)
    with Register.open(path) as register:
        run = bill(catalog, volumes, year=2014, customers=customers)
        register.issue(run, Month(2014, 1), manifest=MANIFEST, now=now)
        # Miljönämnden's reference changes: its invoice is credited and issued again.
        moved = replace(NAMND, reference="Cecilia Lind")
        run = bill(catalog, volumes, year=2014, customers=[MILJO, moved, KULTUR])
        register.issue(run, Month(2014, 1), manifest=MANIFEST, now=now)


def test_the_export_reads_back_with_an_independent_reader(
    catalog: PriceCatalog, write_file: WriteFile, tmp_path: Path
) -> None:
    path = tmp_path / "r.db"
    _issue(catalog, write_file, path)
    output = tmp_path / "out.se"
    argv = ["export", "sie", "--year", "2014", "--register", str(path), "--accounts",
            str(ACCOUNTS), "--output", str(output)]  # fmt: skip
    assert main(argv) == 0
    sie = read(output.read_bytes())
    assert sie.labels["SIETYP"] == ["4"]
    assert sie.labels["FORMAT"] == ["PC8"]
    # The register's codes are the objects (Kulturförvaltningen's own SIE object wins).
    assert sie.objects == {
        ("1", "4410"): "Miljöförvaltningen",
        ("1", "4400"): "Miljönämnden",
        ("1", "K1310"): "Kulturförvaltningen",
    }
    # Sie4j's pattern keeps every object distinct; the names would have merged as "Milj".
    assert len({sie4j_object(code) for _, code in sie.objects}) == 3
    assert sie4j_object("Miljöförvaltningen") == sie4j_object("Miljönämnden") == "Milj"
    with Register.open(path) as register:
        documents = list(register.documents())
    # 3 invoices, then Miljönämnden's credit note and new invoice.
    kinds = [(d.department, d.kind) for d in documents]
    assert kinds[3:] == [
        ("Miljönämnden", DocumentKind.CREDIT_NOTE),
        ("Miljönämnden", DocumentKind.INVOICE),
    ]
    codes = {"Miljöförvaltningen": "4410", "Miljönämnden": "4400", "Kulturförvaltningen": "K1310"}
    assert len(sie.vouchers) == len(documents)
    for voucher, document in zip(sie.vouchers, documents, strict=True):
        assert document.number in voucher.text
        cost = [t for t in voucher.rows if t.account[0] in "67"]
        revenue = [t for t in voucher.rows if t.account[0] == "3"]
        assert sum((t.amount for t in cost), Decimal(0)) == document.total
        assert sum((t.amount for t in revenue), Decimal(0)) == -document.total
        assert {tuple(t.objects) for t in voucher.rows} == {(("1", codes[document.department]),)}
        assert all(t.account in sie.accounts for t in voucher.rows)
    # Miljöförvaltningen: 100 x 57.00 = 5 700.00 on payroll accounts 7690 / 3011.
    first = sie.vouchers[[d.department for d in documents].index("Miljöförvaltningen")]
    assert {(t.account, t.amount) for t in first.rows} == {
        ("3011", Decimal("-5700.00")),
        ("7690", Decimal("5700.00")),
    }


CODES = st.from_regex(r"[0-9A-Za-z]{1,8}", fullmatch=True)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(codes=st.lists(CODES, min_size=2, max_size=4, unique=True))
def test_distinct_register_codes_stay_distinct_objects(
    codes: list[str], catalog: PriceCatalog, write_file: WriteFile
) -> None:
    # Departments whose names share a prefix, each with its own code: every reader,
    # Sie4j's pattern too, sees one object per code and each voucher on its own.
    names = [f"Miljö{'x' * i}förvaltningen" for i in range(len(codes))]
    customers = [Customer(n, code=c) for n, c in zip(names, codes, strict=True)]
    rows = "".join(f"2014-01,{n},payroll.self_service,{i + 1}\n" for i, n in enumerate(names))
    volumes = sfprice.read_volumes(
        write_file("v.csv", "month,department,service,quantity\n" + rows), catalog=catalog
    )
    path = write_file("r.db", b"")
    path.unlink()
    with Register.open(path) as register:
        run = bill(catalog, volumes, year=2014, customers=customers)
        register.issue(run, Month(2014, 1), manifest=MANIFEST, now=datetime(2014, 2, 5, tzinfo=UTC))
        documents = list(register.documents())
    sie = read(sie_of_year(documents, load_accounts(ACCOUNTS), 2014))
    assert {code for _, code in sie.objects} == set(codes)
    assert {sie4j_object(code) for _, code in sie.objects} == set(codes)
    by_code = {
        d.content.customer.sie_object: d.total
        for d in documents
        if d.content and d.content.customer
    }
    for voucher in sie.vouchers:
        (code,) = {t.objects[0][1] for t in voucher.rows}
        cost = sum((t.amount for t in voucher.rows if t.amount > 0), Decimal(0))
        assert cost == by_code[code]


@given(
    names=st.lists(st.text(st.characters(codec=None), min_size=1, max_size=20), min_size=1,
                   max_size=3, unique=True),
)  # fmt: skip
def test_any_customer_name_reads_back_under_its_code(names: list[str]) -> None:
    # Quotes, backslashes, braces, control characters in a name: the independent reader
    # gets each object's name as the writer's CP437 text of it, and the object code.
    numbered = enumerate(names, 1)
    documents = [_document(name, f"SF-2014-{i:06d}", code=f"C{i}") for i, name in numbered]
    accounts = load_accounts(ACCOUNTS)
    sie = read(sie_of_year(documents, accounts, 2014))
    assert sie.objects == {("1", f"C{i}"): sie_field(n) for i, n in enumerate(names, 1)}
    assert [v.rows[0].objects for v in sie.vouchers] == [
        [("1", f"C{i}")] for i in range(1, len(names) + 1)
    ]
    assert [v.text for v in sie.vouchers] == [
        sie_field(f"Faktura {d.number} {d.department} 2014-02") for d in documents
    ]
