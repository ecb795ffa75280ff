"""Ranked full-text search of feedback on SQLite (FTS5) and PostgreSQL (tsvector).

The corpus is small and hand-written, so which items each query must find, and in which order,
is known by reading it (counts of the stemmed word are given beside each item).
"""

import doctest
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session
from tests.factories import make_user, make_workspace

from producthq.audit.service import Actor
from producthq.errors import InvalidInputError
from producthq.feedback import customers, fulltext, importers, search, service
from producthq.feedback.models import FeedbackItem
from producthq.feedback.schemas import (
    CompanyCreate,
    FeedbackCreate,
    FeedbackFilter,
    FeedbackUpdate,
)
from producthq.migrate import alembic_config, upgrade

CORPUS = {
    # "export" (stemmed): 3 times.
    "three": "Exporting reports to CSV is slow: the export takes minutes and each export fails.",
    # "export": once; the same length as "three", give or take a word.
    "once": "I would like a dark mode in the mobile app; the export button is fine by me.",
    # no "export"; "csv file" as a phrase.
    "phrase": "The csv file import drops the accents from customer names in every row.",
    # neither
    "sso": "Single sign-on with SAML would help our security team sleep at night.",
}


@pytest.fixture
def actor(session: Session) -> Actor:
    owner = make_user(session)
    ws = make_workspace(session, owner)
    session.commit()
    return Actor(owner.id, owner.email, ws.id, "owner")


@pytest.fixture
def corpus(session: Session, actor: Actor) -> dict[str, int]:
    ids = {}
    for n, (key, text) in enumerate(CORPUS.items()):
        item = service.create_feedback(
            session,
            actor=actor,
            workspace_id=actor.workspace_id,
            data=FeedbackCreate(
                text=text,
                source="sales_call" if key == "once" else "support_ticket",
                occurred_at=datetime(2026, 1, 1 + n, tzinfo=UTC),
            ),
        )
        ids[key] = item.id
    session.commit()
    return ids


def _found(session: Session, actor: Actor, query: str, **filters: object) -> list[int]:
    result = search.search_feedback(
        session,
        workspace_id=actor.workspace_id,
        query=query,
        filters=FeedbackFilter.model_validate(filters),
    )
    return [h.item.id for h in result.hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("export", ["three", "once"], id="three-mentions-rank-above-one"),
        pytest.param("exports", ["three", "once"], id="stemmed-plural"),
        pytest.param("EXPORTING", ["three", "once"], id="stemmed-gerund-any-case"),
        pytest.param("export slow", ["three"], id="all-words-must-match"),
        pytest.param("how to export slow", ["three"], id="common-words-are-not-required"),
        pytest.param('"csv file"', ["phrase"], id="phrase"),
        pytest.param("csv", ["three", "phrase"], id="word-in-two-items"),
        pytest.param("export -csv", ["once"], id="exclusion"),
        pytest.param("export NOT csv", ["once"], id="not-keyword"),
        pytest.param('csv -"csv file"', ["three"], id="excluded-phrase"),
        pytest.param("kubernetes", [], id="no-match"),
    ],
)
def test_search_finds_and_orders_by_relevance(
    session: Session, actor: Actor, corpus: dict[str, int], query: str, expected: list[str]
) -> None:
    found = _found(session, actor, query)
    if query == "csv":  # one mention each; the tie is broken by date, newest first
        assert found == [corpus["phrase"], corpus["three"]]
    else:
        assert found == [corpus[k] for k in expected]


def test_or_matches_either_side(session: Session, actor: Actor, corpus: dict[str, int]) -> None:
    assert sorted(_found(session, actor, 'saml OR "dark mode"')) == sorted(
        [corpus["sso"], corpus["once"]]
    )


def test_exclusion_alone_keeps_every_item_without_the_word(
    session: Session, actor: Actor, corpus: dict[str, int]
) -> None:
    assert sorted(_found(session, actor, "-export")) == sorted([corpus["phrase"], corpus["sso"]])


