"""Capacity-aware roadmap optimiser: a time-indexed 0/1 model solved with OR-Tools CP-SAT.

Method. One Boolean ``x[f, t, s]`` per feature ``f``, eligible team ``t`` and allowed start
period ``s`` (OR-Tools CP-SAT, https://developers.google.com/optimization/cp/cp_solver;
parameters in ``ortools/sat/sat_parameters.proto``). Constraints:

* each feature is done at most once (exactly once if committed, restricted to the committed
  team and start when given): ``sum_{t,s} x[f,t,s] <= 1``;
* starts are restricted to ``earliest_start <= s`` and ``s + duration - 1 <= deadline`` (or the
  last period);
* capacity: for every team ``t`` and period ``p``,
  ``sum_{f, s <= p <= s+d_f-1} effort[f,t] / d_f * x[f,t,s] <= capacity[t,p]``. A feature that
  spans ``d`` periods consumes ``effort / d`` person-weeks of its team in each of them (an even
  split, chosen so that a plan is easy to read and to check);
* dependency "B after A" in the strong time-indexed form: for every period ``q``,
  ``sum_{s <= q} y[B,s] <= sum_{s' + d_A - 1 <= q - 1} y[A,s']`` with ``y[f,s] = sum_t x[f,t,s]``.
  If B starts by ``q`` then A has ended before ``q``; it implies "B chosen => A chosen";

and the objective maximises the total value of the chosen features.

Integer scaling. CP-SAT needs integer coefficients. Efforts are rounded *up* and capacities
*down* to 1/100 person-week, and the capacity rows are multiplied by the least common multiple
of the durations so ``effort / d`` stays exact; so any plan the model accepts is feasible for
the unrounded data. Values are rounded to 1/1000; the reported objective is the exact sum of the
chosen features' values.

Search. The greedy baseline's plan (``greedy.py``) is given as a solution hint, so the solver
starts from a feasible plan. The solver runs on 2 workers with a time limit; on a limit it
returns the best plan found with its proven bound and gap ``(bound - objective) / objective``.
If it finds no plan at all but the greedy one is feasible, the greedy plan is returned with the
solver's bound. Progress is reported through a callback fed by a ``CpSolverSolutionCallback``
and the solver's best-bound callback.

Assumptions: values are additive (no interactions between features), effort is fixed per team,
a feature is done by exactly one team, and capacity is independent per period (no carry-over).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ortools.sat.python import cp_model

from producthq.roadmap.greedy import greedy_plan
from producthq.roadmap.scenario import (
    Assignment,
    Feature,
    Plan,
    PlanStatus,
    Scenario,
    relative_gap,
)

ProgressFn = Callable[[int, str], None]

VALUE_SCALE = 1000  # the objective counts value in 1/1000 units

_STATUS = {
    cp_model.OPTIMAL: PlanStatus.OPTIMAL,
    cp_model.FEASIBLE: PlanStatus.FEASIBLE,
    cp_model.INFEASIBLE: PlanStatus.INFEASIBLE,
}


@dataclass(frozen=True)
class SolveOptions:
    """Solver settings.

    Attributes:
        time_limit: Wall-clock seconds before the solver stops with its best plan.
        gap_limit: Stop as soon as the proven relative gap is at most this (0 = prove optimal).
        num_workers: CP-SAT search workers.
        use_greedy_hint: Start the search from the greedy plan.
        seed: CP-SAT random seed.
    """

    time_limit: float = 10.0
    gap_limit: float = 0.0
    num_workers: int = 2
    use_greedy_hint: bool = True
    seed: int = 0


@dataclass
class _Model:
    """The CP-SAT model and the variables needed to read a plan back."""

    model: cp_model.CpModel
    x: dict[tuple[str, str, int], cp_model.IntVar]
    value_units: dict[str, int]


def _allowed_starts(scenario: Scenario, f: Feature) -> range:
    commitment = scenario.commitment_by_feature.get(f.id)
    if commitment is not None and commitment.start is not None:
        ok = f.earliest_start <= commitment.start <= f.latest_end(len(scenario.periods))
        return range(commitment.start, commitment.start + 1) if ok else range(0)
    return range(f.earliest_start, f.latest_end(len(scenario.periods)) - f.duration + 2)


def build_model(scenario: Scenario) -> _Model:
    """Build the time-indexed CP-SAT model of ``scenario`` (see the module docstring)."""
    m = cp_model.CpModel()
    n_periods = len(scenario.periods)
    x: dict[tuple[str, str, int], cp_model.IntVar] = {}
    rows: dict[tuple[str, int], list[tuple[int, cp_model.IntVar]]] = {
        (t.id, p): [] for t in scenario.teams for p in range(n_periods)
    }
    starts_of: dict[str, dict[int, list[cp_model.IntVar]]] = {}
    for f in scenario.features:
        commitment = scenario.commitment_by_feature.get(f.id)
        teams = [commitment.team] if commitment and commitment.team else list(f.effort)
        by_start: dict[int, list[cp_model.IntVar]] = {}
        for tid in teams:
            coef = scenario.load_units(f, tid)
            for s in _allowed_starts(scenario, f):
                var = m.new_bool_var(f"x[{f.id},{tid},{s}]")
                x[(f.id, tid, s)] = var
                by_start.setdefault(s, []).append(var)
                for p in range(s, s + f.duration):
                    rows[(tid, p)].append((coef, var))
        starts_of[f.id] = by_start
        chosen = [v for vs in by_start.values() for v in vs]
        if commitment is not None:
            m.add(sum(chosen) == 1)  # an empty sum makes the model infeasible, as it should
        elif len(chosen) > 1:
            m.add_at_most_one(chosen)
    for t in scenario.teams:
        for p in range(n_periods):
            terms = rows[(t.id, p)]
            cap = scenario.capacity_units(t, p)
            if terms and sum(c for c, _ in terms) > cap:
                m.add(sum(c * v for c, v in terms) <= cap)
    for f in scenario.features:
        for d in f.depends_on:
            _add_precedence(m, starts_of[d], scenario.feature_by_id[d].duration, starts_of[f.id])
    value_units = {f.id: round(f.value * VALUE_SCALE) for f in scenario.features}
    m.maximize(sum(value_units[fid] * var for (fid, _, _), var in x.items()))
    return _Model(m, x, value_units)


def _add_precedence(
    m: cp_model.CpModel,
    before: Mapping[int, list[cp_model.IntVar]],
    before_duration: int,
    after: Mapping[int, list[cp_model.IntVar]],
) -> None:
    """Add ``sum_{s<=q} y_after[s] <= sum_{s'+d-1<=q-1} y_before[s']`` for every ``q``."""
    if not after:
        return
    for q in range(min(after), max(after) + 1):
        lhs = [v for s, vs in after.items() if s <= q for v in vs]
        rhs = [v for s, vs in before.items() if s + before_duration - 1 <= q - 1 for v in vs]
        if not lhs:
            continue
        if not rhs:
            for v in lhs:
                m.add(v == 0)
        else:
            m.add(sum(lhs) <= sum(rhs))


class _Progress(cp_model.CpSolverSolutionCallback):
    """Forward solutions and bound improvements to a ``(percent, message)`` callback."""

    def __init__(self, report: ProgressFn | None, time_limit: float, scale: int) -> None:
        super().__init__()
        self.report = report
        self.time_limit = max(time_limit, 1e-3)
        self.scale = scale
        self.solutions = 0
        self.bound: float | None = None
        self.objective: float | None = None
        self.started = time.monotonic()
        self.lock = threading.Lock()

    def on_solution_callback(self) -> None:
        with self.lock:
            self.solutions += 1
            self.objective = self.objective_value / self.scale
            self.bound = self.best_objective_bound / self.scale
        self._emit()

    def on_bound(self, bound: float) -> None:
        with self.lock:
            self.bound = bound / self.scale
        self._emit()

    def _emit(self) -> None:
        if self.report is None:
            return
        elapsed = time.monotonic() - self.started
        percent = min(99, int(100 * elapsed / self.time_limit))
        if self.objective is None:
            message = "searching for a first plan"
        else:
            gap = relative_gap(self.objective, self.bound if self.bound is not None else math.inf)
            message = (
                f"plan {self.solutions}: value {self.objective:,.3f}, "
                f"bound {self.bound or 0:,.3f}, gap {gap:.2%}"
            )
        self.report(percent, message)


def optimize(
    scenario: Scenario,
    options: SolveOptions | None = None,
    progress: ProgressFn | None = None,
    hint: Plan | None = None,
) -> Plan:
    """Choose and schedule features to maximise total value within capacity.

    Args:
        scenario: A validated scenario.
        options: Solver settings; defaults to ``SolveOptions()``.
        progress: Called with ``(percent, message)`` as plans and bounds improve. It may be
            called from a solver thread.
        hint: A plan to start from (for re-solves); defaults to the greedy plan.

    Returns:
        The best plan found, with objective, best bound, gap and status.
    """
    opts = options or SolveOptions()
    started = time.monotonic()
    if progress:
        progress(0, "building the model")
    fallback = greedy_plan(scenario) if opts.use_greedy_hint or hint is None else None
    built = build_model(scenario)
    start_from = hint if hint is not None and hint.status != PlanStatus.INFEASIBLE else fallback
    if start_from is not None and opts.use_greedy_hint:
        for a in start_from.assignments:
            if a.chosen and (a.feature_id, a.team, a.start) in built.x:
                built.model.add_hint(built.x[(a.feature_id, str(a.team), int(a.start or 0))], 1)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = opts.num_workers
    solver.parameters.max_time_in_seconds = max(
        0.01, opts.time_limit - (time.monotonic() - started)
    )
    solver.parameters.relative_gap_limit = opts.gap_limit
    solver.parameters.random_seed = opts.seed
    callback = _Progress(progress, opts.time_limit, VALUE_SCALE)
    solver.best_bound_callback = callback.on_bound
    code = solver.solve(built.model, callback)
    status = _STATUS.get(code, PlanStatus.UNKNOWN)
    elapsed = time.monotonic() - started
    if status in (PlanStatus.OPTIMAL, PlanStatus.FEASIBLE):
        plan = _read_plan(scenario, built, solver, status, elapsed)
    elif (
        status == PlanStatus.UNKNOWN
        and fallback is not None
        and fallback.status != PlanStatus.INFEASIBLE
    ):
        bound = solver.best_objective_bound / VALUE_SCALE
        bound = max(bound, fallback.objective)
        plan = Plan(
            periods=scenario.periods,
            status=PlanStatus.FEASIBLE,
            objective=fallback.objective,
            best_bound=bound,
            gap=relative_gap(fallback.objective, bound),
            assignments=fallback.assignments,
            wall_seconds=elapsed,
            solver="greedy-fallback",
            scenario_name=scenario.name,
            message="the solver found no plan in the time limit; this is the greedy plan",
        )
    else:
        plan = _empty_plan(scenario, status, elapsed)
    if progress:
        progress(100, f"{plan.status.value}: value {plan.objective:,.3f}, gap {plan.gap:.2%}")
    return plan


def _read_plan(
    scenario: Scenario,
    built: _Model,
    solver: cp_model.CpSolver,
    status: PlanStatus,
    elapsed: float,
) -> Plan:
    placed: dict[str, tuple[str, int]] = {}
    for (fid, team, s), var in built.x.items():
        if solver.boolean_value(var):
            placed[fid] = (team, s)
    assignments = []
    for f in scenario.features:
        if f.id in placed:
            team, s = placed[f.id]
            assignments.append(Assignment(f.id, True, team, s, s + f.duration - 1, f.value))
        else:
            assignments.append(Assignment(f.id, False, value=f.value))
    objective = sum(a.value for a in assignments if a.chosen)
    # The bound is on the scaled (rounded) values; the gap is computed in those units too so it
    # is exactly the solver's proof, then the bound is reported in the user's units.
    obj_units = solver.objective_value
    bound_units = max(solver.best_objective_bound, obj_units)
    gap = 0.0 if status == PlanStatus.OPTIMAL else relative_gap(obj_units, bound_units)
    bound = objective + (bound_units - obj_units) / VALUE_SCALE
    return Plan(
        periods=scenario.periods,
        status=status,
        objective=objective,
        best_bound=bound,
        gap=gap,
        assignments=tuple(assignments),
        wall_seconds=elapsed,
        solver="cp-sat",
        scenario_name=scenario.name,
    )


def _empty_plan(scenario: Scenario, status: PlanStatus, elapsed: float) -> Plan:
    message = (
        "no plan meets every constraint; check the commitments (see diagnose_infeasible)"
        if status == PlanStatus.INFEASIBLE
        else "no plan found within the time limit"
    )
    return Plan(
        periods=scenario.periods,
        status=status,
        objective=0.0,
        best_bound=0.0
        if status == PlanStatus.INFEASIBLE
        else sum(f.value for f in scenario.features),
        gap=0.0 if status == PlanStatus.INFEASIBLE else math.inf,
        assignments=tuple(Assignment(f.id, False, value=f.value) for f in scenario.features),
        wall_seconds=elapsed,
        solver="cp-sat",
        scenario_name=scenario.name,
        message=message,
    )


def diagnose_infeasible(scenario: Scenario, time_limit: float = 10.0) -> list[str]:
    """Name a set of commitments that cannot all be honoured together.

    Each commitment becomes an assumption literal; CP-SAT's
    ``sufficient_assumptions_for_infeasibility`` returns a subset that is already infeasible.

    Returns:
        Ids of the conflicting committed features (empty if the commitments are compatible).
    """
    relaxed = Scenario(
        periods=scenario.periods,
        teams=scenario.teams,
        features=scenario.features,
        commitments=(),
        name=scenario.name,
    )
    built = build_model(relaxed)
    literals: dict[int, str] = {}
    for c in scenario.commitments:
        f = scenario.feature_by_id[c.feature]
        lit = built.model.new_bool_var(f"commit[{c.feature}]")
        allowed = [
            v
            for (fid, team, s), v in built.x.items()
            if fid == f.id
            and (c.team is None or team == c.team)
            and (c.start is None or s == c.start)
        ]
        built.model.add(sum(allowed) == 1).only_enforce_if(lit)
        built.model.add_assumption(lit)
        literals[lit.index] = c.feature
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # assumption cores need the sequential search
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.stop_after_first_solution = True
    if solver.solve(built.model) != cp_model.INFEASIBLE:
        return []
    return sorted(literals[i] for i in solver.sufficient_assumptions_for_infeasibility())
