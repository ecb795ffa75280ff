"""JSON routes for jobs."""

from fastapi import APIRouter, Query, status

from producthq.jobs import service
from producthq.jobs.schemas import JobCreate, JobPage, JobRead
from producthq.web.deps import EditorDep, IdPath, OffsetQuery, ViewerDep

router = APIRouter(prefix="/api/v1/workspaces/{ws}/jobs", tags=["jobs"])


@router.get("", response_model=JobPage)
def list_jobs(
    access: ViewerDep,
    limit: int = Query(50, ge=1, le=500),
    offset: OffsetQuery = 0,
) -> JobPage:
    """The workspace's jobs, newest first."""
    rows, total = service.list_jobs(
        access.session, workspace_id=access.workspace.id, limit=limit, offset=offset
    )
    return JobPage(items=[JobRead.model_validate(j) for j in rows], total=total)


@router.post("", response_model=JobRead, status_code=status.HTTP_202_ACCEPTED)
def create_job(data: JobCreate, access: EditorDep) -> JobRead:
    """Start a job of a registered kind; poll it for progress."""
    job = service.create_job(
        access.session,
        actor=access.actor,
        workspace_id=access.workspace.id,
        kind=data.kind,
        params=data.params,
    )
    return JobRead.model_validate(job)


@router.get("/{job_id}", response_model=JobRead)
def read_job(job_id: IdPath, access: ViewerDep) -> JobRead:
    """One job with its progress."""
    return JobRead.model_validate(
        service.get_job(access.session, workspace_id=access.workspace.id, job_id=job_id)
    )
