"""The user-days rollup: kept exact as events arrive, and giving the hand-computed numbers.

The rows are checked against plain SQL over the events (``SELECT DISTINCT`` of user and UTC
day); the metrics read from the rollup are checked against the same hand-computed cases as the
metrics read from the events (``analytics_cases.py``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

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
    RETENTION_EXPECTED,
    RETENTION_MONTHLY_EXPECTED,
    RETENTION_MONTHLY_PARAMS,
    RETENTION_MONTHLY_ROWS,
    RETENTION_PARAMS,
    RETENTION_ROWS,
    STICKINESS_EXPECTED,
    WAU_EXPECTED,
    Row,
    d,
    frame,
)

from producthq.analytics import rollup
from producthq.analytics.metrics import run_metric
from producthq.analytics.params import MetricParams
from producthq.analytics.query import EventFilter, PreparedQuery, filtered
from producthq.analytics.segments import SegmentSources
from producthq.analytics.service import metric_events
from producthq.analytics.store import SCHEMA_SQL, open_store, workspace_events
from producthq.settings import Settings


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


def _keys(con: duckdb.DuckDBPyConnection) -> dict[tuple[int, str], int]:
    """Each (workspace, user)'s key, checking that every row of a user carries the same one."""
    rows = con.execute(
        "SELECT workspace_id, user_id, min(user_key), max(user_key) FROM user_days GROUP BY 1, 2"
    ).fetchall()
    assert all(lo == hi for _, _, lo, hi in rows), "a user's rows carry different keys"
    return {(int(w), str(u)): int(lo) for w, u, lo, _ in rows}


def test_every_user_keeps_one_integer_key_of_their_own() -> None:
    con = _store()
    _insert(con, ACTIVE_ROWS)
    rollup.refresh(con)
    before = _keys(con)
    # Late events for a and c, a new user z, and user "a" in another workspace.
    _insert(
        con,
        [
            ("pageview", "c", "2024-01-01 08:00:00", None),
            ("pageview", "z", "2024-02-10 08:00:00", None),
            ("pageview", "a", "2024-01-31 01:00:00", None),
        ],
    )
    _insert(con, [("pageview", "a", "2024-01-05 10:00:00", None)], workspace_id=2)
    rollup.refresh(con)
    after = _keys(con)
    # The reference: the distinct (workspace, user) pairs with an event, in plain SQL.
    pairs = con.execute(
        "SELECT DISTINCT workspace_id, user_id FROM events WHERE user_id IS NOT NULL"
    ).fetchall()
    assert set(after) == {(int(w), str(u)) for w, u in pairs}
    assert len(set(after.values())) == len(after), "two users share a key"
    # Recomputing a day never changes an existing user's key.
    assert {k: after[k] for k in before} == before


def test_a_store_from_before_the_keyed_rollup_is_rebuilt_on_open(tmp_path: Path) -> None:
    path = tmp_path / "events.duckdb"
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'UTC'")
    for statement in SCHEMA_SQL:
        con.execute(statement)
    # The previous release's rollup: no user_key column, and a watermark past every event.
    con.execute(
        "CREATE TABLE user_days (workspace_id INTEGER NOT NULL, user_id VARCHAR NOT NULL, "
        '"timestamp" TIMESTAMP NOT NULL, phq_day INTEGER NOT NULL, phq_month INTEGER NOT NULL)'
    )
    con.execute("CREATE TABLE rollup_state (id INTEGER PRIMARY KEY, last_rowid BIGINT NOT NULL)")
    _insert(con, ACTIVE_ROWS)
    con.execute("INSERT INTO rollup_state VALUES (1, 1000)")
    con.close()
    settings = Settings(events_url=f"duckdb://{path}")
    with open_store(settings) as store:
        assert rollup.pending(store)
        rollup.refresh(store)
        assert _rollup_rows(store) == _expected_rows(store)
        assert set(_keys(store)) == {(1, "a"), (1, "b"), (1, "c")}
        result = run_metric("dau", _user_days(store), ACTIVE_PARAMS).frame
    got = dict(zip(result.day, result.dau, strict=True))
    assert got == {d("2024-01-01") + timedelta(days=i): 0 for i in range(31)} | DAU_EXPECTED


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


