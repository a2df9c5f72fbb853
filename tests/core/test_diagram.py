"""The architecture map: every part drawn, a notebook's part lit, Hangul rendered."""

import io

import pytest

from helpers.diagram import PARTS, STACKS, architecture_map
from helpers.maintainer.maps import MAPS


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def test_every_part_is_labelled_in_english_and_korean(draw_warnings):
    fig = architecture_map()
    texts = [t.get_text() for t in fig.axes[0].texts]
    for box in PARTS:
        assert box.label in texts
    assert any("·" in box.label and not box.label.isascii() for box in PARTS)
    assert draw_warnings(fig) == []  # no missing Hangul glyph


def test_highlighting_changes_the_picture_and_unknown_parts_are_refused():
    plain = _png(architecture_map())
    assert _png(architecture_map({"cross"})) != plain
    with pytest.raises(ValueError, match="unknown parts"):
        architecture_map({"attention"})


def test_every_notebook_has_a_map_of_known_parts():
    assert sorted(MAPS) == [f"{n:02d}" for n in range(1, 10)]
    known = {b.key for b in PARTS} | set(STACKS) | {"memory"}
    for highlight, title in MAPS.values():
        assert highlight and highlight <= known and title
