"""Writes a running job's progress and heartbeat from a thread of its own.

A job often works inside one long transaction. On SQLite that transaction holds the database's
single write lock, so a progress write made from the job's own thread on another connection
would wait for a lock its own thread holds, until the busy timeout fails the job. The job
therefore only *records* its latest progress here; this thread writes it (with a heartbeat),
and when the database is locked it keeps the progress and tries again on the next beat. The
page then shows the progress as soon as the job's transaction lets go, and the job never fails
because it reported progress. On PostgreSQL the writes go through at once.
"""

import threading

from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from producthq.db import utcnow
from producthq.jobs.models import Job

COALESCE_SECONDS = 0.25


class ProgressReporter:
    """Collect a job's progress and write the latest of it, with heartbeats, in the background."""

    def __init__(
        self, factory: sessionmaker[Session], job_id: int, *, heartbeat_seconds: float
    ) -> None:
        self._factory = factory
        self._job_id = job_id
        self._beat = heartbeat_seconds
        self._lock = threading.Lock()
        self._pending: tuple[int, str] | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"job-{job_id}-progress", daemon=True
        )

    def start(self) -> None:
        """Start the writing thread."""
        self._thread.start()

    def report(self, percent: int, message: str) -> None:
        """Record the job's latest progress; the thread writes it soon after."""
        with self._lock:
            self._pending = (percent, message[:500])
        self._wake.set()

    def close(self, timeout: float = 60.0) -> None:
        """Write what is pending and stop the thread (before the job's outcome is written)."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            self._wake.wait(self._beat)
            self._wake.clear()
            stopping = self._stop.is_set()
            self._write()
            if stopping:
                return
            self._stop.wait(COALESCE_SECONDS)  # many reports in a burst become one write

    def _write(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, None
        values: dict[str, object] = {"heartbeat_at": utcnow()}
        if pending is not None:
            values.update(progress=pending[0], message=pending[1])
        try:
            with self._factory() as s:
                s.execute(update(Job).where(Job.id == self._job_id).values(**values))
                s.commit()
        except OperationalError:
            # Locked by the job's own transaction: keep the progress for the next beat,
            # unless the job has reported something newer meanwhile.
            with self._lock:
                if self._pending is None:
                    self._pending = pending
