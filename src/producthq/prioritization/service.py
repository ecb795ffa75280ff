"""Use cases of prioritisation in a workspace: estimates, evidence, ranking, what-if, poker.

The computing is done by the pure modules (``uncertainty``, ``weights``, ``evidence``,
``poker``); this module loads the rows they need and shapes the results. Functions flush, never
commit: the caller's unit of work commits once.
"""

import gc
import math
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Literal, NamedTuple

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from producthq.audit.service import Actor, record
from producthq.catalog import service as catalog
from producthq.catalog.schemas import FeatureFilter
from producthq.db import utcnow
from producthq.errors import ConflictError, InvalidInputError, NotFoundError
from producthq.feedback.models import Company, FeedbackItem, Highlight
from producthq.prioritization import frameworks, kano, kano_answers, poker
from producthq.prioritization.evidence import MOMENTUM_TEST, Evidence, Request, summarize
from producthq.prioritization.formula import WeightedScoring
from producthq.prioritization.models import FeatureEstimate, PokerSession, PokerVote
from producthq.prioritization.schemas import (
    EstimateSet,
    EvidenceSummary,
    FeatureInputs,
    FrameworkInfo,
    PokerRead,
    PokerStart,
    PokerVoteRead,
    RankingRead,
    RequestingCustomer,
)
from producthq.prioritization.scoring import Framework, InputSpec
from producthq.prioritization.uncertainty import Estimate, simulate, what_if
from producthq.prioritization.uncertainty import Feature as ScoringFeature
from producthq.prioritization.weights import reweight

MethodChoice = Literal["auto", "monte_carlo", "exact"]
EvidenceAttr = Literal["reach", "demand_k", "momentum"]
DERIVED: dict[tuple[str, str], str] = {
    ("rice", "reach"): "reach",
    ("opportunity", "demand"): "demand_k",
    ("opportunity", "momentum"): "momentum",
    **{("kano", c.value): "kano" for c in kano.KanoCategory},
}
"""Framework inputs derived from evidence: (framework, input) -> where the value comes from.

``reach``: unique requesting customers; ``demand_k``: their ARR in thousands; ``momentum``: the
request-trend factor; ``kano``: respondents per category from the stored Kano answers.
"""
MAX_DRAWS = 20_000


def get_framework(session: Session, *, workspace_id: int, slug: str) -> Framework:
    """Return a framework of the workspace's registry (built-ins and user-defined ones).

    Raises:
        InvalidInputError: no framework has this slug.
    """
    registry = frameworks.registry_for(session, workspace_id=workspace_id)
    if slug not in registry:
        raise InvalidInputError.single(
            ("framework",),
            f"unknown framework {slug!r}; choose one of {', '.join(registry.slugs())}",
            "unknown_framework",
        )
    return registry.get(slug)


def list_frameworks(session: Session, *, workspace_id: int) -> list[FrameworkInfo]:
    """Describe every framework of the workspace, its inputs and whether it has weights."""
    out = []
    ids = frameworks.user_framework_ids(session, workspace_id=workspace_id)
    for fw in frameworks.registry_for(session, workspace_id=workspace_id):
        has_weights = (
            fw.log_exponents is not None
            or fw.slug in ("wsjf", "ice_mean")
            or isinstance(fw, WeightedScoring)
        )
        out.append(
            FrameworkInfo(
                slug=fw.slug,
                title=fw.title,
                inputs=[
                    {
                        "name": s.name,
                        "description": s.description,
                        "higher_is_better": s.higher_is_better,
                        "minimum": s.minimum,
                        "maximum": s.maximum,
                    }
                    for s in fw.inputs
                ],
                weights=has_weights,
                default_weights=(
                    fw.weights
                    if isinstance(fw, WeightedScoring)
                    else {s.name: 1.0 for s in fw.inputs}
                ),
                derived_inputs=[i for (f, i) in DERIVED if f == fw.slug],
                user_defined=fw.slug in ids,
                id=ids.get(fw.slug),
            )
        )
    return out


