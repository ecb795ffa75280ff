"""Warehouse-native mode with user and account tables, and the "(none)" breakdown series.

Needs the local PostgreSQL server (127.0.0.1:5432, user postgres, database ``test``); the
tables live in a uniquely named schema, dropped afterwards. Every expected number is worked out
by hand in a comment. Days 2026-10-05 … 10-08.
"""

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker
from tests.factories import bearer, login, make_world

from producthq.accounts import service as accounts
from producthq.accounts.roles import Role
from producthq.analytics import service
from producthq.analytics.query import InsightQuery
from producthq.analytics.segments import parse_definition
from producthq.analytics.store import property_keys
from producthq.audit.service import Actor
from producthq.errors import EngineError, InvalidInputError
from producthq.settings import Settings
from producthq.web.app import create_app

pytestmark = pytest.mark.postgres
DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"
URL = "postgres://postgres@127.0.0.1:5432/test"
RANGE = {"start": date(2026, 10, 5), "end": date(2026, 10, 8)}

# The company's events: a and b sign up Monday (a in acme, b in globex), c Tuesday (no
# account), d Wednesday (initech). Only the sign-ups of a and b carry an event property plan.
EVENTS = [
    ("signup", "a", "2026-10-05 09:00:00", '{"plan": "pro"}', "acme"),
    ("pageview", "a", "2026-10-06 09:00:00", "{}", None),
    ("signup", "b", "2026-10-05 10:00:00", '{"plan": "free"}', "globex"),
    ("pageview", "b", "2026-10-07 10:00:00", "{}", None),
    ("signup", "c", "2026-10-06 11:00:00", "{}", None),
    ("signup", "d", "2026-10-07 12:00:00", "{}", "initech"),
    ("pageview", "d", "2026-10-08 12:00:00", "{}", None),
]
# A dimension table, one row per user: c has a row but no plan, d has no row, e has no events.
DIM_USERS = [
    ("a", "pro", 5, "2026-09-01 00:00:00"),
    ("b", "free", 1, "2026-09-01 00:00:00"),
    ("c", None, 2, "2026-09-01 00:00:00"),
    ("e", "pro", 3, "2026-09-01 00:00:00"),
]
# Segment's identifies: one row per call, a column per trait (null when the call left it out).
IDENTIFIES = [
    ("m1", "a", "2026-09-01 00:00:00+00", "free"),
    ("m2", "a", "2026-10-01 00:00:00+00", "pro"),  # a's latest plan: pro
    ("m3", "a", "2026-10-02 00:00:00+00", None),  # a later call without plan keeps pro
    ("m4", "b", "2026-10-01 00:00:00+00", "free"),
    ("m5", "c", "2026-10-03 00:00:00+00", "pro"),
    ("m6", "c", "2026-10-04 00:00:00+00", "free"),  # c moves to free
]
# Identify calls with the traits in one JSON column.
JSON_USERS = [
    ("a", "2026-10-01 00:00:00", '{"plan": "pro"}'),
    ("b", "2026-10-01 00:00:00", '{"plan": "free"}'),
]
# Accounts: initech has no industry.
ACCOUNTS = [("acme", "saas", "Acme"), ("globex", "retail", "Globex"), ("initech", None, "Initech")]

