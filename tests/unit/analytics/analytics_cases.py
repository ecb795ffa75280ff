"""Hand-computed metric cases shared by the DuckDB and PostgreSQL tests.

Each case is a list of events and the expected rows, worked out by hand; comments say why each
event lands where it does. Calendar notes: 2024-01-01 is a Monday; 2024-03-31 02:00 is when
Europe/Paris moves from UTC+1 to UTC+2.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import ibis
import pandas as pd
import pyarrow as pa
import pytest

from producthq.analytics.events import EVENT_SCHEMA
from producthq.analytics.generator import SCHEMA
from producthq.analytics.params import MetricParams, parse_steps

Row = tuple[str, str, str, dict[str, Any] | None]


def frame(rows: list[Row]) -> pd.DataFrame:
    """Events as a DataFrame with the canonical columns (properties as JSON text)."""
    return pd.DataFrame(
        {
            "event": [r[0] for r in rows],
            "user_id": [r[1] for r in rows],
            "anonymous_id": [None] * len(rows),
            "group_id": [None] * len(rows),
            "timestamp": pd.to_datetime([r[2] for r in rows]).astype("datetime64[us]"),
            "message_id": [f"m{i}" for i in range(len(rows))],
            "properties": [json.dumps(r[3]) if r[3] is not None else None for r in rows],
        }
    )


def duck_events(rows: list[Row]) -> ibis.Table:
    """Load events into a fresh in-memory DuckDB and return the canonical table."""
    return duck_events_from_frame(frame(rows))


def duck_events_from_frame(df: pd.DataFrame) -> ibis.Table:
    """Load a canonical DataFrame (properties as JSON text) into a fresh in-memory DuckDB."""
    con = ibis.duckdb.connect()
    con.raw_sql("SET TimeZone = 'UTC'")
    arrow = pa.Table.from_pandas(df[list(SCHEMA.names)], schema=SCHEMA, preserve_index=False)
    con.con.register("raw_events_arrow", arrow)
    con.raw_sql("CREATE TABLE raw_events AS SELECT * FROM raw_events_arrow")
    con.con.unregister("raw_events_arrow")
    raw = con.table("raw_events")
    return raw.select(
        *[c for c in EVENT_SCHEMA.names if c != "properties"],
        properties=raw.properties.cast("json"),
    )


def d(text: str) -> date:
    """Parse a date."""
    return date.fromisoformat(text)


# --- Active users -----------------------------------------------------------------------
ACTIVE_ROWS: list[Row] = [
    ("pageview", "a", "2024-01-01 09:00:00", None),  # a: day 1
    ("pageview", "a", "2024-01-01 18:00:00", None),  # a again day 1: still 1 user
    ("pageview", "b", "2024-01-01 23:59:59", None),  # b: last second of day 1
    ("pageview", "b", "2024-01-02 00:00:00", None),  # b: first second of day 2
    # 2024-01-03 .. 2024-01-07: nobody (zeros listed)
    ("click", "c", "2024-01-08 12:00:00", None),  # c: day 8 (a Monday, new ISO week)
    ("pageview", "a", "2024-01-31 12:00:00", None),  # a: day 31, 30 days after day 1
]
ACTIVE_PARAMS = MetricParams(start=d("2024-01-01"), end=d("2024-01-31"))
# DAU: 01-01 {a,b}=2, 01-02 {b}=1, 01-08 {c}=1, 01-31 {a}=1, every other day 0.
DAU_EXPECTED = {d("2024-01-01"): 2, d("2024-01-02"): 1, d("2024-01-08"): 1, d("2024-01-31"): 1}
# WAU(d) over [d-6, d]:
#   01-01: {a,b}; 01-02..01-07: {a,b} (01-07 window = 01-01..01-07); 01-08: window 01-02..01-08
#   = {b,c}; 01-09: 01-03..01-09 = {c}; ... 01-14: 01-08..01-14 = {c}; 01-15: {} ...
#   01-31: {a}.
# MAU(d) over [d-29, d]: 01-01..01-07 {a,b}; 01-08..01-30 {a,b,c}; 01-31: window 01-02..01-31
#   = {b,c,a} = 3 (a's day-1 event left the window but a is back on 01-31).
WAU_EXPECTED = {
    d("2024-01-01"): 2,
    d("2024-01-07"): 2,
    d("2024-01-08"): 2,
    d("2024-01-09"): 1,
    d("2024-01-14"): 1,
    d("2024-01-15"): 0,
    d("2024-01-30"): 0,
    d("2024-01-31"): 1,
}
MAU_EXPECTED = {
    d("2024-01-01"): 2,
    d("2024-01-07"): 2,
    d("2024-01-08"): 3,
    d("2024-01-30"): 3,
    d("2024-01-31"): 3,
}
# Stickiness over 31 days: a has 2 active days (01-01, 01-31), b 2 (01-01, 01-02), c 1.
STICKINESS_EXPECTED = {1: (1, 3), 2: (2, 2), 3: (0, 0), 31: (0, 0)}

# --- Time zone: the same instants in Europe/Paris ------------------------------------------
TZ_ROWS: list[Row] = [
    ("pageview", "a", "2024-03-30 23:30:00", None),  # Paris 03-31 00:30 (UTC+1): day 03-31
    ("pageview", "b", "2024-03-31 22:30:00", None),  # Paris 04-01 00:30 (UTC+2 after DST)
    ("pageview", "c", "2024-03-31 21:59:59", None),  # Paris 03-31 23:59:59: still 03-31
    ("pageview", "d", "2024-03-31 00:30:00", None),  # Paris 03-31 01:30 (before the switch)
]
TZ_PARAMS = MetricParams(start=d("2024-03-31"), end=d("2024-04-01"), tz="Europe/Paris")
TZ_DAU_EXPECTED = {d("2024-03-31"): 3, d("2024-04-01"): 1}  # {a,c,d} and {b}
# In UTC the same events fall on 03-30 {a} and 03-31 {b,c,d}.
TZ_UTC_DAU_EXPECTED = {d("2024-03-30"): 1, d("2024-03-31"): 3}

# --- Lifecycle (weekly, ISO weeks from Monday 2024-01-01) ---------------------------------------
LIFECYCLE_ROWS: list[Row] = [
    ("pageview", "a", "2024-01-01 10:00:00", None),  # a: W1 new
    ("pageview", "b", "2024-01-07 23:59:59", None),  # b: W1 new (Sunday is still W1)
    ("pageview", "a", "2024-01-08 00:00:00", None),  # a: W2 returning (Monday starts W2)
    # b: no W2 event -> dormant in W2
    ("pageview", "c", "2024-01-10 10:00:00", None),  # c: W2 new
    # W3 (01-15): nobody -> a and c dormant
    ("pageview", "b", "2024-01-22 10:00:00", None),  # b: W4 resurrecting
    ("pageview", "a", "2024-01-23 10:00:00", None),  # a: W4 resurrecting
]
LIFECYCLE_PARAMS = MetricParams(start=d("2024-01-01"), end=d("2024-01-28"))
# week: (new, returning, resurrecting, dormant)
LIFECYCLE_EXPECTED = {
    d("2024-01-01"): (2, 0, 0, 0),
    d("2024-01-08"): (1, 1, 0, 1),
    d("2024-01-15"): (0, 0, 0, 2),
    d("2024-01-22"): (0, 0, 2, 0),
}

# --- Retention (weekly, start event signup) ----------------------------------------------------
RETENTION_ROWS: list[Row] = [
    ("pageview", "a", "2023-12-31 10:00:00", None),  # before the range: ignored
    ("signup", "a", "2024-01-01 10:00:00", None),  # a: cohort W1 (2024-01-01)
    ("signup", "b", "2024-01-07 23:00:00", None),  # b: cohort W1 (Sunday)
    ("signup", "b", "2024-01-09 10:00:00", None),  # b: second signup; cohort stays W1
    ("pageview", "a", "2024-01-08 10:00:00", None),  # a: returns W1+1
    ("pageview", "a", "2024-01-22 10:00:00", None),  # a: returns W1+3
    ("signup", "c", "2024-01-10 10:00:00", None),  # c: cohort W2 (2024-01-08)
    ("pageview", "c", "2024-01-17 10:00:00", None),  # c: returns W2+1
    ("pageview", "x", "2024-01-17 10:00:00", None),  # x: never signed up -> no cohort
]
RETENTION_PARAMS = MetricParams(start=d("2024-01-01"), end=d("2024-01-24"), periods=4)
# Range ends Wednesday 2024-01-24, in W4 (01-22). Cells starting after W4 are left out.
# (cohort, period): (size, on, on-or-after)
#   W1 size 2 {a,b}. On: k1 {a (01-08), b (01-09 signup counts as any event)} = 2; k2 = 0;
#   k3 {a} = 1. Latest return: a k3, b k1 -> unbounded k1 = 2, k2 = 1, k3 = 1.
#   W2 size 1 {c}. On: k1 {c} = 1, k2 = 0. Latest c k1 -> unbounded k1 1, k2 0.
#   W3 (01-15) size 0: zeros; W4 size 0.
RETENTION_EXPECTED = {
    (d("2024-01-01"), 0): (2, 2, 2),
    (d("2024-01-01"), 1): (2, 2, 2),
    (d("2024-01-01"), 2): (2, 0, 1),
    (d("2024-01-01"), 3): (2, 1, 1),
    (d("2024-01-08"), 0): (1, 1, 1),
    (d("2024-01-08"), 1): (1, 1, 1),
    (d("2024-01-08"), 2): (1, 0, 0),
    (d("2024-01-15"), 0): (0, 0, 0),
    (d("2024-01-15"), 1): (0, 0, 0),
    (d("2024-01-22"), 0): (0, 0, 0),
}
# Monthly retention on the same rows, range through 2024-02-29.
RETENTION_MONTHLY_ROWS: list[Row] = [
    ("signup", "a", "2024-01-31 23:59:59", None),  # a: cohort January (last second)
    ("pageview", "a", "2024-02-01 00:00:00", None),  # a: February = period 1
    ("signup", "b", "2024-02-01 00:00:00", None),  # b: cohort February
]
RETENTION_MONTHLY_PARAMS = MetricParams(
    start=d("2024-01-01"), end=d("2024-02-29"), period="month", periods=3
)
RETENTION_MONTHLY_EXPECTED = {
    (d("2024-01-01"), 0): (1, 1, 1),
    (d("2024-01-01"), 1): (1, 1, 1),
    (d("2024-02-01"), 0): (1, 1, 1),
}

# --- Funnels ---------------------------------------------------------------------------------
FUNNEL_ROWS: list[Row] = [
    # u1: attempt 1 (a 01-01): b 01-02, but the first c after it is 01-10, 9 days after a ->
    # stops at b. Re-entry: attempt 2 (a 01-05): b 01-06, c 01-10 (5 days) -> reaches c.
    ("a", "u1", "2024-01-01 00:00:00", {"plan": "pro"}),
    ("b", "u1", "2024-01-02 00:00:00", None),
    ("a", "u1", "2024-01-05 00:00:00", {"plan": "free"}),
    ("b", "u1", "2024-01-06 00:00:00", None),
    ("c", "u1", "2024-01-10 00:00:00", None),  # 9 days after attempt 1, 5 after attempt 2
    # u2: window edge: c exactly 7 days after a -> counts (inclusive).
    ("a", "u2", "2024-01-01 12:00:00", {"plan": "pro"}),
    ("b", "u2", "2024-01-03 12:00:00", None),
    ("c", "u2", "2024-01-08 12:00:00", None),
    # u3: c one second past 7 days -> reaches b only.
    ("a", "u3", "2024-01-01 12:00:00", {"plan": "free"}),
    ("b", "u3", "2024-01-02 12:00:00", None),
    ("c", "u3", "2024-01-08 12:00:01", None),
    # u4: equal timestamps a = b = c -> all three steps (lower step first on ties).
    ("a", "u4", "2024-01-03 08:00:00", None),
    ("b", "u4", "2024-01-03 08:00:00", None),
    ("c", "u4", "2024-01-03 08:00:00", None),
    # u5: wrong order b before a -> only step 1.
    ("b", "u5", "2024-01-02 00:00:00", None),
    ("a", "u5", "2024-01-03 00:00:00", {"plan": "pro"}),
    # u6: never does a -> not in the funnel.
    ("b", "u6", "2024-01-02 00:00:00", None),
    ("c", "u6", "2024-01-03 00:00:00", None),
]
FUNNEL_PARAMS = MetricParams(start=d("2024-01-01"), end=d("2024-01-31"), steps=parse_steps("a,b,c"))
# Entered: u1..u5 = 5. Reached b: u1, u2, u3, u4 = 4. Reached c: u1 (attempt 2), u2, u4 = 3.
FUNNEL_EXPECTED = [5, 4, 3]
# Without re-entry (first a only): u1's first attempt stops at b -> c = u2, u4 = 2.
FUNNEL_NO_REENTRY_EXPECTED = [5, 4, 2]
# Furthest step per user (re-entry): u1 3, u2 3, u3 2, u4 3, u5 1.
FUNNEL_FURTHEST = {"u1": 3, "u2": 3, "u3": 2, "u4": 3, "u5": 1}
# Breakdown by the step-1 event's plan: attempts carry their own plan.
#   pro: u1 attempt 1 (reaches b), u2 (c), u5 (a) -> [3, 2, 1]
#   free: u1 attempt 2 (reaches c), u3 (b) -> [2, 2, 1]
#   (none): u4 -> [1, 1, 1]
FUNNEL_BREAKDOWN_EXPECTED = {"pro": [3, 2, 1], "free": [2, 2, 1], "(none)": [1, 1, 1]}
# Time to convert to c (shortest per user): u1 5 d (attempt 2), u2 7 d, u4 0 s.
FUNNEL_SECONDS_TO_C = sorted([5 * 86400.0, 7 * 86400.0, 0.0])

# --- MRR (monthly) --------------------------------------------------------------------------------
MRR_ROWS: list[Row] = [
    # c1: new 100 in Jan, expansion to 150 in Feb, contraction to 120 in Mar, churn in Apr,
    #     reactivation at 80 in Jun.
    ("subscription_started", "c1", "2024-01-10 00:00:00", {"mrr": 100}),
    ("subscription_changed", "c1", "2024-02-10 00:00:00", {"mrr": 150}),
    ("subscription_changed", "c1", "2024-03-10 00:00:00", {"mrr": 120}),
    ("subscription_cancelled", "c1", "2024-04-10 00:00:00", {"mrr": 0}),
    ("subscription_started", "c1", "2024-06-10 00:00:00", {"mrr": 80}),
    # c2: start and cancel inside February -> no trace in any month-end snapshot.
    ("subscription_started", "c2", "2024-02-03 00:00:00", {"mrr": 50}),
    ("subscription_cancelled", "c2", "2024-02-20 00:00:00", None),  # mrr missing: 0
    # c3: two changes in March, only the last counts (month end): 30 -> 45.5 new in March.
    ("subscription_started", "c3", "2024-03-01 00:00:00", {"mrr": 30}),
    ("subscription_changed", "c3", "2024-03-31 23:59:59", {"mrr": 45.5}),
    ("pageview", "c3", "2024-05-01 00:00:00", None),  # not a subscription event
]
MRR_PARAMS = MetricParams(start=d("2024-01-01"), end=d("2024-06-30"))
# month: (starting, new, expansion, contraction, churned, reactivation, ending)
MRR_EXPECTED = {
    d("2024-01-01"): (0, 100, 0, 0, 0, 0, 100),
    d("2024-02-01"): (100, 0, 50, 0, 0, 0, 150),
    d("2024-03-01"): (150, 45.5, 0, 30, 0, 0, 165.5),
    d("2024-04-01"): (165.5, 0, 0, 0, 120, 0, 45.5),
    d("2024-05-01"): (45.5, 0, 0, 0, 0, 0, 45.5),
    d("2024-06-01"): (45.5, 0, 0, 0, 0, 80, 125.5),
}
# From March only: February's state carries into March's starting MRR.
MRR_FROM_MARCH_PARAMS = MetricParams(start=d("2024-03-01"), end=d("2024-04-30"))


def as_datetime(text: str) -> datetime:
    """Parse a naive UTC timestamp."""
    return datetime.fromisoformat(text)


ENGINE_CASES = [
    pytest.param("dau", ACTIVE_ROWS, ACTIVE_PARAMS, id="dau"),
    pytest.param("wau_mau", ACTIVE_ROWS, ACTIVE_PARAMS, id="wau-mau"),
    pytest.param("stickiness", ACTIVE_ROWS, ACTIVE_PARAMS, id="stickiness"),
    pytest.param("dau", TZ_ROWS, TZ_PARAMS, id="dau-time-zone"),
    pytest.param("lifecycle", LIFECYCLE_ROWS, LIFECYCLE_PARAMS, id="lifecycle"),
    pytest.param("retention", RETENTION_ROWS, RETENTION_PARAMS, id="retention"),
    pytest.param(
        "retention", RETENTION_MONTHLY_ROWS, RETENTION_MONTHLY_PARAMS, id="retention-monthly"
    ),
    pytest.param("funnel", FUNNEL_ROWS, FUNNEL_PARAMS, id="funnel"),
    pytest.param("funnel_users", FUNNEL_ROWS, FUNNEL_PARAMS, id="funnel-users"),
    pytest.param("mrr", MRR_ROWS, MRR_PARAMS, id="mrr"),
    pytest.param("mrr", MRR_ROWS, MRR_FROM_MARCH_PARAMS, id="mrr-from-march"),
]
"""The hand-computed cases every tested engine runs (PostgreSQL and Spark against DuckDB)."""
