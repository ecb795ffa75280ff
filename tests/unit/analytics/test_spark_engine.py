"""The hand-computed cases on Spark in local mode: the distributed path gives the same numbers.

The same cases the DuckDB and PostgreSQL tests run (``analytics_cases.py``), through the same
expressions, on one local Spark session (``local[1]``, one shuffle partition, UI off, session
time zone UTC) shared by the module. Each case's events become a temporary view with the
canonical schema (properties as JSON text, cast to Ibis's JSON type as the DuckDB loader does).
Skipped with the reason when pyspark or Java is missing.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pandas as pd
import pytest
from analytics_cases import (
    DAU_EXPECTED,
    ENGINE_CASES,
    FUNNEL_BREAKDOWN_EXPECTED,
    FUNNEL_EXPECTED,
    FUNNEL_FURTHEST,
    FUNNEL_NO_REENTRY_EXPECTED,
    FUNNEL_PARAMS,
    FUNNEL_ROWS,
    LIFECYCLE_EXPECTED,
    MRR_EXPECTED,
    RETENTION_EXPECTED,
    TZ_DAU_EXPECTED,
    Row,
    duck_events,
    frame,
)

from producthq.analytics.metrics import run_metric
from producthq.analytics.params import MetricParams

pytestmark = [
    pytest.mark.spark,
    pytest.mark.slow,
    # One Java process per run: with --dist loadgroup every Spark test lands on the same worker.
    pytest.mark.xdist_group("spark"),
    # Ibis's pyspark backend registers pandas UDFs the old way; pyspark warns about it.
    pytest.mark.filterwarnings("ignore:In Python 3.6\\+ and Spark 3.0\\+:UserWarning"),
]


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session (pyspark with the machine's Java) for the whole run."""
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e '.[spark]')")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java: no java on PATH")
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = (
        SparkSession.builder.master("local[1]")
        .appName("producthq-tests")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        # Tiny inputs: planning and code generation dominate, so skip adaptive execution
        # and whole-stage code generation (results do not depend on either).
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


@pytest.fixture
def spark_events(spark: Any) -> Callable[[list[Row]], Any]:
    """Load hand-written rows into a Spark view; return the canonical Ibis table on it."""
    from producthq.analytics.sources import spark_events_table

    def load(rows: list[Row]) -> Any:
        name = f"events_{uuid.uuid4().hex[:8]}"
        return spark_events_table(spark, frame(rows), name)

    return load


def _ints(values: pd.Series) -> list[int]:
    return [int(v) for v in values]


def _by_period(result: pd.DataFrame, label: str, columns: list[str]) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for _, row in result.iterrows():
        out[row[label]] = tuple(float(row[c]) for c in columns)
    return out


def _hand_checked(case: str, result: pd.DataFrame) -> None:
    """Assert the hand-worked numbers of ``analytics_cases.py`` (not DuckDB's output)."""
    if case == "dau":
        assert {r.day: int(r.dau) for r in result.itertuples() if r.dau} == DAU_EXPECTED
    elif case == "dau-time-zone":
        assert {r.day: int(r.dau) for r in result.itertuples()} == TZ_DAU_EXPECTED
    elif case == "lifecycle":
        got = _by_period(result, "week", ["new", "returning", "resurrecting", "dormant"])
        assert got == {w: tuple(float(v) for v in vals) for w, vals in LIFECYCLE_EXPECTED.items()}
    elif case == "retention":
        got = {
            (r.cohort_week, int(r.period)): (
                int(r.cohort_size),
                int(r.retained),
                int(r.retained_unbounded),
            )
            for r in result.itertuples()
        }
        assert got == RETENTION_EXPECTED
    elif case == "funnel":
        assert _ints(result.users) == FUNNEL_EXPECTED
    elif case == "mrr":
        money = [
            "starting_mrr",
            "new_mrr",
            "expansion_mrr",
            "contraction_mrr",
            "churned_mrr",
            "reactivation_mrr",
            "ending_mrr",
        ]
        expected = {m: tuple(float(v) for v in vals) for m, vals in MRR_EXPECTED.items()}
        assert _by_period(result, "month", money) == expected


@pytest.mark.parametrize(("kind", "rows", "params"), ENGINE_CASES)
def test_spark_matches_duckdb(
    request: pytest.FixtureRequest,
    spark_events: Callable[[list[Row]], Any],
    kind: str,
    rows: list[Row],
    params: MetricParams,
) -> None:
    on_spark = run_metric(kind, spark_events(rows), params).frame
    on_duck = run_metric(kind, duck_events(rows), params).frame
    pd.testing.assert_frame_equal(on_spark, on_duck, check_dtype=False)
    _hand_checked(request.node.callspec.id, on_spark)


def test_spark_funnel_options(spark_events: Callable[[list[Row]], Any]) -> None:
    events = spark_events(FUNNEL_ROWS)
    first_only = replace(FUNNEL_PARAMS, reentry=False)
    assert _ints(run_metric("funnel", events, first_only).frame.users) == (
        FUNNEL_NO_REENTRY_EXPECTED
    )
    by_plan = run_metric("funnel", events, replace(FUNNEL_PARAMS, breakdown="plan")).frame
    got = {b: _ints(g.sort_values("step").users) for b, g in by_plan.groupby("breakdown")}
    assert got == FUNNEL_BREAKDOWN_EXPECTED


def test_spark_funnel_window_path(
    monkeypatch: pytest.MonkeyPatch, spark_events: Callable[[list[Row]], Any]
) -> None:
    # Every user down the window-pass path (the default sends these few-attempt users to
    # the join path): the same hand-computed furthest steps.
    from producthq.analytics import metrics_funnel

    monkeypatch.setattr(metrics_funnel, "LIGHT_MAX_ATTEMPTS", 0)
    frame = run_metric("funnel_users", spark_events(FUNNEL_ROWS), FUNNEL_PARAMS).frame
    assert dict(zip(frame.user_id, frame.furthest_step, strict=True)) == FUNNEL_FURTHEST
