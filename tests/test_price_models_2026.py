"""Issue 12, part 2: the candidate models, the scenarios and the administration measure.

Small ``VolumeSet``s built in code, priced with the bundled 2014 list: 57 kr per
self-service payslip, 110 kr per manual one. Every expected figure is computed by hand in
the comment beside it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sfprice
from sfprice import Month, VolumeEntry, VolumeKey, VolumeSet, VolumeSource
from sfprice.cli import main
from sfprice.engine.administration import AdminCount, administration, total
from sfprice.engine.fixedfees import (
    break_even_model,
    fees_by_employees,
    fees_by_payslips,
)
from sfprice.engine.listmodel import PriceListModel
from sfprice.engine.simulate import (
    EMPLOYMENT_DOCUMENTS,
    FixedFeeModel,
    HybridModel,
    PerUnitModel,
    TrueUp,
    annual_charges,
    compare,
    largest_deviation,
    las_documents,
    shock,
)
from sfprice.errors import PriceNotFound
from sfprice.money import exact_sum

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = str(REPO / "examples" / "payroll-2014-synthetic-year.csv")
SELF = "payroll.self_service"
MANUAL = "payroll.manual"
HOURS = "payroll.hourly.correction"
CATALOG = sfprice.load_catalog()


def _list(catalog: sfprice.PriceCatalog, list_id: str) -> sfprice.PriceList:
    found = catalog.get(list_id)
    assert found is not None
    return found


LIST_2014 = _list(CATALOG, "2014")
UNIT = PerUnitModel.from_price_list(LIST_2014)
SOURCE = (VolumeSource("<test>", 1),)
KULTUR = "Kulturförvaltningen"
MILJO = "Miljöförvaltningen"
TRAFIK = "Trafikkontoret"
MONTHS = tuple(Month(2014, m) for m in range(1, 13))
JAN, FEB, MAR = MONTHS[:3]


def _volumes(rows: Iterable[tuple[Month, str, str, int | str]]) -> VolumeSet:
    return VolumeSet.from_entries(
        VolumeEntry(VolumeKey(month, department, service), Decimal(quantity), SOURCE)
        for month, department, service, quantity in rows
    )


def _quantities(volumes: VolumeSet) -> dict[tuple[Month, str, str], Decimal]:
    return {(e.key.month, e.key.department, e.key.service): e.quantity for e in volumes}


# Per month Kultur 100 self-service + 20 manual (100*57 + 20*110 = 7 900 kr), Miljö 50 + 30
# (50*57 + 30*110 = 2 850 + 3 300 = 6 150 kr).
REFERENCE = _volumes(
    row
    for month in (JAN, FEB, MAR)
    for row in (
        (month, KULTUR, SELF, 100),
        (month, KULTUR, MANUAL, 20),
        (month, MILJO, SELF, 50),
        (month, MILJO, MANUAL, 30),
    )
)
YEAR = _volumes(
    row
    for month in MONTHS
    for row in (
        (month, KULTUR, SELF, 100),
        (month, KULTUR, MANUAL, 20),
        (month, MILJO, SELF, 50),
        (month, MILJO, MANUAL, 30),
    )
)

costs = st.integers(0, 10**10).map(lambda n: Decimal(n) * Decimal("0.01"))
departments = st.sampled_from([KULTUR, MILJO, TRAFIK, "Älvsjö stadsdelsförvaltning", "A", "B"])


# ------------------------------------------------------------------ break-even per unit


def test_break_even_model_example() -> None:
    # Reference Jan-Mar: manual 3 * (20 + 30) = 150, self-service 3 * (100 + 50) = 450;
    # scaled to a year (x 12 / 3): 600 manual, 1 800 self-service. At the list:
    # 600 * 110 + 1 800 * 57 = 66 000 + 102 600 = 168 600 kr. A cost of 337 200 kr is twice
    # that, so the ratio rule doubles every solved price: 220 and 114 kr.
    model = break_even_model("be", REFERENCE, LIST_2014, Decimal(337200), area="payroll")
    assert (model.prices[MANUAL], model.prices[SELF]) == (Decimal("220.00"), Decimal("114.00"))
    # A year like the reference recovers the cost: Kultur 12 * (100*114 + 20*220) =
    # 12 * 15 800 = 189 600, Miljö 12 * (50*114 + 30*220) = 12 * 12 300 = 147 600;
    # 189 600 + 147 600 = 337 200.
    assert annual_charges(model.charges(YEAR)) == {
        KULTUR: Decimal("189600.00"),
        MILJO: Decimal("147600.00"),
    }
    # Steering kept in proportion: 220 - 114 = 106 = 2 * 53.
    assert model.marginal_price(MANUAL) - model.marginal_price(SELF) == Decimal(106)
    # The LAS documents are priced at 0, explicitly: revenue does not move.
    assert model.prices[EMPLOYMENT_DOCUMENTS] == 0
    assert model.charges(las_documents(YEAR)) == model.charges(YEAR)


@given(st.integers(1, 5000), st.integers(1, 5000), st.integers(1, 10**7))
def test_break_even_model_recovers_the_cost_at_the_reference_scaled_and_ignores_order(
    manual: int, self_service: int, kronor: int
) -> None:
    reference = _volumes([(JAN, KULTUR, MANUAL, manual), (JAN, MILJO, SELF, self_service)])
    reordered = VolumeSet(tuple(reversed(reference.entries)))
    cost = Decimal(kronor)
    model = break_even_model("be", reference, LIST_2014, cost, area="payroll")
    assert model == break_even_model("be", reordered, LIST_2014, cost, area="payroll")
    # One month is the reference: x 12 is the year; each price to öre is at most half an
    # öre off, so the year's revenue is within 12 * (manual + self) / 2 öre of the cost.
    year = _volumes(
        row
        for month in MONTHS
        for row in ((month, KULTUR, MANUAL, manual), (month, MILJO, SELF, self_service))
    )
    revenue = exact_sum(model.charges(year).values())
    assert abs(revenue - cost) <= Decimal("0.005") * 12 * (manual + self_service)
    # The list's relation is kept: manual / self-service = 110 / 57 up to the öre.
    assert abs(model.prices[MANUAL] * 57 - model.prices[SELF] * 110) <= Decimal("0.01") * 110


def test_break_even_refuses_a_list_with_other_kinds() -> None:
    fixed_list = sfprice.load_catalog(
        [REPO / "examples" / "pricelists-2026-models" / "2026-fixed.toml"]
    ).get("2026-fixed")
    assert fixed_list is not None
    with pytest.raises(ValueError, match="plain unit prices; price list 2026-fixed prices"):
        break_even_model("be", REFERENCE, fixed_list, Decimal(1000), area="payroll")


# ------------------------------------------------------------------ fees per employee / payslip


def test_fees_by_employees_example() -> None:
    # 700 + 300 + 500 = 1 500 employees; 50 000 kr = 5 000 000 öre:
    # Kultur 5 000 000 * 700 / 1 500 = 2 333 333.33..., Miljö 1 000 000 exactly,
    # Trafik 1 666 666.66...; floors sum to 4 999 999, the last öre to the largest
    # remainder (Trafik, 0.66...): 23 333.33 + 10 000.00 + 16 666.67 = 50 000.00.
    fees = fees_by_employees(Decimal(50000), {TRAFIK: 500, KULTUR: 700, MILJO: 300})
    assert fees == {
        KULTUR: Decimal("23333.33"),
        MILJO: Decimal("10000.00"),
        TRAFIK: Decimal("16666.67"),
    }
    assert list(fees) == [KULTUR, MILJO, TRAFIK]  # Swedish order, whatever the input's


def test_fees_by_employees_refuses_a_department_without_headcount() -> None:
    with pytest.raises(ValueError, match=f"no headcount \\(employees\\) for {MILJO}, {TRAFIK};"):
        fees_by_employees(Decimal(100), {TRAFIK: None, KULTUR: 10, MILJO: None})
    with pytest.raises(ValueError, match="every department has 0 employees"):
        fees_by_employees(Decimal(100), {KULTUR: 0})


@given(st.dictionaries(departments, st.integers(0, 100_000), min_size=1), costs)
def test_fees_by_employees_sum_to_the_cost_whatever_the_order(
    headcounts: dict[str, int], cost: Decimal
) -> None:
    if not any(headcounts.values()):
        return  # refused unless the cost is 0 (tested above)
    fees = fees_by_employees(cost, headcounts)
    assert exact_sum(fees.values()) == cost
    assert fees == fees_by_employees(cost, dict(reversed(list(headcounts.items()))))
    grand = sum(headcounts.values())
    for department, fee in fees.items():  # each within an öre of its exact share
        assert abs(fee - cost * headcounts[department] / grand) < Decimal("0.01")


def test_fees_by_payslips_example() -> None:
    # Payslips Jan-Mar, all channels: Kultur 3 * 120 = 360, Miljö 3 * 80 = 240 (0.6, 0.4).
    # 100.01 kr = 10 001 öre: 6 000.6 and 4 000.4 öre; floors 10 000, the last öre to
    # Kultur (0.6): 60.01 + 40.00. Trafik, asked for and without payslips, pays 0.
    hours = _volumes([(JAN, TRAFIK, HOURS, 5)])
    reference = VolumeSet.merge([REFERENCE, hours])
    fees = fees_by_payslips(Decimal("100.01"), reference, [TRAFIK, MILJO, KULTUR])
    assert fees == {KULTUR: Decimal("60.01"), MILJO: Decimal("40.00"), TRAFIK: Decimal("0.00")}
    assert fees_by_payslips(Decimal("100.01"), reference) == {
        KULTUR: Decimal("60.01"),
        MILJO: Decimal("40.00"),
    }
    with pytest.raises(ValueError, match="no payslips in the reference window"):
        fees_by_payslips(Decimal(1), hours)


@given(
    st.lists(
        st.tuples(departments, st.sampled_from([SELF, MANUAL]), st.integers(0, 5000)),
        min_size=1,
    ),
    costs,
)
def test_fees_by_payslips_sum_to_the_cost_whatever_the_order(
    rows: list[tuple[str, str, int]], cost: Decimal
) -> None:
    reference = _volumes((JAN, d, s, q) for d, s, q in rows)
    if cost and not any(e.quantity for e in reference):
        return
    fees = fees_by_payslips(cost, reference)
    assert exact_sum(fees.values()) == cost
    reordered = VolumeSet(tuple(reversed(reference.entries)))
    assert fees == fees_by_payslips(cost, reordered)


# ------------------------------------------------------------------ scenarios


def test_shock_example() -> None:
    # +10 % in March-May: Kultur's 100 self-service become 110 and its 20 manual 22 in
    # those months; January and June stay. Only manual: 100 stays, 20 -> 22.
    shocked = _quantities(shock(YEAR, Decimal("0.1"), MONTHS[2], MONTHS[4]))
    assert shocked[(MONTHS[2], KULTUR, SELF)] == 110
    assert shocked[(MONTHS[4], MILJO, MANUAL)] == 33  # 30 * 1.1
    assert shocked[(JAN, KULTUR, SELF)] == 100
    assert shocked[(MONTHS[5], KULTUR, MANUAL)] == 20
    manual_only = _quantities(shock(YEAR, Decimal("0.1"), MAR, MAR, (MANUAL,)))
    assert manual_only[(MAR, KULTUR, SELF)] == 100
    assert manual_only[(MAR, KULTUR, MANUAL)] == 22
    with pytest.raises(ValueError, match="end before they start"):
        shock(YEAR, Decimal("0.1"), MAR, FEB)
    with pytest.raises(ValueError, match="rate >= -1"):
        shock(YEAR, Decimal(-2), JAN, MAR)


@given(st.integers(-100, 300), st.integers(0, 11), st.integers(0, 11))
def test_shock_changes_only_its_months(percent: int, first: int, last: int) -> None:
    start, end = MONTHS[min(first, last)], MONTHS[max(first, last)]
    shocked = _quantities(shock(YEAR, Decimal(percent) / 100, start, end))
    for (month, department, service), quantity in _quantities(YEAR).items():
        if start <= month <= end:
            expected = (quantity * (100 + percent) / 100).quantize(Decimal(1), "ROUND_HALF_UP")
            assert shocked.get((month, department, service), Decimal(0)) == expected
        else:
            assert shocked[(month, department, service)] == quantity


def test_las_documents_example() -> None:
    # January: Kultur 120 payslips, Miljö 80 (0.6, 0.4). 7 documents: 4.2 and 2.8; floors
    # 4 + 2 = 6, the last document to the larger remainder (Miljö, 0.8): 4 and 3.
    # February: Kultur alone (no Miljö rows) gets all 7.
    volumes = _volumes(
        [
            (JAN, KULTUR, SELF, 100),
            (JAN, KULTUR, MANUAL, 20),
            (JAN, MILJO, SELF, 50),
            (JAN, MILJO, MANUAL, 30),
            (FEB, KULTUR, SELF, 10),
            (FEB, TRAFIK, HOURS, 3),
        ]
    )
    added = _quantities(las_documents(volumes, 7))
    assert added[(JAN, KULTUR, EMPLOYMENT_DOCUMENTS)] == 4
    assert added[(JAN, MILJO, EMPLOYMENT_DOCUMENTS)] == 3
    assert added[(FEB, KULTUR, EMPLOYMENT_DOCUMENTS)] == 7
    assert (FEB, TRAFIK, EMPLOYMENT_DOCUMENTS) not in added
    assert {k: v for k, v in added.items() if k[2] != EMPLOYMENT_DOCUMENTS} == _quantities(volumes)
    with pytest.raises(ValueError, match="no payslips"):
        las_documents(_volumes([(JAN, TRAFIK, HOURS, 3)]))


@given(st.integers(0, 20_000), st.data())
def test_las_documents_add_exactly_n_whole_documents_a_month(
    per_month: int, data: st.DataObject
) -> None:
    rows = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(MONTHS[:4]),
                departments,
                st.sampled_from([SELF, MANUAL]),
                st.integers(1, 5000),
            ),
            min_size=1,
        )
    )
    volumes = _volumes(rows)
    added = las_documents(volumes, per_month)
    for month in volumes.months:
        documents = [
            e.quantity
            for e in added
            if e.key.month == month and e.key.service == EMPLOYMENT_DOCUMENTS
        ]
        assert sum(documents) == per_month
        assert all(d == d.to_integral_value() for d in documents)
    reordered = VolumeSet(tuple(reversed(volumes.entries)))
    assert _quantities(las_documents(reordered, per_month)) == _quantities(added)


def test_every_model_takes_the_las_documents_and_none_charges_them() -> None:
    las = las_documents(YEAR)
    listed = PriceListModel("list", CATALOG, year=2014, area="payroll")
    # The billing engine refuses a service no list prices ...
    with pytest.raises(PriceNotFound):
        listed.charges(las)
    # ... so the list model leaves out that one service, explicitly, and only it.
    ignoring = PriceListModel(
        "list", CATALOG, year=2014, area="payroll", unpriced=frozenset({EMPLOYMENT_DOCUMENTS})
    )
    assert ignoring.charges(las) == listed.charges(YEAR)
    with pytest.raises(ValueError, match="is priced by a list"):
        PriceListModel("list", CATALOG, unpriced=frozenset({MANUAL}))
    fees = {KULTUR: Decimal(1200), MILJO: Decimal(600)}
    for model in (
        FixedFeeModel("fast", fees),
        FixedFeeModel("avstämd", fees, TrueUp(ignoring)),
        HybridModel("hybrid", fees, {MANUAL: Decimal(53)}),
        break_even_model("be", REFERENCE, LIST_2014, Decimal(337200), area="payroll"),
    ):
        assert model.charges(las) == model.charges(YEAR), model.name
    # The per-unit model of a list does not price the documents: refused, never dropped.
    with pytest.raises(KeyError, match=EMPLOYMENT_DOCUMENTS):
        UNIT.charges(las)


# ------------------------------------------------------------------ administration

# Jan: Kultur 100 self + 20 manual, Miljö 50 self. Feb: both services for both.
# Mar: Kultur only.
SMALL = _volumes(
    [
        (JAN, KULTUR, SELF, 100),
        (JAN, KULTUR, MANUAL, 20),
        (JAN, MILJO, SELF, 50),
        (FEB, KULTUR, SELF, 100),
        (FEB, KULTUR, MANUAL, 20),
        (FEB, MILJO, SELF, 50),
        (FEB, MILJO, MANUAL, 30),
        (MAR, KULTUR, SELF, 100),
        (MAR, KULTUR, MANUAL, 20),
    ]
)
FEES = {KULTUR: Decimal(23700), MILJO: Decimal(1500)}


def test_administration_of_the_list_and_per_unit() -> None:
    # One line per priced service and month: Kultur 2 lines in each of 3 months (3
    # invoices, 6 lines); Miljö 1 line in January and 2 in February (2 invoices, 3 lines).
    expected = {KULTUR: AdminCount(3, 6), MILJO: AdminCount(2, 3)}
    assert administration(UNIT, SMALL) == expected
    listed = PriceListModel("list", CATALOG, year=2014, area="payroll")
    assert administration(listed, SMALL) == expected
    # Total: 5 invoices, 9 lines; documents = invoices + corrections = 5.
    assert total(expected) == AdminCount(5, 9)
    assert total(expected).documents == 5


def test_administration_of_fixed_fees_true_up_and_hybrid() -> None:
    # A fee: one line a month of the volumes (Jan-Mar), also Miljö's March without volumes.
    assert administration(FixedFeeModel("fast", FEES), SMALL) == {
        KULTUR: AdminCount(3, 3),
        MILJO: AdminCount(3, 3),
    }
    # True-up at 5 %: Kultur's per-unit charge 3 * 7 900 = 23 700 equals its fee: reported,
    # not settled. Miljö's is 2 850 + (2 850 + 3 300) = 9 000 against 1 500: 7 500 > 75
    # (5 % of 1 500), settled by one correction with one line.
    trued = FixedFeeModel("avstämd", FEES, TrueUp(UNIT, Decimal("0.05")))
    assert administration(trued, SMALL) == {
        KULTUR: AdminCount(3, 3, 0, 1),
        MILJO: AdminCount(3, 4, 1, 1),
    }
    # Hybrid: the fee line each month plus a manual line where there are manual payslips:
    # Kultur 3 + 3 = 6 lines, Miljö 3 + 1 (February) = 4.
    hybrid = HybridModel("hybrid", FEES, {MANUAL: Decimal(53)})
    assert administration(hybrid, SMALL) == {
        KULTUR: AdminCount(3, 6),
        MILJO: AdminCount(3, 4),
    }


class _Flat:
    """A model that is none of sfprice's: 10 kr to Kultur in January, 0 in February."""

    name = "flat"

    def charges(self, volumes: VolumeSet) -> dict[tuple[str, Month], Decimal]:
        del volumes
        return {(KULTUR, JAN): Decimal(10), (KULTUR, FEB): Decimal(0)}

    def marginal_price(self, service: str) -> Decimal:
        del service
        return Decimal(0)


