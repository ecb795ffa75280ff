"""``producthq roadmap …``: optimise, check, explain and compare roadmap plans on files.

The commands read the JSON formats of ``docs/roadmap-optimizer.md`` and need no server. A
user's mistake prints ``error: …`` (plus one line per problem) to stderr and exits 2; an
infeasible plan exits 1 from ``check``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import producthq.roadmap.demo  # noqa: F401 - registers the roadmap's demo step
from producthq.errors import InvalidInputError, ProblemCollector, ProductHQError
from producthq.roadmap.checker import check_plan
from producthq.roadmap.explain import Explanation, compare_plans, explain
from producthq.roadmap.optimizer import SolveOptions, diagnose_infeasible, optimize
from producthq.roadmap.scenario import (
    Plan,
    PlanStatus,
    Scenario,
    parse_json,
    parse_plan,
    parse_scenario,
    schema_problems,
)

app = typer.Typer(
    help="Capacity-aware roadmap optimiser: choose and schedule features within team capacity.",
    no_args_is_help=True,
)


class Format(StrEnum):
    """Output format."""

    json = "json"
    table = "table"


FileArg = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, show_default=False)
]
FormatOpt = Annotated[Format, typer.Option("--format", help="json or table.")]
TimeLimitOpt = Annotated[
    float, typer.Option("--time-limit", min=0.1, help="Solver time limit in seconds.")
]


def _fail(exc: ProductHQError, code: int = 2) -> NoReturn:
    err = Console(stderr=True, soft_wrap=True, highlight=False)
    err.print(f"error: {exc.message}", markup=False)
    if isinstance(exc, InvalidInputError):
        for p in exc.details:
            where = "/".join(str(x) for x in p.loc)
            err.print(f"  {where}: {p.message}", markup=False)
    raise typer.Exit(code)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn a ``ProductHQError`` into one clear message and exit code 2."""
    try:
        yield
    except ProductHQError as exc:
        _fail(exc)


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError.single((path.name,), f"cannot read {path}: {exc}") from None
    return parse_json(text, path.name)


def _load_scenario(path: Path) -> tuple[dict[str, Any], Scenario]:
    raw = _read(path)
    return raw, parse_scenario(raw, source=path.name)


def _write(path: Path, data: dict[str, Any]) -> None:
    try:
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError.single(("--output",), f"cannot write {path}: {exc}") from None


@contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[int, str], None]]:
    """Show a rich progress bar on stderr and yield the ``(percent, message)`` callback."""
    with Progress(
        TextColumn(label),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[msg]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=100, msg="")

        def report(percent: int, message: str) -> None:
            bar.update(task, completed=percent, msg=message[:60])

        yield report


def _print_plan(plan: Plan, scenario: Scenario, explanation: Explanation | None) -> None:
    out = Console()
    out.print(
        f"{plan.status.value}: value {plan.objective:,.3f}, bound {plan.best_bound:,.3f}, "
        f"gap {plan.gap:.2%}, {len(plan.chosen_ids)} of {len(plan.assignments)} features, "
        f"{plan.wall_seconds:.2f} s ({plan.solver})",
        markup=False,
    )
    table = Table("feature", "team", "start", "end", "value", title="chosen features")
    for a in plan.assignments:
        if a.chosen and a.start is not None and a.end is not None:
            table.add_row(
                a.feature_id, a.team, plan.periods[a.start], plan.periods[a.end], f"{a.value:g}"
            )
    out.print(table)
    usage = Table("team", *scenario.periods, title="capacity used / available (person-weeks)")
    used = plan.usage(scenario)
    for t in scenario.teams:
        usage.add_row(t.id, *(f"{used[(t.id, p)]:g}/{c:g}" for p, c in enumerate(t.capacity)))
    out.print(usage)
    if explanation is not None:
        _print_explanation(out, explanation)


