"""The SQL each metric compiles to, per dialect, snapshotted beside the result checks.

Set ``PRODUCTHQ_UPDATE_SNAPSHOTS=1`` to rewrite the snapshots after an intended change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from producthq.analytics.metrics import RUNNERS, compile_sql

SNAPSHOTS = Path(__file__).parent / "sql_snapshots"
DIALECTS = ["duckdb", "postgres"]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("kind", sorted(RUNNERS))
def test_sql_snapshot(kind: str, dialect: str) -> None:
    sql = compile_sql(kind, dialect).strip() + "\n"
    path = SNAPSHOTS / f"{kind}.{dialect}.sql"
    if os.environ.get("PRODUCTHQ_UPDATE_SNAPSHOTS") == "1" or not path.exists():
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(sql, encoding="utf-8")
    assert sql == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", sorted(RUNNERS))
def test_sql_is_deterministic(kind: str) -> None:
    assert compile_sql(kind, "duckdb") == compile_sql(kind, "duckdb")


def test_time_zone_compiles_to_offset_cases() -> None:
    from datetime import date

    from producthq.analytics.params import MetricParams

    sql = compile_sql(
        "dau",
        "postgres",
        MetricParams(start=date(2024, 3, 1), end=date(2024, 4, 30), tz="Europe/Paris"),
    )
    # One offset before 2024-03-31 01:00 UTC (+1 h), one after (+2 h).
    assert "2024-03-31T01:00:00" in sql
    assert "INTERVAL '7200 SECOND'" in sql
