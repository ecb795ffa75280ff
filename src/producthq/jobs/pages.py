"""HTML routes for jobs: a list and a detail page that update live with HTMX polling."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from producthq.accounts.roles import Role
from producthq.jobs import service
from producthq.web.deps import EditorDep, IdPath, ViewerDep
from producthq.web.render import is_htmx, render_ws

router = APIRouter()


@router.get("/w/{ws}/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, access: ViewerDep) -> HTMLResponse:
    """Every job of the workspace; HTMX polls the table partial."""
    rows, _ = service.list_jobs(access.session, workspace_id=access.workspace.id, limit=50)
    template = "jobs/_table.html" if is_htmx(request) else "jobs/list.html"
    return render_ws(
        request, access, template, {"jobs": rows, "can_edit": access.role.allows(Role.editor)}
    )


@router.post("/w/{ws}/jobs/demo")
def start_demo_job(access: EditorDep) -> Response:
    """Start the demo job and go to its page."""
    job = service.create_job(
        access.session,
        actor=access.actor,
        workspace_id=access.workspace.id,
        kind="demo",
        params={"steps": 20, "delay": 0.25},
    )
    return RedirectResponse(f"/w/{access.workspace.slug}/jobs/{job.id}", status_code=303)


@router.get("/w/{ws}/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: IdPath, access: ViewerDep) -> HTMLResponse:
    """One job; while it runs, HTMX swaps in the fresh partial every second."""
    job = service.get_job(access.session, workspace_id=access.workspace.id, job_id=job_id)
    template = "jobs/_job.html" if is_htmx(request) else "jobs/detail.html"
    return render_ws(request, access, template, {"job": job})
