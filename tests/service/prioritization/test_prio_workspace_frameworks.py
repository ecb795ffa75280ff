"""User-defined frameworks, stored Kano answers and the evidence-based opportunity framework,
on SQLite and PostgreSQL. Expected numbers are worked by hand in the comments.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.factories import make_user, make_workspace

from producthq.accounts.models import Workspace
from producthq.audit.service import Actor
from producthq.catalog import service as catalog
from producthq.catalog.schemas import FeatureCreate
from producthq.db import utcnow
from producthq.errors import ConflictError, InvalidInputError, NotFoundError
from producthq.feedback import customers
from producthq.feedback import highlights as highlighting
from producthq.feedback import service as feedback
from producthq.feedback.schemas import CompanyCreate, FeedbackCreate, HighlightCreate, PersonCreate
from producthq.prioritization import frameworks, kano_answers, service
from producthq.prioritization.models import KanoResponse
from producthq.prioritization.schemas import (
    EstimateSet,
    KanoResponseCreate,
    ScoringFrameworkCreate,
    ScoringFrameworkUpdate,
)


@pytest.fixture
def ws(session: Session) -> tuple[Workspace, Actor]:
    owner = make_user(session)
    workspace = make_workspace(session, owner)
    return workspace, Actor(owner.id, owner.email, workspace.id, "owner")


def _feature(s: Session, actor: Actor, title: str) -> int:
    return catalog.create_feature(s, actor=actor, data=FeatureCreate(title=title)).id


def _set(s: Session, actor: Actor, fid: int, framework: str, **values: float) -> None:
    for name, v in values.items():
        service.set_estimate(
            s,
            actor=actor,
            feature_id=fid,
            framework=framework,
            input_name=name,
            data=EstimateSet(low=v),
        )


def _growth(s: Session, actor: Actor, formula: str = "") -> int:
    data = ScoringFrameworkCreate.model_validate(
        {
            "slug": "growth",
            "title": "Growth <b>bets</b>",
            "criteria": [
                {"name": "value", "weight": 3},
                {"name": "fit", "weight": 2},
                {"name": "effort", "weight": 1, "kind": "cost"},
            ],
            "formula": formula,
        }
    )
    return frameworks.create_user_framework(s, actor=actor, data=data).id


def _titles(s: Session, ws_id: int, framework: str, **kw: object) -> list[str]:
    ranking = service.rank_features(s, workspace_id=ws_id, framework=framework, **kw)  # type: ignore[arg-type]
    return [r.title for r in ranking.rows]


def test_user_framework_ranks_with_per_feature_estimates_and_what_if(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws
    _growth(session, actor)
    a, b = _feature(session, actor, "A"), _feature(session, actor, "B")
    # Weighted sum 3 value + 2 fit - 1 effort: A = 3*8 + 2*2 - 4 = 24; B = 3*5 + 2*9 - 1 = 32.
    _set(session, actor, a, "growth", value=8, fit=2, effort=4)
    _set(session, actor, b, "growth", value=5, fit=9, effort=1)
    ranking = service.rank_features(session, workspace_id=workspace.id, framework="growth")
    assert [(r.title, r.median) for r in ranking.rows] == [("B", 32.0), ("A", 24.0)]
    assert ranking.rows[0].inputs["value"].source == "manual"
    # What-if: fit weighted 0 -> A = 24 - 4 = 20, B = 15 - 1 = 14; A moves up one place.
    moved = service.rank_features(
        session, workspace_id=workspace.id, framework="growth", weights={"fit": 0}
    )
    assert [(r.title, r.median, r.places_up) for r in moved.rows] == [
        ("A", 20.0, 1),
        ("B", 14.0, -1),
    ]
    infos = {f.slug: f for f in service.list_frameworks(session, workspace_id=workspace.id)}
    assert infos["growth"].user_defined and infos["growth"].weights
    assert not infos["rice"].user_defined


def test_user_formula_is_used_and_an_edit_changes_the_scores(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws
    fw_id = _growth(session, actor, "(w_value * value + w_fit * fit) / effort")
    a = _feature(session, actor, "A")
    _set(session, actor, a, "growth", value=8, fit=2, effort=4)
    # (3*8 + 2*2) / 4 = 28 / 4 = 7.
    assert service.rank_features(session, workspace_id=workspace.id, framework="growth").rows[
        0
    ].median == pytest.approx(7.0)
    frameworks.update_user_framework(
        session,
        actor=actor,
        framework_id=fw_id,
        data=ScoringFrameworkUpdate(formula="value * fit - effort"),
    )
    # 8 * 2 - 4 = 12.
    assert service.rank_features(session, workspace_id=workspace.id, framework="growth").rows[
        0
    ].median == pytest.approx(12.0)


@pytest.mark.parametrize(
    ("formula", "column", "needle"),
    [
        pytest.param("w_value * valeu", 11, "did you mean 'value'", id="typo"),
        pytest.param("value +* fit", 8, "syntax error", id="syntax"),
        pytest.param("__import__('os')", 1, "not allowed", id="import"),
    ],
)
def test_bad_formula_is_refused_with_its_column_and_nothing_stored(
    session: Session, ws: tuple[Workspace, Actor], formula: str, column: int, needle: str
) -> None:
    workspace, actor = ws
    with pytest.raises(InvalidInputError) as caught:
        _growth(session, actor, formula)
    problem = caught.value.details[0]
    assert problem.loc == ("formula", column)
    assert needle in problem.message
    assert frameworks.list_user_frameworks(session, workspace_id=workspace.id) == []


def test_slugs_of_builtins_and_taken_slugs_conflict(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws
    _growth(session, actor)
    with pytest.raises(ConflictError):
        _growth(session, actor)
    for slug in ("rice", "kano", "weighted"):
        with pytest.raises(ConflictError):
            frameworks.create_user_framework(
                session,
                actor=actor,
                data=ScoringFrameworkCreate.model_validate(
                    {"slug": slug, "title": "x", "criteria": [{"name": "v"}]}
                ),
            )


def test_deleted_framework_is_unknown_and_invisible_to_other_workspaces(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws
    fw_id = _growth(session, actor)
    other_owner = make_user(session, "other@example.com", "Other")
    other = make_workspace(session, other_owner, "other")
    with pytest.raises(InvalidInputError):
        service.rank_features(session, workspace_id=other.id, framework="growth")
    with pytest.raises(NotFoundError):
        frameworks.get_user_framework(session, workspace_id=other.id, framework_id=fw_id)
    frameworks.delete_user_framework(session, actor=actor, framework_id=fw_id)
    with pytest.raises(InvalidInputError) as caught:
        service.rank_features(session, workspace_id=workspace.id, framework="growth")
    assert caught.value.details[0].code == "unknown_framework"


# --- Kano answers --------------------------------------------------------------------------

# Twelve respondents over the Berger et al. (1993) evaluation table (Center for Quality of
# Management Journal 2(4), "Kano's methods for understanding customer-defined quality", table 1;
# the same table is in docs/prioritization.md). Tally by hand:
#   like/dislike x4 -> O 4; expect/dislike x3 -> M 3; like/neutral x2 -> A 2;
#   neutral/neutral x1 -> I 1; dislike/like x1 -> R 1; like/like x1 -> Q 1.
# Category: O (4 is the most). better = (A + O) / (A + O + M + I) = 6 / 10 = 0.6;
# worse = -(O + M) / 10 = -0.7. R and Q are left out of both, as Timko does.
ANSWERS = (
    [("like", "dislike")] * 4
    + [("expect", "dislike")] * 3
    + [("like", "neutral")] * 2
    + [("neutral", "neutral"), ("dislike", "like"), ("like", "like")]
)


def _answer(s: Session, actor: Actor, fid: int, pairs: list[tuple[str, str]]) -> None:
    for i, (f, d) in enumerate(pairs):
        kano_answers.add_kano_response(
            s,
            actor=actor,
            feature_id=fid,
            data=KanoResponseCreate(functional=f, dysfunctional=d, respondent=f"r{i}"),
        )


def test_kano_answers_give_category_coefficients_and_the_kano_ranking(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws
    fid = _feature(session, actor, "Offline mode")
    _answer(session, actor, fid, ANSWERS)
    summary = kano_answers.kano_summary(session, workspace_id=workspace.id, feature_id=fid)
    assert summary.counts == {
        "attractive": 2,
        "one_dimensional": 4,
        "must_be": 3,
        "indifferent": 1,
        "reverse": 1,
        "questionable": 1,
    }
    assert (summary.total, summary.category) == (12, "one_dimensional")
    assert summary.better == pytest.approx(0.6)
    assert summary.worse == pytest.approx(-0.7)
    # A second feature: like/neutral x3, neutral/dislike x1 -> A 3, M 1: better 0.75, worse -0.25.
    other = _feature(session, actor, "Dark mode")
    _answer(session, actor, other, [("like", "neutral")] * 3 + [("neutral", "dislike")])
    ranking = service.rank_features(session, workspace_id=workspace.id, framework="kano")
    assert [(r.title, r.label) for r in ranking.rows] == [
        ("Dark mode", "attractive"),
        ("Offline mode", "one_dimensional"),
    ]
    assert [r.median for r in ranking.rows] == [pytest.approx(0.75), pytest.approx(0.6)]
    assert [r.worse for r in ranking.rows] == [pytest.approx(-0.25), pytest.approx(-0.7)]
    assert ranking.rows[1].inputs["must_be"].source == "evidence"


def test_kano_answer_needs_a_known_person_or_a_name_and_real_answers(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws
    fid = _feature(session, actor, "F")
    person = customers.create_person(
        session, actor=actor, workspace_id=workspace.id, data=PersonCreate(name="Pat <i>")
    ).id
    out = kano_answers.add_kano_response(
        session,
        actor=actor,
        feature_id=fid,
        data=KanoResponseCreate(functional="I like it", dysfunctional="5", person_id=person),
    )
    assert [(r.respondent, r.category) for r in out.responses] == [("Pat <i>", "one_dimensional")]
    bad = [
        KanoResponseCreate(functional="love", dysfunctional="dislike", respondent="x"),
        KanoResponseCreate(functional="like", dysfunctional="dislike"),
        KanoResponseCreate(functional="like", dysfunctional="dislike", person_id=999_999),
    ]
    fields = []
    for data in bad:
        with pytest.raises(InvalidInputError) as caught:
            kano_answers.add_kano_response(session, actor=actor, feature_id=fid, data=data)
        fields.append(caught.value.details[0].loc[0])
    assert fields == ["functional", "respondent", "person_id"]


def test_kano_csv_import_reports_every_bad_row_and_keeps_nothing(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws
    fid = _feature(session, actor, "F")
    customers.create_person(
        session,
        actor=actor,
        workspace_id=workspace.id,
        data=PersonCreate(name="Ann", email="ann@example.com"),
    )
    bad = (
        "feature_id,respondent,person_email,functional,dysfunctional\n"
        f"{fid},Bo,,like,dislike\n"
        f"{fid},,nobody@example.com,like,dislike\n"  # row 3: unknown e-mail
        f"999999,Cy,,like,meh\n"  # row 4: no such feature, bad answer
        f",Di,,like,dislike\n"  # row 5: feature missing
    )
    with pytest.raises(InvalidInputError) as caught:
        kano_answers.import_kano_csv(session, actor=actor, text=bad)
    assert [p.loc for p in caught.value.details] == [
        ("kano.csv", 3, "person_email"),
        ("kano.csv", 4, "feature_id"),
        ("kano.csv", 4, "dysfunctional"),
        ("kano.csv", 5, "feature_id"),
    ]
    assert session.scalar(select(func.count()).select_from(KanoResponse)) == 0
    good = (
        "respondent,person_email,functional,dysfunctional\n"
        "Bo,,like,dislike\n"
        ",ANN@example.com,expect,dislike\n"
    )
    result = kano_answers.import_kano_csv(session, actor=actor, text=good, feature_id=fid)
    assert (result.created, result.features) == (2, [fid])
    summary = kano_answers.kano_summary(session, workspace_id=workspace.id, feature_id=fid)
    assert [(r.respondent, r.category) for r in summary.responses] == [
        ("Bo", "one_dimensional"),
        ("Ann", "must_be"),
    ]
    with pytest.raises(InvalidInputError) as header:
        kano_answers.import_kano_csv(session, actor=actor, text="who,what\nx,y\n", feature_id=fid)
    assert {p.loc[2] for p in header.value.details} == {"functional", "dysfunctional", "respondent"}


# --- the opportunity framework ---------------------------------------------------------------


def _ask(s: Session, actor: Actor, fid: int, company: int, days_ago: int) -> None:
    item = feedback.create_feedback(
        s,
        actor=actor,
        workspace_id=actor.workspace_id,
        data=FeedbackCreate(
            text="we need this",
            company_id=company,
            occurred_at=utcnow() - timedelta(days=days_ago),
        ),
    )
    highlighting.create_highlight(
        s, actor=actor, item_id=item.id, data=HighlightCreate(feature_id=fid, quote="need")
    )


def test_opportunity_derives_demand_and_momentum_and_drills_down(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws

    def company(name: str, arr: float) -> int:
        data = CompanyCreate(name=name, arr=arr, segment="SMB")
        return customers.create_company(
            session, actor=actor, workspace_id=workspace.id, data=data
        ).id

    big, small = company("Big", 120_000), company("Small", 30_000)
    rising, fading = _feature(session, actor, "Rising"), _feature(session, actor, "Fading")
    # Rising: Big asks 3 times in the last 90 days (windows 0-2), Small once 100 days ago.
    for days in (5, 40, 70):
        _ask(session, actor, rising, big, days)
    _ask(session, actor, rising, small, 100)
    # Fading: Big asks twice 100 and 130 days ago, nothing recent.
    for days in (100, 130):
        _ask(session, actor, fading, big, days)
    _set(session, actor, rising, "opportunity", effort=2)
    _set(session, actor, fading, "opportunity", effort=2)
    ev = service.feature_evidence(session, workspace_id=workspace.id, feature_id=rising)
    # recent 3, earlier 1: momentum (3 + 1) / (1 + 1) = 2; demand 150,000 = 150 k.
    assert (ev.recent, ev.earlier, ev.momentum) == (3, 1, 2.0)
    # Two-sided exact binomial test of 3 of 4 at p = 1/2: 2 * (4 + 1) / 16 = 0.625.
    assert ev.p_value == pytest.approx(0.625)
    assert [(c.name, c.arr, c.requests) for c in ev.customers] == [
        ("Big", 120_000.0, 3),
        ("Small", 30_000.0, 1),
    ]
    ranking = service.rank_features(session, workspace_id=workspace.id, framework="opportunity")
    # Rising: 150 * 2 / 2 = 150. Fading: demand 120 k, recent 0, earlier 2 -> 1/3;
    # 120 * (1/3) / 2 = 20.
    assert [(r.title, r.median) for r in ranking.rows] == [
        ("Rising", pytest.approx(150.0)),
        ("Fading", pytest.approx(20.0)),
    ]
    inputs = ranking.rows[0].inputs
    assert (inputs["demand"].source, inputs["momentum"].source) == ("evidence", "evidence")
    # An override shows as such, with the derived value beside it.
    _set(session, actor, rising, "opportunity", momentum=1)
    row = service.rank_features(session, workspace_id=workspace.id, framework="opportunity").rows[0]
    assert (row.inputs["momentum"].source, row.inputs["momentum"].derived) == ("override", 2.0)
    assert row.median == pytest.approx(75.0)  # 150 * 1 / 2
