"""HTML routes of the roadmap: the board, items, timeline, exports and stakeholder sharing.

The organisation, capacity, snapshots and scenarios pages are in ``org_pages.py``. Every form
works without JavaScript; ``static/roadmap.js`` adds drag and drop on the board.
"""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError

from producthq.accounts.roles import Role
from producthq.errors import InvalidInputError, ProductHQError
from producthq.roadmap import organisation as org
from producthq.roadmap import rendering, service, sharing
from producthq.roadmap.exports import COLUMN_TITLES, COLUMNS, by_column, timeline_svg
from producthq.roadmap.models import Audience, BoardColumn, ItemStatus
from producthq.roadmap.rendering import ExportFormat, ExportView
from producthq.roadmap.schemas import ItemCreate, ItemUpdate, ReleaseCreate, ShareLinkCreate
from producthq.web.deps import PUBLIC, AdminDep, CtxDep, EditorDep, SessionDep, ViewerDep
from producthq.web.render import render, render_ws

router = APIRouter()
Text = Annotated[str, Form(max_length=20000)]
Short = Annotated[str, Form(max_length=300)]
STATUSES = [s.value for s in ItemStatus]


def problem_text(exc: ValidationError | ProductHQError) -> str:
    """Turn a validation error or a ProductHQ error into one line for a page."""
    if isinstance(exc, ProductHQError):
        return exc.message
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ()))
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg


def opt_int(value: str | None, field: str) -> int | None:
    """Read an optional integer form field ("" is none)."""
    if value is None or not value.strip():
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise InvalidInputError.single((field,), f"{field}: {value!r} is not a number") from exc


def opt_float(value: str | None, field: str) -> float | None:
    """Read an optional number form field ("" is none)."""
    if value is None or not value.strip():
        return None
    try:
        return float(value)
    except ValueError as exc:
        raise InvalidInputError.single((field,), f"{field}: {value!r} is not a number") from exc


def opt_date(value: str | None, field: str) -> date | None:
    """Read an optional ISO date form field ("" is none)."""
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInputError.single((field,), f"{field}: {value!r} is not a date") from exc


def parse_effort(text: str) -> dict[str, float]:
    """Read ``team-key=weeks`` pairs separated by commas or new lines."""
    out: dict[str, float] = {}
    for part in text.replace("\n", ",").split(","):
        if not part.strip():
            continue
        key, sep, weeks = part.partition("=")
        number = opt_float(weeks, "effort") if sep else None
        if number is None:
            raise InvalidInputError.single(
                ("effort",), f"effort: {part.strip()!r} should look like team-key=weeks"
            )
        out[key.strip()] = number
    return out


def _filters(
    team_id: str | None,
    status: str | None,
    objective: str | None,
    product_id: str | None = None,
) -> service.ItemFilter:
    return service.ItemFilter(
        opt_int(team_id, "team_id"),
        status if status in STATUSES else None,
        objective or None,
        opt_int(product_id, "product_id"),
    )


