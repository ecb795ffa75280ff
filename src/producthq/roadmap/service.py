"""Use cases of roadmap items: create, change, order on the board, depend, release.

The organisation (teams, people, periods, capacity) is in ``organisation.py``; sharing and
snapshots in ``sharing.py``; optimiser scenarios in ``planning.py``. Functions flush, never
commit: the caller's unit of work commits once.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from producthq.audit.service import Actor, record
from producthq.catalog.models import Feature, Product
from producthq.errors import ConflictError, InvalidInputError, NotFoundError
from producthq.roadmap.exports import COLUMNS, ItemRow, ReleaseMark
from producthq.roadmap.models import (
    BoardColumn,
    ItemDependency,
    Period,
    Release,
    RoadmapItem,
    Team,
)
from producthq.roadmap.organisation import check_ref
from producthq.roadmap.schemas import ItemCreate, ItemRead, ItemUpdate, ReleaseCreate

Direction = Literal["left", "right", "up", "down"]


@dataclass(frozen=True)
class ItemFilter:
    """Board and timeline filters; ``None`` means any."""

    team_id: int | None = None
    status: str | None = None
    objective: str | None = None
    product_id: int | None = None  # items whose linked feature belongs to this product


def _audit(session: Session, actor: Actor, action: str, item: RoadmapItem, text: str) -> None:
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action=action,
        object_type="roadmap_item",
        object_id=item.id,
        summary=text,
    )


# --- releases ----------------------------------------------------------------------------


def list_releases(session: Session, *, workspace_id: int) -> list[Release]:
    """Return the releases by date."""
    return list(
        session.scalars(
            select(Release)
            .where(Release.workspace_id == workspace_id)
            .order_by(Release.release_date, Release.id)
        )
    )


def create_release(session: Session, *, actor: Actor, data: ReleaseCreate) -> Release:
    """Create a release; raise ``ConflictError`` if the name is taken."""
    taken = session.scalar(
        select(Release.id).where(
            Release.workspace_id == actor.workspace_id, Release.name == data.name
        )
    )
    if taken is not None:
        raise ConflictError(f"a release named {data.name!r} already exists")
    release = Release(
        workspace_id=actor.workspace_id, name=data.name, release_date=data.release_date
    )
    session.add(release)
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="create",
        object_type="release",
        object_id=release.id,
        summary=f"created release {release.name} on {release.release_date}",
    )
    return release


def delete_release(session: Session, *, actor: Actor, release_id: int) -> None:
    """Delete a release; its items stay, without a release."""
    release = session.scalar(
        select(Release).where(Release.id == release_id, Release.workspace_id == actor.workspace_id)
    )
    if release is None:
        raise NotFoundError(f"release {release_id} does not exist in this workspace")
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="delete",
        object_type="release",
        object_id=release.id,
        summary=f"deleted release {release.name}",
    )
    session.delete(release)
    session.flush()


# --- items -------------------------------------------------------------------------------


def get_item(session: Session, *, workspace_id: int, item_id: int) -> RoadmapItem:
    """Return an item of the workspace; raise ``NotFoundError`` otherwise."""
    item = session.scalar(
        select(RoadmapItem).where(
            RoadmapItem.id == item_id, RoadmapItem.workspace_id == workspace_id
        )
    )
    if item is None:
        raise NotFoundError(f"roadmap item {item_id} does not exist in this workspace")
    return item


def list_items(
    session: Session, *, workspace_id: int, filters: ItemFilter | None = None
) -> list[RoadmapItem]:
    """Return the items, by column then position, optionally filtered."""
    f = filters or ItemFilter()
    q = select(RoadmapItem).where(RoadmapItem.workspace_id == workspace_id)
    if f.team_id is not None:
        q = q.where(RoadmapItem.team_id == f.team_id)
    if f.status:
        q = q.where(RoadmapItem.status == f.status)
    if f.objective:
        q = q.where(RoadmapItem.objective == f.objective)
    if f.product_id is not None:
        of_product = select(Feature.id).where(
            Feature.workspace_id == workspace_id, Feature.product_id == f.product_id
        )
        q = q.where(RoadmapItem.feature_id.in_(of_product))
    items = list(session.scalars(q.order_by(RoadmapItem.position, RoadmapItem.id)))
    order = {c: i for i, c in enumerate(COLUMNS)}
    return sorted(items, key=lambda i: (order.get(i.column, 9), i.position, i.id))


def list_products(session: Session, *, workspace_id: int) -> list[tuple[int, str]]:
    """Return ``(id, name)`` of the catalogue's products, by name, for the product filter."""
    rows = session.execute(
        select(Product.id, Product.name)
        .where(Product.workspace_id == workspace_id)
        .order_by(Product.name, Product.id)
    )
    return [(int(i), str(n)) for i, n in rows]


