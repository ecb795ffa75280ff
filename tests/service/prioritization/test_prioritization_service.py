"""Prioritisation services on SQLite and PostgreSQL: estimates, evidence, ranking, what-if, poker.

Expected numbers are worked by hand in the comments.
"""

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session
from tests.factories import add_member, make_user, make_workspace

from producthq.accounts.models import Workspace
from producthq.accounts.roles import Role
from producthq.audit.service import Actor
from producthq.catalog import service as catalog
from producthq.catalog.schemas import FeatureCreate, FeatureFilter
from producthq.db import utcnow
from producthq.errors import ConflictError, InvalidInputError
from producthq.feedback import customers
from producthq.feedback import highlights as highlighting
from producthq.feedback import service as feedback
from producthq.feedback.schemas import (
    CompanyCreate,
    FeedbackCreate,
    HighlightCreate,
    PersonCreate,
)
from producthq.prioritization import service
from producthq.prioritization.schemas import EstimateSet, PokerStart


@pytest.fixture
def ws(session: Session) -> tuple[Workspace, Actor]:
    owner = make_user(session)
    workspace = make_workspace(session, owner)
    return workspace, Actor(owner.id, owner.email, workspace.id, "owner")


def _rice(s: Session, actor: Actor, fid: int, **values: float | tuple[float, float]) -> None:
    for name, v in values.items():
        low, high = v if isinstance(v, tuple) else (v, v)
        service.set_estimate(
            s,
            actor=actor,
            feature_id=fid,
            framework="rice",
            input_name=name,
            data=EstimateSet(low=low, high=high),
        )


def _feature(s: Session, actor: Actor, title: str, **kw: object) -> int:
    return catalog.create_feature(s, actor=actor, data=FeatureCreate(title=title, **kw)).id


def _ask(
    s: Session,
    actor: Actor,
    fid: int,
    *,
    company: int | None,
    person: int | None,
    days_ago: int = 0,
) -> None:
    item = feedback.create_feedback(
        s,
        actor=actor,
        workspace_id=actor.workspace_id,
        data=FeedbackCreate(
            text="we need this feature",
            company_id=company,
            person_id=person,
            occurred_at=utcnow() - timedelta(days=days_ago),
        ),
    )
    highlighting.create_highlight(
        s, actor=actor, item_id=item.id, data=HighlightCreate(feature_id=fid, quote="need this")
    )


