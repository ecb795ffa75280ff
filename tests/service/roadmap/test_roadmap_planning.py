"""Scenarios from the workspace: the optimiser's format, solved as a job, checked, applied."""

from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from producthq.audit.service import Actor
from producthq.errors import InvalidInputError
from producthq.jobs import service as jobs
from producthq.jobs.models import Job
from producthq.roadmap import organisation as org
from producthq.roadmap import planning, service
from producthq.roadmap.checker import check_plan
from producthq.roadmap.models import RoadmapItem
from producthq.roadmap.schemas import (
    ItemCreate,
    ItemUpdate,
    PeriodCreate,
    PersonCreate,
    ScenarioCreate,
    TeamCreate,
)
from producthq.settings import Settings


def _org(session: Session, actor: Actor) -> dict[str, int]:
    web = org.create_team(session, actor=actor, data=TeamCreate(name="Web"))
    core = org.create_team(session, actor=actor, data=TeamCreate(name="Core"))
    for name, team in (("A", web), ("B", web), ("C", core)):
        org.create_person(session, actor=actor, data=PersonCreate(name=name, team_id=team.id))
    # Two 2-week sprints: web has 2 x 2 = 4 person-weeks per sprint, core 2.
    s1 = org.create_period(
        session,
        actor=actor,
        data=PeriodCreate(name="S1", start=date(2025, 1, 6), end=date(2025, 1, 17)),
    )
    s2 = org.create_period(
        session,
        actor=actor,
        data=PeriodCreate(name="S2", start=date(2025, 1, 20), end=date(2025, 1, 31)),
    )
    items = {}
    for title, value, effort in (
        ("login", 10, {"web": 3}),
        ("api", 8, {"core": 2, "web": 4}),
        ("export", 6, {"web": 3}),
        ("search", 20, {"core": 2}),
        ("no value", None, {"web": 1}),
    ):
        items[title] = service.create_item(
            session, actor=actor, data=ItemCreate(title=title, value=value, effort=effort)
        ).id
    service.add_dependency(session, actor=actor, item_id=items["login"], depends_on_id=items["api"])
    return {"web": web.id, "core": core.id, "s1": s1.id, "s2": s2.id, **items}


def test_scenario_from_the_workspace_solves_to_a_plan_the_checker_accepts(
    session: Session, actor: Actor
) -> None:
    ids = _org(session, actor)
    doc = planning.build_scenario(session, workspace_id=actor.workspace_id, name="base")
    assert doc["periods"] == ["S1", "S2"]
    assert {t["id"]: t["capacity"] for t in doc["teams"]} == {"core": [2.0, 2.0], "web": [4.0, 4.0]}
    features = {f["id"]: f for f in doc["features"]}
    assert f"item-{ids['no value']}" not in features
    assert features[f"item-{ids['login']}"]["depends_on"] == [f"item-{ids['api']}"]
    row = planning.import_scenario(session, actor=actor, doc=doc, name="base")
    planning.solve_scenario(session, row=row, time_limit=5)
    assert row.plan is not None and row.plan["status"] == "optimal"
    assert check_plan(row.scenario, row.plan) == []
    chosen = {f["id"] for f in row.plan["features"] if f["chosen"]}
    # Core (2/sprint) fits search then api; web (4/sprint) then login after api, and export.
    assert chosen == {f"item-{ids[t]}" for t in ("login", "api", "export", "search")}
    assert row.plan["objective"] == 44.0


def test_half_capacity_scenario_drops_items_and_compares(session: Session, actor: Actor) -> None:
    _org(session, actor)
    full = planning.create_scenario(session, actor=actor, data=ScenarioCreate(name="full"))
    half = planning.create_scenario(
        session, actor=actor, data=ScenarioCreate(name="half", capacity_percent=50)
    )
    for row in (full, half):
        planning.solve_scenario(session, row=row, time_limit=5)
        assert check_plan(row.scenario, row.plan or {}) == []
    a, b, comparison = planning.compare_scenarios(
        session, workspace_id=actor.workspace_id, a_id=full.id, b_id=half.id
    )
    assert (a.name, b.name) == ("full", "half")
    assert comparison.objective_b < comparison.objective_a
    assert any(f.change == "only_a" for f in comparison.features)


def test_apply_sets_teams_and_periods_and_creates_missing_items(
    session: Session, actor: Actor
) -> None:
    ids = _org(session, actor)
    doc = planning.build_scenario(session, workspace_id=actor.workspace_id, name="x")
    doc["features"].append(
        {"id": "brand-new", "name": "Brand new", "value": 1, "effort": {"web": 1}}
    )
    row = planning.import_scenario(session, actor=actor, doc=doc)
    planning.solve_scenario(session, row=row, time_limit=5)
    result = planning.apply_plan(session, actor=actor, scenario_id=row.id)
    assert (result.updated, result.created) == (4, 1)
    plan = {f["id"]: f for f in (row.plan or {})["features"]}
    item = service.get_item(session, workspace_id=actor.workspace_id, item_id=ids["login"])
    expected = plan[f"item-{ids['login']}"]
    assert item.team_id == ids[expected["team"]]
    assert item.start_period_id == ids[expected["start"].lower()]
    created = session.query(RoadmapItem).filter(RoadmapItem.title == "Brand new").one()
    assert created.team_id == ids["web"] and created.value == 1
    assert row.applied_at is not None


def test_building_without_candidates_says_what_is_missing(session: Session, actor: Actor) -> None:
    with pytest.raises(InvalidInputError, match="no planning periods"):
        planning.build_scenario(session, workspace_id=actor.workspace_id, name="x")
    _org(session, actor)
    for item in service.list_items(session, workspace_id=actor.workspace_id):
        service.update_item(session, actor=actor, item_id=item.id, data=ItemUpdate(status="done"))
    with pytest.raises(InvalidInputError, match="has both a value and an effort"):
        planning.build_scenario(session, workspace_id=actor.workspace_id, name="x")


def test_optimise_job_reports_progress_and_stores_the_plan(
    session: Session, actor: Actor, settings: Settings, factory: sessionmaker[Session]
) -> None:
    _org(session, actor)
    row = planning.create_scenario(session, actor=actor, data=ScenarioCreate(name="job"))
    job = planning.start_optimisation(session, actor=actor, scenario_id=row.id, time_limit=3)
    session.commit()
    assert jobs.execute_job(job_id=job.id, settings=settings, factory=factory) == "succeeded"
    with factory() as s:
        done = s.get(Job, job.id)
        assert done is not None and done.progress == 100
        assert done.result["status"] == "optimal" and done.result["objective"] == 44.0
        stored = planning.get_scenario(s, workspace_id=actor.workspace_id, scenario_id=row.id)
        assert stored.status == "solved" and check_plan(stored.scenario, stored.plan or {}) == []
