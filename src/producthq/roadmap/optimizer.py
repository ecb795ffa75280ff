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

Search. The better of the greedy baseline's plan (``greedy.py``) and the LP relaxation rounded
by the greedy rule is given as a complete solution hint, so the solver starts from a feasible
plan. Then two things run side by side, one per core: the main CP-SAT solve of the full model
on one full-LP worker searching on the bound (``linearization_level=2``,
``optimize_with_lb_tree_search``), which proves the bound, and the team-by-team
large-neighbourhood search of ``lns.py``, which re-packs one team at a time (then pairs, ...)
with small exact CP-SAT solves and finds the plans. The search stops at the time limit, when the
main solve ends, or when its plan is within ``gap_limit`` of the main solve's bound; the plan
returned is the better of the two, with the main solve's proven bound and the gap
``(bound - objective) / objective``. Small models are solved before the search starts. If
nothing better than the starting plan is found, that plan is returned with the solver's bound.
The plan is then left-shifted (``left_shift``): each chosen feature starts as early as its
window, dependencies and the capacity allow, so that among plans of the same value the one
returned is stable and readable. Progress is reported through a callback fed by a
``CpSolverSolutionCallback``, the solver's best-bound callback and the search.

Assumptions: values are additive (no interactions between features), effort is fixed per team,
a feature is done by exactly one team, and capacity is independent per period (no carry-over).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from producthq.roadmap.greedy import greedy_plan
from producthq.roadmap.lns import TeamSearch
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
        use_hints: Start the search from the better of the greedy plan and the LP relaxation
            rounded by the greedy rule.
        seed: CP-SAT random seed.
        subsolvers: CP-SAT full-problem workers. With two workers CP-SAT's default picks
            ``default_lp`` only, whose bound is far weaker on this model than the full LP
            relaxation that ``max_lp`` solves at once; empty means CP-SAT's default.
        team_search: Run the team-by-team large-neighbourhood search (``lns.py``) in this
            thread while CP-SAT proves the bound in another, on ``num_workers - 1`` workers
            (with 2, one full-LP worker). It needs a starting plan and at least 2 workers;
            off, the search is CP-SAT's own (``subsolvers`` plus its interleaved LNS).
    """

    time_limit: float = 10.0
    gap_limit: float = 0.0
    num_workers: int = 2
    use_hints: bool = True
    seed: int = 0
    subsolvers: tuple[str, ...] = ("max_lp", "default_lp")
    team_search: bool = True


Key = tuple[str, str, int]  # (feature id, team id, start period)


@dataclass
class Structure:
    """The 0/1 model independent of any solver; ``keys[i]`` names variable ``i``.

    Attributes:
        keys: One ``(feature, team, start)`` per variable.
        values: Objective coefficient of each variable (value in 1/1000 units).
        choices: Variable indices per feature, with whether it is committed (exactly one).
        capacity: Rows ``(capacity, [(load, index), ...])`` per team and period.
        precedence: Rows ``(later, earlier)``: ``sum(later) <= sum(earlier)``.
    """

    keys: list[Key]
    values: list[int]
    choices: list[tuple[list[int], bool]]
    capacity: list[tuple[int, list[tuple[int, int]]]]
    precedence: list[tuple[list[int], list[int]]]


def _allowed_starts(scenario: Scenario, f: Feature) -> range:
    commitment = scenario.commitment_by_feature.get(f.id)
    if commitment is not None and commitment.start is not None:
        ok = f.earliest_start <= commitment.start <= f.latest_end(len(scenario.periods))
        return range(commitment.start, commitment.start + 1) if ok else range(0)
    return range(f.earliest_start, f.latest_end(len(scenario.periods)) - f.duration + 2)


def build_structure(scenario: Scenario) -> Structure:
    """Build the time-indexed 0/1 model of ``scenario`` (see the module docstring)."""
    n_periods = len(scenario.periods)
    st = Structure([], [], [], [], [])
    rows: dict[tuple[str, int], list[tuple[int, int]]] = {
        (t.id, p): [] for t in scenario.teams for p in range(n_periods)
    }
    starts_of: dict[str, dict[int, list[int]]] = {}
    for f in scenario.features:
        commitment = scenario.commitment_by_feature.get(f.id)
        teams = [commitment.team] if commitment and commitment.team else list(f.effort)
        by_start: dict[int, list[int]] = {}
        for tid in teams:
            load = scenario.load_units(f, tid)
            for s in _allowed_starts(scenario, f):
                i = len(st.keys)
                st.keys.append((f.id, tid, s))
                st.values.append(round(f.value * VALUE_SCALE))
                by_start.setdefault(s, []).append(i)
                for p in range(s, s + f.duration):
                    rows[(tid, p)].append((load, i))
        starts_of[f.id] = by_start
        st.choices.append(([i for ids in by_start.values() for i in ids], commitment is not None))
    for t in scenario.teams:
        for p in range(n_periods):
            terms = rows[(t.id, p)]
            cap = scenario.capacity_units(t, p)
            if sum(c for c, _ in terms) > cap:  # rows that cannot bind are left out
                st.capacity.append((cap, terms))
    for f in scenario.features:
        after = starts_of[f.id]
        for d in f.depends_on:
            before, duration = starts_of[d], scenario.feature_by_id[d].duration
            # If the later feature starts by q, the earlier one has ended before q.
            for q in sorted(after):
                lhs = [i for s, ids in after.items() if s <= q for i in ids]
                rhs = [i for s, ids in before.items() if s + duration - 1 <= q - 1 for i in ids]
                st.precedence.append((lhs, rhs))
    return st


@dataclass
class _Model:
    """The CP-SAT model and its variables."""

    model: cp_model.CpModel
    x: dict[Key, cp_model.IntVar]


def build_model(scenario: Scenario, structure: Structure | None = None) -> _Model:
    """Return the CP-SAT model of ``scenario``."""
    st = structure or build_structure(scenario)
    m = cp_model.CpModel()
    xs = [m.new_bool_var(f"x[{f},{t},{s}]") for f, t, s in st.keys]
    for ids, exact in st.choices:
        if exact:
            m.add(sum(xs[i] for i in ids) == 1)  # an empty sum is infeasible, as it should be
        elif len(ids) > 1:
            m.add_at_most_one(xs[i] for i in ids)
    for cap, terms in st.capacity:
        m.add(sum(c * xs[i] for c, i in terms) <= cap)
    for lhs, rhs in st.precedence:
        m.add(sum(xs[i] for i in lhs) <= sum(xs[i] for i in rhs))
    m.maximize(sum(v * x for v, x in zip(st.values, xs, strict=True)))
    return _Model(m, dict(zip(st.keys, xs, strict=True)))


def lp_relaxation(structure: Structure) -> tuple[float, dict[Key, float]] | None:
    """Solve the LP relaxation with GLOP; return its value (1/1000 units) and solution.

    Used only to build a starting plan (rounded by the greedy rule), never as a proof; the
    bound reported is CP-SAT's. Returns ``None`` if the LP is infeasible.
    """
    lp = pywraplp.Solver.CreateSolver("GLOP")
    xs = [lp.NumVar(0.0, 1.0, "") for _ in structure.keys]
    for ids, exact in structure.choices:
        total = lp.Sum([xs[i] for i in ids])
        lp.Add(total == 1 if exact else total <= 1)
    for cap, terms in structure.capacity:
        lp.Add(lp.Sum([c * xs[i] for c, i in terms]) <= cap)
    for lhs, rhs in structure.precedence:
        lp.Add(lp.Sum([xs[i] for i in lhs]) <= lp.Sum([xs[i] for i in rhs]))
    lp.Maximize(lp.Sum([v * x for v, x in zip(structure.values, xs, strict=True)]))
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    solution = {k: x.solution_value() for k, x in zip(structure.keys, xs, strict=True)}
    return lp.Objective().Value(), {k: v for k, v in solution.items() if v > 1e-6}


class _Progress(cp_model.CpSolverSolutionCallback):
    """Forward solutions and bound improvements to a ``(percent, message)`` callback.

    It also keeps the best bound in solver units (``bound_units``) for the team search, which
    reports its own improvements through ``on_improved``.
    """

    def __init__(self, report: ProgressFn | None, time_limit: float, scale: int) -> None:
        super().__init__()
        self.report = report
        self.time_limit = max(time_limit, 1e-3)
        self.scale = scale
        self.solutions = 0
        self.bound: float | None = None
        self.bound_units: float | None = None
        self.objective: float | None = None
        self.started = time.monotonic()
        self.lock = threading.Lock()

    def on_solution_callback(self) -> None:
        with self.lock:
            self.solutions += 1
            self.objective = max(self.objective or 0.0, self.objective_value / self.scale)
            self.bound_units = self.best_objective_bound
            self.bound = self.bound_units / self.scale
        self._emit()

    def on_bound(self, bound: float) -> None:
        with self.lock:
            self.bound_units = bound
            self.bound = bound / self.scale
        self._emit()

    def on_improved(self, objective_units: int) -> None:
        with self.lock:
            self.solutions += 1
            self.objective = max(self.objective or 0.0, objective_units / self.scale)
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
        hint: A feasible plan to start from (for re-solves), in addition to the greedy and
            LP-rounded plans.

    Returns:
        The best plan found, with objective, best bound, gap and status.
    """
    opts = options or SolveOptions()
    started = time.monotonic()
    if progress:
        progress(0, "building the model")
    structure = build_structure(scenario)
    built = build_model(scenario, structure)
    start_from = _starting_plan(scenario, structure, opts, hint)
    index = {k: i for i, k in enumerate(structure.keys)}
    start_on: set[int] | None = None
    if start_from is not None:
        start_on = {
            index[(a.feature_id, str(a.team), a.start or 0)]
            for a in start_from.assignments
            if a.chosen
        }
        for i, var in enumerate(built.x.values()):  # a complete hint: CP-SAT takes it as it is
            built.model.add_hint(var, i in start_on)
    searching = opts.team_search and start_on is not None and opts.num_workers >= 2
    solver = _configured_solver(opts, started, searching)
    callback = _Progress(progress, opts.time_limit, VALUE_SCALE)
    solver.best_bound_callback = callback.on_bound
    found: set[int] | None = None
    if searching and start_on is not None:
        code, found = _solve_with_team_search(built, structure, solver, callback, start_on, opts)
    else:
        code = solver.solve(built.model, callback)
    status = _STATUS.get(code, PlanStatus.UNKNOWN)
    elapsed = time.monotonic() - started
    proven = False
    if status in (PlanStatus.OPTIMAL, PlanStatus.FEASIBLE):
        main = {i for i, var in enumerate(built.x.values()) if solver.boolean_value(var)}
        if found is None or sum(structure.values[i] for i in found) <= solver.objective_value:
            found, proven = main, status == PlanStatus.OPTIMAL
    elif status == PlanStatus.INFEASIBLE:
        found = None
    elif found is None:
        found = start_on
    if found is None:
        plan = _empty_plan(scenario, status, elapsed)
    elif status == PlanStatus.UNKNOWN and found == start_on:
        plan = _plan_from(scenario, structure, found, solver, elapsed, "greedy-fallback")
    else:
        plan = _plan_from(scenario, structure, found, solver, elapsed, "cp-sat", proven=proven)
        plan = replace(plan, assignments=left_shift(scenario, plan.assignments))
    if progress:
        progress(100, f"{plan.status.value}: value {plan.objective:,.3f}, gap {plan.gap:.2%}")
    return plan


