"""Plain, deterministic factories of roadmap objects for tests."""

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from producthq.audit.service import Actor
from producthq.roadmap import organisation as org
from producthq.roadmap import planning, service, sharing
from producthq.roadmap.schemas import (
    AreaCreate,
    HolidayCreate,
    ItemCreate,
    PeriodCreate,
    PersonCreate,
    ReleaseCreate,
    ShareLinkCreate,
    TeamCreate,
)


def make_roadmap_objects(s: Session, actor: Actor) -> dict[str, Any]:
    """One of each roadmap object in the actor's workspace; their ids keyed by path name."""
    area = org.create_area(s, actor=actor, data=AreaCreate(name="Probe area"))
    team = org.create_team(s, actor=actor, data=TeamCreate(name="Probe team", area_id=area.id))
    person = org.create_person(s, actor=actor, data=PersonCreate(name="Probe", team_id=team.id))
    period = org.create_period(
        s,
        actor=actor,
        data=PeriodCreate(name="Probe Q1", start=date(2026, 1, 1), end=date(2026, 3, 31)),
    )
    holiday = org.create_holiday(
        s,
        actor=actor,
        data=HolidayCreate(person_id=person.id, start=date(2026, 1, 5), end=date(2026, 1, 6)),
    )
    release = service.create_release(
        s, actor=actor, data=ReleaseCreate(name="Probe 1.0", release_date=date(2026, 3, 1))
    )
    first = service.create_item(
        s,
        actor=actor,
        data=ItemCreate(title="Probe item", team_id=team.id, value=5, effort={team.key: 2}),
    )
    second = service.create_item(s, actor=actor, data=ItemCreate(title="Probe second"))
    service.add_dependency(s, actor=actor, item_id=second.id, depends_on_id=first.id)
    link = sharing.create_share_link(s, actor=actor, data=ShareLinkCreate(label="probe"))
    snapshot = sharing.create_snapshot(s, actor=actor, name="probe")
    scenario = planning.import_scenario(
        s,
        actor=actor,
        doc={
            "periods": ["P1"],
            "teams": [{"id": "t", "capacity": 4}],
            "features": [{"id": "a", "value": 3, "effort": {"t": 2}}],
        },
        name="probe",
    )
    return {
        "area_id": area.id,
        "team_id": team.id,
        "org_person_id": person.id,
        "period_id": period.id,
        "holiday_id": holiday.id,
        "release_id": release.id,
        "roadmap_item_id": second.id,
        "depends_on_id": first.id,
        "link_id": link.link.id,
        "snapshot_id": snapshot.id,
        "scenario_id": scenario.id,
        "token": link.token,
    }
