"""Quantities as exports write them: read exactly once, or refused with a located message.

Issue 9, fault 1: in a ``;`` file, ``1.000`` for payroll.self_service billed one payslip.
A point or comma with exactly three digits after it is ambiguous; it is read with the
decimal mark the file's other quantities show, and refused when they show none (or both).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sfprice
import sfprice.io.volumes
from sfprice import InputError, PriceCatalog, VolumeSet
from sfprice.io._numbers import Ambiguous, DecimalMarks, decimal_mark_shown, read_number
from sfprice.io.volumes import parse_quantity

WriteFile = Callable[..., Path]
SEMI = "month;department;service;quantity\n"
KULTUR = "2014-01;Kulturförvaltningen"


def totals(volumes: VolumeSet) -> dict[tuple[str, str, str], Decimal]:
    return {
        (str(e.key.month), e.key.department, e.key.service): e.quantity for e in volumes.entries
    }


def bill_total(catalog: PriceCatalog, path: Path) -> Decimal:
    volumes = sfprice.read_volumes(path, catalog=catalog, year=2014)
    return sfprice.bill(catalog, volumes, year=2014).total


def read_error(path: Path, catalog: PriceCatalog) -> InputError:
    with pytest.raises(InputError) as info:
        sfprice.read_volumes(path, catalog=catalog, year=2014)
    return info.value


# ----------------------------------------------------------------- the issue's example


def test_one_thousand_with_a_point_is_refused_not_billed_as_one(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    # Before: 1 payslip, 57,00 kr, exit 0. Now: ambiguous (1 000 or 1), refused at line 2.
    path = write_file("v.csv", SEMI + f"{KULTUR};payroll.self_service;1.000\n")
    error = read_error(path, catalog)
    ((issue),) = error.issues
    assert (issue.line, issue.column) == (2, "quantity")
    assert "'1.000' is ambiguous" in issue.message
    assert "thousands separator (1000) or a decimal mark (1)" in issue.message
    assert "write it without a thousands separator (e.g. 1000)" in issue.message


def test_two_thousand_with_a_comma_is_refused_not_billed_as_two(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    # Before: 2 payslips (114,00 kr). Now refused.
    path = write_file("v.csv", SEMI + f"{KULTUR};payroll.self_service;2,000\n")
    assert "'2,000' is ambiguous" in read_error(path, catalog).issues[0].message


def test_a_decimal_comma_elsewhere_makes_the_point_a_thousands_separator(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    # "2,5" shows ',' as the file's decimal mark, so "1.000" is 1 000 payslips.
    # 1 000 x 57 = 57 000,00; 2,5 h x 420 = 1 050,00; total 58 050,00.
    path = write_file(
        "v.csv",
        SEMI + f"{KULTUR};payroll.self_service;1.000\n" + f"{KULTUR};payroll.hourly.training;2,5\n",
    )
    assert bill_total(catalog, path) == Decimal("58050.00")


def test_a_decimal_point_elsewhere_makes_the_point_a_decimal_mark(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    # "2.5" shows '.' as the decimal mark, so "1.000" is 1 payslip: 57,00 + 2.5 x 420 = 1 107,00.
    path = write_file(
        "v.csv",
        SEMI + f"{KULTUR};payroll.hourly.training;2.5\n" + f"{KULTUR};payroll.self_service;1.000\n",
    )
    assert bill_total(catalog, path) == Decimal("1107.00")


def test_both_decimal_marks_in_one_file_leave_the_ambiguous_value_refused(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    path = write_file(
        "v.csv",
        SEMI
        + f"{KULTUR};payroll.hourly.training;2.5\n"
        + f"{KULTUR};payroll.hourly.training;0,5\n"
        + f"{KULTUR};payroll.self_service;1.000\n",
    )
    (issue,) = read_error(path, catalog).issues
    assert issue.line == 4
    assert "uses both ',' (e.g. '0,5') and '.' (e.g. '2.5')" in issue.message


def test_rows_of_other_years_count_as_evidence(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    # The file's decimal mark is the whole file's: a 2013 row with "0,5" settles "1.000".
    # 1 000 x 57 = 57 000,00.
    path = write_file(
        "v.csv",
        SEMI
        + "2013-12;Kulturförvaltningen;payroll.hourly.training;0,5\n"
        + f"{KULTUR};payroll.self_service;1.000\n",
    )
    assert bill_total(catalog, path) == Decimal("57000.00")


def test_hours_with_three_decimals_are_ambiguous_too(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    # 2,345 h or 2 345 h: a silent factor of 1 000 either way, so refused without evidence.
    path = write_file("v.csv", SEMI + f"{KULTUR};payroll.hourly.training;2,345\n")
    assert "'2,345' is ambiguous" in read_error(path, catalog).issues[0].message


def test_the_fast_and_the_record_path_settle_the_same_way(
    write_file: WriteFile, catalog: PriceCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1 000 + 2 000 payslips (the point is grouping: "0,5" shows the decimal comma) = 3 000.
    text = (
        SEMI
        + f"{KULTUR};payroll.self_service;1.000\n" * 3
        + f"{KULTUR};payroll.hourly.training;0,5\n"
    )
    fast = totals(sfprice.read_volumes(write_file("a.csv", text), catalog=catalog))
    monkeypatch.setattr(sfprice.io.volumes, "_sum_lines", lambda *args: False)
    slow = totals(sfprice.read_volumes(write_file("b.csv", text), catalog=catalog))
    assert fast == slow
    assert fast[("2014-01", "Kulturförvaltningen", "payroll.self_service")] == Decimal(3000)


# --------------------------------------------------------------- every other spelling


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1 000", Decimal(1000)),  # space
        ("1\u00a0000", Decimal(1000)),  # no-break space (Excel sv_SE)
        ("1\u202f000", Decimal(1000)),  # narrow no-break space (CLDR sv)
        ("1\u2009000", Decimal(1000)),  # thin space
        ("1 000 000,5", Decimal("1000000.5")),
        ("1.000.000", Decimal(1000000)),  # two points can only be grouping
        ("1,000,000", Decimal(1000000)),
        ("1.000,5", Decimal("1000.5")),  # mixed: the last mark is the decimal mark
        ("1,000.5", Decimal("1000.5")),
        ("0,500", Decimal("0.5")),  # a lone 0 is never a thousands group
        ("1200,500", Decimal("1200.5")),  # four digits before: not grouped
        ("7,1250", Decimal("7.125")),
        ("+5", Decimal(5)),
        (" 12 ", Decimal(12)),
        ("-0", Decimal(0)),
        ("12,0000000", Decimal(12)),  # trailing zeros carry no value
    ],
)
def test_unambiguous_spellings_read_exactly(text: str, value: Decimal) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("-3", "is negative"),
        ("\u22123", "is negative"),  # U+2212 minus
        ("3-", "is negative"),  # SAP trailing minus
        ("(3)", "is negative"),  # accounting parentheses
        ("75%", "is a percentage"),
        ("1e3", "scientific notation"),
        ("1E+30", "scientific notation"),
        ("1e1000000", "scientific notation"),
        ("inf", "is not a number"),
        ("nan", "is not a number"),
        ("Infinity", "is not a number"),
        ("0x10", "hexadecimal"),
        ("", "is empty"),
        ("   ", "is empty"),
        ("1 20", "is not a number"),  # groups of three only
        ("12.00.0", "is not a number"),
        ("1.000.5", "same mark for thousands and decimals"),
        ("1 000\u00a0000", "mixes different spaces"),
        ("١٢", "U+0661 ARABIC-INDIC DIGIT ONE"),
        ("１２", "U+FF11 FULLWIDTH DIGIT ONE"),
        ("१२", "U+0967 DEVANAGARI DIGIT ONE"),
        ("1" * 13, "out of range"),
        ("0,1234567", "out of range"),
        ("1.000", "is ambiguous"),
    ],
)
def test_other_spellings_are_refused_with_a_reason(text: str, says: str) -> None:
    result = parse_quantity(text)
    assert isinstance(result, str)
    assert says in result


def test_more_decimals_than_the_unit_allows_is_located(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    path = write_file("v.csv", SEMI + f"{KULTUR};payroll.self_service;12,5\n")
    (issue,) = read_error(path, catalog).issues
    assert (issue.line, issue.column) == (2, "quantity")
    assert "is not a whole number" in issue.message


@pytest.mark.parametrize("month", ["٢٠١٤-٠١", "２０１４-０１", "२०१४-०१"])
def test_months_in_other_digits_are_refused(
    write_file: WriteFile, catalog: PriceCatalog, month: str
) -> None:
    path = write_file("v.csv", SEMI + f"{month};Kulturförvaltningen;payroll.manual;1\n")
    (issue,) = read_error(path, catalog).issues
    assert (issue.line, issue.column) == (2, "month")
    assert "is not an ASCII digit" in issue.message


# ------------------------------------------------------------------------- properties


def _written(value: Decimal, mark: str, group: str) -> str:
    """``value`` as Excel or a payroll system might write it."""
    whole, _, fraction = format(value, "f").partition(".")
    if group:
        groups: list[str] = []
        while len(whole) > 3:
            whole, tail = whole[:-3], whole[-3:]
            groups.insert(0, tail)
        whole = group.join([whole, *groups])
    return whole + (mark + fraction if fraction else "")


values = st.decimals(min_value=0, max_value=10**12 - 1, places=6, allow_nan=False).map(
    lambda d: d.normalize() if d else Decimal(0)
) | st.integers(min_value=0, max_value=10**6).map(Decimal)
marks = st.sampled_from([",", "."])
groups = st.sampled_from(["", " ", "\u00a0", "\u202f", "other"])
evidence = st.sampled_from([[], ["2,5"], ["2.5"], ["2,5", "2.5"], ["1.000.000"]])


@given(values, marks, groups, evidence)
def test_a_written_quantity_reads_back_the_same_or_is_refused(
    value: Decimal, mark: str, group: str, other: list[str]
) -> None:
    value = Decimal(format(value, "f"))  # no exponent
    separator = {",": ".", ".": ","}[mark] if group == "other" else group
    text = _written(value, mark, separator)
    file_marks = DecimalMarks.of([*other, text])
    consistent = file_marks.mark in (None, mark)
    read = parse_quantity(text, file_marks)
    if isinstance(read, Decimal):
        # Never a different value, as long as the file does not contradict itself.
        assert read == value or not consistent, (text, other, read)
    if consistent and file_marks.mark == mark:
        assert read == value  # an established decimal mark settles every value


@given(st.text(max_size=30))
def test_any_text_gives_a_value_or_a_message_quoting_it(text: str) -> None:
    result = read_number(text)
    assert isinstance(result, Decimal | Ambiguous | str)
    if isinstance(result, str) and text.strip():
        assert repr(text) in result or repr(text.strip()) in result or "is empty" in result


@given(st.text(alphabet="0123456789.,- \u00a0()+e%", max_size=16))
def test_the_decimal_mark_shown_is_one_that_reads_unambiguously(text: str) -> None:
    mark = decimal_mark_shown(text)
    if mark is not None:
        assert not isinstance(read_number(text), Ambiguous | str)


QUANTITY_TEXTS = ["1.000", "2,000", "12,250", "0,5", "2.5", "3", "1 200", "7,25", "1.000.000"]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Kultur", "Miljö", "Stadsbyggnad"]),
            st.sampled_from(["payroll.hourly.training", "payroll.self_service"]),
            st.sampled_from(QUANTITY_TEXTS),
        ),
        min_size=1,
        max_size=12,
    ),
    st.randoms(use_true_random=False),
)
def test_reordering_or_splitting_rows_never_changes_a_figure(
    tmp_path_factory: pytest.TempPathFactory,
    catalog: PriceCatalog,
    rows: list[tuple[str, str, str]],
    rng: random.Random,
) -> None:
    folder = tmp_path_factory.mktemp("order")

    def read(name: str, part: list[tuple[str, str, str]]) -> dict[object, Decimal] | str:
        path = folder / name
        lines = [f"2014-01;{d};{s};{q}\n" for d, s, q in part]
        path.write_text(SEMI + "".join(lines), encoding="utf-8")
        try:
            return totals(sfprice.read_volumes(path, catalog=catalog))  # type: ignore[return-value]
        except InputError as exc:
            return "refused: " + ";".join(sorted(i.message for i in exc.issues))

    first = read("a.csv", rows)
    shuffled = rows[:]
    rng.shuffle(shuffled)
    assert read("b.csv", shuffled) == first  # reordering: the same figures or refusal
    if isinstance(first, dict):
        cut = rng.randrange(len(rows) + 1)
        parts = [read("c.csv", rows[:cut]), read("d.csv", rows[cut:])]
        if all(isinstance(p, dict) for p in parts):
            summed: dict[object, Decimal] = {}
            for part in parts:
                assert isinstance(part, dict)
                for k, q in part.items():
                    summed[k] = summed.get(k, Decimal(0)) + q
            assert summed == first  # splitting: the same totals (or a part is refused)
