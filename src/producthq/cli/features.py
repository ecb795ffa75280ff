"""``producthq features …``: import, list and export the feature catalogue of a workspace."""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from producthq.catalog import service
from producthq.catalog.models import FeatureStatus
from producthq.catalog.schemas import FeatureFilter
from producthq.cli.accounts import FormatOpt, WorkspaceOpt, cli_actor
from producthq.cli.output import OutputFormat, console, emit
from producthq.cli.state import resolve_workspace, state
from producthq.errors import InvalidInputError

app = typer.Typer(help="The feature catalogue: import, list, export.", no_args_is_help=True)
LIST_COLUMNS = ["id", "title", "status", "product", "component", "owner", "tags"]


def _pairs(values: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in values or []:
        column, sep, field = pair.rpartition("=")
        if not sep or not column.strip() or not field.strip():
            raise InvalidInputError.single(("--map",), f"--map {pair!r}: write COLUMN=FIELD")
        out[column.strip()] = field.strip()
    return out


@app.command("import")
def import_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV file.")
    ],
    preset: Annotated[
        str | None, typer.Option("--preset", help="jira, productboard or airfocus.")
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="COLUMN=FIELD (FIELD may be ignore); repeat as needed."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the file only.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="E-mail of the member.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Import features from a CSV file; nothing is imported unless every row is valid."""
    overrides = _pairs(mapping)
    text = file.read_text(encoding="utf-8-sig")
    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        actor = cli_actor(session, ws, as_user)
        result = service.import_features(
            session, actor=actor, text=text, preset=preset, overrides=overrides, dry_run=dry_run
        )
    verb = "would be created" if result.dry_run else "created"
    console.print(
        f"{result.created} features {verb}, {result.products_created} products, "
        f"{result.components_created} components, {result.estimates} estimates",
        markup=False,
        highlight=False,
    )


def _filters(
    status: str | None, product: int | None, tag: str | None, q: str | None
) -> FeatureFilter:
    if status is not None and status not in FeatureStatus.__members__:
        choices = ", ".join(FeatureStatus.__members__)
        raise InvalidInputError.single(("--status",), f"status {status!r}: choose {choices}")
    try:
        return FeatureFilter(
            status=FeatureStatus(status) if status else None, product_id=product, tag=tag, q=q
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err.get("loc") else "filter"
        raise InvalidInputError.single((f"--{field}",), f"--{field}: {err['msg']}") from None


StatusOpt = Annotated[str | None, typer.Option("--status", help="Only this status.")]
ProductOpt = Annotated[int | None, typer.Option("--product", help="Only this product id.", min=1)]
TagOpt = Annotated[str | None, typer.Option("--tag", help="Only features with this tag.")]
SearchOpt = Annotated[str | None, typer.Option("--search", help="Words in the title.")]


def _rows(workspace: str | None, filters: FeatureFilter) -> tuple[list[dict[str, Any]], list[str]]:
    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        return service.export_rows(session, workspace_id=ws.id, filters=filters)


@app.command("list")
def list_command(
    status: StatusOpt = None,
    product: ProductOpt = None,
    tag: TagOpt = None,
    search: SearchOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """List features (id, title, status, product, component, owner, tags)."""
    rows, _columns = _rows(workspace, _filters(status, product, tag, search))
    emit(rows, LIST_COLUMNS, fmt)


@app.command("export")
def export_command(
    status: StatusOpt = None,
    product: ProductOpt = None,
    tag: TagOpt = None,
    search: SearchOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.csv,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default stdout).")
    ] = None,
) -> None:
    """Export every field and estimate; CSV cells are guarded against formula injection."""
    rows, columns = _rows(workspace, _filters(status, product, tag, search))
    if fmt == OutputFormat.json:
        text = service.export_json(rows, columns) + "\n"
    elif fmt == OutputFormat.csv:
        text = service.export_csv(rows, columns)
    else:
        emit(rows, columns, fmt)
        return
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"{len(rows)} features written to {output}", markup=False, highlight=False)
