"""Use cases of user-defined scoring frameworks, and the registry of a workspace.

A workspace's registry holds the built-ins (``scoring.DEFAULT_FRAMEWORKS``) and, registered the
same way, one ``formula.WeightedScoring`` per stored ``ScoringFramework`` row. Compiling a
formula costs a parse and a whitelist walk, so compiled models are cached by their definition
(slug, title, criteria, formula): a re-rank does not recompile, and an edit makes a new key.
Functions flush, never commit.
"""

from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from producthq.audit.service import Actor, record
from producthq.errors import ConflictError, NotFoundError
from producthq.prioritization.formula import Criterion, WeightedScoring, default_formula
from producthq.prioritization.models import ScoringFramework
from producthq.prioritization.schemas import (
    CriterionIn,
    ScoringFrameworkCreate,
    ScoringFrameworkRead,
    ScoringFrameworkUpdate,
)
from producthq.prioritization.scoring import FrameworkRegistry, default_registry

RESERVED_SLUGS = frozenset({"weighted"})
"""``weighted`` is the CLI's ad-hoc model built from ``--criterion`` options."""
BUILTIN_SLUGS = frozenset(default_registry().slugs())

CriteriaKey = tuple[tuple[str, float, bool, str], ...]


def _criteria_key(criteria: list[dict[str, Any]]) -> CriteriaKey:
    return tuple(
        (
            str(c["name"]),
            float(c.get("weight", 1.0)),
            c.get("kind", "benefit") == "benefit",
            str(c.get("description", "")),
        )
        for c in criteria
    )


@lru_cache(maxsize=256)
def _compiled(slug: str, title: str, criteria: CriteriaKey, formula: str) -> WeightedScoring:
    model = tuple(
        Criterion(name, weight, description, higher_is_better=benefit)
        for name, weight, benefit, description in criteria
    )
    return WeightedScoring(slug, model, formula or None, title)


def build_model(
    slug: str, title: str, criteria: list[dict[str, Any]], formula: str
) -> WeightedScoring:
    """Compile a stored definition into a framework (cached by the definition).

    Raises:
        InvalidInputError: bad criteria, or a formula error with ``loc = ("formula", column)``.
    """
    return _compiled(slug, title, _criteria_key(criteria), formula)


def registry_for(session: Session, *, workspace_id: int) -> FrameworkRegistry:
    """Return the built-ins plus the workspace's user-defined frameworks, in one registry."""
    registry = default_registry()
    rows = session.execute(
        select(
            ScoringFramework.slug,
            ScoringFramework.title,
            ScoringFramework.criteria,
            ScoringFramework.formula,
        )
        .where(ScoringFramework.workspace_id == workspace_id)
        .order_by(ScoringFramework.slug)
    )
    for slug, title, criteria, formula in rows:
        registry.register(build_model(slug, title, criteria, formula))
    return registry


def user_framework_ids(session: Session, *, workspace_id: int) -> dict[str, int]:
    """Return slug -> id of the workspace's stored frameworks."""
    rows = session.execute(
        select(ScoringFramework.slug, ScoringFramework.id).where(
            ScoringFramework.workspace_id == workspace_id
        )
    )
    return {str(slug): int(fid) for slug, fid in rows}


