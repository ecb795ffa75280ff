"""The CP-SAT roadmap optimiser on hand-built scenarios with known optima, and its invariants.

Every plan is checked by the independent checker (``checker.check_plan``), which reads the raw
scenario and plan documents and shares no code with the optimiser.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from producthq.errors import InvalidInputError
from producthq.roadmap.checker import check_plan
from producthq.roadmap.greedy import greedy_plan
from producthq.roadmap.optimizer import SolveOptions, diagnose_infeasible, optimize
from producthq.roadmap.scenario import Plan, PlanStatus, parse_scenario
from producthq.roadmap.synthetic import synthetic_scenario


def solve(raw: dict[str, Any], time_limit: float = 10.0) -> Plan:
    """Optimise ``raw`` and assert the independent checker accepts the plan."""
    scenario = parse_scenario(raw)
    plan = optimize(scenario, SolveOptions(time_limit=time_limit))
    assert check_plan(raw, plan.to_dict(scenario)) == []
    return plan


def where(plan: Plan, fid: str) -> tuple[str | None, str | None, str | None]:
    a = plan.by_feature[fid]
    if not a.chosen or a.start is None or a.end is None:
        return (None, None, None)
    return (a.team, plan.periods[a.start], plan.periods[a.end])


def one_team(capacity: Any, periods: list[str], **features: dict[str, Any]) -> dict[str, Any]:
    return {
        "periods": periods,
        "teams": [{"id": "t", "capacity": capacity}],
        "features": [{"id": k, **v} for k, v in features.items()],
    }


def test_knapsack_beats_value_per_effort():
    # Capacity 10. a: 9 for 6 (1.5 per pw), b and c: 7 for 5 (1.4). Greedy takes a first and
    # then nothing fits (6 + 5 > 10): 9. The optimum takes b and c: 7 + 7 = 14.
    raw = one_team(
        10,
        ["Q1"],
        a={"value": 9, "effort": {"t": 6}},
        b={"value": 7, "effort": {"t": 5}},
        c={"value": 7, "effort": {"t": 5}},
    )
    plan = solve(raw)
    assert plan.status == PlanStatus.OPTIMAL
    assert plan.objective == 14
    assert plan.chosen_ids == {"b", "c"}
    assert plan.gap == 0
    assert greedy_plan(parse_scenario(raw)).objective == 9


def test_dependency_orders_periods_and_pulls_in_its_prerequisite():
    # 5 pw per period. b (10) needs a (1) to end first, c (8) is free. Two slots of 5 pw:
    # {a then b} = 11 beats {c, a} = 9 and {c} + nothing = 8 (b cannot go without a).
    raw = one_team(
        5,
        ["Q1", "Q2"],
        a={"value": 1, "effort": {"t": 5}},
        b={"value": 10, "effort": {"t": 5}, "depends_on": ["a"]},
        c={"value": 8, "effort": {"t": 5}},
    )
    plan = solve(raw)
    assert plan.objective == 11
    assert where(plan, "a") == ("t", "Q1", "Q1")
    assert where(plan, "b") == ("t", "Q2", "Q2")


def test_each_feature_goes_to_one_eligible_team():
    # x has 4 pw, y has 6. f2 (6) can only be done by y, which it fills; f1 then goes to x.
    # f1 on x + f2 on y = 11 beats f1 on y + f3 on x = 9 and f2 + f3 = 10.
    raw = {
        "periods": ["Q1"],
        "teams": [{"id": "x", "capacity": 4}, {"id": "y", "capacity": 6}],
        "features": [
            {"id": "f1", "value": 5, "effort": {"x": 4, "y": 4}},
            {"id": "f2", "value": 6, "effort": {"y": 6}},
            {"id": "f3", "value": 4, "effort": {"x": 4}},
        ],
    }
    plan = solve(raw)
    assert plan.objective == 11
    assert where(plan, "f1")[0] == "x"
    assert where(plan, "f2")[0] == "y"


def test_feature_spanning_periods_uses_effort_over_duration_in_each():
    # 3 pw per period. long: 6 pw over 2 periods = 3 per period, value 10. g and h: 3 pw each,
    # value 4. long alone (10) beats g + h (8); it runs Q1..Q2 and fills both periods.
    raw = one_team(
        3,
        ["Q1", "Q2"],
        long={"value": 10, "effort": {"t": 6}, "duration": 2},
        g={"value": 4, "effort": {"t": 3}},
        h={"value": 4, "effort": {"t": 3}},
    )
    plan = solve(raw)
    assert plan.objective == 10
    assert where(plan, "long") == ("t", "Q1", "Q2")
    assert plan.usage(parse_scenario(raw)) == {("t", 0): 3.0, ("t", 1): 3.0}


def test_deadline_limits_the_periods_a_feature_can_use():
    # Both a (5) and b (6) must end in Q1, where only one fits; c (1) takes Q2. Best: b + c = 7.
    raw = one_team(
        5,
        ["Q1", "Q2"],
        a={"value": 5, "effort": {"t": 5}, "deadline": "Q1"},
        b={"value": 6, "effort": {"t": 5}, "deadline": "Q1"},
        c={"value": 1, "effort": {"t": 5}},
    )
    plan = solve(raw)
    assert plan.objective == 7
    assert where(plan, "b") == ("t", "Q1", "Q1")


def test_commitment_is_included_even_when_it_costs_value():
    # a (1 for 8 pw) is committed, so b (9 for 5 pw) no longer fits in 10 pw: the optimum is 1.
    raw = one_team(
        10,
        ["Q1"],
        a={"value": 1, "effort": {"t": 8}},
        b={"value": 9, "effort": {"t": 5}},
    )
    raw["commitments"] = [{"feature": "a"}]
    plan = solve(raw)
    assert plan.chosen_ids == {"a"}
    assert plan.objective == 1


def test_commitment_with_team_and_start_is_placed_there():
    raw = {
        "periods": ["Q1", "Q2"],
        "teams": [{"id": "x", "capacity": 5}, {"id": "y", "capacity": 5}],
        "features": [{"id": "a", "value": 3, "effort": {"x": 2, "y": 2}}],
        "commitments": [{"feature": "a", "team": "y", "start": "Q2"}],
    }
    assert where(solve(raw), "a") == ("y", "Q2", "Q2")


def test_earliest_start_is_respected():
    raw = one_team(5, ["Q1", "Q2"], a={"value": 3, "effort": {"t": 2}, "earliest_start": "Q2"})
    assert where(solve(raw), "a") == ("t", "Q2", "Q2")


def test_conflicting_commitments_give_an_infeasible_plan_naming_them():
    # a and b are both committed, 6 pw each, in one period of 10 pw: they cannot both fit.
    raw = one_team(
        10,
        ["Q1"],
        a={"value": 1, "effort": {"t": 6}},
        b={"value": 1, "effort": {"t": 6}},
        c={"value": 1, "effort": {"t": 1}},
    )
    raw["commitments"] = [{"feature": "a"}, {"feature": "b"}]
    scenario = parse_scenario(raw)
    plan = optimize(scenario, SolveOptions(time_limit=5))
    assert plan.status == PlanStatus.INFEASIBLE
    assert not plan.chosen_ids
    assert diagnose_infeasible(scenario) == ["a", "b"]


def test_fractional_efforts_and_capacities_are_never_overbooked():
    # 0.1 + 0.2 + 0.7 is exactly 1.0 in decimal; the solver rounds effort up and capacity down
    # to 1/100 pw, so it accepts the three, and the exact checker agrees.
    raw = one_team(
        1.0,
        ["Q1"],
        a={"value": 1, "effort": {"t": 0.1}},
        b={"value": 1, "effort": {"t": 0.2}},
        c={"value": 1, "effort": {"t": 0.7}},
        d={"value": 1, "effort": {"t": 0.004}},
    )
    plan = solve(raw)
    # d's 0.004 is rounded up to 0.01, so it no longer fits next to the others: 3 of 4.
    assert plan.objective == 3


def test_value_may_be_a_distribution_whose_median_is_used():
    raw = one_team(
        5,
        ["Q1"],
        a={"value": {"median": 8, "low": 2, "high": 20}, "effort": {"t": 5}},
        b={"value": 7, "effort": {"t": 5}},
    )
    assert solve(raw).chosen_ids == {"a"}


def test_progress_is_reported_from_zero_to_one_hundred():
    raw = synthetic_scenario(n_features=40, n_teams=3, n_periods=4, n_dependencies=10, seed=4)
    seen: list[tuple[int, str]] = []
    optimize(
        parse_scenario(raw), SolveOptions(time_limit=2), progress=lambda p, m: seen.append((p, m))
    )
    assert seen[0][0] == 0
    assert seen[-1][0] == 100
    assert all(0 <= p <= 100 for p, _ in seen)
    assert "value" in seen[-1][1]


def test_time_limit_returns_a_feasible_plan_with_a_proven_gap():
    raw = synthetic_scenario(
        n_features=500, n_teams=8, n_periods=4, n_dependencies=100, seed=1, n_commitments=5
    )
    scenario = parse_scenario(raw)
    plan = optimize(scenario, SolveOptions(time_limit=1.0))
    assert plan.status in (PlanStatus.FEASIBLE, PlanStatus.OPTIMAL)
    assert plan.wall_seconds < 5
    assert plan.objective <= plan.best_bound + 1e-6
    assert plan.gap == pytest.approx((plan.best_bound - plan.objective) / plan.objective, rel=1e-3)
    assert check_plan(raw, plan.to_dict()) == []
    assert plan.objective >= greedy_plan(scenario).objective


def test_gap_limit_stops_early_with_a_gap_within_the_limit():
    raw = synthetic_scenario(n_features=200, n_teams=4, n_periods=4, n_dependencies=40, seed=2)
    plan = optimize(parse_scenario(raw), SolveOptions(time_limit=10, gap_limit=0.05))
    assert plan.gap <= 0.05
    assert check_plan(raw, plan.to_dict()) == []


def test_synthetic_scenarios_are_valid_reproducible_and_acyclic():
    a = synthetic_scenario(n_features=300, n_teams=5, n_periods=4, n_dependencies=80, seed=9)
    b = synthetic_scenario(n_features=300, n_teams=5, n_periods=4, n_dependencies=80, seed=9)
    assert a == b
    scenario = parse_scenario(a)  # raises on cycles or impossible deadlines
    assert sum(len(f.depends_on) for f in scenario.features) == 80


# --------------------------------------------------------------------------- properties


@st.composite
def small_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """Tiny scenarios: 1-3 periods, 1-2 teams, up to 4 features, acyclic dependencies."""
    n_periods = draw(st.integers(1, 3))
    periods = [f"P{i}" for i in range(n_periods)]
    teams = [
        {
            "id": f"t{i}",
            "capacity": draw(st.lists(st.integers(0, 8), min_size=n_periods, max_size=n_periods)),
        }
        for i in range(draw(st.integers(1, 2)))
    ]
    features = []
    for i in range(draw(st.integers(1, 4))):
        eligible = draw(
            st.lists(st.sampled_from([t["id"] for t in teams]), min_size=1, unique=True)
        )
        feature: dict[str, Any] = {
            "id": f"f{i}",
            "value": draw(st.integers(0, 20)),
            "effort": {t: draw(st.integers(0, 8)) for t in eligible},
            "duration": draw(st.integers(1, n_periods)),
        }
        earlier = [f"f{j}" for j in range(i)]
        if earlier:
            feature["depends_on"] = draw(
                st.lists(st.sampled_from(earlier), unique=True, max_size=2)
            )
        features.append(feature)
    return {"periods": periods, "teams": teams, "features": features}


def brute_force_optimum(raw: dict[str, Any]) -> float:
    """Best objective over every assignment, judged by the independent checker alone."""
    periods = raw["periods"]
    options_per_feature = []
    for f in raw["features"]:
        opts: list[dict[str, Any]] = [{"id": f["id"], "chosen": False}]
        for team in f["effort"]:
            for s in range(len(periods) - f["duration"] + 1):
                opts.append(
                    {
                        "id": f["id"],
                        "chosen": True,
                        "team": team,
                        "start": periods[s],
                        "end": periods[s + f["duration"] - 1],
                    }
                )
        options_per_feature.append(opts)
    values = {f["id"]: f["value"] for f in raw["features"]}
    best = 0.0
    for combo in itertools.product(*options_per_feature):
        total = sum(values[e["id"]] for e in combo if e["chosen"])
        if total <= best:
            continue
        plan = {
            "status": "feasible",
            "objective": total,
            "best_bound": total,
            "gap": 0,
            "features": list(combo),
        }
        if not check_plan(raw, plan):
            best = total
    return best


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=small_scenarios())
def test_optimiser_is_feasible_optimal_and_at_least_greedy(raw: dict[str, Any]) -> None:
    try:
        scenario = parse_scenario(raw)
    except InvalidInputError:
        return  # e.g. a duration longer than the horizon; covered by the validation tests
    plan = optimize(scenario, SolveOptions(time_limit=10))
    assert plan.status == PlanStatus.OPTIMAL
    # Never over capacity, dependencies respected, etc.: the independent checker says so.
    assert check_plan(raw, plan.to_dict()) == []
    greedy = greedy_plan(scenario)
    assert check_plan(raw, greedy.to_dict()) == []
    assert plan.objective >= greedy.objective - 1e-9
    assert plan.objective == pytest.approx(brute_force_optimum(raw))
    for (team, p), used in plan.usage(scenario).items():
        assert used <= scenario.team_by_id[team].capacity[p] + 1e-9


def test_plan_without_a_solution_serialises_to_valid_json():
    import json

    from jsonschema import Draft202012Validator

    from producthq.roadmap.scenario import load_schema

    raw = one_team(
        10, ["Q1"], a={"value": 1, "effort": {"t": 6}}, b={"value": 1, "effort": {"t": 6}}
    )
    raw["commitments"] = [{"feature": "a"}, {"feature": "b"}]
    plan = optimize(parse_scenario(raw), SolveOptions(time_limit=2))
    data = json.loads(json.dumps(plan.to_dict(), allow_nan=False))
    assert list(Draft202012Validator(load_schema("plan")).iter_errors(data)) == []
    assert data["status"] == "infeasible"


def test_plans_start_every_feature_as_early_as_the_rules_allow():
    # Capacity 1 per period over four periods; a, b, c take 1 each and c waits for b. Any
    # placement of the three is worth 6; the stable one is a and b in Q1/Q2 (one each, the
    # order free) and c right after b, with Q4 empty.
    raw = one_team(
        1,
        ["Q1", "Q2", "Q3", "Q4"],
        a={"value": 3, "effort": {"t": 1}},
        b={"value": 2, "effort": {"t": 1}},
        c={"value": 1, "effort": {"t": 1}, "depends_on": ["b"]},
    )
    plan = solve(raw)
    assert plan.objective == 6
    starts = {fid: where(plan, fid)[1] for fid in "abc"}
    assert {starts["a"], starts["b"]} == {"Q1", "Q2"}
    assert starts["c"] == {"Q1": "Q2", "Q2": "Q3"}[starts["b"]]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_chosen_feature_could_start_earlier_on_its_own(seed: int) -> None:
    # For every chosen, uncommitted feature, moving it alone one period earlier on the same
    # team must break a rule, as the independent checker sees it.
    raw = synthetic_scenario(
        n_features=40, n_teams=3, n_periods=4, n_dependencies=12, seed=seed, n_commitments=1
    )
    scenario = parse_scenario(raw)
    plan = optimize(scenario, SolveOptions(time_limit=5))
    doc = plan.to_dict(scenario)
    assert check_plan(raw, doc) == []
    committed = {c["feature"] for c in raw.get("commitments", [])}
    periods = raw["periods"]
    for i, entry in enumerate(doc["features"]):
        if not entry["chosen"] or entry["id"] in committed or entry["start"] == periods[0]:
            continue
        s, e = periods.index(entry["start"]), periods.index(entry["end"])
        moved = {**entry, "start": periods[s - 1], "end": periods[e - 1]}
        earlier = {**doc, "features": [*doc["features"][:i], moved, *doc["features"][i + 1 :]]}
        assert check_plan(raw, earlier) != [], entry["id"]
