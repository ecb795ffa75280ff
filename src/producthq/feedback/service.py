"""Use cases of the feedback hub: feedback items, triage, highlights and the inbound hook.

Companies and people live in :mod:`producthq.feedback.customers`, file imports in
:mod:`producthq.feedback.importers`. Functions flush, never commit: the caller's unit of work
commits once.
"""

from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy import Select, Text, cast, false, func, select
from sqlalchemy.orm import Session

from producthq.audit.service import Actor, record
from producthq.db import utcnow
from producthq.errors import (
    ConflictError,
    NotFoundError,
)
from producthq.feedback import customers, fulltext
from producthq.feedback.models import (
    Company,
    FeedbackItem,
    FeedbackStatus,
    Person,
    Theme,
)
from producthq.feedback.rows import content_key
from producthq.feedback.schemas import (
    FeedbackBulk,
    FeedbackCreate,
    FeedbackFilter,
    FeedbackUpdate,
    PersonCreate,
)


def content_hash(*, source: str, author: str, occurred_at: datetime | None, text: str) -> str:
    """Return the hash identifying a feedback item without an external id (as imports do)."""
    values = {"source": source, "author_email": author, "occurred_at": occurred_at, "text": text}
    return content_key("feedback", values)[5:]


# --- feedback items ----------------------------------------------------------------------


def _resolve_author(
    session: Session, workspace_id: int, data: FeedbackCreate
) -> tuple[int | None, int | None]:
    person_id, company_id = data.person_id, data.company_id
    if person_id is not None:
        known = customers.get_person(session, workspace_id=workspace_id, person_id=person_id)
        company_id = company_id or known.company_id
    elif data.author_email:
        person = customers.find_person(session, workspace_id=workspace_id, email=data.author_email)
        if person is None:
            person = customers.create_person(
                session,
                actor=None,
                workspace_id=workspace_id,
                data=PersonCreate(
                    name=data.author_name or "", email=data.author_email, company_id=company_id
                ),
            )
        person_id = person.id
        company_id = company_id or person.company_id
    if company_id is not None:
        customers.get_company(session, workspace_id=workspace_id, company_id=company_id)
    return person_id, company_id


def create_feedback(
    session: Session, *, actor: Actor | None, workspace_id: int, data: FeedbackCreate
) -> FeedbackItem:
    """Create one feedback item; the author is found or created from ``author_email``.

    Raises:
        NotFoundError: the person or company named does not exist in the workspace.
        ConflictError: an item with the same source and external id exists.
    """
    if data.external_id:
        existing = find_by_external_id(
            session,
            workspace_id=workspace_id,
            source=data.source.value,
            external_id=data.external_id,
        )
        if existing is not None:
            raise ConflictError(
                f"feedback with source {data.source.value} and external id "
                f"{data.external_id!r} already exists (item {existing.id})"
            )
    person_id, company_id = _resolve_author(session, workspace_id, data)
    item = FeedbackItem(
        workspace_id=workspace_id,
        title=data.title,
        text=data.text,
        source=data.source.value,
        person_id=person_id,
        company_id=company_id,
        occurred_at=data.occurred_at or utcnow(),
        source_url=data.source_url,
        tags=list(data.tags),
        status=FeedbackStatus.new.value,
        external_id=data.external_id,
        content_hash=content_hash(
            source=data.source.value,
            author=(data.author_email or "").lower(),
            occurred_at=data.occurred_at,
            text=data.text,
        ),
        extra=dict(data.extra),
    )
    session.add(item)
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=workspace_id,
        action="create",
        object_type="feedback",
        object_id=item.id,
        summary=f"added {item.source} feedback {item.id}",
    )
    return item


def find_by_external_id(
    session: Session, *, workspace_id: int, source: str, external_id: str
) -> FeedbackItem | None:
    """Return the item with this source and external id, or ``None``."""
    return session.scalar(
        select(FeedbackItem).where(
            FeedbackItem.workspace_id == workspace_id,
            FeedbackItem.source == source,
            FeedbackItem.external_id == external_id,
        )
    )


