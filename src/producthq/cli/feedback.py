"""``producthq feedback import|export|search|analyze|themes|duplicates``, ``companies import``.

Imports run in this process with a progress bar (no server needed); a file with bad rows prints
one summary line and one line per problem, writes nothing and exits 2.
"""

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from producthq.cli.accounts import WorkspaceOpt
from producthq.cli.output import OutputFormat, console, csv_safe, emit, err_console
from producthq.cli.state import resolve_workspace, state
from producthq.db import workspace_scope
from producthq.errors import InvalidInputError
from producthq.feedback import (
    analysis,
    company_import,
    importers,
    insight,
    search,
    service,
    similarity,
    theme_report,
)
from producthq.feedback.importers import ImportResult
from producthq.feedback.models import FeedbackItem
from producthq.feedback.presets import PRESETS
from producthq.feedback.rows import parse_map_options
from producthq.feedback.schemas import FeedbackFilter

app = typer.Typer(
    help="Customer feedback: import, export, search, near-duplicates and themes.",
    no_args_is_help=True,
)
companies_app = typer.Typer(help="Customer companies.", no_args_is_help=True)

FileArg = Annotated[
    Path,
    typer.Argument(exists=True, dir_okay=False, readable=True, help="The file to import."),
]
MapOpt = Annotated[
    list[str] | None,
    typer.Option("--map", "-m", help="COLUMN=FIELD, e.g. --map Body=text (repeatable)."),
]
EXPORT_COLUMNS = [
    "id",
    "occurred_at",
    "source",
    "status",
    "title",
    "text",
    "tags",
    "person_name",
    "person_email",
    "company_name",
    "company_domain",
    "company_segment",
    "company_arr",
    "sentiment",
    "sentiment_label",
    "theme_id",
    "duplicate_group",
    "external_id",
    "source_url",
    "extra",
    "created_at",
    "updated_at",
]


def _print_problems(exc: InvalidInputError) -> None:
    err_console.print(f"error: {exc.message}", markup=False, highlight=False)
    for p in exc.details:
        where = ", ".join(str(x) for x in p.loc)
        err_console.print(f"  {where}: {p.message}", markup=False, highlight=False)


