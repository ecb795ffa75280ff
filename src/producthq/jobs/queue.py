"""The job queue on huey: SQLite in the data folder by default, Redis in production.

The queue carries job ids only; ``jobs.service`` owns the job rows. ``producthq serve`` runs
``InProcessWorker`` threads (embedded default, no extra server); ``producthq worker`` runs
huey's consumer. Any number of web processes and workers share one queue.
"""

import logging
import threading
from collections.abc import Callable
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey
from sqlalchemy.orm import Session, sessionmaker

from producthq.jobs.service import execute_job, reap_stale_jobs
from producthq.settings import Settings

log = logging.getLogger(__name__)


class JobQueue:
    """A huey instance with the one task that runs a job by id."""

    def __init__(self, settings: Settings, factory: sessionmaker[Session]) -> None:
        self.settings = settings
        self.factory = factory
        self.huey = self._make_huey(settings)
        self._task: Callable[[int], Any] = self.huey.task(name="producthq.run_job")(self._run)

    @staticmethod
    def _make_huey(settings: Settings) -> Huey:
        url = settings.queue_url
        if url and url.startswith(("redis://", "rediss://")):
            return RedisHuey("producthq", url=url)
        path = url.removeprefix("sqlite:///") if url else str(settings.data_dir / "queue.db")
        settings.ensure_data_dir()
        return SqliteHuey("producthq", filename=path)

    def _run(self, job_id: int) -> str:
        return execute_job(job_id=job_id, settings=self.settings, factory=self.factory)

    def submit(self, job_id: int) -> None:
        """Put a job id on the queue."""
        self._task(job_id)

    def reap(self) -> int:
        """Requeue or fail jobs whose worker died; return how many were requeued."""
        with self.factory() as s:
            ids = reap_stale_jobs(s, stale_seconds=self.settings.job_stale_seconds)
            s.commit()
        for job_id in ids:
            self.submit(job_id)
        return len(ids)

    def run_pending(self) -> int:
        """Run every queued task now, in this thread (tests and the CLI use it)."""
        count = 0
        while (task := self.huey.dequeue()) is not None:
            self.huey.execute(task)
            count += 1
        return count


class InProcessWorker:
    """Threads that run jobs inside the web server process."""

    def __init__(self, queue: JobQueue, threads: int = 2, poll_seconds: float = 0.5) -> None:
        self.queue = queue
        self.poll = poll_seconds
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._loop, name=f"producthq-jobs-{i}", daemon=True)
            for i in range(threads)
        ]

    def start(self) -> None:
        """Start the worker threads."""
        self.queue.reap()
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the threads to stop and wait a little for them."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)

    def _loop(self) -> None:
        idle = 0
        while not self._stop.is_set():
            task = self.queue.huey.dequeue()
            if task is None:
                idle += 1
                if idle % 120 == 0:
                    self.queue.reap()
                self._stop.wait(self.poll)
                continue
            idle = 0
            self.queue.huey.execute(task)
