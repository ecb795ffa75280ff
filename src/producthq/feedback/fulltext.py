"""The query language of feedback search, and the SQL condition it becomes on each engine.

The language is the one web search engines taught everyone, as PostgreSQL's
``websearch_to_tsquery`` reads it: words (all must match, stemmed, so "exporting" finds
"export"), ``"quoted phrases"``, ``-excluded`` words or phrases (``NOT word`` too) and ``OR``
between alternatives. :func:`parse_query` turns what a user typed into a :class:`ParsedQuery`
without ever failing: a missing closing quote is added, stray operators and punctuation are
dropped, and each repair is reported in ``notes``. The parsed query is then written out for each
engine (:meth:`ParsedQuery.fts5`, :meth:`ParsedQuery.websearch`), so both read it alike and
neither sees syntax it could reject. English common words ("the", "how", "to") are left out of
a query, as PostgreSQL's ``english`` configuration does, so a query matches the same items on
both engines.

The index lives outside the ORM (migration ``0010_feedback_search``): an FTS5 table kept in step
by triggers on SQLite, a generated tsvector column on PostgreSQL. Ranking and snippets are in
:mod:`producthq.feedback.search`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    Select,
    column,
    func,
    literal_column,
    not_,
    select,
    table,
)
from sqlalchemy.orm import Session

from producthq.feedback.models import FeedbackItem

Dialect = Literal["sqlite", "postgresql"]

#: Objects the search index adds to the schema; they are not ORM models (see ``include_name``).
SQLITE_TABLE = "feedback_search"
PG_COLUMN = "search_vector"
PG_INDEX = "ix_feedback_items_search_vector"
# FTS5 keeps its index in shadow tables named after the virtual table.
SQLITE_TABLES = frozenset(
    [SQLITE_TABLE, *(f"{SQLITE_TABLE}_{s}" for s in ("data", "idx", "docsize", "config"))]
)

MAX_TERMS = 32
_WORD = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r'(-?)"([^"]*)("?)|(\S+)')

# PostgreSQL's english.stop (the Snowball list), so that SQLite drops the same words.
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom this
    that these those am is are was were be been being have has had having do does did doing a an
    the and but if or because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such no nor not
    only own same so than too very s t can will just don should now""".split()  # noqa: SIM905
)


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Tell Alembic's comparison to leave the search index's own objects alone.

    The FTS5 table (and its shadow tables) and the tsvector column are created by migration
    ``0010_feedback_search`` rather than declared as models, because each exists on one dialect.
    """
    if name is None:
        return True
    if type_ == "table":
        return name not in SQLITE_TABLES
    return not (type_ in ("column", "index") and name in (PG_COLUMN, PG_INDEX))


# --- the query language (pure) -----------------------------------------------------------

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class ParsedQuery:
    """A search query read leniently: groups of alternatives, all required, and exclusions.

    Examples:
        >>> q = parse_query('exporting "csv file" -pdf slow OR sluggish')
        >>> q.fts5()
        '"exporting" AND "csv file" AND ("slow" OR "sluggish") NOT "pdf"'
        >>> q.websearch()
        'exporting "csv file" slow or sluggish -"pdf"'
        >>> parse_query('"unterminated').notes
        ('the closing quote was missing; it was added at the end',)
    """

    groups: tuple[tuple[Phrase, ...], ...] = ()
    excluded: tuple[Phrase, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """True when there is nothing to look for and nothing to leave out."""
        return not self.groups and not self.excluded

    def fts5(self) -> str:
        """Write the query in SQLite FTS5 syntax (requires at least one group)."""
        parts = []
        for group in self.groups:
            alts = [_quoted(p) for p in group]
            parts.append(alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")")
        out = " AND ".join(parts)
        for phrase in self.excluded:
            out += f" NOT {_quoted(phrase)}"
        return out

    def fts5_excluded(self) -> str:
        """Write the excluded phrases as one FTS5 alternative (any of them)."""
        return " OR ".join(_quoted(p) for p in self.excluded)

    def websearch(self) -> str:
        """Write the query in the syntax of PostgreSQL's ``websearch_to_tsquery``."""
        parts = [" or ".join(_quoted_ws(p) for p in group) for group in self.groups]
        parts += [f'-"{" ".join(p)}"' for p in self.excluded]
        return " ".join(parts)

    def websearch_excluded(self) -> str:
        """Write the excluded phrases as one ``websearch_to_tsquery`` alternative."""
        return " or ".join(f'"{" ".join(p)}"' for p in self.excluded)


