"""Recording and reading the audit log."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from producthq.audit.models import AuditEntry
from producthq.db import utcnow


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user or an API token, in one workspace with a role."""

    user_id: int | None
    label: str
    workspace_id: int
    role: str
    token_id: int | None = None


def record(
    session: Session,
    *,
    actor: Actor | None,
    workspace_id: int,
    action: str,
    object_type: str,
    object_id: object = "",
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry for a state-changing action (flushed with the unit of work)."""
    entry = AuditEntry(
        workspace_id=workspace_id,
        actor_id=actor.user_id if actor else None,
        actor_label=(actor.label if actor else "system")[:320],
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=summary[:500],
        changes=changes or {},
    )
    session.add(entry)
    return entry


class Revocable(Protocol):
    """A secret-bearing row (API token, share link, write key) that can be revoked."""

    id: Any
    revoked_at: Any


def revoke(
    session: Session, *, actor: Actor, row: Revocable, object_type: str, summary: str
) -> None:
    """Revoke the row now and audit it; revoking twice changes and records nothing."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record(
            session,
            actor=actor,
            workspace_id=actor.workspace_id,
            action="revoke",
            object_type=object_type,
            object_id=row.id,
            summary=summary,
        )
    session.flush()


def list_entries(
    session: Session,
    *,
    workspace_id: int,
    actor_id: int | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """List audit entries newest first, filtered by person, object and date range."""
    since = since.replace(tzinfo=UTC) if since and since.tzinfo is None else since
    until = until.replace(tzinfo=UTC) if until and until.tzinfo is None else until
    query = select(AuditEntry).where(AuditEntry.workspace_id == workspace_id)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id:
        query = query.where(AuditEntry.object_id == object_id)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit).offset(offset)
    ).all()
    return list(rows), total
