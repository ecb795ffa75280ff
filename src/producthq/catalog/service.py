"""Use cases of the feature catalogue (the minimal part feedback needs; issue 5 extends it).

Functions flush, never commit: the caller's unit of work commits once.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from producthq.audit.service import Actor, record
from producthq.catalog.models import Feature
from producthq.catalog.schemas import FeatureCreate, FeatureUpdate
from producthq.errors import NotFoundError


def create_feature(session: Session, *, actor: Actor | None, data: FeatureCreate) -> Feature:
    """Create a feature in the actor's workspace.

    Args:
        session: The unit of work.
        actor: Who creates it (``None`` for the system); its workspace owns the feature.
        data: Title, description and status.

    Returns:
        The new feature, flushed (it has an id).
    """
    workspace_id = _workspace_id(session, actor)
    feature = Feature(
        workspace_id=workspace_id,
        title=data.title,
        description=data.description,
        status=data.status.value,
    )
    session.add(feature)
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=workspace_id,
        action="create",
        object_type="feature",
        object_id=feature.id,
        summary=f"created feature {feature.title}",
    )
    return feature


def _workspace_id(session: Session, actor: Actor | None) -> int:
    if actor is not None:
        return actor.workspace_id
    scoped = session.info.get("workspace_id")
    if scoped is None:
        raise NotFoundError("no workspace given")
    return int(scoped)


def find_feature(session: Session, *, workspace_id: int, feature_id: int) -> Feature | None:
    """Return the workspace's feature with this id, or ``None``."""
    return session.scalar(
        select(Feature).where(Feature.id == feature_id, Feature.workspace_id == workspace_id)
    )


def get_feature(session: Session, *, workspace_id: int, feature_id: int) -> Feature:
    """Return the workspace's feature with this id; raise ``NotFoundError`` otherwise."""
    feature = find_feature(session, workspace_id=workspace_id, feature_id=feature_id)
    if feature is None:
        raise NotFoundError(f"feature {feature_id} does not exist")
    return feature


def list_features(
    session: Session, *, workspace_id: int, search: str | None = None, limit: int = 200
) -> list[Feature]:
    """Return the workspace's features by title, optionally filtered by a title search."""
    query = select(Feature).where(Feature.workspace_id == workspace_id)
    if search:
        query = query.where(Feature.title.ilike(f"%{search}%"))
    return list(session.scalars(query.order_by(Feature.title, Feature.id).limit(limit)))


def update_feature(
    session: Session, *, actor: Actor, feature_id: int, data: FeatureUpdate
) -> Feature:
    """Change a feature's title, description or status (only the fields given)."""
    feature = get_feature(session, workspace_id=actor.workspace_id, feature_id=feature_id)
    changes: dict[str, object] = {}
    for name, value in data.model_dump(exclude_unset=True).items():
        if value is None:
            continue
        stored = value.value if hasattr(value, "value") else value
        if getattr(feature, name) != stored:
            changes[name] = stored
            setattr(feature, name, stored)
    session.flush()
    if changes:
        record(
            session,
            actor=actor,
            workspace_id=actor.workspace_id,
            action="update",
            object_type="feature",
            object_id=feature.id,
            summary=f"updated feature {feature.title}",
            changes={k: str(v)[:200] for k, v in changes.items()},
        )
    return feature
