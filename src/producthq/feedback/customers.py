"""Use cases for customers: companies and the people who work there.

Functions flush, never commit: the caller's unit of work commits once. Every query names the
workspace, besides the session's own workspace scoping.
"""

import base64
import binascii
import re

from sqlalchemy import Update, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from producthq.audit.service import Actor, record
from producthq.errors import ConflictError, InvalidInputError, NotFoundError
from producthq.feedback.models import Company, FeedbackItem, Person
from producthq.feedback.schemas import CompanyCreate, CompanyUpdate, PersonCreate, PersonUpdate


def normalise_domain(value: str | None) -> str | None:
    """Reduce a website or domain to its bare host: ``https://www.Acme.com/x`` → ``acme.com``."""
    if not value:
        return None
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value.strip().lower())
    host = host.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    host = host.removeprefix("www.")
    return host or None


def encode_cursor(offset: int) -> str:
    """Return an opaque cursor for an offset."""
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """Return the offset in a cursor (0 for none); raise ``InvalidInputError`` if it is bad."""
    if not cursor:
        return 0
    try:
        kind, _, number = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        offset = int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInputError.single(("cursor",), f"cursor {cursor[:40]!r} is not valid") from exc
    if kind != "o" or offset < 0 or offset > 10**9:
        raise InvalidInputError.single(("cursor",), f"cursor {cursor[:40]!r} is not valid")
    return offset


# --- companies ---------------------------------------------------------------------------


def create_company(
    session: Session, *, actor: Actor | None, workspace_id: int, data: CompanyCreate
) -> Company:
    """Create a company; raise ``ConflictError`` if its external id is taken."""
    values = data.model_dump()
    values["domain"] = normalise_domain(values["domain"])
    if data.external_id and find_company(
        session, workspace_id=workspace_id, external_id=data.external_id
    ):
        raise ConflictError(f"a company with external id {data.external_id!r} already exists")
    company = Company(workspace_id=workspace_id, **values)
    session.add(company)
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=workspace_id,
        action="create",
        object_type="company",
        object_id=company.id,
        summary=f"created company {company.name}",
    )
    return company


def find_company(
    session: Session,
    *,
    workspace_id: int,
    external_id: str | None = None,
    domain: str | None = None,
    name: str | None = None,
) -> Company | None:
    """Return the company with this external id, else domain, else name (case-insensitive)."""
    base = select(Company).where(Company.workspace_id == workspace_id)
    if external_id:
        found = session.scalar(base.where(Company.external_id == external_id))
        if found:
            return found
    host = normalise_domain(domain)
    if host:
        found = session.scalar(base.where(Company.domain == host).order_by(Company.id).limit(1))
        if found:
            return found
    if name and name.strip():
        return session.scalar(
            base.where(func.lower(Company.name) == name.strip().lower())
            .order_by(Company.id)
            .limit(1)
        )
    return None


def get_company(session: Session, *, workspace_id: int, company_id: int) -> Company:
    """Return the workspace's company; raise ``NotFoundError`` otherwise."""
    company = session.scalar(
        select(Company).where(Company.id == company_id, Company.workspace_id == workspace_id)
    )
    if company is None:
        raise NotFoundError(f"company {company_id} does not exist")
    return company


def list_companies(
    session: Session,
    *,
    workspace_id: int,
    q: str | None = None,
    segment: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list[Company], int, str | None]:
    """Return a page of companies by name, the total and the next page's cursor."""
    query = select(Company).where(Company.workspace_id == workspace_id)
    if q:
        like = f"%{q.strip().lower()}%"
        query = query.where(
            or_(func.lower(Company.name).like(like), func.lower(Company.domain).like(like))
        )
    if segment:
        query = query.where(Company.segment == segment)
    offset = decode_cursor(cursor)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(
        session.scalars(query.order_by(Company.name, Company.id).limit(limit).offset(offset))
    )
    nxt = encode_cursor(offset + limit) if offset + limit < total else None
    return rows, total, nxt


def update_company(
    session: Session, *, actor: Actor, company_id: int, data: CompanyUpdate
) -> Company:
    """Change the fields given; raise ``ConflictError`` if the external id is taken."""
    company = get_company(session, workspace_id=actor.workspace_id, company_id=company_id)
    changes: dict[str, str] = {}
    for name, value in data.model_dump(exclude_unset=True).items():
        if name == "name" and value is None:
            continue
        if name == "domain":
            value = normalise_domain(value)
        if name == "external_id" and value and value != company.external_id:
            other = find_company(session, workspace_id=actor.workspace_id, external_id=value)
            if other is not None:
                raise ConflictError(f"a company with external id {value!r} already exists")
        if getattr(company, name) != value:
            changes[name] = str(value)[:200]
            setattr(company, name, value)
    session.flush()
    if changes:
        record(
            session,
            actor=actor,
            workspace_id=actor.workspace_id,
            action="update",
            object_type="company",
            object_id=company.id,
            summary=f"updated company {company.name}",
            changes=changes,
        )
    return company


