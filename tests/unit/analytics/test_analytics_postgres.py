"""The hand-computed cases on PostgreSQL: the same expressions must give the same numbers.

Needs the local server (127.0.0.1:5432, user postgres, database ``test``); each case loads its
events into a table in a uniquely named schema, dropped afterwards. Skipped with the reason when
psycopg or the server is unavailable.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest
from analytics_cases import (
    ENGINE_CASES,
    FUNNEL_BREAKDOWN_EXPECTED,
    FUNNEL_EXPECTED,
    FUNNEL_FURTHEST,
    FUNNEL_PARAMS,
    FUNNEL_ROWS,
    Row,
    duck_events,
)

from producthq.analytics.metrics import run_metric
from producthq.analytics.params import MetricParams

pytestmark = pytest.mark.postgres
DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"


@pytest.fixture(scope="module")
def pg() -> Iterator[tuple[Any, Any, str]]:
    """An Ibis PostgreSQL backend, a psycopg connection and a fresh schema (dropped after)."""
    psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed")
    try:
        raw = psycopg.connect(DSN, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432/test is unavailable: {exc}")
    import ibis

    schema = f"phq_analytics_{uuid.uuid4().hex[:10]}"
    raw.execute(f'CREATE SCHEMA "{schema}"')
    con = ibis.postgres.connect(host="127.0.0.1", port=5432, user="postgres", database="test")
    con.raw_sql("SET TIME ZONE 'UTC'")
    try:
        yield con, raw, schema
    finally:
        con.disconnect()
        raw.execute(f'DROP SCHEMA "{schema}" CASCADE')
        raw.close()


@pytest.fixture
def pg_events(pg: tuple[Any, Any, str]) -> Callable[[list[Row]], Any]:
    con, raw, schema = pg

    def load(rows: list[Row]) -> Any:
        name = f"events_{uuid.uuid4().hex[:8]}"
        raw.execute(
            f'CREATE TABLE "{schema}"."{name}" (event text, user_id text, anonymous_id text, '
            'group_id text, "timestamp" timestamp, message_id text, properties json)'
        )
        with raw.cursor() as cur:
            cur.executemany(
                f'INSERT INTO "{schema}"."{name}" VALUES (%s, %s, NULL, NULL, %s, %s, %s)',
                [
                    (e, u, t, f"m{i}", json.dumps(p) if p is not None else None)
                    for i, (e, u, t, p) in enumerate(rows)
                ],
            )
        return con.table(name, database=schema)

    return load


@pytest.mark.parametrize(("kind", "rows", "params"), ENGINE_CASES)
def test_postgres_matches_duckdb(
    pg_events: Callable[[list[Row]], Any], kind: str, rows: list[Row], params: MetricParams
) -> None:
    on_pg = run_metric(kind, pg_events(rows), params).frame
    on_duck = run_metric(kind, duck_events(rows), params).frame
    pd.testing.assert_frame_equal(on_pg, on_duck, check_dtype=False)


def test_postgres_funnel_numbers(pg_events: Callable[[list[Row]], Any]) -> None:
    from dataclasses import replace

    events = pg_events(FUNNEL_ROWS)
    assert list(run_metric("funnel", events, FUNNEL_PARAMS).frame.users) == FUNNEL_EXPECTED
    frame = run_metric("funnel", events, replace(FUNNEL_PARAMS, breakdown="plan")).frame
    got = {b: list(g.sort_values("step").users) for b, g in frame.groupby("breakdown")}
    assert got == FUNNEL_BREAKDOWN_EXPECTED


def test_postgres_funnel_window_path(
    monkeypatch: pytest.MonkeyPatch, pg_events: Callable[[list[Row]], Any]
) -> None:
    # Every user down the window-pass path (the default sends these few-attempt users to
    # the join path): the same hand-computed furthest steps.
    from producthq.analytics import metrics_funnel

    monkeypatch.setattr(metrics_funnel, "LIGHT_MAX_ATTEMPTS", 0)
    frame = run_metric("funnel_users", pg_events(FUNNEL_ROWS), FUNNEL_PARAMS).frame
    assert dict(zip(frame.user_id, frame.furthest_step, strict=True)) == FUNNEL_FURTHEST