def _board(
    request: Request,
    access: ViewerDep,
    flt: service.ItemFilter,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    session, ws = access.session, access.workspace.id
    rows = service.item_rows(session, workspace_id=ws, filters=flt)
    filtered = flt != service.ItemFilter()
    return render_ws(
        request,
        access,
        "roadmap/board.html",
        {
            "tab": "board",
            "columns": by_column(rows),
            "column_titles": COLUMN_TITLES,
            "column_order": COLUMNS,
            "teams": org.list_teams(session, workspace_id=ws),
            "objectives": service.list_objectives(session, workspace_id=ws),
            "products": service.list_products(session, workspace_id=ws),
            "statuses": STATUSES,
            "flt": flt,
            "filtered": filtered,
            "query": request.url.query,
            "can_edit": access.role.allows(Role.editor),
            "error": None,
            "form": {},
            **extra,
        },
        status_code=status_code,
    )


@router.get("/w/{ws}/roadmap", response_class=HTMLResponse)
def board_page(
    request: Request,
    access: ViewerDep,
    team_id: str | None = None,
    status: str | None = None,
    objective: str | None = None,
    product_id: str | None = None,
) -> HTMLResponse:
    """The now / next / later board, filtered by team, status, objective and product."""
    return _board(request, access, _filters(team_id, status, objective, product_id))


@router.post("/w/{ws}/roadmap/items", response_class=HTMLResponse)
def create_item_page(
    request: Request,
    access: EditorDep,
    title: Short,
    column: Short = "later",
    team_id: Short = "",
    objective: Short = "",
    value: Short = "",
) -> Response:
    """Create an item from the board's form."""
    try:
        data = ItemCreate(
            title=title.strip(),
            column=BoardColumn(column) if column in COLUMNS else BoardColumn.later,
            team_id=opt_int(team_id, "team_id"),
            objective=objective.strip(),
            value=opt_float(value, "value"),
        )
        service.create_item(access.session, actor=access.actor, data=data)
    except (ValidationError, ProductHQError) as exc:
        access.session.rollback()
        form = {"title": title, "objective": objective, "value": value}
        return _board(
            request, access, service.ItemFilter(), 422, error=problem_text(exc), form=form
        )
    return RedirectResponse(f"/w/{access.workspace.slug}/roadmap", status_code=303)


def _item_page(
    request: Request, access: ViewerDep, roadmap_item_id: int, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    session, ws = access.session, access.workspace.id
    item = service.get_item(session, workspace_id=ws, item_id=roadmap_item_id)
    rows = {r.id: r for r in service.item_rows(session, workspace_id=ws)}
    deps = service.dependency_map(session, workspace_id=ws)
    waits_for = [rows[d] for d in deps.get(item.id, []) if d in rows]
    blocks = [rows[i] for i, ds in deps.items() if item.id in ds and i in rows]
    return render_ws(
        request,
        access,
        "roadmap/item.html",
        {
            "tab": "board",
            "item": item,
            "row": rows.get(item.id),
            "waits_for": waits_for,
            "blocks": blocks,
            "others": [r for r in rows.values() if r.id != item.id],
            "teams": org.list_teams(session, workspace_id=ws),
            "periods": org.list_periods(session, workspace_id=ws),
            "releases": service.list_releases(session, workspace_id=ws),
            "statuses": STATUSES,
            "column_order": COLUMNS,
            "effort_text": ", ".join(f"{k}={v:g}" for k, v in (item.effort or {}).items()),
            "can_edit": access.role.allows(Role.editor),
            "error": None,
            **extra,
        },
        status_code=status_code,
    )


@router.get("/w/{ws}/roadmap/items/{roadmap_item_id}", response_class=HTMLResponse)
def item_page(request: Request, roadmap_item_id: int, access: ViewerDep) -> HTMLResponse:
    """One item: its fields, its dependencies, and (for editors) the form to change them."""
    return _item_page(request, access, roadmap_item_id)


@router.post("/w/{ws}/roadmap/items/{roadmap_item_id}", response_class=HTMLResponse)
def update_item_page(  # noqa: PLR0913 - one parameter per form field
    request: Request,
    roadmap_item_id: int,
    access: EditorDep,
    title: Short,
    description: Text = "",
    objective: Short = "",
    team_id: Short = "",
    owner: Short = "",
    status: Short = "not_started",
    progress: Short = "0",
    notes: Text = "",
    column: Short = "later",
    start_period_id: Short = "",
    end_period_id: Short = "",
    start_date: Short = "",
    end_date: Short = "",
    release_id: Short = "",
    value: Short = "",
    effort: Short = "",
) -> Response:
    """Save the item form."""
    try:
        data = ItemUpdate.model_validate(
            {
                "title": title.strip(),
                "description": description,
                "objective": objective.strip(),
                "team_id": opt_int(team_id, "team_id"),
                "owner": owner.strip(),
                "status": status,
                "progress": opt_int(progress, "progress") or 0,
                "notes": notes,
                "column": column,
                "start_period_id": opt_int(start_period_id, "start_period_id"),
                "end_period_id": opt_int(end_period_id, "end_period_id"),
                "start_date": opt_date(start_date, "start_date"),
                "end_date": opt_date(end_date, "end_date"),
                "release_id": opt_int(release_id, "release_id"),
                "value": opt_float(value, "value"),
                "effort": parse_effort(effort),
            }
        )
        service.update_item(access.session, actor=access.actor, item_id=roadmap_item_id, data=data)
    except (ValidationError, ProductHQError) as exc:
        access.session.rollback()
        return _item_page(request, access, roadmap_item_id, 422, error=problem_text(exc))
    return RedirectResponse(f"/w/{access.workspace.slug}/roadmap/items/{roadmap_item_id}", 303)


@router.post("/w/{ws}/roadmap/items/{roadmap_item_id}/step")
def step_item_page(
    roadmap_item_id: int,
    access: EditorDep,
    direction: Annotated[Literal["left", "right", "up", "down"], Form()],
    back: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Move an item one step (the keyboard and no-JavaScript way to reorder the board)."""
    service.step_item(
        access.session, actor=access.actor, item_id=roadmap_item_id, direction=direction
    )
    query = back if back and "\n" not in back and "\r" not in back else ""
    target = f"/w/{access.workspace.slug}/roadmap" + (f"?{query}" if query else "")
    return RedirectResponse(f"{target}#card-{roadmap_item_id}", status_code=303)


@router.post("/w/{ws}/roadmap/items/{roadmap_item_id}/delete")
def delete_item_page(roadmap_item_id: int, access: EditorDep) -> Response:
    """Delete an item."""
    service.delete_item(access.session, actor=access.actor, item_id=roadmap_item_id)
    return RedirectResponse(f"/w/{access.workspace.slug}/roadmap", status_code=303)


@router.post("/w/{ws}/roadmap/items/{roadmap_item_id}/dependencies", response_class=HTMLResponse)
def add_dependency_page(
    request: Request, roadmap_item_id: int, access: EditorDep, depends_on_id: Short
) -> Response:
    """Make the item wait for another one; a cycle is refused and named."""
    try:
        other = opt_int(depends_on_id, "depends_on_id")
        if other is None:
            raise InvalidInputError.single(("depends_on_id",), "choose an item to depend on")
        service.add_dependency(
            access.session, actor=access.actor, item_id=roadmap_item_id, depends_on_id=other
        )
    except ProductHQError as exc:
        access.session.rollback()
        return _item_page(request, access, roadmap_item_id, 422, error=exc.message)
    return RedirectResponse(f"/w/{access.workspace.slug}/roadmap/items/{roadmap_item_id}", 303)


@router.post("/w/{ws}/roadmap/items/{roadmap_item_id}/dependencies/{depends_on_id}/remove")
def remove_dependency_page(roadmap_item_id: int, depends_on_id: int, access: EditorDep) -> Response:
    """Remove a dependency."""
    service.remove_dependency(
        access.session, actor=access.actor, item_id=roadmap_item_id, depends_on_id=depends_on_id
    )
    return RedirectResponse(f"/w/{access.workspace.slug}/roadmap/items/{roadmap_item_id}", 303)


# --- timeline and releases ---------------------------------------------------------------


def _timeline(
    request: Request,
    access: ViewerDep,
    flt: service.ItemFilter,
    group: Literal["team", "objective"],
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    session, ws = access.session, access.workspace.id
    rows = service.item_rows(session, workspace_id=ws, filters=flt)
    marks = service.release_marks(session, workspace_id=ws)
    svg = timeline_svg(rows, marks, rendering.today(), group_by=group, title="Timeline")
    return render_ws(
        request,
        access,
        "roadmap/timeline.html",
        {
            "tab": "timeline",
            "svg": Markup(svg),  # noqa: S704 - built by exports.timeline_svg, every text escaped
            "undated": [r for r in rows if not (r.start and r.end)],
            "releases": service.list_releases(session, workspace_id=ws),
            "teams": org.list_teams(session, workspace_id=ws),
            "objectives": service.list_objectives(session, workspace_id=ws),
            "products": service.list_products(session, workspace_id=ws),
            "statuses": STATUSES,
            "flt": flt,
            "group": group,
            "query": request.url.query,
            "can_edit": access.role.allows(Role.editor),
            "error": None,
            **extra,
        },
        status_code=status_code,
    )


@router.get("/w/{ws}/roadmap/timeline", response_class=HTMLResponse)
def timeline_page(
    request: Request,
    access: ViewerDep,
    group: Literal["team", "objective"] = "team",
    team_id: str | None = None,
    status: str | None = None,
    objective: str | None = None,
    product_id: str | None = None,
) -> HTMLResponse:
    """The timeline: dated items as bars, grouped by team or objective, with releases."""
    return _timeline(request, access, _filters(team_id, status, objective, product_id), group)


@router.post("/w/{ws}/roadmap/releases", response_class=HTMLResponse)
def create_release_page(
    request: Request, access: EditorDep, name: Short, release_date: Short
) -> Response:
    """Create a release from the timeline's form."""
    try:
        day = opt_date(release_date, "release_date")
        if day is None:
            raise InvalidInputError.single(("release_date",), "release_date: give a date")
        data = ReleaseCreate(name=name.strip(), release_date=day)
        service.create_release(access.session, actor=access.actor, data=data)
    except (ValidationError, ProductHQError) as exc:
        access.session.rollback()
        return _timeline(
            request, access, service.ItemFilter(), "team", 422, error=problem_text(exc)
        )
    return RedirectResponse(f"/w/{access.workspace.slug}/roadmap/timeline", status_code=303)


@router.get("/w/{ws}/roadmap/export")
def export_page(
    access: ViewerDep,
    format: ExportFormat = "csv",  # noqa: A002 - the public query parameter's name
    view: ExportView = "board",
    group: Literal["team", "objective"] = "team",
    download: bool = True,
) -> Response:
    """Download the roadmap as Markdown, CSV, JSON, SVG, PNG or PDF."""
    f = rendering.export_file(
        access.session, workspace=access.workspace, fmt=format, view=view, group=group
    )
    disposition = "attachment" if download else "inline"
    return Response(
        f.content,
        media_type=f.media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{f.filename}"'},
    )


# --- sharing -----------------------------------------------------------------------------


def _share_page(
    request: Request, access: AdminDep, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    return render_ws(
        request,
        access,
        "roadmap/share.html",
        {
            "tab": "share",
            "links": sharing.list_share_links(access.session, workspace_id=access.workspace.id),
            "audiences": [a.value for a in Audience],
            "error": None,
            **extra,
        },
        status_code=status_code,
    )


@router.get("/w/{ws}/roadmap/share", response_class=HTMLResponse)
def share_page(request: Request, access: AdminDep) -> HTMLResponse:
    """Share links of the roadmap and a form to make one."""
    return _share_page(request, access)


@router.post("/w/{ws}/roadmap/share", response_class=HTMLResponse)
def create_share_page(
    request: Request,
    access: AdminDep,
    ctx: CtxDep,
    label: Short = "",
    audience: Short = "internal",
    expires_in_days: Short = "",
) -> HTMLResponse:
    """Create a share link and show its URL once."""
    try:
        data = ShareLinkCreate.model_validate(
            {
                "label": label.strip(),
                "audience": audience,
                "expires_in_days": opt_int(expires_in_days, "expires_in_days"),
            }
        )
        new = sharing.create_share_link(access.session, actor=access.actor, data=data)
    except (ValidationError, ProductHQError) as exc:
        access.session.rollback()
        return _share_page(request, access, 422, error=problem_text(exc))
    url = f"{ctx.settings.base_url.rstrip('/')}/share/roadmap/{new.token}"
    return _share_page(request, access, new_url=url)


@router.post("/w/{ws}/roadmap/share/{link_id}/revoke")
def revoke_share_page(link_id: int, access: AdminDep) -> Response:
    """Revoke a share link."""
    sharing.revoke_share_link(access.session, actor=access.actor, link_id=link_id)
    return RedirectResponse(f"/w/{access.workspace.slug}/roadmap/share", status_code=303)


@router.get("/share/roadmap/{token}", dependencies=[PUBLIC], response_class=HTMLResponse)
def shared_roadmap(request: Request, token: str, session: SessionDep) -> HTMLResponse:
    """The read-only board behind a share link (404 when wrong, revoked or expired)."""
    shared = sharing.open_share_link(session, token=token[:300])
    response = render(
        request,
        "roadmap/shared.html",
        {
            "shared": shared,
            "columns": by_column(shared.rows),
            "column_titles": COLUMN_TITLES,
            "internal": shared.audience == Audience.internal,
        },
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