def _run_import(
    kind: str, file: Path, preset: str | None, maps: list[str], slug: str | None
) -> None:
    st = state()
    overrides = parse_map_options(maps)
    run = (
        company_import.import_companies_file
        if kind == "companies"
        else importers.import_feedback_file
    )
    try:
        with (
            st.uow() as session,
            Progress(
                TextColumn(f"importing {file.name}"),
                BarColumn(),
                TextColumn("{task.percentage:>3.0f}%"),
                TextColumn("{task.fields[msg]}"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as bar,
        ):
            ws = resolve_workspace(session, slug, st.settings)
            task = bar.add_task("import", total=100, msg="")
            with workspace_scope(session, ws.id):
                result: ImportResult = run(
                    session,
                    actor=None,
                    workspace_id=ws.id,
                    path=file,
                    filename=file.name,
                    preset=preset,
                    overrides=overrides,
                    progress=lambda pct, msg: bar.update(task, completed=pct, msg=msg[:40]),
                )
    except InvalidInputError as exc:
        _print_problems(exc)
        raise typer.Exit(2) from None
    noun = "companies" if kind == "companies" else "feedback items"
    console.print(
        f"{file.name}: {result.rows} rows; {result.created} {noun} created, "
        f"{result.updated} updated, {result.skipped} already there"
        + (
            f"; {result.companies_created} new companies, {result.people_created} new people"
            if kind == "feedback"
            else ""
        ),
        markup=False,
        highlight=False,
    )


def _preset_help(kind: str) -> str:
    slugs = ", ".join(sorted(p.slug for p in PRESETS.values() if p.kind == kind))
    return f"Column preset of the exporting tool: {slugs}."


@app.command("import")
def feedback_import(
    file: FileArg,
    preset: Annotated[str | None, typer.Option(help=_preset_help("feedback"))] = None,
    map_: MapOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Import feedback from CSV, JSON Lines, mbox or .eml; re-importing adds nothing."""
    _run_import("feedback", file, preset, map_ or [], workspace)


@companies_app.command("import")
def companies_import(
    file: FileArg,
    preset: Annotated[str | None, typer.Option(help=_preset_help("companies"))] = None,
    map_: MapOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Import or update companies from a CSV or JSON Lines export (HubSpot, Salesforce, …)."""
    _run_import("companies", file, preset, map_ or [], workspace)


def _row(item: FeedbackItem, people: dict[int, Any], companies: dict[int, Any]) -> dict[str, Any]:
    p = people.get(item.person_id or 0)
    c = companies.get(item.company_id or 0)
    return {
        "id": item.id,
        "occurred_at": item.occurred_at.isoformat(),
        "source": item.source,
        "status": item.status,
        "title": item.title,
        "text": item.text,
        "tags": list(item.tags or []),
        "person_name": p.name if p else None,
        "person_email": p.email if p else None,
        "company_name": c.name if c else None,
        "company_domain": c.domain if c else None,
        "company_segment": c.segment if c else None,
        "company_arr": c.arr if c else None,
        "sentiment": item.sentiment,
        "sentiment_label": item.sentiment_label,
        "theme_id": item.theme_id,
        "duplicate_group": item.duplicate_group,
        "external_id": item.external_id,
        "source_url": item.source_url,
        "extra": dict(item.extra or {}),
        "created_at": item.created_at.isoformat(),
        "updated_at": item.updated_at.isoformat(),
    }


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False) if value else ""
    return csv_safe(value)


@app.command("export")
def feedback_export(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="csv or json (JSON Lines, one item a line).")
    ] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    include_archived: Annotated[bool, typer.Option(help="Archived items too.")] = True,
    workspace: WorkspaceOpt = None,
) -> None:
    """Export every feedback item with its customer, sentiment and theme.

    CSV cells that a spreadsheet would run as a formula are prefixed with a quote.
    """
    if fmt not in ("csv", "json"):
        raise InvalidInputError.single(("--format",), f"--format {fmt!r}: use csv or json")
    st = state()
    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        with st.uow() as session:
            ws = resolve_workspace(session, workspace, st.settings)
            filters = FeedbackFilter(include_archived=include_archived)
            writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
            if writer:
                writer.writerow(EXPORT_COLUMNS)
            batch: list[FeedbackItem] = []
            for item in service.iter_feedback(session, workspace_id=ws.id, filters=filters):
                batch.append(item)
                if len(batch) >= 500:
                    _write(session, ws.id, batch, writer, out)
                    batch = []
            _write(session, ws.id, batch, writer, out)
    finally:
        if output:
            out.close()


def _write(session: Session, ws_id: int, batch: list[FeedbackItem], writer: Any, out: Any) -> None:
    if not batch:
        return
    people, companies = service.authors_of(session, workspace_id=ws_id, items=batch)
    for item in batch:
        row = _row(item, people, companies)
        if writer is not None:
            writer.writerow([_csv_cell(row[c]) for c in EXPORT_COLUMNS])
        else:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


SEARCH_COLUMNS = ["rank", "id", "external_id", "occurred_at", "source", "snippet"]


def _search_row(
    item: FeedbackItem, rank: float, snippet: search.Snippet, table: bool
) -> dict[str, Any]:
    if table:  # rich markup: the text escaped, the matched words in bold
        shown = "".join(
            f"[bold]{escape(t)}[/bold]" if hit else escape(t) for t, hit in snippet.parts
        )
    else:
        shown = snippet.text
    return {
        "rank": rank,
        "id": item.id,
        "external_id": item.external_id,
        "occurred_at": item.occurred_at,
        "source": item.source,
        "snippet": shown,
    }


