"""Properties of billing: sums, invariance under how volumes are written, and monotonicity.

Each example writes its volume rows to a fresh CSV file in a temporary directory (hypothesis
runs many examples per test, so the function-scoped ``tmp_path`` is not used), reads it with
``sfprice.read_volumes`` and bills it.
"""

from __future__ import annotations

import csv
import decimal
import io
import json
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    PRICES,
    CsvStyle,
    VolumeRow,
    csv_styles,
    expected_lines,
    volume_csv,
    volume_rows,
    year_and_rows,
)

import sfprice
from sfprice import BillingRun, Month, PriceCatalog
from sfprice.collation import swedish_key

ORE = Decimal("0.01")
Key = tuple[str, Month, str]


@contextmanager
def _directory() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def _write(
    directory: Path, name: str, rows: Sequence[VolumeRow], style: CsvStyle | None = None
) -> Path:
    path = directory / name
    path.write_text(volume_csv(rows, style), encoding="utf-8", newline="")
    return path


def _bill_paths(catalog: PriceCatalog, paths: Sequence[Path], year: int) -> BillingRun:
    volumes = sfprice.read_volume_files(paths, catalog=catalog, year=year)
    return sfprice.bill(catalog, volumes, year=year)


def _bill_rows(
    catalog: PriceCatalog,
    rows: Sequence[VolumeRow],
    year: int,
    style: CsvStyle | None = None,
    directory: Path | None = None,
) -> BillingRun:
    """Bill rows written to ``volumes.csv`` (in ``directory``, or a fresh one)."""
    if directory is not None:
        return _bill_paths(catalog, [_write(directory, "volumes.csv", rows, style)], year)
    with _directory() as fresh:
        return _bill_paths(catalog, [_write(fresh, "volumes.csv", rows, style)], year)


LineSummary = tuple[str, Decimal, Decimal, Decimal, tuple[tuple[str, Decimal, Decimal], ...], int]
InvoiceSummary = tuple[str, Month, str, Decimal, tuple[LineSummary, ...]]


def _summary(run: BillingRun) -> list[InvoiceSummary]:
    """What an invoice says, without which files the volumes came from."""
    return [
        (
            invoice.department,
            invoice.month,
            invoice.price_list,
            invoice.total,
            tuple(
                (
                    line.service,
                    line.quantity,
                    line.unit_price,
                    line.amount,
                    tuple((c.label, c.unit_price, c.amount) for c in line.components),
                    line.volume_rows,
                )
                for line in invoice.lines
            ),
        )
        for invoice in run.invoices
    ]


def _amounts(run: BillingRun) -> dict[Key, Decimal]:
    return {(i.department, i.month, line.service): line.amount for i, line in run.lines}


def _invoice_totals(run: BillingRun) -> dict[tuple[str, Month], Decimal]:
    return {(i.department, i.month): i.total for i in run.invoices}


def _keys(rows: Sequence[VolumeRow]) -> set[Key]:
    return {(r.department, r.month, r.service) for r in rows}


def _assert_money(value: object) -> None:
    assert isinstance(value, Decimal), repr(value)
    assert value.is_finite()
    assert value.as_tuple().exponent == -2, value  # rounded to öre, shown to öre
    assert value >= 0


# ---------------------------------------------------------------------- sums


@given(year_and_rows(max_decimals=5))
def test_totals_are_sums_of_lines_and_lines_follow_the_rule(
    catalog: PriceCatalog, case: tuple[int, list[VolumeRow]]
) -> None:
    year, rows = case
    assert decimal.getcontext().traps[decimal.FloatOperation]  # the conftest trap is on
    run = _bill_rows(catalog, rows, year)

    line_amounts = [line.amount for _, line in run.lines]
    invoice_totals = [invoice.total for invoice in run.invoices]
    assert run.total == sum(invoice_totals, Decimal(0)) == sum(line_amounts, Decimal(0))
    _assert_money(run.total)
    for invoice in run.invoices:
        assert invoice.total == sum((line.amount for line in invoice.lines), Decimal(0))
        _assert_money(invoice.total)
        assert invoice.price_list == str(year)
        for line in invoice.lines:
            _assert_money(line.amount)
            assert isinstance(line.quantity, Decimal)
            assert isinstance(line.unit_price, Decimal)
            if line.components:
                assert sum((c.amount for c in line.components), Decimal(0)) == line.amount
                assert sum((c.unit_price for c in line.components), Decimal(0)) == line.unit_price
                for component in line.components:
                    _assert_money(component.amount)
    assert sum(run.totals_by_department().values(), Decimal(0)) == run.total
    assert sum(run.totals_by_service().values(), Decimal(0)) == run.total
    for record in run.to_records():
        for name in ("quantity", "unit_price", "amount"):
            assert isinstance(record[name], Decimal)

    # Against an independent model: sum the rows of a key, x seed price, round half-up.
    expected = expected_lines(rows, year)
    assert {
        (i.department, i.month, line.service): (line.quantity, line.amount, line.volume_rows)
        for i, line in run.lines
    } == expected
    for _, line in run.lines:
        assert line.unit_price == PRICES[year][line.service].price
        assert tuple(c.unit_price for c in line.components) == PRICES[year][line.service].components


