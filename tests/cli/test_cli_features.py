"""``producthq features …`` and ``producthq prioritize`` on a workspace, through CliRunner."""

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from producthq.cli.main import app

runner = CliRunner()

JIRA = (
    "Summary,Issue key,Status,Labels,Labels,Component/s,Project name\n"
    "SSO,PHQ-1,To Do,security,enterprise,Auth,Platform\n"
    "=SUM(A1),PHQ-2,Done,,,,\n"
)
RICE = (
    "title,reach,impact,confidence,effort\n"
    "Onboarding,500,2,80%,2\n"  # 500 x 2 x 0.8 / 2 = 400
    "Export,2000,1,0.5,4\n"  # 2000 x 1 x 0.5 / 4 = 250
    "Cheap,100,1,1,0.2\n"  # 100 / 0.2 = 500
)


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def env(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("PRODUCTHQ_WORKSPACE", "PRODUCTHQ_QUEUE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PRODUCTHQ_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PRODUCTHQ_DATABASE_URL", db_url)
    assert run("init")[0] == 0
    code, _, err = run(
        "user", "create", "--email", "ann@acme.test", "--name", "Ann", "--password", "long password"
    )
    assert code == 0, err
    assert run("workspace", "create", "acme", "--owner", "ann@acme.test")[0] == 0


def _file(tmp_path: Path, text: str, name: str = "f.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_with_jira_preset_then_list_and_export(env: None, tmp_path: Path) -> None:
    code, out, err = run("features", "import", _file(tmp_path, JIRA), "--preset", "jira")
    assert code == 0, err
    assert "2 features created, 1 products, 1 components" in out
    code, out, _ = run("features", "list", "--format", "json", "--workspace", "acme")
    rows = json.loads(out)
    assert [(r["title"], r["status"], r["tags"]) for r in rows] == [
        ("=SUM(A1)", "shipped", ""),
        ("SSO", "idea", "security, enterprise"),
    ]
    code, out, _ = run("features", "export", "--format", "csv")
    exported = list(csv.DictReader(io.StringIO(out)))
    assert exported[0]["title"] == "'=SUM(A1)"
    assert exported[1]["component"] == "Auth"
    code, out, _ = run("features", "list", "--tag", "security", "--format", "csv")
    assert [r["title"] for r in csv.DictReader(io.StringIO(out))] == ["SSO"]


def test_bad_rows_are_all_reported_and_nothing_is_imported(env: None, tmp_path: Path) -> None:
    text = "Name,Months\nA,zero\n,2\n"
    code, _, err = run(
        "features",
        "import",
        _file(tmp_path, text),
        "--map",
        "Name=title",
        "--map",
        "Months=rice.effort",
    )
    assert code == 2
    assert "2 problem(s)" in err
    assert "2, rice.effort" in err and "3, title: missing title" in err
    code, out, _ = run("features", "list", "--format", "json")
    assert json.loads(out) == []
    code, _, err = run("features", "import", _file(tmp_path, text), "--map", "Name")
    assert code == 2 and "COLUMN=FIELD" in err


def test_prioritize_ranks_the_workspace_and_what_if_moves(env: None, tmp_path: Path) -> None:
    assert run("features", "import", _file(tmp_path, RICE))[0] == 0
    code, out, err = run("prioritize", "--framework", "rice", "--top", "1", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["name"], r["score"]) for r in rows] == [
        ("Cheap", 500.0),
        ("Onboarding", 400.0),
        ("Export", 250.0),
    ]
    assert [r["p_top_1"] for r in rows] == [1.0, 0.0, 0.0]
    # Reach weighted 0 (ignored): Cheap 1 / 0.2 = 5; Onboarding 1.6 / 2 = 0.8; Export 0.125.
    code, out, _ = run("prioritize", "--weight", "reach=0", "--format", "json")
    rows = json.loads(out)
    assert [(r["name"], r["rank_before"]) for r in rows] == [
        ("Cheap", 1),
        ("Onboarding", 2),
        ("Export", 3),
    ]
    code, out, _ = run("prioritize", "--weight", "impact=3", "--format", "csv")
    # Impact cubed: Onboarding 500 x 8 x 0.8 / 2 = 1600 now beats Cheap (500).
    assert [r["name"] for r in csv.DictReader(io.StringIO(out))][0] == "Onboarding"
    code, _, err = run("prioritize", "--weight", "speed=2")
    assert code == 2 and "no input 'speed'" in err


def test_bad_filters_are_one_line_errors(env: None) -> None:
    code, _, err = run("features", "list", "--tag", "x" * 60)
    assert code == 2 and "--tag" in err and "Traceback" not in err
    code, _, err = run("features", "list", "--status", "someday")
    assert code == 2 and "status 'someday'" in err
    code, _, err = run("prioritize", "--tag", "x" * 60)
    assert code == 2 and "Traceback" not in err