def delete_company(session: Session, *, actor: Actor, company_id: int) -> None:
    """Delete a company; its people and feedback stay, without a company."""
    company = get_company(session, workspace_id=actor.workspace_id, company_id=company_id)
    name = company.name
    session.delete(company)
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="delete",
        object_type="company",
        object_id=company_id,
        summary=f"deleted company {name}",
    )


def _moved(session: Session, statement: Update) -> int:
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


def merge_companies(
    session: Session, *, actor: Actor, keep_id: int, merge_ids: list[int]
) -> Company:
    """Fold duplicate companies into one: their feedback and people move, then they go.

    Fields empty on the kept company are filled from the duplicates; custom fields are merged
    (the kept company's values win).

    Args:
        session: The unit of work.
        actor: Who merges (audited).
        keep_id: The company that stays.
        merge_ids: The duplicates, deleted after the move.

    Raises:
        InvalidInputError: the kept company is among the duplicates.
        NotFoundError: one of the companies does not exist in this workspace.
    """
    ws = actor.workspace_id
    if keep_id in merge_ids:
        raise InvalidInputError.single(("merge_ids",), "a company cannot be merged into itself")
    keep = get_company(session, workspace_id=ws, company_id=keep_id)
    dupes = [get_company(session, workspace_id=ws, company_id=i) for i in dict.fromkeys(merge_ids)]
    moved_feedback = moved_people = 0
    for dupe in dupes:
        for name in (
            "domain",
            "plan",
            "segment",
            "country",
            "arr",
            "mrr",
            "lifecycle_stage",
            "owner",
        ):
            if getattr(keep, name) in (None, "") and getattr(dupe, name) not in (None, ""):
                setattr(keep, name, getattr(dupe, name))
        keep.custom_fields = {**(dupe.custom_fields or {}), **(keep.custom_fields or {})}
        moved_feedback += _moved(
            session,
            update(FeedbackItem)
            .where(FeedbackItem.workspace_id == ws, FeedbackItem.company_id == dupe.id)
            .values(company_id=keep.id),
        )
        moved_people += _moved(
            session,
            update(Person)
            .where(Person.workspace_id == ws, Person.company_id == dupe.id)
            .values(company_id=keep.id),
        )
        external = dupe.external_id
        session.delete(dupe)
        session.flush()
        if keep.external_id is None and external:
            keep.external_id = external
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=ws,
        action="merge",
        object_type="company",
        object_id=keep.id,
        summary=f"merged {len(dupes)} compan{'y' if len(dupes) == 1 else 'ies'} into {keep.name}",
        changes={
            "merged": [f"{d.id}: {d.name}" for d in dupes],
            "feedback_moved": moved_feedback,
            "people_moved": moved_people,
        },
    )
    return keep


def company_feedback_counts(
    session: Session, *, workspace_id: int, company_ids: list[int]
) -> dict[int, int]:
    """Return how many feedback items each company has."""
    if not company_ids:
        return {}
    rows = session.execute(
        select(FeedbackItem.company_id, func.count())
        .where(FeedbackItem.workspace_id == workspace_id, FeedbackItem.company_id.in_(company_ids))
        .group_by(FeedbackItem.company_id)
    ).all()
    return {int(cid): int(n) for cid, n in rows if cid is not None}


# --- people ------------------------------------------------------------------------------


def _check_company(session: Session, workspace_id: int, company_id: int | None) -> None:
    if company_id is not None:
        get_company(session, workspace_id=workspace_id, company_id=company_id)


def create_person(
    session: Session, *, actor: Actor | None, workspace_id: int, data: PersonCreate
) -> Person:
    """Create a person, optionally at a company of the workspace."""
    _check_company(session, workspace_id, data.company_id)
    if data.external_id and find_person(
        session, workspace_id=workspace_id, external_id=data.external_id
    ):
        raise ConflictError(f"a person with external id {data.external_id!r} already exists")
    values = data.model_dump()
    values["email"] = values["email"].lower() if values["email"] else None
    person = Person(workspace_id=workspace_id, **values)
    session.add(person)
    try:
        session.flush()
    except IntegrityError as exc:
        raise ConflictError("this person conflicts with an existing one") from exc
    record(
        session,
        actor=actor,
        workspace_id=workspace_id,
        action="create",
        object_type="person",
        object_id=person.id,
        summary=f"created person {person.name or person.email or person.id}",
    )
    return person


