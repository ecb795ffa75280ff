"""User and account properties in warehouse-native mode: existing tables read in place.

Besides the events table, warehouse-native mode may name a table of user properties
(``PRODUCTHQ_USERS_TABLE``) and one of account properties (``PRODUCTHQ_GROUPS_TABLE``), each
with a column mapping (``PRODUCTHQ_USERS_MAPPING`` / ``PRODUCTHQ_GROUPS_MAPPING``). Nothing is
copied. Two shapes are read, the ones warehouses hold:

- **one column per property**: a dimension table (dbt's ``dim_users``, Segment's ``users`` and
  ``groups``: one row per user or account) or a call log (Segment's ``identifies``: one row per
  identify call, ``timestamp``/``received_at``, a column per trait, null where the call did
  not set it). Every column not mapped to a canonical column is a property named as the column.
- **a JSON column of traits**: map ``traits=FIELD`` (an identify-style log with a JSON column).

Either way the table is mapped to the shape ``SegmentSources`` reads: ``user_id,
anonymous_id, timestamp, message_id`` (users) or ``group_id, user_id, timestamp, message_id``
(accounts), then the properties. A user's value of a key is the one of their latest row that
sets it (by ``timestamp``, then ``message_id``), as for identify calls in the store; a table
without a timestamp column should have one row per user.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Literal

import ibis
import ibis.expr.types as ir

from producthq.analytics.events import parse_mapping
from producthq.errors import EngineError, InvalidInputError, Problem
from producthq.settings import Settings

PropertyTableKind = Literal["user", "account"]

CALL_COLUMNS: dict[PropertyTableKind, tuple[str, ...]] = {
    "user": ("user_id", "anonymous_id", "timestamp", "message_id", "traits"),
    "account": ("group_id", "user_id", "timestamp", "message_id", "traits"),
}
"""The canonical columns of a users / accounts table; the first one is required."""

_SETTINGS: dict[PropertyTableKind, tuple[str, str]] = {
    "user": ("users_table", "users_mapping"),
    "account": ("groups_table", "groups_mapping"),
}
_KINDS: tuple[PropertyTableKind, ...] = ("user", "account")
_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 - naive UTC, as the canonical timestamps are


def parse_table_mapping(text: str, kind: PropertyTableKind) -> dict[str, str]:
    """Parse ``COLUMN=FIELD`` pairs (comma-separated) of a users or accounts table.

    Raises:
        InvalidInputError: a pair is malformed, names an unknown column or repeats one.

    Examples:
        >>> parse_table_mapping("user_id=id, timestamp=received_at", "user")
        {'user_id': 'id', 'timestamp': 'received_at'}
    """
    setting = _env_name(_SETTINGS[kind][1])
    items = [p for p in text.split(",") if p.strip()]
    return parse_mapping(items, known=CALL_COLUMNS[kind], where=setting, name=setting)


def property_columns(
    columns: tuple[str, ...], mapping: Mapping[str, str], kind: PropertyTableKind
) -> list[str]:
    """Return the table's columns that hold properties (none when traits are one JSON column).

    Examples:
        >>> property_columns(("id", "plan", "country"), {"user_id": "id"}, "user")
        ['plan', 'country']
    """
    fields = {mapping.get(c, c) for c in CALL_COLUMNS[kind]} | set(CALL_COLUMNS[kind])
    if mapping.get("traits", "traits") in columns:
        return []
    return [c for c in columns if c not in fields]


def to_calls(table: ir.Table, mapping: Mapping[str, str], kind: PropertyTableKind) -> ir.Table:
    """Map a users or accounts table onto the canonical call columns, keeping its properties.

    Returns:
        ``user_id, anonymous_id, timestamp, message_id`` (accounts: ``group_id, user_id, …``),
        then ``traits`` (JSON) when the table has one, else every property column unchanged.

    Raises:
        InvalidInputError: a mapped field is not a column, or the id column is missing.
    """
    setting = _env_name(_SETTINGS[kind][1])
    id_column = CALL_COLUMNS[kind][0]
    present = set(table.columns)
    problems = [
        Problem(
            (setting, column),
            f"{setting}: field {field!r} (mapped to {column!r}) is not a column of the table; "
            f"columns: {', '.join(table.columns)}",
            "unknown_column",
        )
        for column, field in mapping.items()
        if field not in present
    ]
    if id_column not in mapping and id_column not in present:
        problems.append(
            Problem(
                (setting, id_column),
                f"{setting}: the table has no {id_column!r} column; map it, e.g. {id_column}=id",
                "missing_column",
            )
        )
    if problems:
        raise InvalidInputError(problems[0].message, details=problems)
    exprs: dict[str, ir.Value] = {}
    for column in CALL_COLUMNS[kind]:
        field = mapping.get(column, column)
        if column == "traits":
            if field in present:
                src = table[field]
                exprs[column] = src if src.type().is_json() else src.cast("string").cast("json")
        elif column == "timestamp":
            stamp = table[field].cast("timestamp") if field in present else ibis.null("timestamp")
            exprs[column] = stamp.fill_null(ibis.literal(_EPOCH))
        else:
            exprs[column] = table[field].cast("string") if field in present else ibis.null("string")
    properties = property_columns(tuple(table.columns), mapping, kind)
    return table.select(**exprs, **{c: table[c] for c in properties})


@contextmanager
def connect_warehouse(settings: Settings) -> Iterator[Any]:
    """Open the warehouse named by ``PRODUCTHQ_EVENTS_URL`` (an Ibis backend), then close it.

    Raises:
        EngineError: the engine is unreachable.
    """
    try:
        backend = ibis.connect(settings.resolved_events_url)
    except Exception as exc:  # noqa: BLE001 - any driver error means unreachable
        raise EngineError(f"cannot connect to the events warehouse: {_first_line(exc)}") from None
    try:
        yield backend
    finally:
        backend.disconnect()


def read_table(backend: Any, qualified: str) -> ir.Table:
    """Return the warehouse table ``[schema.]name`` (reads its schema only).

    Raises:
        EngineError: the table does not exist or cannot be read.
    """
    schema, _, name = qualified.rpartition(".")
    try:
        return backend.table(name, database=schema or None)
    except Exception as exc:  # noqa: BLE001 - a missing table or permission
        raise EngineError(
            f"cannot read {qualified!r} in the warehouse: {_first_line(exc)}"
        ) from None


def property_tables(settings: Settings, backend: Any) -> tuple[ir.Table | None, ir.Table | None]:
    """Return the users and accounts tables as calls (``SegmentSources.users`` / ``groups``).

    A table that is not configured is ``None``.

    Raises:
        EngineError: a configured table cannot be read.
        InvalidInputError: its mapping does not fit it.
    """
    out: list[ir.Table | None] = []
    for kind in _KINDS:
        table_setting, mapping_setting = _SETTINGS[kind]
        qualified = getattr(settings, table_setting)
        if not qualified:
            out.append(None)
            continue
        mapping = parse_table_mapping(getattr(settings, mapping_setting), kind)
        out.append(to_calls(read_table(backend, qualified), mapping, kind))
    return out[0], out[1]


def warehouse_property_keys(settings: Settings, limit: int) -> dict[str, list[str]]:
    """Return the user and account property keys: the tables' property columns (schema only).

    Event keys and the keys inside a JSON ``traits`` column are not listed (they would need a
    scan of the table). A table whose mapping is malformed lists nothing: the keys only feed a
    picker, and the insight that reads the table reports the mistake.

    Raises:
        EngineError: the warehouse or a configured table cannot be read.
    """
    out: dict[str, list[str]] = {"event": [], "user": [], "account": []}
    if not settings.users_table and not settings.groups_table:
        return out
    with connect_warehouse(settings) as backend:
        for kind in _KINDS:
            table_setting, mapping_setting = _SETTINGS[kind]
            qualified = getattr(settings, table_setting)
            if not qualified:
                continue
            try:
                mapping = parse_table_mapping(getattr(settings, mapping_setting), kind)
            except InvalidInputError:
                continue
            columns = tuple(read_table(backend, qualified).columns)
            out[kind] = sorted(property_columns(columns, mapping, kind))[:limit]
    return out


def _env_name(field: str) -> str:
    return f"PRODUCTHQ_{field.upper()}"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
