"""The examples in docs/roadmap-optimizer.md are valid and reproduce what the code does."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from producthq.roadmap.checker import check_plan
from producthq.roadmap.explain import explain
from producthq.roadmap.optimizer import SolveOptions, optimize
from producthq.roadmap.scenario import load_schema, parse_plan, parse_scenario

DOC = Path(__file__).parents[3] / "docs" / "roadmap-optimizer.md"


def example(name: str) -> Any:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"<!-- example: {name} -->\s*```json\n(.*?)```", text, re.S)
    assert match, f"no {name} example in {DOC}"
    return json.loads(match.group(1))


@pytest.mark.parametrize("name", ["scenario", "plan"])
def test_schemas_are_valid_and_accept_the_examples(name: str) -> None:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert list(Draft202012Validator(schema).iter_errors(example(name))) == []


def test_documented_plan_is_what_the_optimiser_finds() -> None:
    raw = example("scenario")
    documented = example("plan")
    scenario = parse_scenario(raw)
    assert check_plan(raw, documented) == []
    plan = optimize(scenario, SolveOptions(time_limit=10))
    assert check_plan(raw, plan.to_dict()) == []
    assert plan.status.value == documented["status"]
    assert plan.objective == documented["objective"]
    chosen = {f["id"] for f in documented["features"] if f["chosen"]}
    assert plan.chosen_ids == chosen
    parse_plan(documented, scenario)  # refers only to known features, teams and periods


def test_documented_explanation_matches() -> None:
    scenario = parse_scenario(example("scenario"))
    plan = parse_plan(example("plan"), scenario)
    documented = example("explanation")
    got = explain(scenario, plan, percent=10, time_limit=5).to_dict()
    assert got["capacity_changes"] == documented["capacity_changes"]
    platform = [m for m in got["marginal_values"] if m["team"] == "platform"]
    assert platform == documented["marginal_values"]
    assert all(b in got["binding"] for b in documented["binding"])