def _configured_solver(opts: SolveOptions, started: float, searching: bool) -> cp_model.CpSolver:
    """The main CP-SAT solver; with the team search beside it, it keeps one worker less."""
    solver = cp_model.CpSolver()
    params = solver.parameters
    if searching and opts.num_workers == 2:
        # One full-LP worker searching on the bound (CP-SAT's lb_tree_search): it proves the
        # bound sooner and lower than a max_lp worker here. The team search finds the plans.
        params.num_workers = 1
        params.linearization_level = 2
        params.optimize_with_lb_tree_search = True
    else:
        params.num_workers = opts.num_workers - 1 if searching else opts.num_workers
        params.subsolvers.extend(opts.subsolvers)
    params.max_time_in_seconds = max(0.01, opts.time_limit - (time.monotonic() - started))
    params.relative_gap_limit = opts.gap_limit
    params.random_seed = opts.seed
    return solver


def _solve_with_team_search(
    built: _Model,
    structure: Structure,
    solver: cp_model.CpSolver,
    callback: _Progress,
    start_on: set[int],
    opts: SolveOptions,
) -> tuple[Any, set[int] | None]:
    """Run the main solve in a thread and the team search (``lns.py``) in this one.

    The main solve proves the bound (and may find plans itself); the search stops at the time
    limit, when the main solve ends (e.g. it proved optimality), or once the gap between the
    search's plan and the main solve's bound is within ``gap_limit``; it then stops the main
    solve. Returns the main solve's status code and the search's best plan (as variable
    indices), or ``None`` for the plan when the main solve ended before the search began.
    """
    outcome: dict[str, Any] = {}

    def run_main() -> None:
        outcome["code"] = solver.solve(built.model, callback)

    thread = threading.Thread(target=run_main, name="roadmap-cp-sat", daemon=True)
    deadline = time.monotonic() + solver.parameters.max_time_in_seconds
    thread.start()
    thread.join(timeout=min(0.5, opts.time_limit / 10))  # small models are done by now
    if not thread.is_alive():
        return outcome.get("code", cp_model.UNKNOWN), None

    def stop(value: int) -> bool:
        bound = callback.bound_units
        proven = bound is not None and relative_gap(value, bound) <= opts.gap_limit
        return proven or not thread.is_alive()

    search = TeamSearch(structure, seed=opts.seed)
    try:
        best = search.run(start_on, deadline, stop, improved=callback.on_improved)
    except BaseException:
        solver.stop_search()
        thread.join()
        raise
    if stop(search.value(best)):
        solver.stop_search()
    # Otherwise the search ran out of neighbourhoods and the main solve goes on to its limit.
    thread.join()
    return outcome.get("code", cp_model.UNKNOWN), best