def _spec(framework: Framework, name: str) -> InputSpec:
    for spec in framework.inputs:
        if spec.name == name:
            return spec
    names = ", ".join(s.name for s in framework.inputs)
    raise InvalidInputError.single(
        ("input",), f"{framework.slug} has no input {name!r}; inputs: {names}", "unknown_input"
    )


# --- estimates ---------------------------------------------------------------------------


def store_estimate(
    session: Session,
    *,
    workspace_id: int,
    feature_id: int,
    framework: str,
    input_name: str,
    estimate: Estimate,
    note: str = "",
) -> FeatureEstimate:
    """Insert or replace one stored estimate (no validation; callers check the input)."""
    row = session.scalar(
        select(FeatureEstimate).where(
            FeatureEstimate.feature_id == feature_id,
            FeatureEstimate.framework == framework,
            FeatureEstimate.input == input_name,
        )
    )
    if row is None:
        row = FeatureEstimate(
            workspace_id=workspace_id,
            feature_id=feature_id,
            framework=framework,
            input=input_name,
        )
        session.add(row)
    row.low, row.high, row.confidence, row.note = (
        estimate.low,
        estimate.high,
        estimate.confidence,
        note,
    )
    session.flush()
    return row


def add_new_estimates(
    session: Session,
    *,
    workspace_id: int,
    estimates: Sequence[tuple[int, str, str, Estimate]],
) -> int:
    """Bulk-insert estimates of features that have none yet (an import's new features).

    Args:
        session: The unit of work.
        workspace_id: The features' workspace.
        estimates: ``(feature_id, framework, input, estimate)``, validated by the caller.

    Returns:
        How many rows were written.
    """
    now = utcnow()
    rows = [
        {
            "workspace_id": workspace_id,
            "feature_id": fid,
            "framework": fw,
            "input": name,
            "low": e.low,
            "high": e.high,
            "confidence": e.confidence,
            "note": "",
            "created_at": now,
            "updated_at": now,
        }
        for fid, fw, name, e in estimates
    ]
    for start in range(0, len(rows), 1000):
        session.execute(insert(FeatureEstimate), rows[start : start + 1000])
    session.flush()
    return len(rows)


def set_estimate(
    session: Session,
    *,
    actor: Actor,
    feature_id: int,
    framework: str,
    input_name: str,
    data: EstimateSet,
) -> FeatureInputs:
    """Set a feature's estimate of one input (an override when evidence derives the input).

    Raises:
        NotFoundError: the feature does not exist.
        InvalidInputError: unknown framework or input, or a value out of the input's range.
    """
    ws = actor.workspace_id
    feature = catalog.get_feature(session, workspace_id=ws, feature_id=feature_id)
    fw = get_framework(session, workspace_id=ws, slug=framework)
    spec = _spec(fw, input_name)
    high = data.low if data.high is None else data.high
    for name, value in (("low", data.low), ("high", high)):
        problem = spec.problem(value)
        if problem:
            raise InvalidInputError.single((name,), problem, "out_of_range")
    est = Estimate(data.low, high, data.confidence)
    store_estimate(
        session,
        workspace_id=ws,
        feature_id=feature.id,
        framework=fw.slug,
        input_name=spec.name,
        estimate=est,
        note=data.note,
    )
    record(
        session,
        actor=actor,
        workspace_id=ws,
        action="estimate",
        object_type="feature",
        object_id=feature.id,
        summary=f"set {fw.slug} {spec.name} of {feature.title} to {est}"[:300],
    )
    return feature_inputs(session, workspace_id=ws, feature_id=feature.id, framework=fw.slug)


def delete_estimate(
    session: Session, *, actor: Actor, feature_id: int, framework: str, input_name: str
) -> FeatureInputs:
    """Remove a stored estimate (a derived input falls back to its evidence)."""
    ws = actor.workspace_id
    feature = catalog.get_feature(session, workspace_id=ws, feature_id=feature_id)
    fw = get_framework(session, workspace_id=ws, slug=framework)
    spec = _spec(fw, input_name)
    row = session.scalar(
        select(FeatureEstimate).where(
            FeatureEstimate.feature_id == feature.id,
            FeatureEstimate.framework == fw.slug,
            FeatureEstimate.input == spec.name,
        )
    )
    if row is None:
        raise NotFoundError(f"feature {feature_id} has no {fw.slug} {spec.name} estimate")
    session.delete(row)
    session.flush()
    return feature_inputs(session, workspace_id=ws, feature_id=feature.id, framework=fw.slug)


