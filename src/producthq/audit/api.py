"""JSON route for the audit log (admins)."""

from datetime import datetime

from fastapi import APIRouter, Query

from producthq.audit import service
from producthq.audit.schemas import AuditEntryRead, AuditPage
from producthq.web.deps import MAX_ID, AdminDep, OffsetQuery

router = APIRouter(prefix="/api/v1/workspaces/{ws}/audit", tags=["audit"])


@router.get("", response_model=AuditPage)
def list_audit(
    access: AdminDep,
    actor_id: int | None = Query(None, ge=1, le=MAX_ID, description="Only this person's actions"),
    object_type: str | None = Query(None, max_length=64),
    object_id: str | None = Query(None, max_length=64),
    since: datetime | None = Query(None, description="From this time (inclusive)"),
    until: datetime | None = Query(None, description="Before this time"),
    limit: int = Query(100, ge=1, le=1000),
    offset: OffsetQuery = 0,
) -> AuditPage:
    """Who changed what and when, newest first."""
    rows, total = service.list_entries(
        access.session,
        workspace_id=access.workspace.id,
        actor_id=actor_id,
        object_type=object_type,
        object_id=object_id,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    return AuditPage(items=[AuditEntryRead.model_validate(r) for r in rows], total=total)
