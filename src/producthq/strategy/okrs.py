"""Use cases of objectives and key results: check-ins, metric refresh, links, investment mix.

Progress arithmetic is in ``progress.py``; this module loads and saves. Functions flush, never
commit: the caller's unit of work commits once.
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from producthq.accounts import service as accounts
from producthq.audit.service import Actor, record
from producthq.db import utcnow
from producthq.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    ProblemCollector,
    ProductHQError,
)
from producthq.strategy.binding import MetricEvaluator, MetricRequest, RefreshReport
from producthq.strategy.investment import mix_problem, planned_shares
from producthq.strategy.models import (
    CheckinSource,
    KeyResult,
    KeyResultCheckin,
    Objective,
    ObjectiveLink,
)
from producthq.strategy.periods import Period, parse_period, period_sort_key
from producthq.strategy.progress import (
    Direction,
    check_direction,
    key_result_progress,
    objective_progress,
)
from producthq.strategy.schemas import (
    CheckinCreate,
    InvestmentMix,
    KeyResultCreate,
    KeyResultUpdate,
    LinkCreate,
    LinkUpdate,
    ObjectiveCreate,
    ObjectiveUpdate,
)

FUTURE_SLACK = timedelta(days=1)


# --- progress of loaded rows -------------------------------------------------------------


def progress_of_key_result(kr: KeyResult) -> float:
    """Return a key result's progress in [0, 1] (see ``progress.key_result_progress``)."""
    return key_result_progress(
        baseline=kr.baseline, target=kr.target, current=kr.current, direction=kr.direction
    )


def progress_of_objective(objective: Objective) -> float | None:
    """Return the mean progress of an objective's key results, ``None`` without any."""
    return objective_progress(progress_of_key_result(kr) for kr in objective.key_results)


# --- objectives --------------------------------------------------------------------------


def _check_owner(session: Session, workspace_id: int, owner_id: int | None, field: str) -> None:
    if owner_id is None:
        return
    if accounts.find_membership(session, workspace_id=workspace_id, user_id=owner_id) is None:
        raise InvalidInputError.single(
            (field,), f"{field} {owner_id}: that user is not a member of this workspace"
        )


def _objectives_query(workspace_id: int) -> Any:
    return (
        select(Objective)
        .where(Objective.workspace_id == workspace_id)
        .options(
            selectinload(Objective.key_results).selectinload(KeyResult.checkins),
            selectinload(Objective.links),
        )
    )


def list_objectives(
    session: Session, *, workspace_id: int, period: str | None = None
) -> list[Objective]:
    """Return objectives (with key results, check-ins and links) ordered by period, then id."""
    query = _objectives_query(workspace_id)
    if period:
        query = query.where(Objective.period == period.strip())
    query = query.order_by(
        Objective.period_start, Objective.period_end, Objective.period, Objective.id
    )
    return list(session.scalars(query))


def list_periods(session: Session, *, workspace_id: int) -> list[Period]:
    """Return the distinct periods that have objectives, earliest first."""
    rows = session.execute(
        select(Objective.period, Objective.period_start, Objective.period_end)
        .where(Objective.workspace_id == workspace_id)
        .distinct()
    ).all()
    return sorted((Period(label, start, end) for label, start, end in rows), key=period_sort_key)


def get_objective(session: Session, *, workspace_id: int, objective_id: int) -> Objective:
    """Return an objective; raise ``NotFoundError`` if it is not in the workspace."""
    objective = session.scalar(_objectives_query(workspace_id).where(Objective.id == objective_id))
    if objective is None:
        raise NotFoundError(f"objective {objective_id} does not exist")
    assert isinstance(objective, Objective)  # noqa: S101 - the query selects Objective
    return objective


def create_objective(session: Session, *, actor: Actor, data: ObjectiveCreate) -> Objective:
    """Create an objective for a period; its owner must be a member of the workspace."""
    _check_owner(session, actor.workspace_id, data.owner_id, "owner_id")
    assert data.period_start and data.period_end  # noqa: S101 - the schema fills them
    confidence: Any = data.confidence
    objective = Objective(
        workspace_id=actor.workspace_id,
        title=data.title,
        description=data.description,
        owner_id=data.owner_id,
        period=data.period,
        period_start=data.period_start,
        period_end=data.period_end,
        confidence=confidence,
    )
    session.add(objective)
    session.flush()
    _audit(session, actor, "create", "objective", objective.id, f"created {objective.title!r}")
    return objective