TABLES: dict[str, tuple[str, list[tuple[Any, ...]]]] = {
    "tracks": ("(name text, distinct_id text, ts timestamp, props json, account text)", EVENTS),
    "dim_users": ("(id text, plan text, seats integer, updated_at timestamp)", DIM_USERS),
    "identifies": ("(id text, user_id text, received_at timestamptz, plan text)", IDENTIFIES),
    "users_json": ("(uid text, at timestamp, traits json)", JSON_USERS),
    "accounts": ("(id text, industry text, name text)", ACCOUNTS),
}


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[Settings]:
    psycopg = pytest.importorskip("psycopg")
    try:
        raw = psycopg.connect(DSN, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is unavailable: {exc}")
    schema = f"phq_whp_{uuid.uuid4().hex[:10]}"
    raw.execute(f'CREATE SCHEMA "{schema}"')
    for name, (columns, rows) in TABLES.items():
        raw.execute(f'CREATE TABLE "{schema}".{name} {columns}')
        marks = ", ".join(["%s"] * len(rows[0]))
        with raw.cursor() as cur:
            cur.executemany(f'INSERT INTO "{schema}".{name} VALUES ({marks})', rows)
    settings = Settings(
        data_dir=tmp_path / "data",
        events_url=URL,
        events_table=f"{schema}.tracks",
        events_mapping="event=name,user_id=distinct_id,timestamp=ts,properties=props,"
        "group_id=account",
        users_table=f"{schema}.dim_users",
        users_mapping="user_id=id,timestamp=updated_at",
        groups_table=f"{schema}.accounts",
        groups_mapping="group_id=id",
    )
    try:
        yield settings
    finally:
        raw.execute(f'DROP SCHEMA "{schema}" CASCADE')
        raw.close()


def _schema(settings: Settings) -> str:
    return str(settings.events_table).split(".")[0]


def dau(settings: Settings, **kw: Any) -> list[int]:
    insight = service.run_insight(
        settings, workspace_id=1, query=InsightQuery(kind="dau", **RANGE), **kw
    )
    return [r["dau"] for r in insight.rows]


def series(settings: Settings, breakdown: str) -> tuple[list[str], dict[str, list[int]]]:
    query = InsightQuery(kind="dau", breakdown=breakdown, **RANGE)
    insight = service.run_insight(settings, workspace_id=1, query=query)
    out = {
        v: [r["dau"] for r in insight.rows if r["breakdown"] == v] for v in insight.breakdown_values
    }
    return insight.breakdown_values, out


def seg(condition: dict[str, Any]) -> Any:
    return parse_definition({"conditions": [condition]})


def test_segments_on_a_users_dimension_table(warehouse: Settings) -> None:
    # Everyone: 10-05 a b · 10-06 a c · 10-07 b d · 10-08 d.
    assert dau(warehouse) == [2, 2, 2, 1]
    # plan = pro: a (e is pro too but has no events).
    assert dau(warehouse, segment=seg({"type": "user", "key": "plan", "value": "pro"})) == [
        1,
        1,
        0,
        0,
    ]
    # seats >= 2 (an integer column): a (5) and c (2).
    seats = {"type": "user", "key": "seats", "op": "gte", "value": "2"}
    assert dau(warehouse, segment=seg(seats)) == [1, 2, 0, 0]
    # No plan: c (a row without one) and d (no row).
    unset = {"type": "user", "key": "plan", "op": "is_not_set"}
    assert dau(warehouse, segment=seg(unset)) == [0, 1, 1, 1]
    # Account industry = saas: acme holds a.
    saas = {"type": "account", "key": "industry", "value": "saas"}
    assert dau(warehouse, segment=seg(saas)) == [1, 1, 0, 0]


def test_user_property_breakdown_adds_a_none_series(warehouse: Settings) -> None:
    values, by_value = series(warehouse, "user.plan")
    # free and pro have one user each (ties by name); c and d have no plan: "(none)", last.
    assert values == ["free", "pro", "(none)"]
    assert by_value["free"] == [1, 0, 1, 0]  # b: 10-05, 10-07
    assert by_value["pro"] == [1, 1, 0, 0]  # a: 10-05, 10-06
    assert by_value["(none)"] == [0, 1, 1, 1]  # c 10-06 · d 10-07, 10-08


def test_account_property_breakdown_adds_a_none_series(warehouse: Settings) -> None:
    values, by_value = series(warehouse, "account.industry")
    # retail (globex: b), saas (acme: a); (none): c (no account) and d (initech, no industry).
    assert values == ["retail", "saas", "(none)"]
    assert by_value["retail"] == [1, 0, 1, 0]
    assert by_value["saas"] == [1, 1, 0, 0]
    assert by_value["(none)"] == [0, 1, 1, 1]


def test_event_property_breakdown_adds_a_none_series_only_when_needed(
    warehouse: Settings,
) -> None:
    values, by_value = series(warehouse, "plan")
    # Only the sign-ups of a (pro) and b (free) on 10-05 carry plan.
    assert values == ["free", "pro", "(none)"]
    assert by_value["free"] == [1, 0, 0, 0] and by_value["pro"] == [1, 0, 0, 0]
    # Events without plan: 10-06 a (pageview) c (signup) · 10-07 b d · 10-08 d.
    assert by_value["(none)"] == [0, 2, 2, 1]
    # Every event has a name: no "(none)" series.
    values, by_value = series(warehouse, "event")
    assert values == ["signup", "pageview"]
    assert by_value["signup"] == [2, 1, 1, 0]


def test_funnel_breakdown_by_a_user_property_labels_users_without_it(
    warehouse: Settings,
) -> None:
    query = InsightQuery(kind="funnel", steps="signup,pageview", window="7d", breakdown="user.plan")
    insight = service.run_insight(warehouse, workspace_id=1, query=query)
    users = {(r["breakdown"], r["step"]): r["users"] for r in insight.rows}
    # a (pro) and b (free) come back within 7 days; of c and d (none) only d does.
    assert users == {
        ("free", 1): 1,
        ("free", 2): 1,
        ("pro", 1): 1,
        ("pro", 2): 1,
        ("(none)", 1): 2,
        ("(none)", 2): 1,
    }


def test_identify_style_table_keeps_each_users_latest_value(warehouse: Settings) -> None:
    settings = warehouse.model_copy(
        update={
            "users_table": f"{_schema(warehouse)}.identifies",
            "users_mapping": "timestamp=received_at,message_id=id",
        }
    )
    # Latest plan: a pro (its last call does not set plan), b free, c free; d never identified.
    free = {"type": "user", "key": "plan", "value": "free"}
    assert dau(settings, segment=seg(free)) == [1, 1, 1, 0]  # b 10-05 · c 10-06 · b 10-07
    values, by_value = series(settings, "user.plan")
    assert values == ["free", "pro", "(none)"]  # free has 2 users, pro 1
    assert by_value["pro"] == [1, 1, 0, 0]
    assert by_value["(none)"] == [0, 0, 1, 1]


def test_traits_in_a_json_column(warehouse: Settings) -> None:
    settings = warehouse.model_copy(
        update={
            "users_table": f"{_schema(warehouse)}.users_json",
            "users_mapping": "user_id=uid,timestamp=at",
        }
    )
    assert dau(settings, segment=seg({"type": "user", "key": "plan", "value": "pro"})) == [
        1,
        1,
        0,
        0,
    ]
    # Keys inside JSON would need a scan: none listed.
    assert property_keys(settings, 1)["user"] == []


def test_property_keys_come_from_the_tables_columns(warehouse: Settings) -> None:
    assert property_keys(warehouse, 1) == {
        "event": [],
        "user": ["plan", "seats"],  # id and updated_at are mapped
        "account": ["industry", "name"],
    }
    # A malformed mapping lists nothing for its table (the insight reports the mistake).
    broken = warehouse.model_copy(update={"groups_mapping": "account=id"})
    assert property_keys(broken, 1)["account"] == []


@pytest.mark.parametrize(
    ("update", "error", "match"),
    [
        pytest.param(
            {"users_mapping": "user_id=who"}, InvalidInputError, "'who'.*not a column", id="field"
        ),
        pytest.param({"users_mapping": ""}, InvalidInputError, "no 'user_id' column", id="no-id"),
        pytest.param(
            {"groups_mapping": "account=id"},
            InvalidInputError,
            "PRODUCTHQ_GROUPS_MAPPING.*unknown column 'account'",
            id="unknown-column",
        ),
        pytest.param(
            {"users_table": "nowhere.users"}, EngineError, "cannot read 'nowhere.users'", id="table"
        ),
    ],
)
def test_bad_users_or_groups_settings_are_named(
    warehouse: Settings, update: dict[str, str], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        dau(warehouse.model_copy(update=update))


def test_without_a_users_table_user_breakdowns_say_what_to_set(warehouse: Settings) -> None:
    settings = warehouse.model_copy(update={"users_table": None})
    assert dau(settings) == [2, 2, 2, 1]
    with pytest.raises(InvalidInputError, match="set PRODUCTHQ_USERS_TABLE"):
        series(settings, "user.plan")
    # The accounts table still works.
    assert series(settings, "account.industry")[0] == ["retail", "saas", "(none)"]


def test_insight_page_and_api_break_down_by_a_user_property(
    warehouse: Settings, settings: Settings, factory: sessionmaker[Any]
) -> None:
    world = make_world(factory)
    app_settings = settings.model_copy(
        update={
            k: getattr(warehouse, k)
            for k in (
                "events_url",
                "events_table",
                "events_mapping",
                "users_table",
                "users_mapping",
                "groups_table",
                "groups_mapping",
            )
        }
    )
    with TestClient(create_app(app_settings, run_jobs=False)) as client:
        login(client, world.users["viewer"])
        page = client.get(
            f"/w/{world.a}/analytics/dau",
            params={"breakdown": "user.plan", "from": "2026-10-05", "to": "2026-10-08"},
        )
        assert page.status_code == 200, page.text
        soup = BeautifulSoup(page.text, "html.parser")
        table = soup.select_one('[data-testid="insight-table"]')
        assert table is not None
        cells = [[td.get_text() for td in tr.find_all("td")] for tr in table.find_all("tr")[1:]]
        none_rows = [c for c in cells if c[0] == "(none)"]
        assert [c[2] for c in none_rows] == ["0", "1", "1", "1"]
        options = {o["value"] for o in soup.select("#breakdown-keys option")}
        assert {"user.plan", "user.seats", "account.industry"} <= options
        with factory() as s:
            ws = accounts.get_workspace(s, slug=world.a)
            user = accounts.find_user_by_email(s, email=world.users["viewer"])
            assert user is not None
            token = accounts.create_token(
                s,
                actor=Actor(user.id, user.email, ws.id, Role.viewer.value),
                name="t",
                role=Role.viewer,
            ).secret
            s.commit()
        api = client.get(
            f"/api/v1/workspaces/{world.a}/metrics/dau",
            params={"breakdown": "user.plan", "from": "2026-10-05", "to": "2026-10-08"},
            headers=bearer(token),
        )
        assert api.status_code == 200, api.text
        assert api.json()["breakdown_values"] == ["free", "pro", "(none)"]
    # A mapping that does not fit the table is shown on the page, naming the variable.
    broken = app_settings.model_copy(update={"users_mapping": "user_id=who"})
    with TestClient(create_app(broken, run_jobs=False)) as client:
        login(client, world.users["viewer"])
        page = client.get(f"/w/{world.a}/analytics/dau", params={"breakdown": "user.plan"})
        assert page.status_code == 422
        error = BeautifulSoup(page.text, "html.parser").select_one('[data-testid="error"]')
        assert error is not None and "PRODUCTHQ_USERS_MAPPING: field 'who'" in error.get_text()