@given(year_and_rows())
def test_invoices_sorted_by_department_then_month_lines_in_list_order(
    catalog: PriceCatalog, case: tuple[int, list[VolumeRow]]
) -> None:
    year, rows = case
    run = _bill_rows(catalog, rows, year)
    order = list(PRICES[year])
    keys = [(i.department, i.month) for i in run.invoices]
    assert keys == sorted(
        {(r.department, r.month) for r in rows}, key=lambda k: (swedish_key(k[0]), k[1])
    )
    for invoice in run.invoices:
        services = [line.service for line in invoice.lines]
        assert services == sorted(services, key=order.index)
        assert len(set(services)) == len(services)


# --------------------------------------------------- how the volumes are written


@given(year_and_rows(), st.data())
def test_row_order_changes_nothing(
    catalog: PriceCatalog, case: tuple[int, list[VolumeRow]], data: st.DataObject
) -> None:
    year, rows = case
    shuffled = data.draw(st.permutations(rows))
    with _directory() as directory:  # the same file name: the runs must be equal, sources too
        before = _bill_rows(catalog, rows, year, directory=directory)
        after = _bill_rows(catalog, shuffled, year, directory=directory)
    assert after == before


@given(year_and_rows(), csv_styles(), csv_styles())
def test_delimiter_and_decimal_mark_change_nothing(
    catalog: PriceCatalog, case: tuple[int, list[VolumeRow]], first: CsvStyle, second: CsvStyle
) -> None:
    year, rows = case
    with _directory() as directory:  # the same file name: the runs must be equal, sources too
        one = _bill_rows(catalog, rows, year, first, directory)
        other = _bill_rows(catalog, rows, year, second, directory)
        plain = _bill_rows(catalog, rows, year, None, directory)
    assert one == other == plain
    assert sfprice.run_to_json(one) == sfprice.run_to_json(other) == sfprice.run_to_json(plain)


@given(year_and_rows(), st.data())
def test_splitting_a_row_in_two_changes_nothing(
    catalog: PriceCatalog, case: tuple[int, list[VolumeRow]], data: st.DataObject
) -> None:
    year, rows = case
    index = data.draw(st.integers(0, len(rows) - 1))
    row = rows[index]
    exponent = row.quantity.as_tuple().exponent
    assert isinstance(exponent, int)
    steps = int(row.quantity.scaleb(-exponent))  # the quantity in its smallest unit
    part = Decimal(data.draw(st.integers(0, steps))).scaleb(exponent)
    split = [
        *rows[:index],
        row._replace(quantity=part),
        row._replace(quantity=row.quantity - part),
        *rows[index + 1 :],
    ]
    before = _bill_rows(catalog, rows, year)
    after = _bill_rows(catalog, split, year)
    assert after.total == before.total
    changed = (row.department, row.month, row.service)
    expected = [
        (
            department,
            month,
            price_list,
            total,
            tuple(
                (*line[:5], line[5] + (1 if (department, month, line[0]) == changed else 0))
                for line in lines
            ),
        )
        for department, month, price_list, total, lines in _summary(before)
    ]
    assert _summary(after) == expected


@given(year_and_rows(), st.data())
def test_two_files_billed_together_equal_one_file(
    catalog: PriceCatalog, case: tuple[int, list[VolumeRow]], data: st.DataObject
) -> None:
    year, rows = case
    in_first = data.draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
    first = [r for r, flag in zip(rows, in_first, strict=True) if flag]
    second = [r for r, flag in zip(rows, in_first, strict=True) if not flag]
    styles = data.draw(st.tuples(csv_styles(), csv_styles()))
    with _directory() as directory:
        whole = _bill_paths(catalog, [_write(directory, "all.csv", rows)], year)
        paths = [
            _write(directory, "first.csv", first, styles[0]),
            _write(directory, "second.csv", second, styles[1]),
        ]
        together = _bill_paths(catalog, paths, year)
    assert _summary(together) == _summary(whole)
    assert together.total == whole.total
    for _, line in together.lines:
        assert {s.path for s in line.volume_sources} <= {str(p) for p in paths}
        assert all(s.rows > 0 for s in line.volume_sources)


