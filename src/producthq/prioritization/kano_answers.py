"""Use cases of Kano answers: respondents' paired answers per feature, CSV import, tallies.

The category of each pair and the coefficients come from ``producthq.prioritization.kano``
(the Berger et al. evaluation table and Timko's better/worse). The ``kano`` framework's inputs
(respondents per category) are derived from these answers when a feature has any. Functions
flush, never commit; an import validates the whole file before it writes a row.
"""

import csv
import io
from collections.abc import Iterable

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from producthq.audit.service import Actor, record
from producthq.catalog import service as catalog
from producthq.catalog.models import Feature
from producthq.db import utcnow
from producthq.errors import InvalidInputError, Location, NotFoundError, ProblemCollector
from producthq.feedback.models import Person
from producthq.prioritization import kano
from producthq.prioritization.models import KanoResponse
from producthq.prioritization.schemas import (
    KanoImportResult,
    KanoResponseCreate,
    KanoResponseRead,
    KanoSummary,
)

MAX_ROWS = 100_000
FILE = "kano.csv"


def _person_names(session: Session, workspace_id: int, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(Person.id, Person.name, Person.email).where(
            Person.workspace_id == workspace_id, Person.id.in_(wanted)
        )
    )
    return {pid: name or email or f"person {pid}" for pid, name, email in rows}


def people_choices(
    session: Session, *, workspace_id: int, limit: int = 500
) -> list[tuple[int, str]]:
    """Return ``(id, label)`` of the workspace's people by name, for a respondent picker."""
    rows = session.execute(
        select(Person.id, Person.name, Person.email)
        .where(Person.workspace_id == workspace_id)
        .order_by(Person.name, Person.id)
        .limit(limit)
    )
    return [
        (pid, f"{name} <{email}>" if name and email else name or email or f"person {pid}")
        for pid, name, email in rows
    ]


def kano_summary(session: Session, *, workspace_id: int, feature_id: int) -> KanoSummary:
    """Return a feature's answers, the tally per category, the category and the coefficients.

    Raises:
        NotFoundError: the feature does not exist in the workspace.
    """
    feature = catalog.get_feature(session, workspace_id=workspace_id, feature_id=feature_id)
    rows = list(
        session.scalars(
            select(KanoResponse)
            .where(KanoResponse.feature_id == feature.id)
            .order_by(KanoResponse.id)
        )
    )
    names = _person_names(session, workspace_id, (r.person_id for r in rows if r.person_id))
    reads = []
    for r in rows:
        shown = r.respondent
        if r.person_id is not None:
            shown = names.get(r.person_id, r.respondent)
        reads.append(
            KanoResponseRead(
                id=r.id,
                feature_id=r.feature_id,
                person_id=r.person_id,
                respondent=shown,
                functional=r.functional,
                dysfunctional=r.dysfunctional,
                category=kano.classify(r.functional, r.dysfunctional).value,
                created_at=r.created_at,
            )
        )
    t = kano.tally((r.functional, r.dysfunctional) for r in rows)
    return KanoSummary(
        feature_id=feature.id,
        responses=reads,
        counts={c.value: t.count(c) for c in kano.KanoCategory},
        total=t.total,
        category=t.category.value if t.category else None,
        better=t.better,
        worse=t.worse,
    )


def kano_counts(
    session: Session, *, workspace_id: int, feature_ids: Iterable[int] | None = None
) -> dict[int, dict[str, float]]:
    """Return respondents per Kano category per feature that has answers (one query)."""
    query = select(
        KanoResponse.feature_id,
        KanoResponse.functional,
        KanoResponse.dysfunctional,
        func.count(),
    ).where(KanoResponse.workspace_id == workspace_id)
    if feature_ids is not None:
        query = query.where(KanoResponse.feature_id.in_(list(feature_ids) or [-1]))
    query = query.group_by(
        KanoResponse.feature_id, KanoResponse.functional, KanoResponse.dysfunctional
    )
    out: dict[int, dict[str, float]] = {}
    for fid, functional, dysfunctional, n in session.execute(query):
        counts = out.setdefault(fid, {c.value: 0.0 for c in kano.KanoCategory})
        counts[kano.classify(functional, dysfunctional).value] += float(n)
    return out


