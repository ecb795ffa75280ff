"""``producthq init``, ``serve``, ``worker`` and ``demo``."""

import threading
from typing import Annotated

import typer
import uvicorn

from producthq.cli.output import console
from producthq.cli.state import state
from producthq.jobs.queue import JobQueue

Host = Annotated[str, typer.Option(help="Address to listen on.")]
Port = Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")]


def init() -> None:
    """Create the data folder and bring the database to the newest schema."""
    st = state()
    st.migrate()
    console.print(f"ProductHQ database ready: {st.settings.resolved_database_url}")
    console.print(f"Data folder: {st.settings.data_dir.resolve()}")


def serve(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Web processes.")] = 1,
    migrate: Annotated[bool, typer.Option(help="Run migrations before starting.")] = True,
) -> None:
    """Serve the web app and JSON API (and, by default, run jobs in the same process)."""
    st = state()
    if migrate:
        st.migrate()
    st.ensure_ready()
    console.print(f"ProductHQ listening on http://{host}:{port}")
    uvicorn.run(
        "producthq.web.asgi:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=True,
    )


def worker(
    threads: Annotated[int, typer.Option(min=1, max=64, help="Jobs run at once.")] = 2,
) -> None:
    """Run jobs from the shared queue (production: beside `serve --workers N`)."""
    st = state()
    st.ensure_ready()
    queue = JobQueue(st.settings, st.factory)
    stop = threading.Event()

    def reaper() -> None:
        while not stop.wait(30):
            queue.reap()

    queue.reap()
    threading.Thread(target=reaper, daemon=True).start()
    console.print(f"ProductHQ worker: {threads} thread(s) on the job queue")
    try:
        queue.huey.create_consumer(workers=threads, worker_type="thread", periodic=False).run()
    finally:
        stop.set()


def demo(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    serve_app: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the server after building.")
    ] = True,
) -> None:
    """Build (or reuse) the demo workspace and serve it."""
    from producthq.demo.builder import build_demo
    from producthq.jobs.queue import JobQueue

    st = state()
    st.migrate()
    with st.uow() as session:
        # Jobs the demo queues (theme discovery) go to the queue the server then works through.
        session.info["dispatch"] = JobQueue(st.settings, st.factory).submit
        info = build_demo(session, settings=st.settings, progress=console.print)
    console.rule("ProductHQ demo")
    console.print(f"  URL:      http://{host}:{port}/")
    console.print(f"  E-mail:   {info.email}")
    console.print(f"  Password: {info.password}")
    console.print(f"  Workspace: {info.workspace_slug} ({'reused' if info.reused else 'new'})")
    console.rule()
    if serve_app:
        serve(host=host, port=port, workers=1, migrate=False)


def register(app: typer.Typer) -> None:
    """Add the top-level commands to the app."""
    app.command()(init)
    app.command()(serve)
    app.command()(worker)
    app.command()(demo)
