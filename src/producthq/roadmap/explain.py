"""Explaining a roadmap plan: binding capacity, marginal values, capacity what-ifs, comparisons.

Methods (all by re-solving the CP-SAT model of ``optimizer.py``, not by LP duals, because the
model is integer and LP shadow prices can be misleading there; see Williams, *Model Building in
Mathematical Programming*, 5th ed., section 6.2, on the limits of duals in integer models):

* **Binding constraints**: the team-periods whose used capacity is at least 99 % of what they
  have. Only those can limit the plan (a team-period with slack cannot gain from more).
* **Marginal value of a person-week**: for each binding team-period, the model is solved again
  with one more person-week there, starting from the current plan (a solution hint) under a
  short time limit. The marginal value is the new objective minus the old one. It is exact when
  both solves are optimal (``proven``); otherwise it is a lower bound on the true gain, because
  the hinted plan stays feasible with more capacity. When one person-week lets nothing in
  (common: features are bigger than that), the *next step* is tried too: the smallest extra
  capacity there that a left-out feature would need, and what it buys.
* **Capacity what-ifs**: every capacity is scaled by ``1 + X/100`` and ``1 - X/100``; the
  result lists the features that enter and those that drop.
* **Comparison**: two plans side by side, feature by feature (only in A, only in B, moved to
  another team or period, unchanged), with their objectives.

Example:
    >>> from producthq.roadmap.scenario import parse_scenario
    >>> from producthq.roadmap.optimizer import optimize
    >>> s = parse_scenario({"periods": ["Q1"], "teams": [{"id": "t", "capacity": 4}],
    ...     "features": [{"id": "a", "value": 3, "effort": {"t": 4}}]})
    >>> [(b.team, b.period) for b in binding_constraints(s, optimize(s))]
    [('t', 'Q1')]
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from producthq.roadmap.optimizer import ProgressFn, SolveOptions, optimize
from producthq.roadmap.scenario import Plan, PlanStatus, Scenario

BINDING_SHARE = 0.99


@dataclass(frozen=True)
class Binding:
    """A team-period whose capacity is (nearly) used up."""

    team: str
    period: str
    used: float
    capacity: float
    utilisation: float


@dataclass(frozen=True)
class MarginalValue:
    """Value gained by one more person-week for a team in a period."""

    team: str
    period: str
    value_per_person_week: float
    proven: bool
    entered: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    next_step: float | None = None
    next_step_value: float | None = None
    next_step_entered: tuple[str, ...] = ()


@dataclass(frozen=True)
class CapacityChange:
    """What happens when every capacity changes by ``percent`` %."""

    percent: float
    status: str
    objective: float
    gap: float
    entered: tuple[str, ...]
    dropped: tuple[str, ...]


@dataclass(frozen=True)
class Explanation:
    """Everything ``explain`` finds about a plan."""

    binding: tuple[Binding, ...]
    marginal_values: tuple[MarginalValue, ...]
    capacity_changes: tuple[CapacityChange, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the explanation in its JSON shape (see docs/roadmap-optimizer.md)."""
        return _jsonable(asdict(self))


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """Tuples become lists, as they would after a JSON round trip."""
    out: dict[str, Any] = json.loads(json.dumps(data))
    return out


def binding_constraints(
    scenario: Scenario, plan: Plan, share: float = BINDING_SHARE
) -> list[Binding]:
    """Return the team-periods using at least ``share`` of a positive capacity."""
    out = []
    for (team, p), used in plan.usage(scenario).items():
        cap = scenario.team_by_id[team].capacity[p]
        if cap > 0 and used >= share * cap:
            out.append(Binding(team, scenario.periods[p], used, cap, used / cap))
    return out


