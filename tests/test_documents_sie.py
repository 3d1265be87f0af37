"""SIE 4 per the specification (issues 9, 10 and 12): quoting with the one escape SIE 4B
defines, a department never merged into another's object, a mapping checked as a whole, one
message per missing mapping, and the same file twice from the same register."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sfprice.cli import main
from sfprice.documents.sie import (
    AccountMap,
    SieError,
    load_accounts,
    read_sie,
    sie_field,
    sie_text,
    write_sie,
)
from sfprice.engine.billing import BillingRun, Invoice, InvoiceLine
from sfprice.model import Customer, Unit
from sfprice.period import Month
from sfprice.register import (
    ContentCustomer,
    DocumentContent,
    DocumentKind,
    IssuedDocument,
    IssuedLine,
    Manifest,
    Register,
    VolumeStatement,
)

REPO = Path(__file__).resolve().parents[1]
ACCOUNTS = REPO / "examples" / "accounts-sie.toml"
MAP = AccountMap(
    "Servicecentret", "", 1, "Förvaltning", {"payroll": "3011"}, {"payroll": "7690"},
    source="accounts.toml",
)  # fmt: skip


def code_of(number: str) -> str:
    """The object code ``_document`` stores: ``C`` and the number's digits (distinct)."""
    return "C" + "".join(c for c in number if c.isdigit())


def _document(
    department: str,
    number: str = "SF-2026-000001",
    *lines: tuple[str, str, str],
    code: str | None = "",
) -> IssuedDocument:
    """A document of ``department`` whose customer has ``code`` (default :func:`code_of`);
    ``code=None``: issued without a customer register record."""
    rows = tuple(
        IssuedLine(service, "Tjänst", "transaction", Decimal(1), Decimal(amount),
                   Decimal(amount), "2014", {"business_area": area})
        for service, area, amount in (lines or (("payroll.self_service", "payroll", "57.00"),))
    )  # fmt: skip
    customer = (
        None
        if code is None
        else ContentCustomer(code or code_of(number), department, None, (), code or code_of(number))
    )
    content = DocumentContent(
        number, "invoice", "SF", "Servicecentret", department, Month(2014, 2),
        "2026-11-28T23:01:15+01:00", date(2026, 11, 28), "Europe/Stockholm", "2014", "SEK",
        None, tuple(r.shown((), None, None) for r in rows),
        VolumeStatement("issue", None, ()), customer,
    )  # fmt: skip
    return IssuedDocument(
        number, DocumentKind.INVOICE, Month(2014, 2), department, "2026-11-28T22:01:15+00:00",
        "2014", "SEK", rows, None, None, 1, (), content,
    )  # fmt: skip


def _write(documents: list[IssuedDocument], accounts: AccountMap = MAP) -> bytes:
    return write_sie(documents, accounts, year=2014, generated=date(2026, 11, 28))


# -- Quoting per SIE 4B: only \" is an escape ------------------------------------------------


def test_a_backslash_is_written_once() -> None:
    # Issue 9: SIE text doubled a backslash; SIE 4B defines only \" as an escape.
    text = _write([_document('Förv\\Öst "A"')]).decode("cp437")
    assert '#OBJEKT 1 "C2026000001" "Förv\\Öst \\"A\\""' in text
    assert "\\\\" not in text


def test_a_backslash_before_a_quote_and_at_the_end() -> None:
    # 'a\"b' is written a\\"b: the backslash as it is, then \" for the quote; a final
    # backslash would escape the closing quote, so it is written as '/'.
    assert sie_field('a\\"b') == 'a\\"b'
    assert sie_field("C:\\") == "C:/"
    text = _write([_document('a\\"b')]).decode("cp437")
    assert '"a\\\\"b"' in text
    assert read_sie(text.encode("cp437")).objects[(1, "C2026000001")] == 'a\\"b'


NAMES = st.text(st.characters(codec=None), min_size=1, max_size=30)


@given(department=NAMES, company=NAMES, dimension=NAMES, account=NAMES)
def test_every_field_reads_back(
    department: str, company: str, dimension: str, account: str
) -> None:
    accounts = AccountMap(
        company, "", 1, dimension, {"payroll": "3011"}, {"payroll": "7690"},
        account_names={"3011": account}, source="accounts.toml",
    )  # fmt: skip
    sie = read_sie(_write([_document(department)], accounts))
    assert sie.labels["FNAMN"] == (sie_field(company),)
    assert sie.dimensions == {1: sie_field(dimension)}
    assert sie.accounts["3011"] == sie_field(account)
    assert sie.objects == {(1, "C2026000001"): sie_field(department)}
    voucher = sie.vouchers[0]
    assert voucher.text == sie_field(f"Faktura SF-2026-000001 {department} 2014-02")
    assert {t.objects for t in voucher.transactions} == {((1, "C2026000001"),)}
    assert voucher.balance == 0


@given(st.text(st.characters(codec="cp437", exclude_characters='\\"'), min_size=1))
def test_printable_cp437_text_is_kept_as_it_is(text: str) -> None:
    if text.isprintable():
        assert sie_field(text) == text


