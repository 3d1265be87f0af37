"""The price-list loader: the bundled 2010 and 2014 lists, and every way a file is rejected."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import sfprice
from sfprice import InputError, Month, PriceCatalog, PriceList, Unit

REPO = Path(__file__).resolve().parents[1]
PRICELISTS = REPO / "pricelists"
# The seed documents sit beside the clone (../shared/seeds), in CI and on a developer's disk.
SEEDS = REPO.parent / "shared" / "seeds"

# A minimal valid price list: one list (2015) with one hourly item at 10 kr.
HEADER = """\
id = "x"
title = "Test"
valid_from = 2015-01-01
valid_to = 2015-12-31
currency = "SEK"
source = "test"
"""
ITEM = """
[[items]]
code = "test.item"
name = "Testtjänst"
unit = "hour"
price = 10
"""


def price_list_text(
    list_id: str = "x",
    valid_from: str = "2015-01-01",
    valid_to: str = "2015-12-31",
    items: str = ITEM,
) -> str:
    return (
        HEADER.replace('"x"', f'"{list_id}"', 1)
        .replace("2015-01-01", valid_from)
        .replace("2015-12-31", valid_to)
        + items
    )


def rejected(path: Path) -> InputError:
    """Load one file, expecting it to be rejected."""
    with pytest.raises(InputError) as info:
        sfprice.load_pricelist(path)
    return info.value


# ------------------------------------------------------------------------ bundled lists

# code -> (price, unit, seed line cited), transcribed from the 2010 business plan.
EXPECTED_2010 = {
    "ar.feeder": ("9", Unit.TRANSACTION, "004_c98e6cf4bb870a81.txt:280"),
    "ar.manual": ("30", Unit.TRANSACTION, "004_c98e6cf4bb870a81.txt:281"),
    "ar.manual_attachment": ("45", Unit.TRANSACTION, "004_c98e6cf4bb870a81.txt:282"),
    "ap.electronic": ("19", Unit.TRANSACTION, "004_c98e6cf4bb870a81.txt:283"),
    "ap.manual": ("40", Unit.TRANSACTION, "004_c98e6cf4bb870a81.txt:284"),
    "ar.reminder": ("40", Unit.REMINDER, "004_c98e6cf4bb870a81.txt:285"),
    "economy.hourly.accountant": ("400", Unit.HOUR, "004_c98e6cf4bb870a81.txt:287"),
    "economy.hourly.administrator": ("360", Unit.HOUR, "004_c98e6cf4bb870a81.txt:288"),
    "payroll.self_service": ("63", Unit.PERSON_MONTH, "004_c98e6cf4bb870a81.txt:299"),
    "payroll.manual": ("88", Unit.PERSON_MONTH, "004_c98e6cf4bb870a81.txt:300"),
    "payroll.hourly": ("350", Unit.HOUR, "004_c98e6cf4bb870a81.txt:302"),
    "procurement.hourly": ("650", Unit.HOUR, "004_c98e6cf4bb870a81.txt:309"),
}

# code -> (price, unit, seed line(s) cited, components), from the 2014 "Prislista 2014".
EXPECTED_2014 = {
    "payroll.self_service": ("57", Unit.PERSON_MONTH, "003_dbc171dac11004c9.txt:148", ()),
    # 110 = 57 + 53 ("57+53 kr", 003:154)
    "payroll.manual": (
        "110",
        Unit.PERSON_MONTH,
        "003_dbc171dac11004c9.txt:150,154",
        ("57", "53"),
    ),
    # 190 = 110 + 80 ("110+80 kr/utbetald lön")
    "payroll.agresso": ("190", Unit.PAID_SALARY, "003_dbc171dac11004c9.txt:156", ("110", "80")),
    # 710 = 110 + 600 ("110+600kr/utbetald lön")
    "payroll.emergency_girovision": (
        "710",
        Unit.PAID_SALARY,
        "003_dbc171dac11004c9.txt:158",
        ("110", "600"),
    ),
    "payroll.salary_debt": ("500", Unit.SALARY_DEBT, "003_dbc171dac11004c9.txt:160", ()),
    "payroll.hourly.role_register": ("420", Unit.HOUR, "003_dbc171dac11004c9.txt:164", ()),
    "payroll.hourly.training": ("420", Unit.HOUR, "003_dbc171dac11004c9.txt:166", ()),
    "payroll.hourly.recoding": ("420", Unit.HOUR, "003_dbc171dac11004c9.txt:168", ()),
    "payroll.hourly.correction": ("420", Unit.HOUR, "003_dbc171dac11004c9.txt:170-173", ()),
    "payroll.hourly.honorary_award": ("440", Unit.HOUR, "003_dbc171dac11004c9.txt:175", ()),
}


def test_bundled_catalog_has_the_2010_and_2014_lists(catalog: PriceCatalog) -> None:
    assert [pl.id for pl in catalog] == ["2010", "2014"]
    pl2010, pl2014 = catalog.lists
    assert (pl2010.valid_from, pl2010.valid_to) == (date(2010, 1, 1), date(2010, 12, 31))
    assert (pl2014.valid_from, pl2014.valid_to) == (date(2014, 1, 1), date(2014, 12, 31))
    for pl in catalog:
        assert pl.currency == "SEK"
        assert pl.status == "decided"
        assert pl.rounding == "half_up"
        assert pl.source
        assert pl.path is not None
        assert Path(pl.path).name == f"{pl.id}.toml"


def test_bundled_folder_is_the_repository_pricelists_folder() -> None:
    folder = sfprice.bundled_pricelists()
    assert sorted(f.name for f in folder.iterdir() if f.name.endswith(".toml")) == [
        "2010.toml",
        "2014.toml",
    ]
    # Loading the folder explicitly gives the same catalog as the default.
    assert sfprice.load_catalog(PRICELISTS) == sfprice.load_catalog()


def test_2010_list_has_exactly_the_expected_items(catalog: PriceCatalog) -> None:
    pl = catalog.get("2010")
    assert pl is not None
    assert sorted(pl.codes) == sorted(EXPECTED_2010)


@pytest.mark.parametrize(("code", "expected"), EXPECTED_2010.items(), ids=list(EXPECTED_2010))
def test_2010_item(catalog: PriceCatalog, code: str, expected: tuple[str, Unit, str]) -> None:
    price, unit, source = expected
    pl = catalog.get("2010")
    assert pl is not None
    item = pl.item(code)
    assert item is not None
    assert isinstance(item.price, Decimal)
    assert item.price == Decimal(price)
    assert item.unit is unit
    assert item.source == source
    assert not item.components
    assert item.name


def test_2014_list_has_exactly_the_expected_items(catalog: PriceCatalog) -> None:
    pl = catalog.get("2014")
    assert pl is not None
    assert sorted(pl.codes) == sorted(EXPECTED_2014)


@pytest.mark.parametrize(("code", "expected"), EXPECTED_2014.items(), ids=list(EXPECTED_2014))
def test_2014_item(
    catalog: PriceCatalog, code: str, expected: tuple[str, Unit, str, tuple[str, ...]]
) -> None:
    price, unit, source, components = expected
    pl = catalog.get("2014")
    assert pl is not None
    item = pl.item(code)
    assert item is not None
    assert isinstance(item.price, Decimal)
    assert item.price == Decimal(price)
    assert item.unit is unit
    assert item.source == source
    assert tuple(c.price for c in item.components) == tuple(Decimal(c) for c in components)
    assert item.is_composite == bool(components)
    if components:
        assert sum(c.price for c in item.components) == item.price
        assert all(c.label for c in item.components)


def _cited_lines(source: str) -> tuple[str, list[list[int]]]:
    """'003_x.txt:150,154' -> ('003_x.txt', [[150], [154]]); '170-173' is one range."""
    file, _, spec = source.rpartition(":")
    groups = []
    for part in spec.split(","):
        first, _, last = part.partition("-")
        groups.append(list(range(int(first), int(last or first) + 1)))
    return file, groups


ALL_ITEMS = [("2010", code) for code in EXPECTED_2010] + [("2014", code) for code in EXPECTED_2014]


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed documents not found at {SEEDS}")
@pytest.mark.parametrize(("list_id", "code"), ALL_ITEMS, ids=[f"{i}-{c}" for i, c in ALL_ITEMS])
def test_cited_seed_line_contains_the_price(catalog: PriceCatalog, list_id: str, code: str) -> None:
    pl = catalog.get(list_id)
    assert pl is not None
    item = pl.item(code)
    assert item is not None
    file, groups = _cited_lines(item.source)
    seed_lines = (SEEDS / file).read_text(encoding="utf-8").splitlines()
    # The price is printed either as "57 kr" or, for a composite, as "57+53 kr" / "110+600kr".
    printed = [f"{item.price:f}"]
    if item.components:
        printed.append("+".join(f"{c.price:f}" for c in item.components))
    pattern = re.compile(
        r"(?<![\d+])(?:" + "|".join(re.escape(p) for p in printed) + r")\s*kr", re.IGNORECASE
    )
    for group in groups:
        cited = [seed_lines[n - 1] for n in group]
        assert any(pattern.search(text) for text in cited), (
            f"{code}: none of {file} lines {group} prints {' or '.join(printed)} kr: {cited!r}"
        )


def test_price_lookup_by_month(catalog: PriceCatalog) -> None:
    def in_force(year: int, month: int) -> str | None:
        pl = catalog.in_force(Month(year, month))
        return None if pl is None else pl.id

    assert in_force(2014, 3) == "2014"
    assert in_force(2014, 1) == "2014"
    assert in_force(2014, 12) == "2014"
    assert in_force(2010, 1) == "2010"
    assert in_force(2010, 12) == "2010"
    # Between and around the two lists nothing is in force.
    assert in_force(2012, 6) is None
    assert in_force(2011, 1) is None
    assert in_force(2013, 12) is None
    assert in_force(2009, 12) is None
    assert in_force(2015, 1) is None


def test_catalog_knows_every_code_and_its_latest_unit(catalog: PriceCatalog) -> None:
    assert catalog.codes == frozenset(EXPECTED_2010) | frozenset(EXPECTED_2014)
    assert catalog.unit_of("payroll.manual") is Unit.PERSON_MONTH
    assert catalog.unit_of("procurement.hourly") is Unit.HOUR
    assert catalog.unit_of("no.such.code") is None


# ------------------------------------------------------------------------ custom files


def test_minimal_list_loads(write_file: Callable[..., Path]) -> None:
    path = write_file("x.toml", price_list_text())
    pl = sfprice.load_pricelist(path)
    assert isinstance(pl, PriceList)
    assert pl.id == "x"
    assert pl.path == str(path)
    item = pl.item("test.item")
    assert item is not None
    assert item.price == Decimal(10)


def test_decimal_price_is_read_exactly_not_as_float(write_file: Callable[..., Path]) -> None:
    # 57.10 as a float is 57.099999999999994315658113919198513031005859375.
    path = write_file("x.toml", price_list_text(items=ITEM.replace("price = 10", "price = 57.10")))
    item = sfprice.load_pricelist(path).item("test.item")
    assert item is not None
    assert item.price == Decimal("57.10")
    assert item.price.as_tuple() == Decimal("57.10").as_tuple()


def test_components_alone_give_the_price(write_file: Callable[..., Path]) -> None:
    items = ITEM.replace(
        "price = 10",
        'components = [{ label = "Bas", price = 57 }, { label = "Tillägg", price = 53 }]',
    )
    item = sfprice.load_pricelist(write_file("x.toml", price_list_text(items=items))).item(
        "test.item"
    )
    assert item is not None
    assert item.price == Decimal(110)  # 57 + 53
    assert [c.label for c in item.components] == ["Bas", "Tillägg"]


def test_utf8_bom_is_accepted(write_file: Callable[..., Path]) -> None:
    path = write_file("x.toml", price_list_text(), encoding="utf-8-sig")
    assert sfprice.load_pricelist(path).id == "x"


def test_catalog_from_a_custom_folder(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(price_list_text("a", "2015-01-01", "2015-12-31"), "utf-8")
    (tmp_path / "b.toml").write_text(price_list_text("b", "2016-01-01", "2016-12-31"), "utf-8")
    (tmp_path / "notes.txt").write_text("not a price list", "utf-8")
    catalog = sfprice.load_catalog(tmp_path)
    assert [pl.id for pl in catalog] == ["a", "b"]
    in_force = catalog.in_force(Month(2016, 2))
    assert in_force is not None
    assert in_force.id == "b"


def test_catalog_from_a_list_of_files(tmp_path: Path) -> None:
    (tmp_path / "b.toml").write_text(price_list_text("b", "2016-01-01", "2016-12-31"), "utf-8")
    catalog = sfprice.load_catalog([tmp_path / "b.toml", PRICELISTS / "2014.toml"])
    assert [pl.id for pl in catalog] == ["2014", "b"]  # sorted by validity


# ------------------------------------------------------------------------ rejections


def assert_issue(
    error: InputError, path: Path, field_parts: tuple[str, ...], *message_parts: str
) -> None:
    """Exactly one issue; it names the file and every part of the field (item, key)."""
    assert len(error.issues) == 1, error.issues
    issue = error.issues[0]
    assert issue.path == str(path)
    assert issue.field is not None
    for part in field_parts:
        assert part in issue.field, (part, issue.field)
    for part in message_parts:
        assert part in issue.message, (part, issue.message)
    # The rendered error says it all on one line: file, field and message.
    text = str(error)
    assert text.startswith(str(path))
    assert issue.field in text


def test_negative_price_is_rejected(write_file: Callable[..., Path]) -> None:
    path = write_file("x.toml", price_list_text(items=ITEM.replace("price = 10", "price = -1")))
    assert_issue(rejected(path), path, ("items[0]", "test.item", "price"), "-1", ">= 0")


def test_negative_component_price_is_rejected(write_file: Callable[..., Path]) -> None:
    items = ITEM.replace(
        "price = 10", 'components = [{ label = "a", price = 57 }, { label = "b", price = -53 }]'
    )
    path = write_file("x.toml", price_list_text(items=items))
    assert_issue(rejected(path), path, ("items[0]", "test.item", "components[1]", "price"), "-53")


@pytest.mark.parametrize(
    ("toml_value", "shown"),
    [('"abc"', "'abc'"), ('"57"', "'57'"), ("true", "True"), ("inf", "Infinity"), ("nan", "NaN")],
    ids=["string", "numeric-string", "boolean", "infinite", "nan"],
)
def test_non_decimal_price_is_rejected(
    write_file: Callable[..., Path], toml_value: str, shown: str
) -> None:
    path = write_file(
        "x.toml", price_list_text(items=ITEM.replace("price = 10", f"price = {toml_value}"))
    )
    assert_issue(rejected(path), path, ("items[0]", "test.item", "price"), shown)


def test_misspelled_field_is_rejected(write_file: Callable[..., Path]) -> None:
    path = write_file("x.toml", price_list_text(items=ITEM.replace("price = 10", "prise = 10")))
    assert_issue(rejected(path), path, ("items[0]", "test.item", "prise"), "unknown field")


def test_misspelled_top_level_field_is_rejected(write_file: Callable[..., Path]) -> None:
    path = write_file("x.toml", price_list_text().replace("valid_to", "valid_until"))
    error = rejected(path)
    fields = {issue.field for issue in error.issues}
    assert "valid_until" in fields  # unknown
    assert "valid_to" in fields  # and therefore missing


def test_unknown_unit_is_rejected(write_file: Callable[..., Path]) -> None:
    path = write_file("x.toml", price_list_text(items=ITEM.replace('"hour"', '"month"')))
    # The message names the bad value and the allowed ones.
    assert_issue(
        rejected(path), path, ("items[0]", "test.item", "unit"), "'month'", "person_month", "hour"
    )


def test_components_not_adding_up_to_the_price_are_rejected(
    write_file: Callable[..., Path],
) -> None:
    # 57 + 53 = 110, not 100.
    items = ITEM.replace(
        "price = 10",
        'price = 100\ncomponents = [{ label = "a", price = 57 }, { label = "b", price = 53 }]',
    )
    path = write_file("x.toml", price_list_text(items=items))
    assert_issue(rejected(path), path, ("items[0]", "test.item", "price"), "100", "110")


def test_single_component_is_rejected(write_file: Callable[..., Path]) -> None:
    items = ITEM.replace("price = 10", 'components = [{ label = "a", price = 10 }]')
    path = write_file("x.toml", price_list_text(items=items))
    assert_issue(rejected(path), path, ("items[0]", "test.item", "components"), "two")


def test_item_without_price_is_rejected(write_file: Callable[..., Path]) -> None:
    path = write_file("x.toml", price_list_text(items=ITEM.replace("price = 10\n", "")))
    assert_issue(rejected(path), path, ("items[0]", "test.item", "price"))


def test_duplicate_service_code_is_rejected(write_file: Callable[..., Path]) -> None:
    path = write_file("x.toml", price_list_text(items=ITEM + ITEM))
    assert_issue(rejected(path), path, ("items[1]", "test.item", "code"), "'test.item'", "items[0]")


def test_invalid_service_code_is_rejected(write_file: Callable[..., Path]) -> None:
    path = write_file("x.toml", price_list_text(items=ITEM.replace("test.item", "Test Item")))
    assert_issue(rejected(path), path, ("items[0]", "code"), "'Test Item'")


def test_valid_to_before_valid_from_is_rejected(write_file: Callable[..., Path]) -> None:
    path = write_file("x.toml", price_list_text(valid_from="2015-06-01", valid_to="2015-05-31"))
    assert_issue(rejected(path), path, ("valid_to",), "2015-05-31", "2015-06-01")


def test_missing_currency_is_rejected(write_file: Callable[..., Path]) -> None:
    path = write_file("x.toml", price_list_text().replace('currency = "SEK"\n', ""))
    assert_issue(rejected(path), path, ("currency",), "missing")


def test_wrong_currency_is_rejected(write_file: Callable[..., Path]) -> None:
    path = write_file("x.toml", price_list_text().replace('"SEK"', '"EUR"'))
    assert_issue(rejected(path), path, ("currency",), "'EUR'", "SEK")


def test_list_without_items_is_rejected(write_file: Callable[..., Path]) -> None:
    path = write_file("x.toml", price_list_text(items=""))
    assert_issue(rejected(path), path, ("items",))


def test_toml_syntax_error_reports_the_line(write_file: Callable[..., Path]) -> None:
    # HEADER is 6 lines, ITEM starts with a blank line 7, "[[items]]" is line 8 and the
    # broken "code =" (no value) is line 9.
    path = write_file("x.toml", HEADER + "\n[[items]]\ncode =\n")
    error = rejected(path)
    assert len(error.issues) == 1
    issue = error.issues[0]
    assert issue.path == str(path)
    assert issue.line == 9
    assert "not valid TOML" in issue.message
    assert str(error).startswith(f"{path}:9:")


def test_several_problems_of_one_file_are_all_reported(write_file: Callable[..., Path]) -> None:
    items = ITEM.replace("price = 10", "price = -1") + ITEM.replace("test.item", "test.b").replace(
        '"hour"', '"day"'
    )
    path = write_file("x.toml", price_list_text(items=items).replace('"SEK"', '"EUR"'))
    error = rejected(path)
    fields = sorted(issue.field or "" for issue in error.issues)
    assert len(fields) == 3
    assert fields[0] == "currency"
    assert fields[1].startswith("items[0]")
    assert "price" in fields[1]
    assert fields[2].startswith("items[1]")
    assert "unit" in fields[2]


def test_unreadable_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "missing.toml"
    error = rejected(path)
    assert error.issues[0].path == str(path)
    assert "cannot read" in error.issues[0].message


def test_non_utf8_file_is_rejected(write_file: Callable[..., Path]) -> None:
    path = write_file("x.toml", price_list_text().replace("Testtjänst", "Testtj\xe4nst"), "latin-1")
    error = rejected(path)
    assert error.issues[0].path == str(path)
    assert "cannot read" in error.issues[0].message


def test_overlapping_periods_across_two_files_are_rejected(tmp_path: Path) -> None:
    first = tmp_path / "a.toml"
    second = tmp_path / "b.toml"
    first.write_text(price_list_text("a", "2015-01-01", "2015-12-31"), "utf-8")
    second.write_text(price_list_text("b", "2015-07-01", "2016-06-30"), "utf-8")
    with pytest.raises(InputError) as info:
        sfprice.load_catalog(tmp_path)
    assert len(info.value.issues) == 1
    issue = info.value.issues[0]
    # The later list is the one reported; the message names the other file and both periods.
    assert issue.path == str(second)
    assert issue.field == "valid_from"
    assert str(first) in issue.message
    assert "2015-07-01..2016-06-30" in issue.message
    assert "2015-01-01..2015-12-31" in issue.message


def test_periods_touching_end_to_start_do_not_overlap(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(price_list_text("a", "2015-01-01", "2015-06-30"), "utf-8")
    (tmp_path / "b.toml").write_text(price_list_text("b", "2015-07-01", "2015-12-31"), "utf-8")
    catalog = sfprice.load_catalog(tmp_path)
    june, july = catalog.in_force(Month(2015, 6)), catalog.in_force(Month(2015, 7))
    assert june is not None
    assert july is not None
    assert (june.id, july.id) == ("a", "b")


def test_bundled_list_overlapping_a_custom_one_is_rejected(tmp_path: Path) -> None:
    custom = tmp_path / "c.toml"
    custom.write_text(price_list_text("c", "2014-06-01", "2014-06-30"), "utf-8")
    with pytest.raises(InputError) as info:
        sfprice.load_catalog([PRICELISTS / "2014.toml", custom])
    assert [issue.field for issue in info.value.issues] == ["valid_from"]
    assert "2014.toml" in info.value.issues[0].message


def test_duplicate_list_id_is_rejected(tmp_path: Path) -> None:
    first = tmp_path / "a.toml"
    second = tmp_path / "b.toml"
    first.write_text(price_list_text("same", "2015-01-01", "2015-12-31"), "utf-8")
    second.write_text(price_list_text("same", "2016-01-01", "2016-12-31"), "utf-8")
    with pytest.raises(InputError) as info:
        sfprice.load_catalog(tmp_path)
    assert len(info.value.issues) == 1
    issue = info.value.issues[0]
    assert issue.path == str(second)
    assert issue.field == "id"
    assert "'same'" in issue.message
    assert str(first) in issue.message


def test_problems_of_several_files_are_reported_together(tmp_path: Path) -> None:
    good = tmp_path / "a.toml"
    bad_price = tmp_path / "b.toml"
    bad_toml = tmp_path / "c.toml"
    good.write_text(price_list_text("a"), "utf-8")
    bad_price.write_text(
        price_list_text("b", "2016-01-01", "2016-12-31", ITEM.replace("10", "-5")), "utf-8"
    )
    bad_toml.write_text("id = \n", "utf-8")
    with pytest.raises(InputError) as info:
        sfprice.load_catalog(tmp_path)
    assert [issue.path for issue in info.value.issues] == [str(bad_price), str(bad_toml)]
    assert info.value.issues[1].line == 1


def test_empty_folder_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("no lists here", "utf-8")
    with pytest.raises(InputError) as info:
        sfprice.load_catalog(tmp_path)
    assert len(info.value.issues) == 1
    assert info.value.issues[0].path == str(tmp_path)
    assert "no price lists" in info.value.issues[0].message


def test_missing_folder_is_rejected(tmp_path: Path) -> None:
    folder = tmp_path / "nowhere"
    with pytest.raises(InputError) as info:
        sfprice.load_catalog(folder)
    assert info.value.issues[0].path == str(folder)
    assert "not found" in info.value.issues[0].message


def test_input_error_is_a_value_error(write_file: Callable[..., Path]) -> None:
    path = write_file("x.toml", "id = \n")
    with pytest.raises(ValueError, match="not valid TOML"):
        sfprice.load_pricelist(path)
