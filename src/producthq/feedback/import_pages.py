"""HTML routes for imports (upload, mapping, job) and the inbound webhook's admin page."""

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from producthq.errors import InvalidInputError
from producthq.feedback import importers, webhooks
from producthq.feedback.presets import PresetKind, presets_for
from producthq.feedback.rows import fields_for, read_columns
from producthq.jobs import service as jobs
from producthq.web.deps import AdminDep, CtxDep, EditorDep, WorkspaceAccess
from producthq.web.render import render_ws

router = APIRouter()


def _import_page(
    request: Request, access: WorkspaceAccess, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    wanted = extra.pop("kind", request.query_params.get("kind", "feedback"))
    kind: PresetKind = "companies" if wanted == "companies" else "feedback"
    return render_ws(
        request,
        access,
        "feedback/import.html",
        {
            "kind": kind,
            "presets": presets_for(kind),
            "fields": fields_for(kind),
            "step": "upload",
            **extra,
        },
        status_code=status_code,
    )


@router.get("/w/{ws}/feedback/import", response_class=HTMLResponse)
def import_page(request: Request, access: EditorDep) -> HTMLResponse:
    """Step 1 of an import: choose what to import and upload the file."""
    return _import_page(request, access)


@router.post("/w/{ws}/feedback/import", response_class=HTMLResponse)
def import_upload(
    request: Request,
    access: EditorDep,
    ctx: CtxDep,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form(max_length=20)] = "feedback",
    preset: Annotated[str, Form(max_length=64)] = "",
) -> HTMLResponse:
    """Step 2: save the file, show its columns and a field-by-field mapping to confirm."""
    chosen: PresetKind = "companies" if kind == "companies" else "feedback"
    try:
        path = importers.save_upload(ctx.settings.data_dir, file.filename or "upload", file.file)
        name = importers.original_name(path)
        mapping = importers.prepare_mapping(
            kind=chosen, path=path, filename=name, preset=preset or None, overrides={}
        )
        columns = read_columns(path, name)
    except InvalidInputError as exc:
        problems = [p.message for p in exc.details] or [exc.message]
        return _import_page(request, access, 422, kind=chosen, error=exc.message, problems=problems)
    return _import_page(
        request,
        access,
        kind=chosen,
        step="map",
        upload=path.name,
        filename=name,
        preset=preset,
        columns=columns,
        mapping=mapping.fields,
        structured=not columns,
    )


@router.post("/w/{ws}/feedback/import/start")
def import_start(
    access: EditorDep,
    upload: Annotated[str, Form(max_length=200)],
    kind: Annotated[str, Form(max_length=20)] = "feedback",
    preset: Annotated[str, Form(max_length=64)] = "",
    map_field: Annotated[list[str] | None, Form()] = None,
    map_column: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Step 3: start the import job with the chosen mapping and go to the job's page."""
    if not importers.UPLOAD_NAME.match(upload):
        raise InvalidInputError.single(("upload",), "the uploaded file is gone; upload it again")
    overrides = {
        f[:100]: c[:300] for f, c in zip(map_field or [], map_column or [], strict=False) if f and c
    }
    job = jobs.create_job(
        access.session,
        actor=access.actor,
        workspace_id=access.workspace.id,
        kind="feedback_import",
        params={
            "upload": upload,
            "kind": "companies" if kind == "companies" else "feedback",
            "preset": preset or None,
            "mapping": overrides,
            "actor_user_id": access.user.id,
            "actor_label": access.actor.label,
        },
    )
    return RedirectResponse(f"/w/{access.workspace.slug}/jobs/{job.id}", status_code=303)


# --- inbound hook (admin) ----------------------------------------------------------------


def _hook_page(
    request: Request, access: WorkspaceAccess, ctx: CtxDep, secret: str | None = None
) -> HTMLResponse:
    hook = webhooks.find_webhook(access.session, workspace_id=access.workspace.id)
    url = f"{ctx.settings.base_url.rstrip('/')}/api/v1/hooks/feedback/{access.workspace.slug}"
    return render_ws(
        request,
        access,
        "feedback/webhook.html",
        {"hook": hook, "url": url, "secret": secret, "header": webhooks.WEBHOOK_HEADER},
    )


@router.get("/w/{ws}/feedback/webhook", response_class=HTMLResponse)
def webhook_page(request: Request, access: AdminDep, ctx: CtxDep) -> HTMLResponse:
    """The inbound feedback hook: its address and secret management."""
    return _hook_page(request, access, ctx)


@router.post("/w/{ws}/feedback/webhook/rotate", response_class=HTMLResponse)
def webhook_rotate(request: Request, access: AdminDep, ctx: CtxDep) -> HTMLResponse:
    """Create or replace the hook's secret and show it once."""
    _hook, secret = webhooks.rotate_webhook_secret(access.session, actor=access.actor)
    return _hook_page(request, access, ctx, secret)
