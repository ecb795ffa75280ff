"""The team-by-team large-neighbourhood search, on plans whose best re-packing is known by hand.

Plans are checked by the independent checker (``checker.check_plan``).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from producthq.roadmap.checker import check_plan
from producthq.roadmap.greedy import greedy_plan
from producthq.roadmap.lns import TeamSearch
from producthq.roadmap.optimizer import SolveOptions, build_structure, lp_relaxation, optimize
from producthq.roadmap.scenario import parse_scenario
from producthq.roadmap.synthetic import synthetic_scenario


def search(raw: dict[str, Any], start: set[tuple[str, str, int]]) -> set[tuple[str, str, int]]:
    """Run the search from the slots ``start`` (feature, team, start period); return its slots."""
    structure = build_structure(parse_scenario(raw))
    index = {k: i for i, k in enumerate(structure.keys)}
    found = TeamSearch(structure).run(
        {index[k] for k in start}, time.monotonic() + 5, stop=lambda value: False
    )
    return {structure.keys[i] for i in found}


def test_one_team_is_repacked_into_the_better_knapsack():
    # Capacity 10. Starting from a alone (9; a takes 6 so neither b nor c fits beside it), the
    # best packing is b and c (5 + 5 = 10 person-weeks), worth 7 + 7 = 14.
    raw = {
        "periods": ["Q1"],
        "teams": [{"id": "t", "capacity": 10}],
        "features": [
            {"id": "a", "value": 9, "effort": {"t": 6}},
            {"id": "b", "value": 7, "effort": {"t": 5}},
            {"id": "c", "value": 7, "effort": {"t": 5}},
        ],
    }
    assert search(raw, {("a", "t", 0)}) == {("b", "t", 0), ("c", "t", 0)}


def test_a_feature_moves_to_another_team_to_make_room():
    # x can be done by either team (5 person-weeks), y only by web (5). Starting with x on web,
    # y does not fit (capacity 5). Moving x to api lets y in: 5 + 4 = 9 instead of 5.
    raw = {
        "periods": ["Q1"],
        "teams": [{"id": "web", "capacity": 5}, {"id": "api", "capacity": 5}],
        "features": [
            {"id": "x", "value": 5, "effort": {"web": 5, "api": 5}},
            {"id": "y", "value": 4, "effort": {"web": 5}},
        ],
    }
    assert search(raw, {("x", "web", 0)}) == {("x", "api", 0), ("y", "web", 0)}


def test_fixed_features_keep_their_dependencies_and_commitments():
    # b depends on a; a is committed to Q1 on core. Re-packing web must keep b after Q1, and
    # must not drop the commitment: the best is a (core, Q1), b and c in Q2/Q1 on web.
    raw = {
        "periods": ["Q1", "Q2"],
        "teams": [{"id": "core", "capacity": 2}, {"id": "web", "capacity": 3}],
        "features": [
            {"id": "a", "value": 1, "effort": {"core": 2}},
            {"id": "b", "value": 6, "effort": {"web": 3}, "depends_on": ["a"]},
            {"id": "c", "value": 5, "effort": {"web": 3}},
        ],
        "commitments": [{"feature": "a", "start": "Q1"}],
    }
    found = search(raw, {("a", "core", 0)})
    assert found == {("a", "core", 0), ("b", "web", 1), ("c", "web", 0)}


def test_optimiser_with_the_search_beats_its_starting_plan_on_a_large_scenario():
    # 300 features: the plan must be better than both starting plans (greedy, and the LP
    # relaxation rounded by the greedy rule), and the gap is the bound against the plan's value.
    raw = synthetic_scenario(
        n_features=300, n_teams=6, n_periods=4, n_dependencies=60, seed=5, n_commitments=3
    )
    scenario = parse_scenario(raw)
    relaxed = lp_relaxation(build_structure(scenario))
    assert relaxed is not None
    start = max(
        greedy_plan(scenario).objective, greedy_plan(scenario, preference=relaxed[1]).objective
    )
    plan = optimize(scenario, SolveOptions(time_limit=2.0))
    assert check_plan(raw, plan.to_dict()) == []
    assert plan.objective > start
    assert plan.objective <= plan.best_bound
    assert plan.gap == pytest.approx((plan.best_bound - plan.objective) / plan.objective, rel=1e-3)
