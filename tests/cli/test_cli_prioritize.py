"""``producthq prioritize FILE`` through CliRunner: formats, input forms and row errors."""

import csv
import io
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from producthq.cli.prioritize import app, prioritize_command

runner = CliRunner()

RICE_CSV = """name,reach,impact,confidence,effort,notes
Onboarding,500,2,80%,2,free text is ignored
Export,2000,1,0.5,4,
Dark mode,200..800@0.8,1,100%,1..3,
"""


def _write(tmp_path: Path, text: str, name: str = "features.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_json_output_ranks_by_median_score(tmp_path: Path) -> None:
    """Onboarding 500 x 2 x 0.8 / 2 = 400; Export 2000 x 1 x 0.5 / 4 = 250 (both points)."""
    result = runner.invoke(app, [str(_write(tmp_path, RICE_CSV)), "--format", "json", "--top", "1"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    by_name = {r["name"]: r for r in rows}
    assert by_name["Onboarding"]["score"] == 400.0
    assert by_name["Onboarding"]["low"] == by_name["Onboarding"]["high"] == 400.0
    assert by_name["Export"]["score"] == 250.0
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)
    assert sum(r["p_top_1"] for r in rows) == pytest.approx(1.0, abs=1e-3)
    assert by_name["Dark mode"]["driver"] in {"reach", "effort"}
    assert by_name["Onboarding"]["driver"] is None


def test_csv_output_has_header_and_one_row_per_feature(tmp_path: Path) -> None:
    result = runner.invoke(app, [str(_write(tmp_path, RICE_CSV)), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["name"] for r in rows][:2] == ["Onboarding", "Export"]
    assert set(rows[0]) >= {"rank", "score", "low", "high", "p_top_10", "driver", "rank_swing"}


def test_table_output(tmp_path: Path) -> None:
    result = runner.invoke(app, [str(_write(tmp_path, RICE_CSV))])
    assert result.exit_code == 0, result.output
    assert "Onboarding" in result.stdout and "p_top_10" in result.stdout


def test_two_column_ranges_and_exact_method(tmp_path: Path) -> None:
    text = "feature,reach_low,reach_high,impact,confidence,effort\nA,100,400,1,1,1\nB,50,50,1,1,1\n"
    result = runner.invoke(
        app, [str(_write(tmp_path, text)), "--format", "json", "--method", "exact"]
    )
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert rows["A"]["score"] == 200.0  # sqrt(100 x 400) = 200
    assert rows["A"]["low"] == pytest.approx(100.0, rel=1e-5)  # the 90 % interval is the range
    assert rows["B"]["score"] == 50.0


def test_each_bad_row_is_reported_with_row_and_field(tmp_path: Path) -> None:
    text = (
        "name,reach,impact,confidence,effort\n"
        "A,lots,2,0.8,2\n"
        "B,100,2,80,0\n"
        ",100,2,0.8,2\n"
        "C,800..200,1,1,1\n"
    )
    result = runner.invoke(app, [str(_write(tmp_path, text))])
    assert result.exit_code == 2
    err = result.stderr
    assert "bad CSV rows: 5 problem(s); first at 2, reach" in err
    assert "3, confidence: confidence must be at most 1" in err
    assert "3, effort: effort must be greater than 0" in err
    assert "4, name: missing name" in err
    assert "5, reach: range low 800 is above high 200" in err


def test_missing_input_column_is_a_header_error(tmp_path: Path) -> None:
    text = "name,reach,impact,confidence,effort_low\nA,1,1,1,1\n"
    result = runner.invoke(app, [str(_write(tmp_path, text))])
    assert result.exit_code == 2
    assert "give both effort_low and effort_high" in result.stderr


def test_unknown_framework_lists_known_ones(tmp_path: Path) -> None:
    result = runner.invoke(app, [str(_write(tmp_path, RICE_CSV)), "--framework", "rise"])
    assert result.exit_code == 2
    assert "unknown framework 'rise'; known: rice, ice" in result.stderr


def test_weighted_framework_with_formula(tmp_path: Path) -> None:
    """value weight 2, effort cost 1: A 2 x 8 / 2 = 8, B 2 x 3 / 1 = 6."""
    text = "name,value,effort\nA,8,2\nB,3,1\n"
    args = [str(_write(tmp_path, text)), "--framework", "weighted", "--format", "json"]
    args += [
        "--criterion",
        "value=2",
        "--cost",
        "effort=1",
        "--formula",
        "w_value * value / effort",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert [(r["name"], r["score"]) for r in json.loads(result.stdout)] == [("A", 8.0), ("B", 6.0)]


def test_weighted_formula_error_points_at_column(tmp_path: Path) -> None:
    args = [str(_write(tmp_path, "name,value\nA,1\n")), "--framework", "weighted"]
    args += ["--criterion", "value=1", "--formula", "w_value * valeu"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "formula column 11: unknown name 'valeu' (did you mean 'value'?)" in result.stderr


def test_value_effort_shows_quadrant_label(tmp_path: Path) -> None:
    text = "name,value,effort\nQuick,9,2\nPit,2,9\n"
    result = runner.invoke(
        app, [str(_write(tmp_path, text)), "--framework", "value_effort", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert {r["name"]: r["label"] for r in json.loads(result.stdout)} == {
        "Quick": "quick_win",
        "Pit": "money_pit",
    }


def test_kano_counts_file(tmp_path: Path) -> None:
    text = "name,attractive,one_dimensional,must_be,indifferent\nChat,4,2,3,1\n"
    result = runner.invoke(
        app, [str(_write(tmp_path, text)), "--framework", "kano", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert (row["score"], row["label"]) == (0.6, "attractive")


def test_prioritize_command_registers_at_top_level(tmp_path: Path) -> None:
    top = typer.Typer()
    top.command("prioritize")(prioritize_command)

    @top.command("other")
    def other() -> None:
        """A second command so ``prioritize`` is a real subcommand."""

    result = runner.invoke(
        top,
        [
            "prioritize",
            str(_write(tmp_path, RICE_CSV)),
            "--framework",
            "rice",
            "--top",
            "2",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "p_top_2" in result.stdout


def test_file_without_rows(tmp_path: Path) -> None:
    result = runner.invoke(app, [str(_write(tmp_path, "name,reach,impact,confidence,effort\n"))])
    assert result.exit_code == 2
    assert "no feature rows" in result.stderr