def _diff(base: Plan, other: Plan) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Features that enter and that drop going from ``base`` to ``other``."""
    before, after = base.chosen_ids, other.chosen_ids
    return tuple(sorted(after - before)), tuple(sorted(before - after))


def marginal_values(
    scenario: Scenario,
    plan: Plan,
    *,
    binding: list[Binding] | None = None,
    time_limit: float = 2.0,
    amount: float = 1.0,
    progress: ProgressFn | None = None,
) -> list[MarginalValue]:
    """Re-solve with ``amount`` more person-weeks in each binding team-period.

    Args:
        scenario: The scenario ``plan`` answers.
        plan: The base plan (its features are the hint of every re-solve).
        binding: Team-periods to try; defaults to ``binding_constraints(scenario, plan)``.
        time_limit: Seconds per re-solve.
        amount: Extra person-weeks.
        progress: Called with ``(percent, message)`` after each re-solve.
    """
    rows = binding if binding is not None else binding_constraints(scenario, plan)
    out = []
    for i, b in enumerate(rows):
        period = scenario.periods.index(b.period)
        richer = scenario.with_extra_capacity(b.team, period, amount)
        new = optimize(richer, SolveOptions(time_limit=time_limit), hint=plan)
        entered, dropped = _diff(plan, new)
        proven = plan.status == PlanStatus.OPTIMAL and new.status == PlanStatus.OPTIMAL
        gain = max(0.0, new.objective - plan.objective) / amount
        row = MarginalValue(b.team, b.period, gain, proven, entered, dropped)
        step = next_step(scenario, plan, b.team, period) if gain == 0 else None
        if step is not None and step > amount:
            more = scenario.with_extra_capacity(b.team, period, step)
            bigger = optimize(more, SolveOptions(time_limit=time_limit), hint=plan)
            row = replace(
                row,
                next_step=step,
                next_step_value=max(0.0, bigger.objective - plan.objective),
                next_step_entered=_diff(plan, bigger)[0],
            )
        out.append(row)
        if progress:
            progress(round(100 * (i + 1) / len(rows)), f"{b.team} in {b.period}: +{gain:g}")
    return out


def next_step(scenario: Scenario, plan: Plan, team: str, period: int) -> float | None:
    """Return the smallest extra capacity of ``team`` in ``period`` a left-out feature needs.

    For each feature the plan leaves out that ``team`` can do and that may run in ``period``,
    its load per period (effort / duration) minus the capacity left there; the smallest,
    rounded up to half a person-week. ``None`` if no left-out feature could use it. A feature
    spanning several periods may need capacity in the others too, so the re-solve decides.

    Example:
        >>> from producthq.roadmap.scenario import parse_scenario
        >>> from producthq.roadmap.optimizer import optimize
        >>> s = parse_scenario({"periods": ["Q1"], "teams": [{"id": "t", "capacity": 5}],
        ...     "features": [{"id": "a", "value": 3, "effort": {"t": 4}},
        ...                  {"id": "b", "value": 9, "effort": {"t": 6}}]})
        >>> next_step(s, optimize(s), "t", 0)  # "a" uses 4 of 5; "b" needs 6, so 5 more
        5.0
    """
    n = len(scenario.periods)
    used = plan.usage(scenario).get((team, period), 0.0)
    free = scenario.team_by_id[team].capacity[period] - used
    needs = []
    for f in scenario.features:
        if f.id in plan.chosen_ids or team not in f.effort:
            continue
        if f.earliest_start <= period <= f.latest_end(n):
            needs.append(f.effort[team] / f.duration - free)
    if not needs:
        return None
    return max(0.5, math.ceil(2 * min(needs) - 1e-9) / 2)


def capacity_change(
    scenario: Scenario, plan: Plan, percent: float, *, time_limit: float = 5.0
) -> CapacityChange:
    """Re-solve with every capacity scaled by ``1 + percent/100``; list what enters and drops."""
    changed = scenario.scaled_capacity(1 + percent / 100)
    new = optimize(changed, SolveOptions(time_limit=time_limit), hint=plan)
    entered, dropped = _diff(plan, new)
    if new.status in (PlanStatus.INFEASIBLE, PlanStatus.UNKNOWN):
        entered, dropped = (), ()  # no plan to compare with; the status says why
    return CapacityChange(
        float(percent), new.status.value, new.objective, new.gap, entered, dropped
    )


def explain(
    scenario: Scenario,
    plan: Plan,
    *,
    percent: float = 10.0,
    time_limit: float = 2.0,
    progress: ProgressFn | None = None,
) -> Explanation:
    """Binding constraints, marginal values and the +-``percent`` % capacity what-ifs."""
    binding = binding_constraints(scenario, plan)

    def margin_progress(pct: int, message: str) -> None:
        if progress:
            progress(round(0.8 * pct), f"one more person-week: {message}")

    margins = marginal_values(
        scenario, plan, binding=binding, time_limit=time_limit, progress=margin_progress
    )
    if progress:
        progress(80, "capacity what-ifs")
    changes = tuple(
        capacity_change(scenario, plan, p, time_limit=time_limit) for p in (percent, -percent)
    )
    if progress:
        progress(100, "explained")
    return Explanation(tuple(binding), tuple(margins), changes)


ChangeKind = Literal["only_a", "only_b", "moved", "same", "neither"]


@dataclass(frozen=True)
class FeatureComparison:
    """One feature in two plans; ``where_*`` reads ``team@start..end`` or ``-``."""

    feature_id: str
    change: ChangeKind
    where_a: str
    where_b: str
    value: float


@dataclass(frozen=True)
class Comparison:
    """Two plans side by side."""

    label_a: str
    label_b: str
    objective_a: float
    objective_b: float
    features: tuple[FeatureComparison, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """Return the comparison as JSON-ready data."""
        return _jsonable(asdict(self))


def _where(plan: Plan, fid: str) -> str:
    a = plan.by_feature.get(fid)
    if a is None or not a.chosen or a.start is None or a.end is None:
        return "-"
    span = (
        plan.periods[a.start]
        if a.start == a.end
        else (f"{plan.periods[a.start]}..{plan.periods[a.end]}")
    )
    return f"{a.team}@{span}"


def compare_plans(a: Plan, b: Plan, label_a: str = "A", label_b: str = "B") -> Comparison:
    """Compare two plans feature by feature (features missing from one count as not chosen).

    Example:
        >>> from producthq.roadmap.scenario import Assignment
        >>> p = lambda *xs: Plan(("Q1",), PlanStatus.OPTIMAL, 1, 1, 0, tuple(xs))
        >>> c = compare_plans(p(Assignment("x", True, "t", 0, 0, 1.0)), p(Assignment("x", False)))
        >>> c.features[0].change, c.features[0].where_a
        ('only_a', 't@Q1')
    """
    ids = list(a.by_feature) + [fid for fid in b.by_feature if fid not in a.by_feature]
    rows = []
    for fid in ids:
        wa, wb = _where(a, fid), _where(b, fid)
        kind: ChangeKind
        if wa == "-" and wb == "-":
            kind = "neither"
        elif wb == "-":
            kind = "only_a"
        elif wa == "-":
            kind = "only_b"
        else:
            kind = "same" if wa == wb else "moved"
        value = (a.by_feature.get(fid) or b.by_feature[fid]).value
        rows.append(FeatureComparison(fid, kind, wa, wb, value))
    return Comparison(label_a, label_b, a.objective, b.objective, tuple(rows))
