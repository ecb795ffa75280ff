"""Where the pure text analysis meets the stored feedback (the service side of it).

The computing modules (``dedupe``, ``themes``, ``labels``, ``sentiment``, …) take texts and
return values; the functions here load texts from the database, call them and store what they
return on the feedback items. ``mark_duplicates`` is wired to :mod:`producthq.feedback.dedupe`;
``apply_sentiment`` and ``apply_theme_assignments`` store results computed elsewhere and are
the integration points for the sentiment scorer and theme discovery.
"""

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from producthq.feedback.models import FeedbackItem, FeedbackStatus, SentimentLabel, Theme

# VADER's customary cut-offs on its compound score (Hutto & Gilbert 2014).
POSITIVE_FROM = 0.05
NEGATIVE_TO = -0.05


def sentiment_label(score: float) -> SentimentLabel:
    """Return the label of a sentiment score in [-1, 1].

    >>> sentiment_label(0.4), sentiment_label(0.0), sentiment_label(-0.3)
    (<SentimentLabel.positive: 'positive'>, <SentimentLabel.neutral: 'neutral'>, \
<SentimentLabel.negative: 'negative'>)
    """
    if score >= POSITIVE_FROM:
        return SentimentLabel.positive
    if score <= NEGATIVE_TO:
        return SentimentLabel.negative
    return SentimentLabel.neutral


def mark_duplicates(session: Session, *, workspace_id: int, threshold: float | None = None) -> int:
    """Group near-duplicate feedback; ``duplicate_group`` becomes the group's first item id.

    Returns:
        How many items are in a group of two or more.
    """
    from producthq.feedback import dedupe

    items = list(
        session.scalars(
            select(FeedbackItem)
            .where(
                FeedbackItem.workspace_id == workspace_id,
                FeedbackItem.status != FeedbackStatus.archived.value,
            )
            .order_by(FeedbackItem.id)
        )
    )
    texts = [i.text for i in items]
    result = (
        dedupe.find_duplicates(texts)
        if threshold is None
        else dedupe.find_duplicates(texts, threshold=threshold)
    )
    group_of: dict[int, int] = {}
    for group in result.groups:
        if len(group.members) > 1:
            first = items[group.members[0]].id
            group_of.update({items[m].id: first for m in group.members})
    for item in items:
        item.duplicate_group = group_of.get(item.id)
    session.flush()
    return len(group_of)


def apply_sentiment(session: Session, *, workspace_id: int, scores: Mapping[int, float]) -> int:
    """Store sentiment scores (item id → score in [-1, 1]) and their labels; return the count."""
    items = session.scalars(
        select(FeedbackItem).where(
            FeedbackItem.workspace_id == workspace_id, FeedbackItem.id.in_(list(scores))
        )
    )
    count = 0
    for item in items:
        score = max(-1.0, min(1.0, float(scores[item.id])))
        item.sentiment = score
        item.sentiment_label = sentiment_label(score).value
        count += 1
    session.flush()
    return count


def apply_theme_assignments(
    session: Session, *, workspace_id: int, assignments: Mapping[int, int | None]
) -> int:
    """Store theme assignments (item id → theme id or ``None``); return how many changed.

    Themes merged into another are followed to the theme that absorbed them.
    """
    themes = {
        t.id: t for t in session.scalars(select(Theme).where(Theme.workspace_id == workspace_id))
    }

    def final(theme_id: int | None) -> int | None:
        seen: set[int] = set()
        while theme_id is not None and theme_id in themes and themes[theme_id].merged_into_id:
            if theme_id in seen:
                break
            seen.add(theme_id)
            theme_id = themes[theme_id].merged_into_id
        return theme_id if theme_id is None or theme_id in themes else None

    changed = 0
    for item in session.scalars(
        select(FeedbackItem).where(
            FeedbackItem.workspace_id == workspace_id, FeedbackItem.id.in_(list(assignments))
        )
    ):
        target = final(assignments[item.id])
        if item.theme_id != target:
            item.theme_id = target
            changed += 1
    session.flush()
    return changed