def _answer(problems: ProblemCollector, loc: Location, text: str) -> str | None:
    try:
        return kano.parse_answer(text).value
    except ValueError as exc:
        problems.add(loc, str(exc), "invalid_answer")
        return None


def _check_person(session: Session, workspace_id: int, person_id: int | None) -> None:
    if person_id is not None and not _person_names(session, workspace_id, [person_id]):
        raise InvalidInputError.single(
            ("person_id",), f"person {person_id} does not exist in this workspace", "not_found"
        )


def add_kano_response(
    session: Session, *, actor: Actor, feature_id: int, data: KanoResponseCreate
) -> KanoSummary:
    """Store one respondent's answers about a feature.

    Raises:
        NotFoundError: the feature does not exist.
        InvalidInputError: an answer is not a Kano answer, the person is unknown, or neither a
            person nor a respondent name is given.
    """
    ws = actor.workspace_id
    feature = catalog.get_feature(session, workspace_id=ws, feature_id=feature_id)
    problems = ProblemCollector()
    functional = _answer(problems, ("functional",), data.functional)
    dysfunctional = _answer(problems, ("dysfunctional",), data.dysfunctional)
    respondent = data.respondent.strip()
    if data.person_id is None and not respondent:
        problems.add(("respondent",), "name the respondent or choose a person", "missing")
    problems.raise_if_any("bad Kano answer")
    assert functional is not None and dysfunctional is not None  # noqa: S101 - checked above
    _check_person(session, ws, data.person_id)
    row = KanoResponse(
        workspace_id=ws,
        feature_id=feature.id,
        person_id=data.person_id,
        respondent=respondent,
        functional=functional,
        dysfunctional=dysfunctional,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=ws,
        action="create",
        object_type="kano_response",
        object_id=row.id,
        summary=f"Kano answers on {feature.title}"[:300],
    )
    return kano_summary(session, workspace_id=ws, feature_id=feature.id)


def delete_kano_response(session: Session, *, actor: Actor, response_id: int) -> KanoSummary:
    """Delete one respondent's answers.

    Raises:
        NotFoundError: no such answer in the workspace.
    """
    ws = actor.workspace_id
    row = session.scalar(
        select(KanoResponse).where(KanoResponse.id == response_id, KanoResponse.workspace_id == ws)
    )
    if row is None:
        raise NotFoundError(f"Kano answer {response_id} does not exist")
    feature_id = row.feature_id
    session.delete(row)
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=ws,
        action="delete",
        object_type="kano_response",
        object_id=response_id,
    )
    return kano_summary(session, workspace_id=ws, feature_id=feature_id)


def _lookups(session: Session, workspace_id: int) -> tuple[set[int], dict[str, int]]:
    features = set(session.scalars(select(Feature.id).where(Feature.workspace_id == workspace_id)))
    emails = {
        email.strip().lower(): pid
        for pid, email in session.execute(
            select(Person.id, Person.email).where(
                Person.workspace_id == workspace_id, Person.email.is_not(None)
            )
        )
        if email
    }
    return features, emails


def _header_problems(header: list[str], feature_id: int | None) -> ProblemCollector:
    problems = ProblemCollector()
    for needed in ("functional", "dysfunctional"):
        if needed not in header:
            problems.add((FILE, 1, needed), f"no column {needed!r}", "missing_column")
    if feature_id is None and "feature_id" not in header:
        problems.add((FILE, 1, "feature_id"), "no column 'feature_id'", "missing_column")
    if "respondent" not in header and "person_email" not in header:
        problems.add(
            (FILE, 1, "respondent"),
            "no column 'respondent' or 'person_email' naming who answered",
            "missing_column",
        )
    return problems