def _quoted(phrase: Phrase) -> str:
    return '"' + " ".join(phrase) + '"'


def _quoted_ws(phrase: Phrase) -> str:
    return phrase[0] if len(phrase) == 1 else _quoted(phrase)


def _phrase(chunk: str, quoted: bool) -> Phrase | None:
    words = tuple(w.lower() for w in _WORD.findall(chunk))
    if not words or all(w in STOP_WORDS for w in words):
        return None
    if len(words) == 1 or quoted:
        return words
    # A hyphenated or dotted chunk ("e-mail", "v2.1") is a phrase, as PostgreSQL reads it.
    return words


@dataclass
class _Reader:
    groups: list[list[Phrase]] = field(default_factory=list)
    excluded: list[Phrase] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pending_or: bool = False
    negate_next: bool = False

    def add(self, phrase: Phrase | None, negated: bool) -> None:
        negated = negated or self.negate_next
        self.negate_next = False
        if phrase is None:
            self.pending_or = False
            return
        if negated:
            self.excluded.append(phrase)
        elif self.pending_or and self.groups:
            self.groups[-1].append(phrase)
        else:
            self.groups.append([phrase])
        self.pending_or = False


def parse_query(raw: str) -> ParsedQuery:
    """Read a search the way a web search engine would; never raise.

    Args:
        raw: What the user typed.

    Returns:
        The query, with a note for each thing that was repaired or ignored.
    """
    reader = _Reader()
    for m in _TOKEN.finditer(raw):
        minus, quoted, closing, bare = m.groups()
        if bare is None:
            if not closing:
                reader.notes.append("the closing quote was missing; it was added at the end")
            reader.add(_phrase(quoted, True), bool(minus))
        elif bare in ("OR", "or", "|"):
            reader.pending_or = bool(reader.groups) and not reader.negate_next
        elif bare == "NOT":
            reader.negate_next = True
        else:
            negated = bare.startswith("-") and len(bare) > 1
            reader.add(_phrase(bare[1:] if negated else bare, False), negated)
    groups = [tuple(dict.fromkeys(g)) for g in reader.groups]
    excluded = list(dict.fromkeys(reader.excluded))
    notes = list(reader.notes)
    if len(groups) + len(excluded) > MAX_TERMS:
        notes.append(f"only the first {MAX_TERMS} terms were used")
        groups = groups[:MAX_TERMS]
        excluded = excluded[: max(0, MAX_TERMS - len(groups))]
    if not groups and not excluded and raw.strip():
        notes.append(
            f"{raw.strip()!r} has no word to search for (operators, punctuation and common "
            "words such as 'the' are ignored)"
        )
    return ParsedQuery(tuple(groups), tuple(excluded), tuple(dict.fromkeys(notes)))


# --- the SQL condition ---------------------------------------------------------------------


def dialect_of(session: Session) -> Dialect:
    """Return the dialect the session talks to (full-text search differs between them)."""
    name = session.get_bind().dialect.name
    return "postgresql" if name == "postgresql" else "sqlite"


def pg_vector() -> ColumnElement[Any]:
    return literal_column(f"feedback_items.{PG_COLUMN}")


def pg_matches(vector: ColumnElement[Any], query: ColumnElement[Any]) -> ColumnElement[bool]:
    return vector.op("@@", return_type=Boolean)(query)


def match_condition(dialect: Dialect, query: ParsedQuery) -> ColumnElement[bool]:
    """Return a WHERE condition on ``FeedbackItem`` true for the items the query matches.

    A query of exclusions only matches every item that has none of them.
    """
    if dialect == "postgresql":
        if not query.groups:
            return not_(pg_matches(pg_vector(), tsquery(query.websearch_excluded())))
        return pg_matches(pg_vector(), tsquery(query.websearch()))
    if not query.groups:
        return not_(FeedbackItem.id.in_(fts5_ids(query.fts5_excluded())))
    return FeedbackItem.id.in_(fts5_ids(query.fts5()))


FTS = table(SQLITE_TABLE, column("rowid", Integer))
FTS_NAME: ColumnElement[Any] = literal_column(SQLITE_TABLE)


def tsquery(websearch: str) -> ColumnElement[Any]:
    return func.websearch_to_tsquery(literal_column("'english'"), websearch)


def fts5_ids(expression: str) -> Select[tuple[int]]:
    return select(FTS.c.rowid).where(FTS_NAME.op("MATCH")(expression))
