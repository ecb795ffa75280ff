"""The insight pipeline on stored feedback: duplicates, sentiment, themes and hand edits."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.factories import make_user, make_workspace

from producthq.audit.service import Actor
from producthq.errors import InvalidInputError, NotFoundError
from producthq.feedback import customers, insight, service, theme_report
from producthq.feedback.models import FeedbackItem, Theme
from producthq.feedback.schemas import CompanyCreate, FeedbackCreate

TOPICS = {
    "sso": [
        "We need SAML single sign-on with Okta",
        "Single sign-on through Okta SAML is required by IT",
        "Please support SAML SSO for Okta users",
        "Okta single sign-on SAML login is a must",
        "Our IT team asks for SAML single sign-on",
        "SAML based SSO with Okta would help us roll out",
        "Need Okta SAML sign-on before renewal",
        "SSO via SAML and Okta is blocking us",
    ],
    "export": [
        "CSV export of the funnel report cuts off rows",
        "Export the funnel report to CSV please",
        "The CSV export truncates the funnel report",
        "We need a CSV export of the funnel report for finance",
        "Funnel report CSV export is missing columns",
        "Please let us export funnel reports as CSV files",
        "CSV export for the funnel report is broken",
        "Exporting the funnel report to CSV fails",
    ],
    "mobile": [
        "The iOS app crashes when I open a dashboard",
        "iOS app crash on opening dashboards",
        "Mobile iOS app keeps crashing on dashboards",
        "Every time I open a dashboard the iOS app crashes",
        "Dashboards crash the iOS mobile app",
        "iOS app crashed twice opening the dashboard list",
        "Crash in the iOS app when a dashboard opens",
        "The iOS mobile app crashes on the dashboard screen",
    ],
}


@pytest.fixture
def actor(session: Session) -> Actor:
    owner = make_user(session)
    ws = make_workspace(session, owner)
    session.commit()
    return Actor(owner.id, owner.email, ws.id, "owner")


def _seed(session: Session, actor: Actor) -> dict[str, list[int]]:
    ws = actor.workspace_id
    ent = customers.create_company(
        session,
        actor=actor,
        workspace_id=ws,
        data=CompanyCreate(name="Big Co", segment="Enterprise", arr=500_000),
    )
    smb = customers.create_company(
        session,
        actor=actor,
        workspace_id=ws,
        data=CompanyCreate(name="Small Co", segment="SMB", arr=5_000),
    )
    start = datetime(2026, 1, 5, tzinfo=UTC)
    ids: dict[str, list[int]] = {}
    for topic, texts in TOPICS.items():
        for k, text in enumerate(texts):
            item = service.create_feedback(
                session,
                actor=actor,
                workspace_id=ws,
                data=FeedbackCreate(
                    text=text,
                    company_id=ent.id if topic == "sso" else smb.id,
                    occurred_at=start + timedelta(days=7 * k),
                ),
            )
            ids.setdefault(topic, []).append(item.id)
    copy = service.create_feedback(
        session,
        actor=actor,
        workspace_id=ws,
        data=FeedbackCreate(
            text="Hi team,\nwe need SAML single sign-on with Okta!\n\nThanks,\nAnn"
        ),
    )
    ids["copy"] = [copy.id]
    session.flush()
    return ids


def _themes_of(session: Session, ids: list[int]) -> Counter[int | None]:
    rows = session.scalars(select(FeedbackItem).where(FeedbackItem.id.in_(ids)))
    return Counter(i.theme_id for i in rows)


def _run(session: Session, actor: Actor) -> insight.AnalysisResult:
    return insight.analyze_feedback(session, workspace_id=actor.workspace_id)


def test_analysis_finds_topics_duplicates_and_sentiment(session: Session, actor: Actor) -> None:
    ids = _seed(session, actor)
    result = _run(session, actor)
    assert result.items == 25 and result.sentiment_scored == 25
    # each topic lands (mostly) in one theme of its own
    majors = {}
    for topic in TOPICS:
        theme, count = _themes_of(session, ids[topic]).most_common(1)[0]
        assert theme is not None and count >= 6, topic
        majors[topic] = theme
    assert len(set(majors.values())) == 3
    first, copy = (
        session.get(FeedbackItem, ids["sso"][0]),
        session.get(FeedbackItem, ids["copy"][0]),
    )
    assert first is not None and copy is not None
    assert first.duplicate_group == copy.duplicate_group == first.id
    assert copy.theme_id == first.theme_id
    crash = session.get(FeedbackItem, ids["mobile"][0])
    assert crash is not None and crash.sentiment is not None and crash.sentiment < 0
    rows = list(theme_report.iter_duplicate_rows(session, workspace_id=actor.workspace_id))
    assert sorted(r[1] for r in rows) == sorted([first.id, copy.id])


def test_rerun_keeps_theme_ids_and_hand_edits(session: Session, actor: Actor) -> None:
    ids = _seed(session, actor)
    _run(session, actor)
    before = {i.id: i.theme_id for i in session.scalars(select(FeedbackItem))}
    sso = _themes_of(session, ids["sso"]).most_common(1)[0][0]
    export = _themes_of(session, ids["export"]).most_common(1)[0][0]
    mobile = _themes_of(session, ids["mobile"]).most_common(1)[0][0]
    assert sso and export and mobile
    insight.update_theme(session, actor=actor, theme_id=sso, label="Single sign-on")
    again = _run(session, actor)
    assert again.themes_new == 0 and again.assigned == 0
    assert {i.id: i.theme_id for i in session.scalars(select(FeedbackItem))} == before
    sso_theme = session.get(Theme, sso)
    assert sso_theme is not None and sso_theme.label == "Single sign-on"
    # merge export into mobile: export's items stay in mobile after a re-run
    insight.merge_themes(session, actor=actor, keep_id=mobile, merge_ids=[export])
    _run(session, actor)
    assert set(_themes_of(session, ids["export"] + ids["mobile"])) == {mobile}
    gone = session.get(Theme, export)
    assert gone is not None and gone.status == "retired" and gone.merged_into_id == mobile
    # split the export items off again by hand: the split survives a re-run
    new = insight.split_theme(
        session, actor=actor, theme_id=mobile, item_ids=ids["export"], label="Export"
    )
    _run(session, actor)
    assert set(_themes_of(session, ids["export"])) == {new.id}
    assert set(_themes_of(session, ids["mobile"])) == {mobile}
    labels = {t.id: t.label for t in session.scalars(select(Theme))}
    assert labels[new.id] == "Export" and labels[sso] == "Single sign-on"


def test_theme_detail_reports_revenue_segments_and_trend(session: Session, actor: Actor) -> None:
    ids = _seed(session, actor)
    _run(session, actor)
    sso = _themes_of(session, ids["sso"]).most_common(1)[0][0]
    assert sso is not None
    d = theme_report.theme_detail(session, workspace_id=actor.workspace_id, theme_id=sso)
    # the SSO items all come from Big Co (500,000 ARR), counted once
    assert d.summary.arr == 500_000 and d.summary.companies == 1
    seg = {s.segment: s for s in d.segments}
    assert seg["Enterprise"].over_indexed and not seg["SMB"].over_indexed
    assert d.quotes and all(q.theme_id == sso for q in d.quotes)
    assert sum(v.count for v in d.volume) == d.summary.size
    assert d.summary.trend.direction in {"growing", "shrinking", "stable", "not_enough_data"}


def test_incremental_run_assigns_only_new_items(session: Session, actor: Actor) -> None:
    ids = _seed(session, actor)
    _run(session, actor)
    mobile = _themes_of(session, ids["mobile"]).most_common(1)[0][0]
    before = {i.id: i.theme_id for i in session.scalars(select(FeedbackItem))}
    new = service.create_feedback(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        data=FeedbackCreate(text="The iOS app crashes when opening my dashboard today"),
    )
    result = insight.analyze_feedback(session, workspace_id=actor.workspace_id, incremental=True)
    assert result.assigned == 1 and new.theme_id == mobile
    after = {i.id: i.theme_id for i in session.scalars(select(FeedbackItem)) if i.id != new.id}
    assert after == before


def test_hand_edits_reject_bad_input(session: Session, actor: Actor) -> None:
    ids = _seed(session, actor)
    _run(session, actor)
    sso = _themes_of(session, ids["sso"]).most_common(1)[0][0]
    assert sso is not None
    with pytest.raises(InvalidInputError):
        insight.update_theme(session, actor=actor, theme_id=sso, label="   ")
    with pytest.raises(InvalidInputError):
        insight.merge_themes(session, actor=actor, keep_id=sso, merge_ids=[sso])
    with pytest.raises(NotFoundError):
        insight.get_theme(session, workspace_id=actor.workspace_id, theme_id=99999)
    with pytest.raises(InvalidInputError):
        insight.split_theme(session, actor=actor, theme_id=sso, item_ids=[ids["export"][0]])


def test_merge_duplicates_archives_copies(session: Session, actor: Actor) -> None:
    ids = _seed(session, actor)
    _run(session, actor)
    first = session.get(FeedbackItem, ids["sso"][0])
    assert first is not None and first.duplicate_group
    kept = insight.merge_duplicates(session, actor=actor, group_id=first.duplicate_group)
    copy = session.get(FeedbackItem, ids["copy"][0])
    assert kept.id == first.id and copy is not None
    assert copy.status == "archived" and copy.extra["duplicate_of"] == first.id
    with pytest.raises(NotFoundError):
        insight.merge_duplicates(session, actor=actor, group_id=first.id)


def test_merge_people_moves_their_feedback(session: Session, actor: Actor) -> None:
    from producthq.feedback.models import Person
    from producthq.feedback.schemas import PersonCreate

    ws = actor.workspace_id
    keep = customers.create_person(
        session, actor=actor, workspace_id=ws, data=PersonCreate(name="Ann")
    )
    dupe = customers.create_person(
        session, actor=actor, workspace_id=ws, data=PersonCreate(name="Ann B", email="ann@x.test")
    )
    item = service.create_feedback(
        session, actor=actor, workspace_id=ws, data=FeedbackCreate(text="hi", person_id=dupe.id)
    )
    merged = customers.merge_people(session, actor=actor, keep_id=keep.id, merge_ids=[dupe.id])
    assert merged.email == "ann@x.test" and item.person_id == keep.id
    assert session.get(Person, dupe.id) is None
    with pytest.raises(InvalidInputError):
        customers.merge_people(session, actor=actor, keep_id=keep.id, merge_ids=[keep.id])
