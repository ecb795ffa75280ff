"""Retention on DuckDB against hand-computed cases, a Python reference and scipy intervals."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from analytics_cases import (
    RETENTION_EXPECTED,
    RETENTION_MONTHLY_EXPECTED,
    RETENTION_MONTHLY_PARAMS,
    RETENTION_MONTHLY_ROWS,
    RETENTION_PARAMS,
    RETENTION_ROWS,
    d,
    duck_events,
    duck_events_from_frame,
)
from scipy import stats

from producthq.analytics.metrics import run_metric
from producthq.analytics.metrics_retention import proportion_interval


def _cells(frame: pd.DataFrame, label: str) -> dict[tuple[object, int], tuple[int, int, int]]:
    return {
        (row[label], row["period"]): (
            row["cohort_size"],
            row["retained"],
            row["retained_unbounded"],
        )
        for row in frame.to_dict(orient="records")
    }


def test_weekly_retention_hand_case() -> None:
    result = run_metric("retention", duck_events(RETENTION_ROWS), RETENTION_PARAMS)
    assert _cells(result.frame, "cohort_week") == RETENTION_EXPECTED
    assert result.columns == (
        "cohort_week",
        "period",
        "cohort_size",
        "retained",
        "retained_unbounded",
    )


def test_monthly_retention_month_boundary() -> None:
    result = run_metric("retention", duck_events(RETENTION_MONTHLY_ROWS), RETENTION_MONTHLY_PARAMS)
    assert _cells(result.frame, "cohort_month") == RETENTION_MONTHLY_EXPECTED


def test_chosen_return_event() -> None:
    params = replace(RETENTION_PARAMS, return_event="signup")
    cells = _cells(
        run_metric("retention", duck_events(RETENTION_ROWS), params).frame, "cohort_week"
    )
    # Only b's second signup (W2) is a return: W1 k1 = {b}, a's pageviews do not count.
    assert cells[(d("2024-01-01"), 1)] == (2, 1, 1)
    assert cells[(d("2024-01-01"), 3)] == (2, 0, 0)


def test_first_seen_cohorts() -> None:
    params = replace(RETENTION_PARAMS, start_event=None)
    cells = _cells(
        run_metric("retention", duck_events(RETENTION_ROWS), params).frame, "cohort_week"
    )
    # x joins cohort W3 (first seen 01-17); a, b stay in W1 and c in W2.
    assert cells[(d("2024-01-15"), 0)] == (1, 1, 1)
    assert cells[(d("2024-01-01"), 0)] == (2, 2, 2)


@pytest.mark.parametrize("method", ["wilson", "clopper-pearson"])
def test_intervals_match_scipy(method: str) -> None:
    successes, trials = [0, 3, 7, 10, 40], [10, 10, 10, 10, 57]
    low, high = proportion_interval(successes, trials, method=method, confidence=0.9)  # type: ignore[arg-type]
    scipy_method = "wilson" if method == "wilson" else "exact"
    for k, n, lo, hi in zip(successes, trials, low, high, strict=True):
        ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.9, method=scipy_method)
        assert lo == pytest.approx(ci.low, abs=1e-9)
        assert hi == pytest.approx(ci.high, abs=1e-9)
        assert lo <= k / n <= hi


def test_interval_is_nan_for_empty_cohort() -> None:
    low, high = proportion_interval([0], [0])
    assert np.isnan(low[0]) and np.isnan(high[0])


def test_retention_adds_interval_columns() -> None:
    params = replace(RETENTION_PARAMS, interval="wilson")
    frame = run_metric("retention", duck_events(RETENTION_ROWS), params).frame
    assert {"rate", "rate_low", "rate_high"} <= set(frame.columns)


def _reference_weekly(
    df: pd.DataFrame, periods: int
) -> dict[tuple[object, int], tuple[int, int, int]]:
    week = (df.timestamp.dt.floor("D") - pd.to_timedelta(df.timestamp.dt.weekday, "D")).dt.date
    df = df.assign(week=week)
    first_w, last_w = df.week.min(), df.week.max()
    cohort = df[df.event == "signup"].groupby("user_id").week.min()
    active: dict[str, set[object]] = df.groupby("user_id").week.agg(set).to_dict()
    out = {}
    c = first_w
    while c <= last_w:
        members = [u for u, w in cohort.items() if w == c]
        for k in range(periods + 1):
            target = c + timedelta(days=7 * k)
            if target > last_w:
                break
            if k == 0:
                out[(c, 0)] = (len(members), len(members), len(members))
                continue
            on = sum(target in active[u] for u in members)
            after = 0
            for u in members:
                shown = [
                    w
                    for w in active[u]
                    if c + timedelta(days=7) <= w <= c + timedelta(days=7 * periods)
                ]
                if shown and max(shown) >= target:
                    after += 1
            out[(c, k)] = (len(members), on, after)
        c += timedelta(days=7)
    return out


def test_retention_matches_python_reference(generated: pd.DataFrame) -> None:
    frame = run_metric("retention", duck_events_from_frame(generated)).frame
    assert _cells(frame, "cohort_week") == _reference_weekly(generated, 12)