def import_kano_csv(
    session: Session, *, actor: Actor, text: str, feature_id: int | None = None
) -> KanoImportResult:
    """Import survey answers from CSV; nothing is kept unless every row is valid.

    Columns: ``functional`` and ``dysfunctional`` (like, expect, neutral, tolerate, dislike, or
    1-5, or the answers' wording), ``respondent`` (a name) and/or ``person_email`` (a person of
    the feedback hub), and ``feature_id`` (optional when importing into one feature; if given it
    must be that feature). Problems have ``loc = ("kano.csv", row, column)``, the header being
    row 1.

    Raises:
        InvalidInputError: every bad row and field, listed together.
        NotFoundError: ``feature_id`` names no feature of the workspace.
    """
    ws = actor.workspace_id
    if feature_id is not None:
        catalog.get_feature(session, workspace_id=ws, feature_id=feature_id)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    problems = _header_problems(header, feature_id)
    problems.raise_if_any("bad Kano CSV header")
    features, emails = _lookups(session, ws)
    rows: list[dict[str, object]] = []
    for raw in reader:
        line = reader.line_num
        cells = {k: (v or "").strip() for k, v in raw.items() if isinstance(k, str)}
        if not any(cells.values()):
            continue
        if len(rows) >= MAX_ROWS:
            problems.add((FILE, line), f"more than {MAX_ROWS} rows", "too_many")
            break
        fid = _row_feature(problems, line, cells.get("feature_id", ""), feature_id, features)
        functional = _answer(problems, (FILE, line, "functional"), cells.get("functional", ""))
        dysfunctional = _answer(
            problems, (FILE, line, "dysfunctional"), cells.get("dysfunctional", "")
        )
        email = cells.get("person_email", "").lower()
        person_id = emails.get(email) if email else None
        if email and person_id is None:
            problems.add(
                (FILE, line, "person_email"), f"no person with email {email!r}", "not_found"
            )
        name = cells.get("respondent", "")[:200]
        if not email and not name:
            problems.add((FILE, line, "respondent"), "who answered? missing respondent", "missing")
        rows.append(
            {
                "workspace_id": ws,
                "feature_id": fid,
                "person_id": person_id,
                "respondent": name,
                "functional": functional,
                "dysfunctional": dysfunctional,
            }
        )
    problems.raise_if_any("bad Kano CSV rows")
    if not rows:
        raise InvalidInputError.single((FILE, 2), "the file has no answer rows", "empty")
    now = utcnow()
    for start in range(0, len(rows), 1000):
        chunk = [{**r, "created_at": now, "updated_at": now} for r in rows[start : start + 1000]]
        session.execute(insert(KanoResponse), chunk)
    session.flush()
    touched = sorted({int(str(r["feature_id"])) for r in rows})
    record(
        session,
        actor=actor,
        workspace_id=ws,
        action="import",
        object_type="kano_response",
        summary=f"imported {len(rows)} Kano answers on {len(touched)} feature(s)",
    )
    return KanoImportResult(created=len(rows), features=touched)


def _row_feature(
    problems: ProblemCollector, line: int, text: str, fixed: int | None, features: set[int]
) -> int | None:
    if not text:
        if fixed is None:
            problems.add((FILE, line, "feature_id"), "missing feature_id", "missing")
        return fixed
    if not text.isdigit():
        problems.add((FILE, line, "feature_id"), f"{text!r} is not a feature id", "invalid")
        return fixed
    fid = int(text)
    if fixed is not None and fid != fixed:
        problems.add(
            (FILE, line, "feature_id"),
            f"feature {fid} is not this feature ({fixed}); leave the column out or empty",
            "invalid",
        )
    elif fid not in features:
        problems.add((FILE, line, "feature_id"), f"no feature {fid}", "not_found")
    return fid