def update_objective(
    session: Session, *, actor: Actor, objective_id: int, data: ObjectiveUpdate
) -> Objective:
    """Change an objective; a new period label is parsed like on creation."""
    objective = get_objective(session, workspace_id=actor.workspace_id, objective_id=objective_id)
    values = data.model_dump(exclude_unset=True)
    for key in ("title", "description"):
        if values.get(key) is not None:
            setattr(objective, key, values[key])
    if "owner_id" in values:
        _check_owner(session, actor.workspace_id, values["owner_id"], "owner_id")
        objective.owner_id = values["owner_id"]
    if "confidence" in values:
        objective.confidence = values["confidence"]
    if any(values.get(k) is not None for k in ("period", "period_start", "period_end")):
        label = values.get("period") or objective.period
        keep_dates = values.get("period") is None
        start = values.get("period_start") or (objective.period_start if keep_dates else None)
        end = values.get("period_end") or (objective.period_end if keep_dates else None)
        try:
            period = parse_period(label, start, end)
        except ValueError as exc:
            raise InvalidInputError.single(("period",), str(exc)) from None
        objective.period, objective.period_start, objective.period_end = (
            period.label,
            period.start,
            period.end,
        )
    _audit(session, actor, "update", "objective", objective.id, f"updated {objective.title!r}")
    session.flush()
    return objective


def delete_objective(session: Session, *, actor: Actor, objective_id: int) -> None:
    """Delete an objective with its key results, check-ins and links."""
    objective = get_objective(session, workspace_id=actor.workspace_id, objective_id=objective_id)
    title = objective.title
    session.delete(objective)
    _audit(session, actor, "delete", "objective", objective_id, f"deleted {title!r}")
    session.flush()


# --- key results -------------------------------------------------------------------------


def get_key_result(session: Session, *, workspace_id: int, key_result_id: int) -> KeyResult:
    """Return a key result; raise ``NotFoundError`` if it is not in the workspace."""
    kr = session.scalar(
        select(KeyResult)
        .where(KeyResult.id == key_result_id, KeyResult.workspace_id == workspace_id)
        .options(selectinload(KeyResult.checkins))
    )
    if kr is None:
        raise NotFoundError(f"key result {key_result_id} does not exist")
    return kr


def _direction_error(baseline: float, target: float, direction: str) -> None:
    problem = check_direction(baseline=baseline, target=target, direction=direction)
    if problem:
        raise InvalidInputError.single(("target",), problem)


def create_key_result(
    session: Session, *, actor: Actor, objective_id: int, data: KeyResultCreate
) -> KeyResult:
    """Add a key result to an objective; the current value starts at the baseline if not given.

    Raises:
        InvalidInputError: the target contradicts the direction, or the owner is not a member.
    """
    objective = get_objective(session, workspace_id=actor.workspace_id, objective_id=objective_id)
    direction = data.direction or (
        Direction.decrease if data.target < data.baseline else Direction.increase
    )
    _direction_error(data.baseline, data.target, direction)
    _check_owner(session, actor.workspace_id, data.owner_id, "owner_id")
    confidence: Any = data.confidence
    kr = KeyResult(
        workspace_id=actor.workspace_id,
        objective_id=objective.id,
        title=data.title,
        metric_kind=data.metric_kind.value,
        baseline=data.baseline,
        target=data.target,
        current=data.baseline if data.current is None else data.current,
        direction=direction.value,
        owner_id=data.owner_id,
        confidence=confidence,
        metric_binding=data.metric_binding.model_dump() if data.metric_binding else None,
    )
    session.add(kr)
    session.flush()
    _audit(session, actor, "create", "key_result", kr.id, f"created key result {kr.title!r}")
    return kr


def update_key_result(
    session: Session, *, actor: Actor, key_result_id: int, data: KeyResultUpdate
) -> KeyResult:
    """Change a key result; baseline, target and direction are checked together."""
    kr = get_key_result(session, workspace_id=actor.workspace_id, key_result_id=key_result_id)
    values = data.model_dump(exclude_unset=True)
    for key in ("title", "baseline", "target"):
        if values.get(key) is not None:
            setattr(kr, key, values[key])
    for key in ("metric_kind", "direction"):  # StrEnums: store their plain values
        if values.get(key) is not None:
            setattr(kr, key, str(values[key]))
    if "owner_id" in values:
        _check_owner(session, actor.workspace_id, values["owner_id"], "owner_id")
        kr.owner_id = values["owner_id"]
    if "confidence" in values:
        kr.confidence = values["confidence"]
    if "metric_binding" in values:
        kr.metric_binding = values["metric_binding"]
    _direction_error(kr.baseline, kr.target, kr.direction)
    _audit(session, actor, "update", "key_result", kr.id, f"updated key result {kr.title!r}")
    session.flush()
    return kr


def delete_key_result(session: Session, *, actor: Actor, key_result_id: int) -> None:
    """Delete a key result and its check-ins."""
    kr = get_key_result(session, workspace_id=actor.workspace_id, key_result_id=key_result_id)
    title = kr.title
    session.delete(kr)
    _audit(session, actor, "delete", "key_result", key_result_id, f"deleted {title!r}")
    session.flush()