class StoredValue(NamedTuple):
    """The columns of a stored estimate the ranking needs (plain rows, no ORM objects)."""

    feature_id: int
    input: str
    low: float
    high: float
    confidence: float
    note: str
    updated_at: datetime | None = None


def _stored_values(
    session: Session,
    workspace_id: int,
    feature_ids: Iterable[int] | None,
    framework: str,
    *,
    with_times: bool = False,
) -> list[StoredValue]:
    columns = [
        FeatureEstimate.feature_id,
        FeatureEstimate.input,
        FeatureEstimate.low,
        FeatureEstimate.high,
        FeatureEstimate.confidence,
        FeatureEstimate.note,
    ]
    if with_times:
        columns.append(FeatureEstimate.updated_at)
    query = select(*columns).where(
        FeatureEstimate.workspace_id == workspace_id, FeatureEstimate.framework == framework
    )
    if feature_ids is not None:
        query = query.where(FeatureEstimate.feature_id.in_(list(feature_ids) or [-1]))
    return [StoredValue(*row) for row in session.execute(query)]


def _stored(
    session: Session, workspace_id: int, feature_ids: Iterable[int] | None, framework: str | None
) -> list[FeatureEstimate]:
    query = select(FeatureEstimate).where(FeatureEstimate.workspace_id == workspace_id)
    if feature_ids is not None:
        query = query.where(FeatureEstimate.feature_id.in_(list(feature_ids) or [-1]))
    if framework is not None:
        query = query.where(FeatureEstimate.framework == framework)
    return list(session.scalars(query.order_by(FeatureEstimate.id)))


def estimates_by_feature(
    session: Session, *, workspace_id: int, feature_ids: Iterable[int]
) -> dict[int, dict[str, str]]:
    """Return stored estimates as text per feature: ``{id: {"rice.reach": "200..800@0.8"}}``."""
    out: dict[int, dict[str, str]] = {}
    for row in _stored(session, workspace_id, feature_ids, None):
        out.setdefault(row.feature_id, {})[f"{row.framework}.{row.input}"] = str(
            Estimate(row.low, row.high, row.confidence)
        )
    return out


# --- evidence ----------------------------------------------------------------------------


def requests_by_feature(
    session: Session, *, workspace_id: int, feature_ids: Iterable[int] | None = None
) -> dict[int, list[Request]]:
    """Return each feature's requests (highlighted feedback items) with company and ARR."""
    query = (
        select(
            Highlight.feature_id,
            FeedbackItem.id,
            FeedbackItem.occurred_at,
            FeedbackItem.company_id,
            FeedbackItem.person_id,
            Company.segment,
            Company.arr,
            Company.name,
        )
        .join(FeedbackItem, FeedbackItem.id == Highlight.feedback_item_id)
        .outerjoin(Company, Company.id == FeedbackItem.company_id)
        .where(Highlight.workspace_id == workspace_id)
    )
    if feature_ids is not None:
        query = query.where(Highlight.feature_id.in_(list(feature_ids) or [-1]))
    out: dict[int, list[Request]] = {}
    for fid, item_id, occurred, company_id, person_id, segment, arr, name in session.execute(query):
        out.setdefault(fid, []).append(
            Request(item_id, occurred, company_id, person_id, segment, arr, name)
        )
    return out


def _summary(feature_id: int, e: Evidence) -> EvidenceSummary:
    return EvidenceSummary(
        feature_id=feature_id,
        requests=e.requests,
        reach=e.reach,
        people=e.people,
        companies=e.companies,
        demand=e.demand,
        arr_unknown=e.arr_unknown,
        segments=list(e.segments),
        months=list(e.months),
        monthly=list(e.monthly),
        slope=round(e.slope, 4),
        trend=e.trend,
        recent=e.recent,
        earlier=e.earlier,
        momentum=round(e.momentum, 4),
        p_value=e.p_value,
        trend_test=MOMENTUM_TEST,
        customers=[
            RequestingCustomer(
                company_id=c.company_id,
                name=c.name,
                segment=c.segment,
                arr=c.arr,
                requests=c.requests,
            )
            for c in e.customers
        ],
    )