def list_objectives(session: Session, *, workspace_id: int) -> list[str]:
    """Return the distinct objective labels used by items."""
    return sorted(
        o
        for o in session.scalars(
            select(RoadmapItem.objective)
            .where(RoadmapItem.workspace_id == workspace_id, RoadmapItem.objective != "")
            .distinct()
        )
    )


def dependency_map(session: Session, *, workspace_id: int) -> dict[int, list[int]]:
    """Return, per item id, the ids of the items it depends on."""
    out: dict[int, list[int]] = {}
    for dep in session.scalars(
        select(ItemDependency)
        .where(ItemDependency.workspace_id == workspace_id)
        .order_by(ItemDependency.id)
    ):
        out.setdefault(dep.item_id, []).append(dep.depends_on_id)
    return out


def item_read(item: RoadmapItem, depends_on: Sequence[int] = ()) -> ItemRead:
    """Return the API view of an item."""
    data = ItemRead.model_validate(item, from_attributes=True)
    return data.model_copy(update={"depends_on": list(depends_on)})


def _check_refs(session: Session, ws: int, data: ItemCreate | ItemUpdate) -> None:
    check_ref(session, Team, workspace_id=ws, row_id=data.team_id, field="team_id")
    check_ref(session, Feature, workspace_id=ws, row_id=data.feature_id, field="feature_id")
    check_ref(session, Release, workspace_id=ws, row_id=data.release_id, field="release_id")
    for name in ("start_period_id", "end_period_id"):
        check_ref(session, Period, workspace_id=ws, row_id=getattr(data, name), field=name)


def _check_periods(session: Session, item: RoadmapItem) -> None:
    if item.start_period_id is None or item.end_period_id is None:
        return
    start = session.get(Period, item.start_period_id)
    end = session.get(Period, item.end_period_id)
    if start is not None and end is not None and end.end < start.start:
        raise InvalidInputError.single(
            ("end_period_id",),
            f"end period {end.name!r} ends before start period {start.name!r} begins",
        )


def _end_of(session: Session, ws: int, column: str) -> int:
    top = session.scalar(
        select(func.max(RoadmapItem.position)).where(
            RoadmapItem.workspace_id == ws, RoadmapItem.column == column
        )
    )
    return 0 if top is None else int(top) + 1


def create_item(session: Session, *, actor: Actor, data: ItemCreate) -> RoadmapItem:
    """Create an item at the end of its column (``later`` by default)."""
    ws = actor.workspace_id
    _check_refs(session, ws, data)
    fields = data.model_dump(exclude_none=True)
    column = str(fields.pop("column", BoardColumn.later.value))
    item = RoadmapItem(workspace_id=ws, column=column, position=_end_of(session, ws, column))
    for key, value in fields.items():
        setattr(item, key, value.value if hasattr(value, "value") else value)
    session.add(item)
    session.flush()
    _check_periods(session, item)
    _audit(session, actor, "create", item, f"created roadmap item {item.title}")
    return item


