"""Jobs: persisted progress, run once, dead workers never leave a job 'running'."""

import threading
import time
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from tests.factories import bearer, login, make_user, make_workspace

from producthq.accounts.models import Workspace
from producthq.db import utcnow
from producthq.jobs import service
from producthq.jobs.models import Job
from producthq.jobs.registry import REGISTRY, JobContext
from producthq.settings import Settings


def _token(client: TestClient, factory: sessionmaker[Session]) -> str:
    with factory() as s:
        make_workspace(s, make_user(s), "acme")
        s.commit()
    csrf = login(client, "owner@example.com")
    r = client.post(
        "/api/v1/workspaces/acme/tokens",
        json={"name": "t", "role": "editor"},
        headers={"X-CSRF-Token": csrf},
    )
    client.cookies.clear()
    return str(r.json()["token"])


def test_job_runs_through_the_queue_to_100_percent(
    app: FastAPI, client: TestClient, factory: sessionmaker[Session]
) -> None:
    token = _token(client, factory)
    r = client.post(
        "/api/v1/workspaces/acme/jobs",
        json={"kind": "demo", "params": {"steps": 4, "delay": 0}},
        headers=bearer(token),
    )
    assert r.status_code == 202 and r.json()["status"] == "queued"
    job_id = r.json()["id"]
    assert app.state.ctx.queue.run_pending() == 1
    job = client.get(f"/api/v1/workspaces/acme/jobs/{job_id}", headers=bearer(token)).json()
    assert (job["status"], job["progress"], job["result"]) == ("succeeded", 100, {"steps": 4})
    assert job["started_at"] <= job["finished_at"]


def test_unknown_job_kind_is_rejected(client: TestClient, factory: sessionmaker[Session]) -> None:
    token = _token(client, factory)
    r = client.post("/api/v1/workspaces/acme/jobs", json={"kind": "nope"}, headers=bearer(token))
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["loc"] == ["kind"]


def test_a_job_delivered_twice_runs_once(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    with factory() as s:
        ws = make_workspace(s, make_user(s), "acme")
        job = service.create_job(
            s, actor=None, workspace_id=ws.id, kind="demo", params={"steps": 3, "delay": 0.05}
        )
        s.commit()
    outcomes: list[str] = []
    threads = [
        threading.Thread(
            target=lambda: outcomes.append(
                service.execute_job(job_id=job.id, settings=settings, factory=factory)
            )
        )
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["skipped", "succeeded"]
    with factory() as s:
        assert s.get(Job, job.id).attempts == 1  # type: ignore[union-attr]


def test_a_job_whose_worker_died_is_retried_then_failed(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    with factory() as s:
        ws = make_workspace(s, make_user(s), "acme")
        job = service.create_job(s, actor=None, workspace_id=ws.id, kind="demo", params={})
        s.commit()
    stale = utcnow() - timedelta(minutes=10)
    for attempt, expected in ((1, "queued"), (2, "failed")):
        with factory() as s:
            s.execute(
                update(Job)
                .where(Job.id == job.id)
                .values(status="running", heartbeat_at=stale, attempts=attempt, worker="w1")
            )
            s.commit()
            service.reap_stale_jobs(s, stale_seconds=60)
            s.commit()
            assert s.get(Job, job.id).status == expected  # type: ignore[union-attr]
    with factory() as s:
        assert "stopped responding" in (s.get(Job, job.id).error or "")  # type: ignore[union-attr]


def test_failing_job_records_its_error(settings: Settings, factory: sessionmaker[Session]) -> None:
    with factory() as s:
        ws = make_workspace(s, make_user(s), "acme")
        job = service.create_job(
            s, actor=None, workspace_id=ws.id, kind="demo", params={"steps": "many"}
        )
        s.commit()
    assert service.execute_job(job_id=job.id, settings=settings, factory=factory) == "failed"
    with factory() as s:
        row = s.get(Job, job.id)
        assert row is not None and row.status == "failed" and "ValueError" in (row.error or "")


def test_job_page_polls_while_running(client: TestClient, factory: sessionmaker[Session]) -> None:
    with factory() as s:
        make_workspace(s, make_user(s), "acme")
        s.commit()
    csrf = login(client, "owner@example.com")
    r = client.post("/w/acme/jobs/demo", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert 'hx-trigger="every 1s"' in page.text and 'data-status="queued"' in page.text
    partial = client.get(r.headers["location"], headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith("<article")


LOCKED_KIND = "test_progress_inside_a_write"
LIVE_KIND = "test_live_progress"
_live_gate = threading.Event()


@REGISTRY.register(LOCKED_KIND, "Reports progress while its transaction writes")
def _progress_inside_a_write(ctx: JobContext) -> dict[str, Any]:
    with ctx.session_factory() as s:
        s.execute(update(Workspace).where(Workspace.id == ctx.workspace_id).values(name="Renamed"))
        ctx.progress(50, "half way, inside the write")  # SQLite: the write lock is held here
        s.commit()
    return {"ok": True}


@REGISTRY.register(LIVE_KIND, "Reports progress, then waits for the test")
def _live_progress(ctx: JobContext) -> dict[str, Any]:
    ctx.progress(40, "waiting")
    _live_gate.wait(20)
    return {}


def test_progress_reported_inside_a_write_transaction_does_not_fail_the_job(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    # On SQLite a progress write from another connection used to wait for the job's own lock
    # until the 30 s busy timeout failed the job ("database is locked").
    with factory() as s:
        ws = make_workspace(s, make_user(s), "acme")
        job = service.create_job(s, actor=None, workspace_id=ws.id, kind=LOCKED_KIND, params={})
        s.commit()
    started = time.monotonic()
    assert service.execute_job(job_id=job.id, settings=settings, factory=factory) == "succeeded"
    assert time.monotonic() - started < 10
    with factory() as s:
        row = s.get(Job, job.id)
        assert row is not None and (row.progress, row.message) == (100, "done")
        assert s.get(Workspace, ws.id).name == "Renamed"  # type: ignore[union-attr]


def test_progress_shows_while_the_job_runs(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    with factory() as s:
        ws = make_workspace(s, make_user(s), "acme")
        job = service.create_job(s, actor=None, workspace_id=ws.id, kind=LIVE_KIND, params={})
        s.commit()
    _live_gate.clear()
    runner = threading.Thread(
        target=service.execute_job,
        kwargs={"job_id": job.id, "settings": settings, "factory": factory},
    )
    runner.start()
    try:
        seen = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with factory() as s:
                row = s.get(Job, job.id)
                seen = (row.status, row.progress, row.message) if row else None
            if seen == ("running", 40, "waiting"):
                break
            time.sleep(0.1)
        assert seen == ("running", 40, "waiting")
    finally:
        _live_gate.set()
        runner.join(30)
