"""Rendering pages: one route serves the full page, or the partial to an HTMX request."""

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from producthq.accounts import service as accounts
from producthq.accounts.models import User
from producthq.web.context import AppContext
from producthq.web.deps import WorkspaceAccess


def is_htmx(request: Request) -> bool:
    """Return whether the request comes from HTMX (it then wants a partial)."""
    return request.headers.get("hx-request") == "true"


def render(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """Render a template with the request in its context."""
    ctx: AppContext = request.app.state.ctx
    response: HTMLResponse = ctx.templates.TemplateResponse(
        request, template, context, status_code=status_code
    )
    return response


def render_ws(
    request: Request,
    access: WorkspaceAccess,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a workspace page with the workspace switcher filled in."""
    full = {
        "access": access,
        "my_workspaces": _my_workspaces(access),
        **(context or {}),
    }
    return render(request, template, full, status_code=status_code)


def _my_workspaces(access: WorkspaceAccess) -> list[Any]:
    if access.token_id is not None:
        return []
    user: User = access.user
    return accounts.list_user_workspaces(access.session, user=user)