def test_control_characters_become_question_marks() -> None:
    assert sie_text("Kult\x07ur\tÖst\r\n") == "Kult?ur Öst??"


# -- Objects: one per department, never merged ---------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [("Žilina", "Zilina"), ("Farsta–Vantör", "Farsta-Vantör"), ("Miljöförvaltningen", "Miljö")],
)
def test_departments_without_codes_are_each_named(first: str, second: str) -> None:
    # Issue 12: two departments became one object; issue 11: a name is never a code.
    documents = [_document(first, code=None), _document(second, "SF-2026-000002", code=None)]
    with pytest.raises(SieError) as caught:
        _write(documents)
    assert [i.field for i in caught.value.issues] == ["objects", "objects"]
    assert all(i.path == "accounts.toml" for i in caught.value.issues)
    first_issue, second_issue = (i.message for i in caught.value.issues)
    assert first_issue.startswith(f"department {first!r} has no SIE object code on 1 document")
    assert f'"{first}" = "CODE" in [objects]' in first_issue
    assert "issue the period again with a customer register (customers=)" in first_issue
    assert second_issue.startswith(f"department {second!r} has no SIE object code")


def test_codes_of_their_own_resolve_the_clash() -> None:
    accounts = AccountMap(
        "S", "", 1, "Förvaltning", {"payroll": "3011"}, {"payroll": "7690"},
        objects={"Žilina": "ZIL1", "Zilina": "ZIL2"}, source="accounts.toml",
    )  # fmt: skip
    documents = [_document("Žilina", code=None), _document("Zilina", "SF-2", code=None)]
    sie = read_sie(_write(documents, accounts))
    assert sie.objects == {(1, "ZIL1"): "Zilina", (1, "ZIL2"): "Zilina"}
    codes = [v.transactions[0].objects[0][1] for v in sie.vouchers]
    assert codes == ["ZIL1", "ZIL2"]


def test_a_mapped_code_equal_to_a_stored_code_is_refused() -> None:
    accounts = AccountMap(
        "S", "", 1, "F", {"payroll": "3011"}, {"payroll": "7690"}, objects={"Skarpnäck": "SBF"},
        source="accounts.toml",
    )  # fmt: skip
    documents = [_document("Skarpnäck", code=None), _document("Stadsbyggnad", "SF-2", code="SBF")]
    with pytest.raises(SieError, match="'Skarpnäck' and 'Stadsbyggnad' would all be object 'SBF'"):
        _write(documents, accounts)


def test_the_register_code_wins_over_objects() -> None:
    accounts = AccountMap(
        "S", "", 1, "F", {"payroll": "3011"}, {"payroll": "7690"}, objects={"Skarpnäck": "SKA"},
        source="accounts.toml",
    )  # fmt: skip
    sie = read_sie(_write([_document("Skarpnäck", code="2610")], accounts))
    assert set(sie.objects) == {(1, "2610")}


@pytest.mark.parametrize("code", ["44-10", "Miljö", "44 10", "4410.1"])
def test_a_stored_code_that_sie4j_would_cut_is_refused(code: str) -> None:
    with pytest.raises(SieError) as caught:
        _write([_document("Miljöförvaltningen", code=code)])
    (issue,) = caught.value.issues
    assert issue.message.startswith(
        f"department 'Miljöförvaltningen' has the SIE object code {code!r} on 1 document(s)"
    )
    assert "[0-9a-zA-Z]+" in issue.message
    # Issued documents never change: [objects] maps them to a code every reader keeps.
    accounts = AccountMap(
        "S", "", 1, "F", {"payroll": "3011"}, {"payroll": "7690"},
        objects={"Miljöförvaltningen": "4410"}, source="accounts.toml",
    )  # fmt: skip
    sie = read_sie(_write([_document("Miljöförvaltningen", code=code)], accounts))
    assert set(sie.objects) == {(1, "4410")}


def test_a_renamed_department_keeps_one_object() -> None:
    # One customer (code 1310) under its earlier and its current name: one object, named
    # by its latest document.
    old = _document("Kultur och fritid", "SF-1", code="1310")
    new = _document("Kulturförvaltningen", "SF-2", code="1310")
    sie = read_sie(_write([old, new]))
    assert sie.objects == {(1, "1310"): "Kulturförvaltningen"}


# -- The mapping is checked as a whole --------------------------------------------------------