class _Counted(_Flat):
    """A model that counts its own administration (as a subscription will)."""

    def administration(self, volumes: VolumeSet) -> Mapping[str, AdminCount]:
        del volumes
        return {MILJO: AdminCount(12, 12, 2, 3)}


def test_administration_of_other_models() -> None:
    # One line per month with a charge other than 0: January only.
    assert administration(_Flat(), SMALL) == {KULTUR: AdminCount(1, 1)}
    assert administration(_Counted(), SMALL) == {MILJO: AdminCount(12, 12, 2, 3)}


def test_compare_reports_administration_and_the_largest_monthly_deviation() -> None:
    comparison = compare(SMALL, [UNIT, FixedFeeModel("fast", FEES)], cost_to_recover=Decimal(0))
    kultur = comparison.result(KULTUR, UNIT.name)
    miljo = comparison.result(MILJO, UNIT.name)
    # Kultur pays 7 900 every month: no deviation. Miljö pays 2 850, 6 150 and 0; the equal
    # part is 9 000 / 3 = 3 000: deviations 150, 3 150 and 3 000, the largest 3 150.
    assert kultur.largest_deviation == Decimal("0.00")
    assert miljo.largest_deviation == Decimal("3150.00")
    # The fee of 1 500 over 3 months is 500 each: no deviation.
    assert comparison.result(MILJO, "fast").largest_deviation == Decimal("0.00")
    assert (kultur.administration, miljo.administration) == (AdminCount(3, 6), AdminCount(2, 3))
    assert comparison.model(UNIT.name).administration == AdminCount(5, 9)
    assert comparison.model("fast").administration == AdminCount(6, 6)
    record = comparison.to_records()[0]
    assert {k: record[k] for k in ("invoices", "lines", "corrections", "documents")} == {
        "invoices": 3,
        "lines": 6,
        "corrections": 0,
        "documents": 3,
    }


