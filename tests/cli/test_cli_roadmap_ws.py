"""`producthq roadmap export-scenario / import-scenario / items list` on a real database."""

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from producthq.accounts import service as accounts
from producthq.audit.service import Actor
from producthq.cli.main import app
from producthq.db import make_engine, make_session_factory, workspace_scope
from producthq.roadmap import organisation as org
from producthq.roadmap import planning, service
from producthq.roadmap.checker import check_plan
from producthq.roadmap.schemas import ItemCreate, PeriodCreate, PersonCreate, TeamCreate

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def env(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    for var in ("PRODUCTHQ_WORKSPACE", "PRODUCTHQ_QUEUE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PRODUCTHQ_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PRODUCTHQ_DATABASE_URL", db_url)
    assert run("init")[0] == 0
    assert (
        run(
            "user",
            "create",
            "--email",
            "ann@acme.test",
            "--name",
            "Ann",
            "--password",
            "long password",
        )[0]
        == 0
    )
    assert run("workspace", "create", "acme", "--owner", "ann@acme.test", "--name", "Acme")[0] == 0
    engine = make_engine(db_url)
    with make_session_factory(engine)() as s:
        ws = accounts.get_workspace(s, slug="acme")
        with workspace_scope(s, ws.id):
            _seed(s, Actor(None, "test", ws.id, "owner"))
        s.commit()
    engine.dispose()
    return db_url


def _seed(s: Session, actor: Actor) -> None:
    team = org.create_team(s, actor=actor, data=TeamCreate(name="Web", key="web"))
    org.create_person(s, actor=actor, data=PersonCreate(name="Ana", team_id=team.id))
    for name, start, end in (
        ("W1", date(2025, 1, 6), date(2025, 1, 10)),
        ("W2", date(2025, 1, 13), date(2025, 1, 17)),
    ):
        org.create_period(s, actor=actor, data=PeriodCreate(name=name, start=start, end=end))
    for title, value in (("=evil()", 4), ("b", 3), ("c", 2)):
        service.create_item(
            s, actor=actor, data=ItemCreate(title=title, value=value, effort={"web": 1})
        )


def test_export_optimise_check_import(env: str, tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.json"
    code, out, err = run("roadmap", "export-scenario", "--workspace", "acme", "-o", str(scenario))
    assert code == 0, err
    assert "3 features, 1 teams, 2 periods" in out
    doc = json.loads(scenario.read_text())
    assert doc["teams"] == [{"id": "web", "name": "Web", "capacity": [1.0, 1.0]}]
    plan = tmp_path / "plan.json"
    code, _, err = run(
        "roadmap", "optimize", str(scenario), "-o", str(plan), "--no-progress", "--time-limit", "3"
    )
    assert code == 0, err
    raw_plan = json.loads(plan.read_text())
    assert check_plan(doc, raw_plan) == [] and raw_plan["objective"] == 7.0
    assert run("roadmap", "check", str(scenario), str(plan))[0] == 0
    code, out, err = run("roadmap", "import-scenario", str(scenario), "--name", "From file")
    assert code == 0, err and "saved scenario" in out
    engine = make_engine(env)
    with make_session_factory(engine)() as s:
        ws = accounts.get_workspace(s, slug="acme")
        (row,) = planning.list_scenarios(s, workspace_id=ws.id)
        assert row.name == "From file" and row.scenario == doc
    engine.dispose()


def test_import_rejects_a_bad_scenario(env: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"periods": ["Q1"], "teams": [{"id": "t", "capacity": -1}], "features": []})
    )
    code, _, err = run("roadmap", "import-scenario", str(bad))
    assert code == 2 and "error:" in err and "negative" in err


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_items_list_formats(env: str, fmt: str) -> None:
    code, out, err = run("roadmap", "items", "list", "--format", fmt)
    assert code == 0, err
    if fmt == "json":
        assert [i["title"] for i in json.loads(out)] == ["=evil()", "b", "c"]
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [r["title"] for r in rows] == ["'=evil()", "b", "c"]
    else:
        assert "┃ id" in out and out.count("│ ") >= 3  # rich narrows to the runner's width


