"""The `producthq` command on a real data folder, through Typer's CliRunner."""

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from producthq.cli.main import app

runner = CliRunner()


@pytest.fixture
def bare_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Only a data folder: the embedded defaults."""
    for var in ("PRODUCTHQ_DATABASE_URL", "PRODUCTHQ_WORKSPACE", "PRODUCTHQ_QUEUE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PRODUCTHQ_DATA_DIR", str(tmp_path / "data"))
    return {"PRODUCTHQ_DATA_DIR": str(tmp_path / "data")}


@pytest.fixture
def env(bare_env: dict[str, str], db_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A data folder and a clean application database on each engine."""
    monkeypatch.setenv("PRODUCTHQ_DATABASE_URL", db_url)
    return {**bare_env, "PRODUCTHQ_DATABASE_URL": db_url}


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:  # noqa: A002
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def _setup() -> None:
    assert run("init")[0] == 0
    code, out, err = run(
        "user", "create", "--email", "ann@acme.test", "--name", "Ann", "--password", "long password"
    )
    assert code == 0, err
    assert run("workspace", "create", "acme", "--owner", "ann@acme.test", "--name", "Acme")[0] == 0


def test_init_creates_the_data_folder_with_the_embedded_databases(bare_env: dict[str, str]) -> None:
    code, out, _ = run("init")
    assert code == 0
    data = Path(bare_env["PRODUCTHQ_DATA_DIR"])
    assert {p.name for p in data.iterdir()} >= {"app.db", "events.duckdb", "secret_key"}


def test_every_command_has_help(bare_env: dict[str, str]) -> None:
    for cmd in (
        ["init"],
        ["serve"],
        ["worker"],
        ["demo"],
        ["user", "create"],
        ["workspace", "create"],
        ["token", "create"],
        ["member", "invite"],
        ["jobs", "run"],
        ["audit", "list"],
    ):
        code, out, _ = run(*cmd, "--help")
        assert code == 0 and "Usage" in out, cmd


def test_list_commands_print_table_csv_and_json(env: dict[str, str]) -> None:
    _setup()
    code, out, _ = run("workspace", "list", "--format", "json")
    assert code == 0 and json.loads(out) == [{"id": 1, "slug": "acme", "name": "Acme"}]
    code, out, _ = run("member", "list", "--format", "csv")
    assert list(csv.DictReader(io.StringIO(out))) == [
        {"id": "1", "email": "ann@acme.test", "name": "Ann", "role": "owner"}
    ]
    code, out, _ = run("member", "list")
    assert code == 0 and "ann@acme.test" in out


def test_token_created_by_cli_works_on_the_api(env: dict[str, str], tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from producthq.settings import Settings
    from producthq.web.app import create_app

    _setup()
    code, out, _ = run("token", "create", "ci", "--role", "editor")
    assert code == 0
    secret = out.strip().splitlines()[-1]
    assert secret.startswith("phq_")
    with TestClient(
        create_app(Settings(data_dir=Path(env["PRODUCTHQ_DATA_DIR"])), run_jobs=False)
    ) as c:
        r = c.get("/api/v1/workspaces/acme", headers={"Authorization": f"Bearer {secret}"})
        assert r.status_code == 200 and r.json()["role"] == "editor"
        assert run("token", "revoke", "1")[0] == 0
        r = c.get("/api/v1/workspaces/acme", headers={"Authorization": f"Bearer {secret}"})
        assert r.status_code == 401


def test_invite_prints_the_one_time_link(env: dict[str, str]) -> None:
    _setup()
    code, out, _ = run("member", "invite", "bob@acme.test", "--role", "editor")
    assert code == 0 and "/invite/inv_" in out


def test_jobs_run_shows_progress_and_finishes(env: dict[str, str]) -> None:
    _setup()
    code, out, err = run("jobs", "run", "demo", "--param", "steps=3", "--param", "delay=0")
    assert code == 0, err
    assert "succeeded" in out
    code, out, _ = run("jobs", "list", "--format", "json")
    job = json.loads(out)[0]
    assert (job["status"], job["progress"]) == ("succeeded", 100)


def test_audit_list_filters_by_object_and_date(env: dict[str, str]) -> None:
    _setup()
    run("token", "create", "ci")
    code, out, _ = run("audit", "list", "--object", "api_token", "--format", "json")
    rows = json.loads(out)
    assert [r["action"] for r in rows] == ["create"]
    code, out, _ = run("audit", "list", "--until", "2000-01-01", "--format", "json")
    assert json.loads(out) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["workspace", "create", "x y", "--owner", "a@b.c"], "slug", id="bad-slug"),
        pytest.param(
            ["workspace", "create", "acme2", "--owner", "nobody@acme.test"],
            "no user",
            id="unknown-owner",
        ),
        pytest.param(
            ["member", "list", "--workspace", "nope"], "does not exist", id="unknown-workspace"
        ),
        pytest.param(["token", "revoke", "999"], "does not exist", id="unknown-token"),
        pytest.param(["audit", "list", "--since", "yesterday"], "not a date", id="bad-date"),
        pytest.param(["jobs", "run", "nope"], "unknown job kind", id="bad-job-kind"),
        pytest.param(
            ["member", "invite", "not-an-address"], "not an e-mail address", id="bad-invite-email"
        ),
        pytest.param(
            ["user", "create", "--email", "ann@acme.test", "--password", "long password"],
            "already exists",
            id="duplicate-email",
        ),
    ],
)
def test_user_mistakes_print_one_line_and_exit_2(
    env: dict[str, str], args: list[str], message: str
) -> None:
    _setup()
    code, out, err = run(*args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out
    assert err.strip().count("\n") == 0


def test_workspace_is_required_when_there_are_several(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _setup()
    run("workspace", "create", "beta", "--owner", "ann@acme.test")
    code, _, err = run("member", "list")
    assert code == 2 and "--workspace" in err
    monkeypatch.setenv("PRODUCTHQ_WORKSPACE", "beta")
    assert run("member", "list")[0] == 0


def test_commands_before_init_say_what_to_do(bare_env: dict[str, str]) -> None:
    code, _, err = run("member", "list")
    assert code == 2 and "producthq init" in err


def test_demo_builds_once_and_reuses(env: dict[str, str]) -> None:
    code, out, err = run("demo", "--no-serve")
    assert code == 0, err
    assert "owner@demo.producthq.test" in out and "(new)" in out
    code, out, _ = run("demo", "--no-serve")
    assert code == 0 and "(reused)" in out
    code, out, _ = run("member", "list", "--workspace", "demo", "--format", "json")
    assert len(json.loads(out)) == 5
