"""The register split: the pure issuing plan, the versioned codec, old registers, hooks."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import sfprice
from sfprice.collation import swedish_key
from sfprice.engine.allocation import allocate_pool, with_allocations, year_months
from sfprice.engine.billing import (
    AllocationShare,
    BillingRun,
    ChargeBasis,
    ComponentCharge,
    Invoice,
    InvoiceLine,
)
from sfprice.io.allocations import load_allocations
from sfprice.io.volumes import read_volume_files
from sfprice.model import PriceKind, TierMode, Unit, VolumeSource
from sfprice.period import Month
from sfprice.register import Manifest, Register, RegisterError, RegisterHooks, codec
from sfprice.register.content import (
    ContentLine,
    DocumentContent,
    StatementRow,
    VolumeStatement,
)
from sfprice.register.issuing import Action, InForce, plan_issue
from sfprice.register.manifest import InputFile
from sfprice.register.numbering import DEFAULT_FORMAT, document_number
from sfprice.register.records import IssuedLine

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
DATA = REPO / "tests" / "data"
MARCH_2010, FEB_2026 = Month(2010, 3), Month(2026, 2)
MANIFEST = Manifest((), "test", "2014-03-05T09:00:00+00:00", "test")
NOW = datetime(2014, 3, 5, 9, 0, tzinfo=UTC)


# -- the issuing plan: pure, no SQLite ---------------------------------------------------

DEPARTMENTS = ("Kulturförvaltningen", "Stadsledningskontoret", "Äldreförvaltningen", "Ö")


def _line(quantity: int, price: int) -> InvoiceLine:
    q, p = Decimal(quantity), Decimal(price)
    return InvoiceLine(
        "payroll.self_service", "Lön", Unit.PERSON_MONTH, q, p, q * p, (), "2014", "test", ()
    )


def _run(charges: dict[str, list[tuple[int, int]]], month: Month) -> BillingRun:
    invoices = tuple(
        Invoice(d, month, "2014", "SEK", tuple(_line(q, p) for q, p in lines))
        for d, lines in sorted(charges.items())
    )
    return BillingRun(month.year, "SEK", invoices)


def _issued(invoice: Invoice, number: str) -> InForce:
    """What the register holds for an invoice once issued (lines as stored)."""
    return InForce(
        number,
        invoice.department,
        invoice.price_list,
        invoice.currency,
        tuple(
            IssuedLine(
                x.service,
                x.name,
                str(x.unit),
                x.quantity,
                x.unit_price,
                x.amount,
                x.price_list,
                codec.line_detail(x),
            )
            for x in invoice.lines
        ),
    )


def _in_force(run: BillingRun, month: Month) -> list[InForce]:
    return [_issued(i, f"SF-{n}") for n, i in enumerate(run.invoices) if i.month == month]


charges = st.dictionaries(
    st.sampled_from(DEPARTMENTS),
    st.lists(st.tuples(st.integers(0, 500), st.integers(1, 200)), min_size=1, max_size=3),
    max_size=len(DEPARTMENTS),
)
FEB = Month(2014, 2)


@given(charges)
def test_property_issuing_the_same_run_twice_plans_only_keep(charge: dict) -> None:  # type: ignore[type-arg]
    run = _run(charge, FEB)
    plan = plan_issue(_in_force(run, FEB), run, FEB)
    assert all(step.action is Action.KEEP for step in plan.steps)
    assert not plan.changed
    assert plan.unchanged == tuple(sorted(charge, key=swedish_key))


@given(charges, charges)
def test_property_the_plan_nets_to_the_new_run(old: dict, new: dict) -> None:  # type: ignore[type-arg]
    before, after = _run(old, FEB), _run(new, FEB)
    plan = plan_issue(_in_force(before, FEB), after, FEB)
    expected = {i.department: i.total for i in after.invoices}
    assert plan.net_after() == {d: expected.get(d, Decimal(0)) for d in set(old) | set(new)}
    for step in plan.steps:
        want = {
            (True, True): {Action.KEEP, Action.REISSUE},
            (True, False): {Action.CREDIT},
            (False, True): {Action.NEW},
        }[(step.department in old, step.department in new)]
        assert step.action in want
        if step.action is Action.KEEP:
            assert old[step.department] == new[step.department]


def test_a_changed_invoice_plans_credit_and_reissue() -> None:
    # Kultur 10 x 57 = 570 in force; the run charges 11 x 57 = 627: credit -570, issue 627,
    # net 570 - 570 + 627 = 627. Ö is kept (3 x 100 = 300 both times), Ä is new (1 x 5 = 5),
    # Stadsledningskontoret is no longer billed (2 x 50 = 100, credited: net 0).
    old = _run({DEPARTMENTS[0]: [(10, 57)], "Ö": [(3, 100)], DEPARTMENTS[1]: [(2, 50)]}, FEB)
    new = _run({DEPARTMENTS[0]: [(11, 57)], "Ö": [(3, 100)], DEPARTMENTS[2]: [(1, 5)]}, FEB)
    plan = plan_issue(_in_force(old, FEB), new, FEB)
    assert [(s.department, s.action) for s in plan.steps] == [
        (DEPARTMENTS[0], Action.REISSUE),
        (DEPARTMENTS[1], Action.CREDIT),
        (DEPARTMENTS[2], Action.NEW),
        ("Ö", Action.KEEP),
    ]
    assert plan.net_after() == {
        DEPARTMENTS[0]: Decimal(627),
        DEPARTMENTS[1]: Decimal(0),
        DEPARTMENTS[2]: Decimal(5),
        "Ö": Decimal(300),
    }
    assert plan.unchanged == ("Ö",)


def test_only_the_period_is_planned() -> None:
    run = _run({"Ö": [(1, 1)]}, Month(2014, 3))
    assert plan_issue([], run, FEB).steps == ()


# -- the codec: its own keys, versioned -----------------------------------------------------

GOLDEN_LINE = InvoiceLine(
    service="payroll.manual",
    name="Lön, manuell",
    unit=Unit.PERSON_MONTH,
    quantity=Decimal("310"),
    unit_price=Decimal("110.00"),
    amount=Decimal("34100.00"),
    components=(
        ComponentCharge("Bas", Decimal("57"), Decimal("17670.00")),
        ComponentCharge("Steg 2", Decimal("53"), Decimal("16430.00"), Decimal("310")),
    ),
    price_list="2014",
    price_source="seed.txt:12",
    volume_sources=(VolumeSource("volumes.csv", 2),),
    business_area="payroll",
    allocation=AllocationShare(
        "anställda", Decimal(3), Decimal(9), Fraction(1, 3), Decimal("1200.00"), "keys.csv"
    ),
    basis=ChargeBasis(
        PriceKind.TIERED,
        tier_mode=TierMode.GRADUATED,
        rate=Decimal("0.05"),
        services=("a", "b"),
        source="kunder.csv:3",
    ),
)

# Written by hand: the stored detail of GOLDEN_LINE. These keys are the codec's own; they
# change only with a new codec version, never with a renamed engine field.
GOLDEN_DETAIL = (
    '{"allocation": {"annual_amount": "1200.00", "driver_quantity": "3", "driver_total": "9", '
    '"key": "anställda", "share": "1/3", "source": "keys.csv"}, "amount": "34100.00", '
    '"basis": {"base_amount": null, "customer_year": null, "first_year": null, '
    '"kind": "tiered", "minimum": null, "rate": "0.05", "services": ["a", "b"], '
    '"source": "kunder.csv:3", "tier_mode": "graduated"}, "business_area": "payroll", '
    '"codec": 1, "components": [{"amount": "17670.00", "label": "Bas", "quantity": null, '
    '"unit_price": "57"}, {"amount": "16430.00", "label": "Steg 2", "quantity": "310", '
    '"unit_price": "53"}], "name": "Lön, manuell", "price_list": "2014", '
    '"price_source": "seed.txt:12", "quantity": "310", "service": "payroll.manual", '
    '"unit": "person_month", "unit_price": "110.00", '
    '"volume_sources": [{"path": "volumes.csv", "rows": 2}]}'
)


def test_golden_line_detail() -> None:
    assert codec.line_detail_json(GOLDEN_LINE) == GOLDEN_DETAIL
    # Read back without its version; the same keys as a detail written before the codec.
    decoded = codec.detail_from_json(GOLDEN_DETAIL)
    assert "codec" not in decoded
    assert decoded == {k: v for k, v in json.loads(GOLDEN_DETAIL).items() if k != "codec"}
    assert codec.credit_detail_json("SF-2014-000001") == (
        '{"codec": 1, "reverses": "SF-2014-000001"}'
    )


def test_golden_content() -> None:
    content = DocumentContent(
        number="SF-2014-000007",
        kind="invoice",
        issuer_code="SF",
        issuer_name="Servicecentret",
        department="Kulturförvaltningen",
        period=Month(2014, 2),
        issued_at="2014-03-05T10:00:00+01:00",
        issue_date=datetime(2014, 3, 5).date(),
        time_zone="Europe/Stockholm",
        price_list="2014",
        currency="SEK",
        credits=None,
        lines=(codec.line_content(GOLDEN_LINE),),
        statement=VolumeStatement(
            "issue", None, (StatementRow("payroll.manual", "Lön", Decimal(310), None, None),)
        ),
    )
    text = codec.content_json(content)
    assert text == (
        '{"credits": null, "currency": "SEK", "customer": null, '
        '"department": "Kulturförvaltningen", '
        '"format": 3, "issue_date": "2014-03-05", "issued_at": "2014-03-05T10:00:00+01:00", '
        '"issuer": {"code": "SF", "name": "Servicecentret"}, "kind": "invoice", "lines": '
        '[{"allocation": {"annual_amount": "1200.00", "driver_quantity": "3", '
        '"driver_total": "9", "key": "anställda", "share": "1/3", "source": "keys.csv"}, '
        '"amount": "34100.00", "basis": {"base_amount": null, "customer_year": null, '
        '"first_year": null, "kind": "tiered", "minimum": null, "rate": "0.05", '
        '"services": ["a", "b"], "source": "kunder.csv:3", "tier_mode": "graduated"}, '
        '"components": [{"amount": "17670.00", "label": "Bas", "quantity": null, '
        '"unit_price": "57"}, {"amount": "16430.00", "label": "Steg 2", "quantity": "310", '
        '"unit_price": "53"}], "name": "Lön, manuell", "quantity": "310", '
        '"service": "payroll.manual", "unit": "person_month", "unit_price": "110.00"}], '
        '"number": "SF-2014-000007", "period": "2014-02", "price_list": "2014", '
        '"statement": {"computed": "issue", "credited": null, "rows": [{"last_year": null, '
        '"name": "Lön", "service": "payroll.manual", "this_month": "310", '
        '"year_to_date": null}]}, "time_zone": "Europe/Stockholm", "total": "34100.00"}'
    )
    assert codec.content_from_json(text) == content
    # The old import place still works.
    from sfprice.register.content import content_from_json, content_json

    assert content_json is codec.content_json
    assert content_from_json is codec.content_from_json
    assert isinstance(content.lines[0], ContentLine)


def test_older_and_unknown_codec_versions() -> None:
    # Version 0: the stored forms of registers written before the codec.
    legacy = [{"role": "volumes", "path": "v.csv", "sha256": "ab"}]
    assert codec.inputs_from_json(json.dumps(legacy)) == (InputFile("volumes", "v.csv", "ab"),)
    written = codec.inputs_json((InputFile("volumes", "v.csv", "ab"),))
    assert json.loads(written) == {"codec": 1, "inputs": legacy}
    assert codec.inputs_from_json(written) == (InputFile("volumes", "v.csv", "ab"),)
    assert codec.detail_from_json('{"reverses": "SF-1"}') == {"reverses": "SF-1"}
    with pytest.raises(ValueError, match="unknown line detail codec 2"):
        codec.detail_from_json('{"codec": 2, "reverses": "SF-1"}')
    with pytest.raises(ValueError, match="unknown run inputs codec 7"):
        codec.inputs_from_json('{"codec": 7, "inputs": []}')
    with pytest.raises(ValueError, match="unknown content format 4"):
        codec.content_from_json('{"format": 4}')


# -- a register written before the split (schema 2, reflective details) --------------------


def _old_register(tmp_path: Path) -> Path:
    path = tmp_path / "register-v2.db"
    shutil.copyfile(DATA / "register-v2.db", path)
    return path


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return list(db.iterdump())


def _shown(path: Path) -> dict[str, str]:
    """What each document shows, by the same function that recorded the golden files."""
    pytest.importorskip("pypdf")
    pytest.importorskip("fpdf")
    spec = importlib.util.spec_from_file_location("make_register_v2", DATA / "make_register_v2.py")
    assert spec is not None
    assert spec.loader is not None
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    shown: dict[str, str] = maker.shown(path)
    return shown


def test_a_register_of_the_code_before_the_split_shows_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tests/data/register-v2.db and register-v2-shown.json were made by the code before
    the split (commit 5425160) with tests/data/make_register_v2.py: every document shows
    the same table, JSON, HTML and PDF text, byte for byte."""
    monkeypatch.chdir(REPO)
    path = _old_register(tmp_path)
    before = _dump(path)
    golden = json.loads((DATA / "register-v2-shown.json").read_text(encoding="utf-8"))
    assert len(golden) == 4 * 16
    assert _shown(path) == golden
    assert _dump(path) == before  # reading writes nothing