def _starting_plan(
    scenario: Scenario, structure: Structure, opts: SolveOptions, hint: Plan | None
) -> Plan | None:
    """Return the best feasible plan among the hint, greedy and the rounded LP relaxation."""
    candidates = [] if hint is None else [hint]
    if opts.use_hints:
        candidates.append(greedy_plan(scenario))
        relaxed = lp_relaxation(structure)
        if relaxed is not None:
            candidates.append(greedy_plan(scenario, preference=relaxed[1]))
    feasible = [p for p in candidates if satisfies(structure, p)]
    return max(feasible, key=lambda p: p.objective, default=None)


def satisfies(structure: Structure, plan: Plan) -> bool:
    """Tell whether ``plan`` meets every row of ``structure`` (e.g. a hint from another run)."""
    index = {k: i for i, k in enumerate(structure.keys)}
    chosen = [(a.feature_id, a.team, a.start) for a in plan.assignments if a.chosen]
    if any(k not in index for k in chosen):
        return False
    on = {index[k] for k in chosen}  # type: ignore[index]
    for ids, exact in structure.choices:
        n = sum(i in on for i in ids)
        if n > 1 or (exact and n != 1):
            return False
    if any(sum(c for c, i in terms if i in on) > cap for cap, terms in structure.capacity):
        return False
    return all(
        sum(i in on for i in lhs) <= sum(i in on for i in rhs) for lhs, rhs in structure.precedence
    )


