"""Register schema 2 (issue 9): documents that never change, dates in the issuer's zone,
triggers, schema checks, read-only registers and the upgrade from schema 1."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sfprice
from sfprice.cli import main
from sfprice.documents.invoice import invoice_html, invoice_view
from sfprice.engine.billing import BillingRun, ComponentCharge, Invoice, InvoiceLine
from sfprice.io.volumes import read_volume_files
from sfprice.model import Unit
from sfprice.period import Month
from sfprice.register import DocumentKind, Manifest, Register, RegisterError, RegisterHooks
from sfprice.register.codec import content_json

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
V1 = REPO / "tests" / "data" / "register-v1.db"
MANIFEST = Manifest((), "test", "2014-03-05T09:00:00+00:00", "test")
SBF = "Stadsbyggnadsförvaltningen"
JAN, FEB = Month(2014, 1), Month(2014, 2)
NOW = datetime(2014, 3, 5, 9, 0, tzinfo=UTC)


def _bill(name: str) -> BillingRun:
    catalog = sfprice.load_catalog()
    volumes = read_volume_files([EXAMPLES / name], catalog=catalog, year=2014)
    return sfprice.bill(catalog, volumes, year=2014)


def _manual(document_content: object) -> object:
    rows = document_content.statement.rows  # type: ignore[attr-defined]
    return next(r for r in rows if r.service == "payroll.manual")


def _html(register: Register, number: str, locale: str = "sv_SE") -> str:
    return invoice_html(invoice_view(register, number, locale=locale))


# -- fault 5: an issued document never changes -------------------------------------------


def test_reprint_after_revision_is_identical_and_statements_are_as_issued(
    tmp_path: Path,
) -> None:
    original, revised = _bill("volumes-2014.csv"), _bill("volumes-2014-revised.csv")
    with Register.open(tmp_path / "r.db") as register:
        register.issue(original, JAN, manifest=MANIFEST, now=NOW)
        first = register.issue(original, FEB, manifest=MANIFEST, now=NOW)
        sbf = next(d for d in first.documents if d.department == SBF)
        before = {locale: _html(register, sbf.number, locale) for locale in ("sv_SE", "en_GB")}
        stored_before = content_json(register.document(sbf.number).content)  # type: ignore[arg-type]
        second = register.issue(revised, FEB, manifest=MANIFEST, now=NOW + timedelta(days=1))
        credit, new = second.documents
        assert credit.kind is DocumentKind.CREDIT_NOTE
        assert credit.credits == sbf.number
        # The original reprints byte for byte, its stored record unchanged.
        for locale, page in before.items():
            assert _html(register, sbf.number, locale) == page
        assert content_json(register.document(sbf.number).content) == stored_before  # type: ignore[arg-type]
        assert "Krediterad av" not in _html(register, sbf.number)
        # February's manual payslips, Stadsbyggnadsförvaltningen (examples/volumes-2014*.csv):
        # original invoice: this month 310; the year so far January 300 + 310 = 610;
        # no document for February 2013: "uppgift saknas", not 0.
        old = _manual(register.document(sbf.number).content)
        assert (old.this_month, old.last_year, old.year_to_date) == (310, None, 610)  # type: ignore[attr-defined]
        # new invoice: 310 - 310 (credit note) + 325 = 325; the year so far 300 + 325 = 625.
        fresh = _manual(new.content)
        assert (fresh.this_month, fresh.last_year, fresh.year_to_date) == (325, None, 625)  # type: ignore[attr-defined]
        # The credit note shows the credited invoice's statement (310), labelled with it.
        assert credit.content is not None
        assert credit.content.statement.credited == sbf.number
        assert _manual(credit.content) == old
        credit_page = _html(register, credit.number)
        new_page = _html(register, new.number)
    assert f"Volymer enligt krediterad faktura {sbf.number}" in credit_page
    assert "uppgift saknas" in new_page
    assert '<td class="num">0</td>' not in new_page
    # 325 x 110 = 35 750,00 kr on the new invoice; the statement's row for manual payslips
    assert "35\xa0750,00\xa0kr" in new_page
    assert '<td class="num">325</td><td class="num">uppgift saknas</td>' in new_page


def test_same_month_last_year_counts_zero_only_when_that_month_has_documents(
    tmp_path: Path,
) -> None:
    # 2013-02: the department has an invoice without manual payslips -> last year 0 for
    # manual, 5 for self service; 2014-02: both services.
    def run(month: Month, lines: dict[str, int]) -> BillingRun:
        items = tuple(
            InvoiceLine(
                service,
                service,
                Unit.PERSON_MONTH,
                Decimal(q),
                Decimal(57),
                Decimal(q) * 57,
                (),
                "2014",
                "test",
                (),
            )
            for service, q in lines.items()
        )
        return BillingRun(month.year, "SEK", (Invoice("A", month, "2014", "SEK", items),))

    with Register.open(tmp_path / "r.db") as register:
        register.issue(run(Month(2013, 2), {"payroll.self_service": 5}), Month(2013, 2),
                       manifest=MANIFEST, now=NOW)  # fmt: skip
        result = register.issue(
            run(FEB, {"payroll.self_service": 7, "payroll.manual": 3}), FEB,
            manifest=MANIFEST, now=NOW,
        )  # fmt: skip
    rows = {r.service: r for r in result.documents[0].content.statement.rows}  # type: ignore[union-attr]
    assert rows["payroll.self_service"].last_year == 5
    assert rows["payroll.manual"].last_year == 0
    # January has no document: the year so far is February's alone.
    assert rows["payroll.manual"].year_to_date == 3


def _line(quantity: int) -> InvoiceLine:
    q = Decimal(quantity)
    parts = (ComponentCharge("Grundpris", Decimal(57), q * 57),
             ComponentCharge("Tillägg", Decimal(53), q * 53))  # fmt: skip
    return InvoiceLine("payroll.manual", "Manuell", Unit.PERSON_MONTH, q, Decimal(110), q * 110,
                       parts, "2014", "test", ())  # fmt: skip


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from([Month(2013, 2), JAN, FEB]),
        st.dictionaries(st.sampled_from(["A", "B"]), st.integers(0, 4), max_size=2),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=30, deadline=None)
@given(OPERATIONS)
def test_property_documents_render_the_same_after_any_later_issue(
    operations: list[tuple[Month, dict[str, int]]],
) -> None:
    rendered: dict[str, tuple[str, str, str]] = {}
    with tempfile.TemporaryDirectory() as folder, Register.open(Path(folder) / "r.db") as reg:
        for step, (month, charges) in enumerate(operations):
            invoices = tuple(
                Invoice(dept, month, "2014", "SEK", (_line(q),)) for dept, q in charges.items()
            )
            reg.issue(BillingRun(month.year, "SEK", invoices), month, manifest=MANIFEST,
                      now=NOW + timedelta(hours=step))  # fmt: skip
            for document in reg.documents():
                now = (
                    _html(reg, document.number),
                    _html(reg, document.number, "en_GB"),
                    content_json(document.content),  # type: ignore[arg-type]
                )
                assert rendered.setdefault(document.number, now) == now


# -- fault 6: dates in the issuer's time zone ----------------------------------------------


def _one(register: Register, now: datetime, month: Month = FEB) -> sfprice.register.IssuedDocument:
    run = BillingRun(month.year, "SEK", (Invoice("A", month, "2014", "SEK", (_line(1),)),))
    result = register.issue(run, month, manifest=MANIFEST, now=now)
    return result.documents[0]


@pytest.mark.parametrize(
    ("now", "number", "issued_at", "printed"),
    [
        # 00:30 on 1 January in Stockholm (CET, +01:00) is 23:30 UTC on 31 December.
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "SF-2027-000001",
         "2027-01-01T00:30:00+01:00", "1 januari 2027"),
        (datetime(2026, 12, 31, 22, 59, 59, tzinfo=UTC), "SF-2026-000001",
         "2026-12-31T23:59:59+01:00", "31 december 2026"),
        # DST starts 29 March 2026 at 01:00 UTC: 01:59:59 CET, then 03:00 CEST.
        (datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC), "SF-2026-000001",
         "2026-03-29T01:59:59+01:00", "29 mars 2026"),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "SF-2026-000001",
         "2026-03-29T03:00:00+02:00", "29 mars 2026"),
        # 22:30 UTC on 31 March is 00:30 CEST on 1 April (+02:00 in summer).
        (datetime(2026, 3, 31, 22, 30, tzinfo=UTC), "SF-2026-000001",
         "2026-04-01T00:30:00+02:00", "1 april 2026"),
        # DST ends 25 October 2026 at 01:00 UTC: 02:30 happens twice, offsets tell them apart.
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "SF-2026-000001",
         "2026-10-25T02:30:00+02:00", "25 oktober 2026"),
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "SF-2026-000001",
         "2026-10-25T02:30:00+01:00", "25 oktober 2026"),
        # An aware time in another zone is the same instant: 23:30 in New York on
        # 31 December is 05:30 on 1 January in Stockholm.
        (datetime(2026, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-5))),
         "SF-2027-000001", "2027-01-01T05:30:00+01:00", "1 januari 2027"),
    ],
)  # fmt: skip
def test_issue_date_and_number_year_follow_stockholm(
    tmp_path: Path, now: datetime, number: str, issued_at: str, printed: str
) -> None:
    with Register.open(tmp_path / "r.db") as register:
        document = _one(register, now)
        assert document.number == number
        assert document.issued_at == issued_at
        assert document.content is not None
        assert document.content.issued_at == issued_at
        assert document.content.time_zone == "Europe/Stockholm"
        assert f"<dd>{printed}</dd>" in _html(register, number)


def test_time_zone_is_configurable(tmp_path: Path) -> None:
    with Register.open(tmp_path / "r.db", time_zone="UTC") as register:
        document = _one(register, datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    assert document.number == "SF-2026-000001"
    assert document.issued_at == "2026-12-31T23:30:00+00:00"


def test_bad_time_zone_and_naive_clock_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RegisterError, match=r"'Europe/Stockholmm' is not a time zone"):
        Register.open(tmp_path / "r.db", time_zone="Europe/Stockholmm")
    assert not (tmp_path / "r.db").exists()
    with (
        Register.open(tmp_path / "r.db") as register,
        pytest.raises(RegisterError, match="has no time zone"),
    ):
        _one(register, datetime(2026, 12, 31, 23, 30))


def test_cli_issue_time_zone_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reg = str(tmp_path / "r.db")
    volumes = str(EXAMPLES / "volumes-2014.csv")
    code = main(["issue", volumes, "--period", "2014-02", "--register", reg, "--time-zone",
                 "Asia/Tokyo", "--format", "json"])  # fmt: skip
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["documents"][0]["issued_at"].endswith("+09:00")


# -- fault 10: read commands never create a register -----------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["invoices", "list"],
        ["invoices", "show", "SF-2014-000001"],
        ["invoices", "html", "SF-2014-000001"],
        ["invoices", "pdf", "SF-2014-000001", "--output", "x.pdf"],
        ["invoices", "xlsx", "--period", "2014-02", "--output", "x.xlsx"],
        ["export", "sie", "--year", "2014", "--accounts", str(EXAMPLES / "accounts-sie.toml"),
         "--output", "x.se"],
        ["period", "close", "2014-02"],
        ["period", "reopen", "2014-02", "--reason", "x"],
    ],
)  # fmt: skip
def test_commands_other_than_issue_refuse_a_missing_register(
    args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    code = main([*args, "--register", "typo.db"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err == (
        "error: typo.db: no register: the file does not exist (only issue creates a "
        "register; check the path)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_empty_file_is_not_a_register_for_reading(tmp_path: Path) -> None:
    (tmp_path / "r.db").touch()
    with pytest.raises(RegisterError, match="the file is empty"):
        Register.open(tmp_path / "r.db", create=False)
    assert (tmp_path / "r.db").read_bytes() == b""


# -- fault 12: triggers --------------------------------------------------------------------


@pytest.fixture
def issued(tmp_path: Path) -> Path:
    path = tmp_path / "r.db"
    with Register.open(path) as register:
        register.issue(_bill("volumes-2014.csv"), FEB, manifest=MANIFEST, now=NOW)
        register.close_period(JAN, reason="bokslut")
    return path


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return list(db.iterdump())


TAMPERING = [
    # a line added to an issued invoice (documents, PDF and SIE would disagree)
    "INSERT INTO lines (document_id, position, service, name, unit, quantity, unit_price, "
    "amount, price_list, detail) VALUES (1, 99, 'x', 'x', 'x', '1', '1', '1', '2014', '{}')",
    "INSERT OR REPLACE INTO lines (document_id, position, service, name, unit, quantity, "
    "unit_price, amount, price_list, detail) SELECT document_id, position, service, name, "
    "unit, '0', unit_price, '0', price_list, detail FROM lines WHERE document_id = 1",
    "UPDATE lines SET amount = '0'",
    "DELETE FROM lines",
    "INSERT OR REPLACE INTO documents SELECT * FROM documents WHERE id = 1",
    "UPDATE documents SET total = '0'",
    "DELETE FROM documents WHERE id = 2",
    "UPDATE contents SET body = '{}'",
    "DELETE FROM contents",
    "INSERT OR REPLACE INTO contents SELECT document_id, format, body FROM contents",
    'INSERT INTO contents (document_id, format, body) VALUES (99, 1, \'{"number": "x"}\')',
    "UPDATE sequences SET next = 1",
    "DELETE FROM sequences",
    "INSERT OR REPLACE INTO sequences (issuer, year, next) SELECT issuer, year, 1 FROM sequences",
    "UPDATE periods SET status = 'open'",
    "DELETE FROM periods",
    "INSERT OR REPLACE INTO periods (period, status, changed_at) VALUES ('2014-01', 'open', 'x')",
    "UPDATE period_events SET reason = 'x'",
    "DELETE FROM period_events",
    "UPDATE runs SET note = 'x'",
    "DELETE FROM runs",
    "INSERT OR REPLACE INTO runs SELECT * FROM runs",
    "UPDATE meta SET value = 'x'",
    "DELETE FROM meta",
    # a document with a number outside its sequence, or into a closed period
    "INSERT INTO documents (number, issuer, year, seq, kind, period, department, price_list, "
    "currency, total, credits, run_id, issued_at, volume_sources) VALUES ('SF-2014-000009', "
    "'SF', 2014, 9, 'invoice', '2014-03', 'X', '2014', 'SEK', '0', NULL, 1, 'x', '[]')",
    "UPDATE sequences SET next = next + 1; INSERT INTO documents (number, issuer, year, seq, "
    "kind, period, department, price_list, currency, total, credits, run_id, issued_at, "
    "volume_sources) VALUES ('SF-2014-000003', 'SF', 2014, 3, 'invoice', '2014-01', 'X', "
    "'2014', 'SEK', '0', NULL, 1, 'x', '[]')",
]


@pytest.mark.parametrize("sql", TAMPERING)
def test_triggers_refuse_changes_of_issued_documents(issued: Path, sql: str) -> None:
    before = _dump(issued)
    db = sqlite3.connect(issued, isolation_level=None)
    try:
        db.execute("BEGIN")
        *setup, tampering = sql.split("; ")
        for statement in setup:
            db.execute(statement)
        with pytest.raises(sqlite3.IntegrityError, match="sfprice register"):
            db.execute(tampering)
        db.execute("ROLLBACK")
    finally:
        db.close()
    assert _dump(issued) == before
    with Register.open(issued) as register:
        assert [d.total for d in register.documents()] == [Decimal("206470.00"),
                                                            Decimal("101990.00")]  # fmt: skip


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("DROP TABLE contents", "table 'contents' is missing"),
        ("DROP TRIGGER lines_sealed", "trigger 'lines_sealed' is missing"),
        ("ALTER TABLE lines ADD COLUMN note TEXT", "table 'lines' was changed"),
        ("CREATE TABLE extra (x)", "table 'extra' is not part of a register"),
    ],
)
def test_changed_schema_is_refused_and_left_as_it_is(
    issued: Path, sql: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(issued) as db:
        db.execute(sql)
    before = issued.read_bytes()
    code = main(["invoices", "list", "--register", str(issued)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"error: {issued}: the register's schema (version 3) was changed outside sfprice" in err
    assert problem in err
    assert "Traceback" not in err
    assert issued.read_bytes() == before


def test_stored_content_that_disagrees_is_reported(issued: Path) -> None:
    # Tampering that bypasses the triggers (dropped, then put back) is caught on reading.
    with sqlite3.connect(issued) as db:
        db.execute("DROP TRIGGER lines_no_update")
        db.execute("UPDATE lines SET amount = '1' WHERE document_id = 1 AND position = 1")
        trigger = next(s for s in sfprice.register.schema.STATEMENTS if "lines_no_update" in s)
        db.execute(trigger)
    with Register.open(issued) as register, pytest.raises(RegisterError, match="disagree"):
        register.documents()


# -- read-only registers -------------------------------------------------------------------


def test_read_only_register_reads_and_refuses_writes(issued: Path) -> None:
    with Register.open(issued, read_only=True) as register:
        assert len(register.documents()) == 2
        with pytest.raises(RegisterError, match="it is read-only"):
            register.issue(_bill("volumes-2014-revised.csv"), FEB, manifest=MANIFEST, now=NOW)
        with pytest.raises(RegisterError, match="it is read-only"):
            register.close_period(FEB)


NOBODY = 65534


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="runs the commands as user nobody (setpriv), which needs root",
)
def test_read_only_file_and_folder_as_another_user(issued: Path, tmp_path: Path) -> None:
    # chmod does not stop root; the commands run as user nobody in a real subprocess.
    # pytest's tmp folders are private to root: use one that user nobody can reach.
    top = Path(tempfile.mkdtemp(prefix="sfprice-ro-", dir="/tmp"))
    top.chmod(0o755)
    folder = top / "archive"
    folder.mkdir()
    path = folder / "r.db"
    shutil.copy(issued, path)
    path.chmod(0o444)
    folder.chmod(0o555)
    script = "import sys; from sfprice.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {**os.environ, "HOME": "/tmp"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        drop = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        return subprocess.run(
            [*drop, sys.executable, "-c", script, *args], env=env,
            capture_output=True, text=True, cwd="/", check=False,
        )  # fmt: skip

    try:
        probe = run("--version")
        if probe.returncode != 0:
            # The interpreter, the venv or the checkout is private to root (mode 0700).
            pytest.skip(f"user nobody cannot run sfprice here: {probe.stderr.strip()[-200:]}")
        before = path.read_bytes()
        listed = run("invoices", "list", "--register", str(path))
        assert listed.returncode == 0, listed.stderr
        assert "SF-2014-000002" in listed.stdout
        refused = run("issue", str(EXAMPLES / "volumes-2014-revised.csv"), "--period",
                      "2014-02", "--register", str(path))  # fmt: skip
        assert refused.returncode == 2
        assert "it is read-only" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert path.read_bytes() == before
        assert sorted(p.name for p in folder.iterdir()) == ["r.db"]
        created = run("issue", str(EXAMPLES / "volumes-2014.csv"), "--period", "2014-02",
                      "--register", str(folder / "new.db"))  # fmt: skip
        assert created.returncode == 2
        assert "is read-only" in created.stderr
        private = run("invoices", "list", "--register", str(issued))
        assert private.returncode == 2
        assert f"error: {issued}: cannot read the register (Permission denied)" in private.stderr
    finally:
        folder.chmod(0o755)
        shutil.rmtree(top)


# -- the upgrade from schema 1 ---------------------------------------------------------------


def _v1(tmp_path: Path) -> Path:
    path = tmp_path / "v1.db"
    shutil.copy(V1, path)
    return path


def _rows(path: Path, table: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()


def test_upgrade_from_schema_1(tmp_path: Path) -> None:
    """tests/data/register-v1.db was made by the schema-1 code (commit 82c1753):
    January 2014 issued on 5 Feb 2014 12:00 UTC, February on 31 Dec 2014 23:30 UTC
    (SF-2014-000004/5), revised on 2 Jan 2015 09:00 UTC (credit SF-2015-000001 and
    SF-2015-000002 with 325 manual payslips)."""
    path = _v1(tmp_path)
    old = {t: _rows(path, t) for t in ("documents", "lines", "runs", "sequences")}
    with Register.open(path) as register:
        documents = {d.number: d for d in register.documents()}
        pages = {n: _html(register, n) for n in documents}
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 3
    assert {t: _rows(path, t) for t in old} == old  # nothing of schema 1 changed
    original = documents["SF-2014-000005"].content
    assert original is not None
    # 23:30 UTC on 31 December 2014 is 00:30 on 1 January 2015 in Stockholm: the date is
    # converted; the number keeps the year schema 1 gave it.
    assert original.issued_at == "2015-01-01T00:30:00+01:00"
    assert "<dd>1 januari 2015</dd>" in pages["SF-2014-000005"]
    # As of its issue: this month 310, the year so far 300 (January) + 310 = 610.
    manual = _manual(original)
    assert (manual.this_month, manual.last_year, manual.year_to_date) == (310, None, 610)  # type: ignore[attr-defined]
    assert original.statement.computed == "migration"
    assert "beräknades i efterhand" in pages["SF-2014-000005"]
    # The new invoice: 310 - 310 + 325 = 325, the year so far 300 + 325 = 625.
    latest = _manual(documents["SF-2015-000002"].content)
    assert (latest.this_month, latest.year_to_date) == (325, 625)  # type: ignore[attr-defined]
    credit = documents["SF-2015-000001"].content
    assert credit is not None
    assert credit.statement.credited == "SF-2014-000005"
    assert _manual(credit) == manual
    # The credit note's components are the invoice's negated: 310 x 57 and 310 x 53.
    line = next(x for x in credit.lines if x.service == "payroll.manual")
    assert [c.amount for c in line.components] == [Decimal("-17670.00"), Decimal("-16430.00")]
    # Reopening changes nothing; issuing continues the sequences without reuse.
    with Register.open(path) as register:
        assert {n: _html(register, n) for n in documents} == pages
        more = register.issue(_bill("volumes-2014.csv"), FEB, manifest=MANIFEST,
                              now=datetime(2015, 1, 3, tzinfo=UTC))  # fmt: skip
    assert [d.number for d in more.documents] == ["SF-2015-000003", "SF-2015-000004"]


def test_upgrade_is_all_or_nothing(tmp_path: Path) -> None:
    path = _v1(tmp_path)
    before = _dump(path)
    calls = []

    def failing(number: str) -> None:
        calls.append(number)
        if len(calls) == 3:
            raise sqlite3.OperationalError("disk I/O error")

    with pytest.raises(RegisterError, match="disk I/O error"):
        Register.open(path, hooks=RegisterHooks(before_seal=failing))
    assert _dump(path) == before


def test_read_only_schema_1_register_is_refused(tmp_path: Path) -> None:
    path = _v1(tmp_path)
    before = path.read_bytes()
    with pytest.raises(RegisterError, match="schema version 1 and must be upgraded"):
        Register.open(path, read_only=True)
    assert path.read_bytes() == before


# -- allocation and price-kind detail is stored field by field -----------------------------


def test_allocation_and_basis_detail_stored_and_carried_by_credit_notes(tmp_path: Path) -> None:
    from sfprice.engine.allocation import allocate_pool, with_allocations, year_months
    from sfprice.io.allocations import load_allocations

    catalog = sfprice.load_catalog()
    volumes = read_volume_files([EXAMPLES / "volumes-2010.csv"], catalog=catalog, year=2010)
    run = sfprice.bill(catalog, volumes, year=2010)
    pools = load_allocations(EXAMPLES / "allocations-2010.toml", reserved_codes=catalog.codes)
    allocated = with_allocations(
        run, [allocate_pool(p, d) for p, d in pools], months=year_months(2010), catalog=catalog
    )
    month = allocated.invoices[0].month
    tiered = sfprice.load_catalog(EXAMPLES / "pricelists-2026-models" / "2026-tiered.toml")
    volumes_2026 = read_volume_files([EXAMPLES / "volumes-2026.csv"], catalog=tiered, year=2026)
    run_2026 = sfprice.bill(tiered, volumes_2026, year=2026)
    with Register.open(tmp_path / "r.db") as register:
        first = register.issue(allocated, month, manifest=MANIFEST, now=NOW)
        shared = [
            (d, line)
            for d in first.documents
            for line in d.content.lines  # type: ignore[union-attr]
            if line.allocation is not None
        ]
        assert shared, "the example allocates pools"
        document, line = shared[0]
        source = next(
            x for i in allocated.invoices if i.department == document.department
            and i.month == month for x in i.lines if x.service == line.service
        )  # fmt: skip
        assert source.allocation is not None
        assert line.allocation is not None
        assert line.allocation.share == (
            f"{source.allocation.share.numerator}/{source.allocation.share.denominator}"
        )
        assert line.allocation.annual_amount == source.allocation.annual_amount
        # Without the pools, the department's invoice changes: the credit note carries the
        # credited lines' allocation detail as issued.
        second = register.issue(run, month, manifest=MANIFEST, now=NOW)
        credit = next(d for d in second.documents if d.credits == document.number)
        credited = next(x for x in credit.content.lines if x.service == line.service)  # type: ignore[union-attr]
        assert credited.allocation == line.allocation
        assert credited.amount == -line.amount
        feb = Month(2026, 2)
        tiers = register.issue(run_2026, feb, manifest=MANIFEST, now=NOW)
    stored = {
        (d.department, x.service): x.basis
        for d in tiers.documents
        for x in d.content.lines  # type: ignore[union-attr]
        if x.basis is not None
    }
    expected = {
        (i.department, x.service): x.basis
        for i in run_2026.invoices
        if i.month == feb
        for x in i.lines
        if x.basis is not None
    }
    assert stored
    assert stored.keys() == expected.keys()
    for key, basis in stored.items():
        engine = expected[key]
        assert engine is not None
        assert basis is not None
        assert (basis.kind, basis.tier_mode, basis.rate, basis.minimum, basis.base_amount) == (
            str(engine.kind),
            None if engine.tier_mode is None else str(engine.tier_mode),
            engine.rate,
            engine.minimum,
            engine.base_amount,
        )


def test_pdf_reprint_shows_the_same_text(tmp_path: Path) -> None:
    # The PDF's metadata (creation date, file id) is the PDF renderer's business; what it
    # shows must not change: the text of every page is the same before and after a revision.
    pytest.importorskip("fpdf")
    pypdf = pytest.importorskip("pypdf")
    import io

    from sfprice.documents.pdf import invoice_pdf

    def text(register: Register, number: str) -> list[str]:
        reader = pypdf.PdfReader(io.BytesIO(invoice_pdf(invoice_view(register, number))))
        return [page.extract_text() for page in reader.pages]

    with Register.open(tmp_path / "r.db") as register:
        first = register.issue(_bill("volumes-2014.csv"), FEB, manifest=MANIFEST, now=NOW)
        number = next(d.number for d in first.documents if d.department == SBF)
        before = text(register, number)
        register.issue(_bill("volumes-2014-revised.csv"), FEB, manifest=MANIFEST, now=NOW)
        after = text(register, number)
    assert after == before
    assert "uppgift saknas" in before[-1]


def _last_sunday(year: int, month: int) -> datetime:
    day = datetime(year, month, 31, 1, 0, tzinfo=UTC)
    return day - timedelta(days=(day.weekday() + 1) % 7)


@given(st.datetimes(min_value=datetime(1997, 1, 1), max_value=datetime(2099, 12, 31),
                    timezones=st.just(UTC)))  # fmt: skip
def test_property_issue_date_is_the_stockholm_date_by_the_eu_rule(moment: datetime) -> None:
    # Since 1996 Sweden keeps CET (+01:00) with summer time (+02:00) from the last Sunday of
    # March to the last Sunday of October, both at 01:00 UTC: an oracle independent of tzdata.
    from sfprice.period import local_moment, time_zone

    summer = _last_sunday(moment.year, 3) <= moment < _last_sunday(moment.year, 10)
    offset = timedelta(hours=2 if summer else 1)
    local = local_moment(moment, time_zone("Europe/Stockholm"))
    assert local.utcoffset() == offset
    assert local.replace(tzinfo=None) == (moment + offset).replace(tzinfo=None, microsecond=0)


def test_cli_issuer_name_is_stored_and_reprinted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reg, page = str(tmp_path / "r.db"), tmp_path / "f.html"
    volumes = str(EXAMPLES / "volumes-2014.csv")
    assert main(["issue", volumes, "--period", "2014-02", "--register", reg, "--issuer-name",
                 "Serviceförvaltningen", "--format", "json"]) == 0  # fmt: skip
    number = json.loads(capsys.readouterr().out)["documents"][0]["number"]
    assert main(["invoices", "html", number, "--register", reg, "--output", str(page)]) == 0
    assert "<dd>Serviceförvaltningen</dd>" in page.read_text(encoding="utf-8")
    assert main(["invoices", "html", number, "--register", reg, "--issuer-name",
                 "Serviceförvaltningen", "--output", str(page)]) == 0  # fmt: skip
    assert main(["invoices", "html", number, "--register", reg, "--issuer-name", "X"]) == 2
    assert "was issued by 'Serviceförvaltningen', not 'X'" in capsys.readouterr().err


def test_sie_file_date_is_the_latest_issue_day_in_stockholm(tmp_path: Path) -> None:
    # #GEN is the day of the latest issue exported, in the issuer's zone (not today, so the
    # same register gives the same file): 23:30 UTC on 31 December 2026 is 00:30 on
    # 1 January 2027 in Stockholm.
    path, out = tmp_path / "r.db", tmp_path / "x.se"
    with Register.open(path) as register:
        register.issue(_bill("volumes-2014.csv"), FEB, manifest=MANIFEST,
                       now=datetime(2026, 12, 31, 23, 30, tzinfo=UTC))  # fmt: skip
    code = main(["export", "sie", "--year", "2014", "--register", str(path), "--accounts",
                 str(EXAMPLES / "accounts-sie.toml"), "--output", str(out)])  # fmt: skip
    assert code == 0
    assert "#GEN 20270101" in out.read_bytes().decode("cp437")


def test_upgrade_stores_what_schema_2_would_have_stored(tmp_path: Path) -> None:
    # The same three issues as tests/data/make_register_v1.py, under schema 2: every
    # document's content equals the upgraded one's, except the statement's origin marker
    # and the number year of the February invoices (schema 1 numbered by the UTC year).
    v2 = tmp_path / "v2.db"
    with Register.open(v2) as register:
        register.issue(_bill("volumes-2014.csv"), JAN, manifest=MANIFEST,
                       now=datetime(2014, 2, 5, 12, 0, tzinfo=UTC))  # fmt: skip
        register.issue(_bill("volumes-2014.csv"), FEB, manifest=MANIFEST,
                       now=datetime(2014, 12, 31, 23, 30, tzinfo=UTC))  # fmt: skip
        register.issue(_bill("volumes-2014-revised.csv"), FEB, manifest=MANIFEST,
                       now=datetime(2015, 1, 2, 9, 0, tzinfo=UTC))  # fmt: skip
        issued = [d.content for d in register.documents()]
    with Register.open(_v1(tmp_path)) as register:
        upgraded = [d.content for d in register.documents()]
    assert len(issued) == len(upgraded) == 7
    for new, old in zip(issued, upgraded, strict=True):
        assert new is not None
        assert old is not None
        assert old.statement.computed == "migration"
        assert new.statement.computed == "issue"
        assert (new.lines, new.statement.rows) == (old.lines, old.statement.rows)
        assert (new.statement.credited is None) == (old.statement.credited is None)
        assert (new.issued_at, new.issue_date, new.department, new.kind) == (
            old.issued_at, old.issue_date, old.department, old.kind,
        )  # fmt: skip


def test_one_register_dates_its_documents_in_one_zone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Fresh-clone trial: issues with different --time-zone values were taken silently, so
    # one register held documents dated in two zones.
    path = str(tmp_path / "r.db")
    volumes = str(EXAMPLES / "volumes-2014.csv")
    first = ["issue", volumes, "--period", "2014-01", "--register", path]
    assert main([*first, "--time-zone", "Pacific/Honolulu"]) == 0
    capsys.readouterr()
    before = Path(path).read_bytes()
    assert main(["issue", volumes, "--period", "2014-02", "--register", path]) == 2
    err = capsys.readouterr().err
    assert "dated in the time zone Pacific/Honolulu, not Europe/Stockholm" in err
    assert Path(path).read_bytes() == before
    second = ["issue", volumes, "--period", "2014-02", "--register", path]
    assert main([*second, "--time-zone", "Pacific/Honolulu"]) == 0
