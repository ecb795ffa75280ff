"""The workspace overview and the areas that later issues fill (honest empty states)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from producthq.errors import NotFoundError
from producthq.jobs import service as jobs
from producthq.web.deps import ViewerDep
from producthq.web.nav import AREA_BY_SLUG, AREAS
from producthq.web.render import render_ws

router = APIRouter()


@router.get("/w/{ws}/", response_class=HTMLResponse)
def overview(request: Request, access: ViewerDep) -> HTMLResponse:
    """The workspace's home page."""
    recent, _ = jobs.list_jobs(access.session, workspace_id=access.workspace.id, limit=5)
    return render_ws(request, access, "areas/overview.html", {"areas": AREAS, "jobs": recent})


@router.get("/w/{ws}/{area}", response_class=HTMLResponse)
def area_page(request: Request, area: str, access: ViewerDep) -> HTMLResponse:
    """An area's page; areas not built yet say so instead of showing invented data."""
    found = AREA_BY_SLUG.get(area)
    if found is None:
        raise NotFoundError(f"there is no page {area!r} in this workspace")
    return render_ws(request, access, "areas/empty.html", {"area": found})
