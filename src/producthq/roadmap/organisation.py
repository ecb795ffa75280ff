"""Use cases of the product organisation: areas, teams, people, periods, holidays, capacity.

Functions flush, never commit: the caller's unit of work commits once. Reads take the
workspace id; writes take the acting ``Actor`` (whose workspace they write to) and are audited.
"""

import re
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from producthq.audit.service import Actor, record
from producthq.errors import ConflictError, InvalidInputError, NotFoundError
from producthq.roadmap.models import (
    CapacityOverride,
    Holiday,
    OrgPerson,
    Period,
    PersonRole,
    ProductArea,
    Team,
)
from producthq.roadmap.org import (
    ChartArea,
    ChartPerson,
    ChartTeam,
    OrgChart,
    PeriodSpan,
    PersonLoad,
    team_capacity,
)
from producthq.roadmap.schemas import (
    AreaCreate,
    CapacityRead,
    CapacitySet,
    HolidayCreate,
    PeriodCreate,
    PersonCreate,
    PersonUpdate,
    TeamCreate,
    TeamUpdate,
)

T = TypeVar("T", ProductArea, Team, OrgPerson, Period, Holiday)
LEADER_ROLES = (PersonRole.cpo.value, PersonRole.director.value)


def get_row(session: Session, model: type[T], *, workspace_id: int, row_id: int, label: str) -> T:
    """Return a row of ``model`` in the workspace; raise ``NotFoundError`` otherwise."""
    row = session.scalar(
        select(model).where(model.id == row_id, model.workspace_id == workspace_id)
    )
    if row is None:
        raise NotFoundError(f"{label} {row_id} does not exist in this workspace")
    return row


def check_ref(
    session: Session, model: type[Any], *, workspace_id: int, row_id: int | None, field: str
) -> None:
    """Raise ``InvalidInputError`` naming ``field`` if ``row_id`` is not in the workspace."""
    if row_id is None:
        return
    found = session.scalar(
        select(model.id).where(model.id == row_id, model.workspace_id == workspace_id)
    )
    if found is None:
        raise InvalidInputError.single(
            (field,), f"{field}: {row_id} does not exist in this workspace"
        )


def _audit(session: Session, actor: Actor, action: str, kind: str, obj: Any, text: str) -> None:
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action=action,
        object_type=kind,
        object_id=obj.id,
        summary=text,
    )


# --- areas -------------------------------------------------------------------------------


def list_areas(session: Session, *, workspace_id: int) -> list[ProductArea]:
    """Return the product areas by name."""
    return list(
        session.scalars(
            select(ProductArea)
            .where(ProductArea.workspace_id == workspace_id)
            .order_by(ProductArea.name)
        )
    )


def create_area(session: Session, *, actor: Actor, data: AreaCreate) -> ProductArea:
    """Create a product area; raise ``ConflictError`` if the name is taken."""
    taken = session.scalar(
        select(ProductArea.id).where(
            ProductArea.workspace_id == actor.workspace_id, ProductArea.name == data.name
        )
    )
    if taken is not None:
        raise ConflictError(f"a product area named {data.name!r} already exists")
    area = ProductArea(
        workspace_id=actor.workspace_id, name=data.name, description=data.description
    )
    session.add(area)
    session.flush()
    _audit(session, actor, "create", "product_area", area, f"created product area {area.name}")
    return area


def delete_area(session: Session, *, actor: Actor, area_id: int) -> None:
    """Delete a product area; its teams stay, without an area."""
    area = get_row(
        session, ProductArea, workspace_id=actor.workspace_id, row_id=area_id, label="product area"
    )
    _audit(session, actor, "delete", "product_area", area, f"deleted product area {area.name}")
    session.delete(area)
    session.flush()


# --- teams -------------------------------------------------------------------------------


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:56] or "team"


def list_teams(session: Session, *, workspace_id: int) -> list[Team]:
    """Return the teams by name."""
    return list(
        session.scalars(select(Team).where(Team.workspace_id == workspace_id).order_by(Team.name))
    )


def create_team(session: Session, *, actor: Actor, data: TeamCreate) -> Team:
    """Create a team; its ``key`` defaults to a unique slug of its name."""
    ws = actor.workspace_id
    check_ref(session, ProductArea, workspace_id=ws, row_id=data.area_id, field="area_id")
    keys = set(session.scalars(select(Team.key).where(Team.workspace_id == ws)))
    if data.key is not None and data.key in keys:
        raise ConflictError(f"a team with key {data.key!r} already exists")
    key = data.key or _slug(data.name)
    base, n = key, 2
    while key in keys:
        key, n = f"{base}-{n}", n + 1
    team = Team(workspace_id=ws, key=key, name=data.name, area_id=data.area_id)
    session.add(team)
    session.flush()
    _audit(session, actor, "create", "team", team, f"created team {team.name}")
    return team


