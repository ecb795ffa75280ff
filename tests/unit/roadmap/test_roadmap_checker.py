"""The independent checker catches every kind of broken plan."""

from __future__ import annotations

import ast
import copy
import inspect
from typing import Any

import pytest

from producthq.roadmap import checker
from producthq.roadmap.checker import check_plan

SCENARIO: dict[str, Any] = {
    "periods": ["Q1", "Q2", "Q3"],
    "teams": [{"id": "web", "capacity": [10, 10, 10]}, {"id": "core", "capacity": 0.3}],
    "features": [
        {"id": "a", "value": 5, "effort": {"web": 4}},
        {"id": "b", "value": 3, "effort": {"web": 2, "core": 0.1}, "depends_on": ["a"]},
        {
            "id": "c",
            "value": {"median": 2},
            "effort": {"web": 6},
            "duration": 2,
            "deadline": "Q3",
            "earliest_start": "Q2",
        },
        {"id": "d", "value": 1, "effort": {"core": 0.2}},
    ],
    "commitments": [{"feature": "d", "team": "core", "start": "Q1"}],
}


def good_plan() -> dict[str, Any]:
    return {
        "status": "optimal",
        "objective": 11,
        "best_bound": 11,
        "gap": 0,
        "features": [
            {"id": "a", "chosen": True, "team": "web", "start": "Q1", "end": "Q1"},
            {"id": "b", "chosen": True, "team": "core", "start": "Q2", "end": "Q2"},
            {"id": "c", "chosen": True, "team": "web", "start": "Q2", "end": "Q3"},
            {"id": "d", "chosen": True, "team": "core", "start": "Q1", "end": "Q1"},
        ],
    }


def test_good_plan_has_no_violations():
    assert check_plan(SCENARIO, good_plan()) == []


def without_dependencies() -> dict[str, Any]:
    scenario = copy.deepcopy(SCENARIO)
    del scenario["features"][1]["depends_on"]
    return scenario


def test_decimal_capacities_are_compared_exactly():
    # b (0.1) and d (0.2) share core's 0.3 in Q1: equal in decimal, over in binary floating
    # point (0.1 + 0.2 > 0.3), so a float checker would wrongly complain.
    plan = good_plan()
    plan["features"][1].update(start="Q1", end="Q1")
    assert check_plan(without_dependencies(), plan) == []


def entry(plan: dict[str, Any], fid: str) -> dict[str, Any]:
    return next(e for e in plan["features"] if e["id"] == fid)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(
            lambda p: entry(p, "a").update(team="core"),
            "feature 'a' is given to team 'core', which cannot do it",
            id="team",
        ),
        pytest.param(
            lambda p: entry(p, "c").update(end="Q2"),
            "feature 'c' runs Q2..Q2 but lasts 2 period(s)",
            id="duration",
        ),
        pytest.param(
            lambda p: entry(p, "c").update(start="Q1", end="Q2"),
            "feature 'c' starts in 'Q1', before 'Q2'",
            id="earliest-start",
        ),
        pytest.param(
            lambda p: (
                entry(p, "a").update(start="Q2", end="Q2"),
                entry(p, "b").update(start="Q2", end="Q2"),
            ),
            "feature 'b' starts in 'Q2' but 'a' ends in 'Q2'",
            id="dependency-order",
        ),
        pytest.param(
            lambda p: entry(p, "a").update(chosen=False),
            "feature 'b' is chosen but 'a', which it depends on, is not",
            id="dependency-missing",
        ),
        pytest.param(
            lambda p: entry(p, "d").update(chosen=False),
            "committed feature 'd' is not in the plan",
            id="commitment-missing",
        ),
        pytest.param(
            lambda p: entry(p, "d").update(start="Q2", end="Q2"),
            "committed feature 'd' starts in 'Q2', not 'Q1'",
            id="commitment-start",
        ),
        pytest.param(
            lambda p: p["features"].append({"id": "a", "chosen": False}),
            "feature 'a' appears more than once in the plan",
            id="duplicate",
        ),
        pytest.param(
            lambda p: p["features"].append({"id": "zz", "chosen": False}),
            "plan names unknown feature 'zz'",
            id="unknown-feature",
        ),
        pytest.param(
            lambda p: p.update(objective=12),
            "objective is 12 but the chosen values sum to 11",
            id="objective",
        ),
    ],
)
def test_violation_is_reported(mutate, expected):
    plan = copy.deepcopy(good_plan())
    mutate(plan)
    assert expected in check_plan(SCENARIO, plan)


def test_over_capacity_is_reported():
    plan = good_plan()
    entry(plan, "b").update(team="core", start="Q1", end="Q1")
    scenario = without_dependencies()
    scenario["teams"][1]["capacity"] = 0.25
    assert check_plan(scenario, plan) == [
        "team 'core' in period 'Q1' uses 0.3 person-weeks but has 0.25",
    ]


def test_deadline_violation_is_reported():
    scenario = copy.deepcopy(SCENARIO)
    scenario["features"][2]["deadline"] = "Q2"
    assert "feature 'c' ends in 'Q3', after its deadline 'Q2'" in check_plan(scenario, good_plan())


def test_checker_shares_no_code_with_the_optimiser():
    tree = ast.parse(inspect.getsource(checker))
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert not any(name.startswith("producthq") for name in imported), imported