def _print_explanation(out: Console, e: Explanation) -> None:
    table = Table(
        "team",
        "period",
        "used",
        "capacity",
        "value of +1 person-week",
        "proven",
        title="binding capacity",
    )
    margins = {(m.team, m.period): m for m in e.marginal_values}
    for b in e.binding:
        m = margins.get((b.team, b.period))
        table.add_row(
            b.team,
            b.period,
            f"{b.used:g}",
            f"{b.capacity:g}",
            "" if m is None else f"{m.value_per_person_week:g}",
            "" if m is None else ("yes" if m.proven else "lower bound"),
        )
    out.print(table)
    for c in e.capacity_changes:
        out.print(
            f"capacity {c.percent:+g}%: {c.status}, value {c.objective:,.3f}; "
            f"enter: {', '.join(c.entered) or '-'}; drop: {', '.join(c.dropped) or '-'}",
            markup=False,
        )


def _solve(
    scenario: Scenario, time_limit: float, gap_limit: float, show_progress: bool, source: str
) -> Plan:
    options = SolveOptions(time_limit=time_limit, gap_limit=gap_limit)
    if not show_progress:
        plan = optimize(scenario, options)
    else:
        with _progress_bar("optimising") as report:
            plan = optimize(scenario, options, progress=report)
    if plan.status == PlanStatus.INFEASIBLE:
        conflict = diagnose_infeasible(scenario, time_limit=time_limit)
        problems = ProblemCollector()
        position = {c.feature: i for i, c in enumerate(scenario.commitments)}
        for fid in conflict:
            problems.add(
                (source, "commitments", position[fid]),
                f"commitment {fid!r} is part of a set that cannot all fit",
                "infeasible",
            )
        names = ", ".join(repr(f) for f in conflict) or "(none identified)"
        problems.raise_if_any(f"no plan meets every constraint; conflicting commitments: {names}")
        raise InvalidInputError(f"no plan meets every constraint; commitments: {names}")
    if plan.status == PlanStatus.UNKNOWN:
        _fail(ProductHQError(f"no plan found within {time_limit:g} s; raise --time-limit"), 1)
    return plan


@app.command("optimize")
def optimize_cmd(
    scenario_file: FileArg,
    time_limit: TimeLimitOpt = 10.0,
    fmt: FormatOpt = Format.json,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the plan JSON here.")
    ] = None,
    gap_limit: Annotated[
        float, typer.Option(min=0.0, help="Stop once the proven gap is at most this (0.01 = 1%).")
    ] = 0.0,
    with_explanation: Annotated[
        bool,
        typer.Option("--explain", help="Add binding constraints, marginal values, what-ifs."),
    ] = False,
    percent: Annotated[float, typer.Option(min=0.0, max=100.0, help="What-if +-X%.")] = 10.0,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
) -> None:
    """Choose and schedule features to maximise total value within capacity."""
    with _user_errors():
        _, scenario = _load_scenario(scenario_file)
        plan = _solve(scenario, time_limit, gap_limit, progress, scenario_file.name)
        explanation = None
        if with_explanation:
            explanation = explain(
                scenario, plan, percent=percent, time_limit=max(0.5, time_limit / 10)
            )
        data = plan.to_dict(scenario)
        if explanation is not None:
            data["explanation"] = explanation.to_dict()
        if output is not None:
            _write(output, data)
        if fmt == Format.json and output is None:
            typer.echo(json.dumps(data, indent=2))
        elif fmt == Format.table:
            _print_plan(plan, scenario, explanation)
        else:
            typer.echo(
                f"{plan.status.value}: value {plan.objective:g}, gap {plan.gap:.2%}; "
                f"plan written to {output}"
            )


@app.command("check")
def check_cmd(scenario_file: FileArg, plan_file: FileArg) -> None:
    """Check a plan against a scenario with the independent checker; exit 1 if it breaks one."""
    with _user_errors():
        raw, _ = _load_scenario(scenario_file)
        raw_plan = _read(plan_file)
        problems = ProblemCollector()
        schema_problems(raw_plan, "plan", plan_file.name, problems)
        problems.raise_if_any(f"{plan_file.name} does not match the plan format")
    violations = check_plan(raw, raw_plan)
    if violations:
        err = Console(stderr=True, soft_wrap=True, highlight=False)
        err.print(f"error: the plan breaks {len(violations)} rule(s)", markup=False)
        for v in violations:
            err.print(f"  {v}", markup=False)
        raise typer.Exit(1)
    chosen = sum(1 for f in raw_plan["features"] if f["chosen"])
    typer.echo(f"ok: the plan is feasible ({chosen} features, value {raw_plan['objective']:g})")