def update_team(session: Session, *, actor: Actor, team_id: int, data: TeamUpdate) -> Team:
    """Rename a team or move it to another area."""
    ws = actor.workspace_id
    team = get_row(session, Team, workspace_id=ws, row_id=team_id, label="team")
    fields = data.model_dump(exclude_unset=True)
    if "area_id" in fields:
        check_ref(session, ProductArea, workspace_id=ws, row_id=data.area_id, field="area_id")
        team.area_id = data.area_id
    if data.name is not None:
        team.name = data.name
    session.flush()
    _audit(session, actor, "update", "team", team, f"updated team {team.name}")
    return team


def delete_team(session: Session, *, actor: Actor, team_id: int) -> None:
    """Delete a team; its people and items stay, without a team."""
    team = get_row(session, Team, workspace_id=actor.workspace_id, row_id=team_id, label="team")
    _audit(session, actor, "delete", "team", team, f"deleted team {team.name}")
    session.delete(team)
    session.flush()


# --- people ------------------------------------------------------------------------------


def list_people(session: Session, *, workspace_id: int) -> list[OrgPerson]:
    """Return the people by name."""
    return list(
        session.scalars(
            select(OrgPerson).where(OrgPerson.workspace_id == workspace_id).order_by(OrgPerson.name)
        )
    )


def create_person(session: Session, *, actor: Actor, data: PersonCreate) -> OrgPerson:
    """Add a person to the organisation."""
    check_ref(session, Team, workspace_id=actor.workspace_id, row_id=data.team_id, field="team_id")
    person = OrgPerson(
        workspace_id=actor.workspace_id,
        name=data.name,
        role=data.role.value,
        team_id=data.team_id,
        skills=[s.strip() for s in data.skills if s.strip()],
        fte=data.fte,
    )
    session.add(person)
    session.flush()
    _audit(session, actor, "create", "person", person, f"added {person.name} ({person.role})")
    return person


def update_person(
    session: Session, *, actor: Actor, person_id: int, data: PersonUpdate
) -> OrgPerson:
    """Change a person's role, team, skills or FTE."""
    ws = actor.workspace_id
    person = get_row(session, OrgPerson, workspace_id=ws, row_id=person_id, label="person")
    fields = data.model_dump(exclude_unset=True)
    if "team_id" in fields:
        check_ref(session, Team, workspace_id=ws, row_id=data.team_id, field="team_id")
        person.team_id = data.team_id
    if data.name is not None:
        person.name = data.name
    if data.role is not None:
        person.role = data.role.value
    if data.skills is not None:
        person.skills = [s.strip() for s in data.skills if s.strip()]
    if data.fte is not None:
        person.fte = data.fte
    session.flush()
    _audit(session, actor, "update", "person", person, f"updated {person.name}")
    return person


def delete_person(session: Session, *, actor: Actor, person_id: int) -> None:
    """Remove a person (and their holidays)."""
    person = get_row(
        session, OrgPerson, workspace_id=actor.workspace_id, row_id=person_id, label="person"
    )
    _audit(session, actor, "delete", "person", person, f"removed {person.name}")
    session.delete(person)
    session.flush()


# --- periods and holidays ----------------------------------------------------------------


def list_periods(session: Session, *, workspace_id: int) -> list[Period]:
    """Return the planning periods in time order."""
    return list(
        session.scalars(
            select(Period)
            .where(Period.workspace_id == workspace_id)
            .order_by(Period.start, Period.id)
        )
    )


def create_period(session: Session, *, actor: Actor, data: PeriodCreate) -> Period:
    """Create a planning period; raise ``ConflictError`` if the name is taken."""
    taken = session.scalar(
        select(Period.id).where(Period.workspace_id == actor.workspace_id, Period.name == data.name)
    )
    if taken is not None:
        raise ConflictError(f"a period named {data.name!r} already exists")
    period = Period(
        workspace_id=actor.workspace_id,
        name=data.name,
        kind=data.kind.value,
        start=data.start,
        end=data.end,
    )
    session.add(period)
    session.flush()
    _audit(session, actor, "create", "period", period, f"created period {period.name}")
    return period


def delete_period(session: Session, *, actor: Actor, period_id: int) -> None:
    """Delete a period; items planned in it keep their other dates."""
    period = get_row(
        session, Period, workspace_id=actor.workspace_id, row_id=period_id, label="period"
    )
    _audit(session, actor, "delete", "period", period, f"deleted period {period.name}")
    session.delete(period)
    session.flush()


def list_holidays(session: Session, *, workspace_id: int) -> list[Holiday]:
    """Return the holidays by start date."""
    return list(
        session.scalars(
            select(Holiday).where(Holiday.workspace_id == workspace_id).order_by(Holiday.start)
        )
    )