def update_item(session: Session, *, actor: Actor, item_id: int, data: ItemUpdate) -> RoadmapItem:
    """Change the fields given (``null`` clears an optional field); audited with the changes."""
    ws = actor.workspace_id
    item = get_item(session, workspace_id=ws, item_id=item_id)
    _check_refs(session, ws, data)
    changes: dict[str, list[object]] = {}
    for key, value in data.model_dump(exclude_unset=True).items():
        if key == "title" and value is None:
            continue
        if value is None and key in ("description", "objective", "owner", "notes"):
            value = ""
        if value is None and key in ("status", "progress", "column", "effort"):
            continue
        value = value.value if hasattr(value, "value") else value
        if key == "column" and value != item.column:
            item.position = _end_of(session, ws, str(value))
        old = getattr(item, key)
        if old != value:
            changes[key] = [str(old), str(value)]
            setattr(item, key, value)
    session.flush()
    _check_periods(session, item)
    if changes:
        record(
            session,
            actor=actor,
            workspace_id=ws,
            action="update",
            object_type="roadmap_item",
            object_id=item.id,
            summary=f"updated roadmap item {item.title}: {', '.join(sorted(changes))}",
            changes=changes,
        )
    return item


def delete_item(session: Session, *, actor: Actor, item_id: int) -> None:
    """Delete an item and its dependencies."""
    item = get_item(session, workspace_id=actor.workspace_id, item_id=item_id)
    _audit(session, actor, "delete", item, f"deleted roadmap item {item.title}")
    session.execute(
        delete(ItemDependency).where(
            or_(ItemDependency.item_id == item.id, ItemDependency.depends_on_id == item.id)
        )
    )
    session.delete(item)
    session.flush()


def _column_items(session: Session, ws: int, column: str, but: int) -> list[RoadmapItem]:
    return list(
        session.scalars(
            select(RoadmapItem)
            .where(
                RoadmapItem.workspace_id == ws,
                RoadmapItem.column == column,
                RoadmapItem.id != but,
            )
            .order_by(RoadmapItem.position, RoadmapItem.id)
        )
    )


def move_item(
    session: Session, *, actor: Actor, item_id: int, column: str, position: int
) -> RoadmapItem:
    """Put an item in ``column`` at ``position`` (0 is the top) and renumber both columns."""
    if column not in COLUMNS:
        raise InvalidInputError.single(("column",), f"column {column!r} is not one of {COLUMNS}")
    ws = actor.workspace_id
    item = get_item(session, workspace_id=ws, item_id=item_id)
    source = item.column
    target = _column_items(session, ws, column, item.id)
    target.insert(max(0, min(position, len(target))), item)
    item.column = column
    for i, other in enumerate(target):
        other.position = i
    if source != column:
        for i, other in enumerate(_column_items(session, ws, source, item.id)):
            other.position = i
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=ws,
        action="move",
        object_type="roadmap_item",
        object_id=item.id,
        summary=f"moved {item.title} to {column} #{item.position + 1}",
        changes={"column": [source, column]} if source != column else {},
    )
    return item


def step_item(session: Session, *, actor: Actor, item_id: int, direction: Direction) -> RoadmapItem:
    """Move an item one step: left/right to the next column, up/down within its column."""
    item = get_item(session, workspace_id=actor.workspace_id, item_id=item_id)
    index = COLUMNS.index(item.column) if item.column in COLUMNS else 2
    if direction in ("left", "right"):
        index = max(0, min(len(COLUMNS) - 1, index + (-1 if direction == "left" else 1)))
        column = COLUMNS[index]
        if column == item.column:
            return item
        return move_item(
            session, actor=actor, item_id=item.id, column=column, position=item.position
        )
    siblings = _column_items(session, actor.workspace_id, item.column, -1)
    here = next(i for i, s in enumerate(siblings) if s.id == item.id)
    there = max(0, here - 1) if direction == "up" else min(len(siblings) - 1, here + 1)
    if there == here:
        return item
    return move_item(session, actor=actor, item_id=item.id, column=item.column, position=there)


# --- dependencies ------------------------------------------------------------------------


def _path(graph: dict[int, list[int]], start: int, goal: int) -> list[int] | None:
    """Return a path of ``depends on`` edges from ``start`` to ``goal``, if there is one."""
    stack: list[tuple[int, list[int]]] = [(start, [start])]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if node == goal:
            return path
        if node in seen:
            continue
        seen.add(node)
        for nxt in graph.get(node, []):
            stack.append((nxt, [*path, nxt]))
    return None


