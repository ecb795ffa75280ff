"""Highlights: passages of a feedback item linked to a feature, with an importance.

Functions flush, never commit: the caller's unit of work commits once.
"""

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from producthq.audit.service import Actor, record
from producthq.catalog import service as catalog
from producthq.errors import InvalidInputError, NotFoundError
from producthq.feedback.models import FeedbackStatus, Highlight
from producthq.feedback.schemas import HighlightCreate
from producthq.feedback.service import get_feedback


@dataclass(frozen=True)
class Span:
    """A passage of a text by offsets ``[start, end)``."""

    start: int
    end: int


def locate_passage(text: str, data: HighlightCreate) -> Span:
    """Return the passage a highlight points to: by offsets, else by finding the quote.

    Raises:
        InvalidInputError: offsets outside the text or reversed, or a quote not in the text.
    """
    if data.start is not None and data.end is not None:
        if data.start >= data.end:
            raise InvalidInputError.single(
                ("end",), f"end ({data.end}) must be greater than start ({data.start})"
            )
        if data.end > len(text):
            raise InvalidInputError.single(
                ("end",), f"end ({data.end}) is past the end of the text ({len(text)} characters)"
            )
        if not text[data.start : data.end].strip():
            raise InvalidInputError.single(("start",), "the passage is only blank space")
        return Span(data.start, data.end)
    quote = (data.quote or "").strip()
    at = text.find(quote)
    if at < 0:
        at = text.lower().find(quote.lower())
    if at < 0:
        # Pasted quotes often differ in white space: match on collapsed spaces.
        at, length = _find_loose(text, quote)
        if at < 0:
            raise InvalidInputError.single(("quote",), "the quote is not in the feedback text")
        return Span(at, at + length)
    return Span(at, at + len(quote))


def _find_loose(text: str, quote: str) -> tuple[int, int]:
    words = quote.split()
    if not words:
        return -1, 0
    pattern = r"\s+".join(re.escape(w) for w in words)
    m = re.search(pattern, text, flags=re.IGNORECASE)
    return (m.start(), m.end() - m.start()) if m else (-1, 0)


def create_highlight(
    session: Session, *, actor: Actor, item_id: int, data: HighlightCreate
) -> Highlight:
    """Link a passage of a feedback item to a feature; the item becomes ``linked``.

    Raises:
        InvalidInputError: the offsets or quote do not fit the text.
        NotFoundError: the item or the feature does not exist in the workspace.
    """
    ws = actor.workspace_id
    item = get_feedback(session, workspace_id=ws, item_id=item_id)
    feature = catalog.get_feature(session, workspace_id=ws, feature_id=data.feature_id)
    span = locate_passage(item.text, data)
    highlight = Highlight(
        workspace_id=ws,
        feedback_item_id=item.id,
        feature_id=feature.id,
        start_offset=span.start,
        end_offset=span.end,
        quote=item.text[span.start : span.end],
        importance=data.importance.value,
    )
    session.add(highlight)
    if item.status in (FeedbackStatus.new.value, FeedbackStatus.triaged.value):
        item.status = FeedbackStatus.linked.value
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=ws,
        action="create",
        object_type="highlight",
        object_id=highlight.id,
        summary=f"linked feedback {item.id} to feature {feature.title} ({data.importance.value})",
    )
    return highlight


def list_highlights(session: Session, *, workspace_id: int, item_id: int) -> list[Highlight]:
    """Return an item's highlights in text order."""
    return list(
        session.scalars(
            select(Highlight)
            .where(Highlight.workspace_id == workspace_id, Highlight.feedback_item_id == item_id)
            .order_by(Highlight.start_offset, Highlight.id)
        )
    )


def delete_highlight(session: Session, *, actor: Actor, item_id: int, highlight_id: int) -> None:
    """Remove a highlight; an item left without one goes back to ``triaged``."""
    ws = actor.workspace_id
    highlight = session.scalar(
        select(Highlight).where(
            Highlight.id == highlight_id,
            Highlight.workspace_id == ws,
            Highlight.feedback_item_id == item_id,
        )
    )
    if highlight is None:
        raise NotFoundError(f"highlight {highlight_id} does not exist on feedback {item_id}")
    session.delete(highlight)
    session.flush()
    item = get_feedback(session, workspace_id=ws, item_id=item_id)
    if item.status == FeedbackStatus.linked.value and not list_highlights(
        session, workspace_id=ws, item_id=item_id
    ):
        item.status = FeedbackStatus.triaged.value
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=ws,
        action="delete",
        object_type="highlight",
        object_id=highlight_id,
        summary=f"removed a highlight from feedback {item_id}",
    )
