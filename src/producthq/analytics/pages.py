"""HTML routes of the analytics area under /w/{ws}/analytics."""

import dataclasses
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from producthq.accounts.roles import Role
from producthq.analytics import importer, segment_service, service
from producthq.analytics.events import parse_mapping
from producthq.analytics.query import INSIGHT_KINDS, TITLES, InsightQuery
from producthq.analytics.segment_pages import router as segment_router
from producthq.analytics.web_params import SegmentRef, insight_params, segment_params
from producthq.errors import EngineError, InvalidInputError, NotFoundError
from producthq.jobs import service as jobs
from producthq.web.deps import MAX_ID, AdminDep, CtxDep, EditorDep, ViewerDep, WorkspaceAccess
from producthq.web.render import render_ws

router = APIRouter()
# Segment pages first: ``/w/{ws}/analytics/{kind}`` below would take ``segments`` for a kind.
router.include_router(segment_router)
SegmentDep = Annotated[SegmentRef, Depends(segment_params)]
KeyIdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
InsightIdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
DEFAULT_STEPS = "signup,project_created,invite_sent"


def _spec_json(spec: dict[str, Any]) -> Markup:
    # Inside <script type="application/json">: "</" must not end the element early.
    return Markup(json.dumps(spec, default=str).replace("</", "<\\/"))  # noqa: S704 - our JSON


