"""Hand-written hypothesis strategies for sfprice volumes, and a CSV writer for them.

Everything here is plain data: a volume row is ``(month, department, service, quantity)``
and :func:`volume_csv` turns rows into the text of a volume file in a chosen style
(delimiter, decimal mark, thousands separator, BOM). The seed price tables below are typed
in from the price lists of the seeds (not read from the TOML files), so that tests can
compute expected amounts independently of the loader.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, Inexact, localcontext
from functools import cache
from typing import NamedTuple

from hypothesis import strategies as st

from sfprice import Month
from sfprice.io._csv import is_total_text
from sfprice.names import fold_name, name_problem

__all__ = [
    "PRICES",
    "CsvStyle",
    "ServicePrice",
    "VolumeRow",
    "csv_styles",
    "department_names",
    "department_spellings",
    "expected_lines",
    "hour_quantities",
    "months",
    "quantities",
    "volume_csv",
    "volume_rows",
    "whole_quantities",
    "year_and_rows",
]


class ServicePrice(NamedTuple):
    """A seed price: the unit price, whether hours (fractional) and the components."""

    price: Decimal
    hourly: bool
    components: tuple[Decimal, ...] = ()


def _p(price: int, hourly: bool = False, *components: int) -> ServicePrice:
    return ServicePrice(Decimal(price), hourly, tuple(Decimal(c) for c in components))


#: The seed prices per year, in price-list order (2010: 004:280-309, 2014: 003:148-175).
PRICES: dict[int, dict[str, ServicePrice]] = {
    2010: {
        "ar.feeder": _p(9),
        "ar.manual": _p(30),
        "ar.manual_attachment": _p(45),
        "ap.electronic": _p(19),
        "ap.manual": _p(40),
        "ar.reminder": _p(40),
        "economy.hourly.accountant": _p(400, True),
        "economy.hourly.administrator": _p(360, True),
        "payroll.self_service": _p(63),
        "payroll.manual": _p(88),
        "payroll.hourly": _p(350, True),
        "procurement.hourly": _p(650, True),
    },
    2014: {
        "payroll.self_service": _p(57),
        "payroll.manual": _p(110, False, 57, 53),
        "payroll.agresso": _p(190, False, 110, 80),
        "payroll.emergency_girovision": _p(710, False, 110, 600),
        "payroll.salary_debt": _p(500),
        "payroll.hourly.role_register": _p(420, True),
        "payroll.hourly.training": _p(420, True),
        "payroll.hourly.recoding": _p(420, True),
        "payroll.hourly.correction": _p(420, True),
        "payroll.hourly.honorary_award": _p(440, True),
    },
}


class VolumeRow(NamedTuple):
    """One row of a volume file."""

    month: Month
    department: str
    service: str
    quantity: Decimal


# ----------------------------------------------------------------------------- values


@cache
def months(year: int) -> st.SearchStrategy[Month]:
    """A month of ``year``."""
    return st.integers(min_value=1, max_value=12).map(lambda m: Month(year, m))


_REALISTIC = (
    "Stadsbyggnadsförvaltningen",
    "Skarpnäcks stadsdelsförvaltning",
    "Älvsjö stadsdelsförvaltning",
    "Östermalms stadsdelsförvaltning",
    "Kulturförvaltningen",
    "Utbildningsförvaltningen, område Söderort",
    "Exploateringskontoret; mark & bostad",
    'Miljöförvaltningen "Enhet Å"',
    "Trafikkontoret (100%)",
    "-Socialförvaltningen",
    "=SUM(A1)",
    "@stadsledningskontoret",
    "+46 växel",
    "kund 12",
    "Ö",
)
# Characters a department name may hold that a CSV writer or reader could trip over.
_ODD_CHARACTERS = "åäöÅÄÖéüß ,;\"'=+-@#/\\&()–—.:_%$€§|\u00a0\u202f\u3000😀"


def _one_spelling(text: str) -> str:
    # The documented spelling rule (docs/file-formats.md): NFC, Unicode spaces trimmed and
    # each inner run of them one space.
    return unicodedata.normalize("NFC", " ".join(text.split()))


@cache
def department_names() -> st.SearchStrategy[str]:
    """A valid department name in its one spelling (as sfprice reads it back).

    Mixes realistic Swedish names with arbitrary text: åäö, delimiters, quotes, formula
    starters, no-break spaces (inside only, where they become one space), emoji and any
    printable Unicode letter or symbol.
    """
    characters = st.one_of(
        st.sampled_from(_ODD_CHARACTERS),
        # Not what no name may hold (sfprice.names): controls, invisible formatting
        # characters, surrogates, private-use and unassigned code points, line separators.
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")),
    )
    arbitrary = st.text(characters, min_size=1, max_size=24).map(_one_spelling).filter(bool)
    # A name that reads as a spreadsheet's total label ("Summa", "Totalt") is refused as a
    # total row (sfprice.io._csv), and one that mixes look-alike alphabets (Latin and
    # Cyrillic) by sfprice.names: neither is a valid department name.
    return st.one_of(st.sampled_from(_REALISTIC), arbitrary).filter(
        lambda name: not is_total_text(name) and name_problem(name) is None
    )


@cache
def department_spellings() -> st.SearchStrategy[tuple[str, list[str]]]:
    """A department name and 1..4 spellings of it that read as that one name.

    The spellings differ by Unicode normalisation (NFC/NFD), surrounding spaces (including
    no-break and thin spaces) and runs of spaces inside, never by case or accents.
    """
    pads = st.sampled_from(["", " ", "  ", "\u00a0", "\u202f", " \u00a0"])
    forms = st.sampled_from(["NFC", "NFD"])
    inners = st.sampled_from([" ", "  ", "\u00a0", " \u202f "])

    def spellings(name: str) -> st.SearchStrategy[tuple[str, list[str]]]:
        spelling = st.builds(
            lambda form, left, right, inner: (
                left + unicodedata.normalize(form, name).replace(" ", inner) + right
            ),
            forms,
            pads,
            pads,
            inners,
        )
        return st.tuples(st.just(name), st.lists(spelling, min_size=1, max_size=4))

    return department_names().flatmap(spellings)


@cache
def whole_quantities(max_value: int = 20_000) -> st.SearchStrategy[Decimal]:
    """A whole number of units (salaries, transactions, reminders)."""
    return st.integers(min_value=0, max_value=max_value).map(Decimal)


@cache
def hour_quantities(max_decimals: int = 3, max_hours: int = 300) -> st.SearchStrategy[Decimal]:
    """Hours with 0..``max_decimals`` decimals, e.g. ``Decimal('2.25')``."""

    def scaled(decimals: int) -> st.SearchStrategy[Decimal]:
        return st.integers(min_value=0, max_value=max_hours * 10**decimals).map(
            lambda n: Decimal(n).scaleb(-decimals)
        )

    return st.integers(min_value=0, max_value=max_decimals).flatmap(scaled)


@cache
def quantities(service: str, year: int, max_decimals: int = 3) -> st.SearchStrategy[Decimal]:
    """A quantity that suits the unit of ``service`` in the ``year`` list."""
    if PRICES[year][service].hourly:
        return hour_quantities(max_decimals)
    return whole_quantities()


# ------------------------------------------------------------------------------- rows


@st.composite
def volume_rows(
    draw: st.DrawFn,
    year: int,
    *,
    min_size: int = 1,
    max_size: int = 25,
    max_decimals: int = 3,
    services: Sequence[str] | None = None,
) -> list[VolumeRow]:
    """Rows for the ``year`` list, drawn from small pools so that keys repeat."""
    codes = tuple(services) if services is not None else tuple(PRICES[year])
    departments = draw(_department_pool())
    month_pool = draw(_month_pool(year))
    picks = draw(
        st.lists(
            _row_picks(len(departments), len(month_pool), codes),
            min_size=min_size,
            max_size=max_size,
        )
    )
    return [
        VolumeRow(
            month_pool[month_index],
            departments[department_index],
            service,
            draw(quantities(service, year, max_decimals)),
        )
        for month_index, department_index, service in picks
    ]


# Strategies are built once and cached: building one per draw is what makes a test slow.
@cache
def _department_pool() -> st.SearchStrategy[list[str]]:
    return st.lists(department_names(), min_size=1, max_size=4, unique_by=fold_name)


@cache
def _month_pool(year: int) -> st.SearchStrategy[list[Month]]:
    return st.lists(months(year), min_size=1, max_size=3, unique=True)


@cache
def _row_picks(
    departments: int, months: int, codes: tuple[str, ...]
) -> st.SearchStrategy[tuple[int, int, str]]:
    return st.tuples(
        st.integers(0, months - 1), st.integers(0, departments - 1), st.sampled_from(codes)
    )


def year_and_rows(
    *, max_decimals: int = 3, min_size: int = 1, max_size: int = 25
) -> st.SearchStrategy[tuple[int, list[VolumeRow]]]:
    """A year (2010 or 2014) and rows for its price list."""
    return st.sampled_from((2010, 2014)).flatmap(
        lambda year: st.tuples(
            st.just(year),
            volume_rows(year, min_size=min_size, max_size=max_size, max_decimals=max_decimals),
        )
    )


# -------------------------------------------------------------------------------- CSV


@dataclass(frozen=True)
class CsvStyle:
    """How a volume file is written: all of these must read back the same."""

    delimiter: str = ","
    decimal_mark: str = "."
    group_separator: str = ""
    bom: bool = False
    line_terminator: str = "\n"
    extra_column: bool = False


@cache
def csv_styles() -> st.SearchStrategy[CsvStyle]:
    """Any style a user's export might have (comma or semicolon, '.' or ',' decimals)."""
    return st.builds(
        CsvStyle,
        delimiter=st.sampled_from((",", ";")),
        decimal_mark=st.sampled_from((".", ",")),
        group_separator=st.sampled_from(("", " ", "\u00a0")),
        bom=st.booleans(),
        line_terminator=st.sampled_from(("\n", "\r\n")),
        extra_column=st.booleans(),
    )


