"""Segments on DuckDB and PostgreSQL: which users are in each, worked out by hand.

Four users in October 2026 (2026-10-05 is a Monday). Events, identify calls and group calls
are listed below with what each one is for; every expected set is reasoned in a comment. The
PostgreSQL run needs the local server (127.0.0.1:5432, user postgres, database ``test``) and is
skipped with the reason when it is unavailable.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from producthq.analytics.segments import (
    SegmentSources,
    apply_segment,
    definition_json,
    parse_definition,
    property_values,
    segment_accounts,
    segment_users,
)
from producthq.errors import InvalidInputError

# (event, user_id, group_id, timestamp, properties)
EVENTS = [
    ("signup", "u1", "acme", "2026-10-05 09:00:00", {}),
    ("project_created", "u1", "acme", "2026-10-06 08:00:00", {}),  # 23 h after sign-up
    ("project_created", "u1", "acme", "2026-10-07 10:00:00", {}),
    ("project_created", "u1", "acme", "2026-10-12 10:00:00", {}),  # u1: 3 projects
    ("signup", "u2", None, "2026-10-05 09:00:00", {}),
    ("project_created", "u2", None, "2026-10-08 10:00:00", {}),  # 3 days later: past 1 day
    ("signup", "u3", "acme", "2026-10-06 12:00:00", {}),  # u3 is in acme through events
    ("pageview", "u3", "acme", "2026-10-13 12:00:00", {"country": "FR"}),
    ("signup", "u4", None, "2026-10-12 12:00:00", {"country": "DE"}),
    ("subscription_started", "u1", "acme", "2026-10-06 09:00:00", {"mrr": 100}),
    ("subscription_started", "u2", "globex", "2026-10-06 09:00:00", {"mrr": 40}),
]
# (user_id, timestamp, message_id, traits)
IDENTIFIES = [
    ("u1", "2026-10-01 00:00:00", "i1", {"plan": "pro", "seats": 12}),
    ("u1", "2026-10-10 00:00:00", "i2", {"plan": "enterprise"}),  # latest plan: enterprise
    ("u2", "2026-10-01 00:00:00", "i3", {"plan": "free", "seats": "3"}),  # seats as text
    ("u3", "2026-10-01 00:00:00", "i4", {"plan": "pro"}),
    ("u3", "2026-10-09 00:00:00", "i5", {"name": "<b>Ann</b>"}),  # no plan: pro stays
    # u4 never identifies.
]
# (group_id, user_id, timestamp, message_id, traits)
GROUPS = [
    ("acme", "u1", "2026-10-01 00:00:00", "g1", {"industry": "saas"}),
    ("globex", "u2", "2026-10-01 00:00:00", "g2", {"industry": "retail"}),
]
AS_OF = date(2026, 10, 13)


def _create(execute: Callable[[str], Any], prefix: str) -> None:
    execute(
        f"CREATE TABLE {prefix}events (event text, user_id text, anonymous_id text, "
        'group_id text, "timestamp" timestamp, message_id text, properties json)'
    )
    execute(
        f"CREATE TABLE {prefix}users (user_id text, anonymous_id text, "
        '"timestamp" timestamp, message_id text, traits json)'
    )
    execute(
        f"CREATE TABLE {prefix}groups_ (group_id text, user_id text, "
        '"timestamp" timestamp, message_id text, traits json)'
    )


def _rows() -> dict[str, list[tuple[Any, ...]]]:
    return {
        "events": [
            (e, u, None, g, t, f"m{i}", json.dumps(p)) for i, (e, u, g, t, p) in enumerate(EVENTS)
        ],
        "users": [(u, None, t, m, json.dumps(p)) for u, t, m, p in IDENTIFIES],
        "groups_": [(g, u, t, m, json.dumps(p)) for g, u, t, m, p in GROUPS],
    }


def _duckdb() -> Iterator[SegmentSources]:
    import ibis

    con = ibis.duckdb.connect()
    con.raw_sql("SET TimeZone = 'UTC'")
    _create(con.raw_sql, "")
    for table, rows in _rows().items():
        marks = ", ".join("?" * len(rows[0]))
        con.con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # noqa: S608
    yield SegmentSources(con.table("events"), con.table("users"), con.table("groups_"))


def _postgres() -> Iterator[SegmentSources]:
    psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed")
    dsn = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"
    try:
        raw = psycopg.connect(dsn, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432/test is unavailable: {exc}")
    import ibis

    schema = f"phq_segments_{uuid.uuid4().hex[:10]}"
    raw.execute(f'CREATE SCHEMA "{schema}"')
    con = ibis.postgres.connect(host="127.0.0.1", port=5432, user="postgres", database="test")
    con.raw_sql("SET TIME ZONE 'UTC'")
    try:
        _create(raw.execute, f'"{schema}".')
        with raw.cursor() as cur:
            for table, rows in _rows().items():
                marks = ", ".join(["%s"] * len(rows[0]))
                cur.executemany(f'INSERT INTO "{schema}".{table} VALUES ({marks})', rows)  # noqa: S608
        yield SegmentSources(
            con.table("events", database=schema),
            con.table("users", database=schema),
            con.table("groups_", database=schema),
        )
    finally:
        con.disconnect()
        raw.execute(f'DROP SCHEMA "{schema}" CASCADE')
        raw.close()


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("duckdb", id="duckdb"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ],
)
def sources(request: pytest.FixtureRequest) -> Iterator[SegmentSources]:
    yield from (_duckdb() if request.param == "duckdb" else _postgres())


def members(sources: SegmentSources, definition: dict[str, Any]) -> set[str]:
    expr = segment_users(parse_definition(definition), sources, as_of=AS_OF)
    return set(expr.to_pyarrow().column("user_id").to_pylist())


def one(**condition: Any) -> dict[str, Any]:
    return {"match": "all", "conditions": [condition]}


CASES = [
    # u1's latest identify says enterprise; u3's later call has no plan, so pro stays.
    pytest.param(one(type="user", key="plan", value="pro"), {"u3"}, id="user-eq-latest-wins"),
    # "is not" includes u4, who has no plan at all.
    pytest.param(one(type="user", key="plan", op="neq", value="pro"), {"u1", "u2", "u4"}, id="neq"),
    # seats: u1 12, u2 "3" (text that is a number); u3 and u4 none.
    pytest.param(one(type="user", key="seats", op="gte", value="3"), {"u1", "u2"}, id="gte"),
    pytest.param(one(type="user", key="seats", op="lt", value="5"), {"u2"}, id="lt"),
    pytest.param(one(type="user", key="plan", op="is_not_set"), {"u4"}, id="not-set"),
    pytest.param(one(type="user", key="plan", op="contains", value="PRI"), {"u1"}, id="contains"),
    # acme: u1 (group call and events) and u3 (events); globex: u2 (group call, one event).
    pytest.param(one(type="account", key="industry", value="saas"), {"u1", "u3"}, id="account"),
    pytest.param(one(type="account", key="industry", value="retail"), {"u2"}, id="account-2"),
    # Event property: only u3's pageview says FR.
    pytest.param(one(type="event", key="country", value="FR"), {"u3"}, id="event-prop"),
    # ... and only u4's signup says DE, so "signup with country=DE" is u4, "pageview" nobody.
    pytest.param(
        one(type="event", event="signup", key="country", value="DE"), {"u4"}, id="event-named"
    ),
    # project_created counts: u1 3, u2 1, u3 0, u4 0.
    pytest.param(
        one(type="behaviour", event="project_created", op="at_least", count=2), {"u1"}, id="least"
    ),
    pytest.param(
        one(type="behaviour", event="project_created", op="at_most", count=1),
        {"u2", "u3", "u4"},
        id="at-most-includes-zero",
    ),
    pytest.param(
        one(type="behaviour", event="project_created", op="not_done"), {"u3", "u4"}, id="not-done"
    ),
    # Last 7 days ending 10-13: 10-07 .. 10-13. u1 (10-07, 10-12), u2 (10-08).
    pytest.param(
        one(type="behaviour", event="project_created", op="at_least", count=1, days=7),
        {"u1", "u2"},
        id="last-7-days",
    ),
    # Last 6 days: 10-08 .. 10-13: u1 once (10-12), u2 once (10-08); at least 2: nobody.
    pytest.param(
        one(type="behaviour", event="project_created", count=2, days=6), set(), id="last-6-days"
    ),
    # Between 10-08 and 10-11 inclusive: only u2's 10-08 project.
    pytest.param(
        one(
            type="behaviour", event="project_created", **{"from": "2026-10-08", "to": "2026-10-11"}
        ),
        {"u2"},
        id="between-dates",
    ),
    # Funnel signup → project_created within 1 day: u1 made it (23 h); u2 (3 days), u3, u4
    # never did: they dropped at step 2.
    pytest.param(
        one(type="funnel_dropped", steps="signup,project_created", window="1d", step=2),
        {"u2", "u3", "u4"},
        id="funnel-dropped",
    ),
    # OR: free plan (u2) or never created a project (u3, u4).
    pytest.param(
        {
            "match": "any",
            "conditions": [
                {"type": "user", "key": "plan", "value": "free"},
                {"type": "behaviour", "event": "project_created", "op": "not_done"},
            ],
        },
        {"u2", "u3", "u4"},
        id="or",
    ),
    # AND with a nested OR: in acme (u1, u3) and (pro (u3) or 3+ projects (u1)) → both.
    pytest.param(
        {
            "conditions": [
                {"type": "account", "key": "industry", "value": "saas"},
                {
                    "type": "group",
                    "match": "any",
                    "conditions": [
                        {"type": "user", "key": "plan", "value": "pro"},
                        {"type": "behaviour", "event": "project_created", "count": 3},
                    ],
                },
            ]
        },
        {"u1", "u3"},
        id="and-nested-or",
    ),
]


@pytest.mark.parametrize(("definition", "expected"), CASES)
def test_segment_members(sources: SegmentSources, definition: Any, expected: set[str]) -> None:
    assert members(sources, definition) == expected


def test_segment_filters_events_and_accounts(sources: SegmentSources) -> None:
    seg = segment_users(
        parse_definition(one(type="user", key="plan", op="neq", value="pro")), sources, as_of=AS_OF
    )
    kept = apply_segment(sources.events, seg).to_pyarrow()
    # u1 has 5 events, u2 3, u4 1; u3's 2 are gone.
    assert kept.num_rows == 9
    assert set(kept.column("user_id").to_pylist()) == {"u1", "u2", "u4"}
    accounts = segment_accounts(seg, sources)
    # Accounts of u1, u2 and u4: acme (u1's events), globex (u2's group call and event).
    assert set(accounts.to_pyarrow().column("group_id").to_pylist()) == {"acme", "globex"}
    by_account = apply_segment(sources.events, seg, accounts=accounts).to_pyarrow()
    # Every event in acme (u1 5, u3 2) or globex (u2 1).
    assert by_account.num_rows == 8


def test_property_values_count_users(sources: SegmentSources) -> None:
    found = property_values(sources, "user", "plan", 5).to_pyarrow().to_pylist()
    # Latest plans: u1 enterprise, u2 free, u3 pro; ties ordered by value.
    assert found == [
        {"value": "enterprise", "n": 1},
        {"value": "free", "n": 1},
        {"value": "pro", "n": 1},
    ]


def test_definition_round_trips_through_json() -> None:
    for case in CASES:
        parsed = parse_definition(case.values[0])
        assert parse_definition(definition_json(parsed)) == parsed


@pytest.mark.parametrize(
    ("definition", "loc", "text"),
    [
        pytest.param(
            one(type="user", key="plan", op="like", value="x"),
            ["definition", "conditions", 0, "op"],
            "unknown operator 'like'",
            id="unknown-operator",
        ),
        pytest.param(
            one(type="user", key="seats", op="gt", value="many"),
            ["definition", "conditions", 0, "value"],
            "needs a number, not 'many'",
            id="not-a-number",
        ),
        pytest.param(
            one(type="behaviour", event="x", count="two"),
            ["definition", "conditions", 0, "count"],
            "count must be a whole number",
            id="bad-count",
        ),
        pytest.param(
            one(type="behaviour", event="x", days=0),
            ["definition", "conditions", 0, "days"],
            "between 1 and 3650",
            id="zero-days",
        ),
        pytest.param(
            one(type="user", key="plan"),
            ["definition", "conditions", 0, "value"],
            "needs a value",
            id="missing-value",
        ),
        pytest.param(
            one(type="cohort"),
            ["definition", "conditions", 0, "type"],
            "unknown condition type 'cohort'",
            id="unknown-type",
        ),
        pytest.param(
            {"match": "all", "conditions": []},
            ["definition", "conditions"],
            "at least one condition",
            id="empty",
        ),
        pytest.param(
            one(type="funnel_dropped", steps="signup"),
            ["definition", "conditions", 0, "steps"],
            "at least two steps",
            id="one-step-funnel",
        ),
        pytest.param(
            one(type="behaviour", event="x", days=3, **{"from": "2026-01-01"}),
            ["definition", "conditions", 0, "days"],
            "not both",
            id="days-and-dates",
        ),
    ],
)
def test_invalid_definitions_say_where_and_why(definition: Any, loc: list[Any], text: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        parse_definition(definition)
    first = info.value.details[0].as_dict()
    assert first["loc"] == loc
    assert text in first["message"]


def test_user_conditions_need_identify_data(sources: SegmentSources) -> None:
    bare = SegmentSources(sources.events)
    with pytest.raises(InvalidInputError, match="user properties are not available"):
        segment_users(
            parse_definition(one(type="user", key="plan", value="pro")), bare, as_of=AS_OF
        )