def test_compare_without_administration() -> None:
    comparison = compare(SMALL, [UNIT], cost_to_recover=Decimal(0), measure_administration=False)
    assert comparison.result(KULTUR, UNIT.name).administration is None
    assert comparison.model(UNIT.name).administration is None
    assert comparison.to_records()[0]["invoices"] is None


def test_largest_deviation_example() -> None:
    # 100 + 100 + 131 = 331, a third is 110.333...: deviations 10.33, 10.33, 20.666... -> 20.67
    assert largest_deviation([Decimal(100), Decimal(100), Decimal(131)]) == Decimal("20.67")
    assert largest_deviation([]) is None


# ------------------------------------------------------------------ the command line


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_fees_per_employee_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys,
        "simulate",
        str(REPO / "examples" / "volumes-2014.csv"),
        "--year",
        "2014",
        "--budget",
        "2014-payroll",
        "--customers",
        str(REPO / "examples" / "customers-2014.toml"),
        "--model",
        "fixed-employees",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    fees = {r["department"]: r["annual"] for r in data["rows"] if r["model"] == "fixed-employees"}
    # Headcounts 2014: Kultur 720, Skarpnäck 3 050, Stadsbyggnad 1 480: 5 250 employees;
    # 48 300 000 / 5 250 = 9 200 kr each: 6 624 000, 28 060 000 and 13 616 000 kr.
    assert fees == {
        KULTUR: "6624000.00",
        "Skarpnäcks stadsdelsförvaltning": "28060000.00",
        "Stadsbyggnadsförvaltningen": "13616000.00",
    }


