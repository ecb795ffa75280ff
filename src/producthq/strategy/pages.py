"""HTML routes of the strategy area: vision, personas, competitors, OKRs and alignment."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from producthq.accounts.roles import Role
from producthq.errors import ConflictError, InvalidInputError, ProductHQError
from producthq.strategy import service
from producthq.strategy.markdown import render_markdown
from producthq.strategy.progress import confidence_label
from producthq.strategy.schemas import (
    CompetitorCreate,
    CompetitorUpdate,
    PersonaCreate,
    PersonaUpdate,
    VisionUpdate,
)
from producthq.strategy.textdiff import diff_stats
from producthq.web.deps import EditorDep, ViewerDep, WorkspaceAccess
from producthq.web.render import render_ws

router = APIRouter()
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
Short = Annotated[str, Form(max_length=400)]
Text = Annotated[str, Form(max_length=100_000)]
BASE = "/w/{ws}/strategy"


def _problem(exc: ValidationError | ProductHQError) -> str:
    if isinstance(exc, ProductHQError):
        return exc.message
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ()))
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg


def _base(access: WorkspaceAccess) -> str:
    return f"/w/{access.workspace.slug}/strategy"


def _page(
    request: Request,
    access: WorkspaceAccess,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
) -> HTMLResponse:
    full = {
        "md": render_markdown,
        "base": _base(access),
        "can_edit": access.role.allows(Role.editor),
        "confidence_label": confidence_label,
        **context,
    }
    return render_ws(request, access, template, full, status_code=status_code)


def _attempt(
    action: Callable[[], object], on_error: Callable[[str], HTMLResponse], access: WorkspaceAccess
) -> HTMLResponse | None:
    """Run a write; on a user's mistake roll back and return the re-rendered form."""
    try:
        action()
    except (ValidationError, InvalidInputError, ConflictError) as exc:
        access.session.rollback()
        return on_error(_problem(exc))
    return None


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _opt(value: str) -> str | None:
    text = value.strip()
    return text or None


# --- vision ------------------------------------------------------------------------------


@router.get(BASE, response_class=HTMLResponse)
def vision_page(request: Request, access: ViewerDep) -> HTMLResponse:
    """The vision and strategy, with the personas and competitors."""
    session, wid = access.session, access.workspace.id
    return _page(
        request,
        access,
        "strategy/vision.html",
        {
            "revision": service.find_vision(session, workspace_id=wid),
            "personas": service.list_personas(session, workspace_id=wid),
            "competitors": service.list_competitors(session, workspace_id=wid),
            "tab": "vision",
        },
    )


def _vision_form(
    request: Request, access: WorkspaceAccess, body: str, summary: str, error: str | None, code: int
) -> HTMLResponse:
    return _page(
        request,
        access,
        "strategy/vision_edit.html",
        {"body": body, "summary": summary, "error": error, "tab": "vision"},
        code,
    )


@router.get(BASE + "/vision/edit", response_class=HTMLResponse)
def vision_edit(request: Request, access: EditorDep) -> HTMLResponse:
    """The form that edits the vision."""
    rev = service.find_vision(access.session, workspace_id=access.workspace.id)
    return _vision_form(request, access, rev.body if rev else "", "", None, 200)


@router.post(BASE + "/vision", response_class=HTMLResponse)
def vision_save(
    request: Request, access: EditorDep, body: Text = "", summary: Short = ""
) -> Response:
    """Save the vision as a new revision."""
    failed = _attempt(
        lambda: service.save_vision(
            access.session, actor=access.actor, data=VisionUpdate(body=body, summary=summary)
        ),
        lambda msg: _vision_form(request, access, body, summary, msg, 422),
        access,
    )
    return failed or _redirect(_base(access))