def _latest_value(kr: KeyResult) -> float | None:
    if not kr.checkins:
        return None
    latest = max(kr.checkins, key=lambda c: (c.checkin_date, c.id or 0))
    return latest.value


def add_checkin(
    session: Session, *, actor: Actor, key_result_id: int, data: CheckinCreate
) -> KeyResultCheckin:
    """Record a dated value of a key result; the latest check-in becomes the current value.

    A back-dated check-in is kept in the history but does not replace a newer value.
    """
    kr = get_key_result(session, workspace_id=actor.workspace_id, key_result_id=key_result_id)
    today = utcnow().date()
    day = data.checkin_date or today
    if day > today + FUTURE_SLACK:
        raise InvalidInputError.single(
            ("checkin_date",), f"checkin_date {day} is in the future; check in what happened"
        )
    checkin = KeyResultCheckin(
        workspace_id=actor.workspace_id,
        key_result_id=kr.id,
        checkin_date=day,
        value=data.value,
        note=data.note,
        source=CheckinSource.manual.value,
        author_id=actor.user_id,
        author_label=actor.label[:320],
    )
    kr.checkins.append(checkin)
    session.flush()
    latest = _latest_value(kr)
    if latest is not None:
        kr.current = latest
    _audit(
        session,
        actor,
        "checkin",
        "key_result",
        kr.id,
        f"checked in {data.value:g} on {kr.title!r}",
    )
    session.flush()
    return checkin


def list_checkins(
    session: Session, *, workspace_id: int, key_result_id: int
) -> list[KeyResultCheckin]:
    """Return a key result's check-ins, oldest first."""
    kr = get_key_result(session, workspace_id=workspace_id, key_result_id=key_result_id)
    return sorted(kr.checkins, key=lambda c: (c.checkin_date, c.id))


def refresh_bound_key_results(
    session: Session,
    *,
    workspace_id: int,
    evaluator: MetricEvaluator,
    as_of: date | None = None,
) -> RefreshReport:
    """Ask ``evaluator`` for the value of every key result bound to a metric, and record it.

    Each value becomes a check-in of source ``metric`` dated ``as_of`` (today by default); a
    second refresh on the same day updates that check-in instead of adding another. A key
    result the evaluator cannot answer (it returns ``None`` or raises ``ProductHQError``) is
    skipped with the reason, and the others are still refreshed.
    """
    day = as_of or utcnow().date()
    report = RefreshReport()
    krs = session.scalars(
        select(KeyResult)
        .where(KeyResult.workspace_id == workspace_id, KeyResult.metric_binding.is_not(None))
        .options(selectinload(KeyResult.checkins), selectinload(KeyResult.objective))
        .order_by(KeyResult.id)
    ).all()
    for kr in krs:
        binding = kr.metric_binding or {}
        metric = str(binding.get("metric", ""))
        if not metric:
            report.skipped[kr.id] = "the binding names no metric"
            continue
        request = MetricRequest(
            key_result_id=kr.id,
            metric=metric,
            params=dict(binding.get("params") or {}),
            period_start=kr.objective.period_start,
            period_end=kr.objective.period_end,
            as_of=day,
        )
        try:
            value = evaluator(request)
        except ProductHQError as exc:
            report.skipped[kr.id] = exc.message
            continue
        if value is None or not math.isfinite(value):
            report.skipped[kr.id] = f"metric {metric!r} has no value yet"
            continue
        _upsert_metric_checkin(kr, day, float(value), metric)
        session.flush()
        kr.current = _latest_value(kr) or float(value)
        kr.refreshed_at = utcnow()
        report.updated.append(kr.id)
    if report.updated:
        record(
            session,
            actor=None,
            workspace_id=workspace_id,
            action="refresh",
            object_type="key_result",
            object_id=",".join(str(i) for i in report.updated)[:60],
            summary=f"refreshed {len(report.updated)} key result(s) from metrics",
        )
    session.flush()
    return report


def _upsert_metric_checkin(kr: KeyResult, day: date, value: float, metric: str) -> None:
    for c in kr.checkins:
        if c.source == CheckinSource.metric.value and c.checkin_date == day:
            c.value = value
            return
    kr.checkins.append(
        KeyResultCheckin(
            workspace_id=kr.workspace_id,
            key_result_id=kr.id,
            checkin_date=day,
            value=value,
            note=f"from metric {metric}",
            source=CheckinSource.metric.value,
            author_id=None,
            author_label=f"metric:{metric}"[:320],
        )
    )


# --- links (alignment) -------------------------------------------------------------------


def get_link(
    session: Session, *, workspace_id: int, objective_id: int, link_id: int
) -> ObjectiveLink:
    """Return a link of an objective; raise ``NotFoundError`` if there is none."""
    link = session.scalar(
        select(ObjectiveLink).where(
            ObjectiveLink.id == link_id,
            ObjectiveLink.objective_id == objective_id,
            ObjectiveLink.workspace_id == workspace_id,
        )
    )
    if link is None:
        raise NotFoundError(f"link {link_id} of objective {objective_id} does not exist")
    return link


