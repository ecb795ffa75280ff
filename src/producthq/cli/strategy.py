"""``producthq strategy …``: list objectives and key results, check in a key result's value."""

from datetime import date
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from producthq.cli.accounts import FormatOpt, WorkspaceOpt, cli_actor
from producthq.cli.output import OutputFormat, console, emit
from producthq.cli.state import resolve_workspace, state
from producthq.errors import InvalidInputError
from producthq.strategy import okrs
from producthq.strategy.schemas import CheckinCreate

app = typer.Typer(help="Vision, objectives and key results.", no_args_is_help=True)
objectives_app = typer.Typer(help="Objectives and their key results.", no_args_is_help=True)
app.add_typer(objectives_app, name="objectives")

COLUMNS = [
    "period",
    "objective_id",
    "objective",
    "objective_progress",
    "key_result_id",
    "key_result",
    "baseline",
    "target",
    "current",
    "direction",
    "progress",
]


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


@objectives_app.command("list")
def objectives_list(
    period: Annotated[
        str | None, typer.Option("--period", help="Only this period, e.g. 2026-Q4.")
    ] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """List objectives with one row per key result; progress in percent."""
    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        rows: list[dict[str, Any]] = []
        for o in okrs.list_objectives(session, workspace_id=ws.id, period=period):
            head = {
                "period": o.period,
                "objective_id": o.id,
                "objective": o.title,
                "objective_progress": _pct(okrs.progress_of_objective(o)),
            }
            if not o.key_results:
                rows.append(head)
            for kr in o.key_results:
                rows.append(
                    {
                        **head,
                        "key_result_id": kr.id,
                        "key_result": kr.title,
                        "baseline": kr.baseline,
                        "target": kr.target,
                        "current": kr.current,
                        "direction": kr.direction,
                        "progress": _pct(okrs.progress_of_key_result(kr)),
                    }
                )
    emit(rows, COLUMNS, fmt)


@app.command("checkin")
def checkin(
    key_result_id: Annotated[int, typer.Argument(help="Key result id.", min=1)],
    value: Annotated[float, typer.Argument(help="The value now.")],
    note: Annotated[str, typer.Option("--note", help="What happened.")] = "",
    on: Annotated[
        str | None, typer.Option("--date", help="Date of the value, YYYY-MM-DD (default today).")
    ] = None,
    as_user: Annotated[
        str | None, typer.Option("--as", help="E-mail of the member checking in (default owner).")
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Check in a key result's value; it becomes the current value."""
    try:
        day = date.fromisoformat(on) if on else None
        data = CheckinCreate(value=value, note=note, checkin_date=day)
    except ValueError as exc:
        message = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        raise InvalidInputError.single(("checkin",), f"bad check-in: {message}") from None
    st = state()
    with st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        actor = cli_actor(session, ws, as_user)
        okrs.add_checkin(session, actor=actor, key_result_id=key_result_id, data=data)
        kr = okrs.get_key_result(session, workspace_id=ws.id, key_result_id=key_result_id)
        progress = okrs.progress_of_key_result(kr)
        console.print(
            f"key result {kr.id} {kr.title!r}: current {kr.current:g}, progress {progress:.0%}",
            markup=False,
            highlight=False,
        )
