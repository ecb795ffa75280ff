"""Ranked full-text search of feedback, on SQLite (FTS5) and PostgreSQL (tsvector).

Queries are read by :mod:`producthq.feedback.fulltext`. Both engines rank the matched items
with a relevance function: SQLite's ``bm25()`` (Robertson & Zaragoza 2009, "The Probabilistic
Relevance Framework: BM25 and Beyond"), with the title weighted twice the text, and
PostgreSQL's ``ts_rank_cd`` (cover density, Clarke, Cormack & Tudhope 2000) over a vector whose
title lexemes weigh A and text lexemes B. The two scales differ; only the order within one
engine means anything.

The index is kept in step with ``feedback_items`` by the database itself (triggers on SQLite, a
generated column on PostgreSQL), so every way of writing an item (form, API, import, webhook)
is searchable at once.

Snippets are built from engine output that marks the matched words with private-use
characters; the text between them is HTML-escaped here, and only then wrapped in ``<mark>``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, String, case, func, literal_column, select
from sqlalchemy.orm import Session

from producthq.errors import InvalidInputError
from producthq.feedback import customers, service
from producthq.feedback.fulltext import (
    FTS,
    FTS_NAME,
    Dialect,
    ParsedQuery,
    dialect_of,
    match_condition,
    parse_query,
    pg_matches,
    pg_vector,
    tsquery,
)
from producthq.feedback.models import FeedbackItem
from producthq.feedback.schemas import FeedbackFilter

MAX_QUERY = 1000
SHORT_TEXT = 400
START, STOP = "\ue000", "\ue001"
# PostgreSQL's headline parser drops what looks like an HTML tag or entity; these stand in for
# the three characters while it works, and are turned back before escaping.
_PG_STAND_INS = {"\ue002": "<", "\ue003": ">", "\ue004": "&"}


# --- snippets (pure) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    """A passage of an item, cut into runs of plain and matched text."""

    parts: tuple[tuple[str, bool], ...]

    @property
    def text(self) -> str:
        """The passage as plain text."""
        return "".join(t for t, _ in self.parts)

    @property
    def html(self) -> str:
        """The passage as HTML: every run escaped, matched runs inside ``<mark>``.

        Examples:
            >>> marked_snippet("a \\ue000<b>\\ue001 c").html
            'a <mark>&lt;b&gt;</mark> c'
        """
        return "".join(
            f"<mark>{html.escape(t)}</mark>" if hit else html.escape(t) for t, hit in self.parts
        )


def marked_snippet(marked: str) -> Snippet:
    """Cut engine output, where START/STOP surround matched words, into a :class:`Snippet`.

    Unbalanced markers (a user's text may contain the characters) never leave a run open.

    Examples:
        >>> marked_snippet("x \\ue000y\\ue001 \\ue001z\\ue000").parts
        (('x ', False), ('y', True), (' ', False), ('z', False))
    """
    parts: list[tuple[str, bool]] = []
    inside = False
    for piece in re.split(f"([{START}{STOP}])", marked):
        if piece == START:
            inside = True
        elif piece == STOP:
            inside = False
        elif piece:
            parts.append((piece, inside))
    return Snippet(tuple(parts))


def plain_snippet(text_: str, words: int = 30) -> Snippet:
    """Return the first ``words`` words of a text as an unmarked snippet."""
    cut = text_.split()
    body = " ".join(cut[:words]) + (" …" if len(cut) > words else "")
    return Snippet(((body, False),) if body else ())


# --- the search itself -------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """A matching item, its relevance (higher is better) and a passage with the matches."""

    item: FeedbackItem
    rank: float
    snippet: Snippet


@dataclass(frozen=True)
class SearchResult:
    """One page of hits, best first, with the total and what was done to the query."""

    hits: list[Hit]
    total: int
    cursor: str | None
    query: ParsedQuery

    @property
    def notes(self) -> tuple[str, ...]:
        """What the user should know about how the query was read."""
        return self.query.notes


def _ranked(
    dialect: Dialect, base: Select[tuple[FeedbackItem]], query: ParsedQuery
) -> tuple[Select[Any], ColumnElement[Any]]:
    if not query.groups:
        rank: ColumnElement[Any] = literal_column("0.0", Float).label("rank")
        none = literal_column("NULL", String).label("snippet")
        return base.where(match_condition(dialect, query)).add_columns(rank, none), rank
    # A short text is shown whole, its matches marked; a long one as its best passages.
    short = func.length(FeedbackItem.text) <= SHORT_TEXT
    if dialect == "postgresql":
        tsq = tsquery(query.websearch())
        marks = f"StartSel={START}, StopSel={STOP}"
        passages = f'{marks}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
        shielded = func.translate(FeedbackItem.text, "<>&", "".join(_PG_STAND_INS))
        rank = func.ts_rank_cd(pg_vector(), tsq).label("rank")
        english: ColumnElement[Any] = literal_column("'english'")
        snippet = case(
            (short, func.ts_headline(english, shielded, tsq, f"HighlightAll=true, {marks}")),
            else_=func.ts_headline(english, shielded, tsq, passages),
        )
        stmt = base.where(pg_matches(pg_vector(), tsq))
        return stmt.add_columns(rank, snippet.label("snippet")), rank
    rank = (-func.bm25(FTS_NAME, 2.0, 1.0)).label("rank")
    snippet = case(
        (short, func.highlight(FTS_NAME, 1, START, STOP)),
        else_=func.snippet(FTS_NAME, -1, START, STOP, " … ", 30),
    )
    stmt = base.join(FTS, FTS.c.rowid == FeedbackItem.id).where(FTS_NAME.op("MATCH")(query.fts5()))
    return stmt.add_columns(rank, snippet.label("snippet")), rank


def _snippet(raw: str | None, item: FeedbackItem, dialect: Dialect) -> Snippet:
    if not raw:
        return plain_snippet(item.text)
    if dialect == "postgresql":
        raw = raw.translate({ord(k): v for k, v in _PG_STAND_INS.items()})
    return marked_snippet(raw)


def search_feedback(
    session: Session,
    *,
    workspace_id: int,
    query: str,
    filters: FeedbackFilter | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> SearchResult:
    """Return the feedback matching ``query``, most relevant first, with snippets.

    Args:
        session: The database session.
        workspace_id: Whose feedback to search.
        query: Words, "phrases", -exclusions and OR, as :func:`parse_query` reads them.
        filters: The inbox filters (source, company, segment, theme, sentiment, dates …);
            their ``q`` is ignored. Archived items are left out unless they ask.
        limit: Page size.
        cursor: The ``cursor`` of the previous page.

    Returns:
        The page; a query with nothing to search for gives no hits and a note.

    Raises:
        InvalidInputError: the query is longer than 1,000 characters, or the cursor is not one
            this function returned.
    """
    if len(query) > MAX_QUERY:
        raise InvalidInputError.single(
            ("q",), f"the search is {len(query)} characters long; the limit is {MAX_QUERY}"
        )
    parsed = parse_query(query)
    offset = customers.decode_cursor(cursor)
    if parsed.empty:
        return SearchResult([], 0, None, parsed)
    dialect = dialect_of(session)
    f = (filters or FeedbackFilter()).model_copy(update={"q": None})
    base = service.filtered_query(workspace_id, f, dialect=dialect)
    counted = base.where(match_condition(dialect, parsed)).with_only_columns(FeedbackItem.id)
    total = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    stmt, rank = _ranked(dialect, base, parsed)
    rows = session.execute(
        stmt.order_by(
            rank.desc(),
            FeedbackItem.occurred_at.desc(),
            FeedbackItem.id.desc(),
        )
        .limit(limit)
        .offset(offset)
    ).all()
    hits = [
        Hit(item, round(float(rank or 0.0), 6), _snippet(snip, item, dialect))
        for item, rank, snip in rows
    ]
    nxt = customers.encode_cursor(offset + limit) if offset + limit < total else None
    return SearchResult(hits, total, nxt, parsed)
