"""``producthq roadmap …`` through Typer's CliRunner: exit codes, output, clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from producthq.cli.roadmap import app
from producthq.roadmap.checker import check_plan

runner = CliRunner()

SCENARIO: dict[str, Any] = {
    "name": "cli",
    "periods": ["Q1", "Q2"],
    "teams": [{"id": "web", "capacity": 10}, {"id": "core", "capacity": [6, 6]}],
    "features": [
        # web: a (6) + b (4) fill Q1 or Q2; c (5) and d (5) fill the other; e (1) is left out.
        {"id": "a", "value": 12, "effort": {"web": 6}},
        {"id": "b", "value": 6, "effort": {"web": 4}},
        {"id": "c", "value": 9, "effort": {"web": 5}},
        {"id": "d", "value": 8, "effort": {"web": 5}, "depends_on": ["f"]},
        {"id": "e", "value": 3, "effort": {"web": 1}},
        {"id": "f", "value": 1, "effort": {"core": 6}, "deadline": "Q1"},
    ],
}


def write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_optimize_prints_a_json_plan_the_checker_accepts(tmp_path: Path) -> None:
    path = write(tmp_path, "scenario.json", SCENARIO)
    result = runner.invoke(app, ["optimize", str(path), "--time-limit", "5", "--no-progress"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["status"] == "optimal"
    assert plan["objective"] == 36  # a, b, c, d and f (d needs f, done in Q1 by core)
    assert check_plan(SCENARIO, plan) == []


def test_optimize_writes_the_plan_and_check_accepts_it(tmp_path: Path) -> None:
    path = write(tmp_path, "scenario.json", SCENARIO)
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["optimize", str(path), "-o", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "plan written to" in result.stdout
    checked = runner.invoke(app, ["check", str(path), str(out)])
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.startswith("ok: the plan is feasible (5 features, value 36)")


def test_optimize_table_format_with_explanation(tmp_path: Path) -> None:
    path = write(tmp_path, "scenario.json", SCENARIO)
    result = runner.invoke(
        app,
        ["optimize", str(path), "--format", "table", "--explain", "--time-limit", "5"],
    )
    assert result.exit_code == 0, result.output
    assert "optimal: value 36.000" in result.stdout
    assert "chosen features" in result.stdout
    assert "binding capacity" in result.stdout
    assert "capacity +10%" in result.stdout


def test_check_reports_violations_and_exits_1(tmp_path: Path) -> None:
    scenario = write(tmp_path, "scenario.json", SCENARIO)
    plan = {
        "status": "feasible",
        "objective": 18,
        "best_bound": 18,
        "gap": 0,
        "features": [
            {"id": "a", "chosen": True, "team": "web", "start": "Q1", "end": "Q1"},
            {"id": "c", "chosen": True, "team": "web", "start": "Q1", "end": "Q1"},
        ],
    }
    result = runner.invoke(app, ["check", str(scenario), str(write(tmp_path, "p.json", plan))])
    assert result.exit_code == 1
    assert "error: the plan breaks 2 rule(s)" in result.stderr
    assert "team 'web' in period 'Q1' uses 11 person-weeks but has 10" in result.stderr
    assert "objective is 18 but the chosen values sum to 21" in result.stderr


def test_explain_and_compare_saved_plans(tmp_path: Path) -> None:
    scenario = write(tmp_path, "scenario.json", SCENARIO)
    richer = dict(SCENARIO, teams=[{"id": "web", "capacity": 11}, SCENARIO["teams"][1]])
    richer_path = write(tmp_path, "richer.json", richer)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert runner.invoke(app, ["optimize", str(scenario), "-o", str(a)]).exit_code == 0
    assert runner.invoke(app, ["optimize", str(richer_path), "-o", str(b)]).exit_code == 0
    explained = runner.invoke(app, ["explain", str(scenario), str(a), "--format", "json"])
    assert explained.exit_code == 0, explained.output
    margins = {(m["team"], m["period"]): m for m in json.loads(explained.stdout)["marginal_values"]}
    # web is full in both periods; core is full in Q1 (f), but one more week there is useless.
    assert set(margins) == {("web", "Q1"), ("web", "Q2"), ("core", "Q1")}
    assert margins[("core", "Q1")]["value_per_person_week"] == 0
    compared = runner.invoke(app, ["compare", str(scenario), str(a), str(b), "--format", "json"])
    assert compared.exit_code == 0, compared.output
    rows = {r["feature_id"]: r["change"] for r in json.loads(compared.stdout)["features"]}
    assert rows["e"] == "only_b"
    table = runner.invoke(app, ["compare", str(scenario), str(a), str(b)])
    assert "only_b" in table.stdout


def bad(mutate: Any) -> dict[str, Any]:
    raw = json.loads(json.dumps(SCENARIO))
    mutate(raw)
    return raw


@pytest.mark.parametrize(
    ("content", "lines"),
    [
        pytest.param(
            bad(
                lambda r: (
                    r["features"][0].update(depends_on=["d"])
                    or r["features"][5].update(depends_on=["a"])
                )
            ),
            ["dependency cycle: a -> d -> f -> a"],
            id="cycle",
        ),
        pytest.param(
            bad(lambda r: r["features"][1].update(effort={"mobile": 3})),
            [
                "error: scenario.json is not a valid scenario",
                "scenario.json/features/1/effort/mobile: feature 'b': unknown team 'mobile'",
            ],
            id="unknown-team",
        ),
        pytest.param(
            bad(lambda r: r["teams"][1].update(capacity=[6, -2])),
            ["scenario.json/teams/1/capacity/1: team 'core', capacity.1: -2 is negative"],
            id="negative-capacity",
        ),
        pytest.param(
            bad(lambda r: r["features"][2].update(effort={"web": 25}, deadline="Q2")),
            ["feature 'c' cannot meet its deadline 'Q2': no eligible team has the capacity"],
            id="impossible-deadline",
        ),
        pytest.param(
            '{"periods": ["Q1"],,}',
            ["error: scenario.json is not valid JSON", "line 1"],
            id="bad-json",
        ),
        pytest.param(
            # web has 10 then 4: a (6) and c (5) each need Q1, so they cannot both be done.
            bad(
                lambda r: r.update(
                    commitments=[{"feature": "a"}, {"feature": "c"}],
                    teams=[{"id": "web", "capacity": [10, 4]}, {"id": "core", "capacity": 6}],
                )
            ),
            [
                "error: no plan meets every constraint; conflicting commitments: 'a', 'c'",
                "scenario.json/commitments/0: commitment 'a' is part of a set that cannot all fit",
            ],
            id="conflicting-commitments",
        ),
    ],
)
def test_bad_input_prints_clear_errors_and_exits_2(
    tmp_path: Path, content: Any, lines: list[str]
) -> None:
    path = write(tmp_path, "scenario.json", content)
    result = runner.invoke(app, ["optimize", str(path), "--time-limit", "5", "--no-progress"])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    for line in lines:
        assert line in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["optimize", str(tmp_path / "nope.json")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_plan_that_does_not_match_its_schema_is_rejected(tmp_path: Path) -> None:
    scenario = write(tmp_path, "scenario.json", SCENARIO)
    plan = write(tmp_path, "plan.json", {"status": "great", "features": []})
    result = runner.invoke(app, ["check", str(scenario), str(plan)])
    assert result.exit_code == 2
    assert "plan.json/status: status: 'great' is not one of" in result.stderr
    assert "'objective' is a required property" in result.stderr