def left_shift(scenario: Scenario, assignments: tuple[Assignment, ...]) -> tuple[Assignment, ...]:
    """Move each chosen feature to its earliest start that keeps the plan feasible.

    Many plans share the best value (a feature can often sit in any of several periods), so
    the solver's pick among them is arbitrary, and two scenarios that differ in one team would
    show features "moved" that nothing forced to move. Starting every feature as early as the
    capacity, its dependencies and its window allow makes plans stable and readable. Team and
    choice are kept, so the value is unchanged. Features are taken in order of their start;
    moving one earlier never breaks a later feature's dependency on it.

    Example:
        >>> from producthq.roadmap.scenario import parse_scenario
        >>> s = parse_scenario({"periods": ["Q1", "Q2"], "teams": [{"id": "t", "capacity": 1}],
        ...     "features": [{"id": "a", "value": 1, "effort": {"t": 1}}]})
        >>> left_shift(s, (Assignment("a", True, "t", 1, 1, 1.0),))[0].start
        0
    """
    by_id = scenario.feature_by_id
    placed = {a.feature_id: a for a in assignments if a.chosen and a.team is not None}
    used: dict[tuple[str, int], int] = {}
    for a in placed.values():
        f = by_id[a.feature_id]
        for p in range(a.start or 0, (a.start or 0) + f.duration):
            used[(str(a.team), p)] = used.get((str(a.team), p), 0) + scenario.load_units(
                f, str(a.team)
            )
    caps = {
        (t.id, p): scenario.capacity_units(t, p)
        for t in scenario.teams
        for p in range(len(scenario.periods))
    }
    for fid in sorted(placed, key=lambda i: (placed[i].start or 0, i)):
        a = placed[fid]
        f, team, start = by_id[fid], str(a.team), a.start or 0
        commitment = scenario.commitment_by_feature.get(fid)
        if commitment is not None and commitment.start is not None:
            continue
        ready = max(
            [f.earliest_start] + [(placed[d].end or 0) + 1 for d in f.depends_on if d in placed]
        )
        load = scenario.load_units(f, team)
        for s in range(ready, start):
            new = set(range(s, s + f.duration)) - set(range(start, start + f.duration))
            if all(used.get((team, p), 0) + load <= caps[(team, p)] for p in new):
                for p in range(start, start + f.duration):
                    used[(team, p)] -= load
                for p in range(s, s + f.duration):
                    used[(team, p)] = used.get((team, p), 0) + load
                placed[fid] = replace(a, start=s, end=s + f.duration - 1)
                break
    return tuple(placed.get(a.feature_id, a) for a in assignments)


def _plan_from(
    scenario: Scenario,
    structure: Structure,
    on: set[int],
    solver: cp_model.CpSolver,
    elapsed: float,
    solver_name: str,
    *,
    proven: bool = False,
) -> Plan:
    """The plan whose chosen slots are the variables ``on``, with the main solve's bound.

    ``proven`` says the main solve returned this plan as optimal; otherwise the plan is optimal
    when its value reaches the bound.
    """
    placed = {structure.keys[i][0]: structure.keys[i][1:] for i in on}
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
    obj_units = float(sum(structure.values[i] for i in on))
    bound_units = max(solver.best_objective_bound, obj_units)
    gap = 0.0 if proven else relative_gap(obj_units, bound_units)
    fallback = solver_name == "greedy-fallback"
    return Plan(
        periods=scenario.periods,
        status=PlanStatus.OPTIMAL if gap == 0.0 else PlanStatus.FEASIBLE,
        objective=objective,
        best_bound=objective + (bound_units - obj_units) / VALUE_SCALE,
        gap=gap,
        assignments=tuple(assignments),
        wall_seconds=elapsed,
        solver=solver_name,
        scenario_name=scenario.name,
        message="the solver found no plan in the time limit; this is the starting plan"
        if fallback
        else "",
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
