"""User text with control characters still gives well-formed SVG (found by the API fuzzer)."""

from datetime import date
from xml.etree import ElementTree

from producthq.roadmap import exports


def test_control_characters_in_titles_leave_the_svg_well_formed() -> None:
    rows = [
        exports.ItemRow(
            id=1,
            title="Export\x03 <b>bold</b> & more",
            column="now",
            team="Core\x1f",
            start=date(2026, 1, 5),
            end=date(2026, 2, 27),
        )
    ]
    for svg in (
        exports.board_svg(rows, "Plan\x00"),
        exports.timeline_svg(rows, [], date(2026, 1, 20), title="Plan\x0b"),
    ):
        root = ElementTree.fromstring(svg)  # noqa: S314 - our own SVG; raises on a non-XML char
        texts = " ".join(t.text or "" for t in root.iter() if t.text)
        assert "Export <b>bold</b> & more" in texts
        assert "\x03" not in svg
