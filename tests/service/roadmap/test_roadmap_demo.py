"""The demo's roadmap step: the promised sizes, plans that pass the checker, idempotent."""

import time
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from producthq.demo import builder
from producthq.demo.builder import DEMO_STEPS, build_demo
from producthq.roadmap import demo as roadmap_demo
from producthq.roadmap.checker import check_plan
from producthq.roadmap.models import (
    ItemDependency,
    OrgPerson,
    Period,
    Release,
    RoadmapItem,
    RoadmapScenario,
    Team,
)
from producthq.settings import Settings
from producthq.strategy.models import LinkTarget, Objective


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_demo_roadmap_is_seeded_once(
    session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ("roadmap", roadmap_demo.build_roadmap_demo) in DEMO_STEPS
    seconds: list[float] = []

    def timed(*args: Any) -> None:  # the roadmap step alone; other areas' steps have their own
        started = time.monotonic()
        roadmap_demo.build_roadmap_demo(*args)
        seconds.append(time.monotonic() - started)

    steps = [(n, timed if n == "roadmap" else f) for n, f in DEMO_STEPS]
    monkeypatch.setattr(builder, "DEMO_STEPS", steps)
    build_demo(session, settings=settings, progress=lambda _m: None)
    session.commit()
    assert len(seconds) == 1 and seconds[0] < 30
    counts = {
        m.__name__: _count(session, m)
        for m in (Team, OrgPerson, Period, RoadmapItem, Release, ItemDependency, RoadmapScenario)
    }
    assert counts == {
        "Team": 6,
        "OrgPerson": 39,
        "Period": 4,
        "RoadmapItem": 40,
        "Release": 4,
        "ItemDependency": 9,
        "RoadmapScenario": 2,
    }
    rows = {r.name: r for r in session.scalars(select(RoadmapScenario))}
    for row in rows.values():
        assert row.plan is not None and row.plan["status"] in ("optimal", "feasible")
        assert check_plan(row.scenario, row.plan) == []
        percents = [c["percent"] for c in row.plan["explanation"]["capacity_changes"]]
        assert percents == [10.0, -10.0]
        # Reverse ETL waits for BigQuery, which waits for the Snowflake sync: three items of
        # two quarters each need six quarters, so no plan over four can hold it.
        names = {f["id"]: f["name"] for f in row.scenario["features"]}
        left_out = {names[f["id"]] for f in row.plan["features"] if not f["chosen"]}
        assert "Reverse ETL" in left_out
    # Items serve the strategy demo's objectives: the objective named on each item is one of
    # the workspace's objectives, and that objective lists the item among its links.
    objectives = {o.title: o for o in session.scalars(select(Objective))}
    assert len(objectives) == 4
    items = list(session.scalars(select(RoadmapItem)))
    assert {i.objective for i in items} == set(objectives)
    for item in items:
        links = objectives[item.objective].links
        assert (LinkTarget.roadmap_item.value, item.id) in {
            (lk.target_type, lk.target_id) for lk in links
        }
    base, lean = rows["Baseline"].plan, rows["Platform loses two engineers"].plan
    assert base is not None and lean is not None
    # Less capacity can never buy more value (every lean plan is a baseline plan too).
    assert lean["objective"] <= base["best_bound"]
    build_demo(session, settings=settings, progress=lambda _m: None)
    session.commit()
    assert _count(session, RoadmapItem) == 40 and _count(session, RoadmapScenario) == 2
