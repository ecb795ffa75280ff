"""The DuckDB path that runs a metric from its template's cached SQL, and both funnel chains.

``run_metric`` on DuckDB compiles each template once and substitutes the events' SQL for the
placeholder table. The reference is Ibis's own execution of the bound expression
(``to_pandas``), which compiles the whole graph on every call; the funnel chain paths are
checked against the hand-computed cases of ``analytics_cases``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import ibis
import pandas as pd
import pytest
from analytics_cases import (
    FUNNEL_BREAKDOWN_EXPECTED,
    FUNNEL_EXPECTED,
    FUNNEL_PARAMS,
    FUNNEL_ROWS,
    FUNNEL_SECONDS_TO_C,
    duck_events,
    duck_events_from_frame,
)

from producthq.analytics import metrics, metrics_funnel
from producthq.analytics.metrics import RUNNERS, get_runner, resolve_calendar, run_metric
from producthq.analytics.params import MetricParams, parse_steps

PARAMS = MetricParams(
    start=date(2024, 1, 8),
    end=date(2024, 4, 21),
    steps=parse_steps("signup,project_created,invite_sent"),
    periods=6,
)


def _reference(kind: str, events: ibis.Table, params: MetricParams) -> pd.DataFrame:
    """Run a metric the plain way: build the bound expression and let Ibis execute it."""
    runner = get_runner(kind)
    resolved = runner.resolved(params)
    cal = resolve_calendar(events, resolved)
    raw = metrics._bound(runner, events, resolved, cal).to_pandas()
    return runner.shape(raw, resolved, cal)


@pytest.mark.parametrize("kind", sorted(RUNNERS))
def test_cached_sql_gives_the_frame_of_ibis_execution(generated: pd.DataFrame, kind: str) -> None:
    events = duck_events_from_frame(generated)
    first = run_metric(kind, events, PARAMS).frame
    again = run_metric(kind, events, PARAMS).frame  # from the cached template SQL
    expected = _reference(kind, events, PARAMS)
    pd.testing.assert_frame_equal(first, expected)
    pd.testing.assert_frame_equal(again, expected)


@pytest.mark.parametrize("kind", ["dau", "retention", "funnel", "mrr"])
def test_spliced_sql_equals_ibis_sql_on_a_plain_table(generated: pd.DataFrame, kind: str) -> None:
    events = duck_events_from_frame(generated)
    con = ibis.get_backend(events)
    con.create_table("plain_events", events)
    table = con.table("plain_events")
    runner = get_runner(kind)
    params = runner.resolved(PARAMS)
    cal = resolve_calendar(table, params)
    compiled = metrics._template_sql(kind, params, cal, table.schema())
    assert compiled is not None
    spliced = compiled.sql.replace(metrics._DUCKDB_PLACEHOLDER, metrics._duckdb_source(con, table))
    expected = str(ibis.to_sql(metrics._bound(runner, table, params, cal), dialect="duckdb"))
    if kind == "funnel":
        # The one planned difference: DuckDB computes the funnel's shared rows once.
        assert spliced.count(" AS MATERIALIZED (") >= 1
        spliced = spliced.replace(" AS MATERIALIZED (", " AS (")
    assert spliced == expected


def test_other_backends_take_the_plain_path(monkeypatch: pytest.MonkeyPatch) -> None:
    events = duck_events(FUNNEL_ROWS)
    monkeypatch.setattr(type(ibis.get_backend(events)), "name", "not-duckdb")
    cal = resolve_calendar(events, FUNNEL_PARAMS)
    assert metrics._run_on_duckdb(get_runner("funnel"), events, FUNNEL_PARAMS, cal) is None
    assert list(run_metric("funnel", events, FUNNEL_PARAMS).frame.users) == FUNNEL_EXPECTED


@pytest.mark.usefixtures("fresh_templates")
@pytest.mark.parametrize("light_max", [0, 1_000_000], ids=["all-windowed", "all-joined"])
def test_each_chain_path_gives_the_hand_breakdown_and_time_to_convert(
    monkeypatch: pytest.MonkeyPatch, light_max: int
) -> None:
    monkeypatch.setattr(metrics_funnel, "LIGHT_MAX_ATTEMPTS", light_max)
    events = duck_events(FUNNEL_ROWS)
    frame = run_metric("funnel", events, replace(FUNNEL_PARAMS, breakdown="plan")).frame
    got = {b: list(g.sort_values("step").users) for b, g in frame.groupby("breakdown")}
    assert got == FUNNEL_BREAKDOWN_EXPECTED
    third = run_metric("funnel", events, FUNNEL_PARAMS).frame.iloc[2]
    assert third.users == FUNNEL_EXPECTED[2]
    assert third.median_seconds_to_convert == pytest.approx(FUNNEL_SECONDS_TO_C[1])
    assert third.mean_seconds_to_convert == pytest.approx(sum(FUNNEL_SECONDS_TO_C) / 3)
