"""Use cases of saved segments: create, list, change, delete, resolve and count members.

Definitions are validated and compiled by the pure ``segments.py``; insights take the resolved
definition (``service.run_insight(segment=…)``).
"""

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy import select
from sqlalchemy.orm import Session

from producthq.analytics.models import SavedInsight, Segment
from producthq.analytics.query import InsightQuery, metric_params
from producthq.analytics.segments import (
    SegmentGroup,
    definition_json,
    parse_definition,
    segment_users,
)
from producthq.analytics.store import open_sources, property_keys
from producthq.audit.service import Actor, record
from producthq.errors import ConflictError, InvalidInputError, NotFoundError, Problem
from producthq.settings import Settings

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """Return a CSV cell a spreadsheet will not run as a formula (such text gets a quote)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _utc_today() -> date:
    return datetime.now(UTC).date()


def _segment_name(name: str) -> str:
    text = name.strip()
    if not text:
        raise InvalidInputError.single(("name",), "a segment needs a name", "missing")
    if len(text) > 200:
        raise InvalidInputError.single(("name",), "a segment name has at most 200 characters")
    return text


def _check_unique(session: Session, workspace_id: int, name: str, own_id: int | None) -> None:
    clash = session.scalar(
        select(Segment).where(Segment.workspace_id == workspace_id, Segment.name == name)
    )
    if clash is not None and clash.id != own_id:
        raise ConflictError(
            f"a segment named {name!r} already exists",
            details=[Problem(("name",), f"a segment named {name!r} already exists", "taken")],
        )


def create_segment(
    session: Session, *, actor: Actor, name: str, definition: Any, description: str = ""
) -> Segment:
    """Save a segment of the actor's workspace.

    Raises:
        InvalidInputError: an empty name or a bad definition (each problem located).
        ConflictError: the workspace has a segment of that name.
    """
    text = _segment_name(name)
    parsed = parse_definition(definition)
    _check_unique(session, actor.workspace_id, text, None)
    segment = Segment(
        workspace_id=actor.workspace_id,
        name=text,
        description=description.strip()[:1000],
        definition=definition_json(parsed),
        created_by_id=actor.user_id,
    )
    session.add(segment)
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="create",
        object_type="segment",
        object_id=segment.id,
        summary=f"created segment {segment.name!r}",
    )
    return segment


def list_segments(session: Session, *, workspace_id: int) -> list[Segment]:
    """Return the workspace's segments by name."""
    rows = session.scalars(
        select(Segment).where(Segment.workspace_id == workspace_id).order_by(Segment.name)
    )
    return list(rows)


def get_segment(session: Session, *, workspace_id: int, segment_id: int) -> Segment:
    """Return a segment of the workspace; raise ``NotFoundError`` otherwise."""
    segment = session.scalar(
        select(Segment).where(Segment.id == segment_id, Segment.workspace_id == workspace_id)
    )
    if segment is None:
        raise NotFoundError(f"segment {segment_id} does not exist")
    return segment


def update_segment(
    session: Session,
    *,
    actor: Actor,
    segment_id: int,
    name: str | None = None,
    definition: Any = None,
    description: str | None = None,
) -> Segment:
    """Change a segment's name, description or definition (``None`` keeps the value).

    Raises:
        InvalidInputError, ConflictError: as ``create_segment``.
    """
    segment = get_segment(session, workspace_id=actor.workspace_id, segment_id=segment_id)
    if name is not None:
        text = _segment_name(name)
        _check_unique(session, actor.workspace_id, text, segment.id)
        segment.name = text
    if definition is not None:
        segment.definition = definition_json(parse_definition(definition))
    if description is not None:
        segment.description = description.strip()[:1000]
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="update",
        object_type="segment",
        object_id=segment.id,
        summary=f"updated segment {segment.name!r}",
    )
    return segment


def delete_segment(session: Session, *, actor: Actor, segment_id: int) -> None:
    """Delete a segment.

    Raises:
        ConflictError: a saved insight uses it (remove the insight first).
    """
    segment = get_segment(session, workspace_id=actor.workspace_id, segment_id=segment_id)
    saved = session.scalars(
        select(SavedInsight).where(SavedInsight.workspace_id == actor.workspace_id)
    )
    users = [s.name for s in saved if query_segment_id(s.query) == segment_id]
    if users:
        raise ConflictError(
            f"segment {segment.name!r} is used by saved insight(s): {', '.join(users)[:300]}; "
            "remove them from their dashboards first"
        )
    session.delete(segment)
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="delete",
        object_type="segment",
        object_id=segment_id,
        summary=f"deleted segment {segment.name!r}",
    )