def test_lifecycle_from_the_rollup_counts_a_week_once_however_many_days() -> None:
    # The rollup holds one row per user and day; a week with several active days is still
    # one user-week, and history before the range decides "new".
    rows: list[Row] = [
        ("pageview", "a", "2023-12-27 10:00:00", None),  # a: active the week before the range
        ("pageview", "a", "2024-01-01 09:00:00", None),  # a: W1 Monday: returning
        ("pageview", "a", "2024-01-03 09:00:00", None),  # a: W1 Wednesday: same week
        ("pageview", "a", "2024-01-07 23:00:00", None),  # a: W1 Sunday: same week
        ("pageview", "b", "2024-01-02 09:00:00", None),  # b: W1 new
        ("pageview", "b", "2024-01-04 09:00:00", None),  # b: W1 again
        ("pageview", "b", "2024-01-09 09:00:00", None),  # b: W2 returning
        ("pageview", "b", "2024-01-10 09:00:00", None),  # b: W2 again
        # W2: a has no day -> dormant. W3: b has no day -> dormant.
        ("pageview", "a", "2024-01-16 09:00:00", None),  # a: W3 resurrecting
        ("pageview", "a", "2024-01-17 09:00:00", None),  # a: W3 again
    ]
    params = MetricParams(start=d("2024-01-01"), end=d("2024-01-21"))
    result = _rollup_metric(rows, "lifecycle", params)
    got = {r.week: (r.new, r.returning, r.resurrecting, r.dormant) for r in result.itertuples()}
    assert got == {
        d("2024-01-01"): (1, 1, 0, 0),
        d("2024-01-08"): (0, 1, 0, 1),
        d("2024-01-15"): (0, 0, 1, 1),
    }


def _rollup_retention(rows: list[Row], params: MetricParams) -> pd.DataFrame:
    """Retention as the service runs it on the store: the rollup plus the start events."""
    con = _store()
    _insert(con, rows)
    rollup.refresh(con)
    backend = ibis.duckdb.from_connection(con)
    table = rollup.retention_rows(
        rollup.user_days(backend, 1),
        workspace_events(backend, 1),
        rollup.user_keys(backend, 1),
        params.start_event,
    )
    return run_metric("retention", table, params).frame


def _cells(frame: pd.DataFrame, label: str) -> dict[tuple[object, int], tuple[int, int, int]]:
    return {
        (r[label], r["period"]): (r["cohort_size"], r["retained"], r["retained_unbounded"])
        for r in frame.to_dict(orient="records")
    }


def test_weekly_retention_from_the_rollup_hand_case() -> None:
    got = _cells(_rollup_retention(RETENTION_ROWS, RETENTION_PARAMS), "cohort_week")
    assert got == RETENTION_EXPECTED


def test_monthly_retention_from_the_rollup_month_boundary() -> None:
    frame = _rollup_retention(RETENTION_MONTHLY_ROWS, RETENTION_MONTHLY_PARAMS)
    assert _cells(frame, "cohort_month") == RETENTION_MONTHLY_EXPECTED


def test_first_seen_retention_from_the_rollup() -> None:
    # Cohort = first event of any kind. x (pageview 01-17) is now in cohort W3 (01-15);
    # a's pageview on 2023-12-31 is before the range, so a's cohort is still W1.
    params = replace(RETENTION_PARAMS, start_event=None)
    got = _cells(_rollup_retention(RETENTION_ROWS, params), "cohort_week")
    assert got[(d("2024-01-01"), 0)] == (2, 2, 2)
    assert got[(d("2024-01-08"), 1)] == (1, 1, 1)
    assert got[(d("2024-01-15"), 0)] == (1, 1, 1)  # x
    assert got[(d("2024-01-15"), 1)] == (1, 0, 0)


def test_the_service_reads_retention_from_the_rollup_with_a_segment_of_users() -> None:
    con = _store()
    _insert(con, RETENTION_ROWS)
    rollup.refresh(con)
    backend = ibis.duckdb.from_connection(con)
    sources = SegmentSources(
        workspace_events(backend, 1),
        user_days=rollup.user_days(backend, 1),
        user_keys=rollup.user_keys(backend, 1),
    )
    prepared = PreparedQuery("retention", RETENTION_PARAMS, (EventFilter("user_id", "a"),))
    table = metric_events(sources, prepared)
    assert "phq_day" in table.columns
    frame = run_metric("retention", filtered(table, prepared.filters), RETENTION_PARAMS).frame
    got = _cells(frame, "cohort_week")
    # Only a: cohort W1 of one, back in W1+1 and W1+3 (hand-counted from RETENTION_ROWS).
    assert got[(d("2024-01-01"), 0)] == (1, 1, 1)
    assert got[(d("2024-01-01"), 1)] == (1, 1, 1)
    assert got[(d("2024-01-01"), 2)] == (1, 0, 1)
    assert got[(d("2024-01-01"), 3)] == (1, 1, 1)
    assert got[(d("2024-01-08"), 0)] == (0, 0, 0)


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
        ("retention", MetricParams(), (), None, True),  # any-event returns + start events
        ("retention", MetricParams(return_event="signup"), (), None, False),
        ("retention", MetricParams(tz="Europe/Paris"), (), None, False),
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
