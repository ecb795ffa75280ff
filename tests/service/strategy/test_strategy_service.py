"""Strategy services on SQLite and PostgreSQL: vision history, OKRs, check-ins, refresh, mix."""

from datetime import date, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session
from tests.factories import add_member, make_user, make_workspace

from producthq.accounts.models import Workspace
from producthq.accounts.roles import Role
from producthq.audit.service import Actor
from producthq.db import utcnow
from producthq.errors import ConflictError, InvalidInputError, NotFoundError, ProductHQError
from producthq.strategy import okrs, service
from producthq.strategy.binding import MetricRequest
from producthq.strategy.models import LinkTarget
from producthq.strategy.schemas import (
    CheckinCreate,
    InvestmentMix,
    InvestmentShare,
    KeyResultCreate,
    KeyResultUpdate,
    LinkCreate,
    MetricBinding,
    ObjectiveCreate,
    ObjectiveUpdate,
    PersonaCreate,
    VisionUpdate,
)


@pytest.fixture
def ws(session: Session) -> tuple[Workspace, Actor]:
    owner = make_user(session)
    workspace = make_workspace(session, owner)
    return workspace, Actor(owner.id, owner.email, workspace.id, "owner")


def _objective(s: Session, actor: Actor, title: str = "Grow", period: str = "2026-Q4") -> int:
    return okrs.create_objective(
        s, actor=actor, data=ObjectiveCreate(title=title, period=period)
    ).id


def _kr(s: Session, actor: Actor, objective_id: int, **kw: object) -> int:
    data = {"title": "KR", "baseline": 0.0, "target": 100.0, **kw}
    return okrs.create_key_result(
        s, actor=actor, objective_id=objective_id, data=KeyResultCreate.model_validate(data)
    ).id