@app.command("explain")
def explain_cmd(
    scenario_file: FileArg,
    plan_file: FileArg,
    percent: Annotated[float, typer.Option(min=0.0, max=100.0, help="What-if +-X%.")] = 10.0,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, help="Seconds per re-solve.")
    ] = 2.0,
    fmt: FormatOpt = Format.table,
) -> None:
    """Explain a plan: binding capacity, value of one more person-week, +-X% capacity."""
    with _user_errors():
        _, scenario = _load_scenario(scenario_file)
        plan = parse_plan(_read(plan_file), scenario, plan_file.name)
        with _progress_bar("explaining") as report:
            explanation = explain(
                scenario, plan, percent=percent, time_limit=time_limit, progress=report
            )
        if fmt == Format.json:
            typer.echo(json.dumps(explanation.to_dict(), indent=2))
        else:
            _print_explanation(Console(), explanation)


@app.command("compare")
def compare_cmd(
    scenario_file: FileArg, plan_a: FileArg, plan_b: FileArg, fmt: FormatOpt = Format.table
) -> None:
    """Compare two plans of the same features side by side (e.g. two capacity scenarios)."""
    with _user_errors():
        _, scenario = _load_scenario(scenario_file)
        a = parse_plan(_read(plan_a), scenario, plan_a.name)
        b = parse_plan(_read(plan_b), scenario, plan_b.name)
        comparison = compare_plans(a, b, plan_a.name, plan_b.name)
    if fmt == Format.json:
        typer.echo(json.dumps(comparison.to_dict(), indent=2))
        return
    out = Console()
    table = Table("feature", "value", plan_a.name, plan_b.name, "change")
    for row in comparison.features:
        if row.change != "neither":
            table.add_row(row.feature_id, f"{row.value:g}", row.where_a, row.where_b, row.change)
    out.print(table)
    out.print(
        f"value: {comparison.objective_a:,.3f} ({plan_a.name}) vs "
        f"{comparison.objective_b:,.3f} ({plan_b.name})",
        markup=False,
    )


# --- commands that act on a workspace's roadmap ------------------------------------------

items_app = typer.Typer(help="Roadmap items of a workspace.", no_args_is_help=True)
app.add_typer(items_app, name="items")

WorkspaceOpt = Annotated[
    str | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace slug (default: PRODUCTHQ_WORKSPACE, else the only one).",
    ),
]
ITEM_COLUMNS = (
    "id",
    "title",
    "column",
    "position",
    "status",
    "progress",
    "team",
    "objective",
    "start",
    "end",
    "release",
    "value",
)


@app.command("export-scenario")
def export_scenario_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="Write the scenario JSON here.")],
    workspace: WorkspaceOpt = None,
    name: Annotated[str, typer.Option(help="The scenario's name.")] = "workspace roadmap",
    capacity_percent: Annotated[
        float, typer.Option("--capacity-percent", min=1, max=1000, help="Scale all capacity.")
    ] = 100.0,
) -> None:
    """Build an optimiser scenario from a workspace's items, teams and capacity."""
    from producthq.cli.state import resolve_workspace, state
    from producthq.db import workspace_scope
    from producthq.roadmap import planning

    st = state()
    with _user_errors(), st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        with workspace_scope(session, ws.id):
            doc = planning.build_scenario(
                session, workspace_id=ws.id, name=name, capacity_percent=capacity_percent
            )
        _write(output, doc)
    typer.echo(
        f"wrote {output}: {len(doc['features'])} features, {len(doc['teams'])} teams, "
        f"{len(doc['periods'])} periods"
    )


