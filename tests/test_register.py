"""The invoice register (issue #5): numbering, immutability, corrections, durability."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sfprice
from sfprice.cli import main
from sfprice.engine.billing import BillingRun, Invoice, InvoiceLine
from sfprice.model import Unit
from sfprice.period import Month
from sfprice.register import (
    DocumentKind,
    Manifest,
    Register,
    RegisterError,
    issue_period,
)

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
FEB = Month(2014, 2)
NOW = datetime(2014, 3, 5, 9, 0, tzinfo=UTC)
MANIFEST = Manifest((), "test", "2014-03-05T09:00:00+00:00", "test")


def make_run(charges: dict[str, int], month: Month = FEB) -> BillingRun:
    """One invoice per department: a single line of quantity x 57 kr."""
    invoices = []
    for department, quantity in sorted(charges.items()):
        q = Decimal(quantity)
        line = InvoiceLine(
            "payroll.self_service", "Lön", Unit.PERSON_MONTH, q, Decimal(57), q * 57,
            (), "2014", "test", (),
        )  # fmt: skip
        invoices.append(Invoice(department, month, "2014", "SEK", (line,)))
    return BillingRun(month.year, "SEK", tuple(invoices))


def dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return list(db.iterdump())


@pytest.fixture
def register(tmp_path: Path) -> Iterator[Register]:
    with Register.open(tmp_path / "register.db") as opened:
        yield opened


# -- unit tests ------------------------------------------------------------------------


def test_new_register_has_schema_and_markers(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    Register.open(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA application_id").fetchone()[0] == sfprice.register.APPLICATION_ID
    assert db.execute("PRAGMA user_version").fetchone()[0] == 3
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"meta", "periods", "runs", "documents", "lines", "period_events", "sequences"} <= tables
    db.close()


def test_issue_numbers_and_stores_lines(register: Register) -> None:
    result = issue_period(register, make_run({"A": 10, "B": 20}), FEB, manifest=MANIFEST, now=NOW)
    assert result.changed
    assert [d.number for d in result.documents] == ["SF-2014-000001", "SF-2014-000002"]
    doc = register.document("SF-2014-000002")
    assert doc.department == "B"
    assert doc.kind is DocumentKind.INVOICE
    assert doc.total == Decimal(1140)
    assert doc.lines[0].detail["price_source"] == "test"
    # money is stored as exact text, never REAL
    types = register.connection.execute("SELECT DISTINCT typeof(amount) FROM lines").fetchall()
    assert [t[0] for t in types] == ["text"]


def test_reissue_same_charges_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with Register.open(path) as reg:
        reg.issue(make_run({"A": 10}), FEB, manifest=MANIFEST, now=NOW)
    before = dump(path)
    with Register.open(path) as reg:
        again = reg.issue(make_run({"A": 10}), FEB, manifest=MANIFEST, now=NOW)
    assert not again.changed
    assert again.run_id is None
    assert again.unchanged == ("A",)
    assert dump(path) == before


def test_revision_credits_and_reissues_only_changed(register: Register) -> None:
    register.issue(make_run({"A": 10, "B": 20}), FEB, manifest=MANIFEST, now=NOW)
    result = register.issue(make_run({"A": 10, "B": 25}), FEB, manifest=MANIFEST, now=NOW)
    assert result.unchanged == ("A",)
    credit, invoice = result.documents
    assert credit.kind is DocumentKind.CREDIT_NOTE
    assert credit.credits == "SF-2014-000002"
    assert credit.total == Decimal(-1140)
    assert credit.lines[0].quantity == Decimal(-20)
    assert invoice.total == Decimal(25 * 57)
    assert register.document("SF-2014-000002").credited_by == credit.number


def test_department_gone_gets_credit_only_new_gets_invoice(register: Register) -> None:
    register.issue(make_run({"A": 10}), FEB, manifest=MANIFEST, now=NOW)
    result = register.issue(make_run({"B": 5}), FEB, manifest=MANIFEST, now=NOW)
    kinds = [(d.department, d.kind) for d in result.documents]
    assert kinds == [("A", DocumentKind.CREDIT_NOTE), ("B", DocumentKind.INVOICE)]


def test_issued_documents_cannot_be_changed(register: Register) -> None:
    register.issue(make_run({"A": 10}), FEB, manifest=MANIFEST, now=NOW)
    for sql in ("UPDATE documents SET total = '0'", "DELETE FROM lines", "DELETE FROM runs"):
        with pytest.raises(sqlite3.IntegrityError, match="never changed"):
            register.connection.execute(sql)


def test_only_the_period_is_issued(register: Register) -> None:
    run = make_run({"A": 1}, Month(2014, 1))
    both = BillingRun(2014, "SEK", run.invoices + make_run({"A": 2}).invoices)
    result = register.issue(both, FEB, manifest=MANIFEST, now=NOW)
    assert [d.period for d in result.documents] == [FEB]
    assert register.documents(period=Month(2014, 1)) == ()


def test_closed_period_refused_and_reopen_needs_reason(register: Register) -> None:
    register.close_period(FEB, reason="bokslut", now=NOW)
    assert register.period_status(FEB) == "closed"
    with pytest.raises(RegisterError, match="2014-02 is closed"):
        register.issue(make_run({"A": 1}), FEB, manifest=MANIFEST, now=NOW)
    assert register.documents() == ()
    with pytest.raises(RegisterError, match="already closed"):
        register.close_period(FEB)
    with pytest.raises(RegisterError, match="needs a reason"):
        register.reopen_period(FEB, reason="  ")
    register.reopen_period(FEB, reason="volymer rättade", now=NOW)
    events = register.period_events(FEB)
    assert [(e.event, e.reason) for e in events] == [
        ("close", "bokslut"),
        ("reopen", "volymer rättade"),
    ]
    assert register.issue(make_run({"A": 1}), FEB, manifest=MANIFEST, now=NOW).changed


def test_numbers_per_year_and_issuer_and_format(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with Register.open(path, issuer="LK", number_format="{issuer}/{year}/{seq}") as reg:
        reg.issue(make_run({"A": 1}), FEB, manifest=MANIFEST, now=NOW)
        later = datetime(2015, 1, 2, tzinfo=UTC)
        result = reg.issue(make_run({"A": 2}), FEB, manifest=MANIFEST, now=later)
    assert [d.number for d in result.documents] == ["LK/2015/1", "LK/2015/2"]
    with Register.open(path) as reg:  # another issuer has its own sequence
        result = reg.issue(make_run({"A": 3}), FEB, manifest=MANIFEST, now=NOW)
    assert result.documents[0].number == "SF-2014-000001"


@pytest.mark.parametrize("pattern", ["{issuer}-{year}", "{nope}-{seq}", "{seq:q}"])
def test_bad_number_format_refused(tmp_path: Path, pattern: str) -> None:
    with pytest.raises(RegisterError, match="number format"):
        Register.open(tmp_path / "r.db", number_format=pattern)
    assert not (tmp_path / "r.db").exists()


def test_manifest_recorded(tmp_path: Path) -> None:
    volumes = EXAMPLES / "volumes-2014.csv"
    manifest = Manifest.for_files(volumes=[volumes], note="februari", now=NOW)
    with Register.open(tmp_path / "r.db") as reg:
        reg.issue(make_run({"A": 1}), FEB, manifest=manifest, now=NOW)
        (run,) = reg.runs()
    assert run.manifest == manifest
    assert run.manifest.sfprice_version == sfprice.__version__
    assert run.manifest.inputs[0].sha256 == sfprice.register.file_sha256(volumes)
    assert run.manifest.created_at == "2014-03-05T09:00:00+00:00"


def test_foreign_files_refused_and_untouched(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a register\n" * 20)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("PRAGMA application_id = 12345")
        db.execute("CREATE TABLE t (x)")
    plain = tmp_path / "plain.db"
    with sqlite3.connect(plain) as db:
        db.execute("CREATE TABLE documents (x)")
    for path, message in [
        (text, "not a SQLite database"),
        (other, "another application"),
        (plain, "another application"),
    ]:
        before = path.read_bytes()
        with pytest.raises(RegisterError, match=message):
            Register.open(path)
        assert path.read_bytes() == before
        assert not Path(f"{path}-wal").exists()


def test_damaged_register_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with Register.open(path) as reg:
        reg.issue(make_run({f"D{i}": i for i in range(1, 60)}), FEB, manifest=MANIFEST, now=NOW)
    data = bytearray(path.read_bytes())
    assert len(data) > 8192
    data[4096:] = b"\xa5" * (len(data) - 4096)  # garble every page after the first
    path.write_bytes(bytes(data))
    with pytest.raises(RegisterError, match="damaged"):
        Register.open(path)
    assert path.read_bytes() == bytes(data)


def test_unknown_number(register: Register) -> None:
    with pytest.raises(RegisterError, match="no invoice or credit note 'X'"):
        register.document("X")


# -- property: random issue / revise / re-issue sequences ------------------------------

DEPARTMENTS = ("Alfa", "Beta", "Gamma", "Östra")
charges = st.dictionaries(st.sampled_from(DEPARTMENTS), st.integers(0, 50), max_size=4)
steps = st.lists(
    st.tuples(st.sampled_from([Month(2014, 1), FEB]), charges, st.sampled_from([2014, 2015])),
    min_size=1,
    max_size=8,
)


@given(steps)
def test_property_net_equals_latest_run(
    operations: list[tuple[Month, dict[str, int], int]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        reg = Register.open(Path(folder) / "r.db")
        try:
            latest: dict[Month, BillingRun] = {}
            for month, charge, year in operations:
                now = datetime(year, 6, 1, tzinfo=UTC)
                run = make_run(charge, month)
                reg.issue(run, month, manifest=MANIFEST, now=now)
                latest[month] = run
                count = len(reg.documents())
                again = reg.issue(run, month, manifest=MANIFEST, now=now)
                assert not again.changed  # re-issuing is a no-op
                assert len(reg.documents()) == count
            documents = reg.documents()
            net: dict[tuple[Month, str], Decimal] = defaultdict(Decimal)
            for doc in documents:
                net[(doc.period, doc.department)] += doc.total
            for month, run in latest.items():
                for department in DEPARTMENTS:
                    invoice = run.invoice(department, month)
                    expected = invoice.total if invoice is not None else Decimal(0)
                    assert net[(month, department)] == expected
            by_year: dict[str, list[int]] = defaultdict(list)
            for doc in documents:
                _, year_text, seq = doc.number.split("-")
                by_year[year_text].append(int(seq))
            for seqs in by_year.values():
                assert sorted(seqs) == list(range(1, len(seqs) + 1))
            assert len({d.number for d in documents}) == len(documents)
        finally:
            reg.close()


# -- durability and concurrency, with real processes -----------------------------------

BIG_ISSUE = """
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from sfprice.engine.billing import BillingRun, Invoice, InvoiceLine
from sfprice.model import Unit
from sfprice.period import Month
from sfprice.register import Manifest, Register, RegisterHooks

