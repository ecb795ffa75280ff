"""``producthq events …`` on a real database and events store, through CliRunner."""

import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from producthq.analytics import service
from producthq.analytics.capture import parse_message
from producthq.cli.main import app
from producthq.settings import Settings

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def env(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var in ("PRODUCTHQ_WORKSPACE", "PRODUCTHQ_QUEUE_URL", "PRODUCTHQ_EVENTS_URL"):
        monkeypatch.delenv(var, raising=False)
    data = tmp_path / "data"
    monkeypatch.setenv("PRODUCTHQ_DATA_DIR", str(data))
    monkeypatch.setenv("PRODUCTHQ_DATABASE_URL", db_url)
    assert run("init")[0] == 0
    assert run("user", "create", "--email", "ann@acme.test", "--password", "long password")[0] == 0
    assert run("workspace", "create", "acme", "--owner", "ann@acme.test", "--name", "Acme")[0] == 0
    return data


def test_import_then_status_and_reimport_adds_nothing(env: Path, tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(
        '{"name": "signup", "uid": "u1", "time": "2026-10-05T09:00:00Z"}\n'
        '{"name": "pageview", "uid": "u1", "time": "2026-10-06T09:00:00Z"}\n',
        encoding="utf-8",
    )
    maps = ["--map", "event=name", "--map", "user_id=uid", "--map", "timestamp=time"]
    code, out, err = run(
        "events", "import", str(path), "--workspace", "acme", *maps, "--format", "json"
    )
    assert code == 0, err
    assert json.loads(out) == [{"rows_read": 2, "imported": 2, "skipped_duplicates": 0}]
    code, out, _ = run("events", "import", str(path), "--workspace", "acme", *maps, "-f", "json")
    assert json.loads(out)[0]["imported"] == 0
    code, out, _ = run("events", "status", "--workspace", "acme", "-f", "json")
    assert json.loads(out) == [{"events": 2, "backlog": 0}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["missing.csv"], "no such file", id="missing"),
        pytest.param(["events.txt"], "cannot tell the format", id="format"),
        pytest.param(["events.csv", "--map", "nope=x"], "unknown column", id="bad-map"),
        pytest.param(["events.csv", "--map", "user_id=who"], "not a column", id="unmapped-field"),
    ],
)
def test_import_mistakes_are_one_line_and_exit_2(
    env: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "events.txt").write_text("x", encoding="utf-8")
    (tmp_path / "events.csv").write_text(
        "event,user_id,timestamp\nsignup,u,2026-01-01\n", encoding="utf-8"
    )
    first = str(tmp_path / args[0])
    code, _, err = run("events", "import", first, *args[1:], "--workspace", "acme")
    assert code == 2
    assert message in err and "Traceback" not in err


def test_load_moves_captured_events_and_write_key_create_prints_a_key(env: Path) -> None:
    code, out, err = run("events", "write-key", "create", "backend", "--workspace", "acme")
    assert code == 0, err
    assert out.strip().startswith("phqw_")
    settings = Settings(data_dir=env)
    received = datetime(2026, 11, 1, 12, 0)  # noqa: DTZ001 - naive UTC
    rec = parse_message(
        {"userId": "u", "event": "x", "messageId": "m"}, kind="track", received_at=received
    )
    assert service.capture(settings, workspace_id=1, records=[rec], received_at=received) == [True]
    code, out, _ = run("events", "load", "-f", "json")
    assert code == 0 and json.loads(out)[0]["events"] == 1
    code, out, _ = run("events", "refresh-key-results", "--workspace", "acme", "-f", "json")
    assert code == 0 and json.loads(out) == []
