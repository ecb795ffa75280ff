"""The demo's roadmap step: the promised sizes, plans that pass the checker, idempotent."""

import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

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


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_demo_roadmap_is_seeded_once(session: Session, settings: Settings) -> None:
    assert ("roadmap", roadmap_demo.build_roadmap_demo) in DEMO_STEPS
    started = time.monotonic()
    build_demo(session, settings=settings, progress=lambda _m: None)
    session.commit()
    assert time.monotonic() - started < 60
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
    for row in session.scalars(select(RoadmapScenario)):
        assert row.plan is not None and row.plan["status"] in ("optimal", "feasible")
        assert check_plan(row.scenario, row.plan) == []
    build_demo(session, settings=settings, progress=lambda _m: None)
    session.commit()
    assert _count(session, RoadmapItem) == 40 and _count(session, RoadmapScenario) == 2
