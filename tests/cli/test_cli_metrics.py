"""``producthq metrics …`` through CliRunner: output formats, exact CSV columns, user errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from producthq.cli.metrics import app

EVENTS = (
    "name,uid,time,props\n"
    "signup,1,2024-01-01 10:00:00,\n"
    'a,1,2024-01-01 11:00:00,"{""plan"": ""pro""}"\n'
    "b,1,2024-01-02 11:00:00,\n"
    "signup,2,2024-01-08 10:00:00,\n"
    'a,2,2024-01-08 11:00:00,"{""plan"": ""free""}"\n'
    "b,2,2024-01-20 11:00:00,\n"  # 12 days after a: outside a 7-day window
    'subscription_started,1,2024-01-05 00:00:00,"{""mrr"": 50}"\n'
    'subscription_changed,1,2024-02-05 00:00:00,"{""mrr"": 80}"\n'
)
MAP = ["--map", "event=name", "--map", "user_id=uid", "--map", "timestamp=time"]
MAP += ["--map", "properties=props"]


@pytest.fixture
def events_file(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(EVENTS, encoding="utf-8")
    return path


def _csv(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output)))


@pytest.mark.parametrize(
    ("args", "header"),
    [
        pytest.param(["dau"], "day,dau", id="dau"),
        pytest.param(["wau-mau"], "day,wau,mau", id="wau-mau"),
        pytest.param(["stickiness"], "days_active,users,users_cumulative", id="stickiness"),
        pytest.param(
            ["retention"],
            "cohort_week,period,cohort_size,retained,retained_unbounded",
            id="retention",
        ),
        pytest.param(["funnel", "--steps", "a,b"], "step,event,users", id="funnel"),
        pytest.param(["lifecycle"], "week,new,returning,resurrecting,dormant", id="lifecycle"),
        pytest.param(
            ["mrr"],
            "month,starting_mrr,new_mrr,expansion_mrr,contraction_mrr,churned_mrr,"
            "reactivation_mrr,ending_mrr,new_customers,expansion_customers,"
            "contraction_customers,churned_customers,reactivated_customers",
            id="mrr",
        ),
    ],
)
def test_csv_columns_are_exactly_metrics_md(
    events_file: Path, args: list[str], header: str
) -> None:
    result = CliRunner().invoke(app, [*args, str(events_file), *MAP, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == header


def test_dau_csv_values(events_file: Path) -> None:
    result = CliRunner().invoke(
        app, ["dau", str(events_file), *MAP, "--format", "csv", "--to", "2024-01-09"]
    )
    rows = _csv(result.output)
    assert [r["dau"] for r in rows] == ["1", "1", "0", "0", "1", "0", "0", "1", "0"]


def test_funnel_json_and_window(events_file: Path) -> None:
    result = CliRunner().invoke(
        app, ["funnel", str(events_file), "--steps", "a,b", *MAP, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert [r["users"] for r in json.loads(result.output)] == [2, 1]
    wide = CliRunner().invoke(
        app,
        ["funnel", str(events_file), "--steps", "a,b", "--window", "14d", *MAP, "--format", "json"],
    )
    assert [r["users"] for r in json.loads(wide.output)] == [2, 2]


def test_funnel_breakdown_and_dropped_export(events_file: Path, tmp_path: Path) -> None:
    dropped = tmp_path / "dropped.csv"
    result = CliRunner().invoke(
        app,
        [
            "funnel",
            str(events_file),
            "--steps",
            "a,b",
            "--breakdown",
            "plan",
            "--dropped",
            str(dropped),
            *MAP,
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = _csv(result.output)
    assert rows[0].keys() == {"breakdown", "step", "event", "users"}
    assert {(r["breakdown"], r["step"], r["users"]) for r in rows} == {
        ("free", "1", "1"),
        ("free", "2", "0"),
        ("pro", "1", "1"),
        ("pro", "2", "1"),
    }
    assert _csv(dropped.read_text(encoding="utf-8")) == [
        {"breakdown": "free", "step": "2", "event": "b", "user_id": "2"}
    ]


def test_retention_with_interval_adds_rate_columns(events_file: Path) -> None:
    result = CliRunner().invoke(
        app, ["retention", str(events_file), *MAP, "--ci", "clopper-pearson", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].endswith("rate,rate_low,rate_high")


def test_table_output(events_file: Path) -> None:
    result = CliRunner().invoke(app, ["lifecycle", str(events_file), *MAP])
    assert result.exit_code == 0, result.output
    assert "resurrecting" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["dau", "missing.csv"], "no such file", id="missing-file"),
        pytest.param(["dau", "{file}"], "required column 'event'", id="no-mapping"),
        pytest.param(["dau", "{file}", "--map", "event"], "expected COLUMN=FIELD", id="bad-map"),
        pytest.param(["dau", "{file}", "--map", "event=nope"], "'nope'", id="unknown-field"),
        pytest.param(
            ["funnel", "{file}", "--steps", "a,b", "--window", "7x", *MAP],
            "bad window",
            id="bad-window",
        ),
        pytest.param(["dau", "{file}", *MAP, "--from", "2024-13-01"], "bad date", id="bad-date"),
        pytest.param(["dau", "{file}", *MAP, "--tz", "Mars/Olympus"], "unknown time zone", id="tz"),
        pytest.param(
            ["dau", "{file}", *MAP, "--from", "2024-02-01", "--to", "2024-01-01"],
            "before it starts",
            id="reversed-range",
        ),
    ],
)
def test_user_mistakes_exit_2_with_one_line(
    events_file: Path, args: list[str], message: str
) -> None:
    args = [a.replace("{file}", str(events_file)) for a in args]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