def add_dependency(
    session: Session, *, actor: Actor, item_id: int, depends_on_id: int
) -> ItemDependency:
    """Record that ``item_id`` waits for ``depends_on_id``; refuse a cycle and name it.

    Raises:
        InvalidInputError: the dependency would close a cycle; the message lists it, each
            item depending on the next, e.g. ``'A' (#1) -> 'B' (#2) -> 'A' (#1)``.
    """
    ws = actor.workspace_id
    item = get_item(session, workspace_id=ws, item_id=item_id)
    other = get_item(session, workspace_id=ws, item_id=depends_on_id)
    graph = dependency_map(session, workspace_id=ws)
    if other.id in graph.get(item.id, []):
        raise ConflictError(f"{item.title!r} already depends on {other.title!r}")
    back = [item.id] if item.id == other.id else _path(graph, other.id, item.id)
    if back is not None:
        cycle = [item.id, *back] if item.id != other.id else [item.id, item.id]
        titles = {
            i.id: i.title
            for i in session.scalars(select(RoadmapItem).where(RoadmapItem.id.in_(cycle)))
        }
        named = " -> ".join(f"{titles.get(i, '?')!r} (#{i})" for i in cycle)
        raise InvalidInputError.single(
            ("depends_on_id",), f"dependency cycle: {named}", "dependency_cycle"
        )
    dep = ItemDependency(workspace_id=ws, item_id=item.id, depends_on_id=other.id)
    session.add(dep)
    session.flush()
    _audit(session, actor, "update", item, f"{item.title} now depends on {other.title}")
    return dep


def remove_dependency(session: Session, *, actor: Actor, item_id: int, depends_on_id: int) -> None:
    """Remove a dependency; raise ``NotFoundError`` if there is none."""
    ws = actor.workspace_id
    item = get_item(session, workspace_id=ws, item_id=item_id)
    dep = session.scalar(
        select(ItemDependency).where(
            ItemDependency.workspace_id == ws,
            ItemDependency.item_id == item.id,
            ItemDependency.depends_on_id == depends_on_id,
        )
    )
    if dep is None:
        raise NotFoundError(f"item {item_id} does not depend on item {depends_on_id}")
    session.delete(dep)
    session.flush()
    _audit(session, actor, "update", item, f"{item.title} no longer depends on #{depends_on_id}")


# --- views -------------------------------------------------------------------------------


def item_rows(
    session: Session, *, workspace_id: int, filters: ItemFilter | None = None
) -> list[ItemRow]:
    """Return the items as view rows: names resolved, dates from periods where not set."""
    items = list_items(session, workspace_id=workspace_id, filters=filters)
    teams = {
        t.id: t.name for t in session.scalars(select(Team).where(Team.workspace_id == workspace_id))
    }
    periods = {
        p.id: p for p in session.scalars(select(Period).where(Period.workspace_id == workspace_id))
    }
    releases = {r.id: r for r in list_releases(session, workspace_id=workspace_id)}
    deps = dependency_map(session, workspace_id=workspace_id)
    rows = []
    for i in items:
        sp = periods.get(i.start_period_id) if i.start_period_id else None
        ep = periods.get(i.end_period_id) if i.end_period_id else None
        rel = releases.get(i.release_id) if i.release_id else None
        start = i.start_date or (sp.start if sp else None)
        end = i.end_date or (ep.end if ep else (sp.end if sp else None))
        if end is None and start is not None and rel is not None:
            end = rel.release_date
        rows.append(
            ItemRow(
                id=i.id,
                title=i.title,
                description=i.description,
                column=i.column,
                position=i.position,
                status=i.status,
                progress=i.progress,
                objective=i.objective,
                team=teams.get(i.team_id) if i.team_id else "",
                owner=i.owner,
                notes=i.notes,
                start=start,
                end=end if start is not None else None,
                release=rel.name if rel else None,
                depends_on=tuple(deps.get(i.id, [])),
                feature_id=i.feature_id,
                value=i.value,
            )
        )
    return rows


def release_marks(session: Session, *, workspace_id: int) -> list[ReleaseMark]:
    """Return the releases as timeline marks."""
    return [
        ReleaseMark(r.name, r.release_date)
        for r in list_releases(session, workspace_id=workspace_id)
    ]