def find_person(
    session: Session,
    *,
    workspace_id: int,
    external_id: str | None = None,
    email: str | None = None,
) -> Person | None:
    """Return the person with this external id, else this e-mail, or ``None``."""
    base = select(Person).where(Person.workspace_id == workspace_id)
    if external_id:
        found = session.scalar(base.where(Person.external_id == external_id))
        if found:
            return found
    if email:
        return session.scalar(
            base.where(Person.email == email.strip().lower()).order_by(Person.id).limit(1)
        )
    return None


def get_person(session: Session, *, workspace_id: int, person_id: int) -> Person:
    """Return the workspace's person; raise ``NotFoundError`` otherwise."""
    person = session.scalar(
        select(Person).where(Person.id == person_id, Person.workspace_id == workspace_id)
    )
    if person is None:
        raise NotFoundError(f"person {person_id} does not exist")
    return person


def list_people(
    session: Session,
    *,
    workspace_id: int,
    company_id: int | None = None,
    q: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list[Person], int, str | None]:
    """Return a page of people by name, the total and the next page's cursor."""
    query = select(Person).where(Person.workspace_id == workspace_id)
    if company_id is not None:
        query = query.where(Person.company_id == company_id)
    if q:
        like = f"%{q.strip().lower()}%"
        query = query.where(
            or_(func.lower(Person.name).like(like), func.lower(Person.email).like(like))
        )
    offset = decode_cursor(cursor)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(session.scalars(query.order_by(Person.name, Person.id).limit(limit).offset(offset)))
    nxt = encode_cursor(offset + limit) if offset + limit < total else None
    return rows, total, nxt


def update_person(session: Session, *, actor: Actor, person_id: int, data: PersonUpdate) -> Person:
    """Change the fields given of a person."""
    person = get_person(session, workspace_id=actor.workspace_id, person_id=person_id)
    values = data.model_dump(exclude_unset=True)
    if "company_id" in values:
        _check_company(session, actor.workspace_id, values["company_id"])
    if values.get("email"):
        values["email"] = values["email"].lower()
    ext = values.get("external_id")
    if (
        ext
        and ext != person.external_id
        and find_person(session, workspace_id=actor.workspace_id, external_id=ext)
    ):
        raise ConflictError(f"a person with external id {ext!r} already exists")
    changes = {}
    for name, value in values.items():
        if name == "name" and value is None:
            continue
        if getattr(person, name) != value:
            changes[name] = str(value)[:200]
            setattr(person, name, value)
    session.flush()
    if changes:
        record(
            session,
            actor=actor,
            workspace_id=actor.workspace_id,
            action="update",
            object_type="person",
            object_id=person.id,
            summary=f"updated person {person.name or person.email or person.id}",
            changes=changes,
        )
    return person


def merge_people(session: Session, *, actor: Actor, keep_id: int, merge_ids: list[int]) -> Person:
    """Fold duplicate people into one: their feedback moves to the kept person, then they go.

    Empty fields of the kept person (e-mail, company, external id) are filled from the
    duplicates; custom fields are merged (the kept person's values win).

    Raises:
        InvalidInputError: the kept person is among the duplicates.
        NotFoundError: one of the people does not exist in this workspace.
    """
    ws = actor.workspace_id
    if keep_id in merge_ids:
        raise InvalidInputError.single(("merge_ids",), "a person cannot be merged into itself")
    keep = get_person(session, workspace_id=ws, person_id=keep_id)
    dupes = [get_person(session, workspace_id=ws, person_id=i) for i in dict.fromkeys(merge_ids)]
    moved = 0
    for dupe in dupes:
        for name in ("email", "company_id"):
            if getattr(keep, name) in (None, "") and getattr(dupe, name) not in (None, ""):
                setattr(keep, name, getattr(dupe, name))
        if not keep.name and dupe.name:
            keep.name = dupe.name
        keep.custom_fields = {**(dupe.custom_fields or {}), **(keep.custom_fields or {})}
        moved += _moved(
            session,
            update(FeedbackItem)
            .where(FeedbackItem.workspace_id == ws, FeedbackItem.person_id == dupe.id)
            .values(person_id=keep.id),
        )
        external = dupe.external_id
        session.delete(dupe)
        session.flush()
        if keep.external_id is None and external:
            keep.external_id = external
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=ws,
        action="merge",
        object_type="person",
        object_id=keep.id,
        summary=f"merged {len(dupes)} {'person' if len(dupes) == 1 else 'people'} into {keep.name}",
        changes={"merged": [f"{d.id}: {d.name}" for d in dupes], "feedback_moved": moved},
    )
    return keep
