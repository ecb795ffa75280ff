"""The loader: moves captured messages from the spool into the DuckDB events store.

One pass reads spooled rows after the store's watermark (``capture_state``), inserts their
events and traits and advances the watermark in one DuckDB transaction, then clears the
payloads in the spool. A crash between the two steps only leaves payloads that the next pass
skips (their ``seq`` is at or below the watermark), so every acknowledged message is loaded
exactly once. ``LoaderThread`` runs passes every ``LOAD_INTERVAL_SECONDS`` inside the server;
``producthq events load`` runs one from the CLI.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import pyarrow as pa

from producthq.analytics import rollup
from producthq.analytics.spool import Spool, SpoolRow, spool_path
from producthq.analytics.store import loaded_seq, open_store, set_loaded_seq
from producthq.errors import ProductHQError
from producthq.settings import Settings

log = logging.getLogger(__name__)
LOAD_INTERVAL_SECONDS = 2.0
BATCH_ROWS = 50_000


@dataclass
class LoadReport:
    """What a load did."""

    events: int = 0
    identifies: int = 0
    groups: int = 0
    watermark: int = 0


_J = "CAST(json_extract_string(record, '$.{0}') AS {1})"
_INSERTS = {
    "events": (
        "INSERT INTO events BY NAME SELECT workspace_id, "  # noqa: S608 - fixed text
        f"{_J.format('event', 'VARCHAR')} AS event, "
        # An anonymous event's actor is its anonymous id until identities are merged.
        f"coalesce({_J.format('user_id', 'VARCHAR')}, {_J.format('anonymous_id', 'VARCHAR')})"
        " AS user_id, "
        f"{_J.format('anonymous_id', 'VARCHAR')} AS anonymous_id, "
        f"{_J.format('group_id', 'VARCHAR')} AS group_id, "
        f'{_J.format("timestamp", "TIMESTAMP")} AS "timestamp", '
        f"{_J.format('message_id', 'VARCHAR')} AS message_id, "
        "json_extract(record, '$.properties') AS properties, "
        "CAST(received_at AS TIMESTAMP) AS received_at "
        "FROM batch WHERE json_extract_string(record, '$.type') NOT IN ('identify', 'group')"
    ),
    "user_traits": (
        "INSERT INTO user_traits BY NAME SELECT workspace_id, "  # noqa: S608 - fixed text
        f"{_J.format('user_id', 'VARCHAR')} AS user_id, "
        f"{_J.format('anonymous_id', 'VARCHAR')} AS anonymous_id, "
        f'{_J.format("timestamp", "TIMESTAMP")} AS "timestamp", '
        f"{_J.format('message_id', 'VARCHAR')} AS message_id, "
        "json_extract(record, '$.properties') AS traits "
        "FROM batch WHERE json_extract_string(record, '$.type') = 'identify'"
    ),
    "group_traits": (
        "INSERT INTO group_traits BY NAME SELECT workspace_id, "  # noqa: S608 - fixed text
        f"{_J.format('group_id', 'VARCHAR')} AS group_id, "
        f"{_J.format('user_id', 'VARCHAR')} AS user_id, "
        f'{_J.format("timestamp", "TIMESTAMP")} AS "timestamp", '
        f"{_J.format('message_id', 'VARCHAR')} AS message_id, "
        "json_extract(record, '$.properties') AS traits "
        "FROM batch WHERE json_extract_string(record, '$.type') = 'group'"
    ),
}
"""The records are JSON text (``CaptureRecord.to_json``); DuckDB unpacks them in bulk."""


def _arrow(rows: list[SpoolRow]) -> pa.Table:
    return pa.table(
        {
            "workspace_id": pa.array([r.workspace_id for r in rows], pa.int32()),
            "record": pa.array([r.record for r in rows], pa.string()),
            "received_at": pa.array([r.received_at for r in rows], pa.string()),
        }
    )


def _kinds(rows: list[SpoolRow]) -> dict[str, int]:
    counts = {"events": 0, "user_traits": 0, "group_traits": 0}
    for r in rows:
        # Records start with {"type":"<kind>", (to_json writes "type" first).
        if r.record.startswith('{"type":"identify"'):
            counts["user_traits"] += 1
        elif r.record.startswith('{"type":"group"'):
            counts["group_traits"] += 1
        else:
            counts["events"] += 1
    return counts


def load_pending(settings: Settings, *, max_rows: int | None = None) -> LoadReport:
    """Move every spooled message not yet loaded into the events store.

    Args:
        settings: locate the spool and the store.
        max_rows: stop after about this many rows (default: until the spool is drained).

    Returns:
        How many events, identify and group calls were loaded, and the new watermark.
    """
    report = LoadReport()
    path = spool_path(settings)
    if not path.exists():
        return report
    spool = Spool(path)
    try:
        while max_rows is None or report.events + report.identifies + report.groups < max_rows:
            with open_store(settings) as con:
                after = loaded_seq(con)
                rows = spool.pending(after, BATCH_ROWS)
                report.watermark = after
                if not rows:
                    break
                counts = _kinds(rows)
                batch = _arrow(rows)  # noqa: F841 - DuckDB reads the local by name
                con.execute("BEGIN TRANSACTION")
                try:
                    for name, statement in _INSERTS.items():
                        if counts[name]:
                            con.execute(statement)
                    set_loaded_seq(con, rows[-1].seq)
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
            spool.forget_payloads(rows[-1].seq)
            report.events += counts["events"]
            report.identifies += counts["user_traits"]
            report.groups += counts["group_traits"]
            report.watermark = rows[-1].seq
        if report.events:
            # Once per drain, not per batch: the touched days are recomputed together.
            with open_store(settings) as con:
                rollup.refresh(con)
    finally:
        spool.close()
    return report


class LoaderThread:
    """Run ``load_pending`` every few seconds inside a server process."""

    def __init__(self, settings: Settings, interval: float = LOAD_INTERVAL_SECONDS) -> None:
        self.settings = settings
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="producthq-loader", daemon=True)

    def start(self) -> None:
        """Start the loop."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the loop after its current pass."""
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                load_pending(self.settings)
            except ProductHQError as exc:
                log.warning("loading captured events failed: %s", exc.message)
            except Exception:  # noqa: BLE001 - the loop must survive and retry next time
                log.exception("loading captured events crashed")