# The pause is the test's own, injected as a hook: after 150 documents, the process
# reports and sleeps inside the open issue transaction, where the test kills it.
written = []

def pause_after(number):
    written.append(number)
    if len(written) == int(sys.argv[2]):
        print("sfprice-test: paused inside the issue transaction", file=sys.stderr, flush=True)
        time.sleep(600)

month = Month(2014, 2)
invoices = []
for i in range(200):
    q = Decimal(i + 1)
    line = InvoiceLine("payroll.manual", "Manuell", Unit.PERSON_MONTH, q, Decimal(110),
                       q * 110, (), "2014", "test", ())
    invoices.append(Invoice(f"Förvaltning {i:03d}", month, "2014", "SEK", (line,)))
with Register.open(sys.argv[1], hooks=RegisterHooks(after_document=pause_after)) as reg:
    reg.issue(BillingRun(2014, "SEK", tuple(invoices)), month,
              manifest=Manifest((), "test", "now", "big"),
              now=datetime(2014, 3, 5, tzinfo=UTC))
"""


def test_sigkill_mid_issue_leaves_register_as_before(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with Register.open(path) as reg:
        reg.issue(make_run({"A": 1}, Month(2014, 1)), Month(2014, 1), manifest=MANIFEST, now=NOW)
    before = dump(path)
    proc = subprocess.Popen(
        [sys.executable, "-c", BIG_ISSUE, str(path), "150"], stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "paused inside the issue transaction" in line
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        if proc.stderr is not None:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert dump(path) == before
    with Register.open(path) as reg:
        assert len(reg.documents()) == 1
        result = reg.issue(make_run({"A": 1}), FEB, manifest=MANIFEST, now=NOW)
        assert result.documents[0].number == "SF-2014-000002"  # no gap, no reuse


CONCURRENT = """
import sys, time
from pathlib import Path
from sfprice.cli import main

