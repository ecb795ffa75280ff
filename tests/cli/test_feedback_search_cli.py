"""`producthq feedback search` through CliRunner, on both engines."""

import csv
import io
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from producthq.cli import feedback as feedback_cli
from producthq.cli import output
from producthq.cli.main import app as main_app

runner = CliRunner()
ROWS = [
    # id, text: "export" 3 times, once, never
    ("t-1", "Exporting to CSV is slow: the export takes minutes and each export fails."),
    ("t-2", "Dark mode in the mobile app, please; the export button is fine by me."),
    ("t-3", '=HYPERLINK("x") [bold]SAML[/bold] single sign-on for the security team.'),
]


def _app() -> typer.Typer:
    names = {g.name for g in main_app.registered_groups}
    if "feedback" not in names:
        main_app.add_typer(feedback_cli.app, name="feedback")
    return main_app


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(_app(), list(args))
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
    path = tmp_path / "tickets.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["external_id", "text", "source"])
        writer.writerows((i, t, "support_ticket") for i, t in ROWS)
    code, _, err = run("feedback", "import", str(path), "--workspace", "acme")
    assert code == 0, err


def test_search_prints_hits_best_first_as_json(env: None) -> None:
    code, out, err = run("feedback", "search", "exports", "--format", "json", "-w", "acme")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["external_id"] for r in rows] == ["t-1", "t-2"]
    assert rows[0]["rank"] > rows[1]["rank"]
    assert rows[1]["snippet"] == ROWS[1][1]  # plain text, no markers


def test_search_csv_guards_formulas_and_limit_applies(env: None) -> None:
    code, out, err = run("feedback", "search", "saml", "--format", "csv", "-w", "acme")
    assert code == 0, err
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["external_id"] == "t-3" and row["snippet"].startswith("'=HYPERLINK")
    code, out, _ = run("feedback", "search", "export", "--limit", "1", "-f", "json", "-w", "acme")
    assert [r["external_id"] for r in json.loads(out)] == ["t-1"]


def test_search_table_shows_user_text_literally(env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output.console, "width", 400)  # one line per row
    code, out, err = run("feedback", "search", "saml", "-w", "acme")
    assert code == 0, err
    assert "[bold]SAML[/bold]" in out  # the user's brackets are text, not rich markup


def test_search_notes_repairs_and_similar_mode(env: None) -> None:
    code, out, err = run("feedback", "search", '"export button', "-f", "json", "-w", "acme")
    assert code == 0 and [r["external_id"] for r in json.loads(out)] == ["t-2"]
    assert "closing quote was missing" in err
    code, out, err = run("feedback", "search", "AND OR (", "-f", "json", "-w", "acme")
    assert code == 0 and json.loads(out) == [] and "no word to search for" in err
    code, out, err = run(
        "feedback", "search", "single sign on saml", "--similar", "-f", "json", "-w", "acme"
    )
    assert code == 0, err
    assert json.loads(out)[0]["external_id"] == "t-3"


def test_search_rejects_a_bad_format(env: None) -> None:
    code, _, err = run("feedback", "search", "export", "--format", "xml", "-w", "acme")
    assert code == 2 and "xml" in err