@app.command("import-scenario")
def import_scenario_cmd(
    scenario_file: FileArg,
    workspace: WorkspaceOpt = None,
    name: Annotated[str | None, typer.Option(help="Name to save it under.")] = None,
) -> None:
    """Validate a scenario file and save it in a workspace (solve it there from the web or API)."""
    from producthq.cli.accounts import cli_actor
    from producthq.cli.state import resolve_workspace, state
    from producthq.db import workspace_scope
    from producthq.roadmap import planning

    st = state()
    with _user_errors():
        raw = _read(scenario_file)
        with st.uow() as session:
            ws = resolve_workspace(session, workspace, st.settings)
            actor = cli_actor(session, ws, None)
            with workspace_scope(session, ws.id):
                row = planning.import_scenario(
                    session, actor=actor, doc=raw, name=name, source=scenario_file.name
                )
                row_id, row_name = row.id, row.name
    typer.echo(f"saved scenario {row_id} ({row_name}) in workspace {ws.slug}")


@items_app.command("list")
def items_list_cmd(
    workspace: WorkspaceOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
) -> None:
    """List a workspace's roadmap items, by column and position."""
    from producthq.cli.output import OutputFormat, emit
    from producthq.cli.state import resolve_workspace, state
    from producthq.db import workspace_scope
    from producthq.roadmap import service

    try:
        out_format = OutputFormat(fmt)
    except ValueError:
        _fail(InvalidInputError.single(("--format",), f"--format {fmt!r}: use table, csv or json"))
    st = state()
    with _user_errors(), st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        with workspace_scope(session, ws.id):
            rows = [r.as_dict() for r in service.item_rows(session, workspace_id=ws.id)]
    emit(rows, ITEM_COLUMNS, out_format)


# --- saved scenarios of a workspace --------------------------------------------------------

scenarios_app = typer.Typer(
    help="A workspace's saved optimiser scenarios: list, run, compare, apply.",
    no_args_is_help=True,
)
app.add_typer(scenarios_app, name="scenarios")
ScenarioIdArg = Annotated[int, typer.Argument(min=1, help="Scenario id (see `scenarios list`).")]


@scenarios_app.command("list")
def scenarios_list_cmd(workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """List the saved scenarios, newest first, with their status and plan value."""
    from producthq.cli.state import resolve_workspace, state
    from producthq.db import workspace_scope
    from producthq.roadmap import planning

    st = state()
    with _user_errors(), st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        with workspace_scope(session, ws.id):
            rows: list[dict[str, Any]] = [
                {
                    "id": r.id,
                    "name": r.name,
                    "status": r.status,
                    "objective": (r.plan or {}).get("objective"),
                    "gap": (r.plan or {}).get("gap"),
                    "features": len(r.scenario.get("features", [])),
                    "applied_at": r.applied_at.isoformat() if r.applied_at else None,
                }
                for r in planning.list_scenarios(session, workspace_id=ws.id)
            ]
    if fmt == Format.json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("id", "name", "status", "value", "gap", "features", "applied")
    for r in rows:
        value = "" if r["objective"] is None else f"{r['objective']:,.1f}"
        gap = "" if r["gap"] is None else f"{r['gap']:.2%}"
        table.add_row(
            str(r["id"]),
            str(r["name"]),
            str(r["status"]),
            value,
            gap,
            str(r["features"]),
            str(r["applied_at"] or ""),
        )
    Console().print(table)


@scenarios_app.command("run")
def scenarios_run_cmd(
    scenario_id: ScenarioIdArg,
    workspace: WorkspaceOpt = None,
    time_limit: TimeLimitOpt = 10.0,
    with_explanation: Annotated[
        bool, typer.Option("--explain/--no-explain", help="Also explain the plan.")
    ] = True,
    percent: Annotated[float, typer.Option(min=0.1, max=100.0, help="What-if +-X%.")] = 10.0,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
    fmt: FormatOpt = Format.table,
) -> None:
    """Solve a saved scenario here (no server needed) and store its plan, as the web job does."""
    from producthq.cli.state import resolve_workspace, state
    from producthq.db import workspace_scope
    from producthq.roadmap import planning

    st = state()
    with _user_errors(), st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        with workspace_scope(session, ws.id):
            row = planning.get_scenario(session, workspace_id=ws.id, scenario_id=scenario_id)
            with _progress_bar(f"scenario {row.id}") if progress else _no_bar() as report:
                planning.solve_scenario(
                    session,
                    row=row,
                    time_limit=time_limit,
                    progress=report,
                    with_explanation=with_explanation,
                    percent=percent,
                )
            plan, doc, error = row.plan or {}, row.scenario, row.error
    if fmt == Format.json:
        typer.echo(json.dumps(plan, indent=2))
    else:
        scenario = parse_scenario(doc, source=f"scenario {scenario_id}")
        parsed = parse_plan(plan, scenario, source=f"plan of scenario {scenario_id}")
        explained = plan.get("explanation")
        _print_plan(parsed, scenario, _explanation_of(explained) if explained else None)
    if error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1)


