"""Reconciliations as documents of their own (register schema 3), issue with subscriptions.

The example is examples/subscriptions-2014.toml over examples/volumes-2014-subscriptions.csv
(HYPOTHETICAL volumes), priced by the bundled 2014 list: payroll.self_service 57 kr,
payroll.manual 110 kr. The hand calculation of the year is in tests/test_subscriptions.py
(test_a_subscription_year_by_hand); the figures are repeated where they are asserted.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sie4b_reader as sie4b
from hypothesis import given, settings
from hypothesis import strategies as st

from sfprice.app import BillingRequest
from sfprice.app.subscriptions import (
    SubscriptionOutcome,
    SubscriptionRequest,
    subscriptions_for_issue,
)
from sfprice.cli import main
from sfprice.documents.invoice import invoice_html, invoice_view
from sfprice.documents.sie import load_accounts, sie_of_year
from sfprice.period import Month
from sfprice.register import DocumentKind, Manifest, Register, RegisterError
from sfprice.reports.subscriptions_issued import issued_subscriptions

REPO = Path(__file__).resolve().parents[1]
VOLUMES = REPO / "examples" / "volumes-2014-subscriptions.csv"
AGREEMENTS = REPO / "examples" / "subscriptions-2014.toml"
ACCOUNTS = REPO / "examples" / "accounts-sie.toml"
DATA = REPO / "tests" / "data"
D = Decimal
KULTUR, UTB, MILJO = "Kulturförvaltningen", "Utbildningsförvaltningen", "Miljöförvaltningen"
STADS = "Stadsbyggnadsförvaltningen"
NOW = datetime(2015, 1, 20, 9, 0, tzinfo=UTC)  # every document numbered in 2015


def _issue(register: Register, month: int, volumes: Path = VOLUMES) -> None:
    period = Month(2014, month)
    outcome = subscriptions_for_issue(
        SubscriptionRequest(BillingRequest((volumes,), 2014), AGREEMENTS), period
    )
    manifest = Manifest.for_files(volumes=(volumes,), pricelists=outcome.billing.pricelist_files)
    register.issue(
        outcome.run, period, manifest=manifest, reconciliations=outcome.documents, now=NOW
    )


def _year(path: Path) -> Register:
    register = Register.open(path, clock=lambda: NOW)
    for month in range(1, 13):
        _issue(register, month)
    return register


@pytest.fixture(scope="module")
def year_register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("year") / "r.db"
    _year(path).close()
    return path


def test_the_year_issues_the_hand_computed_reconciliation_documents(year_register: Path) -> None:
    with Register.open(year_register, read_only=True) as register:
        documents = register.documents()
    recs = [d for d in documents if d.kind is DocumentKind.RECONCILIATION]
    # Each month: four invoices (Kultur, Miljö, Stadsbyggnad, Utbildning in Swedish order),
    # then the month's reconciliation documents. April: invoices 13-16, then Utbildning's
    # correction invoice 17 (Jan-Apr 4 x 540 000 - 4 x 450 000 = +360 000 > 100 000);
    # Kultur's 44 800 is under the threshold: no document. October: invoices 38-41, then
    # Kultur's correction invoice 42 (100 200 + 44 800 carried = 145 000); Utbildning's
    # deviation is 0. December: invoices 47-50, then Utbildning's credit note 51
    # (2 x 338 000 - 2 x 450 000 = -224 000, final threshold 0); Kultur's deviation is 0.
    assert [(d.number, d.period.month, d.department, d.total, d.title_key) for d in recs] == [
        ("SF-2015-000017", 4, UTB, D("360000.00"), "reconciliation_invoice"),
        ("SF-2015-000042", 10, KULTUR, D("145000.00"), "reconciliation_invoice"),
        ("SF-2015-000051", 12, UTB, D("-224000.00"), "reconciliation_credit"),
    ]
    assert len(documents) == 12 * 4 + 3
    # The monthly invoices carry only the twelfths: Utbildning 450 000 every month.
    utb = [d.total for d in documents if d.department == UTB and d.kind is DocumentKind.INVOICE]
    assert utb == [D("450000.00")] * 12
    # The customer's year equals its actual charge: Kultur 12 x 72 900 + 145 000 =
    # 1 019 800 (= 336 400 + 537 600 + 145 800); Utbildning 12 x 450 000 + 360 000 -
    # 224 000 = 5 536 000 (= 2 160 000 + 2 700 000 + 676 000); Miljö its fixed 300 000.
    totals = {c: sum((d.total for d in documents if d.department == c), D(0)) for c in
              (KULTUR, UTB, MILJO)}  # fmt: skip
    assert totals == {KULTUR: D("1019800.00"), UTB: D("5536000.00"), MILJO: D("300000.00")}
    # What the April document stores for payroll: actual to date 2 160 000, invoiced to
    # date 1 800 000 (components), the deviation 360 000, the text with the terms.
    april = recs[0].content
    assert april is not None
    line = april.lines[0]
    assert [(c.label.split(" (")[0], c.amount) for c in line.components] == [
        ("Utfall t.o.m. avstämningen", D("2160000.00")),
        ("Fakturerat t.o.m. avstämningen", D("-1800000.00")),
    ]
    assert "tröskel 100000 kr" in line.name
    # December: actual to date 5 536 000, invoiced 5 400 000 + 360 000 = 5 760 000.
    december = recs[2].content
    assert december is not None
    assert [c.amount for c in december.lines[0].components] == [
        D("5536000.00"),
        D("-5760000.00"),
    ]


def test_reissuing_the_year_writes_nothing(year_register: Path, tmp_path: Path) -> None:
    path = tmp_path / "again.db"
    shutil.copy(year_register, path)
    with Register.open(path, clock=lambda: NOW) as register:
        before = len(register.documents())
        for month in (4, 10, 12):
            _issue(register, month)
        assert len(register.documents()) == before


def test_documents_render_as_correction_invoice_and_credit_note(year_register: Path) -> None:
    with Register.open(year_register, read_only=True) as register:
        april = invoice_html(invoice_view(register, "SF-2015-000017"))
        december = invoice_html(invoice_view(register, "SF-2015-000051"))
        listing = main(["invoices", "list", "--register", str(year_register)])
    assert "<h1>Korrigeringsfaktura – avstämning abonnemang SF-2015-000017</h1>" in april
    assert "<h1>Kreditfaktura – avstämning abonnemang SF-2015-000051</h1>" in december
    assert listing == 0


def test_sie_export_books_a_reconciliation_document_as_a_voucher(year_register: Path) -> None:
    with Register.open(year_register, read_only=True) as register:
        documents = register.documents()
    # Issued without a customer register: the objects are mapped (HYPOTHETICAL codes).
    codes = {KULTUR: "K1", MILJO: "M1", STADS: "S1", UTB: "U1"}
    data = sie_of_year(documents, replace(load_accounts(ACCOUNTS), objects=codes), 2014)
    reading = sie4b.read(data)  # balanced vouchers, read by the independent reader
    texts = [v.text for v in reading.vouchers]
    assert len(texts) == 51
    assert any(t.startswith("Korrigeringsfaktura avstämning SF-2015-000017") for t in texts)
    credit = next(v for v in reading.vouchers if "SF-2015-000051" in v.text)
    assert credit.text.startswith("Kreditfaktura avstämning")
    # -224 000 booked: revenue 3011 debited 224 000, cost 7690 credited 224 000.
    amounts = sorted((r.account, r.amount) for r in credit.rows)
    assert amounts == [("3011", D("224000.00")), ("7690", D("-224000.00"))]


def test_the_register_report_shows_what_was_issued(
    year_register: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Register.open(year_register, read_only=True) as register:
        customers = {c.customer: c for c in issued_subscriptions(register.documents())}
    assert set(customers) == {KULTUR, MILJO, UTB}
    # Kultur: 12 x 72 900 = 874 800 in parts; one document, 145 000.
    assert customers[KULTUR].parts_total == D("874800.00")
    assert [r.number for r in customers[KULTUR].reconciliations] == ["SF-2015-000042"]
    # October's figures as stored: actual to date 336 400 + 537 600 = 874 000; invoiced to
    # date 10 x 72 900 = 729 000; deviation 145 000.
    line = customers[KULTUR].reconciliations[0].lines[0]
    assert (line.actual_to_date, line.invoiced_to_date, line.deviation) == (
        D("874000.00"),
        D("729000.00"),
        D("145000.00"),
    )
    assert customers[UTB].reconciled_total == D("136000.00")  # 360 000 - 224 000
    assert customers[MILJO].reconciliations == ()
    args = ["subscriptions", "report", "--year", "2014", "--register", str(year_register)]
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    utb = next(c for c in data["customers"] if c["customer"] == UTB)
    assert [(r["number"], r["kind"], r["total"]) for r in utb["reconciliations"]] == [
        ("SF-2015-000017", "reconciliation_invoice", "360000.00"),
        ("SF-2015-000051", "reconciliation_credit", "-224000.00"),
    ]
    assert main(args) == 0
    table = capsys.readouterr().out
    assert "SF-2015-000042  korrigeringsfaktura" in table


def test_a_changed_volume_credits_and_reissues_the_reconciliation_document(
    tmp_path: Path,
) -> None:
    path = tmp_path / "r.db"
    revised = tmp_path / "revised.csv"
    # Utbildning reports 100 more manual payslips in February: +100 x 110 = 11 000, so the
    # April deviation becomes 360 000 + 11 000 = 371 000; the twelfths do not change.
    revised.write_text(
        VOLUMES.read_text(encoding="utf-8").replace(
            f"2014-02,{UTB},payroll.manual,1800", f"2014-02,{UTB},payroll.manual,1900"
        ),
        encoding="utf-8",
    )
    with Register.open(path, clock=lambda: NOW) as register:
        _issue(register, 4)
        _issue(register, 4, revised)
        rows = [(d.number, d.kind, d.total, d.credits) for d in register.documents(
            department=UTB)]  # fmt: skip
        report = issued_subscriptions(register.documents())
    # April: Kultur 1, Miljö 2, Stadsbyggnad 3, Utbildning 4, its reconciliation 5; then
    # the revision: credit note 6 of 5, new reconciliation 7.
    assert rows == [
        ("SF-2015-000004", DocumentKind.INVOICE, D("450000.00"), None),
        ("SF-2015-000005", DocumentKind.RECONCILIATION, D("360000.00"), None),
        ("SF-2015-000006", DocumentKind.CREDIT_NOTE, D("-360000.00"), "SF-2015-000005"),
        ("SF-2015-000007", DocumentKind.RECONCILIATION, D("371000.00"), None),
    ]
    utb = next(c for c in report if c.customer == UTB)
    assert [(r.number, r.credited_by, r.credits) for r in utb.reconciliations] == [
        ("SF-2015-000005", "SF-2015-000006", None),
        ("SF-2015-000006", None, "SF-2015-000005"),
        ("SF-2015-000007", None, None),
    ]
    assert utb.reconciled_total == D("371000.00")


def test_issue_with_subscriptions_is_subscriptions_issue(tmp_path: Path) -> None:
    common = [str(VOLUMES), "--period", "2014-04", "--format", "json"]
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    subs = ["--subscriptions", str(AGREEMENTS)]
    assert main(["subscriptions", "issue", *common, *subs, "--register", str(one)]) == 0
    assert main(["issue", *common, *subs, "--register", str(two)]) == 0

    def shown(path: Path) -> list[tuple[str, str, str, str]]:
        with sqlite3.connect(path) as db:
            rows = db.execute("SELECT number, kind, department, total FROM documents ORDER BY id")
            return [tuple(r) for r in rows]

    assert shown(one) == shown(two)
    assert ("SF-" in shown(one)[4][0], shown(one)[4][1:]) == (
        True,
        ("reconciliation", UTB, "360000.00"),
    )


def test_issue_without_subscriptions_over_a_subscribed_period_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.db"
    assert main(["subscriptions", "issue", str(VOLUMES), "--subscriptions", str(AGREEMENTS),
                 "--period", "2014-03", "--register", str(path)]) == 0  # fmt: skip
    capsys.readouterr()
    before = path.read_bytes()
    code = main(["issue", str(VOLUMES), "--period", "2014-03", "--register", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "2014-03 was issued with subscriptions" in err
    assert "issue it with --subscriptions FILE, as subscriptions issue does" in err
    assert "Traceback" not in err
    assert path.read_bytes() == before
    # Through the API the message names no option.
    with Register.open(path) as register, pytest.raises(RegisterError) as caught:
        register.issue(
            subscriptions_for_issue(
                SubscriptionRequest(BillingRequest((VOLUMES,), 2014), AGREEMENTS), Month(2014, 3)
            ).billing.run,
            Month(2014, 3),
            manifest=Manifest.for_files(volumes=(VOLUMES,)),
        )
    assert "--" not in str(caught.value)
    # Another month with no subscription documents issues per unit as before.
    assert main(["issue", str(VOLUMES), "--period", "2014-05", "--register", str(path)]) == 0


def _v2(tmp_path: Path) -> Path:
    path = tmp_path / "v2.db"
    shutil.copy(DATA / "register-v2.db", path)
    return path


def _version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def _rows(path: Path, table: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return [tuple(r) for r in db.execute(f"SELECT * FROM {table} ORDER BY rowid")]


def test_a_schema_2_register_is_read_as_it_is_and_upgraded_by_its_first_write(
    tmp_path: Path,
) -> None:
    path = _v2(tmp_path)
    before = path.read_bytes()
    with Register.open(path) as register:
        numbers = [d.number for d in register.documents()]
    with Register.open(path, read_only=True) as register:
        assert [d.number for d in register.documents()] == numbers
    assert _version(path) == 2
    assert path.read_bytes() == before  # reading writes nothing
    old = {t: _rows(path, t) for t in ("documents", "lines", "contents", "runs", "sequences")}
    with Register.open(path, clock=lambda: NOW) as register:
        register.close_period(Month(2014, 1), reason="test")
    assert _version(path) == 3
    assert {t: _rows(path, t) for t in old} == old  # nothing of schema 2 changed
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'upgraded_from_2'").fetchone() == (
            "2015-01-20T09:00:00+00:00",
        )
    # The upgraded register validates as schema 3 and takes a reconciliation document.
    with Register.open(path, clock=lambda: NOW) as register:
        assert [d.number for d in register.documents()] == numbers
        _issue(register, 4)
        kinds = [d.kind for d in register.documents(period=Month(2014, 4))]
    assert DocumentKind.RECONCILIATION in kinds


def test_a_failed_first_write_leaves_a_schema_2_register_as_it_was(tmp_path: Path) -> None:
    path = _v2(tmp_path)
    old = {t: _rows(path, t) for t in ("documents", "meta", "periods", "period_events")}
    with Register.open(path) as register, pytest.raises(RegisterError, match="already open"):
        register.reopen_period(Month(2014, 1), reason="test")  # refused inside the write
    assert _version(path) == 2  # the upgrade was rolled back with the write
    assert {t: _rows(path, t) for t in old} == old


def test_the_triggers_cover_reconciliation_documents(year_register: Path, tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    shutil.copy(year_register, path)
    with sqlite3.connect(path) as db:
        for sql in (
            "UPDATE documents SET total = '0' WHERE number = 'SF-2015-000017'",
            "DELETE FROM documents WHERE number = 'SF-2015-000017'",
            "UPDATE lines SET amount = '0' WHERE document_id = "
            "(SELECT id FROM documents WHERE number = 'SF-2015-000017')",
            "INSERT INTO documents (number, issuer, year, seq, kind, period, department, "
            "price_list, currency, total, credits, run_id, issued_at, volume_sources) "
            "SELECT 'X', issuer, year, 52, 'reconciliation', period, department, price_list, "
            "currency, total, 'SF-2015-000017', run_id, issued_at, volume_sources "
            "FROM documents WHERE number = 'SF-2015-000017'",
        ):
            with pytest.raises(sqlite3.DatabaseError, match="sfprice register"):
                db.execute(sql)


def test_a_reconciliation_document_prints_as_pdf(year_register: Path) -> None:
    pytest.importorskip("fpdf")
    pypdf = pytest.importorskip("pypdf")
    import io

    from sfprice.documents.pdf import invoice_pdf

    with Register.open(year_register, read_only=True) as register:
        data = invoice_pdf(invoice_view(register, "SF-2015-000051"))
    text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert text.startswith("Kreditfaktura – avstämning abonnemang")
    assert "-224 000,00 kr" in text.replace("\u2212", "-").replace("\xa0", " ")


_BILLED: dict[str, SubscriptionOutcome] = {}


@settings(max_examples=25, deadline=None)
@given(threshold=st.integers(0, 500_000), months=st.sampled_from([(4, 10, 12), (6, 12), (12,)]))
def test_documents_are_the_invoiced_reconciliations(
    threshold: int, months: tuple[int, ...]
) -> None:
    """Per customer and month, one document whose lines are the invoiced deviations; the
    twelfths plus the documents equal the actual charge of the year (final threshold 0)."""
    from sfprice.app.subscriptions import run_subscriptions
    from sfprice.engine.subscriptions import (
        area_charges,
        reconcile,
        reconciliation_invoices,
        subscribed_run,
    )
    from sfprice.subscription import SubscriptionTerms

    if "outcome" not in _BILLED:
        _BILLED["outcome"] = run_subscriptions(
            SubscriptionRequest(BillingRequest((VOLUMES,), 2014), AGREEMENTS)
        )
    outcome = _BILLED["outcome"]
    actual = outcome.billing.run
    subs = replace(outcome.subscriptions, terms=SubscriptionTerms(months, D(threshold), D(0)))
    documents = reconciliation_invoices(subs, actual)
    invoiced = [r for r in reconcile(subs, area_charges(actual)) if r.invoiced]
    assert sorted((d.department, d.month) for d in documents) == sorted(
        {(r.customer, r.month) for r in invoiced}
    )
    assert sum((d.total for d in documents), D(0)) == sum((r.deviation for r in invoiced), D(0))
    twelfths = subscribed_run(subs, actual)
    for customer in (KULTUR, UTB):
        total = sum(
            (i.total for i in (*twelfths.invoices, *documents) if i.department == customer), D(0)
        )
        assert total == sum(area_charges(actual).get((customer, "payroll", m), D(0))
                            for m in subs.months)  # fmt: skip