def link_objective(
    session: Session, *, actor: Actor, objective_id: int, data: LinkCreate
) -> ObjectiveLink:
    """Link a feature or roadmap item to an objective, with a title snapshot and its effort.

    Raises:
        ConflictError: the item is already linked to this objective.
    """
    objective = get_objective(session, workspace_id=actor.workspace_id, objective_id=objective_id)
    kind = data.target_type.value
    if any(lk.target_type == kind and lk.target_id == data.target_id for lk in objective.links):
        raise ConflictError(f"{kind} {data.target_id} is already linked to this objective")
    link = ObjectiveLink(
        workspace_id=actor.workspace_id,
        objective_id=objective.id,
        target_type=kind,
        target_id=data.target_id,
        title=data.title,
        effort=data.effort,
    )
    objective.links.append(link)
    session.flush()
    _audit(
        session,
        actor,
        "link",
        "objective",
        objective.id,
        f"linked {kind} {data.target_id} to {objective.title!r}",
    )
    return link


def update_link(
    session: Session, *, actor: Actor, objective_id: int, link_id: int, data: LinkUpdate
) -> ObjectiveLink:
    """Change a link's title snapshot or planned effort."""
    link = get_link(
        session, workspace_id=actor.workspace_id, objective_id=objective_id, link_id=link_id
    )
    if data.title is not None:
        link.title = data.title
    if data.effort is not None:
        link.effort = data.effort
    _audit(session, actor, "update", "objective_link", link.id, f"updated link {link.id}")
    session.flush()
    return link


def unlink_objective(session: Session, *, actor: Actor, objective_id: int, link_id: int) -> None:
    """Remove a link from an objective."""
    link = get_link(
        session, workspace_id=actor.workspace_id, objective_id=objective_id, link_id=link_id
    )
    session.delete(link)
    _audit(
        session,
        actor,
        "unlink",
        "objective",
        objective_id,
        f"unlinked {link.target_type} {link.target_id}",
    )
    session.flush()


# --- investment mix ----------------------------------------------------------------------


@dataclass(frozen=True)
class InvestmentLine:
    """One objective's target share of investment and the effort planned on its links."""

    objective: Objective
    target_pct: float | None
    planned_effort: float
    planned_pct: float | None


def set_investment_mix(session: Session, *, actor: Actor, data: InvestmentMix) -> list[Objective]:
    """Set the target investment shares of a period's objectives (they must add up to 100).

    Objectives of the period left out of the mix get 0 %.

    Raises:
        InvalidInputError: an objective is unknown or of another period, listed twice, or the
            percentages do not add up to 100. Every problem is reported, and nothing is saved.
    """
    objectives = list_objectives(session, workspace_id=actor.workspace_id, period=data.period)
    if not objectives:
        raise InvalidInputError.single(
            ("period",), f"period {data.period!r} has no objectives in this workspace"
        )
    by_id = {o.id: o for o in objectives}
    problems = ProblemCollector()
    seen: set[int] = set()
    for i, item in enumerate(data.items):
        if item.objective_id not in by_id:
            problems.add(
                ("items", i, "objective_id"),
                f"objective {item.objective_id} is not an objective of period {data.period}",
                "unknown_objective",
            )
        if item.objective_id in seen:
            problems.add(
                ("items", i, "objective_id"),
                f"objective {item.objective_id} is listed twice",
                "duplicate",
            )
        seen.add(item.objective_id)
    problem = mix_problem([item.percent for item in data.items])
    if problem:
        problems.add(("items",), problem, "mix_total")
    problems.raise_if_any("the investment mix is not valid")
    shares = {item.objective_id: item.percent for item in data.items}
    for objective in objectives:
        objective.investment_pct = shares.get(objective.id, 0.0)
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="update",
        object_type="investment_mix",
        object_id=data.period,
        summary=f"set the investment mix of {data.period}",
        changes={str(k): v for k, v in shares.items()},
    )
    session.flush()
    return objectives


def investment_of(session: Session, *, workspace_id: int, period: str) -> list[InvestmentLine]:
    """Return each objective of the period with its target and planned investment."""
    objectives = list_objectives(session, workspace_id=workspace_id, period=period)
    efforts = [sum(link.effort for link in o.links) for o in objectives]
    shares = planned_shares(efforts)
    return [
        InvestmentLine(o, o.investment_pct, effort, share)
        for o, effort, share in zip(objectives, efforts, shares, strict=True)
    ]


def _audit(
    session: Session, actor: Actor, action: str, object_type: str, object_id: int, summary: str
) -> None:
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary,
    )
