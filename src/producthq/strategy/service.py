"""Use cases of the strategy area: vision, personas, competitors.

Objectives, key results, check-ins, links and the investment mix are in ``okrs.py``. Functions
flush, never commit: the caller's unit of work commits once.
"""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from producthq.audit.service import Actor, record
from producthq.errors import ConflictError, InvalidInputError, NotFoundError
from producthq.strategy.models import Competitor, Persona, VisionRevision
from producthq.strategy.schemas import (
    CompetitorCreate,
    CompetitorUpdate,
    PersonaCreate,
    PersonaUpdate,
    VisionUpdate,
)
from producthq.strategy.textdiff import DiffLine, diff_lines

# --- vision ------------------------------------------------------------------------------


def find_vision(session: Session, *, workspace_id: int) -> VisionRevision | None:
    """Return the newest vision revision, or ``None`` when the vision was never written."""
    return session.scalar(
        select(VisionRevision)
        .where(VisionRevision.workspace_id == workspace_id)
        .order_by(VisionRevision.number.desc())
        .limit(1)
    )


def list_vision_revisions(session: Session, *, workspace_id: int) -> list[VisionRevision]:
    """Return every revision of the vision, newest first."""
    return list(
        session.scalars(
            select(VisionRevision)
            .where(VisionRevision.workspace_id == workspace_id)
            .order_by(VisionRevision.number.desc())
        )
    )


def get_vision_revision(session: Session, *, workspace_id: int, number: int) -> VisionRevision:
    """Return revision ``number``; raise ``NotFoundError`` if there is none."""
    revision = session.scalar(
        select(VisionRevision).where(
            VisionRevision.workspace_id == workspace_id, VisionRevision.number == number
        )
    )
    if revision is None:
        raise NotFoundError(f"vision revision {number} does not exist")
    return revision


def save_vision(session: Session, *, actor: Actor, data: VisionUpdate) -> VisionRevision:
    """Save the vision text as a new revision (every save is kept, with author and time).

    Raises:
        ConflictError: someone else saved at the same moment; reload and save again.
    """
    latest = session.scalar(
        select(func.max(VisionRevision.number)).where(
            VisionRevision.workspace_id == actor.workspace_id
        )
    )
    revision = VisionRevision(
        workspace_id=actor.workspace_id,
        number=(latest or 0) + 1,
        body=data.body,
        summary=data.summary,
        author_id=actor.user_id,
        author_label=actor.label[:320],
    )
    try:
        with session.begin_nested():
            session.add(revision)
    except IntegrityError:
        raise ConflictError(
            "someone saved the vision at the same time; reload the page and save again"
        ) from None
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="update",
        object_type="vision",
        object_id=revision.number,
        summary=f"saved vision revision {revision.number}",
    )
    session.flush()
    return revision


def diff_vision(
    session: Session, *, workspace_id: int, from_number: int, to_number: int
) -> list[DiffLine]:
    """Return the line diff from one vision revision to another."""
    old = get_vision_revision(session, workspace_id=workspace_id, number=from_number)
    new = get_vision_revision(session, workspace_id=workspace_id, number=to_number)
    return diff_lines(old.body, new.body)


# --- personas ----------------------------------------------------------------------------


def list_personas(session: Session, *, workspace_id: int) -> list[Persona]:
    """Return the workspace's personas by name."""
    return list(
        session.scalars(
            select(Persona)
            .where(Persona.workspace_id == workspace_id)
            .order_by(Persona.name, Persona.id)
        )
    )


def get_persona(session: Session, *, workspace_id: int, persona_id: int) -> Persona:
    """Return a persona; raise ``NotFoundError`` if it is not in the workspace."""
    persona = session.scalar(
        select(Persona).where(Persona.id == persona_id, Persona.workspace_id == workspace_id)
    )
    if persona is None:
        raise NotFoundError(f"persona {persona_id} does not exist")
    return persona


def create_persona(session: Session, *, actor: Actor, data: PersonaCreate) -> Persona:
    """Create a persona."""
    persona = Persona(workspace_id=actor.workspace_id, **data.model_dump())
    session.add(persona)
    session.flush()
    _audit(session, actor, "create", "persona", persona.id, f"created persona {persona.name!r}")
    return persona


def update_persona(
    session: Session, *, actor: Actor, persona_id: int, data: PersonaUpdate
) -> Persona:
    """Change a persona's name or description."""
    persona = get_persona(session, workspace_id=actor.workspace_id, persona_id=persona_id)
    _apply(persona, data.model_dump(exclude_unset=True, exclude_none=True))
    _audit(session, actor, "update", "persona", persona.id, f"updated persona {persona.name!r}")
    session.flush()
    return persona


def delete_persona(session: Session, *, actor: Actor, persona_id: int) -> None:
    """Delete a persona."""
    persona = get_persona(session, workspace_id=actor.workspace_id, persona_id=persona_id)
    session.delete(persona)
    _audit(session, actor, "delete", "persona", persona_id, f"deleted persona {persona.name!r}")
    session.flush()


# --- competitors -------------------------------------------------------------------------


def list_competitors(session: Session, *, workspace_id: int) -> list[Competitor]:
    """Return the workspace's competitors by name."""
    return list(
        session.scalars(
            select(Competitor)
            .where(Competitor.workspace_id == workspace_id)
            .order_by(Competitor.name, Competitor.id)
        )
    )


def get_competitor(session: Session, *, workspace_id: int, competitor_id: int) -> Competitor:
    """Return a competitor; raise ``NotFoundError`` if it is not in the workspace."""
    competitor = session.scalar(
        select(Competitor).where(
            Competitor.id == competitor_id, Competitor.workspace_id == workspace_id
        )
    )
    if competitor is None:
        raise NotFoundError(f"competitor {competitor_id} does not exist")
    return competitor


def create_competitor(session: Session, *, actor: Actor, data: CompetitorCreate) -> Competitor:
    """Create a competitor."""
    competitor = Competitor(workspace_id=actor.workspace_id, **data.model_dump())
    session.add(competitor)
    session.flush()
    _audit(
        session,
        actor,
        "create",
        "competitor",
        competitor.id,
        f"created competitor {competitor.name!r}",
    )
    return competitor


def update_competitor(
    session: Session, *, actor: Actor, competitor_id: int, data: CompetitorUpdate
) -> Competitor:
    """Change a competitor's fields."""
    competitor = get_competitor(
        session, workspace_id=actor.workspace_id, competitor_id=competitor_id
    )
    _apply(competitor, data.model_dump(exclude_unset=True, exclude_none=True))
    _audit(
        session,
        actor,
        "update",
        "competitor",
        competitor.id,
        f"updated competitor {competitor.name!r}",
    )
    session.flush()
    return competitor


def delete_competitor(session: Session, *, actor: Actor, competitor_id: int) -> None:
    """Delete a competitor."""
    competitor = get_competitor(
        session, workspace_id=actor.workspace_id, competitor_id=competitor_id
    )
    session.delete(competitor)
    _audit(
        session,
        actor,
        "delete",
        "competitor",
        competitor_id,
        f"deleted competitor {competitor.name!r}",
    )
    session.flush()


# --- shared ------------------------------------------------------------------------------


def _apply(obj: object, values: dict[str, object]) -> None:
    for key, value in values.items():
        if not hasattr(obj, key):
            raise InvalidInputError.single((key,), f"unknown field {key!r}")
        setattr(obj, key, value)


def _audit(
    session: Session, actor: Actor, action: str, object_type: str, object_id: int, summary: str
) -> None:
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary,
    )