def test_evidence_counts_unique_customers_and_their_arr(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws
    ws_id = workspace.id

    def company(name: str, arr: float | None, segment: str) -> int:
        data = CompanyCreate(name=name, arr=arr, segment=segment)
        return customers.create_company(session, actor=actor, workspace_id=ws_id, data=data).id

    big, small, unknown = (
        company("Big", 100_000, "Enterprise"),
        company("Small", 5_000, "SMB"),
        (company("NoArr", None, "SMB")),
    )
    alone = customers.create_person(
        session, actor=actor, workspace_id=ws_id, data=PersonCreate(name="Solo")
    ).id
    fid = _feature(session, actor, "SSO")
    _ask(session, actor, fid, company=big, person=None)
    _ask(session, actor, fid, company=big, person=None)  # same company: still one customer
    _ask(session, actor, fid, company=small, person=None)
    _ask(session, actor, fid, company=unknown, person=None)
    _ask(session, actor, fid, company=None, person=alone)  # a person without a company
    ev = service.feature_evidence(session, workspace_id=ws_id, feature_id=fid)
    # Customers: Big, Small, NoArr, Solo = 4; requests = 5 items.
    assert (ev.requests, ev.reach, ev.companies) == (5, 4, 3)
    # Demand: 100,000 + 5,000 (NoArr has no ARR and is counted as unknown).
    assert (ev.demand, ev.arr_unknown) == (105_000.0, 1)
    assert ev.segments == [("SMB", 2), ("Enterprise", 1)]
    assert ev.monthly[-1] == 5 and sum(ev.monthly) == 5
    # RICE reach comes from the evidence; a manual value overrides it and says so.
    inputs = {
        v.input: v
        for v in service.feature_inputs(
            session, workspace_id=ws_id, feature_id=fid, framework="rice"
        ).inputs
    }
    assert (inputs["reach"].source, inputs["reach"].median) == ("evidence", 4.0)
    assert inputs["effort"].source == "missing"
    _rice(session, actor, fid, reach=50)
    inputs = {
        v.input: v
        for v in service.feature_inputs(
            session, workspace_id=ws_id, feature_id=fid, framework="rice"
        ).inputs
    }
    assert (inputs["reach"].source, inputs["reach"].median, inputs["reach"].derived) == (
        "override",
        50.0,
        4.0,
    )
    service.delete_estimate(
        session, actor=actor, feature_id=fid, framework="rice", input_name="reach"
    )
    inputs = {
        v.input: v
        for v in service.feature_inputs(
            session, workspace_id=ws_id, feature_id=fid, framework="rice"
        ).inputs
    }
    assert inputs["reach"].source == "evidence"


def test_ranking_uses_rice_and_lists_features_missing_inputs(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws
    # Intercom's example (McBride 2016): reach 500, impact 2, confidence 0.8, effort 4 -> 200.
    a = _feature(session, actor, "Intercom example", tags=["growth"])
    _rice(session, actor, a, reach=500, impact=2, confidence=0.8, effort=4)
    # 1000 * 1 * 0.5 / 2 = 250: ranks first.
    b = _feature(session, actor, "Wide and cheap")
    _rice(session, actor, b, reach=1000, impact=1, confidence=0.5, effort=2)
    c = _feature(session, actor, "No effort yet")
    _rice(session, actor, c, reach=10, impact=1, confidence=1)
    ranking = service.rank_features(session, workspace_id=workspace.id, framework="rice", top=1)
    assert [(r.title, r.rank) for r in ranking.rows] == [
        ("Wide and cheap", 1),
        ("Intercom example", 2),
    ]
    assert ranking.rows[1].median == pytest.approx(200.0)
    assert [r.p_top for r in ranking.rows] == [1.0, 0.0]  # point inputs: certain
    assert [(u.title, u.missing) for u in ranking.unscored] == [("No effort yet", ["effort"])]
    assert ranking.method == "exact"
    only = service.rank_features(
        session, workspace_id=workspace.id, filters=FeatureFilter(tag="growth")
    )
    assert [r.title for r in only.rows] == ["Intercom example"]


def test_range_inputs_give_an_interval_around_the_median(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws
    a = _feature(session, actor, "Uncertain")
    # reach 100..400 at 90 %: lognormal, median = sqrt(100 * 400) = 200; others points.
    _rice(session, actor, a, reach=(100, 400), impact=1, confidence=1, effort=1)
    row = service.rank_features(session, workspace_id=workspace.id).rows[0]
    assert row.median == pytest.approx(200.0)
    assert (row.low, row.high) == (pytest.approx(100.0), pytest.approx(400.0))
    assert row.driver == "reach"


def test_what_if_weights_move_features_and_report_the_move(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws
    cheap = _feature(session, actor, "Cheap")
    _rice(session, actor, cheap, reach=100, impact=1, confidence=1, effort=1)  # 100
    wide = _feature(session, actor, "Wide")
    _rice(session, actor, wide, reach=1000, impact=1, confidence=1, effort=5)  # 200
    base = service.rank_features(session, workspace_id=workspace.id)
    assert [r.title for r in base.rows] == ["Wide", "Cheap"]
    # Effort counted twice (weight 2): Cheap 100 / 1^2 = 100; Wide 1000 / 5^2 = 40.
    moved = service.rank_features(session, workspace_id=workspace.id, weights={"effort": 2})
    assert [(r.title, r.rank, r.rank_before, r.places_up) for r in moved.rows] == [
        ("Cheap", 1, 2, 1),
        ("Wide", 2, 1, -1),
    ]
    assert moved.rows[1].median == pytest.approx(40.0)
    with pytest.raises(InvalidInputError):
        service.rank_features(session, workspace_id=workspace.id, weights={"reech": 1})
    with pytest.raises(InvalidInputError):
        service.rank_features(session, workspace_id=workspace.id, framework="nope")


def test_estimate_out_of_range_is_refused(session: Session, ws: tuple[Workspace, Actor]) -> None:
    _workspace, actor = ws
    fid = _feature(session, actor, "X")
    with pytest.raises(InvalidInputError, match="confidence must be at most 1"):
        _rice(session, actor, fid, confidence=1.5)
    with pytest.raises(InvalidInputError, match="no input 'speed'"):
        _rice(session, actor, fid, speed=1)


def test_poker_hides_votes_until_revealed_then_flags_disagreement(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, owner = ws
    other = make_user(session, "leo@example.com", "Leo")
    add_member(session, workspace, other, Role.editor)
    leo = Actor(other.id, other.email, workspace.id, "editor")
    fid = _feature(session, owner, "Checkout")
    r = service.start_poker(
        session, actor=owner, feature_id=fid, data=PokerStart(framework="rice", input="effort")
    )
    service.vote_poker(session, actor=owner, round_id=r.id, value=2)
    seen = service.vote_poker(session, actor=leo, round_id=r.id, value=8)
    assert (seen.own, seen.votes, seen.median) == (8.0, [], None)
    assert sorted(seen.voted) == sorted([owner.label, leo.label])
    done = service.reveal_poker(session, actor=owner, round_id=r.id)
    # Median of 2 and 8 is 5; 8 > 2 x 2, so the team disagrees.
    assert (done.median, done.disagreement) == (5.0, True)
    assert [v.value for v in done.votes] == [2.0, 8.0]
    with pytest.raises(ConflictError):
        service.vote_poker(session, actor=leo, round_id=r.id, value=3)
    inputs = service.apply_poker(session, actor=owner, round_id=r.id)
    effort = next(v for v in inputs.inputs if v.input == "effort")
    # Disagreement: the estimate is the range lowest..highest.
    assert (effort.low, effort.high, effort.source) == (2.0, 8.0, "manual")