def get_feedback(session: Session, *, workspace_id: int, item_id: int) -> FeedbackItem:
    """Return the workspace's feedback item; raise ``NotFoundError`` otherwise."""
    item = session.scalar(
        select(FeedbackItem).where(
            FeedbackItem.id == item_id, FeedbackItem.workspace_id == workspace_id
        )
    )
    if item is None:
        raise NotFoundError(f"feedback item {item_id} does not exist")
    return item


def filtered_query(
    workspace_id: int, f: FeedbackFilter, *, dialect: fulltext.Dialect
) -> Select[tuple[FeedbackItem]]:
    """Return the query of the workspace's feedback that passes the filters (unordered).

    ``f.q`` is a full-text match (see :mod:`producthq.feedback.search`); a query with nothing
    to look for matches nothing.
    """
    query = select(FeedbackItem).where(FeedbackItem.workspace_id == workspace_id)
    if f.source:
        query = query.where(FeedbackItem.source == f.source.value)
    if f.status:
        query = query.where(FeedbackItem.status == f.status.value)
    elif not f.include_archived:
        query = query.where(FeedbackItem.status != FeedbackStatus.archived.value)
    if f.company_id is not None:
        query = query.where(FeedbackItem.company_id == f.company_id)
    if f.person_id is not None:
        query = query.where(FeedbackItem.person_id == f.person_id)
    if f.segment:
        query = query.join(Company, Company.id == FeedbackItem.company_id).where(
            Company.segment == f.segment
        )
    return _content_filters(query, f, dialect)