def feature_evidence(session: Session, *, workspace_id: int, feature_id: int) -> EvidenceSummary:
    """Summarise the linked feedback of a feature: reach, demand, customers, segments, trend."""
    feature = catalog.get_feature(session, workspace_id=workspace_id, feature_id=feature_id)
    reqs = requests_by_feature(session, workspace_id=workspace_id, feature_ids=[feature.id])
    return _summary(feature.id, summarize(reqs.get(feature.id, []), now=utcnow()))


# --- inputs of a feature -----------------------------------------------------------------


def _evidence_value(attr: str, evidence: Evidence | None) -> float | None:
    """The value evidence gives an input, or ``None`` when the evidence says nothing."""
    if evidence is None or evidence.requests == 0:
        return None
    if attr == "reach":
        return float(evidence.reach) if evidence.reach > 0 else None
    if attr == "demand_k":
        return evidence.demand / 1000.0 if evidence.demand > 0 else None
    return float(evidence.momentum)


class _Derivations:
    """Everything the derived inputs of one framework need, loaded in one query per source."""

    def __init__(
        self,
        session: Session,
        workspace_id: int,
        framework: str,
        feature_ids: Iterable[int] | None,
    ) -> None:
        sources = {src for (fw, _i), src in DERIVED.items() if fw == framework}
        self.framework = framework
        self.evidence: dict[int, Evidence] = {}
        self.kano: dict[int, dict[str, float]] = {}
        ids = list(feature_ids) if feature_ids is not None else None
        if sources - {"kano"}:
            now = utcnow()
            reqs = requests_by_feature(session, workspace_id=workspace_id, feature_ids=ids)
            self.evidence = {fid: summarize(rs, now=now) for fid, rs in reqs.items()}
        if "kano" in sources:
            self.kano = kano_answers.kano_counts(
                session, workspace_id=workspace_id, feature_ids=ids
            )

    def of(self, feature_id: int) -> dict[str, float]:
        """Derived input name -> value for one feature (inputs without evidence left out)."""
        out: dict[str, float] = {}
        counts = self.kano.get(feature_id)
        evidence = self.evidence.get(feature_id)
        for (fw, name), src in DERIVED.items():
            if fw != self.framework:
                continue
            if src == "kano":
                if counts is not None:
                    out[name] = counts[name]
                continue
            value = _evidence_value(src, evidence)
            if value is not None:
                out[name] = value
        return out


def _median(low: float, high: float) -> float:
    if low == high:
        return low
    return math.sqrt(low) * math.sqrt(high) if low > 0 else (low + high) / 2.0


def _values(
    fw: Framework, stored: Mapping[str, StoredValue], derived: Mapping[str, float]
) -> dict[str, dict[str, Any]]:
    """Each input's value as a plain dict in the shape of ``InputValue`` (validated once)."""
    out: dict[str, dict[str, Any]] = {}
    for spec in fw.inputs:
        name = spec.name
        value = derived.get(name)
        row = stored.get(name)
        entry: dict[str, Any] = {"input": name, "description": spec.description}
        if row is not None:
            entry.update(
                source="override" if value is not None else "manual",
                low=row.low,
                high=row.high,
                confidence=row.confidence,
                median=_median(row.low, row.high),
                derived=value,
                note=row.note,
                updated_at=row.updated_at,
            )
        elif value is not None:
            entry.update(source="evidence", low=value, high=value, median=value, derived=value)
        elif spec.default is not None:
            d = spec.default
            entry.update(source="default", low=d, high=d, median=d)
        else:
            entry["source"] = "missing"
        out[name] = entry
    return out