def test_cli_new_models_and_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["simulate", SYNTHETIC, "--year", "2014", "--budget", "2014-payroll"]
    code, out, _ = _run(capsys, *base, "--format", "json")
    plain = json.loads(out)
    code, out, _ = _run(
        capsys,
        *base,
        "--model",
        "breakeven",
        "--model",
        "fixed-payslips",
        "--scenario",
        "las",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    by_model = {m["model"]: m for m in data["models"]}
    assert list(by_model) == ["unit", "breakeven", "fixed-payslips"]
    # The LAS documents bring no revenue under the list: as without the scenario.
    assert by_model["unit"]["revenue"] == plain["models"][0]["revenue"]
    assert by_model["fixed-payslips"]["revenue"] == "48300000.00"
    # 20 departments, 12 months: a fee is 240 invoices of one line.
    assert (by_model["fixed-payslips"]["invoices"], by_model["fixed-payslips"]["lines"]) == (
        240,
        240,
    )
    # Break-even prices keep the list's relation: steering above 0.
    assert Decimal(by_model["breakeven"]["steering"]) > 0
    code, out, _ = _run(
        capsys, *base, "--scenario", "shock:0.1@2014-03..2014-05", "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert {"largest_deviation", "invoices", "documents"} <= set(rows[0])
    code, out, _ = _run(capsys, *base, "--scenario", "las:500")
    assert code == 0
    assert "500 fler anställningsunderlag per månad (LAS)" in out
    assert "Administration per år" in out


def test_cli_join_and_leave_with_the_new_models(capsys: pytest.CaptureFixture[str]) -> None:
    models = ("--model", "breakeven", "--model", "fixed-payslips", "--format", "json")
    base = ["simulate", SYNTHETIC, "--year", "2014", "--budget", "2014-payroll", *models]
    code, out, _ = _run(capsys, *base, "--scenario", f"join:Ny förvaltning@2014-07={KULTUR}")
    assert code == 0
    rows = {(r["department"], r["model"]): r for r in json.loads(out)["rows"]}
    # A department that joins has no fixed fee; per unit it pays for its volumes.
    assert rows[("Ny förvaltning", "fixed-payslips")]["annual"] == "0.00"
    assert rows[("Ny förvaltning", "fixed-payslips")]["invoices"] == 0
    assert Decimal(rows[("Ny förvaltning", "breakeven")]["annual"]) > 0
    code, out, _ = _run(capsys, *base, "--scenario", f"leave:{KULTUR}@2014-07")
    assert code == 0
    rows = {(r["department"], r["model"]): r for r in json.loads(out)["rows"]}
    # One that leaves keeps its fee (12 invoices) and pays per unit for six months.
    assert rows[(KULTUR, "fixed-payslips")]["invoices"] == 12
    assert rows[(KULTUR, "breakeven")]["invoices"] == 6


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--scenario", "las:many"), "expected las or las:DOCUMENTS"),
        (("--scenario", "shock:0.1@2014-03"), "expected shock:RATE@YYYY-MM..YYYY-MM"),
        (("--scenario", "shock:-2@2014-03..2014-04"), "the rate >= -1"),
        (("--scenario", "shock:0.1@2015-03..2015-04"), "2015-03 is not in 2014"),
        (("--model", "fixed-employees"), "fees per employee need a customer register"),
        (("--model", "breakeven:1"), "is not a model"),
    ],
)
def test_cli_refuses_bad_new_options(
    capsys: pytest.CaptureFixture[str], extra: tuple[str, ...], message: str
) -> None:
    argv = ["simulate", SYNTHETIC, "--year", "2014", "--budget", "2014-payroll", *extra]
    try:
        code: object = main(argv)
    except SystemExit as exc:  # argparse exits for usage errors
        code = exc.code
    assert code == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""