def segment_definition(segment: Segment) -> SegmentGroup:
    """Return a stored segment's definition, parsed."""
    return parse_definition(segment.definition)


def query_segment_id(query: str) -> int | None:
    """Return the ``segment=ID`` of an insight's query string, if any."""
    text = (parse_qs(query).get("segment") or [""])[-1].strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise InvalidInputError.single(("segment",), f"bad segment id {text[:20]!r}")
    return int(text)


def resolve_segment(
    session: Session,
    *,
    workspace_id: int,
    segment_id: int | None = None,
    definition: str | None = None,
) -> SegmentGroup | None:
    """Return the segment a request names: a saved one by id, or an inline JSON definition.

    Raises:
        InvalidInputError: both given, or a bad inline definition.
        NotFoundError: no such segment in the workspace.
    """
    if segment_id is not None and definition:
        raise InvalidInputError.single(
            ("segment_def",), "give either a segment id or an inline definition, not both"
        )
    if segment_id is not None:
        return segment_definition(
            get_segment(session, workspace_id=workspace_id, segment_id=segment_id)
        )
    if definition:
        return parse_definition(definition)
    return None


def query_segment(session: Session, *, workspace_id: int, query: str) -> SegmentGroup | None:
    """Return the segment named by an insight's query string (``segment=ID`` or
    ``segment_def=JSON``), checking it exists."""
    inline = (parse_qs(query).get("segment_def") or [""])[-1]
    return resolve_segment(
        session,
        workspace_id=workspace_id,
        segment_id=query_segment_id(query),
        definition=inline or None,
    )


def segment_members(
    settings: Settings, *, workspace_id: int, segment: SegmentGroup, as_of: date | None = None
) -> list[str]:
    """Return the user ids in a segment now, sorted."""
    with open_sources(settings, workspace_id) as sources:
        expr = segment_users(segment, sources, as_of=as_of or _utc_today())
        found = expr.to_pyarrow().column("user_id").to_pylist()
    return sorted(str(u) for u in found)


def segment_members_csv(
    settings: Settings, *, workspace_id: int, segment: SegmentGroup, as_of: date | None = None
) -> str:
    """Return a segment's users as CSV (one column ``user_id``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["user_id"])
    for user in segment_members(settings, workspace_id=workspace_id, segment=segment, as_of=as_of):
        writer.writerow([safe_cell(user)])
    return out.getvalue()


def known_properties(settings: Settings, *, workspace_id: int) -> list[str]:
    """Return the breakdown keys a picker offers: event, ``user.`` and ``account.`` properties."""
    keys = property_keys(settings, workspace_id)
    return [
        *keys["event"],
        *(f"user.{k}" for k in keys["user"]),
        *(f"account.{k}" for k in keys["account"]),
    ]


def funnel_dropped_definition(
    query: InsightQuery, step: int | None, within: SegmentGroup | None = None
) -> dict[str, Any]:
    """Return the definition of "users who dropped at a funnel step", ready to save.

    ``within`` keeps only the drop-outs in that segment (a funnel is computed per user, so
    this equals the funnel run on the segment's users). The query's event filters are not
    carried over.
    """
    prepared = metric_params(replace(query, kind="funnel", breakdown=None))
    steps = prepared.params.steps
    if step is not None and not 2 <= step <= len(steps):
        raise InvalidInputError.single(("step",), f"step must be between 2 and {len(steps)}")
    condition: dict[str, Any] = {
        "type": "funnel_dropped",
        "steps": ",".join(s.label() for s in steps),
        "window": query.window or "7d",
    }
    if step is not None:
        condition["step"] = step
    if query.start:
        condition["from"] = query.start.isoformat()
    if query.end:
        condition["to"] = query.end.isoformat()
    conditions = [condition] if within is None else [condition, definition_json(within)]
    return {"match": "all", "conditions": conditions}