go = Path(sys.argv[1])
while not go.exists():
    time.sleep(0.005)
sys.exit(main(["issue", sys.argv[2], "--period", "2014-02", "--register", sys.argv[3],
               "--format", "json"]))
"""


def test_two_processes_issue_the_same_period_once(tmp_path: Path) -> None:
    path, go = tmp_path / "r.db", tmp_path / "go"
    volumes = str(EXAMPLES / "volumes-2014.csv")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT, str(go), volumes, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(0.5)
    go.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    results = [json.loads(out) for out, _ in outputs]
    assert sorted(r["changed"] for r in results) == [False, True]
    with Register.open(path) as reg:
        documents = reg.documents()
    year = documents[0].number.split("-")[1]
    assert [d.number for d in documents] == [f"SF-{year}-000001", f"SF-{year}-000002"]
    assert all(d.kind is DocumentKind.INVOICE for d in documents)


# -- command line ----------------------------------------------------------------------


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_issue_revise_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reg = str(tmp_path / "r.db")
    original = str(EXAMPLES / "volumes-2014.csv")
    revised = str(EXAMPLES / "volumes-2014-revised.csv")
    code, out, _ = run_cli(["issue", original, "--period", "2014-02", "--register", reg], capsys)
    assert code == 0
    assert "2 document(s) issued" in out
    code, out, err = run_cli(["issue", original, "--period", "2014-02", "--register", reg], capsys)
    assert code == 0
    assert "nothing changed" in out
    assert "nothing was written" in err
    code, out, _ = run_cli(
        ["issue", revised, "--period", "2014-02", "--register", reg, "--format", "json"], capsys
    )
    data = json.loads(out)
    assert [d["kind"] for d in data["documents"]] == ["credit_note", "invoice"]
    assert data["unchanged"] == ["Skarpnäcks stadsdelsförvaltning"]
    credit = data["documents"][0]
    assert credit["total"] == "-101990.00"
    assert data["documents"][1]["total"] == "103640.00"
    code, out, _ = run_cli(["invoices", "show", credit["number"], "--register", reg], capsys)
    assert code == 0
    assert "krediterar" in out
    code, out, _ = run_cli(
        ["invoices", "list", "--register", reg, "--format", "csv", "--department",
         "Stadsbyggnadsförvaltningen"],
        capsys,
    )  # fmt: skip
    assert out.splitlines()[0].startswith("number,kind,period")
    assert len(out.splitlines()) == 1 + 3 * 3


def test_cli_period_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reg = str(tmp_path / "r.db")
    volumes = str(EXAMPLES / "volumes-2014.csv")
    # Only issue creates a register: closing a period of a file that does not exist is
    # refused (a typo must not create an empty register).
    code, _, err = run_cli(["period", "close", "2014-02", "--register", reg], capsys)
    assert code == 2
    assert "does not exist" in err
    assert not Path(reg).exists()
    assert run_cli(["issue", volumes, "--period", "2014-01", "--register", reg], capsys)[0] == 0
    assert run_cli(["period", "close", "2014-02", "--register", reg], capsys)[0] == 0
    code, out, err = run_cli(["issue", volumes, "--period", "2014-02", "--register", reg], capsys)
    assert code == 2
    assert "2014-02 is closed" in err
    assert "Traceback" not in err
    code, out, _ = run_cli(
        ["period", "reopen", "2014-02", "--register", reg, "--reason", "rättelse", "--format",
         "json"],
        capsys,
    )  # fmt: skip
    assert json.loads(out)["events"][1]["reason"] == "rättelse"
    code, _, err = run_cli(["issue", volumes, "--period", "2014-05", "--register", reg], capsys)
    assert code == 2
    assert "no volumes for 2014-05" in err
    foreign = tmp_path / "x.txt"
    foreign.write_text("hello")
    code, _, err = run_cli(["invoices", "list", "--register", str(foreign)], capsys)
    assert code == 2
    assert "not an sfprice invoice register" in err
    assert foreign.read_text() == "hello"
    code, _, err = run_cli(["invoices", "show", "NOPE", "--register", reg], capsys)
    assert code == 2


def test_register_layer_imports() -> None:
    # io-level: the register never renders (babel, reports) nor calls the CLI.
    import ast

    for path in sorted((REPO / "src/sfprice/register").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("sfprice.reports", "sfprice.cli", "babel"))