def test_a_schema_1_register_upgrades_to_what_the_code_before_the_split_showed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tests/data/register-v1-shown.json: what the code before the split showed for
    tests/data/register-v1.db once it had upgraded it (make_register_v2.py)."""
    monkeypatch.chdir(REPO)
    path = tmp_path / "register-v1.db"
    shutil.copyfile(DATA / "register-v1.db", path)
    with Register.open(path):
        pass  # the upgrade, by today's code
    golden = json.loads((DATA / "register-v1-shown.json").read_text(encoding="utf-8"))
    assert len(golden) == 4 * 7
    assert _shown(path) == golden


def _runs() -> tuple[BillingRun, BillingRun, BillingRun]:
    """The three runs tests/data/make_register_v2.py issued."""
    catalog = sfprice.load_catalog()
    volumes = read_volume_files([Path("examples/volumes-2010.csv")], catalog=catalog, year=2010)
    run = sfprice.bill(catalog, volumes, year=2010)
    pools = load_allocations(Path("examples/allocations-2010.toml"), reserved_codes=catalog.codes)
    allocated = with_allocations(
        run, [allocate_pool(p, d) for p, d in pools], months=year_months(2010), catalog=catalog
    )
    tiered = sfprice.load_catalog(EXAMPLES / "pricelists-2026-models" / "2026-tiered.toml")
    volumes_2026 = read_volume_files([Path("examples/volumes-2026.csv")], catalog=tiered, year=2026)
    return allocated, run, sfprice.bill(tiered, volumes_2026, year=2026)


def test_the_codec_writes_what_the_reflective_dump_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The old register's line details were a reflective dump of the engine's lines; the
    # codec, written by hand, gives the same data for the same lines (plain lines,
    # allocations, tiers), so details of both versions read the same.
    monkeypatch.chdir(REPO)
    allocated, _, tiered = _runs()
    with Register.open(_old_register(tmp_path), create=False) as register:
        documents = register.documents()
    invoices = {(i.department, i.month): i for i in (*allocated.invoices, *tiered.invoices)}
    compared = kinds = 0
    for document in documents:
        if document.credits is not None:
            assert all(line.detail == {"reverses": document.credits} for line in document.lines)
            continue
        source = invoices.get((document.department, document.period))
        if source is None or (document.period != MARCH_2010 and document.period != FEB_2026):
            continue
        if document.period == MARCH_2010 and document.run_id != 1:
            continue  # the revision without pools: same lines as run 1 minus allocations
        for stored, line in zip(document.lines, source.lines, strict=True):
            assert stored.detail == codec.line_detail(line)
            compared += 1
            kinds += line.allocation is not None or line.basis is not None
    assert compared > 20
    assert kinds > 5


def test_issuing_into_an_old_register_continues_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    path = _old_register(tmp_path)
    allocated, _, _ = _runs()
    with Register.open(path) as register:
        old = {d.number: d for d in register.documents()}
        result = register.issue(allocated, MARCH_2010, manifest=MANIFEST,
                                now=datetime(2010, 4, 20, 9, tzinfo=UTC))  # fmt: skip
        # March 2010 was revised without the pools; issuing the pools again credits the
        # revision and re-issues: a credit note and an invoice per changed department. 2010 has
        # 4 invoices, 4 credit notes and 4 new invoices (000001-000012), so numbering goes on
        # at 000013, without gaps.
        assert result.changed
        numbers = [d.number for d in result.documents]
        assert numbers == [f"SF-2010-{n:06d}" for n in range(13, 13 + len(numbers))]
        assert [d.kind for d in result.documents][:2] == ["credit_note", "invoice"]
        again = {d.number: d for d in register.documents()}
        # The old documents read the same; only the credited ones now name their credit.
        assert {n: replace(again[n], credited_by=old[n].credited_by) for n in old} == old
        assert {
            again[n].credited_by for n in old if again[n].credited_by != old[n].credited_by
        } == {d.number for d in result.documents if d.kind == "credit_note"}
        runs = register.runs()
    assert runs[0].manifest.inputs[0].path == "examples/volumes-2010.csv"  # version 0
    assert runs[-1].manifest.inputs == ()  # version 1
    with sqlite3.connect(path) as db:
        stored = db.execute("SELECT detail FROM lines ORDER BY rowid DESC LIMIT 1").fetchone()
        assert json.loads(stored[0])["codec"] == 1


# -- hooks and the clock are injected ---------------------------------------------------------


def _small_run() -> BillingRun:
    return _run({"Ö": [(3, 57)]}, FEB)


def test_a_failing_hook_before_commit_leaves_the_register_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with Register.open(path) as register:
        register.issue(_small_run(), Month(2014, 1), manifest=MANIFEST, now=NOW)
    before = _dump(path)

    def fail() -> None:
        raise sqlite3.OperationalError("disk full")

    with Register.open(path, hooks=RegisterHooks(before_commit=fail)) as register:
        with pytest.raises(RegisterError, match="disk full"):
            register.issue(_small_run(), FEB, manifest=MANIFEST, now=NOW)
        register.hooks = RegisterHooks(before_commit=_interrupt)
        with pytest.raises(KeyboardInterrupt):
            register.close_period(FEB)
    assert _dump(path) == before


def _interrupt() -> None:
    raise KeyboardInterrupt


def test_the_clock_dates_what_has_no_time_given(tmp_path: Path) -> None:
    # 23:30 UTC on 31 December 2014 is 00:30 on 1 January 2015 in Stockholm: the number
    # year and the issue date come from the injected clock.
    moment = datetime(2014, 12, 31, 23, 30, tzinfo=UTC)
    with Register.open(tmp_path / "r.db", clock=lambda: moment) as register:
        result = register.issue(_small_run(), FEB, manifest=MANIFEST)
        register.close_period(FEB, reason="bokslut")
        events = register.period_events()
    document = result.documents[0]
    assert document.number == "SF-2015-000001"
    assert document.content is not None
    assert document.content.issued_at == "2015-01-01T00:30:00+01:00"
    assert events[0].at == "2014-12-31T23:30:00+00:00"


def test_document_numbers() -> None:
    assert document_number(DEFAULT_FORMAT, "SF", 2014, 7) == "SF-2014-000007"
    assert document_number("{year}/{issuer}/{seq}", "KS", 2026, 1234567) == "2026/KS/1234567"


# -- stored records that do not read back are damage, named, never a traceback -------------


@pytest.mark.parametrize(
    ("table", "change", "message"),
    [
        ("lines", "detail = 'not json'", "document SF-2014-000001, line 1: unreadable line detail"),
        ("lines", "detail = '[1]'", "line 1: unreadable line detail (not an object"),
        ("lines", "quantity = 'tio'", "line 1: unreadable amount"),
        ("lines", "amount = 'NaN'", "line 1: unreadable amount"),
        ("documents", "volume_sources = '{}'", "document SF-2014-000001: unreadable volume"),
        ("runs", "inputs = '[{\"role\": 1}]'", "run 1: unreadable run inputs (KeyError"),
        ("runs", "inputs = '{\"codec\": 3}'", "run 1: unknown run inputs codec 3"),
    ],
)
def test_unreadable_stored_records_are_reported(
    tmp_path: Path, table: str, change: str, message: str
) -> None:
    path = tmp_path / "r.db"
    with Register.open(path) as register:
        register.issue(_small_run(), FEB, manifest=MANIFEST, now=NOW)
    with sqlite3.connect(path) as db:
        trigger = next(s for s in sfprice.register.schema.STATEMENTS if f"{table}_no_update" in s)
        db.execute(f"DROP TRIGGER {table}_no_update")
        db.execute(f"UPDATE {table} SET {change} WHERE rowid = 1")
        db.execute(trigger)
    before = _dump(path)
    with Register.open(path) as register:
        with pytest.raises(RegisterError) as caught:
            register.runs() if table == "runs" else register.documents()
        assert message in str(caught.value)
        assert str(caught.value).endswith("the register is damaged; restore it from a backup")
        if table != "runs":  # issuing reads the invoice in force, and refuses it alike
            with pytest.raises(RegisterError, match="the register is damaged"):
                register.issue(_run({"Ö": [(4, 57)]}, FEB), FEB, manifest=MANIFEST, now=NOW)
    assert _dump(path) == before


# -- numbering: an accepted format gives each position of a sequence its own number ----------

_FIELDS = {
    "issuer": st.just("{issuer}"),
    "year": st.sampled_from(["{year}", "{year:d}", "{year:04d}", "{year:4d}"]),
    "seq": st.sampled_from(["{seq}", "{seq:d}", "{seq:06d}", "{seq:3d}", "{seq:010d}"]),
}


@st.composite
def number_formats(draw: st.DrawFn) -> str:
    order = draw(st.permutations(["issuer", "year", "seq"]))
    texts = st.text(alphabet="-/_.:1a ", max_size=3)
    parts = [draw(texts)]
    for field in order:
        parts += [draw(_FIELDS[field]), draw(texts)]
    return "".join(parts)


@given(
    number_formats(),
    st.text(alphabet="SFK-0", min_size=1, max_size=4),
    st.lists(st.tuples(st.integers(1, 9999), st.integers(1, 10**7)), min_size=2, max_size=8),
)
def test_property_accepted_formats_number_each_position_once(
    pattern: str, issuer: str, positions: list[tuple[int, int]]
) -> None:
    from sfprice.register.numbering import number_format_problem

    assume(number_format_problem(pattern) is None and issuer.strip())
    numbers = {document_number(pattern, issuer, year, seq): (year, seq) for year, seq in positions}
    assert len(numbers) == len(set(positions))


@given(st.lists(st.decimals(allow_nan=False, allow_infinity=False, places=2), max_size=5))
def test_property_a_credit_note_reverses_exactly(amounts: list[Decimal]) -> None:
    # copy_negate, not unary minus: 29 digits and more are reversed without rounding.
    from sfprice.register.issuing import reversed_lines

    stored = [
        IssuedLine("s", "n", "st", Decimal(1), amount, amount, "2014", {}) for amount in amounts
    ]
    reversal = reversed_lines(stored)
    assert [r.amount for r in reversal] == [a.copy_negate() for a in amounts]
    assert all(r.amount + s.amount == 0 for r, s in zip(reversal, stored, strict=True))
    assert reversed_lines(reversal) == [replace(s, detail={}) for s in stored]
