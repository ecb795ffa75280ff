"""The user-days rollup: kept exact as events arrive, and giving the hand-computed numbers.

The rows are checked against plain SQL over the events (``SELECT DISTINCT`` of user and UTC
day); the metrics read from the rollup are checked against the same hand-computed cases as the
metrics read from the events (``analytics_cases.py``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import duckdb
import ibis
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
    WAU_EXPECTED,
    Row,
    d,
    frame,
)

from producthq.analytics import rollup
from producthq.analytics.metrics import run_metric
from producthq.analytics.params import MetricParams
from producthq.analytics.store import SCHEMA_SQL


def _store() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for statement in (*SCHEMA_SQL, *rollup.SCHEMA_SQL):
        con.execute(statement)
    return con


def _insert(con: duckdb.DuckDBPyConnection, rows: list[Row], workspace_id: int = 1) -> None:
    batch = frame(rows).drop(columns=["properties"])  # noqa: F841 - DuckDB reads it by name
    con.execute(
        "INSERT INTO events BY NAME SELECT ?::INTEGER AS workspace_id, event, user_id, "
        'anonymous_id, group_id, "timestamp", message_id FROM batch',
        [workspace_id],
    )


def _expected_rows(con: duckdb.DuckDBPyConnection) -> set[tuple[int, str, date]]:
    """The reference: one row per workspace, user and UTC day with an event, in plain SQL."""
    rows = con.execute(
        'SELECT DISTINCT workspace_id, user_id, CAST("timestamp" AS DATE) FROM events '
        "WHERE user_id IS NOT NULL"
    ).fetchall()
    return {(int(w), str(u), day) for w, u, day in rows}


def _rollup_rows(con: duckdb.DuckDBPyConnection) -> set[tuple[int, str, date]]:
    rows = con.execute("SELECT workspace_id, user_id, phq_day FROM user_days").fetchall()
    out = {(int(w), str(u), date(1900, 1, 1) + timedelta(days=int(n))) for w, u, n in rows}
    assert len(out) == len(rows), "a user appears twice on one day"
    return out


def _user_days(con: duckdb.DuckDBPyConnection, workspace_id: int = 1) -> ibis.Table:
    return rollup.user_days(ibis.duckdb.from_connection(con), workspace_id)


def test_refresh_keeps_one_row_per_user_and_utc_day() -> None:
    con = _store()
    _insert(con, ACTIVE_ROWS)
    assert rollup.pending(con)
    report = rollup.refresh(con)
    assert not rollup.pending(con)
    assert _rollup_rows(con) == _expected_rows(con)
    # a twice on 01-01, b on 01-01 and 01-02, c on 01-08, a on 01-31: five user-days.
    assert report.rows == 5
    # A second refresh with nothing new changes nothing.
    assert rollup.refresh(con).days == 0


def test_late_events_new_users_and_other_workspaces_are_folded_in_exactly() -> None:
    con = _store()
    _insert(con, ACTIVE_ROWS)
    rollup.refresh(con)
    _insert(
        con,
        [
            ("pageview", "c", "2024-01-01 08:00:00", None),  # late: c on an old day
            ("pageview", "z", "2024-02-10 08:00:00", None),  # a new user on a new day
            ("pageview", "a", "2024-01-31 01:00:00", None),  # an earlier event, same day
        ],
    )
    _insert(con, [("pageview", "a", "2024-01-05 10:00:00", None)], workspace_id=2)
    rollup.refresh(con)
    assert _rollup_rows(con) == _expected_rows(con)
    # The day's timestamp is its first event's: a's 01-31 row moved to 01:00.
    first = con.execute(
        "SELECT \"timestamp\" FROM user_days WHERE workspace_id = 1 AND user_id = 'a' "
        "AND phq_day = ?",
        [(date(2024, 1, 31) - date(1900, 1, 1)).days],
    ).fetchone()
    assert first is not None and str(first[0]) == "2024-01-31 01:00:00"


def test_events_without_a_user_are_not_activity() -> None:
    con = _store()
    con.execute(
        'INSERT INTO events (workspace_id, event, user_id, anonymous_id, "timestamp") '
        "VALUES (1, 'pageview', NULL, 'anon-1', TIMESTAMP '2024-01-02 10:00:00')"
    )
    rollup.refresh(con)
    assert _rollup_rows(con) == set()


def test_many_scattered_days_are_recomputed_in_one_pass() -> None:
    con = _store()
    # Every third day for 90 days: more separate runs than MAX_RUNS.
    rows: list[Row] = [
        ("pageview", f"u{i % 7}", f"{date(2024, 1, 1) + timedelta(days=3 * i)} 12:00:00", None)
        for i in range(30)
    ]
    assert len(rollup._runs(sorted({3 * i for i in range(30)}))) > rollup.MAX_RUNS
    _insert(con, rows)
    rollup.refresh(con)
    _insert(con, [("pageview", "u1", "2024-01-02 12:00:00", None)])
    rollup.refresh(con)
    assert _rollup_rows(con) == _expected_rows(con)


def _rollup_metric(rows: list[Row], kind: str, params: MetricParams) -> pd.DataFrame:
    con = _store()
    _insert(con, rows)
    rollup.refresh(con)
    return run_metric(kind, _user_days(con), params).frame


def test_dau_from_the_rollup_hand_case() -> None:
    result = _rollup_metric(ACTIVE_ROWS, "dau", ACTIVE_PARAMS)
    got = dict(zip(result.day, result.dau, strict=True))
    assert got == {d("2024-01-01") + timedelta(days=i): 0 for i in range(31)} | DAU_EXPECTED


def test_wau_mau_from_the_rollup_hand_case() -> None:
    result = _rollup_metric(ACTIVE_ROWS, "wau_mau", ACTIVE_PARAMS).set_index("day")
    for day, wau in WAU_EXPECTED.items():
        assert result.loc[day, "wau"] == wau, day
    for day, mau in MAU_EXPECTED.items():
        assert result.loc[day, "mau"] == mau, day


def test_stickiness_from_the_rollup_hand_case() -> None:
    table = _rollup_metric(ACTIVE_ROWS, "stickiness", ACTIVE_PARAMS).set_index("days_active")
    for n, (users, cumulative) in STICKINESS_EXPECTED.items():
        assert (table.loc[n, "users"], table.loc[n, "users_cumulative"]) == (users, cumulative)


def test_lifecycle_from_the_rollup_hand_case() -> None:
    result = _rollup_metric(LIFECYCLE_ROWS, "lifecycle", LIFECYCLE_PARAMS)
    got = {r.week: (r.new, r.returning, r.resurrecting, r.dormant) for r in result.itertuples()}
    assert got == LIFECYCLE_EXPECTED


def test_monthly_lifecycle_from_the_rollup() -> None:
    rows: list[Row] = [
        ("pageview", "a", "2024-01-31 23:59:59", None),  # a: January new
        ("pageview", "a", "2024-02-01 00:00:00", None),  # a: February returning
        ("pageview", "b", "2024-02-29 12:00:00", None),  # b: February new (leap day)
        # March: nobody -> a and b dormant
    ]
    params = MetricParams(start=d("2024-01-01"), end=d("2024-03-31"), period="month")
    result = _rollup_metric(rows, "lifecycle", params)
    got = {r.month: (r.new, r.returning, r.resurrecting, r.dormant) for r in result.itertuples()}
    assert got == {
        d("2024-01-01"): (1, 0, 0, 0),
        d("2024-02-01"): (1, 1, 0, 0),
        d("2024-03-01"): (0, 0, 0, 2),
    }


def test_rollup_refuses_active_events() -> None:
    con = _store()
    _insert(con, ACTIVE_ROWS)
    rollup.refresh(con)
    with pytest.raises(ValueError, match="rollup"):
        run_metric("dau", _user_days(con), replace(ACTIVE_PARAMS, active_events=("click",)))


@pytest.mark.parametrize(
    ("kind", "params", "filters", "breakdown", "expected"),
    [
        ("dau", MetricParams(), (), None, True),
        ("lifecycle", MetricParams(tz="Etc/UTC"), ("user_id",), None, True),
        ("retention", MetricParams(), (), None, False),  # needs the start event
        ("funnel", MetricParams(), (), None, False),
        ("mrr", MetricParams(), (), None, False),
        ("dau", MetricParams(active_events=("click",)), (), None, False),
        ("dau", MetricParams(), ("plan",), None, False),  # a property filter
        ("dau", MetricParams(), ("event",), None, False),
        ("dau", MetricParams(), ("did",), None, False),  # behavioural: needs events
        ("dau", MetricParams(), (), "plan", False),  # event-property breakdown
        ("dau", MetricParams(tz="Europe/Paris"), (), None, False),
        # London is UTC+0 all winter: the rollup's UTC days are its days.
        (
            "dau",
            MetricParams(start=d("2024-01-01"), end=d("2024-02-01"), tz="Europe/London"),
            (),
            None,
            True,
        ),
        # ... but not across the switch to summer time on 2024-03-31.
        (
            "dau",
            MetricParams(start=d("2024-03-01"), end=d("2024-04-30"), tz="Europe/London"),
            (),
            None,
            False,
        ),
    ],
)
def test_usable_only_when_the_numbers_are_the_same(
    kind: str,
    params: MetricParams,
    filters: tuple[str, ...],
    breakdown: str | None,
    expected: bool,
) -> None:
    assert rollup.usable(kind, params, filter_keys=filters, event_breakdown=breakdown) is expected
