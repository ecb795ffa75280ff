"""JSON routes of the analytics area: insights, write keys, imports and key-result refresh."""

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile, status
from fastapi.responses import PlainTextResponse

from producthq.analytics import importer, segment_service, service
from producthq.analytics.events import parse_mapping
from producthq.analytics.query import INSIGHT_KINDS, InsightQuery
from producthq.analytics.schemas import (
    ImportStarted,
    InsightRead,
    RefreshRead,
    SavedInsightCreate,
    SavedInsightRead,
    SegmentCreate,
    SegmentMembersRead,
    SegmentRead,
    SegmentUpdate,
    StoreStatusRead,
    WriteKeyCreate,
    WriteKeyCreated,
    WriteKeyRead,
)
from producthq.analytics.segments import SegmentGroup
from producthq.analytics.web_params import SegmentRef, insight_params, segment_params
from producthq.jobs import service as jobs
from producthq.web.deps import MAX_ID, AdminDep, CtxDep, EditorDep, ViewerDep, WorkspaceAccess

router = APIRouter(prefix="/api/v1/workspaces/{ws}", tags=["analytics"])
KindPath = Annotated[str, Path(max_length=32, description=", ".join(INSIGHT_KINDS))]
KeyIdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
InsightIdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
SegmentIdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
SegmentDep = Annotated[SegmentRef, Depends(segment_params)]


def _segment(access: WorkspaceAccess, ref: SegmentRef) -> SegmentGroup | None:
    return segment_service.resolve_segment(
        access.session,
        workspace_id=access.workspace.id,
        segment_id=ref.segment_id,
        definition=ref.definition,
    )


def _insight_read(insight: service.Insight, *, chart: bool) -> InsightRead:
    return InsightRead(
        kind=insight.kind,
        columns=insight.columns,
        rows=insight.rows,
        start=insight.start,
        end=insight.end,
        breakdown=insight.breakdown,
        breakdown_values=insight.breakdown_values,
        chart=insight.chart if chart else None,
    )


@router.get("/metrics", response_model=StoreStatusRead)
def metrics_status(access: ViewerDep, ctx: CtxDep) -> StoreStatusRead:
    """The metric kinds, the workspace's event count and the capture backlog."""
    found = service.store_status(ctx.settings, workspace_id=access.workspace.id)
    return StoreStatusRead(events=found.events, backlog=found.backlog, kinds=list(INSIGHT_KINDS))


