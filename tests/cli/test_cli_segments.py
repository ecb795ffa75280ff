"""``producthq metrics … --segment / --breakdown user.KEY`` on plain files with property files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from producthq.cli.metrics import app

# 2026-10-05 is a Monday.
EVENTS = (
    "event,user_id,group_id,timestamp\n"
    "signup,u1,acme,2026-10-05 09:00:00\n"  # u1 (acme, pro) converts 23 h later
    "project_created,u1,acme,2026-10-06 08:00:00\n"
    "signup,u2,,2026-10-05 09:00:00\n"  # u2 (free) converts after 3 days
    "project_created,u2,,2026-10-08 10:00:00\n"
    "signup,u3,acme,2026-10-06 12:00:00\n"  # u3 (acme, pro) never converts
)
USERS = "user_id,plan,seats\nu1,pro,12\nu2,free,3\nu3,pro,1\n"
ACCOUNTS = "group_id,industry\nacme,saas\n"
PRO = json.dumps({"conditions": [{"type": "user", "key": "plan", "value": "pro"}]})


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    out = {}
    for name, text in (("events.csv", EVENTS), ("users.csv", USERS), ("accounts.csv", ACCOUNTS)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        out[name.split(".")[0]] = str(tmp_path / name)
    return out


def _csv(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output)))


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_dau_with_a_segment_keeps_the_whole_range(files: dict[str, str]) -> None:
    code, out = run(
        "dau", files["events"], "--users", files["users"], "--segment", PRO, "--format", "csv"
    )
    assert code == 0, out
    # Pro users u1, u3: 10-05 u1 · 10-06 u1 u3 · 10-07 none · 10-08 none (u2 only).
    assert [(r["day"], r["dau"]) for r in _csv(out)] == [
        ("2026-10-05", "1"),
        ("2026-10-06", "2"),
        ("2026-10-07", "0"),
        ("2026-10-08", "0"),
    ]


def test_funnel_broken_down_by_a_user_property(files: dict[str, str]) -> None:
    code, out = run(
        "funnel", files["events"], "--steps", "signup,project_created", "--window", "1d",
        "--breakdown", "user.plan", "--users", files["users"], "--format", "csv",
    )  # fmt: skip
    assert code == 0, out
    rows = [(r["breakdown"], r["step"], r["users"]) for r in _csv(out)]
    # pro: u1 and u3 enter, u1 converts; free: u2 enters, converts too late.
    assert rows == [("pro", "1", "2"), ("pro", "2", "1"), ("free", "1", "1"), ("free", "2", "0")]


def test_account_segment_from_a_file_and_a_numeric_condition(
    files: dict[str, str], tmp_path: Path
) -> None:
    definition = tmp_path / "seg.json"
    saas_big = {
        "conditions": [
            {"type": "account", "key": "industry", "value": "saas"},
            {"type": "user", "key": "seats", "op": "gte", "value": "10"},
        ]
    }
    definition.write_text(json.dumps(saas_big), encoding="utf-8")
    code, out = run(
        "dau", files["events"], "--users", files["users"], "--accounts", files["accounts"],
        "--segment", f"@{definition}", "--format", "json",
    )  # fmt: skip
    assert code == 0, out
    # acme users u1, u3; 10+ seats: u1 only → active 10-05 and 10-06.
    assert [r["dau"] for r in json.loads(out)] == [1, 1, 0, 0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--breakdown", "user.plan"], "pass --users FILE", id="no-users-file"),
        pytest.param(["--segment", "{bad"], "not valid JSON", id="bad-json"),
        pytest.param(
            ["--segment", '{"conditions": [{"type": "user", "key": "plan", "op": "is"}]}'],
            "unknown operator 'is'",
            id="bad-operator",
        ),
        pytest.param(["--users", "missing.csv", "--segment", PRO], "no such file", id="no-file"),
    ],
)
def test_user_mistakes_exit_2_with_one_line(
    files: dict[str, str], args: list[str], message: str
) -> None:
    code, out = run("dau", files["events"], *args)
    assert code == 2
    assert message in out and "Traceback" not in out
