"""The greedy baseline: value per effort, first fit, same constraints as the optimiser."""

from __future__ import annotations

from producthq.roadmap.checker import check_plan
from producthq.roadmap.greedy import greedy_plan, value_density
from producthq.roadmap.scenario import Feature, PlanStatus, parse_scenario
from producthq.roadmap.synthetic import synthetic_scenario


def test_value_density_uses_the_cheapest_team():
    assert value_density(Feature("x", 12.0, {"a": 6.0, "b": 4.0})) == 3.0
    assert value_density(Feature("x", 1.0, {"a": 0.0})) == float("inf")


def test_greedy_takes_dependents_after_their_prerequisites():
    # b (best ratio) depends on a; a fits in Q1, then b in Q2.
    raw = {
        "periods": ["Q1", "Q2"],
        "teams": [{"id": "t", "capacity": 5}],
        "features": [
            {"id": "a", "value": 1, "effort": {"t": 5}},
            {"id": "b", "value": 50, "effort": {"t": 5}, "depends_on": ["a"]},
        ],
    }
    plan = greedy_plan(parse_scenario(raw))
    assert plan.chosen_ids == {"a", "b"}
    assert plan.by_feature["b"].start == 1


def test_greedy_places_commitments_first():
    raw = {
        "periods": ["Q1"],
        "teams": [{"id": "t", "capacity": 5}],
        "features": [
            {"id": "a", "value": 1, "effort": {"t": 5}},
            {"id": "b", "value": 50, "effort": {"t": 5}},
        ],
        "commitments": [{"feature": "a"}],
    }
    assert greedy_plan(parse_scenario(raw)).chosen_ids == {"a"}


def test_greedy_reports_commitments_it_cannot_place():
    raw = {
        "periods": ["Q1"],
        "teams": [{"id": "t", "capacity": 5}],
        "features": [
            {"id": "a", "value": 1, "effort": {"t": 3}},
            {"id": "b", "value": 1, "effort": {"t": 3}},
        ],
        "commitments": [{"feature": "a"}, {"feature": "b"}],
    }
    plan = greedy_plan(parse_scenario(raw))
    assert plan.status == PlanStatus.INFEASIBLE
    assert "b" in plan.message


def test_greedy_plans_on_synthetic_scenarios_are_feasible():
    for seed in range(3):
        raw = synthetic_scenario(
            n_features=150, n_teams=4, n_periods=4, n_dependencies=40, seed=seed, n_commitments=2
        )
        assert check_plan(raw, greedy_plan(parse_scenario(raw)).to_dict()) == []
