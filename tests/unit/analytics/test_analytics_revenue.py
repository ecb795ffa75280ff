"""MRR movements on DuckDB against a hand-computed case and a pandas month-end reference."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from analytics_cases import (
    MRR_EXPECTED,
    MRR_FROM_MARCH_PARAMS,
    MRR_PARAMS,
    MRR_ROWS,
    d,
    duck_events,
    duck_events_from_frame,
)

from producthq.analytics.metrics import run_metric

MONEY = (
    "starting_mrr",
    "new_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
    "reactivation_mrr",
    "ending_mrr",
)


def test_mrr_hand_case() -> None:
    result = run_metric("mrr", duck_events(MRR_ROWS), MRR_PARAMS)
    got = {row["month"]: tuple(row[c] for c in MONEY) for row in result.rows()}
    assert got == {m: tuple(float(v) for v in vals) for m, vals in MRR_EXPECTED.items()}
    assert result.columns[-1] == "reactivated_customers"


def test_mrr_customer_counts_and_ratios() -> None:
    frame = run_metric("mrr", duck_events(MRR_ROWS), MRR_PARAMS).frame.set_index("month")
    march = frame.loc[d("2024-03-01")]
    assert (march.new_customers, march.contraction_customers) == (1, 1)
    # March: NRR = (150 - 30) / 150, GRR the same (no expansion).
    assert march.nrr == pytest.approx(120 / 150)
    assert march.grr == pytest.approx(120 / 150)
    april = frame.loc[d("2024-04-01")]
    assert april.churned_customers == 1
    assert april.logo_churn == pytest.approx(1 / 2)  # c1 of {c1, c3}
    assert april.revenue_churn == pytest.approx(120 / 165.5)
    june = frame.loc[d("2024-06-01")]
    assert june.reactivated_customers == 1
    assert june.arr == pytest.approx(125.5 * 12)
    assert june.arpa == pytest.approx(125.5 / 2)


def test_mrr_range_start_carries_earlier_state() -> None:
    frame = run_metric("mrr", duck_events(MRR_ROWS), MRR_FROM_MARCH_PARAMS).frame
    assert list(frame.month) == [d("2024-03-01"), d("2024-04-01")]
    assert list(frame.starting_mrr) == [150.0, 165.5]


def test_mrr_account_customers() -> None:
    rows = [
        ("subscription_started", "u1", "2024-01-05 00:00:00", {"mrr": 10}),
        ("subscription_started", "u2", "2024-01-06 00:00:00", {"mrr": 20}),
    ]
    df = duck_events(rows).to_pandas()
    df["group_id"] = "acme"  # both users belong to one account
    df["properties"] = [json.dumps(p) for p in df.properties]
    from dataclasses import replace

    params = replace(MRR_PARAMS, customer="group_id", end=d("2024-01-31"))
    frame = run_metric("mrr", duck_events_from_frame(df), params).frame
    # The account's MRR is its latest event's mrr (20), one new customer.
    assert (frame.new_mrr.iloc[0], frame.new_customers.iloc[0]) == (20.0, 1)


def _reference_mrr(df: pd.DataFrame) -> pd.DataFrame:
    subs = df[df.event.str.startswith("subscription_")].copy()
    subs["mrr"] = [json.loads(p)["mrr"] if p else 0.0 for p in subs.properties]
    subs["month"] = subs.timestamp.dt.to_period("M")
    months = pd.period_range(subs.month.min(), df.timestamp.max().to_period("M"), freq="M")
    rows = []
    state: dict[str, float] = {}
    ever: set[str] = set()
    for m in months:
        in_month = subs[subs.month <= m].sort_values(["timestamp", "message_id"])
        snap = in_month.groupby("user_id").mrr.last().to_dict()
        totals = dict.fromkeys(MONEY, 0.0)
        totals["starting_mrr"] = sum(state.values())
        for c in set(snap) | set(state):
            prev, cur = state.get(c, 0.0), snap.get(c, 0.0)
            if prev == 0 and cur > 0:
                totals["reactivation_mrr" if c in ever else "new_mrr"] += cur
            elif prev > 0 and cur > prev:
                totals["expansion_mrr"] += cur - prev
            elif prev > 0 and 0 < cur < prev:
                totals["contraction_mrr"] += prev - cur
            elif prev > 0 and cur == 0:
                totals["churned_mrr"] += prev
        state = {c: v for c, v in snap.items() if v > 0}
        ever |= set(state)
        totals["ending_mrr"] = sum(state.values())
        rows.append({"month": m.start_time.date(), **{k: round(v, 2) for k, v in totals.items()}})
    return pd.DataFrame(rows)


def test_mrr_matches_pandas_reference(generated: pd.DataFrame) -> None:
    ours = run_metric("mrr", duck_events_from_frame(generated)).frame
    ref = _reference_mrr(generated)
    assert list(ours.month) == list(ref.month)
    for c in MONEY:
        assert list(ours[c].round(2)) == list(ref[c]), c