def test_mapping_problems_are_each_located(tmp_path: Path) -> None:
    path = tmp_path / "accounts.toml"
    path.write_text(
        "[revenue]\npayroll = 30\neconomy = '3012'\ndefault = 30190\n"
        "[cost]\npayroll = 7690\nprocurement = 'abc'\n"
        "[account_names]\n301 = 'Kort'\n"
        "[objects]\n'Skarpnäck' = 'SKA'\n'Stadsbyggnad' = 'SKA'\n'Farsta' = 'F–1'\n"
        "[revnue]\nx = 1\n",
        encoding="utf-8",
    )
    with pytest.raises(SieError) as caught:
        load_accounts(path)
    found = {(i.field, i.message.split(" (")[0]) for i in caught.value.issues}
    assert found == {
        ("revnue", "unknown table [revnue]"),
        ("revenue.payroll", "30 is not a BAS account"),
        ("revenue.default", "30190 is not a BAS account"),
        ("cost.procurement", "'abc' is not a BAS account"),
        ("account_names.301", "'301' is not a BAS account"),
        ('objects."Stadsbyggnad"',
         "'SKA' is also the code of 'Skarpnäck': two departments would be one object"),
        ('objects."Farsta"', "'F–1' is not an object code"),
    }  # fmt: skip
    assert all(i.path == str(path) for i in caught.value.issues)


def test_missing_tables_are_named(tmp_path: Path) -> None:
    path = tmp_path / "accounts.toml"
    path.write_text("[company]\nname = 'S'\n", encoding="utf-8")
    with pytest.raises(SieError) as caught:
        load_accounts(path)
    assert [str(i) for i in caught.value.issues] == [
        f"{path}: no [revenue] table (expected [revenue] with e.g. default = 3019)",
        f"{path}: no [cost] table (expected [cost] with e.g. default = 3019)",
    ]


def test_one_error_per_missing_mapping_not_per_line() -> None:
    # Issue 10: one missing account printed one error per invoice line. Here 3 documents
    # have 2 lines each of economy.invoice (area economy) and 1 of procurement.order: the
    # revenue side lacks both (2 issues), the cost side lacks procurement only (1 issue).
    accounts = AccountMap(
        "S", "", 1, "F", {"payroll": "3011"}, {"payroll": "7690", "economy": "6550"},
        source="accounts.toml",
    )  # fmt: skip
    lines = (
        ("economy.invoice", "economy", "12.50"),
        ("economy.invoice", "economy", "10.00"),
        ("procurement.order", "procurement", "100.00"),
        ("payroll.manual", "payroll", "110.00"),
    )
    documents = [_document(f"Förv {i}", f"SF-2026-00000{i}", *lines) for i in range(1, 4)]
    with pytest.raises(SieError) as caught:
        _write(documents, accounts)
    messages = [str(i) for i in caught.value.issues]
    assert messages == [
        "accounts.toml: revenue: no revenue account for service 'economy.invoice' (business "
        "area economy), on 6 line(s) of 3 document(s), first SF-2026-000001 (expected one of "
        '"economy.invoice" = NNNN or economy = NNNN or default = NNNN in [revenue])',
        "accounts.toml: revenue: no revenue account for service 'procurement.order' (business "
        "area procurement), on 3 line(s) of 3 document(s), first SF-2026-000001 (expected one "
        'of "procurement.order" = NNNN or procurement = NNNN or default = NNNN in [revenue])',
        "accounts.toml: cost: no cost account for service 'procurement.order' (business area "
        "procurement), on 3 line(s) of 3 document(s), first SF-2026-000001 (expected one of "
        '"procurement.order" = NNNN or procurement = NNNN or default = NNNN in [cost])',
    ]


# -- The same file twice ---------------------------------------------------------------------


def _register(path: Path) -> None:
    line = InvoiceLine(
        "payroll.self_service", "Lön", Unit.PERSON_MONTH, Decimal(3), Decimal("12.345"),
        Decimal("37.04"), (), "2014", "test", (), business_area="payroll",
    )  # fmt: skip
    customer = Customer("Kulturförvaltningen", code="1310")
    run = BillingRun(2014, "SEK", (Invoice("Kulturförvaltningen", Month(2014, 2), "2014", "SEK",
                                           (line,), customer),))  # fmt: skip
    manifest = Manifest((), "test", "2026-11-28T22:01:15+00:00", "test")
    now = datetime(2026, 11, 28, 22, 1, 15, tzinfo=UTC)
    with Register.open(path) as register:
        register.issue(run, Month(2014, 2), manifest=manifest, now=now)


def test_every_document_is_the_same_bytes_twice(tmp_path: Path) -> None:
    pytest.importorskip("fpdf")
    pytest.importorskip("openpyxl")
    register = tmp_path / "r.db"
    _register(register)
    with Register.open(register) as opened:
        number = opened.documents()[0].number
    reg = ["--register", str(register)]
    commands = {
        "html": ["invoices", "html", number, *reg],
        "pdf": ["invoices", "pdf", number, *reg],
        "pdf-en": ["invoices", "pdf", number, *reg, "--locale", "en_GB"],
        "xlsx": ["invoices", "xlsx", "--period", "2014-02", *reg],
        "sie": ["export", "sie", "--year", "2014", "--accounts", str(ACCOUNTS), *reg],
    }
    for name, command in commands.items():
        made = []
        for attempt in (1, 2):
            output = tmp_path / f"{name}-{attempt}"
            assert main([*command, "--output", str(output)]) == 0, name
            made.append(output.read_bytes())
        assert made[0] == made[1], f"{name} differs between two runs"
    assert b"#GEN 20261128" in (tmp_path / "sie-1").read_bytes()
