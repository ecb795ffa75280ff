"""Creating, claiming, running and reaping jobs.

A job row is the truth about a job; the queue only carries its id. A worker *claims* a job with
one atomic ``UPDATE … WHERE status = 'queued'``, so a job runs once even if the queue delivered
its id twice. A running job sends heartbeats; a job whose heartbeat is older than
``job_stale_seconds`` (its worker died) is requeued once, then marked failed, never left running.
"""

import logging
import os
import socket
import threading
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from producthq.audit.service import Actor, record
from producthq.db import utcnow
from producthq.errors import InvalidInputError, NotFoundError, ProductHQError
from producthq.jobs.models import Job
from producthq.jobs.registry import REGISTRY
from producthq.jobs.reporter import ProgressReporter
from producthq.settings import Settings

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 2
HEARTBEAT_SECONDS = 5.0


class JobStatus(StrEnum):
    """Where a job is in its life."""

    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


def create_job(
    session: Session, *, actor: Actor | None, workspace_id: int, kind: str, params: dict[str, Any]
) -> Job:
    """Create a queued job; its id is sent to the queue when the unit of work commits."""
    if kind not in REGISTRY.handlers:
        known = ", ".join(sorted(REGISTRY.handlers))
        raise InvalidInputError.single(("kind",), f"unknown job kind {kind!r}; known: {known}")
    job = Job(
        workspace_id=workspace_id,
        kind=kind,
        params=params,
        status=JobStatus.queued.value,
        created_by_id=actor.user_id if actor else None,
        queued_at=utcnow(),
    )
    session.add(job)
    session.flush()
    session.info.setdefault("jobs_to_dispatch", []).append(job.id)
    record(
        session,
        actor=actor,
        workspace_id=workspace_id,
        action="create",
        object_type="job",
        object_id=job.id,
        summary=f"started job {kind}",
    )
    return job


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    ids = session.info.pop("jobs_to_dispatch", [])
    dispatch = session.info.get("dispatch")
    if dispatch is not None:
        for job_id in ids:
            dispatch(job_id)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop("jobs_to_dispatch", None)


def get_job(session: Session, *, workspace_id: int, job_id: int) -> Job:
    """Return a job of the workspace; raise ``NotFoundError`` otherwise."""
    job = session.scalar(select(Job).where(Job.id == job_id, Job.workspace_id == workspace_id))
    if job is None:
        raise NotFoundError(f"job {job_id} does not exist")
    return job


def list_jobs(
    session: Session, *, workspace_id: int, limit: int = 50, offset: int = 0
) -> tuple[list[Job], int]:
    """Return the workspace's jobs, newest first, and their total count."""
    base = select(Job).where(Job.workspace_id == workspace_id)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.scalars(base.order_by(Job.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), total


def reap_stale_jobs(session: Session, *, stale_seconds: int) -> list[int]:
    """Requeue (once) or fail running jobs whose worker stopped sending heartbeats.

    Returns:
        The ids of jobs put back in the queue (the caller sends them to the queue).
    """
    cutoff = utcnow() - timedelta(seconds=stale_seconds)
    stale = session.scalars(
        select(Job).where(Job.status == JobStatus.running.value, Job.heartbeat_at < cutoff)
    ).all()
    requeued: list[int] = []
    for job in stale:
        if job.attempts < MAX_ATTEMPTS:
            job.status = JobStatus.queued.value
            job.message = f"worker {job.worker} stopped responding; retrying"
            job.queued_at = utcnow()
            requeued.append(job.id)
        else:
            job.status = JobStatus.failed.value
            job.error = f"worker {job.worker} stopped responding after {job.attempts} attempts"
            job.finished_at = utcnow()
    session.flush()
    return requeued


class _Context:
    def __init__(
        self,
        job: Job,
        settings: Settings,
        factory: sessionmaker[Session],
        worker: str,
        reporter: ProgressReporter,
    ) -> None:
        self.job_id = job.id
        self.workspace_id = job.workspace_id
        self.params = dict(job.params or {})
        self.settings = settings
        self.session_factory = factory
        self._worker = worker
        self._reporter = reporter
        self._last = -1

    def progress(self, percent: int, message: str = "") -> None:
        percent = max(0, min(100, int(percent)))
        if percent == self._last and not message:
            return
        self._last = percent
        self._reporter.report(percent, message)


def worker_name() -> str:
    """Return a name for this worker process: host, pid and thread."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _claim(factory: sessionmaker[Session], job_id: int, worker: str) -> Job | None:
    with factory() as s:
        now = utcnow()
        claimed = s.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.queued.value)
            .values(
                status=JobStatus.running.value,
                started_at=now,
                heartbeat_at=now,
                worker=worker,
                attempts=Job.attempts + 1,
                message="started",
            )
        )
        s.commit()
        if getattr(claimed, "rowcount", 0) != 1:
            return None
        return s.get(Job, job_id)


def execute_job(*, job_id: int, settings: Settings, factory: sessionmaker[Session]) -> str:
    """Claim and run one job; record its outcome. Return the final status (or ``skipped``)."""
    worker = worker_name()
    job = _claim(factory, job_id, worker)
    if job is None:
        return "skipped"
    handler = REGISTRY.handlers.get(job.kind)
    reporter = ProgressReporter(factory, job_id, heartbeat_seconds=HEARTBEAT_SECONDS)
    reporter.start()
    values: dict[str, Any]
    try:
        if handler is None:
            raise InvalidInputError(f"no handler for job kind {job.kind!r} in this worker")
        result = handler(_Context(job, settings, factory, worker, reporter))
        values = {
            "status": JobStatus.succeeded.value,
            "progress": 100,
            "result": result or {},
            "message": "done",
        }
    except ProductHQError as exc:
        values = {"status": JobStatus.failed.value, "error": str(exc), "message": "failed"}
    except Exception as exc:  # noqa: BLE001 - a job's crash is recorded, never lost
        log.exception("job %s crashed", job_id)
        values = {
            "status": JobStatus.failed.value,
            "error": f"{type(exc).__name__}: {exc}",
            "message": "failed",
        }
    finally:
        reporter.close()
    with factory() as s:
        s.execute(update(Job).where(Job.id == job_id).values(finished_at=utcnow(), **values))
        s.commit()
    return str(values["status"])
