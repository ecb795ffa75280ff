"""A feature's links: the objectives it serves and the feedback that asks for it.

Objective links are strategy's rows (``ObjectiveLink`` with ``target_type = feature``); this
module reads and writes them through strategy's service. Feedback links are feedback's
highlights, read here for the feature page's evidence. Functions flush, never commit.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from producthq.audit.service import Actor
from producthq.catalog import service as catalog
from producthq.catalog.schemas import EvidenceQuote, FeatureDetail, FeatureRead, ObjectiveRef
from producthq.errors import NotFoundError
from producthq.feedback.models import Company, FeedbackItem, Highlight, Person
from producthq.strategy import okrs
from producthq.strategy.models import LinkTarget
from producthq.strategy.schemas import LinkCreate

MAX_QUOTES = 500


def objectives_of(session: Session, *, workspace_id: int, feature_id: int) -> list[ObjectiveRef]:
    """Return the objectives a feature is linked to, by period."""
    out = []
    for o in okrs.list_objectives(session, workspace_id=workspace_id):
        for link in o.links:
            if link.target_type == LinkTarget.feature.value and link.target_id == feature_id:
                out.append(
                    ObjectiveRef(objective_id=o.id, title=o.title, period=o.period, link_id=link.id)
                )
    return out


def link_objective(
    session: Session, *, actor: Actor, feature_id: int, objective_id: int
) -> list[ObjectiveRef]:
    """Link a feature to an objective (strategy's link, with the feature's title)."""
    feature = catalog.get_feature(session, workspace_id=actor.workspace_id, feature_id=feature_id)
    okrs.link_objective(
        session,
        actor=actor,
        objective_id=objective_id,
        data=LinkCreate(target_type=LinkTarget.feature, target_id=feature.id, title=feature.title),
    )
    return objectives_of(session, workspace_id=actor.workspace_id, feature_id=feature.id)


def unlink_objective(
    session: Session, *, actor: Actor, feature_id: int, objective_id: int
) -> list[ObjectiveRef]:
    """Remove the link between a feature and an objective."""
    feature = catalog.get_feature(session, workspace_id=actor.workspace_id, feature_id=feature_id)
    refs = objectives_of(session, workspace_id=actor.workspace_id, feature_id=feature.id)
    found = next((r for r in refs if r.objective_id == objective_id), None)
    if found is None:
        raise NotFoundError(f"feature {feature_id} is not linked to objective {objective_id}")
    okrs.unlink_objective(session, actor=actor, objective_id=objective_id, link_id=found.link_id)
    # The objective's loaded links still hold the deleted row; reload them next time.
    session.expire(
        okrs.get_objective(session, workspace_id=actor.workspace_id, objective_id=objective_id),
        ["links"],
    )
    return objectives_of(session, workspace_id=actor.workspace_id, feature_id=feature.id)


def quotes_of(session: Session, *, workspace_id: int, feature_id: int) -> list[EvidenceQuote]:
    """Return the highlighted passages linked to a feature, newest first, with their customer."""
    rows = session.execute(
        select(
            Highlight,
            FeedbackItem.occurred_at,
            FeedbackItem.company_id,
            FeedbackItem.person_id,
            Company.name,
            Company.segment,
            Company.arr,
            Person.name,
        )
        .join(FeedbackItem, FeedbackItem.id == Highlight.feedback_item_id)
        .outerjoin(Company, Company.id == FeedbackItem.company_id)
        .outerjoin(Person, Person.id == FeedbackItem.person_id)
        .where(Highlight.workspace_id == workspace_id, Highlight.feature_id == feature_id)
        .order_by(FeedbackItem.occurred_at.desc(), Highlight.id)
        .limit(MAX_QUOTES)
    )
    return [
        EvidenceQuote(
            highlight_id=h.id,
            feedback_item_id=h.feedback_item_id,
            quote=h.quote,
            importance=h.importance,
            occurred_at=occurred,
            company_id=cid,
            company=cname,
            segment=segment,
            arr=arr,
            person_id=pid,
            person=pname,
        )
        for h, occurred, cid, pid, cname, segment, arr, pname in rows
    ]


def feature_detail(session: Session, *, workspace_id: int, feature_id: int) -> FeatureDetail:
    """Return a feature with its product, component, objectives and linked feedback."""
    f = catalog.get_feature(session, workspace_id=workspace_id, feature_id=feature_id)
    product = (
        catalog.get_product(session, workspace_id=workspace_id, product_id=f.product_id)
        if f.product_id
        else None
    )
    component = (
        catalog.get_component(session, workspace_id=workspace_id, component_id=f.component_id)
        if f.component_id
        else None
    )
    base = FeatureRead.model_validate(f).model_dump()
    return FeatureDetail(
        **base,
        product=product.name if product else None,
        component=component.name if component else None,
        objectives=objectives_of(session, workspace_id=workspace_id, feature_id=f.id),
        quotes=quotes_of(session, workspace_id=workspace_id, feature_id=f.id),
    )
