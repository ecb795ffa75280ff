"""HTML routes of the roadmap's organisation, capacity and snapshots."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError

from producthq.accounts.roles import Role
from producthq.errors import InvalidInputError, ProductHQError
from producthq.roadmap import organisation as org
from producthq.roadmap import rendering, sharing
from producthq.roadmap.models import PeriodKind, PersonRole
from producthq.roadmap.pages import opt_date, opt_float, opt_int, problem_text
from producthq.roadmap.schemas import (
    AreaCreate,
    CapacitySet,
    HolidayCreate,
    PeriodCreate,
    PersonCreate,
    TeamCreate,
)
from producthq.web.deps import EditorDep, ViewerDep
from producthq.web.render import render_ws

router = APIRouter()
Short = Annotated[str, Form(max_length=300)]


# --- org chart ---------------------------------------------------------------------------


def _org_page(
    request: Request, access: ViewerDep, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    session, ws = access.session, access.workspace.id
    svg = rendering.org_svg(session, workspace=access.workspace)
    teams = org.list_teams(session, workspace_id=ws)
    return render_ws(
        request,
        access,
        "roadmap/org.html",
        {
            "tab": "org",
            "svg": Markup(svg),  # noqa: S704 - built by org.org_chart_svg, every name escaped
            "areas": org.list_areas(session, workspace_id=ws),
            "teams": teams,
            "team_name": {t.id: t.name for t in teams},
            "people": org.list_people(session, workspace_id=ws),
            "periods": org.list_periods(session, workspace_id=ws),
            "roles": [r.value for r in PersonRole],
            "kinds": [k.value for k in PeriodKind],
            "can_edit": access.role.allows(Role.editor),
            "error": None,
            **extra,
        },
        status_code=status_code,
    )


@router.get("/w/{ws}/roadmap/org", response_class=HTMLResponse)
def org_page(request: Request, access: ViewerDep) -> HTMLResponse:
    """The org chart (server-drawn SVG), the people, teams, areas and periods."""
    return _org_page(request, access)


def _done(access: EditorDep, page: str = "org") -> Response:
    return RedirectResponse(f"/w/{access.workspace.slug}/roadmap/{page}", status_code=303)


@router.post("/w/{ws}/roadmap/org/areas", response_class=HTMLResponse)
def create_area_page(request: Request, access: EditorDep, name: Short) -> Response:
    """Create a product area."""
    try:
        org.create_area(access.session, actor=access.actor, data=AreaCreate(name=name.strip()))
    except (ValidationError, ProductHQError) as exc:
        access.session.rollback()
        return _org_page(request, access, 422, error=problem_text(exc))
    return _done(access)


@router.post("/w/{ws}/roadmap/org/teams", response_class=HTMLResponse)
def create_team_page(
    request: Request, access: EditorDep, name: Short, area_id: Short = ""
) -> Response:
    """Create a team."""
    try:
        data = TeamCreate(name=name.strip(), area_id=opt_int(area_id, "area_id"))
        org.create_team(access.session, actor=access.actor, data=data)
    except (ValidationError, ProductHQError) as exc:
        access.session.rollback()
        return _org_page(request, access, 422, error=problem_text(exc))
    return _done(access)


@router.post("/w/{ws}/roadmap/org/people", response_class=HTMLResponse)
def create_person_page(
    request: Request,
    access: EditorDep,
    name: Short,
    role: Short = "engineer",
    team_id: Short = "",
    fte: Short = "1",
    skills: Short = "",
) -> Response:
    """Add a person."""
    try:
        data = PersonCreate.model_validate(
            {
                "name": name.strip(),
                "role": role,
                "team_id": opt_int(team_id, "team_id"),
                "fte": opt_float(fte, "fte") if fte.strip() else 1.0,
                "skills": [s for s in skills.split(",") if s.strip()],
            }
        )
        org.create_person(access.session, actor=access.actor, data=data)
    except (ValidationError, ProductHQError) as exc:
        access.session.rollback()
        return _org_page(request, access, 422, error=problem_text(exc))
    return _done(access)


@router.post("/w/{ws}/roadmap/org/periods", response_class=HTMLResponse)
def create_period_page(
    request: Request,
    access: EditorDep,
    name: Short,
    start: Short,
    end: Short,
    kind: Short = "quarter",
) -> Response:
    """Create a planning period."""
    try:
        data = PeriodCreate.model_validate(
            {
                "name": name.strip(),
                "kind": kind,
                "start": opt_date(start, "start"),
                "end": opt_date(end, "end"),
            }
        )
        org.create_period(access.session, actor=access.actor, data=data)
    except (ValidationError, ProductHQError) as exc:
        access.session.rollback()
        return _org_page(request, access, 422, error=problem_text(exc))
    return _done(access)


# --- capacity ----------------------------------------------------------------------------


def _capacity_page(
    request: Request, access: ViewerDep, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    session, ws = access.session, access.workspace.id
    cells = org.capacity_table(session, workspace_id=ws)
    periods = org.list_periods(session, workspace_id=ws)
    teams = org.list_teams(session, workspace_id=ws)
    grid = {(c.team_id, c.period_id): c for c in cells}
    totals = {p.id: sum(c.effective for c in cells if c.period_id == p.id) for p in periods}
    return render_ws(
        request,
        access,
        "roadmap/capacity.html",
        {
            "tab": "capacity",
            "teams": teams,
            "periods": periods,
            "grid": grid,
            "totals": totals,
            "people": org.list_people(session, workspace_id=ws),
            "holidays": org.list_holidays(session, workspace_id=ws),
            "can_edit": access.role.allows(Role.editor),
            "error": None,
            **extra,
        },
        status_code=status_code,
    )


@router.get("/w/{ws}/roadmap/capacity", response_class=HTMLResponse)
def capacity_page(request: Request, access: ViewerDep) -> HTMLResponse:
    """Capacity per team and period in person-weeks, with overrides and holidays."""
    return _capacity_page(request, access)


@router.post("/w/{ws}/roadmap/capacity", response_class=HTMLResponse)
def set_capacity_page(
    request: Request,
    access: EditorDep,
    team_id: Short,
    period_id: Short,
    person_weeks: Short = "",
) -> Response:
    """Set or clear a team's capacity override in a period."""
    try:
        team, period = opt_int(team_id, "team_id"), opt_int(period_id, "period_id")
        if team is None or period is None:
            raise InvalidInputError.single(("team_id",), "choose a team and a period")
        data = CapacitySet(
            team_id=team, period_id=period, person_weeks=opt_float(person_weeks, "person_weeks")
        )
        org.set_capacity(access.session, actor=access.actor, data=data)
    except (ValidationError, ProductHQError) as exc:
        access.session.rollback()
        return _capacity_page(request, access, 422, error=problem_text(exc))
    return _done(access, "capacity")