def test_items_list_rejects_an_unknown_format(env: str) -> None:
    code, _, err = run("roadmap", "items", "list", "--format", "xml")
    assert code == 2 and "--format 'xml'" in err


def _saved_scenario(tmp_path: Path) -> int:
    scenario = tmp_path / "scenario.json"
    assert run("roadmap", "export-scenario", "-w", "acme", "-o", str(scenario))[0] == 0
    code, out, err = run("roadmap", "import-scenario", str(scenario), "--name", "Two weeks")
    assert code == 0, err
    return int(out.split()[2])


def test_scenarios_run_explain_compare_apply(env: str, tmp_path: Path) -> None:
    sid = _saved_scenario(tmp_path)
    code, out, err = run("roadmap", "scenarios", "list", "--format", "json")
    assert code == 0, err
    assert [(r["id"], r["name"], r["status"]) for r in json.loads(out)] == [
        (sid, "Two weeks", "draft")
    ]
    code, out, err = run(
        "roadmap", "scenarios", "run", str(sid), "--time-limit", "2", "--no-progress",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    plan = json.loads(out)
    # By hand: one person-week per week, three 1-pw items worth 4, 3 and 2: the two best fit
    # (7), both weeks are full, and one more person-week in either lets the third in (+2).
    assert plan["status"] == "optimal" and plan["objective"] == 7.0
    margins = {
        m["period"]: m["value_per_person_week"] for m in plan["explanation"]["marginal_values"]
    }
    assert margins == {"W1": 2.0, "W2": 2.0}
    engine = make_engine(env)
    with make_session_factory(engine)() as s:
        ws = accounts.get_workspace(s, slug="acme")
        row = planning.get_scenario(s, workspace_id=ws.id, scenario_id=sid)
        assert row.status == "solved" and check_plan(row.scenario, row.plan) == []
    engine.dispose()
    code, out, err = run("roadmap", "scenarios", "compare", str(sid), str(sid), "--format", "json")
    assert code == 0, err
    assert {f["change"] for f in json.loads(out)["features"]} == {"same", "neither"}
    code, out, err = run("roadmap", "scenarios", "apply", str(sid))
    assert code == 0, err
    assert "2 items updated, 0 created" in out
    code, out, _ = run("roadmap", "items", "list", "--format", "json")
    placed = {i["title"]: (i["team"], i["start"]) for i in json.loads(out)}
    assert placed["c"][0] in ("", None) and {placed["=evil()"][0], placed["b"][0]} == {"Web"}
    assert {placed["=evil()"][1], placed["b"][1]} == {"2025-01-06", "2025-01-13"}  # W1, W2


def test_scenarios_commands_explain_mistakes(env: str, tmp_path: Path) -> None:
    code, _, err = run("roadmap", "scenarios", "run", "99", "--no-progress")
    assert code == 2 and "scenario 99 does not exist" in err
    sid = _saved_scenario(tmp_path)
    code, _, err = run("roadmap", "scenarios", "apply", str(sid))
    assert code == 2 and "no feasible plan to apply" in err
    code, _, err = run("roadmap", "scenarios", "compare", str(sid), str(sid))
    assert code == 2 and "has no plan yet" in err


def test_scenarios_delete(env: str, tmp_path: Path) -> None:
    sid = _saved_scenario(tmp_path)
    code, out, err = run("roadmap", "scenarios", "delete", str(sid))
    assert code == 0 and f"deleted scenario {sid}" in out, err
    assert json.loads(run("roadmap", "scenarios", "list", "--format", "json")[1]) == []
    code, _, err = run("roadmap", "scenarios", "delete", str(sid))
    assert code == 2 and "does not exist" in err