def _split_by_key(rows: Sequence[VolumeRow], data: st.DataObject) -> tuple[list[VolumeRow], ...]:
    keys = sorted(_keys(rows))
    side = dict(
        zip(
            keys,
            data.draw(st.lists(st.booleans(), min_size=len(keys), max_size=len(keys))),
            strict=True,
        )
    )
    first = [r for r in rows if side[(r.department, r.month, r.service)]]
    second = [r for r in rows if not side[(r.department, r.month, r.service)]]
    return first, second


@given(year_and_rows(max_decimals=5), st.data())
def test_parts_billed_separately_add_up_when_no_key_is_split(
    catalog: PriceCatalog, case: tuple[int, list[VolumeRow]], data: st.DataObject
) -> None:
    # Even with hours of 5 decimals (amounts that need rounding) the totals are exact,
    # since every line is rounded the same way in the parts as in the whole.
    year, rows = case
    first, second = _split_by_key(rows, data)
    whole = _bill_rows(catalog, rows, year)
    one, other = _bill_rows(catalog, first, year), _bill_rows(catalog, second, year)
    assert one.total + other.total == whole.total
    assert _amounts(one) | _amounts(other) == _amounts(whole)


@given(year_and_rows(max_decimals=2), st.data())
def test_parts_billed_separately_add_up_exactly_for_whole_ore_amounts(
    catalog: PriceCatalog, case: tuple[int, list[VolumeRow]], data: st.DataObject
) -> None:
    # Whole-krona prices times counts or hours of at most 2 decimals are whole öre, so no
    # line is ever rounded, and any split of the rows bills the same in total.
    year, rows = case
    in_first = data.draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
    first = [r for r, flag in zip(rows, in_first, strict=True) if flag]
    second = [r for r, flag in zip(rows, in_first, strict=True) if not flag]
    whole = _bill_rows(catalog, rows, year)
    one, other = _bill_rows(catalog, first, year), _bill_rows(catalog, second, year)
    assert one.total + other.total == whole.total
    by_department = Counter(one.totals_by_department())
    by_department.update(other.totals_by_department())
    assert dict(by_department) == whole.totals_by_department()


@given(year_and_rows(max_decimals=5), st.data())
def test_parts_billed_separately_differ_by_at_most_one_ore_per_split_key(
    catalog: PriceCatalog, case: tuple[int, list[VolumeRow]], data: st.DataObject
) -> None:
    # A key split over two parts is rounded twice (once per part) instead of once; each
    # rounding is off by at most half an öre, so the parts' sum is off by at most
    # 0.005 x 3 < 0.02 per key, and being whole öre, by at most 0.01.
    year, rows = case
    in_first = data.draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
    first = [r for r, flag in zip(rows, in_first, strict=True) if flag]
    second = [r for r, flag in zip(rows, in_first, strict=True) if not flag]
    whole = _bill_rows(catalog, rows, year)
    one, other = _bill_rows(catalog, first, year), _bill_rows(catalog, second, year)
    parts = Counter(_amounts(one))
    parts.update(_amounts(other))
    split_keys = _keys(first) & _keys(second)
    for key, amount in _amounts(whole).items():
        if key in split_keys:
            assert abs(parts[key] - amount) <= ORE
        else:
            assert parts[key] == amount
    assert abs(one.total + other.total - whole.total) <= ORE * len(split_keys)


# --------------------------------------------------------------- monotonicity


@st.composite
def _payroll_rows(draw: st.DrawFn) -> tuple[int, list[VolumeRow]]:
    year = draw(st.sampled_from((2010, 2014)))
    services = ["payroll.self_service", "payroll.manual", "payroll.manual"]
    other = [code for code in PRICES[year] if code not in services]
    rows = draw(volume_rows(year, services=[*services, draw(st.sampled_from(other))]))
    return year, rows


@given(_payroll_rows(), st.data())
def test_moving_manual_to_self_service_never_raises_an_invoice(
    catalog: PriceCatalog, case: tuple[int, list[VolumeRow]], data: st.DataObject
) -> None:
    # 2010: 88 -> 63 saves 25 per salary; 2014: 110 -> 57 saves 53 per salary.
    year, rows = case
    saving = PRICES[year]["payroll.manual"].price - PRICES[year]["payroll.self_service"].price
    assert saving > 0
    moved_rows: list[VolumeRow] = []
    moved: Counter[tuple[str, Month]] = Counter()
    for row in rows:
        if row.service != "payroll.manual":
            moved_rows.append(row)
            continue
        count = data.draw(st.integers(0, int(row.quantity)))
        moved[(row.department, row.month)] += count
        moved_rows.append(row._replace(quantity=row.quantity - count))
        moved_rows.append(row._replace(service="payroll.self_service", quantity=Decimal(count)))
    before = _invoice_totals(_bill_rows(catalog, rows, year))
    after = _invoice_totals(_bill_rows(catalog, moved_rows, year))
    assert after.keys() == before.keys()
    for key, total in before.items():
        assert after[key] <= total
        assert total - after[key] == moved[key] * saving