def test_long_text_gives_its_best_passage(session: Session, actor: Actor) -> None:
    filler = " ".join(f"word{n}" for n in range(200))
    service.create_feedback(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        data=FeedbackCreate(text=f"{filler} the <i>invoice</i> total is wrong {filler}"),
    )
    (hit,) = search.search_feedback(session, workspace_id=actor.workspace_id, query="invoices").hits
    assert "&lt;i&gt;<mark>invoice</mark>&lt;/i&gt;" in hit.snippet.html
    assert len(hit.snippet.text) < 400  # a passage, not the 2,500-character text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param('"unterminated', [], id="unterminated-quote"),
        pytest.param("AND OR (", [], id="operators-only"),
        pytest.param('export( csv) "', ["three"], id="brackets-and-a-lone-quote"),
        pytest.param("export* ^csv", ["three"], id="fts5-operators-are-plain-text"),
        pytest.param("col:export", [], id="column-filter-is-a-phrase"),
        pytest.param("-", [], id="lone-minus"),
        pytest.param('""', [], id="empty-phrase"),
        pytest.param("OR export OR", ["three", "once"], id="dangling-or"),
        pytest.param("NOT", [], id="lone-not"),
        pytest.param("'; DROP TABLE feedback_items; --", [], id="sql"),
        pytest.param('\\" ( ) { } [ ] + * ~ | &', [], id="punctuation"),
    ],
)
def test_odd_queries_never_raise(
    session: Session, actor: Actor, corpus: dict[str, int], query: str, expected: list[str]
) -> None:
    result = search.search_feedback(session, workspace_id=actor.workspace_id, query=query)
    assert [h.item.id for h in result.hits] == [corpus[k] for k in expected]
    if result.query.empty:
        assert "has no word to search for" in result.notes[-1]
    assert service.count_feedback(session, workspace_id=actor.workspace_id) == 4


def test_unterminated_quote_is_closed_and_said(
    session: Session, actor: Actor, corpus: dict[str, int]
) -> None:
    result = search.search_feedback(session, workspace_id=actor.workspace_id, query='"csv file')
    assert [h.item.id for h in result.hits] == [corpus["phrase"]]
    assert result.notes == ("the closing quote was missing; it was added at the end",)


def test_operators_only_give_no_hits_and_a_note(
    session: Session, actor: Actor, corpus: dict[str, int]
) -> None:
    result = search.search_feedback(session, workspace_id=actor.workspace_id, query="AND OR (")
    assert result.hits == [] and result.total == 0
    assert "has no word to search for" in result.notes[0]


def test_snippet_marks_matches_and_escapes_the_text(session: Session, actor: Actor) -> None:
    text = "<b>Export</b> & <script>alert(1)</script> is what we need"
    service.create_feedback(
        session, actor=actor, workspace_id=actor.workspace_id, data=FeedbackCreate(text=text)
    )
    (hit,) = search.search_feedback(session, workspace_id=actor.workspace_id, query="export").hits
    # A short text comes back whole: escaped, with only the match marked.
    assert hit.snippet.html == (
        "&lt;b&gt;<mark>Export</mark>&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt; "
        "is what we need"
    )
    assert hit.snippet.text == text
    assert hit.rank > 0


def test_search_combines_with_inbox_filters(
    session: Session, actor: Actor, corpus: dict[str, int]
) -> None:
    ws = actor.workspace_id
    big = customers.create_company(
        session, actor=actor, workspace_id=ws, data=CompanyCreate(name="Big", segment="Enterprise")
    )
    service.update_feedback(
        session, actor=actor, item_id=corpus["three"], data=FeedbackUpdate(company_id=big.id)
    )
    assert _found(session, actor, "export", source="sales_call") == [corpus["once"]]
    assert _found(session, actor, "export", segment="Enterprise") == [corpus["three"]]
    assert _found(session, actor, "export", company_id=big.id) == [corpus["three"]]
    assert _found(session, actor, "export", since="2026-01-02") == [corpus["once"]]
    assert _found(session, actor, "export", until="2026-01-02") == [corpus["three"]]
    service.archive_feedback(session, actor=actor, item_id=corpus["three"])
    assert _found(session, actor, "export") == [corpus["once"]]
    assert _found(session, actor, "export", include_archived=True) == [
        corpus["three"],
        corpus["once"],
    ]


