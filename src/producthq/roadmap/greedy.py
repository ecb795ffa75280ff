"""Greedy roadmap baseline: value per effort, first fit, respecting the optimiser's constraints.

Method (the classic density-ordered greedy for knapsack-type problems, e.g. Martello & Toth,
*Knapsack Problems*, 1990, section 2.4):

1. Commitments and everything they depend on are placed first, in dependency order, each at
   its committed team and start when given.
2. The other features are taken in decreasing order of value per person-week (value divided by
   the smallest effort among eligible teams; ties by id). A feature is placed once all its
   dependencies are placed: at the earliest start after they end, with the eligible team that
   needs the least effort among those with room in every period it spans.
3. Step 2 is repeated until a pass places nothing new, so a feature skipped because a
   dependency came later in the order gets another chance.

It uses the optimiser's integer capacity units (``Scenario.load_units``), so its plan is a valid
starting hint for CP-SAT and is feasible for the unrounded data. It proves nothing: its
``best_bound`` is the trivial bound, the sum of all values.

Example:
    >>> from producthq.roadmap.scenario import parse_scenario
    >>> s = parse_scenario({
    ...     "periods": ["Q1"],
    ...     "teams": [{"id": "t", "capacity": 5}],
    ...     "features": [
    ...         {"id": "big", "value": 9, "effort": {"t": 5}},
    ...         {"id": "small", "value": 4, "effort": {"t": 2}},
    ...     ],
    ... })
    >>> sorted(greedy_plan(s).chosen_ids)
    ['small']
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping

from producthq.roadmap.scenario import (
    Assignment,
    Feature,
    Plan,
    PlanStatus,
    Scenario,
    relative_gap,
    topological_order,
)

Preference = Mapping[tuple[str, str, int], float]


def value_density(feature: Feature) -> float:
    """Return value per person-week with the cheapest eligible team (inf for zero effort)."""
    effort = min(feature.effort.values())
    return math.inf if effort <= 0 else feature.value / effort


class _Board:
    """Remaining capacity per team and period, in integer solver units."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.left = {
            (t.id, p): scenario.capacity_units(t, p)
            for t in scenario.teams
            for p in range(len(scenario.periods))
        }
        self.placed: dict[str, tuple[str, int, int]] = {}  # id -> (team, start, end)

    def try_place(self, f: Feature, preference: Preference | None = None) -> bool:
        """Place ``f`` in the first slot that fits, best preference first, then earliest.

        Without a preference, that is the earliest feasible start with the cheapest team.
        """
        if any(d not in self.placed for d in f.depends_on):
            return False
        commitment = self.scenario.commitment_by_feature.get(f.id)
        first = max([f.earliest_start, *(self.placed[d][2] + 1 for d in f.depends_on)])
        last_start = f.latest_end(len(self.scenario.periods)) - f.duration + 1
        starts = range(first, last_start + 1)
        teams = list(f.effort)
        if commitment is not None:
            if commitment.start is not None:
                ok = first <= commitment.start <= last_start
                starts = range(commitment.start, commitment.start + 1) if ok else range(0)
            if commitment.team is not None:
                teams = [commitment.team]
        pref = preference or {}
        slots = sorted(
            ((t, s) for t in teams for s in starts),
            key=lambda ts: (-pref.get((f.id, *ts), 0.0), ts[1], f.effort[ts[0]], ts[0]),
        )
        for t, s in slots:
            load = self.scenario.load_units(f, t)
            span = range(s, s + f.duration)
            if all(self.left[(t, p)] >= load for p in span):
                for p in span:
                    self.left[(t, p)] -= load
                self.placed[f.id] = (t, s, s + f.duration - 1)
                return True
        return False


def _mandatory(scenario: Scenario) -> set[str]:
    """Committed features and, transitively, everything they depend on."""
    todo = [c.feature for c in scenario.commitments]
    seen: set[str] = set()
    while todo:
        fid = todo.pop()
        if fid not in seen:
            seen.add(fid)
            todo.extend(scenario.feature_by_id[fid].depends_on)
    return seen


def _order(topo: list[Feature], preference: Preference | None) -> list[Feature]:
    """Density order; with a preference, weighted features first in dependency order."""
    if preference is None:
        return sorted(topo, key=lambda f: (-value_density(f), f.id))
    weight: dict[str, float] = {}
    for (fid, _, _), w in preference.items():
        weight[fid] = weight.get(fid, 0.0) + w
    rank = {f.id: i for i, f in enumerate(topo)}
    return sorted(
        topo,
        key=lambda f: (
            -round(weight.get(f.id, 0.0), 3),
            rank[f.id] if weight.get(f.id, 0.0) > 1e-6 else -value_density(f),
            f.id,
        ),
    )


def greedy_plan(scenario: Scenario, preference: Preference | None = None) -> Plan:
    """Build the greedy baseline plan (see the module docstring).

    Args:
        scenario: A validated scenario.
        preference: Optional weight per ``(feature, team, start)``, e.g. an LP solution. When
            given, features are taken by total weight (heaviest first, in dependency order),
            then by value per person-week, and each tries its heaviest slots first. The
            optimiser uses this to round its LP relaxation into a starting plan.

    Returns:
        A feasible plan (status ``feasible``), or an ``infeasible`` one naming the commitment
        the greedy rule could not place (the optimiser may still find a way).
    """
    started = time.monotonic()
    board = _Board(scenario)
    must = _mandatory(scenario)
    topo = topological_order(scenario)
    failed = [f.id for f in topo if f.id in must and not board.try_place(f, preference)]
    order = _order([f for f in topo if f.id not in must], preference)
    progress = True
    while progress:
        progress = False
        for f in order:
            if f.id not in board.placed and board.try_place(f, preference):
                progress = True
    assignments = []
    for f in scenario.features:
        if f.id in board.placed:
            team, s, e = board.placed[f.id]
            assignments.append(Assignment(f.id, True, team, s, e, f.value))
        else:
            assignments.append(Assignment(f.id, False, value=f.value))
    objective = sum(a.value for a in assignments if a.chosen)
    bound = sum(f.value for f in scenario.features)
    return Plan(
        periods=scenario.periods,
        status=PlanStatus.INFEASIBLE if failed else PlanStatus.FEASIBLE,
        objective=objective,
        best_bound=max(bound, objective),
        gap=relative_gap(objective, bound),
        assignments=tuple(assignments),
        wall_seconds=time.monotonic() - started,
        solver="greedy",
        scenario_name=scenario.name,
        message=f"greedy could not place committed feature(s): {', '.join(failed)}"
        if failed
        else "",
    )
