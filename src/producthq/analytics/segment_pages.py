"""HTML routes of saved segments under /w/{ws}/analytics/segments (included by ``pages.py``).

The form edits a flat list of conditions, one row each, combined with all/any; definitions
that do not fit rows (nested groups, funnel drop-outs) are edited as JSON in the same form.
"""

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from producthq.accounts.roles import Role
from producthq.analytics import segment_service
from producthq.analytics.models import Segment
from producthq.analytics.query import INSIGHT_KINDS, TITLES, InsightQuery
from producthq.analytics.segments import BEHAVIOUR_OPS, PROPERTY_OPS
from producthq.analytics.web_params import SegmentRef, insight_params, segment_params
from producthq.errors import ConflictError, EngineError, InvalidInputError
from producthq.web.deps import MAX_ID, CtxDep, EditorDep, ViewerDep, WorkspaceAccess
from producthq.web.render import render_ws

router = APIRouter()
SegmentIdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
FormList = Annotated[list[str] | None, Form()]
ROW_FIELDS = ("type", "key", "event", "op", "value", "count", "days", "from", "to")
CONDITION_TYPES = (
    ("user", "user property"),
    ("account", "account property"),
    ("event", "event property"),
    ("behaviour", "did event"),
)
OPS = (*PROPERTY_OPS, *BEHAVIOUR_OPS)
BLANK_ROWS = 3
_ROW_KEYS = {"type", "key", "event", "op", "value", "count", "days", "from", "to"}


def _base(access: WorkspaceAccess) -> str:
    return f"/w/{access.workspace.slug}/analytics"


def _tabs() -> dict[str, Any]:
    return {"kind": "segments", "kinds": [(k, TITLES[k]) for k in INSIGHT_KINDS]}


def _flat_rows(definition: dict[str, Any]) -> list[dict[str, str]] | None:
    """The definition as form rows, or ``None`` when it does not fit flat rows."""
    rows: list[dict[str, str]] = []
    for cond in definition.get("conditions", []):
        kinds = {t for t, _ in CONDITION_TYPES}
        if not isinstance(cond, dict) or cond.get("type") not in kinds or set(cond) - _ROW_KEYS:
            return None
        rows.append({f: str(cond.get(f, "")) for f in ROW_FIELDS})
    return rows


def _rows_from_form(fields: dict[str, list[str]]) -> list[dict[str, str]]:
    count = max((len(v) for v in fields.values()), default=0)
    rows = []
    for i in range(count):
        row = {f: (fields[f][i] if i < len(fields[f]) else "").strip() for f in ROW_FIELDS}
        if row["key"] or row["event"] or row["value"]:
            rows.append(row)
    return rows


def _definition(match: str, rows: list[dict[str, str]]) -> dict[str, Any]:
    conditions = []
    for row in rows:
        cond: dict[str, Any] = {"type": row["type"], "op": row["op"] or None}
        for f in ROW_FIELDS[1:]:
            if f != "op" and row[f]:
                cond[f] = row[f]
        conditions.append({k: v for k, v in cond.items() if v is not None})
    return {"match": match, "conditions": conditions}


