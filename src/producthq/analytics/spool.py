"""The capture spool: an append-only SQLite log in the data folder that makes capture durable.

Every server process appends captured messages here (SQLite serialises writers across
processes; WAL with ``synchronous=FULL`` fsyncs each commit), so a call is answered 2xx only
after its messages are on disk. ``UNIQUE(workspace_id, message_id)`` drops duplicates. The
loader (``loader.py``) moves rows into the DuckDB store in order of ``seq``; because writers are
serialised, a row with a lower ``seq`` is always committed before one with a higher ``seq``, so
"everything up to seq N is loaded" is a sound watermark. Loaded rows keep their message id (for
deduplication) but lose their payload.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from producthq.analytics.capture import CaptureRecord
from producthq.settings import Settings

SPOOL_FILE = "capture.db"
_ROWS_PER_STATEMENT = 2000
"""Four parameters per row stay below SQLite's limit of 32,766 per statement."""


@dataclass(frozen=True)
class SpoolRow:
    """One spooled message awaiting the loader."""

    seq: int
    workspace_id: int
    record: str
    received_at: str


def spool_path(settings: Settings) -> Path:
    """Return the spool's file in the data folder."""
    return settings.data_dir / SPOOL_FILE


class Spool:
    """A connection to the capture spool (one per thread; cheap to open)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.con = sqlite3.connect(str(path), timeout=30.0, isolation_level=None)
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute("PRAGMA synchronous=FULL")
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS spool ("
            " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
            " workspace_id INTEGER NOT NULL,"
            " message_id TEXT NOT NULL,"
            " record TEXT,"
            " received_at TEXT NOT NULL,"
            " UNIQUE (workspace_id, message_id))"
        )

    def close(self) -> None:
        """Close the connection."""
        self.con.close()

    def append(
        self, workspace_id: int, records: Sequence[CaptureRecord], received_at: datetime
    ) -> list[bool]:
        """Append records in one durable transaction; return, per record, whether it was new."""
        stamp = received_at.isoformat()
        inserted: set[str] = set()
        cur = self.con.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            for start in range(0, len(records), _ROWS_PER_STATEMENT):
                chunk = records[start : start + _ROWS_PER_STATEMENT]
                values = ",".join(["(?, ?, ?, ?)"] * len(chunk))
                params: list[object] = []
                for rec in chunk:
                    params += [workspace_id, rec.message_id, rec.to_json(), stamp]
                # RETURNING lists only the rows inserted: the others were duplicates.
                rows = cur.execute(
                    "INSERT OR IGNORE INTO spool (workspace_id, message_id, record, received_at)"  # noqa: S608 - placeholders only
                    f" VALUES {values} RETURNING message_id",
                    params,
                ).fetchall()
                inserted.update(str(r[0]) for r in rows)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        fresh: list[bool] = []
        for rec in records:
            # A message id repeated inside one call is new only the first time.
            fresh.append(rec.message_id in inserted)
            inserted.discard(rec.message_id)
        return fresh

    def pending(self, after: int, limit: int) -> list[SpoolRow]:
        """Return up to ``limit`` rows with ``seq > after`` that still carry their payload."""
        rows = self.con.execute(
            "SELECT seq, workspace_id, record, received_at FROM spool"
            " WHERE seq > ? AND record IS NOT NULL ORDER BY seq LIMIT ?",
            (after, limit),
        ).fetchall()
        return [SpoolRow(int(r[0]), int(r[1]), str(r[2]), str(r[3])) for r in rows]

    def forget_payloads(self, upto: int) -> None:
        """Drop the payload of rows already loaded (their message ids stay for deduplication)."""
        self.con.execute(
            "UPDATE spool SET record = NULL WHERE seq <= ? AND record IS NOT NULL", (upto,)
        )

    def backlog(self, after: int) -> int:
        """Return how many rows wait for the loader."""
        row = self.con.execute(
            "SELECT count(*) FROM spool WHERE seq > ? AND record IS NOT NULL", (after,)
        ).fetchone()
        return int(row[0]) if row else 0
