"""Feedback, companies and highlights on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.factories import make_user, make_workspace

from producthq.audit.models import AuditEntry
from producthq.audit.service import Actor
from producthq.catalog import service as catalog
from producthq.catalog.schemas import FeatureCreate
from producthq.errors import AuthenticationError, InvalidInputError, NotFoundError
from producthq.feedback import customers, service, webhooks
from producthq.feedback import highlights as highlighting
from producthq.feedback.models import FeedbackItem, Person
from producthq.feedback.schemas import (
    CompanyCreate,
    FeedbackBulk,
    FeedbackCreate,
    FeedbackFilter,
    HighlightCreate,
    PersonCreate,
    WebhookPayload,
)


@pytest.fixture
def actor(session: Session) -> Actor:
    owner = make_user(session)
    ws = make_workspace(session, owner)
    session.commit()
    return Actor(owner.id, owner.email, ws.id, "owner")


def _feedback(session: Session, actor: Actor, text: str, **kw: object) -> FeedbackItem:
    return service.create_feedback(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        data=FeedbackCreate(text=text, **kw),  # type: ignore[arg-type]
    )


def test_merge_companies_moves_feedback_and_people_and_is_audited(
    session: Session, actor: Actor
) -> None:
    ws = actor.workspace_id
    keep = customers.create_company(
        session, actor=actor, workspace_id=ws, data=CompanyCreate(name="Globex")
    )
    dupe = customers.create_company(
        session,
        actor=actor,
        workspace_id=ws,
        data=CompanyCreate(name="Globex Inc.", domain="https://www.globex.com/", arr=1200),
    )
    person = customers.create_person(
        session, actor=actor, workspace_id=ws, data=PersonCreate(name="Ann", company_id=dupe.id)
    )
    item = _feedback(session, actor, "Dashboards are slow", company_id=dupe.id)
    merged = customers.merge_companies(session, actor=actor, keep_id=keep.id, merge_ids=[dupe.id])
    session.commit()
    assert merged.domain == "globex.com" and merged.arr == 1200
    assert session.get(FeedbackItem, item.id).company_id == keep.id  # type: ignore[union-attr]
    assert session.get(Person, person.id).company_id == keep.id  # type: ignore[union-attr]
    with pytest.raises(NotFoundError):
        customers.get_company(session, workspace_id=ws, company_id=dupe.id)
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "merge"))
    assert entry is not None and entry.changes["feedback_moved"] == 1


def test_merge_into_itself_is_refused(session: Session, actor: Actor) -> None:
    c = customers.create_company(
        session, actor=actor, workspace_id=actor.workspace_id, data=CompanyCreate(name="A")
    )
    with pytest.raises(InvalidInputError, match="into itself"):
        customers.merge_companies(session, actor=actor, keep_id=c.id, merge_ids=[c.id])


HIGHLIGHT_ERRORS = [
    ({"start": 5, "end": 3}, "must be greater than start"),
    ({"start": 0, "end": 999}, "past the end of the text"),
    ({"start": 4, "end": 4}, "must be greater than start"),
    ({"start": 3, "end": 4}, "only blank space"),
    ({"quote": "not in there"}, "not in the feedback text"),
]


def test_highlight_offsets_are_validated_against_the_text(session: Session, actor: Actor) -> None:
    item = _feedback(session, actor, "SSO is a must for us.")
    feature = catalog.create_feature(session, actor=actor, data=FeatureCreate(title="SSO"))
    for data, message in HIGHLIGHT_ERRORS:
        with pytest.raises(InvalidInputError, match=message):
            highlighting.create_highlight(
                session,
                actor=actor,
                item_id=item.id,
                data=HighlightCreate(feature_id=feature.id, **data),  # type: ignore[arg-type]
            )


def test_highlight_by_quote_finds_the_passage_and_links_the_item(
    session: Session, actor: Actor
) -> None:
    item = _feedback(session, actor, "Honestly, SAML   single sign-on is a must for us.")
    feature = catalog.create_feature(session, actor=actor, data=FeatureCreate(title="SSO"))
    h = highlighting.create_highlight(
        session,
        actor=actor,
        item_id=item.id,
        data=HighlightCreate(
            feature_id=feature.id, quote="saml single sign-on", importance="critical"
        ),
    )
    assert (h.start_offset, h.end_offset) == (10, 31)
    assert h.quote == "SAML   single sign-on"
    assert item.status == "linked"
    highlighting.delete_highlight(session, actor=actor, item_id=item.id, highlight_id=h.id)
    assert item.status == "triaged"


def test_list_filters_and_pages(session: Session, actor: Actor) -> None:
    ws = actor.workspace_id
    ent = customers.create_company(
        session, actor=actor, workspace_id=ws, data=CompanyCreate(name="Big", segment="Enterprise")
    )
    _feedback(session, actor, "Slow dashboards", source="support_ticket", company_id=ent.id)
    _feedback(session, actor, "Need SSO", source="sales_call", tags=["sso"])
    third = _feedback(session, actor, "Slow export", source="support_ticket")
    service.archive_feedback(session, actor=actor, item_id=third.id)

    def ids(**f: object) -> list[str]:
        rows, _, _ = service.list_feedback(
            session, workspace_id=ws, filters=FeedbackFilter.model_validate(f)
        )
        return sorted(r.text for r in rows)

    assert ids() == ["Need SSO", "Slow dashboards"]
    assert ids(include_archived=True, q="slow") == ["Slow dashboards", "Slow export"]
    assert ids(segment="Enterprise") == ["Slow dashboards"]
    assert ids(source="sales_call") == ["Need SSO"]
    assert ids(tag="sso") == ["Need SSO"]
    assert ids(status="archived") == ["Slow export"]
    page, total, cursor = service.list_feedback(
        session, workspace_id=ws, filters=FeedbackFilter(), limit=1
    )
    assert total == 2 and cursor is not None
    page2, _, end = service.list_feedback(
        session, workspace_id=ws, filters=FeedbackFilter(), limit=1, cursor=cursor
    )
    assert end is None and page2[0].id != page[0].id


def test_bulk_update_sets_status_and_tags(session: Session, actor: Actor) -> None:
    a = _feedback(session, actor, "one", tags=["old"])
    b = _feedback(session, actor, "two")
    changed = service.bulk_update_feedback(
        session,
        actor=actor,
        data=FeedbackBulk(ids=[a.id, b.id], status="triaged", add_tags=["Q3"], remove_tags=["old"]),
    )
    assert changed == 2
    assert (a.status, a.tags, b.tags) == ("triaged", ["q3"], ["q3"])
    with pytest.raises(NotFoundError):
        service.bulk_update_feedback(session, actor=actor, data=FeedbackBulk(ids=[a.id, 999999]))


def test_webhook_secret_is_checked_and_deliveries_are_idempotent(
    session: Session, actor: Actor
) -> None:
    _hook, secret = webhooks.rotate_webhook_secret(session, actor=actor)
    session.commit()
    with pytest.raises(AuthenticationError):
        webhooks.authenticate_webhook(session, slug="acme", secret="wrong")
    with pytest.raises(AuthenticationError):
        webhooks.authenticate_webhook(session, slug="nope", secret=secret)
    ws = webhooks.authenticate_webhook(session, slug="acme", secret=secret)
    payload = WebhookPayload(
        text="Please add dark mode", author_email="Zed@Example.com", external_id="t-1"
    )
    first = webhooks.receive_webhook(session, workspace_id=ws.id, payload=payload)
    second = webhooks.receive_webhook(session, workspace_id=ws.id, payload=payload)
    assert (first.created, second.created, second.skipped) == (1, 0, 1)
    item = session.get(FeedbackItem, first.ids[0])
    assert item is not None and item.source == "chat"


def test_analysis_stores_duplicates_sentiment_and_themes(session: Session, actor: Actor) -> None:
    from producthq.feedback import analysis
    from producthq.feedback.models import Theme

    a = _feedback(session, actor, "The CSV export cuts off after 10,000 rows.")
    b = _feedback(session, actor, "The CSV export cuts off after 10,000 rows!!")
    c = _feedback(session, actor, "Please add dark mode to the mobile app.")
    assert analysis.mark_duplicates(session, workspace_id=actor.workspace_id) == 2
    assert a.duplicate_group == b.duplicate_group == a.id and c.duplicate_group is None
    assert (
        analysis.apply_sentiment(
            session, workspace_id=actor.workspace_id, scores={a.id: -0.6, c.id: 0.02}
        )
        == 2
    )
    assert (a.sentiment_label, c.sentiment_label) == ("negative", "neutral")
    old = Theme(workspace_id=actor.workspace_id, label="export", keywords=[])
    new = Theme(workspace_id=actor.workspace_id, label="CSV export", keywords=[])
    session.add_all([old, new])
    session.flush()
    old.merged_into_id = new.id
    changed = analysis.apply_theme_assignments(
        session, workspace_id=actor.workspace_id, assignments={a.id: old.id, c.id: None}
    )
    assert changed == 1 and a.theme_id == new.id
