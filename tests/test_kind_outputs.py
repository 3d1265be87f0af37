"""Each kind shows itself: its words in both languages, a shape for each file field."""

from __future__ import annotations

import pytest

from sfprice.kinds import KINDS, PriceTerms, Shape


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
