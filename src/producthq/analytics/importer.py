"""Importing an events file (CSV, JSON Lines, Parquet, with a column mapping) into the store.

DuckDB streams the file into the ``events`` table in one ``INSERT … SELECT`` (it reads in
vectors and spills to disk, so memory stays bounded), inside one transaction: a file with a bad
row leaves nothing behind. Progress comes from DuckDB's own query progress, polled from a
helper thread. Rows without ``message_id`` get one derived from their content
(``imp-`` + MD5 of event, user, time and properties), so importing the same file twice adds
nothing the second time; rows whose message id the workspace already has are skipped.
"""

import re
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import duckdb

from producthq.analytics import rollup
from producthq.analytics.events import parse_mapping, to_canonical
from producthq.analytics.sources import detect_format
from producthq.analytics.store import as_ibis, count_events, open_store
from producthq.errors import InvalidInputError, Problem, ProductHQError
from producthq.jobs.registry import REGISTRY, JobContext
from producthq.settings import Settings

JOB_KIND = "analytics_import"
Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class ImportReport:
    """What an import added."""

    rows_read: int
    imported: int
    skipped_duplicates: int

    def as_dict(self) -> dict[str, int]:
        """Return the counts for a job's result."""
        return {
            "rows_read": self.rows_read,
            "imported": self.imported,
            "skipped_duplicates": self.skipped_duplicates,
        }


def uploads_dir(data_dir: Path) -> Path:
    """Return (and create) the folder where uploaded events files wait for their job."""
    path = data_dir / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_upload(data_dir: Path, filename: str, stream: BinaryIO) -> Path:
    """Copy an uploaded events file into the uploads folder under a fresh, safe name."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(filename).name)[-120:] or "events.csv"
    detect_format(Path(safe))
    target = uploads_dir(data_dir) / f"analytics-{uuid.uuid4().hex}_{safe}"
    with target.open("wb") as out:
        while chunk := stream.read(1 << 20):
            out.write(chunk)
    return target


def _read(backend: Any, path: Path) -> Any:
    fmt = detect_format(path)
    try:
        if fmt == "csv":
            return backend.read_csv(str(path))
        if fmt == "jsonl":
            return backend.read_json(str(path), format="newline_delimited")
        return backend.read_parquet(str(path))
    except ProductHQError:
        raise
    except Exception as exc:  # noqa: BLE001 - any engine error on a user's file is bad input
        raise InvalidInputError.single(
            ("file",), f"cannot read {path.name}: {_line(exc)}"
        ) from None


def _line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


_MESSAGE_ID = (
    "coalesce(message_id, 'imp-' || md5(concat_ws('|', event, user_id, "
    'CAST("timestamp" AS VARCHAR), CAST(properties AS VARCHAR))))'
)


def _check_required(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    bad = con.execute(
        f'SELECT rn, event IS NULL, user_id IS NULL, "timestamp" IS NULL FROM '  # noqa: S608 - compiled by Ibis
        f"(SELECT row_number() OVER () AS rn, * FROM ({sql})) "
        'WHERE event IS NULL OR user_id IS NULL OR "timestamp" IS NULL ORDER BY rn LIMIT 5'
    ).fetchall()
    if bad:
        problems = []
        for rn, no_event, no_user, _no_time in bad:
            column = "event" if no_event else "user_id" if no_user else "timestamp"
            problems.append(Problem(("row", int(rn), column), f"row {rn}: {column} is empty"))
        raise InvalidInputError(f"{problems[0].message}; nothing was imported", details=problems)


def _poll(con: duckdb.DuckDBPyConnection, progress: Progress, stop: threading.Event) -> None:
    while not stop.wait(0.5):
        try:
            done = con.query_progress()
        except duckdb.Error:
            return
        if done >= 0:
            progress(5 + int(done * 0.9), f"loading: {done:.0f}%")


def import_events(
    settings: Settings,
    *,
    workspace_id: int,
    path: Path,
    mapping: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import an events file into a workspace's events, all or nothing.

    Raises:
        InvalidInputError: the file cannot be read, the mapping does not fit, a required value
            is empty or a timestamp does not parse (nothing is imported then).
    """
    report = progress or (lambda _p, _m: None)
    if not path.is_file():
        raise InvalidInputError.single(("file",), f"no such file: {path.name}")
    report(1, f"reading {path.name}")
    with open_store(settings) as con:
        backend = as_ibis(con)
        canonical = to_canonical(_read(backend, path), mapping)
        sql = str(backend.compile(canonical))
        try:
            rows_read = int(con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0])  # type: ignore[index]  # noqa: S608
            _check_required(con, sql)
        except ProductHQError:
            raise
        except duckdb.Error as exc:
            raise InvalidInputError.single(
                ("file",), f"cannot load {path.name}: {_line(exc)}"
            ) from None
        before = count_events(con, workspace_id)
        report(5, f"{rows_read} rows read; loading")
        insert = (
            "INSERT INTO events BY NAME "  # noqa: S608 - compiled by Ibis, ids are integers
            f"SELECT {int(workspace_id)} AS workspace_id, event, user_id, anonymous_id, group_id, "
            '"timestamp", message_id, properties, now()::TIMESTAMP AS received_at FROM ('
            f"SELECT * EXCLUDE (message_id), {_MESSAGE_ID} AS message_id FROM ({sql})"
            ") s WHERE NOT EXISTS (SELECT 1 FROM events e "
            f"WHERE e.workspace_id = {int(workspace_id)} AND e.message_id = s.message_id) "
            'QUALIFY row_number() OVER (PARTITION BY message_id ORDER BY "timestamp") = 1'
        )
        stop = threading.Event()
        poller = threading.Thread(target=_poll, args=(con, report, stop), daemon=True)
        poller.start()
        try:
            con.execute("BEGIN TRANSACTION")
            con.execute(insert)
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise InvalidInputError.single(
                ("file",), f"cannot load {path.name}: {_line(exc)}"
            ) from None
        finally:
            stop.set()
            poller.join()
        imported = count_events(con, workspace_id) - before
        if imported:
            report(96, "updating the user-days rollup")
            rollup.refresh(con)
    report(100, f"imported {imported} events")
    return ImportReport(rows_read, imported, rows_read - imported)


@REGISTRY.register(JOB_KIND, "Import events from a file")
def run_import_job(ctx: JobContext) -> dict[str, Any]:
    """Import an uploaded events file; the job's result holds the counts."""
    name = str(ctx.params.get("upload", ""))
    path = uploads_dir(ctx.settings.data_dir) / Path(name).name
    mapping_items = [f"{k}={v}" for k, v in dict(ctx.params.get("mapping") or {}).items()]
    try:
        result = import_events(
            ctx.settings,
            workspace_id=ctx.workspace_id,
            path=path,
            mapping=parse_mapping(mapping_items),
            progress=ctx.progress,
        )
    finally:
        path.unlink(missing_ok=True)
    return result.as_dict()