@app.command("search")
def feedback_search(
    query: Annotated[
        str,
        typer.Argument(
            help='Words (all must match, stemmed), "quoted phrases", -excluded words, a OR b.'
        ),
    ],
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many hits to show.")] = 20,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table, csv or json.")
    ] = OutputFormat.table,
    similar: Annotated[
        bool, typer.Option("--similar", help="Match by meaning (feedback like this text).")
    ] = False,
    include_archived: Annotated[bool, typer.Option(help="Search archived items too.")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Search feedback, most relevant first, with the matched words in a snippet.

    How the query was read (a quote closed, operators ignored) is printed to stderr.
    """
    st = state()
    table = fmt == OutputFormat.table
    filters = FeedbackFilter(include_archived=include_archived)
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        with workspace_scope(session, ws.id):
            if similar:
                matches = similarity.search_similar(
                    session, workspace_id=ws.id, text=query, limit=limit, filters=filters
                )
                rows = [
                    _search_row(m.item, m.similarity, search.plain_snippet(m.item.text), table)
                    for m in matches
                ]
                notes: tuple[str, ...] = ()
            else:
                result = search.search_feedback(
                    session, workspace_id=ws.id, query=query, filters=filters, limit=limit
                )
                rows = [_search_row(h.item, h.rank, h.snippet, table) for h in result.hits]
                notes = result.notes
    for note in notes:
        err_console.print(f"note: {note}", markup=False, highlight=False)
    emit(rows, SEARCH_COLUMNS, fmt)


FormatOpt = Annotated[
    str, typer.Option("--format", "-f", help="csv, or json (JSON Lines, one row a line).")
]


def _check_format(fmt: str) -> None:
    if fmt not in ("csv", "json"):
        raise InvalidInputError.single(("--format",), f"--format {fmt!r}: use csv or json")


def _analyze(session: Session, ws_id: int, incremental: bool) -> insight.AnalysisResult:
    with (
        Progress(
            TextColumn("analysing feedback"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("{task.fields[msg]}"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        ) as bar,
        workspace_scope(session, ws_id),
    ):
        task = bar.add_task("analyze", total=100, msg="")
        return insight.analyze_feedback(
            session,
            workspace_id=ws_id,
            incremental=incremental,
            progress=lambda pct, msg: bar.update(task, completed=pct, msg=msg[:40]),
        )


@app.command("analyze")
def feedback_analyze(
    incremental: Annotated[
        bool, typer.Option(help="Only give items without a theme the nearest existing theme.")
    ] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Find near-duplicates, score sentiment and discover themes (stable across re-runs)."""
    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        result = _analyze(session, ws.id, incremental)
    timings = ", ".join(f"{k} {v:.1f}s" for k, v in result.seconds.items())
    console.print(
        f"{result.items} items: {result.duplicates} in near-duplicate groups, "
        f"{result.sentiment_scored} newly scored, {result.themes} themes "
        f"({result.themes_new} new, {result.themes_matched} kept, {result.themes_retired} "
        f"retired), {result.assigned} items moved ({timings})",
        markup=False,
        highlight=False,
    )


def _emit_rows(rows: Any, columns: list[str], fmt: str) -> None:
    out = sys.stdout
    writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
    if writer:
        writer.writerow(columns)
    for row in rows:
        if writer:
            writer.writerow([csv_safe(v) for v in row])
        else:
            out.write(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False) + "\n")


@app.command("themes")
def feedback_themes(
    fmt: FormatOpt = "csv",
    analyze: Annotated[
        bool | None,
        typer.Option(
            "--analyze/--no-analyze",
            help="Run theme discovery first (default: only when the workspace has no themes).",
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """One row per feedback item: external_id, item id, theme_id, theme_label."""
    _check_format(fmt)
    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        with workspace_scope(session, ws.id):
            has = bool(theme_report.list_themes(session, workspace_id=ws.id))
        if analyze or (analyze is None and not has):
            _analyze(session, ws.id, incremental=False)
        with workspace_scope(session, ws.id):
            rows = theme_report.iter_theme_rows(session, workspace_id=ws.id)
            _emit_rows(rows, ["external_id", "item_id", "theme_id", "theme_label"], fmt)


@app.command("duplicates")
def feedback_duplicates(
    fmt: FormatOpt = "csv",
    analyze: Annotated[
        bool, typer.Option("--analyze/--no-analyze", help="Find near-duplicates again first.")
    ] = True,
    workspace: WorkspaceOpt = None,
) -> None:
    """One row per item in a near-duplicate group: external_id, item id, group_id."""
    _check_format(fmt)
    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        if analyze:
            with workspace_scope(session, ws.id):
                analysis.mark_duplicates(session, workspace_id=ws.id)
        with workspace_scope(session, ws.id):
            rows = theme_report.iter_duplicate_rows(session, workspace_id=ws.id)
            _emit_rows(rows, ["external_id", "item_id", "group_id"], fmt)