def feature_inputs(
    session: Session, *, workspace_id: int, feature_id: int, framework: str
) -> FeatureInputs:
    """Return every input of a framework for a feature, with where each value comes from."""
    feature = catalog.get_feature(session, workspace_id=workspace_id, feature_id=feature_id)
    fw = get_framework(session, workspace_id=workspace_id, slug=framework)
    rows = _stored_values(session, workspace_id, [feature.id], fw.slug, with_times=True)
    stored = {r.input: r for r in rows}
    derived = _Derivations(session, workspace_id, fw.slug, [feature.id]).of(feature.id)
    values = _values(fw, stored, derived)
    return FeatureInputs.model_validate(
        {"feature_id": feature.id, "framework": fw.slug, "inputs": list(values.values())}
    )


# --- ranking -----------------------------------------------------------------------------


def _estimate_of(value: Mapping[str, Any]) -> Estimate | None:
    low, high = value.get("low"), value.get("high")
    if low is None or high is None:
        return None
    if low == high:
        return Estimate.point(low)
    return Estimate.between(low, high, value.get("confidence") or 0.9)


@contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Hold off the cyclic garbage collector while a ranking builds its rows.

    A ranking of 1,000 features allocates tens of thousands of small acyclic objects (rows,
    inputs, estimates), which reference counting frees. In a server process holding some
    400,000 long-lived objects, those allocations trigger full collections that cost more
    than the ranking itself (measured: 120 ms of CPU became 120-540 ms). Collection resumes
    afterwards; if it was already off (another ranking in progress), it is left to that one.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check_rank_args(top: int, draws: int) -> None:
    if not 1 <= top <= 1000:
        raise InvalidInputError.single(("top",), "top must be between 1 and 1000")
    if not 100 <= draws <= MAX_DRAWS:
        raise InvalidInputError.single(("draws",), f"draws must be between 100 and {MAX_DRAWS}")


def rank_features(
    session: Session,
    *,
    workspace_id: int,
    framework: str = "rice",
    filters: FeatureFilter | None = None,
    top: int = 10,
    draws: int = 2000,
    seed: int = 0,
    interval: float = 0.9,
    method: MethodChoice = "auto",
    weights: Mapping[str, float] | None = None,
) -> RankingRead:
    """Rank the workspace's features with a framework, as distributions.

    Each feature's inputs come from its stored estimates, else evidence (RICE reach, the
    opportunity framework's demand and momentum, Kano answers), else the input's default;
    features missing an input are listed in ``unscored``. With ``weights``, the ranking uses
    the reweighted framework and each row says how far it moved from the ranking at the
    medians with the framework's own weights (the what-if).

    The rows are loaded with one query per source (features, estimates, evidence) and built
    as plain dicts validated once into the result, which keeps a re-rank of 1,000 features
    interactive.

    Raises:
        InvalidInputError: unknown framework, bad weights, or arguments out of range.
    """
    with _no_gc_pauses():
        return _rank(
            session,
            workspace_id=workspace_id,
            framework=framework,
            filters=filters,
            top=top,
            draws=draws,
            seed=seed,
            interval=interval,
            method=method,
            weights=weights,
        )


