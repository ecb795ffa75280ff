"""``producthq jobs …`` (with a progress bar) and ``producthq audit list``."""

import json
import threading
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from producthq.accounts import service as accounts
from producthq.audit import service as audit
from producthq.cli.accounts import FormatOpt, WorkspaceOpt
from producthq.cli.output import OutputFormat, console, emit
from producthq.cli.state import CliState, resolve_workspace, state
from producthq.errors import InvalidInputError, NotFoundError
from producthq.jobs import service
from producthq.jobs.queue import JobQueue

jobs_app = typer.Typer(help="Long-running jobs.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
JOB_COLUMNS = ["id", "kind", "status", "progress", "message", "error", "started_at", "finished_at"]


def _parse_params(pairs: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InvalidInputError.single(("--param",), f"--param {pair!r} is not KEY=VALUE")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    return params


def watch_job(st: CliState, job_id: int, workspace_id: int) -> str:
    """Show a progress bar until the job ends; return its final status."""
    with Progress(
        TextColumn("job {task.fields[job]}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[msg]}"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("job", total=100, job=job_id, msg="")
        while True:
            with st.factory() as s:
                job = service.get_job(s, workspace_id=workspace_id, job_id=job_id)
                bar.update(task, completed=job.progress, msg=job.message[:40])
                if job.status in ("succeeded", "failed"):
                    status, error = job.status, job.error
                    break
            time.sleep(0.2)
    if status == "failed":
        raise InvalidInputError(f"job {job_id} failed: {error}")
    console.print(f"job {job_id} {status}")
    return status


@jobs_app.command("run")
def jobs_run(
    kind: Annotated[str, typer.Argument(help="Job kind, e.g. demo.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="KEY=VALUE (JSON values allowed).")
    ] = None,
    workspace: WorkspaceOpt = None,
    background: Annotated[
        bool,
        typer.Option(help="Queue it for a running server or worker instead of running it here."),
    ] = False,
) -> None:
    """Start a job; by default run it in this process with a progress bar."""
    st = state()
    params = _parse_params(param or [])
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        job = service.create_job(session, actor=None, workspace_id=ws.id, kind=kind, params=params)
        if background:
            session.info["dispatch"] = JobQueue(st.settings, st.factory).submit
        job_id, ws_id = job.id, ws.id
    if background:
        console.print(f"queued job {job_id}; watch it with `producthq jobs watch {job_id}`")
        return
    runner = threading.Thread(
        target=service.execute_job,
        kwargs={"job_id": job_id, "settings": st.settings, "factory": st.factory},
        daemon=True,
    )
    runner.start()
    watch_job(st, job_id, ws_id)
    runner.join()


@jobs_app.command("watch")
def jobs_watch(job_id: Annotated[int, typer.Argument()], workspace: WorkspaceOpt = None) -> None:
    """Follow a job's progress until it ends."""
    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        ws_id = ws.id
    watch_job(st, job_id, ws_id)


@jobs_app.command("list")
def jobs_list(
    workspace: WorkspaceOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """List jobs, newest first."""
    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        rows, _ = service.list_jobs(session, workspace_id=ws.id, limit=limit)
        data = [{c: getattr(j, c) for c in JOB_COLUMNS} for j in rows]
    emit(data, JOB_COLUMNS, fmt)


def _day(value: str | None, opt: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInputError.single(
            (opt,), f"{opt} {value!r} is not a date (YYYY-MM-DD)"
        ) from exc


@audit_app.command("list")
def audit_list(
    workspace: WorkspaceOpt = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Only this person's e-mail.")] = None,
    object_type: Annotated[
        str | None, typer.Option("--object", help="Object type, e.g. api_token.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="From this date (YYYY-MM-DD).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Up to this date, inclusive.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 100,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Who changed what and when."""
    st = state()
    since_d, until_d = _day(since, "--since"), _day(until, "--until")
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        actor_id = None
        if actor:
            user = accounts.find_user_by_email(session, email=actor)
            if user is None:
                raise NotFoundError(f"no user with e-mail {actor!r}")
            actor_id = user.id
        rows, _ = audit.list_entries(
            session,
            workspace_id=ws.id,
            actor_id=actor_id,
            object_type=object_type,
            since=datetime.combine(since_d, dtime(), UTC) if since_d else None,
            until=datetime.combine(until_d + timedelta(days=1), dtime(), UTC) if until_d else None,
            limit=limit,
        )
        cols = ["at", "actor_label", "action", "object_type", "object_id", "summary"]
        data = [{c: getattr(r, c) for c in cols} for r in rows]
    emit(data, cols, fmt)
