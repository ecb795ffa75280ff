"""Hypothesis invariants: lifecycle identities and the MRR bridge on random event sets."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
from analytics_cases import duck_events
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from producthq.analytics.metrics import run_metric
from producthq.analytics.params import MetricParams

BASE = datetime(2024, 1, 1)  # noqa: DTZ001 - naive UTC, as events store it
users = st.sampled_from([f"u{i}" for i in range(6)])
instants = st.integers(min_value=0, max_value=120 * 86400 - 1).map(
    lambda s: (BASE + timedelta(seconds=s)).isoformat(sep=" ")
)
activity = st.lists(st.tuples(st.just("pageview"), users, instants), min_size=1, max_size=40)
subscription = st.tuples(
    st.sampled_from(["subscription_started", "subscription_changed", "subscription_cancelled"]),
    users,
    instants,
    st.sampled_from([0, 10, 25, 49.99, 100]),
)
subscriptions = st.lists(subscription, min_size=1, max_size=25)
fast = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(activity, st.sampled_from(["week", "month", "day"]))
def test_lifecycle_identities(rows: list[tuple[str, str, str]], period: str) -> None:
    events = duck_events([(e, u, t, None) for e, u, t in rows])
    params = MetricParams(start=date(2024, 1, 1), end=date(2024, 4, 29), period=period)  # type: ignore[arg-type]
    frame = run_metric("lifecycle", events, params).frame
    df = pd.DataFrame(rows, columns=["event", "user_id", "ts"])
    ts = pd.to_datetime(df.ts)
    key = {
        "day": ts.dt.date,
        "week": (ts.dt.floor("D") - pd.to_timedelta(ts.dt.weekday, "D")).dt.date,
        "month": ts.dt.to_period("M").dt.start_time.dt.date,
    }[period]
    active = df.assign(p=key).groupby("p").user_id.nunique().to_dict()
    prev_active = 0
    for row in frame.itertuples():
        p = getattr(row, period)
        assert row.new + row.returning + row.resurrecting == active.get(p, 0)
        assert row.returning + row.dormant == prev_active
        prev_active = active.get(p, 0)


@fast
@given(subscriptions)
def test_mrr_bridge_holds_every_month(rows: list[tuple[str, str, str, float]]) -> None:
    events = duck_events([(e, u, t, {"mrr": m}) for e, u, t, m in rows])
    frame = run_metric(
        "mrr", events, MetricParams(start=date(2024, 1, 1), end=date(2024, 4, 30))
    ).frame
    previous_end = 0.0
    for row in frame.itertuples():
        expected = (
            row.starting_mrr
            + row.new_mrr
            + row.expansion_mrr
            + row.reactivation_mrr
            - row.contraction_mrr
            - row.churned_mrr
        )
        assert round(row.ending_mrr, 2) == round(expected, 2)
        assert row.starting_mrr == previous_end
        previous_end = row.ending_mrr
        assert min(row.new_mrr, row.expansion_mrr, row.contraction_mrr, row.churned_mrr) >= 0