def test_search_pages_through_hits(session: Session, actor: Actor, corpus: dict[str, int]) -> None:
    ws = actor.workspace_id
    first = search.search_feedback(session, workspace_id=ws, query="export", limit=1)
    assert [h.item.id for h in first.hits] == [corpus["three"]] and first.total == 2
    second = search.search_feedback(
        session, workspace_id=ws, query="export", limit=1, cursor=first.cursor
    )
    assert [h.item.id for h in second.hits] == [corpus["once"]] and second.cursor is None
    with pytest.raises(InvalidInputError):
        search.search_feedback(session, workspace_id=ws, query="export", cursor="garbage!")


def test_index_follows_edits_and_deletes(
    session: Session, actor: Actor, corpus: dict[str, int]
) -> None:
    service.update_feedback(
        session,
        actor=actor,
        item_id=corpus["sso"],
        data=FeedbackUpdate(text="Okta login keeps timing out", title="Login"),
    )
    assert _found(session, actor, "okta") == [corpus["sso"]]
    assert _found(session, actor, "saml") == []
    assert _found(session, actor, "login") == [corpus["sso"]]  # title and text both count
    session.delete(session.get(FeedbackItem, corpus["once"]))
    session.flush()
    assert _found(session, actor, "export") == [corpus["three"]]


def test_other_workspaces_are_not_searched(
    session: Session, actor: Actor, corpus: dict[str, int]
) -> None:
    other = make_workspace(session, make_user(session, email="b@example.com"), "other")
    service.create_feedback(
        session, actor=None, workspace_id=other.id, data=FeedbackCreate(text="export export")
    )
    assert _found(session, actor, "export") == [corpus["three"], corpus["once"]]


def test_imported_items_are_searchable(session: Session, actor: Actor, tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text("text,source\nWebhooks retry forever,support_ticket\nLove it,manual\n")
    importers.import_feedback_file(
        session,
        actor=None,
        workspace_id=actor.workspace_id,
        path=path,
        filename=path.name,
        preset=None,
        overrides={},
    )
    (hit,) = search.search_feedback(
        session, workspace_id=actor.workspace_id, query="webhook retries"
    ).hits
    assert hit.item.text == "Webhooks retry forever"


def test_list_feedback_q_is_a_full_text_filter(
    session: Session, actor: Actor, corpus: dict[str, int]
) -> None:
    rows, total, _ = service.list_feedback(
        session, workspace_id=actor.workspace_id, filters=FeedbackFilter(q="exports -csv")
    )
    assert [r.id for r in rows] == [corpus["once"]] and total == 1


@pytest.fixture
def before_search(engine: Engine) -> Iterator[None]:
    """The database migrated to just before ``0010_feedback_search``; back to head after."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0010_feedback_search-1")
    yield
    upgrade(engine)


def _has_index(engine: Engine) -> bool:
    insp = inspect(engine)
    if engine.dialect.name == "sqlite":
        return "feedback_search" in insp.get_table_names()
    return "search_vector" in {c["name"] for c in insp.get_columns("feedback_items")}


def test_migration_backfills_existing_items_and_downgrades(
    engine: Engine, session: Session, actor: Actor, before_search: None
) -> None:
    assert not _has_index(engine)
    service.create_feedback(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        data=FeedbackCreate(text="Written before the index existed"),
    )
    session.commit()
    session.close()
    upgrade(engine)
    assert _has_index(engine)
    (hit,) = search.search_feedback(session, workspace_id=actor.workspace_id, query="written").hits
    assert hit.item.text == "Written before the index existed"
    session.rollback()
    session.close()


@pytest.mark.parametrize("module", [fulltext, search], ids=["fulltext", "search"])
def test_docstring_examples(module: object) -> None:
    failures, tried = doctest.testmod(module, raise_on_error=False)  # type: ignore[arg-type]
    assert tried > 0 and failures == 0
