"""DAU, WAU/MAU, stickiness and lifecycle on DuckDB against hand-computed cases and pandas."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pandas as pd
import pytest
from analytics_cases import (
    ACTIVE_PARAMS,
    ACTIVE_ROWS,
    DAU_EXPECTED,
    LIFECYCLE_EXPECTED,
    LIFECYCLE_PARAMS,
    LIFECYCLE_ROWS,
    MAU_EXPECTED,
    STICKINESS_EXPECTED,
    TZ_DAU_EXPECTED,
    TZ_PARAMS,
    TZ_ROWS,
    TZ_UTC_DAU_EXPECTED,
    WAU_EXPECTED,
    d,
    duck_events,
    duck_events_from_frame,
)

from producthq.analytics.metrics import run_metric
from producthq.analytics.params import MetricParams


def test_dau_lists_every_day_with_zeros() -> None:
    result = run_metric("dau", duck_events(ACTIVE_ROWS), ACTIVE_PARAMS)
    got = dict(zip(result.frame.day, result.frame.dau, strict=True))
    assert len(got) == 31
    assert got == {d("2024-01-01") + timedelta(days=i): 0 for i in range(31)} | DAU_EXPECTED
    assert result.columns == ("day", "dau")


def test_wau_and_mau_use_trailing_windows() -> None:
    frame = run_metric("wau_mau", duck_events(ACTIVE_ROWS), ACTIVE_PARAMS).frame.set_index("day")
    for day, wau in WAU_EXPECTED.items():
        assert frame.loc[day, "wau"] == wau, day
    for day, mau in MAU_EXPECTED.items():
        assert frame.loc[day, "mau"] == mau, day
    # DAU/MAU on 01-01 is 2 / 2; on 01-08 it is 1 / 3.
    assert frame.loc[d("2024-01-01"), "dau_mau"] == 1.0
    assert frame.loc[d("2024-01-08"), "dau_mau"] == pytest.approx(1 / 3)


def test_stickiness_counts_exact_and_cumulative_days() -> None:
    frame = run_metric("stickiness", duck_events(ACTIVE_ROWS), ACTIVE_PARAMS).frame
    assert list(frame.days_active) == list(range(1, 32))
    table = frame.set_index("days_active")
    for n, (users, cumulative) in STICKINESS_EXPECTED.items():
        assert (table.loc[n, "users"], table.loc[n, "users_cumulative"]) == (users, cumulative)


def test_time_zone_shifts_day_boundaries_across_dst() -> None:
    events = duck_events(TZ_ROWS)
    local = run_metric("dau", events, TZ_PARAMS).frame
    assert dict(zip(local.day, local.dau, strict=True)) == TZ_DAU_EXPECTED
    utc = run_metric("dau", events, MetricParams()).frame
    assert dict(zip(utc.day, utc.dau, strict=True)) == TZ_UTC_DAU_EXPECTED


def test_lifecycle_hand_case() -> None:
    frame = run_metric("lifecycle", duck_events(LIFECYCLE_ROWS), LIFECYCLE_PARAMS).frame
    got = {
        row.week: (row.new, row.returning, row.resurrecting, row.dormant)
        for row in frame.itertuples()
    }
    assert got == LIFECYCLE_EXPECTED


def test_lifecycle_range_start_knows_earlier_activity() -> None:
    # From W2 on: a is returning (active in W1, before the range), b dormant.
    params = replace(LIFECYCLE_PARAMS, start=d("2024-01-08"))
    frame = run_metric("lifecycle", duck_events(LIFECYCLE_ROWS), params).frame
    first = frame.iloc[0]
    assert (first.week, first.new, first.returning, first.dormant) == (d("2024-01-08"), 1, 1, 1)


def test_churn_rate_is_dormant_over_previous_active() -> None:
    frame = run_metric("churn", duck_events(LIFECYCLE_ROWS), LIFECYCLE_PARAMS).frame
    w2 = frame.set_index("week").loc[d("2024-01-08")]
    assert (w2.active_previous, w2.dormant, w2.churn_rate) == (2, 1, 0.5)


def test_active_events_option_restricts_activity() -> None:
    params = replace(ACTIVE_PARAMS, active_events=("click",))
    frame = run_metric("dau", duck_events(ACTIVE_ROWS), params).frame
    assert frame.dau.sum() == 1


def test_adoption_hand_case() -> None:
    params = replace(ACTIVE_PARAMS, period="week", feature_events=("click",))
    frame = run_metric("adoption", duck_events(ACTIVE_ROWS), params).frame.set_index("week")
    # W2 (01-08): active {c}, used click {c} -> 1.0; W1: active {a, b}, none used it.
    assert frame.loc[d("2024-01-08"), "adoption"] == 1.0
    assert frame.loc[d("2024-01-01"), "adoption"] == 0.0


# --- Against a plain pandas reference on generated events -----------------------------------------


def _reference_daily(df: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    df = df.assign(day=df.timestamp.dt.floor("D"))
    df = df[(df.day >= start) & (df.day <= end)]
    days = pd.date_range(start, end, freq="D")
    out = []
    for day in days:
        dau = df[df.day == day].user_id.nunique()
        wau = df[(df.day > day - pd.Timedelta(days=7)) & (df.day <= day)].user_id.nunique()
        mau = df[(df.day > day - pd.Timedelta(days=30)) & (df.day <= day)].user_id.nunique()
        out.append((day.date(), dau, wau, mau))
    return pd.DataFrame(out, columns=["day", "dau", "wau", "mau"])


def _reference_lifecycle(df: pd.DataFrame) -> dict[object, tuple[int, int, int, int]]:
    week = (df.timestamp.dt.floor("D") - pd.to_timedelta(df.timestamp.dt.weekday, "D")).dt.date
    active: dict[object, set[str]] = {}
    for w, u in zip(week, df.user_id, strict=True):
        active.setdefault(w, set()).add(u)
    weeks = sorted(active)
    seen: set[str] = set()
    out = {}
    w = weeks[0]
    while w <= weeks[-1]:
        prev = active.get(w - timedelta(days=7), set())
        cur = active.get(w, set())
        new = cur - seen
        out[w] = (len(new), len(cur & prev), len(cur - prev - new), len(prev - cur))
        seen |= cur
        w += timedelta(days=7)
    return out


def test_daily_metrics_match_pandas_reference(generated: pd.DataFrame) -> None:
    events = duck_events_from_frame(generated)
    ours = run_metric("wau_mau", events).frame
    start, end = generated.timestamp.min().floor("D"), generated.timestamp.max().floor("D")
    ref = _reference_daily(generated, start, end)
    assert list(ours.day) == list(ref.day)
    assert list(ours.dau) == list(ref.dau)
    assert list(ours.wau) == list(ref.wau)
    assert list(ours.mau) == list(ref.mau)


def test_stickiness_matches_pandas_reference(generated: pd.DataFrame) -> None:
    ours = run_metric("stickiness", duck_events_from_frame(generated)).frame
    per_user = generated.assign(day=generated.timestamp.dt.date).groupby("user_id").day.nunique()
    n_days = (generated.timestamp.max().floor("D") - generated.timestamp.min().floor("D")).days + 1
    counts = per_user.value_counts().reindex(range(1, n_days + 1), fill_value=0)
    assert list(ours.users) == list(counts)
    assert list(ours.users_cumulative) == list(counts[::-1].cumsum()[::-1])


def test_lifecycle_matches_python_reference(generated: pd.DataFrame) -> None:
    ours = run_metric("lifecycle", duck_events_from_frame(generated)).frame
    ref = _reference_lifecycle(generated)
    got = {r.week: (r.new, r.returning, r.resurrecting, r.dormant) for r in ours.itertuples()}
    assert got == {w: v for w, v in ref.items() if w >= min(got)}
