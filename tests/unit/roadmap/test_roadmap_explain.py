"""Explanations: binding capacity, marginal values, capacity what-ifs, plan comparisons."""

from __future__ import annotations

from typing import Any

from producthq.roadmap.checker import check_plan
from producthq.roadmap.explain import (
    binding_constraints,
    capacity_change,
    compare_plans,
    explain,
    marginal_values,
)
from producthq.roadmap.optimizer import SolveOptions, optimize
from producthq.roadmap.scenario import parse_scenario


def scenario_raw() -> dict[str, Any]:
    # web has 10 pw in Q1 and Q2; core has 20 (never binding).
    # Q1: a (6, value 12) + b (4, value 6) = 10 used; Q2: c (5, value 9) + d (5, value 8).
    # e (1 pw, value 3) does not fit anywhere in web: with +1 pw in a period it enters (+3).
    # f (core, 2 pw, value 1) is always chosen: core has slack.
    return {
        "periods": ["Q1", "Q2"],
        "teams": [{"id": "web", "capacity": 10}, {"id": "core", "capacity": 20}],
        "features": [
            {"id": "a", "value": 12, "effort": {"web": 6}},
            {"id": "b", "value": 6, "effort": {"web": 4}},
            {"id": "c", "value": 9, "effort": {"web": 5}},
            {"id": "d", "value": 8, "effort": {"web": 5}},
            {"id": "e", "value": 3, "effort": {"web": 1}},
            {"id": "f", "value": 1, "effort": {"core": 2}},
        ],
    }


def solved() -> tuple[Any, Any]:
    s = parse_scenario(scenario_raw())
    plan = optimize(s, SolveOptions(time_limit=5))
    assert plan.chosen_ids == {"a", "b", "c", "d", "f"}
    return s, plan


def test_binding_constraints_are_the_full_team_periods():
    s, plan = solved()
    assert sorted((b.team, b.period) for b in binding_constraints(s, plan)) == [
        ("web", "Q1"),
        ("web", "Q2"),
    ]


def test_marginal_value_of_one_more_person_week():
    s, plan = solved()
    margins = marginal_values(s, plan, time_limit=5)
    # One more pw in either web period lets e (3 for 1 pw) in; the re-solves are optimal.
    assert {(m.team, m.period): m.value_per_person_week for m in margins} == {
        ("web", "Q1"): 3.0,
        ("web", "Q2"): 3.0,
    }
    assert all(m.proven and m.entered == ("e",) for m in margins)


def test_capacity_cut_lists_what_drops_and_increase_what_enters():
    s, plan = solved()
    down = capacity_change(s, plan, -10, time_limit=5)
    # -10 %: web has 9 pw per period (core 18, still slack). Sets of web work that fit in 9:
    # {a, e} = 15, {b, c} = 15, {b, d} = 14, {c, e} = 12, {d, e} = 11. Two disjoint ones:
    # {a, e} + {b, c} = 30 is best, so d drops, e enters; with f the value is 31 (was 36).
    assert down.status == "optimal"
    assert (down.dropped, down.entered, down.objective) == (("d",), ("e",), 31)
    up = capacity_change(s, plan, 10, time_limit=5)
    assert up.entered == ("e",)
    assert up.dropped == ()


def test_explain_bundles_everything_and_is_json_ready():
    s, plan = solved()
    data = explain(s, plan, percent=10, time_limit=2).to_dict()
    assert {b["period"] for b in data["binding"]} == {"Q1", "Q2"}
    assert [c["percent"] for c in data["capacity_changes"]] == [10, -10]
    assert len(data["marginal_values"]) == 2


def test_compare_plans_side_by_side():
    s, plan = solved()
    raw = scenario_raw()
    raw["teams"][0]["capacity"] = 11
    richer = parse_scenario(raw)
    other = optimize(richer, SolveOptions(time_limit=5))
    assert check_plan(raw, other.to_dict()) == []
    comparison = compare_plans(plan, other, "base", "richer")
    kinds = {row.feature_id: row.change for row in comparison.features}
    assert kinds["e"] == "only_b"
    assert kinds["f"] in ("same", "moved")
    assert comparison.objective_b - comparison.objective_a == 3
    assert comparison.to_dict()["label_b"] == "richer"
