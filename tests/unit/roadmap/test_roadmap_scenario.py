"""Scenario parsing: every bad input gets a located, named explanation, never a crash."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from producthq.errors import InvalidInputError
from producthq.roadmap.scenario import find_cycles, parse_json, parse_scenario


def base() -> dict[str, Any]:
    return {
        "name": "base",
        "periods": ["Q1", "Q2", "Q3"],
        "teams": [{"id": "web", "capacity": [10, 10, 10]}, {"id": "core", "capacity": 8}],
        "features": [
            {"id": "a", "value": 5, "effort": {"web": 4}},
            {"id": "b", "value": 3, "effort": {"web": 2, "core": 3}, "depends_on": ["a"]},
            {"id": "c", "value": 2, "effort": {"core": 6}, "duration": 2},
        ],
    }


def problems(raw: Any) -> list[tuple[list[Any], str, str]]:
    with pytest.raises(InvalidInputError) as info:
        parse_scenario(raw, source="scenario.json")
    return [(list(p.loc), p.message, p.code) for p in info.value.details]


def test_valid_scenario_parses_with_defaults():
    s = parse_scenario(base())
    assert s.team_by_id["core"].capacity == (8.0, 8.0, 8.0)
    assert s.feature_by_id["b"].depends_on == ("a",)
    assert s.feature_by_id["c"].duration == 2
    assert s.feature_by_id["a"].duration == 1


def test_round_trip_through_to_dict():
    s = parse_scenario(base())
    assert parse_scenario(s.to_dict()) == s


def test_dependency_cycle_is_named():
    raw = base()
    raw["features"][0]["depends_on"] = ["c"]
    raw["features"][2]["depends_on"] = ["b"]
    [(loc, message, code)] = problems(raw)
    assert code == "cycle"
    assert "a -> c -> b -> a" in message
    assert loc == ["scenario.json", "features", 0, "depends_on"]


def test_self_dependency_is_a_cycle():
    raw = base()
    raw["features"][0]["depends_on"] = ["a"]
    [(_, message, code)] = problems(raw)
    assert (message, code) == ("feature 'a' depends on itself", "cycle")


def test_find_cycles_reports_one_cycle_per_component():
    raw = base()
    raw["features"] += [
        {"id": "x", "value": 1, "effort": {"web": 1}, "depends_on": ["y"]},
        {"id": "y", "value": 1, "effort": {"web": 1}, "depends_on": ["x"]},
    ]
    raw["features"][0]["depends_on"] = ["b"]
    found = problems(raw)
    assert sorted(m for _, m, _ in found) == [
        "dependency cycle: a -> b -> a (each feature depends on the next)",
        "dependency cycle: x -> y -> x (each feature depends on the next)",
    ]


def test_find_cycles_handles_long_chains_without_recursion():
    from producthq.roadmap.scenario import Feature, Scenario, Team

    n = 5000
    features = tuple(
        Feature(
            id=f"f{i}", value=1, effort={"t": 1}, depends_on=(f"f{i + 1}",) if i < n - 1 else ()
        )
        for i in range(n)
    )
    assert find_cycles(Scenario(("Q1",), (Team("t", (1.0,)),), features)) == []


@pytest.mark.parametrize(
    ("mutate", "loc", "fragment"),
    [
        pytest.param(
            lambda r: r["features"][1]["effort"].update({"mobile": 2}),
            ["scenario.json", "features", 1, "effort", "mobile"],
            "feature 'b': unknown team 'mobile'; teams are core, web",
            id="unknown-team-in-effort",
        ),
        pytest.param(
            lambda r: r.update(commitments=[{"feature": "a", "team": "ops"}]),
            ["scenario.json", "commitments", 0, "team"],
            "team 'ops', which cannot do it",
            id="commitment-to-ineligible-team",
        ),
        pytest.param(
            lambda r: r["teams"][0]["capacity"].__setitem__(1, -5),
            ["scenario.json", "teams", 0, "capacity", 1],
            "team 'web', capacity.1: -5 is negative; it must be 0 or more",
            id="negative-capacity",
        ),
        pytest.param(
            lambda r: r["teams"][1].update(capacity=-1),
            ["scenario.json", "teams", 1, "capacity"],
            "team 'core', capacity: -1 is negative",
            id="negative-scalar-capacity",
        ),
        pytest.param(
            lambda r: r["features"][0].update(value="high"),
            ["scenario.json", "features", 0, "value"],
            "feature 'a', value: 'high' is not of type 'number', 'object'",
            id="value-not-a-number",
        ),
        pytest.param(
            lambda r: r["features"][2].pop("effort"),
            ["scenario.json", "features", 2],
            "feature 'c': 'effort' is a required property",
            id="missing-effort",
        ),
        pytest.param(
            lambda r: r["features"][0].update(colour="red"),
            ["scenario.json", "features", 0],
            "'colour' was unexpected",
            id="unknown-field",
        ),
        pytest.param(
            lambda r: r["features"][1].update(depends_on=["zzz"]),
            ["scenario.json", "features", 1, "depends_on", 0],
            "feature 'b' depends on unknown feature 'zzz'",
            id="unknown-dependency",
        ),
        pytest.param(
            lambda r: r["features"][0].update(deadline="Q9"),
            ["scenario.json", "features", 0, "deadline"],
            "unknown period 'Q9'; periods are Q1, Q2, Q3",
            id="unknown-period",
        ),
        pytest.param(
            lambda r: r["teams"][0].update(capacity=[1, 2]),
            ["scenario.json", "teams", 0, "capacity"],
            "team 'web' has 2 capacity values but there are 3 periods",
            id="capacity-length",
        ),
        pytest.param(
            lambda r: r["features"].append({"id": "a", "value": 1, "effort": {"web": 1}}),
            ["scenario.json", "features", 3, "id"],
            "feature id 'a' is repeated (first at features[0])",
            id="duplicate-feature",
        ),
        pytest.param(
            lambda r: r["features"][2].update(duration=4),
            ["scenario.json", "features", 2, "duration"],
            "feature 'c' lasts 4 periods but the plan has only 3",
            id="duration-beyond-horizon",
        ),
        pytest.param(
            lambda r: r.update(commitments=[{"feature": "nope"}]),
            ["scenario.json", "commitments", 0, "feature"],
            "commitment to unknown feature 'nope'",
            id="commitment-unknown-feature",
        ),
        pytest.param(
            lambda r: r.update(teams=[]),
            ["scenario.json", "teams"],
            "should be non-empty",
            id="no-teams",
        ),
    ],
)
def test_bad_input_is_located_and_explained(mutate, loc, fragment):
    raw = base()
    mutate(raw)
    found = problems(raw)
    assert any(p_loc == loc and fragment in msg for p_loc, msg, _ in found), found


def test_every_problem_is_reported_at_once():
    raw = base()
    raw["features"][0]["effort"] = {"mobile": 1}
    raw["features"][1]["depends_on"] = ["zzz"]
    raw["features"][2]["deadline"] = "Q7"
    assert len(problems(raw)) == 3


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        pytest.param(
            lambda r: r["features"][2].update(deadline="Q1"),
            "feature 'c' cannot meet its deadline 'Q1': it lasts 2 period(s), so it cannot end "
            "by its deadline 'Q1'",
            id="too-long-for-deadline",
        ),
        pytest.param(
            lambda r: r["features"][1].update(deadline="Q1"),
            "feature 'b' cannot meet its deadline 'Q1': it depends on 'a', so it cannot start "
            "before 'Q2'",
            id="dependency-chain",
        ),
        pytest.param(
            lambda r: r["features"][0].update(effort={"web": 40}, deadline="Q2"),
            "feature 'a' cannot meet its deadline 'Q2': no eligible team has the capacity: team "
            "'web' needs 40 person-weeks per period but has at most 10 in Q1..Q2",
            id="no-team-big-enough",
        ),
        pytest.param(
            lambda r: r["features"][0].update(earliest_start="Q3", deadline="Q2"),
            "cannot start before 'Q3', so it cannot end by its deadline 'Q2'",
            id="earliest-after-deadline",
        ),
    ],
)
def test_impossible_deadline_names_the_feature_and_the_reason(mutate, fragment):
    raw = base()
    mutate(raw)
    [(loc, message, code)] = problems(raw)
    assert code == "impossible_deadline"
    assert loc[-1] == "deadline"
    assert fragment in message


def test_commitment_no_team_can_meet_is_explained():
    raw = base()
    raw["features"][0]["effort"] = {"web": 11}
    raw["commitments"] = [{"feature": "a"}]
    [(loc, message, code)] = problems(raw)
    assert loc == ["scenario.json", "commitments", 0]
    assert code == "impossible_commitment"
    assert "committed feature 'a' cannot be scheduled" in message


def test_commitment_start_before_dependency_ends_is_explained():
    raw = base()
    raw["commitments"] = [{"feature": "b", "start": "Q1"}]
    [(_, message, _)] = problems(raw)
    assert "committed to start in 'Q1'" in message
    assert "it depends on 'a'" in message


def test_not_an_object_is_a_schema_problem():
    [(loc, message, _)] = problems([1, 2])
    assert loc == ["scenario.json"]
    assert "is not of type 'object'" in message


def test_json_syntax_error_names_line_and_column():
    with pytest.raises(InvalidInputError) as info:
        parse_json('{"periods": [\n  "Q1",,]}', "s.json")
    assert "s.json is not valid JSON" in info.value.message
    assert "line 2" in info.value.message


def test_input_is_not_modified():
    raw = base()
    before = copy.deepcopy(raw)
    parse_scenario(raw)
    assert raw == before