def create_holiday(session: Session, *, actor: Actor, data: HolidayCreate) -> Holiday:
    """Record days off for a person or a whole team."""
    ws = actor.workspace_id
    check_ref(session, OrgPerson, workspace_id=ws, row_id=data.person_id, field="person_id")
    check_ref(session, Team, workspace_id=ws, row_id=data.team_id, field="team_id")
    holiday = Holiday(
        workspace_id=ws,
        person_id=data.person_id,
        team_id=data.team_id,
        start=data.start,
        end=data.end,
        note=data.note,
    )
    session.add(holiday)
    session.flush()
    _audit(session, actor, "create", "holiday", holiday, f"holiday {data.start}..{data.end}")
    return holiday


def delete_holiday(session: Session, *, actor: Actor, holiday_id: int) -> None:
    """Delete a holiday."""
    holiday = get_row(
        session, Holiday, workspace_id=actor.workspace_id, row_id=holiday_id, label="holiday"
    )
    _audit(session, actor, "delete", "holiday", holiday, "deleted a holiday")
    session.delete(holiday)
    session.flush()


# --- capacity ----------------------------------------------------------------------------


def capacity_table(session: Session, *, workspace_id: int) -> list[CapacityRead]:
    """Return every team's capacity in every period (computed, override, in force)."""
    teams = list_teams(session, workspace_id=workspace_id)
    periods = list_periods(session, workspace_id=workspace_id)
    people = list_people(session, workspace_id=workspace_id)
    holidays = list_holidays(session, workspace_id=workspace_id)
    loads = [
        PersonLoad(
            p.id,
            p.team_id,
            p.fte,
            tuple(
                (h.start, h.end)
                for h in holidays
                if h.person_id == p.id or (h.team_id is not None and h.team_id == p.team_id)
            ),
        )
        for p in people
    ]
    overrides = {
        (o.team_id, o.period_id): o.person_weeks
        for o in session.scalars(
            select(CapacityOverride).where(CapacityOverride.workspace_id == workspace_id)
        )
    }
    cells = team_capacity(
        [t.id for t in teams],
        [PeriodSpan(p.id, p.start, p.end) for p in periods],
        loads,
        overrides,
    )
    team_name = {t.id: t.name for t in teams}
    period_name = {p.id: p.name for p in periods}
    return [
        CapacityRead(
            team_id=c.team_id,
            team=team_name[c.team_id],
            period_id=c.period_id,
            period=period_name[c.period_id],
            computed=c.computed,
            override=c.override,
            effective=c.effective,
        )
        for c in cells
    ]


def set_capacity(session: Session, *, actor: Actor, data: CapacitySet) -> None:
    """Set a team's capacity in a period by hand, or clear the override (``None``)."""
    ws = actor.workspace_id
    team = get_row(session, Team, workspace_id=ws, row_id=data.team_id, label="team")
    period = get_row(session, Period, workspace_id=ws, row_id=data.period_id, label="period")
    row = session.scalar(
        select(CapacityOverride).where(
            CapacityOverride.workspace_id == ws,
            CapacityOverride.team_id == team.id,
            CapacityOverride.period_id == period.id,
        )
    )
    if data.person_weeks is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(
            CapacityOverride(
                workspace_id=ws,
                team_id=team.id,
                period_id=period.id,
                person_weeks=data.person_weeks,
                note=data.note,
            )
        )
    else:
        row.person_weeks, row.note = data.person_weeks, data.note
    session.flush()
    value = "computed" if data.person_weeks is None else f"{data.person_weeks:g} person-weeks"
    record(
        session,
        actor=actor,
        workspace_id=ws,
        action="update",
        object_type="capacity",
        object_id=f"{team.id}:{period.id}",
        summary=f"capacity of {team.name} in {period.name} set to {value}",
    )


def count_people(session: Session, *, workspace_id: int) -> int:
    """Return how many people the organisation has."""
    return (
        session.scalar(
            select(func.count())
            .select_from(OrgPerson)
            .where(OrgPerson.workspace_id == workspace_id)
        )
        or 0
    )


def org_chart(session: Session, *, workspace_id: int, title: str) -> OrgChart:
    """Assemble the org chart: leaders (CPO, directors), areas, teams and their people."""
    people = list_people(session, workspace_id=workspace_id)
    teams = list_teams(session, workspace_id=workspace_id)
    areas = list_areas(session, workspace_id=workspace_id)

    def chart_team(team: Team) -> ChartTeam:
        members = [p for p in people if p.team_id == team.id]
        members.sort(key=lambda p: (list(PersonRole).index(PersonRole(p.role)), p.name))
        return ChartTeam(team.name, tuple(ChartPerson(p.name, p.role, p.fte) for p in members))

    chart_areas = [
        ChartArea(a.name, tuple(chart_team(t) for t in teams if t.area_id == a.id)) for a in areas
    ]
    loose = [t for t in teams if t.area_id is None]
    if loose:
        chart_areas.append(ChartArea("(no area)", tuple(chart_team(t) for t in loose)))
    leaders = tuple(
        ChartPerson(p.name, p.role, p.fte)
        for p in people
        if p.role in LEADER_ROLES and p.team_id is None
    )
    return OrgChart(title, leaders, tuple(chart_areas))