@given(year_and_rows(max_decimals=4), st.data())
def test_adding_volume_never_lowers_a_charge(
    catalog: PriceCatalog, case: tuple[int, list[VolumeRow]], data: st.DataObject
) -> None:
    year, rows = case
    extra = data.draw(volume_rows(year, min_size=1, max_size=5, max_decimals=4))
    # Half of the time, add to the rows' own departments and months.
    if data.draw(st.booleans()):
        extra = [
            r._replace(department=rows[i % len(rows)].department, month=rows[i % len(rows)].month)
            for i, r in enumerate(extra)
        ]
    before = _bill_rows(catalog, rows, year)
    after = _bill_rows(catalog, [*rows, *extra], year)
    assert after.total >= before.total
    after_amounts = _amounts(after)
    for key, amount in _amounts(before).items():
        assert after_amounts[key] >= amount
    after_totals = _invoice_totals(after)
    for invoice_key, total in _invoice_totals(before).items():
        assert after_totals[invoice_key] >= total


# -------------------------------------------------------------------- outputs


def _no_float(text: str) -> Decimal:
    raise AssertionError(f"a float in the JSON output: {text}")


@given(year_and_rows(max_decimals=5))
def test_json_output_parses_back_to_the_same_decimals(
    catalog: PriceCatalog, case: tuple[int, list[VolumeRow]]
) -> None:
    year, rows = case
    run = _bill_rows(catalog, rows, year)
    data = json.loads(sfprice.run_to_json(run), parse_float=_no_float)
    assert data == sfprice.run_to_json_data(run)
    assert Decimal(data["total"]) == run.total
    assert data["year"] == year
    assert data["currency"] == "SEK"
    assert len(data["invoices"]) == len(run.invoices)
    for parsed, invoice in zip(data["invoices"], run.invoices, strict=True):
        assert parsed["department"] == invoice.department
        assert parsed["month"] == str(invoice.month)
        assert Decimal(parsed["total"]) == invoice.total
        assert sum((Decimal(x["amount"]) for x in parsed["lines"]), Decimal(0)) == invoice.total
        assert len(parsed["lines"]) == len(invoice.lines)
        for parsed_line, line in zip(parsed["lines"], invoice.lines, strict=True):
            assert parsed_line["service"] == line.service
            assert isinstance(parsed_line["amount"], str)
            assert Decimal(parsed_line["amount"]) == line.amount
            assert Decimal(parsed_line["quantity"]) == line.quantity
            assert Decimal(parsed_line["unit_price"]) == line.unit_price
            assert [
                (Decimal(c["unit_price"]), Decimal(c["amount"])) for c in parsed_line["components"]
            ] == [(c.unit_price, c.amount) for c in line.components]
            assert parsed_line["volume_rows"] == line.volume_rows


_FORMULA_START = ("=", "+", "-", "@", "'")


@given(year_and_rows(max_decimals=5))
def test_csv_output_parses_back_to_the_same_amounts(
    catalog: PriceCatalog, case: tuple[int, list[VolumeRow]]
) -> None:
    year, rows = case
    run = _bill_rows(catalog, rows, year)
    records = list(csv.DictReader(io.StringIO(sfprice.run_to_csv(run))))
    lines = list(run.lines)
    assert len(records) == len(lines)
    assert sum((Decimal(r["amount"]) for r in records), Decimal(0)) == run.total
    for record, (invoice, line) in zip(records, lines, strict=True):
        # A department that a spreadsheet would take for a formula is quoted with '.
        department = invoice.department
        if department.startswith(_FORMULA_START):
            department = "'" + department
        assert record["department"] == department
        assert record["month"] == str(invoice.month)
        assert record["service"] == line.service
        assert Decimal(record["quantity"]) == line.quantity
        assert Decimal(record["unit_price"]) == line.unit_price
        assert Decimal(record["amount"]) == line.amount
        assert int(record["volume_rows"]) == line.volume_rows
        if line.components:
            parts = [Decimal(x) for x in record["component_amounts"].split("+")]
            assert parts == [c.amount for c in line.components]
            assert sum(parts, Decimal(0)) == Decimal(record["amount"])
        else:
            assert record["component_amounts"] == ""
