"""Roadmap items: ordering on the board, dependencies and their cycles, snapshots, exports."""

import csv
import io
from datetime import date

import pytest
from sqlalchemy.orm import Session

from producthq.audit.service import Actor
from producthq.errors import InvalidInputError, NotFoundError
from producthq.roadmap import exports, service, sharing
from producthq.roadmap.diff import diff_snapshots
from producthq.roadmap.schemas import ItemCreate, ItemUpdate


def _items(session: Session, actor: Actor, *titles: str, column: str = "next") -> list[int]:
    return [
        service.create_item(session, actor=actor, data=ItemCreate(title=t, column=column)).id
        for t in titles
    ]


def _order(session: Session, actor: Actor) -> dict[str, list[str]]:
    rows = service.item_rows(session, workspace_id=actor.workspace_id)
    return {c: [r.title for r in rs] for c, rs in exports.by_column(rows).items()}


def test_move_puts_the_item_at_the_position_and_renumbers(session: Session, actor: Actor) -> None:
    a, b, c = _items(session, actor, "A", "B", "C")
    (d,) = _items(session, actor, "D", column="now")
    service.move_item(session, actor=actor, item_id=c, column="now", position=0)
    session.commit()
    assert _order(session, actor) == {"now": ["C", "D"], "next": ["A", "B"], "later": []}
    service.move_item(session, actor=actor, item_id=a, column="next", position=5)
    service.step_item(session, actor=actor, item_id=d, direction="right")
    session.commit()
    assert _order(session, actor) == {"now": ["C"], "next": ["B", "D", "A"], "later": []}
    service.step_item(session, actor=actor, item_id=a, direction="up")
    assert _order(session, actor)["next"] == ["B", "A", "D"]
    positions = sorted(
        i.position
        for i in service.list_items(session, workspace_id=actor.workspace_id)
        if i.column == "next"
    )
    assert positions == [0, 1, 2]
    del b


def test_dependency_cycle_is_refused_and_named(session: Session, actor: Actor) -> None:
    a, b, c = _items(session, actor, "Auth", "Billing", "Checkout")
    service.add_dependency(session, actor=actor, item_id=a, depends_on_id=b)
    service.add_dependency(session, actor=actor, item_id=b, depends_on_id=c)
    with pytest.raises(InvalidInputError) as caught:
        service.add_dependency(session, actor=actor, item_id=c, depends_on_id=a)
    message = caught.value.message
    assert message == (
        f"dependency cycle: 'Checkout' (#{c}) -> 'Auth' (#{a}) -> 'Billing' (#{b}) "
        f"-> 'Checkout' (#{c})"
    )
    assert caught.value.details[0].code == "dependency_cycle"
    with pytest.raises(InvalidInputError, match="dependency cycle: 'Auth'"):
        service.add_dependency(session, actor=actor, item_id=a, depends_on_id=a)
    assert service.dependency_map(session, workspace_id=actor.workspace_id) == {a: [b], b: [c]}


def test_update_rejects_a_team_of_another_workspace(session: Session, actor: Actor) -> None:
    (a,) = _items(session, actor, "A")
    with pytest.raises(InvalidInputError, match="team_id: 999 does not exist"):
        service.update_item(session, actor=actor, item_id=a, data=ItemUpdate(team_id=999))
    with pytest.raises(NotFoundError):
        service.get_item(session, workspace_id=actor.workspace_id, item_id=a + 100)


def test_snapshot_diff_lists_added_removed_moved_slipped(session: Session, actor: Actor) -> None:
    a, b, c = _items(session, actor, "Alpha", "Beta", "Gamma")
    service.update_item(
        session,
        actor=actor,
        item_id=a,
        data=ItemUpdate(start_date=date(2025, 1, 6), end_date=date(2025, 3, 28)),
    )
    base = sharing.create_snapshot(session, actor=actor, name="baseline")
    service.move_item(session, actor=actor, item_id=b, column="now", position=0)
    service.update_item(
        session, actor=actor, item_id=a, data=ItemUpdate(end_date=date(2025, 4, 11))
    )
    service.delete_item(session, actor=actor, item_id=c)
    (d,) = _items(session, actor, "Delta")
    later = sharing.create_snapshot(session, actor=actor, name="later")
    diff = sharing.diff_snapshot_ids(
        session, workspace_id=actor.workspace_id, baseline_id=base.id, other_id=later.id
    )
    assert [(x.id, x.title) for x in diff.added] == [(d, "Delta")]
    assert [(x.id, x.title) for x in diff.removed] == [(c, "Gamma")]
    assert [(x.id, x.before, x.after) for x in diff.moved] == [(b, "next", "now")]
    # 28 March to 11 April 2025: 14 days later.
    assert [(x.id, x.before, x.after, x.days) for x in diff.slipped] == [
        (a, "2025-03-28", "2025-04-11", 14)
    ]


def test_diff_ignores_an_end_date_that_was_not_there() -> None:
    d = diff_snapshots(
        [{"id": 1, "column": "now", "end": None}], [{"id": 1, "column": "now", "end": "2025-01-01"}]
    )
    assert d.slipped == () and d.moved == ()


def test_csv_export_guards_against_formulas(session: Session, actor: Actor) -> None:
    _items(session, actor, '=HYPERLINK("http://evil")', "+1", "@SUM(A1)", "-2", "plain")
    text = exports.to_csv(service.item_rows(session, workspace_id=actor.workspace_id))
    titles = [row["title"] for row in csv.DictReader(io.StringIO(text))]
    assert titles == ['\'=HYPERLINK("http://evil")', "'+1", "'@SUM(A1)", "'-2", "plain"]


def test_markdown_and_svg_escape_user_text(session: Session, actor: Actor) -> None:
    (a,) = _items(session, actor, "<script>alert(1)</script>")
    service.update_item(
        session,
        actor=actor,
        item_id=a,
        data=ItemUpdate(start_date=date(2025, 1, 6), end_date=date(2025, 2, 7)),
    )
    rows = service.item_rows(session, workspace_id=actor.workspace_id)
    for svg in (
        exports.board_svg(rows, "<b>t</b>"),
        exports.timeline_svg(
            rows, [exports.ReleaseMark("<r>", date(2025, 2, 1))], date(2025, 1, 20)
        ),
    ):
        assert "<script>" not in svg and "<b>" not in svg and "<r>" not in svg
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    md = exports.to_markdown(rows, "Roadmap")
    assert "<script>" not in md and "\\<script\\>" in md


def test_board_png_is_a_real_png_of_the_svg_size(session: Session, actor: Actor) -> None:
    _items(session, actor, "One", "Two")
    svg = exports.board_svg(service.item_rows(session, workspace_id=actor.workspace_id), "x")
    png = exports.svg_to_png(svg)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    # 3 columns of 280 px with 16 px gaps; 70 px header and two 58 px cards with 10 px gaps.
    assert (width, height) == (3 * (280 + 16) + 16, 70 + 2 * (58 + 10) + 10)
    assert exports.svg_to_pdf(svg)[:5] == b"%PDF-"
