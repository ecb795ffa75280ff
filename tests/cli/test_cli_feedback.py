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


def test_analyze_then_themes_and_duplicates_one_row_per_item(env: None, tmp_path: Path) -> None:
    src = tmp_path / "items.csv"
    texts = [
        "The iOS app crashes when I open a dashboard",
        "iOS app crash on opening dashboards",
        "Mobile iOS app keeps crashing on dashboards",
        "Every time I open a dashboard the iOS app crashes",
        "Dashboards crash the iOS mobile app",
        "CSV export of the funnel report cuts off rows",
        "Export the funnel report to CSV please",
        "The CSV export truncates the funnel report",
        "We need a CSV export of the funnel report for finance",
        '=HYPERLINK("http://x") funnel report CSV export is missing columns',
        "Hi team,\nthe iOS app crashes when I open a dashboard!\n\nThanks,\nAnn",
    ]
    with src.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "text"])
        w.writerows([f"x{i}", t] for i, t in enumerate(texts))
    assert run("feedback", "import", str(src), "--map", "id=external_id")[0] == 0
    code, out, err = run("feedback", "analyze")
    assert code == 0, err
    assert "11 items" in out and "2 in near-duplicate groups" in out
    code, out, err = run("feedback", "themes", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["external_id"] for r in rows] == [f"x{i}" for i in range(11)]
    assert set(rows[0]) == {"external_id", "item_id", "theme_id", "theme_label"}
    assert all(r["theme_id"] for r in rows)
    assert rows[0]["theme_id"] == rows[10]["theme_id"]  # the copy joins its original's theme
    code, out, _ = run("feedback", "themes", "--format", "json", "--no-analyze")
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 11 and lines[0]["theme_label"]
    code, out, _ = run("feedback", "duplicates", "--format", "csv")
    dup = list(csv.DictReader(io.StringIO(out)))
    assert [(r["external_id"], r["group_id"]) for r in dup] == [
        ("x0", dup[0]["item_id"]),
        ("x10", dup[0]["item_id"]),
    ]
    code, out, _ = run("feedback", "export", "--format", "csv")
    exported = list(csv.DictReader(io.StringIO(out)))
    assert all(r["sentiment_label"] for r in exported)
    assert next(r for r in exported if r["external_id"] == "x9")["text"].startswith("'=")
    assert run("feedback", "themes", "--format", "xml")[0] != 0
