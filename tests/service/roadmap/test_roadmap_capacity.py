"""Capacity in person-weeks from people, FTE and holidays, checked against hand arithmetic."""

from datetime import date

from sqlalchemy.orm import Session

from producthq.audit.service import Actor
from producthq.roadmap import organisation as org
from producthq.roadmap.org import ChartArea, ChartPerson, ChartTeam, OrgChart, org_chart_svg
from producthq.roadmap.schemas import (
    CapacitySet,
    HolidayCreate,
    PeriodCreate,
    PersonCreate,
    TeamCreate,
)


def test_capacity_counts_fte_and_holidays(session: Session, actor: Actor) -> None:
    web = org.create_team(session, actor=actor, data=TeamCreate(name="Web"))
    core = org.create_team(session, actor=actor, data=TeamCreate(name="Core"))
    # Two full weeks, Monday 6 to Friday 17 January 2025: 10 working days.
    sprint = org.create_period(
        session,
        actor=actor,
        data=PeriodCreate(name="S1", kind="sprint", start=date(2025, 1, 6), end=date(2025, 1, 19)),
    )
    ana = org.create_person(session, actor=actor, data=PersonCreate(name="Ana", team_id=web.id))
    org.create_person(session, actor=actor, data=PersonCreate(name="Ben", team_id=web.id, fte=0.5))
    org.create_person(session, actor=actor, data=PersonCreate(name="Cy", team_id=core.id, fte=0.8))
    # Ana: Wednesday 8 off, and Saturday 11 (not a working day, costs nothing).
    org.create_holiday(
        session,
        actor=actor,
        data=HolidayCreate(person_id=ana.id, start=date(2025, 1, 8), end=date(2025, 1, 8)),
    )
    org.create_holiday(
        session,
        actor=actor,
        data=HolidayCreate(person_id=ana.id, start=date(2025, 1, 11), end=date(2025, 1, 11)),
    )
    # The whole web team: Monday 13 and Tuesday 14 (Ana's and Ben's).
    org.create_holiday(
        session,
        actor=actor,
        data=HolidayCreate(team_id=web.id, start=date(2025, 1, 13), end=date(2025, 1, 14)),
    )
    cells = {c.team: c for c in org.capacity_table(session, workspace_id=actor.workspace_id)}
    # Ana: 1.0 x (10 - 1 - 2) / 5 = 1.4; Ben: 0.5 x (10 - 2) / 5 = 0.8; web = 2.2.
    assert cells["Web"].computed == 2.2
    # Cy: 0.8 x 10 / 5 = 1.6.
    assert cells["Core"].computed == 1.6
    assert cells["Core"].effective == 1.6 and cells["Core"].override is None
    org.set_capacity(
        session,
        actor=actor,
        data=CapacitySet(team_id=core.id, period_id=sprint.id, person_weeks=3),
    )
    cells = {c.team: c for c in org.capacity_table(session, workspace_id=actor.workspace_id)}
    assert (cells["Core"].computed, cells["Core"].override, cells["Core"].effective) == (
        1.6,
        3.0,
        3.0,
    )
    org.set_capacity(session, actor=actor, data=CapacitySet(team_id=core.id, period_id=sprint.id))
    cells = {c.team: c for c in org.capacity_table(session, workspace_id=actor.workspace_id)}
    assert cells["Core"].effective == 1.6


def test_overlapping_holidays_count_once(session: Session, actor: Actor) -> None:
    team = org.create_team(session, actor=actor, data=TeamCreate(name="Solo"))
    org.create_period(
        session,
        actor=actor,
        data=PeriodCreate(name="W", start=date(2025, 1, 6), end=date(2025, 1, 10)),
    )
    p = org.create_person(session, actor=actor, data=PersonCreate(name="Di", team_id=team.id))
    for start, end in ((date(2025, 1, 6), date(2025, 1, 8)), (date(2025, 1, 7), date(2025, 1, 9))):
        org.create_holiday(
            session, actor=actor, data=HolidayCreate(person_id=p.id, start=start, end=end)
        )
    # Monday 6 to Thursday 9 off: 1 working day left, 0.2 person-weeks.
    assert org.capacity_table(session, workspace_id=actor.workspace_id)[0].computed == 0.2


def test_team_keys_are_unique_slugs(session: Session, actor: Actor) -> None:
    a = org.create_team(session, actor=actor, data=TeamCreate(name="Web App"))
    b = org.create_team(session, actor=actor, data=TeamCreate(name="web app!"))
    assert (a.key, b.key) == ("web-app", "web-app-2")


def test_org_chart_svg_escapes_names() -> None:
    chart = OrgChart(
        "<script>alert(1)</script>",
        (ChartPerson("Eve <b>", "cpo"),),
        (ChartArea("A&B", (ChartTeam("<script>x</script>", (ChartPerson("<i>", "pm"),)),)),),
    )
    svg = org_chart_svg(chart)
    assert "<script>" not in svg and "<b>" not in svg and "<i>" not in svg
    assert "&lt;script&gt;x&lt;/script&gt;" in svg and "A&amp;B" in svg