def _form(
    request: Request,
    access: WorkspaceAccess,
    *,
    segment: Segment | None,
    name: str,
    description: str,
    match: str,
    rows: list[dict[str, str]],
    definition_text: str,
    error: str | None = None,
    members: int | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    blank = dict.fromkeys(ROW_FIELDS, "") | {"type": "user", "op": "eq"}
    return render_ws(
        request,
        access,
        "analytics/segment_form.html",
        {
            "segment": segment,
            "name": name,
            "description": description,
            "match": match,
            "rows": [*rows, *([blank] * BLANK_ROWS)],
            "definition_text": definition_text,
            "types": CONDITION_TYPES,
            "ops": OPS,
            "error": error,
            "members": members,
            "can_edit": access.role.allows(Role.editor),
            "base": _base(access),
            **_tabs(),
        },
        status_code=status_code,
    )


@router.get("/w/{ws}/analytics/segments", response_class=HTMLResponse)
def segments_page(request: Request, access: ViewerDep) -> HTMLResponse:
    """The workspace's saved segments."""
    return render_ws(
        request,
        access,
        "analytics/segments.html",
        {
            "segments": segment_service.list_segments(
                access.session, workspace_id=access.workspace.id
            ),
            "can_edit": access.role.allows(Role.editor),
            "base": _base(access),
            **_tabs(),
        },
    )


@router.get("/w/{ws}/analytics/segments/new", response_class=HTMLResponse)
def new_segment_page(request: Request, access: EditorDep) -> HTMLResponse:
    """An empty segment form."""
    return _form(
        request,
        access,
        segment=None,
        name="",
        description="",
        match="all",
        rows=[],
        definition_text="",
    )


def _submitted(
    match: str, definition: str, fields: dict[str, list[str]]
) -> tuple[list[dict[str, str]], Any]:
    rows = _rows_from_form(fields)
    if definition.strip():
        try:
            return rows, json.loads(definition)
        except ValueError as exc:
            raise InvalidInputError.single(
                ("definition",), f"the JSON definition does not parse: {exc}"
            ) from None
    return rows, _definition(match if match in ("all", "any") else "all", rows)


@router.post("/w/{ws}/analytics/segments", response_model=None)
def create_segment_page(
    request: Request,
    access: EditorDep,
    name: Annotated[str, Form(max_length=300)] = "",
    description: Annotated[str, Form(max_length=1000)] = "",
    match: Annotated[str, Form(max_length=8)] = "all",
    definition: Annotated[str, Form(max_length=8000)] = "",
    c_type: FormList = None,
    c_key: FormList = None,
    c_event: FormList = None,
    c_op: FormList = None,
    c_value: FormList = None,
    c_count: FormList = None,
    c_days: FormList = None,
    c_from: FormList = None,
    c_to: FormList = None,
) -> Response:
    """Create a segment; on a mistake show the form again with the input kept."""
    lists = (c_type, c_key, c_event, c_op, c_value, c_count, c_days, c_from, c_to)
    fields = {f: list(v or []) for f, v in zip(ROW_FIELDS, lists, strict=True)}
    rows = _rows_from_form(fields)
    try:
        rows, parsed = _submitted(match, definition, fields)
        segment = segment_service.create_segment(
            access.session,
            actor=access.actor,
            name=name,
            definition=parsed,
            description=description,
        )
    except (InvalidInputError, ConflictError) as exc:
        return _form(
            request,
            access,
            segment=None,
            name=name,
            description=description,
            match=match,
            rows=rows,
            definition_text=definition,
            error=exc.message,
            status_code=422 if isinstance(exc, InvalidInputError) else 409,
        )
    return RedirectResponse(f"{_base(access)}/segments/{segment.id}", status_code=303)


@router.post("/w/{ws}/analytics/segments/from-funnel")
def segment_from_funnel_page(
    access: EditorDep,
    query: Annotated[InsightQuery, Depends(insight_params)],
    ref: Annotated[SegmentRef, Depends(segment_params)],
    name: Annotated[str, Form(max_length=300)] = "",
    step: Annotated[int | None, Query(ge=2, le=50)] = None,
) -> Response:
    """Save the users who dropped out of the funnel shown (in its segment) as a segment."""
    within = segment_service.resolve_segment(
        access.session,
        workspace_id=access.workspace.id,
        segment_id=ref.segment_id,
        definition=ref.definition,
    )
    definition = segment_service.funnel_dropped_definition(query, step, within)
    label = name or f"Dropped out of {query.steps or 'funnel'}"
    segment = segment_service.create_segment(
        access.session, actor=access.actor, name=label[:200], definition=definition
    )
    return RedirectResponse(f"{_base(access)}/segments/{segment.id}", status_code=303)


@router.get("/w/{ws}/analytics/segments/{segment_id}", response_class=HTMLResponse)
def segment_page(
    request: Request, segment_id: SegmentIdPath, access: ViewerDep, ctx: CtxDep
) -> HTMLResponse:
    """A segment: its definition in the form, and how many users are in it now."""
    segment = segment_service.get_segment(
        access.session, workspace_id=access.workspace.id, segment_id=segment_id
    )
    settings = ctx.settings
    error = None
    members = None
    try:
        members = len(
            segment_service.segment_members(
                settings,
                workspace_id=access.workspace.id,
                segment=segment_service.segment_definition(segment),
            )
        )
    except (InvalidInputError, EngineError) as exc:
        error = exc.message
    rows = _flat_rows(segment.definition)
    return _form(
        request,
        access,
        segment=segment,
        name=segment.name,
        description=segment.description,
        match=str(segment.definition.get("match", "all")),
        rows=rows or [],
        definition_text="" if rows is not None else json.dumps(segment.definition, indent=2),
        error=error,
        members=members,
    )


@router.post("/w/{ws}/analytics/segments/{segment_id}", response_model=None)
def update_segment_page(
    request: Request,
    segment_id: SegmentIdPath,
    access: EditorDep,
    name: Annotated[str, Form(max_length=300)] = "",
    description: Annotated[str, Form(max_length=1000)] = "",
    match: Annotated[str, Form(max_length=8)] = "all",
    definition: Annotated[str, Form(max_length=8000)] = "",
    c_type: FormList = None,
    c_key: FormList = None,
    c_event: FormList = None,
    c_op: FormList = None,
    c_value: FormList = None,
    c_count: FormList = None,
    c_days: FormList = None,
    c_from: FormList = None,
    c_to: FormList = None,
) -> Response:
    """Change a segment; on a mistake show the form again with the input kept."""
    segment = segment_service.get_segment(
        access.session, workspace_id=access.workspace.id, segment_id=segment_id
    )
    lists = (c_type, c_key, c_event, c_op, c_value, c_count, c_days, c_from, c_to)
    fields = {f: list(v or []) for f, v in zip(ROW_FIELDS, lists, strict=True)}
    rows = _rows_from_form(fields)
    try:
        rows, parsed = _submitted(match, definition, fields)
        segment_service.update_segment(
            access.session,
            actor=access.actor,
            segment_id=segment_id,
            name=name,
            definition=parsed,
            description=description,
        )
    except (InvalidInputError, ConflictError) as exc:
        return _form(
            request,
            access,
            segment=segment,
            name=name,
            description=description,
            match=match,
            rows=rows,
            definition_text=definition,
            error=exc.message,
            status_code=422 if isinstance(exc, InvalidInputError) else 409,
        )
    return RedirectResponse(f"{_base(access)}/segments/{segment_id}", status_code=303)


@router.post("/w/{ws}/analytics/segments/{segment_id}/delete")
def delete_segment_page(segment_id: SegmentIdPath, access: EditorDep) -> Response:
    """Delete a segment (refused, with the reason, while a saved insight uses it)."""
    segment_service.delete_segment(access.session, actor=access.actor, segment_id=segment_id)
    return RedirectResponse(f"{_base(access)}/segments", status_code=303)


@router.get("/w/{ws}/analytics/segments/{segment_id}/users.csv")
def segment_users_csv(segment_id: SegmentIdPath, access: ViewerDep, ctx: CtxDep) -> Response:
    """Download the users in a segment now."""
    segment = segment_service.get_segment(
        access.session, workspace_id=access.workspace.id, segment_id=segment_id
    )
    text = segment_service.segment_members_csv(
        ctx.settings,
        workspace_id=access.workspace.id,
        segment=segment_service.segment_definition(segment),
    )
    return Response(
        text,
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="segment-{segment_id}.csv"'},
    )