@router.post("/w/{ws}/roadmap/holidays", response_class=HTMLResponse)
def create_holiday_page(
    request: Request,
    access: EditorDep,
    start: Short,
    end: Short,
    person_id: Short = "",
    team_id: Short = "",
    note: Short = "",
) -> Response:
    """Record a holiday for a person or a team."""
    try:
        data = HolidayCreate.model_validate(
            {
                "person_id": opt_int(person_id, "person_id"),
                "team_id": opt_int(team_id, "team_id"),
                "start": opt_date(start, "start"),
                "end": opt_date(end, "end"),
                "note": note.strip(),
            }
        )
        org.create_holiday(access.session, actor=access.actor, data=data)
    except (ValidationError, ProductHQError) as exc:
        access.session.rollback()
        return _capacity_page(request, access, 422, error=problem_text(exc))
    return _done(access, "capacity")


# --- snapshots ---------------------------------------------------------------------------


@router.get("/w/{ws}/roadmap/snapshots", response_class=HTMLResponse)
def snapshots_page(
    request: Request, access: ViewerDep, a: str | None = None, b: str | None = None
) -> HTMLResponse:
    """Saved snapshots, and the comparison of two of them."""
    session, ws = access.session, access.workspace.id
    snaps = sharing.list_snapshots(session, workspace_id=ws)
    diff, error = None, None
    a_id, b_id = opt_int(a, "a"), opt_int(b, "b")
    if a_id is not None and b_id is not None:
        try:
            diff = sharing.diff_snapshot_ids(
                session, workspace_id=ws, baseline_id=a_id, other_id=b_id
            )
        except ProductHQError as exc:
            error = exc.message
    return render_ws(
        request,
        access,
        "roadmap/snapshots.html",
        {
            "tab": "snapshots",
            "snapshots": snaps,
            "diff": diff,
            "a": a_id,
            "b": b_id,
            "can_edit": access.role.allows(Role.editor),
            "error": error,
        },
        status_code=404 if error else 200,
    )


@router.post("/w/{ws}/roadmap/snapshots")
def create_snapshot_page(access: EditorDep, name: Short) -> Response:
    """Save the roadmap as a baseline."""
    label = name.strip() or "Snapshot"
    sharing.create_snapshot(access.session, actor=access.actor, name=label[:200])
    return _done(access, "snapshots")