@contextmanager
def _no_bar() -> Iterator[None]:
    yield None


def _explanation_of(data: dict[str, Any]) -> Explanation:
    from producthq.roadmap.explain import Binding, CapacityChange, MarginalValue

    def tup(d: dict[str, Any]) -> dict[str, Any]:
        return {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}

    return Explanation(
        tuple(Binding(**b) for b in data.get("binding", [])),
        tuple(MarginalValue(**tup(m)) for m in data.get("marginal_values", [])),
        tuple(CapacityChange(**tup(c)) for c in data.get("capacity_changes", [])),
    )


@scenarios_app.command("compare")
def scenarios_compare_cmd(
    a: ScenarioIdArg,
    b: ScenarioIdArg,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Compare the plans of two solved scenarios side by side."""
    from producthq.cli.state import resolve_workspace, state
    from producthq.db import workspace_scope
    from producthq.roadmap import planning

    st = state()
    with _user_errors(), st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        with workspace_scope(session, ws.id):
            _, _, comparison = planning.compare_scenarios(
                session, workspace_id=ws.id, a_id=a, b_id=b
            )
    if fmt == Format.json:
        typer.echo(json.dumps(comparison.to_dict(), indent=2))
        return
    out = Console()
    table = Table("feature", "value", comparison.label_a, comparison.label_b, "change")
    for row in comparison.features:
        if row.change != "neither":
            table.add_row(row.feature_id, f"{row.value:g}", row.where_a, row.where_b, row.change)
    out.print(table)
    out.print(
        f"value: {comparison.objective_a:,.3f} ({comparison.label_a}) vs "
        f"{comparison.objective_b:,.3f} ({comparison.label_b})",
        markup=False,
    )


@scenarios_app.command("apply")
def scenarios_apply_cmd(
    scenario_id: ScenarioIdArg,
    workspace: WorkspaceOpt = None,
    user: Annotated[str | None, typer.Option(help="E-mail recorded in the audit log.")] = None,
) -> None:
    """Apply a solved scenario's plan to the roadmap in one step (items get team and periods)."""
    from producthq.cli.accounts import cli_actor
    from producthq.cli.state import resolve_workspace, state
    from producthq.db import workspace_scope
    from producthq.roadmap import planning

    st = state()
    with _user_errors(), st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        actor = cli_actor(session, ws, user)
        with workspace_scope(session, ws.id):
            done = planning.apply_plan(session, actor=actor, scenario_id=scenario_id)
    typer.echo(
        f"applied scenario {scenario_id}: {done.updated} items updated, {done.created} created"
    )


@scenarios_app.command("delete")
def scenarios_delete_cmd(
    scenario_id: ScenarioIdArg,
    workspace: WorkspaceOpt = None,
    user: Annotated[str | None, typer.Option(help="E-mail recorded in the audit log.")] = None,
) -> None:
    """Delete a saved scenario (not while its optimiser job runs)."""
    from producthq.cli.accounts import cli_actor
    from producthq.cli.state import resolve_workspace, state
    from producthq.db import workspace_scope
    from producthq.roadmap import planning

    st = state()
    with _user_errors(), st.uow() as session:
        ws = resolve_workspace(session, workspace, st.settings)
        actor = cli_actor(session, ws, user)
        with workspace_scope(session, ws.id):
            planning.delete_scenario(session, actor=actor, scenario_id=scenario_id)
    typer.echo(f"deleted scenario {scenario_id}")
