"""Seeded synthetic roadmap scenarios for tests and benchmarks.

The generator draws ``n_features`` candidates for ``n_teams`` teams over ``n_periods`` periods:

* values are log-normal (median 20, as prioritisation scores are skewed);
* efforts are 1 to 12 person-weeks for a home team; a third of the features can also be done
  by one or two other teams at 1.0 to 1.5 times the effort;
* most features last one period, some two, a few three (never more than the horizon);
* ``n_dependencies`` distinct pairs point from a feature to one earlier in a random order, so
  the dependency graph is acyclic by construction;
* about 10 % of features get a deadline no earlier than their dependency chain allows;
* each team's capacity per period is ``load`` times its share of the total demand spread over
  the periods (with +-20 % noise), so roughly ``load`` of the work fits;
* ``n_commitments`` features without dependencies are committed.

The result is a scenario *dict* in the JSON format, so it goes through the same validation as a
user's file. The same arguments always give the same scenario.

Example:
    >>> s = synthetic_scenario(n_features=5, n_teams=2, n_periods=2, n_dependencies=2, seed=1)
    >>> len(s["features"]), len(s["teams"]), s["periods"]
    (5, 2, ['P1', 'P2'])
"""

from __future__ import annotations

import math
import random
from typing import Any


def _duration(rng: random.Random, n_periods: int) -> int:
    r = rng.random()
    d = 1 if r < 0.7 else 2 if r < 0.95 else 3
    return min(d, n_periods)


def synthetic_scenario(
    *,
    n_features: int,
    n_teams: int,
    n_periods: int,
    n_dependencies: int,
    seed: int = 0,
    load: float = 0.5,
    n_commitments: int = 0,
    deadline_share: float = 0.1,
) -> dict[str, Any]:
    """Return a random but reproducible scenario dict (see the module docstring).

    Args:
        n_features: Candidate features.
        n_teams: Teams.
        n_periods: Periods (labelled ``P1``, ``P2``, ...).
        n_dependencies: Dependency pairs (capped at what an acyclic graph on the features allows).
        seed: Random seed.
        load: Share of the total demand that the capacity covers.
        n_commitments: Features to commit (chosen among those without dependencies).
        deadline_share: Share of features given a deadline.
    """
    rng = random.Random(seed)
    periods = [f"P{i + 1}" for i in range(n_periods)]
    teams = [f"team-{i + 1}" for i in range(n_teams)]
    width = len(str(max(n_features, 1)))
    features: list[dict[str, Any]] = []
    demand = dict.fromkeys(teams, 0.0)
    for i in range(n_features):
        home = rng.choice(teams)
        base = rng.randint(2, 24) / 2
        effort = {home: base}
        if n_teams > 1 and rng.random() < 1 / 3:
            for other in rng.sample([t for t in teams if t != home], k=min(2, n_teams - 1)):
                effort[other] = round(base * rng.uniform(1.0, 1.5) * 2) / 2
        demand[home] += base
        features.append(
            {
                "id": f"f{i + 1:0{width}d}",
                "value": round(math.exp(rng.gauss(math.log(20), 0.8)), 2),
                "effort": effort,
                "duration": _duration(rng, n_periods),
            }
        )
    _add_dependencies(rng, features, n_dependencies)
    _add_deadlines(rng, features, n_periods, deadline_share, periods)
    biggest = max((max(f["effort"].values()) / f["duration"] for f in features), default=1.0)
    team_list = []
    for t in teams:
        per_period = load * demand[t] / n_periods
        capacity = [
            round(max(biggest, per_period * rng.uniform(0.8, 1.2)) * 2) / 2
            for _ in range(n_periods)
        ]
        team_list.append({"id": t, "capacity": capacity})
    free = [f for f in features if not f.get("depends_on") and "deadline" not in f]
    commitments = [{"feature": f["id"]} for f in rng.sample(free, k=min(n_commitments, len(free)))]
    scenario: dict[str, Any] = {
        "name": f"synthetic-{n_features}x{n_teams}x{n_periods}-d{n_dependencies}-s{seed}",
        "periods": periods,
        "teams": team_list,
        "features": features,
    }
    if commitments:
        scenario["commitments"] = commitments
    return scenario


def _add_dependencies(rng: random.Random, features: list[dict[str, Any]], count: int) -> None:
    """Add ``count`` distinct edges, each from a feature to one earlier in a random order."""
    n = len(features)
    count = min(count, n * (n - 1) // 2)
    order = list(range(n))
    rng.shuffle(order)
    rank = {f: r for r, f in enumerate(order)}
    edges: set[tuple[int, int]] = set()
    while len(edges) < count:
        a, b = rng.sample(range(n), 2)
        if rank[a] > rank[b]:
            a, b = b, a
        edges.add((b, a))  # b depends on a, a comes first in the order
    for later, earlier in sorted(edges):
        features[later].setdefault("depends_on", []).append(features[earlier]["id"])


def _add_deadlines(
    rng: random.Random,
    features: list[dict[str, Any]],
    n_periods: int,
    share: float,
    periods: list[str],
) -> None:
    """Give some features a deadline no earlier than their dependency chain allows."""
    by_id = {f["id"]: f for f in features}
    earliest_end: dict[str, int] = {}

    def end_of(fid: str) -> int:
        # Iterative memoised longest path: dependencies form a DAG.
        stack = [fid]
        while stack:
            cur = stack[-1]
            deps = by_id[cur].get("depends_on", [])
            missing = [d for d in deps if d not in earliest_end]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            start = max((earliest_end[d] + 1 for d in deps), default=0)
            earliest_end[cur] = start + by_id[cur]["duration"] - 1
        return earliest_end[fid]

    for f in features:
        if rng.random() < share:
            end = end_of(f["id"])
            if end < n_periods:
                f["deadline"] = periods[rng.randint(end, n_periods - 1)]
