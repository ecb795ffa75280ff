"""Plain, deterministic factories of strategy objects for tests."""

from typing import Any

from sqlalchemy.orm import Session

from producthq.audit.service import Actor
from producthq.strategy import okrs, service
from producthq.strategy.models import LinkTarget
from producthq.strategy.schemas import (
    CheckinCreate,
    CompetitorCreate,
    KeyResultCreate,
    LinkCreate,
    ObjectiveCreate,
    PersonaCreate,
    VisionUpdate,
)


def make_strategy_objects(s: Session, actor: Actor) -> dict[str, Any]:
    """One of each strategy object in the actor's workspace; their ids keyed by path name."""
    revision = service.save_vision(s, actor=actor, data=VisionUpdate(body="# Probe vision"))
    persona = service.create_persona(s, actor=actor, data=PersonaCreate(name="Probe persona"))
    competitor = service.create_competitor(
        s, actor=actor, data=CompetitorCreate(name="Probe competitor")
    )
    objective = okrs.create_objective(
        s, actor=actor, data=ObjectiveCreate(title="Probe objective", period="2026-Q4")
    )
    kr = okrs.create_key_result(
        s,
        actor=actor,
        objective_id=objective.id,
        data=KeyResultCreate(title="Probe KR", baseline=0, target=10),
    )
    okrs.add_checkin(s, actor=actor, key_result_id=kr.id, data=CheckinCreate(value=3))
    link = okrs.link_objective(
        s,
        actor=actor,
        objective_id=objective.id,
        data=LinkCreate(target_type=LinkTarget.feature, target_id=1, title="Probe", effort=2),
    )
    return {
        "revision_number": revision.number,
        "persona_id": persona.id,
        "competitor_id": competitor.id,
        "objective_id": objective.id,
        "key_result_id": kr.id,
        "objective_link_id": link.id,
    }