def _rank(  # noqa: C901 - loading, scoring and shaping in one readable pass
    session: Session,
    *,
    workspace_id: int,
    framework: str,
    filters: FeatureFilter | None,
    top: int,
    draws: int,
    seed: int,
    interval: float,
    method: MethodChoice,
    weights: Mapping[str, float] | None,
) -> RankingRead:
    started = time.perf_counter()
    base = get_framework(session, workspace_id=workspace_id, slug=framework)
    chosen = reweight(base, weights or {})
    _check_rank_args(top, draws)
    features = catalog.filter_feature_rows(session, workspace_id=workspace_id, filters=filters)
    ids = [f[0] for f in features] if filters else None
    stored: dict[int, dict[str, StoredValue]] = {}
    for row in _stored_values(session, workspace_id, ids, base.slug):
        stored.setdefault(row.feature_id, {})[row.input] = row
    derivations = _Derivations(session, workspace_id, base.slug, ids)
    scorable: list[ScoringFeature] = []
    by_name: dict[str, tuple[tuple[int, str, str], dict[str, dict[str, Any]]]] = {}
    unscored: list[dict[str, Any]] = []
    empty: dict[str, StoredValue] = {}
    for f in features:
        fid = f[0]
        values = _values(base, stored.get(fid, empty), derivations.of(fid))
        missing = [k for k, v in values.items() if v["source"] == "missing"]
        if missing:
            unscored.append({"feature_id": fid, "title": f[1], "missing": missing})
            continue
        ests = {k: e for k, v in values.items() if (e := _estimate_of(v)) is not None}
        name = str(fid)
        scorable.append(ScoringFeature(name, ests))
        by_name[name] = (f, values)
    rows: list[dict[str, Any]] = []
    used: str = "monte_carlo" if method == "monte_carlo" else "exact"
    if scorable:
        if method == "auto":
            used = "exact" if _exact_applies(chosen, scorable) else "monte_carlo"
        ranking = simulate(
            chosen,
            scorable,
            draws=draws,
            seed=seed,
            interval=interval,
            top=min(top, len(scorable)),
            method="exact" if used == "exact" else "monte_carlo",
        )
        moves = {}
        if chosen is not base:
            moves = {m.name: m for m in what_if(scorable, base, chosen)}
        for s in ranking.features:
            (fid, title, status), values = by_name[s.name]
            move = moves.get(s.name)
            rows.append(
                {
                    "feature_id": fid,
                    "title": title,
                    "status": status,
                    "rank": s.rank,
                    "median": s.median,
                    "low": s.low,
                    "high": s.high,
                    "p_top": s.p_top,
                    "driver": s.driver,
                    "rank_swing": s.rank_swing,
                    "label": s.label,
                    "rank_before": move.rank_before if move else None,
                    "places_up": move.places_up if move else None,
                    "worse": _kano_worse(values) if base.slug == "kano" else None,
                    "inputs": values,
                }
            )
    return RankingRead.model_validate(
        {
            "framework": base.slug,
            "method": used,
            "draws": draws,
            "interval": interval,
            "top": top,
            "weights": {k: float(v) for k, v in (weights or {}).items()},
            "rows": rows,
            "unscored": unscored,
            "elapsed_ms": round(1000 * (time.perf_counter() - started), 1),
        }
    )


def _kano_worse(values: Mapping[str, Mapping[str, Any]]) -> float:
    a, o, m, i = (
        np.array(values[c.value]["median"] or 0.0)
        for c in (
            kano.KanoCategory.attractive,
            kano.KanoCategory.one_dimensional,
            kano.KanoCategory.must_be,
            kano.KanoCategory.indifferent,
        )
    )
    return float(kano.worse_coefficient(a, o, m, i))


def _exact_applies(fw: Framework, features: list[ScoringFeature]) -> bool:
    if fw.log_exponents is None:
        return False
    return all(e.kind != "normal" for f in features for e in f.estimates.values())


# --- priority poker ----------------------------------------------------------------------


def _round(session: Session, workspace_id: int, round_id: int) -> PokerSession:
    row = session.scalar(
        select(PokerSession).where(
            PokerSession.id == round_id, PokerSession.workspace_id == workspace_id
        )
    )
    if row is None:
        raise NotFoundError(f"poker round {round_id} does not exist")
    return row


def start_poker(session: Session, *, actor: Actor, feature_id: int, data: PokerStart) -> PokerRead:
    """Open a priority-poker round on one input of one feature."""
    ws = actor.workspace_id
    feature = catalog.get_feature(session, workspace_id=ws, feature_id=feature_id)
    fw = get_framework(session, workspace_id=ws, slug=data.framework)
    spec = _spec(fw, data.input)
    row = PokerSession(
        workspace_id=ws, feature_id=feature.id, framework=fw.slug, input=spec.name, revealed=False
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=ws,
        action="create",
        object_type="poker_round",
        object_id=row.id,
        summary=f"poker on {spec.name} of {feature.title}"[:300],
    )
    return poker_view(session, actor=actor, round_id=row.id)


