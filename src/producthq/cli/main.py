"""The ``producthq`` command: Typer app, one module per command group.

A user's mistake (any ``ProductHQError``) prints one line to stderr and exits 2; no traceback.
"""

import sys
from typing import Any

import typer
from typer.core import TyperGroup

from producthq.cli import accounts, jobs, server
from producthq.cli import events as events_cli
from producthq.cli import features as features_cli
from producthq.cli import feedback as feedback_cli
from producthq.cli import metrics as metrics_cli
from producthq.cli import roadmap as roadmap_cli
from producthq.cli import strategy as strategy_cli
from producthq.cli.output import err_console
from producthq.cli.prioritize import frameworks_app, kano_app, prioritize_command
from producthq.cli.state import new_state
from producthq.errors import InvalidInputError, ProductHQError


def report(exc: ProductHQError) -> None:
    """Print an error as one line (plus one line per detail for bad input)."""
    err_console.print(f"error: {exc.message}", markup=False, highlight=False)
    if isinstance(exc, InvalidInputError):
        for p in exc.details[1:20]:
            where = ", ".join(str(x) for x in p.loc)
            err_console.print(f"  {where}: {p.message}", markup=False, highlight=False)


class _Group(TyperGroup):
    """The root group: turns a ``ProductHQError`` into one line on stderr and exit code 2."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ProductHQError as exc:
            report(exc)
            raise typer.Exit(2) from None


app = typer.Typer(
    cls=_Group,
    name="producthq",
    help="ProductHQ: the operating system for a product organisation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """ProductHQ. The data folder comes from PRODUCTHQ_DATA_DIR (default ./producthq-data)."""
    new_state()


server.register(app)
app.add_typer(accounts.user_app, name="user")
app.add_typer(accounts.workspace_app, name="workspace")
app.add_typer(accounts.member_app, name="member")
app.add_typer(accounts.token_app, name="token")
app.add_typer(jobs.jobs_app, name="jobs")
app.add_typer(jobs.audit_app, name="audit")
app.add_typer(roadmap_cli.app, name="roadmap")
app.add_typer(strategy_cli.app, name="strategy")
app.add_typer(feedback_cli.app, name="feedback")
app.add_typer(feedback_cli.companies_app, name="companies")
app.add_typer(metrics_cli.app, name="metrics")
app.add_typer(features_cli.app, name="features")
app.add_typer(events_cli.app, name="events")
app.command("prioritize")(prioritize_command)
app.add_typer(frameworks_app, name="frameworks")
app.add_typer(kano_app, name="kano")


def main() -> None:
    """Run the CLI."""
    try:
        app(standalone_mode=True)
    except ProductHQError as exc:
        report(exc)
        sys.exit(2)


if __name__ == "__main__":
    main()
