"""Use cases of "find feedback like this", semantic search and feature suggestions.

Texts are compared by cosine similarity of word and character n-gram TF-IDF vectors fitted on
the workspace's most recent items (at most :data:`MAX_ITEMS`), the same representation the
default embedder starts from; character n-grams make it robust to typos and word forms.

Feature suggestions are nearest neighbours (Cover & Hart 1967): the features linked, through
highlights, to the items most similar to this one, each scored by the sum of those items'
similarities. Accepting one links the whole item to the feature; rejecting one records it on the
item (``extra.rejected_features``) so it is not suggested again.
"""

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sqlalchemy import select
from sqlalchemy.orm import Session

from producthq.audit.service import Actor, record
from producthq.catalog import service as catalog
from producthq.errors import InvalidInputError
from producthq.feedback.fulltext import dialect_of
from producthq.feedback.highlights import create_highlight
from producthq.feedback.models import FeedbackItem, FeedbackStatus, Highlight, Importance
from producthq.feedback.schemas import FeedbackFilter, HighlightCreate
from producthq.feedback.service import filtered_query, get_feedback

MAX_ITEMS = 20_000


@dataclass(frozen=True)
class Match:
    """An item and its cosine similarity to the query."""

    item: FeedbackItem
    similarity: float


@dataclass(frozen=True)
class Suggestion:
    """A feature the item probably belongs to, with the evidence behind it."""

    feature_id: int
    title: str
    score: float
    because_of: tuple[int, ...]


def _corpus(
    session: Session, workspace_id: int, filters: FeedbackFilter | None = None
) -> list[FeedbackItem]:
    if filters is None:
        query = select(FeedbackItem).where(
            FeedbackItem.workspace_id == workspace_id,
            FeedbackItem.status != FeedbackStatus.archived.value,
        )
    else:
        query = filtered_query(workspace_id, filters, dialect=dialect_of(session))
    return list(
        session.scalars(
            query.order_by(FeedbackItem.occurred_at.desc(), FeedbackItem.id.desc()).limit(MAX_ITEMS)
        )
    )


def _rank(query: str, items: list[FeedbackItem], limit: int, skip: int | None) -> list[Match]:
    if not items or not query.strip():
        return []
    vectorizer = FeatureUnion(
        [
            ("words", TfidfVectorizer(sublinear_tf=True, strip_accents="unicode")),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True)),
        ]
    )
    try:
        matrix = vectorizer.fit_transform([i.text for i in items])
    except ValueError:  # nothing but stop words or punctuation
        return []
    q = vectorizer.transform([query])
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel()) + 1e-12
    qn = float(np.sqrt(q.multiply(q).sum())) + 1e-12
    sims = np.asarray((matrix @ q.T).todense()).ravel() / norms / qn
    out: list[Match] = []
    for k in np.argsort(-sims, kind="stable"):
        if sims[k] <= 0 or len(out) >= limit:
            break
        if items[k].id != skip:
            out.append(Match(items[k], round(float(sims[k]), 4)))
    return out


def search_similar(
    session: Session,
    *,
    workspace_id: int,
    text: str,
    limit: int = 20,
    filters: FeedbackFilter | None = None,
) -> list[Match]:
    """Return the items most similar in meaning to ``text`` (semantic search), best first.

    ``filters`` (the inbox filters; their ``q`` is ignored) narrow the items compared.
    """
    if len(text) > 10_000:
        raise InvalidInputError.single(
            ("text",), "the search text is longer than 10,000 characters"
        )
    return _rank(text, _corpus(session, workspace_id, _without_q(filters)), limit, None)


def similar_items(
    session: Session,
    *,
    workspace_id: int,
    item_id: int,
    limit: int = 10,
    filters: FeedbackFilter | None = None,
) -> list[Match]:
    """Return the items most like this one ("find feedback like this"), best first.

    ``filters`` (the inbox filters; their ``q`` is ignored) narrow the items compared.
    """
    item = get_feedback(session, workspace_id=workspace_id, item_id=item_id)
    corpus = _corpus(session, workspace_id, _without_q(filters))
    return _rank(item.text, corpus, limit, item.id)


def _without_q(filters: FeedbackFilter | None) -> FeedbackFilter | None:
    return filters.model_copy(update={"q": None}) if filters is not None else None


def suggest_features(
    session: Session, *, workspace_id: int, item_id: int, limit: int = 3, neighbours: int = 15
) -> list[Suggestion]:
    """Suggest the features this item most likely belongs to, from its nearest neighbours."""
    item = get_feedback(session, workspace_id=workspace_id, item_id=item_id)
    corpus = _corpus(session, workspace_id)
    linked = {
        row.feedback_item_id: row.feature_id
        for row in session.scalars(select(Highlight).where(Highlight.workspace_id == workspace_id))
    }
    have = {
        h.feature_id
        for h in session.scalars(
            select(Highlight).where(
                Highlight.workspace_id == workspace_id, Highlight.feedback_item_id == item.id
            )
        )
    }
    rejected = set((item.extra or {}).get("rejected_features", []))
    candidates = [i for i in corpus if i.id in linked and i.id != item.id]
    scores: dict[int, float] = defaultdict(float)
    evidence: dict[int, list[int]] = defaultdict(list)
    for match in _rank(item.text, candidates, neighbours, item.id):
        feature_id = linked[match.item.id]
        if feature_id in have or feature_id in rejected:
            continue
        scores[feature_id] += match.similarity
        evidence[feature_id].append(match.item.id)
    out = []
    for feature_id in sorted(scores, key=lambda f: (-scores[f], f))[:limit]:
        feature = catalog.find_feature(session, workspace_id=workspace_id, feature_id=feature_id)
        if feature is not None:
            out.append(
                Suggestion(
                    feature_id,
                    feature.title,
                    round(scores[feature_id], 4),
                    tuple(evidence[feature_id]),
                )
            )
    return out


def accept_suggestion(
    session: Session, *, actor: Actor, item_id: int, feature_id: int
) -> Highlight:
    """Link the whole item to the suggested feature (importance ``nice``)."""
    item = get_feedback(session, workspace_id=actor.workspace_id, item_id=item_id)
    return create_highlight(
        session,
        actor=actor,
        item_id=item.id,
        data=HighlightCreate(
            feature_id=feature_id, start=0, end=len(item.text), importance=Importance.nice
        ),
    )


def reject_suggestion(
    session: Session, *, actor: Actor, item_id: int, feature_id: int
) -> FeedbackItem:
    """Remember that this feature is not what the item is about; it is not suggested again."""
    item = get_feedback(session, workspace_id=actor.workspace_id, item_id=item_id)
    catalog.get_feature(session, workspace_id=actor.workspace_id, feature_id=feature_id)
    extra = dict(item.extra or {})
    extra["rejected_features"] = sorted({*extra.get("rejected_features", []), feature_id})
    item.extra = extra
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="update",
        object_type="feedback",
        object_id=item.id,
        summary=f"rejected the suggested feature {feature_id}",
    )
    return item
