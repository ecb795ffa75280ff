"""`producthq feedback …` and `producthq companies import` through CliRunner, on both engines."""

import csv
import io
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from producthq.cli import feedback as feedback_cli
from producthq.cli.main import app as main_app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feedback_import"
runner = CliRunner()


def _app() -> typer.Typer:
    """The main app, with the feedback groups mounted (as `producthq` mounts them)."""
    names = {g.name for g in main_app.registered_groups}
    if "feedback" not in names:
        main_app.add_typer(feedback_cli.app, name="feedback")
    if "companies" not in names:
        main_app.add_typer(feedback_cli.companies_app, name="companies")
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


def test_import_with_a_preset_then_again_adds_nothing(env: None) -> None:
    code, out, err = run("feedback", "import", str(FIXTURES / "zendesk.csv"), "--preset", "zendesk")
    assert code == 0, err
    assert "3 feedback items created" in out
    code, out, _ = run("feedback", "import", str(FIXTURES / "zendesk.csv"), "--preset", "zendesk")
    assert code == 0 and "0 feedback items created" in out and "3 already there" in out


def test_import_with_column_mapping(env: None) -> None:
    code, out, err = run(
        "feedback",
        "import",
        str(FIXTURES / "plain.jsonl"),
        "--map",
        "body=text",
        "--map",
        "when=occurred_at",
        "--map",
        "id=external_id",
    )
    assert code == 0, err
    assert "2 feedback items created" in out


def test_bad_rows_print_a_summary_and_one_line_each_and_exit_2(env: None) -> None:
    code, _out, err = run("feedback", "import", str(FIXTURES / "bad_feedback.csv"))
    assert code == 2
    lines = err.strip().splitlines()
    assert lines[0].startswith("error: bad_feedback.csv: nothing imported: 4 problem(s)")
    assert len(lines) == 5
    assert "bad_feedback.csv, 4, occurred_at: row 4" in err
    code, out, _ = run("feedback", "export", "--format", "json")
    assert code == 0 and out.strip() == ""


def test_companies_import_with_hubspot_preset(env: None) -> None:
    code, out, err = run(
        "companies", "import", str(FIXTURES / "hubspot_companies.csv"), "--preset", "hubspot"
    )
    assert code == 0, err
    assert "2 companies created" in out


def test_export_csv_guards_formulas_and_json_has_every_field(env: None, tmp_path: Path) -> None:
    src = tmp_path / "evil.csv"
    src.write_text(
        'text,author_email,company_name\n"=HYPERLINK(""http://x.test"",""click"")",a@b.co,"@Evil"\n'
    )
    assert run("feedback", "import", str(src))[0] == 0
    code, out, _ = run("feedback", "export", "--format", "csv")
    assert code == 0
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["text"] == '\'=HYPERLINK("http://x.test","click")'
    assert row["company_name"] == "'@Evil"
    assert row["person_email"] == "a@b.co"
    code, out, _ = run("feedback", "export", "--format", "json")
    item = json.loads(out.splitlines()[0])
    assert item["text"].startswith("=HYPERLINK")  # JSON is data, not a spreadsheet
    assert {"sentiment", "sentiment_label", "theme_id", "tags", "extra"} <= set(item)