def _pure_round(session: Session, row: PokerSession) -> poker.PokerRound:
    votes = session.scalars(
        select(PokerVote).where(PokerVote.round_id == row.id).order_by(PokerVote.id)
    )
    return poker.PokerRound(
        f"{row.framework}.{row.input}",
        votes=tuple(poker.Vote(v.member, v.value) for v in votes),
        revealed=row.revealed,
    )


def poker_view(session: Session, *, actor: Actor, round_id: int) -> PokerRead:
    """What the actor may see of a round: only their own vote until it is revealed."""
    row = _round(session, actor.workspace_id, round_id)
    # A member is known by their user id; the label they voted under may differ (token, page).
    mine = session.scalar(
        select(PokerVote.member).where(
            PokerVote.round_id == row.id, PokerVote.user_id == actor.user_id
        )
    )
    view = _pure_round(session, row).view(mine or actor.label)
    result = view.result
    return PokerRead(
        id=row.id,
        feature_id=row.feature_id,
        framework=row.framework,
        input=row.input,
        revealed=view.revealed,
        voted=list(view.voted),
        own=view.own,
        votes=[PokerVoteRead(member=v.member, value=v.value) for v in view.votes],
        median=result.median if result else None,
        low=result.low if result else None,
        high=result.high if result else None,
        cv=result.cv if result else None,
        ratio=result.ratio if result else None,
        disagreement=result.disagreement if result else None,
        explain=list(result.explain) if result else [],
    )


def list_poker(session: Session, *, actor: Actor, feature_id: int) -> list[PokerRead]:
    """Return a feature's poker rounds, newest first, as the actor may see them."""
    feature = catalog.get_feature(session, workspace_id=actor.workspace_id, feature_id=feature_id)
    ids = session.scalars(
        select(PokerSession.id)
        .where(PokerSession.feature_id == feature.id)
        .order_by(PokerSession.id.desc())
    )
    return [poker_view(session, actor=actor, round_id=i) for i in ids]


def vote_poker(session: Session, *, actor: Actor, round_id: int, value: float) -> PokerRead:
    """Record or replace the actor's hidden estimate.

    Raises:
        ConflictError: the round is revealed.
        InvalidInputError: the value is out of the input's range.
    """
    row = _round(session, actor.workspace_id, round_id)
    _pure_round(session, row).submit(f"user {actor.user_id}", value)  # revealed or invalid
    fw = get_framework(session, workspace_id=actor.workspace_id, slug=row.framework)
    problem = _spec(fw, row.input).problem(value)
    if problem:
        raise InvalidInputError.single(("value",), problem, "out_of_range")
    vote = session.scalar(
        select(PokerVote).where(PokerVote.round_id == row.id, PokerVote.user_id == actor.user_id)
    )
    if vote is None:
        vote = PokerVote(
            workspace_id=actor.workspace_id,
            round_id=row.id,
            user_id=actor.user_id,
            member=actor.label,
            value=value,
        )
        session.add(vote)
    vote.value = value
    session.flush()
    return poker_view(session, actor=actor, round_id=row.id)


def reveal_poker(session: Session, *, actor: Actor, round_id: int) -> PokerRead:
    """Show every vote of a round, with the median and the disagreement."""
    row = _round(session, actor.workspace_id, round_id)
    _pure_round(session, row).reveal()  # raises when already revealed or empty
    row.revealed = True
    session.flush()
    return poker_view(session, actor=actor, round_id=row.id)


def apply_poker(session: Session, *, actor: Actor, round_id: int) -> FeatureInputs:
    """Store a revealed round's result as the feature's estimate (median, or low..high)."""
    row = _round(session, actor.workspace_id, round_id)
    if not row.revealed:
        raise ConflictError("reveal the round before using its result")
    pure = _pure_round(session, row)
    result = poker.aggregate(pure.votes)
    est = result.estimate()
    return set_estimate(
        session,
        actor=actor,
        feature_id=row.feature_id,
        framework=row.framework,
        input_name=row.input,
        data=EstimateSet(
            low=est.low,
            high=est.high,
            confidence=est.confidence,
            note=f"priority poker round {row.id}",
        ),
    )
