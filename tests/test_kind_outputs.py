"""Each kind declares itself: a shape for each file field (the schema), its words in both
languages, and one set of tier rules for the model and for files."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sfprice.errors import InputError
from sfprice.io.pricelists import load_pricelist
from sfprice.kinds import KINDS, PriceTerms, Shape, Tier, Tiered
from sfprice.kinds.tiered import _written_tiers_problem


@pytest.mark.parametrize("cls", list(KINDS.values()), ids=str)
def test_every_kind_field_has_a_shape(cls: type[PriceTerms]) -> None:
    shapes = cls.file_shapes()
    assert list(shapes) == list(cls.fields)
    assert all(isinstance(shape, Shape) for shape in shapes.values())


@pytest.mark.parametrize("cls", list(KINDS.values()), ids=str)
def test_every_kind_word_is_in_swedish_and_english(cls: type[PriceTerms]) -> None:
    for klass in cls.__mro__:
        words = vars(klass).get("words")
        if words is not None:
            assert set(words) == {"sv", "en"}, klass
            assert set(words["sv"]) == set(words["en"]), klass


def test_a_field_without_a_shape_is_a_mistake_of_the_kind_class() -> None:
    class Broken(PriceTerms):
        fields = ("unit", "colour")

    with pytest.raises(TypeError, match="Broken declares no shape for colour"):
        Broken.file_shapes()


ORDER_LIST = """\
id = "x"
valid_from = 2026-01-01
valid_to = 2026-12-31
currency = "SEK"
source = "s"

[[items]]
code = "a.b"
name = "n"
unit = "hour"
price = 1
block = "x"
by_customer_year = "y"
applies_to = 3
rate = "r"
"""


def test_the_derived_schema_reports_an_items_errors_in_the_old_order(tmp_path: Path) -> None:
    # The hand-written schema before it was derived listed applies_to, rate,
    # by_customer_year, block (a FileItem's order); the derived one keeps it.
    path = tmp_path / "order.toml"
    path.write_text(ORDER_LIST, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_pricelist(path)
    assert [(i.field, i.message) for i in caught.value.issues] == [
        ("items[0].applies_to (a.b)", "Input should be a valid list, got 3"),
        ("items[0].rate (a.b)", "expected a number such as 57 or 57.50, got 'r'"),
        ("items[0].by_customer_year (a.b)", "Input should be a valid list, got 'y'"),
        ("items[0].block (a.b)", "expected a number such as 57 or 57.50, got 'x'"),
    ]


def _model_accepts(ends: list[Decimal | None]) -> bool:
    try:
        Tiered(tuple(Tier(end, Decimal(1)) for end in ends))
    except ValueError:
        return False
    return True


@given(st.lists(st.none() | st.integers(-3, 30).map(Decimal), min_size=1, max_size=5))
def test_the_file_and_the_model_refuse_the_same_tiers(ends: list[Decimal | None]) -> None:
    # One rule set, two wordings: a file's bands are refused exactly when the model's are.
    written = tuple((end, Decimal(1)) for end in ends)
    assert (_written_tiers_problem(written) is None) == _model_accepts(ends)
