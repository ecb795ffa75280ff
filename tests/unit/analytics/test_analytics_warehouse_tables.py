"""Users and accounts tables of a warehouse mapped onto identify/group calls, on DuckDB.

The same mapping runs on PostgreSQL through the settings in
``tests/service/analytics/test_analytics_warehouse_properties.py``; here the pure mapping and the
segment rules are checked on small in-memory tables, each expected set worked out by hand.
"""

from datetime import date, datetime

import ibis
import pandas as pd
import pytest

from producthq.analytics.events import to_canonical
from producthq.analytics.segments import (
    SegmentSources,
    parse_definition,
    property_values,
    segment_users,
)
from producthq.analytics.warehouse import parse_table_mapping, property_columns, to_calls
from producthq.errors import InvalidInputError

AS_OF = date(2026, 10, 13)


@pytest.fixture
def sources() -> SegmentSources:
    con = ibis.duckdb.connect()
    events = pd.DataFrame(
        {
            "event": ["signup"] * 4,
            "user_id": ["1", "2", "3", "4"],
            "group_id": ["acme", "acme", "globex", None],
            "timestamp": [datetime(2026, 10, 5, 9)] * 4,  # noqa: DTZ001 - naive UTC
        }
    )
    # A dim table with integer ids; 4 has no row; 3 has a row without a plan.
    users = pd.DataFrame(
        {"id": [1, 2, 3], "plan": ["pro", "free", None], "seats": [10, 2, 1]},
    )
    accounts = pd.DataFrame({"account_id": ["acme", "globex"], "tier": ["gold", None]})
    ev = to_canonical(con.create_table("ev", events))
    user_calls = to_calls(con.create_table("u", users), {"user_id": "id"}, "user")
    group_calls = to_calls(con.create_table("a", accounts), {"group_id": "account_id"}, "account")
    return SegmentSources(ev, user_calls, group_calls)


def members(sources: SegmentSources, condition: dict[str, str]) -> list[str]:
    definition = parse_definition({"conditions": [condition]})
    users = segment_users(definition, sources, as_of=AS_OF).to_pandas()
    return sorted(users.user_id)


def test_calls_have_the_canonical_columns_then_the_properties(sources: SegmentSources) -> None:
    assert sources.users is not None and sources.groups is not None
    assert sources.users.columns == (
        "user_id",
        "anonymous_id",
        "timestamp",
        "message_id",
        "plan",
        "seats",
    )
    assert sources.groups.columns == ("group_id", "user_id", "timestamp", "message_id", "tier")


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        pytest.param({"type": "user", "key": "plan", "value": "pro"}, ["1"], id="eq"),
        # Integer ids match the events' text ids; 10 and 2 are at least 2.
        pytest.param({"type": "user", "key": "seats", "op": "gte", "value": "2"}, ["1", "2"]),
        # 3 (row without plan) and 4 (no row).
        pytest.param({"type": "user", "key": "plan", "op": "is_not_set"}, ["3", "4"], id="unset"),
        # A key that is no column: nobody has it.
        pytest.param({"type": "user", "key": "nope", "op": "is_set"}, [], id="no-column"),
        # A canonical column is not a property.
        pytest.param({"type": "user", "key": "message_id", "op": "is_set"}, [], id="canonical"),
        # acme is gold: its users 1 and 2.
        pytest.param({"type": "account", "key": "tier", "value": "gold"}, ["1", "2"], id="acct"),
    ],
)
def test_segments_read_the_property_columns(
    sources: SegmentSources, condition: dict[str, str], expected: list[str]
) -> None:
    assert members(sources, condition) == expected


def test_breakdown_values_count_users_with_events(sources: SegmentSources) -> None:
    found = property_values(sources, "user", "plan", 5).to_pyarrow().to_pylist()
    assert found == [{"value": "free", "n": 1}, {"value": "pro", "n": 1}]


def test_property_columns_leave_out_the_mapped_and_canonical_ones() -> None:
    columns = ("id", "user_id", "received_at", "plan", "context_ip")
    mapping = {"user_id": "id", "timestamp": "received_at"}
    # user_id here is canonical (it would clash), id and received_at are mapped.
    assert property_columns(columns, mapping, "user") == ["plan", "context_ip"]
    assert property_columns(("uid", "traits"), {"user_id": "uid"}, "user") == []


@pytest.mark.parametrize(
    ("text", "match"),
    [
        pytest.param("user_id", "expected COLUMN=FIELD", id="no-equals"),
        pytest.param("plan=tier", "unknown column 'plan'", id="unknown"),
        pytest.param("user_id=a,user_id=b", "mapped twice", id="twice"),
    ],
)
def test_bad_mappings_name_the_variable(text: str, match: str) -> None:
    with pytest.raises(InvalidInputError, match=f"PRODUCTHQ_USERS_MAPPING: .*{match}"):
        parse_table_mapping(text, "user")


def test_a_table_without_its_id_column_is_refused() -> None:
    table = ibis.table({"id": "string", "plan": "string"}, name="dim_users")
    with pytest.raises(InvalidInputError, match="no 'user_id' column; map it"):
        to_calls(table, {}, "user")
    with pytest.raises(InvalidInputError, match="field 'who'"):
        to_calls(table, {"user_id": "who"}, "user")
