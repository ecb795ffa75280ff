"""HTML route for the audit log (admins)."""

from datetime import UTC, date, datetime, time, timedelta

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from producthq.accounts import service as accounts
from producthq.audit import service
from producthq.audit.models import AuditEntry
from producthq.web.deps import AdminDep
from producthq.web.render import render_ws

router = APIRouter()


def _object_types(access: AdminDep) -> list[str]:
    rows = access.session.scalars(
        select(AuditEntry.object_type)
        .where(AuditEntry.workspace_id == access.workspace.id)
        .distinct()
    )
    return sorted(rows)


@router.get("/w/{ws}/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    access: AdminDep,
    actor_id: str | None = Query(None, max_length=20),
    object_type: str | None = Query(None, max_length=64),
    since: str | None = Query(None, max_length=10),
    until: str | None = Query(None, max_length=10),
) -> HTMLResponse:
    """Who changed what and when, filterable by person, object and date."""
    actor = int(actor_id) if actor_id and actor_id.isdigit() and len(actor_id) <= 9 else None
    since_d = _date(since)
    until_d = _date(until)
    rows, total = service.list_entries(
        access.session,
        workspace_id=access.workspace.id,
        actor_id=actor,
        object_type=object_type or None,
        since=datetime.combine(since_d, time(), UTC) if since_d else None,
        until=datetime.combine(until_d + timedelta(days=1), time(), UTC) if until_d else None,
        limit=500,
    )
    return render_ws(
        request,
        access,
        "audit/list.html",
        {
            "entries": rows,
            "total": total,
            "members": accounts.list_members(access.session, workspace_id=access.workspace.id),
            "object_types": _object_types(access),
            "filters": {
                "actor_id": actor,
                "object_type": object_type,
                "since": since_d.isoformat() if since_d else "",
                "until": until_d.isoformat() if until_d else "",
            },
        },
    )


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