def test_each_vision_save_is_a_revision_with_author_and_a_diff(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws
    assert service.find_vision(session, workspace_id=workspace.id) is None
    service.save_vision(session, actor=actor, data=VisionUpdate(body="a\nb\n", summary="first"))
    service.save_vision(session, actor=actor, data=VisionUpdate(body="a\nc\n"))
    session.commit()
    revs = service.list_vision_revisions(session, workspace_id=workspace.id)
    assert [r.number for r in revs] == [2, 1]
    assert revs[0].author_id == actor.user_id and revs[0].author_label == actor.label
    assert revs[1].summary == "first"
    current = service.find_vision(session, workspace_id=workspace.id)
    assert current is not None and current.body == "a\nc\n"
    diff = service.diff_vision(session, workspace_id=workspace.id, from_number=1, to_number=2)
    assert [(d.kind, d.text) for d in diff] == [
        ("context", "a"),
        ("removed", "b"),
        ("added", "c"),
    ]
    with pytest.raises(NotFoundError):
        service.diff_vision(session, workspace_id=workspace.id, from_number=1, to_number=9)


def test_revision_numbers_are_per_workspace(session: Session, ws: tuple[Workspace, Actor]) -> None:
    _, actor = ws
    other_owner = make_user(session, "b@example.com")
    other = make_workspace(session, other_owner, "other")
    other_actor = Actor(other_owner.id, "b", other.id, "owner")
    service.save_vision(session, actor=actor, data=VisionUpdate(body="x"))
    rev = service.save_vision(session, actor=other_actor, data=VisionUpdate(body="y"))
    assert rev.number == 1
    with pytest.raises(NotFoundError):
        service.get_persona(
            session,
            workspace_id=other.id,
            persona_id=service.create_persona(
                session, actor=actor, data=PersonaCreate(name="P")
            ).id,
        )


def test_checkin_updates_current_value_and_progress(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws
    oid = _objective(session, actor)
    kr_a = _kr(session, actor, oid, baseline=20.0, target=40.0)
    _kr(session, actor, oid, baseline=2400.0, target=900.0)  # direction inferred: decrease
    today = utcnow().date()
    okrs.add_checkin(
        session,
        actor=actor,
        key_result_id=kr_a,
        data=CheckinCreate(value=30, note="half way", checkin_date=today - timedelta(days=7)),
    )
    okrs.add_checkin(
        session, actor=actor, key_result_id=kr_a, data=CheckinCreate(value=35, checkin_date=today)
    )
    # A back-dated check-in is history; it does not replace the newer value.
    okrs.add_checkin(
        session,
        actor=actor,
        key_result_id=kr_a,
        data=CheckinCreate(value=25, checkin_date=today - timedelta(days=14)),
    )
    session.commit()
    objective = okrs.get_objective(session, workspace_id=workspace.id, objective_id=oid)
    a, b = objective.key_results
    assert a.current == 35
    assert b.direction == "decrease" and b.current == 2400
    # (35-20)/(40-20) = 0.75; b is at its baseline = 0; mean = 0.375
    assert okrs.progress_of_key_result(a) == pytest.approx(0.75)
    assert okrs.progress_of_objective(objective) == pytest.approx(0.375)
    values = [
        c.value for c in okrs.list_checkins(session, workspace_id=workspace.id, key_result_id=kr_a)
    ]
    assert values == [25, 30, 35]


def test_checkin_in_the_future_is_refused(session: Session, ws: tuple[Workspace, Actor]) -> None:
    _, actor = ws
    kr = _kr(session, actor, _objective(session, actor))
    with pytest.raises(InvalidInputError, match="in the future"):
        okrs.add_checkin(
            session,
            actor=actor,
            key_result_id=kr,
            data=CheckinCreate(value=1, checkin_date=utcnow().date() + timedelta(days=5)),
        )


def test_key_result_target_must_agree_with_direction(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    _, actor = ws
    oid = _objective(session, actor)
    with pytest.raises(InvalidInputError, match="below baseline 10 but the direction is increase"):
        _kr(session, actor, oid, baseline=10.0, target=5.0, direction="increase")
    kr = _kr(session, actor, oid, baseline=10.0, target=20.0)
    with pytest.raises(InvalidInputError, match="below baseline"):
        okrs.update_key_result(
            session, actor=actor, key_result_id=kr, data=KeyResultUpdate(target=1.0)
        )


def test_owner_must_be_a_member(session: Session, ws: tuple[Workspace, Actor]) -> None:
    workspace, actor = ws
    stranger = make_user(session, "stranger@example.com")
    with pytest.raises(InvalidInputError, match="not a member"):
        okrs.create_objective(
            session,
            actor=actor,
            data=ObjectiveCreate(title="x", period="2026-Q4", owner_id=stranger.id),
        )
    add_member(session, workspace, stranger, Role.editor)
    o = okrs.create_objective(
        session,
        actor=actor,
        data=ObjectiveCreate(title="x", period="2026-Q4", owner_id=stranger.id),
    )
    assert o.owner_id == stranger.id


def test_objective_period_can_change_to_custom_dates(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    _, actor = ws
    oid = _objective(session, actor)
    o = okrs.update_objective(
        session,
        actor=actor,
        objective_id=oid,
        data=ObjectiveUpdate(
            period="Launch", period_start=date(2026, 11, 1), period_end=date(2027, 1, 31)
        ),
    )
    assert (o.period, o.period_start, o.period_end) == (
        "Launch",
        date(2026, 11, 1),
        date(2027, 1, 31),
    )
    with pytest.raises(InvalidInputError, match="ends"):
        okrs.update_objective(
            session,
            actor=actor,
            objective_id=oid,
            data=ObjectiveUpdate(period_end=date(2026, 1, 1)),
        )
    with pytest.raises(ValidationError, match="2026-Q4 or a custom|needs start and end"):
        ObjectiveCreate(title="x", period="someday")


class FakeEvaluator:
    """Answers from a table; unknown metrics raise, ``None`` means no data."""

    def __init__(self, values: dict[str, float | None]) -> None:
        self.values = values
        self.requests: list[MetricRequest] = []

    def __call__(self, request: MetricRequest) -> float | None:
        self.requests.append(request)
        if request.metric not in self.values:
            raise ProductHQError(f"unknown metric {request.metric!r}")
        return self.values[request.metric]


def test_refresh_bound_key_results_with_a_fake_evaluator(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws
    oid = _objective(session, actor)
    dau = _kr(
        session,
        actor,
        oid,
        baseline=1000.0,
        target=2000.0,
        metric_binding=MetricBinding(metric="dau", params={"segment": "pro"}),
    )
    mrr = _kr(session, actor, oid, metric_binding=MetricBinding(metric="mrr"))
    unknown = _kr(session, actor, oid, metric_binding=MetricBinding(metric="nope"))
    manual = _kr(session, actor, oid)
    evaluator = FakeEvaluator({"dau": 1500.0, "mrr": None})
    day = date(2026, 11, 2)
    report = okrs.refresh_bound_key_results(
        session, workspace_id=workspace.id, evaluator=evaluator, as_of=day
    )
    assert report.updated == [dau]
    assert report.skipped == {
        mrr: "metric 'mrr' has no value yet",
        unknown: "unknown metric 'nope'",
    }
    first = evaluator.requests[0]
    assert (
        first.metric,
        dict(first.params),
        first.period_start,
        first.period_end,
        first.as_of,
    ) == (
        "dau",
        {"segment": "pro"},
        date(2026, 10, 1),
        date(2026, 12, 31),
        day,
    )
    assert manual not in {r.key_result_id for r in evaluator.requests}
    # A second refresh the same day updates that day's metric check-in instead of adding one.
    evaluator.values["dau"] = 1750.0
    okrs.refresh_bound_key_results(
        session, workspace_id=workspace.id, evaluator=evaluator, as_of=day
    )
    session.commit()
    kr = okrs.get_key_result(session, workspace_id=workspace.id, key_result_id=dau)
    assert kr.current == 1750.0 and kr.refreshed_at is not None
    assert [(c.checkin_date, c.value, c.source) for c in kr.checkins] == [(day, 1750.0, "metric")]
    assert okrs.progress_of_key_result(kr) == pytest.approx(0.75)  # 750 / 1000


def test_investment_mix_validation_reports_every_problem(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    _, actor = ws
    a = _objective(session, actor, "A")
    b = _objective(session, actor, "B")
    other = _objective(session, actor, "C", period="2027-Q1")
    bad = InvestmentMix(
        period="2026-Q4",
        items=[
            InvestmentShare(objective_id=a, percent=50),
            InvestmentShare(objective_id=a, percent=10),
            InvestmentShare(objective_id=other, percent=20),
        ],
    )
    with pytest.raises(InvalidInputError) as info:
        okrs.set_investment_mix(session, actor=actor, data=bad)
    codes = [(p.loc, p.code) for p in info.value.details]
    assert codes == [
        (("items", 1, "objective_id"), "duplicate"),
        (("items", 2, "objective_id"), "unknown_objective"),
        (("items",), "mix_total"),
    ]
    assert "add up to 80; they must add up to 100" in info.value.details[-1].message
    with pytest.raises(InvalidInputError, match="has no objectives"):
        okrs.set_investment_mix(
            session,
            actor=actor,
            data=InvestmentMix(
                period="1999-Q1", items=[InvestmentShare(objective_id=a, percent=100)]
            ),
        )
    okrs.set_investment_mix(
        session,
        actor=actor,
        data=InvestmentMix(period="2026-Q4", items=[InvestmentShare(objective_id=a, percent=100)]),
    )
    okrs.link_objective(
        session,
        actor=actor,
        objective_id=a,
        data=LinkCreate(target_type=LinkTarget.feature, target_id=7, title="SSO", effort=3),
    )
    okrs.link_objective(
        session,
        actor=actor,
        objective_id=b,
        data=LinkCreate(target_type=LinkTarget.roadmap_item, target_id=9, effort=1),
    )
    lines = okrs.investment_of(session, workspace_id=actor.workspace_id, period="2026-Q4")
    # targets 100 / 0; efforts 3 and 1 → planned 75 % / 25 %
    assert [(ln.target_pct, ln.planned_effort, ln.planned_pct) for ln in lines] == [
        (100.0, 3.0, 75.0),
        (0.0, 1.0, 25.0),
    ]


def test_links_are_unique_per_objective_and_can_be_removed(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws
    oid = _objective(session, actor)
    data = LinkCreate(target_type=LinkTarget.feature, target_id=7, title="SSO", effort=3)
    link = okrs.link_objective(session, actor=actor, objective_id=oid, data=data)
    with pytest.raises(ConflictError, match="already linked"):
        okrs.link_objective(session, actor=actor, objective_id=oid, data=data)
    okrs.unlink_objective(session, actor=actor, objective_id=oid, link_id=link.id)
    session.commit()
    assert okrs.get_objective(session, workspace_id=workspace.id, objective_id=oid).links == []


def test_deleting_an_objective_removes_its_key_results(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws
    oid = _objective(session, actor)
    kr = _kr(session, actor, oid)
    okrs.add_checkin(session, actor=actor, key_result_id=kr, data=CheckinCreate(value=1))
    session.commit()
    okrs.delete_objective(session, actor=actor, objective_id=oid)
    session.commit()
    with pytest.raises(NotFoundError):
        okrs.get_key_result(session, workspace_id=workspace.id, key_result_id=kr)