@router.get(BASE + "/vision/history", response_class=HTMLResponse)
def vision_history(
    request: Request,
    access: ViewerDep,
    from_number: Annotated[int | None, Query(alias="from", ge=1, le=2**31 - 1)] = None,
    to_number: Annotated[int | None, Query(alias="to", ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    """Every revision of the vision and the diff between two of them."""
    session, wid = access.session, access.workspace.id
    revisions = service.list_vision_revisions(session, workspace_id=wid)
    if to_number is None and revisions:
        to_number = revisions[0].number
    if from_number is None and len(revisions) > 1:
        from_number = revisions[1].number
    diff = None
    if from_number and to_number:
        diff = service.diff_vision(
            session, workspace_id=wid, from_number=from_number, to_number=to_number
        )
    return _page(
        request,
        access,
        "strategy/history.html",
        {
            "revisions": revisions,
            "diff": diff,
            "stats": diff_stats(diff) if diff else (0, 0),
            "from_number": from_number,
            "to_number": to_number,
            "tab": "history",
        },
    )


@router.get(BASE + "/vision/revisions/{revision_number}", response_class=HTMLResponse)
def vision_revision(request: Request, revision_number: IdPath, access: ViewerDep) -> HTMLResponse:
    """One past revision of the vision, rendered."""
    rev = service.get_vision_revision(
        access.session, workspace_id=access.workspace.id, number=revision_number
    )
    return _page(request, access, "strategy/revision.html", {"revision": rev, "tab": "history"})


# --- personas and competitors ------------------------------------------------------------


def _personas(
    request: Request, access: WorkspaceAccess, error: str | None = None, form: Any = None
) -> HTMLResponse:
    rows = service.list_personas(access.session, workspace_id=access.workspace.id)
    ctx = {"personas": rows, "error": error, "form": form or {}, "tab": "personas"}
    return _page(request, access, "strategy/personas.html", ctx, 422 if error else 200)


@router.get(BASE + "/personas", response_class=HTMLResponse)
def personas_page(request: Request, access: ViewerDep) -> HTMLResponse:
    """The personas, and a form to add one."""
    return _personas(request, access)


@router.post(BASE + "/personas", response_class=HTMLResponse)
def persona_create(
    request: Request, access: EditorDep, name: Short = "", description: Text = ""
) -> Response:
    """Create a persona."""
    form = {"name": name, "description": description}
    failed = _attempt(
        lambda: service.create_persona(
            access.session, actor=access.actor, data=PersonaCreate.model_validate(form)
        ),
        lambda msg: _personas(request, access, msg, form),
        access,
    )
    return failed or _redirect(_base(access) + "/personas")


def _persona(
    request: Request, access: WorkspaceAccess, persona_id: int, error: str | None = None
) -> HTMLResponse:
    persona = service.get_persona(
        access.session, workspace_id=access.workspace.id, persona_id=persona_id
    )
    ctx = {"persona": persona, "error": error, "tab": "personas"}
    return _page(request, access, "strategy/persona.html", ctx, 422 if error else 200)


@router.get(BASE + "/personas/{persona_id}", response_class=HTMLResponse)
def persona_page(request: Request, persona_id: IdPath, access: ViewerDep) -> HTMLResponse:
    """One persona, with an edit form for editors."""
    return _persona(request, access, persona_id)


@router.post(BASE + "/personas/{persona_id}", response_class=HTMLResponse)
def persona_update(
    request: Request,
    persona_id: IdPath,
    access: EditorDep,
    name: Short = "",
    description: Text = "",
) -> Response:
    """Change a persona."""
    failed = _attempt(
        lambda: service.update_persona(
            access.session,
            actor=access.actor,
            persona_id=persona_id,
            data=PersonaUpdate(name=name, description=description),
        ),
        lambda msg: _persona(request, access, persona_id, msg),
        access,
    )
    return failed or _redirect(f"{_base(access)}/personas/{persona_id}")


@router.post(BASE + "/personas/{persona_id}/delete")
def persona_delete(persona_id: IdPath, access: EditorDep) -> Response:
    """Delete a persona."""
    service.delete_persona(access.session, actor=access.actor, persona_id=persona_id)
    return _redirect(_base(access) + "/personas")


COMPETITOR_FIELDS = ("name", "description", "website", "strengths", "weaknesses")


def _competitors(
    request: Request, access: WorkspaceAccess, error: str | None = None, form: Any = None
) -> HTMLResponse:
    rows = service.list_competitors(access.session, workspace_id=access.workspace.id)
    ctx = {"competitors": rows, "error": error, "form": form or {}, "tab": "competitors"}
    return _page(request, access, "strategy/competitors.html", ctx, 422 if error else 200)


@router.get(BASE + "/competitors", response_class=HTMLResponse)
def competitors_page(request: Request, access: ViewerDep) -> HTMLResponse:
    """The competitors, and a form to add one."""
    return _competitors(request, access)


@router.post(BASE + "/competitors", response_class=HTMLResponse)
def competitor_create(
    request: Request,
    access: EditorDep,
    name: Short = "",
    description: Text = "",
    website: Short = "",
    strengths: Text = "",
    weaknesses: Text = "",
) -> Response:
    """Create a competitor."""
    form = dict(
        zip(COMPETITOR_FIELDS, (name, description, website, strengths, weaknesses), strict=True)
    )
    failed = _attempt(
        lambda: service.create_competitor(
            access.session, actor=access.actor, data=CompetitorCreate.model_validate(form)
        ),
        lambda msg: _competitors(request, access, msg, form),
        access,
    )
    return failed or _redirect(_base(access) + "/competitors")


def _competitor(
    request: Request, access: WorkspaceAccess, competitor_id: int, error: str | None = None
) -> HTMLResponse:
    competitor = service.get_competitor(
        access.session, workspace_id=access.workspace.id, competitor_id=competitor_id
    )
    ctx = {"competitor": competitor, "error": error, "tab": "competitors"}
    return _page(request, access, "strategy/competitor.html", ctx, 422 if error else 200)


@router.get(BASE + "/competitors/{competitor_id}", response_class=HTMLResponse)
def competitor_page(request: Request, competitor_id: IdPath, access: ViewerDep) -> HTMLResponse:
    """One competitor, with an edit form for editors."""
    return _competitor(request, access, competitor_id)


@router.post(BASE + "/competitors/{competitor_id}", response_class=HTMLResponse)
def competitor_update(
    request: Request,
    competitor_id: IdPath,
    access: EditorDep,
    name: Short = "",
    description: Text = "",
    website: Short = "",
    strengths: Text = "",
    weaknesses: Text = "",
) -> Response:
    """Change a competitor."""
    form = dict(
        zip(COMPETITOR_FIELDS, (name, description, website, strengths, weaknesses), strict=True)
    )
    failed = _attempt(
        lambda: service.update_competitor(
            access.session,
            actor=access.actor,
            competitor_id=competitor_id,
            data=CompetitorUpdate.model_validate(form),
        ),
        lambda msg: _competitor(request, access, competitor_id, msg),
        access,
    )
    return failed or _redirect(f"{_base(access)}/competitors/{competitor_id}")


@router.post(BASE + "/competitors/{competitor_id}/delete")
def competitor_delete(competitor_id: IdPath, access: EditorDep) -> Response:
    """Delete a competitor."""
    service.delete_competitor(access.session, actor=access.actor, competitor_id=competitor_id)
    return _redirect(_base(access) + "/competitors")
