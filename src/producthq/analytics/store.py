"""The embedded events store: one DuckDB file shared by every workspace.

DuckDB allows one writing process per file, so nothing holds the file open: each use opens a
short-lived connection (``open_store``) and closes it. Inside one process DuckDB shares the
database between connections; another process holding the file makes ``open_store`` retry
with back-off for up to ``LOCK_WAIT_SECONDS`` before it gives up with ``EngineError``.

Tables (all keyed by ``workspace_id``):

- ``events``: the canonical event schema (``events.py``) plus ``workspace_id`` and
  ``received_at``;
- ``user_traits`` / ``group_traits``: every identify / group call, appended; the latest call
  per user or group (by timestamp, then message id) gives its current properties;
- ``capture_state``: the highest capture-spool sequence number already loaded, written in the
  same transaction as the events it covers, so a batch is loaded exactly once.
- ``user_days`` / ``user_keys`` / ``rollup_state``: one row per user and UTC day active, and
  each user's integer key, kept up to date from ``events`` (``rollup.py``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir

from producthq.analytics import rollup
from producthq.analytics.events import CANONICAL_COLUMNS, parse_mapping, to_canonical
from producthq.analytics.segments import SegmentSources
from producthq.errors import EngineError
from producthq.settings import Settings

LOCK_WAIT_SECONDS = 15.0

SCHEMA_SQL = (
    """CREATE TABLE IF NOT EXISTS events (
        workspace_id INTEGER NOT NULL,
        event VARCHAR NOT NULL,
        user_id VARCHAR,
        anonymous_id VARCHAR,
        group_id VARCHAR,
        "timestamp" TIMESTAMP NOT NULL,
        message_id VARCHAR,
        properties JSON,
        received_at TIMESTAMP
    )""",
    """CREATE TABLE IF NOT EXISTS user_traits (
        workspace_id INTEGER NOT NULL,
        user_id VARCHAR,
        anonymous_id VARCHAR,
        "timestamp" TIMESTAMP NOT NULL,
        message_id VARCHAR,
        traits JSON
    )""",
    """CREATE TABLE IF NOT EXISTS group_traits (
        workspace_id INTEGER NOT NULL,
        group_id VARCHAR NOT NULL,
        user_id VARCHAR,
        "timestamp" TIMESTAMP NOT NULL,
        message_id VARCHAR,
        traits JSON
    )""",
    "CREATE TABLE IF NOT EXISTS capture_state (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL)",
)


def store_path(settings: Settings) -> Path:
    """Return the DuckDB file of the events store.

    Raises:
        EngineError: ``PRODUCTHQ_EVENTS_URL`` names another engine; the built-in store (capture,
            import, demo) needs DuckDB.
    """
    url = settings.resolved_events_url
    if not url.startswith("duckdb://"):
        scheme = url.split(":", 1)[0]
        raise EngineError(
            f"the events store must be a DuckDB file (duckdb://PATH); {scheme!r} is not supported "
            "for capture and import"
        )
    return Path(url.removeprefix("duckdb://"))


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    delay = 0.02
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as exc:
            # Another process holds the file's write lock; it lets go after its short use.
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise EngineError(f"the events store {path} is busy or unreadable: {exc}") from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


@contextmanager
def open_store(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open a short-lived connection to the events store, creating its tables on first use."""
    path = store_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(path)
    try:
        con.execute("SET TimeZone = 'UTC'")
        for statement in (*SCHEMA_SQL, *rollup.SCHEMA_SQL):
            con.execute(statement)
        rollup.upgrade(con)
        yield con
    finally:
        con.close()


def as_ibis(con: duckdb.DuckDBPyConnection) -> Any:
    """Wrap a raw DuckDB connection as an Ibis backend."""
    return ibis.duckdb.from_connection(con)


def workspace_events(backend: Any, workspace_id: int) -> ir.Table:
    """Return one workspace's events as a table with the canonical schema."""
    table = backend.table("events")
    return table.filter(table.workspace_id == workspace_id).select(*CANONICAL_COLUMNS)


def count_events(con: duckdb.DuckDBPyConnection, workspace_id: int) -> int:
    """Return how many events a workspace has in the store."""
    row = con.execute(
        "SELECT count(*) FROM events WHERE workspace_id = ?", [workspace_id]
    ).fetchone()
    return int(row[0]) if row else 0


def loaded_seq(con: duckdb.DuckDBPyConnection) -> int:
    """Return the highest capture-spool sequence number already in the store."""
    row = con.execute("SELECT seq FROM capture_state WHERE id = 1").fetchone()
    return int(row[0]) if row else 0