def _content_filters(
    query: Select[tuple[FeedbackItem]], f: FeedbackFilter, dialect: fulltext.Dialect
) -> Select[tuple[FeedbackItem]]:
    if f.theme_id is not None:
        query = query.where(FeedbackItem.theme_id == f.theme_id)
    if f.sentiment:
        query = query.where(FeedbackItem.sentiment_label == f.sentiment.value)
    if f.since:
        query = query.where(FeedbackItem.occurred_at >= _aware(f.since))
    if f.until:
        query = query.where(FeedbackItem.occurred_at < _aware(f.until))
    if f.q:
        parsed = fulltext.parse_query(f.q)
        query = query.where(false() if parsed.empty else fulltext.match_condition(dialect, parsed))
    if f.tag:
        # Tags are a JSON list; a LIKE on its text form works on SQLite and PostgreSQL alike.
        query = query.where(func.lower(cast(FeedbackItem.tags, Text)).like(f'%"{f.tag.lower()}"%'))
    return query


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def list_feedback(
    session: Session,
    *,
    workspace_id: int,
    filters: FeedbackFilter,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list[FeedbackItem], int, str | None]:
    """Return a page of feedback, newest first, with the total and the next page's cursor.

    ``filters.q`` keeps the items matching a full-text query; for them ranked by relevance,
    with snippets, use :func:`producthq.feedback.search.search_feedback`. Archived items are
    left out unless ``filters.status`` or ``filters.include_archived`` asks.
    """
    query = filtered_query(workspace_id, filters, dialect=fulltext.dialect_of(session))
    offset = customers.decode_cursor(cursor)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(
        session.scalars(
            query.order_by(FeedbackItem.occurred_at.desc(), FeedbackItem.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    nxt = customers.encode_cursor(offset + limit) if offset + limit < total else None
    return rows, total, nxt


def iter_feedback(
    session: Session, *, workspace_id: int, filters: FeedbackFilter, batch: int = 500
) -> Iterator[FeedbackItem]:
    """Yield every matching item, oldest first, in batches (for exports)."""
    last_id = 0
    dialect = fulltext.dialect_of(session)
    while True:
        rows = list(
            session.scalars(
                filtered_query(workspace_id, filters, dialect=dialect)
                .where(FeedbackItem.id > last_id)
                .order_by(FeedbackItem.id)
                .limit(batch)
            )
        )
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def update_feedback(
    session: Session, *, actor: Actor, item_id: int, data: FeedbackUpdate
) -> FeedbackItem:
    """Change the fields given of a feedback item (audited with the changed fields)."""
    ws = actor.workspace_id
    item = get_feedback(session, workspace_id=ws, item_id=item_id)
    values = data.model_dump(exclude_unset=True)
    if values.get("person_id") is not None:
        customers.get_person(session, workspace_id=ws, person_id=values["person_id"])
    if values.get("company_id") is not None:
        customers.get_company(session, workspace_id=ws, company_id=values["company_id"])
    theme_id = values.get("theme_id")
    if theme_id is not None and not session.scalar(
        select(Theme.id).where(Theme.id == theme_id, Theme.workspace_id == ws)
    ):
        raise NotFoundError(f"theme {values['theme_id']} does not exist")
    changes: dict[str, str] = {}
    for name, value in values.items():
        if value is None and name in ("text", "title", "source", "status", "occurred_at", "tags"):
            continue
        stored = value.value if hasattr(value, "value") else value
        if getattr(item, name) != stored:
            changes[name] = str(stored)[:200]
            setattr(item, name, stored)
    session.flush()
    if changes:
        record(
            session,
            actor=actor,
            workspace_id=ws,
            action="update",
            object_type="feedback",
            object_id=item.id,
            summary=f"updated feedback {item.id}",
            changes=changes,
        )
    return item


def archive_feedback(session: Session, *, actor: Actor, item_id: int) -> FeedbackItem:
    """Archive a feedback item (it leaves the inbox but stays searchable)."""
    return update_feedback(
        session, actor=actor, item_id=item_id, data=FeedbackUpdate(status=FeedbackStatus.archived)
    )


def bulk_update_feedback(session: Session, *, actor: Actor, data: FeedbackBulk) -> int:
    """Set the status of, and add or remove tags on, many items at once; return how many changed.

    Raises:
        NotFoundError: an id is not a feedback item of the workspace (nothing is changed).
    """
    ws = actor.workspace_id
    ids = list(dict.fromkeys(data.ids))
    items = list(
        session.scalars(
            select(FeedbackItem).where(FeedbackItem.workspace_id == ws, FeedbackItem.id.in_(ids))
        )
    )
    missing = sorted(set(ids) - {i.id for i in items})
    if missing:
        raise NotFoundError(f"feedback items {', '.join(map(str, missing[:10]))} do not exist")
    changed = 0
    for item in items:
        tags = [t for t in item.tags or [] if t not in data.remove_tags]
        tags += [t for t in data.add_tags if t not in tags]
        status = data.status.value if data.status else item.status
        if tags != list(item.tags or []) or status != item.status:
            item.tags, item.status = tags, status
            changed += 1
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=ws,
        action="bulk_update",
        object_type="feedback",
        object_id=",".join(str(i) for i in ids[:50]),
        summary=f"bulk-updated {changed} feedback item(s)",
        changes={
            "status": data.status.value if data.status else None,
            "add_tags": data.add_tags,
            "remove_tags": data.remove_tags,
        },
    )
    return changed


def authors_of(
    session: Session, *, workspace_id: int, items: list[FeedbackItem]
) -> tuple[dict[int, Person], dict[int, Company]]:
    """Return the people and companies the items refer to, keyed by id (two queries)."""
    pids = {i.person_id for i in items if i.person_id}
    cids = {i.company_id for i in items if i.company_id}
    people = (
        {
            p.id: p
            for p in session.scalars(
                select(Person).where(Person.workspace_id == workspace_id, Person.id.in_(pids))
            )
        }
        if pids
        else {}
    )
    companies = (
        {
            c.id: c
            for c in session.scalars(
                select(Company).where(Company.workspace_id == workspace_id, Company.id.in_(cids))
            )
        }
        if cids
        else {}
    )
    return people, companies


def count_feedback(session: Session, *, workspace_id: int) -> int:
    """Return how many feedback items the workspace has."""
    return (
        session.scalar(
            select(func.count())
            .select_from(FeedbackItem)
            .where(FeedbackItem.workspace_id == workspace_id)
        )
        or 0
    )


def list_theme_choices(session: Session, *, workspace_id: int) -> list[Theme]:
    """Return the active themes of a workspace by label (for filter menus)."""
    return list(
        session.scalars(
            select(Theme)
            .where(Theme.workspace_id == workspace_id, Theme.status == "active")
            .order_by(Theme.label)
        )
    )