def _overview(
    request: Request,
    access: WorkspaceAccess,
    ctx: Any,
    *,
    new_key: service.NewWriteKey | None = None,
    message: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    status = service.store_status(ctx.settings, workspace_id=access.workspace.id)
    tiles: list[dict[str, Any]] = []
    if status.events:
        for kind in ("dau", "retention", "lifecycle", "mrr"):
            insight = service.run_insight(
                ctx.settings, workspace_id=access.workspace.id, query=InsightQuery(kind=kind)
            )
            tiles.append({"kind": kind, "title": TITLES[kind], "spec": _spec_json(insight.chart)})
    dashboards: dict[str, list[dict[str, Any]]] = {}
    for saved in service.list_saved_insights(access.session, workspace_id=access.workspace.id):
        try:
            found = service.run_saved_insight(ctx.settings, saved, session=access.session)
            spec: Markup | None = _spec_json(found.chart)
            problem = None
        except (InvalidInputError, EngineError, NotFoundError) as exc:
            spec, problem = None, exc.message
        dashboards.setdefault(saved.dashboard, []).append(
            {"saved": saved, "spec": spec, "problem": problem}
        )
    is_admin = access.role.allows(Role.admin)
    keys = (
        service.list_write_keys(access.session, workspace_id=access.workspace.id)
        if is_admin
        else []
    )
    return render_ws(
        request,
        access,
        "analytics/overview.html",
        {
            "status": status,
            "tiles": tiles,
            "dashboards": dashboards,
            "kinds": [(k, TITLES[k]) for k in INSIGHT_KINDS],
            "keys": keys,
            "new_key": new_key,
            "is_admin": is_admin,
            "can_edit": access.role.allows(Role.editor),
            "message": message,
            "error": error,
            "base": f"/w/{access.workspace.slug}/analytics",
            "capture_url": f"{ctx.settings.base_url.rstrip('/')}/api/v1/capture",
        },
        status_code=status_code,
    )


@router.get("/w/{ws}/analytics", response_class=HTMLResponse)
def overview(request: Request, access: ViewerDep, ctx: CtxDep) -> HTMLResponse:
    """The analytics home: event counts, a few charts, capture keys and import."""
    return _overview(request, access, ctx)


@router.get("/w/{ws}/analytics/funnel/dropped.csv")
def funnel_dropped(
    access: ViewerDep,
    ctx: CtxDep,
    query: Annotated[InsightQuery, Depends(insight_params)],
    ref: SegmentDep,
) -> Response:
    """Download the users who dropped at each funnel step."""
    if not query.steps:
        query = dataclasses.replace(query, steps=DEFAULT_STEPS)
    segment = segment_service.resolve_segment(
        access.session,
        workspace_id=access.workspace.id,
        segment_id=ref.segment_id,
        definition=ref.definition,
    )
    text = service.funnel_dropped_csv(
        ctx.settings, workspace_id=access.workspace.id, query=query, segment=segment
    )
    return Response(
        text,
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="funnel-dropped.csv"'},
    )


@router.get("/w/{ws}/analytics/{kind}", response_class=HTMLResponse)
def insight_page(
    request: Request,
    kind: Annotated[str, Path(max_length=32)],
    access: ViewerDep,
    ctx: CtxDep,
    query: Annotated[InsightQuery, Depends(insight_params)],
    ref: SegmentDep,
) -> HTMLResponse:
    """One insight with its chart, table and options (segment and breakdown pickers)."""
    if kind not in INSIGHT_KINDS:
        raise NotFoundError(f"there is no insight {kind!r}")
    if kind == "funnel" and not query.steps:
        query = dataclasses.replace(query, steps=DEFAULT_STEPS)
    query = dataclasses.replace(query, kind=kind)
    error: str | None = None
    insight = None
    try:
        segment = segment_service.resolve_segment(
            access.session,
            workspace_id=access.workspace.id,
            segment_id=ref.segment_id,
            definition=ref.definition,
        )
        insight = service.run_insight(
            ctx.settings, workspace_id=access.workspace.id, query=query, segment=segment
        )
    except (InvalidInputError, EngineError, NotFoundError) as exc:
        error = exc.message
    try:
        keys = segment_service.known_properties(ctx.settings, workspace_id=access.workspace.id)
    except EngineError:
        keys = []
    api = f"/api/v1/workspaces/{access.workspace.slug}/metrics/{kind}"
    qs = request.url.query
    return render_ws(
        request,
        access,
        "analytics/insight.html",
        {
            "kind": kind,
            "title": TITLES[kind],
            "kinds": [(k, TITLES[k]) for k in INSIGHT_KINDS],
            "q": query,
            "insight": insight,
            "spec": _spec_json(insight.chart) if insight else None,
            "error": error,
            "api_url": api + (f"?{qs}" if qs else ""),
            "query_string": qs,
            "can_edit": access.role.allows(Role.editor),
            "base": f"/w/{access.workspace.slug}/analytics",
            "segments": segment_service.list_segments(
                access.session, workspace_id=access.workspace.id
            ),
            "segment_id": ref.segment_id,
            "property_keys": keys,
        },
        status_code=422 if error else 200,
    )


@router.post("/w/{ws}/analytics/write-keys", response_class=HTMLResponse)
def create_write_key(
    request: Request,
    access: AdminDep,
    ctx: CtxDep,
    name: Annotated[str, Form(max_length=200)] = "write key",
) -> HTMLResponse:
    """Create a write key and show its secret once."""
    new = service.create_write_key(access.session, actor=access.actor, name=name or "write key")
    return _overview(request, access, ctx, new_key=new, message="Write key created.")


@router.post("/w/{ws}/analytics/write-keys/{key_id}/revoke")
def revoke_write_key(key_id: KeyIdPath, access: AdminDep) -> Response:
    """Revoke a write key."""
    service.revoke_write_key(access.session, actor=access.actor, key_id=key_id)
    return RedirectResponse(f"/w/{access.workspace.slug}/analytics", status_code=303)


@router.post("/w/{ws}/analytics/import")
def start_import(
    request: Request,
    access: EditorDep,
    ctx: CtxDep,
    file: Annotated[UploadFile | None, File()] = None,
    mapping: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Upload an events file and start the import job."""
    try:
        if file is None or not file.filename:
            raise InvalidInputError.single(("file",), "choose a file to import")
        pairs = parse_mapping([p for p in mapping.split(",") if p.strip()])
        path = importer.save_upload(ctx.settings.data_dir, file.filename, file.file)
    except InvalidInputError as exc:
        return _overview(request, access, ctx, error=exc.message, status_code=422)
    job = jobs.create_job(
        access.session,
        actor=access.actor,
        workspace_id=access.workspace.id,
        kind=importer.JOB_KIND,
        params={"upload": path.name, "mapping": pairs, "filename": file.filename},
    )
    return RedirectResponse(f"/w/{access.workspace.slug}/jobs/{job.id}", status_code=303)


@router.post("/w/{ws}/analytics/refresh-key-results", response_class=HTMLResponse)
def refresh_key_results(request: Request, access: EditorDep, ctx: CtxDep) -> HTMLResponse:
    """Refresh the key results bound to a metric."""
    report = service.refresh_key_results(
        access.session, settings=ctx.settings, workspace_id=access.workspace.id
    )
    text = f"Refreshed {len(report.updated)} key result(s)"
    if report.skipped:
        text += "; skipped: " + "; ".join(f"#{k} {v}" for k, v in report.skipped.items())
    return _overview(request, access, ctx, message=text + ".")


@router.post("/w/{ws}/analytics/{kind}/save")
def save_insight(
    request: Request,
    kind: Annotated[str, Path(max_length=32)],
    access: EditorDep,
    ctx: CtxDep,
    name: Annotated[str, Form(max_length=200)] = "",
    dashboard: Annotated[str, Form(max_length=100)] = "Main",
    query: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Save the insight as shown (its options) to a dashboard."""
    try:
        service.create_saved_insight(
            access.session,
            actor=access.actor,
            name=name or TITLES.get(kind, kind),
            kind=kind,
            query=query,
            dashboard=dashboard or "Main",
        )
    except InvalidInputError as exc:
        return _overview(request, access, ctx, error=exc.message, status_code=422)
    return RedirectResponse(f"/w/{access.workspace.slug}/analytics#dashboards", status_code=303)


@router.post("/w/{ws}/analytics/saved/{insight_id}/delete")
def delete_saved_insight(insight_id: InsightIdPath, access: EditorDep) -> Response:
    """Remove a saved insight from its dashboard."""
    service.delete_saved_insight(access.session, actor=access.actor, insight_id=insight_id)
    return RedirectResponse(f"/w/{access.workspace.slug}/analytics#dashboards", status_code=303)
