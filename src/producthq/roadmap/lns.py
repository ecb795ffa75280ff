"""Team-by-team large-neighbourhood search (LNS) for the roadmap model.

Method (large-neighbourhood search, Shaw 1998, "Using constraint programming and local search
methods to solve vehicle routing problems"; here with an exact CP-SAT sub-solve per
neighbourhood). Start from a feasible plan (the incumbent). In turn, for each team ``t`` (teams
in a seeded random order, every team once per round):

1. free every variable of team ``t`` (any feature, any start) and, for every feature that ``t``
   could do but that sits with another team, its current slot (so it may stay, move to ``t``
   or drop out); every other variable keeps its incumbent value;
2. solve the sub-model (every row of the full model that touches a free variable, with the
   fixed part moved to the right-hand side) with CP-SAT, hinted with the incumbent, under a
   short time limit;
3. keep the result when it is better. It meets every row of the full model by construction.

Once a whole round of single teams gains nothing, the same is done with pairs of teams, then
triples, and so on, and after the whole problem single teams again, until the time is up or the
caller says stop. The time limit of a sub-solve grows with its number of free variables.

Why teams: a team's capacity rows are the knapsacks whose exact packing the LP relaxation
misses; re-packing one team optimally given the others is where generic LNS and MIP heuristics
lose most of the value on this model (measured in ``docs/roadmap-optimizer.md``).

The search only improves the plan; it proves nothing. The bound comes from the main CP-SAT
solve of the full model, run at the same time (``optimizer.optimize``).
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

if TYPE_CHECKING:
    from producthq.roadmap.optimizer import Structure

SUB_TIME_LIMIT = 0.3  # seconds per neighbourhood of up to SUB_VARIABLES free variables,
SUB_VARIABLES = 600  # about one team of a 500-feature plan; bigger ones get proportionally more

Row = tuple[list[tuple[int, int]], str, int]  # (coefficient, variable) terms, sense, constant


class TeamSearch:
    """The LNS over ``structure``; ``rows`` is the full model in one uniform shape.

    Each row is ``sum(coef * x[i]) <sense> rhs`` with sense ``"<="`` or ``"=="``.
    """

    def __init__(self, structure: Structure, seed: int = 0) -> None:
        self.st = structure
        self.rng = random.Random(seed)
        self.rows: list[Row] = []
        for ids, exact in structure.choices:
            self.rows.append(([(1, i) for i in ids], "==" if exact else "<=", 1))
        for cap, terms in structure.capacity:
            self.rows.append((terms, "<=", cap))
        for lhs, rhs in structure.precedence:
            self.rows.append(([(1, i) for i in lhs] + [(-1, i) for i in rhs], "<=", 0))
        self.rows_of: list[list[int]] = [[] for _ in structure.keys]
        for r, (terms, _, _) in enumerate(self.rows):
            for _, i in terms:
                self.rows_of[i].append(r)
        self.team_vars: dict[str, list[int]] = {}
        for i, (_, team, _) in enumerate(structure.keys):
            self.team_vars.setdefault(team, []).append(i)
        self.teams_of: dict[str, set[str]] = {}
        for fid, team, _ in structure.keys:
            self.teams_of.setdefault(fid, set()).add(team)

    def value(self, on: set[int]) -> int:
        """Objective of the 0/1 vector whose ones are ``on`` (in solver units)."""
        return sum(self.st.values[i] for i in on)

    def neighbourhood(self, teams: tuple[str, ...], on: set[int]) -> set[int]:
        """Free variables for a group of teams (see the module docstring, step 1)."""
        free: set[int] = set()
        keys = self.st.keys
        for team in teams:
            free.update(self.team_vars.get(team, []))
            free.update(i for i in on if team in self.teams_of[keys[i][0]])
        return free

    def solve_sub(self, free: set[int], on: set[int], time_limit: float, seed: int) -> set[int]:
        """Re-optimise the ``free`` variables with the rest fixed; return the new ones-set."""
        m = cp_model.CpModel()
        x = {i: m.new_bool_var(f"x{i}") for i in sorted(free)}
        for r in sorted({r for i in free for r in self.rows_of[i]}):
            terms, sense, rhs = self.rows[r]
            fixed = sum(c for c, i in terms if i not in x and i in on)
            expr = sum(c * x[i] for c, i in terms if i in x)
            if sense == "==":
                m.add(expr == rhs - fixed)
            else:
                m.add(expr <= rhs - fixed)
        m.maximize(sum(self.st.values[i] * v for i, v in x.items()))
        for i, v in x.items():
            m.add_hint(v, i in on)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = max(0.01, time_limit)
        solver.parameters.random_seed = seed
        code = solver.solve(m)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return on
        new = (on - free) | {i for i, v in x.items() if solver.boolean_value(v)}
        return new if self.value(new) > self.value(on) else on

    def _groups(self, teams: list[str], size: int) -> list[tuple[str, ...]]:
        """Every group of ``size`` teams, or as many random ones as there are teams."""
        if math.comb(len(teams), size) <= 2 * len(teams) + 64:
            return list(itertools.combinations(teams, size))
        return [tuple(self.rng.sample(teams, size)) for _ in teams]

    def run(
        self,
        on: set[int],
        deadline: float,
        stop: Callable[[int], bool],
        improved: Callable[[int], None] | None = None,
    ) -> set[int]:
        """Improve ``on`` team by team until ``deadline`` (monotonic) or ``stop(value)``.

        Args:
            on: Indices of the variables at 1 in a feasible starting plan.
            deadline: ``time.monotonic()`` value at which to stop.
            stop: Called with the incumbent's value after each neighbourhood; true ends the
                search (e.g. the gap is proven small enough, or the main solve finished).
            improved: Called with the new value whenever the incumbent improves.

        Returns:
            The best ones-set found (``on`` itself if nothing better was found).
        """
        teams = sorted(self.team_vars)
        best = set(on)
        size = 1
        # Single teams first; after a whole round without a gain, pairs, then triples, ...;
        # after the whole problem, single teams again (the sub-solves are randomised).
        while teams and time.monotonic() < deadline and not stop(self.value(best)):
            groups = self._groups(teams, size)
            self.rng.shuffle(groups)
            gained = False
            for group in groups:
                left = deadline - time.monotonic()
                if left <= 0 or stop(self.value(best)):
                    return best
                free = self.neighbourhood(group, best)
                limit = SUB_TIME_LIMIT * max(1.0, len(free) / SUB_VARIABLES)
                new = self.solve_sub(free, best, min(limit, left), self.rng.randrange(1 << 30))
                if self.value(new) > self.value(best):
                    best, gained = new, True
                    if improved is not None:
                        improved(self.value(best))
            size = 1 if gained or size >= len(teams) else size + 1
        return best
