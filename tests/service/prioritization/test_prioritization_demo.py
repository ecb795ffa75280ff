"""The catalogue demo step: ~150 features, linked to the demo feedback, ranked quickly."""

import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.factories import make_user, make_workspace

from producthq.catalog.models import Feature
from producthq.demo.builder import DEMO_STEPS
from producthq.feedback.models import Highlight
from producthq.prioritization import service
from producthq.prioritization.demo_data import build_catalog_demo


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_demo_builds_features_linked_to_feedback_once(session: Session) -> None:
    assert any(step is build_catalog_demo for _name, step in DEMO_STEPS)
    owner = make_user(session)
    ws = make_workspace(session, owner)
    build_catalog_demo(session, ws, owner, lambda _msg: None)
    session.commit()
    assert _count(session, Feature) == 150
    assert _count(session, Highlight) > 1000
    started = time.perf_counter()
    ranking = service.rank_features(session, workspace_id=ws.id, framework="rice")
    assert time.perf_counter() - started < 10
    assert len(ranking.rows) == 150 and not ranking.unscored
    # The top of the RICE ranking is driven by evidence: its reach comes from linked feedback.
    assert ranking.rows[0].inputs["reach"].source == "evidence"
    sso = next(r for r in ranking.rows if r.title == "SAML single sign-on")
    evidence = service.feature_evidence(session, workspace_id=ws.id, feature_id=sso.feature_id)
    assert evidence.reach > 50 and evidence.demand > 0
    assert evidence.trend == "rising"  # the demo's SSO requests grow month after month
    build_catalog_demo(session, ws, owner, lambda _msg: None)
    assert _count(session, Feature) == 150


def test_demo_has_a_user_framework_kano_answers_and_ranks_by_opportunity(
    session: Session,
) -> None:
    owner = make_user(session)
    ws = make_workspace(session, owner)
    build_catalog_demo(session, ws, owner, lambda _msg: None)
    growth = service.rank_features(session, workspace_id=ws.id, framework="growth")
    assert len(growth.rows) == 150 and not growth.unscored
    kano = service.rank_features(session, workspace_id=ws.id, framework="kano")
    # Only the 27 themed features were surveyed; the others have no Kano counts.
    assert len(kano.rows) == 27
    assert all(r.label for r in kano.rows)
    opportunity = service.rank_features(session, workspace_id=ws.id, framework="opportunity")
    # Features with requesting companies get demand and momentum from the evidence.
    top = opportunity.rows[0]
    assert top.inputs["demand"].source == "evidence"
    assert top.inputs["momentum"].source == "evidence"