def _quantity_text(quantity: Decimal, style: CsvStyle) -> str:
    whole, _, fraction = format(quantity, "f").partition(".")
    if len(fraction) == 3 and whole != "0" and len(whole) <= 3:
        # "2.345" alone is ambiguous (2345 or 2.345) and refused; written as an export
        # that follows sfprice's advice would write it. tests/test_quantity_text.py
        # covers the ambiguous spellings.
        fraction += "0"
    if style.group_separator:
        groups: list[str] = []
        while len(whole) > 3:
            whole, tail = whole[:-3], whole[-3:]
            groups.insert(0, tail)
        whole = style.group_separator.join([whole, *groups])
    return whole + (style.decimal_mark + fraction if fraction else "")


def volume_csv(rows: Iterable[VolumeRow], style: CsvStyle | None = None) -> str:
    """The text of a volume file holding ``rows`` (header first).

    Fields that need it are quoted by the csv module, so a comma decimal under a comma
    delimiter is written ``"2,5"``.
    """
    style = style or CsvStyle()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=style.delimiter, lineterminator=style.line_terminator)
    header = ["month", "department", "service", "quantity"]
    writer.writerow([*header, "comment"] if style.extra_column else header)
    for row in rows:
        fields = [str(row.month), row.department, row.service, _quantity_text(row.quantity, style)]
        writer.writerow([*fields, "x;y,z"] if style.extra_column else fields)
    return ("\ufeff" if style.bom else "") + out.getvalue()


# ----------------------------------------------------------------------- an oracle


def expected_lines(
    rows: Iterable[VolumeRow], year: int
) -> dict[tuple[str, Month, str], tuple[Decimal, Decimal, int]]:
    """Per (department, month, service): summed quantity, amount rounded half-up, row count.

    An independent model of the billing rule: sum the rows of a key, multiply by the seed
    price, round once to öre half-up.
    """
    sums: dict[tuple[str, Month, str], tuple[Decimal, int]] = {}
    exact: dict[tuple[str, Month, str], Decimal] = {}
    with localcontext() as context:
        # Exact arithmetic: enough digits for any row, and a trap should one ever be lost.
        context.prec = 1_000
        context.traps[Inexact] = True
        for row in rows:
            key = (row.department, row.month, row.service)
            quantity, count = sums.get(key, (Decimal(0), 0))
            sums[key] = (quantity + row.quantity, count + 1)
        for key, (quantity, _) in sums.items():
            exact[key] = quantity * PRICES[year][key[2]].price
    return {
        key: (quantity, exact[key].quantize(Decimal("0.01"), ROUND_HALF_UP), count)
        for key, (quantity, count) in sums.items()
    }