def set_loaded_seq(con: duckdb.DuckDBPyConnection, seq: int) -> None:
    """Record the highest loaded spool sequence number (inside the loading transaction)."""
    con.execute(
        "INSERT INTO capture_state VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq",
        [seq],
    )


def warehouse_mode(settings: Settings) -> bool:
    """Return whether insights read an existing table on another engine (nothing is copied)."""
    return not settings.resolved_events_url.startswith("duckdb://")


@contextmanager
def open_events(settings: Settings, workspace_id: int) -> Iterator[ir.Table]:
    """Yield a workspace's events as a canonical table: the DuckDB store's rows, or in
    warehouse-native mode the whole ``PRODUCTHQ_EVENTS_TABLE`` through the column mapping.

    Warehouse-native mode serves one company's events: every workspace reads the same table.

    Raises:
        EngineError: the engine is unreachable or the table does not exist.
        InvalidInputError: the mapping does not fit the table.
    """
    if not warehouse_mode(settings):
        with open_store(settings) as con:
            yield workspace_events(as_ibis(con), workspace_id)
        return
    mapping = parse_mapping([p for p in settings.events_mapping.split(",") if p.strip()])
    schema, _, name = settings.events_table.rpartition(".")
    try:
        backend = ibis.connect(settings.resolved_events_url)
    except Exception as exc:  # noqa: BLE001 - any driver error means unreachable
        raise EngineError(f"cannot connect to the events warehouse: {_first_line(exc)}") from None
    try:
        try:
            table = backend.table(name, database=schema or None)
        except Exception as exc:  # noqa: BLE001 - a missing table or permission
            raise EngineError(
                f"cannot read {settings.events_table!r} in the warehouse: {_first_line(exc)}"
            ) from None
        yield to_canonical(table, mapping)
    finally:
        backend.disconnect()


@contextmanager
def open_sources(settings: Settings, workspace_id: int) -> Iterator[SegmentSources]:
    """Yield a workspace's events with its identify and group calls, for segments.

    In warehouse-native mode ``users`` and ``groups`` are ``PRODUCTHQ_USERS_TABLE`` and
    ``PRODUCTHQ_GROUPS_TABLE`` (``warehouse.py``); one not configured is ``None``, and
    segments on its properties say so.
    """
    if warehouse_mode(settings):
        from producthq.analytics.warehouse import property_tables

        with open_events(settings, workspace_id) as table:
            # The property tables join the events: they must come from the same connection.
            yield SegmentSources(table, *property_tables(settings, ibis.get_backend(table)))
        return
    with open_store(settings) as con:
        if rollup.pending(con):
            # Normally the loader or importer has refreshed already; this covers the rest.
            rollup.refresh(con)
        backend = as_ibis(con)
        users = backend.table("user_traits")
        groups = backend.table("group_traits")
        yield SegmentSources(
            workspace_events(backend, workspace_id),
            users.filter(users.workspace_id == workspace_id).drop("workspace_id"),
            groups.filter(groups.workspace_id == workspace_id).drop("workspace_id"),
            user_days=rollup.user_days(backend, workspace_id),
            user_keys=rollup.user_keys(backend, workspace_id),
        )


_KEYS_SQL = {
    "event": "SELECT DISTINCT unnest(json_keys(properties)) AS k FROM events "
    "WHERE workspace_id = ? AND json_type(properties) = 'OBJECT'",
    "user": "SELECT DISTINCT unnest(json_keys(traits)) AS k FROM user_traits "
    "WHERE workspace_id = ? AND json_type(traits) = 'OBJECT'",
    "account": "SELECT DISTINCT unnest(json_keys(traits)) AS k FROM group_traits "
    "WHERE workspace_id = ? AND json_type(traits) = 'OBJECT'",
}


def property_keys(settings: Settings, workspace_id: int, limit: int = 100) -> dict[str, list[str]]:
    """Return the property keys seen in a workspace's events, identify and group calls.

    In warehouse-native mode only the user and account keys are listed: the property columns
    of the users and accounts tables (event keys would need a scan of the whole table).
    """
    if warehouse_mode(settings):
        from producthq.analytics.warehouse import warehouse_property_keys

        return warehouse_property_keys(settings, limit)
    out: dict[str, list[str]] = {}
    with open_store(settings) as con:
        for source, sql in _KEYS_SQL.items():
            rows = con.execute(f"{sql} ORDER BY k LIMIT {int(limit)}", [workspace_id]).fetchall()
            out[source] = [str(r[0]) for r in rows]
    return out


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