def _read(row: ScoringFramework) -> ScoringFrameworkRead:
    criteria = [CriterionIn.model_validate(c) for c in row.criteria]
    model = build_model(row.slug, row.title, row.criteria, row.formula)
    return ScoringFrameworkRead(
        id=row.id,
        slug=row.slug,
        title=row.title,
        formula=row.formula,
        effective_formula=row.formula or default_formula(model.criteria),
        criteria=criteria,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _check(
    slug: str, title: str, criteria: list[CriterionIn], formula: str
) -> list[dict[str, Any]]:
    """Validate a definition by compiling it; return the criteria as stored."""
    stored = [c.model_dump() for c in criteria]
    build_model(slug, title, stored, formula)  # raises with the formula column or criterion
    return stored


def list_user_frameworks(session: Session, *, workspace_id: int) -> list[ScoringFrameworkRead]:
    """Return the workspace's user-defined frameworks by slug."""
    rows = session.scalars(
        select(ScoringFramework)
        .where(ScoringFramework.workspace_id == workspace_id)
        .order_by(ScoringFramework.slug)
    )
    return [_read(r) for r in rows]


def _row(session: Session, workspace_id: int, framework_id: int) -> ScoringFramework:
    row = session.scalar(
        select(ScoringFramework).where(
            ScoringFramework.id == framework_id, ScoringFramework.workspace_id == workspace_id
        )
    )
    if row is None:
        raise NotFoundError(f"framework {framework_id} does not exist")
    return row


def get_user_framework(
    session: Session, *, workspace_id: int, framework_id: int
) -> ScoringFrameworkRead:
    """Return one user-defined framework.

    Raises:
        NotFoundError: no such framework in the workspace.
    """
    return _read(_row(session, workspace_id, framework_id))


def find_user_framework_id(session: Session, *, workspace_id: int, slug: str) -> int | None:
    """Return the id of the workspace's framework with this slug, or ``None``."""
    return session.scalar(
        select(ScoringFramework.id).where(
            ScoringFramework.workspace_id == workspace_id, ScoringFramework.slug == slug
        )
    )


def create_user_framework(
    session: Session, *, actor: Actor, data: ScoringFrameworkCreate
) -> ScoringFrameworkRead:
    """Store a new weighted-scoring framework after compiling its formula.

    Raises:
        ConflictError: the slug is a built-in's, reserved, or taken in the workspace.
        InvalidInputError: bad criteria or formula (the formula problem has its column).
    """
    ws = actor.workspace_id
    if data.slug in BUILTIN_SLUGS or data.slug in RESERVED_SLUGS:
        raise ConflictError(f"slug {data.slug!r} is a built-in framework; choose another")
    if find_user_framework_id(session, workspace_id=ws, slug=data.slug) is not None:
        raise ConflictError(f"a framework with slug {data.slug!r} already exists")
    criteria = _check(data.slug, data.title, data.criteria, data.formula)
    row = ScoringFramework(
        workspace_id=ws,
        slug=data.slug,
        title=data.title,
        formula=data.formula.strip(),
        criteria=criteria,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=ws,
        action="create",
        object_type="scoring_framework",
        object_id=row.id,
        summary=f"framework {data.slug}"[:300],
    )
    return _read(row)


def update_user_framework(
    session: Session, *, actor: Actor, framework_id: int, data: ScoringFrameworkUpdate
) -> ScoringFrameworkRead:
    """Change a framework's title, criteria or formula (the slug stays).

    Raises:
        NotFoundError: no such framework.
        InvalidInputError: bad criteria or formula.
    """
    row = _row(session, actor.workspace_id, framework_id)
    title = data.title if data.title is not None else row.title
    formula = data.formula.strip() if data.formula is not None else row.formula
    criteria_in = (
        data.criteria
        if data.criteria is not None
        else [CriterionIn.model_validate(c) for c in row.criteria]
    )
    criteria = _check(row.slug, title, criteria_in, formula)
    row.title, row.formula, row.criteria = title, formula, criteria
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="update",
        object_type="scoring_framework",
        object_id=row.id,
        summary=f"framework {row.slug}"[:300],
    )
    return _read(row)


def delete_user_framework(session: Session, *, actor: Actor, framework_id: int) -> None:
    """Delete a framework; estimates stored for it stay, unused, until it is made again.

    Raises:
        NotFoundError: no such framework.
    """
    row = _row(session, actor.workspace_id, framework_id)
    slug = row.slug
    session.delete(row)
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="delete",
        object_type="scoring_framework",
        object_id=framework_id,
        summary=f"framework {slug}"[:300],
    )
