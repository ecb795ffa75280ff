"""``producthq events …``: import events into a workspace, load captured events, show the store."""

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn

from producthq.analytics import importer, service
from producthq.analytics.events import parse_mapping
from producthq.analytics.loader import load_pending
from producthq.cli.accounts import FormatOpt, WorkspaceOpt, cli_actor
from producthq.cli.output import OutputFormat, console, emit
from producthq.cli.state import resolve_workspace, state

app = typer.Typer(
    help="Product events: import files, load captured events, write keys.",
    no_args_is_help=True,
)
keys_app = typer.Typer(help="Capture write keys (Segment-style).", no_args_is_help=True)
app.add_typer(keys_app, name="write-key")

MapOpt = Annotated[
    list[str] | None,
    typer.Option("--map", help="COLUMN=FIELD: read canonical COLUMN from the file's FIELD."),
]


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="CSV, JSON Lines or Parquet (optionally .gz).")],
    workspace: WorkspaceOpt = None,
    mapping: MapOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Import an events file into a workspace's events store (all or nothing)."""
    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        workspace_id = ws.id
    pairs = parse_mapping(mapping or [])
    with Progress(
        TextColumn("{task.description}"), BarColumn(), console=console, transient=True
    ) as bar:
        task = bar.add_task("importing", total=100)
        report = importer.import_events(
            st.settings,
            workspace_id=workspace_id,
            path=file,
            mapping=pairs,
            progress=lambda pct, msg: bar.update(task, completed=pct, description=msg[:60]),
        )
    emit([report.as_dict()], ["rows_read", "imported", "skipped_duplicates"], fmt)


@app.command("load")
def load_command(fmt: FormatOpt = OutputFormat.table) -> None:
    """Move captured events from the capture spool into the events store now."""
    st = state()
    report = load_pending(st.settings)
    emit(
        [
            {
                "events": report.events,
                "identifies": report.identifies,
                "groups": report.groups,
                "watermark": report.watermark,
            }
        ],
        ["events", "identifies", "groups", "watermark"],
        fmt,
    )


@app.command("status")
def status_command(workspace: WorkspaceOpt = None, fmt: FormatOpt = OutputFormat.table) -> None:
    """Show the workspace's event count and the capture backlog."""
    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        found = service.store_status(st.settings, workspace_id=ws.id)
    emit([{"events": found.events, "backlog": found.backlog}], ["events", "backlog"], fmt)


@app.command("refresh-key-results")
def refresh_command(workspace: WorkspaceOpt = None, fmt: FormatOpt = OutputFormat.table) -> None:
    """Refresh the key results bound to a metric from the events store."""
    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        report = service.refresh_key_results(session, settings=st.settings, workspace_id=ws.id)
    rows = [{"key_result_id": i, "status": "updated", "reason": ""} for i in report.updated]
    rows += [
        {"key_result_id": i, "status": "skipped", "reason": r} for i, r in report.skipped.items()
    ]
    emit(rows, ["key_result_id", "status", "reason"], fmt)


@keys_app.command("create")
def key_create(
    name: Annotated[str, typer.Argument(help="A name, e.g. web app.")],
    workspace: WorkspaceOpt = None,
    as_user: Annotated[
        str | None, typer.Option("--as", help="E-mail of the admin creating the key.")
    ] = None,
) -> None:
    """Create a capture write key and print its secret (shown once)."""
    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        actor = cli_actor(session, ws, as_user)
        new = service.create_write_key(session, actor=actor, name=name)
        secret = new.secret
    console.print(secret, markup=False, highlight=False)