@router.get(
    "/metrics/funnel/dropped",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def funnel_dropped(
    access: ViewerDep,
    ctx: CtxDep,
    query: Annotated[InsightQuery, Depends(insight_params)],
    ref: SegmentDep,
    step: Annotated[int | None, Query(ge=2, le=50, description="Only this step.")] = None,
) -> PlainTextResponse:
    """The users who dropped at each funnel step, as CSV (an exportable segment).

    To keep them as a saved segment, POST ``analytics/segments`` with a ``funnel_dropped``
    condition, or ``analytics/segments/from-funnel`` with the same query.
    """
    text = service.funnel_dropped_csv(
        ctx.settings,
        workspace_id=access.workspace.id,
        query=query,
        step=step,
        segment=_segment(access, ref),
    )
    return PlainTextResponse(text, media_type="text/csv")


@router.get("/metrics/{kind}", response_model=InsightRead)
def metric(
    kind: KindPath,
    access: ViewerDep,
    ctx: CtxDep,
    query: Annotated[InsightQuery, Depends(insight_params)],
    ref: SegmentDep,
    chart: Annotated[bool, Query(description="Include the Vega-Lite spec.")] = False,
) -> InsightRead:
    """Compute a metric on the workspace's events (meanings in docs/analytics-metrics.md).

    ``segment`` (a saved segment's id) or ``segment_def`` (inline JSON) keeps the segment's
    users; ``breakdown`` takes an event property, ``user.KEY`` or ``account.KEY``.
    """
    insight = service.run_insight(
        ctx.settings,
        workspace_id=access.workspace.id,
        query=dataclasses.replace(query, kind=kind),
        segment=_segment(access, ref),
    )
    return _insight_read(insight, chart=chart)


@router.post("/metrics/refresh-key-results", response_model=RefreshRead)
def refresh_key_results(access: EditorDep, ctx: CtxDep) -> RefreshRead:
    """Refresh every key result bound to a metric from the events store."""
    report = service.refresh_key_results(
        access.session, settings=ctx.settings, workspace_id=access.workspace.id
    )
    return RefreshRead(updated=list(report.updated), skipped=dict(report.skipped))


@router.get("/analytics/write-keys", response_model=list[WriteKeyRead])
def list_write_keys(access: AdminDep) -> list[WriteKeyRead]:
    """The workspace's capture write keys."""
    keys = service.list_write_keys(access.session, workspace_id=access.workspace.id)
    return [WriteKeyRead.model_validate(k) for k in keys]


@router.post(
    "/analytics/write-keys", response_model=WriteKeyCreated, status_code=status.HTTP_201_CREATED
)
def create_write_key(access: AdminDep, data: WriteKeyCreate | None = None) -> WriteKeyCreated:
    """Create a write key for capture; its secret is shown only in this answer."""
    new = service.create_write_key(
        access.session, actor=access.actor, name=data.name if data else "write key"
    )
    read = WriteKeyRead.model_validate(new.key)
    return WriteKeyCreated(**read.model_dump(), secret=new.secret)


@router.delete("/analytics/write-keys/{key_id}", response_model=WriteKeyRead)
def revoke_write_key(key_id: KeyIdPath, access: AdminDep) -> WriteKeyRead:
    """Revoke a write key."""
    key = service.revoke_write_key(access.session, actor=access.actor, key_id=key_id)
    return WriteKeyRead.model_validate(key)


@router.post("/events/import", response_model=ImportStarted, status_code=status.HTTP_202_ACCEPTED)
def import_events(
    access: EditorDep,
    ctx: CtxDep,
    file: Annotated[UploadFile, File(description="CSV, JSON Lines or Parquet (optionally .gz)")],
    mapping: Annotated[
        str | None, Form(max_length=2000, description="COLUMN=FIELD pairs, comma-separated")
    ] = None,
) -> ImportStarted:
    """Upload an events file and start an import job; follow it at ``job_url``."""
    pairs = parse_mapping([p for p in (mapping or "").split(",") if p.strip()])
    path = importer.save_upload(ctx.settings.data_dir, file.filename or "", file.file)
    job = jobs.create_job(
        access.session,
        actor=access.actor,
        workspace_id=access.workspace.id,
        kind=importer.JOB_KIND,
        params={"upload": path.name, "mapping": pairs, "filename": file.filename or ""},
    )
    return ImportStarted(
        job_id=job.id, job_url=f"/api/v1/workspaces/{access.workspace.slug}/jobs/{job.id}"
    )


@router.get("/analytics/insights", response_model=list[SavedInsightRead])
def list_saved_insights(access: ViewerDep) -> list[SavedInsightRead]:
    """The insights saved to the workspace's dashboards."""
    rows = service.list_saved_insights(access.session, workspace_id=access.workspace.id)
    return [SavedInsightRead.model_validate(r) for r in rows]


@router.post(
    "/analytics/insights", response_model=SavedInsightRead, status_code=status.HTTP_201_CREATED
)
def save_insight(access: EditorDep, data: SavedInsightCreate) -> SavedInsightRead:
    """Save an insight to a dashboard (its options are checked first)."""
    saved = service.create_saved_insight(
        access.session,
        actor=access.actor,
        name=data.name,
        kind=data.kind,
        query=data.query,
        dashboard=data.dashboard,
    )
    return SavedInsightRead.model_validate(saved)


@router.get("/analytics/insights/{insight_id}", response_model=InsightRead)
def saved_insight_result(
    insight_id: InsightIdPath,
    access: ViewerDep,
    ctx: CtxDep,
    chart: Annotated[bool, Query(description="Include the Vega-Lite spec.")] = False,
) -> InsightRead:
    """Compute a saved insight now."""
    saved = service.get_saved_insight(
        access.session, workspace_id=access.workspace.id, insight_id=insight_id
    )
    insight = service.run_saved_insight(ctx.settings, saved, session=access.session)
    return _insight_read(insight, chart=chart)


@router.delete("/analytics/insights/{insight_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_saved_insight(insight_id: InsightIdPath, access: EditorDep) -> None:
    """Remove a saved insight from its dashboard."""
    service.delete_saved_insight(access.session, actor=access.actor, insight_id=insight_id)


@router.get("/analytics/segments", response_model=list[SegmentRead])
def list_segments(access: ViewerDep) -> list[SegmentRead]:
    """The workspace's saved segments."""
    rows = segment_service.list_segments(access.session, workspace_id=access.workspace.id)
    return [SegmentRead.model_validate(r) for r in rows]


@router.post("/analytics/segments", response_model=SegmentRead, status_code=status.HTTP_201_CREATED)
def create_segment(access: EditorDep, data: SegmentCreate) -> SegmentRead:
    """Save a segment (its definition is validated first)."""
    segment = segment_service.create_segment(
        access.session,
        actor=access.actor,
        name=data.name,
        definition=data.definition,
        description=data.description,
    )
    return SegmentRead.model_validate(segment)


@router.post(
    "/analytics/segments/from-funnel",
    response_model=SegmentRead,
    status_code=status.HTTP_201_CREATED,
)
def create_segment_from_funnel(
    access: EditorDep,
    query: Annotated[InsightQuery, Depends(insight_params)],
    ref: SegmentDep,
    name: Annotated[str, Query(min_length=1, max_length=200)],
    step: Annotated[int | None, Query(ge=2, le=50, description="Dropped before this step.")] = None,
) -> SegmentRead:
    """Save the users who dropped out of a funnel (options as for the funnel) as a segment."""
    definition = segment_service.funnel_dropped_definition(query, step, _segment(access, ref))
    segment = segment_service.create_segment(
        access.session, actor=access.actor, name=name, definition=definition
    )
    return SegmentRead.model_validate(segment)


@router.get("/analytics/segments/{segment_id}", response_model=SegmentRead)
def get_segment(segment_id: SegmentIdPath, access: ViewerDep) -> SegmentRead:
    """One saved segment."""
    segment = segment_service.get_segment(
        access.session, workspace_id=access.workspace.id, segment_id=segment_id
    )
    return SegmentRead.model_validate(segment)


@router.patch("/analytics/segments/{segment_id}", response_model=SegmentRead)
def update_segment(
    segment_id: SegmentIdPath, access: EditorDep, data: SegmentUpdate
) -> SegmentRead:
    """Change a segment's name, description or definition."""
    segment = segment_service.update_segment(
        access.session,
        actor=access.actor,
        segment_id=segment_id,
        name=data.name,
        definition=data.definition,
        description=data.description,
    )
    return SegmentRead.model_validate(segment)


@router.delete("/analytics/segments/{segment_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_segment(segment_id: SegmentIdPath, access: EditorDep) -> None:
    """Delete a segment (refused while a saved insight uses it)."""
    segment_service.delete_segment(access.session, actor=access.actor, segment_id=segment_id)


@router.get("/analytics/segments/{segment_id}/users", response_model=SegmentMembersRead)
def segment_users(segment_id: SegmentIdPath, access: ViewerDep, ctx: CtxDep) -> SegmentMembersRead:
    """The users in a saved segment now."""
    segment = segment_service.get_segment(
        access.session, workspace_id=access.workspace.id, segment_id=segment_id
    )
    users = segment_service.segment_members(
        ctx.settings,
        workspace_id=access.workspace.id,
        segment=segment_service.segment_definition(segment),
    )
    return SegmentMembersRead(segment_id=segment.id, users=len(users), user_ids=users)
