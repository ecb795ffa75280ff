"""Funnels on DuckDB against hand-computed cases and an independent recursive search."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from functools import cache

import pandas as pd
import pytest
from analytics_cases import (
    FUNNEL_BREAKDOWN_EXPECTED,
    FUNNEL_EXPECTED,
    FUNNEL_FURTHEST,
    FUNNEL_NO_REENTRY_EXPECTED,
    FUNNEL_PARAMS,
    FUNNEL_ROWS,
    FUNNEL_SECONDS_TO_C,
    duck_events,
    duck_events_from_frame,
)

from producthq.analytics import metrics_funnel
from producthq.analytics.metrics import compile_sql, run_metric
from producthq.analytics.params import MetricParams, Step, parse_steps, parse_window
from producthq.errors import InvalidInputError


def test_funnel_hand_case_with_reentry_window_edge_and_ties() -> None:
    result = run_metric("funnel", duck_events(FUNNEL_ROWS), FUNNEL_PARAMS)
    assert list(result.frame.users) == FUNNEL_EXPECTED
    assert list(result.frame.event) == ["a", "b", "c"]
    assert result.columns == ("step", "event", "users")
    assert list(result.frame.conversion_from_start) == [1.0, 0.8, 0.6]
    assert list(result.frame.conversion_from_previous) == [1.0, 0.8, 0.75]
    assert list(result.frame.dropped) == [0, 1, 1]


def test_funnel_time_to_convert() -> None:
    frame = run_metric("funnel", duck_events(FUNNEL_ROWS), FUNNEL_PARAMS).frame
    third = frame.iloc[2]
    assert third.median_seconds_to_convert == pytest.approx(FUNNEL_SECONDS_TO_C[1])
    assert third.mean_seconds_to_convert == pytest.approx(sum(FUNNEL_SECONDS_TO_C) / 3)


def test_funnel_without_reentry_uses_first_attempt() -> None:
    params = replace(FUNNEL_PARAMS, reentry=False)
    frame = run_metric("funnel", duck_events(FUNNEL_ROWS), params).frame
    assert list(frame.users) == FUNNEL_NO_REENTRY_EXPECTED


def test_funnel_users_furthest_step() -> None:
    frame = run_metric("funnel_users", duck_events(FUNNEL_ROWS), FUNNEL_PARAMS).frame
    assert dict(zip(frame.user_id, frame.furthest_step, strict=True)) == FUNNEL_FURTHEST


def test_funnel_breakdown_by_step_one_property() -> None:
    params = replace(FUNNEL_PARAMS, breakdown="plan")
    frame = run_metric("funnel", duck_events(FUNNEL_ROWS), params).frame
    got = {b: list(g.sort_values("step").users) for b, g in frame.groupby("breakdown")}
    assert got == FUNNEL_BREAKDOWN_EXPECTED


def test_funnel_step_property_filter() -> None:
    params = replace(FUNNEL_PARAMS, steps=parse_steps("a[plan=pro],b,c"))
    frame = run_metric("funnel", duck_events(FUNNEL_ROWS), params).frame
    # Only pro step-1 events start attempts: u1 (attempt 1 reaches b), u2 (c), u5 (a).
    assert list(frame.users) == [3, 2, 1]
    assert frame.event.iloc[0] == "a[plan=pro]"


def test_funnel_window_shorter_than_a_day() -> None:
    params = replace(FUNNEL_PARAMS, window=timedelta(hours=1))
    frame = run_metric("funnel", duck_events(FUNNEL_ROWS), params).frame
    # Only u4 (all at the same instant) gets past step 1 within an hour.
    assert list(frame.users) == [5, 1, 1]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("7", id="no-unit"),
        pytest.param("0d", id="zero"),
        pytest.param("-1d", id="negative"),
        pytest.param("7 days", id="word"),
    ],
)
def test_bad_window_is_invalid_input(text: str) -> None:
    with pytest.raises(InvalidInputError, match="bad window"):
        parse_window(text)


def test_single_step_is_invalid_input() -> None:
    with pytest.raises(InvalidInputError, match="at least two steps"):
        parse_steps("a")


def test_step_parse_with_filters() -> None:
    assert parse_steps("a[x=1;y=2],b") == (Step("a", (("x", "1"), ("y", "2"))), Step("b"))


def test_funnel_compiles_without_connection() -> None:
    sql = compile_sql("funnel", "postgres", MetricParams(steps=parse_steps("a,b")))
    # Built on an unbound table: the step events are pre-filtered before any join or window.
    assert "IN ('a', 'b')" in sql


# --- Independent reference: recursive search over all event combinations ---


def _reference_furthest(
    df: pd.DataFrame, steps: list[str], window: pd.Timedelta, reentry: bool = True
) -> dict[str, int]:
    out: dict[str, int] = {}
    for user, g in df[df.event.isin(steps)].groupby("user_id"):
        times = {s: sorted(g[g.event == s].timestamp) for s in steps}
        if not times[steps[0]]:
            continue

        @cache
        def reach(
            k: int,
            at: pd.Timestamp,
            deadline: pd.Timestamp,
            times: dict[str, list[pd.Timestamp]] = times,
        ) -> int:
            # Furthest step reachable after having done step k (1-based) at time `at`.
            if k == len(steps):
                return k
            best = k
            for t in times[steps[k]]:
                if at <= t <= deadline:
                    best = max(best, reach(k + 1, t, deadline))
                    if best == len(steps):
                        break
            return best

        starts = times[steps[0]] if reentry else times[steps[0]][:1]
        out[str(user)] = max(reach(1, t1, t1 + window) for t1 in starts)
    return out


@pytest.mark.parametrize(
    ("steps", "window", "reentry"),
    [
        pytest.param("signup,project_created,invite_sent", "7d", True, id="onboarding-7d"),
        pytest.param("report_viewed,project_created,invite_sent", "1d", True, id="reentry-1d"),
        pytest.param("report_viewed,project_created,invite_sent", "1d", False, id="first-only"),
        pytest.param("pageview,feature_used,pageview", "2h", True, id="repeated-names"),
    ],
)
def test_funnel_matches_recursive_reference(
    generated: pd.DataFrame, steps: str, window: str, reentry: bool
) -> None:
    small = generated[generated.user_id.isin(sorted(generated.user_id.unique())[:400])]
    params = MetricParams(steps=parse_steps(steps), window=parse_window(window), reentry=reentry)
    frame = run_metric("funnel_users", duck_events_from_frame(small), params).frame
    ours = dict(zip(frame.user_id, frame.furthest_step, strict=True))
    ref = _reference_furthest(small, steps.split(","), pd.Timedelta(window), reentry)
    assert ours == ref


@pytest.mark.parametrize("light_max", [0, 1_000_000], ids=["all-windowed", "all-joined"])
@pytest.mark.usefixtures("fresh_templates")
def test_both_chain_paths_agree_with_hand_cases_and_reference(
    monkeypatch: pytest.MonkeyPatch, generated: pd.DataFrame, light_max: int
) -> None:
    # Users with few step-1 events are chained with joins, the rest with window passes;
    # forcing every user down one path checks each against the same expectations.
    monkeypatch.setattr(metrics_funnel, "LIGHT_MAX_ATTEMPTS", light_max)
    hand = run_metric("funnel_users", duck_events(FUNNEL_ROWS), FUNNEL_PARAMS).frame
    assert dict(zip(hand.user_id, hand.furthest_step, strict=True)) == FUNNEL_FURTHEST
    assert list(run_metric("funnel", duck_events(FUNNEL_ROWS), FUNNEL_PARAMS).frame.users) == (
        FUNNEL_EXPECTED
    )
    small = generated[generated.user_id.isin(sorted(generated.user_id.unique())[:150])]
    steps = "report_viewed,project_created,report_viewed"
    params = MetricParams(steps=parse_steps(steps), window=parse_window("1d"))
    frame = run_metric("funnel_users", duck_events_from_frame(small), params).frame
    ours = dict(zip(frame.user_id, frame.furthest_step, strict=True))
    assert ours == _reference_furthest(small, steps.split(","), pd.Timedelta("1d"))
